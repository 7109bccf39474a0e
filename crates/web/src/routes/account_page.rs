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
use huzhu_store::accounts::AccountContact;
use huzhu_store::sessions::LiveSession;
use serde::Deserialize;

use crate::error::AppError;
use crate::mail::{self, Letter};
use crate::page::Chrome;
use crate::routes::accounts::{Field, FormView, NewPassword, check_new_password, notice};
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

    let current_ok = match check_current_password(
        &state,
        &ctx,
        &headers,
        account_id,
        &contact,
        &form.current_password,
        "password_change",
    )
    .await?
    {
        CurrentPassword::Right => true,
        CurrentPassword::Wrong => {
            view.error("current_password", "account.current_wrong");
            false
        }
        CurrentPassword::Paused(pause) => {
            view.error("current_password", "account.current_wait");
            view.notice = wait_notice(&ctx, &pause);
            return Ok(view.into_response());
        }
        CurrentPassword::SessionEnded(response) => return Ok(response),
    };
    let birth_date = chrono::NaiveDate::parse_from_str(&contact.birth_date, "%Y-%m-%d").ok();
    let personal = PersonalData { id_number: &contact.id_number, birth_date, email: &contact.email };
    let new = check_new_password(&state, &mut view, &form.password, &form.password_again, &personal);
    // A change, forced by stricter rules or not, must change something: the current password
    // typed again as the new one is refused (compared as stored, NFC-normalized).
    let same = normalize(&form.password) == normalize(&form.current_password);
    if current_ok && new == NewPassword::Accepted && same {
        view.error("password", "account.password_same");
    }
    if let Some(outcome) = refusal_outcome(current_ok, new, same) {
        audit(&state, &ctx, "password_change", outcome, Some(account_id), None).await?;
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

/// The audit outcome of a refused change, or `None` when the change goes ahead. A wrong current
/// password is `refused` whatever the new one is; with the right one, a new password the policy
/// refuses is `weak_new_password` and a missing, unconfirmed or unchanged one is
/// `new_password_refused`, so the log tells a guess at her password from a member choosing a
/// new one. Neither counts towards a wait or a pause: only a wrong current password is counted
/// (in [`check_current_password`]).
fn refusal_outcome(current_ok: bool, new: NewPassword, same: bool) -> Option<&'static str> {
    match (current_ok, new) {
        (false, _) => Some("refused"),
        (true, NewPassword::Weak) => Some("weak_new_password"),
        (true, NewPassword::Missing | NewPassword::Mismatch) => Some("new_password_refused"),
        (true, NewPassword::Accepted) if same => Some("new_password_refused"),
        (true, NewPassword::Accepted) => None,
    }
}

/// What the current password typed on one of her account's forms came to.
enum CurrentPassword {
    Right,
    Wrong,
    /// Not looked at: a wait or a pause is running on her ID, her account or the address.
    Paused(Pause),
    /// The wrong guess paused the account, so the session it came from has ended: the answer.
    SessionEnded(Response),
}

