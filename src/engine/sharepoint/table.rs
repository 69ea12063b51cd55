//! A SharePoint list as a SQL table: `sharepoint.<list>`, and the `sharepoint` schema that
//! finds lists by name when a statement first names them.
//!
//! Columns are the list's visible columns under their display names, plus the item id as `ID`
//! (spelled like the Jira tables' `Id` when the engine already knows that name, so one
//! spelling works everywhere). A scan reads items page by page through Graph, asking only for
//! the projected fields; one comparison of an indexed column with a literal goes to Graph as
//! `$filter` (DataFusion checks every condition again, since SharePoint compares text without
//! regard to case).

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use datafusion::arrow::array::{
    ArrayRef, BooleanBuilder, Float64Builder, Int64Builder, ListBuilder, RecordBatch,
    StringBuilder, TimestampMillisecondBuilder,
};
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};
use datafusion::catalog::{SchemaProvider, Session, TableProvider};
use datafusion::common::{DataFusionError, Result, ScalarValue};
use datafusion::datasource::TableType;
use datafusion::logical_expr::{BinaryExpr, Expr, Operator, TableProviderFilterPushDown};
use datafusion::physical_plan::ExecutionPlan;
use datafusion::physical_plan::SendableRecordBatchStream;
use datafusion::physical_plan::stream::RecordBatchStreamAdapter;
use futures::stream;
use serde_json::Value;

use super::scan::GraphScanExec;
use crate::engine::catalog::{self, Described, DescribedColumn};

use crate::engine::identifiers::Names;
use crate::sharepoint::list::{Column, ColumnKind, Directory, ListInfo};
use crate::sharepoint::sync::odata_literal;
use crate::sharepoint::values;

/// The SQL name of the eTag column.
pub const ETAG: &str = "ETag";

/// Items per page asked of Graph.
const PAGE_SIZE: usize = 999;

/// The `sharepoint` schema: the site's lists, resolved lazily and case-insensitively.
#[derive(Debug)]
pub struct SharePointSchema {
    directory: Directory,
    names: Names,
    /// Lists named so far, for `SHOW TABLES` and completion.
    seen: Mutex<Vec<String>>,
}

impl SharePointSchema {
    pub fn new(directory: Directory, names: Names) -> Self {
        SharePointSchema {
            directory,
            names,
            seen: Mutex::default(),
        }
    }

    pub fn directory(&self) -> &Directory {
        &self.directory
    }

    /// The list behind a SQL table name, or an error that names the site's lists (rather than
    /// DataFusion's bare "not found").
    pub async fn require(&self, name: &str) -> Result<ListTable> {
        if let Some(table) = self.list_table(name).await? {
            return Ok(table);
        }
        let lists = self.directory.list_names().await.map_err(external)?;
        Err(DataFusionError::Plan(format!(
            "the SharePoint site has no list named `{name}`; its lists: {} (names match \
             ignoring case and spaces; quote names with spaces: sharepoint.\"Time Log\"). \
             CREATE TABLE sharepoint.\"{name}\" AS SELECT ... makes one",
            lists.join(", ")
        )))
    }

    /// Learns the names of all the site's lists (one request), so that `SHOW TABLES`, `\dt`
    /// and completion show them before a statement names them. Failures are left for the
    /// statement that needs the site to report.
    pub async fn discover(&self) {
        if let Ok(names) = self.directory.list_names().await {
            let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
            for name in names {
                if !seen.contains(&name) {
                    seen.push(name);
                }
            }
        }
    }

    /// Every list of the site as the catalog describes it (the site is asked for its lists,
    /// and for the columns of those not read yet).
    pub async fn describe_lists(&self) -> Result<Vec<Described>> {
        let names = self.directory.list_names().await.map_err(external)?;
        let mut out = Vec::new();
        for name in names {
            if let Some(table) = self.list_table(&name).await? {
                out.push(table.describe());
            }
        }
        out.sort_by_key(|d| d.name.to_lowercase());
        Ok(out)
    }

