//! The issue write endpoints: request bodies as the spec's request schemas describe them, and
//! answers matching its response schemas (created issues, bulk results with their errors,
//! error collections, transitions). A 204 has no body, as Jira sends it.

use super::*;

const CREATE: &str = "/rest/api/3/issue";
const BULK: &str = "/rest/api/3/issue/bulk";
const ISSUE: &str = "/rest/api/3/issue/{issueIdOrKey}";
const TRANSITIONS: &str = "/rest/api/3/issue/{issueIdOrKey}/transitions";

/// Asserts that `body` is a valid request for `method template`.
fn expect_request(method: Method, template: &str, body: &Value) {
    let schema = SPEC.request_schema(&method, template);
    let errors = violations(&SPEC.validator(schema), body, "");
    assert!(
        errors.is_empty(),
        "the request for {method} {template} does not match its schema:\n{}",
        errors.join("\n")
    );
}

fn task(summary: &str) -> Value {
    json!({"fields": {
        "project": {"key": "DEMO"},
        "issuetype": {"name": "Task"},
        "summary": summary,
        "labels": ["spec"],
        "priority": {"name": "Low"},
    }})
}

/// Sends each create of `cases`, which Jira must refuse (400, an `ErrorCollection`) naming
/// the case's field.
async fn expect_refused(site: &Site, path: &str, cases: &[(Value, &str)]) {
    for (body, field) in cases {
        let refused = site.call(Method::POST, path, &[], Some(body)).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{body}");
        refused.expect_valid("ErrorCollection", &SPEC.component("ErrorCollection"));
        assert!(
            refused.body["errors"][*field].is_string(),
            "{field}: {}",
            refused.body
        );
    }
}

/// Sends a request that must answer 204 with no body.
async fn expect_no_content(
    site: &Site,
    method: Method,
    path: &str,
    query: &[(&str, &str)],
    body: Option<&Value>,
) {
    let answer = site.call(method, path, query, body).await;
    assert_eq!(
        answer.status,
        StatusCode::NO_CONTENT,
        "{}: {}",
        answer.what,
        answer.body
    );
    assert_eq!(
        answer.body,
        Value::Null,
        "{}: a 204 has no body",
        answer.what
    );
}

