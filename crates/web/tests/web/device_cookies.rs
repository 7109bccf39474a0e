//! Device cookies: a stranger who knows a nurse's ID, or shares her hospital's address, cannot
//! keep her out of the browser she signed in with before.

use crate::helpers::{NURSE_ID, NURSE_PASSWORD, TestApp, browser_with_cookie, csrf_of, new_browser};
use crate::throttle::{WRONG, attempt, fail_times, spawn};

const WRONG_PAGE: &str = "身分證字號或密碼不正確";

/// She signs in with the n-th captcha and out again; her browser keeps its device cookie.
/// Returns the cookie's value, read from the sign-in's `Set-Cookie`.
async fn sign_in_and_out(app: &TestApp, n: usize) -> String {
    let response = app.sign_in(NURSE_ID, NURSE_PASSWORD, &format!("C{n:04}")).await;
    assert_eq!(response.status(), 303);
    let cookie = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("huzhu_device="))
        .expect("a device cookie")
        .to_owned();
    // 180 days (the default device_cookie_days) = 180 × 86 400 s = 15 552 000 s.
    assert!(cookie.contains("Max-Age=15552000"), "{cookie}");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");
    let home = app.get_text("/member").await;
    app.post_form("/logout", &[("csrf", &csrf_of(&home))]).await;
    cookie["huzhu_device=".len()..].split(';').next().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn a_stranger_who_pauses_her_id_does_not_keep_her_out_of_her_own_browser() {
    let (mut app, _smtp) = spawn(|_| {}).await;
    sign_in_and_out(&app, 1).await;
    let hers = std::mem::replace(&mut app.client, new_browser());

    // The stranger's five failures (captchas 2–6) pause her ID; his next try, even with her
    // right password, waits the 16 s set by the fifth failure (2^(5-1)).
    fail_times(&app, NURSE_ID, 5, 2).await;
    let (_, page) = attempt(&app, NURSE_ID, NURSE_PASSWORD, 7).await;
    assert!(page.contains("請於 16 秒後再試"), "{page}");

    // From her browser, at the same moment: in at once, after one Argon2 verification.
    app.client = hers;
    let before = app.argon2_count();
    assert_eq!(attempt(&app, NURSE_ID, NURSE_PASSWORD, 8).await.0, 303);
    assert_eq!(app.argon2_count(), before + 1);
    // Her sign-in ended the pause, and the audit log says so, just before the sign-in itself;
    // her first sign-in (no pause running) wrote no such record.
    let audit = app.store.recent_audit(100).await.expect("the audit log");
    let pairs: Vec<_> = audit.iter().map(|e| (e.event.as_str(), e.outcome.as_str())).collect();
    assert_eq!(pairs[..2], [("sign_in", "succeeded"), ("unlock", "device_cookie")]);
    let masked = huzhu_core::id::IdNumber::parse(NURSE_ID).expect("a valid ID").masked();
    assert_eq!(audit[1].subject.as_deref(), Some(masked.as_str()));
    assert_eq!(pairs.iter().filter(|p| p.0 == "unlock").count(), 1);
}

#[tokio::test]
async fn the_address_wait_and_pause_do_not_hold_her_browser_either() {
    // A hospital's shared address: from its third failure it waits, and is paused.
    let (mut app, _smtp) = spawn(|config| {
        config.address_delay_after = 3;
        config.address_lock_threshold = 3;
    })
    .await;
    sign_in_and_out(&app, 1).await;
    let hers = std::mem::replace(&mut app.client, new_browser());
    for (n, nine) in ["T10000000", "A12345678", "B12345678"].iter().enumerate() {
        let id = huzhu_core::id::IdNumber::with_check_digit(nine).expect("a valid ID");
        attempt(&app, id.as_str(), WRONG, n + 2).await;
    }
    // Without her cookie, her right password waits the address's 1 s; 1 s later the address
    // is still paused and the answer is that of a wrong password.
    let (_, page) = attempt(&app, NURSE_ID, NURSE_PASSWORD, 5).await;
    assert!(page.contains("請於 1 秒後再試"), "{page}");
    app.clock.advance(1);
    let (status, page) = attempt(&app, NURSE_ID, NURSE_PASSWORD, 6).await;
    assert_eq!(status, 200);
    assert!(page.contains(WRONG_PAGE));

    app.client = hers;
    assert_eq!(attempt(&app, NURSE_ID, NURSE_PASSWORD, 7).await.0, 303);
}

