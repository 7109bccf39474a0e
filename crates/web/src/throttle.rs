//! Throttling of password sign-in that cannot lock a nurse out.
//!
//! After `lock_threshold` failures within `lock_minutes`, the password path of that account is
//! paused for `lock_minutes`; a client address is paused the same way after
//! `address_lock_threshold` failures (set higher, since a hospital's staff share one address).
//! The pause is soft: the answer is the same as for a wrong password, the member is told by
//! mail, and a password reset by mail (and card sign-in, which does not use this path) still
//! works and ends the pause.
//!
//! Before the pause, each failure makes the next attempt wait a little longer: 1, 2, 4, 8 …
//! seconds (`sign_in_delay_seconds`, doubled per failure, at most `sign_in_delay_max_seconds`).
//! Nothing sleeps: each key (the typed ID number, and the client address once it has
//! `address_delay_after` failures) gets a "not before" time in the database, and an attempt
//! that comes earlier is answered at once with "please wait N seconds", without checking the
//! password. So waiting costs the server no worker and no Argon2 time, and a flood of early
//! attempts is cheap to refuse. The delay is keyed on the ID number as typed, whether or not it
//! has an account, so the wait tells nothing about who is registered; it is short and ends by
//! itself, so it cannot keep a nurse out.
//!
//! Both can be started by a stranger who knows her ID or shares her hospital's address, so a
//! browser that signed in to the account with its password before (or reset it by mail) is
//! exempt from them: its device cookie holds a nonce for that account ([`trusted_device`]; one
//! per account, up to [`DEVICE_COOKIE_ENTRIES`], so a shared ward PC protects each nurse) and
//! counts its failures on that nonce alone, until `device_cookie_failures` make it untrusted.
//!
//! Captchas and the register and reset forms are counted per session, under a much larger
//! ceiling per client address that a browser with a trusted device cookie does not need
//! ([`allowance_used_up`]), so a stranger behind a hospital's address uses up his own
//! allowance and nobody else's.

use std::net::IpAddr;

use axum::http::HeaderMap;
use huzhu_core::id::IdNumber;
use huzhu_store::throttle::Limit;

use crate::error::AppError;
use crate::mail::{self, Letter};
use crate::routes::login::audit;
use crate::session::Ctx;
use crate::state::AppState;

pub fn account_key(account_id: i64) -> String {
    format!("account:{account_id}")
}

/// The delay key of a typed ID number: its SHA-256, so the table holds no ID numbers.
fn id_key(id_number: &str) -> String {
    format!("id:{}", crate::session::hash_token(id_number))
}

/// The wait after the `failures`-th failure when the first `free - 1` cost nothing: `base`
/// seconds at the `free`-th failure, doubled with each further one, at most `max`.
pub fn delay_seconds(failures: i64, free: i64, base: i64, max: i64) -> i64 {
    if base <= 0 || failures < free {
        return 0;
    }
    let doublings = (failures - free).clamp(0, 30);
    base.saturating_mul(1_i64 << doublings).min(max)
}

/// Seconds still to wait before a sign-in on any of `keys` is looked at: the latest of their
/// "not before" times, if one is still ahead.
async fn wait_on(state: &AppState, keys: &[Option<String>]) -> Result<Option<i64>, AppError> {
    let now = state.now();
    let mut until: Option<i64> = None;
    for key in keys.iter().flatten() {
        if let Some(key_until) = state.store.not_before(key, now).await? {
            until = Some(until.map_or(key_until, |u| u.max(key_until)));
        }
    }
    Ok(until.map(|until| until - now))
}

/// How long a turn taken for one password check holds off other attempts on the same ID number
/// (or waiting address): longer than a check takes even when queued behind others. A success
/// gives it back, a failure replaces it with the wait it earned. Odd, so that it is never one
/// of the earned waits (`sign_in_delay_seconds` doubled), which giving back must not undo.
const TURN_SECONDS: i64 = 9;

/// The turn taken for one password check ([`take_turn`]), given back when it is over.
pub struct Turn {
    keys: Vec<String>,
    hold_until: i64,
    /// The address's count of attempts being checked, which this one is in.
    in_flight: Option<String>,
}

