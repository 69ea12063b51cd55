//! `jiraql bench`: runs a fixed suite of queries and writes against an in-process Jira
//! emulator of a chosen size and latency (and queries on a SharePoint list of a chosen size) and prints, per statement, the requests made against
//! the fewest the API needs for that answer ([`suite`] explains the count), rows (written
//! rows for a write), bytes received, wall time, rows per second, how many times faster than
//! its requests sent one at a time (requests x latency), and peak heap ([`alloc`]); then
//! decode throughput on one thread ([`decode`]).
//!
//! The emulator runs on its own runtime whose threads are left out of the heap count, so the
//! peak is jiraql's alone; its CPU still competes with jiraql's, as it shares the machine.

pub mod alloc;
pub mod decode;
pub mod suite;

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use futures::StreamExt;

use crate::cli::args::{BenchArgs, BenchFormat};
use crate::cli::demo::sharepoint_settings;
use crate::engine::Engine;
use crate::jira::client::{ClientStats, JiraClient};
use crate::jira::connection::ConnectionSettings;
use crate::jira::tables;
use crate::sharepoint::GraphClient;
use jiraql_emulator::{
    JiraEmulator, JiraEmulatorConfig, SharePointEmulator, SharePointEmulatorConfig,
};

/// Search pages (100 issues each) the decode measurement reads, and how often it decodes them.
const DECODE_PAGES: usize = 20;
const DECODE_ROUNDS: usize = 3;

/// What one query cost.
#[derive(Debug, Clone)]
struct Measured {
    name: &'static str,
    requests: u64,
    minimum: usize,
    rows: usize,
    bytes: u64,
    wall: Duration,
    /// The emulator's latency per request.
    latency: Duration,
    peak: Option<usize>,
    error: Option<String>,
}

/// Runs the suite and prints the report on stdout.
pub async fn run(args: &BenchArgs) -> Result<(), String> {
    alloc::start();
    let emulator_runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name("jira-emulator")
        .on_thread_start(alloc::exclude_this_thread)
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the emulator's runtime: {e}"))?;
    let config = JiraEmulatorConfig {
        issues: args.issues,
        latency: Duration::from_millis(args.latency_ms),
        ..JiraEmulatorConfig::default()
    };
    eprintln!("generating {} issues...", args.issues);
    let emulator = emulator_runtime
        .spawn(JiraEmulator::start(config))
        .await
        .map_err(|e| format!("the emulator did not start: {e}"))?
        .map_err(|e| format!("cannot start the Jira emulator: {e}"))?;
    let list = if args.list_items > 0 {
        eprintln!("seeding {} SharePoint list items...", args.list_items);
        let sharepoint = emulator_runtime
            .spawn(SharePointEmulator::start(SharePointEmulatorConfig {
                latency: Duration::from_millis(args.latency_ms),
                ..SharePointEmulatorConfig::default()
            }))
            .await
            .map_err(|e| format!("the SharePoint emulator did not start: {e}"))?
            .map_err(|e| format!("cannot start the SharePoint emulator: {e}"))?;
        for n in 0..args.list_items {
            sharepoint
                .insert_item("TimeLog", suite::list_item(n))
                .map_err(|e| format!("cannot seed the list: {e}"))?;
        }
        Some(sharepoint)
    } else {
        None
    };
    let result = run_suite(args, &emulator, list.as_ref()).await;
    drop(list);
    drop(emulator);
    // Not dropped in place: dropping a runtime inside another one's async context panics.
    emulator_runtime.shutdown_background();
    let (header, measured, decoding) = result?;
    print!("{}", report(&header, &measured, args.format));
    if let Some(d) = decoding {
        let line = format!(
            "decode, 6 columns, one thread, {} rows: parse whole pages {:.0} rows/s, parse the read \
             paths only {:.0} rows/s, build Arrow {:.0} rows/s; together {:.0} rows/s before, {:.0} now",
            d.rows,
            d.parse_all,
            d.parse_kept,
            d.build_arrow,
            d.both(false),
            d.both(true)
        );
        match args.format {
            BenchFormat::Markdown => println!("\n{line}"),
            BenchFormat::Table => println!("{line}"),
        }
    }
    Ok(())
}

