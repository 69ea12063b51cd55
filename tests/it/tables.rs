//! Every table besides Issues and Worklogs, and the sys_* catalog: rows equal the site's data,
//! and a parent condition calls that parent's endpoint only.

use crate::common;

use std::collections::BTreeSet;

use common::site;

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
        .rows("SELECT TableName, TableType FROM sys_tables ORDER BY TableName")
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
        s.rows("SELECT count(*) FROM sys_tablecolumns").await,
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

/// Pages of a `startAt` endpoint for `n` items, `max` a page (one page even when empty).
fn pages(n: usize, max: usize) -> usize {
    n.div_ceil(max).max(1)
}

#[tokio::test]
async fn comments_of_one_issue_read_its_comment_endpoint_only() {
    let s = site(300).await;
    let data = s.jira.data();
    // The issue with the most comments, so its endpoint's paging is exercised too.
    let issue = data
        .issues
        .iter()
        .max_by_key(|i| data.comments_of(i).len())
        .unwrap();
    let comments = data.comments_of(issue);
    assert!(
        comments.len() > 20,
        "the site has an issue with many comments"
    );
    let expected: Vec<Vec<String>> = comments
        .iter()
        .map(|c| {
            vec![
                c.id.to_string(),
                issue.key.clone(),
                c.author.clone(),
                jiraql::jira::adf::to_text(&c.body).unwrap_or_default(),
            ]
        })
        .collect();
    let sql = format!(
        "SELECT Id, IssueKey, AuthorAccountId, Body FROM Comments WHERE IssueKey = '{}' ORDER BY Id",
        issue.key
    );
    assert_eq!(s.rows(&sql).await, expected);
    assert_eq!(
        s.endpoints(),
        vec![
            "GET /rest/api/3/issue/{issueIdOrKey}/comment".to_string();
            pages(comments.len(), 100)
        ]
    );
    let plan = s.explain(&sql).await;
    assert!(
        plan.contains(&format!(
            "JiraScan: Comments via GET issue/{{parent}}/comment (100 a page) for {}",
            issue.key
        )),
        "{plan}"
    );
    // IssueId needs the issue's id, which the comment endpoint does not say: one more GET.
    s.jira.reset_requests();
    let got = s
        .rows(&format!(
            "SELECT DISTINCT IssueId FROM Comments WHERE IssueKey = '{}'",
            issue.key
        ))
        .await;
    assert_eq!(got, vec![vec![issue.id.to_string()]]);
    assert_eq!(s.jira.total_requests(), 1 + pages(comments.len(), 100));
    // An issue that does not exist has no comments.
    s.jira.reset_requests();
    assert!(
        s.rows("SELECT Id FROM Comments WHERE IssueKey = 'DEMO-99999'")
            .await
            .is_empty()
    );
}

