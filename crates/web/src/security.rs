//! Security headers on every response, and the same-origin check on every form.

use axum::extract::{Request, State};
use axum::http::Method;
use axum::http::header::{self, HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::AppError;
use crate::state::AppState;

/// No inline script or style anywhere: everything comes from this origin's files. The page may
/// connect to its own origin and to the configured local signing component (`{agents}`).
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     img-src 'self'; font-src 'self'; connect-src 'self'{agents}; form-action 'self'; \
     frame-ancestors 'none'; base-uri 'none'";

/// The policy with the card component's origins, which the configuration has checked to be
/// plain origins.
pub fn content_security_policy(agent_origins: &[String]) -> HeaderValue {
    let agents: String = agent_origins.iter().map(|origin| format!(" {origin}")).collect();
    let policy = CONTENT_SECURITY_POLICY.replace("{agents}", &agents);
    HeaderValue::from_str(&policy).unwrap_or_else(|_| HeaderValue::from_static("default-src 'none'"))
}

pub async fn headers_middleware(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_SECURITY_POLICY, state.csp.clone());
    let mut set = |name: HeaderName, value: &'static str| {
        headers.insert(name, HeaderValue::from_static(value));
    };
    set(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(header::X_FRAME_OPTIONS, "DENY");
    // `same-origin` keeps the Origin header on our own form posts (the check below needs it)
    // and sends no referrer to other sites.
    set(header::REFERRER_POLICY, "same-origin");
    set(
        HeaderName::from_static("permissions-policy"),
        "camera=(), microphone=(), geolocation=(), payment=()",
    );
    set(HeaderName::from_static("cross-origin-opener-policy"), "same-origin");
    set(HeaderName::from_static("cross-origin-resource-policy"), "same-origin");
    if state.config.secure_cookies() {
        set(header::STRICT_TRANSPORT_SECURITY, "max-age=31536000; includeSubDomains");
    }
    if !response.headers().contains_key(header::CACHE_CONTROL) {
        let headers = response.headers_mut();
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// Refuses a state-changing request whose Origin is another site. The CSRF token is the main
/// defence; this one also stops a form posted from another origin before any work is done.
///
/// The Origin is compared with the configured `public_url` when one is set (behind a reverse
/// proxy the Host header may name the upstream, not the site), and with the request's own Host
/// otherwise.
pub async fn same_origin_middleware(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if request.method() != Method::GET && request.method() != Method::HEAD {
        let origin = request.headers().get(header::ORIGIN).and_then(|v| v.to_str().ok());
        if let Some(origin) = origin
            && !origin_allowed(&state, origin, request.headers().get(header::HOST))
        {
            return AppError::Forbidden.into_response();
        }
    }
    next.run(request).await
}

fn origin_allowed(state: &AppState, origin: &str, host: Option<&HeaderValue>) -> bool {
    if !state.config.public_url.is_empty() {
        return origin.eq_ignore_ascii_case(&state.config.public_url());
    }
    let authority = origin.split_once("://").map(|(_, rest)| rest);
    authority.is_some() && authority == host.and_then(|h| h.to_str().ok())
}
