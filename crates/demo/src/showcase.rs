//! Hand-made members whose figures are known exactly, for tests and for demonstrating the
//! portal. Every date is fixed (none after 2025-12-31), so the figures below hold for any
//! `today` from 2026-01-01 until the earliest renewal due date among them, 2027-03-02.
//!
//! Their ID numbers have "00" as digits 3–4, which generated members never have
//! (see `ids::SERIAL_OFFSET`); their certificate and licence serials are shorter than the
//! generated ones, so those cannot collide either.
//!
//! Windows follow `Window::ending_before(renewal_due)`: from six years before the due date to
//! the day before it, both included.

use chrono::NaiveDate;
use huzhu_core::id::IdNumber;
use huzhu_core::points::Points;
use huzhu_core::profession::{PracticeStatus, Profession};
use huzhu_core::rules::Activity;
use huzhu_core::rules::Category::{self, Ethics, Law, Professional as Pro, Quality};

use crate::catalogue::{CDC, JCT, MIDWIFERY_SOCIETY, MIDWIFERY_UNION, NURSING_SOCIETY, NURSING_UNION};
use crate::credits::code_letter;
use crate::model::EventKind::{Closed, MovedWorkplace, Registered, Renewed, Resumed, Suspended};
use crate::model::Role::{Attendee, Author, Lecturer, SpecialLecture};
use crate::model::{Certificate, Credit, EventKind, Learning, Licence, LicenceEvent, Person, Role, Sex};

/// A handful of hand-made members whose figures are known exactly; they come before the
/// generated ones. Anything dated after `today` is left out, which changes nothing for a
/// `today` in 2026 or later.
pub fn showcase(today: NaiveDate) -> Vec<Person> {
    let mut people = vec![
        manual_nurse(),
        meets_the_rule(),
        short_of_points(),
        midwife(),
        new_resident_number(),
        old_resident_number(),
    ];
    for person in &mut people {
        drop_after(person, today);
    }
    people
}

