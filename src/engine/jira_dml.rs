//! Writing statements on Jira tables: dispatched by the table's declaration
//! ([`Writes`]); tables whose rows are issues get `INSERT` and `DELETE` here, `UPDATE` in
//! [`super::jira_update`], and item tables (worklogs, comments) are written by
//! [`super::jira_items`].
//!
//! `INSERT` runs its source (VALUES or a SELECT) as a query and turns each row into one issue's
//! `fields`, column by column as the table's declaration says ([`crate::jira::tables::Shape`]).
//! Unknown and read-only columns, required ones left out and values a column cannot take are
//! all reported before anything is sent. Issues are created in bulk requests of 50, each made
//! at most once ([`JiraClient::create_issues_once`](crate::jira::client::JiraClient::create_issues_once)); a refused row is reported by its number.
//!
//! The statement's WHERE runs as a query over the same table, so it is pushed down to Jira like
//! any SELECT's (a key lookup is one GET, other conditions become JQL). Each issue found is
//! then deleted, sub-tasks before their parents: a parent whose sub-tasks are all selected goes
//! with them, one whose sub-tasks the WHERE leaves out is refused by Jira, reported by key, and
//! keeps them. An issue already gone when its turn comes counts as unchanged.
//!
//! Writes never touch every row by accident ([`refuse_sweep`]) and `--dry-run` lists the
//! requests it would send and sends none.

use std::collections::HashSet;

use datafusion::arrow::array::RecordBatch;
use datafusion::common::{DataFusionError, Result, ScalarValue};
use datafusion::sql::sqlparser::ast::{
    Assignment, AssignmentTarget, Delete, Expr, FromTable, Ident, Insert, ObjectName,
    ObjectNamePart, SetExpr, Statement, TableFactor, TableObject, Update,
};
use serde_json::{Map, Value, json};

use super::Engine;
use super::jira_commit::{Outcome, Row, commit, planned, refused};
use super::jira_update::run_update;
use super::jira_values::field_value;
use super::session::JIRA_SCHEMA;
use super::writes::{alias_of, last_part, quoted, refuse_sweep};
use super::{jira_entities as entities, jira_items as items};
use crate::jira::item_write::Deleted;
use crate::jira::tables::{
    ColumnDef, ISSUE_CREATE_REQUIRED, ISSUE_KEY, ISSUE_PARENT_KEY, TableDef, WriteSpec, Writes,
};
use crate::jira::write::BULK_CREATE_MAX;
use crate::sharepoint::{RowFailure, WriteReport};

/// How many problems of one kind an error lists before summarising the rest.
const SHOWN_PROBLEMS: usize = 10;

/// The Jira table a writing statement targets, if it targets one.
pub fn target(engine: &Engine, statement: &Statement) -> Option<&'static TableDef> {
    let name = match statement {
        Statement::Delete(delete) => match &from_tables(delete).first()?.relation {
            TableFactor::Table { name, .. } => name,
            _ => return None,
        },
        Statement::Insert(Insert {
            table: TableObject::TableName(name),
            ..
        }) => name,
        Statement::Update(Update { table, .. }) => match &table.relation {
            TableFactor::Table { name, .. } => name,
            _ => return None,
        },
        _ => return None,
    };
    let parts: Vec<&Ident> = name.0.iter().filter_map(ObjectNamePart::as_ident).collect();
    let table = match parts.as_slice() {
        [table] => table,
        [schema, table] | [_, schema, table] if schema.value.eq_ignore_ascii_case(JIRA_SCHEMA) => {
            table
        }
        _ => return None,
    };
    engine.table_def(&table.value)
}

