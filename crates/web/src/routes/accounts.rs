//! 註冊社群 and 忘記密碼: registration with e-mail verification, and password reset by mail.
//!
//! Every answer that could tell a visitor whether an ID has an account is the same page for
//! every ID: the mail is the only thing that differs, and it goes to the address on record (or,
//! for a new registration, to the address of a person whose registry details matched).

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use huzhu_core::id::{IdError, IdNumber};
use huzhu_core::password_policy::{PasswordPolicy, PersonalData, normalize};
use huzhu_store::accounts::{AccountContact, NewAccount, Registrant};
use huzhu_store::tokens::{LinkState, Purpose};
use serde::Deserialize;

use crate::error::AppError;
use crate::mail::{self, Letter};
use crate::page::Chrome;
use crate::routes::login::{audit, check_captcha};
use crate::routes::paths;
use crate::session::{self, Ctx};
use crate::state::AppState;
use crate::throttle;

/// One input of a form, with what was typed and its problem.
pub struct Field {
    pub(crate) name: &'static str,
    pub(crate) label_key: &'static str,
    pub(crate) hint_key: Option<&'static str>,
    pub(crate) kind: &'static str,
    pub(crate) autocomplete: &'static str,
    pub(crate) max_length: usize,
    pub(crate) value: String,
    pub(crate) error: Option<&'static str>,
    /// The minimum length the strength meter counts towards; only on the field where a new
    /// password is chosen.
    pub(crate) meter_min: Option<usize>,
}

impl Field {
    pub(crate) fn new(
        name: &'static str,
        label_key: &'static str,
        kind: &'static str,
        autocomplete: &'static str,
    ) -> Field {
        Field {
            name,
            label_key,
            hint_key: None,
            kind,
            autocomplete,
            max_length: 100,
            value: String::new(),
            error: None,
            meter_min: None,
        }
    }

    fn id_number() -> Field {
        Field {
            hint_key: Some("login.id_hint"),
            max_length: 20,
            ..Field::new("id_number", "login.id_number", "text", "username")
        }
    }

    fn email() -> Field {
        Field { max_length: 254, ..Field::new("email", "account.email", "email", "email") }
    }

    /// The field for a new password, under the configured policy: the meter counts to the
    /// length the server will ask for, and the hint names the character classes when the
    /// government baseline asks for them.
    pub(crate) fn new_password(policy: &PasswordPolicy) -> Field {
        let hint =
            if policy.min_classes > 0 { "account.password_hint_baseline" } else { "account.password_hint" };
        Field {
            hint_key: Some(hint),
            max_length: 1024,
            meter_min: Some(policy.min_length),
            ..Field::new("password", "account.new_password", "password", "new-password")
        }
    }

    pub(crate) fn confirm() -> Field {
        Field {
            max_length: 1024,
            ..Field::new("password_again", "account.password_again", "password", "new-password")
        }
    }

    fn captcha() -> Field {
        Field {
            hint_key: Some("login.captcha_hint"),
            max_length: 10,
            ..Field::new("captcha", "login.captcha", "text", "off")
        }
    }

    /// A message about this field, with `{min}` replaced by the length the password policy asks
    /// for, so the hint and the "too short" refusal name the configured minimum, not a fixed 12.
    pub(crate) fn text(&self, page: &Chrome, key: &str) -> String {
        let min = self.meter_min.map(|m| m.to_string()).unwrap_or_default();
        page.t.format(key, &[("min", &min)])
    }

    fn keep(mut self, typed: &str) -> Field {
        self.value = typed.chars().take(self.max_length).collect();
        self
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "account_form.html")]
pub struct FormView {
    pub(crate) page: Chrome,
    pub(crate) title_key: &'static str,
    pub(crate) intro_key: &'static str,
    pub(crate) action: &'static str,
    pub(crate) submit_key: &'static str,
    pub(crate) fields: Vec<Field>,
    pub(crate) token: Option<String>,
    pub(crate) notice: Option<String>,
    pub(crate) has_errors: bool,
}

