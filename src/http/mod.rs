//! What the Jira and SharePoint clients share: the retry policy and its timing, request
//! statistics, and errors written as one line for the person reading them.

pub mod retry;
pub mod stats;
pub mod text;
