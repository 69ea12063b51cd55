//! End-to-end tests over HTTP: the token endpoints (secret, certificate, device code), bearer
//! checks, site/list/column routes; items, filters and delta in `tests/items.rs`; `$batch`
//! and faults in `tests/batch.rs`.

use std::time::Duration;

use reqwest::Method;
use serde_json::{Map, Value, json};

use super::{
    CertificateCredential, ColumnKind, ColumnSpec, ListSpec, SharePointEmulator,
    SharePointEmulatorConfig,
};

mod batch;
mod items;
mod lists;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/sharepoint");

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!("{FIXTURES}/{name}")).expect("fixture")
}

/// A started emulator plus a client holding an app token.
struct T {
    emu: SharePointEmulator,
    http: reqwest::Client,
    token: String,
}

struct Answer {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: Value,
}

impl Answer {
    fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    fn error_code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or("")
    }

    fn error_message(&self) -> &str {
        self.body["error"]["message"].as_str().unwrap_or("")
    }
}

async fn start(config: SharePointEmulatorConfig) -> T {
    let emu = SharePointEmulator::start(config).await.expect("start");
    let http = reqwest::Client::new();
    let mut t = T {
        emu,
        http,
        token: String::new(),
    };
    let a = t.secret_token().await;
    assert_eq!(a.status, 200, "{}", a.body);
    t.token = a.body["access_token"].as_str().expect("token").to_string();
    t
}

async fn demo() -> T {
    start(SharePointEmulatorConfig::default()).await
}

impl T {
    fn site(&self) -> String {
        format!("/sites/{}", self.emu.site_id())
    }

    fn list_url(&self, list: &str) -> String {
        format!(
            "{}/lists/{}",
            self.site(),
            self.emu.list_id(list).expect("list")
        )
    }

    async fn form(&self, endpoint: &str, form: &[(&str, &str)]) -> Answer {
        let tenant = self.emu.config().tenant_id.clone();
        let url = format!("{}/{tenant}/oauth2/v2.0/{endpoint}", self.emu.login_url());
        let r = self.http.post(url).form(form).send().await.expect("send");
        answer(r).await
    }

    async fn token_request(&self, form: &[(&str, &str)]) -> Answer {
        self.form("token", form).await
    }

    /// An app token for the configured client secret.
    async fn secret_token(&self) -> Answer {
        let c = self.emu.config();
        self.token_request(&[
            ("grant_type", "client_credentials"),
            ("client_id", &c.client_id),
            ("client_secret", &c.client_secret),
            ("scope", "https://graph.microsoft.com/.default"),
        ])
        .await
    }

    /// GET an absolute URL (a next or delta link) with this client's token.
    async fn get_url(&self, url: &str) -> Answer {
        let r = self.http.get(url).bearer_auth(&self.token).send().await;
        answer(r.expect("send")).await
    }

    /// A Graph request with this client's token and extra headers.
    async fn call(
        &self,
        method: Method,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<Value>,
    ) -> Answer {
        let mut r = self
            .http
            .request(method, format!("{}{path}", self.emu.graph_url()))
            .bearer_auth(&self.token);
        for (k, v) in headers {
            r = r.header(*k, *v);
        }
        if let Some(b) = body {
            r = r.json(&b);
        }
        answer(r.send().await.expect("send")).await
    }

    async fn get(&self, path: &str) -> Answer {
        self.call(Method::GET, path, &[], None).await
    }

    async fn post(&self, path: &str, body: Value) -> Answer {
        self.call(Method::POST, path, &[], Some(body)).await
    }

    /// Follow `@odata.nextLink` from `path`; every item of every page.
    async fn all_pages(&self, path: &str) -> (Vec<Value>, usize) {
        let mut url = format!("{}{path}", self.emu.graph_url());
        let (mut items, mut pages) = (Vec::new(), 0);
        loop {
            let a = self.get_url(&url).await;
            assert_eq!(a.status, 200, "{}", a.body);
            pages += 1;
            items.extend(a.body["value"].as_array().cloned().unwrap_or_default());
            match a.body["@odata.nextLink"].as_str() {
                Some(next) => url = next.to_string(),
                None => return (items, pages),
            }
        }
    }
}

