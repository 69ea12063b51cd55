//! SharePoint connection strings, written the way Layer2 Cloud Connector users know them:
//!
//! ```text
//! URL=https://contoso.sharepoint.com/sites/pmo/Lists/TimeLog/AllItems.aspx;
//! Authentication=ClientSecret;TenantId=<guid>;ClientId=<guid>;   (secret in SHAREPOINT_CLIENT_SECRET)
//! ```
//!
//! `URL` names a site, optionally one of its lists (the list is then the connection's default,
//! but every list of the site can be named in SQL). Three ways to sign in to Entra ID:
//! `ClientSecret` (app-only, the secret from `ClientSecret=`, the environment or a prompt),
//! `Certificate` (app-only, a PEM file holding the private key and the certificate) and
//! `DeviceCode` (a person signs in in a browser; Layer2's `Microsoft_Modern`).
//!
//! `GraphURL` and `LoginURL` replace `https://graph.microsoft.com/v1.0` and
//! `https://login.microsoftonline.com`; the tests and `--demo` point them at the emulator.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use secrecy::SecretString;
use url::Url;

use crate::http::connection_string::{
    ConnectionError, TokenPrompt, echo, is_loopback, shown_name, split_pairs,
};
use crate::http::retry::RetryPolicy;

/// Other spellings of property names, folded to the one the parser matches.
const ALIASES: &[(&str, &str)] = &[
    ("siteurl", "url"),
    ("authenticationmode", "authentication"),
    ("tenant", "tenantid"),
    ("applicationid", "clientid"),
    ("appid", "clientid"),
    ("certificate", "certificatepath"),
];

/// Where the client secret is looked for when the connection string has none.
pub const ENV_CLIENT_SECRET: &str = "SHAREPOINT_CLIENT_SECRET";
/// Microsoft Graph, v1.0.
pub const DEFAULT_GRAPH_URL: &str = "https://graph.microsoft.com/v1.0";
/// Entra ID's sign-in host.
pub const DEFAULT_LOGIN_URL: &str = "https://login.microsoftonline.com";
/// Graph's `$batch` holds at most this many requests.
pub const MAX_BATCH: usize = 20;

/// How jiraql signs in to Entra ID.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SharePointAuth {
    /// App-only with a client secret.
    ClientSecret,
    /// App-only with a certificate (a signed JWT client assertion).
    Certificate,
    /// A person signs in through the device-code flow.
    DeviceCode,
}

impl SharePointAuth {
    pub fn as_str(self) -> &'static str {
        match self {
            SharePointAuth::ClientSecret => "ClientSecret",
            SharePointAuth::Certificate => "Certificate",
            SharePointAuth::DeviceCode => "DeviceCode",
        }
    }
}

impl FromStr for SharePointAuth {
    type Err = ConnectionError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().replace(['_', '-', ' '], "").as_str() {
            "clientsecret" | "apponly" | "clientcredentials" => Ok(SharePointAuth::ClientSecret),
            "certificate" | "apponlycertificate" | "clientcertificate" => {
                Ok(SharePointAuth::Certificate)
            }
            "devicecode" | "microsoftmodern" | "interactive" => Ok(SharePointAuth::DeviceCode),
            _ => Err(ConnectionError::InvalidValue {
                property: "Authentication",
                value: Some(echo(s)),
                reason: "expected ClientSecret (app-only), Certificate (app-only) or DeviceCode \
                         (sign in as a person; Layer2's Microsoft_Modern)"
                    .into(),
            }),
        }
    }
}

/// A parsed SharePoint connection string.
#[derive(Clone)]
pub struct SharePointSettings {
    /// The site, e.g. `https://contoso.sharepoint.com/sites/pmo`.
    pub site_url: Url,
    /// The list named in `URL` (`.../Lists/TimeLog/...`), if any.
    pub default_list: Option<String>,
    pub auth: SharePointAuth,
    /// `TenantId`: a GUID or a domain such as `contoso.onmicrosoft.com`.
    pub tenant: String,
    /// `ClientId`: the app registration.
    pub client_id: String,
    /// `CertificatePath`: PEM with `PRIVATE KEY` and `CERTIFICATE` blocks.
    pub certificate_path: Option<PathBuf>,
    pub graph_url: Url,
    pub login_url: Url,
    /// `BatchSize`: requests per Graph `$batch`, 1 to 20 (default 20).
    pub batch_size: usize,
    /// `KeyColumn`: the list column that identifies an item for upserts.
    pub key_column: Option<String>,
    /// `Timeout` for one request; `None` when `Timeout=0`.
    pub timeout: Option<Duration>,
    pub retry: RetryPolicy,
    client_secret: Option<SecretString>,
}

