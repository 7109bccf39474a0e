//! Operators: their second factor (TOTP, RFC 6238) and their sessions.
//!
//! Operator sessions live in their own table under their own cookie, scoped to `/ops`: a member
//! session is never looked up on an operator page and an operator session never on a member
//! page, so neither kind can open the other's pages.

use anyhow::Context;
use axum::extract::FromRequestParts;
use axum::http::HeaderValue;
use axum::http::request::Parts;
use huzhu_store::operators::{OperatorSessionRow, StateChange};
use subtle::ConstantTimeEq;
use totp_rs::{Algorithm, Secret, TOTP};

use crate::error::AppError;
use crate::page::Chrome;
use crate::session::{self, Ctx, hash_token, new_token};
use crate::state::AppState;

/// Seconds in one TOTP step (RFC 6238's default, what authenticator apps expect).
pub const TOTP_STEP_SECONDS: i64 = 30;
/// Digits in a code.
const TOTP_DIGITS: usize = 6;
/// The issuer shown in authenticator apps.
const TOTP_ISSUER: &str = "huzhu";

/// The TOTP generator for a base32 key (SHA-1, 6 digits, 30 s: what every app supports).
fn totp(secret_base32: &str, username: &str) -> anyhow::Result<TOTP> {
    let bytes = Secret::Encoded(secret_base32.to_owned())
        .to_bytes()
        .map_err(|error| anyhow::anyhow!("reading a TOTP key: {error:?}"))?;
    TOTP::new(
        Algorithm::SHA1,
        TOTP_DIGITS,
        1,
        TOTP_STEP_SECONDS as u64,
        bytes,
        Some(TOTP_ISSUER.to_owned()),
        username.to_owned(),
    )
    .map_err(|error| anyhow::anyhow!("setting up TOTP: {error}"))
}

/// A new TOTP key and its `otpauth://` address for an authenticator app.
pub struct Enrolment {
    pub secret_base32: String,
    pub uri: String,
}

/// Makes a new 160-bit key (the size RFC 4226 recommends) for `username`.
pub fn enrol(username: &str) -> anyhow::Result<Enrolment> {
    let key: [u8; 20] = rand::random();
    let secret_base32 = Secret::Raw(key.to_vec()).to_encoded().to_string();
    let uri = totp(&secret_base32, username)?.get_url();
    Ok(Enrolment { secret_base32, uri })
}

/// How a TOTP key is kept in the database: with `password_pepper` set, sealed with
/// ChaCha20-Poly1305 under a key derived from the pepper (`sealed:v1:<nonce>:<sealed>`, hex),
/// so a copy of the database alone holds no operator's second factor; without a pepper, as
/// it is (the key cannot be hashed: the server computes codes from it).
pub fn seal_totp_key(
    secret_base32: &str,
    pepper: Option<&crate::password::Pepper>,
) -> anyhow::Result<String> {
    use ring::aead::{Aad, CHACHA20_POLY1305, LessSafeKey, Nonce, UnboundKey};
    let Some(pepper) = pepper else { return Ok(secret_base32.to_owned()) };
    let key = UnboundKey::new(&CHACHA20_POLY1305, &pepper.derive("huzhu totp key"))
        .map_err(|_| anyhow::anyhow!("making the TOTP sealing key"))?;
    let nonce: [u8; 12] = rand::random();
    let mut sealed = secret_base32.as_bytes().to_vec();
    LessSafeKey::new(key)
        .seal_in_place_append_tag(Nonce::assume_unique_for_key(nonce), Aad::empty(), &mut sealed)
        .map_err(|_| anyhow::anyhow!("sealing a TOTP key"))?;
    Ok(format!("sealed:v1:{}:{}", hex::encode(nonce), hex::encode(sealed)))
}

/// The TOTP key from what [`seal_totp_key`] stored. A sealed key needs the pepper it was
/// sealed with; a key stored as it is (before a pepper was set) is returned as it is.
pub fn open_totp_key(stored: &str, pepper: Option<&crate::password::Pepper>) -> anyhow::Result<String> {
    use ring::aead::{Aad, CHACHA20_POLY1305, LessSafeKey, Nonce, UnboundKey};
    let Some(rest) = stored.strip_prefix("sealed:v1:") else { return Ok(stored.to_owned()) };
    let pepper = pepper.context("an operator's TOTP key is sealed, and no password_pepper is set")?;
    let (nonce, sealed) = rest.split_once(':').context("a sealed TOTP key without its nonce")?;
    let nonce: [u8; 12] = hex::decode(nonce)?.try_into().map_err(|_| anyhow::anyhow!("a bad TOTP nonce"))?;
    let mut sealed = hex::decode(sealed)?;
    let key = UnboundKey::new(&CHACHA20_POLY1305, &pepper.derive("huzhu totp key"))
        .map_err(|_| anyhow::anyhow!("making the TOTP sealing key"))?;
    let opened = LessSafeKey::new(key)
        .open_in_place(Nonce::assume_unique_for_key(nonce), Aad::empty(), &mut sealed)
        .map_err(|_| anyhow::anyhow!("a sealed TOTP key does not open with this password_pepper"))?;
    Ok(String::from_utf8(opened.to_vec())?)
}

