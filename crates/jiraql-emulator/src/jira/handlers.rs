//! Endpoint handlers: parameter parsing, paging envelopes and error bodies per endpoint
//! (reference §1–§4, checked against the OpenAPI spec). Entity JSON comes from `render.rs`.

use std::collections::HashSet;

use axum::http::StatusCode;
use axum::response::Response;
use base64::Engine;
use chrono::Utc;
use serde_json::{Map, Value, json};

use super::data::Issue;
use super::fields::{self, DefaultFields, FieldDef};
use super::jql;
use super::render::{IssueOptions, Product, Renderer, field_details, issue_properties, timestamp};
use super::search::{self, SearchContext, SearchError};
use super::server::{Ctx, View, error_response, json_response};

pub(super) mod agile;
pub(super) mod catalog_write;
pub(super) mod component_write;
pub(super) mod createmeta;
pub(super) mod directory;
mod entity_write;
pub(super) mod history;
pub(super) mod issue_fields;
pub(super) mod issue_search;
pub(super) mod issue_write;
pub(super) mod item_write;
pub(super) mod lookups;
pub(super) mod project_write;
pub(super) mod projects;
pub(super) mod site_write;
pub(super) mod sprint_write;
pub(super) mod version_write;

use issue_search::{decode_token, encode_token, insert_names_schema};

/// A refused request: Jira's `ErrorCollection` and its status (small, unlike a `Response`,
/// so it travels cheaply through `?`).
struct Fail {
    status: StatusCode,
    messages: Vec<String>,
}

impl Fail {
    fn new(status: StatusCode, messages: Vec<String>) -> Fail {
        Fail { status, messages }
    }
}

type Reply = Result<Response, Fail>;

fn ok(body: &Value) -> Reply {
    Ok(json_response(StatusCode::OK, body))
}

fn bad_request(msg: impl Into<String>) -> Fail {
    Fail::new(StatusCode::BAD_REQUEST, vec![msg.into()])
}

fn respond(reply: Reply) -> Response {
    reply.unwrap_or_else(|f| error_response(f.status, f.messages))
}

const ISSUE_MISSING: &str = "Issue does not exist or you do not have permission to see it.";
const UNBOUNDED: &str =
    "Unbounded JQL queries are not allowed here. Please add a search restriction to your query.";
const REMOVED: &str = "The requested API has been removed. Please migrate to the /rest/api/3/search/jql API. A full migration guideline is available at https://developer.atlassian.com/changelog/#CHANGE-2046";

/// An integer query parameter; a non-number answers `status` with Jira-style text.
fn int_param(c: &Ctx, name: &str, status: StatusCode) -> Result<Option<i64>, Fail> {
    match c.query_one(name) {
        None => Ok(None),
        Some(v) if v.trim().is_empty() => Ok(None),
        Some(v) => v.trim().parse::<i64>().map(Some).map_err(|_| {
            Fail::new(
                status,
                vec![format!(
                    "The value '{v}' is not a valid number for the parameter '{name}'."
                )],
            )
        }),
    }
}

/// Comma-separated and repeated `expand` values.
fn expand_set(values: &[String]) -> HashSet<String> {
    values
        .iter()
        .flat_map(|v| v.split(','))
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// A JSON object body; anything else is Jira's "invalid payload" 400.
fn body_object(body: &[u8]) -> Result<Map<String, Value>, Fail> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => Ok(m),
        _ => Err(bad_request(
            "Invalid request payload. Refer to the REST API documentation and try again.",
        )),
    }
}

fn body_string(m: &Map<String, Value>, key: &str) -> Result<Option<String>, Fail> {
    match m.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(bad_request(format!(
            "Invalid request payload: '{key}' must be a string."
        ))),
    }
}

fn body_int(m: &Map<String, Value>, key: &str) -> Result<Option<i64>, Fail> {
    match m.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v.as_i64().map(Some).ok_or_else(|| {
            bad_request(format!(
                "Invalid request payload: '{key}' must be an integer."
            ))
        }),
    }
}

/// A list of strings given as an array or (leniently) one comma string.
fn body_strings(m: &Map<String, Value>, key: &str) -> Result<Vec<String>, Fail> {
    match m.get(key) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::String(s)) => Ok(vec![s.clone()]),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| {
                v.as_str().map(str::to_string).ok_or_else(|| {
                    bad_request(format!(
                        "Invalid request payload: '{key}' must hold strings."
                    ))
                })
            })
            .collect(),
        Some(_) => Err(bad_request(format!(
            "Invalid request payload: '{key}' must be an array."
        ))),
    }
}

