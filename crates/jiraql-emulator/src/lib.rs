//! Faithful in-process fakes of the services jiraql talks to, for `jiraql --demo`,
//! `jiraql emulator`, `jiraql bench` and every test.
//!
//! They share no code with jiraql's client or engine: their own JQL parser, their own JSON
//! shapes, written from the same reference documents. A misreading of the API therefore shows
//! up as a disagreement in tests instead of hiding by being made twice. That is also why they
//! are a crate of their own: the product reaches them only through this public API (and only
//! with its `demo` feature), and they build without DataFusion.
//!
//! * [`jira`]: Jira Cloud REST API v3 (plus the Agile API and Data Center's v2 search).
//! * [`sharepoint`]: Microsoft Graph's SharePoint list API and the Entra ID token endpoint.
//!
//! Each binds `127.0.0.1:0` (or a port you choose) and serves until dropped:
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use jiraql_emulator::{JiraEmulator, JiraEmulatorConfig};
//! let jira = JiraEmulator::start(JiraEmulatorConfig::default()).await?;
//! println!("{} as {}", jira.base_url(), jira.config().email);
//! # Ok(())
//! # }
//! ```

// Requests from a client under test never meet an `unwrap`: a bad request gets Jira's or
// Graph's own error answer.
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod jira;
pub mod sharepoint;

pub use jira::data::JiraData;
pub use jira::{
    Chaos, ChaosCount, Faults, JiraEmulator, JiraEmulatorConfig, PagingFault, RecordedRequest,
};
pub use sharepoint::{SharePointEmulator, SharePointEmulatorConfig, SharePointFaults};

/// Serves `app` on `listener` in the background until the returned sender is used or dropped.
pub(crate) fn serve(
    listener: tokio::net::TcpListener,
    app: axum::Router,
    name: &'static str,
) -> tokio::sync::oneshot::Sender<()> {
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        let stop = async {
            // A dropped sender is a stop signal too.
            let _ = rx.await;
        };
        if let Err(e) = axum::serve(listener, app)
            .with_graceful_shutdown(stop)
            .await
        {
            tracing::warn!("{name} emulator stopped: {e}");
        }
    });
    tx
}
