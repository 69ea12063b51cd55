//! An in-process fake of Jira Cloud's REST API (v3, a little Agile 1.0, and the v2 search of
//! Data Center), serving a deterministic generated site.
//!
//! [`JiraEmulator::start`] binds `127.0.0.1:0` and serves until dropped. Tests read the data
//! it serves through [`JiraEmulator::data`], inspect what the client sent through
//! [`JiraEmulator::requests`], and make it misbehave through [`JiraEmulator::faults`].
//!
//! Modules:
//! * [`data`]: the generated site ([`JiraData`]); its submodules hold the seed tables, the
//!   generator, the fixed catalogs, what writes do to the site (`data/write.rs`: create, edit,
//!   transitions with a workflow per issue type, delete), and derive links and attachments,
//!   change histories and deleted worklogs, and the directory (groups, roles, filters).
//! * [`jql`]: JQL lexer and parser (the AST is public for property tests).
//! * [`search`]: JQL validation and evaluation against the data (field kinds, clause
//!   compilation, per-kind predicates, text search, dates).
//! * `fields` (field catalog), `render` (JSON shapes; `render/catalog.rs` for projects,
//!   components, versions, roles, groups, filters, `render/history.rs` for links,
//!   attachments, changelogs), `routes` (route table), `handlers` (per-endpoint logic and the
//!   shared paging envelopes; `handlers/` holds issue search, issue writes with their field
//!   reading and create screens, and the projects, directory, history and Agile endpoints),
//!   `server` (auth, latency, faults, request log, and the per-request view of the data),
//!   `faults`, `live` (the data, changeable while served: one version per request, copy on
//!   write), `adf`.
//!
//! The credentials decide which product answers: `Basic email:api_token` (on the site or the
//! OAuth gateway) and `Bearer <oauth_token>` (on the gateway `/ex/jira/{cloudId}/rest/...`) are
//! Jira Cloud, which serves `/rest/api/3`, `/rest/api/2` (v2 bodies: rich text as wiki markup)
//! and `/rest/agile/1.0`; `Bearer <personal_access_token>` on the site is Jira Data Center,
//! which serves `/rest/api/2` and `/rest/agile/1.0`. The route table says which routes each
//! serves.

pub mod adf;
pub mod data;
mod faults;
pub(crate) mod fields;
mod handlers;
pub mod jql;
mod live;
mod paging;
mod render;
mod routes;
pub mod search;
mod server;

#[cfg(test)]
mod tests;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

pub use data::JiraData;
pub use faults::{Chaos, ChaosCount, Faults};
pub use paging::PagingFault;

use server::{SearchCache, Site, dispatch, strip_gateway};

/// How to build and run an emulator.
#[derive(Debug, Clone, PartialEq)]
pub struct JiraEmulatorConfig {
    /// Number of generated issues (default 2000).
    pub issues: usize,
    /// Seed of the generator (default 42).
    pub seed: u64,
    /// Delay before every answer (default none); changeable later through [`Faults`].
    pub latency: Duration,
    /// Cloud login: Basic `email:api_token`.
    pub email: String,
    pub api_token: String,
    /// Data Center personal access token (Bearer on the site: `/rest/api/2`, `/rest/agile/1.0`).
    pub personal_access_token: String,
    /// The site's cloud id on the OAuth gateway (`/ex/jira/{cloudId}`).
    pub cloud_id: String,
    /// OAuth 2.0 (3LO) access token accepted on the gateway.
    pub oauth_token: String,
}

impl Default for JiraEmulatorConfig {
    fn default() -> Self {
        JiraEmulatorConfig {
            issues: 2000,
            seed: 42,
            latency: Duration::ZERO,
            email: "demo@jiraql.example".to_string(),
            api_token: "demo-api-token".to_string(),
            personal_access_token: "demo-pat".to_string(),
            cloud_id: "11111111-2222-3333-4444-555555555555".to_string(),
            oauth_token: "demo-oauth-token".to_string(),
        }
    }
}

