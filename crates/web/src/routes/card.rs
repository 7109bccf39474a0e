//! HCA憑證登入: sign-in with the healthcare professional card, and linking a card to an account.
//!
//! The page asks the server for a challenge, has the local component (HCA ServiSign or
//! huzhu-agent) sign it with the card, and posts the signature and the card's signing
//! certificate back. The answers are JSON for the page's script. The member is found only
//! through the card's link to her account (`card_binding`), never through an ID number the
//! browser could send. The password path's lock does not apply here: a nurse whose password
//! was guessed at can still come in with her card.

use std::sync::Arc;

use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::http::header::SET_COOKIE;
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use huzhu_hca::{Refusal, SignedChallenge, TrustStore, VerifiedCard};
use huzhu_store::card::{BindOutcome, CardBinding, ChallengePurpose};
use serde::Deserialize;
use serde_json::json;

use crate::config::Config;
use crate::error::AppError;
use crate::routes::account_page::must_change_password;
use crate::routes::login::audit;
use crate::routes::paths;
use crate::session::{self, Ctx, see_other};
use crate::state::AppState;
use crate::throttle;

/// Longest accepted Base64 certificate and signature: real card certificates are 1–2 KB and an
/// RSA-4096 signature is 512 bytes.
const MAX_CERTIFICATE_B64: usize = 16 * 1024;
const MAX_SIGNATURE_B64: usize = 1024;
const CHALLENGE_PREFIX: &str = "huzhu-card:";

/// Why a card attempt failed: each is a message in the catalogs, `card.<code>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Failure {
    SessionExpired,
    Challenge,
    TooMany,
    Unavailable,
    Refused(Refusal),
    NotLinked,
    LinkTooLate,
    AccountHasCard,
    CardTaken,
}

impl Failure {
    fn code(self) -> &'static str {
        match self {
            Failure::SessionExpired => "session_expired",
            Failure::Challenge => "challenge",
            Failure::TooMany => "too_many",
            Failure::Unavailable => "unavailable",
            Failure::Refused(Refusal::Malformed) => "malformed",
            Failure::Refused(Refusal::Untrusted) => "untrusted",
            Failure::Refused(Refusal::Expired) => "expired",
            Failure::Refused(Refusal::Revoked) => "revoked",
            Failure::Refused(Refusal::RevocationUnknown) => "revocation_unknown",
            Failure::Refused(Refusal::NotForSigning) => "not_for_signing",
            Failure::Refused(Refusal::NotProfessionalCard) => "not_professional",
            Failure::Refused(Refusal::BadSignature) => "bad_signature",
            Failure::NotLinked => "not_linked",
            Failure::LinkTooLate => "link_too_late",
            Failure::AccountHasCard => "account_has_card",
            Failure::CardTaken => "card_taken",
        }
    }

    /// Whether the failure counts towards the address's pause: a refusal of what the client
    /// sent does; the pause itself and the server's own trouble (no trust files, a CRL it
    /// could not refresh) do not.
    fn counts_against_address(self) -> bool {
        !matches!(
            self,
            Failure::TooMany | Failure::Unavailable | Failure::Refused(Refusal::RevocationUnknown)
        )
    }

    fn status(self) -> StatusCode {
        match self {
            Failure::TooMany => StatusCode::TOO_MANY_REQUESTS,
            Failure::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            Failure::AccountHasCard | Failure::CardTaken => StatusCode::CONFLICT,
            _ => StatusCode::FORBIDDEN,
        }
    }

    fn respond(self, ctx: &Ctx) -> Response {
        let key = format!("card.{}", self.code());
        let message = ctx.lang.messages().get(&key).to_owned();
        (self.status(), axum::Json(json!({ "error": self.code(), "message": message }))).into_response()
    }
}

/// Whether `path` is one of the endpoints the page's script calls, whose errors (a body too
/// large, a missing CSRF token, a server failure) must also be JSON the script can show.
pub fn answers_in_json(path: &str) -> bool {
    [paths::CARD_CHALLENGE, paths::CARD_SIGN_IN, paths::CARD_BIND_CHALLENGE, paths::CARD_BIND].contains(&path)
}

