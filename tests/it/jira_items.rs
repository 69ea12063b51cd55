//! Writing statements on Worklogs and Comments, end to end against the emulator: each
//! statement's requests counted, its effect read back through Jira's REST API (and the
//! estimate arithmetic it triggers), its report exact, and bad statements refused before
//! anything is sent.

use jiraql::engine::Engine;
use jiraql::jira::client::JiraClient;
use jiraql_emulator::JiraEmulator;

use crate::common::{self, report};

const ADD_WORKLOG: &str = "POST /rest/api/3/issue/{issueIdOrKey}/worklog";
const PUT_WORKLOG: &str = "PUT /rest/api/3/issue/{issueIdOrKey}/worklog/{id}";
const GET_WORKLOG: &str = "GET /rest/api/3/issue/{issueIdOrKey}/worklog/{id}";
const DELETE_WORKLOG: &str = "DELETE /rest/api/3/issue/{issueIdOrKey}/worklog/{id}";
const ADD_COMMENT: &str = "POST /rest/api/3/issue/{issueIdOrKey}/comment";

/// An issue with an estimate and no worklogs yet: its key and remaining estimate.
fn quiet_issue(jira: &JiraEmulator) -> (String, i64) {
    let d = jira.data();
    let i = d
        .issues
        .iter()
        .find(|i| i.worklogs.is_empty() && i.remaining_estimate_seconds.unwrap_or(0) > 7200)
        .expect("an estimated issue without worklogs");
    (i.key.clone(), i.remaining_estimate_seconds.unwrap_or(0))
}

fn remaining(jira: &JiraEmulator, key: &str) -> Option<i64> {
    jira.data()
        .issue_by_key(key)
        .and_then(|i| i.remaining_estimate_seconds)
}

#[tokio::test]
async fn worklogs_are_added_changed_and_deleted_from_sql() {
    let s = common::site(60).await;
    let (key, estimate) = quiet_issue(&s.jira);

    let rows = s
        .rows(&format!(
            "INSERT INTO Worklogs (IssueKey, Started, TimeSpentSeconds, Comment) \
             VALUES ('{key}', '2026-12-01 09:00', 3600, 'review'), \
                    ('{key}', '2026-12-02 09:00', 1800, NULL)"
        ))
        .await;
    assert_eq!(report(&rows), ["Worklogs", "2", "0", "0", "0", "0"]);
    assert_eq!(s.jira.request_count(ADD_WORKLOG), 2);
    assert_eq!(
        remaining(&s.jira, &key),
        Some(estimate - 5400),
        "auto by default"
    );
    let read = s
        .rows(&format!(
            "SELECT Id, Started, TimeSpentSeconds, Comment FROM Worklogs \
             WHERE IssueKey = '{key}' ORDER BY Started"
        ))
        .await;
    assert_eq!(read.len(), 2);
    assert_eq!(read[0][1], "2026-12-01T09:00:00Z");
    assert_eq!(read[0][2..], ["3600", "review"]);
    let (first, second) = (read[0][0].clone(), read[1][0].clone());

    // An UPDATE that changes nothing sends nothing; one that does reads the worklog again
    // first, then changes it, moving the estimate by the difference.
    s.jira.reset_requests();
    let rows = s
        .rows(&format!(
            "UPDATE Worklogs SET TimeSpentSeconds = 3600 WHERE Id = {first}"
        ))
        .await;
    assert_eq!(report(&rows), ["Worklogs", "0", "0", "1", "0", "0"]);
    assert_eq!(s.jira.request_count(PUT_WORKLOG), 0);
    // Found by id in one request, not by listing every worklog.
    assert_eq!(s.endpoints(), ["POST /rest/api/3/worklog/list"]);
    s.jira.reset_requests();
    let rows = s
        .rows(&format!(
            "UPDATE Worklogs SET TimeSpentSeconds = TimeSpentSeconds / 2 WHERE Id = {first}"
        ))
        .await;
    assert_eq!(report(&rows), ["Worklogs", "0", "1", "0", "0", "0"]);
    assert_eq!(
        s.endpoints(),
        ["POST /rest/api/3/worklog/list", GET_WORKLOG, PUT_WORKLOG]
    );
    assert_eq!(remaining(&s.jira, &key), Some(estimate - 3600));

    // The estimate is left alone when the statement says so.
    let rows = s
        .rows(&format!(
            "DELETE FROM Worklogs WHERE IssueKey = '{key}' AND Started < '2026-12-02' \
             AND AdjustEstimate = 'leave'"
        ))
        .await;
    assert_eq!(report(&rows), ["Worklogs", "0", "0", "0", "1", "0"]);
    assert_eq!(s.jira.request_count(DELETE_WORKLOG), 1);
    assert_eq!(remaining(&s.jira, &key), Some(estimate - 3600));
    let left = s
        .rows(&format!("SELECT Id FROM Worklogs WHERE IssueKey = '{key}'"))
        .await;
    assert_eq!(left, [[second.clone()]]);
    let data = s.jira.data();
    assert!(
        data.deleted_worklogs
            .iter()
            .any(|w| w.id.to_string() == first)
    );

    // Settings travel per row in INSERT.
    let rows = s
        .rows(&format!(
            "INSERT INTO Worklogs (IssueKey, Started, TimeSpent, AdjustEstimate, NewEstimate) \
             VALUES ('{key}', '2026-12-03T10:00:00+01:00', '1h 30m', 'new', '2d')"
        ))
        .await;
    assert_eq!(report(&rows), ["Worklogs", "1", "0", "0", "0", "0"]);
    assert_eq!(remaining(&s.jira, &key), Some(16 * 3600));
    let started = s
        .rows(&format!(
            "SELECT Started FROM Worklogs WHERE IssueKey = '{key}' AND TimeSpentSeconds = 5400"
        ))
        .await;
    assert_eq!(started, [["2026-12-03T09:00:00Z"]]);
}

