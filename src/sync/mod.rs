//! Two-way sync between a Jira table and a SharePoint list (`jiraql sync JOB.toml`).
//!
//! A run reads both sides, compares each row with what both sides agreed on at the end of the
//! last run (the state), and writes to each side what changed on the other ([`merge`]). The
//! job file says which table and list, which columns pair up, the direction, the conflict
//! policy and what deletes do ([`job`]).

pub mod delta;
pub mod job;
pub mod merge;
pub mod run;
pub mod state;
