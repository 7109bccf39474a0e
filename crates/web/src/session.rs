//! Server-side sessions and the per-request context.
//!
//! The cookie holds 256 random bits; the database holds only their SHA-256. A session exists
//! before sign-in as well, to carry the CSRF token and the captcha; signing in replaces it with
//! a new one (new token, new CSRF token) so a token planted before sign-in is worthless after.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts, MatchedPath, Request, State};
use axum::http::header::{COOKIE, RETRY_AFTER, SET_COOKIE, USER_AGENT};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use huzhu_store::sessions::{FoundSession, SessionAccount, SessionRow};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::error::{self, AppError};
use crate::i18n::Lang;
use crate::state::AppState;

/// The language cookie: a preference, not a secret.
pub const LANG_COOKIE: &str = "huzhu_lang";

/// Refresh `last_seen_at` at most this often, so reading pages does not write on every request.
const TOUCH_INTERVAL_SECONDS: i64 = 60;

/// What a handler knows about the request beyond its parameters.
#[derive(Clone, Debug)]
pub struct Ctx {
    pub session: Option<SessionRow>,
    /// The account the session is signed in to, read with the session.
    pub account: Option<SessionAccount>,
    pub lang: Lang,
    pub request_id: String,
    pub client_addr: Option<IpAddr>,
    pub user_agent: Option<String>,
    /// The path and query the page was requested with, for the language switch to return to.
    pub path: String,
}

impl Ctx {
    pub fn account_id(&self) -> Option<i64> {
        self.session.as_ref().and_then(|s| s.account_id)
    }

    pub fn csrf_token(&self) -> &str {
        self.session.as_ref().map(|s| s.csrf_token.as_str()).unwrap_or("")
    }

