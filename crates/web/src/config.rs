//! Settings, read from an optional TOML file and `HUZHU_*` environment variables (the
//! environment wins). Every setting has a default that runs the portal on one machine; the README
//! lists them all.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;

use anyhow::Context;
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use huzhu_core::licence::DueDateRule;
use huzhu_core::password_policy::{PasswordPolicy, Profile};
use serde::{Deserialize, Serialize};

#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Address to listen on.
    pub bind: SocketAddr,
    /// Folder for the SQLite database and other files the portal writes.
    pub data_dir: PathBuf,
    /// `sqlite://…` or `postgres://…`; empty means a SQLite file in `data_dir`.
    pub database_url: String,
    /// The address members use, e.g. `https://nurse.example.gov.tw`. Empty means
    /// `http://<bind>`. Cookies are marked Secure and `__Host-` prefixed when it is https.
    pub public_url: String,
    /// Minutes a signed-in session may sit unused.
    pub session_idle_minutes: i64,
    /// Hours after which a session ends however busy it is.
    pub session_absolute_hours: i64,
    /// Seconds a captcha can be answered.
    pub captcha_ttl_seconds: i64,
    /// The text of every captcha drawn. For automated tests and benchmarks only: the server
    /// refuses it unless started with `--demo` on a loopback address. Each captcha must still be
    /// drawn and is still good for one answer.
    #[serde(deserialize_with = "text_or_number")]
    pub captcha_fixed: Option<String>,
    /// The per-cycle cap on online CE points (annex row 5) of the rule set in force since
    /// 2022-08-26: 80 in the 2022 table as the association reproduces it; windows ending earlier
    /// keep the 60 of the older set.
    pub online_cap_points: i64,
    /// The per-cycle cap on correspondence-course points (annex row 6) since 2022-08-26: 80,
    /// or 60 in the older reading.
    pub correspondence_cap_points: i64,
    /// How 應更新日期 is counted from the start of a cycle.
    pub due_date_rule: DueDateRule,
    /// Log filter in `tracing` syntax, e.g. `info` or `huzhu=debug,info`.
    pub log: String,
    /// The main font of PDF documents (the resume): a TrueType/OpenType file or collection.
    pub pdf_font: PathBuf,
    /// Which face of `pdf_font` when it is a collection (3 is Noto Sans CJK TC).
    pub pdf_font_index: u32,
    /// The font for characters the main font lacks (CJK Extension B and beyond).
    pub pdf_fallback_font: PathBuf,
    /// Resumes one member may download in an hour.
    pub resume_downloads_per_hour: i64,
    /// Verification pages one client address may open in a minute.
    pub verify_requests_per_minute: i64,
    /// A secret key (hex, at least 32 bytes) that every new password hash is made with, as
    /// Argon2's secret input, so a copy of the database alone cannot be attacked offline.
    /// Keep it outside the database and its backups (an environment variable or a file only
    /// the service reads); losing it means every member resets her password. Unset: no pepper.
    pub password_pepper: Option<String>,
    /// The mail relay: `smtps://user:password@host:465` (TLS) or
    /// `smtp://user:password@host:587?tls=required` (STARTTLS). Empty: .eml files in
    /// `<data_dir>/mail`.
    pub smtp_url: String,
    /// A PEM file of CA certificates trusted for the relay's TLS certificate, besides the
    /// public roots built into the program. Unset: only those.
    pub smtp_ca_file: Option<PathBuf>,
    /// The sender of the portal's mail.
    pub mail_from: String,
    /// Seconds before the first retry of a mail the relay refused; each retry waits twice as long.
    pub mail_retry_seconds: i64,
    /// Seconds between two looks at the outbox for mail to retry.
    pub mail_poll_seconds: u64,
    /// Hours after which a mail still not delivered is given up at its next failed attempt.
    pub mail_give_up_hours: i64,
    /// Minutes a password-reset link works.
    pub reset_link_minutes: i64,
    /// Hours an e-mail verification link works.
    pub verify_link_hours: i64,
    /// `nist` (length and strength only) or `government_baseline` (also three character classes).
    pub password_profile: Profile,
    /// Fewest characters in a new password.
    pub password_min_length: usize,
    /// The version of the password rules in force. Raise it when the rules become stricter:
    /// members whose password was set under an older version are asked for a new one.
    pub password_policy_version: i64,
    /// Failed password sign-ins that pause an account's password path.
    pub lock_threshold: i64,
    /// Failed password sign-ins from one client address that pause that address.
    pub address_lock_threshold: i64,
    /// How long a pause lasts, and how long a failure is remembered.
    pub lock_minutes: i64,
    /// Seconds the next sign-in on an ID number waits after its first failure; each further
    /// failure doubles it. 0 turns the delays off.
    pub sign_in_delay_seconds: i64,
    /// The longest such wait.
    pub sign_in_delay_max_seconds: i64,
    /// Failures from one client address before its sign-ins start to wait too.
    pub address_delay_after: i64,
    /// How long a device cookie nonce (proof that a browser signed in to an account before, or
    /// reset its password by mail) lasts.
    pub device_cookie_days: i64,
    /// Failed sign-ins with one device cookie nonce after which it is no longer trusted.
    pub device_cookie_failures: i64,
    /// Registration and reset requests (whose captcha passed) one session may send in an hour.
    pub form_session_limit: i64,
    /// Registration and reset requests one client address may send in an hour from browsers
    /// without a trusted device cookie: a ceiling well above what its nurses need.
    pub form_rate_limit: i64,
    /// Captcha images one session (and one device cookie nonce) may draw in an hour.
    pub captcha_session_limit: i64,
    /// Captcha images one client address may draw in an hour for browsers without a trusted
    /// device cookie.
    pub captcha_rate_limit: i64,
    /// Reset links mailed to one account in an hour; further requests mail nothing.
    pub reset_mails_per_hour: i64,
    /// Verification links mailed for one pending registration in an hour; further
    /// registrations for it change nothing and mail nothing.
    pub verify_mails_per_hour: i64,
    /// Addresses of reverse proxies whose `X-Forwarded-For` header is believed. Empty: the
    /// header is ignored and the connection's address is the client's.
    pub trusted_proxies: Vec<IpAddr>,
    /// Card sign-in: PEM or DER files of the CA certificates that end a card's chain (HCA's
    /// root, or GRCA above it). Empty: card sign-in is switched off.
    pub card_trust_anchors: Vec<PathBuf>,
    /// CA certificates that may sit between an anchor and a card (the HCA's issuing CAs).
    pub card_intermediates: Vec<PathBuf>,
    /// CRL files (PEM or DER) of every CA above the cards. They are read at each card sign-in,
    /// so a file replaced by a scheduled download counts at once.
    pub card_crls: Vec<PathBuf>,
    /// `fail_closed` (refuse cards while a CRL is missing or past its nextUpdate) or
    /// `fail_open` (accept them and log that revocation was not checked).
    pub card_stale_crl: String,
    /// The subject-type value of a professional card (DOMAIN.md §4.2).
    pub card_holder_type_oid: String,
    /// Accept SHA-1 signatures from older cards.
    pub card_allow_sha1: bool,
    /// Seconds a card challenge can be signed.
    pub card_challenge_seconds: i64,
    /// Minutes after a password sign-in during which a card can be linked to the account.
    pub card_link_minutes: i64,
    /// Failed card sign-in and link attempts from one client address within an hour that pause
    /// the card path for that address until the hour is over. Successes do not count; set as
    /// high as `address_lock_threshold`, since a hospital's staff share one address.
    pub card_rate_limit: i64,
    /// Where the page looks for the local signing component, in order. They are also the only
    /// origins besides the portal's own that the page may connect to (CSP connect-src).
    pub card_agent_origins: Vec<String>,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            bind: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: PathBuf::from("huzhu-data"),
            database_url: String::new(),
            public_url: String::new(),
            session_idle_minutes: 30,
            session_absolute_hours: 12,
            captcha_ttl_seconds: 300,
            captcha_fixed: None,
            online_cap_points: 80,
            correspondence_cap_points: 80,
            due_date_rule: DueDateRule::default(),
            log: "info".to_owned(),
            pdf_font: PathBuf::from("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
            pdf_font_index: 3,
            pdf_fallback_font: PathBuf::from("/usr/share/fonts/truetype/hanazono/HanaMinB.ttf"),
            resume_downloads_per_hour: 10,
            verify_requests_per_minute: 30,
            password_pepper: None,
            smtp_url: String::new(),
            smtp_ca_file: None,
            mail_from: "護助社群 <no-reply@localhost>".to_owned(),
            mail_retry_seconds: 60,
            mail_poll_seconds: 5,
            mail_give_up_hours: 72,
            reset_link_minutes: 30,
            verify_link_hours: 24,
            password_profile: Profile::Nist,
            password_min_length: 12,
            password_policy_version: 1,
            lock_threshold: 5,
            address_lock_threshold: 100,
            lock_minutes: 15,
            sign_in_delay_seconds: 1,
            sign_in_delay_max_seconds: 60,
            address_delay_after: 10,
            device_cookie_days: 180,
            device_cookie_failures: 5,
            form_session_limit: 5,
            form_rate_limit: 200,
            captcha_session_limit: 30,
            captcha_rate_limit: 6000,
            reset_mails_per_hour: 5,
            verify_mails_per_hour: 5,
            trusted_proxies: Vec::new(),
            card_trust_anchors: Vec::new(),
            card_intermediates: Vec::new(),
            card_crls: Vec::new(),
            card_stale_crl: "fail_closed".to_owned(),
            card_holder_type_oid: huzhu_hca::PROFESSIONAL_CARD.to_owned(),
            card_allow_sha1: false,
            card_challenge_seconds: 120,
            card_link_minutes: 10,
            card_rate_limit: 100,
            card_agent_origins: default_agent_origins(),
        }
    }
}

