//! Everything that knows Jira and nothing of SQL execution: how to connect ([`connection`]),
//! how to talk HTTP to it ([`client`]), how to write JQL ([`jql`]), how to read a listing page by page ([`pager`]), how to count issues in one request ([`count`]), how to read its rich-text
//! bodies ([`adf`]), how to parse only the parts of a response that are read ([`prune`]),
//! which tables it offers ([`tables`]) and how its issue write endpoints are called ([`write`](mod@write)).

pub mod adf;
pub mod client;
pub mod connection;
pub mod count;
pub mod entity_write;
pub mod item_write;
pub mod jql;
pub mod pager;
pub mod prune;
pub mod tables;
pub mod write;
