//! The engine against the emulated Jira: rows equal what the site holds, and each pushdown rule
//! makes exactly the requests it should.

use std::collections::{BTreeSet, HashMap};

use crate::common;
use common::{ms, site, site_with};
use serde_json::Value;

const SEARCH: &str = "POST /rest/api/3/search/jql";
const GET_ISSUE: &str = "GET /rest/api/3/issue/{issueIdOrKey}";
const ISSUE_WORKLOGS: &str = "GET /rest/api/3/issue/{issueIdOrKey}/worklog";
const UPDATED: &str = "GET /rest/api/3/worklog/updated";
const LIST: &str = "POST /rest/api/3/worklog/list";

fn search_bodies(s: &common::Site) -> Vec<Value> {
    s.jira
        .requests()
        .into_iter()
        .filter(|r| r.endpoint == SEARCH)
        .filter_map(|r| r.body)
        .collect()
}

fn sorted(mut rows: Vec<Vec<String>>) -> Vec<Vec<String>> {
    rows.sort();
    rows
}

// ---------------------------------------------------------------- Issues

#[tokio::test]
async fn projection_becomes_fields_and_rows_match_the_site() {
    // Page after page, so the search bodies are the pushed-down ones alone.
    let s = site_with(300, "MaxConcurrency=1").await;
    let got = s
        .rows("SELECT Id, Key, Summary FROM Issues WHERE ProjectKey = 'DEMO' ORDER BY Id")
        .await;
    let data = s.jira.data();
    let demo = data.projects.iter().find(|p| p.key == "DEMO").unwrap().id;
    let expected: Vec<Vec<String>> = data
        .issues
        .iter()
        .filter(|i| i.project_id == demo)
        .map(|i| vec![i.id.to_string(), i.key.clone(), i.summary.clone()])
        .collect();
    assert!(!expected.is_empty());
    assert_eq!(got, expected);
    let bodies = search_bodies(&s);
    assert_eq!(bodies.len(), expected.len().div_ceil(100));
    assert_eq!(bodies[0]["fields"], serde_json::json!(["summary"]));
    assert_eq!(bodies[0]["jql"], "project = \"DEMO\"");
}

#[tokio::test]
async fn limit_is_one_request_of_that_size() {
    let s = site(300).await;
    let got = s
        .rows("SELECT Key FROM Issues WHERE ProjectKey = 'DEMO' LIMIT 5")
        .await;
    assert_eq!(got.len(), 5);
    assert_eq!(s.endpoints(), vec![SEARCH]);
    assert_eq!(search_bodies(&s)[0]["maxResults"], 5);
}

#[tokio::test]
async fn count_asks_for_ids_only() {
    let s = site(300).await;
    let got = s
        .rows("SELECT count(*) FROM Issues WHERE ProjectKey = 'DEMO'")
        .await;
    let data = s.jira.data();
    let demo = data.projects.iter().find(|p| p.key == "DEMO").unwrap().id;
    let n = data.issues.iter().filter(|i| i.project_id == demo).count();
    assert_eq!(got, vec![vec![n.to_string()]]);
    let bodies = search_bodies(&s);
    assert_eq!(bodies.len(), 1);
    assert_eq!(bodies[0]["fields"], serde_json::json!(["id"]));
}

#[tokio::test]
async fn a_key_is_one_direct_get() {
    let s = site(300).await;
    let got = s
        .rows("SELECT Key, ProjectKey, StatusName FROM Issues WHERE Key = 'DEMO-3'")
        .await;
    let data = s.jira.data();
    let issue = data.issue_by_key("DEMO-3").unwrap();
    let status = data.status(issue.status_id).unwrap().name.clone();
    assert_eq!(got, vec![vec!["DEMO-3".into(), "DEMO".into(), status]]);
    assert_eq!(s.endpoints(), vec![GET_ISSUE]);

    s.jira.reset_requests();
    assert!(
        s.rows("SELECT Key FROM Issues WHERE Key = 'DEMO-99999'")
            .await
            .is_empty()
    );
    assert_eq!(s.endpoints(), vec![GET_ISSUE]);

    s.jira.reset_requests();
    let id = issue.id;
    let got = s
        .rows(&format!("SELECT Key FROM Issues WHERE Id = {id}"))
        .await;
    assert_eq!(got, vec![vec!["DEMO-3".to_string()]]);
    assert_eq!(s.endpoints(), vec![GET_ISSUE]);
}

