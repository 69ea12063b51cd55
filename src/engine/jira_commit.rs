//! The one step every Jira write commits through: rows are written up to `MaxConcurrency` at a
//! time (a 429 makes the client wait out `Retry-After` before it sends again), each row's
//! outcome is counted in the statement's report, and the one conflict check decides whether
//! a row changed in Jira since the statement read it.
//!
//! A row Jira refuses is that row's failure, named in the report. An error that is not about
//! one row (Jira unreachable, the credentials refused) stops the statement: rows not started
//! are not sent, rows in flight finish, and the error says how far the statement got.

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};

use datafusion::common::{DataFusionError, Result};
use futures::StreamExt;

use super::Engine;
use crate::jira::client::JiraError;
use crate::sharepoint::{RowFailure, WriteReport};

/// What writing one row came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Inserted,
    Updated,
    /// Nothing to send, or nothing left to do (deleted already).
    Unchanged,
    Deleted,
    /// Jira refused the row, or it changed since it was read: why.
    Failed(String),
}

/// A row to write: how the report names it, and what it holds.
pub struct Row<T> {
    pub name: String,
    pub item: T,
}

/// Writes every row with `write`, at most `MaxConcurrency` at once, counting outcomes into
/// `report`. `noun` names the rows in the error that stops a statement ("issues").
pub async fn commit<T, F, Fut>(
    engine: &Engine,
    report: &mut WriteReport,
    rows: Vec<Row<T>>,
    noun: &str,
    write: F,
) -> Result<()>
where
    F: Fn(T) -> Fut,
    Fut: Future<Output = Result<Outcome, JiraError>>,
{
    let total = rows.len();
    let stop = AtomicBool::new(false);
    let concurrency = engine.client().settings().max_concurrency.max(1);
    let mut outcomes = futures::stream::iter(rows.into_iter().enumerate())
        .map(|(n, row)| {
            let started = (!stop.load(Ordering::Relaxed)).then(|| write(row.item));
            async move {
                let outcome = match started {
                    Some(write) => Some(write.await),
                    None => None,
                };
                (n, row.name, outcome)
            }
        })
        .buffer_unordered(concurrency);
    let mut first_error = None;
    let mut not_sent = 0;
    let mut failed = Vec::new();
    while let Some((n, name, outcome)) = outcomes.next().await {
        match outcome {
            None => not_sent += 1,
            Some(Ok(outcome)) => {
                if let Some(reason) = count(report, outcome) {
                    failed.push((n, RowFailure { row: name, reason }));
                }
            }
            Some(Err(e)) => {
                stop.store(true, Ordering::Relaxed);
                not_sent += 1;
                first_error.get_or_insert(e);
            }
        }
    }
    // In the order of the rows, however the writes finished.
    failed.sort_by_key(|(n, _)| *n);
    report.failed.extend(failed.into_iter().map(|(_, f)| f));
    let Some(e) = first_error else {
        return Ok(());
    };
    Err(DataFusionError::External(
        format!(
            "stopped after writing {} of {total} {noun} ({} inserted, {} updated, {} deleted, \
             {} failed; {not_sent} not written): {e}",
            total - not_sent,
            report.inserted,
            report.updated,
            report.deleted,
            report.failed.len(),
        )
        .into(),
    ))
}

/// A dry run's account: each of `requests` (one row's) listed, and the row counted as
/// `outcome`.
pub fn planned(
    report: &mut WriteReport,
    outcome: Outcome,
    requests: impl IntoIterator<Item = String>,
) {
    for request in requests {
        report.planned.push(request);
        count(report, outcome.clone());
    }
}

/// Counts `outcome` in `report`; a failure is left to the caller (listed in row order), its
/// reason returned.
fn count(report: &mut WriteReport, outcome: Outcome) -> Option<String> {
    let counter = match outcome {
        Outcome::Inserted => &mut report.inserted,
        Outcome::Updated => &mut report.updated,
        Outcome::Unchanged => &mut report.unchanged,
        Outcome::Deleted => &mut report.deleted,
        Outcome::Failed(reason) => return Some(reason),
    };
    *counter += 1;
    None
}

/// The conflict check: a row may be overwritten only if Jira's last change of it (`now`) is
/// the one the statement read (`read`); otherwise why not.
pub fn unchanged_since(read: Option<i64>, now: Option<i64>) -> Result<(), String> {
    if read == now {
        return Ok(());
    }
    Err(
        "it was changed in Jira after this statement read it; not overwritten (run the \
         statement again to apply it to the current version)"
            .into(),
    )
}

/// Jira's refusal of one row (400, 403, 404, 409, 413) is the row's failure; anything else
/// stops the statement.
pub fn refused(e: JiraError) -> Result<Outcome, JiraError> {
    match e.status() {
        Some(400 | 403 | 404 | 409 | 413) => {
            let messages = e.jira_messages();
            Ok(Outcome::Failed(if messages.is_empty() {
                e.to_string()
            } else {
                messages.join("; ")
            }))
        }
        _ => Err(e),
    }
}
