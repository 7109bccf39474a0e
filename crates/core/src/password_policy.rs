//! What makes a password acceptable (NIST SP 800-63B §5.1.1.2, OWASP ASVS 2.1).
//!
//! The default follows NIST: a minimum length, no composition rules, and a refusal of common
//! and guessable passwords. Taiwanese government baselines ask for character classes as well,
//! so [`PasswordPolicy::government_baseline`] turns those on. Passwords are compared after NFC
//! normalization and are never truncated.
//!
//! Common and breached passwords are judged by zxcvbn, which ships its dictionaries (the most
//! common passwords of public breaches, English words, names) inside the program, so no network
//! is needed. Its dictionaries are English ones, so it rates the common passwords of Taiwan
//! (keyboard walks such as 1qaz2wsx3edc, love numbers such as 5201314, pinyin) too high: a short
//! list of them ships too (`common_passwords.txt`), and the service's own words (huzhu, nurse,
//! 護理…) are given to zxcvbn as guessable. The member's own ID number, birth date and e-mail
//! name are refused outright.

use std::sync::LazyLock;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

use crate::roc::ROC_OFFSET;

/// Which set of rules applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Profile {
    /// NIST SP 800-63B: length and a strength estimate, no composition rules.
    #[default]
    Nist,
    /// Also at least three of: upper case, lower case, digit, other character.
    GovernmentBaseline,
}

/// The rules a new password must meet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordPolicy {
    /// Fewest characters (Unicode scalar values after NFC).
    pub min_length: usize,
    /// Most characters; NIST asks that it be at least 64.
    pub max_length: usize,
    /// How many of the four character classes must appear; 0 turns the rule off.
    pub min_classes: usize,
    /// Lowest zxcvbn score accepted (0–4); 3 means "safely unguessable" (about 10⁸ guesses).
    pub min_strength: u8,
}

/// What a password is checked against besides itself.
#[derive(Debug, Clone, Default)]
pub struct PersonalData<'a> {
    pub id_number: &'a str,
    pub birth_date: Option<NaiveDate>,
    pub email: &'a str,
}

/// Why a password was refused. Each maps to one message for the member.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    TooShort {
        min: usize,
    },
    TooLong {
        max: usize,
    },
    TooFewClasses {
        min: usize,
    },
    /// Common, found in breaches, or otherwise easy to guess.
    Guessable,
    ContainsIdNumber,
    ContainsBirthDate,
    ContainsEmailName,
}

impl Problem {
    /// The catalog key of the message for the member.
    pub fn message_key(self) -> &'static str {
        match self {
            Problem::TooShort { .. } => "password.too_short",
            Problem::TooLong { .. } => "password.too_long",
            Problem::TooFewClasses { .. } => "password.too_few_classes",
            Problem::Guessable => "password.guessable",
            Problem::ContainsIdNumber => "password.contains_id",
            Problem::ContainsBirthDate => "password.contains_birth_date",
            Problem::ContainsEmailName => "password.contains_email",
        }
    }
}

impl Default for PasswordPolicy {
    fn default() -> PasswordPolicy {
        PasswordPolicy::for_profile(Profile::Nist, 12)
    }
}

impl PasswordPolicy {
    pub fn for_profile(profile: Profile, min_length: usize) -> PasswordPolicy {
        let min_classes = match profile {
            Profile::Nist => 0,
            Profile::GovernmentBaseline => 3,
        };
        PasswordPolicy { min_length, max_length: 128, min_classes, min_strength: 3 }
    }

    pub fn government_baseline() -> PasswordPolicy {
        PasswordPolicy::for_profile(Profile::GovernmentBaseline, 12)
    }

    /// The first problem with `password`, or `None` when it is acceptable. The checks run from
    /// the cheapest to the dearest, and the strength estimate only on passwords within length.
    pub fn check(&self, password: &str, personal: &PersonalData<'_>) -> Option<Problem> {
        let password = normalize(password);
        let length = password.chars().count();
        if length < self.min_length {
            return Some(Problem::TooShort { min: self.min_length });
        }
        if length > self.max_length {
            return Some(Problem::TooLong { max: self.max_length });
        }
        // The rules look at the password as its characters read, whatever their width: a
        // keyboard in full-width mode types 'Ａ２３３' for 'A233', which must neither slip an ID
        // or a common password past them nor leave the composition rule short of classes. Only
        // the checks use this form; the password is kept as typed (NFC).
        let password: String = password.nfkc().collect();
        if let Some(problem) = personal_problem(&password, personal) {
            return Some(problem);
        }
        if character_classes(&password) < self.min_classes {
            return Some(Problem::TooFewClasses { min: self.min_classes });
        }
        if common_password(&password) {
            return Some(Problem::Guessable);
        }
        let mut inputs = vec![personal.id_number, personal.email];
        inputs.extend_from_slice(SERVICE_WORDS);
        if u8::from(zxcvbn::zxcvbn(&password, &inputs).score()) < self.min_strength {
            return Some(Problem::Guessable);
        }
        None
    }
}

/// Words of this service that people build passwords from ("Huzhu@2026!!", "Nurse@2026!!").
/// zxcvbn is given them as guessable words, as it is the member's own data, and
/// [`common_password`] treats them as listed.
const SERVICE_WORDS: &[&str] =
    &["huzhu", "護助", "nurse", "護理", "midwife", "助產", "taiwan", "mohw", "demo"];

