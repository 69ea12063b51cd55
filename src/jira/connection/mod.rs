//! The connection string: where Jira is, how to authenticate, and how patient to be.
//!
//! The format follows the CData / Layer2 drivers users already know:
//!
//! ```text
//! URL=https://yourjira.atlassian.net;User=someone@example.com;APIToken=...;AuthScheme=Basic;
//! Timeout=60;Other='BatchSize=1;MaxRetries=3'
//! ```
//!
//! * Property names are case-insensitive and `;`-separated; empty segments are ignored and
//!   whitespace around names and values is trimmed. An empty value means "not given".
//! * A value may be quoted with `'` or `"`; a quoted value may contain `;` and `=`, and a doubled
//!   quote inside it is one literal quote. An unquoted value runs to the next `;` and may contain
//!   `=` (API tokens often do).
//! * `Other` holds a nested list of the same syntax. Known properties inside it (such as
//!   `MaxRetries`) are applied as if given at the top level; the rest is kept in
//!   [`ConnectionSettings::other`] for whoever needs it.
//!
//! [`ConnectionSettings::parse`] is pure. Tokens missing from the string are looked up afterwards
//! by [`ConnectionSettings::resolve_token`] (environment, then an optional prompt), so the
//! parsing rules can be tested without touching the process environment.
//!
//! Secrets (API token, personal access token, OAuth access token) live in [`SecretString`] and
//! are never printed: not by `Debug`, not by [`ConnectionSettings::redacted`], not in any
//! [`ConnectionError`].

use std::collections::BTreeMap;
use std::fmt;
use std::io::IsTerminal;
use std::str::FromStr;
use std::time::Duration;

use secrecy::SecretString;
use url::Url;

pub use crate::http::connection_string::{ConnectionError, TokenPrompt};
use crate::http::connection_string::{echo, is_loopback, shown_name, split_pairs};

mod props;

use props::{Prop, RawSettings, checked_token, quote_value, redact_other, unknown_property};

/// Environment variable consulted for the API token (Basic) or personal access token (PAT).
pub const ENV_API_TOKEN: &str = "JIRA_API_TOKEN";
/// Environment variable consulted for the OAuth 2.0 access token.
pub const ENV_OAUTH_TOKEN: &str = "JIRA_OAUTH_TOKEN";
/// Where OAuth 2.0 (3LO) requests go unless `OAuthGatewayURL` says otherwise: Atlassian routes
/// OAuth traffic through `https://api.atlassian.com/ex/jira/{cloudId}`, not the site itself.
pub const DEFAULT_OAUTH_GATEWAY: &str = "https://api.atlassian.com";
/// Default for `Timeout`.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
/// Requests one scan keeps in flight at most (`MaxConcurrency`). Eight pages at once is what a
/// 20 000-issue scan needs to finish six times sooner than page after page, and stays well
/// inside what Jira Cloud's rate limiter accepts from one user; a 429 halves it anyway.
pub const DEFAULT_MAX_CONCURRENCY: usize = 8;

/// How requests are authenticated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AuthScheme {
    /// Jira Cloud: Atlassian account e-mail (`User`) and an API token, sent as HTTP Basic.
    Basic,
    /// Jira Data Center: a personal access token, sent as `Bearer`.
    PersonalAccessToken,
    /// Jira Cloud OAuth 2.0 (3LO): an access token sent as `Bearer` to the Atlassian gateway.
    OAuth,
}

impl AuthScheme {
    /// The name used in connection strings.
    pub fn as_str(self) -> &'static str {
        match self {
            AuthScheme::Basic => "Basic",
            AuthScheme::PersonalAccessToken => "PAT",
            AuthScheme::OAuth => "OAuth",
        }
    }

    /// The connection property that carries this scheme's secret.
    fn token_property(self) -> &'static str {
        match self {
            AuthScheme::OAuth => "OAuthAccessToken",
            _ => "APIToken",
        }
    }
}

