//! The mail outbox: mail is written here in the same request that decides to send it, and a
//! sender delivers it, retrying with back-off, so a relay that is down loses nothing.

use anyhow::Context;

use crate::{Store, on_pool};

/// A mail to queue.
#[derive(Debug, Clone)]
pub struct NewMail<'a> {
    pub recipient: &'a str,
    pub subject: &'a str,
    pub text_body: &'a str,
    pub html_body: &'a str,
}

/// A queued mail, claimed by one sender.
#[derive(Clone, sqlx::FromRow)]
pub struct OutboxMail {
    pub mail_id: i64,
    pub recipient: String,
    pub subject: String,
    pub text_body: String,
    pub html_body: String,
    pub attempts: i64,
    pub created_at: i64,
}

/// What became of a mail, as a test or an operator reads it back (never its bodies).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct MailDelivery {
    pub attempts: i64,
    pub sent_at: Option<i64>,
    pub given_up_at: Option<i64>,
    pub last_error: Option<String>,
    /// Characters left in the plain-text and HTML bodies together: 0 once sent or given up.
    pub body_chars: i64,
}

impl std::fmt::Debug for OutboxMail {
    /// Leaves out the bodies, which may carry a single-use link.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OutboxMail")
            .field("mail_id", &self.mail_id)
            .field("attempts", &self.attempts)
            .finish_non_exhaustive()
    }
}

impl Store {
    pub async fn enqueue_mail(&self, mail: &NewMail<'_>, now: i64) -> anyhow::Result<i64> {
        let id: (i64,) = on_pool!(self, pool => sqlx::query_as(
            "INSERT INTO mail_outbox (recipient, subject, text_body, html_body, created_at, next_attempt_at)
             VALUES ($1, $2, $3, $4, $5, $5) RETURNING mail_id",
        )
        .bind(mail.recipient)
        .bind(mail.subject)
        .bind(mail.text_body)
        .bind(mail.html_body)
        .bind(now)
        .fetch_one(pool)
        .await)
        .context("queueing a mail")?;
        Ok(id.0)
    }

    /// Claims up to `limit` mails that are due, until `claim_until`. The outer condition is
    /// checked again on each row as it is updated, so two senders never claim the same mail.
    pub async fn claim_due_mails(
        &self,
        now: i64,
        claim_until: i64,
        limit: i64,
    ) -> anyhow::Result<Vec<OutboxMail>> {
        let rows = on_pool!(self, pool => sqlx::query_as::<_, OutboxMail>(
            "UPDATE mail_outbox SET claimed_until = $2
             WHERE mail_id IN (SELECT mail_id FROM mail_outbox
                               WHERE sent_at IS NULL AND given_up_at IS NULL
                                 AND next_attempt_at <= $1 AND claimed_until <= $1
                               ORDER BY mail_id LIMIT $3)
               AND sent_at IS NULL AND given_up_at IS NULL AND claimed_until <= $1
             RETURNING mail_id, recipient, subject, text_body, html_body, attempts, created_at",
        )
        .bind(now)
        .bind(claim_until)
        .bind(limit)
        .fetch_all(pool)
        .await)
        .context("claiming mail to send")?;
        Ok(rows)
    }

    /// Records a delivery and blanks the bodies, which may carry a link.
    pub async fn mark_mail_sent(&self, mail_id: i64, now: i64) -> anyhow::Result<()> {
        on_pool!(self, pool => sqlx::query(
            "UPDATE mail_outbox SET sent_at = $2, text_body = '', html_body = '', last_error = NULL,
                 attempts = attempts + 1
             WHERE mail_id = $1",
        )
        .bind(mail_id)
        .bind(now)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))
        .context("recording a sent mail")?;
        Ok(())
    }

    /// Records a failed attempt and when to try again.
    pub async fn mark_mail_failed(
        &self,
        mail_id: i64,
        error: &str,
        next_attempt_at: i64,
    ) -> anyhow::Result<()> {
        on_pool!(self, pool => sqlx::query(
            "UPDATE mail_outbox SET attempts = attempts + 1, last_error = $2, next_attempt_at = $3,
                 claimed_until = 0
             WHERE mail_id = $1",
        )
        .bind(mail_id)
        .bind(error.chars().take(500).collect::<String>())
        .bind(next_attempt_at)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))
        .context("recording a failed mail")?;
        Ok(())
    }

    /// Records that a mail will not be tried again: the relay refused it for good, or it grew
    /// too old. Its bodies are blanked, as a sent mail's are; the relay's answer is kept.
    pub async fn mark_mail_given_up(&self, mail_id: i64, error: &str, now: i64) -> anyhow::Result<()> {
        on_pool!(self, pool => sqlx::query(
            "UPDATE mail_outbox SET given_up_at = $3, attempts = attempts + 1, last_error = $2,
                 text_body = '', html_body = '', claimed_until = 0
             WHERE mail_id = $1",
        )
        .bind(mail_id)
        .bind(error.chars().take(500).collect::<String>())
        .bind(now)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))
        .context("recording a mail given up")?;
        Ok(())
    }

    /// How many mails wait to be sent (not those given up).
    pub async fn unsent_mail_count(&self) -> anyhow::Result<i64> {
        let row: (i64,) = on_pool!(self, pool => sqlx::query_as(
            "SELECT COUNT(*) FROM mail_outbox WHERE sent_at IS NULL AND given_up_at IS NULL",
        )
        .fetch_one(pool)
        .await)
        .context("counting unsent mail")?;
        Ok(row.0)
    }

    /// How many mails were given up, since `since`.
    pub async fn given_up_mail_count(&self, since: i64) -> anyhow::Result<i64> {
        let row: (i64,) = on_pool!(self, pool => sqlx::query_as(
            "SELECT COUNT(*) FROM mail_outbox WHERE given_up_at >= $1",
        )
        .bind(since)
        .fetch_one(pool)
        .await)
        .context("counting mail given up")?;
        Ok(row.0)
    }

    /// What became of one mail.
    pub async fn mail_delivery(&self, mail_id: i64) -> anyhow::Result<Option<MailDelivery>> {
        let row = on_pool!(self, pool => sqlx::query_as::<_, MailDelivery>(
            "SELECT attempts, sent_at, given_up_at, last_error,
                    CAST(LENGTH(text_body) + LENGTH(html_body) AS BIGINT) AS body_chars
             FROM mail_outbox WHERE mail_id = $1",
        )
        .bind(mail_id)
        .fetch_optional(pool)
        .await)
        .context("reading a mail's delivery")?;
        Ok(row)
    }
}
