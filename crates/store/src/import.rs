//! Loading the source systems' registry and CE files (`huzhu import`).
//!
//! Each kind of row is written with multi-row `INSERT … ON CONFLICT (natural key) DO UPDATE`,
//! one transaction per batch. The update only fires when a value differs, so loading the same
//! file twice writes nothing the second time, and the counts of rows written tell new or
//! changed rows from unchanged ones. A batch is all or nothing: a process killed half way
//! leaves whole batches behind, and loading the file again completes it.

use std::collections::{HashMap, HashSet};

use anyhow::Context;
use chrono::NaiveDate;

use crate::{Store, on_pool};

/// SQLite allows 32,766 bound values in a statement and PostgreSQL 65,535: stay under both.
const MAX_BINDS: usize = 30_000;

/// 醫事機構: keyed by NHI code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstitutionRow {
    pub nhi_code: String,
    pub name: String,
}

/// A person of the registry, keyed by ID number (already validated).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonRow {
    pub id_number: String,
    pub name: String,
    pub birth_date: NaiveDate,
    /// "F" or "M".
    pub sex: &'static str,
}

/// A certificate, keyed by profession and number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateRow {
    pub person_id: i64,
    pub profession: &'static str,
    pub number: String,
    pub issued_on: NaiveDate,
}

/// A practice licence, keyed by issuing authority and number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LicenceRow {
    pub person_id: i64,
    pub profession: &'static str,
    pub certificate_number: String,
    pub number: String,
    pub authority: String,
    pub institution_code: Option<String>,
    pub registered_on: NaiveDate,
    pub renewal_due: NaiveDate,
    pub status: &'static str,
}

/// An event of a licence, keyed by licence, kind and day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LicenceEventRow {
    pub licence_id: i64,
    pub kind: &'static str,
    pub happened_on: NaiveDate,
    pub note: Option<String>,
}

/// A row of the CE ledger, keyed by person, course code, category, role, day, its
/// infection-control and gender marks (a course may have two parts in one category, one of
/// them on gender equality) and whether it is a correction (negative points): a correction
/// is a row of its own beside the credit it corrects, never an update of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreditRow {
    pub person_id: i64,
    pub course_code: String,
    pub title: String,
    pub organiser: String,
    pub reviewer: String,
    pub activity: i64,
    pub role: &'static str,
    pub category: &'static str,
    pub infection_control: bool,
    pub gender: bool,
    pub taken_on: NaiveDate,
    /// Hundredths of a point.
    pub points: i64,
    pub invalid_reason: Option<String>,
}

/// A course of the e-learning log, keyed by person, course and day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LearningRow {
    pub person_id: i64,
    pub course: String,
    pub minutes: i64,
    pub completed_on: NaiveDate,
}

/// One batch of one kind of row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportBatch {
    Institutions(Vec<InstitutionRow>),
    People(Vec<PersonRow>),
    Certificates(Vec<CertificateRow>),
    Licences(Vec<LicenceRow>),
    LicenceEvents(Vec<LicenceEventRow>),
    Credits(Vec<CreditRow>),
    Learning(Vec<LearningRow>),
}

