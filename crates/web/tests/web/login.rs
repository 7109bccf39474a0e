//! 護助社群登入: the form, sign-in, session rotation, sign-out, captcha and CSRF.

use crate::helpers::{NURSE_ID, NURSE_PASSWORD, TestApp, csrf_of, session_cookie};

#[tokio::test]
async fn the_sign_in_page_has_every_label_of_the_manual() {
    let app = TestApp::spawn().await;
    let page = app.get_text("/login").await;
    for label in [
        "衛生福利部護理及健康照護司",
        "Department of Nursing and Health Care, Ministry of Health and Welfare",
        "現在位置：",
        "首頁",
        "護助社群登入",
        "Login",
        "一般登入",
        "身分證字號",
        "密碼",
        "註：本系統密碼設定條件更新，如無法登入，請點選「*忘記密碼，我要重設密碼」，待身分驗證完成，請重新設定密碼後登入",
        "驗證碼",
        "還沒有加入?",
        "註冊社群",
        "護產人員欲查詢個人繼續教育積分或人員證書等資料，請先註冊社群",
        "註冊社群相關疑義，請洽詢：(02)8590-6666#7105",
        "※ 如尚未註冊會員，請先至『註冊社群』加入社群會員。",
    ] {
        assert!(page.contains(label), "the sign-in page lacks {label}");
    }
}

#[tokio::test]
async fn a_nurse_signs_in_with_id_password_and_captcha_and_lands_on_her_home_page() {
    let app = TestApp::spawn().await;
    // The first captcha drawn in this app is C0001.
    let response = app.sign_in(NURSE_ID, NURSE_PASSWORD, "C0001").await;
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/member");

    let home = app.get("/member").await;
    assert_eq!(home.status(), 200);
    assert!(home.text().await.expect("a body").contains("歡迎回來，<span lang=\"zh-Hant-TW\">林𠀋華</span>"));
}

#[tokio::test]
async fn the_id_may_be_typed_in_lower_case_full_width_and_with_spaces() {
    let app = TestApp::spawn().await;
    let response = app.sign_in("  ｆ２２３４５６７８６ ", NURSE_PASSWORD, "c0001").await;
    assert_eq!(response.status(), 303);
}

#[tokio::test]
async fn signing_in_replaces_the_session_and_the_old_cookie_stops_working() {
    let app = TestApp::spawn().await;
    let page = app.get("/login").await;
    let before = session_cookie(&page).expect("the sign-in page starts a session");
    let csrf_before = csrf_of(&page.text().await.expect("a body"));
    app.get("/captcha").await;
    let response = app
        .post_form(
            "/login",
            &[
                ("csrf", &csrf_before),
                ("id_number", NURSE_ID),
                ("password", NURSE_PASSWORD),
                ("captcha", "C0001"),
            ],
        )
        .await;
    let after = session_cookie(&response).expect("sign-in sets a new session cookie");
    assert_ne!(before, after);

    // The pre-sign-in token must not open the member's pages.
    let stale =
        reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
    let with_old = stale.get(app.url("/member")).header("cookie", &before).send().await.expect("answered");
    assert_eq!(with_old.status(), 303);
    assert_eq!(with_old.headers()["location"], "/login");

    // And the CSRF token changed with the session.
    let home = app.get_text("/member").await;
    assert_ne!(csrf_of(&home), csrf_before);
}

#[tokio::test]
async fn signing_out_ends_the_session_on_the_server() {
    let app = TestApp::spawn().await;
    let signed_in = app.sign_in(NURSE_ID, NURSE_PASSWORD, "C0001").await;
    let cookie = session_cookie(&signed_in).expect("a session cookie");
    let home = app.get_text("/member").await;

    let response = app.post_form("/logout", &[("csrf", &csrf_of(&home))]).await;
    assert_eq!(response.status(), 303);
    assert_eq!(app.get("/member").await.status(), 303);

    // Replaying the old cookie does not bring the session back.
    let replay =
        reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
    let again = replay.get(app.url("/member")).header("cookie", &cookie).send().await.expect("answered");
    assert_eq!(again.headers()["location"], "/login");
}

