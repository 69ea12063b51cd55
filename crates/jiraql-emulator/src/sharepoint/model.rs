//! The site's content: lists with their columns, list items, and the rules Graph applies when
//! fields are written (value types, read-only and required columns, unique values, date-only
//! normalisation to the site's time zone), plus the demo lists.
//!
//! Stored values are already in Graph's read shape (numbers as JSON numbers, dates as UTC
//! `…Z` strings, multi-choice as arrays); lookups are stored as the target item id.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{Map, Value};

use super::index::Indexes;

mod demo;
#[cfg(test)]
mod tests;
pub(crate) use demo::demo_lists;

/// A list to create (see [`super::SharePointEmulator::create_list`]).
#[derive(Debug, Clone, PartialEq)]
pub struct ListSpec {
    /// The title shown in the UI; `…/lists/{title}` addresses the list by it.
    pub display_name: String,
    /// The URL name (`…/Lists/{name}`), Graph's `list.name`.
    pub name: String,
    pub description: String,
    /// Whether the built-in `Title` column is required (true in a generic list).
    pub title_required: bool,
    /// Columns besides the built-in ones, in display order.
    pub columns: Vec<ColumnSpec>,
}

impl ListSpec {
    /// A generic list whose URL name is the display name without whitespace.
    pub fn new(display_name: &str) -> ListSpec {
        ListSpec {
            display_name: display_name.to_string(),
            name: display_name
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect(),
            description: String::new(),
            title_required: true,
            columns: Vec::new(),
        }
    }

    pub fn column(mut self, column: ColumnSpec) -> ListSpec {
        self.columns.push(column);
        self
    }

    /// Make the built-in `Title` column optional.
    pub fn title_optional(mut self) -> ListSpec {
        self.title_required = false;
        self
    }
}

/// One column. `name` is the internal (static) name: the key in `fields` and in
/// `$filter=fields/<name>`.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnSpec {
    pub name: String,
    pub display_name: String,
    pub description: String,
    pub kind: ColumnKind,
    pub required: bool,
    pub read_only: bool,
    pub indexed: bool,
    pub enforce_unique_values: bool,
    pub hidden: bool,
}

impl ColumnSpec {
    /// A column whose internal name is derived from the display name the way SharePoint does
    /// at creation (`Sprint Name` → `Sprint_x0020_Name`); a clash with a built-in or earlier
    /// column gets a digit appended when the list is created (`Author` → `Author0`).
    pub fn new(display_name: &str, kind: ColumnKind) -> ColumnSpec {
        ColumnSpec {
            name: encode_internal_name(display_name),
            display_name: display_name.to_string(),
            description: String::new(),
            kind,
            required: false,
            read_only: false,
            indexed: false,
            enforce_unique_values: false,
            hidden: false,
        }
    }

    /// Override the internal name (columns created from the modern UI are `field_1`, …).
    pub fn named(mut self, internal_name: &str) -> ColumnSpec {
        self.name = internal_name.to_string();
        self
    }

    pub fn required(mut self) -> ColumnSpec {
        self.required = true;
        self
    }

    pub fn indexed(mut self) -> ColumnSpec {
        self.indexed = true;
        self
    }

    /// Indexed with `enforceUniqueValues` (SharePoint requires the index for uniqueness).
    pub fn unique(mut self) -> ColumnSpec {
        self.indexed = true;
        self.enforce_unique_values = true;
        self
    }

    pub fn read_only(mut self) -> ColumnSpec {
        self.read_only = true;
        self
    }
}

/// A column's type and its facet settings.
#[derive(Debug, Clone, PartialEq)]
pub enum ColumnKind {
    /// Single line (`max_length` enforced, 255 at most in SharePoint) or multiple lines
    /// (`multiline`, no length limit here).
    Text {
        max_length: u32,
        multiline: bool,
    },
    Number {
        decimals: Option<u8>,
    },
    /// `date_only` values are stored as local midnight of the site's time zone, in UTC.
    DateTime {
        date_only: bool,
    },
    Boolean,
    Choice {
        choices: Vec<String>,
        allow_text_entry: bool,
    },
    /// Written as `{"X@odata.type":"Collection(Edm.String)","X":[…]}`, read as an array.
    MultiChoice {
        choices: Vec<String>,
    },
    /// Written as `XLookupId`, read as `XLookupId` (string) plus `X` (the target's Title).
    Lookup {
        list: String,
    },
}

