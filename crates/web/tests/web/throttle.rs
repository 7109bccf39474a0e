//! Throttled password sign-in: a soft pause that tells the member and never shuts her out.

use huzhu_web::Config;

use crate::helpers::{NURSE_ID, NURSE_PASSWORD, TestApp};
use crate::smtp::MailServer;

const WRONG: &str = "not her password at all";

fn captcha(n: usize) -> String {
    format!("C{n:04}")
}

async fn spawn(adjust: impl FnOnce(&mut Config) + 'static) -> (TestApp, MailServer) {
    let smtp = MailServer::start();
    let url = smtp.url();
    let app = TestApp::spawn_with(move |config| {
        config.smtp_url = url;
        config.public_url = "http://portal.example.test".to_owned();
        config.mail_poll_seconds = 1;
        adjust(config);
    })
    .await;
    (app, smtp)
}

/// Signs in with the n-th captcha; returns the status and the page (the ID taken out).
async fn attempt(app: &TestApp, id: &str, password: &str, n: usize) -> (u16, String) {
    let response = app.sign_in(id, password, &captcha(n)).await;
    let status = response.status().as_u16();
    (status, response.text().await.expect("a body").replace(id, "<ID>"))
}

#[tokio::test]
async fn five_failures_pause_the_password_path_for_fifteen_minutes_with_the_same_answer() {
    let (app, smtp) = spawn(|_| {}).await;
    let (_, wrong_page) = attempt(&app, NURSE_ID, WRONG, 1).await;
    for n in 2..=5 {
        assert_eq!(attempt(&app, NURSE_ID, WRONG, n).await.0, 200);
    }
    // Locked now: even her right password gets the wrong-password answer.
    let (status, locked_page) = attempt(&app, NURSE_ID, NURSE_PASSWORD, 6).await;
    assert_eq!(status, 200);
    assert_eq!(locked_page, wrong_page);

    // She is told by mail, at her registered address.
    let mails = smtp.wait_for(1).await;
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].to, vec!["lin@example.org".to_owned()]);
    assert!(mails[0].text().contains("密碼登入暫停 15 分鐘"));

    // 14 min 59 s after the fifth failure: still paused. At 15 min: open again.
    app.clock.advance(15 * 60 - 1);
    assert_eq!(attempt(&app, NURSE_ID, NURSE_PASSWORD, 7).await.0, 200);
    app.clock.advance(1);
    assert_eq!(attempt(&app, NURSE_ID, NURSE_PASSWORD, 8).await.0, 303);
}

#[tokio::test]
async fn four_failures_do_not_pause_and_a_success_starts_the_count_again() {
    let (app, _smtp) = spawn(|_| {}).await;
    for n in 1..=4 {
        attempt(&app, NURSE_ID, WRONG, n).await;
    }
    assert_eq!(attempt(&app, NURSE_ID, NURSE_PASSWORD, 5).await.0, 303);
    let home = app.get_text("/member").await;
    app.post_form("/logout", &[("csrf", &crate::helpers::csrf_of(&home))]).await;
    // The success cleared the count: four more failures are again below the threshold.
    for n in 6..=9 {
        attempt(&app, NURSE_ID, WRONG, n).await;
    }
    assert_eq!(attempt(&app, NURSE_ID, NURSE_PASSWORD, 10).await.0, 303);
}

#[tokio::test]
async fn failures_older_than_the_pause_are_forgotten() {
    let (app, _smtp) = spawn(|_| {}).await;
    for n in 1..=4 {
        attempt(&app, NURSE_ID, WRONG, n).await;
    }
    // 15 minutes later the four failures no longer count: one more is the first of a new run.
    app.clock.advance(15 * 60);
    attempt(&app, NURSE_ID, WRONG, 5).await;
    assert_eq!(attempt(&app, NURSE_ID, NURSE_PASSWORD, 6).await.0, 303);
}

#[tokio::test]
async fn a_paused_nurse_resets_her_password_by_mail_and_signs_in_at_once() {
    let (app, smtp) = spawn(|_| {}).await;
    for n in 1..=5 {
        attempt(&app, NURSE_ID, WRONG, n).await;
    }
    smtp.wait_for(1).await;

    let page = app.get_text("/password/forgot").await;
    app.get("/captcha").await;
    let csrf = crate::helpers::csrf_of(&page);
    app.post_form(
        "/password/forgot",
        &[("csrf", &csrf), ("id_number", NURSE_ID), ("email", "lin@example.org"), ("captcha", "C0006")],
    )
    .await;
    let mails = smtp.wait_for(2).await;
    let link = mails[1].link("http://portal.example.test").expect("a reset link");
    let path = link.trim_start_matches("http://portal.example.test").to_owned();
    let form = app.get_text(&path).await;
    let token = path.split("token=").nth(1).expect("a token");
    let new_password = "marigold tapestry kettle ferry";
    app.post_form(
        "/password/reset",
        &[
            ("csrf", &crate::helpers::csrf_of(&form)),
            ("token", token),
            ("password", new_password),
            ("password_again", new_password),
        ],
    )
    .await;

    assert_eq!(attempt(&app, NURSE_ID, new_password, 7).await.0, 303);
}

