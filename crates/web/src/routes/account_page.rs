//! The member's own account: change the password (also when the rules changed), see recent
//! sign-ins, end the other sessions.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::http::header::SET_COOKIE;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, FixedOffset};
use huzhu_core::id::IdNumber;
use huzhu_core::password_policy::{PasswordPolicy, PersonalData, normalize};
use serde::Deserialize;

use crate::error::AppError;
use crate::mail::{self, Letter};
use crate::page::Chrome;
use crate::routes::accounts::{Field, FormView, check_new_password, notice};
use crate::routes::login::audit;
use crate::routes::paths;
use crate::session::{self, Ctx, see_other};
use crate::state::AppState;
use crate::throttle::{self, Pause};

/// How many sign-ins the account page lists.
const SIGN_INS_SHOWN: i64 = 10;

fn change_view(ctx: &Ctx, forced: bool, policy: &PasswordPolicy) -> FormView {
    let current = Field {
        max_length: 1024,
        ..Field::new("current_password", "account.current_password", "password", "current-password")
    };
    FormView {
        page: Chrome::new(ctx),
        title_key: "account.change_title",
        intro_key: if forced { "account.change_forced" } else { "account.change_intro" },
        action: paths::CHANGE_PASSWORD,
        submit_key: "account.change_submit",
        fields: vec![current, Field::new_password(policy), Field::confirm()],
        token: None,
        notice: None,
        has_errors: false,
    }
}

pub async fn change_form(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    let Some(account_id) = ctx.account_id() else {
        return Ok(see_other(paths::LOGIN));
    };
    let forced = state.store.password_outdated(account_id, state.config.password_policy_version).await?;
    Ok(change_view(&ctx, forced, &state.config.password_policy()).into_response())
}

#[derive(Deserialize)]
pub struct ChangeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_again: String,
}

pub async fn change(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Form(form): Form<ChangeForm>,
) -> Result<Response, AppError> {
    let Some(account_id) = ctx.account_id() else {
        return Ok(see_other(paths::LOGIN));
    };
    ctx.check_csrf(&form.csrf)?;
    let contact = state.store.contact_by_account(account_id).await?.ok_or(AppError::NotFound)?;
    let forced = contact.policy_version < state.config.password_policy_version;
    let mut view = change_view(&ctx, forced, &state.config.password_policy());
    let id_number = IdNumber::parse(&contact.id_number)
        .map_err(|_| anyhow::anyhow!("the account's stored ID number does not parse"))?;

    // The current password is guessed at like a sign-in: the same growing wait and lock, and
    // an attempt during either is refused without looking at the password. As for a sign-in,
    // her browser's device cookie exempts her from both and counts its own failures.
    let device = throttle::trusted_device(&state, &headers, Some(account_id)).await?;
    let paused = match device {
        Some(_) => None,
        None => pause(&state, &ctx, account_id, &id_number).await?,
    };
    if let Some(pause) = paused {
        view.error("current_password", "account.current_wait");
        if let Pause::Wait(seconds) = pause {
            let seconds = seconds.to_string();
            let message =
                ctx.lang.messages().format("account.current_wait_seconds", &[("seconds", &seconds)]);
            view.notice = Some(message);
        }
        return Ok(view.into_response());
    }
    let current_ok =
        state.verify_password(normalize(&form.current_password), contact.password_hash.clone()).await?;
    if !current_ok {
        view.error("current_password", "account.current_wrong");
        if let Some(device) = &device {
            throttle::device_failure(&state, &ctx, device, account_id, &id_number).await?;
        } else {
            throttle::delay_id(&state, &id_number).await?;
            if throttle::record_failure(&state, &ctx, Some(account_id), &id_number).await? {
                return end_guessing_session(&state, &ctx, account_id).await;
            }
        }
    }
    let birth_date = chrono::NaiveDate::parse_from_str(&contact.birth_date, "%Y-%m-%d").ok();
    let personal = PersonalData { id_number: &contact.id_number, birth_date, email: &contact.email };
    let mut new_ok = check_new_password(&state, &mut view, &form.password, &form.password_again, &personal);
    // A change, forced by stricter rules or not, must change something: the current password
    // typed again as the new one is refused (compared as stored, NFC-normalized).
    if current_ok && new_ok && normalize(&form.password) == normalize(&form.current_password) {
        view.error("password", "account.password_same");
        new_ok = false;
    }
    if !current_ok || !new_ok {
        audit(&state, &ctx, "password_change", "refused", Some(account_id), None).await?;
        return Ok(view.into_response());
    }

    let hash = state.hash_password(normalize(&form.password)).await?;
    let keep = ctx.session.as_ref().map(|s| s.token_hash.as_str());
    let version = state.config.password_policy_version;
    state.store.set_password(account_id, &hash, version, state.now(), keep).await?;
    throttle::clear(&state, account_id, &contact.id_number).await?;
    mail::queue(&state, &contact.email, &Letter::from_catalog(ctx.lang, "password_changed", 2, None)).await?;
    audit(&state, &ctx, "password_change", "succeeded", Some(account_id), None).await?;

    let mut page = notice(&ctx, "account.change_title", vec!["account.change_done"]);
    page.link = Some((paths::MEMBER, "account.to_member"));
    Ok(page.into_response())
}

