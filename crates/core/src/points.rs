//! Continuing-education points as exact fixed-point numbers.
//!
//! Points carry two decimals (a course may be worth 1.8 or 7.25 points). They are kept as whole
//! hundredths in an `i64`, so sums never drift the way binary floating point does.

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Sub};
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A number of CE points, stored as hundredths of a point.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
pub struct Points(i64);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PointsError {
    #[error("points are empty")]
    Empty,
    #[error("points are not a number with at most two decimals")]
    Malformed,
    #[error("points are out of range")]
    OutOfRange,
}

impl Points {
    pub const ZERO: Points = Points(0);

    pub const fn from_hundredths(hundredths: i64) -> Points {
        Points(hundredths)
    }

    pub const fn whole(points: i64) -> Points {
        Points(points * 100)
    }

    pub const fn hundredths(self) -> i64 {
        self.0
    }

    pub fn is_zero(self) -> bool {
        self.0 == 0
    }

    /// The part of `self` above `other`, or zero.
    pub fn saturating_sub(self, other: Points) -> Points {
        Points((self.0 - other.0).max(0))
    }
}

impl FromStr for Points {
    type Err = PointsError;

    /// Parses "12", "7.2", "71.50", "-1.5" (a correction row). More than two decimals is an
    /// error rather than a rounding: a points figure that cannot be stored exactly is suspect.
    fn from_str(input: &str) -> Result<Points, PointsError> {
        let text = input.trim();
        if text.is_empty() {
            return Err(PointsError::Empty);
        }
        let (negative, digits) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text.strip_prefix('+').unwrap_or(text)),
        };
        let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() || !all_digits(whole) || !all_digits(fraction) || fraction.len() > 2 {
            return Err(PointsError::Malformed);
        }
        if digits.ends_with('.') {
            return Err(PointsError::Malformed);
        }
        if whole.len() > 12 {
            return Err(PointsError::OutOfRange);
        }
        let whole: i64 = whole.parse().map_err(|_| PointsError::OutOfRange)?;
        let mut cents: i64 = fraction.parse().unwrap_or(0);
        if fraction.len() == 1 {
            cents *= 10;
        }
        let value = whole * 100 + cents;
        Ok(Points(if negative { -value } else { value }))
    }
}

impl fmt::Display for Points {
    /// Always two decimals, as the portal shows them: "71.50".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:02}", abs / 100, abs % 100)
    }
}

impl Add for Points {
    type Output = Points;
    fn add(self, other: Points) -> Points {
        Points(self.0 + other.0)
    }
}

impl AddAssign for Points {
    fn add_assign(&mut self, other: Points) {
        self.0 += other.0;
    }
}

impl Sub for Points {
    type Output = Points;
    fn sub(self, other: Points) -> Points {
        Points(self.0 - other.0)
    }
}

impl Sum for Points {
    fn sum<I: Iterator<Item = Points>>(iter: I) -> Points {
        iter.fold(Points::ZERO, Add::add)
    }
}
