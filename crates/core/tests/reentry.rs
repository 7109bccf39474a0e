//! Returning to practice after 歇業 (REG arts. 5, 6, 8; DOMAIN §1.6 and §1.8), worked by hand.
//! Due dates use the default rule: the day after the sixth anniversary.

use chrono::NaiveDate;
use huzhu_core::licence::{DueDateRule, Window};
use huzhu_core::points::Points;
use huzhu_core::reentry::{Route, more_than_two_years, required, return_paths, year_before};
use huzhu_core::rules::{Activity, Category, Credit, RuleSet, evaluate};

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a real date")
}

fn rules() -> RuleSet {
    RuleSet::nurses_and_midwives(Points::whole(80), Points::whole(80))
}

fn credit(id: i64, on: NaiveDate, category: Category, points: &str) -> Credit {
    Credit {
        id,
        date: on,
        activity: Activity::COURSE,
        category,
        infection_control: false,
        gender: false,
        points: points.parse().expect("points"),
        invalid_reason: None,
        corrects: None,
    }
}

#[test]
fn two_years_of_closure_end_on_the_second_anniversary() {
    // Closed 2024-06-30: two years complete on 2026-06-30; only a later day is "more than".
    let closed = date(2024, 6, 30);
    assert!(!more_than_two_years(closed, date(2026, 6, 30)));
    assert!(more_than_two_years(closed, date(2026, 7, 1)));
    assert!(!more_than_two_years(closed, date(2025, 1, 1)));
}

#[test]
fn a_short_closure_before_the_old_due_date_needs_no_proof_and_keeps_the_due_date() {
    // Closed 2025-03-01, back 2026-12-04: two years would end 2027-03-01, so ≤ 2 years; the old
    // due date 2027-05-31 is not yet reached.
    let r = return_paths(
        date(2025, 3, 1),
        date(2027, 5, 31),
        date(2026, 12, 4),
        &rules(),
        DueDateRule::default(),
    );
    assert!(!r.long_closure);
    assert!(r.within_old_due);
    assert_eq!(r.paths.len(), 1);
    assert_eq!(r.paths[0].route, Route::NoProof);
    assert_eq!(r.paths[0].window, None);
    assert_eq!(r.paths[0].new_due, date(2027, 5, 31));
    assert_eq!(required(&r.paths[0]), Points::ZERO);
}

#[test]
fn registering_on_the_old_due_date_itself_is_still_within_it() {
    let r = return_paths(
        date(2026, 1, 1),
        date(2027, 5, 31),
        date(2027, 5, 31),
        &rules(),
        DueDateRule::default(),
    );
    assert!(r.within_old_due);
    assert_eq!(r.paths[0].route, Route::NoProof);
    let after =
        return_paths(date(2026, 1, 1), date(2027, 5, 31), date(2027, 6, 1), &rules(), DueDateRule::default());
    assert!(!after.within_old_due);
}

#[test]
fn the_manual_nurse_closed_over_two_years_before_her_due_date_has_two_paths() {
    // 林怡君: 歇業 2024-06-30, old due 2027-05-31, asking on 2026-12-04.
    // 2024-06-30 + 2 years = 2026-06-30 < 2026-12-04: more than two years; 2026-12-04 ≤
    // 2027-05-31: within the old due date.
    let r = return_paths(
        date(2024, 6, 30),
        date(2027, 5, 31),
        date(2026, 12, 4),
        &rules(),
        DueDateRule::default(),
    );
    assert!(r.long_closure && r.within_old_due);
    assert_eq!(r.paths.len(), 2);

    // Path 1: 120 / 6 = 20 points in 2025-12-04 … 2026-12-03; the new cycle starts at the
    // registration: first counted day 2026-12-05, six years end 2032-12-04, due 2032-12-05.
    let sixth = &r.paths[0];
    assert_eq!(sixth.route, Route::OneSixth);
    assert_eq!(sixth.window, Some(Window { first_day: date(2025, 12, 4), last_day: date(2026, 12, 3) }));
    assert_eq!(required(sixth), Points::whole(20));
    assert_eq!(sixth.new_due, date(2032, 12, 5));

    // Path 2: 120 in the old licence's window 2021-05-31 … 2027-05-30, keeping the due date.
    let full = &r.paths[1];
    assert_eq!(full.route, Route::FullTotal);
    assert_eq!(full.window, Some(Window { first_day: date(2021, 5, 31), last_day: date(2027, 5, 30) }));
    assert_eq!(required(full), Points::whole(120));
    assert_eq!(full.new_due, date(2027, 5, 31));
}