#[tokio::test]
async fn a_key_list_is_one_search_and_missing_keys_give_no_rows() {
    let s = site(300).await;
    let got = s
        .rows("SELECT Key FROM Issues WHERE Key IN ('DEMO-1', 'DEMO-2', 'DEMO-4', 'DEMO-8') ORDER BY Key")
        .await;
    assert_eq!(
        got,
        vec![
            vec!["DEMO-1"],
            vec!["DEMO-2"],
            vec!["DEMO-4"],
            vec!["DEMO-8"]
        ]
    );
    assert_eq!(s.endpoints(), vec![SEARCH]);

    // Jira answers 400 for a key that does not exist; SQL expects the other rows.
    s.jira.reset_requests();
    let got = s
        .rows("SELECT Key FROM Issues WHERE Key IN ('DEMO-1', 'DEMO-2', 'DEMO-77777', 'DEMO-8') ORDER BY Key")
        .await;
    assert_eq!(got, vec![vec!["DEMO-1"], vec!["DEMO-2"], vec!["DEMO-8"]]);
    assert!(s.endpoints().iter().all(|e| e == SEARCH));
    assert!(s.endpoints().len() <= 2);

    s.jira.reset_requests();
    assert!(
        s.rows("SELECT Key FROM Issues WHERE ProjectKey = 'NOPE'")
            .await
            .is_empty()
    );
}

#[tokio::test]
async fn created_ranges_go_to_jira_in_epoch_milliseconds() {
    let s = site(300).await;
    let got = s
        .rows("SELECT Key FROM Issues WHERE Created >= '2026-06-01T00:00:00Z' AND Created < '2026-07-01T00:00:00Z' ORDER BY Id")
        .await;
    let lo = chrono::DateTime::parse_from_rfc3339("2026-06-01T00:00:00Z").unwrap();
    let hi = chrono::DateTime::parse_from_rfc3339("2026-07-01T00:00:00Z").unwrap();
    let expected: Vec<Vec<String>> = s
        .jira
        .data()
        .issues
        .iter()
        .filter(|i| i.created >= lo && i.created < hi)
        .map(|i| vec![i.key.clone()])
        .collect();
    assert!(!expected.is_empty());
    assert_eq!(got, expected);
    let jql = search_bodies(&s)[0]["jql"].as_str().unwrap().to_string();
    assert_eq!(
        jql,
        format!(
            "created >= {} AND created < {}",
            lo.timestamp_millis(),
            hi.timestamp_millis()
        )
    );

    // Seconds are finer than JQL: Jira is asked for the whole minute, DataFusion keeps the rest.
    let issue = &s.jira.data().issues[10];
    let at = issue.created.to_rfc3339();
    let got = s
        .rows(&format!(
            "SELECT Key FROM Issues WHERE Created > '{at}' AND Created <= '{at}'"
        ))
        .await;
    assert!(got.is_empty());
    let got = s
        .rows(&format!(
            "SELECT Key FROM Issues WHERE Created >= '{at}' AND Created <= '{at}'"
        ))
        .await;
    assert!(got.contains(&vec![issue.key.clone()]));
}

#[tokio::test]
async fn names_are_prefiltered_by_jira_and_checked_by_sql() {
    // Page after page, so the search bodies are the pushed-down ones alone.
    let s = site_with(300, "MaxConcurrency=1").await;
    let data = s.jira.data();
    let done: Vec<Vec<String>> = data
        .issues
        .iter()
        .filter(|i| data.status(i.status_id).unwrap().name == "Done")
        .map(|i| vec![i.key.clone()])
        .collect();
    assert!(!done.is_empty());
    let got = s
        .rows("SELECT Key FROM Issues WHERE StatusName = 'Done' ORDER BY Id")
        .await;
    assert_eq!(got, done);
    // Jira matches names ignoring case; SQL does not.
    assert!(
        s.rows("SELECT Key FROM Issues WHERE StatusName = 'done'")
            .await
            .is_empty()
    );
    assert!(
        search_bodies(&s)
            .iter()
            .any(|b| b["jql"] == "status = \"done\"")
    );
}