    /// Forgets a list that was deleted, so `SHOW TABLES` and completion no longer offer it.
    pub fn forget_list(&self, display_name: &str) {
        self.seen
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|n| n != display_name);
    }

    /// The list behind a SQL table name, as a table.
    pub async fn list_table(&self, name: &str) -> Result<Option<ListTable>> {
        let list = self.directory.list(name).await.map_err(external)?;
        Ok(list.map(|list| {
            let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
            if !seen.contains(&list.display_name) {
                seen.push(list.display_name.clone());
            }
            ListTable::new(self.directory.clone(), list, &self.names)
        }))
    }
}

#[async_trait]
impl SchemaProvider for SharePointSchema {
    fn table_names(&self) -> Vec<String> {
        self.seen.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    async fn table(&self, name: &str) -> Result<Option<Arc<dyn TableProvider>>> {
        Ok(Some(Arc::new(self.require(name).await?)))
    }

    fn table_exist(&self, name: &str) -> bool {
        let key = crate::sharepoint::list::match_key(name);
        self.table_names()
            .iter()
            .any(|n| crate::sharepoint::list::match_key(n) == key)
    }
}

/// Where a SQL column of a list table comes from.
#[derive(Debug, Clone)]
pub enum ListColumn {
    /// The item id.
    Id,
    /// The item's eTag (its version): writes send it back, so an edit made meanwhile is a 412.
    ETag,
    Field(Column),
}

/// One list as a table.
#[derive(Debug, Clone)]
pub struct ListTable {
    directory: Directory,
    list: Arc<ListInfo>,
    schema: SchemaRef,
    columns: Vec<ListColumn>,
}

impl ListTable {
    fn new(directory: Directory, list: Arc<ListInfo>, names: &Names) -> Self {
        let spell = |name: &str| names.spelling(name).unwrap_or(name).to_string();
        let mut columns = vec![ListColumn::Id, ListColumn::ETag];
        let mut fields = vec![
            Field::new(spell("ID"), DataType::Int64, false),
            Field::new(spell(ETAG), DataType::Utf8, true),
        ];
        for column in &list.columns {
            if column.name.eq_ignore_ascii_case("ID") || column.name.eq_ignore_ascii_case(ETAG) {
                continue;
            }
            fields.push(Field::new(
                spell(column.sql_name()),
                arrow_type(&column.kind),
                true,
            ));
            columns.push(ListColumn::Field(column.clone()));
        }
        ListTable {
            directory,
            list,
            schema: Arc::new(Schema::new(fields)),
            columns,
        }
    }

    pub fn list(&self) -> &Arc<ListInfo> {
        &self.list
    }

    /// The list as the catalog describes it: always updateable, `ID` its key, an indexed
    /// column's comparisons sent to Graph as `$filter`.
    pub fn describe(&self) -> Described {
        let list = &self.list;
        let mut description = format!("SharePoint list {} ({})", list.display_name, list.web_url);
        if !list.description.trim().is_empty() {
            description = format!("{}. {description}", list.description.trim());
        }
        let columns = self
            .columns
            .iter()
            .zip(self.schema.fields())
            .map(|(column, field)| {
                let sql_type = catalog::sql_type(field.data_type());
                let name = field.name().clone();
                match column {
                    ListColumn::Id => DescribedColumn {
                        name,
                        sql_type,
                        description: "The item's id, given by SharePoint.".into(),
                        key: true,
                        read_only: true,
                        ..DescribedColumn::default()
                    },
                    ListColumn::ETag => DescribedColumn {
                        name,
                        sql_type,
                        description: "The item's version: a write sends it back, so a change \
                                      made meanwhile is refused, never overwritten."
                            .into(),
                        read_only: true,
                        ..DescribedColumn::default()
                    },
                    ListColumn::Field(c) => DescribedColumn {
                        name,
                        sql_type,
                        description: column_description(c),
                        read_only: !c.writable(),
                        rule: c.indexed.then(|| {
                            "= <> < <= > >=: $filter on this indexed column (prefilter)".to_string()
                        }),
                        ..DescribedColumn::default()
                    },
                }
            })
            .collect();
        Described {
            schema: super::dml::SCHEMA.to_string(),
            name: list.display_name.clone(),
            view: false,
            description,
            updateable: true,
            columns,
        }
    }