/// The step of the code `code` at `now`, accepting the step before and after for clock drift,
/// or `None` when it matches none of them. Whether the step was already used is the caller's
/// question (see `Store::claim_totp_step`).
pub fn matching_step(
    secret_base32: &str,
    username: &str,
    code: &str,
    now: i64,
) -> anyhow::Result<Option<i64>> {
    let code = code.trim();
    if code.len() != TOTP_DIGITS || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(None);
    }
    let totp = totp(secret_base32, username)?;
    let current = now.div_euclid(TOTP_STEP_SECONDS);
    let mut found = None;
    // Every candidate is compared, so the time taken does not say which step matched.
    for step in [current - 1, current, current + 1] {
        let Ok(time) = u64::try_from(step * TOTP_STEP_SECONDS) else { continue };
        let expected = totp.generate(time);
        if bool::from(expected.as_bytes().ct_eq(code.as_bytes())) {
            found = Some(step);
        }
    }
    Ok(found)
}

/// The operator cookie: separate from the member's, and sent only to `/ops` pages. Over https
/// it is `__Secure-` prefixed (the `__Host-` prefix would demand `Path=/`).
/// The sign-in throttle's pause key of an operator.
pub fn operator_key(operator_id: i64) -> String {
    format!("operator:{operator_id}")
}

/// The delay key of a typed operator name: its SHA-256, whether or not the name exists, so the
/// wait tells nothing about which names are operators.
pub fn name_key(name: &str) -> String {
    // Lowercased as names are kept: `CHEN.MEI` fails and waits on the same key as `chen.mei`.
    format!("ops:name:{}", hash_token(&huzhu_store::operators::operator_name(name)))
}

/// Clears an operator's pause and the wait on her name, for `huzhu operator unlock`: the pause
/// is keyed on her name, so anyone who knows it could otherwise keep her out for as long as
/// they keep failing. Says whether there is an operator of that name; the clearing is audited.
pub async fn unlock(store: &huzhu_store::Store, username: &str, now: i64) -> anyhow::Result<bool> {
    let Some(record) = store.find_operator(username).await? else {
        return Ok(false);
    };
    store.clear_sign_in_failures(&operator_key(record.operator_id)).await?;
    store.clear_sign_in_failures(&name_key(&record.username)).await?;
    let audit = huzhu_store::audit::AuditRecord {
        at: now,
        event: "ops_unlock",
        outcome: "command",
        operator: Some(&record.username),
        ..Default::default()
    };
    store.record_audit(&audit).await?;
    tracing::info!(event = "ops_unlock", operator = %record.username, "operator sign-in pause cleared");
    Ok(true)
}

/// Disables operator `username` and ends her sessions (`disable`), or lets her sign in again,
/// for `huzhu operator disable` and `enable`. Audited as `ops_disable` / `ops_enable` when it
/// changed something: disabling a disabled operator writes no second record.
pub async fn set_disabled(
    store: &huzhu_store::Store,
    username: &str,
    disable: bool,
    now: i64,
) -> anyhow::Result<StateChange> {
    let change = store.set_operator_disabled(username, disable.then_some(now)).await?;
    if change != StateChange::Changed {
        return Ok(change);
    }
    let event = if disable { "ops_disable" } else { "ops_enable" };
    let audit = huzhu_store::audit::AuditRecord {
        at: now,
        event,
        outcome: "command",
        operator: Some(username),
        ..Default::default()
    };
    store.record_audit(&audit).await?;
    tracing::info!(event, operator = %username, "operator disabled or enabled");
    Ok(change)
}

/// Gives operator `username` a new TOTP key and ends her sessions (her authenticator was lost):
/// what the command `huzhu operator reenrol` does. Audited. `None` when there is no such
/// operator; otherwise the new enrolment to hand over.
pub async fn reenrol(
    store: &huzhu_store::Store,
    username: &str,
    now: i64,
    pepper: Option<&crate::password::Pepper>,
) -> anyhow::Result<Option<Enrolment>> {
    let enrolment = enrol(username)?;
    if !store.replace_totp_secret(username, &seal_totp_key(&enrolment.secret_base32, pepper)?).await? {
        return Ok(None);
    }
    let audit = huzhu_store::audit::AuditRecord {
        at: now,
        event: "ops_reenrol",
        outcome: "command",
        operator: Some(username),
        ..Default::default()
    };
    store.record_audit(&audit).await?;
    tracing::info!(event = "ops_reenrol", operator = %username, "operator given a new TOTP key");
    Ok(Some(enrolment))
}