impl Turn {
    /// Ends the turn: the keys it holds are free again, unless a failure set a wait on them,
    /// and the attempt leaves its address's count of attempts being checked.
    pub async fn give_back(self, state: &AppState) -> Result<(), AppError> {
        let now = state.now();
        for key in &self.keys {
            state.store.give_back_turn(key, now, self.hold_until).await?;
        }
        if let Some(key) = &self.in_flight {
            state.store.add_to_count(key, -1, now, now - TURN_SECONDS).await?;
        }
        Ok(())
    }
}

/// Takes the turn for one password check on the typed ID number, and on the client's address
/// once it is near its waits (see [`take_turn_on`]); `Err` with the seconds to wait when a
/// wait, or another attempt's turn, still runs on either.
pub async fn take_turn(
    state: &AppState,
    ctx: &Ctx,
    id_number: &IdNumber,
) -> Result<Result<Turn, i64>, AppError> {
    take_turn_on(state, id_key(id_number.as_str()), address_key(ctx)).await
}

/// Takes the turn on `key` (a typed ID number or operator name) and on `address`, so that of
/// attempts sent at the same moment only one has its password checked and the rest are told
/// to wait: a wait looked at in one step and a failure counted in another after the Argon2 run
/// would let a whole burst through in between. An address is taken only once its failures and
/// the attempts from it being checked, this one included, reach `address_delay_after`, where
/// its waits begin: a hospital's staff signing in side by side are not held by each other,
/// while a burst from an address with no failures yet gets no more checks than the failures
/// it takes to start the address's waits.
pub async fn take_turn_on(
    state: &AppState,
    key: String,
    address: Option<String>,
) -> Result<Result<Turn, i64>, AppError> {
    let now = state.now();
    let config = &state.config;
    let hold_until = now + TURN_SECONDS;
    let since = now - config.lock_minutes * 60;
    if !state.store.take_turn(&key, now, hold_until).await? {
        return Ok(Err(wait_on(state, &[Some(key)]).await?.unwrap_or(1)));
    }
    let mut turn = Turn { keys: vec![key], hold_until, in_flight: None };
    let Some(address) = address else {
        return Ok(Ok(turn));
    };
    let in_flight_key = format!("checking:{address}");
    let in_flight = state.store.add_to_count(&in_flight_key, 1, now, now - TURN_SECONDS).await?;
    turn.in_flight = Some(in_flight_key);
    let failures = state.store.recent_failures(&address, since).await?;
    if failures + in_flight >= config.address_delay_after {
        if !state.store.take_turn(&address, now, hold_until).await? {
            let wait = wait_on(state, &[Some(address)]).await?.unwrap_or(1);
            turn.give_back(state).await?;
            return Ok(Err(wait));
        }
        turn.keys.push(address);
    }
    Ok(Ok(turn))
}

/// Counts a failure on the typed ID number and sets its next "not before". Counted for every
/// failure, known ID or not, paused or not, so the waits are the same for all.
pub async fn delay_id(state: &AppState, id_number: &IdNumber) -> Result<(), AppError> {
    delay_key(state, &id_key(id_number.as_str())).await
}

/// Counts a failure on `key` (a typed ID number or operator name) and sets its next "not
/// before": 1, 2, 4 … seconds with the default settings.
pub async fn delay_key(state: &AppState, key: &str) -> Result<(), AppError> {
    let config = &state.config;
    let now = state.now();
    let remember = Limit { threshold: i64::MAX, lock_seconds: config.lock_minutes * 60 };
    let (failures, _) = state.store.record_sign_in_failure(key, now, remember).await?;
    let wait = delay_seconds(failures, 1, config.sign_in_delay_seconds, config.sign_in_delay_max_seconds);
    state.store.delay_sign_in(key, now + wait).await?;
    Ok(())
}

fn address_key(ctx: &Ctx) -> Option<String> {
    ctx.client_addr.map(|addr| format!("addr:{}", counted_address(addr)))
}

fn account_limit(state: &AppState) -> Limit {
    Limit { threshold: state.config.lock_threshold, lock_seconds: state.config.lock_minutes * 60 }
}

fn address_limit(state: &AppState) -> Limit {
    Limit { threshold: state.config.address_lock_threshold, lock_seconds: state.config.lock_minutes * 60 }
}

/// Why a password typed for a known account (on the change-password page, or to finish a
/// registration) is not looked at now.
pub enum Pause {
    /// The account's ID (or the client's address) waits this many seconds after a failure.
    Wait(i64),
    /// The account's password path is paused ([`record_failure`]).
    Locked,
}