async fn answer(r: reqwest::Response) -> Answer {
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    let text = r.text().await.expect("body");
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    Answer {
        status,
        headers,
        body,
    }
}

fn obj(v: Value) -> Map<String, Value> {
    v.as_object().cloned().unwrap_or_default()
}

fn assert_aad_error(a: &Answer, status: u16, error: &str, code: u64) {
    assert_eq!(a.status, status, "{}", a.body);
    assert_eq!(a.body["error"], error, "{}", a.body);
    assert_eq!(a.body["error_codes"], json!([code]));
    let description = a.body["error_description"].as_str().unwrap_or("");
    assert!(
        description.starts_with(&format!("AADSTS{code}: ")),
        "{description}"
    );
    assert!(description.contains("\r\nTrace ID: "), "{description}");
    for k in ["timestamp", "trace_id", "correlation_id"] {
        assert!(a.body[k].is_string(), "{k} in {}", a.body);
    }
}

#[tokio::test]
async fn client_secret_tokens_and_aad_errors() {
    let t = demo().await;
    let c = t.emu.config().clone();
    let scope = "https://graph.microsoft.com/.default";
    let good = [
        ("grant_type", "client_credentials"),
        ("client_id", c.client_id.as_str()),
        ("client_secret", c.client_secret.as_str()),
        ("scope", scope),
    ];
    let a = t.token_request(&good).await;
    assert_eq!(a.body["token_type"], "Bearer");
    assert_eq!(a.body["expires_in"], 3599);
    assert_eq!(a.body["ext_expires_in"], 3599);
    assert_eq!(
        a.body["access_token"]
            .as_str()
            .map(|s| s.split('.').count()),
        Some(3)
    );

    let with = |k: &'static str, v: &'static str| {
        good.iter()
            .map(|(a, b)| if *a == k { (*a, v) } else { (*a, *b) })
            .collect::<Vec<_>>()
    };
    let a = t.token_request(&with("client_secret", "wrong")).await;
    assert_aad_error(&a, 401, "invalid_client", 7000215);
    let a = t
        .token_request(&with("client_id", "00000000-0000-0000-0000-000000000000"))
        .await;
    assert_aad_error(&a, 400, "unauthorized_client", 700016);
    let a = t
        .token_request(&with("scope", "https://graph.microsoft.com/Sites.Read.All"))
        .await;
    assert_aad_error(&a, 400, "invalid_scope", 1002012);
    let a = t
        .token_request(&with("scope", "https://contoso.sharepoint.com/.default"))
        .await;
    assert_aad_error(&a, 400, "invalid_resource", 500011);
    let a = t.token_request(&good[1..]).await;
    assert_aad_error(&a, 400, "invalid_request", 900144);
    let a = t.token_request(&[good[0], good[1], good[3]]).await;
    assert_aad_error(&a, 401, "invalid_client", 7000218);
    let a = t.token_request(&with("grant_type", "password")).await;
    assert_aad_error(&a, 400, "unsupported_grant_type", 70003);

    let url = format!("{}/not-our-tenant/oauth2/v2.0/token", t.emu.login_url());
    let a = answer(t.http.post(url).form(&good).send().await.expect("send")).await;
    assert_aad_error(&a, 400, "invalid_request", 90002);

    // Nine token requests (plus the one `start` made), none leaking the secret.
    assert_eq!(t.emu.request_count("POST /{tenant}/oauth2/v2.0/token"), 10);
    let log = format!("{:?}{:?}", t.emu.requests(), t.emu.config());
    assert!(!log.contains(&c.client_secret));
    assert!(log.contains("<redacted>"));
}

fn jwt(key_pem: &str, x5t: &str, claims: &Value) -> String {
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
    header.x5t = Some(x5t.to_string());
    let key = jsonwebtoken::EncodingKey::from_rsa_pem(key_pem.as_bytes()).expect("key");
    jsonwebtoken::encode(&header, claims, &key).expect("sign")
}

