//! Helping a member: find her account by national ID, see whether its password path is paused
//! and how many sessions it has, clear the pause, end its sessions, or remove an account that
//! someone else registered in her name.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use huzhu_core::id::{IdError, IdNumber};
use huzhu_store::accounts::AccountOverview;
use serde::Deserialize;

use super::{audit, taiwan_time, to_login};
use crate::error::AppError;
use crate::operator::OpsCtx;
use crate::page::Chrome;
use crate::routes::paths;
use crate::session::see_other;
use crate::state::AppState;
use crate::throttle::account_key;

#[derive(Template, WebTemplate)]
#[template(path = "ops_accounts.html")]
pub struct FindView {
    page: Chrome,
    id_number: String,
    id_error: Option<&'static str>,
    not_found: bool,
    removed: bool,
}

fn find_view(ops: &OpsCtx) -> FindView {
    FindView {
        page: ops.chrome(),
        id_number: String::new(),
        id_error: None,
        not_found: false,
        removed: false,
    }
}

pub async fn find_form(ops: OpsCtx, Query(query): Query<DoneQuery>) -> Result<Response, AppError> {
    if ops.operator().is_none() {
        return Ok(to_login());
    }
    let mut view = find_view(&ops);
    view.removed = query.done.as_deref() == Some("removed");
    Ok(view.into_response())
}

#[derive(Deserialize)]
pub struct FindForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    id_number: String,
}

/// Looks the ID up. It is posted, not put in the address, so the full number stays out of
/// browser history and proxy logs; the audit log keeps only its masked form.
pub async fn find(
    State(state): State<AppState>,
    ops: OpsCtx,
    Form(form): Form<FindForm>,
) -> Result<Response, AppError> {
    let Some(operator) = ops.operator() else {
        return Ok(to_login());
    };
    ops.check_csrf(&form.csrf)?;
    let mut view = find_view(&ops);
    view.id_number = form.id_number.chars().take(20).collect();
    let id = match IdNumber::parse(&form.id_number) {
        Ok(id) => id,
        Err(IdError::Empty) => {
            view.id_error = Some("login.id_missing");
            return Ok(view.into_response());
        }
        Err(_) => {
            view.id_error = Some("login.id_invalid");
            return Ok(view.into_response());
        }
    };
    let record = state.store.find_login(id.as_str()).await?;
    let masked = id.masked();
    let account_id = record.map(|r| r.account_id);
    let outcome = if account_id.is_some() { "found" } else { "not_found" };
    audit(&state, &ops, Some(&operator.name), "ops_account_find", outcome, account_id, Some(&masked)).await?;
    match account_id {
        Some(account_id) => Ok(see_other(&account_path(account_id))),
        None => {
            view.not_found = true;
            Ok(view.into_response())
        }
    }
}

fn account_path(account_id: i64) -> String {
    format!("{}/{account_id}", paths::OPS_ACCOUNTS)
}

#[derive(Template, WebTemplate)]
#[template(path = "ops_account.html")]
pub struct AccountView {
    page: Chrome,
    account_id: i64,
    masked_id: String,
    name: String,
    created: String,
    verified: Option<String>,
    locked_until: Option<String>,
    sessions: i64,
    done: Option<&'static str>,
}

#[derive(Deserialize)]
pub struct DoneQuery {
    done: Option<String>,
}

pub async fn account(
    State(state): State<AppState>,
    ops: OpsCtx,
    Path(account_id): Path<i64>,
    Query(query): Query<DoneQuery>,
) -> Result<Response, AppError> {
    let Some(operator) = ops.operator() else {
        return Ok(to_login());
    };
    let Some(overview) = state.store.account_overview(account_id).await? else {
        return Err(AppError::NotFound);
    };
    let now = state.now();
    let locked_until = state.store.locked_until(&account_key(account_id), now).await?;
    let sessions = state.store.count_sessions(account_id, now).await?;
    let done = match query.done.as_deref() {
        Some("unlocked") => Some("ops.done_unlocked"),
        Some("ended") => Some("ops.done_ended"),
        _ => None,
    };
    let AccountOverview { id_number, name, created_at, verified_at, .. } = overview;
    let masked_id = IdNumber::parse(&id_number).map(|id| id.masked()).unwrap_or_default();
    // Reading a member's details is an operator action like any other (her name, registration
    // and sign-in state are shown).
    audit(
        &state,
        &ops,
        Some(&operator.name),
        "ops_account_view",
        "succeeded",
        Some(account_id),
        Some(&masked_id),
    )
    .await?;
    let view = AccountView {
        page: ops.chrome(),
        account_id,
        masked_id,
        name,
        created: taiwan_time(created_at),
        verified: verified_at.map(taiwan_time),
        locked_until: locked_until.map(taiwan_time),
        sessions,
        done,
    };
    Ok(view.into_response())
}

#[derive(Deserialize)]
pub struct ActionForm {
    #[serde(default)]
    csrf: String,
}

/// Clears the account's pause and its count of failures, so the member can sign in at once.
pub async fn unlock(
    State(state): State<AppState>,
    ops: OpsCtx,
    Path(account_id): Path<i64>,
    Form(form): Form<ActionForm>,
) -> Result<Response, AppError> {
    let Some(operator) = ops.operator() else {
        return Ok(to_login());
    };
    ops.check_csrf(&form.csrf)?;
    let overview = state.store.account_overview(account_id).await?.ok_or(AppError::NotFound)?;
    // The pause of the account and the growing wait on its ID number both end.
    crate::throttle::clear(&state, account_id, &overview.id_number).await?;
    let masked = IdNumber::parse(&overview.id_number).map(|id| id.masked()).unwrap_or_default();
    audit(&state, &ops, Some(&operator.name), "ops_unlock", "succeeded", Some(account_id), Some(&masked))
        .await?;
    Ok(see_other(&format!("{}?done=unlocked", account_path(account_id))))
}