impl Pause {
    /// The audit outcome of an attempt refused for this pause.
    pub fn outcome(&self) -> &'static str {
        match self {
            Pause::Wait(_) => "delayed",
            Pause::Locked => "locked",
        }
    }
}

/// Takes the turn to check a password typed for this account (on the change-password page, or
/// to end sessions), as for a sign-in on its ID: refused while the account or the client's
/// address is paused, before the wait after the last failure is over, or while another attempt
/// on them is being checked ([`take_turn`]). Nothing is hashed when refused, so waiting costs no
/// Argon2 time.
pub async fn take_pause_turn(
    state: &AppState,
    ctx: &Ctx,
    account_id: i64,
    id_number: &IdNumber,
) -> Result<Result<Turn, Pause>, AppError> {
    if is_locked(state, ctx, Some(account_id)).await? {
        return Ok(Err(Pause::Locked));
    }
    Ok(take_turn(state, ctx, id_number).await?.map_err(Pause::Wait))
}

/// Whether the password path is paused for this account or this client address.
pub async fn is_locked(state: &AppState, ctx: &Ctx, account_id: Option<i64>) -> Result<bool, AppError> {
    locked_on(state, &[account_id.map(account_key), address_key(ctx)]).await
}

/// Whether any of `keys` is paused now. Shared by member and operator sign-in.
pub async fn locked_on(state: &AppState, keys: &[Option<String>]) -> Result<bool, AppError> {
    let now = state.now();
    for key in keys.iter().flatten() {
        if state.store.locked_until(key, now).await?.is_some() {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Counts a failed sign-in (or a wrong current password on the change-password page); when it
/// starts a lock of the account, records it, tells the member by mail at her registered address
/// and returns true.
pub async fn record_failure(
    state: &AppState,
    ctx: &Ctx,
    account_id: Option<i64>,
    id_number: &IdNumber,
) -> Result<bool, AppError> {
    let now = state.now();
    if let Some(key) = address_key(ctx) {
        let (failures, locked) = state.store.record_sign_in_failure(&key, now, address_limit(state)).await?;
        let config = &state.config;
        let wait = delay_seconds(
            failures,
            config.address_delay_after,
            config.sign_in_delay_seconds,
            config.sign_in_delay_max_seconds,
        );
        state.store.delay_sign_in(&key, now + wait).await?;
        if locked {
            audit(state, ctx, "lock", "address", None, None).await?;
        }
    }
    let Some(account_id) = account_id else {
        return Ok(false);
    };
    let (_, locked) =
        state.store.record_sign_in_failure(&account_key(account_id), now, account_limit(state)).await?;
    if locked {
        audit(state, ctx, "lock", "account", Some(account_id), Some(id_number)).await?;
        tell_of_pause(state, ctx, account_id).await?;
    }
    Ok(locked)
}

/// How often a member may be told by mail that her password sign-in was paused: a stranger who
/// pauses her again each time a pause ends would otherwise send 96 mails a day.
pub const PAUSE_MAIL_PERIOD_SECONDS: i64 = 6 * 3600;

/// Mails the "sign-in paused" notice to the account's address, unless that address is not
/// verified (whoever registered may have typed someone else's) or a notice went in the last
/// [`PAUSE_MAIL_PERIOD_SECONDS`].
async fn tell_of_pause(state: &AppState, ctx: &Ctx, account_id: i64) -> Result<(), AppError> {
    let Some(contact) = state.store.contact_by_account(account_id).await? else {
        return Ok(());
    };
    if contact.verified_at.is_none() {
        return Ok(());
    }
    let key = format!("warn:locked:{}", account_key(account_id));
    if !state.store.claim_once(&key, state.now(), PAUSE_MAIL_PERIOD_SECONDS).await? {
        return Ok(());
    }
    let minutes = state.config.lock_minutes.to_string();
    let letter = Letter::from_catalog(mail::member_lang(&contact, ctx.lang), "locked", 2, None)
        .with_args(&[("minutes", &minutes)]);
    mail::queue(state, &contact.email, &letter).await?;
    Ok(())
}

/// Forgets an account's failures and the wait on its ID number after she proved who she is
/// another way than the password (a reset by mail, her card), and audits the end of a pause
/// that was running as an `unlock` with `why` as its outcome.
pub async fn end_pause(
    state: &AppState,
    ctx: &Ctx,
    account_id: i64,
    id_number: &str,
    why: &str,
) -> Result<(), AppError> {
    let paused = locked_on(state, &[Some(account_key(account_id))]).await?;
    clear(state, account_id, id_number).await?;
    if paused {
        // Stored IDs were checked when they were loaded; the audit record masks it.
        audit(state, ctx, "unlock", why, Some(account_id), IdNumber::parse(id_number).ok().as_ref()).await?;
    }
    Ok(())
}

/// Forgets an account's failures and the delay on its ID number: she signed in, or set a new
/// password.
pub async fn clear(state: &AppState, account_id: i64, id_number: &str) -> Result<(), AppError> {
    state.store.clear_sign_in_failures(&account_key(account_id)).await?;
    state.store.clear_sign_in_failures(&id_key(id_number)).await?;
    Ok(())
}

/// The client's address. Behind a configured proxy it is the nearest address in
/// `X-Forwarded-For` that is not itself a trusted proxy; otherwise forwarded headers are
/// ignored, since anyone can send them.
pub fn client_address(peer: Option<IpAddr>, headers: &HeaderMap, trusted: &[IpAddr]) -> Option<IpAddr> {
    let peer = peer?;
    if !trusted.contains(&peer) {
        return Some(peer);
    }
    let forwarded = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .collect::<Vec<_>>();
    for hop in forwarded.iter().rev() {
        match forwarded_address(hop) {
            Some(addr) if trusted.contains(&addr) => continue,
            Some(addr) => return Some(addr),
            None => return Some(peer),
        }
    }
    Some(peer)
}

/// The address a client's requests are counted under: an IPv4 address as it is, an IPv6
/// address by its /64 network. One subscriber or host is normally given a whole /64, so
/// counting each of its 2^64 addresses apart would let one client step around every
/// per-address wait, pause and ceiling. An IPv4 address written as IPv6 (`::ffff:a.b.c.d`)
/// counts as the IPv4 address.
pub fn counted_address(addr: IpAddr) -> String {
    match addr {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let network = u128::from(v6) & !((1_u128 << 64) - 1);
                format!("{}/64", std::net::Ipv6Addr::from(network))
            }
        },
    }
}

/// The address of one `X-Forwarded-For` entry: a bare address, or one with the port some
/// proxies append (`203.0.113.9:5555`, `[2001:db8::1]:443`). Anything else is not believed.
fn forwarded_address(hop: &str) -> Option<IpAddr> {
    hop.parse::<IpAddr>().ok().or_else(|| hop.parse::<std::net::SocketAddr>().ok().map(|s| s.ip()))
}

/// How long the allowances of [`allowance_used_up`] count requests.
pub const RATE_WINDOW_SECONDS: i64 = 3600;

/// How many requests of one kind may be made in an hour: by one session (and with one device
/// cookie nonce), and from one client address by browsers without a trusted device cookie.
#[derive(Clone, Copy)]
pub struct Allowance {
    pub session: i64,
    pub address: i64,
}

impl Allowance {
    /// Captcha images (`captcha_session_limit`, `captcha_rate_limit`).
    pub fn captcha(state: &AppState) -> Allowance {
        Allowance { session: state.config.captcha_session_limit, address: state.config.captcha_rate_limit }
    }

    /// Registration and reset posts (`form_session_limit`, `form_rate_limit`).
    pub fn form(state: &AppState) -> Allowance {
        Allowance { session: state.config.form_session_limit, address: state.config.form_rate_limit }
    }
}

fn rate_key(ctx: &Ctx, action: &str) -> Option<String> {
    ctx.client_addr.map(|addr| format!("{action}:addr:{}", counted_address(addr)))
}

/// The session's key: its hash hashed again, so the table holds nothing that finds a session.
fn session_rate_key(ctx: &Ctx, action: &str) -> Option<String> {
    let session = ctx.session.as_ref()?;
    Some(format!("{action}:session:{}", crate::session::hash_token(&session.token_hash)))
}

fn device_rate_key(entry: &Entry, action: &str) -> String {
    format!("{action}:device:{}", entry.nonce_hash)
}

async fn used_up(state: &AppState, key: Option<&str>) -> Result<bool, AppError> {
    let Some(key) = key else {
        return Ok(false);
    };
    Ok(state.store.locked_until(key, state.now()).await?.is_some())
}

async fn count(state: &AppState, key: Option<&str>, limit: i64) -> Result<(), AppError> {
    if let Some(key) = key {
        let limit = Limit { threshold: limit, lock_seconds: RATE_WINDOW_SECONDS };
        state.store.record_sign_in_failure(key, state.now(), limit).await?;
    }
    Ok(())
}

/// Whether the browser is exempt from the address's ceiling: it brings a device cookie nonce
/// trusted for some account, and none of its trusted nonces has used up its own allowance of
/// `action`. So a nurse at a hospital's shared address is not refused because a stranger
/// there drew the address's allowance, and whoever steals her cookie gets the session
/// allowance an hour with it, however many sessions he starts; past that, the address's
/// ceiling holds him like anyone without a cookie.
async fn exempt(state: &AppState, devices: &Devices, action: &str) -> Result<bool, AppError> {
    let mut any = false;
    for entry in devices.trusted() {
        if used_up(state, Some(&device_rate_key(entry, action))).await? {
            return Ok(false);
        }
        any = true;
    }
    Ok(any)
}

/// Whether the address's ceiling for `action` refuses this request: never for a browser
/// exempt from it (see `exempt`). Counts nothing. Asked before a session is made, so a flood
/// from one address without cookies is refused cheaply.
pub async fn address_used_up(
    state: &AppState,
    ctx: &Ctx,
    devices: &Devices,
    action: &str,
) -> Result<bool, AppError> {
    if exempt(state, devices, action).await? {
        return Ok(false);
    }
    used_up(state, rate_key(ctx, action).as_deref()).await
}

/// Whether this request to `action` is refused for its allowance: its session's is used up,
/// or the address's ceiling is (see [`address_used_up`]). Counts nothing.
pub async fn allowance_used_up(
    state: &AppState,
    ctx: &Ctx,
    devices: &Devices,
    action: &str,
) -> Result<bool, AppError> {
    Ok(used_up(state, session_rate_key(ctx, action).as_deref()).await?
        || address_used_up(state, ctx, devices, action).await?)
}

/// Counts one request to `action` on its session and, for a browser exempt from the address's
/// ceiling, on each of its trusted device cookie nonces; for any other, on the client's
/// address. Forms call it only once their CSRF token and captcha passed, so a stranger who
/// sends posts with wrong captchas uses up nobody's allowance.
pub async fn count_allowance(
    state: &AppState,
    ctx: &Ctx,
    devices: &Devices,
    action: &str,
    allowance: Allowance,
) -> Result<(), AppError> {
    count(state, session_rate_key(ctx, action).as_deref(), allowance.session).await?;
    if exempt(state, devices, action).await? {
        for entry in devices.trusted() {
            count(state, Some(&device_rate_key(entry, action)), allowance.session).await?;
        }
        return Ok(());
    }
    count(state, rate_key(ctx, action).as_deref(), allowance.address).await
}

/// The key counting the links of one `kind` (`reset`, `verify`) mailed to an account.
fn link_mail_key(account_id: i64, kind: &str) -> String {
    format!("{kind}_mail:{}", account_key(account_id))
}

/// Counts a link of `kind` about to be mailed to the account and says whether it is within its
/// `per_hour`. Counted first, in one statement, so requests sent at the same moment cannot all
/// pass a check made before any of them is counted.
pub async fn claim_link_mail(
    state: &AppState,
    account_id: i64,
    kind: &str,
    per_hour: i64,
) -> Result<bool, AppError> {
    let limit = Limit { threshold: per_hour, lock_seconds: RATE_WINDOW_SECONDS };
    let key = link_mail_key(account_id, kind);
    let (mailed, _) = state.store.record_sign_in_failure(&key, state.now(), limit).await?;
    Ok(mailed <= per_hour)
}

/// Whether this is the first refusal of `action` for the client's address in the hour, so a
/// flood of refused posts adds one audit row an hour, not one per post.
pub async fn first_refusal(state: &AppState, ctx: &Ctx, action: &str) -> Result<bool, AppError> {
    let Some(key) = rate_key(ctx, &format!("refused:{action}")) else {
        return Ok(true);
    };
    Ok(state.store.claim_once(&key, state.now(), RATE_WINDOW_SECONDS).await?)
}

/// Counts a password typed with a mailed link (by the hash of its token), before it is checked,
/// and returns how many have been typed with it, this one included. Used on the verification
/// page, where the ID's waits and pauses do not apply: the link bounds the guessing instead, for
/// as long as it lives (`lifetime_seconds`). Counted first, in one statement, so a burst of
/// posts gets no more checks than posts one after another; the caller makes the link void at
/// its last guess.
pub async fn count_link_guess(
    state: &AppState,
    token_hash: &str,
    lifetime_seconds: i64,
) -> Result<i64, AppError> {
    let key = format!("link:{token_hash}");
    let now = state.now();
    let limit = Limit { threshold: i64::MAX, lock_seconds: lifetime_seconds };
    let (typed, _) = state.store.record_sign_in_failure(&key, now, limit).await?;
    // Nothing reads a link's "not before"; set to the end of the link's life, it keeps the
    // housekeeping purge (which spares rows whose wait still runs) from forgetting the count
    // an hour after the last guess.
    state.store.delay_sign_in(&key, now + lifetime_seconds).await?;
    Ok(typed)
}

/// How often a member may be sent one kind of warning mail (someone tried to register with
/// her details): at most once in this many seconds, so a stranger who knows her ID cannot fill
/// her mailbox.
pub const WARNING_PERIOD_SECONDS: i64 = 3600;

/// Whether a warning of `kind` may go to the account's address now; if so, the next one of
/// that kind waits [`WARNING_PERIOD_SECONDS`].
pub async fn may_warn(state: &AppState, account_id: i64, kind: &str) -> Result<bool, AppError> {
    let key = format!("warn:{kind}:{}", account_key(account_id));
    Ok(state.store.claim_once(&key, state.now(), WARNING_PERIOD_SECONDS).await?)
}

/// The card path's pause key for the client's address.
fn card_key(ctx: &Ctx) -> Option<String> {
    ctx.client_addr.map(|addr| format!("card:addr:{}", counted_address(addr)))
}

/// Whether card sign-in and linking are paused for the client's address: after
/// `card_rate_limit` failed card attempts within an hour, until the hour is over. Only failures
/// count, so a hospital whose staff share one address and sign in by card all day is never
/// paused; the default is as high as the password path's `address_lock_threshold` for the same
/// reason. Each attempt also needs a challenge signed by a card, which is slow to make up.
pub async fn card_paused(state: &AppState, ctx: &Ctx) -> Result<bool, AppError> {
    let Some(key) = card_key(ctx) else {
        return Ok(false);
    };
    Ok(state.store.locked_until(&key, state.now()).await?.is_some())
}

/// Counts a failed card attempt from the client's address.
pub async fn count_card_failure(state: &AppState, ctx: &Ctx) -> Result<(), AppError> {
    if let Some(key) = card_key(ctx) {
        let limit = Limit { threshold: state.config.card_rate_limit, lock_seconds: 3600 };
        state.store.record_sign_in_failure(&key, state.now(), limit).await?;
    }
    Ok(())
}

/// The device cookie's name: `__Host-` prefixed over https, like the session cookie.
fn device_cookie_name(state: &AppState) -> &'static str {
    if state.config.secure_cookies() { "__Host-huzhu_device" } else { "huzhu_device" }
}

