//! Rows that are items issues hold (comments, links, attachments, change histories, custom
//! field values): one issue's through its own endpoint, many issues' from the issue search that
//! embeds them, or through a bulk endpoint keyed by issue id; items a key condition names, by
//! their own ids. Never one request per issue, except for the issues whose embedded items the
//! search truncated.

use std::collections::{BTreeSet, HashMap};

use async_trait::async_trait;
use datafusion::error::DataFusionError;
use datafusion::logical_expr::{Expr, TableProviderFilterPushDown};
use futures::{StreamExt, TryStreamExt};
use serde_json::{Map, Value, json};

use super::issues::jql_pushdown;
use super::{Shape, limit_text, mismatch, paged};
use crate::engine::decode::{PerRow, as_i64, lookup};
use crate::engine::fetch::{Rows, external, lookup_keys};
use crate::engine::partition::IssuePages;
use crate::engine::plan::{
    AccessPlan, IssueRef, fields_text, item_ids, one_issue_or_query, requested_fields,
};
use crate::engine::pushdown::{self, Value as Literal};
use crate::jira::client::{ApiFlavor, JiraClient};
use crate::jira::jql::Query;
use crate::jira::pager::{Listing, Pager, Paging};
use crate::jira::prune::Keep;
use crate::jira::tables::custom_fields;
use crate::jira::tables::{
    BulkByIssue, ById, ColumnDef, Embedded, EmbeddedItems, IssueItems, TableDef,
};

pub(in crate::engine) struct Items {
    pub(super) table: &'static TableDef,
    pub(super) items: &'static IssueItems,
}

#[async_trait]
impl Shape for Items {
    fn pushdown(&self, filter: &Expr) -> TableProviderFilterPushDown {
        match jql_pushdown(self.table, filter) {
            // Values a bulk endpoint filters on (ignoring case), the fields a narrowing column
            // names, ids read by id: all checked again.
            TableProviderFilterPushDown::Unsupported
                if self.bulk_filter_values(filter).is_some()
                    || self.narrowed_fields(filter).is_some()
                    || self.read_by_id(filter) =>
            {
                TableProviderFilterPushDown::Inexact
            }
            other => other,
        }
    }

    fn plan(&self, columns: &[&ColumnDef], filters: &[Expr], limit: Option<usize>) -> AccessPlan {
        let (table, items) = (self.table, self.items);
        let mut fields = requested_fields(columns);
        if let Some(e) = &items.embedded {
            match filters.iter().find_map(|f| self.narrowed_fields(f)) {
                Some(only) => fields.extend(only),
                None => fields.extend(e.fields),
            }
            fields.sort_unstable();
            fields.dedup();
        }
        let ids = items
            .by_id
            .and_then(|_| filters.iter().find_map(|f| item_ids(table, f)));
        match (one_issue_or_query(table, filters), ids) {
            (Ok(issue), _) => AccessPlan::ItemsOfIssue {
                issue,
                fields,
                limit,
            },
            (Err(_), Some(ids)) => AccessPlan::ItemsByIds { ids, limit },
            (Err(query), None) => AccessPlan::ItemsBySearch {
                query,
                only: filters
                    .iter()
                    .find_map(|f| self.bulk_filter_values(f))
                    .unwrap_or_default(),
                // The bulk endpoint needs the issues' ids only.
                fields: if items.embedded.is_some() {
                    fields
                } else {
                    Vec::new()
                },
                limit,
            },
        }
    }

    fn describe(&self, plan: &AccessPlan) -> String {
        let items = self.items;
        let limit = limit_text(plan);
        match plan {
            AccessPlan::ItemsOfIssue { issue, fields, .. } => match &items.per_issue {
                Some(e) => format!("GET {}{} for {issue}{limit}", e.path, paged(e)),
                None => format!("GET issue/{issue} fields={}", fields_text(fields)),
            },
            AccessPlan::ItemsBySearch { .. } => {
                let then = match (&items.embedded, &items.per_issue, &items.bulk) {
                    (
                        Some(Embedded {
                            items: EmbeddedItems::List { total: Some(_), .. },
                            ..
                        }),
                        Some(e),
                        _,
                    ) => format!(
                        ", then GET {}{} for each issue with more than the search embeds",
                        e.path,
                        paged(e)
                    ),
                    (None, _, Some(b)) => format!(
                        ", then POST {} ({} issues a call, {} items a page)",
                        b.path, b.max_issues, b.max_page
                    ),
                    _ => String::new(),
                };
                format!("{plan}{then}")
            }
            other => other.to_string(),
        }
    }

