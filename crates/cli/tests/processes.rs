//! Two `huzhu serve` processes on one database, as behind a load balancer: whichever process
//! answers, a member sees one portal. Each test starts both real binaries on free loopback
//! ports, over one SQLite file (WAL) or, when `HUZHU_TEST_POSTGRES_URL` names a server, one
//! PostgreSQL database of its own, and stops them by their process ids.
//!
//! The processes run with `HUZHU_CAPTCHA_FIXED`, so every captcha they draw reads `TEST42`;
//! captchas are still drawn, stored and used up once, which is what these tests check.

#[path = "../../web/tests/web/smtp.rs"]
#[allow(dead_code)]
mod smtp;

use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use huzhu_store::Store;
use smtp::MailServer;

const CAPTCHA: &str = "TEST42";
/// A showcase member of the demo data (crates/demo), with the shared demo password.
const MEMBER_ID: &str = "A200123458";
const MEMBER_NAME: &str = "林怡君";
const MEMBER_EMAIL: &str = "lin.yijun@example.org";
const DEMO_PASSWORD: &str = "Huzhu-demo-2026!";
const NEW_PASSWORD: &str = "copper kettle meadow lantern";

const WRONG_CREDENTIALS: &str = "身分證字號或密碼不正確";
const WRONG_CAPTCHA: &str = "驗證碼不正確或已逾時";
const LINK_INVALID: &str = "此連結無效、已使用過或已逾時";
const RESET_DONE: &str = "密碼已重設";

/// One running `huzhu serve`; killed by its process id when dropped.
struct Process {
    child: Child,
    base: String,
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The shared database and data folder, and how to start processes on them.
struct Cluster {
    data: tempfile::TempDir,
    database_url: String,
    settings: Vec<(String, String)>,
}

impl Cluster {
    async fn new(settings: &[(&str, &str)]) -> Cluster {
        let data = tempfile::tempdir().expect("a temporary folder");
        let database_url = match std::env::var("HUZHU_TEST_POSTGRES_URL") {
            Ok(server) if !server.is_empty() => {
                let name = format!("huzhu_test_{}_{}", std::process::id(), unique());
                Store::create_postgres_database(&server, &name).await.expect("a scratch PostgreSQL database")
            }
            _ => Store::sqlite_url_in(data.path()),
        };
        let settings = settings.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        Cluster { data, database_url, settings }
    }

    /// Starts a process and waits for its "listening" line. The first one fills the empty
    /// database with the demo data; later ones find it filled and leave it alone.
    fn start(&self, name: &str) -> Process {
        let log = self.data.path().join(format!("{name}.log"));
        let mut command = Command::new(env!("CARGO_BIN_EXE_huzhu"));
        for (key, _) in std::env::vars().filter(|(key, _)| key.starts_with("HUZHU_")) {
            command.env_remove(key);
        }
        command
            .args(["serve", "--demo", "--demo-members", "0"])
            .env("HUZHU_DATA_DIR", self.data.path())
            .env("HUZHU_DATABASE_URL", &self.database_url)
            .env("HUZHU_BIND", "127.0.0.1:0")
            .env("HUZHU_CAPTCHA_FIXED", CAPTCHA)
            // The growing wait after a failed sign-in runs on the real clock here, and these
            // tests sign in again at once; the waits are tested with a moved clock in
            // crates/web/tests/web/throttle.rs.
            .env("HUZHU_SIGN_IN_DELAY_SECONDS", "0")
            .env("HUZHU_LOG", "warn")
            .envs(self.settings.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log).expect("a log file"));
        let mut child = command.spawn().expect("huzhu starts");
        let stdout = child.stdout.take().expect("a pipe");
        let (address, listening) = mpsc::channel();
        // Keeps reading, so the process never blocks on a full pipe.
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(rest) = line.strip_prefix("huzhu is listening on ") {
                    let base = rest.split_whitespace().next().unwrap_or_default().to_owned();
                    let _ = address.send(base);
                }
            }
        });
        match listening.recv_timeout(Duration::from_secs(120)) {
            Ok(base) => Process { child, base },
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("{name} did not start:\n{}", read(&log));
            }
        }
    }

    async fn store(&self) -> Store {
        Store::connect(&self.database_url).await.expect("the database opens")
    }
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

/// A number no other test of this process uses, for database names.
fn unique() -> usize {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
}

/// A browser: cookies are kept per host, not per port, so they reach both processes, as they
/// would behind one address.
fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(60))
        .build()
        .expect("an HTTP client")
}

async fn get(client: &reqwest::Client, server: &Process, path: &str) -> reqwest::Response {
    client.get(format!("{}{path}", server.base)).send().await.expect("answered")
}

async fn post(
    client: &reqwest::Client,
    server: &Process,
    path: &str,
    form: &[(&str, &str)],
) -> reqwest::Response {
    client.post(format!("{}{path}", server.base)).form(form).send().await.expect("answered")
}

