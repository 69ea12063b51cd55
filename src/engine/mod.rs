//! The SQL engine: Jira table declarations turned into DataFusion table providers, the access
//! plans their scans follow, and the session that plans and runs statements.
//!
//! * [`pushdown`] decides which SQL conditions become JQL and whether exactly;
//! * [`plan`] chooses the endpoints a scan calls (shown by EXPLAIN);
//! * [`fetch`] runs that plan, page by page ([`items`] for what issues hold: comments, links...);
//!   [`partition`] splits large issue searches into windows fetched concurrently; [`decode`]
//!   turns pages into Arrow;
//! * [`provider`] and [`scan`] are the DataFusion glue; [`catalog`] serves `sys_*`;
//! * [`statements`] splits scripts; [`identifiers`] makes names case-insensitive;
//! * [`session`] ties it together.

pub mod catalog;
pub mod decode;
pub mod fetch;
pub mod identifiers;
pub mod items;
pub mod partition;
pub mod plan;
pub mod provider;
pub mod pushdown;
pub mod scan;
pub mod session;
pub mod sharepoint;
pub mod statements;

pub use session::Engine;
