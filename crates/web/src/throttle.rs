//! Throttling of password sign-in that cannot lock a nurse out.
//!
//! After `lock_threshold` failures within `lock_minutes`, the password path of that account is
//! paused for `lock_minutes`; a client address is paused the same way after
//! `address_lock_threshold` failures (set higher, since a hospital's staff share one address).
//! The pause is soft: the answer is the same as for a wrong password, the member is told by
//! mail, and a password reset by mail (and card sign-in, which does not use this path) still
//! works and ends the pause.

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

fn address_key(ctx: &Ctx) -> Option<String> {
    ctx.client_addr.map(|addr| format!("addr:{addr}"))
}

fn account_limit(state: &AppState) -> Limit {
    Limit { threshold: state.config.lock_threshold, lock_seconds: state.config.lock_minutes * 60 }
}

fn address_limit(state: &AppState) -> Limit {
    Limit { threshold: state.config.address_lock_threshold, lock_seconds: state.config.lock_minutes * 60 }
}

/// Whether the password path is paused for this account or this client address.
pub async fn is_locked(state: &AppState, ctx: &Ctx, account_id: Option<i64>) -> Result<bool, AppError> {
    let now = state.now();
    if let Some(account_id) = account_id
        && state.store.locked_until(&account_key(account_id), now).await?.is_some()
    {
        return Ok(true);
    }
    if let Some(key) = address_key(ctx)
        && state.store.locked_until(&key, now).await?.is_some()
    {
        return Ok(true);
    }
    Ok(false)
}

/// Counts a failed sign-in; when it starts a lock of the account, records it and tells the
/// member by mail at her registered address.
pub async fn record_failure(
    state: &AppState,
    ctx: &Ctx,
    account_id: Option<i64>,
    id_number: &IdNumber,
) -> Result<(), AppError> {
    let now = state.now();
    if let Some(key) = address_key(ctx) {
        let (_, locked) = state.store.record_sign_in_failure(&key, now, address_limit(state)).await?;
        if locked {
            audit(state, ctx, "lock", "address", None, None).await?;
        }
    }
    let Some(account_id) = account_id else {
        return Ok(());
    };
    let (_, locked) =
        state.store.record_sign_in_failure(&account_key(account_id), now, account_limit(state)).await?;
    if locked {
        audit(state, ctx, "lock", "account", Some(account_id), Some(id_number)).await?;
        if let Some(contact) = state.store.contact_by_account(account_id).await? {
            let letter = Letter::from_catalog(ctx.lang, "locked", 2, None);
            mail::queue(state, &contact.email, &letter).await?;
        }
    }
    Ok(())
}

/// Forgets an account's failures: she signed in, or set a new password.
pub async fn clear(state: &AppState, account_id: i64) -> Result<(), AppError> {
    state.store.clear_sign_in_failures(&account_key(account_id)).await?;
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
        match hop.parse::<IpAddr>() {
            Ok(addr) if trusted.contains(&addr) => continue,
            Ok(addr) => return Some(addr),
            Err(_) => return Some(peer),
        }
    }
    Some(peer)
}

/// How long [`over_rate`] counts requests.
pub const RATE_WINDOW_SECONDS: i64 = 3600;

/// Counts a request to `action` from the client's address and says whether the address has
/// used up its allowance of `limit` an hour.
pub async fn over_rate(state: &AppState, ctx: &Ctx, action: &str, limit: i64) -> Result<bool, AppError> {
    let Some(addr) = ctx.client_addr else {
        return Ok(false);
    };
    let key = format!("{action}:addr:{addr}");
    let now = state.now();
    if state.store.locked_until(&key, now).await?.is_some() {
        return Ok(true);
    }
    state
        .store
        .record_sign_in_failure(&key, now, Limit { threshold: limit, lock_seconds: RATE_WINDOW_SECONDS })
        .await?;
    Ok(false)
}