impl fmt::Debug for SharePointSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SharePointSettings")
            .field("site_url", &self.site_url.as_str())
            .field("auth", &self.auth)
            .field("tenant", &self.tenant)
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret.as_ref().map(|_| "***"))
            .finish_non_exhaustive()
    }
}

impl FromStr for SharePointSettings {
    type Err = ConnectionError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        SharePointSettings::parse(s)
    }
}

const PROPERTIES: &str = "URL, Authentication, TenantId, ClientId, ClientSecret, \
                          CertificatePath, BatchSize, KeyColumn, Timeout, MaxRetries, \
                          RetryBaseDelayMs, MaxRetryDelayMs, GraphURL, LoginURL, Other";

impl SharePointSettings {
    /// Parses `Name=Value;...`. Names ignore case; `Other='BatchSize=1;KeyColumn=X'` is read
    /// as if its pairs were written directly (Layer2 puts extra options there).
    pub fn parse(s: &str) -> Result<SharePointSettings, ConnectionError> {
        let mut pairs = split_pairs(s, "the SharePoint connection string")?;
        let mut nested = Vec::new();
        pairs.retain(|(name, value)| {
            if name.eq_ignore_ascii_case("Other") {
                nested.push(value.clone());
                false
            } else {
                true
            }
        });
        let top_level = pairs.len();
        for other in nested {
            pairs.extend(split_pairs(&other, "Other")?);
        }
        let mut url = None;
        let mut auth = None;
        let mut tenant = None;
        let mut client_id = None;
        let mut client_secret = None;
        let mut certificate_path = None;
        let mut graph_url = None;
        let mut login_url = None;
        let mut batch_size = MAX_BATCH;
        let mut key_column = None;
        let mut timeout = Some(Duration::from_secs(60));
        let mut retry = RetryPolicy::default();
        let mut seen: Vec<(String, bool)> = Vec::new();
        for (index, (name, value)) in pairs.into_iter().enumerate() {
            let written = name.to_ascii_lowercase().replace(' ', "");
            let key = ALIASES
                .iter()
                .find(|(alias, _)| *alias == written)
                .map_or(written.as_str(), |(_, canonical)| canonical)
                .to_string();
            // Given twice, one of the two would be silently ignored: refuse, as for Jira.
            let in_other = index >= top_level;
            if let Some((_, first_in_other)) = seen.iter().find(|(k, _)| *k == key) {
                return Err(ConnectionError::Duplicate {
                    property: shown_name(&name),
                    in_other: in_other || *first_in_other,
                });
            }
            seen.push((key.clone(), in_other));
            match key.as_str() {
                "url" => url = Some(value),
                "authentication" => auth = Some(value.parse()?),
                "tenantid" => tenant = Some(value),
                "clientid" => client_id = Some(value),
                "clientsecret" => {
                    if value.is_empty() {
                        return Err(ConnectionError::InvalidValue {
                            property: "ClientSecret",
                            value: None,
                            reason: "it is empty".into(),
                        });
                    }
                    client_secret = Some(SecretString::from(value));
                }
                "certificatepath" => certificate_path = Some(PathBuf::from(value)),
                "graphurl" => graph_url = Some(endpoint_url("GraphURL", &value)?),
                "loginurl" => login_url = Some(endpoint_url("LoginURL", &value)?),
                "batchsize" => {
                    batch_size = number("BatchSize", &value, 1, MAX_BATCH as u64)? as usize
                }
                "keycolumn" => key_column = Some(value).filter(|v| !v.is_empty()),
                "timeout" => {
                    let secs = number("Timeout", &value, 0, 3600)?;
                    timeout = (secs > 0).then(|| Duration::from_secs(secs));
                }
                "maxretries" => retry.max_retries = number("MaxRetries", &value, 0, 20)? as u32,
                "retrybasedelayms" => {
                    retry.base_delay =
                        Duration::from_millis(number("RetryBaseDelayMs", &value, 1, 60_000)?);
                }
                "maxretrydelayms" => {
                    retry.max_delay =
                        Duration::from_millis(number("MaxRetryDelayMs", &value, 1, 600_000)?);
                }
                _ => {
                    return Err(ConnectionError::UnknownProperty {
                        name: shown_name(&name),
                        known: PROPERTIES.into(),
                    });
                }
            }
        }
        let url = url.ok_or_else(|| {
            ConnectionError::Missing(
                "the SharePoint connection string needs URL=https://<tenant>.sharepoint.com/sites/<site> \
                 (a list's address such as .../Lists/TimeLog/AllItems.aspx works too)"
                    .into(),
            )
        })?;
        let (site_url, default_list) = site_and_list(&url)?;
        let auth = auth.unwrap_or(if certificate_path.is_some() {
            SharePointAuth::Certificate
        } else if client_secret.is_some() || client_id.is_some() {
            SharePointAuth::ClientSecret
        } else {
            SharePointAuth::DeviceCode
        });
        let tenant = tenant.ok_or_else(|| {
            ConnectionError::Missing(
                "the SharePoint connection string needs TenantId=<directory (tenant) id or \
                 domain>; find it in the Entra admin center under Overview"
                    .into(),
            )
        })?;
        let client_id = client_id.ok_or_else(|| {
            ConnectionError::Missing(
                "the SharePoint connection string needs ClientId=<application (client) id> of \
                 an app registration with the Sites.ReadWrite.All permission"
                    .into(),
            )
        })?;
        if auth == SharePointAuth::Certificate && certificate_path.is_none() {
            return Err(ConnectionError::Missing(
                "Authentication=Certificate needs CertificatePath=<PEM file with the private key \
                 and the certificate>"
                    .into(),
            ));
        }
        let parse_default =
            |u: &str| Url::parse(u).map_err(|e| ConnectionError::Syntax(e.to_string()));
        Ok(SharePointSettings {
            site_url,
            default_list,
            auth,
            tenant,
            client_id,
            certificate_path,
            graph_url: match graph_url {
                Some(u) => u,
                None => parse_default(DEFAULT_GRAPH_URL)?,
            },
            login_url: match login_url {
                Some(u) => u,
                None => parse_default(DEFAULT_LOGIN_URL)?,
            },
            batch_size,
            key_column,
            timeout,
            retry,
            client_secret,
        })
    }

