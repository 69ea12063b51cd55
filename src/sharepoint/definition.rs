//! Making lists, adding columns and removing lists through Graph: the `columnDefinition` a
//! SQL column becomes, the names SharePoint allows, and the three requests
//! (`POST /sites/{site}/lists` with template `genericList`, `POST .../lists/{list}/columns`,
//! `DELETE .../lists/{list}`).
//!
//! What SQL asks for is decided in [`crate::engine::sharepoint`]; this module only knows
//! SharePoint's side. After each change the [`Directory`] forgets what it had learned, so the
//! new list or column is seen by the next statement of the same session.

use std::sync::Arc;

use reqwest::Method;
use serde_json::{Value, json};

use super::error::GraphError;
use super::list::{ALWAYS_READ_ONLY, Directory, ListInfo, PLUMBING, match_key};

/// Characters SharePoint does not allow in a list or column name.
const FORBIDDEN: &[char] = &[
    '~', '"', '#', '%', '&', '*', ':', '<', '>', '?', '/', '\\', '{', '|', '}',
];

/// The names a list table already gives its own columns in SQL (the item id, jiraql's eTag,
/// SharePoint's creation and change times): a new column named so would hide them.
const RESERVED: &[&str] = &["ID", "ETag", "Created", "Modified"];

/// The longest internal name SharePoint keeps.
const INTERNAL_NAME_LENGTH: usize = 32;

/// What a new column holds: the four column types a SQL type maps to.
#[derive(Debug, Clone, PartialEq)]
pub enum Facet {
    /// Single-line text of at most `max_length` (≤ 255) characters, or multi-line text.
    Text {
        multiline: bool,
        max_length: u32,
    },
    /// A number; `decimals` shown (None: as entered).
    Number {
        decimals: Option<u8>,
    },
    DateTime {
        date_only: bool,
    },
    Boolean,
}

impl Facet {
    /// One-line text of SharePoint's usual length.
    pub const LINE: Facet = Facet::Text {
        multiline: false,
        max_length: 255,
    };

    fn definition(&self) -> (&'static str, Value) {
        match self {
            Facet::Text {
                multiline: true, ..
            } => (
                "text",
                json!({"allowMultipleLines": true, "textType": "plain"}),
            ),
            Facet::Text { max_length, .. } => (
                "text",
                json!({"allowMultipleLines": false, "maxLength": max_length, "textType": "plain"}),
            ),
            Facet::Number { decimals } => {
                let places = match decimals {
                    Some(0) => "none",
                    Some(1) => "one",
                    Some(2) => "two",
                    Some(3) => "three",
                    Some(4) => "four",
                    Some(5) => "five",
                    _ => "automatic",
                };
                ("number", json!({"decimalPlaces": places}))
            }
            Facet::DateTime { date_only } => (
                "dateTime",
                json!({
                    "format": if *date_only { "dateOnly" } else { "dateTime" },
                    "displayAs": "default"
                }),
            ),
            Facet::Boolean => ("boolean", json!({})),
        }
    }

    /// How messages name the type.
    pub fn shown(&self) -> String {
        match self {
            Facet::Text {
                multiline: true, ..
            } => "multi-line text".into(),
            Facet::Text { max_length, .. } => format!("text({max_length})"),
            Facet::Number { decimals: Some(d) } => format!("number, {d} decimals"),
            Facet::Number { decimals: None } => "number".into(),
            Facet::DateTime { date_only: true } => "date".into(),
            Facet::DateTime { date_only: false } => "date and time".into(),
            Facet::Boolean => "yes/no".into(),
        }
    }
}

/// A column to make.
#[derive(Debug, Clone, PartialEq)]
pub struct NewColumn {
    /// The name people see, and SQL uses.
    pub display_name: String,
    /// The name in item `fields` and `$filter`: the display name's ASCII letters, digits and
    /// underscores (SharePoint's own `_x0020_` escapes make names nobody wants to type).
    pub internal_name: String,
    pub facet: Facet,
    pub required: bool,
    /// Indexed, so that `$filter` on it is allowed on a big list.
    pub indexed: bool,
}

