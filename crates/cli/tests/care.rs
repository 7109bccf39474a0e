//! `huzhu backup`, `huzhu restore` and `huzhu migrate --check` as an operator runs them.

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Stdio};

use support::{Site, path, text};

/// A running `huzhu serve --demo` with 30 generated members and its address.
struct Server {
    child: Child,
    address: String,
}

impl Server {
    fn start(site: &Site) -> Server {
        let mut child = site
            .command(&["serve", "--demo", "--demo-members", "30"])
            .env("HUZHU_BIND", "127.0.0.1:0")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the server starts");
        let stdout = child.stdout.take().expect("a pipe");
        let mut lines = BufReader::new(stdout).lines().map_while(Result::ok);
        let listening = lines.find(|line| line.starts_with("huzhu is listening on http://"));
        let address = listening
            .and_then(|line| line.split_whitespace().nth(4).map(str::to_owned))
            .expect("the server says where it listens");
        // Keep reading what it prints, so it never blocks on a full pipe.
        std::thread::spawn(move || lines.for_each(drop));
        Server { child, address: address.trim_start_matches("http://").to_owned() }
    }

    /// The status line of `GET /healthz`, which asks the database for `SELECT 1`.
    fn health(&self) -> String {
        let mut stream = TcpStream::connect(&self.address).expect("the server answers");
        write!(stream, "GET /healthz HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n", self.address)
            .expect("a request");
        let mut answer = String::new();
        stream.read_to_string(&mut answer).expect("an answer");
        answer.lines().next().unwrap_or_default().to_owned()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn a_backup_is_made_while_the_server_serves_and_a_restore_waits_for_it_to_stop() {
    let site = Site::sqlite();
    let server = Server::start(&site);
    assert_eq!(server.health(), "HTTP/1.1 200 OK");

    let backup = site.data.path().join("backup.db");
    let printed = site.ok(&["backup", path(&backup)]);
    assert!(printed.contains("backed up to"), "{printed}");
    assert_eq!(server.health(), "HTTP/1.1 200 OK", "the server went on serving");

    // The demo data: 6 showcase members and the 30 generated ones.
    let copy = Site { data: tempfile::tempdir().expect("a folder"), postgres: None };
    std::fs::create_dir_all(copy.database_path().parent().expect("a folder")).expect("a data folder");
    std::fs::copy(&backup, copy.database_path()).expect("a copy of the backup");
    assert_eq!(copy.lines("SELECT CAST(COUNT(*) AS TEXT) FROM person"), ["37"]);
    assert_eq!(copy.lines("PRAGMA integrity_check"), ["ok"]);

    let refused = site.huzhu(&["restore", path(&backup)]);
    assert!(!refused.status.success(), "a restore under a running server is refused");
    assert!(
        text(&refused.stderr).contains("is in use by a running huzhu process"),
        "{}",
        text(&refused.stderr)
    );
    assert_eq!(server.health(), "HTTP/1.1 200 OK", "the refused restore left the server alone");

    let again = site.huzhu(&["backup", path(&backup)]);
    assert!(!again.status.success(), "a backup never overwrites a file");

    drop(server);
    site.ok(&[
        "import",
        "people",
        path(&site.file("one.csv", "id_number,name,birth_date,sex\nA123456789,王,1980-01-01,M\n".as_bytes())),
    ]);
    assert_eq!(site.lines("SELECT CAST(COUNT(*) AS TEXT) FROM person"), ["38"]);
    let printed = site.ok(&["restore", path(&backup)]);
    assert!(printed.contains("restored"), "{printed}");
    assert_eq!(
        site.lines("SELECT CAST(COUNT(*) AS TEXT) FROM person"),
        ["37"],
        "the person added after the backup is gone"
    );
    let kept = std::fs::read_dir(site.database_path().parent().expect("a folder"))
        .expect("the data folder")
        .filter_map(Result::ok)
        .filter(|entry| entry.file_name().to_string_lossy().starts_with("huzhu.db.before-restore-"))
        .count();
    assert_eq!(kept, 1, "the replaced database is kept beside it");
}

#[test]
fn a_file_that_is_not_a_database_is_not_restored() {
    let site = Site::sqlite();
    site.ok(&["migrate"]);
    let junk = site.file("junk.db", b"this is not a database");
    let output = site.huzhu(&["restore", path(&junk)]);
    assert!(!output.status.success());
    assert!(text(&output.stderr).contains("is not a usable huzhu backup"), "{}", text(&output.stderr));
    assert_eq!(site.lines("SELECT CAST(COUNT(*) AS TEXT) FROM person"), ["0"], "the database is still there");
}

#[test]
fn migrate_check_tells_a_current_schema_from_an_outdated_one() {
    let site = Site::new();
    if site.postgres.is_none() {
        let missing = site.huzhu(&["migrate", "--check"]);
        assert!(!missing.status.success());
        assert!(text(&missing.stderr).contains("there is no database"), "{}", text(&missing.stderr));
        assert!(!site.database_path().exists(), "checking creates no database");
        std::fs::create_dir_all(site.database_path().parent().expect("a folder")).expect("a data folder");
    }

    // The schema as a release with migrations 0001 to 0003 left it.
    let url = site.postgres.clone().unwrap_or_else(|| format!("sqlite://{}", site.database_path().display()));
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
    runtime.block_on(async {
        let store = huzhu_store::Store::connect(&url).await.expect("the database");
        store.migrate_up_to(3).await.expect("the old migrations");
        store.close().await;
    });
    let outdated = site.huzhu(&["migrate", "--check"]);
    assert!(!outdated.status.success());
    assert!(text(&outdated.stdout).contains("not applied: 0006 import"), "{}", text(&outdated.stdout));
    assert!(text(&outdated.stderr).contains("run `huzhu migrate`"), "{}", text(&outdated.stderr));

    site.ok(&["migrate"]);
    let current = site.ok(&["migrate", "--check"]);
    assert!(current.contains("The database schema is current."), "{current}");
}

#[test]
fn a_restore_keeps_every_row_of_the_database_it_replaces() {
    let site = Site::sqlite();
    let server = Server::start(&site);
    let backup = site.data.path().join("backup.db");
    site.ok(&["backup", path(&backup)]);
    // One person more than the backup holds, written while the server runs: 6 showcase members
    // + 30 generated + this one = 37 + 1 = 38.
    let one = site.file("one.csv", "id_number,name,birth_date,sex\nA123456789,王,1980-01-01,M\n".as_bytes());
    site.ok(&["import", "people", path(&one)]);
    // Killed, as by a crash or the out-of-memory killer: its last writes stay in the log.
    drop(server);
    let wal = site.database_path().with_file_name("huzhu.db-wal");
    let logged = std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
    assert!(logged > 0, "the killed server left writes in {}", wal.display());

    site.ok(&["restore", path(&backup)]);
    assert_eq!(site.lines("SELECT CAST(COUNT(*) AS TEXT) FROM person"), ["37"], "the backup is in place");

    // The kept file, copied alone into a fresh folder, holds all 38 people.
    let folder = site.database_path().parent().expect("a folder").to_owned();
    let kept = std::fs::read_dir(&folder)
        .expect("the data folder")
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .find(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("huzhu.db.before-restore-")))
        .expect("the replaced database is kept");
    let copy = Site { data: tempfile::tempdir().expect("a folder"), postgres: None };
    std::fs::create_dir_all(copy.database_path().parent().expect("a folder")).expect("a data folder");
    std::fs::copy(&kept, copy.database_path()).expect("a copy of the kept file");
    assert_eq!(copy.lines("SELECT CAST(COUNT(*) AS TEXT) FROM person"), ["38"]);
    assert_eq!(copy.lines("PRAGMA integrity_check"), ["ok"]);
}

/// A PostgreSQL address on this machine where nothing listens: a port the system just handed
/// out and that is free again.
fn unreachable_postgres() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    let port = listener.local_addr().expect("its address").port();
    drop(listener);
    format!("postgres://huzhu@127.0.0.1:{port}/huzhu")
}

