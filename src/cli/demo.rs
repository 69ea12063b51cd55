//! The built-in emulated sites (the `jiraql-emulator` crate): `--demo`, `jiraql emulator` and
//! `jiraql bench`. They come with the `demo` feature, on by default; a build without it keeps
//! the same command line, and each of the three says that this build lacks it.

use std::process::ExitCode;

use super::args::{Args, BenchArgs, EmulatorArgs};
#[cfg(feature = "demo")]
use crate::jira::connection::ConnectionSettings;
#[cfg(feature = "demo")]
use crate::sharepoint::SharePointSettings;
#[cfg(feature = "demo")]
use jiraql_emulator::{
    JiraEmulator, JiraEmulatorConfig, SharePointEmulator, SharePointEmulatorConfig,
};

/// The demo's emulated sites, served as long as this value lives.
#[cfg(feature = "demo")]
pub struct Demo {
    jira: JiraEmulator,
    sharepoint: Option<SharePointEmulator>,
}

#[cfg(feature = "demo")]
impl Demo {
    /// Starts the Jira site and, when `with_sharepoint` (no `--sharepoint` was given), a
    /// SharePoint site to write to.
    pub async fn start(args: &Args, with_sharepoint: bool) -> Result<Demo, String> {
        let jira = JiraEmulator::start(JiraEmulatorConfig {
            issues: args.demo_issues,
            latency: std::time::Duration::from_millis(args.demo_latency_ms),
            ..JiraEmulatorConfig::default()
        })
        .await
        .map_err(|e| format!("cannot start the demo Jira emulator: {e}"))?;
        let sharepoint = if with_sharepoint {
            Some(
                SharePointEmulator::start(SharePointEmulatorConfig::default())
                    .await
                    .map_err(|e| format!("cannot start the demo SharePoint emulator: {e}"))?,
            )
        } else {
            None
        };
        Ok(Demo { jira, sharepoint })
    }

    /// How the REPL names the site.
    pub fn site_label(&self) -> String {
        format!(
            "the demo site (an emulated Jira with {} issues)",
            self.jira.data().issues.len()
        )
    }

    pub fn jira_settings(&self) -> Result<ConnectionSettings, String> {
        jira_settings(&self.jira)
    }

    /// The emulated SharePoint site's settings, if one was started.
    pub fn sharepoint_settings(&self) -> Result<Option<SharePointSettings>, String> {
        self.sharepoint
            .as_ref()
            .map(sharepoint_settings)
            .transpose()
    }
}

#[cfg(feature = "demo")]
/// The demo Jira site: basic auth with the emulator's API token.
fn jira_settings(emulator: &JiraEmulator) -> Result<ConnectionSettings, String> {
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

#[cfg(feature = "demo")]
/// The demo SharePoint site: app-only sign-in with the emulator's client secret.
pub(crate) fn sharepoint_settings(
    emulator: &SharePointEmulator,
) -> Result<SharePointSettings, String> {
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

#[cfg(feature = "demo")]
/// `jiraql emulator`: both sites on 127.0.0.1 until Ctrl-C, with what a client needs to reach them.
pub async fn serve(e: &EmulatorArgs) -> Result<ExitCode, String> {
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
        "  Cloud (Basic):   user {}  API token {}  (under /rest/api/3 and /rest/api/2)",
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

/// `jiraql bench` (see [`crate::bench`]).
#[cfg(feature = "demo")]
pub async fn bench(args: &BenchArgs) -> Result<ExitCode, String> {
    crate::bench::run(args).await.map(|()| ExitCode::SUCCESS)
}

/// Without the `demo` feature there is no demo to hold: `Demo::start` always fails.
#[cfg(not(feature = "demo"))]
pub enum Demo {}

#[cfg(not(feature = "demo"))]
impl Demo {
    pub async fn start(_: &Args, _: bool) -> Result<Demo, String> {
        Err(lacking("--demo"))
    }

    pub fn site_label(&self) -> String {
        match *self {}
    }

    pub fn jira_settings(&self) -> Result<crate::jira::connection::ConnectionSettings, String> {
        match *self {}
    }

    pub fn sharepoint_settings(
        &self,
    ) -> Result<Option<crate::sharepoint::SharePointSettings>, String> {
        match *self {}
    }
}

#[cfg(not(feature = "demo"))]
pub async fn serve(_: &EmulatorArgs) -> Result<ExitCode, String> {
    Err(lacking("`jiraql emulator`"))
}

#[cfg(not(feature = "demo"))]
pub async fn bench(_: &BenchArgs) -> Result<ExitCode, String> {
    Err(lacking("`jiraql bench`"))
}

/// What a build without the emulators says when asked for one.
#[cfg(not(feature = "demo"))]
fn lacking(what: &str) -> String {
    format!(
        "{what} needs the built-in emulated sites, and this jiraql was built without them \
         (the `demo` feature, on by default); rebuild with default features, e.g. \
         `cargo install --path .`, or connect to a real site with --connection"
    )
}
