//! The verifier against a PKI made here: root → HCA → cards, CRLs, impostors.

use huzhu_hca::test_pki::{self, CardSpec, TestCard, TestPki};
use huzhu_hca::{
    INSTITUTION_CARD, Policy, Refusal, SignatureDigest, SignedChallenge, StaleCrl, TrustStore, verify,
};

/// 2026-12-04T00:00:00Z: 2026-01-01 is 1_767_225_600 (20454 days × 86400), and 4 December is
/// 337 days later (31+28+31+30+31+30+31+31+30+31+30 = 334, plus 3): 1_767_225_600 + 337 × 86400.
const NOW: i64 = 1_767_225_600 + 337 * 86_400;
const DAY: i64 = 86_400;
const YEAR: i64 = 365 * DAY;
const CHALLENGE: &[u8] = b"huzhu-card-challenge:4q9Zb7C1xKf0T2mWnR8sLw";

fn nurse(pki: &TestPki) -> TestCard {
    pki.card(&CardSpec::professional("王小明", NOW - YEAR, NOW + YEAR))
}

/// Anchored at the root, with the HCA as intermediate and fresh CRLs of both (issued a day ago,
/// next due in six days).
fn store_for(pki: &TestPki, revoked: &[&[u8]]) -> TrustStore {
    let mut store = TrustStore::new();
    store.add_anchor(pki.root_der()).expect("valid in this test");
    store.add_intermediate(pki.hca_der()).expect("valid in this test");
    store.add_crl(pki.root_crl(NOW - DAY, NOW + 6 * DAY)).expect("valid in this test");
    store.add_crl(pki.hca_crl(revoked, NOW - DAY, NOW + 6 * DAY)).expect("valid in this test");
    store
}

fn signed<'a>(card: &'a TestCard, signature: &'a [u8]) -> SignedChallenge<'a> {
    SignedChallenge { certificate_der: &card.certificate_der, signature, challenge: CHALLENGE }
}

/// The certificate's serial number as `openssl x509 -serial` prints it ("serial=1000"), in lower
/// case: read by a second program, not taken from the test PKI's counter.
fn openssl_serial(card: &TestCard) -> String {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let path = dir.path().join("card.der");
    std::fs::write(&path, &card.certificate_der).expect("write");
    let output = std::process::Command::new("openssl")
        .args(["x509", "-inform", "DER", "-noout", "-serial", "-in"])
        .arg(&path)
        .output()
        .expect("run openssl x509");
    assert!(output.status.success(), "openssl x509 failed");
    let text = String::from_utf8(output.stdout).expect("ASCII");
    text.trim().trim_start_matches("serial=").to_ascii_lowercase()
}

fn check(store: &TrustStore, card: &TestCard, policy: &Policy) -> Result<huzhu_hca::VerifiedCard, Refusal> {
    let signature = card.sign_sha256(CHALLENGE);
    verify(store, policy, signed(card, &signature), NOW)
}

#[test]
fn a_current_professional_card_that_signed_the_challenge_is_accepted() {
    let pki = TestPki::new();
    let card = nurse(&pki);

    let verified = check(&store_for(&pki, &[]), &card, &Policy::default()).expect("valid in this test");

    // The serial as openssl reads it from the certificate, in lower case.
    let serial = openssl_serial(&card);
    assert_eq!(verified.serial_hex, serial);
    assert!(verified.issuer_serial.ends_with(&format!(":{serial}")));
    // issuer hash (64 hex digits) + ':' + serial (4 digits)
    assert_eq!(verified.issuer_serial.len(), 64 + 1 + 4);
    assert_eq!(verified.key_sha256.len(), 64);
    assert_eq!(verified.common_name, "王小明");
    assert_eq!(verified.not_after_unix, NOW + YEAR);
    assert_eq!(verified.digest, SignatureDigest::Sha256);
    assert!(verified.revocation_checked);
}

#[test]
fn an_institution_card_is_refused() {
    let pki = TestPki::new();
    let mut spec = CardSpec::professional("某某醫院", NOW - YEAR, NOW + YEAR);
    spec.holder_type = INSTITUTION_CARD.to_owned();
    let card = pki.card(&spec);

    let refusal = check(&store_for(&pki, &[]), &card, &Policy::default()).expect_err("refused in this test");

    assert_eq!(refusal, Refusal::NotProfessionalCard);
}

