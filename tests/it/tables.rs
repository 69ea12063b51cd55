//! Every table besides Issues and Worklogs, and the sys_* catalog: rows equal the site's data,
//! and a parent condition calls that parent's endpoint only.

use std::collections::BTreeSet;

use crate::common;
use common::site;

mod custom_fields;
mod issue_children;

fn count(s: &common::Site, endpoint: &str) -> usize {
    s.jira
        .requests()
        .iter()
        .filter(|r| r.endpoint == endpoint)
        .count()
}

#[tokio::test]
async fn projects_in_one_page() {
    let s = site(100).await;
    let got = s
        .rows("SELECT Id, Key, Name FROM Projects ORDER BY Id")
        .await;
    let expected: Vec<Vec<String>> = s
        .jira
        .data()
        .projects
        .iter()
        .map(|p| vec![p.id.to_string(), p.key.clone(), p.name.clone()])
        .collect();
    assert_eq!(got, expected);
    assert_eq!(s.jira.total_requests(), 1);
}

#[tokio::test]
async fn users_page_until_an_empty_page() {
    let s = site(100).await;
    let got = s.rows("SELECT AccountId, DisplayName FROM Users").await;
    let expected: BTreeSet<Vec<String>> = s
        .jira
        .data()
        .users
        .iter()
        .map(|u| vec![u.account_id.clone(), u.display_name.clone()])
        .collect();
    assert_eq!(got.into_iter().collect::<BTreeSet<_>>(), expected);
    assert_eq!(count(&s, "GET /rest/api/3/users/search"), 2);
}

#[tokio::test]
async fn configuration_lists_are_one_request_each() {
    let s = site(100).await;
    let data = s.jira.data();
    for (sql, n) in [
        ("SELECT count(*) FROM IssueTypes", data.issue_types.len()),
        ("SELECT count(*) FROM Statuses", data.statuses.len()),
        ("SELECT count(*) FROM Priorities", data.priorities.len()),
        ("SELECT count(*) FROM Resolutions", data.resolutions.len()),
    ] {
        s.jira.reset_requests();
        assert_eq!(s.rows(sql).await, vec![vec![n.to_string()]], "{sql}");
        assert_eq!(s.jira.total_requests(), 1, "{sql}");
    }
    let got = s
        .rows("SELECT Name, CategoryName FROM Statuses WHERE Name = 'Done'")
        .await;
    assert_eq!(got, vec![vec!["Done".to_string(), "Done".to_string()]]);
    let got = s
        .rows("SELECT Id, Custom, SchemaType FROM Fields WHERE Name = 'Story Points'")
        .await;
    assert_eq!(
        got,
        vec![vec![
            "customfield_10016".to_string(),
            "true".into(),
            "number".into()
        ]]
    );
}

#[tokio::test]
async fn sprints_of_one_board_read_that_board_only() {
    let s = site(100).await;
    let data = s.jira.data();
    let board = data.boards[0].id;
    let expected: Vec<Vec<String>> = data
        .sprints
        .iter()
        .filter(|sp| sp.board_id == board)
        .map(|sp| {
            vec![
                sp.id.to_string(),
                board.to_string(),
                sp.name.clone(),
                sp.state.clone(),
            ]
        })
        .collect();
    assert!(!expected.is_empty());
    let got = s
        .rows(&format!(
            "SELECT Id, BoardId, Name, State FROM Sprints WHERE BoardId = {board} ORDER BY Id"
        ))
        .await;
    assert_eq!(got, expected);
    assert_eq!(
        s.endpoints(),
        vec!["GET /rest/agile/1.0/board/{boardId}/sprint".to_string()]
    );
}

