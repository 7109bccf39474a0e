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
                               WHERE sent_at IS NULL AND next_attempt_at <= $1 AND claimed_until <= $1
                               ORDER BY mail_id LIMIT $3)
               AND sent_at IS NULL AND claimed_until <= $1
             RETURNING mail_id, recipient, subject, text_body, html_body, attempts",
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

    /// How many mails wait to be sent.
    pub async fn unsent_mail_count(&self) -> anyhow::Result<i64> {
        let row: (i64,) = on_pool!(self, pool => sqlx::query_as(
            "SELECT COUNT(*) FROM mail_outbox WHERE sent_at IS NULL",
        )
        .fetch_one(pool)
        .await)
        .context("counting unsent mail")?;
        Ok(row.0)
    }
}
