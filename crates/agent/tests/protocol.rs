//! The wire format's parser on good, malformed and oversized input: it answers, never panics.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use huzhu_agent::protocol::{MAX_BODY, ProtocolError, encode, parse};
use serde_json::json;

#[test]
fn a_request_as_the_page_sends_it_is_read_with_its_base64_arguments() {
    let body = encode(&json!({
        "functionname": "ATL_MakeSignatureEx2",
        "hSession": 3,
        "mechanism": "0x40",
        "b64Data": STANDARD.encode("huzhu-card:abc"),
        "b64Data_ServiSignBase64Flag": true,
        "userPin": "MTIzNDU2",
        "userPin_ServiSignBase64Flag": true,
        "label": "plain",
    }));

    let call = parse(body.as_bytes()).expect("readable");

    assert_eq!(call.function, "ATL_MakeSignatureEx2");
    assert_eq!(call.number("hSession"), Ok(3));
    // 0x40 is CKM_SHA256_RSA_PKCS, 64 in decimal.
    assert_eq!(call.number("mechanism"), Ok(64));
    assert_eq!(call.bytes("b64Data"), Ok(b"huzhu-card:abc".to_vec()));
    // "MTIzNDU2" is the Base64 of "123456".
    assert_eq!(call.text("userPin"), Ok("123456".to_owned()));
    assert_eq!(call.text("label"), Ok("plain".to_owned()));
    assert_eq!(call.text("missing"), Err(ProtocolError::BadArgument("missing")));
}

#[test]
fn the_debug_form_of_a_call_never_shows_the_pin() {
    let body = encode(&json!({"functionname": "ATL_InitSession", "userPin": "987654"}));
    let call = parse(body.as_bytes()).expect("readable");

    let shown = format!("{call:?}");

    assert!(shown.contains("userPin"));
    assert!(!shown.contains("987654"));
}

#[test]
fn malformed_requests_are_refused_with_the_reason() {
    let cases: Vec<(Vec<u8>, ProtocolError)> = vec![
        (b"".to_vec(), ProtocolError::NoParameter),
        (b"Other=1".to_vec(), ProtocolError::NoParameter),
        (b"Parameter=%%%".to_vec(), ProtocolError::NotBase64),
        (b"Parameter=not-base64!".to_vec(), ProtocolError::NotBase64),
        (format!("Parameter={}", STANDARD.encode("{not json")).into_bytes(), ProtocolError::NotJson),
        (format!("Parameter={}", STANDARD.encode("[1,2]")).into_bytes(), ProtocolError::NotJson),
        (format!("Parameter={}", STANDARD.encode("{}")).into_bytes(), ProtocolError::NoFunction),
        (encode(&json!({"functionname": 7})).into_bytes(), ProtocolError::NoFunction),
        (encode(&json!({"functionname": ""})).into_bytes(), ProtocolError::NoFunction),
        (encode(&json!({"functionname": "x".repeat(65)})).into_bytes(), ProtocolError::NoFunction),
        (vec![0xff, 0xfe, 0x00, 0x80], ProtocolError::NoParameter),
    ];
    for (body, expected) in cases {
        assert_eq!(parse(&body).err(), Some(expected), "{:?}", String::from_utf8_lossy(&body));
    }
}

#[test]
fn oversized_requests_are_refused_before_decoding() {
    let body = vec![b'A'; MAX_BODY + 1];
    assert_eq!(parse(&body).err(), Some(ProtocolError::TooLarge));
}

#[test]
fn bad_arguments_are_errors_not_panics() {
    let body = encode(&json!({
        "functionname": "f",
        "hSession": "twelve",
        "big": "99999999999999999999999",
        "hex": "0xZZ",
        "obj": {"a": 1},
        "b64Data": "***",
        "b64Data_ServiSignBase64Flag": true,
        "latin": STANDARD.encode([0xff, 0xfe]),
        "latin_ServiSignBase64Flag": true,
    }));
    let call = parse(body.as_bytes()).expect("readable");

    for name in ["hSession", "big", "hex", "obj"] {
        assert_eq!(call.number(name), Err(ProtocolError::BadArgument(name)));
    }
    assert_eq!(call.bytes("b64Data"), Err(ProtocolError::BadArgument("b64Data")));
    assert_eq!(call.text("latin"), Err(ProtocolError::BadArgument("latin")));
}

#[test]
fn random_bytes_never_panic_the_parser() {
    // A fixed linear congruential sequence (Numerical Recipes constants), so a failure repeats.
    let mut seed: u32 = 2026;
    let mut next = || {
        seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        (seed >> 24) as u8
    };
    for length in 0..2000 {
        let mut body: Vec<u8> = (0..length % 300).map(|_| next()).collect();
        if length % 3 == 0 {
            body.splice(0..0, b"Parameter=".iter().copied());
        }
        let _ = parse(&body);
    }
}