/// Where the page looks for the local component, in order: first huzhu-agent, which serves
/// plain HTTP on 127.0.0.1 (a loopback address browsers trust without TLS), then the vendor's
/// HCA ServiSign, which serves HTTPS on `localhost` with its own certificate (DOMAIN.md §4.4).
/// Both use the ports 56445, 56545, 56645. A probe of a port where nothing listens is refused
/// at once, so the extra origins cost little.
fn default_agent_origins() -> Vec<String> {
    const PORTS: [u16; 3] = [56445, 56545, 56645];
    let agent = PORTS.iter().map(|port| format!("http://127.0.0.1:{port}"));
    let servisign = PORTS.iter().map(|port| format!("https://localhost:{port}"));
    agent.chain(servisign).collect()
}

impl std::fmt::Debug for Config {
    /// The database address may carry a password, so only its scheme is shown.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let scheme = self.database_url.split(':').next().unwrap_or("");
        f.debug_struct("Config")
            .field("bind", &self.bind)
            .field("data_dir", &self.data_dir)
            .field("database", &scheme)
            .field("public_url", &self.public_url)
            .field("captcha_fixed", &self.captcha_fixed.is_some())
            .field("smtp", &!self.smtp_url.is_empty())
            .field("password_pepper", &self.password_pepper.is_some())
            .finish_non_exhaustive()
    }
}