#[test]
fn backup_refuses_postgresql_before_connecting_to_it() {
    let site = Site::sqlite();
    let target = site.data.path().join("backup.db");
    // Nothing listens there: the refusal can only come from the address, before any connection
    // (which would have failed with "could not be reached" after the pool's 3 s wait).
    let output = site
        .command(&["backup", path(&target)])
        .env("HUZHU_DATABASE_URL", unreachable_postgres())
        .output()
        .expect("huzhu runs");
    assert!(!output.status.success());
    let said = text(&output.stderr);
    assert!(said.contains("back up PostgreSQL with pg_dump"), "{said}");
    assert!(!said.contains("migrations"), "{said}");
    assert!(!target.exists(), "no backup file");
}

#[test]
fn backup_of_a_missing_sqlite_database_creates_none() {
    let site = Site::sqlite();
    let output = site.huzhu(&["backup", path(&site.data.path().join("backup.db"))]);
    assert!(!output.status.success());
    assert!(text(&output.stderr).contains("there is no database at"), "{}", text(&output.stderr));
    assert!(!site.database_path().exists(), "the backup created no database");
}

#[test]
fn a_database_that_does_not_answer_is_said_to_be_unreachable() {
    let site = Site::sqlite();
    let address = unreachable_postgres();
    for command in [&["migrate"][..], &["migrate", "--check"]] {
        let output = site.command(command).env("HUZHU_DATABASE_URL", &address).output().expect("huzhu runs");
        assert!(!output.status.success());
        let said = text(&output.stderr);
        assert!(said.contains("the database could not be reached"), "{command:?}: {said}");
        assert!(!said.contains("running the database migrations"), "{command:?}: {said}");
    }
}

