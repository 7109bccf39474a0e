//! Reading one field of an import file, and why a row was refused.

use std::fmt;

use chrono::NaiveDate;
use huzhu_core::id::{IdError, IdNumber};
use huzhu_core::points::Points;
use huzhu_core::roc::{self, RocDateError};

/// A column of an import file: its English and Chinese header and whether it may be missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    pub name: &'static str,
    pub chinese: &'static str,
    pub required: bool,
    /// The most characters a value may have; a longer one refuses its row.
    pub max_chars: usize,
}

/// The length limit of a column that sets none: titles, organisers and institution names, well
/// above what such a name needs, while a field that swallowed half a file (an unclosed quote)
/// is refused.
const DEFAULT_MAX_CHARS: usize = 200;

pub const fn required(name: &'static str, chinese: &'static str) -> Column {
    Column { name, chinese, required: true, max_chars: DEFAULT_MAX_CHARS }
}

pub const fn optional(name: &'static str, chinese: &'static str) -> Column {
    Column { name, chinese, required: false, max_chars: DEFAULT_MAX_CHARS }
}

impl Column {
    /// The column with a length limit of `max_chars` characters.
    pub const fn at_most(self, max_chars: usize) -> Column {
        Column { max_chars, ..self }
    }
}

/// Why a row was refused; shown to the operator in Chinese, then English. It never repeats a
/// full ID number, since the report may end up in a log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    Unreadable(String),
    Undecodable(Column),
    ControlCharacter(Column),
    TooLong(Column),
    FieldCount {
        found: usize,
        expected: usize,
    },
    Empty(Column),
    BadId(IdError),
    BadDate {
        column: Column,
        text: String,
        error: RocDateError,
    },
    BadValue {
        column: Column,
        text: String,
    },
    FutureDate {
        column: Column,
        text: String,
    },
    BadPoints(String),
    PointsZero(String),
    UnknownPerson,
    UnknownInstitution(String),
    UnknownLicence,
    NoCreditCorrected,
    CorrectionOfInvalidCredit,
    CorrectionTooLarge {
        correction: Points,
        credit: Points,
    },
    Duplicate {
        first_line: u64,
    },
    /// A refused row that ran on over several lines of the file: a quote left open swallows the
    /// lines after it into one row, and those lines would otherwise go unmentioned.
    RunsOn {
        last_line: u64,
        reason: Box<Reason>,
    },
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::Unreadable(error) => {
                let error = shown(error);
                write!(f, "無法讀取此行 / the line cannot be read: {error}")
            }
            Reason::Undecodable(c) => write!(
                f,
                "「{}」含有無法以檔案編碼解讀的位元組 / {} has bytes the file's encoding cannot decode",
                c.chinese, c.name
            ),
            Reason::ControlCharacter(c) => write!(
                f,
                "「{}」含有控制字元（如 NUL、換行或跳脫字元）/ {} holds a control character (such as NUL, a line break or an escape)",
                c.chinese, c.name
            ),
            Reason::TooLong(c) => write!(
                f,
                "「{}」超過 {} 字 / {} is longer than {} characters",
                c.chinese, c.max_chars, c.name, c.max_chars
            ),
            Reason::FieldCount { found, expected } => {
                write!(
                    f,
                    "欄位數 {found} 與標題的 {expected} 不符 / {found} fields where the header has {expected}"
                )
            }
            Reason::Empty(c) => write!(f, "「{}」空白 / {} is empty", c.chinese, c.name),
            Reason::BadId(IdError::Checksum) => {
                write!(f, "身分證號檢查碼不符 / the ID number's check digit is wrong")
            }
            Reason::BadId(_) => write!(f, "身分證號格式不符 / the ID number is malformed"),
            Reason::BadDate { column, text, error: RocDateError::NoSuchDate } => {
                let text = shown(text);
                write!(f, "「{}」無此日期：{text} / {}: no such date {text}", column.chinese, column.name)
            }
            Reason::BadDate { column, text, .. } => {
                let text = shown(text);
                write!(
                    f,
                    "「{}」日期格式無法辨識：{text} / {}: not a date {text}",
                    column.chinese, column.name
                )
            }
            Reason::FutureDate { column, text } => {
                let text = shown(text);
                write!(
                    f,
                    "「{}」不可晚於今天：{text} / {}: {text} is a date in the future",
                    column.chinese, column.name
                )
            }
            Reason::BadValue { column, text } => {
                let text = shown(text);
                write!(
                    f,
                    "「{}」的值無法辨識：{text} / {}: unknown value {text}",
                    column.chinese, column.name
                )
            }
            Reason::BadPoints(text) => {
                let text = shown(text);
                write!(
                    f,
                    "積分須為最多兩位小數的數字：{text} / points must be a number with at most two decimals: {text}"
                )
            }
            Reason::PointsZero(text) => {
                let text = shown(text);
                write!(f, "積分不可為 0：{text} / points must not be 0: {text}")
            }
            Reason::UnknownPerson => write!(f, "人員資料中無此身分證號 / no person has this ID number"),
            Reason::UnknownInstitution(code) => {
                let code = shown(code);
                write!(f, "查無醫事機構代碼 {code} / unknown institution {code}")
            }
            Reason::UnknownLicence => write!(f, "查無此執業執照 / no licence has this authority and number"),
            Reason::NoCreditCorrected => write!(
                f,
                "更正列找不到所更正的積分（同一人、課程代碼、類別、參與身分、日期、感控與性別註記），資料庫與本檔前列皆無 / \
                 the correction names no credit (same person, course code, category, role, day, infection-control and gender marks) \
                 in the database or on an earlier line of this file"
            ),
            Reason::CorrectionOfInvalidCredit => write!(
                f,
                "所更正的積分已標示無效，不採計，無點數可更正 / the credit this row corrects is marked invalid and counts nothing, \
                 so there is nothing to correct"
            ),
            Reason::CorrectionTooLarge { correction, credit } => write!(
                f,
                "更正 {correction} 點超過所更正積分的 {credit} 點 / the correction of {correction} points takes back more than the {credit} points of its credit"
            ),
            Reason::Duplicate { first_line } => {
                write!(f, "與第 {first_line} 行重複 / repeats line {first_line}")
            }
            Reason::RunsOn { last_line, reason } => write!(
                f,
                "{reason}（此列一直延續到第 {last_line} 行，其間各行沒有各自讀入；若非有意，多半是引號未閉合）\
                 / (this row runs on to line {last_line}, and the lines between were not read as rows of \
                 their own; unless meant, a quote is probably not closed)"
            ),
        }
    }
}