/// The nurse of the manual's home page: 歇業, "71.50 / 120.00", "3 堂，共計 8 小時 0 分鐘".
///
/// A200123458: A = 10 → 1×1 + 0×9 = 1; second digit 2×8 = 16; digits 0012345 weighted
/// 7,6,5,4,3,2,1 → 0+0+5+8+9+8+5 = 35; 1 + 16 + 35 = 52, so the check digit is 8.
///
/// Certificate 2015-05-30, so the first due date is 2021-05-31 and, after the 2021 renewal,
/// 2027-05-31: window 2021-05-31 … 2027-05-30.
///
/// Valid rows inside the window:
/// - professional: 3 + 6 + 1 + 1 + 1.80 + 2 + 10 + 2.25 + 1.50 + 6 + 2.40 + 4 + 1.75 + 1 + 4
///   + 8 + 1 = 56.70
/// - quality 3 (infection control) + 2 = 5; ethics 2 + 2.40 = 4.40; law 3.60 + 1.80 (gender)
///   = 5.40; together 14.80: at least 12, under the 24 cap
/// - total 56.70 + 14.80 = 71.50; no activity cap is near (online 4, correspondence 2,
///   paper 6, team discussion 1.50)
///
/// Not counted: 3.00 marked invalid (2024-10-19), 3.00 before the window (2020-11-14) and 1.00
/// on 2021-05-30, the day before it. All rows together: 71.50 + 3 + 3 + 1 = 78.50.
///
/// E-learning: 120 + 150 + 210 = 480 minutes = 8 h 0 min in 3 courses.
fn manual_nurse() -> Person {
    let mut person = member("A200123458", "林怡君", "1990-04-12", Sex::Female, "lin.yijun@example.org");
    let certificate = certificate(Profession::RegisteredNurse, "衛部護字第012345號", "2015-05-30");
    let ntuh = "國立臺灣大學醫學院附設醫院";
    person.licences = vec![
        licence(
            &certificate,
            "北市護執字第0012345號",
            "臺北市政府衛生局",
            "0101090517",
            "2015-08-03",
            "2021-05-31",
            PracticeStatus::Closed,
        )
        .with(Registered, "2015-08-03", None)
        .with(MovedWorkplace, "2019-02-28", Some("轉至國立臺灣大學醫學院附設醫院")),
        licence(
            &certificate,
            "北市護執字第0012346號",
            "臺北市政府衛生局",
            "0401180014",
            "2019-03-01",
            "2027-05-31",
            PracticeStatus::Closed,
        )
        .with(Registered, "2019-03-01", None)
        .with(Renewed, "2021-03-15", None)
        .with(Closed, "2024-06-30", Some("家庭因素")),
    ];
    person.certificates = vec![certificate];

    let department = "國立臺灣大學醫學院附設醫院護理部";
    let association = "臺北市護理師護士公會";
    let mut l = Ledger::new(NURSING_SOCIETY);
    l.add("2020-11-14", (1, Attendee), Pro, 300, "基本救命術與AED操作", department);
    l.add("2021-05-30", (5, Attendee), Pro, 100, "跌倒預防與評估", NURSING_UNION);
    l.add("2021-05-31", (1, Attendee), Pro, 300, "急重症病人照護新知", department);
    l.add("2021-11-20", (1, Attendee), Quality, 300, "感染管制新知與實務", CDC).infection_control = true;
    l.add("2022-03-12", (2, Attendee), Pro, 600, "台灣護理學會年會暨學術研討會", NURSING_SOCIETY);
    l.add("2022-06-20", (5, Attendee), Pro, 100, "糖尿病個案管理與衛教", NURSING_UNION);
    l.add("2022-07-04", (5, Attendee), Pro, 100, "失智症照護實務", NURSING_UNION);
    // 7.20 points approved as 專業 1.80, 法規 3.60 and 法規（性別）1.80.
    l.add("2022-10-15", (1, Attendee), Pro, 180, "婦女健康照護與性別議題", association);
    l.part(Law, 360);
    l.part(Law, 180).gender = true;
    l.add("2022-12-03", (1, Attendee), Ethics, 200, "護理倫理與臨床困境決策", NURSING_SOCIETY);
    l.add("2023-01-10", (6, Attendee), Pro, 200, "護理雜誌通訊繼續教育", NURSING_SOCIETY);
    l.add("2023-04-22", (1, Lecturer), Pro, 1000, "傷口照護與造口護理實務", department);
    l.add("2023-05-27", (1, Attendee), Quality, 200, "病人安全與異常事件通報", department);
    l.add("2023-08-19", (1, Attendee), Pro, 225, "疼痛評估與處置", department);
    l.add("2023-11-05", (4, Attendee), Pro, 150, "跨領域團隊病例討論會", ntuh);
    l.add("2024-02-17", (7, Author), Pro, 600, "提升護理人員疼痛評估完整率", "護理雜誌");
    l.add("2024-03-09", (1, Attendee), Pro, 240, "安寧緩和療護之溝通與倫理", "台灣安寧照顧協會");
    l.part(Ethics, 240);
    l.add("2024-05-11", (3, Attendee), Pro, 400, "安寧緩和醫學學術研討會", "台灣安寧緩和醫學學會");
    l.add("2024-09-07", (1, Attendee), Pro, 175, "高齡者周全性評估", association);
    l.add("2024-10-19", (1, Attendee), Pro, 300, "長期照護個案管理", "台灣長期照護專業協會").invalid_reason =
        Some("簽到紀錄不全".to_string());
    l.add("2025-03-15", (5, Attendee), Pro, 100, "居家護理實務", NURSING_UNION);
    l.add("2025-06-21", (1, Attendee), Pro, 400, "出院準備服務與長期照護銜接", association);
    l.add("2025-09-20", (2, Attendee), Pro, 800, "國際護理研討會", NURSING_SOCIETY);
    l.add("2025-11-08", (5, Attendee), Pro, 100, "兒科護理新知", NURSING_UNION);
    person.credits = l.rows;
    person.learning = vec![
        learning("病人安全通報系統操作", 120, "2022-05-10"),
        learning("護理人員心理健康與壓力調適", 150, "2023-09-02"),
        learning("長照2.0政策與服務介紹", 210, "2024-12-14"),
    ];
    person
}

