//! Server-side sessions, keyed by the SHA-256 of the cookie's token.

use anyhow::Context;

use crate::{Store, on_pool};

const INSERT_SESSION: &str = "INSERT INTO session \
     (token_hash, account_id, csrf_token, created_at, last_seen_at, expires_at, password_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7)";

const INSERT_SIGNED_IN: &str = "INSERT INTO session \
     (token_hash, account_id, csrf_token, created_at, last_seen_at, expires_at, password_at, user_agent) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";

/// A session as the web layer needs it on every request.
#[derive(Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SessionRow {
    pub token_hash: String,
    pub account_id: Option<i64>,
    pub csrf_token: String,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub expires_at: i64,
    /// When a password sign-in made this session; `None` for anonymous and card sessions.
    pub password_at: Option<i64>,
}

impl std::fmt::Debug for SessionRow {
    /// Leaves out the token hash and the CSRF token, so a stray `{:?}` cannot put either in a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionRow")
            .field("account_id", &self.account_id)
            .field("created_at", &self.created_at)
            .field("last_seen_at", &self.last_seen_at)
            .field("expires_at", &self.expires_at)
            .field("password_at", &self.password_at)
            .finish_non_exhaustive()
    }
}

/// One of an account's live sessions, as the account page lists it.
#[derive(Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct LiveSession {
    pub token_hash: String,
    pub created_at: i64,
    /// Refreshed at most once a minute by the web layer, so it is as exact as that.
    pub last_seen_at: i64,
    /// Set when a password sign-in made the session; `None` for a card sign-in.
    pub password_at: Option<i64>,
    pub user_agent: Option<String>,
}

impl std::fmt::Debug for LiveSession {
    /// Leaves out the token hash, as [`SessionRow`] does.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LiveSession")
            .field("created_at", &self.created_at)
            .field("last_seen_at", &self.last_seen_at)
            .field("password_at", &self.password_at)
            .finish_non_exhaustive()
    }
}

/// The account a signed-in session belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SessionAccount {
    pub person_id: i64,
    /// The password policy the account's password was last set under.
    pub policy_version: i64,
}

/// A session row as found, with its account when it is signed in.
#[derive(Clone, Debug)]
pub struct FoundSession {
    pub row: SessionRow,
    pub account: Option<SessionAccount>,
}

#[derive(sqlx::FromRow)]
struct FoundSessionRow {
    #[sqlx(flatten)]
    row: SessionRow,
    person_id: Option<i64>,
    policy_version: Option<i64>,
}

impl FoundSessionRow {
    fn read(row: &rusqlite::Row<'_>) -> rusqlite::Result<FoundSessionRow> {
        // By position, in the order of the SELECT (see the reader module).
        Ok(FoundSessionRow {
            row: SessionRow {
                token_hash: row.get(0)?,
                account_id: row.get(1)?,
                csrf_token: row.get(2)?,
                created_at: row.get(3)?,
                last_seen_at: row.get(4)?,
                expires_at: row.get(5)?,
                password_at: row.get(6)?,
            },
            person_id: row.get(7)?,
            policy_version: row.get(8)?,
        })
    }

    fn into_found(self) -> FoundSession {
        let account = match (self.row.account_id, self.person_id, self.policy_version) {
            (Some(_), Some(person_id), Some(policy_version)) => {
                Some(SessionAccount { person_id, policy_version })
            }
            _ => None,
        };
        FoundSession { row: self.row, account }
    }
}

