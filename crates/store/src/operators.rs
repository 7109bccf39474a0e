//! Operators and their sessions: the staff side of the portal, kept apart from members.

use anyhow::Context;

use crate::{Store, on_pool};

const INSERT_SESSION: &str = "INSERT INTO operator_session \
     (token_hash, operator_id, csrf_token, created_at, last_seen_at, expires_at) \
     VALUES ($1, $2, $3, $4, $5, $6)";

/// What operator sign-in needs to know.
#[derive(Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct OperatorLogin {
    pub operator_id: i64,
    pub username: String,
    pub password_hash: String,
    pub totp_secret: String,
    /// Disabled operators cannot sign in (`huzhu operator disable`).
    pub disabled: bool,
}

impl std::fmt::Debug for OperatorLogin {
    /// Leaves out the hash and the TOTP key.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OperatorLogin")
            .field("operator_id", &self.operator_id)
            .field("username", &self.username)
            .field("disabled", &self.disabled)
            .finish_non_exhaustive()
    }
}

/// An operator as `huzhu operator list` shows her: never her password hash or TOTP key.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct OperatorSummary {
    pub username: String,
    pub created_at: i64,
    pub last_sign_in_at: Option<i64>,
    pub disabled_at: Option<i64>,
}

/// An operator session as the web layer needs it on every request.
#[derive(Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct OperatorSessionRow {
    pub token_hash: String,
    pub operator_id: Option<i64>,
    pub username: Option<String>,
    pub csrf_token: String,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub expires_at: i64,
}

impl std::fmt::Debug for OperatorSessionRow {
    /// Leaves out the token hash and the CSRF token.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OperatorSessionRow")
            .field("operator_id", &self.operator_id)
            .field("username", &self.username)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

/// What `disable` or `enable` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StateChange {
    NoSuchOperator,
    /// She was already disabled (or enabled): nothing was written.
    AlreadySo,
    Changed,
}

/// How an operator name is kept and looked up: names are ASCII and case-insensitive, so
/// `Chen.Mei` is `chen.mei` (migration 0012).
pub fn operator_name(username: &str) -> String {
    username.to_ascii_lowercase()
}

impl Store {
    /// Creates an operator under the lowercase of `username`; fails when the name is taken in
    /// any case.
    pub async fn create_operator(
        &self,
        username: &str,
        password_hash: &str,
        totp_secret: &str,
        now: i64,
    ) -> anyhow::Result<i64> {
        let username = operator_name(username);
        let id: (i64,) = on_pool!(self, pool => sqlx::query_as(
            "INSERT INTO operator (username, password_hash, totp_secret, created_at)
             VALUES ($1, $2, $3, $4) RETURNING operator_id",
        )
        .bind(&username)
        .bind(password_hash)
        .bind(totp_secret)
        .bind(now)
        .fetch_one(pool)
        .await)
        .with_context(|| format!("creating the operator {username} (is the name taken?)"))?;
        Ok(id.0)
    }

    /// The operator of `username` in any case.
    pub async fn find_operator(&self, username: &str) -> anyhow::Result<Option<OperatorLogin>> {
        let username = operator_name(username);
        let row = on_pool!(self, pool => sqlx::query_as::<_, OperatorLogin>(
            "SELECT operator_id, username, password_hash, totp_secret, disabled_at IS NOT NULL AS disabled
             FROM operator WHERE username = $1",
        )
        .bind(&username)
        .fetch_optional(pool)
        .await)
        .context("looking up an operator")?;
        Ok(row)
    }

    /// Every operator, by name.
    pub async fn list_operators(&self) -> anyhow::Result<Vec<OperatorSummary>> {
        on_pool!(self, pool => sqlx::query_as::<_, OperatorSummary>(
            "SELECT username, created_at, last_sign_in_at, disabled_at FROM operator ORDER BY username",
        )
        .fetch_all(pool)
        .await)
        .context("listing the operators")
    }

