//! The scan node: one access plan, streamed page by page.

use std::fmt;
use std::sync::Arc;

use datafusion::arrow::datatypes::SchemaRef;
use datafusion::error::Result;
use datafusion::execution::{SendableRecordBatchStream, TaskContext, async_try_stream};
use datafusion::physical_expr::EquivalenceProperties;
use datafusion::physical_plan::execution_plan::{Boundedness, EmissionType};
use datafusion::physical_plan::stream::RecordBatchStreamAdapter;
use datafusion::physical_plan::{
    DisplayAs, DisplayFormatType, ExecutionPlan, Partitioning, PlanProperties,
};

use super::access;
use super::decode::RowDecoder;
use super::fetch::Rows;
use super::partition;
use super::plan::AccessPlan;
use crate::jira::client::JiraClient;
use crate::jira::tables::TableDef;

/// Reads one Jira table through one access plan.
#[derive(Debug, Clone)]
pub struct JiraScanExec {
    table: &'static TableDef,
    client: JiraClient,
    plan: AccessPlan,
    decoder: RowDecoder,
    props: Arc<PlanProperties>,
}

impl JiraScanExec {
    pub fn new(
        table: &'static TableDef,
        client: JiraClient,
        plan: AccessPlan,
        projection: &[usize],
        schema: SchemaRef,
    ) -> Self {
        let props = Arc::new(PlanProperties::new(
            EquivalenceProperties::new(schema.clone()),
            Partitioning::UnknownPartitioning(1),
            EmissionType::Incremental,
            Boundedness::Bounded,
        ));
        JiraScanExec {
            table,
            client,
            plan,
            decoder: RowDecoder::new(table, projection, schema),
            props,
        }
    }

    pub fn plan(&self) -> &AccessPlan {
        &self.plan
    }
}

impl DisplayAs for JiraScanExec {
    fn fmt_as(&self, _t: DisplayFormatType, f: &mut fmt::Formatter) -> fmt::Result {
        write!(
            f,
            "JiraScan: {} via {}",
            self.table.name,
            self.plan.describe(self.table)
        )?;
        if let AccessPlan::Search {
            limit: None,
            fields,
            ..
        } = &self.plan
        {
            write!(f, "; {}", partition::describe(&self.client, fields))?;
        }
        Ok(())
    }
}

impl ExecutionPlan for JiraScanExec {
    fn name(&self) -> &str {
        "JiraScanExec"
    }

    crate::leaf_plan_methods!();

    fn fetch(&self) -> Option<usize> {
        self.plan.limit()
    }

    fn with_fetch(&self, limit: Option<usize>) -> Option<Arc<dyn ExecutionPlan>> {
        let mut exec = self.clone();
        exec.plan = exec.plan.with_limit(limit);
        Some(Arc::new(exec))
    }

    fn execute(
        &self,
        _partition: usize,
        _ctx: Arc<TaskContext>,
    ) -> Result<SendableRecordBatchStream> {
        let exec = self.clone();
        let stream = async_try_stream(move |mut emitter| async move {
            let mut rows = Rows::new(&mut emitter, &exec.decoder, exec.plan.limit());
            access::shape(exec.table)
                .fetch(&exec.client, &exec.plan, &mut rows)
                .await
        });
        Ok(Box::pin(RecordBatchStreamAdapter::new(
            self.decoder.schema().clone(),
            stream,
        )))
    }
}
