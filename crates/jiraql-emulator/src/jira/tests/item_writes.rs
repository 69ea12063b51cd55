//! Worklog and comment writes over HTTP: each read back through the endpoints clients read
//! them from (the issue's list, the bulk feeds, the issue's time tracking and history), with
//! the estimate arithmetic Jira does and its answers to bad requests.

use reqwest::Method;
use serde_json::{Value, json};

use super::writes::assert_consistent;
use super::{Client, emulator};

fn doc(text: &str) -> Value {
    json!({"type": "doc", "version": 1, "content": [
        {"type": "paragraph", "content": [{"type": "text", "text": text}]}
    ]})
}

/// An issue of the generated site with no worklogs, and its remaining estimate.
fn quiet_issue(emu: &crate::jira::JiraEmulator) -> String {
    let d = emu.data();
    d.issues
        .iter()
        .find(|i| i.worklogs.is_empty() && i.original_estimate_seconds.is_some())
        .map(|i| i.key.clone())
        .expect("an estimated issue without worklogs")
}

async fn time_tracking(c: &Client, key: &str) -> (Value, Value) {
    let (_, issue) = c
        .get(&format!(
            "/rest/api/3/issue/{key}?fields=timespent,timeestimate"
        ))
        .await;
    (
        issue["fields"]["timespent"].clone(),
        issue["fields"]["timeestimate"].clone(),
    )
}

#[tokio::test]
async fn worklogs_move_the_estimate_as_jira_does() {
    let emu = emulator(60).await;
    let c = Client::cloud(&emu);
    let key = quiet_issue(&emu);
    let (_, before) = time_tracking(&c, &key).await;
    let remaining = before.as_i64().expect("an estimate");
    let url = format!("/rest/api/3/issue/{key}/worklog");

    // auto (the default): down by the time logged.
    let body = json!({"started": "2026-12-01T09:00:00.000+0000", "timeSpentSeconds": 3600,
        "comment": doc("review"), "properties": [{"key": "k", "value": {"n": 1}}]});
    let (status, made) = c.post(&url, &body).await;
    assert_eq!(status, 201, "{made}");
    assert_eq!(made["timeSpent"], "1h");
    assert_eq!(made["started"], "2026-12-01T09:00:00.000+0000");
    let id = made["id"].as_str().expect("id").to_string();
    let (spent, left) = time_tracking(&c, &key).await;
    assert_eq!(spent, 3600);
    assert_eq!(left, (remaining - 3600).max(0));

    // new: set outright; manual: down by reduceBy.
    let (status, _) = c
        .post(
            &format!("{url}?adjustEstimate=new&newEstimate=2d"),
            &json!({
            "started": "2026-12-02T09:00:00.000+0000", "timeSpent": "30m"}),
        )
        .await;
    assert_eq!(status, 201);
    assert_eq!(
        time_tracking(&c, &key).await,
        (json!(5400), json!(16 * 3600))
    );
    let (status, _) = c
        .post(
            &format!("{url}?adjustEstimate=manual&reduceBy=1h"),
            &json!({
            "started": "2026-12-03T09:00:00.000+0000", "timeSpent": "2h"}),
        )
        .await;
    assert_eq!(status, 201);
    assert_eq!(
        time_tracking(&c, &key).await,
        (json!(12600), json!(15 * 3600))
    );

    // Update by the difference; delete gives the time back.
    let one = format!("{url}/{id}");
    let (status, edited) = c
        .send(Method::PUT, &one, Some(&json!({"timeSpentSeconds": 1800})))
        .await;
    assert_eq!(status, 200, "{edited}");
    assert_eq!(edited["timeSpentSeconds"], 1800);
    assert_eq!(
        time_tracking(&c, &key).await,
        (json!(10800), json!(15 * 3600 + 1800))
    );
    let (status, _) = c.send(Method::DELETE, &one, None).await;
    assert_eq!(status, 204);
    assert_eq!(
        time_tracking(&c, &key).await,
        (json!(9000), json!(15 * 3600 + 3600))
    );
    let (status, _) = c.get(&one).await;
    assert_eq!(status, 404);

    // Visible where clients read worklogs: the issue's list (with properties), the feeds.
    let (_, list) = c.get(&format!("{url}?expand=properties")).await;
    assert_eq!(list["total"], 2);
    let (_, deleted) = c.get("/rest/api/3/worklog/deleted?since=0").await;
    let gone: Vec<&Value> = deleted["values"]
        .as_array()
        .expect("values")
        .iter()
        .collect();
    let id_number: u64 = id.parse().expect("numeric id");
    assert!(gone.iter().any(|w| w["worklogId"] == id_number));
    let d = emu.data();
    assert_consistent(&d);
    let updated: Vec<i64> = d
        .worklogs_by_updated()
        .map(|w| w.updated.timestamp_millis())
        .collect();
    assert!(updated.windows(2).all(|w| w[0] < w[1]), "distinct, ordered");
    let issue = d.issue_by_key(&key).expect("issue");
    let history = d.changelogs_of(issue).last().expect("history");
    assert!(history.items.iter().any(|i| i.field_id() == "timespent"));
}

