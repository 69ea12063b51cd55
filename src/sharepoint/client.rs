//! The HTTP client for Microsoft Graph: bearer tokens, retries that honour `Retry-After`, paging
//! by `@odata.nextLink`, and JSON `$batch` with per-request throttling.
//!
//! Retries: 429 and 503 (throttling) always, after the server's `Retry-After` (seconds,
//! fractional too) or an exponential backoff; 502/504 and lost connections only for requests
//! that are safe to repeat. A create is never repeated blindly: when its outcome is unknown the
//! caller ([`super::sync`]) looks for the item first. A 401 drops the cached token and tries
//! once more with a new one.
//!
//! In a `$batch`, each sub-request succeeds or fails on its own; the ones throttled are sent
//! again, alone in a new batch, after the longest wait any of them asked for.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{ACCEPT, AUTHORIZATION, HeaderMap, HeaderValue};
use reqwest::{Method, StatusCode};
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};
use url::Url;

use super::auth::TokenSource;
use super::connection::SharePointSettings;
use super::error::{GraphError, error_chain};
use crate::http::retry::{backoff, jitter, parse_retry_after, plan_retry};
use crate::http::stats::ClientStats;

/// Lets a filter touch a column that is not indexed (small lists only).
pub const PREFER_NON_INDEXED: &str = "HonorNonIndexedQueriesWarningMayFailRandomly";

/// One request inside a `$batch` (or sent alone when `BatchSize=1`).
#[derive(Debug, Clone)]
pub struct SubRequest {
    pub method: Method,
    /// Relative to the version root: `/sites/{site}/lists/{list}/items`.
    pub url: String,
    pub body: Option<Value>,
    pub if_match: Option<String>,
}

/// A sub-request's answer.
#[derive(Debug, Clone)]
pub struct SubResponse {
    pub status: u16,
    pub body: Value,
}

/// A Microsoft Graph client for one site connection.
#[derive(Clone)]
pub struct GraphClient {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    settings: SharePointSettings,
    tokens: TokenSource,
    stats: ClientStats,
    secrets: Vec<SecretString>,
}

impl fmt::Debug for GraphClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GraphClient")
            .field("site", &self.inner.settings.site_label())
            .finish_non_exhaustive()
    }
}

/// How one attempt ended.
enum Attempt {
    Answer(StatusCode, HeaderMap, Value),
    Failed(reqwest::Error),
}

