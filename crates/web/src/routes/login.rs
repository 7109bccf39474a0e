//! 護助社群登入: password sign-in with a captcha, and sign-out.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use huzhu_core::id::{IdError, IdNumber};
use huzhu_core::password_policy::normalize;
use huzhu_store::accounts::LoginRecord;
use huzhu_store::audit::AuditRecord;
use serde::Deserialize;

use crate::error::AppError;
use crate::page::Chrome;
use crate::password;
use crate::routes::paths;
use crate::session::{self, Ctx, see_other};
use crate::state::AppState;
use crate::throttle;

#[derive(Template, WebTemplate)]
#[template(path = "login.html")]
pub struct LoginView {
    page: Chrome,
    id_number: String,
    /// The message for the whole form: a failed sign-in, an expired page.
    notice: Option<String>,
    id_error: Option<&'static str>,
    password_error: Option<&'static str>,
    captcha_error: Option<&'static str>,
    /// Shown when a sign-in failed, so the summary can point at what to fix.
    has_errors: bool,
    /// The HCA憑證登入 tab instead of the password form.
    card_tab: bool,
    /// Where card.js looks for the local component, space-separated.
    agent_origins: String,
    card_challenge_url: &'static str,
    card_submit_url: &'static str,
}

impl LoginView {
    fn new(ctx: &Ctx) -> LoginView {
        LoginView {
            card_tab: false,
            agent_origins: String::new(),
            card_challenge_url: paths::CARD_CHALLENGE,
            card_submit_url: paths::CARD_SIGN_IN,
            page: Chrome::new(ctx),
            id_number: String::new(),
            notice: None,
            id_error: None,
            password_error: None,
            captcha_error: None,
            has_errors: false,
        }
    }
}

/// Renders the page with a session cookie when one had to be made.
fn with_cookie(view: LoginView, cookie: Option<HeaderValue>) -> Response {
    let mut response = view.into_response();
    if let Some(cookie) = cookie {
        response.headers_mut().append(SET_COOKIE, cookie);
    }
    response
}

#[derive(Deserialize)]
pub struct LoginQuery {
    tab: Option<String>,
}

pub async fn login_form(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Query(query): Query<LoginQuery>,
) -> Result<Response, AppError> {
    if ctx.account_id().is_some() {
        return Ok(see_other(paths::MEMBER));
    }
    let cookie = session::ensure_session(&state, &mut ctx).await?;
    let mut view = LoginView::new(&ctx);
    view.card_tab = query.tab.as_deref() == Some("card");
    view.agent_origins = state.config.card_agent_origins.join(" ");
    Ok(with_cookie(view, cookie))
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    id_number: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    captcha: String,
}

