//! The Jira emulator's answers conform to Atlassian's published OpenAPI spec.
//!
//! For every covered operation this test sends a real HTTP request (Basic auth, as the engine
//! does) to a running [`JiraEmulator`] and validates the JSON body against the response schema
//! that the Jira Cloud platform spec (`jira-platform.v3.json`, OpenAPI 3.0) declares for that
//! operation: `paths[path][method].responses["200"].content["application/json"].schema`. The
//! schema is looked up in the spec, not hard-coded, so the test follows the spec.
//!
//! What it proves, per operation: the status is the documented one, the body is JSON, and the
//! body satisfies the schema (types, required members, `additionalProperties: false`, enums,
//! formats), with every `$ref` into `#/components/schemas` resolved.
//!
//! Where the test reads the spec other than literally (each narrow, documented at its item):
//!
//! * OpenAPI 3.0 is not quite JSON Schema; [`openapi_to_json_schema`] translates `nullable`.
//! * `format: date-time` accepts Jira's real timestamp form (`+0000` offsets), see
//!   [`jira_date_time`].
//! * `IssueBean.fields` is a free-form map in the spec, which would let any field shape through.
//!   [`EMBEDDED_FIELDS`] validates the embedded values the engine reads (worklog, comment,
//!   status, assignee) against the component the spec defines for the same object elsewhere.
//!   The spec's *examples* show embedded `worklog`/`comment` as bare arrays, but real Jira sends
//!   paged objects (`/work/shared/reference/jira-api.md` §1.1, §9), so schemas, never
//!   examples, are used.
//! * Two properties that the spec's own examples show but its schemas forbid are added, see
//!   [`SPEC_PATCHES`]; four `ChangeDetails` members Jira sends as `null` are made nullable, see
//!   [`NULLABLE_PATCHES`].
//! * The Agile operations are checked against the Jira Software spec ([`AGILE_SPEC`]). Where
//!   it gives an operation only an example and no schema, the test says what it uses instead
//!   at the test (`sprint/{sprintId}/issue`, `board/{boardId}/epic`).
//!
//! The specs are read from `$JIRA_OPENAPI_SPEC`, or `/work/shared/specs/jira-platform.v3.json`,
//! and `$JIRA_SOFTWARE_OPENAPI_SPEC`, or `/work/shared/specs/jira-software.v3.json`. A missing
//! spec fails the test rather than skipping it.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

use jiraql_emulator::{JiraEmulator, JiraEmulatorConfig};
use jsonschema::{Draft, Validator};
use reqwest::header::CONTENT_TYPE;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

mod clients;
mod issues;
mod lookups;
mod site;
mod tables;
mod writes;

use site::*;

const DEFAULT_SPEC: &str = "/work/shared/specs/jira-platform.v3.json";
const DEFAULT_AGILE_SPEC: &str = "/work/shared/specs/jira-software.v3.json";

/// Fields requested from `search/jql`, as the engine requests them.
const SEARCH_FIELDS: [&str; 10] = [
    "summary",
    "status",
    "assignee",
    "worklog",
    "comment",
    "description",
    "created",
    "duedate",
    "customfield_10016",
    "customfield_10020",
];

/// Embedded issue fields and the spec component each must satisfy.
///
/// The spec types `IssueBean.fields` as `additionalProperties: {}`, i.e. anything goes, so the
/// spec alone cannot check what is inside an issue. Each entry maps a field to the component
/// the spec itself uses for the same object:
///
/// * `worklog` → `PageOfWorklogs`, the body of `GET /issue/{key}/worklog`; real Jira embeds
///   exactly that page (`{startAt,maxResults,total,worklogs}`), truncated to 20.
/// * `comment` → `PageOfComments`, the body of `GET /issue/{key}/comment`; same reasoning.
/// * `status` → `StatusDetails`, the element type of `GET /status`.
/// * `assignee` → `UserDetails`, the type of every embedded user in the spec
///   (`Worklog.author`, `Comment.author`, `Changelog.author`, ...).
///
/// An empty field is sent as `null` by Jira; `null` is not checked against the component.
const EMBEDDED_FIELDS: [(&str, &str); 4] = [
    ("worklog", "PageOfWorklogs"),
    ("comment", "PageOfComments"),
    ("status", "StatusDetails"),
    ("assignee", "UserDetails"),
];

/// Embedded issue fields holding arrays, and the spec component of each element:
/// `attachment` → `Attachment`, the spec's type for an attachment as an issue carries it
/// (string `id`, unlike `AttachmentMetadata` of `GET /attachment/{id}`). Links in `issuelinks`
/// carry only one end each, so they are checked by [`link_violations`] instead.
const EMBEDDED_ARRAYS: [(&str, &str); 1] = [("attachment", "Attachment")];

