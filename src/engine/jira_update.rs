//! `UPDATE` on tables whose rows are issues.
//!
//! The WHERE and the SET expressions run as one query over the same table (pushed down like a
//! SELECT's), giving each row's key, its `Updated`, and for every assignment the new and the
//! current value. A row whose values already equal the new ones sends nothing (unchanged).
//! For the others, just before writing, the issue's `updated` is read again: if someone
//! changed it since the query, the row is skipped and reported, never overwritten. Fields are
//! then set with one edit (only those that change), and a new `StatusName` is reached through
//! the transition of the issue's workflow that leads there; when none does, the row is
//! reported with the statuses that can be reached.

use datafusion::arrow::array::RecordBatch;
use datafusion::common::{Result, ScalarValue};
use datafusion::sql::sqlparser::ast::{Assignment, AssignmentTarget, Update};
use serde_json::{Map, Value};

use super::Engine;
use super::decode::parse_instant;
use super::jira_commit::{Outcome, Row, commit, refused, unchanged_since};
use super::jira_dml::{new_report, plan_error, plan_rows, select_target};
use super::jira_values::field_value;
use super::writes::{last_part, new_value};
use crate::jira::client::JiraError;
use crate::jira::tables::{ISSUE_KEY, ISSUE_STATUS, ISSUE_UPDATED, TableDef, WriteSpec};
use crate::jira::write::Reached;
use crate::sharepoint::WriteReport;

