//! Mail to members: letters are written into the outbox by the request that decides to send
//! them, and a sender task delivers the outbox, retrying with growing delays.
//!
//! With `smtp_url` set, mail goes to that relay (`smtps://` for TLS, `smtp://…?tls=required`
//! for STARTTLS). Without it, each mail is written as an .eml file under `<data_dir>/mail` and
//! its path is logged, which is enough for a single machine or a demonstration. A relay whose
//! certificate comes from a private CA is trusted by naming that CA's file in `smtp_ca_file`.

use std::path::Path;
use std::time::Duration;

use anyhow::Context;
use askama::Template;
use huzhu_store::Store;
use huzhu_store::outbox::{NewMail, OutboxMail};
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::file::AsyncFileTransport;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::config::Config;
use crate::i18n::Lang;
use crate::state::AppState;

/// Most mails one pass of the sender takes.
const BATCH: i64 = 20;
/// How long a claimed mail is reserved for the sender that claimed it.
const CLAIM_SECONDS: i64 = 300;
/// The longest wait between two attempts at one mail.
const MAX_BACKOFF_SECONDS: i64 = 3600;

/// One mail in the member's language: paragraphs and, for most, one link.
pub struct Letter {
    pub lang: Lang,
    pub subject: String,
    pub paragraphs: Vec<String>,
    pub link: Option<String>,
}

#[derive(Template)]
#[template(path = "mail.html")]
struct MailHtml<'a> {
    lang: &'a str,
    subject: &'a str,
    paragraphs: &'a [String],
    link: Option<&'a str>,
    footer: &'a str,
}

impl Letter {
    /// A letter whose subject and paragraphs are catalog keys under `mail.<kind>_…`.
    pub fn from_catalog(lang: Lang, kind: &str, paragraphs: usize, link: Option<String>) -> Letter {
        let t = lang.messages();
        Letter {
            lang,
            subject: t.get(&format!("mail.{kind}_subject")).to_owned(),
            paragraphs: (1..=paragraphs).map(|n| t.get(&format!("mail.{kind}_{n}")).to_owned()).collect(),
            link,
        }
    }

    /// Puts `{name}` values (the configured durations) into the subject and paragraphs.
    pub fn with_args(mut self, args: &[(&str, &str)]) -> Letter {
        for (name, value) in args {
            let placeholder = format!("{{{name}}}");
            self.subject = self.subject.replace(&placeholder, value);
            for paragraph in &mut self.paragraphs {
                *paragraph = paragraph.replace(&placeholder, value);
            }
        }
        self
    }

    fn footer(&self) -> &'static str {
        self.lang.messages().get("mail.footer")
    }

    pub fn text(&self) -> String {
        let mut text = self.paragraphs.join("\n\n");
        if let Some(link) = &self.link {
            text.push_str(&format!("\n\n{link}"));
        }
        text.push_str(&format!("\n\n-- \n{}\n", self.footer()));
        text
    }

    pub fn html(&self) -> anyhow::Result<String> {
        MailHtml {
            lang: self.lang.tag(),
            subject: &self.subject,
            paragraphs: &self.paragraphs,
            link: self.link.as_deref(),
            footer: self.footer(),
        }
        .render()
        .context("rendering a mail")
    }
}

/// The language to write to a member in when she may not be the one who caused the mail (a
/// pause, a warning, a reset link): the one she last used the portal in, else `fallback`.
pub fn member_lang(contact: &huzhu_store::accounts::AccountContact, fallback: Lang) -> Lang {
    contact.lang.as_deref().and_then(Lang::from_tag).unwrap_or(fallback)
}

/// Whether `email` is a single plain address a mail can be sent to. Line breaks and other
/// control characters are refused first, which is what stops header injection. A domain
/// literal (`a@[127.0.0.1]`) is refused: lettre's `Address` takes it, but the recipient is read
/// again as a `Mailbox` when the mail is built, which does not, so the mail would be given up.
/// Asking for both parses keeps the form from taking an address the sender cannot use. So is
/// an address with a character outside ASCII (`ä.lin@example.org`, `lin@例子.台灣`): it needs a
/// relay that speaks SMTPUTF8, which most do not, and the mail would never arrive.
pub fn valid_address(email: &str) -> bool {
    email.is_ascii()
        && email.len() <= 254
        && !email.chars().any(char::is_control)
        && email.matches('@').count() == 1
        && !email.contains('[')
        && email.parse::<lettre::Address>().is_ok()
        && email.parse::<Mailbox>().is_ok()
}

