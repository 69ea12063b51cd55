//! Issue types and project roles written as Jira does: created (`POST /issuetype`,
//! `POST /role`), changed (`PUT /issuetype/{id}`, the partial `POST /role/{id}`) and deleted
//! (`DELETE /issuetype/{id}` moving its issues to `alternativeIssueTypeId`,
//! `DELETE /role/{id}` handing its members to `swap`), with Jira's rules and messages: a
//! name unique on the site (409 otherwise), at most 60 characters for an issue type, an issue
//! type in use deleted only with an alternative of the same kind.

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Map, Value, json};

use super::entity_write::{bad, id_in, name, no_content, position, text, write_one};
use super::issue_fields::Refusal;
use super::issue_write::Refused;
use crate::jira::data::{IssueType, JiraData, ProjectRole};
use crate::jira::server::{Ctx, View, json_response};

/// `POST /issuetype`: 201 with the issue type.
pub(crate) fn create_issue_type(s: &View, c: &Ctx, body: &[u8]) -> Response {
    let create = |d: &mut JiraData, details: &Map<String, Value>| {
        let mut refusal = Refusal::default();
        let subtask = match (details.get("type"), details.get("hierarchyLevel")) {
            (Some(t), _) if t == "subtask" => true,
            (Some(t), _) if t == "standard" => false,
            (Some(t), _) => {
                refusal.field("type", format!("{t} is not standard or subtask."));
                false
            }
            (None, Some(level)) => level.as_i64() == Some(-1),
            (None, None) => false,
        };
        let mut t = IssueType {
            id: d.issue_types.iter().map(|t| t.id).max().unwrap_or(10_000) + 1,
            name: String::new(),
            description: String::new(),
            subtask,
            hierarchy_level: if subtask { -1 } else { 0 },
        };
        apply_type(d, &mut t, details, &mut refusal)?;
        if t.name.is_empty() && !refusal.fields.contains_key("name") {
            refusal.field("name", "The issue type name must not be empty.");
        }
        if !refusal.is_empty() {
            return Err(bad(refusal));
        }
        d.issue_types.push(t.clone());
        Ok(t.id)
    };
    write_one(s, c, body, StatusCode::CREATED, create, |r, id| {
        r.issue_type(id)
    })
}

/// `PUT /issuetype/{id}`: 200 with the issue type; members left out keep their values.
pub(crate) fn update_issue_type(s: &View, c: &Ctx, body: &[u8]) -> Response {
    let update = |d: &mut JiraData, details: &Map<String, Value>| {
        let at = type_at(d, c.param("id"))?;
        let mut t = d.issue_types[at].clone();
        let mut refusal = Refusal::default();
        apply_type(d, &mut t, details, &mut refusal)?;
        if !refusal.is_empty() {
            return Err(bad(refusal));
        }
        d.issue_types[at] = t.clone();
        Ok(t.id)
    };
    write_one(s, c, body, StatusCode::OK, update, |r, id| r.issue_type(id))
}

/// `DELETE /issuetype/{id}`: 204; its issues move to `alternativeIssueTypeId`.
pub(crate) fn delete_issue_type(s: &View, c: &Ctx, _: &[u8]) -> Response {
    let result = s.change(|d| {
        let at = type_at(d, c.param("id"))?;
        let gone = d.issue_types[at].clone();
        let in_use = d.issues.iter().any(|i| i.issue_type_id == gone.id);
        let alternative = c.query_one("alternativeIssueTypeId");
        let to = match (in_use, alternative) {
            (false, _) => None,
            (true, None) => {
                return Err((
                    StatusCode::CONFLICT,
                    Refusal::message(
                        "The issue type is in use; give alternativeIssueTypeId for its issues.",
                    ),
                ));
            }
            (true, Some(a)) => match id_in(&json!(a)).and_then(|id| d.issue_type(id)) {
                Some(t) if t.id != gone.id && t.subtask == gone.subtask => Some(t.id),
                _ => {
                    return Err(bad(Refusal::message(format!(
                        "The alternative issue type {a} is not another type of the same kind."
                    ))));
                }
            },
        };
        if let Some(to) = to {
            for issue in d.issues.iter_mut().filter(|i| i.issue_type_id == gone.id) {
                issue.issue_type_id = to;
            }
        }
        d.issue_types.remove(at);
        Ok(())
    });
    no_content(result)
}

fn apply_type(
    d: &JiraData,
    t: &mut IssueType,
    details: &Map<String, Value>,
    r: &mut Refusal,
) -> Result<(), Refused> {
    if let Some(n) = name(details, "The issue type name must not be empty.", r) {
        if n.chars().count() > 60 {
            r.field("name", "The issue type name must be at most 60 characters.");
        } else if d
            .issue_types
            .iter()
            .any(|o| o.id != t.id && o.name.eq_ignore_ascii_case(&n))
        {
            return Err(conflict(format!(
                "An issue type with the name '{n}' already exists."
            )));
        }
        t.name = n;
    }
    if let Some(text) = text(details, "description", r) {
        t.description = text;
    }
    Ok(())
}