fn find_issue<'a>(s: &'a View, c: &Ctx) -> Result<&'a Issue, Fail> {
    s.data()
        .issue_by_id_or_key(c.param("issueIdOrKey"))
        .ok_or_else(|| Fail::new(StatusCode::NOT_FOUND, vec![ISSUE_MISSING.into()]))
}

/// Parse, validate and run (or reuse) a search. `bounded` enforces Cloud's restriction.
fn run_search(
    s: &View,
    jql_text: &str,
    bounded: bool,
    max_order_by: Option<usize>,
) -> Result<std::sync::Arc<Vec<usize>>, Fail> {
    let query = jql::parse(jql_text).map_err(|e| bad_request(e.message))?;
    if bounded && query.clause.is_none() {
        return Err(bad_request(UNBOUNDED));
    }
    if let Some(max) = max_order_by
        && query.order_by.len() > max
    {
        return Err(bad_request(format!(
            "The ORDER BY clause can contain a maximum of {max} fields."
        )));
    }
    s.searches
        .get_or_run(s.version(), jql_text, || {
            let ctx = SearchContext::for_myself(s.data(), Utc::now());
            search::compile(&query, s.data(), &ctx).map(|q| q.run(s.data()))
        })
        .map_err(|e: SearchError| Fail::new(StatusCode::BAD_REQUEST, e.messages()))
}

// ---------------------------------------------------------------------------------------------
// Issues, worklogs, comments
// ---------------------------------------------------------------------------------------------

pub(crate) fn get_issue(s: &View, c: &Ctx, _: &[u8]) -> Response {
    respond((|| {
        let issue = find_issue(s, c)?;
        let selected = fields::select(&c.query_all("fields"), DefaultFields::All);
        let expand = expand_set(&c.query_all("expand"));
        let opts = IssueOptions {
            search: false,
            names: expand.contains("names"),
            schema: expand.contains("schema"),
            rendered: expand.contains("renderedFields"),
        };
        let mut answer = c.renderer(s.data()).issue(issue, &selected, opts);
        with_properties(&mut answer, issue, &c.query_all("properties"));
        ok(&answer)
    })())
}

/// Adds the `properties` a request asked for to a rendered issue.
fn with_properties(answer: &mut Value, issue: &Issue, requested: &[String]) {
    if let (Some(m), Some(p)) = (answer.as_object_mut(), issue_properties(issue, requested)) {
        m.insert("properties".into(), p);
    }
}

/// `GET /rest/api/3/issue/{issueIdOrKey}/properties/{propertyKey}`: `EntityProperty`.
pub(crate) fn issue_property(s: &View, c: &Ctx, _: &[u8]) -> Response {
    respond((|| {
        let issue = find_issue(s, c)?;
        let key = c.param("propertyKey");
        let value = issue.properties.get(key).ok_or_else(|| {
            Fail::new(
                StatusCode::NOT_FOUND,
                vec![format!("The property with key '{key}' does not exist.")],
            )
        })?;
        ok(&json!({"key": key, "value": value}))
    })())
}

pub(crate) fn issue_worklogs(s: &View, c: &Ctx, _: &[u8]) -> Response {
    respond((|| {
        let issue = find_issue(s, c)?;
        // The spec answers 404 (not 400) for non-numeric paging parameters here.
        let start = int_param(c, "startAt", StatusCode::NOT_FOUND)?
            .unwrap_or(0)
            .max(0);
        let max = int_param(c, "maxResults", StatusCode::NOT_FOUND)?
            .unwrap_or(5000)
            .clamp(0, 5000);
        let after = int_param(c, "startedAfter", StatusCode::BAD_REQUEST)?;
        let before = int_param(c, "startedBefore", StatusCode::BAD_REQUEST)?;
        let props = expand_set(&c.query_all("expand")).contains("properties");
        // Both bounds inclusive; the set is ordered by created, oldest first.
        let matching: Vec<_> = s
            .data()
            .worklogs_of(issue)
            .iter()
            .filter(|w| {
                let t = w.started.timestamp_millis();
                after.is_none_or(|a| t >= a) && before.is_none_or(|b| t <= b)
            })
            .collect();
        let r = c.renderer(s.data());
        let page: Vec<Value> = matching
            .iter()
            .skip(usize::try_from(start).unwrap_or(usize::MAX))
            .take(max as usize)
            .map(|w| r.worklog(w, props))
            .collect();
        ok(&json!({"startAt": start, "maxResults": max, "total": matching.len(), "worklogs": page}))
    })())
}

