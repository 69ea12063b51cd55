//! The HTTP client for Jira's REST APIs: authentication, retries with backoff, error bodies.
//!
//! [`JiraClient`] sends JSON requests to three roots:
//!
//! * the platform API, `/rest/api/3` on Cloud or `/rest/api/2` on Data Center
//!   ([`JiraClient::get_platform`], [`JiraClient::post_platform`]);
//! * the Agile API, `/rest/agile/1.0` ([`JiraClient::get_agile`]).
//!
//! Absolute links Jira hands back (`nextPage`) are never followed: behind a proxy they name a
//! host credentials must not go to, so pages are asked for by their documented parameters.
//!
//! With OAuth, every root sits under the gateway's `/ex/jira/{cloudId}` instead of the site.
//!
//! Every request we make is a read (the POSTs are `search/jql`, `worklog/list` and
//! `comment/list`), so all of them are retried on 429, 502, 503, 504 and on network errors and
//! timeouts. The delay follows Atlassian's advice: the larger of `Retry-After` and an exponential
//! backoff with jitter in [0.7, 1.3], capped at `MaxRetryDelayMs`. A `Retry-After` beyond that
//! cap (an exhausted hourly quota, say) fails at once with a message saying so instead of
//! hanging silently.
//!
//! Errors ([`JiraError`]) are one line, written for the person running the query, and say what
//! to do. The token never appears in an error, a `Debug` print or a log line: the auth header is
//! marked sensitive, logs carry method, path and status only, and text from the server is
//! scrubbed of the token before it is kept.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine as _;
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderValue, LOCATION};
use reqwest::{Method, StatusCode};
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;
use url::Url;

use super::prune::Keep;
use crate::http::retry::{backoff, jitter, parse_retry_after, plan_retry};
pub use crate::http::stats::ClientStats;
use crate::http::text::{error_chain, one_line};

use super::connection::{AuthScheme, ConnectionError, ConnectionSettings};

/// Connecting may take at most this long even when `Timeout=0`, so a black-holed address fails
/// instead of hanging.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);
/// Same-origin redirects followed before giving up.
const MAX_REDIRECTS: usize = 5;
/// How much of a non-JSON body an error quotes.
const SNIPPET_CHARS: usize = 200;
/// How much of one server message an error keeps.
const MESSAGE_CHARS: usize = 500;

/// Which dialect of the platform API the site speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ApiFlavor {
    /// Jira Cloud: `/rest/api/3`, rich text as ADF documents, `search/jql` with
    /// `nextPageToken`.
    Cloud,
    /// Jira Data Center / Server: `/rest/api/2`, rich text as strings, legacy `/search` with
    /// `startAt`.
    DataCenter,
}

impl ApiFlavor {
    /// The platform API version in paths: `"3"` or `"2"`.
    pub fn platform_version(self) -> &'static str {
        match self {
            ApiFlavor::Cloud => "3",
            ApiFlavor::DataCenter => "2",
        }
    }
}

/// A path below an API root, given either as one `/`-separated string (`"search/jql"`) or as
/// separate segments (`&["issue", key, "worklog"]`).
///
/// Every segment is percent-encoded, so `?`, `#` or `%` in it cannot change the query or
/// fragment. Use the segment form for values that come from data (issue keys, ids): there a `/`
/// is encoded too, so a key like `A/B?x` stays one segment.
pub trait ApiPath {
    /// The unencoded segments. Errors name what is wrong with the path.
    fn segments(&self) -> Result<Vec<&str>, &'static str>;
}

impl ApiPath for str {
    /// Splits on `/`; leading, trailing and doubled slashes are ignored.
    fn segments(&self) -> Result<Vec<&str>, &'static str> {
        Ok(self.split('/').filter(|s| !s.is_empty()).collect())
    }
}

impl ApiPath for String {
    fn segments(&self) -> Result<Vec<&str>, &'static str> {
        self.as_str().segments()
    }
}

impl ApiPath for [&str] {
    fn segments(&self) -> Result<Vec<&str>, &'static str> {
        Ok(self.to_vec())
    }
}

impl<const N: usize> ApiPath for [&str; N] {
    fn segments(&self) -> Result<Vec<&str>, &'static str> {
        Ok(self.to_vec())
    }
}

impl ApiPath for Vec<&str> {
    fn segments(&self) -> Result<Vec<&str>, &'static str> {
        Ok(self.clone())
    }
}

impl ApiPath for [String] {
    fn segments(&self) -> Result<Vec<&str>, &'static str> {
        Ok(self.iter().map(String::as_str).collect())
    }
}

impl ApiPath for Vec<String> {
    fn segments(&self) -> Result<Vec<&str>, &'static str> {
        Ok(self.iter().map(String::as_str).collect())
    }
}

impl<T: ApiPath + ?Sized> ApiPath for &T {
    fn segments(&self) -> Result<Vec<&str>, &'static str> {
        (**self).segments()
    }
}

/// The request an error is about. `path` never includes the query string (JQL can be long and
/// may be private); `site` is the label of the configured site.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    /// `GET`, `POST`, `PUT` or `DELETE`.
    pub method: &'static str,
    /// The percent-encoded path, without query.
    pub path: String,
    /// [`JiraClient::site_label`].
    pub site: String,
}

/// Jira answered with a status that is not success. See [`JiraError::Http`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpFailure {
    /// The HTTP status code.
    pub status: u16,
    /// `GET`, `POST`, `PUT` or `DELETE`.
    pub method: &'static str,
    /// The percent-encoded path, without query.
    pub path: String,
    /// [`JiraClient::site_label`].
    pub site: String,
    /// Which credentials were used, for the 401/403 advice.
    pub auth_scheme: AuthScheme,
    /// Jira's own messages: `errorMessages`, then `errors` as `field: message`, or the text of a
    /// non-JSON body.
    pub messages: Vec<String>,
    /// Retries made before giving up.
    pub retries: u32,
    /// The last `Retry-After`, if any.
    pub retry_after: Option<Duration>,
    /// True when retrying stopped because `Retry-After` asked for more than `MaxRetryDelayMs`.
    pub wait_too_long: bool,
    /// The `RateLimit-Reason` header of a 429, e.g. `jira-burst-based`.
    pub rate_limit_reason: Option<String>,
    /// For a redirect that was not followed: the origin it pointed to (never the full URL).
    pub redirect_to: Option<String>,
}

