//! Rows from one listing endpoint of the whole site (`status`, `project/search`, `board`):
//! LIMIT stops the paging. On a feed of changes (`worklog/deleted`), a lower bound on the
//! column marked as the feed's time (filter `since`) starts the feed there; other filters stay
//! with DataFusion.

use async_trait::async_trait;
use datafusion::error::DataFusionError;
use datafusion::logical_expr::{Expr, TableProviderFilterPushDown};

use super::{Shape, limit_text, mismatch, paged};
use crate::engine::decode::NoParent;
use crate::engine::fetch::{Rows, external};
use crate::engine::plan::AccessPlan;
use crate::engine::pushdown;
use crate::jira::client::JiraClient;
use crate::jira::pager::{Listing, Pager, Paging};
use crate::jira::tables::{ColumnDef, Endpoint, FilterKind, TableDef};

/// The query parameter a feed of changes starts from, as a column's filter names it.
const SINCE: &str = "since";

pub(super) struct List {
    pub(super) table: &'static TableDef,
    pub(super) endpoint: &'static Endpoint,
}

impl List {
    /// The lower bound `filter` puts on the feed's time, when this is a feed of changes.
    fn since(&self, filter: &Expr) -> Option<i64> {
        if !matches!(self.endpoint.paging, Paging::Since) {
            return None;
        }
        let column = self.table.columns.iter().find(|c| {
            c.filter
                .is_some_and(|f| f.jql == SINCE && f.kind == FilterKind::Instant)
        })?;
        pushdown::instant_bounds(self.table, column.name, filter)?.0
    }
}

#[async_trait]
impl Shape for List {
    fn pushdown(&self, filter: &Expr) -> TableProviderFilterPushDown {
        match self.since(filter) {
            // The feed starts a millisecond early; DataFusion checks the bound again.
            Some(_) => TableProviderFilterPushDown::Inexact,
            None => TableProviderFilterPushDown::Unsupported,
        }
    }

    fn plan(&self, _: &[&ColumnDef], filters: &[Expr], limit: Option<usize>) -> AccessPlan {
        let since = filters.iter().filter_map(|f| self.since(f)).max();
        AccessPlan::List { since, limit }
    }

    fn describe(&self, plan: &AccessPlan) -> String {
        let since = match plan {
            AccessPlan::List { since: Some(s), .. } => format!(" since={s}"),
            _ => String::new(),
        };
        format!(
            "GET {}{since}{}{}",
            self.endpoint.path,
            paged(self.endpoint),
            limit_text(plan)
        )
    }

    async fn fetch(
        &self,
        client: &JiraClient,
        plan: &AccessPlan,
        rows: &mut Rows<'_>,
    ) -> Result<(), DataFusionError> {
        let AccessPlan::List { since, .. } = plan else {
            return Err(mismatch(self.table, plan));
        };
        let mut pager = Pager::new(client, Listing::of(self.endpoint, None));
        if let Some(since) = since {
            // `since` may be strict: a millisecond earlier keeps a row at the bound.
            pager = pager.since((since - 1).max(0));
        }
        while !rows.done() {
            let Some(page) = pager.next_page().await.map_err(external)? else {
                break;
            };
            rows.push(&page, &NoParent).await?;
        }
        Ok(())
    }
}