/// Runs one writing statement on `def`, as its declaration says it is written.
pub async fn run(
    engine: &Engine,
    def: &'static TableDef,
    statement: &Statement,
) -> Result<WriteReport> {
    if let Some(why) = engine.read_only() {
        return Err(DataFusionError::Plan(format!(
            "{} cannot be written: {why}",
            def.name
        )));
    }
    if !matches!(def.writes, Writes::None) {
        refuse_sweep(statement, def.name, engine.allow_all_rows())?;
    }
    match (def.writes, statement) {
        (Writes::None, _) => Err(DataFusionError::Plan(format!(
            "{} is read-only in jiraql; SELECT TableName FROM sys_tables WHERE IsUpdateable \
             lists the tables that take INSERT, UPDATE and DELETE",
            def.name
        ))),
        (Writes::Issues, Statement::Delete(delete)) => run_delete(engine, def, delete).await,
        (Writes::Issues, Statement::Insert(insert)) => run_insert(engine, def, insert).await,
        (Writes::Issues, Statement::Update(update)) => run_update(engine, def, update).await,
        (Writes::Items(w), Statement::Insert(i)) => items::run_insert(engine, def, &w, i).await,
        (Writes::Items(w), Statement::Update(u)) => items::run_update(engine, def, &w, u).await,
        (Writes::Items(w), Statement::Delete(d)) => items::run_delete(engine, def, &w, d).await,
        (Writes::Entities(w), Statement::Insert(i)) => {
            entities::run_insert(engine, def, &w, i).await
        }
        (Writes::Entities(w), Statement::Update(u)) => {
            entities::run_update(engine, def, &w, u).await
        }
        (Writes::Entities(w), Statement::Delete(d)) => {
            entities::run_delete(engine, def, &w, d).await
        }
        _ => Err(DataFusionError::Plan(format!(
            "{} takes INSERT, UPDATE and DELETE",
            def.name
        ))),
    }
}

/// `DELETE FROM` an issue table.
async fn run_delete(engine: &Engine, def: &TableDef, delete: &Delete) -> Result<WriteReport> {
    let rows = selected_issues(engine, def, delete).await?;
    let mut report = new_report(engine, def);
    // Sub-tasks go first, all of them before any parent, so a parent never meets its own.
    let (children, others) = deletion_phases(&rows);
    for phase in [children, others] {
        if report.dry_run {
            let requests = phase
                .iter()
                .map(|key| format!("DELETE /rest/api/3/issue/{key}?deleteSubtasks=false"));
            planned(&mut report, Outcome::Deleted, requests);
            continue;
        }
        let rows = phase
            .into_iter()
            .map(|key| Row {
                name: key.to_string(),
                item: key,
            })
            .collect();
        commit(engine, &mut report, rows, "issues", |key| async move {
            match engine.client().delete_issue(key, false).await {
                Ok(Deleted::Now) => Ok(Outcome::Deleted),
                Ok(Deleted::AlreadyGone) => Ok(Outcome::Unchanged),
                Err(e) if e.jira_messages().iter().any(|m| m.contains("subtasks")) => {
                    Ok(Outcome::Failed(
                        "it has sub-tasks the WHERE does not select; select them too (they \
                         are deleted first) or delete them first"
                            .to_string(),
                    ))
                }
                Err(e) => refused(e),
            }
        })
        .await?;
    }
    Ok(report)
}

/// `INSERT INTO` an issue table.
async fn run_insert(engine: &Engine, def: &TableDef, insert: &Insert) -> Result<WriteReport> {
    let (targets, batches) = insert_source(engine, def, insert).await?;
    let columns = writable_columns(def, &targets)?;
    let bodies = issue_bodies(&columns, &batches)?;
    let mut report = new_report(engine, def);
    let op = format!("{:016x}", rand::random::<u64>());
    for (chunk, issues) in bodies.chunks(BULK_CREATE_MAX).enumerate() {
        let first = chunk * BULK_CREATE_MAX;
        if report.dry_run {
            report.planned.push(format!(
                "POST /rest/api/3/issue/bulk with {} issues (rows {} to {})",
                issues.len(),
                first + 1,
                first + issues.len()
            ));
            report.inserted += issues.len() as u64;
            continue;
        }
        let got = engine
            .client()
            .create_issues_once(issues, &format!("{op}-{chunk}"))
            .await
            .map_err(|e| {
                DataFusionError::External(
                    format!(
                        "stopped after creating {} of {} issues (rows from {} on were not sent): {e}",
                        report.inserted,
                        bodies.len(),
                        first + 1
                    )
                    .into(),
                )
            })?;
        report.inserted += got.created.len() as u64;
        let row = |n: usize| format!("row {}", first + n + 1);
        for (n, messages) in got.failed {
            report.failed.push(RowFailure {
                row: row(n),
                reason: messages.join("; "),
            });
        }
        for (n, why) in got.unknown {
            report.failed.push(RowFailure {
                row: row(n),
                reason: format!("whether it was created is unknown: {why}"),
            });
        }
    }
    Ok(report)
}

