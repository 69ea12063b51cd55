//! The `sys_*` catalog (CData's names): tables, columns, keys and pushdown rules, generated
//! from the table declarations so it cannot disagree with them.

use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, BooleanArray, Int64Array, RecordBatch, StringArray};
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::catalog::MemTable;
use datafusion::error::Result;

use crate::jira::tables::{
    Access, BulkByIssue, ColumnDef, ColumnType, Embedded, EmbeddedItems, IssueItems, Source,
    TableDef, Writes,
};

/// The catalog tables describing `defs`, by name.
pub fn tables(
    catalog: &str,
    schema: &str,
    defs: &[&'static TableDef],
) -> Result<Vec<(&'static str, MemTable)>> {
    Ok(vec![
        ("sys_tables", table_list(catalog, schema, defs, |_| true)?),
        ("sys_views", table_list(catalog, schema, defs, |t| t.view)?),
        ("sys_tablecolumns", columns(catalog, schema, defs)?),
        ("sys_keycolumns", keys(catalog, schema, defs)?),
        ("sys_sqlinfo", sql_info()?),
    ])
}

/// Column names of every catalog table, for name resolution.
pub fn column_names() -> &'static [&'static str] {
    &[
        "CatalogName",
        "SchemaName",
        "TableName",
        "TableType",
        "Description",
        "IsUpdateable",
        "ColumnName",
        "DataTypeName",
        "IsNullable",
        "Ordinal",
        "IsKey",
        "IsReadOnly",
        "PushesDown",
        "JqlField",
        "PushdownRule",
        "KeySeq",
        "IsForeignKey",
        "Name",
        "Value",
    ]
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

fn memtable(fields: Vec<(&str, DataType)>, columns: Vec<ArrayRef>) -> Result<MemTable> {
    let schema = Arc::new(Schema::new(
        fields
            .into_iter()
            .map(|(n, t)| Field::new(n, t, true))
            .collect::<Vec<_>>(),
    ));
    let batch = RecordBatch::try_new(schema.clone(), columns)?;
    MemTable::try_new(schema, vec![vec![batch]])
}

/// A catalog table whose rows each describe something of one Jira table: the leading
/// CatalogName, SchemaName and TableName columns, then `fields`.
fn per_table(
    catalog: &str,
    schema: &str,
    table_names: impl Iterator<Item = &'static str>,
    fields: Vec<(&str, DataType)>,
    columns: Vec<ArrayRef>,
) -> Result<MemTable> {
    let names: Vec<Option<String>> = table_names.map(|t| Some(t.to_string())).collect();
    let n = names.len();
    let mut all_fields = vec![
        ("CatalogName", DataType::Utf8),
        ("SchemaName", DataType::Utf8),
        ("TableName", DataType::Utf8),
    ];
    all_fields.extend(fields);
    let mut all_columns = vec![same(catalog, n), same(schema, n), text(names)];
    all_columns.extend(columns);
    memtable(all_fields, all_columns)
}

fn table_list(
    catalog: &str,
    schema: &str,
    defs: &[&'static TableDef],
    keep: impl Fn(&TableDef) -> bool,
) -> Result<MemTable> {
    let list: Vec<&TableDef> = defs.iter().copied().filter(|t| keep(t)).collect();
    per_table(
        catalog,
        schema,
        list.iter().map(|t| t.name),
        vec![
            ("TableType", DataType::Utf8),
            ("Description", DataType::Utf8),
            ("IsUpdateable", DataType::Boolean),
        ],
        vec![
            text(
                list.iter()
                    .map(|t| Some(if t.view { "VIEW" } else { "TABLE" }.to_string())),
            ),
            text(list.iter().map(|t| Some(t.description.to_string()))),
            flag(list.iter().map(|t| !matches!(t.writes, Writes::None))),
        ],
    )
}

/// The SQL name of a column type.
fn sql_type(t: ColumnType) -> &'static str {
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

/// Every (table, column) pair in declaration order.
fn all_columns(defs: &[&'static TableDef]) -> Vec<(&'static TableDef, usize, &'static ColumnDef)> {
    defs.iter()
        .flat_map(|t| t.columns.iter().enumerate().map(move |(i, c)| (*t, i, c)))
        .collect()
}

/// Whether conditions on the column reach Jira, and how.
pub fn pushdown_rule(table: &TableDef, column: &ColumnDef) -> Option<String> {
    if let Access::IssueItems(IssueItems {
        bulk:
            Some(BulkByIssue {
                path,
                filter: Some(f),
                ..
            }),
        ..
    }) = &table.access
        && f.column == column.name
    {
        return Some(format!(
            "= IN (up to {}): {path}'s {} when issues are read in bulk (prefilter)",
            f.cap, f.body
        ));
    }
    if let Access::IssueItems(IssueItems {
        embedded:
            Some(Embedded {
                items: EmbeddedItems::CustomFieldValues { narrowed_by, .. },
                ..
            }),
        ..
    }) = &table.access
        && *narrowed_by == column.name
    {
        return Some("= IN: only those fields are requested (prefilter)".to_string());
    }
    if column.key {
        match &table.access {
            Access::IssueChildren { bulk, .. } => {
                return Some(format!("= IN: those ids through {} (prefilter)", bulk.list));
            }
            Access::IssueItems(IssueItems {
                by_id: Some(by_id), ..
            }) => {
                return Some(format!(
                    "= IN: those ids through {} (prefilter)",
                    by_id.list
                ));
            }
            _ => {}
        }
    }
    let spec = column.filter?;
    let mut rule = match &table.access {
        Access::PerParent { .. } => "= IN: only those parents are read".to_string(),
        Access::IssueChildren { .. } => match column.source {
            Source::Parent(_) | Source::Path("issueId") => {
                "= IN: only those issues' endpoints are read".to_string()
            }
            _ => "bounds narrow the bulk or per-issue calls (prefilter)".to_string(),
        },
        _ => spec.kind.describe().to_string(),
    };
    if spec.empty {
        rule.push_str("; IS [NOT] NULL: exact");
    }
    Some(rule)
}

fn columns(catalog: &str, schema: &str, defs: &[&'static TableDef]) -> Result<MemTable> {
    let cols = all_columns(defs);
    per_table(
        catalog,
        schema,
        cols.iter().map(|(t, _, _)| t.name),
        vec![
            ("ColumnName", DataType::Utf8),
            ("DataTypeName", DataType::Utf8),
            ("IsNullable", DataType::Boolean),
            ("Description", DataType::Utf8),
            ("Ordinal", DataType::Int64),
            ("IsKey", DataType::Boolean),
            ("IsReadOnly", DataType::Boolean),
            ("PushesDown", DataType::Boolean),
            ("JqlField", DataType::Utf8),
            ("PushdownRule", DataType::Utf8),
        ],
        vec![
            text(cols.iter().map(|(_, _, c)| Some(c.name.to_string()))),
            text(
                cols.iter()
                    .map(|(_, _, c)| Some(sql_type(c.data_type).to_string())),
            ),
            flag(cols.iter().map(|(_, _, c)| !c.key)),
            text(cols.iter().map(|(_, _, c)| Some(c.description.to_string()))),
            Arc::new(Int64Array::from_iter_values(
                cols.iter().map(|(_, i, _)| *i as i64 + 1),
            )),
            flag(cols.iter().map(|(_, _, c)| c.key)),
            flag(cols.iter().map(|(_, _, c)| c.write.is_none())),
            flag(cols.iter().map(|(t, _, c)| pushdown_rule(t, c).is_some())),
            text(cols.iter().map(|(_, _, c)| {
                c.filter
                    .map(|f| f.jql.to_string())
                    .filter(|j| !j.is_empty())
            })),
            text(cols.iter().map(|(t, _, c)| pushdown_rule(t, c))),
        ],
    )
}

fn keys(catalog: &str, schema: &str, defs: &[&'static TableDef]) -> Result<MemTable> {
    // Keys, then the parent references (foreign keys) of child and per-parent tables.
    let mut rows: Vec<(&TableDef, &ColumnDef, i64, bool, bool)> = Vec::new();
    for t in defs {
        let mut seq = 0;
        for c in t.columns.iter().filter(|c| c.key) {
            seq += 1;
            let foreign = matches!(c.source, Source::Parent(_));
            rows.push((t, c, seq, true, foreign));
        }
        for c in t
            .columns
            .iter()
            .filter(|c| !c.key && matches!(c.source, Source::Parent(_)))
        {
            rows.push((t, c, 0, false, true));
        }
    }
    per_table(
        catalog,
        schema,
        rows.iter().map(|r| r.0.name),
        vec![
            ("ColumnName", DataType::Utf8),
            ("KeySeq", DataType::Int64),
            ("IsKey", DataType::Boolean),
            ("IsForeignKey", DataType::Boolean),
        ],
        vec![
            text(rows.iter().map(|r| Some(r.1.name.to_string()))),
            Arc::new(Int64Array::from_iter_values(rows.iter().map(|r| r.2))),
            flag(rows.iter().map(|r| r.3)),
            flag(rows.iter().map(|r| r.4)),
        ],
    )
}

fn sql_info() -> Result<MemTable> {
    let rows: Vec<(&str, String)> = vec![
        ("PRODUCT", "jiraql".into()),
        ("VERSION", env!("CARGO_PKG_VERSION").into()),
        ("SQL_DIALECT", "DataFusion SQL (PostgreSQL-like)".into()),
        ("IDENTIFIER_CASE", "insensitive; results keep declared names".into()),
        ("SUPPORTED_OPERATORS", "= <> < <= > >= IN NOT IN IS NULL IS NOT NULL LIKE ILIKE AND OR NOT".into()),
        ("PUSHDOWN_OPERATORS", "= <> < <= > >= IN NOT IN IS NULL IS NOT NULL LIKE AND OR; per column in sys_tablecolumns.PushdownRule".into()),
        ("PUSHDOWN_LIMIT", "LIMIT becomes the page size and stops paging when every condition is exact".into()),
        ("PUSHDOWN_PROJECTION", "selected columns become fields= on issue searches".into()),
        ("PUSHDOWN_KEY_LOOKUP", "Issues Key = / Id = reads one issue with GET issue/{key}".into()),
        ("SUPPORTS_JOINS", "true (in DataFusion)".into()),
        ("SUPPORTS_AGGREGATES", "true (in DataFusion)".into()),
        ("WRITES", "none: Jira tables are read-only".into()),
    ];
    memtable(
        vec![("Name", DataType::Utf8), ("Value", DataType::Utf8)],
        vec![
            text(rows.iter().map(|r| Some(r.0.to_string()))),
            text(rows.iter().map(|r| Some(r.1.clone()))),
        ],
    )
}