/// A stranger's five failures on her ID (captchas `first`…`first + 4`), from a browser of his
/// own; then the 16 s wait they set holds an attempt from `browser`.
async fn paused_for(app: &mut TestApp, browser: reqwest::Client, first: usize) -> String {
    app.client = new_browser();
    fail_times(app, NURSE_ID, 5, first).await;
    app.client = browser;
    let (status, page) = attempt(app, NURSE_ID, NURSE_PASSWORD, first + 5).await;
    assert_eq!(status, 200);
    page
}

#[tokio::test]
async fn a_forged_cookie_gives_no_exemption() {
    let (mut app, _smtp) = spawn(|_| {}).await;

    // Forged: a well-formed value the server never gave.
    let forged =
        browser_with_cookie(&app.base, "huzhu_device", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    assert!(paused_for(&mut app, forged, 1).await.contains("請於 16 秒後再試"));
}

#[tokio::test]
async fn another_accounts_cookie_gives_no_exemption() {
    let (mut app, _smtp) = spawn(|_| {}).await;
    let mut other = crate::helpers::hand_made_nurse();
    other.id_number = huzhu_core::id::IdNumber::parse("T100000007").expect("a valid ID");
    other.certificates[0].number = "衛部護字第000002號".to_owned();
    other.licences[0].certificate_number = "衛部護字第000002號".to_owned();
    other.licences[0].number = "北市護執字第0000002號".to_owned();
    other.email = "other@example.org".to_owned();
    app.add_member(other, "another long password").await;
    // A second member signed in from this browser; its cookie is for her account, not the
    // nurse's.
    assert_eq!(app.sign_in("T100000007", "another long password", "C0001").await.status(), 303);
    let home = app.get_text("/member").await;
    app.post_form("/logout", &[("csrf", &csrf_of(&home))]).await;
    let others = app.client.clone();
    assert!(paused_for(&mut app, others, 2).await.contains("請於 16 秒後再試"));
}

#[tokio::test]
async fn an_expired_cookie_gives_no_exemption() {
    let (mut app, _smtp) = spawn(|_| {}).await;
    sign_in_and_out(&app, 1).await;
    let hers = app.client.clone();
    // 180 days later the cookie has expired on the server.
    app.clock.advance(180 * 86_400);
    assert!(paused_for(&mut app, hers, 2).await.contains("請於 16 秒後再試"));
}

#[tokio::test]
async fn five_failures_with_a_cookie_stop_it_being_trusted_and_are_audited() {
    let (app, _smtp) = spawn(|_| {}).await;
    let nonce = sign_in_and_out(&app, 1).await;
    // Five wrong passwords from her browser (captchas 2–6): no wait between them, each one
    // Argon2 verification; they count on the cookie, not on her ID.
    let before = app.argon2_count();
    for n in 2..=6 {
        let (status, page) = attempt(&app, NURSE_ID, WRONG, n).await;
        assert_eq!(status, 200);
        assert!(page.contains(WRONG_PAGE) && !page.contains("秒後再試"), "{page}");
    }
    assert_eq!(app.argon2_count(), before + 5);

    // No longer trusted: a failure now sets the ID's 1 s wait, which holds this browser too.
    attempt(&app, NURSE_ID, WRONG, 7).await;
    assert!(attempt(&app, NURSE_ID, NURSE_PASSWORD, 8).await.1.contains("請於 1 秒後再試"));

    let audit = app.store.recent_audit(50).await.expect("the audit log");
    let distrusted: Vec<_> = audit.iter().filter(|e| e.event == "device_cookie").collect();
    assert_eq!(distrusted.len(), 1, "{audit:?}");
    assert_eq!(distrusted[0].outcome, "distrusted");
    // Neither the cookie's value nor its hash is in the audit log.
    let hash = huzhu_web::session::hash_token(&nonce);
    let text = format!("{audit:?}");
    assert!(!text.contains(&nonce) && !text.contains(&hash));
}

#[tokio::test]
async fn a_paused_id_does_not_stop_her_changing_her_password_in_her_own_browser() {
    let (mut app, _smtp) = spawn(|_| {}).await;
    assert_eq!(app.sign_in(NURSE_ID, NURSE_PASSWORD, "C0001").await.status(), 303);
    let hers = std::mem::replace(&mut app.client, new_browser());
    // The stranger pauses her ID (captchas 2–6); she is still signed in in her browser.
    fail_times(&app, NURSE_ID, 5, 2).await;
    app.client = hers;

    let change = |current: &'static str| {
        let app = &app;
        async move {
            let page = app.get_text("/member/password").await;
            let new = "marigold tapestry kettle ferry";
            let form = [("csrf", csrf_of(&page)), ("current_password", current.to_owned())];
            let mut form = form.to_vec();
            form.push(("password", new.to_owned()));
            form.push(("password_again", new.to_owned()));
            let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            app.post_form("/member/password", &form).await.text().await.expect("a body")
        }
    };
    // A wrong current password is checked (no wait, no pause) and counted on her cookie ...
    let before = app.argon2_count();
    assert!(change("not her password").await.contains("目前的密碼不正確"));
    assert_eq!(app.argon2_count(), before + 1);
    // ... and the right one changes it at once.
    assert!(change(NURSE_PASSWORD).await.contains("密碼已變更"));
}

