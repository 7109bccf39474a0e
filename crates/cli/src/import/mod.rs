//! `huzhu import <kind> <file>`: loads a registry or CE file exported by a source system.
//!
//! A thread reads, decodes and checks the file while the runtime writes earlier batches (two at a
//! time on PostgreSQL, see `Writers`), so parsing and the database overlap on a two-core machine. Each batch is one transaction of
//! upserts by natural key (see `huzhu_store::import`): a kill leaves whole batches, and loading
//! the same file again writes only what is missing or different.

pub mod decode;
mod fields;
pub mod kinds;

use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::io::{IsTerminal, Read};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use huzhu_core::points::Points;
use huzhu_store::Store;
use huzhu_store::audit::AuditRecord;
use huzhu_store::import::{CreditRow, ImportBatch, NewImportRun};
use huzhu_web::{Clock, SystemClock};
use indicatif::{ProgressBar, ProgressStyle};

use decode::{Detected, EncodingChoice};
use fields::Reason;
use kinds::{Kind, Layout, Lookups};

pub struct Options {
    pub dry_run: bool,
    pub batch_size: usize,
    pub encoding: Option<EncodingChoice>,
}

/// A row that was not loaded: its line in the file and why.
pub struct Rejection {
    pub line: u64,
    pub reason: Reason,
}

/// What a run did.
pub struct Summary {
    pub encoding: &'static str,
    pub read: u64,
    pub written: u64,
    pub rejected: Vec<Rejection>,
    pub seconds: f64,
}

/// What the reading thread sends: a batch of good rows, or at the end, the rows it refused.
enum Message {
    /// A batch, and how many lines of the file it stands for (its rows and the refused rows
    /// read since the batch before).
    Batch(ImportBatch, u64),
    Done {
        read: u64,
        rejected: Vec<Rejection>,
    },
    Failed(anyhow::Error),
}