/// Puts a letter in the outbox and wakes the sender.
pub async fn queue(state: &AppState, recipient: &str, letter: &Letter) -> anyhow::Result<()> {
    let text = letter.text();
    let html = letter.html()?;
    let mail = NewMail { recipient, subject: &letter.subject, text_body: &text, html_body: &html };
    state.store.enqueue_mail(&mail, state.now()).await?;
    state.mail_wakeup.notify_one();
    Ok(())
}

/// Where mail goes.
#[derive(Clone)]
pub enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Files(AsyncFileTransport<Tokio1Executor>, std::path::PathBuf),
}

impl Transport {
    pub fn from_config(config: &Config) -> anyhow::Result<Transport> {
        if config.smtp_url.is_empty() {
            let folder = config.data_dir.join("mail");
            std::fs::create_dir_all(&folder)
                .with_context(|| format!("creating the mail folder {}", folder.display()))?;
            return Ok(Transport::Files(AsyncFileTransport::new(&folder), folder));
        }
        // Config::validate has said what is wrong with a bad address; lettre's own text (which
        // would repeat its cause as a source) is kept whole for what it alone refuses.
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::from_url(&config.smtp_url)
            .map_err(|e| anyhow::anyhow!("the setting smtp_url cannot be used: {e}"))?
            .timeout(Some(Duration::from_secs(20)));
        if let Some(ca_file) = config.smtp_ca_file.as_deref().filter(|path| !path.as_os_str().is_empty()) {
            builder = builder.tls(tls_trusting(&config.smtp_url, ca_file)?);
        }
        Ok(Transport::Smtp(builder.build()))
    }

    async fn send(&self, message: Message) -> Result<(), Failure> {
        match self {
            Transport::Smtp(smtp) => {
                smtp.send(message).await.map_err(Failure::from_relay)?;
            }
            Transport::Files(files, folder) => {
                let id = files.send(message).await.map_err(|error| Failure {
                    error: anyhow::Error::new(error).context("writing the mail file"),
                    permanent: false,
                    code: None,
                })?;
                tracing::info!(path = %folder.join(format!("{id}.eml")).display(), "mail written to a file");
            }
        }
        Ok(())
    }
}

/// A failed attempt at one mail.
struct Failure {
    error: anyhow::Error,
    /// Whether trying again cannot help: the relay refused this mail for good.
    permanent: bool,
    /// The relay's reply code, when it replied (`550`).
    code: Option<String>,
}

impl Failure {
    /// A relay's 5xx reply is permanent, except an authentication one (53x, RFC 4954): that
    /// says the account in `smtp_url` is wrong, which an operator can mend, and then the mail
    /// can still go. Known shortcoming: the reply does not say at which step it came, so a
    /// relay that refuses every mail with another 5xx for a fault of its own set-up (a sender
    /// address it does not accept, say) has each mail given up at its first attempt; the warn
    /// line of each and the operator's count of mail given up show it.
    fn from_relay(error: lettre::transport::smtp::Error) -> Failure {
        let code = error.status().map(|code| code.to_string());
        let authentication = code.as_deref().is_some_and(|code| code.starts_with("53"));
        Failure {
            permanent: error.is_permanent() && !authentication,
            code,
            // Its text only: lettre's errors print their cause and give it as their source too,
            // so a chained cause would be said twice.
            error: anyhow::anyhow!("sending through the SMTP relay: {error}"),
        }
    }

    /// A mail that cannot be built (its stored recipient no longer reads as an address) never
    /// will be.
    fn unbuildable(error: anyhow::Error) -> Failure {
        Failure { error, permanent: true, code: None }
    }
}

/// The TLS mode `smtp_url` asks for, with the relay's certificate checked against the
/// system's roots and the certificates in `ca_file` (a relay with its own CA, inside a
/// ministry's network). `smtps://` is TLS from the first byte; `smtp://` uses STARTTLS as its
/// `tls=` parameter says (`required` or `opportunistic`), or none.
fn tls_trusting(smtp_url: &str, ca_file: &Path) -> anyhow::Result<Tls> {
    let url = url::Url::parse(smtp_url).context("reading smtp_url")?;
    let host = url.host_str().context("smtp_url has no host")?;
    // An IPv6 host is written in brackets in the URL but not in a certificate.
    let host = host.trim_start_matches('[').trim_end_matches(']').to_owned();
    let pem =
        std::fs::read(ca_file).with_context(|| format!("reading smtp_ca_file {}", ca_file.display()))?;
    let certificate = Certificate::from_pem(&pem)
        .with_context(|| format!("reading the certificate in smtp_ca_file {}", ca_file.display()))?;
    let parameters = TlsParameters::builder(host)
        .add_root_certificate(certificate)
        .build_rustls()
        .context("setting up TLS")?;
    let starttls = url.query_pairs().find(|(key, _)| key == "tls").map(|(_, value)| value.into_owned());
    Ok(match (url.scheme(), starttls.as_deref()) {
        ("smtps", _) => Tls::Wrapper(parameters),
        (_, Some("required")) => Tls::Required(parameters),
        (_, Some("opportunistic")) => Tls::Opportunistic(parameters),
        _ => Tls::None,
    })
}

