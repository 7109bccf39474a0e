//! National ID and resident numbers for generated people, unique by construction.
//!
//! The seven digits after the second character come from a keyed permutation of the person's
//! index, so two indexes never share them whatever area letter or second character they draw.
//! The permutation lands in 0100000–5999999: a third digit of 0–5 is what most holders born in
//! Taiwan have (DOMAIN §3.1), and the values below 0100000 (digits 3–4 "00") stay free for the
//! hand-made showcase members.

use huzhu_core::id::IdNumber;
use rand::Rng;

use crate::model::Sex;
use crate::random::{DemoRng, weighted};

/// Lower bound of generated seven-digit serials; the showcase uses serials below it.
pub(crate) const SERIAL_OFFSET: u32 = 100_000;
/// How many distinct serials the permutation gives: indexes beyond it wrap around.
pub(crate) const SERIAL_SPACE: u32 = LEFT * RIGHT;
const LEFT: u32 = 2_000;
const RIGHT: u32 = 2_950;

/// What a serial is for: the same index gets unrelated serials for its ID, certificates and
/// licences, so one number cannot be read off another.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Purpose {
    Id = 1,
    Certificate = 2,
    Licence = 3,
}

/// The serial of `index` for `purpose`: distinct indexes below [`SERIAL_SPACE`] get distinct
/// serials, all in `SERIAL_OFFSET..SERIAL_OFFSET + SERIAL_SPACE`.
pub(crate) fn serial(seed: u64, purpose: Purpose, index: usize) -> u32 {
    let x = (index as u64 % u64::from(SERIAL_SPACE)) as u32;
    SERIAL_OFFSET + permute(x, seed ^ ((purpose as u64) << 56))
}

/// A four-round Feistel network on an unbalanced split (LEFT × RIGHT). Each round maps a pair
/// (l, r) to (r, (l + F(r)) mod |l's range|), which is invertible, so the whole is a bijection
/// of 0..SERIAL_SPACE for any key.
fn permute(x: u32, key: u64) -> u32 {
    let (l, r) = (x / RIGHT, x % RIGHT);
    let (l, r) = (r, (l + round(r, key, 0)) % LEFT); // l < RIGHT, r < LEFT
    let (l, r) = (r, (l + round(r, key, 1)) % RIGHT); // l < LEFT, r < RIGHT
    let (l, r) = (r, (l + round(r, key, 2)) % LEFT);
    let (l, r) = (r, (l + round(r, key, 3)) % RIGHT);
    l * RIGHT + r
}

fn round(value: u32, key: u64, round: u64) -> u32 {
    // SplitMix64's finaliser: cheap and well mixed.
    let mut z = key ^ (u64::from(value) << 8) ^ round.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    ((z ^ (z >> 31)) & 0xFFFF_FFFF) as u32
}

/// Area letters weighted roughly by where people of working age were first registered: the
/// old counties L, R, S and Y no longer issue numbers but many holders still carry them.
const LETTERS: [(char, u32); 26] = [
    ('A', 110),
    ('F', 150),
    ('H', 85),
    ('B', 50),
    ('L', 60),
    ('E', 70),
    ('S', 50),
    ('D', 40),
    ('R', 50),
    ('C', 18),
    ('O', 15),
    ('J', 20),
    ('G', 20),
    ('K', 25),
    ('N', 60),
    ('M', 25),
    ('P', 32),
    ('I', 12),
    ('Q', 24),
    ('T', 40),
    ('U', 16),
    ('V', 11),
    ('X', 4),
    ('W', 3),
    ('Z', 1),
    ('Y', 1),
];

/// The identification number of generated person `index`: a national ID, or for about one in
/// two hundred a resident number (half in the format issued since 2021, half in the old one).
pub(crate) fn generated(rng: &mut DemoRng, seed: u64, index: usize, sex: Sex) -> IdNumber {
    let letter = weighted(rng, &LETTERS);
    let second = match rng.random_range(0..1000) {
        0..=2 => new_resident(sex),
        3..=4 => old_resident(rng, sex),
        _ => national(sex),
    };
    let serial = serial(seed, Purpose::Id, index);
    let first_nine = format!("{letter}{second}{serial:07}");
    IdNumber::with_check_digit(&first_nine)
        .expect("letter, second character and seven digits form a valid prefix")
}

fn national(sex: Sex) -> char {
    match sex {
        Sex::Male => '1',
        Sex::Female => '2',
    }
}

fn new_resident(sex: Sex) -> char {
    match sex {
        Sex::Male => '8',
        Sex::Female => '9',
    }
}

/// A/B: nationals without household registration, mainland, Hong Kong and Macao residents;
/// C/D: foreigners. The first of each pair is male.
fn old_resident(rng: &mut DemoRng, sex: Sex) -> char {
    let foreign = rng.random_bool(0.4);
    match (foreign, sex) {
        (false, Sex::Male) => 'A',
        (false, Sex::Female) => 'B',
        (true, Sex::Male) => 'C',
        (true, Sex::Female) => 'D',
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_permutation_is_a_bijection() {
        let mut seen = vec![false; SERIAL_SPACE as usize];
        for x in 0..SERIAL_SPACE {
            let y = permute(x, 0xDEC0_DE00_1234_5678);
            assert!(y < SERIAL_SPACE);
            assert!(!seen[y as usize], "{x} maps onto a value already taken");
            seen[y as usize] = true;
        }
    }

    #[test]
    fn serials_leave_room_for_the_showcase() {
        for index in 0..10_000 {
            let s = serial(7, Purpose::Id, index);
            assert!((SERIAL_OFFSET..SERIAL_OFFSET + SERIAL_SPACE).contains(&s));
        }
    }
}
