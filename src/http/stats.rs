//! Request counters shared by every clone of a client (Jira's or Graph's), for progress
//! lines, `--stats` and benchmarks.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Counters shared by every clone of a client, for progress lines and benchmarks.
#[derive(Clone, Default)]
pub struct ClientStats(Arc<StatsInner>);

#[derive(Default)]
struct StatsInner {
    requests: AtomicU64,
    bytes: AtomicU64,
    retries: AtomicU64,
    rate_limit_waits: AtomicU64,
    waited_micros: AtomicU64,
}

impl ClientStats {
    /// HTTP attempts sent, retries included.
    pub fn requests(&self) -> u64 {
        self.0.requests.load(Ordering::Relaxed)
    }

    /// Response body bytes received (error bodies included).
    pub fn bytes(&self) -> u64 {
        self.0.bytes.load(Ordering::Relaxed)
    }

    /// Retries of any cause.
    pub fn retries(&self) -> u64 {
        self.0.retries.load(Ordering::Relaxed)
    }

    /// Retries caused by 429 Too Many Requests.
    pub fn rate_limit_waits(&self) -> u64 {
        self.0.rate_limit_waits.load(Ordering::Relaxed)
    }

    /// Total time spent sleeping before retries, of any cause.
    pub fn waited(&self) -> Duration {
        Duration::from_micros(self.0.waited_micros.load(Ordering::Relaxed))
    }

    /// Sets every counter back to zero.
    pub fn reset(&self) {
        for counter in [
            &self.0.requests,
            &self.0.bytes,
            &self.0.retries,
            &self.0.rate_limit_waits,
            &self.0.waited_micros,
        ] {
            counter.store(0, Ordering::Relaxed);
        }
    }

    fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }

    /// One attempt sent.
    pub(crate) fn count_request(&self) {
        Self::add(&self.0.requests, 1);
    }

    /// `bytes` of a response body received.
    pub(crate) fn count_bytes(&self, bytes: usize) {
        Self::add(&self.0.bytes, bytes as u64);
    }

    /// One attempt sent and `bytes` received.
    pub(crate) fn count_response(&self, bytes: usize) {
        self.count_request();
        self.count_bytes(bytes);
    }

    /// One retry after `delay`; `throttled` when the server asked for it (429/503).
    pub(crate) fn count_retry(&self, delay: Duration, throttled: bool) {
        Self::add(&self.0.retries, 1);
        if throttled {
            Self::add(&self.0.rate_limit_waits, 1);
        }
        Self::add(
            &self.0.waited_micros,
            u64::try_from(delay.as_micros()).unwrap_or(u64::MAX),
        );
    }
}

impl fmt::Debug for ClientStats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientStats")
            .field("requests", &self.requests())
            .field("bytes", &self.bytes())
            .field("retries", &self.retries())
            .field("rate_limit_waits", &self.rate_limit_waits())
            .field("waited", &self.waited())
            .finish()
    }
}
