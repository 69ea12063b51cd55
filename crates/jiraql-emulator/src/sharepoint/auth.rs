//! The Entra ID (Azure AD) v2 endpoints and bearer-token checks.
//!
//! `POST /{tenant}/oauth2/v2.0/token` takes `client_credentials` (with `client_secret`, or a
//! JWT `client_assertion` signed with the registered certificate's key), the device-code
//! grant and `refresh_token`; `POST /{tenant}/oauth2/v2.0/devicecode` starts the device flow,
//! which the emulated user approves after a configured number of polls. Errors are AAD's JSON
//! (`error`, `error_description` starting with the AADSTS code, `error_codes`, `timestamp`,
//! `trace_id`, `correlation_id`). Issued access tokens are opaque JWT-shaped strings that only
//! this emulator accepts, each remembered with its expiry.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Utc;
use rand::Rng;
use serde_json::{Map, Value, json};

use super::graph::Reply;
use super::model::{Principal, random_guid};
use super::server::Shared;

/// The only resource this emulator issues tokens for.
pub(crate) const GRAPH_RESOURCE: &str = "https://graph.microsoft.com";
const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
const DEVICE_CODE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";
const VERIFICATION_URI: &str = "https://microsoft.com/devicelogin";
const DEVICE_CODE_LIFETIME: Duration = Duration::from_secs(900);

struct AccessToken {
    principal: Principal,
    expires: Instant,
    /// `SharePointFaults::expire_tokens` generation at issue.
    generation: u64,
}

struct DeviceCode {
    user_code: String,
    scope: String,
    polls: u32,
    expires: Instant,
}

/// Issued tokens and pending device codes.
#[derive(Default)]
pub(crate) struct AuthState {
    access: HashMap<String, AccessToken>,
    refresh: HashMap<String, String>,
    device: HashMap<String, DeviceCode>,
}

/// Why a bearer token was refused (each has Graph's own message).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenProblem {
    Missing,
    Unknown,
    Expired,
}

impl TokenProblem {
    pub fn message(self) -> &'static str {
        match self {
            TokenProblem::Missing => "Access token is empty.",
            TokenProblem::Unknown => "Access token validation failure.",
            TokenProblem::Expired => "Lifetime validation failed, the token is expired.",
        }
    }
}

/// Who an `Authorization` header value authenticates.
pub(crate) fn check_bearer(
    shared: &Shared,
    header: Option<&str>,
) -> Result<Principal, TokenProblem> {
    let value = header.map(str::trim).unwrap_or("");
    let token = match value.split_once(' ') {
        Some((scheme, t)) if scheme.eq_ignore_ascii_case("bearer") => t.trim(),
        _ => "",
    };
    if token.is_empty() {
        return Err(TokenProblem::Missing);
    }
    let generation = shared.faults.token_generation();
    let st = shared.auth();
    let t = st.access.get(token).ok_or(TokenProblem::Unknown)?;
    if t.generation < generation || Instant::now() >= t.expires {
        return Err(TokenProblem::Expired);
    }
    Ok(t.principal)
}

/// AAD's error JSON: `description` starts with the AADSTS code.
fn aad_error(status: u16, error: &str, code: u32, description: &str) -> Reply {
    let trace = random_guid();
    let correlation = random_guid();
    let timestamp = Utc::now().format("%Y-%m-%d %H:%M:%SZ").to_string();
    let body = json!({
        "error": error,
        "error_description": format!(
            "AADSTS{code}: {description}\r\nTrace ID: {trace}\r\nCorrelation ID: {correlation}\r\nTimestamp: {timestamp}"
        ),
        "error_codes": [code],
        "timestamp": timestamp,
        "trace_id": trace,
        "correlation_id": correlation,
        "error_uri": format!("https://login.microsoftonline.com/error?code={code}"),
    });
    aad_reply(status, body)
}

