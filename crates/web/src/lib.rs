//! The portal's web server: axum routes, server-rendered pages, sessions and security.
//!
//! Handlers are thin: they read the request, call the store and the core rules, and render a
//! template. Startup lives in [`Application`], which binds its own listener so tests can run it
//! on a free port.

pub mod clock;
pub mod config;
pub mod error;
pub mod i18n;
pub mod mail;
pub mod operator;
pub mod page;
pub mod password;
pub mod routes;
pub mod security;
pub mod server;
pub mod session;
pub mod standing;
pub mod state;
pub mod throttle;

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use huzhu_store::Store;
use tokio::net::TcpListener;

pub use crate::clock::{Clock, ManualClock, SystemClock};
pub use crate::config::Config;
pub use crate::state::AppState;

/// A configured server bound to its address, ready to run.
pub struct Application {
    listener: TcpListener,
    state: AppState,
    transport: mail::Transport,
}

impl Application {
    /// Binds the configured address (port 0 picks a free port) over an open, migrated store.
    pub async fn build(config: Config, store: Store, clock: Arc<dyn Clock>) -> anyhow::Result<Application> {
        config.validate()?;
        // Before listening, so a relay setting that cannot be used stops the start.
        let transport = mail::Transport::from_config(&config)?;
        let listener =
            TcpListener::bind(config.bind).await.with_context(|| format!("listening on {}", config.bind))?;
        let state = AppState::new(config, store, clock).await?;
        Ok(Application { listener, state, transport })
    }

    /// Replaces where captcha texts come from (tests use a known sequence).
    pub fn with_captcha_text(mut self, source: std::sync::Arc<dyn state::CaptchaText>) -> Application {
        let replaced = self.state.replace_captcha_text(source);
        debug_assert!(replaced, "an application that is not running holds its state alone");
        self
    }

    /// Loads the PDF fonts and returns lines saying which were found (see
    /// [`AppState::check_pdf_fonts`]).
    pub async fn check_pdf_fonts(&self) -> anyhow::Result<Vec<String>> {
        let state = self.state.clone();
        tokio::task::spawn_blocking(move || state.check_pdf_fonts()).await.context("checking the PDF fonts")
    }

    /// Reads the card trust files and returns lines saying what card sign-in will use (see
    /// [`routes::card::check_trust_files`]).
    pub async fn check_card_trust_files(&self) -> anyhow::Result<Vec<String>> {
        let config = std::sync::Arc::clone(&self.state.config);
        tokio::task::spawn_blocking(move || routes::card::check_trust_files(&config))
            .await
            .context("checking the card trust files")
    }

    /// The server's count of Argon2 runs (see [`AppState::argon2_runs`]).
    pub fn argon2_runs(&self) -> Arc<std::sync::atomic::AtomicU64> {
        self.state.argon2_runs.clone()
    }

    pub fn local_addr(&self) -> anyhow::Result<SocketAddr> {
        self.listener.local_addr().context("reading the bound address")
    }

    /// Serves until `shutdown` completes.
    pub async fn run_until(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let housekeeping = tokio::spawn(state::housekeeping(self.state.clone()));
        let sender = tokio::spawn(mail::sender(self.state.clone(), self.transport));
        server::serve(self.listener, routes::router(self.state), shutdown).await;
        housekeeping.abort();
        sender.abort();
        Ok(())
    }
}
