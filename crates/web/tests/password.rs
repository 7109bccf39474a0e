//! Password checks agree with the Argon2 library's own verifier.

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use huzhu_web::password;

#[tokio::test]
async fn verification_agrees_with_the_argon2_library_for_every_kind_of_stored_hash() {
    // The portal's own hashes, and ones made with other settings than the defaults (as a
    // password set under older settings would be): Argon2i and Argon2d, version 0x10, smaller
    // and larger memory, more passes, two lanes, a 64-byte output.
    let mut settings = vec![Argon2::default()];
    for (algorithm, version, m, t, p, len) in [
        (Algorithm::Argon2i, Version::V0x13, 8_192, 3, 1, 32),
        (Algorithm::Argon2d, Version::V0x10, 4_096, 1, 1, 32),
        (Algorithm::Argon2id, Version::V0x13, 32_768, 2, 2, 64),
    ] {
        let params = Params::new(m, t, p, Some(len)).expect("valid parameters");
        settings.push(Argon2::new(algorithm, version, params));
    }
    for argon2 in settings {
        let stored = argon2.hash_password(b"correct horse battery staple").expect("a hash").to_string();
        let parsed = PasswordHash::new(&stored).expect("a PHC string");
        for attempt in ["correct horse battery staple", "correct horse battery stapler", ""] {
            let library = Argon2::default().verify_password(attempt.as_bytes(), &parsed).is_ok();
            let ours = password::verify(attempt.to_owned(), stored.clone()).await.expect("checked");
            assert_eq!(ours, library, "{stored} with {attempt:?}");
            assert_eq!(ours, attempt == "correct horse battery staple");
        }
    }
    // Not a hash at all, or a hash without its output: no match, no error.
    for stored in ["", "plain text", "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ"] {
        assert!(!password::verify("x".to_owned(), stored.to_owned()).await.expect("checked"));
    }
}

/// Two peppers of 32 bytes, written as hex.
const PEPPER: &str = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
const OTHER_PEPPER: &str = "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100";

#[tokio::test]
async fn a_peppered_hash_names_its_key_and_verifies_only_with_that_pepper() {
    let pepper = password::Pepper::from_hex(PEPPER).expect("a pepper");
    let stored = password::hash_peppered("correct horse battery staple".to_owned(), Some(pepper.clone()))
        .await
        .expect("a hash");

    // The key id is the first 8 bytes of SHA-256 of the key, computed here with sha2 directly,
    // and the PHC string carries it (base64 without padding) in `keyid`.
    use sha2::Digest;
    let key = hex::decode(PEPPER).expect("hex");
    let id = &sha2::Sha256::digest(&key)[..8];
    let parsed = PasswordHash::new(&stored).expect("a PHC string");
    let params = Params::try_from(&parsed).expect("parameters");
    assert_eq!(params.keyid(), id);

    // The library's own verifier, given the secret, agrees; without it, it does not.
    let with_secret =
        Argon2::new_with_secret(&key, Algorithm::Argon2id, Version::V0x13, params.clone()).expect("argon2");
    assert!(with_secret.verify_password(b"correct horse battery staple", &parsed).is_ok());
    assert!(Argon2::default().verify_password(b"correct horse battery staple", &parsed).is_err());

    let check = |pepper: Option<password::Pepper>| {
        password::verify_peppered("correct horse battery staple".to_owned(), stored.clone(), pepper)
    };
    assert!(check(Some(pepper.clone())).await.expect("checked"));
    // Without the pepper, or with another one, the right password matches nothing.
    assert!(!check(None).await.expect("checked"));
    assert!(
        !check(Some(password::Pepper::from_hex(OTHER_PEPPER).expect("a pepper"))).await.expect("checked")
    );
    assert!(
        !password::verify_peppered("correct horse battery stapler".to_owned(), stored.clone(), Some(pepper))
            .await
            .expect("checked")
    );
}

#[tokio::test]
async fn a_hash_from_before_the_pepper_still_verifies_and_is_marked_for_a_new_hash() {
    let pepper = password::Pepper::from_hex(PEPPER).expect("a pepper");
    let old = password::hash("correct horse battery staple".to_owned()).await.expect("a hash");
    let ok = password::verify_peppered(
        "correct horse battery staple".to_owned(),
        old.clone(),
        Some(pepper.clone()),
    );
    assert!(ok.await.expect("checked"));
    assert!(password::needs_rehash(&old, Some(&pepper)));
    assert!(!password::needs_rehash(&old, None), "no pepper set: nothing to redo");
    let new = password::hash_peppered("x y z".to_owned(), Some(pepper.clone())).await.expect("a hash");
    assert!(!password::needs_rehash(&new, Some(&pepper)));
}

#[test]
fn a_pepper_is_at_least_32_bytes_of_hex() {
    assert!(password::Pepper::from_hex(&PEPPER[..62]).is_err(), "31 bytes");
    assert!(password::Pepper::from_hex("not hex at all").is_err());
    assert!(password::Pepper::from_hex(PEPPER).is_ok());
}
