//! Card sign-in: challenges for the card to sign, and the links between cards and accounts.

use anyhow::Context;

use crate::{Store, on_pool};

/// What a challenge was issued for, so one issued to sign in cannot link a card.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChallengePurpose {
    SignIn,
    Bind,
}

impl ChallengePurpose {
    fn code(self) -> &'static str {
        match self {
            ChallengePurpose::SignIn => "sign_in",
            ChallengePurpose::Bind => "bind",
        }
    }
}

/// A card linked to an account.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CardBinding {
    pub account_id: i64,
    pub issuer_serial: String,
    pub key_sha256: String,
    pub holder_name: String,
    pub serial_hex: String,
    pub not_after: i64,
    pub bound_at: i64,
}

/// Why a card could not be linked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BindOutcome {
    Bound,
    /// The account already has a card: unlink it first.
    AccountHasCard,
    /// This card is linked to another account.
    CardTaken,
}

impl Store {
    pub async fn create_card_challenge(
        &self,
        challenge_hash: &str,
        session_hash: &str,
        purpose: ChallengePurpose,
        expires_at: i64,
    ) -> anyhow::Result<()> {
        // One live challenge per session and purpose: a new one replaces the last, so asking
        // again and again cannot fill the table.
        on_pool!(self, pool => {
            let mut tx = pool.begin().await.context("starting a card challenge")?;
            sqlx::query("DELETE FROM card_challenge WHERE session_hash = $1 AND purpose = $2")
                .bind(session_hash)
                .bind(purpose.code())
                .execute(&mut *tx)
                .await
                .context("replacing the session's card challenge")?;
            sqlx::query(
                "INSERT INTO card_challenge (challenge_hash, session_hash, purpose, expires_at)
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(challenge_hash)
            .bind(session_hash)
            .bind(purpose.code())
            .bind(expires_at)
            .execute(&mut *tx)
            .await
            .context("storing a card challenge")?;
            tx.commit().await.context("committing a card challenge")
        })?;
        Ok(())
    }

    /// Uses a challenge up. True only when it was issued to this session for this purpose and
    /// has not expired; of two requests racing with it, only one deletes the row.
    pub async fn take_card_challenge(
        &self,
        challenge_hash: &str,
        session_hash: &str,
        purpose: ChallengePurpose,
        now: i64,
    ) -> anyhow::Result<bool> {
        let row: Option<(i64,)> = on_pool!(self, pool => sqlx::query_as(
            "DELETE FROM card_challenge
             WHERE challenge_hash = $1 AND session_hash = $2 AND purpose = $3
             RETURNING expires_at",
        )
        .bind(challenge_hash)
        .bind(session_hash)
        .bind(purpose.code())
        .fetch_optional(pool)
        .await)
        .context("using a card challenge")?;
        Ok(row.is_some_and(|(expires_at,)| expires_at > now))
    }

    pub async fn delete_expired_card_challenges(&self, now: i64) -> anyhow::Result<u64> {
        let deleted = on_pool!(self, pool => sqlx::query("DELETE FROM card_challenge WHERE expires_at <= $1")
            .bind(now)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))
        .context("deleting expired card challenges")?;
        Ok(deleted)
    }

    /// The account a card is linked to.
    pub async fn account_of_card(&self, issuer_serial: &str) -> anyhow::Result<Option<i64>> {
        let row: Option<(i64,)> = on_pool!(self, pool => sqlx::query_as(
            "SELECT account_id FROM card_binding WHERE issuer_serial = $1",
        )
        .bind(issuer_serial)
        .fetch_optional(pool)
        .await)
        .context("looking up a card")?;
        Ok(row.map(|r| r.0))
    }

    pub async fn card_of_account(&self, account_id: i64) -> anyhow::Result<Option<CardBinding>> {
        let row = on_pool!(self, pool => sqlx::query_as::<_, CardBinding>(
            "SELECT account_id, issuer_serial, key_sha256, holder_name, serial_hex, not_after, bound_at
             FROM card_binding WHERE account_id = $1",
        )
        .bind(account_id)
        .fetch_optional(pool)
        .await)
        .context("looking up an account's card")?;
        Ok(row)
    }

    /// Links a card to an account unless either is already linked. The unique keys decide when
    /// two processes race.
    pub async fn bind_card(&self, binding: &CardBinding) -> anyhow::Result<BindOutcome> {
        if self.card_of_account(binding.account_id).await?.is_some() {
            return Ok(BindOutcome::AccountHasCard);
        }
        if self.account_of_card(&binding.issuer_serial).await?.is_some() {
            return Ok(BindOutcome::CardTaken);
        }
        let inserted = on_pool!(self, pool => sqlx::query(
            "INSERT INTO card_binding
             (account_id, issuer_serial, key_sha256, holder_name, serial_hex, not_after, bound_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
        )
        .bind(binding.account_id)
        .bind(&binding.issuer_serial)
        .bind(&binding.key_sha256)
        .bind(&binding.holder_name)
        .bind(&binding.serial_hex)
        .bind(binding.not_after)
        .bind(binding.bound_at)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))
        .context("linking a card")?;
        Ok(if inserted == 1 { BindOutcome::Bound } else { BindOutcome::CardTaken })
    }

    /// Unlinks the account's card; true when there was one.
    pub async fn unbind_card(&self, account_id: i64) -> anyhow::Result<bool> {
        let deleted = on_pool!(self, pool => sqlx::query("DELETE FROM card_binding WHERE account_id = $1")
            .bind(account_id)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))
        .context("unlinking a card")?;
        Ok(deleted == 1)
    }
}