/// One request as the emulator served it.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedRequest {
    /// `"METHOD route-template"`, e.g. `"GET /rest/api/3/issue/{issueIdOrKey}"`; through the
    /// gateway the template keeps its `/ex/jira/{cloudId}` prefix; unknown paths use the path.
    pub endpoint: String,
    pub path: String,
    /// The raw query string (without `?`).
    pub query: String,
    /// The JSON body (a JSON string holding the raw text when the body was not JSON).
    pub body: Option<serde_json::Value>,
    pub status: u16,
}

/// A running emulator. Dropping it shuts the server down gracefully.
pub struct JiraEmulator {
    shared: Arc<Site>,
    shutdown: Option<oneshot::Sender<()>>,
}

impl std::fmt::Debug for JiraEmulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JiraEmulator")
            .field("base_url", &self.shared.base_url)
            .field("issues", &self.shared.data.version().data.issues.len())
            .finish()
    }
}

impl JiraEmulator {
    /// Generate the data and serve it on `127.0.0.1` at a free port.
    pub async fn start(config: JiraEmulatorConfig) -> std::io::Result<JiraEmulator> {
        Self::start_on(config, SocketAddr::from(([127, 0, 0, 1], 0))).await
    }

    /// Generate the data and serve it on `addr` (for `jiraql emulator --port`).
    pub async fn start_on(
        config: JiraEmulatorConfig,
        addr: SocketAddr,
    ) -> std::io::Result<JiraEmulator> {
        let listener = TcpListener::bind(addr).await?;
        let local = listener.local_addr()?;
        let host = match local.ip() {
            ip if ip.is_unspecified() => "127.0.0.1".to_string(),
            std::net::IpAddr::V6(ip) => format!("[{ip}]"),
            ip => ip.to_string(),
        };
        let base_url = format!("http://{host}:{}", local.port());
        let (seed, issues, email) = (config.seed, config.issues, config.email.clone());
        // 100 000 issues take a moment: keep the generator off the async workers.
        let mut data = tokio::task::spawn_blocking(move || JiraData::generate(seed, issues))
            .await
            .map_err(std::io::Error::other)?;
        data.set_myself_email(&email);
        let shared = Arc::new(Site {
            faults: Faults::new(config.latency),
            config,
            data: live::LiveData::new(data),
            base_url,
            log: Mutex::new(Vec::new()),
            searches: SearchCache::default(),
        });
        let app = Router::new()
            .fallback(dispatch)
            .with_state(Arc::clone(&shared));
        let tx = crate::serve(listener, app, "jira");
        Ok(JiraEmulator {
            shared,
            shutdown: Some(tx),
        })
    }

    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn base_url(&self) -> String {
        self.shared.base_url.clone()
    }

    pub fn config(&self) -> &JiraEmulatorConfig {
        &self.shared.config
    }

    /// The data being served now: a version of it, unchanged for as long as it is held
    /// (changes made meanwhile go to a new version).
    pub fn data(&self) -> Arc<JiraData> {
        self.shared.data.version().data
    }

    /// Every request served so far (including refused and failed ones), in completion order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared
            .log
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// How many requests hit `endpoint` (`"POST /rest/api/3/search/jql"`). Gateway requests
    /// count for their plain template too, so a test reads the same number whichever door the
    /// client used; filter [`Self::requests`] to tell them apart.
    pub fn request_count(&self, endpoint: &str) -> usize {
        let want = strip_gateway(endpoint);
        self.shared
            .log
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .filter(|r| strip_gateway(&r.endpoint) == want)
            .count()
    }

    pub fn total_requests(&self) -> usize {
        self.shared
            .log
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .len()
    }

    pub fn reset_requests(&self) {
        self.shared
            .log
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }

    pub fn faults(&self) -> &Faults {
        &self.shared.faults
    }
}

impl Drop for JiraEmulator {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}