    fn rule(&self, column: &ColumnDef) -> Option<String> {
        let items = self.items;
        if let Some(BulkByIssue {
            path,
            filter: Some(f),
            ..
        }) = &items.bulk
            && f.column == column.name
        {
            return Some(format!(
                "= IN (up to {}): {path}'s {} when issues are read in bulk (prefilter)",
                f.cap, f.body
            ));
        }
        if let Some(Embedded {
            items: EmbeddedItems::CustomFieldValues { narrowed_by, .. },
            ..
        }) = &items.embedded
            && *narrowed_by == column.name
        {
            return Some("= IN: only those fields are requested (prefilter)".to_string());
        }
        if let (true, Some(by_id)) = (column.key, &items.by_id) {
            return Some(format!(
                "= IN: those ids through {} (prefilter)",
                by_id.list
            ));
        }
        let spec = column.filter?;
        Some(super::with_empty(spec, spec.kind.describe().to_string()))
    }

    async fn fetch(
        &self,
        client: &JiraClient,
        plan: &AccessPlan,
        rows: &mut Rows<'_>,
    ) -> Result<(), DataFusionError> {
        let (table, items) = (self.table, self.items);
        match plan {
            AccessPlan::ItemsOfIssue { .. } | AccessPlan::ItemsBySearch { .. }
                if items.cloud_only && client.flavor() == ApiFlavor::DataCenter =>
            {
                Err(DataFusionError::Plan(format!(
                    "{} reads endpoints only Jira Cloud has; this connection is to Jira Data \
                     Center",
                    table.name
                )))
            }
            AccessPlan::ItemsOfIssue { issue, fields, .. } => {
                of_issue(client, items, issue, fields, rows).await
            }
            AccessPlan::ItemsByIds { ids, .. } => match &items.by_id {
                Some(by_id) => by_ids(client, items, by_id, ids, rows).await,
                None => Err(mismatch(table, plan)),
            },
            AccessPlan::ItemsBySearch {
                query,
                fields,
                only,
                ..
            } => by_search(client, items, query, fields, only, rows).await,
            other => Err(mismatch(table, other)),
        }
    }
}

impl Items {
    /// Whether `filter` names items the table reads by their own ids.
    fn read_by_id(&self, filter: &Expr) -> bool {
        self.items.by_id.is_some() && item_ids(self.table, filter).is_some()
    }

    /// The embedded fields a filter on the table's narrowing column (`FieldId` of
    /// `IssueCustomFields`) names: the only ones worth requesting. Values that are no such
    /// field name nothing.
    fn narrowed_fields(&self, filter: &Expr) -> Option<Vec<&'static str>> {
        let Some(Embedded {
            fields,
            items: EmbeddedItems::CustomFieldValues { narrowed_by, .. },
        }) = &self.items.embedded
        else {
            return None;
        };
        let (col, values) = pushdown::equalities(self.table, filter)?;
        if col.name != *narrowed_by {
            return None;
        }
        Some(
            fields
                .iter()
                .copied()
                .filter(|f| {
                    values
                        .iter()
                        .any(|v| matches!(v, Literal::Text(t) if t == f))
                })
                .collect(),
        )
    }

    /// The values a filter gives the column the table's bulk endpoint filters on, within its
    /// cap.
    fn bulk_filter_values(&self, filter: &Expr) -> Option<Vec<String>> {
        let Some(BulkByIssue {
            filter: Some(spec), ..
        }) = &self.items.bulk
        else {
            return None;
        };
        let (col, values) = pushdown::equalities(self.table, filter)?;
        if col.name != spec.column || values.len() > spec.cap {
            return None;
        }
        let mut texts: Vec<String> = values
            .into_iter()
            .map(|v| match v {
                Literal::Text(s) => Some(s),
                _ => None,
            })
            .collect::<Option<_>>()?;
        texts.sort();
        texts.dedup();
        Some(texts)
    }
}

/// Rows of a batch and the issue each belongs to.
#[derive(Default)]
struct Batch {
    rows: Vec<Value>,
    issues: Vec<Value>,
}

impl Batch {
    /// Adds `items` of `issue`, each nested element a row of its own when the table says so.
    fn add(&mut self, table: &IssueItems, issue: &Value, items: Vec<Value>) {
        for item in items {
            let rows = match table.nested {
                None => vec![item],
                Some(list) => explode(item, list),
            };
            self.issues
                .extend(std::iter::repeat_n(issue.clone(), rows.len()));
            self.rows.extend(rows);
        }
    }

    async fn flush(&mut self, rows: &mut Rows<'_>) -> Result<(), DataFusionError> {
        let batch = std::mem::take(self);
        rows.push(&batch.rows, &PerRow(batch.issues)).await
    }
}

