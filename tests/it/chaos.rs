//! Chaos: a fixed set of queries and a MERGE into a SharePoint list, run under seeded storms
//! of 429s (Retry-After whole, fractional or absent; RateLimit headers on and off), 5xx and
//! truncated bodies. Every run must give the fault-free result (same rows, no duplicates) and
//! leave the list identical; retries stay within MaxRetries; a fault that outlasts the bound,
//! or one that cannot be retried, ends in an error naming the endpoint, never in fewer rows.
//!
//! The Jira emulator's [`Chaos`] plan draws each fault from the seed and the request itself, so
//! a run reproduces from its seed whatever order concurrent requests arrive in; the Graph
//! emulator's knobs are armed with seeded counts, statuses, Retry-After forms and scopes.
//! `cargo test --test it chaos::` runs 5 seeds; `cargo test --test it chaos:: -- --ignored` runs 40
//! (`CHAOS_RUNS=N` changes that). Delays are kept tiny with RetryBaseDelayMs/MaxRetryDelayMs.

use std::collections::BTreeMap;

use crate::common;
use jiraql::engine::Engine;
use jiraql::jira::client::JiraClient;
use jiraql::jira::connection::ConnectionSettings;
use jiraql::sharepoint::{GraphClient, SharePointSettings};
use jiraql_emulator::sharepoint::{
    FaultScope, SharePointEmulator, SharePointEmulatorConfig, Throttle,
};
use jiraql_emulator::{Chaos, ChaosCount, JiraEmulator, JiraEmulatorConfig};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::Value;

const MAX_RETRIES: usize = 4;
const RETRY: &str = "MaxRetries=4;RetryBaseDelayMs=1;MaxRetryDelayMs=20";

/// The queries, each with whether its first column is unique (so a duplicate row shows).
const QUERIES: &[(&str, bool)] = &[
    ("SELECT Key, Summary FROM Issues", true),
    (
        "SELECT Key, StatusName FROM Issues WHERE ProjectKey = 'DEMO' AND Created >= '2026-03-01'",
        true,
    ),
    ("SELECT Id, IssueKey, TimeSpentSeconds FROM Worklogs", true),
    (
        "SELECT i.Key, count(w.Id) AS n, sum(w.TimeSpentSeconds) AS s FROM Issues i \
         JOIN Worklogs w ON w.IssueKey = i.Key GROUP BY i.Key",
        true,
    ),
    ("SELECT * FROM Projects", true),
    ("SELECT * FROM Statuses", true),
    ("SELECT * FROM Users", true),
];

/// Upserts one set of issues' worklogs and deletes items whose worklog is not among them.
const MERGE: &str = "MERGE INTO sharepoint.TimeLog AS t \
    USING (SELECT Id, IssueKey, TimeSpentSeconds FROM Worklogs WHERE IssueKey IN ('DEMO-1', 'DEMO-2', 'DEMO-3', 'DEMO-4', 'DEMO-5', 'DEMO-6', 'DEMO-7', 'DEMO-8', 'DEMO-9', 'DEMO-10', 'DEMO-11', 'DEMO-12', 'DEMO-13', 'DEMO-14', 'DEMO-15')) AS s \
    ON t.WorklogId = s.Id \
    WHEN MATCHED THEN UPDATE SET IssueKey = s.IssueKey, Seconds = s.TimeSpentSeconds \
    WHEN NOT MATCHED THEN INSERT (WorklogId, IssueKey, Seconds) VALUES (s.Id, s.IssueKey, s.TimeSpentSeconds) \
    WHEN NOT MATCHED BY SOURCE THEN DELETE";

/// The state the MERGE starts from: some of its items, one stale, and one to delete.
const SEED: &str = "MERGE INTO sharepoint.TimeLog AS t \
    USING (SELECT Id, IssueKey, TimeSpentSeconds FROM Worklogs WHERE IssueKey IN ('DEMO-2', 'DEMO-9')) AS s \
    ON t.WorklogId = s.Id \
    WHEN NOT MATCHED THEN INSERT (WorklogId, IssueKey, Seconds) VALUES (s.Id, s.IssueKey, s.TimeSpentSeconds)";

struct Sites {
    jira: JiraEmulator,
    sp: SharePointEmulator,
    engine: Engine,
}

async fn sites(issues: usize) -> Sites {
    let jira = JiraEmulator::start(JiraEmulatorConfig {
        issues,
        ..JiraEmulatorConfig::default()
    })
    .await
    .expect("jira emulator");
    let sp = SharePointEmulator::start(SharePointEmulatorConfig::default())
        .await
        .expect("graph emulator");
    let engine = engine(&jira, &sp);
    Sites { jira, sp, engine }
}

