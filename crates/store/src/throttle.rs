//! Failed password sign-ins, counted per account and per client address in the database, so
//! that every process of the portal sees the same counts.

use anyhow::Context;

use crate::{Store, on_pool};

/// The rule a failure is counted under.
#[derive(Debug, Clone, Copy)]
pub struct Limit {
    /// Failures that start a lock.
    pub threshold: i64,
    /// How long the lock lasts, and how long a failure is remembered.
    pub lock_seconds: i64,
}

impl Store {
    /// Whether `key` is locked at `now`.
    pub async fn locked_until(&self, key: &str, now: i64) -> anyhow::Result<Option<i64>> {
        let row: Option<(i64,)> = on_pool!(self, pool => sqlx::query_as(
            "SELECT locked_until FROM sign_in_throttle WHERE throttle_key = $1 AND locked_until > $2",
        )
        .bind(key)
        .bind(now)
        .fetch_optional(pool)
        .await)
        .context("reading a sign-in lock")?;
        Ok(row.map(|r| r.0))
    }

    /// Counts a failure and returns the count and whether this failure started a lock. A
    /// failure older than the lock period, or one before an expired lock, is forgotten. The
    /// whole step is one statement, so two processes counting at once lose nothing.
    pub async fn record_sign_in_failure(
        &self,
        key: &str,
        now: i64,
        limit: Limit,
    ) -> anyhow::Result<(i64, bool)> {
        let row: (i64, i64) = on_pool!(self, pool => sqlx::query_as(
            "INSERT INTO sign_in_throttle (throttle_key, failures, last_failure_at, locked_until)
             VALUES ($1, 1, $2, CASE WHEN 1 >= $3 THEN $4 ELSE 0 END)
             ON CONFLICT (throttle_key) DO UPDATE SET
                 failures = CASE
                     WHEN sign_in_throttle.last_failure_at <= $5
                       OR (sign_in_throttle.locked_until > 0 AND sign_in_throttle.locked_until <= $2) THEN 1
                     ELSE sign_in_throttle.failures + 1 END,
                 locked_until = CASE
                     WHEN sign_in_throttle.last_failure_at > $5
                       AND NOT (sign_in_throttle.locked_until > 0 AND sign_in_throttle.locked_until <= $2)
                       AND sign_in_throttle.failures + 1 >= $3 THEN $4
                     WHEN sign_in_throttle.locked_until <= $2 THEN 0
                     ELSE sign_in_throttle.locked_until END,
                 last_failure_at = $2
             RETURNING failures, locked_until",
        )
        .bind(key)
        .bind(now)
        .bind(limit.threshold)
        .bind(now + limit.lock_seconds)
        .bind(now - limit.lock_seconds)
        .fetch_one(pool)
        .await)
        .context("counting a failed sign-in")?;
        let (failures, locked_until) = row;
        Ok((failures, failures == limit.threshold && locked_until > now))
    }

    /// When a sign-in on `key` may next be looked at, if that is still after `now`.
    pub async fn not_before(&self, key: &str, now: i64) -> anyhow::Result<Option<i64>> {
        let row: Option<(i64,)> = on_pool!(self, pool => sqlx::query_as(
            "SELECT not_before FROM sign_in_throttle WHERE throttle_key = $1 AND not_before > $2",
        )
        .bind(key)
        .bind(now)
        .fetch_optional(pool)
        .await)
        .context("reading a sign-in delay")?;
        Ok(row.map(|r| r.0))
    }

    /// Takes the turn on `key` for one password check: sets its "not before" to `hold_until`
    /// unless a wait (or another attempt's turn) still runs at `now`, and says whether it was
    /// taken. One statement, so of many attempts sent at once only one is looked at: a wait
    /// checked and a failure counted in separate steps would let a burst through between them.
    pub async fn take_turn(&self, key: &str, now: i64, hold_until: i64) -> anyhow::Result<bool> {
        let taken: Option<(i64,)> = on_pool!(self, pool => sqlx::query_as(
            "INSERT INTO sign_in_throttle (throttle_key, failures, last_failure_at, locked_until, not_before)
             VALUES ($1, 0, 0, 0, $3)
             ON CONFLICT (throttle_key) DO UPDATE SET not_before = $3
             WHERE sign_in_throttle.not_before <= $2
             RETURNING not_before",
        )
        .bind(key)
        .bind(now)
        .bind(hold_until)
        .fetch_optional(pool)
        .await)
        .context("taking a sign-in turn")?;
        Ok(taken.is_some())
    }