impl ImportBatch {
    pub fn len(&self) -> usize {
        match self {
            ImportBatch::Institutions(rows) => rows.len(),
            ImportBatch::People(rows) => rows.len(),
            ImportBatch::Certificates(rows) => rows.len(),
            ImportBatch::Licences(rows) => rows.len(),
            ImportBatch::LicenceEvents(rows) => rows.len(),
            ImportBatch::Credits(rows) => rows.len(),
            ImportBatch::Learning(rows) => rows.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// What a run of `huzhu import` is about, recorded when it starts.
#[derive(Debug, Clone)]
pub struct NewImportRun<'a> {
    pub kind: &'a str,
    pub file_name: &'a str,
    pub file_bytes: i64,
    pub encoding: &'a str,
    pub started_at: i64,
}

/// A run of `huzhu import` as recorded; `finished_at` is empty for a run that was stopped.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ImportRun {
    pub import_run_id: i64,
    pub kind: String,
    pub file_name: String,
    pub encoding: String,
    pub started_at: i64,
    pub finished_at: Option<i64>,
    pub rows_read: i64,
    pub rows_written: i64,
    pub rows_rejected: i64,
}

/// What a credit row that is already there gets, in both engines' statements.
const CREDIT_CONFLICT: &str = " ON CONFLICT (person_id, course_code, category, role, taken_on, infection_control, gender, \
    (points < 0)) \
    DO UPDATE SET title = excluded.title, organiser = excluded.organiser, \
    reviewer = excluded.reviewer, activity = excluded.activity, points = excluded.points, \
    invalid_reason = excluded.invalid_reason \
    WHERE credit.title IS DISTINCT FROM excluded.title \
    OR credit.organiser IS DISTINCT FROM excluded.organiser \
    OR credit.reviewer IS DISTINCT FROM excluded.reviewer \
    OR credit.activity IS DISTINCT FROM excluded.activity \
    OR credit.points IS DISTINCT FROM excluded.points \
    OR credit.invalid_reason IS DISTINCT FROM excluded.invalid_reason";

/// Credits on PostgreSQL: one array per column and `UNNEST`, so a batch is one statement with
/// 13 parameters instead of 30,000 bound values, which PostgreSQL parses and plans far faster.
async fn upsert_credits_postgres(
    pool: &sqlx::PgPool,
    run: i64,
    lines: u64,
    rows: &[CreditRow],
) -> anyhow::Result<u64> {
    let column = |f: fn(&CreditRow) -> String| rows.iter().map(f).collect::<Vec<String>>();
    let sql = format!(
        "INSERT INTO credit (person_id, course_code, title, organiser, reviewer, activity, role, category, \
         infection_control, gender, taken_on, points, invalid_reason) \
         SELECT * FROM UNNEST($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], \
         $7::text[], $8::text[], $9::boolean[], $10::boolean[], $11::date[], $12::bigint[], $13::text[]){CREDIT_CONFLICT}"
    );
    let mut tx = pool.begin().await.context("starting an import batch")?;
    let done = sqlx::query(&sql)
        .bind(rows.iter().map(|r| r.person_id).collect::<Vec<i64>>())
        .bind(column(|r| r.course_code.clone()))
        .bind(column(|r| r.title.clone()))
        .bind(column(|r| r.organiser.clone()))
        .bind(column(|r| r.reviewer.clone()))
        .bind(rows.iter().map(|r| r.activity).collect::<Vec<i64>>())
        .bind(column(|r| r.role.to_owned()))
        .bind(column(|r| r.category.to_owned()))
        .bind(rows.iter().map(|r| r.infection_control).collect::<Vec<bool>>())
        .bind(rows.iter().map(|r| r.gender).collect::<Vec<bool>>())
        .bind(rows.iter().map(|r| r.taken_on).collect::<Vec<NaiveDate>>())
        .bind(rows.iter().map(|r| r.points).collect::<Vec<i64>>())
        .bind(rows.iter().map(|r| r.invalid_reason.clone()).collect::<Vec<Option<String>>>())
        .execute(&mut *tx)
        .await
        .context("writing an import batch")?;
    let written = done.rows_affected();
    sqlx::query(COUNT_BATCH)
        .bind(i64::try_from(written).unwrap_or(i64::MAX))
        .bind(run)
        .bind(i64::try_from(lines).unwrap_or(i64::MAX))
        .execute(&mut *tx)
        .await
        .context("counting an import batch")?;
    tx.commit().await.context("committing an import batch")?;
    Ok(written)
}

/// Adds a committed batch to its run's row in `import_run`, in the batch's own transaction: the
/// rows it wrote ($1) and the lines of the file it stands for ($3), so that the row of a run
/// that was killed tells how far it got.
const COUNT_BATCH: &str = "UPDATE import_run SET rows_written = rows_written + $1, rows_read = rows_read + $3 \
                           WHERE import_run_id = $2";

/// Writes `$rows` as multi-row upserts in one transaction, adds the rows written and the lines
/// read to the run's ledger row in the same transaction, and evaluates to the number of rows
/// written.
macro_rules! upsert {
    ($store:expr, $run:expr, $lines:expr, $rows:expr, $columns:expr, $head:expr, $tail:expr,
     |$row:ident, $item:ident| $bind:expr) => {
        on_pool!($store, pool => {
            let mut tx = pool.begin().await.context("starting an import batch")?;
            let mut written: u64 = 0;
            for chunk in $rows.chunks((MAX_BINDS / $columns).max(1)) {
                let mut query = sqlx::QueryBuilder::new($head);
                query.push_values(chunk, |mut $row, $item| {
                    $bind;
                });
                query.push($tail);
                let done = query.build().execute(&mut *tx).await.context("writing an import batch")?;
                written += done.rows_affected();
            }
            sqlx::query(COUNT_BATCH)
                .bind(i64::try_from(written).unwrap_or(i64::MAX))
                .bind($run)
                .bind(i64::try_from($lines).unwrap_or(i64::MAX))
                .execute(&mut *tx)
                .await
                .context("counting an import batch")?;
            tx.commit().await.context("committing an import batch")?;
            written
        })
    };
}

impl Store {
    /// Writes one batch in one transaction and returns how many rows were new or changed.
    /// `lines` is how many lines of the file the batch stands for: its rows and the rows refused
    /// since the batch before it.
    pub async fn upsert_batch(&self, run: i64, batch: &ImportBatch, lines: u64) -> anyhow::Result<u64> {
        if let (crate::Db::Postgres(pool), ImportBatch::Credits(rows)) = (&self.db, batch) {
            return upsert_credits_postgres(pool, run, lines, rows).await;
        }
        let written = match batch {
            ImportBatch::Institutions(rows) => upsert!(
                self,
                run,
                lines,
                rows,
                2,
                "INSERT INTO institution (nhi_code, name) ",
                " ON CONFLICT (nhi_code) DO UPDATE SET name = excluded.name \
                  WHERE institution.name IS DISTINCT FROM excluded.name",
                |row, r| row.push_bind(&r.nhi_code).push_bind(&r.name)
            ),
            ImportBatch::People(rows) => upsert!(
                self,
                run,
                lines,
                rows,
                4,
                "INSERT INTO person (id_number, name, birth_date, sex) ",
                " ON CONFLICT (id_number) DO UPDATE SET name = excluded.name, \
                  birth_date = excluded.birth_date, sex = excluded.sex \
                  WHERE person.name IS DISTINCT FROM excluded.name \
                  OR person.birth_date IS DISTINCT FROM excluded.birth_date \
                  OR person.sex IS DISTINCT FROM excluded.sex",
                |row, r| row
                    .push_bind(&r.id_number)
                    .push_bind(&r.name)
                    .push_bind(r.birth_date)
                    .push_bind(r.sex)
            ),
            ImportBatch::Certificates(rows) => upsert!(
                self,
                run,
                lines,
                rows,
                4,
                "INSERT INTO certificate (person_id, profession, number, issued_on) ",
                " ON CONFLICT (profession, number) DO UPDATE SET person_id = excluded.person_id, \
                  issued_on = excluded.issued_on \
                  WHERE certificate.person_id IS DISTINCT FROM excluded.person_id \
                  OR certificate.issued_on IS DISTINCT FROM excluded.issued_on",
                |row, r| row
                    .push_bind(r.person_id)
                    .push_bind(r.profession)
                    .push_bind(&r.number)
                    .push_bind(r.issued_on)
            ),
            ImportBatch::Licences(rows) => upsert!(
                self,
                run,
                lines,
                rows,
                9,
                "INSERT INTO licence (person_id, profession, certificate_number, number, authority, \
                 institution_code, registered_on, renewal_due, status) ",
                " ON CONFLICT (authority, number) DO UPDATE SET person_id = excluded.person_id, \
                  profession = excluded.profession, certificate_number = excluded.certificate_number, \
                  institution_code = excluded.institution_code, registered_on = excluded.registered_on, \
                  renewal_due = excluded.renewal_due, status = excluded.status \
                  WHERE licence.person_id IS DISTINCT FROM excluded.person_id \
                  OR licence.profession IS DISTINCT FROM excluded.profession \
                  OR licence.certificate_number IS DISTINCT FROM excluded.certificate_number \
                  OR licence.institution_code IS DISTINCT FROM excluded.institution_code \
                  OR licence.registered_on IS DISTINCT FROM excluded.registered_on \
                  OR licence.renewal_due IS DISTINCT FROM excluded.renewal_due \
                  OR licence.status IS DISTINCT FROM excluded.status",
                |row, r| row
                    .push_bind(r.person_id)
                    .push_bind(r.profession)
                    .push_bind(&r.certificate_number)
                    .push_bind(&r.number)
                    .push_bind(&r.authority)
                    .push_bind(&r.institution_code)
                    .push_bind(r.registered_on)
                    .push_bind(r.renewal_due)
                    .push_bind(r.status)
            ),
            ImportBatch::LicenceEvents(rows) => upsert!(
                self,
                run,
                lines,
                rows,
                4,
                "INSERT INTO licence_event (licence_id, kind, happened_on, note) ",
                " ON CONFLICT (licence_id, kind, happened_on) DO UPDATE SET note = excluded.note \
                  WHERE licence_event.note IS DISTINCT FROM excluded.note",
                |row, r| row
                    .push_bind(r.licence_id)
                    .push_bind(r.kind)
                    .push_bind(r.happened_on)
                    .push_bind(&r.note)
            ),
            ImportBatch::Credits(rows) => upsert!(
                self,
                run,
                lines,
                rows,
                13,
                "INSERT INTO credit (person_id, course_code, title, organiser, reviewer, activity, role, \
                 category, infection_control, gender, taken_on, points, invalid_reason) ",
                CREDIT_CONFLICT,
                |row, r| row
                    .push_bind(r.person_id)
                    .push_bind(&r.course_code)
                    .push_bind(&r.title)
                    .push_bind(&r.organiser)
                    .push_bind(&r.reviewer)
                    .push_bind(r.activity)
                    .push_bind(r.role)
                    .push_bind(r.category)
                    .push_bind(r.infection_control)
                    .push_bind(r.gender)
                    .push_bind(r.taken_on)
                    .push_bind(r.points)
                    .push_bind(&r.invalid_reason)
            ),
            ImportBatch::Learning(rows) => upsert!(
                self,
                run,
                lines,
                rows,
                4,
                "INSERT INTO learning (person_id, course, minutes, completed_on) ",
                " ON CONFLICT (person_id, course, completed_on) DO UPDATE SET minutes = excluded.minutes \
                  WHERE learning.minutes IS DISTINCT FROM excluded.minutes",
                |row, r| row
                    .push_bind(r.person_id)
                    .push_bind(&r.course)
                    .push_bind(r.minutes)
                    .push_bind(r.completed_on)
            ),
        };
        Ok(written)
    }

