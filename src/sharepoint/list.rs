//! A site's lists and their columns, as Graph describes them, and matching the names people
//! write in SQL against them.
//!
//! A list column has an internal name (`Story_x0020_Points`, fixed at creation, the key in
//! item `fields`) and a display name (`Story Points`, what people see). SQL may use either,
//! in any case, with or without spaces and `_x0020_`-style escapes: [`match_key`] folds all
//! of these to one spelling.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::Value;
use tokio::sync::Mutex;

use super::client::GraphClient;
use super::error::GraphError;

/// What a column holds, from its type facet.
#[derive(Debug, Clone, PartialEq)]
pub enum ColumnKind {
    /// Single or multiple lines of text; `max_length` for single lines (255 by default).
    Text {
        max_length: Option<usize>,
    },
    Number,
    DateTime {
        date_only: bool,
    },
    Boolean,
    Choice {
        choices: Vec<String>,
        allow_text: bool,
    },
    MultiChoice {
        choices: Vec<String>,
        allow_text: bool,
    },
    /// A single lookup or person: written as `<name>LookupId`, the target's item id.
    Lookup,
    /// Anything else (calculated, multi-value lookups, hyperlinks, terms...): read as text,
    /// never written.
    Other(String),
}

/// One list column.
#[derive(Debug, Clone)]
pub struct Column {
    /// Internal name: the key in `fields` and in `$filter`.
    pub name: String,
    pub display_name: String,
    pub kind: ColumnKind,
    pub required: bool,
    pub read_only: bool,
    pub indexed: bool,
    pub unique: bool,
    pub hidden: bool,
}

impl Column {
    /// A writable, optional, unindexed column.
    pub fn new(name: &str, display_name: &str, kind: ColumnKind) -> Column {
        Column {
            name: name.to_string(),
            display_name: display_name.to_string(),
            kind,
            required: false,
            read_only: false,
            indexed: false,
            unique: false,
            hidden: false,
        }
    }

    /// The key of this column's value in an item's `fields` (lookups use `<name>LookupId`).
    pub fn field_key(&self) -> String {
        match self.kind {
            ColumnKind::Lookup => format!("{}LookupId", self.name),
            _ => self.name.clone(),
        }
    }

    /// The name this column has in SQL: its display name.
    pub fn sql_name(&self) -> &str {
        &self.display_name
    }

    /// Whether jiraql can write it.
    pub fn writable(&self) -> bool {
        !self.read_only && !matches!(self.kind, ColumnKind::Other(_))
    }
}

/// Columns every list has that say nothing about the data, left out of SQL tables.
pub(super) const PLUMBING: &[&str] = &[
    "ContentType",
    "_UIVersionString",
    "Attachments",
    "Edit",
    "LinkTitle",
    "LinkTitleNoMenu",
    "ItemChildCount",
    "FolderChildCount",
    "DocIcon",
    "AppAuthor",
    "AppEditor",
    "Author",
    "Editor",
    "_ComplianceFlags",
    "_ComplianceTag",
    "_ComplianceTagWrittenTime",
    "_ComplianceTagUserId",
    "_IsRecord",
];

/// Built-in columns that are read-only even when Graph does not say so.
pub(super) const ALWAYS_READ_ONLY: &[&str] =
    &["ID", "id", "Created", "Modified", "Author", "Editor"];

/// A list as the site's listing names it.
#[derive(Debug, Clone)]
struct Listed {
    id: String,
    name: String,
    display_name: String,
    description: String,
}

/// One SharePoint list with its columns.
#[derive(Debug, Clone)]
pub struct ListInfo {
    pub id: String,
    /// The URL name (`TimeLog` in `.../Lists/TimeLog`).
    pub name: String,
    pub display_name: String,
    /// What the list's owner wrote about it (often empty).
    pub description: String,
    pub web_url: String,
    /// The columns SQL sees, in Graph's order, plumbing left out.
    pub columns: Vec<Column>,
}

