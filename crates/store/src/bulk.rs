//! Loading many registry records at once: demo data now, government files later.
//!
//! Rows go in as multi-row INSERT statements inside one transaction per batch, so a batch is
//! either fully loaded or not at all. Keys are assigned by the caller (the next free numbers),
//! which lets a batch insert people and their licences without reading generated keys back.

use anyhow::Context;
use huzhu_core::registry::{Person, Sex};

use crate::{Store, on_pool};

/// SQLite allows 32,766 bound values in a statement and PostgreSQL 65,535: stay under both.
const MAX_BINDS: usize = 30_000;

/// The next free keys of the tables a batch writes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NextKeys {
    pub person_id: i64,
    pub licence_id: i64,
}

/// An account for a demo member, sharing one pre-computed password hash.
#[derive(Debug, Clone)]
pub struct DemoAccount {
    pub person_id: i64,
    pub email: String,
}

fn sex_code(sex: Sex) -> &'static str {
    match sex {
        Sex::Female => "F",
        Sex::Male => "M",
    }
}

/// Splits `items` into chunks of at most `MAX_BINDS / columns` rows.
fn chunks<T>(items: &[T], columns: usize) -> std::slice::Chunks<'_, T> {
    items.chunks((MAX_BINDS / columns).max(1))
}

impl Store {
    /// The first free person and licence keys.
    pub async fn next_keys(&self) -> anyhow::Result<NextKeys> {
        let (person_id, licence_id): (i64, i64) = on_pool!(self, pool => sqlx::query_as(
            "SELECT (SELECT COALESCE(MAX(person_id), 0) + 1 FROM person),
                    (SELECT COALESCE(MAX(licence_id), 0) + 1 FROM licence)",
        )
        .fetch_one(pool)
        .await)
        .context("reading the next free keys")?;
        Ok(NextKeys { person_id, licence_id })
    }

    pub async fn count_people(&self) -> anyhow::Result<i64> {
        let (count,): (i64,) = on_pool!(self, pool => sqlx::query_as("SELECT COUNT(*) FROM person")
            .fetch_one(pool)
            .await)
        .context("counting people")?;
        Ok(count)
    }

    /// Adds institutions, leaving those already known as they are.
    pub async fn insert_institutions(&self, institutions: &[(String, String)]) -> anyhow::Result<()> {
        on_pool!(self, pool => {
            let mut tx = pool.begin().await.context("starting the institutions transaction")?;
            for chunk in chunks(institutions, 2) {
                let mut query = sqlx::QueryBuilder::new("INSERT INTO institution (nhi_code, name) ");
                query.push_values(chunk, |mut row, (code, name)| {
                    row.push_bind(code).push_bind(name);
                });
                query.push(" ON CONFLICT (nhi_code) DO NOTHING");
                query.build().execute(&mut *tx).await.context("inserting institutions")?;
            }
            tx.commit().await.context("committing institutions")
        })
    }