    pub fn directory(&self) -> &Directory {
        &self.directory
    }

    /// The SQL name of the table's column `index`.
    pub fn schema_field_name(&self, index: usize) -> String {
        self.schema.field(index).name().clone()
    }

    /// The SQL name of a list column (its display name, in the engine's spelling).
    pub fn sql_name(&self, column: &Column) -> String {
        self.columns
            .iter()
            .position(|c| matches!(c, ListColumn::Field(f) if f.name == column.name))
            .map_or_else(
                || column.display_name.clone(),
                |i| self.schema_field_name(i),
            )
    }

    /// The list column a filter on `name op literal` can hand to Graph.
    fn graph_filter(&self, filter: &Expr) -> Option<String> {
        let Expr::BinaryExpr(BinaryExpr { left, op, right }) = filter else {
            return None;
        };
        let (column, literal, op) = match (left.as_ref(), right.as_ref()) {
            (Expr::Column(c), Expr::Literal(v, _)) => (c, v, *op),
            (Expr::Literal(v, _), Expr::Column(c)) => (c, v, op.swap()?),
            _ => return None,
        };
        let op = match op {
            Operator::Eq => "eq",
            Operator::NotEq => "ne",
            Operator::Lt => "lt",
            Operator::LtEq => "le",
            Operator::Gt => "gt",
            Operator::GtEq => "ge",
            _ => return None,
        };
        let index = self.schema.index_of(&column.name).ok()?;
        let ListColumn::Field(list_column) = &self.columns[index] else {
            return None;
        };
        if !list_column.indexed {
            return None;
        }
        let value = match (literal, &list_column.kind) {
            (
                ScalarValue::Utf8(Some(s)) | ScalarValue::Utf8View(Some(s)),
                ColumnKind::Text { .. } | ColumnKind::Choice { .. },
            ) => Value::String(s.clone()),
            (v, ColumnKind::Number | ColumnKind::Lookup) => {
                let n = match v {
                    ScalarValue::Int64(Some(n)) => *n as f64,
                    ScalarValue::Int32(Some(n)) => f64::from(*n),
                    ScalarValue::Float64(Some(n)) => *n,
                    _ => return None,
                };
                serde_json::Number::from_f64(n).map(Value::Number)?
            }
            _ => return None,
        };
        Some(format!(
            "fields/{} {op} {}",
            list_column.field_key(),
            odata_literal(&value)
        ))
    }
}

#[async_trait]
impl TableProvider for ListTable {
    fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }

    fn table_type(&self) -> TableType {
        TableType::Base
    }

    fn supports_filters_pushdown(
        &self,
        filters: &[&Expr],
    ) -> Result<Vec<TableProviderFilterPushDown>> {
        Ok(filters
            .iter()
            .map(|f| {
                if self.graph_filter(f).is_some() {
                    TableProviderFilterPushDown::Inexact
                } else {
                    TableProviderFilterPushDown::Unsupported
                }
            })
            .collect())
    }

    async fn scan(
        &self,
        _state: &dyn Session,
        projection: Option<&Vec<usize>>,
        filters: &[Expr],
        limit: Option<usize>,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        let wanted: Vec<usize> = projection
            .cloned()
            .unwrap_or_else(|| (0..self.columns.len()).collect());
        let select: Vec<String> = wanted
            .iter()
            .filter_map(|&i| match &self.columns[i] {
                ListColumn::Field(c) => Some(c.field_key()),
                ListColumn::Id | ListColumn::ETag => None,
            })
            .collect();
        let scan = ListScan {
            table: self.clone(),
            select,
            filter: filters.iter().find_map(|f| self.graph_filter(f)),
            limit,
        };
        Ok(Arc::new(GraphScanExec::new(scan, wanted)?))
    }
}

