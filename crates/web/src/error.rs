//! Errors a handler can return, and the calm page each becomes.
//!
//! A handler returns an [`AppError`]; its response carries only a status and a marker, and the
//! context middleware renders the page in the member's language with the request's reference,
//! which is also in the log line. Unexpected errors are logged once, here, with their causes.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use crate::page::Chrome;
use crate::session::Ctx;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// A form without this session's CSRF token, or from another site.
    #[error("forbidden")]
    Forbidden,
    #[error("not found")]
    NotFound,
    /// Anything the member cannot fix: the database is down, a bug.
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

/// Marks a response whose page the context middleware renders.
#[derive(Debug, Clone, Copy)]
pub struct ErrorPage(pub StatusCode);

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = match &self {
            AppError::Forbidden => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Unexpected(error) if error.chain().any(|cause| cause.is::<crate::password::Busy>()) => {
                tracing::warn!("a password check was refused: too many are waiting");
                StatusCode::SERVICE_UNAVAILABLE
            }
            AppError::Unexpected(error) if huzhu_store::is_unavailable(error) => {
                tracing::warn!(error = format!("{error:#}"), "the database is unavailable");
                StatusCode::SERVICE_UNAVAILABLE
            }
            AppError::Unexpected(error) => {
                tracing::error!(error = format!("{error:#}"), "request failed");
                StatusCode::INTERNAL_SERVER_ERROR
            }
        };
        let busy = matches!(&self, AppError::Unexpected(error) if error.chain().any(|c| c.is::<crate::password::Busy>()));
        let mut response = status.into_response();
        if busy {
            // The queue of password checks drains in well under a second.
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, axum::http::HeaderValue::from_static("1"));
        }
        response.extensions_mut().insert(ErrorPage(status));
        response
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorView {
    page: Chrome,
    title_key: &'static str,
    body: String,
}

/// The error page for `status`.
pub fn render(ctx: &Ctx, status: StatusCode) -> Response {
    let page = Chrome::new(ctx);
    let t = page.t;
    let (title_key, body) = match status {
        StatusCode::NOT_FOUND => ("error.not_found_title", t.get("error.not_found_body").to_owned()),
        StatusCode::FORBIDDEN => ("error.forbidden_title", t.get("error.forbidden_body").to_owned()),
        status if status.is_client_error() => {
            ("error.bad_request_title", t.format("error.bad_request_body", &[("id", &ctx.request_id)]))
        }
        _ => ("error.title", t.format("error.body", &[("id", &ctx.request_id)])),
    };
    let view = ErrorView { page, title_key, body };
    let html = view.render().unwrap_or_else(|_| "error".to_owned());
    (status, Html(html)).into_response()
}

/// The error for `status` as the card page's script reads it: JSON with a code and a message
/// in the member's language, like the card endpoints' own refusals, instead of an HTML page.
pub fn render_card_json(ctx: &Ctx, status: StatusCode) -> Response {
    let t = ctx.lang.messages();
    let (code, message) = match status {
        StatusCode::FORBIDDEN => ("session_expired", t.get("card.session_expired").to_owned()),
        StatusCode::PAYLOAD_TOO_LARGE => ("too_large", t.get("card.too_large").to_owned()),
        status if status.is_client_error() => ("bad_request", t.get("card.bad_request").to_owned()),
        _ => ("server_error", t.format("card.server_error", &[("id", &ctx.request_id)])),
    };
    (status, axum::Json(serde_json::json!({ "error": code, "message": message }))).into_response()
}
