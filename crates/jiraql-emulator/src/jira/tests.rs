//! End-to-end tests of the emulator over HTTP: auth per front door, paging envelopes, error
//! bodies, faults and the request log.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use base64::Engine;
use chrono::Utc;
use serde_json::{Value, json};

use super::search::{self, SearchContext};
use super::{JiraEmulator, JiraEmulatorConfig};

mod item_writes;
mod tables;
mod writes;

struct Client {
    http: reqwest::Client,
    base: String,
    auth: String,
}

impl Client {
    fn cloud(emu: &JiraEmulator) -> Client {
        let c = emu.config();
        let pair = format!("{}:{}", c.email, c.api_token);
        Client {
            http: reqwest::Client::new(),
            base: emu.base_url(),
            auth: format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(pair)
            ),
        }
    }

    async fn get(&self, path: &str) -> (u16, Value) {
        self.send(reqwest::Method::GET, path, None).await
    }

    async fn post(&self, path: &str, body: &Value) -> (u16, Value) {
        self.send(reqwest::Method::POST, path, Some(body)).await
    }

    /// Any request; the body as JSON (a string when it is not JSON, null when empty).
    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
    ) -> (u16, Value) {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.base))
            .header("Authorization", &self.auth);
        if let Some(body) = body {
            request = request.json(body);
        }
        let r = request.send().await.expect("request");
        let status = r.status().as_u16();
        let text = r.text().await.expect("body");
        let value = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        (status, value)
    }
}

async fn emulator(issues: usize) -> JiraEmulator {
    JiraEmulator::start(JiraEmulatorConfig {
        issues,
        ..JiraEmulatorConfig::default()
    })
    .await
    .expect("start")
}

fn expected(emu: &JiraEmulator, jql: &str) -> Vec<String> {
    let data = emu.data();
    let ctx = SearchContext::for_myself(&data, Utc::now());
    search::search(&data, jql, &ctx)
        .expect("valid jql")
        .into_iter()
        .map(|i| data.issues[i].key.clone())
        .collect()
}

#[tokio::test]
async fn authentication_per_front_door() {
    let emu = emulator(50).await;
    let http = reqwest::Client::new();
    let base = emu.base_url();
    assert!(base.starts_with("http://127.0.0.1:") && !base.ends_with('/'));

    let r = http
        .get(format!("{base}/rest/api/3/myself"))
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), 401);
    assert_eq!(
        r.text().await.expect("text"),
        "Client must be authenticated to access this resource."
    );

    let (status, me) = Client::cloud(&emu).get("/rest/api/3/myself").await;
    assert_eq!(status, 200);
    assert_eq!(me["emailAddress"], "demo@jiraql.example");
    assert_eq!(me["timeZone"], "Australia/Sydney");
    assert_eq!(me["accountId"], emu.data().myself);

    let dc = http
        .get(format!("{base}/rest/api/2/myself"))
        .bearer_auth("demo-pat")
        .send()
        .await
        .expect("send");
    assert_eq!(dc.status(), 200);
    let dc: Value = dc.json().await.expect("json");
    assert!(dc.get("name").is_some() && dc.get("accountId").is_none());
    let wrong = http
        .get(format!("{base}/rest/api/2/myself"))
        .bearer_auth("nope")
        .send()
        .await
        .expect("send");
    assert_eq!(wrong.status(), 401);

    let cloud_id = &emu.config().cloud_id;
    let gw = http
        .get(format!(
            "{base}/ex/jira/{cloud_id}/rest/api/3/issue/DEMO-1?fields=summary"
        ))
        .bearer_auth("demo-oauth-token")
        .send()
        .await
        .expect("send");
    assert_eq!(gw.status(), 200);
    let gw: Value = gw.json().await.expect("json");
    assert!(gw["self"].as_str().is_some_and(|s| s.contains("/ex/jira/")));
    let other = http
        .get(format!(
            "{base}/ex/jira/00000000-0000-0000-0000-000000000000/rest/api/3/myself"
        ))
        .bearer_auth("demo-oauth-token")
        .send()
        .await
        .expect("send");
    assert_eq!(other.status(), 404);

    assert_eq!(emu.request_count("GET /rest/api/3/myself"), 3);
    assert_eq!(emu.request_count("GET /rest/api/3/issue/{issueIdOrKey}"), 1);
    let log = emu.requests();
    assert_eq!(log[0].status, 401);
    assert_eq!(log[0].endpoint, "GET /rest/api/3/myself");
    assert_eq!(
        log[4].endpoint,
        "GET /ex/jira/{cloudId}/rest/api/3/issue/{issueIdOrKey}"
    );
    assert_eq!(log[4].query, "fields=summary");
    assert_eq!(emu.total_requests(), 6);
    emu.reset_requests();
    assert_eq!(emu.total_requests(), 0);
}