#[test]
fn a_short_closure_after_the_old_due_date_needs_120_in_the_six_years_before_registering() {
    // Closed 2025-01-10, old due 2025-06-01, back 2026-12-04: 2027-01-10 not yet reached, so
    // ≤ 2 years; after the old due date. Window 2020-12-04 … 2026-12-03, due 2032-12-05.
    let r = return_paths(
        date(2025, 1, 10),
        date(2025, 6, 1),
        date(2026, 12, 4),
        &rules(),
        DueDateRule::default(),
    );
    assert!(!r.long_closure && !r.within_old_due);
    assert_eq!(r.paths.len(), 1);
    assert_eq!(r.paths[0].route, Route::FullTotal);
    assert_eq!(r.paths[0].window, Some(Window { first_day: date(2020, 12, 4), last_day: date(2026, 12, 3) }));
    assert_eq!(r.paths[0].new_due, date(2032, 12, 5));
}

#[test]
fn a_long_closure_after_the_old_due_date_offers_the_sixth_or_the_six_years_before() {
    // Closed 2020-01-15, old due 2021-03-02, back 2026-12-04.
    let r = return_paths(
        date(2020, 1, 15),
        date(2021, 3, 2),
        date(2026, 12, 4),
        &rules(),
        DueDateRule::default(),
    );
    assert!(r.long_closure && !r.within_old_due);
    let routes: Vec<Route> = r.paths.iter().map(|p| p.route).collect();
    assert_eq!(routes, [Route::OneSixth, Route::FullTotal]);
    assert_eq!(r.paths[1].window, Some(Window::ending_before(date(2026, 12, 4))));
    assert!(r.paths.iter().all(|p| p.new_due == date(2032, 12, 5)));
}

#[test]
fn the_anniversary_rule_moves_the_new_due_date_by_a_day() {
    // Registering 2026-12-04 counted from that day: due on the anniversary, 2032-12-04.
    let r = return_paths(
        date(2020, 1, 15),
        date(2021, 3, 2),
        date(2026, 12, 4),
        &rules(),
        DueDateRule::Anniversary,
    );
    assert_eq!(r.paths[0].new_due, date(2032, 12, 4));
}

#[test]
fn the_sixth_is_20_points_of_any_category_in_the_year_before_and_ignores_topics_and_the_24_cap() {
    let r = return_paths(
        date(2020, 1, 15),
        date(2021, 3, 2),
        date(2026, 12, 4),
        &rules(),
        DueDateRule::default(),
    );
    let path = &r.paths[0];
    let window = path.window.expect("a window");
    // 12.50 of law + 7.50 of quality = 20.00 in the year; no infection-control or gender course.
    // 2025-12-03 is the day before the year starts and the registration day itself is after
    // it: neither counts.
    let credits = vec![
        credit(1, date(2025, 12, 3), Category::Professional, "5.00"),
        credit(2, date(2025, 12, 4), Category::Law, "12.50"),
        credit(3, date(2026, 12, 3), Category::Quality, "7.50"),
        credit(4, date(2026, 12, 4), Category::Professional, "5.00"),
    ];
    let evaluation = evaluate(&path.rules, window, &credits);
    assert_eq!(evaluation.total, Points::whole(20));
    assert!(evaluation.is_met());

    // A hundredth short: 12.49 + 7.50 = 19.99.
    let mut short = credits.clone();
    short[1].points = "12.49".parse().expect("points");
    let evaluation = evaluate(&path.rules, window, &short);
    assert_eq!(evaluation.missing_total(), Points::from_hundredths(1));
    assert!(!evaluation.is_met());

    // 30 points of categories 2–4 all count on this route (no 24-point cap): 30.00.
    let others = vec![credit(1, date(2026, 1, 5), Category::Ethics, "30.00")];
    assert_eq!(evaluate(&path.rules, window, &others).total, Points::whole(30));
}

#[test]
fn the_year_before_a_registration_on_29_february_starts_on_28_february() {
    // chrono falls back to the last day of the month: 2028-02-29 − 12 months = 2027-02-28.
    assert_eq!(
        year_before(date(2028, 2, 29)),
        Window { first_day: date(2027, 2, 28), last_day: date(2028, 2, 28) }
    );
}
