//! Dates in the Republic of China (民國) calendar: the Gregorian year minus 1911.

use chrono::{Datelike, NaiveDate};

/// The difference between a Gregorian year and its ROC year.
pub const ROC_OFFSET: i32 = 1911;

/// The largest ROC year [`parse`] reads (Gregorian 2910). A four-digit year is far more likely a
/// Gregorian date handed to the wrong parser: `2024/05/31` would otherwise become AD 3935.
const MAX_PARSED_YEAR: u32 = 999;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RocDateError {
    #[error("the date is not in a recognised ROC form")]
    Malformed,
    #[error("the date does not exist")]
    NoSuchDate,
    #[error("the date is before the ROC calendar")]
    BeforeRoc,
}

/// `113年05月31日`, the long form used on licences and on the portal's pages.
///
/// Dates before the ROC calendar (before 1912) come out with a year of zero or below; nothing
/// the portal shows is that old.
pub fn format_long(date: NaiveDate) -> String {
    format!("{}年{:02}月{:02}日", date.year() - ROC_OFFSET, date.month(), date.day())
}

/// `113/05/31`, the short form used in tables.
pub fn format_short(date: NaiveDate) -> String {
    format!("{}/{:02}/{:02}", date.year() - ROC_OFFSET, date.month(), date.day())
}

/// Parses the ROC forms government systems export: `113/05/31`, `113-5-31`, `113.05.31`,
/// `1130531` (7 digits) or `0990101` / `990101` (6 digits, a two-digit year), and
/// `民國113年5月31日` (with or without 民國). Full-width digits and separators are accepted, and
/// white space of any width around the date or around the parts of the Chinese form. Years above
/// 999 are refused as malformed.
pub fn parse(input: &str) -> Result<NaiveDate, RocDateError> {
    let folded: String = input.chars().map(fold_full_width).collect();
    let text = folded.trim();
    let text = text.strip_prefix("民國").unwrap_or(text).trim();

    let (year, month, day) = if let Some(parts) = split_chinese(text) {
        parts
    } else if let Some(parts) = split_separated(text) {
        parts
    } else if let Some(parts) = split_compact(text) {
        parts
    } else {
        return Err(RocDateError::Malformed);
    };
    if year > MAX_PARSED_YEAR {
        return Err(RocDateError::Malformed);
    }
    from_roc(year, month, day)
}

/// Builds a date from ROC year, month and day.
pub fn from_roc(year: u32, month: u32, day: u32) -> Result<NaiveDate, RocDateError> {
    if year == 0 {
        return Err(RocDateError::BeforeRoc);
    }
    // A year too large for the calendar is a date that does not exist, not an overflow.
    let year = i32::try_from(year)
        .ok()
        .and_then(|year| year.checked_add(ROC_OFFSET))
        .ok_or(RocDateError::NoSuchDate)?;
    NaiveDate::from_ymd_opt(year, month, day).ok_or(RocDateError::NoSuchDate)
}

/// Full-width digits and punctuation (U+FF01..U+FF5E) to their ASCII twins.
fn fold_full_width(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c),
        _ => c,
    }
}

/// One to four ASCII digits. Four is enough for any ROC year a record can hold.
fn number(text: &str) -> Option<u32> {
    if text.is_empty() || text.len() > 4 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

fn split_chinese(text: &str) -> Option<(u32, u32, u32)> {
    let (year, rest) = text.split_once('年')?;
    let (month, rest) = rest.split_once('月')?;
    let day = rest.trim().strip_suffix('日')?;
    Some((number(year.trim())?, number(month.trim())?, number(day.trim())?))
}

fn split_separated(text: &str) -> Option<(u32, u32, u32)> {
    let separator = ['/', '-', '.'].into_iter().find(|s| text.contains(*s))?;
    let mut parts = text.split(separator);
    let year = number(parts.next()?)?;
    let month = number(parts.next()?)?;
    let day = number(parts.next()?)?;
    parts.next().is_none().then_some((year, month, day))
}

/// `YYYMMDD` or `YYMMDD`: the last four digits are always month and day. Only ASCII digits
/// get this far, so the byte positions below are character positions.
fn split_compact(text: &str) -> Option<(u32, u32, u32)> {
    if !(text.len() == 6 || text.len() == 7) || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let year = number(text.get(..text.len() - 4)?)?;
    let month = number(text.get(text.len() - 4..text.len() - 2)?)?;
    let day = number(text.get(text.len() - 2..)?)?;
    Some((year, month, day))
}