/// Properties the spec's schemas omit although the spec's own examples for the same schema
/// show them, under `additionalProperties: false`. The spec contradicts itself there; the
/// examples are taken to show what Jira sends. Each entry's property is added to its
/// component and nothing else is relaxed. [`spec_patches_are_backed_by_spec_examples`] checks
/// that every example still shows its property, and loading the spec fails once the spec
/// defines the property itself (then the entry is to be dropped).
///
/// * `ServerInformation.defaultLocale`: the `getServerInfo` example has
///   `"defaultLocale":{"locale":"en_AU"}`.
/// * `FieldDetails.untranslatedName`: the `createCustomField` example (201, `FieldDetails`)
///   has `"untranslatedName":"New custom field"`, on a custom field as served by `getFields`.
const SPEC_PATCHES: [SpecPatch; 2] = [
    SpecPatch {
        component: "ServerInformation",
        property: "defaultLocale",
        schema: r#"{"type": "object", "properties": {"locale": {"type": "string"}}}"#,
        example: ("GET", "/rest/api/3/serverInfo", 200),
    },
    SpecPatch {
        component: "FieldDetails",
        property: "untranslatedName",
        schema: r#"{"type": "string"}"#,
        example: ("POST", "/rest/api/3/field", 201),
    },
];

/// `ChangeDetails` members that Jira sends as `null` for an empty end of a change (no previous
/// assignee, no resolution yet), which the spec types as plain `string` under
/// `additionalProperties: false`. `from`/`to` are `null` in the spec's own `getChangeLogs`
/// example (checked by [`spec_patches_are_backed_by_spec_examples`]); `fromString`/`toString`
/// are `null` beside them in captures of real Cloud answers (e.g. an assignment from nobody:
/// `"from":null,"fromString":null,"to":"6239…","toString":"hien thanh"`), while the example
/// happens to show a label change with `"fromString":""`. Loading the spec fails once a member
/// is nullable there (then the entry is to be dropped).
const NULLABLE_PATCHES: [NullablePatch; 4] = [
    NullablePatch {
        component: "ChangeDetails",
        property: "from",
        example: Some(("GET", "/rest/api/3/issue/{issueIdOrKey}/changelog", 200)),
    },
    NullablePatch {
        component: "ChangeDetails",
        property: "to",
        example: Some(("GET", "/rest/api/3/issue/{issueIdOrKey}/changelog", 200)),
    },
    NullablePatch {
        component: "ChangeDetails",
        property: "fromString",
        example: None,
    },
    NullablePatch {
        component: "ChangeDetails",
        property: "toString",
        example: None,
    },
];

/// One [`NULLABLE_PATCHES`] entry.
struct NullablePatch {
    component: &'static str,
    property: &'static str,
    /// The operation whose published example shows the property as `null`, if one does.
    example: Option<(&'static str, &'static str, u16)>,
}

/// One [`SPEC_PATCHES`] entry.
struct SpecPatch {
    component: &'static str,
    property: &'static str,
    /// The property's schema (JSON Schema text).
    schema: &'static str,
    /// The operation whose published example shows the property: method, path, status.
    example: (&'static str, &'static str, u16),
}

/// A spec, loaded once per test binary.
struct Spec {
    /// `paths` as published.
    paths: Value,
    /// `components.schemas` translated to JSON Schema, under the same pointer
    /// (`#/components/schemas/...`) so that the spec's `$ref`s resolve inside one document.
    components: Value,
    /// Compiled validators by schema text: compiling checks the whole components document.
    validators: Mutex<HashMap<String, Arc<Validator>>>,
}

/// The platform spec, loaded once per test binary.
static SPEC: LazyLock<Spec> = LazyLock::new(|| {
    Spec::load(
        "JIRA_OPENAPI_SPEC",
        DEFAULT_SPEC,
        &SPEC_PATCHES,
        &NULLABLE_PATCHES,
    )
});

/// The Jira Software (Agile) spec, unpatched.
static AGILE_SPEC: LazyLock<Spec> =
    LazyLock::new(|| Spec::load("JIRA_SOFTWARE_OPENAPI_SPEC", DEFAULT_AGILE_SPEC, &[], &[]));