/// The longest value the report repeats, in characters.
const SHOWN_CHARS: usize = 40;

/// A value from the file as the report repeats it: one that looks like an ID number anywhere
/// (a letter, a letter or digit, eight digits) is not repeated at all, since the report may end
/// up in a log; a long one is cut at 40 characters and marked with …; control characters are
/// written as escapes (`\u{1b}`), so a file cannot drive the operator's terminal.
pub fn shown(value: &str) -> String {
    let chars: Vec<char> = value.chars().collect();
    if chars.windows(10).any(looks_like_id) {
        return "（疑似身分證號，不顯示）(looks like an ID number, not shown)".to_owned();
    }
    let mut shown = String::new();
    for &c in chars.iter().take(SHOWN_CHARS) {
        if c.is_control() {
            shown.extend(c.escape_debug());
        } else {
            shown.push(c);
        }
    }
    if chars.len() > SHOWN_CHARS {
        shown.push('…');
    }
    shown
}

/// A letter, then a letter or digit (residents' numbers of the older form), then eight digits.
fn looks_like_id(window: &[char]) -> bool {
    window[0].is_ascii_alphabetic()
        && window[1].is_ascii_alphanumeric()
        && window[2..].iter().all(char::is_ascii_digit)
}

/// Refuses a field the decoder could not read: it marks such bytes U+FFFD, which no export
/// writes on purpose, so the replacement character never reaches the database. Refuses a value
/// longer than its column allows. Refuses a
/// control character too (C0 but tab, DEL, C1): none belongs in a name, a code or a title;
/// PostgreSQL refuses NUL in text, which would fail the whole batch rather than the row; and an
/// escape sequence would reach the pages and the operator's terminal.
pub fn clean(value: &str, column: Column) -> Result<(), Reason> {
    if value.contains('\u{fffd}') {
        return Err(Reason::Undecodable(column));
    }
    if value.chars().any(|c| c.is_control() && c != '\t') {
        return Err(Reason::ControlCharacter(column));
    }
    if value.chars().nth(column.max_chars).is_some() {
        return Err(Reason::TooLong(column));
    }
    Ok(())
}