fn engine(jira: &JiraEmulator, sp: &SharePointEmulator) -> Engine {
    let text = format!(
        "URL={};User={};APIToken={};{RETRY}",
        jira.base_url(),
        jira.config().email,
        jira.config().api_token
    );
    let mut settings: ConnectionSettings = text.parse().expect("jira connection");
    settings.resolve_token(|_| None, None).expect("token");
    let c = sp.config();
    let sp_text = format!(
        "URL=https://{}{}/Lists/TimeLog/AllItems.aspx;TenantId={};ClientId={};ClientSecret={};\
         GraphURL={};LoginURL={};{RETRY}",
        c.hostname,
        c.site_path,
        c.tenant_id,
        c.client_id,
        c.client_secret,
        sp.graph_url(),
        sp.login_url()
    );
    let sp_settings: SharePointSettings = sp_text.parse().expect("sp connection");
    Engine::with_custom_fields(JiraClient::new(settings).expect("client"), &[])
        .expect("engine")
        .with_sharepoint(GraphClient::new(sp_settings).expect("graph client"))
        .expect("sharepoint schema")
}

/// Sorted rows; `unique` checks the first column has no repeats.
async fn rows(engine: &Engine, sql: &str) -> Result<Vec<Vec<String>>, String> {
    let batches = engine.query(sql).await.map_err(|e| e.to_string())?;
    let mut rows = common::strings(&batches);
    rows.sort();
    Ok(rows)
}

fn assert_unique(sql: &str, rows: &[Vec<String>]) {
    let mut firsts: Vec<&String> = rows.iter().map(|r| &r[0]).collect();
    firsts.dedup();
    assert_eq!(firsts.len(), rows.len(), "duplicate rows from {sql}");
}

/// The list's items by WorklogId: the columns the MERGE writes.
fn list_state(sp: &SharePointEmulator) -> BTreeMap<String, (Value, Value)> {
    sp.items("TimeLog")
        .into_iter()
        .map(|i| {
            let f = &i.fields;
            let get = |k: &str| f.get(k).cloned().unwrap_or(Value::Null);
            (
                get("WorklogId").to_string(),
                (get("IssueKey"), get("Seconds")),
            )
        })
        .collect()
}

/// Puts the list in the MERGE's starting state, without faults.
async fn prepare_list(s: &Sites) {
    s.engine.query(SEED).await.expect("seed the list");
    let stale =
        s.sp.items("TimeLog")
            .into_iter()
            .find_map(|i| i.fields.get("WorklogId").and_then(Value::as_f64))
            .expect("an item");
    s.engine
        .query(&format!(
            "UPDATE sharepoint.TimeLog SET Seconds = 1 WHERE WorklogId = {stale}"
        ))
        .await
        .expect("make one item stale");
}

/// Arms the Graph emulator with seeded faults the client must ride out; returns how many.
fn arm_sharepoint(sp: &SharePointEmulator, rng: &mut ChaCha8Rng) -> usize {
    let scopes = [FaultScope::Any, FaultScope::TopLevel, FaultScope::BatchOnly];
    let throttles = rng.random_range(1..=2);
    sp.faults().throttle(Throttle {
        requests: throttles,
        status: if rng.random_bool(0.7) { 429 } else { 503 },
        retry_after: [Some("0"), Some("0.01"), Some("0.004"), None][rng.random_range(0..4)]
            .map(str::to_string),
        rate_limit_headers: rng.random_bool(0.5),
        scope: scopes[rng.random_range(0..3)],
    });
    let failures = rng.random_range(0..=1);
    sp.faults().fail_next(
        failures,
        [502, 503, 504][rng.random_range(0..3)],
        scopes[rng.random_range(0..3)],
    );
    throttles + failures
}

/// Jira's storm: a fifth throttled, a twentieth 5xx, at most MaxRetries faults per request.
fn storm(seed: u64, malformed: f64) -> Chaos {
    Chaos {
        seed,
        throttle: 0.20,
        server_error: 0.05,
        malformed,
        retry_after: vec![
            Some("0".into()),
            Some("0.01".into()),
            Some("0.002".into()),
            None,
        ],
        max_per_request: MAX_RETRIES,
    }
}

#[derive(Default)]
struct Tally {
    runs: usize,
    jira: ChaosCount,
    sp_armed: usize,
    retries: u64,
    rows: usize,
}