#[tokio::test]
async fn certificate_assertions() {
    let x5t = fixture("test-app-x5t.txt").trim().to_string();
    let t = start(SharePointEmulatorConfig {
        certificate: Some(CertificateCredential {
            public_key_pem: fixture("test-app-public.pem"),
            x5t: x5t.clone(),
        }),
        ..SharePointEmulatorConfig::default()
    })
    .await;
    let c = t.emu.config().clone();
    let aud = format!("{}/{}/oauth2/v2.0/token", t.emu.login_url(), c.tenant_id);
    let now = chrono::Utc::now().timestamp();
    let claims = json!({"aud": aud, "iss": c.client_id, "sub": c.client_id,
        "jti": "0b6e3a4f-1c2d-4e5f-8a9b-0c1d2e3f4a5b", "nbf": now, "iat": now, "exp": now + 600});
    let key = fixture("test-app-key.pem");
    let request = |assertion: String| {
        let c = c.clone();
        let t = &t;
        async move {
            t.token_request(&[
                ("grant_type", "client_credentials"),
                ("client_id", &c.client_id),
                ("scope", "https://graph.microsoft.com/.default"),
                (
                    "client_assertion_type",
                    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                ),
                ("client_assertion", &assertion),
            ])
            .await
        }
    };
    let a = request(jwt(&key, &x5t, &claims)).await;
    assert_eq!(a.status, 200, "{}", a.body);
    let token = a.body["access_token"].as_str().unwrap_or("").to_string();
    let site = t
        .http
        .get(format!("{}/sites/{}", t.emu.graph_url(), t.emu.site_id()))
        .bearer_auth(token)
        .send()
        .await
        .expect("send");
    assert_eq!(site.status(), 200);

    let a = request(jwt(&fixture("other-key.pem"), &x5t, &claims)).await;
    assert_aad_error(&a, 401, "invalid_client", 700027);
    assert!(
        a.body["error_description"]
            .as_str()
            .unwrap_or("")
            .contains("did not match")
    );
    let a = request(jwt(&key, "AAAAAAAAAAAAAAAAAAAAAAAAAAA", &claims)).await;
    assert_aad_error(&a, 401, "invalid_client", 700027);
    assert!(
        a.body["error_description"]
            .as_str()
            .unwrap_or("")
            .contains("The key was not found.")
    );
    let mut wrong = claims.clone();
    wrong["aud"] = "https://example.com/token".into();
    assert_aad_error(
        &request(jwt(&key, &x5t, &wrong)).await,
        401,
        "invalid_client",
        700023,
    );
    let mut wrong = claims.clone();
    wrong["iss"] = "someone-else".into();
    assert_aad_error(
        &request(jwt(&key, &x5t, &wrong)).await,
        401,
        "invalid_client",
        700021,
    );
    let mut wrong = claims.clone();
    wrong["exp"] = (now - 60).into();
    assert_aad_error(
        &request(jwt(&key, &x5t, &wrong)).await,
        401,
        "invalid_client",
        700024,
    );
    assert_aad_error(
        &request("not-a-jwt".into()).await,
        400,
        "invalid_request",
        50027,
    );
}

#[tokio::test]
async fn bearer_tokens_are_checked_and_expire() {
    let t = demo().await;
    let url = format!("{}{}", t.emu.graph_url(), t.site());
    let a = answer(t.http.get(&url).send().await.expect("send")).await;
    assert_eq!(a.status, 401);
    assert_eq!(a.error_code(), "InvalidAuthenticationToken");
    assert_eq!(a.error_message(), "Access token is empty.");
    assert!(a.header("www-authenticate").starts_with("Bearer"));
    let a = answer(
        t.http
            .get(&url)
            .bearer_auth("eyJ.forged.x")
            .send()
            .await
            .expect("send"),
    )
    .await;
    assert_eq!(a.error_message(), "Access token validation failure.");
    assert_eq!(t.get(&t.site()).await.status, 200);
    t.emu.faults().expire_tokens();
    let a = t.get(&t.site()).await;
    assert_eq!(a.status, 401);
    assert_eq!(
        a.error_message(),
        "Lifetime validation failed, the token is expired."
    );
    // A fresh token works again.
    let a = t.secret_token().await;
    let fresh = T {
        token: a.body["access_token"].as_str().unwrap_or("").to_string(),
        http: t.http.clone(),
        emu: t.emu,
    };
    assert_eq!(fresh.get(&fresh.site()).await.status, 200);
    assert_eq!(fresh.emu.request_count("GET /v1.0/sites/{site}"), 5);
}