impl ListInfo {
    /// The column a SQL name means: internal or display name, compared by [`match_key`];
    /// `Err` lists the candidates when two columns fold to the same spelling.
    pub fn column(&self, sql_name: &str) -> Result<Option<&Column>, String> {
        let exact: Vec<&Column> = self
            .columns
            .iter()
            .filter(|c| c.display_name == sql_name || c.name == sql_name)
            .collect();
        if exact.len() == 1 {
            return Ok(Some(exact[0]));
        }
        let key = match_key(sql_name);
        let found: Vec<&Column> = self
            .columns
            .iter()
            .filter(|c| match_key(&c.display_name) == key || match_key(&c.name) == key)
            .collect();
        match found.len() {
            0 => Ok(None),
            1 => Ok(Some(found[0])),
            _ => Err(format!(
                "`{sql_name}` could mean {}; write the column's internal name exactly",
                found
                    .iter()
                    .map(|c| format!("{} (internal name {})", c.display_name, c.name))
                    .collect::<Vec<_>>()
                    .join(" or ")
            )),
        }
    }

    /// The list's columns whose values must be unique: candidates for an upsert key.
    pub fn unique_columns(&self) -> Vec<&Column> {
        self.columns.iter().filter(|c| c.unique).collect()
    }
}

/// The spelling names are compared in: `_xHHHH_` escapes decoded, spaces and underscores
/// dropped, lower case. `Story_x0020_Points`, `Story Points` and `storypoints` agree.
pub fn match_key(name: &str) -> String {
    decode_internal_name(name)
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '_')
        .flat_map(char::to_lowercase)
        .collect()
}

