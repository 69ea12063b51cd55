//! The HTTP side: shared state, and the one axum handler every request goes through.
//!
//! Routing is done here against the route table in `routes.rs` rather than by axum, because
//! each request must be known by its route template *before* it runs (for the request log and
//! endpoint-specific faults) and axum's `MatchedPath` is not among the enabled features. The
//! order of work per request: read the body, sleep the configured latency, authenticate (by
//! path family), resolve the route (404/405), apply injected failures, run the handler on the
//! blocking pool (searches over 100 000 issues are CPU work), maybe truncate the body, record.

use std::collections::VecDeque;
use std::ops::Deref;
use std::sync::{Arc, Mutex, OnceLock};

use axum::body::{Body, Bytes, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use serde_json::{Value, json};

use super::data::JiraData;
use super::faults::{ChaosFault, Faults, failure_response};
use super::live::{LiveData, Version};
use super::paging;
use super::render::{ApiVersion, Product, Renderer};
use super::routes::{self, Door, Entry, Lookup, PathApi};
use super::{JiraEmulatorConfig, RecordedRequest};

/// Prefix of the OAuth 2.0 (3LO) gateway's route templates.
pub(crate) const GATEWAY_TEMPLATE: &str = "/ex/jira/{cloudId}";

/// The emulated site: what every request shares.
pub(crate) struct Site {
    pub config: JiraEmulatorConfig,
    pub data: LiveData,
    /// `http://127.0.0.1:PORT`.
    pub base_url: String,
    pub faults: Faults,
    pub log: Mutex<Vec<RecordedRequest>>,
    pub searches: SearchCache,
}

impl Site {
    pub fn record(&self, r: RecordedRequest) {
        self.log.lock().unwrap_or_else(|e| e.into_inner()).push(r);
    }
}

/// What a handler sees: the site (through `Deref`), and the one version of its data this
/// request reads, taken when first asked for. A handler that writes ([`View::change`]) and
/// never reads first holds no version, so the change is made in place.
pub(crate) struct View {
    site: Arc<Site>,
    version: OnceLock<Version>,
}

impl View {
    pub fn new(site: &Arc<Site>) -> View {
        View {
            site: Arc::clone(site),
            version: OnceLock::new(),
        }
    }

    /// The data this request reads: the same version however often asked.
    pub fn data(&self) -> &JiraData {
        &self.read().data
    }

    /// The number of that version (for the search cache).
    pub fn version(&self) -> u64 {
        self.read().number
    }

    fn read(&self) -> &Version {
        self.version.get_or_init(|| self.site.data.version())
    }

    /// Changes the data (see [`LiveData::change`]); reads after it see the change.
    pub fn change<R>(&self, change: impl FnOnce(&mut JiraData) -> R) -> R {
        debug_assert!(
            self.version.get().is_none(),
            "a change after a read copies the site"
        );
        self.site.data.change(change)
    }
}

impl Deref for View {
    type Target = Site;

    fn deref(&self) -> &Site {
        &self.site
    }
}

/// Recently run searches: (data version, JQL text) → matching issue indexes in result order.
/// Pages of one search are then slices of the same list (stable paging), and a 100 000-issue
/// site is not re-scanned per page. A change to the data makes a new version, so a search runs
/// again on its next page, as Jira's would; `now()`-relative queries keep the instant of
/// their first run.
#[derive(Default)]
pub(crate) struct SearchCache {
    entries: Mutex<VecDeque<CachedSearch>>,
}

/// `(data version, JQL text, matching issue indexes)`.
type CachedSearch = (u64, String, Arc<Vec<usize>>);

const SEARCH_CACHE_SIZE: usize = 16;

impl SearchCache {
    pub fn get_or_run<E>(
        &self,
        version: u64,
        jql: &str,
        run: impl FnOnce() -> Result<Vec<usize>, E>,
    ) -> Result<Arc<Vec<usize>>, E> {
        {
            let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
            if let Some((_, _, hits)) = entries.iter().find(|(v, k, _)| *v == version && k == jql) {
                return Ok(hits.clone());
            }
        }
        let hits = Arc::new(run()?);
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.push_front((version, jql.to_string(), hits.clone()));
        entries.truncate(SEARCH_CACHE_SIZE);
        Ok(hits)
    }
}

/// Per-request context handed to handlers.
pub(crate) struct Ctx {
    pub version: ApiVersion,
    pub product: Product,
    /// Prefix for `self` links (includes the gateway prefix when called through it).
    pub base: String,
    pub params: super::routes::Params,
    pub query: Vec<(String, String)>,
}

impl Ctx {
    pub fn param(&self, name: &str) -> &str {
        self.params
            .iter()
            .find(|(k, _)| *k == name)
            .map_or("", |(_, v)| v.as_str())
    }

    /// Every value of a repeated query parameter.
    pub fn query_all(&self, name: &str) -> Vec<String> {
        self.query
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// The last value of a query parameter.
    pub fn query_one(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn renderer<'a>(&'a self, data: &'a JiraData) -> Renderer<'a> {
        Renderer {
            data,
            base: &self.base,
            version: self.version,
            product: self.product,
            html: false,
        }
    }
}

/// A JSON response.
pub(crate) fn json_response(status: StatusCode, body: &Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json;charset=UTF-8")],
        body.to_string(),
    )
        .into_response()
}

/// Jira's `ErrorCollection`.
pub(crate) fn error_response(status: StatusCode, messages: Vec<String>) -> Response {
    json_response(status, &json!({"errorMessages": messages, "errors": {}}))
}

/// `"GET /ex/jira/{cloudId}/rest/api/3/myself"` → `"GET /rest/api/3/myself"`.
pub(crate) fn strip_gateway(endpoint: &str) -> String {
    endpoint.replacen(GATEWAY_TEMPLATE, "", 1)
}

const MAX_BODY: usize = 32 << 20;

/// The single axum handler.
pub(crate) async fn dispatch(State(shared): State<Arc<Site>>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let path = parts.uri.path().to_string();
    let query = parts.uri.query().unwrap_or("").to_string();
    let bytes = to_bytes(body, MAX_BODY).await;
    let latency = shared.faults.latency() + shared.faults.take_slow().unwrap_or_default();
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let paging = shared.faults.paging(&path);
    let (endpoint, response, bytes) = match bytes {
        Ok(b) => {
            let sent = paging.map_or_else(|| b.clone(), |f| paging::request(f, &b));
            let (e, r) = handle(&shared, &parts.method, &path, &query, &parts.headers, sent).await;
            let r = match paging {
                Some(fault) => paging::answer(fault, r, &query, &b).await,
                None => r,
            };
            (e, r, b)
        }
        Err(_) => (
            format!("{} {path}", parts.method),
            error_response(
                StatusCode::PAYLOAD_TOO_LARGE,
                vec!["Request body too large.".into()],
            ),
            Bytes::new(),
        ),
    };
    let body = if bytes.is_empty() {
        None
    } else {
        Some(
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned())),
        )
    };
    shared.record(RecordedRequest {
        endpoint,
        path,
        query,
        body,
        status: response.status().as_u16(),
    });
    response
}

