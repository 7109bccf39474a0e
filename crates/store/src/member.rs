//! What a member's own pages read from the registry.

use anyhow::Context;
use chrono::NaiveDate;
use huzhu_core::points::Points;
use huzhu_core::profession::{PracticeStatus, Profession};
use huzhu_core::rules::{Activity, Category, Credit};

use crate::{Store, on_pool};

/// The member's name and ID number.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PersonRow {
    pub person_id: i64,
    pub id_number: String,
    pub name: String,
    pub birth_date: NaiveDate,
}

impl PersonRow {
    fn read(row: &rusqlite::Row<'_>) -> rusqlite::Result<PersonRow> {
        // By position, in the order of the SELECT (see the reader module).
        Ok(PersonRow {
            person_id: row.get(0)?,
            id_number: row.get(1)?,
            name: row.get(2)?,
            birth_date: crate::reader::date(row, 3)?,
        })
    }
}

/// A licence with the name of its institution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LicenceSummary {
    pub licence_id: i64,
    pub profession: Option<Profession>,
    pub number: String,
    pub authority: String,
    pub institution_name: Option<String>,
    pub registered_on: NaiveDate,
    pub renewal_due: NaiveDate,
    pub status: Option<PracticeStatus>,
}

/// A licence row joined with its institution's name, as several pages read it.
#[derive(sqlx::FromRow)]
pub(crate) struct LicenceRow {
    licence_id: i64,
    profession: String,
    number: String,
    authority: String,
    institution_name: Option<String>,
    registered_on: NaiveDate,
    renewal_due: NaiveDate,
    status: String,
}

impl LicenceRow {
    pub(crate) fn read(row: &rusqlite::Row<'_>) -> rusqlite::Result<LicenceRow> {
        // By position, in the order of the SELECT (see the reader module).
        Ok(LicenceRow {
            licence_id: row.get(0)?,
            profession: row.get(1)?,
            number: row.get(2)?,
            authority: row.get(3)?,
            institution_name: row.get(4)?,
            registered_on: crate::reader::date(row, 5)?,
            renewal_due: crate::reader::date(row, 6)?,
            status: row.get(7)?,
        })
    }

    pub(crate) fn into_summary(self) -> LicenceSummary {
        LicenceSummary {
            licence_id: self.licence_id,
            profession: Profession::from_code(&self.profession),
            number: self.number,
            authority: self.authority,
            institution_name: self.institution_name,
            registered_on: self.registered_on,
            renewal_due: self.renewal_due,
            status: PracticeStatus::from_code(&self.status),
        }
    }
}

#[derive(sqlx::FromRow)]
struct CreditRow {
    credit_id: i64,
    taken_on: NaiveDate,
    activity: i64,
    category: String,
    infection_control: bool,
    gender: bool,
    points: i64,
    invalid_reason: Option<String>,
    corrects: Option<i64>,
}

impl CreditRow {
    fn read(row: &rusqlite::Row<'_>) -> rusqlite::Result<CreditRow> {
        // By position, in the order of the SELECT (see the reader module).
        Ok(CreditRow {
            credit_id: row.get(0)?,
            taken_on: crate::reader::date(row, 1)?,
            activity: row.get(2)?,
            category: row.get(3)?,
            infection_control: row.get(4)?,
            gender: row.get(5)?,
            points: row.get(6)?,
            invalid_reason: row.get(7)?,
            corrects: row.get(8)?,
        })
    }
}

/// How many online courses a member finished and how long they took.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LearningTotals {
    pub courses: i64,
    pub minutes: i64,
}

impl Store {
    pub async fn person(&self, person_id: i64) -> anyhow::Result<Option<PersonRow>> {
        const SQL: &str = "SELECT person_id, id_number, name, birth_date FROM person WHERE person_id = $1";
        if let Some(reader) = &self.reader {
            return reader.optional("reading a person", SQL, [person_id], PersonRow::read);
        }
        let row = on_pool!(self, pool => sqlx::query_as::<_, PersonRow>(SQL)
            .bind(person_id)
            .fetch_optional(pool)
            .await)
        .context("reading a person")?;
        Ok(row)
    }