impl HttpFailure {
    /// Jira's messages as a trailing remark, or nothing.
    fn jira_said(&self) -> String {
        if self.messages.is_empty() {
            String::new()
        } else {
            format!(" (Jira said: {})", self.messages.join("; "))
        }
    }

    fn reason_suffix(&self) -> String {
        self.rate_limit_reason
            .as_deref()
            .map(|r| format!(", reason {r}"))
            .unwrap_or_default()
    }

    fn requested_wait(&self) -> String {
        let wait = self.retry_after.map(human_duration).unwrap_or_default();
        format!("asked to wait {wait}, longer than MaxRetryDelayMs allows")
    }
}

impl fmt::Display for HttpFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let HttpFailure {
            status,
            method,
            path,
            site,
            retries,
            ..
        } = self;
        let reason = StatusCode::from_u16(*status)
            .ok()
            .and_then(|s| s.canonical_reason())
            .unwrap_or("");
        let said = self.jira_said();
        match status {
            // The messages are the point of a 400 (bad JQL, unknown field): show them verbatim.
            400 => {
                let messages = if self.messages.is_empty() {
                    "Jira gave no reason".to_string()
                } else {
                    self.messages.join("; ")
                };
                write!(
                    f,
                    "Jira refused {method} {path} on {site} (400 Bad Request): {messages}"
                )
            }
            401 => {
                let advice = match self.auth_scheme {
                    AuthScheme::Basic => {
                        "check User and APIToken (Cloud uses your Atlassian e-mail and an API \
                         token from id.atlassian.com)"
                    }
                    AuthScheme::PersonalAccessToken => {
                        "check the personal access token in APIToken (it may have expired or \
                         been revoked)"
                    }
                    AuthScheme::OAuth => {
                        "the OAuth access token is invalid or has expired; get a new one \
                         (OAuthAccessToken or JIRA_OAUTH_TOKEN)"
                    }
                };
                write!(
                    f,
                    "Jira rejected the credentials (401 Unauthorized) for {site}: {advice}{said}"
                )
            }
            403 => {
                let scope = if self.auth_scheme == AuthScheme::OAuth {
                    " or the OAuth token lacks the scope"
                } else {
                    ""
                };
                write!(
                    f,
                    "Jira denied access (403 Forbidden) to {method} {path} on {site}: the account \
                     lacks a permission this needs{scope} (ask a Jira administrator){said}"
                )
            }
            404 => write!(
                f,
                "Jira found nothing (404 Not Found) at {method} {path} on {site}: it does not \
                 exist or the account is not allowed to see it{said}"
            ),
            410 => write!(
                f,
                "this Jira API has been removed (410 Gone): {method} {path} on {site}; jiraql \
                 needs an update that uses its replacement{said}"
            ),
            429 => {
                let why = self.reason_suffix();
                if self.wait_too_long {
                    write!(
                        f,
                        "Jira rate-limited {method} {path} on {site} (429 Too Many \
                         Requests{why}) and {}: retry later, lower the parallelism, or raise \
                         MaxRetryDelayMs",
                        self.requested_wait()
                    )
                } else if *retries == 0 {
                    write!(
                        f,
                        "Jira rate-limited {method} {path} on {site} (429 Too Many \
                         Requests{why}) and retrying is off (MaxRetries=0): lower the \
                         parallelism or retry later"
                    )
                } else {
                    write!(
                        f,
                        "Jira kept rate-limiting {method} {path} on {site} (429 Too Many \
                         Requests{why}) through {}: lower the parallelism or retry later",
                        count(*retries, "retry", "retries")
                    )
                }
            }
            502..=504 => {
                let tried = if self.wait_too_long {
                    format!("and {}", self.requested_wait())
                } else {
                    format!("retried {}", count(*retries, "time", "times"))
                };
                write!(
                    f,
                    "Jira is failing ({status} {reason}) for {method} {path} on {site}, {tried}; \
                     retry later or check https://status.atlassian.com{said}"
                )
            }
            500..=599 => write!(
                f,
                "Jira is failing ({status} {reason}) for {method} {path} on {site}; retry later \
                 or check https://status.atlassian.com{said}"
            ),
            300..=399 => {
                let target = self
                    .redirect_to
                    .as_deref()
                    .map(|t| format!(" to {t}"))
                    .unwrap_or_default();
                write!(
                    f,
                    "Jira redirected {method} {path} on {site} ({status} {reason}){target}: \
                     check URL (jiraql follows redirects only within the same site){said}"
                )
            }
            _ => write!(
                f,
                "Jira answered {status} {reason} for {method} {path} on {site}{said}"
            ),
        }
    }
}

