//! HCA憑證登入 over HTTP: a test PKI on disk as the configuration names it, cards signing the
//! challenges the server issues, and every refusal the member can meet.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use huzhu_hca::test_pki::{self, CardSpec, TestCard, TestPki};
use huzhu_web::Config;
use serde_json::Value;

use crate::helpers::{NURSE_ID, NURSE_NAME, NURSE_PASSWORD, START, TestApp, csrf_of};

const DAY: i64 = 86_400;
const YEAR: i64 = 365 * DAY;
const OTHER_ID: &str = "T100000007";
const OTHER_PASSWORD: &str = "another long password";

/// A portal whose card trust files are a fresh test PKI's: root as anchor, HCA as intermediate,
/// CRLs of both issued a day before the test clock and due six days after it.
struct CardWorld {
    app: TestApp,
    pki: TestPki,
    _files: tempfile::TempDir,
}

fn nurse_card(pki: &TestPki) -> TestCard {
    pki.card(&CardSpec::professional(NURSE_NAME, START - YEAR, START + YEAR))
}

impl CardWorld {
    async fn new(revoked: &[&[u8]], adjust: impl FnOnce(&mut Config, &std::path::Path)) -> CardWorld {
        let pki = TestPki::new();
        CardWorld::with_pki(pki, revoked, adjust).await
    }

    async fn with_pki(
        pki: TestPki,
        revoked: &[&[u8]],
        adjust: impl FnOnce(&mut Config, &std::path::Path),
    ) -> CardWorld {
        let files = tempfile::tempdir().expect("a temporary folder");
        let dir = files.path().to_owned();
        std::fs::write(dir.join("root.pem"), pki.root_pem()).expect("write root");
        std::fs::write(dir.join("hca.pem"), pki.hca_pem()).expect("write HCA");
        std::fs::write(dir.join("root.crl"), pki.root_crl(START - DAY, START + 6 * DAY)).expect("write CRL");
        std::fs::write(dir.join("hca.crl"), pki.hca_crl(revoked, START - DAY, START + 6 * DAY))
            .expect("write CRL");
        let app = TestApp::spawn_with(|config| {
            config.card_trust_anchors = vec![dir.join("root.pem")];
            config.card_intermediates = vec![dir.join("hca.pem")];
            config.card_crls = vec![dir.join("root.crl"), dir.join("hca.crl")];
            adjust(config, &dir);
        })
        .await;
        CardWorld { app, pki, _files: files }
    }
}

/// What the browser posts after the component signed: the challenge, the card's certificate and
/// the signature, with the page's CSRF token.
async fn post_signed(
    client: &reqwest::Client,
    url: &str,
    csrf: &str,
    challenge: &str,
    card: &TestCard,
    signature: &[u8],
) -> (u16, Value) {
    let certificate = STANDARD.encode(&card.certificate_der);
    let signature = STANDARD.encode(signature);
    let form =
        [("csrf", csrf), ("challenge", challenge), ("certificate", &certificate), ("signature", &signature)];
    let response = client.post(url).form(&form).send().await.expect("answered");
    let status = response.status().as_u16();
    (status, response.json().await.expect("a JSON answer"))
}

async fn challenge(client: &reqwest::Client, url: &str, csrf: &str) -> String {
    let response = client.post(url).form(&[("csrf", csrf)]).send().await.expect("answered");
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.expect("JSON");
    body["challenge"].as_str().expect("a challenge").to_owned()
}

impl CardWorld {
    /// Opens the sign-in page and signs a fresh challenge with `card`.
    async fn card_sign_in(&self, card: &TestCard) -> (u16, Value) {
        let csrf = csrf_of(&self.app.get_text("/login").await);
        let challenge = challenge(&self.app.client, &self.app.url("/login/card/challenge"), &csrf).await;
        let signature = card.sign_sha256(challenge.as_bytes());
        post_signed(&self.app.client, &self.app.url("/login/card"), &csrf, &challenge, card, &signature).await
    }

    /// Links `card` from the account page of whoever is signed in.
    async fn bind(&self, card: &TestCard) -> (u16, Value) {
        let csrf = csrf_of(&self.app.get_text("/member/account").await);
        let url = self.app.url("/member/account/card/challenge");
        let challenge = challenge(&self.app.client, &url, &csrf).await;
        let signature = card.sign_sha256(challenge.as_bytes());
        post_signed(
            &self.app.client,
            &self.app.url("/member/account/card"),
            &csrf,
            &challenge,
            card,
            &signature,
        )
        .await
    }