#[tokio::test]
async fn sign_out_without_the_csrf_token_is_refused() {
    let app = TestApp::spawn().await;
    app.sign_in(NURSE_ID, NURSE_PASSWORD, "C0001").await;
    let response = app.post_form("/logout", &[("csrf", "forged")]).await;
    assert_eq!(response.status(), 403);
    assert_eq!(app.get("/member").await.status(), 200, "the session survives a forged sign-out");
}

#[tokio::test]
async fn a_sign_in_without_the_pages_csrf_token_is_refused() {
    let app = TestApp::spawn().await;
    app.open_login().await;
    let response = app
        .post_form(
            "/login",
            &[("csrf", "wrong"), ("id_number", NURSE_ID), ("password", NURSE_PASSWORD), ("captcha", "C0001")],
        )
        .await;
    assert_eq!(response.status(), 403);
    assert_eq!(app.get("/member").await.status(), 303);
}

#[tokio::test]
async fn a_form_posted_from_another_site_is_refused() {
    let app = TestApp::spawn().await;
    let csrf = app.open_login().await;
    let response = app
        .client
        .post(app.url("/login"))
        .header("origin", "https://evil.example")
        .form(&[
            ("csrf", csrf.as_str()),
            ("id_number", NURSE_ID),
            ("password", NURSE_PASSWORD),
            ("captcha", "C0001"),
        ])
        .send()
        .await
        .expect("answered");
    assert_eq!(response.status(), 403);
}

#[tokio::test]
async fn a_captcha_answer_works_only_once() {
    let app = TestApp::spawn().await;
    let csrf = app.open_login().await;
    let first = app
        .post_form(
            "/login",
            &[("csrf", &csrf), ("id_number", NURSE_ID), ("password", "wrong password"), ("captcha", "C0001")],
        )
        .await;
    assert!(first.text().await.expect("a body").contains("身分證字號或密碼不正確"));

    // Same answer again, now with the right password: the captcha is spent.
    let second = app
        .post_form(
            "/login",
            &[("csrf", &csrf), ("id_number", NURSE_ID), ("password", NURSE_PASSWORD), ("captcha", "C0001")],
        )
        .await;
    assert_eq!(second.status(), 200);
    assert!(second.text().await.expect("a body").contains("驗證碼不正確或已逾時"));
    assert_eq!(app.get("/member").await.status(), 303);
}

#[tokio::test]
async fn a_captcha_expires_after_five_minutes() {
    let app = TestApp::spawn().await;
    let csrf = app.open_login().await;
    app.clock.advance(301);
    let response = app
        .post_form(
            "/login",
            &[("csrf", &csrf), ("id_number", NURSE_ID), ("password", NURSE_PASSWORD), ("captcha", "C0001")],
        )
        .await;
    assert!(response.text().await.expect("a body").contains("驗證碼不正確或已逾時"));
}

#[tokio::test]
async fn a_wrong_captcha_is_refused_before_the_password_is_checked() {
    let app = TestApp::spawn().await;
    let response = app.sign_in(NURSE_ID, NURSE_PASSWORD, "WRONG").await;
    assert_eq!(response.status(), 200);
    let page = response.text().await.expect("a body");
    assert!(page.contains("驗證碼不正確或已逾時"));
    assert!(page.contains("value=\"F223456786\""), "the typed ID is kept");
}

