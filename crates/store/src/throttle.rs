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

    /// Removes counts that no longer matter: not locked at `now`, and last failing at or before
    /// `forget_before`, which the caller sets at least one lock period back for every kind of
    /// key. The next failure on such a key would start again from 1, exactly as with no row, so
    /// nothing changes for anyone; safe to run from every process at once.
    pub async fn delete_forgotten_failures(&self, now: i64, forget_before: i64) -> anyhow::Result<u64> {
        let deleted = on_pool!(self, pool => sqlx::query(
            "DELETE FROM sign_in_throttle WHERE locked_until <= $1 AND last_failure_at <= $2",
        )
        .bind(now)
        .bind(forget_before)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))
        .context("deleting old sign-in failures")?;
        Ok(deleted)
    }
}
