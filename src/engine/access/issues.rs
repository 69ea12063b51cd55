//! Rows that are issues: one issue by `GET issue/{key}` when a key condition alone names it,
//! otherwise the JQL the filters push down, searched in concurrent windows.

use async_trait::async_trait;
use datafusion::error::DataFusionError;
use datafusion::logical_expr::{Expr, TableProviderFilterPushDown};

use super::{Shape, mismatch};
use crate::engine::decode::NoParent;
use crate::engine::fetch::{Rows, external, fields_param};
use crate::engine::partition::IssuePages;
use crate::engine::plan::{AccessPlan, one_issue_or_query, requested_fields};
use crate::engine::pushdown;
use crate::jira::client::JiraClient;
use crate::jira::tables::{ColumnDef, TableDef};

pub(super) struct Issues(pub(super) &'static TableDef);

/// How a filter reaches a JQL search of `table`: exactly, inexactly (checked again) or not.
pub(super) fn jql_pushdown(table: &TableDef, filter: &Expr) -> TableProviderFilterPushDown {
    match pushdown::classify(table, filter) {
        Some(p) if p.exact => TableProviderFilterPushDown::Exact,
        Some(_) => TableProviderFilterPushDown::Inexact,
        None => TableProviderFilterPushDown::Unsupported,
    }
}

#[async_trait]
impl Shape for Issues {
    fn pushdown(&self, filter: &Expr) -> TableProviderFilterPushDown {
        jql_pushdown(self.0, filter)
    }

    fn plan(&self, columns: &[&ColumnDef], filters: &[Expr], limit: Option<usize>) -> AccessPlan {
        let fields = requested_fields(columns);
        match one_issue_or_query(self.0, filters) {
            Ok(issue) => AccessPlan::GetIssue { issue, fields },
            Err(query) => AccessPlan::Search {
                query,
                fields,
                limit,
            },
        }
    }

    async fn fetch(
        &self,
        client: &JiraClient,
        plan: &AccessPlan,
        rows: &mut Rows<'_>,
    ) -> Result<(), DataFusionError> {
        match plan {
            AccessPlan::GetIssue { issue, fields } => {
                let query = [("fields", fields_param(fields))];
                match client
                    .get_platform(["issue", &issue.to_string()], &query)
                    .await
                {
                    Ok(item) => rows.push(&[item], &NoParent).await,
                    // Jira's documented answer for an issue that does not exist (or is hidden).
                    Err(e) if e.status() == Some(404) => Ok(()),
                    Err(e) => Err(external(e)),
                }
            }
            AccessPlan::Search {
                query,
                fields,
                limit,
            } => {
                let keep = rows.decoder().keep();
                let mut pages =
                    IssuePages::new(client, query.clone(), fields.clone(), *limit, keep);
                while !rows.done() {
                    let want = rows.remaining();
                    let Some(page) = pages.next_page(want).await? else {
                        break;
                    };
                    rows.push(&page, &NoParent).await?;
                }
                Ok(())
            }
            other => Err(mismatch(self.0, other)),
        }
    }
}
