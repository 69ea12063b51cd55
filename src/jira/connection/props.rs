//! The properties a connection string knows, their aliases, and how their raw values become
//! [`ConnectionSettings`]: every check on a value, and the texts that name what is wrong.

use std::collections::BTreeMap;
use std::time::Duration;

use secrecy::SecretString;
use url::Url;

use super::*;
/// The known properties. Aliases map onto one of these.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Prop {
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

    pub(super) fn lookup(name: &str) -> Option<Prop> {
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
pub(super) struct RawSettings {
    values: BTreeMap<Prop, Option<String>>,
    secrets: BTreeMap<Prop, Option<SecretString>>,
    pub(super) other: BTreeMap<String, String>,
}

impl RawSettings {
    pub(super) fn set(
        &mut self,
        prop: Prop,
        value: String,
        in_other: bool,
    ) -> Result<(), ConnectionError> {
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

    pub(super) fn finish(mut self) -> Result<ConnectionSettings, ConnectionError> {
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
pub(super) fn checked_token(
    property: &'static str,
    value: &str,
) -> Result<SecretString, ConnectionError> {
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
fn site_url(property: &'static str, raw: &str) -> Result<Url, ConnectionError> {
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

pub(super) fn unknown_property(name: &str) -> ConnectionError {
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

pub(super) fn redact_other(name: &str, value: &str) -> String {
    if is_secret_name(name) {
        "***".to_string()
    } else {
        value.to_string()
    }
}

/// Quotes a value for a connection string when it would not survive unquoted.
pub(super) fn quote_value(value: &str) -> String {
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
