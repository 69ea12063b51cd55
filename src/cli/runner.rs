//! Running statements, for scripted runs and the REPL alike: split a script, parse and run each
//! statement, show progress while it runs, cancel it on Ctrl-C (when interactive), keep its
//! request counters for `\stats`, and print its result where results go (stdout or a file).
//!
//! Failures are printed here, one line each on stderr (`error: <source>, line N: message`), so
//! scripts and the REPL report them the same way; callers only learn how many there were.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::error::DataFusionError;
use datafusion::sql::parser::Statement as DFStatement;
use futures::{FutureExt, StreamExt};

use super::args::Format;
use super::catalog::Catalog;
use super::commands::{self, Flow};
use super::output::{self, Layout};
use super::progress::{self, Progress};
use crate::engine::{Engine, statements};
use crate::jira::client::ClientStats;

/// A snapshot of a client's request counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counters {
    pub requests: u64,
    pub bytes: u64,
    pub retries: u64,
    pub rate_limit_waits: u64,
    pub waited: Duration,
}

impl Counters {
    pub fn of(stats: &ClientStats) -> Self {
        Counters {
            requests: stats.requests(),
            bytes: stats.bytes(),
            retries: stats.retries(),
            rate_limit_waits: stats.rate_limit_waits(),
            waited: stats.waited(),
        }
    }

    /// What was counted between `base` and `self`.
    pub fn since(&self, base: &Counters) -> Counters {
        Counters {
            requests: self.requests.saturating_sub(base.requests),
            bytes: self.bytes.saturating_sub(base.bytes),
            retries: self.retries.saturating_sub(base.retries),
            rate_limit_waits: self.rate_limit_waits.saturating_sub(base.rate_limit_waits),
            waited: self.waited.saturating_sub(base.waited),
        }
    }
}

/// What the last statement cost, for `\stats`.
#[derive(Debug, Clone)]
pub struct LastStatement {
    pub counters: Counters,
    pub rows: usize,
    pub elapsed: Duration,
    pub cancelled: bool,
}

/// How a statement did not finish.
#[derive(Debug)]
pub enum Failure {
    /// It failed; the message is for a person.
    Error(String),
    /// Ctrl-C.
    Cancelled,
}

impl From<String> for Failure {
    fn from(message: String) -> Self {
        Failure::Error(message)
    }
}

/// How a script went.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    /// Statements that failed (each already reported on stderr).
    pub failed: usize,
    /// Whether the script stopped early: at a failure without `--continue-on-error`, or on
    /// Ctrl-C.
    pub stopped: bool,
}

/// Where results go.
enum Sink {
    Stdout,
    File { path: PathBuf, out: BufWriter<File> },
}

/// Runs statements of one session and prints their results.
pub struct Runner {
    engine: Engine,
    /// Result format (`--format`, `\format`).
    pub format: Format,
    /// `\x`: expanded display for the table format.
    pub expanded: bool,
    /// `\timing`: print each statement's elapsed time on stderr.
    pub timing: bool,
    /// Go on after a failing statement (`--continue-on-error`).
    pub keep_going: bool,
    /// Ctrl-C cancels the running statement instead of ending the process; progress is shown.
    interactive: bool,
    sink: Sink,
    last: Option<LastStatement>,
    total_rows: usize,
}

