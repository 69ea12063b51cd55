//! `INSERT`, `INSERT OR REPLACE`, `INSERT OVERWRITE`, `MERGE`, `UPDATE` and `DELETE` on
//! `sharepoint.<list>`; `CREATE TABLE`, `ALTER TABLE` and `DROP TABLE` on lists are in
//! `define`.
//!
//! DataFusion would plan these itself, but its INSERT matches columns by position and casts to
//! the table's types, while a list sync must match by name (the seed's "auto mapping": the SQL
//! alias is the mapping) and must check each value against the column before anything is
//! written. So each statement is rewritten into a plain query that DataFusion runs (the source
//! rows, joined with the list where the statement needs the list's current values), and the
//! rows it returns become [`Change`]s:
//!
//! 1. Map the statement's columns to list columns. Unknown, ambiguous and read-only targets
//!    and required columns left out are reported together; nothing has been read or written.
//! 2. Run the query and convert every value for its column. Values a column cannot hold are
//!    reported together (row, column, value); still nothing is written.
//! 3. Compare with the list: items whose values are already equal are counted as unchanged
//!    and not sent.
//! 4. Send the rest ([`crate::sharepoint::sync`]), which accounts for every row.

use std::collections::HashMap;

use datafusion::arrow::array::{Array, AsArray, RecordBatch};
use datafusion::arrow::datatypes::Int64Type;
use datafusion::common::{DataFusionError, Result};
use datafusion::sql::sqlparser::ast::{
    Assignment, AssignmentTarget, Expr as SqlExpr, FromTable, Ident, Insert, Merge, MergeAction,
    MergeClauseKind, MergeInsertKind, ObjectName, ObjectNamePart, SetExpr, SqliteOnConflict,
    Statement, TableFactor, TableObject, Update,
};
use serde_json::Value;

use super::table::{ListTable, SharePointSchema, external};
use crate::engine::Engine;
use crate::engine::writes::{alias_of, last_part, quoted, refuse_sweep};
use crate::sharepoint::list::{Column, ListInfo};
use crate::sharepoint::sync::{self, Change, WriteReport, duplicate_keys};
use crate::sharepoint::values;

mod columns;
mod define;
mod merge;
mod write;

use columns::*;
use merge::plan_merge;
use write::{ChangeBatches, Mapped, Write, map_rows};

/// The schema name that routes a table to SharePoint.
pub const SCHEMA: &str = "sharepoint";

/// How many problems of one kind an error lists before summarising the rest.
const SHOWN_PROBLEMS: usize = 10;

/// Column names the rewritten queries give their helper outputs.
const ITEM: &str = "__jiraql_item";
const SOURCE: &str = "__jiraql_source";
const ETAG_OUT: &str = "__jiraql_etag";

/// The list a statement writes to, if it writes to SharePoint.
pub fn target(statement: &Statement) -> Option<String> {
    let name = match statement {
        Statement::Insert(Insert {
            table: TableObject::TableName(name),
            ..
        }) => name,
        Statement::Merge(Merge {
            table: TableFactor::Table { name, .. },
            ..
        }) => name,
        Statement::Update(Update { table, .. }) => match &table.relation {
            TableFactor::Table { name, .. } => name,
            _ => return None,
        },
        Statement::Delete(delete) => {
            let (FromTable::WithFromKeyword(from) | FromTable::WithoutKeyword(from)) = &delete.from;
            match from.first().map(|t| &t.relation) {
                Some(TableFactor::Table { name, .. }) => name,
                _ => return None,
            }
        }
        _ => return define::target(statement),
    };
    list_name(name)
}

/// `sharepoint.L` or `jiraql.sharepoint.L` → `L`.
pub fn list_name(name: &ObjectName) -> Option<String> {
    let parts: Vec<&Ident> = name
        .0
        .iter()
        .filter_map(|p| match p {
            ObjectNamePart::Identifier(i) => Some(i),
            _ => None,
        })
        .collect();
    match parts.as_slice() {
        [schema, list] | [_, schema, list] if schema.value.eq_ignore_ascii_case(SCHEMA) => {
            Some(list.value.clone())
        }
        _ => None,
    }
}

