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

    let other = s.error("DELETE FROM Statuses WHERE Name = 'Done'").await;
    assert!(other.contains("Statuses is read-only"), "{other}");
}

const BULK: &str = "POST /rest/api/3/issue/bulk";

#[tokio::test]
async fn insert_values_creates_one_issue_in_jiras_shapes() {
    let s = common::site(40).await;
    let rows = s
        .rows(
            "INSERT INTO Issues (ProjectKey, IssueTypeName, Summary, Description, Labels, DueDate, \
             PriorityName, \"Story Points\") VALUES ('DEMO', 'Task', 'Rotate keys', \
             'plain text becomes ADF', ['ops'], '2026-12-24', 'High', 3)",
        )
        .await;
    assert_eq!(rows, [["Issues", "1", "0", "0", "0", "0"]]);
    assert_eq!(s.jira.request_count(BULK), 1);
    let data = s.jira.data();
    let made = data.issues.last().expect("an issue");
    assert_eq!(made.summary, "Rotate keys");
    assert_eq!(made.labels, ["ops"]);
    assert_eq!(
        made.due_date.map(|d| d.to_string()).as_deref(),
        Some("2026-12-24")
    );
    assert_eq!(
        data.priority(made.priority_id).map(|p| p.name.as_str()),
        Some("High")
    );
    assert_eq!(made.story_points, Some(3.0));
    let text = made
        .description
        .as_deref()
        .map(jiraql_emulator::jira::adf::to_plain_text);
    assert_eq!(
        text.as_deref().map(str::trim),
        Some("plain text becomes ADF")
    );
    assert_eq!(made.properties["jiraql.op"]["row"], 0, "the marker");

    // Read back through SQL.
    let back = s
        .rows(&format!(
            "SELECT Summary, PriorityName, \"Story Points\" FROM Issues WHERE Key = '{}'",
            made.key
        ))
        .await;
    assert_eq!(back, [["Rotate keys", "High", "3.0"]]);
}

#[tokio::test]
async fn two_hundred_rows_take_four_bulk_requests_and_a_bad_row_is_named() {
    let s = common::site(20).await;
    let before = s.jira.data().issues.len();
    let rows = s
        .rows(
            "INSERT INTO Issues SELECT 'DEMO' AS ProjectKey, 'Task' AS IssueTypeName, \
             concat('Bulk ', n) AS Summary, \
             CASE WHEN n = 77 THEN 'Urgent-ish' ELSE 'Low' END AS PriorityName \
             FROM generate_series(1, 200) AS t(n)",
        )
        .await;
    assert_eq!(rows, [["Issues", "199", "0", "0", "0", "1"]]);
    assert_eq!(s.jira.request_count(BULK), 4);
    assert_eq!(s.jira.data().issues.len(), before + 199);
    let report = s.engine.take_write_report().expect("a report");
    assert_eq!(report.failed[0].row, "row 77");
    assert_eq!(
        report.failed[0].reason,
        "priority: The priority selected is invalid."
    );
}

#[tokio::test]
async fn bad_inserts_are_refused_whole_before_any_request() {
    let s = common::site(20).await;
    let error = s
        .error("INSERT INTO Issues (ProjectKey, Key, Colour) VALUES ('DEMO', 'DEMO-1', 'red')")
        .await;
    for part in [
        "Key: read-only, Jira sets it",
        "Colour: Issues has no such column",
        "IssueTypeName: required to create an issue",
        "Summary: required to create an issue",
    ] {
        assert!(error.contains(part), "{part}: {error}");
    }
    let error = s
        .error(
            "INSERT INTO Issues (ProjectKey, IssueTypeName, Summary, DueDate) \
             VALUES ('DEMO', 'Task', 'a', '2026-01-01'), ('DEMO', 'Task', 'b', 'tomorrow')",
        )
        .await;
    assert!(
        error.contains("row 2, DueDate: 'tomorrow' is not a date"),
        "{error}"
    );
    let error = s
        .error("INSERT INTO Issues VALUES ('DEMO', 'Task', 'unnamed')")
        .await;
    assert!(error.contains("needs its columns named"), "{error}");
    assert_eq!(s.jira.total_requests(), 0);

    let dry = engine_with(&s, true, false).await;
    dry.query(
        "INSERT INTO Issues (ProjectKey, IssueTypeName, Summary) VALUES ('DEMO', 'Task', 'x')",
    )
    .await
    .expect("planned");
    let report = dry.take_write_report().expect("a report");
    assert_eq!(report.inserted, 1);
    assert_eq!(
        report.planned,
        ["POST /rest/api/3/issue/bulk with 1 issues (rows 1 to 1)"]
    );
    assert_eq!(s.jira.request_count(BULK), 0);
}