impl Runner {
    /// A runner printing to stdout. An `interactive` runner (the REPL) shows progress on a
    /// terminal and takes over Ctrl-C from now on, so that it cancels statements.
    pub fn new(engine: Engine, format: Format, interactive: bool) -> Self {
        if interactive {
            // Polling `ctrl_c` once installs its handler for the rest of the process: from here
            // on Ctrl-C no longer ends jiraql, it only wakes whoever listens for it.
            let _ = tokio::signal::ctrl_c().now_or_never();
        }
        Runner {
            engine,
            format,
            expanded: false,
            timing: false,
            keep_going: false,
            interactive,
            sink: Sink::Stdout,
            last: None,
            total_rows: 0,
        }
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    pub fn engine_mut(&mut self) -> &mut Engine {
        &mut self.engine
    }

    /// Whether Ctrl-C cancels statements (the REPL) rather than ending the process.
    pub fn is_interactive(&self) -> bool {
        self.interactive
    }

    /// The last statement's cost, once one has run.
    pub fn last(&self) -> Option<&LastStatement> {
        self.last.as_ref()
    }

    /// Rows of every result so far.
    pub fn total_rows(&self) -> usize {
        self.total_rows
    }

    /// Sends results to `path` (created or truncated), or back to stdout with `None`.
    pub fn set_output(&mut self, path: Option<&Path>) -> Result<(), String> {
        self.flush_output()?;
        self.sink = match path {
            None => Sink::Stdout,
            Some(path) => {
                let file = File::create(path)
                    .map_err(|e| format!("cannot write to {}: {e}", path.display()))?;
                Sink::File {
                    path: path.to_path_buf(),
                    out: BufWriter::new(file),
                }
            }
        };
        Ok(())
    }

    /// Flushes a results file.
    pub fn flush_output(&mut self) -> Result<(), String> {
        match &mut self.sink {
            Sink::Stdout => Ok(()),
            Sink::File { path, out } => out
                .flush()
                .map_err(|e| format!("cannot write to {}: {e}", path.display())),
        }
    }

    /// Runs every statement and backslash command of `sql` in order (a line starting with `\`
    /// is a command, as in psql). Failures are reported on stderr as
    /// `error: <label>, line N: message` (just `error: message` without a label); the script
    /// stops at the first unless `keep_going`, and always on Ctrl-C or `\q`.
    pub async fn run_script(&mut self, label: Option<&str>, sql: &str) -> Outcome {
        let mut outcome = Outcome::default();
        // Loaded when the first command needs it (listing SharePoint lists costs requests).
        let mut catalog: Option<Catalog> = None;
        for part in script_parts(sql) {
            let failure = match part {
                Part::Sql { text, first_line } => {
                    if self.run_sql(label, &text, first_line, &mut outcome).await {
                        return outcome;
                    }
                    continue;
                }
                Part::Command { text, line } => {
                    if catalog.is_none() {
                        catalog = Some(Catalog::load(self.engine()).await);
                    }
                    let Some(loaded) = &catalog else { continue };
                    // Boxed: a command may run a script in turn (`\i`, `\preview`).
                    match Box::pin(commands::execute(&text, self, loaded)).await {
                        Ok(Flow::Continue) => continue,
                        Ok(Flow::Quit) => {
                            outcome.stopped = true;
                            return outcome;
                        }
                        Err(message) => (line, message),
                    }
                }
            };
            report(label, Some(failure.0), &failure.1);
            outcome.failed += 1;
            if !self.keep_going {
                outcome.stopped = true;
                return outcome;
            }
        }
        outcome
    }

    /// Runs the statements of `sql`, whose first line is line `first_line` of the script;
    /// true when the script must stop.
    async fn run_sql(
        &mut self,
        label: Option<&str>,
        sql: &str,
        first_line: usize,
        outcome: &mut Outcome,
    ) -> bool {
        let pieces = match statements::split(sql) {
            Ok(pieces) => pieces,
            Err(e) => {
                report(label, None, &describe(&e));
                outcome.failed += 1;
                outcome.stopped = true;
                return true;
            }
        };
        for piece in pieces {
            let result = match self.engine.parse(&piece.text) {
                Ok(parsed) => self.run_statements(parsed).await,
                Err(e) => Err(Failure::Error(describe(&e))),
            };
            match result {
                Ok(()) => {}
                Err(Failure::Cancelled) => {
                    eprintln!("cancelled");
                    outcome.stopped = true;
                    return true;
                }
                Err(Failure::Error(message)) => {
                    report(label, Some(piece.line + first_line - 1), &message);
                    outcome.failed += 1;
                    if !self.keep_going {
                        outcome.stopped = true;
                        return true;
                    }
                }
            }
        }
        false
    }

    async fn run_statements(&mut self, parsed: Vec<DFStatement>) -> Result<(), Failure> {
        for statement in parsed {
            self.run_statement(statement).await?;
        }
        Ok(())
    }

    /// Runs one parsed statement and prints its result.
    pub async fn run_statement(&mut self, statement: DFStatement) -> Result<(), Failure> {
        self.check_copy_target(&statement)?;
        let stats = self.engine.client().stats();
        let base = Counters::of(&stats);
        let started = Instant::now();
        let mut progress = Progress::start(self.interactive, stats.clone());
        let mut rows = 0usize;
        let result = cancellable(
            self.interactive,
            collect(&self.engine, statement, &mut progress, &mut rows),
        )
        .await
        .and_then(|r| r.map_err(|e| Failure::Error(describe(&e))));
        progress.clear();
        let elapsed = started.elapsed();
        self.last = Some(LastStatement {
            counters: Counters::of(&stats).since(&base),
            rows,
            elapsed,
            cancelled: matches!(result, Err(Failure::Cancelled)),
        });
        let (schema, batches) = result?;
        self.total_rows += rows;
        self.print(&schema, &batches)?;
        if let Some(report) = self.engine.take_write_report() {
            written(&report)?;
        }
        if self.timing {
            eprintln!("Time: {:.3} ms", elapsed.as_secs_f64() * 1000.0);
        }
        Ok(())
    }

    /// Prints a result (of a statement or a meta command) where results go.
    pub fn print(&mut self, schema: &SchemaRef, batches: &[RecordBatch]) -> Result<(), String> {
        let format = self.format;
        let expanded = self.expanded;
        let mut stdout;
        let (out, width, target): (&mut dyn Write, _, _) = match &mut self.sink {
            Sink::Stdout => {
                stdout = std::io::stdout().lock();
                (&mut stdout, output::terminal_width(), String::new())
            }
            Sink::File { path, out } => (out, None, format!(" to {}", path.display())),
        };
        output::write_result(format, Layout { expanded, width }, schema, batches, out)
            .map_err(|e| e.to_string())
            .and_then(|()| out.flush().map_err(|e| e.to_string()))
            .map_err(|e| format!("cannot write the result{target}: {e}"))
    }

    /// `COPY ... TO 'x.avro'`, or another format this build cannot write: say which formats
    /// there are instead of DataFusion's "no registered file format".
    fn check_copy_target(&self, statement: &DFStatement) -> Result<(), String> {
        let DFStatement::CopyTo(copy) = statement else {
            return Ok(());
        };
        let Some(format) = copy.stored_as.clone().or_else(|| {
            Path::new(&copy.target)
                .extension()
                .map(|e| e.to_string_lossy().into_owned())
        }) else {
            return Ok(()); // A directory: DataFusion asks for STORED AS itself.
        };
        let state = self.engine.context().state();
        if state.get_file_format_factory(&format).is_some() {
            return Ok(());
        }
        let available: Vec<&str> = ["csv", "json", "arrow", "parquet", "avro"]
            .into_iter()
            .filter(|f| state.get_file_format_factory(f).is_some())
            .collect();
        Err(format!(
            "COPY cannot write {format} files in this build of jiraql; it writes {} (name the \
             file e.g. 'issues.csv', or add STORED AS CSV)",
            available.join(", ")
        ))
    }
}

/// After a write to SharePoint: says so when nothing was sent, and turns rows that could not
/// be written into a failure (each row and its reason on stderr).
fn written(report: &crate::sharepoint::WriteReport) -> Result<(), Failure> {
    for note in &report.notes {
        eprintln!("{note}");
    }
    if report.dry_run {
        eprintln!(
            "dry run: nothing was written to the {} {}",
            report.kind, report.list
        );
        for request in &report.planned {
            eprintln!("  would send {request}");
        }
    }
    if report.failed.is_empty() {
        return Ok(());
    }
    const LISTED: usize = 20;
    for failure in report.failed.iter().take(LISTED) {
        eprintln!("  {}: {}", failure.row, failure.reason);
    }
    if report.failed.len() > LISTED {
        eprintln!("  ... and {} more", report.failed.len() - LISTED);
    }
    let written = report.inserted + report.updated + report.deleted;
    Err(Failure::Error(format!(
        "{} row{} could not be written to the {} {} (reasons above); {written} other \
         change{} went through",
        report.failed.len(),
        if report.failed.len() == 1 { "" } else { "s" },
        report.kind,
        report.list,
        if written == 1 { "" } else { "s" },
    )))
}

/// Runs `statement`, collecting its batches and updating `progress` while they come.
async fn collect(
    engine: &Engine,
    statement: DFStatement,
    progress: &mut Progress,
    rows: &mut usize,
) -> Result<(SchemaRef, Vec<RecordBatch>), DataFusionError> {
    let mut stream = engine.execute(statement).await?;
    let schema = stream.schema();
    let mut batches = Vec::new();
    let mut tick = tokio::time::interval(progress::TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            next = stream.next() => match next {
                Some(batch) => {
                    let batch = batch?;
                    *rows += batch.num_rows();
                    batches.push(batch);
                }
                None => break,
            },
            _ = tick.tick() => progress.update(*rows),
        }
    }
    Ok((schema, batches))
}