/// The rows of an item holding a list: one per element, the element under `item` and the rest
/// of the item beside it. An item that is not an object has none.
pub(super) fn explode(item: Value, list: &str) -> Vec<Value> {
    let Value::Object(mut outer) = item else {
        return Vec::new();
    };
    let elements = match outer.remove(list) {
        Some(Value::Array(a)) => a,
        _ => Vec::new(),
    };
    elements
        .into_iter()
        .map(|element| {
            let mut row: Map<String, Value> = outer.clone();
            row.insert("item".into(), element);
            Value::Object(row)
        })
        .collect()
}

/// What rows say of their issue: its id and key.
fn issue_of(issue: &Value) -> Value {
    json!({ "id": issue.get("id"), "key": issue.get("key") })
}

fn array(v: Option<&Value>) -> Vec<Value> {
    v.and_then(Value::as_array).cloned().unwrap_or_default()
}

/// The items `issue` embeds, and how many it says it has when it embeds only the first ones.
fn embedded_items(embedded: &Embedded, issue: &Value) -> (Vec<Value>, Option<i64>) {
    match embedded.items {
        EmbeddedItems::List { path, total } => (
            array(lookup(issue, path)),
            total.and_then(|p| lookup(issue, p)).and_then(as_i64),
        ),
        EmbeddedItems::CustomFieldValues { fields, .. } => {
            (custom_fields::value_rows(fields, issue), None)
        }
    }
}

