//! The `sys_*` catalog (CData's names): every table a statement can name, with its columns,
//! keys and pushdown rules. The Jira tables come from their declarations (so the catalog
//! cannot disagree with them), the SharePoint lists from the site when a catalog table is
//! read, and the catalog tables describe themselves.

use std::sync::{Arc, OnceLock};

use async_trait::async_trait;
use datafusion::arrow::array::{ArrayRef, BooleanArray, Int64Array, RecordBatch, StringArray};
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use datafusion::catalog::{MemTable, Session, TableProvider};
use datafusion::datasource::TableType;
use datafusion::error::Result;
use datafusion::logical_expr::Expr;
use datafusion::physical_plan::ExecutionPlan;

use super::sharepoint::SharePointSchema;
use crate::jira::tables::{ColumnDef, ColumnType, Source, TableDef, Writes};

/// What the catalog says of one table, wherever it comes from.
#[derive(Debug, Clone)]
pub struct Described {
    pub schema: String,
    pub name: String,
    pub view: bool,
    pub description: String,
    pub updateable: bool,
    pub columns: Vec<DescribedColumn>,
}

/// What the catalog says of one column.
#[derive(Debug, Clone, Default)]
pub struct DescribedColumn {
    pub name: String,
    pub sql_type: String,
    pub description: String,
    pub key: bool,
    /// It names the row of another table (an issue, a board...).
    pub foreign: bool,
    pub read_only: bool,
    /// How conditions on it reach the service, if they do.
    pub rule: Option<String>,
    pub jql_field: Option<String>,
}

/// The catalog tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sys {
    Tables,
    Views,
    Columns,
    Keys,
    SqlInfo,
}

impl Sys {
    const ALL: [Sys; 5] = [
        Sys::Tables,
        Sys::Views,
        Sys::Columns,
        Sys::Keys,
        Sys::SqlInfo,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Sys::Tables => "sys_tables",
            Sys::Views => "sys_views",
            Sys::Columns => "sys_tablecolumns",
            Sys::Keys => "sys_keycolumns",
            Sys::SqlInfo => "sys_sqlinfo",
        }
    }

    fn description(self) -> &'static str {
        match self {
            Sys::Tables => {
                "Every table and list a statement can name, with its description and whether it takes INSERT, UPDATE and DELETE."
            }
            Sys::Views => "The read-only views of Jira configuration.",
            Sys::Columns => {
                "Every column of every table and list: type, description, key, whether it can be written, and how conditions on it reach Jira or SharePoint."
            }
            Sys::Keys => "Key columns, and the columns that name a row of another table.",
            Sys::SqlInfo => "What this SQL engine supports and pushes down.",
        }
    }

    /// Its columns after CatalogName, SchemaName and TableName (none for sys_sqlinfo).
    fn fields(self) -> Vec<(&'static str, DataType, &'static str)> {
        use DataType::{Boolean, Int64, Utf8};
        match self {
            Sys::Tables | Sys::Views => vec![
                ("TableType", Utf8, "TABLE or VIEW."),
                (
                    "Description",
                    Utf8,
                    "What the table holds and how it is read.",
                ),
                (
                    "IsUpdateable",
                    Boolean,
                    "Whether it takes INSERT, UPDATE and DELETE.",
                ),
            ],
            Sys::Columns => vec![
                ("ColumnName", Utf8, "The column's name."),
                ("DataTypeName", Utf8, "Its SQL type."),
                ("IsNullable", Boolean, "Whether it can be NULL."),
                ("Description", Utf8, "What it holds."),
                ("Ordinal", Int64, "Its position in the table, from 1."),
                ("IsKey", Boolean, "Whether it identifies the row."),
                (
                    "IsReadOnly",
                    Boolean,
                    "Whether writes leave it to the service.",
                ),
                (
                    "PushesDown",
                    Boolean,
                    "Whether conditions on it reach the service.",
                ),
                ("JqlField", Utf8, "The JQL field its conditions become."),
                (
                    "PushdownRule",
                    Utf8,
                    "Which conditions reach the service, and how.",
                ),
            ],
            Sys::Keys => vec![
                ("ColumnName", Utf8, "The column's name."),
                (
                    "KeySeq",
                    Int64,
                    "Its position in the key, from 1 (0: not a key).",
                ),
                ("IsKey", Boolean, "Whether it identifies the row."),
                (
                    "IsForeignKey",
                    Boolean,
                    "Whether it names a row of another table.",
                ),
            ],
            Sys::SqlInfo => vec![
                ("Name", Utf8, "The property."),
                ("Value", Utf8, "Its value."),
            ],
        }
    }

    fn schema(self) -> SchemaRef {
        let leading = match self {
            Sys::SqlInfo => Vec::new(),
            _ => vec![
                ("CatalogName", DataType::Utf8),
                ("SchemaName", DataType::Utf8),
                ("TableName", DataType::Utf8),
            ],
        };
        let fields: Vec<Field> = leading
            .into_iter()
            .chain(self.fields().into_iter().map(|(n, t, _)| (n, t)))
            .map(|(n, t)| Field::new(n, t, true))
            .collect();
        Arc::new(Schema::new(fields))
    }

    /// The catalog table itself, described.
    fn described(self, schema: &str) -> Described {
        let text = |s: &str| DescribedColumn {
            name: s.to_string(),
            sql_type: "VARCHAR".into(),
            read_only: true,
            ..DescribedColumn::default()
        };
        let mut columns = match self {
            Sys::SqlInfo => Vec::new(),
            _ => vec![text("CatalogName"), text("SchemaName"), text("TableName")],
        };
        columns.extend(self.fields().into_iter().map(|(n, t, d)| DescribedColumn {
            name: n.to_string(),
            sql_type: sql_type(&t),
            description: d.to_string(),
            read_only: true,
            ..DescribedColumn::default()
        }));
        Described {
            schema: schema.to_string(),
            name: self.name().to_string(),
            view: false,
            description: self.description().to_string(),
            updateable: false,
            columns,
        }
    }
}

