//! In-place reads for the pages every member opens, on SQLite.
//!
//! sqlx's SQLite driver runs each statement on a thread of its own per connection and hands the
//! rows back through a channel, so every statement costs two thread switches. For the short
//! indexed lookups of a member page those switches cost more than the query: profiling the home
//! page under load showed a third of the server's time in switching threads and a twentieth in
//! SQLite itself. The lookups that every page makes (the session, the person, the licence, the
//! CE records in a window) therefore run on the calling thread, through rusqlite, on read-only
//! connections kept here.
//!
//! Rows are read by column position, in the order of each SELECT: a lookup by name compares
//! strings for every column of every row, which showed in the profile too.
//!
//! Only short reads by index belong here: they hold the calling thread (an async worker) for
//! their whole duration. Everything else, and every write, goes through the sqlx pool. Both see
//! the same committed data: the database runs in WAL mode and each read here is a transaction
//! of its own.

use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

use anyhow::Context;
use chrono::NaiveDate;
use rusqlite::{Connection, OpenFlags};

/// Idle connections kept for reuse; more may be open while many requests read at once.
const KEEP_IDLE: usize = 8;

/// Read-only connections to one SQLite file, reused across requests.
#[derive(Debug)]
pub(crate) struct Reader {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
}

impl Reader {
    pub(crate) fn new(path: PathBuf) -> Reader {
        Reader { path, idle: Mutex::new(Vec::new()) }
    }

    /// Runs `read` on a connection of this reader. `what` names the read for error messages.
    pub(crate) fn read<T>(
        &self,
        what: &'static str,
        read: impl FnOnce(&Connection) -> rusqlite::Result<T>,
    ) -> anyhow::Result<T> {
        let connection = match self.take_idle() {
            Some(connection) => connection,
            None => self.open()?,
        };
        let result = read(&connection).context(what);
        self.give_back(connection);
        result
    }

    fn take_idle(&self) -> Option<Connection> {
        self.idle.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).pop()
    }

    fn give_back(&self, connection: Connection) {
        let mut idle = self.idle.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if idle.len() < KEEP_IDLE {
            idle.push(connection);
        }
    }

    fn open(&self) -> anyhow::Result<Connection> {
        // NO_MUTEX: a connection is used by one thread at a time (it is taken out of the list).
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let connection = Connection::open_with_flags(&self.path, flags)
            .with_context(|| format!("opening {} for reading", self.path.display()))?;
        // A checkpoint can hold the WAL index briefly; wait as the pool's connections do.
        connection.busy_timeout(Duration::from_secs(5)).context("setting the read timeout")?;
        connection.set_prepared_statement_cache_capacity(32);
        Ok(connection)
    }
}

impl Reader {
    /// The first row `sql` returns, if any.
    pub(crate) fn optional<T>(
        &self,
        what: &'static str,
        sql: &str,
        params: impl rusqlite::Params,
        map: impl FnOnce(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> anyhow::Result<Option<T>> {
        self.read(what, |connection| {
            let mut statement = connection.prepare_cached(sql)?;
            let mut rows = statement.query(params)?;
            rows.next()?.map(map).transpose()
        })
    }

    /// Every row `sql` returns.
    pub(crate) fn all<T>(
        &self,
        what: &'static str,
        sql: &str,
        params: impl rusqlite::Params,
        map: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> anyhow::Result<Vec<T>> {
        self.read(what, |connection| {
            let mut statement = connection.prepare_cached(sql)?;
            let rows = statement.query_map(params, map)?;
            rows.collect()
        })
    }
}

/// The date in column `index`, stored as sqlx stores dates in SQLite: `YYYY-MM-DD` text. Read
/// by hand: rusqlite's conversion interprets a format string for every value, and even chrono's
/// fixed ISO reader showed in the profile of the CE page, which reads hundreds of dates.
pub(crate) fn date(row: &rusqlite::Row<'_>, index: usize) -> rusqlite::Result<NaiveDate> {
    let text = row.get_ref(index)?.as_str()?;
    match iso_date(text) {
        Some(date) => Ok(date),
        None => text.parse().map_err(|error| {
            rusqlite::Error::FromSqlConversionFailure(index, rusqlite::types::Type::Text, Box::new(error))
        }),
    }
}

/// `YYYY-MM-DD`, or `None` for anything else (which the caller hands to chrono).
fn iso_date(text: &str) -> Option<NaiveDate> {
    let bytes = text.as_bytes();
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return None;
    }
    let number = |range: std::ops::Range<usize>| text.get(range)?.parse::<u32>().ok();
    let year = i32::try_from(number(0..4)?).ok()?;
    NaiveDate::from_ymd_opt(year, number(5..7)?, number(8..10)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_dates_are_read_as_chrono_reads_them() {
        let read = |text: &str| (iso_date(text), text.parse::<NaiveDate>().ok());
        // The leap day of 2024 exists, 2023's does not; both readers agree on each.
        for text in ["2024-02-29", "2023-02-29", "1911-01-01", "2024-13-01", "2024-00-10", "2024-1-010"] {
            let (by_hand, by_chrono) = read(text);
            assert_eq!(by_hand, by_chrono, "{text}");
        }
        assert_eq!(iso_date("2024-05-31"), NaiveDate::from_ymd_opt(2024, 5, 31));
        // Not this shape: left to chrono.
        assert_eq!(iso_date("+2024-05-31"), None);
    }
}