    /// Every person's key by ID number, for matching the rows of a file to people.
    pub async fn person_keys(&self) -> anyhow::Result<HashMap<String, i64>> {
        let rows: Vec<(String, i64)> =
            on_pool!(self, pool => sqlx::query_as("SELECT id_number, person_id FROM person").fetch_all(pool).await)
                .context("reading the people's keys")?;
        Ok(rows.into_iter().collect())
    }

    /// Every licence's key by issuing authority and licence number.
    pub async fn licence_keys(&self) -> anyhow::Result<HashMap<(String, String), i64>> {
        let rows: Vec<(String, String, i64)> = on_pool!(self, pool =>
            sqlx::query_as("SELECT authority, number, licence_id FROM licence").fetch_all(pool).await)
        .context("reading the licences' keys")?;
        Ok(rows.into_iter().map(|(authority, number, id)| ((authority, number), id)).collect())
    }

    /// The points of the credit (not a correction) that `row` would correct, and whether the
    /// source marked it invalid: the same person, course, category, role, day and marks. Asked
    /// once per correction row the file itself does not explain; corrections are rare, so this
    /// is cheaper than reading every credit.
    pub async fn corrected_credit_points(&self, row: &CreditRow) -> anyhow::Result<Option<(i64, bool)>> {
        let found: Option<(i64, bool)> = on_pool!(self, pool => sqlx::query_as(
            "SELECT points, invalid_reason IS NOT NULL FROM credit WHERE person_id = $1 AND course_code = $2 AND category = $3 \
             AND role = $4 AND taken_on = $5 AND infection_control = $6 AND gender = $7 AND points > 0",
        )
        .bind(row.person_id)
        .bind(&row.course_code)
        .bind(row.category)
        .bind(row.role)
        .bind(row.taken_on)
        .bind(row.infection_control)
        .bind(row.gender)
        .fetch_optional(pool)
        .await)
        .context("reading the credit a correction names")?;
        Ok(found)
    }

