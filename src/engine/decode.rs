//! Jira JSON items to Arrow record batches, one projected column at a time, following the
//! table declaration (path, type, rich text).

use std::sync::Arc;

use chrono::{DateTime, NaiveDate};
use datafusion::arrow::array::{
    ArrayRef, BooleanBuilder, Date32Builder, Float64Builder, Int64Builder, ListBuilder,
    RecordBatch, RecordBatchOptions, StringBuilder, TimestampMillisecondBuilder,
};
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};
use datafusion::error::DataFusionError;
use serde_json::Value;

use crate::jira::adf;
use crate::jira::prune::Keep;
use crate::jira::tables::{ColumnDef, ColumnType, Source, TableDef};

/// The Arrow type of a declared column.
pub fn arrow_type(t: ColumnType) -> DataType {
    match t {
        ColumnType::Text => DataType::Utf8,
        ColumnType::Int => DataType::Int64,
        ColumnType::Float => DataType::Float64,
        ColumnType::Bool => DataType::Boolean,
        ColumnType::Timestamp => DataType::Timestamp(TimeUnit::Millisecond, Some("UTC".into())),
        ColumnType::Date => DataType::Date32,
        ColumnType::TextList => DataType::List(Arc::new(Field::new("item", DataType::Utf8, true))),
    }
}

/// The Arrow schema of a declared table. Every column is nullable: Jira omits what is unset.
pub fn table_schema(table: &TableDef) -> SchemaRef {
    Arc::new(Schema::new(
        table
            .columns
            .iter()
            .map(|c| Field::new(c.name, arrow_type(c.data_type), true))
            .collect::<Vec<_>>(),
    ))
}

/// Values that do not live in the item itself: the parent a child row was read through.
pub trait Parents: Sync {
    /// The JSON of the parent `item`, the `row`th of its batch, belongs to (the issue of a
    /// worklog, the board of a sprint).
    fn parent_of(&self, row: usize, item: &Value) -> Option<Value>;
}

/// For rows without parents.
pub struct NoParent;

impl Parents for NoParent {
    fn parent_of(&self, _: usize, _: &Value) -> Option<Value> {
        None
    }
}

/// Every row has the same parent.
pub struct SameParent(pub Value);

impl Parents for SameParent {
    fn parent_of(&self, _: usize, _: &Value) -> Option<Value> {
        Some(self.0.clone())
    }
}

/// Each row has its own parent, by position in the batch.
pub struct PerRow(pub Vec<Value>);

impl Parents for PerRow {
    fn parent_of(&self, row: usize, _: &Value) -> Option<Value> {
        self.0.get(row).cloned()
    }
}

/// Decodes items into batches of the projected columns.
#[derive(Debug, Clone)]
pub struct RowDecoder {
    table: &'static TableDef,
    columns: Vec<&'static ColumnDef>,
    schema: SchemaRef,
}

impl RowDecoder {
    pub fn new(table: &'static TableDef, projection: &[usize], schema: SchemaRef) -> Self {
        RowDecoder {
            table,
            columns: projection.iter().map(|&i| &table.columns[i]).collect(),
            schema,
        }
    }

    pub fn schema(&self) -> &SchemaRef {
        &self.schema
    }

    /// The paths of an item the projected columns read, plus `id` and `key` (scans use them
    /// to page and to learn keys): what a response must keep when parsed.
    pub fn keep(&self) -> Keep {
        self.columns
            .iter()
            .flat_map(|c| match c.source {
                Source::Path(p) | Source::RichText(p) | Source::List(p, _) => vec![p],
                Source::FirstOf(paths) => paths.to_vec(),
                Source::Label(pairs) => pairs.iter().map(|(p, _)| *p).collect(),
                Source::Parent(_) | Source::Pseudo => Vec::new(),
            })
            .fold(Keep::default().with("id").with("key"), Keep::with)
    }

    /// Whether a projected column comes from the parent (and so needs it looked up).
    pub fn needs_parent(&self) -> bool {
        self.columns
            .iter()
            .any(|c| matches!(c.source, Source::Parent(_)))
    }

    /// Whether a projected column reads `path` of the parent.
    pub fn needs_parent_path(&self, path: &str) -> bool {
        self.columns
            .iter()
            .any(|c| matches!(c.source, Source::Parent(p) if p == path))
    }

