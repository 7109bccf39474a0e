//! A hospital's nurses behind one public address: a stranger behind the same address cannot
//! shut them out. A browser keeps a device cookie nonce for each of up to five accounts, a
//! reset by mail gives one, and captchas and forms are counted per session under a much larger
//! ceiling per address that a trusted device cookie does not need.

use huzhu_core::id::IdNumber;
use huzhu_web::Clock as _;

use crate::helpers::{
    NURSE_ID, NURSE_PASSWORD, TestApp, browser_with_cookie, csrf_of, device_cookie_value, new_browser,
};
use crate::throttle::{WRONG, attempt, fail_times, spawn};

const WRONG_PAGE: &str = "身分證字號或密碼不正確";
const OTHER_PASSWORD: &str = "another long password";

/// The `i`-th other nurse's ID (i from 1): T10000000 followed by its check digit, then
/// T10000001…, all valid and none of them the nurse's.
fn other_id(i: usize) -> String {
    let nine = format!("T1000000{}", i - 1);
    IdNumber::with_check_digit(&nine).expect("a valid ID").as_str().to_owned()
}

/// Adds `count` more nurses with verified accounts (password [`OTHER_PASSWORD`]); returns
/// their IDs.
async fn add_others(app: &TestApp, count: usize) -> Vec<String> {
    let mut ids = Vec::new();
    for i in 1..=count {
        let mut other = crate::helpers::hand_made_nurse();
        let id = other_id(i);
        other.id_number = IdNumber::parse(&id).expect("a valid ID");
        other.certificates[0].number = format!("衛部護字第00010{i}號");
        other.licences[0].certificate_number = other.certificates[0].number.clone();
        other.licences[0].number = format!("北市護執字第000010{i}號");
        other.email = format!("other{i}@example.org");
        app.add_member(other, OTHER_PASSWORD).await;
        ids.push(id);
    }
    ids
}

/// Signs in with the n-th captcha and out again; returns the device cookie's value it set.
async fn sign_in_and_out(app: &TestApp, id: &str, password: &str, n: usize) -> String {
    let response = app.sign_in(id, password, &format!("C{n:04}")).await;
    assert_eq!(response.status(), 303, "sign-in {n}");
    let value = device_cookie_value(&response);
    let home = app.get_text("/member").await;
    app.post_form("/logout", &[("csrf", &csrf_of(&home))]).await;
    value
}

/// Three failures on three unknown IDs from a stranger's own browser (captchas `first`…
/// `first + 2`), which with `address_delay_after` = `address_lock_threshold` = 3 make the
/// shared address wait 1 s and pause it.
async fn stranger_pauses_the_address(app: &mut TestApp, first: usize) {
    let ward = std::mem::replace(&mut app.client, new_browser());
    for (n, nine) in ["A12345678", "B12345678", "C12345678"].iter().enumerate() {
        let id = IdNumber::with_check_digit(nine).expect("a valid ID");
        attempt(app, id.as_str(), WRONG, first + n).await;
    }
    app.client = ward;
}

fn shared_address(config: &mut huzhu_web::Config) {
    config.address_delay_after = 3;
    config.address_lock_threshold = 3;
}

#[tokio::test]
async fn two_nurses_who_signed_in_on_one_ward_pc_both_skip_a_paused_address() {
    let (mut app, _smtp) = spawn(shared_address).await;
    let others = add_others(&app, 1).await;
    sign_in_and_out(&app, NURSE_ID, NURSE_PASSWORD, 1).await;
    let both = sign_in_and_out(&app, &others[0], OTHER_PASSWORD, 2).await;
    // Two nonces of 43 characters (256 bits in base64 without padding) joined by a dot.
    assert_eq!(both.len(), 43 + 1 + 43, "{both}");
    assert_eq!(both.split('.').count(), 2);

    // Captchas 3–5: the address waits and is paused.
    stranger_pauses_the_address(&mut app, 3).await;
    let ward = std::mem::replace(&mut app.client, new_browser());
    let (_, page) = attempt(&app, NURSE_ID, NURSE_PASSWORD, 6).await;
    assert!(page.contains("請於 1 秒後再試"), "a browser without her cookie waits: {page}");
    app.client = ward;

    // From the ward PC both are in at once, the first one first: her sign-in replaces only
    // her own nonce, so the second's still holds.
    let again = sign_in_and_out(&app, NURSE_ID, NURSE_PASSWORD, 7).await;
    assert_eq!(again.split('.').next(), both.split('.').nth(1), "the other's nonce is kept, now first");
    assert_ne!(again.split('.').nth(1), both.split('.').next(), "hers is a new one");
    sign_in_and_out(&app, &others[0], OTHER_PASSWORD, 8).await;
}

