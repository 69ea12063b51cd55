//! JSON shapes: the system fields SharePoint adds to every item, and column definitions.

use super::*;

/// The system fields SharePoint adds to every item's `fields`.
pub(super) fn system_fields(item: &Item) -> Vec<(String, Value)> {
    let title = item.values.get("Title").cloned();
    let mut v: Vec<(String, Value)> = vec![
        ("id".into(), item.id.to_string().into()),
        ("ContentType".into(), "Item".into()),
        ("Modified".into(), format_time(item.modified).into()),
        ("Created".into(), format_time(item.created).into()),
        ("AuthorLookupId".into(), item.author.lookup_id().into()),
        ("EditorLookupId".into(), item.editor.lookup_id().into()),
        (
            "_UIVersionString".into(),
            format!("{}.0", item.version).into(),
        ),
        ("Attachments".into(), false.into()),
        ("Edit".into(), "".into()),
    ];
    if let Some(t) = title {
        v.push(("LinkTitleNoMenu".into(), t.clone()));
        v.push(("LinkTitle".into(), t));
    }
    for (k, val) in [
        ("ItemChildCount", "0"),
        ("FolderChildCount", "0"),
        ("_ComplianceFlags", ""),
        ("_ComplianceTag", ""),
        ("_ComplianceTagWrittenTime", ""),
        ("_ComplianceTagUserId", ""),
    ] {
        v.push((k.into(), val.into()));
    }
    // Present when an app wrote the item (the app principal's site user id).
    if item.author == Principal::App {
        v.push(("AppAuthorLookupId".into(), "3".into()));
    }
    if item.editor == Principal::App {
        v.push(("AppEditorLookupId".into(), "3".into()));
    }
    v
}

/// A stable GUID-shaped id derived from a string (column ids, content type ids).
pub(super) fn derived_guid(s: &str) -> String {
    let fnv = |seed: u64| {
        s.bytes().fold(seed, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
        })
    };
    format_guid(
        u128::from(fnv(0xcbf2_9ce4_8422_2325)) << 64 | u128::from(fnv(0x8422_2325_cbf2_9ce4)),
    )
}

pub(super) fn content_type_id(list_id: &str) -> String {
    format!(
        "0x0100{}",
        derived_guid(list_id).replace('-', "").to_uppercase()
    )
}

pub(super) fn column_json(store: &Store, list_id: &str, c: &ColumnSpec) -> Value {
    let mut v = json!({
        "columnGroup": "Custom Columns",
        "description": c.description,
        "displayName": c.display_name,
        "enforceUniqueValues": c.enforce_unique_values,
        "hidden": c.hidden,
        "id": derived_guid(&format!("{list_id}/{}", c.name)),
        "indexed": c.indexed,
        "name": c.name,
        "readOnly": c.read_only,
        "required": c.required,
    });
    let (facet, value) = match &c.kind {
        ColumnKind::Text {
            max_length,
            multiline,
        } => (
            "text",
            json!({
                "allowMultipleLines": multiline,
                "appendChangesToExistingText": false,
                "linesForEditing": if *multiline { 6 } else { 0 },
                "maxLength": if *multiline { 63999 } else { *max_length },
                "textType": "plain",
            }),
        ),
        ColumnKind::Number { decimals } => (
            "number",
            json!({
                "decimalPlaces": match decimals {
                    None => "automatic",
                    Some(0) => "none",
                    Some(1) => "one",
                    Some(2) => "two",
                    Some(3) => "three",
                    Some(4) => "four",
                    Some(_) => "five",
                },
                "displayAs": "number",
                "maximum": f64::MAX,
                "minimum": -f64::MAX,
            }),
        ),
        ColumnKind::DateTime { date_only } => (
            "dateTime",
            json!({"displayAs": "default", "format": if *date_only { "dateOnly" } else { "dateTime" }}),
        ),
        ColumnKind::Boolean => ("boolean", json!({})),
        ColumnKind::Choice {
            choices,
            allow_text_entry,
        } => (
            "choice",
            json!({"allowTextEntry": allow_text_entry, "choices": choices, "displayAs": "dropDownMenu"}),
        ),
        ColumnKind::MultiChoice { choices } => (
            "choice",
            json!({"allowTextEntry": false, "choices": choices, "displayAs": "checkBoxes"}),
        ),
        ColumnKind::Lookup { list } => (
            "lookup",
            json!({
                "allowMultipleValues": false,
                "allowUnlimitedLength": false,
                "columnName": "Title",
                "listId": store.list_index(list).map(|i| store.lists[i].id.clone()).unwrap_or_default(),
            }),
        ),
    };
    v[facet] = value;
    v
}

pub(super) fn builtin_facet(facet: &str) -> Value {
    match facet {
        "text" => json!({
            "allowMultipleLines": false,
            "appendChangesToExistingText": false,
            "linesForEditing": 0,
            "maxLength": 255,
            "textType": "plain",
        }),
        "dateTime" => json!({"displayAs": "standard", "format": "dateTime"}),
        "personOrGroup" => json!({
            "allowMultipleSelection": false,
            "displayAs": "account",
            "chooseFromType": "peopleAndGroups",
        }),
        "lookup" => {
            json!({"allowMultipleValues": false, "allowUnlimitedLength": false, "columnName": ""})
        }
        _ => json!({}),
    }
}