    /// Refuses a form whose CSRF token is not this session's.
    pub fn check_csrf(&self, submitted: &str) -> Result<(), AppError> {
        let expected = self.csrf_token();
        let matches = !expected.is_empty() && bool::from(expected.as_bytes().ct_eq(submitted.as_bytes()));
        if matches { Ok(()) } else { Err(AppError::Forbidden) }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Ctx {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Ctx, AppError> {
        parts
            .extensions
            .get::<Ctx>()
            .cloned()
            .ok_or_else(|| AppError::Unexpected(anyhow::anyhow!("the context middleware did not run")))
    }
}

/// A random token for a cookie or a form, and its SHA-256 for storage.
pub fn new_token() -> (String, String) {
    let bytes: [u8; 32] = rand::random();
    let token = URL_SAFE_NO_PAD.encode(bytes);
    let hash = hash_token(&token);
    (token, hash)
}

pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The most of a browser's User-Agent header kept with a session it signed in: enough for any
/// real browser's name, version and system, and a bound on what a made-up header can store.
pub const USER_AGENT_KEPT: usize = 256;

/// The request's User-Agent cut to [`USER_AGENT_KEPT`] characters, for the session it signs in.
pub fn short_user_agent(ctx: &Ctx) -> Option<String> {
    ctx.user_agent.as_deref().map(|agent| agent.chars().take(USER_AGENT_KEPT).collect())
}

/// The name of a session in a form: the SHA-256 of its stored token hash. It names the session
/// without being the token hash itself, and since SHA-256 cannot be turned back, it can never
/// be made into a session cookie or into the row's key.
pub fn session_handle(token_hash: &str) -> String {
    hash_token(token_hash)
}

/// The session cookie's name: `__Host-` prefixed when the portal is served over https, which
/// makes browsers insist on Secure, Path=/ and no Domain.
pub fn cookie_name(state: &AppState) -> &'static str {
    if state.config.secure_cookies() { "__Host-huzhu_session" } else { "huzhu_session" }
}

pub fn session_cookie(state: &AppState, token: &str) -> HeaderValue {
    let secure = if state.config.secure_cookies() { "; Secure" } else { "" };
    let value = format!("{}={token}; Path=/; HttpOnly; SameSite=Lax{secure}", cookie_name(state));
    HeaderValue::from_str(&value).unwrap_or_else(|_| HeaderValue::from_static(""))
}

pub fn clear_session_cookie(state: &AppState) -> HeaderValue {
    let secure = if state.config.secure_cookies() { "; Secure" } else { "" };
    let value = format!("{}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}", cookie_name(state));
    HeaderValue::from_str(&value).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// A new session row: anonymous when `account_id` is `None`.
pub fn new_session_row(state: &AppState, token_hash: String, account_id: Option<i64>) -> SessionRow {
    let now = state.now();
    let (csrf_token, _) = new_token();
    SessionRow {
        token_hash,
        account_id,
        csrf_token,
        created_at: now,
        last_seen_at: now,
        expires_at: now + state.config.session_absolute_hours * 3600,
        password_at: None,
    }
}

/// The request's session, creating an anonymous one when there is none. Returns the cookie to
/// set when a session was created.
pub async fn ensure_session(state: &AppState, ctx: &mut Ctx) -> Result<Option<HeaderValue>, AppError> {
    if ctx.session.is_some() {
        return Ok(None);
    }
    let (token, token_hash) = new_token();
    let row = new_session_row(state, token_hash, None);
    state.store.create_session(&row).await?;
    ctx.session = Some(row);
    Ok(Some(session_cookie(state, &token)))
}

pub(crate) fn cookie_value<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

/// Loads the live session named by the cookie; an expired one is deleted and ignored.
async fn load_session(state: &AppState, headers: &HeaderMap) -> anyhow::Result<Option<FoundSession>> {
    let Some(token) = cookie_value(headers, cookie_name(state)) else {
        return Ok(None);
    };
    if token.len() > 100 {
        return Ok(None);
    }
    let token_hash = hash_token(token);
    let Some(found) = state.store.find_session(&token_hash).await? else {
        return Ok(None);
    };
    let session = &found.row;
    let now = state.now();
    let idle_limit = state.config.session_idle_minutes * 60;
    if session.expires_at <= now || session.last_seen_at + idle_limit <= now {
        state.store.delete_session(&token_hash).await?;
        return Ok(None);
    }
    if now - session.last_seen_at >= TOUCH_INTERVAL_SECONDS {
        state.store.touch_session(&token_hash, now).await?;
    }
    Ok(Some(found))
}

fn request_id() -> String {
    let bytes: [u8; 8] = rand::random();
    hex::encode(bytes)
}

/// Builds the [`Ctx`] of each request, renders error pages in the member's language, and writes
/// one log line per request (never the cookie or the query string, which may carry tokens).
pub async fn context_middleware(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let started = std::time::Instant::now();
    let request_id = request_id();
    let headers = request.headers();
    let lang = cookie_value(headers, LANG_COOKIE).and_then(Lang::from_tag).unwrap_or_default();
    let peer = request.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    let client_addr = crate::throttle::client_address(peer, headers, &state.config.trusted_proxies);
    let user_agent = headers.get(USER_AGENT).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let path = request.uri().path_and_query().map(|p| p.as_str().to_owned()).unwrap_or_default();
    let method = request.method().clone();
    let route = request.extensions().get::<MatchedPath>().map(|m| m.as_str().to_owned());
    let json_errors = crate::routes::card::answers_in_json(request.uri().path());

    let session = match load_session(&state, request.headers()).await {
        Ok(session) => session,
        Err(error) => {
            tracing::error!(request_id, error = format!("{error:#}"), "could not load the session");
            let ctx = Ctx {
                session: None,
                account: None,
                lang,
                request_id: request_id.clone(),
                client_addr,
                user_agent,
                path,
            };
            return error::render(&ctx, StatusCode::SERVICE_UNAVAILABLE);
        }
    };
    let (session, account) = session.map_or((None, None), |found| (Some(found.row), found.account));
    let ctx = Ctx { session, account, lang, request_id: request_id.clone(), client_addr, user_agent, path };
    request.extensions_mut().insert(ctx.clone());

    let mut response = next.run(request).await;
    if let Some(status) = framework_rejection(&response) {
        response.extensions_mut().insert(error::ErrorPage(status));
    }
    if let Some(page) = response.extensions().get::<error::ErrorPage>().copied() {
        let cookies: Vec<HeaderValue> = response.headers().get_all(SET_COOKIE).iter().cloned().collect();
        let retry_after = response.headers().get(RETRY_AFTER).cloned();
        response =
            if json_errors { error::render_card_json(&ctx, page.0) } else { error::render(&ctx, page.0) };
        for cookie in cookies {
            response.headers_mut().append(SET_COOKIE, cookie);
        }
        if let Some(retry_after) = retry_after {
            response.headers_mut().insert(RETRY_AFTER, retry_after);
        }
    }
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert("x-request-id", value);
    }
    tracing::info!(
        request_id,
        http.method = %method,
        http.route = route.as_deref().unwrap_or("unmatched"),
        http.status = response.status().as_u16(),
        duration_ms = started.elapsed().as_secs_f64() * 1000.0,
        "request"
    );
    response
}

/// A client error answered in plain text by the framework itself (a malformed form or query, a
/// body too large, a request too slow), which should get the calm page like any other error.
fn framework_rejection(response: &Response) -> Option<StatusCode> {
    let status = response.status();
    let plain = response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .is_none_or(|value| value.as_bytes().starts_with(b"text/plain"));
    (status.is_client_error() && plain && response.extensions().get::<error::ErrorPage>().is_none())
        .then_some(status)
}

/// A 303 redirect, the answer to a form that worked.
pub fn see_other(location: &str) -> Response {
    (StatusCode::SEE_OTHER, [(axum::http::header::LOCATION, location.to_owned())]).into_response()
}