#[tokio::test]
async fn a_device_cookie_row_is_purged_when_it_expires_and_not_before() {
    use huzhu_web::Clock as _;
    let (app, _smtp) = spawn(|_| {}).await;
    let signed_in_at = app.clock.now();
    sign_in_and_out(&app, 1).await;
    // It expires 180 days (180 × 86 400 = 15 552 000 s) after the sign-in. The housekeeping
    // task (state::delete_expired) runs this purge with the current time.
    let expires = signed_in_at + 15_552_000;
    assert_eq!(app.store.purge_device_cookies(expires - 1).await.expect("a purge"), 0);
    assert_eq!(app.store.purge_device_cookies(expires).await.expect("a purge"), 1);
}

#[tokio::test]
async fn a_session_guessing_with_her_cookie_ends_when_the_cookie_is_used_up() {
    // Her session and her browser's device cookie, both in one client: what a thief who took
    // her unlocked phone holds.
    let (app, _smtp) = spawn(|_| {}).await;
    assert_eq!(app.sign_in(NURSE_ID, NURSE_PASSWORD, "C0001").await.status(), 303);
    let guess = || async {
        let page = app.get_text("/member/password").await;
        let new = "marigold tapestry kettle ferry";
        let form = [
            ("csrf", csrf_of(&page)),
            ("current_password", WRONG.to_owned()),
            ("password", new.to_owned()),
            ("password_again", new.to_owned()),
        ];
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        app.post_form("/member/password", &form).await
    };
    // Guesses 1–4 count on the cookie (device_cookie_failures = 5): refused, the session goes on.
    for n in 1..=4 {
        let answer = guess().await;
        assert_eq!(answer.status(), 200, "guess {n}");
        assert!(answer.text().await.expect("a body").contains("目前的密碼不正確"));
    }
    // The 5th uses the cookie up: the session ends and goes to the sign-in page.
    let fifth = guess().await;
    assert_eq!(fifth.status(), 303);
    assert_eq!(fifth.headers()["location"], "/login");
    assert_eq!(app.get("/member").await.status(), 303, "signed out");
    let audit = app.store.recent_audit(50).await.expect("the audit log");
    assert!(audit.iter().any(|e| e.event == "password_change" && e.outcome == "session_ended"));
    assert!(audit.iter().any(|e| e.event == "device_cookie" && e.outcome == "distrusted"));
}
