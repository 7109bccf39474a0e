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

/// What registration needs to know about the person behind an ID number.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Registrant {
    pub person_id: i64,
    pub name: String,
    /// ISO date (YYYY-MM-DD) on both engines.
    pub birth_date: String,
    /// Whether she holds a nurse's or midwife's certificate (F, G, H or I).
    pub eligible: bool,
    pub account_id: Option<i64>,
    pub email: Option<String>,
    pub verified_at: Option<i64>,
}

/// Where to write to a member, and what her password must not contain.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AccountContact {
    pub account_id: i64,
    pub id_number: String,
    pub birth_date: String,
    pub email: String,
    pub verified_at: Option<i64>,
    pub password_hash: String,
    pub policy_version: i64,
    /// The language she last used the portal in (`zh-TW`, `en`), if known.
    pub lang: Option<String>,
}

const CONTACT_COLUMNS: &str =
    "SELECT a.account_id, p.id_number, CAST(p.birth_date AS TEXT) AS birth_date, a.email, a.verified_at,
        a.password_hash, a.policy_version, a.lang
     FROM account a JOIN person p ON p.person_id = a.person_id";

impl Store {
    pub async fn find_registrant(&self, id_number: &str) -> anyhow::Result<Option<Registrant>> {
        let row = on_pool!(self, pool => sqlx::query_as::<_, Registrant>(
            "SELECT p.person_id, p.name, CAST(p.birth_date AS TEXT) AS birth_date,
                 EXISTS (SELECT 1 FROM certificate c WHERE c.person_id = p.person_id
                         AND c.profession IN ('F', 'G', 'H', 'I')) AS eligible,
                 a.account_id, a.email, a.verified_at
             FROM person p LEFT JOIN account a ON a.person_id = p.person_id
             WHERE p.id_number = $1",
        )
        .bind(id_number)
        .fetch_optional(pool)
        .await)
        .context("looking up a person for registration")?;
        Ok(row)
    }

    /// Remembers the language the member uses the portal in (`zh-TW`, `en`).
    pub async fn set_account_lang(&self, account_id: i64, lang: &str) -> anyhow::Result<()> {
        on_pool!(self, pool => sqlx::query("UPDATE account SET lang = $2 WHERE account_id = $1 AND lang IS DISTINCT FROM $2")
            .bind(account_id)
            .bind(lang)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))
        .context("remembering a member's language")?;
        Ok(())
    }

    pub async fn contact_by_id_number(&self, id_number: &str) -> anyhow::Result<Option<AccountContact>> {
        let sql = format!("{CONTACT_COLUMNS} WHERE p.id_number = $1");
        let row = on_pool!(self, pool => sqlx::query_as::<_, AccountContact>(&sql)
            .bind(id_number)
            .fetch_optional(pool)
            .await)
        .context("looking up an account by ID number")?;
        Ok(row)
    }

    pub async fn contact_by_account(&self, account_id: i64) -> anyhow::Result<Option<AccountContact>> {
        let sql = format!("{CONTACT_COLUMNS} WHERE a.account_id = $1");
        let row = on_pool!(self, pool => sqlx::query_as::<_, AccountContact>(&sql)
            .bind(account_id)
            .fetch_optional(pool)
            .await)
        .context("looking up an account")?;
        Ok(row)
    }

    /// Starts an unverified account over with a new address and password: the person registered
    /// again before verifying, perhaps with a mistyped address the first time.
    pub async fn restart_unverified_account(
        &self,
        account_id: i64,
        email: &str,
        password_hash: &str,
        policy_version: i64,
    ) -> anyhow::Result<()> {
        on_pool!(self, pool => sqlx::query(
            "UPDATE account SET email = $2, password_hash = $3, policy_version = $4
             WHERE account_id = $1 AND verified_at IS NULL",
        )
        .bind(account_id)
        .bind(email)
        .bind(password_hash)
        .bind(policy_version)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))
        .context("restarting an unverified account")?;
        Ok(())
    }

    pub async fn mark_verified(&self, account_id: i64, now: i64) -> anyhow::Result<()> {
        on_pool!(self, pool => sqlx::query(
            "UPDATE account SET verified_at = $2 WHERE account_id = $1 AND verified_at IS NULL",
        )
        .bind(account_id)
        .bind(now)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))
        .context("marking an account verified")?;
        Ok(())
    }

    /// Sets a new password, and in the same transaction withdraws every password-reset link and
    /// ends every session of the account except `keep_session` (the one that changed it, if any).
    pub async fn set_password(
        &self,
        account_id: i64,
        password_hash: &str,
        policy_version: i64,
        now: i64,
        keep_session: Option<&str>,
    ) -> anyhow::Result<()> {
        on_pool!(self, pool => {
            let mut tx = pool.begin().await.context("starting the password change")?;
            sqlx::query(
                "UPDATE account SET password_hash = $2, policy_version = $3, password_changed_at = $4
                 WHERE account_id = $1",
            )
            .bind(account_id)
            .bind(password_hash)
            .bind(policy_version)
            .bind(now)
            .execute(&mut *tx)
            .await
            .context("storing the new password")?;
            sqlx::query("DELETE FROM account_token WHERE account_id = $1 AND purpose = 'reset'")
                .bind(account_id)
                .execute(&mut *tx)
                .await
                .context("withdrawing reset links")?;
            sqlx::query("DELETE FROM session WHERE account_id = $1 AND token_hash <> $2")
                .bind(account_id)
                .bind(keep_session.unwrap_or(""))
                .execute(&mut *tx)
                .await
                .context("ending the other sessions")?;
            tx.commit().await.context("committing the password change")
        })?;
        Ok(())
    }

    /// Ends every session of the account except `keep_session`; returns how many ended.
    pub async fn end_other_sessions(&self, account_id: i64, keep_session: &str) -> anyhow::Result<u64> {
        let ended = on_pool!(self, pool => sqlx::query(
            "DELETE FROM session WHERE account_id = $1 AND token_hash <> $2",
        )
        .bind(account_id)
        .bind(keep_session)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))
        .context("ending other sessions")?;
        Ok(ended)
    }
}