impl ColumnKind {
    /// Single line of text, 255 characters.
    pub fn text() -> ColumnKind {
        ColumnKind::Text {
            max_length: 255,
            multiline: false,
        }
    }

    /// Multiple lines of plain text.
    pub fn note() -> ColumnKind {
        ColumnKind::Text {
            max_length: 0,
            multiline: true,
        }
    }

    pub fn choice(choices: &[&str]) -> ColumnKind {
        ColumnKind::Choice {
            choices: choices.iter().map(|c| c.to_string()).collect(),
            allow_text_entry: false,
        }
    }

    pub fn multi_choice(choices: &[&str]) -> ColumnKind {
        ColumnKind::MultiChoice {
            choices: choices.iter().map(|c| c.to_string()).collect(),
        }
    }
}

/// An item as tests see it: fields by internal name in Graph's read shape, user columns only
/// (no system fields).
#[derive(Debug, Clone, PartialEq)]
pub struct ListItemSnapshot {
    pub id: String,
    /// The Graph eTag, quotes included: `"<guid>,<version>"`.
    pub etag: String,
    pub version: u32,
    pub fields: Map<String, Value>,
}

/// SharePoint's `XmlConvert.EncodeName`: every character outside `[A-Za-z0-9_]` (and a
/// leading digit) becomes `_xHHHH_` with the UTF-16 code unit in lower-case hex.
pub fn encode_internal_name(display_name: &str) -> String {
    let mut out = String::new();
    for (i, c) in display_name.chars().enumerate() {
        let plain = c.is_ascii_alphabetic() || c == '_' || (i > 0 && c.is_ascii_digit());
        if plain {
            out.push(c);
        } else {
            let mut units = [0u16; 2];
            for u in c.encode_utf16(&mut units) {
                out.push_str(&format!("_x{u:04x}_"));
            }
        }
    }
    out
}

/// Who wrote an item: shapes `createdBy`/`lastModifiedBy` and the `*LookupId` fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Principal {
    /// Seed data inserted without HTTP.
    System,
    /// An app-only token (client credentials).
    App,
    /// A delegated token (device code).
    User,
}

impl Principal {
    /// The site user id (User Information List) SharePoint records for the writer.
    pub fn lookup_id(self) -> &'static str {
        match self {
            Principal::System => "1073741823",
            Principal::App => "1073741822",
            Principal::User => "7",
        }
    }
}

pub(crate) struct Item {
    pub id: u64,
    pub guid: String,
    pub version: u32,
    pub created: DateTime<Utc>,
    pub modified: DateTime<Utc>,
    pub author: Principal,
    pub editor: Principal,
    /// User column values by internal name; lookups hold the target id as a number.
    pub values: Map<String, Value>,
    /// Change sequence of the last write (for delta).
    pub seq: u64,
}

impl Item {
    /// `"<guid>,<version>"` with its quotes, as Graph sends it.
    pub fn etag(&self) -> String {
        format!("\"{},{}\"", self.guid, self.version)
    }

    /// Does an `If-Match` value name this item's current version? `*` matches; braces around
    /// the GUID, missing quotes and the GUID's case do not matter (real eTags vary in these).
    pub fn matches_etag(&self, if_match: &str) -> bool {
        let v = if_match.trim();
        if v == "*" {
            return true;
        }
        let v = v.strip_prefix("W/").unwrap_or(v).trim_matches('"');
        let Some((guid, version)) = v.rsplit_once(',') else {
            return false;
        };
        let guid = guid.trim().trim_start_matches('{').trim_end_matches('}');
        guid.eq_ignore_ascii_case(&self.guid) && version.trim() == self.version.to_string()
    }
}

