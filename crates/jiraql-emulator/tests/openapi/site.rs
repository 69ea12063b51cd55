//! A running emulator and a client for it, the answers it gives, and the checks of what issue
//! searches embed (worklogs, comments, links) against the spec's own components.

use super::*;

/// A running emulator and a client for it.
pub(super) struct Site {
    pub(super) jira: JiraEmulator,
    pub(super) http: reqwest::Client,
}

/// Who a request is from: a Cloud user (Basic email and API token) or a Data Center user
/// (Bearer personal access token).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Auth {
    Basic,
    Pat,
}

/// One HTTP answer.
pub(super) struct Answer {
    pub(super) what: String,
    pub(super) status: StatusCode,
    pub(super) content_type: String,
    pub(super) body: Value,
}

impl Site {
    pub(super) async fn start() -> Self {
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
    pub(super) async fn call(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, &str)],
        body: Option<&Value>,
    ) -> Answer {
        self.call_as(Auth::Basic, method, path, query, body).await
    }

    /// [`Self::call`] authenticated as `auth` says.
    pub(super) async fn call_as(
        &self,
        auth: Auth,
        method: Method,
        path: &str,
        query: &[(&str, &str)],
        body: Option<&Value>,
    ) -> Answer {
        let config = self.jira.config();
        let request = self
            .http
            .request(method.clone(), format!("{}{path}", self.jira.base_url()));
        let mut request = match auth {
            Auth::Basic => request.basic_auth(&config.email, Some(&config.api_token)),
            Auth::Pat => request.bearer_auth(&config.personal_access_token),
        }
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
        // A 204 has no body at all.
        let body = if text.is_empty() && status == StatusCode::NO_CONTENT {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or_else(|e| {
                panic!("{what} → {status}: body is not JSON ({e}): {text:.300}")
            })
        };
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
    pub(super) fn expect_status(&self, status: StatusCode) {
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
    pub(super) fn expect_valid(&self, label: &str, schema: &Value) {
        self.expect_valid_in(&SPEC, label, schema);
    }

    /// [`Self::expect_valid`] against a schema of `spec`.
    pub(super) fn expect_valid_in(&self, spec: &Spec, label: &str, schema: &Value) {
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
    pub(super) fn expect_operation(&self, method: Method, template: &str) {
        self.expect_operation_in(&SPEC, method, template);
    }

    /// [`Self::expect_operation`] for an operation of `spec`.
    pub(super) fn expect_operation_in(&self, spec: &Spec, method: Method, template: &str) {
        self.expect_answer_in(spec, method, template, StatusCode::OK);
    }

    /// Asserts `status`, documented for operation `method template`, with a body matching the
    /// schema the spec declares for that status.
    pub(super) fn expect_answer_in(
        &self,
        spec: &Spec,
        method: Method,
        template: &str,
        status: StatusCode,
    ) {
        self.expect_status(status);
        let schema = spec.response_schema(&method, template, status.as_u16());
        self.expect_valid_in(
            spec,
            &format!("{method} {template} {status} schema {schema}"),
            schema,
        );
    }
}

/// Checks the embedded fields of `issue` (at `prefix` in the body) against
/// [`EMBEDDED_FIELDS`]; returns the violations.
pub(super) fn embedded_violations(issue: &Value, prefix: &str) -> Vec<String> {
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
pub(super) fn link_violations(link: &Value, at: &str) -> Vec<String> {
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

pub(super) fn assert_embedded(answer: &Answer, issues: &[(String, &Value)]) {
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
pub(super) fn search_issues(answer: &Answer) -> Vec<(String, &Value)> {
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