/// A practising nurse who meets the rule, on the pattern of DOMAIN §1.9.
///
/// F200234568: F = 15 → 1 + 5×9 = 46; 2×8 = 16; 0023456 → 0+0+10+12+12+10+6 = 50;
/// 46 + 16 + 50 = 112, check digit 8.
///
/// Certificate 2015-03-01 → due 2021-03-02 → renewed → 2027-03-02: window 2021-03-02 …
/// 2027-03-01.
///
/// - professional: 3 + 8 + 1 + 6.50 + 2 + 7 + 1.50 + 10 + 5 + 3.50 + 16 + 4 + 1 + 10 + 2.25
///   + 3 + 6 + 2 + 2.75 + 3 + 3 = 100.50
/// - quality 3 (infection control) + 5 = 8; ethics 2 + 1 + 3 = 6; law 2 (gender) + 4 + 3 + 5
///   = 14; together 28, counted 24: the cap takes the last 4.00 in date order (1.00 on
///   2024-11-02 and 3.00 on 2025-04-12)
/// - total 100.50 + 24 = 124.50 ≥ 120: renewable. Activity caps are far off (online 3,
///   correspondence 4, paper 16, university 10 in one semester, team discussion 1.50).
///
/// Not counted: 4.00 on 2020-10-24, before the window. E-learning: 90 + 60 = 150 minutes in
/// 2 courses.
fn meets_the_rule() -> Person {
    let mut person = member("F200234568", "陳雅婷", "1992-06-18", Sex::Female, "chen.yating@example.org");
    let certificate = certificate(Profession::RegisteredNurse, "衛部護字第023456號", "2015-03-01");
    person.licences = vec![
        licence(
            &certificate,
            "北市護執字第0023456號",
            "臺北市政府衛生局",
            "0601160016",
            "2015-04-13",
            "2027-03-02",
            PracticeStatus::Practising,
        )
        .with(Registered, "2015-04-13", None)
        .with(Renewed, "2020-12-10", None),
    ];
    person.certificates = vec![certificate];

    let department = "臺北榮民總醫院護理部";
    let mut l = Ledger::new(NURSING_UNION);
    l.add("2020-10-24", (1, Attendee), Pro, 400, "基本救命術與AED操作", department);
    l.add("2021-03-02", (1, Attendee), Pro, 300, "急重症病人照護新知", department);
    l.add("2021-05-22", (2, Attendee), Pro, 800, "台灣護理學會年會暨學術研討會", NURSING_SOCIETY);
    l.add("2021-08-14", (5, Attendee), Pro, 100, "呼吸照護與呼吸器脫離", NURSING_UNION);
    l.add("2021-09-11", (1, Attendee), Pro, 650, "重症病人之鎮靜與譫妄評估", department);
    l.add("2021-10-16", (1, Attendee), Quality, 300, "手部衛生與感染管制", department).infection_control =
        true;
    l.add("2021-11-27", (6, Attendee), Pro, 200, "榮總護理通訊繼續教育", department);
    l.add("2021-12-11", (1, Attendee), Law, 200, "性別平等工作法與職場性騷擾防治", "臺北市護理師護士公會")
        .gender = true;
    l.add("2022-02-19", (1, Attendee), Pro, 700, "高級心臟救命術（ACLS）", department);
    l.add("2022-04-23", (4, Attendee), Pro, 150, "重症團隊照護討論會", "臺北榮民總醫院");
    l.add("2022-05-14", (1, Attendee), Ethics, 200, "醫病溝通與關懷", department);
    l.add("2022-06-18", (1, Lecturer), Pro, 1000, "臨床護理教學技巧", "臺北市護理師護士公會");
    l.add("2022-09-03", (3, Attendee), Pro, 500, "老年醫學學術研討會", "台灣老年醫學會");
    l.add("2022-10-22", (1, Attendee), Pro, 350, "實證護理之應用", NURSING_SOCIETY);
    l.add("2022-11-12", (1, Attendee), Law, 400, "醫療法與護理業務", department);
    l.add("2023-01-14", (7, Author), Pro, 1600, "提升加護病房護理人員手部衛生遵從率", "榮總護理");
    l.add("2023-03-25", (1, Attendee), Pro, 400, "心臟血管疾病護理", department);
    l.add("2023-06-10", (5, Attendee), Pro, 100, "輸血安全與護理", NURSING_UNION);
    l.add("2023-08-26", (8, Attendee), Pro, 1000, "進階健康評估", "國立陽明交通大學");
    l.add("2023-09-09", (1, Attendee), Quality, 500, "醫療品質指標之監測與改善", JCT);
    l.add("2023-11-18", (1, Attendee), Pro, 225, "疼痛評估與處置", department);
    l.add("2024-01-20", (1, Attendee), Law, 300, "個人資料保護法於醫療之應用", department);
    l.add("2024-03-16", (2, Author), Pro, 300, "國際護理研討會", NURSING_SOCIETY);
    l.add("2024-05-25", (1, Attendee), Pro, 600, "身體評估技巧", department);
    l.add("2024-07-13", (1, Attendee), Law, 500, "醫療事故預防及爭議處理法", "臺北市護理師護士公會");
    l.add("2024-09-28", (6, Attendee), Pro, 200, "護理雜誌通訊繼續教育", NURSING_SOCIETY);
    l.add("2024-11-02", (5, Attendee), Ethics, 100, "研究倫理與受試者保護", NURSING_UNION);
    l.add("2025-02-22", (1, Attendee), Pro, 275, "給藥安全與技巧", department);
    l.add("2025-04-12", (1, Attendee), Ethics, 300, "安寧療護之倫理議題", department);
    l.add("2025-06-14", (1, Attendee), Pro, 300, "護理資訊系統應用", department);
    l.add("2025-09-20", (1, Attendee), Pro, 300, "腫瘤病人化學治療之護理", department);
    person.credits = l.rows;
    person.learning = vec![
        learning("傳染病通報與防治", 90, "2023-02-11"),
        learning("資訊安全與個人資料保護", 60, "2025-07-05"),
    ];
    person
}

