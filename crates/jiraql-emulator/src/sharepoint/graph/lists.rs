//! Lists made and changed through Graph: `POST /sites/{site}/lists` (a `genericList` with its
//! columns), `POST .../lists/{list}/columns` (one more column) and `DELETE .../lists/{list}`,
//! with Graph's validation and errors: a display name without SharePoint's forbidden
//! characters and not taken on the site (409 `nameAlreadyExists`), one type facet a column
//! (text, number, dateTime, boolean), no name taken by a built-in or an earlier column.

use super::*;
use crate::sharepoint::index::Indexes;
use crate::sharepoint::model::ListSpec;

/// Characters SharePoint refuses in a list's name.
const FORBIDDEN: &[char] = &[
    '~', '"', '#', '%', '&', '*', ':', '<', '>', '?', '/', '\\', '{', '|', '}',
];

impl Req<'_> {
    fn body(&self) -> Result<Map<String, Value>, Reply> {
        match serde_json::from_slice::<Value>(self.call.body) {
            Ok(Value::Object(m)) => Ok(m),
            _ => Err(bad_json()),
        }
    }

    /// `POST /lists`: 201 with the list.
    pub(super) fn create_list(&self) -> Reply {
        let body = match self.body() {
            Ok(b) => b,
            Err(r) => return r,
        };
        let name = body
            .get("displayName")
            .and_then(Value::as_str)
            .unwrap_or("")
            .trim();
        if name.is_empty() || name.contains(FORBIDDEN) {
            return bad_request(&format!(
                "The list name '{name}' is empty or has a character SharePoint does not allow (~\"#%&*:<>?/\\{{|}})."
            ));
        }
        let template = body
            .get("list")
            .and_then(|l| l.get("template"))
            .and_then(Value::as_str);
        if template.is_some_and(|t| t != "genericList") {
            return bad_request("Only the genericList template can be created here.");
        }
        let mut columns: Vec<ColumnSpec> = Vec::new();
        for c in body
            .get("columns")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            match column_spec(c) {
                Ok(spec) if spec.name == "Title" || taken(&columns, &spec.name) => {
                    return bad_request(&format!("A column named '{}' already exists.", spec.name));
                }
                Ok(spec) => columns.push(spec),
                Err(r) => return r,
            }
        }
        let mut store = self.shared.store();
        if store
            .lists
            .iter()
            .any(|l| l.display_name.eq_ignore_ascii_case(name))
        {
            return graph_error(409, "nameAlreadyExists", "Name already exists", None);
        }
        let mut spec = ListSpec::new(name);
        if let Some(d) = body.get("description").and_then(Value::as_str) {
            spec.description = d.to_string();
        }
        spec.columns = columns;
        let id = store.create_list(spec);
        drop(store);
        let mut r = with_status(self.list(&id), 201);
        r.delay = self.shared.faults.take_store_delay();
        r
    }

    /// `POST /lists/{list}/columns`: 201 with the column.
    pub(super) fn add_column(&self, key: &str) -> Reply {
        let body = match self.body() {
            Ok(b) => b,
            Err(r) => return r,
        };
        let spec = match column_spec(&Value::Object(body)) {
            Ok(spec) => spec,
            Err(r) => return r,
        };
        let mut store = self.shared.store();
        let at = match self.list_index(&store, key) {
            Ok(at) => at,
            Err(r) => return r,
        };
        let list = &mut store.lists[at];
        if spec.name == "Title" || taken(&list.columns, &spec.name) {
            return bad_request(&format!("A column named '{}' already exists.", spec.name));
        }
        list.columns.push(spec.clone());
        // The new column holds nothing yet; its index (if any) starts empty.
        let mut indexes = Indexes::new(&list.columns);
        for item in list.items.values() {
            indexes.add(item.id, &item.values);
        }
        list.indexes = indexes;
        let id = list.id.clone();
        let mut column = column_json(&store, &id, &spec);
        column["@odata.context"] =
            format!("{}/lists('{id}')/columns/$entity", self.site_context()).into();
        json_reply(201, column)
    }

    /// `DELETE /lists/{list}`: 204.
    pub(super) fn delete_list(&self, key: &str) -> Reply {
        let mut store = self.shared.store();
        match self.list_index(&store, key) {
            Ok(at) => {
                store.lists.remove(at);
                empty_reply(204)
            }
            Err(r) => r,
        }
    }
}

fn taken(columns: &[ColumnSpec], name: &str) -> bool {
    BUILTIN_COLUMNS
        .iter()
        .any(|(n, _, _)| n.eq_ignore_ascii_case(name))
        || columns.iter().any(|c| c.name.eq_ignore_ascii_case(name))
}

/// A `columnDefinition` as Graph takes it: a name and exactly one of the facets text,
/// number, dateTime, boolean.
fn column_spec(c: &Value) -> Result<ColumnSpec, Reply> {
    let name = c.get("name").and_then(Value::as_str).unwrap_or("").trim();
    if name.is_empty() || name.contains(FORBIDDEN) {
        return Err(bad_request(&format!(
            "The column name '{name}' is not allowed."
        )));
    }
    let facets: Vec<&str> = ["text", "number", "dateTime", "boolean"]
        .into_iter()
        .filter(|f| c.get(*f).is_some())
        .collect();
    let kind = match facets.as_slice() {
        ["text"] => ColumnKind::Text {
            max_length: c
                .pointer("/text/maxLength")
                .and_then(Value::as_u64)
                .unwrap_or(255)
                .min(255) as u32,
            multiline: c
                .pointer("/text/allowMultipleLines")
                .and_then(Value::as_bool)
                .unwrap_or(false),
        },
        ["number"] => ColumnKind::Number {
            decimals: match c.pointer("/number/decimalPlaces").and_then(Value::as_str) {
                Some("none") => Some(0),
                Some("one") => Some(1),
                Some("two") => Some(2),
                Some("three") => Some(3),
                Some("four") => Some(4),
                Some("five") => Some(5),
                _ => None,
            },
        },
        ["dateTime"] => ColumnKind::DateTime {
            date_only: c.pointer("/dateTime/format").and_then(Value::as_str) == Some("dateOnly"),
        },
        ["boolean"] => ColumnKind::Boolean,
        _ => {
            return Err(bad_request(&format!(
                "The column '{name}' needs exactly one type: text, number, dateTime or boolean."
            )));
        }
    };
    // `name` is the internal name (the key in item fields); `displayName` what people see.
    let display = c
        .get("displayName")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .unwrap_or(name);
    if display.contains(FORBIDDEN) {
        return Err(bad_request(&format!(
            "The column name '{display}' is not allowed."
        )));
    }
    let mut spec = ColumnSpec::new(display, kind).named(name);
    if c.get("indexed").and_then(Value::as_bool) == Some(true) {
        spec = spec.indexed();
    }
    if c.get("required").and_then(Value::as_bool) == Some(true) {
        spec = spec.required();
    }
    Ok(spec)
}

fn with_status(reply: Reply, status: u16) -> Reply {
    Reply { status, ..reply }
}
