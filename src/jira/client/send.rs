//! Sending one logical request: retries as the policy allows, decoding the answer, and turning
//! a failure into a [`JiraError`] that never carries the token.

use std::time::{Duration, Instant};

use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderMap, LOCATION};
use reqwest::{Method, StatusCode};
use secrecy::ExposeSecret;
use serde_json::Value;
use url::Url;

use super::error::parse_error_body;
use super::{Endpoint, HttpFailure, JiraClient, JiraError, Resend, SNIPPET_CHARS};
use crate::http::retry::{backoff, jitter, parse_retry_after, plan_retry};
use crate::http::text::{error_chain, one_line};
use crate::jira::prune::Keep;

impl JiraClient {
    /// Sends one logical request, retrying as the policy and `resend` allow.
    pub(super) async fn execute(
        &self,
        method: Method,
        url: Url,
        body: Option<&Value>,
        keep: Option<&Keep>,
        resend: Resend,
    ) -> Result<Value, JiraError> {
        let inner = &*self.inner;
        let stats = &inner.stats;
        let policy = inner.settings.retry;
        let always = resend == Resend::Always;
        let endpoint = Endpoint {
            method: match method {
                Method::POST => "POST",
                Method::PUT => "PUT",
                Method::DELETE => "DELETE",
                _ => "GET",
            },
            path: url.path().to_string(),
            site: inner.site.clone(),
        };
        let mut retries: u32 = 0;
        loop {
            stats.count_request();
            // Whether the wait before the next attempt is Jira's own throttle (429).
            let mut throttled = false;
            let started = Instant::now();
            let mut request = inner
                .http
                .request(method.clone(), url.clone())
                .header(AUTHORIZATION, inner.auth.clone())
                .header(ACCEPT, "application/json");
            if let Some(body) = body {
                request = request.json(body);
            }
            let outcome = match request.send().await {
                Ok(response) => {
                    let status = response.status();
                    let meta = ResponseMeta::from_headers(response.headers());
                    match response.bytes().await {
                        Ok(bytes) => {
                            stats.count_bytes(bytes.len());
                            Ok((status, meta, bytes))
                        }
                        Err(e) => Err(e),
                    }
                }
                Err(e) => Err(e),
            };
            let delay = match outcome {
                Ok((status, meta, bytes)) => {
                    tracing::debug!(
                        method = endpoint.method,
                        path = %endpoint.path,
                        status = status.as_u16(),
                        bytes = bytes.len(),
                        elapsed_ms = started.elapsed().as_millis() as u64,
                        "Jira response"
                    );
                    if status.is_success() {
                        match self.decode(&endpoint, status, &meta, &bytes, keep) {
                            // A body cut short on the way (a proxy, a reset) is not Jira's
                            // answer: a read (or an idempotent write) may ask again.
                            Err(JiraError::InvalidJson { .. })
                                if always && retries < policy.max_retries =>
                            {
                                let delay = backoff(&policy, retries, jitter());
                                tracing::warn!(
                                    method = endpoint.method,
                                    path = %endpoint.path,
                                    delay_ms = delay.as_millis() as u64,
                                    retry = retries + 1,
                                    max_retries = policy.max_retries,
                                    "Jira's answer was not JSON; retrying"
                                );
                                delay
                            }
                            decoded => return decoded,
                        }
                    } else if status == StatusCode::BAD_REQUEST
                        && resend == Resend::OnlyRefusedKeep400
                    {
                        return self.decode(&endpoint, status, &meta, &bytes, keep);
                    } else {
                        let retryable = match status.as_u16() {
                            429 => true,
                            502..=504 => always,
                            _ => false,
                        };
                        let plan =
                            retryable.then(|| plan_retry(&policy, retries, meta.retry_after));
                        match plan {
                            Some(Ok(delay)) => {
                                throttled = status == StatusCode::TOO_MANY_REQUESTS;
                                tracing::warn!(
                                    method = endpoint.method,
                                    path = %endpoint.path,
                                    status = status.as_u16(),
                                    delay_ms = delay.as_millis() as u64,
                                    retry = retries + 1,
                                    max_retries = policy.max_retries,
                                    "Jira answered {}; retrying",
                                    status.as_u16()
                                );
                                delay
                            }
                            Some(Err(wait_too_long)) => {
                                return Err(self.http_error(
                                    &endpoint,
                                    status,
                                    meta,
                                    &bytes,
                                    retries,
                                    wait_too_long,
                                ));
                            }
                            None => {
                                return Err(self
                                    .http_error(&endpoint, status, meta, &bytes, retries, false));
                            }
                        }
                    }
                }
                Err(e) => {
                    let retryable = always
                        && !(e.is_builder() || e.is_redirect() || e.is_decode() || e.is_status());
                    if !retryable || retries >= policy.max_retries {
                        return Err(self.transport_error(endpoint, &e, retries));
                    }
                    let delay = backoff(&policy, retries, jitter());
                    tracing::warn!(
                        method = endpoint.method,
                        path = %endpoint.path,
                        error = %self.scrub(&error_chain(&e)),
                        delay_ms = delay.as_millis() as u64,
                        retry = retries + 1,
                        max_retries = policy.max_retries,
                        "Jira request failed; retrying"
                    );
                    delay
                }
            };
            stats.count_retry(delay, throttled);
            tokio::time::sleep(delay).await;
            retries += 1;
        }
    }

