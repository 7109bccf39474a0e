//! Licence dates: when a practice licence must be renewed and which six years of CE count.
//!
//! Periods in law are counted by the Civil Code (民法 art. 119 to 121): a period of years ends on
//! the day before the day of the last year that corresponds to its first counted day, or, when
//! that month has no such day (29 February), on the last day of that month. The due date
//! (應更新日期, "屆滿第六年之翌日") is the day after the period ends.

use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};

/// Six years, the length of a CE cycle (REG art. 13).
const CYCLE: Months = Months::new(72);

/// How "the day after the sixth year is complete" (屆滿第六年之翌日, REG art. 8) is counted.
///
/// The sources do not settle it (DOMAIN §1.7, open question 3), so it is a setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DueDateRule {
    /// The day after the sixth anniversary: issued 2018-03-01, due 2024-03-02. The start day is
    /// not counted (Civil Code art. 120 para. 2), so the six years run 2018-03-02 to
    /// 2024-03-01. This is the reading of DOMAIN's worked example (§1.9) and the default.
    #[default]
    DayAfterAnniversary,
    /// The anniversary itself: issued 2018-03-01, due 2024-03-01. The start day is counted, so
    /// the six years run 2018-03-01 to 2024-02-29 (Civil Code art. 121).
    Anniversary,
}

impl DueDateRule {
    /// The first day of the six years that start on `start`.
    fn first_counted_day(self, start: NaiveDate) -> NaiveDate {
        match self {
            DueDateRule::DayAfterAnniversary => start.succ_opt().unwrap_or(NaiveDate::MAX),
            DueDateRule::Anniversary => start,
        }
    }
}

/// The renewal due date (應更新日期) of a cycle that starts on `start` (the certificate's issue
/// date for a first registration, the registration date on the 1/6 route, or the previous due
/// date's cycle start on renewal).
///
/// Around 29 February the Civil Code and naive calendar arithmetic part ways, and this follows
/// the Civil Code: with the default rule a start on 2020-02-29 is due 2026-03-01, and a start on
/// 2022-02-28 is due 2028-03-01 (the six years run 2022-03-01 to 2028-02-29).
pub fn renewal_due(start: NaiveDate, rule: DueDateRule) -> NaiveDate {
    let last_day = last_day_of_cycle(rule.first_counted_day(start));
    last_day.succ_opt().unwrap_or(NaiveDate::MAX)
}

/// The last day of six years whose first day is `first_day` (Civil Code art. 121).
fn last_day_of_cycle(first_day: NaiveDate) -> NaiveDate {
    // `checked_add_months` falls back to the last day of the month when the day does not exist
    // there, which is exactly the case art. 121 para. 2 ends the period on.
    let Some(same_day_later) = first_day.checked_add_months(CYCLE) else {
        return NaiveDate::MAX;
    };
    if same_day_later.day() == first_day.day() {
        same_day_later.pred_opt().unwrap_or(NaiveDate::MIN)
    } else {
        same_day_later
    }
}

/// The six-year window whose points count towards a renewal due on `due`: from six years before
/// the due date to the day before it, both inclusive (DOMAIN §1.8, §1.9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Window {
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
}

impl Window {
    /// The window of a licence known only by its due date, as the credit system pre-fills it:
    /// due 2024-03-02 gives 2018-03-02 to 2024-03-01.
    ///
    /// A due date alone cannot tell whether a cycle began on 29 February: due 2026-03-01 may
    /// come from a start on 2020-02-28 (first counted day 2020-02-29) or on 2020-02-29 (first
    /// counted day 2020-03-01). This takes the later. When the start is known, prefer
    /// [`Window::of_cycle`].
    pub fn ending_before(due: NaiveDate) -> Window {
        Window {
            first_day: due.checked_sub_months(CYCLE).unwrap_or(NaiveDate::MIN),
            last_day: due.pred_opt().unwrap_or(NaiveDate::MIN),
        }
    }

    /// The window of the cycle that starts on `start` under `rule`: its first counted day to the
    /// day before [`renewal_due`].
    pub fn of_cycle(start: NaiveDate, rule: DueDateRule) -> Window {
        let first_day = rule.first_counted_day(start);
        Window { first_day, last_day: last_day_of_cycle(first_day) }
    }

    pub fn contains(&self, date: NaiveDate) -> bool {
        self.first_day <= date && date <= self.last_day
    }
}

/// The first day on which a renewal may be applied for: six months before the due date
/// (REG art. 7). Due 2024-03-02 opens 2023-09-02 (DOMAIN §1.9).
pub fn application_opens(due: NaiveDate) -> NaiveDate {
    due.checked_sub_months(Months::new(6)).unwrap_or(NaiveDate::MIN)
}