#[derive(Deserialize)]
pub struct ChallengeForm {
    #[serde(default)]
    csrf: String,
}

/// A new challenge for the sign-in tab.
pub async fn sign_in_challenge(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(form): Form<ChallengeForm>,
) -> Result<Response, AppError> {
    issue_challenge(&state, &ctx, &form.csrf, ChallengePurpose::SignIn).await
}

/// A new challenge for linking a card on the account page.
pub async fn bind_challenge(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(form): Form<ChallengeForm>,
) -> Result<Response, AppError> {
    let Some(account_id) = ctx.account_id() else {
        return Ok(Failure::SessionExpired.respond(&ctx));
    };
    ctx.check_csrf(&form.csrf)?;
    if must_change_password(&state, account_id).await? {
        return Ok(to_change_password());
    }
    issue_challenge(&state, &ctx, &form.csrf, ChallengePurpose::Bind).await
}

/// The answer of the card endpoints the account page's script calls while the member must
/// first set a new password: the script follows `redirect`, as after a linked card.
fn to_change_password() -> Response {
    axum::Json(json!({ "redirect": paths::CHANGE_PASSWORD })).into_response()
}

/// 256 random bits, bound to the session and the purpose, stored hashed.
async fn issue_challenge(
    state: &AppState,
    ctx: &Ctx,
    csrf: &str,
    purpose: ChallengePurpose,
) -> Result<Response, AppError> {
    let Some(session) = &ctx.session else {
        return Ok(Failure::SessionExpired.respond(ctx));
    };
    ctx.check_csrf(csrf)?;
    let random: [u8; 32] = rand::random();
    let challenge = format!("{CHALLENGE_PREFIX}{}", URL_SAFE_NO_PAD.encode(random));
    let expires_at = state.now() + state.config.card_challenge_seconds;
    let hash = session::hash_token(&challenge);
    state.store.create_card_challenge(&hash, &session.token_hash, purpose, expires_at).await?;
    Ok(axum::Json(json!({ "challenge": challenge })).into_response())
}

#[derive(Deserialize)]
pub struct SignedForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    challenge: String,
    /// The card's signing certificate, DER in Base64, as the component returns it.
    #[serde(default)]
    certificate: String,
    /// PKCS#1 v1.5 signature over the challenge's bytes, Base64.
    #[serde(default)]
    signature: String,
}

/// Signs a member in with a verified, linked card.
pub async fn sign_in(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(form): Form<SignedForm>,
) -> Result<Response, AppError> {
    let Some(session) = ctx.session.clone() else {
        return Ok(Failure::SessionExpired.respond(&ctx));
    };
    ctx.check_csrf(&form.csrf)?;
    let card = match check_card(&state, &ctx, &session.token_hash, &form, ChallengePurpose::SignIn).await? {
        Ok(card) => card,
        Err(failure) => return refuse(&state, &ctx, "card_sign_in", None, failure).await,
    };
    let Some(account_id) = state.store.account_of_card(&card.issuer_serial).await? else {
        return refuse(&state, &ctx, "card_sign_in", None, Failure::NotLinked).await;
    };

    let (token, token_hash) = session::new_token();
    let signed_in = session::new_session_row(&state, token_hash, Some(account_id));
    state
        .store
        .rotate_session(&session.token_hash, &signed_in, session::short_user_agent(&ctx).as_deref())
        .await?;
    audit(&state, &ctx, "card_sign_in", "succeeded", Some(account_id), None).await?;
    state.store.set_account_lang(account_id, ctx.lang.tag()).await?;
    // Her card proves who she is: a pause or wait that someone's guesses at her password left
    // on her account and ID ends, so it cannot follow her back to the password form.
    if let Some(contact) = state.store.contact_by_account(account_id).await? {
        throttle::end_pause(&state, &ctx, account_id, &contact.id_number, "card_sign_in").await?;
    }
    if !card.revocation_checked {
        tracing::warn!(request_id = ctx.request_id, account_id, "card accepted without a fresh CRL");
    }

    let mut response = axum::Json(json!({ "redirect": paths::MEMBER })).into_response();
    response.headers_mut().append(SET_COOKIE, session::session_cookie(&state, &token));
    Ok(response)
}

