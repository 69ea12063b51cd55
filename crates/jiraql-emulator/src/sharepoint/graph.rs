//! Graph `/v1.0` routing and the site, list, column and list-item handlers.
//!
//! A request (top-level or inside `$batch`) is served by [`serve`]: route it to a template
//! (`/v1.0/sites/{site}/lists/{list}/items/{item}`), check the bearer token, take a pending
//! fault, then run the handler against the store. Handlers are synchronous and answer a
//! [`Reply`], which the server turns into an HTTP response and `$batch` into a sub-response.
//!
//! The site can be addressed by composite id or by path (`{host}:/sites/pmo`, with a second
//! colon to go on: `{host}:/sites/pmo:/lists`); lists by id, display name or URL name.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use chrono::Utc;
use serde_json::{Map, Value, json};

use super::auth::{TokenProblem, check_bearer};
use super::filter;
use super::model::{
    BUILTIN_COLUMNS, ColumnKind, ColumnSpec, FieldError, Item, Principal, Store, format_guid,
    format_time, random_guid,
};
use super::server::Shared;

mod lists;
mod reads;
mod shapes;
mod writes;
use reads::*;
use shapes::*;

/// The signed-in user of the device-code flow.
pub(crate) const DEMO_USER_NAME: &str = "Megan Bowen";
pub(crate) const DEMO_USER_EMAIL: &str = "MeganB@contoso.onmicrosoft.com";
const DEMO_USER_ID: &str = "48d31887-5fad-4d73-a9f5-3c356e68a038";
/// The app registration's display name, as `lastModifiedBy.application` shows it.
const APP_NAME: &str = "jiraql";

/// SharePoint's list view threshold.
pub(crate) const LIST_VIEW_THRESHOLD: usize = 5000;
/// Page size when `$top` is absent (Graph's is undocumented; 200 is what clients observe).
const DEFAULT_PAGE: usize = 200;
/// Larger `$top` values are clamped to this.
const MAX_PAGE: usize = 5000;
const NON_INDEXED_PREFER: &str = "HonorNonIndexedQueriesWarningMayFailRandomly";
const ODATA_JSON: &str = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8";

/// One answer, before it becomes an HTTP response or a batch sub-response.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Option<Value>,
    /// Hold the answer back this long ("store then time out").
    pub delay: Option<std::time::Duration>,
}

impl Reply {
    fn header(mut self, name: &str, value: &str) -> Reply {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }
}

/// A JSON answer with Graph's OData headers.
pub(crate) fn json_reply(status: u16, body: Value) -> Reply {
    json_with_type(status, ODATA_JSON, body)
}

fn json_with_type(status: u16, content_type: &str, body: Value) -> Reply {
    Reply {
        status,
        headers: vec![
            ("Content-Type".into(), content_type.into()),
            ("OData-Version".into(), "4.0".into()),
            ("Cache-Control".into(), "no-cache".into()),
        ],
        body: Some(body),
        delay: None,
    }
}

fn empty_reply(status: u16) -> Reply {
    Reply {
        status,
        headers: vec![("Cache-Control".into(), "no-cache".into())],
        body: None,
        delay: None,
    }
}

/// Graph's error envelope.
pub(crate) fn graph_error(status: u16, code: &str, message: &str, inner: Option<&str>) -> Reply {
    let id = random_guid();
    let mut inner_error = json!({
        "date": Utc::now().format("%Y-%m-%dT%H:%M:%S").to_string(),
        "request-id": id,
        "client-request-id": id,
    });
    if let Some(c) = inner {
        inner_error["code"] = c.into();
    }
    // Errors come as plain JSON, without the OData parameters.
    json_with_type(
        status,
        "application/json",
        json!({"error": {"code": code, "message": message, "innerError": inner_error}}),
    )
}

fn bad_request(message: &str) -> Reply {
    graph_error(400, "invalidRequest", message, None)
}

fn bad_json() -> Reply {
    graph_error(
        400,
        "BadRequest",
        "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.",
        None,
    )
}

fn list_not_found() -> Reply {
    graph_error(
        404,
        "itemNotFound",
        "The specified list was not found",
        None,
    )
}

fn item_not_found() -> Reply {
    graph_error(404, "itemNotFound", "Item not found", None)
}

/// A request as handlers see it.
pub(crate) struct Call<'a> {
    pub method: &'a str,
    /// The path below `/v1.0`, still percent-encoded, starting with `/`.
    pub path: &'a str,
    pub query: &'a str,
    /// Lower-case names.
    pub headers: &'a [(String, String)],
    pub body: &'a [u8],
    pub in_batch: bool,
}

impl Call<'_> {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Target {
    Site,
    Lists,
    List(String),
    Columns(String),
    Items(String),
    Delta(String),
    Item(String, String),
    Fields(String, String),
}

impl Target {
    fn template(&self) -> &'static str {
        match self {
            Target::Site => "/v1.0/sites/{site}",
            Target::Lists => "/v1.0/sites/{site}/lists",
            Target::List(_) => "/v1.0/sites/{site}/lists/{list}",
            Target::Columns(_) => "/v1.0/sites/{site}/lists/{list}/columns",
            Target::Items(_) => "/v1.0/sites/{site}/lists/{list}/items",
            Target::Delta(_) => "/v1.0/sites/{site}/lists/{list}/items/delta",
            Target::Item(..) => "/v1.0/sites/{site}/lists/{list}/items/{item}",
            Target::Fields(..) => "/v1.0/sites/{site}/lists/{list}/items/{item}/fields",
        }
    }

    fn methods(&self) -> &'static [&'static str] {
        match self {
            Target::Items(_) | Target::Lists | Target::Columns(_) => &["GET", "POST"],
            Target::Item(..) | Target::List(_) => &["GET", "DELETE"],
            Target::Fields(..) => &["GET", "PATCH"],
            _ => &["GET"],
        }
    }
}

