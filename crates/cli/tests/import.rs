//! `huzhu import` on files built here, in every encoding and date form the source systems use,
//! checked row by row against values worked out by hand.

mod support;

use std::io::{BufRead, BufReader};
use std::process::Stdio;

use support::{Site, path, text};

// ID numbers used below, with their check digits worked out by hand (DOMAIN §3: the letter's
// two-digit code weighed 1 and 9, the eight digits weighed 8..1, the check digit 1; the total
// must end in 0):
// A200123458: A=10 → 1·1 + 0·9 = 1; 2·8+0+0+1·5+2·4+3·3+4·2+5·1 = 16+5+8+9+8+5 = 51; 1+51+8 = 60.
// F200234568: F=15 → 1+45 = 46; 16+0+0+10+12+12+10+6 = 66; 46+66+8 = 120.
// E100345670: E=14 → 1+36 = 37; 8+0+0+15+16+15+12+7 = 73; 37+73+0 = 110.
// B200456784: B=11 → 1+9 = 10; 16+0+0+20+20+18+14+8 = 96; 10+96+4 = 110.
// A123456789: 1 + (8+14+18+20+20+18+14+8 = 120) + 9 = 130.
// A200123459 is A200123458 with the check digit off by one: 61, refused.

const INSTITUTIONS: &str = "\u{feff}醫事機構代碼,醫事機構名稱\n\
0401180014,國立臺灣大學醫學院附設醫院\n\
1101020018,臺北市立聯合醫院\n";

/// The people file in Big5, as the registry exports it. The bytes of each name, and the
/// characters they stand for in the WHATWG Big5 index (cross-checked with Python's `cp950`
/// and `big5hkscs` codecs):
/// - 許 B3 5C, 功 A5 5C, 蓋 BB 5C: the second byte is `\`; on line 2 蓋 comes right before a
///   comma, on line 5 right before a closing quote (a reader taking 0x5C for an escape would
///   swallow the separator or the quote);
/// - 碁 F9 D6 (U+7881): Microsoft's CP950 addition (the ETEN row F9D6–F9FE);
/// - 𪎩 89 40 (U+2A3A9) and 𠃌 C8 7A (U+200CC): HKSCS, outside the Basic Multilingual Plane;
/// - 民 A5 C1, 國 B0 EA, 年 A6 7E, 月 A4 EB, 日 A4 E9, 女 A4 6B, 男 A8 6B, 陳 B3 AF, 林 AA 4C, 王 A4 FD.
fn people_big5() -> Vec<u8> {
    let mut file = Vec::new();
    file.extend_from_slice(b"id_number,name,birth_date,sex\r\n");
    file.extend_from_slice(b"A200123458,\xb3\x5c\xa5\x5c\xbb\x5c,112/05/31,F\r\n");
    file.extend_from_slice(
        b"F200234568,\"\xbb\x5c\xaa\x4c\xf9\xd6\",\xa5\xc1\xb0\xea79\xa6\x7e4\xa4\xeb5\xa4\xe9,\xa4\x6b\r\n",
    );
    file.extend_from_slice(b"E100345670,\xb3\xaf\x89\x40,0990101,\xa8\x6b\r\n");
    file.extend_from_slice(b"B200456784,\"\xc8\x7a\xb3\xaf\xbb\x5c\",1985-12-01,M\r\n");
    file.extend_from_slice(b"A200123459,\xa4\xfd,1985-12-01,F\r\n");
    file.extend_from_slice(b"A123456789,\xa4\xfd,110/02/29,M\r\n");
    file.extend_from_slice(b"A200123458,\xb3\x5c\xa5\x5c\xbb\x5c,112/05/31,F\r\n");
    file
}

const CERTIFICATES: &str = "身分證號,類別,證書字號,發證日期\n\
A200123458,F,衛部護字第123456號,112/06/30\n\
F200234568,助產師,衛部助字第000111號,1120701\n\
B200456784,G,衛部護字第999999號,2024-02-29\n\
A123456789,F,衛部護字第000001號,2020-01-01\n";

const LICENCES: &str = "id_number,profession,certificate_number,number,authority,institution_code,registered_on,renewal_due,status\n\
A200123458,F,衛部護字第123456號,北市護執字第00001號,臺北市政府衛生局,0401180014,112/07/01,118/07/01,practising\n\
F200234568,I,衛部助字第000111號,北市助執字第00002號,臺北市政府衛生局,,112/08/01,118/08/01,歇業\n\
B200456784,G,衛部護字第999999號,北市護執字第00003號,臺北市政府衛生局,9999999999,113/03/01,119/03/01,practising\n";

const EVENTS: &str = "authority,licence_number,kind,happened_on,note\n\
臺北市政府衛生局,北市護執字第00001號,registered,112/07/01,\n\
臺北市政府衛生局,北市助執字第00002號,登記,112/08/01,\n\
臺北市政府衛生局,北市助執字第00002號,歇業,113/01/15,育嬰\n\
臺北市政府衛生局,北市護執字第00003號,registered,113/03/01,\n";

const CREDITS: &str = "id_number,course_code,title,organiser,reviewer,activity,role,category,infection_control,gender,taken_on,points\n\
A200123458,112A00001,感染管制概論,臺大醫院,台灣護理學會,1,attendee,pro,1,0,112/09/01,1.5\n\
A200123458,112A00001,感染管制概論,臺大醫院,台灣護理學會,1,attendee,quality,1,0,112/09/01,0.5\n\
A200123458,112B00002,性別議題,護理師公會,護理師護士公會全聯會,5,參加,專業倫理,0,1,2023-10-02,2.25\n\
A200123458,112B00003,長課程,護理師公會,護理師護士公會全聯會,1,attendee,law,0,0,2023-10-03,1.234\n\
A200123458,112A00001,感染管制概論,臺大醫院,台灣護理學會,1,attendee,pro,1,0,112/09/01,1.5\n\
A123456789,112A00009,課程,單位,學會,1,attendee,pro,0,0,2023-01-01,1\n\
F200234568,112C00004,母乳哺育,助產師公會,台灣助產學會,2,lecturer,pro,否,是,民國112年11月30日,12\n";

const LEARNING: &str = "id_number,course,minutes,completed_on\n\
A200123458,病人安全,90,112/12/01\n\
A200123458,病人安全,90,2023-12-01\n\
E100345670,感染管制,0,2023-12-01\n";

