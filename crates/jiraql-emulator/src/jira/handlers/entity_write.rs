//! What the handlers writing the site's entities (versions, components) share: the request
//! read and applied inside one change of the data, a name checked as Jira checks it, the
//! project a new entity goes to, Jira's 204, 400 and 404 answers, and an entity removed from
//! the issues that name it.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};

use super::issue_fields::Refusal;
use super::issue_write::{Refused, object};
use crate::jira::data::JiraData;
use crate::jira::render::Renderer;
use crate::jira::server::{Ctx, View, json_response};

/// Reads the body, applies it to the data in one change, and answers `status` with what
/// `render` makes of the result, or Jira's refusal.
pub(super) fn write_one<T>(
    s: &View,
    c: &Ctx,
    body: &[u8],
    status: StatusCode,
    apply: impl FnOnce(&mut JiraData, &Map<String, Value>) -> Result<T, Refused>,
    render: impl FnOnce(&Renderer, T) -> Value,
) -> Response {
    let result = object(body)
        .map_err(bad)
        .and_then(|details| s.change(|d| apply(d, &details)));
    match result {
        Ok(done) => json_response(status, &render(&c.renderer(s.data()), done)),
        Err((status, r)) => r.response(status),
    }
}

/// A `name` member, when sent: text of 1 to 255 characters, trimmed; `invalid` otherwise.
pub(super) fn name(
    details: &Map<String, Value>,
    invalid: &str,
    refusal: &mut Refusal,
) -> Option<String> {
    match details.get("name") {
        None | Some(Value::Null) => None,
        Some(Value::String(n)) if !n.trim().is_empty() && n.chars().count() <= 255 => {
            Some(n.trim().to_string())
        }
        Some(_) => {
            refusal.field("name", invalid);
            None
        }
    }
}

/// A text member, when sent (null clears it to "").
pub(super) fn text(
    details: &Map<String, Value>,
    member: &str,
    refusal: &mut Refusal,
) -> Option<String> {
    match details.get(member) {
        None => None,
        Some(Value::Null) => Some(String::new()),
        Some(Value::String(t)) => Some(t.clone()),
        Some(_) => {
            refusal.field(member, format!("The {member} must be text."));
            None
        }
    }
}

/// The project a new entity goes to, named by `members` (id or key) in order.
pub(super) fn project_of(
    d: &JiraData,
    details: &Map<String, Value>,
    members: &[&str],
    missing: &str,
    refusal: &mut Refusal,
) -> Option<u64> {
    let named = members.iter().find_map(|m| match details.get(*m) {
        Some(Value::Number(n)) => Some(n.to_string()),
        Some(Value::String(s)) => Some(s.clone()),
        _ => None,
    });
    let Some(named) = named else {
        refusal.field("project", missing);
        return None;
    };
    let found = d.project_by_id_or_key(&named).map(|p| p.id);
    if found.is_none() {
        refusal.field(
            "project",
            format!("No project could be found with key '{named}'."),
        );
    }
    found
}

/// The position of the entity `{id}` among `ids`, or Jira's 404 saying `missing`.
pub(super) fn position(
    mut ids: impl Iterator<Item = u64>,
    id: &str,
    missing: String,
) -> Result<usize, Refused> {
    id.parse::<u64>()
        .ok()
        .and_then(|id| ids.position(|x| x == id))
        .ok_or((StatusCode::NOT_FOUND, Refusal::message(missing)))
}

/// A replacement named by an id given as a number or as text.
pub(super) fn id_in(v: &Value) -> Option<u64> {
    v.as_u64()
        .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
}

pub(super) fn bad(r: Refusal) -> Refused {
    (StatusCode::BAD_REQUEST, r)
}

/// A 204 for a change made, or Jira's refusal.
pub(super) fn no_content(result: Result<(), Refused>) -> Response {
    match result {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err((status, r)) => r.response(status),
    }
}

/// Takes `gone` out of an issue's `ids` (its fix versions, its components), putting `to` in
/// its place unless the issue has it already.
pub(super) fn swap_id(ids: &mut Vec<u64>, gone: u64, to: Option<u64>) {
    if let Some(i) = ids.iter().position(|&x| x == gone) {
        ids.remove(i);
        if let Some(t) = to.filter(|t| !ids.contains(t)) {
            ids.insert(i, t);
        }
    }
}