impl Config {
    /// Defaults, then the TOML file (when given), then `HUZHU_*` variables.
    pub fn load(file: Option<&std::path::Path>) -> anyhow::Result<Config> {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        if let Some(file) = file {
            anyhow::ensure!(file.exists(), "the configuration file {} does not exist", file.display());
            figment = figment.merge(Toml::file(file));
        }
        // HUZHU_CONFIG names the file itself; HUZHU_TEST_* belong to the test suite.
        let env = Env::prefixed("HUZHU_")
            .ignore(&["CONFIG"])
            .filter(|key| !key.as_str().to_ascii_lowercase().starts_with("test_"));
        let config: Config = figment.merge(env).extract().context("reading the configuration")?;
        config.validate()?;
        Ok(config)
    }

    /// Refuses numbers that would make the portal unusable or overflow its arithmetic, naming
    /// the setting and its allowed range.
    pub fn validate(&self) -> anyhow::Result<()> {
        // Limits that are only compared with counts may be as large as wished ("no limit");
        // durations are bounded because they are multiplied into seconds.
        let whole = [
            ("session_idle_minutes", self.session_idle_minutes, 1, 24 * 60),
            ("session_absolute_hours", self.session_absolute_hours, 1, 30 * 24),
            ("captcha_ttl_seconds", self.captcha_ttl_seconds, 30, 3600),
            ("online_cap_points", self.online_cap_points, 0, 120),
            ("correspondence_cap_points", self.correspondence_cap_points, 0, 120),
            ("resume_downloads_per_hour", self.resume_downloads_per_hour, 1, i64::MAX),
            ("verify_requests_per_minute", self.verify_requests_per_minute, 1, i64::MAX),
            ("mail_retry_seconds", self.mail_retry_seconds, 1, 24 * 3600),
            ("mail_poll_seconds", i64::try_from(self.mail_poll_seconds).unwrap_or(i64::MAX), 1, 3600),
            ("mail_give_up_hours", self.mail_give_up_hours, 1, 30 * 24),
            ("reset_link_minutes", self.reset_link_minutes, 5, 24 * 60),
            ("verify_link_hours", self.verify_link_hours, 1, 7 * 24),
            ("password_min_length", i64::try_from(self.password_min_length).unwrap_or(i64::MAX), 8, 64),
            ("password_policy_version", self.password_policy_version, 1, 1_000_000),
            ("lock_threshold", self.lock_threshold, 1, 1000),
            ("address_lock_threshold", self.address_lock_threshold, 1, i64::MAX),
            ("lock_minutes", self.lock_minutes, 1, 24 * 60),
            ("sign_in_delay_seconds", self.sign_in_delay_seconds, 0, 60),
            ("sign_in_delay_max_seconds", self.sign_in_delay_max_seconds, 0, 3600),
            ("address_delay_after", self.address_delay_after, 1, i64::MAX),
            ("device_cookie_days", self.device_cookie_days, 1, 400),
            ("device_cookie_failures", self.device_cookie_failures, 1, 100),
            ("form_session_limit", self.form_session_limit, 1, i64::MAX),
            ("form_rate_limit", self.form_rate_limit, 1, i64::MAX),
            ("captcha_session_limit", self.captcha_session_limit, 1, i64::MAX),
            ("captcha_rate_limit", self.captcha_rate_limit, 1, i64::MAX),
            ("reset_mails_per_hour", self.reset_mails_per_hour, 1, i64::MAX),
            ("verify_mails_per_hour", self.verify_mails_per_hour, 1, i64::MAX),
            ("card_challenge_seconds", self.card_challenge_seconds, 30, 600),
            ("card_link_minutes", self.card_link_minutes, 1, 60),
            ("card_rate_limit", self.card_rate_limit, 1, i64::MAX),
        ];
        for (name, value, low, high) in whole {
            anyhow::ensure!(
                (low..=high).contains(&value),
                "the setting {name} is {value}; it must be from {low} to {high}"
            );
        }
        if let Some(pepper) = &self.password_pepper {
            crate::password::Pepper::from_hex(pepper).context("the setting password_pepper")?;
        }
        check_relay_url(&self.smtp_url)?;
        anyhow::ensure!(
            matches!(self.card_stale_crl.as_str(), "fail_closed" | "fail_open"),
            "the setting card_stale_crl is {:?}; it must be fail_closed or fail_open",
            self.card_stale_crl
        );
        for origin in &self.card_agent_origins {
            anyhow::ensure!(
                is_plain_origin(origin),
                "card_agent_origins holds {origin:?}; each must be scheme://host:port with nothing else"
            );
        }
        Ok(())
    }