#[tokio::test]
async fn sprints_of_every_board_list_the_boards_first() {
    let s = site(100).await;
    let data = s.jira.data();
    let got = s.rows("SELECT count(*) FROM Sprints").await;
    let scrum: Vec<_> = data
        .boards
        .iter()
        .filter(|b| b.board_type == "scrum")
        .collect();
    let expected = data
        .sprints
        .iter()
        .filter(|sp| scrum.iter().any(|b| b.id == sp.board_id))
        .count();
    assert_eq!(got, vec![vec![expected.to_string()]]);
    assert_eq!(count(&s, "GET /rest/agile/1.0/board"), 1);
    assert!(count(&s, "GET /rest/agile/1.0/board/{boardId}/sprint") <= data.boards.len());
    let plan = s.explain("SELECT Name FROM Sprints").await;
    assert!(
        plan.contains("GET board (50 a page) to list every parent, then GET board/{parent}/sprint (50 a page) for each"),
        "{plan}"
    );
}

#[tokio::test]
async fn components_of_one_project() {
    let s = site(100).await;
    let data = s.jira.data();
    let demo = data.projects.iter().find(|p| p.key == "DEMO").unwrap().id;
    let expected: Vec<Vec<String>> = data
        .components
        .iter()
        .filter(|c| c.project_id == demo)
        .map(|c| vec![c.id.to_string(), "DEMO".into(), c.name.clone()])
        .collect();
    let got = s
        .rows("SELECT Id, ProjectKey, Name FROM ProjectComponents WHERE ProjectKey = 'DEMO' ORDER BY Id")
        .await;
    assert_eq!(got, expected);
    assert_eq!(s.jira.total_requests(), 1);
    // A lower-case key is not pushed (Jira would ignore its case): every project is read.
    s.jira.reset_requests();
    assert!(
        s.rows("SELECT Id FROM ProjectComponents WHERE ProjectKey = 'demo'")
            .await
            .is_empty()
    );
    assert_eq!(s.jira.total_requests(), 1 + data.projects.len());
}

#[tokio::test]
async fn versions_of_every_project() {
    let s = site(100).await;
    let data = s.jira.data();
    let got = s.rows("SELECT count(*) FROM ProjectVersions").await;
    assert_eq!(got, vec![vec![data.versions.len().to_string()]]);
    assert_eq!(s.jira.total_requests(), 1 + data.projects.len());
}

#[tokio::test]
async fn the_catalog_matches_the_declarations() {
    let s = site(20).await;
    let got = s
        .rows(
            "SELECT TableName, TableType FROM sys_tables WHERE TableName NOT LIKE 'sys\\_%' \
             ORDER BY TableName",
        )
        .await;
    let mut expected: Vec<Vec<String>> = s
        .engine
        .tables()
        .iter()
        .map(|t| {
            vec![
                t.name.to_string(),
                if t.view { "VIEW" } else { "TABLE" }.to_string(),
            ]
        })
        .collect();
    expected.sort();
    assert_eq!(got, expected);
    let views = s.rows("SELECT TableName FROM sys_views").await;
    assert!(
        views
            .iter()
            .all(|v| s.engine.table_def(&v[0]).unwrap().view)
    );

    let n: usize = s.engine.tables().iter().map(|t| t.columns.len()).sum();
    assert_eq!(
        s.rows("SELECT count(*) FROM sys_tablecolumns WHERE TableName NOT LIKE 'sys\\_%'")
            .await,
        vec![vec![n.to_string()]]
    );
    let got = s
        .rows("SELECT DataTypeName, IsKey, PushesDown, JqlField FROM sys_tablecolumns WHERE TableName = 'Issues' AND ColumnName IN ('Id', 'Summary', 'Description', 'Created')  ORDER BY Ordinal")
        .await;
    assert_eq!(
        got,
        vec![
            vec!["BIGINT", "true", "true", "id"],
            vec!["VARCHAR", "false", "true", "summary"],
            vec!["VARCHAR", "false", "false", "NULL"],
            vec!["TIMESTAMP WITH TIME ZONE", "false", "true", "created"],
        ]
    );
    let keys = s
        .rows("SELECT ColumnName, IsForeignKey FROM sys_keycolumns WHERE TableName = 'Worklogs' ORDER BY ColumnName")
        .await;
    assert_eq!(keys, vec![vec!["Id", "false"], vec!["IssueKey", "true"]]);
    assert!(!s.rows("SELECT * FROM sys_sqlinfo").await.is_empty());
    // DataFusion's own catalog keeps working, and none of this calls Jira.
    assert!(
        s.rows("SHOW TABLES")
            .await
            .iter()
            .any(|r| r.contains(&"Worklogs".to_string()))
    );
    assert!(!s.rows("SHOW COLUMNS FROM Issues").await.is_empty());
    assert_eq!(s.jira.total_requests(), 0);
}