async fn text(response: reqwest::Response) -> String {
    response.text().await.expect("a body")
}

/// The CSRF token in a page's forms.
fn csrf_of(html: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let start = html.find(marker).map(|i| i + marker.len()).expect("the page has a CSRF field");
    html[start..].split('"').next().unwrap_or_default().to_owned()
}

/// Opens the sign-in page on `page_from` and returns its CSRF token.
async fn login_page(client: &reqwest::Client, page_from: &Process) -> String {
    csrf_of(&text(get(client, page_from, "/login").await).await)
}

/// Draws a captcha on `server` for the client's session.
async fn draw_captcha(client: &reqwest::Client, server: &Process) {
    assert_eq!(get(client, server, "/captcha").await.status(), 200);
}

async fn submit_login(
    client: &reqwest::Client,
    server: &Process,
    csrf: &str,
    password: &str,
) -> reqwest::Response {
    let form = [("csrf", csrf), ("id_number", MEMBER_ID), ("password", password), ("captcha", CAPTCHA)];
    post(client, server, "/login", &form).await
}

/// A whole sign-in on one process: page, captcha, form.
async fn sign_in(client: &reqwest::Client, server: &Process, password: &str) -> reqwest::Response {
    let csrf = login_page(client, server).await;
    draw_captcha(client, server).await;
    submit_login(client, server, &csrf, password).await
}

#[tokio::test]
async fn a_session_made_on_one_process_works_on_the_other_and_ends_on_both() {
    let cluster = Cluster::new(&[]).await;
    let (a, b) = (cluster.start("a"), cluster.start("b"));
    let client = browser();

    assert_eq!(get(&client, &b, "/member").await.status(), 303, "not signed in yet");
    assert_eq!(sign_in(&client, &a, DEMO_PASSWORD).await.status(), 303);

    let home = get(&client, &b, "/member").await;
    assert_eq!(home.status(), 200);
    let home = text(home).await;
    assert!(home.contains(MEMBER_NAME));

    // Signed out through B: A no longer knows the session either.
    let signed_out = post(&client, &b, "/logout", &[("csrf", &csrf_of(&home))]).await;
    assert_eq!(signed_out.status(), 303);
    assert_eq!(get(&client, &a, "/member").await.status(), 303);
}

#[tokio::test]
async fn a_captcha_drawn_by_one_process_is_answered_once_across_both() {
    let cluster = Cluster::new(&[]).await;
    let (a, b) = (cluster.start("a"), cluster.start("b"));
    let client = browser();
    let csrf = login_page(&client, &a).await;
    draw_captcha(&client, &a).await;

    // Answered through B with a wrong password: the captcha passes, the password does not.
    let first = text(submit_login(&client, &b, &csrf, "not the password").await).await;
    assert!(first.contains(WRONG_CREDENTIALS), "{first}");

    // The same captcha again, now through A and with the right password: it was used up.
    let again = text(submit_login(&client, &a, &csrf, DEMO_PASSWORD).await).await;
    assert!(again.contains(WRONG_CAPTCHA), "{again}");
    // And through B too.
    let third = text(submit_login(&client, &b, &csrf, DEMO_PASSWORD).await).await;
    assert!(third.contains(WRONG_CAPTCHA), "{third}");

    // A new captcha, drawn by B, lets the member in through A.
    draw_captcha(&client, &b).await;
    assert_eq!(submit_login(&client, &a, &csrf, DEMO_PASSWORD).await.status(), 303);
}

#[tokio::test]
async fn failed_sign_ins_split_across_both_processes_reach_the_lock() {
    // The lock comes after 5 failures (lock_threshold's default).
    let cluster = Cluster::new(&[]).await;
    let (a, b) = (cluster.start("a"), cluster.start("b"));
    let client = browser();

    // 3 failures on A and 2 on B: 5 in all, though neither process saw 5 by itself.
    for server in [&a, &b, &a, &b, &a] {
        let page = text(sign_in(&client, server, "not the password").await).await;
        assert!(page.contains(WRONG_CREDENTIALS));
    }

    // The right password is now refused on both, with the same message as a wrong one.
    for server in [&b, &a] {
        let refused = sign_in(&client, server, DEMO_PASSWORD).await;
        assert_eq!(refused.status(), 200, "no redirect to the home page");
        assert!(text(refused).await.contains(WRONG_CREDENTIALS));
    }

    // A second member signs in from the same address: the lock is the account's alone (the
    // address lock needs 100 failures).
    let other = browser();
    let csrf = login_page(&other, &b).await;
    draw_captcha(&other, &b).await;
    let form = [
        ("csrf", csrf.as_str()),
        ("id_number", "F200234568"),
        ("password", DEMO_PASSWORD),
        ("captcha", CAPTCHA),
    ];
    assert_eq!(post(&other, &b, "/login", &form).await.status(), 303);
}