fn pct_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        if b[i] == b'%'
            && let (Some(h), Some(l)) = (
                b.get(i + 1).copied().and_then(hex),
                b.get(i + 2).copied().and_then(hex),
            )
        {
            out.push((h * 16 + l) as u8);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn segment_error(seg: &str) -> Reply {
    graph_error(
        400,
        "BadRequest",
        &format!("Resource not found for the segment '{seg}'."),
        None,
    )
}

/// Map a path to its target. `Err` is the answer (unknown segment, site not found).
fn route(shared: &Shared, path: &str) -> Result<Target, Reply> {
    let Some(rest) = path.strip_prefix("/sites/") else {
        let first = path.trim_start_matches('/').split('/').next().unwrap_or("");
        return Err(segment_error(&pct_decode(first)));
    };
    let c = &shared.config;
    let first_slash = rest.find('/').unwrap_or(rest.len());
    let (site_ok, remainder) = match rest.find(':').filter(|i| *i < first_slash) {
        // `{host}:/{path}` optionally followed by `:` and more segments.
        Some(colon) => {
            let host = pct_decode(&rest[..colon]);
            let after = &rest[colon + 1..];
            let (site_path, remainder) = match after.find(':') {
                Some(i) => (&after[..i], &after[i + 1..]),
                None => (after, ""),
            };
            let site_path = pct_decode(site_path);
            let ok = host.eq_ignore_ascii_case(&c.hostname)
                && site_path
                    .trim_end_matches('/')
                    .eq_ignore_ascii_case(c.site_path.trim_end_matches('/'));
            (ok, remainder)
        }
        None => {
            let id = pct_decode(&rest[..first_slash]);
            (
                id.eq_ignore_ascii_case(&shared.site_id),
                &rest[first_slash..],
            )
        }
    };
    let segs: Vec<String> = remainder
        .split('/')
        .filter(|s| !s.is_empty())
        .map(pct_decode)
        .collect();
    let target = match segs.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        [] => Target::Site,
        ["lists"] => Target::Lists,
        ["lists", l] => Target::List(l.to_string()),
        ["lists", l, "columns"] => Target::Columns(l.to_string()),
        ["lists", l, "items"] => Target::Items(l.to_string()),
        ["lists", l, "items", "delta" | "delta()"] => Target::Delta(l.to_string()),
        ["lists", l, "items", i] => Target::Item(l.to_string(), i.to_string()),
        ["lists", l, "items", i, "fields"] => Target::Fields(l.to_string(), i.to_string()),
        _ => {
            let known = ["lists", "", "items", "", "fields"];
            let bad = segs
                .iter()
                .enumerate()
                .find(|(i, s)| known.get(*i).is_none_or(|k| !k.is_empty() && k != s))
                .map_or("", |(_, s)| s.as_str());
            return Err(segment_error(bad));
        }
    };
    if !site_ok {
        return Err(graph_error(
            404,
            "itemNotFound",
            "Requested site could not be found",
            None,
        ));
    }
    Ok(target)
}

/// Graph's 401 for a missing, unknown or expired bearer token.
pub(crate) fn unauthorized(problem: TokenProblem) -> Reply {
    graph_error(401, "InvalidAuthenticationToken", problem.message(), None).header(
        "WWW-Authenticate",
        "Bearer realm=\"\", authorization_uri=\"https://login.microsoftonline.com/common/oauth2/authorize\", client_id=\"00000003-0000-0000-c000-000000000000\"",
    )
}

/// Serve one Graph request: `(endpoint template, answer)`.
pub(crate) fn serve(shared: &Shared, call: &Call) -> (String, Reply) {
    let routed = route(shared, call.path);
    let endpoint = match &routed {
        Ok(t) => format!("{} {}", call.method, t.template()),
        Err(_) => format!("{} /v1.0{}", call.method, call.path),
    };
    let principal = match check_bearer(shared, call.header("authorization")) {
        Ok(p) => p,
        Err(problem) => return (endpoint, unauthorized(problem)),
    };
    let target = match routed {
        Ok(t) => t,
        Err(r) => return (endpoint, r),
    };
    if !target.methods().contains(&call.method) {
        let r = graph_error(
            405,
            "BadRequest",
            "Specified HTTP method is not allowed for the request target.",
            None,
        );
        return (endpoint, r);
    }
    if let Some(r) = shared.faults.take(call.in_batch) {
        return (endpoint, r);
    }
    let query: Vec<(String, String)> = url::form_urlencoded::parse(call.query.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let req = Req {
        shared,
        call,
        query,
        principal,
    };
    let reply = match (&target, call.method) {
        (Target::Site, _) => req.site(),
        (Target::Lists, "POST") => req.create_list(),
        (Target::Lists, _) => req.lists(),
        (Target::List(l), "DELETE") => req.delete_list(l),
        (Target::List(l), _) => req.list(l),
        (Target::Columns(l), "POST") => req.add_column(l),
        (Target::Columns(l), _) => req.columns(l),
        (Target::Items(l), "GET") => req.items(l),
        (Target::Items(l), _) => req.create(l),
        (Target::Delta(l), _) => req.delta(l),
        (Target::Item(l, i), "GET") => req.item(l, i),
        (Target::Item(l, i), _) => req.delete(l, i),
        (Target::Fields(l, i), "GET") => req.fields(l, i),
        (Target::Fields(l, i), _) => req.update(l, i),
    };
    (endpoint, reply)
}