/// The most accounts a browser's device cookie keeps a nonce for: a ward PC shared by a few
/// nurses protects each of them; a sign-in to one more account drops the oldest.
pub const DEVICE_COOKIE_ENTRIES: usize = 5;

/// Joins the nonces in the cookie's value: a nonce is URL-safe base64 (`A`–`Z`, `a`–`z`,
/// `0`–`9`, `-`, `_`), which has no dot, and a dot may stand in a cookie value unquoted.
const NONCE_SEPARATOR: &str = ".";

/// The longest nonce looked at; ours are 43 characters.
const NONCE_MAX_LEN: usize = 64;

/// A browser that signed in to an account with its password before, shown by one of the nonces
/// of its device cookie (OWASP's "device cookies"): the SHA-256 of that nonce.
pub struct Device {
    nonce_hash: String,
    /// Attempts counted on the nonce, this one included, once [`device_attempt`] counted it.
    attempts: i64,
}

/// One nonce of the request's device cookie, with what the server knows of it.
struct Entry {
    nonce: String,
    nonce_hash: String,
    /// The account it was given for, and its failures, unless it is made up or expired.
    row: Option<(i64, i64)>,
}

/// The nonces of the device cookie a request brings, oldest first, each looked up once.
pub struct Devices {
    entries: Vec<Entry>,
    max_failures: i64,
}

