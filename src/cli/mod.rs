//! The command line: arguments ([`args`]), scripted runs of `-c`, `-f` and stdin ([`script`]),
//! the config file ([`config`]), the interactive REPL ([`repl`], with [`commands`], [`completion`] and [`catalog`]), running
//! statements for both ([`runner`], with [`progress`]), printing results ([`output`]), and the
//! standalone emulator command; `jiraql bench` lives in [`crate::bench`].

pub mod args;
pub mod catalog;
pub mod commands;
pub mod completion;
pub mod config;
pub mod output;
pub mod progress;
pub mod repl;
pub mod runner;
pub mod script;

use std::io::IsTerminal;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::Parser;

use crate::emulator::sharepoint::{SharePointEmulator, SharePointEmulatorConfig};
use crate::emulator::{JiraEmulator, JiraEmulatorConfig};
use crate::engine::Engine;
use crate::jira::client::JiraClient;
use crate::jira::connection::ConnectionSettings;
use crate::sharepoint::{GraphClient, SharePointSettings};
use args::{Args, Command};
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
        Some(Command::Emulator(e)) => return serve_emulator(e).await,
        Some(Command::Bench(b)) => return crate::bench::run(b).await.map(|()| ExitCode::SUCCESS),
        None => {}
    }
    // Flags and environment (merged by clap) win over the config file; the demo needs none.
    let config = if args.demo {
        config::Config::default()
    } else {
        config::load(args.config.as_deref())?
    };
    let connection = args.connection.clone().or(config.connection);
    let sharepoint_text = args.sharepoint.clone().or(config.sharepoint);
    // The demo's emulator lives as long as this function.
    let (settings, demo) = if args.demo {
        let emulator = JiraEmulator::start(JiraEmulatorConfig {
            issues: args.demo_issues,
            latency: Duration::from_millis(args.demo_latency_ms),
            ..JiraEmulatorConfig::default()
        })
        .await
        .map_err(|e| format!("cannot start the demo Jira emulator: {e}"))?;
        (demo_settings(&emulator)?, Some(emulator))
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
        (settings, None)
    };
    let client = JiraClient::new(settings).map_err(|e| format!("{e}"))?;
    let site = match &demo {
        Some(emulator) => format!(
            "the demo site (an emulated Jira with {} issues)",
            emulator.data().issues.len()
        ),
        None => client.site_label(),
    };
    let started = Instant::now();
    let stats = client.stats();
    let mut engine = Engine::connect(client)
        .await
        .map_err(|e| runner::describe(&e))?;
    // With --demo and no --sharepoint, an emulated SharePoint site; it lives as long as this
    // function.
    let demo_sharepoint = if demo.is_some() && sharepoint_text.is_none() {
        Some(
            SharePointEmulator::start(SharePointEmulatorConfig::default())
                .await
                .map_err(|e| format!("cannot start the demo SharePoint emulator: {e}"))?,
        )
    } else {
        None
    };
    let sharepoint = match (&sharepoint_text, &demo_sharepoint) {
        (Some(text), _) => Some(sharepoint_settings(text)?),
        (None, Some(emulator)) => Some(demo_sharepoint_settings(emulator)?),
        (None, None) => None,
    };
    if let Some(settings) = sharepoint {
        let graph = GraphClient::new(settings).map_err(|e| format!("{e}"))?;
        engine = engine
            .with_sharepoint(graph)
            .map_err(|e| runner::describe(&e))?;
    }
    engine.set_dry_run(args.dry_run);
    let interactive = !script::has_statements(&args) && std::io::stdin().is_terminal();
    let mut runner = Runner::new(engine, args.format, interactive);
    runner.keep_going = args.continue_on_error;
    if let Some(path) = &args.output {
        runner.set_output(Some(path))?;
    }
    let result = if interactive {
        repl::run(&mut runner, &site).await
    } else {
        script::run(&args, &mut runner).await
    };
    if args.stats {
        // Graph requests are counted apart: they cost SharePoint's quota, not Jira's.
        let sharepoint = runner
            .engine()
            .sharepoint()
            .map(|graph| format!(" sharepoint_requests={}", graph.stats().requests()))
            .unwrap_or_default();
        eprintln!(
            "requests={} rows={} bytes={} elapsed_ms={}{sharepoint}",
            stats.requests(),
            runner.total_rows(),
            stats.bytes(),
            started.elapsed().as_millis()
        );
    }
    result
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