impl Store {
    /// Whether the account's password was set under an older policy than `version`.
    pub async fn password_outdated(&self, account_id: i64, version: i64) -> anyhow::Result<bool> {
        let row: Option<(i64,)> = on_pool!(self, pool => sqlx::query_as(
            "SELECT policy_version FROM account WHERE account_id = $1",
        )
        .bind(account_id)
        .fetch_optional(pool)
        .await)
        .context("reading an account's policy version")?;
        Ok(row.is_some_and(|(v,)| v < version))
    }

    /// The account's live sessions (not past their absolute end).
    pub async fn count_sessions(&self, account_id: i64, now: i64) -> anyhow::Result<i64> {
        let row: (i64,) = on_pool!(self, pool => sqlx::query_as(
            "SELECT COUNT(*) FROM session WHERE account_id = $1 AND expires_at > $2",
        )
        .bind(account_id)
        .bind(now)
        .fetch_one(pool)
        .await)
        .context("counting an account's sessions")?;
        Ok(row.0)
    }

    /// Ends every session of the account; returns how many ended.
    pub async fn end_all_sessions(&self, account_id: i64) -> anyhow::Result<u64> {
        let ended = on_pool!(self, pool => sqlx::query("DELETE FROM session WHERE account_id = $1")
            .bind(account_id)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))
        .context("ending an account's sessions")?;
        Ok(ended)
    }

    /// Removes an account for good, in one transaction: its sessions, mailed links, card link
    /// and the account row. The registry person stays (she can register again), as do the audit
    /// records that name the account's number. False when there is no such account.
    ///
    /// On SQLite an account number can be given again when the removed account had the highest
    /// one (the table is not AUTOINCREMENT); the audit log's older records then share the
    /// number with the new account, and the removal record says which was which.
    pub async fn remove_account(&self, account_id: i64, throttle_key: &str) -> anyhow::Result<bool> {
        on_pool!(self, pool => async {
            let mut tx = pool.begin().await?;
            for sql in [
                "DELETE FROM session WHERE account_id = $1",
                "DELETE FROM account_token WHERE account_id = $1",
                "DELETE FROM card_binding WHERE account_id = $1",
            ] {
                sqlx::query(sql).bind(account_id).execute(&mut *tx).await?;
            }
            sqlx::query("DELETE FROM sign_in_throttle WHERE throttle_key = $1")
                .bind(throttle_key)
                .execute(&mut *tx)
                .await?;
            let removed = sqlx::query("DELETE FROM account WHERE account_id = $1")
                .bind(account_id)
                .execute(&mut *tx)
                .await?
                .rows_affected()
                == 1;
            tx.commit().await?;
            Ok::<bool, sqlx::Error>(removed)
        }.await)
        .context("removing an account")
    }

    /// What an operator sees of an account when helping its member.
    pub async fn account_overview(&self, account_id: i64) -> anyhow::Result<Option<AccountOverview>> {
        let row = on_pool!(self, pool => sqlx::query_as::<_, AccountOverview>(
            "SELECT a.account_id, p.id_number, p.name, a.created_at, a.verified_at
             FROM account a JOIN person p ON p.person_id = a.person_id WHERE a.account_id = $1",
        )
        .bind(account_id)
        .fetch_optional(pool)
        .await)
        .context("reading an account for an operator")?;
        Ok(row)
    }
}

/// An account as the operator's account page shows it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AccountOverview {
    pub account_id: i64,
    pub id_number: String,
    pub name: String,
    pub created_at: i64,
    pub verified_at: Option<i64>,
}
