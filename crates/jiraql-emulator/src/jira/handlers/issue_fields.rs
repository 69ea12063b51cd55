//! The `fields` (and `update`) of a create or edit request, read the way Jira reads them:
//! names and ids resolved against the site, every problem collected per field with Jira's
//! message, fields that cannot be set refused by name.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::http::StatusCode;
use axum::response::Response;
use chrono::NaiveDate;
use serde_json::{Map, Value, json};

use crate::jira::data::{FieldValue, JiraData};
use crate::jira::fields::{STORY_POINTS, TARGET_DATE, TEAM};
use crate::jira::search::parse_duration;
use crate::jira::server::json_response;

/// A refused write: Jira's `ErrorCollection`, messages in general and per field.
#[derive(Debug, Default)]
pub(crate) struct Refusal {
    pub messages: Vec<String>,
    pub fields: BTreeMap<String, String>,
}

impl Refusal {
    pub fn message(message: impl Into<String>) -> Refusal {
        Refusal {
            messages: vec![message.into()],
            ..Refusal::default()
        }
    }

    pub fn field(&mut self, name: &str, message: impl Into<String>) {
        // Jira names the first problem of a field.
        self.fields
            .entry(name.to_string())
            .or_insert_with(|| message.into());
    }

    pub fn is_empty(&self) -> bool {
        self.messages.is_empty() && self.fields.is_empty()
    }

    pub fn body(&self) -> Value {
        json!({"errorMessages": self.messages, "errors": self.fields})
    }

    pub fn response(&self, status: StatusCode) -> Response {
        json_response(status, &self.body())
    }
}

/// What a field may be set to on this request.
pub(crate) struct Scope<'a> {
    pub data: &'a JiraData,
    /// The project components and versions must belong to.
    pub project_id: Option<u64>,
}

/// Fields a create reads itself (project, type, parent) rather than as values.
pub(crate) const CREATE_ONLY: &[&str] = &["project", "issuetype", "parent"];

pub(crate) fn cannot_be_set(field: &str) -> String {
    format!("Field '{field}' cannot be set. It is not on the appropriate screen, or unknown.")
}

/// Folds `update` verbs into plain field values: `set` on any field, `add` and `remove` on
/// labels. A field in both `fields` and `update` is refused, as Jira does.
pub(crate) fn merge_update(
    fields: &mut Map<String, Value>,
    update: Option<&Value>,
    labels: &[String],
    refusal: &mut Refusal,
) {
    let Some(update) = update else { return };
    let Some(update) = update.as_object() else {
        refusal.field(
            "update",
            "The update must be an object of field operations.",
        );
        return;
    };
    for (name, ops) in update {
        if fields.contains_key(name) {
            refusal.field(
                name,
                "Field specified in both 'fields' and 'update' sections.",
            );
            continue;
        }
        let mut current: Vec<String> = labels.to_vec();
        let mut value = None;
        for op in ops.as_array().map(Vec::as_slice).unwrap_or_default() {
            let Some((verb, arg)) = op.as_object().and_then(|o| o.iter().next()) else {
                continue;
            };
            match (verb.as_str(), name.as_str(), arg.as_str()) {
                ("set", _, _) => value = Some(arg.clone()),
                ("add", "labels", Some(l)) => {
                    if !current.iter().any(|c| c == l) {
                        current.push(l.to_string());
                    }
                    value = Some(json!(current));
                }
                ("remove", "labels", Some(l)) => {
                    current.retain(|c| c != l);
                    value = Some(json!(current));
                }
                _ => refusal.field(
                    name,
                    format!("Field '{name}' does not support operation '{verb}'"),
                ),
            }
        }
        if let Some(v) = value {
            fields.insert(name.clone(), v);
        }
    }
}

/// Reads every settable field of `fields` (skipping [`CREATE_ONLY`]), noting problems in
/// `refusal`.
pub(crate) fn values(
    fields: &Map<String, Value>,
    scope: &Scope<'_>,
    refusal: &mut Refusal,
) -> Vec<FieldValue> {
    let mut out = Vec::new();
    for (name, value) in fields {
        if CREATE_ONLY.contains(&name.as_str()) {
            continue;
        }
        match read(name, value, scope) {
            Ok(v) => out.push(v),
            Err(message) => refusal.field(name, message),
        }
    }
    out
}