fn aad_reply(status: u16, body: Value) -> Reply {
    Reply {
        status,
        headers: vec![
            (
                "Content-Type".into(),
                "application/json; charset=utf-8".into(),
            ),
            ("Cache-Control".into(), "no-store, no-cache".into()),
            ("Pragma".into(), "no-cache".into()),
        ],
        body: Some(body),
        delay: None,
    }
}

fn random_token(bytes: usize) -> String {
    let raw: Vec<u8> = (0..bytes).map(|_| rand::rng().random()).collect();
    URL_SAFE_NO_PAD.encode(raw)
}

/// A form body as pairs.
pub(crate) fn form(body: &[u8]) -> Vec<(String, String)> {
    url::form_urlencoded::parse(body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// A form body for the request log, secrets replaced.
pub(crate) fn redacted_form(body: &[u8]) -> Value {
    let mut m = Map::new();
    for (k, v) in form(body) {
        let secret = matches!(
            k.as_str(),
            "client_secret" | "client_assertion" | "refresh_token" | "device_code" | "code"
        );
        m.insert(
            k,
            Value::String(if secret { "<redacted>".into() } else { v }),
        );
    }
    Value::Object(m)
}

fn param<'a>(form: &'a [(String, String)], name: &str) -> Option<&'a str> {
    form.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.is_empty())
}

fn missing(name: &str) -> Reply {
    aad_error(
        400,
        "invalid_request",
        900144,
        &format!("The request body must contain the following parameter: '{name}'."),
    )
}

/// The tenant segment names ours: its GUID, or `<name>.onmicrosoft.com`; the multi-tenant
/// aliases only where `multi_ok` (public-client flows).
fn tenant_ok(shared: &Shared, tenant: &str, multi_ok: bool) -> bool {
    let c = &shared.config;
    let domain = format!(
        "{}.onmicrosoft.com",
        c.hostname.split('.').next().unwrap_or_default()
    );
    tenant.eq_ignore_ascii_case(&c.tenant_id)
        || tenant.eq_ignore_ascii_case(&domain)
        || (multi_ok
            && (tenant.eq_ignore_ascii_case("organizations")
                || tenant.eq_ignore_ascii_case("common")))
}

fn unknown_tenant(tenant: &str) -> Reply {
    aad_error(
        400,
        "invalid_request",
        90002,
        &format!(
            "Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant."
        ),
    )
}

/// Check `client_id`; `Err` is the answer to send.
fn client_ok(shared: &Shared, tenant: &str, form: &[(String, String)]) -> Result<(), Reply> {
    let Some(client) = param(form, "client_id") else {
        return Err(missing("client_id"));
    };
    if !client.eq_ignore_ascii_case(&shared.config.client_id) {
        return Err(aad_error(
            400,
            "unauthorized_client",
            700016,
            &format!(
                "Application with identifier '{client}' was not found in the directory '{tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant."
            ),
        ));
    }
    Ok(())
}

/// `POST /{tenant}/oauth2/v2.0/token`.
pub(crate) fn token(shared: &Shared, tenant: &str, body: &[u8]) -> Reply {
    let form = form(body);
    let Some(grant) = param(&form, "grant_type") else {
        return missing("grant_type");
    };
    let multi_ok = grant != "client_credentials";
    if !tenant_ok(shared, tenant, multi_ok) {
        return unknown_tenant(tenant);
    }
    if let Err(r) = client_ok(shared, tenant, &form) {
        return r;
    }
    match grant {
        "client_credentials" => client_credentials(shared, tenant, &form),
        DEVICE_CODE_GRANT => device_code_grant(shared, &form),
        "refresh_token" => refresh_grant(shared, &form),
        other => aad_error(
            400,
            "unsupported_grant_type",
            70003,
            &format!("The app requested an unsupported grant type '{other}'."),
        ),
    }
}

