//! Access tokens for Microsoft Graph from Entra ID (Azure AD), v2.0 endpoints.
//!
//! * Client secret: `grant_type=client_credentials` with `client_secret`.
//! * Certificate: the same grant with a `client_assertion`, a JWT signed RS256 with the app's
//!   private key whose header names the certificate by its thumbprints (`x5t`, `x5t#S256`).
//! * Device code: a person opens the verification page and types the code printed on stderr;
//!   the token endpoint is polled until they have signed in. The refresh token it returns
//!   renews the access token later without asking again.
//!
//! Tokens are cached in memory per tenant and client for the life of the process, renewed a
//! minute before they expire, and dropped when Graph answers 401 (so the next request gets a
//! fresh one). They are never written to disk.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use ring::rand::SystemRandom;
use ring::signature::{RSA_PKCS1_SHA256, RsaKeyPair};
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};
use tokio::sync::Mutex;

use super::connection::{SharePointAuth, SharePointSettings};
use super::error::GraphError;

/// The scope of app-only Graph tokens.
pub const GRAPH_DEFAULT_SCOPE: &str = "https://graph.microsoft.com/.default";
/// Delegated scopes asked for in the device-code flow.
const DEVICE_CODE_SCOPE: &str = "https://graph.microsoft.com/Sites.ReadWrite.All offline_access";
/// A token this close to expiry is renewed first.
const EXPIRY_MARGIN: Duration = Duration::from_secs(60);
/// The longest the device-code flow waits for the person to sign in.
const DEVICE_CODE_PATIENCE: Duration = Duration::from_secs(900);

/// A signing key and the certificate that names it.
struct Certificate {
    key: RsaKeyPair,
    sha1_thumbprint: String,
    sha256_thumbprint: String,
}

struct Cached {
    access: SecretString,
    refresh: Option<SecretString>,
    expires: Instant,
}

/// Gets, caches and renews tokens for one app in one tenant.
#[derive(Clone)]
pub struct TokenSource {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    settings: SharePointSettings,
    certificate: Option<Certificate>,
    cached: Mutex<Option<Cached>>,
}

impl fmt::Debug for TokenSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenSource")
            .field("tenant", &self.inner.settings.tenant)
            .field("auth", &self.inner.settings.auth)
            .finish_non_exhaustive()
    }
}

impl TokenSource {
    /// Prepares sign-in; a certificate file is read and checked now, so a bad file fails
    /// before any request.
    pub fn new(http: reqwest::Client, settings: SharePointSettings) -> Result<Self, GraphError> {
        let certificate =
            match (&settings.auth, &settings.certificate_path) {
                (SharePointAuth::Certificate, Some(path)) => {
                    let pem = std::fs::read_to_string(path).map_err(|e| {
                        GraphError::Setup(format!(
                            "cannot read the certificate file {}: {e}",
                            path.display()
                        ))
                    })?;
                    Some(Certificate::from_pem(&pem).map_err(|reason| {
                        GraphError::Setup(format!("{}: {reason}", path.display()))
                    })?)
                }
                _ => None,
            };
        Ok(TokenSource {
            inner: Arc::new(Inner {
                http,
                settings,
                certificate,
                cached: Mutex::new(None),
            }),
        })
    }

    /// A valid access token, from the cache when it has a minute left.
    pub async fn token(&self) -> Result<SecretString, GraphError> {
        let mut cached = self.inner.cached.lock().await;
        if let Some(c) = cached.as_ref()
            && c.expires > Instant::now() + EXPIRY_MARGIN
        {
            return Ok(c.access.clone());
        }
        let refresh = cached.as_ref().and_then(|c| c.refresh.clone());
        let fresh = match refresh {
            Some(refresh) => match self.refresh(&refresh).await {
                Ok(fresh) => fresh,
                // A refresh token can be revoked or expire; sign in again.
                Err(_) => self.sign_in().await?,
            },
            None => self.sign_in().await?,
        };
        let access = fresh.access.clone();
        *cached = Some(fresh);
        Ok(access)
    }

    /// Forgets the cached token after Graph rejected it.
    pub async fn invalidate(&self) {
        if let Some(c) = self.inner.cached.lock().await.as_mut() {
            c.expires = Instant::now();
        }
    }

    /// Secrets that must never appear in messages.
    pub fn secrets(&self) -> Vec<SecretString> {
        self.inner
            .settings
            .client_secret()
            .cloned()
            .into_iter()
            .collect()
    }

    fn token_url(&self) -> String {
        format!(
            "{}/{}/oauth2/v2.0/token",
            self.inner.settings.login_url.as_str().trim_end_matches('/'),
            self.inner.settings.tenant
        )
    }

