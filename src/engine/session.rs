//! The engine a caller talks to: parse, resolve names, plan and run statements.

use std::sync::{Arc, Mutex, OnceLock};

use datafusion::catalog::{
    CatalogProvider, MemoryCatalogProvider, MemorySchemaProvider, SchemaProvider, TableProvider,
};
use datafusion::error::{DataFusionError, Result};
use datafusion::execution::SendableRecordBatchStream;
use datafusion::prelude::{SessionConfig, SessionContext};
use datafusion::sql::parser::{DFParser, Statement as DFStatement};
use datafusion::sql::sqlparser::ast::Statement;
use datafusion::sql::sqlparser::dialect::GenericDialect;

use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::physical_plan::stream::RecordBatchStreamAdapter;

use super::catalog::{self, Described};
use super::copy::TableCopy;
use super::identifiers::{self, Names};
use super::jira_dml;
use super::provider::JiraTable;
use super::sharepoint::SharePointSchema;
use super::sharepoint::dml;
use super::writes::report_batch;
use crate::jira::client::JiraClient;
use crate::jira::tables::{self, CustomField, TableDef, custom_fields};
use crate::sharepoint::{Directory, GraphClient, WriteReport};

/// The catalog every table lives in.
pub const CATALOG: &str = "jiraql";
/// The default schema: `Worklogs` and `jira.Worklogs` name the same table.
pub const JIRA_SCHEMA: &str = "jira";