fn build_message(from: &Mailbox, mail: &OutboxMail) -> anyhow::Result<Message> {
    let to: Mailbox = mail.recipient.parse().context("reading a queued recipient")?;
    // A Message-ID of 128 random bits at the sender's domain (not this machine's name, which
    // lettre would use). Made at each attempt, so a mail retried after a relay accepted it
    // without answering carries a new one; such a duplicate is rare and harmless.
    let random: [u8; 16] = rand::random();
    let message_id = format!("<{}@{}>", hex::encode(random), from.email.domain());
    Message::builder()
        .message_id(Some(message_id))
        .from(from.clone())
        .to(to)
        .subject(&mail.subject)
        .multipart(MultiPart::alternative_plain_html(mail.text_body.clone(), mail.html_body.clone()))
        .context("building a mail")
}

/// The wait before the next attempt after `attempts` failures: 1, 2, 4 … times
/// `retry_seconds`, at most an hour.
pub fn backoff(retry_seconds: i64, attempts: i64) -> i64 {
    let factor = 1_i64 << attempts.clamp(0, 20);
    retry_seconds.saturating_mul(factor).min(MAX_BACKOFF_SECONDS)
}

/// Sends every mail that is due at `now`; returns how many went out. A failure is recorded
/// on the mail with the time of its next attempt, and never stops the other mails. A mail the
/// relay refused for good, or one that failed again once older than `mail_give_up_hours`, is
/// given up: never tried again, its bodies blanked.
pub async fn deliver_due(
    store: &Store,
    config: &Config,
    transport: &Transport,
    now: i64,
) -> anyhow::Result<usize> {
    let from: Mailbox = config.mail_from.parse().context("reading mail_from")?;
    let mut sent = 0;
    for mail in store.claim_due_mails(now, now + CLAIM_SECONDS, BATCH).await? {
        let outcome = match build_message(&from, &mail) {
            Ok(message) => transport.send(message).await,
            Err(error) => Err(Failure::unbuildable(error)),
        };
        match outcome {
            Ok(()) => {
                store.mark_mail_sent(mail.mail_id, now).await?;
                sent += 1;
            }
            Err(failure) => record_failure(store, config, &mail, failure, now).await?,
        }
    }
    Ok(sent)
}

/// Schedules the next attempt, or gives the mail up. One warn line either way, with the mail's
/// number and never its address: a relay's reply often quotes the recipient, so only its code
/// is logged, and the whole reply is kept in the outbox's `last_error`.
async fn record_failure(
    store: &Store,
    config: &Config,
    mail: &OutboxMail,
    failure: Failure,
    now: i64,
) -> anyhow::Result<()> {
    let error = format!("{:#}", failure.error);
    let too_old = now - mail.created_at >= config.mail_give_up_hours.saturating_mul(3600);
    let code = failure.code.as_deref().unwrap_or("");
    if failure.permanent || too_old {
        let why = if failure.permanent { "refused for good" } else { "too old" };
        tracing::warn!(mail_id = mail.mail_id, attempts = mail.attempts + 1, code, why, "mail given up");
        return store.mark_mail_given_up(mail.mail_id, &error, now).await;
    }
    let next = now + backoff(config.mail_retry_seconds, mail.attempts);
    match &failure.code {
        Some(code) => {
            tracing::warn!(mail_id = mail.mail_id, code, next, "mail not sent: the relay refused it")
        }
        None => tracing::warn!(mail_id = mail.mail_id, error, next, "mail not sent"),
    }
    store.mark_mail_failed(mail.mail_id, &error, next).await
}

/// Delivers the outbox whenever a mail is queued, and every few seconds for retries.
pub async fn sender(state: AppState, transport: Transport) {
    loop {
        let wakeup = state.mail_wakeup.notified();
        if let Err(error) = deliver_due(&state.store, &state.config, &transport, state.now()).await {
            tracing::warn!(error = format!("{error:#}"), "the mail sender could not read the outbox");
        }
        let poll = Duration::from_secs(state.config.mail_poll_seconds.max(1));
        let _ = tokio::time::timeout(poll, wakeup).await;
    }
}
