//! Care of the database: whether the schema is current, and copies of a SQLite database.

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use anyhow::Context;
use sqlx::migrate::Migrator;

use crate::{Db, Engine, Store, on_pool};

/// How the database's applied migrations compare with the ones this program carries.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SchemaStatus {
    /// Migrations this program has and the database has not applied: version and description.
    pub pending: Vec<(i64, String)>,
    /// Migrations applied to the database that this program does not know (a newer program
    /// wrote to it).
    pub unknown: Vec<i64>,
    /// Migrations applied from a text other than this program's.
    pub changed: Vec<i64>,
}

impl SchemaStatus {
    pub fn is_current(&self) -> bool {
        self.pending.is_empty() && self.unknown.is_empty() && self.changed.is_empty()
    }
}

/// The migrations of `engine`, as embedded at build time.
fn migrator(engine: Engine) -> Migrator {
    match engine {
        Engine::Sqlite => sqlx::migrate!("migrations/sqlite"),
        Engine::Postgres => sqlx::migrate!("migrations/postgres"),
    }
}

/// How many migrations this program carries for `engine`.
pub fn migration_count(engine: Engine) -> usize {
    migrator(engine).iter().filter(|m| m.migration_type.is_up_migration()).count()
}

/// The file behind a `sqlite:` address, or `None` for another engine or an in-memory database.
pub fn sqlite_path(url: &str) -> Option<PathBuf> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or(rest);
    (!path.is_empty() && path != ":memory:").then(|| PathBuf::from(path))
}

impl Store {
    /// Compares the applied migrations with this program's, without changing anything.
    pub async fn schema_status(&self) -> anyhow::Result<SchemaStatus> {
        let applied = self.applied_migrations().await?;
        let migrator = migrator(self.engine());
        let mut status = SchemaStatus::default();
        for migration in migrator.iter().filter(|m| m.migration_type.is_up_migration()) {
            match applied.iter().find(|(version, _)| *version == migration.version) {
                None => status.pending.push((migration.version, migration.description.to_string())),
                Some((_, checksum)) if checksum.as_slice() != &*migration.checksum => {
                    status.changed.push(migration.version)
                }
                Some(_) => {}
            }
        }
        status.unknown = applied
            .iter()
            .map(|(version, _)| *version)
            .filter(|version| !migrator.version_exists(*version))
            .collect();
        Ok(status)
    }

    /// Whether any of huzhu's migrations was ever applied: false for an empty file (or one of
    /// another program), which the read-only commands refuse rather than treat as a database.
    pub async fn has_huzhu_schema(&self) -> anyhow::Result<bool> {
        Ok(!self.applied_migrations().await?.is_empty())
    }

    /// Versions and checksums of the migrations applied so far; none on an empty database.
    async fn applied_migrations(&self) -> anyhow::Result<Vec<(i64, Vec<u8>)>> {
        let exists_sql = match self.engine() {
            Engine::Sqlite => {
                "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'"
            }
            Engine::Postgres => "SELECT COUNT(*) FROM pg_tables WHERE tablename = '_sqlx_migrations'",
        };
        let (tables,): (i64,) = on_pool!(self, pool => sqlx::query_as(exists_sql).fetch_one(pool).await)
            .context("looking for the migrations table")?;
        if tables == 0 {
            return Ok(Vec::new());
        }
        on_pool!(self, pool => sqlx::query_as(
            "SELECT version, checksum FROM _sqlx_migrations WHERE success ORDER BY version",
        )
        .fetch_all(pool)
        .await)
        .context("reading the applied migrations")
    }

    /// Applies the migrations up to and including `version` only. Used to build a database as
    /// an older release left it, e.g. to test upgrades and `huzhu migrate --check`.
    pub async fn migrate_up_to(&self, version: i64) -> anyhow::Result<()> {
        let mut migrator = migrator(self.engine());
        let kept: Vec<_> = migrator.iter().filter(|m| m.version <= version).cloned().collect();
        migrator.migrations = Cow::Owned(kept);
        match &self.db {
            Db::Sqlite(pool) => migrator.run(pool).await,
            Db::Postgres(pool) => migrator.run(pool).await,
        }
        .context("running the database migrations")
    }

    /// Writes a consistent copy of a SQLite database to `target` (which must not exist) while
    /// other connections go on reading and writing: `VACUUM INTO` reads in one transaction, so
    /// the copy is the database as of one instant, and it is compact and without a WAL file.
    pub async fn backup_sqlite(&self, target: &Path) -> anyhow::Result<()> {
        let Db::Sqlite(pool) = &self.db else {
            anyhow::bail!("backup copies a SQLite database; back up PostgreSQL with pg_dump");
        };
        let target = target.to_str().context("the backup's path is not valid UTF-8")?;
        sqlx::query("VACUUM INTO $1").bind(target).execute(pool).await.context("copying the database")?;
        Ok(())
    }

    /// Folds a SQLite database's write-ahead log into the database file and empties the log, so
    /// the file alone holds every committed row. A server that stops leaves its last writes in
    /// `<database>-wal` (its read-only connections cannot fold the log when they close); a copy
    /// of the file without the log would lack them.
    pub async fn checkpoint_sqlite(&self) -> anyhow::Result<()> {
        let Db::Sqlite(pool) = &self.db else {
            anyhow::bail!("the write-ahead log is SQLite's");
        };
        let (busy, _, _): (i64, i64, i64) = sqlx::query_as("PRAGMA wal_checkpoint(TRUNCATE)")
            .fetch_one(pool)
            .await
            .context("folding the write-ahead log into the database")?;
        anyhow::ensure!(busy == 0, "another connection kept the write-ahead log from being folded in");
        Ok(())
    }

    /// SQLite's own check of every page and index; `Ok` when it reports no problem.
    pub async fn check_integrity(&self) -> anyhow::Result<()> {
        let Db::Sqlite(pool) = &self.db else {
            anyhow::bail!("the integrity check is for SQLite databases");
        };
        let rows: Vec<(String,)> = sqlx::query_as("PRAGMA integrity_check")
            .fetch_all(pool)
            .await
            .context("checking the database's integrity")?;
        let problems: Vec<String> =
            rows.into_iter().map(|(line,)| line).filter(|line| line != "ok").collect();
        anyhow::ensure!(problems.is_empty(), "the database is damaged: {}", problems.join("; "));
        Ok(())
    }
}