#[tokio::test]
async fn the_catalog_says_which_columns_are_written() {
    let s = common::site(10).await;
    let rows = s
        .rows(
            "SELECT ColumnName, IsReadOnly FROM sys_tablecolumns WHERE TableName = 'Issues' \
             AND ColumnName IN ('Key', 'Summary', 'StatusName', 'Story Points', 'Created') \
             ORDER BY ColumnName",
        )
        .await;
    assert_eq!(
        rows,
        [
            ["Created", "true"],
            ["Key", "true"],
            ["StatusName", "true"],
            ["Story Points", "false"],
            ["Summary", "false"],
        ]
    );
}

const EDIT: &str = "PUT /rest/api/3/issue/{issueIdOrKey}";
const TRANSITION: &str = "POST /rest/api/3/issue/{issueIdOrKey}/transitions";

/// An issue of `DEMO` in `status` that is not a sub-task, and an active user not assigned to it.
fn issue_in(s: &Site, status: u64) -> (String, String) {
    let data = s.jira.data();
    let issue = data
        .issues
        .iter()
        .find(|i| i.key.starts_with("DEMO-") && i.status_id == status && i.issue_type_id != SUBTASK)
        .expect("such an issue");
    let user = data
        .users
        .iter()
        .find(|u| {
            u.active
                && u.account_type == "atlassian"
                && Some(&u.account_id) != issue.assignee.as_ref()
        })
        .expect("a user");
    (issue.key.clone(), user.account_id.clone())
}

#[tokio::test]
async fn update_sends_only_what_changes_and_nothing_for_an_unchanged_row() {
    let s = common::site(60).await;
    let (key, user) = issue_in(&s, 10001);
    let sql = format!(
        "UPDATE Issues SET Summary = 'x', AssigneeAccountId = '{user}', \"Story Points\" = 5 \
         WHERE Key = '{key}'"
    );
    let rows = s.rows(&sql).await;
    assert_eq!(rows, [["Issues", "0", "1", "0", "0", "0"]]);
    assert_eq!(s.jira.request_count(EDIT), 1);
    let data = s.jira.data();
    let issue = data.issue_by_key(&key).expect("there");
    assert_eq!(issue.summary, "x");
    assert_eq!(issue.assignee.as_deref(), Some(user.as_str()));
    assert_eq!(issue.story_points, Some(5.0));

    // The same again: the row is read, nothing is written.
    s.jira.reset_requests();
    let rows = s.rows(&sql).await;
    assert_eq!(rows, [["Issues", "0", "0", "1", "0", "0"]]);
    assert_eq!(s.jira.request_count(EDIT), 0);
    assert_eq!(s.jira.total_requests(), 1, "only the key lookup");
}

