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

use jiraql::emulator::{JiraEmulator, JiraEmulatorConfig};
use jsonschema::{Draft, Validator};
use reqwest::header::CONTENT_TYPE;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

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

/// A running emulator and a client for it.
struct Site {
    jira: JiraEmulator,
    http: reqwest::Client,
}

/// One HTTP answer.
struct Answer {
    what: String,
    status: StatusCode,
    content_type: String,
    body: Value,
}

impl Site {
    async fn start() -> Self {
        let jira = JiraEmulator::start(JiraEmulatorConfig {
            issues: 200,
            ..Default::default()
        })
        .await
        .expect("emulator starts");
        Site {
            jira,
            http: reqwest::Client::new(),
        }
    }

    /// Sends `method path` with `query` and an optional JSON body, authenticated with Basic auth.
    async fn call(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, &str)],
        body: Option<&Value>,
    ) -> Answer {
        let config = self.jira.config();
        let mut request = self
            .http
            .request(method.clone(), format!("{}{path}", self.jira.base_url()))
            .basic_auth(&config.email, Some(&config.api_token))
            .query(query);
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request
            .send()
            .await
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        let status = response.status();
        let content_type = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let text = response.text().await.expect("body");
        let what = if query.is_empty() {
            format!("{method} {path}")
        } else {
            let q: Vec<String> = query.iter().map(|(k, v)| format!("{k}={v}")).collect();
            format!("{method} {path}?{}", q.join("&"))
        };
        let body = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{what} → {status}: body is not JSON ({e}): {text:.300}"));
        Answer {
            what,
            status,
            content_type,
            body,
        }
    }
}

impl Answer {
    /// Asserts the status and a JSON content type.
    fn expect_status(&self, status: StatusCode) {
        assert_eq!(
            self.status,
            status,
            "{} answered {} instead of {status}: {}",
            self.what,
            self.status,
            short(&self.body, 500)
        );
        assert!(
            self.content_type.starts_with("application/json"),
            "{} answered with Content-Type {:?}, not application/json",
            self.what,
            self.content_type
        );
    }

    /// Asserts that the body satisfies `schema` (a Schema Object from the spec); `label` names
    /// the schema in the failure message.
    fn expect_valid(&self, label: &str, schema: &Value) {
        self.expect_valid_in(&SPEC, label, schema);
    }

    /// [`Self::expect_valid`] against a schema of `spec`.
    fn expect_valid_in(&self, spec: &Spec, label: &str, schema: &Value) {
        let errors = violations(&spec.validator(schema), &self.body, "");
        assert!(
            errors.is_empty(),
            "{} → {}: the body does not match {label} ({} errors):\n{}",
            self.what,
            self.status,
            errors.len(),
            errors.join("\n")
        );
    }

    /// Asserts the documented 200 of operation `method template` and that the body matches the
    /// schema the spec declares for it.
    fn expect_operation(&self, method: Method, template: &str) {
        self.expect_operation_in(&SPEC, method, template);
    }

    /// [`Self::expect_operation`] for an operation of `spec`.
    fn expect_operation_in(&self, spec: &Spec, method: Method, template: &str) {
        self.expect_status(StatusCode::OK);
        let schema = spec.response_schema(&method, template, 200);
        self.expect_valid_in(
            spec,
            &format!("{method} {template} 200 schema {schema}"),
            schema,
        );
    }
}