/// Runs one writing statement against its list.
pub async fn run(
    engine: &Engine,
    schema: &SharePointSchema,
    statement: &Statement,
    dry_run: bool,
) -> Result<WriteReport> {
    let name = target(statement).ok_or_else(|| plan_error("not a SharePoint statement"))?;
    if define::target(statement).is_some() {
        let mut report = WriteReport {
            kind: "list",
            list: name,
            dry_run,
            ..WriteReport::default()
        };
        define::run(engine, schema, statement, &mut report).await?;
        return Ok(report);
    }
    let table = schema.require(&name).await?;
    let mut report = WriteReport {
        kind: "list",
        list: table.list().display_name.clone(),
        dry_run,
        ..WriteReport::default()
    };
    refuse_sweep(
        statement,
        &table.list().display_name,
        engine.allow_all_rows(),
    )?;
    let write = match statement {
        Statement::Insert(insert) => plan_insert(engine, &table, insert, &mut report).await?,
        Statement::Merge(merge) => plan_merge(engine, &table, merge).await?,
        Statement::Update(update) => plan_update(engine, &table, update, &mut report).await?,
        Statement::Delete(delete) => {
            let (FromTable::WithFromKeyword(from) | FromTable::WithoutKeyword(from)) = &delete.from;
            let alias = from.first().map(|t| &t.relation).and_then(alias_of);
            plan_delete(engine, &table, alias, delete.selection.as_ref()).await?
        }
        _ => return Err(plan_error("not a SharePoint statement")),
    };
    write
        .send(table.directory(), table.list(), &mut report)
        .await?;
    Ok(report)
}

#[derive(Clone, Copy, PartialEq)]
enum InsertMode {
    Append,
    Replace,
    Overwrite,
}

