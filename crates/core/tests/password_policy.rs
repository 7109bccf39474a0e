//! The password policy: NIST by default, the government baseline on request.

use chrono::NaiveDate;
use huzhu_core::password_policy::{PasswordPolicy, PersonalData, Problem, normalize};

/// A nurse born 1990-04-05, which is 民國79年4月5日.
fn nurse() -> PersonalData<'static> {
    PersonalData {
        id_number: "F223456786",
        birth_date: NaiveDate::from_ymd_opt(1990, 4, 5),
        email: "lin.meihua@example.org",
    }
}

#[test]
fn a_long_unusual_passphrase_passes_the_default_policy() {
    let policy = PasswordPolicy::default();
    assert_eq!(policy.check("marigold tapestry kettle ferry", &nurse()), None);
}

#[test]
fn eleven_characters_are_too_short_and_twelve_are_enough_by_length() {
    let policy = PasswordPolicy::default();
    // "Qz7#vLp2!mWx" has 12 characters; drop the last one for 11.
    assert_eq!(policy.check("Qz7#vLp2!mW", &nurse()), Some(Problem::TooShort { min: 12 }));
    assert_eq!(policy.check("Qz7#vLp2!mWx", &nurse()), None);
}

#[test]
fn length_counts_characters_not_bytes() {
    let policy = PasswordPolicy::default();
    // Eleven Chinese characters are 33 bytes of UTF-8 but still only 11 characters.
    assert_eq!(policy.check("護理師守護生命的每一天", &nurse()), Some(Problem::TooShort { min: 12 }));
}

#[test]
fn sixty_four_characters_are_accepted_and_nothing_is_cut_off() {
    let policy = PasswordPolicy::default();
    assert!(policy.max_length >= 64);
    let long = "blue heron drifts over quiet rice fields at dawn near yilan ok!!";
    assert_eq!(long.chars().count(), 64);
    assert_eq!(policy.check(long, &nurse()), None);
    let too_long = "x".repeat(policy.max_length + 1);
    assert_eq!(policy.check(&too_long, &nurse()), Some(Problem::TooLong { max: policy.max_length }));
}

#[test]
fn common_and_breached_passwords_are_refused_whatever_their_length() {
    let policy = PasswordPolicy::default();
    for common in ["password1234", "123456789012", "qwertyuiopas", "iloveyou1234", "aaaaaaaaaaaa"] {
        assert_eq!(policy.check(common, &nurse()), Some(Problem::Guessable), "{common}");
    }
}

#[test]
fn the_members_own_id_number_is_refused_in_any_case_or_without_its_letter() {
    let policy = PasswordPolicy::default();
    assert_eq!(policy.check("my id f223456786 ok!", &nurse()), Some(Problem::ContainsIdNumber));
    assert_eq!(policy.check("zebra-223456786-kite", &nurse()), Some(Problem::ContainsIdNumber));
}

#[test]
fn an_older_two_letter_resident_number_is_refused_whole_or_as_its_eight_digits() {
    // AC01234567, checked by hand (DOMAIN §3.2): A = 10 gives 1×1 + 0×9 = 1; the second letter
    // C = 12 counts its units digit 2, weighed 8: 16; the digits 0123456 weighed 7 … 1 give
    // 0 + 6 + 10 + 12 + 12 + 10 + 6 = 56; 1 + 16 + 56 = 73, so the check digit is 7.
    let id = "AC01234567";
    assert_eq!(
        huzhu_core::id::IdNumber::parse(id).map(|id| id.kind()),
        Ok(huzhu_core::id::IdKind::ResidentOld)
    );
    let resident = PersonalData { id_number: id, ..nurse() };
    let policy = PasswordPolicy::default();
    for password in ["my number ac01234567 ok", "zebra-C01234567-kite", "zebra-01234567-kite"] {
        assert_eq!(policy.check(password, &resident), Some(Problem::ContainsIdNumber), "{password}");
    }
    // Seven of its digits are not the number: refused, if at all, for another reason.
    assert_ne!(policy.check("zebra-0123456-kite marigold", &resident), Some(Problem::ContainsIdNumber));
}

#[test]
fn the_birth_date_is_refused_in_gregorian_and_roc_forms() {
    let policy = PasswordPolicy::default();
    for password in [
        "violet 1990-04-05 lamp", // Gregorian with separators
        "violet19900405lamp",
        "violet 0790405 lampshade",  // ROC 79 = 1990 - 1911, three-digit year
        "violet 79/04/05 lampshade", // ROC two-digit year
        "violet 900405 lampshade",   // yymmdd
    ] {
        assert_eq!(policy.check(password, &nurse()), Some(Problem::ContainsBirthDate), "{password}");
    }
}