/// One issue's items.
async fn of_issue(
    client: &JiraClient,
    table: &IssueItems,
    issue: &IssueRef,
    fields: &[&'static str],
    rows: &mut Rows<'_>,
) -> Result<(), DataFusionError> {
    let name = issue.to_string();
    let mut batch = Batch::default();
    match (&table.per_issue, &table.embedded) {
        (Some(_), _) => {
            // The item endpoint does not say which issue it answered for: what the filter
            // named is known, the other half of (id, key) is read only when a column needs it.
            let known = match issue {
                IssueRef::Key(k) => json!({ "key": k }),
                IssueRef::Id(id) => json!({ "id": id.to_string() }),
            };
            let missing = match issue {
                IssueRef::Key(_) => "id",
                IssueRef::Id(_) => "key",
            };
            let parent = if rows.decoder().needs_parent_path(missing) {
                match client
                    .get_platform(["issue", name.as_str()], &[("fields", "id".to_string())])
                    .await
                {
                    Ok(found) => issue_of(&found),
                    Err(e) if e.status() == Some(404) => return Ok(()),
                    Err(e) => return Err(external(e)),
                }
            } else {
                known
            };
            let Some(items) = issue_items(client, table, &name).await? else {
                return Ok(());
            };
            batch.add(table, &parent, items);
        }
        (None, Some(embedded)) => {
            let query = [("fields", fields.join(","))];
            let found = match client.get_platform(["issue", name.as_str()], &query).await {
                Ok(found) => found,
                Err(e) if e.status() == Some(404) => return Ok(()),
                Err(e) => return Err(external(e)),
            };
            let (items, _) = embedded_items(embedded, &found);
            batch.add(table, &issue_of(&found), items);
        }
        (None, None) => {
            return Err(DataFusionError::Internal(
                "an issue-items table needs a per-issue endpoint or embedded items".into(),
            ));
        }
    }
    batch.flush(rows).await
}

/// Every item of one issue through its own endpoint; `None` when the issue does not exist.
async fn issue_items(
    client: &JiraClient,
    table: &IssueItems,
    issue: &str,
) -> Result<Option<Vec<Value>>, DataFusionError> {
    let Some(endpoint) = table.per_issue else {
        return Ok(Some(Vec::new()));
    };
    match Pager::new(client, Listing::of(&endpoint, Some(issue)))
        .all()
        .await
    {
        Ok(all) => Ok(Some(all)),
        Err(e) if e.status() == Some(404) => Ok(None),
        Err(e) => Err(external(e)),
    }
}

/// The items of the issues `query` finds.
async fn by_search(
    client: &JiraClient,
    table: &IssueItems,
    query: &Query,
    fields: &[&'static str],
    only: &[String],
    rows: &mut Rows<'_>,
) -> Result<(), DataFusionError> {
    // A large search is split into concurrent windows, as for Issues; only what the items and
    // the issue's id and key need is parsed.
    let keep = fields
        .iter()
        .fold(Keep::default().with("id").with("key"), |keep, field| {
            keep.with(&format!("fields.{field}"))
        });
    let mut pages = IssuePages::new(client, query.clone(), fields.to_vec(), None, keep);
    while !rows.done() {
        let Some(page) = pages.next_page(None).await? else {
            break;
        };
        let mut batch = Batch::default();
        match (&table.embedded, &table.bulk) {
            (Some(embedded), _) => {
                let found: Vec<(&Value, Vec<Value>, Option<i64>)> = page
                    .iter()
                    .map(|issue| {
                        let (items, total) = embedded_items(embedded, issue);
                        (issue, items, total)
                    })
                    .collect();
                // The search embeds the first items only; the rest need the issue's own
                // endpoint, read a few issues at a time.
                let truncated: Vec<String> = found
                    .iter()
                    .filter(|(_, items, total)| total.is_some_and(|t| t > items.len() as i64))
                    .filter_map(|(issue, _, _)| issue.get("key").and_then(Value::as_str))
                    .map(str::to_string)
                    .collect();
                let mut reads = futures::stream::iter(truncated)
                    .map(|key| async move {
                        let all = issue_items(client, table, &key).await?;
                        Ok::<_, DataFusionError>((key, all))
                    })
                    // As many issues at once as the connection allows (MaxConcurrency).
                    .buffered(client.settings().max_concurrency.max(1));
                let mut complete: HashMap<String, Vec<Value>> = HashMap::new();
                while let Some((key, all)) = reads.try_next().await? {
                    // An issue deleted since the search keeps what the search embedded.
                    if let Some(all) = all {
                        complete.insert(key, all);
                    }
                }
                for (issue, items, _) in found {
                    let key = issue.get("key").and_then(Value::as_str).unwrap_or_default();
                    let items = complete.remove(key).unwrap_or(items);
                    batch.add(table, &issue_of(issue), items);
                }
            }
            (None, Some(bulk)) => bulk_items(client, table, bulk, only, &page, &mut batch).await?,
            (None, None) => {
                return Err(DataFusionError::Internal(
                    "an issue-items table needs embedded items or a bulk endpoint to be searched"
                        .into(),
                ));
            }
        }
        batch.flush(rows).await?;
    }
    Ok(())
}

/// The items of `issues` through the bulk endpoint, `max_issues` issues a call, token pages;
/// only those with one of the `only` values when given.
async fn bulk_items(
    client: &JiraClient,
    table: &IssueItems,
    bulk: &BulkByIssue,
    only: &[String],
    issues: &[Value],
    batch: &mut Batch,
) -> Result<(), DataFusionError> {
    let by_id: HashMap<String, Value> = issues
        .iter()
        .filter_map(|i| Some((as_i64(i.get("id")?)?.to_string(), issue_of(i))))
        .collect();
    let ids: Vec<&String> = by_id.keys().collect();
    for chunk in ids.chunks(bulk.max_issues.max(1)) {
        let mut body = json!({ "issueIdsOrKeys": chunk });
        if let (Some(filter), false) = (bulk.filter, only.is_empty()) {
            body[filter.body] = json!(only);
        }
        let paging = Paging::Token { max: bulk.max_page };
        let mut pager = Pager::new(client, Listing::post(bulk.path, body, bulk.groups, paging));
        while let Some(groups) = pager.next_page().await.map_err(external)? {
            for group in groups {
                let id = group
                    .get(bulk.group_issue)
                    .and_then(as_i64)
                    .map(|id| id.to_string());
                let issue = id
                    .as_ref()
                    .and_then(|id| by_id.get(id))
                    .cloned()
                    .unwrap_or_else(|| json!({ "id": id }));
                batch.add(table, &issue, array(group.get(bulk.group_items)));
            }
        }
    }
    Ok(())
}

/// The items `ids` names, whatever their issue (`POST comment/list`, [`ById::cap`] ids a call),
/// with their issues' keys looked up (one id-only search per 1000 issues) when a column reads
/// them.
async fn by_ids(
    client: &JiraClient,
    table: &IssueItems,
    by_id: &ById,
    ids: &[i64],
    rows: &mut Rows<'_>,
) -> Result<(), DataFusionError> {
    for chunk in ids.chunks(by_id.cap.max(1)) {
        let page = client
            .post_platform(by_id.list, &[], &json!({ "ids": chunk }))
            .await
            .map_err(external)?;
        let items = array(page.get(by_id.items));
        let keys = if rows.needs_parent() {
            let issues: BTreeSet<i64> = items.iter().filter_map(issue_in_self).collect();
            lookup_keys(client, &issues.into_iter().collect::<Vec<_>>()).await?
        } else {
            HashMap::new()
        };
        let mut batch = Batch::default();
        for item in items {
            let id = issue_in_self(&item);
            let issue = json!({
                "id": id.map(|i| i.to_string()),
                "key": id.and_then(|i| keys.get(&i)),
            });
            batch.add(table, &issue, vec![item]);
        }
        batch.flush(rows).await?;
        if rows.done() {
            break;
        }
    }
    Ok(())
}

/// The issue id in an item's `self` URL (`.../issue/10010/comment/10000`).
fn issue_in_self(item: &Value) -> Option<i64> {
    let url = item.get("self")?.as_str()?;
    let mut parts = url.split('/');
    parts.find(|p| *p == "issue")?;
    parts.next()?.parse().ok()
}