/// Asks for a reset link on `server` and returns the reply page.
async fn ask_for_reset(client: &reqwest::Client, server: &Process) -> String {
    let page = text(get(client, server, "/password/forgot").await).await;
    draw_captcha(client, server).await;
    let form = [
        ("csrf", csrf_of(&page)),
        ("id_number", MEMBER_ID.to_owned()),
        ("email", MEMBER_EMAIL.to_owned()),
        ("captcha", CAPTCHA.to_owned()),
    ];
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    text(post(client, server, "/password/forgot", &form).await).await
}

/// The path and query of the reset link in a mail (the host is the configured public URL).
fn reset_path(mail: &smtp::Received) -> String {
    let link = mail.link("http://").expect("a link in the mail");
    let start = link.find("/password/reset").expect("a reset link");
    link[start..].to_owned()
}

async fn set_password(client: &reqwest::Client, server: &Process, path: &str) -> String {
    let form_page = text(get(client, server, path).await).await;
    let token = path.split("token=").nth(1).unwrap_or_default();
    let form = [
        ("csrf", csrf_of(&form_page)),
        ("token", token.to_owned()),
        ("password", NEW_PASSWORD.to_owned()),
        ("password_again", NEW_PASSWORD.to_owned()),
    ];
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    text(post(client, server, "/password/reset", &form).await).await
}

#[tokio::test]
async fn a_reset_link_asked_for_on_one_process_works_once_on_the_other() {
    let smtp = MailServer::start();
    let cluster = Cluster::new(&[("HUZHU_SMTP_URL", &smtp.url())]).await;
    let (a, b) = (cluster.start("a"), cluster.start("b"));
    let client = browser();

    assert!(ask_for_reset(&client, &a).await.contains("重設密碼的連結已寄到"));
    let mails = smtp.wait_for(1).await;
    assert_eq!(mails.len(), 1);
    let path = reset_path(&mails[0]);

    // Used on B.
    let done = set_password(&client, &b, &path).await;
    assert!(done.contains(RESET_DONE), "{done}");
    // Refused on A afterwards, the form as well as a second submission.
    assert!(text(get(&client, &a, &path).await).await.contains(LINK_INVALID));
    let csrf = csrf_of(&text(get(&client, &a, "/login").await).await);
    let token = path.split("token=").nth(1).unwrap_or_default();
    let again = [
        ("csrf", csrf.as_str()),
        ("token", token),
        ("password", "another fine password 2027"),
        ("password_again", "another fine password 2027"),
    ];
    assert!(text(post(&client, &a, "/password/reset", &again).await).await.contains(LINK_INVALID));

    // The new password works on A, the old one no longer does.
    let old = sign_in(&client, &a, DEMO_PASSWORD).await;
    assert!(text(old).await.contains(WRONG_CREDENTIALS));
    assert_eq!(sign_in(&client, &a, NEW_PASSWORD).await.status(), 303);
}

#[tokio::test]
async fn each_mail_is_sent_once_with_both_processes_sending() {
    let smtp = MailServer::start();
    // Each sender looks at the outbox every second as well as when its own process queues a
    // mail, so both race for every mail. Ten requests from one browser for one account are
    // more than a session's hourly allowance of reset posts and the account's hourly reset mails
    // (5 each by default), which this test is not about.
    let cluster = Cluster::new(&[
        ("HUZHU_SMTP_URL", &smtp.url()),
        ("HUZHU_MAIL_POLL_SECONDS", "1"),
        ("HUZHU_FORM_SESSION_LIMIT", "10"),
        ("HUZHU_RESET_MAILS_PER_HOUR", "10"),
    ])
    .await;
    let (a, b) = (cluster.start("a"), cluster.start("b"));
    let client = browser();

    // Ten reset requests, alternately on A and B: ten mails, each with a link of its own.
    const REQUESTS: usize = 10;
    for round in 0..REQUESTS {
        let server = if round % 2 == 0 { &a } else { &b };
        assert!(ask_for_reset(&client, server).await.contains("重設密碼的連結已寄到"));
    }

    // Wait until the outbox is empty: every mail has been marked sent by the process that
    // claimed it. A mail claimed twice would have reached the relay twice before that.
    let store = cluster.store().await;
    for _ in 0..300 {
        if store.unsent_mail_count().await.expect("a count") == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(store.unsent_mail_count().await.expect("a count"), 0, "the outbox was delivered");
    let mails = smtp.wait_for(REQUESTS).await;
    assert_eq!(mails.len(), REQUESTS);
    let links: HashSet<String> = mails.iter().map(reset_path).collect();
    assert_eq!(links.len(), REQUESTS, "ten different links, none twice");
    store.close().await;
}