impl fmt::Display for AuthScheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for AuthScheme {
    type Err = ConnectionError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        let is = |name: &str| s.eq_ignore_ascii_case(name);
        if is("Basic") {
            Ok(AuthScheme::Basic)
        } else if is("PAT") || is("PersonalAccessToken") || is("Bearer") {
            Ok(AuthScheme::PersonalAccessToken)
        } else if is("OAuth") || is("OAuth2") {
            Ok(AuthScheme::OAuth)
        } else {
            Err(ConnectionError::InvalidValue {
                property: "AuthScheme",
                value: Some(echo(s)),
                reason: "expected Basic (Cloud e-mail + API token), PAT (Data Center personal \
                         access token) or OAuth (Cloud OAuth 2.0 access token)"
                    .into(),
            })
        }
    }
}

pub use crate::http::retry::RetryPolicy;

/// A parsed connection string.
///
/// Build it with [`ConnectionSettings::parse`] (or `str::parse`), then call
/// [`ConnectionSettings::resolve_token`] to fill in a token from the environment or a prompt.
#[derive(Clone)]
pub struct ConnectionSettings {
    /// The Jira site (`URL`), without a trailing slash. A Data Center context path such as
    /// `https://jira.corp/jira` is kept.
    pub url: Url,
    /// `User`: the Atlassian account e-mail for Basic.
    pub user: Option<String>,
    /// `AuthScheme`, default Basic.
    pub auth_scheme: AuthScheme,
    /// `CloudId`, used by OAuth only.
    pub cloud_id: Option<String>,
    /// `OAuthGatewayURL`: replaces `https://api.atlassian.com` for OAuth; requests then go to
    /// `{OAuthGatewayURL}/ex/jira/{CloudId}/rest/api/3/...`. Tests point it at a loopback
    /// emulator.
    pub oauth_gateway: Option<Url>,
    /// `Timeout` for one whole request; `None` when `Timeout=0`.
    pub timeout: Option<Duration>,
    /// `MaxRetries`, `RetryBaseDelayMs`, `MaxRetryDelayMs`.
    pub retry: RetryPolicy,
    /// `MaxConcurrency`: the ceiling on requests one scan keeps in flight (at least 1).
    pub max_concurrency: usize,
    /// The pairs inside `Other` that are not known properties, with names as written. Look them
    /// up with [`ConnectionSettings::other`], which ignores case.
    pub other: BTreeMap<String, String>,
    /// APIToken / PAT / OAuthAccessToken, whichever the scheme uses.
    token: Option<SecretString>,
}

impl ConnectionSettings {
    /// Parses a connection string. Pure: reads no environment and prompts for nothing.
    pub fn parse(s: &str) -> Result<ConnectionSettings, ConnectionError> {
        let mut raw = RawSettings::default();
        for (name, value) in split_pairs(s, "the connection string")? {
            let Some(prop) = Prop::lookup(&name) else {
                return Err(unknown_property(&name));
            };
            if prop == Prop::Other {
                raw.set(Prop::Other, value.clone(), false)?;
                for (inner_name, inner_value) in split_pairs(&value, "Other")? {
                    match Prop::lookup(&inner_name) {
                        Some(Prop::Other) => {
                            return Err(ConnectionError::Syntax(
                                "Other cannot contain another Other".into(),
                            ));
                        }
                        Some(known) => raw.set(known, inner_value, true)?,
                        None => {
                            if raw
                                .other
                                .keys()
                                .any(|k| k.eq_ignore_ascii_case(&inner_name))
                            {
                                return Err(ConnectionError::Duplicate {
                                    property: format!("Other.{}", shown_name(&inner_name)),
                                    in_other: true,
                                });
                            }
                            raw.other.insert(inner_name, inner_value);
                        }
                    }
                }
            } else {
                raw.set(prop, value, false)?;
            }
        }
        raw.finish()
    }

