//! Profession and practice-status codes (DOMAIN §2.2, §2.3).

use huzhu_core::profession::{PracticeStatus, Profession};

#[test]
fn professions_carry_the_mohw_category_letters() {
    // DOMAIN §2.3: F 護理師, G 護士, H 助產士, I 助產師.
    assert_eq!(Profession::RegisteredNurse.code(), "F");
    assert_eq!(Profession::Nurse.code(), "G");
    assert_eq!(Profession::Midwife.code(), "H");
    assert_eq!(Profession::RegisteredMidwife.code(), "I");
}

#[test]
fn profession_codes_round_trip_and_unknown_codes_are_none() {
    for profession in Profession::ALL {
        assert_eq!(Profession::from_code(profession.code()), Some(profession));
        assert_eq!(profession.message_key(), format!("profession.{}", profession.code()));
    }
    assert_eq!(Profession::from_code(" F "), Some(Profession::RegisteredNurse));
    // A 西醫師 is a real MOHW code but not a profession of this portal.
    for code in ["A", "", "FG", "護理師", "Ｆ"] {
        assert_eq!(Profession::from_code(code), None, "{code:?}");
    }
}

#[test]
fn practice_status_codes_round_trip() {
    for status in PracticeStatus::ALL {
        assert_eq!(PracticeStatus::from_code(status.code()), Some(status));
        assert_eq!(status.message_key(), format!("status.{}", status.code()));
    }
    assert_eq!(PracticeStatus::from_code("closed"), Some(PracticeStatus::Closed));
    assert_eq!(PracticeStatus::from_code("歇業"), None);
    assert_eq!(PracticeStatus::from_code(""), None);
}
