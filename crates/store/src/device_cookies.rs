//! Device cookies: browsers that signed in to an account with its password before. Only the
//! SHA-256 of each cookie's nonce is stored, with its account.

use anyhow::Context;

use crate::{Store, on_pool};

impl Store {
    /// Remembers a new device cookie for `account_id` until `expires_at`.
    pub async fn add_device_cookie(
        &self,
        nonce_hash: &str,
        account_id: i64,
        expires_at: i64,
    ) -> anyhow::Result<()> {
        on_pool!(self, pool => sqlx::query(
            "INSERT INTO device_cookies (nonce_hash, account_id, expires_at, failures) VALUES ($1, $2, $3, 0)",
        )
        .bind(nonce_hash)
        .bind(account_id)
        .bind(expires_at)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))
        .context("remembering a device cookie")?;
        Ok(())
    }

    /// The account a device cookie was given for and its failed sign-ins so far, if it has not
    /// expired at `now`. A used-up cookie is still found, so a new sign-in to its account
    /// replaces it.
    pub async fn device_cookie(&self, nonce_hash: &str, now: i64) -> anyhow::Result<Option<(i64, i64)>> {
        let row: Option<(i64, i64)> = on_pool!(self, pool => sqlx::query_as(
            "SELECT account_id, failures FROM device_cookies WHERE nonce_hash = $1 AND expires_at > $2",
        )
        .bind(nonce_hash)
        .bind(now)
        .fetch_optional(pool)
        .await)
        .context("reading a device cookie")?;
        Ok(row)
    }

    /// Counts an attempt with a device cookie before its password is checked, if the cookie is
    /// still trusted (fewer than `max_failures`, not expired); returns the count with this one.
    /// Counted first, in one statement, so attempts sent at once cannot all pass the check
    /// before any is counted; a success gives it back ([`Store::forgive_device_attempt`]) or
    /// replaces the cookie.
    pub async fn count_device_attempt(
        &self,
        nonce_hash: &str,
        now: i64,
        max_failures: i64,
    ) -> anyhow::Result<Option<i64>> {
        let row: Option<(i64,)> = on_pool!(self, pool => sqlx::query_as(
            "UPDATE device_cookies SET failures = failures + 1
             WHERE nonce_hash = $1 AND expires_at > $2 AND failures < $3
             RETURNING failures",
        )
        .bind(nonce_hash)
        .bind(now)
        .bind(max_failures)
        .fetch_optional(pool)
        .await)
        .context("counting an attempt with a device cookie")?;
        Ok(row.map(|r| r.0))
    }

    /// Takes back an attempt counted by [`Store::count_device_attempt`] that was right.
    pub async fn forgive_device_attempt(&self, nonce_hash: &str) -> anyhow::Result<()> {
        on_pool!(self, pool => sqlx::query(
            "UPDATE device_cookies SET failures = failures - 1 WHERE nonce_hash = $1 AND failures > 0",
        )
        .bind(nonce_hash)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))
        .context("forgiving an attempt with a device cookie")?;
        Ok(())
    }

    /// Forgets a device cookie: it was replaced by a new one after a sign-in, or dropped from a
    /// browser that holds cookies for more accounts than it may keep.
    pub async fn delete_device_cookie(&self, nonce_hash: &str) -> anyhow::Result<()> {
        on_pool!(self, pool => sqlx::query("DELETE FROM device_cookies WHERE nonce_hash = $1")
            .bind(nonce_hash)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))
        .context("deleting a device cookie")?;
        Ok(())
    }

    /// Deletes the device cookies that expired before `now`.
    pub async fn purge_device_cookies(&self, now: i64) -> anyhow::Result<u64> {
        on_pool!(self, pool => sqlx::query("DELETE FROM device_cookies WHERE expires_at <= $1")
            .bind(now)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))
        .context("purging expired device cookies")
    }
}