/// The demo SharePoint site: app-only sign-in with the emulator's client secret.
fn demo_sharepoint_settings(emulator: &SharePointEmulator) -> Result<SharePointSettings, String> {
    let c = emulator.config();
    let text = format!(
        "URL=https://{}{};TenantId={};ClientId={};GraphURL={};LoginURL={}",
        c.hostname,
        c.site_path,
        c.tenant_id,
        c.client_id,
        emulator.graph_url(),
        emulator.login_url()
    );
    let mut settings: SharePointSettings = text.parse().map_err(|e| format!("{e}"))?;
    let secret = c.client_secret.clone();
    settings
        .resolve_secret(move |_| Some(secret.clone()), None)
        .map_err(|e| format!("{e}"))?;
    Ok(settings)
}

fn demo_settings(emulator: &JiraEmulator) -> Result<ConnectionSettings, String> {
    let config = emulator.config();
    let mut settings: ConnectionSettings = format!(
        "URL={};User={};AuthScheme=Basic",
        emulator.base_url(),
        config.email
    )
    .parse()
    .map_err(|e| format!("{e}"))?;
    let token = config.api_token.clone();
    settings
        .resolve_token(move |_| Some(token.clone()), None)
        .map_err(|e| format!("{e}"))?;
    Ok(settings)
}

async fn serve_emulator(e: &args::EmulatorArgs) -> Result<ExitCode, String> {
    let config = JiraEmulatorConfig {
        issues: e.issues,
        seed: e.seed,
        latency: std::time::Duration::from_millis(e.latency_ms),
        ..JiraEmulatorConfig::default()
    };
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], e.port));
    let emulator = JiraEmulator::start_on(config, addr)
        .await
        .map_err(|err| format!("cannot start the Jira emulator on {addr}: {err}"))?;
    let c = emulator.config();
    println!("Jira emulator listening on {}", emulator.base_url());
    println!(
        "  Cloud (Basic):   user {}  API token {}",
        c.email, c.api_token
    );
    println!(
        "  Data Center:     Bearer {}  (under /rest/api/2)",
        c.personal_access_token
    );
    println!(
        "  OAuth gateway:   {}/ex/jira/{}  Bearer {}",
        emulator.base_url(),
        c.cloud_id,
        c.oauth_token
    );
    println!(
        "  jiraql --connection \"URL={};User={}\" with JIRA_API_TOKEN={}",
        emulator.base_url(),
        c.email,
        c.api_token
    );
    let sharepoint = SharePointEmulator::start(SharePointEmulatorConfig {
        latency: std::time::Duration::from_millis(e.latency_ms),
        ..SharePointEmulatorConfig::default()
    })
    .await
    .map_err(|err| format!("cannot start the SharePoint emulator: {err}"))?;
    let sp = sharepoint.config();
    println!(
        "SharePoint (Microsoft Graph) emulator listening on {}",
        sharepoint.base_url()
    );
    println!(
        "  jiraql --sharepoint \"URL=https://{}{};TenantId={};ClientId={};GraphURL={};LoginURL={}\" \
         with SHAREPOINT_CLIENT_SECRET={}",
        sp.hostname,
        sp.site_path,
        sp.tenant_id,
        sp.client_id,
        sharepoint.graph_url(),
        sharepoint.login_url(),
        sp.client_secret
    );
    println!(
        "{} issues; Ctrl-C stops both.",
        emulator.data().issues.len()
    );
    tokio::signal::ctrl_c()
        .await
        .map_err(|err| format!("cannot wait for Ctrl-C: {err}"))?;
    Ok(ExitCode::SUCCESS)
}
