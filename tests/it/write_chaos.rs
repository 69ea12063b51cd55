//! Chaos for writes: every writing statement on Issues, Worklogs and Comments runs under a
//! seeded storm of 429s, 5xx (not applied) and answers cut in half after the write was made
//! (applied, answer lost). Every statement must report exactly what it did, and Jira must end
//! as one fault-free run would leave it: no issue, worklog or comment made twice, none lost,
//! no change applied twice (estimates included).
//!
//! `cargo test --test it write_chaos::` runs 3 seeds; `-- --ignored` runs 20
//! (`CHAOS_RUNS=N` changes that).

use jiraql_emulator::jira::adf::to_plain_text;
use jiraql_emulator::{Chaos, ChaosCount, JiraEmulator};

use crate::common::{self, Site};

const MAX_RETRIES: usize = 4;
const RETRY: &str = "MaxRetries=4";
const ISSUES: usize = 60;
const WORKLOGS_EACH: usize = 10;
const WITH_ITEMS: usize = 4;

fn storm(seed: u64) -> Chaos {
    Chaos {
        seed,
        throttle: 0.15,
        server_error: 0.08,
        malformed: 0.08,
        retry_after: vec![Some("0".into()), Some("0.005".into()), None],
        max_per_request: MAX_RETRIES,
    }
}

/// The report row of `sql`: inserted, updated, unchanged, deleted, failed.
async fn run(s: &Site, sql: &str) -> [u64; 5] {
    let rows = s.rows(sql).await;
    let n = |i: usize| rows[0][i].parse::<u64>().expect("a count");
    [n(1), n(2), n(3), n(4), n(5)]
}

