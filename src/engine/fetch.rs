//! Executing an access plan: the requests, their paging, and the rows they produce.
//!
//! Everything here runs inside the scan's stream, so dropping the stream (LIMIT reached, query
//! cancelled) drops the request in flight and no further page is asked for.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use datafusion::arrow::array::RecordBatch;
use datafusion::error::DataFusionError;
use datafusion::execution::TryEmitter;
use futures::{FutureExt, StreamExt, TryStreamExt};
use serde_json::{Value, json};

use super::decode::{NoParent, Parents, RowDecoder, SameParent, as_i64, lookup};
use super::partition::{FIELD_PAGE, ID_PAGE, IssuePages, Limiter, limited};
use super::plan::{AccessPlan, Bounds, IssueRef, PER_ISSUE_MAX, ParentRef};
use crate::jira::client::{ApiFlavor, JiraClient, JiraError};
use crate::jira::jql::{Clause, Literal, Query};
use crate::jira::pager::{Listing, Pager, segments};
use crate::jira::prune::Keep;
use crate::jira::tables::{
    Access, Api, BulkChildren, Detail, Paging, ParentList, ParentSpec, Source, TableDef,
};

/// Issues fetched at once when reading children one issue at a time.
const PER_ISSUE_CONCURRENCY: usize = 4;
/// Ids per `id in (...)` search when looking up issue keys.
const KEY_LOOKUP_CHUNK: usize = 1000;

pub(super) fn external(e: JiraError) -> DataFusionError {
    DataFusionError::External(Box::new(e))
}

/// Where decoded rows go: the scan's stream, up to the limit.
pub struct Rows<'a> {
    emitter: &'a mut TryEmitter<RecordBatch, DataFusionError>,
    decoder: &'a RowDecoder,
    limit: Option<usize>,
    produced: usize,
}

impl<'a> Rows<'a> {
    pub fn new(
        emitter: &'a mut TryEmitter<RecordBatch, DataFusionError>,
        decoder: &'a RowDecoder,
        limit: Option<usize>,
    ) -> Self {
        Rows {
            emitter,
            decoder,
            limit,
            produced: 0,
        }
    }

    pub(super) fn decoder(&self) -> &RowDecoder {
        self.decoder
    }

    /// Rows still wanted, `None` when unlimited.
    fn remaining(&self) -> Option<usize> {
        self.limit.map(|l| l.saturating_sub(self.produced))
    }

    pub(super) fn done(&self) -> bool {
        self.remaining() == Some(0)
    }

    /// Whether a column reads the row's issue (its id or key).
    pub(super) fn needs_parent(&self) -> bool {
        self.decoder.needs_parent()
    }

    pub(super) async fn push(
        &mut self,
        items: &[Value],
        parent: &dyn Parents,
    ) -> Result<(), DataFusionError> {
        // A page can hold more than the limit still wants; DataFusion relies on the scan to stop.
        let items = &items[..self.remaining().map_or(items.len(), |r| r.min(items.len()))];
        if items.is_empty() {
            return Ok(());
        }
        let batch = self.decoder.decode(items, parent)?;
        self.produced += batch.num_rows();
        self.emitter.emit(batch).await;
        Ok(())
    }
}

