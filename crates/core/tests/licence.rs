//! Licence dates (REG arts. 7 and 8, DOMAIN §1.7–§1.9), counted by the Civil Code: the start day
//! is not counted (art. 120), and a period of years ends the day before the day corresponding to
//! its first day, or on the month's last day when there is no such day (art. 121).

use chrono::NaiveDate;
use huzhu_core::licence::{DueDateRule, Window, application_opens, renewal_due};

fn date(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).expect("a real date")
}

#[test]
fn the_worked_example_is_due_the_day_after_the_sixth_anniversary() {
    // DOMAIN §1.9: issued 2018-03-01. Start day not counted → first day 2018-03-02; the
    // corresponding day six years on is 2024-03-02, so the six years end 2024-03-01 and the
    // licence is due the next day, 2024-03-02.
    assert_eq!(renewal_due(date(2018, 3, 1), DueDateRule::DayAfterAnniversary), date(2024, 3, 2));
    assert_eq!(renewal_due(date(2018, 3, 1), DueDateRule::default()), date(2024, 3, 2));
}

#[test]
fn the_anniversary_rule_is_due_on_the_anniversary() {
    // Start day counted → first day 2018-03-01, six years end 2024-02-29 (2024 is a leap year),
    // due 2024-03-01.
    assert_eq!(renewal_due(date(2018, 3, 1), DueDateRule::Anniversary), date(2024, 3, 1));
    // DOMAIN §1.7's example of the open question: issued 2020-07-15 → 2026-07-15 or -16.
    assert_eq!(renewal_due(date(2020, 7, 15), DueDateRule::Anniversary), date(2026, 7, 15));
    assert_eq!(renewal_due(date(2020, 7, 15), DueDateRule::DayAfterAnniversary), date(2026, 7, 16));
}

#[test]
fn a_start_on_29_february_is_due_on_1_march() {
    // Default rule: first day 2020-03-01, corresponding day 2026-03-01, six years end
    // 2026-02-28, due 2026-03-01.
    assert_eq!(renewal_due(date(2020, 2, 29), DueDateRule::DayAfterAnniversary), date(2026, 3, 1));
    // Anniversary rule: first day 2020-02-29; 2026 has no 29 February, so by art. 121 para. 2
    // the six years end on the month's last day, 2026-02-28, and the licence is due 2026-03-01.
    assert_eq!(renewal_due(date(2020, 2, 29), DueDateRule::Anniversary), date(2026, 3, 1));
}

#[test]
fn a_start_on_28_february_before_a_leap_year_is_due_on_1_march() {
    // Default rule: first day 2022-03-01, corresponding day 2028-03-01, six years end on
    // 2028-02-29 (2028 is a leap year), due 2028-03-01. Naive date arithmetic would give
    // 2028-02-28 + 1 day = 2028-02-29.
    assert_eq!(renewal_due(date(2022, 2, 28), DueDateRule::DayAfterAnniversary), date(2028, 3, 1));
    // Anniversary rule: first day 2022-02-28, six years end 2028-02-27, due 2028-02-28.
    assert_eq!(renewal_due(date(2022, 2, 28), DueDateRule::Anniversary), date(2028, 2, 28));
    // Default rule from 2020-02-28: first day 2020-02-29, no such day in 2026, so the six years
    // end 2026-02-28 and it is due 2026-03-01.
    assert_eq!(renewal_due(date(2020, 2, 28), DueDateRule::DayAfterAnniversary), date(2026, 3, 1));
}

#[test]
fn a_start_on_new_years_eve_is_due_on_new_years_day() {
    // First day 2020-01-01, six years end 2025-12-31, due 2026-01-01.
    assert_eq!(renewal_due(date(2019, 12, 31), DueDateRule::DayAfterAnniversary), date(2026, 1, 1));
}

#[test]
fn the_window_of_a_due_date_is_the_six_years_before_it() {
    // DOMAIN §1.9: credits from 2018-03-02 to 2024-03-01 count for the renewal due 2024-03-02.
    let window = Window::ending_before(date(2024, 3, 2));
    assert_eq!(window.first_day, date(2018, 3, 2));
    assert_eq!(window.last_day, date(2024, 3, 1));
}

#[test]
fn the_window_contains_both_ends_and_nothing_outside() {
    let window = Window::ending_before(date(2024, 3, 2));
    assert!(window.contains(date(2018, 3, 2)));
    assert!(window.contains(date(2024, 3, 1)));
    assert!(window.contains(date(2021, 1, 1)));
    assert!(!window.contains(date(2018, 3, 1)));
    assert!(!window.contains(date(2024, 3, 2)));
}

#[test]
fn the_window_of_a_cycle_runs_from_its_first_counted_day_to_the_day_before_it_is_due() {
    let worked = Window::of_cycle(date(2018, 3, 1), DueDateRule::DayAfterAnniversary);
    assert_eq!(worked, Window::ending_before(date(2024, 3, 2)));

    // Anniversary rule: 2018-03-01 counted, up to 2024-02-29.
    let anniversary = Window::of_cycle(date(2018, 3, 1), DueDateRule::Anniversary);
    assert_eq!((anniversary.first_day, anniversary.last_day), (date(2018, 3, 1), date(2024, 2, 29)));

    // From 2020-02-28 the first counted day is 2020-02-29, which a window known only by its due
    // date (2026-03-01) cannot tell from a start on 2020-02-29.
    let leap = Window::of_cycle(date(2020, 2, 28), DueDateRule::DayAfterAnniversary);
    assert_eq!((leap.first_day, leap.last_day), (date(2020, 2, 29), date(2026, 2, 28)));
    assert_eq!(Window::ending_before(date(2026, 3, 1)).first_day, date(2020, 3, 1));
}

#[test]
fn applications_open_six_months_before_the_due_date() {
    // DOMAIN §1.9: due 2024-03-02, window opens 2023-09-02.
    assert_eq!(application_opens(date(2024, 3, 2)), date(2023, 9, 2));
    // Due 2026-03-01: 2025-09-01.
    assert_eq!(application_opens(date(2026, 3, 1)), date(2025, 9, 1));
}

#[test]
fn dates_at_the_ends_of_the_calendar_do_not_panic() {
    for rule in [DueDateRule::DayAfterAnniversary, DueDateRule::Anniversary] {
        assert_eq!(renewal_due(NaiveDate::MAX, rule), NaiveDate::MAX);
        let _ = renewal_due(NaiveDate::MIN, rule);
        let _ = Window::of_cycle(NaiveDate::MAX, rule);
        let _ = Window::of_cycle(NaiveDate::MIN, rule);
    }
    assert_eq!(Window::ending_before(NaiveDate::MIN).first_day, NaiveDate::MIN);
    assert_eq!(application_opens(NaiveDate::MIN), NaiveDate::MIN);
    let _ = Window::ending_before(NaiveDate::MAX);
}
