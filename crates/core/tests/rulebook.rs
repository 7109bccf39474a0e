//! Rule sets as data with the day they came into force, and the outcome of any record.

use chrono::NaiveDate;
use huzhu_core::licence::Window;
use huzhu_core::points::Points;
use huzhu_core::rules::{Activity, Category, Credit, Reason, RuleBook, evaluate};

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a real date")
}

fn online_cap(rules: &huzhu_core::rules::RuleSet) -> Points {
    rules.activity_caps.iter().find(|c| c.activity == Activity::ONLINE).expect("an online cap").cap
}

#[test]
fn a_window_is_judged_by_the_set_in_force_on_its_last_day() {
    // Settings: online 70, correspondence 75 (neither is the older 60).
    let book = RuleBook::nurses_and_midwives(Points::whole(70), Points::whole(75));
    // Due 2027-05-31: last day 2027-05-30, after 2022-08-26 → the settings' caps.
    assert_eq!(online_cap(book.for_window(Window::ending_before(date(2027, 5, 31)))), Points::whole(70));
    // Last day 2022-08-25, the day before the annex changed → the older 60.
    assert_eq!(online_cap(book.for_window(Window::ending_before(date(2022, 8, 26)))), Points::whole(60));
    // Last day 2022-08-26 itself → the new set.
    assert_eq!(online_cap(book.for_window(Window::ending_before(date(2022, 8, 27)))), Points::whole(70));
    // A window that ended before 2015-12-30 falls back to the first set known.
    assert_eq!(online_cap(book.for_window(Window::ending_before(date(2014, 6, 19)))), Points::whole(60));
    for set in &book.sets {
        assert_eq!(set.rules.total_required, Points::whole(120));
        assert_eq!(set.rules.other_minimum, Points::whole(12));
        assert_eq!(set.rules.other_cap, Points::whole(24));
    }
}

#[test]
fn the_sets_are_in_date_order() {
    let book = RuleBook::nurses_and_midwives(Points::whole(80), Points::whole(80));
    assert!(book.sets.windows(2).all(|w| w[0].effective_from < w[1].effective_from));
}

#[test]
fn a_sixth_of_120_is_20() {
    let book = RuleBook::nurses_and_midwives(Points::whole(80), Points::whole(80));
    let sixth = book.in_force_on(date(2026, 12, 4)).one_sixth();
    assert_eq!(sixth.total_required, Points::whole(20));
    assert_eq!(sixth.other_minimum, Points::ZERO);
    assert!(!sixth.require_gender && !sixth.require_infection_control);
}

#[test]
fn every_record_gets_an_outcome_even_one_the_evaluation_never_saw() {
    let book = RuleBook::nurses_and_midwives(Points::whole(80), Points::whole(80));
    let window = Window::ending_before(date(2027, 5, 31));
    let inside = Credit {
        id: 1,
        date: date(2023, 1, 1),
        activity: Activity::COURSE,
        category: Category::Professional,
        infection_control: false,
        gender: false,
        points: Points::whole(3),
        invalid_reason: None,
        corrects: None,
    };
    let before = Credit { id: 2, date: date(2021, 5, 30), ..inside.clone() };
    let invalid_before =
        Credit { id: 3, invalid_reason: Some("簽到紀錄不全".to_owned()), ..before.clone() };
    let evaluation = evaluate(book.for_window(window), window, std::slice::from_ref(&inside));

    assert_eq!(evaluation.outcome_for(&inside).counted, Points::whole(3));
    let outside = evaluation.outcome_for(&before);
    assert_eq!(outside.counted, Points::ZERO);
    assert_eq!(outside.not_counted, vec![(Points::whole(3), Reason::OutsideWindow)]);
    // Invalid at the source comes first, as in `evaluate`.
    let invalid = evaluation.outcome_for(&invalid_before);
    assert_eq!(
        invalid.not_counted,
        vec![(Points::whole(3), Reason::InvalidAtSource("簽到紀錄不全".to_owned()))]
    );
}
