//! Random input never makes the parsers or the rule panic, and what they accept is consistent.
//!
//! The generator is a fixed-seed xorshift, so every run sees the same inputs and a failure can
//! be replayed. Strings are drawn from an alphabet weighted towards what the parsers look for
//! (digits, letters, separators, 年月日, full-width forms) plus things they must refuse (emoji,
//! combining marks, other scripts' digits, control characters).

use chrono::{Datelike, NaiveDate};
use huzhu_core::id::{IdNumber, normalize};
use huzhu_core::licence::{DueDateRule, Window, renewal_due};
use huzhu_core::points::Points;
use huzhu_core::roc;
use huzhu_core::rules::{Activity, CapPeriod, Category, Credit, RuleSet, evaluate};

struct Xorshift(u64);

impl Xorshift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, bound: usize) -> usize {
        usize::try_from(self.next() % u64::try_from(bound).expect("small")).expect("small")
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    fn text(&mut self, alphabet: &[char], max_len: usize) -> String {
        let len = self.below(max_len + 1);
        (0..len).map(|_| *self.pick(alphabet)).collect()
    }
}

const ALPHABET: &[char] = &[
    '0',
    '1',
    '2',
    '3',
    '4',
    '5',
    '6',
    '7',
    '8',
    '9',
    '0',
    '1',
    '2',
    '9',
    'A',
    'B',
    'C',
    'D',
    'E',
    'I',
    'O',
    'W',
    'Z',
    'a',
    'z',
    '/',
    '-',
    '.',
    '+',
    ',',
    ' ',
    '\t',
    '\n',
    '\u{0}',
    '年',
    '月',
    '日',
    '民',
    '國',
    '０',
    '１',
    '９',
    'Ａ',
    'ａ',
    '／',
    '－',
    '．',
    '\u{3000}',
    '\u{00A0}',
    '\u{FEFF}',
    '\u{0301}',
    '\u{200B}',
    'é',
    'Α',
    'А',
    '١',
    '٩',
    '½',
    '😀',
    '𠀀',
    '\u{FF5E}',
    '\u{FF01}',
    '\u{10FFFF}',
];

/// Mostly ID-like strings: a letter, a second character, digits, with random damage.
fn id_like(rng: &mut Xorshift) -> String {
    let mut text: Vec<char> = format!(
        "{}{}{}",
        rng.pick(&['A', 'F', 'T', 'Z', 'a', 'Ａ', '1', 'é']),
        rng.pick(&['1', '2', '8', '9', 'A', 'D', 'E', '0', '１']),
        (0..8).map(|_| *rng.pick(&['0', '3', '7', '9', '９'])).collect::<String>()
    )
    .chars()
    .collect();
    if rng.below(3) == 0 && !text.is_empty() {
        let at = rng.below(text.len());
        text[at] = *rng.pick(ALPHABET);
    }
    if rng.below(5) == 0 {
        text.push(*rng.pick(ALPHABET));
    }
    text.into_iter().collect()
}

const ROUNDS: usize = 20_000;

#[test]
fn random_strings_never_panic_the_id_parser_and_accepted_ids_are_canonical() {
    let mut rng = Xorshift(0x9E37_79B9_7F4A_7C15);
    for round in 0..ROUNDS {
        let input = if round % 2 == 0 { rng.text(ALPHABET, 14) } else { id_like(&mut rng) };
        let _ = normalize(&input);
        let _ = IdNumber::with_check_digit(&input);
        if let Ok(id) = IdNumber::parse(&input) {
            let text = id.as_str();
            assert!(text.len() == 10 && text.is_ascii(), "{input:?} → {text:?}");
            assert_eq!(IdNumber::parse(text).as_ref(), Ok(&id));
            assert_eq!(id.masked().chars().filter(|c| *c == '*').count(), 5);
            let _ = id.kind();
        }
    }
}

#[test]
fn random_strings_never_panic_the_roc_parser_and_accepted_dates_round_trip() {
    let mut rng = Xorshift(0xD1B5_4A32_D192_ED03);
    for _ in 0..ROUNDS {
        let input = rng.text(ALPHABET, 16);
        if let Ok(day) = roc::parse(&input) {
            assert!(day.year() >= 1912, "{input:?} → {day}");
            assert_eq!(roc::parse(&roc::format_short(day)), Ok(day), "{input:?}");
        }
    }
}