    /// The member's most recent licence: the one registered last.
    pub async fn current_licence(&self, person_id: i64) -> anyhow::Result<Option<LicenceSummary>> {
        const SQL: &str =
            "SELECT l.licence_id, l.profession, l.number, l.authority, i.name AS institution_name,
                    l.registered_on, l.renewal_due, l.status
             FROM licence l LEFT JOIN institution i ON i.nhi_code = l.institution_code
             WHERE l.person_id = $1
             ORDER BY l.registered_on DESC, l.licence_id DESC
             LIMIT 1";
        let row = match &self.reader {
            Some(reader) => {
                reader.optional("reading the current licence", SQL, [person_id], LicenceRow::read)?
            }
            None => on_pool!(self, pool => sqlx::query_as::<_, LicenceRow>(SQL)
                .bind(person_id)
                .fetch_optional(pool)
                .await)
            .context("reading the current licence")?,
        };
        Ok(row.map(LicenceRow::into_summary))
    }

    /// The member's CE records dated from `first_day` to `last_day` inclusive, as the rule
    /// reads them. A record with a category or activity the rule does not know is reported as
    /// invalid rather than dropped, so it still shows up with a reason. A correction comes with
    /// the id of the credit it corrects (same natural key but positive points, as the import
    /// matches them), so the rule takes back no more than that credit counts. The same text
    /// runs on both engines and on the SQLite reader.
    pub async fn credits_between(
        &self,
        person_id: i64,
        first_day: NaiveDate,
        last_day: NaiveDate,
    ) -> anyhow::Result<Vec<Credit>> {
        const SQL: &str = "SELECT c.credit_id, c.taken_on, c.activity, c.category, c.infection_control,
                    c.gender, c.points, c.invalid_reason,
                    (SELECT MIN(k.credit_id) FROM credit k
                     WHERE c.points < 0 AND k.person_id = c.person_id AND k.course_code = c.course_code
                       AND k.category = c.category AND k.role = c.role AND k.taken_on = c.taken_on
                       AND k.infection_control = c.infection_control AND k.gender = c.gender
                       AND k.points > 0) AS corrects
             FROM credit c WHERE c.person_id = $1 AND c.taken_on >= $2 AND c.taken_on <= $3
             ORDER BY c.taken_on, c.credit_id";
        let rows = match &self.reader {
            Some(reader) => reader.all(
                "reading CE records",
                SQL,
                rusqlite::params![person_id, first_day, last_day],
                CreditRow::read,
            )?,
            None => on_pool!(self, pool => sqlx::query_as::<_, CreditRow>(SQL)
                .bind(person_id)
                .bind(first_day)
                .bind(last_day)
                .fetch_all(pool)
                .await)
            .context("reading CE records")?,
        };
        Ok(rows.into_iter().map(credit_from_row).collect())
    }

    pub async fn learning_totals(&self, person_id: i64) -> anyhow::Result<LearningTotals> {
        const SQL: &str = "SELECT COUNT(*), CAST(SUM(minutes) AS BIGINT) FROM learning WHERE person_id = $1";
        let (courses, minutes): (i64, Option<i64>) = match &self.reader {
            Some(reader) => reader
                .optional("reading the learning record", SQL, [person_id], |row| {
                    Ok((row.get(0)?, row.get(1)?))
                })?
                .unwrap_or((0, None)),
            None => on_pool!(self, pool => sqlx::query_as(SQL)
                .bind(person_id)
                .fetch_one(pool)
                .await)
            .context("reading the learning record")?,
        };
        Ok(LearningTotals { courses, minutes: minutes.unwrap_or(0) })
    }
}

fn credit_from_row(row: CreditRow) -> Credit {
    let category = Category::from_code(&row.category);
    let activity = u8::try_from(row.activity).ok().map(Activity);
    let invalid_reason = match (category, activity) {
        (Some(_), Some(_)) => row.invalid_reason,
        _ => Some(row.invalid_reason.unwrap_or_else(|| "unknown category or activity".to_owned())),
    };
    Credit {
        id: row.credit_id,
        date: row.taken_on,
        activity: activity.unwrap_or(Activity::OTHER),
        category: category.unwrap_or(Category::Professional),
        infection_control: row.infection_control,
        gender: row.gender,
        points: Points::from_hundredths(row.points),
        invalid_reason,
        corrects: row.corrects,
    }
}
