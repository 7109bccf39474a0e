use chrono::NaiveDate;
use huzhu_core::profession::PracticeStatus;
use huzhu_core::resume::{format_code, in_force, mask_name, normalize_code};

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a real date")
}

#[test]
fn codes_are_four_groups_of_crockford_symbols() {
    // Bytes 0..16: the low five bits pick symbols 0..16 of "0123456789ABCDEFGH…": 0–9, A–F, G.
    let bytes: [u8; 16] = std::array::from_fn(|i| i as u8);
    assert_eq!(format_code(&bytes), "0123-4567-89AB-CDEF");
    // 255 & 31 = 31, the last symbol Z; 32 & 31 = 0.
    assert_eq!(format_code(&[255; 16]), "ZZZZ-ZZZZ-ZZZZ-ZZZZ");
    assert_eq!(format_code(&[32; 16]), "0000-0000-0000-0000");
}

#[test]
fn typed_codes_are_read_back_forgivingly() {
    assert_eq!(normalize_code("0123-4567-89ab-cdef").as_deref(), Some("0123456789ABCDEF"));
    // O read as 0, I and L as 1, spaces and full-width forms accepted.
    assert_eq!(normalize_code(" o1l3 4567 89AB CDEF ").as_deref(), Some("0113456789ABCDEF"));
    assert_eq!(normalize_code("０１２３-4567-89AB-CDEF").as_deref(), Some("0123456789ABCDEF"));
    assert_eq!(normalize_code("0123-4567-89AB-CDE"), None, "15 symbols");
    assert_eq!(normalize_code("0123-4567-89AB-CDEF0"), None, "17 symbols");
    assert_eq!(normalize_code("0123-4567-89AB-CDEU"), None, "U is not in the alphabet");
    assert_eq!(normalize_code("<script>"), None);
    assert_eq!(normalize_code("𠮷𠮷𠮷𠮷𠮷𠮷𠮷𠮷𠮷𠮷𠮷𠮷𠮷𠮷𠮷𠮷"), None);
}

#[test]
fn names_keep_their_first_and_last_characters() {
    assert_eq!(mask_name("李𠮷芳"), "李○芳");
    assert_eq!(mask_name("林怡君"), "林○君");
    assert_eq!(mask_name("歐陽娜娜"), "歐○○娜");
    assert_eq!(mask_name("王明"), "王○");
    assert_eq!(mask_name("𠮷"), "○");
    assert_eq!(mask_name(""), "");
    assert_eq!(mask_name("<b>\n"), "<○>");
}

#[test]
fn a_licence_is_in_force_while_practising_and_before_its_due_date() {
    let due = date(2027, 5, 31);
    assert!(in_force(Some(PracticeStatus::Practising), due, date(2027, 5, 30)));
    assert!(!in_force(Some(PracticeStatus::Practising), due, due), "lapsed on the due date");
    assert!(!in_force(Some(PracticeStatus::Closed), due, date(2026, 1, 1)));
    assert!(!in_force(Some(PracticeStatus::Suspended), due, date(2026, 1, 1)));
    assert!(!in_force(None, due, date(2026, 1, 1)));
}