#[tokio::test]
async fn search_jql_pages_cover_every_issue_once() {
    let emu = emulator(2000).await;
    let c = Client::cloud(&emu);
    let jql = "project in (DEMO, OPS) AND summary !~ \"zzzz\" ORDER BY created ASC";
    let want = expected(&emu, jql);
    assert!(want.len() > 300, "{}", want.len());

    let mut got = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let mut body = json!({"jql": jql, "maxResults": 1000, "fields": ["summary", "status"]});
        if let Some(t) = &token {
            body["nextPageToken"] = json!(t);
        }
        let (status, page) = c.post("/rest/api/3/search/jql", &body).await;
        assert_eq!(status, 200, "{page}");
        let issues = page["issues"].as_array().expect("issues");
        assert!(issues.len() <= 100, "pages with fields cap at 100");
        for i in issues {
            assert!(i["fields"]["summary"].is_string());
            assert!(i["fields"].get("description").is_none());
            got.push(i["key"].as_str().unwrap_or("").to_string());
        }
        assert!(page.get("total").is_none());
        if page["isLast"] == json!(true) {
            assert!(page.get("nextPageToken").is_none());
            break;
        }
        token = page["nextPageToken"].as_str().map(str::to_string);
        assert!(token.is_some());
    }
    assert_eq!(got, want);

    // Ids only: one page of up to 5000, via GET with a repeated fields parameter.
    let (status, page) = c
        .get("/rest/api/3/search/jql?jql=project%20is%20not%20empty&maxResults=5000&fields=id&fields=key")
        .await;
    assert_eq!(status, 200);
    assert_eq!(page["issues"].as_array().map(Vec::len), Some(2000));
    assert_eq!(page["isLast"], true);
    assert_eq!(page["issues"][0]["fields"], json!({}));

    // Default page size 50.
    let (_, page) = c.get("/rest/api/3/search/jql?jql=project%3DDEMO").await;
    assert_eq!(page["issues"].as_array().map(Vec::len), Some(50));
    assert_eq!(page["isLast"], false);
    assert_eq!(
        emu.request_count("POST /rest/api/3/search/jql")
            + emu.request_count("GET /rest/api/3/search/jql"),
        emu.total_requests()
    );
}