impl FormView {
    pub(crate) fn error(&mut self, name: &str, key: &'static str) {
        if let Some(field) = self.fields.iter_mut().find(|f| f.name == name) {
            field.error.get_or_insert(key);
        }
        self.has_errors = true;
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "account_notice.html")]
pub struct NoticeView {
    pub(crate) page: Chrome,
    pub(crate) title_key: &'static str,
    pub(crate) body_keys: Vec<&'static str>,
    pub(crate) link: Option<(&'static str, &'static str)>,
    /// Values for `{name}` placeholders in the body, such as a configured duration.
    pub(crate) args: Vec<(&'static str, String)>,
}

impl NoticeView {
    /// A paragraph of the body, with the placeholders filled in.
    fn body(&self, key: &str) -> String {
        let args: Vec<(&str, &str)> = self.args.iter().map(|(name, value)| (*name, value.as_str())).collect();
        self.page.lang.messages().format(key, &args)
    }
}

pub(crate) fn notice(ctx: &Ctx, title_key: &'static str, body_keys: Vec<&'static str>) -> NoticeView {
    NoticeView { page: Chrome::new(ctx), title_key, body_keys, link: None, args: Vec::new() }
}

pub(crate) fn with_cookie(response: impl IntoResponse, cookie: Option<HeaderValue>) -> Response {
    let mut response = response.into_response();
    if let Some(cookie) = cookie {
        response.headers_mut().append(SET_COOKIE, cookie);
    }
    response
}

/// The answer once a client address has sent too many requests of one kind in an hour,
/// audited as `event` with the outcome `rate_limited` (no ID: the form was not read), once per
/// address and hour.
async fn too_many(state: &AppState, ctx: &Ctx, event: &str) -> Result<Response, AppError> {
    if throttle::first_refusal(state, ctx, event).await? {
        audit(state, ctx, event, "rate_limited", None, None).await?;
    }
    let page = notice(ctx, "account.too_many_title", vec!["account.too_many"]);
    Ok((StatusCode::TOO_MANY_REQUESTS, page).into_response())
}

/// A link to a page of the portal, built from the configured address, never from the request.
fn link(state: &AppState, path: &str, token: &str) -> String {
    format!("{}{path}?token={token}", state.config.public_url())
}

fn check_id(view: &mut FormView, typed: &str) -> Option<IdNumber> {
    match IdNumber::parse(typed) {
        Ok(id) => Some(id),
        Err(IdError::Empty) => {
            view.error("id_number", "login.id_missing");
            None
        }
        Err(_) => {
            view.error("id_number", "login.id_invalid");
            None
        }
    }
}

fn check_email(view: &mut FormView, typed: &str) -> Option<String> {
    let email = typed.trim();
    if email.is_empty() {
        view.error("email", "account.email_missing");
        None
    } else if !mail::valid_address(email) {
        view.error("email", "account.email_invalid");
        None
    } else {
        Some(email.to_owned())
    }
}

/// What a new password and its confirmation came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NewPassword {
    Accepted,
    Missing,
    /// Refused by the password policy (too short, guessable, her own data…).
    Weak,
    /// The confirmation differs.
    Mismatch,
}

/// Checks a new password and its confirmation against the policy and the member's own data;
/// a problem is noted next to its field.
pub(crate) fn check_new_password(
    state: &AppState,
    view: &mut FormView,
    password: &str,
    again: &str,
    personal: &PersonalData<'_>,
) -> NewPassword {
    if password.is_empty() {
        view.error("password", "login.password_missing");
        return NewPassword::Missing;
    }
    if let Some(problem) = state.config.password_policy().check(password, personal) {
        view.error("password", problem.message_key());
        return NewPassword::Weak;
    }
    if normalize(password) != normalize(again) {
        view.error("password_again", "account.password_mismatch");
        return NewPassword::Mismatch;
    }
    NewPassword::Accepted
}

/// Checks the captcha field; a wrong or missing one is noted next to it.
async fn captcha_ok(state: &AppState, ctx: &Ctx, view: &mut FormView, typed: &str) -> Result<bool, AppError> {
    if typed.trim().is_empty() {
        view.error("captcha", "login.captcha_missing");
        return Ok(false);
    }
    let session_hash = ctx.session.as_ref().map(|s| s.token_hash.as_str()).unwrap_or("");
    if !check_captcha(state, session_hash, typed).await? {
        view.error("captcha", "login.captcha_wrong");
        return Ok(false);
    }
    Ok(true)
}

// ---- 註冊社群 ----