#[tokio::test]
async fn summary_like_uses_whole_words_and_keeps_sql_semantics() {
    // Page after page, so the search bodies are the pushed-down ones alone.
    let s = site_with(300, "MaxConcurrency=1").await;
    let data = s.jira.data();
    // A word from some summary, searched as a substring with wildcards around it.
    let word = data
        .issues
        .iter()
        .flat_map(|i| i.summary.split_whitespace())
        .find(|w| w.len() > 4 && w.chars().all(|c| c.is_ascii_alphabetic()))
        .unwrap()
        .to_string();
    let pattern = format!("% {word} %");
    let expected: Vec<Vec<String>> = data
        .issues
        .iter()
        .filter(|i| i.summary.contains(&format!(" {word} ")))
        .map(|i| vec![i.key.clone()])
        .collect();
    let got = s
        .rows(&format!(
            "SELECT Key FROM Issues WHERE Summary LIKE '{pattern}' ORDER BY Id"
        ))
        .await;
    assert_eq!(got, expected);
    assert_eq!(search_bodies(&s)[0]["jql"], format!("summary ~ \"{word}\""));
}

#[tokio::test]
async fn raw_jql_passes_through() {
    let s = site(300).await;
    let data = s.jira.data();
    let demo = data.projects.iter().find(|p| p.key == "DEMO").unwrap().id;
    let expected: Vec<Vec<String>> = data
        .issues
        .iter()
        .filter(|i| i.project_id == demo && data.issue_type(i.issue_type_id).unwrap().name == "Bug")
        .map(|i| vec![i.key.clone()])
        .collect();
    let got = s
        .rows("SELECT Key FROM Issues WHERE JQL = 'project = DEMO AND issuetype = Bug' ORDER BY Id")
        .await;
    assert_eq!(got, expected);
    assert_eq!(
        search_bodies(&s)[0]["jql"],
        "(project = DEMO AND issuetype = Bug)"
    );
}

#[tokio::test]
async fn every_issue_column_decodes() {
    let s = site(300).await;
    let got = s.rows("SELECT * FROM Issues WHERE Key = 'DEMO-2'").await;
    assert_eq!(got.len(), 1);
    let data = s.jira.data();
    let issue = data.issue_by_key("DEMO-2").unwrap();
    let row = &got[0];
    assert_eq!(row[0], issue.id.to_string());
    assert_eq!(row[1], "DEMO-2");
    // Description is plain text, not ADF JSON.
    if issue.description.is_some() {
        assert!(!row[11].starts_with('{'), "{}", row[11]);
    }
}

#[tokio::test]
async fn names_ignore_case_and_keep_their_declared_spelling() {
    let s = site(100).await;
    let batches = s
        .engine
        .query("select issuekey, SUM(timespentseconds) AS total from JIRA.WORKLOGS where ISSUEKEY = 'DEMO-7' group by issuekey")
        .await
        .unwrap();
    let names: Vec<String> = batches[0]
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect();
    assert_eq!(names, vec!["IssueKey", "total"]);
}