    async fn sign_in_with_password(&self, id: &str, password: &str, captcha: &str) {
        let response = self.app.sign_in(id, password, captcha).await;
        assert_eq!(response.status(), 303, "the password sign-in works");
    }

    async fn sign_out(&self) {
        let csrf = csrf_of(&self.app.get_text("/member").await);
        let response = self.app.post_form("/logout", &[("csrf", &csrf)]).await;
        assert_eq!(response.status(), 303);
    }

    /// Binds `card` to the nurse right after her first password sign-in, then signs out.
    async fn nurse_with_linked(&self, card: &TestCard) {
        self.nurse_links_with_captcha(card, "C0001").await;
    }

    /// The same with the captcha answer the test has come to (each sign-in page draws one).
    async fn nurse_links_with_captcha(&self, card: &TestCard, captcha: &str) {
        self.sign_in_with_password(NURSE_ID, NURSE_PASSWORD, captcha).await;
        let (status, body) = self.bind(card).await;
        assert_eq!((status, body["redirect"].as_str()), (200, Some("/member/account")), "{body}");
        self.sign_out().await;
    }

    async fn signed_in_name(&self) -> Option<String> {
        let response = self.app.get("/member").await;
        if response.status() != 200 {
            return None;
        }
        let page = response.text().await.expect("a body");
        let name = if page.contains(NURSE_NAME) { NURSE_NAME } else { "someone else" };
        Some(name.to_owned())
    }
}

fn error_of(answer: &(u16, Value)) -> (u16, &str) {
    (answer.0, answer.1["error"].as_str().unwrap_or("no error"))
}

#[tokio::test]
async fn a_linked_card_signs_the_nurse_in_with_a_new_session() {
    let world = CardWorld::new(&[], |_, _| {}).await;
    let card = nurse_card(&world.pki);
    world.nurse_with_linked(&card).await;
    assert_eq!(world.signed_in_name().await, None);

    let csrf = csrf_of(&world.app.get_text("/login").await);
    let url = world.app.url("/login/card/challenge");
    let challenge = challenge(&world.app.client, &url, &csrf).await;
    // "huzhu-card:" and 32 random bytes in unpadded Base64url: 11 + ceil(32 × 4 / 3) = 11 + 43.
    assert_eq!(challenge.len(), 11 + 43);
    let signature = card.sign_sha256(challenge.as_bytes());
    let certificate = STANDARD.encode(&card.certificate_der);
    let signature = STANDARD.encode(signature);
    let response = world
        .app
        .client
        .post(world.app.url("/login/card"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("challenge", &challenge),
            ("certificate", &certificate),
            ("signature", &signature),
        ])
        .send()
        .await
        .expect("answered");

    assert_eq!(response.status(), 200);
    assert!(crate::helpers::session_cookie(&response).is_some(), "the session is replaced");
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(body["redirect"], "/member");
    assert_eq!(world.signed_in_name().await.as_deref(), Some(NURSE_NAME));
}

#[tokio::test]
async fn an_unlinked_card_is_told_how_to_link_it() {
    let world = CardWorld::new(&[], |_, _| {}).await;
    let card = nurse_card(&world.pki);

    let answer = world.card_sign_in(&card).await;

    assert_eq!(error_of(&answer), (403, "not_linked"));
    assert!(answer.1["message"].as_str().unwrap_or_default().contains("帳號設定"));
    assert_eq!(world.signed_in_name().await, None);
}

#[tokio::test]
async fn expired_revoked_impostor_and_institution_cards_are_refused_each_with_its_reason() {
    let pki = TestPki::new();
    let revoked = nurse_card(&pki);
    let world = CardWorld::with_pki(pki, &[&revoked.serial], |_, _| {}).await;
    let expired = world.pki.card(&CardSpec::professional(NURSE_NAME, START - 2 * YEAR, START - DAY));
    let impostor =
        test_pki::self_signed_card(&CardSpec::professional(NURSE_NAME, START - YEAR, START + YEAR));
    let mut institution = CardSpec::professional("某某醫院", START - YEAR, START + YEAR);
    institution.holder_type = huzhu_hca::INSTITUTION_CARD.to_owned();
    let institution = world.pki.card(&institution);

    assert_eq!(error_of(&world.card_sign_in(&expired).await), (403, "expired"));
    assert_eq!(error_of(&world.card_sign_in(&revoked).await), (403, "revoked"));
    assert_eq!(error_of(&world.card_sign_in(&impostor).await), (403, "untrusted"));
    assert_eq!(error_of(&world.card_sign_in(&institution).await), (403, "not_professional"));
    assert_eq!(world.signed_in_name().await, None);
}