/// One field's value, or Jira's message for it.
fn read(name: &str, v: &Value, scope: &Scope<'_>) -> Result<FieldValue, String> {
    let d = scope.data;
    Ok(match name {
        "summary" => match v.as_str().map(str::trim) {
            Some("") | None => return Err("You must specify a summary of the issue.".into()),
            Some(s) if s.chars().count() > 255 => {
                return Err("Summary must be less than 255 characters.".into());
            }
            Some(s) => FieldValue::Summary(s.to_string()),
        },
        "description" => FieldValue::Description(match v {
            Value::Null => None,
            Value::Object(o) if o.get("type") == Some(&json!("doc")) => Some(Arc::new(v.clone())),
            _ => {
                return Err(
                    "Operation value must be an Atlassian Document (see the Atlassian Document Format)"
                        .into(),
                );
            }
        }),
        "labels" => FieldValue::Labels(labels(v)?),
        "components" => FieldValue::Components(named_ids(v, "Component", |key, by_name| {
            let of_project = d
                .components
                .iter()
                .filter(|c| Some(c.project_id) == scope.project_id);
            pick(of_project, key, by_name, |c| (c.id, &c.name))
        })?),
        "fixVersions" => FieldValue::FixVersions(named_ids(v, "Version", |key, by_name| {
            let of_project = d
                .versions
                .iter()
                .filter(|x| Some(x.project_id) == scope.project_id);
            pick(of_project, key, by_name, |x| (x.id, &x.name))
        })?),
        "assignee" => FieldValue::Assignee(user(v, d)?),
        "reporter" => match user(v, d)? {
            Some(a) => FieldValue::Reporter(Some(a)),
            None => return Err("Reporter is required.".into()),
        },
        "priority" => {
            let found = by_id_or(v, "name", |key, by_name| {
                pick(&d.priorities, key, by_name, |p| (p.id, &p.name))
            });
            FieldValue::Priority(found.ok_or("The priority selected is invalid.")?)
        }
        "duedate" => FieldValue::DueDate(date(v)?),
        "timetracking" => {
            let estimate = v.get("originalEstimate").and_then(Value::as_str);
            FieldValue::OriginalEstimate(match estimate {
                None => None,
                Some(text) => Some(parse_duration(text).ok_or(
                    "Please specify the original estimate in the format 1w 2d 3h 4m (weeks, days, hours, minutes).",
                )?),
            })
        }
        STORY_POINTS => FieldValue::StoryPoints(match v {
            Value::Null => None,
            Value::Number(n) => n.as_f64(),
            _ => return Err("Operation value must be a number".into()),
        }),
        TEAM => FieldValue::Team(match v {
            Value::Null => None,
            _ => Some(
                by_id_or(v, "value", |key, by_value| {
                    pick(&d.teams, key, by_value, |t| (t.id, &t.value))
                })
                .ok_or_else(|| format!("Option value '{}' is not valid", short(v)))?,
            ),
        }),
        TARGET_DATE => FieldValue::TargetDate(date(v)?),
        _ => return Err(cannot_be_set(name)),
    })
}

fn labels(v: &Value) -> Result<Vec<String>, String> {
    let items = match v {
        Value::Null => return Ok(Vec::new()),
        Value::Array(items) => items,
        _ => return Err("Operation value must be an array of strings".into()),
    };
    let mut out = Vec::new();
    for item in items {
        let Some(label) = item.as_str() else {
            return Err("Operation value must be an array of strings".into());
        };
        if label.chars().any(char::is_whitespace) {
            return Err(format!(
                "The label '{label}' contains spaces which is invalid."
            ));
        }
        if !out.iter().any(|l| l == label) {
            out.push(label.to_string());
        }
    }
    Ok(out)
}

