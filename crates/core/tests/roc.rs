//! ROC (民國) dates: Gregorian year = ROC year + 1911 (DOMAIN, date convention).

use chrono::NaiveDate;
use huzhu_core::roc::{self, RocDateError};

fn date(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).expect("a real date")
}

#[test]
fn the_slash_form_reads_as_gregorian_plus_1911() {
    // 113 + 1911 = 2024.
    assert_eq!(roc::parse("113/05/31"), Ok(date(2024, 5, 31)));
    assert_eq!(roc::parse("113-5-31"), Ok(date(2024, 5, 31)));
    assert_eq!(roc::parse("113.05.31"), Ok(date(2024, 5, 31)));
    // DOMAIN's own example: 111年08月26日 = 2022-08-26 (111 + 1911 = 2022).
    assert_eq!(roc::parse("111/08/26"), Ok(date(2022, 8, 26)));
}

#[test]
fn the_compact_forms_end_in_month_and_day() {
    // 1130531: year 113 → 2024, month 05, day 31.
    assert_eq!(roc::parse("1130531"), Ok(date(2024, 5, 31)));
    // 0990101: year 099 → 99 + 1911 = 2010.
    assert_eq!(roc::parse("0990101"), Ok(date(2010, 1, 1)));
    // 990101: a two-digit year, the same day.
    assert_eq!(roc::parse("990101"), Ok(date(2010, 1, 1)));
    // 7-character validity dates of the HCA card read the same way (DOMAIN §4.2).
    assert_eq!(roc::parse("1151231"), Ok(date(2026, 12, 31)));
}

#[test]
fn the_chinese_form_reads_with_or_without_min_guo() {
    // 112 + 1911 = 2023.
    assert_eq!(roc::parse("民國112年5月31日"), Ok(date(2023, 5, 31)));
    assert_eq!(roc::parse("112年05月31日"), Ok(date(2023, 5, 31)));
    assert_eq!(roc::parse("民國 112 年 5 月 31 日"), Ok(date(2023, 5, 31)));
    assert_eq!(roc::parse("民國\u{3000}112年5月31日"), Ok(date(2023, 5, 31)));
}

#[test]
fn full_width_digits_and_separators_are_read() {
    for input in [
        "１１３/０５/３１",
        "１１３／０５／３１",
        "１１３－０５－３１",
        "１１３．０５．３１",
        "１１３０５３１",
        "民國１１３年５月３１日",
        "\u{3000}113/05/31\u{3000}",
        " 113/05/31\n",
    ] {
        assert_eq!(roc::parse(input), Ok(date(2024, 5, 31)), "{input:?}");
    }
}

#[test]
fn a_date_missing_from_the_calendar_is_no_such_date() {
    // ROC 110 = 2021, not a leap year (2021 is not divisible by 4).
    assert_eq!(roc::parse("110/02/29"), Err(RocDateError::NoSuchDate));
    assert_eq!(roc::parse("1100229"), Err(RocDateError::NoSuchDate));
    assert_eq!(roc::parse("113/13/01"), Err(RocDateError::NoSuchDate));
    assert_eq!(roc::parse("113/04/31"), Err(RocDateError::NoSuchDate));
    assert_eq!(roc::parse("113/00/10"), Err(RocDateError::NoSuchDate));
    assert_eq!(roc::parse("113/05/00"), Err(RocDateError::NoSuchDate));
    // Six digits are a two-digit year: 11, month 30, day 53.
    assert_eq!(roc::parse("113053"), Err(RocDateError::NoSuchDate));
}

#[test]
fn the_leap_day_of_a_leap_year_is_valid() {
    // ROC 109 = 2020, divisible by 4 and not a century: a leap year.
    assert_eq!(roc::parse("109/02/29"), Ok(date(2020, 2, 29)));
    assert_eq!(roc::parse("109年2月29日"), Ok(date(2020, 2, 29)));
}

#[test]
fn year_zero_is_before_the_roc_calendar() {
    for input in ["0/01/01", "000/01/01", "0000101", "000101", "0年1月1日"] {
        assert_eq!(roc::parse(input), Err(RocDateError::BeforeRoc), "{input:?}");
    }
    assert_eq!(roc::from_roc(0, 1, 1), Err(RocDateError::BeforeRoc));
}

#[test]
fn year_one_is_1912() {
    assert_eq!(roc::parse("1/01/01"), Ok(date(1912, 1, 1)));
    assert_eq!(roc::parse("010101"), Ok(date(1912, 1, 1)));
}

#[test]
fn a_gregorian_date_is_not_taken_for_an_roc_one() {
    // Read as ROC it would be 2024 + 1911 = AD 3935.
    assert_eq!(roc::parse("2024/05/31"), Err(RocDateError::Malformed));
    assert_eq!(roc::parse("2024-05-31"), Err(RocDateError::Malformed));
    assert_eq!(roc::parse("2024年5月31日"), Err(RocDateError::Malformed));
}

#[test]
fn garbage_is_malformed() {
    for input in [
        "",
        "   ",
        "abc",
        "113/05",
        "113/05/31/1",
        "113//31",
        "/05/31",
        "113/05/31x",
        "113 /05/31",
        "113/05-31",
        "+113/05/31",
        "-113/05/31",
        "11305",
        "11305310",
        "12345/01/01",
        "113年5月31",
        "113年5月",
        "年月日",
        "年年",
        "民國",
        "一一三年五月三十一日",
        "١١٣/٠٥/٣١",
        "113/05/31😀",
        "😀😀",
        "\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}",
    ] {
        assert_eq!(roc::parse(input), Err(RocDateError::Malformed), "{input:?}");
    }
}

#[test]
fn from_roc_refuses_years_beyond_the_calendar_without_overflowing() {
    // i32::MAX + 1911 would overflow; u32::MAX does not fit an i32 at all.
    assert_eq!(roc::from_roc(2_147_483_647, 1, 1), Err(RocDateError::NoSuchDate));
    assert_eq!(roc::from_roc(u32::MAX, 1, 1), Err(RocDateError::NoSuchDate));
    assert_eq!(roc::from_roc(113, 5, 31), Ok(date(2024, 5, 31)));
}

#[test]
fn the_long_and_short_forms_pad_month_and_day() {
    // 2024 - 1911 = 113.
    assert_eq!(roc::format_long(date(2024, 5, 31)), "113年05月31日");
    assert_eq!(roc::format_short(date(2024, 5, 31)), "113/05/31");
    // 2010 - 1911 = 99: the year is not padded.
    assert_eq!(roc::format_long(date(2010, 1, 1)), "99年01月01日");
    assert_eq!(roc::format_short(date(2010, 1, 1)), "99/01/01");
    // 2022-08-26 is DOMAIN's 111年08月26日.
    assert_eq!(roc::format_long(date(2022, 8, 26)), "111年08月26日");
}

#[test]
fn every_day_of_a_span_survives_formatting_and_parsing() {
    let mut day = date(1912, 1, 1);
    let last = date(2040, 12, 31);
    while day <= last {
        assert_eq!(roc::parse(&roc::format_long(day)), Ok(day));
        assert_eq!(roc::parse(&roc::format_short(day)), Ok(day));
        day = day.succ_opt().expect("far from the end of the calendar");
    }
}