impl GraphClient {
    pub fn new(settings: SharePointSettings) -> Result<Self, GraphError> {
        let mut builder = reqwest::Client::builder()
            .user_agent(concat!("NONISV|jiraql|jiraql/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(20));
        if let Some(timeout) = settings.timeout {
            builder = builder.timeout(timeout);
        }
        let http = builder
            .build()
            .map_err(|e| GraphError::Setup(error_chain(&e)))?;
        let tokens = TokenSource::new(http.clone(), settings.clone())?;
        let secrets = tokens.secrets();
        Ok(GraphClient {
            inner: Arc::new(Inner {
                http,
                settings,
                tokens,
                stats: ClientStats::default(),
                secrets,
            }),
        })
    }

    pub fn settings(&self) -> &SharePointSettings {
        &self.inner.settings
    }

    /// Request counters of this connection.
    pub fn stats(&self) -> ClientStats {
        self.inner.stats.clone()
    }

    /// `GET {graph}/{path}?{query}`; `what` describes it for messages.
    pub async fn get(
        &self,
        path: &str,
        query: &[(&str, String)],
        prefer: Option<&str>,
        what: &str,
    ) -> Result<Value, GraphError> {
        let mut url = self.url(path)?;
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        self.send(Method::GET, url, None, prefer, None, true, what)
            .await
            .map(|(_, body)| body)
    }

    /// `GET` a `@odata.nextLink`, which must point at the same Graph origin.
    pub async fn get_link(
        &self,
        link: &str,
        prefer: Option<&str>,
        what: &str,
    ) -> Result<Value, GraphError> {
        let url = Url::parse(link)
            .ok()
            .filter(|u| u.origin() == self.inner.settings.graph_url.origin())
            .ok_or_else(|| {
                GraphError::Protocol(format!(
                    "a next-page link points away from {}",
                    self.inner.settings.graph_url.origin().ascii_serialization()
                ))
            })?;
        self.send(Method::GET, url, None, prefer, None, true, what)
            .await
            .map(|(_, body)| body)
    }

    /// Every item of a paged collection (`value` arrays, following `@odata.nextLink`).
    pub async fn get_all(
        &self,
        path: &str,
        query: &[(&str, String)],
        what: &str,
    ) -> Result<Vec<Value>, GraphError> {
        let mut all = Vec::new();
        self.get_each(path, query, what, |item| all.push(item))
            .await?;
        Ok(all)
    }

    /// Hands every item of a paged collection to `each`, a page at a time: only one page is
    /// held, however long the collection.
    pub async fn get_each(
        &self,
        path: &str,
        query: &[(&str, String)],
        what: &str,
        mut each: impl FnMut(Value),
    ) -> Result<(), GraphError> {
        let mut page = self.get(path, query, None, what).await?;
        loop {
            let next = page
                .get("@odata.nextLink")
                .and_then(Value::as_str)
                .map(str::to_string);
            match page.get_mut("value").map(Value::take) {
                Some(Value::Array(items)) => items.into_iter().for_each(&mut each),
                _ => {
                    return Err(GraphError::Protocol(format!(
                        "{what}: the answer has no value array"
                    )));
                }
            }
            match next {
                Some(link) => page = self.get_link(&link, None, what).await?,
                None => return Ok(()),
            }
        }
    }

    /// One request that changes the site (`POST`, `PATCH`, `DELETE` of a list or column) and
    /// its answer (`Null` for a 204). A `POST` is not sent again when its outcome is unknown:
    /// the caller looks whether it happened first.
    pub async fn write(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        what: &str,
    ) -> Result<Value, GraphError> {
        let url = self.url(path)?;
        let idempotent = method != Method::POST;
        self.send(method, url, body, None, None, idempotent, what)
            .await
            .map(|(_, body)| body)
    }

    /// Runs write requests in `$batch`es of `BatchSize`, retrying throttled ones alone.
    /// Answers come back in request order. An `Err` for a sub-request means its batch got no
    /// answer at all (see [`GraphError::outcome_unknown`]).
    pub async fn batch(
        &self,
        requests: &[SubRequest],
        what: &str,
    ) -> Vec<Result<SubResponse, GraphError>> {
        let size = self.inner.settings.batch_size.max(1);
        let mut results = Vec::with_capacity(requests.len());
        for chunk in requests.chunks(size) {
            if size == 1 {
                results.push(self.single(&chunk[0], what).await);
            } else {
                results.extend(self.one_batch(chunk, what).await);
            }
        }
        results
    }

    /// One sub-request sent as a plain request.
    async fn single(&self, request: &SubRequest, what: &str) -> Result<SubResponse, GraphError> {
        let url = self.url(&request.url)?;
        let idempotent = request.method != Method::POST;
        match self
            .send(
                request.method.clone(),
                url,
                request.body.as_ref(),
                None,
                request.if_match.as_deref(),
                idempotent,
                what,
            )
            .await
        {
            Ok((status, body)) => Ok(SubResponse { status, body }),
            // A refusal of this one item is its answer, as it would be inside a batch.
            Err(GraphError::Http {
                status,
                code,
                message,
                ..
            }) if (400..500).contains(&status) => Ok(SubResponse {
                status,
                body: json!({"error": {"code": code, "message": message}}),
            }),
            Err(e) => Err(e),
        }
    }

    /// One `$batch` call for up to 20 requests, then new calls for the throttled ones.
    async fn one_batch(
        &self,
        chunk: &[SubRequest],
        what: &str,
    ) -> Vec<Result<SubResponse, GraphError>> {
        let policy = self.inner.settings.retry;
        let mut answers: Vec<Option<Result<SubResponse, GraphError>>> = vec![None; chunk.len()];
        let mut pending: Vec<usize> = (0..chunk.len()).collect();
        let mut round = 0u32;
        while !pending.is_empty() {
            let body = json!({
                "requests": pending.iter().map(|&i| sub_request_json(i, &chunk[i])).collect::<Vec<_>>()
            });
            let idempotent = pending.iter().all(|&i| chunk[i].method != Method::POST);
            let url = match self.url("/$batch") {
                Ok(u) => u,
                Err(e) => {
                    pending
                        .iter()
                        .for_each(|&i| answers[i] = Some(Err(e.clone())));
                    break;
                }
            };
            let outer = self
                .send(Method::POST, url, Some(&body), None, None, idempotent, what)
                .await;
            let responses = match outer {
                Ok((_, body)) => parse_batch(&body),
                Err(e) => {
                    pending
                        .iter()
                        .for_each(|&i| answers[i] = Some(Err(e.clone())));
                    break;
                }
            };
            let mut throttled = Vec::new();
            let mut longest_wait: Option<Duration> = None;
            for &i in &pending {
                let Some((status, headers, body)) = responses.get(&i.to_string()) else {
                    answers[i] = Some(Err(GraphError::Protocol(format!(
                        "{what}: the $batch answer has no response for request {i}"
                    ))));
                    continue;
                };
                let retryable = matches!(status, 429 | 503)
                    || (chunk[i].method != Method::POST && matches!(status, 502 | 504));
                if retryable && round < policy.max_retries {
                    let wait = headers
                        .lookup("retry-after")
                        .and_then(|v| parse_retry_after(&v, chrono::Utc::now()));
                    longest_wait = longest_wait.max(wait);
                    throttled.push(i);
                } else {
                    answers[i] = Some(Ok(SubResponse {
                        status: *status,
                        body: body.clone(),
                    }));
                }
            }
            if throttled.is_empty() {
                break;
            }
            let delay = match plan_retry(&policy, round, longest_wait) {
                Ok(delay) => delay,
                Err(_) => {
                    // The server asked for a longer wait than MaxRetryDelay allows.
                    for &i in &throttled {
                        answers[i] = Some(Ok(SubResponse {
                            status: 429,
                            body: json!({"error": {"code": "activityLimitReached",
                                "message": "throttled for longer than jiraql waits"}}),
                        }));
                    }
                    break;
                }
            };
            self.inner.stats.count_retry(delay, true);
            tracing::warn!(
                items = throttled.len(),
                delay_ms = delay.as_millis() as u64,
                "SharePoint throttled part of a batch; retrying those items"
            );
            tokio::time::sleep(delay).await;
            pending = throttled;
            round += 1;
        }
        answers
            .into_iter()
            .map(|a| {
                a.unwrap_or_else(|| {
                    Err(GraphError::Protocol(format!(
                        "{what}: a batch request got no answer"
                    )))
                })
            })
            .collect()
    }

    fn url(&self, path: &str) -> Result<Url, GraphError> {
        let base = self.inner.settings.graph_url.as_str().trim_end_matches('/');
        Url::parse(&format!("{base}{path}")).map_err(|e| {
            GraphError::Setup(format!("cannot build a Graph address from {path}: {e}"))
        })
    }

    /// Sends one request, retrying as the policy allows. Returns the status and the JSON body
    /// of a successful answer.
    #[allow(clippy::too_many_arguments)]
    async fn send(
        &self,
        method: Method,
        url: Url,
        body: Option<&Value>,
        prefer: Option<&str>,
        if_match: Option<&str>,
        idempotent: bool,
        what: &str,
    ) -> Result<(u16, Value), GraphError> {
        let inner = &*self.inner;
        let policy = inner.settings.retry;
        let mut retries = 0u32;
        let mut refreshed = false;
        loop {
            let token = inner.tokens.token().await?;
            let mut auth = HeaderValue::from_str(&format!("Bearer {}", token.expose_secret()))
                .map_err(|_| {
                    GraphError::Protocol("the access token cannot be sent in a header".into())
                })?;
            auth.set_sensitive(true);
            let mut request = inner
                .http
                .request(method.clone(), url.clone())
                .header(AUTHORIZATION, auth)
                .header(ACCEPT, "application/json");
            if let Some(prefer) = prefer {
                request = request.header("Prefer", prefer);
            }
            if let Some(tag) = if_match {
                request = request.header("If-Match", tag);
            }
            if let Some(body) = body {
                request = request.json(body);
            }
            let attempt = match request.send().await {
                Ok(response) => {
                    let status = response.status();
                    let headers = response.headers().clone();
                    match response.bytes().await {
                        Ok(bytes) => {
                            inner.stats.count_response(bytes.len());
                            let body = if bytes.iter().all(u8::is_ascii_whitespace) {
                                Value::Null
                            } else {
                                match serde_json::from_slice(&bytes) {
                                    Ok(v) => v,
                                    Err(_) if status.is_success() => {
                                        return Err(GraphError::Protocol(format!(
                                            "{what}: the answer ({status}) is not JSON: {}",
                                            self.scrub(&super::error::one_line(
                                                &String::from_utf8_lossy(&bytes),
                                                160
                                            ))
                                        )));
                                    }
                                    Err(_) => {
                                        Value::String(String::from_utf8_lossy(&bytes).into_owned())
                                    }
                                }
                            };
                            Attempt::Answer(status, headers, body)
                        }
                        Err(e) => {
                            inner.stats.count_response(0);
                            Attempt::Failed(e)
                        }
                    }
                }
                Err(e) => {
                    inner.stats.count_response(0);
                    Attempt::Failed(e)
                }
            };
            let delay = match attempt {
                Attempt::Answer(status, _, body) if status.is_success() => {
                    return Ok((status.as_u16(), body));
                }
                Attempt::Answer(StatusCode::UNAUTHORIZED, _, _) if !refreshed => {
                    // The token may have expired early or been revoked: one fresh try.
                    inner.tokens.invalidate().await;
                    refreshed = true;
                    continue;
                }
                Attempt::Answer(status, headers, body) => {
                    let code = status.as_u16();
                    let retryable =
                        matches!(code, 429 | 503) || (idempotent && matches!(code, 502 | 504));
                    let wait = headers
                        .lookup("retry-after")
                        .and_then(|v| parse_retry_after(&v, chrono::Utc::now()));
                    match retryable.then(|| plan_retry(&policy, retries, wait)) {
                        Some(Ok(delay)) => {
                            inner.stats.count_retry(delay, matches!(code, 429 | 503));
                            delay
                        }
                        _ => {
                            let mut error =
                                GraphError::from_answer(code, what.to_string(), &body, retries);
                            if let GraphError::Http { message, .. } = &mut error {
                                *message = self.scrub(message);
                            }
                            return Err(error);
                        }
                    }
                }
                Attempt::Failed(e) => {
                    if !idempotent || retries >= policy.max_retries {
                        return Err(if e.is_timeout() {
                            GraphError::Timeout {
                                what: what.to_string(),
                                retries,
                            }
                        } else {
                            GraphError::Transport {
                                what: what.to_string(),
                                detail: self.scrub(&error_chain(&e)),
                            }
                        });
                    }
                    let delay = backoff(&policy, retries, jitter());
                    inner.stats.count_retry(delay, false);
                    delay
                }
            };
            tracing::warn!(
                what,
                delay_ms = delay.as_millis() as u64,
                retry = retries + 1,
                "SharePoint request failed; retrying"
            );
            tokio::time::sleep(delay).await;
            retries += 1;
        }
    }

    fn scrub(&self, text: &str) -> String {
        let mut text = text.to_string();
        for secret in &self.inner.secrets {
            let secret = secret.expose_secret();
            if !secret.is_empty() {
                text = text.replace(secret, "***");
            }
        }
        text
    }
}

fn sub_request_json(id: usize, request: &SubRequest) -> Value {
    let mut r = json!({
        "id": id.to_string(),
        "method": request.method.as_str(),
        "url": request.url,
    });
    let mut headers = serde_json::Map::new();
    if let Some(body) = &request.body {
        headers.insert("Content-Type".into(), json!("application/json"));
        r["body"] = body.clone();
    }
    if let Some(tag) = &request.if_match {
        headers.insert("If-Match".into(), json!(tag));
    }
    if !headers.is_empty() {
        r["headers"] = Value::Object(headers);
    }
    r
}

/// `id → (status, headers with lower-case names, body)` of a `$batch` answer.
fn parse_batch(body: &Value) -> HashMap<String, (u16, HashMap<String, String>, Value)> {
    body.get("responses")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|r| {
            let id = match r.get("id")? {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            let status = u16::try_from(r.get("status")?.as_u64()?).ok()?;
            let headers = r
                .get("headers")
                .and_then(Value::as_object)
                .map(|h| {
                    h.iter()
                        .map(|(k, v)| {
                            let v = match v {
                                Value::String(s) => s.clone(),
                                other => other.to_string(),
                            };
                            (k.to_ascii_lowercase(), v)
                        })
                        .collect()
                })
                .unwrap_or_default();
            Some((
                id,
                (
                    status,
                    headers,
                    r.get("body").cloned().unwrap_or(Value::Null),
                ),
            ))
        })
        .collect()
}

/// A header from either a real response or a batch sub-response.
trait Headers {
    fn lookup(&self, name: &str) -> Option<String>;
}

impl Headers for HeaderMap {
    fn lookup(&self, name: &str) -> Option<String> {
        self.get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    }
}

impl Headers for HashMap<String, String> {
    fn lookup(&self, name: &str) -> Option<String> {
        self.get(name).cloned()
    }
}