/// Links a verified card to the signed-in account, within minutes of a password sign-in.
pub async fn bind(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(form): Form<SignedForm>,
) -> Result<Response, AppError> {
    let Some((session, account_id)) = ctx.session.clone().zip(ctx.account_id()) else {
        return Ok(Failure::SessionExpired.respond(&ctx));
    };
    ctx.check_csrf(&form.csrf)?;
    if must_change_password(&state, account_id).await? {
        return Ok(to_change_password());
    }
    // Only a recent password sign-in may link a card: a session made by a card sign-in has no
    // `password_at`, so a card alone can never swap the linked card for another.
    let linkable =
        session.password_at.is_some_and(|at| at + state.config.card_link_minutes * 60 >= state.now());
    if !linkable {
        return refuse(&state, &ctx, "card_bind", Some(account_id), Failure::LinkTooLate).await;
    }
    let card = match check_card(&state, &ctx, &session.token_hash, &form, ChallengePurpose::Bind).await? {
        Ok(card) => card,
        Err(failure) => return refuse(&state, &ctx, "card_bind", Some(account_id), failure).await,
    };
    let binding = CardBinding {
        account_id,
        issuer_serial: card.issuer_serial,
        key_sha256: card.key_sha256,
        holder_name: card.common_name.chars().take(100).collect(),
        serial_hex: card.serial_hex,
        not_after: card.not_after_unix,
        bound_at: state.now(),
    };
    match state.store.bind_card(&binding).await? {
        BindOutcome::Bound => {
            audit(&state, &ctx, "card_bind", "succeeded", Some(account_id), None).await?;
            Ok(axum::Json(json!({ "redirect": paths::ACCOUNT })).into_response())
        }
        BindOutcome::AccountHasCard => {
            refuse(&state, &ctx, "card_bind", Some(account_id), Failure::AccountHasCard).await
        }
        BindOutcome::CardTaken => {
            refuse(&state, &ctx, "card_bind", Some(account_id), Failure::CardTaken).await
        }
    }
}

/// Unlinks the account's card (a plain form on the account page).
pub async fn unbind(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(form): Form<ChallengeForm>,
) -> Result<Response, AppError> {
    let Some(account_id) = ctx.account_id() else {
        return Ok(see_other(paths::LOGIN));
    };
    ctx.check_csrf(&form.csrf)?;
    if must_change_password(&state, account_id).await? {
        return Ok(see_other(paths::CHANGE_PASSWORD));
    }
    if state.store.unbind_card(account_id).await? {
        audit(&state, &ctx, "card_unbind", "succeeded", Some(account_id), None).await?;
    }
    Ok(see_other(paths::ACCOUNT))
}

/// Rate limit, the challenge, then the certificate and signature.
async fn check_card(
    state: &AppState,
    ctx: &Ctx,
    session_hash: &str,
    form: &SignedForm,
    purpose: ChallengePurpose,
) -> Result<Result<VerifiedCard, Failure>, AppError> {
    if throttle::card_paused(state, ctx).await? {
        return Ok(Err(Failure::TooMany));
    }
    let challenge_hash = session::hash_token(&form.challenge);
    let live = form.challenge.starts_with(CHALLENGE_PREFIX)
        && state.store.take_card_challenge(&challenge_hash, session_hash, purpose, state.now()).await?;
    if !live {
        return Ok(Err(Failure::Challenge));
    }
    let (Some(certificate), Some(signature)) =
        (decode(&form.certificate, MAX_CERTIFICATE_B64), decode(&form.signature, MAX_SIGNATURE_B64))
    else {
        return Ok(Err(Failure::Refused(Refusal::Malformed)));
    };
    if state.config.card_trust_anchors.is_empty() {
        return Ok(Err(Failure::Unavailable));
    }
    let config = Arc::clone(&state.config);
    let challenge = form.challenge.clone();
    let now = state.now();
    let verified = tokio::task::spawn_blocking(move || {
        let store = match load_trust(&config) {
            Ok(store) => store,
            Err(problem) => {
                tracing::error!("card sign-in is unavailable: {problem}");
                return Err(Failure::Unavailable);
            }
        };
        let signed = SignedChallenge {
            certificate_der: &certificate,
            signature: &signature,
            challenge: challenge.as_bytes(),
        };
        huzhu_hca::verify(&store, &config.card_policy(), signed, now).map_err(Failure::Refused)
    })
    .await
    .map_err(anyhow::Error::from)?;
    Ok(verified)
}