impl Devices {
    /// The nonce trusted for `account_id`: given to this browser after a sign-in to that very
    /// account, not expired, and with fewer than `device_cookie_failures` failures.
    fn trusted_for(&self, account_id: Option<i64>) -> Option<Device> {
        let account_id = account_id?;
        self.trusted()
            .find(|entry| entry.row.map(|(owner, _)| owner) == Some(account_id))
            .map(|entry| Device { nonce_hash: entry.nonce_hash.clone(), attempts: 0 })
    }

    /// The nonces trusted for some account.
    fn trusted(&self) -> impl Iterator<Item = &Entry> {
        self.entries
            .iter()
            .filter(|entry| entry.row.is_some_and(|(_, failures)| failures < self.max_failures))
    }
}

/// Whether `piece` can be a nonce of ours: not empty, at most [`NONCE_MAX_LEN`] characters,
/// all of them URL-safe base64.
fn looks_like_nonce(piece: &str) -> bool {
    !piece.is_empty()
        && piece.len() <= NONCE_MAX_LEN
        && piece.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The nonces in the request's device cookie, oldest first: at most [`DEVICE_COOKIE_ENTRIES`]
/// of them, each at most once. Pieces that cannot be a nonce are skipped, so a junk or
/// over-long cookie counts as none and never fails the request.
fn cookie_nonces(state: &AppState, headers: &HeaderMap) -> Vec<String> {
    let name = device_cookie_name(state);
    let value = headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value);
    let mut nonces: Vec<String> = Vec::new();
    for piece in value.unwrap_or("").split(NONCE_SEPARATOR).filter(|piece| looks_like_nonce(piece)) {
        if nonces.len() == DEVICE_COOKIE_ENTRIES {
            break;
        }
        if !nonces.iter().any(|seen| seen == piece) {
            nonces.push(piece.to_owned());
        }
    }
    nonces
}