impl Store {
    pub async fn create_session(&self, session: &SessionRow) -> anyhow::Result<()> {
        on_pool!(self, pool => sqlx::query(
            INSERT_SESSION,
        )
        .bind(&session.token_hash)
        .bind(session.account_id)
        .bind(&session.csrf_token)
        .bind(session.created_at)
        .bind(session.last_seen_at)
        .bind(session.expires_at)
        .bind(session.password_at)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))
        .context("creating a session")?;
        Ok(())
    }

    /// The session whose token hashes to `token_hash`, if it exists, with the account it is
    /// signed in to. Expiry is the caller's decision, since it depends on the configured
    /// timeouts and the injected clock. One query serves every page: the join saves each
    /// member page two lookups of the account.
    pub async fn find_session(&self, token_hash: &str) -> anyhow::Result<Option<FoundSession>> {
        const SQL: &str = "SELECT s.token_hash, s.account_id, s.csrf_token, s.created_at, s.last_seen_at,
                s.expires_at, s.password_at, a.person_id, a.policy_version
             FROM session s LEFT JOIN account a ON a.account_id = s.account_id
             WHERE s.token_hash = $1";
        let row = match &self.reader {
            Some(reader) => {
                reader.optional("looking up a session", SQL, [token_hash], FoundSessionRow::read)?
            }
            None => on_pool!(self, pool => sqlx::query_as::<_, FoundSessionRow>(SQL)
                .bind(token_hash)
                .fetch_optional(pool)
                .await)
            .context("looking up a session")?,
        };
        Ok(row.map(FoundSessionRow::into_found))
    }

    pub async fn touch_session(&self, token_hash: &str, now: i64) -> anyhow::Result<()> {
        on_pool!(self, pool => sqlx::query("UPDATE session SET last_seen_at = $2 WHERE token_hash = $1")
            .bind(token_hash)
            .bind(now)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))
        .context("refreshing a session")?;
        Ok(())
    }

    /// Signs a session in: the old row is deleted and a new one, with a new token and a new
    /// CSRF token, is made for the account, in one transaction (session fixation defence).
    /// `user_agent` is the browser it signed in with, already cut to a sane length, which the
    /// account page shows beside the session.
    pub async fn rotate_session(
        &self,
        old_token_hash: &str,
        new: &SessionRow,
        user_agent: Option<&str>,
    ) -> anyhow::Result<()> {
        on_pool!(self, pool => {
            let mut tx = pool.begin().await.context("starting the sign-in transaction")?;
            sqlx::query("DELETE FROM session WHERE token_hash = $1")
                .bind(old_token_hash)
                .execute(&mut *tx)
                .await
                .context("ending the anonymous session")?;
            sqlx::query(INSERT_SIGNED_IN)
            .bind(&new.token_hash)
            .bind(new.account_id)
            .bind(&new.csrf_token)
            .bind(new.created_at)
            .bind(new.last_seen_at)
            .bind(new.expires_at)
            .bind(new.password_at)
            .bind(user_agent)
            .execute(&mut *tx)
            .await
            .context("creating the signed-in session")?;
            tx.commit().await.context("committing the sign-in")
        })?;
        Ok(())
    }

    pub async fn delete_session(&self, token_hash: &str) -> anyhow::Result<()> {
        on_pool!(self, pool => sqlx::query("DELETE FROM session WHERE token_hash = $1")
            .bind(token_hash)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))
        .context("deleting a session")?;
        Ok(())
    }

    /// The account's live sessions, newest first: not past their absolute end (`expires_at >
    /// now`) and used since `idle_before` (`last_seen_at > idle_before`, the same test the
    /// request's session lookup makes). At most `limit`.
    pub async fn live_sessions(
        &self,
        account_id: i64,
        now: i64,
        idle_before: i64,
        limit: i64,
    ) -> anyhow::Result<Vec<LiveSession>> {
        let rows = on_pool!(self, pool => sqlx::query_as::<_, LiveSession>(
            "SELECT token_hash, created_at, last_seen_at, password_at, user_agent FROM session
             WHERE account_id = $1 AND expires_at > $2 AND last_seen_at > $3
             ORDER BY created_at DESC, token_hash LIMIT $4",
        )
        .bind(account_id)
        .bind(now)
        .bind(idle_before)
        .bind(limit)
        .fetch_all(pool)
        .await)
        .context("listing an account's live sessions")?;
        Ok(rows)
    }

    /// Ends one session of the account; false when no session of hers has that token hash (it
    /// ended already, or it is someone else's, which stays as it is).
    pub async fn end_session_of_account(&self, account_id: i64, token_hash: &str) -> anyhow::Result<bool> {
        let ended = on_pool!(self, pool => sqlx::query(
            "DELETE FROM session WHERE token_hash = $1 AND account_id = $2",
        )
        .bind(token_hash)
        .bind(account_id)
        .execute(pool)
        .await
        .map(|r| r.rows_affected() == 1))
        .context("ending one session of an account")?;
        Ok(ended)
    }

    /// Removes sessions past their absolute end or idle since `idle_before`.
    pub async fn delete_expired_sessions(&self, now: i64, idle_before: i64) -> anyhow::Result<u64> {
        let result = on_pool!(self, pool => sqlx::query(
            "DELETE FROM session WHERE expires_at <= $1 OR last_seen_at < $2",
        )
        .bind(now)
        .bind(idle_before)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))
        .context("deleting expired sessions")?;
        Ok(result)
    }

    /// Stores the hash of a new captcha answer for the session, replacing any earlier one.
    pub async fn set_captcha(
        &self,
        token_hash: &str,
        answer_hash: &str,
        expires_at: i64,
    ) -> anyhow::Result<()> {
        on_pool!(self, pool => sqlx::query(
            "UPDATE session SET captcha_hash = $2, captcha_expires_at = $3 WHERE token_hash = $1",
        )
        .bind(token_hash)
        .bind(answer_hash)
        .bind(expires_at)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))
        .context("storing a captcha")?;
        Ok(())
    }

    /// Uses up the session's captcha and says whether `answer_hash` matched it before it
    /// expired. The captcha is cleared whatever the answer, so it can be tried only once, even
    /// by two requests racing on two processes: only one of them can clear a matching row.
    pub async fn take_captcha(&self, token_hash: &str, answer_hash: &str, now: i64) -> anyhow::Result<bool> {
        let matched = on_pool!(self, pool => sqlx::query(
            "UPDATE session SET captcha_hash = NULL, captcha_expires_at = NULL
             WHERE token_hash = $1 AND captcha_hash = $2 AND captcha_expires_at > $3",
        )
        .bind(token_hash)
        .bind(answer_hash)
        .bind(now)
        .execute(pool)
        .await
        .map(|r| r.rows_affected() == 1))
        .context("checking a captcha")?;
        if !matched {
            on_pool!(self, pool => sqlx::query(
                "UPDATE session SET captcha_hash = NULL, captcha_expires_at = NULL WHERE token_hash = $1",
            )
            .bind(token_hash)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))
            .context("clearing a captcha")?;
        }
        Ok(matched)
    }
}
