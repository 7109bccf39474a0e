//! The audit log: one row per security-relevant event.

use anyhow::Context;

use crate::{Store, on_pool};

/// One audit record. `subject` carries a masked ID number at most, never a full one.
#[derive(Debug, Clone, Default)]
pub struct AuditRecord<'a> {
    pub at: i64,
    pub event: &'a str,
    pub outcome: &'a str,
    pub account_id: Option<i64>,
    pub subject: Option<&'a str>,
    pub client_addr: Option<&'a str>,
    pub user_agent: Option<&'a str>,
    pub request_id: Option<&'a str>,
}

/// An audit record as read back.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AuditEntry {
    pub at: i64,
    pub event: String,
    pub outcome: String,
    pub account_id: Option<i64>,
    pub subject: Option<String>,
}

impl Store {
    pub async fn record_audit(&self, record: &AuditRecord<'_>) -> anyhow::Result<()> {
        on_pool!(self, pool => sqlx::query(
            "INSERT INTO audit_log (at, event, outcome, account_id, subject, client_addr, user_agent, request_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(record.at)
        .bind(record.event)
        .bind(record.outcome)
        .bind(record.account_id)
        .bind(record.subject)
        .bind(record.client_addr)
        .bind(record.user_agent.map(|ua| ua.chars().take(300).collect::<String>()))
        .bind(record.request_id)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))
        .context("writing an audit record")?;
        Ok(())
    }

    /// The newest audit records, newest first.
    pub async fn recent_audit(&self, limit: i64) -> anyhow::Result<Vec<AuditEntry>> {
        let rows = on_pool!(self, pool => sqlx::query_as::<_, AuditEntry>(
            "SELECT at, event, outcome, account_id, subject FROM audit_log ORDER BY audit_id DESC LIMIT $1",
        )
        .bind(limit)
        .fetch_all(pool)
        .await)
        .context("reading the audit log")?;
        Ok(rows)
    }
}

/// A sign-in as the member sees it on her account page.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SignInEntry {
    pub at: i64,
    pub outcome: String,
    pub client_addr: Option<String>,
    pub user_agent: Option<String>,
}

impl Store {
    /// The account's newest password sign-ins and attempts, newest first.
    pub async fn recent_sign_ins(&self, account_id: i64, limit: i64) -> anyhow::Result<Vec<SignInEntry>> {
        let rows = on_pool!(self, pool => sqlx::query_as::<_, SignInEntry>(
            "SELECT at, outcome, client_addr, user_agent FROM audit_log
             WHERE account_id = $1 AND event = 'sign_in' ORDER BY audit_id DESC LIMIT $2",
        )
        .bind(account_id)
        .bind(limit)
        .fetch_all(pool)
        .await)
        .context("reading the account's sign-ins")?;
        Ok(rows)
    }
}