pub(crate) struct List {
    pub id: String,
    pub display_name: String,
    pub name: String,
    pub description: String,
    /// `Title` first, then the spec's columns (internal names made unique).
    pub columns: Vec<ColumnSpec>,
    pub created: DateTime<Utc>,
    pub modified: DateTime<Utc>,
    pub items: BTreeMap<u64, Item>,
    /// Values of the indexed and unique columns, kept with every write.
    pub(crate) indexes: Indexes,
    pub next_id: u64,
    /// Deleted item ids with the change sequence of the delete (for delta).
    pub removed: Vec<(u64, u64)>,
}

impl List {
    pub fn column(&self, name: &str) -> Option<&ColumnSpec> {
        self.columns.iter().find(|c| c.name == name)
    }

    pub fn etag(&self) -> String {
        format!(
            "\"{},{}\"",
            self.id,
            self.items.len() + self.removed.len() + 1
        )
    }
}

/// Built-in columns every generic list has besides Title, all read-only: `(internal name,
/// display name, type facet)`. Their values are computed from item metadata when rendered.
pub(crate) const BUILTIN_COLUMNS: &[(&str, &str, &str)] = &[
    ("ID", "ID", "number"),
    ("ContentType", "Content Type", "text"),
    ("Modified", "Modified", "dateTime"),
    ("Created", "Created", "dateTime"),
    ("Author", "Created By", "personOrGroup"),
    ("Editor", "Modified By", "personOrGroup"),
    ("_UIVersionString", "Version", "text"),
    ("Attachments", "Attachments", "boolean"),
    ("Edit", "Edit", "text"),
    ("LinkTitleNoMenu", "Title", "text"),
    ("LinkTitle", "Title", "text"),
    ("ItemChildCount", "Item Child Count", "lookup"),
    ("FolderChildCount", "Folder Child Count", "lookup"),
    ("_ComplianceFlags", "Label setting", "lookup"),
    ("_ComplianceTag", "Retention label", "lookup"),
    (
        "_ComplianceTagWrittenTime",
        "Retention label Applied",
        "lookup",
    ),
    ("_ComplianceTagUserId", "Label applied by", "lookup"),
    ("AppAuthor", "App Created By", "lookup"),
    ("AppEditor", "App Modified By", "lookup"),
];

/// Field keys that name a built-in column (including the `*LookupId` and lower-case `id`
/// spellings that appear in `fields`).
pub(crate) fn is_builtin_field(key: &str) -> bool {
    let base = key.strip_suffix("LookupId").unwrap_or(key);
    key == "id" || BUILTIN_COLUMNS.iter().any(|(n, _, _)| *n == base)
}

/// Why a field write was refused.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum FieldError {
    Unknown(String),
    ReadOnly(String),
    Required(String),
    /// A value the column cannot hold; the reason goes to the debug log only, because Graph
    /// answers all of these with the same opaque `generalException`.
    BadValue {
        field: String,
        reason: String,
    },
    /// A second item with the same value in an `enforceUniqueValues` column (display name).
    Duplicate(String),
}

/// Everything stored, behind one lock in the server.
pub(crate) struct Store {
    pub lists: Vec<List>,
    rng: ChaCha8Rng,
    /// Change sequence, bumped by every item write and delete.
    pub seq: u64,
    /// Delta tokens older than this answer 410 (see `SharePointFaults::expire_delta_tokens`).
    pub delta_floor: u64,
    pub time_zone: Tz,
    pub enforce_required: bool,
}

impl Store {
    pub fn new(seed: u64, time_zone: Tz, enforce_required: bool) -> Store {
        Store {
            lists: Vec::new(),
            rng: ChaCha8Rng::seed_from_u64(seed),
            seq: 0,
            delta_floor: 0,
            time_zone,
            enforce_required,
        }
    }

