//! Project versions written as Jira does: created (`POST /version`), changed
//! (`PUT /version/{id}`, only the members sent) and removed (`POST /version/{id}/removeAndSwap`,
//! or the deprecated `DELETE /version/{id}`), with Jira's rules and messages: a project and a
//! name (at most 255 characters, unique in the project), dates as `yyyy-MM-dd` with the start
//! no later than the release. Removing a version clears it from its issues' fix versions, or
//! moves them to another version of the same project.

use axum::http::StatusCode;
use axum::response::Response;
use chrono::NaiveDate;
use serde_json::{Map, Value};

use super::entity_write::{
    bad, id_in, name, no_content, position, project_of, swap_id, text, write_one,
};
use super::issue_fields::Refusal;
use super::issue_write::{Refused, object};
use crate::jira::data::{JiraData, Version};
use crate::jira::server::{Ctx, View};

/// `POST /version`: 201 with the version.
pub(crate) fn create_version(s: &View, c: &Ctx, body: &[u8]) -> Response {
    let create = |d: &mut JiraData, details: &Map<String, Value>| {
        let mut refusal = Refusal::default();
        let missing = "Project must be specified to create a version.";
        let project = project_of(d, details, &["projectId", "project"], missing, &mut refusal);
        let values = values(details, &mut refusal);
        if values.name.is_none() && !refusal.fields.contains_key("name") {
            refusal.field("name", "You must specify a valid version name");
        }
        let (Some(project), Some(name)) = (project, values.name.clone()) else {
            return Err(bad(refusal));
        };
        unique_name(d, project, &name, None, &mut refusal);
        let mut version = Version {
            id: d.versions.iter().map(|v| v.id).max().unwrap_or(10_000) + 1,
            project_id: project,
            name,
            description: String::new(),
            archived: false,
            released: false,
            release_date: None,
            start_date: None,
            sequence: next_sequence(d, project),
        };
        apply(&mut version, &values, &mut refusal);
        if !refusal.is_empty() {
            return Err(bad(refusal));
        }
        d.versions.push(version.clone());
        Ok(version)
    };
    write_one(s, c, body, StatusCode::CREATED, create, |r, v| {
        r.version(&v, None)
    })
}

/// `PUT /version/{id}`: 200 with the version; members left out keep their values.
pub(crate) fn update_version(s: &View, c: &Ctx, body: &[u8]) -> Response {
    let update = |d: &mut JiraData, details: &Map<String, Value>| {
        let at = version_at(d, c.param("id"))?;
        let mut refusal = Refusal::default();
        let values = values(details, &mut refusal);
        let mut version = d.versions[at].clone();
        if let Some(name) = &values.name {
            unique_name(d, version.project_id, name, Some(version.id), &mut refusal);
        }
        apply(&mut version, &values, &mut refusal);
        if !refusal.is_empty() {
            return Err(bad(refusal));
        }
        d.versions[at] = version.clone();
        Ok(version)
    };
    write_one(s, c, body, StatusCode::OK, update, |r, v| {
        r.version(&v, None)
    })
}

/// `POST /version/{id}/removeAndSwap`: 204; the body names where the issues' fix versions go.
pub(crate) fn remove_and_swap(s: &View, c: &Ctx, body: &[u8]) -> Response {
    let details = if body.iter().all(u8::is_ascii_whitespace) {
        Ok(Map::new())
    } else {
        object(body).map_err(bad)
    };
    let move_to = details.map(|d| d.get("moveFixIssuesTo").cloned().unwrap_or(Value::Null));
    remove(s, c, move_to)
}

/// `DELETE /version/{id}` (deprecated): 204; `moveFixIssuesTo` in the query.
pub(crate) fn delete_version(s: &View, c: &Ctx, _: &[u8]) -> Response {
    let move_to = c
        .query_one("moveFixIssuesTo")
        .map_or(Value::Null, |v| Value::String(v.to_string()));
    remove(s, c, Ok(move_to))
}