impl Spec {
    /// Reads the spec at `$env` (or `default`), translates its components to JSON Schema and
    /// applies the patches.
    fn load(env: &str, default: &str, patches: &[SpecPatch], nullable: &[NullablePatch]) -> Spec {
        let path = std::env::var(env).unwrap_or_else(|_| default.to_string());
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read the Jira OpenAPI spec at {path}: {e}"));
        let mut spec: Value = serde_json::from_str(&text).expect("the spec is JSON");
        assert!(
            spec["openapi"]
                .as_str()
                .is_some_and(|v| v.starts_with("3.0")),
            "expected an OpenAPI 3.0 document, got openapi = {}",
            spec["openapi"]
        );
        let mut schemas = spec["components"]["schemas"].take();
        let Some(map) = schemas.as_object_mut() else {
            panic!("the spec has no components.schemas");
        };
        for schema in map.values_mut() {
            openapi_to_json_schema(schema);
        }
        for SpecPatch {
            component,
            property,
            schema,
            ..
        } in patches
        {
            let properties = properties_of(map, component);
            assert!(
                !properties.contains_key(*property),
                "the spec now defines {component}.{property}: drop its entry from SPEC_PATCHES"
            );
            let schema = serde_json::from_str(schema).expect("patch schemas are JSON");
            properties.insert(property.to_string(), schema);
        }
        for NullablePatch {
            component,
            property,
            ..
        } in nullable
        {
            let properties = properties_of(map, component);
            let Some(Value::String(ty)) = properties.get(*property).map(|p| p["type"].clone())
            else {
                panic!(
                    "{component}.{property} is no longer a plain typed member (nullable now?): \
                     review its entry in NULLABLE_PATCHES"
                );
            };
            properties[*property]["type"] = json!([ty, "null"]);
        }
        Spec {
            paths: spec["paths"].take(),
            components: json!({ "schemas": schemas }),
            validators: Mutex::default(),
        }
    }
}

/// The (translated) `properties` of component `name`.
fn properties_of<'a>(
    schemas: &'a mut serde_json::Map<String, Value>,
    name: &str,
) -> &'a mut serde_json::Map<String, Value> {
    schemas
        .get_mut(name)
        .and_then(|c| c.get_mut("properties"))
        .and_then(Value::as_object_mut)
        .unwrap_or_else(|| panic!("the spec has no component {name} with properties"))
}

/// Rewrites one OpenAPI 3.0 Schema Object, recursively and in place, into JSON Schema draft 4,
/// the dialect OpenAPI 3.0 is derived from.
///
/// * `nullable: true` is not a JSON Schema keyword, so a validator would ignore it and reject
///   `null`. On a plain typed node, `type: X` becomes `type: [X, "null"]`, and `null` joins
///   `enum` if there is one (`enum` is checked independently of `type`). On a node that is or
///   contains a `$ref`, `allOf`, `anyOf`, `oneOf` or `not`, whose members would still reject
///   `null`, the node becomes `{"anyOf": [<node>, {"type": "null"}]}`. `nullable` is removed.
/// * Everything else is left alone. `example`, `discriminator`, `xml`, `readOnly`, `writeOnly`,
///   `deprecated` and `externalDocs` are annotations that draft 4 ignores as unknown keywords,
///   and so are OpenAPI-only formats (`int32`, `int64`, `double`, ...). Siblings of `$ref` are
///   ignored by OpenAPI 3.0 and draft 4 alike.
///
/// Only schema positions are visited (`properties` values, `additionalProperties`, `items`,
/// `allOf`/`anyOf`/`oneOf` members, `not`). Property *names* such as `type` or `nullable`, and
/// literal data under `example`, `default` or `enum`, are never rewritten.
fn openapi_to_json_schema(schema: &mut Value) {
    let Some(node) = schema.as_object_mut() else {
        return; // `true`/`false` schemas (e.g. `additionalProperties: false`)
    };
    if let Some(Value::Object(properties)) = node.get_mut("properties") {
        properties.values_mut().for_each(openapi_to_json_schema);
    }
    for key in ["additionalProperties", "items", "not"] {
        if let Some(sub) = node.get_mut(key) {
            openapi_to_json_schema(sub);
        }
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        if let Some(Value::Array(members)) = node.get_mut(key) {
            members.iter_mut().for_each(openapi_to_json_schema);
        }
    }
    if node.remove("nullable") != Some(Value::Bool(true)) {
        return;
    }
    let composite = ["$ref", "allOf", "anyOf", "oneOf", "not"]
        .iter()
        .any(|k| node.contains_key(*k));
    if composite {
        let inner = Value::Object(std::mem::take(node));
        *schema = json!({ "anyOf": [inner, { "type": "null" }] });
        return;
    }
    match node.get_mut("type") {
        Some(Value::String(t)) => {
            let t = std::mem::take(t);
            node.insert("type".into(), json!([t, "null"]));
        }
        Some(Value::Array(types)) if !types.contains(&json!("null")) => types.push(json!("null")),
        _ => {}
    }
    if let Some(Value::Array(values)) = node.get_mut("enum")
        && !values.contains(&Value::Null)
    {
        values.push(Value::Null);
    }
}