pub async fn run(store: &Store, kind: Kind, path: &Path, options: &Options) -> anyhow::Result<Summary> {
    let started = Instant::now();
    let detected = decode::detect(path, options.encoding)?;
    let file_bytes = std::fs::metadata(path).with_context(|| format!("reading {}", path.display()))?.len();
    check_header(kind, path, detected)?;
    let lookups = load_lookups(store, kind).await?;
    let run = if options.dry_run {
        None
    } else {
        let file_name = path.display().to_string();
        let new_run = NewImportRun {
            kind: kind.name(),
            file_name: &file_name,
            file_bytes: i64::try_from(file_bytes).unwrap_or(i64::MAX),
            encoding: detected.label,
            started_at: unix_now(),
        };
        Some(store.start_import_run(&new_run).await?)
    };

    let (reader, bytes_read) = decode::open(path, detected)?;
    let credits = CreditsSeen::new(store.clone());
    let mut messages = spawn_reader(kind, reader, lookups, credits, options.batch_size.max(1));
    let progress = Progress::new(file_bytes, bytes_read);
    let mut writers = Writers::new(store);
    let mut accepted = 0;
    let (read, rejected) = loop {
        match messages.recv().await {
            Some(Message::Batch(batch, lines)) => {
                accepted += batch.len() as u64;
                // Progress only once a batch is committed: a line in the log means its rows
                // are in the database.
                let committed = match run {
                    Some(run) => writers.write(run, batch, lines).await?,
                    None => true,
                };
                if committed {
                    progress.update(accepted, writers.written);
                }
            }
            Some(Message::Done { read, rejected }) => break (read, rejected),
            Some(Message::Failed(error)) => return Err(error),
            None => anyhow::bail!("the file reader stopped unexpectedly"),
        }
    };
    let written = writers.finish().await?;
    progress.finish(read, written);
    if let Some(run) = run {
        store.finish_import_run(run, read, rejected.len() as u64, unix_now()).await?;
        audit(store, kind, run).await?;
    }
    Ok(Summary {
        encoding: detected.label,
        read,
        written,
        rejected,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// The batches being written. PostgreSQL gets two at a time on two connections: one server
/// process writes a batch on one core while the other core parses the file, and with a single
/// batch in flight the server sat idle while the next batch was parsed and sent (and the
/// parser while the server wrote). Each batch is still its own transaction, so a kill leaves
/// whole batches whatever their order. SQLite has one writer at a time anyway: one batch.
struct Writers {
    store: Store,
    in_flight: tokio::task::JoinSet<anyhow::Result<u64>>,
    limit: usize,
    written: u64,
}

impl Writers {
    fn new(store: &Store) -> Writers {
        let limit = match store.engine() {
            huzhu_store::Engine::Postgres => 2,
            huzhu_store::Engine::Sqlite => 1,
        };
        Writers { store: store.clone(), in_flight: tokio::task::JoinSet::new(), limit, written: 0 }
    }

    /// Starts writing `batch`, then waits for batches to finish until fewer than `limit` are in
    /// flight. Says whether a batch was committed meanwhile.
    async fn write(&mut self, run: i64, batch: ImportBatch, lines: u64) -> anyhow::Result<bool> {
        let store = self.store.clone();
        self.in_flight.spawn(async move { store.upsert_batch(run, &batch, lines).await });
        let mut committed = false;
        while self.in_flight.len() >= self.limit {
            self.wait_one().await?;
            committed = true;
        }
        Ok(committed)
    }

    async fn wait_one(&mut self) -> anyhow::Result<()> {
        if let Some(done) = self.in_flight.join_next().await {
            self.written += done.context("an import batch stopped unexpectedly")??;
        }
        Ok(())
    }

    /// Waits for every batch in flight and returns the rows written in all.
    async fn finish(mut self) -> anyhow::Result<u64> {
        while !self.in_flight.is_empty() {
            self.wait_one().await?;
        }
        Ok(self.written)
    }
}

/// Records the finished import in the audit log, pointing to its row in `import_run` (which has
/// the file and the counts).
async fn audit(store: &Store, kind: Kind, run: i64) -> anyhow::Result<()> {
    let event = format!("import_{}", kind.name().replace('-', "_"));
    let reference = format!("import_run:{run}");
    let record = AuditRecord {
        at: unix_now(),
        event: &event,
        outcome: "finished",
        request_id: Some(&reference),
        ..AuditRecord::default()
    };
    store.record_audit(&record).await
}

/// Refuses a file whose header does not fit `kind` before anything is recorded.
fn check_header(kind: Kind, path: &Path, detected: Detected) -> anyhow::Result<()> {
    let (reader, _) = decode::open(path, detected)?;
    let mut csv = csv::ReaderBuilder::new().has_headers(true).from_reader(reader);
    let header = csv.headers().context("reading the header line")?;
    Layout::from_header(kind, header).map(|_| ())
}

/// The keys rows of `kind` are matched against.
async fn load_lookups(store: &Store, kind: Kind) -> anyhow::Result<Lookups> {
    let mut lookups = Lookups { today: Some(SystemClock.today()), ..Lookups::default() };
    match kind {
        Kind::Institutions | Kind::People => {}
        Kind::LicenceEvents => lookups.licences = store.licence_keys().await?,
        Kind::Licences => {
            lookups.people = store.person_keys().await?;
            lookups.institutions = store.institution_codes().await?;
        }
        Kind::Certificates | Kind::Credits | Kind::Learning => lookups.people = store.person_keys().await?,
    }
    Ok(lookups)
}

/// Reads the file on a thread of its own and sends batches of good rows.
fn spawn_reader(
    kind: Kind,
    reader: impl Read + Send + 'static,
    lookups: Lookups,
    mut credits: CreditsSeen,
    batch_size: usize,
) -> tokio::sync::mpsc::Receiver<Message> {
    let (sender, receiver) = tokio::sync::mpsc::channel(2);
    std::thread::spawn(move || {
        let done = match read_file(kind, reader, &lookups, &mut credits, batch_size, &sender) {
            Ok((read, rejected)) => Message::Done { read, rejected },
            Err(error) => Message::Failed(error),
        };
        let _ = sender.blocking_send(done);
    });
    receiver
}

/// The body of the reading thread: returns the rows read and the rows refused.
fn read_file(
    kind: Kind,
    reader: impl Read,
    lookups: &Lookups,
    credits: &mut CreditsSeen,
    batch_size: usize,
    sender: &tokio::sync::mpsc::Sender<Message>,
) -> anyhow::Result<(u64, Vec<Rejection>)> {
    let mut csv = csv::ReaderBuilder::new().has_headers(true).flexible(true).from_reader(reader);
    let header = csv.headers().context("reading the header line")?.clone();
    let layout = Layout::from_header(kind, &header)?;
    let mut seen = Repeats::default();
    let mut rejected = Vec::new();
    let mut batch = kind.empty_batch(batch_size);
    let mut record = csv::StringRecord::new();
    let mut read = 0u64;
    // Lines read up to the last batch sent.
    let mut sent = 0u64;
    loop {
        let line = csv.position().line();
        match csv.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(error) => {
                let line = error.position().map_or(line, |p| p.line());
                rejected.push(Rejection { line, reason: Reason::Unreadable(error.to_string()) });
                read += 1;
                continue;
            }
        }
        read += 1;
        let line = record.position().map_or(line, |p| p.line());
        let parsed = match kinds::parse(kind, &layout, lookups, &record) {
            Ok(row) => credits.check(&row)?.and_then(|()| seen.first_time(&row, line)).map(|()| row),
            Err(reason) => Err(reason),
        };
        if let Ok(row) = &parsed {
            credits.remember(row);
        }
        match parsed {
            Ok(row) => row.push_to(&mut batch),
            Err(reason) => rejected.push(Rejection { line, reason: runs_on(reason, line, &record) }),
        }
        if batch.len() >= batch_size {
            let full = std::mem::replace(&mut batch, kind.empty_batch(batch_size));
            sender
                .blocking_send(Message::Batch(full, read - sent))
                .context("handing a batch to the writer")?;
            sent = read;
        }
    }
    if !batch.is_empty() {
        sender.blocking_send(Message::Batch(batch, read - sent)).context("handing a batch to the writer")?;
    }
    Ok((read, rejected))
}

/// `reason`, saying also up to which line the row ran when it spans several lines of the file
/// (each line break inside its fields is one more line; a quote left open to the end of the
/// file also holds the file's last line break, which starts no line).
fn runs_on(reason: Reason, line: u64, record: &csv::StringRecord) -> Reason {
    let inside: usize = record.iter().map(|field| field.matches('\n').count()).sum();
    let at_the_end = record.iter().next_back().is_some_and(|field| field.ends_with('\n'));
    let breaks = inside - usize::from(at_the_end);
    match u64::try_from(breaks) {
        Ok(0) | Err(_) => reason,
        Ok(breaks) => Reason::RunsOn { last_line: line + breaks, reason: Box::new(reason) },
    }
}

/// The natural keys seen so far in the file and their lines. A key is kept as a 128-bit hash
/// (two independently seeded SipHashes) rather than as text, so five million keys take about
/// 200 MB instead of a gigabyte; the chance that two different keys of such a file share a
/// hash is about 10⁻²⁵.
#[derive(Default)]
struct Repeats {
    first: RandomState,
    second: RandomState,
    lines: HashMap<(u64, u64), u64>,
}

impl Repeats {
    fn first_time(&mut self, row: &kinds::Row, line: u64) -> Result<(), Reason> {
        let hash = (row.key_hash(&self.first), row.key_hash(&self.second));
        match self.lines.entry(hash) {
            std::collections::hash_map::Entry::Occupied(first) => {
                Err(Reason::Duplicate { first_line: *first.get() })
            }
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(line);
                Ok(())
            }
        }
    }
}

/// The credits a correction row may name: those accepted earlier in this file (by a hash of
/// what identifies them, as in `Repeats`) and, asked of the database, those already loaded. A
/// correction must name one and may not take back more than it gave: the store keeps one
/// correction beside each credit (see `huzhu_store::import::CreditRow`), so "the corrections
/// of a credit" is that one row. A correction of an invalid credit is refused too. A credit
/// loaded later with fewer points than a correction already in the database, or marked
/// invalid, is not checked against it here: the rule (`huzhu_core::rules::evaluate`) takes
/// back no more than the credit counts, whatever order the files came in.
struct CreditsSeen {
    hasher: RandomState,
    /// Points and whether the source marked the credit invalid.
    points: HashMap<u64, (i64, bool)>,
    store: Store,
    runtime: tokio::runtime::Handle,
}

impl CreditsSeen {
    /// Made on the runtime, so the reading thread can ask the database through it.
    fn new(store: Store) -> CreditsSeen {
        let runtime = tokio::runtime::Handle::current();
        CreditsSeen { hasher: RandomState::new(), points: HashMap::new(), store, runtime }
    }

    fn identity(&self, row: &CreditRow) -> u64 {
        self.hasher.hash_one((
            row.person_id,
            &row.course_code,
            row.category,
            row.role,
            row.taken_on,
            row.infection_control,
            row.gender,
        ))
    }

    /// Whether a correction row names a credit that can bear it; any other row passes.
    fn check(&self, row: &kinds::Row) -> anyhow::Result<Result<(), Reason>> {
        let kinds::Row::Credit(row) = row else { return Ok(Ok(())) };
        if row.points >= 0 {
            return Ok(Ok(()));
        }
        let credit = match self.points.get(&self.identity(row)) {
            Some(points) => Some(*points),
            None => self.runtime.block_on(self.store.corrected_credit_points(row))?,
        };
        Ok(match credit {
            None => Err(Reason::NoCreditCorrected),
            Some((_, true)) => Err(Reason::CorrectionOfInvalidCredit),
            Some((points, false)) if -row.points > points => Err(Reason::CorrectionTooLarge {
                correction: Points::from_hundredths(row.points),
                credit: Points::from_hundredths(points),
            }),
            Some(_) => Ok(()),
        })
    }

    /// Notes an accepted credit (not a correction) for the corrections after it.
    fn remember(&mut self, row: &kinds::Row) {
        if let kinds::Row::Credit(row) = row
            && row.points > 0
        {
            let key = self.identity(row);
            self.points.insert(key, (row.points, row.invalid_reason.is_some()));
        }
    }
}

fn unix_now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// A bar on a terminal; plain lines at most once a second otherwise (a log has no use for a
/// bar's redraws), the first right after the first batch is committed.
struct Progress {
    bar: Option<ProgressBar>,
    bytes_read: Arc<AtomicU64>,
    file_bytes: u64,
    last_line: std::cell::Cell<Option<Instant>>,
}

impl Progress {
    fn new(file_bytes: u64, bytes_read: Arc<AtomicU64>) -> Progress {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::new(file_bytes);
            let style = ProgressStyle::with_template("{bar:40} {percent:>3}% {msg} ({eta} left)")
                .unwrap_or_else(|_| ProgressStyle::default_bar());
            bar.set_style(style);
            bar
        });
        Progress { bar, bytes_read, file_bytes, last_line: std::cell::Cell::new(None) }
    }

    /// `accepted`: the good rows handed over so far; `written`: those new or changed.
    fn update(&self, accepted: u64, written: u64) {
        let bytes = self.bytes_read.load(Ordering::Relaxed).min(self.file_bytes);
        if let Some(bar) = &self.bar {
            bar.set_position(bytes);
            bar.set_message(format!("{accepted} rows accepted, {written} written"));
            return;
        }
        let due = self.last_line.get().is_none_or(|last| last.elapsed() >= Duration::from_secs(1));
        if due {
            let percent = (bytes * 100).checked_div(self.file_bytes).unwrap_or(100);
            eprintln!("import: {accepted} rows accepted, {written} written ({percent}% of the file)");
            self.last_line.set(Some(Instant::now()));
        }
    }

    fn finish(&self, read: u64, written: u64) {
        match &self.bar {
            Some(bar) => bar.finish_and_clear(),
            None => eprintln!("import: {read} rows read, {written} written (100% of the file)"),
        }
    }
}

/// Prints the report: every refused row with its line, then one line of totals.
pub fn print_summary(summary: &Summary, dry_run: bool) -> anyhow::Result<()> {
    for rejection in &summary.rejected {
        out!("第 {} 行 line {}: {}", rejection.line, rejection.line, rejection.reason);
    }
    let rate = summary.read as f64 / summary.seconds.max(1e-9);
    let loaded = summary.read - summary.rejected.len() as u64;
    if dry_run {
        out!(
            "dry run ({}): {} rows read, {loaded} good, {} rejected; nothing written",
            summary.encoding,
            summary.read,
            summary.rejected.len()
        );
    } else {
        out!(
            "imported ({}): {} rows read, {loaded} loaded ({} new or changed, {} unchanged), {} rejected in {:.1} s ({rate:.0} rows/s)",
            summary.encoding,
            summary.read,
            summary.written,
            loaded - summary.written.min(loaded),
            summary.rejected.len(),
            summary.seconds,
        );
    }
    Ok(())
}
