//! jiraql's integration tests, one binary: each module was once a file of its own under
//! `tests/`, and keeps its name, so `cargo test --test it chaos::` runs what
//! `cargo test --test chaos` used to. One binary links DataFusion once instead of a dozen times.
//!
//! The emulators' own tests live in `crates/jiraql-emulator`.

mod common;

mod bad_keys;
mod catalog;
mod chaos;
mod cli;
mod config;
mod decode;
mod engine;
mod every;
mod hostile;
mod jira_dml;
mod jira_entities;
mod jira_items;
mod jira_writes;
mod mirror;
mod paging;
mod partition;
mod proxy;
mod repl;
mod secrets;
mod sharepoint;
mod sharepoint_lists;
mod sync;
mod tables;
mod write_chaos;