/// A practising (male) nurse short of points although categories 2–4 overflow their cap.
///
/// E100345670: E = 14 → 1 + 4×9 = 37; 1×8 = 8; 0034567 → 0+0+15+16+15+12+7 = 65;
/// 37 + 8 + 65 = 110, check digit 0.
///
/// Certificate 2009-08-15 → due 2015-08-16 → 2021-08-16 → 2027-08-16: window 2021-08-16 …
/// 2027-08-15.
///
/// - professional: 3 + 6 + 1 + 10 + 4.50 + 3 + 5.50 + 2 + 8 + 1 + 3 + 6.75 + 7.50 + 4 + 2 + 6
///   + 5 + 8 + 3.75 = 90.00
/// - quality 3 (infection control) + 4 + 5 = 12; ethics 3 + 2 + 3 = 8; law 2 (gender) + 4 + 4
///   = 10; together 30, counted 24 (3.00 of 2024-09-21 and all of 2025-05-17 over the cap)
/// - total 90 + 24 = 114.00: 6.00 missing, "114.00 / 120.00"
///
/// Not counted besides: 3.00 marked invalid (2024-12-07). No e-learning.
fn short_of_points() -> Person {
    let mut person = member("E100345670", "張家豪", "1986-02-03", Sex::Male, "chang.chiahao@example.org");
    let certificate = certificate(Profession::RegisteredNurse, "衛署護字第034567號", "2009-08-15");
    person.licences = vec![
        licence(
            &certificate,
            "高市護執字第0034567號",
            "高雄市政府衛生局",
            "0602030026",
            "2009-09-01",
            "2027-08-16",
            PracticeStatus::Practising,
        )
        .with(Registered, "2009-09-01", None)
        .with(Renewed, "2015-06-20", None)
        .with(Renewed, "2021-05-18", None),
    ];
    person.certificates = vec![certificate];

    let department = "高雄榮民總醫院護理部";
    let mut l = Ledger::new(NURSING_SOCIETY);
    l.add("2021-08-16", (1, Attendee), Pro, 300, "急重症病人照護新知", department);
    l.add("2021-10-02", (1, Attendee), Pro, 600, "高級心臟救命術（ACLS）", department);
    l.add("2021-11-06", (1, Attendee), Quality, 300, "多重抗藥性微生物之感染管制", department)
        .infection_control = true;
    l.add("2022-01-15", (5, Attendee), Pro, 100, "管路照護實務", NURSING_UNION);
    l.add("2022-02-26", (1, Attendee), Law, 200, "性騷擾防治三法", "高雄市護理師護士公會").gender = true;
    l.add("2022-03-19", (2, Attendee), Pro, 1000, "台灣護理學會年會暨學術研討會", NURSING_SOCIETY);
    l.add("2022-04-09", (1, Attendee), Ethics, 300, "護理倫理與臨床困境決策", department);
    l.add("2022-06-11", (1, Attendee), Pro, 450, "血液透析護理", department);
    l.add("2022-07-09", (1, Attendee), Quality, 400, "根本原因分析（RCA）實務", JCT);
    l.add("2022-09-17", (4, Lecturer), Pro, 300, "跨領域團隊病例討論會", "高雄榮民總醫院");
    l.add("2022-12-10", (1, Attendee), Pro, 550, "手術全期護理", department);
    l.add("2023-02-18", (1, Attendee), Law, 400, "護理人員法與相關法規", "高雄市護理師護士公會");
    l.add("2023-03-04", (6, Attendee), Pro, 200, "護理雜誌通訊繼續教育", NURSING_SOCIETY);
    l.add("2023-05-20", (1, Attendee), Pro, 800, "重症病人之鎮靜與譫妄評估", department);
    l.add("2023-08-05", (5, Attendee), Pro, 100, "身體評估技巧", NURSING_UNION);
    l.add("2023-09-16", (1, Attendee), Quality, 500, "團隊資源管理（TRM）", department);
    l.add("2023-10-21", (3, SpecialLecture), Pro, 300, "家庭醫學學術研討會", "台灣家庭醫學醫學會");
    l.add("2024-01-13", (1, Attendee), Pro, 675, "腦中風病人之護理", department);
    l.add("2024-04-27", (1, Lecturer), Pro, 750, "臨床護理教學技巧", "高雄市護理師護士公會");
    l.add("2024-06-15", (1, Attendee), Ethics, 200, "醫療爭議與倫理思辨", department);
    l.add("2024-08-10", (1, Attendee), Pro, 400, "心臟血管疾病護理", department);
    l.add("2024-09-21", (1, Attendee), Law, 400, "勞動基準法與護理人員權益", "高雄市護理師護士公會");
    l.add("2024-11-23", (6, Attendee), Pro, 200, "護理雜誌通訊繼續教育", NURSING_SOCIETY);
    l.add("2024-12-07", (1, Attendee), Pro, 300, "疼痛評估與處置", department).invalid_reason =
        Some("簽退紀錄不全".to_string());
    l.add("2025-03-08", (1, Attendee), Pro, 600, "呼吸照護與呼吸器脫離", department);
    l.add("2025-05-17", (1, Attendee), Ethics, 300, "生命末期照護之倫理", department);
    l.add("2025-07-19", (1, Attendee), Pro, 500, "實證護理之應用", NURSING_SOCIETY);
    l.add("2025-10-04", (2, Attendee), Pro, 800, "國際護理研討會", NURSING_SOCIETY);
    l.add("2025-11-15", (1, Attendee), Pro, 375, "護理紀錄書寫", department);
    person.credits = l.rows;
    person
}

