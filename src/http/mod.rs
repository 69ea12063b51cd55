//! What the Jira and SharePoint clients share: connection strings and their errors, the retry
//! policy and its timing, request statistics, and errors written as one line for the person
//! reading them.

pub mod connection_string;
pub mod retry;
pub mod stats;
pub mod text;
