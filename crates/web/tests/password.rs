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
