//! Care of the data: `huzhu backup`, `huzhu restore` and `huzhu migrate --check`.
//!
//! Every `huzhu` process that opens a SQLite database holds a shared lock (`flock`) on a file
//! beside it, `<database>.lock`, for as long as it runs. `huzhu restore` takes that lock
//! exclusively, so it refuses while a server, an import or any other `huzhu` command uses the
//! database, and a server cannot start during a restore. The operating system drops the lock
//! when a process ends, killed or not, so no stale lock is left behind. Programs other than
//! `huzhu` (the `sqlite3` shell, say) do not take the lock: stop them yourself before a restore.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use huzhu_store::Store;
use huzhu_store::maintenance::sqlite_path;

/// Held while the process uses the database; dropping it releases the lock.
pub struct DatabaseLock {
    _file: Option<File>,
}

fn lock_path(database: &Path) -> PathBuf {
    let mut name = database.as_os_str().to_owned();
    name.push(".lock");
    PathBuf::from(name)
}

fn open_lock_file(database: &Path) -> anyhow::Result<File> {
    let path = lock_path(database);
    OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .with_context(|| format!("opening the lock file {}", path.display()))
}

/// Marks the database at `url` as in use by this process (nothing to do for PostgreSQL).
pub fn use_database(url: &str) -> anyhow::Result<DatabaseLock> {
    let Some(database) = sqlite_path(url) else {
        return Ok(DatabaseLock { _file: None });
    };
    let file = open_lock_file(&database)?;
    match file.try_lock_shared() {
        Ok(()) => Ok(DatabaseLock { _file: Some(file) }),
        Err(TryLockError::WouldBlock) => {
            anyhow::bail!(
                "the database {} is being restored; try again when that is done",
                database.display()
            )
        }
        Err(TryLockError::Error(error)) => Err(error).context("locking the database"),
    }
}

const POSTGRES_BACKUP: &str =
    "huzhu backup copies a SQLite database; back up PostgreSQL with pg_dump (see the README)";

/// Refuses `huzhu backup` on a PostgreSQL address before anything connects to it.
pub fn refuse_postgres_backup(database_url: &str) -> anyhow::Result<()> {
    let postgres = database_url.starts_with("postgres:") || database_url.starts_with("postgresql:");
    anyhow::ensure!(!postgres, POSTGRES_BACKUP);
    Ok(())
}

/// `huzhu backup <file>`: a consistent copy of the running database.
pub async fn backup(store: &Store, target: &Path) -> anyhow::Result<()> {
    anyhow::ensure!(store.engine() == huzhu_store::Engine::Sqlite, POSTGRES_BACKUP);
    anyhow::ensure!(
        !target.exists(),
        "{} already exists; a backup never overwrites a file",
        target.display()
    );
    let started = Instant::now();
    store.backup_sqlite(target).await?;
    let bytes = std::fs::metadata(target).map(|m| m.len()).unwrap_or(0);
    out!(
        "backed up to {} ({:.1} MB) in {:.1} s",
        target.display(),
        bytes as f64 / 1_000_000.0,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// `huzhu restore <file>`: replaces the SQLite database with a backup, unless it is in use.
/// The database it replaces is kept beside it as `<database>.before-restore-<seconds>`.
pub async fn restore(database_url: &str, backup: &Path) -> anyhow::Result<()> {
    let Some(database) = sqlite_path(database_url) else {
        anyhow::bail!(
            "huzhu restore replaces a SQLite database; restore PostgreSQL with pg_restore (see the README)"
        );
    };
    anyhow::ensure!(backup.is_file(), "there is no backup file at {}", backup.display());
    if let Some(folder) = database.parent().filter(|f| !f.as_os_str().is_empty()) {
        std::fs::create_dir_all(folder)
            .with_context(|| format!("creating the data folder {}", folder.display()))?;
    }
    let lock = open_lock_file(&database)?;
    match lock.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => anyhow::bail!(
            "the database {} is in use by a running huzhu process (a server or another command holds {}); \
             stop it before restoring",
            database.display(),
            lock_path(&database).display()
        ),
        Err(TryLockError::Error(error)) => return Err(error).context("locking the database"),
    }

    let staged = sibling(&database, ".restoring");
    std::fs::copy(backup, &staged).with_context(|| format!("copying {}", backup.display()))?;
    if let Err(error) = check_backup(&staged).await {
        let _ = std::fs::remove_file(&staged);
        return Err(error.context(format!("{} is not a usable huzhu backup", backup.display())));
    }
    if database.exists() {
        set_aside(&database).await?;
    }
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(sibling(&database, suffix));
    }
    std::fs::rename(&staged, &database).context("putting the backup in place")?;
    out!("restored {} from {}", database.display(), backup.display());
    Ok(())
}