fn register_view(ctx: &Ctx, policy: &PasswordPolicy) -> FormView {
    FormView {
        page: Chrome::new(ctx),
        title_key: "account.register_title",
        intro_key: "account.register_intro",
        action: paths::REGISTER,
        submit_key: "account.register_submit",
        fields: vec![
            Field::id_number(),
            Field::new("name", "account.name", "text", "name"),
            Field {
                hint_key: Some("account.birth_date_hint"),
                max_length: 10,
                ..Field::new("birth_date", "account.birth_date", "text", "bday")
            },
            Field::email(),
            Field::new_password(policy),
            Field::confirm(),
            Field::captcha(),
        ],
        token: None,
        notice: None,
        has_errors: false,
    }
}

pub async fn register_form(State(state): State<AppState>, mut ctx: Ctx) -> Result<Response, AppError> {
    let cookie = session::ensure_session(&state, &mut ctx).await?;
    Ok(with_cookie(register_view(&ctx, &state.config.password_policy()), cookie))
}

#[derive(Deserialize)]
pub struct RegisterForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    id_number: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    birth_date: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_again: String,
    #[serde(default)]
    captcha: String,
}

/// A birth date as typed: 1990-04-05, 1990/04/05, or the ROC 79/04/05 and 790405.
fn parse_birth_date(typed: &str) -> Option<NaiveDate> {
    let typed = typed.trim();
    // chrono's %Y takes any number of digits, so 77/11/23 would be the year 77: a Gregorian
    // date must start with four digits, and anything else is read as ROC.
    let gregorian = typed.len() >= 5 && typed[..4].bytes().all(|b| b.is_ascii_digit());
    if gregorian {
        return ["%Y-%m-%d", "%Y/%m/%d"]
            .iter()
            .find_map(|format| NaiveDate::parse_from_str(typed, format).ok());
    }
    huzhu_core::roc::parse(typed).ok()
}

struct Registration {
    id_number: IdNumber,
    name: String,
    birth_date: NaiveDate,
    email: String,
}

fn check_registration(state: &AppState, view: &mut FormView, form: &RegisterForm) -> Option<Registration> {
    let id_number = check_id(view, &form.id_number);
    let name = form.name.trim().to_owned();
    if name.is_empty() {
        view.error("name", "account.name_missing");
    }
    let birth_date = parse_birth_date(&form.birth_date);
    if birth_date.is_none() {
        view.error("birth_date", "account.birth_date_invalid");
    }
    let email = check_email(view, &form.email);
    let personal = PersonalData {
        id_number: id_number.as_ref().map(IdNumber::as_str).unwrap_or(""),
        birth_date,
        email: email.as_deref().unwrap_or(""),
    };
    check_new_password(state, view, &form.password, &form.password_again, &personal);
    match (id_number, birth_date, email) {
        (Some(id_number), Some(birth_date), Some(email)) if !view.has_errors => {
            Some(Registration { id_number, name, birth_date, email })
        }
        _ => None,
    }
}

pub async fn register(
    State(state): State<AppState>,
    mut ctx: Ctx,
    headers: HeaderMap,
    Form(form): Form<RegisterForm>,
) -> Result<Response, AppError> {
    if ctx.session.is_none() {
        let cookie = session::ensure_session(&state, &mut ctx).await?;
        let mut view = keep_registration(register_view(&ctx, &state.config.password_policy()), &form);
        view.notice = Some(ctx.lang.messages().get("login.expired").to_owned());
        return Ok(with_cookie(view, cookie));
    }
    ctx.check_csrf(&form.csrf)?;
    let devices = throttle::devices(&state, &headers).await?;
    if throttle::allowance_used_up(&state, &ctx, &devices, "register").await? {
        return too_many(&state, &ctx, "register").await;
    }

    let mut view = keep_registration(register_view(&ctx, &state.config.password_policy()), &form);
    let registration = check_registration(&state, &mut view, &form);
    let captcha = captcha_ok(&state, &ctx, &mut view, &form.captcha).await?;
    if captcha {
        throttle::count_allowance(&state, &ctx, &devices, "register", throttle::Allowance::form(&state))
            .await?;
    }
    let Some(registration) = registration.filter(|_| captcha) else {
        return Ok(view.into_response());
    };

    // Hashed whatever the registry says, so a match and a miss take the same time.
    let hash = state.hash_password(normalize(&form.password)).await?;
    let registrant = state.store.find_registrant(registration.id_number.as_str()).await?;
    let outcome = match registrant.filter(|r| matches_registry(r, &registration)) {
        None => "no_match",
        Some(registrant) => enrol(&state, &ctx, &registrant, &registration, &hash).await?,
    };
    audit(&state, &ctx, "register", outcome, None, Some(&registration.id_number)).await?;

    let mut page = notice(
        &ctx,
        "account.register_title",
        vec!["account.register_sent", "account.register_typo", "account.mail_help"],
    );
    page.link = Some((paths::LOGIN, "account.to_login"));
    page.args = vec![("hours", state.config.verify_link_hours.to_string())];
    Ok(page.into_response())
}

