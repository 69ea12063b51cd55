//! SharePoint lists in SQL: the `sharepoint` schema ([`table`]) and the statements that write
//! to lists ([`dml`]).

pub mod dml;
mod scan;
pub mod table;

pub use table::{ListTable, SharePointSchema};
