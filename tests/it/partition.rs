//! Large issue scans split into `created` windows fetched concurrently: the same rows as one
//! search read page after page (none lost, none twice), also while Jira rate-limits and while
//! issues are created and edited during the scan; small, limited and id-only scans unchanged.
//! Bulk worklogs fetched concurrently: every worklog once, in `worklog/updated` order. Data
//! Center offset pages read at once: the same rows as page after page.

use std::collections::HashMap;

use crate::common;
use common::{Site, connection, site};
use jiraql::engine::Engine;
use jiraql::jira::client::JiraClient;

const SEARCH: &str = "POST /rest/api/3/search/jql";
const SCAN: &str = "SELECT Id, Key, Summary, StatusName, Created FROM Issues";

/// An engine on the same emulator with other connection properties.
fn engine_with(site: &Site, extra: &str) -> Engine {
    let settings = connection(&site.jira, &site.jira.config().api_token.clone(), extra);
    Engine::with_custom_fields(JiraClient::new(settings).expect("client"), &[]).expect("engine")
}

async fn sorted_rows(engine: &Engine, sql: &str) -> Vec<Vec<String>> {
    let batches = engine
        .query(sql)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    let mut rows = common::strings(&batches);
    rows.sort();
    rows
}

/// The JQL of every issue search served, in order.
fn searches(site: &Site) -> Vec<String> {
    site.jira
        .requests()
        .into_iter()
        .filter(|r| r.endpoint == SEARCH)
        .filter_map(|r| r.body?.get("jql")?.as_str().map(str::to_string))
        .collect()
}

/// How often each issue id occurs in the first column.
fn id_counts(rows: &[Vec<String>]) -> HashMap<u64, usize> {
    let mut counts = HashMap::new();
    for r in rows {
        let id: u64 = r[0].parse().expect("numeric id");
        *counts.entry(id).or_insert(0) += 1;
    }
    counts
}

#[tokio::test]
async fn a_split_scan_returns_exactly_the_rows_of_one_search() {
    let site = site(1250).await;
    let n = site.jira.data().issues.len();
    let single = engine_with(&site, "MaxConcurrency=1");
    let one_by_one = sorted_rows(&single, SCAN).await;
    assert_eq!(
        site.jira.request_count(SEARCH),
        n.div_ceil(100),
        "page after page: the minimum"
    );
    assert!(searches(&site).iter().all(|j| !j.contains("ORDER BY")));

    site.jira.reset_requests();
    let split = sorted_rows(&site.engine, SCAN).await;
    assert_eq!(split, one_by_one);
    assert_eq!(split.len(), n);
    assert!(id_counts(&split).values().all(|&c| c == 1));

    let jql = searches(&site);
    assert!(jql[0].ends_with("ORDER BY created DESC"), "{jql:?}");
    assert_eq!(
        jql.iter()
            .filter(|j| j.ends_with("ORDER BY created ASC"))
            .count(),
        1
    );
    let windows = jql.iter().filter(|j| j.contains("created >= ")).count();
    assert!(windows >= 2, "{jql:?}");
    // The newest and oldest pages, then at most one part-filled page per window beyond the
    // minimum (and a few issues of the two boundary minutes read twice).
    assert!(jql.len() <= n.div_ceil(100) + 2 + windows, "{}", jql.len());
    let explain = site.explain(SCAN).await;
    assert!(
        explain.contains("then created windows, up to 8 requests in flight"),
        "{explain}"
    );
}