#[tokio::test]
async fn status_changes_are_transitions_and_an_impossible_one_lists_the_reachable() {
    let s = common::site(80).await;
    let (todo, _) = issue_in(&s, 10001);
    let rows = s
        .rows(&format!(
            "UPDATE Issues SET StatusName = 'Done' WHERE Key = '{todo}'"
        ))
        .await;
    assert_eq!(rows, [["Issues", "0", "1", "0", "0", "0"]]);
    assert_eq!(s.jira.request_count(TRANSITION), 1);
    assert_eq!(s.jira.request_count(EDIT), 0);
    let done = s
        .jira
        .data()
        .issue_by_key(&todo)
        .map(|i| (i.status_id, i.resolution_id));
    assert_eq!(done, Some((10003, Some(10000))));

    // From Done only Reopen (to To Do) leads anywhere.
    let result = s
        .engine
        .query(&format!(
            "UPDATE Issues SET StatusName = 'In Review' WHERE Key = '{todo}'"
        ))
        .await
        .expect("runs; the row fails");
    assert_eq!(common::strings(&result)[0][5], "1");
    let report = s.engine.take_write_report().expect("a report");
    assert!(
        report.failed[0]
            .reason
            .contains("no transition of its workflow leads to 'In Review'")
            && report.failed[0].reason.contains("reachable: To Do"),
        "{:?}",
        report.failed
    );
}

#[tokio::test]
async fn a_row_changed_in_jira_after_it_was_read_is_not_overwritten() {
    let s = common::site(60).await;
    // The emulator's knob edits the issue at index 3 right after answering the first search
    // (the knob the scan tests use): the statement has read it, then Jira changed it.
    let data = s.jira.data();
    let (changed, other) = (data.issues[3].key.clone(), data.issues[5].key.clone());
    s.jira.faults().change_issues_every(1);
    let result = s
        .engine
        .query(&format!(
            "UPDATE Issues SET Summary = 'mine' WHERE Key IN ('{changed}', '{other}')"
        ))
        .await
        .expect("runs");
    s.jira.faults().change_issues_every(0);
    assert_eq!(
        common::strings(&result),
        [["Issues", "0", "1", "0", "0", "1"]]
    );
    let report = s.engine.take_write_report().expect("a report");
    assert_eq!(report.failed[0].row, changed);
    assert!(
        report.failed[0]
            .reason
            .contains("changed in Jira after this statement read it"),
        "{:?}",
        report.failed
    );
    let after = s.jira.data();
    assert!(
        after
            .issue_by_key(&changed)
            .is_some_and(|i| i.summary.ends_with("(edited)"))
    );
    assert_eq!(
        after.issue_by_key(&other).map(|i| i.summary.as_str()),
        Some("mine")
    );
    assert_eq!(s.jira.request_count(EDIT), 1, "no edit for the skipped row");
}

#[tokio::test]
async fn bad_updates_are_refused_before_any_write() {
    let s = common::site(20).await;
    let error = s
        .error("UPDATE Issues SET Key = 'X-1', ProjectKey = 'OPS', Colour = 'red' WHERE Key = 'DEMO-1'")
        .await;
    for part in [
        "Key: read-only, Jira sets it",
        "ProjectKey: set when an issue is created only",
        "Colour: Issues has no such column",
    ] {
        assert!(error.contains(part), "{part}: {error}");
    }
    let (todo, _) = issue_in(&s, 10001);
    let dry = engine_with(&s, true, false).await;
    dry.query(&format!(
        "UPDATE Issues SET Summary = 'planned', StatusName = 'Done' WHERE Key = '{todo}'"
    ))
    .await
    .expect("planned");
    let report = dry.take_write_report().expect("a report");
    assert_eq!(report.updated, 1);
    assert_eq!(report.planned.len(), 3, "{:?}", report.planned);
    assert_eq!(
        report.planned[1],
        format!("PUT /rest/api/3/issue/{todo} {{\"summary\":\"planned\"}}")
    );
    assert_eq!(
        s.jira.request_count(EDIT) + s.jira.request_count(TRANSITION),
        0
    );
    s.jira.reset_requests();

    let error = s.error("UPDATE Issues SET Summary = 'all'").await;
    assert!(error.contains("UPDATE without WHERE"), "{error}");
    assert_eq!(s.jira.total_requests(), 0);

    let rows = s
        .rows("SELECT IsUpdateable FROM sys_tables WHERE TableName IN ('Issues', 'Statuses') ORDER BY TableName")
        .await;
    assert_eq!(rows, [["true"], ["false"]]);
}