    /// Disables an operator (`Some(now)`) and ends all her sessions in the same transaction, or
    /// enables her again (`None`). An operator already in the state asked for is left alone
    /// (a disabled one keeps the time she was first disabled), and the answer says so.
    pub async fn set_operator_disabled(
        &self,
        username: &str,
        disabled_at: Option<i64>,
    ) -> anyhow::Result<StateChange> {
        let username = operator_name(username);
        on_pool!(self, pool => async {
            let mut tx = pool.begin().await?;
            let found: Option<(i64, bool)> = sqlx::query_as(
                "SELECT operator_id, disabled_at IS NOT NULL FROM operator WHERE username = $1",
            )
            .bind(&username)
            .fetch_optional(&mut *tx)
            .await?;
            let Some((id, disabled)) = found else { return Ok(StateChange::NoSuchOperator) };
            if disabled == disabled_at.is_some() {
                return Ok(StateChange::AlreadySo);
            }
            sqlx::query("UPDATE operator SET disabled_at = $2 WHERE operator_id = $1")
                .bind(id)
                .bind(disabled_at)
                .execute(&mut *tx)
                .await?;
            if disabled_at.is_some() {
                sqlx::query("DELETE FROM operator_session WHERE operator_id = $1").bind(id).execute(&mut *tx).await?;
            }
            tx.commit().await?;
            Ok::<StateChange, sqlx::Error>(StateChange::Changed)
        }.await)
        .context("disabling or enabling an operator")
    }

    /// Gives an operator a new TOTP key (her authenticator was lost or exposed) and ends all
    /// her sessions, in one transaction: the old key's codes stop working at once. The step
    /// count restarts, since codes of the new key have never been used. False when there is no
    /// such operator.
    pub async fn replace_totp_secret(&self, username: &str, totp_secret: &str) -> anyhow::Result<bool> {
        const SQL: &str = "UPDATE operator SET totp_secret = $2, totp_last_step = 0 WHERE username = $1
             RETURNING operator_id";
        self.replace_and_end_sessions(SQL, username, totp_secret).await.context("replacing a TOTP key")
    }

    /// Gives an operator a new password hash (she forgot hers) and ends all her sessions, in one
    /// transaction. False when there is no such operator.
    pub async fn replace_operator_password(
        &self,
        username: &str,
        password_hash: &str,
    ) -> anyhow::Result<bool> {
        const SQL: &str = "UPDATE operator SET password_hash = $2 WHERE username = $1 RETURNING operator_id";
        self.replace_and_end_sessions(SQL, username, password_hash)
            .await
            .context("replacing an operator's password")
    }

    /// Runs `update` (which sets `$2` on the operator named `$1` and returns her id) and deletes
    /// her sessions, in one transaction. False when there is no such operator.
    async fn replace_and_end_sessions(
        &self,
        update: &str,
        username: &str,
        value: &str,
    ) -> Result<bool, sqlx::Error> {
        let username = operator_name(username);
        on_pool!(self, pool => async {
            let mut tx = pool.begin().await?;
            let id: Option<(i64,)> =
                sqlx::query_as(update).bind(&username).bind(value).fetch_optional(&mut *tx).await?;
            if let Some((id,)) = id {
                sqlx::query("DELETE FROM operator_session WHERE operator_id = $1").bind(id).execute(&mut *tx).await?;
            }
            tx.commit().await?;
            Ok(id.is_some())
        }.await)
    }

    /// Records that the code of `step` was used, and says whether it was still unused: a code is
    /// accepted once, and never one older than the last accepted. One statement, so two sign-ins
    /// racing with the same code cannot both win.
    pub async fn claim_totp_step(&self, operator_id: i64, step: i64) -> anyhow::Result<bool> {
        let claimed = on_pool!(self, pool => sqlx::query(
            "UPDATE operator SET totp_last_step = $2 WHERE operator_id = $1 AND totp_last_step < $2",
        )
        .bind(operator_id)
        .bind(step)
        .execute(pool)
        .await
        .map(|r| r.rows_affected() == 1))
        .context("using up a TOTP code")?;
        Ok(claimed)
    }