/// A non-empty field.
pub fn text(value: &str, column: Column) -> Result<String, Reason> {
    if value.is_empty() { Err(Reason::Empty(column)) } else { Ok(value.to_owned()) }
}

/// A field that may be empty.
pub fn optional_text(value: &str) -> Option<String> {
    (!value.is_empty()).then(|| value.to_owned())
}

pub fn id_number(value: &str) -> Result<IdNumber, Reason> {
    IdNumber::parse(value).map_err(Reason::BadId)
}

/// A date in ISO form (2023-05-31, 2023/05/31, 20230531) or in one of the ROC forms
/// (112/05/31, 1120531, 民國112年5月31日). A four-digit first part is a Gregorian year: ROC
/// years have at most three digits until AD 2911.
pub fn date(value: &str, column: Column) -> Result<NaiveDate, Reason> {
    if value.is_empty() {
        return Err(Reason::Empty(column));
    }
    let bad = |error| Reason::BadDate { column, text: value.to_owned(), error };
    match gregorian_parts(value) {
        Some((year, month, day)) => {
            NaiveDate::from_ymd_opt(year, month, day).ok_or(bad(RocDateError::NoSuchDate))
        }
        None => roc::parse(value).map_err(bad),
    }
}

/// Year, month and day of `YYYY-MM-DD`, `YYYY/MM/DD` or `YYYYMMDD`; `None` for other forms.
fn gregorian_parts(value: &str) -> Option<(i32, u32, u32)> {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if value.len() == 8 && digits(value) {
        return Some((value[..4].parse().ok()?, value[4..6].parse().ok()?, value[6..].parse().ok()?));
    }
    let mut parts = value.split(['-', '/']);
    let (year, month, day) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || year.len() != 4 || !digits(year) || !digits(month) || !digits(day) {
        return None;
    }
    if month.len() > 2 || day.len() > 2 {
        return None;
    }
    Some((year.parse().ok()?, month.parse().ok()?, day.parse().ok()?))
}

/// Points with up to two decimals, as exact hundredths. A positive row records points earned;
/// a negative row is a correction from the credit system (points taken back, say for a course
/// left early), which the rules engine takes off the counts the course would have added to.
/// Zero is refused: every activity of the annex (DOMAIN §1.4) earns some points, and a row of
/// none would only hide an error of the source system.
pub fn points(value: &str) -> Result<Points, Reason> {
    let points: Points = value.parse().map_err(|_| Reason::BadPoints(value.to_owned()))?;
    if points.hundredths() == 0 {
        return Err(Reason::PointsZero(value.to_owned()));
    }
    Ok(points)
}

/// A whole number in `range`.
pub fn number(value: &str, column: Column, range: std::ops::RangeInclusive<i64>) -> Result<i64, Reason> {
    if value.is_empty() {
        return Err(Reason::Empty(column));
    }
    value
        .parse::<i64>()
        .ok()
        .filter(|n| range.contains(n))
        .ok_or_else(|| Reason::BadValue { column, text: value.to_owned() })
}

/// Yes or no: 1/0, Y/N, true/false, 是/否.
pub fn flag(value: &str, column: Column) -> Result<bool, Reason> {
    match value.to_ascii_lowercase().as_str() {
        "1" | "y" | "yes" | "true" | "是" => Ok(true),
        "0" | "n" | "no" | "false" | "否" | "" => Ok(false),
        _ => Err(Reason::BadValue { column, text: value.to_owned() }),
    }
}

/// One of a set of codes, given either as the code or as its Chinese name.
pub fn code(
    value: &str,
    column: Column,
    table: &[(&'static str, &'static str)],
) -> Result<&'static str, Reason> {
    if value.is_empty() {
        return Err(Reason::Empty(column));
    }
    table
        .iter()
        .find(|(code, chinese)| code.eq_ignore_ascii_case(value) || *chinese == value)
        .map(|(code, _)| *code)
        .ok_or_else(|| Reason::BadValue { column, text: value.to_owned() })
}