#[tokio::test]
async fn a_sign_in_to_a_sixth_account_drops_the_first_accounts_nonce() {
    let (mut app, _smtp) = spawn(shared_address).await;
    let others = add_others(&app, 5).await;
    let first = sign_in_and_out(&app, NURSE_ID, NURSE_PASSWORD, 1).await;
    let mut last = String::new();
    for (n, id) in others.iter().enumerate() {
        last = sign_in_and_out(&app, id, OTHER_PASSWORD, n + 2).await;
    }
    // Six accounts, at most five nonces: hers, the oldest, went, row and all.
    assert_eq!(last.split('.').count(), 5);
    assert!(!last.contains(&first));
    let hash = huzhu_web::session::hash_token(&first);
    assert_eq!(app.store.device_cookie(&hash, app.clock.now()).await.expect("a read"), None);

    // Captchas 7–9 pause the address: she waits on the ward PC now, the second account not.
    stranger_pauses_the_address(&mut app, 7).await;
    let (_, page) = attempt(&app, NURSE_ID, NURSE_PASSWORD, 10).await;
    assert!(page.contains("請於 1 秒後再試"), "{page}");
    assert_eq!(attempt(&app, &others[0], OTHER_PASSWORD, 11).await.0, 303);
}

#[tokio::test]
async fn made_up_entries_among_real_ones_change_nothing() {
    let (mut app, _smtp) = spawn(shared_address).await;
    let hers = sign_in_and_out(&app, NURSE_ID, NURSE_PASSWORD, 1).await;
    // Well-formed nonces the server never gave, before and after hers.
    let forged_a = "A".repeat(43);
    let forged_b = "b".repeat(43);
    let value = format!("{forged_a}.{hers}.{forged_b}");
    stranger_pauses_the_address(&mut app, 2).await;

    app.client = browser_with_cookie(&app.base, "huzhu_device", &value);
    let response = app.sign_in(NURSE_ID, NURSE_PASSWORD, "C0005").await;
    assert_eq!(response.status(), 303, "her nonce among made-up ones still lets her through");
    // The new cookie holds only her new nonce: the made-up ones are left out.
    let renewed = device_cookie_value(&response);
    assert_eq!(renewed.len(), 43, "{renewed}");
    assert!(!renewed.contains(&forged_a) && !renewed.contains(&forged_b) && renewed != hers);
}

#[tokio::test]
async fn a_junk_or_over_long_device_cookie_counts_as_none() {
    let (mut app, _smtp) = spawn(shared_address).await;
    let hers = sign_in_and_out(&app, NURSE_ID, NURSE_PASSWORD, 1).await;
    stranger_pauses_the_address(&mut app, 2).await;
    // Each value: her nonce in a place where it must not be read.
    let six_ahead: Vec<String> = (0..6).map(|i| format!("{i}").repeat(43)).collect();
    let values = [
        // Her nonce as the sixth entry: only the first five are looked at.
        format!("{}.{hers}", six_ahead[..5].join(".")),
        // Her nonce with a character outside base64url, or glued to 30 more characters
        // (73 > 64).
        format!("{hers}!"),
        format!("{hers}{}", "x".repeat(30)),
        // Plain junk.
        "....;;;%%%".to_owned(),
        "\u{7f}".repeat(10),
        "x".repeat(3000),
    ];
    for (n, value) in values.iter().enumerate() {
        let encoded = value.replace(';', "%3B").replace('\u{7f}', "%7F");
        app.client = browser_with_cookie(&app.base, "huzhu_device", &encoded);
        let (status, page) = attempt(&app, NURSE_ID, NURSE_PASSWORD, 5 + n).await;
        assert_eq!(status, 200, "value {n}");
        assert!(page.contains("秒後再試") || page.contains(WRONG_PAGE), "value {n}: {page}");
    }
}

