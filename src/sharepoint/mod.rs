//! SharePoint Online lists through Microsoft Graph: where `INSERT INTO sharepoint.<list>`
//! lands.
//!
//! * [`connection`]: the SharePoint connection string (site or list address, sign-in).
//! * [`auth`]: tokens from Entra ID (client secret, certificate, device code).
//! * [`client`]: Graph requests with retries, paging and `$batch`.
//! * [`list`]: the site's lists and columns, and matching SQL names to them.
//! * [`definition`]: making lists and columns, and removing lists.
//! * [`values`]: SQL values to and from list columns, checked and made comparable.
//! * [`sync`]: sending creates, updates and deletes and accounting for every row.
//!
//! What to write is decided in [`crate::engine::sharepoint`], which plans the SQL side with
//! DataFusion.

pub mod auth;
pub mod client;
pub mod connection;
pub mod definition;
pub mod error;
pub mod list;
pub mod sync;
pub mod values;

pub use client::GraphClient;
pub use connection::SharePointSettings;
pub use error::GraphError;
pub use list::{Column, ColumnKind, Directory, ListInfo};
pub use sync::{RowFailure, WriteReport};
