//! Small helpers over the per-person random stream.

use chrono::{Days, Months, NaiveDate};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

pub(crate) type DemoRng = ChaCha8Rng;

/// The random stream of person `index`: one ChaCha stream per index, so a person depends only
/// on the seed and the index and people can be generated in any order.
pub(crate) fn stream(seed: u64, index: usize) -> DemoRng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(index as u64);
    rng
}

/// Picks from a table of `(value, weight)`; the weights need not add up to anything.
pub(crate) fn weighted<T: Copy>(rng: &mut DemoRng, table: &[(T, u32)]) -> T {
    let total: u32 = table.iter().map(|(_, w)| w).sum();
    let mut roll = rng.random_range(0..total.max(1));
    for (value, weight) in table {
        if roll < *weight {
            return *value;
        }
        roll -= weight;
    }
    table[table.len() - 1].0
}

pub(crate) fn one_of<T: Copy>(rng: &mut DemoRng, items: &[T]) -> T {
    items[rng.random_range(0..items.len())]
}

pub(crate) fn add_days(date: NaiveDate, days: i64) -> NaiveDate {
    let shifted = if days >= 0 {
        date.checked_add_days(Days::new(days.unsigned_abs()))
    } else {
        date.checked_sub_days(Days::new(days.unsigned_abs()))
    };
    shifted.unwrap_or(date)
}

pub(crate) fn add_years(date: NaiveDate, years: i32) -> NaiveDate {
    let months = Months::new(years.unsigned_abs() * 12);
    let shifted = if years >= 0 { date.checked_add_months(months) } else { date.checked_sub_months(months) };
    shifted.unwrap_or(date)
}

/// A day between `first` and `last`, both included; `first` when the range is empty.
pub(crate) fn date_between(rng: &mut DemoRng, first: NaiveDate, last: NaiveDate) -> NaiveDate {
    let span = (last - first).num_days();
    if span <= 0 {
        return first;
    }
    add_days(first, rng.random_range(0..=span))
}

/// A literal date of the hand-made data.
pub(crate) fn ymd(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).expect("literal dates in this crate are valid")
}