#[tokio::test]
async fn failures_on_one_accounts_nonce_leave_the_others_alone() {
    let (mut app, _smtp) = spawn(|_| {}).await;
    let others = add_others(&app, 1).await;
    let hers = sign_in_and_out(&app, NURSE_ID, NURSE_PASSWORD, 1).await;
    let both = sign_in_and_out(&app, &others[0], OTHER_PASSWORD, 2).await;
    let theirs = both.split('.').nth(1).expect("the second nonce").to_owned();
    assert_eq!(both.split('.').next(), Some(hers.as_str()));

    // Five wrong passwords for the other account from the ward PC (captchas 3–7): each counts
    // on that account's nonce only, the fifth makes it untrusted.
    for n in 3..=7 {
        let (_, page) = attempt(&app, &others[0], WRONG, n).await;
        assert!(page.contains(WRONG_PAGE) && !page.contains("秒後再試"), "{page}");
    }
    let now = app.clock.now();
    let read = |nonce: String| {
        let store = app.store.clone();
        async move { store.device_cookie(&huzhu_web::session::hash_token(&nonce), now).await.expect("a read") }
    };
    let (_, their_failures) = read(theirs).await.expect("their row");
    assert_eq!(their_failures, 5);
    let (_, her_failures) = read(hers).await.expect("her row");
    assert_eq!(her_failures, 0);

    // Her nonce is still trusted: a stranger who pauses her ID (captchas 8–12, from his own
    // browser) does not hold her on the ward PC.
    let ward = std::mem::replace(&mut app.client, new_browser());
    fail_times(&app, NURSE_ID, 5, 8).await;
    app.client = ward;
    assert_eq!(attempt(&app, NURSE_ID, NURSE_PASSWORD, 13).await.0, 303);
}

/// Asks for a reset link for the nurse with the n-th captcha from the app's browser; returns
/// the page.
async fn ask_for_reset(app: &TestApp, n: usize) -> String {
    let page = app.get_text("/password/forgot").await;
    assert_eq!(app.get("/captcha").await.status(), 200);
    let captcha = format!("C{n:04}");
    let csrf = csrf_of(&page);
    let form = [
        ("csrf", csrf.as_str()),
        ("id_number", NURSE_ID),
        ("email", "lin@example.org"),
        ("captcha", captcha.as_str()),
    ];
    let answer = app.post_form("/password/forgot", &form).await;
    assert_eq!(answer.status(), 200);
    answer.text().await.expect("a body")
}

const NEW_PASSWORD: &str = "marigold tapestry kettle ferry";

/// Follows a mailed reset link and sets [`NEW_PASSWORD`]; returns the answer.
async fn complete_reset(app: &TestApp, link: &str) -> reqwest::Response {
    let path = link.strip_prefix("http://portal.example.test").expect("the configured address");
    let page = app.get_text(path).await;
    let token = path.split("token=").nth(1).expect("a token");
    let csrf = csrf_of(&page);
    let form = [
        ("csrf", csrf.as_str()),
        ("token", token),
        ("password", NEW_PASSWORD),
        ("password_again", NEW_PASSWORD),
    ];
    app.post_form("/password/reset", &form).await
}

#[tokio::test]
async fn completing_a_reset_gives_her_browser_a_device_cookie_that_skips_the_address_wait() {
    // The address waits from its third failure, and is never paused here.
    let (mut app, smtp) = spawn(|config| {
        config.address_delay_after = 3;
        config.address_lock_threshold = 1000;
    })
    .await;
    // Her new browser asks for a link (captcha 1) and sets a new password with it.
    ask_for_reset(&app, 1).await;
    let link = smtp.wait_for(1).await[0].link("http://portal.example.test").expect("a link");
    let done = complete_reset(&app, &link).await;
    assert_eq!(done.status(), 200);
    let nonce = device_cookie_value(&done);
    assert_eq!(nonce.len(), 43);
    assert!(done.text().await.expect("a body").contains("密碼已重設"));

    // A stranger's three failures (captchas 2–4) make the address wait 1 s (its pause is set
    // out of reach here) ...
    stranger_pauses_the_address(&mut app, 2).await;
    let hers = std::mem::replace(&mut app.client, new_browser());
    let (_, page) = attempt(&app, NURSE_ID, NEW_PASSWORD, 5).await;
    assert!(page.contains("請於 1 秒後再試"), "{page}");
    // ... which does not hold her browser, at the same moment.
    app.client = hers;
    assert_eq!(attempt(&app, NURSE_ID, NEW_PASSWORD, 6).await.0, 303);
    // The reset is audited as before.
    let audit = app.store.recent_audit(100).await.expect("the audit log");
    assert!(audit.iter().any(|e| (e.event.as_str(), e.outcome.as_str()) == ("reset_completed", "succeeded")));
}

