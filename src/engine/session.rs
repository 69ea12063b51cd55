//! The engine a caller talks to: parse, resolve names, plan and run statements.

use std::sync::Arc;

use datafusion::catalog::{
    CatalogProvider, MemoryCatalogProvider, MemorySchemaProvider, SchemaProvider,
};
use datafusion::error::{DataFusionError, Result};
use datafusion::execution::SendableRecordBatchStream;
use datafusion::prelude::{SessionConfig, SessionContext};
use datafusion::sql::parser::{DFParser, Statement as DFStatement};
use datafusion::sql::sqlparser::dialect::GenericDialect;

use super::catalog;
use super::identifiers::{self, Names};
use super::provider::JiraTable;
use crate::jira::client::JiraClient;
use crate::jira::tables::{self, CustomField, TableDef, custom_fields};

/// The catalog every table lives in.
pub const CATALOG: &str = "jiraql";
/// The default schema: `Worklogs` and `jira.Worklogs` name the same table.
pub const JIRA_SCHEMA: &str = "jira";

/// A SQL session over one Jira connection.
pub struct Engine {
    ctx: SessionContext,
    client: JiraClient,
    names: Names,
    /// The Jira tables, `Issues` with the site's custom fields.
    tables: Vec<&'static TableDef>,
}

impl Engine {
    /// Connects: reads the site's custom fields (one `GET field`) so that they become columns,
    /// then sets up the session. A site whose fields cannot be read (a wrong token, no network)
    /// still gets a session with the built-in columns, and its first query says what is wrong.
    pub async fn connect(client: JiraClient) -> Result<Self> {
        let fields = match client.get_platform("field", &[]).await {
            Ok(list) => custom_fields::from_field_list(&list),
            Err(e) => {
                tracing::warn!("custom fields not read, Issues has its built-in columns only: {e}");
                Vec::new()
            }
        };
        Self::with_custom_fields(client, &fields)
    }

    /// A session whose `Issues` has columns for `fields` (and no network use).
    pub fn with_custom_fields(client: JiraClient, fields: &[CustomField]) -> Result<Self> {
        let custom = custom_fields::tables(fields);
        let mut defs: Vec<&'static TableDef> = tables::all()
            .iter()
            .map(|t| {
                if t.name == custom.issues.name {
                    custom.issues
                } else {
                    *t
                }
            })
            .collect();
        defs.push(custom.values);
        defs.sort_by_key(|t| t.name);
        let mut config = SessionConfig::new()
            .with_default_catalog_and_schema(CATALOG, JIRA_SCHEMA)
            .with_information_schema(true);
        let options = config.options_mut();
        // Names are resolved ignoring case by `identifiers`; DataFusion must then keep them.
        options.sql_parser.enable_ident_normalization = false;
        // Round-robin repartitioning polls a scan ahead of what a LIMIT needs.
        options.optimizer.enable_round_robin_repartition = false;
        let ctx = SessionContext::new_with_config(config);

        let schema = Arc::new(MemorySchemaProvider::new());
        let mut names = Names::default();
        names.add(JIRA_SCHEMA);
        for &def in &defs {
            schema.register_table(
                def.name.to_string(),
                Arc::new(JiraTable::new(def, client.clone())),
            )?;
            names.add(def.name);
            def.columns.iter().for_each(|c| names.add(c.name));
        }
        for (name, table) in catalog::tables(CATALOG, JIRA_SCHEMA, &defs)? {
            schema.register_table(name.to_string(), Arc::new(table))?;
            names.add(name);
        }
        catalog::column_names().iter().for_each(|c| names.add(c));
        let catalog = Arc::new(MemoryCatalogProvider::new());
        catalog.register_schema(JIRA_SCHEMA, schema)?;
        ctx.register_catalog(CATALOG, catalog);
        Ok(Engine {
            ctx,
            client,
            names,
            tables: defs,
        })
    }

    /// The Jira tables of this session, in catalog order.
    pub fn tables(&self) -> &[&'static TableDef] {
        &self.tables
    }

    /// A Jira table of this session by name, ignoring case.
    pub fn table_def(&self, name: &str) -> Option<&'static TableDef> {
        self.tables
            .iter()
            .copied()
            .find(|t| t.name.eq_ignore_ascii_case(name))
    }

    pub fn client(&self) -> &JiraClient {
        &self.client
    }

    pub fn context(&self) -> &SessionContext {
        &self.ctx
    }

    /// Splits `sql` into statements and resolves their names.
    pub fn parse(&self, sql: &str) -> Result<Vec<DFStatement>> {
        let dialect = GenericDialect {};
        let mut statements: Vec<DFStatement> =
            DFParser::parse_sql_with_dialect(sql, &dialect)?.into();
        for s in &mut statements {
            identifiers::resolve(s, &self.names);
        }
        Ok(statements)
    }

    /// Plans and starts one statement; rows arrive as the stream is polled.
    pub async fn execute(&self, statement: DFStatement) -> Result<SendableRecordBatchStream> {
        let state = self.ctx.state();
        let plan = state.statement_to_plan(statement).await?;
        let frame = self.ctx.execute_logical_plan(plan).await?;
        frame.execute_stream().await
    }

    /// Runs `sql` (one statement) and collects its rows; convenient for tests and tools.
    pub async fn query(&self, sql: &str) -> Result<Vec<datafusion::arrow::array::RecordBatch>> {
        let mut statements = self.parse(sql)?;
        let statement = match (statements.pop(), statements.is_empty()) {
            (Some(s), true) => s,
            _ => {
                return Err(DataFusionError::Plan(
                    "expected exactly one SQL statement".to_string(),
                ));
            }
        };
        let stream = self.execute(statement).await?;
        datafusion::physical_plan::common::collect(stream).await
    }
}