#[test]
fn a_refusal_is_one_line_without_a_stack_trace_even_with_rust_backtrace_set() {
    let site = Site::sqlite();
    let output = site
        .command(&["backup", path(&site.data.path().join("backup.db"))])
        .env("HUZHU_DATABASE_URL", unreachable_postgres())
        .env("RUST_BACKTRACE", "1")
        .output()
        .expect("huzhu runs");
    assert_eq!(output.status.code(), Some(1));
    let said = text(&output.stderr);
    assert_eq!(
        said.trim_end().lines().collect::<Vec<_>>(),
        ["error: huzhu backup copies a SQLite database; back up PostgreSQL with pg_dump (see the README)"]
    );
}

#[test]
fn a_restore_never_overwrites_a_copy_kept_earlier() {
    let site = Site::sqlite();
    site.ok(&["migrate"]);
    let backup = site.data.path().join("backup.db");
    site.ok(&["backup", path(&backup)]);
    let folder = site.database_path().parent().expect("a folder").to_owned();
    // Copies kept by earlier restores, named for this second and the next two minutes, so the
    // restore below runs within one of their seconds however slow the machine is.
    let now = chrono::Utc::now().timestamp();
    for second in now..now + 120 {
        std::fs::write(folder.join(format!("huzhu.db.before-restore-{second}")), b"kept earlier")
            .expect("a file");
    }
    site.ok(&[
        "import",
        "people",
        path(&site.file("one.csv", "id_number,name,birth_date,sex\nA123456789,王,1980-01-01,M\n".as_bytes())),
    ]);

    let printed = site.ok(&["restore", path(&backup)]);
    let kept: Vec<_> = std::fs::read_dir(&folder)
        .expect("the data folder")
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|p| {
            p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("huzhu.db.before-restore-"))
        })
        .collect();
    // 120 earlier copies + the one this restore kept = 121, none of the earlier ones touched.
    assert_eq!(kept.len(), 121, "{printed}");
    let unchanged = kept.iter().filter(|p| std::fs::read(p).expect("a file") == b"kept earlier").count();
    assert_eq!(unchanged, 120);
    let new =
        kept.iter().find(|p| std::fs::read(p).expect("a file") != b"kept earlier").expect("the new copy");
    let copy = Site { data: tempfile::tempdir().expect("a folder"), postgres: None };
    std::fs::create_dir_all(copy.database_path().parent().expect("a folder")).expect("a data folder");
    std::fs::copy(new, copy.database_path()).expect("a copy of the kept file");
    // The replaced database held the one imported person.
    assert_eq!(copy.lines("SELECT CAST(COUNT(*) AS TEXT) FROM person"), ["1"]);
}

/// The commands that only read the database, each given a file name of its own for `backup`.
fn read_only_commands<'a>(people: &'a str, backup: &'a str) -> [Vec<&'a str>; 3] {
    [vec!["import", "people", people, "--dry-run"], vec!["migrate", "--check"], vec!["backup", backup]]
}

#[test]
fn read_only_commands_leave_the_database_file_byte_for_byte_as_it_was() {
    let made = Site::sqlite();
    made.ok(&["migrate"]);
    let copy = made.data.path().join("copy.db");
    made.ok(&["backup", path(&copy)]);
    // A database file in rollback-journal mode, as a backup (and so a restore) leaves it:
    // header bytes 18 and 19 (write and read format) are 1; WAL would make them 2.
    let site = Site::sqlite();
    std::fs::create_dir_all(site.database_path().parent().expect("a folder")).expect("a data folder");
    std::fs::copy(&copy, site.database_path()).expect("the copy in place");
    let before = std::fs::read(site.database_path()).expect("the file");
    assert_eq!(&before[18..20], &[1, 1]);

    let people =
        site.file("people.csv", "id_number,name,birth_date,sex\nA123456789,王,1980-01-01,M\n".as_bytes());
    for (n, args) in read_only_commands(path(&people), "").into_iter().enumerate() {
        let target = site.data.path().join(format!("backup-{n}.db"));
        let args: Vec<&str> =
            args.into_iter().map(|a| if a.is_empty() { path(&target) } else { a }).collect();
        site.ok(&args);
        // Compared whole, without printing the bytes of a differing file.
        let after = std::fs::read(site.database_path()).expect("the file");
        assert!(
            after == before,
            "huzhu {args:?} changed it (header bytes 18-19 now {:?})",
            after.get(18..20)
        );
    }
}

#[test]
fn read_only_commands_refuse_an_empty_file_and_leave_it_empty() {
    let site = Site::sqlite();
    std::fs::create_dir_all(site.database_path().parent().expect("a folder")).expect("a data folder");
    std::fs::write(site.database_path(), b"").expect("an empty file");
    let people =
        site.file("people.csv", "id_number,name,birth_date,sex\nA123456789,王,1980-01-01,M\n".as_bytes());
    let backup = site.data.path().join("backup.db");
    for args in read_only_commands(path(&people), path(&backup)) {
        let output = site.huzhu(&args);
        assert!(!output.status.success(), "huzhu {args:?} accepted an empty file");
        assert!(text(&output.stderr).contains("holds no huzhu schema"), "{args:?}: {}", text(&output.stderr));
        assert_eq!(std::fs::metadata(site.database_path()).expect("the file").len(), 0, "{args:?}");
    }
    assert!(!backup.exists(), "no backup of an empty file");
}