    /// Inserts `people` with everything they carry, numbered from `keys`, in one transaction.
    /// Returns the keys that follow.
    pub async fn insert_people(&self, people: &[Person], keys: NextKeys) -> anyhow::Result<NextKeys> {
        let numbered = number(people, keys);
        on_pool!(self, pool => {
            let mut tx = pool.begin().await.context("starting a batch")?;

            for chunk in chunks(&numbered.people, 5) {
                let mut query = sqlx::QueryBuilder::new("INSERT INTO person (person_id, id_number, name, birth_date, sex) ");
                query.push_values(chunk, |mut row, (id, person)| {
                    row.push_bind(*id)
                        .push_bind(person.id_number.as_str())
                        .push_bind(&person.name)
                        .push_bind(person.birth_date)
                        .push_bind(sex_code(person.sex));
                });
                query.build().execute(&mut *tx).await.context("inserting people")?;
            }

            let certificates: Vec<_> = numbered.people.iter()
                .flat_map(|(id, p)| p.certificates.iter().map(move |c| (*id, c)))
                .collect();
            for chunk in chunks(&certificates, 4) {
                let mut query = sqlx::QueryBuilder::new("INSERT INTO certificate (person_id, profession, number, issued_on) ");
                query.push_values(chunk, |mut row, (id, certificate)| {
                    row.push_bind(*id)
                        .push_bind(certificate.profession.code())
                        .push_bind(&certificate.number)
                        .push_bind(certificate.issued_on);
                });
                query.build().execute(&mut *tx).await.context("inserting certificates")?;
            }

            for chunk in chunks(&numbered.licences, 10) {
                let mut query = sqlx::QueryBuilder::new(
                    "INSERT INTO licence (licence_id, person_id, profession, certificate_number, number, authority, \
                     institution_code, registered_on, renewal_due, status) ",
                );
                query.push_values(chunk, |mut row, (licence_id, person_id, licence)| {
                    row.push_bind(*licence_id)
                        .push_bind(*person_id)
                        .push_bind(licence.profession.code())
                        .push_bind(&licence.certificate_number)
                        .push_bind(&licence.number)
                        .push_bind(&licence.authority)
                        .push_bind(&licence.institution_code)
                        .push_bind(licence.registered_on)
                        .push_bind(licence.renewal_due)
                        .push_bind(licence.status.code());
                });
                query.build().execute(&mut *tx).await.context("inserting licences")?;
            }

            let events: Vec<_> = numbered.licences.iter()
                .flat_map(|(licence_id, _, l)| l.events.iter().map(move |e| (*licence_id, e)))
                .collect();
            for chunk in chunks(&events, 4) {
                let mut query = sqlx::QueryBuilder::new("INSERT INTO licence_event (licence_id, kind, happened_on, note) ");
                query.push_values(chunk, |mut row, (licence_id, event)| {
                    row.push_bind(*licence_id)
                        .push_bind(event.kind.code())
                        .push_bind(event.date)
                        .push_bind(&event.note);
                });
                query.build().execute(&mut *tx).await.context("inserting licence events")?;
            }

            let credits: Vec<_> = numbered.people.iter()
                .flat_map(|(id, p)| p.credits.iter().map(move |c| (*id, c)))
                .collect();
            for chunk in chunks(&credits, 13) {
                let mut query = sqlx::QueryBuilder::new(
                    "INSERT INTO credit (person_id, course_code, title, organiser, reviewer, activity, role, \
                     category, infection_control, gender, taken_on, points, invalid_reason) ",
                );
                query.push_values(chunk, |mut row, (id, credit)| {
                    row.push_bind(*id)
                        .push_bind(&credit.course_code)
                        .push_bind(&credit.title)
                        .push_bind(&credit.organiser)
                        .push_bind(&credit.reviewer)
                        .push_bind(i64::from(credit.activity.0))
                        .push_bind(credit.role.code())
                        .push_bind(credit.category.code())
                        .push_bind(credit.infection_control)
                        .push_bind(credit.gender)
                        .push_bind(credit.date)
                        .push_bind(credit.points.hundredths())
                        .push_bind(&credit.invalid_reason);
                });
                query.build().execute(&mut *tx).await.context("inserting credits")?;
            }

            let learning: Vec<_> = numbered.people.iter()
                .flat_map(|(id, p)| p.learning.iter().map(move |l| (*id, l)))
                .collect();
            for chunk in chunks(&learning, 4) {
                let mut query = sqlx::QueryBuilder::new("INSERT INTO learning (person_id, course, minutes, completed_on) ");
                query.push_values(chunk, |mut row, (id, entry)| {
                    row.push_bind(*id)
                        .push_bind(&entry.course)
                        .push_bind(i64::from(entry.minutes))
                        .push_bind(entry.completed_on);
                });
                query.build().execute(&mut *tx).await.context("inserting learning records")?;
            }

            tx.commit().await.context("committing a batch")
        })?;
        self.advance_key_sequences().await?;
        Ok(numbered.next)
    }

    /// PostgreSQL hands out identity keys from sequences that explicit keys do not move: after a
    /// batch with explicit keys, move them past the largest key, or the next row inserted
    /// without a key would collide. SQLite takes the largest key plus one by itself.
    async fn advance_key_sequences(&self) -> anyhow::Result<()> {
        if let crate::Db::Postgres(pool) = &self.db {
            for (table, key) in [("person", "person_id"), ("licence", "licence_id")] {
                let sql = format!(
                    "SELECT setval(pg_get_serial_sequence('{table}', '{key}'), \
                     (SELECT COALESCE(MAX({key}), 0) + 1 FROM {table}), false)"
                );
                sqlx::query(&sql).execute(pool).await.context("moving a key sequence")?;
            }
        }
        Ok(())
    }

    /// Creates verified accounts that all share `password_hash`.
    pub async fn insert_demo_accounts(
        &self,
        accounts: &[DemoAccount],
        password_hash: &str,
        now: i64,
    ) -> anyhow::Result<()> {
        on_pool!(self, pool => {
            let mut tx = pool.begin().await.context("starting the accounts transaction")?;
            for chunk in chunks(accounts, 6) {
                let mut query = sqlx::QueryBuilder::new(
                    "INSERT INTO account (person_id, email, password_hash, policy_version, created_at, verified_at) ",
                );
                query.push_values(chunk, |mut row, account| {
                    row.push_bind(account.person_id)
                        .push_bind(&account.email)
                        .push_bind(password_hash)
                        .push_bind(1_i64)
                        .push_bind(now)
                        .push_bind(now);
                });
                query.build().execute(&mut *tx).await.context("inserting accounts")?;
            }
            tx.commit().await.context("committing accounts")
        })
    }
}

/// People and licences with the keys they will get.
struct Numbered<'a> {
    people: Vec<(i64, &'a Person)>,
    licences: Vec<(i64, i64, &'a huzhu_core::registry::Licence)>,
    next: NextKeys,
}

fn number(people: &[Person], keys: NextKeys) -> Numbered<'_> {
    let mut next = keys;
    let mut numbered = Numbered { people: Vec::with_capacity(people.len()), licences: Vec::new(), next };
    for person in people {
        let person_id = next.person_id;
        next.person_id += 1;
        numbered.people.push((person_id, person));
        for licence in &person.licences {
            numbered.licences.push((next.licence_id, person_id, licence));
            next.licence_id += 1;
        }
    }
    numbered.next = next;
    numbered
}
