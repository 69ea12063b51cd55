//! Issue search: `search/jql` with its page tokens, the approximate count, the removed `/search` of
//! v3, and Data Center's offset-paged `/rest/api/2/search`.

use super::*;

struct SearchRequest {
    jql: String,
    token: Option<String>,
    max_results: Option<i64>,
    fields: Vec<String>,
    expand: HashSet<String>,
    /// Issue property keys to include (at most [`MAX_PROPERTIES`]).
    properties: Vec<String>,
}

/// The most issue properties a search may ask for.
const MAX_PROPERTIES: usize = 5;

pub(crate) fn search_jql_get(s: &View, c: &Ctx, _: &[u8]) -> Response {
    respond((|| {
        let req = SearchRequest {
            jql: c.query_one("jql").unwrap_or("").to_string(),
            token: c.query_one("nextPageToken").map(str::to_string),
            max_results: int_param(c, "maxResults", StatusCode::BAD_REQUEST)?,
            fields: c.query_all("fields"),
            expand: expand_set(&c.query_all("expand")),
            properties: c.query_all("properties"),
        };
        search_jql(s, c, req)
    })())
}

const SEARCH_BODY_KEYS: &[&str] = &[
    "jql",
    "nextPageToken",
    "maxResults",
    "fields",
    "expand",
    "properties",
    "fieldsByKeys",
    "failFast",
    "reconcileIssues",
];

pub(crate) fn search_jql_post(s: &View, c: &Ctx, body: &[u8]) -> Response {
    respond((|| {
        let m = body_object(body)?;
        // SearchAndReconcileRequestBean has additionalProperties: false.
        if let Some(k) = m.keys().find(|k| !SEARCH_BODY_KEYS.contains(&k.as_str())) {
            return Err(bad_request(format!("Unrecognized field \"{k}\".")));
        }
        let req = SearchRequest {
            jql: body_string(&m, "jql")?.unwrap_or_default(),
            token: body_string(&m, "nextPageToken")?,
            max_results: body_int(&m, "maxResults")?,
            fields: body_strings(&m, "fields")?,
            expand: expand_set(&body_strings(&m, "expand")?),
            properties: body_strings(&m, "properties")?,
        };
        search_jql(s, c, req)
    })())
}

/// Page caps observed on Cloud: 5000 for id/key-only pages, 100 with real fields.
const ID_PAGE_CAP: usize = 5000;
const FIELD_PAGE_CAP: usize = 100;

fn search_jql(s: &View, c: &Ctx, req: SearchRequest) -> Reply {
    let asked = req.properties.iter().flat_map(|p| p.split(',')).count();
    if asked > MAX_PROPERTIES {
        return Err(bad_request(format!(
            "At most {MAX_PROPERTIES} issue properties can be requested; {asked} were."
        )));
    }
    let hits = run_search(s, &req.jql, true, Some(7))?;
    let offset = match &req.token {
        None => 0,
        Some(t) => decode_token(t, &req.jql)
            .filter(|&o| o <= hits.len())
            .ok_or_else(|| {
                bad_request("The provided next page token is invalid or has expired.")
            })?,
    };
    let selected = fields::select(&req.fields, DefaultFields::IdOnly);
    let cap = if selected.is_empty() {
        ID_PAGE_CAP
    } else {
        FIELD_PAGE_CAP
    };
    let max = match req.max_results {
        None => 50,
        Some(n) if n < 0 => {
            return Err(bad_request(
                "The maxResults parameter must not be negative.",
            ));
        }
        Some(n) => usize::try_from(n).unwrap_or(usize::MAX),
    }
    .min(cap);
    let end = offset.saturating_add(max).min(hits.len());
    let r = c.renderer(s.data());
    let opts = IssueOptions {
        search: true,
        ..IssueOptions::default()
    };
    let issues: Vec<Value> = hits[offset..end]
        .iter()
        .map(|&i| {
            let issue = &s.data().issues[i];
            let mut answer = r.issue(issue, &selected, opts);
            with_properties(&mut answer, issue, &req.properties);
            answer
        })
        .collect();
    let mut out = Map::new();
    out.insert("issues".into(), Value::Array(issues));
    let is_last = end >= hits.len();
    if !is_last {
        out.insert("nextPageToken".into(), json!(encode_token(end, &req.jql)));
    }
    out.insert("isLast".into(), json!(is_last));
    insert_names_schema(&mut out, &selected, &req.expand);
    ok(&Value::Object(out))
}

