//! Operator sign-in: name, password and a TOTP code on one form, and sign-out.
//!
//! The care is the member sign-in's: every failure (unknown name, wrong password, wrong or used
//! code, a paused account) gets the same answer after the same Argon2 verification; failures
//! are counted per operator and per client address with the members' limits (the address in a
//! count of its own), and each failure makes the next attempt on the typed name wait 1, 2, 4 …
//! seconds, answered at once without Argon2 when too early, as members' do; signing in
//! replaces the session. A code is claimed only once the password is right, so someone without
//! the password cannot use up the operator's codes.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::State;
use axum::http::HeaderValue;
use axum::http::header::SET_COOKIE;
use axum::response::{IntoResponse, Response};
use huzhu_core::password_policy::normalize;
use huzhu_store::operators::OperatorLogin;
use huzhu_store::throttle::Limit;
use serde::Deserialize;

use super::audit;
use crate::error::AppError;
use crate::operator::{self, OpsCtx, name_key, operator_key};
use crate::page::Chrome;
use crate::routes::paths;
use crate::session::{self, see_other};
use crate::state::AppState;
use crate::throttle::delay_seconds;

#[derive(Template, WebTemplate)]
#[template(path = "ops_login.html")]
pub struct OpsLoginView {
    page: Chrome,
    username: String,
    notice: Option<String>,
    username_error: Option<&'static str>,
    password_error: Option<&'static str>,
    code_error: Option<&'static str>,
}

impl OpsLoginView {
    fn new(ops: &OpsCtx) -> OpsLoginView {
        OpsLoginView {
            page: ops.chrome(),
            username: String::new(),
            notice: None,
            username_error: None,
            password_error: None,
            code_error: None,
        }
    }

    fn has_field_errors(&self) -> bool {
        self.username_error.is_some() || self.password_error.is_some() || self.code_error.is_some()
    }
}

fn with_cookie(view: OpsLoginView, cookie: Option<HeaderValue>) -> Response {
    let mut response = view.into_response();
    if let Some(cookie) = cookie {
        response.headers_mut().append(SET_COOKIE, cookie);
    }
    response
}

pub async fn login_form(State(state): State<AppState>, mut ops: OpsCtx) -> Result<Response, AppError> {
    if ops.operator().is_some() {
        return Ok(see_other(paths::OPS));
    }
    let cookie = ops.ensure_session(&state).await?;
    Ok(with_cookie(OpsLoginView::new(&ops), cookie))
}

#[derive(Deserialize)]
pub struct OpsLoginForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    code: String,
}

pub async fn login(
    State(state): State<AppState>,
    mut ops: OpsCtx,
    Form(form): Form<OpsLoginForm>,
) -> Result<Response, AppError> {
    let Some(session) = ops.session.clone() else {
        let cookie = ops.ensure_session(&state).await?;
        let mut view = OpsLoginView::new(&ops);
        view.username = form.username.chars().filter(|c| !c.is_control()).take(64).collect();
        view.notice = Some(ops.ctx.lang.messages().get("login.expired").to_owned());
        return Ok(with_cookie(view, cookie));
    };
    ops.check_csrf(&form.csrf)?;

    let mut view = OpsLoginView::new(&ops);
    let typed = form.username.trim();
    // Shown back without control characters; a name holding one is no operator's (names are
    // ASCII letters, digits and . - _), so it gets the unknown name's answer below.
    view.username = typed.chars().filter(|c| !c.is_control()).take(64).collect();
    check_fields(&mut view, &form);
    if view.has_field_errors() {
        return Ok(view.into_response());
    }
    let typed: String = typed.chars().take(64).collect();
    let plain = !typed.chars().any(char::is_control);

    // Too soon after a failure on this name or from this address, or while another attempt on
    // them is being checked: answered at once, without Argon2 and without an audit row, so a
    // flood of early attempts costs next to nothing. The failures that set the wait were
    // audited.
    let turn = match crate::throttle::take_turn_on(&state, name_key(&typed), address_key(&ops)).await? {
        Ok(turn) => turn,
        Err(wait) => {
            let seconds = wait.to_string();
            view.notice = Some(ops.ctx.lang.messages().format("login.wait", &[("seconds", &seconds)]));
            return Ok(view.into_response());
        }
    };

    // Not looked up when it holds a control character: PostgreSQL refuses NUL in text.
    let record = if plain { state.store.find_operator(&typed).await? } else { None };
    let known = record.as_ref().map(|r| r.operator_id);
    let known_name = record.as_ref().map(|r| r.username.clone());
    let locked = is_locked(&state, &ops, known).await?;
    let checked = check_credentials(&state, record, &form).await?;
    let failure = checked.err().unwrap_or("failed");
    let Some(operator_id) = checked.ok().filter(|_| !locked) else {
        delay_name(&state, &typed).await?;
        if !locked {
            record_failure(&state, &ops, known, known_name.as_deref()).await?;
        }
        // The answer is the same for every failure; only the audit record says which it was.
        let outcome = if locked { "locked" } else { failure };
        turn.give_back(&state).await?;
        audit(&state, &ops, known_name.as_deref(), "ops_sign_in", outcome, None, None).await?;
        view.notice = Some(ops.ctx.lang.messages().get("ops.login_failed").to_owned());
        return Ok(view.into_response());
    };
    state.store.clear_sign_in_failures(&operator_key(operator_id)).await?;
    state.store.clear_sign_in_failures(&name_key(&typed)).await?;
    turn.give_back(&state).await?;

    let (token, token_hash) = session::new_token();
    let row = operator::new_session_row(&state, token_hash, Some(operator_id));
    state.store.rotate_operator_session(&session.token_hash, &row).await?;
    audit(&state, &ops, known_name.as_deref(), "ops_sign_in", "succeeded", None, None).await?;

    let mut response = see_other(paths::OPS);
    response.headers_mut().append(SET_COOKIE, operator::session_cookie(&state, &token));
    Ok(response)
}

