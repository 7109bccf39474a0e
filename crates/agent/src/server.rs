//! The loopback HTTP listener: CORS for the configured portal origins only (with Chrome's
//! private-network preflight), a Host check against DNS rebinding, one ServiSign call per POST.

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::any;

use crate::card::Agent;
use crate::codes;
use crate::protocol::{self, MAX_BODY};

/// The ports ServiSign tries, in order (DOMAIN.md §4.4); huzhu-agent takes the first free one.
pub const DEFAULT_PORTS: [u16; 3] = [56445, 56545, 56645];

#[derive(Clone)]
pub struct AgentState {
    agent: Arc<Mutex<Agent>>,
    origins: Arc<Vec<String>>,
}

impl AgentState {
    pub fn new(agent: Agent, origins: Vec<String>) -> AgentState {
        let origins = origins.into_iter().map(|o| o.trim_end_matches('/').to_owned()).collect();
        AgentState { agent: Arc::new(Mutex::new(agent)), origins: Arc::new(origins) }
    }
}

impl AgentState {
    /// Ends idle card sessions every few seconds, so a page that stopped half-way leaves no
    /// logged-in session behind even when no further call comes.
    pub fn spawn_idle_sweeper(&self, every: std::time::Duration) {
        let agent = Arc::clone(&self.agent);
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(every);
            loop {
                ticks.tick().await;
                let agent = Arc::clone(&agent);
                let swept = tokio::task::spawn_blocking(move || match agent.lock() {
                    Ok(mut agent) => agent.expire_idle(),
                    Err(poisoned) => poisoned.into_inner().expire_idle(),
                });
                if swept.await.is_err() {
                    tracing::warn!("ending idle card sessions failed");
                }
            }
        });
    }
}

pub fn router(state: AgentState) -> Router {
    Router::new().route("/", any(handle)).layer(DefaultBodyLimit::max(MAX_BODY)).with_state(state)
}

async fn handle(
    State(state): State<AgentState>,
    method: Method,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(origin) = allowed_origin(&state, &headers) else {
        return StatusCode::FORBIDDEN.into_response();
    };
    if !loopback_host(&headers) {
        return StatusCode::FORBIDDEN.into_response();
    }
    let mut response = match method {
        Method::OPTIONS => preflight(&headers),
        Method::POST => call(&state, body).await,
        _ => StatusCode::METHOD_NOT_ALLOWED.into_response(),
    };
    let headers = response.headers_mut();
    headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
    headers.insert(header::VARY, HeaderValue::from_static("Origin"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The request's Origin when it is one of the configured portals.
fn allowed_origin(state: &AgentState, headers: &HeaderMap) -> Option<HeaderValue> {
    let origin = headers.get(header::ORIGIN)?;
    let text = origin.to_str().ok()?;
    state.origins.iter().any(|allowed| allowed.eq_ignore_ascii_case(text)).then(|| origin.clone())
}

/// A page on another site that rebinds its name to 127.0.0.1 still sends its own name as Host.
fn loopback_host(headers: &HeaderMap) -> bool {
    let Some(host) = headers.get(header::HOST).and_then(|h| h.to_str().ok()) else {
        return false;
    };
    let name = host.rsplit_once(':').map_or(host, |(name, _)| name);
    matches!(name, "127.0.0.1" | "localhost" | "[::1]")
}

fn preflight(headers: &HeaderMap) -> Response {
    let mut response = StatusCode::NO_CONTENT.into_response();
    let out = response.headers_mut();
    out.insert(header::ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static("POST"));
    out.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, HeaderValue::from_static("Content-Type"));
    out.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600"));
    let private_network = headers
        .get("access-control-request-private-network")
        .is_some_and(|value| value.as_bytes().eq_ignore_ascii_case(b"true"));
    if private_network {
        out.insert(
            HeaderName::from_static("access-control-allow-private-network"),
            HeaderValue::from_static("true"),
        );
    }
    response
}

async fn call(state: &AgentState, body: Bytes) -> Response {
    let call = match protocol::parse(&body) {
        Ok(call) => call,
        Err(error) => {
            tracing::info!(?error, "unreadable request");
            let answer = serde_json::json!({ "result": "MA==", "error": codes::BAD_REQUEST });
            return json(StatusCode::BAD_REQUEST, &answer);
        }
    };
    tracing::debug!(function = call.function, "call");
    let agent = Arc::clone(&state.agent);
    // PKCS#11 calls block (a card reader takes a while); keep them off the async workers.
    let answer = tokio::task::spawn_blocking(move || match agent.lock() {
        Ok(mut agent) => agent.call(&call),
        Err(poisoned) => poisoned.into_inner().call(&call),
    })
    .await;
    match answer {
        Ok(answer) => json(StatusCode::OK, &answer),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

fn json(status: StatusCode, value: &serde_json::Value) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], value.to_string()).into_response()
}
