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
            Target::Items(_) => &["GET", "POST"],
            Target::Item(..) => &["GET", "DELETE"],
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
        (Target::Lists, _) => req.lists(),
        (Target::List(l), _) => req.list(l),
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

/// Which fields to render.
enum Fields {
    None,
    All,
    Only(Vec<String>),
}

struct Req<'a> {
    shared: &'a Shared,
    call: &'a Call<'a>,
    query: Vec<(String, String)>,
    principal: Principal,
}

impl Req<'_> {
    /// A query option, with or without its `$`.
    fn opt(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .rev()
            .find(|(k, _)| k.trim_start_matches('$').eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn graph(&self) -> String {
        format!("{}/v1.0", self.shared.base_url)
    }

    fn site_context(&self) -> String {
        format!(
            "{}/$metadata#sites('{}')",
            self.graph(),
            self.shared.site_id.replace(',', "%2C")
        )
    }

    fn web_url(&self) -> String {
        let c = &self.shared.config;
        format!(
            "https://{}{}",
            c.hostname,
            c.site_path.trim_end_matches('/')
        )
    }

    fn site(&self) -> Reply {
        let c = &self.shared.config;
        let store = self.shared.store();
        let created = store
            .lists
            .iter()
            .map(|l| l.created)
            .min()
            .unwrap_or_else(Utc::now);
        json_reply(
            200,
            json!({
                "@odata.context": format!("{}/$metadata#sites/$entity", self.graph()),
                "createdDateTime": format_time(created),
                "description": "",
                "id": self.shared.site_id,
                "lastModifiedDateTime": format_time(Utc::now()),
                "name": c.site_path.trim_end_matches('/').rsplit('/').next().unwrap_or_default(),
                "webUrl": self.web_url(),
                "displayName": c.site_display_name,
                "siteCollection": {"hostname": c.hostname},
            }),
        )
    }

    fn list_json(&self, store: &Store, index: usize) -> Value {
        let l = &store.lists[index];
        json!({
            "@odata.etag": l.etag(),
            "createdDateTime": format_time(l.created),
            "description": l.description,
            "eTag": l.etag(),
            "id": l.id,
            "lastModifiedDateTime": format_time(l.modified),
            "name": l.name,
            "webUrl": format!("{}/Lists/{}", self.web_url(), l.name.replace(' ', "%20")),
            "displayName": l.display_name,
            "createdBy": {"user": {"displayName": "System Account"}},
            "parentReference": {"siteId": self.shared.site_id},
            "list": {"contentTypesEnabled": false, "hidden": false, "template": "genericList"},
        })
    }

    fn top(&self) -> Result<usize, Reply> {
        match self.opt("top") {
            None => Ok(DEFAULT_PAGE),
            Some(t) => match t.trim().parse::<usize>() {
                Ok(n) if n > 0 => Ok(n.min(MAX_PAGE)),
                _ => Err(bad_request(&format!("Invalid $top value '{t}'."))),
            },
        }
    }

    /// `$skiptoken` → the last id of the previous page.
    fn skiptoken(&self) -> Result<u64, Reply> {
        let Some(token) = self.opt("skiptoken") else {
            return Ok(0);
        };
        let raw = token.trim().trim_end_matches('=');
        URL_SAFE_NO_PAD
            .decode(raw)
            .or_else(|_| STANDARD.decode(token.trim()))
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .and_then(|s| {
                s.strip_prefix("Paged=TRUE&p_ID=")
                    .and_then(|n| n.parse::<u64>().ok())
            })
            .ok_or_else(|| bad_request("The provided skip token is not valid."))
    }

    /// The next-page link: this request's options, canonical ids, a new `$skiptoken`.
    fn next_link(&self, path: &str, last: u64) -> String {
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in &self.query {
            if !k.trim_start_matches('$').eq_ignore_ascii_case("skiptoken") {
                q.append_pair(k, v);
            }
        }
        q.append_pair(
            "$skiptoken",
            &URL_SAFE_NO_PAD.encode(format!("Paged=TRUE&p_ID={last}")),
        );
        format!("{}{path}?{}", self.graph(), q.finish())
    }

    fn lists(&self) -> Reply {
        let store = self.shared.store();
        let name = match self.opt("filter") {
            None => None,
            Some(f) => match filter::parse_display_name(f) {
                Some(n) => Some(n),
                None => return bad_request("The provided filter statement is not supported"),
            },
        };
        let (top, after) = match (self.top(), self.skiptoken()) {
            (Ok(t), Ok(a)) => (t, a as usize),
            (Err(r), _) | (_, Err(r)) => return r,
        };
        let matching: Vec<usize> = (0..store.lists.len())
            .filter(|i| {
                name.as_ref()
                    .is_none_or(|n| store.lists[*i].display_name.eq_ignore_ascii_case(n))
            })
            .collect();
        let page: Vec<usize> = matching.iter().copied().skip(after).take(top).collect();
        let mut body = json!({
            "@odata.context": format!("{}/lists", self.site_context()),
            "value": page.iter().map(|i| self.list_json(&store, *i)).collect::<Vec<_>>(),
        });
        if after + page.len() < matching.len() {
            let path = format!("/sites/{}/lists", self.shared.site_id);
            body["@odata.nextLink"] = self.next_link(&path, (after + page.len()) as u64).into();
        }
        json_reply(200, body)
    }

    fn list_index(&self, store: &Store, key: &str) -> Result<usize, Reply> {
        store.list_index(key).ok_or_else(list_not_found)
    }

    fn list(&self, key: &str) -> Reply {
        let store = self.shared.store();
        match self.list_index(&store, key) {
            Ok(i) => {
                let mut body = self.list_json(&store, i);
                body["@odata.context"] = format!("{}/lists/$entity", self.site_context()).into();
                json_reply(200, body)
            }
            Err(r) => r,
        }
    }

    fn columns(&self, key: &str) -> Reply {
        let store = self.shared.store();
        let index = match self.list_index(&store, key) {
            Ok(i) => i,
            Err(r) => return r,
        };
        let l = &store.lists[index];
        let mut value: Vec<Value> = l
            .columns
            .iter()
            .map(|c| column_json(&store, &l.id, c))
            .collect();
        for (name, display, facet) in BUILTIN_COLUMNS {
            let mut col = json!({
                "columnGroup": "_Hidden",
                "description": "",
                "displayName": display,
                "enforceUniqueValues": false,
                "hidden": false,
                "id": derived_guid(&format!("{}/{name}", l.id)),
                "indexed": false,
                "name": name,
                "readOnly": true,
                "required": false,
            });
            col[*facet] = builtin_facet(facet);
            value.push(col);
        }
        json_reply(
            200,
            json!({
                "@odata.context": format!("{}/lists('{}')/columns", self.site_context(), l.id),
                "value": value,
            }),
        )
    }

    /// `expand=fields`, `expand=fields(select=a,b)` or `$expand=fields($select=a,b)`.
    fn expand(&self) -> Result<Fields, Reply> {
        let Some(e) = self.opt("expand") else {
            return Ok(Fields::None);
        };
        let e = e.trim();
        let (name, inner) = match e.find('(') {
            Some(i) if e.ends_with(')') => (&e[..i], Some(&e[i + 1..e.len() - 1])),
            _ => (e, None),
        };
        if !name.trim().eq_ignore_ascii_case("fields") {
            return Err(bad_request(&format!(
                "Parsing OData Select and Expand failed: Could not find a property named '{}' on type 'microsoft.graph.listItem'.",
                name.trim()
            )));
        }
        let Some(inner) = inner else {
            return Ok(Fields::All);
        };
        let select = inner
            .split(';')
            .find_map(|o| {
                let (k, v) = o.split_once('=')?;
                k.trim()
                    .trim_start_matches('$')
                    .eq_ignore_ascii_case("select")
                    .then_some(v)
            })
            .map(|v| v.split(',').map(|s| s.trim().to_string()).collect());
        Ok(select.map_or(Fields::All, Fields::Only))
    }

    fn fields_json(
        &self,
        store: &Store,
        list: usize,
        item: &Item,
        only: Option<&[String]>,
    ) -> Value {
        let mut all = store.user_fields(list, item);
        for (k, v) in system_fields(item) {
            all.insert(k, v);
        }
        let mut out = Map::new();
        out.insert("@odata.etag".into(), item.etag().into());
        match only {
            None => out.extend(all),
            Some(names) => {
                for n in names {
                    if let Some((k, v)) = all.iter().find(|(k, _)| k.eq_ignore_ascii_case(n)) {
                        out.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        Value::Object(out)
    }

    fn principal_json(&self, p: Principal) -> Value {
        match p {
            Principal::System => json!({"user": {"displayName": "System Account"}}),
            Principal::App => json!({
                "application": {"id": self.shared.config.client_id, "displayName": APP_NAME},
                "user": {"displayName": "SharePoint App"},
            }),
            Principal::User => json!({
                "user": {"email": DEMO_USER_EMAIL, "id": DEMO_USER_ID, "displayName": DEMO_USER_NAME},
            }),
        }
    }

    fn item_json(&self, store: &Store, list: usize, item: &Item, fields: &Fields) -> Value {
        let l = &store.lists[list];
        let mut v = json!({
            "@odata.etag": item.etag(),
            "createdDateTime": format_time(item.created),
            "eTag": item.etag(),
            "id": item.id.to_string(),
            "lastModifiedDateTime": format_time(item.modified),
            "webUrl": format!("{}/Lists/{}/{}_.000", self.web_url(), l.name.replace(' ', "%20"), item.id),
            "createdBy": self.principal_json(item.author),
            "lastModifiedBy": self.principal_json(item.editor),
            "parentReference": {"id": l.id, "siteId": self.shared.site_id},
            "contentType": {"id": content_type_id(&l.id), "name": "Item"},
        });
        let only = match fields {
            Fields::None => return v,
            Fields::All => None,
            Fields::Only(names) => Some(names.as_slice()),
        };
        v["fields@odata.context"] = format!(
            "{}/lists('{}')/items('{}')/fields/$entity",
            self.site_context(),
            l.id,
            item.id
        )
        .into();
        v["fields"] = self.fields_json(store, list, item, only);
        v
    }

    /// Apply `$select` on item properties (`@odata.etag` and expanded `fields` stay).
    fn select(&self, mut v: Value) -> Value {
        let Some(sel) = self.opt("select") else {
            return v;
        };
        let keep: Vec<&str> = sel.split(',').map(str::trim).collect();
        if let Value::Object(m) = &mut v {
            m.retain(|k, _| {
                k == "@odata.etag"
                    || k.starts_with("fields")
                    || keep.iter().any(|s| s.eq_ignore_ascii_case(k))
            });
        }
        v
    }

    fn items(&self, key: &str) -> Reply {
        let store = self.shared.store();
        let list = match self.list_index(&store, key) {
            Ok(i) => i,
            Err(r) => return r,
        };
        let (fields, top, after) = match (self.expand(), self.top(), self.skiptoken()) {
            (Ok(f), Ok(t), Ok(a)) => (f, t, a),
            (Err(r), _, _) | (_, Err(r), _) | (_, _, Err(r)) => return r,
        };
        let expr = match self.opt("filter") {
            None => None,
            Some(f) => match self.check_filter(&store, list, f) {
                Ok(e) => Some(e),
                Err(r) => return r,
            },
        };
        let l = &store.lists[list];
        let matches = |it: &Item| {
            expr.as_ref().is_none_or(|(e, _)| {
                let mut f = store.user_fields(list, it);
                f.insert("id".into(), it.id.to_string().into());
                filter::eval(e, &f)
            })
        };
        if let Some((_, all_indexed)) = &expr
            && l.items.len() > LIST_VIEW_THRESHOLD
            && (!all_indexed
                || l.items.values().filter(|it| matches(it)).count() > LIST_VIEW_THRESHOLD)
        {
            return graph_error(
                400,
                "notSupported",
                "The request is unprocessable because it uses too many resources",
                Some("tooManyResources"),
            );
        }
        let mut page = Vec::new();
        let mut more = false;
        for it in l.items.range(after + 1..).map(|(_, it)| it) {
            if !matches(it) {
                continue;
            }
            if page.len() == top {
                more = true;
                break;
            }
            page.push(it);
        }
        let context = match fields {
            Fields::None => format!("{}/lists('{}')/items", self.site_context(), l.id),
            _ => format!("{}/lists('{}')/items(fields())", self.site_context(), l.id),
        };
        let mut body = json!({
            "@odata.context": context,
            "value": page.iter().map(|it| self.select(self.item_json(&store, list, it, &fields))).collect::<Vec<_>>(),
        });
        if more && let Some(last) = page.last() {
            let path = format!("/sites/{}/lists/{}/items", self.shared.site_id, l.id);
            body["@odata.nextLink"] = self.next_link(&path, last.id).into();
        }
        json_reply(200, body)
    }

    /// Parse `$filter` and apply the index rules: `(expression, every column indexed)`.
    fn check_filter(
        &self,
        store: &Store,
        list: usize,
        f: &str,
    ) -> Result<(filter::Expr, bool), Reply> {
        let e = filter::parse(f).map_err(|why| {
            tracing::debug!("emulated Graph refused $filter {f:?}: {why}");
            bad_request("Invalid filter clause")
        })?;
        let l = &store.lists[list];
        let prefer = self.call.header("prefer").is_some_and(|p| {
            p.split(',')
                .any(|v| v.trim().eq_ignore_ascii_case(NON_INDEXED_PREFER))
        });
        let mut all_indexed = true;
        for name in filter::fields(&e) {
            let column = l.column(name).or_else(|| {
                name.strip_suffix("LookupId")
                    .and_then(|b| l.column(b))
                    .filter(|c| matches!(c.kind, ColumnKind::Lookup { .. }))
            });
            let indexed = match column {
                Some(c) => c.indexed,
                // The built-in ID is always indexed.
                None if name.eq_ignore_ascii_case("id") => true,
                None => return Err(bad_request(&format!("Field '{name}' is not recognized"))),
            };
            if !indexed {
                all_indexed = false;
                if !prefer {
                    return Err(bad_request(&format!(
                        "Field '{name}' cannot be referenced in filter or orderby as it is not indexed. Provide the 'Prefer: {NON_INDEXED_PREFER}' header to allow this, but be warned that such queries may fail on large lists."
                    )));
                }
            }
        }
        Ok((e, all_indexed))
    }

    fn find_item<'s>(
        &self,
        store: &'s Store,
        key: &str,
        id: &str,
    ) -> Result<(usize, &'s Item), Reply> {
        let list = self.list_index(store, key)?;
        let item = id
            .trim()
            .parse::<u64>()
            .ok()
            .and_then(|n| store.lists[list].items.get(&n))
            .ok_or_else(item_not_found)?;
        Ok((list, item))
    }

    fn item(&self, key: &str, id: &str) -> Reply {
        let store = self.shared.store();
        let fields = match self.expand() {
            Ok(f) => f,
            Err(r) => return r,
        };
        match self.find_item(&store, key, id) {
            Ok((list, item)) => {
                let mut body = self.select(self.item_json(&store, list, item, &fields));
                body["@odata.context"] = format!(
                    "{}/lists('{}')/items/$entity",
                    self.site_context(),
                    store.lists[list].id
                )
                .into();
                json_reply(200, body).header("ETag", &item.etag())
            }
            Err(r) => r,
        }
    }

    fn fields(&self, key: &str, id: &str) -> Reply {
        let store = self.shared.store();
        match self.find_item(&store, key, id) {
            Ok((list, item)) => self.fields_reply(&store, list, item),
            Err(r) => r,
        }
    }

    fn fields_reply(&self, store: &Store, list: usize, item: &Item) -> Reply {
        let mut body = self.fields_json(store, list, item, None);
        body["@odata.context"] = format!(
            "{}/lists('{}')/items('{}')/fields/$entity",
            self.site_context(),
            store.lists[list].id,
            item.id
        )
        .into();
        json_reply(200, body).header("ETag", &item.etag())
    }

    fn body_object(&self) -> Result<Map<String, Value>, Reply> {
        match serde_json::from_slice::<Value>(self.call.body) {
            Ok(Value::Object(m)) => Ok(m),
            _ => Err(bad_json()),
        }
    }

    /// `(list, item id)` of an item to change: 404 when missing, 412 unless `If-Match` (when
    /// sent) names its current version.
    fn writable_item(&self, store: &Store, key: &str, id: &str) -> Result<(usize, u64), Reply> {
        let (list, item) = self.find_item(store, key, id)?;
        match self.call.header("if-match") {
            Some(tag) if !item.matches_etag(tag) => Err(graph_error(
                412,
                "resourceModified",
                "The resource being updated has changed since the caller last read it, usually an eTag mismatch.",
                Some("entityTagDoesNotMatch"),
            )),
            _ => Ok((list, item.id)),
        }
    }

    fn create(&self, key: &str) -> Reply {
        let body = match self.body_object() {
            Ok(b) => b,
            Err(r) => return r,
        };
        let input = match body.get("fields") {
            None => Map::new(),
            Some(Value::Object(m)) => m.clone(),
            Some(_) => return bad_json(),
        };
        let mut store = self.shared.store();
        let list = match self.list_index(&store, key) {
            Ok(i) => i,
            Err(r) => return r,
        };
        let values = match store.validate(list, &input, None) {
            Ok(v) => v,
            Err(e) => return field_error(e),
        };
        let id = store.insert(list, values, self.principal);
        let l = &store.lists[list];
        let Some(item) = l.items.get(&id) else {
            return item_not_found();
        };
        let mut body = self.item_json(&store, list, item, &Fields::All);
        body["@odata.context"] =
            format!("{}/lists('{}')/items/$entity", self.site_context(), l.id).into();
        let location = format!(
            "{}/sites/{}/lists/{}/items/{id}",
            self.graph(),
            self.shared.site_id,
            l.id
        );
        let mut r = json_reply(201, body)
            .header("ETag", &item.etag())
            .header("Location", &location);
        r.delay = self.shared.faults.take_store_delay();
        r
    }

    fn update(&self, key: &str, id: &str) -> Reply {
        let input = match self.body_object() {
            Ok(b) => b,
            Err(r) => return r,
        };
        let mut store = self.shared.store();
        let (list, item_id) = match self.writable_item(&store, key, id) {
            Ok(found) => found,
            Err(r) => return r,
        };
        let values = match store.validate(list, &input, Some(item_id)) {
            Ok(v) => v,
            Err(e) => return field_error(e),
        };
        store.update(list, item_id, values, self.principal);
        match store.lists[list].items.get(&item_id) {
            Some(item) => self.fields_reply(&store, list, item),
            None => item_not_found(),
        }
    }

    fn delete(&self, key: &str, id: &str) -> Reply {
        let mut store = self.shared.store();
        let (list, item_id) = match self.writable_item(&store, key, id) {
            Ok(found) => found,
            Err(r) => return r,
        };
        store.delete(list, item_id);
        empty_reply(204)
    }

    /// `items/delta`: every change after the token's sequence, latest state per item, in
    /// change order; deleted items as tombstones. Paged with `@odata.nextLink`, ending with
    /// `@odata.deltaLink`.
    fn delta(&self, key: &str) -> Reply {
        let store = self.shared.store();
        let list = match self.list_index(&store, key) {
            Ok(i) => i,
            Err(r) => return r,
        };
        let (fields, top) = match (self.expand(), self.top()) {
            (Ok(f), Ok(t)) => (f, t),
            (Err(r), _) | (_, Err(r)) => return r,
        };
        let l = &store.lists[list];
        let path = format!("/sites/{}/lists/{}/items/delta", self.shared.site_id, l.id);
        let link = |token: String| {
            let mut q = url::form_urlencoded::Serializer::new(String::new());
            for (k, v) in &self.query {
                if k != "token" {
                    q.append_pair(k, v);
                }
            }
            q.append_pair("token", &token);
            format!("{}{path}?{}", self.graph(), q.finish())
        };
        let token = self.opt("token");
        if token == Some("latest") {
            return json_reply(
                200,
                json!({
                    "@odata.context": format!("{}/lists('{}')/items", self.site_context(), l.id),
                    "value": [],
                    "@odata.deltaLink": link(encode_delta(&DeltaToken::Done { since: store.seq })),
                }),
            );
        }
        let (since, upto, after) = match token.map(decode_delta) {
            None => (0, store.seq, 0),
            Some(Some(DeltaToken::Done { since })) => (since, store.seq, since),
            Some(Some(DeltaToken::Next { since, upto, after })) => (since, upto, after),
            Some(None) => return bad_request("The provided delta token is not valid."),
        };
        if since > 0 && since < store.delta_floor {
            return graph_error(
                410,
                "resyncRequired",
                "Resync required. Replace any local items with the server's version (including deletes) if you're sure that the service was up to date with your local changes when you last sync'd. Upload any local changes that the server doesn't know about.",
                Some("resyncChangesApplyDifferences"),
            )
            .header("Location", &format!("{}{path}", self.graph()));
        }
        // (seq, entry); an initial enumeration (since 0) has no tombstones to report.
        let mut changes: Vec<(u64, Value)> = l
            .items
            .values()
            .filter(|it| it.seq > after && it.seq <= upto)
            .map(|it| (it.seq, self.item_json(&store, list, it, &fields)))
            .collect();
        if since > 0 {
            changes.extend(
                l.removed
                    .iter()
                    .filter(|(_, seq)| *seq > after && *seq <= upto)
                    .map(|(id, seq)| {
                        (
                            *seq,
                            json!({
                                "id": id.to_string(),
                                "parentReference": {"id": l.id, "siteId": self.shared.site_id},
                                "deleted": {"state": "deleted"},
                                "@removed": {"reason": "deleted"},
                            }),
                        )
                    }),
            );
        }
        changes.sort_by_key(|(seq, _)| *seq);
        let more = changes.len() > top;
        changes.truncate(top);
        let last = changes.last().map_or(after, |(seq, _)| *seq);
        let mut body = json!({
            "@odata.context": format!("{}/lists('{}')/items", self.site_context(), l.id),
            "value": changes.into_iter().map(|(_, v)| v).collect::<Vec<_>>(),
        });
        if more {
            body["@odata.nextLink"] = link(encode_delta(&DeltaToken::Next {
                since,
                upto,
                after: last,
            }))
            .into();
        } else {
            body["@odata.deltaLink"] = link(encode_delta(&DeltaToken::Done { since: upto })).into();
        }
        json_reply(200, body)
    }
}

/// Where a delta round stands: `Done` is a delta link (changes after `since`); `Next` a page
/// link within the round `(since, upto]`, past change `after`.
enum DeltaToken {
    Done { since: u64 },
    Next { since: u64, upto: u64, after: u64 },
}

fn encode_delta(t: &DeltaToken) -> String {
    let raw = match t {
        DeltaToken::Done { since } => format!("d.{since}"),
        DeltaToken::Next { since, upto, after } => format!("n.{since}.{upto}.{after}"),
    };
    URL_SAFE_NO_PAD.encode(raw)
}

fn decode_delta(token: &str) -> Option<DeltaToken> {
    let raw = String::from_utf8(URL_SAFE_NO_PAD.decode(token.trim()).ok()?).ok()?;
    let parts: Vec<u64> = raw
        .get(2..)?
        .split('.')
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    match (raw.get(..2)?, parts.as_slice()) {
        ("d.", &[since]) => Some(DeltaToken::Done { since }),
        ("n.", &[since, upto, after]) => Some(DeltaToken::Next { since, upto, after }),
        _ => None,
    }
}

fn field_error(e: FieldError) -> Reply {
    match e {
        FieldError::Unknown(n) => bad_request(&format!("Field '{n}' is not recognized")),
        FieldError::ReadOnly(n) => bad_request(&format!("Field '{n}' is read-only")),
        FieldError::Required(n) => bad_request(&format!("Field '{n}' is required")),
        FieldError::BadValue { field, reason } => {
            tracing::debug!("emulated Graph refused a value for '{field}': {reason}");
            graph_error(
                400,
                "generalException",
                "General exception while processing",
                None,
            )
        }
        FieldError::Duplicate(display) => graph_error(
            409,
            "nameAlreadyExists",
            &format!(
                "The list item could not be added or updated because duplicate values were found in the following field(s) in the list: [{display}]."
            ),
            None,
        ),
    }
}

/// The system fields SharePoint adds to every item's `fields`.
fn system_fields(item: &Item) -> Vec<(String, Value)> {
    let title = item.values.get("Title").cloned();
    let mut v: Vec<(String, Value)> = vec![
        ("id".into(), item.id.to_string().into()),
        ("ContentType".into(), "Item".into()),
        ("Modified".into(), format_time(item.modified).into()),
        ("Created".into(), format_time(item.created).into()),
        ("AuthorLookupId".into(), item.author.lookup_id().into()),
        ("EditorLookupId".into(), item.editor.lookup_id().into()),
        (
            "_UIVersionString".into(),
            format!("{}.0", item.version).into(),
        ),
        ("Attachments".into(), false.into()),
        ("Edit".into(), "".into()),
    ];
    if let Some(t) = title {
        v.push(("LinkTitleNoMenu".into(), t.clone()));
        v.push(("LinkTitle".into(), t));
    }
    for (k, val) in [
        ("ItemChildCount", "0"),
        ("FolderChildCount", "0"),
        ("_ComplianceFlags", ""),
        ("_ComplianceTag", ""),
        ("_ComplianceTagWrittenTime", ""),
        ("_ComplianceTagUserId", ""),
    ] {
        v.push((k.into(), val.into()));
    }
    // Present when an app wrote the item (the app principal's site user id).
    if item.author == Principal::App {
        v.push(("AppAuthorLookupId".into(), "3".into()));
    }
    if item.editor == Principal::App {
        v.push(("AppEditorLookupId".into(), "3".into()));
    }
    v
}

/// A stable GUID-shaped id derived from a string (column ids, content type ids).
fn derived_guid(s: &str) -> String {
    let fnv = |seed: u64| {
        s.bytes().fold(seed, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
        })
    };
    format_guid(
        u128::from(fnv(0xcbf2_9ce4_8422_2325)) << 64 | u128::from(fnv(0x8422_2325_cbf2_9ce4)),
    )
}

fn content_type_id(list_id: &str) -> String {
    format!(
        "0x0100{}",
        derived_guid(list_id).replace('-', "").to_uppercase()
    )
}

fn column_json(store: &Store, list_id: &str, c: &ColumnSpec) -> Value {
    let mut v = json!({
        "columnGroup": "Custom Columns",
        "description": c.description,
        "displayName": c.display_name,
        "enforceUniqueValues": c.enforce_unique_values,
        "hidden": c.hidden,
        "id": derived_guid(&format!("{list_id}/{}", c.name)),
        "indexed": c.indexed,
        "name": c.name,
        "readOnly": c.read_only,
        "required": c.required,
    });
    let (facet, value) = match &c.kind {
        ColumnKind::Text {
            max_length,
            multiline,
        } => (
            "text",
            json!({
                "allowMultipleLines": multiline,
                "appendChangesToExistingText": false,
                "linesForEditing": if *multiline { 6 } else { 0 },
                "maxLength": if *multiline { 63999 } else { *max_length },
                "textType": "plain",
            }),
        ),
        ColumnKind::Number { decimals } => (
            "number",
            json!({
                "decimalPlaces": match decimals {
                    None => "automatic",
                    Some(0) => "none",
                    Some(1) => "one",
                    Some(2) => "two",
                    Some(3) => "three",
                    Some(4) => "four",
                    Some(_) => "five",
                },
                "displayAs": "number",
                "maximum": f64::MAX,
                "minimum": -f64::MAX,
            }),
        ),
        ColumnKind::DateTime { date_only } => (
            "dateTime",
            json!({"displayAs": "default", "format": if *date_only { "dateOnly" } else { "dateTime" }}),
        ),
        ColumnKind::Boolean => ("boolean", json!({})),
        ColumnKind::Choice {
            choices,
            allow_text_entry,
        } => (
            "choice",
            json!({"allowTextEntry": allow_text_entry, "choices": choices, "displayAs": "dropDownMenu"}),
        ),
        ColumnKind::MultiChoice { choices } => (
            "choice",
            json!({"allowTextEntry": false, "choices": choices, "displayAs": "checkBoxes"}),
        ),
        ColumnKind::Lookup { list } => (
            "lookup",
            json!({
                "allowMultipleValues": false,
                "allowUnlimitedLength": false,
                "columnName": "Title",
                "listId": store.list_index(list).map(|i| store.lists[i].id.clone()).unwrap_or_default(),
            }),
        ),
    };
    v[facet] = value;
    v
}

fn builtin_facet(facet: &str) -> Value {
    match facet {
        "text" => json!({
            "allowMultipleLines": false,
            "appendChangesToExistingText": false,
            "linesForEditing": 0,
            "maxLength": 255,
            "textType": "plain",
        }),
        "dateTime" => json!({"displayAs": "standard", "format": "dateTime"}),
        "personOrGroup" => json!({
            "allowMultipleSelection": false,
            "displayAs": "account",
            "chooseFromType": "peopleAndGroups",
        }),
        "lookup" => {
            json!({"allowMultipleValues": false, "allowUnlimitedLength": false, "columnName": ""})
        }
        _ => json!({}),
    }
}
