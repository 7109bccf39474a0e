//! 更多個人資料: the member's certificates, licences with their events, learning record, the
//! resumes she issued (and their verification), and the database-kept rate-limit counters.

use anyhow::Context;
use chrono::NaiveDate;
use huzhu_core::profession::{PracticeStatus, Profession};
use huzhu_core::registry::EventKind;

use crate::member::LicenceSummary;
use crate::{Store, on_pool};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateRow {
    pub profession: Option<Profession>,
    pub number: String,
    pub issued_on: NaiveDate,
}

/// A licence with its events, oldest event first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LicenceHistory {
    pub licence: LicenceSummary,
    pub events: Vec<EventRow>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventRow {
    pub kind: Option<EventKind>,
    pub date: NaiveDate,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct LearningRow {
    pub course: String,
    pub minutes: i64,
    pub completed_on: NaiveDate,
}

/// A resume as its member lists it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct IssuedResume {
    pub resume_id: i64,
    pub code_hint: String,
    pub language: String,
    pub issued_at: i64,
    pub revoked_at: Option<i64>,
}

/// What is recorded when a resume is issued.
pub struct NewResume<'a> {
    pub person_id: i64,
    pub code_hash: &'a str,
    pub code_hint: &'a str,
    pub language: &'a str,
    pub masked_name: &'a str,
    pub licence_id: Option<i64>,
    pub issued_at: i64,
    /// (label, value) in the order the resume states them.
    pub facts: &'a [(String, String)],
}

/// What the verification page shows for a code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    pub masked_name: String,
    pub language: String,
    pub issued_at: i64,
    pub revoked_at: Option<i64>,
    pub facts: Vec<(String, String)>,
    /// The stated licence as the registry has it now.
    pub licence_status: Option<PracticeStatus>,
    pub licence_due: Option<NaiveDate>,
}

#[derive(sqlx::FromRow)]
struct LicenceEventRow {
    licence_id: i64,
    profession: String,
    number: String,
    authority: String,
    institution_name: Option<String>,
    registered_on: NaiveDate,
    renewal_due: NaiveDate,
    status: String,
    kind: Option<String>,
    happened_on: Option<NaiveDate>,
    note: Option<String>,
}

#[derive(sqlx::FromRow)]
struct ResumeRow {
    resume_id: i64,
    masked_name: String,
    language: String,
    issued_at: i64,
    revoked_at: Option<i64>,
    status: Option<String>,
    renewal_due: Option<NaiveDate>,
}

impl Store {
    pub async fn certificates(&self, person_id: i64) -> anyhow::Result<Vec<CertificateRow>> {
        let rows: Vec<(String, String, NaiveDate)> = on_pool!(self, pool => sqlx::query_as(
            "SELECT profession, number, issued_on FROM certificate WHERE person_id = $1
             ORDER BY issued_on, certificate_id",
        )
        .bind(person_id)
        .fetch_all(pool)
        .await)
        .context("reading certificates")?;
        Ok(rows
            .into_iter()
            .map(|(profession, number, issued_on)| CertificateRow {
                profession: Profession::from_code(&profession),
                number,
                issued_on,
            })
            .collect())
    }

    /// Every licence of the member, most recent first, each with its events oldest first.
    pub async fn licence_history(&self, person_id: i64) -> anyhow::Result<Vec<LicenceHistory>> {
        let rows = on_pool!(self, pool => sqlx::query_as::<_, LicenceEventRow>(
            "SELECT l.licence_id, l.profession, l.number, l.authority, i.name AS institution_name,
                    l.registered_on, l.renewal_due, l.status, e.kind, e.happened_on, e.note
             FROM licence l
             LEFT JOIN institution i ON i.nhi_code = l.institution_code
             LEFT JOIN licence_event e ON e.licence_id = l.licence_id
             WHERE l.person_id = $1
             ORDER BY l.registered_on DESC, l.licence_id DESC, e.happened_on, e.licence_event_id",
        )
        .bind(person_id)
        .fetch_all(pool)
        .await)
        .context("reading the practice history")?;
        let mut history: Vec<LicenceHistory> = Vec::new();
        for row in rows {
            if history.last().is_none_or(|h| h.licence.licence_id != row.licence_id) {
                history.push(LicenceHistory {
                    licence: LicenceSummary {
                        licence_id: row.licence_id,
                        profession: Profession::from_code(&row.profession),
                        number: row.number,
                        authority: row.authority,
                        institution_name: row.institution_name,
                        registered_on: row.registered_on,
                        renewal_due: row.renewal_due,
                        status: PracticeStatus::from_code(&row.status),
                    },
                    events: Vec::new(),
                });
            }
            if let (Some(kind), Some(date), Some(current)) = (row.kind, row.happened_on, history.last_mut()) {
                current.events.push(EventRow { kind: EventKind::from_code(&kind), date, note: row.note });
            }
        }
        Ok(history)
    }

    /// The online learning record, latest first.
    pub async fn learning(&self, person_id: i64) -> anyhow::Result<Vec<LearningRow>> {
        let rows = on_pool!(self, pool => sqlx::query_as::<_, LearningRow>(
            "SELECT course, minutes, completed_on FROM learning WHERE person_id = $1
             ORDER BY completed_on DESC, learning_id DESC",
        )
        .bind(person_id)
        .fetch_all(pool)
        .await)
        .context("reading the learning record")?;
        Ok(rows)
    }

