//! The CE page's queries: a member's full ledger, filtered, sorted and paged in SQL, so a
//! member with thousands of records costs one page of rows, not her whole history.

use anyhow::Context;
use chrono::NaiveDate;
use huzhu_core::points::Points;
use huzhu_core::registry::Role;
use huzhu_core::rules::{Activity, Category, Credit};

use crate::member::LicenceRow;
use crate::member::LicenceSummary;
use crate::{Store, on_pool};

/// Which records to list. `None` means "any".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecordFilter {
    pub first_day: Option<NaiveDate>,
    pub last_day: Option<NaiveDate>,
    pub category: Option<Category>,
    pub activity: Option<Activity>,
    /// Online and correspondence courses (annex rows 5 and 6) only, or none of them.
    pub online: Option<bool>,
}

/// The order of the list. Each order ends with the record's id so pages never overlap.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum RecordOrder {
    #[default]
    NewestFirst,
    OldestFirst,
    MostPoints,
    FewestPoints,
    Title,
}

impl RecordOrder {
    /// A fixed SQL fragment per order; nothing a member types reaches the SQL text.
    fn sql(self) -> &'static str {
        match self {
            RecordOrder::NewestFirst => "taken_on DESC, credit_id DESC",
            RecordOrder::OldestFirst => "taken_on, credit_id",
            RecordOrder::MostPoints => "points DESC, taken_on DESC, credit_id DESC",
            RecordOrder::FewestPoints => "points, taken_on, credit_id",
            RecordOrder::Title => "title, taken_on, credit_id",
        }
    }
}

/// One CE record with everything the page shows.
#[derive(Debug, Clone, PartialEq)]
pub struct CreditRecord {
    /// As the rule reads it (unknown codes become an invalid record, as in `credits_between`).
    pub credit: Credit,
    pub course_code: String,
    pub title: String,
    pub organiser: String,
    pub reviewer: String,
    pub role: Option<Role>,
}

#[derive(sqlx::FromRow)]
struct RecordRow {
    credit_id: i64,
    course_code: String,
    title: String,
    organiser: String,
    reviewer: String,
    activity: i64,
    role: String,
    category: String,
    infection_control: bool,
    gender: bool,
    taken_on: NaiveDate,
    points: i64,
    invalid_reason: Option<String>,
}

impl RecordRow {
    fn read(row: &rusqlite::Row<'_>) -> rusqlite::Result<RecordRow> {
        // By position, in the order of the SELECT (see the reader module).
        Ok(RecordRow {
            credit_id: row.get(0)?,
            course_code: row.get(1)?,
            title: row.get(2)?,
            organiser: row.get(3)?,
            reviewer: row.get(4)?,
            activity: row.get(5)?,
            role: row.get(6)?,
            category: row.get(7)?,
            infection_control: row.get(8)?,
            gender: row.get(9)?,
            taken_on: crate::reader::date(row, 10)?,
            points: row.get(11)?,
            invalid_reason: row.get(12)?,
        })
    }
}

/// The shared WHERE clause. Every condition is a bound parameter that is either NULL ("any")
/// or the value to match, so one statement serves every combination of filters.
const WHERE: &str = "WHERE person_id = $1
      AND ($2 IS NULL OR taken_on >= $2)
      AND ($3 IS NULL OR taken_on <= $3)
      AND ($4 IS NULL OR category = $4)
      AND ($5 IS NULL OR activity = $5)
      AND ($6 IS NULL OR (activity IN (5, 6)) = $6)";

