//! Issue writes over HTTP: create (one and bulk), edit, transitions and delete, each read back
//! through the REST API as a client would see it, with Jira's answers to bad requests.

use reqwest::Method;
use serde_json::{Value, json};

use super::{Client, emulator};
use crate::jira::data::{JiraData, SUBTASK};

fn task(summary: &str) -> Value {
    json!({"fields": {
        "project": {"key": "DEMO"},
        "issuetype": {"name": "Task"},
        "summary": summary,
    }})
}

/// The key of a DEMO issue that can be a sub-task's parent (neither a sub-task nor an epic).
fn possible_parent(emu: &crate::jira::JiraEmulator) -> String {
    let data = emu.data();
    data.issues
        .iter()
        .find(|i| {
            i.key.starts_with("DEMO-")
                && i.issue_type_id != SUBTASK
                && i.issue_type_id != crate::jira::data::EPIC
        })
        .map(|i| i.key.clone())
        .expect("a DEMO task")
}

/// Every issue's histories are its own and its ranges tile the flat vectors in some order.
pub(super) fn assert_consistent(d: &JiraData) {
    for issue in &d.issues {
        assert!(
            d.changelogs_of(issue)
                .iter()
                .all(|h| h.issue_id == issue.id)
        );
        assert!(d.worklogs_of(issue).iter().all(|w| w.issue_id == issue.id));
        assert!(d.comments_of(issue).iter().all(|c| c.issue_id == issue.id));
        assert_eq!(d.issue_by_key(&issue.key).map(|i| i.id), Some(issue.id));
        assert_eq!(d.issue_by_id(issue.id).map(|i| &i.key), Some(&issue.key));
    }
}

#[tokio::test]
async fn a_created_issue_reads_back_and_is_found() {
    let emu = emulator(50).await;
    let c = Client::cloud(&emu);
    let body = json!({"fields": {
        "project": {"key": "DEMO"},
        "issuetype": {"name": "Task"},
        "summary": "Rotate keys",
        "description": {"type": "doc", "version": 1, "content": [
            {"type": "paragraph", "content": [{"type": "text", "text": "every quarter"}]}
        ]},
        "labels": ["ops", "security"],
        "duedate": "2026-12-24",
        "priority": {"name": "High"},
        "customfield_10016": 3,
        "customfield_10030": {"value": "SRE"},
        "timetracking": {"originalEstimate": "1d 2h"},
    }});
    let (status, made) = c.post("/rest/api/3/issue", &body).await;
    assert_eq!(status, 201, "{made}");
    let key = made["key"].as_str().expect("key").to_string();
    let id = made["id"].as_str().expect("id");
    assert!(key.starts_with("DEMO-"));
    assert_eq!(
        made["self"],
        format!("{}/rest/api/3/issue/{id}", emu.base_url())
    );

    let (status, issue) = c.get(&format!("/rest/api/3/issue/{key}")).await;
    assert_eq!(status, 200);
    let f = &issue["fields"];
    assert_eq!(f["summary"], "Rotate keys");
    assert_eq!(f["labels"], json!(["ops", "security"]));
    assert_eq!(f["duedate"], "2026-12-24");
    assert_eq!(f["priority"]["name"], "High");
    assert_eq!(f["customfield_10016"], 3.0);
    assert_eq!(f["customfield_10030"]["value"], "SRE");
    assert_eq!(f["timeoriginalestimate"], 10 * 3600);
    assert_eq!(f["status"]["name"], "Backlog");
    assert_eq!(f["reporter"]["accountId"], emu.data().myself);
    assert_eq!(f["description"], body["fields"]["description"]);

    let (_, found) = c
        .post(
            "/rest/api/3/search/jql",
            &json!({"jql": "project = DEMO AND labels = security AND summary ~ rotate", "fields": ["summary"]}),
        )
        .await;
    let keys: Vec<&str> = found["issues"]
        .as_array()
        .expect("issues")
        .iter()
        .filter_map(|i| i["key"].as_str())
        .collect();
    assert_eq!(keys, [key.as_str()]);
    assert_consistent(&emu.data());
}

