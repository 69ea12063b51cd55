//! Project components written as Jira does: created (`POST /component`), changed
//! (`PUT /component/{id}`, only the members sent) and deleted (`DELETE /component/{id}`,
//! `moveIssuesTo` another component of the same project, else its issues lose it), with
//! Jira's rules and messages: a project key and a name unique in the project, a lead who is a
//! user of the site, an assignee type Jira knows.

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Map, Value};

use super::entity_write::{
    bad, id_in, name, no_content, position, project_of, swap_id, text, write_one,
};
use super::issue_fields::Refusal;
use super::issue_write::Refused;
use crate::jira::data::{Component, JiraData};
use crate::jira::server::{Ctx, View};

const ASSIGNEE_TYPES: [&str; 4] = [
    "PROJECT_DEFAULT",
    "COMPONENT_LEAD",
    "PROJECT_LEAD",
    "UNASSIGNED",
];

/// `POST /component`: 201 with the component.
pub(crate) fn create_component(s: &View, c: &Ctx, body: &[u8]) -> Response {
    let create = |d: &mut JiraData, details: &Map<String, Value>| {
        let mut refusal = Refusal::default();
        let missing = "The project key must be specified to create a component.";
        let project = project_of(d, details, &["project"], missing, &mut refusal);
        let mut component = Component {
            id: d.components.iter().map(|x| x.id).max().unwrap_or(10_000) + 1,
            project_id: project.unwrap_or_default(),
            name: String::new(),
            description: String::new(),
            lead: None,
            assignee_type: "PROJECT_DEFAULT".into(),
        };
        apply(d, &mut component, details, &mut refusal);
        if component.name.is_empty() && !refusal.fields.contains_key("name") {
            refusal.field("name", "The component name must not be empty.");
        }
        if !refusal.is_empty() || project.is_none() {
            return Err(bad(refusal));
        }
        d.components.push(component.clone());
        Ok(component)
    };
    write_one(s, c, body, StatusCode::CREATED, create, |r, x| {
        r.component(&x, None)
    })
}

/// `PUT /component/{id}`: 200 with the component; members left out keep their values.
pub(crate) fn update_component(s: &View, c: &Ctx, body: &[u8]) -> Response {
    let update = |d: &mut JiraData, details: &Map<String, Value>| {
        let at = component_at(d, c.param("id"))?;
        let mut refusal = Refusal::default();
        let mut component = d.components[at].clone();
        apply(d, &mut component, details, &mut refusal);
        if !refusal.is_empty() {
            return Err(bad(refusal));
        }
        d.components[at] = component.clone();
        Ok(component)
    };
    write_one(s, c, body, StatusCode::OK, update, |r, x| {
        r.component(&x, None)
    })
}

/// `DELETE /component/{id}`: 204; `moveIssuesTo` names where its issues go.
pub(crate) fn delete_component(s: &View, c: &Ctx, _: &[u8]) -> Response {
    let result = s.change(|d| {
        let at = component_at(d, c.param("id"))?;
        let gone = d.components[at].clone();
        let target = match c.query_one("moveIssuesTo") {
            None => None,
            Some(to) => Some(move_target(d, &gone, to)?),
        };
        for issue in &mut d.issues {
            swap_id(&mut issue.component_ids, gone.id, target);
        }
        d.components.remove(at);
        Ok(())
    });
    no_content(result)
}

/// The component issues move to: another of the same project.
fn move_target(d: &JiraData, gone: &Component, to: &str) -> Result<u64, Refused> {
    match id_in(&Value::String(to.into())).and_then(|id| d.component(id)) {
        Some(x) if x.id != gone.id && x.project_id == gone.project_id => Ok(x.id),
        _ => Err(bad(Refusal::message(format!(
            "The component '{to}' to move issues to is not another component of this project."
        )))),
    }
}

/// Applies the members sent to `x`: name (unique in its project), description, lead, assignee
/// type.
fn apply(d: &JiraData, x: &mut Component, details: &Map<String, Value>, r: &mut Refusal) {
    if let Some(n) = name(details, "The component name must not be empty.", r) {
        let taken = d.components.iter().any(|o| {
            o.project_id == x.project_id && o.id != x.id && o.name.eq_ignore_ascii_case(&n)
        });
        if taken {
            r.field(
                "name",
                format!("A component with the name {n} already exists in this project."),
            );
        }
        x.name = n;
    }
    if let Some(t) = text(details, "description", r) {
        x.description = t;
    }
    match details.get("leadAccountId") {
        None => {}
        Some(Value::Null) => x.lead = None,
        Some(Value::String(a)) if a.is_empty() => x.lead = None,
        Some(Value::String(a)) if d.user(a).is_some() => x.lead = Some(a.clone()),
        Some(other) => r.field("leadAccountId", format!("The user {other} does not exist.")),
    }
    match details.get("assigneeType") {
        None | Some(Value::Null) => {}
        Some(Value::String(t)) if ASSIGNEE_TYPES.contains(&t.as_str()) => {
            x.assignee_type = t.clone();
        }
        Some(other) => r.field(
            "assigneeType",
            format!(
                "The assignee type {other} is not one of {}.",
                ASSIGNEE_TYPES.join(", ")
            ),
        ),
    }
}

/// The position of component `{id}`, or Jira's 404.
fn component_at(d: &JiraData, id: &str) -> Result<usize, Refused> {
    let missing = format!("The component with id {id} does not exist.");
    position(d.components.iter().map(|x| x.id), id, missing)
}
