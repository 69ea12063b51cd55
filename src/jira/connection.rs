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

/// The known properties. Aliases map onto one of these.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Prop {
    Url,
    User,
    ApiToken,
    AuthScheme,
    CloudId,
    OAuthAccessToken,
    OAuthGatewayUrl,
    Timeout,
    MaxRetries,
    RetryBaseDelayMs,
    MaxRetryDelayMs,
    MaxConcurrency,
    Other,
}

impl Prop {
    const ALL: [Prop; 13] = [
        Prop::Url,
        Prop::User,
        Prop::ApiToken,
        Prop::AuthScheme,
        Prop::CloudId,
        Prop::OAuthAccessToken,
        Prop::OAuthGatewayUrl,
        Prop::Timeout,
        Prop::MaxRetries,
        Prop::RetryBaseDelayMs,
        Prop::MaxRetryDelayMs,
        Prop::MaxConcurrency,
        Prop::Other,
    ];

    /// The canonical name first, then aliases.
    fn names(self) -> &'static [&'static str] {
        match self {
            Prop::Url => &["URL"],
            Prop::User => &["User"],
            Prop::ApiToken => &["APIToken", "Token"],
            Prop::AuthScheme => &["AuthScheme"],
            Prop::CloudId => &["CloudId"],
            Prop::OAuthAccessToken => &["OAuthAccessToken"],
            Prop::OAuthGatewayUrl => &["OAuthGatewayURL"],
            Prop::Timeout => &["Timeout"],
            Prop::MaxRetries => &["MaxRetries"],
            Prop::RetryBaseDelayMs => &["RetryBaseDelayMs"],
            Prop::MaxRetryDelayMs => &["MaxRetryDelayMs"],
            Prop::MaxConcurrency => &["MaxConcurrency"],
            Prop::Other => &["Other"],
        }
    }

    fn canonical(self) -> &'static str {
        self.names()[0]
    }

    fn lookup(name: &str) -> Option<Prop> {
        Prop::ALL
            .into_iter()
            .find(|p| p.names().iter().any(|n| n.eq_ignore_ascii_case(name)))
    }

    fn is_secret(self) -> bool {
        matches!(self, Prop::ApiToken | Prop::OAuthAccessToken)
    }

    fn known_list() -> String {
        Prop::ALL
            .iter()
            .map(|p| match p.names() {
                [name] => (*name).to_string(),
                [name, aliases @ ..] => format!("{name} (or {})", aliases.join(", ")),
                [] => String::new(),
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Values as written, before checking; secrets already wrapped.
#[derive(Default)]
struct RawSettings {
    values: BTreeMap<Prop, Option<String>>,
    secrets: BTreeMap<Prop, Option<SecretString>>,
    other: BTreeMap<String, String>,
}

impl RawSettings {
    fn set(&mut self, prop: Prop, value: String, in_other: bool) -> Result<(), ConnectionError> {
        if self.values.contains_key(&prop) || self.secrets.contains_key(&prop) {
            return Err(ConnectionError::Duplicate {
                property: prop.canonical().to_string(),
                in_other,
            });
        }
        let value = (!value.is_empty()).then_some(value);
        if prop.is_secret() {
            let secret = match value {
                Some(v) => Some(checked_token(prop.canonical(), &v)?),
                None => None,
            };
            self.secrets.insert(prop, secret);
        } else {
            self.values.insert(prop, value);
        }
        Ok(())
    }

    fn get(&self, prop: Prop) -> Option<&str> {
        self.values.get(&prop).and_then(|v| v.as_deref())
    }

    fn secret(&mut self, prop: Prop) -> Option<SecretString> {
        self.secrets.remove(&prop).flatten()
    }

    fn millis(&self, prop: Prop, default: Duration) -> Result<Duration, ConnectionError> {
        match self.get(prop) {
            None => Ok(default),
            Some(v) => v
                .parse::<u64>()
                .map(Duration::from_millis)
                .map_err(|_| invalid(prop, v, "expected a whole number of milliseconds")),
        }
    }

    fn finish(mut self) -> Result<ConnectionSettings, ConnectionError> {
        let url = match self.get(Prop::Url) {
            Some(v) => site_url("URL", v)?,
            None => {
                return Err(ConnectionError::Missing(
                    "the connection string needs URL=<your Jira address>, e.g. \
                     URL=https://yourcompany.atlassian.net"
                        .into(),
                ));
            }
        };
        let auth_scheme = match self.get(Prop::AuthScheme) {
            Some(v) => v.parse::<AuthScheme>()?,
            None => AuthScheme::Basic,
        };
        let user = self.get(Prop::User).map(str::to_string);
        if let Some(u) = &user
            && auth_scheme == AuthScheme::Basic
            && u.contains(':')
        {
            // `User=me@acme.com:<token>` is a common paste: show only the part before ':'.
            let before = u.split(':').next().unwrap_or_default();
            return Err(invalid(
                Prop::User,
                &format!("{before}:..."),
                "a Basic user name cannot contain ':' (the API token goes in APIToken= or \
                 JIRA_API_TOKEN); use your Atlassian account e-mail",
            ));
        }
        let timeout = match self.get(Prop::Timeout) {
            None => Some(DEFAULT_TIMEOUT),
            Some(v) => match v.parse::<u64>() {
                Ok(0) => None,
                Ok(secs) => Some(Duration::from_secs(secs)),
                Err(_) => {
                    return Err(invalid(
                        Prop::Timeout,
                        v,
                        "expected a whole number of seconds (0 means no timeout)",
                    ));
                }
            },
        };
        let max_retries = match self.get(Prop::MaxRetries) {
            None => RetryPolicy::default().max_retries,
            Some(v) => v.parse::<u32>().map_err(|_| {
                invalid(
                    Prop::MaxRetries,
                    v,
                    "expected a whole number of retries (0 disables retrying)",
                )
            })?,
        };
        let retry = RetryPolicy {
            max_retries,
            base_delay: self.millis(Prop::RetryBaseDelayMs, RetryPolicy::default().base_delay)?,
            max_delay: self.millis(Prop::MaxRetryDelayMs, RetryPolicy::default().max_delay)?,
        };
        let max_concurrency = match self.get(Prop::MaxConcurrency) {
            None => DEFAULT_MAX_CONCURRENCY,
            Some(v) => match v.parse::<usize>() {
                Ok(n @ 1..=64) => n,
                _ => {
                    return Err(invalid(
                        Prop::MaxConcurrency,
                        v,
                        "expected a whole number of requests in flight, 1 to 64",
                    ));
                }
            },
        };
        let cloud_id = match self.get(Prop::CloudId) {
            Some(v) if v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') => {
                Some(v.to_string())
            }
            Some(v) => {
                return Err(invalid(
                    Prop::CloudId,
                    v,
                    "expected the site's cloud id, letters, digits and '-' only (e.g. \
                     11223344-a1b2-3b33-c444-def123456789)",
                ));
            }
            None => None,
        };
        let oauth_gateway = match self.get(Prop::OAuthGatewayUrl) {
            Some(v) => Some(site_url("OAuthGatewayURL", v)?),
            None => None,
        };
        let api_token = self.secret(Prop::ApiToken);
        let oauth_token = self.secret(Prop::OAuthAccessToken);

        let host = url.host_str().unwrap_or("").to_ascii_lowercase();
        let is_cloud_host = host.ends_with(".atlassian.net");
        let token = match auth_scheme {
            AuthScheme::OAuth => {
                if api_token.is_some() {
                    return Err(ConnectionError::Conflict(
                        "APIToken is not used with AuthScheme=OAuth: give the access token as \
                         OAuthAccessToken (or set JIRA_OAUTH_TOKEN)"
                            .into(),
                    ));
                }
                oauth_token
            }
            AuthScheme::Basic | AuthScheme::PersonalAccessToken => {
                for (given, prop) in [
                    (oauth_token.is_some(), Prop::OAuthAccessToken),
                    (cloud_id.is_some(), Prop::CloudId),
                    (oauth_gateway.is_some(), Prop::OAuthGatewayUrl),
                ] {
                    if given {
                        return Err(ConnectionError::Conflict(format!(
                            "{} is only used with AuthScheme=OAuth; remove it or set \
                             AuthScheme=OAuth (this connection uses AuthScheme={auth_scheme})",
                            prop.canonical()
                        )));
                    }
                }
                if auth_scheme == AuthScheme::PersonalAccessToken && is_cloud_host {
                    return Err(ConnectionError::Conflict(format!(
                        "AuthScheme=PAT is for Jira Data Center, but {host} is Jira Cloud: use \
                         AuthScheme=Basic with User=<your e-mail> and an API token"
                    )));
                }
                api_token
            }
        };
        // Jira Cloud has no context path, so a path means a URL copied from the browser.
        if is_cloud_host && url.path() != "/" {
            return Err(invalid(
                Prop::Url,
                url.as_str(),
                "a Jira Cloud URL is just the site, e.g. https://yourcompany.atlassian.net \
                 (remove the path)",
            ));
        }
        Ok(ConnectionSettings {
            url,
            user,
            auth_scheme,
            cloud_id,
            oauth_gateway,
            timeout,
            retry,
            max_concurrency,
            other: self.other,
            token,
        })
    }
}

fn invalid(prop: Prop, value: &str, reason: &str) -> ConnectionError {
    ConnectionError::InvalidValue {
        property: prop.canonical(),
        value: (!prop.is_secret()).then(|| echo(value)),
        reason: reason.to_string(),
    }
}

/// Wraps a token after checking it could be sent in a header. The value is never echoed.
fn checked_token(property: &'static str, value: &str) -> Result<SecretString, ConnectionError> {
    if value.bytes().all(|b| b.is_ascii_graphic()) {
        Ok(SecretString::from(value.to_string()))
    } else {
        Err(ConnectionError::InvalidValue {
            property,
            value: None,
            reason: "a token has no spaces, control or non-ASCII characters; check for a \
                     copy-paste mistake"
                .into(),
        })
    }
}

/// Parses `URL` or `OAuthGatewayURL`: absolute, http(s), https unless loopback, no credentials,
/// query or fragment, trailing slash stripped.
pub(crate) fn site_url(property: &'static str, raw: &str) -> Result<Url, ConnectionError> {
    let bad = |value: Option<String>, reason: String| ConnectionError::InvalidValue {
        property,
        value,
        reason,
    };
    let mut url = Url::parse(raw).map_err(|e| {
        // An unparseable value could hold `user:password@`; echo it only when it cannot.
        let value = (!raw.contains('@')).then(|| echo(raw));
        let hint = if matches!(e, url::ParseError::RelativeUrlWithoutBase) {
            "it needs the scheme, e.g. https://yourcompany.atlassian.net".to_string()
        } else {
            format!("{e}; expected an address such as https://yourcompany.atlassian.net")
        };
        bad(value, hint)
    })?;
    if !url.username().is_empty() || url.password().is_some() {
        // Show the address without its credentials.
        let _ = url.set_password(None);
        let _ = url.set_username("");
        return Err(bad(
            Some(echo(url.as_str())),
            "the address must not contain a user name or password; use User= and APIToken= \
             instead"
                .into(),
        ));
    }
    match url.scheme() {
        "https" => {}
        "http" => {
            if !is_loopback(&url) {
                return Err(bad(
                    Some(echo(url.as_str())),
                    format!(
                        "plain http:// would send credentials unencrypted to {}; use https:// \
                         (http:// is accepted only for loopback hosts such as 127.0.0.1, ::1 or \
                         localhost)",
                        url.host_str().unwrap_or("that host")
                    ),
                ));
            }
        }
        other => {
            return Err(bad(
                Some(echo(url.as_str())),
                format!("the scheme {other}: is not supported; use https://"),
            ));
        }
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(bad(
            Some(echo(url.as_str())),
            "the address has no host".into(),
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(bad(
            Some(echo(url.as_str())),
            "the address must not contain '?' or '#'; give only the site (and any context path)"
                .into(),
        ));
    }
    if url.path().to_ascii_lowercase().contains("/rest/") {
        return Err(bad(
            Some(echo(url.as_str())),
            "give the Jira base address, not a REST endpoint (remove /rest/...)".into(),
        ));
    }
    let trimmed = url.path().trim_end_matches('/').to_string();
    url.set_path(if trimmed.is_empty() { "/" } else { &trimmed });
    Ok(url)
}

fn unknown_property(name: &str) -> ConnectionError {
    ConnectionError::UnknownProperty {
        name: shown_name(name),
        known: Prop::known_list(),
    }
}

/// Names in `Other` that probably hold a secret; their values are never printed.
fn is_secret_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    ["token", "password", "secret", "credential", "apikey"]
        .iter()
        .any(|s| lower.contains(s))
}

fn redact_other(name: &str, value: &str) -> String {
    if is_secret_name(name) {
        "***".to_string()
    } else {
        value.to_string()
    }
}

/// Quotes a value for a connection string when it would not survive unquoted.
fn quote_value(value: &str) -> String {
    let needs_quotes = value.is_empty()
        || value.contains([';', '=', '\'', '"'])
        || value.starts_with(char::is_whitespace)
        || value.ends_with(char::is_whitespace);
    if needs_quotes {
        format!("'{}'", value.replace('\'', "''"))
    } else {
        value.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    const SENTINEL: &str = "SENTINEL-s3cr3t-T0KEN";

    fn parse(s: &str) -> ConnectionSettings {
        match ConnectionSettings::parse(s) {
            Ok(settings) => settings,
            Err(e) => panic!("{s:?} should parse: {e}"),
        }
    }

    fn parse_err(s: &str) -> String {
        match ConnectionSettings::parse(s) {
            Ok(settings) => panic!("{s:?} should fail, got {settings:?}"),
            Err(e) => e.to_string(),
        }
    }

    fn token_of(s: &ConnectionSettings) -> Option<&str> {
        s.token().map(|t| t.expose_secret())
    }

    #[test]
    fn full_example_parses() {
        let s = parse(
            "URL=https://yourjira.atlassian.net;User=someone@example.com;APIToken=abc=def;\
             AuthScheme=Basic;Timeout=60;Other='BatchSize=1;MaxRetries=3'",
        );
        assert_eq!(s.url.as_str(), "https://yourjira.atlassian.net/");
        assert_eq!(s.user.as_deref(), Some("someone@example.com"));
        assert_eq!(token_of(&s), Some("abc=def"));
        assert_eq!(s.auth_scheme, AuthScheme::Basic);
        assert_eq!(s.timeout, Some(Duration::from_secs(60)));
        assert_eq!(
            s.retry.max_retries, 3,
            "MaxRetries inside Other is honoured"
        );
        assert_eq!(s.other("batchsize"), Some("1"));
        assert_eq!(
            s.other("MaxRetries"),
            None,
            "known properties are applied, not kept"
        );
        assert_eq!(s.site_label(), "yourjira.atlassian.net");
    }

    #[test]
    fn defaults() {
        let s = parse("URL=https://acme.atlassian.net");
        assert_eq!(s.auth_scheme, AuthScheme::Basic);
        assert_eq!(s.timeout, Some(DEFAULT_TIMEOUT));
        assert_eq!(s.retry, RetryPolicy::default());
        assert_eq!(s.retry.max_retries, 4);
        assert_eq!(s.retry.base_delay, Duration::from_millis(1000));
        assert_eq!(s.retry.max_delay, Duration::from_millis(30_000));
        assert!(s.user.is_none() && s.token().is_none() && s.other.is_empty());
        assert_eq!(s.max_concurrency, DEFAULT_MAX_CONCURRENCY);
    }

    #[test]
    fn max_concurrency_is_a_bounded_count() {
        assert_eq!(
            parse("URL=https://a.corp;maxconcurrency=3").max_concurrency,
            3
        );
        assert_eq!(
            parse("URL=https://a.corp;Other='MaxConcurrency=1'").max_concurrency,
            1
        );
        for bad in ["0", "65", "four"] {
            let e = ConnectionSettings::parse(&format!("URL=https://a.corp;MaxConcurrency={bad}"))
                .unwrap_err()
                .to_string();
            assert!(e.contains("MaxConcurrency") && e.contains("1 to 64"), "{e}");
        }
    }

    #[test]
    fn every_property_case_insensitive() {
        let s = parse(
            "url=https://jira.corp/jira/;USER=svc;token=tok;authscheme=bearer;timeout=0;\
             maxretries=7;retrybasedelayms=5;maxretrydelayms=99",
        );
        assert_eq!(s.url.as_str(), "https://jira.corp/jira");
        assert_eq!(s.site_label(), "jira.corp/jira");
        assert_eq!(s.user.as_deref(), Some("svc"));
        assert_eq!(token_of(&s), Some("tok"));
        assert_eq!(s.auth_scheme, AuthScheme::PersonalAccessToken);
        assert_eq!(s.timeout, None);
        assert_eq!(
            s.retry,
            RetryPolicy {
                max_retries: 7,
                base_delay: Duration::from_millis(5),
                max_delay: Duration::from_millis(99)
            }
        );
        let o = parse(
            "URL=https://acme.atlassian.net;AuthScheme=OAuth;CloudId=abc-123;\
             OAuthAccessToken=oat;OAuthGatewayURL=http://127.0.0.1:8080/",
        );
        assert_eq!(o.auth_scheme, AuthScheme::OAuth);
        assert_eq!(o.cloud_id.as_deref(), Some("abc-123"));
        assert_eq!(token_of(&o), Some("oat"));
        assert_eq!(
            o.oauth_gateway.as_ref().map(Url::as_str),
            Some("http://127.0.0.1:8080/")
        );
        assert_eq!(
            o.api_base().map(|u| u.to_string()),
            Ok("http://127.0.0.1:8080/ex/jira/abc-123".to_string())
        );
        let d = parse("URL=https://acme.atlassian.net;AuthScheme=OAuth;CloudId=c1");
        assert_eq!(
            d.api_base().map(|u| u.to_string()),
            Ok("https://api.atlassian.com/ex/jira/c1".to_string())
        );
        for alias in ["PAT", "PersonalAccessToken", "Bearer", "pat"] {
            let s = parse(&format!("URL=https://jira.corp;AuthScheme={alias}"));
            assert_eq!(s.auth_scheme, AuthScheme::PersonalAccessToken);
        }
    }

    #[test]
    fn quoting_and_whitespace() {
        let s = parse(
            "  URL = https://jira.corp ;; ; User = \"a;b=c\" ; APIToken='it''s;=x' ;\
             Other = \"K1='v;1';K2=\"\"q\"\"\" ;",
        );
        assert_eq!(s.user.as_deref(), Some("a;b=c"));
        assert_eq!(token_of(&s), Some("it's;=x"));
        assert_eq!(s.other("k1"), Some("v;1"));
        // Other's value unquotes to `K1='v;1';K2="q"`, and K2's own quotes come off in turn.
        assert_eq!(s.other("K2"), Some("q"));
        // A quote in the middle of an unquoted value is literal.
        let s = parse("URL=https://jira.corp;User=o'brien");
        assert_eq!(s.user.as_deref(), Some("o'brien"));
        // Quoted whitespace is kept.
        let s = parse("URL=https://jira.corp;Other='X=\" a \"'");
        assert_eq!(s.other("x"), Some(" a "));
        // Empty values mean "not given".
        let s = parse("URL=https://jira.corp;User=;APIToken=''");
        assert!(s.user.is_none() && s.token().is_none());
    }

    #[test]
    fn syntax_errors() {
        assert!(parse_err("URL=https://jira.corp;User='abc").contains("no closing '"));
        assert!(parse_err("URL=https://jira.corp;User='a'b").contains("after the quoted value"));
        let e = parse_err(&format!("URL=https://jira.corp;{SENTINEL}x;User=u"));
        assert!(e.contains("part 2") && e.contains("no '='"), "{e}");
        assert!(!e.contains("SENTINEL"));
        assert!(parse_err("=x").contains("no property name"));
        assert!(parse_err("URL=https://jira.corp;Other='Other=1'").contains("another Other"));
        assert!(parse_err("URL=https://jira.corp;Other='a'").contains("part 1 of Other"));
    }

    #[test]
    fn unknown_property_is_named_and_known_listed() {
        let e = parse_err("URL=https://jira.corp;Usr=x");
        assert!(e.contains("`Usr`"), "{e}");
        for known in [
            "URL",
            "User",
            "APIToken (or Token)",
            "AuthScheme",
            "Other",
            "CloudId",
        ] {
            assert!(e.contains(known), "{e} lacks {known}");
        }
        // A pasted token containing '=' lands in the name; it does not look like a name, so it
        // is not echoed.
        let e = parse_err(&format!("URL=https://jira.corp;{SENTINEL}=xyz"));
        assert!(e.contains("not shown") && !e.contains("SENTINEL"), "{e}");
        // Unknown names inside Other are kept, not rejected.
        assert_eq!(
            parse("URL=https://jira.corp;Other='Usr=x'").other("usr"),
            Some("x")
        );
    }

    #[test]
    fn duplicates_are_rejected() {
        assert!(parse_err("URL=https://a.corp;url=https://b.corp").contains("URL is given more"));
        assert!(parse_err("URL=https://a.corp;APIToken=a;Token=b").contains("APIToken"));
        let e = parse_err("URL=https://a.corp;MaxRetries=1;Other='maxretries=2'");
        assert!(e.contains("MaxRetries") && e.contains("Other"), "{e}");
        assert!(parse_err("URL=https://a.corp;Other='A=1;a=2'").contains("Other.`a`"));
    }

    #[test]
    fn bad_values_name_property_and_value() {
        let cases = [
            ("URL=https://jira.corp;Timeout=soon", "`soon` for Timeout"),
            ("URL=https://jira.corp;Timeout=-1", "`-1` for Timeout"),
            (
                "URL=https://jira.corp;MaxRetries=many",
                "`many` for MaxRetries",
            ),
            (
                "URL=https://jira.corp;RetryBaseDelayMs=1.5",
                "`1.5` for RetryBaseDelayMs",
            ),
            (
                "URL=https://jira.corp;MaxRetryDelayMs=x",
                "`x` for MaxRetryDelayMs",
            ),
            (
                "URL=https://jira.corp;AuthScheme=NTLM",
                "`NTLM` for AuthScheme",
            ),
            (
                "URL=https://a.atlassian.net;AuthScheme=OAuth;CloudId=a/b",
                "`a/b` for CloudId",
            ),
            ("URL=jira.corp", "needs the scheme"),
            ("URL=ftp://jira.corp", "ftp"),
            ("URL=https://jira.corp/?a=1", "'?'"),
            ("URL=https://acme.atlassian.net/rest/api/3", "REST endpoint"),
            ("URL=https://acme.atlassian.net/browse/X-1", "just the site"),
            ("URL=https://jira.corp;User=a:b", "`a:...` for User"),
            ("User=x", "needs URL="),
        ];
        for (input, expected) in cases {
            let e = parse_err(input);
            assert!(e.contains(expected), "{input}: {e}");
        }
        // A token with a space is rejected without echoing it.
        let e = parse_err(&format!("URL=https://jira.corp;APIToken='{SENTINEL} x'"));
        assert!(e.contains("APIToken") && !e.contains("SENTINEL"), "{e}");
        // Credentials inside URL are refused without echoing them.
        let e = parse_err(&format!("URL=https://me:{SENTINEL}@jira.corp"));
        assert!(
            e.contains("user name or password") && !e.contains("SENTINEL"),
            "{e}"
        );
        let e = parse_err(&format!("URL=https://me:{SENTINEL}@bad host"));
        assert!(!e.contains("SENTINEL"), "{e}");
    }

    #[test]
    fn scheme_conflicts() {
        assert!(
            parse_err("URL=https://a.atlassian.net;AuthScheme=OAuth;CloudId=c;APIToken=t")
                .contains("OAuthAccessToken")
        );
        assert!(parse_err("URL=https://jira.corp;CloudId=c").contains("only used with"));
        assert!(parse_err("URL=https://jira.corp;OAuthAccessToken=t").contains("only used"));
        assert!(parse_err("URL=https://a.atlassian.net;AuthScheme=PAT").contains("Data Center"));
    }

    #[test]
    fn http_only_for_loopback() {
        for ok in [
            "http://127.0.0.1:8080",
            "http://127.1.2.3",
            "http://[::1]:9000/jira",
            "http://localhost:1234",
            "http://LOCALHOST",
        ] {
            parse(&format!("URL={ok}"));
        }
        for bad in [
            "http://jira.corp",
            "http://10.0.0.1",
            "http://localhost.evil.com",
            "http://128.0.0.1",
        ] {
            let e = parse_err(&format!("URL={bad}"));
            assert!(e.contains("use https://"), "{bad}: {e}");
        }
        let e = parse_err(
            "URL=https://a.atlassian.net;AuthScheme=OAuth;CloudId=c;OAuthGatewayURL=http://gw.corp",
        );
        assert!(
            e.contains("OAuthGatewayURL") && e.contains("https://"),
            "{e}"
        );
    }

    #[test]
    fn resolve_token_sources_in_order() {
        let env_with = |name: &'static str, value: &'static str| {
            move |n: &str| (n == name).then(|| value.to_string())
        };
        let no_env = |_: &str| None;
        let prompt_ok = |_: &str| Ok::<_, std::io::Error>("  from-prompt\n".to_string());
        let prompt_fail = |_: &str| -> std::io::Result<String> { panic!("must not prompt") };

        // String wins over env and prompt.
        let mut s = parse("URL=https://a.atlassian.net;User=u@x;APIToken=from-string");
        s.resolve_token(env_with(ENV_API_TOKEN, "from-env"), Some(&prompt_fail))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(token_of(&s), Some("from-string"));

        // Env before prompt; whitespace trimmed.
        let mut s = parse("URL=https://a.atlassian.net;User=u@x");
        s.resolve_token(env_with(ENV_API_TOKEN, " from-env \n"), Some(&prompt_fail))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(token_of(&s), Some("from-env"));

        // Prompt last, and only when given.
        let mut s = parse("URL=https://a.atlassian.net;User=u@x");
        s.resolve_token(no_env, Some(&prompt_ok))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(token_of(&s), Some("from-prompt"));

        let mut s = parse("URL=https://a.atlassian.net;User=u@x");
        let e = s.resolve_token(no_env, None).err().map(|e| e.to_string());
        let e = e.unwrap_or_default();
        assert!(e.contains("APIToken=") && e.contains(ENV_API_TOKEN), "{e}");

        // Basic needs User.
        let mut s = parse("URL=https://a.atlassian.net;APIToken=t");
        let e = s.resolve_token(no_env, None).err().map(|e| e.to_string());
        assert!(e.unwrap_or_default().contains("User="));

        // PAT needs only the token; env var shared with Basic.
        let mut s = parse("URL=https://jira.corp;AuthScheme=PAT");
        s.resolve_token(env_with(ENV_API_TOKEN, "pat"), None)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(token_of(&s), Some("pat"));

        // OAuth needs CloudId and takes its token from JIRA_OAUTH_TOKEN, not JIRA_API_TOKEN.
        let mut s = parse("URL=https://a.atlassian.net;AuthScheme=OAuth");
        let e = s.resolve_token(no_env, None).err().map(|e| e.to_string());
        assert!(e.unwrap_or_default().contains("CloudId="));
        let mut s = parse("URL=https://a.atlassian.net;AuthScheme=OAuth;CloudId=c");
        let e = s
            .resolve_token(env_with(ENV_API_TOKEN, "wrong"), None)
            .err()
            .map(|e| e.to_string());
        assert!(e.unwrap_or_default().contains(ENV_OAUTH_TOKEN));
        s.resolve_token(env_with(ENV_OAUTH_TOKEN, "oat"), None)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(token_of(&s), Some("oat"));
        assert!(s.check_credentials().is_ok());

        // A prompt failure is reported; a bad env token is not echoed.
        let mut s = parse("URL=https://jira.corp;AuthScheme=PAT");
        let failing = |_: &str| -> std::io::Result<String> { Err(std::io::Error::other("no tty")) };
        let e = s
            .resolve_token(no_env, Some(&failing))
            .err()
            .map(|e| e.to_string());
        assert!(e.unwrap_or_default().contains("no tty"));
        let e = s
            .resolve_token(env_with(ENV_API_TOKEN, "SENTINEL bad"), None)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.contains("APIToken") && !e.contains("SENTINEL"), "{e}");
    }

    #[test]
    fn secrets_never_printed() {
        let s = parse(&format!(
            "URL=https://a.atlassian.net;User=u@x;APIToken='{SENTINEL}=a;b';\
             Other='ProxyPassword={SENTINEL};BatchSize=5'"
        ));
        let debug = format!("{s:?}");
        let redacted = s.redacted();
        for text in [&debug, &redacted] {
            assert!(!text.contains("SENTINEL"), "{text}");
            assert!(text.contains("***"), "{text}");
        }
        assert!(debug.contains("APIToken: Some(\"***\")"), "{debug}");
        assert!(redacted.contains("APIToken=***"), "{redacted}");
        assert!(redacted.contains("BatchSize=5"), "{redacted}");
        let o = parse(&format!(
            "URL=https://a.atlassian.net;AuthScheme=OAuth;CloudId=c;OAuthAccessToken={SENTINEL}"
        ));
        assert!(!format!("{o:?}").contains("SENTINEL"));
        assert!(o.redacted().contains("OAuthAccessToken=***"));
    }

    #[test]
    fn redacted_round_trips() {
        let s = parse(
            "URL=http://127.0.0.1:9/ctx/;User='a;b';Timeout=5;MaxRetries=2;\
             RetryBaseDelayMs=10;MaxRetryDelayMs=20;MaxConcurrency=5;Other='K=\"v;1\";Q=it''s'",
        );
        let again = parse(&s.redacted());
        assert_eq!(format!("{s:?}"), format!("{again:?}"));
        assert_eq!(again.other("q"), Some("it's"));
        assert_eq!(again.other("k"), Some("v;1"));
    }
}
