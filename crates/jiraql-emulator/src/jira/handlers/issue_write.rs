//! Writes to issues: create (one, or up to 50 in bulk), edit, transitions and delete. Each
//! request is read and applied inside one change of the data, so what it validates against is
//! what it changes; the answer shapes and messages are Jira's.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use serde_json::{Map, Value, json};

use super::createmeta;
use super::issue_fields::{self, CREATE_ONLY, Refusal, Scope, cannot_be_set};
use super::{ISSUE_MISSING, get_issue};
use std::collections::BTreeMap;

use crate::jira::data::{Change, DeleteRefused, JiraData, NewIssue, SUBTASK};
use crate::jira::server::{Ctx, View, json_response};

/// `POST /issue/bulk` takes at most this many issues.
const BULK_MAX: usize = 50;
/// The longest entity property value, in characters of JSON.
const PROPERTY_VALUE_MAX: usize = 32_768;

/// An issue made: `(id, key)`.
type Made = (u64, String);

/// `POST /rest/api/3/issue`.
pub(crate) fn create_issue(s: &View, c: &Ctx, body: &[u8]) -> Response {
    let details = match object(body) {
        Ok(d) => d,
        Err(r) => return r.response(StatusCode::BAD_REQUEST),
    };
    match s.change(|d| create(d, &details)) {
        Ok((id, key)) => json_response(StatusCode::CREATED, &created(s, c, id, &key)),
        Err(r) => r.response(StatusCode::BAD_REQUEST),
    }
}

/// `POST /rest/api/3/issue/bulk`: each issue on its own (not atomic); 201 when any was made,
/// 400 when none; failures by their position in the request.
pub(crate) fn create_issues(s: &View, c: &Ctx, body: &[u8]) -> Response {
    let updates = match object(body).map(|mut b| b.remove("issueUpdates")) {
        Ok(Some(Value::Array(updates))) => updates,
        Ok(_) => {
            return Refusal::message(
                "The request must list the issues to create in 'issueUpdates'.",
            )
            .response(StatusCode::BAD_REQUEST);
        }
        Err(r) => return r.response(StatusCode::BAD_REQUEST),
    };
    if updates.len() > BULK_MAX {
        return Refusal::message(format!(
            "The number of issues to create ({}) is more than the allowed {BULK_MAX}.",
            updates.len()
        ))
        .response(StatusCode::BAD_REQUEST);
    }
    let results: Vec<Result<Made, Refusal>> = s.change(|d| {
        updates
            .iter()
            .map(|u| match u {
                Value::Object(details) => create(d, details),
                _ => Err(Refusal::message("Each issue update must be an object.")),
            })
            .collect()
    });
    let mut issues = Vec::new();
    let mut errors = Vec::new();
    for (n, result) in results.into_iter().enumerate() {
        match result {
            Ok((id, key)) => issues.push(created(s, c, id, &key)),
            Err(r) => errors.push(json!({
                "status": 400,
                "elementErrors": r.body(),
                "failedElementNumber": n,
            })),
        }
    }
    let status = if issues.is_empty() && !errors.is_empty() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::CREATED
    };
    json_response(status, &json!({"issues": issues, "errors": errors}))
}

/// `PUT /rest/api/3/issue/{issueIdOrKey}`: 204, or the issue with `returnIssue=true`. A
/// `transition` in the body is ignored, as Jira ignores it here.
pub(crate) fn edit_issue(s: &View, c: &Ctx, body: &[u8]) -> Response {
    let result = on_issue(s, c, body, |d, index, details| {
        let issue = &d.issues[index];
        let mut fields = fields_of(details);
        let mut refusal = Refusal::default();
        issue_fields::merge_update(
            &mut fields,
            details.get("update"),
            &issue.labels,
            &mut refusal,
        );
        for name in CREATE_ONLY {
            if fields.contains_key(*name) {
                refusal.field(name, cannot_be_set(name));
            }
        }
        let scope = Scope {
            data: d,
            project_id: Some(issue.project_id),
        };
        let values = issue_fields::values(&fields, &scope, &mut refusal);
        if !refusal.is_empty() {
            return Err((StatusCode::BAD_REQUEST, refusal));
        }
        let change = change_now(d);
        d.edit_issue_fields(index, &values, &change);
        Ok(())
    });
    match result {
        Err((status, r)) => r.response(status),
        Ok(()) if c.query_one("returnIssue") == Some("true") => get_issue(s, c, &[]),
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
    }
}