#[tokio::test]
async fn explain_shows_the_jql_and_endpoints() {
    let s = site(100).await;
    let text = s
        .explain("SELECT Key FROM Issues WHERE ProjectKey = 'DEMO' AND StatusName = 'Done'")
        .await;
    assert!(
        text.contains(r#"JiraScan: Issues via search/jql jql="project = \"DEMO\" AND status = \"Done\"" fields=status"#),
        "{text}"
    );
    let text = s.explain("SELECT Id FROM Worklogs").await;
    assert!(
        text.contains("worklog/updated since=0 + POST worklog/list"),
        "{text}"
    );
    assert_eq!(s.jira.total_requests(), 0, "EXPLAIN must not call Jira");
}

// ---------------------------------------------------------------- Worklogs

#[tokio::test]
async fn one_issues_worklogs_come_from_its_endpoint_only() {
    let s = site(300).await;
    let data = s.jira.data();
    let issue = data.issue_by_key("DEMO-7").unwrap();
    let expected: Vec<Vec<String>> = data
        .worklogs_of(issue)
        .iter()
        .map(|w| {
            vec![
                "DEMO-7".into(),
                w.id.to_string(),
                ms(&w.started),
                w.time_spent_seconds.to_string(),
            ]
        })
        .collect();
    assert!(
        expected.len() > 20,
        "DEMO-7 has more worklogs than search embeds"
    );
    let got = s
        .rows("SELECT IssueKey, Id, arrow_cast(Started, 'Int64'), TimeSpentSeconds FROM Worklogs WHERE IssueKey = 'DEMO-7' ORDER BY Id")
        .await;
    assert_eq!(got, expected);
    assert_eq!(s.endpoints(), vec![ISSUE_WORKLOGS]);
}

#[tokio::test]
async fn all_worklogs_come_from_the_bulk_endpoints() {
    let s = site(400).await;
    let data = s.jira.data();
    let keys: HashMap<u64, &str> = data.issues.iter().map(|i| (i.id, i.key.as_str())).collect();
    let expected: Vec<Vec<String>> = data
        .worklogs
        .iter()
        .map(|w| {
            vec![
                w.id.to_string(),
                keys[&w.issue_id].to_string(),
                w.time_spent_seconds.to_string(),
            ]
        })
        .collect();
    let got = s
        .rows("SELECT Id, IssueKey, TimeSpentSeconds FROM Worklogs ORDER BY Id")
        .await;
    assert_eq!(sorted(got), sorted(expected.clone()));
    let pages = data.worklogs.len().div_ceil(1000);
    let issues_with_worklogs: BTreeSet<u64> = data.worklogs.iter().map(|w| w.issue_id).collect();
    let count = |e: &str| s.endpoints().iter().filter(|x| *x == e).count();
    assert_eq!(count(UPDATED), pages);
    assert_eq!(count(LIST), pages);
    assert_eq!(count(ISSUE_WORKLOGS), 0, "never one request per issue");
    // Keys are looked up in bulk, at most 1000 ids a search, once per page of worklogs.
    assert!(count(SEARCH) >= issues_with_worklogs.len().div_ceil(1000));
    assert!(count(SEARCH) <= pages * 2);

    // Without IssueKey, no key lookups at all.
    s.jira.reset_requests();
    let got = s.rows("SELECT count(*) FROM Worklogs").await;
    assert_eq!(got, vec![vec![expected.len().to_string()]]);
    assert_eq!(count(SEARCH), 0);
}

#[tokio::test]
async fn an_updated_bound_narrows_the_bulk_calls() {
    let s = site(300).await;
    let data = s.jira.data();
    let mut updated: Vec<i64> = data
        .worklogs
        .iter()
        .map(|w| w.updated.timestamp_millis())
        .collect();
    updated.sort();
    let since = updated[updated.len() * 9 / 10];
    let at = chrono::DateTime::from_timestamp_millis(since)
        .unwrap()
        .to_rfc3339();
    let got = s
        .rows(&format!(
            "SELECT Id FROM Worklogs WHERE Updated >= '{at}' ORDER BY Id"
        ))
        .await;
    let expected: Vec<Vec<String>> = data
        .worklogs
        .iter()
        .filter(|w| w.updated.timestamp_millis() >= since)
        .map(|w| vec![w.id.to_string()])
        .collect();
    assert_eq!(got, expected);
    let first = s
        .jira
        .requests()
        .into_iter()
        .find(|r| r.endpoint == UPDATED)
        .unwrap();
    assert_eq!(first.query, format!("since={}", since - 1));
}

#[tokio::test]
async fn a_started_range_picks_issues_with_jql_then_reads_them_one_by_one() {
    let s = site(300).await;
    let data = s.jira.data();
    let lo = chrono::DateTime::parse_from_rfc3339("2026-11-10T00:00:00Z").unwrap();
    let expected: Vec<Vec<String>> = data
        .worklogs
        .iter()
        .filter(|w| w.started >= lo)
        .map(|w| vec![w.id.to_string()])
        .collect();
    assert!(!expected.is_empty());
    let got = s
        .rows("SELECT Id FROM Worklogs WHERE Started >= '2026-11-10T00:00:00Z' ORDER BY Id")
        .await;
    assert_eq!(got, expected);
    let count = |e: &str| s.endpoints().iter().filter(|x| *x == e).count();
    assert_eq!(count(SEARCH), 1);
    assert_eq!(count(UPDATED), 0);
    let issues: BTreeSet<u64> = data
        .worklogs
        .iter()
        .filter(|w| w.started >= lo)
        .map(|w| w.issue_id)
        .collect();
    // Every issue with a matching worklog, plus at most those within the day of widening.
    assert!(count(ISSUE_WORKLOGS) >= issues.len());
    assert!(count(ISSUE_WORKLOGS) <= 100);
    assert!(
        search_bodies(&s)[0]["jql"]
            .as_str()
            .unwrap()
            .starts_with("worklogDate >= ")
    );
}

// ---------------------------------------------------------------- errors and resilience

#[tokio::test]
async fn rate_limits_are_waited_out() {
    let s = site(100).await;
    s.jira.faults().fail_next(2, 429, Some("0.05"));
    let got = s.rows("SELECT Key FROM Issues WHERE Key = 'DEMO-1'").await;
    assert_eq!(got, vec![vec!["DEMO-1".to_string()]]);
    let statuses: Vec<u16> = s.jira.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, vec![429, 429, 200]);
}

