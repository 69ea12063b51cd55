//! One object by id, as popular clients ask for it (jira-python's `status()`, `priority()`,
//! `issue_type()`, `component()`, `version()`, `filter()`, `favourite_filters()`,
//! `statuscategories()`; go-jira's and jira.js's equivalents): the shapes the listings use,
//! and Jira's 404 for an id the site does not have.

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};

use super::{Fail, expand_set, ok, respond};
use crate::jira::data::JiraData;
use crate::jira::render::Renderer;
use crate::jira::server::{Ctx, View};

fn missing(what: &str, id: &str) -> Fail {
    Fail::new(
        StatusCode::NOT_FOUND,
        vec![format!("The {what} with id '{id}' does not exist.")],
    )
}

/// The numeric id in path parameter `name`.
fn id_param(c: &Ctx, name: &str) -> Option<u64> {
    c.param(name).trim().parse().ok()
}

/// Answers the object path parameter `param` names by its numeric id, rendered by `render`,
/// or Jira's 404 naming `what`.
fn one<'d, T: 'd>(
    s: &'d View,
    c: &Ctx,
    (param, what): (&str, &str),
    find: impl FnOnce(&'d JiraData, u64) -> Option<&'d T>,
    render: impl FnOnce(&Renderer<'_>, &T) -> Value,
) -> Response {
    respond((|| {
        let d = s.data();
        let found = id_param(c, param)
            .and_then(|id| find(d, id))
            .ok_or_else(|| missing(what, c.param(param)))?;
        ok(&render(&c.renderer(d), found))
    })())
}

/// `GET /status/{idOrName}`: by id, or by name ignoring case.
pub(crate) fn status(s: &View, c: &Ctx, _: &[u8]) -> Response {
    respond((|| {
        let key = c.param("idOrName");
        let d = s.data();
        let found = d
            .statuses
            .iter()
            .find(|x| x.id.to_string() == key || x.name.eq_ignore_ascii_case(key))
            .ok_or_else(|| missing("status", key))?;
        ok(&c.renderer(d).status(found.id))
    })())
}

/// `GET /statuscategory`.
pub(crate) fn status_categories(s: &View, c: &Ctx, _: &[u8]) -> Response {
    let d = s.data();
    let r = c.renderer(d);
    let all: Vec<Value> = d
        .status_categories
        .iter()
        .map(|x| r.status_category(x))
        .collect();
    respond(ok(&Value::Array(all)))
}

/// `GET /statuscategory/{idOrKey}`.
pub(crate) fn status_category(s: &View, c: &Ctx, _: &[u8]) -> Response {
    respond((|| {
        let key = c.param("idOrKey");
        let d = s.data();
        let found = d
            .status_categories
            .iter()
            .find(|x| x.id.to_string() == key || x.key.eq_ignore_ascii_case(key))
            .ok_or_else(|| missing("status category", key))?;
        ok(&c.renderer(d).status_category(found))
    })())
}

/// `GET /priority/{id}`.
pub(crate) fn priority(s: &View, c: &Ctx, _: &[u8]) -> Response {
    one(s, c, ("id", "priority"), JiraData::priority, |r, p| {
        r.priority_details(p.id)
    })
}

/// `GET /resolution/{id}`.
pub(crate) fn resolution(s: &View, c: &Ctx, _: &[u8]) -> Response {
    one(s, c, ("id", "resolution"), JiraData::resolution, |r, x| {
        r.resolution_details(x)
    })
}

/// `GET /issuetype/{id}`.
pub(crate) fn issue_type(s: &View, c: &Ctx, _: &[u8]) -> Response {
    one(s, c, ("id", "issue type"), JiraData::issue_type, |r, t| {
        r.issue_type(t.id)
    })
}

/// `GET /issueLinkType/{issueLinkTypeId}`.
pub(crate) fn link_type(s: &View, c: &Ctx, _: &[u8]) -> Response {
    one(
        s,
        c,
        ("issueLinkTypeId", "issue link type"),
        JiraData::issue_link_type,
        |r, t| r.link_type(t),
    )
}

/// `GET /component/{id}`.
pub(crate) fn component(s: &View, c: &Ctx, _: &[u8]) -> Response {
    one(s, c, ("id", "component"), JiraData::component, |r, x| {
        r.component(x, None)
    })
}

/// `GET /version/{id}`.
pub(crate) fn version(s: &View, c: &Ctx, _: &[u8]) -> Response {
    one(s, c, ("id", "version"), JiraData::version, |r, v| {
        r.version(v, None)
    })
}

/// `GET /filter/{id}`.
pub(crate) fn filter(s: &View, c: &Ctx, _: &[u8]) -> Response {
    let expand = expand_set(&c.query_all("expand"));
    one(
        s,
        c,
        ("id", "filter"),
        |d, id| d.filters.iter().find(|f| f.id == id),
        |r, f| one_filter(r.filter(f, &expand)),
    )
}

/// `GET /filter/favourite`: the API user's favourite filters, a plain array.
pub(crate) fn favourite_filters(s: &View, c: &Ctx, _: &[u8]) -> Response {
    let d = s.data();
    let r = c.renderer(d);
    let expand = expand_set(&c.query_all("expand"));
    let all: Vec<Value> = d
        .filters
        .iter()
        .filter(|f| f.favourite)
        .map(|f| one_filter(r.filter(f, &expand)))
        .collect();
    respond(ok(&Value::Array(all)))
}

/// A filter as `GET filter/{id}` answers (`Filter`): `filter/search`'s details without the
/// list of what may be expanded.
fn one_filter(mut v: Value) -> Value {
    if let Some(m) = v.as_object_mut() {
        m.remove("expand");
    }
    v
}

/// `GET /project/{projectIdOrKey}/statuses`: per issue type, the statuses its workflow has.
pub(crate) fn project_statuses(s: &View, c: &Ctx, _: &[u8]) -> Response {
    respond((|| {
        let d = s.data();
        let key = c.param("projectIdOrKey");
        if d.project_by_id_or_key(key).is_none() {
            return Err(Fail::new(
                StatusCode::NOT_FOUND,
                vec![format!("No project could be found with key '{key}'.")],
            ));
        }
        let r = c.renderer(d);
        let all: Vec<Value> = d
            .issue_types
            .iter()
            .map(|t| {
                let statuses: Vec<Value> = d
                    .workflow_statuses(t.id)
                    .into_iter()
                    .map(|id| r.status(id))
                    .collect();
                json!({
                    "self": r.url(&format!("issuetype/{}", t.id)),
                    "id": t.id.to_string(),
                    "name": t.name,
                    "subtask": t.subtask,
                    "statuses": statuses,
                })
            })
            .collect();
        ok(&Value::Array(all))
    })())
}