/// Looks up every nonce of the request's device cookie, whatever account the request is
/// about, so the time taken tells nothing about who is registered.
pub async fn devices(state: &AppState, headers: &HeaderMap) -> Result<Devices, AppError> {
    let now = state.now();
    let mut entries = Vec::new();
    for nonce in cookie_nonces(state, headers) {
        let nonce_hash = crate::session::hash_token(&nonce);
        let row = state.store.device_cookie(&nonce_hash, now).await?;
        entries.push(Entry { nonce, nonce_hash, row });
    }
    Ok(Devices { entries, max_failures: state.config.device_cookie_failures })
}

/// The device cookie nonce the request brings that is trusted for `account_id`, if any. A
/// nonce of another account, a made-up one, an expired or a used-up one gives nothing, and the
/// usual waits and pauses apply. Every nonce is looked up even when the typed ID has no
/// account (`None`).
pub async fn trusted_device(
    state: &AppState,
    headers: &HeaderMap,
    account_id: Option<i64>,
) -> Result<Option<Device>, AppError> {
    Ok(devices(state, headers).await?.trusted_for(account_id))
}

/// After a password sign-in, or a reset by mail (she proved her mailbox and chose the
/// password): a new nonce for this account in the browser's device cookie. The account's
/// earlier nonce in it is replaced (its row deleted, so its failure count starts again), the
/// other accounts' nonces are kept, made-up and expired ones are left out, and when more than
/// [`DEVICE_COOKIE_ENTRIES`] remain the oldest go, rows and all. Only the nonces' hashes are
/// stored.
pub async fn issue_device_cookie(
    state: &AppState,
    account_id: i64,
    headers: &HeaderMap,
) -> Result<axum::http::HeaderValue, AppError> {
    let mut kept = Vec::new();
    for entry in devices(state, headers).await?.entries {
        match entry.row {
            Some((owner, _)) if owner == account_id => {
                state.store.delete_device_cookie(&entry.nonce_hash).await?;
            }
            Some(_) => kept.push(entry),
            None => {}
        }
    }
    let (nonce, nonce_hash) = crate::session::new_token();
    let seconds = state.config.device_cookie_days * 86_400;
    state.store.add_device_cookie(&nonce_hash, account_id, state.now() + seconds).await?;
    kept.push(Entry { nonce, nonce_hash, row: Some((account_id, 0)) });
    while kept.len() > DEVICE_COOKIE_ENTRIES {
        let dropped = kept.remove(0);
        state.store.delete_device_cookie(&dropped.nonce_hash).await?;
    }
    let nonces: Vec<&str> = kept.iter().map(|entry| entry.nonce.as_str()).collect();
    let secure = if state.config.secure_cookies() { "; Secure" } else { "" };
    let value = format!(
        "{}={}; Path=/; Max-Age={seconds}; HttpOnly; SameSite=Lax{secure}",
        device_cookie_name(state),
        nonces.join(NONCE_SEPARATOR)
    );
    Ok(axum::http::HeaderValue::from_str(&value).map_err(anyhow::Error::from)?)
}

