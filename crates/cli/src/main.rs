//! `huzhu`: the portal's one command.

/// `println!` that returns an error instead of panicking when standard output is gone (a pipe
/// into `head` that closed, say), so the command ends with one line on standard error.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        writeln!(std::io::stdout().lock(), $($arg)*)
            .map_err(|error| anyhow::anyhow!("writing to standard output: {error}"))?
    }};
}

mod care;
mod demo;
mod import;
mod operator;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use chrono::NaiveDate;
use clap::{Parser, Subcommand};
use huzhu_store::Store;
use huzhu_web::{Application, Clock, Config, SystemClock};
use tracing_subscriber::EnvFilter;

#[derive(Parser)]
#[command(name = "huzhu", version, about = "The member portal for nurses and midwives")]
struct Cli {
    /// A TOML configuration file; `HUZHU_*` environment variables override it.
    #[arg(long, global = true, env = "HUZHU_CONFIG")]
    config: Option<PathBuf>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web server.
    Serve {
        /// Fill an empty database with demo data first, and allow test-only settings.
        #[arg(long)]
        demo: bool,
        /// How many generated members the demo data has (besides the showcase members).
        #[arg(long, default_value_t = 2000)]
        demo_members: usize,
    },
    /// Bring the database schema up to date.
    Migrate {
        /// Only tell whether the schema is current (exit status 0) or not (1); change nothing.
        #[arg(long)]
        check: bool,
    },
    /// Load a registry or CE file exported by a source system (CSV; UTF-8 or Big5).
    Import {
        /// What the file holds.
        kind: import::kinds::Kind,
        file: PathBuf,
        /// Read and check every row, report what would be refused, and write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Rows per transaction (1 to 100,000).
        #[arg(long, default_value_t = 10_000, value_parser = batch_size)]
        batch_size: usize,
        /// The file's encoding, when detection (byte-order mark included) should be overruled.
        #[arg(long, value_enum)]
        encoding: Option<import::decode::EncodingChoice>,
    },
    /// Write a consistent copy of the SQLite database to a new file, while the server runs.
    Backup { file: PathBuf },
    /// Replace the SQLite database with a backup; refused while the database is in use.
    Restore { file: PathBuf },
    /// Generate a demo data set into an empty database.
    Demo {
        /// How many members to generate (besides the showcase members).
        #[arg(long, default_value_t = 2000)]
        members: usize,
        /// The seed: the same seed always gives the same data.
        #[arg(long, default_value_t = 2026)]
        seed: u64,
        /// The day the data set ends on (YYYY-MM-DD); today by default.
        #[arg(long)]
        today: Option<NaiveDate>,
    },
    /// Manage operator accounts (the staff area at /ops).
    Operator {
        #[command(subcommand)]
        command: OperatorCommand,
    },
}

#[derive(Subcommand)]
enum OperatorCommand {
    /// Create an operator and print its one-time enrolment: a password and a TOTP key (as an
    /// otpauth:// address, and a QR code on a terminal).
    Add {
        /// The name the operator signs in with.
        username: String,
        /// Read the password from the first line of standard input instead of making one.
        #[arg(long)]
        password_stdin: bool,
    },
    /// List the operators: name, created, last sign-in, enabled or disabled.
    List,
    /// Stop an operator from signing in and end her sessions (audited).
    Disable {
        /// The operator's name.
        username: String,
    },
    /// Let a disabled operator sign in again (audited).
    Enable {
        /// The operator's name.
        username: String,
    },
    /// Clear an operator's sign-in pause and the wait on her name (audited).
    Unlock {
        /// The operator's name.
        username: String,
    },
    /// Give an operator a new password when she forgot hers: made and shown once (or read with
    /// --password-stdin); the old one stops working and all her sessions end (audited).
    Password {
        /// The operator's name.
        username: String,
        /// Read the password from the first line of standard input instead of making one.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Give an operator a new TOTP key when her authenticator is lost: the old key's codes stop
    /// working and all her sessions end (audited). Prints the new enrolment once.
    Reenrol {
        /// The operator's name.
        username: String,
    },
}

/// mimalloc rather than the C library's allocator: a member page makes hundreds of small
/// allocations, and glibc's malloc was a tenth of the server's time in the benchmark's profile.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// A refusal or failure is one line on standard error, its causes after colons, and exit status
/// 1: never the stack trace that returning the error from `main` prints when `RUST_BACKTRACE`
/// is set, which tells an operator nothing.
fn main() -> std::process::ExitCode {
    private_files();
    let cli = Cli::parse();
    match start(cli) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// Every file and folder the program makes from here on is its user's alone (umask 077): the
/// database and the mail folder's .eml files hold live reset and verification links, and a
/// backup holds everything. Set before anything else runs, so no thread makes a file first.
/// Files made before, by an older version or by hand, keep their mode.
#[cfg(unix)]
fn private_files() {
    rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o077));
}