async fn chaos_runs(runs: u64) -> Tally {
    let s = sites(150).await;
    let data_issues = s.jira.data().issues.len();
    let data_worklogs = s.jira.data().worklogs.len();
    // Fault-free results, checked against the emulator's data where it says what they are.
    let mut expected = Vec::new();
    for (sql, unique) in QUERIES {
        let r = rows(&s.engine, sql).await.expect("fault-free run");
        assert!(!r.is_empty(), "{sql} gives rows");
        if *unique {
            assert_unique(sql, &r);
        }
        expected.push(r);
    }
    assert_eq!(expected[0].len(), data_issues);
    assert_eq!(expected[2].len(), data_worklogs);
    prepare_list(&s).await;
    s.engine.query(MERGE).await.expect("fault-free merge");
    let expected_list = list_state(&s.sp);
    assert!(
        expected_list.len() > 20,
        "the MERGE writes more than one batch"
    );
    drop(s);

    let mut tally = Tally::default();
    let first: u64 = std::env::var("CHAOS_FIRST")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    for seed in first..first + runs {
        // A fresh pair of sites per run, so the list starts from the same state.
        let s = sites(150).await;
        prepare_list(&s).await;
        let jira_stats = s.engine.client().stats();
        let sp_stats = s.engine.sharepoint().expect("graph").stats();
        jira_stats.reset();
        sp_stats.reset();
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        s.jira.faults().chaos(storm(seed, 0.0));
        for ((sql, unique), want) in QUERIES.iter().zip(&expected) {
            let got = rows(&s.engine, sql)
                .await
                .unwrap_or_else(|e| panic!("seed {seed}: {sql}: {e}"));
            if *unique {
                assert_unique(sql, &got);
            }
            assert_eq!(&got, want, "seed {seed}: {sql}");
            tally.rows += got.len();
        }
        tally.sp_armed += arm_sharepoint(&s.sp, &mut rng);
        s.engine
            .query(MERGE)
            .await
            .unwrap_or_else(|e| panic!("seed {seed}: MERGE: {e}"));
        let merged = s.engine.take_write_report().expect("a write report");
        assert!(merged.failed.is_empty(), "seed {seed}: {merged:?}");
        assert_eq!(list_state(&s.sp), expected_list, "seed {seed}: the list");
        let count = s.jira.faults().chaos_count();
        s.jira.faults().clear();
        s.sp.faults().clear();
        // Every injected Jira fault was retried once, and nothing more was.
        assert_eq!(
            jira_stats.retries(),
            (count.throttled + count.server_errors) as u64,
            "seed {seed}: {count:?}"
        );
        assert!(count.throttled > 0, "seed {seed}: the storm throttled");
        assert!(
            sp_stats.retries() > 0,
            "seed {seed}: the Graph faults were met"
        );
        // Nothing left to write: a fault-free re-run changes no item.
        s.engine.query(MERGE).await.expect("re-run");
        let report = s.engine.take_write_report().expect("a write report");
        assert_eq!(
            (report.inserted, report.updated, report.deleted),
            (0, 0, 0),
            "seed {seed}: {report:?}"
        );
        tally.runs += 1;
        tally.jira.throttled += count.throttled;
        tally.jira.server_errors += count.server_errors;
        tally.retries += jira_stats.retries() + sp_stats.retries();
    }
    tally
}

