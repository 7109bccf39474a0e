//! Licence dates: when a practice licence must be renewed and which six years of CE count.

use chrono::{Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};

/// How "the day after the sixth year is complete" (屆滿第六年之翌日, REG art. 8) is counted.
///
/// The sources do not settle it (DOMAIN §1.7, open question 3), so it is a setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DueDateRule {
    /// The day after the sixth anniversary: issued 2018-03-01, due 2024-03-02. This is the
    /// reading of DOMAIN's worked example (§1.9) and the default.
    #[default]
    DayAfterAnniversary,
    /// The anniversary itself, counting the six years as ending the day before it (Civil Code
    /// art. 121): issued 2018-03-01, due 2024-03-01.
    Anniversary,
}

/// The renewal due date (應更新日期) of a cycle that starts on `start` (the certificate's issue
/// date for a first registration, the registration date on the 1/6 route, or the previous due
/// date's cycle start on renewal). A start on 29 February anniversaries on 28 February.
pub fn renewal_due(start: NaiveDate, rule: DueDateRule) -> NaiveDate {
    let anniversary = start.checked_add_months(Months::new(72)).unwrap_or(NaiveDate::MAX);
    match rule {
        DueDateRule::DayAfterAnniversary => {
            anniversary.checked_add_days(Days::new(1)).unwrap_or(NaiveDate::MAX)
        }
        DueDateRule::Anniversary => anniversary,
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
    pub fn ending_before(due: NaiveDate) -> Window {
        Window {
            first_day: due.checked_sub_months(Months::new(72)).unwrap_or(NaiveDate::MIN),
            last_day: due.pred_opt().unwrap_or(NaiveDate::MIN),
        }
    }

    pub fn contains(&self, date: NaiveDate) -> bool {
        self.first_day <= date && date <= self.last_day
    }
}

/// The first day on which a renewal may be applied for: six months before the due date
/// (REG art. 7).
pub fn application_opens(due: NaiveDate) -> NaiveDate {
    due.checked_sub_months(Months::new(6)).unwrap_or(NaiveDate::MIN)
}