/// Checks the current password typed on a form of her account (變更密碼, ending sessions) as a
/// sign-in on her ID is checked: the same growing wait and pause, and an attempt during either
/// is refused without looking at the password. As for a sign-in, her browser's device cookie
/// exempts her from both and counts its own failures. A guess that pauses the account also
/// ends the session it came from, so a stolen session cannot go on guessing. Refusals for a
/// wait or pause, and the ended session, are audited under `event`; a plain wrong password is
/// left to the caller, which may find more to refuse.
async fn check_current_password(
    state: &AppState,
    ctx: &Ctx,
    headers: &HeaderMap,
    account_id: i64,
    contact: &AccountContact,
    typed: &str,
    event: &str,
) -> Result<CurrentPassword, AppError> {
    let id_number = IdNumber::parse(&contact.id_number)
        .map_err(|_| anyhow::anyhow!("the account's stored ID number does not parse"))?;
    let device = throttle::trusted_device(state, headers, Some(account_id)).await?;
    let device = throttle::device_attempt(state, device).await?;
    let turn = match device {
        Some(_) => None,
        None => match throttle::take_pause_turn(state, ctx, account_id, &id_number).await? {
            Ok(turn) => Some(turn),
            Err(pause) => {
                audit(state, ctx, event, pause.outcome(), Some(account_id), None).await?;
                return Ok(CurrentPassword::Paused(pause));
            }
        },
    };
    let right = state.verify_password(normalize(typed), contact.password_hash.clone()).await?;
    let answer = if right {
        if let Some(device) = &device {
            throttle::forgive_device(state, device).await?;
        }
        CurrentPassword::Right
    } else if let Some(device) = &device {
        // A session guessing with her browser's cookie ends when the cookie's guesses are
        // used up, as one without it ends at the pause: a stolen session with its browser's
        // cookie gets `device_cookie_failures` guesses, not those and the pause's too.
        if throttle::device_failure(state, ctx, device, account_id, &id_number).await? {
            CurrentPassword::SessionEnded(end_guessing_session(state, ctx, account_id, event).await?)
        } else {
            CurrentPassword::Wrong
        }
    } else {
        throttle::delay_id(state, &id_number).await?;
        if throttle::record_failure(state, ctx, Some(account_id), &id_number).await? {
            CurrentPassword::SessionEnded(end_guessing_session(state, ctx, account_id, event).await?)
        } else {
            CurrentPassword::Wrong
        }
    };
    if let Some(turn) = turn {
        turn.give_back(state).await?;
    }
    Ok(answer)
}

/// The line above a form refused for a wait: how many seconds are left, when it is a wait.
fn wait_notice(ctx: &Ctx, pause: &Pause) -> Option<String> {
    match pause {
        Pause::Wait(seconds) => {
            let seconds = seconds.to_string();
            Some(ctx.lang.messages().format("account.current_wait_seconds", &[("seconds", &seconds)]))
        }
        Pause::Locked => None,
    }
}