/// Why a Jira request failed.
#[derive(Debug, thiserror::Error)]
pub enum JiraError {
    /// The connection settings are incomplete (no token, no CloudId, ...).
    #[error(transparent)]
    Connection(#[from] ConnectionError),
    /// Jira answered with an error status (after any retries).
    #[error("{0}")]
    Http(Box<HttpFailure>),
    /// The request did not get an answer: connection refused or reset, DNS, TLS, ...
    #[error(
        "could not reach Jira at {} for {} {}{}: {detail}; check URL, the network connection and \
         any proxy",
        .endpoint.site, .endpoint.method, .endpoint.path, after_retries(*.retries)
    )]
    Transport {
        /// The request.
        endpoint: Endpoint,
        /// Retries made before giving up.
        retries: u32,
        /// The underlying error chain, one line.
        detail: String,
    },
    /// No answer within `Timeout`.
    #[error(
        "Jira at {} did not answer {} {} {}{}; retry later or raise Timeout= in the connection \
         string (seconds, 0 = no limit)",
        .endpoint.site, .endpoint.method, .endpoint.path,
        .timeout.map(|t| format!("within {}", human_duration(t))).unwrap_or_else(|| "in time".into()),
        after_retries(*.retries)
    )]
    Timeout {
        /// The request.
        endpoint: Endpoint,
        /// Retries made before giving up.
        retries: u32,
        /// The configured timeout, if any (a connect timeout applies even without one).
        timeout: Option<Duration>,
    },
    /// A success status whose body is not JSON: usually a proxy, an SSO login page or an outage.
    #[error(
        "Jira's answer to {} {} on {} is not JSON (HTTP {status}{}): \"{snippet}\"; a proxy, a \
         login page or an outage is likely in between; check URL and retry later",
        .endpoint.method, .endpoint.path, .endpoint.site,
        .content_type.as_deref().map(|c| format!(", {c}")).unwrap_or_default()
    )]
    InvalidJson {
        /// The request.
        endpoint: Endpoint,
        /// The HTTP status.
        status: u16,
        /// The `Content-Type` header, if any.
        content_type: Option<String>,
        /// The first ~200 characters of the body, on one line.
        snippet: String,
    },
    /// A path or link that cannot be turned into a request.
    #[error("invalid Jira API path `{path}`: {reason}")]
    InvalidPath {
        /// The path or link as given (segments joined with `/`).
        path: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// Jira answered, but the answer breaks the API's contract (say, the same page token twice).
    /// Raised by callers that page through results; the text is a whole sentence.
    #[error("{0}")]
    Protocol(String),
    /// The HTTP client could not be built (TLS setup and the like).
    #[error("could not set up the HTTP client: {0}")]
    Setup(String),
}

impl JiraError {
    /// The HTTP status Jira answered with, for [`JiraError::Http`].
    pub fn status(&self) -> Option<u16> {
        match self {
            JiraError::Http(failure) => Some(failure.status),
            _ => None,
        }
    }

    /// Jira's own messages from the error body, for [`JiraError::Http`]; empty otherwise.
    pub fn jira_messages(&self) -> &[String] {
        match self {
            JiraError::Http(failure) => &failure.messages,
            _ => &[],
        }
    }

    /// Whether a write that ended in this error may still have been made: its answer was lost
    /// (no answer, a timeout, a body cut short) or Jira failed on its side (5xx). Before such a
    /// write is sent again, look whether it happened.
    pub fn outcome_unknown(&self) -> bool {
        match self {
            JiraError::Transport { .. } | JiraError::Timeout { .. } => true,
            JiraError::InvalidJson { .. } => true,
            JiraError::Http(failure) => failure.status >= 500,
            _ => false,
        }
    }
}

/// Whether a request may be sent again after a fault.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Resend {
    /// Reads, and writes that cannot happen twice (an edit to absolute values, a delete): 429,
    /// 502/503/504, lost connections and bodies cut short are retried.
    Always,
    /// Writes that could happen twice (a create, a transition): only a 429, which Jira sends
    /// before doing any work, is retried; anything else is returned for the caller to check.
    OnlyRefused,
    /// Like `OnlyRefused`, and a 400's body is the answer: a bulk create reports every row's
    /// refusal in it.
    OnlyRefusedKeep400,
}

/// A Jira client. Cheap to clone; clones share the connection pool and [`ClientStats`].
#[derive(Clone)]
pub struct JiraClient {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    settings: ConnectionSettings,
    /// The root REST paths are appended to: the site, or the OAuth gateway's `/ex/jira/{id}`.
    base: Url,
    /// Marked sensitive, so reqwest and `Debug` never print it.
    auth: HeaderValue,
    /// Strings that must never appear in an error: the token and its Basic encoding.
    secrets: Vec<SecretString>,
    flavor: ApiFlavor,
    site: String,
    stats: ClientStats,
}

impl fmt::Debug for JiraClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JiraClient")
            .field("base", &self.inner.base.as_str())
            .field("flavor", &self.inner.flavor)
            .field("settings", &self.inner.settings)
            .finish_non_exhaustive()
    }
}

