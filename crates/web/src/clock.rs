//! The current time, injected so that tests can move it.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, NaiveDate, Utc};

/// Taiwan does not observe daylight saving time: UTC+8 all year.
const TAIWAN_OFFSET_SECONDS: i64 = 8 * 3600;

pub trait Clock: Send + Sync {
    /// Seconds since the Unix epoch.
    fn now(&self) -> i64;

    /// Today's date in Taiwan, which is what "today" means for licences and CE windows.
    fn today(&self) -> NaiveDate {
        DateTime::<Utc>::from_timestamp(self.now() + TAIWAN_OFFSET_SECONDS, 0)
            .unwrap_or_default()
            .date_naive()
    }
}

pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> i64 {
        Utc::now().timestamp()
    }
}

/// A clock that stands still until moved: for tests.
#[derive(Clone)]
pub struct ManualClock(Arc<AtomicI64>);

impl ManualClock {
    pub fn at(seconds: i64) -> ManualClock {
        ManualClock(Arc::new(AtomicI64::new(seconds)))
    }

    pub fn advance(&self, seconds: i64) {
        self.0.fetch_add(seconds, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}
