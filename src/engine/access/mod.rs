//! One module per way a table's rows are reached ([`Access`]): each plans a scan (which
//! filters it takes, exactly or not, which fields it asks for, LIMIT), describes it (EXPLAIN,
//! and the pushdown rules the catalogs report) and fetches it through the client's pager.
//!
//! [`shape`] is the one place the access kind of a declaration is matched; the provider, the
//! scan and the catalogs only call the [`Shape`] it returns. A new way to read a table is a
//! new module here and one arm there.

use async_trait::async_trait;
use datafusion::error::DataFusionError;
use datafusion::logical_expr::{Expr, TableProviderFilterPushDown};

use super::fetch::Rows;
use super::plan::AccessPlan;
use crate::jira::client::JiraClient;
use crate::jira::tables::{Access, ColumnDef, Endpoint, FilterSpec, Paging, TableDef};

mod children;
mod issues;
pub(super) mod items;
mod list;
mod per_parent;

/// What the engine asks of a table's access shape.
#[async_trait]
pub trait Shape: Send + Sync {
    /// How one filter is pushed down; decided per filter, without I/O.
    fn pushdown(&self, filter: &Expr) -> TableProviderFilterPushDown;

    /// The plan of a scan reading `columns`, given the filters DataFusion passed down (those
    /// [`Shape::pushdown`] took) and the limit.
    fn plan(&self, columns: &[&ColumnDef], filters: &[Expr], limit: Option<usize>) -> AccessPlan;

    /// The plan as EXPLAIN shows it: endpoints named in full.
    fn describe(&self, plan: &AccessPlan) -> String {
        plan.to_string()
    }

    /// How conditions on `column` reach Jira, as the catalogs report it; `None`: they do not.
    fn rule(&self, column: &ColumnDef) -> Option<String> {
        let spec = column.filter?;
        Some(with_empty(spec, spec.kind.describe().to_string()))
    }

    /// Runs `plan`, sending its rows to `rows`.
    async fn fetch(
        &self,
        client: &JiraClient,
        plan: &AccessPlan,
        rows: &mut Rows<'_>,
    ) -> Result<(), DataFusionError>;
}

/// The access shape of `table`.
pub fn shape(table: &'static TableDef) -> Box<dyn Shape> {
    match &table.access {
        Access::IssueSearch => Box::new(issues::Issues(table)),
        Access::IssueChildren {
            per_issue,
            items,
            bulk,
        } => Box::new(children::Children {
            table,
            per_issue,
            items,
            bulk,
        }),
        Access::IssueItems(items) => Box::new(items::Items { table, items }),
        Access::List(endpoint) => Box::new(list::List { table, endpoint }),
        Access::PerParent { parent, endpoint } => Box::new(per_parent::PerParent {
            table,
            parent,
            endpoint,
        }),
    }
}

/// The per-parent shape of `table`, if it is read per parent: for a parent list made of its
/// rows.
fn per_parent(table: &'static TableDef) -> Option<per_parent::PerParent> {
    match &table.access {
        Access::PerParent { parent, endpoint } => Some(per_parent::PerParent {
            table,
            parent,
            endpoint,
        }),
        _ => None,
    }
}

/// `rule`, saying so when `IS [NOT] NULL` on the column is exact too.
fn with_empty(spec: FilterSpec, rule: String) -> String {
    if spec.empty {
        format!("{rule}; IS [NOT] NULL: exact")
    } else {
        rule
    }
}

/// How an endpoint pages, for EXPLAIN.
fn paged(e: &Endpoint) -> String {
    match e.paging {
        Paging::Single => String::new(),
        Paging::StartAt { max } | Paging::Token { max } => format!(" ({max} a page)"),
        Paging::Since => " (pages of changes, each from the last one's until)".to_string(),
    }
}

/// The row limit of `plan` as EXPLAIN writes it.
fn limit_text(plan: &AccessPlan) -> String {
    plan.limit()
        .map(|n| format!(" limit={n}"))
        .unwrap_or_default()
}

/// A plan made for another shape: a bug, said as one.
fn mismatch(table: &TableDef, plan: &AccessPlan) -> DataFusionError {
    DataFusionError::Internal(format!(
        "access plan {plan} does not fit table {}",
        table.name
    ))
}
