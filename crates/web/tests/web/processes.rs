//! Several server processes on one database: any of them can serve any request.

use crate::helpers::{NURSE_ID, NURSE_PASSWORD, TestApp, csrf_of};

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