    /// Fills in the client secret from [`ENV_CLIENT_SECRET`] or a prompt when the connection
    /// string has none and the scheme needs one.
    pub fn resolve_secret(
        &mut self,
        env: impl Fn(&str) -> Option<String>,
        prompt: Option<TokenPrompt<'_>>,
    ) -> Result<(), ConnectionError> {
        if self.auth != SharePointAuth::ClientSecret || self.client_secret.is_some() {
            return Ok(());
        }
        if let Some(secret) = env(ENV_CLIENT_SECRET).filter(|s| !s.is_empty()) {
            self.client_secret = Some(SecretString::from(secret));
            return Ok(());
        }
        if let Some(prompt) = prompt {
            let secret = prompt(&format!(
                "Client secret of app {} for {}: ",
                self.client_id,
                self.site_label()
            ))
            .map_err(|e| ConnectionError::Prompt(e.to_string()))?;
            if !secret.is_empty() {
                self.client_secret = Some(SecretString::from(secret));
                return Ok(());
            }
        }
        Err(ConnectionError::Missing(format!(
            "Authentication=ClientSecret needs the app's client secret: set {ENV_CLIENT_SECRET} \
             (or add ClientSecret=<secret> to the connection string)"
        )))
    }

    pub(crate) fn client_secret(&self) -> Option<&SecretString> {
        self.client_secret.as_ref()
    }

