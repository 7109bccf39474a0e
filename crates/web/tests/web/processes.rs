//! Several server processes on one database: any of them can serve any request.

use std::sync::Arc;

use huzhu_store::Store;
use huzhu_store::sessions::SessionRow;
use huzhu_store::throttle::Limit;
use huzhu_store::tokens::Purpose;
use huzhu_web::state::delete_expired;
use huzhu_web::{AppState, Config, ManualClock};

use crate::helpers::{NURSE_ID, NURSE_PASSWORD, START, TestApp, csrf_of};

#[tokio::test]
async fn a_session_made_on_one_server_works_on_the_other() {
    let app = TestApp::spawn().await;
    let other = app.twin().await;
    let response = app.sign_in(NURSE_ID, NURSE_PASSWORD, "C0001").await;
    assert_eq!(response.status(), 303);

    let home = app.client.get(format!("{other}/member")).send().await.expect("answered");
    assert_eq!(home.status(), 200);
    assert!(home.text().await.expect("a body").contains("10.40 / 120.00"));
}

#[tokio::test]
async fn a_captcha_drawn_by_one_server_is_answered_once_across_both() {
    let app = TestApp::spawn().await;
    let other = app.twin().await;
    // The sign-in page and its captcha (C0001) come from the first server.
    let csrf = app.open_login().await;
    let form =
        [("csrf", csrf.as_str()), ("id_number", NURSE_ID), ("password", "wrong"), ("captcha", "C0001")];

    // Answered through the second server: the captcha is accepted, the password is not.
    let first = app.client.post(format!("{other}/login")).form(&form).send().await.expect("answered");
    assert!(first.text().await.expect("a body").contains("身分證字號或密碼不正確"));

    // The same answer through the first server is refused: it was used up.
    let again = app.post_form("/login", &form).await;
    assert!(again.text().await.expect("a body").contains("驗證碼不正確或已逾時"));
}

#[tokio::test]
async fn signing_out_on_one_server_ends_the_session_on_the_other() {
    let app = TestApp::spawn().await;
    let other = app.twin().await;
    app.sign_in(NURSE_ID, NURSE_PASSWORD, "C0001").await;
    let home = app.get_text("/member").await;
    app.post_form("/logout", &[("csrf", &csrf_of(&home))]).await;

    let after = app.client.get(format!("{other}/member")).send().await.expect("answered");
    assert_eq!(after.status(), 303);
}

/// Rows for the clean-up test, dated around `now`: three that can go and three that must stay.
async fn rows_to_clean(app: &TestApp, now: i64) {
    let store = &app.store;
    let account =
        store.find_login(NURSE_ID).await.expect("a lookup").expect("the nurse's account").account_id;
    let session = |token_hash: &str, last_seen_at: i64, expires_at: i64| SessionRow {
        token_hash: token_hash.to_owned(),
        account_id: None,
        csrf_token: "csrf".to_owned(),
        created_at: now - 20_000,
        last_seen_at,
        expires_at,
        password_at: None,
    };
    // Goes: past its absolute end. Stays: seen 1,000 s ago (the idle limit is 30 min = 1,800 s).
    store.create_session(&session("ended", now - 100, now - 1)).await.expect("a session");
    store.create_session(&session("live", now - 1_000, now + 10_000)).await.expect("a session");
    // Goes: a verification link that ended 1 s ago. Stays: a reset link with 100 s left.
    store
        .replace_token(account, Purpose::VerifyEmail, "old-link", now - 2_000, now - 1)
        .await
        .expect("a link");
    store
        .replace_token(account, Purpose::ResetPassword, "new-link", now - 10, now + 100)
        .await
        .expect("a link");
    // Goes: one failure 7,200 s ago, longer than both lock_minutes (15 min = 900 s) and the
    // hour rate-limit counts are remembered. Stays: one failure 600 s ago, and a key locked
    // until 3,600 s from now by a failure 7,200 s ago (threshold 1, lock 10,800 s).
    let limit = Limit { threshold: 5, lock_seconds: 900 };
    store.record_sign_in_failure("account:old", now - 7_200, limit).await.expect("a failure");
    store.record_sign_in_failure("account:recent", now - 600, limit).await.expect("a failure");
    let long_lock = Limit { threshold: 1, lock_seconds: 10_800 };
    store.record_sign_in_failure("address:locked", now - 7_200, long_lock).await.expect("a failure");
}

#[tokio::test]
async fn expired_rows_are_cleaned_once_by_two_processes_cleaning_at_the_same_time() {
    let app = TestApp::spawn().await;
    // Ten thousand seconds after the app's own clock, so its own clean-up (which runs at
    // START) finds nothing of these to take.
    let now = START + 10_000;
    rows_to_clean(&app, now).await;

    // Two processes' worth of state, each with a pool of its own, cleaning at once.
    let clock = Arc::new(ManualClock::at(now));
    let mut states = Vec::new();
    for _ in 0..2 {
        let config = Config { database_url: app.database_url.clone(), ..Config::default() };
        let store = Store::connect(&config.database_url()).await.expect("the database opens");
        states.push(AppState::new(config, store, clock.clone()).await.expect("a state"));
    }
    let (first, second) = tokio::join!(delete_expired(&states[0]), delete_expired(&states[1]));
    let deleted = first.expect("cleaned") + second.expect("cleaned");
    // One ended session, one ended link, one forgotten failure: 3 rows, each deleted once.
    assert_eq!(deleted, 3);

    // What stays still works.
    assert!(app.store.find_session("live").await.expect("a lookup").is_some());
    assert!(app.store.find_session("ended").await.expect("a lookup").is_none());
    assert!(app.store.peek_token(Purpose::ResetPassword, "new-link", now).await.expect("a lookup").is_some());
    assert!(app.store.locked_until("address:locked", now).await.expect("a lookup").is_some());
    // The recent failure still counts: a second one makes 2 (a forgotten one would make 1).
    let (failures, _) = app
        .store
        .record_sign_in_failure("account:recent", now, Limit { threshold: 5, lock_seconds: 900 })
        .await
        .expect("a failure");
    assert_eq!(failures, 2);
    // The forgotten one starts again from 1, as it would have with its row still there.
    let (failures, _) = app
        .store
        .record_sign_in_failure("account:old", now, Limit { threshold: 5, lock_seconds: 900 })
        .await
        .expect("a failure");
    assert_eq!(failures, 1);

    // A second pass finds nothing more.
    assert_eq!(delete_expired(&states[0]).await.expect("cleaned"), 0);
}
