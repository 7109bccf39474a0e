//! Pages anyone may see: the landing page, the health check, the language switch.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::http::header::{LOCATION, SET_COOKIE};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::i18n::Lang;
use crate::page::Chrome;
use crate::session::{Ctx, LANG_COOKIE};
use crate::state::AppState;

#[derive(Template, WebTemplate)]
#[template(path = "landing.html")]
pub struct LandingView {
    page: Chrome,
}

pub async fn landing(ctx: Ctx) -> LandingView {
    LandingView { page: Chrome::new(&ctx) }
}

/// 200 when the database answers, 503 otherwise: both the health check (`/healthz`) and the
/// load balancer's readiness check (`/readyz`), since the portal can do nothing without it.
pub async fn health(State(state): State<AppState>) -> Response {
    match state.store.ping().await {
        Ok(()) => (StatusCode::OK, "ok").into_response(),
        Err(error) => {
            tracing::warn!(error = format!("{error:#}"), "health check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
        }
    }
}

#[derive(Deserialize)]
pub struct LanguageChoice {
    to: String,
    next: Option<String>,
}

/// Stores the language choice in a cookie and goes back to the page it was made on. Only local
/// paths are followed, so the switch cannot be used to send a member to another site.
pub async fn switch_language(Query(choice): Query<LanguageChoice>) -> Response {
    let lang = Lang::from_tag(&choice.to).unwrap_or_default();
    let next = choice.next.filter(|n| is_local_path(n)).unwrap_or_else(|| "/".to_owned());
    let cookie = format!("{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax", lang.tag());
    (StatusCode::SEE_OTHER, [(LOCATION, next), (SET_COOKIE, cookie)]).into_response()
}

/// A path on this site: starts with one slash, printable ASCII only (no header injection, no
/// `//host` or `/\host` that browsers would read as another site).
fn is_local_path(path: &str) -> bool {
    path.starts_with('/')
        && !path.starts_with("//")
        && !path.contains('\\')
        && path.chars().all(|c| c.is_ascii_graphic())
}