#[tokio::test]
async fn server_errors_are_retried_then_reported() {
    let s = site_with(100, "MaxRetries=2").await;
    s.jira.faults().fail_next(5, 503, None);
    let err = s.error("SELECT Key FROM Issues WHERE Key = 'DEMO-1'").await;
    assert!(err.contains("503"), "{err}");
    assert_eq!(s.jira.total_requests(), 3, "one try and two retries");
}

#[tokio::test]
async fn bad_credentials_say_what_to_check() {
    let s = site(50).await;
    let settings = common::connection(&s.jira, "wrong-token", "");
    let engine =
        jiraql::engine::Engine::connect(jiraql::jira::client::JiraClient::new(settings).unwrap())
            .await
            .unwrap();
    let err = engine
        .query("SELECT Key FROM Issues LIMIT 1")
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("401") && err.contains("APIToken"), "{err}");
    assert!(
        !err.contains("wrong-token"),
        "the token must not leak: {err}"
    );
}

#[tokio::test]
async fn the_removed_search_endpoint_answers_410() {
    let s = site(50).await;
    let err = s
        .engine
        .client()
        .get_platform("search", &[("jql", "project = DEMO".to_string())])
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(410));
    assert!(err.to_string().contains("/rest/api/3/search/jql"), "{err}");
}

#[tokio::test]
async fn unknown_columns_and_bad_sql_are_clear_errors() {
    let s = site(50).await;
    let err = s.error("SELECT Nope FROM Issues").await;
    assert!(err.contains("Nope"), "{err}");
    let err = s.error("SELEC Key FROM Issues").await;
    assert!(err.contains("SELEC"), "{err}");
    let err = s.error("SELECT Key FROM Nowhere").await;
    assert!(err.contains("Nowhere"), "{err}");
    assert_eq!(s.jira.total_requests(), 0);
}

#[tokio::test]
async fn malformed_json_is_an_error_not_a_panic() {
    let s = site_with(50, "MaxRetries=0").await;
    s.jira.faults().malformed_next(1);
    let err = s.error("SELECT Key FROM Issues WHERE Key = 'DEMO-1'").await;
    assert!(err.contains("not JSON"), "{err}");
}

// ---------------------------------------------------------------- escaping

mod escaping {
    use jiraql_emulator::jira::jql::{self, Clause, Operand};
    use proptest::prelude::*;

    use super::{SEARCH, common};

    /// The string operand of a one-clause query, as the emulator's own parser reads it.
    fn operand(query: &str) -> String {
        let parsed = jql::parse(query).unwrap_or_else(|e| panic!("{query}: {e}"));
        match parsed.clause {
            Some(Clause::Terminal {
                operand: Operand::String(s),
                ..
            }) => s,
            other => panic!("{query} parsed as {other:?}"),
        }
    }

    fn tricky() -> impl Strategy<Value = String> {
        prop_oneof![
            any::<String>(),
            "[\"'\\\\\\t\\n\\r\\x01-\\x1f ()=!~,\\[\\]{}*/%+^$#@?;|&a-zA-Zë✓]{0,40}",
            prop::sample::select(vec![
                "order by key",
                "AND",
                "EMPTY",
                "null",
                "\\u002f",
                "\" OR project = \"X"
            ])
            .prop_map(str::to_string),
        ]
    }