fn keep_registration(mut view: FormView, form: &RegisterForm) -> FormView {
    let typed = [&form.id_number, &form.name, &form.birth_date, &form.email];
    for (field, value) in view.fields.iter_mut().zip(typed) {
        field.value = value.chars().take(field.max_length).collect();
    }
    view
}

/// Whether the registry's person is the one described: a nurse or midwife with this name and
/// birth date. Names are compared after NFC, so the same characters typed differently match.
fn matches_registry(registrant: &Registrant, registration: &Registration) -> bool {
    registrant.eligible
        && normalize(registrant.name.trim()) == normalize(&registration.name)
        && registrant.birth_date == registration.birth_date.to_string()
}

/// Creates (or restarts) the account and mails the verification link, and says what happened
/// for the audit log. An ID that already has a verified account gets a warning at the address on
/// record instead, and nothing changes; so does a registration still waiting for its owner to
/// open her link (see [`pending`]), and one whose account had `verify_mails_per_hour` links
/// mailed this hour (`not_mailed`).
async fn enrol(
    state: &AppState,
    ctx: &Ctx,
    registrant: &Registrant,
    registration: &Registration,
    hash: &str,
) -> Result<&'static str, AppError> {
    let version = state.config.password_policy_version;
    let (account_id, outcome) = match (registrant.account_id, registrant.verified_at) {
        (Some(account_id), Some(_)) => {
            let owner = registrant.email.as_deref().unwrap_or("");
            warn_owner(state, ctx, account_id, owner, "already_registered").await?;
            return Ok("already_registered");
        }
        (Some(account_id), None) => {
            // Past the hour's verification mails nothing changes: the latest link keeps working.
            // Counted here, before anything changes, in one statement, so registrations sent at
            // once get no more (one kept for a conflict counts too: it may send a warning).
            let per_hour = state.config.verify_mails_per_hour;
            if !throttle::claim_link_mail(state, account_id, "verify", per_hour).await? {
                return Ok("not_mailed");
            }
            let outcome = pending(state, ctx, account_id, registrant, registration).await?;
            if outcome == "pending_kept" {
                return Ok(outcome);
            }
            state.store.restart_unverified_account(account_id, &registration.email, hash, version).await?;
            (account_id, outcome)
        }
        (None, _) => {
            let account = NewAccount {
                person_id: registrant.person_id,
                email: &registration.email,
                password_hash: hash,
                policy_version: version,
                created_at: state.now(),
                verified_at: None,
            };
            let account_id = state.store.create_account(&account).await?;
            throttle::claim_link_mail(state, account_id, "verify", state.config.verify_mails_per_hour)
                .await?;
            (account_id, "mailed")
        }
    };
    // Whoever registers now chooses the password and the address, and is written to in their
    // language until they sign in.
    state.store.set_account_lang(account_id, ctx.lang.tag()).await?;
    let (token, token_hash) = session::new_token();
    let now = state.now();
    let expires = now + state.config.verify_link_hours * 3600;
    state.store.replace_token(account_id, Purpose::VerifyEmail, &token_hash, now, expires).await?;
    let hours = state.config.verify_link_hours.to_string();
    let letter = Letter::from_catalog(ctx.lang, "verify", 2, Some(link(state, paths::VERIFY_EMAIL, &token)))
        .with_args(&[("hours", &hours)]);
    mail::queue(state, &registration.email, &letter).await?;
    Ok(outcome)
}

