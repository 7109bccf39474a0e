//! Taiwanese national identification numbers and resident certificate numbers.
//!
//! Three forms are accepted (DOMAIN §3): the national ID `A123456789` (second character 1 or 2),
//! the resident number issued since 2021 `A800000014` (8 or 9), and the older resident number
//! `AC01234567` (A to D). All three share one checksum, differing only in how the second character
//! is weighed.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Which kind of number an [`IdNumber`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum IdKind {
    /// 國民身分證統一編號.
    NationalId,
    /// 統一證號 in the format issued since 2021-01-02.
    ResidentNew,
    /// 統一證號 in the older format, usable until 2030-12-31.
    ResidentOld,
}

/// Why a string is not an identification number. The variants are coarse on purpose: a sign-in
/// form shows one message for all of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("the number is empty")]
    Empty,
    #[error("the number must have 10 characters")]
    Length,
    #[error("the number must start with a letter followed by a valid second character and 8 digits")]
    Pattern,
    #[error("the check digit does not match")]
    Checksum,
}

/// A validated, normalized identification number (upper-case ASCII, 10 characters).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct IdNumber(String);

impl IdNumber {
    /// Normalizes `input` (see [`normalize`]) and validates pattern and checksum.
    pub fn parse(input: &str) -> Result<IdNumber, IdError> {
        let text = normalize(input);
        if text.is_empty() {
            return Err(IdError::Empty);
        }
        // Counted in characters, not bytes, so that "A12345678é" is a pattern error rather
        // than a length error: the user typed ten characters.
        if text.chars().count() != 10 {
            return Err(IdError::Length);
        }
        let bytes = text.as_bytes();
        let kind = kind_of(bytes).ok_or(IdError::Pattern)?;
        if !checksum_total(bytes, kind).is_multiple_of(10) {
            return Err(IdError::Checksum);
        }
        Ok(IdNumber(text))
    }

    /// The full number. Prefer [`IdNumber::masked`] for anything a person may read over a
    /// shoulder or in a log.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Which of the three formats the number is in, read from its second character.
    pub fn kind(&self) -> IdKind {
        kind_of(self.0.as_bytes()).unwrap_or(IdKind::NationalId)
    }

    /// The number with its middle hidden, as it may appear on screens and in logs:
    /// `A12*****89`.
    ///
    /// Built from characters rather than byte slices, so it cannot panic even if the invariant
    /// (ten ASCII characters) were ever broken.
    pub fn masked(&self) -> String {
        self.0
            .chars()
            .enumerate()
            .map(|(position, c)| if (3..8).contains(&position) { '*' } else { c })
            .collect()
    }

    /// Builds a valid number from its first nine characters by appending the check digit.
    /// Returns `None` when the nine characters do not form a valid prefix.
    pub fn with_check_digit(first_nine: &str) -> Option<IdNumber> {
        let mut text = normalize(first_nine);
        if text.len() != 9 {
            return None;
        }
        // A provisional check digit of 0 adds nothing to the sum, so the sum is that of the
        // nine characters alone.
        text.push('0');
        let kind = kind_of(text.as_bytes())?;
        let total = checksum_total(text.as_bytes(), kind);
        let check = (10 - total % 10) % 10;
        text.pop();
        text.push(char::from_digit(check, 10)?);
        Some(IdNumber(text))
    }
}

impl fmt::Debug for IdNumber {
    /// Debug output is masked so that a stray `{:?}` never writes a full ID into a log.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IdNumber({})", self.masked())
    }
}

impl TryFrom<String> for IdNumber {
    type Error = IdError;
    fn try_from(value: String) -> Result<IdNumber, IdError> {
        IdNumber::parse(&value)
    }
}

impl From<IdNumber> for String {
    fn from(value: IdNumber) -> String {
        value.0
    }
}

/// Folds full-width ASCII (as typed by Chinese input methods) to half-width, trims white space
/// of any width (the ideographic space included) from both ends and upper-cases ASCII letters.
///
/// White space inside the number is kept, so that validation refuses it: DOMAIN §3.3 and the
/// design ask for a trim, and a gap in the middle is more likely a slip than a grouping.
/// Anything else is kept too, for the same reason.
pub fn normalize(input: &str) -> String {
    let folded: String = input.chars().filter(|c| !is_invisible(*c)).map(fold_full_width).collect();
    folded.trim().to_ascii_uppercase()
}

/// Zero-width characters that come along when an ID is copied from a web page or a document;
/// they cannot be seen, so the member cannot be asked to remove them.
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}')
}

/// U+FF01..U+FF5E mirror ASCII 0x21..0x7E at a fixed distance; the ideographic space is left
/// for `trim`, which knows it as white space.
fn fold_full_width(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c),
        _ => c,
    }
}

/// The two-digit value of an area letter (DOMAIN §3.1). I, O, W and Z were added last, which is
/// why the table is not alphabetical.
fn letter_value(letter: u8) -> Option<u32> {
    const VALUES: [u32; 26] = [
        10, 11, 12, 13, 14, 15, 16, 17, 34, 18, 19, 20, 21, 22, 35, 23, 24, 25, 26, 27, 28, 29, 32, 30, 31,
        33,
    ];
    if !letter.is_ascii_uppercase() {
        return None;
    }
    VALUES.get(usize::from(letter - b'A')).copied()
}

/// The kind of a ten-byte number whose pattern is right, or `None`.
fn kind_of(bytes: &[u8]) -> Option<IdKind> {
    let [area, second, digits @ ..] = bytes else {
        return None;
    };
    if digits.len() != 8 || letter_value(*area).is_none() {
        return None;
    }
    if !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    match second {
        b'1' | b'2' => Some(IdKind::NationalId),
        b'8' | b'9' => Some(IdKind::ResidentNew),
        b'A'..=b'D' => Some(IdKind::ResidentOld),
        _ => None,
    }
}

/// The weighted sum of DOMAIN §3.2, including the check digit: valid numbers give a multiple of 10.
/// The caller has checked the pattern; on a malformed input the sum is meaningless but the
/// function still returns rather than panicking.
fn checksum_total(bytes: &[u8], kind: IdKind) -> u32 {
    let [area, second, digits @ ..] = bytes else {
        return 1;
    };
    let area = letter_value(*area).unwrap_or(0);
    // The old resident number weighs its second letter by the units digit of its letter value.
    let second = match kind {
        IdKind::ResidentOld => letter_value(*second).unwrap_or(0) % 10,
        _ => digit_value(*second),
    };
    let weights = [7, 6, 5, 4, 3, 2, 1, 1];
    let rest: u32 = digits.iter().map(|b| digit_value(*b)).zip(weights).map(|(d, w)| d * w).sum();
    area / 10 + (area % 10) * 9 + second * 8 + rest
}

fn digit_value(byte: u8) -> u32 {
    char::from(byte).to_digit(10).unwrap_or(0)
}
