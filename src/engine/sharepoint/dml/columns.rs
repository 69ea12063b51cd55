//! Statement columns mapped to list columns (unknown, ambiguous, read-only and missing
//! required ones reported together), the key rows are matched on, and result rows converted
//! to list values (values a column cannot hold reported together).

use super::*;

/// Column values of one item.
pub(super) type Fields = Vec<(Column, Value)>;

/// The `SET` values of one result row that differ from the item's, and all current values.
/// Values a column cannot hold are added to `problems`.
pub(super) fn set_values(
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
pub(super) fn map_columns(list: &ListInfo, names: &[String]) -> Result<Vec<Column>> {
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
pub(super) fn resolve_target(list: &ListInfo, name: &str) -> std::result::Result<Column, String> {
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

pub(super) fn check_required(list: &ListInfo, mapped: &[Column]) -> Result<()> {
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
pub(super) fn choose_key(
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
pub(super) struct Row {
    pub(super) label: String,
    pub(super) key: Option<Value>,
    pub(super) values: Vec<Value>,
}

/// Every row of `batches` converted; all values a column cannot hold reported at once.
pub(super) fn convert_rows(
    batches: &[RecordBatch],
    mapping: &[Column],
    key: Option<usize>,
) -> Result<Vec<Row>> {
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    for batch in batches {
        rows.extend(convert_batch(
            batch,
            mapping,
            key,
            rows.len(),
            &mut problems,
        ));
    }
    if problems.is_empty() {
        Ok(rows)
    } else {
        Err(value_problems_text(&problems))
    }
}

/// The rows of one batch converted (`before` rows came in earlier batches, for the labels);
/// values a column cannot hold are added to `problems`, and are null in the rows.
pub(super) fn convert_batch(
    batch: &RecordBatch,
    mapping: &[Column],
    key: Option<usize>,
    before: usize,
    problems: &mut Vec<String>,
) -> Vec<Row> {
    let mut rows = Vec::with_capacity(batch.num_rows());
    for row in 0..batch.num_rows() {
        let n = before + row + 1;
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
    rows
}

pub(super) fn cell_problem(
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

pub(super) fn value_problems_text(problems: &[String]) -> DataFusionError {
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

pub(super) fn listed(items: &[String]) -> String {
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
