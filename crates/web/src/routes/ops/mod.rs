//! The operator area (`/ops`): sign-in with a password and a TOTP code, the home page content,
//! help with members' accounts, and the audit log. Every page needs an operator session (see
//! `crate::operator`); a member session opens none of them.

pub mod accounts;
pub mod audit;
pub mod content;
pub mod login;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, FixedOffset};
use huzhu_store::audit::AuditRecord;

use crate::error::AppError;
use crate::operator::OpsCtx;
use crate::page::Chrome;
use crate::routes::paths;
use crate::session::see_other;
use crate::state::AppState;

/// Where a request without an operator session goes.
pub(crate) fn to_login() -> Response {
    see_other(paths::OPS_LOGIN)
}

/// Writes an operator's action to the audit log (with the operator's name) and the log.
pub(crate) async fn audit(
    state: &AppState,
    ops: &OpsCtx,
    operator: Option<&str>,
    event: &str,
    outcome: &str,
    account_id: Option<i64>,
    subject: Option<&str>,
) -> Result<(), AppError> {
    let ctx = &ops.ctx;
    let client_addr = ctx.client_addr.map(|a| a.to_string());
    state
        .store
        .record_audit(&AuditRecord {
            at: state.now(),
            event,
            outcome,
            account_id,
            subject,
            client_addr: client_addr.as_deref(),
            user_agent: ctx.user_agent.as_deref(),
            request_id: Some(&ctx.request_id),
            operator,
        })
        .await?;
    tracing::info!(
        request_id = ctx.request_id,
        event,
        outcome,
        account_id,
        operator = operator.unwrap_or(""),
        "operator event"
    );
    Ok(())
}

/// An instant as Taiwan time, `2026-12-04 08:00:00`.
pub(crate) fn taiwan_time(at: i64) -> String {
    let offset = FixedOffset::east_opt(8 * 3600).unwrap_or_else(|| FixedOffset::east_opt(0).expect("UTC"));
    DateTime::from_timestamp(at, 0)
        .map(|t| t.with_timezone(&offset).format("%Y-%m-%d %H:%M:%S").to_string())
        .unwrap_or_default()
}

/// Mail given up within this many days is counted on the operator's home page.
const GIVEN_UP_DAYS: i64 = 7;

#[derive(Template, WebTemplate)]
#[template(path = "ops_home.html")]
pub struct OpsHomeView {
    page: Chrome,
    operator: String,
    /// The outbox: mail waiting to be sent, and mail given up lately.
    mail_waiting: String,
    mail_given_up: String,
}

/// The operator's start page: the three areas, and how the outbox stands.
pub async fn home(State(state): State<AppState>, ops: OpsCtx) -> Result<Response, AppError> {
    let Some(operator) = ops.operator() else {
        return Ok(to_login());
    };
    let waiting = state.store.unsent_mail_count().await?.to_string();
    let since = state.now() - GIVEN_UP_DAYS * 86_400;
    let given_up = state.store.given_up_mail_count(since).await?.to_string();
    let hours = state.config.mail_give_up_hours.to_string();
    let t = ops.ctx.lang.messages();
    Ok(OpsHomeView {
        page: ops.chrome(),
        operator: operator.name,
        mail_waiting: t.format("ops.mail_waiting", &[("count", &waiting)]),
        mail_given_up: t.format("ops.mail_given_up", &[("count", &given_up), ("hours", &hours)]),
    }
    .into_response())
}