/// The newest audit rows of the captcha endpoint's refusals.
async fn captcha_refusals(app: &TestApp) -> usize {
    let audit = app.store.recent_audit(200).await.expect("the audit log");
    audit.iter().filter(|e| (e.event.as_str(), e.outcome.as_str()) == ("captcha", "rate_limited")).count()
}

#[tokio::test]
async fn a_session_gets_thirty_captchas_an_hour_while_another_at_the_address_still_gets_them() {
    let (mut app, _smtp) = spawn(|_| {}).await;
    // The default captcha_session_limit: 30 an hour.
    for n in 1..=30 {
        assert_eq!(app.get("/captcha").await.status(), 200, "captcha {n}");
    }
    assert_eq!(app.get("/captcha").await.status(), 429);
    assert_eq!(app.get("/captcha").await.status(), 429);
    // Two refusals, one audit row (per address and hour).
    assert_eq!(captcha_refusals(&app).await, 1);

    // Another browser at the same address (127.0.0.1): its own session, its own allowance; the
    // address has drawn 30 of its 6000.
    let first = std::mem::replace(&mut app.client, new_browser());
    assert_eq!(app.get("/captcha").await.status(), 200);
    // The first is still refused.
    app.client = first;
    assert_eq!(app.get("/captcha").await.status(), 429);
}

#[tokio::test]
async fn the_address_ceiling_refuses_browsers_without_a_cookie_but_not_her_trusted_one() {
    let (mut app, _smtp) = spawn(|config| config.captcha_rate_limit = 3).await;
    // Her sign-in's captcha is drawn before she has a cookie: the address has used 1 of 3.
    let nonce = sign_in_and_out(&app, NURSE_ID, NURSE_PASSWORD, 1).await;
    let hers = std::mem::replace(&mut app.client, new_browser());
    // A stranger draws 2 (3 of 3), then is refused, and so is any browser without a cookie.
    assert_eq!(app.get("/captcha").await.status(), 200);
    assert_eq!(app.get("/captcha").await.status(), 200);
    assert_eq!(app.get("/captcha").await.status(), 429);
    app.client = new_browser();
    assert_eq!(app.get("/captcha").await.status(), 429);
    // Her browser, with its trusted cookie, still gets one: the first on her nonce.
    app.client = hers;
    assert_eq!(app.get("/captcha").await.status(), 200);

    // Her cookie copied into new sessions, as a thief would: each new session may draw, but
    // the nonce counts them too. 1 + 29 = 30, the session limit; the 30th new session falls
    // back on the address's ceiling, which is used up.
    for n in 1..=29 {
        app.client = browser_with_cookie(&app.base, "huzhu_device", &nonce);
        assert_eq!(app.get("/captcha").await.status(), 200, "session {n}");
    }
    app.client = browser_with_cookie(&app.base, "huzhu_device", &nonce);
    assert_eq!(app.get("/captcha").await.status(), 429);
}

/// Posts the reset form with the n-th captcha for an address nobody registered, so no mail
/// goes; returns the status.
async fn forgot_unknown(app: &TestApp, captcha: &str) -> u16 {
    let page = app.get_text("/password/forgot").await;
    assert_eq!(app.get("/captcha").await.status(), 200);
    let csrf = csrf_of(&page);
    let form = [
        ("csrf", csrf.as_str()),
        ("id_number", NURSE_ID),
        ("email", "nobody@example.org"),
        ("captcha", captcha),
    ];
    app.post_form("/password/forgot", &form).await.status().as_u16()
}