impl JiraClient {
    /// Builds a client. The settings must already hold a token
    /// ([`ConnectionSettings::resolve_token`]).
    pub fn new(settings: ConnectionSettings) -> Result<Self, JiraError> {
        settings.check_credentials()?;
        let base = settings.api_base()?;
        let token = settings
            .token()
            .ok_or_else(|| ConnectionError::Missing("no token".into()))?
            .clone();
        let mut secrets = vec![token.clone()];
        let header = match settings.auth_scheme {
            AuthScheme::Basic => {
                let user = settings.user.as_deref().unwrap_or_default();
                let encoded = base64::engine::general_purpose::STANDARD
                    .encode(format!("{user}:{}", token.expose_secret()));
                let header = format!("Basic {encoded}");
                secrets.push(SecretString::from(encoded));
                header
            }
            AuthScheme::PersonalAccessToken | AuthScheme::OAuth => {
                format!("Bearer {}", token.expose_secret())
            }
        };
        let mut auth = HeaderValue::from_str(&header).map_err(|_| {
            // The token was checked when parsed; this is a user name that cannot go in a header.
            ConnectionError::InvalidValue {
                property: "User",
                value: None,
                reason: "it contains characters that cannot be sent in an HTTP header".into(),
            }
        })?;
        auth.set_sensitive(true);

        let mut builder = reqwest::Client::builder()
            .user_agent(concat!("jiraql/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(
                settings
                    .timeout
                    .map_or(CONNECT_TIMEOUT, |t| t.min(CONNECT_TIMEOUT)),
            )
            .redirect(reqwest::redirect::Policy::custom(|attempt| {
                // Follow only within one origin: reqwest would drop the auth header on a
                // cross-origin hop anyway, and the answer would then be misleading.
                let same = attempt
                    .previous()
                    .last()
                    .is_some_and(|prev| same_origin(prev, attempt.url()));
                if same && attempt.previous().len() <= MAX_REDIRECTS {
                    attempt.follow()
                } else {
                    attempt.stop()
                }
            }));
        if let Some(timeout) = settings.timeout {
            builder = builder.timeout(timeout);
        }
        let http = builder
            .build()
            .map_err(|e| JiraError::Setup(error_chain(&e)))?;
        let flavor = match settings.auth_scheme {
            AuthScheme::PersonalAccessToken => ApiFlavor::DataCenter,
            AuthScheme::Basic | AuthScheme::OAuth => ApiFlavor::Cloud,
        };
        let site = settings.site_label();
        Ok(JiraClient {
            inner: Arc::new(Inner {
                http,
                settings,
                base,
                auth,
                secrets,
                flavor,
                site,
                stats: ClientStats::default(),
            }),
        })
    }

    /// The settings this client was built from.
    pub fn settings(&self) -> &ConnectionSettings {
        &self.inner.settings
    }

    /// Cloud for Basic and OAuth, Data Center for personal access tokens.
    pub fn flavor(&self) -> ApiFlavor {
        self.inner.flavor
    }

    /// The site for banners and messages, e.g. `acme.atlassian.net`.
    pub fn site_label(&self) -> String {
        self.inner.site.clone()
    }

    /// The shared request counters.
    pub fn stats(&self) -> ClientStats {
        self.inner.stats.clone()
    }

    /// `GET /rest/api/{3|2}/<path>?<query>`.
    pub async fn get_platform(
        &self,
        path: impl ApiPath,
        query: &[(&str, String)],
    ) -> Result<Value, JiraError> {
        let url = self.build_url(&self.platform_root(), &path, query)?;
        self.execute(Method::GET, url, None, None, Resend::Always)
            .await
    }

    /// A write to `/rest/api/{3|2}/<path>?<query>`, resent only as `resend` allows; the
    /// answer's JSON (null for a 204).
    pub(crate) async fn write_platform(
        &self,
        method: Method,
        path: impl ApiPath,
        query: &[(&str, String)],
        body: Option<&Value>,
        resend: Resend,
    ) -> Result<Value, JiraError> {
        let url = self.build_url(&self.platform_root(), &path, query)?;
        self.execute(method, url, body, None, resend).await
    }

    /// `POST /rest/api/{3|2}/<path>?<query>` with a JSON body, for reads, so it is retried
    /// like a GET.
    pub async fn post_platform(
        &self,
        path: impl ApiPath,
        query: &[(&str, String)],
        body: &Value,
    ) -> Result<Value, JiraError> {
        let url = self.build_url(&self.platform_root(), &path, query)?;
        self.execute(Method::POST, url, Some(body), None, Resend::Always)
            .await
    }

    /// Like [`Self::post_platform`], parsing only the paths `keep` names (see
    /// [`crate::jira::prune`]): a large page costs less than half the parsing.
    pub async fn post_platform_kept(
        &self,
        path: impl ApiPath,
        query: &[(&str, String)],
        body: &Value,
        keep: &Keep,
    ) -> Result<Value, JiraError> {
        let url = self.build_url(&self.platform_root(), &path, query)?;
        self.execute(Method::POST, url, Some(body), Some(keep), Resend::Always)
            .await
    }

    /// `GET /rest/agile/1.0/<path>?<query>`.
    pub async fn get_agile(
        &self,
        path: impl ApiPath,
        query: &[(&str, String)],
    ) -> Result<Value, JiraError> {
        let url = self.build_url(&["rest", "agile", "1.0"], &path, query)?;
        self.execute(Method::GET, url, None, None, Resend::Always)
            .await
    }

    fn platform_root(&self) -> [&'static str; 3] {
        ["rest", "api", self.inner.flavor.platform_version()]
    }

    fn build_url(
        &self,
        root: &[&str],
        path: &dyn ApiPath,
        query: &[(&str, String)],
    ) -> Result<Url, JiraError> {
        let invalid = |segments: &[&str], reason| JiraError::InvalidPath {
            path: one_line(&segments.join("/"), SNIPPET_CHARS),
            reason,
        };
        let segments = path.segments().map_err(|reason| invalid(&[], reason))?;
        if segments.is_empty() {
            return Err(invalid(&segments, "the path is empty"));
        }
        // `url` drops "." and ".." segments rather than encoding them, which would silently
        // change the path; an empty segment would make "//".
        if segments
            .iter()
            .any(|s| s.is_empty() || *s == "." || *s == "..")
        {
            return Err(invalid(
                &segments,
                "a path segment is empty, \".\" or \"..\"",
            ));
        }
        let mut url = self.inner.base.clone();
        url.path_segments_mut()
            .map_err(|()| invalid(&segments, "the base URL cannot take a path"))?
            .pop_if_empty()
            .extend(root)
            .extend(&segments);
        if !query.is_empty() {
            let mut pairs = url.query_pairs_mut();
            for (name, value) in query {
                pairs.append_pair(name, value);
            }
        }
        Ok(url)
    }

    /// Sends one logical request, retrying as the policy and `resend` allow.
    async fn execute(
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

/// Jira's messages from an error body: `errorMessages`, then `errors` as `field: message`, then
/// the `message` / `errorMessage` used by gateways and some endpoints. A body that is not JSON
/// (401s often are not) yields its text, or an HTML page's title.
fn parse_error_body(bytes: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(bytes);
    let text = text.trim();
    if text.is_empty() {
        return Vec::new();
    }
    let mut messages = Vec::new();
    let keep = |messages: &mut Vec<String>, m: &str| {
        let m = one_line(m, MESSAGE_CHARS);
        if !m.is_empty() && !messages.contains(&m) {
            messages.push(m);
        }
    };
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(body)) => {
            if let Some(list) = body.get("errorMessages").and_then(Value::as_array) {
                for m in list {
                    keep(&mut messages, &value_text(m));
                }
            }
            if let Some(errors) = body.get("errors").and_then(Value::as_object) {
                for (field, m) in errors {
                    keep(&mut messages, &format!("{field}: {}", value_text(m)));
                }
            }
            for key in ["errorMessage", "message"] {
                if let Some(m) = body.get(key).and_then(Value::as_str) {
                    keep(&mut messages, m);
                }
            }
        }
        Ok(Value::String(s)) => keep(&mut messages, &s),
        Ok(_) => {}
        Err(_) => {
            if text.starts_with('<') {
                if let Some(title) = html_title(text) {
                    keep(&mut messages, &title);
                }
            } else {
                keep(&mut messages, text);
            }
        }
    }
    messages
}

fn value_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn html_title(html: &str) -> Option<String> {
    let lower = html.to_ascii_lowercase();
    let start = lower.find("<title")?;
    let open_end = start + lower[start..].find('>')? + 1;
    let close = open_end + lower[open_end..].find("</title")?;
    let title = html.get(open_end..close)?.trim();
    (!title.is_empty()).then(|| title.to_string())
}

fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str().map(str::to_ascii_lowercase) == b.host_str().map(str::to_ascii_lowercase)
        && a.port_or_known_default() == b.port_or_known_default()
}

