//! Reading only what changed on the list since the last run, through Graph's delta: the items
//! created or changed (their fields), the ids of those deleted, and the link that starts the
//! next round. A link Graph no longer honours (410 `resyncRequired`) means a full read.

use serde_json::Value;

use crate::sharepoint::error::GraphError;
use crate::sharepoint::list::{Directory, ListInfo};

/// What changed since a delta link.
#[derive(Debug, Clone, Default)]
pub struct ListChanges {
    /// Items created or changed, as Graph gives them (with `fields`).
    pub items: Vec<Value>,
    /// Item ids deleted.
    pub deleted: Vec<String>,
    /// The link of the next round.
    pub link: String,
}

/// A link that reports the changes made from now on (`token=latest`), taken before a full
/// read so that nothing changed during it is missed.
pub async fn latest(directory: &Directory, list: &ListInfo) -> Result<String, GraphError> {
    let path = format!("{}/items/delta", directory.list_path(list).await?);
    let what = format!("starting the change feed of the list {}", list.display_name);
    let page = directory
        .client()
        .get(
            &path,
            &[
                ("token", "latest".to_string()),
                ("expand", "fields".to_string()),
            ],
            None,
            &what,
        )
        .await?;
    delta_link(&page, &what)
}

/// The changes since `link`; `None` when Graph asks for a full read again.
pub async fn changes(
    directory: &Directory,
    list: &ListInfo,
    link: &str,
) -> Result<Option<ListChanges>, GraphError> {
    let what = format!("reading the changes of the list {}", list.display_name);
    let client = directory.client();
    let mut out = ListChanges::default();
    let mut next = link.to_string();
    loop {
        let page = match client.get_link(&next, None, &what).await {
            Ok(page) => page,
            Err(e) if e.status() == Some(410) => return Ok(None),
            Err(e) => return Err(e),
        };
        for item in page["value"].as_array().into_iter().flatten() {
            match (item.get("deleted"), item["id"].as_str()) {
                (Some(_), Some(id)) => out.deleted.push(id.to_string()),
                _ => out.items.push(item.clone()),
            }
        }
        match page["@odata.nextLink"].as_str() {
            Some(link) => next = link.to_string(),
            None => {
                out.link = delta_link(&page, &what)?;
                return Ok(Some(out));
            }
        }
    }
}

fn delta_link(page: &Value, what: &str) -> Result<String, GraphError> {
    page["@odata.deltaLink"]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| GraphError::Protocol(format!("{what}: the answer has no delta link")))
}
