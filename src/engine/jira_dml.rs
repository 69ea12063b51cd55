//! Writing statements on Jira tables. So far: `DELETE` on tables whose rows are issues.
//!
//! The statement's WHERE runs as a query over the same table, so it is pushed down to Jira like
//! any SELECT's (a key lookup is one GET, other conditions become JQL). Each issue found is
//! then deleted, sub-tasks before their parents: a parent whose sub-tasks are all selected goes
//! with them, one whose sub-tasks the WHERE leaves out is refused by Jira, reported by key, and
//! keeps them. An issue already gone when its turn comes counts as unchanged.
//!
//! Writes never touch every row by accident ([`require_where`]) and `--dry-run` lists the
//! requests it would send and sends none.

use std::collections::HashSet;

use datafusion::arrow::array::{Array, AsArray, RecordBatch};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{DataFusionError, Result};
use datafusion::sql::sqlparser::ast::{
    Delete, FromTable, Ident, ObjectName, ObjectNamePart, Statement, TableFactor,
};

use super::Engine;
use super::session::JIRA_SCHEMA;
use super::writes::require_where;
use crate::jira::tables::{Access, ISSUE_KEY, ISSUE_PARENT_KEY, TableDef};
use crate::sharepoint::{RowFailure, WriteReport};

/// The Jira table a writing statement targets, if it targets one.
pub fn target(engine: &Engine, statement: &Statement) -> Option<&'static TableDef> {
    let Statement::Delete(delete) = statement else {
        return None;
    };
    let factor = &from_tables(delete).first()?.relation;
    let TableFactor::Table { name, .. } = factor else {
        return None;
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

/// Runs one writing statement on `def`.
pub async fn run(engine: &Engine, def: &TableDef, statement: &Statement) -> Result<WriteReport> {
    let Statement::Delete(delete) = statement else {
        return Err(DataFusionError::Plan(format!(
            "only DELETE writes to the Jira table {} so far",
            def.name
        )));
    };
    if !matches!(def.access, Access::IssueSearch) {
        return Err(DataFusionError::Plan(format!(
            "{} cannot be written to: of the Jira tables, DELETE works on Issues so far",
            def.name
        )));
    }
    require_where(
        "DELETE",
        def.name,
        delete.selection.as_ref(),
        engine.allow_all_rows(),
    )?;
    let rows = selected_issues(engine, def, delete).await?;
    let mut report = WriteReport {
        kind: "table",
        list: def.name.to_string(),
        dry_run: engine.dry_run(),
        ..WriteReport::default()
    };
    for (n, key) in deletion_order(&rows).into_iter().enumerate() {
        if report.dry_run {
            report.planned.push(format!(
                "DELETE /rest/api/3/issue/{key}?deleteSubtasks=false"
            ));
            report.deleted += 1;
            continue;
        }
        match engine.client().delete_issue(key, false).await {
            Ok(()) => report.deleted += 1,
            Err(e) if e.status() == Some(404) => report.unchanged += 1,
            Err(e) if matches!(e.status(), Some(400 | 403)) => {
                let subtasks = e.jira_messages().iter().any(|m| m.contains("subtasks"));
                report.failed.push(RowFailure {
                    row: key.to_string(),
                    reason: if subtasks {
                        "it has sub-tasks the WHERE does not select; select them too (they \
                         are deleted first) or delete them first"
                            .to_string()
                    } else {
                        e.to_string()
                    },
                });
            }
            Err(e) => {
                return Err(DataFusionError::External(
                    format!(
                        "stopped after deleting {} of {} issues ({} left as they were): {e}",
                        report.deleted,
                        rows.len(),
                        rows.len() - n
                    )
                    .into(),
                ));
            }
        }
    }
    Ok(report)
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
        .ok_or_else(|| DataFusionError::Plan("DELETE names no table".into()))?
        .relation;
    let alias = match relation {
        TableFactor::Table {
            alias: Some(alias), ..
        } => alias.name.clone(),
        _ => Ident::with_quote('"', def.name),
    };
    let filter = delete
        .selection
        .as_ref()
        .map_or_else(String::new, |w| format!(" WHERE {w}"));
    let column = |c: &str| format!("{alias}.{}", Ident::with_quote('"', c));
    let table = ObjectName::from(vec![
        Ident::new(JIRA_SCHEMA),
        Ident::with_quote('"', def.name),
    ]);
    let sql = format!(
        "SELECT {}, {} FROM {table} AS {alias}{filter}",
        column(ISSUE_KEY),
        column(ISSUE_PARENT_KEY)
    );
    let batches = engine.sql_batches(&sql).await?;
    let mut rows = Vec::new();
    for batch in &batches {
        let keys = texts(batch, 0)?;
        let parents = texts(batch, 1)?;
        rows.extend(
            keys.into_iter()
                .zip(parents)
                .filter_map(|(k, p)| Some((k?, p))),
        );
    }
    Ok(rows)
}

/// Sub-tasks (issues whose parent is also selected) first, then the rest, each group in the
/// order the query returned them.
fn deletion_order(rows: &[(String, Option<String>)]) -> Vec<&str> {
    let selected: HashSet<&str> = rows.iter().map(|(k, _)| k.as_str()).collect();
    let has_selected_parent =
        |(_, p): &&(String, Option<String>)| p.as_deref().is_some_and(|p| selected.contains(p));
    let (children, others): (Vec<_>, Vec<_>) = rows.iter().partition(has_selected_parent);
    children
        .into_iter()
        .chain(others)
        .map(|(k, _)| k.as_str())
        .collect()
}

/// A text column's values.
fn texts(batch: &RecordBatch, index: usize) -> Result<Vec<Option<String>>> {
    let column = batch.column(index);
    let values: Vec<Option<String>> = match column.data_type() {
        DataType::Utf8 => column
            .as_string::<i32>()
            .iter()
            .map(|v| v.map(str::to_string))
            .collect(),
        DataType::LargeUtf8 => column
            .as_string::<i64>()
            .iter()
            .map(|v| v.map(str::to_string))
            .collect(),
        DataType::Utf8View => column
            .as_string_view()
            .iter()
            .map(|v| v.map(str::to_string))
            .collect(),
        other => {
            return Err(DataFusionError::Internal(format!(
                "issue keys came back as {other}, not text"
            )));
        }
    };
    Ok(values)
}

fn from_tables(delete: &Delete) -> &[datafusion::sql::sqlparser::ast::TableWithJoins] {
    let (FromTable::WithFromKeyword(from) | FromTable::WithoutKeyword(from)) = &delete.from;
    from
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sub_tasks_of_selected_parents_go_first() {
        let rows = vec![
            ("P-1".to_string(), None),
            ("P-2".to_string(), Some("P-1".to_string())),
            ("P-3".to_string(), Some("P-9".to_string())),
            ("P-4".to_string(), Some("P-1".to_string())),
        ];
        assert_eq!(deletion_order(&rows), ["P-2", "P-4", "P-1", "P-3"]);
    }
}