impl NewColumn {
    /// A column named `display_name`, with an internal name not in `taken` (compared ignoring
    /// case); the caller has checked the name with [`check_name`].
    pub fn new(display_name: &str, facet: Facet, taken: &[String]) -> NewColumn {
        let mut base: String = display_name
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
            .take(INTERNAL_NAME_LENGTH - 2)
            .collect();
        if !base.starts_with(|c: char| c.is_ascii_alphabetic()) {
            base = format!("c{base}");
        }
        let mut internal_name = base.clone();
        let mut n = 1;
        while taken.iter().any(|t| t.eq_ignore_ascii_case(&internal_name))
            || is_builtin(&internal_name)
            || internal_name.eq_ignore_ascii_case("Title")
        {
            internal_name = format!("{base}{n}");
            n += 1;
        }
        NewColumn {
            display_name: display_name.to_string(),
            internal_name,
            facet,
            required: false,
            indexed: false,
        }
    }

    /// The `columnDefinition` Graph takes.
    pub fn definition(&self) -> Value {
        let (facet, settings) = self.facet.definition();
        let mut body = json!({
            "name": self.internal_name,
            "displayName": self.display_name,
            "required": self.required,
            "indexed": self.indexed,
        });
        body[facet] = settings;
        body
    }

    /// `Started (date and time, indexed)`.
    pub fn shown(&self) -> String {
        let mut traits = vec![self.facet.shown()];
        if self.required {
            traits.push("required".into());
        }
        if self.indexed {
            traits.push("indexed".into());
        }
        format!("{} ({})", self.display_name, traits.join(", "))
    }
}

/// Whether `name` is one a list table gives its own columns in SQL (`ID`, `ETag`, `Created`,
/// `Modified`), which a new column is not given.
pub fn is_reserved(name: &str) -> bool {
    let key = match_key(name);
    RESERVED.iter().any(|r| match_key(r) == key)
}

/// Whether SharePoint's own columns (shown in SQL or not: `Author`, `Attachments`, ...)
/// already have the internal name `name`.
fn is_builtin(name: &str) -> bool {
    RESERVED
        .iter()
        .chain(PLUMBING)
        .chain(ALWAYS_READ_ONLY)
        .any(|r| r.eq_ignore_ascii_case(name))
}

/// Checks a new list's or column's name against SharePoint's rules; `Err` says what is wrong.
pub fn check_name(what: &str, name: &str) -> Result<(), String> {
    if name.trim().is_empty() {
        return Err(format!("a {what} needs a name"));
    }
    if name.chars().count() > 255 {
        return Err(format!(
            "the {what} name `{name}` is longer than SharePoint's 255 characters"
        ));
    }
    if let Some(c) = name.chars().find(|c| FORBIDDEN.contains(c)) {
        return Err(format!(
            "the {what} name `{name}` has `{c}`, which SharePoint does not allow in names \
             (~ \" # % & * : < > ? / \\ {{ | }}); give it another name with AS"
        ));
    }
    Ok(())
}

/// A list to make.
#[derive(Debug, Clone)]
pub struct NewList {
    pub display_name: String,
    pub columns: Vec<NewColumn>,
}

impl NewList {
    /// The body of `POST /sites/{site}/lists`.
    pub fn body(&self) -> Value {
        json!({
            "displayName": self.display_name,
            "columns": self.columns.iter().map(NewColumn::definition).collect::<Vec<_>>(),
            "list": {"template": "genericList"},
        })
    }
}

impl Directory {
    /// `/sites/{site}/lists`.
    pub async fn lists_path(&self) -> Result<String, GraphError> {
        Ok(format!("/sites/{}/lists", self.site().await?.id))
    }