/// The common passwords of `common_passwords.txt` (without its comments and blank lines) and the
/// service's words, longest first, so that a longer entry is taken out before a shorter one
/// inside it ("qwertyuiop" before "qwerty").
static COMMON_WORDS: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
    let listed = include_str!("common_passwords.txt").lines().map(str::trim);
    let listed = listed.filter(|line| !line.is_empty() && !line.starts_with('#'));
    let mut words: Vec<&str> = listed.chain(SERVICE_WORDS.iter().copied()).collect();
    words.sort_by_key(|word| std::cmp::Reverse(word.chars().count()));
    words
});

/// Whether `password` is made of listed common passwords and service words with nothing but
/// digits and symbols around and between them ("Woaini1314520!", "iloveyou2026",
/// "Huzhu-demo-2026!"), in any case. zxcvbn alone lets these through: it counts the digits and
/// symbols after a word as a random string of that length. The password is read two ways: with
/// its symbols dropped, and with each shifted digit of a US keyboard read as that digit, so
/// "!QAZ2wsx#EDC" (typed with shift on the 1 and the 3) is the walk 1qaz2wsx3edc.
fn common_password(password: &str) -> bool {
    let dropped = letters_and_digits(password);
    let unshifted = letters_and_digits(&password.chars().map(unshift_digit).collect::<String>());
    only_common_words(&dropped) || only_common_words(&unshifted)
}

/// Whether taking every common word out of `folded` leaves digits alone, and there was one.
fn only_common_words(folded: &str) -> bool {
    let mut rest = folded.to_owned();
    let mut found = false;
    for word in COMMON_WORDS.iter() {
        if rest.contains(word) {
            rest = rest.replace(word, "");
            found = true;
        }
    }
    found && rest.chars().all(|c| c.is_ascii_digit())
}

/// The digit a symbol of the US keyboard's digit row is typed with (`!` is shift+1), or the
/// character itself.
fn unshift_digit(c: char) -> char {
    const SHIFTED: &str = ")!@#$%^&*(";
    SHIFTED.chars().position(|s| s == c).and_then(|d| char::from_digit(d as u32, 10)).unwrap_or(c)
}

/// NFC, so that the same characters typed on two keyboards give the same password.
pub fn normalize(password: &str) -> String {
    password.nfc().collect()
}

/// How many of upper case, lower case, digits and symbols appear. A space is not a symbol:
/// every passphrase has some, so counting them would make the rule ask one class less.
fn character_classes(password: &str) -> usize {
    let has = |test: fn(&char) -> bool| password.chars().any(|c| test(&c));
    [
        has(|c| c.is_uppercase()),
        has(|c| c.is_lowercase()),
        has(|c| c.is_ascii_digit()),
        has(|c| !c.is_alphanumeric() && !c.is_whitespace()),
    ]
    .into_iter()
    .filter(|present| *present)
    .count()
}

fn personal_problem(password: &str, personal: &PersonalData<'_>) -> Option<Problem> {
    let folded = password.to_lowercase();
    let id = personal.id_number.to_lowercase();
    // The ID, all but its first letter, or its digits alone, which is how people often
    // abbreviate it: nine digits of a national ID or a resident number issued since 2021
    // (F223456786, A800000014), eight of an older resident number with two letters (AC01234567).
    let digits_part = id.trim_start_matches(|c: char| c.is_ascii_alphabetic());
    if id.len() == 10
        && (folded.contains(&id)
            || folded.contains(&id[1..])
            || (digits_part.len() >= 8 && folded.contains(digits_part)))
    {
        return Some(Problem::ContainsIdNumber);
    }
    let digits: String = password.chars().filter(char::is_ascii_digit).collect();
    if let Some(birth) = personal.birth_date
        && birth_date_forms(birth).iter().any(|form| digits.contains(form.as_str()))
    {
        return Some(Problem::ContainsBirthDate);
    }
    let name = email_name(personal.email);
    if name.chars().count() >= MIN_EMAIL_NAME && letters_and_digits(password).contains(&name) {
        return Some(Problem::ContainsEmailName);
    }
    None
}

/// The shortest e-mail name that is refused inside a password: three letters (`lin`, `amy`)
/// turn up inside too many ordinary words to refuse them all.
const MIN_EMAIL_NAME: usize = 4;

/// The name of an e-mail address as people write it in a password: the local part before any
/// `+` tag, as letters and digits in lower case, so `Chen_Yating` and `chen.yating+x@…` are
/// both `chenyating`.
fn email_name(email: &str) -> String {
    let local = email.rsplit_once('@').map_or(email, |(local, _)| local);
    let untagged = local.split('+').next().unwrap_or("");
    letters_and_digits(untagged)
}

/// The letters and digits of `text` in lower case; separators, spaces and symbols dropped.
fn letters_and_digits(text: &str) -> String {
    text.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

/// The ways a birth date is written with digits: Gregorian 19900405 and 900405, ROC 790405 and
/// 0790405 (民國79年). Separators are ignored because only the digits are compared.
fn birth_date_forms(birth: NaiveDate) -> Vec<String> {
    let (y, m, d) = (birth.year(), birth.month(), birth.day());
    let roc = y - ROC_OFFSET;
    vec![
        format!("{y:04}{m:02}{d:02}"),
        format!("{:02}{m:02}{d:02}", y % 100),
        format!("{roc}{m:02}{d:02}"),
        format!("{roc:03}{m:02}{d:02}"),
    ]
}
