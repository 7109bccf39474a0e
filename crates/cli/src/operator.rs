//! `huzhu operator add`: creates an operator account and prints its one-time enrolment;
//! `huzhu operator unlock`: clears an operator's sign-in pause; `huzhu operator reenrol`: a new
//! TOTP key for a lost authenticator; `huzhu operator list`, `disable` and `enable`.
//!
//! The password is made here (20 random characters from an unambiguous alphabet, about 115
//! bits) unless one is piped in with `--password-stdin`. Whoever runs this command sees the
//! TOTP key anyway, so printing a password alongside gives nothing more away, and it spares a
//! mail path operators do not need (they have no registered address) and a link that could
//! leak on the way. A password piped in is held to the members' password policy.

use std::io::{BufRead, IsTerminal};

use anyhow::Context;
use huzhu_core::password_policy::PersonalData;
use huzhu_store::Store;
use huzhu_store::operators::{StateChange, operator_name};
use huzhu_web::{Clock, Config, SystemClock, operator, password};
use qrcode::QrCode;
use qrcode::render::unicode::Dense1x2;

/// The longest operator name, short enough for `operator list` to keep its columns. Names are
/// ASCII letters, digits, '.', '-' and '_', start with a letter or digit (so `.`, `..`, `-x` or
/// `--help` never become names), and do not depend on case: every command lowercases the name
/// it is given.
const MAX_NAME: usize = 32;

/// Generated password characters: no 0/O, 1/l/I, so it can be read aloud or copied by hand.
const ALPHABET: &[u8] = b"23456789abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ";

pub async fn add(store: &Store, config: &Config, username: &str, password_stdin: bool) -> anyhow::Result<()> {
    check_name(username)?;
    let username = &operator_name(username);
    if store.find_operator(username).await?.is_some() {
        anyhow::bail!(
            "there is already an operator {username} (names do not depend on case: is the name taken?)"
        );
    }
    let password = if password_stdin { read_password(config)? } else { generated_password() };
    let pepper = config.password_pepper.as_deref().map(password::Pepper::from_hex).transpose()?;
    let hash = password::hash_peppered(password.clone(), pepper.clone()).await?;
    let enrolment = operator::enrol(username)?;
    let sealed = operator::seal_totp_key(&enrolment.secret_base32, pepper.as_ref())?;

    // The secrets are shown before the operator is created: when they cannot be written (its
    // output went to a pipe that closed), no operator is left that nobody can sign in as. A
    // reader that takes the lines and then drops them cannot be told from one that kept them.
    let shown = show_secrets(username, (!password_stdin).then_some(password.as_str()), &enrolment);
    if let Err(error) = shown {
        anyhow::bail!(
            "{error:#}; operator {username} was not created, since her password and TOTP key could not \
             be shown: run the command again with its output on a terminal or into a file"
        );
    }
    store.create_operator(username, &hash, &sealed, SystemClock.now()).await?;
    out!("Operator {username} created.");
    out!("Then sign in at /ops/login with the name, the password and the app's code.");
    Ok(())
}

fn show_secrets(
    username: &str,
    password: Option<&str>,
    enrolment: &operator::Enrolment,
) -> anyhow::Result<()> {
    out!("Enrolment of operator {username}:");
    if let Some(password) = password {
        out!("Password (shown once): {password}");
    }
    print_enrolment(enrolment)?;
    std::io::Write::flush(&mut std::io::stdout()).context("writing to standard output")
}

/// The TOTP key as text and as an otpauth:// address, and as a QR code on a terminal.
fn print_enrolment(enrolment: &operator::Enrolment) -> anyhow::Result<()> {
    out!("TOTP key (shown once): {}", enrolment.secret_base32);
    out!("Add it to an authenticator app with this address:");
    out!("{}", enrolment.uri);
    if std::io::stdout().is_terminal() {
        let code = QrCode::new(enrolment.uri.as_bytes()).context("drawing the QR code")?;
        out!("{}", code.render::<Dense1x2>().quiet_zone(true).build());
    }
    Ok(())
}

/// A lost authenticator: a new TOTP key replaces the old one, whose codes stop working at once,
/// and every session of the operator ends.
pub async fn reenrol(store: &Store, config: &Config, username: &str) -> anyhow::Result<()> {
    let username = &operator_name(username);
    let pepper = config.password_pepper.as_deref().map(password::Pepper::from_hex).transpose()?;
    let Some(enrolment) = operator::reenrol(store, username, SystemClock.now(), pepper.as_ref()).await?
    else {
        anyhow::bail!("there is no operator {username}");
    };
    out!("Operator {username} has a new TOTP key; the old one no longer works and her sessions have ended.");
    print_enrolment(&enrolment)?;
    Ok(())
}

