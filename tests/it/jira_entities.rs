//! Writing statements on the site's entity tables (ProjectVersions), end to end against the
//! emulator: each statement's requests counted, its effect read back through Jira's REST API,
//! its report exact, a lost answer never making a second version, a row changed in Jira since
//! it was read never overwritten, and bad statements refused before anything is sent.

use jiraql::engine::Engine;
use jiraql::jira::client::JiraClient;
use jiraql_emulator::JiraEmulator;

use crate::common::{self, Site, report};

const CREATE: &str = "POST /rest/api/3/version";
const GET: &str = "GET /rest/api/3/version/{id}";
const PUT: &str = "PUT /rest/api/3/version/{id}";
const SWAP: &str = "POST /rest/api/3/version/{id}/removeAndSwap";

/// The versions of DEMO named `name`: (id, released, release date) from the emulator's data.
fn versions(jira: &JiraEmulator, name: &str) -> Vec<(u64, bool, Option<String>)> {
    let d = jira.data();
    let demo = d.projects.iter().find(|p| p.key == "DEMO").map(|p| p.id);
    d.versions
        .iter()
        .filter(|v| Some(v.project_id) == demo && v.name == name)
        .map(|v| (v.id, v.released, v.release_date.map(|d| d.to_string())))
        .collect()
}

#[tokio::test]
async fn versions_are_added_changed_and_removed_from_sql() {
    let s = common::site(40).await;
    s.jira.reset_requests();
    let rows = s
        .rows(
            "INSERT INTO ProjectVersions (ProjectKey, Name, ReleaseDate, Released, Description) \
             VALUES ('DEMO', '2.4', '2027-01-15', false, 'next'), ('DEMO', '2.5', NULL, false, NULL)",
        )
        .await;
    assert_eq!(report(&rows), ["ProjectVersions", "2", "0", "0", "0", "0"]);
    assert_eq!(s.jira.request_count(CREATE), 2);
    assert_eq!(s.jira.total_requests(), 2, "{:?}", s.endpoints());
    let made = versions(&s.jira, "2.4");
    assert_eq!(made.len(), 1);
    assert_eq!(
        (made[0].1, made[0].2.as_deref()),
        (false, Some("2027-01-15"))
    );
    let id = made[0].0;
    // Read back through the table.
    let read = s
        .rows("SELECT Name, Released, ReleaseDate, Description FROM ProjectVersions WHERE ProjectKey = 'DEMO' AND Name = '2.4'")
        .await;
    assert_eq!(read, [["2.4", "false", "2027-01-15", "next"]]);

    // Nothing to change sends nothing; a change reads the version again, then PUTs only it.
    s.jira.reset_requests();
    let rows = s
        .rows("UPDATE ProjectVersions SET Released = false WHERE ProjectKey = 'DEMO' AND Name = '2.4'")
        .await;
    assert_eq!(report(&rows), ["ProjectVersions", "0", "0", "1", "0", "0"]);
    assert_eq!(s.jira.request_count(PUT), 0);
    s.jira.reset_requests();
    let rows = s
        .rows("UPDATE ProjectVersions SET Released = true, ReleaseDate = '2027-01-20' WHERE ProjectKey = 'DEMO' AND Name = '2.4'")
        .await;
    assert_eq!(report(&rows), ["ProjectVersions", "0", "1", "0", "0", "0"]);
    assert_eq!(
        s.endpoints(),
        [
            "GET /rest/api/3/project/{projectIdOrKey}/versions",
            GET,
            PUT
        ]
    );
    assert_eq!(
        versions(&s.jira, "2.4")[0],
        (id, true, Some("2027-01-20".into()))
    );

    // Removed with removeAndSwap; one already gone counts as unchanged.
    s.jira.reset_requests();
    let rows = s
        .rows("DELETE FROM ProjectVersions WHERE ProjectKey = 'DEMO' AND Name IN ('2.4', '2.5')")
        .await;
    assert_eq!(report(&rows), ["ProjectVersions", "0", "0", "0", "2", "0"]);
    assert_eq!(s.jira.request_count(SWAP), 2);
    assert!(versions(&s.jira, "2.4").is_empty() && versions(&s.jira, "2.5").is_empty());
}