/// Checks the embedded fields of `issue` (at `prefix` in the body) against
/// [`EMBEDDED_FIELDS`]; returns the violations.
fn embedded_violations(issue: &Value, prefix: &str) -> Vec<String> {
    let Some(fields) = issue.get("fields").and_then(Value::as_object) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (field, component) in EMBEDDED_ARRAYS {
        let validator = SPEC.validator(&SPEC.component(component));
        for (k, item) in fields
            .get(field)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            let at = format!("{prefix}/fields/{field}/{k}");
            out.extend(
                violations(&validator, item, &at)
                    .into_iter()
                    .map(|v| format!("{v}\n      (embedded {field} item vs {component})")),
            );
        }
    }
    for (k, link) in fields
        .get("issuelinks")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        out.extend(link_violations(
            link,
            &format!("{prefix}/fields/issuelinks/{k}"),
        ));
    }
    for (field, component) in EMBEDDED_FIELDS {
        match fields.get(field) {
            None | Some(Value::Null) => {}
            Some(value) => {
                let validator = SPEC.validator(&SPEC.component(component));
                let at = format!("{prefix}/fields/{field}");
                out.extend(
                    violations(&validator, value, &at)
                        .into_iter()
                        .map(|v| format!("{v}\n      (embedded {field} vs {component})")),
                );
            }
        }
    }
    out
}

/// An embedded issue link: `IssueLink` declares both ends required, but inside an issue each
/// link carries exactly one (reference §3; the spec's own `getIssue` example has links with
/// only `outwardIssue` or `inwardIssue`). So: exactly one end, which must be a `LinkedIssue`;
/// `type` an `IssueLinkType`; no member `IssueLink` lacks.
fn link_violations(link: &Value, at: &str) -> Vec<String> {
    let mut out = Vec::new();
    let ends: Vec<&str> = ["inwardIssue", "outwardIssue"]
        .into_iter()
        .filter(|e| link.get(*e).is_some())
        .collect();
    if ends.len() != 1 {
        out.push(format!(
            "  at {at}: an embedded link must carry exactly one end, has {ends:?}"
        ));
    }
    if let Some(m) = link.as_object() {
        for k in m.keys() {
            if !["id", "self", "type", "inwardIssue", "outwardIssue"].contains(&k.as_str()) {
                out.push(format!("  at {at}: IssueLink has no member {k}"));
            }
        }
    }
    let checks = [("type", "IssueLinkType")]
        .into_iter()
        .chain(ends.iter().map(|e| (*e, "LinkedIssue")));
    for (member, component) in checks {
        let validator = SPEC.validator(&SPEC.component(component));
        out.extend(violations(
            &validator,
            &link[member],
            &format!("{at}/{member}"),
        ));
    }
    out
}

fn assert_embedded(answer: &Answer, issues: &[(String, &Value)]) {
    let errors: Vec<String> = issues
        .iter()
        .flat_map(|(prefix, issue)| embedded_violations(issue, prefix))
        .collect();
    assert!(
        errors.is_empty(),
        "{}: embedded fields do not match their spec components ({} errors):\n{}",
        answer.what,
        errors.len(),
        errors.join("\n")
    );
}

/// The issues of a `search/jql` page, checked for the requested fields, with their locations.
fn search_issues(answer: &Answer) -> Vec<(String, &Value)> {
    let issues = answer.body["issues"]
        .as_array()
        .unwrap_or_else(|| panic!("{}: no issues array", answer.what));
    assert!(
        !issues.is_empty() && issues.len() <= 5,
        "{}: expected 1..=5 issues of project DEMO, got {}",
        answer.what,
        issues.len()
    );
    for issue in issues {
        // Requested fields are answered even when empty; without them the embedded check
        // below would pass vacuously.
        for field in ["summary", "status", "worklog", "comment"] {
            assert!(
                issue["fields"].get(field).is_some(),
                "{}: issue {} lacks requested field {field}",
                answer.what,
                issue["key"]
            );
        }
    }
    issues
        .iter()
        .enumerate()
        .map(|(i, issue)| (format!("/issues/{i}"), issue))
        .collect()
}

#[tokio::test]
async fn search_jql_post_matches_spec() {
    let site = Site::start().await;
    let body = json!({ "jql": "project = DEMO", "fields": SEARCH_FIELDS, "maxResults": 5 });
    let answer = site
        .call(Method::POST, "/rest/api/3/search/jql", &[], Some(&body))
        .await;
    answer.expect_operation(Method::POST, "/rest/api/3/search/jql");
    assert_embedded(&answer, &search_issues(&answer));
}