#[test]
fn random_strings_never_panic_the_points_parser_and_accepted_points_round_trip() {
    let mut rng = Xorshift(0x2545_F491_4F6C_DD1D);
    for _ in 0..ROUNDS {
        let input = rng.text(ALPHABET, 24);
        if let Ok(points) = input.parse::<Points>() {
            assert_eq!(points.to_string().parse::<Points>(), Ok(points), "{input:?}");
        }
    }
}

#[test]
fn random_date_triples_never_panic_from_roc_or_the_licence_dates() {
    let mut rng = Xorshift(0x1234_5678_9ABC_DEF1);
    for round in 0..ROUNDS {
        // Half the years near the present, half anywhere in u32.
        let any_year = u32::try_from(rng.next() >> 32).expect("32 bits");
        let year = if round % 2 == 0 { any_year % 1000 } else { any_year };
        let month = u32::try_from(rng.below(14)).expect("small");
        let day = u32::try_from(rng.below(33)).expect("small");
        let Ok(start) = roc::from_roc(year, month, day) else {
            continue;
        };
        for rule in [DueDateRule::DayAfterAnniversary, DueDateRule::Anniversary] {
            let due = renewal_due(start, rule);
            assert!(due > start, "{start} {rule:?}");
            assert_eq!(Window::of_cycle(start, rule).last_day.succ_opt(), Some(due));
        }
    }
}

/// A random record: any activity row 0..=10, any category, points from -5.00 to 99.99 (with
/// the occasional huge one, still far from where sums would saturate), dates around the window,
/// some invalid.
fn random_credit(rng: &mut Xorshift, id: i64) -> Credit {
    let start = NaiveDate::from_ymd_opt(2017, 1, 1).expect("a real date");
    let days = u64::try_from(rng.below(365 * 9)).expect("small");
    let hundredths = if rng.below(50) == 0 {
        1_000_000_000_000_000
    } else {
        i64::try_from(rng.below(10_500)).expect("small") - 500
    };
    Credit {
        id,
        date: start.checked_add_days(chrono::Days::new(days)).expect("inside the calendar"),
        activity: Activity(u8::try_from(rng.below(11)).expect("small")),
        category: *rng.pick(&Category::ALL),
        infection_control: rng.below(4) == 0,
        gender: rng.below(4) == 0,
        points: Points::from_hundredths(hundredths),
        invalid_reason: (rng.below(10) == 0).then(|| String::from("無效")),
        // Any id of the batch (ids repeat every 40 records), or none: the rule must hold
        // whatever a correction names, itself included.
        corrects: (rng.below(2) == 0).then(|| i64::try_from(rng.below(40)).expect("small")),
    }
}

#[test]
fn random_records_never_panic_the_rule_and_its_sums_agree() {
    let mut rng = Xorshift(0x0F0F_1234_ABCD_5555);
    let window = Window::ending_before(NaiveDate::from_ymd_opt(2024, 3, 2).expect("a real date"));
    for rules in [
        RuleSet::nurses_and_midwives(Points::whole(80), Points::whole(80)),
        RuleSet::nurses_and_midwives(Points::whole(60), Points::whole(60)),
    ] {
        for _ in 0..300 {
            let count = rng.below(60);
            let credits: Vec<Credit> =
                (0..count).map(|i| random_credit(&mut rng, i64::try_from(i % 40).expect("small"))).collect();
            let evaluation = evaluate(&rules, window, &credits);

            assert_eq!(evaluation.outcomes.len(), credits.len());
            let counted: Points = evaluation.outcomes.iter().map(|o| o.counted).sum();
            assert_eq!(evaluation.total, counted);
            assert_eq!(evaluation.total, evaluation.professional + evaluation.other_counted);
            assert_eq!(evaluation.per_category.iter().copied().sum::<Points>(), evaluation.total);
            assert!(evaluation.other_counted <= rules.other_cap);
            for outcome in &evaluation.outcomes {
                let removed: Points = outcome.not_counted.iter().map(|(p, _)| *p).sum();
                assert_eq!(outcome.counted + removed, outcome.points, "{outcome:?}");
            }
            for usage in &evaluation.cap_usage {
                assert!(usage.allowed <= usage.offered, "{usage:?}");
                if usage.cap.period == CapPeriod::Cycle {
                    assert!(usage.allowed <= usage.cap.cap, "{usage:?}");
                }
            }
        }
    }
}