/// The values of [`WHERE`]'s `$1` … `$6`, in that order.
type WhereValues =
    (i64, Option<NaiveDate>, Option<NaiveDate>, Option<&'static str>, Option<i64>, Option<bool>);

impl RecordFilter {
    fn values(&self, person_id: i64) -> WhereValues {
        (
            person_id,
            self.first_day,
            self.last_day,
            self.category.map(Category::code),
            self.activity.map(|a| i64::from(a.0)),
            self.online,
        )
    }
}

impl Store {
    /// How many records match `filter`.
    pub async fn count_credit_records(&self, person_id: i64, filter: &RecordFilter) -> anyhow::Result<i64> {
        let sql = format!("SELECT COUNT(*) FROM credit {WHERE}");
        let values = filter.values(person_id);
        if let Some(reader) = &self.reader {
            let count = reader.optional("counting CE records", &sql, values, |row| row.get(0))?;
            return Ok(count.unwrap_or(0));
        }
        let (person, first_day, last_day, category, activity, online) = values;
        let (count,): (i64,) = on_pool!(self, pool => sqlx::query_as(&sql)
            .bind(person)
            .bind(first_day)
            .bind(last_day)
            .bind(category)
            .bind(activity)
            .bind(online)
            .fetch_one(pool)
            .await)
        .context("counting CE records")?;
        Ok(count)
    }

    /// The records matching `filter` in `order`; `page` is (rows to skip, rows to return), or
    /// `None` for all of them (the exports).
    pub async fn credit_records(
        &self,
        person_id: i64,
        filter: &RecordFilter,
        order: RecordOrder,
        page: Option<(i64, i64)>,
    ) -> anyhow::Result<Vec<CreditRecord>> {
        let (offset, limit) = page.unwrap_or((0, i64::MAX));
        let sql = format!(
            "SELECT credit_id, course_code, title, organiser, reviewer, activity, role, category,
                    infection_control, gender, taken_on, points, invalid_reason
             FROM credit {WHERE}
             ORDER BY {}
             LIMIT $7 OFFSET $8",
            order.sql()
        );
        let (person, first_day, last_day, category, activity, online) = filter.values(person_id);
        if let Some(reader) = &self.reader {
            let params = (person, first_day, last_day, category, activity, online, limit, offset);
            let rows = reader.all("reading CE records", &sql, params, RecordRow::read)?;
            return Ok(rows.into_iter().map(record_from_row).collect());
        }
        let rows = on_pool!(self, pool => sqlx::query_as::<_, RecordRow>(&sql)
            .bind(person)
            .bind(first_day)
            .bind(last_day)
            .bind(category)
            .bind(activity)
            .bind(online)
            .bind(limit)
            .bind(offset)
            .fetch_all(pool)
            .await)
        .context("reading CE records")?;
        Ok(rows.into_iter().map(record_from_row).collect())
    }

    /// The most recent licence of each profession the member has held, oldest profession
    /// first: a member with two qualifications completes the CE of each (REG art. 11).
    pub async fn latest_licence_per_profession(&self, person_id: i64) -> anyhow::Result<Vec<LicenceSummary>> {
        const SQL: &str =
            "SELECT l.licence_id, l.profession, l.number, l.authority, i.name AS institution_name,
                    l.registered_on, l.renewal_due, l.status
             FROM licence l LEFT JOIN institution i ON i.nhi_code = l.institution_code
             WHERE l.person_id = $1
             ORDER BY l.registered_on, l.licence_id";
        let rows = match &self.reader {
            Some(reader) => reader.all("reading the licences", SQL, [person_id], LicenceRow::read)?,
            None => on_pool!(self, pool => sqlx::query_as::<_, LicenceRow>(SQL)
                .bind(person_id)
                .fetch_all(pool)
                .await)
            .context("reading the licences")?,
        };
        let mut latest: Vec<LicenceSummary> = Vec::new();
        for row in rows {
            let summary = row.into_summary();
            match latest.iter_mut().find(|l| l.profession == summary.profession) {
                Some(slot) => *slot = summary,
                None => latest.push(summary),
            }
        }
        Ok(latest)
    }

    /// The day the licence's practice ceased (its last 歇業 event), if it has one.
    pub async fn closed_on(&self, licence_id: i64) -> anyhow::Result<Option<NaiveDate>> {
        const SQL: &str = "SELECT happened_on FROM licence_event
             WHERE licence_id = $1 AND kind = 'closed'
             ORDER BY happened_on DESC, licence_event_id DESC LIMIT 1";
        if let Some(reader) = &self.reader {
            return reader.optional("reading the 歇業 date", SQL, [licence_id], |row| row.get(0));
        }
        let day: Option<(NaiveDate,)> = on_pool!(self, pool => sqlx::query_as(SQL)
            .bind(licence_id)
            .fetch_optional(pool)
            .await)
        .context("reading the 歇業 date")?;
        Ok(day.map(|(d,)| d))
    }
}

fn record_from_row(row: RecordRow) -> CreditRecord {
    let category = Category::from_code(&row.category);
    let activity = u8::try_from(row.activity).ok().map(Activity);
    let invalid_reason = match (category, activity) {
        (Some(_), Some(_)) => row.invalid_reason,
        _ => Some(row.invalid_reason.unwrap_or_else(|| "unknown category or activity".to_owned())),
    };
    CreditRecord {
        credit: Credit {
            id: row.credit_id,
            date: row.taken_on,
            activity: activity.unwrap_or(Activity::OTHER),
            category: category.unwrap_or(Category::Professional),
            infection_control: row.infection_control,
            gender: row.gender,
            points: Points::from_hundredths(row.points),
            invalid_reason,
            // The page takes each record's outcome from the evaluation of `credits_between`,
            // which links corrections to their credits; this copy only names the record.
            corrects: None,
        },
        course_code: row.course_code,
        title: row.title,
        organiser: row.organiser,
        reviewer: row.reviewer,
        role: Role::from_code(&row.role),
    }
}