fn in_list(keys: &[String]) -> String {
    keys.iter()
        .map(|k| format!("'{k}'"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The keys of the issues whose summary starts with `tag`, in row order.
fn tagged(jira: &JiraEmulator, tag: &str) -> Vec<String> {
    let d = jira.data();
    let mut found: Vec<(usize, String)> = d
        .issues
        .iter()
        .filter_map(|i| {
            let rest = i.summary.strip_prefix(tag)?;
            let row: usize = rest.trim().split(' ').next()?.parse().ok()?;
            Some((row, i.key.clone()))
        })
        .collect();
    found.sort();
    let rows: Vec<usize> = found.iter().map(|(r, _)| *r).collect();
    assert_eq!(rows, (0..rows.len()).collect::<Vec<_>>(), "each row once");
    found.into_iter().map(|(_, k)| k).collect()
}

async fn one_run(seed: u64) -> ChaosCount {
    let s = common::site_with(40, RETRY).await;
    s.jira.faults().chaos(storm(seed));
    let tag = format!("chaos-{seed}");

    // Issues: created in bulk, edited with a transition, deleted at the end.
    let values: Vec<String> = (0..ISSUES)
        .map(|n| format!("('DEMO', 'Task', '{tag} {n}')"))
        .collect();
    let sql = format!(
        "INSERT INTO Issues (ProjectKey, IssueTypeName, Summary) VALUES {}",
        values.join(", ")
    );
    assert_eq!(run(&s, &sql).await, [ISSUES as u64, 0, 0, 0, 0], "{sql}");
    let keys = tagged(&s.jira, &tag);
    assert_eq!(keys.len(), ISSUES);
    let sql = format!(
        "UPDATE Issues SET Summary = Summary || ' edited', StatusName = 'In Progress' \
         WHERE Key IN ({})",
        in_list(&keys)
    );
    assert_eq!(run(&s, &sql).await, [0, ISSUES as u64, 0, 0, 0]);
    {
        let d = s.jira.data();
        for key in &keys {
            let issue = d.issue_by_key(key).expect("issue");
            assert!(issue.summary.ends_with(" edited") && !issue.summary.contains("edited edited"));
            let status = d.status(issue.status_id).expect("status");
            assert_eq!(status.name, "In Progress", "{key}");
        }
    }

    // Worklogs on a few of them: added, changed, some deleted.
    let items = &keys[..WITH_ITEMS];
    let values: Vec<String> = items
        .iter()
        .flat_map(|k| {
            (0..WORKLOGS_EACH).map(move |n| {
                format!(
                    "('{k}', '2026-12-0{} 09:00', {}, 'wl {k} {n}')",
                    n % 9 + 1,
                    900 + n
                )
            })
        })
        .collect();
    let sql = format!(
        "INSERT INTO Worklogs (IssueKey, Started, TimeSpentSeconds, Comment) VALUES {}",
        values.join(", ")
    );
    let added = (WITH_ITEMS * WORKLOGS_EACH) as u64;
    assert_eq!(run(&s, &sql).await, [added, 0, 0, 0, 0]);
    let sql = format!(
        "UPDATE Worklogs SET TimeSpentSeconds = 600 WHERE IssueKey IN ({})",
        in_list(items)
    );
    assert_eq!(run(&s, &sql).await, [0, added, 0, 0, 0]);
    let sql = format!("DELETE FROM Worklogs WHERE IssueKey = '{}'", items[0]);
    assert_eq!(run(&s, &sql).await, [0, 0, 0, WORKLOGS_EACH as u64, 0]);
    {
        let d = s.jira.data();
        for (i, key) in items.iter().enumerate() {
            let issue = d.issue_by_key(key).expect("issue");
            let worklogs = d.worklogs_of(issue);
            let expected = if i == 0 { 0 } else { WORKLOGS_EACH };
            assert_eq!(
                worklogs.len(),
                expected,
                "{key}: no worklog twice, none lost"
            );
            let mut texts: Vec<String> = worklogs
                .iter()
                .filter_map(|w| w.comment.as_deref().map(to_plain_text))
                .collect();
            texts.sort();
            texts.dedup();
            assert_eq!(texts.len(), expected);
            assert!(worklogs.iter().all(|w| w.time_spent_seconds == 600));
            // auto: down by what was logged, by the differences, and back up on delete.
            let spent = (expected * 600) as i64;
            assert_eq!(issue.time_spent_seconds.unwrap_or(0), spent, "{key}");
        }
    }

    // Comments: added, edited, deleted on one issue.
    let values: Vec<String> = items
        .iter()
        .flat_map(|k| (0..5).map(move |n| format!("('{k}', 'c {k} {n}')")))
        .collect();
    let sql = format!(
        "INSERT INTO Comments (IssueKey, Body) VALUES {}",
        values.join(", ")
    );
    let comments = (WITH_ITEMS * 5) as u64;
    assert_eq!(run(&s, &sql).await, [comments, 0, 0, 0, 0]);
    let sql = format!(
        "UPDATE Comments SET Body = Body || ' (edited)' WHERE IssueKey IN ({}) AND Body LIKE 'c %'",
        in_list(items)
    );
    assert_eq!(run(&s, &sql).await, [0, comments, 0, 0, 0]);
    let sql = format!(
        "DELETE FROM Comments WHERE IssueKey = '{}' AND Body LIKE 'c %'",
        items[1]
    );
    assert_eq!(run(&s, &sql).await, [0, 0, 0, 5, 0]);
    {
        let d = s.jira.data();
        for (i, key) in items.iter().enumerate() {
            let issue = d.issue_by_key(key).expect("issue");
            let mut bodies: Vec<String> = d
                .comments_of(issue)
                .iter()
                .map(|c| to_plain_text(&c.body).trim().to_string())
                .collect();
            // Added concurrently: in any order.
            bodies.sort();
            let expected: Vec<String> = if i == 1 {
                Vec::new()
            } else {
                (0..5).map(|n| format!("c {key} {n} (edited)")).collect()
            };
            assert_eq!(bodies, expected, "{key}: each comment once, edited once");
        }
    }

    let sql = format!("DELETE FROM Issues WHERE Key IN ({})", in_list(&keys));
    assert_eq!(run(&s, &sql).await, [0, 0, 0, ISSUES as u64, 0]);
    assert!(tagged(&s.jira, &tag).is_empty());
    s.jira.faults().chaos_count()
}

async fn chaos_runs(runs: u64) {
    let mut total = ChaosCount::default();
    for seed in 1..=runs {
        let c = one_run(seed).await;
        total.throttled += c.throttled;
        total.server_errors += c.server_errors;
        total.malformed += c.malformed;
    }
    assert!(
        total.throttled > 0 && total.server_errors > 0 && total.malformed > 0,
        "the storm reached the writes: {total:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_write_statement_survives_a_storm() {
    chaos_runs(3).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "long: 20 seeds"]
async fn every_write_statement_survives_many_storms() {
    let runs = std::env::var("CHAOS_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20);
    chaos_runs(runs).await;
}