#[tokio::test]
async fn search_jql_get_matches_spec() {
    let site = Site::start().await;
    let fields = SEARCH_FIELDS.join(",");
    let query = [
        ("jql", "project = DEMO"),
        ("fields", fields.as_str()),
        ("maxResults", "5"),
    ];
    let answer = site
        .call(Method::GET, "/rest/api/3/search/jql", &query, None)
        .await;
    answer.expect_operation(Method::GET, "/rest/api/3/search/jql");
    assert_embedded(&answer, &search_issues(&answer));
}

#[tokio::test]
async fn get_issue_matches_spec() {
    let site = Site::start().await;
    let answer = site
        .call(Method::GET, "/rest/api/3/issue/DEMO-7", &[], None)
        .await;
    answer.expect_operation(Method::GET, "/rest/api/3/issue/{issueIdOrKey}");
    assert_eq!(answer.body["key"], "DEMO-7");
    assert_embedded(&answer, &[(String::new(), &answer.body)]);
}

#[tokio::test]
async fn issue_worklogs_match_spec() {
    let site = Site::start().await;
    let answer = site
        .call(Method::GET, "/rest/api/3/issue/DEMO-7/worklog", &[], None)
        .await;
    answer.expect_operation(Method::GET, "/rest/api/3/issue/{issueIdOrKey}/worklog");
}

#[tokio::test]
async fn updated_worklogs_match_spec() {
    let site = Site::start().await;
    let answer = site
        .call(
            Method::GET,
            "/rest/api/3/worklog/updated",
            &[("since", "0")],
            None,
        )
        .await;
    answer.expect_operation(Method::GET, "/rest/api/3/worklog/updated");
    assert!(
        answer.body["values"]
            .as_array()
            .is_some_and(|v| !v.is_empty()),
        "{}: no worklogs changed since 0",
        answer.what
    );
}

#[tokio::test]
async fn worklog_list_matches_spec() {
    let site = Site::start().await;
    let ids: Vec<_> = site
        .jira
        .data()
        .worklogs
        .iter()
        .take(3)
        .map(|w| w.id)
        .collect();
    assert!(!ids.is_empty(), "the generated site has no worklogs");
    let answer = site
        .call(
            Method::POST,
            "/rest/api/3/worklog/list",
            &[],
            Some(&json!({ "ids": ids })),
        )
        .await;
    answer.expect_operation(Method::POST, "/rest/api/3/worklog/list");
    assert_eq!(
        answer.body.as_array().map(Vec::len),
        Some(ids.len()),
        "{}: one worklog per requested id",
        answer.what
    );
}

#[tokio::test]
async fn myself_matches_spec() {
    let site = Site::start().await;
    let answer = site
        .call(Method::GET, "/rest/api/3/myself", &[], None)
        .await;
    answer.expect_operation(Method::GET, "/rest/api/3/myself");
}

#[tokio::test]
async fn server_info_matches_spec() {
    let site = Site::start().await;
    let answer = site
        .call(Method::GET, "/rest/api/3/serverInfo", &[], None)
        .await;
    answer.expect_operation(Method::GET, "/rest/api/3/serverInfo");
}

#[tokio::test]
async fn fields_match_spec() {
    let site = Site::start().await;
    let answer = site.call(Method::GET, "/rest/api/3/field", &[], None).await;
    answer.expect_operation(Method::GET, "/rest/api/3/field");
    assert!(
        answer.body.as_array().is_some_and(|f| !f.is_empty()),
        "{}: no fields",
        answer.what
    );
}