    async fn sign_in(&self) -> Result<Cached, GraphError> {
        let s = &self.inner.settings;
        let mut form: Vec<(&str, String)> = vec![
            ("client_id", s.client_id.clone()),
            ("scope", GRAPH_DEFAULT_SCOPE.to_string()),
            ("grant_type", "client_credentials".to_string()),
        ];
        match s.auth {
            SharePointAuth::ClientSecret => {
                let secret = s.client_secret().ok_or_else(|| {
                    GraphError::Setup(format!(
                        "no client secret: set {} or add ClientSecret= to the SharePoint \
                         connection string",
                        super::connection::ENV_CLIENT_SECRET
                    ))
                })?;
                form.push(("client_secret", secret.expose_secret().to_string()));
            }
            SharePointAuth::Certificate => {
                let certificate = self
                    .inner
                    .certificate
                    .as_ref()
                    .ok_or_else(|| GraphError::Setup("no certificate was loaded".into()))?;
                form.push((
                    "client_assertion_type",
                    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer".into(),
                ));
                form.push((
                    "client_assertion",
                    certificate.assertion(&s.client_id, &self.token_url())?,
                ));
            }
            SharePointAuth::DeviceCode => return self.device_code().await,
        }
        self.post_token(&form).await
    }

    async fn refresh(&self, refresh: &SecretString) -> Result<Cached, GraphError> {
        let form = vec![
            ("client_id", self.inner.settings.client_id.clone()),
            ("grant_type", "refresh_token".to_string()),
            ("refresh_token", refresh.expose_secret().to_string()),
            ("scope", DEVICE_CODE_SCOPE.to_string()),
        ];
        self.post_token(&form).await
    }

    async fn device_code(&self) -> Result<Cached, GraphError> {
        let s = &self.inner.settings;
        let url = format!(
            "{}/{}/oauth2/v2.0/devicecode",
            s.login_url.as_str().trim_end_matches('/'),
            s.tenant
        );
        let form = [
            ("client_id", s.client_id.as_str()),
            ("scope", DEVICE_CODE_SCOPE),
        ];
        let (status, body) = self.post_form(&url, &form).await?;
        if !status.is_success() {
            return Err(sign_in_error(status.as_u16(), &body, s));
        }
        let field = |name: &str| body.get(name).and_then(Value::as_str).map(str::to_string);
        let device_code = field("device_code").ok_or_else(|| {
            GraphError::Protocol("the device-code answer has no device_code".into())
        })?;
        let message = field("message").unwrap_or_else(|| {
            format!(
                "To sign in, open {} and enter the code {}",
                field("verification_uri").unwrap_or_default(),
                field("user_code").unwrap_or_default()
            )
        });
        eprintln!("{message}");
        let mut interval =
            Duration::from_secs(body.get("interval").and_then(Value::as_u64).unwrap_or(5));
        let started = Instant::now();
        let poll = [
            ("client_id", s.client_id.clone()),
            (
                "grant_type",
                "urn:ietf:params:oauth:grant-type:device_code".to_string(),
            ),
            ("device_code", device_code),
        ];
        loop {
            tokio::time::sleep(interval).await;
            let (status, body) = self.post_form(&self.token_url(), &poll).await?;
            if status.is_success() {
                return parse_token(&body);
            }
            match body.get("error").and_then(Value::as_str) {
                Some("authorization_pending") if started.elapsed() < DEVICE_CODE_PATIENCE => {}
                Some("slow_down") => interval += Duration::from_secs(5),
                _ => return Err(sign_in_error(status.as_u16(), &body, s)),
            }
        }
    }

    async fn post_token(&self, form: &[(&str, String)]) -> Result<Cached, GraphError> {
        let (status, body) = self.post_form(&self.token_url(), form).await?;
        if status.is_success() {
            parse_token(&body)
        } else {
            Err(sign_in_error(status.as_u16(), &body, &self.inner.settings))
        }
    }

    async fn post_form<V: serde::Serialize + ?Sized>(
        &self,
        url: &str,
        form: &V,
    ) -> Result<(reqwest::StatusCode, Value), GraphError> {
        let response = self
            .inner
            .http
            .post(url)
            .form(form)
            .send()
            .await
            .map_err(|e| GraphError::Transport {
                what: "signing in to Entra ID".into(),
                detail: super::error::error_chain(&e),
            })?;
        let status = response.status();
        let bytes = response.bytes().await.map_err(|e| GraphError::Transport {
            what: "signing in to Entra ID".into(),
            detail: super::error::error_chain(&e),
        })?;
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Ok((status, body))
    }
}

fn parse_token(body: &Value) -> Result<Cached, GraphError> {
    let access = body
        .get("access_token")
        .and_then(Value::as_str)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| GraphError::Protocol("the token answer has no access_token".into()))?;
    let expires_in = body
        .get("expires_in")
        .and_then(|v| {
            v.as_u64()
                .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
        })
        .unwrap_or(3599);
    Ok(Cached {
        access: SecretString::from(access.to_string()),
        refresh: body
            .get("refresh_token")
            .and_then(Value::as_str)
            .map(|r| SecretString::from(r.to_string())),
        expires: Instant::now() + Duration::from_secs(expires_in),
    })
}

