//! What the REPL knows of the session's tables: names, kinds, columns and descriptions, read
//! from the DataFusion catalog (so views a user creates and tables added to the engine appear
//! without changes here), with the Jira table declarations adding descriptions and pushdown.
//! Completion, `\dt`, `\d` and `\preview` use it.

use std::sync::Arc;

use datafusion::arrow::array::{RecordBatch, StringArray};
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use datafusion::logical_expr::TableType;

use crate::engine::session::{CATALOG, JIRA_SCHEMA};
use crate::engine::{Engine, catalog};
use crate::jira::tables::TableDef;

/// A snapshot of the session's tables and functions.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    pub tables: Vec<TableInfo>,
    /// Scalar, aggregate and window function names, lower case.
    pub functions: Vec<String>,
}

/// One table or view.
#[derive(Debug, Clone)]
pub struct TableInfo {
    /// Schema it lives in; the default schema's tables are named without it.
    pub schema: String,
    pub name: String,
    pub kind: TableType,
    pub columns: SchemaRef,
    /// The Jira declaration behind it, for descriptions and pushdown.
    pub def: Option<&'static TableDef>,
    /// What the engine's catalog says of it (lists and catalog tables).
    pub described: Option<String>,
    /// A view's SQL.
    pub definition: Option<String>,
}

impl TableInfo {
    /// How to name it in SQL: `Issues`, or `sys.Something` outside the default schema.
    pub fn qualified_name(&self) -> String {
        if self.schema == JIRA_SCHEMA {
            self.name.clone()
        } else {
            format!("{}.{}", self.schema, self.name)
        }
    }

    /// Whether `name` (`Issues`, `jira.issues`, ...) names this table, ignoring case.
    pub fn is_named(&self, name: &str) -> bool {
        match name.rsplit_once('.') {
            Some((schema, table)) => {
                schema.eq_ignore_ascii_case(&self.schema) && table.eq_ignore_ascii_case(&self.name)
            }
            None => name.eq_ignore_ascii_case(&self.name),
        }
    }

    fn description(&self) -> String {
        if let Some(def) = self.def {
            return def.description.to_string();
        }
        if let Some(text) = &self.described {
            return text.clone();
        }
        match &self.definition {
            Some(sql) => one_line(sql),
            None => String::new(),
        }
    }

    fn kind_name(&self) -> &'static str {
        match self.kind {
            TableType::Base => "table",
            TableType::View => "view",
            TableType::Temporary => "temporary table",
        }
    }
}

impl Catalog {
    /// Reads every schema of the session's catalog but `information_schema` (the SharePoint
    /// site's lists included: this asks the site for them and their columns).
    pub async fn load(engine: &Engine) -> Catalog {
        // SharePoint lists are otherwise known only once a statement names them.
        if let Some(sharepoint) = engine.sharepoint_schema() {
            sharepoint.discover().await;
        }
        // Descriptions of lists and catalog tables; without the site, none for its lists.
        let described: Vec<(String, String, String)> = engine
            .described()
            .await
            .unwrap_or_default()
            .into_iter()
            .map(|d| (d.schema, d.name.to_lowercase(), d.description))
            .collect();
        let description_of = |schema: &str, name: &str| {
            described
                .iter()
                .find(|(s, n, _)| s == schema && *n == name.to_lowercase())
                .map(|(_, _, d)| d.clone())
        };
        let ctx = engine.context();
        let mut tables = Vec::new();
        if let Some(catalog) = ctx.catalog(CATALOG) {
            let mut schemas = catalog.schema_names();
            schemas.retain(|s| s != "information_schema");
            // The default schema first, then the others by name.
            schemas.sort_by_key(|s| (s != JIRA_SCHEMA, s.clone()));
            for schema_name in schemas {
                let Some(schema) = catalog.schema(&schema_name) else {
                    continue;
                };
                let mut names = schema.table_names();
                names.sort_by_key(|n| n.to_lowercase());
                for name in names {
                    // A table that cannot be read now is left out of completion, not an error.
                    let Ok(Some(provider)) = schema.table(&name).await else {
                        continue;
                    };
                    let def = (schema_name == JIRA_SCHEMA)
                        .then(|| engine.table_def(&name))
                        .flatten();
                    tables.push(TableInfo {
                        def,
                        described: description_of(&schema_name, &name),
                        kind: provider.table_type(),
                        columns: provider.schema(),
                        definition: provider.get_table_definition().map(str::to_string),
                        schema: schema_name.clone(),
                        name,
                    });
                }
            }
        }
        let state = ctx.state();
        let mut functions: Vec<String> = state
            .scalar_functions()
            .keys()
            .chain(state.aggregate_functions().keys())
            .chain(state.window_functions().keys())
            .map(|f| f.to_lowercase())
            .collect();
        functions.sort();
        functions.dedup();
        Catalog { tables, functions }
    }

    /// The table `name` names, ignoring case; `schema.name` for other schemas.
    pub fn find(&self, name: &str) -> Option<&TableInfo> {
        self.tables.iter().find(|t| t.is_named(name))
    }

    /// `\dt`: one row per table.
    pub fn tables_listing(&self) -> (SchemaRef, RecordBatch) {
        text_batch(
            &["Table", "Kind", "Description"],
            self.tables
                .iter()
                .map(|t| {
                    vec![
                        t.qualified_name(),
                        t.kind_name().to_string(),
                        t.description(),
                    ]
                })
                .collect(),
        )
    }

    /// `\d TABLE`: one row per column.
    pub fn columns_listing(table: &TableInfo) -> (SchemaRef, RecordBatch) {
        text_batch(
            &["Column", "Type", "Pushed down to Jira", "Description"],
            table
                .columns
                .fields()
                .iter()
                .map(|field| {
                    let declared = table.def.and_then(|d| Some((d, d.column(field.name())?)));
                    vec![
                        field.name().clone(),
                        catalog::sql_type(field.data_type()),
                        declared
                            .and_then(|(d, c)| catalog::pushdown_rule(d, c))
                            .unwrap_or_default(),
                        declared
                            .map(|(_, c)| c.description.to_string())
                            .unwrap_or_default(),
                    ]
                })
                .collect(),
        )
    }
}

/// A result of text columns, for meta commands that print tables.
fn text_batch(headers: &[&str], rows: Vec<Vec<String>>) -> (SchemaRef, RecordBatch) {
    let schema: SchemaRef = Arc::new(Schema::new(
        headers
            .iter()
            .map(|h| Field::new(*h, DataType::Utf8, false))
            .collect::<Vec<_>>(),
    ));
    let columns = (0..headers.len())
        .map(|i| {
            Arc::new(StringArray::from_iter_values(
                rows.iter().map(|r| r.get(i).map_or("", String::as_str)),
            )) as _
        })
        .collect();
    // Columns and schema are built together above, so they always agree.
    let batch = RecordBatch::try_new(schema.clone(), columns)
        .unwrap_or_else(|_| RecordBatch::new_empty(schema.clone()));
    (schema, batch)
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