pub const SEXES: [(&str, &str); 2] = [("F", "女"), ("M", "男")];
pub const PROFESSIONS: [(&str, &str); 4] = [("F", "護理師"), ("G", "護士"), ("H", "助產士"), ("I", "助產師")];
pub const STATUSES: [(&str, &str); 5] = [
    ("practising", "執業"),
    ("suspended", "停業"),
    ("closed", "歇業"),
    ("cancelled", "註銷"),
    ("annulled", "廢止"),
];
pub const EVENT_KINDS: [(&str, &str); 8] = [
    ("registered", "登記"),
    ("renewed", "更新"),
    ("suspended", "停業"),
    ("resumed", "復業"),
    ("closed", "歇業"),
    ("moved_workplace", "變更執業處所"),
    ("cancelled", "註銷"),
    ("annulled", "廢止"),
];
pub const ROLES: [(&str, &str); 4] =
    [("attendee", "參加"), ("lecturer", "授課"), ("author", "發表"), ("special_lecture", "特別演講")];
pub const CATEGORIES: [(&str, &str); 4] =
    [("pro", "專業課程"), ("quality", "專業品質"), ("ethics", "專業倫理"), ("law", "專業相關法規")];

#[cfg(test)]
mod tests {
    use super::*;
    use huzhu_core::profession::{PracticeStatus, Profession};
    use huzhu_core::registry::{EventKind, Role};
    use huzhu_core::rules::Category;

    /// The import tables name every code the domain knows, and no other.
    #[test]
    fn the_code_tables_match_the_domain() {
        let codes =
            |table: &[(&'static str, &'static str)]| table.iter().map(|(code, _)| *code).collect::<Vec<_>>();
        assert_eq!(codes(&PROFESSIONS), Profession::ALL.map(Profession::code));
        assert_eq!(codes(&STATUSES), PracticeStatus::ALL.map(PracticeStatus::code));
        assert_eq!(codes(&EVENT_KINDS), EventKind::ALL.map(|k| k.code()));
        assert_eq!(codes(&ROLES), Role::ALL.map(|r| r.code()));
        assert_eq!(codes(&CATEGORIES), Category::ALL.map(Category::code));
    }

    #[test]
    fn what_the_report_repeats() {
        // ESC is U+001B; NUL U+0000.
        assert_eq!(shown("\u{1b}[2J\u{0}x"), "\\u{1b}[2J\\0x");
        // 41 characters: the first 40 and the mark.
        assert_eq!(shown(&"一".repeat(41)), format!("{}…", "一".repeat(40)));
        assert_eq!(shown(&"一".repeat(40)), "一".repeat(40));
        // An ID number alone or inside a value, and a resident's number of the older form
        // (two letters, eight digits), are not repeated; nine digits after a letter are shown.
        for value in ["A123456789", "x A123456789 y", "AB12345678"] {
            assert_eq!(shown(value), "（疑似身分證號，不顯示）(looks like an ID number, not shown)");
        }
        assert_eq!(shown("A12345678"), "A12345678");
    }

    #[test]
    fn dates_in_every_form_and_the_days_that_do_not_exist() {
        let column = required("taken_on", "上課日期");
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).expect("a real day");
        // ROC 112 + 1911 = 2023.
        for text in
            ["2023-05-31", "2023/05/31", "20230531", "112/05/31", "1120531", "民國112年5月31日", "112-5-31"]
        {
            assert_eq!(date(text, column), Ok(day(2023, 5, 31)), "{text}");
        }
        // 110 + 1911 = 2021, not a leap year; 2023-02-29 likewise.
        for text in ["110/02/29", "2023-02-29", "20230229", "1100229"] {
            assert!(
                matches!(date(text, column), Err(Reason::BadDate { error: RocDateError::NoSuchDate, .. })),
                "{text}"
            );
        }
        // A day-first date reads as ROC year 31, month 5, day 2023: refused, never guessed.
        assert!(date("31/05/2023", column).is_err());
        assert!(matches!(date("昨天", column), Err(Reason::BadDate { error: RocDateError::Malformed, .. })));
        assert_eq!(date("", column), Err(Reason::Empty(column)));
    }
}