/// Decodes SharePoint's XML-name escapes: `Story_x0020_Points` → `Story Points`.
pub fn decode_internal_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut rest = name;
    while let Some(at) = rest.find("_x") {
        out.push_str(&rest[..at]);
        let after = &rest[at + 2..];
        let decoded = after
            .get(..5)
            .filter(|s| s.ends_with('_'))
            .and_then(|s| u32::from_str_radix(&s[..4], 16).ok())
            .and_then(char::from_u32);
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &after[5..];
            }
            None => {
                out.push_str("_x");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

impl ColumnKind {
    /// Reads the type facet of a Graph `columnDefinition`.
    fn from_definition(c: &Value) -> ColumnKind {
        let choices = |facet: &Value| -> Vec<String> {
            facet
                .get("choices")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default()
        };
        let flag =
            |facet: &Value, name: &str| facet.get(name).and_then(Value::as_bool).unwrap_or(false);
        if let Some(t) = c.get("text") {
            let multi = flag(t, "allowMultipleLines");
            let max = t
                .get("maxLength")
                .and_then(Value::as_u64)
                .map(|n| n as usize);
            ColumnKind::Text {
                max_length: if multi { None } else { max.or(Some(255)) },
            }
        } else if c.get("number").is_some() || c.get("currency").is_some() {
            ColumnKind::Number
        } else if let Some(d) = c.get("dateTime") {
            ColumnKind::DateTime {
                date_only: d.get("format").and_then(Value::as_str) == Some("dateOnly"),
            }
        } else if c.get("boolean").is_some() {
            ColumnKind::Boolean
        } else if let Some(ch) = c.get("choice") {
            let allow_text = flag(ch, "allowTextEntry");
            if ch.get("displayAs").and_then(Value::as_str) == Some("checkBoxes") {
                ColumnKind::MultiChoice {
                    choices: choices(ch),
                    allow_text,
                }
            } else {
                ColumnKind::Choice {
                    choices: choices(ch),
                    allow_text,
                }
            }
        } else if let Some(l) = c.get("lookup") {
            if flag(l, "allowMultipleValues") {
                ColumnKind::Other("multi-value lookup".into())
            } else {
                ColumnKind::Lookup
            }
        } else if let Some(p) = c.get("personOrGroup") {
            if flag(p, "allowMultipleSelection") {
                ColumnKind::Other("multi-value person".into())
            } else {
                ColumnKind::Lookup
            }
        } else {
            let facet = [
                "calculated",
                "hyperlinkOrPicture",
                "term",
                "geolocation",
                "thumbnail",
                "contentApprovalStatus",
            ]
            .into_iter()
            .find(|f| c.get(*f).is_some())
            .unwrap_or("unknown");
            ColumnKind::Other(facet.to_string())
        }
    }
}

impl Column {
    fn from_definition(c: &Value) -> Option<Column> {
        let name = c.get("name")?.as_str()?.to_string();
        let flag = |key: &str| c.get(key).and_then(Value::as_bool).unwrap_or(false);
        let kind = ColumnKind::from_definition(c);
        Some(Column {
            display_name: c
                .get("displayName")
                .and_then(Value::as_str)
                .filter(|d| !d.is_empty())
                .map_or_else(|| decode_internal_name(&name), str::to_string),
            read_only: flag("readOnly")
                || ALWAYS_READ_ONLY.contains(&name.as_str())
                || c.get("calculated").is_some(),
            required: flag("required"),
            indexed: flag("indexed"),
            unique: flag("enforceUniqueValues"),
            hidden: flag("hidden"),
            kind,
            name,
        })
    }
}

/// The site a connection points at.
#[derive(Debug, Clone)]
pub struct Site {
    /// Graph's composite id, `host,siteGuid,webGuid`.
    pub id: String,
    pub display_name: String,
}

/// Resolves the site once and lists on demand, caching what it learned.
#[derive(Debug, Clone)]
pub struct Directory {
    client: GraphClient,
    state: Arc<Mutex<DirectoryState>>,
}

#[derive(Debug, Default)]
struct DirectoryState {
    site: Option<Site>,
    /// Every list, once listed.
    lists: Option<Vec<Listed>>,
    resolved: HashMap<String, Arc<ListInfo>>,
}

impl Directory {
    pub fn new(client: GraphClient) -> Self {
        Directory {
            client,
            state: Arc::default(),
        }
    }

    pub fn client(&self) -> &GraphClient {
        &self.client
    }

    /// The site, resolved from its address once.
    pub async fn site(&self) -> Result<Site, GraphError> {
        let mut state = self.state.lock().await;
        self.site_locked(&mut state).await
    }

    async fn site_locked(&self, state: &mut DirectoryState) -> Result<Site, GraphError> {
        if let Some(site) = &state.site {
            return Ok(site.clone());
        }
        let settings = self.client.settings();
        let path = match settings.site_path() {
            "" => format!("/sites/{}", settings.hostname()),
            p => format!("/sites/{}:{}", settings.hostname(), encode_path(p)),
        };
        let what = format!("looking up the site {}", settings.site_label());
        let body = self.client.get(&path, &[], None, &what).await?;
        let id = body
            .get("id")
            .and_then(Value::as_str)
            .ok_or_else(|| GraphError::Protocol(format!("{what}: the answer has no id")))?;
        let site = Site {
            id: id.to_string(),
            display_name: body
                .get("displayName")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
        };
        state.site = Some(site.clone());
        Ok(site)
    }

    /// Display names of the site's lists (listed once per session).
    pub async fn list_names(&self) -> Result<Vec<String>, GraphError> {
        let mut state = self.state.lock().await;
        let lists = self.lists_locked(&mut state).await?;
        Ok(lists.iter().map(|l| l.display_name.clone()).collect())
    }

    async fn lists_locked(&self, state: &mut DirectoryState) -> Result<Vec<Listed>, GraphError> {
        if let Some(lists) = &state.lists {
            return Ok(lists.clone());
        }
        let site = self.site_locked(state).await?;
        let items = self
            .client
            .get_all(
                &format!("/sites/{}/lists", site.id),
                &[(
                    "$select",
                    "id,name,displayName,description,list".to_string(),
                )],
                "listing the site's lists",
            )
            .await?;
        let lists: Vec<Listed> = items
            .iter()
            .filter(|l| {
                let hidden = l
                    .pointer("/list/hidden")
                    .and_then(Value::as_bool)
                    .unwrap_or(false);
                let template = l
                    .pointer("/list/template")
                    .and_then(Value::as_str)
                    .unwrap_or("genericList");
                !hidden && template != "documentLibrary"
            })
            .filter_map(|l| {
                let text = |k: &str| l.get(k).and_then(Value::as_str).map(str::to_string);
                let display_name = text("displayName").unwrap_or_default();
                Some(Listed {
                    id: text("id")?,
                    name: text("name").unwrap_or_else(|| display_name.clone()),
                    display_name,
                    description: text("description").unwrap_or_default(),
                })
            })
            .collect();
        state.lists = Some(lists.clone());
        Ok(lists)
    }

    /// The list a SQL name means (display name, URL name or id, compared by [`match_key`]),
    /// with its columns; `None` when the site has no such list.
    pub async fn list(&self, sql_name: &str) -> Result<Option<Arc<ListInfo>>, GraphError> {
        let key = match_key(sql_name);
        let mut state = self.state.lock().await;
        if let Some(info) = state.resolved.get(&key) {
            return Ok(Some(info.clone()));
        }
        let lists = self.lists_locked(&mut state).await?;
        let found = lists
            .iter()
            .find(|l| {
                l.id.eq_ignore_ascii_case(sql_name)
                    || match_key(&l.display_name) == key
                    || match_key(&l.name) == key
            })
            .cloned();
        let Some(Listed {
            id,
            name,
            display_name,
            description,
        }) = found
        else {
            return Ok(None);
        };
        let site = self.site_locked(&mut state).await?;
        let what = format!("reading the columns of the list {display_name}");
        let definitions = self
            .client
            .get_all(
                &format!("/sites/{}/lists/{id}/columns", site.id),
                &[],
                &what,
            )
            .await?;
        let columns: Vec<Column> = definitions
            .iter()
            .filter_map(Column::from_definition)
            .filter(|c| !c.hidden && !PLUMBING.contains(&c.name.as_str()))
            .collect();
        // A list column named like a built-in one (`Created`, stored as `Created0`) takes the
        // name in SQL; the read-only built-in steps aside.
        let columns = columns
            .iter()
            .filter(|c| {
                !c.read_only
                    || !columns.iter().any(|o| {
                        o.writable() && match_key(&o.display_name) == match_key(&c.display_name)
                    })
            })
            .cloned()
            .collect();
        let info = Arc::new(ListInfo {
            web_url: format!(
                "{}/Lists/{name}",
                self.client
                    .settings()
                    .site_url
                    .as_str()
                    .trim_end_matches('/')
            ),
            id,
            name,
            display_name,
            description,
            columns,
        });
        state.resolved.insert(key, info.clone());
        Ok(Some(info))
    }

    /// Forgets the lists and columns learned so far (after a list was made, changed or
    /// removed), so that the next name looked up reads them again.
    pub async fn forget(&self) {
        let mut state = self.state.lock().await;
        state.lists = None;
        state.resolved.clear();
    }

    /// `/sites/{site}/lists/{list}`, the prefix of item addresses.
    pub async fn list_path(&self, list: &ListInfo) -> Result<String, GraphError> {
        Ok(format!(
            "/sites/{}/lists/{}",
            self.site().await?.id,
            list.id
        ))
    }
}

/// Percent-encodes each segment of a server-relative path.
fn encode_path(path: &str) -> String {
    path.split('/')
        .map(|s| {
            url::form_urlencoded::byte_serialize(s.as_bytes())
                .collect::<String>()
                .replace('+', "%20")
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_fold_to_one_spelling() {
        assert_eq!(decode_internal_name("Story_x0020_Points"), "Story Points");
        assert_eq!(decode_internal_name("A_x003a_B_x"), "A:B_x");
        assert_eq!(match_key("Story_x0020_Points"), match_key("story points"));
        assert_eq!(match_key("WorklogId"), match_key("worklog_id"));
        assert_ne!(match_key("Hours"), match_key("Hour"));
    }

    #[test]
    fn facets_give_kinds() {
        let kind = |v: Value| ColumnKind::from_definition(&v);
        assert_eq!(
            kind(serde_json::json!({"text": {"allowMultipleLines": false, "maxLength": 100}})),
            ColumnKind::Text {
                max_length: Some(100)
            }
        );
        assert_eq!(
            kind(serde_json::json!({"text": {"allowMultipleLines": true}})),
            ColumnKind::Text { max_length: None }
        );
        assert_eq!(
            kind(serde_json::json!({"choice": {"choices": ["a"], "displayAs": "checkBoxes"}})),
            ColumnKind::MultiChoice {
                choices: vec!["a".into()],
                allow_text: false
            }
        );
        assert_eq!(
            kind(serde_json::json!({"dateTime": {"format": "dateOnly"}})),
            ColumnKind::DateTime { date_only: true }
        );
        assert_eq!(kind(serde_json::json!({"lookup": {}})), ColumnKind::Lookup);
        assert_eq!(
            kind(serde_json::json!({"calculated": {}})),
            ColumnKind::Other("calculated".into())
        );
    }

    #[test]
    fn ambiguous_names_are_reported() {
        let col = |name: &str, display: &str| Column::new(name, display, ColumnKind::Number);
        let list = ListInfo {
            id: "1".into(),
            name: "L".into(),
            display_name: "L".into(),
            description: String::new(),
            web_url: String::new(),
            columns: vec![
                col("Story_x0020_Points", "Story Points"),
                col("StoryPoints", "Points2"),
            ],
        };
        assert!(list.column("story points").is_err());
        assert_eq!(
            list.column("StoryPoints")
                .ok()
                .flatten()
                .map(|c| c.name.as_str()),
            Some("StoryPoints")
        );
        assert!(matches!(list.column("nope"), Ok(None)));
    }
}
