//! Live progress of a running statement on stderr: one line with a spinner, the requests
//! (pages) sent, bytes received, rows produced so far, rate-limit waits and elapsed time. It
//! appears only on a terminal and only once a statement has run for a moment, and it is erased
//! before the result prints, so quick queries and redirected output never see it.
//!
//! The line is drawn by hand rather than with a progress-bar crate: it must stay shorter than
//! the terminal, because the `^C` the terminal echoes on Ctrl-C would otherwise wrap onto a new
//! line that erasing the progress line cannot reach.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

use super::runner::Counters;
use crate::jira::client::ClientStats;

/// How often the line is refreshed.
pub const TICK: Duration = Duration::from_millis(100);
/// Statements quicker than this show no progress at all.
const SHOW_AFTER: Duration = Duration::from_millis(400);
const SPINNER: &[char] = &['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
/// Columns left free at the end of the line, for the terminal's `^C` echo.
const SPARE_COLUMNS: usize = 4;
/// Width assumed when the terminal does not say.
const DEFAULT_WIDTH: usize = 80;
/// Carriage return and "erase line".
const ERASE_LINE: &str = "\r\x1b[2K";

/// The progress line of one statement.
pub struct Progress {
    enabled: bool,
    stats: ClientStats,
    base: Counters,
    started: Instant,
    frame: usize,
    drawn: bool,
}

impl Progress {
    /// Starts measuring from `stats`' current counters. `wanted` is the caller's wish; the line
    /// is still never drawn unless stderr is a terminal.
    pub fn start(wanted: bool, stats: ClientStats) -> Self {
        Progress {
            enabled: wanted && std::io::stderr().is_terminal(),
            base: Counters::of(&stats),
            stats,
            started: Instant::now(),
            frame: 0,
            drawn: false,
        }
    }

    /// Redraws the line with `rows` produced so far.
    pub fn update(&mut self, rows: usize) {
        if !self.enabled || self.started.elapsed() < SHOW_AFTER {
            return;
        }
        let now = Counters::of(&self.stats).since(&self.base);
        let mut line = format!(
            "{} {} requests, {} received, {} rows, {:.1}s",
            SPINNER[self.frame % SPINNER.len()],
            now.requests,
            human_bytes(now.bytes),
            rows,
            self.started.elapsed().as_secs_f64()
        );
        if now.rate_limit_waits > 0 {
            line.push_str(&format!(
                ", {} rate-limit waits ({:.1}s)",
                now.rate_limit_waits,
                now.waited.as_secs_f64()
            ));
        }
        line.push_str(" - Ctrl-C cancels");
        self.frame += 1;
        let width = terminal_width().saturating_sub(SPARE_COLUMNS);
        let shown: String = line.chars().take(width).collect();
        let mut err = std::io::stderr().lock();
        // Progress is decoration: a failed write must not fail the statement.
        let _ = write!(err, "{ERASE_LINE}{shown}").and_then(|()| err.flush());
        self.drawn = true;
    }

    /// Erases the line, if it was drawn.
    pub fn clear(&mut self) {
        if std::mem::take(&mut self.drawn) {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "{ERASE_LINE}").and_then(|()| err.flush());
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.clear();
    }
}

fn terminal_width() -> usize {
    crossterm::terminal::size()
        .ok()
        .map(|(cols, _)| usize::from(cols))
        .filter(|&w| w > SPARE_COLUMNS * 2)
        .unwrap_or(DEFAULT_WIDTH)
}

/// `1536` as `1.5 KiB`.
fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_read_like_a_person_would_say_them() {
        assert_eq!(human_bytes(0), "0 B");
        assert_eq!(human_bytes(1536), "1.5 KiB");
        assert_eq!(human_bytes(3 * 1024 * 1024), "3.0 MiB");
    }
}
