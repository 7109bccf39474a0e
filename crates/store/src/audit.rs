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
    /// The operator's name, on records of what an operator did.
    pub operator: Option<&'a str>,
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
            "INSERT INTO audit_log
                 (at, event, outcome, account_id, subject, client_addr, user_agent, request_id, operator)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(record.at)
        .bind(record.event)
        .bind(record.outcome)
        .bind(record.account_id)
        .bind(record.subject)
        .bind(record.client_addr)
        .bind(record.user_agent.map(|ua| ua.chars().take(300).collect::<String>()))
        .bind(record.request_id)
        .bind(record.operator)
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

/// What the operator's audit page filters on; each part is left out when `None`.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter<'a> {
    pub event: Option<&'a str>,
    /// Instants, from included, until excluded.
    pub from: Option<i64>,
    pub until: Option<i64>,
    pub account_id: Option<i64>,
}

/// An audit record as the operator's audit page shows it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AuditRow {
    pub audit_id: i64,
    pub at: i64,
    pub event: String,
    pub outcome: String,
    pub account_id: Option<i64>,
    pub subject: Option<String>,
    pub client_addr: Option<String>,
    /// At most 300 characters: longer ones are cut when written.
    pub user_agent: Option<String>,
    pub request_id: Option<String>,
    pub operator: Option<String>,
}

impl Store {
    /// Audit records matching `filter`, newest first: `limit` of them after skipping `offset`.
    pub async fn search_audit(
        &self,
        filter: &AuditFilter<'_>,
        limit: i64,
        offset: i64,
    ) -> anyhow::Result<Vec<AuditRow>> {
        let rows = on_pool!(self, pool => sqlx::query_as::<_, AuditRow>(
            "SELECT audit_id, at, event, outcome, account_id, subject, client_addr, user_agent,
                    request_id, operator
             FROM audit_log
             WHERE ($1 IS NULL OR event = $1)
               AND ($2 IS NULL OR at >= $2)
               AND ($3 IS NULL OR at < $3)
               AND ($4 IS NULL OR account_id = $4)
             ORDER BY at DESC, audit_id DESC LIMIT $5 OFFSET $6",
        )
        .bind(filter.event)
        .bind(filter.from)
        .bind(filter.until)
        .bind(filter.account_id)
        .bind(limit)
        .bind(offset)
        .fetch_all(pool)
        .await)
        .context("searching the audit log")?;
        Ok(rows)
    }

    /// The names of the events in the log, for the filter's choices.
    pub async fn audit_events(&self) -> anyhow::Result<Vec<String>> {
        let rows: Vec<(String,)> = on_pool!(self, pool => sqlx::query_as(
            "SELECT DISTINCT event FROM audit_log ORDER BY event",
        )
        .fetch_all(pool)
        .await)
        .context("listing the audit events")?;
        Ok(rows.into_iter().map(|(event,)| event).collect())
    }
}