fn report(t: &Tally) {
    println!(
        "chaos: {} runs, {} Jira 429s and {} Jira 5xx injected, {} Graph faults armed, {} retries, \
         {} rows compared",
        t.runs, t.jira.throttled, t.jira.server_errors, t.sp_armed, t.retries, t.rows
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seeded_storms_change_nothing() {
    report(&chaos_runs(5).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "soak: 40 seeded runs (CHAOS_RUNS=N for more)"]
async fn seeded_storms_change_nothing_soak() {
    let runs = std::env::var("CHAOS_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(40);
    report(&chaos_runs(runs).await);
}

/// A body cut short on the way is asked for again (every Jira request jiraql makes only
/// reads): each query gives exactly the full result, and every truncation cost one retry.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn truncated_bodies_are_read_again() {
    let s = sites(150).await;
    let mut expected = Vec::new();
    for (sql, _) in QUERIES {
        expected.push(rows(&s.engine, sql).await.expect("fault-free"));
    }
    let mut truncated = 0;
    for seed in 0..5 {
        s.jira.faults().chaos(storm(100 + seed, 0.05));
        let stats = s.engine.client().stats();
        let retries_before = stats.retries();
        for ((sql, _), want) in QUERIES.iter().zip(&expected) {
            let got = rows(&s.engine, sql)
                .await
                .unwrap_or_else(|e| panic!("seed {seed}: {sql}: {e}"));
            assert_eq!(&got, want, "seed {seed}: {sql}");
        }
        let count = s.jira.faults().chaos_count();
        s.jira.faults().clear();
        assert!(
            stats.retries() - retries_before >= count.malformed as u64,
            "seed {seed}: {count:?}"
        );
        truncated += count.malformed;
    }
    assert!(truncated > 0, "some truncated body was met");
}

/// A fault that outlasts MaxRetries ends the statement with an error naming the endpoint and
/// the retries made; the list is left as it was.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faults_beyond_the_bound_are_errors_naming_the_endpoint() {
    let s = sites(150).await;
    let stats = s.engine.client().stats();
    s.jira.faults().chaos(Chaos {
        seed: 1,
        throttle: 0.0,
        server_error: 1.0,
        malformed: 0.0,
        retry_after: vec![None],
        max_per_request: MAX_RETRIES + 1,
    });
    stats.reset();
    let e = rows(&s.engine, QUERIES[0].0).await.expect_err("fails");
    assert!(
        e.contains("POST /rest/api/3/search/jql")
            && e.contains(&format!("retried {MAX_RETRIES} times")),
        "{e}"
    );
    // Each request that was sent retried exactly MaxRetries times, not more.
    let sent = stats.requests() - stats.retries();
    assert!(stats.retries() <= sent * MAX_RETRIES as u64, "{stats:?}");
    s.jira.faults().clear();

    // A Retry-After beyond MaxRetryDelayMs is not waited for: an error that says so.
    s.jira
        .faults()
        .fail_endpoint_next("POST /rest/api/3/search/jql", 1, 429, Some("30"));
    let e = rows(&s.engine, QUERIES[0].0).await.expect_err("fails");
    assert!(e.contains("search/jql") && e.contains("30"), "{e}");
    s.jira.faults().clear();

    // Graph: every request fails past the bound; no item is written.
    prepare_list(&s).await;
    let before = list_state(&s.sp);
    s.sp.faults().fail_next(1000, 503, FaultScope::Any);
    let e = s.engine.query(MERGE).await.expect_err("fails").to_string();
    s.sp.faults().clear();
    assert!(e.contains("TimeLog") && e.contains("503"), "{e}");
    assert_eq!(list_state(&s.sp), before, "nothing was written");
}

/// Jira errors are never swallowed: a 400, 403, 404 or 500 on any endpoint a query uses is an
/// error naming that endpoint, not an empty or shorter result.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn error_answers_on_any_endpoint_are_errors() {
    let s = sites(150).await;
    let mut checked = 0;
    for (i, (sql, _)) in QUERIES.iter().enumerate() {
        s.jira.reset_requests();
        rows(&s.engine, sql).await.expect("fault-free");
        let mut endpoints: Vec<String> =
            s.jira.requests().into_iter().map(|r| r.endpoint).collect();
        endpoints.sort();
        endpoints.dedup();
        for (j, endpoint) in endpoints.iter().enumerate() {
            let status = [400, 403, 404, 500][(i + j) % 4];
            s.jira
                .faults()
                .fail_endpoint_next(endpoint, 1, status, None);
            let e = rows(&s.engine, sql)
                .await
                .expect_err(&format!("{status} on {endpoint} for {sql}"));
            s.jira.faults().clear();
            let path = endpoint.split(' ').nth(1).unwrap_or_default();
            let stem = path.split('{').next().unwrap_or_default();
            assert!(
                e.contains(&status.to_string()) && e.contains(stem),
                "{status} on {endpoint} for {sql}: {e}"
            );
            checked += 1;
        }
    }
    assert!(checked >= QUERIES.len(), "{checked} endpoints checked");
}

/// Found by the soak (seed 34): a 504 answering one create inside a `$batch` failed the row.
/// Its outcome is unknown, so the key is looked up and the create sent again, once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gateway_error_on_a_batched_create_is_looked_up_and_sent_again() {
    let s = sites(150).await;
    for status in [500, 502, 504] {
        s.sp.faults().fail_next(1, status, FaultScope::BatchOnly);
        s.engine.query(MERGE).await.expect("merge");
        let report = s.engine.take_write_report().expect("report");
        assert!(report.failed.is_empty(), "{status}: {report:?}");
        let ids: Vec<String> =
            s.sp.items("TimeLog")
                .iter()
                .map(|i| {
                    i.fields
                        .get("WorklogId")
                        .cloned()
                        .unwrap_or(Value::Null)
                        .to_string()
                })
                .collect();
        let mut unique = ids.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), ids.len(), "{status}: no duplicates");
        s.sp.faults().clear();
        // Start again from an empty list for the next status.
        s.engine
            .query("DELETE FROM sharepoint.TimeLog WHERE true")
            .await
            .expect("empty the list");
    }
    s.engine.query(MERGE).await.expect("merge");
    assert!(list_state(&s.sp).len() > 20);
}
