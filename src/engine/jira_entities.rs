//! Writing statements on tables of the site's entities (versions, components), as the table's
//! declaration ([`EntityWrites`]) says: which endpoints, which fields a new row needs, which
//! columns name at most one row.
//!
//! - `INSERT` adds one entity per source row, every value checked before anything is sent. A
//!   create whose answer was lost is looked for by the table's unique columns (a version's
//!   project and name) before it is sent again; without unique columns it is reported as
//!   unknown, never sent twice.
//! - `UPDATE` runs its WHERE and SET values as one pushed-down query. A row whose values
//!   already equal the new ones sends nothing; for the others the entity is read again just
//!   before the change, and one whose columns being set changed since the query is reported,
//!   never overwritten. Only the changed members are sent (`PUT`, or a sprint's partial
//!   `POST`: its `PUT` would null what it is not sent).
//! - `DELETE` removes what its WHERE selects; an entity already gone counts as unchanged.
//!
//! All three commit through [`super::jira_commit`], up to `MaxConcurrency` rows at a time.

use datafusion::arrow::array::RecordBatch;
use datafusion::common::{Result, ScalarValue};
use datafusion::sql::sqlparser::ast::{Delete, Insert, Update};
use serde_json::{Map, Value};

use super::Engine;
use super::decode::{lookup, parse_instant};
use super::jira_commit::{Outcome, Row, commit, planned, refused};
use super::jira_dml::{
    assigned_column, from_tables, insert_source, key_column, missing_required, new_report,
    plan_error, plan_rows, select_target, set_path, value_problems,
};
use super::jira_values::field_value;
use super::writes::{new_value, quoted};
use crate::http::retry::{backoff, jitter};
use crate::jira::item_write::Deleted;
use crate::jira::tables::{Api, ColumnDef, EntityWrites, Removal, Source, TableDef, WriteSpec};
use crate::sharepoint::WriteReport;