async fn handle(
    shared: &Arc<Site>,
    method: &Method,
    path: &str,
    query: &str,
    headers: &HeaderMap,
    body: Bytes,
) -> (String, Response) {
    // Named before it is known who asks, so a refused request is logged by its endpoint too.
    let named = routes::lookup(method.as_str(), path, None);
    let mut endpoint = format!("{method} {}", named.template().unwrap_or(path));
    let Some(entry) = routes::entry(path) else {
        return (endpoint, not_found(&shared.base_url, path));
    };
    let Some(product) = authenticate(&shared.config, &entry.door, headers) else {
        return (endpoint, unauthorized(&entry));
    };
    if let Door::Gateway(cloud_id) = &entry.door
        && *cloud_id != shared.config.cloud_id
    {
        return (
            endpoint,
            json_response(
                StatusCode::NOT_FOUND,
                &json!({"code": 404, "message": "Not Found"}),
            ),
        );
    }
    // Data Center has no /rest/api/3.
    let lookup = if product == Product::DataCenter && entry.api == PathApi::V3 {
        Lookup::NotFound
    } else {
        routes::lookup(method.as_str(), path, Some(product))
    };
    if let Some(template) = lookup.template() {
        endpoint = format!("{method} {template}");
    }
    let (route, params) = match lookup {
        Lookup::Found { route, params, .. } => (route, params),
        Lookup::MethodNotAllowed { allow, .. } => {
            let mut r = StatusCode::METHOD_NOT_ALLOWED.into_response();
            if let Ok(v) = HeaderValue::from_str(&allow.join(",")) {
                r.headers_mut().insert(header::ALLOW, v);
            }
            return (endpoint, r);
        }
        Lookup::NotFound => return (endpoint, not_found(&shared.base_url, path)),
    };
    if let Some(f) = shared.faults.take_failure(&endpoint) {
        return (endpoint, failure_response(&f));
    }
    let chaos = shared.faults.take_chaos(&endpoint, query, &body);
    if let Some(ChaosFault::Fail(f)) = &chaos {
        return (endpoint, failure_response(f));
    }
    let base = match &entry.door {
        Door::Gateway(id) => format!("{}/ex/jira/{id}", shared.base_url),
        Door::Site => shared.base_url.clone(),
    };
    let ctx = Ctx {
        version: match (entry.api, product) {
            (PathApi::V2, _) | (PathApi::Agile, Product::DataCenter) => ApiVersion::V2,
            (PathApi::V3 | PathApi::Agile, _) => ApiVersion::V3,
        },
        product,
        base,
        params,
        query: url::form_urlencoded::parse(query.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect(),
    };
    let handler = route.handler;
    let view = View::new(shared);
    let response = tokio::task::spawn_blocking(move || handler(&view, &ctx, &body))
        .await
        .unwrap_or_else(|_| {
            error_response(
                StatusCode::INTERNAL_SERVER_ERROR,
                vec!["Internal server error".into()],
            )
        });
    if response.status().is_success()
        && let Some(change) = shared.faults.take_after(&endpoint)
    {
        shared.data.change(change);
    }
    if response.status().is_success()
        && endpoint.ends_with("/search/jql")
        && let Some(n) = shared.faults.take_change()
    {
        let now = chrono::Utc::now().fixed_offset();
        shared.data.change(|d| {
            let count = d.issues.len().max(1);
            d.create_issue_like(n % count, now);
            d.edit_issue((n * 7 + 3) % count, now);
        });
    }
    let response = if matches!(chaos, Some(ChaosFault::Malformed)) || shared.faults.take_malformed()
    {
        truncate(response).await
    } else {
        response
    };
    (endpoint, response)
}

/// A 200 whose JSON body stops halfway.
async fn truncate(response: Response) -> Response {
    let (mut parts, body) = response.into_parts();
    let bytes = to_bytes(body, MAX_BODY).await.unwrap_or_default();
    let cut = bytes.slice(..bytes.len() / 2);
    parts.status = StatusCode::OK;
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json;charset=UTF-8"),
    );
    Response::from_parts(parts, Body::from(cut))
}