/// A registration for a person whose earlier registration is not verified yet. The same address
/// again gets a fresh link ("mailed"). Another address does not replace a pending registration
/// whose link still works ("pending_kept"): that would let anyone who knows a nurse's ID, name and
/// birth date take her account before she opens her mail; her address is warned instead. Once
/// her link has expired, the new registration takes over ("pending_replaced") and the earlier
/// address is told.
async fn pending(
    state: &AppState,
    ctx: &Ctx,
    account_id: i64,
    registrant: &Registrant,
    registration: &Registration,
) -> Result<&'static str, AppError> {
    let earlier = registrant.email.as_deref().unwrap_or("");
    if earlier.eq_ignore_ascii_case(&registration.email) {
        return Ok("mailed");
    }
    let live = state.store.has_live_token(account_id, Purpose::VerifyEmail, state.now()).await?;
    if live {
        warn_owner(state, ctx, account_id, earlier, "pending_conflict").await?;
        return Ok("pending_kept");
    }
    warn_owner(state, ctx, account_id, earlier, "pending_replaced").await?;
    Ok("pending_replaced")
}

/// Mails a warning about a registration with her details to the account's address, at most
/// once an hour per kind (throttle::may_warn).
async fn warn_owner(
    state: &AppState,
    ctx: &Ctx,
    account_id: i64,
    address: &str,
    kind: &str,
) -> Result<(), AppError> {
    if !address.is_empty() && throttle::may_warn(state, account_id, kind).await? {
        let contact = state.store.contact_by_account(account_id).await?;
        let lang = contact.as_ref().map_or(ctx.lang, |contact| mail::member_lang(contact, ctx.lang));
        mail::queue(state, address, &Letter::from_catalog(lang, kind, 2, None)).await?;
    }
    Ok(())
}

#[derive(Deserialize)]
pub struct TokenQuery {
    #[serde(default)]
    token: String,
}

/// The verification page: the password chosen at registration, asked again. The link alone only
/// proves the mailbox; whoever registered chose the password, so a stranger who registered with
/// her address cannot have her verify an account whose password the stranger knows.
fn verify_view(ctx: &Ctx, token: &str) -> FormView {
    FormView {
        page: Chrome::new(ctx),
        title_key: "account.verify_title",
        intro_key: "account.verify_intro",
        action: paths::VERIFY_EMAIL,
        submit_key: "account.verify_button",
        fields: vec![Field {
            hint_key: Some("account.verify_password_hint"),
            max_length: 1024,
            ..Field::new("password", "account.registered_password", "password", "current-password")
        }],
        token: Some(token.chars().take(100).collect()),
        notice: None,
        has_errors: false,
    }
}

fn verify_refused(ctx: &Ctx) -> Response {
    notice(ctx, "account.verify_title", vec!["account.link_invalid"]).into_response()
}

/// The verification link opens the password form and changes nothing, so mail scanners that
/// fetch links cannot verify an address by themselves.
pub async fn verify_form(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Query(query): Query<TokenQuery>,
) -> Result<Response, AppError> {
    let cookie = session::ensure_session(&state, &mut ctx).await?;
    let link =
        state.store.link_state(Purpose::VerifyEmail, &session::hash_token(&query.token), state.now()).await?;
    if link.live().is_none() {
        audit_refused_link(&state, &ctx, "verify_email", link).await?;
        return Ok(with_cookie(verify_refused(&ctx), cookie));
    }
    Ok(with_cookie(verify_view(&ctx, &query.token), cookie))
}

/// Audits a link that was refused, saying why (`refused_expired`, with the account it was for,
/// or `refused_unknown`: never issued, used or withdrawn). The link itself is never written.
async fn audit_refused_link(
    state: &AppState,
    ctx: &Ctx,
    event: &str,
    link: LinkState,
) -> Result<(), AppError> {
    let (outcome, account_id) = match link {
        LinkState::Expired(account_id) => ("refused_expired", Some(account_id)),
        // A live link whose account is gone.
        LinkState::Live(account_id) => ("refused_no_account", Some(account_id)),
        // Anyone can make up links: only the first per client address and hour is audited,
        // so a flood of made-up links cannot grow the log.
        LinkState::Unknown if !throttle::first_refusal(state, ctx, &format!("{event}:unknown")).await? => {
            return Ok(());
        }
        LinkState::Unknown => ("refused_unknown", None),
    };
    audit(state, ctx, event, outcome, account_id, None).await
}