pub async fn login(
    State(state): State<AppState>,
    mut ctx: Ctx,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Result<Response, AppError> {
    let Some(session) = ctx.session.clone() else {
        // The session ended while the page was open: start again, keeping what was typed.
        let cookie = session::ensure_session(&state, &mut ctx).await?;
        let mut view = LoginView::new(&ctx);
        view.id_number = form.id_number;
        view.notice = Some(ctx.lang.messages().get("login.expired").to_owned());
        return Ok(with_cookie(view, cookie));
    };
    ctx.check_csrf(&form.csrf)?;
    // Before the captcha is used up: a sign-in refused for want of a core can be sent again.
    let ticket = password::ticket().map_err(anyhow::Error::from)?;

    let mut view = LoginView::new(&ctx);
    view.id_number = form.id_number.chars().take(40).collect();
    let id_number = check_fields(&mut view, &form);
    let captcha_ok =
        !form.captcha.trim().is_empty() && check_captcha(&state, &session.token_hash, &form.captcha).await?;
    if view.captcha_error.is_none() && !captcha_ok {
        view.captcha_error = Some("login.captcha_wrong");
    }
    let Some(id_number) = id_number.filter(|_| view.captcha_error.is_none() && view.password_error.is_none())
    else {
        view.has_errors = true;
        return Ok(view.into_response());
    };

    let record = state.store.find_login(id_number.as_str()).await?;
    let known_account = record.as_ref().map(|r| r.account_id);
    // A browser that signed in to this very account before is exempt from the ID's and the
    // address's waits and pauses, which strangers can cause (see crate::throttle).
    // Counted on its nonce before the password is checked, so a burst with a stolen cookie gets
    // no more than its allowance looked at.
    let device = throttle::trusted_device(&state, &headers, known_account).await?;
    let device = throttle::device_attempt(&state, device).await?;

    // Too soon after a failure on this ID or from this address, or while another attempt on
    // them is being checked: answered at once, without looking at the password (see
    // crate::throttle).
    let turn = match device {
        Some(_) => None,
        None => match throttle::take_turn(&state, &ctx, &id_number).await? {
            Ok(turn) => Some(turn),
            Err(wait) => {
                audit(&state, &ctx, "sign_in", "delayed", None, Some(&id_number)).await?;
                let seconds = wait.to_string();
                view.notice = Some(ctx.lang.messages().format("login.wait", &[("seconds", &seconds)]));
                view.has_errors = true;
                return Ok(view.into_response());
            }
        },
    };

    let locked = device.is_none() && throttle::is_locked(&state, &ctx, known_account).await?;
    // Verified even while locked, so a pause costs the same time as a wrong password.
    let checked = verify_credentials(&state, ticket, record, form.password).await?;
    let Checked::Right(account_id) = checked.filter_locked(locked) else {
        let outcome = checked.outcome(locked);
        match (&device, known_account) {
            (Some(device), Some(account_id)) => {
                throttle::device_failure(&state, &ctx, device, account_id, &id_number).await?;
            }
            _ => {
                throttle::delay_id(&state, &id_number).await?;
                if !locked {
                    // Her right password before she opened her link is no guess: it counts
                    // towards the address (as any refusal) but not towards her pause, so a
                    // new nurse who tries to sign in early does not pause herself. The answer
                    // and the wait stay those of a wrong password, which reveal nothing.
                    let counted = known_account.filter(|_| checked != Checked::Unverified);
                    throttle::record_failure(&state, &ctx, counted, &id_number).await?;
                }
            }
        }
        if let Some(turn) = turn {
            turn.give_back(&state).await?;
        }
        audit(&state, &ctx, "sign_in", outcome, known_account, Some(&id_number)).await?;
        view.notice = Some(ctx.lang.messages().get("login.failed").to_owned());
        view.has_errors = true;
        return Ok(view.into_response());
    };
    if device.is_some() {
        // Her browser's cookie may end a pause a stranger started: said in the audit log.
        throttle::end_pause(&state, &ctx, account_id, id_number.as_str(), "device_cookie").await?;
    } else {
        throttle::clear(&state, account_id, id_number.as_str()).await?;
    }
    if let Some(turn) = turn {
        turn.give_back(&state).await?;
    }
    let device_cookie = throttle::issue_device_cookie(&state, account_id, &headers).await?;

    let (token, token_hash) = session::new_token();
    let mut signed_in = session::new_session_row(&state, token_hash, Some(account_id));
    // Remembered so that linking a card can ask for a recent password sign-in.
    signed_in.password_at = Some(state.now());
    state
        .store
        .rotate_session(&session.token_hash, &signed_in, session::short_user_agent(&ctx).as_deref())
        .await?;
    audit(&state, &ctx, "sign_in", "succeeded", Some(account_id), Some(&id_number)).await?;
    state.store.set_account_lang(account_id, ctx.lang.tag()).await?;

    let mut response = see_other(paths::MEMBER);
    response.headers_mut().append(SET_COOKIE, session::session_cookie(&state, &token));
    response.headers_mut().append(SET_COOKIE, device_cookie);
    Ok(response)
}

/// Checks that each field is filled in and the ID is well formed, noting each problem next to
/// its field. Returns the parsed ID when it is usable.
fn check_fields(view: &mut LoginView, form: &LoginForm) -> Option<IdNumber> {
    if form.password.is_empty() {
        view.password_error = Some("login.password_missing");
    }
    if form.captcha.trim().is_empty() {
        view.captcha_error = Some("login.captcha_missing");
    }
    match IdNumber::parse(&form.id_number) {
        Ok(id) => Some(id),
        Err(IdError::Empty) => {
            view.id_error = Some("login.id_missing");
            None
        }
        Err(_) => {
            view.id_error = Some("login.id_invalid");
            None
        }
    }
}

/// What the typed password says about the account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Checked {
    /// The right password of a verified account.
    Right(i64),
    /// The right password of an account whose address is not verified yet.
    Unverified,
    /// An ID with no account: told apart only in the audit log, never on the page.
    UnknownId,
    /// A wrong password for an account.
    WrongPassword,
}