/// Jersey's answer for an unknown REST path.
fn not_found(base_url: &str, path: &str) -> Response {
    json_response(
        StatusCode::NOT_FOUND,
        &json!({"message": format!("null for uri: {base_url}{path}"), "status-code": 404, "stack-trace": ""}),
    )
}

fn authenticate(config: &JiraEmulatorConfig, door: &Door, headers: &HeaderMap) -> Option<Product> {
    let value = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())?;
    let (scheme, credentials) = value.trim().split_once(' ').unwrap_or((value, ""));
    let credentials = credentials.trim();
    let basic = scheme.eq_ignore_ascii_case("basic")
        && base64::engine::general_purpose::STANDARD
            .decode(credentials)
            .ok()
            .and_then(|raw| String::from_utf8(raw).ok())
            .is_some_and(|pair| pair == format!("{}:{}", config.email, config.api_token));
    let bearer = |token: &str| scheme.eq_ignore_ascii_case("bearer") && credentials == token;
    match door {
        // Email and API token: Jira Cloud, on the site and (scoped tokens) the gateway.
        _ if basic => Some(Product::Cloud),
        // OAuth access tokens work through the gateway only.
        Door::Gateway(_) if bearer(&config.oauth_token) => Some(Product::Cloud),
        // A personal access token: Jira Data Center, on the site.
        Door::Site if bearer(&config.personal_access_token) => Some(Product::DataCenter),
        _ => None,
    }
}

/// Each front door refuses differently: the API gateway with its own JSON; the site, not knowing
/// who asks, as Data Center on `/rest/api/2` (an ErrorCollection) and as Cloud elsewhere (plain
/// text).
fn unauthorized(entry: &Entry) -> Response {
    match (&entry.door, entry.api) {
        (Door::Site, PathApi::V3 | PathApi::Agile) => (
            StatusCode::UNAUTHORIZED,
            [
                (header::CONTENT_TYPE, "text/plain;charset=UTF-8"),
                (
                    header::WWW_AUTHENTICATE,
                    "OAuth realm=\"https%3A%2F%2Fjiraql-demo.atlassian.net\"",
                ),
            ],
            "Client must be authenticated to access this resource.",
        )
            .into_response(),
        (Door::Site, PathApi::V2) => {
            let mut r = error_response(
                StatusCode::UNAUTHORIZED,
                vec![
                    "You are not authenticated. Authentication required to perform this operation."
                        .into(),
                ],
            );
            r.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"Jira\""),
            );
            r
        }
        (Door::Gateway(_), _) => json_response(
            StatusCode::UNAUTHORIZED,
            &json!({"code": 401, "message": "Unauthorized"}),
        ),
    }
}