#[tokio::test]
async fn worklog_writes_refuse_what_jira_refuses() {
    let emu = emulator(30).await;
    let c = Client::cloud(&emu);
    let key = quiet_issue(&emu);
    let url = format!("/rest/api/3/issue/{key}/worklog");
    let (status, e) = c
        .post(&url, &json!({"started": "2026-12-01T09:00:00.000+0000"}))
        .await;
    assert_eq!(status, 400);
    assert_eq!(
        e["errors"]["timeLogged"],
        "You must indicate the time spent working."
    );
    let (status, e) = c
        .post(
            &url,
            &json!({"started": "1 Dec", "timeSpent": "1h", "timeSpentSeconds": 60}),
        )
        .await;
    assert_eq!(status, 400);
    assert!(e["errors"]["started"].is_string() && e["errors"]["timeLogged"].is_string());
    let (status, e) = c
        .post(
            &format!("{url}?adjustEstimate=new"),
            &json!({"started": "2026-12-01T09:00:00.000+0000", "timeSpent": "1h"}),
        )
        .await;
    assert_eq!(status, 400, "{e}");
    let (status, _) = c
        .post(
            &url,
            &json!({"started": "2026-12-01T09:00:00.000+0000", "timeSpent": "1h",
            "visibility": {"type": "group", "value": "no-such-group"}}),
        )
        .await;
    assert_eq!(status, 400);
    let (status, _) = c.post("/rest/api/3/issue/NOPE-1/worklog", &json!({})).await;
    assert_eq!(status, 404);
    assert!(
        emu.data()
            .issue_by_key(&key)
            .expect("issue")
            .worklogs
            .is_empty()
    );
}

#[tokio::test]
async fn comments_add_edit_and_delete() {
    let emu = emulator(40).await;
    let c = Client::cloud(&emu);
    let key = emu.data().issues[3].key.clone();
    let updated_before = emu.data().issues[3].updated;
    let url = format!("/rest/api/3/issue/{key}/comment");
    let (_, list) = c.get(&url).await;
    let total = list["total"].as_u64().expect("total");

    let body = json!({"body": doc("hello"), "visibility": {"type": "role", "value": "Developers"},
        "properties": [{"key": "jiraql.op", "value": {"op": "x", "row": 0}}]});
    let (status, made) = c.post(&format!("{url}?expand=properties"), &body).await;
    assert_eq!(status, 201, "{made}");
    assert_eq!(made["visibility"]["value"], "Developers");
    assert_eq!(made["properties"][0]["value"]["op"], "x");
    let one = format!("{url}/{}", made["id"].as_str().expect("id"));
    let (status, edited) = c
        .send(
            Method::PUT,
            &one,
            Some(&json!({"body": doc("edited"), "visibility": null})),
        )
        .await;
    assert_eq!(status, 200, "{edited}");
    assert_eq!(edited["body"]["content"][0]["content"][0]["text"], "edited");
    assert!(edited.get("visibility").is_none());
    let (_, list) = c.get(&format!("{url}?orderBy=-created")).await;
    assert_eq!(list["total"].as_u64(), Some(total + 1));
    assert_eq!(list["comments"][0]["id"], made["id"]);
    assert!(emu.data().issues[3].updated > updated_before);

    let (status, e) = c.post(&url, &json!({"body": "plain text"})).await;
    assert_eq!(status, 400, "{e}");
    let (status, e) = c.post(&url, &json!({})).await;
    assert_eq!(e["errors"]["comment"], "Comment body can not be empty!");
    assert_eq!(status, 400);

    let (status, _) = c.send(Method::DELETE, &one, None).await;
    assert_eq!(status, 204);
    let (status, _) = c.send(Method::DELETE, &one, None).await;
    assert_eq!(status, 404);
    let (_, list) = c.get(&url).await;
    assert_eq!(list["total"].as_u64(), Some(total));
    assert_consistent(&emu.data());
}