/// Ends every session of the account: it is signed out everywhere.
pub async fn end_sessions(
    State(state): State<AppState>,
    ops: OpsCtx,
    Path(account_id): Path<i64>,
    Form(form): Form<ActionForm>,
) -> Result<Response, AppError> {
    let Some(operator) = ops.operator() else {
        return Ok(to_login());
    };
    ops.check_csrf(&form.csrf)?;
    let masked = masked_id_of(&state, account_id).await?;
    let ended = state.store.end_all_sessions(account_id).await?;
    let outcome = format!("ended {ended}");
    audit(&state, &ops, Some(&operator.name), "ops_end_sessions", &outcome, Some(account_id), Some(&masked))
        .await?;
    Ok(see_other(&format!("{}?done=ended", account_path(account_id))))
}

/// The masked ID of an existing account; 404 for an account that does not exist.
async fn masked_id_of(state: &AppState, account_id: i64) -> Result<String, AppError> {
    let overview = state.store.account_overview(account_id).await?.ok_or(AppError::NotFound)?;
    Ok(IdNumber::parse(&overview.id_number).map(|id| id.masked()).unwrap_or_default())
}

/// The longest reason for removing an account, in characters.
const REASON_CHARS: usize = 500;

#[derive(Template, WebTemplate)]
#[template(path = "ops_account_remove.html")]
pub struct RemoveView {
    page: Chrome,
    account_id: i64,
    masked_id: String,
    name: String,
    reason: String,
    reason_error: Option<&'static str>,
    /// The reason was accepted: the page asks to confirm.
    confirming: bool,
}

#[derive(Deserialize)]
pub struct RemoveForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    confirm: String,
}

async fn remove_view(state: &AppState, ops: &OpsCtx, account_id: i64) -> Result<RemoveView, AppError> {
    let overview = state.store.account_overview(account_id).await?.ok_or(AppError::NotFound)?;
    Ok(RemoveView {
        page: ops.chrome(),
        account_id,
        masked_id: IdNumber::parse(&overview.id_number).map(|id| id.masked()).unwrap_or_default(),
        name: overview.name,
        reason: String::new(),
        reason_error: None,
        confirming: false,
    })
}

/// The first step of removing an account: the reason.
pub async fn remove_form(
    State(state): State<AppState>,
    ops: OpsCtx,
    Path(account_id): Path<i64>,
) -> Result<Response, AppError> {
    if ops.operator().is_none() {
        return Ok(to_login());
    }
    Ok(remove_view(&state, &ops, account_id).await?.into_response())
}

/// The message key of a reason that cannot be kept, if any.
fn check_reason(reason: &str) -> Option<&'static str> {
    if reason.is_empty() {
        Some("ops.remove_reason_missing")
    } else if reason.chars().count() > REASON_CHARS {
        Some("ops.field_too_long")
    } else if reason.chars().any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t') {
        Some("ops.field_control")
    } else {
        None
    }
}

/// A reason as the audit log keeps it: on one line, and with any valid national ID in it
/// masked, since no full ID may reach the log (operators may well type the one they checked).
fn reason_for_log(reason: &str) -> String {
    let chars: Vec<char> = reason.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    let mut kept = String::with_capacity(reason.len());
    let mut at = 0;
    while at < chars.len() {
        let window: String = chars[at..chars.len().min(at + 10)].iter().collect();
        match IdNumber::parse(&window.to_ascii_uppercase()) {
            Ok(id) if window.chars().count() == 10 => {
                kept.push_str(&id.masked());
                at += 10;
            }
            _ => {
                kept.push(chars[at]);
                at += 1;
            }
        }
    }
    kept
}

/// Removes an account someone registered in another person's name:
/// a reason, then a confirmation, then the account, its sessions, links and card link go in
/// one transaction. She can register again once the help desk has checked who she is.
pub async fn remove(
    State(state): State<AppState>,
    ops: OpsCtx,
    Path(account_id): Path<i64>,
    Form(form): Form<RemoveForm>,
) -> Result<Response, AppError> {
    let Some(operator) = ops.operator() else {
        return Ok(to_login());
    };
    ops.check_csrf(&form.csrf)?;
    let mut view = remove_view(&state, &ops, account_id).await?;
    let reason = form.reason.trim();
    view.reason =
        reason.chars().filter(|c| !c.is_control() || matches!(c, '\n' | '\t')).take(REASON_CHARS).collect();
    view.reason_error = check_reason(reason);
    if view.reason_error.is_some() || form.confirm != "yes" {
        view.confirming = view.reason_error.is_none();
        return Ok(view.into_response());
    }
    let overview = state.store.account_overview(account_id).await?.ok_or(AppError::NotFound)?;
    if !state.store.remove_account(account_id, &account_key(account_id)).await? {
        return Err(AppError::NotFound);
    }
    // The growing wait on her ID number ends too: she starts again from nothing.
    crate::throttle::clear(&state, account_id, &overview.id_number).await?;
    let subject = format!("{}; {}", view.masked_id, reason_for_log(reason));
    audit(
        &state,
        &ops,
        Some(&operator.name),
        "ops_account_remove",
        "removed",
        Some(account_id),
        Some(&subject),
    )
    .await?;
    Ok(see_other(&format!("{}?done=removed", paths::OPS_ACCOUNTS)))
}