#[tokio::test]
async fn search_errors_have_jiras_bodies() {
    let emu = emulator(100).await;
    let c = Client::cloud(&emu);
    let cases: &[(&str, &str)] = &[
        (
            "",
            "Unbounded JQL queries are not allowed here. Please add a search restriction to your query.",
        ),
        (
            "order by key desc",
            "Unbounded JQL queries are not allowed here. Please add a search restriction to your query.",
        ),
        (
            "key in (DEMO-1, PAY-100)",
            "An issue with key 'PAY-100' does not exist for the field 'key'.",
        ),
        (
            "project = NOPE",
            "The value 'NOPE' does not exist for the field 'project'.",
        ),
        (
            "summary = x",
            "The operator '=' is not supported by the 'summary' field.",
        ),
        (
            "foo = 1",
            "Field 'foo' does not exist or you do not have permission to view it.",
        ),
    ];
    for (jql, msg) in cases {
        let (status, body) = c.post("/rest/api/3/search/jql", &json!({"jql": jql})).await;
        assert_eq!(status, 400, "{jql}");
        assert_eq!(body, json!({"errorMessages": [msg], "errors": {}}), "{jql}");
    }
    let (status, body) = c
        .post(
            "/rest/api/3/search/jql",
            &json!({"jql": "project = DEMO", "nextPageToken": "bogus"}),
        )
        .await;
    assert_eq!(status, 400, "{body}");
    let (status, _) = c
        .post(
            "/rest/api/3/search/jql",
            &json!({"jql": "project = DEMO", "startAt": 5}),
        )
        .await;
    assert_eq!(status, 400);
    let (status, body) = c.get("/rest/api/3/search?jql=project%3DDEMO").await;
    assert_eq!(status, 410);
    assert!(
        body["errorMessages"][0]
            .as_str()
            .is_some_and(|m| m.contains("CHANGE-2046"))
    );
    let (status, body) = c.get("/rest/api/3/issue/NOPE-1").await;
    assert_eq!(status, 404);
    assert_eq!(
        body["errorMessages"][0],
        "Issue does not exist or you do not have permission to see it."
    );
    let (status, _) = c.get("/rest/api/3/nothing/here").await;
    assert_eq!(status, 404);
    let (status, body) = c
        .post(
            "/rest/api/3/search/approximate-count",
            &json!({"jql": "project = DEMO"}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(body["count"], expected(&emu, "project = DEMO").len());
}

#[tokio::test]
async fn worklogs_updated_and_list_cover_every_worklog_once() {
    let emu = emulator(2000).await;
    let c = Client::cloud(&emu);
    let total = emu.data().worklogs.len();
    assert!(total > 2000, "{total}");
    let mut ids = Vec::new();
    let mut url = format!("{}/rest/api/3/worklog/updated?since=0", emu.base_url());
    let mut pages = 0;
    loop {
        let (status, page) = c.get(url.trim_start_matches(&emu.base_url())).await;
        assert_eq!(status, 200);
        pages += 1;
        let values = page["values"].as_array().expect("values");
        assert!(values.len() <= 1000);
        let mut last = i64::MIN;
        for v in values {
            let t = v["updatedTime"].as_i64().expect("ms");
            assert!(t > last, "oldest to youngest");
            last = t;
            ids.push(v["worklogId"].as_u64().expect("id"));
        }
        if page["lastPage"] == json!(true) {
            assert!(page.get("nextPage").is_none());
            break;
        }
        assert_eq!(page["until"], json!(last));
        url = page["nextPage"].as_str().expect("nextPage").to_string();
    }
    assert!(pages > 1);
    assert_eq!(ids.len(), total);
    assert_eq!(ids.iter().collect::<HashSet<_>>().len(), total);

    let mut listed = 0;
    for chunk in ids.chunks(1000) {
        let (status, body) = c
            .post("/rest/api/3/worklog/list", &json!({"ids": chunk}))
            .await;
        assert_eq!(status, 200);
        let arr = body.as_array().expect("bare array");
        for w in arr {
            let id: u64 = w["id"]
                .as_str()
                .and_then(|s| s.parse().ok())
                .expect("string id");
            let data = emu.data();
            let want = data.worklog_by_id(id).expect("known");
            assert_eq!(w["timeSpentSeconds"], want.time_spent_seconds);
            assert_eq!(w["issueId"], want.issue_id.to_string());
            assert_eq!(w["author"]["accountId"], want.author);
        }
        listed += arr.len();
    }
    assert_eq!(listed, total);
    let (status, _) = c
        .post("/rest/api/3/worklog/list", &json!({"ids": []}))
        .await;
    assert_eq!(status, 400);
    let too_many: Vec<u64> = (0..1001).collect();
    let (status, _) = c
        .post("/rest/api/3/worklog/list", &json!({"ids": too_many}))
        .await;
    assert_eq!(status, 400);
    let (status, body) = c
        .post("/rest/api/3/worklog/list", &json!({"ids": [1, 2, 3]}))
        .await;
    assert_eq!((status, body), (200, json!([])));
}

#[tokio::test]
async fn issue_and_its_worklogs() {
    let emu = emulator(300).await;
    let c = Client::cloud(&emu);
    let demo7 = emu.data().issue_by_key("DEMO-7").expect("DEMO-7").clone();
    let all = emu.data().worklogs_of(&demo7).to_vec();
    assert!(all.len() > 20);

    let (status, issue) = c.get("/rest/api/3/issue/DEMO-7").await;
    assert_eq!(status, 200);
    assert_eq!(issue["id"], demo7.id.to_string());
    assert_eq!(issue["fields"]["worklog"]["total"], all.len());
    assert_eq!(
        issue["fields"]["worklog"]["worklogs"]
            .as_array()
            .map(Vec::len),
        Some(20)
    );
    assert!(issue["fields"]["description"].is_object() || issue["fields"]["description"].is_null());
    let (_, by_id) = c
        .get(&format!(
            "/rest/api/3/issue/{}?fields=summary&expand=names",
            demo7.id
        ))
        .await;
    assert_eq!(by_id["fields"], json!({"summary": demo7.summary}));
    assert_eq!(by_id["names"]["summary"], "Summary");

    let (status, page) = c.get("/rest/api/3/issue/DEMO-7/worklog").await;
    assert_eq!(status, 200);
    assert_eq!(page["total"], all.len());
    assert_eq!(page["maxResults"], 5000);
    assert_eq!(page["worklogs"].as_array().map(Vec::len), Some(all.len()));
    let cut = all[all.len() / 2].started.timestamp_millis();
    let (_, page) = c
        .get(&format!(
            "/rest/api/3/issue/DEMO-7/worklog?startedAfter={cut}&startAt=1&maxResults=3"
        ))
        .await;
    let after = all
        .iter()
        .filter(|w| w.started.timestamp_millis() >= cut)
        .count();
    assert_eq!(page["total"], after);
    assert_eq!(
        page["worklogs"].as_array().map(Vec::len),
        Some(3.min(after - 1))
    );
    let (status, _) = c.get("/rest/api/3/issue/DEMO-7/worklog?startAt=x").await;
    assert_eq!(status, 404);

    let (status, comments) = c.get("/rest/api/3/issue/DEMO-7/comment?maxResults=5").await;
    assert_eq!(status, 200);
    assert_eq!(comments["comments"].as_array().map(Vec::len), Some(5));

    let (status, fields) = c.get("/rest/api/3/field").await;
    assert_eq!(status, 200);
    let sp = fields
        .as_array()
        .and_then(|a| a.iter().find(|f| f["id"] == "customfield_10016"))
        .cloned()
        .expect("story points");
    assert_eq!(sp["schema"]["customId"], 10016);
    assert_eq!(
        sp["clauseNames"],
        json!(["cf[10016]", "Story Points", "Story Points[Number]"])
    );
    let (_, info) = c.get("/rest/api/3/serverInfo").await;
    assert_eq!(info["deploymentType"], "Cloud");
}

#[tokio::test]
async fn data_center_search_is_offset_paged() {
    let emu = emulator(400).await;
    let http = reqwest::Client::new();
    let url = format!(
        "{}/rest/api/2/search?jql=project%3DDEMO&maxResults=1000&startAt=10",
        emu.base_url()
    );
    let page: Value = http
        .get(url)
        .bearer_auth("demo-pat")
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    let want = expected(&emu, "project=DEMO");
    assert_eq!(page["maxResults"], 100);
    assert_eq!(page["startAt"], 10);
    assert_eq!(page["total"], want.len());
    let first = &page["issues"][0];
    assert_eq!(first["key"], want[10].as_str());
    assert!(first["fields"]["summary"].is_string());
    assert!(
        first["fields"].get("worklog").is_none(),
        "*navigable by default"
    );
    assert!(
        first["self"]
            .as_str()
            .is_some_and(|s| s.contains("/rest/api/2/issue/"))
    );
}

#[tokio::test]
async fn faults_and_latency() {
    let emu = emulator(30).await;
    let c = Client::cloud(&emu);
    emu.faults().fail_next(2, 429, Some("0.05"));
    let r = c
        .http
        .get(format!("{}/rest/api/3/myself", c.base))
        .header("Authorization", &c.auth)
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), 429);
    assert_eq!(r.headers()["retry-after"], "0.05");
    assert_eq!(r.headers()["ratelimit-reason"], "jira-burst-based");
    assert_eq!(r.headers()["x-ratelimit-remaining"], "0");
    let (status, _) = c.get("/rest/api/3/field").await;
    assert_eq!(status, 429);
    assert_eq!(c.get("/rest/api/3/field").await.0, 200);

    emu.faults()
        .fail_endpoint_next("GET /rest/api/3/serverInfo", 1, 503, Some("1"));
    assert_eq!(c.get("/rest/api/3/myself").await.0, 200);
    let (status, body) = c.get("/rest/api/3/serverInfo").await;
    assert_eq!(status, 503);
    assert!(
        body.as_str()
            .is_some_and(|b| b.contains("Service Unavailable"))
    );
    assert_eq!(c.get("/rest/api/3/serverInfo").await.0, 200);

    emu.faults().malformed_next(1);
    let r = c
        .http
        .get(format!("{}/rest/api/3/myself", c.base))
        .header("Authorization", &c.auth)
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), 200);
    let text = r.text().await.expect("text");
    assert!(serde_json::from_str::<Value>(&text).is_err());

    emu.faults().set_latency(Duration::from_millis(120));
    let t = Instant::now();
    assert_eq!(c.get("/rest/api/3/myself").await.0, 200);
    assert!(t.elapsed() >= Duration::from_millis(120));
    emu.faults().set_latency(Duration::ZERO);

    let statuses: Vec<u16> = emu.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, vec![429, 429, 200, 200, 503, 200, 200, 200]);
}

#[tokio::test]
async fn agile_and_catalog_endpoints() {
    let emu = emulator(30).await;
    let c = Client::cloud(&emu);
    let (status, boards) = c.get("/rest/agile/1.0/board?type=scrum").await;
    assert_eq!(status, 200);
    let first = boards["values"][0]["id"].as_u64().expect("board id");
    let (status, sprints) = c
        .get(&format!(
            "/rest/agile/1.0/board/{first}/sprint?state=active,future"
        ))
        .await;
    assert_eq!(status, 200);
    let states: Vec<&str> = sprints["values"]
        .as_array()
        .expect("values")
        .iter()
        .filter_map(|s| s["state"].as_str())
        .collect();
    assert_eq!(states, vec!["active", "future", "future"]);
    let (status, _) = c.get("/rest/agile/1.0/board/999/sprint").await;
    assert_eq!(status, 404);
    let (status, projects) = c.get("/rest/api/3/project/search?maxResults=2").await;
    assert_eq!(status, 200);
    assert_eq!(projects["total"], emu.data().projects.len());
    assert_eq!(projects["isLast"], false);
    let (_, users) = c.get("/rest/api/3/users/search").await;
    assert_eq!(users.as_array().map(Vec::len), Some(emu.data().users.len()));
}
