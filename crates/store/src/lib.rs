//! The portal's database. This crate is the only place that speaks SQL.
//!
//! One set of queries serves both engines: SQLite (the embedded default, one file in the data
//! folder) and PostgreSQL (several server processes on one database). Each query is written once
//! and [`on_pool!`] expands it for the engine in use, so both are type-checked. Migrations are
//! kept per engine because their DDL differs.
//!
//! Instants are whole seconds since the Unix epoch and are always passed in by the caller: the
//! store never reads the clock, so expiry logic can be tested with a moved clock.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use anyhow::Context;
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

pub mod accounts;
pub mod audit;
pub mod bulk;
pub mod card;
pub mod ce;
pub mod content;
pub mod device_cookies;
pub mod import;
pub mod maintenance;
pub mod member;
pub mod operators;
pub mod outbox;
pub mod personal;
mod reader;
pub mod sessions;
pub mod throttle;
pub mod tokens;

/// Runs `$body` with `$pool` bound to whichever engine's pool the store holds.
macro_rules! on_pool {
    ($store:expr, $pool:ident => $body:expr) => {
        match &$store.db {
            $crate::Db::Sqlite($pool) => $body,
            $crate::Db::Postgres($pool) => $body,
        }
    };
}
pub(crate) use on_pool;

#[derive(Clone, Debug)]
pub(crate) enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Whether `error` means the database cannot be reached right now (refused connection, pool
/// exhausted, server restarting), as opposed to a bug or bad data: callers answer 503 then, and
/// the pool reconnects by itself when the database is back.
pub fn is_unavailable(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        matches!(
            cause.downcast_ref::<sqlx::Error>(),
            Some(sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_))
        ) || cause.downcast_ref::<std::io::Error>().is_some()
    })
}

/// Which engine a store runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// A handle on the database; cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    pub(crate) db: Db,
    /// In-place reads for member pages, on a SQLite file (see [`reader`]).
    pub(crate) reader: Option<std::sync::Arc<reader::Reader>>,
}

impl Store {
    /// Connects to `url`: `sqlite://path` or `postgres://…`. A SQLite file is created when
    /// missing and runs in WAL mode so readers never wait for the writer.
    pub async fn connect(url: &str) -> anyhow::Result<Store> {
        let mut in_place = None;
        let db = if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(3))
                .connect_lazy(url)
                .context("reading the PostgreSQL address")?;
            Db::Postgres(pool)
        } else {
            let options = SqliteConnectOptions::from_str(url)
                .context("reading the SQLite address")?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(5));
            let pool = SqlitePoolOptions::new()
                .max_connections(8)
                .acquire_timeout(Duration::from_secs(3))
                .connect_with(options)
                .await
                .context("opening the SQLite database")?;
            in_place =
                maintenance::sqlite_path(url).map(|path| std::sync::Arc::new(reader::Reader::new(path)));
            Db::Sqlite(pool)
        };
        Ok(Store { db, reader: in_place })
    }

    /// The SQLite address of a database file in `folder`.
    /// Connects to `url` for commands that only read it (`backup`, `migrate --check`, a dry
    /// run of `import`). A SQLite file is opened read-only as it is: never created, and its
    /// journal mode left alone, so its bytes do not change. PostgreSQL connects as usual.
    pub async fn connect_read_only(url: &str) -> anyhow::Result<Store> {
        if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            return Store::connect(url).await;
        }
        let options = SqliteConnectOptions::from_str(url)
            .context("reading the SQLite address")?
            .read_only(true)
            .create_if_missing(false)
            .busy_timeout(Duration::from_secs(5));
        let pool = SqlitePoolOptions::new()
            .max_connections(2)
            .acquire_timeout(Duration::from_secs(3))
            .connect_with(options)
            .await
            .context("opening the SQLite database read-only")?;
        Ok(Store { db: Db::Sqlite(pool), reader: None })
    }

    pub fn sqlite_url_in(folder: &Path) -> String {
        format!("sqlite://{}", folder.join("huzhu.db").display())
    }

    pub fn engine(&self) -> Engine {
        match self.db {
            Db::Sqlite(_) => Engine::Sqlite,
            Db::Postgres(_) => Engine::Postgres,
        }
    }

    /// Brings the schema up to date.
    pub async fn migrate(&self) -> anyhow::Result<()> {
        let twins = self.operator_case_twins().await;
        anyhow::ensure!(
            twins.is_empty(),
            "operator names are now case-insensitive, and these names differ only by case: {}. \
             Rename all but one of each in the operator table (or delete the ones never used), \
             then run the migration again",
            twins.join(", ")
        );
        match &self.db {
            Db::Sqlite(pool) => sqlx::migrate!("migrations/sqlite").run(pool).await,
            Db::Postgres(pool) => sqlx::migrate!("migrations/postgres").run(pool).await,
        }
        .context("running the database migrations")
    }

    /// Operator names that differ only by case, which migration 0012 cannot lowercase without
    /// merging two operators. Empty on a new database, where the table does not exist yet and
    /// the query fails: a database that fails for another reason fails in the migration.
    async fn operator_case_twins(&self) -> Vec<String> {
        let rows: Result<Vec<(String,)>, sqlx::Error> = on_pool!(self, pool => sqlx::query_as(
            "SELECT username FROM operator WHERE lower(username) IN \
             (SELECT lower(username) FROM operator GROUP BY lower(username) HAVING COUNT(*) > 1)",
        )
        .fetch_all(pool)
        .await);
        let mut names: Vec<String> = rows.unwrap_or_default().into_iter().map(|(name,)| name).collect();
        // Sorted here, by byte, so both engines name them in one order whatever their collation.
        names.sort_by_key(|name| (name.to_ascii_lowercase(), name.clone()));
        names
    }

    /// Answers when the database answers a trivial query.
    pub async fn ping(&self) -> anyhow::Result<()> {
        on_pool!(self, pool => sqlx::query("SELECT 1").execute(pool).await.map(|r| r.rows_affected()))
            .context("asking the database for SELECT 1")?;
        Ok(())
    }

    /// Creates an empty database named `name` on the PostgreSQL server of `server_url` and
    /// returns its address. Test suites use it to give every test a database of its own.
    pub async fn create_postgres_database(server_url: &str, name: &str) -> anyhow::Result<String> {
        anyhow::ensure!(
            name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
            "a scratch database name is letters, digits and underscores"
        );
        let admin = PgPoolOptions::new()
            .max_connections(1)
            .connect(server_url)
            .await
            .context("connecting to PostgreSQL")?;
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&admin)
            .await
            .context("creating a database")?;
        admin.close().await;
        let base = server_url.rsplit_once('/').map(|(base, _)| base).unwrap_or(server_url);
        Ok(format!("{base}/{name}"))
    }

    pub async fn close(&self) {
        on_pool!(self, pool => pool.close().await)
    }
}