#[cfg(not(unix))]
fn private_files() {}

fn start(cli: Cli) -> anyhow::Result<()> {
    let config = Config::load(cli.config.as_deref())?;
    init_logging(&config.log);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(run(cli.command, config))
}

fn init_logging(filter: &str) {
    let filter = EnvFilter::try_new(filter).unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr)
        .init();
}

async fn run(command: Command, config: Config) -> anyhow::Result<()> {
    match command {
        Command::Serve { demo, demo_members } => serve(config, demo, demo_members).await,
        Command::Migrate { check: true } => care::check_schema(&config.database_url()).await,
        Command::Migrate { check: false } => {
            let (store, _lock) = open_store(&config).await?;
            out!("The database schema is up to date.");
            store.close().await;
            Ok(())
        }
        Command::Import { kind, file, dry_run, batch_size, encoding } => {
            // A dry run changes nothing: it needs a database that is there and current.
            let (store, _lock) =
                if dry_run { open_current_store(&config).await? } else { open_store(&config).await? };
            let options = import::Options { dry_run, batch_size, encoding };
            let summary = import::run(&store, kind, &file, &options).await;
            store.close().await;
            import::print_summary(&summary?, dry_run)
        }
        Command::Backup { file } => {
            care::refuse_postgres_backup(&config.database_url())?;
            let (store, _lock) = open_existing_store(&config).await?;
            let result = care::backup(&store, &file).await;
            store.close().await;
            result
        }
        Command::Restore { file } => care::restore(&config.database_url(), &file).await,
        Command::Demo { members, seed, today } => {
            let (store, _lock) = open_store(&config).await?;
            let today = today.unwrap_or_else(|| SystemClock.today());
            let result = demo::generate(&store, members, seed, today).await;
            store.close().await;
            let accounts = result?;
            demo::print_accounts(&accounts)
        }
        Command::Operator { command: OperatorCommand::Add { username, password_stdin } } => {
            let (store, _lock) = open_store(&config).await?;
            let result = operator::add(&store, &config, &username, password_stdin).await;
            store.close().await;
            result
        }
        Command::Operator { command: OperatorCommand::List } => {
            let (store, _lock) = open_store(&config).await?;
            let result = operator::list(&store).await;
            store.close().await;
            result
        }
        Command::Operator { command: OperatorCommand::Disable { username } } => {
            let (store, _lock) = open_store(&config).await?;
            let result = operator::set_disabled(&store, &username, true).await;
            store.close().await;
            result
        }
        Command::Operator { command: OperatorCommand::Enable { username } } => {
            let (store, _lock) = open_store(&config).await?;
            let result = operator::set_disabled(&store, &username, false).await;
            store.close().await;
            result
        }
        Command::Operator { command: OperatorCommand::Unlock { username } } => {
            let (store, _lock) = open_store(&config).await?;
            let result = operator::unlock(&store, &username).await;
            store.close().await;
            result
        }
        Command::Operator { command: OperatorCommand::Password { username, password_stdin } } => {
            let (store, _lock) = open_store(&config).await?;
            let result = operator::new_password(&store, &config, &username, password_stdin).await;
            store.close().await;
            result
        }
        Command::Operator { command: OperatorCommand::Reenrol { username } } => {
            let (store, _lock) = open_store(&config).await?;
            let result = operator::reenrol(&store, &config, &username).await;
            store.close().await;
            result
        }
    }
}