#[tokio::test]
async fn deleted_worklogs_follow_the_linked_pages() {
    let s = site(2000).await;
    let data = s.jira.data();
    let got = s
        .rows("SELECT WorklogId, arrow_cast(DeletedTime, 'Int64') FROM WorklogDeleted ORDER BY WorklogId")
        .await;
    let mut expected: Vec<Vec<String>> = data
        .deleted_worklogs
        .iter()
        .map(|w| vec![w.id.to_string(), w.deleted.timestamp_millis().to_string()])
        .collect();
    expected.sort_by_key(|r| r[0].parse::<u64>().unwrap());
    assert!(!expected.is_empty());
    assert_eq!(got, expected);
    assert_eq!(
        count(&s, "GET /rest/api/3/worklog/deleted"),
        data.deleted_worklogs.len().div_ceil(1000).max(1)
    );
}

#[tokio::test]
async fn a_lower_bound_on_deleted_time_starts_the_feed_there() {
    let s = site(2000).await;
    let data = s.jira.data();
    let all = &data.deleted_worklogs;
    let from = all[all.len() * 3 / 4].deleted;
    let expected: Vec<Vec<String>> = {
        let mut ids: Vec<u64> = all
            .iter()
            .filter(|w| w.deleted >= from)
            .map(|w| w.id)
            .collect();
        ids.sort_unstable();
        ids.into_iter().map(|id| vec![id.to_string()]).collect()
    };
    let sql = format!(
        "SELECT WorklogId FROM WorklogDeleted WHERE DeletedTime >= '{}' ORDER BY WorklogId",
        from.with_timezone(&chrono::Utc)
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
    );
    assert_eq!(s.rows(&sql).await, expected);
    let since: Vec<String> = s
        .jira
        .requests()
        .into_iter()
        .filter(|r| r.endpoint == "GET /rest/api/3/worklog/deleted")
        .map(|r| r.query)
        .collect();
    assert_eq!(
        since.first().map(String::as_str),
        Some(format!("since={}", from.timestamp_millis() - 1).as_str()),
        "the feed starts at the bound: {since:?}"
    );
    assert!(
        since.len() < all.len().div_ceil(1000).max(1) || all.len() <= 1000,
        "fewer pages than the whole feed: {since:?}"
    );
    assert!(s.explain(&sql).await.contains("worklog/deleted since="));
}

/// Pages of a `startAt` endpoint for `n` items, `max` a page (one page even when empty).
fn pages(n: usize, max: usize) -> usize {
    n.div_ceil(max).max(1)
}

