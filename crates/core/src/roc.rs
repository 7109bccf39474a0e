//! Dates in the Republic of China (民國) calendar: the Gregorian year minus 1911.

use chrono::{Datelike, NaiveDate};

/// The difference between a Gregorian year and its ROC year.
pub const ROC_OFFSET: i32 = 1911;

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
pub fn format_long(date: NaiveDate) -> String {
    format!("{}年{:02}月{:02}日", date.year() - ROC_OFFSET, date.month(), date.day())
}

/// `113/05/31`, the short form used in tables.
pub fn format_short(date: NaiveDate) -> String {
    format!("{}/{:02}/{:02}", date.year() - ROC_OFFSET, date.month(), date.day())
}

/// Parses the ROC forms government systems export: `113/05/31`, `113-5-31`, `113.05.31`,
/// `1130531` (7 digits) or `0990101` / `990101`, and `民國113年5月31日` (with or without 民國).
/// Full-width digits are accepted.
pub fn parse(input: &str) -> Result<NaiveDate, RocDateError> {
    let text: String = input
        .trim()
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '／' => '/',
            _ => c,
        })
        .collect();
    let text = text.strip_prefix("民國").unwrap_or(&text).trim();

    let (year, month, day) = if let Some(parts) = split_chinese(text) {
        parts
    } else if let Some(parts) = split_separated(text) {
        parts
    } else if text.len() == 6 || text.len() == 7 {
        split_compact(text)?
    } else {
        return Err(RocDateError::Malformed);
    };
    from_roc(year, month, day)
}

/// Builds a date from ROC year, month and day.
pub fn from_roc(year: u32, month: u32, day: u32) -> Result<NaiveDate, RocDateError> {
    if year == 0 {
        return Err(RocDateError::BeforeRoc);
    }
    let year = i32::try_from(year).map_err(|_| RocDateError::Malformed)? + ROC_OFFSET;
    NaiveDate::from_ymd_opt(year, month, day).ok_or(RocDateError::NoSuchDate)
}

fn number(text: &str) -> Option<u32> {
    if text.is_empty() || text.len() > 4 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

fn split_chinese(text: &str) -> Option<(u32, u32, u32)> {
    let (year, rest) = text.split_once('年')?;
    let (month, rest) = rest.split_once('月')?;
    let day = rest.strip_suffix('日')?;
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

fn split_compact(text: &str) -> Result<(u32, u32, u32), RocDateError> {
    let (year, rest) = text.split_at(text.len() - 4);
    let (month, day) = rest.split_at(2);
    match (number(year), number(month), number(day)) {
        (Some(y), Some(m), Some(d)) => Ok((y, m, d)),
        _ => Err(RocDateError::Malformed),
    }
}