impl Checked {
    /// A right password during a pause is refused like a wrong one.
    fn filter_locked(self, locked: bool) -> Checked {
        match self {
            Checked::Right(_) if locked => Checked::WrongPassword,
            other => other,
        }
    }

    /// The audit outcome of a refusal, which says why; the page's answer is the same for all.
    fn outcome(self, locked: bool) -> &'static str {
        match self {
            _ if locked => "locked",
            Checked::Unverified => "unverified",
            Checked::UnknownId => "unknown_id",
            // A right password is refused only during a pause, answered by the first arm.
            Checked::WrongPassword | Checked::Right(_) => "wrong_password",
        }
    }
}

/// The account for these credentials. An unknown ID, an unverified account and a wrong
/// password all take one Argon2 verification and get the same answer from the caller.
async fn verify_credentials(
    state: &AppState,
    ticket: password::Ticket,
    record: Option<LoginRecord>,
    password: String,
) -> Result<Checked, AppError> {
    let stored =
        record.as_ref().map(|r| r.password_hash.clone()).unwrap_or_else(|| state.dummy_hash.to_string());
    // New passwords are stored NFC-normalized; ASCII passwords are unchanged by it.
    let matches = state.verify_password_with(ticket, normalize(&password), stored.clone()).await?;
    let Some(record) = record else {
        return Ok(Checked::UnknownId);
    };
    if !matches {
        return Ok(Checked::WrongPassword);
    }
    if record.verified_at.is_none() {
        return Ok(Checked::Unverified);
    }
    let account_id = record.account_id;
    // A hash made before the pepper was set is made again with it, now that the password is
    // at hand; only after a success, so failures still cost exactly one verification.
    if password::needs_rehash(&stored, state.pepper.as_ref()) {
        let peppered = state.hash_password(normalize(&password)).await?;
        state.store.update_password_hash(account_id, &peppered).await?;
    }
    Ok(Checked::Right(account_id))
}

pub(crate) async fn audit(
    state: &AppState,
    ctx: &Ctx,
    event: &str,
    outcome: &str,
    account_id: Option<i64>,
    id_number: Option<&IdNumber>,
) -> Result<(), AppError> {
    let masked = id_number.map(IdNumber::masked);
    let client_addr = ctx.client_addr.map(|a| a.to_string());
    state
        .store
        .record_audit(&AuditRecord {
            at: state.now(),
            event,
            outcome,
            account_id,
            subject: masked.as_deref(),
            client_addr: client_addr.as_deref(),
            user_agent: ctx.user_agent.as_deref(),
            request_id: Some(&ctx.request_id),
            operator: None,
        })
        .await?;
    tracing::info!(
        request_id = ctx.request_id,
        event,
        outcome,
        account_id,
        subject = masked.as_deref().unwrap_or(""),
        "security event"
    );
    Ok(())
}

fn captcha_answer_hash(session_hash: &str, answer: &str) -> String {
    session::hash_token(&format!("{session_hash}:{}", answer.trim().to_ascii_uppercase()))
}

/// Uses up the session's captcha: it must have been drawn, and is good for one answer.
pub(crate) async fn check_captcha(
    state: &AppState,
    session_hash: &str,
    answer: &str,
) -> Result<bool, AppError> {
    let hash = captcha_answer_hash(session_hash, answer);
    Ok(state.store.take_captcha(session_hash, &hash, state.now()).await?)
}