/// Loads every kind of file into `site` and returns what each import printed.
fn load_all(site: &Site) -> Vec<String> {
    let files = [
        ("institutions", site.file("institutions.csv", INSTITUTIONS.as_bytes())),
        ("people", site.file("people.csv", &people_big5())),
        ("certificates", site.file("certificates.csv", CERTIFICATES.as_bytes())),
        ("licences", site.file("licences.csv", LICENCES.as_bytes())),
        ("licence-events", site.file("events.csv", EVENTS.as_bytes())),
        ("credits", site.file("credits.csv", CREDITS.as_bytes())),
        ("learning", site.file("learning.csv", LEARNING.as_bytes())),
    ];
    files.iter().map(|(kind, file)| site.ok(&["import", kind, path(file)])).collect()
}

fn sorted(mut lines: Vec<String>) -> Vec<String> {
    lines.sort();
    lines
}

#[test]
fn every_kind_of_file_loads_row_by_row_with_each_refused_row_reported() {
    let site = Site::new();
    let printed = load_all(&site);

    // Institutions: a UTF-8 file with a byte-order mark and Chinese column names.
    assert!(printed[0].contains("imported (UTF-8 with BOM): 2 rows read, 2 loaded"), "{}", printed[0]);
    assert_eq!(
        sorted(site.lines("SELECT nhi_code || '|' || name FROM institution")),
        ["0401180014|國立臺灣大學醫學院附設醫院", "1101020018|臺北市立聯合醫院"]
    );

    // People, from Big5. ROC 112/05/31 = 1911+112 = 2023-05-31; 民國79年4月5日 = 1990-04-05;
    // 0990101 = ROC 99 = 2010-01-01. 110/02/29 would be 2021-02-29, and 2021 is no leap year.
    let people = &printed[1];
    assert!(people.contains("imported (Big5): 7 rows read, 4 loaded"), "{people}");
    assert!(people.contains("line 6: 身分證號檢查碼不符 / the ID number's check digit is wrong"), "{people}");
    assert!(
        people.contains("line 7: 「出生日期」無此日期：110/02/29 / birth_date: no such date 110/02/29"),
        "{people}"
    );
    assert!(people.contains("line 8: 與第 2 行重複 / repeats line 2"), "{people}");
    assert!(!people.contains("A200123459"), "the report never repeats an ID number");
    assert_eq!(
        sorted(site.lines(
            "SELECT id_number || '|' || name || '|' || CAST(birth_date AS TEXT) || '|' || sex FROM person"
        )),
        [
            "A200123458|許功蓋|2023-05-31|F",
            "B200456784|\u{200CC}陳蓋|1985-12-01|M",
            "E100345670|陳\u{2A3A9}|2010-01-01|M",
            "F200234568|蓋林\u{7881}|1990-04-05|F",
        ]
    );

    // Certificates: 助產師 is code I; 1120701 = 2023-07-01; 2024-02-29 exists (2024 is a leap year).
    assert!(
        printed[2].contains("line 5: 人員資料中無此身分證號 / no person has this ID number"),
        "{}",
        printed[2]
    );
    assert_eq!(
        sorted(site.lines(
            "SELECT p.id_number || '|' || c.profession || '|' || c.number || '|' || CAST(c.issued_on AS TEXT) \
             FROM certificate c JOIN person p ON p.person_id = c.person_id"
        )),
        [
            "A200123458|F|衛部護字第123456號|2023-06-30",
            "B200456784|G|衛部護字第999999號|2024-02-29",
            "F200234568|I|衛部助字第000111號|2023-07-01",
        ]
    );

    // Licences: ROC 118/07/01 = 2029-07-01; an empty institution is none; 9999999999 is unknown.
    assert!(
        printed[3].contains("line 4: 查無醫事機構代碼 9999999999 / unknown institution 9999999999"),
        "{}",
        printed[3]
    );
    assert_eq!(
        sorted(site.lines(
            "SELECT p.id_number || '|' || l.profession || '|' || l.number || '|' || COALESCE(l.institution_code, '-') \
             || '|' || CAST(l.registered_on AS TEXT) || '|' || CAST(l.renewal_due AS TEXT) || '|' || l.status \
             FROM licence l JOIN person p ON p.person_id = l.person_id"
        )),
        [
            "A200123458|F|北市護執字第00001號|0401180014|2023-07-01|2029-07-01|practising",
            "F200234568|I|北市助執字第00002號|-|2023-08-01|2029-08-01|closed",
        ]
    );

    // Licence events: 登記 is registered, 歇業 closed; ROC 113/01/15 = 2024-01-15.
    assert!(printed[4].contains("line 5: 查無此執業執照"), "{}", printed[4]);
    assert_eq!(
        sorted(site.lines(
            "SELECT l.number || '|' || e.kind || '|' || CAST(e.happened_on AS TEXT) || '|' || COALESCE(e.note, '-') \
             FROM licence_event e JOIN licence l ON l.licence_id = e.licence_id"
        )),
        [
            "北市助執字第00002號|closed|2024-01-15|育嬰",
            "北市助執字第00002號|registered|2023-08-01|-",
            "北市護執字第00001號|registered|2023-07-01|-",
        ]
    );

    // Credits: points in hundredths (1.5 → 150, 0.5 → 50, 2.25 → 225, 12 → 1200); the same
    // course in two categories is two rows; 參加 is attendee, 專業倫理 ethics; 否/是 are 0/1;
    // 民國112年11月30日 = 2023-11-30. 1.234 has three decimals; line 6 repeats line 2;
    // A123456789 was refused with the people.
    let credits = &printed[5];
    assert!(credits.contains("imported (UTF-8): 7 rows read, 4 loaded"), "{credits}");
    assert!(credits.contains("line 5: 積分須為最多兩位小數的數字：1.234"), "{credits}");
    assert!(credits.contains("line 6: 與第 2 行重複 / repeats line 2"), "{credits}");
    assert!(credits.contains("line 7: 人員資料中無此身分證號"), "{credits}");
    assert_eq!(
        sorted(site.lines(
            "SELECT p.id_number || '|' || c.course_code || '|' || c.category || '|' || c.role || '|' \
             || CAST(c.activity AS TEXT) || '|' || CAST(CASE WHEN c.infection_control THEN 1 ELSE 0 END AS TEXT) \
             || CAST(CASE WHEN c.gender THEN 1 ELSE 0 END AS TEXT) || '|' || CAST(c.taken_on AS TEXT) || '|' \
             || CAST(c.points AS TEXT) FROM credit c JOIN person p ON p.person_id = c.person_id"
        )),
        [
            "A200123458|112A00001|pro|attendee|1|10|2023-09-01|150",
            "A200123458|112A00001|quality|attendee|1|10|2023-09-01|50",
            "A200123458|112B00002|ethics|attendee|5|01|2023-10-02|225",
            "F200234568|112C00004|pro|lecturer|2|01|2023-11-30|1200",
        ]
    );

    // Each load is in the audit log, pointing to its run.
    assert_eq!(
        site.lines("SELECT event || ' ' || outcome || ' ' || request_id FROM audit_log ORDER BY audit_id"),
        [
            "import_institutions finished import_run:1",
            "import_people finished import_run:2",
            "import_certificates finished import_run:3",
            "import_licences finished import_run:4",
            "import_licence_events finished import_run:5",
            "import_credits finished import_run:6",
            "import_learning finished import_run:7",
        ]
    );

    // Learning: 112/12/01 and 2023-12-01 are the same day, so line 3 repeats line 2; zero
    // minutes is not a course.
    let learning = &printed[6];
    assert!(learning.contains("line 3: 與第 2 行重複 / repeats line 2"), "{learning}");
    assert!(learning.contains("line 4: 「學習分鐘數」的值無法辨識：0"), "{learning}");
    assert_eq!(
        site.lines(
            "SELECT p.id_number || '|' || l.course || '|' || CAST(l.minutes AS TEXT) || '|' \
             || CAST(l.completed_on AS TEXT) FROM learning l JOIN person p ON p.person_id = l.person_id"
        ),
        ["A200123458|病人安全|90|2023-12-01"]
    );
}

