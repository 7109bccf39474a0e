//! A data folder (and, when the suite runs on PostgreSQL, a database of its own) for one test,
//! the `huzhu` command run against it, and the database read back with plain SQL.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub struct Site {
    pub data: tempfile::TempDir,
    pub postgres: Option<String>,
}

impl Site {
    pub fn new() -> Site {
        Site { data: tempfile::tempdir().expect("a temporary folder"), postgres: postgres_for_test() }
    }

    /// A site on SQLite whatever the suite runs on (backup and restore are SQLite's).
    pub fn sqlite() -> Site {
        Site { data: tempfile::tempdir().expect("a temporary folder"), postgres: None }
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_huzhu"));
        command.args(args).env("HUZHU_DATA_DIR", self.data.path().join("data")).env("HUZHU_LOG", "warn");
        if let Some(url) = &self.postgres {
            command.env("HUZHU_DATABASE_URL", url);
        }
        command
    }

    pub fn huzhu(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("huzhu runs")
    }

    /// Runs `huzhu` and insists that it succeeds; returns what it printed on standard output.
    pub fn ok(&self, args: &[&str]) -> String {
        let output = self.huzhu(args);
        assert!(output.status.success(), "huzhu {args:?} failed:\n{}", text(&output.stderr));
        text(&output.stdout)
    }

    /// Writes `bytes` to a file in the test's folder.
    pub fn file(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let path = self.data.path().join(name);
        std::fs::write(&path, bytes).expect("a test file");
        path
    }

    pub fn database_path(&self) -> PathBuf {
        self.data.path().join("data").join("huzhu.db")
    }

    /// The rows of a query whose one column is text.
    pub fn lines(&self, sql: &str) -> Vec<String> {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
        runtime.block_on(async {
            match &self.postgres {
                Some(url) => {
                    let pool = sqlx::PgPool::connect(url).await.expect("PostgreSQL");
                    let rows: Vec<(String,)> = sqlx::query_as(sql).fetch_all(&pool).await.expect("a query");
                    pool.close().await;
                    rows.into_iter().map(|(line,)| line).collect()
                }
                None => {
                    let url = format!("sqlite://{}", self.database_path().display());
                    let pool = sqlx::SqlitePool::connect(&url).await.expect("SQLite");
                    let rows: Vec<(String,)> = sqlx::query_as(sql).fetch_all(&pool).await.expect("a query");
                    pool.close().await;
                    rows.into_iter().map(|(line,)| line).collect()
                }
            }
        })
    }

    /// Every registry table, row by row, as text: to tell whether anything changed.
    pub fn registry_dump(&self) -> Vec<String> {
        let mut all = Vec::new();
        for sql in [
            "SELECT nhi_code || '|' || name FROM institution ORDER BY 1",
            "SELECT CAST(person_id AS TEXT) || '|' || id_number || '|' || name || '|' || CAST(birth_date AS TEXT) \
             || '|' || sex FROM person ORDER BY 1",
            "SELECT CAST(certificate_id AS TEXT) || '|' || CAST(person_id AS TEXT) || '|' || profession || '|' || number \
             || '|' || CAST(issued_on AS TEXT) FROM certificate ORDER BY 1",
            "SELECT CAST(licence_id AS TEXT) || '|' || number || '|' || COALESCE(institution_code, '-') || '|' \
             || CAST(renewal_due AS TEXT) || '|' || status FROM licence ORDER BY 1",
            "SELECT CAST(licence_event_id AS TEXT) || '|' || kind || '|' || CAST(happened_on AS TEXT) || '|' \
             || COALESCE(note, '-') FROM licence_event ORDER BY 1",
            "SELECT CAST(credit_id AS TEXT) || '|' || course_code || '|' || title || '|' || CAST(points AS TEXT) \
             || '|' || CAST(taken_on AS TEXT) FROM credit ORDER BY 1",
            "SELECT CAST(learning_id AS TEXT) || '|' || course || '|' || CAST(minutes AS TEXT) FROM learning ORDER BY 1",
        ] {
            all.extend(self.lines(sql));
        }
        all
    }
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

pub fn path(path: &Path) -> &str {
    path.to_str().expect("a UTF-8 path")
}

/// A scratch PostgreSQL database when `HUZHU_TEST_POSTGRES_URL` names a server (the suite runs
/// once on each engine); `None` means the SQLite file in the data folder.
fn postgres_for_test() -> Option<String> {
    let server = std::env::var("HUZHU_TEST_POSTGRES_URL").ok().filter(|s| !s.is_empty())?;
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
    let name = format!("huzhu_test_{}", unique_suffix());
    Some(runtime.block_on(huzhu_store::Store::create_postgres_database(&server, &name)).expect("a database"))
}

/// Sixteen hex digits that differ between tests running at the same time in one process and
/// across processes.
fn unique_suffix() -> String {
    use std::hash::{BuildHasher, RandomState};
    let nanos =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    format!("{:016x}", RandomState::new().hash_one((nanos, std::process::id())))
}