#[tokio::test]
async fn a_lost_answer_never_makes_a_second_version() {
    let s = common::site(30).await;
    s.jira.reset_requests();
    // The version is made, but its answer arrives cut in half.
    s.jira.faults().malformed_next(1);
    let rows = s
        .rows("INSERT INTO ProjectVersions (ProjectKey, Name) VALUES ('DEMO', 'lost answer')")
        .await;
    assert_eq!(report(&rows), ["ProjectVersions", "1", "0", "0", "0", "0"]);
    assert_eq!(
        s.jira.request_count(CREATE),
        1,
        "looked for, not sent again"
    );
    assert_eq!(versions(&s.jira, "lost answer").len(), 1);
}

#[tokio::test]
async fn a_version_changed_since_it_was_read_is_not_overwritten() {
    let s = common::site(30).await;
    s.rows("INSERT INTO ProjectVersions (ProjectKey, Name, Description) VALUES ('DEMO', 'raced', 'old')")
        .await;
    // Someone else changes the description right after the statement's read.
    let id = versions(&s.jira, "raced")[0].0;
    s.jira.faults().change_after(
        "GET /rest/api/3/project/{projectIdOrKey}/versions",
        move |d| {
            if let Some(v) = d.versions.iter_mut().find(|v| v.id == id) {
                v.description = "theirs".into();
            }
        },
    );
    let rows = s
        .rows("UPDATE ProjectVersions SET Description = 'mine' WHERE ProjectKey = 'DEMO' AND Name = 'raced'")
        .await;
    assert_eq!(report(&rows), ["ProjectVersions", "0", "0", "0", "0", "1"]);
    assert_eq!(s.jira.request_count(PUT), 0);
    let failed = s.engine.take_write_report().expect("a report").failed;
    assert!(failed[0].reason.contains("changed since"), "{failed:?}");
    let d = s.jira.data();
    let v = d.versions.iter().find(|v| v.id == id).expect("the version");
    assert_eq!(v.description, "theirs");
}

#[tokio::test]
async fn bad_version_statements_are_refused_before_anything_is_sent() {
    let s = common::site(30).await;
    s.jira.reset_requests();
    for (sql, says) in [
        (
            "INSERT INTO ProjectVersions (ProjectKey, Description) VALUES ('DEMO', 'x')",
            "Name: required to add a row",
        ),
        (
            "INSERT INTO ProjectVersions (Name) VALUES ('x')",
            "ProjectKey or ProjectId: required",
        ),
        (
            "INSERT INTO ProjectVersions (ProjectKey, Name, Overdue) VALUES ('DEMO', 'x', true)",
            "Overdue: read-only",
        ),
        (
            "UPDATE ProjectVersions SET ProjectKey = 'OPS' WHERE Id = 1",
            "ProjectKey: set when a row is added only",
        ),
        ("UPDATE ProjectVersions SET Released = true", "WHERE"),
        ("DELETE FROM ProjectVersions", "WHERE"),
    ] {
        let error = s.error(sql).await;
        assert!(error.contains(says), "{sql}: {error}");
    }
    assert_eq!(s.jira.total_requests(), 0, "{:?}", s.endpoints());
    // Jira's own refusal names the row: a name the project already has.
    let rows = s
        .rows("INSERT INTO ProjectVersions (ProjectKey, Name) VALUES ('DEMO', 'twice'), ('DEMO', 'twice')")
        .await;
    assert_eq!(report(&rows), ["ProjectVersions", "1", "0", "0", "0", "1"]);
    let failed = s.engine.take_write_report().expect("a report").failed;
    assert!(failed[0].reason.contains("already exists"), "{failed:?}");
}

