//! The client's issue writes against the emulated Jira: bulk creates mapped back to their
//! rows, edits, transitions and deletes, and what each does after a fault: a 429 is waited out
//! for every write, a lost answer is retried for edits and deletes, never for creates.

use jiraql::jira::client::JiraClient;
use jiraql::jira::item_write::Deleted;
use jiraql::jira::write::Created;
use jiraql_emulator::JiraEmulator;
use serde_json::{Map, Value, json};

use crate::common;

const BULK: &str = "POST /rest/api/3/issue/bulk";
const EDIT: &str = "PUT /rest/api/3/issue/{issueIdOrKey}";

async fn setup(issues: usize) -> (JiraEmulator, JiraClient) {
    let s = common::site(issues).await;
    let settings = common::connection(&s.jira, &s.jira.config().api_token.clone(), "");
    (s.jira, JiraClient::new(settings).expect("client"))
}

fn task(summary: &str) -> Value {
    json!({"fields": {
        "project": {"key": "DEMO"},
        "issuetype": {"name": "Task"},
        "summary": summary,
    }})
}

fn fields(pairs: Value) -> Map<String, Value> {
    pairs.as_object().cloned().expect("an object")
}

#[tokio::test]
async fn bulk_create_maps_each_issue_to_its_row() {
    let (jira, client) = setup(20).await;
    let bad = json!({"fields": {"project": {"key": "DEMO"}, "issuetype": {"name": "Task"}}});
    let got = client
        .create_issues(&[task("first"), bad.clone(), task("third")])
        .await
        .expect("some made");
    let rows: Vec<usize> = got.created.iter().map(|(n, _)| *n).collect();
    assert_eq!(rows, [0, 2]);
    let data = jira.data();
    for (n, Created { key, .. }) in &got.created {
        let want = if *n == 0 { "first" } else { "third" };
        assert_eq!(
            data.issue_by_key(key).map(|i| i.summary.as_str()),
            Some(want)
        );
    }
    assert_eq!(
        got.failed,
        [(
            1,
            vec!["summary: You must specify a summary of the issue.".to_string()]
        )]
    );

    // All refused: Jira answers 400, and each refusal still comes back by row.
    let got = client
        .create_issues(&[bad.clone(), bad])
        .await
        .expect("an answer");
    assert!(got.created.is_empty());
    assert_eq!(
        got.failed.iter().map(|(n, _)| *n).collect::<Vec<_>>(),
        [0, 1]
    );
    assert_eq!(jira.request_count(BULK), 2);
}

#[tokio::test]
async fn a_create_is_sent_again_after_a_429_and_never_after_a_lost_answer() {
    let (jira, client) = setup(20).await;
    let before = jira.data().issues.len();
    jira.faults().fail_endpoint_next(BULK, 1, 429, Some("0"));
    let got = client
        .create_issues(&[task("after a 429")])
        .await
        .expect("made");
    assert_eq!(got.created.len(), 1);
    assert_eq!(jira.request_count(BULK), 2, "the 429, then the create");

    jira.reset_requests();
    jira.faults().fail_endpoint_next(BULK, 1, 503, None);
    let err = client
        .create_issues(&[task("after a 503")])
        .await
        .expect_err("not sent again");
    assert!(err.outcome_unknown(), "{err}");
    assert_eq!(jira.request_count(BULK), 1, "sent once");
    assert_eq!(
        jira.data().issues.len(),
        before + 1,
        "only the first create happened"
    );

    // Made, but the answer is cut short on the way: not sent again, and the caller is told the
    // outcome is unknown (here it did happen).
    jira.reset_requests();
    jira.faults().malformed_next(1);
    let err = client
        .create_issues(&[task("answer lost")])
        .await
        .expect_err("not sent again");
    assert!(err.outcome_unknown(), "{err}");
    assert_eq!(jira.request_count(BULK), 1, "sent once");
    assert_eq!(jira.data().issues.len(), before + 2);
}

#[tokio::test]
async fn an_edit_is_retried_after_a_lost_answer_and_applied_once() {
    let (jira, client) = setup(20).await;
    let key = jira.data().issues[3].key.clone();
    let histories = jira.data().changelogs_of(&jira.data().issues[3]).len();
    jira.faults().fail_endpoint_next(EDIT, 1, 503, None);
    client
        .edit_issue(
            &key,
            &fields(json!({"summary": "Edited once", "labels": ["x"]})),
        )
        .await
        .expect("edited");
    assert_eq!(jira.request_count(EDIT), 2);
    let data = jira.data();
    let issue = data.issue_by_key(&key).expect("there");
    assert_eq!(issue.summary, "Edited once");
    assert_eq!(
        data.changelogs_of(issue).len(),
        histories + 1,
        "one history"
    );

    let err = client
        .edit_issue(&key, &fields(json!({"status": {"name": "Done"}})))
        .await
        .expect_err("status is not a field to set");
    assert_eq!(err.status(), Some(400));
    assert!(!err.outcome_unknown());
    assert!(
        err.jira_messages()
            .iter()
            .any(|m| m.starts_with("status: Field 'status' cannot be set")),
        "{err}"
    );
}

