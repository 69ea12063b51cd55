//! Writing changes to a list: creates, updates and deletes sent in `$batch`es, with an account
//! of what happened to every row.
//!
//! The engine decides *what* to write ([`Change`]s, already compared with the list, so equal
//! items are never sent); this module decides *how*, and makes sure nothing is duplicated or
//! silently lost:
//!
//! * Each change's answer is checked on its own; a refused change becomes a [`RowFailure`]
//!   naming the row's key and SharePoint's reason, and the others go on.
//! * A create whose answer never came (timeout, reset connection, 500/502/504, also inside a
//!   `$batch`) may have been stored anyway. When the list has a key column, the key is looked
//!   up before the create is sent again, so a retry can never make a second item.

use std::collections::HashSet;

use reqwest::Method;
use serde_json::{Map, Value, json};

use super::client::{PREFER_NON_INDEXED, SubRequest, SubResponse};
use super::error::GraphError;
use super::list::{Column, ColumnKind, Directory, ListInfo};
use super::values;

/// One item-level change.
#[derive(Debug, Clone)]
pub enum Change {
    Create {
        /// How messages name the row (its key, or its position).
        label: String,
        /// The key's canonical value, to look the item up after an unknown outcome.
        key: Option<Value>,
        fields: Vec<(Column, Value)>,
    },
    Update {
        label: String,
        item: String,
        /// The eTag the item had when it was compared: a change since then is a 412, and the
        /// row is reported instead of overwriting someone's edit.
        etag: Option<String>,
        fields: Vec<(Column, Value)>,
    },
    Delete {
        label: String,
        item: String,
        etag: Option<String>,
    },
}

/// A row that could not be written, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct RowFailure {
    pub row: String,
    pub reason: String,
}

/// What a statement did to a list (or, from the Jira side, a table).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WriteReport {
    /// What was written to: `list` or `table` (the report's first column is named so).
    pub kind: &'static str,
    /// Its name.
    pub list: String,
    pub inserted: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub deleted: u64,
    pub failed: Vec<RowFailure>,
    /// Nothing was sent (`--dry-run`): the counts say what would have happened.
    pub dry_run: bool,
    /// On a dry run, the requests a write would have sent, where it lists them (Jira, and
    /// the lists and columns a statement makes or removes).
    pub planned: Vec<String>,
    /// What the statement did besides rows, for the person running it (a list made, a
    /// column renamed, nothing done because of IF NOT EXISTS).
    pub notes: Vec<String>,
}

/// Sends `changes` to `list`. `key` is the list column that identifies rows, if any.
pub async fn apply(
    directory: &Directory,
    list: &ListInfo,
    key: Option<&Column>,
    changes: Vec<Change>,
    report: &mut WriteReport,
) -> Result<(), GraphError> {
    if report.dry_run {
        for change in &changes {
            match change {
                Change::Create { .. } => report.inserted += 1,
                Change::Update { .. } => report.updated += 1,
                Change::Delete { .. } => report.deleted += 1,
            }
        }
        return Ok(());
    }
    let items = format!("{}/items", directory.list_path(list).await?);
    let mut changes = changes.into_iter().peekable();
    while changes.peek().is_some() {
        let chunk: Vec<Change> = changes.by_ref().take(CHUNK).collect();
        send(directory, &items, list, key, chunk, report).await?;
    }
    Ok(())
}

/// Changes sent, answered and accounted for before the next are sent: the requests and
/// answers of one chunk are all that is held.
pub const CHUNK: usize = 200;

/// Sends one chunk of changes to `items` (`.../lists/{list}/items`).
async fn send(
    directory: &Directory,
    items: &str,
    list: &ListInfo,
    key: Option<&Column>,
    changes: Vec<Change>,
    report: &mut WriteReport,
) -> Result<(), GraphError> {
    let client = directory.client();
    let what = format!("writing to the list {}", list.display_name);
    let requests: Vec<SubRequest> = changes.iter().map(|c| request(items, c)).collect();
    let answers = client.batch(&requests, &what).await;
    let mut unknown = Vec::new();
    for (change, answer) in changes.into_iter().zip(answers) {
        // A gateway error inside a `$batch` says as little about a create as one on its own.
        let answer = answer.and_then(|a| match a.status {
            500 | 502 | 504 => Err(GraphError::from_answer(a.status, what.clone(), &a.body, 0)),
            _ => Ok(a),
        });
        match answer {
            Ok(answer) => record(report, &change, &answer),
            Err(e) if e.outcome_unknown() && matches!(change, Change::Create { .. }) => {
                unknown.push((change, e));
            }
            Err(e) => report.failed.push(RowFailure {
                row: label(&change).to_string(),
                reason: e.to_string(),
            }),
        }
    }
    if unknown.is_empty() {
        return Ok(());
    }
    // Creates whose fate is unknown: look before sending again.
    let mut retry = Vec::new();
    for (change, error) in unknown {
        // A row is looked up only with both a key column and its value; without them it is
        // reported, never silently dropped.
        let (
            Change::Create {
                key: Some(value), ..
            },
            Some(key),
        ) = (&change, key)
        else {
            report.failed.push(RowFailure {
                row: label(&change).to_string(),
                reason: format!(
                    "{error}; the item may or may not have been created, and the list has no \
                     key column to check (set KeyColumn=<column> in the SharePoint connection \
                     string), so it was not sent again"
                ),
            });
            continue;
        };
        if exists(directory, items, key, value).await? {
            report.inserted += 1;
        } else {
            retry.push(change);
        }
    }
    if retry.is_empty() {
        return Ok(());
    }
    let requests: Vec<SubRequest> = retry.iter().map(|c| request(items, c)).collect();
    let answers = client.batch(&requests, &what).await;
    for (change, answer) in retry.into_iter().zip(answers) {
        match answer {
            Ok(answer) => record(report, &change, &answer),
            Err(e) => report.failed.push(RowFailure {
                row: label(&change).to_string(),
                reason: format!("{e}; sent twice without an answer, check the list for this row"),
            }),
        }
    }
    Ok(())
}

