//! `jiraql sync JOB.toml`: runs a sync job once and prints what it did per direction, the
//! conflicts left for a person and the rows that failed; exits 1 when a row failed. With
//! `--conflicts` it lists the conflicts the job meets now and writes nothing.

use std::process::ExitCode;

use crate::engine::Engine;
use crate::sharepoint::WriteReport;
use crate::sync::merge::Direction;
use crate::sync::{job, run};

use super::args::SyncArgs;
use super::every::{Schedule, stopped};

/// Runs the job; with `--demo`, against a state of its own that starts empty (the emulated
/// sites start from scratch every time, so a state kept from another run would not fit).
pub async fn run(engine: &Engine, args: &SyncArgs, demo: bool) -> Result<ExitCode, String> {
    let mut job = job::load(&args.job)?;
    if let Some(name) = &args.direction {
        let primary = match job.direction {
            Direction::TwoWay { primary } => primary,
            Direction::From(side) => side,
        };
        job.direction = job::direction(name, primary).map_err(|e| format!("--{e}"))?;
    }
    if demo {
        job.state =
            std::env::temp_dir().join(format!("jiraql-demo-sync-{}.state", std::process::id()));
    }
    let outcome = run::run(engine, &job).await;
    if demo {
        let _ = std::fs::remove_file(&job.state);
    }
    let outcome = outcome?;
    if args.conflicts {
        println!("key\tcolumn\tjira\tsharepoint");
        for c in &outcome.conflicts {
            println!(
                "{}\t{}\t{}\t{}",
                c.key,
                c.column,
                shown(&c.jira),
                shown(&c.sharepoint)
            );
        }
        return Ok(ExitCode::SUCCESS);
    }
    let conflicts = outcome.conflicts.len();
    println!("direction\tinserted\tupdated\tunchanged\tdeleted\tconflicts\tfailed");
    for (direction, r) in [
        ("jira-to-sharepoint", &outcome.to_sharepoint),
        ("sharepoint-to-jira", &outcome.to_jira),
    ] {
        println!(
            "{direction}\t{}\t{}\t{}\t{}\t{conflicts}\t{}",
            r.inserted,
            r.updated,
            r.unchanged,
            r.deleted,
            r.failed.len()
        );
    }
    for c in &outcome.conflicts {
        let shown = |v: &Option<serde_json::Value>| {
            v.as_ref().map_or("(empty)".to_string(), |v| v.to_string())
        };
        eprintln!(
            "conflict: {} {}: Jira has {}, SharePoint has {} (left as they are)",
            c.key,
            c.column,
            shown(&c.jira),
            shown(&c.sharepoint)
        );
    }
    let failed = |r: &WriteReport| {
        for f in &r.failed {
            eprintln!("failed: {} ({}): {}", f.row, r.list, f.reason);
        }
        r.failed.len()
    };
    for line in outcome
        .to_sharepoint
        .planned
        .iter()
        .chain(&outcome.to_jira.planned)
    {
        eprintln!("would send {line}");
    }
    let failures = failed(&outcome.to_sharepoint) + failed(&outcome.to_jira);
    Ok(if failures > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// `--every`: the job once an interval, each run's outcome logged in one line on stderr (its
/// counts are printed as for one run).
pub async fn run_every(
    engine: &Engine,
    args: &SyncArgs,
    demo: bool,
    every: std::time::Duration,
    runs: Option<u64>,
) -> Result<ExitCode, String> {
    let mut schedule = Schedule::new(every, runs);
    let mut log = std::io::stderr();
    loop {
        let outcome = tokio::select! {
            outcome = run(engine, args, demo) => outcome,
            () = stopped() => break,
        };
        let outcome = match outcome {
            Ok(code) if code == ExitCode::SUCCESS => Ok("the job ran".to_string()),
            Ok(_) => Err("rows failed (listed above)".to_string()),
            Err(e) => Err(e),
        };
        if !schedule.after(outcome, &mut log).await {
            break;
        }
    }
    Ok(if schedule.failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// A conflicting value as the listing shows it.
fn shown(v: &Option<serde_json::Value>) -> String {
    match v {
        None => "(empty)".to_string(),
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}