/// Column names of every catalog table, for name resolution.
pub fn column_names() -> Vec<&'static str> {
    let mut names = vec!["CatalogName", "SchemaName", "TableName"];
    for sys in Sys::ALL {
        names.extend(sys.fields().into_iter().map(|(n, _, _)| n));
    }
    names.sort_unstable();
    names.dedup();
    names
}

/// The tables whose description does not depend on the SharePoint site: the Jira tables of
/// `defs` and the catalog tables, all in `schema`, by name.
pub fn describe(schema: &str, defs: &[&'static TableDef]) -> Arc<Vec<Described>> {
    let mut fixed: Vec<Described> = defs.iter().map(|d| from_def(schema, d)).collect();
    fixed.extend(Sys::ALL.iter().map(|s| s.described(schema)));
    fixed.sort_by_key(|t| t.name.to_lowercase());
    Arc::new(fixed)
}

/// The catalog tables of `catalog`: `fixed` and, once `lists` holds the SharePoint schema,
/// the site's lists.
pub fn tables(
    catalog: &str,
    fixed: &Arc<Vec<Described>>,
    lists: &Arc<OnceLock<Arc<SharePointSchema>>>,
) -> Vec<(&'static str, SysTable)> {
    Sys::ALL
        .into_iter()
        .map(|sys| {
            let table = SysTable {
                sys,
                catalog: catalog.to_string(),
                fixed: Arc::clone(fixed),
                lists: Arc::clone(lists),
            };
            (sys.name(), table)
        })
        .collect()
}

/// `fixed` and the lists of the SharePoint site, if there is one.
pub async fn everything(
    fixed: &[Described],
    lists: &OnceLock<Arc<SharePointSchema>>,
) -> Result<Vec<Described>> {
    let mut all = fixed.to_vec();
    if let Some(sharepoint) = lists.get() {
        all.extend(sharepoint.describe_lists().await?);
    }
    Ok(all)
}

/// A catalog table: its rows are built when it is read, so lists added to the SharePoint
/// site since the session started are in it.
#[derive(Debug)]
pub struct SysTable {
    sys: Sys,
    catalog: String,
    fixed: Arc<Vec<Described>>,
    lists: Arc<OnceLock<Arc<SharePointSchema>>>,
}

impl SysTable {
    async fn rows(&self) -> Result<RecordBatch> {
        let all = everything(&self.fixed, &self.lists).await?;
        let columns = match self.sys {
            Sys::Tables => table_rows(&all, |_| true),
            Sys::Views => table_rows(&all, |t| t.view),
            Sys::Columns => column_rows(&all),
            Sys::Keys => key_rows(&all),
            Sys::SqlInfo => sql_info(),
        };
        let columns = match self.sys {
            Sys::SqlInfo => columns.1,
            _ => {
                let names = columns.0;
                let n = names.len();
                let mut leading = vec![
                    same(&self.catalog, n),
                    text(names.iter().map(|(s, _)| Some(s.clone()))),
                    text(names.iter().map(|(_, t)| Some(t.clone()))),
                ];
                leading.extend(columns.1);
                leading
            }
        };
        Ok(RecordBatch::try_new(self.sys.schema(), columns)?)
    }
}

#[async_trait]
impl TableProvider for SysTable {
    fn schema(&self) -> SchemaRef {
        self.sys.schema()
    }

    fn table_type(&self) -> TableType {
        TableType::Base
    }

    async fn scan(
        &self,
        state: &dyn Session,
        projection: Option<&Vec<usize>>,
        filters: &[Expr],
        limit: Option<usize>,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        let batch = self.rows().await?;
        MemTable::try_new(self.sys.schema(), vec![vec![batch]])?
            .scan(state, projection, filters, limit)
            .await
    }
}

/// Rows of a catalog table: each row's (schema, table), then the other columns.
type Rows = (Vec<(String, String)>, Vec<ArrayRef>);

fn table_rows(all: &[Described], keep: impl Fn(&Described) -> bool) -> Rows {
    let list: Vec<&Described> = all.iter().filter(|t| keep(t)).collect();
    (
        list.iter()
            .map(|t| (t.schema.clone(), t.name.clone()))
            .collect(),
        vec![
            text(
                list.iter()
                    .map(|t| Some(if t.view { "VIEW" } else { "TABLE" }.to_string())),
            ),
            text(list.iter().map(|t| Some(t.description.clone()))),
            flag(list.iter().map(|t| t.updateable)),
        ],
    )
}

fn column_rows(all: &[Described]) -> Rows {
    let cols: Vec<(&Described, usize, &DescribedColumn)> = all
        .iter()
        .flat_map(|t| t.columns.iter().enumerate().map(move |(i, c)| (t, i, c)))
        .collect();
    (
        cols.iter()
            .map(|(t, _, _)| (t.schema.clone(), t.name.clone()))
            .collect(),
        vec![
            text(cols.iter().map(|(_, _, c)| Some(c.name.clone()))),
            text(cols.iter().map(|(_, _, c)| Some(c.sql_type.clone()))),
            flag(cols.iter().map(|(_, _, c)| !c.key)),
            text(cols.iter().map(|(_, _, c)| Some(c.description.clone()))),
            Arc::new(Int64Array::from_iter_values(
                cols.iter().map(|(_, i, _)| *i as i64 + 1),
            )),
            flag(cols.iter().map(|(_, _, c)| c.key)),
            flag(cols.iter().map(|(_, _, c)| c.read_only)),
            flag(cols.iter().map(|(_, _, c)| c.rule.is_some())),
            text(cols.iter().map(|(_, _, c)| c.jql_field.clone())),
            text(cols.iter().map(|(_, _, c)| c.rule.clone())),
        ],
    )
}

/// Keys, then the columns that name a row of another table.
fn key_rows(all: &[Described]) -> Rows {
    let mut rows: Vec<(&Described, &DescribedColumn, i64, bool)> = Vec::new();
    for t in all {
        let keys = t.columns.iter().filter(|c| c.key);
        rows.extend(keys.zip(1..).map(|(c, seq)| (t, c, seq, true)));
        let foreign = t.columns.iter().filter(|c| !c.key && c.foreign);
        rows.extend(foreign.map(|c| (t, c, 0, false)));
    }
    (
        rows.iter()
            .map(|r| (r.0.schema.clone(), r.0.name.clone()))
            .collect(),
        vec![
            text(rows.iter().map(|r| Some(r.1.name.clone()))),
            Arc::new(Int64Array::from_iter_values(rows.iter().map(|r| r.2))),
            flag(rows.iter().map(|r| r.3)),
            flag(rows.iter().map(|r| r.1.foreign)),
        ],
    )
}

fn sql_info() -> Rows {
    let rows: Vec<(&str, &str)> = vec![
        ("PRODUCT", "jiraql"),
        ("VERSION", env!("CARGO_PKG_VERSION")),
        ("SQL_DIALECT", "DataFusion SQL (PostgreSQL-like)"),
        (
            "IDENTIFIER_CASE",
            "insensitive; results keep declared names",
        ),
        (
            "SUPPORTED_OPERATORS",
            "= <> < <= > >= IN NOT IN IS NULL IS NOT NULL LIKE ILIKE AND OR NOT",
        ),
        (
            "PUSHDOWN_OPERATORS",
            "= <> < <= > >= IN NOT IN IS NULL IS NOT NULL LIKE AND OR; per column in sys_tablecolumns.PushdownRule",
        ),
        (
            "PUSHDOWN_LIMIT",
            "LIMIT becomes the page size and stops paging when every condition is exact",
        ),
        (
            "PUSHDOWN_PROJECTION",
            "selected columns become fields= on issue searches",
        ),
        (
            "PUSHDOWN_KEY_LOOKUP",
            "Issues Key = / Id = reads one issue with GET issue/{key}; worklogs and comments by Id are read by id",
        ),
        ("SUPPORTS_JOINS", "true (in DataFusion)"),
        ("SUPPORTS_AGGREGATES", "true (in DataFusion)"),
        (
            "WRITES",
            "INSERT, UPDATE and DELETE on the tables sys_tables.IsUpdateable marks; INSERT, MERGE, UPDATE and DELETE on SharePoint lists; CREATE TABLE, ALTER TABLE ADD COLUMN and DROP TABLE make and remove lists",
        ),
    ];
    (
        Vec::new(),
        vec![
            text(rows.iter().map(|r| Some(r.0.to_string()))),
            text(rows.iter().map(|r| Some(r.1.to_string()))),
        ],
    )
}

fn text(values: impl IntoIterator<Item = Option<String>>) -> ArrayRef {
    Arc::new(StringArray::from_iter(values))
}

fn same(value: &str, n: usize) -> ArrayRef {
    text(std::iter::repeat_n(Some(value.to_string()), n))
}

fn flag(values: impl IntoIterator<Item = bool>) -> ArrayRef {
    Arc::new(BooleanArray::from_iter(values.into_iter().map(Some)))
}

/// A Jira table as the catalog describes it.
fn from_def(schema: &str, def: &'static TableDef) -> Described {
    Described {
        schema: schema.to_string(),
        name: def.name.to_string(),
        view: def.view,
        description: def.description.to_string(),
        updateable: !matches!(def.writes, Writes::None),
        columns: def
            .columns
            .iter()
            .map(|c| DescribedColumn {
                name: c.name.to_string(),
                sql_type: jira_type(c.data_type).to_string(),
                description: c.description.to_string(),
                key: c.key,
                foreign: matches!(c.source, Source::Parent(_)),
                read_only: c.write.is_none(),
                rule: pushdown_rule(def, c),
                jql_field: c
                    .filter
                    .map(|f| f.jql.to_string())
                    .filter(|j| !j.is_empty()),
            })
            .collect(),
    }
}

/// The SQL name of a Jira column type.
fn jira_type(t: ColumnType) -> &'static str {
    match t {
        ColumnType::Text => "VARCHAR",
        ColumnType::Int => "BIGINT",
        ColumnType::Float => "DOUBLE",
        ColumnType::Bool => "BOOLEAN",
        ColumnType::Timestamp => "TIMESTAMP WITH TIME ZONE",
        ColumnType::Date => "DATE",
        ColumnType::TextList => "VARCHAR[]",
    }
}

