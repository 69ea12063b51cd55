//! Rows that belong to a parent (a project's components, a board's sprints, a role's actors):
//! one listing per parent, for the parents a filter names (exactly) or else for every parent,
//! themselves listed by one endpoint or by another per-parent table.

use std::collections::BTreeSet;

use async_trait::async_trait;
use datafusion::error::DataFusionError;
use datafusion::logical_expr::{Expr, TableProviderFilterPushDown};
use serde_json::{Value, json};

use super::{Shape, limit_text, mismatch, paged, with_empty};
use crate::engine::decode::{SameParent, lookup};
use crate::engine::fetch::{Rows, external};
use crate::engine::plan::{AccessPlan, ParentRef};
use crate::engine::pushdown::{self, Value as Literal};
use crate::jira::client::JiraClient;
use crate::jira::pager::{Listing, Pager};
use crate::jira::tables::{ColumnDef, Detail, Endpoint, ParentList, ParentSpec, Source, TableDef};

pub(super) struct PerParent {
    pub(super) table: &'static TableDef,
    pub(super) parent: &'static ParentSpec,
    pub(super) endpoint: &'static Endpoint,
}

#[async_trait]
impl Shape for PerParent {
    fn pushdown(&self, filter: &Expr) -> TableProviderFilterPushDown {
        if self.parent_refs(filter).is_some() {
            TableProviderFilterPushDown::Exact
        } else {
            TableProviderFilterPushDown::Unsupported
        }
    }

    fn plan(&self, _: &[&ColumnDef], filters: &[Expr], limit: Option<usize>) -> AccessPlan {
        let mut parents: Option<BTreeSet<ParentRef>> = None;
        for refs in filters.iter().filter_map(|f| self.parent_refs(f)) {
            let refs: BTreeSet<ParentRef> = refs.into_iter().collect();
            parents = Some(match parents {
                None => refs,
                Some(prev) => prev.intersection(&refs).cloned().collect(),
            });
        }
        AccessPlan::PerParent {
            parents: parents.map(|p| p.into_iter().collect()),
            limit,
        }
    }

    fn describe(&self, plan: &AccessPlan) -> String {
        let endpoint = self.endpoint;
        let limit = limit_text(plan);
        let detail = endpoint
            .detail
            .map(|d| format!(", then GET {} for each item", d.path))
            .unwrap_or_default();
        match plan {
            AccessPlan::PerParent {
                parents: Some(p), ..
            } => format!(
                "GET {}{}{detail} for {}{limit}",
                endpoint.path,
                paged(endpoint),
                p.iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(",")
            ),
            AccessPlan::PerParent { parents: None, .. } => {
                let parents = match self.parent.list {
                    ParentList::Endpoint(e) => format!("GET {}{}", e.path, paged(&e)),
                    ParentList::Table(t) => {
                        let every = AccessPlan::PerParent {
                            parents: None,
                            limit: None,
                        };
                        format!("{} (via {})", t.name, super::shape(t).describe(&every))
                    }
                };
                format!(
                    "{parents} to list every parent, then GET {}{} for each{detail}{limit}",
                    endpoint.path,
                    paged(endpoint)
                )
            }
            other => other.to_string(),
        }
    }

    fn rule(&self, column: &ColumnDef) -> Option<String> {
        let spec = column.filter?;
        Some(with_empty(spec, "= IN: only those parents are read".into()))
    }

    async fn fetch(
        &self,
        client: &JiraClient,
        plan: &AccessPlan,
        rows: &mut Rows<'_>,
    ) -> Result<(), DataFusionError> {
        let AccessPlan::PerParent { parents, .. } = plan else {
            return Err(mismatch(self.table, plan));
        };
        let parent = self.parent;
        let parent_items = match parents {
            Some(refs) => {
                // A parent named by a filter: its reference is all we know of it, stored
                // where the table's parent column reads it.
                let path = self
                    .table
                    .column(parent.column)
                    .and_then(|c| match c.source {
                        Source::Parent(p) => Some(p),
                        _ => None,
                    })
                    .unwrap_or(parent.reference);
                refs.iter()
                    .map(|r| match r {
                        ParentRef::Text(t) => json!({ path: t }),
                        ParentRef::Int(n) => json!({ path: n }),
                    })
                    .collect()
            }
            None => every_parent(client, parent.list).await?,
        };
        let every_parent = parents.is_none();
        for item in parent_items {
            let Some(reference) = lookup(&item, parent.reference).and_then(reference_text) else {
                continue;
            };
            let mut pager = Pager::new(client, Listing::of(self.endpoint, Some(&reference)));
            let same = SameParent(item);
            while let Some(page) = parent_page(&mut pager, &reference, every_parent).await? {
                let page = match self.endpoint.detail {
                    Some(detail) => details(client, &detail, &reference, page).await?,
                    None => page,
                };
                rows.push(&page, &same).await?;
                if rows.done() {
                    return Ok(());
                }
            }
        }
        Ok(())
    }
}