#[tokio::test]
async fn a_bad_create_names_every_problem_and_makes_nothing() {
    let emu = emulator(20).await;
    let c = Client::cloud(&emu);
    let before = emu.data().issues.len();
    let (status, body) = c
        .post(
            "/rest/api/3/issue",
            &json!({"fields": {
                "project": {"key": "DEMO"},
                "issuetype": {"name": "Task"},
                "priority": {"name": "Urgent-ish"},
                "labels": ["two words"],
                "status": {"name": "Done"},
            }}),
        )
        .await;
    assert_eq!(status, 400);
    let errors = &body["errors"];
    assert_eq!(
        errors["summary"],
        "You must specify a summary of the issue."
    );
    assert_eq!(errors["priority"], "The priority selected is invalid.");
    assert_eq!(
        errors["labels"],
        "The label 'two words' contains spaces which is invalid."
    );
    assert_eq!(
        errors["status"],
        "Field 'status' cannot be set. It is not on the appropriate screen, or unknown."
    );
    assert_eq!(emu.data().issues.len(), before);

    let (status, body) = c
        .post(
            "/rest/api/3/issue",
            &json!({"fields": {"project": {"key": "NOPE"}, "issuetype": {"name": "Sub-task"}, "summary": "x"}}),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(
        body["errors"]["project"],
        "Specify a valid project ID or key"
    );
}

#[tokio::test]
async fn bulk_create_reports_failures_by_position() {
    let emu = emulator(20).await;
    let c = Client::cloud(&emu);
    let mut bad = task("no type");
    bad["fields"]["issuetype"] = json!({"name": "Saga"});
    let (status, body) = c
        .post(
            "/rest/api/3/issue/bulk",
            &json!({"issueUpdates": [task("one"), bad, task("three")]}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["issues"].as_array().map(Vec::len), Some(2));
    assert_eq!(body["errors"][0]["failedElementNumber"], 1);
    assert_eq!(body["errors"][0]["status"], 400);
    assert_eq!(
        body["errors"][0]["elementErrors"]["errors"]["issuetype"],
        "The issue type selected is invalid."
    );

    let mut none = task("");
    none["fields"]["summary"] = json!("");
    let (status, body) = c
        .post("/rest/api/3/issue/bulk", &json!({"issueUpdates": [none]}))
        .await;
    assert_eq!(status, 400, "all failed: {body}");
    assert_eq!(body["issues"], json!([]));

    let many: Vec<Value> = (0..51).map(|i| task(&format!("n{i}"))).collect();
    let (status, _) = c
        .post("/rest/api/3/issue/bulk", &json!({"issueUpdates": many}))
        .await;
    assert_eq!(status, 400, "more than 50");
}

#[tokio::test]
async fn an_edit_records_what_changed_and_an_idle_edit_nothing() {
    let emu = emulator(60).await;
    let c = Client::cloud(&emu);
    let d = emu.data();
    let issue = &d.issues[10];
    let user = d
        .users
        .iter()
        .find(|u| u.active && Some(&u.account_id) != issue.assignee.as_ref())
        .expect("another user");
    let path = format!("/rest/api/3/issue/{}", issue.key);
    let body =
        json!({"fields": {"summary": "Renamed", "assignee": {"accountId": user.account_id}}});
    let (status, answer) = c.send(Method::PUT, &path, Some(&body)).await;
    assert_eq!(status, 204, "{answer}");

    let after = emu.data();
    let edited = after.issue_by_key(&issue.key).expect("still there");
    assert_eq!(edited.summary, "Renamed");
    assert_eq!(edited.assignee.as_deref(), Some(user.account_id.as_str()));
    assert!(edited.updated > issue.updated);
    let histories = after.changelogs_of(edited);
    assert_eq!(histories.len(), d.changelogs_of(issue).len() + 1);
    let last = histories.last().expect("a history");
    let fields: Vec<&str> = last.items.iter().map(|i| i.field_id()).collect();
    assert_eq!(
        fields,
        ["assignee", "summary"],
        "one history, fields in name order"
    );
    assert_consistent(&after);

    // The same values again: nothing changes, nothing is recorded.
    let (status, _) = c.send(Method::PUT, &path, Some(&body)).await;
    assert_eq!(status, 204);
    let again = emu.data();
    let same = again.issue_by_key(&issue.key).expect("still there");
    assert_eq!(same.updated, edited.updated);
    assert_eq!(again.changelogs_of(same).len(), histories.len());

    let (status, body) = c
        .send(
            Method::PUT,
            &path,
            Some(&json!({"fields": {"status": {"name": "Done"}}})),
        )
        .await;
    assert_eq!(status, 400);
    assert!(
        body["errors"]["status"]
            .as_str()
            .is_some_and(|m| m.contains("cannot be set"))
    );
    let (status, _) = c
        .send(Method::PUT, "/rest/api/3/issue/DEMO-99999", Some(&body))
        .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn transitions_follow_the_workflow() {
    let emu = emulator(80).await;
    let c = Client::cloud(&emu);
    let d = emu.data();
    let issue = d
        .issues
        .iter()
        .find(|i| i.status_id == 10001 && i.issue_type_id != SUBTASK)
        .expect("a To Do issue");
    let path = format!("/rest/api/3/issue/{}/transitions", issue.key);
    let (status, body) = c.get(&path).await;
    assert_eq!(status, 200);
    let targets: Vec<&str> = body["transitions"]
        .as_array()
        .expect("transitions")
        .iter()
        .filter_map(|t| t["to"]["name"].as_str())
        .collect();
    assert_eq!(targets, ["In Progress", "Backlog", "Done"]);

    let (status, body) = c.post(&path, &json!({"transition": {"id": "71"}})).await;
    assert_eq!(status, 400);
    assert_eq!(
        body["errorMessages"],
        json!(["Transition id '71' is not valid for this issue."])
    );
    let (status, body) = c.post(&path, &json!({"transition": {"id": "done"}})).await;
    assert_eq!(status, 400);
    assert_eq!(
        body["errorMessages"],
        json!(["'transition' identifier must be an integer"])
    );

    let (status, _) = c.post(&path, &json!({"transition": {"id": "41"}})).await;
    assert_eq!(status, 204);
    let after = emu.data();
    let done = after.issue_by_key(&issue.key).expect("there");
    assert_eq!(done.status_id, 10003);
    assert_eq!(done.resolution_id, Some(10000));
    assert!(done.resolution_date.is_some());
    let items: Vec<&str> = after
        .changelogs_of(done)
        .last()
        .expect("history")
        .items
        .iter()
        .map(|i| i.field_id())
        .collect();
    assert_eq!(items, ["status", "resolution"]);

    // Reopened: the resolution goes again.
    let (status, _) = c.post(&path, &json!({"transition": {"id": 81}})).await;
    assert_eq!(status, 204);
    let reopened = emu.data();
    let open = reopened.issue_by_key(&issue.key).expect("there");
    assert_eq!((open.status_id, open.resolution_id), (10001, None));
    assert_consistent(&reopened);
}

#[tokio::test]
async fn delete_takes_subtasks_only_when_asked() {
    let emu = emulator(200).await;
    let c = Client::cloud(&emu);
    let d = emu.data();
    let parent = d
        .issues
        .iter()
        .find(|i| !i.subtask_ids.is_empty() && !d.worklogs_of(i).is_empty())
        .or_else(|| d.issues.iter().find(|i| !i.subtask_ids.is_empty()))
        .expect("an issue with sub-tasks");
    let path = format!("/rest/api/3/issue/{}", parent.key);
    let (status, body) = c.send(Method::DELETE, &path, None).await;
    assert_eq!(status, 400);
    assert!(
        body["errorMessages"][0]
            .as_str()
            .is_some_and(|m| m.contains("deleteSubtasks")),
        "{body}"
    );

    let (status, _) = c
        .send(Method::DELETE, &format!("{path}?deleteSubtasks=true"), None)
        .await;
    assert_eq!(status, 204);
    let (status, _) = c.get(&path).await;
    assert_eq!(status, 404);
    let after = emu.data();
    for id in parent.subtask_ids.iter().chain([&parent.id]) {
        assert!(after.issue_by_id(*id).is_none(), "{id} is gone");
    }
    assert_eq!(
        after.issues.len(),
        d.issues.len() - 1 - parent.subtask_ids.len()
    );
    let worklogs: Vec<u64> = d.worklogs_of(parent).iter().map(|w| w.id).collect();
    let deleted: Vec<u64> = after.deleted_worklogs.iter().map(|w| w.id).collect();
    assert!(worklogs.iter().all(|w| deleted.contains(w)));
    assert!(after.worklogs.iter().all(|w| !worklogs.contains(&w.id)));
    assert_consistent(&after);

    // Ids and keys are never handed out again.
    let last = after.issues.last().expect("issues").clone();
    let (status, _) = c
        .send(
            Method::DELETE,
            &format!("/rest/api/3/issue/{}?deleteSubtasks=true", last.key),
            None,
        )
        .await;
    assert_eq!(status, 204);
    let (_, made) = c.post("/rest/api/3/issue", &task("after")).await;
    let id: u64 = made["id"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .expect("id");
    assert!(id > last.id);
    assert_ne!(made["key"], json!(last.key));
}

#[tokio::test]
async fn sub_tasks_need_a_parent_in_their_project() {
    let emu = emulator(40).await;
    let c = Client::cloud(&emu);
    let mut sub = task("child");
    sub["fields"]["issuetype"] = json!({"name": "Sub-task"});
    let (status, body) = c.post("/rest/api/3/issue", &sub).await;
    assert_eq!(status, 400);
    assert_eq!(
        body["errors"]["parent"],
        "Sub-tasks must have a parent issue."
    );

    let parent = possible_parent(&emu);
    sub["fields"]["parent"] = json!({"key": parent});
    let (status, made) = c.post("/rest/api/3/issue", &sub).await;
    assert_eq!(status, 201, "{made}");
    let d = emu.data();
    let child = d
        .issue_by_key(made["key"].as_str().expect("key"))
        .expect("made");
    assert_eq!(child.parent_key.as_deref(), Some(parent.as_str()));
    assert!(
        d.issue_by_key(&parent)
            .expect("parent")
            .subtask_ids
            .contains(&child.id)
    );
}

#[tokio::test]
async fn properties_set_on_create_read_back_by_key_and_in_searches() {
    let emu = emulator(20).await;
    let c = Client::cloud(&emu);
    let mut body = task("with a marker");
    body["properties"] = json!([{"key": "jiraql.op", "value": {"id": "op-7"}}]);
    let (status, made) = c.post("/rest/api/3/issue", &body).await;
    assert_eq!(status, 201, "{made}");
    let key = made["key"].as_str().expect("key");

    let (_, issue) = c
        .get(&format!(
            "/rest/api/3/issue/{key}?fields=summary&properties=jiraql.op"
        ))
        .await;
    assert_eq!(issue["properties"], json!({"jiraql.op": {"id": "op-7"}}));
    let (_, issue) = c
        .get(&format!("/rest/api/3/issue/{key}?fields=summary"))
        .await;
    assert!(issue.get("properties").is_none(), "only when asked");
    let (_, issue) = c
        .get(&format!(
            "/rest/api/3/issue/{key}?properties=*all,-jiraql.op"
        ))
        .await;
    assert_eq!(issue["properties"], json!({}));

    let (status, one) = c
        .get(&format!("/rest/api/3/issue/{key}/properties/jiraql.op"))
        .await;
    assert_eq!(status, 200);
    assert_eq!(one, json!({"key": "jiraql.op", "value": {"id": "op-7"}}));
    let (status, _) = c
        .get(&format!("/rest/api/3/issue/{key}/properties/other"))
        .await;
    assert_eq!(status, 404);

    let search =
        json!({"jql": format!("key = {key}"), "fields": ["summary"], "properties": ["jiraql.op"]});
    let (_, found) = c.post("/rest/api/3/search/jql", &search).await;
    assert_eq!(found["issues"][0]["properties"]["jiraql.op"]["id"], "op-7");
    let six = json!({"jql": "project = DEMO", "properties": ["a", "b", "c", "d", "e", "f"]});
    let (status, _) = c.post("/rest/api/3/search/jql", &six).await;
    assert_eq!(status, 400);

    let mut long = task("too long");
    long["properties"] = json!([{"key": "big", "value": "x".repeat(40_000)}]);
    let (status, body) = c.post("/rest/api/3/issue", &long).await;
    assert_eq!(status, 400, "{body}");
}

#[tokio::test]
async fn the_create_screen_is_served_and_enforced() {
    let emu = emulator(20).await;
    let c = Client::cloud(&emu);
    let (status, page) = c
        .get("/rest/api/3/issue/createmeta/DEMO/issuetypes/10004")
        .await;
    assert_eq!(status, 200, "{page}");
    let fields = page["fields"].as_array().expect("fields");
    let required: Vec<&str> = fields
        .iter()
        .filter(|f| f["required"] == true && f["hasDefaultValue"] == false)
        .filter_map(|f| f["fieldId"].as_str())
        .collect();
    assert_eq!(required, ["project", "issuetype", "summary", "parent"]);
    assert!(fields.iter().all(|f| f["fieldId"] != "customfield_10016"));
    let (status, _) = c
        .get("/rest/api/3/issue/createmeta/DEMO/issuetypes/999")
        .await;
    assert_eq!(status, 404);

    // What the screen leaves out cannot be set on create: story points on a sub-task.
    let parent = possible_parent(&emu);
    let body = json!({"fields": {
        "project": {"key": "DEMO"},
        "issuetype": {"id": "10004"},
        "summary": "child",
        "parent": {"key": parent},
        "customfield_10016": 2,
    }});
    let (status, answer) = c.post("/rest/api/3/issue", &body).await;
    assert_eq!(status, 400);
    assert_eq!(
        answer["errors"]["customfield_10016"],
        "Field 'customfield_10016' cannot be set. It is not on the appropriate screen, or unknown."
    );
}
