//! Scripted runs: statements from `-c`, `-f` and stdin, run one by one in order. The exit code
//! is 1 when a statement failed: the run stops there, or goes on with `--continue-on-error`.

use std::io::Read;
use std::process::ExitCode;

use super::args::Args;
use super::every::{Schedule, stopped};
use super::runner::Runner;

/// SQL text and where it came from, for error messages.
struct Source {
    label: String,
    sql: String,
}

/// Whether `args` give statements (`-c`, `-f`); without, they come from stdin or the REPL.
pub fn has_statements(args: &Args) -> bool {
    !args.commands.is_empty() || !args.files.is_empty()
}

/// Reads every source up front, so a missing file fails before anything runs.
fn sources(args: &Args) -> Result<Vec<Source>, String> {
    let mut out: Vec<Source> = args
        .commands
        .iter()
        .enumerate()
        .map(|(i, sql)| Source {
            label: format!("-c #{}", i + 1),
            sql: sql.clone(),
        })
        .collect();
    for path in &args.files {
        let sql = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        out.push(Source {
            label: path.display().to_string(),
            sql,
        });
    }
    if out.is_empty() {
        let mut sql = String::new();
        std::io::stdin()
            .read_to_string(&mut sql)
            .map_err(|e| format!("cannot read stdin: {e}"))?;
        out.push(Source {
            label: "stdin".into(),
            sql,
        });
    }
    Ok(out)
}

/// Runs the script once an interval (`--every`), as [`super::every`] says.
/// Each run is logged in one line on `log`.
pub async fn run_every(
    args: &Args,
    runner: &mut Runner,
    every: std::time::Duration,
    log: &mut dyn std::io::Write,
) -> Result<ExitCode, String> {
    let sources = sources(args)?;
    let mut schedule = Schedule::new(every, args.runs);
    loop {
        let outcome = tokio::select! {
            outcome = run_once(&sources, runner) => outcome,
            () = stopped() => {
                let _ = writeln!(log, "every: run {} stopped", schedule.run());
                break;
            }
        };
        if !schedule.after(outcome, log).await {
            break;
        }
    }
    runner.flush_output()?;
    Ok(if schedule.failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// One run of every source: the rows it returned, or how many statements failed.
async fn run_once(sources: &[Source], runner: &mut Runner) -> Result<String, String> {
    let before = runner.total_rows();
    let mut failed = 0;
    for source in sources {
        let outcome = runner.run_script(Some(&source.label), &source.sql).await;
        failed += outcome.failed;
        if outcome.stopped {
            break;
        }
    }
    match failed {
        0 => Ok(format!("{} rows", runner.total_rows() - before)),
        1 => Err("a statement failed".into()),
        n => Err(format!("{n} statements failed")),
    }
}

/// Runs every statement of the sources `args` name.
pub async fn run(args: &Args, runner: &mut Runner) -> Result<ExitCode, String> {
    let mut failed = 0;
    for source in sources(args)? {
        let outcome = runner.run_script(Some(&source.label), &source.sql).await;
        failed += outcome.failed;
        if outcome.stopped {
            break;
        }
    }
    runner.flush_output()?;
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