async fn plan_insert(
    engine: &Engine,
    table: &ListTable,
    insert: &Insert,
    report: &mut WriteReport,
) -> Result<Write> {
    let list = table.list();
    let mode = if insert.overwrite {
        InsertMode::Overwrite
    } else if matches!(insert.or, Some(SqliteOnConflict::Replace)) || insert.replace_into {
        InsertMode::Replace
    } else {
        InsertMode::Append
    };
    let source = insert
        .source
        .as_ref()
        .ok_or_else(|| plan_error("INSERT INTO sharepoint.<list> needs a SELECT or VALUES"))?;
    // VALUES rows have no names to map by; say so before running anything.
    if insert.columns.is_empty() && matches!(source.body.as_ref(), SetExpr::Values(_)) {
        return Err(plan_error(
            "name the list columns for VALUES: INSERT INTO sharepoint.<list> (A, B) VALUES (...)",
        ));
    }
    let (source_names, batches) = engine.sql_columns_and_batches(&source.to_string()).await?;
    let names: Vec<String> = if insert.columns.is_empty() {
        source_names
    } else {
        let named: Vec<String> = insert
            .columns
            .iter()
            .map(|c| c.0.last().map(|p| p.to_string()).unwrap_or_default())
            .map(|n| n.trim_matches('"').to_string())
            .collect();
        if named.len() != source_names.len() {
            return Err(plan_error(&format!(
                "INSERT names {} columns but its source gives {}",
                named.len(),
                source_names.len()
            )));
        }
        named
    };
    let mapped = map_rows(list, &names, batches, |m| choose_key(engine, list, m, mode))?;
    if mode == InsertMode::Append {
        return Ok(mapped.appends());
    }
    let rows = mapped.rows()?;
    let Mapped {
        mapping,
        key,
        key_index,
        ..
    } = mapped;
    let mut changes = Vec::new();
    let (Some(key_column), Some(key_index)) = (&key, key_index) else {
        return Err(plan_error("internal: an upsert without a key"));
    };
    let duplicates = duplicate_keys(rows.iter().filter_map(|r| r.key.as_ref()));
    if !duplicates.is_empty() {
        return Err(plan_error(&format!(
            "the source has more than one row for {} {}; an upsert writes one item per key",
            key_column.display_name,
            listed(&duplicates)
        )));
    }
    let current = read_items(table, &mapping).await?;
    let mut by_key: HashMap<String, Vec<&CurrentItem>> = HashMap::new();
    for item in &current {
        if let Some(k) = item.values.get(key_index).filter(|v| !v.is_null()) {
            by_key.entry(values::shown(k)).or_default().push(item);
        }
    }
    let mut matched = std::collections::HashSet::new();
    for row in rows {
        let Some(key_value) = row.key.clone().filter(|k| !k.is_null()) else {
            report.failed.push(sync::RowFailure {
                row: row.label,
                reason: format!(
                    "its {} is empty, so it cannot be matched",
                    key_column.display_name
                ),
            });
            continue;
        };
        let shown = values::shown(&key_value);
        match by_key.get(&shown).map(Vec::as_slice) {
            None | Some([]) => changes.push(Change::Create {
                label: row.label,
                key: Some(key_value),
                fields: mapping.iter().cloned().zip(row.values).collect(),
            }),
            Some([item]) => {
                matched.insert(item.id.clone());
                let fields: Vec<(Column, Value)> = mapping
                    .iter()
                    .zip(row.values)
                    .zip(&item.values)
                    .filter(|((_, new), old)| !values::same(new, old))
                    .map(|((c, new), _)| (c.clone(), new))
                    .collect();
                if fields.is_empty() {
                    report.unchanged += 1;
                } else {
                    changes.push(Change::Update {
                        label: row.label,
                        item: item.id.clone(),
                        etag: item.etag.clone(),
                        fields,
                    });
                }
            }
            Some(items) => {
                items.iter().for_each(|i| {
                    matched.insert(i.id.clone());
                });
                report.failed.push(sync::RowFailure {
                    row: row.label,
                    reason: format!(
                        "the list holds {} items with {} {shown} (ids {}); remove the extra ones",
                        items.len(),
                        key_column.display_name,
                        items
                            .iter()
                            .map(|i| i.id.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                });
            }
        }
    }
    if mode == InsertMode::Overwrite {
        for item in current.iter().filter(|i| !matched.contains(&i.id)) {
            changes.push(Change::Delete {
                label: item
                    .values
                    .get(key_index)
                    .filter(|v| !v.is_null())
                    .map_or_else(|| format!("item {}", item.id), values::shown),
                item: item.id.clone(),
                etag: item.etag.clone(),
            });
        }
    }
    Ok(Write::all(changes, key))
}

/// An item as read for comparison: its id and the mapped columns' canonical values.
struct CurrentItem {
    id: String,
    etag: Option<String>,
    values: Vec<Value>,
}

async fn read_items(table: &ListTable, mapping: &[Column]) -> Result<Vec<CurrentItem>> {
    let directory = table.directory();
    let path = format!(
        "{}/items",
        directory.list_path(table.list()).await.map_err(external)?
    );
    let mut select: Vec<String> = mapping.iter().map(Column::field_key).collect();
    select.dedup();
    // Page by page: an item's JSON is dropped once its values are taken.
    let mut items = Vec::new();
    directory
        .client()
        .get_each(
            &path,
            &[
                ("expand", format!("fields(select={})", select.join(","))),
                ("$top", "999".to_string()),
            ],
            &format!("reading the list {}", table.list().display_name),
            |item| {
                let Some(id) = item.get("id").and_then(Value::as_str) else {
                    return;
                };
                let fields = item.get("fields");
                items.push(CurrentItem {
                    id: id.to_string(),
                    etag: item.get("eTag").and_then(Value::as_str).map(str::to_string),
                    values: mapping
                        .iter()
                        .map(|c| values::from_field(c, fields.and_then(|f| f.get(c.field_key()))))
                        .collect(),
                });
            },
        )
        .await
        .map_err(external)?;
    Ok(items)
}

async fn plan_update(
    engine: &Engine,
    table: &ListTable,
    update: &Update,
    report: &mut WriteReport,
) -> Result<Write> {
    if update.from.is_some() {
        return Err(plan_error(
            "UPDATE sharepoint.<list> ... FROM is not supported; use MERGE INTO with a USING query",
        ));
    }
    let alias = alias_of(&update.table.relation).unwrap_or_else(|| Ident::new("__jiraql_target"));
    let mut outputs = vec![
        format!(
            "{alias}.{} AS {}",
            quoted(&table_id_name(table)),
            quoted(ITEM)
        ),
        format!(
            "{alias}.{} AS {}",
            quoted(&table.schema_field_name(1)),
            quoted(ETAG_OUT)
        ),
    ];
    let mut problems = Vec::new();
    let columns = set_outputs(
        table,
        &alias,
        &update.assignments,
        "",
        &mut outputs,
        &mut problems,
    );
    if !problems.is_empty() {
        return Err(plan_error(&format!(
            "nothing was written: {}",
            problems.join("; ")
        )));
    }
    let TableFactor::Table { name, .. } = &update.table.relation else {
        return Err(plan_error("UPDATE needs a list name"));
    };
    let filter = update
        .selection
        .as_ref()
        .map_or_else(String::new, |w| format!(" WHERE {w}"));
    let sql = format!(
        "SELECT {} FROM {name} AS {alias}{filter}",
        outputs.join(", ")
    );
    let batches = engine.sql_batches(&sql).await?;
    let mut changes = Vec::new();
    let mut conversion = Vec::new();
    for batch in &batches {
        let ids = item_ids(batch)?;
        for (row, id) in ids.iter().enumerate() {
            let label = format!("item {id}");
            let (fields, _) = set_values(batch, row, &columns, "", &label, &mut conversion)?;
            if fields.is_empty() {
                report.unchanged += 1;
            } else {
                changes.push(Change::Update {
                    label,
                    item: id.to_string(),
                    etag: etag_of(batch, row),
                    fields,
                });
            }
        }
    }
    if !conversion.is_empty() {
        return Err(value_problems_text(&conversion));
    }
    Ok(Write::all(changes, None))
}

async fn plan_delete(
    engine: &Engine,
    table: &ListTable,
    alias: Option<Ident>,
    selection: Option<&SqlExpr>,
) -> Result<Write> {
    let alias = alias.unwrap_or_else(|| Ident::new("__jiraql_target"));
    let filter = selection.map_or_else(String::new, |w| format!(" WHERE {w}"));
    let sql = format!(
        "SELECT {alias}.{} AS {}, {alias}.{} AS {} FROM {SCHEMA}.{} AS {alias}{filter}",
        quoted(&table_id_name(table)),
        quoted(ITEM),
        quoted(&table.schema_field_name(1)),
        quoted(ETAG_OUT),
        quoted(&table.list().display_name)
    );
    let batches = engine.sql_batches(&sql).await?;
    let mut changes = Vec::new();
    for batch in &batches {
        for (row, id) in item_ids(batch)?.into_iter().enumerate() {
            changes.push(Change::Delete {
                label: format!("item {id}"),
                item: id.to_string(),
                etag: etag_of(batch, row),
            });
        }
    }
    Ok(Write::all(changes, None))
}

/// Adds `SET col = expr` to a rewritten query's outputs: the new value as `__jiraql_set_{tag}{j}`
/// and the item's current one as `__jiraql_old_{tag}{j}`. Returns the target columns.
fn set_outputs(
    table: &ListTable,
    alias: &Ident,
    assignments: &[Assignment],
    tag: &str,
    outputs: &mut Vec<String>,
    problems: &mut Vec<String>,
) -> Vec<Column> {
    let mut columns = Vec::new();
    for (j, assignment) in assignments.iter().enumerate() {
        let AssignmentTarget::ColumnName(name) = &assignment.target else {
            problems.push("tuple assignments are not supported".to_string());
            continue;
        };
        match resolve_target(table.list(), &last_part(name)) {
            Ok(column) => {
                outputs.push(format!(
                    "{} AS {}",
                    assignment.value,
                    quoted(&format!("__jiraql_set_{tag}{j}"))
                ));
                outputs.push(format!(
                    "{alias}.{} AS {}",
                    quoted(&table.sql_name(&column)),
                    quoted(&format!("__jiraql_old_{tag}{j}"))
                ));
                columns.push(column);
            }
            Err(p) => problems.push(p),
        }
    }
    columns
}

fn table_id_name(table: &ListTable) -> String {
    table.schema_field_name(0)
}

fn column_of<'a>(batch: &'a RecordBatch, name: &str) -> Result<&'a std::sync::Arc<dyn Array>> {
    batch
        .column_by_name(name)
        .ok_or_else(|| plan_error(&format!("internal: the rewritten query lost {name}")))
}

/// The eTag the item had when the rewritten query read it.
fn etag_of(batch: &RecordBatch, row: usize) -> Option<String> {
    let tags = batch.column_by_name(ETAG_OUT)?.as_string_opt::<i32>()?;
    (!tags.is_null(row)).then(|| tags.value(row).to_string())
}

fn item_ids(batch: &RecordBatch) -> Result<Vec<i64>> {
    let ids = column_of(batch, ITEM)?
        .as_primitive_opt::<Int64Type>()
        .ok_or_else(|| plan_error("internal: item ids are not integers"))?;
    Ok(ids.iter().flatten().collect())
}

fn plan_error(message: &str) -> DataFusionError {
    DataFusionError::Plan(message.to_string())
}