/// `[{"id": "10000"}, {"name": "Backend"}]` resolved with `find(key, by_name)`.
fn named_ids(
    v: &Value,
    what: &str,
    find: impl Fn(&str, bool) -> Option<u64>,
) -> Result<Vec<u64>, String> {
    let items = match v {
        Value::Null => return Ok(Vec::new()),
        Value::Array(items) => items,
        _ => return Err(format!("{what}s must be given as an array of ids or names")),
    };
    let mut out = Vec::new();
    for item in items {
        let id = by_id_or(item, "name", &find).ok_or_else(|| match item.get("name") {
            Some(name) => format!("{what} name '{}' is not valid", short(name)),
            None => format!(
                "{what} id '{}' is not valid",
                short(item.get("id").unwrap_or(item))
            ),
        })?;
        if !out.contains(&id) {
            out.push(id);
        }
    }
    Ok(out)
}

/// An object naming something by `id` or by `alt` (`name`, `value`), resolved with
/// `find(key, by_alt)`.
fn by_id_or(v: &Value, alt: &str, find: impl Fn(&str, bool) -> Option<u64>) -> Option<u64> {
    if let Some(id) = v.get("id") {
        let id = match id {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            _ => return None,
        };
        return find(&id, false);
    }
    find(v.get(alt)?.as_str()?, true)
}

/// The id of the item `key` names: by name when `by_name`, else by id (`named` gives both).
fn pick<'a, T: 'a>(
    items: impl IntoIterator<Item = &'a T>,
    key: &str,
    by_name: bool,
    named: impl Fn(&'a T) -> (u64, &'a String),
) -> Option<u64> {
    items.into_iter().map(named).find_map(|(id, name)| {
        let hit = if by_name {
            name == key
        } else {
            id.to_string() == key
        };
        hit.then_some(id)
    })
}

/// `{"accountId": "..."}`, or null for nobody.
fn user(v: &Value, d: &JiraData) -> Result<Option<String>, String> {
    if v.is_null() {
        return Ok(None);
    }
    let id = v.get("accountId").and_then(Value::as_str);
    match id.and_then(|id| d.user(id)) {
        Some(u) if u.active => Ok(Some(u.account_id.clone())),
        Some(_) => Err("The user is not active and cannot be assigned.".into()),
        None => Err(format!(
            "Specified user '{}' does not exist or you do not have required permissions",
            id.unwrap_or_default()
        )),
    }
}

fn date(v: &Value) -> Result<Option<NaiveDate>, String> {
    match v {
        Value::Null => Ok(None),
        Value::String(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| format!("Error parsing date string: {s}")),
        other => Err(format!("Error parsing date string: {other}")),
    }
}

/// A value as it appears in a message: strings bare, anything else as JSON.
fn short(v: &Value) -> String {
    v.as_str().map_or_else(|| v.to_string(), str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_jira_counts_them() {
        assert_eq!(parse_duration("2h"), Some(7200));
        assert_eq!(parse_duration("1w 1d 30m"), Some((40 + 8) * 3600 + 1800));
        assert_eq!(
            parse_duration("90"),
            Some(90 * 60),
            "bare numbers are minutes"
        );
        assert_eq!(parse_duration("soon"), None);
        assert_eq!(parse_duration(""), None);
    }

    #[test]
    fn labels_with_spaces_are_refused() {
        assert_eq!(
            labels(&json!(["ops", "two words"])),
            Err("The label 'two words' contains spaces which is invalid.".to_string())
        );
        assert_eq!(
            labels(&json!(["a", "a", "b"])),
            Ok(vec!["a".into(), "b".into()])
        );
    }

    #[test]
    fn update_verbs_fold_into_fields() {
        let mut fields = Map::new();
        let mut refusal = Refusal::default();
        let update =
            json!({"labels": [{"add": "x"}, {"remove": "old"}], "summary": [{"set": "s"}]});
        merge_update(&mut fields, Some(&update), &["old".into()], &mut refusal);
        assert!(refusal.is_empty(), "{refusal:?}");
        assert_eq!(fields["labels"], json!(["x"]));
        assert_eq!(fields["summary"], json!("s"));
    }
}
