//! Rows that are children of issues (worklogs): the named issues' own endpoints, the issues a
//! `worklogDate` search finds (one at a time when few), or the bulk pair (ids changed since a
//! time, then the items by id) for the whole site.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use async_trait::async_trait;
use datafusion::error::DataFusionError;
use datafusion::logical_expr::{Expr, TableProviderFilterPushDown};
use futures::{FutureExt, StreamExt, TryStreamExt};
use serde_json::{Value, json};

use super::{Shape, mismatch, with_empty};
use crate::engine::decode::{Parents, as_i64};
use crate::engine::fetch::{Rows, SearchCursor, external, lookup_keys};
use crate::engine::partition::{Limiter, limited};
use crate::engine::plan::{AccessPlan, Bounds, IssueRef, PER_ISSUE_MAX, is_issue_key, item_ids};
use crate::engine::pushdown::{self, Value as Literal};
use crate::jira::client::{JiraClient, JiraError};
use crate::jira::jql::{Clause, Literal as JqlLiteral, Op, Query};
use crate::jira::pager::{Listing, Pager, Paging, segments};
use crate::jira::tables::{Api, BulkChildren, ColumnDef, Source, TableDef};

/// Issues fetched at once when reading children one issue at a time.
const PER_ISSUE_CONCURRENCY: usize = 4;

/// Widening for `worklogDate`, which Jira compares as a day in the searching user's time zone:
/// a day on each side covers every zone.
const DAY_MS: i64 = 86_400_000;

pub(super) struct Children {
    pub(super) table: &'static TableDef,
    /// Platform path of one issue's children, e.g. `issue/{key}/worklog`.
    pub(super) per_issue: &'static str,
    /// Name of the array holding the children in a per-issue page.
    pub(super) items: &'static str,
    pub(super) bulk: &'static BulkChildren,
}

#[async_trait]
impl Shape for Children {
    fn pushdown(&self, filter: &Expr) -> TableProviderFilterPushDown {
        use TableProviderFilterPushDown::*;
        let table = self.table;
        if parent_issues(table, filter).is_some() {
            Exact
        } else if item_ids(table, filter).is_some() {
            // Read by id unless an issue condition chooses another path: checked again.
            Inexact
        } else if ["Started", "Updated"]
            .iter()
            .any(|c| pushdown::instant_bounds(table, c, filter).is_some())
        {
            Inexact
        } else {
            Unsupported
        }
    }

    fn plan(&self, columns: &[&ColumnDef], filters: &[Expr], limit: Option<usize>) -> AccessPlan {
        children_plan(self.table, columns, filters, limit)
    }

    fn rule(&self, column: &ColumnDef) -> Option<String> {
        if column.key {
            return Some(format!(
                "= IN: those ids through {} (prefilter)",
                self.bulk.list
            ));
        }
        let spec = column.filter?;
        let rule = match column.source {
            Source::Parent(_) | Source::Path("issueId") => {
                "= IN: only those issues' endpoints are read"
            }
            _ => "bounds narrow the bulk or per-issue calls (prefilter)",
        };
        Some(with_empty(spec, rule.to_string()))
    }

    async fn fetch(
        &self,
        client: &JiraClient,
        plan: &AccessPlan,
        rows: &mut Rows<'_>,
    ) -> Result<(), DataFusionError> {
        let (per_issue, items, bulk) = (self.per_issue, self.items, self.bulk);
        let mut keys = KeyMap::default();
        match plan {
            AccessPlan::ChildrenOf {
                issues, started, ..
            } => {
                per_issue_children(client, issues, *started, per_issue, items, &mut keys, rows)
                    .await
            }
            AccessPlan::ChildrenByJql { query, started, .. } => {
                let mut cursor = SearchCursor::new(client, query.clone(), Vec::new());
                let mut found = Vec::new();
                while let Some(page) = cursor.next_page(None).await? {
                    for issue in &page {
                        keys.learn_issue(issue);
                        if let Some(k) = issue.get("key").and_then(Value::as_str) {
                            found.push(IssueRef::Key(k.to_string()));
                        }
                    }
                    if found.len() > PER_ISSUE_MAX {
                        break;
                    }
                }
                if found.len() <= PER_ISSUE_MAX {
                    per_issue_children(client, &found, *started, per_issue, items, &mut keys, rows)
                        .await
                } else {
                    bulk_children(client, bulk, None, &mut keys, rows).await
                }
            }
            AccessPlan::ChildrenBulk { ids: Some(ids), .. } => {
                let chunks = ids.chunks(bulk.list_cap).map(|c| Ok(c.to_vec()));
                let chunks = futures::stream::iter(chunks.collect::<Vec<_>>()).boxed();
                list_children(client, bulk, chunks, &mut keys, rows).await
            }
            AccessPlan::ChildrenBulk { since, .. } => {
                bulk_children(client, bulk, *since, &mut keys, rows).await
            }
            other => Err(mismatch(self.table, other)),
        }
    }
}