fn remove(s: &View, c: &Ctx, move_to: Result<Value, Refused>) -> Response {
    let result = move_to.and_then(|move_to| {
        s.change(|d| {
            let at = version_at(d, c.param("id"))?;
            let gone = d.versions[at].clone();
            let target = match &move_to {
                Value::Null => None,
                v => Some(swap_target(d, &gone, v)?),
            };
            for issue in &mut d.issues {
                swap_id(&mut issue.fix_version_ids, gone.id, target);
            }
            d.versions.remove(at);
            Ok(())
        })
    });
    no_content(result)
}

/// The version issues move to: another version of the same project.
fn swap_target(d: &JiraData, gone: &Version, to: &Value) -> Result<u64, Refused> {
    match id_in(to).and_then(|id| d.version(id)) {
        Some(v) if v.id != gone.id && v.project_id == gone.project_id => Ok(v.id),
        _ => Err(bad(Refusal::message(
            "The replacement version must be another version of the same project.",
        ))),
    }
}

/// What a request sets: `None` leaves a member as it is; `Some(None)` clears a date.
#[derive(Default)]
struct Values {
    name: Option<String>,
    description: Option<String>,
    released: Option<bool>,
    archived: Option<bool>,
    start_date: Option<Option<NaiveDate>>,
    release_date: Option<Option<NaiveDate>>,
}

fn values(details: &Map<String, Value>, refusal: &mut Refusal) -> Values {
    let mut out = Values {
        name: name(details, "You must specify a valid version name", refusal),
        description: text(details, "description", refusal),
        ..Values::default()
    };
    for (member, slot) in [
        ("released", &mut out.released),
        ("archived", &mut out.archived),
    ] {
        match details.get(member) {
            None | Some(Value::Null) => {}
            Some(Value::Bool(b)) => *slot = Some(*b),
            Some(_) => refusal.field(member, format!("The {member} flag must be true or false.")),
        }
    }
    for (member, slot) in [
        ("startDate", &mut out.start_date),
        ("releaseDate", &mut out.release_date),
    ] {
        match details.get(member) {
            None => {}
            Some(Value::Null) => *slot = Some(None),
            Some(Value::String(t)) => match NaiveDate::parse_from_str(t, "%Y-%m-%d") {
                Ok(day) => *slot = Some(Some(day)),
                Err(_) => refusal.field(
                    member,
                    format!("The {member} '{t}' is not a date in the format yyyy-MM-dd."),
                ),
            },
            Some(_) => refusal.field(member, "Dates are strings in the format yyyy-MM-dd."),
        }
    }
    out
}

/// Applies `values` to `v`, refusing a start after the release.
fn apply(v: &mut Version, values: &Values, refusal: &mut Refusal) {
    if let Some(name) = &values.name {
        v.name = name.clone();
    }
    if let Some(t) = &values.description {
        v.description = t.clone();
    }
    if let Some(b) = values.released {
        v.released = b;
    }
    if let Some(b) = values.archived {
        v.archived = b;
    }
    if let Some(d) = values.start_date {
        v.start_date = d;
    }
    if let Some(d) = values.release_date {
        v.release_date = d;
    }
    if let (Some(start), Some(release)) = (v.start_date, v.release_date)
        && start > release
    {
        refusal.field(
            "startDate",
            "The start date must not be after the release date.",
        );
    }
}

fn unique_name(d: &JiraData, project: u64, name: &str, except: Option<u64>, r: &mut Refusal) {
    let taken = d.versions.iter().any(|v| {
        v.project_id == project && Some(v.id) != except && v.name.eq_ignore_ascii_case(name)
    });
    if taken {
        r.field(
            "name",
            "A version with this name already exists in this project.",
        );
    }
}

fn next_sequence(d: &JiraData, project: u64) -> u32 {
    d.versions
        .iter()
        .filter(|v| v.project_id == project)
        .map(|v| v.sequence + 1)
        .max()
        .unwrap_or(1)
}

/// The position of version `{id}`, or Jira's 404.
fn version_at(d: &JiraData, id: &str) -> Result<usize, Refused> {
    let missing = format!("Could not find version for id '{id}'");
    position(d.versions.iter().map(|v| v.id), id, missing)
}