#[test]
fn the_holder_type_accepted_is_a_setting() {
    let pki = TestPki::new();
    let mut spec = CardSpec::professional("某某醫院", NOW - YEAR, NOW + YEAR);
    spec.holder_type = INSTITUTION_CARD.to_owned();
    let card = pki.card(&spec);
    let policy = Policy { holder_type: INSTITUTION_CARD.to_owned(), ..Policy::default() };

    assert!(check(&store_for(&pki, &[]), &card, &policy).is_ok());
    assert_eq!(
        check(&store_for(&pki, &[]), &nurse(&pki), &policy).expect_err("refused in this test"),
        Refusal::NotProfessionalCard
    );
}

#[test]
fn an_expired_card_and_a_card_not_yet_valid_are_refused() {
    let pki = TestPki::new();
    let expired = pki.card(&CardSpec::professional("王小明", NOW - 2 * YEAR, NOW - DAY));
    let future = pki.card(&CardSpec::professional("王小明", NOW + DAY, NOW + YEAR));
    let store = store_for(&pki, &[]);

    assert_eq!(
        check(&store, &expired, &Policy::default()).expect_err("refused in this test"),
        Refusal::Expired
    );
    assert_eq!(
        check(&store, &future, &Policy::default()).expect_err("refused in this test"),
        Refusal::Expired
    );
}

#[test]
fn a_revoked_card_is_refused_even_when_stale_lists_are_let_through() {
    let pki = TestPki::new();
    let card = nurse(&pki);
    let store = store_for(&pki, &[&card.serial]);
    let open = Policy { stale_crl: StaleCrl::FailOpen, ..Policy::default() };

    assert_eq!(check(&store, &card, &Policy::default()).expect_err("refused in this test"), Refusal::Revoked);
    assert_eq!(check(&store, &card, &open).expect_err("refused in this test"), Refusal::Revoked);
}

#[test]
fn another_card_on_the_same_list_does_not_revoke_this_one() {
    let pki = TestPki::new();
    let other = nurse(&pki);
    let card = nurse(&pki);

    let verified =
        check(&store_for(&pki, &[&other.serial]), &card, &Policy::default()).expect("valid in this test");

    assert_eq!(verified.serial_hex, openssl_serial(&card));
    assert_ne!(verified.serial_hex, openssl_serial(&other));
}

#[test]
fn a_self_signed_certificate_copying_a_real_cards_subject_is_refused() {
    let pki = TestPki::new();
    let impostor = test_pki::self_signed_card(&CardSpec::professional("王小明", NOW - YEAR, NOW + YEAR));

    let refusal =
        check(&store_for(&pki, &[]), &impostor, &Policy::default()).expect_err("refused in this test");

    assert_eq!(refusal, Refusal::Untrusted);
}

#[test]
fn a_card_from_a_copy_of_the_hca_with_the_same_names_but_other_keys_is_refused() {
    let pki = TestPki::new();
    let impostor_pki = TestPki::new();
    let impostor = nurse(&impostor_pki);

    let refusal =
        check(&store_for(&pki, &[]), &impostor, &Policy::default()).expect_err("refused in this test");

    assert_eq!(refusal, Refusal::Untrusted);
}

#[test]
fn a_chain_without_its_intermediate_configured_is_refused() {
    let pki = TestPki::new();
    let mut store = TrustStore::new();
    store.add_anchor(pki.root_der()).expect("valid in this test");

    let refusal = check(&store, &nurse(&pki), &Policy::default()).expect_err("refused in this test");

    assert_eq!(refusal, Refusal::Untrusted);
}

#[test]
fn a_stale_crl_refuses_when_fail_closed_and_lets_through_unchecked_when_fail_open() {
    let pki = TestPki::new();
    let card = nurse(&pki);
    let mut store = TrustStore::new();
    store.add_anchor(pki.root_der()).expect("valid in this test");
    store.add_intermediate(pki.hca_der()).expect("valid in this test");
    store.add_crl(pki.root_crl(NOW - DAY, NOW + 6 * DAY)).expect("valid in this test");
    // Issued 10 days ago, due 3 days ago.
    store.add_crl(pki.hca_crl(&[], NOW - 10 * DAY, NOW - 3 * DAY)).expect("valid in this test");
    let open = Policy { stale_crl: StaleCrl::FailOpen, ..Policy::default() };

    assert_eq!(
        check(&store, &card, &Policy::default()).expect_err("refused in this test"),
        Refusal::RevocationUnknown
    );
    assert!(!check(&store, &card, &open).expect("valid in this test").revocation_checked);
}

#[test]
fn the_newest_crl_of_an_issuer_is_the_one_used() {
    let pki = TestPki::new();
    let card = nurse(&pki);
    let mut store = store_for(&pki, &[]);
    // An older list (issued 20 days ago, due 13 days ago) beside the fresh one changes nothing.
    store.add_crl(pki.hca_crl(&[], NOW - 20 * DAY, NOW - 13 * DAY)).expect("valid in this test");

    assert!(check(&store, &card, &Policy::default()).expect("valid in this test").revocation_checked);
}