/// `GET /rest/api/3/issue/{issueIdOrKey}/transitions`: what the issue's workflow allows from
/// its status (`transitionId` narrows to one). No transition has a screen.
pub(crate) fn get_transitions(s: &View, c: &Ctx, _: &[u8]) -> Response {
    let d = s.data();
    let Some(index) = d
        .issue_by_id_or_key(c.param("issueIdOrKey"))
        .and_then(|i| d.issue_index_by_id(i.id))
    else {
        return Refusal::message(ISSUE_MISSING).response(StatusCode::NOT_FOUND);
    };
    let only = c.query_one("transitionId");
    let r = c.renderer(d);
    let transitions: Vec<Value> = d
        .transitions(index)
        .into_iter()
        .filter(|t| only.is_none_or(|id| id == t.id.to_string()))
        .map(|t| {
            json!({
                "id": t.id.to_string(),
                "name": t.name,
                "to": r.status(t.to),
                "hasScreen": false,
                "isGlobal": false,
                "isInitial": false,
                "isAvailable": true,
                "isConditional": false,
                "isLooped": false,
            })
        })
        .collect();
    json_response(
        StatusCode::OK,
        &json!({"expand": "transitions", "transitions": transitions}),
    )
}

/// `POST /rest/api/3/issue/{issueIdOrKey}/transitions`: 204. Transitions have no screen, so
/// fields sent with one cannot be set.
pub(crate) fn do_transition(s: &View, c: &Ctx, body: &[u8]) -> Response {
    let result = on_issue(s, c, body, |d, index, details| {
        let refuse = |m: String| (StatusCode::BAD_REQUEST, Refusal::message(m));
        let id = match details.get("transition").and_then(|t| t.get("id")) {
            None => return Err(refuse("Missing 'transition' identifier".into())),
            Some(Value::String(s)) => s.parse::<u64>().ok(),
            Some(Value::Number(n)) => n.as_u64(),
            Some(_) => None,
        }
        .ok_or_else(|| refuse("'transition' identifier must be an integer".into()))?;
        let Some(step) = d.transitions(index).into_iter().find(|t| t.id == id) else {
            return Err(refuse(format!(
                "Transition id '{id}' is not valid for this issue."
            )));
        };
        let mut refusal = Refusal::default();
        for name in fields_of(details).keys() {
            refusal.field(name, cannot_be_set(name));
        }
        if !refusal.is_empty() {
            return Err((StatusCode::BAD_REQUEST, refusal));
        }
        let change = change_now(d);
        d.transition_issue(index, step.to, &change);
        Ok(())
    });
    result.map_or_else(
        |(status, r)| r.response(status),
        |()| StatusCode::NO_CONTENT.into_response(),
    )
}

/// `DELETE /rest/api/3/issue/{issueIdOrKey}`: 204; an issue with sub-tasks only with
/// `deleteSubtasks=true`.
pub(crate) fn delete_issue(s: &View, c: &Ctx, _: &[u8]) -> Response {
    let with_subtasks = c.query_one("deleteSubtasks") == Some("true");
    let result = on_issue(s, c, b"{}", |d, index, _| {
        let shown = d.issues[index].key.clone();
        let change = change_now(d);
        d.delete_issue(index, with_subtasks, &change)
            .map_err(|DeleteRefused::HasSubtasks| {
                (
                    StatusCode::BAD_REQUEST,
                    Refusal::message(format!(
                        "The issue '{shown}' has subtasks. You must specify the 'deleteSubtasks' parameter to delete this issue with all its subtasks."
                    )),
                )
            })
    });
    result.map_or_else(
        |(status, r)| r.response(status),
        |_| StatusCode::NO_CONTENT.into_response(),
    )
}

