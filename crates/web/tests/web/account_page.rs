//! The member's account: change password, the policy-change redirect, recent sign-ins, other
//! sessions.

use huzhu_web::Config;

use sha2::{Digest, Sha256};

use crate::helpers::{NURSE_ID, NURSE_PASSWORD, TestApp, csrf_of, session_cookie};
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
async fn a_weak_new_password_is_audited_apart_from_a_wrong_current_one_and_never_counted() {
    let (app, _smtp) = spawn(|_| {}).await;
    assert_eq!(app.sign_in(NURSE_ID, NURSE_PASSWORD, "C0001").await.status(), 303);
    // Without her device cookie, which would exempt failures from the waits: were these
    // refusals counted, the next try would have to wait.
    app.store.purge_device_cookies(i64::MAX).await.expect("the device cookies are forgotten");

    // Six tries with her right current password and a new one the policy refuses, the clock
    // standing still: one more than lock_threshold (5), and each would have had a wait after it
    // (1 s after the first) had it counted as a failure.
    for n in 1..=6 {
        let page = change(&app, NURSE_PASSWORD, "Nurse@2026!!").await.text().await.expect("a body");
        assert!(page.contains("id=\"password-error\">這個密碼太常見或太容易猜到"), "try {n}: {page}");
    }
    // The right current password with a confirmation that differs: refused for the new one.
    let page = app.get_text("/member/password").await;
    let mismatch = [
        ("csrf", csrf_of(&page)),
        ("current_password", NURSE_PASSWORD.to_owned()),
        ("password", NEW_PASSWORD.to_owned()),
        ("password_again", "marigold tapestry kettle ferr".to_owned()),
    ];
    let mismatch: Vec<(&str, &str)> = mismatch.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let page = app.post_form("/member/password", &mismatch).await.text().await.expect("a body");
    assert!(page.contains("兩次輸入的密碼不相同"), "{page}");

    // Still at the same instant, a good new password goes through: no wait, no pause.
    let done = change(&app, NURSE_PASSWORD, NEW_PASSWORD).await.text().await.expect("a body");
    assert!(done.contains("密碼已變更"), "{done}");
    // A wrong current password (the old one, now replaced) with the same weak new one is a
    // guess at her password: `refused`, as before.
    let wrong = change(&app, NURSE_PASSWORD, "Nurse@2026!!").await.text().await.expect("a body");
    assert!(wrong.contains("目前的密碼不正確"), "{wrong}");

    let mut expected = vec!["weak_new_password"; 6];
    expected.extend(["new_password_refused", "succeeded", "refused"]);
    assert_eq!(password_change_audit(&app).await, expected);
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
    for path in ["/member/account/sessions", "/member/account/session", "/member/account/card/unlink"] {
        let response = app
            .post_form(path, &[("csrf", &csrf), ("current_password", NURSE_PASSWORD), ("session", "x")])
            .await;
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
    assert!(!audit.iter().any(|e| e.event == "end_other_sessions" || e.event == "end_session"));

    change(&app, NURSE_PASSWORD, NEW_PASSWORD).await;
    assert_eq!(app.get("/member").await.status(), 200);
}

#[tokio::test]
async fn the_account_page_lists_her_recent_sign_ins_and_ends_her_other_sessions_with_her_password() {
    let (app, _smtp) = spawn(|_| {}).await;
    // One failure, then two sign-ins (one elsewhere), and another member's sign-in.
    assert_eq!(app.sign_in(NURSE_ID, "not her password", "C0001").await.status(), 200);
    app.clock.advance(1); // the wait after a failure
    let elsewhere = other_client();
    sign_in_elsewhere(&app, &elsewhere, "C0002").await;
    assert_eq!(app.sign_in(NURSE_ID, NURSE_PASSWORD, "C0003").await.status(), 303);
    let other = browser_with_agent("Other/2.0");
    add_other_member(&app).await;
    sign_in_as(&app, &other, OTHER_ID, OTHER_PASSWORD, "C0004").await;

    let page = app.get_text("/member/account").await;
    // START is 2026-12-04 00:00 UTC, 08:00 in Taiwan; the sign-ins came 1 s later.
    let sign_ins = section(&page, "account.sign_ins", "最近的登入紀錄", "醫事人員卡");
    assert_eq!(sign_ins.matches("2026-12-04 08:00").count(), 3);
    assert_eq!(sign_ins.matches("登入成功").count(), 2);
    assert_eq!(sign_ins.matches("密碼錯誤").count(), 1);
    assert!(sign_ins.contains("127.0.0.1"));

    // Without her password nothing ends, and the refusal is named next to the field.
    let csrf = csrf_of(&page);
    let refused =
        app.post_form("/member/account/sessions", &[("csrf", &csrf), ("current_password", "")]).await;
    let refused = refused.text().await.expect("a body");
    assert!(refused.contains("id=\"end-all-password-error\""), "{refused}");
    assert!(refused.contains("<a href=\"#end-all-password\">目前的密碼不正確。</a>"), "{refused}");
    assert_eq!(elsewhere.get(app.url("/member")).send().await.expect("home").status(), 200);

    let ended = app
        .post_form("/member/account/sessions", &[("csrf", &csrf), ("current_password", NURSE_PASSWORD)])
        .await;
    assert!(ended.text().await.expect("a body").contains("已結束其他裝置上的登入 (1)"));
    assert_eq!(elsewhere.get(app.url("/member")).send().await.expect("home").status(), 303);
    assert_eq!(app.get("/member").await.status(), 200);
    // The other member's session is hers, not this account's: it goes on.
    assert_eq!(other.get(app.url("/member")).send().await.expect("home").status(), 200);
    let outcomes = audit_outcomes(&app, "end_other_sessions").await;
    assert_eq!(outcomes, ["refused", "succeeded"]);
}

/// The part of `page` from the heading `heading` to the text `until`; `what` names it.
fn section<'a>(page: &'a str, what: &str, heading: &str, until: &str) -> &'a str {
    let start = page.find(heading).unwrap_or_else(|| panic!("{what} on the page: {page}"));
    let end = page[start..].find(until).map_or(page.len(), |i| start + i);
    &page[start..end]
}