#[tokio::test]
async fn a_dry_run_lists_version_requests_and_sends_none() {
    let s = common::site(30).await;
    let engine = dry_run_engine(&s).await;
    engine
        .query(
            "INSERT INTO ProjectVersions (ProjectKey, Name, Released) VALUES ('DEMO', '3.0', true)",
        )
        .await
        .expect("planned");
    let report = engine.take_write_report().expect("a report");
    assert_eq!(
        report.planned,
        ["POST /rest/api/3/version {\"name\":\"3.0\",\"project\":\"DEMO\",\"released\":true}"]
    );
    assert_eq!(s.jira.request_count(CREATE), 0);
    assert!(versions(&s.jira, "3.0").is_empty());
}

async fn dry_run_engine(s: &Site) -> Engine {
    let settings = common::connection(&s.jira, &s.jira.config().api_token.clone(), "");
    let mut engine = Engine::connect(JiraClient::new(settings).expect("client"))
        .await
        .expect("engine");
    engine.set_dry_run(true);
    s.jira.reset_requests();
    engine
}

#[tokio::test]
async fn components_are_added_changed_and_deleted_from_sql() {
    const CREATE: &str = "POST /rest/api/3/component";
    const PUT: &str = "PUT /rest/api/3/component/{id}";
    const DELETE: &str = "DELETE /rest/api/3/component/{id}";
    let s = common::site(30).await;
    let lead = s.jira.data().users[2].account_id.clone();
    s.jira.reset_requests();
    let rows = s
        .rows(&format!(
            "INSERT INTO ProjectComponents (ProjectKey, Name, LeadAccountId, AssigneeType) \
             VALUES ('DEMO', 'Billing', '{lead}', 'COMPONENT_LEAD')"
        ))
        .await;
    assert_eq!(
        report(&rows),
        ["ProjectComponents", "1", "0", "0", "0", "0"]
    );
    assert_eq!(s.jira.total_requests(), 1);
    assert_eq!(s.jira.request_count(CREATE), 1);
    let sql = "SELECT LeadAccountId, AssigneeType, Description FROM ProjectComponents \
               WHERE ProjectKey = 'DEMO' AND Name = 'Billing'";
    assert_eq!(s.rows(sql).await, [[lead.as_str(), "COMPONENT_LEAD", ""]]);

    s.jira.reset_requests();
    let rows = s
        .rows("UPDATE ProjectComponents SET Description = 'invoices', AssigneeType = 'PROJECT_LEAD' WHERE ProjectKey = 'DEMO' AND Name = 'Billing'")
        .await;
    assert_eq!(
        report(&rows),
        ["ProjectComponents", "0", "1", "0", "0", "0"]
    );
    assert_eq!(s.jira.request_count(PUT), 1);
    assert_eq!(
        s.rows(sql).await,
        [[lead.as_str(), "PROJECT_LEAD", "invoices"]]
    );
    // Jira refuses a lead who is no user: the row's failure names why.
    let rows = s
        .rows("UPDATE ProjectComponents SET LeadAccountId = 'nobody' WHERE ProjectKey = 'DEMO' AND Name = 'Billing'")
        .await;
    assert_eq!(
        report(&rows),
        ["ProjectComponents", "0", "0", "0", "0", "1"]
    );
    let failed = s.engine.take_write_report().expect("a report").failed;
    assert!(failed[0].reason.contains("does not exist"), "{failed:?}");

    s.jira.reset_requests();
    let rows = s
        .rows("DELETE FROM ProjectComponents WHERE ProjectKey = 'DEMO' AND Name = 'Billing'")
        .await;
    assert_eq!(
        report(&rows),
        ["ProjectComponents", "0", "0", "0", "1", "0"]
    );
    assert_eq!(s.jira.request_count(DELETE), 1);
    assert!(s.rows(sql).await.is_empty());
}