pub(super) fn insert_names_schema(
    out: &mut Map<String, Value>,
    selected: &[&FieldDef],
    expand: &HashSet<String>,
) {
    if expand.contains("names") {
        let names: Map<String, Value> = selected
            .iter()
            .map(|f| (f.id.to_string(), json!(f.name)))
            .collect();
        out.insert("names".into(), Value::Object(names));
    }
    if expand.contains("schema") {
        let schema: Map<String, Value> = selected
            .iter()
            .filter_map(|f| crate::jira::render::field_schema(f).map(|s| (f.id.to_string(), s)))
            .collect();
        out.insert("schema".into(), Value::Object(schema));
    }
}

/// FNV-1a: ties a page token to the query it was issued for.
fn fnv(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

pub(super) fn encode_token(offset: usize, jql: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{offset}:{:016x}", fnv(jql)))
}

pub(super) fn decode_token(token: &str, jql: &str) -> Option<usize> {
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token.trim())
        .ok()?;
    let text = String::from_utf8(raw).ok()?;
    let (offset, hash) = text.split_once(':')?;
    (hash == format!("{:016x}", fnv(jql))).then_some(())?;
    offset.parse().ok()
}

pub(crate) fn approximate_count(s: &View, _: &Ctx, body: &[u8]) -> Response {
    respond((|| {
        let m = body_object(body)?;
        let jql_text = body_string(&m, "jql")?.unwrap_or_default();
        let hits = run_search(s, &jql_text, true, None)?;
        ok(&json!({"count": hits.len()}))
    })())
}

pub(crate) fn search_removed(_: &View, _: &Ctx, _: &[u8]) -> Response {
    error_response(StatusCode::GONE, vec![REMOVED.into()])
}

// ---------------------------------------------------------------------------------------------
// Legacy search (Data Center /rest/api/2/search: offset paging with total)
// ---------------------------------------------------------------------------------------------

/// `jira.search.views.default.max`.
const LEGACY_PAGE_CAP: i64 = 100;

struct LegacyRequest {
    jql: String,
    start_at: Option<i64>,
    max_results: Option<i64>,
    fields: Vec<String>,
    expand: HashSet<String>,
}

pub(crate) fn legacy_search_get(s: &View, c: &Ctx, _: &[u8]) -> Response {
    respond((|| {
        let req = LegacyRequest {
            jql: c.query_one("jql").unwrap_or("").to_string(),
            start_at: int_param(c, "startAt", StatusCode::BAD_REQUEST)?,
            max_results: int_param(c, "maxResults", StatusCode::BAD_REQUEST)?,
            fields: c.query_all("fields"),
            expand: expand_set(&c.query_all("expand")),
        };
        legacy_search(s, c, req)
    })())
}

pub(crate) fn legacy_search_post(s: &View, c: &Ctx, body: &[u8]) -> Response {
    respond((|| {
        let m = body_object(body)?;
        let req = LegacyRequest {
            jql: body_string(&m, "jql")?.unwrap_or_default(),
            start_at: body_int(&m, "startAt")?,
            max_results: body_int(&m, "maxResults")?,
            fields: body_strings(&m, "fields")?,
            expand: expand_set(&body_strings(&m, "expand")?),
        };
        legacy_search(s, c, req)
    })())
}

fn legacy_search(s: &View, c: &Ctx, req: LegacyRequest) -> Reply {
    let hits = run_search(s, &req.jql, false, None)?;
    let start = usize::try_from(req.start_at.unwrap_or(0).max(0)).unwrap_or(0);
    let max = req.max_results.unwrap_or(50).clamp(0, LEGACY_PAGE_CAP);
    let start = start.min(hits.len());
    let end = start.saturating_add(max as usize).min(hits.len());
    let selected = fields::select(&req.fields, DefaultFields::Navigable);
    let r = c.renderer(s.data());
    let opts = IssueOptions {
        search: true,
        ..IssueOptions::default()
    };
    let issues: Vec<Value> = hits[start..end]
        .iter()
        .map(|&i| r.issue(&s.data().issues[i], &selected, opts))
        .collect();
    let mut out = Map::new();
    out.insert("expand".into(), json!("schema,names"));
    out.insert("startAt".into(), json!(start));
    out.insert("maxResults".into(), json!(max));
    out.insert("total".into(), json!(hits.len()));
    out.insert("issues".into(), Value::Array(issues));
    insert_names_schema(&mut out, &selected, &req.expand);
    ok(&Value::Object(out))
}