fn children_plan(
    table: &'static TableDef,
    columns: &[&ColumnDef],
    filters: &[Expr],
    limit: Option<usize>,
) -> AccessPlan {
    let mut issues: Option<BTreeSet<IssueRef>> = None;
    let mut ids: Option<BTreeSet<i64>> = None;
    let mut started = Bounds::default();
    let mut updated = Bounds::default();
    for f in filters {
        if let Some(named) = item_ids(table, f) {
            let named: BTreeSet<i64> = named.into_iter().collect();
            ids = Some(match ids {
                None => named,
                Some(prev) => prev.intersection(&named).copied().collect(),
            });
        } else if let Some(refs) = parent_issues(table, f) {
            let refs: BTreeSet<IssueRef> = refs.into_iter().collect();
            // Two conditions on the parent: only issues named by both.
            issues = Some(match issues {
                None => refs,
                Some(prev) => prev.intersection(&refs).cloned().collect(),
            });
        } else if let Some((a, b)) = pushdown::instant_bounds(table, "Started", f) {
            started.narrow(a, b);
        } else if let Some((a, b)) = pushdown::instant_bounds(table, "Updated", f) {
            updated.narrow(a, b);
        }
    }
    let issue_keys = columns
        .iter()
        .any(|c| matches!(c.source, Source::Parent(_)));
    match issues {
        Some(issues) => AccessPlan::ChildrenOf {
            issues: issues.into_iter().collect(),
            started,
            limit,
        },
        None if started.is_set() => {
            let day = |op: Op, at: i64| Clause::compare("worklogDate", op, JqlLiteral::Number(at));
            let mut clauses = Vec::new();
            if let Some(a) = started.after {
                clauses.push(day(Op::GtEq, a - DAY_MS));
            }
            if let Some(b) = started.before {
                clauses.push(day(Op::LtEq, b + DAY_MS));
            }
            AccessPlan::ChildrenByJql {
                query: Query { clauses },
                started,
                limit,
                issue_keys,
            }
        }
        None => AccessPlan::ChildrenBulk {
            since: updated.after,
            ids: ids.map(|ids| ids.into_iter().collect()),
            limit,
            issue_keys,
        },
    }
}

/// The parent issues a filter restricts a child table to (`IssueKey = ...`, `IssueId IN ...`).
fn parent_issues(table: &TableDef, filter: &Expr) -> Option<Vec<IssueRef>> {
    let (col, values) = pushdown::equalities(table, filter)?;
    values
        .into_iter()
        .map(|v| match (col.source, v) {
            (Source::Parent("key"), Literal::Text(k)) if is_issue_key(&k) => Some(IssueRef::Key(k)),
            (Source::Path("issueId"), Literal::Int(id)) => Some(IssueRef::Id(id)),
            _ => None,
        })
        .collect()
}

/// Issue id → key, for child rows whose items carry only the issue id.
#[derive(Default)]
struct KeyMap(HashMap<i64, String>);

impl KeyMap {
    fn learn_issue(&mut self, issue: &Value) {
        let id = issue.get("id").and_then(as_i64);
        if let (Some(id), Some(key)) = (id, issue.get("key").and_then(Value::as_str)) {
            self.0.insert(id, key.to_string());
        }
    }

    /// Looks up, in bulk, the keys of the issues `items` belong to that are not known yet.
    async fn learn_parents(
        &mut self,
        client: &JiraClient,
        items: &[Value],
    ) -> Result<(), DataFusionError> {
        let missing: Vec<i64> = parent_ids(items)
            .into_iter()
            .filter(|id| !self.0.contains_key(id))
            .collect();
        self.0.extend(lookup_keys(client, &missing).await?);
        Ok(())
    }
}

/// The distinct issue ids `items` (worklogs) belong to.
fn parent_ids(items: &[Value]) -> Vec<i64> {
    items
        .iter()
        .filter_map(|w| w.get("issueId").and_then(as_i64))
        .collect::<HashSet<_>>()
        .into_iter()
        .collect()
}

impl Parents for KeyMap {
    fn parent_of(&self, _: usize, item: &Value) -> Option<Value> {
        let id = item.get("issueId").and_then(as_i64)?;
        let key = self.0.get(&id)?;
        Some(json!({ "id": id.to_string(), "key": key }))
    }
}

async fn per_issue_children(
    client: &JiraClient,
    issues: &[IssueRef],
    started: Bounds,
    per_issue: &str,
    items_name: &'static str,
    keys: &mut KeyMap,
    rows: &mut Rows<'_>,
) -> Result<(), DataFusionError> {
    let mut pages = futures::stream::iter(issues.iter().cloned())
        .map(|issue| async move {
            let items = issue_children(client, &issue, started, per_issue, items_name).await?;
            Ok::<_, JiraError>((issue, items))
        })
        .buffered(PER_ISSUE_CONCURRENCY);
    while let Some((issue, items)) = pages.try_next().await.map_err(external)? {
        if let IssueRef::Key(key) = &issue {
            for id in items
                .iter()
                .filter_map(|w| w.get("issueId").and_then(as_i64))
            {
                keys.0.insert(id, key.clone());
            }
        }
        if rows.needs_parent() {
            keys.learn_parents(client, &items).await?;
        }
        rows.push(&items, keys).await?;
        if rows.done() {
            break;
        }
    }
    Ok(())
}