pub(crate) fn issue_comments(s: &View, c: &Ctx, _: &[u8]) -> Response {
    respond((|| {
        let issue = find_issue(s, c)?;
        let start = int_param(c, "startAt", StatusCode::BAD_REQUEST)?
            .unwrap_or(0)
            .max(0);
        let max = int_param(c, "maxResults", StatusCode::BAD_REQUEST)?
            .unwrap_or(100)
            .clamp(0, 100);
        let props = expand_set(&c.query_all("expand")).contains("properties");
        let newest_first = match c.query_one("orderBy") {
            None | Some("created" | "+created") => false,
            Some("-created") => true,
            Some(other) => {
                return Err(bad_request(format!(
                    "The value '{other}' is not supported for orderBy; use 'created'."
                )));
            }
        };
        let mut all: Vec<_> = s.data().comments_of(issue).iter().collect();
        if newest_first {
            all.reverse();
        }
        let r = c.renderer(s.data());
        let page: Vec<Value> = all
            .iter()
            .skip(usize::try_from(start).unwrap_or(usize::MAX))
            .take(max as usize)
            .map(|cm| r.comment(cm, props))
            .collect();
        ok(&json!({"startAt": start, "maxResults": max, "total": all.len(), "comments": page}))
    })())
}

/// Page size of `worklog/updated` and `worklog/deleted`.
const CHANGED_WORKLOGS_PAGE: usize = 1000;

pub(crate) fn worklogs_updated(s: &View, c: &Ctx, _: &[u8]) -> Response {
    respond((|| {
        let since = int_param(c, "since", StatusCode::BAD_REQUEST)?.unwrap_or(0);
        let d = s.data();
        ok(&changed_worklogs(
            &c.renderer(d),
            "worklog/updated",
            since,
            d.worklogs_updated_after(since),
            d.worklogs.len(),
            |k| {
                d.worklog_by_updated_rank(k)
                    .map(|w| (w.id, w.updated.timestamp_millis()))
            },
        ))
    })())
}

/// `GET /worklog/deleted`: ids of worklogs deleted after `since`, same shape and paging as
/// `worklog/updated` (`updatedTime` is the deletion time).
pub(crate) fn worklogs_deleted(s: &View, c: &Ctx, _: &[u8]) -> Response {
    respond((|| {
        let since = int_param(c, "since", StatusCode::BAD_REQUEST)?.unwrap_or(0);
        let all = &s.data().deleted_worklogs;
        ok(&changed_worklogs(
            &c.renderer(s.data()),
            "worklog/deleted",
            since,
            all.partition_point(|w| w.deleted.timestamp_millis() <= since),
            all.len(),
            |k| all.get(k).map(|w| (w.id, w.deleted.timestamp_millis())),
        ))
    })())
}

/// The `ChangedWorklogs` page of a cursor-by-timestamp listing: up to 1000 entries from
/// position `start` of `total` (`nth` gives an entry's id and change time, ascending and
/// distinct), each strictly after `since`. Following `nextPage` (since = `until` of the
/// previous page) neither repeats nor skips an entry.
fn changed_worklogs(
    r: &Renderer<'_>,
    path: &str,
    since: i64,
    start: usize,
    total: usize,
    nth: impl Fn(usize) -> Option<(u64, i64)>,
) -> Value {
    let end = start.saturating_add(CHANGED_WORKLOGS_PAGE).min(total);
    let values: Vec<Value> = (start..end)
        .filter_map(&nth)
        .map(|(id, ms)| json!({"worklogId": id, "updatedTime": ms, "properties": []}))
        .collect();
    // The youngest item on the page; an empty page repeats `since`.
    let until = (end > start)
        .then(|| nth(end - 1))
        .flatten()
        .map_or(since, |(_, ms)| ms);
    let last = end >= total;
    let mut out = Map::new();
    out.insert("values".into(), Value::Array(values));
    out.insert("since".into(), json!(since));
    out.insert("until".into(), json!(until));
    out.insert(
        "self".into(),
        json!(r.url(&format!("{path}?since={since}"))),
    );
    if !last {
        out.insert(
            "nextPage".into(),
            json!(r.url(&format!("{path}?since={until}"))),
        );
    }
    out.insert("lastPage".into(), json!(last));
    Value::Object(out)
}

const MAX_IDS: usize = 1000;