#[test]
fn the_email_name_is_refused() {
    let policy = PasswordPolicy::default();
    assert_eq!(policy.check("Lin.MeiHua rides trains", &nurse()), Some(Problem::ContainsEmailName));
}

/// The nurse of [`nurse`] with another address.
fn with_email(email: &str) -> PersonalData<'_> {
    PersonalData { email, ..nurse() }
}

#[test]
fn the_email_name_is_found_without_its_tag_separators_or_case() {
    let policy = PasswordPolicy::default();
    // chen.yating+x@example.com: the part before "@" is "chen.yating+x", before the "+" it is
    // "chen.yating", and its letters and digits in lower case are "chenyating" (10 ≥ 4).
    let person = with_email("chen.yating+x@example.com");
    // Each password's letters and digits in lower case contain "chenyating":
    // "chenyatingwalkshome", "chenyatingwalkshome", "chenyating2024", "mychenyatingkey".
    for password in
        ["chenyating walks home", "Chen_Yating walks home", "CHEN-YATING2024", "my chen yating key"]
    {
        assert_eq!(policy.check(password, &person), Some(Problem::ContainsEmailName), "{password}");
    }
    // The tag is no part of the name: a password with an "x" in it is not refused for it.
    assert_eq!(policy.check("marigold tapestry kettle ferry x", &person), None);
}

#[test]
fn a_name_of_four_letters_is_refused_and_of_three_is_not() {
    let policy = PasswordPolicy::default();
    // mei.l: "meil", 4 letters, refused inside "Meil rides the marigold ferry" ("meilrides…").
    let four = with_email("mei.l@example.org");
    assert_eq!(policy.check("Meil rides the marigold ferry", &four), Some(Problem::ContainsEmailName));
    // me.i: "mei", 3 letters, not refused, though the password holds "mei" as a word.
    let three = with_email("me.i@example.org");
    assert_eq!(policy.check("Mei rides the marigold ferry", &three), None);
}

#[test]
fn short_names_are_not_refused_however_they_are_written() {
    let policy = PasswordPolicy::default();
    // lin: 3 letters; l.i.n+nurse: "l.i.n" before the tag, "lin", 3 letters; a-b_c: "abc", 3.
    // Each of these passwords holds those letters ("berlin", "lin", "abc") and is accepted.
    for (email, password) in [
        ("lin@example.org", "Berlin skyline, marigold ferry"),
        ("l.i.n+nurse@example.org", "lin tapestry kettle ferry"),
        ("a-b_c@example.org", "abc tapestry kettle ferry"),
    ] {
        assert_eq!(policy.check(password, &with_email(email)), None, "{email}: {password}");
    }
}

#[test]
fn composition_rules_are_off_by_default_and_on_in_the_government_baseline() {
    // Lower case letters and spaces only: one class (lower case; a space is no symbol).
    let passphrase = "marigold tapestry kettle ferry";
    assert_eq!(PasswordPolicy::default().check(passphrase, &nurse()), None);
    let baseline = PasswordPolicy::government_baseline();
    assert_eq!(baseline.check(passphrase, &nurse()), Some(Problem::TooFewClasses { min: 3 }));
    // Upper, lower, symbol ("!"): three classes.
    assert_eq!(baseline.check("Marigold tapestry kettle ferry!", &nurse()), None);
}

#[test]
fn a_space_is_not_counted_as_a_symbol_in_the_government_baseline() {
    let baseline = PasswordPolicy::government_baseline();
    // Upper case, lower case and spaces: two classes, not three.
    assert_eq!(
        baseline.check("Marigold tapestry kettle ferry", &nurse()),
        Some(Problem::TooFewClasses { min: 3 })
    );
    // A digit makes the third class: upper, lower, digit.
    assert_eq!(baseline.check("Marigold tapestry kettle ferry 7", &nurse()), None);
    // So does a symbol; a tab or a full-width space (U+3000) does not.
    assert_eq!(baseline.check("Marigold tapestry kettle ferry.", &nurse()), None);
    assert_eq!(
        baseline.check("Marigold\ttapestry\u{3000}kettle ferry", &nurse()),
        Some(Problem::TooFewClasses { min: 3 })
    );
}