/// The spec declares the 404 of `getIssue` without a body schema; Jira's error bodies are
/// `ErrorCollection`s (the spec's own error examples, e.g. `{"errorMessages":[...],"errors":{}}`).
#[tokio::test]
async fn missing_issue_is_an_error_collection() {
    let site = Site::start().await;
    let answer = site
        .call(Method::GET, "/rest/api/3/issue/NOPE-1", &[], None)
        .await;
    answer.expect_status(StatusCode::NOT_FOUND);
    answer.expect_valid("ErrorCollection", &SPEC.component("ErrorCollection"));
    assert!(
        answer.body["errorMessages"]
            .as_array()
            .is_some_and(|m| !m.is_empty()),
        "{}: an ErrorCollection without errorMessages: {}",
        answer.what,
        answer.body
    );
}

/// The legacy search is removed on Cloud. The spec still lists it (deprecated, `x-changes`
/// "removed") and declares no 410, so the body is checked against `ErrorCollection` and
/// against the exact text Atlassian serves.
#[tokio::test]
async fn legacy_search_is_gone() {
    let site = Site::start().await;
    let answer = site
        .call(
            Method::GET,
            "/rest/api/3/search",
            &[("jql", "project = DEMO")],
            None,
        )
        .await;
    answer.expect_status(StatusCode::GONE);
    answer.expect_valid("ErrorCollection", &SPEC.component("ErrorCollection"));
    assert_eq!(
        answer.body,
        json!({
            "errorMessages": ["The requested API has been removed. Please migrate to the /rest/api/3/search/jql API. A full migration guideline is available at https://developer.atlassian.com/changelog/#CHANGE-2046"],
            "errors": {}
        }),
        "{}: not Atlassian's removal body",
        answer.what
    );
}

/// Every [`SPEC_PATCHES`] entry is backed by the spec: the named operation answers with that
/// component, and its published example carries the property.
#[test]
fn spec_patches_are_backed_by_spec_examples() {
    for SpecPatch {
        component,
        property,
        example: (method, path, status),
        ..
    } in SPEC_PATCHES
    {
        let method: Method = method.parse().expect("method");
        let schema = SPEC.response_schema(&method, path, status);
        assert_eq!(
            schema,
            &SPEC.component(component),
            "{method} {path} {status}"
        );
        let example = SPEC.example(&method, path, status);
        assert!(
            example.get(property).is_some(),
            "the {method} {path} example no longer shows {property}: drop the patch of {component}"
        );
    }
    for patch in NULLABLE_PATCHES {
        let Some((method, path, status)) = patch.example else {
            continue;
        };
        let method: Method = method.parse().expect("method");
        let example = SPEC.example(&method, path, status);
        assert!(
            has_null_member(&example, patch.property),
            "the {method} {path} example no longer shows {}: null; review its nullable patch",
            patch.property
        );
    }
}

/// Whether some object inside `value` has member `name` set to `null`.
fn has_null_member(value: &Value, name: &str) -> bool {
    match value {
        Value::Object(m) => {
            m.get(name) == Some(&Value::Null) || m.values().any(|v| has_null_member(v, name))
        }
        Value::Array(items) => items.iter().any(|v| has_null_member(v, name)),
        _ => false,
    }
}