/// The outcomes of the audit records of `event`, oldest first.
async fn audit_outcomes(app: &TestApp, event: &str) -> Vec<String> {
    let mut entries = app.store.recent_audit(200).await.expect("the audit log");
    entries.reverse();
    entries.into_iter().filter(|e| e.event == event).map(|e| e.outcome).collect()
}

const OTHER_ID: &str = "T100000007";
const OTHER_PASSWORD: &str = "another long password";

/// A second member with an account: the same registry record under another ID.
async fn add_other_member(app: &TestApp) {
    let mut other = crate::helpers::hand_made_nurse();
    other.id_number = huzhu_core::id::IdNumber::parse(OTHER_ID).expect("a valid ID");
    other.certificates[0].number = "衛部護字第000002號".to_owned();
    other.licences[0].certificate_number = "衛部護字第000002號".to_owned();
    other.licences[0].number = "北市護執字第0000002號".to_owned();
    other.email = "other@example.org".to_owned();
    app.add_member(other, OTHER_PASSWORD).await;
}

/// A browser of its own that names itself `agent` in every request.
fn browser_with_agent(agent: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .user_agent(agent)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("a client")
}

/// Signs `client` in and returns its session token (the cookie's value).
async fn sign_in_as(
    app: &TestApp,
    client: &reqwest::Client,
    id: &str,
    password: &str,
    captcha: &str,
) -> String {
    let page = client.get(app.url("/login")).send().await.expect("a page").text().await.expect("a body");
    client.get(app.url("/captcha")).send().await.expect("a captcha");
    let csrf = csrf_of(&page);
    let form = [("csrf", csrf.as_str()), ("id_number", id), ("password", password), ("captcha", captcha)];
    let response = client.post(app.url("/login")).form(&form).send().await.expect("a sign-in");
    assert_eq!(response.status(), 303);
    let cookie = session_cookie(&response).expect("a session cookie");
    cookie.trim_start_matches("huzhu_session=").to_owned()
}

/// How a page names a session, worked out here from its cookie: the SHA-256 (hex) of the
/// SHA-256 (hex) of the token, the second being what the session table stores.
fn handle_of(token: &str) -> String {
    let stored = hex::encode(Sha256::digest(token.as_bytes()));
    hex::encode(Sha256::digest(stored.as_bytes()))
}