pub fn cookie_name(state: &AppState) -> &'static str {
    if state.config.secure_cookies() { "__Secure-huzhu_ops" } else { "huzhu_ops" }
}

fn cookie(state: &AppState, value: &str, extra: &str) -> HeaderValue {
    let secure = if state.config.secure_cookies() { "; Secure" } else { "" };
    let text = format!("{}={value}; Path=/ops; HttpOnly; SameSite=Strict{extra}{secure}", cookie_name(state));
    HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static(""))
}

pub fn session_cookie(state: &AppState, token: &str) -> HeaderValue {
    cookie(state, token, "")
}

pub fn clear_session_cookie(state: &AppState) -> HeaderValue {
    cookie(state, "", "; Max-Age=0")
}

/// A new operator session row: anonymous when `operator_id` is `None`.
pub fn new_session_row(state: &AppState, token_hash: String, operator_id: Option<i64>) -> OperatorSessionRow {
    let now = state.now();
    let (csrf_token, _) = new_token();
    OperatorSessionRow {
        token_hash,
        operator_id,
        username: None,
        csrf_token,
        created_at: now,
        last_seen_at: now,
        expires_at: now + state.config.session_absolute_hours * 3600,
    }
}

/// The request as an operator page sees it: the member context (language, request ID, client
/// address) and the operator session, if any.
#[derive(Clone, Debug)]
pub struct OpsCtx {
    pub ctx: Ctx,
    pub session: Option<OperatorSessionRow>,
}

/// A signed-in operator.
#[derive(Clone, Debug)]
pub struct Operator {
    pub id: i64,
    pub name: String,
}

impl OpsCtx {
    pub fn operator(&self) -> Option<Operator> {
        let session = self.session.as_ref()?;
        Some(Operator { id: session.operator_id?, name: session.username.clone()? })
    }

    pub fn csrf_token(&self) -> &str {
        self.session.as_ref().map(|s| s.csrf_token.as_str()).unwrap_or("")
    }

    /// Refuses a form whose CSRF token is not this operator session's.
    pub fn check_csrf(&self, submitted: &str) -> Result<(), AppError> {
        let expected = self.csrf_token();
        let matches = !expected.is_empty() && bool::from(expected.as_bytes().ct_eq(submitted.as_bytes()));
        if matches { Ok(()) } else { Err(AppError::Forbidden) }
    }

    /// The page chrome, with the operator session's CSRF token.
    pub fn chrome(&self) -> Chrome {
        let mut page = Chrome::new(&self.ctx);
        page.signed_in = false;
        page.csrf = self.csrf_token().to_owned();
        page
    }

    /// Makes an anonymous operator session when there is none; returns the cookie to set.
    pub async fn ensure_session(&mut self, state: &AppState) -> Result<Option<HeaderValue>, AppError> {
        if self.session.is_some() {
            return Ok(None);
        }
        let (token, token_hash) = new_token();
        let row = new_session_row(state, token_hash, None);
        state.store.create_operator_session(&row).await?;
        self.session = Some(row);
        Ok(Some(session_cookie(state, &token)))
    }
}

impl FromRequestParts<AppState> for OpsCtx {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<OpsCtx, AppError> {
        let ctx = Ctx::from_request_parts(parts, state).await?;
        let token = session::cookie_value(&parts.headers, cookie_name(state));
        let session = match token {
            Some(token) if token.len() <= 100 => load(state, &hash_token(token)).await?,
            _ => None,
        };
        Ok(OpsCtx { ctx, session })
    }
}

/// The live operator session with this token hash; an expired one is deleted and ignored.
async fn load(state: &AppState, token_hash: &str) -> anyhow::Result<Option<OperatorSessionRow>> {
    let Some(session) = state.store.find_operator_session(token_hash).await? else {
        return Ok(None);
    };
    let now = state.now();
    let idle_limit = state.config.session_idle_minutes * 60;
    if session.expires_at <= now || session.last_seen_at + idle_limit <= now {
        state.store.delete_operator_session(token_hash).await?;
        return Ok(None);
    }
    if now - session.last_seen_at >= 60 {
        state.store.touch_operator_session(token_hash, now).await?;
    }
    Ok(Some(session))
}