    /// Adds `delta` (1 or -1) to the count of `key`, a counter of attempts being checked, and
    /// returns it. A count untouched since `stale_before` starts again from nothing, so one
    /// that a failed request never took back is forgotten. One statement, so attempts sent at
    /// once each see a count of their own.
    pub async fn add_to_count(
        &self,
        key: &str,
        delta: i64,
        now: i64,
        stale_before: i64,
    ) -> anyhow::Result<i64> {
        let row: (i64,) = on_pool!(self, pool => sqlx::query_as(
            "INSERT INTO sign_in_throttle (throttle_key, failures, last_failure_at, locked_until, not_before)
             VALUES ($1, CASE WHEN $2 > 0 THEN $2 ELSE 0 END, $3, 0, 0)
             ON CONFLICT (throttle_key) DO UPDATE SET
                 failures = CASE
                     WHEN sign_in_throttle.last_failure_at <= $4 THEN CASE WHEN $2 > 0 THEN $2 ELSE 0 END
                     WHEN sign_in_throttle.failures + $2 < 0 THEN 0
                     ELSE sign_in_throttle.failures + $2 END,
                 last_failure_at = $3
             RETURNING failures",
        )
        .bind(key)
        .bind(delta)
        .bind(now)
        .bind(stale_before)
        .fetch_one(pool)
        .await)
        .context("counting attempts being checked")?;
        Ok(row.0)
    }

    /// The failures remembered on `key` since `since`.
    pub async fn recent_failures(&self, key: &str, since: i64) -> anyhow::Result<i64> {
        let row: Option<(i64,)> = on_pool!(self, pool => sqlx::query_as(
            "SELECT failures FROM sign_in_throttle WHERE throttle_key = $1 AND last_failure_at > $2",
        )
        .bind(key)
        .bind(since)
        .fetch_optional(pool)
        .await)
        .context("reading sign-in failures")?;
        Ok(row.map_or(0, |r| r.0))
    }

    /// Gives back a turn taken with [`Store::take_turn`] after a success, unless something
    /// (a failure counted meanwhile) has set another wait since.
    pub async fn give_back_turn(&self, key: &str, now: i64, hold_until: i64) -> anyhow::Result<()> {
        on_pool!(self, pool => sqlx::query(
            "UPDATE sign_in_throttle SET not_before = $2 WHERE throttle_key = $1 AND not_before = $3",
        )
        .bind(key)
        .bind(now)
        .bind(hold_until)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))
        .context("giving back a sign-in turn")?;
        Ok(())
    }

    /// Sets the time before which a sign-in on `key` is not looked at. The row exists: it was
    /// made by the failure being answered.
    pub async fn delay_sign_in(&self, key: &str, not_before: i64) -> anyhow::Result<()> {
        on_pool!(self, pool => sqlx::query("UPDATE sign_in_throttle SET not_before = $2 WHERE throttle_key = $1")
            .bind(key)
            .bind(not_before)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))
        .context("delaying sign-in")?;
        Ok(())
    }

    /// Deletes the rows of keys with no failure since `before` and no lock or wait still
    /// running: the caller sets `before` at least one lock period back for every kind of key,
    /// so the next failure on such a key would start again from 1, exactly as with the row.
    /// Run by the housekeeping task of every process at once (each row goes once), so the
    /// hashed ID numbers of old failures do not pile up.
    pub async fn purge_sign_in_throttle(&self, before: i64, now: i64) -> anyhow::Result<u64> {
        on_pool!(self, pool => sqlx::query(
            "DELETE FROM sign_in_throttle
             WHERE last_failure_at < $1 AND locked_until <= $2 AND not_before <= $2",
        )
        .bind(before)
        .bind(now)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))
        .context("purging old sign-in failures")
    }

    /// Claims `key` for `seconds` unless an earlier claim still runs; returns whether this call
    /// got it. One statement, so of two processes claiming at once only one gets it. Used to
    /// send a member at most one warning mail of a kind per period.
    pub async fn claim_once(&self, key: &str, now: i64, seconds: i64) -> anyhow::Result<bool> {
        let row: Option<(i64,)> = on_pool!(self, pool => sqlx::query_as(
            "INSERT INTO sign_in_throttle (throttle_key, failures, last_failure_at, locked_until)
             VALUES ($1, 1, $2, $3)
             ON CONFLICT (throttle_key) DO UPDATE SET failures = 1, last_failure_at = $2, locked_until = $3
             WHERE sign_in_throttle.locked_until <= $2
             RETURNING locked_until",
        )
        .bind(key)
        .bind(now)
        .bind(now + seconds)
        .fetch_optional(pool)
        .await)
        .context("claiming a warning period")?;
        Ok(row.is_some())
    }

    /// Forgets the failures of `key`: after a successful sign-in or a new password.
    pub async fn clear_sign_in_failures(&self, key: &str) -> anyhow::Result<()> {
        on_pool!(self, pool => sqlx::query("DELETE FROM sign_in_throttle WHERE throttle_key = $1")
            .bind(key)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))
        .context("clearing failed sign-ins")?;
        Ok(())
    }
}