/// A 助產師 (who first practised as a 護理師) whose name has a character outside the BMP:
/// 𠮷 is U+20BB7, four bytes in UTF-8 and a surrogate pair in UTF-16.
///
/// B200456784: B = 11 → 1 + 1×9 = 10; 2×8 = 16; 0045678 → 0+0+20+20+18+14+8 = 80;
/// 10 + 16 + 80 = 106, check digit 4.
///
/// Midwife certificate 2009-10-12 → due 2015-10-13 → 2021-10-13 → 2027-10-13: window
/// 2021-10-13 … 2027-10-12.
///
/// - professional: 6 + 4 + 1 + 5 + 3.50 + 2 + 6 + 4 + 4.50 + 4 = 40.00
/// - quality 3 (infection control) + 2 = 5; ethics 2; law 2 (gender) + 3 = 5; together 12.00,
///   exactly the minimum
/// - total 52.00, "52.00 / 120.00"
///
/// Not counted: 3.00 on 2019-05-18, before the window. E-learning: 60 minutes in 1 course.
fn midwife() -> Person {
    let mut person =
        member("B200456784", "李\u{20BB7}芳", "1984-11-09", Sex::Female, "li.jifang@example.org");
    let nurse = certificate(Profession::RegisteredNurse, "衛署護字第045678號", "2007-07-20");
    let midwife = certificate(Profession::RegisteredMidwife, "衛署助產字第045678號", "2009-10-12");
    person.licences = vec![
        licence(
            &nurse,
            "中市護執字第0045678號",
            "臺中市政府衛生局",
            "0617060018",
            "2007-09-03",
            "2013-07-21",
            PracticeStatus::Closed,
        )
        .with(Registered, "2007-09-03", None)
        .with(Closed, "2010-01-31", Some("改以助產師執業")),
        licence(
            &midwife,
            "桃市助產執字第0045678號",
            "桃園市政府衛生局",
            "0932020016",
            "2010-02-22",
            "2027-10-13",
            PracticeStatus::Practising,
        )
        .with(Registered, "2010-02-22", None)
        .with(Renewed, "2015-08-10", None)
        .with(Renewed, "2021-07-26", None),
    ];
    person.certificates = vec![nurse, midwife];

    let department = "宏其醫療社團法人宏其婦幼醫院護理部";
    let association = "桃園市助產師助產士公會";
    let mut l = Ledger::new(MIDWIFERY_SOCIETY);
    l.add("2019-05-18", (1, Attendee), Pro, 300, "溫柔生產與生產計畫", department);
    l.add("2021-11-20", (2, Attendee), Pro, 600, "助產學術研討會", MIDWIFERY_SOCIETY);
    l.add("2022-03-05", (1, Attendee), Pro, 400, "母乳哺育與產後照護", department);
    l.add("2022-05-21", (1, Attendee), Quality, 300, "感染管制新知與實務", department).infection_control =
        true;
    l.add("2022-07-16", (5, Attendee), Pro, 100, "胎心音監測判讀", MIDWIFERY_UNION);
    l.add("2022-10-08", (1, Lecturer), Pro, 500, "產程評估與處置", association);
    l.add("2023-04-15", (1, Attendee), Pro, 350, "高危險妊娠照護", department);
    l.add("2023-09-23", (6, Attendee), Pro, 200, "助產雜誌通訊繼續教育", MIDWIFERY_SOCIETY);
    l.add("2023-11-25", (1, Attendee), Law, 300, "助產人員法與相關法規", association);
    l.add("2024-03-02", (1, Attendee), Pro, 600, "新生兒急救（NRP）", department);
    // 8.00 points approved as 專業 4, 倫理 2 and 法規（性別）2.
    l.add("2024-08-17", (1, Attendee), Pro, 400, "周產期照護之倫理與性別議題", MIDWIFERY_SOCIETY);
    l.part(Ethics, 200);
    l.part(Law, 200).gender = true;
    l.add("2025-01-11", (1, Attendee), Pro, 450, "產後出血之預防與處置", department);
    l.add("2025-05-24", (3, Attendee), Pro, 400, "糖尿病衛教學術研討會", "中華民國糖尿病衛教學會");
    l.add("2025-08-09", (1, Attendee), Quality, 200, "病人安全與異常事件通報", department);
    person.credits = l.rows;
    person.learning = vec![learning("助產所業務與法規", 60, "2024-04-20")];
    person
}

