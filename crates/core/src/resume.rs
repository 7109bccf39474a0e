//! Rules of the personal resume (個人履歷) and its verification: how a name is masked, how a
//! verification code is written and read back, and whether a licence is in force on a day.

use chrono::NaiveDate;

use crate::profession::PracticeStatus;

/// The alphabet of verification codes: Crockford's base 32 (digits and capitals without I, L,
/// O, U), 5 bits a symbol. When a code is typed, O is read as 0 and I or L as 1.
pub const CODE_ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// Symbols in a code: 16 × 5 = 80 random bits, written as four groups of four.
pub const CODE_SYMBOLS: usize = 16;

/// Writes 16 symbols chosen by `random` (one byte per symbol, of which the low five bits are
/// used, so uniformly random bytes give uniformly random symbols) as four dash-separated
/// groups of four, e.g. `H45V-4KA1-XQ2F-E387`.
pub fn format_code(random: &[u8; CODE_SYMBOLS]) -> String {
    let symbols: Vec<char> = random.iter().map(|b| char::from(CODE_ALPHABET[usize::from(b & 31)])).collect();
    symbols.chunks(4).map(|group| group.iter().collect::<String>()).collect::<Vec<_>>().join("-")
}

/// Reads a code as a person may type it: any case, with or without dashes or spaces, full-width
/// forms included; the result has no dashes. `None` when it cannot be a code (wrong length or a symbol not in the
/// alphabet), so a lookup is never made for it.
pub fn normalize_code(input: &str) -> Option<String> {
    let mut out = String::with_capacity(CODE_SYMBOLS);
    for c in input.chars() {
        let c = match full_width_to_ascii(c).to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            c => c,
        };
        if c == '-' || c == ' ' {
            continue;
        }
        if !c.is_ascii() || !CODE_ALPHABET.contains(&(c as u8)) || out.len() == CODE_SYMBOLS {
            return None;
        }
        out.push(c);
    }
    (out.len() == CODE_SYMBOLS).then_some(out)
}

fn full_width_to_ascii(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    }
}

/// The name as a verification page shows it: the first and last characters kept, the others
/// replaced by ○ (a two-character name keeps its first). Counted in characters, so a character
/// outside the BMP counts as one. Control characters are dropped.
pub fn mask_name(name: &str) -> String {
    let chars: Vec<char> = name.trim().chars().filter(|c| !c.is_control()).collect();
    match chars.len() {
        0 => String::new(),
        1 => "○".to_owned(),
        2 => format!("{}○", chars[0]),
        n => {
            let middle: String = std::iter::repeat_n('○', n - 2).collect();
            format!("{}{middle}{}", chars[0], chars[n - 1])
        }
    }
}

/// Whether a licence with this status and renewal due date lets its holder practise on `today`:
/// it must be 執業 and `today` must be before the due date (on the due date it has lapsed).
pub fn in_force(status: Option<PracticeStatus>, renewal_due: NaiveDate, today: NaiveDate) -> bool {
    status == Some(PracticeStatus::Practising) && today < renewal_due
}