#[tokio::test]
async fn device_code_flow_with_refresh() {
    let t = start(SharePointEmulatorConfig {
        device_code_pending_polls: 2,
        ..SharePointEmulatorConfig::default()
    })
    .await;
    let client = t.emu.config().client_id.clone();
    let scope = "https://graph.microsoft.com/Sites.ReadWrite.All offline_access";
    let a = t
        .form("devicecode", &[("client_id", &client), ("scope", scope)])
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
    for k in ["user_code", "device_code", "verification_uri", "message"] {
        assert!(a.body[k].is_string(), "{k}");
    }
    assert_eq!(a.body["expires_in"], 900);
    assert_eq!(a.body["interval"], 5);
    assert!(a.body.get("verification_uri_complete").is_none());
    let device = a.body["device_code"].as_str().unwrap_or("").to_string();
    let poll = [
        ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
        ("client_id", client.as_str()),
        ("device_code", device.as_str()),
    ];
    for _ in 0..2 {
        let a = t.token_request(&poll).await;
        assert_aad_error(&a, 400, "authorization_pending", 70016);
    }
    let a = t.token_request(&poll).await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(
        a.body["scope"],
        "https://graph.microsoft.com/Sites.ReadWrite.All"
    );
    let refresh = a.body["refresh_token"].as_str().unwrap_or("").to_string();
    assert!(!refresh.is_empty());
    // The code is spent.
    assert_aad_error(
        &t.token_request(&poll).await,
        400,
        "bad_verification_code",
        70000,
    );

    let refresh_form = [
        ("grant_type", "refresh_token"),
        ("client_id", client.as_str()),
        ("refresh_token", refresh.as_str()),
    ];
    let a = t.token_request(&refresh_form).await;
    assert_eq!(a.status, 200, "{}", a.body);
    let user_token = a.body["access_token"].as_str().unwrap_or("").to_string();
    assert_ne!(a.body["refresh_token"], refresh);
    assert_aad_error(
        &t.token_request(&refresh_form).await,
        400,
        "invalid_grant",
        9002313,
    );

    // Items written with the user's token are the user's.
    let user = T {
        emu: SharePointEmulator::start(SharePointEmulatorConfig::default())
            .await
            .expect("start"),
        http: t.http.clone(),
        token: user_token,
    };
    // That token belongs to the first emulator: the second refuses it.
    assert_eq!(user.get(&user.site()).await.status, 401);
    let u = T {
        emu: t.emu,
        http: t.http.clone(),
        token: user.token.clone(),
    };
    let a = u
        .post(
            &format!("{}/items", u.list_url("TimeLog")),
            json!({"fields": {"IssueKey": "PMO-1"}}),
        )
        .await;
    assert_eq!(a.status, 201, "{}", a.body);
    assert_eq!(a.body["createdBy"]["user"]["displayName"], "Megan Bowen");
    assert_eq!(a.body["fields"]["AuthorLookupId"], "7");
    assert!(a.body["fields"].get("AppAuthorLookupId").is_none());
}