    pub fn decode(
        &self,
        items: &[Value],
        parent: &dyn Parents,
    ) -> Result<RecordBatch, DataFusionError> {
        let arrays = self
            .columns
            .iter()
            .map(|c| self.column(c, items, parent))
            .collect::<Result<Vec<_>, _>>()?;
        let options = RecordBatchOptions::new().with_row_count(Some(items.len()));
        Ok(RecordBatch::try_new_with_options(
            self.schema.clone(),
            arrays,
            &options,
        )?)
    }

    fn column(
        &self,
        col: &ColumnDef,
        items: &[Value],
        parent: &dyn Parents,
    ) -> Result<ArrayRef, DataFusionError> {
        let bad = |item: &Value, v: &Value, what: &str| {
            DataFusionError::External(
                format!(
                    "Jira returned {v} for {}.{} of {}, which is not {what}",
                    self.table.name,
                    col.name,
                    describe(item)
                )
                .into(),
            )
        };
        let present = |item: &'_ Value, p: &str| lookup(item, p).filter(|v| !v.is_null()).cloned();
        let value = |row: usize, item: &'_ Value| -> Option<Value> {
            match col.source {
                Source::Path(p) => present(item, p),
                Source::RichText(p) => lookup(item, p).and_then(adf::to_text).map(Value::String),
                Source::Parent(p) => parent.parent_of(row, item).and_then(|v| present(&v, p)),
                Source::FirstOf(paths) => paths.iter().find_map(|p| present(item, p)),
                Source::Label(pairs) => pairs
                    .iter()
                    .find(|(p, _)| present(item, p).is_some())
                    .map(|(_, label)| Value::String((*label).to_string())),
                Source::List(p, _) => present(item, p),
                Source::Pseudo => None,
            }
        };
        Ok(match col.data_type {
            ColumnType::Text => {
                let mut b = StringBuilder::new();
                for (row, item) in items.iter().enumerate() {
                    match value(row, item) {
                        None => b.append_null(),
                        Some(Value::String(s)) => b.append_value(s),
                        Some(v) => b.append_value(v.to_string()),
                    }
                }
                Arc::new(b.finish())
            }
            ColumnType::Int => {
                let mut b = Int64Builder::new();
                for (row, item) in items.iter().enumerate() {
                    match value(row, item) {
                        None => b.append_null(),
                        Some(v) => {
                            b.append_value(as_i64(&v).ok_or_else(|| bad(item, &v, "an integer"))?)
                        }
                    }
                }
                Arc::new(b.finish())
            }
            ColumnType::Float => {
                let mut b = Float64Builder::new();
                for (row, item) in items.iter().enumerate() {
                    match value(row, item) {
                        None => b.append_null(),
                        Some(v) => {
                            b.append_value(as_f64(&v).ok_or_else(|| bad(item, &v, "a number"))?)
                        }
                    }
                }
                Arc::new(b.finish())
            }
            ColumnType::Bool => {
                let mut b = BooleanBuilder::new();
                for (row, item) in items.iter().enumerate() {
                    match value(row, item) {
                        None => b.append_null(),
                        Some(Value::Bool(v)) => b.append_value(v),
                        Some(Value::String(s)) if s == "true" || s == "false" => {
                            b.append_value(s == "true")
                        }
                        Some(v) => return Err(bad(item, &v, "true or false")),
                    }
                }
                Arc::new(b.finish())
            }
            ColumnType::Timestamp => {
                let mut b = TimestampMillisecondBuilder::new().with_timezone("UTC");
                for (row, item) in items.iter().enumerate() {
                    match value(row, item) {
                        None => b.append_null(),
                        // Jira writes instants as text, except epoch milliseconds in a few
                        // change feeds (`worklog/updated`, `worklog/deleted`).
                        Some(v) => b.append_value(
                            match &v {
                                Value::Number(n) => n.as_i64(),
                                _ => v.as_str().and_then(parse_instant),
                            }
                            .ok_or_else(|| bad(item, &v, "a timestamp"))?,
                        ),
                    }
                }
                Arc::new(b.finish())
            }
            ColumnType::Date => {
                let mut b = Date32Builder::new();
                for (row, item) in items.iter().enumerate() {
                    match value(row, item) {
                        None => b.append_null(),
                        Some(v) => b.append_value(
                            v.as_str()
                                .and_then(parse_day)
                                .ok_or_else(|| bad(item, &v, "a date"))?,
                        ),
                    }
                }
                Arc::new(b.finish())
            }
            ColumnType::TextList => {
                let item_path = match col.source {
                    Source::List(_, item) => item,
                    _ => "",
                };
                let mut b = ListBuilder::new(StringBuilder::new());
                for (row, item) in items.iter().enumerate() {
                    match value(row, item) {
                        None => b.append_null(),
                        Some(Value::Array(elems)) => {
                            for e in &elems {
                                match lookup(e, item_path) {
                                    Some(Value::String(s)) => b.values().append_value(s),
                                    Some(Value::Null) | None => b.values().append_null(),
                                    Some(other) => b.values().append_value(other.to_string()),
                                }
                            }
                            b.append(true);
                        }
                        Some(v) => return Err(bad(item, &v, "a list")),
                    }
                }
                Arc::new(b.finish())
            }
        })
    }
}