/// What one assignment sets: a field as the column's declaration says, or the workflow
/// status (reached by a transition). Both carry the column's declared name.
enum Target {
    Field(&'static str, WriteSpec),
    Status(&'static str),
}

impl Target {
    fn column(&self) -> &'static str {
        match self {
            Target::Field(name, _) | Target::Status(name) => name,
        }
    }
}

/// One row's planned change: fields to edit and a status to reach.
struct RowChange {
    key: String,
    read_updated: Option<i64>,
    fields: Map<String, Value>,
    status: Option<String>,
}

/// Runs `UPDATE` on an issue table.
pub(super) async fn run_update(
    engine: &Engine,
    def: &TableDef,
    update: &Update,
) -> Result<WriteReport> {
    let targets = targets(def, &update.assignments)?;
    let batches = engine.sql_batches(&query(def, update, &targets)).await?;
    let (changes, unchanged) = plan_changes(&targets, &batches)?;
    let mut report = new_report(engine, def);
    report.unchanged = unchanged;
    if report.dry_run {
        changes.iter().for_each(|c| plan_dry(&mut report, c));
        return Ok(report);
    }
    let rows = changes
        .into_iter()
        .map(|c| Row {
            name: c.key.clone(),
            item: c,
        })
        .collect();
    commit(engine, &mut report, rows, "issues", |c| async move {
        write_row(engine, &c).await
    })
    .await?;
    Ok(report)
}

/// The column each assignment sets; unknown, read-only and create-only columns are reported
/// together.
fn targets(def: &TableDef, assignments: &[Assignment]) -> Result<Vec<Target>> {
    let mut problems = Vec::new();
    let mut out = Vec::new();
    for a in assignments {
        let name = match &a.target {
            AssignmentTarget::ColumnName(name) => last_part(name),
            AssignmentTarget::Tuple(_) => String::new(),
        };
        match def
            .columns
            .iter()
            .find(|c| c.name.eq_ignore_ascii_case(&name))
        {
            None => problems.push(format!("{}: {} has no such column", a.target, def.name)),
            Some(c) if c.name == ISSUE_STATUS => out.push(Target::Status(c.name)),
            Some(c) => match c.write {
                Some(w) if !w.create_only => out.push(Target::Field(c.name, w)),
                Some(_) => problems.push(format!("{}: set when an issue is created only", c.name)),
                None => problems.push(format!("{}: read-only, Jira sets it", c.name)),
            },
        }
    }
    if problems.is_empty() {
        return Ok(out);
    }
    Err(plan_error(format!(
        "UPDATE {} cannot run; nothing was written:\n  {}",
        def.name,
        problems.join("\n  ")
    )))
}

/// `SELECT key, updated, new_1, old_1, ... FROM table WHERE ...`: each assignment's new value
/// next to the column's current one.
fn query(def: &TableDef, update: &Update, targets: &[Target]) -> String {
    select_target(
        def,
        &update.table.relation,
        update.selection.as_ref(),
        |column| {
            let mut select = vec![column(ISSUE_KEY), column(ISSUE_UPDATED)];
            for (n, (a, target)) in update.assignments.iter().zip(targets).enumerate() {
                select.push(new_value(n, &a.value));
                select.push(column(target.column()));
            }
            select
        },
    )
}

/// Each row's change, and how many rows change nothing. Values a column cannot take are
/// reported together before anything is written.
fn plan_changes(targets: &[Target], batches: &[RecordBatch]) -> Result<(Vec<RowChange>, u64)> {
    plan_rows(batches, |batch, row, problems| {
        let value = |i: usize| ScalarValue::try_from_array(batch.column(i), row);
        let key = value(0)?.to_string();
        let read_updated = match value(1)? {
            ScalarValue::TimestampMillisecond(ms, _) => ms,
            _ => None,
        };
        let mut change = RowChange {
            key,
            read_updated,
            fields: Map::new(),
            status: None,
        };
        for (i, target) in targets.iter().enumerate() {
            let (new, old) = (value(2 + 2 * i)?, value(3 + 2 * i)?);
            match target {
                Target::Status(_) => {
                    let new = (!new.is_null()).then(|| new.to_string());
                    if new.is_some() && new != (!old.is_null()).then(|| old.to_string()) {
                        change.status = new;
                    }
                }
                Target::Field(name, write) => {
                    match (
                        field_value(write.shape, &new),
                        field_value(write.shape, &old),
                    ) {
                        (Ok(n), Ok(o)) if n == o => {}
                        (Ok(n), _) => {
                            change.fields.insert(write.field.to_string(), n);
                        }
                        (Err(why), _) => {
                            problems.push(format!("{}, {name}: {why}", change.key));
                        }
                    }
                }
            }
        }
        let unchanged = change.fields.is_empty() && change.status.is_none();
        Ok((!unchanged).then_some(change))
    })
}

/// The requests a dry run lists for one row.
fn plan_dry(report: &mut WriteReport, change: &RowChange) {
    let key = &change.key;
    report
        .planned
        .push(format!("GET /rest/api/3/issue/{key}?fields=updated"));
    if !change.fields.is_empty() {
        report.planned.push(format!(
            "PUT /rest/api/3/issue/{key} {}",
            Value::Object(change.fields.clone())
        ));
    }
    if let Some(status) = &change.status {
        report.planned.push(format!(
            "POST /rest/api/3/issue/{key}/transitions (the transition to {status})"
        ));
    }
    report.updated += 1;
}

/// Writes one row: checked against the issue's `updated` now, then its fields edited and its
/// status reached by a transition.
async fn write_row(engine: &Engine, change: &RowChange) -> Result<Outcome, JiraError> {
    let client = engine.client();
    let key = &change.key;
    let now = client
        .get_platform(["issue", key], &[("fields", "updated".to_string())])
        .await;
    let now = match now {
        Ok(issue) => issue["fields"]["updated"].as_str().and_then(parse_instant),
        Err(e) if e.status() == Some(404) => {
            return Ok(Outcome::Failed("it was deleted in Jira".into()));
        }
        Err(e) => return Err(e),
    };
    if let Err(why) = unchanged_since(change.read_updated, now) {
        return Ok(Outcome::Failed(why));
    }
    if !change.fields.is_empty()
        && let Err(e) = client.edit_issue(key, &change.fields).await
    {
        return refused(e);
    }
    let Some(status) = &change.status else {
        return Ok(Outcome::Updated);
    };
    match client.transition_to(key, status).await {
        Ok(Reached::Yes) => Ok(Outcome::Updated),
        Ok(Reached::No { reachable }) => Ok(Outcome::Failed(format!(
            "no transition of its workflow leads to '{status}' from its current status; \
             reachable: {}",
            if reachable.is_empty() {
                "none".to_string()
            } else {
                reachable.join(", ")
            }
        ))),
        Err(e) => refused(e),
    }
}