/// Runs `work`; when `interactive`, a Ctrl-C drops it (and with it every request in flight)
/// and gives [`Failure::Cancelled`].
pub async fn cancellable<T>(
    interactive: bool,
    work: impl Future<Output = T>,
) -> Result<T, Failure> {
    if !interactive {
        return Ok(work.await);
    }
    tokio::select! {
        result = work => Ok(result),
        () = interrupted() => Err(Failure::Cancelled),
    }
}

/// Resolves at the next Ctrl-C; never, if Ctrl-C cannot be listened for.
async fn interrupted() {
    if tokio::signal::ctrl_c().await.is_err() {
        std::future::pending::<()>().await;
    }
}

/// Prints one failure as one line (DataFusion's messages may span several).
fn report(label: Option<&str>, line: Option<usize>, message: &str) {
    let message = message
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    match (label, line) {
        (Some(label), Some(line)) => eprintln!("error: {label}, line {line}: {message}"),
        (Some(label), None) => eprintln!("error: {label}: {message}"),
        (None, _) => eprintln!("error: {message}"),
    }
}

/// One line for a person: the innermost cause, without DataFusion's wrapping.
pub fn describe(e: &DataFusionError) -> String {
    match e.find_root() {
        DataFusionError::External(inner) => inner.to_string(),
        DataFusionError::SQL(inner, _) => format!("SQL syntax: {inner}"),
        DataFusionError::SchemaError(inner, _) => inner.to_string(),
        DataFusionError::Plan(m) => m.clone(),
        other => other.to_string(),
    }
}