#[tokio::test]
async fn sprints_are_added_started_closed_and_deleted_from_sql() {
    const CREATE: &str = "POST /rest/agile/1.0/sprint";
    const CHANGE: &str = "POST /rest/agile/1.0/sprint/{sprintId}";
    const REPLACE: &str = "PUT /rest/agile/1.0/sprint/{sprintId}";
    const DELETE: &str = "DELETE /rest/agile/1.0/sprint/{sprintId}";
    let s = common::site(30).await;
    let board = s
        .jira
        .data()
        .boards
        .iter()
        .find(|b| b.board_type == "scrum")
        .expect("a scrum board")
        .id;
    s.jira.reset_requests();
    let rows = s
        .rows(&format!(
            "INSERT INTO Sprints (BoardId, Name, Goal) VALUES ({board}, 'Sprint 99', 'ship it')"
        ))
        .await;
    assert_eq!(report(&rows), ["Sprints", "1", "0", "0", "0", "0"]);
    assert_eq!(s.jira.total_requests(), 1);
    assert_eq!(s.jira.request_count(CREATE), 1);
    let sql = format!(
        "SELECT State, Goal, StartDate FROM Sprints WHERE BoardId = {board} AND Name = 'Sprint 99'"
    );
    assert_eq!(s.rows(&sql).await, [["future", "ship it", "NULL"]]);

    // Jira's state rules: a start needs both dates; with them it starts, sent as a partial
    // update (never the PUT, which would clear the goal).
    let start = format!(
        "UPDATE Sprints SET State = 'active' WHERE BoardId = {board} AND Name = 'Sprint 99'"
    );
    let rows = s.rows(&start).await;
    assert_eq!(report(&rows), ["Sprints", "0", "0", "0", "0", "1"]);
    let failed = s.engine.take_write_report().expect("a report").failed;
    assert!(
        failed[0].reason.contains("start date and an end date"),
        "{failed:?}"
    );
    s.jira.reset_requests();
    let rows = s
        .rows(&format!(
            "UPDATE Sprints SET State = 'active', StartDate = '2026-12-07 09:00', \
             EndDate = '2026-12-21 09:00' WHERE BoardId = {board} AND Name = 'Sprint 99'"
        ))
        .await;
    assert_eq!(report(&rows), ["Sprints", "0", "1", "0", "0", "0"]);
    assert_eq!(
        (s.jira.request_count(CHANGE), s.jira.request_count(REPLACE)),
        (1, 0)
    );
    assert_eq!(
        s.rows(&sql).await,
        [["active", "ship it", "2026-12-07T09:00:00Z"]]
    );
    // The dates just read back, written again, change nothing.
    let rows = s
        .rows(&format!(
            "UPDATE Sprints SET StartDate = StartDate WHERE BoardId = {board} AND Name = 'Sprint 99'"
        ))
        .await;
    assert_eq!(report(&rows), ["Sprints", "0", "0", "1", "0", "0"]);

    s.jira.reset_requests();
    let rows = s
        .rows(&format!(
            "DELETE FROM Sprints WHERE BoardId = {board} AND Name = 'Sprint 99'"
        ))
        .await;
    assert_eq!(report(&rows), ["Sprints", "0", "0", "0", "1", "0"]);
    assert_eq!(s.jira.request_count(DELETE), 1);
    assert!(s.rows(&sql).await.is_empty());
}