#[test]
fn passwords_are_compared_after_nfc_normalization() {
    // "é" as one code point (U+00E9) and as "e" + combining acute (U+0065 U+0301).
    let composed = "caf\u{e9} au lait sur la terrasse";
    let decomposed = "cafe\u{301} au lait sur la terrasse";
    assert_ne!(composed, decomposed);
    assert_eq!(normalize(composed), normalize(decomposed));
    // After NFC the decomposed form has the same 29 characters as the composed one.
    assert_eq!(normalize(decomposed).chars().count(), composed.chars().count());
}

#[test]
fn common_passwords_of_taiwan_and_of_this_service_are_refused() {
    let policy = PasswordPolicy::default();
    for (password, why) in [
        // The keyboard walk 1qaz2wsx3edc typed with shift on the 1 and the 3 (! and #) and on
        // Q, A, Z, E, D, C: the listed walk once "!" reads as 1 and "#" as 3, in lower case.
        ("!QAZ2wsx#EDC", "listed walk, shifted"),
        // The same walk with shift on the 2 (@ is shift+2) and on W, S, X.
        ("1qaz@WSX3edc", "listed walk, shifted"),
        // 我愛你一生一世我愛你: "woaini" + 1314 + 520, listed whole.
        ("woaini1314520", "listed"),
        // A service word, a year and symbols: letters and digits "nurse2026" and "huzhu2026";
        // with the service word taken out, "2026" is left, digits alone. (zxcvbn by itself
        // rates both 3 of 4: it counts "@2026!!" as seven random characters.)
        ("Nurse@2026!!", "service word + year"),
        ("Huzhu@2026!!", "service word + year"),
        // The demo data's shared password: "huzhudemo2026", two service words and "2026".
        ("Huzhu-demo-2026!", "service words + year"),
        // The passphrase of a famous comic about password strength, listed.
        ("correcthorsebatterystaple", "listed"),
    ] {
        assert_eq!(policy.check(password, &nurse()), Some(Problem::Guessable), "{password}: {why}");
    }
}

#[test]
fn a_listed_password_with_only_digits_or_symbols_around_it_is_refused() {
    let policy = PasswordPolicy::default();
    // "iloveyou" is listed; "2026" and "!!" around it: letters and digits "iloveyou2026".
    // "5201314" is listed; "...." dropped, "99" before and "00" after are digits: "99520131400".
    // "qazwsx" is listed; "#" is shift+3 and "*" shift+8: "3qazwsx83qazwsx8" read unshifted,
    // which is "3883" once both "qazwsx" are taken out.
    for password in ["ILoveYou2026!!", "99....5201314....00", "#qazwsx*#qazwsx*"] {
        assert_eq!(policy.check(password, &nurse()), Some(Problem::Guessable), "{password}");
    }
}

#[test]
fn good_passphrases_are_still_accepted_beside_the_list() {
    let policy = PasswordPolicy::default();
    // Neither holds a listed password or a service word, and zxcvbn rates each 3 or more.
    for password in
        ["淡水河邊的夕陽很美 2026", "violet tram under quiet rain", "marigold tapestry kettle ferry"]
    {
        assert_eq!(policy.check(password, &nurse()), None, "{password}");
    }
}

#[test]
fn full_width_characters_are_read_as_the_ones_they_stand_for() {
    // A member with ID A233881769, born 1983-01-31.
    let birth = NaiveDate::from_ymd_opt(1983, 1, 31).expect("a date");
    let personal = PersonalData { id_number: "A233881769", birth_date: Some(birth), email: "t7@example.org" };
    let policy = PasswordPolicy::default();
    // Full-width (U+FF21…) forms of the ID, the birth date and common passwords.
    assert_eq!(
        policy.check("Zebra kettle Ａ２３３８８１７６９ moon", &personal),
        Some(Problem::ContainsIdNumber)
    );
    assert_eq!(
        policy.check("Zebra kettle １９８３０１３１ moon", &personal),
        Some(Problem::ContainsBirthDate)
    );
    assert_eq!(policy.check("Ｐａｓｓｗｏｒｄ１２３４！", &personal), Some(Problem::Guessable));
    assert_eq!(policy.check("１ｑａｚ２ｗｓｘ３ｅｄｃ", &personal), Some(Problem::Guessable));
    // Under the baseline, full-width capitals and digits count as upper case and digits:
    // Ｑ (upper), uiet (lower), ５８ (digits) make three classes.
    let baseline = PasswordPolicy::government_baseline();
    assert_eq!(baseline.check("Ｑuiet orchard ５８ lantern", &personal), None);
}