    /// The card verification rules these settings describe.
    pub fn card_policy(&self) -> huzhu_hca::Policy {
        huzhu_hca::Policy {
            holder_type: self.card_holder_type_oid.clone(),
            stale_crl: if self.card_stale_crl == "fail_open" {
                huzhu_hca::StaleCrl::FailOpen
            } else {
                huzhu_hca::StaleCrl::FailClosed
            },
            allow_sha1: self.card_allow_sha1,
            ..huzhu_hca::Policy::default()
        }
    }

    pub fn database_url(&self) -> String {
        if self.database_url.is_empty() {
            huzhu_store::Store::sqlite_url_in(&self.data_dir)
        } else {
            self.database_url.clone()
        }
    }

    pub fn public_url(&self) -> String {
        if self.public_url.is_empty() {
            format!("http://{}", self.bind)
        } else {
            self.public_url.trim_end_matches('/').to_owned()
        }
    }

    pub fn password_policy(&self) -> PasswordPolicy {
        PasswordPolicy::for_profile(self.password_profile, self.password_min_length.max(8))
    }

    /// Cookies can be Secure only when members reach the portal over https.
    /// Asked on every request (the cookie's name): read from the setting itself rather than
    /// from [`Config::public_url`], which builds a string. An empty setting means `http://`.
    pub fn secure_cookies(&self) -> bool {
        self.public_url.starts_with("https://")
    }
}