    fn decode(
        &self,
        endpoint: &Endpoint,
        status: StatusCode,
        meta: &ResponseMeta,
        bytes: &[u8],
        keep: Option<&Keep>,
    ) -> Result<Value, JiraError> {
        // 204 No Content and friends: nothing to decode.
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(Value::Null);
        }
        match keep {
            Some(keep) => keep.parse(bytes),
            None => serde_json::from_slice(bytes),
        }
        .map_err(|_| JiraError::InvalidJson {
            endpoint: endpoint.clone(),
            status: status.as_u16(),
            content_type: meta.content_type.clone(),
            snippet: self.scrub(&one_line(&String::from_utf8_lossy(bytes), SNIPPET_CHARS)),
        })
    }

    fn http_error(
        &self,
        endpoint: &Endpoint,
        status: StatusCode,
        meta: ResponseMeta,
        bytes: &[u8],
        retries: u32,
        wait_too_long: bool,
    ) -> JiraError {
        let messages: Vec<String> = parse_error_body(bytes)
            .iter()
            .map(|m| self.scrub(m))
            .collect();
        JiraError::Http(Box::new(HttpFailure {
            status: status.as_u16(),
            method: endpoint.method,
            path: endpoint.path.clone(),
            site: endpoint.site.clone(),
            auth_scheme: self.inner.settings.auth_scheme,
            messages,
            retries,
            retry_after: meta.retry_after,
            wait_too_long,
            rate_limit_reason: meta.rate_limit_reason,
            redirect_to: meta.location.filter(|_| status.is_redirection()),
        }))
    }

    fn transport_error(
        &self,
        endpoint: Endpoint,
        error: &reqwest::Error,
        retries: u32,
    ) -> JiraError {
        if error.is_timeout() {
            JiraError::Timeout {
                endpoint,
                retries,
                timeout: self.inner.settings.timeout,
            }
        } else {
            JiraError::Transport {
                endpoint,
                retries,
                detail: self.scrub(&error_chain(error)),
            }
        }
    }

    /// Removes the token (and its Basic encoding) from text that came from elsewhere.
    fn scrub(&self, text: &str) -> String {
        let mut text = text.to_string();
        for secret in &self.inner.secrets {
            let secret = secret.expose_secret();
            if !secret.is_empty() && text.contains(secret) {
                text = text.replace(secret, "***");
            }
        }
        text
    }
}

/// What a response's headers say that matters after its body is read.
struct ResponseMeta {
    retry_after: Option<Duration>,
    rate_limit_reason: Option<String>,
    content_type: Option<String>,
    /// The origin (never the full URL) of a redirect target.
    location: Option<String>,
}

impl ResponseMeta {
    fn from_headers(headers: &HeaderMap) -> Self {
        let text = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(|v| one_line(v, 100))
        };
        ResponseMeta {
            retry_after: headers
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| parse_retry_after(v, chrono::Utc::now())),
            rate_limit_reason: text("ratelimit-reason"),
            content_type: text(CONTENT_TYPE.as_str()),
            location: headers
                .get(LOCATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| Url::parse(v).ok())
                .map(|u| u.origin().ascii_serialization()),
        }
    }
}