#[test]
fn loading_the_same_files_twice_changes_nothing() {
    let site = Site::new();
    load_all(&site);
    let before = site.registry_dump();
    let again = load_all(&site);
    assert_eq!(site.registry_dump(), before);
    // Loaded rows per file, from the first test: 2, 4, 3, 2, 3, 4, 1; none is new or changed now.
    for (printed, loaded) in again.iter().zip([2, 4, 3, 2, 3, 4, 1]) {
        assert!(
            printed.contains(&format!("{loaded} loaded (0 new or changed, {loaded} unchanged)")),
            "{printed}"
        );
    }
}

#[test]
fn a_changed_row_is_updated_in_place() {
    let site = Site::new();
    load_all(&site);
    let before: Vec<String> = site.lines("SELECT CAST(credit_id AS TEXT) FROM credit ORDER BY credit_id");
    // The ledger corrects line 2's points from 1.5 to 1.75: the same row, 175 hundredths.
    let corrected = CREDITS.replacen("112/09/01,1.5\n", "112/09/01,1.75\n", 1);
    let file = site.file("credits-corrected.csv", corrected.as_bytes());
    let printed = site.ok(&["import", "credits", path(&file)]);
    assert!(printed.contains("4 loaded (1 new or changed, 3 unchanged)"), "{printed}");
    assert_eq!(site.lines("SELECT CAST(credit_id AS TEXT) FROM credit ORDER BY credit_id"), before);
    assert_eq!(
        site.lines(
            "SELECT CAST(points AS TEXT) FROM credit WHERE course_code = '112A00001' AND category = 'pro'"
        ),
        ["175"]
    );
}

#[test]
fn a_dry_run_reports_and_writes_nothing() {
    let site = Site::new();
    site.ok(&["migrate"]);
    let file = site.file("people.csv", &people_big5());
    let printed = site.ok(&["import", "people", path(&file), "--dry-run"]);
    assert!(
        printed.contains("dry run (Big5): 7 rows read, 4 good, 3 rejected; nothing written"),
        "{printed}"
    );
    assert!(printed.contains("line 7: "), "{printed}");
    assert_eq!(site.lines("SELECT CAST(COUNT(*) AS TEXT) FROM person"), ["0"]);
    assert_eq!(site.lines("SELECT CAST(COUNT(*) AS TEXT) FROM import_run"), ["0"]);
}

#[test]
fn a_birth_date_in_the_future_is_refused_with_its_line() {
    let site = Site::new();
    site.ok(&["migrate"]);
    // ROC year 200 is 1911 + 200 = 2111; 1980-01-01 is in the past. A123456789's check digit is
    // worked out at the top of the file; A200000012 is test_id(1).
    let file = site.file(
        "people.csv",
        "id_number,name,birth_date,sex\nA123456789,王,200/01/01,M\nA200000012,林,1980-01-01,F\n".as_bytes(),
    );
    let printed = site.ok(&["import", "people", path(&file)]);
    assert!(
        printed.contains(
            "line 2: 「出生日期」不可晚於今天：200/01/01 / birth_date: 200/01/01 is a date in the future"
        ),
        "{printed}"
    );
    assert_eq!(site.lines("SELECT id_number FROM person"), ["A200000012"]);
}

#[test]
fn a_column_of_another_kind_is_named_in_plain_words() {
    let site = Site::new();
    site.ok(&["migrate"]);
    let file = site.file("institutions.csv", b"nhi_code,name,extra\n0101090517,\xe8\x87\xba\xe5\xa4\xa7,x\n");
    let output = site.huzhu(&["import", "institutions", path(&file)]);
    assert!(!output.status.success());
    let said = text(&output.stderr);
    assert!(said.contains("\"extra\" is not a column of an institutions file"), "{said}");
}

#[test]
fn a_quote_left_open_names_the_lines_it_swallowed() {
    let site = Site::new();
    site.ok(&["migrate"]);
    // Line 2 opens a quote it never closes: the reader takes the rest of the file, lines 2 to 4,
    // as one row whose name holds line breaks, and lines 3 and 4 never become rows of their own.
    let file = site.file(
        "institutions.csv",
        "nhi_code,name\n0101090517,\"臺大\n0401180014,成大\n1101100011,國泰\n".as_bytes(),
    );
    let printed = site.ok(&["import", "institutions", path(&file)]);
    assert!(printed.contains("1 rows read, 0 loaded"), "{printed}");
    assert!(printed.contains("line 2: "), "{printed}");
    assert!(printed.contains("this row runs on to line 4"), "{printed}");
}

#[test]
fn a_dry_run_creates_and_migrates_nothing() {
    let site = Site::new();
    let file = site.file("people.csv", &people_big5());
    let output = site.huzhu(&["import", "people", path(&file), "--dry-run"]);
    assert!(!output.status.success(), "a dry run needs a database with a current schema");
    let said = text(&output.stderr);
    match &site.postgres {
        // The scratch database is empty: the dry run found the schema missing and left it so.
        Some(_) => {
            assert!(said.contains("holds no huzhu schema"), "{said}");
            assert!(said.contains("create it with `huzhu migrate`"), "{said}");
            assert_eq!(
                site.lines("SELECT CAST(COUNT(*) AS TEXT) FROM pg_tables WHERE schemaname = 'public'"),
                ["0"]
            );
        }
        None => {
            assert!(said.contains("there is no database at"), "{said}");
            assert!(!site.database_path().exists(), "the dry run created no database");
        }
    }
}