#[derive(Deserialize)]
pub struct VerifyForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    token: String,
    #[serde(default)]
    password: String,
}

/// Verifies the address once the password chosen at registration is typed. Holding the link is
/// proof of the mailbox, so the waits and pauses of the account's ID, which a stranger can
/// start, do not apply here; wrong passwords are counted on the link instead, and the
/// [`VERIFY_LINK_GUESSES`]-th makes it void (see crate::throttle::count_link_guess).
pub async fn verify(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Form(form): Form<VerifyForm>,
) -> Result<Response, AppError> {
    if ctx.session.is_none() {
        // The page was left open until its session ended: the form again, in a new session,
        // with nothing looked at or used up.
        let cookie = session::ensure_session(&state, &mut ctx).await?;
        let mut view = verify_view(&ctx, &form.token);
        view.notice = Some(ctx.lang.messages().get("login.expired").to_owned());
        return Ok(with_cookie(view, cookie));
    }
    ctx.check_csrf(&form.csrf)?;
    let token_hash = session::hash_token(&form.token);
    let link = state.store.link_state(Purpose::VerifyEmail, &token_hash, state.now()).await?;
    let contact = match link.live() {
        Some(account_id) => state.store.contact_by_account(account_id).await?,
        None => None,
    };
    let Some(contact) = contact else {
        // Taken, so an expired link's row goes now rather than at the next clean-up.
        let taken = state.store.take_token(Purpose::VerifyEmail, &token_hash, state.now()).await?;
        audit_refused_link(&state, &ctx, "verify_email", taken).await?;
        return Ok(verify_refused(&ctx));
    };
    let mut view = verify_view(&ctx, &form.token);
    match registered_password(&state, &ctx, &mut view, &contact, &form.password, &token_hash).await? {
        Typed::Right => {}
        Typed::Wrong => return Ok(view.into_response()),
        Typed::LinkVoid => {
            state.store.take_token(Purpose::VerifyEmail, &token_hash, state.now()).await?;
            let mut page = notice(&ctx, "account.verify_title", vec!["account.verify_link_void"]);
            page.link = Some((paths::REGISTER, "account.to_register"));
            page.args = vec![("guesses", VERIFY_LINK_GUESSES.to_string())];
            return Ok(page.into_response());
        }
    }

    // Used up only now, so a mistyped password does not cost her the link. Of two requests
    // racing with the same link, only one takes it.
    let taken = state.store.take_token(Purpose::VerifyEmail, &token_hash, state.now()).await?;
    if taken.live() != Some(contact.account_id) {
        audit_refused_link(&state, &ctx, "verify_email", taken).await?;
        return Ok(verify_refused(&ctx));
    }
    state.store.mark_verified(contact.account_id, state.now()).await?;
    throttle::clear(&state, contact.account_id, &contact.id_number).await?;
    audit(&state, &ctx, "verify_email", "succeeded", Some(contact.account_id), None).await?;
    let mut page = notice(&ctx, "account.verify_title", vec!["account.verified"]);
    page.link = Some((paths::LOGIN, "account.to_login"));
    Ok(page.into_response())
}

/// Wrong passwords a verification link takes; the last of them makes it void.
pub const VERIFY_LINK_GUESSES: i64 = 5;

/// What the password typed on the verification page turned out to be.
enum Typed {
    Right,
    Wrong,
    /// Wrong, and the link's last guess: she must register again.
    LinkVoid,
}

/// Checks the password typed on the verification page against the one chosen at registration,
/// noting any problem next to the field and auditing every refusal.
async fn registered_password(
    state: &AppState,
    ctx: &Ctx,
    view: &mut FormView,
    contact: &AccountContact,
    typed: &str,
    token_hash: &str,
) -> Result<Typed, AppError> {
    if typed.is_empty() {
        view.error("password", "login.password_missing");
        return Ok(Typed::Wrong);
    }
    let account_id = Some(contact.account_id);
    let lifetime = state.config.verify_link_hours * 3600;
    let typed_before = throttle::count_link_guess(state, token_hash, lifetime).await? - 1;
    if typed_before >= VERIFY_LINK_GUESSES {
        // Past its last guess (posts sent at once with the one that used it up): void, unchecked.
        return Ok(Typed::LinkVoid);
    }
    if state.verify_password(normalize(typed), contact.password_hash.clone()).await? {
        return Ok(Typed::Right);
    }
    if typed_before + 1 == VERIFY_LINK_GUESSES {
        audit(state, ctx, "verify_email", "link_void", account_id, None).await?;
        return Ok(Typed::LinkVoid);
    }
    view.error("password", "account.verify_password_wrong");
    audit(state, ctx, "verify_email", "wrong_password", account_id, None).await?;
    Ok(Typed::Wrong)
}

