//! `INSERT`, `INSERT OR REPLACE`, `INSERT OVERWRITE`, `MERGE`, `UPDATE` and `DELETE` on
//! `sharepoint.<list>`.
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
use crate::engine::writes::{alias_of, last_part, quoted, require_where};
use crate::sharepoint::list::{Column, ListInfo};
use crate::sharepoint::sync::{self, Change, WriteReport, duplicate_keys};
use crate::sharepoint::values;

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
        _ => return None,
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
    let table = schema.require(&name).await?;
    let mut report = WriteReport {
        kind: "list",
        list: table.list().display_name.clone(),
        dry_run,
        ..WriteReport::default()
    };
    let shown = &table.list().display_name;
    let allow_all = engine.allow_all_rows();
    let write = match statement {
        Statement::Insert(insert) => plan_insert(engine, &table, insert, &mut report).await?,
        Statement::Merge(merge) => plan_merge(engine, &table, merge, &mut report).await?,
        Statement::Update(update) => {
            require_where("UPDATE", shown, update.selection.as_ref(), allow_all)?;
            plan_update(engine, &table, update, &mut report).await?
        }
        Statement::Delete(delete) => {
            require_where("DELETE", shown, delete.selection.as_ref(), allow_all)?;
            let (FromTable::WithFromKeyword(from) | FromTable::WithoutKeyword(from)) = &delete.from;
            let alias = from.first().map(|t| &t.relation).and_then(alias_of);
            plan_delete(engine, &table, alias, delete.selection.as_ref()).await?
        }
        _ => return Err(plan_error("not a SharePoint statement")),
    };
    sync::apply(
        table.directory(),
        table.list(),
        write.key.as_ref(),
        write.changes,
        &mut report,
    )
    .await
    .map_err(external)?;
    Ok(report)
}

/// What to send, and the column that identifies items.
struct Write {
    changes: Vec<Change>,
    key: Option<Column>,
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
    let mapping = map_columns(list, &names)?;
    check_required(list, &mapping)?;
    let key = choose_key(engine, list, &mapping, mode)?;
    let key_index = key
        .as_ref()
        .and_then(|k| mapping.iter().position(|c| c.name == k.name));
    let rows = convert_rows(&batches, &mapping, key_index)?;
    let mut changes = Vec::new();
    if mode == InsertMode::Append {
        for row in rows {
            changes.push(Change::Create {
                label: row.label,
                key: row.key,
                fields: mapping.iter().cloned().zip(row.values).collect(),
            });
        }
        return Ok(Write { changes, key });
    }
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
    Ok(Write { changes, key })
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
    let items = directory
        .client()
        .get_all(
            &path,
            &[
                ("expand", format!("fields(select={})", select.join(","))),
                ("$top", "999".to_string()),
            ],
            &format!("reading the list {}", table.list().display_name),
        )
        .await
        .map_err(external)?;
    Ok(items
        .iter()
        .filter_map(|item| {
            let id = item.get("id").and_then(Value::as_str)?.to_string();
            let fields = item.get("fields");
            Some(CurrentItem {
                id,
                etag: item.get("eTag").and_then(Value::as_str).map(str::to_string),
                values: mapping
                    .iter()
                    .map(|c| values::from_field(c, fields.and_then(|f| f.get(c.field_key()))))
                    .collect(),
            })
        })
        .collect())
}