/// Reads a value that must be text even when it looks like a number: environment variables are
/// parsed by type, so `HUZHU_CAPTCHA_FIXED=12345` arrives as an integer.
fn text_or_number<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Scalar {
        Text(String),
        Whole(i64),
        Unsigned(u64),
        Real(f64),
    }
    let value: Option<Scalar> = Option::deserialize(deserializer)?;
    Ok(value.map(|scalar| match scalar {
        Scalar::Text(text) => text,
        Scalar::Whole(number) => number.to_string(),
        Scalar::Unsigned(number) => number.to_string(),
        Scalar::Real(number) => number.to_string(),
    }))
}

/// `http(s)://host:port` with characters that cannot break out of a CSP header.
fn is_plain_origin(origin: &str) -> bool {
    let rest = origin.strip_prefix("http://").or_else(|| origin.strip_prefix("https://"));
    rest.is_some_and(|rest| {
        !rest.is_empty()
            && rest.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | ':' | '-' | '[' | ']'))
    })
}

/// Refuses a `smtp_url` the sender could not use, each fault said once and without the
/// address itself (it may hold the relay's password). Also refuses a relay reached without
/// encryption: the relay's password and the reset links would cross the network in clear.
/// `smtps://` (TLS) and `smtp://…?tls=required` (STARTTLS that cannot be stripped) are
/// accepted anywhere; a plain or opportunistic `smtp://` only to a relay on this machine (a
/// loopback address or `localhost`).
fn check_relay_url(smtp_url: &str) -> anyhow::Result<()> {
    if smtp_url.is_empty() {
        return Ok(());
    }
    let url =
        url::Url::parse(smtp_url).map_err(|e| anyhow::anyhow!("the setting smtp_url is not a URL: {e}"))?;
    anyhow::ensure!(
        matches!(url.scheme(), "smtp" | "smtps"),
        "the setting smtp_url must begin with smtps:// (TLS) or smtp://, not {}://",
        url.scheme()
    );
    anyhow::ensure!(
        url.host_str().is_some_and(|host| !host.is_empty()),
        "the setting smtp_url names no host"
    );
    // Said once at most: the check below and the sender must read the same value, or
    // `?tls=opportunistic&tls=required` would pass here as required and be sent unencrypted.
    let tls: Vec<String> =
        url.query_pairs().filter(|(key, _)| key == "tls").map(|(_, value)| value.into_owned()).collect();
    anyhow::ensure!(tls.len() <= 1, "the setting smtp_url says tls= more than once");
    let tls = tls.into_iter().next();
    anyhow::ensure!(
        matches!(tls.as_deref(), None | Some("required" | "opportunistic")),
        "the setting smtp_url may say tls=required or tls=opportunistic, not tls={}",
        tls.unwrap_or_default()
    );
    check_relay_encrypted(&url)?;
    // What lettre itself makes of it, as a last check. Its errors print their cause and also
    // give it as their source, so only their own text is kept: with the cause chained too,
    // the message would say it twice.
    lettre::AsyncSmtpTransport::<lettre::Tokio1Executor>::from_url(smtp_url)
        .map_err(|e| anyhow::anyhow!("the setting smtp_url cannot be used: {e}"))?;
    Ok(())
}

fn check_relay_encrypted(url: &url::Url) -> anyhow::Result<()> {
    let required = url.query_pairs().any(|(key, value)| key == "tls" && value == "required");
    if url.scheme() == "smtps" || required {
        return Ok(());
    }
    let loopback = match url.host() {
        // smtp is not a scheme the URL standard knows, so its IPv4 hosts come as names.
        Some(url::Host::Domain(name)) => {
            name.eq_ignore_ascii_case("localhost") || name.parse::<IpAddr>().is_ok_and(|a| a.is_loopback())
        }
        Some(url::Host::Ipv4(addr)) => addr.is_loopback(),
        Some(url::Host::Ipv6(addr)) => addr.is_loopback(),
        None => false,
    };
    anyhow::ensure!(
        loopback,
        "the setting smtp_url sends mail unencrypted to another machine; use smtps://host:465 (TLS) \
         or smtp://host:587?tls=required (STARTTLS), or a relay on this machine (127.0.0.1)"
    );
    Ok(())
}
