//! `--every`: a script run once an interval, each run logged in one line, a run that Jira
//! fails retried with backoff before the next, `--runs` ending the loop.

use std::time::Duration;

use clap::Parser;
use jiraql::cli::args::{Args, Format};
use jiraql::cli::runner::Runner;
use jiraql::cli::script;
use jiraql::engine::Engine;
use jiraql::jira::client::JiraClient;

use crate::common;

#[tokio::test]
async fn a_script_every_200ms_three_times_with_faulted_runs_retried() {
    let s = common::site(50).await;
    let settings = common::connection(&s.jira, &s.jira.config().api_token.clone(), "MaxRetries=0");
    let engine = Engine::connect(JiraClient::new(settings).expect("client"))
        .await
        .expect("engine");
    let out = std::env::temp_dir().join(format!("jiraql-every-{}.csv", std::process::id()));
    let mut runner = Runner::new(engine, Format::Csv, false);
    runner.set_output(Some(&out)).expect("output");
    // Every second request is throttled, and the client may not retry: runs 2 and 3 fail once.
    s.jira.reset_requests();
    s.jira.faults().rate_limit_every(2);
    let args = Args::parse_from([
        "jiraql",
        "-c",
        "SELECT count(*) AS n FROM Issues",
        "--every",
        "200ms",
        "--runs",
        "3",
    ]);
    let mut log = Vec::new();
    let code = script::run_every(&args, &mut runner, Duration::from_millis(200), &mut log)
        .await
        .expect("runs");
    s.jira.faults().clear();
    let log = String::from_utf8(log).expect("utf-8");
    let lines: Vec<&str> = log.lines().collect();
    assert_eq!(lines.len(), 5, "{log}");
    assert!(lines[0].starts_with("every: run 1 ok in "), "{log}");
    assert!(
        lines[1].starts_with("every: run 2 failed: ")
            && lines[1].ends_with("retry 1 of 3 in 100 ms"),
        "{log}"
    );
    assert!(
        lines[2].starts_with("every: run 2 ok in ") && lines[2].ends_with(": 1 rows"),
        "{log}"
    );
    assert!(lines[3].starts_with("every: run 3 failed: "), "{log}");
    assert!(lines[4].starts_with("every: run 3 ok in "), "{log}");
    assert_eq!(code, std::process::ExitCode::SUCCESS);
    // Five searches: three runs and two retries, never two at once.
    assert_eq!(s.jira.request_count("POST /rest/api/3/search/jql"), 5);
    let _ = std::fs::remove_file(&out);
}
