//! The command line: arguments ([`args`]), scripted runs of `-c`, `-f` and stdin ([`script`]),
//! the config file ([`config`]), the interactive REPL ([`repl`], with [`commands`], [`completion`] and [`catalog`]), running
//! statements for both ([`runner`], with [`progress`]), printing results ([`output`]), and the
//! built-in emulated sites of `--demo` and `jiraql emulator` ([`demo`]); `jiraql bench` lives
//! in `crate::bench`.

pub mod args;
pub mod catalog;
pub mod commands;
pub mod completion;
pub mod config;
pub mod demo;
pub mod every;
pub mod mirror_job;
pub mod output;
pub mod progress;
pub mod repl;
pub mod runner;
pub mod script;
pub mod sync_job;

use std::io::IsTerminal;
use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;

use crate::engine::Engine;
use crate::jira::client::JiraClient;
use crate::jira::connection::ConnectionSettings;
use crate::sharepoint::{GraphClient, SharePointSettings};
use args::{Args, Command};
use demo::Demo;
use runner::Runner;

/// Runs the command line and returns the process exit code.
pub fn main() -> ExitCode {
    let args = Args::parse();
    init_logging(args.verbose);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(args)) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn init_logging(verbose: u8) {
    let default = match verbose {
        0 => "warn",
        1 => "jiraql=info",
        2 => "jiraql=debug",
        _ => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("JIRAQL_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

async fn run(args: Args) -> Result<ExitCode, String> {
    match &args.command {
        Some(Command::Emulator(e)) => return demo::serve(e).await,
        Some(Command::Bench(b)) => return demo::bench(b).await,
        Some(Command::Sync(_) | Command::Mirror(_)) | None => {}
    }
    // Flags and environment (merged by clap) win over the config file; the demo needs none.
    let config = if args.demo {
        config::Config::default()
    } else {
        config::load(args.config.as_deref())?
    };
    let connection = args.connection.clone().or(config.connection);
    let sharepoint_text = args.sharepoint.clone().or(config.sharepoint);
    // The demo's emulated sites live as long as this function.
    let demo = if args.demo {
        Some(Demo::start(&args, sharepoint_text.is_none()).await?)
    } else {
        None
    };
    let settings = if let Some(demo) = &demo {
        demo.jira_settings()?
    } else {
        let text = connection.ok_or(
            "no Jira connection: pass --connection \"URL=https://yoursite.atlassian.net;User=you@example.com;\" \
             (token in JIRA_API_TOKEN), put `connection = ...` in a config file, or try --demo",
        )?;
        let mut settings: ConnectionSettings = text.parse().map_err(|e| format!("{e}"))?;
        let prompt = |label: &str| rpassword::prompt_password(label);
        let can_prompt = std::io::stdin().is_terminal();
        settings
            .resolve_token(
                |name| std::env::var(name).ok(),
                if can_prompt { Some(&prompt) } else { None },
            )
            .map_err(|e| format!("{e}"))?;
        settings
    };
    let client = JiraClient::new(settings).map_err(|e| format!("{e}"))?;
    let site = match &demo {
        Some(demo) => demo.site_label(),
        None => client.site_label(),
    };
    let started = Instant::now();
    let mut engine = Engine::connect(client)
        .await
        .map_err(|e| runner::describe(&e))?;
    let sharepoint = match (&sharepoint_text, &demo) {
        (Some(text), _) => Some(sharepoint_settings(text)?),
        (None, Some(demo)) => demo.sharepoint_settings()?,
        (None, None) => None,
    };
    if let Some(settings) = sharepoint {
        let graph = GraphClient::new(settings).map_err(|e| format!("{e}"))?;
        engine = engine
            .with_sharepoint(graph)
            .map_err(|e| runner::describe(&e))?;
    }
    engine.set_dry_run(args.dry_run);
    engine.set_allow_all_rows(args.allow_all_rows);
    engine.set_allow_drop(args.allow_drop);
    if let Some(dir) = &args.mirror {
        mirror_job::attach(&mut engine, dir, args.refresh).await?;
    }
    if let Some(Command::Mirror(mirror)) = &args.command {
        let rows = mirror_job::run(&engine, mirror).await?;
        if args.stats {
            print_stats(&engine, rows, started);
        }
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(Command::Sync(sync)) = &args.command {
        // Listing conflicts plans a run and sends nothing.
        engine.set_dry_run(args.dry_run || sync.conflicts);
        if let Some(text) = &args.every {
            let every = every::parse_interval(text)?;
            return sync_job::run_every(&engine, sync, args.demo, every, args.runs).await;
        }
        return sync_job::run(&engine, sync, args.demo).await;
    }
    let interactive = !script::has_statements(&args) && std::io::stdin().is_terminal();
    let mut runner = Runner::new(engine, args.format, interactive);
    runner.keep_going = args.continue_on_error;
    if let Some(path) = &args.output {
        runner.set_output(Some(path))?;
    }
    let result = match (&args.every, interactive) {
        (Some(_), true) => Err("--every repeats a script: give it with -c or -f".to_string()),
        (Some(text), false) => {
            let every = every::parse_interval(text)?;
            script::run_every(&args, &mut runner, every, &mut std::io::stderr()).await
        }
        (None, true) => repl::run(&mut runner, &site).await,
        (None, false) => script::run(&args, &mut runner).await,
    };
    if args.stats {
        print_stats(runner.engine(), runner.total_rows(), started);
    }
    result
}

/// `--stats`: what the run cost, on stderr.
fn print_stats(engine: &Engine, rows: usize, started: Instant) {
    let stats = engine.client().stats();
    // Graph requests are counted apart: they cost SharePoint's quota, not Jira's.
    let sharepoint = engine
        .sharepoint()
        .map(|graph| format!(" sharepoint_requests={}", graph.stats().requests()))
        .unwrap_or_default();
    eprintln!(
        "requests={} rows={rows} bytes={} elapsed_ms={}{sharepoint}",
        stats.requests(),
        stats.bytes(),
        started.elapsed().as_millis()
    );
}

/// Parses `--sharepoint` and finds its client secret (environment, then a prompt).
fn sharepoint_settings(text: &str) -> Result<SharePointSettings, String> {
    let mut settings: SharePointSettings = text.parse().map_err(|e| format!("{e}"))?;
    let prompt = |label: &str| rpassword::prompt_password(label);
    let can_prompt = std::io::stdin().is_terminal();
    settings
        .resolve_secret(
            |name| std::env::var(name).ok(),
            if can_prompt { Some(&prompt) } else { None },
        )
        .map_err(|e| format!("{e}"))?;
    Ok(settings)
}