#[test]
fn a_file_of_another_kind_is_refused_before_anything_is_written() {
    let site = Site::new();
    site.ok(&["migrate"]);
    let file = site.file("credits.csv", CREDITS.as_bytes());
    let output = site.huzhu(&["import", "people", path(&file)]);
    assert!(!output.status.success());
    assert!(
        text(&output.stderr).contains("\"course_code\" is not a column of a people file"),
        "{}",
        text(&output.stderr)
    );
    assert_eq!(site.lines("SELECT CAST(COUNT(*) AS TEXT) FROM import_run"), ["0"]);
}

/// encoding_rs decodes Big5 by the WHATWG index (Big5 with HKSCS and the CP950 additions);
/// where that index and Microsoft's CP950 part ways, these are the characters a file gets.
/// Values from the WHATWG index-big5, pointer = (lead − 0x81) × 157 + (trail − 0x40, or − 0x62
/// from 0xA1), checked against Python's codecs where they agree.
#[test]
fn big5_extension_rows_decode_as_pinned() {
    let decode = |bytes: &[u8]| encoding_rs::BIG5.decode_without_bom_handling(bytes).0.into_owned();
    // 許功蓋: trail byte 0x5C kept inside the character.
    assert_eq!(decode(b"\xb3\x5c\xa5\x5c\xbb\x5c"), "許功蓋");
    // F9D6..F9DC: the ETEN/CP950 additions 碁銹裏墻恒粧嫺 (U+7881 U+92B9 U+88CF U+58BB U+6052 U+7CA7 U+5AFA).
    assert_eq!(
        decode(b"\xf9\xd6\xf9\xd7\xf9\xd8\xf9\xd9\xf9\xda\xf9\xdb\xf9\xdc"),
        "\u{7881}\u{92b9}\u{88cf}\u{58bb}\u{6052}\u{7ca7}\u{5afa}"
    );
    // F9FE: CP950 gives ▓ U+2593; the WHATWG index (following HKSCS) gives ￭ U+FFED.
    assert_eq!(decode(b"\xf9\xfe"), "\u{ffed}");
    // A145: CP950 and WHATWG ‧ U+2027 (Python's big5hkscs would give • U+2022).
    assert_eq!(decode(b"\xa1\x45"), "\u{2027}");
    // 8862: one HKSCS pointer that stands for two code points, Ê and a combining macron.
    assert_eq!(decode(b"\x88\x62"), "\u{ca}\u{304}");
    // 8940 and C87A: HKSCS characters beyond the BMP.
    assert_eq!(decode(b"\x89\x40\xc8\x7a"), "\u{2a3a9}\u{200cc}");
    // 0x80 is no Big5 lead byte (leads are 0x81–0xFE): the decoder reports an error, and the
    // import refuses the row (`a_big5_pair_in_no_index_refuses_its_row_when_big5_is_named`).
    let (_, _, had_errors) = encoding_rs::BIG5.decode(b"\x80\x40");
    assert!(had_errors);
}

const PEOPLE_HEADER: &str = "id_number,name,birth_date,sex\n";

/// A UTF-8 file with one Latin-1 byte (é as E9) on line 3. E9 followed by `,` is neither UTF-8
/// (E9 opens a three-byte character whose next byte must be 0x80–0xBF) nor Big5 (a trail byte
/// is 0x40–0x7E or 0xA1–0xFE; `,` is 0x2C).
fn utf8_with_one_latin1_byte() -> Vec<u8> {
    let mut file = PEOPLE_HEADER.as_bytes().to_vec();
    file.extend_from_slice("A200123458,陳美玲,1990-01-01,F\n".as_bytes());
    file.extend_from_slice(b"F200234568,Jos\xe9,1990-01-01,F\n");
    file
}

#[test]
fn a_utf8_file_with_a_bad_byte_is_refused_whole_naming_its_line() {
    let site = Site::new();
    site.ok(&["migrate"]);
    let file = site.file("people.csv", &utf8_with_one_latin1_byte());
    let output = site.huzhu(&["import", "people", path(&file)]);
    assert!(!output.status.success());
    // Header line 1, 陳美玲 line 2, Jos\xe9 line 3.
    let error = text(&output.stderr);
    assert!(error.contains("第 3 行有無法以 UTF-8 讀取的位元組"), "{error}");
    assert!(error.contains("line 3 has a byte that is not UTF-8"), "{error}");
    assert_eq!(site.lines("SELECT CAST(COUNT(*) AS TEXT) FROM person"), ["0"]);
    assert_eq!(site.lines("SELECT CAST(COUNT(*) AS TEXT) FROM import_run"), ["0"]);
}

#[test]
fn naming_utf8_loads_the_good_rows_and_refuses_the_undecodable_one() {
    let site = Site::new();
    let file = site.file("people.csv", &utf8_with_one_latin1_byte());
    let printed = site.ok(&["import", "people", path(&file), "--encoding", "utf-8"]);
    assert!(printed.contains("imported (UTF-8): 2 rows read, 1 loaded"), "{printed}");
    assert!(
        printed.contains("line 3: 「姓名」含有無法以檔案編碼解讀的位元組 / name has bytes the file's encoding cannot decode"),
        "{printed}"
    );
    assert_eq!(site.lines("SELECT name FROM person"), ["陳美玲"]);
}

/// 許 B3 5C on line 2, then on line 3 the pair 80 40, which is in no Big5 table (0x80 is no
/// lead byte).
fn big5_with_a_bad_pair() -> Vec<u8> {
    let mut file = PEOPLE_HEADER.as_bytes().to_vec();
    file.extend_from_slice(b"A200123458,\xb3\x5c,1990-01-01,F\n");
    file.extend_from_slice(b"F200234568,\x80\x40,1990-01-01,F\n");
    file
}

#[test]
fn a_big5_file_with_a_pair_in_no_index_is_not_detected_as_big5() {
    let site = Site::new();
    site.ok(&["migrate"]);
    let file = site.file("people.csv", &big5_with_a_bad_pair());
    let output = site.huzhu(&["import", "people", path(&file)]);
    assert!(!output.status.success());
    // B3 on line 2 is a UTF-8 continuation byte with no lead: the first byte that is not UTF-8.
    let error = text(&output.stderr);
    assert!(
        error.contains("line 2 has a byte that is not UTF-8, and the file is not Big5 either"),
        "{error}"
    );
    assert_eq!(site.lines("SELECT CAST(COUNT(*) AS TEXT) FROM person"), ["0"]);
}

