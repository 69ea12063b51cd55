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
//! Reads (GETs, and the POSTs that only read: `search/jql`, `worklog/list`, `comment/list`)
//! and writes that cannot happen twice are retried on 429, 502, 503, 504 and on network errors
//! and timeouts; a write that could happen twice only on a 429 (`Resend`, in `send.rs`). The
//! delay follows Atlassian's advice: the larger of `Retry-After` and an exponential backoff with
//! jitter in [0.7, 1.3], capped at `MaxRetryDelayMs`. A `Retry-After` beyond that cap (an
//! exhausted hourly quota, say) fails at once with a message saying so instead of hanging
//! silently.
//!
//! Errors ([`JiraError`], in `error.rs`) are one line, written for the person running the query, and say what
//! to do. The token never appears in an error, a `Debug` print or a log line: the auth header is
//! marked sensitive, logs carry method, path and status only, and text from the server is
//! scrubbed of the token before it is kept.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use reqwest::Method;
use reqwest::header::HeaderValue;
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;
use url::Url;

use super::prune::Keep;
use super::tables::Api;
pub use crate::http::stats::ClientStats;
use crate::http::text::{error_chain, one_line};

use super::connection::{AuthScheme, ConnectionError, ConnectionSettings};

mod error;
mod send;

pub use error::{Endpoint, HttpFailure, JiraError};

/// Connecting may take at most this long even when `Timeout=0`, so a black-holed address fails
/// instead of hanging.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);
/// The Agile API's root.
const AGILE_ROOT: [&str; 3] = ["rest", "agile", "1.0"];
/// Same-origin redirects followed before giving up.
const MAX_REDIRECTS: usize = 5;
/// How much of a non-JSON body an error quotes.
const SNIPPET_CHARS: usize = 200;
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
        self.write_to(Api::Platform, method, path, query, body, resend)
            .await
    }

    /// [`Self::write_platform`] to the platform or the Agile API.
    pub(crate) async fn write_to(
        &self,
        api: Api,
        method: Method,
        path: impl ApiPath,
        query: &[(&str, String)],
        body: Option<&Value>,
        resend: Resend,
    ) -> Result<Value, JiraError> {
        let url = match api {
            Api::Platform => self.build_url(&self.platform_root(), &path, query)?,
            Api::Agile => self.build_url(&AGILE_ROOT, &path, query)?,
        };
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
        let url = self.build_url(&AGILE_ROOT, &path, query)?;
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
}

fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str().map(str::to_ascii_lowercase) == b.host_str().map(str::to_ascii_lowercase)
        && a.port_or_known_default() == b.port_or_known_default()
}

#[cfg(test)]
mod tests;
