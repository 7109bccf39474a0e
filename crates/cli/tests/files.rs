//! The files `huzhu serve` makes are its user's alone: the database and the mailed .eml files
//! hold live reset and verification links.
//!
//! The server is started from a shell that first sets the usual umask 022 (which would make
//! files -rw-r--r--), so a private mode can only come from the program itself.

#![cfg(unix)]

use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const CAPTCHA: &str = "TEST42";
/// A showcase member of the demo data (crates/demo) and her address.
const MEMBER_ID: &str = "A200123458";
const MEMBER_EMAIL: &str = "lin.yijun@example.org";

/// One running `huzhu serve --demo`; killed by its process id when dropped.
struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts the server under umask 022 with no mail relay, so mail is written as .eml files.
fn start(data_dir: &Path) -> Server {
    let mut child = Command::new("sh")
        .args(["-c", "umask 022 && exec \"$0\" serve --demo --demo-members 0"])
        .arg(env!("CARGO_BIN_EXE_huzhu"))
        .env_remove("HUZHU_SMTP_URL")
        .env_remove("HUZHU_DATABASE_URL")
        .env("HUZHU_DATA_DIR", data_dir)
        .env("HUZHU_BIND", "127.0.0.1:0")
        .env("HUZHU_CAPTCHA_FIXED", CAPTCHA)
        .env("HUZHU_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("huzhu starts");
    let stdout = child.stdout.take().expect("a pipe");
    let mut lines = BufReader::new(stdout).lines().map_while(Result::ok);
    let listening = lines.find_map(|line| {
        line.strip_prefix("huzhu is listening on ")
            .map(|rest| rest.split_whitespace().next().map(str::to_owned))
    });
    // Keep reading what it prints, so it never blocks on a full pipe.
    std::thread::spawn(move || lines.for_each(drop));
    match listening.flatten() {
        Some(base) => Server { child, base },
        None => {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the server did not say where it listens");
        }
    }
}

/// The CSRF token in a page's forms.
fn csrf_of(html: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let start = html.find(marker).expect("a CSRF field") + marker.len();
    html[start..].split('"').next().expect("a token").to_owned()
}

/// Asks for a reset link for the showcase member, which mails one.
async fn ask_for_reset(server: &Server) {
    let client = reqwest::Client::builder().cookie_store(true).build().expect("an HTTP client");
    let url = |path: &str| format!("{}{path}", server.base);
    let page = client.get(url("/password/forgot")).send().await.expect("answered");
    let page = page.text().await.expect("a body");
    client.get(url("/captcha")).send().await.expect("a captcha");
    let csrf = csrf_of(&page);
    let form =
        [("csrf", csrf.as_str()), ("id_number", MEMBER_ID), ("email", MEMBER_EMAIL), ("captcha", CAPTCHA)];
    let answer = client.post(url("/password/forgot")).form(&form).send().await.expect("answered");
    assert_eq!(answer.status(), 200);
}

/// The .eml files in the mail folder, once there is one (the sender writes them after the
/// request has answered); at most 60 s in real time.
fn written_mails(folder: &Path) -> Vec<PathBuf> {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let mails: Vec<PathBuf> = std::fs::read_dir(folder)
            .map(|entries| entries.filter_map(Result::ok).map(|e| e.path()).collect())
            .unwrap_or_default();
        let mails: Vec<PathBuf> =
            mails.into_iter().filter(|p| p.extension().is_some_and(|e| e == "eml")).collect();
        if !mails.is_empty() {
            return mails;
        }
        assert!(Instant::now() < deadline, "no .eml file in {}", folder.display());
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The permission bits of a file or folder.
fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).expect("it exists").permissions().mode() & 0o777
}

#[tokio::test]
async fn the_database_and_the_mailed_files_are_readable_by_their_user_alone() {
    let scratch = tempfile::tempdir().expect("a temporary folder");
    // A folder the program makes itself, unlike the temporary folder (made 0700 by tempfile).
    let data = scratch.path().join("data");
    let server = start(&data);
    ask_for_reset(&server).await;
    let mail_folder = data.join("mail");
    let mails = written_mails(&mail_folder);

    // Under umask 077 a file is made 0666 & ~0077 = 0600 and a folder 0777 & ~0077 = 0700;
    // under the shell's 022 they would have been 0644 and 0755.
    assert_eq!(mode(&data.join("huzhu.db")), 0o600, "the database");
    for mail in &mails {
        assert_eq!(mode(mail), 0o600, "{}", mail.display());
    }
    assert_eq!(mode(&data), 0o700, "the data folder");
    assert_eq!(mode(&mail_folder), 0o700, "the mail folder");
    // Every other file there (SQLite's -wal and -shm) is private too.
    for entry in std::fs::read_dir(&data).expect("the data folder").filter_map(Result::ok) {
        let path = entry.path();
        if path.is_file() {
            assert_eq!(mode(&path), 0o600, "{}", path.display());
        }
    }
    drop(server);
}