/// The columns an INSERT writes and its source's rows: the source (VALUES or a SELECT) runs
/// as a query; VALUES must name its columns, and the counts must agree.
pub(super) async fn insert_source(
    engine: &Engine,
    def: &TableDef,
    insert: &Insert,
) -> Result<(Vec<String>, Vec<RecordBatch>)> {
    let source = insert
        .source
        .as_ref()
        .ok_or_else(|| plan_error(format!("INSERT INTO {} needs VALUES or a SELECT", def.name)))?;
    if insert.columns.is_empty() && matches!(*source.body, SetExpr::Values(_)) {
        let example: Vec<&str> = def
            .columns
            .iter()
            .filter(|c| c.write.is_some())
            .take(3)
            .map(|c| c.name)
            .collect();
        return Err(plan_error(format!(
            "INSERT INTO {} ... VALUES needs its columns named: INSERT INTO {} ({}, ...) \
             VALUES (...)",
            def.name,
            def.name,
            example.join(", ")
        )));
    }
    let (names, batches) = engine.sql_columns_and_batches(&source.to_string()).await?;
    let targets: Vec<String> = if insert.columns.is_empty() {
        names.clone()
    } else {
        insert.columns.iter().map(last_part).collect()
    };
    if targets.len() != names.len() {
        return Err(plan_error(format!(
            "INSERT INTO {} names {} columns but its source gives {}",
            def.name,
            targets.len(),
            names.len()
        )));
    }
    Ok((targets, batches))
}

/// The declared column and write of each INSERT target; unknown and read-only targets and
/// required fields left out are reported together.
fn writable_columns<'d>(
    def: &'d TableDef,
    targets: &[String],
) -> Result<Vec<(&'d ColumnDef, WriteSpec)>> {
    let mut problems = Vec::new();
    let mut columns = Vec::new();
    for target in targets {
        match def
            .columns
            .iter()
            .find(|c| c.name.eq_ignore_ascii_case(target))
        {
            None => problems.push(format!("{target}: {} has no such column", def.name)),
            Some(c) => match c.write {
                Some(w) => columns.push((c, w)),
                None => problems.push(format!("{}: read-only, Jira sets it", c.name)),
            },
        }
    }
    for field in ISSUE_CREATE_REQUIRED {
        if !columns.iter().any(|(_, w)| w.field == *field) {
            let named = def
                .columns
                .iter()
                .find(|c| c.write.is_some_and(|w| w.field == *field))
                .map_or(*field, |c| c.name);
            problems.push(format!(
                "{named}: required to create an issue, and not given"
            ));
        }
    }
    if problems.is_empty() {
        return Ok(columns);
    }
    Err(plan_error(format!(
        "INSERT INTO {} cannot run; nothing was written:\n  {}",
        def.name,
        problems.join("\n  ")
    )))
}

/// One `IssueUpdateDetails` per source row. NULL leaves a field unset. Values a column cannot
/// take are reported together (the first [`SHOWN_PROBLEMS`]).
fn issue_bodies(
    columns: &[(&ColumnDef, WriteSpec)],
    batches: &[RecordBatch],
) -> Result<Vec<Value>> {
    let mut bodies = Vec::new();
    let mut problems = Vec::new();
    for batch in batches {
        for row in 0..batch.num_rows() {
            let mut fields = Map::new();
            for (i, (column, write)) in columns.iter().enumerate() {
                let value = ScalarValue::try_from_array(batch.column(i), row)?;
                if value.is_null() {
                    continue;
                }
                match field_value(write.shape, &value) {
                    Ok(v) => {
                        fields.insert(write.field.to_string(), v);
                    }
                    Err(why) => {
                        problems.push(format!("row {}, {}: {why}", bodies.len() + 1, column.name))
                    }
                }
            }
            bodies.push(json!({"fields": fields}));
        }
    }
    if problems.is_empty() {
        return Ok(bodies);
    }
    Err(value_problems(problems))
}

