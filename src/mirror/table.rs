//! A mirrored table as a `--mirror` session reads it: its Parquet file, with EXPLAIN saying
//! which mirror it comes from and how old it is (`MirrorScan: Issues as of ... (5 minutes
//! old), from DIR`), so nobody takes a copy for live Jira.

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::catalog::{Session, TableProvider};
use datafusion::common::tree_node::TreeNodeRecursion;
use datafusion::datasource::TableType;
use datafusion::error::Result;
use datafusion::execution::{SendableRecordBatchStream, TaskContext};
use datafusion::logical_expr::{Expr, TableProviderFilterPushDown};
use datafusion::physical_expr::PhysicalExpr;
use datafusion::physical_plan::{
    DisplayAs, DisplayFormatType, ExecutionPlan, PlanProperties, ReplaceChildrenOptions,
};

use crate::engine::TableCopy;

/// The Parquet table of one mirrored table.
#[derive(Debug)]
pub struct MirrorTable {
    files: Arc<dyn TableProvider>,
    copy: TableCopy,
}

impl MirrorTable {
    pub fn new(files: Arc<dyn TableProvider>, copy: TableCopy) -> Self {
        MirrorTable { files, copy }
    }
}

#[async_trait]
impl TableProvider for MirrorTable {
    fn schema(&self) -> SchemaRef {
        self.files.schema()
    }

    fn table_type(&self) -> TableType {
        TableType::Base
    }

    fn supports_filters_pushdown(
        &self,
        filters: &[&Expr],
    ) -> Result<Vec<TableProviderFilterPushDown>> {
        self.files.supports_filters_pushdown(filters)
    }

    async fn scan(
        &self,
        state: &dyn Session,
        projection: Option<&Vec<usize>>,
        filters: &[Expr],
        limit: Option<usize>,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        let input = self.files.scan(state, projection, filters, limit).await?;
        Ok(Arc::new(MirrorScanExec {
            input,
            label: self.copy.describe(),
        }))
    }
}

/// Reads its input unchanged; it is there to be seen in EXPLAIN.
#[derive(Debug)]
struct MirrorScanExec {
    input: Arc<dyn ExecutionPlan>,
    label: String,
}

impl MirrorScanExec {
    /// The same node over a new input (the last of `children`).
    fn over(&self, mut children: Vec<Arc<dyn ExecutionPlan>>) -> Arc<dyn ExecutionPlan> {
        Arc::new(MirrorScanExec {
            input: children.pop().unwrap_or_else(|| Arc::clone(&self.input)),
            label: self.label.clone(),
        })
    }
}

impl DisplayAs for MirrorScanExec {
    fn fmt_as(&self, _: DisplayFormatType, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "MirrorScan: {}", self.label)
    }
}

impl ExecutionPlan for MirrorScanExec {
    fn name(&self) -> &str {
        "MirrorScanExec"
    }

    fn properties(&self) -> &Arc<PlanProperties> {
        self.input.properties()
    }

    fn children(&self) -> Vec<&Arc<dyn ExecutionPlan>> {
        vec![&self.input]
    }

    fn apply_expressions(
        &self,
        _: &mut dyn FnMut(&Arc<dyn PhysicalExpr>) -> Result<TreeNodeRecursion>,
    ) -> Result<TreeNodeRecursion> {
        Ok(TreeNodeRecursion::Continue)
    }

    fn replace_children(
        self: Arc<Self>,
        children: Vec<Arc<dyn ExecutionPlan>>,
        _: ReplaceChildrenOptions,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        Ok(self.over(children))
    }

    fn with_new_children(
        self: Arc<Self>,
        children: Vec<Arc<dyn ExecutionPlan>>,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        Ok(self.over(children))
    }

    fn execute(
        &self,
        partition: usize,
        context: Arc<TaskContext>,
    ) -> Result<SendableRecordBatchStream> {
        self.input.execute(partition, context)
    }
}