/// The `ids` of a `{"ids": [...]}` body (numbers, or numeric strings), 1 to 1000 of them,
/// without repeats; `what` names them in errors ("worklog", "comment").
fn body_id_list(body: &[u8], what: &str) -> Result<Vec<u64>, Fail> {
    let m = body_object(body)?;
    let Some(Value::Array(raw)) = m.get("ids") else {
        return Err(bad_request(format!(
            "The request must contain a list of {what} IDs."
        )));
    };
    if raw.is_empty() || raw.len() > MAX_IDS {
        return Err(bad_request(format!(
            "The request must contain between 1 and {MAX_IDS} {what} IDs; it contained {}.",
            raw.len()
        )));
    }
    let mut seen = HashSet::new();
    let mut ids = Vec::new();
    for v in raw {
        let id = v
            .as_u64()
            .or_else(|| v.as_str().and_then(|t| t.trim().parse().ok()))
            .ok_or_else(|| bad_request(format!("Invalid {what} ID: {v}.")))?;
        if seen.insert(id) {
            ids.push(id);
        }
    }
    Ok(ids)
}

pub(crate) fn worklog_list(s: &View, c: &Ctx, body: &[u8]) -> Response {
    respond((|| {
        let ids = body_id_list(body, "worklog")?;
        let props = expand_set(&c.query_all("expand")).contains("properties");
        let r = c.renderer(s.data());
        let out: Vec<Value> = ids
            .iter()
            .filter_map(|&id| s.data().worklog_by_id(id))
            .map(|w| r.worklog(w, props))
            .collect();
        ok(&Value::Array(out))
    })())
}

/// `POST /comment/list`: the comments with the given ids (unknown ones left out) in id
/// order, as one `PageBeanComment` page.
pub(crate) fn comment_list(s: &View, c: &Ctx, body: &[u8]) -> Response {
    respond((|| {
        let mut ids = body_id_list(body, "comment")?;
        ids.sort_unstable();
        let props = expand_set(&c.query_all("expand")).contains("properties");
        let r = c.renderer(s.data());
        let values: Vec<Value> = ids
            .iter()
            .filter_map(|&id| s.data().comment_by_id(id))
            .map(|cm| r.comment(cm, props))
            .collect();
        // Jira answers every id in one page and reports its internal page size.
        ok(
            &json!({"isLast": true, "maxResults": 1_048_576, "startAt": 0,
                   "total": values.len(), "values": values}),
        )
    })())
}

// ---------------------------------------------------------------------------------------------
// Site and catalog
// ---------------------------------------------------------------------------------------------

pub(crate) fn myself(s: &View, c: &Ctx, _: &[u8]) -> Response {
    json_response(StatusCode::OK, &c.renderer(s.data()).myself())
}

pub(crate) fn server_info(s: &View, c: &Ctx, _: &[u8]) -> Response {
    let now = timestamp(&Utc::now().fixed_offset());
    let body = match c.product {
        Product::Cloud => json!({
            "baseUrl": s.base_url,
            "displayUrl": s.base_url,
            "version": "1001.0.0-SNAPSHOT",
            "versionNumbers": [1001, 0, 0],
            "deploymentType": "Cloud",
            "buildNumber": 100306,
            "buildDate": "2026-11-18T03:30:00.000+0000",
            "serverTime": now,
            "scmInfo": "4f6d6c1e0f3b2a9a8c7d6e5f4a3b2c1d0e9f8a7b",
            "serverTitle": "Jira",
            "defaultLocale": {"locale": "en_US"},
            "serverTimeZone": "Etc/UTC",
        }),
        Product::DataCenter => json!({
            "baseUrl": s.base_url,
            "version": "9.12.15",
            "versionNumbers": [9, 12, 15],
            "deploymentType": "Server",
            "buildNumber": 9120015,
            "buildDate": "2024-10-01T00:00:00.000+0000",
            "databaseBuildNumber": 9120015,
            "serverTime": now,
            "scmInfo": "2c0b1d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c",
            "serverTitle": "Jira Data Center",
            "serverTimeZone": "Australia/Sydney",
        }),
    };
    json_response(StatusCode::OK, &body)
}

pub(crate) fn field_list(_: &View, _: &Ctx, _: &[u8]) -> Response {
    let all: Vec<Value> = fields::FIELDS.iter().map(field_details).collect();
    json_response(StatusCode::OK, &Value::Array(all))
}

/// `startAt`/`maxResults` of an offset-paged endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Page {
    start: usize,
    max: usize,
}