/// A lazy read of a list's items (all the table's columns; the exec projects).
#[derive(Debug, Clone)]
pub(super) struct ListScan {
    table: ListTable,
    select: Vec<String>,
    filter: Option<String>,
    limit: Option<usize>,
}

impl ListScan {
    pub(super) fn schema(&self) -> &SchemaRef {
        &self.table.schema
    }

    pub(super) fn limit(&self) -> Option<usize> {
        self.limit
    }

    pub(super) fn with_limit(&self, limit: Option<usize>) -> ListScan {
        ListScan {
            limit,
            ..self.clone()
        }
    }

    /// What the scan asks Graph, for EXPLAIN.
    pub(super) fn describe(&self) -> String {
        let query: Vec<String> = self
            .query()
            .into_iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        format!(
            "{} via GET /sites/{{site}}/lists/{{list}}/items?{}{}",
            self.table.list.display_name,
            query.join("&"),
            if self.limit.is_some() {
                ""
            } else {
                ", following @odata.nextLink"
            }
        )
    }

    fn query(&self) -> Vec<(&'static str, String)> {
        let mut query = vec![(
            "expand",
            if self.select.is_empty() {
                "fields(select=Title)".to_string()
            } else {
                format!("fields(select={})", self.select.join(","))
            },
        )];
        let page = self.limit.map_or(PAGE_SIZE, |l| l.clamp(1, PAGE_SIZE));
        query.push(("$top", page.to_string()));
        if let Some(filter) = &self.filter {
            query.push(("$filter", filter.clone()));
        }
        query
    }

