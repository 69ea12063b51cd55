//! Custom fields: discovered from `GET field` when a session connects, they become typed
//! columns of `Issues` and the rows of `IssueCustomFields`.
//!
//! Naming rule: a column is named after the field's display name, with every character that is
//! not a letter, digit, space or `_` replaced by `_` and runs of spaces made one. When that name
//! is empty, or equals (ignoring case) a built-in column of `Issues` or the name of a custom
//! field with a lower id, the field id is appended: `Sprint_customfield_10020`. The field id
//! is always in the column's description and in `sys_tablecolumns.JqlField` (`cf[10020]`).
//!
//! Types: number → DOUBLE; date → DATE; datetime → TIMESTAMP; option → its value (text);
//! array of options or strings → VARCHAR[]; user → display name (text); sprint → the sprint
//! names (VARCHAR[]); string and text areas → text; anything else → its JSON as text.

use std::collections::{HashMap, HashSet};
use std::sync::{Mutex, OnceLock};

use serde_json::Value;

use super::{
    Access, ColumnDef, ColumnType, Embedded, EmbeddedItems, FilterKind, IssueItems, Shape, Source,
    TableDef, issue_item_columns,
};
use crate::jira::adf;

/// How a custom field's values look, from its `schema`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CustomKind {
    Number,
    Date,
    DateTime,
    /// A single select: `{"value": ...}`.
    Option,
    /// A multi select: `[{"value": ...}]`.
    Options,
    /// Labels-like lists of strings.
    Strings,
    User,
    /// The Agile sprint field: `[{"id", "name", "state", ...}]`.
    Sprint,
    /// A text field (a string).
    Text,
    /// A paragraph field: ADF on Cloud, a string on Data Center.
    TextArea,
    /// Any other shape, shown as JSON.
    Other,
}

/// One custom field as `GET field` describes it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CustomField {
    /// `customfield_10016`.
    pub id: String,
    /// `10016`, for `cf[10016]` in JQL.
    pub number: u64,
    pub name: String,
    pub kind: CustomKind,
}

/// The custom fields of a `GET field` answer, by id order. Items that are not custom fields,
/// or lack an id, are skipped.
pub fn from_field_list(list: &Value) -> Vec<CustomField> {
    let mut fields: Vec<CustomField> = list
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f.get("custom").and_then(Value::as_bool) == Some(true))
        .filter_map(|f| {
            let id = f.get("id")?.as_str()?.to_string();
            let number = id.strip_prefix("customfield_")?.parse().ok()?;
            let name = f
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            Some(CustomField {
                id,
                number,
                name,
                kind: kind(f.get("schema")),
            })
        })
        .collect();
    fields.sort_by_key(|f| f.number);
    fields
}

fn kind(schema: Option<&Value>) -> CustomKind {
    let get = |k: &str| schema.and_then(|s| s.get(k)).and_then(Value::as_str);
    let plugin = get("custom").unwrap_or("");
    match (get("type"), get("items")) {
        _ if plugin == "com.pyxis.greenhopper.jira:gh-sprint" => CustomKind::Sprint,
        (Some("number"), _) => CustomKind::Number,
        (Some("date"), _) => CustomKind::Date,
        (Some("datetime"), _) => CustomKind::DateTime,
        (Some("option"), _) => CustomKind::Option,
        (Some("user"), _) => CustomKind::User,
        (Some("array"), Some("option")) => CustomKind::Options,
        (Some("array"), Some("string")) => CustomKind::Strings,
        (Some("string"), _) if plugin.ends_with(":textarea") => CustomKind::TextArea,
        (Some("string"), _) => CustomKind::Text,
        _ => CustomKind::Other,
    }
}

/// Column names for `fields`, following the module's naming rule.
pub fn column_names(fields: &[CustomField], builtin: &[&str]) -> Vec<String> {
    let mut taken: HashSet<String> = builtin.iter().map(|n| n.to_lowercase()).collect();
    fields
        .iter()
        .map(|f| {
            let cleaned: String = f
                .name
                .chars()
                .map(|c| {
                    if c.is_alphanumeric() || c == ' ' || c == '_' {
                        c
                    } else {
                        '_'
                    }
                })
                .collect();
            let cleaned = cleaned.split_whitespace().collect::<Vec<_>>().join(" ");
            let name = if cleaned.is_empty() {
                f.id.clone()
            } else if taken.contains(&cleaned.to_lowercase()) {
                format!("{cleaned}_{}", f.id)
            } else {
                cleaned
            };
            taken.insert(name.to_lowercase());
            name
        })
        .collect()
}

fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