#[tokio::test]
async fn many_failures_from_one_address_pause_that_address() {
    // Three failures on three IDs nobody registered, then the nurse from the same address.
    let (app, _smtp) = spawn(|config| config.address_lock_threshold = 3).await;
    let ids: Vec<String> = ["T10000000", "A12345678", "B12345678"]
        .iter()
        .map(|nine| huzhu_core::id::IdNumber::with_check_digit(nine).expect("a valid ID").as_str().to_owned())
        .collect();
    for (n, id) in ids.iter().enumerate() {
        attempt(&app, id, WRONG, n + 1).await;
    }
    assert_eq!(attempt(&app, NURSE_ID, NURSE_PASSWORD, 4).await.0, 200);
    app.clock.advance(15 * 60);
    assert_eq!(attempt(&app, NURSE_ID, NURSE_PASSWORD, 5).await.0, 303);
}

async fn forgot(app: &TestApp, n: usize) -> u16 {
    let page = app.get_text("/password/forgot").await;
    app.get("/captcha").await;
    let csrf = crate::helpers::csrf_of(&page);
    let answer = app
        .post_form(
            "/password/forgot",
            &[("csrf", &csrf), ("id_number", NURSE_ID), ("email", "x@example.org"), ("captcha", &captcha(n))],
        )
        .await;
    answer.status().as_u16()
}

#[tokio::test]
async fn reset_requests_from_one_address_are_limited_per_hour() {
    let (app, _smtp) = spawn(|config| config.form_rate_limit = 3).await;
    for n in 1..=3 {
        assert_eq!(forgot(&app, n).await, 200);
    }
    // The fourth within the hour is refused, calmly.
    let page = app.get_text("/password/forgot").await;
    let answer = app
        .post_form("/password/forgot", &[("csrf", &crate::helpers::csrf_of(&page)), ("id_number", NURSE_ID)])
        .await;
    assert_eq!(answer.status(), 429);
    assert!(answer.text().await.expect("a body").contains("請稍後再試"));
    // An hour later the address may ask again.
    app.clock.advance(3600);
    assert_eq!(forgot(&app, 5).await, 200);
}

#[tokio::test]
async fn captcha_images_from_one_address_are_limited_per_hour() {
    let (app, _smtp) = spawn(|config| config.captcha_rate_limit = 2).await;
    assert_eq!(app.get("/captcha").await.status(), 200);
    assert_eq!(app.get("/captcha").await.status(), 200);
    assert_eq!(app.get("/captcha").await.status(), 429);
}

/// The address the audit log recorded for the newest event.
async fn last_address(app: &TestApp) -> String {
    let page = app.get_text("/member/account").await;
    let start = page.find("<td>2026").expect("a sign-in row");
    page[start..].split("</td><td>").nth(2).expect("the address cell").to_owned()
}

async fn sign_in_with_forwarded(app: &TestApp, forwarded: &str) {
    let page = app.get_text("/login").await;
    app.get("/captcha").await;
    let response = app
        .client
        .post(app.url("/login"))
        .header("x-forwarded-for", forwarded)
        .form(&[
            ("csrf", crate::helpers::csrf_of(&page).as_str()),
            ("id_number", NURSE_ID),
            ("password", NURSE_PASSWORD),
            ("captcha", "C0001"),
        ])
        .send()
        .await
        .expect("an answer");
    assert_eq!(response.status(), 303);
}

#[tokio::test]
async fn forwarded_addresses_are_ignored_unless_the_proxy_is_trusted() {
    // 203.0.113.9 is a documentation address, only ever written in a header here.
    let (app, _smtp) = spawn(|_| {}).await;
    sign_in_with_forwarded(&app, "203.0.113.9").await;
    assert_eq!(last_address(&app).await, "127.0.0.1");

    let (app, _smtp) =
        spawn(|config| config.trusted_proxies = vec!["127.0.0.1".parse().expect("an address")]).await;
    // The client may prepend anything; the proxy appends the address it saw, which is used.
    sign_in_with_forwarded(&app, "198.51.100.1, 203.0.113.9").await;
    assert_eq!(last_address(&app).await, "203.0.113.9");
}