#[tokio::test]
async fn transitions_are_listed_and_taken() {
    let (jira, client) = setup(60).await;
    let key = jira
        .data()
        .issues
        .iter()
        .find(|i| i.status_id == 10001 && i.issue_type_id != jiraql_emulator::jira::data::SUBTASK)
        .map(|i| i.key.clone())
        .expect("a To Do issue");
    let transitions = client.issue_transitions(&key).await.expect("listed");
    let to: Vec<&str> = transitions.iter().map(|t| t.to_name.as_str()).collect();
    assert_eq!(to, ["In Progress", "Backlog", "Done"]);
    let done = transitions
        .iter()
        .find(|t| t.to_name == "Done")
        .expect("to Done");
    client
        .transition_issue(&key, &done.id)
        .await
        .expect("taken");
    assert_eq!(
        jira.data().issue_by_key(&key).map(|i| i.status_id),
        Some(10003)
    );
    let err = client
        .transition_issue(&key, &done.id)
        .await
        .expect_err("Done is not reachable from Done");
    assert_eq!(err.status(), Some(400));
    assert!(
        err.to_string().contains("is not valid for this issue"),
        "{err}"
    );
}

#[tokio::test]
async fn deletes_take_sub_tasks_only_when_asked() {
    let (jira, client) = setup(200).await;
    let data = jira.data();
    let parent = data
        .issues
        .iter()
        .find(|i| !i.subtask_ids.is_empty())
        .expect("an issue with sub-tasks");
    let err = client
        .delete_issue(&parent.key, false)
        .await
        .expect_err("has sub-tasks");
    assert_eq!(err.status(), Some(400));
    let deleted = client
        .delete_issue(&parent.key, true)
        .await
        .expect("deleted");
    assert_eq!(deleted, Deleted::Now);
    let after = jira.data();
    assert!(after.issue_by_key(&parent.key).is_none());
    assert!(
        parent
            .subtask_ids
            .iter()
            .all(|id| after.issue_by_id(*id).is_none())
    );
    let again = client
        .delete_issue(&parent.key, true)
        .await
        .expect("an answer");
    assert_eq!(again, Deleted::AlreadyGone);
}

const SEARCH: &str = "POST /rest/api/3/search/jql";

#[tokio::test]
async fn a_create_whose_answer_was_lost_is_looked_up_not_sent_again() {
    let (jira, client) = setup(20).await;
    // An earlier statement's issue with a marker of the same row: not to be mistaken for ours.
    let earlier = client
        .create_issues_once(&[task("earlier")], "op-earlier")
        .await
        .expect("made");
    assert_eq!(earlier.created.len(), 1);
    let before = jira.data().issues.len();
    jira.reset_requests();

    jira.faults().malformed_next(1);
    let got = client
        .create_issues_once(&[task("a"), task("b")], "op-lost")
        .await
        .expect("resolved");
    assert_eq!(
        got.created.iter().map(|(n, _)| *n).collect::<Vec<_>>(),
        [0, 1]
    );
    assert!(got.failed.is_empty() && got.unknown.is_empty());
    assert_eq!(jira.request_count(BULK), 1, "not sent again");
    assert_eq!(jira.request_count(SEARCH), 1, "looked up once");
    let data = jira.data();
    assert_eq!(data.issues.len(), before + 2);
    for (n, created) in &got.created {
        let issue = data.issue_by_key(&created.key).expect("made");
        assert_eq!(issue.summary, ["a", "b"][*n]);
        assert_eq!(
            issue.properties["jiraql.op"],
            json!({"op": "op-lost", "row": n})
        );
    }
}

#[tokio::test]
async fn a_create_that_did_not_happen_is_sent_again_once() {
    let (jira, client) = setup(20).await;
    let before = jira.data().issues.len();
    jira.faults().fail_endpoint_next(BULK, 1, 503, None);
    let got = client
        .create_issues_once(&[task("a"), task("b")], "op-503")
        .await
        .expect("made on the second try");
    assert_eq!(got.created.len(), 2);
    assert_eq!(jira.request_count(BULK), 2);
    assert_eq!(jira.request_count(SEARCH), 1);
    assert_eq!(jira.data().issues.len(), before + 2);

    // Lost every time: after MaxRetries lookups the rows are reported unknown, never guessed.
    let (jira, client) = setup(10).await;
    let settings = common::connection(&jira, &jira.config().api_token.clone(), "MaxRetries=1");
    let client_once = JiraClient::new(settings).expect("client");
    drop(client);
    jira.faults().fail_endpoint_next(BULK, 5, 503, None);
    let got = client_once
        .create_issues_once(&[task("never")], "op-never")
        .await
        .expect("an answer");
    assert!(got.created.is_empty());
    assert_eq!(got.unknown.len(), 1);
    assert!(
        got.unknown[0].1.contains("not found in Jira afterwards"),
        "{:?}",
        got.unknown
    );
    assert_eq!(jira.request_count(BULK), 2, "the first send and one more");
}