fn check_fields(view: &mut OpsLoginView, form: &OpsLoginForm) {
    if form.username.trim().is_empty() {
        view.username_error = Some("ops.username_missing");
    }
    if form.password.is_empty() {
        view.password_error = Some("login.password_missing");
    }
    let code = form.code.trim();
    if code.is_empty() {
        view.code_error = Some("ops.code_missing");
    } else if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        view.code_error = Some("ops.code_invalid");
    }
}

/// The operator these credentials sign in, if the password is right and the code is right and
/// unused; otherwise why not, for the audit log only ("failed"; "disabled" for a disabled
/// operator with the right password; or "code_reused" when the password and a code were right
/// but that code was used already: a sign that someone else saw it). The password is verified in every case, against a dummy hash for unknown names.
async fn check_credentials(
    state: &AppState,
    record: Option<OperatorLogin>,
    form: &OpsLoginForm,
) -> Result<Result<i64, &'static str>, AppError> {
    let stored =
        record.as_ref().map(|r| r.password_hash.clone()).unwrap_or_else(|| state.dummy_hash.to_string());
    // Passwords are stored NFC-normalized, as members' are. Known shortcoming: unlike a
    // member's, an operator's hash made before `password_pepper` was set is not made again with
    // the pepper at sign-in; it stays unpeppered until the operator is added again.
    let password_ok = state.verify_password(normalize(&form.password), stored).await?;
    let Some(record) = record.filter(|_| password_ok) else {
        return Ok(Err("failed"));
    };
    // Checked after the password, so a disabled name costs the same Argon2 time as any other,
    // and before the code, so her codes are not used up.
    if record.disabled {
        return Ok(Err("disabled"));
    }
    let secret = operator::open_totp_key(&record.totp_secret, state.pepper.as_ref())?;
    let step = operator::matching_step(&secret, &record.username, &form.code, state.now())?;
    let Some(step) = step else {
        return Ok(Err("failed"));
    };
    let fresh = state.store.claim_totp_step(record.operator_id, step).await?;
    Ok(if fresh { Ok(record.operator_id) } else { Err("code_reused") })
}

/// The operators' own count for a client address, apart from the members' `addr:` count: a
/// hospital's staff share an address, and failures on this form must not pause their sign-in.
fn address_key(ops: &OpsCtx) -> Option<String> {
    ops.ctx.client_addr.map(|addr| format!("ops:addr:{}", crate::throttle::counted_address(addr)))
}

/// Counts a failure on the typed name and sets its next "not before": 1, 2, 4 … seconds. Counted
/// for every failure, known name or not, paused or not, so the waits are the same for all.
async fn delay_name(state: &AppState, name: &str) -> Result<(), AppError> {
    crate::throttle::delay_key(state, &name_key(name)).await
}

fn limit(state: &AppState, threshold: i64) -> Limit {
    Limit { threshold, lock_seconds: state.config.lock_minutes * 60 }
}

async fn is_locked(state: &AppState, ops: &OpsCtx, operator_id: Option<i64>) -> Result<bool, AppError> {
    crate::throttle::locked_on(state, &[operator_id.map(operator_key), address_key(ops)]).await
}

/// Counts a failure against the operator and against the client address in the operators' own
/// address count, which also sets the address's growing wait once it has `address_delay_after`
/// failures. Kept apart from the members' count so that guessing at operator names cannot
/// pause the sign-in of the nurses behind the same address; each form has its own limits.
async fn record_failure(
    state: &AppState,
    ops: &OpsCtx,
    operator_id: Option<i64>,
    name: Option<&str>,
) -> Result<(), AppError> {
    let now = state.now();
    if let Some(key) = address_key(ops) {
        let config = &state.config;
        let (failures, _) = state
            .store
            .record_sign_in_failure(&key, now, limit(state, config.address_lock_threshold))
            .await?;
        let wait = delay_seconds(
            failures,
            config.address_delay_after,
            config.sign_in_delay_seconds,
            config.sign_in_delay_max_seconds,
        );
        state.store.delay_sign_in(&key, now + wait).await?;
    }
    if let Some(id) = operator_id {
        let (_, locked) = state
            .store
            .record_sign_in_failure(&operator_key(id), now, limit(state, state.config.lock_threshold))
            .await?;
        if locked {
            audit(state, ops, name, "ops_lock", "operator", None, None).await?;
        }
    }
    Ok(())
}

#[derive(Deserialize)]
pub struct LogoutForm {
    #[serde(default)]
    csrf: String,
}

pub async fn logout(
    State(state): State<AppState>,
    ops: OpsCtx,
    Form(form): Form<LogoutForm>,
) -> Result<Response, AppError> {
    let Some(session) = &ops.session else {
        return Ok(see_other(paths::OPS_LOGIN));
    };
    ops.check_csrf(&form.csrf)?;
    state.store.delete_operator_session(&session.token_hash).await?;
    if let Some(operator) = ops.operator() {
        audit(&state, &ops, Some(&operator.name), "ops_sign_out", "succeeded", None, None).await?;
    }
    let mut response = see_other(paths::OPS_LOGIN);
    response.headers_mut().append(SET_COOKIE, operator::clear_session_cookie(&state));
    Ok(response)
}