/// The validation machinery is not vacuous: wrong shapes are rejected with instance paths,
/// `nullable` admits `null`, and `date-time` takes Jira's form but not arbitrary text.
#[test]
fn validator_rejects_wrong_shapes() {
    let errors = SPEC.validator(&SPEC.component("ErrorCollection"));
    assert!(errors.is_valid(&json!({"errorMessages": ["x"], "errors": {}})));
    let found = violations(&errors, &json!({"errorMessages": "x", "bogus": 1}), "");
    assert_eq!(found.len(), 2, "{found:#?}");
    assert!(
        found.iter().any(|v| v.contains("at /errorMessages:")),
        "{found:#?}"
    );

    let search = SPEC.validator(SPEC.response_schema(&Method::POST, "/rest/api/3/search/jql", 200));
    let found = violations(
        &search,
        &json!({"issues": [{"key": 1}], "isLast": true}),
        "",
    );
    assert!(
        found.iter().any(|v| v.contains("at /issues/0/key:")),
        "{found:#?}"
    );

    // `Visibility.identifier` is `nullable: true`.
    let visibility = SPEC.validator(&SPEC.component("Visibility"));
    assert!(visibility.is_valid(&json!({"type": "group", "value": "x", "identifier": null})));
    assert!(!visibility.is_valid(&json!({"type": "group", "identifier": 1})));

    // `Worklog.started` is `format: date-time`.
    let worklog = SPEC.validator(&SPEC.component("Worklog"));
    for ok in [
        "2021-01-17T12:34:00.000+0000",
        "2021-01-17T12:34:00.000+10:00",
    ] {
        assert!(worklog.is_valid(&json!({"started": ok})), "{ok}");
    }
    for bad in [
        "yesterday",
        "2021-01-17",
        "2021-01-17T12:34:00+0000",
        "2021-13-17T12:34:00.000+0000",
    ] {
        assert!(!worklog.is_valid(&json!({"started": bad})), "{bad}");
    }

    // Embedded fields: the spec example's bare-array `worklog` is caught, `null` is not.
    let issue = json!({"fields": {"worklog": [], "assignee": null, "status": {"id": 3}}});
    let found = embedded_violations(&issue, "/issues/0");
    assert_eq!(found.len(), 2, "{found:#?}");
    assert!(
        found[0].contains("at /issues/0/fields/worklog:"),
        "{found:#?}"
    );
    assert!(
        found[1].contains("at /issues/0/fields/status/id:"),
        "{found:#?}"
    );

    // The translation itself.
    let mut s = json!({"type": "string", "nullable": true, "enum": ["a"], "properties": {"nullable": {"type": "integer"}}});
    openapi_to_json_schema(&mut s);
    assert_eq!(
        s,
        json!({"type": ["string", "null"], "enum": ["a", null], "properties": {"nullable": {"type": "integer"}}})
    );
    let mut s = json!({"allOf": [{"$ref": "#/x"}], "nullable": true});
    openapi_to_json_schema(&mut s);
    assert_eq!(
        s,
        json!({"anyOf": [{"allOf": [{"$ref": "#/x"}]}, {"type": "null"}]})
    );
}

// ---------------------------------------------------------------------------------------------
// The endpoints behind jiraql's other tables
// ---------------------------------------------------------------------------------------------

/// A GET whose 200 must match the platform spec: path sent, query, operation template.
type PlatformGet = (
    &'static str,
    &'static [(&'static str, &'static str)],
    &'static str,
);