/// The page for a failed sign-in, with the typed ID taken out so two pages can be compared,
/// and the number of Argon2 runs the request made.
async fn failure_page(app: &TestApp, id: &str, captcha: &str) -> (u16, String, u64) {
    let before = app.argon2_count();
    let response = app.sign_in(id, "not her password", captcha).await;
    let status = response.status().as_u16();
    let body = response.text().await.expect("a body").replace(id, "<ID>");
    (status, body, app.argon2_count() - before)
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_id_get_the_same_answer() {
    let app = TestApp::spawn().await;
    // A valid national ID nobody registered: T100000007 (DOMAIN §3.3 worked example).
    let known = failure_page(&app, NURSE_ID, "C0001").await;
    let unknown = failure_page(&app, "T100000007", "C0002").await;
    assert_eq!(known, unknown);
    assert!(known.1.contains("登入失敗：身分證字號或密碼不正確，或帳號尚未啟用。"));
    // The same timing class: the expensive step, one Argon2 verification, is made for the
    // unknown ID too (against a hash of a random password), and nothing else costly differs.
    assert_eq!(known.2, 1);

    // Right after, each ID waits 1 s (its first failure); an attempt now is refused alike for
    // both, without any Argon2 run.
    let known_early = failure_page(&app, NURSE_ID, "C0003").await;
    let unknown_early = failure_page(&app, "T100000007", "C0004").await;
    assert_eq!(known_early, unknown_early);
    assert!(known_early.1.contains("請於 1 秒後再試"));
    assert_eq!(known_early.2, 0);
}

#[tokio::test]
async fn a_refused_sign_in_says_why_in_the_audit_log_and_nothing_more_on_the_page() {
    let app = TestApp::spawn().await;
    let wrong = failure_page(&app, NURSE_ID, "C0001").await;
    let unknown = failure_page(&app, "T100000007", "C0002").await;
    assert_eq!(wrong, unknown, "the same status and body for a wrong password and an unknown ID");

    // Four more wrong passwords on her ID, each once the wait of the one before is over: the
    // n-th failure sets a wait of 2^(n-1) s (sign_in_delay_seconds 1, doubling), so 1, 2, 4
    // and 8 s. The fifth (lock_threshold 5) pauses her password path and sets a 16 s wait.
    for (captcha, wait) in [("C0003", 1), ("C0004", 2), ("C0005", 4), ("C0006", 8)] {
        app.clock.advance(wait);
        assert_eq!(failure_page(&app, NURSE_ID, captcha).await, wrong);
    }
    // Before the 16 s are over: refused unchecked.
    let (status, early, _) = failure_page(&app, NURSE_ID, "C0007").await;
    assert_eq!(status, 200);
    assert!(early.contains("請於 16 秒後再試"), "{early}");
    // After them, her right password meets the pause, and the answer of a wrong password.
    app.clock.advance(16);
    let response = app.sign_in(NURSE_ID, NURSE_PASSWORD, "C0008").await;
    assert_eq!(response.status().as_u16(), wrong.0);
    assert_eq!(response.text().await.expect("a body").replace(NURSE_ID, "<ID>"), wrong.1);

    let entries = app.store.recent_audit(20).await.expect("the audit log reads");
    let sign_ins: Vec<(&str, &str)> = entries
        .iter()
        .filter(|e| e.event == "sign_in")
        .map(|e| (e.outcome.as_str(), e.subject.as_deref().unwrap_or("")))
        .collect();
    // Newest first. T100000007 masked: first three and last two characters, T10*****07.
    assert_eq!(
        sign_ins,
        [
            ("locked", "F22*****86"),
            ("delayed", "F22*****86"),
            ("wrong_password", "F22*****86"),
            ("wrong_password", "F22*****86"),
            ("wrong_password", "F22*****86"),
            ("wrong_password", "F22*****86"),
            ("unknown_id", "T10*****07"),
            ("wrong_password", "F22*****86"),
        ]
    );
}

#[tokio::test]
async fn empty_fields_are_named_next_to_each_field_and_the_id_is_kept() {
    let app = TestApp::spawn().await;
    let csrf = app.open_login().await;
    let response = app
        .post_form("/login", &[("csrf", &csrf), ("id_number", ""), ("password", ""), ("captcha", "")])
        .await;
    let page = response.text().await.expect("a body");
    assert!(page.contains("請輸入身分證字號。"));
    assert!(page.contains("請輸入密碼。"));
    assert!(page.contains("請輸入驗證碼。"));

    let response = app
        .post_form(
            "/login",
            &[("csrf", &csrf), ("id_number", "A12345678"), ("password", "x"), ("captcha", "C0001")],
        )
        .await;
    let page = response.text().await.expect("a body");
    assert!(page.contains("身分證字號格式不正確"));
    assert!(page.contains("value=\"A12345678\""));
}

#[tokio::test]
async fn a_session_left_idle_for_thirty_minutes_ends() {
    let app = TestApp::spawn().await;
    app.sign_in(NURSE_ID, NURSE_PASSWORD, "C0001").await;
    app.clock.advance(29 * 60);
    assert_eq!(app.get("/member").await.status(), 200);
    app.clock.advance(30 * 60);
    let response = app.get("/member").await;
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/login");
}

#[tokio::test]
async fn a_busy_session_still_ends_after_twelve_hours() {
    let app = TestApp::spawn().await;
    app.sign_in(NURSE_ID, NURSE_PASSWORD, "C0001").await;
    // 24 × 29 min = 11 h 36 min: never idle for 30 minutes, still inside 12 hours.
    for _ in 0..24 {
        app.clock.advance(29 * 60);
        assert_eq!(app.get("/member").await.status(), 200);
    }
    // 25 × 29 min = 12 h 5 min > 12 h.
    app.clock.advance(29 * 60);
    assert_eq!(app.get("/member").await.status(), 303);
}

#[tokio::test]
async fn the_member_pages_need_a_signed_in_session() {
    let app = TestApp::spawn().await;
    for path in ["/member", "/member/videos", "/member/links"] {
        let response = app.get(path).await;
        assert_eq!(response.status(), 303, "{path}");
        assert_eq!(response.headers()["location"], "/login", "{path}");
    }
}

#[tokio::test]
async fn the_sign_in_attempts_are_in_the_audit_log_with_a_masked_id() {
    let app = TestApp::spawn().await;
    failure_page(&app, NURSE_ID, "C0001").await;
    // Too soon after the failure: refused unchecked, and recorded as delayed.
    app.sign_in(NURSE_ID, NURSE_PASSWORD, "C0002").await;
    app.clock.advance(1);
    app.sign_in(NURSE_ID, NURSE_PASSWORD, "C0003").await;
    let entries = app.store.recent_audit(10).await.expect("the audit log reads");
    let outcomes: Vec<(&str, &str)> =
        entries.iter().map(|e| (e.event.as_str(), e.outcome.as_str())).collect();
    assert_eq!(outcomes, [("sign_in", "succeeded"), ("sign_in", "delayed"), ("sign_in", "wrong_password")]);
    // F223456786 masked: first three and last two characters.
    assert!(entries.iter().all(|e| e.subject.as_deref() == Some("F22*****86")));
}

#[tokio::test]
async fn with_a_pepper_set_an_older_hash_signs_in_and_is_made_again_with_the_pepper() {
    // 32 bytes of hex; its key id is the first 8 bytes of its SHA-256.
    let pepper = "5f".repeat(32);
    let app = TestApp::spawn_with(|config| config.password_pepper = Some(pepper.clone())).await;
    // The hand-made nurse's hash was made without a pepper (helpers.rs).
    let before = app.store.find_login(NURSE_ID).await.expect("a lookup").expect("her account").password_hash;
    assert!(!before.contains("keyid="));

    assert_eq!(app.sign_in(NURSE_ID, NURSE_PASSWORD, "C0001").await.status(), 303);
    let after = app.store.find_login(NURSE_ID).await.expect("a lookup").expect("her account").password_hash;
    use sha2::Digest;
    let id = &sha2::Sha256::digest(hex::decode(&pepper).expect("hex"))[..8];
    let keyid = base64::Engine::encode(&base64::engine::general_purpose::STANDARD_NO_PAD, id);
    assert!(after.contains(&format!("keyid={keyid}")), "{after}");

    // The new hash works on the next sign-in, and a wrong password still fails.
    let home = app.get("/member").await.text().await.expect("a body");
    app.post_form("/logout", &[("csrf", &csrf_of(&home))]).await;
    assert_eq!(app.sign_in(NURSE_ID, "not her password", "C0002").await.status(), 200);
    app.clock.advance(1);
    assert_eq!(app.sign_in(NURSE_ID, NURSE_PASSWORD, "C0003").await.status(), 303);
}