async fn run_suite(
    args: &BenchArgs,
    emulator: &JiraEmulator,
    list: Option<&SharePointEmulator>,
) -> Result<(String, Vec<Measured>, Option<decode::DecodeFigures>), String> {
    let config = emulator.config();
    let mut text = format!(
        "URL={};User={};AuthScheme=Basic",
        emulator.base_url(),
        config.email
    );
    if let Some(n) = args.max_concurrency {
        text.push_str(&format!(";MaxConcurrency={n}"));
    }
    let mut settings: ConnectionSettings = text.parse().map_err(|e| format!("{e}"))?;
    let token = config.api_token.clone();
    settings
        .resolve_token(move |_| Some(token.clone()), None)
        .map_err(|e| format!("{e}"))?;
    let header = format!(
        "{} issues, {} worklogs, {} list items, {} ms latency per request, MaxConcurrency={}, {} build, {} cores",
        emulator.data().issues.len(),
        emulator.data().worklogs.len(),
        args.list_items,
        args.latency_ms,
        settings.max_concurrency,
        if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        },
        std::thread::available_parallelism().map_or(0, |n| n.get()),
    );
    let client = JiraClient::new(settings).map_err(|e| format!("{e}"))?;
    let stats = client.stats();
    let mut engine = Engine::connect(client).await.map_err(|e| e.to_string())?;
    let mut graph_stats = None;
    if let Some(list) = list {
        let graph = GraphClient::new(sharepoint_settings(list)?).map_err(|e| e.to_string())?;
        graph_stats = Some(graph.stats());
        engine = engine.with_sharepoint(graph).map_err(|e| e.to_string())?;
        // Sign-in and the site, list and column lookups happen once a session: not timed.
        count_rows(&engine, &format!("SELECT * FROM {} LIMIT 1", suite::LIST)).await?;
    }
    let wanted = |name: &str| {
        args.only.is_empty()
            || args
                .only
                .iter()
                .any(|o| name.to_lowercase().contains(&o.to_lowercase()))
    };
    let mut measured = Vec::new();
    let mut cases = suite::cases(&emulator.data());
    cases.extend(suite::list_cases(list.map_or(0, |_| args.list_items)));
    for case in cases {
        let exists = case.table == suite::LIST
            || tables::all()
                .iter()
                .any(|t| t.name.eq_ignore_ascii_case(case.table));
        if !exists || !wanted(case.name) {
            continue;
        }
        eprintln!("running {}...", case.name);
        let counters = std::iter::once(&stats).chain(graph_stats.as_ref());
        let (outcome, wall, peak) = timed(counters, count_rows(&engine, &case.sql)).await;
        let (rows, error) = match outcome {
            Ok(rows) => (rows, None),
            Err(e) => (0, Some(e)),
        };
        measured.push(Measured {
            name: case.name,
            requests: stats.requests() + graph_stats.iter().map(ClientStats::requests).sum::<u64>(),
            minimum: case.minimum.requests(&emulator.data()),
            rows,
            bytes: stats.bytes() + graph_stats.iter().map(ClientStats::bytes).sum::<u64>(),
            wall,
            latency: Duration::from_millis(args.latency_ms),
            peak,
            error,
        });
    }
    if let Some(list) = list
        && wanted(SYNC_CASE)
    {
        eprintln!("running {SYNC_CASE}...");
        measured
            .push(measure_sync(args, emulator, list, &engine, &stats, graph_stats.as_ref()).await?);
    }
    if wanted(MIRROR_CASES[0]) || wanted(MIRROR_CASES[1]) {
        eprintln!("running the mirror...");
        measured.extend(measure_mirror(args, emulator, &engine, &stats).await?);
    }
    for (name, ceiling) in DATA_CENTER_CASES {
        if wanted(name) {
            eprintln!("running {name}...");
            let ceiling = ceiling.unwrap_or(engine.client().settings().max_concurrency);
            measured.push(measure_data_center(args, emulator, name, ceiling).await?);
        }
    }
    let decoding = if args.only.is_empty() || wanted("decode") {
        eprintln!("measuring decode...");
        Some(decode::measure(engine.client(), DECODE_PAGES, DECODE_ROUNDS).await?)
    } else {
        None
    };
    Ok((header, measured, decoding))
}

/// The mirror's runs: every issue written to Parquet, then a refresh with nothing changed.
const MIRROR_CASES: [&str; 2] = ["mirror: first run, Issues", "mirror: no-change refresh"];

