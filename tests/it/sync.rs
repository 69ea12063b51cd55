//! Two-way sync on the wire, both emulators: a first run copies from the primary side, later
//! runs copy each side's changes, merge different columns, decide or report conflicts by
//! policy, carry deletes only when told, never echo their own writes, and carry hostile text
//! verbatim.

use std::path::{Path, PathBuf};

use jiraql::sync::job::{self, Job};
use jiraql::sync::run::{Outcome, run};
use serde_json::Value;

use crate::sharepoint::{Both, both};

/// A job on the demo project's issues and the demo list `Issues`, its state in a fresh file.
fn job(sync: &str) -> (Job, PathBuf) {
    let dir = std::env::temp_dir().join(format!(
        "jiraql-sync-{}-{}",
        std::process::id(),
        rand::random::<u32>()
    ));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let text = format!(
        "[jira]\ntable = \"Issues\"\nwhere = \"ProjectKey = 'DEMO'\"\nkey = \"Key\"\n\
         [sharepoint]\nlist = \"Issues\"\nkey = \"IssueKey\"\n\
         [columns]\nSummary = \"Title\"\nDueDate = \"Due\"\n\
         [sync]\n{sync}\n"
    );
    let path = dir.join("issues.toml");
    (job::parse(&text, &path).expect("job"), dir)
}

async fn once(b: &Both, job: &Job) -> Outcome {
    run(&b.site.engine, job).await.expect("run")
}

/// (inserted, updated, deleted, failed) for jira-to-sharepoint, then sharepoint-to-jira.
fn counts(o: &Outcome) -> [(u64, u64, u64, usize); 2] {
    [&o.to_sharepoint, &o.to_jira].map(|r| (r.inserted, r.updated, r.deleted, r.failed.len()))
}

fn title(b: &Both, key: &str) -> Option<Value> {
    b.sp.items("Issues")
        .into_iter()
        .find(|i| i.fields.get("IssueKey") == Some(&Value::String(key.into())))
        .and_then(|i| i.fields.get("Title").cloned())
}

fn summary(b: &Both, key: &str) -> String {
    b.site
        .jira
        .data()
        .issue_by_key(key)
        .map(|i| i.summary.clone())
        .unwrap_or_default()
}

fn demo_issues(b: &Both) -> u64 {
    let d = b.site.jira.data();
    d.issues
        .iter()
        .filter(|i| i.key.starts_with("DEMO-"))
        .count() as u64
}

async fn sql(b: &Both, text: &str) {
    b.site
        .engine
        .query(text)
        .await
        .unwrap_or_else(|e| panic!("{text}: {e}"));
}