/// Follows a dotted path; the empty path is the value itself.
pub fn lookup<'a>(value: &'a Value, path: &str) -> Option<&'a Value> {
    if path.is_empty() {
        return Some(value);
    }
    path.split('.').try_fold(value, |v, key| v.get(key))
}

fn describe(item: &Value) -> String {
    match (item.get("key"), item.get("id")) {
        (Some(Value::String(k)), _) => k.clone(),
        (_, Some(id)) => format!("item {id}"),
        _ => "an item".to_string(),
    }
}

/// Integers arrive as numbers or, for ids, as strings.
pub fn as_i64(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n
            .as_i64()
            .or_else(|| n.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64)),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn as_f64(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Epoch milliseconds of a Jira timestamp: `2021-01-17T12:34:00.000+0000` (platform API) or
/// RFC 3339 with a colon in the offset or `Z` (Agile API).
pub fn parse_instant(s: &str) -> Option<i64> {
    DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f%z")
        .or_else(|_| DateTime::parse_from_rfc3339(s))
        .ok()
        .map(|t| t.timestamp_millis())
}

/// Days since 1970-01-01 of a `yyyy-MM-dd` date.
pub fn parse_day(s: &str) -> Option<i32> {
    let day = NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()?;
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1)?;
    i32::try_from((day - epoch).num_days()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jira::tables::{ISSUES, WORKLOGS};
    use datafusion::arrow::util::pretty::pretty_format_batches;
    use serde_json::json;

    #[test]
    fn timestamps_in_both_jira_formats() {
        assert_eq!(parse_instant("1970-01-01T10:00:00.000+1000"), Some(0));
        assert_eq!(parse_instant("1970-01-01T00:00:01.500Z"), Some(1500));
        assert_eq!(
            parse_instant("2015-04-11T15:22:00.000+10:00"),
            Some(1428729720000)
        );
        assert_eq!(parse_instant("yesterday"), None);
        assert_eq!(parse_day("1970-01-02"), Some(1));
    }

    #[test]
    fn issue_json_decodes_to_projected_columns() {
        let issue = json!({"id":"10001","key":"DEMO-1","fields":{
            "project":{"id":"10000","key":"DEMO"},
            "labels":["a","b"],
            "components":[{"name":"API"}],
            "created":"2026-03-04T10:15:30.123+1000",
            "duedate":null,
            "description":{"type":"doc","version":1,"content":[{"type":"paragraph","content":[{"type":"text","text":"hi"}]}]}
        }});
        let names = [
            "Id",
            "Key",
            "ProjectId",
            "Labels",
            "Components",
            "Created",
            "DueDate",
            "Description",
        ];
        let projection: Vec<usize> = names
            .iter()
            .map(|n| ISSUES.column_index(n).unwrap())
            .collect();
        let schema = Arc::new(table_schema(&ISSUES).project(&projection).unwrap());
        let batch = RowDecoder::new(&ISSUES, &projection, schema)
            .decode(&[issue], &NoParent)
            .unwrap();
        let text = pretty_format_batches(&[batch]).unwrap().to_string();
        assert!(text.contains("| 10001 | DEMO-1 | 10000     | [a, b] | [API]      | 2026-03-04T00:15:30.123Z |         | hi          |"), "{text}");
    }

    #[test]
    fn a_value_of_the_wrong_type_is_a_clear_error() {
        let projection = [WORKLOGS.column_index("TimeSpentSeconds").unwrap()];
        let schema = Arc::new(table_schema(&WORKLOGS).project(&projection).unwrap());
        let err = RowDecoder::new(&WORKLOGS, &projection, schema)
            .decode(&[json!({"id":"7","timeSpentSeconds":"lots"})], &NoParent)
            .unwrap_err();
        assert!(err.to_string().contains(r#"Jira returned "lots" for Worklogs.TimeSpentSeconds of item "7", which is not an integer"#), "{err}");
    }
}
