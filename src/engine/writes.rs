//! What every writing statement shares, whichever service it writes to: the refusal of an
//! UPDATE or DELETE that names no rows, and the one-row report of what a statement did.

use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, RecordBatch, StringArray, UInt64Array};
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::common::{DataFusionError, Result};
use datafusion::sql::parser::Statement as DFStatement;
use datafusion::sql::sqlparser::ast::{
    Expr, FromTable, Ident, ObjectName, ObjectNamePart, ObjectType, Statement, TableFactor,
};

use super::sharepoint::dml;
use crate::sharepoint::WriteReport;

/// An `UPDATE` or `DELETE` without `WHERE` touches every row of `target`: refused unless the
/// session allows it (`--allow-all-rows`).
pub fn require_where(
    verb: &str,
    target: &str,
    selection: Option<&Expr>,
    allow_all_rows: bool,
) -> Result<()> {
    if selection.is_some() || allow_all_rows {
        return Ok(());
    }
    Err(DataFusionError::Plan(format!(
        "{verb} without WHERE would change every row of {target}; nothing was written. Add a \
         WHERE naming the rows, or pass --allow-all-rows if every row is meant"
    )))
}

/// [`require_where`] for a whole statement: an `UPDATE` or `DELETE` of `target` without
/// `WHERE` is refused unless the session allows it; anything else passes.
pub fn refuse_sweep(statement: &Statement, target: &str, allow_all_rows: bool) -> Result<()> {
    match sweep(statement) {
        Some((verb, _)) => require_where(verb, target, None, allow_all_rows),
        None => Ok(()),
    }
}

/// The verb and target of an `UPDATE` or `DELETE` without `WHERE`.
fn sweep(statement: &Statement) -> Option<(&'static str, &TableFactor)> {
    match statement {
        Statement::Update(u) if u.selection.is_none() => Some(("UPDATE", &u.table.relation)),
        Statement::Delete(d) if d.selection.is_none() => {
            let (FromTable::WithFromKeyword(from) | FromTable::WithoutKeyword(from)) = &d.from;
            Some(("DELETE", &from.first()?.relation))
        }
        _ => None,
    }
}

/// The table or list an `UPDATE` or `DELETE` without `WHERE` would change entirely, if
/// `statement` is one (for the REPL to ask before it runs).
pub fn sweeps_all_rows(statement: &DFStatement) -> Option<String> {
    let DFStatement::Statement(s) = statement else {
        return None;
    };
    match sweep(s)? {
        (_, TableFactor::Table { name, .. }) => Some(name.to_string()),
        _ => None,
    }
}

/// The SharePoint lists a `DROP TABLE` would delete, if `statement` is one (for the REPL to
/// ask before it runs).
pub fn drops_lists(statement: &DFStatement) -> Option<String> {
    match statement {
        DFStatement::Statement(s) => match s.as_ref() {
            Statement::Drop {
                object_type: ObjectType::Table,
                names,
                ..
            } => {
                let lists: Vec<String> = names.iter().filter_map(dml::list_name).collect();
                (!lists.is_empty()).then(|| lists.join(", "))
            }
            _ => None,
        },
        _ => None,
    }
}

/// The alias a statement gives its target table, if any.
pub fn alias_of(factor: &TableFactor) -> Option<Ident> {
    match factor {
        TableFactor::Table { alias, .. } => alias.as_ref().map(|a| a.name.clone()),
        _ => None,
    }
}

/// The last part of a (possibly qualified) name, unquoted: `c` of `t.c`.
pub fn last_part(name: &ObjectName) -> String {
    name.0
        .last()
        .and_then(ObjectNamePart::as_ident)
        .map(|i| i.value.clone())
        .unwrap_or_default()
}

/// A name as a double-quoted SQL identifier, whatever characters it holds.
pub fn quoted(name: &str) -> String {
    Ident::with_quote('"', name).to_string()
}

/// The one-row result of a write: what happened to how many rows of the target, which the
/// first column names (`list` for SharePoint, `table` for Jira).
pub fn report_batch(report: &WriteReport) -> Result<RecordBatch> {
    let count = |n: u64| Arc::new(UInt64Array::from(vec![n])) as ArrayRef;
    let schema = Arc::new(Schema::new(vec![
        Field::new(report.kind, DataType::Utf8, false),
        Field::new("inserted", DataType::UInt64, false),
        Field::new("updated", DataType::UInt64, false),
        Field::new("unchanged", DataType::UInt64, false),
        Field::new("deleted", DataType::UInt64, false),
        Field::new("failed", DataType::UInt64, false),
    ]));
    Ok(RecordBatch::try_new(
        schema,
        vec![
            Arc::new(StringArray::from(vec![report.list.clone()])),
            count(report.inserted),
            count(report.updated),
            count(report.unchanged),
            count(report.deleted),
            count(report.failed.len() as u64),
        ],
    )?)
}

/// The `n`th SET value of an UPDATE as a query column, named so that equal expressions
/// (`SET a = NULL, b = NULL`) do not collide.
pub fn new_value(n: usize, value: &Expr) -> String {
    format!("({value}) AS \"jiraql new value {n}\"")
}
