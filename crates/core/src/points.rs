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

    /// A whole number of points. Saturates instead of overflowing for absurd inputs.
    pub const fn whole(points: i64) -> Points {
        Points(points.saturating_mul(100))
    }

    pub const fn hundredths(self) -> i64 {
        self.0
    }

    pub fn is_zero(self) -> bool {
        self.0 == 0
    }

    /// The part of `self` above `other`, or zero.
    pub fn saturating_sub(self, other: Points) -> Points {
        Points(self.0.saturating_sub(other.0).max(0))
    }
}

/// The largest number of whole points [`Points::from_str`] accepts: twelve digits, far beyond
/// any real figure yet small enough that sums of millions of records cannot overflow.
const MAX_WHOLE_DIGITS: usize = 12;

impl FromStr for Points {
    type Err = PointsError;

    /// Parses "12", "7.2", "71.50", "+3", "-1.5" (a correction row). The grammar is an optional
    /// sign, one or more ASCII digits, and optionally a point followed by one or two digits:
    /// "1." and ".5" are refused as malformed, since an export that writes them is not the
    /// format expected. More than two decimals is an error rather than a rounding: a points
    /// figure that cannot be stored exactly is suspect.
    fn from_str(input: &str) -> Result<Points, PointsError> {
        let text = input.trim();
        if text.is_empty() {
            return Err(PointsError::Empty);
        }
        let (negative, unsigned) = split_sign(text);
        let (whole, fraction) = match unsigned.split_once('.') {
            Some((whole, fraction)) if !fraction.is_empty() => (whole, fraction),
            Some(_) => return Err(PointsError::Malformed),
            None => (unsigned, ""),
        };
        if !is_digits(whole) || !(fraction.is_empty() || is_digits(fraction)) || fraction.len() > 2 {
            return Err(PointsError::Malformed);
        }
        let hundredths = whole_hundredths(whole)? + fraction_hundredths(fraction);
        Ok(Points(if negative { -hundredths } else { hundredths }))
    }
}

fn split_sign(text: &str) -> (bool, &str) {
    match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    }
}

/// One or more ASCII digits; other scripts' digits are refused.
fn is_digits(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
}

/// The whole part in hundredths. Leading zeros do not count towards the digit limit.
fn whole_hundredths(digits: &str) -> Result<i64, PointsError> {
    let significant = digits.trim_start_matches('0');
    if significant.len() > MAX_WHOLE_DIGITS {
        return Err(PointsError::OutOfRange);
    }
    let whole: i64 =
        if significant.is_empty() { 0 } else { significant.parse().map_err(|_| PointsError::OutOfRange)? };
    Ok(whole * 100)
}

/// "" → 0, "5" → 50, "05" → 5, "25" → 25. The caller has checked: at most two ASCII digits.
fn fraction_hundredths(digits: &str) -> i64 {
    digits
        .bytes()
        .map(|b| char::from(b).to_digit(10).map_or(0, i64::from))
        .chain(std::iter::repeat(0))
        .take(2)
        .fold(0, |value, digit| value * 10 + digit)
}

impl fmt::Display for Points {
    /// Always two decimals, as the portal shows them: "71.50".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:02}", abs / 100, abs % 100)
    }
}

// Arithmetic saturates rather than overflowing: the values parsing can produce are far from
// the limits, and a saturated sum is still a wrong-looking number rather than a crash.
impl Add for Points {
    type Output = Points;
    fn add(self, other: Points) -> Points {
        Points(self.0.saturating_add(other.0))
    }
}

impl AddAssign for Points {
    fn add_assign(&mut self, other: Points) {
        *self = *self + other;
    }
}

impl Sub for Points {
    type Output = Points;
    fn sub(self, other: Points) -> Points {
        Points(self.0.saturating_sub(other.0))
    }
}

impl Sum for Points {
    fn sum<I: Iterator<Item = Points>>(iter: I) -> Points {
        iter.fold(Points::ZERO, Add::add)
    }
}