// ---- 忘記密碼 ----

fn forgot_view(ctx: &Ctx) -> FormView {
    FormView {
        page: Chrome::new(ctx),
        title_key: "account.forgot_title",
        intro_key: "account.forgot_intro",
        action: paths::FORGOT,
        submit_key: "account.forgot_submit",
        fields: vec![Field::id_number(), Field::email(), Field::captcha()],
        token: None,
        notice: None,
        has_errors: false,
    }
}

pub async fn forgot_form(State(state): State<AppState>, mut ctx: Ctx) -> Result<Response, AppError> {
    let cookie = session::ensure_session(&state, &mut ctx).await?;
    Ok(with_cookie(forgot_view(&ctx), cookie))
}

#[derive(Deserialize)]
pub struct ForgotForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    id_number: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    captcha: String,
}

pub async fn forgot(
    State(state): State<AppState>,
    mut ctx: Ctx,
    headers: HeaderMap,
    Form(form): Form<ForgotForm>,
) -> Result<Response, AppError> {
    let mut view = forgot_view(&ctx);
    view.fields[0] = Field::id_number().keep(&form.id_number);
    view.fields[1] = Field::email().keep(&form.email);
    if ctx.session.is_none() {
        let cookie = session::ensure_session(&state, &mut ctx).await?;
        view.page = Chrome::new(&ctx);
        view.notice = Some(ctx.lang.messages().get("login.expired").to_owned());
        return Ok(with_cookie(view, cookie));
    }
    ctx.check_csrf(&form.csrf)?;
    let devices = throttle::devices(&state, &headers).await?;
    if throttle::allowance_used_up(&state, &ctx, &devices, "forgot").await? {
        return too_many(&state, &ctx, "reset_requested").await;
    }

    let id_number = check_id(&mut view, &form.id_number);
    let email = check_email(&mut view, &form.email);
    let captcha = captcha_ok(&state, &ctx, &mut view, &form.captcha).await?;
    if captcha {
        throttle::count_allowance(&state, &ctx, &devices, "forgot", throttle::Allowance::form(&state))
            .await?;
    }
    let (Some(id_number), Some(email), true) = (id_number, email, captcha) else {
        return Ok(view.into_response());
    };

    let contact = state.store.contact_by_id_number(id_number.as_str()).await?;
    let matched = contact.filter(|c| c.verified_at.is_some() && c.email.eq_ignore_ascii_case(&email));
    let outcome = match &matched {
        None => "no_match",
        // Past the hour's reset mails the page stays the same and the latest link keeps working.
        // Counted before the mail, in one statement, so requests sent at once get no more.
        Some(contact)
            if !throttle::claim_link_mail(
                &state,
                contact.account_id,
                "reset",
                state.config.reset_mails_per_hour,
            )
            .await? =>
        {
            "not_mailed"
        }
        Some(contact) => {
            send_reset_link(&state, &ctx, contact).await?;
            "mailed"
        }
    };
    let account_id = matched.map(|c| c.account_id);
    audit(&state, &ctx, "reset_requested", outcome, account_id, Some(&id_number)).await?;
    let mut page = notice(&ctx, "account.forgot_title", vec!["account.forgot_sent", "account.mail_help"]);
    page.args = vec![("minutes", state.config.reset_link_minutes.to_string())];
    Ok(page.into_response())
}