#[test]
fn a_big5_pair_in_no_index_refuses_its_row_when_big5_is_named() {
    let site = Site::new();
    let file = site.file("people.csv", &big5_with_a_bad_pair());
    let printed = site.ok(&["import", "people", path(&file), "--encoding", "big5"]);
    assert!(printed.contains("imported (Big5): 2 rows read, 1 loaded"), "{printed}");
    assert!(printed.contains("line 3: 「姓名」含有無法以檔案編碼解讀的位元組"), "{printed}");
    assert_eq!(site.lines("SELECT name FROM person"), ["許"]);
    assert_eq!(site.lines("SELECT CAST(COUNT(*) AS TEXT) FROM person WHERE name LIKE '%\u{fffd}%'"), ["0"]);
}

#[test]
fn a_named_encoding_overrules_the_byte_order_mark() {
    let site = Site::new();
    site.ok(&["migrate"]);
    // A UTF-8 byte-order mark (EF BB BF) before an ASCII file.
    let mut bytes = b"\xef\xbb\xbf".to_vec();
    bytes.extend_from_slice(PEOPLE_HEADER.as_bytes());
    bytes.extend_from_slice(b"A200123458,Wang,1990-01-01,F\n");
    let file = site.file("people.csv", &bytes);
    // Read as Big5, EF BB and BF 69 (`i`) are two Chinese characters in front of `d_number`:
    // no column of a people file, so the mark did not decide.
    let output = site.huzhu(&["import", "people", path(&file), "--encoding", "big5"]);
    assert!(!output.status.success());
    assert!(text(&output.stderr).contains("d_number"), "{}", text(&output.stderr));
    assert!(text(&output.stderr).contains("is not a column of a people file"), "{}", text(&output.stderr));
    // Named as UTF-8 it loads, reported as the named encoding rather than the mark's.
    let printed = site.ok(&["import", "people", path(&file), "--encoding", "utf-8"]);
    assert!(printed.contains("imported (UTF-8): 1 rows read, 1 loaded"), "{printed}");
}

const CREDITS_HEADER: &str = "id_number,course_code,title,organiser,reviewer,activity,role,category,infection_control,gender,taken_on,points\n";

/// A site with one person, A200123458 (checksum worked out at the top of the file).
fn site_with_one_person() -> Site {
    let site = Site::new();
    let people = format!("{PEOPLE_HEADER}A200123458,王小明,1990-01-01,F\n");
    site.ok(&["import", "people", path(&site.file("people.csv", people.as_bytes()))]);
    site
}

/// One credit row of A200123458 with course code `code` and `points`.
fn credit_row(code: &str, points: &str) -> String {
    format!("A200123458,{code},課程,公會,學會,1,attendee,pro,0,0,112/01/01,{points}\n")
}

#[test]
fn zero_points_are_refused_with_their_line_and_negative_ones_load_as_corrections() {
    let site = site_with_one_person();
    // The 3 points that line 2's correction takes from.
    let credit = format!("{CREDITS_HEADER}{}", credit_row("C1", "3"));
    site.ok(&["import", "credits", path(&site.file("credit.csv", credit.as_bytes()))]);
    let mut credits = String::from(CREDITS_HEADER);
    for (code, points) in [("C1", "-1.5"), ("C2", "0"), ("C3", "0.00"), ("C4", "-0"), ("C5", "0.01")] {
        credits.push_str(&credit_row(code, points));
    }
    let printed = site.ok(&["import", "credits", path(&site.file("credits.csv", credits.as_bytes()))]);
    // Lines 3 to 5 hold 0, 0.00 and -0: all zero. Line 2's -1.5 is a correction of -150
    // hundredths, line 6's 0.01 is 1 hundredth: 2 of the 5 rows load.
    assert!(printed.contains("5 rows read, 2 loaded"), "{printed}");
    for (line, points) in [(3, "0"), (4, "0.00"), (5, "-0")] {
        assert!(
            printed
                .contains(&format!("line {line}: 積分不可為 0：{points} / points must not be 0: {points}")),
            "{printed}"
        );
    }
    assert!(!printed.contains("line 2:"), "{printed}");
    assert_eq!(
        site.lines(
            "SELECT course_code || '|' || CAST(points AS TEXT) FROM credit ORDER BY course_code, points"
        ),
        ["C1|-150", "C1|300", "C5|1"]
    );
}

#[test]
fn a_correction_must_name_a_credit_she_has_and_take_back_no_more_than_it_gave() {
    let site = site_with_one_person();
    // Already loaded: C1 for 3 points and C2 for 2, both on 112/01/01: 300 + 200 = 500.
    let loaded = format!("{CREDITS_HEADER}{}{}", credit_row("C1", "3"), credit_row("C2", "2"));
    site.ok(&["import", "credits", path(&site.file("loaded.csv", loaded.as_bytes()))]);
    let mut file = String::from(CREDITS_HEADER);
    file.push_str(&credit_row("C9", "-1")); // line 2: a course she never took
    file.push_str(&credit_row("C1", "-4")); // line 3: 4 points back from a 3-point credit
    // Line 4: C2 was taken on 112/01/01, not 112/01/02: no credit of that day.
    file.push_str("A200123458,C2,課程,公會,學會,1,attendee,pro,0,0,112/01/02,-1\n");
    file.push_str(&credit_row("C3", "2")); // line 5: a new credit
    file.push_str(&credit_row("C3", "-2")); // line 6: all of line 5 back, which is allowed
    file.push_str(&credit_row("C1", "-1.5")); // line 7: half of the loaded C1
    file.push_str(&credit_row("C4", "-1")); // line 8: its credit only comes on line 9
    file.push_str(&credit_row("C4", "1")); // line 9
    let printed = site.ok(&["import", "credits", path(&site.file("file.csv", file.as_bytes()))]);
    // 8 rows; lines 2, 3, 4 and 8 refused; 5, 6, 7 and 9 loaded.
    assert!(printed.contains("8 rows read, 4 loaded"), "{printed}");
    assert!(printed.contains("4 rejected"), "{printed}");
    let none = "更正列找不到所更正的積分";
    for line in [2, 4, 8] {
        assert!(printed.contains(&format!("line {line}: {none}")), "{printed}");
    }
    assert!(
        printed.contains("line 3: 更正 -4.00 點超過所更正積分的 3.00 點 / the correction of -4.00 points"),
        "{printed}"
    );
    for line in [5, 6, 7, 9] {
        assert!(!printed.contains(&format!("line {line}:")), "{printed}");
    }
    // 500 loaded before, then + 200 - 200 (C3) - 150 (C1) + 100 (C4) = 450 hundredths.
    assert_eq!(site.lines("SELECT CAST(SUM(points) AS TEXT) FROM credit"), ["450"]);
    assert_eq!(
        site.lines(
            "SELECT CAST(COUNT(*) AS TEXT) FROM credit WHERE course_code IN ('C9', 'C2') AND points < 0"
        ),
        ["0"]
    );
}