    /// A GUID from the seeded generator.
    pub fn guid(&mut self) -> String {
        format_guid(self.rng.random())
    }

    /// Shuffle `0..n` with the seeded generator (batch response order).
    pub fn shuffled(&mut self, n: usize) -> Vec<usize> {
        let mut order: Vec<usize> = (0..n).collect();
        for i in (1..n).rev() {
            let j = self.rng.random_range(0..=i);
            order.swap(i, j);
        }
        order
    }

    pub fn create_list(&mut self, spec: ListSpec) -> String {
        let id = self.guid();
        let mut columns = vec![ColumnSpec {
            required: spec.title_required,
            ..ColumnSpec::new("Title", ColumnKind::text())
        }];
        for mut c in spec.columns {
            let taken = |n: &str, cols: &[ColumnSpec]| {
                is_builtin_field(n) || n == "id" || cols.iter().any(|x| x.name == n)
            };
            if taken(&c.name, &columns) {
                let base = c.name.clone();
                let mut k = 0;
                while taken(&format!("{base}{k}"), &columns) {
                    k += 1;
                }
                c.name = format!("{base}{k}");
            }
            columns.push(c);
        }
        let now = Utc::now();
        let indexes = Indexes::new(&columns);
        self.lists.push(List {
            id: id.clone(),
            display_name: spec.display_name,
            name: spec.name,
            description: spec.description,
            columns,
            created: now,
            modified: now,
            items: BTreeMap::new(),
            indexes,
            next_id: 1,
            removed: Vec::new(),
        });
        id
    }

    /// A list by id (any case), display name or URL name (case-insensitive), as Graph's
    /// `{list-id}` segment accepts.
    pub fn list_index(&self, key: &str) -> Option<usize> {
        let key = key.trim().trim_start_matches('{').trim_end_matches('}');
        self.lists.iter().position(|l| {
            l.id.eq_ignore_ascii_case(key)
                || l.display_name.eq_ignore_ascii_case(key)
                || l.name.eq_ignore_ascii_case(key)
        })
    }

    /// Check and normalise a write. `existing` is `None` on create. Returns the values to
    /// merge into the item.
    pub fn validate(
        &self,
        list: usize,
        input: &Map<String, Value>,
        existing: Option<u64>,
    ) -> Result<Map<String, Value>, FieldError> {
        let l = &self.lists[list];
        let mut out = Map::new();
        for (key, value) in input {
            if let Some(base) = key.strip_suffix("@odata.type") {
                // An annotation travels with its field; it must name one.
                if !input.contains_key(base) {
                    return Err(FieldError::Unknown(key.clone()));
                }
                continue;
            }
            if key.starts_with("@odata.") {
                continue;
            }
            let annotation = input
                .get(&format!("{key}@odata.type"))
                .and_then(Value::as_str);
            let lookup = key.strip_suffix("LookupId").and_then(|b| {
                l.column(b)
                    .filter(|c| matches!(c.kind, ColumnKind::Lookup { .. }))
            });
            let column = match (lookup, l.column(key)) {
                (Some(c), _) => c,
                (None, Some(c)) if !matches!(c.kind, ColumnKind::Lookup { .. }) => c,
                _ if is_builtin_field(key) => return Err(FieldError::ReadOnly(key.clone())),
                _ => return Err(FieldError::Unknown(key.clone())),
            };
            if column.read_only {
                return Err(FieldError::ReadOnly(key.clone()));
            }
            let v =
                self.coerce(column, value, annotation)
                    .map_err(|reason| FieldError::BadValue {
                        field: key.clone(),
                        reason,
                    })?;
            out.insert(column.name.clone(), v);
        }
        if existing.is_none() && self.enforce_required {
            for c in l.columns.iter().filter(|c| c.required) {
                let empty = match out.get(&c.name) {
                    None | Some(Value::Null) => true,
                    Some(Value::String(s)) => s.is_empty(),
                    Some(Value::Array(a)) => a.is_empty(),
                    Some(_) => false,
                };
                if empty {
                    return Err(FieldError::Required(c.name.clone()));
                }
            }
        }
        for c in l.columns.iter().filter(|c| c.enforce_unique_values) {
            let Some(v) = out.get(&c.name).filter(|v| !v.is_null()) else {
                continue;
            };
            let holds = |it: &Item| {
                Some(it.id) != existing && it.values.get(&c.name).is_some_and(|x| same(x, v))
            };
            let clash = match l.indexes.equal_to(&c.name, v) {
                Some(ids) => ids.iter().filter_map(|id| l.items.get(id)).any(holds),
                None => l.items.values().any(holds),
            };
            if clash {
                return Err(FieldError::Duplicate(c.display_name.clone()));
            }
        }
        Ok(out)
    }

