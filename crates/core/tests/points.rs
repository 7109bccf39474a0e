//! CE points as whole hundredths (DOMAIN §1.3: "store points as decimal with 2 places").

use huzhu_core::points::{Points, PointsError};

fn points(text: &str) -> Points {
    text.parse().unwrap_or_else(|e| panic!("{text:?} should parse: {e}"))
}

fn parse(text: &str) -> Result<Points, PointsError> {
    text.parse()
}

#[test]
fn decimals_are_read_as_hundredths() {
    // 71.50 = 71·100 + 50.
    assert_eq!(points("71.50").hundredths(), 7150);
    // 7.2 = 7·100 + 2·10: one decimal is tenths, not hundredths.
    assert_eq!(points("7.2").hundredths(), 720);
    // 0.05 = 5 hundredths; 0.5 = 50.
    assert_eq!(points("0.05").hundredths(), 5);
    assert_eq!(points("0.5").hundredths(), 50);
    assert_eq!(points("12").hundredths(), 1200);
    assert_eq!(points("0").hundredths(), 0);
    assert_eq!(points(" 1.8 ").hundredths(), 180);
}

#[test]
fn signs_are_read() {
    assert_eq!(points("+3").hundredths(), 300);
    // A correction row: -(1·100 + 50).
    assert_eq!(points("-1.5").hundredths(), -150);
    assert_eq!(points("-0.05").hundredths(), -5);
    assert_eq!(points("-0"), Points::ZERO);
}

#[test]
fn display_always_shows_two_decimals() {
    assert_eq!(Points::from_hundredths(7150).to_string(), "71.50");
    assert_eq!(Points::from_hundredths(720).to_string(), "7.20");
    assert_eq!(Points::from_hundredths(12_000).to_string(), "120.00");
    assert_eq!(Points::ZERO.to_string(), "0.00");
    assert_eq!(Points::from_hundredths(5).to_string(), "0.05");
    // The sign is kept even when the whole part is zero.
    assert_eq!(Points::from_hundredths(-5).to_string(), "-0.05");
    assert_eq!(Points::from_hundredths(-150).to_string(), "-1.50");
    assert_eq!(Points::from_hundredths(i64::MIN).to_string(), "-92233720368547758.08");
}

#[test]
fn display_and_parse_round_trip() {
    let samples = (-2_000..=2_000).chain([99_999, 100_000, 9_999_999_999_999, -9_999_999_999_999]);
    for hundredths in samples {
        let value = Points::from_hundredths(hundredths);
        assert_eq!(parse(&value.to_string()), Ok(value), "{hundredths}");
    }
    for text in ["71.50", "7.20", "0.30", "120.00", "-1.50"] {
        assert_eq!(points(text).to_string(), text);
    }
}

#[test]
fn tenths_add_up_exactly_where_floating_point_does_not() {
    // In binary floating point 0.1 + 0.2 is 0.30000000000000004; in hundredths it is
    // 10 + 20 = 30 exactly.
    let sum = points("0.1") + points("0.2");
    assert_eq!(sum, points("0.3"));
    assert_eq!(sum.to_string(), "0.30");

    // Ten tenths make one point: 10·10 = 100 hundredths.
    let ten_tenths: Points = std::iter::repeat_n(points("0.1"), 10).sum();
    assert_eq!(ten_tenths, Points::whole(1));
    // 1200 tenths make 120 points (1200·10 = 12 000 hundredths), the renewal total. Summed as
    // f64 the same figure comes to 119.99999999999…, just short.
    let renewal: Points = std::iter::repeat_n(points("0.1"), 1200).sum();
    assert_eq!(renewal, Points::whole(120));
}

#[test]
fn more_than_two_decimals_is_refused() {
    for text in ["1.234", "1.000", "0.001", "7.255"] {
        assert_eq!(parse(text), Err(PointsError::Malformed), "{text:?}");
    }
}

#[test]
fn empty_input_is_empty() {
    assert_eq!(parse(""), Err(PointsError::Empty));
    assert_eq!(parse("  \t"), Err(PointsError::Empty));
}

#[test]
fn incomplete_or_foreign_numbers_are_malformed() {
    for text in [
        "1.", ".5", ".", "+", "-", "+.", "-.5", "--1", "+-1", "-+1", "1.-5", "1.+5", "1..5", "1.2.3", "1,5",
        "1 5", "1e3", "0x10", "abc", "NaN", "inf", "١٢", "１２", "1２", "½", "😀", "1.5😀", "\u{0}",
    ] {
        assert_eq!(parse(text), Err(PointsError::Malformed), "{text:?}");
    }
}

#[test]
fn huge_numbers_are_out_of_range_without_overflow() {
    // Twelve whole digits are the limit: 999 999 999 999 · 100.
    assert_eq!(parse("999999999999"), Ok(Points::from_hundredths(99_999_999_999_900)));
    assert_eq!(parse("-999999999999.99"), Ok(Points::from_hundredths(-99_999_999_999_999)));
    assert_eq!(parse("1000000000000"), Err(PointsError::OutOfRange));
    assert_eq!(parse("99999999999999999999999999999"), Err(PointsError::OutOfRange));
    // Leading zeros are not significant digits.
    assert_eq!(parse("00000000000000000012.5"), Ok(Points::from_hundredths(1250)));
}

#[test]
fn whole_points_are_hundreds_of_hundredths() {
    assert_eq!(Points::whole(80), Points::from_hundredths(8000));
    assert_eq!(Points::whole(-2), Points::from_hundredths(-200));
    // Absurd inputs saturate instead of overflowing.
    assert_eq!(Points::whole(i64::MAX).hundredths(), i64::MAX);
    assert_eq!(Points::whole(i64::MIN).hundredths(), i64::MIN);
}

#[test]
fn saturating_sub_never_goes_below_zero() {
    assert_eq!(Points::whole(7).saturating_sub(Points::whole(5)), Points::whole(2));
    assert_eq!(Points::whole(5).saturating_sub(Points::whole(7)), Points::ZERO);
    assert_eq!(Points::from_hundredths(i64::MIN).saturating_sub(Points::whole(1)), Points::ZERO);
    assert_eq!(
        Points::from_hundredths(i64::MAX).saturating_sub(Points::from_hundredths(i64::MIN)),
        Points::from_hundredths(i64::MAX)
    );
}

#[test]
fn arithmetic_saturates_at_the_limits() {
    let max = Points::from_hundredths(i64::MAX);
    assert_eq!(max + Points::whole(1), max);
    let min = Points::from_hundredths(i64::MIN);
    assert_eq!(min - Points::whole(1), min);
    let mut total = max;
    total += max;
    assert_eq!(total, max);
}

#[test]
fn points_order_by_value() {
    assert!(points("71.5") < points("120"));
    assert!(points("-1") < Points::ZERO);
    assert!(points("0.1") < points("0.10") + points("0.01"));
    assert_eq!(points("0.10"), points("0.1"));
}

#[test]
fn is_zero_only_for_zero() {
    assert!(Points::ZERO.is_zero());
    assert!(Points::default().is_zero());
    assert!(!points("0.01").is_zero());
    assert!(!points("-0.01").is_zero());
}