#[tokio::test]
async fn site_addressing() {
    let t = demo().await;
    let c = t.emu.config().clone();
    let by_path = t
        .get(&format!("/sites/{}:{}", c.hostname, c.site_path))
        .await;
    assert_eq!(by_path.status, 200, "{}", by_path.body);
    let id = t.emu.site_id();
    assert_eq!(by_path.body["id"], id.as_str());
    assert_eq!(id.split(',').count(), 3);
    assert!(id.starts_with("contoso.sharepoint.com,"));
    assert_eq!(by_path.body["displayName"], "PMO");
    assert_eq!(
        by_path.body["webUrl"],
        "https://contoso.sharepoint.com/sites/pmo"
    );
    assert!(
        by_path
            .header("content-type")
            .starts_with("application/json;odata.metadata=minimal")
    );
    assert_eq!(by_path.header("odata-version"), "4.0");
    assert!(!by_path.header("request-id").is_empty());
    for p in [
        format!("/sites/{}:{}:/", c.hostname, c.site_path),
        format!("/sites/{}:{}:", c.hostname, c.site_path),
        format!("/sites/{}", id.replace(',', "%2C")),
    ] {
        let a = t.get(&p).await;
        assert_eq!(
            (a.status, a.body["id"].as_str()),
            (200, Some(id.as_str())),
            "{p}"
        );
    }
    let lists = t
        .get(&format!("/sites/{}:{}:/lists", c.hostname, c.site_path))
        .await;
    assert_eq!(lists.body["value"].as_array().map(Vec::len), Some(3));
    let a = t.get(&format!("/sites/{}:/sites/other", c.hostname)).await;
    assert_eq!((a.status, a.error_code()), (404, "itemNotFound"));
    assert_eq!(a.error_message(), "Requested site could not be found");
    let a = t.get(&format!("{}/drives", t.site())).await;
    assert_eq!(a.status, 400);
    assert_eq!(
        a.error_message(),
        "Resource not found for the segment 'drives'."
    );
    let a = answer(
        t.http
            .get(format!("{}/beta/sites", t.emu.base_url()))
            .send()
            .await
            .expect("send"),
    )
    .await;
    assert_eq!(a.error_message(), "Invalid version: beta");
    assert_eq!(t.emu.request_count("GET /v1.0/sites/{site}"), 4);
    assert_eq!(t.emu.request_count("GET /v1.0/sites/{site}/lists"), 1);
}

#[tokio::test]
async fn lists_paging_filter_and_columns() {
    let t = demo().await;
    let (all, pages) = t.all_pages(&format!("{}/lists?$top=1", t.site())).await;
    assert_eq!(pages, 3);
    let names: Vec<&str> = all
        .iter()
        .filter_map(|l| l["displayName"].as_str())
        .collect();
    assert_eq!(names, ["TimeLog", "Issues", "Sprint Burndown"]);
    let burndown = &all[2];
    assert_eq!(burndown["name"], "SprintBurndown");
    assert_eq!(burndown["list"]["template"], "genericList");
    let etag = burndown["eTag"].as_str().unwrap_or("");
    assert!(etag.starts_with('"') && etag.ends_with('"'));

    let a = t
        .get(&format!(
            "{}/lists?$filter=displayName eq 'Sprint Burndown'",
            t.site()
        ))
        .await;
    assert_eq!(a.body["value"][0]["id"], burndown["id"]);
    assert_eq!(a.body["value"].as_array().map(Vec::len), Some(1));
    let a = t
        .get(&format!("{}/lists?$filter=name eq 'Issues'", t.site()))
        .await;
    assert_eq!((a.status, a.error_code()), (400, "invalidRequest"));
    assert_eq!(
        a.error_message(),
        "The provided filter statement is not supported"
    );

    for key in [
        "Sprint%20Burndown",
        "sprintburndown",
        burndown["id"].as_str().unwrap_or(""),
    ] {
        let a = t.get(&format!("{}/lists/{key}", t.site())).await;
        assert_eq!(a.body["id"], burndown["id"], "{key}");
    }
    let a = t.get(&format!("{}/lists/Nope", t.site())).await;
    assert_eq!((a.status, a.error_code()), (404, "itemNotFound"));

    let a = t
        .get(&format!("{}/columns", t.list_url("Sprint Burndown")))
        .await;
    let cols = a.body["value"].as_array().cloned().unwrap_or_default();
    let col = |n: &str| {
        cols.iter()
            .find(|c| c["name"] == n)
            .cloned()
            .unwrap_or(Value::Null)
    };
    assert_eq!(col("Title")["text"]["maxLength"], 255);
    assert_eq!(col("Title")["required"], true);
    assert_eq!(col("Sprint_x0020_Name")["displayName"], "Sprint Name");
    assert_eq!(col("Sprint_x0020_Name")["indexed"], true);
    assert_eq!(col("Day")["dateTime"]["format"], "dateOnly");
    assert_eq!(col("Created")["readOnly"], true);
    let facets = [
        "text",
        "number",
        "dateTime",
        "boolean",
        "choice",
        "lookup",
        "personOrGroup",
    ];
    for c in &cols {
        let n = facets.iter().filter(|f| c.get(**f).is_some()).count();
        assert_eq!(n, 1, "exactly one type facet: {c}");
    }
    let a = t.get(&format!("{}/columns", t.list_url("TimeLog"))).await;
    let cols = a.body["value"].as_array().cloned().unwrap_or_default();
    let author: Vec<&Value> = cols
        .iter()
        .filter(|c| c["displayName"] == "Author")
        .collect();
    assert_eq!(author.len(), 1);
    assert_eq!(author[0]["name"], "Author0");
    assert!(
        cols.iter()
            .any(|c| c["name"] == "Title" && c["required"] == false)
    );
    let worklog = cols
        .iter()
        .find(|c| c["name"] == "WorklogId")
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        (
            worklog["indexed"].clone(),
            worklog["enforceUniqueValues"].clone()
        ),
        (json!(true), json!(true))
    );
    let a = t.get(&format!("{}/columns", t.list_url("Issues"))).await;
    let labels = a.body["value"]
        .as_array()
        .and_then(|v| v.iter().find(|c| c["name"] == "Labels").cloned())
        .unwrap_or_default();
    assert_eq!(labels["choice"]["displayAs"], "checkBoxes");
}

