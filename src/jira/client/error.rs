//! What can go wrong talking to Jira ([`JiraError`]), each failure written for the person
//! running the query, and Jira's own messages read from its error bodies.

use std::fmt;
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::Value;

use crate::http::text::one_line;
use crate::jira::connection::{AuthScheme, ConnectionError};

/// How much of one server message an error keeps.
const MESSAGE_CHARS: usize = 500;

/// The request an error is about. `path` never includes the query string (JQL can be long and
/// may be private); `site` is the label of the configured site.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    /// `GET`, `POST`, `PUT` or `DELETE`.
    pub method: &'static str,
    /// The percent-encoded path, without query.
    pub path: String,
    /// [`super::JiraClient::site_label`].
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
    /// [`super::JiraClient::site_label`].
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

/// Jira's messages from an error body: `errorMessages`, then `errors` as `field: message`, then
/// the `message` / `errorMessage` used by gateways and some endpoints. A body that is not JSON
/// (401s often are not) yields its text, or an HTML page's title.
pub(super) fn parse_error_body(bytes: &[u8]) -> Vec<String> {
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
}