fn client_credentials(shared: &Shared, tenant: &str, form: &[(String, String)]) -> Reply {
    let Some(scope) = param(form, "scope") else {
        return missing("scope");
    };
    let want = format!("{GRAPH_RESOURCE}/.default");
    if scope.trim() != want {
        return if let Some(resource) = scope.trim().strip_suffix("/.default") {
            aad_error(
                400,
                "invalid_resource",
                500011,
                &format!(
                    "The resource principal named {resource} was not found in the tenant named {tenant}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant."
                ),
            )
        } else {
            aad_error(
                400,
                "invalid_scope",
                1002012,
                &format!(
                    "The provided value for scope {scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI)."
                ),
            )
        };
    }
    let client_id = &shared.config.client_id;
    if let Some(assertion) = param(form, "client_assertion") {
        if param(form, "client_assertion_type") != Some(JWT_BEARER) {
            return aad_error(
                400,
                "invalid_request",
                50027,
                "JWT token is invalid or malformed.",
            );
        }
        if let Err(r) = verify_assertion(shared, tenant, assertion) {
            return r;
        }
    } else if let Some(secret) = param(form, "client_secret") {
        if secret != shared.config.client_secret {
            return aad_error(
                401,
                "invalid_client",
                7000215,
                &format!(
                    "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{client_id}'."
                ),
            );
        }
    } else {
        return aad_error(
            401,
            "invalid_client",
            7000218,
            "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
        );
    }
    let (access, expires_in) = issue(shared, Principal::App, "");
    aad_reply(
        200,
        json!({
            "token_type": "Bearer",
            "expires_in": expires_in,
            "ext_expires_in": expires_in,
            "access_token": access,
        }),
    )
}

/// Check a JWT client assertion against the registered certificate.
fn verify_assertion(shared: &Shared, tenant: &str, assertion: &str) -> Result<(), Reply> {
    use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode, decode_header};
    let malformed = || {
        aad_error(
            400,
            "invalid_request",
            50027,
            "JWT token is invalid or malformed.",
        )
    };
    let header = decode_header(assertion).map_err(|_| malformed())?;
    let client_id = &shared.config.client_id;
    let thumbprint = header.x5t.clone().unwrap_or_default();
    let bad_key = |reason: &str| {
        let hex: String = URL_SAFE_NO_PAD
            .decode(thumbprint.trim_end_matches('='))
            .map(|b| b.iter().map(|x| format!("{x:02X}")).collect())
            .unwrap_or_default();
        aad_error(
            401,
            "invalid_client",
            700027,
            &format!(
                "Client assertion contains an invalid signature. [Reason - {reason}, Thumbprint of key used by client: '{hex}', Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '{client_id}'. Review the documentation at https://docs.microsoft.com/en-us/graph/deployments to determine the corresponding service endpoint and https://docs.microsoft.com/en-us/graph/api/application-get?view=graph-rest-1.0&tabs=http to build a query request URL, such as 'https://graph.microsoft.com/beta/applications/{client_id}']"
            ),
        )
    };
    let Some(cert) = shared
        .config
        .certificate
        .as_ref()
        .filter(|c| c.x5t.trim_end_matches('=') == thumbprint.trim_end_matches('='))
    else {
        return Err(bad_key("The key was not found."));
    };
    if !matches!(header.alg, Algorithm::RS256 | Algorithm::PS256) {
        return Err(malformed());
    }
    let key = DecodingKey::from_rsa_pem(cert.public_key_pem.as_bytes())
        .map_err(|_| bad_key("The key was not found."))?;
    let mut validation = Validation::new(header.alg);
    validation.validate_exp = false;
    validation.validate_aud = false;
    validation.required_spec_claims.clear();
    let claims = match decode::<Value>(assertion, &key, &validation) {
        Ok(data) => data.claims,
        Err(e) if matches!(e.kind(), jsonwebtoken::errors::ErrorKind::InvalidSignature) => {
            return Err(bad_key(
                "The provided signature value did not match the expected signature value.",
            ));
        }
        Err(_) => return Err(malformed()),
    };
    let claim = |n: &str| claims.get(n).and_then(Value::as_str).unwrap_or_default();
    let aud_ok = {
        let ours = format!("{}/{tenant}/oauth2/v2.0/token", shared.base_url);
        let real = format!("https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token");
        let aud = claim("aud").trim_end_matches('/');
        aud.eq_ignore_ascii_case(&ours) || aud.eq_ignore_ascii_case(&real)
    };
    if !aud_ok {
        return Err(aad_error(
            401,
            "invalid_client",
            700023,
            "Client assertion audience claim does not match Realm issuer. Review the documentation at https://aka.ms/certCredentials for details.",
        ));
    }
    if !claim("iss").eq_ignore_ascii_case(client_id)
        || !claim("sub").eq_ignore_ascii_case(client_id)
    {
        return Err(aad_error(
            401,
            "invalid_client",
            700021,
            "Client assertion application identifier doesn't match 'client_id' parameter. Review the documentation at https://aka.ms/certCredentials for details.",
        ));
    }
    let now = Utc::now().timestamp();
    let exp = claims.get("exp").and_then(Value::as_i64);
    let nbf = claims
        .get("nbf")
        .and_then(Value::as_i64)
        .unwrap_or(i64::MIN);
    // AAD allows five minutes of clock skew on `nbf`.
    let valid = exp.is_some_and(|e| now < e) && nbf <= now + 300;
    if !valid {
        let show = |t: Option<i64>| {
            t.and_then(|t| chrono::DateTime::from_timestamp(t, 0))
                .map_or_else(|| "(none)".to_string(), |d| d.to_string())
        };
        return Err(aad_error(
            401,
            "invalid_client",
            700024,
            &format!(
                "Client assertion is not within its valid time range. Current time: {}, assertion valid from {}, expiry time of assertion {}. Review the documentation at https://aka.ms/certCredentials for details.",
                Utc::now(),
                show(claims.get("nbf").and_then(Value::as_i64)),
                show(exp)
            ),
        ));
    }
    Ok(())
}