    pub(super) fn stream(&self) -> SendableRecordBatchStream {
        let table = self.table.clone();
        let query = self.query();
        let limit = self.limit;
        let what = format!("reading the list {}", table.list.display_name);
        enum State {
            First(Vec<(&'static str, String)>),
            Next(String),
            Done,
        }
        let pages = stream::try_unfold((State::First(query), 0usize), move |(state, read)| {
            let table = table.clone();
            let what = what.clone();
            async move {
                let client = table.directory.client();
                let page = match state {
                    State::Done => return Ok(None),
                    State::First(query) => {
                        let path = format!(
                            "{}/items",
                            table
                                .directory
                                .list_path(&table.list)
                                .await
                                .map_err(external)?
                        );
                        client.get(&path, &query, None, &what).await
                    }
                    State::Next(link) => client.get_link(&link, None, &what).await,
                }
                .map_err(external)?;
                let items = page
                    .get("value")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default();
                let batch = items_to_batch(&table, &items)?;
                let read = read + items.len();
                let next = match page.get("@odata.nextLink").and_then(Value::as_str) {
                    Some(link) if limit.is_none_or(|l| read < l) => State::Next(link.to_string()),
                    _ => State::Done,
                };
                Ok(Some((batch, (next, read))))
            }
        });
        Box::pin(RecordBatchStreamAdapter::new(
            self.table.schema.clone(),
            pages,
        ))
    }
}

fn arrow_type(kind: &ColumnKind) -> DataType {
    match kind {
        ColumnKind::Number => DataType::Float64,
        ColumnKind::Lookup => DataType::Int64,
        ColumnKind::DateTime { .. } => {
            DataType::Timestamp(TimeUnit::Millisecond, Some("UTC".into()))
        }
        ColumnKind::Boolean => DataType::Boolean,
        ColumnKind::MultiChoice { .. } => {
            DataType::List(Arc::new(Field::new("item", DataType::Utf8, true)))
        }
        ColumnKind::Text { .. } | ColumnKind::Choice { .. } | ColumnKind::Other(_) => {
            DataType::Utf8
        }
    }
}

/// What a list column is, in words: its kind and its constraints.
fn column_description(c: &Column) -> String {
    let mut text = match &c.kind {
        ColumnKind::Text {
            max_length: Some(n),
        } => format!("Text, up to {n} characters"),
        ColumnKind::Text { max_length: None } => "Text, several lines".to_string(),
        ColumnKind::Number => "Number".to_string(),
        ColumnKind::DateTime { date_only: true } => "Date".to_string(),
        ColumnKind::DateTime { date_only: false } => "Date and time (UTC)".to_string(),
        ColumnKind::Boolean => "Yes/No".to_string(),
        ColumnKind::Choice { choices, .. } => format!("Choice of {}", choices.join(", ")),
        ColumnKind::MultiChoice { choices, .. } => {
            format!("Choices among {}", choices.join(", "))
        }
        ColumnKind::Lookup => "Lookup: the id of an item of another list".to_string(),
        ColumnKind::Other(kind) => format!("{kind} (read as text)"),
    };
    for (on, what) in [
        (c.required, "required"),
        (c.unique, "unique"),
        (c.indexed, "indexed"),
        (c.read_only, "set by SharePoint"),
    ] {
        if on {
            text.push_str(", ");
            text.push_str(what);
        }
    }
    text.push('.');
    text
}

/// Graph items → one batch in the table's schema.
fn items_to_batch(table: &ListTable, items: &[Value]) -> Result<RecordBatch> {
    let arrays: Vec<ArrayRef> = table
        .columns
        .iter()
        .map(|column| match column {
            ListColumn::Id => {
                let mut b = Int64Builder::with_capacity(items.len());
                for item in items {
                    let id = item.get("id").and_then(|v| {
                        v.as_str()
                            .and_then(|s| s.parse().ok())
                            .or_else(|| v.as_i64())
                    });
                    b.append_value(id.unwrap_or_default());
                }
                Arc::new(b.finish()) as ArrayRef
            }
            ListColumn::ETag => {
                let mut b = StringBuilder::with_capacity(items.len(), items.len() * 40);
                items
                    .iter()
                    .for_each(|item| b.append_option(item.get("eTag").and_then(Value::as_str)));
                Arc::new(b.finish()) as ArrayRef
            }
            ListColumn::Field(c) => {
                let values: Vec<Value> = items
                    .iter()
                    .map(|item| {
                        values::from_field(c, item.get("fields").and_then(|f| f.get(c.field_key())))
                    })
                    .collect();
                column_array(&c.kind, &values)
            }
        })
        .collect();
    RecordBatch::try_new(table.schema.clone(), arrays).map_err(Into::into)
}

fn column_array(kind: &ColumnKind, values: &[Value]) -> ArrayRef {
    match kind {
        ColumnKind::Number => {
            let mut b = Float64Builder::with_capacity(values.len());
            values.iter().for_each(|v| b.append_option(v.as_f64()));
            Arc::new(b.finish())
        }
        ColumnKind::Lookup => {
            let mut b = Int64Builder::with_capacity(values.len());
            values.iter().for_each(|v| b.append_option(v.as_i64()));
            Arc::new(b.finish())
        }
        ColumnKind::DateTime { .. } => {
            let mut b =
                TimestampMillisecondBuilder::with_capacity(values.len()).with_timezone("UTC");
            for v in values {
                b.append_option(
                    v.as_str()
                        .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
                        .map(|t| t.timestamp_millis()),
                );
            }
            Arc::new(b.finish())
        }
        ColumnKind::Boolean => {
            let mut b = BooleanBuilder::with_capacity(values.len());
            values.iter().for_each(|v| b.append_option(v.as_bool()));
            Arc::new(b.finish())
        }
        ColumnKind::MultiChoice { .. } => {
            let mut b = ListBuilder::new(StringBuilder::new());
            for v in values {
                match v.as_array() {
                    Some(items) => {
                        items
                            .iter()
                            .for_each(|i| b.values().append_option(i.as_str()));
                        b.append(true);
                    }
                    None => b.append(false),
                }
            }
            Arc::new(b.finish())
        }
        ColumnKind::Text { .. } | ColumnKind::Choice { .. } | ColumnKind::Other(_) => {
            let mut b = StringBuilder::with_capacity(values.len(), values.len() * 16);
            values.iter().for_each(|v| b.append_option(v.as_str()));
            Arc::new(b.finish())
        }
    }
}

pub(crate) fn external(e: crate::sharepoint::GraphError) -> DataFusionError {
    DataFusionError::External(Box::new(e))
}
