//! The HTTP side: shared state, and the one axum handler every request goes through.
//!
//! Per request: read the body, sleep the configured latency, then by path family: `/v1.0/$batch`
//! (the `batch` module), other `/v1.0` paths (`graph::serve`), or the login endpoints
//! (`auth`); anything else gets Graph's "Invalid version" answer. A "store then time out"
//! delay is slept after the work is done; then the request is logged and answered with
//! `request-id`/`client-request-id` headers.

use std::sync::{Arc, Mutex, MutexGuard};

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::Response;
use serde_json::Value;

use super::auth::{self, AuthState};
use super::graph::{self, Call, Reply, graph_error};
use super::model::{Store, random_guid};
use super::{RecordedRequest, SharePointEmulatorConfig, SharePointFaults, batch};

/// Everything the handlers share.
pub(crate) struct Shared {
    pub config: SharePointEmulatorConfig,
    /// `http://127.0.0.1:PORT`.
    pub base_url: String,
    /// `"{hostname},{guid},{guid}"`.
    pub site_id: String,
    pub store: Mutex<Store>,
    pub auth: Mutex<AuthState>,
    pub faults: SharePointFaults,
    pub log: Mutex<Vec<RecordedRequest>>,
}

impl Shared {
    // A panicking test thread must not wedge the server: poisoned locks stay usable.
    pub fn store(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn auth(&self) -> MutexGuard<'_, AuthState> {
        self.auth.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn record(&self, r: RecordedRequest) {
        self.log.lock().unwrap_or_else(|e| e.into_inner()).push(r);
    }
}

const MAX_BODY: usize = 16 << 20;

/// Headers as `(lower-case name, value)`, for handlers and the log.
fn header_pairs(headers: &axum::http::HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .filter_map(|(k, v)| Some((k.as_str().to_string(), v.to_str().ok()?.to_string())))
        .collect()
}

/// Headers for the log: everything but credentials.
pub(crate) fn loggable(headers: &[(String, String)]) -> Vec<(String, String)> {
    headers
        .iter()
        .filter(|(k, _)| {
            !k.eq_ignore_ascii_case("authorization") && !k.eq_ignore_ascii_case("cookie")
        })
        .cloned()
        .collect()
}

/// A body for the log: JSON as is, anything else as a JSON string.
pub(crate) fn loggable_body(bytes: &[u8]) -> Option<Value> {
    (!bytes.is_empty()).then(|| {
        serde_json::from_slice(bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(bytes).into_owned()))
    })
}

/// `/{tenant}/oauth2/v2.0/{token|devicecode}` → `(tenant, endpoint)`.
fn login_path(path: &str) -> Option<(&str, &str)> {
    let mut segs = path.trim_start_matches('/').split('/');
    let tenant = segs.next().filter(|t| !t.is_empty())?;
    match (segs.next(), segs.next(), segs.next(), segs.next()) {
        (Some("oauth2"), Some("v2.0"), Some(e @ ("token" | "devicecode")), None) => {
            Some((tenant, e))
        }
        _ => None,
    }
}

/// The single axum handler.
pub(crate) async fn dispatch(State(shared): State<Arc<Shared>>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let method = parts.method.as_str().to_string();
    let path = parts.uri.path().to_string();
    let query = parts.uri.query().unwrap_or("").to_string();
    let headers = header_pairs(&parts.headers);
    let latency = shared.faults.latency();
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let Ok(bytes) = to_bytes(body, MAX_BODY).await else {
        let reply = graph_error(413, "BadRequest", "Request body too large.", None);
        return respond(reply, &headers);
    };
    let mut logged_body = loggable_body(&bytes);
    let (endpoint, reply) = if path == "/v1.0/$batch" || path.eq_ignore_ascii_case("/v1.0/%24batch")
    {
        let endpoint = format!("{method} /v1.0/$batch");
        if method == "POST" {
            (endpoint, batch::run(&shared, &headers, &bytes))
        } else {
            let r = graph_error(
                405,
                "BadRequest",
                "Specified HTTP method is not allowed for the request target.",
                None,
            );
            (endpoint, r)
        }
    } else if let Some(rest) = path
        .strip_prefix("/v1.0")
        .filter(|r| r.is_empty() || r.starts_with('/'))
    {
        let call = Call {
            method: &method,
            path: rest,
            query: &query,
            headers: &headers,
            body: &bytes,
            in_batch: false,
        };
        graph::serve(&shared, &call)
    } else if let Some((tenant, which)) = login_path(&path) {
        logged_body = Some(auth::redacted_form(&bytes));
        let endpoint = format!("{method} /{{tenant}}/oauth2/v2.0/{which}");
        let reply = match (method.as_str(), which) {
            ("POST", "token") => auth::token(&shared, tenant, &bytes),
            ("POST", _) => auth::device_code(&shared, tenant, &bytes),
            _ => graph_error(
                405,
                "BadRequest",
                "The request method is not supported.",
                None,
            ),
        };
        (endpoint, reply)
    } else {
        let first = path.trim_start_matches('/').split('/').next().unwrap_or("");
        let r = graph_error(
            400,
            "BadRequest",
            &format!("Invalid version: {first}"),
            None,
        );
        (format!("{method} {path}"), r)
    };
    if let Some(d) = reply.delay {
        tokio::time::sleep(d).await;
    }
    shared.record(RecordedRequest {
        endpoint,
        path,
        query,
        headers: loggable(&headers),
        body: logged_body,
        status: reply.status,
    });
    respond(reply, &headers)
}

/// A [`Reply`] as an HTTP response, with Graph's request-correlation headers.
fn respond(reply: Reply, request_headers: &[(String, String)]) -> Response {
    let status = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = reply.body.map(|b| b.to_string()).unwrap_or_default();
    let mut r = Response::new(Body::from(body));
    *r.status_mut() = status;
    let request_id = random_guid();
    let client_id = request_headers
        .iter()
        .find(|(k, _)| k == "client-request-id")
        .map_or(request_id.as_str(), |(_, v)| v.as_str());
    let h = r.headers_mut();
    let pairs = reply
        .headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .chain([
            ("request-id", request_id.as_str()),
            ("client-request-id", client_id),
        ]);
    for (k, v) in pairs {
        if let (Ok(name), Ok(value)) = (HeaderName::try_from(k), HeaderValue::from_str(v)) {
            h.append(name, value);
        }
    }
    r
}
