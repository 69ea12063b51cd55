//! Writing statements on Jira tables, end to end: `DELETE FROM Issues` finds its rows the way
//! a SELECT would (pushed down), deletes sub-tasks before their parents, reports each row, and
//! `--dry-run` and the WHERE guard send nothing.

use jiraql::engine::Engine;
use jiraql::jira::client::JiraClient;
use jiraql_emulator::jira::data::SUBTASK;

use crate::common::{self, Site};

const DELETE: &str = "DELETE /rest/api/3/issue/{issueIdOrKey}";

fn deletes(s: &Site) -> usize {
    s.jira.request_count(DELETE)
}

/// A second engine on the same site, with the session switches the CLI sets.
async fn engine_with(s: &Site, dry_run: bool, allow_all_rows: bool) -> Engine {
    let settings = common::connection(&s.jira, &s.jira.config().api_token.clone(), "");
    let mut engine = Engine::connect(JiraClient::new(settings).expect("client"))
        .await
        .expect("engine");
    engine.set_dry_run(dry_run);
    engine.set_allow_all_rows(allow_all_rows);
    s.jira.reset_requests();
    engine
}

#[tokio::test]
async fn delete_by_key_is_one_lookup_and_one_delete() {
    let s = common::site(40).await;
    let key = s
        .jira
        .data()
        .issues
        .iter()
        .find(|i| i.subtask_ids.is_empty())
        .map(|i| i.key.clone())
        .expect("an issue without sub-tasks");
    let rows = s
        .rows(&format!("DELETE FROM Issues WHERE Key = '{key}'"))
        .await;
    assert_eq!(rows, [["Issues", "0", "0", "0", "1", "0"]]);
    assert_eq!(
        s.jira.request_count("GET /rest/api/3/issue/{issueIdOrKey}"),
        1
    );
    assert_eq!(deletes(&s), 1);
    assert!(s.jira.data().issue_by_key(&key).is_none());
    let report = s.engine.take_write_report().expect("a report");
    assert_eq!((report.kind, report.deleted), ("table", 1));

    // Gone already: nothing to delete, nothing failed.
    s.jira.reset_requests();
    let rows = s
        .rows(&format!("DELETE FROM Issues WHERE Key = '{key}'"))
        .await;
    assert_eq!(rows, [["Issues", "0", "0", "0", "0", "0"]]);
    assert_eq!(deletes(&s), 0);
}

#[tokio::test]
async fn sub_tasks_go_first_and_a_parent_keeps_unselected_ones() {
    let s = common::site(200).await;
    let data = s.jira.data();
    let mut parents = data.issues.iter().filter(|i| i.subtask_ids.len() >= 2);
    let whole = parents.next().expect("a parent").clone();
    let partial = parents.next().expect("another parent").clone();
    let key_of = |id: u64| data.issue_by_id(id).expect("sub-task").key.clone();
    let kept = key_of(partial.subtask_ids[0]);
    let mut keys: Vec<String> = vec![whole.key.clone(), partial.key.clone()];
    keys.extend(whole.subtask_ids.iter().map(|&id| key_of(id)));
    keys.extend(partial.subtask_ids[1..].iter().map(|&id| key_of(id)));
    let list = keys
        .iter()
        .map(|k| format!("'{k}'"))
        .collect::<Vec<_>>()
        .join(", ");

    let result = s
        .engine
        .query(&format!("DELETE FROM Issues WHERE Key IN ({list})"))
        .await;
    let batches = result.expect("the statement runs; one row fails");
    let rows = common::strings(&batches);
    let deleted = keys.len() - 1;
    assert_eq!(
        rows,
        [[
            "Issues".to_string(),
            "0".into(),
            "0".into(),
            "0".into(),
            deleted.to_string(),
            "1".into()
        ]]
    );
    let report = s.engine.take_write_report().expect("a report");
    assert_eq!(report.failed.len(), 1);
    assert_eq!(report.failed[0].row, partial.key);
    assert!(
        report.failed[0]
            .reason
            .contains("sub-tasks the WHERE does not select"),
        "{:?}",
        report.failed
    );
    let after = s.jira.data();
    assert!(after.issue_by_key(&whole.key).is_none());
    assert!(
        after.issue_by_key(&partial.key).is_some(),
        "refused by Jira"
    );
    assert!(after.issue_by_key(&kept).is_some(), "not selected");
    assert!(
        after
            .issues
            .iter()
            .all(|i| i.issue_type_id != SUBTASK
                || i.parent_key.as_deref() != Some(whole.key.as_str()))
    );
}

#[tokio::test]
async fn dry_run_and_the_where_guard_send_nothing() {
    let s = common::site(40).await;
    let before = s.jira.data().issues.len();
    let error = s.error("DELETE FROM Issues").await;
    assert!(
        error.contains("DELETE without WHERE would change every row of Issues"),
        "{error}"
    );
    assert_eq!(s.jira.total_requests(), 0, "refused before any request");

    let dry = engine_with(&s, true, false).await;
    let batches = dry
        .query("DELETE FROM Issues WHERE ProjectKey = 'DEMO' AND StatusName = 'Done'")
        .await
        .expect("planned");
    let report = dry.take_write_report().expect("a report");
    assert!(report.dry_run);
    assert!(report.deleted > 0);
    assert_eq!(report.planned.len() as u64, report.deleted);
    assert!(
        report.planned[0].starts_with("DELETE /rest/api/3/issue/DEMO-"),
        "{:?}",
        report.planned
    );
    assert_eq!(common::strings(&batches)[0][4], report.deleted.to_string());
    assert_eq!(deletes(&s), 0);
    assert_eq!(s.jira.data().issues.len(), before);

    let other = s.error("DELETE FROM Projects WHERE Key = 'DEMO'").await;
    assert!(other.contains("Projects cannot be written to"), "{other}");
}