/// Ends the session in which the current password was guessed wrong often enough to pause the
/// account: whoever holds it must sign in again, and the sign-in is paused too.
async fn end_guessing_session(
    state: &AppState,
    ctx: &Ctx,
    account_id: i64,
    event: &str,
) -> Result<Response, AppError> {
    if let Some(session) = &ctx.session {
        state.store.delete_session(&session.token_hash).await?;
    }
    audit(state, ctx, event, "session_ended", Some(account_id), None).await?;
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

/// One of her live sessions on the account page.
pub struct SessionLine {
    /// The SHA-256 of the session's token hash ([`session::session_handle`]), which the form
    /// to end it posts back.
    handle: String,
    /// The `id` of the password field in the form that ends it.
    field_id: String,
    began: String,
    last_used: String,
    method_key: &'static str,
    /// The browser it signed in with, cut short; `None` for sessions made before it was kept.
    browser: Option<String>,
    /// The session of this very request: listed, but not offered for ending.
    current: bool,
    error: Option<&'static str>,
}

/// How much of a User-Agent the page shows when it names no browser that can be told.
const BROWSER_SHOWN: usize = 80;

/// A browser as a member knows it, "Chrome 131 · Windows 10" or "Safari 17 · iPhone": the
/// name, major version and system that woothee (a shared, tested User-Agent rule set) reads in
/// the header. A header it cannot read is shown as it is, cut to [`BROWSER_SHOWN`] characters.
pub(crate) fn browser_in_short(agent: &str) -> String {
    let unknown = |value: &str| value.is_empty() || value == woothee::woothee::VALUE_UNKNOWN;
    let Some(found) = woothee::parser::Parser::new().parse(agent).filter(|found| !unknown(found.name)) else {
        return agent.chars().take(BROWSER_SHOWN).collect();
    };
    let mut short = found.name.to_owned();
    if let Some(major) = found.version.split('.').next().filter(|major| !unknown(major)) {
        short.push(' ');
        short.push_str(major);
    }
    if !unknown(found.os) {
        short.push_str(" · ");
        short.push_str(found.os);
    }
    short
}

/// Most sessions the list shows (newest first). Sign-ins need a captcha and a session ends
/// within `session_absolute_hours`, so a real member has a handful; "end all other sessions"
/// reaches every one, listed or not.
const SESSIONS_SHOWN: i64 = 50;

/// What the error summary says, and which field it leads to (none when the session named in a
/// refused form is not in the list).
pub struct FormError {
    field_id: Option<String>,
    key: &'static str,
    notice: Option<String>,
}

const END_ALL_FIELD: &str = "end-all-password";

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
    /// Her live sessions, this one included, newest first.
    sessions: Vec<SessionLine>,
    /// The error of the "end all other sessions" form, next to its password field.
    end_all_error: Option<&'static str>,
    /// The error summary above the page when a form was refused.
    error: Option<FormError>,
    /// A calm line after a form that worked or found nothing to do.
    status_key: Option<&'static str>,
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
            browser: entry.user_agent.as_deref().map(browser_in_short).unwrap_or_default(),
        })
        .collect();
    let card = state.store.card_of_account(account_id).await?.map(|card| LinkedCard {
        holder_name: card.holder_name,
        serial_hex: card.serial_hex,
        valid_until: taiwan_time(card.not_after),
        linked_at: taiwan_time(card.bound_at),
    });
    let sessions = session_lines(state, ctx, account_id).await?;
    let signed_in_at = ctx.session.as_ref().map_or(0, |s| s.created_at);
    let can_link = card.is_none() && signed_in_at + state.config.card_link_minutes * 60 >= state.now();
    Ok(AccountView {
        page: Chrome::new(ctx),
        sign_ins,
        sessions,
        end_all_error: None,
        error: None,
        status_key: None,
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

/// Her live sessions as the page lists them.
async fn session_lines(state: &AppState, ctx: &Ctx, account_id: i64) -> Result<Vec<SessionLine>, AppError> {
    let current = ctx.session.as_ref().map(|s| s.token_hash.as_str());
    let lines = live_sessions(state, account_id)
        .await?
        .into_iter()
        .enumerate()
        .map(|(index, live)| SessionLine {
            handle: session::session_handle(&live.token_hash),
            field_id: format!("end-password-{}", index + 1),
            began: taiwan_time(live.created_at),
            last_used: taiwan_time(live.last_seen_at),
            // Only a password sign-in sets `password_at`; the other way in is the card.
            method_key: if live.password_at.is_some() { "account.by_password" } else { "account.by_card" },
            browser: live.user_agent.as_deref().map(browser_in_short),
            current: Some(live.token_hash.as_str()) == current,
            error: None,
        })
        .collect();
    Ok(lines)
}

/// Her sessions that are still live by the configured timeouts, as the session lookup of each
/// request judges them.
async fn live_sessions(state: &AppState, account_id: i64) -> Result<Vec<LiveSession>, AppError> {
    let now = state.now();
    let idle_before = now - state.config.session_idle_minutes * 60;
    Ok(state.store.live_sessions(account_id, now, idle_before, SESSIONS_SHOWN).await?)
}

#[derive(Deserialize)]
pub struct EndSessionsForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    current_password: String,
    /// The session to end, by its handle; unused by "end all other sessions".
    #[serde(default)]
    session: String,
}

/// Which of the page's session forms was sent.
enum EndForm<'a> {
    All,
    One(&'a str),
}

/// Checks a session form: its CSRF token, that no new password is owed first, and the current
/// password typed on it. `None`: all is well, go on. Otherwise the answer: 變更密碼 when the
/// rules were raised, the account page with the error next to the form's field (a wrong
/// password is audited as `event`/`refused`), or the sign-in page when the guess ended this
/// session.
async fn password_gate(
    state: &AppState,
    ctx: &Ctx,
    headers: &HeaderMap,
    account_id: i64,
    form: &EndSessionsForm,
    event: &str,
    target: EndForm<'_>,
) -> Result<Option<Response>, AppError> {
    ctx.check_csrf(&form.csrf)?;
    if must_change_password(state, account_id).await? {
        return Ok(Some(see_other(paths::CHANGE_PASSWORD)));
    }
    let typed = &form.current_password;
    let contact = state.store.contact_by_account(account_id).await?.ok_or(AppError::NotFound)?;
    let (key, notice) =
        match check_current_password(state, ctx, headers, account_id, &contact, typed, event).await? {
            CurrentPassword::Right => return Ok(None),
            CurrentPassword::SessionEnded(response) => return Ok(Some(response)),
            CurrentPassword::Wrong => {
                audit(state, ctx, event, "refused", Some(account_id), None).await?;
                ("account.current_wrong", None)
            }
            CurrentPassword::Paused(pause) => ("account.current_wait", wait_notice(ctx, &pause)),
        };
    let mut view = account_view(state, ctx, account_id, None).await?;
    let field_id = match target {
        EndForm::All => {
            view.end_all_error = Some(key);
            Some(END_ALL_FIELD.to_owned())
        }
        EndForm::One(handle) => {
            view.sessions.iter_mut().find(|line| line.handle == handle && !line.current).map(|line| {
                line.error = Some(key);
                line.field_id.clone()
            })
        }
    };
    view.error = Some(FormError { field_id, key, notice });
    Ok(Some(view.into_response()))
}

/// Ends every session of the account but this one, once she has typed her current password.
pub async fn end_sessions(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Form(form): Form<EndSessionsForm>,
) -> Result<Response, AppError> {
    let (Some(account_id), Some(session)) = (ctx.account_id(), ctx.session.as_ref()) else {
        return Ok(see_other(paths::LOGIN));
    };
    let event = "end_other_sessions";
    if let Some(answer) =
        password_gate(&state, &ctx, &headers, account_id, &form, event, EndForm::All).await?
    {
        return Ok(answer);
    }
    let ended = state.store.end_other_sessions(account_id, &session.token_hash).await?;
    audit(&state, &ctx, event, "succeeded", Some(account_id), None).await?;
    Ok(account_view(&state, &ctx, account_id, Some(ended)).await?.into_response())
}

/// Ends one other session of hers, named by its handle, once she has typed her current
/// password. A handle that names no other live session of hers (made up, another member's,
/// this session's, or one that has just ended) ends nothing and gets the same calm answer.
pub async fn end_session(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Form(form): Form<EndSessionsForm>,
) -> Result<Response, AppError> {
    let (Some(account_id), Some(session)) = (ctx.account_id(), ctx.session.as_ref()) else {
        return Ok(see_other(paths::LOGIN));
    };
    let target = EndForm::One(&form.session);
    if let Some(answer) =
        password_gate(&state, &ctx, &headers, account_id, &form, "end_session", target).await?
    {
        return Ok(answer);
    }
    let found = live_sessions(&state, account_id).await?.into_iter().find(|live| {
        live.token_hash != session.token_hash && session::session_handle(&live.token_hash) == form.session
    });
    let ended = match found {
        Some(live) => state.store.end_session_of_account(account_id, &live.token_hash).await?,
        None => false,
    };
    let status_key = if ended {
        audit(&state, &ctx, "sign_out", "ended_by_member", Some(account_id), None).await?;
        "account.session_ended"
    } else {
        audit(&state, &ctx, "end_session", "not_found", Some(account_id), None).await?;
        "account.nothing_to_end"
    };
    let mut view = account_view(&state, &ctx, account_id, None).await?;
    view.status_key = Some(status_key);
    Ok(view.into_response())
}

#[cfg(test)]
mod tests {
    use super::browser_in_short;

    #[test]
    fn a_browser_is_named_in_short_and_an_unreadable_header_is_cut() {
        // "Chrome/131.0.0.0" gives Chrome, major version 131; "Windows NT 10.0" is Windows 10.
        let windows = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) \
                       Chrome/131.0.0.0 Safari/537.36";
        assert_eq!(browser_in_short(windows), "Chrome 131 · Windows 10");
        // Safari on an iPhone takes its version from "Version/17.5", major 17.
        let phone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 \
                     (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";
        assert_eq!(browser_in_short(phone), "Safari 17 · iPhone");
        // 100 characters no rule reads: the first 80 are shown.
        let unreadable = "x".repeat(100);
        assert_eq!(browser_in_short(&unreadable), "x".repeat(80));
    }
}