async fn plan_merge(
    engine: &Engine,
    table: &ListTable,
    merge: &Merge,
    report: &mut WriteReport,
) -> Result<Write> {
    let list = table.list();
    let TableFactor::Table {
        name: target_name,
        alias: target_alias,
        ..
    } = &merge.table
    else {
        return Err(plan_error("MERGE INTO needs a list name"));
    };
    let t = target_alias
        .as_ref()
        .map(|a| a.name.clone())
        .or_else(|| target_name.0.last().and_then(|p| p.as_ident().cloned()))
        .ok_or_else(|| plan_error("MERGE INTO needs a list name"))?;
    let (source_sql, s) = match &merge.source {
        TableFactor::Derived {
            subquery, alias, ..
        } => (
            format!("({subquery})"),
            alias.as_ref().map(|a| a.name.clone()).ok_or_else(|| {
                plan_error("give the MERGE source an alias: USING (SELECT ...) AS s")
            })?,
        ),
        TableFactor::Table { name, alias, .. } => (
            name.to_string(),
            alias
                .as_ref()
                .map(|a| a.name.clone())
                .or_else(|| name.0.last().and_then(|p| p.as_ident().cloned()))
                .ok_or_else(|| plan_error("the MERGE source needs a name"))?,
        ),
        other => {
            return Err(plan_error(&format!(
                "MERGE cannot use {other} as its source"
            )));
        }
    };
    // The key: the list column the ON condition compares, when it is one equality.
    let key = on_target_column(&merge.on, &t).and_then(|c| list.column(&c).ok().flatten().cloned());
    let key = match engine.sharepoint_key_column() {
        Some(k) => Some(
            list.column(&k)
                .map_err(|e| plan_error(&e))?
                .cloned()
                .ok_or_else(|| {
                    plan_error(&format!(
                        "KeyColumn={k}: the list {} has no such column",
                        list.display_name
                    ))
                })?,
        ),
        None => key,
    };

    // Every clause's columns, mapped before anything runs.
    let mut outputs = vec![
        format!(
            "{}.{} AS {}",
            t,
            quoted(&table_id_name(table)),
            quoted(ITEM)
        ),
        format!(
            "{t}.{} AS {}",
            quoted(&table.schema_field_name(1)),
            quoted(ETAG_OUT)
        ),
        format!("{s}.{} AS {}", quoted(SOURCE), quoted(SOURCE)),
    ];
    let mut plans = Vec::new();
    let mut problems = Vec::new();
    for (i, clause) in merge.clauses.iter().enumerate() {
        let when = clause
            .predicate
            .as_ref()
            .map_or_else(|| "TRUE".to_string(), |p| format!("COALESCE(({p}), FALSE)"));
        outputs.push(format!(
            "{when} AS {}",
            quoted(&format!("__jiraql_when_{i}"))
        ));
        let action = match (&clause.clause_kind, &clause.action) {
            (MergeClauseKind::Matched, MergeAction::Update(update)) => {
                ClauseAction::Update(set_outputs(
                    table,
                    &t,
                    &update.assignments,
                    &format!("{i}_"),
                    &mut outputs,
                    &mut problems,
                ))
            }
            (
                MergeClauseKind::Matched | MergeClauseKind::NotMatchedBySource,
                MergeAction::Delete { .. },
            ) => ClauseAction::Delete,
            (MergeClauseKind::NotMatchedBySource, MergeAction::Update(_)) => {
                problems.push(
                    "WHEN NOT MATCHED BY SOURCE THEN UPDATE is not supported; use DELETE".into(),
                );
                ClauseAction::Delete
            }
            (
                MergeClauseKind::NotMatched | MergeClauseKind::NotMatchedByTarget,
                MergeAction::Insert(insert),
            ) => {
                let MergeInsertKind::Values(values) = &insert.kind else {
                    return Err(plan_error("MERGE ... INSERT needs VALUES (...)"));
                };
                let row = values
                    .rows
                    .first()
                    .map(|r| r.content.clone())
                    .unwrap_or_default();
                if row.len() != insert.columns.len() || values.rows.len() != 1 {
                    return Err(plan_error(
                        "MERGE ... INSERT (columns) VALUES (...) needs one value per column",
                    ));
                }
                let names: Vec<String> = insert.columns.iter().map(last_part).collect();
                let columns = match map_columns(list, &names) {
                    Ok(columns) => {
                        if let Err(e) = check_required(list, &columns) {
                            problems.push(e.to_string());
                        }
                        columns
                    }
                    Err(e) => {
                        problems.push(e.to_string());
                        Vec::new()
                    }
                };
                for (j, value) in row.iter().enumerate() {
                    outputs.push(format!(
                        "{value} AS {}",
                        quoted(&format!("__jiraql_ins_{i}_{j}"))
                    ));
                }
                ClauseAction::Insert(columns)
            }
            (kind, action) => {
                return Err(plan_error(&format!(
                    "WHEN {kind} THEN {} is not a valid MERGE clause",
                    action.to_string().split_whitespace().next().unwrap_or("")
                )));
            }
        };
        plans.push((clause.clause_kind, action));
    }
    if !problems.is_empty() {
        return Err(plan_error(&format!(
            "nothing was written to the list {}: {}",
            list.display_name,
            problems.join("; ")
        )));
    }
    let by_source = plans
        .iter()
        .any(|(k, _)| matches!(k, MergeClauseKind::NotMatchedBySource));
    let join = if by_source {
        "FULL OUTER JOIN"
    } else {
        "LEFT JOIN"
    };
    let sql = format!(
        "SELECT {} FROM (SELECT *, TRUE AS {} FROM {source_sql} AS __jiraql_inner) AS {s} {join} {} AS {t} ON {}",
        outputs.join(", "),
        quoted(SOURCE),
        target_name,
        merge.on
    );
    let batches = engine.sql_batches(&sql).await?;

    let mut changes = Vec::new();
    let mut conversion = Vec::new();
    let mut seen_items: HashMap<i64, usize> = HashMap::new();
    let key_label = |row_values: &[(Column, Value)], fallback: String| {
        key.as_ref()
            .and_then(|k| row_values.iter().find(|(c, _)| c.name == k.name))
            .filter(|(_, v)| !v.is_null())
            .map_or(fallback, |(_, v)| values::shown(v))
    };
    let mut source_row = 0usize;
    for batch in &batches {
        let item_ids = column_of(batch, ITEM)?;
        let item_ids = item_ids
            .as_primitive_opt::<Int64Type>()
            .ok_or_else(|| plan_error("internal: item ids are not integers"))?;
        let from_source = column_of(batch, SOURCE)?;
        for row in 0..batch.num_rows() {
            let item = (!item_ids.is_null(row)).then(|| item_ids.value(row));
            let has_source = !from_source.is_null(row);
            if has_source {
                source_row += 1;
            }
            let kind_fits = |kind: &MergeClauseKind| match kind {
                MergeClauseKind::Matched => has_source && item.is_some(),
                MergeClauseKind::NotMatched | MergeClauseKind::NotMatchedByTarget => {
                    has_source && item.is_none()
                }
                MergeClauseKind::NotMatchedBySource => !has_source && item.is_some(),
            };
            let mut chosen = None;
            for (i, (kind, action)) in plans.iter().enumerate() {
                if !kind_fits(kind) {
                    continue;
                }
                let when = column_of(batch, &format!("__jiraql_when_{i}"))?;
                let when = when
                    .as_boolean_opt()
                    .ok_or_else(|| plan_error("a WHEN condition is not a boolean"))?;
                if !when.is_null(row) && when.value(row) {
                    chosen = Some((i, action));
                    break;
                }
            }
            let Some((i, action)) = chosen else {
                if item.is_some() && has_source {
                    report.unchanged += 1;
                }
                continue;
            };
            if let Some(id) = item
                && has_source
            {
                let count = seen_items.entry(id).or_default();
                *count += 1;
                if *count == 2 {
                    report.failed.push(sync::RowFailure {
                        row: format!("item {id}"),
                        reason:
                            "more than one source row matched this item; only the first was applied"
                                .into(),
                    });
                }
                if *count > 1 {
                    continue;
                }
            }
            let fallback = match item {
                Some(id) => format!("item {id}"),
                None => format!("source row {source_row}"),
            };
            match action {
                ClauseAction::Delete => {
                    let id = item.unwrap_or_default();
                    changes.push(Change::Delete {
                        label: fallback,
                        item: id.to_string(),
                        etag: etag_of(batch, row),
                    });
                }
                ClauseAction::Update(columns) => {
                    let (fields, all) = set_values(
                        batch,
                        row,
                        columns,
                        &format!("{i}_"),
                        &fallback,
                        &mut conversion,
                    )?;
                    let label = key_label(&all, fallback);
                    if fields.is_empty() {
                        report.unchanged += 1;
                    } else {
                        changes.push(Change::Update {
                            label,
                            item: item.unwrap_or_default().to_string(),
                            etag: etag_of(batch, row),
                            fields,
                        });
                    }
                }
                ClauseAction::Insert(columns) => {
                    let mut fields = Vec::new();
                    for (j, column) in columns.iter().enumerate() {
                        let value = column_of(batch, &format!("__jiraql_ins_{i}_{j}"))?;
                        match values::to_field(column, value.as_ref(), row) {
                            Ok(v) => fields.push((column.clone(), v)),
                            Err(reason) => conversion.push(cell_problem(
                                &fallback,
                                column,
                                value.as_ref(),
                                row,
                                &reason,
                            )),
                        }
                    }
                    let key_value = key
                        .as_ref()
                        .and_then(|k| fields.iter().find(|(c, _)| c.name == k.name))
                        .map(|(_, v)| v.clone());
                    changes.push(Change::Create {
                        label: key_label(&fields, fallback),
                        key: key_value,
                        fields,
                    });
                }
            }
        }
    }
    if !conversion.is_empty() {
        return Err(value_problems_text(&conversion));
    }
    Ok(Write { changes, key })
}

