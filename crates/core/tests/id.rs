//! National ID and resident numbers against DOMAIN §3.
//!
//! Every expected check digit is worked out in the comments, by the method of DOMAIN §3.2:
//! letter value v → (v div 10)·1 + (v mod 10)·9, then second character ·8, digits 3..9 by
//! 7,6,5,4,3,2,1, and the check digit makes the whole a multiple of 10.

use huzhu_core::id::{IdError, IdKind, IdNumber, normalize};

fn parsed(input: &str) -> IdNumber {
    IdNumber::parse(input).unwrap_or_else(|e| panic!("{input:?} should be valid: {e}"))
}

// ---------------------------------------------------------------------------------------------
// An independent check-digit calculator, written differently from the crate: the letter's value
// is its place in the value-ordered alphabet of DOMAIN §3.1 plus ten, and the number is expanded
// into a row of eleven digits weighed 1,9,8,7,6,5,4,3,2,1,1.

/// Letters in the order of their values 10, 11, … 35 (DOMAIN §3.1: "A..H, J..N, P..V, X, Y, W,
/// Z, I, O").
const BY_VALUE: &str = "ABCDEFGHJKLMNPQRSTUVXYWZIO";

fn value_of(letter: char) -> u32 {
    let place = BY_VALUE.find(letter).expect("a letter of the table");
    10 + u32::try_from(place).expect("a small index")
}

/// The check digit for a letter, a second character and seven digits.
fn independent_check_digit(letter: char, second: char, seven_digits: &str) -> u32 {
    let v = value_of(letter);
    let second_value = match second {
        'A'..='D' => value_of(second) % 10,
        _ => second.to_digit(10).expect("a digit"),
    };
    let mut row = vec![v / 10, v % 10, second_value];
    row.extend(seven_digits.chars().map(|c| c.to_digit(10).expect("a digit")));
    let weights = [1, 9, 8, 7, 6, 5, 4, 3, 2, 1];
    let sum: u32 = row.iter().zip(weights).map(|(d, w)| d * w).sum();
    (10 - sum % 10) % 10
}

// ---------------------------------------------------------------------------------------------
// DOMAIN §3.3

#[test]
fn the_published_valid_examples_are_accepted_with_their_kind() {
    let cases = [
        // A=10 → 1+0=1; 1·8+2·7+3·6+4·5+5·4+6·3+7·2+8·1 = 8+14+18+20+20+18+14+8 = 120;
        // 1+120 = 121, check 9 → 130.
        ("A123456789", IdKind::NationalId),
        // A → 1; 8·8 = 64; zeros; 1·1 = 1 → 66, check 4 → 70.
        ("A800000014", IdKind::ResidentNew),
        // A → 1; C → 12 mod 10 = 2, ·8 = 16; 0·7+1·6+2·5+3·4+4·3+5·2+6·1 = 0+6+10+12+12+10+6
        // = 56 → 73, check 7 → 80.
        ("AC01234567", IdKind::ResidentOld),
        // A → 1; A → 10 mod 10 = 0; zeros → 1, check 9 → 10.
        ("AA00000009", IdKind::ResidentOld),
        // F=15 → 1+45 = 46; 2·8+2·7+3·6+4·5+5·4+6·3+7·2+8·1 = 16+14+18+20+20+18+14+8 = 128
        // → 174, check 6 → 180.
        ("F223456786", IdKind::NationalId),
        // T=27 → 2+63 = 65; 1·8 = 8 → 73, check 7 → 80.
        ("T100000007", IdKind::NationalId),
        // B=11 → 1+9 = 10; 1·8+5·7+5·6+5·5+1·4+2·3+3·2+4·1 = 8+35+30+25+4+6+6+4 = 118
        // → 128, check 2 → 130.
        ("B155512342", IdKind::NationalId),
        // A → 1; 8·8 = 64; 0·7+1·6+2·5+3·4+4·3+5·2+6·1 = 56 → 121, check 9 → 130.
        ("A801234569", IdKind::ResidentNew),
        // F → 46; 9·8 = 72; 7·7+6·6+5·5+4·4+3·3+2·2+1·1 = 49+36+25+16+9+4+1 = 140 → 258,
        // check 2 → 260.
        ("F976543212", IdKind::ResidentNew),
        // F → 46; A → 0; 1·7+2·6+3·5+4·4+5·3+6·2+7·1 = 7+12+15+16+15+12+7 = 84 → 130,
        // check 0.
        ("FA12345670", IdKind::ResidentOld),
        // T → 65; D → 13 mod 10 = 3, ·8 = 24 → 89, check 1 → 90.
        ("TD00000001", IdKind::ResidentOld),
    ];
    for (input, kind) in cases {
        let id = parsed(input);
        assert_eq!(id.as_str(), input);
        assert_eq!(id.kind(), kind, "{input}");
    }
}

