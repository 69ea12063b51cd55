//! What issues hold: comments, issue links, attachments and changelogs, read from the search, their
//! own endpoints or in bulk.

use super::*;

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
