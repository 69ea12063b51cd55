//! The SQL engine: Jira table declarations turned into DataFusion table providers, the access
//! plans their scans follow, and the session that plans and runs statements.
//!
//! * [`pushdown`] decides which SQL conditions become JQL and whether exactly;
//! * [`access`] has one module per way a table is read (issues, their children, the items
//!   they hold, one listing, per parent): each plans a scan, describes it and fetches it;
//! * [`plan`] is the plan a scan follows (shown by EXPLAIN); [`fetch`] what fetching shares;
//!   [`partition`] splits large issue searches into windows fetched concurrently; [`decode`]
//!   turns pages into Arrow;
//! * [`provider`] and [`scan`] are the DataFusion glue; [`catalog`] serves `sys_*`;
//! * [`statements`] splits scripts; [`identifiers`] makes names case-insensitive;
//! * [`writes`] is what every writing statement shares; [`jira_dml`] and [`jira_update`]
//!   write to Jira tables, [`jira_items`] to what hangs off issues, [`jira_entities`] to the
//!   site's entities ([`jira_values`] shapes the values) and `sharepoint::dml` to lists;
//! * [`session`] ties it together.

pub mod access;
pub mod catalog;
pub mod copy;
pub mod decode;
pub mod fetch;
pub mod identifiers;
pub mod jira_commit;
pub mod jira_dml;
pub mod jira_entities;
pub mod jira_items;
pub mod jira_update;
pub mod jira_values;
pub mod partition;
pub mod plan;
pub mod provider;
pub mod pushdown;
pub mod scan;
pub mod session;
pub mod sharepoint;
pub mod statements;
pub mod writes;

pub use copy::TableCopy;
pub use session::Engine;

/// The `ExecutionPlan` methods every leaf scan here shares: no children, nothing to rewrite,
/// properties from a `props` field, and a LIMIT it can take over.
#[macro_export]
#[doc(hidden)]
macro_rules! leaf_plan_methods {
    () => {
        fn properties(&self) -> &std::sync::Arc<datafusion::physical_plan::PlanProperties> {
            &self.props
        }

        fn children(&self) -> Vec<&std::sync::Arc<dyn datafusion::physical_plan::ExecutionPlan>> {
            vec![]
        }

        fn apply_expressions(
            &self,
            _f: &mut dyn FnMut(
                &std::sync::Arc<dyn datafusion::physical_expr::PhysicalExpr>,
            ) -> datafusion::error::Result<
                datafusion::common::tree_node::TreeNodeRecursion,
            >,
        ) -> datafusion::error::Result<datafusion::common::tree_node::TreeNodeRecursion> {
            Ok(datafusion::common::tree_node::TreeNodeRecursion::Continue)
        }

        fn replace_children(
            self: std::sync::Arc<Self>,
            _children: Vec<std::sync::Arc<dyn datafusion::physical_plan::ExecutionPlan>>,
            _options: datafusion::physical_plan::ReplaceChildrenOptions,
        ) -> datafusion::error::Result<std::sync::Arc<dyn datafusion::physical_plan::ExecutionPlan>>
        {
            Ok(self)
        }

        fn with_new_children(
            self: std::sync::Arc<Self>,
            _children: Vec<std::sync::Arc<dyn datafusion::physical_plan::ExecutionPlan>>,
        ) -> datafusion::error::Result<std::sync::Arc<dyn datafusion::physical_plan::ExecutionPlan>>
        {
            Ok(self)
        }

        fn supports_limit_pushdown(&self) -> bool {
            true
        }
    };
}
