//! The member's account: change password, the policy-change redirect, recent sign-ins, other
//! sessions.

use huzhu_web::Config;

use crate::helpers::{NURSE_ID, NURSE_PASSWORD, TestApp, csrf_of};
use crate::smtp::MailServer;

const NEW_PASSWORD: &str = "marigold tapestry kettle ferry";

async fn spawn(adjust: impl FnOnce(&mut Config) + 'static) -> (TestApp, MailServer) {
    let smtp = MailServer::start();
    let url = smtp.url();
    let app = TestApp::spawn_with(move |config| {
        config.smtp_url = url;
        config.public_url = "http://portal.example.test".to_owned();
        adjust(config);
    })
    .await;
    (app, smtp)
}

async fn change(app: &TestApp, current: &str, new: &str) -> reqwest::Response {
    let page = app.get_text("/member/password").await;
    app.post_form(
        "/member/password",
        &[
            ("csrf", &csrf_of(&page)),
            ("current_password", current),
            ("password", new),
            ("password_again", new),
        ],
    )
    .await
}

fn other_client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("a client")
}

async fn sign_in_elsewhere(app: &TestApp, client: &reqwest::Client, captcha: &str) {
    let page = client.get(app.url("/login")).send().await.expect("a page").text().await.expect("a body");
    client.get(app.url("/captcha")).send().await.expect("a captcha");
    let form = [
        ("csrf", csrf_of(&page)),
        ("id_number", NURSE_ID.to_owned()),
        ("password", NURSE_PASSWORD.to_owned()),
        ("captcha", captcha.to_owned()),
    ];
    let response = client.post(app.url("/login")).form(&form).send().await.expect("a sign-in");
    assert_eq!(response.status(), 303);
}

#[tokio::test]
async fn a_member_changes_her_password_with_the_current_one_and_other_sessions_end() {
    let (app, smtp) = spawn(|_| {}).await;
    let elsewhere = other_client();
    sign_in_elsewhere(&app, &elsewhere, "C0001").await;
    assert_eq!(app.sign_in(NURSE_ID, NURSE_PASSWORD, "C0002").await.status(), 303);

    let wrong = change(&app, "not the current one", NEW_PASSWORD).await;
    assert!(wrong.text().await.expect("a body").contains("目前的密碼不正確"));

    // A wrong current password makes the next try wait 1 s, as a failed sign-in does.
    app.clock.advance(1);
    let done = change(&app, NURSE_PASSWORD, NEW_PASSWORD).await;
    assert!(done.text().await.expect("a body").contains("密碼已變更"));
    // This session goes on; the other one ended; a notice went out.
    assert_eq!(app.get("/member").await.status(), 200);
    assert_eq!(elsewhere.get(app.url("/member")).send().await.expect("home").status(), 303);
    let mails = smtp.wait_for(1).await;
    assert_eq!(mails[0].to, vec!["lin@example.org".to_owned()]);
    assert!(mails[0].text().contains("密碼剛剛已變更"));
}

/// The outcomes of the password_change records, oldest first.
async fn password_change_audit(app: &TestApp) -> Vec<String> {
    let mut entries = app.store.recent_audit(50).await.expect("the audit log");
    entries.reverse();
    entries.into_iter().filter(|e| e.event == "password_change").map(|e| e.outcome).collect()
}

#[tokio::test]
async fn guessing_the_current_password_waits_like_a_sign_in_and_ends_the_session_at_the_lock() {
    let (app, smtp) = spawn(|_| {}).await;
    assert_eq!(app.sign_in(NURSE_ID, NURSE_PASSWORD, "C0001").await.status(), 303);
    // A session taken to another browser: without her device cookie, which would exempt the
    // guesses from the waits (crate::device_cookies). Forgotten on the server here.
    app.store.purge_device_cookies(i64::MAX).await.expect("the device cookies are forgotten");
    let before = app.argon2_count();

    let first = change(&app, "guess number one", NEW_PASSWORD).await.text().await.expect("a body");
    assert!(first.contains("目前的密碼不正確"), "{first}");
    assert_eq!(app.argon2_count() - before, 1, "one verification of the guess");

    // At once again: the 1 s wait after the first failure is not over, so the guess is refused
    // next to the field without running Argon2.
    let early = change(&app, "guess number two", NEW_PASSWORD).await.text().await.expect("a body");
    assert!(early.contains("密碼輸入錯誤次數過多，請於 1 秒後再試"), "{early}");
    assert!(early.contains("aria-invalid=\"true\""));
    assert_eq!(app.argon2_count() - before, 1);

    // Failures 2 to 4, each after its wait: the n-th failure makes the next wait 2^(n−1) s
    // (sign_in_delay_seconds = 1), so 1, 2 and 4 s.
    for (n, wait) in [(2, 1), (3, 2), (4, 4)] {
        app.clock.advance(wait);
        let page = change(&app, "another guess", NEW_PASSWORD).await.text().await.expect("a body");
        assert!(page.contains("目前的密碼不正確"), "failure {n}: {page}");
        assert_eq!(app.argon2_count() - before, n);
    }
    // The 5th failure (lock_threshold = 5), 8 s after the 4th: the account is paused and this
    // session ends.
    app.clock.advance(8);
    let fifth = change(&app, "fifth guess", NEW_PASSWORD).await;
    assert_eq!(fifth.status(), 303);
    assert_eq!(fifth.headers()["location"], "/login");
    assert_eq!(app.argon2_count() - before, 5);
    assert_eq!(app.get("/member").await.status(), 303, "signed out");
    assert_eq!(app.get("/member/password").await.status(), 303);

    // Her right password is refused while the pause lasts (lock_minutes = 15): tried 16 s
    // later, once the wait after the 5th failure (2^4 = 16 s) is over.
    app.clock.advance(16);
    assert_eq!(app.sign_in(NURSE_ID, NURSE_PASSWORD, "C0002").await.status(), 200);
    // At 15 × 60 = 900 s after the 5th failure the pause is over.
    app.clock.advance(900 - 16);
    assert_eq!(app.sign_in(NURSE_ID, NURSE_PASSWORD, "C0003").await.status(), 303);

    let mails = smtp.wait_for(1).await;
    assert!(mails[0].text().contains("密碼登入暫停 15 分鐘"), "the lock mail: {}", mails[0].text());
    assert_eq!(
        password_change_audit(&app).await,
        ["refused", "delayed", "refused", "refused", "refused", "session_ended"]
    );
}