/// What a MERGE clause does, with its target columns resolved.
enum ClauseAction {
    Update(Vec<Column>),
    Insert(Vec<Column>),
    Delete,
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
    Ok(Write { changes, key: None })
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
    Ok(Write { changes, key: None })
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

/// Column values of one item.
type Fields = Vec<(Column, Value)>;

/// The `SET` values of one result row that differ from the item's, and all current values.
/// Values a column cannot hold are added to `problems`.
fn set_values(
    batch: &RecordBatch,
    row: usize,
    columns: &[Column],
    tag: &str,
    label: &str,
    problems: &mut Vec<String>,
) -> Result<(Fields, Fields)> {
    let mut changed = Vec::new();
    let mut current = Vec::new();
    for (j, column) in columns.iter().enumerate() {
        let new = column_of(batch, &format!("__jiraql_set_{tag}{j}"))?;
        let old = column_of(batch, &format!("__jiraql_old_{tag}{j}"))?;
        let old = values::to_field(column, old.as_ref(), row).unwrap_or(Value::Null);
        match values::to_field(column, new.as_ref(), row) {
            Ok(new) => {
                if !values::same(&new, &old) {
                    changed.push((column.clone(), new));
                }
                current.push((column.clone(), old));
            }
            Err(reason) => problems.push(cell_problem(label, column, new.as_ref(), row, &reason)),
        }
    }
    Ok((changed, current))
}

/// Target columns for SQL names; every problem is reported at once.
fn map_columns(list: &ListInfo, names: &[String]) -> Result<Vec<Column>> {
    let mut mapped = Vec::new();
    let mut problems = Vec::new();
    for name in names {
        match resolve_target(list, name) {
            Ok(column) => {
                if mapped.iter().any(|c: &Column| c.name == column.name) {
                    problems.push(format!(
                        "`{name}` is written twice (both map to {})",
                        column.display_name
                    ));
                }
                mapped.push(column);
            }
            Err(p) => problems.push(p),
        }
    }
    if problems.is_empty() {
        Ok(mapped)
    } else {
        Err(plan_error(&format!(
            "nothing was written to the list {}: {}",
            list.display_name,
            problems.join("; ")
        )))
    }
}

/// One SQL name → a writable list column, or what is wrong with it.
fn resolve_target(list: &ListInfo, name: &str) -> std::result::Result<Column, String> {
    match list.column(name) {
        Ok(Some(column)) if column.writable() => Ok(column.clone()),
        Ok(Some(column)) => Err(format!(
            "{} is read-only{}",
            column.display_name,
            if column.read_only {
                ""
            } else {
                " for jiraql (its type cannot be written through Graph)"
            }
        )),
        Ok(None) => Err(format!(
            "the list has no column `{name}` (writable columns: {}; alias a SELECT column to \
             one of these names)",
            list.columns
                .iter()
                .filter(|c| c.writable())
                .map(|c| c.display_name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )),
        Err(ambiguous) => Err(ambiguous),
    }
}

fn check_required(list: &ListInfo, mapped: &[Column]) -> Result<()> {
    let missing: Vec<&str> = list
        .columns
        .iter()
        .filter(|c| c.required && c.writable() && !mapped.iter().any(|m| m.name == c.name))
        .map(|c| c.display_name.as_str())
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(plan_error(&format!(
            "nothing was written to the list {}: it requires {} but the statement does not \
             provide {}",
            list.display_name,
            missing.join(", "),
            if missing.len() == 1 { "it" } else { "them" }
        )))
    }
}

/// The column upserts match on: `KeyColumn=` if set, else the one unique column written.
fn choose_key(
    engine: &Engine,
    list: &ListInfo,
    mapped: &[Column],
    mode: InsertMode,
) -> Result<Option<Column>> {
    if let Some(name) = engine.sharepoint_key_column() {
        let column = list
            .column(&name)
            .map_err(|e| plan_error(&e))?
            .ok_or_else(|| {
                plan_error(&format!(
                    "KeyColumn={name}: the list {} has no such column",
                    list.display_name
                ))
            })?;
        if !mapped.iter().any(|m| m.name == column.name) {
            return Err(plan_error(&format!(
                "the key column {} (KeyColumn) must be among the columns written",
                column.display_name
            )));
        }
        return Ok(Some(column.clone()));
    }
    let unique: Vec<&Column> = mapped.iter().filter(|c| c.unique).collect();
    match (unique.as_slice(), mode) {
        ([one], _) => Ok(Some((*one).clone())),
        (_, InsertMode::Append) => Ok(None),
        ([], _) => Err(plan_error(&format!(
            "INSERT OR REPLACE and INSERT OVERWRITE match items by a key: set KeyColumn=<column> \
             in the SharePoint connection string, or write a column of {} that enforces unique \
             values{}",
            list.display_name,
            match list.unique_columns().as_slice() {
                [] => String::new(),
                cols => format!(
                    " ({})",
                    cols.iter()
                        .map(|c| c.display_name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            }
        ))),
        (many, _) => Err(plan_error(&format!(
            "more than one unique column is written ({}); choose the key with KeyColumn=<column>",
            many.iter()
                .map(|c| c.display_name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

/// A source row converted for its columns.
struct Row {
    label: String,
    key: Option<Value>,
    values: Vec<Value>,
}

fn convert_rows(
    batches: &[RecordBatch],
    mapping: &[Column],
    key: Option<usize>,
) -> Result<Vec<Row>> {
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    let mut n = 0usize;
    for batch in batches {
        for row in 0..batch.num_rows() {
            n += 1;
            let mut label = format!("row {n}");
            let key_value =
                key.and_then(|k| values::to_field(&mapping[k], batch.column(k).as_ref(), row).ok());
            if let Some(v) = key_value.as_ref().filter(|v| !v.is_null()) {
                label = format!(
                    "row {n} ({} {})",
                    mapping[key.unwrap_or_default()].display_name,
                    values::shown(v)
                );
            }
            let mut row_values = Vec::with_capacity(mapping.len());
            for (i, column) in mapping.iter().enumerate() {
                match values::to_field(column, batch.column(i).as_ref(), row) {
                    Ok(v) => row_values.push(v),
                    Err(reason) => {
                        problems.push(cell_problem(
                            &label,
                            column,
                            batch.column(i).as_ref(),
                            row,
                            &reason,
                        ));
                        row_values.push(Value::Null);
                    }
                }
            }
            rows.push(Row {
                label,
                key: key_value,
                values: row_values,
            });
        }
    }
    if problems.is_empty() {
        Ok(rows)
    } else {
        Err(value_problems_text(&problems))
    }
}

fn cell_problem(
    label: &str,
    column: &Column,
    array: &dyn Array,
    row: usize,
    reason: &str,
) -> String {
    let value = datafusion::arrow::util::display::array_value_to_string(array, row)
        .map(|v| crate::sharepoint::error::one_line(&v, 60))
        .unwrap_or_else(|_| "?".into());
    format!("{label}: {} = '{value}' {reason}", column.display_name)
}

fn value_problems_text(problems: &[String]) -> DataFusionError {
    let mut text = format!(
        "nothing was written: {} value{} cannot be stored: {}",
        problems.len(),
        if problems.len() == 1 { "" } else { "s" },
        problems
            .iter()
            .take(SHOWN_PROBLEMS)
            .cloned()
            .collect::<Vec<_>>()
            .join("; ")
    );
    if problems.len() > SHOWN_PROBLEMS {
        text.push_str(&format!("; and {} more", problems.len() - SHOWN_PROBLEMS));
    }
    plan_error(&text)
}

fn listed(items: &[String]) -> String {
    if items.len() <= SHOWN_PROBLEMS {
        items.join(", ")
    } else {
        format!(
            "{} and {} more",
            items[..SHOWN_PROBLEMS].join(", "),
            items.len() - SHOWN_PROBLEMS
        )
    }
}

/// `t.K = <expr>` or `<expr> = t.K` → `K`.
fn on_target_column(on: &SqlExpr, target: &Ident) -> Option<String> {
    use datafusion::sql::sqlparser::ast::BinaryOperator;
    let SqlExpr::BinaryOp {
        left,
        op: BinaryOperator::Eq,
        right,
    } = on
    else {
        return None;
    };
    let of_target = |e: &SqlExpr| match e {
        SqlExpr::CompoundIdentifier(parts)
            if parts.len() == 2 && parts[0].value.eq_ignore_ascii_case(&target.value) =>
        {
            Some(parts[1].value.clone())
        }
        _ => None,
    };
    of_target(left).or_else(|| of_target(right))
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