#[tokio::test]
async fn worklogs_can_be_copied_from_a_query() {
    let s = common::site(80).await;
    let (key, _) = quiet_issue(&s.jira);
    let source = s
        .rows("SELECT COUNT(*) FROM Worklogs WHERE IssueKey = 'DEMO-7'")
        .await;
    let n: usize = source[0][0].parse().expect("a count");
    assert!(n > 10, "DEMO-7 has many worklogs");
    let rows = s
        .rows(&format!(
            "INSERT INTO Worklogs (IssueKey, Started, TimeSpentSeconds, Comment) \
             SELECT '{key}', Started, TimeSpentSeconds, 'copied from ' || IssueKey \
             FROM Worklogs WHERE IssueKey = 'DEMO-7'"
        ))
        .await;
    assert_eq!(
        report(&rows),
        ["Worklogs", &n.to_string(), "0", "0", "0", "0"]
    );
    assert_eq!(s.jira.request_count(ADD_WORKLOG), n, "one request per row");
    let d = s.jira.data();
    let issue = d.issue_by_key(&key).expect("issue");
    let copied = d.worklogs_of(issue);
    assert_eq!(copied.len(), n);
    let spent: i64 = copied.iter().map(|w| w.time_spent_seconds).sum();
    assert_eq!(issue.time_spent_seconds, Some(spent));
}

#[tokio::test]
async fn comments_are_added_edited_and_deleted_from_sql() {
    let s = common::site(40).await;
    let rows = s
        .rows(
            "INSERT INTO Comments (IssueKey, Body, VisibilityType, VisibilityValue) \
             VALUES ('DEMO-7', 'hello\nsecond line', 'role', 'Developers')",
        )
        .await;
    assert_eq!(report(&rows), ["Comments", "1", "0", "0", "0", "0"]);
    assert_eq!(s.jira.request_count(ADD_COMMENT), 1);
    let found = s
        .rows(
            "SELECT Id, Body, VisibilityValue FROM Comments WHERE IssueKey = 'DEMO-7' \
             AND Body LIKE 'hello%'",
        )
        .await;
    assert_eq!(found.len(), 1);
    assert_eq!(found[0][1..], ["hello\nsecond line", "Developers"]);
    let id = found[0][0].clone();

    s.jira.reset_requests();
    let rows = s
        .rows(&format!(
            "UPDATE Comments SET Body = 'edited' WHERE Id = {id}"
        ))
        .await;
    assert_eq!(report(&rows), ["Comments", "0", "1", "0", "0", "0"]);
    // Found by its id (and its issue's id in its URL), not among every issue's comments.
    assert_eq!(
        s.endpoints(),
        [
            "POST /rest/api/3/comment/list",
            "POST /rest/api/3/search/jql",
            "GET /rest/api/3/issue/{issueIdOrKey}/comment/{id}",
            "PUT /rest/api/3/issue/{issueIdOrKey}/comment/{id}",
        ]
    );
    let d = s.jira.data();
    let comment = d.comment_by_id(id.parse().expect("id")).expect("comment");
    assert_eq!(
        jiraql_emulator::jira::adf::to_plain_text(&comment.body).trim(),
        "edited"
    );
    assert!(comment.visibility.is_some(), "visibility left as it was");

    // Visibility is set as a whole.
    let e = s
        .error(&format!(
            "UPDATE Comments SET VisibilityValue = 'Viewers' WHERE Id = {id}"
        ))
        .await;
    assert!(
        e.contains("set VisibilityType in the same statement"),
        "{e}"
    );
    let rows = s
        .rows(&format!(
            "UPDATE Comments SET VisibilityType = NULL, VisibilityValue = NULL \
             WHERE IssueKey = 'DEMO-7' AND Id = {id}"
        ))
        .await;
    assert_eq!(report(&rows), ["Comments", "0", "1", "0", "0", "0"]);
    assert!(
        s.jira
            .data()
            .comment_by_id(id.parse().expect("id"))
            .expect("comment")
            .visibility
            .is_none()
    );

    let rows = s
        .rows(&format!(
            "DELETE FROM Comments WHERE IssueKey = 'DEMO-7' AND Id = {id}"
        ))
        .await;
    assert_eq!(report(&rows), ["Comments", "0", "0", "0", "1", "0"]);
    assert!(
        s.jira
            .data()
            .comment_by_id(id.parse().expect("id"))
            .is_none()
    );
    let rows = s
        .rows(&format!(
            "DELETE FROM Comments WHERE IssueKey = 'DEMO-7' AND Id = {id}"
        ))
        .await;
    assert_eq!(report(&rows), ["Comments", "0", "0", "0", "0", "0"]);
}