fn stored_hash_of(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

const PHONE: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";

#[tokio::test]
async fn the_account_page_lists_her_live_sessions_and_ends_the_one_she_names() {
    let (app, _smtp) = spawn(|_| {}).await;
    add_other_member(&app).await;
    // 08:00 Taiwan time (START): a sign-in on an old browser, left idle.
    let old = browser_with_agent("Old/1.0");
    sign_in_as(&app, &old, NURSE_ID, NURSE_PASSWORD, "C0001").await;
    // 08:25 (+1,500 s): her phone.
    app.clock.advance(1_500);
    let phone = browser_with_agent(PHONE);
    let phone_token = sign_in_as(&app, &phone, NURSE_ID, NURSE_PASSWORD, "C0002").await;
    // 08:27 (+120 s): this browser, which sends no User-Agent, and the other member.
    app.clock.advance(120);
    assert_eq!(app.sign_in(NURSE_ID, NURSE_PASSWORD, "C0003").await.status(), 303);
    let other = browser_with_agent("Other/2.0");
    let other_token = sign_in_as(&app, &other, OTHER_ID, OTHER_PASSWORD, "C0004").await;
    // 08:32 (+300 s): the old browser has been idle 1,500 + 120 + 300 = 1,920 s, past the
    // 30 × 60 = 1,800 s idle limit; the phone 420 s.
    app.clock.advance(300);

    let page = app.get_text("/member/account").await;
    let list = section(&page, "the session list", "目前登入中的裝置", "id=\"other-sessions\"");
    // Exactly hers that are live: this one (newest first) and the phone.
    assert_eq!(list.matches("class=\"session-item\"").count(), 2, "{list}");
    assert!(!list.contains("Old/1.0") && !list.contains("Other/2.0"), "{list}");
    // This browser: signed in 08:27, last used 08:32 (this request, 300 s ≥ the 60 s between
    // refreshes), by password, no User-Agent kept, and marked; no form to end it.
    let this = section(list, "this session", "瀏覽器不明", "</li>");
    assert!(this.contains("（此瀏覽器）"));
    assert!(
        this.contains("<dd>2026-12-04 08:27</dd>") && this.contains("<dd>2026-12-04 08:32</dd>"),
        "{this}"
    );
    assert!(this.contains("<dd>密碼</dd>"));
    assert!(!this.contains("<form"));
    // The phone: 08:25 both times (not used since), its browser in short (Safari by
    // "Version/17.5", major 17, on an iPhone), and a form naming it by its handle, never by
    // the stored hash or the token.
    let phone_line = section(list, "the phone", "Safari 17 · iPhone", "</li>");
    assert_eq!(phone_line.matches("<dd>2026-12-04 08:25</dd>").count(), 2, "{phone_line}");
    assert!(!phone_line.contains("（此瀏覽器）"));
    assert!(phone_line.contains(&format!("name=\"session\" value=\"{}\"", handle_of(&phone_token))));
    assert_eq!(page.matches("name=\"session\"").count(), 1);
    assert!(!page.contains(&stored_hash_of(&phone_token)) && !page.contains(&phone_token));

    // Another member's session, named by its real handle, and a made-up one: nothing ends.
    let csrf = csrf_of(&page);
    for handle in [handle_of(&other_token), "0".repeat(64), "not a handle".to_owned()] {
        let answer = app
            .post_form(
                "/member/account/session",
                &[("csrf", &csrf), ("session", &handle), ("current_password", NURSE_PASSWORD)],
            )
            .await;
        assert_eq!(answer.status(), 200);
        assert!(answer.text().await.expect("a body").contains("沒有可結束的登入：它可能已經結束了。"));
    }
    assert_eq!(other.get(app.url("/member")).send().await.expect("home").status(), 200);
    assert_eq!(phone.get(app.url("/member")).send().await.expect("home").status(), 200);

    // The phone, with her password: exactly that session ends.
    let ended = app
        .post_form(
            "/member/account/session",
            &[("csrf", &csrf), ("session", &handle_of(&phone_token)), ("current_password", NURSE_PASSWORD)],
        )
        .await
        .text()
        .await
        .expect("a body");
    assert!(ended.contains("已結束該登入。"), "{ended}");
    assert_eq!(
        section(&ended, "the list", "目前登入中的裝置", "id=\"other-sessions\"")
            .matches("session-item")
            .count(),
        1
    );
    assert_eq!(phone.get(app.url("/member")).send().await.expect("home").status(), 303);
    assert_eq!(app.get("/member").await.status(), 200);
    assert_eq!(other.get(app.url("/member")).send().await.expect("home").status(), 200);
    // Its handle again: it has ended, so the same calm answer.
    let again = app
        .post_form(
            "/member/account/session",
            &[("csrf", &csrf), ("session", &handle_of(&phone_token)), ("current_password", NURSE_PASSWORD)],
        )
        .await;
    assert!(again.text().await.expect("a body").contains("沒有可結束的登入"));

    assert_eq!(
        audit_outcomes(&app, "end_session").await,
        ["not_found", "not_found", "not_found", "not_found"]
    );
    let sign_outs = audit_outcomes(&app, "sign_out").await;
    assert_eq!(sign_outs, ["ended_by_member"]);
}

#[tokio::test]
async fn a_wrong_password_on_the_session_forms_ends_nothing_and_counts_like_one_on_the_change_form() {
    let (app, smtp) = spawn(|_| {}).await;
    let phone = browser_with_agent(PHONE);
    let phone_token = sign_in_as(&app, &phone, NURSE_ID, NURSE_PASSWORD, "C0001").await;
    // A minute later, this browser: listed first (newest), so the phone's field is the 2nd.
    app.clock.advance(60);
    assert_eq!(app.sign_in(NURSE_ID, NURSE_PASSWORD, "C0002").await.status(), 303);
    // A session taken to another browser: without her device cookie (see the change test).
    app.store.purge_device_cookies(i64::MAX).await.expect("the device cookies are forgotten");
    let csrf = csrf_of(&app.get_text("/member/account").await);
    let handle = handle_of(&phone_token);
    let end_one = |password: &'static str| {
        let form =
            [("csrf", csrf.clone()), ("session", handle.clone()), ("current_password", password.to_owned())];
        let request = app.client.post(app.url("/member/account/session")).form(&form);
        async move { request.send().await.expect("an answer") }
    };
    let end_all = |password: &'static str| {
        let form = [("csrf", csrf.clone()), ("current_password", password.to_owned())];
        let request = app.client.post(app.url("/member/account/sessions")).form(&form);
        async move { request.send().await.expect("an answer") }
    };
    let before = app.argon2_count();

    let first = end_one("guess number one").await.text().await.expect("a body");
    assert!(first.contains("<a href=\"#end-password-2\">目前的密碼不正確。</a>"), "{first}");
    assert!(first.contains("id=\"end-password-2-error\""), "{first}");
    assert!(first.contains("aria-invalid=\"true\""));
    assert_eq!(app.argon2_count() - before, 1);
    assert_eq!(phone.get(app.url("/member")).send().await.expect("home").status(), 200);

    // At once again: the 1 s wait is not over; refused without running Argon2.
    let early = end_all("guess number two").await.text().await.expect("a body");
    assert!(early.contains("密碼輸入錯誤次數過多，請於 1 秒後再試"), "{early}");
    assert!(early.contains("id=\"end-all-password-error\""));
    assert_eq!(app.argon2_count() - before, 1);

    // Failures 2 to 4 after waits of 2^(n−2) s: 1, 2 and 4 s, on either form.
    for (n, wait, all) in [(2, 1, true), (3, 2, false), (4, 4, true)] {
        app.clock.advance(wait);
        let answer = if all { end_all("another guess").await } else { end_one("another guess").await };
        assert!(answer.text().await.expect("a body").contains("目前的密碼不正確"), "failure {n}");
        assert_eq!(app.argon2_count() - before, n);
    }
    // A wrong current password on 變更密碼 counts towards the same pause: the 5th failure
    // (lock_threshold = 5), 8 s after the 4th, pauses the account and ends this session.
    app.clock.advance(8);
    let fifth = change(&app, "fifth guess", NEW_PASSWORD).await;
    assert_eq!(fifth.headers()["location"], "/login");
    assert_eq!(app.argon2_count() - before, 5);
    assert_eq!(app.get("/member").await.status(), 303, "signed out");
    // No guess ended the phone's session.
    assert_eq!(phone.get(app.url("/member")).send().await.expect("home").status(), 200);
    let mails = smtp.wait_for(1).await;
    assert!(mails[0].text().contains("密碼登入暫停 15 分鐘"));

    assert_eq!(audit_outcomes(&app, "end_session").await, ["refused", "refused"]);
    assert_eq!(audit_outcomes(&app, "end_other_sessions").await, ["delayed", "refused", "refused"]);
    assert_eq!(audit_outcomes(&app, "password_change").await, ["session_ended"]);
    assert_eq!(audit_outcomes(&app, "lock").await, ["account"]);
}

