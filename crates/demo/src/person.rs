//! One generated member, from nothing but the seed and an index.

use chrono::{Datelike, NaiveDate};
use huzhu_core::licence::Window;
use rand::Rng;

use crate::catalogue::E_LEARNING;
use crate::credits::{Profile, credits};
use crate::history::{Subject, history};
use crate::model::{Credit, Learning, Licence, Person, Sex};
use crate::random::{DemoRng, add_years, date_between, one_of, stream, weighted, ymd};
use crate::{ids, names};

/// How large a set to generate, from which seed, and as of which day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoConfig {
    /// The number of generated members (the showcase comes on top).
    pub members: usize,
    pub seed: u64,
    /// Nothing in the set is dated after this day; current licences are as of this day.
    pub today: NaiveDate,
}

/// Person number `index` (0-based) of the generated set; depends only on (config.seed, index),
/// so callers can generate in parallel or in any order.
///
/// ID numbers, certificate and licence numbers and e-mail addresses are unique for indexes
/// below 5,900,000. `today` should be a day after 1990, when the youngest cohort has qualified.
pub fn person(config: &DemoConfig, index: usize) -> Person {
    let mut rng = stream(config.seed, index);
    let today = config.today;
    // About 95 % of nurses are women (DOMAIN §3: the second digit of most IDs is 2).
    let sex = if rng.random_range(0..1000) < 950 { Sex::Female } else { Sex::Male };
    let birth_date = birth_date(&mut rng, today);
    let id_number = ids::generated(&mut rng, config.seed, index, sex);
    let name = names::name(&mut rng, sex, birth_date.year());
    let subject = Subject { seed: config.seed, index, birth_date, sex, today };
    let history = history(&mut rng, &subject);
    let certified_on = history.certificates.iter().map(|c| c.issued_on).min().unwrap_or(today);
    let profile = Profile {
        certified_on,
        cycle_start: current_cycle_start(&history.licences),
        ended_on: history.ended_on,
        sites: &history.sites,
        midwife: history.midwife,
        today,
    };
    let credits = distinct_credits(credits(&mut rng, &profile));
    let learning = distinct_learning(learning(&mut rng, certified_on, today));
    Person {
        id_number,
        name,
        birth_date,
        sex,
        email: format!("nurse{index:06}@example.com"),
        certificates: history.certificates,
        licences: history.licences,
        credits,
        learning,
    }
}

/// Drops a credit that repeats an earlier one's natural key (course code, category, role, day
/// and topic marks; see migration 0006). Course codes are drawn at random, so a member may rarely get the
/// same code twice on one day; the database keeps one such row only.
fn distinct_credits(mut credits: Vec<Credit>) -> Vec<Credit> {
    let mut seen = std::collections::HashSet::new();
    credits.retain(|c| {
        seen.insert((c.course_code.clone(), c.category, c.role, c.date, c.infection_control, c.gender))
    });
    credits
}

/// Drops a course completed twice on the same day: the log keeps one record of it.
fn distinct_learning(mut log: Vec<Learning>) -> Vec<Learning> {
    let mut seen = std::collections::HashSet::new();
    log.retain(|l| seen.insert((l.course.clone(), l.completed_on)));
    log
}

/// The first day of the current licence's CE window.
fn current_cycle_start(licences: &[Licence]) -> Option<NaiveDate> {
    licences.last().map(|current| Window::ending_before(current.renewal_due).first_day)
}

/// Born 1960–2003, most in the 1980s and 1990s, and at least 23 years before `today`.
fn birth_date(rng: &mut DemoRng, today: NaiveDate) -> NaiveDate {
    let decade = weighted(rng, &[(1960, 12), (1970, 22), (1980, 30), (1990, 28), (2000, 8)]);
    let span = if decade == 2000 { 4 } else { 10 };
    let year = (decade + rng.random_range(0..span)).min(today.year() - 23).max(1960);
    date_between(rng, ymd(year, 1, 1), ymd(year, 12, 31))
}

const LEARNING_COUNTS: [(usize, u32); 11] =
    [(0, 25), (1, 10), (2, 12), (3, 12), (4, 10), (5, 9), (6, 7), (7, 5), (8, 4), (9, 3), (10, 3)];
const MINUTES: [u32; 11] = [30, 45, 50, 60, 90, 100, 120, 150, 180, 200, 240];

/// The portal's own e-learning log: a few courses of the last five years.
fn learning(rng: &mut DemoRng, certified_on: NaiveDate, today: NaiveDate) -> Vec<Learning> {
    let count = weighted(rng, &LEARNING_COUNTS);
    let first = certified_on.max(add_years(today, -5));
    let mut log: Vec<Learning> = (0..count)
        .map(|_| Learning {
            course: one_of(rng, &E_LEARNING).to_string(),
            minutes: one_of(rng, &MINUTES),
            completed_on: date_between(rng, first, today),
        })
        .collect();
    log.sort_by_key(|l| l.completed_on);
    log
}
