//! The DataFusion table provider over a Jira table declaration.

use std::sync::Arc;

use async_trait::async_trait;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::catalog::{Session, TableProvider};
use datafusion::datasource::TableType;
use datafusion::error::Result;
use datafusion::logical_expr::{Expr, TableProviderFilterPushDown};
use datafusion::physical_plan::ExecutionPlan;

use super::access;
use super::decode::table_schema;
use super::plan::AccessPlan;
use super::scan::JiraScanExec;
use crate::jira::client::JiraClient;
use crate::jira::tables::TableDef;

/// A Jira table as DataFusion sees it.
#[derive(Debug)]
pub struct JiraTable {
    def: &'static TableDef,
    schema: SchemaRef,
    client: JiraClient,
}

impl JiraTable {
    pub fn new(def: &'static TableDef, client: JiraClient) -> Self {
        JiraTable {
            def,
            schema: table_schema(def),
            client,
        }
    }

    pub fn def(&self) -> &'static TableDef {
        self.def
    }

    /// How one filter is pushed down; decided per filter, without I/O.
    pub fn pushdown(&self, filter: &Expr) -> TableProviderFilterPushDown {
        access::shape(self.def).pushdown(filter)
    }
}

#[async_trait]
impl TableProvider for JiraTable {
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
        Ok(filters.iter().map(|f| self.pushdown(f)).collect())
    }

    async fn scan(
        &self,
        _state: &dyn Session,
        projection: Option<&Vec<usize>>,
        filters: &[Expr],
        limit: Option<usize>,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        let projection: Vec<usize> = match projection {
            Some(p) => p.clone(),
            None => (0..self.def.columns.len()).collect(),
        };
        let plan = AccessPlan::choose(self.def, &projection, filters, limit);
        Ok(Arc::new(JiraScanExec::new(
            self.def,
            self.client.clone(),
            plan,
            &projection,
            Arc::new(self.schema.project(&projection)?),
        )))
    }
}