#[test]
fn a_missing_crl_counts_as_unknown_revocation() {
    let pki = TestPki::new();
    let mut store = TrustStore::new();
    store.add_anchor(pki.root_der()).expect("valid in this test");
    store.add_intermediate(pki.hca_der()).expect("valid in this test");
    store.add_crl(pki.root_crl(NOW - DAY, NOW + 6 * DAY)).expect("valid in this test");

    let refusal = check(&store, &nurse(&pki), &Policy::default()).expect_err("refused in this test");

    assert_eq!(refusal, Refusal::RevocationUnknown);
}

#[test]
fn a_crl_signed_by_someone_else_is_ignored() {
    let pki = TestPki::new();
    let impostor_pki = TestPki::new();
    let card = nurse(&pki);
    let mut store = TrustStore::new();
    store.add_anchor(pki.root_der()).expect("valid in this test");
    store.add_intermediate(pki.hca_der()).expect("valid in this test");
    store.add_crl(pki.root_crl(NOW - DAY, NOW + 6 * DAY)).expect("valid in this test");
    // Same issuer name, other key: it cannot vouch for the card.
    store.add_crl(impostor_pki.hca_crl(&[], NOW - DAY, NOW + 6 * DAY)).expect("valid in this test");

    let refusal = check(&store, &card, &Policy::default()).expect_err("refused in this test");

    assert_eq!(refusal, Refusal::RevocationUnknown);
}

#[test]
fn a_signature_over_other_bytes_or_by_another_key_is_refused() {
    let pki = TestPki::new();
    let card = nurse(&pki);
    let other = nurse(&pki);
    let store = store_for(&pki, &[]);
    let over_other_bytes = card.sign_sha256(b"huzhu-card-challenge:something else");
    let by_other_key = other.sign_sha256(CHALLENGE);

    for signature in [over_other_bytes, by_other_key, vec![0; 256], Vec::new()] {
        let refusal = verify(&store, &Policy::default(), signed(&card, &signature), NOW);
        assert_eq!(refusal.expect_err("refused in this test"), Refusal::BadSignature);
    }
}

#[test]
fn sha1_signatures_need_the_legacy_setting() {
    let pki = TestPki::new();
    let card = nurse(&pki);
    let store = store_for(&pki, &[]);
    let signature = card.sign_sha1(CHALLENGE);
    let legacy = Policy { allow_sha1: true, ..Policy::default() };

    let refused = verify(&store, &Policy::default(), signed(&card, &signature), NOW);
    let accepted = verify(&store, &legacy, signed(&card, &signature), NOW).expect("valid in this test");

    assert_eq!(refused.expect_err("refused in this test"), Refusal::BadSignature);
    assert_eq!(accepted.digest, SignatureDigest::Sha1);
}

#[test]
fn bytes_that_are_not_a_certificate_are_refused_without_panicking() {
    let pki = TestPki::new();
    let store = store_for(&pki, &[]);
    let card = nurse(&pki);
    let truncated = &card.certificate_der[..card.certificate_der.len() / 2];

    for certificate_der in [&b""[..], b"\x30\x82\xff\xff", b"not a certificate", truncated] {
        let input = SignedChallenge { certificate_der, signature: b"x", challenge: CHALLENGE };
        assert_eq!(
            verify(&store, &Policy::default(), input, NOW).expect_err("refused in this test"),
            Refusal::Malformed
        );
    }
}

#[test]
fn trust_material_loads_from_pem_and_der_files() {
    let pki = TestPki::new();
    let card = nurse(&pki);
    let dir = tempfile::tempdir().expect("valid in this test");
    let anchors = dir.path().join("root.pem");
    let hca = dir.path().join("hca.cer");
    let crl = dir.path().join("hca.crl");
    let root_crl = dir.path().join("root.crl.pem");
    std::fs::write(&anchors, pki.root_pem()).expect("valid in this test");
    std::fs::write(&hca, pki.hca_der()).expect("valid in this test");
    std::fs::write(&crl, pki.hca_crl(&[], NOW - DAY, NOW + 6 * DAY)).expect("valid in this test");
    let root_crl_der = pki.root_crl(NOW - DAY, NOW + 6 * DAY);
    std::fs::write(&root_crl, test_pki::pem("X509 CRL", &root_crl_der)).expect("valid in this test");

    let mut store = TrustStore::new();
    assert_eq!(store.load_certificates(&anchors, true).expect("valid in this test"), 1);
    assert_eq!(store.load_certificates(&hca, false).expect("valid in this test"), 1);
    assert_eq!(store.load_crl(&crl).expect("valid in this test"), 1);
    assert_eq!(store.load_crl(&root_crl).expect("valid in this test"), 1);

    assert_eq!(store.anchor_count(), 1);
    assert!(check(&store, &card, &Policy::default()).is_ok());
    std::fs::write(&crl, "-----BEGIN X509 CRL-----\nnonsense\n-----END X509 CRL-----\n")
        .expect("valid in this test");
    assert!(store.load_crl(&crl).is_err());
    assert!(store.load_crl(&dir.path().join("missing.crl")).is_err());
}