/// A piece of a script: SQL text, or one backslash command line.
#[derive(Debug, PartialEq, Eq)]
enum Part {
    Sql { text: String, first_line: usize },
    Command { text: String, line: usize },
}

/// Splits a script at its command lines (those whose first non-blank character is `\`),
/// keeping the SQL between them whole and the line each part starts on.
fn script_parts(script: &str) -> Vec<Part> {
    let mut parts = Vec::new();
    let mut sql = String::new();
    let mut first_line = 1;
    for (n, line) in script.lines().enumerate() {
        let trimmed = line.trim();
        if trimmed.starts_with('\\') {
            if !sql.trim().is_empty() {
                parts.push(Part::Sql {
                    text: std::mem::take(&mut sql),
                    first_line,
                });
            }
            sql.clear();
            parts.push(Part::Command {
                text: trimmed.to_string(),
                line: n + 1,
            });
            first_line = n + 2;
        } else {
            if sql.is_empty() {
                first_line = n + 1;
            }
            sql.push_str(line);
            sql.push('\n');
        }
    }
    if !sql.trim().is_empty() {
        parts.push(Part::Sql {
            text: sql,
            first_line,
        });
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_split_at_command_lines() {
        let parts = script_parts("SELECT 1;\n  \\x on\nSELECT 2\n;\n\\q\n");
        assert_eq!(
            parts,
            [
                Part::Sql {
                    text: "SELECT 1;\n".into(),
                    first_line: 1
                },
                Part::Command {
                    text: "\\x on".into(),
                    line: 2
                },
                Part::Sql {
                    text: "SELECT 2\n;\n".into(),
                    first_line: 3
                },
                Part::Command {
                    text: "\\q".into(),
                    line: 5
                },
            ]
        );
    }
}