/// Draws a new captcha for the session and remembers the hash of its answer. Each request
/// replaces the previous one, which is how the refresh control works. Limited per session and,
/// for browsers without a trusted device cookie, per client address (crate::throttle).
pub async fn captcha(
    State(state): State<AppState>,
    mut ctx: Ctx,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let devices = throttle::devices(&state, &headers).await?;
    // The address's ceiling is asked first, so a flood from it makes no sessions.
    if throttle::address_used_up(&state, &ctx, &devices, "captcha").await? {
        return too_many_captchas(&state, &ctx, None).await;
    }
    let cookie = session::ensure_session(&state, &mut ctx).await?;
    if throttle::allowance_used_up(&state, &ctx, &devices, "captcha").await? {
        return too_many_captchas(&state, &ctx, cookie).await;
    }
    throttle::count_allowance(&state, &ctx, &devices, "captcha", throttle::Allowance::captcha(&state))
        .await?;
    let token_hash = ctx.session.as_ref().map(|s| s.token_hash.clone()).unwrap_or_default();

    let answer = state.captcha_text.next_text();
    let text = answer.clone();
    let jpeg =
        tokio::task::spawn_blocking(move || draw_captcha(text)).await.map_err(anyhow::Error::from)??;
    let hash = captcha_answer_hash(&token_hash, &answer);
    state.store.set_captcha(&token_hash, &hash, state.now() + state.config.captcha_ttl_seconds).await?;

    let mut response = ([(CONTENT_TYPE, "image/jpeg"), (CACHE_CONTROL, "no-store")], jpeg).into_response();
    if let Some(cookie) = cookie {
        response.headers_mut().append(SET_COOKIE, cookie);
    }
    Ok(response)
}

/// The captcha endpoint's refusal once an allowance is used up: 429, audited as `captcha` with
/// the outcome `rate_limited` once per client address and hour, so a flood cannot grow the log.
async fn too_many_captchas(
    state: &AppState,
    ctx: &Ctx,
    cookie: Option<HeaderValue>,
) -> Result<Response, AppError> {
    if throttle::first_refusal(state, ctx, "captcha").await? {
        audit(state, ctx, "captcha", "rate_limited", None, None).await?;
    }
    let mut response = axum::http::StatusCode::TOO_MANY_REQUESTS.into_response();
    if let Some(cookie) = cookie {
        response.headers_mut().append(SET_COOKIE, cookie);
    }
    Ok(response)
}

fn draw_captcha(text: String) -> anyhow::Result<Vec<u8>> {
    let captcha = captcha_rs::CaptchaBuilder::new()
        .text(text)
        .width(150)
        .height(48)
        .complexity(2)
        .compression(60)
        .build();
    let data_url = captcha.to_base64();
    let encoded = data_url.split_once(',').map(|(_, b)| b).unwrap_or("");
    let jpeg = STANDARD.decode(encoded).map_err(|e| anyhow::anyhow!("decoding the captcha image: {e}"))?;
    anyhow::ensure!(!jpeg.is_empty(), "the captcha image is empty");
    Ok(jpeg)
}

#[derive(Deserialize)]
pub struct LogoutForm {
    #[serde(default)]
    csrf: String,
}

/// Ends the session on the server and clears the cookie.
pub async fn logout(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(form): Form<LogoutForm>,
) -> Result<Response, AppError> {
    let Some(session) = &ctx.session else {
        return Ok(see_other(paths::LANDING));
    };
    ctx.check_csrf(&form.csrf)?;
    state.store.delete_session(&session.token_hash).await?;
    if let Some(account_id) = session.account_id {
        audit(&state, &ctx, "sign_out", "succeeded", Some(account_id), None).await?;
    }
    let mut response = see_other(paths::LANDING);
    response.headers_mut().append(SET_COOKIE, session::clear_session_cookie(&state));
    Ok(response)
}