/// One planned write per row of `batches`, by `plan` (`None`: the row changes nothing), and
/// how many rows change nothing. Values a column cannot take, which `plan` adds to the
/// problems, are reported together for every row before anything is written.
pub(super) fn plan_rows<T>(
    batches: &[RecordBatch],
    mut plan: impl FnMut(&RecordBatch, usize, &mut Vec<String>) -> Result<Option<T>>,
) -> Result<(Vec<T>, u64)> {
    let (mut planned, mut unchanged, mut problems) = (Vec::new(), 0, Vec::new());
    for batch in batches {
        for row in 0..batch.num_rows() {
            match plan(batch, row, &mut problems)? {
                Some(change) => planned.push(change),
                None => unchanged += 1,
            }
        }
    }
    if problems.is_empty() {
        return Ok((planned, unchanged));
    }
    Err(value_problems(problems))
}

/// The error for values Jira cannot take: the first [`SHOWN_PROBLEMS`], then how many more.
pub(super) fn value_problems(mut problems: Vec<String>) -> DataFusionError {
    let more = problems.len().saturating_sub(SHOWN_PROBLEMS);
    problems.truncate(SHOWN_PROBLEMS);
    if more > 0 {
        problems.push(format!("... and {more} more"));
    }
    plan_error(format!(
        "values that Jira cannot take; nothing was written:\n  {}",
        problems.join("\n  ")
    ))
}

pub(super) fn new_report(engine: &Engine, def: &TableDef) -> WriteReport {
    WriteReport {
        kind: "table",
        list: def.name.to_string(),
        dry_run: engine.dry_run(),
        ..WriteReport::default()
    }
}

pub(super) fn plan_error(message: String) -> DataFusionError {
    DataFusionError::Plan(message)
}

/// The `(key, parent key)` of each issue the statement's WHERE selects, read through the
/// table itself so the WHERE is pushed down like a SELECT's.
async fn selected_issues(
    engine: &Engine,
    def: &TableDef,
    delete: &Delete,
) -> Result<Vec<(String, Option<String>)>> {
    let relation = &from_tables(delete)
        .first()
        .ok_or_else(|| plan_error("DELETE names no table".into()))?
        .relation;
    let sql = select_target(def, relation, delete.selection.as_ref(), |column| {
        vec![column(ISSUE_KEY), column(ISSUE_PARENT_KEY)]
    });
    let batches = engine.sql_batches(&sql).await?;
    let mut rows = Vec::new();
    for batch in &batches {
        for row in 0..batch.num_rows() {
            let text = |i: usize| -> Result<Option<String>> {
                let v = ScalarValue::try_from_array(batch.column(i), row)?;
                Ok((!v.is_null()).then(|| v.to_string()))
            };
            if let Some(key) = text(0)? {
                rows.push((key, text(1)?));
            }
        }
    }
    Ok(rows)
}

/// `SELECT <columns> FROM jira."<table>" AS <alias> [WHERE ...]` over a writing statement's
/// own target, so its WHERE (which may name the alias) runs as a pushed-down query.
/// `columns` gets a function naming one of the target's columns through the alias.
pub(super) fn select_target(
    def: &TableDef,
    relation: &TableFactor,
    selection: Option<&Expr>,
    columns: impl FnOnce(&dyn Fn(&str) -> String) -> Vec<String>,
) -> String {
    let alias = alias_of(relation).unwrap_or_else(|| Ident::with_quote('"', def.name));
    let column = |c: &str| format!("{alias}.{}", quoted(c));
    let table = ObjectName::from(vec![
        Ident::new(JIRA_SCHEMA),
        Ident::with_quote('"', def.name),
    ]);
    let filter = selection.map_or_else(String::new, |w| format!(" WHERE {w}"));
    format!(
        "SELECT {} FROM {table} AS {alias}{filter}",
        columns(&column).join(", ")
    )
}