/// The GETs of [`catalog_and_history_gets_match_spec`].
const PLATFORM_GETS: &[PlatformGet] = &[
    (
        "/rest/api/3/project/search",
        &[("maxResults", "2")],
        "/rest/api/3/project/search",
    ),
    (
        "/rest/api/3/project/DEMO",
        &[],
        "/rest/api/3/project/{projectIdOrKey}",
    ),
    (
        "/rest/api/3/project/DEMO/components",
        &[],
        "/rest/api/3/project/{projectIdOrKey}/components",
    ),
    (
        "/rest/api/3/project/DEMO/component",
        &[("maxResults", "2")],
        "/rest/api/3/project/{projectIdOrKey}/component",
    ),
    (
        "/rest/api/3/project/DEMO/versions",
        &[],
        "/rest/api/3/project/{projectIdOrKey}/versions",
    ),
    (
        "/rest/api/3/project/DEMO/version",
        &[("maxResults", "2"), ("expand", "issuesstatus")],
        "/rest/api/3/project/{projectIdOrKey}/version",
    ),
    (
        "/rest/api/3/project/DEMO/role",
        &[],
        "/rest/api/3/project/{projectIdOrKey}/role",
    ),
    (
        "/rest/api/3/project/DEMO/roledetails",
        &[],
        "/rest/api/3/project/{projectIdOrKey}/roledetails",
    ),
    (
        "/rest/api/3/project/DEMO/role/10000",
        &[],
        "/rest/api/3/project/{projectIdOrKey}/role/{id}",
    ),
    (
        "/rest/api/3/issueLinkType",
        &[],
        "/rest/api/3/issueLinkType",
    ),
    (
        "/rest/api/3/issue/DEMO-7/changelog",
        &[("maxResults", "5")],
        "/rest/api/3/issue/{issueIdOrKey}/changelog",
    ),
    (
        "/rest/api/3/issue/DEMO-7/comment",
        &[],
        "/rest/api/3/issue/{issueIdOrKey}/comment",
    ),
    (
        "/rest/api/3/worklog/deleted",
        &[("since", "0")],
        "/rest/api/3/worklog/deleted",
    ),
    (
        "/rest/api/3/group/bulk",
        &[("maxResults", "3")],
        "/rest/api/3/group/bulk",
    ),
    (
        "/rest/api/3/filter/search",
        &[("maxResults", "3")],
        "/rest/api/3/filter/search",
    ),
    (
        "/rest/api/3/filter/search",
        &[(
            "expand",
            "description,owner,jql,searchUrl,viewUrl,favourite,favouritedCount,sharePermissions,editPermissions,subscriptions",
        )],
        "/rest/api/3/filter/search",
    ),
    (
        "/rest/api/3/users/search",
        &[("maxResults", "5")],
        "/rest/api/3/users/search",
    ),
    ("/rest/api/3/status", &[], "/rest/api/3/status"),
    ("/rest/api/3/priority", &[], "/rest/api/3/priority"),
    ("/rest/api/3/issuetype", &[], "/rest/api/3/issuetype"),
    ("/rest/api/3/resolution", &[], "/rest/api/3/resolution"),
];

#[tokio::test]
async fn catalog_and_history_gets_match_spec() {
    let site = Site::start().await;
    for (path, query, template) in PLATFORM_GETS {
        let answer = site.call(Method::GET, path, query, None).await;
        answer.expect_operation(Method::GET, template);
        let empty = match &answer.body {
            Value::Array(a) => a.is_empty(),
            Value::Object(m) => m.is_empty() || m.get("values").is_some_and(|v| v == &json!([])),
            _ => true,
        };
        assert!(
            !empty,
            "{}: an empty answer proves little: {}",
            answer.what, answer.body
        );
    }
}

#[tokio::test]
async fn single_objects_match_spec() {
    let site = Site::start().await;
    let d = site.jira.data();
    let user = &d.users[1].account_id;
    let answer = site
        .call(
            Method::GET,
            "/rest/api/3/user",
            &[("accountId", user), ("expand", "groups")],
            None,
        )
        .await;
    answer.expect_operation(Method::GET, "/rest/api/3/user");

    let link = d
        .issue_links
        .first()
        .expect("the site has links")
        .id
        .to_string();
    let answer = site
        .call(
            Method::GET,
            &format!("/rest/api/3/issueLink/{link}"),
            &[],
            None,
        )
        .await;
    answer.expect_operation(Method::GET, "/rest/api/3/issueLink/{linkId}");

    let attachment = d
        .attachments
        .first()
        .expect("the site has attachments")
        .id
        .to_string();
    let answer = site
        .call(
            Method::GET,
            &format!("/rest/api/3/attachment/{attachment}"),
            &[],
            None,
        )
        .await;
    answer.expect_operation(Method::GET, "/rest/api/3/attachment/{id}");
}