    /// Records an issued resume and the facts it states, in one transaction.
    pub async fn record_resume(&self, resume: &NewResume<'_>) -> anyhow::Result<i64> {
        on_pool!(self, pool => {
            let mut tx = pool.begin().await.context("starting to record a resume")?;
            let (resume_id,): (i64,) = sqlx::query_as(
                "INSERT INTO issued_resume (person_id, code_hash, code_hint, language, masked_name, licence_id, issued_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING resume_id",
            )
            .bind(resume.person_id)
            .bind(resume.code_hash)
            .bind(resume.code_hint)
            .bind(resume.language)
            .bind(resume.masked_name)
            .bind(resume.licence_id)
            .bind(resume.issued_at)
            .fetch_one(&mut *tx)
            .await
            .context("recording a resume")?;
            for (position, (label, value)) in resume.facts.iter().enumerate() {
                sqlx::query(
                    "INSERT INTO issued_resume_fact (resume_id, position, label, value) VALUES ($1, $2, $3, $4)",
                )
                .bind(resume_id)
                .bind(i64::try_from(position).unwrap_or(i64::MAX))
                .bind(label)
                .bind(value)
                .execute(&mut *tx)
                .await
                .context("recording a resume's facts")?;
            }
            tx.commit().await.context("committing a resume")?;
            Ok(resume_id)
        })
    }

    /// The member's resumes, latest first.
    pub async fn resumes_of(&self, person_id: i64) -> anyhow::Result<Vec<IssuedResume>> {
        let rows = on_pool!(self, pool => sqlx::query_as::<_, IssuedResume>(
            "SELECT resume_id, code_hint, language, issued_at, revoked_at FROM issued_resume
             WHERE person_id = $1 ORDER BY issued_at DESC, resume_id DESC",
        )
        .bind(person_id)
        .fetch_all(pool)
        .await)
        .context("listing resumes")?;
        Ok(rows)
    }

    /// Revokes one of the member's own resumes. False when she has no such resume (another
    /// member's resume is never touched) or it was already revoked.
    pub async fn revoke_resume(&self, person_id: i64, resume_id: i64, at: i64) -> anyhow::Result<bool> {
        let done = on_pool!(self, pool => sqlx::query(
            "UPDATE issued_resume SET revoked_at = $3
             WHERE resume_id = $1 AND person_id = $2 AND revoked_at IS NULL",
        )
        .bind(resume_id)
        .bind(person_id)
        .bind(at)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))
        .context("revoking a resume")?;
        Ok(done == 1)
    }

    /// The resume whose code has this SHA-256, with the stated licence as it is now.
    pub async fn verify_resume(&self, code_hash: &str) -> anyhow::Result<Option<Verification>> {
        let row = on_pool!(self, pool => sqlx::query_as::<_, ResumeRow>(
            "SELECT r.resume_id, r.masked_name, r.language, r.issued_at, r.revoked_at, l.status, l.renewal_due
             FROM issued_resume r LEFT JOIN licence l ON l.licence_id = r.licence_id
             WHERE r.code_hash = $1",
        )
        .bind(code_hash)
        .fetch_optional(pool)
        .await)
        .context("looking up a resume")?;
        let Some(row) = row else { return Ok(None) };
        let facts: Vec<(String, String)> = on_pool!(self, pool => sqlx::query_as(
            "SELECT label, value FROM issued_resume_fact WHERE resume_id = $1 ORDER BY position",
        )
        .bind(row.resume_id)
        .fetch_all(pool)
        .await)
        .context("reading a resume's facts")?;
        Ok(Some(Verification {
            masked_name: row.masked_name,
            language: row.language,
            issued_at: row.issued_at,
            revoked_at: row.revoked_at,
            facts,
            licence_status: row.status.as_deref().and_then(PracticeStatus::from_code),
            licence_due: row.renewal_due,
        }))
    }

    /// Counts one request by `subject` against the limit `bucket` in the fixed window that
    /// starts at `window_start`, and returns the count including this one. Old windows of the
    /// bucket are deleted on the way, so the table stays small.
    pub async fn count_hit(&self, bucket: &str, subject: &str, window_start: i64) -> anyhow::Result<i64> {
        on_pool!(self, pool => {
            sqlx::query("DELETE FROM rate_hit WHERE bucket = $1 AND window_start < $2")
                .bind(bucket)
                .bind(window_start)
                .execute(pool)
                .await
                .context("clearing old rate-limit windows")?;
            let (hits,): (i64,) = sqlx::query_as(
                "INSERT INTO rate_hit (bucket, subject, window_start, hits) VALUES ($1, $2, $3, 1)
                 ON CONFLICT (bucket, subject, window_start) DO UPDATE SET hits = rate_hit.hits + 1
                 RETURNING hits",
            )
            .bind(bucket)
            .bind(subject)
            .bind(window_start)
            .fetch_one(pool)
            .await
            .context("counting a request")?;
            Ok(hits)
        })
    }
}