/// The SQL name of an Arrow type, as the catalog writes them.
pub fn sql_type(t: &DataType) -> String {
    match t {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => "VARCHAR".into(),
        DataType::Int64 => "BIGINT".into(),
        DataType::Int32 => "INT".into(),
        DataType::Float64 => "DOUBLE".into(),
        DataType::Boolean => "BOOLEAN".into(),
        DataType::Date32 | DataType::Date64 => "DATE".into(),
        DataType::Timestamp(_, Some(_)) => "TIMESTAMP WITH TIME ZONE".into(),
        DataType::Timestamp(_, None) => "TIMESTAMP".into(),
        DataType::List(item) | DataType::LargeList(item) => {
            format!("{}[]", sql_type(item.data_type()))
        }
        other => other.to_string(),
    }
}

/// Whether conditions on the column reach Jira, and how.
pub fn pushdown_rule(table: &'static TableDef, column: &ColumnDef) -> Option<String> {
    super::access::shape(table).rule(column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sql_types_read_like_sql() {
        assert_eq!(sql_type(&DataType::Utf8), "VARCHAR");
        let list = DataType::List(Arc::new(Field::new("item", DataType::Utf8, true)));
        assert_eq!(sql_type(&list), "VARCHAR[]");
        let ts = DataType::Timestamp(
            datafusion::arrow::datatypes::TimeUnit::Millisecond,
            Some("UTC".into()),
        );
        assert_eq!(sql_type(&ts), "TIMESTAMP WITH TIME ZONE");
    }
}