    fn coerce(
        &self,
        column: &ColumnSpec,
        value: &Value,
        annotation: Option<&str>,
    ) -> Result<Value, String> {
        if value.is_null() {
            return Ok(Value::Null);
        }
        match &column.kind {
            ColumnKind::Text {
                max_length,
                multiline,
            } => {
                let s = value.as_str().ok_or("text column given a non-string")?;
                let len = s.chars().count();
                if !multiline && len > *max_length as usize {
                    return Err(format!("{len} characters exceed maxLength {max_length}"));
                }
                Ok(value.clone())
            }
            ColumnKind::Number { .. } => {
                if value.is_number() {
                    Ok(value.clone())
                } else {
                    Err("number column given a non-number".into())
                }
            }
            ColumnKind::Boolean => {
                if value.is_boolean() {
                    Ok(value.clone())
                } else {
                    Err("boolean column given a non-boolean".into())
                }
            }
            ColumnKind::DateTime { date_only } => {
                let s = value.as_str().ok_or("dateTime column given a non-string")?;
                let t = parse_datetime(s, self.time_zone)
                    .ok_or_else(|| format!("'{s}' is not an ISO-8601 date"))?;
                let t = if *date_only {
                    local_midnight(
                        t.with_timezone(&self.time_zone).date_naive(),
                        self.time_zone,
                    )
                } else {
                    t
                };
                Ok(Value::String(format_time(t)))
            }
            ColumnKind::Choice {
                choices,
                allow_text_entry,
            } => {
                let s = value.as_str().ok_or("choice column given a non-string")?;
                if !allow_text_entry && !choices.iter().any(|c| c == s) {
                    return Err(format!("'{s}' is not one of the column's choices"));
                }
                Ok(value.clone())
            }
            ColumnKind::MultiChoice { choices } => {
                if annotation != Some("Collection(Edm.String)") {
                    return Err(
                        "multi-choice value without @odata.type Collection(Edm.String)".into(),
                    );
                }
                let values = value
                    .as_array()
                    .ok_or("multi-choice value is not an array")?;
                for v in values {
                    let s = v.as_str().ok_or("multi-choice element is not a string")?;
                    if !choices.iter().any(|c| c == s) {
                        return Err(format!("'{s}' is not one of the column's choices"));
                    }
                }
                Ok(value.clone())
            }
            ColumnKind::Lookup { list } => {
                let id = match value {
                    Value::Number(n) => n.as_u64(),
                    Value::String(s) => s.trim().parse::<u64>().ok(),
                    _ => None,
                }
                .ok_or("lookup id is not an integer")?;
                let exists = self
                    .list_index(list)
                    .is_some_and(|t| self.lists[t].items.contains_key(&id));
                if !exists {
                    return Err(format!("lookup target {id} does not exist in '{list}'"));
                }
                Ok(Value::from(id))
            }
        }
    }

    /// Store a new item; the caller validated `values`.
    pub fn insert(&mut self, list: usize, values: Map<String, Value>, by: Principal) -> u64 {
        let guid = self.guid();
        self.seq += 1;
        let seq = self.seq;
        let now = Utc::now();
        let l = &mut self.lists[list];
        let id = l.next_id;
        l.next_id += 1;
        l.modified = now;
        let values = values.into_iter().filter(|(_, v)| !v.is_null()).collect();
        l.indexes.add(id, &values);
        l.items.insert(
            id,
            Item {
                id,
                guid,
                version: 1,
                created: now,
                modified: now,
                author: by,
                editor: by,
                values,
                seq,
            },
        );
        id
    }