fn count(n: u32, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn after_retries(retries: u32) -> String {
    if retries == 0 {
        String::new()
    } else {
        format!(" (after {})", count(retries, "retry", "retries"))
    }
}

fn human_duration(d: Duration) -> String {
    let secs = d.as_secs_f64();
    if secs < 10.0 {
        format!("{secs:.2} s")
    } else {
        format!("{secs:.0} s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    const SENTINEL: &str = "SENTINEL-t0ken-9f8e7d";

    #[test]
    fn error_bodies() {
        assert_eq!(
            parse_error_body(
                br#"{"errorMessages":["Only custom fields can be queried."],"errors":{}}"#
            ),
            vec!["Only custom fields can be queried."]
        );
        assert_eq!(
            parse_error_body(
                br#"{"errorMessages":[],"errors":{"comment":"Comment body is not valid!"}}"#
            ),
            vec!["comment: Comment body is not valid!"]
        );
        assert_eq!(
            parse_error_body(
                br#"{"errorMessages":["The value 'Lorem ipsum' does not exist for the field 'component'."],"warningMessages":[]}"#
            ),
            vec!["The value 'Lorem ipsum' does not exist for the field 'component'."]
        );
        assert_eq!(
            parse_error_body(br#"{"code":401,"message":"Unauthorized; scope does not match"}"#),
            vec!["Unauthorized; scope does not match"]
        );
        assert_eq!(
            parse_error_body(b"Client must be authenticated\nto access this resource.\n"),
            vec!["Client must be authenticated to access this resource."]
        );
        assert_eq!(
            parse_error_body(
                b"<html><head><TITLE>Unauthorized (401)</TITLE></head><body>x</body></html>"
            ),
            vec!["Unauthorized (401)"]
        );
        assert!(parse_error_body(b"<html><body>no title</body></html>").is_empty());
        assert!(parse_error_body(b"").is_empty());
        assert!(parse_error_body(b"[1,2]").is_empty());
        let long = "x".repeat(2000);
        let parsed = parse_error_body(long.as_bytes());
        assert!(parsed[0].len() < 600);
    }

    fn failure(status: u16, messages: &[&str]) -> HttpFailure {
        HttpFailure {
            status,
            method: "GET",
            path: "/rest/api/3/issue/DEMO-1".into(),
            site: "acme.atlassian.net".into(),
            auth_scheme: AuthScheme::Basic,
            messages: messages.iter().map(|m| m.to_string()).collect(),
            retries: 2,
            retry_after: None,
            wait_too_long: false,
            rate_limit_reason: None,
            redirect_to: None,
        }
    }

    #[test]
    fn display_texts() {
        let text = |f: HttpFailure| JiraError::Http(Box::new(f)).to_string();
        assert_eq!(
            text(failure(401, &[])),
            "Jira rejected the credentials (401 Unauthorized) for acme.atlassian.net: check User \
             and APIToken (Cloud uses your Atlassian e-mail and an API token from \
             id.atlassian.com)"
        );
        assert_eq!(
            text(failure(400, &["Field 'x' does not exist.", "jql: bad"])),
            "Jira refused GET /rest/api/3/issue/DEMO-1 on acme.atlassian.net (400 Bad Request): \
             Field 'x' does not exist.; jql: bad"
        );
        assert!(text(failure(403, &[])).contains("403 Forbidden"));
        assert_eq!(
            text(failure(404, &["Issue does not exist."])),
            "Jira found nothing (404 Not Found) at GET /rest/api/3/issue/DEMO-1 on \
             acme.atlassian.net: it does not exist or the account is not allowed to see it (Jira \
             said: Issue does not exist.)"
        );
        assert_eq!(
            text(failure(410, &["Use search/jql"])),
            "this Jira API has been removed (410 Gone): GET /rest/api/3/issue/DEMO-1 on \
             acme.atlassian.net; jiraql needs an update that uses its replacement (Jira said: Use \
             search/jql)"
        );
        let mut limited = failure(429, &[]);
        limited.rate_limit_reason = Some("jira-burst-based".into());
        let t = text(limited.clone());
        assert!(
            t.starts_with("Jira kept rate-limiting GET")
                && t.contains("through 2 retries")
                && t.contains("jira-burst-based")
                && t.contains("lower the parallelism"),
            "{t}"
        );
        limited.wait_too_long = true;
        limited.retry_after = Some(Duration::from_secs(3600));
        assert!(text(limited).contains("asked to wait 3600 s"));
        let t = text(failure(503, &[]));
        assert!(
            t.contains("Jira is failing (503 Service Unavailable)")
                && t.contains("retried 2 times"),
            "{t}"
        );
        let mut moved = failure(302, &[]);
        moved.redirect_to = Some("https://login.corp".into());
        assert_eq!(
            text(moved),
            "Jira redirected GET /rest/api/3/issue/DEMO-1 on acme.atlassian.net (302 Found) to \
             https://login.corp: check URL (jiraql follows redirects only within the same site)"
        );
        let t = text(failure(500, &["boom"]));
        assert!(
            t.contains("500 Internal Server Error") && t.contains("boom"),
            "{t}"
        );
        let mut pat = failure(401, &["Token expired"]);
        pat.auth_scheme = AuthScheme::PersonalAccessToken;
        assert!(text(pat).contains("personal access token"));
        for status in [400, 401, 403, 404, 410, 429, 500, 503, 301, 409] {
            assert!(!text(failure(status, &["a"])).contains('\n'));
        }
    }

    // ---- HTTP behaviour against a tiny local server ----

    #[derive(Clone, Debug)]
    struct Seen {
        method: String,
        path: String,
        query: Option<String>,
        auth: Option<String>,
        body: String,
    }

    type Script = Arc<dyn Fn(usize, &Seen) -> axum::response::Response + Send + Sync>;

    struct TestServer {
        addr: std::net::SocketAddr,
        seen: Arc<Mutex<Vec<Seen>>>,
    }

    impl TestServer {
        async fn start(
            script: impl Fn(usize, &Seen) -> axum::response::Response + Send + Sync + 'static,
        ) -> TestServer {
            let script: Script = Arc::new(script);
            let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
            let log = seen.clone();
            let app = axum::Router::new().fallback(move |req: axum::extract::Request| {
                let script = script.clone();
                let log = log.clone();
                async move {
                    let (parts, body) = req.into_parts();
                    let body = axum::body::to_bytes(body, usize::MAX)
                        .await
                        .unwrap_or_default();
                    let seen = Seen {
                        method: parts.method.to_string(),
                        path: parts.uri.path().to_string(),
                        query: parts.uri.query().map(str::to_string),
                        auth: parts
                            .headers
                            .get("authorization")
                            .and_then(|v| v.to_str().ok())
                            .map(str::to_string),
                        body: String::from_utf8_lossy(&body).into_owned(),
                    };
                    let n = {
                        let mut log = log.lock().unwrap_or_else(|e| e.into_inner());
                        log.push(seen.clone());
                        log.len() - 1
                    };
                    script(n, &seen)
                }
            });
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .unwrap_or_else(|e| panic!("bind: {e}"));
            let addr = listener.local_addr().unwrap_or_else(|e| panic!("{e}"));
            tokio::spawn(async move {
                let _ = axum::serve(listener, app).await;
            });
            TestServer { addr, seen }
        }

        fn seen(&self) -> Vec<Seen> {
            self.seen.lock().unwrap_or_else(|e| e.into_inner()).clone()
        }

        fn client(&self, extra: &str) -> JiraClient {
            let s = format!(
                "URL=http://{};User=me@example.com;APIToken={SENTINEL};MaxRetries=2;\
                 RetryBaseDelayMs=1;MaxRetryDelayMs=500;{extra}",
                self.addr
            );
            let settings = ConnectionSettings::parse(&s).unwrap_or_else(|e| panic!("{e}"));
            JiraClient::new(settings).unwrap_or_else(|e| panic!("{e}"))
        }
    }

    fn reply(status: u16, headers: &[(&str, &str)], body: &str) -> axum::response::Response {
        let mut builder = axum::response::Response::builder().status(status);
        for (k, v) in headers {
            builder = builder.header(*k, *v);
        }
        builder
            .body(axum::body::Body::from(body.to_string()))
            .unwrap_or_else(|e| panic!("{e}"))
    }

    fn json(status: u16, body: &str) -> axum::response::Response {
        reply(status, &[("content-type", "application/json")], body)
    }

    fn assert_no_secret(err: &JiraError) {
        let basic =
            base64::engine::general_purpose::STANDARD.encode(format!("me@example.com:{SENTINEL}"));
        for text in [err.to_string(), format!("{err:?}")] {
            assert!(!text.contains(SENTINEL), "{text}");
            assert!(!text.contains(&basic), "{text}");
        }
    }

    #[tokio::test]
    async fn rate_limit_is_retried_after_fractional_retry_after() {
        let server = TestServer::start(|n, _| {
            if n == 0 {
                reply(429, &[("retry-after", "0.05")], "")
            } else {
                json(200, r#"{"ok":true}"#)
            }
        })
        .await;
        let client = server.client("");
        let started = Instant::now();
        let value = client
            .get_platform("myself", &[])
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(value["ok"], true);
        assert!(started.elapsed() >= Duration::from_millis(50));
        let stats = client.stats();
        assert_eq!(
            (stats.requests(), stats.retries(), stats.rate_limit_waits()),
            (2, 1, 1)
        );
        assert!(stats.waited() >= Duration::from_millis(50));
        assert_eq!(stats.bytes(), r#"{"ok":true}"#.len() as u64);
        let seen = server.seen();
        assert_eq!(seen[1].path, "/rest/api/3/myself");
        let basic =
            base64::engine::general_purpose::STANDARD.encode(format!("me@example.com:{SENTINEL}"));
        assert_eq!(
            seen[1].auth.as_deref(),
            Some(format!("Basic {basic}").as_str())
        );
        stats.reset();
        assert_eq!(
            (stats.requests(), stats.bytes(), stats.waited()),
            (0, 0, Duration::ZERO)
        );
    }

    #[tokio::test]
    async fn server_errors_exhaust_retries() {
        let server = TestServer::start(|_, _| reply(503, &[], "upstream down")).await;
        let client = server.client("");
        let body = serde_json::json!({"jql": "project = DEMO"});
        let err = client
            .post_platform("search/jql", &[("fields", "key".into())], &body)
            .await
            .err()
            .unwrap_or_else(|| panic!("expected an error"));
        assert_eq!(err.status(), Some(503));
        let text = err.to_string();
        assert!(
            text.contains("retried 2 times") && text.contains("upstream down"),
            "{text}"
        );
        assert!(
            text.contains("POST /rest/api/3/search/jql") && !text.contains("fields="),
            "{text}"
        );
        let seen = server.seen();
        assert_eq!(seen.len(), 3);
        assert!(
            seen.iter()
                .all(|s| s.method == "POST" && s.body.contains("project = DEMO"))
        );
        assert_eq!(client.stats().rate_limit_waits(), 0);
        assert_no_secret(&err);
    }

    #[tokio::test]
    async fn long_retry_after_fails_fast() {
        let server = TestServer::start(|_, _| {
            reply(
                429,
                &[
                    ("retry-after", "3600"),
                    ("ratelimit-reason", "jira-quota-tenant-based"),
                ],
                "",
            )
        })
        .await;
        let err = server
            .client("")
            .get_platform("myself", &[])
            .await
            .err()
            .unwrap_or_else(|| panic!("expected an error"));
        let text = err.to_string();
        assert!(
            text.contains("asked to wait 3600 s") && text.contains("jira-quota-tenant-based"),
            "{text}"
        );
        assert_eq!(server.seen().len(), 1);
    }

    #[tokio::test]
    async fn unauthorized_and_bad_request_texts() {
        let server = TestServer::start(|_, seen| {
            if seen.path.ends_with("/myself") {
                reply(401, &[("content-type", "text/plain")], "Client must be authenticated")
            } else {
                // A server that echoes the auth header must not leak it through the error.
                let echoed = seen.auth.clone().unwrap_or_default();
                json(
                    400,
                    &serde_json::json!({"errorMessages": [format!("bad jql; you sent {echoed}")], "errors": {"jql": "unbounded"}})
                        .to_string(),
                )
            }
        })
        .await;
        let client = server.client("");
        let err = client
            .get_platform("myself", &[])
            .await
            .err()
            .unwrap_or_else(|| panic!("401"));
        assert_eq!(err.status(), Some(401));
        assert_eq!(
            err.to_string(),
            format!(
                "Jira rejected the credentials (401 Unauthorized) for {}: check User and APIToken \
                 (Cloud uses your Atlassian e-mail and an API token from id.atlassian.com) (Jira \
                 said: Client must be authenticated)",
                server.addr
            )
        );
        assert_no_secret(&err);
        let err = client
            .get_platform("search/jql", &[("jql", "x".into())])
            .await
            .err()
            .unwrap_or_else(|| panic!("400"));
        assert_eq!(err.status(), Some(400));
        assert_eq!(err.jira_messages().len(), 2);
        assert!(
            err.jira_messages()[0].contains("you sent Basic ***"),
            "{:?}",
            err.jira_messages()
        );
        assert_eq!(err.jira_messages()[1], "jql: unbounded");
        assert_eq!(server.seen().len(), 2, "401 and 400 are not retried");
        assert_no_secret(&err);
    }

    #[tokio::test]
    async fn malformed_json_is_reported() {
        let server = TestServer::start(|_, _| {
            reply(
                200,
                &[("content-type", "text/html")],
                "<html><body>Please log in to the corporate proxy</body></html>",
            )
        })
        .await;
        let err = server
            .client("")
            .get_agile("board", &[("startAt", "0".into())])
            .await
            .err()
            .unwrap_or_else(|| panic!("expected an error"));
        let text = err.to_string();
        assert!(matches!(err, JiraError::InvalidJson { status: 200, .. }));
        assert!(
            text.contains("GET /rest/agile/1.0/board") && text.contains("not JSON"),
            "{text}"
        );
        assert!(
            text.contains("Please log in") && text.contains("proxy") && text.contains("text/html"),
            "{text}"
        );
        assert_no_secret(&err);
    }

    #[tokio::test]
    async fn redirects_are_followed_only_on_the_same_origin() {
        let server = TestServer::start(|_, seen| match seen.path.as_str() {
            "/rest/api/3/old" => reply(302, &[("location", "/rest/api/3/new")], ""),
            "/rest/api/3/away" => reply(302, &[("location", "https://login.example/sso?x=1")], ""),
            _ => json(200, &serde_json::json!({"auth": seen.auth}).to_string()),
        })
        .await;
        let client = server.client("");
        let v = client
            .get_platform("old", &[])
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(v["auth"].as_str().is_some_and(|a| a.starts_with("Basic ")));
        let err = client
            .get_platform("away", &[])
            .await
            .err()
            .unwrap_or_else(|| panic!("expected an error"));
        assert_eq!(err.status(), Some(302));
        let text = err.to_string();
        assert!(
            text.contains("to https://login.example:") && !text.contains("sso"),
            "{text}"
        );
        assert_eq!(server.seen().len(), 3);
    }

    #[tokio::test]
    async fn path_segments_are_encoded() {
        let server = TestServer::start(|_, seen| {
            json(
                200,
                &serde_json::json!({"path": seen.path, "query": seen.query}).to_string(),
            )
        })
        .await;
        let client = server.client("");
        let v = client
            .get_platform(
                &["issue", "A/B?x#y%z", "worklog"],
                &[("jql", "a = \"b&c\"".into())],
            )
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(v["path"], "/rest/api/3/issue/A%2FB%3Fx%23y%25z/worklog");
        assert_eq!(v["query"], "jql=a+%3D+%22b%26c%22");
        let v = client
            .get_platform(&format!("issue/{}/comment", "DEMO-1"), &[])
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(v["path"], "/rest/api/3/issue/DEMO-1/comment");
        for bad in [vec!["issue", ".."], vec!["issue", ""], vec!["."]] {
            let err = client.get_platform(&bad, &[]).await.err();
            assert!(
                matches!(err, Some(JiraError::InvalidPath { .. })),
                "{bad:?}"
            );
        }
        assert!(matches!(
            client.get_platform("", &[]).await,
            Err(JiraError::InvalidPath { .. })
        ));
    }

    #[tokio::test]
    async fn pat_and_oauth_use_bearer_and_their_roots() {
        let server = TestServer::start(|_, seen| {
            json(
                200,
                &serde_json::json!({"path": seen.path, "auth": seen.auth}).to_string(),
            )
        })
        .await;
        let pat = ConnectionSettings::parse(&format!(
            "URL=http://{}/jira/;AuthScheme=PAT;APIToken={SENTINEL}",
            server.addr
        ))
        .unwrap_or_else(|e| panic!("{e}"));
        let pat = JiraClient::new(pat).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(pat.flavor(), ApiFlavor::DataCenter);
        assert_eq!(pat.site_label(), format!("{}/jira", server.addr));
        let v = pat
            .get_platform("search", &[])
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(v["path"], "/jira/rest/api/2/search");
        assert_eq!(v["auth"], format!("Bearer {SENTINEL}"));

        let oauth = ConnectionSettings::parse(&format!(
            "URL=https://acme.atlassian.net;AuthScheme=OAuth;CloudId=cloud-1;\
             OAuthAccessToken={SENTINEL};OAuthGatewayURL=http://{}",
            server.addr
        ))
        .unwrap_or_else(|e| panic!("{e}"));
        let oauth = JiraClient::new(oauth).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(oauth.flavor(), ApiFlavor::Cloud);
        assert_eq!(oauth.site_label(), "acme.atlassian.net");
        let v = oauth
            .get_agile("board/1/sprint", &[])
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(v["path"], "/ex/jira/cloud-1/rest/agile/1.0/board/1/sprint");
        assert_eq!(v["auth"], format!("Bearer {SENTINEL}"));
        assert!(!format!("{oauth:?}").contains(SENTINEL));
    }

    #[tokio::test]
    async fn timeouts_and_refused_connections() {
        let server = TestServer::start(|_, _| json(200, "{}")).await;
        // Slow server: answer after the client's timeout.
        let slow = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let slow_addr = slow.local_addr().unwrap_or_else(|e| panic!("{e}"));
        let slow_app = axum::Router::new().fallback(|| async {
            tokio::time::sleep(Duration::from_secs(5)).await;
            "{}"
        });
        tokio::spawn(async move {
            let _ = axum::serve(slow, slow_app).await;
        });
        let mut settings = ConnectionSettings::parse(&format!(
            "URL=http://{slow_addr};User=me@example.com;APIToken={SENTINEL};MaxRetries=1;\
             RetryBaseDelayMs=1"
        ))
        .unwrap_or_else(|e| panic!("{e}"));
        settings.timeout = Some(Duration::from_millis(100));
        let client = JiraClient::new(settings).unwrap_or_else(|e| panic!("{e}"));
        let err = client
            .get_platform("myself", &[])
            .await
            .err()
            .unwrap_or_else(|| panic!("timeout"));
        assert!(
            matches!(err, JiraError::Timeout { retries: 1, .. }),
            "{err:?}"
        );
        assert!(
            err.to_string()
                .contains("did not answer GET /rest/api/3/myself"),
            "{err}"
        );
        assert_eq!(client.stats().requests(), 2);
        assert_no_secret(&err);

        // Refused: a port nobody listens on.
        let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
        let closed_addr = closed.local_addr().unwrap_or_else(|e| panic!("{e}"));
        drop(closed);
        let settings = ConnectionSettings::parse(&format!(
            "URL=http://{closed_addr};User=me@example.com;APIToken={SENTINEL};MaxRetries=1;\
             RetryBaseDelayMs=1"
        ))
        .unwrap_or_else(|e| panic!("{e}"));
        let client = JiraClient::new(settings).unwrap_or_else(|e| panic!("{e}"));
        let err = client
            .get_platform("search/jql", &[("jql", "secret project".into())])
            .await
            .err()
            .unwrap_or_else(|| panic!("refused"));
        let text = err.to_string();
        assert!(
            matches!(err, JiraError::Transport { retries: 1, .. }),
            "{err:?}"
        );
        assert!(
            text.contains("could not reach Jira") && text.contains("after 1 retry"),
            "{text}"
        );
        assert!(
            !text.contains("secret+project") && !text.contains("jql="),
            "{text}"
        );
        assert_no_secret(&err);
        drop(server);
    }

    #[test]
    fn client_and_futures_are_send() {
        fn assert_send<T: Send>(_: &T) {}
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<JiraClient>();
        assert_send_sync::<JiraError>();
        let settings = ConnectionSettings::parse(&format!(
            "URL=https://acme.atlassian.net;User=me@x;APIToken={SENTINEL}"
        ))
        .unwrap_or_else(|e| panic!("{e}"));
        let client = JiraClient::new(settings).unwrap_or_else(|e| panic!("{e}"));
        let key = String::from("DEMO-1");
        let body = Value::Null;
        // Futures are only built, never polled: no runtime or network needed.
        assert_send(&client.get_platform(&["issue", key.as_str()], &[]));
        assert_send(&client.get_platform(&format!("issue/{key}"), &[]));
        assert_send(&client.post_platform("search/jql", &[], &body));
        assert_send(&client.get_agile("board", &[]));
        assert!(!format!("{client:?}").contains(SENTINEL));
    }

    #[test]
    fn new_requires_credentials() {
        let settings = ConnectionSettings::parse("URL=https://acme.atlassian.net;User=me@x")
            .unwrap_or_else(|e| panic!("{e}"));
        let err = JiraClient::new(settings)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("JIRA_API_TOKEN"), "{err}");
    }
}