#[tokio::test]
async fn creates_match_spec() {
    let site = Site::start().await;
    let body = task("Spec-shaped");
    expect_request(Method::POST, CREATE, &body);
    let answer = site.call(Method::POST, CREATE, &[], Some(&body)).await;
    answer.expect_answer_in(&SPEC, Method::POST, CREATE, StatusCode::CREATED);

    let bad = json!({"fields": {"project": {"key": "DEMO"}, "issuetype": {"name": "Task"}}});
    expect_request(Method::POST, CREATE, &bad);
    let answer = site.call(Method::POST, CREATE, &[], Some(&bad)).await;
    answer.expect_answer_in(&SPEC, Method::POST, CREATE, StatusCode::BAD_REQUEST);
    assert!(answer.body["errors"]["summary"].is_string());

    let bulk = json!({"issueUpdates": [task("one"), bad, task("three")]});
    expect_request(Method::POST, BULK, &bulk);
    let answer = site.call(Method::POST, BULK, &[], Some(&bulk)).await;
    answer.expect_answer_in(&SPEC, Method::POST, BULK, StatusCode::CREATED);
    assert_eq!(answer.body["errors"][0]["failedElementNumber"], 1);

    let all_bad = json!({"issueUpdates": [bad]});
    let answer = site.call(Method::POST, BULK, &[], Some(&all_bad)).await;
    answer.expect_answer_in(&SPEC, Method::POST, BULK, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn edits_transitions_and_deletes_match_spec() {
    let site = Site::start().await;
    let made = site
        .call(Method::POST, CREATE, &[], Some(&task("to change")))
        .await;
    let key = made.body["key"].as_str().expect("key").to_string();
    let path = format!("/rest/api/3/issue/{key}");

    let edit = json!({"fields": {"summary": "changed"}, "update": {"labels": [{"add": "edited"}]}});
    expect_request(Method::PUT, ISSUE, &edit);
    expect_no_content(&site, Method::PUT, &path, &[], Some(&edit)).await;
    let answer = site
        .call(Method::PUT, &path, &[("returnIssue", "true")], Some(&edit))
        .await;
    answer.expect_answer_in(&SPEC, Method::PUT, ISSUE, StatusCode::OK);
    assert_eq!(answer.body["fields"]["labels"], json!(["spec", "edited"]));

    let transitions = format!("{path}/transitions");
    let answer = site.call(Method::GET, &transitions, &[], None).await;
    answer.expect_operation(Method::GET, TRANSITIONS);
    let first = answer.body["transitions"][0]["id"]
        .as_str()
        .expect("an id")
        .to_string();
    let step = json!({"transition": {"id": first}});
    expect_request(Method::POST, TRANSITIONS, &step);
    expect_no_content(&site, Method::POST, &transitions, &[], Some(&step)).await;

    expect_no_content(&site, Method::DELETE, &path, &[], None).await;
    let answer = site.call(Method::GET, &path, &[], None).await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn issue_properties_match_spec() {
    let site = Site::start().await;
    let mut body = task("with a marker");
    body["properties"] = json!([{"key": "jiraql.op", "value": {"id": "op-1"}}]);
    expect_request(Method::POST, CREATE, &body);
    let made = site.call(Method::POST, CREATE, &[], Some(&body)).await;
    let key = made.body["key"].as_str().expect("key").to_string();
    let answer = site
        .call(
            Method::GET,
            &format!("/rest/api/3/issue/{key}/properties/jiraql.op"),
            &[],
            None,
        )
        .await;
    answer.expect_operation(
        Method::GET,
        "/rest/api/3/issue/{issueIdOrKey}/properties/{propertyKey}",
    );
    let search =
        json!({"jql": format!("key = {key}"), "fields": ["summary"], "properties": ["jiraql.op"]});
    let answer = site
        .call(Method::POST, "/rest/api/3/search/jql", &[], Some(&search))
        .await;
    answer.expect_operation(Method::POST, "/rest/api/3/search/jql");
    assert_eq!(
        answer.body["issues"][0]["properties"]["jiraql.op"]["id"],
        "op-1"
    );
}

#[tokio::test]
async fn create_screens_match_spec() {
    let site = Site::start().await;
    let template = "/rest/api/3/issue/createmeta/{projectIdOrKey}/issuetypes/{issueTypeId}";
    for issue_type in ["10000", "10001", "10004"] {
        let path = format!("/rest/api/3/issue/createmeta/DEMO/issuetypes/{issue_type}");
        let answer = site.call(Method::GET, &path, &[], None).await;
        answer.expect_operation(Method::GET, template);
        let fields = answer.body["fields"].as_array().expect("fields");
        for f in fields {
            let label = format!("FieldCreateMetadata of {issue_type}");
            let one = Answer {
                what: answer.what.clone(),
                status: answer.status,
                content_type: answer.content_type.clone(),
                body: f.clone(),
            };
            one.expect_valid(&label, &SPEC.component("FieldCreateMetadata"));
        }
    }
}

#[tokio::test]
async fn worklog_and_comment_writes_match_spec() {
    const WORKLOGS: &str = "/rest/api/3/issue/{issueIdOrKey}/worklog";
    const WORKLOG: &str = "/rest/api/3/issue/{issueIdOrKey}/worklog/{id}";
    const COMMENTS: &str = "/rest/api/3/issue/{issueIdOrKey}/comment";
    const COMMENT: &str = "/rest/api/3/issue/{issueIdOrKey}/comment/{id}";
    let site = Site::start().await;
    let doc = json!({"type": "doc", "version": 1, "content": [
        {"type": "paragraph", "content": [{"type": "text", "text": "spec"}]}]});

    let worklog = json!({"started": "2026-12-01T09:00:00.000+0000", "timeSpentSeconds": 3600,
        "comment": doc, "visibility": {"type": "role", "value": "Developers"},
        "properties": [{"key": "jiraql.op", "value": {"op": "o", "row": 0}}]});
    expect_request(Method::POST, WORKLOGS, &worklog);
    let path = "/rest/api/3/issue/DEMO-7/worklog";
    let made = site
        .call(
            Method::POST,
            path,
            &[("expand", "properties")],
            Some(&worklog),
        )
        .await;
    made.expect_answer_in(&SPEC, Method::POST, WORKLOGS, StatusCode::CREATED);
    let one = format!("{path}/{}", made.body["id"].as_str().expect("id"));
    site.call(Method::GET, &one, &[], None)
        .await
        .expect_operation(Method::GET, WORKLOG);
    let edit = json!({"timeSpent": "2h"});
    expect_request(Method::PUT, WORKLOG, &edit);
    site.call(Method::PUT, &one, &[], Some(&edit))
        .await
        .expect_operation(Method::PUT, WORKLOG);
    expect_no_content(
        &site,
        Method::DELETE,
        &one,
        &[("adjustEstimate", "leave")],
        None,
    )
    .await;
    let refused = site.call(Method::POST, path, &[], Some(&json!({}))).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    refused.expect_valid("ErrorCollection", &SPEC.component("ErrorCollection"));

    let comment = json!({"body": doc, "visibility": {"type": "group", "value": "site-admins"}});
    expect_request(Method::POST, COMMENTS, &comment);
    let path = "/rest/api/3/issue/DEMO-7/comment";
    let made = site.call(Method::POST, path, &[], Some(&comment)).await;
    made.expect_answer_in(&SPEC, Method::POST, COMMENTS, StatusCode::CREATED);
    let one = format!("{path}/{}", made.body["id"].as_str().expect("id"));
    site.call(Method::GET, &one, &[], None)
        .await
        .expect_operation(Method::GET, COMMENT);
    let edit = json!({"body": doc});
    expect_request(Method::PUT, COMMENT, &edit);
    site.call(Method::PUT, &one, &[], Some(&edit))
        .await
        .expect_operation(Method::PUT, COMMENT);
    expect_no_content(&site, Method::DELETE, &one, &[], None).await;
}

#[tokio::test]
async fn version_writes_match_spec_and_jira_rules() {
    const VERSIONS: &str = "/rest/api/3/version";
    const VERSION: &str = "/rest/api/3/version/{id}";
    const SWAP: &str = "/rest/api/3/version/{id}/removeAndSwap";
    let site = Site::start().await;
    let d = site.jira.data();
    let demo = d
        .projects
        .iter()
        .find(|p| p.key == "DEMO")
        .expect("DEMO")
        .id;
    // An issue with a fix version, to see removeAndSwap move it.
    let (issue, old) = d
        .issues
        .iter()
        .find_map(|i| Some((i.key.clone(), *i.fix_version_ids.first()?)))
        .expect("an issue with a fix version");
    drop(d);

    let new = json!({"projectId": demo, "name": "9.9", "description": "spec",
        "startDate": "2027-01-01", "releaseDate": "2027-02-01", "released": false});
    expect_request(Method::POST, VERSIONS, &new);
    let made = site.call(Method::POST, VERSIONS, &[], Some(&new)).await;
    made.expect_answer_in(&SPEC, Method::POST, VERSIONS, StatusCode::CREATED);
    assert_eq!(made.body["releaseDate"], "2027-02-01");
    let id = made.body["id"].as_str().expect("id").to_string();
    // Jira's rules: a name unique in its project, a project, dates in order.
    expect_refused(
        &site,
        VERSIONS,
        &[
        (json!({"projectId": demo, "name": "9.9"}), "name"),
        (json!({"name": "no project"}), "project"),
        (
            json!({"project": "DEMO", "name": "x", "startDate": "2027-03-01", "releaseDate": "2027-02-01"}),
            "startDate",
        ),
        (
            json!({"project": "DEMO", "name": "y", "releaseDate": "1/Feb/27"}),
            "releaseDate",
        ),
        ],
    )
    .await;
    let one = format!("{VERSIONS}/{id}");
    let edit = json!({"released": true, "description": "shipped"});
    expect_request(Method::PUT, VERSION, &edit);
    let changed = site.call(Method::PUT, &one, &[], Some(&edit)).await;
    changed.expect_operation(Method::PUT, VERSION);
    assert_eq!(changed.body["released"], true);
    assert_eq!(
        changed.body["name"], "9.9",
        "members left out keep their values"
    );

    // Removing the old version moves its issues to the new one.
    let swap = json!({"moveFixIssuesTo": id.parse::<u64>().expect("numeric id")});
    expect_request(Method::POST, SWAP, &swap);
    let path = format!("{VERSIONS}/{old}/removeAndSwap");
    let across = json!({"moveFixIssuesTo": 1});
    let refused = site.call(Method::POST, &path, &[], Some(&across)).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
    expect_no_content(&site, Method::POST, &path, &[], Some(&swap)).await;
    let gone = site
        .call(Method::GET, &format!("{VERSIONS}/{old}"), &[], None)
        .await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    let d = site.jira.data();
    let moved = d.issue_by_key(&issue).expect("the issue");
    assert!(moved.fix_version_ids.contains(&id.parse().expect("id")));
    assert!(!moved.fix_version_ids.contains(&old));
}

#[tokio::test]
async fn component_writes_match_spec_and_jira_rules() {
    const COMPONENTS: &str = "/rest/api/3/component";
    const COMPONENT: &str = "/rest/api/3/component/{id}";
    let site = Site::start().await;
    let d = site.jira.data();
    let lead = d.users[1].account_id.clone();
    let demo = d
        .projects
        .iter()
        .find(|p| p.key == "DEMO")
        .expect("DEMO")
        .id;
    let (issue, old) = d
        .issues
        .iter()
        .find_map(|i| Some((i.key.clone(), *i.component_ids.first()?)))
        .expect("an issue with a component");
    let old_project = d.component(old).expect("its component").project_id;
    drop(d);

    let new = json!({"project": "DEMO", "name": "Billing", "description": "spec",
        "leadAccountId": lead, "assigneeType": "COMPONENT_LEAD"});
    expect_request(Method::POST, COMPONENTS, &new);
    let made = site.call(Method::POST, COMPONENTS, &[], Some(&new)).await;
    made.expect_answer_in(&SPEC, Method::POST, COMPONENTS, StatusCode::CREATED);
    assert_eq!(made.body["lead"]["accountId"], json!(lead));
    let id = made.body["id"].as_str().expect("id").to_string();
    expect_refused(
        &site,
        COMPONENTS,
        &[
            (json!({"project": "DEMO", "name": "billing"}), "name"),
            (json!({"name": "no project"}), "project"),
            (
                json!({"project": "DEMO", "name": "x", "leadAccountId": "nobody"}),
                "leadAccountId",
            ),
            (
                json!({"project": "DEMO", "name": "y", "assigneeType": "ANYONE"}),
                "assigneeType",
            ),
        ],
    )
    .await;
    let one = format!("{COMPONENTS}/{id}");
    let edit = json!({"description": "changed", "leadAccountId": ""});
    expect_request(Method::PUT, COMPONENT, &edit);
    let changed = site.call(Method::PUT, &one, &[], Some(&edit)).await;
    changed.expect_operation(Method::PUT, COMPONENT);
    assert_eq!(changed.body["name"], "Billing");
    assert!(changed.body.get("lead").is_none(), "{}", changed.body);
    // Deleting a component moves its issues to another of the same project when asked.
    let gone = format!("{COMPONENTS}/{old}");
    if old_project == demo {
        expect_no_content(&site, Method::DELETE, &gone, &[("moveIssuesTo", &id)], None).await;
        let d = site.jira.data();
        let moved = d.issue_by_key(&issue).expect("the issue");
        assert!(moved.component_ids.contains(&id.parse().expect("id")));
    } else {
        let refused = site
            .call(Method::DELETE, &gone, &[("moveIssuesTo", &id)], None)
            .await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "across projects");
        expect_no_content(&site, Method::DELETE, &gone, &[], None).await;
    }
    let d = site.jira.data();
    assert!(
        !d.issue_by_key(&issue)
            .expect("the issue")
            .component_ids
            .contains(&old)
    );
    assert!(d.component(old).is_none());
}

#[tokio::test]
async fn sprint_writes_follow_the_agile_spec_and_state_rules() {
    const SPRINTS: &str = "/rest/agile/1.0/sprint";
    const SPRINT: &str = "/rest/agile/1.0/sprint/{sprintId}";
    let site = Site::start().await;
    let d = site.jira.data();
    let scrum = d
        .boards
        .iter()
        .find(|b| b.board_type == "scrum")
        .expect("scrum")
        .id;
    let kanban = d
        .boards
        .iter()
        .find(|b| b.board_type == "kanban")
        .map(|b| b.id);
    drop(d);
    let valid = |method: Method, template: &str, body: &Value| {
        let schema = AGILE_SPEC.request_schema(&method, template);
        let errors = violations(&AGILE_SPEC.validator(schema), body, "");
        assert!(
            errors.is_empty(),
            "{method} {template}: {}",
            errors.join("\n")
        );
    };

    let new = json!({"name": "Sprint 99", "originBoardId": scrum, "goal": "ship"});
    valid(Method::POST, SPRINTS, &new);
    let made = site.call(Method::POST, SPRINTS, &[], Some(&new)).await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    // The spec gives an example only: the answer has the example's members.
    for member in ["id", "self", "state", "name", "originBoardId", "goal"] {
        assert!(made.body.get(member).is_some(), "{member}: {}", made.body);
    }
    assert_eq!(made.body["state"], "future");
    let one = format!("{SPRINTS}/{}", made.body["id"]);
    if let Some(kanban) = kanban {
        let body = json!({"name": "k", "originBoardId": kanban});
        let refused = site.call(Method::POST, SPRINTS, &[], Some(&body)).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
    }
    // Starting needs dates; then it closes; a closed sprint cannot change.
    let start = json!({"state": "active"});
    valid(Method::POST, SPRINT, &start);
    let refused = site.call(Method::POST, &one, &[], Some(&start)).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
    assert!(
        refused.body["errors"]["state"].is_string(),
        "{}",
        refused.body
    );
    let dated = json!({"state": "active", "startDate": "2026-12-07T09:00:00.000+0000",
        "endDate": "2026-12-21T09:00:00.000+0000"});
    let started = site.call(Method::POST, &one, &[], Some(&dated)).await;
    assert_eq!(started.status, StatusCode::OK, "{}", started.body);
    assert_eq!(
        (&started.body["state"], &started.body["goal"]),
        (&json!("active"), &json!("ship"))
    );
    let closed = site
        .call(Method::POST, &one, &[], Some(&json!({"state": "closed"})))
        .await;
    assert_eq!(closed.body["state"], "closed");
    assert!(closed.body["completeDate"].is_string());
    let late = site
        .call(Method::POST, &one, &[], Some(&json!({"goal": "late"})))
        .await;
    assert_eq!(late.status, StatusCode::BAD_REQUEST);
    // A PUT replaces the whole sprint: what it leaves out becomes null.
    let again = site.call(Method::POST, SPRINTS, &[], Some(&new)).await;
    let other = format!("{SPRINTS}/{}", again.body["id"]);
    let whole = json!({"name": "renamed"});
    valid(Method::PUT, SPRINT, &whole);
    let replaced = site.call(Method::PUT, &other, &[], Some(&whole)).await;
    assert_eq!(replaced.status, StatusCode::OK, "{}", replaced.body);
    assert!(replaced.body.get("goal").is_none(), "{}", replaced.body);
    expect_no_content(&site, Method::DELETE, &other, &[], None).await;
    let gone = site.call(Method::GET, &other, &[], None).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn project_writes_match_spec_and_jira_rules() {
    const PROJECTS: &str = "/rest/api/3/project";
    const PROJECT: &str = "/rest/api/3/project/{projectIdOrKey}";
    let site = Site::start().await;
    let d = site.jira.data();
    let lead = d.users[1].account_id.clone();
    let demo = d
        .projects
        .iter()
        .find(|p| p.key == "DEMO")
        .expect("DEMO")
        .clone();
    drop(d);
    let new = json!({"key": "NEWP", "name": "New project", "projectTypeKey": "software",
        "leadAccountId": lead, "description": "spec"});
    expect_request(Method::POST, PROJECTS, &new);
    let made = site.call(Method::POST, PROJECTS, &[], Some(&new)).await;
    made.expect_answer_in(&SPEC, Method::POST, PROJECTS, StatusCode::CREATED);
    assert_eq!(made.body["key"], "NEWP");
    expect_refused(
        &site,
        PROJECTS,
        &[
        (
            json!({"key": "DEMO", "name": "x", "projectTypeKey": "software", "leadAccountId": lead}),
            "projectKey",
        ),
        (
            json!({"key": "lower", "name": "y", "projectTypeKey": "software", "leadAccountId": lead}),
            "projectKey",
        ),
        (
            json!({"key": "ZZ", "name": demo.name, "projectTypeKey": "software", "leadAccountId": lead}),
            "projectName",
        ),
        (
            json!({"key": "ZY", "name": "z", "projectTypeKey": "games", "leadAccountId": lead}),
            "projectTypeKey",
        ),
        (
            json!({"key": "ZX", "name": "w", "projectTypeKey": "software"}),
            "projectLead",
        ),
        ],
    )
    .await;
    let edit = json!({"name": "Renamed", "description": "changed"});
    expect_request(Method::PUT, PROJECT, &edit);
    let changed = site
        .call(Method::PUT, "/rest/api/3/project/NEWP", &[], Some(&edit))
        .await;
    changed.expect_operation(Method::PUT, PROJECT);
    assert_eq!(changed.body["name"], "Renamed");
    // Deleting DEMO takes its issues, versions, components and boards with it.
    expect_no_content(&site, Method::DELETE, "/rest/api/3/project/DEMO", &[], None).await;
    let d = site.jira.data();
    assert!(d.issues.iter().all(|i| i.project_id != demo.id));
    assert!(d.versions.iter().all(|v| v.project_id != demo.id));
    assert!(d.boards.iter().all(|b| b.project_id != demo.id));
    let gone = site
        .call(Method::GET, "/rest/api/3/project/DEMO", &[], None)
        .await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn issue_type_and_role_writes_match_spec_and_jira_rules() {
    const TYPES: &str = "/rest/api/3/issuetype";
    const TYPE: &str = "/rest/api/3/issuetype/{id}";
    const ROLES: &str = "/rest/api/3/role";
    const ROLE: &str = "/rest/api/3/role/{id}";
    let site = Site::start().await;
    let new = json!({"name": "Incident", "description": "spec", "type": "standard"});
    expect_request(Method::POST, TYPES, &new);
    let made = site.call(Method::POST, TYPES, &[], Some(&new)).await;
    made.expect_answer_in(&SPEC, Method::POST, TYPES, StatusCode::CREATED);
    let id = made.body["id"].as_str().expect("id").to_string();
    let again = site.call(Method::POST, TYPES, &[], Some(&new)).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    let edit = json!({"description": "changed"});
    expect_request(Method::PUT, TYPE, &edit);
    let one = format!("{TYPES}/{id}");
    site.call(Method::PUT, &one, &[], Some(&edit))
        .await
        .expect_operation(Method::PUT, TYPE);
    // A type in use goes only with an alternative of the same kind for its issues.
    let task = site
        .jira
        .data()
        .issue_types
        .iter()
        .find(|t| t.name == "Task")
        .expect("Task")
        .id;
    let in_use = format!("{TYPES}/{task}");
    let refused = site.call(Method::DELETE, &in_use, &[], None).await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);
    expect_no_content(
        &site,
        Method::DELETE,
        &in_use,
        &[("alternativeIssueTypeId", &id)],
        None,
    )
    .await;
    let d = site.jira.data();
    assert!(d.issues.iter().all(|i| i.issue_type_id != task));
    drop(d);

    let role = json!({"name": "Reviewers", "description": "spec"});
    expect_request(Method::POST, ROLES, &role);
    let made = site.call(Method::POST, ROLES, &[], Some(&role)).await;
    made.expect_answer_in(&SPEC, Method::POST, ROLES, StatusCode::OK);
    let one = format!("{ROLES}/{}", made.body["id"]);
    let again = site.call(Method::POST, ROLES, &[], Some(&role)).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    let edit = json!({"description": "changed"});
    expect_request(Method::POST, ROLE, &edit);
    let changed = site.call(Method::POST, &one, &[], Some(&edit)).await;
    changed.expect_operation(Method::POST, ROLE);
    assert_eq!(changed.body["name"], "Reviewers");
    expect_no_content(&site, Method::DELETE, &one, &[], None).await;
    assert_eq!(
        site.call(Method::GET, &one, &[], None).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn board_and_user_writes_match_spec_and_jira_rules() {
    const BOARDS: &str = "/rest/agile/1.0/board";
    const USERS: &str = "/rest/api/3/user";
    let site = Site::start().await;
    let d = site.jira.data();
    let filter = d.filters[0].id;
    let myself = d.myself.clone();
    drop(d);
    let board = json!({"name": "Billing board", "type": "scrum", "filterId": filter,
        "location": {"type": "project", "projectKeyOrId": "DEMO"}});
    let schema = AGILE_SPEC.request_schema(&Method::POST, BOARDS);
    assert!(violations(&AGILE_SPEC.validator(schema), &board, "").is_empty());
    let made = site.call(Method::POST, BOARDS, &[], Some(&board)).await;
    made.expect_answer_in(&AGILE_SPEC, Method::POST, BOARDS, StatusCode::CREATED);
    assert_eq!(made.body["location"]["projectKey"], "DEMO");
    let bad_filter = json!({"name": "x", "type": "scrum", "filterId": 1,
        "location": {"type": "project", "projectKeyOrId": "DEMO"}});
    let refused = site
        .call(Method::POST, BOARDS, &[], Some(&bad_filter))
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(
        refused.body["errors"]["filterId"].is_string(),
        "{}",
        refused.body
    );
    let one = format!("{BOARDS}/{}", made.body["id"]);
    expect_no_content(&site, Method::DELETE, &one, &[], None).await;
    assert_eq!(
        site.call(Method::GET, &one, &[], None).await.status,
        StatusCode::NOT_FOUND
    );

    let user = json!({"emailAddress": "mia@example.com", "displayName": "Mia", "products": []});
    expect_request(Method::POST, USERS, &user);
    let made = site.call(Method::POST, USERS, &[], Some(&user)).await;
    made.expect_answer_in(&SPEC, Method::POST, USERS, StatusCode::CREATED);
    let id = made.body["accountId"]
        .as_str()
        .expect("account id")
        .to_string();
    let again = site.call(Method::POST, USERS, &[], Some(&user)).await;
    assert_eq!(
        again.status,
        StatusCode::BAD_REQUEST,
        "the address is taken"
    );
    let me = site
        .call(Method::DELETE, USERS, &[("accountId", &myself)], None)
        .await;
    assert_eq!(me.status, StatusCode::BAD_REQUEST, "never the caller");
    expect_no_content(&site, Method::DELETE, USERS, &[("accountId", &id)], None).await;
    let gone = site
        .call(Method::GET, USERS, &[("accountId", &id)], None)
        .await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
}