#[tokio::test]
async fn a_session_guessed_at_on_the_session_form_ends_at_the_pause() {
    let (app, _smtp) = spawn(|_| {}).await;
    assert_eq!(app.sign_in(NURSE_ID, NURSE_PASSWORD, "C0001").await.status(), 303);
    app.store.purge_device_cookies(i64::MAX).await.expect("the device cookies are forgotten");
    let csrf = csrf_of(&app.get_text("/member/account").await);
    // Failures 1 to 5, each after the wait the one before set: 0, 1, 2, 4, 8 s.
    for wait in [0, 1, 2, 4] {
        app.clock.advance(wait);
        let answer = app
            .post_form(
                "/member/account/session",
                &[("csrf", &csrf), ("session", "x"), ("current_password", "guess")],
            )
            .await;
        assert_eq!(answer.status(), 200);
    }
    app.clock.advance(8);
    let fifth = app
        .post_form(
            "/member/account/session",
            &[("csrf", &csrf), ("session", "x"), ("current_password", "guess")],
        )
        .await;
    assert_eq!(fifth.status(), 303);
    assert_eq!(fifth.headers()["location"], "/login");
    assert_eq!(app.get("/member").await.status(), 303);
    assert_eq!(
        audit_outcomes(&app, "end_session").await,
        ["refused", "refused", "refused", "refused", "session_ended"]
    );
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