/// All children of one issue, page by page (offset pages).
async fn issue_children(
    client: &JiraClient,
    issue: &IssueRef,
    started: Bounds,
    per_issue: &str,
    items_name: &'static str,
) -> Result<Vec<Value>, JiraError> {
    // As separate segments, so whatever the key holds it stays one path segment.
    let path: Vec<String> = per_issue
        .split('/')
        .map(|s| {
            if s == "{key}" {
                issue.to_string()
            } else {
                s.to_string()
            }
        })
        .collect();
    let paging = Paging::StartAt { max: 5000 };
    let mut listing = Listing::get(Api::Platform, path, Some(items_name), paging);
    // Jira's "after"/"before" may be strict: widen by a millisecond, DataFusion checks again.
    if let Some(a) = started.after {
        listing = listing.with_query("startedAfter", (a - 1).to_string());
    }
    if let Some(b) = started.before {
        listing = listing.with_query("startedBefore", (b + 1).to_string());
    }
    let mut pager = Pager::new(client, listing);
    let mut all = Vec::new();
    loop {
        match pager.next_page().await {
            Ok(Some(items)) => all.extend(items),
            Ok(None) => return Ok(all),
            // The issue does not exist or is hidden: it has no children to show.
            Err(e) if e.status() == Some(404) => return Ok(all),
            Err(e) => return Err(e),
        }
    }
}

/// The bulk pair: pages of changed ids follow each other by link, while the items of each
/// page's ids (and their issues' keys) are fetched concurrently, in order, under the
/// connection's adaptive concurrency ceiling.
async fn bulk_children(
    client: &JiraClient,
    bulk: &BulkChildren,
    since: Option<i64>,
    keys: &mut KeyMap,
    rows: &mut Rows<'_>,
) -> Result<(), DataFusionError> {
    // "Updated after": a millisecond earlier keeps a worklog updated exactly at the bound;
    // DataFusion checks the bound again. State: the next page's `since`, `None` once the last
    // page was read.
    let first = since.map_or(0, |s| s - 1).max(0);
    let changed = Listing::get(
        Api::Platform,
        segments(bulk.changed),
        Some("values"),
        Paging::Since,
    );
    let pager = Pager::new(client, changed).since(first);
    let pages = futures::stream::try_unfold(pager, move |mut pager| async move {
        let Some(page) = pager.next_page().await.map_err(external)? else {
            return Ok::<_, DataFusionError>(None);
        };
        let mut seen = HashSet::new();
        let ids: Vec<i64> = page
            .iter()
            .filter_map(|v| v.get(bulk.changed_id).and_then(as_i64))
            .filter(|id| seen.insert(*id))
            .collect();
        let chunks: Vec<Result<Vec<i64>, DataFusionError>> =
            ids.chunks(bulk.list_cap).map(|c| Ok(c.to_vec())).collect();
        Ok(Some((futures::stream::iter(chunks), pager)))
    })
    .boxed();
    list_children(client, bulk, pages.try_flatten().boxed(), keys, rows).await
}

/// The items of each chunk of ids (`worklog/list`, up to `MaxConcurrency` chunks ahead), with
/// their issues' keys looked up per chunk when a column needs them.
async fn list_children(
    client: &JiraClient,
    bulk: &BulkChildren,
    chunks: futures::stream::BoxStream<'_, Result<Vec<i64>, DataFusionError>>,
    keys: &mut KeyMap,
    rows: &mut Rows<'_>,
) -> Result<(), DataFusionError> {
    let needs_parent = rows.needs_parent();
    // Only what the columns read, and the issue id keys are looked up by.
    let keep = rows.decoder().keep().with("issueId");
    let keep = &keep;
    let limiter = Limiter::new(client.settings().max_concurrency);
    let mut listed = chunks
        .map_ok(|chunk| {
            let limiter = Arc::clone(&limiter);
            async move {
                limited(&limiter, client, async {
                    let listed = client
                        .post_platform_kept(bulk.list, &[], &json!({ "ids": chunk }), keep)
                        .await
                        .map_err(external)?;
                    let items = listed.as_array().cloned().unwrap_or_default();
                    // Looked up per chunk, so rows stream: the fewest lookups would need
                    // every item held until all keys are known.
                    let learned = if needs_parent {
                        lookup_keys(client, &parent_ids(&items)).await?
                    } else {
                        HashMap::new()
                    };
                    Ok::<_, DataFusionError>((items, learned))
                })
                .await
            }
            .boxed()
        })
        .try_buffered(client.settings().max_concurrency)
        .boxed();
    while let Some((items, learned)) = listed.try_next().await? {
        keys.0.extend(learned);
        rows.push(&items, keys).await?;
        if rows.done() {
            break;
        }
    }
    Ok(())
}