#[tokio::test]
async fn a_password_set_under_older_rules_signs_in_and_must_be_replaced_first() {
    // Her password was set under version 1; the rules in force are version 2.
    let (app, _smtp) = spawn(|config| config.password_policy_version = 2).await;
    assert_eq!(app.sign_in(NURSE_ID, NURSE_PASSWORD, "C0001").await.status(), 303);
    for path in ["/member", "/member/videos", "/member/links", "/member/account"] {
        let response = app.get(path).await;
        assert_eq!(response.status(), 303, "{path}");
        assert_eq!(response.headers()["location"], "/member/password", "{path}");
    }
    let page = app.get_text("/member/password").await;
    assert!(page.contains("本系統密碼設定條件已更新"));

    // The account page's forms are sent to 變更密碼 too, and do nothing: her session
    // elsewhere (captcha C0002) is not ended, and no card challenge is issued.
    let elsewhere = other_client();
    sign_in_elsewhere(&app, &elsewhere, "C0002").await;
    let csrf = csrf_of(&page);
    for path in ["/member/account/sessions", "/member/account/card/unlink"] {
        let response = app.post_form(path, &[("csrf", &csrf)]).await;
        assert_eq!(response.status(), 303, "{path}");
        assert_eq!(response.headers()["location"], "/member/password", "{path}");
    }
    let challenge = app.post_form("/member/account/card/challenge", &[("csrf", &csrf)]).await;
    assert_eq!(challenge.status(), 200);
    let body: serde_json::Value = challenge.json().await.expect("a JSON answer");
    assert_eq!(body, serde_json::json!({ "redirect": "/member/password" }));
    let still = elsewhere.get(app.url("/member")).send().await.expect("home");
    assert_eq!(still.headers()["location"], "/member/password");
    let audit = app.store.recent_audit(100).await.expect("the audit log");
    assert!(!audit.iter().any(|e| e.event == "end_other_sessions"));

    change(&app, NURSE_PASSWORD, NEW_PASSWORD).await;
    assert_eq!(app.get("/member").await.status(), 200);
}

#[tokio::test]
async fn the_account_page_lists_her_recent_sign_ins_and_ends_her_other_sessions() {
    let (app, _smtp) = spawn(|_| {}).await;
    // One failure, then two sign-ins (one elsewhere).
    assert_eq!(app.sign_in(NURSE_ID, "not her password", "C0001").await.status(), 200);
    app.clock.advance(1); // the wait after a failure
    let elsewhere = other_client();
    sign_in_elsewhere(&app, &elsewhere, "C0002").await;
    assert_eq!(app.sign_in(NURSE_ID, NURSE_PASSWORD, "C0003").await.status(), 303);

    let page = app.get_text("/member/account").await;
    // START is 2026-12-04 00:00 UTC, 08:00 in Taiwan.
    assert_eq!(page.matches("2026-12-04 08:00").count(), 3);
    assert_eq!(page.matches("登入成功").count(), 2);
    assert_eq!(page.matches("密碼錯誤").count(), 1);
    assert!(page.contains("127.0.0.1"));

    let ended = app.post_form("/member/account/sessions", &[("csrf", &csrf_of(&page))]).await;
    assert!(ended.text().await.expect("a body").contains("已結束其他裝置上的登入 (1)"));
    assert_eq!(elsewhere.get(app.url("/member")).send().await.expect("home").status(), 303);
    assert_eq!(app.get("/member").await.status(), 200);
}

#[tokio::test]
async fn the_account_pages_need_a_signed_in_session() {
    let (app, _smtp) = spawn(|_| {}).await;
    for path in ["/member/account", "/member/password"] {
        let response = app.get(path).await;
        assert_eq!(response.status(), 303, "{path}");
        assert_eq!(response.headers()["location"], "/login");
    }
}

#[tokio::test]
async fn a_forced_change_refuses_the_current_password_as_the_new_one_in_both_languages() {
    // Her password was set under version 1; the rules in force are version 2.
    let (app, _smtp) = spawn(|config| config.password_policy_version = 2).await;
    assert_eq!(app.sign_in(NURSE_ID, NURSE_PASSWORD, "C0001").await.status(), 303);

    let page = change(&app, NURSE_PASSWORD, NURSE_PASSWORD).await.text().await.expect("a body");
    assert!(page.contains("新密碼不能與目前的密碼相同"), "{page}");
    assert!(page.contains("aria-invalid=\"true\""));
    // Still to be replaced: the member pages send her back to the form.
    assert_eq!(app.get("/member").await.headers()["location"], "/member/password");

    assert_eq!(app.get("/lang?to=en").await.status(), 303);
    let page = change(&app, NURSE_PASSWORD, NURSE_PASSWORD).await.text().await.expect("a body");
    assert!(page.contains("The new password must differ from the current one"), "{page}");

    change(&app, NURSE_PASSWORD, NEW_PASSWORD).await;
    assert_eq!(app.get("/member").await.status(), 200);
}
