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
}

/// How many online courses a member finished and how long they took.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LearningTotals {
    pub courses: i64,
    pub minutes: i64,
}

impl Store {
    pub async fn person(&self, person_id: i64) -> anyhow::Result<Option<PersonRow>> {
        let row = on_pool!(self, pool => sqlx::query_as::<_, PersonRow>(
            "SELECT person_id, id_number, name, birth_date FROM person WHERE person_id = $1",
        )
        .bind(person_id)
        .fetch_optional(pool)
        .await)
        .context("reading a person")?;
        Ok(row)
    }

    /// The member's most recent licence: the one registered last.
    pub async fn current_licence(&self, person_id: i64) -> anyhow::Result<Option<LicenceSummary>> {
        let row = on_pool!(self, pool => sqlx::query_as::<_, LicenceRow>(
            "SELECT l.licence_id, l.profession, l.number, l.authority, i.name AS institution_name,
                    l.registered_on, l.renewal_due, l.status
             FROM licence l LEFT JOIN institution i ON i.nhi_code = l.institution_code
             WHERE l.person_id = $1
             ORDER BY l.registered_on DESC, l.licence_id DESC
             LIMIT 1",
        )
        .bind(person_id)
        .fetch_optional(pool)
        .await)
        .context("reading the current licence")?;
        Ok(row.map(LicenceRow::into_summary))
    }

    /// The member's CE records dated from `first_day` to `last_day` inclusive, as the rule
    /// reads them. A record with a category or activity the rule does not know is reported as
    /// invalid rather than dropped, so it still shows up with a reason.
    pub async fn credits_between(
        &self,
        person_id: i64,
        first_day: NaiveDate,
        last_day: NaiveDate,
    ) -> anyhow::Result<Vec<Credit>> {
        let rows = on_pool!(self, pool => sqlx::query_as::<_, CreditRow>(
            "SELECT credit_id, taken_on, activity, category, infection_control, gender, points, invalid_reason
             FROM credit WHERE person_id = $1 AND taken_on >= $2 AND taken_on <= $3
             ORDER BY taken_on, credit_id",
        )
        .bind(person_id)
        .bind(first_day)
        .bind(last_day)
        .fetch_all(pool)
        .await)
        .context("reading CE records")?;
        Ok(rows.into_iter().map(credit_from_row).collect())
    }

    pub async fn learning_totals(&self, person_id: i64) -> anyhow::Result<LearningTotals> {
        let (courses, minutes): (i64, Option<i64>) = on_pool!(self, pool => sqlx::query_as(
            "SELECT COUNT(*), CAST(SUM(minutes) AS BIGINT) FROM learning WHERE person_id = $1",
        )
        .bind(person_id)
        .fetch_one(pool)
        .await)
        .context("reading the learning record")?;
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
    }
}