/// Whether the current password may be checked now, as for a sign-in on the account's ID;
/// a refusal is audited.
async fn pause(
    state: &AppState,
    ctx: &Ctx,
    account_id: i64,
    id_number: &IdNumber,
) -> Result<Option<Pause>, AppError> {
    let pause = throttle::pause(state, ctx, account_id, id_number).await?;
    if let Some(pause) = &pause {
        audit(state, ctx, "password_change", pause.outcome(), Some(account_id), None).await?;
    }
    Ok(pause)
}

/// Ends the session in which the current password was guessed wrong often enough to pause the
/// account: whoever holds it must sign in again, and the sign-in is paused too.
async fn end_guessing_session(state: &AppState, ctx: &Ctx, account_id: i64) -> Result<Response, AppError> {
    if let Some(session) = &ctx.session {
        state.store.delete_session(&session.token_hash).await?;
    }
    audit(state, ctx, "password_change", "session_ended", Some(account_id), None).await?;
    let mut response = see_other(paths::LOGIN);
    response.headers_mut().append(SET_COOKIE, session::clear_session_cookie(state));
    Ok(response)
}

/// One line of the sign-in list.
pub struct SignInLine {
    at: String,
    outcome_key: &'static str,
    address: String,
    browser: String,
}

/// The professional card linked to the account, as the account page shows it.
pub struct LinkedCard {
    holder_name: String,
    serial_hex: String,
    valid_until: String,
    linked_at: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "account.html")]
pub struct AccountView {
    page: Chrome,
    sign_ins: Vec<SignInLine>,
    ended: Option<u64>,
    card: Option<LinkedCard>,
    /// A card can be linked now: none is, and the password sign-in was recent.
    can_link: bool,
    agent_origins: String,
    card_challenge_url: &'static str,
    card_submit_url: &'static str,
}

/// An instant as Taiwan time (UTC+8), which is what members read.
fn taiwan_time(at: i64) -> String {
    let offset = FixedOffset::east_opt(8 * 3600).unwrap_or_else(|| FixedOffset::east_opt(0).expect("UTC"));
    DateTime::from_timestamp(at, 0)
        .map(|utc| utc.with_timezone(&offset).format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default()
}

async fn account_view(
    state: &AppState,
    ctx: &Ctx,
    account_id: i64,
    ended: Option<u64>,
) -> Result<AccountView, AppError> {
    let sign_ins = state
        .store
        .recent_sign_ins(account_id, SIGN_INS_SHOWN)
        .await?
        .into_iter()
        .map(|entry| SignInLine {
            at: taiwan_time(entry.at),
            outcome_key: match entry.outcome.as_str() {
                "succeeded" => "account.sign_in_succeeded",
                "locked" => "account.sign_in_locked",
                _ => "account.sign_in_failed",
            },
            address: entry.client_addr.unwrap_or_default(),
            browser: entry.user_agent.unwrap_or_default().chars().take(80).collect(),
        })
        .collect();
    let card = state.store.card_of_account(account_id).await?.map(|card| LinkedCard {
        holder_name: card.holder_name,
        serial_hex: card.serial_hex,
        valid_until: taiwan_time(card.not_after),
        linked_at: taiwan_time(card.bound_at),
    });
    let signed_in_at = ctx.session.as_ref().map_or(0, |s| s.created_at);
    let can_link = card.is_none() && signed_in_at + state.config.card_link_minutes * 60 >= state.now();
    Ok(AccountView {
        page: Chrome::new(ctx),
        sign_ins,
        ended,
        card,
        can_link,
        agent_origins: state.config.card_agent_origins.join(" "),
        card_challenge_url: paths::CARD_BIND_CHALLENGE,
        card_submit_url: paths::CARD_BIND,
    })
}

pub async fn account(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    let Some(account_id) = ctx.account_id() else {
        return Ok(see_other(paths::LOGIN));
    };
    if must_change_password(&state, account_id).await? {
        return Ok(see_other(paths::CHANGE_PASSWORD));
    }
    Ok(account_view(&state, &ctx, account_id, None).await?.into_response())
}

/// Whether the member's password was set under older rules, so that every page and form of
/// her account sends her to 變更密碼 until she has set a new one.
pub(crate) async fn must_change_password(state: &AppState, account_id: i64) -> Result<bool, AppError> {
    Ok(state.store.password_outdated(account_id, state.config.password_policy_version).await?)
}

#[derive(Deserialize)]
pub struct EndSessionsForm {
    #[serde(default)]
    csrf: String,
}

/// Ends every session of the account but this one.
pub async fn end_sessions(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(form): Form<EndSessionsForm>,
) -> Result<Response, AppError> {
    let (Some(account_id), Some(session)) = (ctx.account_id(), ctx.session.as_ref()) else {
        return Ok(see_other(paths::LOGIN));
    };
    ctx.check_csrf(&form.csrf)?;
    if must_change_password(&state, account_id).await? {
        return Ok(see_other(paths::CHANGE_PASSWORD));
    }
    let ended = state.store.end_other_sessions(account_id, &session.token_hash).await?;
    audit(&state, &ctx, "end_other_sessions", "succeeded", Some(account_id), None).await?;
    Ok(account_view(&state, &ctx, account_id, Some(ended)).await?.into_response())
}
