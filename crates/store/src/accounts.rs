//! Member accounts: the portal's own data, beside the registry.

use anyhow::Context;

use crate::{Store, on_pool};

/// What password sign-in needs to know about the account behind an ID number.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct LoginRecord {
    pub account_id: i64,
    pub person_id: i64,
    pub password_hash: String,
    pub policy_version: i64,
    pub verified_at: Option<i64>,
}

/// An account to create.
#[derive(Debug, Clone)]
pub struct NewAccount<'a> {
    pub person_id: i64,
    pub email: &'a str,
    pub password_hash: &'a str,
    pub policy_version: i64,
    pub created_at: i64,
    pub verified_at: Option<i64>,
}

impl Store {
    /// The account of the person with this (normalized) ID number, if she has one.
    pub async fn find_login(&self, id_number: &str) -> anyhow::Result<Option<LoginRecord>> {
        let row = on_pool!(self, pool => sqlx::query_as::<_, LoginRecord>(
            "SELECT a.account_id, a.person_id, a.password_hash, a.policy_version, a.verified_at
             FROM account a JOIN person p ON p.person_id = a.person_id
             WHERE p.id_number = $1",
        )
        .bind(id_number)
        .fetch_optional(pool)
        .await)
        .context("looking up an account by ID number")?;
        Ok(row)
    }

    pub async fn create_account(&self, account: &NewAccount<'_>) -> anyhow::Result<i64> {
        let id: (i64,) = on_pool!(self, pool => sqlx::query_as(
            "INSERT INTO account (person_id, email, password_hash, policy_version, created_at, verified_at)
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING account_id",
        )
        .bind(account.person_id)
        .bind(account.email)
        .bind(account.password_hash)
        .bind(account.policy_version)
        .bind(account.created_at)
        .bind(account.verified_at)
        .fetch_one(pool)
        .await)
        .context("creating an account")?;
        Ok(id.0)
    }

    /// Replaces a password hash, e.g. after Argon2 parameters were raised.
    pub async fn update_password_hash(&self, account_id: i64, password_hash: &str) -> anyhow::Result<()> {
        on_pool!(self, pool => sqlx::query("UPDATE account SET password_hash = $2 WHERE account_id = $1")
            .bind(account_id)
            .bind(password_hash)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))
        .context("updating a password hash")?;
        Ok(())
    }

    /// The person behind an account.
    pub async fn person_of_account(&self, account_id: i64) -> anyhow::Result<Option<i64>> {
        let row: Option<(i64,)> = on_pool!(self, pool => sqlx::query_as(
            "SELECT person_id FROM account WHERE account_id = $1",
        )
        .bind(account_id)
        .fetch_optional(pool)
        .await)
        .context("looking up an account's person")?;
        Ok(row.map(|r| r.0))
    }
}