    pub async fn create_operator_session(&self, session: &OperatorSessionRow) -> anyhow::Result<()> {
        on_pool!(self, pool => sqlx::query(INSERT_SESSION)
        .bind(&session.token_hash)
        .bind(session.operator_id)
        .bind(&session.csrf_token)
        .bind(session.created_at)
        .bind(session.last_seen_at)
        .bind(session.expires_at)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))
        .context("creating an operator session")?;
        Ok(())
    }

    pub async fn find_operator_session(
        &self,
        token_hash: &str,
    ) -> anyhow::Result<Option<OperatorSessionRow>> {
        let row = on_pool!(self, pool => sqlx::query_as::<_, OperatorSessionRow>(
            "SELECT s.token_hash, s.operator_id, o.username, s.csrf_token, s.created_at,
                    s.last_seen_at, s.expires_at
             FROM operator_session s LEFT JOIN operator o ON o.operator_id = s.operator_id
             WHERE s.token_hash = $1 AND (s.operator_id IS NULL OR o.disabled_at IS NULL)",
        )
        .bind(token_hash)
        .fetch_optional(pool)
        .await)
        .context("looking up an operator session")?;
        Ok(row)
    }

    pub async fn touch_operator_session(&self, token_hash: &str, now: i64) -> anyhow::Result<()> {
        on_pool!(self, pool => sqlx::query("UPDATE operator_session SET last_seen_at = $2 WHERE token_hash = $1")
            .bind(token_hash)
            .bind(now)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))
        .context("refreshing an operator session")?;
        Ok(())
    }

    /// Signs an operator session in: the anonymous row goes and a new one (new token, new CSRF
    /// token) comes, and the operator's last sign-in is recorded, in one transaction.
    pub async fn rotate_operator_session(
        &self,
        old_token_hash: &str,
        new: &OperatorSessionRow,
    ) -> anyhow::Result<()> {
        on_pool!(self, pool => {
            let mut tx = pool.begin().await.context("starting the operator sign-in")?;
            sqlx::query("DELETE FROM operator_session WHERE token_hash = $1")
                .bind(old_token_hash)
                .execute(&mut *tx)
                .await
                .context("ending the anonymous operator session")?;
            sqlx::query(INSERT_SESSION)
                .bind(&new.token_hash)
                .bind(new.operator_id)
                .bind(&new.csrf_token)
                .bind(new.created_at)
                .bind(new.last_seen_at)
                .bind(new.expires_at)
                .execute(&mut *tx)
                .await
                .context("creating the operator's session")?;
            sqlx::query("UPDATE operator SET last_sign_in_at = $2 WHERE operator_id = $1")
                .bind(new.operator_id)
                .bind(new.created_at)
                .execute(&mut *tx)
                .await
                .context("recording the operator's sign-in")?;
            tx.commit().await.context("committing the operator sign-in")
        })?;
        Ok(())
    }

    pub async fn delete_operator_session(&self, token_hash: &str) -> anyhow::Result<()> {
        on_pool!(self, pool => sqlx::query("DELETE FROM operator_session WHERE token_hash = $1")
            .bind(token_hash)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))
        .context("deleting an operator session")?;
        Ok(())
    }

    /// Removes operator sessions past their absolute end or idle since `idle_before`.
    pub async fn delete_expired_operator_sessions(&self, now: i64, idle_before: i64) -> anyhow::Result<u64> {
        let deleted = on_pool!(self, pool => sqlx::query(
            "DELETE FROM operator_session WHERE expires_at <= $1 OR last_seen_at < $2",
        )
        .bind(now)
        .bind(idle_before)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))
        .context("deleting expired operator sessions")?;
        Ok(deleted)
    }
}