#[test]
fn the_published_invalid_examples_fail_the_checksum() {
    // A123456789 sums to 130 with its check digit 9; with 8 it is 129.
    assert_eq!(IdNumber::parse("A123456788"), Err(IdError::Checksum));
    // A800000014 sums to 70; with 5 instead of 4 it is 71.
    assert_eq!(IdNumber::parse("A800000015"), Err(IdError::Checksum));
}

#[test]
fn every_other_check_digit_of_a_valid_number_is_a_checksum_error() {
    let valid = [
        "A123456789",
        "A800000014",
        "AC01234567",
        "AA00000009",
        "F223456786",
        "T100000007",
        "B155512342",
        "A801234569",
        "F976543212",
        "FA12345670",
        "TD00000001",
    ];
    for number in valid {
        let (first_nine, right) = number.split_at(9);
        for digit in ('0'..='9').filter(|d| !right.starts_with(*d)) {
            let changed = format!("{first_nine}{digit}");
            assert_eq!(IdNumber::parse(&changed), Err(IdError::Checksum), "{changed}");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Every area letter

#[test]
fn every_area_letter_has_the_value_of_the_table_worked_by_hand() {
    // With the digits "12345678" after the letter the weighted digits always add up to
    // 1·8+2·7+3·6+4·5+5·4+6·3+7·2+8·1 = 120, so the check digit is set by the letter alone:
    // letter part (v div 10) + (v mod 10)·9, plus 120, rounded up to a multiple of ten.
    let by_hand = [
        ("A123456789", "A=10: 1+0 = 1, 121 → 9"),
        ("B123456780", "B=11: 1+9 = 10, 130 → 0"),
        ("C123456781", "C=12: 1+18 = 19, 139 → 1"),
        ("D123456782", "D=13: 1+27 = 28, 148 → 2"),
        ("E123456783", "E=14: 1+36 = 37, 157 → 3"),
        ("F123456784", "F=15: 1+45 = 46, 166 → 4"),
        ("G123456785", "G=16: 1+54 = 55, 175 → 5"),
        ("H123456786", "H=17: 1+63 = 64, 184 → 6"),
        ("I123456781", "I=34: 3+36 = 39, 159 → 1"),
        ("J123456787", "J=18: 1+72 = 73, 193 → 7"),
        ("K123456788", "K=19: 1+81 = 82, 202 → 8"),
        ("L123456788", "L=20: 2+0 = 2, 122 → 8"),
        ("M123456789", "M=21: 2+9 = 11, 131 → 9"),
        ("N123456780", "N=22: 2+18 = 20, 140 → 0"),
        ("O123456782", "O=35: 3+45 = 48, 168 → 2"),
        ("P123456781", "P=23: 2+27 = 29, 149 → 1"),
        ("Q123456782", "Q=24: 2+36 = 38, 158 → 2"),
        ("R123456783", "R=25: 2+45 = 47, 167 → 3"),
        ("S123456784", "S=26: 2+54 = 56, 176 → 4"),
        ("T123456785", "T=27: 2+63 = 65, 185 → 5"),
        ("U123456786", "U=28: 2+72 = 74, 194 → 6"),
        ("V123456787", "V=29: 2+81 = 83, 203 → 7"),
        ("W123456789", "W=32: 3+18 = 21, 141 → 9"),
        ("X123456787", "X=30: 3+0 = 3, 123 → 7"),
        ("Y123456788", "Y=31: 3+9 = 12, 132 → 8"),
        ("Z123456780", "Z=33: 3+27 = 30, 150 → 0"),
    ];
    assert_eq!(by_hand.len(), 26);
    for (number, working) in by_hand {
        let id = IdNumber::parse(number).unwrap_or_else(|e| panic!("{number} ({working}): {e}"));
        assert_eq!(id.kind(), IdKind::NationalId);
        let prefix = number.get(..9).expect("ten characters");
        assert_eq!(IdNumber::with_check_digit(prefix), Some(id), "{working}");
    }
}

#[test]
fn every_letter_with_every_second_character_agrees_with_an_independent_calculation() {
    let seven_digit_rows = ["0000000", "1234567", "9876543", "5555555", "0909090"];
    for letter in 'A'..='Z' {
        for second in ['1', '2', '8', '9', 'A', 'B', 'C', 'D'] {
            for digits in seven_digit_rows {
                let first_nine = format!("{letter}{second}{digits}");
                let check = independent_check_digit(letter, second, digits);
                let number = format!("{first_nine}{check}");

                let id = parsed(&number);
                assert_eq!(IdNumber::with_check_digit(&first_nine), Some(id));
                let wrong = format!("{first_nine}{}", (check + 1) % 10);
                assert_eq!(IdNumber::parse(&wrong), Err(IdError::Checksum), "{wrong}");
            }
        }
    }
}

#[test]
fn the_kind_follows_the_second_character() {
    for (second, kind) in [
        ('1', IdKind::NationalId),
        ('2', IdKind::NationalId),
        ('8', IdKind::ResidentNew),
        ('9', IdKind::ResidentNew),
        ('A', IdKind::ResidentOld),
        ('B', IdKind::ResidentOld),
        ('C', IdKind::ResidentOld),
        ('D', IdKind::ResidentOld),
    ] {
        let id = IdNumber::with_check_digit(&format!("K{second}0000000")).expect("valid prefix");
        assert_eq!(id.kind(), kind);
    }
}

// ---------------------------------------------------------------------------------------------
// Normalization and refusals

#[test]
fn lowercase_full_width_and_surrounding_space_are_normalized() {
    for input in [
        "a123456789",
        "Ａ１２３４５６７８９",
        "ａ１２３４５６７８９",
        "Ａ12345678９",
        "  A123456789  ",
        "\tA123456789\r\n",
        "\u{3000}A123456789\u{3000}",
        "\u{3000}ａ１２３４５６７８９ ",
    ] {
        assert_eq!(parsed(input).as_str(), "A123456789", "{input:?}");
    }
    // The old resident format's second letter is upper-cased too.
    assert_eq!(parsed("ac01234567").as_str(), "AC01234567");
    assert_eq!(parsed("Ａｃ０１２３４５６７").as_str(), "AC01234567");
}

#[test]
fn normalize_folds_trims_and_upper_cases_but_keeps_inner_space() {
    assert_eq!(normalize(" ａ１２\u{3000}"), "A12");
    assert_eq!(normalize("a1 2"), "A1 2");
    assert_eq!(normalize("\u{3000}"), "");
    // Only ASCII letters change case; anything else is left for validation to refuse.
    assert_eq!(normalize("é"), "é");
}

#[test]
fn empty_and_blank_input_is_empty() {
    for input in ["", " ", "\u{3000}", " \u{3000}\t\n"] {
        assert_eq!(IdNumber::parse(input), Err(IdError::Empty), "{input:?}");
    }
}

#[test]
fn a_wrong_number_of_characters_is_a_length_error() {
    for input in ["A", "A12345678", "A1234567890", "A12345678901234", "A123 456789"] {
        assert_eq!(IdNumber::parse(input), Err(IdError::Length), "{input:?}");
    }
}

#[test]
fn ten_characters_in_the_wrong_shape_are_a_pattern_error() {
    for input in [
        // Second character outside 1, 2, 8, 9, A–D.
        "A023456789",
        "A323456789",
        "A723456789",
        "AE23456789",
        "AZ23456789",
        // First character not a letter.
        "1123456789",
        "*123456789",
        // A letter among the digits.
        "A12345678X",
        "A1234X6789",
        // Space inside the number: ASCII, then ideographic.
        "A12345 789",
        "A1234\u{3000}6789",
        // Letters that only look Latin: Latin with accent, Greek alpha, Cyrillic a.
        "Á123456789",
        "\u{391}123456789",
        "\u{410}123456789",
        // Emoji, and digits of another script (Arabic-Indic).
        "😀123456789",
        "A12345678😀",
        "A١٢٣٤٥٦٧٨٩",
        // A NUL byte.
        "A\u{0}23456789",
    ] {
        assert_eq!(IdNumber::parse(input), Err(IdError::Pattern), "{input:?}");
    }
}

#[test]
fn with_check_digit_refuses_a_prefix_that_cannot_start_a_number() {
    for input in ["", "A1234567", "A123456789", "A02345678", "1A2345678", "A1234567é", "😀1234567"] {
        assert_eq!(IdNumber::with_check_digit(input), None, "{input:?}");
    }
}

#[test]
fn with_check_digit_normalizes_like_parse() {
    let expected = parsed("A123456789");
    assert_eq!(IdNumber::with_check_digit("a12345678"), Some(expected.clone()));
    assert_eq!(IdNumber::with_check_digit(" Ａ１２３４５６７８ "), Some(expected));
    // A80000001 → 66 before the check digit (see A800000014 above) → 4.
    assert_eq!(IdNumber::with_check_digit("A80000001"), Some(parsed("A800000014")));
    // AC0123456 → 73 before the check digit (see AC01234567 above) → 7.
    assert_eq!(IdNumber::with_check_digit("AC0123456"), Some(parsed("AC01234567")));
}

// ---------------------------------------------------------------------------------------------
// Hiding the number

#[test]
fn masked_keeps_the_first_three_and_last_two_characters() {
    assert_eq!(parsed("A123456789").masked(), "A12*****89");
    assert_eq!(parsed("AC01234567").masked(), "AC0*****67");
    assert_eq!(parsed("F976543212").masked(), "F97*****12");
}

#[test]
fn debug_output_never_shows_the_full_number() {
    let id = parsed("B155512342");
    let debug = format!("{id:?}");
    assert_eq!(debug, "IdNumber(B15*****42)");
    assert!(!debug.contains("B155512342"));
    // Not even the hidden middle, inside a larger structure or pretty-printed.
    let nested = format!("{:#?}", Some(vec![id]));
    assert!(!nested.contains("55123"), "{nested}");
}

#[test]
fn conversion_to_and_from_string_validates() {
    let id = IdNumber::try_from(String::from(" t100000007 ")).expect("valid");
    assert_eq!(String::from(id), "T100000007");
    assert_eq!(IdNumber::try_from(String::from("T100000008")), Err(IdError::Checksum));
}

#[test]
fn zero_width_characters_copied_with_an_id_are_dropped() {
    // F223456786 is DOMAIN §3.3's first worked example.
    let id = IdNumber::parse("\u{FEFF}F223456786\u{200B}").expect("valid once the invisible characters go");
    assert_eq!(id.as_str(), "F223456786");
}