#[tokio::test]
async fn sprint_issues_of_one_sprint_and_of_every_sprint() {
    let s = site(300).await;
    let data = s.jira.data();
    let sprint = data
        .sprints
        .iter()
        .max_by_key(|sp| {
            data.issues
                .iter()
                .filter(|i| i.sprint_ids.contains(&sp.id))
                .count()
        })
        .unwrap();
    let expected: Vec<Vec<String>> = data
        .issues
        .iter()
        .filter(|i| i.sprint_ids.contains(&sprint.id))
        .map(|i| vec![sprint.id.to_string(), i.key.clone()])
        .collect();
    assert!(!expected.is_empty());
    let got = s
        .rows(&format!(
            "SELECT SprintId, IssueKey FROM SprintIssues WHERE SprintId = {} ORDER BY IssueId",
            sprint.id
        ))
        .await;
    assert_eq!(got, expected);
    assert_eq!(
        s.endpoints(),
        vec!["GET /rest/agile/1.0/sprint/{sprintId}/issue".to_string(); pages(expected.len(), 50)]
    );

    // Every sprint: the boards, each board's sprints, each sprint's issues.
    s.jira.reset_requests();
    let total: usize = data.issues.iter().map(|i| i.sprint_ids.len()).sum();
    assert_eq!(
        s.rows("SELECT count(*) FROM SprintIssues").await,
        vec![vec![total.to_string()]]
    );
    assert_eq!(count(&s, "GET /rest/agile/1.0/board"), 1);
    assert_eq!(
        count(&s, "GET /rest/agile/1.0/board/{boardId}/sprint"),
        data.boards.len()
    );
    let per_sprint: usize = data
        .sprints
        .iter()
        .map(|sp| {
            pages(
                data.issues
                    .iter()
                    .filter(|i| i.sprint_ids.contains(&sp.id))
                    .count(),
                50,
            )
        })
        .sum();
    assert_eq!(
        count(&s, "GET /rest/agile/1.0/sprint/{sprintId}/issue"),
        per_sprint
    );
    let plan = s.explain("SELECT IssueKey FROM SprintIssues").await;
    assert!(
        plan.contains("SprintIssues via Sprints (via GET board (50 a page) to list every parent, then GET board/{parent}/sprint (50 a page) for each) to list every parent, then GET sprint/{parent}/issue (50 a page) for each"),
        "{plan}"
    );
}

#[tokio::test]
async fn board_issues_of_one_board() {
    let s = site(200).await;
    let data = s.jira.data();
    let board = &data.boards[0];
    let expected: Vec<Vec<String>> = data
        .issues
        .iter()
        .filter(|i| i.project_id == board.project_id)
        .map(|i| vec![board.id.to_string(), i.key.clone(), i.summary.clone()])
        .collect();
    assert!(!expected.is_empty());
    let got = s
        .rows(&format!(
            "SELECT BoardId, IssueKey, Summary FROM BoardIssues WHERE BoardId = {} ORDER BY IssueId",
            board.id
        ))
        .await;
    assert_eq!(got, expected);
    assert_eq!(
        s.endpoints(),
        vec!["GET /rest/agile/1.0/board/{boardId}/issue".to_string(); pages(expected.len(), 50)]
    );
}

/// The `fields` of every issue search the site served since the last reset.
/// Searches page after page: the tests that count pages and `fields=` exactly use it (split
/// scans are tested against them in `split_item_scans_return_the_same_rows`).
const SEQUENTIAL: &str = "MaxConcurrency=1";

fn searched_fields(s: &common::Site) -> Vec<String> {
    s.jira
        .requests()
        .iter()
        .filter(|r| r.endpoint == "POST /rest/api/3/search/jql")
        .filter_map(|r| r.body.as_ref()?.get("fields").cloned())
        .map(|f| f.to_string())
        .collect()
}

