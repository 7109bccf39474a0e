//! What every request handler shares.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::Duration;

use chrono::NaiveDate;
use huzhu_store::content::HomeContent;

use huzhu_core::points::Points;
use huzhu_core::rules::{RuleBook, RuleSet};

use huzhu_pdf::{FontSource, Fonts};
use huzhu_store::Store;

use crate::clock::Clock;
use crate::config::Config;
use crate::password;

/// What every request shares. Cloned by each handler and middleware of every request, so it is
/// one reference count, not one per field.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// The fields behind [`AppState`].
pub struct Shared {
    pub store: Store,
    pub config: Arc<Config>,
    pub clock: Arc<dyn Clock>,
    /// Every rule set with the day it came into force; a window is judged by
    /// [`RuleBook::for_window`]. Evaluate through `crate::standing`, which chooses for you.
    pub rule_book: Arc<RuleBook>,
    /// A hash of a random password, verified against when an ID has no account, so that
    /// unknown IDs cost the same time as known ones.
    pub dummy_hash: Arc<str>,
    /// Where captcha answers come from: random in production, a known sequence in tests.
    pub captcha_text: Arc<dyn CaptchaText>,
    /// The PDF fonts, read from disk on first use (they are tens of megabytes).
    pub pdf_fonts: Arc<OnceLock<Result<Fonts, String>>>,
    /// Wakes the mail sender when a mail is queued.
    pub mail_wakeup: Arc<tokio::sync::Notify>,
    /// The Content-Security-Policy header, built once from the configuration.
    pub csp: axum::http::HeaderValue,
    /// Argon2 hashes and verifications run so far. They are the expensive step of every
    /// account form, and each form runs the same number of them whether or not the ID has an
    /// account, so the answer's time says nothing; the tests check this count.
    pub argon2_runs: Arc<AtomicU64>,
    /// The secret every new password hash is made with, when configured (see
    /// [`password::Pepper`]).
    pub pepper: Option<password::Pepper>,
    /// The home page's notices, quote, videos and links, which are the same for every member all day:
    /// read from the database at most once a minute in each process, rather than with three
    /// queries on every page. An operator's edit shows at once on the process that made it
    /// and within a minute on the others.
    home_content: Arc<Mutex<Option<CachedContent>>>,
}

/// How long a process keeps the home page's content before reading it again.
pub const CONTENT_CACHE_SECONDS: i64 = 60;

struct CachedContent {
    day: NaiveDate,
    until: i64,
    content: HomeContent,
}

/// Chooses the text of each new captcha.
pub trait CaptchaText: Send + Sync {
    fn next_text(&self) -> String;
}

/// Five characters from an alphabet without 0/O, 1/I/L, 5/S or 8/B, which are easy to confuse.
pub struct RandomCaptchaText;

impl CaptchaText for RandomCaptchaText {
    fn next_text(&self) -> String {
        const ALPHABET: &[u8] = b"234679ACDEFHJKMNPRTWXY";
        (0..5).map(|_| char::from(ALPHABET[rand::random_range(0..ALPHABET.len())])).collect()
    }
}

/// The same text for every captcha, from the `captcha_fixed` setting (automated tests and the
/// benchmark). Captchas are still drawn, stored and used up once, like random ones.
pub struct FixedCaptchaText(pub String);

impl CaptchaText for FixedCaptchaText {
    fn next_text(&self) -> String {
        self.0.clone()
    }
}

impl AppState {
    pub async fn new(config: Config, store: Store, clock: Arc<dyn Clock>) -> anyhow::Result<AppState> {
        let rule_book = RuleBook::nurses_and_midwives(
            Points::whole(config.online_cap_points),
            Points::whole(config.correspondence_cap_points),
        );
        let pepper = config.password_pepper.as_deref().map(password::Pepper::from_hex).transpose()?;
        let dummy_hash = password::dummy_hash(pepper.clone()).await?;
        let csp = crate::security::content_security_policy(&config.card_agent_origins);
        let captcha_text: Arc<dyn CaptchaText> = match &config.captcha_fixed {
            Some(text) => Arc::new(FixedCaptchaText(text.clone())),
            None => Arc::new(RandomCaptchaText),
        };
        Ok(AppState(Arc::new(Shared {
            csp,
            store,
            config: Arc::new(config),
            clock,
            rule_book: Arc::new(rule_book),
            dummy_hash: dummy_hash.into(),
            captcha_text,
            pdf_fonts: Arc::new(OnceLock::new()),
            mail_wakeup: Arc::new(tokio::sync::Notify::new()),
            argon2_runs: Arc::new(AtomicU64::new(0)),
            pepper,
            home_content: Arc::new(Mutex::new(None)),
        })))
    }

    /// Replaces where captcha texts come from. Only a state nothing else holds yet can change:
    /// returns false, changing nothing, once it is shared.
    pub(crate) fn replace_captcha_text(&mut self, source: Arc<dyn CaptchaText>) -> bool {
        match Arc::get_mut(&mut self.0) {
            Some(shared) => {
                shared.captcha_text = source;
                true
            }
            None => false,
        }
    }

    /// The home page's content in force today; see `home_content` above.
    pub async fn home_content(&self) -> anyhow::Result<HomeContent> {
        let (today, now) = (self.clock.today(), self.now());
        let cached = |slot: &Option<CachedContent>| {
            slot.as_ref().filter(|c| c.day == today && now < c.until).map(|c| c.content.clone())
        };
        if let Some(content) = cached(&self.home_content.lock().unwrap_or_else(PoisonError::into_inner)) {
            return Ok(content);
        }
        let content = self.store.home_content(today).await?;
        let fresh =
            CachedContent { day: today, until: now + CONTENT_CACHE_SECONDS, content: content.clone() };
        *self.home_content.lock().unwrap_or_else(PoisonError::into_inner) = Some(fresh);
        Ok(content)
    }