/// Runs `plan` for `table`, sending its rows to `rows`.
pub async fn run(
    client: &JiraClient,
    table: &'static TableDef,
    plan: &AccessPlan,
    rows: &mut Rows<'_>,
) -> Result<(), DataFusionError> {
    let keys = KeyMap::default();
    match (plan, &table.access) {
        (AccessPlan::GetIssue { issue, fields }, _) => {
            let query = [("fields", fields_param(fields))];
            match client
                .get_platform(["issue", &issue.to_string()], &query)
                .await
            {
                Ok(item) => rows.push(&[item], &keys).await,
                // Jira's documented answer for an issue that does not exist (or is hidden).
                Err(e) if e.status() == Some(404) => Ok(()),
                Err(e) => Err(external(e)),
            }
        }
        (
            AccessPlan::Search {
                query,
                fields,
                limit,
            },
            _,
        ) => {
            let keep = rows.decoder.keep();
            let mut pages = IssuePages::new(client, query.clone(), fields.clone(), *limit, keep);
            while !rows.done() {
                let want = rows.remaining();
                let Some(page) = pages.next_page(want).await? else {
                    break;
                };
                rows.push(&page, &keys).await?;
            }
            Ok(())
        }
        (
            AccessPlan::ChildrenOf {
                issues, started, ..
            },
            Access::IssueChildren {
                per_issue, items, ..
            },
        ) => {
            let mut keys = keys;
            per_issue_children(client, issues, *started, per_issue, items, &mut keys, rows).await
        }
        (
            AccessPlan::ChildrenByJql { query, started, .. },
            Access::IssueChildren {
                per_issue,
                items,
                bulk,
            },
        ) => {
            let mut keys = keys;
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
        (AccessPlan::ChildrenBulk { ids: Some(ids), .. }, Access::IssueChildren { bulk, .. }) => {
            let mut keys = keys;
            let chunks = ids.chunks(bulk.list_cap).map(|c| Ok(c.to_vec()));
            let chunks = futures::stream::iter(chunks.collect::<Vec<_>>()).boxed();
            list_children(client, bulk, chunks, &mut keys, rows).await
        }
        (AccessPlan::ChildrenBulk { since, .. }, Access::IssueChildren { bulk, .. }) => {
            let mut keys = keys;
            bulk_children(client, bulk, *since, &mut keys, rows).await
        }
        (AccessPlan::List { .. }, Access::List(endpoint)) => {
            let mut pager = Pager::new(client, Listing::of(endpoint, None));
            while !rows.done() {
                let Some(page) = pager.next_page().await.map_err(external)? else {
                    break;
                };
                rows.push(&page, &NoParent).await?;
            }
            Ok(())
        }
        (AccessPlan::PerParent { parents, .. }, Access::PerParent { parent, endpoint }) => {
            let parent_items = match parents {
                Some(refs) => {
                    // A parent named by a filter: its reference is all we know of it, stored
                    // where the table's parent column reads it.
                    let path = table
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
                let Some(reference) = lookup(&item, parent.reference).and_then(reference_text)
                else {
                    continue;
                };
                let mut pager = Pager::new(client, Listing::of(endpoint, Some(&reference)));
                let same = SameParent(item);
                while let Some(page) = parent_page(&mut pager, &reference, every_parent).await? {
                    let page = match endpoint.detail {
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
        (
            AccessPlan::ItemsOfIssue { .. } | AccessPlan::ItemsBySearch { .. },
            Access::IssueItems(items),
        ) if items.cloud_only && client.flavor() == ApiFlavor::DataCenter => {
            Err(DataFusionError::Plan(format!(
                "{} reads endpoints only Jira Cloud has; this connection is to Jira Data Center",
                table.name
            )))
        }
        (AccessPlan::ItemsOfIssue { issue, fields, .. }, Access::IssueItems(items)) => {
            super::items::of_issue(client, items, issue, fields, rows).await
        }
        (
            AccessPlan::ItemsByIds { ids, .. },
            Access::IssueItems(
                items @ crate::jira::tables::IssueItems {
                    by_id: Some(by_id), ..
                },
            ),
        ) => super::items::by_ids(client, items, by_id, ids, rows).await,
        (
            AccessPlan::ItemsBySearch {
                query,
                fields,
                only,
                ..
            },
            Access::IssueItems(items),
        ) => super::items::by_search(client, items, query, fields, only, rows).await,
        (plan, _) => Err(DataFusionError::Internal(format!(
            "access plan {plan} does not fit table {}",
            table.name
        ))),
    }
}

fn fields_param(fields: &[&str]) -> String {
    if fields.is_empty() {
        "id".to_string()
    } else {
        fields.join(",")
    }
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

/// The keys of the issues `ids`, by id-only searches of [`KEY_LOOKUP_CHUNK`] ids each.
pub(super) async fn lookup_keys(
    client: &JiraClient,
    ids: &[i64],
) -> Result<HashMap<i64, String>, DataFusionError> {
    let mut found = KeyMap::default();
    for chunk in ids.chunks(KEY_LOOKUP_CHUNK) {
        let query = Query {
            clauses: vec![Clause::In {
                field: "id",
                values: chunk.iter().map(|&id| Literal::Number(id)).collect(),
                negated: false,
            }],
        };
        let mut cursor = SearchCursor::new(client, query, Vec::new());
        while let Some(page) = cursor.next_page(None).await? {
            page.iter().for_each(|issue| found.learn_issue(issue));
        }
    }
    Ok(found.0)
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
        if rows.decoder.needs_parent() {
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
    let needs_parent = rows.decoder.needs_parent();
    // Only what the columns read, and the issue id keys are looked up by.
    let keep = rows.decoder.keep().with("issueId");
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
        ParentList::Table(TableDef {
            access:
                Access::PerParent {
                    parent:
                        ParentSpec {
                            list: ParentList::Endpoint(e),
                            reference,
                            ..
                        },
                    endpoint,
                },
            ..
        }) => (*e, Some((*endpoint, *reference))),
        ParentList::Table(t) => {
            return Err(DataFusionError::Internal(format!(
                "{} cannot list parents: it is not a per-parent table over one listing",
                t.name
            )));
        }
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

/// Walks a JQL search page by page: token pages on Cloud (`search/jql`), offset pages on Data
/// Center (`search`). Values Jira says do not exist are dropped from the query and the search
/// retried, as SQL expects no rows for them rather than an error.
pub struct SearchCursor<'c> {
    client: &'c JiraClient,
    query: Query,
    fields: Vec<&'static str>,
    /// `ORDER BY` text, for the split scans that need pages in creation order.
    order: Option<&'static str>,
    /// What of each issue is parsed (everything when `None`).
    keep: Option<Keep>,
    /// The pages of the query as it stands; `None` until the first page is asked for, and
    /// again after the query was narrowed.
    pager: Option<Box<Pager<'c>>>,
    started: bool,
    finished: bool,
}

impl<'c> SearchCursor<'c> {
    pub fn new(client: &'c JiraClient, query: Query, fields: Vec<&'static str>) -> Self {
        SearchCursor {
            client,
            query,
            fields,
            order: None,
            keep: None,
            pager: None,
            started: false,
            finished: false,
        }
    }

    /// The same search sorted by `order` (`"id DESC"`).
    pub fn ordered(mut self, order: &'static str) -> Self {
        self.order = Some(order);
        self
    }

    pub fn client(&self) -> &'c JiraClient {
        self.client
    }

    /// The query as sent last (without the values Jira said do not exist).
    pub fn query(&self) -> &Query {
        &self.query
    }

    /// Parses of each issue only what `issue` keeps (the pager adds its paging fields).
    pub fn keeping(mut self, issue: &Keep) -> Self {
        self.keep = Some(issue.clone());
        self
    }

    /// Whether the last page has been read.
    pub fn finished(&self) -> bool {
        self.finished || self.pager.as_ref().is_some_and(|p| p.finished())
    }

    /// The next page of issues, asking for at most `want` (Jira may send fewer), or `None` at
    /// the end.
    pub async fn next_page(
        &mut self,
        want: Option<usize>,
    ) -> Result<Option<Vec<Value>>, DataFusionError> {
        if self.finished {
            return Ok(None);
        }
        loop {
            let pager = match &mut self.pager {
                Some(pager) => pager,
                empty => empty.insert(Box::new(Pager::new(
                    self.client,
                    search_listing(
                        self.client.flavor(),
                        &self.query,
                        &self.fields,
                        self.order,
                        self.keep.as_ref(),
                    ),
                ))),
            };
            match pager.next_page_of(want).await {
                Ok(Some(issues)) => {
                    self.started = true;
                    return Ok(Some(issues));
                }
                Ok(None) => {
                    self.finished = true;
                    return Ok(None);
                }
                Err(e) if !self.started && e.status() == Some(400) => {
                    match self.drop_missing_values(e.jira_messages()) {
                        Some(true) => self.pager = None,
                        Some(false) => {
                            self.finished = true;
                            return Ok(None);
                        }
                        None => return Err(external(e)),
                    }
                }
                Err(e) => return Err(external(e)),
            }
        }
    }

    /// Applies Jira's "value does not exist" answers. `Some(true)`: retry with a narrower query;
    /// `Some(false)`: nothing can match; `None`: the error is something else.
    fn drop_missing_values(&mut self, messages: &[String]) -> Option<bool> {
        let mut changed = false;
        for m in messages {
            let (value, field) = missing_value(m)?;
            let before = self.query.clone();
            if !self.query.without_value(&field, &value) {
                return Some(false);
            }
            changed |= self.query != before;
        }
        changed.then_some(true)
    }
}

/// The search for `query` in the flavor's style: token pages of `search/jql` on Cloud,
/// offset pages of `search` on Data Center; id-only searches take the larger pages.
fn search_listing(
    flavor: ApiFlavor,
    query: &Query,
    fields: &[&'static str],
    order: Option<&'static str>,
    keep: Option<&Keep>,
) -> Listing {
    let mut jql = query.to_jql();
    if let Some(order) = order {
        jql = format!("{jql} ORDER BY {order}");
    }
    let (fields, max) = if fields.is_empty() {
        (vec!["id"], ID_PAGE)
    } else {
        (fields.to_vec(), FIELD_PAGE)
    };
    let body = json!({ "jql": jql, "fields": fields });
    let listing = match flavor {
        ApiFlavor::Cloud => Listing::post("search/jql", body, "issues", Paging::Token { max }),
        ApiFlavor::DataCenter => Listing::post("search", body, "issues", Paging::StartAt { max }),
    };
    match keep {
        Some(keep) => listing.keeping(keep),
        None => listing,
    }
}

/// `(value, field)` from Jira's "The value 'X' does not exist for the field 'F'.", "An issue
/// with key 'X' does not exist for the field 'F'." and "The issue key 'X' for field 'F' is
/// invalid.": a value no issue can have, so a condition on it matches nothing.
fn missing_value(message: &str) -> Option<(String, String)> {
    if let Some(rest) = message.strip_prefix("The issue key '") {
        let (value, rest) = rest.rsplit_once("' for field '")?;
        let field = rest.strip_suffix("' is invalid.")?;
        return Some((value.to_string(), field.to_string()));
    }
    let rest = message
        .strip_prefix("The value '")
        .or_else(|| message.strip_prefix("An issue with key '"))?;
    let (value, rest) = rest.rsplit_once("' does not exist for the field '")?;
    let field = rest.strip_suffix("'.")?;
    Some((value.to_string(), field.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_value_messages_are_understood() {
        assert_eq!(
            missing_value("The value 'NOPE' does not exist for the field 'project'."),
            Some(("NOPE".into(), "project".into()))
        );
        assert_eq!(
            missing_value("An issue with key 'PAY-100' does not exist for the field 'key'."),
            Some(("PAY-100".into(), "key".into()))
        );
        assert_eq!(
            missing_value("The issue key 'A-1' OR '1'='1' for field 'key' is invalid."),
            Some(("A-1' OR '1'='1".into(), "key".into()))
        );
        assert_eq!(
            missing_value("Field 'x' does not exist or you do not have permission to view it."),
            None
        );
    }
}