/// A list for tests with one column of each kind.
fn kinds_list() -> ListSpec {
    ListSpec::new("Kinds")
        .column(ColumnSpec::new("Key", ColumnKind::text()).unique())
        .column(ColumnSpec::new(
            "Short",
            ColumnKind::Text {
                max_length: 5,
                multiline: false,
            },
        ))
        .column(ColumnSpec::new(
            "Amount",
            ColumnKind::Number { decimals: Some(2) },
        ))
        .column(ColumnSpec::new(
            "When",
            ColumnKind::DateTime { date_only: false },
        ))
        .column(ColumnSpec::new("Flag", ColumnKind::Boolean))
        .column(ColumnSpec::new(
            "Color",
            ColumnKind::choice(&["Red", "Blue"]),
        ))
        .column(ColumnSpec::new(
            "Tags",
            ColumnKind::multi_choice(&["a", "b"]),
        ))
        .column(ColumnSpec::new(
            "Parent",
            ColumnKind::Lookup {
                list: "Kinds".into(),
            },
        ))
        .column(ColumnSpec::new("Locked", ColumnKind::text()).read_only())
}

#[tokio::test]
async fn seeded_items_from_config() {
    let mut fields = Map::new();
    fields.insert("IssueKey".into(), "PMO-7".into());
    let emu = SharePointEmulator::start(SharePointEmulatorConfig {
        items: vec![("TimeLog".into(), fields.clone())],
        latency: Duration::ZERO,
        ..SharePointEmulatorConfig::default()
    })
    .await
    .expect("start");
    let items = emu.items("TimeLog");
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].fields, fields);
    let bad = SharePointEmulator::start(SharePointEmulatorConfig {
        items: vec![("Nope".into(), fields)],
        ..SharePointEmulatorConfig::default()
    })
    .await;
    assert!(bad.is_err());
    assert!(emu.insert_item("Issues", obj(json!({"Nope": 1}))).is_err());
}

#[tokio::test]
async fn tokens_expire_after_their_lifetime() {
    let t = start(SharePointEmulatorConfig {
        token_lifetime: Duration::ZERO,
        ..SharePointEmulatorConfig::default()
    })
    .await;
    let a = t.secret_token().await;
    assert_eq!(a.body["expires_in"], 0);
    let a = t.get(&t.site()).await;
    assert_eq!(a.status, 401);
    assert_eq!(
        a.error_message(),
        "Lifetime validation failed, the token is expired."
    );
}