    /// Merge validated values into an item and bump its version.
    pub fn update(&mut self, list: usize, id: u64, values: Map<String, Value>, by: Principal) {
        self.seq += 1;
        let seq = self.seq;
        let l = &mut self.lists[list];
        let now = Utc::now();
        l.modified = now;
        if let Some(item) = l.items.get_mut(&id) {
            l.indexes.remove(id, &item.values);
            for (k, v) in values {
                if v.is_null() {
                    item.values.remove(&k);
                } else {
                    item.values.insert(k, v);
                }
            }
            item.version += 1;
            item.modified = now;
            item.editor = by;
            item.seq = seq;
            l.indexes.add(id, &item.values);
        }
    }

    pub fn delete(&mut self, list: usize, id: u64) {
        self.seq += 1;
        let seq = self.seq;
        let l = &mut self.lists[list];
        if let Some(item) = l.items.remove(&id) {
            l.indexes.remove(id, &item.values);
            l.removed.push((id, seq));
            l.modified = Utc::now();
        }
    }

    /// User column values in Graph's read shape (lookups as `XLookupId` string + `X` title).
    pub fn user_fields(&self, list: usize, item: &Item) -> Map<String, Value> {
        let l = &self.lists[list];
        let mut out = Map::new();
        for c in &l.columns {
            let Some(v) = item.values.get(&c.name) else {
                continue;
            };
            if let ColumnKind::Lookup { list: target } = &c.kind {
                let id = v.as_u64().unwrap_or_default();
                let title = self
                    .list_index(target)
                    .and_then(|t| self.lists[t].items.get(&id))
                    .and_then(|it| it.values.get("Title"))
                    .cloned()
                    .unwrap_or(Value::String(String::new()));
                out.insert(c.name.clone(), title);
                out.insert(format!("{}LookupId", c.name), Value::String(id.to_string()));
            } else {
                out.insert(c.name.clone(), v.clone());
            }
        }
        out
    }

    pub fn snapshot(&self, list: usize) -> Vec<ListItemSnapshot> {
        self.lists[list]
            .items
            .values()
            .map(|it| ListItemSnapshot {
                id: it.id.to_string(),
                etag: it.etag(),
                version: it.version,
                fields: self.user_fields(list, it),
            })
            .collect()
    }
}

/// 128 bits as a lower-case GUID (`8-4-4-4-12`).
pub(crate) fn format_guid(v: u128) -> String {
    let h = format!("{v:032x}");
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// A random (unseeded) GUID: request, trace and correlation ids.
pub(crate) fn random_guid() -> String {
    format_guid(rand::rng().random())
}

/// Values equal for uniqueness: text compares case-insensitively, as SharePoint does.
pub(crate) fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::String(x), Value::String(y)) => x.to_lowercase() == y.to_lowercase(),
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        _ => a == b,
    }
}

/// ISO-8601 as Graph accepts it: with an offset or `Z`, without one (taken as UTC), or a bare
/// date (local midnight of the site).
pub(crate) fn parse_datetime(s: &str, tz: Tz) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    if let Ok(t) = NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f") {
        return Some(t.and_utc());
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .map(|d| local_midnight(d, tz))
}

/// Midnight of `date` in `tz`, in UTC (the earliest instant when DST makes it ambiguous).
fn local_midnight(date: NaiveDate, tz: Tz) -> DateTime<Utc> {
    let naive = date.and_time(NaiveTime::MIN);
    tz.from_local_datetime(&naive)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| naive.and_utc())
}

/// `2026-03-02T11:39:51Z`: whole seconds, as Graph renders dates.
pub(crate) fn format_time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}