/// Remember and return a new access token (and its `expires_in`).
fn issue(shared: &Shared, principal: Principal, scope: &str) -> (String, u64) {
    let c = &shared.config;
    let lifetime = c.token_lifetime;
    let now = Utc::now().timestamp();
    let header = json!({"typ": "JWT", "alg": "RS256", "x5t": "jiraql-emulator"});
    let mut claims = json!({
        "aud": GRAPH_RESOURCE,
        "iss": format!("https://sts.windows.net/{}/", c.tenant_id),
        "iat": now,
        "nbf": now,
        "exp": now + lifetime.as_secs() as i64,
        "appid": c.client_id,
        "tid": c.tenant_id,
        "uti": random_token(16),
    });
    match principal {
        Principal::User => {
            claims["idtyp"] = "user".into();
            claims["scp"] = scope.into();
            claims["upn"] = super::graph::DEMO_USER_EMAIL.into();
        }
        _ => {
            claims["idtyp"] = "app".into();
            claims["roles"] = json!(["Sites.ReadWrite.All"]);
        }
    }
    let part = |v: &Value| URL_SAFE_NO_PAD.encode(v.to_string());
    let token = format!("{}.{}.{}", part(&header), part(&claims), random_token(32));
    let generation = shared.faults.token_generation();
    shared.auth().access.insert(
        token.clone(),
        AccessToken {
            principal,
            expires: Instant::now() + lifetime,
            generation,
        },
    );
    (token, lifetime.as_secs())
}

