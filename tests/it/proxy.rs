//! Behind a reverse proxy on another port (a common corporate set-up), Jira's absolute
//! `nextPage` links name the upstream host. jiraql never follows them: the changes feeds
//! (`worklog/updated`, `worklog/deleted`) are paged by `since`, so the same rows come back
//! through the proxy as directly.

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::response::Response;

use crate::common;

/// Forwards every request to `upstream` as it came, and its answer back as it went.
async fn forward(State(upstream): State<String>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let bytes = to_bytes(body, usize::MAX).await.unwrap_or_default();
    let path = parts.uri.path_and_query().map_or("/", |p| p.as_str());
    let mut sent = reqwest::Client::new()
        .request(parts.method.clone(), format!("{upstream}{path}"))
        .body(bytes.to_vec());
    for (name, value) in &parts.headers {
        if name != "host" {
            sent = sent.header(name, value);
        }
    }
    let answer = sent.send().await.expect("upstream answers");
    let mut response = Response::builder().status(answer.status());
    for (name, value) in answer.headers() {
        response = response.header(name, value);
    }
    let body = answer.bytes().await.expect("upstream body");
    response.body(Body::from(body)).expect("response")
}

#[tokio::test]
async fn changes_feeds_page_through_a_proxy_like_directly() {
    let direct = common::site(300).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let proxy = format!("http://{}", listener.local_addr().expect("addr"));
    let app = axum::Router::new()
        .fallback(forward)
        .with_state(direct.jira.base_url());
    tokio::spawn(async move {
        axum::serve(listener, app).await.expect("proxy serves");
    });
    let settings: jiraql::jira::connection::ConnectionSettings = format!(
        "URL={proxy};User={};APIToken={};RetryBaseDelayMs=5;MaxRetryDelayMs=50",
        direct.jira.config().email,
        direct.jira.config().api_token
    )
    .parse()
    .expect("settings");
    let mut settings = settings;
    settings.resolve_token(|_| None, None).expect("token");
    let proxied = jiraql::engine::Engine::connect(
        jiraql::jira::client::JiraClient::new(settings).expect("client"),
    )
    .await
    .expect("engine");
    let data = direct.jira.data();
    assert!(data.worklogs.len() > 1000, "more than one page of changes");
    assert!(data.deleted_worklogs.len() > 5);
    drop(data);
    for sql in [
        "SELECT count(*), sum(TimeSpentSeconds) FROM Worklogs",
        "SELECT count(*), max(WorklogId) FROM WorklogDeleted",
    ] {
        let through = common::strings(&proxied.query(sql).await.expect(sql));
        assert_eq!(through, direct.rows(sql).await, "{sql}");
    }
}