#[test]
fn a_correction_is_a_row_beside_the_credit_it_corrects_and_loads_once() {
    let site = site_with_one_person();
    // The credit system first exports the course with 3 points; a later export adds a
    // correction of -1.5 for the same course, day and part (she left half way).
    let credit = format!("{CREDITS_HEADER}{}", credit_row("C1", "3"));
    site.ok(&["import", "credits", path(&site.file("credits.csv", credit.as_bytes()))]);
    let both = format!("{CREDITS_HEADER}{}{}", credit_row("C1", "3"), credit_row("C1", "-1.5"));
    let file = site.file("both.csv", both.as_bytes());
    let printed = site.ok(&["import", "credits", path(&file)]);
    // The credit is unchanged, the correction is new: 2 loaded, 1 new.
    assert!(
        printed.contains("2 rows read, 2 loaded (1 new or changed, 1 unchanged), 0 rejected"),
        "{printed}"
    );
    // 300 - 150 = 150 hundredths: the correction did not overwrite the credit.
    let rows = "SELECT CAST(points AS TEXT) FROM credit WHERE course_code = 'C1' ORDER BY points";
    assert_eq!(site.lines(rows), ["-150", "300"]);
    assert_eq!(site.lines("SELECT CAST(SUM(points) AS TEXT) FROM credit"), ["150"]);
    // A corrected correction (-1 instead of -1.5) updates the correction in place.
    let fixed = format!("{CREDITS_HEADER}{}{}", credit_row("C1", "3"), credit_row("C1", "-1"));
    let printed = site.ok(&["import", "credits", path(&site.file("fixed.csv", fixed.as_bytes()))]);
    assert!(printed.contains("2 loaded (1 new or changed, 1 unchanged)"), "{printed}");
    assert_eq!(site.lines(rows), ["-100", "300"]);
    // Two corrections of one course, day and part in one file: the second is a repeat.
    let twice = format!("{CREDITS_HEADER}{}{}", credit_row("C1", "-1"), credit_row("C1", "-2"));
    let printed = site.ok(&["import", "credits", path(&site.file("twice.csv", twice.as_bytes()))]);
    assert!(
        printed.contains("2 rows read, 1 loaded (0 new or changed, 1 unchanged), 1 rejected"),
        "{printed}"
    );
    assert!(printed.contains("line 3: 與第 2 行重複 / repeats line 2"), "{printed}");
    assert_eq!(site.lines(rows), ["-100", "300"]);
}

#[test]
fn a_field_with_a_control_character_refuses_its_row_on_either_engine() {
    let site = site_with_one_person();
    let mut credits = String::from(CREDITS_HEADER);
    credits.push_str("A200123458,C1,課程\u{0}名稱,公會,學會,1,attendee,pro,0,0,112/01/01,1\n");
    credits.push_str("A200123458,C2,課程,公\u{1b}[31m會,學會,1,attendee,pro,0,0,112/01/01,1\n");
    // A line break inside a quoted field: the record spans lines 4 and 5 and is reported at 4.
    credits.push_str("A200123458,C3,課程,公會,\"學\n會\",1,attendee,pro,0,0,112/01/01,1\n");
    credits.push_str("A200123458,C4,課程\u{7f},公會,學會,1,attendee,pro,0,0,112/01/01,1\n");
    // A tab is allowed; trimmed at the ends, kept inside.
    credits.push_str("A200123458,C5,課程\t名稱,公會,學會,1,attendee,pro,0,0,112/01/01,1\n");
    let printed = site.ok(&["import", "credits", path(&site.file("credits.csv", credits.as_bytes()))]);
    assert!(printed.contains("5 rows read, 1 loaded"), "{printed}");
    assert!(
        printed.contains(
            "line 2: 「課程名稱」含有控制字元（如 NUL、換行或跳脫字元）/ title holds a control character"
        ),
        "{printed}"
    );
    assert!(printed.contains("line 3: 「主辦單位」含有控制字元"), "{printed}");
    assert!(printed.contains("line 4: 「審查單位」含有控制字元"), "{printed}");
    // The next record starts on line 6.
    assert!(printed.contains("line 6: 「課程名稱」含有控制字元"), "{printed}");
    assert_eq!(site.lines("SELECT course_code || '|' || title FROM credit"), ["C5|課程\t名稱"]);
}

#[test]
fn the_report_escapes_cuts_and_hides_what_it_repeats() {
    let site = site_with_one_person();
    let long = "x".repeat(100);
    let mut learning = String::from("id_number,course,minutes,completed_on\n");
    // Line 2: an ID number in the minutes column (A123456789, checksum at the top of the file).
    learning.push_str("A200123458,病人安全,A123456789,2023-12-01\n");
    // Line 3: a date of 100 characters.
    learning.push_str(&format!("A200123458,病人安全,90,{long}\n"));
    let printed = site.ok(&["import", "learning", path(&site.file("learning.csv", learning.as_bytes()))]);
    assert!(!printed.contains("A123456789"), "{printed}");
    assert!(
        printed.contains(
            "line 2: 「學習分鐘數」的值無法辨識：（疑似身分證號，不顯示）(looks like an ID number, not shown)"
        ),
        "{printed}"
    );
    // 40 of the 100 x's, then the mark.
    let cut = format!("{}…", "x".repeat(40));
    assert!(
        printed.contains(&format!(
            "line 3: 「完成日期」日期格式無法辨識：{cut} / completed_on: not a date {cut}"
        )),
        "{printed}"
    );
    assert!(!printed.contains(&"x".repeat(41)), "{printed}");

    // A header with an escape sequence in a column name, and one with a name of 10,000 characters.
    let escaped = site.file("escape.csv", b"id_number,course,minutes,completed_on,\x1b[2Jx\n");
    let output = site.huzhu(&["import", "learning", path(&escaped)]);
    let error = text(&output.stderr);
    assert!(error.contains("\"\\u{1b}[2Jx\" is not a column of a learning file"), "{error}");
    assert!(!error.contains('\u{1b}'), "{error}");
    let huge = format!("id_number,course,minutes,completed_on,{}\n", "y".repeat(10_000));
    let output = site.huzhu(&["import", "learning", path(&site.file("huge.csv", huge.as_bytes()))]);
    let error = text(&output.stderr);
    assert!(
        error.contains(&format!("\"{}…\" is not a column of a learning file", "y".repeat(40))),
        "{error}"
    );
    assert!(!error.contains(&"y".repeat(41)), "{error}");
}