/// `GET /role/{id}`: the role, without project members.
pub(crate) fn get_role(s: &View, c: &Ctx, _: &[u8]) -> Response {
    let d = s.data();
    match role_at(d, c.param("id")) {
        Ok(at) => {
            let role = &d.roles[at];
            let url = c.renderer(d).url(&format!("role/{}", role.id));
            json_response(StatusCode::OK, &role_json(url, role))
        }
        Err((status, r)) => r.response(status),
    }
}

/// `POST /role`: 200 with the role, as Jira answers it.
pub(crate) fn create_role(s: &View, c: &Ctx, body: &[u8]) -> Response {
    let create = |d: &mut JiraData, details: &Map<String, Value>| {
        let mut refusal = Refusal::default();
        let mut role = ProjectRole {
            id: d.roles.iter().map(|r| r.id).max().unwrap_or(10_000) + 1,
            name: String::new(),
            description: String::new(),
        };
        apply_role(d, &mut role, details, &mut refusal)?;
        if role.name.is_empty() && !refusal.fields.contains_key("name") {
            refusal.field("name", "The role name must not be empty.");
        }
        if !refusal.is_empty() {
            return Err(bad(refusal));
        }
        d.roles.push(role.clone());
        Ok(role)
    };
    write_one(s, c, body, StatusCode::OK, create, |r, role| {
        role_json(r.url(&format!("role/{}", role.id)), &role)
    })
}

/// `POST /role/{id}`: 200 with the role; members left out keep their values.
pub(crate) fn update_role(s: &View, c: &Ctx, body: &[u8]) -> Response {
    let update = |d: &mut JiraData, details: &Map<String, Value>| {
        let at = role_at(d, c.param("id"))?;
        let mut role = d.roles[at].clone();
        let mut refusal = Refusal::default();
        apply_role(d, &mut role, details, &mut refusal)?;
        if !refusal.is_empty() {
            return Err(bad(refusal));
        }
        d.roles[at] = role.clone();
        Ok(role)
    };
    write_one(s, c, body, StatusCode::OK, update, |r, role| {
        role_json(r.url(&format!("role/{}", role.id)), &role)
    })
}

/// `DELETE /role/{id}`: 204; its members move to role `swap`, or leave it.
pub(crate) fn delete_role(s: &View, c: &Ctx, _: &[u8]) -> Response {
    let result = s.change(|d| {
        let at = role_at(d, c.param("id"))?;
        let gone = d.roles[at].id;
        let swap = match c.query_one("swap") {
            None => None,
            Some(to) => match id_in(&json!(to)).and_then(|id| d.role(id)) {
                Some(r) if r.id != gone => Some(r.id),
                _ => {
                    return Err(bad(Refusal::message(format!(
                        "The role {to} to swap to does not exist."
                    ))));
                }
            },
        };
        match swap {
            Some(to) => d
                .role_actors
                .iter_mut()
                .filter(|a| a.role_id == gone)
                .for_each(|a| a.role_id = to),
            None => d.role_actors.retain(|a| a.role_id != gone),
        }
        d.roles.remove(at);
        Ok(())
    });
    no_content(result)
}

fn apply_role(
    d: &JiraData,
    role: &mut ProjectRole,
    details: &Map<String, Value>,
    r: &mut Refusal,
) -> Result<(), Refused> {
    if let Some(n) = name(details, "The role name must not be empty.", r) {
        if d.roles
            .iter()
            .any(|o| o.id != role.id && o.name.eq_ignore_ascii_case(&n))
        {
            return Err(conflict(format!(
                "A project role with name '{n}' already exists."
            )));
        }
        role.name = n;
    }
    if let Some(t) = text(details, "description", r) {
        role.description = t;
    }
    Ok(())
}

fn role_json(url: String, role: &ProjectRole) -> Value {
    json!({"self": url, "name": role.name, "id": role.id, "description": role.description})
}

fn type_at(d: &JiraData, id: &str) -> Result<usize, Refused> {
    let missing = format!("The issue type with id '{id}' does not exist.");
    position(d.issue_types.iter().map(|t| t.id), id, missing)
}

fn role_at(d: &JiraData, id: &str) -> Result<usize, Refused> {
    let missing = format!("The project role with id '{id}' does not exist.");
    position(d.roles.iter().map(|r| r.id), id, missing)
}

fn conflict(message: String) -> Refused {
    (StatusCode::CONFLICT, Refusal::message(message))
}