    /// `contoso.sharepoint.com/sites/pmo`, for messages.
    pub fn site_label(&self) -> String {
        format!(
            "{}{}",
            self.site_url.host_str().unwrap_or_default(),
            self.site_url.path().trim_end_matches('/')
        )
    }

    /// The site's host name, as Graph addresses it.
    pub fn hostname(&self) -> &str {
        self.site_url.host_str().unwrap_or_default()
    }

    /// The server-relative site path, `/sites/pmo` (empty for the root site).
    pub fn site_path(&self) -> &str {
        self.site_url.path().trim_end_matches('/')
    }
}

/// Splits a site or list address: `.../sites/pmo/Lists/Time%20Log/AllItems.aspx` gives the site
/// `.../sites/pmo` and the list `Time Log`.
fn site_and_list(raw: &str) -> Result<(Url, Option<String>), ConnectionError> {
    let bad = |reason: &str| ConnectionError::InvalidValue {
        property: "URL",
        value: shown_url(raw),
        reason: reason.into(),
    };
    let mut url = Url::parse(raw.trim()).map_err(|e| {
        bad(&format!(
            "{e}; expected https://<tenant>.sharepoint.com/sites/<site>"
        ))
    })?;
    if url.scheme() != "https" {
        return Err(bad("use https://<tenant>.sharepoint.com/..."));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(bad("the address has no host"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(bad("the address must not contain a user name or password"));
    }
    let segments: Vec<String> = url
        .path_segments()
        .map(|s| s.filter(|p| !p.is_empty()).map(percent_decode).collect())
        .unwrap_or_default();
    let lists_at = segments
        .iter()
        .position(|s| s.eq_ignore_ascii_case("Lists"));
    let (site, list) = match lists_at {
        Some(i) => (&segments[..i], segments.get(i + 1).cloned()),
        None => {
            // A page or form inside the site (`.../SitePages/Home.aspx`) is not part of its path.
            let mut end = segments
                .iter()
                .position(|s| s.contains('.') || s.eq_ignore_ascii_case("_layouts"))
                .unwrap_or(segments.len());
            // ... and neither is the library holding the page.
            if end > 0
                && ["SitePages", "Pages", "Shared Documents", "Forms"]
                    .iter()
                    .any(|l| segments[end - 1].eq_ignore_ascii_case(l))
            {
                end -= 1;
            }
            (&segments[..end], None)
        }
    };
    url.set_query(None);
    url.set_fragment(None);
    {
        let mut path = url
            .path_segments_mut()
            .map_err(|()| bad("the address cannot have a path"))?;
        path.clear();
        path.extend(site);
    }
    Ok((url, list))
}

fn percent_decode(segment: &str) -> String {
    url::form_urlencoded::parse(format!("x={}", segment.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| segment.to_string())
}

/// `GraphURL` / `LoginURL`: https, or http for loopback (the emulator).
/// An address for an error message. It may carry `user:password@`: shown without them, or not
/// at all when it does not parse.
fn shown_url(raw: &str) -> Option<String> {
    match Url::parse(raw.trim()) {
        Ok(mut url) => {
            let _ = url.set_password(None);
            let _ = url.set_username("");
            Some(echo(url.as_str()))
        }
        Err(_) => (!raw.contains('@')).then(|| echo(raw)),
    }
}

fn endpoint_url(property: &'static str, raw: &str) -> Result<Url, ConnectionError> {
    let bad = |reason: String| ConnectionError::InvalidValue {
        property,
        value: shown_url(raw),
        reason,
    };
    let url = Url::parse(raw.trim()).map_err(|e| bad(e.to_string()))?;
    match url.scheme() {
        "https" => Ok(url),
        "http" if is_loopback(&url) => Ok(url),
        "http" => Err(bad(
            "plain http:// would send credentials unencrypted; use https:// (http:// is \
             accepted only for loopback hosts)"
                .into(),
        )),
        other => Err(bad(format!(
            "the scheme {other}: is not supported; use https://"
        ))),
    }
}

fn number(property: &'static str, value: &str, min: u64, max: u64) -> Result<u64, ConnectionError> {
    value
        .trim()
        .parse::<u64>()
        .ok()
        .filter(|n| (min..=max).contains(n))
        .ok_or_else(|| ConnectionError::InvalidValue {
            property,
            value: Some(echo(value)),
            reason: format!("expected a whole number from {min} to {max}"),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    fn parse(s: &str) -> SharePointSettings {
        SharePointSettings::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn list_address_names_site_and_list() {
        let s = parse(
            "URL=https://contoso.sharepoint.com/sites/pmo/Lists/Time%20Log/AllItems.aspx;\
             TenantId=t;ClientId=c;ClientSecret=s3cret",
        );
        assert_eq!(
            s.site_url.as_str(),
            "https://contoso.sharepoint.com/sites/pmo"
        );
        assert_eq!(s.default_list.as_deref(), Some("Time Log"));
        assert_eq!(s.hostname(), "contoso.sharepoint.com");
        assert_eq!(s.site_path(), "/sites/pmo");
        assert_eq!(s.auth, SharePointAuth::ClientSecret);
        assert_eq!(s.client_secret().map(|x| x.expose_secret()), Some("s3cret"));
        assert!(!format!("{s:?}").contains("s3cret"));
    }

    #[test]
    fn other_holds_layer2_options() {
        let s = parse(
            "URL=https://contoso.sharepoint.com/sites/pmo/SitePages/Home.aspx;TenantId=t;\
             ClientId=c;Other='BatchSize=1;KeyColumn=WorklogId'",
        );
        assert_eq!(s.site_path(), "/sites/pmo");
        assert_eq!(s.batch_size, 1);
        assert_eq!(s.key_column.as_deref(), Some("WorklogId"));
    }

    #[test]
    fn authentication_names() {
        for (text, auth) in [
            ("Microsoft_Modern", SharePointAuth::DeviceCode),
            ("AppOnly", SharePointAuth::ClientSecret),
            ("certificate", SharePointAuth::Certificate),
        ] {
            assert_eq!(text.parse::<SharePointAuth>().ok(), Some(auth));
        }
        assert!("Office365".parse::<SharePointAuth>().is_err());
    }

    #[test]
    fn mistakes_are_explained() {
        let err = |s: &str| {
            SharePointSettings::parse(s)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default()
        };
        assert!(err("TenantId=t;ClientId=c").contains("needs URL="));
        assert!(
            err("URL=http://contoso.sharepoint.com/sites/x;TenantId=t;ClientId=c")
                .contains("https")
        );
        assert!(err("URL=https://contoso.sharepoint.com;ClientId=c").contains("TenantId"));
        assert!(
            err("URL=https://c.sharepoint.com;TenantId=t;ClientId=c;BatchSize=21")
                .contains("1 to 20")
        );
        assert!(
            err("URL=https://c.sharepoint.com;TenantId=t;ClientId=c;GraphURL=http://graph.example")
                .contains("loopback")
        );
        assert!(
            err("URL=https://c.sharepoint.com;TenantId=t;ClientId=c;Authentication=Certificate")
                .contains("CertificatePath")
        );
        assert!(err("URL=https://c.sharepoint.com;TenantId=t;Colour=red").contains("Colour"));
        assert!(
            err("URL=https://c.sharepoint.com;TenantId=t;ClientId=c;Tenant=u")
                .contains("more than once")
        );
        assert!(
            err(
                "URL=https://c.sharepoint.com;TenantId=t;ClientId=c;BatchSize=5;Other='BatchSize=1'"
            )
            .contains("inside Other")
        );
    }

    #[test]
    fn secret_from_environment_or_error() {
        let mut s = parse("URL=https://c.sharepoint.com/sites/a;TenantId=t;ClientId=c");
        let missing = s
            .resolve_secret(|_| None, None)
            .err()
            .map(|e| e.to_string());
        assert!(missing.is_some_and(|m| m.contains(ENV_CLIENT_SECRET)));
        s.resolve_secret(
            |name| (name == ENV_CLIENT_SECRET).then(|| "from-env".into()),
            None,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            s.client_secret().map(|x| x.expose_secret()),
            Some("from-env")
        );
    }
}