#[test]
fn the_cards_encryption_certificate_cannot_sign_in() {
    let pki = TestPki::new();
    let mut spec = CardSpec::professional("王小明", NOW - YEAR, NOW + YEAR);
    spec.for_signing = false;
    let card = pki.card(&spec);

    let refusal = check(&store_for(&pki, &[]), &card, &Policy::default()).expect_err("refused in this test");

    assert_eq!(refusal, Refusal::NotForSigning);
}

#[test]
fn a_card_under_a_revoked_intermediate_is_refused() {
    let pki = TestPki::new();
    let card = nurse(&pki);
    let mut store = TrustStore::new();
    store.add_anchor(pki.root_der()).expect("valid in this test");
    store.add_intermediate(pki.hca_der()).expect("valid in this test");
    store.add_crl(pki.root_crl_revoking_hca(NOW - DAY, NOW + 6 * DAY)).expect("valid in this test");
    store.add_crl(pki.hca_crl(&[], NOW - DAY, NOW + 6 * DAY)).expect("valid in this test");

    let refusal = check(&store, &card, &Policy::default()).expect_err("refused in this test");

    assert_eq!(refusal, Refusal::Revoked);
}

#[test]
fn a_newer_crl_that_revokes_wins_over_an_older_one_that_does_not() {
    let pki = TestPki::new();
    let card = nurse(&pki);
    // store_for's HCA list (issued a day ago) revokes nothing; one issued an hour ago revokes
    // the card, whichever order they are added in.
    let mut store = store_for(&pki, &[]);
    store.add_crl(pki.hca_crl(&[&card.serial], NOW - 3600, NOW + 6 * DAY)).expect("valid in this test");
    assert_eq!(check(&store, &card, &Policy::default()).expect_err("refused in this test"), Refusal::Revoked);

    let mut store = TrustStore::new();
    store.add_anchor(pki.root_der()).expect("valid in this test");
    store.add_intermediate(pki.hca_der()).expect("valid in this test");
    store.add_crl(pki.root_crl(NOW - DAY, NOW + 6 * DAY)).expect("valid in this test");
    store.add_crl(pki.hca_crl(&[&card.serial], NOW - 3600, NOW + 6 * DAY)).expect("valid in this test");
    store.add_crl(pki.hca_crl(&[], NOW - DAY, NOW + 6 * DAY)).expect("valid in this test");
    assert_eq!(check(&store, &card, &Policy::default()).expect_err("refused in this test"), Refusal::Revoked);
}

#[test]
fn a_card_certificate_that_says_it_is_a_ca_is_refused() {
    let pki = TestPki::new();
    let mut spec = CardSpec::professional("王小明", NOW - YEAR, NOW + YEAR);
    spec.is_ca = true;
    let card = pki.card(&spec);

    let refusal = check(&store_for(&pki, &[]), &card, &Policy::default()).expect_err("refused in this test");

    assert_eq!(refusal, Refusal::NotProfessionalCard);
}

#[test]
fn a_card_with_a_critical_extension_the_verifier_does_not_know_is_refused() {
    let pki = TestPki::new();
    let mut spec = CardSpec::professional("王小明", NOW - YEAR, NOW + YEAR);
    spec.unknown_critical_extension = true;
    let card = pki.card(&spec);

    let refusal = check(&store_for(&pki, &[]), &card, &Policy::default()).expect_err("refused in this test");

    assert_eq!(refusal, Refusal::NotProfessionalCard);
}

#[test]
fn a_ca_below_the_hca_breaks_its_path_length_constraint_of_zero() {
    let pki = TestPki::new();
    let (sub_ca, card) = pki.card_under_sub_ca(&CardSpec::professional("王小明", NOW - YEAR, NOW + YEAR));
    let mut store = store_for(&pki, &[]);
    store.add_intermediate(sub_ca).expect("valid in this test");

    let refusal = check(&store, &card, &Policy::default()).expect_err("refused in this test");

    // card → sub CA → HCA (pathLen 0: no CA may sit below it) → root.
    assert_eq!(refusal, Refusal::Untrusted);
}