/// A nurse with a resident number of the format issued since 2021 (second digit 9: female).
///
/// F900567897: F → 46; 9×8 = 72; 0056789 → 0+0+25+24+21+16+9 = 95; 46 + 72 + 95 = 213,
/// check digit 7.
///
/// Certificate 2018-08-10 → due 2024-08-11 → renewed → 2030-08-11: window 2024-08-11 …
/// 2030-08-10.
///
/// - professional 3 + 1 = 4; quality 2 (infection control); total 6.00, categories 2–4 short
///   of 12 and no gender course yet
///
/// Not counted: 2.00 (2020-03-07) and 2.00 (2023-05-13, gender) of the previous cycle, and
/// 1.00 on 2024-08-10, its last day. E-learning: 30 + 45 + 60 + 90 = 225 minutes = 3 h 45 min
/// in 4 courses.
fn new_resident_number() -> Person {
    let mut person = member("F900567897", "黃慧敏", "1995-03-21", Sex::Female, "huang.huimin@example.org");
    let certificate = certificate(Profession::RegisteredNurse, "衛部護字第056789號", "2018-08-10");
    person.licences = vec![
        licence(
            &certificate,
            "新北護執字第0056789號",
            "新北市政府衛生局",
            "0931010016",
            "2018-10-01",
            "2030-08-11",
            PracticeStatus::Practising,
        )
        .with(Registered, "2018-10-01", None)
        .with(Renewed, "2024-06-05", None),
    ];
    person.certificates = vec![certificate];

    let department = "中英醫療社團法人中英醫院護理部";
    let mut l = Ledger::new(NURSING_UNION);
    l.add("2020-03-07", (1, Attendee), Pro, 200, "護理紀錄書寫", department);
    l.add("2023-05-13", (1, Attendee), Law, 200, "性別平等工作法與職場性騷擾防治", "新北市護理師護士公會")
        .gender = true;
    l.add("2024-08-10", (5, Attendee), Pro, 100, "跌倒預防與評估", NURSING_UNION);
    l.add("2024-08-11", (1, Attendee), Pro, 300, "基本救命術與AED操作", department);
    l.add("2025-02-15", (5, Attendee), Pro, 100, "給藥安全與技巧", NURSING_UNION);
    l.add("2025-06-07", (1, Attendee), Quality, 200, "手部衛生與感染管制", department).infection_control =
        true;
    person.credits = l.rows;
    person.learning = vec![
        learning("護理人員執業登記與繼續教育積分說明", 30, "2023-03-04"),
        learning("高齡友善照護環境", 45, "2024-01-13"),
        learning("失智症照護基礎課程", 60, "2024-10-26"),
        learning("傳染病通報與防治", 90, "2025-08-16"),
    ];
    person
}