/// A first mirror of Issues into a scratch directory, then a refresh with nothing changed.
async fn measure_mirror(
    args: &BenchArgs,
    jira: &JiraEmulator,
    engine: &Engine,
    stats: &ClientStats,
) -> Result<Vec<Measured>, String> {
    let dir = std::env::temp_dir().join(format!("jiraql-bench-mirror-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let tables = ["Issues".to_string()];
    let mut measured = Vec::new();
    for name in MIRROR_CASES {
        let (outcome, wall, peak) = timed(
            [stats],
            crate::mirror::run(engine, &dir, &tables, &Default::default()),
        )
        .await;
        let (rows, error) = match outcome {
            Ok(reports) => (reports.iter().map(|r| r.rows).sum(), None),
            Err(e) => (0, Some(e)),
        };
        let issues = jira.data().issues.len();
        measured.push(Measured {
            name,
            requests: stats.requests(),
            // A first run reads every page; a refresh with nothing deleted one page of
            // changes and the issue count.
            minimum: if measured.is_empty() {
                issues.div_ceil(100)
            } else {
                2
            },
            rows,
            bytes: stats.bytes(),
            wall,
            latency: Duration::from_millis(args.latency_ms),
            peak,
            error,
        });
    }
    let _ = std::fs::remove_dir_all(&dir);
    Ok(measured)
}

/// The Data Center scans: every issue's key and summary page after page, then with the
/// offset pages at once (`None`: the bench's `MaxConcurrency`).
const DATA_CENTER_CASES: [(&str, Option<usize>); 2] = [
    ("Data Center scan, page after page", Some(1)),
    ("Data Center scan, offset pages at once", None),
];

/// One scan of every issue through Data Center's offset-paged `search` (a personal access
/// token on REST v2), with at most `ceiling` requests in flight.
async fn measure_data_center(
    args: &BenchArgs,
    jira: &JiraEmulator,
    name: &'static str,
    ceiling: usize,
) -> Result<Measured, String> {
    let text = format!(
        "URL={};AuthScheme=PAT;MaxConcurrency={ceiling}",
        jira.base_url()
    );
    let mut settings: ConnectionSettings = text.parse().map_err(|e| format!("{e}"))?;
    let token = jira.config().personal_access_token.clone();
    settings
        .resolve_token(move |_| Some(token.clone()), None)
        .map_err(|e| format!("{e}"))?;
    let client = JiraClient::new(settings).map_err(|e| format!("{e}"))?;
    let stats = client.stats();
    let engine = Engine::connect(client).await.map_err(|e| e.to_string())?;
    let scan = count_rows(&engine, "SELECT Key, Summary FROM Issues");
    let (outcome, wall, peak) = timed([&stats], scan).await;
    let (rows, error) = match outcome {
        Ok(rows) => (rows, None),
        Err(e) => (0, Some(e)),
    };
    Ok(Measured {
        name,
        requests: stats.requests(),
        minimum: jira.data().issues.len().div_ceil(100),
        rows,
        bytes: stats.bytes(),
        wall,
        latency: Duration::from_millis(args.latency_ms),
        peak,
        error,
    })
}

/// The sync statement's name in the report.
const SYNC_CASE: &str = "sync: no-change run, every issue";

/// A two-way job between every issue and the list `Issues`, brought in step without latency
/// (the first run copies every issue; the second reads back its own writes), then timed on a
/// run with nothing changed, at the bench's latency: one search and one delta page at least.
async fn measure_sync(
    args: &BenchArgs,
    jira: &JiraEmulator,
    list: &SharePointEmulator,
    engine: &Engine,
    stats: &ClientStats,
    graph_stats: Option<&ClientStats>,
) -> Result<Measured, String> {
    let dir = std::env::temp_dir().join(format!("jiraql-bench-sync-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot make {}: {e}", dir.display()))?;
    let text = "[jira]\ntable = \"Issues\"\nkey = \"Key\"\n[sharepoint]\nlist = \"Issues\"\n\
                key = \"IssueKey\"\n[columns]\nSummary = \"Title\"\nDueDate = \"Due\"\n";
    let job = crate::sync::job::parse(text, &dir.join("bench.toml"))?;
    let latency = Duration::from_millis(args.latency_ms);
    jira.faults().set_latency(Duration::ZERO);
    list.faults().set_latency(Duration::ZERO);
    for _ in 0..2 {
        crate::sync::run::run(engine, &job).await?;
    }
    jira.faults().set_latency(latency);
    list.faults().set_latency(latency);
    let counters = std::iter::once(stats).chain(graph_stats);
    let (outcome, wall, peak) = timed(counters, crate::sync::run::run(engine, &job)).await;
    let _ = std::fs::remove_dir_all(&dir);
    let (rows, error) = match outcome {
        Ok(o) if o.to_jira.updated + o.to_sharepoint.updated == 0 => {
            (o.to_sharepoint.unchanged as usize, None)
        }
        Ok(o) => (0, Some(format!("the quiet run wrote: {o:?}"))),
        Err(e) => (0, Some(e)),
    };
    Ok(Measured {
        name: SYNC_CASE,
        requests: stats.requests() + graph_stats.map_or(0, ClientStats::requests),
        minimum: 2,
        rows,
        bytes: stats.bytes() + graph_stats.map_or(0, ClientStats::bytes),
        wall,
        latency,
        peak,
        error,
    })
}

/// Runs `work` with `counters` reset, timing it and taking jiraql's heap peak meanwhile (when
/// the counting allocator is on).
async fn timed<'a, T>(
    counters: impl IntoIterator<Item = &'a ClientStats>,
    work: impl std::future::Future<Output = T>,
) -> (T, Duration, Option<usize>) {
    counters.into_iter().for_each(ClientStats::reset);
    let baseline = alloc::reset_peak();
    let started = Instant::now();
    let out = work.await;
    let wall = started.elapsed();
    (
        out,
        wall,
        alloc::active().then(|| alloc::peak_since(baseline)),
    )
}

/// Runs one statement, dropping each batch once counted, as a streaming consumer would; for a
/// write, the rows it handled (written or found unchanged).
async fn count_rows(engine: &Engine, sql: &str) -> Result<usize, String> {
    let mut statements = engine.parse(sql).map_err(|e| e.to_string())?;
    let statement = statements
        .pop()
        .ok_or_else(|| format!("no statement in {sql:?}"))?;
    let mut stream = engine.execute(statement).await.map_err(|e| e.to_string())?;
    let mut rows = 0;
    while let Some(batch) = stream.next().await {
        rows += batch.map_err(|e| e.to_string())?.num_rows();
    }
    if let Some(report) = engine.take_write_report() {
        if let Some(failed) = report.failed.first() {
            return Err(format!(
                "{} rows failed, the first ({}): {}",
                report.failed.len(),
                failed.row,
                failed.reason
            ));
        }
        return Ok((report.inserted + report.updated + report.unchanged + report.deleted) as usize);
    }
    Ok(rows)
}

fn report(header: &str, measured: &[Measured], format: BenchFormat) -> String {
    let titles = [
        "statement",
        "requests",
        "minimum",
        "rows",
        "bytes",
        "wall ms",
        "rows/s",
        "x serial",
        "peak MB",
    ];
    let rows: Vec<Vec<String>> = measured
        .iter()
        .map(|m| {
            let secs = m.wall.as_secs_f64();
            let rate = if secs > 0.0 {
                format!("{:.0}", m.rows as f64 / secs)
            } else {
                "-".to_string()
            };
            // One request at a time would take at least requests x latency.
            let serial = m.latency.as_secs_f64() * m.requests as f64;
            let speedup = if secs > 0.0 && serial > 0.0 {
                format!("{:.1}", serial / secs)
            } else {
                "-".to_string()
            };
            let mut name = m.name.to_string();
            if let Some(e) = &m.error {
                name.push_str(&format!(" (failed: {e})"));
            }
            vec![
                name,
                m.requests.to_string(),
                m.minimum.to_string(),
                m.rows.to_string(),
                m.bytes.to_string(),
                m.wall.as_millis().to_string(),
                rate,
                speedup,
                m.peak
                    .map_or("n/a".to_string(), |p| format!("{:.1}", p as f64 / 1e6)),
            ]
        })
        .collect();
    let mut out = String::new();
    match format {
        BenchFormat::Markdown => {
            let _ = writeln!(out, "{header}\n");
            let _ = writeln!(out, "| {} |", titles.join(" | "));
            let _ = writeln!(
                out,
                "|---|{}",
                "---:|".repeat(titles.len().saturating_sub(1))
            );
            for r in &rows {
                let cells: Vec<String> = r.iter().map(|c| c.replace('|', "\\|")).collect();
                let _ = writeln!(out, "| {} |", cells.join(" | "));
            }
        }
        BenchFormat::Table => {
            let _ = writeln!(out, "{header}");
            let widths: Vec<usize> = (0..titles.len())
                .map(|i| {
                    rows.iter()
                        .map(|r| r[i].chars().count())
                        .chain([titles[i].len()])
                        .max()
                        .unwrap_or(0)
                })
                .collect();
            let line = |cells: Vec<&str>| {
                cells
                    .iter()
                    .enumerate()
                    .map(|(i, c)| {
                        if i == 0 {
                            format!("{c:<w$}", w = widths[i])
                        } else {
                            format!("{c:>w$}", w = widths[i])
                        }
                    })
                    .collect::<Vec<_>>()
                    .join("  ")
            };
            let _ = writeln!(out, "{}", line(titles.to_vec()));
            for r in &rows {
                let _ = writeln!(out, "{}", line(r.iter().map(String::as_str).collect()));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_align_and_escape() {
        let m = Measured {
            name: "a|b",
            requests: 3,
            minimum: 2,
            rows: 10,
            bytes: 1234,
            wall: Duration::from_millis(500),
            latency: Duration::from_millis(100),
            peak: None,
            error: None,
        };
        let md = report("h", std::slice::from_ref(&m), BenchFormat::Markdown);
        assert!(
            md.contains("| a\\|b | 3 | 2 | 10 | 1234 | 500 | 20 | 0.6 | n/a |"),
            "{md}"
        );
        let table = report("h", &[m], BenchFormat::Table);
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[1].len(), lines[2].len(), "{table}");
    }
}
