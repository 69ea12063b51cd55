//! The endpoints behind Issues and Worklogs, error bodies, and the test's own readings of the spec
//! (patches backed by its examples, a validator that rejects wrong shapes).

use super::*;

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
pub(super) fn spec_patches_are_backed_by_spec_examples() {
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