/// A 護士 with an old-format resident number (second letter B: female, without household
/// registration or from Hong Kong, Macao or the mainland), with a past 停業 and 復業.
///
/// AB00678901: A = 10 → 1; B = 11, units digit 1 → 1×8 = 8; 0067890 → 0+0+30+28+24+18+0 =
/// 100; 1 + 8 + 100 = 109, check digit 1.
///
/// Certificate 2001-07-15 → due 2007-07-16 → 2013-07-16 → 2019-07-16 → 2025-07-16 →
/// 2031-07-16: window 2025-07-16 … 2031-07-15.
///
/// - professional 3; quality 2.50 (infection control); law 1 (gender, online); total 6.50
///
/// Not counted: 6.00 (2024-09-14), 2.00 (2025-03-22) and 1.00 on 2025-07-15, the last day of
/// the previous window. E-learning: 120 minutes in 1 course.
fn old_resident_number() -> Person {
    let mut person = member("AB00678901", "何嘉欣", "1979-12-02", Sex::Female, "ho.kayan@example.org");
    let certificate = certificate(Profession::Nurse, "衛署護士字第067890號", "2001-07-15");
    person.licences = vec![
        licence(
            &certificate,
            "新北護士執字第0067890號",
            "新北市政府衛生局",
            "0131020016",
            "2001-09-03",
            "2031-07-16",
            PracticeStatus::Practising,
        )
        .with(Registered, "2001-09-03", None)
        .with(Renewed, "2007-05-10", None)
        .with(Renewed, "2013-04-22", None)
        .with(Renewed, "2019-05-06", None)
        .with(Suspended, "2023-04-01", Some("育嬰留職停薪"))
        .with(Resumed, "2024-03-01", None)
        .with(Renewed, "2025-05-12", None),
    ];
    person.certificates = vec![certificate];

    let department = "新北市立聯合醫院護理部";
    let mut l = Ledger::new(NURSING_UNION);
    l.add("2024-09-14", (1, Attendee), Pro, 600, "家庭護理評估", department);
    l.add("2025-03-22", (1, Attendee), Ethics, 200, "醫病溝通與關懷", department);
    l.add("2025-07-15", (5, Attendee), Pro, 100, "營養評估與管灌照護", NURSING_UNION);
    l.add("2025-08-23", (1, Attendee), Pro, 300, "靜脈注射技術與輸液治療", department);
    l.add("2025-10-18", (5, Attendee), Law, 100, "性騷擾防治三法", NURSING_UNION).gender = true;
    l.add("2025-12-06", (1, Attendee), Quality, 250, "手部衛生與感染管制", department).infection_control =
        true;
    person.credits = l.rows;
    person.learning = vec![learning("母嬰親善與母乳哺育", 120, "2024-05-18")];
    person
}

/// A 護理師 in the registry who has no account yet, so that 註冊社群 can be tried in the demo
/// (and is, by the browser tests): register with her ID, name and birth date, open the link in
/// the mail written to the data folder, and type the password chosen when registering.
///
/// E200789012: E = 14 → 1 + 4×9 = 37; 2×8 = 16; 0078901 → 0+0+35+32+27+0+1 = 95;
/// 37 + 16 + 95 = 148, check digit 2.
pub fn not_yet_registered() -> Person {
    let mut person = member("E200789012", "張雅琪", "1996-09-14", Sex::Female, "chang.yachi@example.org");
    let certificate = certificate(Profession::RegisteredNurse, "衛部護字第078901號", "2019-08-09");
    person.licences = vec![
        licence(
            &certificate,
            "高市護執字第0078901號",
            "高雄市政府衛生局",
            "0102080017",
            "2019-10-01",
            "2031-08-10",
            PracticeStatus::Practising,
        )
        .with(Registered, "2019-10-01", None),
    ];
    person.certificates = vec![certificate];
    person
}