    /// Fills in the token when the connection string has none, and checks that the scheme has
    /// everything it needs.
    ///
    /// Sources, in order: the connection string, the environment (`JIRA_API_TOKEN`, or
    /// `JIRA_OAUTH_TOKEN` for OAuth) read through `env`, then `prompt` if given. The caller
    /// decides whether prompting is allowed (only when stdin is a terminal); see
    /// [`ConnectionSettings::resolve_token_interactive`] for the usual choice.
    pub fn resolve_token(
        &mut self,
        env: impl Fn(&str) -> Option<String>,
        prompt: Option<TokenPrompt<'_>>,
    ) -> Result<(), ConnectionError> {
        let site = self.site_label();
        let (env_var, prompt_text, missing) = match self.auth_scheme {
            AuthScheme::Basic => {
                let Some(user) = self.user.as_deref() else {
                    return Err(ConnectionError::Missing(
                        "AuthScheme=Basic needs User=<your Atlassian account e-mail> in the \
                         connection string"
                            .into(),
                    ));
                };
                (
                    ENV_API_TOKEN,
                    format!("Jira API token for {user} at {site}: "),
                    format!(
                        "no API token for {user}: add APIToken=<token> to the connection string \
                         or set {ENV_API_TOKEN} (create a token at \
                         https://id.atlassian.com/manage-profile/security/api-tokens)"
                    ),
                )
            }
            AuthScheme::PersonalAccessToken => (
                ENV_API_TOKEN,
                format!("Jira personal access token for {site}: "),
                format!(
                    "AuthScheme=PAT needs a personal access token: add APIToken=<token> to the \
                     connection string or set {ENV_API_TOKEN} (create one in Jira under your \
                     profile, Personal Access Tokens)"
                ),
            ),
            AuthScheme::OAuth => {
                if self.cloud_id.is_none() {
                    return Err(ConnectionError::Missing(format!(
                        "AuthScheme=OAuth needs CloudId=<id>: find it at \
                         {}/_edge/tenant_info or with GET \
                         https://api.atlassian.com/oauth/token/accessible-resources",
                        self.url.as_str().trim_end_matches('/')
                    )));
                }
                (
                    ENV_OAUTH_TOKEN,
                    format!("Jira OAuth access token for {site}: "),
                    format!(
                        "AuthScheme=OAuth needs an access token: add OAuthAccessToken=<token> to \
                         the connection string or set {ENV_OAUTH_TOKEN}"
                    ),
                )
            }
        };
        if self.token.is_some() {
            return Ok(());
        }
        let property = self.auth_scheme.token_property();
        if let Some(value) = env(env_var).filter(|v| !v.trim().is_empty()) {
            self.token = Some(checked_token(property, value.trim())?);
            return Ok(());
        }
        if let Some(prompt) = prompt {
            let entered =
                prompt(&prompt_text).map_err(|e| ConnectionError::Prompt(e.to_string()))?;
            if !entered.trim().is_empty() {
                self.token = Some(checked_token(property, entered.trim())?);
                return Ok(());
            }
        }
        Err(ConnectionError::Missing(missing))
    }

    /// [`ConnectionSettings::resolve_token`] with the process environment and, when
    /// `allow_prompt` is set and stdin is a terminal, a masked terminal prompt.
    pub fn resolve_token_interactive(&mut self, allow_prompt: bool) -> Result<(), ConnectionError> {
        let env = |name: &str| std::env::var(name).ok();
        if allow_prompt && std::io::stdin().is_terminal() {
            self.resolve_token(env, Some(&terminal_prompt))
        } else {
            self.resolve_token(env, None)
        }
    }

    /// Checks that everything the scheme needs is present, without looking anywhere else.
    pub fn check_credentials(&self) -> Result<(), ConnectionError> {
        self.clone().resolve_token(|_| None, None)
    }

    /// The token for the auth scheme, if known yet.
    pub(crate) fn token(&self) -> Option<&SecretString> {
        self.token.as_ref()
    }

