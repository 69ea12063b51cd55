//! `jiraql mirror DIR --tables ...`: refreshes the mirror and prints per table what it added,
//! replaced and removed, and whether it read by change or whole.

use std::process::ExitCode;

use crate::engine::Engine;
use crate::mirror;

use super::args::MirrorArgs;

pub async fn run(engine: &Engine, args: &MirrorArgs) -> Result<ExitCode, String> {
    let reports = mirror::run(engine, &args.dir, &args.tables).await?;
    println!("table\tread\trows\tadded\treplaced\tremoved");
    for r in &reports {
        let read = if r.incremental { "changes" } else { "whole" };
        println!(
            "{}\t{read}\t{}\t{}\t{}\t{}",
            r.table, r.rows, r.added, r.replaced, r.removed
        );
    }
    eprintln!("mirror: {} is up to date", args.dir.display());
    Ok(ExitCode::SUCCESS)
}