/// Sub-tasks whose parent is also selected, then the rest, each in the order the query
/// returned them.
fn deletion_phases(rows: &[(String, Option<String>)]) -> (Vec<&str>, Vec<&str>) {
    let selected: HashSet<&str> = rows.iter().map(|(k, _)| k.as_str()).collect();
    let has_selected_parent =
        |(_, p): &&(String, Option<String>)| p.as_deref().is_some_and(|p| selected.contains(p));
    let (children, others): (Vec<_>, Vec<_>) = rows.iter().partition(has_selected_parent);
    (keys_of(children), keys_of(others))
}

fn keys_of(rows: Vec<&(String, Option<String>)>) -> Vec<&str> {
    rows.into_iter().map(|(k, _)| k.as_str()).collect()
}

/// The problems of a new row whose `given` fields leave a `required` group (any one of its
/// fields) out, naming the group's columns.
pub(super) fn missing_required(
    def: &TableDef,
    required: &[&[&str]],
    given: &[&str],
) -> Vec<String> {
    required
        .iter()
        .filter(|group| !given.iter().any(|f| group.contains(f)))
        .map(|group| {
            let columns: Vec<&str> = def
                .columns
                .iter()
                .filter(|c| c.write.is_some_and(|s| group.contains(&s.field)))
                .map(|c| c.name)
                .collect();
            format!(
                "{}: required to add a row, and not given",
                columns.join(" or ")
            )
        })
        .collect()
}

/// The column an UPDATE assignment sets, as written.
pub(super) fn assigned_column(a: &Assignment) -> String {
    match &a.target {
        AssignmentTarget::ColumnName(name) => last_part(name),
        AssignmentTarget::Tuple(_) => a.target.to_string(),
    }
}

pub(super) fn key_column(def: &TableDef) -> Result<&'static str> {
    def.columns
        .iter()
        .find(|c| c.key)
        .map(|c| c.name)
        .ok_or_else(|| plan_error(format!("{} declares no key column", def.name)))
}

/// Sets `path` (`a` or `a.b`) in `body`. NULL under a parent clears the parent unless a
/// sibling set it (`visibility: null` lifts a restriction).
pub(super) fn set_path(body: &mut Map<String, Value>, path: &str, value: Value) {
    let Some((parent, child)) = path.split_once('.') else {
        body.insert(path.to_string(), value);
        return;
    };
    let slot = body.entry(parent).or_insert(Value::Null);
    if value.is_null() {
        return;
    }
    if !slot.is_object() {
        *slot = json!({});
    }
    slot[child] = value;
}

pub(super) fn from_tables(delete: &Delete) -> &[datafusion::sql::sqlparser::ast::TableWithJoins] {
    let (FromTable::WithFromKeyword(from) | FromTable::WithoutKeyword(from)) = &delete.from;
    from
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_fields_are_built_and_cleared() {
        let mut body = Map::new();
        set_path(&mut body, "visibility.type", json!("role"));
        set_path(&mut body, "visibility.value", json!("Developers"));
        assert_eq!(
            Value::Object(body),
            json!({"visibility": {"type": "role", "value": "Developers"}})
        );
        let mut body = Map::new();
        set_path(&mut body, "visibility.type", Value::Null);
        set_path(&mut body, "visibility.value", Value::Null);
        assert_eq!(Value::Object(body), json!({"visibility": null}));
    }

    #[test]
    fn sub_tasks_of_selected_parents_go_first() {
        let rows = vec![
            ("P-1".to_string(), None),
            ("P-2".to_string(), Some("P-1".to_string())),
            ("P-3".to_string(), Some("P-9".to_string())),
            ("P-4".to_string(), Some("P-1".to_string())),
        ];
        let (first, then) = deletion_phases(&rows);
        assert_eq!((first, then), (vec!["P-2", "P-4"], vec!["P-1", "P-3"]));
    }
}