/// A SQL session over one Jira connection, and optionally one SharePoint site.
pub struct Engine {
    ctx: SessionContext,
    client: JiraClient,
    names: Names,
    sharepoint: Option<Arc<SharePointSchema>>,
    /// `--dry-run`: writes are planned and counted, not sent.
    dry_run: bool,
    /// `--allow-all-rows`: UPDATE and DELETE may go without WHERE.
    allow_all_rows: bool,
    /// `--allow-drop`: DROP TABLE may delete a SharePoint list.
    allow_drop: bool,
    /// Why writes to Jira are refused, when they are (reading a mirror).
    read_only: Option<String>,
    /// Tables read from a copy instead of Jira.
    copies: Vec<TableCopy>,
    last_write: Mutex<Option<WriteReport>>,
    /// The Jira tables, `Issues` with the site's custom fields.
    tables: Vec<&'static TableDef>,
    /// The catalog's description of the Jira and catalog tables.
    described: Arc<Vec<Described>>,
    /// The SharePoint schema once there is one, shared with the catalog tables.
    lists: Arc<OnceLock<Arc<SharePointSchema>>>,
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
        names.add(dml::SCHEMA);
        for &def in &defs {
            schema.register_table(
                def.name.to_string(),
                Arc::new(JiraTable::new(def, client.clone())),
            )?;
            names.add(def.name);
            def.columns.iter().for_each(|c| names.add(c.name));
        }
        let described = catalog::describe(JIRA_SCHEMA, &defs);
        let lists = Arc::new(OnceLock::new());
        for (name, table) in catalog::tables(CATALOG, &described, &lists) {
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
            sharepoint: None,
            dry_run: false,
            allow_all_rows: false,
            allow_drop: false,
            read_only: None,
            copies: Vec::new(),
            last_write: Mutex::new(None),
            tables: defs,
            described,
            lists,
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

    /// Adds the `sharepoint` schema: the lists of the site `graph` connects to.
    pub fn with_sharepoint(mut self, graph: GraphClient) -> Result<Self> {
        let schema = Arc::new(SharePointSchema::new(
            Directory::new(graph),
            self.names.clone(),
        ));
        let catalog = self.ctx.catalog(CATALOG).ok_or_else(|| {
            DataFusionError::Internal(format!("the catalog {CATALOG} is missing"))
        })?;
        catalog.register_schema(dml::SCHEMA, schema.clone())?;
        // Set once: a session has at most one SharePoint site.
        let _ = self.lists.set(Arc::clone(&schema));
        self.sharepoint = Some(schema);
        Ok(self)
    }

    /// Every table a statement can name as the catalog describes it: the Jira tables, the
    /// catalog tables and the SharePoint site's lists (which asks the site for them).
    pub async fn described(&self) -> Result<Vec<Described>> {
        catalog::everything(&self.described, &self.lists).await
    }

    /// Plans writes without sending them.
    pub fn set_dry_run(&mut self, dry_run: bool) {
        self.dry_run = dry_run;
    }

    /// Whether writes are planned only (`--dry-run`).
    pub fn dry_run(&self) -> bool {
        self.dry_run
    }

    /// Lets UPDATE and DELETE without WHERE change every row (`--allow-all-rows`).
    pub fn set_allow_all_rows(&mut self, allow: bool) {
        self.allow_all_rows = allow;
    }

    pub fn allow_all_rows(&self) -> bool {
        self.allow_all_rows
    }

    /// Lets DROP TABLE delete SharePoint lists (`--allow-drop`, or a yes in the REPL).
    pub fn set_allow_drop(&mut self, allow: bool) {
        self.allow_drop = allow;
    }

    pub fn allow_drop(&self) -> bool {
        self.allow_drop
    }

    /// Refuses writes to Jira tables from now on, saying `why`.
    pub fn set_read_only(&mut self, why: String) {
        self.read_only = Some(why);
    }

    /// Notes the tables this session reads from a copy (`--mirror`), for `\verify`.
    pub fn set_copies(&mut self, copies: Vec<TableCopy>) {
        self.copies = copies;
    }

    /// The tables read from a copy.
    pub fn copies(&self) -> &[TableCopy] {
        &self.copies
    }

    /// Why writes to Jira tables are refused, if they are.
    pub fn read_only(&self) -> Option<&str> {
        self.read_only.as_deref()
    }

    /// The SharePoint connection, if there is one.
    pub fn sharepoint(&self) -> Option<&GraphClient> {
        self.sharepoint.as_ref().map(|s| s.directory().client())
    }

    /// The `sharepoint` schema, if there is a SharePoint connection.
    pub fn sharepoint_schema(&self) -> Option<&SharePointSchema> {
        self.sharepoint.as_deref()
    }

    /// `KeyColumn` of the SharePoint connection.
    pub fn sharepoint_key_column(&self) -> Option<String> {
        self.sharepoint()
            .and_then(|c| c.settings().key_column.clone())
    }

    /// What the last writing statement did (taken: a second call gives `None`).
    pub fn take_write_report(&self) -> Option<WriteReport> {
        self.last_write
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
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
        let statement = self.with_list_names(statement).await?;
        if let (DFStatement::Statement(sql), Some(schema)) = (&statement, &self.sharepoint)
            && dml::target(sql).is_some()
        {
            let report = dml::run(self, schema, sql, self.dry_run).await?;
            return self.written(report);
        }
        if let DFStatement::Statement(sql) = &statement
            && let Some(def) = jira_dml::target(self, sql)
        {
            let report = jira_dml::run(self, def, sql).await?;
            return self.written(report);
        }
        let state = self.ctx.state();
        let plan = state.statement_to_plan(statement).await?;
        let frame = self.ctx.execute_logical_plan(plan).await?;
        frame.execute_stream().await
    }

    /// A write's report as the statement's one-row result, kept for [`Engine::take_write_report`].
    fn written(&self, report: WriteReport) -> Result<SendableRecordBatchStream> {
        let batch = report_batch(&report)?;
        *self.last_write.lock().unwrap_or_else(|e| e.into_inner()) = Some(report);
        let schema = batch.schema();
        Ok(Box::pin(RecordBatchStreamAdapter::new(
            schema,
            futures::stream::iter([Ok(batch)]),
        )))
    }

    /// Resolves the SharePoint lists `statement` names, so that their columns, too, can be
    /// written in any case.
    async fn with_list_names(&self, mut statement: DFStatement) -> Result<DFStatement> {
        let Some(schema) = &self.sharepoint else {
            return Ok(statement);
        };
        let relations = identifiers::relations(&statement);
        // information_schema lists the lists it knows: make that all of them.
        let reads_catalog = relations.iter().any(|name| {
            name.0
                .first()
                .and_then(|p| p.as_ident())
                .is_some_and(|i| i.value.eq_ignore_ascii_case("information_schema"))
        }) || matches!(&statement, DFStatement::Statement(s) if matches!(
            s.as_ref(),
            Statement::ShowTables { .. } | Statement::ShowColumns { .. }
        ));
        if reads_catalog {
            schema.discover().await;
        }
        let lists = relations
            .iter()
            .filter_map(dml::list_name)
            .collect::<Vec<_>>();
        if lists.is_empty() {
            return Ok(statement);
        }
        let mut names = self.names.clone();
        for list in lists {
            if let Some(table) = schema.list_table(&list).await? {
                TableProvider::schema(&table)
                    .fields()
                    .iter()
                    .for_each(|f| names.add(f.name()));
            }
        }
        identifiers::resolve(&mut statement, &names);
        Ok(statement)
    }

    /// Runs one query given as text and collects its rows (used to plan writes).
    pub(crate) async fn sql_batches(&self, sql: &str) -> Result<Vec<RecordBatch>> {
        Ok(self.sql_columns_and_batches(sql).await?.1)
    }

    /// Like [`Engine::sql_batches`], with the query's output column names (known even when it
    /// returns no rows).
    pub(crate) async fn sql_columns_and_batches(
        &self,
        sql: &str,
    ) -> Result<(Vec<String>, Vec<RecordBatch>)> {
        let (schema, batches) = self.sql_schema_and_batches(sql).await?;
        let names = schema.fields().iter().map(|f| f.name().clone()).collect();
        Ok((names, batches))
    }

    /// Like [`Engine::sql_batches`], with the query's output schema.
    pub(crate) async fn sql_schema_and_batches(
        &self,
        sql: &str,
    ) -> Result<(SchemaRef, Vec<RecordBatch>)> {
        let plan = self.plan_query(sql).await?;
        let schema = Arc::new(plan.schema().as_arrow().clone());
        let batches = self.ctx.execute_logical_plan(plan).await?.collect().await?;
        Ok((schema, batches))
    }

    async fn plan_query(&self, sql: &str) -> Result<datafusion::logical_expr::LogicalPlan> {
        let mut statements = self.parse(sql)?;
        let statement = match (statements.pop(), statements.is_empty()) {
            (Some(s), true) => s,
            _ => return Err(DataFusionError::Plan("expected exactly one query".into())),
        };
        let statement = self.with_list_names(statement).await?;
        self.ctx.state().statement_to_plan(statement).await
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
