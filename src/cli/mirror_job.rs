//! `jiraql mirror DIR --tables ...`: refreshes the mirror and prints per table what it added,
//! replaced and removed, and whether it read by change or whole. `--mirror DIR` (with
//! `--refresh`) reads a session's tables from the mirror instead.

use crate::engine::Engine;
use crate::mirror;

use super::args::MirrorArgs;

/// Refreshes the mirror; the rows its tables hold.
pub async fn run(engine: &Engine, args: &MirrorArgs) -> Result<usize, String> {
    let options = mirror::Options {
        full: args.full,
        filter: args.filter.clone(),
    };
    let reports = mirror::run(engine, &args.dir, &args.tables, &options).await?;
    println!("table\tread\trows\tadded\treplaced\tremoved");
    for r in &reports {
        let read = if r.incremental { "changes" } else { "whole" };
        println!(
            "{}\t{read}\t{}\t{}\t{}\t{}",
            r.table, r.rows, r.added, r.replaced, r.removed
        );
    }
    for r in reports.iter().filter(|r| !r.gained.is_empty()) {
        eprintln!(
            "mirror: {} gained the columns {}, empty in the rows not changed since the last run \
             (--full reads the table whole)",
            r.table,
            r.gained.join(", ")
        );
    }
    eprintln!("mirror: {} is up to date", args.dir.display());
    Ok(reports.iter().map(|r| r.rows).sum())
}

/// `--mirror DIR`: the mirrored tables are read from their files (refreshed first with
/// `refresh`), saying how old each is.
pub async fn attach(
    engine: &mut Engine,
    dir: &std::path::Path,
    refresh: bool,
) -> Result<(), String> {
    if refresh {
        let tables: Vec<String> = mirror::store::load(dir)?.tables.into_keys().collect();
        mirror::run(engine, dir, &tables, &mirror::Options::default()).await?;
    }
    for copy in mirror::attach(engine, dir).await? {
        eprintln!("mirror: {}", copy.describe());
    }
    Ok(())
}