/// Gives an operator a new password when she forgot hers: made here and shown once (or read from
/// standard input), then stored; her sessions end (audited). Shown before it is stored, as in
/// [`add`], so a closed output leaves her old password in place rather than one nobody saw.
pub async fn new_password(
    store: &Store,
    config: &Config,
    username: &str,
    password_stdin: bool,
) -> anyhow::Result<()> {
    let username = &operator_name(username);
    if store.find_operator(username).await?.is_none() {
        anyhow::bail!("there is no operator {username}");
    }
    let password = if password_stdin { read_password(config)? } else { generated_password() };
    let pepper = config.password_pepper.as_deref().map(password::Pepper::from_hex).transpose()?;
    let hash = password::hash_peppered(password.clone(), pepper).await?;
    if !password_stdin {
        out!("New password of operator {username} (shown once): {password}");
        std::io::Write::flush(&mut std::io::stdout()).context("writing to standard output")?;
    }
    anyhow::ensure!(
        store.replace_operator_password(username, &hash).await?,
        "there is no operator {username}"
    );
    let audit = huzhu_store::audit::AuditRecord {
        at: SystemClock.now(),
        event: "ops_password",
        outcome: "command",
        operator: Some(username),
        ..Default::default()
    };
    store.record_audit(&audit).await?;
    out!("Operator {username} has a new password; the old one no longer works and her sessions have ended.");
    Ok(())
}

pub async fn unlock(store: &Store, username: &str) -> anyhow::Result<()> {
    let username = &operator_name(username);
    anyhow::ensure!(
        operator::unlock(store, username, SystemClock.now()).await?,
        "there is no operator {username}"
    );
    out!("The sign-in pause of operator {username} is cleared.");
    Ok(())
}

/// Prints every operator: name, created, last sign-in and whether she may sign in. Never a
/// password hash or a TOTP key.
pub async fn list(store: &Store) -> anyhow::Result<()> {
    let operators = store.list_operators().await?;
    if operators.is_empty() {
        out!("There are no operators; add one with `huzhu operator add <name>`.");
        return Ok(());
    }
    out!("{:<MAX_NAME$} {:<20} {:<20} state", "name", "created (UTC)", "last sign-in (UTC)");
    for operator in operators {
        let state = match operator.disabled_at {
            Some(at) => format!("disabled since {}", utc(at)),
            None => "enabled".to_owned(),
        };
        let last = operator.last_sign_in_at.map_or_else(|| "never".to_owned(), utc);
        out!("{:<MAX_NAME$} {:<20} {:<20} {state}", operator.username, utc(operator.created_at), last);
    }
    Ok(())
}

/// `disable`: the operator can no longer sign in and her sessions end at once; `enable`: she
/// can sign in again. Both audited; asking for the state she is already in changes and audits
/// nothing.
pub async fn set_disabled(store: &Store, username: &str, disable: bool) -> anyhow::Result<()> {
    let username = &operator_name(username);
    match operator::set_disabled(store, username, disable, SystemClock.now()).await? {
        StateChange::NoSuchOperator => anyhow::bail!("there is no operator {username}"),
        StateChange::AlreadySo => {
            let state = if disable { "disabled" } else { "enabled" };
            out!("Operator {username} is already {state}; nothing changed.");
            return Ok(());
        }
        StateChange::Changed => {}
    }
    if disable {
        out!("Operator {username} is disabled: she cannot sign in, and her sessions have ended.");
    } else {
        out!("Operator {username} is enabled: she can sign in again.");
    }
    Ok(())
}

/// Seconds since the epoch as `2026-12-04 21:30` (UTC).
fn utc(seconds: i64) -> String {
    chrono::DateTime::from_timestamp(seconds, 0)
        .map_or_else(|| seconds.to_string(), |t| t.format("%Y-%m-%d %H:%M").to_string())
}

fn check_name(username: &str) -> anyhow::Result<()> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_');
    let starts_well = username.chars().next().is_some_and(|c| c.is_ascii_alphanumeric());
    anyhow::ensure!(
        starts_well && username.len() <= MAX_NAME && username.chars().all(allowed),
        "an operator name is 1 to {MAX_NAME} ASCII letters, digits, '.', '-' or '_', \
         starting with a letter or digit"
    );
    Ok(())
}

fn generated_password() -> String {
    (0..20).map(|_| char::from(ALPHABET[rand::random_range(0..ALPHABET.len())])).collect()
}

/// One line from standard input, held to the configured password policy.
fn read_password(config: &Config) -> anyhow::Result<String> {
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).context("reading the password from standard input")?;
    let password = line.trim_end_matches(['\r', '\n']).to_owned();
    let personal = PersonalData { id_number: "", birth_date: None, email: "" };
    if let Some(problem) = config.password_policy().check(&password, &personal) {
        anyhow::bail!("the password is refused by the password policy ({problem:?})");
    }
    Ok(huzhu_core::password_policy::normalize(&password))
}