/// The `date-time` format as Jira really writes it.
///
/// The spec declares timestamps `format: date-time` (RFC 3339), but Jira Cloud sends them as
/// `2021-01-17T12:34:00.000+0000`: the UTC offset has no colon, which RFC 3339 does not allow.
/// The spec's own examples use that form (e.g. `"created":"2022-10-06T07:32:47.000+0000"` in
/// the `getIssue` example), so it is a spec inaccuracy, not an emulator bug. This check accepts
/// RFC 3339 or exactly Jira's `yyyy-MM-dd'T'HH:mm:ss.SSSZ` form, and nothing else.
fn jira_date_time(text: &str) -> bool {
    chrono::DateTime::parse_from_rfc3339(text).is_ok() || is_jira_timestamp(text)
}

/// `2021-01-17T12:34:00.000+0000`: milliseconds and a `±hhmm` offset, nothing more or less.
fn is_jira_timestamp(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 28
        && matches!(b[23], b'+' | b'-')
        && b[24..].iter().all(u8::is_ascii_digit)
        && b[19] == b'.'
        && chrono::DateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.3f%z").is_ok()
}

impl Spec {
    /// The schema of `responses[status].content["application/json"]` of one operation.
    fn response_schema(&self, method: &Method, template: &str, status: u16) -> &Value {
        let op = &self.paths[template][method.as_str().to_ascii_lowercase()];
        assert!(
            op.is_object(),
            "the spec has no operation {method} {template}"
        );
        let schema = &op["responses"][status.to_string()]["content"]["application/json"]["schema"];
        assert!(
            schema.is_object(),
            "the spec declares no application/json {status} body for {method} {template}"
        );
        schema
    }

    /// The schema of `requestBody.content["application/json"]` of one operation.
    fn request_schema(&self, method: &Method, template: &str) -> &Value {
        let op = &self.paths[template][method.as_str().to_ascii_lowercase()];
        let schema = &op["requestBody"]["content"]["application/json"]["schema"];
        assert!(
            schema.is_object(),
            "the spec declares no application/json request body for {method} {template}"
        );
        schema
    }

    /// The published JSON example of one response, parsed.
    fn example(&self, method: &Method, template: &str, status: u16) -> Value {
        let op = &self.paths[template][method.as_str().to_ascii_lowercase()];
        let text = op["responses"][status.to_string()]["content"]["application/json"]["example"]
            .as_str()
            .unwrap_or_else(|| panic!("{method} {template} {status} has no example"));
        serde_json::from_str(text).expect("the example is JSON")
    }

    /// `{"$ref": "#/components/schemas/<name>"}`, after checking that the component exists.
    fn component(&self, name: &str) -> Value {
        assert!(
            self.components["schemas"][name].is_object(),
            "the spec has no component schema {name}"
        );
        json!({ "$ref": format!("#/components/schemas/{name}") })
    }

    /// A validator for `schema` (a Schema Object from the spec, e.g. `{"$ref": ...}` or an array
    /// of refs), compiled as the root of a document that also carries the translated
    /// `components`, so that local `$ref`s resolve.
    fn validator(&self, schema: &Value) -> Arc<Validator> {
        let key = schema.to_string();
        if let Some(v) = self.lock().get(&key) {
            return v.clone();
        }
        let mut root = schema.clone();
        openapi_to_json_schema(&mut root);
        // A `nullable` root would have become `anyOf`; either way the root is an object.
        root.as_object_mut()
            .expect("a Schema Object")
            .insert("components".into(), self.components.clone());
        let validator = jsonschema::options()
            .with_draft(Draft::Draft4)
            .should_validate_formats(true)
            .with_format("date-time", jira_date_time)
            .build(&root)
            .unwrap_or_else(|e| panic!("schema {schema} does not compile: {e}"));
        let validator = Arc::new(validator);
        self.lock().insert(key, validator.clone());
        validator
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<Validator>>> {
        self.validators.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Every validation error of `instance`, one per line, with its instance path (prefixed by
/// `prefix`, the location of `instance` inside the response body), the schema path through
/// the `$ref`s, the message and a short rendering of the offending value.
fn violations(validator: &Validator, instance: &Value, prefix: &str) -> Vec<String> {
    validator
        .iter_errors(instance)
        .map(|e| {
            let path = format!("{prefix}{}", e.instance_path());
            let path = if path.is_empty() {
                "(root)".to_string()
            } else {
                path
            };
            let value = short(e.instance(), 160);
            format!(
                "  at {path}: {}\n      schema: {}\n      value:  {value}",
                e.masked(),
                e.evaluation_path()
            )
        })
        .collect()
}

/// `value` as JSON text, cut to about `max` bytes.
fn short(value: &Value, max: usize) -> String {
    let mut text = value.to_string();
    if text.len() > max {
        let cut = text.floor_char_boundary(max);
        text.truncate(cut);
        text.push('…');
    }
    text
}