fn clean(dir: &Path) {
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn a_first_run_copies_then_each_side_changes_travel_and_nothing_echoes() {
    let b = both(40, "").await;
    let (job, dir) = job("conflict = \"manual\"");
    let n = demo_issues(&b);
    let first = once(&b, &job).await;
    assert_eq!(counts(&first), [(n, 0, 0, 0), (0, 0, 0, 0)]);
    assert_eq!(
        title(&b, "DEMO-3"),
        Some(Value::String(summary(&b, "DEMO-3")))
    );

    // Nothing changed: nothing written, on either side.
    let again = once(&b, &job).await;
    assert_eq!(counts(&again), [(0, 0, 0, 0), (0, 0, 0, 0)]);
    assert_eq!(again.to_sharepoint.unchanged, n);

    // A change on each side, in different rows and columns, travels to the other.
    sql(
        &b,
        "UPDATE sharepoint.Issues SET Title = 'from SharePoint' WHERE IssueKey = 'DEMO-3'",
    )
    .await;
    sql(
        &b,
        "UPDATE Issues SET DueDate = '2027-02-03' WHERE Key = 'DEMO-3'",
    )
    .await;
    sql(
        &b,
        "UPDATE Issues SET Summary = 'from Jira' WHERE Key = 'DEMO-4'",
    )
    .await;
    let third = once(&b, &job).await;
    assert_eq!(
        counts(&third),
        [(0, 2, 0, 0), (0, 1, 0, 0)],
        "{:?}",
        third.conflicts
    );
    assert!(third.conflicts.is_empty());
    assert_eq!(summary(&b, "DEMO-3"), "from SharePoint");
    assert_eq!(title(&b, "DEMO-4"), Some(Value::String("from Jira".into())));
    let due =
        b.sp.items("Issues")
            .into_iter()
            .find(|i| i.fields.get("IssueKey") == Some(&Value::String("DEMO-3".into())))
            .and_then(|i| i.fields.get("Due").cloned());
    // A date-only column holds the site's local midnight of that day.
    assert!(
        due.as_ref()
            .and_then(Value::as_str)
            .is_some_and(|d| d.starts_with("2027-02-0")),
        "{due:?}"
    );

    // The sync's own writes are no change the next time.
    let fourth = once(&b, &job).await;
    assert_eq!(counts(&fourth), [(0, 0, 0, 0), (0, 0, 0, 0)]);

    // With nothing changed, a run reads only the changes: one search, one delta page.
    b.site.jira.reset_requests();
    b.sp.clear_requests();
    let quiet = once(&b, &job).await;
    assert_eq!(counts(&quiet), [(0, 0, 0, 0), (0, 0, 0, 0)]);
    assert_eq!(quiet.to_sharepoint.unchanged, n);
    let jira: Vec<String> = b
        .site
        .jira
        .requests()
        .into_iter()
        .map(|r| r.endpoint)
        .collect();
    assert_eq!(jira, ["POST /rest/api/3/search/jql"], "{jira:?}");
    let graph: Vec<String> = b.sp.requests().into_iter().map(|r| r.endpoint).collect();
    assert_eq!(graph.len(), 1, "{graph:?}");
    assert!(graph[0].contains("items/delta"), "{graph:?}");
    clean(&dir);
}

#[tokio::test]
async fn the_same_column_changed_on_both_sides_follows_the_policy() {
    let b = both(30, "").await;
    let (manual, dir) = job("conflict = \"manual\"");
    once(&b, &manual).await;
    sql(
        &b,
        "UPDATE sharepoint.Issues SET Title = 'sp' WHERE IssueKey = 'DEMO-2'",
    )
    .await;
    sql(
        &b,
        "UPDATE Issues SET Summary = 'jira' WHERE Key = 'DEMO-2'",
    )
    .await;
    let o = once(&b, &manual).await;
    assert_eq!(o.conflicts.len(), 1);
    assert_eq!(o.conflicts[0].key, "DEMO-2");
    assert_eq!(
        counts(&o),
        [(0, 0, 0, 0), (0, 0, 0, 0)],
        "manual leaves both"
    );
    assert_eq!(summary(&b, "DEMO-2"), "jira");
    // Still a conflict until the sides agree.
    assert_eq!(once(&b, &manual).await.conflicts.len(), 1);

    // The same state under sharepoint-wins settles it.
    let text = std::fs::read_to_string(&manual.state).expect("state");
    let (wins, dir2) = job("conflict = \"sharepoint-wins\"");
    std::fs::write(&wins.state, text).expect("copy state");
    let o = once(&b, &wins).await;
    assert!(o.conflicts.is_empty());
    assert_eq!(summary(&b, "DEMO-2"), "sp");
    clean(&dir);
    clean(&dir2);
}

#[tokio::test]
async fn deletes_travel_only_when_propagated() {
    let b = both(30, "").await;
    let (keep, dir) = job("deletes = \"ignore\"");
    once(&b, &keep).await;
    let victim = b
        .site
        .jira
        .data()
        .issues
        .iter()
        .find(|i| i.key.starts_with("DEMO-") && i.subtask_ids.is_empty() && i.parent_key.is_none())
        .map(|i| i.key.clone())
        .expect("a DEMO issue");
    sql(&b, &format!("DELETE FROM Issues WHERE Key = '{victim}'")).await;
    let o = once(&b, &keep).await;
    assert_eq!(counts(&o), [(0, 0, 0, 0), (0, 0, 0, 0)]);
    assert!(title(&b, &victim).is_some(), "ignore keeps the item");

    let text = std::fs::read_to_string(&keep.state).expect("state");
    let (propagate, dir2) = job("deletes = \"propagate\"");
    std::fs::write(&propagate.state, text).expect("copy state");
    let o = once(&b, &propagate).await;
    assert_eq!(counts(&o), [(0, 0, 1, 0), (0, 0, 0, 0)]);
    assert!(title(&b, &victim).is_none(), "propagate deletes the item");
    // A SharePoint delete is not carried to Jira without sharepoint-to-jira = "propagate".
    sql(
        &b,
        "DELETE FROM sharepoint.Issues WHERE IssueKey = 'DEMO-2'",
    )
    .await;
    let o = once(&b, &propagate).await;
    assert_eq!(counts(&o), [(0, 0, 0, 0), (0, 0, 0, 0)]);
    assert!(b.site.jira.data().issue_by_key("DEMO-2").is_some());
    clean(&dir);
    clean(&dir2);
}

#[tokio::test]
async fn hostile_text_arrives_verbatim_both_ways() {
    let b = both(20, "").await;
    let (job, dir) = job("conflict = \"manual\"");
    once(&b, &job).await;
    let hostile =
        "it's \"quoted\"\nline two'; DROP TABLE Issues; -- $filter eq 'x' AND key = \"A-1\" \\";
    let quoted = hostile.replace('\'', "''");
    sql(
        &b,
        &format!("UPDATE sharepoint.Issues SET Title = '{quoted}' WHERE IssueKey = 'DEMO-2'"),
    )
    .await;
    let o = once(&b, &job).await;
    assert_eq!(counts(&o), [(0, 0, 0, 0), (0, 1, 0, 0)]);
    assert_eq!(summary(&b, "DEMO-2"), hostile);
    let long = "x".repeat(250) + "'\"";
    sql(
        &b,
        &format!(
            "UPDATE Issues SET Summary = '{}' WHERE Key = 'DEMO-3'",
            long.replace('\'', "''")
        ),
    )
    .await;
    let o = once(&b, &job).await;
    assert_eq!(counts(&o), [(0, 1, 0, 0), (0, 0, 0, 0)]);
    assert_eq!(title(&b, "DEMO-3"), Some(Value::String(long)));
    assert_eq!(counts(&once(&b, &job).await), [(0, 0, 0, 0), (0, 0, 0, 0)]);
    clean(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_cut_short_anywhere_then_run_again_converges() {
    let b = both(40, "").await;
    let (job, dir) = job("conflict = \"newest-wins\"");
    let n = demo_issues(&b);
    // Every request takes a while, so the cuts land between and inside requests.
    let latency = std::time::Duration::from_millis(5);
    b.site.jira.faults().set_latency(latency);
    b.sp.faults().set_latency(latency);
    let cut = |ms: u64| {
        let run = run(&b.site.engine, &job);
        async move {
            tokio::time::timeout(std::time::Duration::from_millis(ms), run)
                .await
                .is_err()
        }
    };
    // Cut the first run short at growing points, then let one finish: no item twice.
    let mut cuts = 0;
    for ms in [2u64, 8, 20, 45] {
        cuts += usize::from(cut(ms).await);
    }
    assert!(cuts >= 3, "runs were cut short: {cuts}");
    once(&b, &job).await;
    assert_eq!(b.sp.items("Issues").len() as u64, n, "every issue once");

    // Changes on both sides, then runs cut short before the one that finishes.
    sql(
        &b,
        "UPDATE sharepoint.Issues SET Title = 'cut sp' WHERE IssueKey IN ('DEMO-2', 'DEMO-5')",
    )
    .await;
    sql(
        &b,
        "UPDATE Issues SET Summary = 'cut jira' WHERE Key IN ('DEMO-3', 'DEMO-6')",
    )
    .await;
    let mut cuts = 0;
    for ms in [2u64, 6, 12, 25, 50] {
        cuts += usize::from(cut(ms).await);
    }
    assert!(cuts >= 3, "runs were cut short: {cuts}");
    let last = once(&b, &job).await;
    assert!(last.to_jira.failed.is_empty() && last.to_sharepoint.failed.is_empty());
    for key in ["DEMO-2", "DEMO-5"] {
        assert_eq!(summary(&b, key), "cut sp", "{key}");
    }
    for key in ["DEMO-3", "DEMO-6"] {
        assert_eq!(
            title(&b, key),
            Some(Value::String("cut jira".into())),
            "{key}"
        );
    }
    assert_eq!(b.sp.items("Issues").len() as u64, n, "no item twice");
    assert_eq!(counts(&once(&b, &job).await), [(0, 0, 0, 0), (0, 0, 0, 0)]);
    clean(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faults_during_writes_leave_rows_for_the_next_run_and_nothing_twice() {
    let b = both(40, "MaxRetries=4").await;
    let (job, dir) = job("conflict = \"newest-wins\"");
    let n = demo_issues(&b);
    once(&b, &job).await;
    let keys = ["DEMO-2", "DEMO-3", "DEMO-4", "DEMO-5", "DEMO-6", "DEMO-7"];
    sql(
        &b,
        "UPDATE sharepoint.Issues SET Title = 'faulty sp' WHERE IssueKey IN ('DEMO-2', 'DEMO-3', 'DEMO-4')",
    )
    .await;
    sql(
        &b,
        "UPDATE Issues SET Summary = 'faulty jira' WHERE Key IN ('DEMO-5', 'DEMO-6', 'DEMO-7')",
    )
    .await;
    // Jira throttles, fails and cuts answers short; Graph fails a batch's items.
    b.site.jira.faults().chaos(jiraql_emulator::Chaos {
        seed: 7,
        throttle: 0.2,
        server_error: 0.1,
        malformed: 0.1,
        retry_after: vec![Some("0".into()), None],
        max_per_request: 3,
    });
    b.sp.faults()
        .fail_next(2, 503, jiraql_emulator::sharepoint::FaultScope::BatchOnly);
    // A faulty run may fail rows or stop; either way the next clean runs finish the job.
    let _ = run(&b.site.engine, &job).await;
    let met = b.site.jira.faults().chaos_count();
    assert!(
        met.throttled + met.server_errors + met.malformed > 0,
        "{met:?}"
    );
    b.site.jira.faults().clear();
    b.sp.faults().clear();
    let mut settled = false;
    for _ in 0..3 {
        let o = once(&b, &job).await;
        if o.to_jira.failed.is_empty() && o.to_sharepoint.failed.is_empty() {
            settled = true;
            break;
        }
    }
    assert!(settled, "a clean run writes every row");
    for key in &keys[..3] {
        assert_eq!(summary(&b, key), "faulty sp", "{key}");
    }
    for key in &keys[3..] {
        assert_eq!(
            title(&b, key),
            Some(Value::String("faulty jira".into())),
            "{key}"
        );
    }
    assert_eq!(b.sp.items("Issues").len() as u64, n, "no item twice");
    let d = b.site.jira.data();
    assert_eq!(
        d.issues
            .iter()
            .filter(|i| i.key.starts_with("DEMO-"))
            .count() as u64,
        n,
        "no issue twice"
    );
    drop(d);
    assert_eq!(counts(&once(&b, &job).await), [(0, 0, 0, 0), (0, 0, 0, 0)]);
    clean(&dir);
}

#[tokio::test]
async fn a_dry_run_changes_nothing_and_one_way_columns_may_be_expressions() {
    let b = both(30, "").await;
    let (job, dir) = job("conflict = \"manual\"");
    let mut dry = crate::sharepoint::engine_for(&b.site, &b.sp, "");
    dry.set_dry_run(true);
    let o = run(&dry, &job).await.expect("planned");
    assert_eq!(o.to_sharepoint.inserted, demo_issues(&b), "counted");
    assert!(b.sp.items("Issues").is_empty(), "nothing written");
    assert!(!job.state.exists(), "no state either");

    // One way from Jira, the Jira side may be an expression.
    let text = "[jira]\ntable = \"Issues\"\nwhere = \"ProjectKey = 'DEMO'\"\nkey = \"Key\"\n\
                [sharepoint]\nlist = \"Issues\"\nkey = \"IssueKey\"\n\
                [columns]\n\"upper(Summary) || ' !'\" = \"Title\"\n\
                [sync]\ndirection = \"jira-to-sharepoint\"\n";
    let one_way = job::parse(text, &dir.join("one_way.toml")).expect("job");
    let o = once(&b, &one_way).await;
    assert_eq!(o.to_sharepoint.inserted, demo_issues(&b));
    let expected = format!("{} !", summary(&b, "DEMO-2").to_uppercase());
    assert_eq!(title(&b, "DEMO-2"), Some(Value::String(expected)));
    assert_eq!(
        counts(&once(&b, &one_way).await),
        [(0, 0, 0, 0), (0, 0, 0, 0)]
    );
    clean(&dir);
}

#[tokio::test]
async fn a_row_one_side_cannot_hold_is_reported_and_never_taken_for_deleted() {
    let b = both(30, "").await;
    let (job, dir) = job("deletes = \"propagate\"");
    once(&b, &job).await;
    // SharePoint stores no dates past 8900: the row cannot be read into the list's form.
    sql(
        &b,
        "UPDATE Issues SET DueDate = '9999-01-01' WHERE Key = 'DEMO-3'",
    )
    .await;
    // Read Jira whole, as for a table without Updated: the row is then missing from its read.
    let text = std::fs::read_to_string(&job.state).expect("state");
    let mut state: Value = serde_json::from_str(&text).expect("json");
    state["jira_watermark"] = Value::Null;
    std::fs::write(&job.state, state.to_string()).expect("state");
    let o = once(&b, &job).await;
    assert_eq!(
        counts(&o),
        [(0, 0, 0, 1), (0, 0, 0, 0)],
        "{:?}",
        o.to_sharepoint.failed
    );
    assert_eq!(o.to_sharepoint.failed[0].row, "DEMO-3");
    assert!(title(&b, "DEMO-3").is_some(), "its item is not deleted");
    // Once it can be read again, it syncs like any row.
    sql(
        &b,
        "UPDATE Issues SET DueDate = '2027-03-04' WHERE Key = 'DEMO-3'",
    )
    .await;
    let o = once(&b, &job).await;
    assert_eq!(counts(&o), [(0, 1, 0, 0), (0, 0, 0, 0)]);
    clean(&dir);
}