#[tokio::test]
async fn a_session_may_send_five_reset_requests_an_hour_and_another_session_still_may() {
    let (mut app, _smtp) = spawn(|_| {}).await;
    // Three wrong captchas count for nothing; captchas 1–3 were drawn for them.
    for _ in 0..3 {
        assert_eq!(forgot_unknown(&app, "WRONG").await, 200);
    }
    // Captchas 4–8 pass: five posts, the default form_session_limit; the sixth (9) is refused.
    for n in 4..=8 {
        assert_eq!(forgot_unknown(&app, &format!("C{n:04}")).await, 200, "captcha {n}");
    }
    assert_eq!(forgot_unknown(&app, "C0009").await, 429);
    // Another browser at the same address has its own five (the address has used 5 of 200).
    app.client = new_browser();
    assert_eq!(forgot_unknown(&app, "C0010").await, 200);
}

#[tokio::test]
async fn at_most_five_reset_links_an_hour_are_mailed_to_one_account() {
    let (mut app, smtp) = spawn(|_| {}).await;
    // Seven requests that match her ID and address, from four sessions (each may send five):
    // captchas 1–7.
    let mut pages = Vec::new();
    for n in 1..=7 {
        if n % 2 == 1 {
            app.client = new_browser();
        }
        pages.push(ask_for_reset(&app, n).await);
    }
    // Every request got the same page.
    assert!(pages.iter().all(|page| page == &pages[0]));
    // The default reset_mails_per_hour is 5: requests 1–5 are mailed, 6 and 7 not.
    let audit = app.store.recent_audit(100).await.expect("the audit log");
    let outcomes: Vec<&str> =
        audit.iter().rev().filter(|e| e.event == "reset_requested").map(|e| e.outcome.as_str()).collect();
    assert_eq!(outcomes, ["mailed", "mailed", "mailed", "mailed", "mailed", "not_mailed", "not_mailed"]);
    // Once the outbox is empty, the relay has exactly five.
    smtp.wait_for(5).await;
    assert_eq!(app.unsent_mail_after_delivery().await, 0);
    let mails = smtp.received();
    assert_eq!(mails.len(), 5);

    // The fifth link, the latest mailed, still works; the password-changed notice is mail 6.
    let link = mails[4].link("http://portal.example.test").expect("a link");
    assert_eq!(complete_reset(&app, &link).await.status(), 200);
    assert_eq!(smtp.wait_for(6).await.len(), 6);

    // An hour after the fifth mail the count starts again: request 8 is mailed (mail 7).
    app.clock.advance(3600);
    app.client = new_browser();
    ask_for_reset(&app, 8).await;
    assert_eq!(smtp.wait_for(7).await.len(), 7);
}

#[tokio::test]
async fn at_most_five_verification_links_an_hour_are_mailed_for_one_registration() {
    use crate::accounts::{add_person, local_path, press_verify, register, unregistered_midwife};
    let (mut app, smtp) = spawn(|_| {}).await;
    let id = add_person(&app, unregistered_midwife()).await;
    // Seven registrations with her details and address, from four sessions (each may send
    // five): captchas 1–7. The first creates the account, the next four mail fresh links.
    let fields = [id.as_str(), "陳雅婷", "1988-11-23", "chen@example.org", NEW_PASSWORD];
    let mut pages = Vec::new();
    for n in 1..=7 {
        if n % 2 == 1 {
            app.client = new_browser();
        }
        let answer = register(&app, fields, &format!("C{n:04}")).await;
        assert_eq!(answer.status(), 200);
        pages.push(answer.text().await.expect("a body"));
    }
    assert!(pages.iter().all(|page| page == &pages[0]));
    // The default verify_mails_per_hour is 5: registrations 6 and 7 mail nothing.
    let audit = app.store.recent_audit(100).await.expect("the audit log");
    let outcomes: Vec<&str> =
        audit.iter().rev().filter(|e| e.event == "register").map(|e| e.outcome.as_str()).collect();
    assert_eq!(outcomes, ["mailed", "mailed", "mailed", "mailed", "mailed", "not_mailed", "not_mailed"]);
    smtp.wait_for(5).await;
    assert_eq!(app.unsent_mail_after_delivery().await, 0);
    let mails = smtp.received();
    assert_eq!(mails.len(), 5);
    // The fifth link, the latest mailed, still verifies her address.
    let path = local_path(&mails[4].link("http://portal.example.test").expect("a link"));
    assert!(press_verify(&app, &path, NEW_PASSWORD).await.contains("電子郵件已驗證"));
}
