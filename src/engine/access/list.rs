//! Rows from one listing endpoint of the whole site (`status`, `project/search`, `board`):
//! no filter reaches Jira, LIMIT stops the paging.

use async_trait::async_trait;
use datafusion::error::DataFusionError;
use datafusion::logical_expr::{Expr, TableProviderFilterPushDown};

use super::{Shape, limit_text, paged};
use crate::engine::decode::NoParent;
use crate::engine::fetch::{Rows, external};
use crate::engine::plan::AccessPlan;
use crate::jira::client::JiraClient;
use crate::jira::pager::{Listing, Pager};
use crate::jira::tables::{ColumnDef, Endpoint};

pub(super) struct List(pub(super) &'static Endpoint);

#[async_trait]
impl Shape for List {
    fn pushdown(&self, _: &Expr) -> TableProviderFilterPushDown {
        TableProviderFilterPushDown::Unsupported
    }

    fn plan(&self, _: &[&ColumnDef], _: &[Expr], limit: Option<usize>) -> AccessPlan {
        AccessPlan::List { limit }
    }

    fn describe(&self, plan: &AccessPlan) -> String {
        format!("GET {}{}{}", self.0.path, paged(self.0), limit_text(plan))
    }

    async fn fetch(
        &self,
        client: &JiraClient,
        _: &AccessPlan,
        rows: &mut Rows<'_>,
    ) -> Result<(), DataFusionError> {
        let mut pager = Pager::new(client, Listing::of(self.0, None));
        while !rows.done() {
            let Some(page) = pager.next_page().await.map_err(external)? else {
                break;
            };
            rows.push(&page, &NoParent).await?;
        }
        Ok(())
    }
}
