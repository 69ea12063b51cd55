//! The scan node of a SharePoint list: pages of items from Graph, projected, and shown in
//! EXPLAIN as the request it makes.

use std::fmt;
use std::sync::Arc;

use datafusion::arrow::datatypes::SchemaRef;
use datafusion::error::Result;
use datafusion::execution::{SendableRecordBatchStream, TaskContext};
use datafusion::physical_expr::EquivalenceProperties;
use datafusion::physical_plan::execution_plan::{Boundedness, EmissionType};
use datafusion::physical_plan::stream::RecordBatchStreamAdapter;
use datafusion::physical_plan::{
    DisplayAs, DisplayFormatType, ExecutionPlan, Partitioning, PlanProperties,
};
use futures::StreamExt;

use super::table::ListScan;

/// Reads one list.
#[derive(Debug, Clone)]
pub struct GraphScanExec {
    scan: ListScan,
    projection: Vec<usize>,
    props: Arc<PlanProperties>,
}

impl GraphScanExec {
    pub(super) fn new(scan: ListScan, projection: Vec<usize>) -> Result<Self> {
        let schema: SchemaRef = Arc::new(scan.schema().project(&projection)?);
        let props = Arc::new(PlanProperties::new(
            EquivalenceProperties::new(schema),
            Partitioning::UnknownPartitioning(1),
            EmissionType::Incremental,
            Boundedness::Bounded,
        ));
        Ok(GraphScanExec {
            scan,
            projection,
            props,
        })
    }
}

impl DisplayAs for GraphScanExec {
    fn fmt_as(&self, _t: DisplayFormatType, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "GraphScan: {}", self.scan.describe())
    }
}

impl ExecutionPlan for GraphScanExec {
    fn name(&self) -> &str {
        "GraphScanExec"
    }

    crate::leaf_plan_methods!();

    fn fetch(&self) -> Option<usize> {
        self.scan.limit()
    }

    fn with_fetch(&self, limit: Option<usize>) -> Option<Arc<dyn ExecutionPlan>> {
        Some(Arc::new(GraphScanExec {
            scan: self.scan.with_limit(limit),
            ..self.clone()
        }))
    }

    fn execute(
        &self,
        _partition: usize,
        _ctx: Arc<TaskContext>,
    ) -> Result<SendableRecordBatchStream> {
        let projection = self.projection.clone();
        let limit = self.scan.limit();
        let mut produced = 0usize;
        // Pages hold up to $top items; the last one may hold more than a LIMIT wants.
        let batches = self.scan.stream().map(move |batch| {
            let mut batch = batch?.project(&projection)?;
            if let Some(limit) = limit {
                batch = batch.slice(0, batch.num_rows().min(limit.saturating_sub(produced)));
            }
            produced += batch.num_rows();
            Ok(batch)
        });
        Ok(Box::pin(RecordBatchStreamAdapter::new(
            self.props.eq_properties.schema().clone(),
            batches,
        )))
    }
}
