//! The client's HTTP behaviour against a tiny local server: retries, errors, redirects, paths,
//! authentication and timeouts.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine as _;

use super::*;

const SENTINEL: &str = "SENTINEL-t0ken-9f8e7d";

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
