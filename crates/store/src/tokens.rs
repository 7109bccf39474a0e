//! Single-use links mailed to members, stored as the SHA-256 of their random part.

use anyhow::Context;

use crate::{Store, on_pool};

/// What a link is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    VerifyEmail,
    ResetPassword,
}

impl Purpose {
    fn code(self) -> &'static str {
        match self {
            Purpose::VerifyEmail => "verify",
            Purpose::ResetPassword => "reset",
        }
    }
}

/// What a link presented by a visitor turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkState {
    /// It works, for this account.
    Live(i64),
    /// It was this account's, and its time is over.
    Expired(i64),
    /// No such link: never issued, already used, or withdrawn by a newer one (a used or
    /// withdrawn link's row is gone, so these cannot be told apart).
    Unknown,
}

impl LinkState {
    pub fn live(self) -> Option<i64> {
        match self {
            LinkState::Live(account_id) => Some(account_id),
            _ => None,
        }
    }

    fn of(row: Option<(i64, i64)>, now: i64) -> LinkState {
        match row {
            Some((account_id, expires_at)) if expires_at > now => LinkState::Live(account_id),
            Some((account_id, _)) => LinkState::Expired(account_id),
            None => LinkState::Unknown,
        }
    }
}

impl Store {
    /// Stores a new link for the account, withdrawing every earlier link of the same purpose,
    /// so only the newest mail works.
    pub async fn replace_token(
        &self,
        account_id: i64,
        purpose: Purpose,
        token_hash: &str,
        now: i64,
        expires_at: i64,
    ) -> anyhow::Result<()> {
        on_pool!(self, pool => {
            let mut tx = pool.begin().await.context("starting to store a link")?;
            sqlx::query("DELETE FROM account_token WHERE account_id = $1 AND purpose = $2")
                .bind(account_id)
                .bind(purpose.code())
                .execute(&mut *tx)
                .await
                .context("withdrawing earlier links")?;
            sqlx::query(
                "INSERT INTO account_token (token_hash, account_id, purpose, created_at, expires_at)
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(token_hash)
            .bind(account_id)
            .bind(purpose.code())
            .bind(now)
            .bind(expires_at)
            .execute(&mut *tx)
            .await
            .context("storing a link")?;
            tx.commit().await.context("committing a link")
        })?;
        Ok(())
    }

    /// The account a live link belongs to, without using it up (to show the form it opens).
    pub async fn peek_token(
        &self,
        purpose: Purpose,
        token_hash: &str,
        now: i64,
    ) -> anyhow::Result<Option<i64>> {
        let row: Option<(i64,)> = on_pool!(self, pool => sqlx::query_as(
            "SELECT account_id FROM account_token WHERE token_hash = $1 AND purpose = $2 AND expires_at > $3",
        )
        .bind(token_hash)
        .bind(purpose.code())
        .bind(now)
        .fetch_optional(pool)
        .await)
        .context("looking up a link")?;
        Ok(row.map(|r| r.0))
    }

    /// What a link is at `now`, without using it up (to show the form it opens, or say why not).
    pub async fn link_state(
        &self,
        purpose: Purpose,
        token_hash: &str,
        now: i64,
    ) -> anyhow::Result<LinkState> {
        let row: Option<(i64, i64)> = on_pool!(self, pool => sqlx::query_as(
            "SELECT account_id, expires_at FROM account_token WHERE token_hash = $1 AND purpose = $2",
        )
        .bind(token_hash)
        .bind(purpose.code())
        .fetch_optional(pool)
        .await)
        .context("looking up a link")?;
        Ok(LinkState::of(row, now))
    }

    /// Uses a link up: deletes it and says whether it was live (and whose). Of two requests
    /// racing with the same link, only one gets the row back.
    pub async fn take_token(
        &self,
        purpose: Purpose,
        token_hash: &str,
        now: i64,
    ) -> anyhow::Result<LinkState> {
        let row: Option<(i64, i64)> = on_pool!(self, pool => sqlx::query_as(
            "DELETE FROM account_token WHERE token_hash = $1 AND purpose = $2 RETURNING account_id, expires_at",
        )
        .bind(token_hash)
        .bind(purpose.code())
        .fetch_optional(pool)
        .await)
        .context("using a link")?;
        Ok(LinkState::of(row, now))
    }

    /// Whether the account has a link of this purpose that still works at `now`: a pending
    /// registration whose owner may still verify it.
    pub async fn has_live_token(&self, account_id: i64, purpose: Purpose, now: i64) -> anyhow::Result<bool> {
        let row: Option<(i64,)> = on_pool!(self, pool => sqlx::query_as(
            "SELECT account_id FROM account_token WHERE account_id = $1 AND purpose = $2 AND expires_at > $3",
        )
        .bind(account_id)
        .bind(purpose.code())
        .bind(now)
        .fetch_optional(pool)
        .await)
        .context("looking for a live link")?;
        Ok(row.is_some())
    }

    /// Removes links past their end, which no request can use any more. Returns how many went.
    /// Safe to run from every process at once: a row is deleted by whichever gets it first.
    pub async fn delete_expired_tokens(&self, now: i64) -> anyhow::Result<u64> {
        let deleted = on_pool!(self, pool => sqlx::query("DELETE FROM account_token WHERE expires_at <= $1")
            .bind(now)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))
        .context("deleting expired links")?;
        Ok(deleted)
    }
}