#[tokio::test]
async fn projects_are_added_changed_and_deleted_from_sql() {
    const CREATE: &str = "POST /rest/api/3/project";
    const PUT: &str = "PUT /rest/api/3/project/{projectIdOrKey}";
    const DELETE: &str = "DELETE /rest/api/3/project/{projectIdOrKey}";
    let s = common::site(30).await;
    let lead = s.jira.data().users[1].account_id.clone();
    s.jira.reset_requests();
    let rows = s
        .rows(&format!(
            "INSERT INTO Projects (Key, Name, ProjectTypeKey, LeadAccountId, Description) \
             VALUES ('BILL', 'Billing', 'software', '{lead}', 'invoices')"
        ))
        .await;
    assert_eq!(report(&rows), ["Projects", "1", "0", "0", "0", "0"]);
    assert_eq!(
        (s.jira.total_requests(), s.jira.request_count(CREATE)),
        (1, 1)
    );
    let sql = "SELECT Name, Description, LeadAccountId FROM Projects WHERE Key = 'BILL'";
    assert_eq!(s.rows(sql).await, [["Billing", "invoices", lead.as_str()]]);
    // Its versions can be written at once.
    let rows = s
        .rows("INSERT INTO ProjectVersions (ProjectKey, Name) VALUES ('BILL', '1.0')")
        .await;
    assert_eq!(report(&rows), ["ProjectVersions", "1", "0", "0", "0", "0"]);

    // The lead is compared where the project shows it (lead.accountId): no false conflict.
    s.jira.reset_requests();
    let rows = s
        .rows("UPDATE Projects SET Name = 'Billing and invoicing', Description = NULL WHERE Key = 'BILL'")
        .await;
    assert_eq!(report(&rows), ["Projects", "0", "1", "0", "0", "0"]);
    assert_eq!(s.jira.request_count(PUT), 1);
    let other = s.jira.data().users[2].account_id.clone();
    let rows = s
        .rows(&format!(
            "UPDATE Projects SET LeadAccountId = '{other}' WHERE Key = 'BILL'"
        ))
        .await;
    assert_eq!(report(&rows), ["Projects", "0", "1", "0", "0", "0"]);
    assert_eq!(
        s.rows(sql).await,
        [["Billing and invoicing", "", other.as_str()]]
    );
    // Jira's key rules come back as the row's failure.
    let rows = s
        .rows(&format!(
            "INSERT INTO Projects (Key, Name, ProjectTypeKey, LeadAccountId) \
             VALUES ('bad key', 'Bad', 'software', '{lead}')"
        ))
        .await;
    assert_eq!(report(&rows), ["Projects", "0", "0", "0", "0", "1"]);

    s.jira.reset_requests();
    let rows = s.rows("DELETE FROM Projects WHERE Key = 'BILL'").await;
    assert_eq!(report(&rows), ["Projects", "0", "0", "0", "1", "0"]);
    assert_eq!(s.jira.request_count(DELETE), 1);
    assert!(s.rows(sql).await.is_empty());
}

#[tokio::test]
async fn issue_types_and_roles_are_written_once_whatever_lists_them() {
    let s = common::site(30).await;
    s.jira.reset_requests();
    let rows = s
        .rows("INSERT INTO IssueTypes (Name, Description, HierarchyLevel) VALUES ('Incident', 'pager', 0), ('Check', NULL, -1)")
        .await;
    assert_eq!(report(&rows), ["IssueTypes", "2", "0", "0", "0", "0"]);
    assert_eq!(s.jira.request_count("POST /rest/api/3/issuetype"), 2);
    let types = s
        .rows("SELECT Name, Subtask FROM IssueTypes WHERE Name IN ('Incident', 'Check') ORDER BY Name")
        .await;
    assert_eq!(types, [["Check", "true"], ["Incident", "false"]]);
    let rows = s
        .rows("UPDATE IssueTypes SET Description = 'on call' WHERE Name = 'Incident'")
        .await;
    assert_eq!(report(&rows), ["IssueTypes", "0", "1", "0", "0", "0"]);
    // A name the site has is Jira's conflict, the row's failure.
    let rows = s
        .rows("INSERT INTO IssueTypes (Name) VALUES ('Incident')")
        .await;
    assert_eq!(report(&rows), ["IssueTypes", "0", "0", "0", "0", "1"]);
    let rows = s.rows("DELETE FROM IssueTypes WHERE Name = 'Check'").await;
    assert_eq!(report(&rows), ["IssueTypes", "0", "0", "0", "1", "0"]);

    // A role is the site's, listed under every project: written once.
    let projects = s.jira.data().projects.len();
    assert!(projects > 1);
    s.jira.reset_requests();
    let rows = s
        .rows("INSERT INTO Roles (Name, Description) VALUES ('Reviewers', 'read it all')")
        .await;
    assert_eq!(report(&rows), ["Roles", "1", "0", "0", "0", "0"]);
    let listed = s
        .rows("SELECT count(*) FROM Roles WHERE Name = 'Reviewers'")
        .await;
    assert_eq!(listed, [[projects.to_string()]]);
    s.jira.reset_requests();
    let rows = s
        .rows("UPDATE Roles SET Description = 'review' WHERE Name = 'Reviewers'")
        .await;
    assert_eq!(report(&rows), ["Roles", "0", "1", "0", "0", "0"]);
    assert_eq!(s.jira.request_count("POST /rest/api/3/role/{id}"), 1);
    let rows = s.rows("DELETE FROM Roles WHERE Name = 'Reviewers'").await;
    assert_eq!(report(&rows), ["Roles", "0", "0", "0", "1", "0"]);
    assert_eq!(s.jira.request_count("DELETE /rest/api/3/role/{id}"), 1);
}