    /// The NHI codes of every known institution.
    pub async fn institution_codes(&self) -> anyhow::Result<HashSet<String>> {
        let rows: Vec<(String,)> =
            on_pool!(self, pool => sqlx::query_as("SELECT nhi_code FROM institution").fetch_all(pool).await)
                .context("reading the institutions' codes")?;
        Ok(rows.into_iter().map(|(code,)| code).collect())
    }

    /// Records the start of an import run and returns its key.
    pub async fn start_import_run(&self, run: &NewImportRun<'_>) -> anyhow::Result<i64> {
        let (id,): (i64,) = on_pool!(self, pool => sqlx::query_as(
            "INSERT INTO import_run (kind, file_name, file_bytes, encoding, started_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING import_run_id",
        )
        .bind(run.kind)
        .bind(run.file_name)
        .bind(run.file_bytes)
        .bind(run.encoding)
        .bind(run.started_at)
        .fetch_one(pool)
        .await)
        .context("recording the start of an import")?;
        Ok(id)
    }

    /// Records the end of an import run with the rows it read and rejected.
    pub async fn finish_import_run(&self, run: i64, read: u64, rejected: u64, at: i64) -> anyhow::Result<()> {
        let read = i64::try_from(read).unwrap_or(i64::MAX);
        let rejected = i64::try_from(rejected).unwrap_or(i64::MAX);
        on_pool!(self, pool => sqlx::query(
            "UPDATE import_run SET finished_at = $1, rows_read = $2, rows_rejected = $3 WHERE import_run_id = $4",
        )
        .bind(at)
        .bind(read)
        .bind(rejected)
        .bind(run)
        .execute(pool)
        .await
        .map(|done| done.rows_affected()))
        .context("recording the end of an import")?;
        Ok(())
    }

    /// Every import run, oldest first.
    pub async fn import_runs(&self) -> anyhow::Result<Vec<ImportRun>> {
        on_pool!(self, pool => sqlx::query_as(
            "SELECT import_run_id, kind, file_name, encoding, started_at, finished_at, rows_read, \
             rows_written, rows_rejected FROM import_run ORDER BY import_run_id",
        )
        .fetch_all(pool)
        .await)
        .context("reading the import runs")
    }
}