#[tokio::test]
async fn role_actors_read_each_role_of_the_named_projects() {
    let s = site(50).await;
    let data = s.jira.data();
    let demo = data.projects.iter().find(|p| p.key == "DEMO").unwrap();
    let mut expected: Vec<Vec<String>> = data
        .role_actors
        .iter()
        .filter(|a| a.project_id == demo.id)
        .map(|a| {
            let role = data.roles.iter().find(|r| r.id == a.role_id).unwrap();
            let (account, group) = match &a.actor {
                jiraql_emulator::jira::data::Actor::User(u) => (u.clone(), "NULL".to_string()),
                jiraql_emulator::jira::data::Actor::Group(g) => ("NULL".to_string(), g.clone()),
            };
            vec![
                "DEMO".to_string(),
                role.name.clone(),
                a.id.to_string(),
                account,
                group,
            ]
        })
        .collect();
    expected.sort();
    assert!(!expected.is_empty());
    let mut got = s
        .rows("SELECT ProjectKey, RoleName, ActorId, AccountId, GroupName FROM RoleActors WHERE ProjectKey = 'DEMO'")
        .await;
    got.sort();
    assert_eq!(got, expected);
    // The project's role list, then each role.
    assert_eq!(
        count(&s, "GET /rest/api/3/project/{projectIdOrKey}/roledetails"),
        1
    );
    assert_eq!(
        count(&s, "GET /rest/api/3/project/{projectIdOrKey}/role/{id}"),
        data.roles.len()
    );
    assert_eq!(s.jira.total_requests(), 1 + data.roles.len());
    let plan = s
        .explain("SELECT ActorName FROM RoleActors WHERE ProjectKey = 'DEMO'")
        .await;
    assert!(
        plan.contains("GET project/{parent}/roledetails, then GET project/{parent}/role/{item} for each item for DEMO"),
        "{plan}"
    );
    // Every project: listed first.
    s.jira.reset_requests();
    assert_eq!(
        s.rows("SELECT count(*) FROM RoleActors").await,
        vec![vec![data.role_actors.len().to_string()]]
    );
    assert_eq!(
        s.jira.total_requests(),
        1 + data.projects.len() * (1 + data.roles.len())
    );
}

#[tokio::test]
async fn split_item_scans_return_the_same_rows() {
    let split = site(1000).await;
    let sequential = common::site_with(1000, SEQUENTIAL).await;
    for sql in [
        "SELECT Id, IssueKey, Created FROM Comments ORDER BY Id",
        "SELECT Id, IssueKey, Filename FROM Attachments ORDER BY Id",
        "SELECT IssueKey, LinkTypeName, Direction, LinkedIssueKey FROM IssueLinks ORDER BY 1, 2, 3, 4",
    ] {
        let want = sequential.rows(sql).await;
        assert!(want.len() > 100, "{sql}: {}", want.len());
        assert_eq!(split.rows(sql).await, want, "{sql}");
    }
    // The split searches ordered by creation and cut into created windows.
    let windows = split
        .jira
        .requests()
        .iter()
        .filter_map(|r| r.body.as_ref()?.get("jql")?.as_str().map(str::to_string))
        .filter(|jql| jql.contains("created >="))
        .count();
    assert!(windows > 1, "{windows}");
}

#[tokio::test]
async fn labels_answer_like_the_rest_listing() {
    let s = site(100).await;
    let config = s.jira.config();
    let page: serde_json::Value = reqwest::Client::new()
        .get(format!("{}/rest/api/3/label", s.jira.base_url()))
        .basic_auth(&config.email, Some(&config.api_token))
        .send()
        .await
        .expect("label listing answers")
        .json()
        .await
        .expect("a JSON page");
    assert_eq!(page["isLast"], true, "{page}");
    let expected: Vec<Vec<String>> = page["values"]
        .as_array()
        .expect("values")
        .iter()
        .map(|v| vec![v.as_str().expect("a label").to_string()])
        .collect();
    // The site's issues carry several labels, each listed once.
    let carried: BTreeSet<String> = s
        .jira
        .data()
        .issues
        .iter()
        .flat_map(|i| i.labels.clone())
        .collect();
    assert!(expected.len() > 1);
    assert_eq!(expected.len(), carried.len());
    s.jira.reset_requests();
    assert_eq!(s.rows("SELECT Name FROM Labels").await, expected);
    assert_eq!(count(&s, "GET /rest/api/3/label"), 1);
    let explain = s.explain("SELECT Name FROM Labels").await;
    assert!(explain.contains("GET label (1000 a page)"), "{explain}");
    assert_eq!(
        s.rows("SELECT TableName, TableType FROM sys_tables WHERE TableName = 'Labels'")
            .await,
        vec![vec!["Labels".to_string(), "VIEW".to_string()]]
    );
}