#[tokio::test]
async fn small_limited_and_id_only_scans_are_not_split() {
    let site = site(1250).await;
    let data = site.jira.data();
    let project = &data.projects[0];
    let in_project = data
        .issues
        .iter()
        .filter(|i| i.project_id == project.id)
        .count();
    assert!(in_project > 100, "the project needs more than a page");
    let few: Vec<&str> = data
        .issues
        .iter()
        .take(30)
        .map(|i| i.key.as_str())
        .collect();
    let list = few
        .iter()
        .map(|k| format!("'{k}'"))
        .collect::<Vec<_>>()
        .join(",");

    let rows = site
        .rows(&format!(
            "SELECT Key, Summary FROM Issues WHERE Key IN ({list})"
        ))
        .await;
    assert_eq!(rows.len(), few.len());
    assert_eq!(site.jira.request_count(SEARCH), 1, "one page: one request");

    site.jira.reset_requests();
    let rows = site.rows("SELECT Key, Summary FROM Issues LIMIT 150").await;
    assert_eq!(rows.len(), 150);
    assert_eq!(site.jira.request_count(SEARCH), 2);

    site.jira.reset_requests();
    let rows = site.rows("SELECT count(*) FROM Issues").await;
    assert_eq!(rows, vec![vec![data.issues.len().to_string()]]);
    assert_eq!(site.jira.request_count(SEARCH), 1, "5000 ids a page");
    assert!(searches(&site).iter().all(|j| !j.contains("ORDER BY")));
}

#[tokio::test]
async fn a_split_scan_stays_exact_while_jira_rate_limits() {
    let site = site(1250).await;
    let expected: Vec<u64> = site.jira.data().issues.iter().map(|i| i.id).collect();
    site.jira.faults().rate_limit_every(4);
    let rows = sorted_rows(&site.engine, SCAN).await;
    let counts = id_counts(&rows);
    assert_eq!(rows.len(), expected.len());
    assert!(expected.iter().all(|id| counts.get(id) == Some(&1)));
    let refused = answered(&site, 429, None);
    assert!(refused > 0);
    assert_eq!(
        site.engine.client().stats().rate_limit_waits(),
        refused as u64,
        "every 429 was waited out and retried"
    );
}

#[tokio::test]
async fn a_split_scan_stays_exact_while_issues_change() {
    let site = site(1250).await;
    let before: Vec<u64> = site.jira.data().issues.iter().map(|i| i.id).collect();
    site.jira.faults().change_issues_every(3);
    let rows = sorted_rows(&site.engine, "SELECT Id, Key, Summary FROM Issues").await;
    site.jira.faults().clear();
    let data = site.jira.data();
    assert!(
        data.issues.len() > before.len(),
        "issues were created during the scan"
    );
    let counts = id_counts(&rows);
    // Every issue that existed when the scan began, exactly once; none twice.
    assert!(before.iter().all(|id| counts.get(id) == Some(&1)));
    assert!(counts.values().all(|&c| c == 1));
    // Edited issues are read as they were or as they became, each once.
    let edited: Vec<&str> = data
        .issues
        .iter()
        .filter(|i| i.summary.ends_with(" (edited)"))
        .map(|i| i.key.as_str())
        .collect();
    assert!(!edited.is_empty());
    for key in edited {
        assert_eq!(rows.iter().filter(|r| r[1] == key).count(), 1, "{key}");
    }
}

#[tokio::test]
async fn page_after_page_jira_repeats_issues_created_meanwhile() {
    // Why scans are split on `created`: token pages of one search shift when issues are
    // created between them (newest first), so the same issue comes twice.
    let site = site(1250).await;
    let single = engine_with(&site, "MaxConcurrency=1");
    site.jira.faults().change_issues_every(3);
    let rows = sorted_rows(&single, "SELECT Id FROM Issues WHERE Summary IS NOT NULL").await;
    site.jira.faults().clear();
    assert!(id_counts(&rows).values().any(|&c| c > 1));
}

#[tokio::test]
async fn bulk_worklogs_fetched_concurrently_are_each_read_once_under_429s() {
    let site = site(700).await;
    let data = site.jira.data();
    let key_of: HashMap<u64, &str> = data.issues.iter().map(|i| (i.id, i.key.as_str())).collect();
    let mut expected: Vec<Vec<String>> = data
        .worklogs
        .iter()
        .map(|w| vec![w.id.to_string(), key_of[&w.issue_id].to_string()])
        .collect();
    expected.sort();
    assert!(expected.len() > 1000, "more than one page of changed ids");
    site.jira.faults().rate_limit_every(5);
    let rows = sorted_rows(&site.engine, "SELECT Id, IssueKey FROM Worklogs").await;
    assert_eq!(rows, expected);
    let chunks = expected.len().div_ceil(1000);
    assert_eq!(
        site.jira.request_count("POST /rest/api/3/worklog/list")
            - answered(&site, 429, Some("POST /rest/api/3/worklog/list")),
        chunks
    );
    assert_eq!(
        site.jira.request_count(SEARCH) - answered(&site, 429, Some(SEARCH)),
        chunks,
        "one key lookup per chunk"
    );
    assert!(site.engine.client().stats().rate_limit_waits() > 0);
}