impl Page {
    /// From the query: `startAt` (default 0, negative counts as 0) and `maxResults` (default
    /// `default_max`, clamped to `0..=cap`); a non-number is a 400.
    fn from_query(c: &Ctx, default_max: i64, cap: i64) -> Result<Page, Fail> {
        let start = int_param(c, "startAt", StatusCode::BAD_REQUEST)?
            .unwrap_or(0)
            .max(0);
        let max = int_param(c, "maxResults", StatusCode::BAD_REQUEST)?
            .unwrap_or(default_max)
            .clamp(0, cap);
        Ok(Page {
            start: usize::try_from(start).unwrap_or(usize::MAX),
            max: usize::try_from(max).unwrap_or(0),
        })
    }

    /// This page's part of all the matching `items`.
    fn of<'a, T>(&self, items: &'a [T]) -> &'a [T] {
        let from = self.start.min(items.len());
        let to = from.saturating_add(self.max).min(items.len());
        &items[from..to]
    }

    fn is_last(&self, total: usize) -> bool {
        self.start.saturating_add(self.max) >= total
    }
}

/// The `PageBean*` envelope `{self,nextPage?,maxResults,startAt,total,isLast,values}` over all
/// the matching `items`, rendering only the page. `path` is below `/rest/api/<v>/`; `self` and
/// `nextPage` repeat the request's other query parameters.
fn page_bean<T>(
    c: &Ctx,
    r: &Renderer<'_>,
    path: &str,
    page: Page,
    items: &[T],
    render: impl FnMut(&T) -> Value,
) -> Value {
    let link = |start: usize| {
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in &c.query {
            if k != "startAt" && k != "maxResults" {
                q.append_pair(k, v);
            }
        }
        q.append_pair("startAt", &start.to_string());
        q.append_pair("maxResults", &page.max.to_string());
        format!("{}?{}", r.url(path), q.finish())
    };
    let total = items.len();
    let mut m = Map::new();
    m.insert("self".into(), json!(link(page.start)));
    if !page.is_last(total) {
        m.insert("nextPage".into(), json!(link(page.start + page.max)));
    }
    m.insert("maxResults".into(), json!(page.max));
    m.insert("startAt".into(), json!(page.start));
    m.insert("total".into(), json!(total));
    m.insert("isLast".into(), json!(page.is_last(total)));
    m.insert(
        "values".into(),
        Value::Array(page.of(items).iter().map(render).collect()),
    );
    Value::Object(m)
}

/// An `orderBy` parameter: the field and whether it is descending (`-field`; `+field` and
/// `field` ascend).
fn order_by<'a>(c: &'a Ctx, default: &'a str) -> (&'a str, bool) {
    let raw = c.query_one("orderBy").map_or(default, str::trim);
    match raw.strip_prefix('-') {
        Some(f) => (f, true),
        None => (raw.strip_prefix('+').unwrap_or(raw), false),
    }
}

/// A refusal naming an unsupported `orderBy` field.
fn bad_order(field: &str) -> Fail {
    bad_request(format!("The value '{field}' is not supported for orderBy."))
}

pub(crate) fn statuses(s: &View, c: &Ctx, _: &[u8]) -> Response {
    let r = c.renderer(s.data());
    json_response(
        StatusCode::OK,
        &Value::Array(s.data().statuses.iter().map(|x| r.status(x.id)).collect()),
    )
}

pub(crate) fn priorities(s: &View, c: &Ctx, _: &[u8]) -> Response {
    let r = c.renderer(s.data());
    let all = s.data().priorities.iter().map(|p| r.priority_details(p.id));
    json_response(StatusCode::OK, &Value::Array(all.collect()))
}

pub(crate) fn issue_types(s: &View, c: &Ctx, _: &[u8]) -> Response {
    let r = c.renderer(s.data());
    json_response(
        StatusCode::OK,
        &Value::Array(
            s.data()
                .issue_types
                .iter()
                .map(|t| r.issue_type(t.id))
                .collect(),
        ),
    )
}

pub(crate) fn resolutions(s: &View, c: &Ctx, _: &[u8]) -> Response {
    let r = c.renderer(s.data());
    let all = s.data().resolutions.iter().map(|x| r.resolution_details(x));
    json_response(StatusCode::OK, &Value::Array(all.collect()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_tied_to_their_query() {
        let t = encode_token(150, "project = DEMO");
        assert_eq!(decode_token(&t, "project = DEMO"), Some(150));
        assert_eq!(decode_token(&t, "project = OPS"), None);
        assert_eq!(decode_token("garbage!", "project = DEMO"), None);
    }
}
