//! Nothing secret reaches the logs, the audit log or the sent mail's stored copy.
//!
//! The test binary's log output is captured in memory (one global subscriber at debug level for
//! the portal's crates), a whole reset is run, and the captured text is searched for every
//! secret the flow handled.

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

use huzhu_web::Config;

use crate::helpers::{NURSE_ID, NURSE_PASSWORD, TestApp, csrf_of, device_cookie_value, session_cookie};
use crate::smtp::MailServer;

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("the log lock").extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn captured_logs() -> Captured {
    static LOGS: OnceLock<Captured> = OnceLock::new();
    LOGS.get_or_init(|| {
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::DEBUG)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish();
        let _ = tracing::subscriber::set_global_default(subscriber);
        captured
    })
    .clone()
}

#[tokio::test]
async fn no_password_token_session_captcha_or_full_id_is_logged() {
    let logs = captured_logs();
    let smtp = MailServer::start();
    let url = smtp.url();
    let app = TestApp::spawn_with(move |config: &mut Config| {
        config.smtp_url = url;
        config.public_url = "http://portal.example.test".to_owned();
    })
    .await;

    // A failed and a successful sign-in, a reset request, the reset, a sign-in with the new one.
    let failed = app.sign_in(NURSE_ID, "wrong-password-typed", "C0001").await;
    assert_eq!(failed.status(), 200);
    app.clock.advance(1); // the wait after a failure
    let signed_in = app.sign_in(NURSE_ID, NURSE_PASSWORD, "C0002").await;
    let cookie = session_cookie(&signed_in).expect("a session cookie");
    let device_nonce = device_cookie_value(&signed_in);
    let device_hash = huzhu_web::session::hash_token(&device_nonce);
    let home = app.get_text("/member").await;
    app.post_form("/logout", &[("csrf", &csrf_of(&home))]).await;

    let page = app.get_text("/password/forgot").await;
    app.get("/captcha").await;
    app.post_form(
        "/password/forgot",
        &[
            ("csrf", &csrf_of(&page)),
            ("id_number", NURSE_ID),
            ("email", "lin@example.org"),
            ("captcha", "C0003"),
        ],
    )
    .await;
    let link = smtp.wait_for(1).await[0].link("http://portal.example.test").expect("a link");
    let path = link.trim_start_matches("http://portal.example.test").to_owned();
    let token = path.split("token=").nth(1).expect("a token").to_owned();
    let form = app.get_text(&path).await;
    let new_password = "marigold tapestry kettle ferry";
    app.post_form(
        "/password/reset",
        &[
            ("csrf", &csrf_of(&form)),
            ("token", &token),
            ("password", new_password),
            ("password_again", new_password),
        ],
    )
    .await;
    smtp.wait_for(2).await;

    let text = String::from_utf8_lossy(&logs.0.lock().expect("the log lock")).into_owned();
    assert!(text.contains("security event"), "the capture works: {} bytes", text.len());
    let session_token = cookie.split('=').nth(1).expect("a token").to_owned();
    let secrets = [
        NURSE_PASSWORD,
        "wrong-password-typed",
        new_password,
        &token,
        &session_token,
        NURSE_ID,
        &device_nonce,
    ];
    for secret in secrets.into_iter().chain([device_hash.as_str()]) {
        assert!(!text.contains(secret), "the logs contain a secret ({} characters)", secret.len());
    }
    for captcha in ["C0001", "C0002", "C0003"] {
        assert!(!text.contains(captcha), "the logs contain a captcha answer");
    }

    // The audit log holds masked IDs only, and the sent mails no longer hold their links.
    let audit = app.store.recent_audit(50).await.expect("the audit log");
    assert!(audit.iter().any(|a| a.event == "reset_completed" && a.outcome == "succeeded"));
    assert!(audit.iter().all(|a| a.subject.as_deref().is_none_or(|s| !s.contains(NURSE_ID))));
    assert!(audit.iter().any(|a| a.subject.as_deref() == Some("F22*****86")));
    let audit_text = format!("{audit:?}");
    assert!(!audit_text.contains(&device_nonce) && !audit_text.contains(&device_hash));
    assert_eq!(app.unsent_mail_after_delivery().await, 0);
}

#[tokio::test]
async fn no_operator_password_totp_key_session_or_full_id_is_logged() {
    use crate::operator::{OPERATOR, OPERATOR_PASSWORD, Ops, RFC_KEY_BASE32, add_operator, totp};

    let logs = captured_logs();
    let app = TestApp::spawn().await;
    add_operator(&app).await;
    let ops = Ops::new(&app);
    // A failed sign-in (the password typed as the name), then a good one.
    ops.sign_in_with(OPERATOR_PASSWORD, OPERATOR_PASSWORD, "000000").await;
    let signed_in = ops.sign_in_with(OPERATOR, OPERATOR_PASSWORD, &totp(crate::helpers::START, 6)).await;
    let cookie = signed_in.headers()["set-cookie"].to_str().expect("text").to_owned();
    let token = cookie.split(';').next().and_then(|c| c.split('=').nth(1)).expect("a token").to_owned();
    let found = ops.submit("/ops/accounts", "/ops/accounts", &[("id_number", NURSE_ID)]).await;
    let account = found.headers()["location"].to_str().expect("text").to_owned();
    ops.submit(&account, &format!("{account}/unlock"), &[]).await;
    ops.submit(&account, &format!("{account}/end-sessions"), &[]).await;
    ops.text("/ops/audit?account=1").await;

    let text = String::from_utf8_lossy(&logs.0.lock().expect("the log lock")).into_owned();
    assert!(text.contains("operator event"), "the capture works: {} bytes", text.len());
    for secret in [OPERATOR_PASSWORD, RFC_KEY_BASE32, &token, NURSE_ID] {
        assert!(!text.contains(secret), "the logs contain a secret ({} characters)", secret.len());
    }
    let audit = app
        .store
        .search_audit(&huzhu_store::audit::AuditFilter::default(), 100, 0)
        .await
        .expect("the audit log");
    assert!(audit.iter().any(|a| a.event == "ops_unlock" && a.operator.as_deref() == Some(OPERATOR)));
    for row in &audit {
        for field in [&row.subject, &row.operator, &Some(row.outcome.clone())] {
            let value = field.as_deref().unwrap_or("");
            assert!(!value.contains(NURSE_ID) && !value.contains(OPERATOR_PASSWORD), "{row:?}");
        }
    }
}
