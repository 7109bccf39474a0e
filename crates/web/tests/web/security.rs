//! Headers and answers that protect every page.

use crate::helpers::TestApp;

#[tokio::test]
async fn every_page_carries_a_strict_content_security_policy() {
    let app = TestApp::spawn().await;
    for path in ["/", "/login", "/no-such-page"] {
        let response = app.get(path).await;
        let headers = response.headers();
        let csp = headers["content-security-policy"].to_str().expect("ascii");
        assert!(csp.contains("script-src 'self'"), "{path}");
        assert!(!csp.contains("unsafe-inline"), "{path}");
        assert!(csp.contains("frame-ancestors 'none'"), "{path}");
        assert_eq!(headers["x-content-type-options"], "nosniff");
        assert_eq!(headers["x-frame-options"], "DENY");
        assert_eq!(headers["referrer-policy"], "same-origin");
        assert_eq!(headers["cache-control"], "no-store", "{path}");
        assert!(headers.contains_key("x-request-id"));
    }
}

#[tokio::test]
async fn pages_have_no_inline_script_or_style() {
    let app = TestApp::spawn().await;
    for path in ["/", "/login"] {
        let page = app.get_text(path).await;
        assert!(!page.contains("<script>"), "{path}");
        assert!(!page.contains("style="), "{path}");
        assert!(!page.contains("<style"), "{path}");
    }
}

#[tokio::test]
async fn the_session_cookie_is_http_only_and_same_site() {
    let app = TestApp::spawn().await;
    let response = app.get("/login").await;
    let cookie = response.headers()["set-cookie"].to_str().expect("ascii").to_owned();
    assert!(cookie.starts_with("huzhu_session="));
    assert!(cookie.contains("HttpOnly"));
    assert!(cookie.contains("SameSite=Lax"));
    assert!(cookie.contains("Path=/"));
}

#[tokio::test]
async fn over_https_the_cookie_is_secure_and_host_prefixed() {
    let app = TestApp::spawn_with(|config| config.public_url = "https://nurse.example.org".to_owned()).await;
    let response = app.get("/login").await;
    let cookie = response.headers()["set-cookie"].to_str().expect("ascii").to_owned();
    assert!(cookie.starts_with("__Host-huzhu_session="));
    assert!(cookie.contains("; Secure"));
    assert!(response.headers()["strict-transport-security"].to_str().expect("ascii").contains("max-age="));
}

#[tokio::test]
async fn the_health_check_answers_when_the_database_does() {
    let app = TestApp::spawn().await;
    let response = app.get("/healthz").await;
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn an_unknown_page_gets_a_calm_not_found_page() {
    let app = TestApp::spawn().await;
    let response = app.get("/no-such-page").await;
    assert_eq!(response.status(), 404);
    assert!(response.text().await.expect("a body").contains("找不到這個頁面"));
}

#[tokio::test]
async fn a_body_too_large_gets_the_calm_page_with_every_header() {
    let app = TestApp::spawn().await;
    let csrf = app.open_login().await;
    let big = "x".repeat(70 * 1024);
    let response = app.post_form("/login", &[("csrf", &csrf), ("id_number", &big)]).await;
    assert_eq!(response.status(), 413);
    assert!(response.headers().contains_key("content-security-policy"));
    assert!(response.headers().contains_key("x-request-id"));
    assert!(response.text().await.expect("a body").contains("無法處理這個要求"));
}

#[tokio::test]
async fn a_malformed_query_gets_the_calm_page_not_a_framework_message() {
    let app = TestApp::spawn().await;
    let response = app.get("/lang?next=/").await;
    assert_eq!(response.status(), 400);
    assert!(response.headers().contains_key("content-security-policy"));
    let page = response.text().await.expect("a body");
    assert!(page.contains("無法處理這個要求"));
    assert!(!page.contains("deserialize"));
}

#[tokio::test]
async fn behind_a_proxy_the_origin_is_checked_against_the_public_address() {
    // Over plain http the test client cannot hold the Secure cookie this setting makes, so the
    // check is seen on a sign-out without a session: allowed through, it is sent home (303);
    // refused, it never reaches the handler (403).
    let app = TestApp::spawn_with(|config| config.public_url = "https://nurse.example.org".to_owned()).await;
    let post = |origin: &'static str| {
        app.client.post(app.url("/logout")).header("origin", origin).form(&[("csrf", "")])
    };
    // The proxy rewrote Host to the upstream address; the browser's Origin is the public one.
    assert_eq!(post("https://nurse.example.org").send().await.expect("answered").status(), 303);
    assert_eq!(post("http://nurse.example.org").send().await.expect("answered").status(), 403);
    assert_eq!(post("https://evil.example").send().await.expect("answered").status(), 403);
}

#[tokio::test]
async fn a_client_that_never_finishes_its_headers_is_disconnected() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = TestApp::spawn().await;
    let address = app.base.trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(&address).await.expect("connects");
    stream.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n").await.expect("writes");
    // The header-read limit is 10 seconds: by 20 the server must have answered or hung up.
    let mut buffer = Vec::new();
    let read =
        tokio::time::timeout(std::time::Duration::from_secs(20), stream.read_to_end(&mut buffer)).await;
    assert!(read.is_ok(), "the half-open connection was still open after 20 s");
}

#[test]
fn settings_out_of_range_are_refused_with_their_name() {
    let config = huzhu_web::Config { session_absolute_hours: i64::MAX, ..huzhu_web::Config::default() };
    let error = config.validate().expect_err("refused").to_string();
    assert!(error.contains("session_absolute_hours"), "{error}");
    let config = huzhu_web::Config { session_idle_minutes: -5, ..huzhu_web::Config::default() };
    assert!(config.validate().is_err());
    assert!(huzhu_web::Config::default().validate().is_ok());
}

#[test]
fn a_mail_relay_without_encryption_is_refused_unless_it_is_on_this_machine() {
    let with = |url: &str| huzhu_web::Config { smtp_url: url.to_owned(), ..huzhu_web::Config::default() };
    // 192.0.2.25 is a documentation address, never connected to here: validate() only reads.
    for plain in ["smtp://user:secret@192.0.2.25:587", "smtp://mail.example.org:25?tls=opportunistic"] {
        let error = with(plain).validate().expect_err("refused").to_string();
        assert!(error.contains("smtp_url") && error.contains("unencrypted"), "{error}");
        assert!(!error.contains("secret"), "the relay password is not repeated: {error}");
    }
    for accepted in [
        "smtps://user:secret@mail.example.org:465",
        "smtp://user:secret@mail.example.org:587?tls=required",
        "smtp://127.0.0.1:25",
        "smtp://[::1]:25",
        "smtp://localhost:25",
        "",
    ] {
        let result = with(accepted).validate();
        assert!(result.is_ok(), "{accepted}: {result:?}");
    }
}
