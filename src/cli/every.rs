//! `--every INTERVAL`: a script or a sync job run again and again, one run an interval (the
//! next starts an interval after the last one started, at once when a run took longer), never
//! two at once ([`Schedule`]). Each run is logged in one line with its outcome; a failed run is retried with
//! backoff (200 ms doubling, at most half the interval, three times) before the next one is
//! due. Ctrl-C or SIGTERM ends the loop: a run in progress is dropped between requests, and
//! nothing starts after it. `--runs N` stops after N runs (a bounded job, or a test).

use std::io::Write;
use std::time::{Duration, Instant};

/// Retries of a failed run before the next one is due.
const RETRIES: u32 = 3;
const FIRST_BACKOFF: Duration = Duration::from_millis(200);

/// `500ms`, `30s`, `15m`, `1h`, `1d` as a duration; at least 100 ms.
pub fn parse_interval(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let digits = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(digits);
    let n: u64 = number.parse().map_err(|_| bad_interval(text))?;
    let ms = match unit {
        "ms" => n,
        "s" => n * 1_000,
        "m" => n * 60_000,
        "h" => n * 3_600_000,
        "d" => n * 86_400_000,
        _ => return Err(bad_interval(text)),
    };
    if ms < 100 {
        return Err(format!(
            "--every {text} is too short: runs at least 100ms apart"
        ));
    }
    Ok(Duration::from_millis(ms))
}

fn bad_interval(text: &str) -> String {
    format!("--every {text:?} is not an interval: write a number and ms, s, m, h or d (15m, 1h)")
}

/// The runs of an `--every` loop: which run is in progress, when it started, its retries.
/// The caller runs one attempt at a time (under [`stopped`]) and hands its outcome to
/// [`Schedule::after`], which logs it and waits for the next attempt.
pub struct Schedule {
    every: Duration,
    runs: Option<u64>,
    run: u64,
    started: Instant,
    attempt: u32,
    /// Runs that failed for good (after their retries).
    pub failed: u64,
}

impl Schedule {
    /// `runs`: stop after that many runs (none: until stopped).
    pub fn new(every: Duration, runs: Option<u64>) -> Self {
        Schedule {
            every,
            runs,
            run: 1,
            started: Instant::now(),
            attempt: 0,
            failed: 0,
        }
    }

    /// The number of the run in progress, from 1.
    pub fn run(&self) -> u64 {
        self.run
    }

    /// Logs the outcome of the attempt just made (what it did, or why it failed) on `log`,
    /// then waits for the next attempt: a retry after its backoff, or the next run an
    /// interval after this one started. False when there is none (`runs` reached, or Ctrl-C
    /// or SIGTERM while waiting).
    pub async fn after(&mut self, outcome: Result<String, String>, log: &mut dyn Write) -> bool {
        let n = self.run;
        let took = self.started.elapsed().as_millis();
        match outcome {
            Ok(summary) => {
                let _ = writeln!(log, "every: run {n} ok in {took} ms: {summary}");
            }
            Err(why) if self.attempt < RETRIES => {
                let wait = (FIRST_BACKOFF * 2u32.pow(self.attempt)).min(self.every / 2);
                self.attempt += 1;
                let _ = writeln!(
                    log,
                    "every: run {n} failed: {why}; retry {} of {RETRIES} in {} ms",
                    self.attempt,
                    wait.as_millis()
                );
                return !pause(wait).await;
            }
            Err(why) => {
                self.failed += 1;
                let _ = writeln!(log, "every: run {n} failed: {why}; next run as planned");
            }
        }
        if self.runs.is_some_and(|r| n >= r) {
            return false;
        }
        if pause(self.every.saturating_sub(self.started.elapsed())).await {
            let _ = writeln!(log, "every: stopped after run {n}");
            return false;
        }
        self.run += 1;
        self.attempt = 0;
        self.started = Instant::now();
        true
    }
}

/// Waits `d`; true when stopped meanwhile.
async fn pause(d: Duration) -> bool {
    tokio::select! {
        () = tokio::time::sleep(d) => false,
        () = stopped() => true,
    }
}

/// Resolves at Ctrl-C or SIGTERM.
pub async fn stopped() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    if tokio::signal::ctrl_c().await.is_err() {
        std::future::pending::<()>().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_are_read_with_their_unit() {
        assert_eq!(parse_interval("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_interval("15m"), Ok(Duration::from_secs(900)));
        assert_eq!(parse_interval("1h"), Ok(Duration::from_secs(3600)));
        assert!(parse_interval("50ms").unwrap_err().contains("too short"));
        assert!(
            parse_interval("soon")
                .unwrap_err()
                .contains("not an interval")
        );
        assert!(parse_interval("5").unwrap_err().contains("not an interval"));
    }
}