#[tokio::test]
async fn a_revoked_card_that_was_linked_no_longer_signs_in() {
    let pki = TestPki::new();
    let card = nurse_card(&pki);
    let world = CardWorld::with_pki(pki, &[], |_, _| {}).await;
    world.nurse_with_linked(&card).await;
    let crl_path = world._files.path().join("hca.crl");

    // The operator's scheduled download replaces the CRL; the next sign-in reads it.
    std::fs::write(&crl_path, world.pki.hca_crl(&[&card.serial], START - 60, START + 6 * DAY))
        .expect("write");

    assert_eq!(error_of(&world.card_sign_in(&card).await), (403, "revoked"));
}

#[tokio::test]
async fn a_stale_crl_refuses_cards_when_the_setting_is_fail_closed() {
    let world = CardWorld::new(&[], |config, dir| {
        config.card_crls = vec![dir.join("root.crl"), dir.join("hca-stale.crl")];
    })
    .await;
    // Issued ten days before the clock and due three days before it.
    let stale = world.pki.hca_crl(&[], START - 10 * DAY, START - 3 * DAY);
    std::fs::write(world._files.path().join("hca-stale.crl"), stale).expect("write");
    let card = nurse_card(&world.pki);

    let answer = world.card_sign_in(&card).await;

    assert_eq!(error_of(&answer), (403, "revocation_unknown"));
}

#[tokio::test]
async fn a_stale_crl_lets_a_linked_card_in_when_the_setting_is_fail_open() {
    let world = CardWorld::new(&[], |config, _| config.card_stale_crl = "fail_open".to_owned()).await;
    let card = nurse_card(&world.pki);
    world.nurse_with_linked(&card).await;
    let stale = world.pki.hca_crl(&[], START - 10 * DAY, START - 3 * DAY);
    std::fs::write(world._files.path().join("hca.crl"), stale).expect("write");

    let answer = world.card_sign_in(&card).await;

    assert_eq!(answer.1["redirect"], "/member", "{}", answer.1);
}