fn day(text: &str) -> NaiveDate {
    text.parse().expect("showcase dates are written as valid ISO dates")
}

fn member(id: &str, name: &str, birth: &str, sex: Sex, email: &str) -> Person {
    Person {
        id_number: IdNumber::parse(id).expect("showcase IDs are valid"),
        name: name.to_string(),
        birth_date: day(birth),
        sex,
        email: email.to_string(),
        certificates: Vec::new(),
        licences: Vec::new(),
        credits: Vec::new(),
        learning: Vec::new(),
    }
}

fn certificate(profession: Profession, number: &str, issued: &str) -> Certificate {
    Certificate { profession, number: number.to_string(), issued_on: day(issued) }
}

fn licence(
    certificate: &Certificate,
    number: &str,
    authority: &str,
    institution: &str,
    registered: &str,
    due: &str,
    status: PracticeStatus,
) -> Licence {
    Licence {
        profession: certificate.profession,
        certificate_number: certificate.number.clone(),
        number: number.to_string(),
        authority: authority.to_string(),
        institution_code: institution.to_string(),
        registered_on: day(registered),
        renewal_due: day(due),
        status,
        events: Vec::new(),
    }
}

/// Adds an event to a licence under construction.
trait WithEvent {
    fn with(self, kind: EventKind, date: &str, note: Option<&str>) -> Licence;
}

impl WithEvent for Licence {
    fn with(mut self, kind: EventKind, date: &str, note: Option<&str>) -> Licence {
        self.events.push(LicenceEvent { kind, date: day(date), note: note.map(str::to_string) });
        self
    }
}

fn learning(course: &str, minutes: u32, completed: &str) -> Learning {
    Learning { course: course.to_string(), minutes, completed_on: day(completed) }
}

/// Builds a ledger in date order, numbering the courses.
struct Ledger {
    reviewer: &'static str,
    rows: Vec<Credit>,
    courses: u32,
}

impl Ledger {
    fn new(reviewer: &'static str) -> Ledger {
        Ledger { reviewer, rows: Vec::new(), courses: 0 }
    }

    /// A course of one row (more with [`Ledger::part`]): its date, its row of the annex with
    /// the member's role, its category and points in hundredths, title and organiser.
    fn add(
        &mut self,
        date: &str,
        (activity, role): (u8, Role),
        category: Category,
        hundredths: i64,
        title: &str,
        organiser: &str,
    ) -> &mut Credit {
        self.courses += 1;
        let date = day(date);
        let activity = Activity(activity);
        let roc_year = chrono::Datelike::year(&date) - huzhu_core::roc::ROC_OFFSET;
        let course_code = format!("{roc_year}{}9{:04}", code_letter(self.reviewer, activity), self.courses);
        self.push(Credit {
            course_code,
            title: title.to_string(),
            organiser: organiser.to_string(),
            reviewer: self.reviewer.to_string(),
            activity,
            role,
            category,
            infection_control: false,
            gender: false,
            date,
            points: Points::from_hundredths(hundredths),
            invalid_reason: None,
        })
    }

    /// Another row of the previous course, approved under another category.
    fn part(&mut self, category: Category, hundredths: i64) -> &mut Credit {
        let previous = self.rows.last().cloned().expect("a part follows its course");
        self.push(Credit {
            category,
            points: Points::from_hundredths(hundredths),
            infection_control: false,
            gender: false,
            ..previous
        })
    }

    fn push(&mut self, credit: Credit) -> &mut Credit {
        self.rows.push(credit);
        let last = self.rows.len() - 1;
        &mut self.rows[last]
    }
}

fn drop_after(person: &mut Person, today: NaiveDate) {
    person.credits.retain(|c| c.date <= today);
    person.learning.retain(|l| l.completed_on <= today);
    for licence in &mut person.licences {
        licence.events.retain(|e| e.date <= today);
    }
}