#[tokio::test]
async fn boards_and_users_are_added_and_deleted_but_not_changed() {
    let s = common::site(30).await;
    let filter = s.jira.data().filters[0].id;
    s.jira.reset_requests();
    let rows = s
        .rows(&format!(
            "INSERT INTO Boards (Name, Type, FilterId, ProjectKey) VALUES ('Billing board', 'kanban', {filter}, 'DEMO')"
        ))
        .await;
    assert_eq!(report(&rows), ["Boards", "1", "0", "0", "0", "0"]);
    assert_eq!(s.jira.request_count("POST /rest/agile/1.0/board"), 1);
    let sql = "SELECT Type, ProjectKey FROM Boards WHERE Name = 'Billing board'";
    assert_eq!(s.rows(sql).await, [["kanban", "DEMO"]]);
    // Jira's API cannot change a board or a user: refused before anything is sent.
    s.jira.reset_requests();
    for sql in [
        "UPDATE Boards SET Name = 'x' WHERE Name = 'Billing board'",
        "UPDATE Users SET DisplayName = 'x' WHERE DisplayName = 'y'",
    ] {
        let error = s.error(sql).await;
        assert!(
            error.contains("Jira's API cannot change its rows"),
            "{error}"
        );
    }
    assert_eq!(s.jira.total_requests(), 0);
    let rows = s
        .rows("DELETE FROM Boards WHERE Name = 'Billing board'")
        .await;
    assert_eq!(report(&rows), ["Boards", "0", "0", "0", "1", "0"]);
    assert!(s.rows(sql).await.is_empty());

    s.jira.reset_requests();
    let rows = s
        .rows("INSERT INTO Users (EmailAddress, DisplayName) VALUES ('mia@example.com', 'Mia')")
        .await;
    assert_eq!(report(&rows), ["Users", "1", "0", "0", "0", "0"]);
    assert_eq!(s.jira.request_count("POST /rest/api/3/user"), 1);
    let sql = "SELECT AccountId FROM Users WHERE DisplayName = 'Mia'";
    let id = s.rows(sql).await[0][0].clone();
    // A second account for the same address is Jira's refusal, the row's failure.
    let rows = s
        .rows("INSERT INTO Users (EmailAddress) VALUES ('mia@example.com')")
        .await;
    assert_eq!(report(&rows), ["Users", "0", "0", "0", "0", "1"]);
    s.jira.reset_requests();
    let rows = s
        .rows(&format!("DELETE FROM Users WHERE AccountId = '{id}'"))
        .await;
    assert_eq!(report(&rows), ["Users", "0", "0", "0", "1", "0"]);
    assert_eq!(s.jira.request_count("DELETE /rest/api/3/user"), 1);
    assert!(s.rows(sql).await.is_empty());
}

#[tokio::test]
async fn sys_tables_marks_exactly_the_writable_tables() {
    let s = common::site(10).await;
    let rows = s
        .rows("SELECT TableName FROM sys_tables WHERE IsUpdateable ORDER BY TableName")
        .await;
    let names: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(
        names,
        [
            "Boards",
            "Comments",
            "IssueTypes",
            "Issues",
            "ProjectComponents",
            "ProjectVersions",
            "Projects",
            "Roles",
            "Sprints",
            "Users",
            "Worklogs"
        ]
    );
}