    proptest! {
        #[test]
        fn any_string_survives_jql_quoting(s in tricky()) {
            let q = format!("summary ~ {}", jiraql::jira::jql::quote(&s));
            prop_assert_eq!(operand(&q), s);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]
        #[test]
        fn any_sql_literal_reaches_jira_unchanged(s in "[^\\x00]{0,30}") {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            rt.block_on(async {
                let site = common::site(20).await;
                let sql = format!("SELECT Key FROM Issues WHERE ProjectName = '{}'", s.replace('\'', "''"));
                let _ = site.engine.query(&sql).await;
                let first = site.jira.requests().into_iter().find(|r| r.endpoint == SEARCH).expect("a search");
                let sent = first.body.expect("body")["jql"].as_str().expect("jql").to_string();
                assert_eq!(operand(&sent), s);
            });
        }
    }
}

// ---------------------------------------------------------------- other auth schemes

async fn engine_for(text: &str) -> jiraql::engine::Engine {
    let mut settings: jiraql::jira::connection::ConnectionSettings = text.parse().unwrap();
    settings.resolve_token(|_| None, None).unwrap();
    jiraql::engine::Engine::connect(jiraql::jira::client::JiraClient::new(settings).unwrap())
        .await
        .unwrap()
}

#[tokio::test]
async fn data_center_reads_v2_with_a_personal_access_token() {
    let s = site(100).await;
    let c = s.jira.config();
    let engine = engine_for(&format!(
        "URL={};AuthScheme=PAT;APIToken={}",
        s.jira.base_url(),
        c.personal_access_token
    ))
    .await;
    s.jira.reset_requests();
    let batches = engine
        .query("SELECT Key, Description FROM Issues WHERE ProjectKey = 'DEMO' ORDER BY Id LIMIT 3")
        .await
        .unwrap();
    let rows = common::strings(&batches);
    let data = s.jira.data();
    let demo = data.projects.iter().find(|p| p.key == "DEMO").unwrap().id;
    let keys: Vec<String> = data
        .issues
        .iter()
        .filter(|i| i.project_id == demo)
        .take(3)
        .map(|i| i.key.clone())
        .collect();
    assert_eq!(rows.iter().map(|r| r[0].clone()).collect::<Vec<_>>(), keys);
    let paths: Vec<String> = s.jira.requests().into_iter().map(|r| r.path).collect();
    assert!(paths.iter().all(|p| p == "/rest/api/2/search"), "{paths:?}");
}

#[tokio::test]
async fn oauth_goes_through_the_gateway_with_a_bearer_token() {
    let s = site(100).await;
    let c = s.jira.config();
    let engine = engine_for(
        &format!(
            "URL=https://acme.atlassian.net;AuthScheme=OAuth;CloudId={};OAuthAccessToken={};OAuthGatewayURL={}",
            c.cloud_id,
            c.oauth_token,
            s.jira.base_url()
        ),
    )
    .await;
    s.jira.reset_requests();
    let rows = common::strings(
        &engine
            .query("SELECT Key FROM Issues WHERE Key = 'DEMO-1'")
            .await
            .unwrap(),
    );
    assert_eq!(rows, vec![vec!["DEMO-1".to_string()]]);
    let paths: Vec<String> = s.jira.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(
        paths,
        vec![format!("/ex/jira/{}/rest/api/3/issue/DEMO-1", c.cloud_id)]
    );
}

#[tokio::test]
async fn limit_holds_when_one_page_has_more_rows() {
    let site = site(300).await;
    let rows = site
        .rows("SELECT Id FROM Worklogs WHERE IssueKey = 'DEMO-7' LIMIT 3")
        .await;
    assert_eq!(rows.len(), 3);
}

#[tokio::test]
async fn answers_slower_than_the_timeout_are_retried_then_reported() {
    let s = site_with(150, "Timeout=1;MaxRetries=2").await;
    let sql = "SELECT Key FROM Issues WHERE ProjectKey = 'DEMO' ORDER BY Key";
    let want = s.rows(sql).await;
    let stats = s.engine.client().stats();

    // Two answers arrive after the client gave up: each request is sent again, same rows.
    s.jira
        .faults()
        .slow_next(2, std::time::Duration::from_millis(1500));
    let before = stats.retries();
    assert_eq!(s.rows(sql).await, want);
    assert_eq!(stats.retries() - before, 2);

    // Slower than the retries allow: an error naming the request, not fewer rows.
    s.jira
        .faults()
        .slow_next(3, std::time::Duration::from_millis(1500));
    let error = s.error(sql).await;
    assert!(
        error.contains("did not answer POST") && error.contains("search/jql"),
        "{error}"
    );
    assert!(error.contains("within 1.00 s (after 2 retries)"), "{error}");
}
