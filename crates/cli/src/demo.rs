//! `huzhu demo`: fills an empty database with a reproducible demo data set.
//!
//! One thread generates people while the runtime writes the previous batch, so generation and
//! SQLite's single writer overlap on a two-core machine.

use std::io::IsTerminal;
use std::time::Instant;

use anyhow::Context;
use chrono::NaiveDate;
use huzhu_core::registry::Person;
use huzhu_demo::DemoConfig;
use huzhu_store::Store;
use huzhu_store::bulk::DemoAccount;
use huzhu_store::content::NewContent;
use indicatif::{ProgressBar, ProgressStyle};

/// People per transaction: large enough to amortise the commit, small enough to keep memory low.
const BATCH: usize = 1000;

/// Generated members who also get an account (the showcase members always do).
const ACCOUNTS: usize = 1000;

/// A demo account to print: who can sign in, and what to expect.
pub struct PrintedAccount {
    pub id_number: String,
    pub name: String,
}

pub async fn generate(
    store: &Store,
    members: usize,
    seed: u64,
    today: NaiveDate,
) -> anyhow::Result<Vec<PrintedAccount>> {
    anyhow::ensure!(
        store.count_people().await? == 0,
        "the database already has people in it; demo data only goes into an empty database"
    );
    let started = Instant::now();
    let institutions: Vec<(String, String)> =
        huzhu_demo::institutions().into_iter().map(|i| (i.nhi_code, i.name)).collect();
    store.insert_institutions(&institutions).await?;
    add_content(store).await?;

    let showcase = huzhu_demo::showcase(today);
    let printed: Vec<PrintedAccount> = showcase
        .iter()
        .map(|p| PrintedAccount { id_number: p.id_number.as_str().to_owned(), name: p.name.clone() })
        .collect();
    let mut keys = store.next_keys().await?;
    let first_person_id = keys.person_id;
    keys = store.insert_people(&showcase, keys).await?;

    let total = showcase.len() + members;
    let progress = Progress::new(total as u64);
    progress.advance(showcase.len() as u64);
    let config = DemoConfig { members, seed, today };
    let mut batches = spawn_generator(config.clone());
    while let Some(batch) = batches.recv().await {
        keys = store.insert_people(&batch, keys).await?;
        progress.advance(batch.len() as u64);
    }
    progress.finish();
    // After every generated member, so outside the range of person IDs that get an account.
    store.insert_people(&[huzhu_demo::not_yet_registered()], keys).await?;

    let with_account = showcase.len() + members.min(ACCOUNTS);
    create_accounts(store, first_person_id, with_account, &showcase, &config).await?;
    tracing::info!(people = total + 1, seconds = started.elapsed().as_secs_f64(), "demo data generated");
    Ok(printed)
}

/// Generates batches of people on a thread of its own.
fn spawn_generator(config: DemoConfig) -> tokio::sync::mpsc::Receiver<Vec<Person>> {
    let (sender, receiver) = tokio::sync::mpsc::channel(4);
    std::thread::spawn(move || {
        let mut index = 0;
        while index < config.members {
            let end = (index + BATCH).min(config.members);
            let batch: Vec<Person> = (index..end).map(|i| huzhu_demo::person(&config, i)).collect();
            if sender.blocking_send(batch).is_err() {
                return;
            }
            index = end;
        }
    });
    receiver
}

/// Accounts for the showcase members and the first generated ones, all with the demo password.
/// The password is hashed once: hashing it for every account would take minutes.
async fn create_accounts(
    store: &Store,
    first_person_id: i64,
    count: usize,
    showcase: &[Person],
    config: &DemoConfig,
) -> anyhow::Result<()> {
    let hash = huzhu_web::password::hash(huzhu_demo::DEMO_PASSWORD.to_owned()).await?;
    let accounts: Vec<DemoAccount> = (0..count)
        .map(|offset| {
            let email = match showcase.get(offset) {
                Some(person) => person.email.clone(),
                None => huzhu_demo::person(config, offset - showcase.len()).email,
            };
            DemoAccount { person_id: first_person_id + offset as i64, email }
        })
        .collect();
    let now = chrono::Utc::now().timestamp();
    store.insert_demo_accounts(&accounts, &hash, now).await.context("creating demo accounts")
}

async fn add_content(store: &Store) -> anyhow::Result<()> {
    let content = huzhu_demo::home_content();
    for quote in &content.quotes {
        store.add_content(&NewContent::Quote { text: &quote.text, source: &quote.source }).await?;
    }
    for (position, video) in content.videos.iter().enumerate() {
        store
            .add_content(&NewContent::Video {
                title: &video.title,
                platform: &video.platform,
                url: &video.url,
                summary: &video.summary,
                position: position as i64,
            })
            .await?;
    }
    for (position, link) in content.quick_links.iter().enumerate() {
        store
            .add_content(&NewContent::Link {
                slot: "quick",
                title: &link.title,
                url: &link.url,
                position: position as i64,
            })
            .await?;
    }
    store
        .add_content(&NewContent::Link {
            slot: "history",
            title: "護助歷史平台",
            url: &content.history_platform_url,
            position: 0,
        })
        .await?;
    Ok(())
}

pub fn print_accounts(accounts: &[PrintedAccount]) -> anyhow::Result<()> {
    out!("Demo accounts (national ID, password, name):");
    for account in accounts {
        out!("  {}  {}  {}", account.id_number, huzhu_demo::DEMO_PASSWORD, account.name);
    }
    let person = huzhu_demo::not_yet_registered();
    out!(
        "To try registering (註冊社群), a nurse in the registry without an account: ID {}, name {}, born {}",
        person.id_number.as_str(),
        person.name,
        person.birth_date
    );
    Ok(())
}

/// A progress bar on a terminal, plain lines every 10% elsewhere (logs, CI).
struct Progress {
    bar: Option<ProgressBar>,
    total: u64,
    done: std::cell::Cell<u64>,
}

impl Progress {
    fn new(total: u64) -> Progress {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::new(total);
            if let Ok(style) =
                ProgressStyle::with_template("{bar:40} {pos}/{len} members ({per_sec}, {eta} left)")
            {
                bar.set_style(style);
            }
            bar
        });
        Progress { bar, total, done: std::cell::Cell::new(0) }
    }

    fn advance(&self, by: u64) {
        let before = self.done.get();
        let after = before + by;
        self.done.set(after);
        match &self.bar {
            Some(bar) => bar.inc(by),
            None => {
                let step = (self.total / 10).max(1);
                if before / step != after / step || after == self.total {
                    eprintln!("demo data: {after} of {} members", self.total);
                }
            }
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish();
        }
    }
}