/// Runs `write` on the issue the path names with the request body, inside one change of the
/// data (so it validates against what it changes). A body that is not an object and a missing
/// issue are refused as Jira refuses them.
fn on_issue<R>(
    s: &View,
    c: &Ctx,
    body: &[u8],
    write: impl FnOnce(&mut JiraData, usize, &Map<String, Value>) -> Result<R, Refused>,
) -> Result<R, Refused> {
    let details = object(body).map_err(|r| (StatusCode::BAD_REQUEST, r))?;
    let key = c.param("issueIdOrKey");
    s.change(|d| write(d, find(d, key)?, &details))
}

/// A refusal and the status it is answered with.
pub(super) type Refused = (StatusCode, Refusal);

/// Creates one issue from its `IssueUpdateDetails`, or says every problem with it.
fn create(d: &mut JiraData, details: &Map<String, Value>) -> Result<Made, Refusal> {
    let mut fields = fields_of(details);
    let mut refusal = Refusal::default();
    issue_fields::merge_update(&mut fields, details.get("update"), &[], &mut refusal);
    let project = fields.get("project").and_then(|p| {
        let id = p.get("id").and_then(|v| match v {
            Value::String(s) => s.parse::<u64>().ok(),
            other => other.as_u64(),
        });
        let key = p.get("key").and_then(Value::as_str);
        d.projects
            .iter()
            .find(|x| Some(x.id) == id || key.is_some_and(|k| x.key.eq_ignore_ascii_case(k)))
            .map(|x| x.id)
    });
    if project.is_none() {
        refusal.field("project", "Specify a valid project ID or key");
    }
    let issue_type = fields.get("issuetype").and_then(|t| {
        let id = t.get("id").and_then(Value::as_str);
        let name = t.get("name").and_then(Value::as_str);
        d.issue_types
            .iter()
            .find(|x| id == Some(&x.id.to_string()) || name == Some(x.name.as_str()))
            .map(|x| x.id)
    });
    match (fields.get("issuetype"), issue_type) {
        (None, _) => refusal.field("issuetype", "Specify an issue type"),
        (Some(_), None) => refusal.field("issuetype", "The issue type selected is invalid."),
        _ => {}
    }
    if !fields.contains_key("summary") {
        refusal.field("summary", "You must specify a summary of the issue.");
    }
    if let Some(t) = issue_type {
        // Only what the type's create screen has (see createmeta).
        let on_screen = createmeta::screen(t);
        for name in fields.keys() {
            if !on_screen.iter().any(|(id, _, _)| id == name) {
                refusal.field(name, cannot_be_set(name));
            }
        }
    }
    let parent = match fields.get("parent") {
        None => None,
        Some(p) => {
            let named = p.get("key").or_else(|| p.get("id")).and_then(|v| {
                v.as_str()
                    .map(str::to_string)
                    .or_else(|| v.as_u64().map(|n| n.to_string()))
            });
            let found = named.as_deref().and_then(|k| d.issue_by_id_or_key(k));
            match found {
                Some(p) => d.issue_index_by_id(p.id),
                None => {
                    refusal.field("parent", "Could not find issue by id or key.");
                    None
                }
            }
        }
    };
    if let (Some(t), Some(pid)) = (issue_type, project) {
        hierarchy(
            d,
            t,
            pid,
            parent,
            fields.contains_key("parent"),
            &mut refusal,
        );
    }
    let scope = Scope {
        data: d,
        project_id: project,
    };
    let values = issue_fields::values(&fields, &scope, &mut refusal);
    let (Some(project), Some(issue_type)) = (project, issue_type) else {
        return Err(refusal);
    };
    if !refusal.is_empty() {
        return Err(refusal);
    }
    let properties = properties(details.get("properties"), &mut refusal);
    if !refusal.is_empty() {
        return Err(refusal);
    }
    let new = NewIssue {
        project_id: project,
        issue_type_id: issue_type,
        parent,
        properties,
    };
    let change = change_now(d);
    let index = d.create_issue(new, &values, &change);
    let issue = &d.issues[index];
    Ok((issue.id, issue.key.clone()))
}

