//! Projects written as Jira does: created (`POST /project`, answering its id and key),
//! changed (`PUT /project/{projectIdOrKey}`, only the members sent) and deleted
//! (`DELETE /project/{projectIdOrKey}`, with its issues, versions, components and boards),
//! with Jira's rules and messages: a key of 2 to 10 upper-case letters and digits starting with
//! a letter, key and name unique on the site, a project type Jira knows, a lead who is a user.

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Map, Value, json};

use super::entity_write::{bad, name, no_content, text, write_one};
use super::issue_fields::Refusal;
use super::issue_write::{Refused, change_now};
use crate::jira::data::{JiraData, Project};
use crate::jira::server::{Ctx, View};

const PROJECT_TYPES: [&str; 3] = ["software", "business", "service_desk"];

/// `POST /project`: 201 with `{self, id, key}`.
pub(crate) fn create_project(s: &View, c: &Ctx, body: &[u8]) -> Response {
    let create = |d: &mut JiraData, details: &Map<String, Value>| {
        let mut refusal = Refusal::default();
        let mut project = Project {
            id: d.projects.iter().map(|p| p.id).max().unwrap_or(10_000) + 1,
            key: String::new(),
            name: String::new(),
            project_type_key: String::new(),
            simplified: false,
            lead: String::new(),
            description: String::new(),
        };
        match details.get("projectTypeKey").and_then(Value::as_str) {
            Some(t) if PROJECT_TYPES.contains(&t) => project.project_type_key = t.into(),
            _ => refusal.field(
                "projectTypeKey",
                format!(
                    "The project type must be one of {}.",
                    PROJECT_TYPES.join(", ")
                ),
            ),
        }
        apply(d, &mut project, details, &mut refusal);
        for (member, missing) in [
            (
                project.key.is_empty(),
                ("projectKey", "You must specify a unique project key."),
            ),
            (
                project.name.is_empty(),
                ("projectName", "You must specify a valid project name."),
            ),
            (
                project.lead.is_empty(),
                ("projectLead", "You must specify a project lead."),
            ),
        ] {
            if member && !refusal.fields.contains_key(missing.0) {
                refusal.field(missing.0, missing.1);
            }
        }
        if !refusal.is_empty() {
            return Err(bad(refusal));
        }
        d.projects.push(project.clone());
        Ok(project)
    };
    write_one(
        s,
        c,
        body,
        StatusCode::CREATED,
        create,
        |r, p| json!({"self": r.url(&format!("project/{}", p.id)), "id": p.id, "key": p.key}),
    )
}

/// `PUT /project/{projectIdOrKey}`: 200 with the project.
pub(crate) fn update_project(s: &View, c: &Ctx, body: &[u8]) -> Response {
    let update = |d: &mut JiraData, details: &Map<String, Value>| {
        let at = project_at(d, c.param("projectIdOrKey"))?;
        let mut project = d.projects[at].clone();
        let mut refusal = Refusal::default();
        if details.contains_key("projectTypeKey") {
            refusal.field("projectTypeKey", "The project type cannot be changed here.");
        }
        apply(d, &mut project, details, &mut refusal);
        if !refusal.is_empty() {
            return Err(bad(refusal));
        }
        d.projects[at] = project.clone();
        Ok(project.id)
    };
    write_one(s, c, body, StatusCode::OK, update, |r, id| {
        r.data
            .project(id)
            .map_or(Value::Null, |p| r.project_full(p))
    })
}

/// `DELETE /project/{projectIdOrKey}`: 204; its issues, versions, components, boards and
/// their sprints go with it.
pub(crate) fn delete_project(s: &View, c: &Ctx, _: &[u8]) -> Response {
    let result = s.change(|d| {
        let at = project_at(d, c.param("projectIdOrKey"))?;
        let id = d.projects[at].id;
        let change = change_now(d);
        while let Some(i) = d.issues.iter().position(|i| i.project_id == id) {
            let _ = d.delete_issue(i, true, &change);
        }
        d.versions.retain(|v| v.project_id != id);
        d.components.retain(|x| x.project_id != id);
        let boards: Vec<u64> = d
            .boards
            .iter()
            .filter(|b| b.project_id == id)
            .map(|b| b.id)
            .collect();
        d.sprints.retain(|sp| !boards.contains(&sp.board_id));
        d.boards.retain(|b| b.project_id != id);
        d.projects.remove(at);
        Ok::<_, Refused>(())
    });
    no_content(result)
}

/// Applies the members sent: key, name, description, lead.
fn apply(d: &JiraData, p: &mut Project, details: &Map<String, Value>, r: &mut Refusal) {
    if let Some(key) = details.get("key") {
        match key.as_str() {
            Some(k) if !valid_key(k) => r.field(
                "projectKey",
                "Project keys must start with an uppercase letter, followed by one or more \
                 uppercase alphanumeric characters, and be at most 10 characters long.",
            ),
            Some(k) if d.projects.iter().any(|o| o.id != p.id && o.key == k) => {
                r.field(
                    "projectKey",
                    format!("Project '{k}' uses this project key."),
                );
            }
            Some(k) => p.key = k.to_string(),
            None => r.field("projectKey", "The project key must be text."),
        }
    }
    if let Some(n) = name(details, "You must specify a valid project name.", r) {
        let taken = d
            .projects
            .iter()
            .any(|o| o.id != p.id && o.name.eq_ignore_ascii_case(&n));
        if taken {
            r.field("projectName", "A project with that name already exists.");
        }
        p.name = n;
    }
    if let Some(t) = text(details, "description", r) {
        p.description = t;
    }
    match details.get("leadAccountId") {
        None => {}
        Some(Value::String(a)) if d.user(a).is_some() => p.lead = a.clone(),
        Some(other) => r.field("projectLead", format!("The user {other} does not exist.")),
    }
}

fn valid_key(k: &str) -> bool {
    let mut chars = k.chars();
    (2..=10).contains(&k.len())
        && chars.next().is_some_and(|c| c.is_ascii_uppercase())
        && chars.all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}

/// The position of project `{projectIdOrKey}`, or Jira's 404.
fn project_at(d: &JiraData, id_or_key: &str) -> Result<usize, Refused> {
    d.project_by_id_or_key(id_or_key)
        .and_then(|p| d.projects.iter().position(|x| x.id == p.id))
        .ok_or_else(|| {
            (
                StatusCode::NOT_FOUND,
                Refusal::message(format!("No project could be found with key '{id_or_key}'.")),
            )
        })
}