/// The column of one custom field on `Issues`.
fn column(f: &CustomField, name: &str) -> ColumnDef {
    let path = leak(format!("fields.{}", f.id));
    let fields: &'static [&'static str] = Box::leak(Box::new([leak(f.id.clone())]));
    let (data_type, source, filter) = match f.kind {
        CustomKind::Number => (
            ColumnType::Float,
            Source::Path(path),
            Some(FilterKind::Number),
        ),
        CustomKind::Date => (ColumnType::Date, Source::Path(path), Some(FilterKind::Day)),
        CustomKind::DateTime => (
            ColumnType::Timestamp,
            Source::Path(path),
            Some(FilterKind::Instant),
        ),
        CustomKind::Option => (
            ColumnType::Text,
            Source::Path(leak(format!("{path}.value"))),
            Some(FilterKind::Name),
        ),
        CustomKind::Options => (ColumnType::TextList, Source::List(path, "value"), None),
        CustomKind::Strings => (ColumnType::TextList, Source::List(path, ""), None),
        CustomKind::User => (
            ColumnType::Text,
            Source::Path(leak(format!("{path}.displayName"))),
            None,
        ),
        CustomKind::Sprint => (ColumnType::TextList, Source::List(path, "name"), None),
        CustomKind::Text => (
            ColumnType::Text,
            Source::Path(path),
            Some(FilterKind::Words),
        ),
        CustomKind::TextArea => (
            ColumnType::Text,
            Source::RichText(path),
            Some(FilterKind::Words),
        ),
        CustomKind::Other => (ColumnType::Text, Source::Path(path), None),
    };
    let description = leak(format!("Custom field {} ({}).", f.id, f.name));
    let mut column = ColumnDef::new(
        leak(name.to_string()),
        data_type,
        source,
        fields,
        description,
    );
    // Written as their schema says; sprints (set through the Agile API), multi-selects and
    // unknown kinds are read-only for now.
    let shape = match f.kind {
        CustomKind::Number => Some(Shape::Number),
        CustomKind::Date => Some(Shape::Date),
        CustomKind::Option => Some(Shape::ByValue),
        CustomKind::Strings => Some(Shape::Strings),
        CustomKind::Text => Some(Shape::Text),
        CustomKind::TextArea => Some(Shape::Document),
        CustomKind::DateTime
        | CustomKind::Options
        | CustomKind::User
        | CustomKind::Sprint
        | CustomKind::Other => None,
    };
    if let Some(shape) = shape {
        column = column.writes(fields[0], shape);
    }
    match filter {
        // Words are searched with `~`, which has no EMPTY form in the same sense.
        Some(FilterKind::Words) => {
            column.filter(leak(format!("cf[{}]", f.number)), FilterKind::Words)
        }
        Some(kind) => column.filter_or_empty(leak(format!("cf[{}]", f.number)), kind),
        None => column,
    }
}

/// A value of a custom field as text, for `IssueCustomFields`; `None` when unset.
pub fn value_text(kind: CustomKind, value: &Value) -> Option<String> {
    let joined = |key: &str| {
        value.as_array().map(|items| {
            items
                .iter()
                .filter_map(|i| match (key, i) {
                    ("", Value::String(s)) => Some(s.clone()),
                    ("", other) => Some(other.to_string()),
                    (k, v) => v.get(k).and_then(Value::as_str).map(str::to_string),
                })
                .collect::<Vec<_>>()
                .join(", ")
        })
    };
    match (kind, value) {
        (_, Value::Null) => None,
        (CustomKind::Option, v) => v.get("value").and_then(Value::as_str).map(str::to_string),
        (CustomKind::User, v) => v
            .get("displayName")
            .and_then(Value::as_str)
            .map(str::to_string),
        (CustomKind::Options, _) => joined("value"),
        (CustomKind::Strings, _) => joined(""),
        (CustomKind::Sprint, _) => joined("name"),
        (CustomKind::TextArea, v) => adf::to_text(v),
        (_, Value::String(s)) => Some(s.clone()),
        (_, v) => Some(v.to_string()),
    }
}

/// The tables that depend on a site's custom fields.
#[derive(Debug, Clone, Copy)]
pub struct CustomTables {
    /// `Issues` with a column per custom field.
    pub issues: &'static TableDef,
    /// `IssueCustomFields`: one row per set custom field value.
    pub values: &'static TableDef,
}

/// The tables for `fields`. Declarations are `'static` like the built-in ones, so they are
/// made once per distinct field list and kept for the life of the process.
pub fn tables(fields: &[CustomField]) -> CustomTables {
    static MADE: OnceLock<Mutex<HashMap<Vec<CustomField>, CustomTables>>> = OnceLock::new();
    let made = MADE.get_or_init(Default::default);
    let mut made = match made.lock() {
        Ok(guard) => guard,
        // A panic elsewhere while holding the lock leaves the map intact.
        Err(poisoned) => poisoned.into_inner(),
    };
    *made
        .entry(fields.to_vec())
        .or_insert_with(|| make_tables(fields))
}

