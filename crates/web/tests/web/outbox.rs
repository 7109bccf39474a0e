//! Mail the relay refuses for good, or that stays undelivered too long, is given up: no more
//! attempts, its bodies blanked, its last error kept, one warn line with its number and never
//! its address. The relay is the real test SMTP server, answering chosen recipients with 550
//! (for good) or 451 (for now); the sender is driven with chosen instants instead of a clock.

use std::io::Write;
use std::sync::{Arc, Mutex};

use huzhu_store::Store;
use huzhu_store::outbox::NewMail;
use huzhu_web::Config;
use huzhu_web::mail::{Transport, deliver_due};

use crate::helpers::database_for_test;
use crate::smtp::MailServer;

const GONE: &str = "gone@example.org";
const BUSY: &str = "busy@example.org";
const LIN: &str = "lin@example.org";
/// When the test mails are queued.
const QUEUED: i64 = 1_000;

struct Outbox {
    store: Store,
    config: Config,
    transport: Transport,
    _folder: tempfile::TempDir,
}

impl Outbox {
    async fn new(relay: &MailServer) -> Outbox {
        let folder = tempfile::tempdir().expect("a temporary folder");
        let mut config =
            Config { data_dir: folder.path().to_owned(), smtp_url: relay.url(), ..Config::default() };
        config.database_url = database_for_test(&config).await;
        let store = Store::connect(&config.database_url()).await.expect("the database opens");
        store.migrate().await.expect("the migrations run");
        let transport = Transport::from_config(&config).expect("a transport");
        Outbox { store, config, transport, _folder: folder }
    }

    /// Queues a mail whose bodies hold a link, as a reset mail's do.
    async fn queue(&self, recipient: &str) -> i64 {
        let mail = NewMail {
            recipient,
            subject: "重設密碼",
            text_body: "http://portal.example.test/password/reset?token=secret-token",
            html_body: "<a href=\"http://portal.example.test/password/reset?token=secret-token\">重設</a>",
        };
        self.store.enqueue_mail(&mail, QUEUED).await.expect("queued")
    }

    async fn deliver(&self, now: i64) -> usize {
        deliver_due(&self.store, &self.config, &self.transport, now).await.expect("the outbox is read")
    }

    async fn delivery(&self, mail_id: i64) -> huzhu_store::outbox::MailDelivery {
        self.store.mail_delivery(mail_id).await.expect("the outbox reads").expect("the mail is there")
    }
}

/// The log lines written on this thread while the guard lives (a `#[tokio::test]` runs the
/// test and everything it awaits on one thread).
#[derive(Clone, Default)]
struct Lines(Arc<Mutex<Vec<u8>>>);

impl Write for Lines {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("the log lock").extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Lines {
    fn capture() -> (Lines, tracing::subscriber::DefaultGuard) {
        let lines = Lines::default();
        let writer = lines.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::DEBUG)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish();
        (lines, tracing::subscriber::set_default(subscriber))
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().expect("the log lock")).into_owned()
    }
}

#[tokio::test]
async fn a_mail_the_relay_refuses_for_good_is_given_up_at_once_and_its_bodies_blanked() {
    let relay = MailServer::start_refusing(&[(GONE, 550)]);
    let outbox = Outbox::new(&relay).await;
    let gone = outbox.queue(GONE).await;
    let lin = outbox.queue(LIN).await;
    let (lines, guard) = Lines::capture();

    // Lin's mail goes out; the one the relay refused with 550 is given up at its first try.
    assert_eq!(outbox.deliver(QUEUED).await, 1);
    assert_eq!(relay.received().len(), 1);
    assert_eq!(outbox.delivery(lin).await.sent_at, Some(QUEUED));
    let refused = outbox.delivery(gone).await;
    assert_eq!((refused.attempts, refused.sent_at, refused.given_up_at), (1, None, Some(QUEUED)));
    assert_eq!(refused.body_chars, 0, "the link in the bodies is gone");
    let error = refused.last_error.expect("the relay's answer is kept");
    assert!(error.contains("550") && error.contains("Recipient address rejected"), "{error}");

    // Nothing waits any more; the given-up mail is counted as such, from its instant on.
    assert_eq!(outbox.store.unsent_mail_count().await.expect("a count"), 0);
    assert_eq!(outbox.store.given_up_mail_count(QUEUED).await.expect("a count"), 1);
    assert_eq!(outbox.store.given_up_mail_count(QUEUED + 1).await.expect("a count"), 0);

    // Thirty days later, however often the sender looks, it is not tried again.
    assert_eq!(outbox.deliver(QUEUED + 30 * 86_400).await, 0);
    assert_eq!(relay.attempts_for(GONE), 1);
    drop(guard);

    // One warn line, with the mail's number and the reply code; never the address, though the
    // relay's answer quoted it, and never the link.
    let log = lines.text();
    let given_up: Vec<&str> = log.lines().filter(|line| line.contains("mail given up")).collect();
    assert_eq!(given_up.len(), 1, "{log}");
    assert!(given_up[0].contains("WARN"), "{log}");
    assert!(given_up[0].contains(&format!("mail_id={gone}")) && given_up[0].contains("550"), "{log}");
    assert!(!log.contains(GONE) && !log.contains("secret-token"), "{log}");
}

#[tokio::test]
async fn a_mail_the_relay_defers_is_retried_until_it_is_older_than_mail_give_up_hours() {
    let relay = MailServer::start_refusing(&[(BUSY, 451)]);
    let outbox = Outbox::new(&relay).await;
    assert_eq!((outbox.config.mail_retry_seconds, outbox.config.mail_give_up_hours), (60, 72));
    let busy = outbox.queue(BUSY).await;
    let (lines, guard) = Lines::capture();

    // First attempt: refused for now, so the next one is due 60 s later (mail_retry_seconds).
    assert_eq!(outbox.deliver(QUEUED).await, 0);
    let deferred = outbox.delivery(busy).await;
    assert_eq!((deferred.attempts, deferred.given_up_at), (1, None));
    assert!(deferred.body_chars > 0, "kept for the next attempt");
    outbox.deliver(QUEUED + 59).await;
    assert_eq!(relay.attempts_for(BUSY), 1, "not due before 60 s");

    // 72 h = 259,200 s. One second short of them the mail is still retried; the next wait
    // is 120 s (60 s doubled after the second failure).
    let almost = QUEUED + 259_199;
    outbox.deliver(almost).await;
    let retried = outbox.delivery(busy).await;
    assert_eq!((retried.attempts, retried.given_up_at), (2, None));
    assert_eq!(outbox.store.unsent_mail_count().await.expect("a count"), 1);
    // 120 s later it is 259,319 s old: that failure is its last.
    let too_old = almost + 120;
    outbox.deliver(too_old).await;
    let given_up = outbox.delivery(busy).await;
    assert_eq!((given_up.attempts, given_up.given_up_at, given_up.body_chars), (3, Some(too_old), 0));
    assert!(given_up.last_error.expect("kept").contains("451"));
    assert_eq!(outbox.store.unsent_mail_count().await.expect("a count"), 0);

    outbox.deliver(too_old + 30 * 86_400).await;
    assert_eq!(relay.attempts_for(BUSY), 3);
    drop(guard);

    // Two lines for the two retries, one for the giving up.
    let log = lines.text();
    assert_eq!(log.lines().filter(|line| line.contains("mail not sent")).count(), 2, "{log}");
    assert_eq!(log.lines().filter(|line| line.contains("mail given up")).count(), 1, "{log}");
    assert!(!log.contains(BUSY), "{log}");
}