/// The anchors, intermediates and CRLs named in the configuration, read now, so a CRL replaced
/// on disk counts at the next sign-in. An anchor or intermediate that cannot be read makes card
/// sign-in unavailable (the error says which file). A CRL that cannot be read is left out with
/// a warning: the cards of its issuer then have no CRL, which `card_stale_crl` decides on
/// (refused as `revocation_unknown` when fail closed, let in when fail open), as for a stale one.
fn load_trust(config: &Config) -> Result<TrustStore, String> {
    let mut store = TrustStore::new();
    for path in &config.card_trust_anchors {
        store.load_certificates(path, true).map_err(|e| format!("trust anchor: {e}"))?;
    }
    for path in &config.card_intermediates {
        store.load_certificates(path, false).map_err(|e| format!("intermediate certificate: {e}"))?;
    }
    for path in &config.card_crls {
        if let Err(error) = store.load_crl(path) {
            tracing::warn!("a card CRL is left out, its cards count as unchecked: {error}");
        }
    }
    Ok(store)
}

/// Reads the card trust files once and says, in lines for the operator at the server's start,
/// what card sign-in will use and which file is missing or unreadable, so a wrong path shows
/// at once rather than at a nurse's first card sign-in.
pub fn check_trust_files(config: &Config) -> Vec<String> {
    if config.card_trust_anchors.is_empty() {
        return vec!["Card sign-in is off: card_trust_anchors names no HCA CA certificate".to_owned()];
    }
    let mut lines = Vec::new();
    let mut store = TrustStore::new();
    let groups = [(&config.card_trust_anchors, true), (&config.card_intermediates, false)];
    for (paths, anchor) in groups {
        for path in paths {
            if let Err(error) = store.load_certificates(path, anchor) {
                lines.push(format!("Card sign-in is unavailable until this is fixed: {error}"));
            }
        }
    }
    for path in &config.card_crls {
        if let Err(error) = store.load_crl(path) {
            lines.push(format!(
                "Card CRL unusable: {error}; the cards it covers count as unchecked \
                 (card_stale_crl = {})",
                config.card_stale_crl
            ));
        }
    }
    if lines.is_empty() {
        lines.push(format!(
            "Card sign-in: {} trust anchor file(s), {} intermediate file(s), {} CRL file(s) read",
            config.card_trust_anchors.len(),
            config.card_intermediates.len(),
            config.card_crls.len()
        ));
    }
    lines
}

fn decode(text: &str, max_len: usize) -> Option<Vec<u8>> {
    let text = text.trim();
    if text.is_empty() || text.len() > max_len {
        return None;
    }
    STANDARD.decode(text).ok()
}

async fn refuse(
    state: &AppState,
    ctx: &Ctx,
    event: &str,
    account_id: Option<i64>,
    failure: Failure,
) -> Result<Response, AppError> {
    let outcome = format!("refused:{}", failure.code());
    audit(state, ctx, event, &outcome, account_id, None).await?;
    if failure.counts_against_address() {
        throttle::count_card_failure(state, ctx).await?;
    }
    Ok(failure.respond(ctx))
}