/// Requests answered `status` (at `endpoint`, or anywhere).
fn answered(site: &Site, status: u16, endpoint: Option<&str>) -> usize {
    site.jira
        .requests()
        .iter()
        .filter(|r| r.status == status && endpoint.is_none_or(|e| r.endpoint == e))
        .count()
}

#[tokio::test]
async fn windows_inherit_the_values_jira_said_do_not_exist() {
    let site = site(1250).await;
    let data = site.jira.data();
    let demo = data.projects.iter().find(|p| p.key == "DEMO").unwrap().id;
    let expected = data.issues.iter().filter(|i| i.project_id == demo).count();
    assert!(expected > 100);
    let rows = site
        .rows("SELECT Key, Summary FROM Issues WHERE ProjectKey IN ('DEMO', 'NOPE')")
        .await;
    assert_eq!(rows.len(), expected);
    let refused = answered(&site, 400, None);
    assert_eq!(
        refused, 1,
        "only the first page hears that NOPE does not exist"
    );
    assert!(searches(&site).iter().any(|j| j.contains("created >= ")));
}

/// An engine on the same emulator as Jira Data Center (a personal access token, REST v2).
pub(crate) fn data_center(site: &Site, extra: &str) -> Engine {
    let text = format!(
        "URL={};AuthScheme=PAT;APIToken={};RetryBaseDelayMs=5;MaxRetryDelayMs=50;{extra}",
        site.jira.base_url(),
        site.jira.config().personal_access_token
    );
    let mut settings: jiraql::jira::connection::ConnectionSettings =
        text.parse().expect("settings");
    settings.resolve_token(|_| None, None).expect("token");
    Engine::with_custom_fields(JiraClient::new(settings).expect("client"), &[]).expect("engine")
}

#[tokio::test]
async fn data_center_plans_every_offset_page_after_the_first_with_the_same_rows() {
    const DC_SEARCH: &str = "POST /rest/api/2/search";
    let site = site(450).await;
    let n = site.jira.data().issues.len();
    let sequential = sorted_rows(&data_center(&site, "MaxConcurrency=1"), SCAN).await;
    assert_eq!(site.jira.request_count(DC_SEARCH), n.div_ceil(100));
    site.jira.reset_requests();
    let engine = data_center(&site, "MaxConcurrency=4");
    let concurrent = sorted_rows(&engine, SCAN).await;
    assert_eq!(concurrent, sequential);
    assert!(id_counts(&concurrent).values().all(|&c| c == 1));
    assert_eq!(concurrent.len(), n);
    // One request a page, each at its own offset, all in creation order: the plan that lets
    // them run at once (how much faster that is, `jiraql bench` is the place to measure).
    let pages: Vec<(u64, String)> = site
        .jira
        .requests()
        .into_iter()
        .filter(|r| r.endpoint == DC_SEARCH)
        .filter_map(|r| {
            let body = r.body?;
            let start = body.get("startAt")?.as_u64()?;
            Some((start, body.get("jql")?.as_str()?.to_string()))
        })
        .collect();
    let mut offsets: Vec<u64> = pages.iter().map(|(o, _)| *o).collect();
    offsets.sort_unstable();
    assert_eq!(
        offsets,
        (0..n.div_ceil(100))
            .map(|k| k as u64 * 100)
            .collect::<Vec<_>>()
    );
    let in_creation_order =
        |(_, jql): &(u64, String)| jql.ends_with("ORDER BY created ASC, key ASC");
    assert!(pages.iter().all(in_creation_order), "{pages:?}");
    let explain = {
        let batches = engine
            .query(&format!("EXPLAIN {SCAN}"))
            .await
            .expect("explain");
        common::strings(&batches).concat().join(" ")
    };
    assert!(
        explain.contains("offset pages in creation order"),
        "{explain}"
    );
}