/// Mails a new reset link; any earlier link stops working.
async fn send_reset_link(state: &AppState, ctx: &Ctx, contact: &AccountContact) -> Result<(), AppError> {
    let (token, token_hash) = session::new_token();
    let now = state.now();
    let expires = now + state.config.reset_link_minutes * 60;
    state.store.replace_token(contact.account_id, Purpose::ResetPassword, &token_hash, now, expires).await?;
    let minutes = state.config.reset_link_minutes.to_string();
    let letter = Letter::from_catalog(
        mail::member_lang(contact, ctx.lang),
        "reset",
        2,
        Some(link(state, paths::RESET, &token)),
    )
    .with_args(&[("minutes", &minutes)]);
    mail::queue(state, &contact.email, &letter).await?;
    Ok(())
}

fn reset_view(ctx: &Ctx, token: &str, policy: &PasswordPolicy) -> FormView {
    FormView {
        page: Chrome::new(ctx),
        title_key: "account.reset_title",
        intro_key: "account.reset_intro",
        action: paths::RESET,
        submit_key: "account.reset_submit",
        fields: vec![Field::new_password(policy), Field::confirm()],
        token: Some(token.chars().take(100).collect()),
        notice: None,
        has_errors: false,
    }
}

fn link_invalid(ctx: &Ctx, title_key: &'static str) -> Response {
    let mut page = notice(ctx, title_key, vec!["account.link_invalid"]);
    page.link = Some((paths::FORGOT, "account.forgot_again"));
    page.into_response()
}

pub async fn reset_form(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Query(query): Query<TokenQuery>,
) -> Result<Response, AppError> {
    let cookie = session::ensure_session(&state, &mut ctx).await?;
    let link = state
        .store
        .link_state(Purpose::ResetPassword, &session::hash_token(&query.token), state.now())
        .await?;
    if link.live().is_none() {
        audit_refused_link(&state, &ctx, "reset_link", link).await?;
        return Ok(with_cookie(link_invalid(&ctx, "account.reset_title"), cookie));
    }
    Ok(with_cookie(reset_view(&ctx, &query.token, &state.config.password_policy()), cookie))
}

#[derive(Deserialize)]
pub struct ResetForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    token: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_again: String,
}

pub async fn reset(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Form(form): Form<ResetForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&form.csrf)?;
    let token_hash = session::hash_token(&form.token);
    let link = state.store.link_state(Purpose::ResetPassword, &token_hash, state.now()).await?;
    let Some(contact) = (match link.live() {
        Some(account_id) => state.store.contact_by_account(account_id).await?,
        None => None,
    }) else {
        audit_refused_link(&state, &ctx, "reset_completed", link).await?;
        return Ok(link_invalid(&ctx, "account.reset_title"));
    };

    let mut view = reset_view(&ctx, &form.token, &state.config.password_policy());
    let birth_date = NaiveDate::parse_from_str(&contact.birth_date, "%Y-%m-%d").ok();
    let personal = PersonalData { id_number: &contact.id_number, birth_date, email: &contact.email };
    if check_new_password(&state, &mut view, &form.password, &form.password_again, &personal)
        != NewPassword::Accepted
    {
        return Ok(view.into_response());
    }
    // Used up only now, so a password the policy refused does not cost the member her link.
    let taken = state.store.take_token(Purpose::ResetPassword, &token_hash, state.now()).await?;
    if taken.live().is_none() {
        audit_refused_link(&state, &ctx, "reset_completed", taken).await?;
        return Ok(link_invalid(&ctx, "account.reset_title"));
    }
    let hash = state.hash_password(normalize(&form.password)).await?;
    let version = state.config.password_policy_version;
    state.store.set_password(contact.account_id, &hash, version, state.now(), None).await?;
    throttle::end_pause(&state, &ctx, contact.account_id, &contact.id_number, "reset").await?;
    mail::queue(&state, &contact.email, &Letter::from_catalog(ctx.lang, "password_changed", 2, None)).await?;
    audit(&state, &ctx, "reset_completed", "succeeded", Some(contact.account_id), None).await?;
    // She proved her mailbox and chose the password: her browser gets a device cookie for the
    // account, as at a password sign-in, so a stranger's waits at a shared address do not hold
    // her next sign-in from it.
    let device_cookie = throttle::issue_device_cookie(&state, contact.account_id, &headers).await?;

    let mut page = notice(&ctx, "account.reset_title", vec!["account.reset_done"]);
    page.link = Some((paths::LOGIN, "account.to_login"));
    Ok(with_cookie(page, Some(device_cookie)))
}
