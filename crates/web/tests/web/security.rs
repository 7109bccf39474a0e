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
