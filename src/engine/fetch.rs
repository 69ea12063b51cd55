//! What every access shape's fetch shares: [`Rows`], where decoded rows go up to the limit;
//! [`SearchCursor`], a JQL search that drops values Jira says do not exist; issue keys looked
//! up by id.
//!
//! Everything here runs inside the scan's stream, so dropping the stream (LIMIT reached, query
//! cancelled) drops the request in flight and no further page is asked for.

use std::collections::HashMap;

use datafusion::arrow::array::RecordBatch;
use datafusion::error::DataFusionError;
use datafusion::execution::TryEmitter;

use serde_json::{Value, json};

use super::decode::{Parents, RowDecoder, as_i64};
use super::partition::{FIELD_PAGE, ID_PAGE};
use crate::jira::client::{ApiFlavor, JiraClient, JiraError};
use crate::jira::jql::{Clause, Literal, Query};
use crate::jira::pager::{Listing, Pager, Paging};
use crate::jira::prune::Keep;

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
    pub(super) fn remaining(&self) -> Option<usize> {
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

/// The `fields=` of a one-issue read: `id` when no column reads a field.
pub(super) fn fields_param(fields: &[&str]) -> String {
    if fields.is_empty() {
        "id".to_string()
    } else {
        fields.join(",")
    }
}

/// The keys of the issues `ids`, by id-only searches of [`KEY_LOOKUP_CHUNK`] ids each.
pub(super) async fn lookup_keys(
    client: &JiraClient,
    ids: &[i64],
) -> Result<HashMap<i64, String>, DataFusionError> {
    let mut found = HashMap::new();
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
            for issue in page {
                let id = issue.get("id").and_then(as_i64);
                if let (Some(id), Some(key)) = (id, issue.get("key").and_then(Value::as_str)) {
                    found.insert(id, key.to_string());
                }
            }
        }
    }
    Ok(found)
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
    /// Where an offset search starts (Data Center).
    start: usize,
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
            start: 0,
            started: false,
            finished: false,
        }
    }

    /// The same offset search read from issue `start` on (Data Center's `startAt`).
    pub fn starting_at(mut self, start: usize) -> Self {
        self.start = start;
        self
    }

    /// How many issues an offset search says it finds, once a page was read.
    pub fn total(&self) -> Option<i64> {
        self.pager.as_ref().and_then(|p| p.total())
    }

    /// The page size Jira used for an offset search, once a page was read.
    pub fn page_size(&self) -> Option<usize> {
        self.pager.as_ref().and_then(|p| p.page_size())
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
                empty => empty.insert(Box::new(
                    Pager::new(
                        self.client,
                        search_listing(
                            self.client.flavor(),
                            &self.query,
                            &self.fields,
                            self.order,
                            self.keep.as_ref(),
                        ),
                    )
                    .starting_at(self.start),
                )),
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
