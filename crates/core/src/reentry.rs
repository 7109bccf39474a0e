//! Returning to practice after 歇業: what a new registration needs, worked out for one member's
//! dates (REG arts. 5, 6 and 8; DOMAIN §1.6 and the association's worked cases in §1.8).
//!
//! Four cases, by two questions: has the 歇業 lasted more than two years, and is the new
//! registration on or before the old licence's 應更新日期?
//!
//! | 歇業 | registering | what is needed | new 應更新日期 |
//! |---|---|---|---|
//! | ≤ 2 years | on or before the old due date | no CE proof (art. 5 item 3) | the old one |
//! | > 2 years | on or before the old due date | 1/6 of the total in the year before, or the full total in the old licence's window | registration + 6 years, or the old one |
//! | ≤ 2 years | after the old due date | the full total in the six years before registering | registration + 6 years |
//! | > 2 years | after the old due date | 1/6 in the year before, or the full total in the six years before | registration + 6 years |
//!
//! "Registration + 6 years" is counted like every due date, by [`renewal_due`] under the
//! configured [`DueDateRule`].

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::licence::{DueDateRule, Window, renewal_due};
use crate::points::Points;
use crate::rules::RuleSet;

/// Which kind of proof a path asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Route {
    /// Nothing: the registration keeps the old due date (REG art. 5 item 3).
    NoProof,
    /// A sixth of the total within the year before registering (REG art. 6).
    OneSixth,
    /// The full total within a six-year window.
    FullTotal,
}

/// One way back into practice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnPath {
    pub route: Route,
    /// The records that count for this path; `None` when no proof is needed.
    pub window: Option<Window>,
    /// The rule the records of the window are judged by.
    pub rules: RuleSet,
    /// The due date of the licence this path leads to.
    pub new_due: NaiveDate,
}

/// The situation of a member who has ceased practice, and the paths open to her.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Return {
    pub closed_on: NaiveDate,
    pub old_due: NaiveDate,
    pub register_on: NaiveDate,
    /// The 歇業 has lasted more than two years by `register_on`.
    pub long_closure: bool,
    /// `register_on` is on or before the old due date.
    pub within_old_due: bool,
    pub paths: Vec<ReturnPath>,
}

/// What registering again on `register_on` needs, for a licence closed (歇業) on `closed_on`
/// whose due date was `old_due`. `rules` is the rule set of a full cycle.
pub fn return_paths(
    closed_on: NaiveDate,
    old_due: NaiveDate,
    register_on: NaiveDate,
    rules: &RuleSet,
    due_rule: DueDateRule,
) -> Return {
    let long_closure = more_than_two_years(closed_on, register_on);
    let within_old_due = register_on <= old_due;
    let restart = renewal_due(register_on, due_rule);
    let one_sixth = ReturnPath {
        route: Route::OneSixth,
        window: Some(year_before(register_on)),
        rules: rules.one_sixth(),
        new_due: restart,
    };
    let paths = match (long_closure, within_old_due) {
        (false, true) => {
            vec![ReturnPath { route: Route::NoProof, window: None, rules: rules.clone(), new_due: old_due }]
        }
        (true, true) => vec![
            one_sixth,
            ReturnPath {
                route: Route::FullTotal,
                window: Some(Window::ending_before(old_due)),
                rules: rules.clone(),
                new_due: old_due,
            },
        ],
        (false, false) => vec![six_years_before(register_on, rules, restart)],
        (true, false) => vec![one_sixth, six_years_before(register_on, rules, restart)],
    };
    Return { closed_on, old_due, register_on, long_closure, within_old_due, paths }
}

fn six_years_before(register_on: NaiveDate, rules: &RuleSet, new_due: NaiveDate) -> ReturnPath {
    ReturnPath {
        route: Route::FullTotal,
        window: Some(Window::ending_before(register_on)),
        rules: rules.clone(),
        new_due,
    }
}

/// "歇業超過二年": registering on any day after the second anniversary of the 歇業 date.
/// Closed 2024-06-30: 2026-06-30 is exactly two years, 2026-07-01 more than two.
pub fn more_than_two_years(closed_on: NaiveDate, register_on: NaiveDate) -> bool {
    match closed_on.checked_add_months(Months::new(24)) {
        Some(two_years) => register_on > two_years,
        None => false,
    }
}

/// The year before a registration: from the same day a year earlier to the day before it.
/// Registering 2026-12-04 counts 2025-12-04 to 2026-12-03.
pub fn year_before(register_on: NaiveDate) -> Window {
    Window {
        first_day: register_on.checked_sub_months(Months::new(12)).unwrap_or(NaiveDate::MIN),
        last_day: register_on.pred_opt().unwrap_or(NaiveDate::MIN),
    }
}

/// The points a path asks for.
pub fn required(path: &ReturnPath) -> Points {
    match path.route {
        Route::NoProof => Points::ZERO,
        _ => path.rules.total_required,
    }
}
