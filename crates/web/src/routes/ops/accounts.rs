//! Helping a member: find her account by national ID, see whether its password path is paused
//! and how many sessions it has, clear the pause, end its sessions.

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
}

fn find_view(ops: &OpsCtx) -> FindView {
    FindView { page: ops.chrome(), id_number: String::new(), id_error: None, not_found: false }
}

pub async fn find_form(ops: OpsCtx) -> Result<Response, AppError> {
    if ops.operator().is_none() {
        return Ok(to_login());
    }
    Ok(find_view(&ops).into_response())
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