/// Opens the configured database, creating the data folder for SQLite, and migrates it. The
/// lock marks the database as in use until it is dropped (see `care`).
async fn open_store(config: &Config) -> anyhow::Result<(Store, care::DatabaseLock)> {
    if config.database_url.is_empty() {
        std::fs::create_dir_all(&config.data_dir)
            .with_context(|| format!("creating the data folder {}", config.data_dir.display()))?;
    }
    let lock = care::use_database(&config.database_url())?;
    let store = Store::connect(&config.database_url()).await?;
    care::reach(&store).await?;
    store.migrate().await?;
    Ok((store, lock))
}

/// Opens the configured database as it is, read-only, creating and migrating nothing: for
/// commands that only read it. A SQLite file must already exist and hold huzhu's schema.
async fn open_existing_store(config: &Config) -> anyhow::Result<(Store, care::DatabaseLock)> {
    let url = config.database_url();
    if let Some(database) = huzhu_store::maintenance::sqlite_path(&url) {
        anyhow::ensure!(
            database.is_file(),
            "there is no database at {}; create it with `huzhu migrate`",
            database.display()
        );
    }
    let lock = care::use_database(&url)?;
    let store = care::open_read_only(&url).await?;
    Ok((store, lock))
}

/// Like [`open_existing_store`], and the schema must be current (nothing is migrated).
async fn open_current_store(config: &Config) -> anyhow::Result<(Store, care::DatabaseLock)> {
    let (store, lock) = open_existing_store(config).await?;
    let status = store.schema_status().await;
    if !status.as_ref().is_ok_and(|status| status.is_current()) {
        store.close().await;
        status?;
        anyhow::bail!(
            "the database schema is not current; run `huzhu migrate` first (a dry run changes nothing)"
        );
    }
    Ok((store, lock))
}

async fn serve(config: Config, demo: bool, demo_members: usize) -> anyhow::Result<()> {
    if config.captcha_fixed.is_some() {
        anyhow::ensure!(demo, "HUZHU_CAPTCHA_FIXED is for tests only: it needs `huzhu serve --demo`");
        // A known captcha must never face a real network, whatever else is misconfigured.
        anyhow::ensure!(
            config.bind.ip().is_loopback(),
            "HUZHU_CAPTCHA_FIXED is for tests only: it needs a loopback bind address (127.0.0.1 or ::1)"
        );
        tracing::warn!("captcha texts are fixed by HUZHU_CAPTCHA_FIXED: never do this in production");
    }
    let (store, _lock) = open_store(&config).await?;
    if demo && store.count_people().await? == 0 {
        let accounts = demo::generate(&store, demo_members, 2026, SystemClock.today()).await?;
        demo::print_accounts(&accounts)?;
    }

    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let public_url = config.public_url();
    let app = Application::build(config, store, clock).await?;
    // PDF documents are a part of the portal, not its core: without fonts it still serves
    // sign-in and points (and `serve --demo` runs on a machine with only Rust), but says so.
    for line in app.check_pdf_fonts().await? {
        println!("{line}");
    }
    for line in app.check_card_trust_files().await? {
        println!("{line}");
    }
    let address = app.local_addr()?;
    println!("huzhu is listening on http://{address} (members reach it at {public_url})");
    app.run_until(shutdown_signal()).await
}

async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut terminate = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(signal) => signal,
            Err(_) => {
                let _ = interrupt.await;
                return;
            }
        };
        tokio::select! {
            _ = interrupt => {},
            _ = terminate.recv() => {},
        }
    }
    #[cfg(not(unix))]
    let _ = interrupt.await;
}

/// `--batch-size`: at least one row, and at most 100,000, since a batch is held in memory whole
/// and is one transaction that holds the database's write lock while it is written.
fn batch_size(text: &str) -> Result<usize, String> {
    text.parse::<usize>().ok().filter(|n| (1..=100_000).contains(n)).ok_or_else(|| {
        format!("批次筆數須為 1 至 100000 的整數：{text} / the batch size must be a whole number from 1 to 100000: {text}")
    })
}
