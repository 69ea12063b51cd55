//! One object by id, as popular clients ask for it (jira-python's `status()`, `priority()`,
//! `issue_type()`, `component()`, `version()`, `filter()`, `favourite_filters()`,
//! `statuscategories()`; go-jira's and jira.js's equivalents): the shapes the listings use,
//! and Jira's 404 for an id the site does not have.

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};

use super::{Fail, expand_set, ok, respond};
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
    respond((|| {
        let d = s.data();
        let found = id_param(c, "id")
            .and_then(|id| d.priority(id))
            .ok_or_else(|| missing("priority", c.param("id")))?;
        ok(&c.renderer(d).priority_details(found.id))
    })())
}

/// `GET /resolution/{id}`.
pub(crate) fn resolution(s: &View, c: &Ctx, _: &[u8]) -> Response {
    respond((|| {
        let d = s.data();
        let found = id_param(c, "id")
            .and_then(|id| d.resolution(id))
            .ok_or_else(|| missing("resolution", c.param("id")))?;
        ok(&c.renderer(d).resolution_details(found))
    })())
}

/// `GET /issuetype/{id}`.
pub(crate) fn issue_type(s: &View, c: &Ctx, _: &[u8]) -> Response {
    respond((|| {
        let d = s.data();
        let found = id_param(c, "id")
            .and_then(|id| d.issue_type(id))
            .ok_or_else(|| missing("issue type", c.param("id")))?;
        ok(&c.renderer(d).issue_type(found.id))
    })())
}

/// `GET /issueLinkType/{issueLinkTypeId}`.
pub(crate) fn link_type(s: &View, c: &Ctx, _: &[u8]) -> Response {
    respond((|| {
        let d = s.data();
        let found = id_param(c, "issueLinkTypeId")
            .and_then(|id| d.issue_link_type(id))
            .ok_or_else(|| missing("issue link type", c.param("issueLinkTypeId")))?;
        ok(&c.renderer(d).link_type(found))
    })())
}

/// `GET /component/{id}`.
pub(crate) fn component(s: &View, c: &Ctx, _: &[u8]) -> Response {
    respond((|| {
        let d = s.data();
        let found = id_param(c, "id")
            .and_then(|id| d.component(id))
            .ok_or_else(|| missing("component", c.param("id")))?;
        ok(&c.renderer(d).component(found, None))
    })())
}

/// `GET /version/{id}`.
pub(crate) fn version(s: &View, c: &Ctx, _: &[u8]) -> Response {
    respond((|| {
        let d = s.data();
        let found = id_param(c, "id")
            .and_then(|id| d.version(id))
            .ok_or_else(|| missing("version", c.param("id")))?;
        ok(&c.renderer(d).version(found, None))
    })())
}

/// `GET /filter/{id}`.
pub(crate) fn filter(s: &View, c: &Ctx, _: &[u8]) -> Response {
    respond((|| {
        let d = s.data();
        let found = id_param(c, "id")
            .and_then(|id| d.filters.iter().find(|f| f.id == id))
            .ok_or_else(|| missing("filter", c.param("id")))?;
        let expand = expand_set(&c.query_all("expand"));
        ok(&one_filter(c.renderer(d).filter(found, &expand)))
    })())
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