impl PerParent {
    /// The parents a filter restricts the table to (`ProjectKey IN ('A','B')`, `BoardId = 3`).
    /// Text references must be upper case: Jira would match others ignoring case.
    fn parent_refs(&self, filter: &Expr) -> Option<Vec<ParentRef>> {
        let (col, values) = pushdown::equalities(self.table, filter)?;
        if col.name != self.parent.column {
            return None;
        }
        values
            .into_iter()
            .map(|v| match v {
                Literal::Text(s) if !s.is_empty() && s.to_uppercase() == s && !s.contains('/') => {
                    Some(ParentRef::Text(s))
                }
                Literal::Int(n) => Some(ParentRef::Int(n)),
                _ => None,
            })
            .collect()
    }
}

/// The next page of one parent's rows. A parent that does not exist or is hidden has no rows;
/// while every parent is read, one that refuses the endpoint (a kanban board asked for sprints
/// answers 400) has none either, while one named in SQL says so.
async fn parent_page(
    pager: &mut Pager<'_>,
    reference: &str,
    every_parent: bool,
) -> Result<Option<Vec<Value>>, DataFusionError> {
    match pager.next_page().await {
        Err(e) if e.status() == Some(404) || (every_parent && e.status() == Some(400)) => {
            tracing::debug!("skipping parent {reference}: {e}");
            Ok(None)
        }
        other => other.map_err(external),
    }
}

/// The rows of the listed `items` of one parent: a GET for each, its answer's rows exploded.
/// An item whose detail does not exist (removed since it was listed) has none.
async fn details(
    client: &JiraClient,
    detail: &Detail,
    parent: &str,
    items: Vec<Value>,
) -> Result<Vec<Value>, DataFusionError> {
    let mut rows = Vec::new();
    for item in items {
        let Some(id) = lookup(&item, detail.reference).and_then(reference_text) else {
            continue;
        };
        // As separate segments, so neither value can change the path.
        let path: Vec<&str> = detail
            .path
            .split('/')
            .map(|s| match s {
                "{parent}" => parent,
                "{item}" => id.as_str(),
                s => s,
            })
            .collect();
        match client.get_platform(&path, &[]).await {
            Ok(answer) => rows.extend(super::items::explode(answer, detail.rows)),
            Err(e) if e.status() == Some(404) => {}
            Err(e) => return Err(external(e)),
        }
    }
    Ok(rows)
}

/// Every parent of a per-parent table: one listing, or every row of another per-parent table
/// (itself listing its parents with one endpoint).
async fn every_parent(
    client: &JiraClient,
    list: ParentList,
) -> Result<Vec<Value>, DataFusionError> {
    let (outer, nested) = match list {
        ParentList::Endpoint(e) => (e, None),
        ParentList::Table(t) => match super::per_parent(t) {
            Some(PerParent {
                parent:
                    ParentSpec {
                        list: ParentList::Endpoint(e),
                        reference,
                        ..
                    },
                endpoint,
                ..
            }) => (*e, Some((*endpoint, *reference))),
            _ => {
                return Err(DataFusionError::Internal(format!(
                    "{} cannot list parents: it is not a per-parent table over one listing",
                    t.name
                )));
            }
        },
    };
    let all = Pager::new(client, Listing::of(&outer, None))
        .all()
        .await
        .map_err(external)?;
    let Some((endpoint, reference)) = nested else {
        return Ok(all);
    };
    let mut inner = Vec::new();
    for item in all {
        let Some(r) = lookup(&item, reference).and_then(reference_text) else {
            continue;
        };
        let mut pager = Pager::new(client, Listing::of(&endpoint, Some(&r)));
        while let Some(page) = parent_page(&mut pager, &r, true).await? {
            inner.extend(page);
        }
    }
    Ok(inner)
}

/// A parent reference as it goes into a path: strings as they are, numbers written out.
fn reference_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}