/// Counts an attempt with a trusted device cookie before its password is checked, on its nonce
/// for that account alone: the ID's and the address's counts, and the browser's nonces for
/// other accounts, are left alone, so a stranger's guesses elsewhere and hers do not add up.
/// Counted first, in one statement, so that a burst of attempts sent at once with a stolen
/// cookie gets no more than `device_cookie_failures` looked at; `None` once the nonce is used
/// up (the attempt is then throttled like one without a cookie). A right password gives the
/// attempt back ([`forgive_device`]) or replaces the cookie.
pub async fn device_attempt(state: &AppState, device: Option<Device>) -> Result<Option<Device>, AppError> {
    let Some(device) = device else {
        return Ok(None);
    };
    let max = state.config.device_cookie_failures;
    let counted = state.store.count_device_attempt(&device.nonce_hash, state.now(), max).await?;
    Ok(counted.map(|attempts| Device { attempts, ..device }))
}

/// Gives back the attempt [`device_attempt`] counted, after the right password.
pub async fn forgive_device(state: &AppState, device: &Device) -> Result<(), AppError> {
    Ok(state.store.forgive_device_attempt(&device.nonce_hash).await?)
}

/// After a wrong password with a trusted device cookie (already counted by [`device_attempt`]):
/// at `device_cookie_failures` the cookie stops being trusted, which is audited and returned
/// as true.
pub async fn device_failure(
    state: &AppState,
    ctx: &Ctx,
    device: &Device,
    account_id: i64,
    id_number: &IdNumber,
) -> Result<bool, AppError> {
    if device.attempts < state.config.device_cookie_failures {
        return Ok(false);
    }
    audit(state, ctx, "device_cookie", "distrusted", Some(account_id), Some(id_number)).await?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::{counted_address, forwarded_address};

    #[test]
    fn a_forwarded_entry_is_read_with_or_without_a_port() {
        let read = |hop: &str| forwarded_address(hop).map(|a| a.to_string());
        assert_eq!(read("203.0.113.9"), Some("203.0.113.9".to_owned()));
        assert_eq!(read("203.0.113.9:5555"), Some("203.0.113.9".to_owned()));
        assert_eq!(read("2001:db8::1"), Some("2001:db8::1".to_owned()));
        assert_eq!(read("[2001:db8::1]:443"), Some("2001:db8::1".to_owned()));
        assert_eq!(read("unknown"), None);
        assert_eq!(read("203.0.113.9:port"), None);
    }

    fn counted(text: &str) -> String {
        counted_address(text.parse().expect("an address"))
    }

    #[test]
    fn ipv6_addresses_count_by_their_64_network_and_ipv4_as_they_are() {
        // The first four groups (64 bits) are kept, the rest zeroed.
        assert_eq!(counted("2001:db8:1:2:3:4:5:6"), "2001:db8:1:2::/64");
        assert_eq!(counted("2001:db8:2::1"), "2001:db8:2::/64");
        assert_eq!(counted("2001:db8:2::c"), "2001:db8:2::/64");
        assert_eq!(counted("2001:db8:2:0:ffff:ffff:ffff:ffff"), "2001:db8:2::/64");
        assert_eq!(counted("2001:db8:2:1::1"), "2001:db8:2:1::/64");
        assert_eq!(counted("203.0.113.9"), "203.0.113.9");
        // IPv4 written as IPv6 (::ffff:c000:207) counts as the IPv4 address.
        assert_eq!(counted("::ffff:192.0.2.7"), "192.0.2.7");
    }
}