fn label(change: &Change) -> &str {
    match change {
        Change::Create { label, .. }
        | Change::Update { label, .. }
        | Change::Delete { label, .. } => label,
    }
}

fn record(report: &mut WriteReport, change: &Change, answer: &SubResponse) {
    let ok = (200..300).contains(&answer.status);
    match change {
        Change::Create { .. } if ok => report.inserted += 1,
        Change::Update { .. } if ok => report.updated += 1,
        // Gone already is what a delete wants.
        Change::Delete { .. } if ok || answer.status == 404 => report.deleted += 1,
        _ => {
            let error = GraphError::from_answer(
                answer.status,
                format!("writing to {}", report.list),
                &answer.body,
                0,
            );
            report.failed.push(RowFailure {
                row: label(change).to_string(),
                reason: error.to_string(),
            });
        }
    }
}

fn request(items: &str, change: &Change) -> SubRequest {
    match change {
        Change::Create { fields, .. } => SubRequest {
            method: Method::POST,
            url: items.to_string(),
            body: Some(json!({ "fields": field_set(fields) })),
            if_match: None,
        },
        Change::Update {
            item, fields, etag, ..
        } => SubRequest {
            method: Method::PATCH,
            url: format!("{items}/{item}/fields"),
            body: Some(Value::Object(field_set(fields))),
            if_match: etag.clone(),
        },
        Change::Delete { item, etag, .. } => SubRequest {
            method: Method::DELETE,
            url: format!("{items}/{item}"),
            body: None,
            if_match: etag.clone(),
        },
    }
}

/// A Graph `fieldValueSet`: internal names, lookups as `<name>LookupId`, and multi-value
/// columns with the `@odata.type` Graph needs to accept an array.
fn field_set(fields: &[(Column, Value)]) -> Map<String, Value> {
    let mut set = Map::new();
    for (column, value) in fields {
        if matches!(column.kind, ColumnKind::MultiChoice { .. }) && !value.is_null() {
            set.insert(
                format!("{}@odata.type", column.name),
                json!("Collection(Edm.String)"),
            );
        }
        set.insert(column.field_key(), value.clone());
    }
    set
}

/// Whether an item with `key = value` exists.
async fn exists(
    directory: &Directory,
    items: &str,
    key: &Column,
    value: &Value,
) -> Result<bool, GraphError> {
    let filter = format!("fields/{} eq {}", key.field_key(), odata_literal(value));
    let answer = directory
        .client()
        .get(
            items,
            &[
                ("$filter", filter),
                ("expand", format!("fields(select={})", key.field_key())),
            ],
            (!key.indexed).then_some(PREFER_NON_INDEXED),
            &format!(
                "checking whether an item with {} was created",
                key.display_name
            ),
        )
        .await?;
    Ok(answer
        .get("value")
        .and_then(Value::as_array)
        .is_some_and(|items| {
            items.iter().any(|item| {
                values::same(
                    &values::from_field(key, item.pointer(&format!("/fields/{}", key.field_key()))),
                    value,
                )
            })
        }))
}

/// An OData literal: text in single quotes with quotes doubled, numbers and booleans bare.
/// A value can never end the literal early, so it cannot change the filter's meaning.
pub fn odata_literal(value: &Value) -> String {
    match value {
        Value::String(s) => format!("'{}'", s.replace('\'', "''")),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Null => "null".to_string(),
        other => format!("'{}'", other.to_string().replace('\'', "''")),
    }
}

/// Keys that occur more than once among `keys`, for the "two rows for one item" check.
pub fn duplicate_keys<'a>(keys: impl Iterator<Item = &'a Value>) -> Vec<String> {
    let mut seen = HashSet::new();
    let mut duplicates = Vec::new();
    for key in keys {
        let text = values::shown(key);
        if !seen.insert(text.clone()) && !duplicates.contains(&text) {
            duplicates.push(text);
        }
    }
    duplicates
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_cannot_escape_their_quotes() {
        assert_eq!(odata_literal(&json!("O'Brien")), "'O''Brien'");
        assert_eq!(
            odata_literal(&json!("x' or 1 eq 1 or 'a")),
            "'x'' or 1 eq 1 or ''a'"
        );
        assert_eq!(odata_literal(&json!(42)), "42");
        assert_eq!(odata_literal(&json!(true)), "true");
    }

    #[test]
    fn duplicates_are_found_once() {
        let keys = [json!(1), json!(2), json!(1), json!(1)];
        assert_eq!(duplicate_keys(keys.iter()), vec!["1".to_string()]);
    }
}