fn make_tables(fields: &[CustomField]) -> CustomTables {
    let builtin = &super::ISSUES;
    let builtin_names: Vec<&str> = builtin.columns.iter().map(|c| c.name).collect();
    let names = column_names(fields, &builtin_names);
    // Stored columns, then the custom fields, then the pseudo columns (JQL) as before.
    let (pseudo, mut columns): (Vec<ColumnDef>, Vec<ColumnDef>) = builtin
        .columns
        .iter()
        .cloned()
        .partition(|c| matches!(c.source, Source::Pseudo));
    columns.extend(fields.iter().zip(&names).map(|(f, n)| column(f, n)));
    columns.extend(pseudo);
    let issues: &'static TableDef = Box::leak(Box::new(TableDef {
        name: builtin.name,
        view: builtin.view,
        writes: builtin.writes,
        description: builtin.description,
        columns: Box::leak(columns.into_boxed_slice()),
        access: Access::IssueSearch,
    }));
    let known: &'static [CustomField] = Box::leak(fields.to_vec().into_boxed_slice());
    let ids: &'static [&'static str] = Box::leak(
        fields
            .iter()
            .map(|f| leak(f.id.clone()))
            .collect::<Vec<_>>()
            .into_boxed_slice(),
    );
    let values: &'static TableDef = Box::leak(Box::new(TableDef {
        name: "IssueCustomFields",
        view: false,
        writes: super::Writes::None,
        description: "Custom field values of issues, one row per set value (EAV style), as text. IssueKey/IssueId/JQL conditions narrow the issue search; FieldId = / IN asks Jira for those fields only.",
        access: Access::IssueItems(IssueItems {
            embedded: Some(Embedded {
                fields: ids,
                items: EmbeddedItems::CustomFieldValues {
                    fields: known,
                    narrowed_by: "FieldId",
                },
            }),
            per_issue: None,
            bulk: None,
            by_id: None,
            nested: None,
            cloud_only: false,
        }),
        columns: &VALUE_COLUMNS,
    }));
    CustomTables { issues, values }
}

static VALUE_COLUMNS: [ColumnDef; 6] = [
    issue_item_columns::ISSUE_ID.key(),
    issue_item_columns::ISSUE_KEY,
    ColumnDef::new(
        "FieldId",
        ColumnType::Text,
        Source::Path("fieldId"),
        &[],
        "Custom field id, e.g. customfield_10016.",
    )
    .key(),
    ColumnDef::new(
        "FieldName",
        ColumnType::Text,
        Source::Path("fieldName"),
        &[],
        "The field's display name.",
    ),
    ColumnDef::new(
        "Value",
        ColumnType::Text,
        Source::Path("value"),
        &[],
        "The value as text: option values and list items joined with \", \", users by display name, sprints by name.",
    ),
    issue_item_columns::JQL,
];

/// The rows of `IssueCustomFields` for one issue: each set custom field's value.
pub fn value_rows(fields: &[CustomField], issue: &Value) -> Vec<Value> {
    fields
        .iter()
        .filter_map(|f| {
            let v = issue.get("fields")?.get(&f.id)?;
            let text = value_text(f.kind, v)?;
            Some(serde_json::json!({ "fieldId": f.id, "fieldName": f.name, "value": text }))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn field(id: u64, name: &str) -> CustomField {
        CustomField {
            id: format!("customfield_{id}"),
            number: id,
            name: name.into(),
            kind: CustomKind::Text,
        }
    }

    #[test]
    fn names_are_cleaned_and_clashes_get_the_field_id() {
        let fields = [
            field(1, "Story Points"),
            field(2, "summary"),
            field(3, "story  points"),
            field(4, "Cost (€) / h"),
            field(5, "  "),
        ];
        assert_eq!(
            column_names(&fields, &["Summary"]),
            vec![
                "Story Points",
                "summary_customfield_2",
                "story points_customfield_3",
                "Cost ___ _ h",
                "customfield_5",
            ]
        );
    }

    #[test]
    fn kinds_follow_the_schema() {
        let list = json!([
            {"id": "summary", "custom": false, "schema": {"type": "string"}},
            {"id": "customfield_10020", "name": "Sprint", "custom": true,
             "schema": {"type": "array", "items": "json", "custom": "com.pyxis.greenhopper.jira:gh-sprint"}},
            {"id": "customfield_10016", "name": "Story Points", "custom": true, "schema": {"type": "number"}},
            {"id": "customfield_10050", "name": "Notes", "custom": true,
             "schema": {"type": "string", "custom": "com.atlassian.jira.plugin.system.customfieldtypes:textarea"}},
            {"id": "customfield_10060", "name": "Platforms", "custom": true, "schema": {"type": "array", "items": "option"}}
        ]);
        let kinds: Vec<(u64, CustomKind)> = from_field_list(&list)
            .iter()
            .map(|f| (f.number, f.kind))
            .collect();
        assert_eq!(
            kinds,
            vec![
                (10016, CustomKind::Number),
                (10020, CustomKind::Sprint),
                (10050, CustomKind::TextArea),
                (10060, CustomKind::Options),
            ]
        );
    }

    #[test]
    fn values_as_text() {
        assert_eq!(
            value_text(
                CustomKind::Options,
                &json!([{"value": "iOS"}, {"value": "Web"}])
            ),
            Some("iOS, Web".into())
        );
        assert_eq!(
            value_text(CustomKind::Number, &json!(5.0)),
            Some("5.0".into())
        );
        assert_eq!(value_text(CustomKind::Option, &Value::Null), None);
        assert_eq!(
            value_text(CustomKind::Sprint, &json!([{"id": 1, "name": "S1"}])),
            Some("S1".into())
        );
    }
}