#[tokio::test]
async fn all_comments_come_embedded_in_the_search() {
    let s = common::site_with(300, SEQUENTIAL).await;
    let data = s.jira.data();
    let mut expected: Vec<Vec<String>> = data
        .issues
        .iter()
        .flat_map(|i| {
            data.comments_of(i)
                .iter()
                .map(|c| vec![c.id.to_string(), i.id.to_string(), i.key.clone()])
        })
        .collect();
    expected.sort();
    let mut got = s.rows("SELECT Id, IssueId, IssueKey FROM Comments").await;
    got.sort();
    assert_eq!(got, expected);
    // One search page per 100 issues, and the comment endpoint only for issues with more
    // comments than the search embeds (20).
    let truncated: usize = data
        .issues
        .iter()
        .map(|i| data.comments_of(i).len())
        .filter(|&n| n > 20)
        .map(|n| pages(n, 100))
        .sum();
    assert!(truncated > 0);
    assert_eq!(
        count(&s, "POST /rest/api/3/search/jql"),
        data.issues.len().div_ceil(100)
    );
    assert_eq!(
        count(&s, "GET /rest/api/3/issue/{issueIdOrKey}/comment"),
        truncated
    );
    assert_eq!(
        s.jira.total_requests(),
        data.issues.len().div_ceil(100) + truncated
    );
    let plan = s.explain("SELECT Id FROM Comments").await;
    assert!(
        plan.contains(r#"search/jql jql="project is not EMPTY" fields=comment, then GET issue/{parent}/comment (100 a page) for each issue with more than the search embeds"#),
        "{plan}"
    );
}

#[tokio::test]
async fn issue_conditions_narrow_the_comment_search() {
    let s = site(300).await;
    let data = s.jira.data();
    let keys: Vec<&str> = data.issues.iter().take(3).map(|i| i.key.as_str()).collect();
    let expected: usize = data
        .issues
        .iter()
        .take(3)
        .map(|i| data.comments_of(i).len())
        .sum();
    let list = keys
        .iter()
        .map(|k| format!("'{k}'"))
        .collect::<Vec<_>>()
        .join(",");
    let got = s
        .rows(&format!(
            "SELECT count(*) FROM Comments WHERE IssueKey IN ({list})"
        ))
        .await;
    assert_eq!(got, vec![vec![expected.to_string()]]);
    assert_eq!(count(&s, "POST /rest/api/3/search/jql"), 1);
    let truncated = data
        .issues
        .iter()
        .take(3)
        .filter(|i| data.comments_of(i).len() > 20)
        .count();
    assert_eq!(s.jira.total_requests(), 1 + truncated);

    // Raw JQL chooses the issues too.
    s.jira.reset_requests();
    let ops = data.projects.iter().find(|p| p.key == "OPS").unwrap().id;
    let ops_issues: Vec<_> = data.issues.iter().filter(|i| i.project_id == ops).collect();
    let expected: usize = ops_issues.iter().map(|i| data.comments_of(i).len()).sum();
    let got = s
        .rows("SELECT count(*) FROM Comments WHERE JQL = 'project = OPS'")
        .await;
    assert_eq!(got, vec![vec![expected.to_string()]]);
    assert_eq!(
        count(&s, "POST /rest/api/3/search/jql"),
        ops_issues.len().div_ceil(100).max(1)
    );
}

#[tokio::test]
async fn issue_links_are_seen_from_both_issues() {
    let s = common::site_with(300, SEQUENTIAL).await;
    let data = s.jira.data();
    let key = |id: u64| data.issue_by_id(id).unwrap().key.clone();
    let mut expected: Vec<Vec<String>> = Vec::new();
    for l in &data.issue_links {
        let t = data.issue_link_type(l.type_id).unwrap();
        let (a, b) = (key(l.inward_issue_id), key(l.outward_issue_id));
        expected.push(vec![
            l.id.to_string(),
            a.clone(),
            t.name.clone(),
            "outward".into(),
            b.clone(),
        ]);
        expected.push(vec![
            l.id.to_string(),
            b,
            t.name.clone(),
            "inward".into(),
            a,
        ]);
    }
    expected.sort();
    assert!(!expected.is_empty());
    let mut got = s
        .rows("SELECT Id, IssueKey, LinkTypeName, Direction, LinkedIssueKey FROM IssueLinks")
        .await;
    got.sort();
    assert_eq!(got, expected);
    assert_eq!(
        s.endpoints(),
        vec!["POST /rest/api/3/search/jql".to_string(); data.issues.len().div_ceil(100)]
    );
    // One issue: one GET with its links.
    s.jira.reset_requests();
    let one = &expected[0][1];
    let mine: Vec<Vec<String>> = expected.iter().filter(|r| &r[1] == one).cloned().collect();
    let mut got = s
        .rows(&format!(
            "SELECT Id, IssueKey, LinkTypeName, Direction, LinkedIssueKey FROM IssueLinks WHERE IssueKey = '{one}'"
        ))
        .await;
    got.sort();
    assert_eq!(got, mine);
    assert_eq!(
        s.endpoints(),
        vec!["GET /rest/api/3/issue/{issueIdOrKey}".to_string()]
    );
    let plan = s
        .explain(&format!(
            "SELECT Id FROM IssueLinks WHERE IssueKey = '{one}'"
        ))
        .await;
    assert!(
        plan.contains(&format!("IssueLinks via GET issue/{one} fields=issuelinks")),
        "{plan}"
    );
}

#[tokio::test]
async fn attachments_come_from_the_search() {
    let s = common::site_with(200, SEQUENTIAL).await;
    let data = s.jira.data();
    let mut expected: Vec<Vec<String>> = data
        .attachments
        .iter()
        .map(|a| {
            vec![
                a.id.to_string(),
                data.issue_by_id(a.issue_id).unwrap().key.clone(),
                a.filename.clone(),
                a.size.to_string(),
                a.mime_type.clone(),
                a.author.clone(),
            ]
        })
        .collect();
    expected.sort();
    assert!(!expected.is_empty());
    let mut got = s
        .rows("SELECT Id, IssueKey, Filename, Size, MimeType, AuthorAccountId FROM Attachments")
        .await;
    got.sort();
    assert_eq!(got, expected);
    assert_eq!(s.jira.total_requests(), data.issues.len().div_ceil(100));
    // Narrowed by issue ids: one search.
    s.jira.reset_requests();
    let mut ids: Vec<u64> = data.attachments.iter().map(|a| a.issue_id).collect();
    ids.dedup();
    ids.truncate(2);
    let got = s
        .rows(&format!(
            "SELECT count(*) FROM Attachments WHERE IssueId IN ({}, {})",
            ids[0], ids[1]
        ))
        .await;
    let n = data
        .attachments
        .iter()
        .filter(|a| ids.contains(&a.issue_id))
        .count();
    assert_eq!(got, vec![vec![n.to_string()]]);
    assert_eq!(
        s.endpoints(),
        vec!["POST /rest/api/3/search/jql".to_string()]
    );
}

#[tokio::test]
async fn changelogs_one_issue_and_in_bulk() {
    let s = site(300).await;
    let data = s.jira.data();
    let rows_of = |h: &jiraql_emulator::jira::data::ChangeHistory| -> Vec<Vec<String>> {
        let key = data.issue_by_id(h.issue_id).unwrap().key.clone();
        h.items
            .iter()
            .map(|i| {
                vec![
                    h.id.to_string(),
                    key.clone(),
                    h.author.clone(),
                    i.field_id().to_string(),
                ]
            })
            .collect()
    };
    let issue = data
        .issues
        .iter()
        .max_by_key(|i| data.changelogs_of(i).len())
        .unwrap();
    let histories = data.changelogs_of(issue);
    let mut expected: Vec<Vec<String>> = histories.iter().flat_map(rows_of).collect();
    expected.sort();
    let mut got = s
        .rows(&format!(
            "SELECT Id, IssueKey, AuthorAccountId, FieldId FROM IssueChangelogs WHERE IssueKey = '{}'",
            issue.key
        ))
        .await;
    got.sort();
    assert_eq!(got, expected);
    assert_eq!(
        s.endpoints(),
        vec![
            "GET /rest/api/3/issue/{issueIdOrKey}/changelog".to_string();
            pages(histories.len(), 100)
        ]
    );

    // Every issue: one id search, then changelog/bulkfetch for the 300 issues.
    s.jira.reset_requests();
    let mut expected: Vec<Vec<String>> = data.changelogs.iter().flat_map(rows_of).collect();
    expected.sort();
    let mut got = s
        .rows("SELECT Id, IssueKey, AuthorAccountId, FieldId FROM IssueChangelogs")
        .await;
    got.sort();
    assert_eq!(got, expected);
    assert_eq!(count(&s, "POST /rest/api/3/search/jql"), 1);
    assert_eq!(
        count(&s, "POST /rest/api/3/changelog/bulkfetch"),
        data.changelogs.len().div_ceil(10_000)
    );
    let plan = s.explain("SELECT Id FROM IssueChangelogs").await;
    assert!(
        plan.contains(
            "fields=id, then POST changelog/bulkfetch (1000 issues a call, 10000 items a page)"
        ),
        "{plan}"
    );
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
async fn custom_fields_are_typed_issue_columns() {
    // One search, not split into windows (which also ask for `created`): this is about fields.
    let s = common::site_with(300, "MaxConcurrency=1").await;
    let data = s.jira.data();
    let demo = data.projects.iter().find(|p| p.key == "DEMO").unwrap().id;
    let expected: Vec<Vec<String>> = data
        .issues
        .iter()
        .filter(|i| i.project_id == demo)
        .map(|i| {
            let sprints: Vec<String> = i
                .sprint_ids
                .iter()
                .map(|id| data.sprint(*id).unwrap().name.clone())
                .collect();
            vec![
                i.key.clone(),
                i.story_points.map_or("NULL".into(), |p| format!("{p:?}")),
                if sprints.is_empty() {
                    "NULL".into()
                } else {
                    format!("[{}]", sprints.join(", "))
                },
                i.team_id
                    .map_or("NULL".into(), |t| data.team(t).unwrap().value.clone()),
                i.target_date.map_or("NULL".into(), |d| d.to_string()),
            ]
        })
        .collect();
    let got = s
        .rows(r#"SELECT Key, "Story Points", Sprint, Team, "Target Date" FROM Issues WHERE ProjectKey = 'DEMO' ORDER BY Id"#)
        .await;
    assert_eq!(got, expected);
    // Only the custom fields the query names are asked for.
    assert_eq!(
        searched_fields(&s),
        vec![
            r#"["customfield_10016","customfield_10020","customfield_10030","customfield_10040"]"#
                .to_string();
            expected.len().div_ceil(100)
        ]
    );
    s.jira.reset_requests();
    s.rows(r#"SELECT Key, "Story Points" FROM Issues WHERE ProjectKey = 'DEMO'"#)
        .await;
    assert!(
        searched_fields(&s)
            .iter()
            .all(|f| f == r#"["customfield_10016"]"#),
        "{:?}",
        searched_fields(&s)
    );
    // Types: DOUBLE, a list of sprint names, text, DATE.
    let types = s
        .rows("SELECT ColumnName, DataTypeName, JqlField, Description FROM sys_tablecolumns WHERE TableName = 'Issues' AND Description LIKE 'Custom field%' ORDER BY Ordinal")
        .await;
    assert_eq!(
        types,
        vec![
            vec![
                "Story Points",
                "DOUBLE",
                "cf[10016]",
                "Custom field customfield_10016 (Story Points)."
            ],
            vec![
                "Sprint",
                "VARCHAR[]",
                "NULL",
                "Custom field customfield_10020 (Sprint)."
            ],
            vec![
                "Team",
                "VARCHAR",
                "cf[10030]",
                "Custom field customfield_10030 (Team)."
            ],
            vec![
                "Target Date",
                "DATE",
                "cf[10040]",
                "Custom field customfield_10040 (Target Date)."
            ],
            vec![
                "Reviewer",
                "VARCHAR",
                "NULL",
                "Custom field customfield_10050 (Reviewer)."
            ],
            vec![
                "Deployed At",
                "TIMESTAMP WITH TIME ZONE",
                "cf[10060]",
                "Custom field customfield_10060 (Deployed At)."
            ],
            vec![
                "Platforms",
                "VARCHAR[]",
                "NULL",
                "Custom field customfield_10070 (Platforms)."
            ],
            vec![
                "Release Notes",
                "VARCHAR",
                "cf[10080]",
                "Custom field customfield_10080 (Release Notes)."
            ],
        ]
    );

    // A user (display name), a datetime, checkboxes (a list of values) and a text.
    let expected: Vec<Vec<String>> = data
        .issues
        .iter()
        .filter(|i| i.project_id == demo)
        .map(|i| {
            let platforms: Vec<&str> = i.platforms().iter().map(|p| p.1).collect();
            vec![
                i.key.clone(),
                i.reviewer().map_or("NULL".into(), |a| {
                    data.user(a).unwrap().display_name.clone()
                }),
                i.deployed_at()
                    .map_or("NULL".into(), |t| t.timestamp_millis().to_string()),
                if platforms.is_empty() {
                    "NULL".into()
                } else {
                    format!("[{}]", platforms.join(", "))
                },
                i.release_notes().unwrap_or_else(|| "NULL".into()),
            ]
        })
        .collect();
    let got = s
        .rows(r#"SELECT Key, Reviewer, arrow_cast("Deployed At", 'Int64'), Platforms, "Release Notes" FROM Issues WHERE ProjectKey = 'DEMO' ORDER BY Id"#)
        .await;
    assert_eq!(got, expected);
}

#[tokio::test]
async fn custom_field_filters_become_cf_clauses() {
    let s = site(300).await;
    let data = s.jira.data();
    let mut expected: Vec<Vec<String>> = data
        .issues
        .iter()
        .filter(|i| i.story_points.is_some_and(|p| p >= 5.0))
        .map(|i| vec![i.key.clone()])
        .collect();
    expected.sort();
    assert!(!expected.is_empty());
    let sql = r#"SELECT Key FROM Issues WHERE "Story Points" >= 5"#;
    let mut got = s.rows(sql).await;
    got.sort();
    assert_eq!(got, expected);
    let plan = s.explain(sql).await;
    // Exact: no FilterExec above the scan.
    assert!(
        plan.contains(r#"search/jql jql="cf[10016] >= 5" fields=id"#)
            && !plan.contains("FilterExec"),
        "{plan}"
    );

    // An option by value: a prefilter (Jira ignores case), checked again.
    let team = &data.teams[0];
    let n = data
        .issues
        .iter()
        .filter(|i| i.team_id == Some(team.id))
        .count();
    let sql = format!("SELECT count(*) FROM Issues WHERE Team = '{}'", team.value);
    assert_eq!(s.rows(&sql).await, vec![vec![n.to_string()]]);
    assert!(s.explain(&sql).await.contains(&format!(
        "jql=\"cf[10030] = {}\"",
        jiraql::jira::jql::quote(&team.value).replace('"', "\\\"")
    )));

    // A date, and emptiness.
    let day = chrono::NaiveDate::from_ymd_opt(2026, 6, 1).unwrap();
    let n = data
        .issues
        .iter()
        .filter(|i| i.target_date.is_some_and(|d| d < day))
        .count();
    s.jira.reset_requests();
    assert_eq!(
        s.rows(r#"SELECT count(*) FROM Issues WHERE "Target Date" < DATE '2026-06-01'"#)
            .await,
        vec![vec![n.to_string()]]
    );
    let body = s.jira.requests()[0].body.clone().unwrap();
    assert_eq!(body["jql"], r#"cf[10040] < "2026-06-01""#);

    // A datetime bound on a whole minute is exact; text is a whole-word prefilter.
    let at = chrono::DateTime::parse_from_rfc3339("2026-06-01T00:00:00Z").unwrap();
    let n = data
        .issues
        .iter()
        .filter(|i| i.deployed_at().is_some_and(|t| t >= at))
        .count();
    let sql =
        r#"SELECT count(*) FROM Issues WHERE "Deployed At" >= TIMESTAMP '2026-06-01T00:00:00Z'"#;
    assert_eq!(s.rows(sql).await, vec![vec![n.to_string()]]);
    let plan = s.explain(sql).await;
    assert!(
        plan.contains(&format!("jql=\"cf[10060] >= {}\"", at.timestamp_millis()))
            && !plan.contains("FilterExec"),
        "{plan}"
    );
    let n = data
        .issues
        .iter()
        .filter(|i| {
            i.release_notes()
                .is_some_and(|t| t.starts_with("Shipped DEMO-"))
        })
        .count();
    let sql = r#"SELECT count(*) FROM Issues WHERE "Release Notes" LIKE 'Shipped DEMO-%'"#;
    assert_eq!(s.rows(sql).await, vec![vec![n.to_string()]]);
    assert!(
        s.explain(sql)
            .await
            .contains(r#"jql="cf[10080] ~ \"Shipped\"""#),
        "{}",
        s.explain(sql).await
    );
    // A fractional number.
    let n = data
        .issues
        .iter()
        .filter(|i| i.story_points == Some(0.5))
        .count();
    assert_eq!(
        s.rows(r#"SELECT count(*) FROM Issues WHERE "Story Points" = 0.5"#)
            .await,
        vec![vec![n.to_string()]]
    );
    let n = data.issues.iter().filter(|i| i.team_id.is_none()).count();
    assert_eq!(
        s.rows("SELECT count(*) FROM Issues WHERE Team IS NULL")
            .await,
        vec![vec![n.to_string()]]
    );
}

#[tokio::test]
async fn issue_custom_fields_has_a_row_per_set_value() {
    let s = common::site_with(100, SEQUENTIAL).await;
    let data = s.jira.data();
    let mut expected: Vec<Vec<String>> = Vec::new();
    for i in &data.issues {
        if let Some(p) = i.story_points {
            expected.push(vec![
                i.key.clone(),
                "customfield_10016".into(),
                "Story Points".into(),
                format!("{p:?}"),
            ]);
        }
        if !i.sprint_ids.is_empty() {
            let names: Vec<String> = i
                .sprint_ids
                .iter()
                .map(|id| data.sprint(*id).unwrap().name.clone())
                .collect();
            expected.push(vec![
                i.key.clone(),
                "customfield_10020".into(),
                "Sprint".into(),
                names.join(", "),
            ]);
        }
        if let Some(t) = i.team_id {
            expected.push(vec![
                i.key.clone(),
                "customfield_10030".into(),
                "Team".into(),
                data.team(t).unwrap().value.clone(),
            ]);
        }
        if let Some(d) = i.target_date {
            expected.push(vec![
                i.key.clone(),
                "customfield_10040".into(),
                "Target Date".into(),
                d.to_string(),
            ]);
        }
        if let Some(a) = i.reviewer() {
            expected.push(vec![
                i.key.clone(),
                "customfield_10050".into(),
                "Reviewer".into(),
                data.user(a).unwrap().display_name.clone(),
            ]);
        }
        if let Some(t) = i.deployed_at() {
            // Jira's text, compared as an instant below.
            expected.push(vec![
                i.key.clone(),
                "customfield_10060".into(),
                "Deployed At".into(),
                t.timestamp_millis().to_string(),
            ]);
        }
        let platforms: Vec<&str> = i.platforms().iter().map(|p| p.1).collect();
        if !platforms.is_empty() {
            expected.push(vec![
                i.key.clone(),
                "customfield_10070".into(),
                "Platforms".into(),
                platforms.join(", "),
            ]);
        }
        if let Some(t) = i.release_notes() {
            expected.push(vec![
                i.key.clone(),
                "customfield_10080".into(),
                "Release Notes".into(),
                t,
            ]);
        }
    }
    expected.sort();
    let mut got = s
        .rows("SELECT IssueKey, FieldId, FieldName, Value FROM IssueCustomFields")
        .await;
    for row in &mut got {
        if row[1] == "customfield_10060" {
            row[3] = jiraql::engine::decode::parse_instant(&row[3])
                .unwrap()
                .to_string();
        }
    }
    got.sort();
    assert_eq!(got, expected);
    assert_eq!(
        searched_fields(&s),
        vec![
            r#"["customfield_10016","customfield_10020","customfield_10030","customfield_10040","customfield_10050","customfield_10060","customfield_10070","customfield_10080"]"#
                .to_string();
            data.issues.len().div_ceil(100)
        ]
    );
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
async fn the_repl_catalog_shows_custom_field_columns() {
    use jiraql::cli::catalog::Catalog;
    use jiraql::cli::completion::SqlHelper;
    let s = site(20).await;
    let catalog = Catalog::load(&s.engine).await;
    let issues = catalog.find("Issues").unwrap();
    let (_, listing) = Catalog::columns_listing(issues);
    let rows = common::strings(&[listing]);
    let points = rows.iter().find(|r| r[0] == "Story Points").unwrap();
    assert!(
        points[2].contains("exact") && points[3].contains("customfield_10016"),
        "{points:?}"
    );
    assert!(catalog.find("IssueCustomFields").is_some());
    // Completion offers them for a statement naming Issues.
    let helper = SqlHelper::new(catalog);
    let line = "SELECT Rele FROM Issues";
    let (_, found) = helper.candidates(line, "SELECT Rele".len());
    assert!(
        found
            .iter()
            .any(|p| p.display == "Release Notes" && p.replacement == "\"Release Notes\""),
        "{:?}",
        found.iter().map(|p| &p.replacement).collect::<Vec<_>>()
    );
    assert_eq!(s.jira.total_requests(), 0);
}

#[tokio::test]
async fn changelog_field_conditions_reach_bulkfetch() {
    let s = site(200).await;
    let data = s.jira.data();
    let n: usize = data
        .changelogs
        .iter()
        .flat_map(|h| &h.items)
        .filter(|i| i.field_id() == "status")
        .count();
    assert!(n > 0);
    let sql = "SELECT count(*) FROM IssueChangelogs WHERE FieldId = 'status'";
    assert_eq!(s.rows(sql).await, vec![vec![n.to_string()]]);
    let bulk: Vec<_> = s
        .jira
        .requests()
        .into_iter()
        .filter(|r| r.endpoint == "POST /rest/api/3/changelog/bulkfetch")
        .collect();
    assert_eq!(bulk.len(), 1);
    assert_eq!(
        bulk[0].body.as_ref().unwrap()["fieldIds"],
        serde_json::json!(["status"])
    );
    assert!(s.explain(sql).await.contains("only=status"));
    let rule = s
        .rows("SELECT PushesDown, PushdownRule FROM sys_tablecolumns WHERE TableName = 'IssueChangelogs' AND ColumnName = 'FieldId'")
        .await;
    assert_eq!(
        rule,
        vec![vec![
            "true".to_string(),
            "= IN (up to 10): changelog/bulkfetch's fieldIds when issues are read in bulk (prefilter)".into()
        ]]
    );
}

#[tokio::test]
async fn changelogs_say_they_need_jira_cloud() {
    let s = site(20).await;
    let text = format!(
        "URL={};AuthScheme=PAT;APIToken={}",
        s.jira.base_url(),
        s.jira.config().personal_access_token
    );
    let mut settings: jiraql::jira::connection::ConnectionSettings = text.parse().unwrap();
    settings.resolve_token(|_| None, None).unwrap();
    let engine =
        jiraql::engine::Engine::connect(jiraql::jira::client::JiraClient::new(settings).unwrap())
            .await
            .unwrap();
    let err = engine
        .query("SELECT count(*) FROM IssueChangelogs WHERE IssueKey = 'DEMO-1'")
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("only Jira Cloud has") && err.contains("Data Center"),
        "{err}"
    );
    // Comments, whose endpoints Data Center has too, are read.
    let got = engine
        .query("SELECT count(*) FROM Comments WHERE IssueKey = 'DEMO-1'")
        .await
        .unwrap();
    let n = s
        .jira
        .data()
        .comments_of(s.jira.data().issue_by_key("DEMO-1").unwrap())
        .len();
    assert_eq!(common::strings(&got), vec![vec![n.to_string()]]);
}

#[tokio::test]
async fn issue_custom_fields_by_field_id_ask_for_that_field_only() {
    let s = common::site_with(100, SEQUENTIAL).await;
    let data = s.jira.data();
    let mut expected: Vec<Vec<String>> = data
        .issues
        .iter()
        .filter_map(|i| {
            let team = data.team(i.team_id?)?;
            Some(vec![i.key.clone(), team.value.clone()])
        })
        .collect();
    expected.sort();
    let mut got = s
        .rows("SELECT IssueKey, Value FROM IssueCustomFields WHERE FieldId = 'customfield_10030'")
        .await;
    got.sort();
    assert_eq!(got, expected);
    assert!(
        searched_fields(&s)
            .iter()
            .all(|f| f == r#"["customfield_10030"]"#),
        "{:?}",
        searched_fields(&s)
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