/// `POST /{tenant}/oauth2/v2.0/devicecode`.
pub(crate) fn device_code(shared: &Shared, tenant: &str, body: &[u8]) -> Reply {
    let form = form(body);
    if !tenant_ok(shared, tenant, true) {
        return unknown_tenant(tenant);
    }
    if let Err(r) = client_ok(shared, tenant, &form) {
        return r;
    }
    let Some(scope) = param(&form, "scope") else {
        return missing("scope");
    };
    let letters: Vec<char> = "BCDFGHJKLMNPQRSTVWXZ23456789".chars().collect();
    let user_code: String = (0..9)
        .map(|_| letters[rand::rng().random_range(0..letters.len())])
        .collect();
    let device = random_token(96);
    shared.auth().device.insert(
        device.clone(),
        DeviceCode {
            user_code: user_code.clone(),
            scope: scope.to_string(),
            polls: 0,
            expires: Instant::now() + DEVICE_CODE_LIFETIME,
        },
    );
    aad_reply(
        200,
        json!({
            "user_code": user_code,
            "device_code": device,
            "verification_uri": VERIFICATION_URI,
            "expires_in": DEVICE_CODE_LIFETIME.as_secs(),
            "interval": shared.config.device_code_interval,
            "message": format!(
                "To sign in, use a web browser to open the page {VERIFICATION_URI} and enter the code {user_code} to authenticate."
            ),
        }),
    )
}

fn device_code_grant(shared: &Shared, form: &[(String, String)]) -> Reply {
    let Some(code) = param(form, "device_code") else {
        return missing("device_code");
    };
    let pending_polls = shared.config.device_code_pending_polls;
    let scope = {
        let mut st = shared.auth();
        let Some(d) = st.device.get_mut(code) else {
            return aad_error(
                400,
                "bad_verification_code",
                70000,
                "The device_code sent to the /token endpoint wasn't recognized.",
            );
        };
        if Instant::now() >= d.expires {
            st.device.remove(code);
            return aad_error(400, "expired_token", 70019, "Verification code expired.");
        }
        if d.polls < pending_polls {
            d.polls += 1;
            return aad_error(
                400,
                "authorization_pending",
                70016,
                "OAuth 2.0 device flow error. Authorization is pending. Continue polling.",
            );
        }
        tracing::debug!("device code {} approved", d.user_code);
        let scope = d.scope.clone();
        st.device.remove(code);
        scope
    };
    delegated_tokens(shared, &scope)
}

fn refresh_grant(shared: &Shared, form: &[(String, String)]) -> Reply {
    let Some(refresh) = param(form, "refresh_token") else {
        return missing("refresh_token");
    };
    // Refresh tokens rotate: the old one is spent.
    let Some(scope) = shared.auth().refresh.remove(refresh) else {
        return aad_error(
            400,
            "invalid_grant",
            9002313,
            "Invalid request. Request is malformed or invalid.",
        );
    };
    delegated_tokens(shared, &scope)
}

/// Tokens for the demo user: a refresh token when `offline_access` was asked for.
fn delegated_tokens(shared: &Shared, scope: &str) -> Reply {
    let scopes: Vec<&str> = scope.split_whitespace().collect();
    let granted: Vec<&str> = scopes
        .iter()
        .copied()
        .filter(|s| !matches!(*s, "offline_access" | "openid" | "profile" | "email"))
        .collect();
    let (access, expires_in) = issue(shared, Principal::User, &granted.join(" "));
    let mut body = json!({
        "token_type": "Bearer",
        "scope": granted.join(" "),
        "expires_in": expires_in,
        "ext_expires_in": expires_in,
        "access_token": access,
    });
    if scopes.contains(&"offline_access") {
        let refresh = random_token(64);
        shared
            .auth()
            .refresh
            .insert(refresh.clone(), scope.to_string());
        body["refresh_token"] = refresh.into();
    }
    if scopes.contains(&"openid") {
        let claims = json!({"aud": shared.config.client_id, "preferred_username": super::graph::DEMO_USER_EMAIL, "name": super::graph::DEMO_USER_NAME});
        body["id_token"] = format!(
            "{}.{}.",
            URL_SAFE_NO_PAD.encode(r#"{"typ":"JWT","alg":"none"}"#),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        )
        .into();
    }
    aad_reply(200, body)
}