    /// Makes `new` and returns it as the site now describes it. A create whose answer never
    /// came is looked for before it is sent again, so a retry never makes a second list.
    pub async fn create_list(&self, new: &NewList) -> Result<Arc<ListInfo>, GraphError> {
        let path = self.lists_path().await?;
        let body = new.body();
        let what = format!("creating the list {}", new.display_name);
        let client = self.client();
        match client.write(Method::POST, &path, Some(&body), &what).await {
            Ok(_) => {}
            Err(e) if e.outcome_unknown() => {
                self.forget().await;
                if self.list(&new.display_name).await?.is_none() {
                    client
                        .write(Method::POST, &path, Some(&body), &what)
                        .await?;
                }
            }
            Err(e) => return Err(e),
        }
        self.forget().await;
        self.list(&new.display_name).await?.ok_or_else(|| {
            GraphError::Protocol(format!(
                "{what}: Graph said it was made, but the site does not list it"
            ))
        })
    }

    /// Adds `column` to `list`; the list as it is now.
    pub async fn add_column(
        &self,
        list: &ListInfo,
        column: &NewColumn,
    ) -> Result<Arc<ListInfo>, GraphError> {
        let path = format!("{}/columns", self.list_path(list).await?);
        let what = format!(
            "adding the column {} to the list {}",
            column.display_name, list.display_name
        );
        let definition = column.definition();
        let sent = self
            .client()
            .write(Method::POST, &path, Some(&definition), &what)
            .await;
        self.forget().await;
        let now = self.list(&list.id).await?;
        match (sent, now) {
            // A lost answer: the column is there or it is not, and the list says which.
            (Err(e), Some(now)) if e.outcome_unknown() => {
                let there = now
                    .columns
                    .iter()
                    .any(|c| c.name.eq_ignore_ascii_case(&column.internal_name));
                if there { Ok(now) } else { Err(e) }
            }
            (Err(e), _) => Err(e),
            (Ok(_), Some(now)) => Ok(now),
            (Ok(_), None) => Err(GraphError::Protocol(format!(
                "{what}: the list is gone from the site"
            ))),
        }
    }

    /// Deletes `list` with all its items.
    pub async fn delete_list(&self, list: &ListInfo) -> Result<(), GraphError> {
        let path = self.list_path(list).await?;
        let what = format!("deleting the list {}", list.display_name);
        let result = self
            .client()
            .write(Method::DELETE, &path, None, &what)
            .await;
        self.forget().await;
        result.map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_names_are_plain_and_unique() {
        let taken = vec!["StoryPoints".to_string()];
        let c = NewColumn::new("Story Points", Facet::LINE, &taken);
        assert_eq!(c.internal_name, "StoryPoints1");
        assert_eq!(
            NewColumn::new("Größe", Facet::LINE, &[]).internal_name,
            "Gre"
        );
        assert_eq!(
            NewColumn::new("2nd", Facet::LINE, &[]).internal_name,
            "c2nd"
        );
        assert_eq!(
            NewColumn::new("Title", Facet::LINE, &[]).internal_name,
            "Title1"
        );
        let long = "A".repeat(40);
        assert!(NewColumn::new(&long, Facet::LINE, &[]).internal_name.len() <= 32);
    }

    #[test]
    fn definitions_have_one_facet() {
        let mut c = NewColumn::new("Hours", Facet::Number { decimals: Some(2) }, &[]);
        c.indexed = true;
        let d = c.definition();
        assert_eq!(d["number"]["decimalPlaces"], "two");
        assert_eq!(d["indexed"], true);
        assert_eq!(d["displayName"], "Hours");
        assert!(d.get("text").is_none());
        assert_eq!(c.shown(), "Hours (number, 2 decimals, indexed)");
    }

    #[test]
    fn names_are_checked() {
        assert!(check_name("column", "count(*)").is_err());
        assert!(check_name("column", " ").is_err());
        assert!(check_name("list", "Time Log 2026").is_ok());
        assert!(is_reserved("id") && is_reserved("Created") && !is_reserved("Key"));
        assert!(
            !is_reserved("Author"),
            "hidden in SQL: a column may be shown as Author"
        );
        assert_eq!(
            NewColumn::new("Author", Facet::LINE, &[]).internal_name,
            "Author1"
        );
    }
}