/// Entra ID's `{error, error_description}` as a message with a hint for the common codes.
fn sign_in_error(status: u16, body: &Value, settings: &SharePointSettings) -> GraphError {
    let code = body
        .get("error")
        .and_then(Value::as_str)
        .unwrap_or("unknown_error");
    let description = body
        .get("error_description")
        .and_then(Value::as_str)
        .and_then(|d| d.lines().next())
        .unwrap_or("(no description)")
        .to_string();
    let hint = if description.contains("AADSTS7000215") || description.contains("AADSTS7000222") {
        "the client secret is wrong or expired: create a new one under the app registration's \
         Certificates & secrets"
            .to_string()
    } else if description.contains("AADSTS700016") {
        format!(
            "no app with ClientId={} in tenant {}: check both in the Entra admin center",
            settings.client_id, settings.tenant
        )
    } else if description.contains("AADSTS90002") || description.contains("AADSTS900023") {
        format!("tenant {} was not found: check TenantId", settings.tenant)
    } else if description.contains("AADSTS700027") || description.contains("AADSTS700024") {
        "the certificate assertion was refused: upload the certificate to the app registration \
         and check the machine's clock"
            .to_string()
    } else if code == "authorization_declined" || code == "expired_token" {
        "the sign-in was not completed; run the statement again to get a new code".to_string()
    } else {
        "check TenantId, ClientId and the credentials in the SharePoint connection string".into()
    };
    GraphError::SignIn {
        status,
        code: code.to_string(),
        description,
        hint,
    }
}

impl Certificate {
    /// Reads a PEM holding a PKCS#8 `PRIVATE KEY` (or PKCS#1 `RSA PRIVATE KEY`) and its
    /// `CERTIFICATE`.
    fn from_pem(pem: &str) -> Result<Certificate, String> {
        let blocks = pem_blocks(pem);
        let find = |labels: &[&str]| {
            blocks
                .iter()
                .find(|(label, _)| labels.contains(&label.as_str()))
                .map(|(_, der)| der.clone())
        };
        let certificate =
            find(&["CERTIFICATE"]).ok_or("the file has no -----BEGIN CERTIFICATE----- block")?;
        let key = if let Some(der) = find(&["PRIVATE KEY"]) {
            RsaKeyPair::from_pkcs8(&der)
        } else if let Some(der) = find(&["RSA PRIVATE KEY"]) {
            RsaKeyPair::from_der(&der)
        } else {
            return Err("the file has no -----BEGIN PRIVATE KEY----- block".into());
        }
        .map_err(|e| format!("the private key is not a usable RSA key ({e})"))?;
        let digest = |alg| URL_SAFE_NO_PAD.encode(ring::digest::digest(alg, &certificate));
        Ok(Certificate {
            key,
            sha1_thumbprint: digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY),
            sha256_thumbprint: digest(&ring::digest::SHA256),
        })
    }

    /// A signed client assertion, valid for ten minutes.
    fn assertion(&self, client_id: &str, audience: &str) -> Result<String, GraphError> {
        let now = chrono::Utc::now().timestamp();
        let header = json!({
            "alg": "RS256",
            "typ": "JWT",
            "x5t": self.sha1_thumbprint,
            "x5t#S256": self.sha256_thumbprint,
        });
        let claims = json!({
            "aud": audience,
            "iss": client_id,
            "sub": client_id,
            "jti": jti(),
            "nbf": now,
            "iat": now,
            "exp": now + 600,
        });
        let signing_input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let mut signature = vec![0; self.key.public().modulus_len()];
        self.key
            .sign(
                &RSA_PKCS1_SHA256,
                &SystemRandom::new(),
                signing_input.as_bytes(),
                &mut signature,
            )
            .map_err(|_| GraphError::Setup("signing the client assertion failed".into()))?;
        Ok(format!(
            "{signing_input}.{}",
            URL_SAFE_NO_PAD.encode(signature)
        ))
    }
}

/// A random GUID-shaped id for `jti`.
fn jti() -> String {
    use rand::Rng as _;
    let b: [u8; 16] = rand::rng().random();
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

/// `(label, DER)` of each `-----BEGIN label-----` block.
fn pem_blocks(pem: &str) -> Vec<(String, Vec<u8>)> {
    let mut blocks = Vec::new();
    let mut current: Option<(String, String)> = None;
    for line in pem.lines().map(str::trim) {
        if let Some(label) = line
            .strip_prefix("-----BEGIN ")
            .and_then(|l| l.strip_suffix("-----"))
        {
            current = Some((label.to_string(), String::new()));
        } else if line.starts_with("-----END ") {
            if let Some((label, body)) = current.take()
                && let Ok(der) = STANDARD.decode(body)
            {
                blocks.push((label, der));
            }
        } else if let Some((_, body)) = current.as_mut() {
            body.push_str(line);
        }
    }
    blocks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pem_without_key_or_certificate_is_explained() {
        assert!(
            Certificate::from_pem("")
                .err()
                .is_some_and(|e| e.contains("CERTIFICATE"))
        );
        let only_cert = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
        assert!(
            Certificate::from_pem(only_cert)
                .err()
                .is_some_and(|e| e.contains("PRIVATE KEY"))
        );
    }

    #[test]
    fn jti_looks_like_a_guid() {
        let id = jti();
        assert_eq!(id.len(), 36);
        assert_eq!(id.matches('-').count(), 4);
    }
}