#[test]
fn an_over_long_field_refuses_its_row() {
    let site = Site::new();
    // Names of 100 and 101 characters: the limit for a name is 100.
    let people = format!(
        "{PEOPLE_HEADER}A200123458,{},1990-01-01,F\nF200234568,{},1990-01-01,F\n",
        "王".repeat(100),
        "王".repeat(101)
    );
    let printed = site.ok(&["import", "people", path(&site.file("people.csv", people.as_bytes()))]);
    assert!(printed.contains("2 rows read, 1 loaded"), "{printed}");
    assert!(
        printed.contains("line 3: 「姓名」超過 100 字 / name is longer than 100 characters"),
        "{printed}"
    );
    assert_eq!(site.lines("SELECT CAST(LENGTH(name) AS TEXT) FROM person"), ["100"]);

    // Titles of 200 and 201 characters: the limit for a title is 200.
    let mut credits = String::from(CREDITS_HEADER);
    for (code, title) in [("C1", "課".repeat(200)), ("C2", "課".repeat(201))] {
        credits.push_str(&format!("A200123458,{code},{title},公會,學會,1,attendee,pro,0,0,112/01/01,1\n"));
    }
    let printed = site.ok(&["import", "credits", path(&site.file("credits.csv", credits.as_bytes()))]);
    assert!(printed.contains("2 rows read, 1 loaded"), "{printed}");
    assert!(
        printed.contains("line 3: 「課程名稱」超過 200 字 / title is longer than 200 characters"),
        "{printed}"
    );
    assert_eq!(site.lines("SELECT course_code FROM credit"), ["C1"]);
}

#[test]
fn the_batch_size_must_be_from_1_to_100000() {
    let site = Site::new();
    site.ok(&["migrate"]);
    let file = site.file("people.csv", format!("{PEOPLE_HEADER}A200123458,王小明,1990-01-01,F\n").as_bytes());
    for size in ["0", "100001", "-5", "many"] {
        // `--batch-size=-5` in one word, or clap would take -5 for an option.
        let output = site.huzhu(&["import", "people", path(&file), &format!("--batch-size={size}")]);
        assert!(!output.status.success(), "{size}");
        let error = text(&output.stderr);
        assert!(
            error.contains(&format!("the batch size must be a whole number from 1 to 100000: {size}")),
            "{size}: {error}"
        );
    }
    assert_eq!(site.lines("SELECT CAST(COUNT(*) AS TEXT) FROM import_run"), ["0"]);
    // Both ends of the range are taken.
    for size in ["1", "100000"] {
        let printed = site.ok(&["import", "people", path(&file), "--batch-size", size]);
        assert!(printed.contains("1 rows read, 1 loaded"), "{size}: {printed}");
    }
}

/// A valid ID number for test person `n`: `A2` and seven digits, check digit by DOMAIN §3
/// (written out here rather than taken from the program).
fn test_id(n: u32) -> String {
    let digits = format!("2{n:07}");
    let weighted: u32 = digits.bytes().zip((1..=8).rev()).map(|(d, w)| u32::from(d - b'0') * w).sum();
    let total = 1 + weighted; // A = 10: 1·1 + 0·9.
    format!("A{digits}{}", (10 - total % 10) % 10)
}

#[test]
fn the_test_ids_follow_the_checksum() {
    // Person 1: digits 2,0,0,0,0,0,0,1 weighed 8..1 = 16 + 1 = 17; with A's 1, 18; check
    // digit 2 (18 + 2 = 20). Person 12345 is A200123458, worked out at the top of the file.
    assert_eq!(test_id(1), "A200000012");
    assert_eq!(test_id(12345), "A200123458");
}