/// Issues with links and attachments: the embedded values match their components.
#[tokio::test]
async fn issue_links_and_attachments_match_spec() {
    let site = Site::start().await;
    let d = site.jira.data();
    let linked = d
        .issues
        .iter()
        .find(|i| i.link_ids.len() >= 2)
        .expect("a linked issue");
    let attached = d
        .issues
        .iter()
        .find(|i| !i.attachments.is_empty())
        .expect("attachments");
    for key in [&linked.key, &attached.key] {
        let answer = site
            .call(Method::GET, &format!("/rest/api/3/issue/{key}"), &[], None)
            .await;
        answer.expect_operation(Method::GET, "/rest/api/3/issue/{issueIdOrKey}");
        assert_embedded(&answer, &[(String::new(), &answer.body)]);
    }
    let answer = site
        .call(
            Method::GET,
            &format!("/rest/api/3/issue/{}", linked.key),
            &[],
            None,
        )
        .await;
    assert!(
        answer.body["fields"]["issuelinks"]
            .as_array()
            .is_some_and(|l| l.len() >= 2)
    );
}

#[tokio::test]
async fn comment_list_matches_spec() {
    let site = Site::start().await;
    let ids: Vec<u64> = site
        .jira
        .data()
        .comments
        .iter()
        .take(5)
        .map(|c| c.id)
        .collect();
    let answer = site
        .call(
            Method::POST,
            "/rest/api/3/comment/list",
            &[],
            Some(&json!({ "ids": ids })),
        )
        .await;
    answer.expect_operation(Method::POST, "/rest/api/3/comment/list");
    assert_eq!(
        answer.body["values"].as_array().map(Vec::len),
        Some(ids.len())
    );
}

/// `created` is an ISO timestamp here as in the per-issue changelog; the spec's example shows
/// epoch seconds (`"created":1492070429`) while its schema says `format: date-time`, a known
/// oddity of the spec (reference §3). The schema is what is checked.
#[tokio::test]
async fn changelog_bulkfetch_matches_spec() {
    let site = Site::start().await;
    let keys: Vec<&str> = site
        .jira
        .data()
        .issues
        .iter()
        .take(20)
        .map(|i| i.key.as_str())
        .collect();
    let body = json!({"issueIdsOrKeys": keys, "maxResults": 10});
    let answer = site
        .call(
            Method::POST,
            "/rest/api/3/changelog/bulkfetch",
            &[],
            Some(&body),
        )
        .await;
    answer.expect_operation(Method::POST, "/rest/api/3/changelog/bulkfetch");
    assert!(
        answer.body["nextPageToken"].is_string(),
        "{}: one page of several",
        answer.what
    );
    let body = json!({"issueIdsOrKeys": keys, "fieldIds": ["assignee"]});
    let answer = site
        .call(
            Method::POST,
            "/rest/api/3/changelog/bulkfetch",
            &[],
            Some(&body),
        )
        .await;
    answer.expect_operation(Method::POST, "/rest/api/3/changelog/bulkfetch");
}

#[tokio::test]
async fn board_issues_match_agile_spec() {
    let site = Site::start().await;
    let answer = site
        .call(
            Method::GET,
            "/rest/agile/1.0/board/1/issue",
            &[("maxResults", "3")],
            None,
        )
        .await;
    answer.expect_operation_in(
        &AGILE_SPEC,
        Method::GET,
        "/rest/agile/1.0/board/{boardId}/issue",
    );
    let answer = site
        .call(Method::GET, "/rest/agile/1.0/board", &[], None)
        .await;
    answer.expect_operation_in(&AGILE_SPEC, Method::GET, "/rest/agile/1.0/board");
}

/// The Agile spec gives `getIssuesForSprint` an example but no schema; the example has the
/// shape of `getIssuesForBoard`, whose schema is `SearchResults`, so that component is used.
#[tokio::test]
async fn sprint_issues_match_agile_search_results() {
    let site = Site::start().await;
    let d = site.jira.data();
    let sprint = d
        .sprints
        .iter()
        .find(|sp| d.issues.iter().any(|i| i.sprint_ids.contains(&sp.id)))
        .expect("a sprint with issues");
    let answer = site
        .call(
            Method::GET,
            &format!("/rest/agile/1.0/sprint/{}/issue", sprint.id),
            &[("maxResults", "3"), ("expand", "names")],
            None,
        )
        .await;
    answer.expect_status(StatusCode::OK);
    answer.expect_valid_in(
        &AGILE_SPEC,
        "SearchResults",
        &AGILE_SPEC.component("SearchResults"),
    );
    assert!(
        answer.body["issues"]
            .as_array()
            .is_some_and(|i| !i.is_empty())
    );
}