/// Moves the database being replaced to `<database>.before-restore-<seconds>` (with `-2`, `-3`…
/// after it when a copy of that second is already kept) with all its rows. Its write-ahead log is folded in first (the exclusive lock means no huzhu process has it
/// open), so the kept file opens whole on its own. Should that fail (a damaged database, say),
/// the log and its index move beside the kept copy, where SQLite finds them when it is opened.
async fn set_aside(database: &Path) -> anyhow::Result<()> {
    let folded = fold_wal(database).await;
    let kept = unused_kept_name(database)?;
    std::fs::rename(database, &kept).context("setting the old database aside")?;
    out!("the database it replaces is kept as {}", kept.display());
    if let Err(error) = folded {
        keep_wal(database, &kept)?;
        eprintln!("note: {error:#}; its write-ahead log is kept beside it");
    }
    Ok(())
}

/// The first `<database>.before-restore-<seconds>[-n]` that names no file, so that two restores
/// within one second never overwrite the copy the first one kept. A restore holds the database's
/// exclusive lock, so no other restore of it picks a name at the same time.
fn unused_kept_name(database: &Path) -> anyhow::Result<PathBuf> {
    let base = format!(".before-restore-{}", chrono::Utc::now().timestamp());
    let candidates = std::iter::once(base.clone()).chain((2..1000).map(|n| format!("{base}-{n}")));
    for suffix in candidates {
        let kept = sibling(database, &suffix);
        if std::fs::symlink_metadata(&kept).is_err() {
            return Ok(kept);
        }
    }
    anyhow::bail!("too many copies named {}{base}-n are kept already; move some away", database.display())
}

/// Moves the write-ahead log and its index of `database` beside the copy kept as `kept`.
fn keep_wal(database: &Path, kept: &Path) -> anyhow::Result<()> {
    for suffix in ["-wal", "-shm"] {
        let log = sibling(database, suffix);
        if log.exists() {
            std::fs::rename(&log, sibling(kept, suffix)).context("setting the old write-ahead log aside")?;
        }
    }
    Ok(())
}

async fn fold_wal(database: &Path) -> anyhow::Result<()> {
    let store = Store::connect(&format!("sqlite://{}", database.display())).await?;
    let folded = store.checkpoint_sqlite().await;
    store.close().await;
    folded
}

fn sibling(database: &Path, suffix: &str) -> PathBuf {
    let mut name = database.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Opens the staged copy: SQLite's integrity check passes and the schema is one this program
/// knows (perhaps older: the server migrates it when it starts).
async fn check_backup(path: &Path) -> anyhow::Result<()> {
    let store = Store::connect(&format!("sqlite://{}", path.display())).await?;
    let checked = async {
        store.check_integrity().await?;
        let status = store.schema_status().await?;
        anyhow::ensure!(
            status.unknown.is_empty(),
            "it was made by a newer huzhu (migrations {:?})",
            status.unknown
        );
        anyhow::ensure!(
            status.changed.is_empty(),
            "its migrations {:?} differ from this huzhu's",
            status.changed
        );
        let total = huzhu_store::maintenance::migration_count(store.engine());
        anyhow::ensure!(status.pending.len() < total, "it holds no huzhu tables");
        Ok(())
    }
    .await;
    store.close().await;
    checked
}

/// Asks the database for `SELECT 1`, so that an address where no database answers is told as
/// such rather than as a failure of whatever the command does first.
pub async fn reach(store: &Store) -> anyhow::Result<()> {
    match store.ping().await {
        Err(error) if huzhu_store::is_unavailable(&error) => Err(error.context(
            "the database could not be reached; check that it is running and that HUZHU_DATABASE_URL names it",
        )),
        other => other,
    }
}

/// `huzhu migrate --check`: whether the schema is current, without changing it.
/// Opens a database that must already hold huzhu's schema, read-only (see
/// [`Store::connect_read_only`]).
pub async fn open_read_only(database_url: &str) -> anyhow::Result<Store> {
    let store = Store::connect_read_only(database_url).await?;
    let schema = match reach(&store).await {
        Ok(()) => store.has_huzhu_schema().await,
        Err(error) => Err(error),
    };
    if !schema.as_ref().is_ok_and(|has| *has) {
        store.close().await;
        schema?;
        anyhow::bail!("the database holds no huzhu schema (is it empty?); create it with `huzhu migrate`");
    }
    Ok(store)
}

pub async fn check_schema(database_url: &str) -> anyhow::Result<()> {
    if let Some(database) = sqlite_path(database_url) {
        anyhow::ensure!(database.exists(), "there is no database at {}", database.display());
    }
    let store = open_read_only(database_url).await?;
    let status = store.schema_status().await;
    store.close().await;
    let status = status?;
    if status.is_current() {
        out!("The database schema is current.");
        return Ok(());
    }
    for (version, description) in &status.pending {
        out!("not applied: {version:04} {description}");
    }
    for version in &status.unknown {
        out!("applied but unknown to this huzhu (a newer release?): {version:04}");
    }
    for version in &status.changed {
        out!("applied from a different text: {version:04}");
    }
    anyhow::bail!("the database schema is not current; run `huzhu migrate`")
}