#[tokio::test]
async fn a_signature_over_other_bytes_is_refused() {
    let world = CardWorld::new(&[], |_, _| {}).await;
    let card = nurse_card(&world.pki);
    world.nurse_with_linked(&card).await;
    let csrf = csrf_of(&world.app.get_text("/login").await);
    let challenge = challenge(&world.app.client, &world.app.url("/login/card/challenge"), &csrf).await;
    let signature = card.sign_sha256(b"huzhu-card:a challenge the attacker chose");

    let answer =
        post_signed(&world.app.client, &world.app.url("/login/card"), &csrf, &challenge, &card, &signature)
            .await;

    assert_eq!(error_of(&answer), (403, "bad_signature"));
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

#[tokio::test]
async fn a_challenge_is_used_up_by_a_failed_attempt_in_the_same_session() {
    let world = CardWorld::new(&[], |_, _| {}).await;
    let card = nurse_card(&world.pki);
    world.nurse_with_linked(&card).await;
    let csrf = csrf_of(&world.app.get_text("/login").await);
    let challenge = challenge(&world.app.client, &world.app.url("/login/card/challenge"), &csrf).await;
    let url = world.app.url("/login/card");
    let wrong = card.sign_sha256(b"huzhu-card:other bytes");
    let first = post_signed(&world.app.client, &url, &csrf, &challenge, &card, &wrong).await;
    assert_eq!(error_of(&first), (403, "bad_signature"));

    // The same session, the same challenge, now with a good signature: already used.
    let right = card.sign_sha256(challenge.as_bytes());
    let again = post_signed(&world.app.client, &url, &csrf, &challenge, &card, &right).await;

    assert_eq!(error_of(&again), (403, "challenge"));
    assert_eq!(world.signed_in_name().await, None);
}

#[tokio::test]
async fn a_challenge_works_once() {
    let world = CardWorld::new(&[], |_, _| {}).await;
    let card = nurse_card(&world.pki);
    world.nurse_with_linked(&card).await;
    let csrf = csrf_of(&world.app.get_text("/login").await);
    let challenge = challenge(&world.app.client, &world.app.url("/login/card/challenge"), &csrf).await;
    let signature = card.sign_sha256(challenge.as_bytes());
    let url = world.app.url("/login/card");
    let first = post_signed(&world.app.client, &url, &csrf, &challenge, &card, &signature).await;
    assert_eq!(first.0, 200);
    world.sign_out().await;

    // Replayed from a new anonymous session of the same browser, and in the old one's name.
    let csrf = csrf_of(&world.app.get_text("/login").await);
    let replay = post_signed(&world.app.client, &url, &csrf, &challenge, &card, &signature).await;

    assert_eq!(error_of(&replay), (403, "challenge"));
}

#[tokio::test]
async fn a_challenge_issued_to_another_session_is_refused() {
    let world = CardWorld::new(&[], |_, _| {}).await;
    let card = nurse_card(&world.pki);
    world.nurse_with_linked(&card).await;
    // The victim's browser asks for a challenge; the attacker's browser posts it.
    let csrf = csrf_of(&world.app.get_text("/login").await);
    let challenge = challenge(&world.app.client, &world.app.url("/login/card/challenge"), &csrf).await;
    let signature = card.sign_sha256(challenge.as_bytes());
    let attacker = reqwest::Client::builder().cookie_store(true).build().expect("a client");
    let attacker_csrf = csrf_of(
        &attacker.get(world.app.url("/login")).send().await.expect("page").text().await.expect("body"),
    );

    let stolen =
        post_signed(&attacker, &world.app.url("/login/card"), &attacker_csrf, &challenge, &card, &signature)
            .await;

    assert_eq!(error_of(&stolen), (403, "challenge"));
    // The challenge is still the victim's to use.
    let own =
        post_signed(&world.app.client, &world.app.url("/login/card"), &csrf, &challenge, &card, &signature)
            .await;
    assert_eq!(own.0, 200);
}

#[tokio::test]
async fn an_expired_challenge_is_refused() {
    let world = CardWorld::new(&[], |_, _| {}).await;
    let card = nurse_card(&world.pki);
    world.nurse_with_linked(&card).await;
    let csrf = csrf_of(&world.app.get_text("/login").await);
    let challenge = challenge(&world.app.client, &world.app.url("/login/card/challenge"), &csrf).await;
    let signature = card.sign_sha256(challenge.as_bytes());
    // The default lifetime is 120 seconds.
    world.app.clock.advance(121);

    let late =
        post_signed(&world.app.client, &world.app.url("/login/card"), &csrf, &challenge, &card, &signature)
            .await;

    assert_eq!(error_of(&late), (403, "challenge"));
}

#[tokio::test]
async fn another_members_linked_card_cannot_be_linked_again_and_signs_in_only_its_owner() {
    let world = CardWorld::new(&[], |_, _| {}).await;
    let card = nurse_card(&world.pki);
    world.nurse_with_linked(&card).await;
    let mut other = crate::helpers::hand_made_nurse();
    other.id_number = huzhu_core::id::IdNumber::parse(OTHER_ID).expect("a valid ID");
    other.name = "陳大同".to_owned();
    other.email = "chen@example.org".to_owned();
    other.certificates[0].number = "衛部護字第000002號".to_owned();
    other.licences[0].certificate_number = "衛部護字第000002號".to_owned();
    other.licences[0].number = "北市護執字第0000002號".to_owned();
    world.app.add_member(other, OTHER_PASSWORD).await;

    world.sign_in_with_password(OTHER_ID, OTHER_PASSWORD, "C0002").await;
    let taken = world.bind(&card).await;
    assert_eq!(error_of(&taken), (409, "card_taken"));
    world.sign_out().await;

    // Whatever ID number the browser adds, the card signs in the member it is linked to.
    let csrf = csrf_of(&world.app.get_text("/login").await);
    let challenge = challenge(&world.app.client, &world.app.url("/login/card/challenge"), &csrf).await;
    let signature = STANDARD.encode(card.sign_sha256(challenge.as_bytes()));
    let certificate = STANDARD.encode(&card.certificate_der);
    let form = [
        ("csrf", csrf.as_str()),
        ("challenge", &challenge),
        ("certificate", &certificate),
        ("signature", &signature),
        ("id_number", OTHER_ID),
        ("idno", OTHER_ID),
    ];
    let response =
        world.app.client.post(world.app.url("/login/card")).form(&form).send().await.expect("answered");
    assert_eq!(response.status(), 200);
    assert_eq!(world.signed_in_name().await.as_deref(), Some(NURSE_NAME));
}

impl CardWorld {
    /// Five wrong passwords, each after the wait the one before set (1, 2, 4 and 8 s): the 5th
    /// pauses her password path (lock_threshold 5) and sets a 16 s wait on her ID. Captchas
    /// C0002 to C0006.
    async fn pause_her_password_path(&self) {
        // As if from a stranger's browser: the device cookie hers got at the password sign-in
        // that linked the card would exempt it from the pause (crate::device_cookies).
        self.app.store.purge_device_cookies(i64::MAX).await.expect("the device cookies are forgotten");
        for (n, wait) in [(2, 0), (3, 1), (4, 2), (5, 4), (6, 8)] {
            self.app.clock.advance(wait);
            let response = self.app.sign_in(NURSE_ID, "not her password at all", &format!("C{n:04}")).await;
            assert_eq!(response.status(), 200);
        }
        let paused = self.app.store.recent_audit(1).await.expect("the audit log");
        assert_eq!((paused[0].event.as_str(), paused[0].outcome.as_str()), ("sign_in", "wrong_password"));
    }
}

#[tokio::test]
async fn the_password_lock_does_not_block_the_card() {
    let world = CardWorld::new(&[], |_, _| {}).await;
    let card = nurse_card(&world.pki);
    world.nurse_with_linked(&card).await;
    world.pause_her_password_path().await;
    // Past the 16 s wait, the pause still refuses her right password ...
    world.app.clock.advance(16);
    let locked = world.app.sign_in(NURSE_ID, NURSE_PASSWORD, "C0007").await;
    assert_eq!(locked.status(), 200, "the right password is refused while paused");
    let audit = world.app.store.recent_audit(1).await.expect("the audit log");
    assert_eq!(audit[0].outcome, "locked");

    // ... but not her card.
    let answer = world.card_sign_in(&card).await;

    assert_eq!(answer.1["redirect"], "/member", "{}", answer.1);
    assert_eq!(world.signed_in_name().await.as_deref(), Some(NURSE_NAME));
}

#[tokio::test]
async fn a_card_sign_in_ends_the_password_pause_and_the_wait_on_her_id() {
    let world = CardWorld::new(&[], |_, _| {}).await;
    let card = nurse_card(&world.pki);
    world.nurse_with_linked(&card).await;
    world.pause_her_password_path().await;

    assert_eq!(world.card_sign_in(&card).await.1["redirect"], "/member");
    world.sign_out().await;
    // At once, within both the 16 s wait and the 15-minute pause: her password works again.
    assert_eq!(world.app.sign_in(NURSE_ID, NURSE_PASSWORD, "C0007").await.status(), 303);

    let audit = world.app.store.recent_audit(50).await.expect("the audit log");
    let unlock: Vec<_> = audit.iter().filter(|e| e.event == "unlock").collect();
    assert_eq!(unlock.len(), 1, "{audit:?}");
    // F223456786 masked: first three and last two characters.
    assert_eq!(
        (unlock[0].outcome.as_str(), unlock[0].subject.as_deref()),
        ("card_sign_in", Some("F22*****86"))
    );
}

#[tokio::test]
async fn a_card_is_linked_only_soon_after_a_password_sign_in_and_can_be_unlinked() {
    let world = CardWorld::new(&[], |_, _| {}).await;
    let card = nurse_card(&world.pki);
    world.sign_in_with_password(NURSE_ID, NURSE_PASSWORD, "C0001").await;
    // card_link_minutes is 10 by default; the session sees use every minute so it stays alive.
    for _ in 0..11 {
        world.app.clock.advance(60);
        assert_eq!(world.app.get("/member").await.status(), 200);
    }
    assert_eq!(error_of(&world.bind(&card).await), (403, "link_too_late"));
    world.sign_out().await;

    world.nurse_links_with_captcha(&card, "C0002").await;
    world.sign_in_with_password(NURSE_ID, NURSE_PASSWORD, "C0003").await;
    let account = world.app.get_text("/member/account").await;
    // The account page shows the linked card's serial, as openssl reads it from the certificate.
    let serial = openssl_serial(&card);
    assert!(account.contains(&format!("<dd>{serial}</dd>")), "the serial {serial} is listed");
    assert!(account.contains("/member/account/card/unlink"));
    let csrf = csrf_of(&account);
    let unlinked = world.app.post_form("/member/account/card/unlink", &[("csrf", &csrf)]).await;
    assert_eq!(unlinked.status(), 303);
    world.sign_out().await;

    assert_eq!(error_of(&world.card_sign_in(&card).await), (403, "not_linked"));
    let audit: Vec<String> = world
        .app
        .store
        .recent_audit(50)
        .await
        .expect("audit")
        .into_iter()
        .map(|e| format!("{}:{}", e.event, e.outcome))
        .collect();
    for expected in [
        "card_bind:refused:link_too_late",
        "card_bind:succeeded",
        "card_unbind:succeeded",
        "card_sign_in:refused:not_linked",
    ] {
        assert!(audit.contains(&expected.to_owned()), "{expected} is in the audit log: {audit:?}");
    }
}

#[tokio::test]
async fn without_trust_anchors_card_sign_in_is_off() {
    let world = CardWorld::new(&[], |config, _| config.card_trust_anchors.clear()).await;
    let card = nurse_card(&world.pki);

    assert_eq!(error_of(&world.card_sign_in(&card).await), (503, "unavailable"));
}

#[tokio::test]
async fn garbage_in_the_signed_form_is_refused_calmly() {
    let world = CardWorld::new(&[], |_, _| {}).await;
    let url = world.app.url("/login/card");
    let long = "A".repeat(20_000);
    for (certificate, signature) in
        [("", ""), ("%%%", "AAAA"), (long.as_str(), "AAAA"), ("AAAA", long.as_str())]
    {
        let csrf = csrf_of(&world.app.get_text("/login").await);
        let challenge = challenge(&world.app.client, &world.app.url("/login/card/challenge"), &csrf).await;
        let form = [
            ("csrf", csrf.as_str()),
            ("challenge", &challenge),
            ("certificate", certificate),
            ("signature", signature),
        ];
        let response = world.app.client.post(&url).form(&form).send().await.expect("answered");
        assert_eq!(response.status(), 403);
        let body: Value = response.json().await.expect("JSON");
        assert_eq!(body["error"], "malformed");
    }
    // Without the session's CSRF token nothing is looked at, and the page is told to reload.
    let answer = world.app.client.post(&url).form(&[("csrf", "forged")]).send().await.expect("answered");
    assert_eq!(answer.status(), 403);
    let body: Value = answer.json().await.expect("JSON");
    assert_eq!(body["error"], "session_expired");
}

#[tokio::test]
async fn the_card_tab_may_connect_to_the_configured_component_and_nowhere_else() {
    let world = CardWorld::new(&[], |config, _| {
        config.card_agent_origins = vec!["http://127.0.0.1:56445".to_owned()];
    })
    .await;

    let response = world.app.get("/login?tab=card").await;
    let csp = response.headers()["content-security-policy"].to_str().expect("ASCII").to_owned();
    let page = response.text().await.expect("a body");

    assert!(csp.contains("connect-src 'self' http://127.0.0.1:56445;"), "{csp}");
    assert!(page.contains("data-agents=\"http://127.0.0.1:56445\""));
    assert!(page.contains("/static/card.js?v="));
    // The PIN field has no name, so a form posted without the script carries no PIN.
    let pin_input =
        page.split("id=\"card-pin\"").nth(1).and_then(|rest| rest.split('>').next()).unwrap_or("");
    assert!(!pin_input.contains("name="), "{pin_input}");
}

#[test]
fn card_settings_that_could_break_the_policy_header_or_mean_nothing_are_refused() {
    let with = |adjust: fn(&mut Config)| {
        let mut config = Config::default();
        adjust(&mut config);
        config.validate().err().map(|e| e.to_string()).unwrap_or_default()
    };

    assert!(with(|c| c.card_stale_crl = "sometimes".to_owned()).contains("card_stale_crl"));
    assert!(
        with(|c| c.card_agent_origins = vec!["http://x; script-src *".to_owned()])
            .contains("card_agent_origins")
    );
    assert!(
        with(|c| c.card_agent_origins = vec!["javascript:alert(1)".to_owned()])
            .contains("card_agent_origins")
    );
    assert!(with(|c| c.card_challenge_seconds = 5).contains("card_challenge_seconds"));
    assert!(with(|c| c.card_link_minutes = 0).contains("card_link_minutes"));
    assert_eq!(with(|c| c.card_stale_crl = "fail_open".to_owned()), "");
}

#[tokio::test]
async fn a_card_sign_in_cannot_swap_the_linked_card_for_another() {
    let world = CardWorld::new(&[], |_, _| {}).await;
    let card = nurse_card(&world.pki);
    world.nurse_with_linked(&card).await;
    let other_card = world.pki.card(&CardSpec::professional(NURSE_NAME, START - YEAR, START + YEAR));
    let answer = world.card_sign_in(&card).await;
    assert_eq!(answer.1["redirect"], "/member", "{}", answer.1);

    // Whoever holds the card (and its PIN) unlinks it, but may not link another without the password,
    // even though the card sign-in made a brand-new session a moment ago.
    let csrf = csrf_of(&world.app.get_text("/member/account").await);
    let unlinked = world.app.post_form("/member/account/card/unlink", &[("csrf", &csrf)]).await;
    assert_eq!(unlinked.status(), 303);
    assert_eq!(error_of(&world.bind(&other_card).await), (403, "link_too_late"));
    assert_eq!(error_of(&world.bind(&card).await), (403, "link_too_late"));
}

#[tokio::test]
async fn only_failed_card_attempts_count_towards_the_address_pause() {
    // A limit of 3 failures an hour, so the test stays short.
    let world = CardWorld::new(&[], |config, _| config.card_rate_limit = 3).await;
    let card = nurse_card(&world.pki);
    world.nurse_with_linked(&card).await;
    let stranger = world.pki.card(&CardSpec::professional(NURSE_NAME, START - YEAR, START + YEAR));

    // Five successful sign-ins from the one address (a ward's shared PC) are more than the limit
    // and pause nothing.
    for _ in 0..5 {
        let answer = world.card_sign_in(&card).await;
        assert_eq!(answer.1["redirect"], "/member", "{}", answer.1);
        world.sign_out().await;
    }
    // Two failures (a card not linked) leave the path open: 2 < 3.
    for _ in 0..2 {
        assert_eq!(error_of(&world.card_sign_in(&stranger).await), (403, "not_linked"));
    }
    assert_eq!(world.card_sign_in(&card).await.1["redirect"], "/member");
    world.sign_out().await;
    // The third failure pauses the address, even for the linked card, for the rest of the hour.
    assert_eq!(error_of(&world.card_sign_in(&stranger).await), (403, "not_linked"));
    assert_eq!(error_of(&world.card_sign_in(&card).await), (429, "too_many"));
    world.app.clock.advance(3601);
    assert_eq!(world.card_sign_in(&card).await.1["redirect"], "/member");
}

#[test]
fn the_card_pause_is_as_high_as_the_password_paths_address_pause_by_default() {
    let config = Config::default();
    // Both 100: hospitals share one address.
    assert_eq!((config.card_rate_limit, config.address_lock_threshold), (100, 100));
}

#[tokio::test]
async fn a_new_challenge_replaces_the_sessions_last_one() {
    let world = CardWorld::new(&[], |_, _| {}).await;
    let card = nurse_card(&world.pki);
    world.nurse_with_linked(&card).await;
    let csrf = csrf_of(&world.app.get_text("/login").await);
    let url = world.app.url("/login/card/challenge");
    let first = challenge(&world.app.client, &url, &csrf).await;
    let second = challenge(&world.app.client, &url, &csrf).await;
    let latest = challenge(&world.app.client, &url, &csrf).await;
    let sign_in = world.app.url("/login/card");

    for old in [&first, &second] {
        let signature = card.sign_sha256(old.as_bytes());
        let answer = post_signed(&world.app.client, &sign_in, &csrf, old, &card, &signature).await;
        assert_eq!(error_of(&answer), (403, "challenge"));
    }
    let signature = card.sign_sha256(latest.as_bytes());
    let answer = post_signed(&world.app.client, &sign_in, &csrf, &latest, &card, &signature).await;
    assert_eq!(answer.1["redirect"], "/member", "{}", answer.1);
}

async fn audit_entries(world: &CardWorld) -> Vec<String> {
    let entries = world.app.store.recent_audit(50).await.expect("audit");
    entries.into_iter().map(|e| format!("{}:{}", e.event, e.outcome)).collect()
}

#[tokio::test]
async fn a_missing_crl_file_refuses_cards_as_revocation_unknown_when_fail_closed() {
    let world = CardWorld::new(&[], |config, dir| {
        config.card_crls = vec![dir.join("root.crl"), dir.join("not-downloaded-yet.crl")];
    })
    .await;
    let card = nurse_card(&world.pki);

    assert_eq!(error_of(&world.card_sign_in(&card).await), (403, "revocation_unknown"));
    assert!(audit_entries(&world).await.contains(&"card_sign_in:refused:revocation_unknown".to_owned()));
}

#[tokio::test]
async fn an_unreadable_crl_file_lets_a_linked_card_in_when_fail_open() {
    let world = CardWorld::new(&[], |config, _| config.card_stale_crl = "fail_open".to_owned()).await;
    let card = nurse_card(&world.pki);
    world.nurse_with_linked(&card).await;
    std::fs::write(world._files.path().join("hca.crl"), "half a download").expect("write");

    let answer = world.card_sign_in(&card).await;

    assert_eq!(answer.1["redirect"], "/member", "{}", answer.1);
}

#[tokio::test]
async fn a_missing_trust_anchor_file_makes_card_sign_in_unavailable_in_json() {
    let world =
        CardWorld::new(&[], |config, dir| config.card_trust_anchors = vec![dir.join("gone.pem")]).await;
    let card = nurse_card(&world.pki);

    let answer = world.card_sign_in(&card).await;

    assert_eq!(error_of(&answer), (503, "unavailable"));
    assert!(audit_entries(&world).await.contains(&"card_sign_in:refused:unavailable".to_owned()));
}

#[test]
fn the_card_trust_files_are_checked_with_a_line_for_each_problem() {
    let files = tempfile::tempdir().expect("a temporary folder");
    let dir = files.path();
    let pki = TestPki::new();
    std::fs::write(dir.join("root.pem"), pki.root_pem()).expect("write root");
    std::fs::write(dir.join("hca.pem"), pki.hca_pem()).expect("write HCA");
    std::fs::write(dir.join("hca.crl"), pki.hca_crl(&[], START - DAY, START + DAY)).expect("write CRL");
    let mut config = Config {
        card_trust_anchors: vec![dir.join("root.pem")],
        card_intermediates: vec![dir.join("hca.pem")],
        card_crls: vec![dir.join("hca.crl")],
        ..Config::default()
    };
    let check = |config: &Config| huzhu_web::routes::card::check_trust_files(config).join("\n");

    assert_eq!(
        check(&config),
        "Card sign-in: 1 trust anchor file(s), 1 intermediate file(s), 1 CRL file(s) read"
    );

    config.card_crls.push(dir.join("missing.crl"));
    config.card_intermediates = vec![dir.join("hca.crl")];
    let report = check(&config);
    assert!(report.contains("Card sign-in is unavailable") && report.contains("hca.crl"), "{report}");
    assert!(report.contains("Card CRL unusable") && report.contains("missing.crl"), "{report}");
    assert!(report.contains("card_stale_crl = fail_closed"), "{report}");

    assert!(check(&Config::default()).starts_with("Card sign-in is off"));
}

#[tokio::test]
async fn a_body_too_large_for_the_card_endpoints_is_answered_in_json() {
    let world = CardWorld::new(&[], |_, _| {}).await;
    let csrf = csrf_of(&world.app.get_text("/login").await);
    // 70,000 bytes of certificate are over the portal's 64 KiB (65,536-byte) body limit.
    let huge = "A".repeat(70_000);

    for path in ["/login/card", "/login/card/challenge", "/member/account/card"] {
        let form =
            [("csrf", csrf.as_str()), ("challenge", "x"), ("certificate", &huge), ("signature", "AAAA")];
        let response = world.app.client.post(world.app.url(path)).form(&form).send().await.expect("answered");
        assert_eq!(response.status(), 413, "{path}");
        assert!(
            response.headers()["content-type"].to_str().unwrap_or_default().starts_with("application/json")
        );
        let body: Value = response.json().await.expect("JSON");
        assert_eq!(body["error"], "too_large", "{path}");
        assert!(body["message"].as_str().unwrap_or_default().contains("網頁送出的資料過大"), "{body}");
    }
}

#[test]
fn the_page_looks_first_for_huzhu_agent_on_plain_http_then_for_servisign() {
    let origins = Config::default().card_agent_origins;

    // huzhu-agent: http on 127.0.0.1; HCA ServiSign: https on localhost (DOMAIN.md §4.4).
    assert_eq!(
        origins,
        [
            "http://127.0.0.1:56445",
            "http://127.0.0.1:56545",
            "http://127.0.0.1:56645",
            "https://localhost:56445",
            "https://localhost:56545",
            "https://localhost:56645",
        ]
    );
}