/// The Agile spec gives `getEpics` only an example. The answer must have its shape: no member
/// the example lacks, and the same JSON types. One addition is allowed: each epic's `key`,
/// which real answers carry (reference §4: `{id,key?,self,name,summary,color,done}`).
#[tokio::test]
async fn board_epics_have_the_spec_example_shape() {
    let site = Site::start().await;
    let answer = site
        .call(
            Method::GET,
            "/rest/agile/1.0/board/1/epic",
            &[("maxResults", "5")],
            None,
        )
        .await;
    answer.expect_status(StatusCode::OK);
    let example = AGILE_SPEC.example(&Method::GET, "/rest/agile/1.0/board/{boardId}/epic", 200);
    let errors = shape_violations(&answer.body, &example, &["key"], "");
    assert!(errors.is_empty(), "{}: {}", answer.what, errors.join("\n"));
    assert!(
        answer.body["values"]
            .as_array()
            .is_some_and(|v| !v.is_empty())
    );
}

/// Where `value` departs from the shape of `example`: members the example lacks (other than
/// `extra`) and JSON types that differ (`null` in either is let through); array elements are
/// compared with the example's first element.
fn shape_violations(value: &Value, example: &Value, extra: &[&str], at: &str) -> Vec<String> {
    match (value, example) {
        (_, Value::Null) | (Value::Null, _) => Vec::new(),
        (Value::Object(v), Value::Object(e)) => v
            .iter()
            .flat_map(|(k, x)| match e.get(k) {
                Some(ex) => shape_violations(x, ex, extra, &format!("{at}/{k}")),
                None if extra.contains(&k.as_str()) => Vec::new(),
                None => vec![format!("  at {at}/{k}: the example has no such member")],
            })
            .collect(),
        (Value::Array(v), Value::Array(e)) => match e.first() {
            None => Vec::new(),
            Some(ex) => v
                .iter()
                .enumerate()
                .flat_map(|(k, x)| shape_violations(x, ex, extra, &format!("{at}/{k}")))
                .collect(),
        },
        (Value::Bool(_), Value::Bool(_))
        | (Value::Number(_), Value::Number(_))
        | (Value::String(_), Value::String(_)) => Vec::new(),
        _ => vec![format!(
            "  at {at}: {value} is not of the example's type ({example})"
        )],
    }
}

#[test]
fn shape_check_is_not_vacuous() {
    let example = json!({"values": [{"id": 1, "color": {"key": "c"}}], "isLast": true});
    assert!(
        shape_violations(
            &json!({"values": [{"id": 2}], "isLast": false}),
            &example,
            &[],
            ""
        )
        .is_empty()
    );
    let found = shape_violations(
        &json!({"values": [{"id": "2", "key": "K", "x": 1}], "isLast": 1}),
        &example,
        &["key"],
        "",
    );
    assert_eq!(found.len(), 3, "{found:#?}");
    // Embedded links: one end exactly.
    let both = json!({"id": "1", "type": {"id": "1", "name": "Blocks"}, "inwardIssue": {"id": "1"}, "outwardIssue": {"id": "2"}});
    assert_eq!(link_violations(&both, "/l").len(), 1);
    // ChangeDetails takes null ends after the patch, and nothing else new.
    let details = SPEC.validator(&SPEC.component("ChangeDetails"));
    assert!(
        details.is_valid(&json!({"from": null, "fromString": null, "to": "1", "toString": "x"}))
    );
    assert!(!details.is_valid(&json!({"from": 1})));
}
