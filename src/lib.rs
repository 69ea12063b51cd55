//! jiraql: SQL over Jira.
//!
//! A query travels one way:
//!
//! ```text
//! SQL text -> engine::identifiers (split statements, resolve names ignoring case)
//!          -> DataFusion (plan, optimize, ask each table which filters it takes)
//!          -> engine::provider (projection + filters + limit -> an access plan: JQL, fields, endpoint)
//!          -> engine::scan (pages streamed through jira::client, decoded to Arrow)
//!          -> DataFusion runs what was not pushed down -> cli::output
//! ```
//!
//! * [`jira`] knows Jira: connection settings, the HTTP client (auth, retries, paging, error
//!   bodies), JQL building and the table declarations. It knows nothing of SQL execution.
//! * [`engine`] turns declarations into DataFusion table providers and scans. Connecting
//!   (`Engine::connect`) reads the site's custom fields once; `jira::tables::custom_fields`
//!   makes them columns of `Issues` and rows of `IssueCustomFields`.
//! * [`sharepoint`] knows Microsoft Graph lists: sign-in, the client, list columns and values,
//!   and the sink's batched writes. [`http`] holds what both clients share (retry timing,
//!   request statistics, one-line errors).
//! * [`sync`] is `jiraql sync`: the job file, the three-way merge, its state, and a run.
//! * [`mirror`] is `jiraql mirror`: Jira tables as Parquet files, refreshed by change.
//! * [`cli`] is the command line: argument parsing, the REPL, running scripts, printing results.
//! * The emulated Jira and SharePoint sites behind `--demo` and every test are the
//!   `jiraql-emulator` crate (`crates/jiraql-emulator`), reached only with the `demo` feature (on
//!   by default). They share no code with the client, so a misreading of the API cannot hide by
//!   being made twice.
//! * `bench` is `jiraql bench` (with `demo`): a fixed query suite against the emulator, with
//!   request counts against the API's minimum, throughput and peak memory.

// Data from the network or the user never meets an `unwrap`: failures are errors people can act on.
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

#[cfg(feature = "demo")]
pub mod bench;
pub mod cli;
pub mod engine;
pub mod http;
pub mod jira;
pub mod mirror;
pub mod sharepoint;
pub mod sync;
