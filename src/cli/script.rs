//! Scripted runs: statements from `-c`, `-f` and stdin, run one by one in order, stopping at
//! the first failure with its source and line named.

use std::io::{IsTerminal, Read, Write};
use std::process::ExitCode;
use std::time::Instant;

use datafusion::error::DataFusionError;
use datafusion::physical_plan::common::collect;

use super::args::Args;
use super::output;
use crate::engine::{Engine, statements};
use crate::jira::client::JiraClient;

/// SQL text and where it came from, for error messages.
struct Source {
    label: String,
    sql: String,
}

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
        if std::io::stdin().is_terminal() {
            return Err(
                "no statements: give SQL with -c, a file with -f, or pipe it on stdin".into(),
            );
        }
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

/// Runs every statement; the exit code is 1 at the first failure.
pub async fn run(args: &Args, client: JiraClient) -> Result<ExitCode, String> {
    let started = Instant::now();
    let stats = client.stats();
    let engine = Engine::new(client).map_err(|e| describe(&e))?;
    let mut rows = 0usize;
    let stdout = std::io::stdout();
    let result = async {
        for source in sources(args)? {
            let pieces = statements::split(&source.sql)
                .map_err(|e| format!("{}: {}", source.label, describe(&e)))?;
            for piece in pieces {
                let at = |e: &DataFusionError| {
                    format!("{}, line {}: {}", source.label, piece.line, describe(e))
                };
                for statement in engine.parse(&piece.text).map_err(|e| at(&e))? {
                    let stream = engine.execute(statement).await.map_err(|e| at(&e))?;
                    let schema = stream.schema();
                    let batches = collect(stream).await.map_err(|e| at(&e))?;
                    rows += batches.iter().map(|b| b.num_rows()).sum::<usize>();
                    let mut out = stdout.lock();
                    output::write_result(args.format, &schema, &batches, &mut out)
                        .and_then(|_| out.flush().map_err(Into::into))
                        .map_err(|e| format!("cannot write the result: {e}"))?;
                }
            }
        }
        Ok::<(), String>(())
    }
    .await;
    if args.stats {
        eprintln!(
            "requests={} rows={} bytes={} elapsed_ms={}",
            stats.requests(),
            rows,
            stats.bytes(),
            started.elapsed().as_millis()
        );
    }
    result.map(|()| ExitCode::SUCCESS)
}

/// One line for a person: the innermost cause, without DataFusion's wrapping.
pub fn describe(e: &DataFusionError) -> String {
    match e.find_root() {
        DataFusionError::External(inner) => inner.to_string(),
        DataFusionError::SQL(inner, _) => format!("SQL syntax: {inner}"),
        DataFusionError::SchemaError(inner, _) => inner.to_string(),
        DataFusionError::Plan(m) => m.clone(),
        other => other.to_string(),
    }
}