#[tokio::test]
async fn bad_item_statements_are_refused_before_anything_is_sent() {
    let s = common::site(30).await;
    let cases = [
        (
            "INSERT INTO Worklogs (Started, TimeSpentSeconds) VALUES ('2026-12-01', 60)",
            "IssueId: required",
        ),
        (
            "INSERT INTO Worklogs (IssueKey, TimeSpentSeconds) VALUES ('DEMO-7', 60)",
            "Started: required",
        ),
        (
            "INSERT INTO Worklogs (IssueKey, Started) VALUES ('DEMO-7', '2026-12-01')",
            "TimeSpent or TimeSpentSeconds: required",
        ),
        (
            "INSERT INTO Worklogs (IssueKey, Started, TimeSpentSeconds) VALUES ('DEMO-7', 'soon', 60)",
            "'soon' is not a timestamp",
        ),
        (
            "INSERT INTO Worklogs (IssueKey, Started, TimeSpentSeconds, Created) \
             VALUES ('DEMO-7', '2026-12-01', 60, '2026-12-01')",
            "Created: read-only",
        ),
        (
            "UPDATE Worklogs SET IssueKey = 'DEMO-8' WHERE Id = 1",
            "IssueKey: set when a row is added only",
        ),
        ("DELETE FROM Comments", "without WHERE"),
        // The same guard stands before every kind of Jira table.
        ("DELETE FROM ProjectVersions", "without WHERE"),
        ("UPDATE Sprints SET Name = 'x'", "without WHERE"),
        ("UPDATE Issues SET Summary = 'x'", "without WHERE"),
        (
            "DELETE FROM Worklogs WHERE AdjustEstimate = 'leave'",
            "without WHERE",
        ),
        ("DELETE FROM Statuses WHERE Id = 1", "read-only in jiraql"),
    ];
    for (sql, expected) in cases {
        let e = s.error(sql).await;
        assert!(e.contains(expected), "{sql}: {e}");
    }
    assert!(
        s.jira
            .requests()
            .iter()
            .all(|r| r.endpoint.starts_with("GET ") || r.endpoint.ends_with("search/jql")),
        "nothing written"
    );
}

#[tokio::test]
async fn a_dry_run_lists_item_requests_and_sends_none() {
    let s = common::site(30).await;
    let settings = common::connection(&s.jira, &s.jira.config().api_token.clone(), "");
    let mut engine = Engine::connect(JiraClient::new(settings).expect("client"))
        .await
        .expect("engine");
    engine.set_dry_run(true);
    s.jira.reset_requests();
    engine
        .query(
            "INSERT INTO Worklogs (IssueKey, Started, TimeSpentSeconds, AdjustEstimate) \
             VALUES ('DEMO-7', '2026-12-01 09:00', 60, 'leave')",
        )
        .await
        .expect("planned");
    let report = engine.take_write_report().expect("a report");
    assert!(report.dry_run);
    assert_eq!(
        report.planned,
        [
            "POST /rest/api/3/issue/DEMO-7/worklog?adjustEstimate=leave \
             {\"started\":\"2026-12-01T09:00:00.000+0000\",\"timeSpentSeconds\":60}"
        ]
    );
    assert_eq!(s.jira.request_count(ADD_WORKLOG), 0);
}

#[tokio::test]
async fn the_connection_gives_the_default_estimate_setting() {
    let s = common::site_with(60, "Other='AdjustEstimate=leave'").await;
    let (key, estimate) = quiet_issue(&s.jira);
    let rows = s
        .rows(&format!(
            "INSERT INTO Worklogs (IssueKey, Started, TimeSpentSeconds) \
             VALUES ('{key}', '2026-12-01 09:00', 3600)"
        ))
        .await;
    assert_eq!(report(&rows), ["Worklogs", "1", "0", "0", "0", "0"]);
    assert_eq!(remaining(&s.jira, &key), Some(estimate), "left by default");
    // The statement's own setting wins.
    s.rows(&format!(
        "INSERT INTO Worklogs (IssueKey, Started, TimeSpentSeconds, AdjustEstimate) \
         VALUES ('{key}', '2026-12-02 09:00', 600, 'auto')"
    ))
    .await;
    assert_eq!(remaining(&s.jira, &key), Some(estimate - 600));
    let sent: Vec<String> = s
        .jira
        .requests()
        .into_iter()
        .filter(|r| r.endpoint == ADD_WORKLOG)
        .map(|r| r.query)
        .collect();
    assert_eq!(sent, ["adjustEstimate=leave", "adjustEstimate=auto"]);
}