    /// Looks up a pair from `Other`, ignoring the case of `name`.
    pub fn other(&self, name: &str) -> Option<&str> {
        self.other
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The root that REST paths (`rest/api/3/...`) are appended to: the site itself, or for
    /// OAuth the gateway's `/ex/jira/{CloudId}`.
    pub fn api_base(&self) -> Result<Url, ConnectionError> {
        if self.auth_scheme != AuthScheme::OAuth {
            return Ok(self.url.clone());
        }
        let cloud_id = self.cloud_id.as_deref().ok_or_else(|| {
            ConnectionError::Missing("AuthScheme=OAuth needs CloudId=<id>".into())
        })?;
        let mut base = match &self.oauth_gateway {
            Some(gateway) => gateway.clone(),
            None => Url::parse(DEFAULT_OAUTH_GATEWAY).map_err(|e| {
                ConnectionError::Syntax(format!("built-in OAuth gateway address: {e}"))
            })?,
        };
        base.path_segments_mut()
            .map_err(|()| {
                ConnectionError::Syntax("OAuthGatewayURL cannot have paths appended".into())
            })?
            .pop_if_empty()
            .extend(["ex", "jira", cloud_id]);
        Ok(base)
    }

    /// A short name of the site for banners and error messages: host, a non-default port and
    /// any context path, e.g. `acme.atlassian.net` or `jira.corp/jira`.
    pub fn site_label(&self) -> String {
        let mut label = self.url.host_str().unwrap_or("?").to_string();
        if let Some(port) = self.url.port() {
            label.push_str(&format!(":{port}"));
        }
        if self.url.path() != "/" {
            label.push_str(self.url.path());
        }
        label
    }

    /// The effective settings as a connection string, with every secret replaced by `***`.
    pub fn redacted(&self) -> String {
        let mut parts = vec![format!("URL={}", quote_value(self.url.as_str()))];
        if let Some(user) = &self.user {
            parts.push(format!("User={}", quote_value(user)));
        }
        parts.push(format!("AuthScheme={}", self.auth_scheme));
        if self.token.is_some() {
            parts.push(format!("{}=***", self.auth_scheme.token_property()));
        }
        if let Some(cloud_id) = &self.cloud_id {
            parts.push(format!("CloudId={}", quote_value(cloud_id)));
        }
        if let Some(gateway) = &self.oauth_gateway {
            parts.push(format!("OAuthGatewayURL={}", quote_value(gateway.as_str())));
        }
        parts.push(format!(
            "Timeout={}",
            // Sub-second timeouts (tests only) round up, since 0 would mean "none".
            self.timeout
                .map_or(0, |t| t.as_secs() + u64::from(t.subsec_nanos() > 0))
        ));
        parts.push(format!("MaxRetries={}", self.retry.max_retries));
        parts.push(format!(
            "RetryBaseDelayMs={}",
            self.retry.base_delay.as_millis()
        ));
        parts.push(format!(
            "MaxRetryDelayMs={}",
            self.retry.max_delay.as_millis()
        ));
        parts.push(format!("MaxConcurrency={}", self.max_concurrency));
        if !self.other.is_empty() {
            let inner: Vec<String> = self
                .other
                .iter()
                .map(|(k, v)| format!("{k}={}", quote_value(&redact_other(k, v))))
                .collect();
            parts.push(format!("Other={}", quote_value(&inner.join(";"))));
        }
        parts.join(";")
    }
}

impl FromStr for ConnectionSettings {
    type Err = ConnectionError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ConnectionSettings::parse(s)
    }
}

impl fmt::Debug for ConnectionSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let other: BTreeMap<&str, String> = self
            .other
            .iter()
            .map(|(k, v)| (k.as_str(), redact_other(k, v)))
            .collect();
        f.debug_struct("ConnectionSettings")
            .field("url", &self.url.as_str())
            .field("user", &self.user)
            .field("auth_scheme", &self.auth_scheme)
            .field(
                self.auth_scheme.token_property(),
                &self.token.as_ref().map(|_| "***"),
            )
            .field("cloud_id", &self.cloud_id)
            .field(
                "oauth_gateway",
                &self.oauth_gateway.as_ref().map(Url::as_str),
            )
            .field("timeout", &self.timeout)
            .field("retry", &self.retry)
            .field("max_concurrency", &self.max_concurrency)
            .field("other", &other)
            .finish()
    }
}

/// Reads a token from the terminal without echoing it.
pub fn terminal_prompt(prompt: &str) -> std::io::Result<String> {
    rpassword::prompt_password(prompt)
}

#[cfg(test)]
mod tests;