/// The entity properties of a create: `[{"key": ..., "value": ...}]`, keys up to 255
/// characters, values up to 32,768 characters of JSON.
pub(super) fn properties(v: Option<&Value>, refusal: &mut Refusal) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    for p in v
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
    {
        match (p.get("key").and_then(Value::as_str), p.get("value")) {
            (Some(k), Some(v)) if !k.is_empty() && k.chars().count() <= 255 => {
                if v.to_string().chars().count() > PROPERTY_VALUE_MAX {
                    refusal.messages.push(format!(
                        "The property '{k}' has a value longer than {PROPERTY_VALUE_MAX} characters."
                    ));
                } else {
                    out.insert(k.to_string(), v.clone());
                }
            }
            _ => refusal
                .messages
                .push("Each property needs a key of 1 to 255 characters and a value.".into()),
        }
    }
    out
}

/// Sub-tasks need a parent in their project that is not itself a sub-task; other issues may
/// only have an epic as parent.
fn hierarchy(
    d: &JiraData,
    issue_type: u64,
    project: u64,
    parent: Option<usize>,
    parent_named: bool,
    refusal: &mut Refusal,
) {
    let parent = parent.map(|p| &d.issues[p]);
    match (issue_type == SUBTASK, parent) {
        (true, None) if !parent_named => {
            refusal.field("parent", "Sub-tasks must have a parent issue.");
        }
        (true, Some(p)) if p.project_id != project => refusal.field(
            "project",
            "Sub-tasks must be created in the same project as the parent.",
        ),
        (true, Some(p)) if p.issue_type_id == SUBTASK => refusal.field(
            "parent",
            "Given parent work item does not belong to appropriate hierarchy.",
        ),
        (false, Some(p)) if p.issue_type_id != crate::jira::data::EPIC => refusal.field(
            "parent",
            "Given parent work item does not belong to appropriate hierarchy.",
        ),
        _ => {}
    }
}

/// The answer for an issue made: `CreatedIssue`.
fn created(s: &View, c: &Ctx, id: u64, key: &str) -> Value {
    json!({
        "id": id.to_string(),
        "key": key,
        "self": c.renderer(s.data()).url(&format!("issue/{id}")),
    })
}

/// The request body as an object.
pub(super) fn object(body: &[u8]) -> Result<Map<String, Value>, Refusal> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => Ok(m),
        _ => Err(Refusal::message(
            "Invalid request payload. Refer to the REST API documentation and try again.",
        )),
    }
}

/// The `fields` object of a request (empty when absent).
fn fields_of(details: &Map<String, Value>) -> Map<String, Value> {
    details
        .get("fields")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default()
}

/// The index of the issue a path names, or Jira's 404.
pub(super) fn find(d: &JiraData, key: &str) -> Result<usize, Refused> {
    d.issue_by_id_or_key(key)
        .and_then(|i| d.issue_index_by_id(i.id))
        .ok_or_else(|| (StatusCode::NOT_FOUND, Refusal::message(ISSUE_MISSING)))
}

/// A change by the API user, now.
pub(super) fn change_now(d: &JiraData) -> Change {
    Change {
        author: d.myself.clone(),
        at: Utc::now().fixed_offset(),
    }
}