#[test]
fn a_load_killed_part_way_leaves_whole_batches_and_a_rerun_completes_it() {
    let site = Site::new();
    const PEOPLE: u32 = 100;
    const ROWS: u32 = 60_000;
    let mut people = String::from("id_number,name,birth_date,sex\n");
    for n in 0..PEOPLE {
        people.push_str(&format!("{},測試{n},1990-01-01,F\n", test_id(n)));
    }
    site.ok(&["import", "people", path(&site.file("people.csv", people.as_bytes()))]);
    let mut credits = String::from(
        "id_number,course_code,title,organiser,reviewer,activity,role,category,infection_control,gender,taken_on,points\n",
    );
    for row in 0..ROWS {
        let points = ["1", "1.5", "2.25", "3"][(row % 4) as usize];
        credits.push_str(&format!(
            "{},112A{row:05},課程{row},公會,學會,1,attendee,pro,0,0,112/01/01,{points}\n",
            test_id(row % PEOPLE)
        ));
    }
    let file = site.file("credits.csv", credits.as_bytes());

    let mut child = site
        .command(&["import", "credits", path(&file), "--batch-size", "500"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("huzhu starts");
    // The pipe stays open until the process is dead, so it is killed and not stopped by a
    // failed write to its error output.
    let mut lines = BufReader::new(child.stderr.take().expect("a pipe")).lines();
    let first = lines.by_ref().map_while(Result::ok).find(|line| line.starts_with("import: "));
    assert!(first.is_some(), "a progress line after the first batch");
    child.kill().expect("the import is killed");
    child.wait().expect("the import ends");
    drop(lines);

    let count: i64 = site.lines("SELECT CAST(COUNT(*) AS TEXT) FROM credit")[0].parse().expect("a count");
    assert!(count > 0 && count < i64::from(ROWS), "killed part way: {count} of {ROWS} rows");
    assert_eq!(count % 500, 0, "only whole batches of 500 are left: {count}");
    assert_eq!(site.lines("SELECT CAST(COUNT(*) AS TEXT) FROM import_run WHERE finished_at IS NULL"), ["1"]);
    // The killed run's row says how far it got: every line of the file is a good new row, so
    // each committed batch stands for 500 lines read and 500 rows written, as many as are in
    // the table.
    assert_eq!(
        site.lines(
            "SELECT CAST(rows_read AS TEXT) || '|' || CAST(rows_written AS TEXT) FROM import_run \
             WHERE finished_at IS NULL"
        ),
        [format!("{count}|{count}")]
    );

    let printed = site.ok(&["import", "credits", path(&file), "--batch-size", "500"]);
    let new = i64::from(ROWS) - count;
    assert!(
        printed.contains(&format!("{ROWS} loaded ({new} new or changed, {count} unchanged)")),
        "{printed}"
    );
    assert_eq!(site.lines("SELECT CAST(COUNT(*) AS TEXT) FROM credit"), [ROWS.to_string()]);
    // Points cycle 1, 1.5, 2.25, 3 = 100 + 150 + 225 + 300 = 775 hundredths per 4 rows;
    // 60,000 rows are 15,000 cycles: 11,625,000 hundredths.
    assert_eq!(site.lines("SELECT CAST(SUM(points) AS TEXT) FROM credit"), ["11625000"]);
    // Every person has 60,000 / 100 = 600 rows.
    assert_eq!(site.lines("SELECT DISTINCT CAST(COUNT(*) AS TEXT) FROM credit GROUP BY person_id"), ["600"]);
}

#[test]
fn the_example_files_of_the_readme_load_without_a_refused_row() {
    let site = Site::new();
    let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/import-examples");
    // In the order the README gives: each kind refers to the ones before it. Rows per file,
    // counted in the files: 2, 2, 2, 2, 3, 4, 2.
    let order = [
        ("institutions", 2),
        ("people", 2),
        ("certificates", 2),
        ("licences", 2),
        ("licence-events", 3),
        ("credits", 4),
        ("learning", 2),
    ];
    for (kind, rows) in order {
        let file = folder.join(format!("{kind}.csv"));
        let printed = site.ok(&["import", kind, path(&file)]);
        assert!(printed.contains(&format!("{rows} rows read, {rows} loaded")), "{kind}: {printed}");
        assert!(printed.contains(", 0 rejected"), "{kind}: {printed}");
    }
    // 1.5 + 0.5 + 2.25 + 12 points = 1625 hundredths.
    assert_eq!(site.lines("SELECT CAST(SUM(points) AS TEXT) FROM credit"), ["1625"]);
}

/// The member's CE figures as every page works them out: her records of 2022 to 2024 read by
/// the store (on SQLite through its in-place reader) and judged by the rule.
fn evaluation_of_the_one_person(site: &Site) -> huzhu_core::rules::Evaluation {
    use huzhu_core::licence::Window;
    use huzhu_core::points::Points;
    let person: i64 = site.lines("SELECT CAST(person_id AS TEXT) FROM person")[0].parse().expect("an id");
    let url = site.postgres.clone().unwrap_or_else(|| format!("sqlite://{}", site.database_path().display()));
    let day = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d).expect("a day");
    let window = Window { first_day: day(2022, 1, 1), last_day: day(2024, 12, 31) };
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
    let credits = runtime.block_on(async {
        let store = huzhu_store::Store::connect(&url).await.expect("the database");
        let credits =
            store.credits_between(person, window.first_day, window.last_day).await.expect("records");
        store.close().await;
        credits
    });
    let rules = huzhu_core::rules::RuleSet::nurses_and_midwives(Points::whole(80), Points::whole(80));
    huzhu_core::rules::evaluate(&rules, window, &credits)
}

/// The credit row of `credit_row` with a last column for the source's invalid mark.
const CREDITS_WITH_INVALID: &str = "id_number,course_code,title,organiser,reviewer,activity,role,category,infection_control,gender,taken_on,points,invalid_reason\n";

fn marked_row(code: &str, points: &str, invalid: &str) -> String {
    format!("A200123458,{code},課程,公會,學會,1,attendee,pro,0,0,112/01/01,{points},{invalid}\n")
}

#[test]
fn a_correction_of_a_credit_marked_invalid_is_refused_and_takes_nothing_off_whatever_the_order() {
    let site = site_with_one_person();
    // C2 (5 points) always counts; C1 (3 points) is loaded valid, then corrected by -3.
    let first = format!("{CREDITS_HEADER}{}{}", credit_row("C1", "3"), credit_row("C2", "5"));
    site.ok(&["import", "credits", path(&site.file("first.csv", first.as_bytes()))]);
    let correction = format!("{CREDITS_HEADER}{}", credit_row("C1", "-3"));
    site.ok(&["import", "credits", path(&site.file("correction.csv", correction.as_bytes()))]);
    // A later export marks C1 invalid: it counts 0, so its correction has nothing to take.
    let invalid = format!("{CREDITS_WITH_INVALID}{}", marked_row("C1", "3", "重複登錄"));
    site.ok(&["import", "credits", path(&site.file("invalid.csv", invalid.as_bytes()))]);

    let evaluation = evaluation_of_the_one_person(&site);
    // C2 5 + C1 0 (invalid) + its correction 0 = 5.00 (not 5 - 3 = 2.00).
    assert_eq!(evaluation.total.to_string(), "5.00");
    let corrections: Vec<_> = evaluation.outcomes.iter().filter(|o| o.points.hundredths() < 0).collect();
    assert_eq!(corrections.len(), 1);
    assert!(corrections[0].counted.is_zero());
    assert_eq!(corrections[0].not_counted.len(), 1);
    assert_eq!(corrections[0].not_counted[0].1, huzhu_core::rules::Reason::CorrectsInvalidCredit);

    // A new correction of the invalid credit is refused at the import; C3 beside it loads.
    let again = format!("{CREDITS_WITH_INVALID}{}{}", marked_row("C1", "-1", ""), marked_row("C3", "2", ""));
    let printed = site.ok(&["import", "credits", path(&site.file("again.csv", again.as_bytes()))]);
    assert!(printed.contains("2 rows read, 1 loaded"), "{printed}");
    assert!(printed.contains("line 2: 所更正的積分已標示無效"), "{printed}");
    // The stored correction is still the -3.00 one: -300 hundredths.
    assert_eq!(site.lines("SELECT CAST(points AS TEXT) FROM credit WHERE points < 0"), ["-300"]);
}

#[test]
fn a_credit_reloaded_with_fewer_points_than_its_correction_counts_zero_not_less() {
    let site = site_with_one_person();
    let first = format!("{CREDITS_HEADER}{}{}", credit_row("C1", "4"), credit_row("C2", "5"));
    site.ok(&["import", "credits", path(&site.file("first.csv", first.as_bytes()))]);
    let correction = format!("{CREDITS_HEADER}{}", credit_row("C1", "-2"));
    site.ok(&["import", "credits", path(&site.file("correction.csv", correction.as_bytes()))]);
    // The credit system re-exports C1 with 1 point: the -2 correction is now larger than it.
    let reloaded = format!("{CREDITS_HEADER}{}", credit_row("C1", "1"));
    site.ok(&["import", "credits", path(&site.file("reloaded.csv", reloaded.as_bytes()))]);

    let evaluation = evaluation_of_the_one_person(&site);
    // C1: 1 - min(2, 1) = 0.00 (not 1 - 2 = -1.00); with C2: 0 + 5 = 5.00.
    assert_eq!(evaluation.total.to_string(), "5.00");
    let correction = evaluation.outcomes.iter().find(|o| o.points.hundredths() < 0).expect("the correction");
    // It takes back 1.00 of its 2.00; the other -1.00 is not counted.
    assert_eq!(correction.counted.hundredths(), -100);
    assert_eq!(
        correction.not_counted,
        vec![(
            huzhu_core::points::Points::from_hundredths(-100),
            huzhu_core::rules::Reason::OverCorrectedCredit
        )]
    );
}