    /// Drops this process's copy of the home page content, after an operator changed it here:
    /// she sees her change at once on this process, the others within a minute.
    pub fn forget_home_content(&self) {
        *self.home_content.lock().unwrap_or_else(PoisonError::into_inner) = None;
    }

    /// The rule set in force today: the figures shown when there is no licence window to
    /// choose a set by.
    pub fn rules_today(&self) -> &RuleSet {
        self.rule_book.in_force_on(self.clock.today())
    }

    /// Hashes a new password (Argon2id), counted in `argon2_runs`.
    pub async fn hash_password(&self, password: String) -> anyhow::Result<String> {
        self.argon2_runs.fetch_add(1, Ordering::Relaxed);
        password::hash_peppered(password, self.pepper.clone()).await
    }

    /// Checks a password with a place already taken among the password checks (a sign-in takes
    /// it before using up the captcha), counted in `argon2_runs`.
    pub async fn verify_password_with(
        &self,
        ticket: password::Ticket,
        password: String,
        stored: String,
    ) -> anyhow::Result<bool> {
        self.argon2_runs.fetch_add(1, Ordering::Relaxed);
        ticket.verify_peppered(password, stored, self.pepper.clone()).await
    }

    /// Checks a password against a stored hash, counted in `argon2_runs`.
    pub async fn verify_password(&self, password: String, stored: String) -> anyhow::Result<bool> {
        self.argon2_runs.fetch_add(1, Ordering::Relaxed);
        password::verify_peppered(password, stored, self.pepper.clone()).await
    }

    pub fn now(&self) -> i64 {
        self.clock.now()
    }

    /// The configured PDF fonts, loaded once. Call off the async runtime: the first call reads
    /// the font files. Without the main font there are no PDF documents (the member gets an
    /// apology); without the fallback font, a name it alone could draw cannot be printed.
    pub fn pdf_fonts(&self) -> Result<&Fonts, String> {
        let config = &self.config;
        let loaded = self.pdf_fonts.get_or_init(|| {
            let mut sources = vec![FontSource::new(&config.pdf_font, config.pdf_font_index)];
            if config.pdf_fallback_font.is_file() {
                sources.push(FontSource::new(&config.pdf_fallback_font, 0));
            }
            Fonts::load(&sources).map_err(|error| error.to_string())
        });
        loaded.as_ref().map_err(Clone::clone)
    }

    /// Loads the PDF fonts now and says, in lines for the operator, which font files were
    /// found and what is missing. For the start of the server, so a missing font package shows
    /// at once rather than at a member's first download.
    pub fn check_pdf_fonts(&self) -> Vec<String> {
        let config = &self.config;
        let main = config.pdf_font.display();
        let fallback = config.pdf_fallback_font.display();
        let mut lines = Vec::new();
        match self.pdf_fonts() {
            Ok(_) => lines.push(format!("PDF font: {main} (face {})", config.pdf_font_index)),
            Err(error) => lines.push(format!(
                "PDF documents are off: the font {main} cannot be used ({error}). Install the Debian \
                 package fonts-noto-cjk or set pdf_font; until then resumes and CE reports answer \
                 with an apology"
            )),
        }
        if config.pdf_fallback_font.is_file() {
            lines.push(format!("PDF fallback font: {fallback}"));
        } else {
            lines.push(format!(
                "PDF fallback font not found: {fallback}. Install the Debian package \
                 fonts-hanazono or set pdf_fallback_font; until then names with characters of \
                 CJK Extension B and later cannot be printed"
            ));
        }
        lines
    }
}

/// Deletes expired rows once a minute: sessions, links and throttle counts that can no longer
/// change any answer. Every process runs it; each statement is one `DELETE … WHERE` whose
/// condition holds for good once it holds, so two processes doing it at once simply share
/// the rows.
pub async fn housekeeping(state: AppState) {
    let mut tick = tokio::time::interval(Duration::from_secs(60));
    loop {
        tick.tick().await;
        if let Err(error) = delete_expired(&state).await {
            tracing::warn!(error = format!("{error:#}"), "could not delete expired rows");
        }
    }
}

/// One pass of [`housekeeping`]; returns how many rows went.
pub async fn delete_expired(state: &AppState) -> anyhow::Result<u64> {
    let now = state.now();
    let idle_before = now - state.config.session_idle_minutes * 60;
    let sessions = state.store.delete_expired_sessions(now, idle_before).await?;
    let tokens = state.store.delete_expired_tokens(now).await?;
    // Sign-in failures are remembered for lock_minutes, rate-limit counts (crate::throttle::
    // count_allowance) for an hour: forget nothing younger than the longer of the two, and no row
    // whose lock or growing wait still runs.
    let remembered = (state.config.lock_minutes * 60).max(crate::throttle::RATE_WINDOW_SECONDS);
    let failures = state.store.purge_sign_in_throttle(now - remembered, now).await?;
    let operator_sessions = state.store.delete_expired_operator_sessions(now, idle_before).await?;
    let challenges = state.store.delete_expired_card_challenges(now).await?;
    let devices = state.store.purge_device_cookies(now).await?;
    Ok(sessions + tokens + failures + operator_sessions + challenges + devices)
}