/// A row to add: its body, and the values of the table's unique columns.
struct NewRow {
    body: Map<String, Value>,
    unique: Vec<(&'static str, ScalarValue)>,
}

/// One row's planned change: the members to send, and the values they replace as read (with
/// where the entity shows each).
struct Change {
    id: String,
    body: Map<String, Value>,
    read: Vec<(&'static ColumnDef, &'static str, Value)>,
}

/// The writable column `name` of `def`.
fn writable(def: &'static TableDef, name: &str) -> Result<(&'static ColumnDef, WriteSpec), String> {
    let column = def
        .columns
        .iter()
        .find(|c| c.name.eq_ignore_ascii_case(name))
        .ok_or_else(|| format!("{name}: {} has no such column", def.name))?;
    column
        .write
        .map(|w| (column, w))
        .ok_or_else(|| format!("{}: read-only, Jira sets it", column.name))
}

/// `INSERT INTO` an entity table.
pub(super) async fn run_insert(
    engine: &Engine,
    def: &'static TableDef,
    w: &EntityWrites,
    insert: &Insert,
) -> Result<WriteReport> {
    let (names, batches) = insert_source(engine, def, insert).await?;
    let mut problems = Vec::new();
    let columns: Vec<(&ColumnDef, WriteSpec)> = names
        .iter()
        .filter_map(|n| writable(def, n).map_err(|p| problems.push(p)).ok())
        .collect();
    let given: Vec<&str> = columns.iter().map(|(_, s)| s.field).collect();
    problems.extend(missing_required(def, w.required, &given));
    if !problems.is_empty() {
        return Err(plan_error(format!(
            "INSERT INTO {} cannot run; nothing was written:\n  {}",
            def.name,
            problems.join("\n  ")
        )));
    }
    let rows = new_rows(w, &columns, &batches)?;
    let mut report = new_report(engine, def);
    if report.dry_run {
        let requests = rows.iter().map(|row| {
            let body = Value::Object(row.body.clone());
            format!("POST {}/{} {body}", root(w), w.create)
        });
        planned(&mut report, Outcome::Inserted, requests);
        return Ok(report);
    }
    let rows = rows
        .into_iter()
        .enumerate()
        .map(|(n, item)| Row {
            name: format!("row {}", n + 1),
            item,
        })
        .collect();
    commit(engine, &mut report, rows, "rows", |row| {
        add_once(engine, def, w, row)
    })
    .await?;
    Ok(report)
}

/// Each source row's body and unique values; NULL leaves a member out.
fn new_rows(
    w: &EntityWrites,
    columns: &[(&'static ColumnDef, WriteSpec)],
    batches: &[RecordBatch],
) -> Result<Vec<NewRow>> {
    let mut fixed = Map::new();
    for (member, json) in w.fixed {
        let value = serde_json::from_str(json).map_err(|e| {
            plan_error(format!("the declaration's fixed {member} is not JSON: {e}"))
        })?;
        set_path(&mut fixed, member, value);
    }
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    for batch in batches {
        for r in 0..batch.num_rows() {
            let n = rows.len() + 1;
            let mut row = NewRow {
                body: fixed.clone(),
                unique: Vec::new(),
            };
            for (i, (c, write)) in columns.iter().enumerate() {
                let value = ScalarValue::try_from_array(batch.column(i), r)?;
                if w.unique.contains(&c.name) {
                    row.unique.push((c.name, value.clone()));
                }
                if value.is_null() {
                    continue;
                }
                match field_value(write.shape, &value) {
                    Ok(v) => set_path(&mut row.body, write.field, v),
                    Err(why) => problems.push(format!("row {n}, {}: {why}", c.name)),
                }
            }
            rows.push(row);
        }
    }
    if problems.is_empty() {
        return Ok(rows);
    }
    Err(value_problems(problems))
}

/// Adds one row made at most once: after a lost answer the table is read for the row's unique
/// values (after the delay a retry would wait) before the add is sent again.
async fn add_once(
    engine: &Engine,
    def: &'static TableDef,
    w: &EntityWrites,
    row: NewRow,
) -> Result<Outcome, crate::jira::client::JiraError> {
    let policy = &engine.client().settings().retry;
    let body = Value::Object(row.body);
    // Every unique column given, none NULL: the row can be looked for.
    let findable = !w.unique.is_empty()
        && row.unique.len() == w.unique.len()
        && row.unique.iter().all(|(_, v)| !v.is_null());
    let mut attempt = 0;
    loop {
        match engine.client().create_entity(w, &body).await {
            Ok(_) => return Ok(Outcome::Inserted),
            Err(e) if e.outcome_unknown() && findable && attempt < policy.max_retries => {
                tokio::time::sleep(backoff(policy, attempt, jitter())).await;
                match exists(engine, def, &row.unique).await {
                    Ok(true) => return Ok(Outcome::Inserted),
                    Ok(false) => attempt += 1,
                    Err(why) => {
                        return Ok(Outcome::Failed(format!(
                            "whether it was added is unknown ({e}), and looking for it failed: \
                             {why}"
                        )));
                    }
                }
            }
            Err(e) if e.outcome_unknown() => {
                return Ok(Outcome::Failed(format!(
                    "whether it was added is unknown: {e}; look for it before adding it again"
                )));
            }
            Err(e) => return refused(e),
        }
    }
}

/// Whether `def` has a row with these column values.
async fn exists(
    engine: &Engine,
    def: &'static TableDef,
    values: &[(&str, ScalarValue)],
) -> Result<bool> {
    let condition: Vec<String> = values
        .iter()
        .map(|(c, v)| format!("{} = {}", quoted(c), sql_literal(v)))
        .collect();
    let sql = format!(
        "SELECT count(*) FROM jira.{} WHERE {}",
        quoted(def.name),
        condition.join(" AND ")
    );
    let batches = engine.sql_batches(&sql).await?;
    let found = match batches.first() {
        Some(b) if b.num_rows() > 0 => ScalarValue::try_from_array(b.column(0), 0)?,
        _ => ScalarValue::Int64(Some(0)),
    };
    Ok(found != ScalarValue::Int64(Some(0)))
}

/// `value` as an SQL literal: text quoted, numbers and booleans as they are.
fn sql_literal(value: &ScalarValue) -> String {
    match value {
        ScalarValue::Int8(Some(_))
        | ScalarValue::Int16(Some(_))
        | ScalarValue::Int32(Some(_))
        | ScalarValue::Int64(Some(_))
        | ScalarValue::UInt64(Some(_))
        | ScalarValue::Boolean(Some(_)) => value.to_string(),
        other => format!("'{}'", other.to_string().replace('\'', "''")),
    }
}

/// `UPDATE` on an entity table.
pub(super) async fn run_update(
    engine: &Engine,
    def: &'static TableDef,
    w: &EntityWrites,
    update: &Update,
) -> Result<WriteReport> {
    let Some(by) = w.change else {
        return Err(plan_error(format!(
            "UPDATE {} cannot run: Jira's API cannot change its rows; nothing was written",
            def.name
        )));
    };
    let mut problems = Vec::new();
    let mut targets = Vec::new();
    for a in &update.assignments {
        let name = assigned_column(a);
        match writable(def, &name) {
            Ok((c, write)) if write.create_only => {
                problems.push(format!("{}: set when a row is added only", c.name));
            }
            Ok(target) => targets.push(target),
            Err(p) => problems.push(p),
        }
    }
    if !problems.is_empty() {
        return Err(plan_error(format!(
            "UPDATE {} cannot run; nothing was written:\n  {}",
            def.name,
            problems.join("\n  ")
        )));
    }
    let id_column = key_column(def)?;
    let sql = select_target(
        def,
        &update.table.relation,
        update.selection.as_ref(),
        |column| {
            let mut select = vec![column(id_column)];
            for (n, (a, (c, _))) in update.assignments.iter().zip(&targets).enumerate() {
                select.push(new_value(n, &a.value));
                select.push(column(c.name));
            }
            select
        },
    );
    let batches = engine.sql_batches(&distinct(&sql)).await?;
    let (changes, unchanged) = plan_changes(&targets, &batches)?;
    let mut report = new_report(engine, def);
    report.unchanged = unchanged;
    if report.dry_run {
        let requests = changes.iter().map(|c| {
            let one = w.one.replace("{id}", &c.id);
            let body = Value::Object(c.body.clone());
            format!(
                "GET {}/{one} (is it as read?), then {} it {body}",
                root(w),
                by.method()
            )
        });
        planned(&mut report, Outcome::Updated, requests);
        return Ok(report);
    }
    let rows = changes
        .into_iter()
        .map(|c| Row {
            name: format!("{} {}", def.name, c.id),
            item: c,
        })
        .collect();
    commit(engine, &mut report, rows, "rows", |c| async move {
        let now = match engine.client().get_entity(w, &c.id).await {
            Ok(now) => now,
            Err(e) if e.status() == Some(404) => {
                return Ok(Outcome::Failed("it was deleted in Jira".into()));
            }
            Err(e) => return Err(e),
        };
        for (column, field, read) in &c.read {
            let current = lookup(&now, field).cloned().unwrap_or(Value::Null);
            if !same(&current, read) {
                return Ok(Outcome::Failed(format!(
                    "{} is {current} in Jira now, not {read} as read: it changed since; \
                     nothing was written, read it again and retry",
                    column.name
                )));
            }
        }
        let body = Value::Object(c.body);
        match engine.client().edit_entity(w, by, &c.id, &body).await {
            Ok(_) => Ok(Outcome::Updated),
            Err(e) => refused(e),
        }
    })
    .await?;
    Ok(report)
}

/// Each row's change, and how many rows change nothing.
fn plan_changes(
    targets: &[(&'static ColumnDef, WriteSpec)],
    batches: &[RecordBatch],
) -> Result<(Vec<Change>, u64)> {
    plan_rows(batches, |batch, row, problems| {
        let value = |i: usize| ScalarValue::try_from_array(batch.column(i), row);
        let mut change = Change {
            id: value(0)?.to_string(),
            body: Map::new(),
            read: Vec::new(),
        };
        for (t, (c, write)) in targets.iter().enumerate() {
            let (new, old) = (value(1 + 2 * t)?, value(2 + 2 * t)?);
            let old = field_value(write.shape, &old).unwrap_or(Value::Null);
            match field_value(write.shape, &new) {
                Ok(new) if same(&new, &old) => {}
                Ok(new) => {
                    set_path(&mut change.body, write.field, new);
                    // Compared where the entity shows it (a lead's `lead.accountId`).
                    let shown = match c.source {
                        Source::Path(path) => path,
                        _ => write.field,
                    };
                    change.read.push((c, shown, old));
                }
                Err(why) => problems.push(format!("{}, {}: {why}", change.id, c.name)),
            }
        }
        Ok((!change.body.is_empty()).then_some(change))
    })
}

/// `sql`'s rows once each: an entity of the site (a role) is listed under every parent it is
/// read through, and is written once.
fn distinct(sql: &str) -> String {
    format!("SELECT DISTINCT * FROM ({sql})")
}

/// Whether two member values are the same to Jira: equal, both empty (null or ""), or the
/// same instant written with other offsets.
fn same(a: &Value, b: &Value) -> bool {
    let empty = |v: &Value| v.is_null() || v.as_str() == Some("");
    let instant = |v: &Value| v.as_str().and_then(parse_instant);
    a == b || (empty(a) && empty(b)) || instant(a).is_some_and(|t| instant(b) == Some(t))
}

/// The root of the table's API, as a dry run writes it.
fn root(w: &EntityWrites) -> &'static str {
    match w.api {
        Api::Platform => "/rest/api/3",
        Api::Agile => "/rest/agile/1.0",
    }
}

/// `DELETE FROM` an entity table.
pub(super) async fn run_delete(
    engine: &Engine,
    def: &'static TableDef,
    w: &EntityWrites,
    delete: &Delete,
) -> Result<WriteReport> {
    let relation = &from_tables(delete)
        .first()
        .ok_or_else(|| plan_error("DELETE names no table".into()))?
        .relation;
    let id_column = key_column(def)?;
    let sql = select_target(def, relation, delete.selection.as_ref(), |column| {
        vec![column(id_column)]
    });
    let mut rows = Vec::new();
    for batch in engine.sql_batches(&distinct(&sql)).await? {
        for r in 0..batch.num_rows() {
            let id = ScalarValue::try_from_array(batch.column(0), r)?.to_string();
            rows.push(Row {
                name: format!("{} {id}", def.name),
                item: id,
            });
        }
    }
    let mut report = new_report(engine, def);
    if report.dry_run {
        let requests = rows.iter().map(|Row { item: id, .. }| {
            let one = format!("{}/{}", root(w), w.one.replace("{id}", id));
            match w.removal {
                Removal::Delete => format!("DELETE {one}"),
                Removal::Post(suffix) => format!("POST {one}/{suffix} {{}}"),
            }
        });
        planned(&mut report, Outcome::Deleted, requests);
        return Ok(report);
    }
    commit(engine, &mut report, rows, "rows", |id| async move {
        match engine.client().remove_entity(w, &id).await {
            Ok(Deleted::Now) => Ok(Outcome::Deleted),
            Ok(Deleted::AlreadyGone) => Ok(Outcome::Unchanged),
            Err(e) => refused(e),
        }
    })
    .await?;
    Ok(report)
}
