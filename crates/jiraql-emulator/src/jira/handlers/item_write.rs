//! Worklogs and comments one at a time: read one, add, update and delete, with Jira's
//! `adjustEstimate` choices for worklogs. Bodies are read and applied inside one change of the
//! data; answers and messages are Jira's.

use std::sync::Arc;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, FixedOffset};
use serde_json::{Map, Value};

use super::expand_set;
use super::issue_fields::Refusal;
use super::issue_write::{Refused, change_now, find, object, properties};
use crate::jira::data::{CommentEdit, Estimate, JiraData, NewWorklog, Visibility, WorklogEdit};
use crate::jira::search::parse_duration;
use crate::jira::server::{Ctx, View, json_response};

/// Which write an `adjustEstimate` is read for: they take different companions.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Op {
    Add,
    Update,
    Delete,
}

/// `GET /issue/{issueIdOrKey}/worklog/{id}`.
pub(crate) fn get_worklog(s: &View, c: &Ctx, _: &[u8]) -> Response {
    let d = s.data();
    match find(d, c.param("issueIdOrKey")).and_then(|i| worklog_at(d, c, i)) {
        Ok(at) => json_response(StatusCode::OK, &worklog_json(c, d, at)),
        Err((status, r)) => r.response(status),
    }
}

/// `POST /issue/{issueIdOrKey}/worklog`: 201 with the worklog.
pub(crate) fn add_worklog(s: &View, c: &Ctx, body: &[u8]) -> Response {
    let result = write(s, c, body, |d, issue, details| {
        let estimate = estimate(c, Op::Add)?;
        let mut refusal = Refusal::default();
        let edit = worklog_values(d, details, &mut refusal);
        let spent = edit.time_spent_seconds;
        if spent.is_none() && !refusal.fields.contains_key("timeLogged") {
            refusal.field("timeLogged", "You must indicate the time spent working.");
        }
        if edit.started.is_none() && !refusal.fields.contains_key("started") {
            refusal.field("started", "You must specify when the work started.");
        }
        let (Some(started), Some(time_spent_seconds)) = (edit.started, spent) else {
            return Err(bad(refusal));
        };
        if !refusal.is_empty() {
            return Err(bad(refusal));
        }
        let new = NewWorklog {
            started,
            time_spent_seconds,
            comment: edit.comment.flatten(),
            visibility: edit.visibility.flatten(),
            properties: edit.properties,
        };
        let at = d.add_worklog(issue, new, estimate, &change_now(d));
        Ok(worklog_json(c, d, at))
    });
    match result {
        Ok(v) => json_response(StatusCode::CREATED, &v),
        Err((status, r)) => r.response(status),
    }
}

/// `PUT /issue/{issueIdOrKey}/worklog/{id}`: 200 with the worklog.
pub(crate) fn update_worklog(s: &View, c: &Ctx, body: &[u8]) -> Response {
    let result = write(s, c, body, |d, issue, details| {
        let at = worklog_at(d, c, issue)?;
        let estimate = estimate(c, Op::Update)?;
        let mut refusal = Refusal::default();
        let edit = worklog_values(d, details, &mut refusal);
        if !refusal.is_empty() {
            return Err(bad(refusal));
        }
        d.update_worklog(at, edit, estimate, &change_now(d));
        Ok(worklog_json(c, d, at))
    });
    match result {
        Ok(v) => json_response(StatusCode::OK, &v),
        Err((status, r)) => r.response(status),
    }
}

/// `DELETE /issue/{issueIdOrKey}/worklog/{id}`: 204.
pub(crate) fn delete_worklog(s: &View, c: &Ctx, _: &[u8]) -> Response {
    let result = write(s, c, b"{}", |d, issue, _| {
        let at = worklog_at(d, c, issue)?;
        let estimate = estimate(c, Op::Delete)?;
        d.delete_worklog(at, estimate, &change_now(d));
        Ok(())
    });
    match result {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err((status, r)) => r.response(status),
    }
}

/// `GET /issue/{issueIdOrKey}/comment/{id}`.
pub(crate) fn get_comment(s: &View, c: &Ctx, _: &[u8]) -> Response {
    let d = s.data();
    match find(d, c.param("issueIdOrKey")).and_then(|i| comment_at(d, c, i)) {
        Ok(at) => json_response(StatusCode::OK, &comment_json(c, d, at)),
        Err((status, r)) => r.response(status),
    }
}

/// `POST /issue/{issueIdOrKey}/comment`: 201 with the comment.
pub(crate) fn add_comment(s: &View, c: &Ctx, body: &[u8]) -> Response {
    let result = write(s, c, body, |d, issue, details| {
        let mut refusal = Refusal::default();
        let edit = comment_values(d, details, &mut refusal);
        let Some(body) = edit.body.filter(|_| refusal.is_empty()) else {
            if !details.contains_key("body") {
                refusal.field("comment", "Comment body can not be empty!");
            }
            return Err(bad(refusal));
        };
        let visibility = edit.visibility.flatten();
        let at = d.add_comment(issue, body, visibility, edit.properties, &change_now(d));
        Ok(comment_json(c, d, at))
    });
    match result {
        Ok(v) => json_response(StatusCode::CREATED, &v),
        Err((status, r)) => r.response(status),
    }
}

/// `PUT /issue/{issueIdOrKey}/comment/{id}`: 200 with the comment.
pub(crate) fn update_comment(s: &View, c: &Ctx, body: &[u8]) -> Response {
    let result = write(s, c, body, |d, issue, details| {
        let at = comment_at(d, c, issue)?;
        let mut refusal = Refusal::default();
        let edit = comment_values(d, details, &mut refusal);
        if !refusal.is_empty() {
            return Err(bad(refusal));
        }
        d.update_comment(at, edit, &change_now(d));
        Ok(comment_json(c, d, at))
    });
    match result {
        Ok(v) => json_response(StatusCode::OK, &v),
        Err((status, r)) => r.response(status),
    }
}

/// `DELETE /issue/{issueIdOrKey}/comment/{id}`: 204.
pub(crate) fn delete_comment(s: &View, c: &Ctx, _: &[u8]) -> Response {
    let result = write(s, c, b"{}", |d, issue, _| {
        let at = comment_at(d, c, issue)?;
        d.delete_comment(at, &change_now(d));
        Ok(())
    });
    match result {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err((status, r)) => r.response(status),
    }
}

/// Runs `apply` on the issue the path names with the request body, in one change.
fn write<R>(
    s: &View,
    c: &Ctx,
    body: &[u8],
    apply: impl FnOnce(&mut JiraData, usize, &Map<String, Value>) -> Result<R, Refused>,
) -> Result<R, Refused> {
    let details = object(body).map_err(bad)?;
    s.change(|d| {
        let issue = find(d, c.param("issueIdOrKey"))?;
        apply(d, issue, &details)
    })
}

fn bad(r: Refusal) -> Refused {
    (StatusCode::BAD_REQUEST, r)
}

fn missing(message: String) -> Refused {
    (StatusCode::NOT_FOUND, Refusal::message(message))
}

/// The position of the worklog `{id}` of the issue at `issue`, or Jira's 404.
fn worklog_at(d: &JiraData, c: &Ctx, issue: usize) -> Result<usize, Refused> {
    let id = c.param("id");
    id.parse()
        .ok()
        .and_then(|id| d.worklog_index(id))
        .filter(|&at| d.worklogs[at].issue_id == d.issues[issue].id)
        .ok_or_else(|| missing(format!("Cannot find worklog with id: {id}.")))
}

/// The position of the comment `{id}` of the issue at `issue`, or Jira's 404.
fn comment_at(d: &JiraData, c: &Ctx, issue: usize) -> Result<usize, Refused> {
    let id = c.param("id");
    id.parse()
        .ok()
        .and_then(|id| d.comment_index(id))
        .filter(|&at| d.comments[at].issue_id == d.issues[issue].id)
        .ok_or_else(|| missing(format!("Can not find a comment for the id: {id}.")))
}

/// The worklog at `at` as Jira answers with it. Writes render inside their change, so no
/// request holds a version of the data that the next change would have to copy.
fn worklog_json(c: &Ctx, d: &JiraData, at: usize) -> Value {
    let props = expand_set(&c.query_all("expand")).contains("properties");
    c.renderer(d).worklog(&d.worklogs[at], props)
}

/// The comment at `at` as Jira answers with it (see [`worklog_json`]).
fn comment_json(c: &Ctx, d: &JiraData, at: usize) -> Value {
    let props = expand_set(&c.query_all("expand")).contains("properties");
    c.renderer(d).comment(&d.comments[at], props)
}

/// `adjustEstimate` with its companion (`newEstimate`, `reduceBy` or `increaseBy`).
fn estimate(c: &Ctx, op: Op) -> Result<Estimate, Refused> {
    let amount = |name: &str, what: &str| {
        let text = c.query_one(name).unwrap_or_default();
        parse_duration(text).ok_or_else(|| {
            bad(Refusal::message(format!(
                "You must supply a valid {what} ('{name}', e.g. 2d or 3h 30m)."
            )))
        })
    };
    match (c.query_one("adjustEstimate").unwrap_or("auto"), op) {
        ("auto", _) => Ok(Estimate::Auto),
        ("leave", _) => Ok(Estimate::Leave),
        ("new", _) => amount("newEstimate", "new estimate").map(Estimate::New),
        ("manual", Op::Add) => {
            amount("reduceBy", "amount to reduce the estimate by").map(Estimate::Manual)
        }
        ("manual", Op::Delete) => {
            amount("increaseBy", "amount to increase the estimate by").map(Estimate::Manual)
        }
        (other, _) => Err(bad(Refusal::message(format!(
            "The value '{other}' is not valid for adjustEstimate here; use {}.",
            if op == Op::Update {
                "auto, new or leave"
            } else {
                "auto, new, manual or leave"
            }
        )))),
    }
}

/// The worklog values in a body (absent ones stay None); problems go to `refusal`.
fn worklog_values(
    d: &JiraData,
    details: &Map<String, Value>,
    refusal: &mut Refusal,
) -> WorklogEdit {
    let mut edit = WorklogEdit {
        comment: document(details.get("comment"), "comment", refusal),
        visibility: visibility(d, details.get("visibility"), refusal),
        properties: properties(details.get("properties"), refusal),
        ..WorklogEdit::default()
    };
    match details.get("started") {
        None => {}
        Some(v) => match v.as_str().and_then(instant) {
            Some(t) => edit.started = Some(t),
            None => refusal.field(
                "started",
                "The started date is invalid; use yyyy-MM-dd'T'HH:mm:ss.SSSZ.",
            ),
        },
    }
    let seconds = match (details.get("timeSpent"), details.get("timeSpentSeconds")) {
        (Some(_), Some(_)) => {
            refusal.field(
                "timeLogged",
                "Provide timeSpent or timeSpentSeconds, not both.",
            );
            return edit;
        }
        (Some(text), None) => text.as_str().and_then(parse_duration),
        (None, Some(n)) => n.as_i64(),
        (None, None) => return edit,
    };
    match seconds {
        Some(s) if s > 0 => edit.time_spent_seconds = Some(s),
        _ => refusal.field("timeLogged", "You must indicate the time spent working."),
    }
    edit
}

/// The comment values in a body (absent ones stay None); problems go to `refusal`.
fn comment_values(
    d: &JiraData,
    details: &Map<String, Value>,
    refusal: &mut Refusal,
) -> CommentEdit {
    let body = match document(details.get("body"), "comment", refusal) {
        Some(None) => {
            refusal.field("comment", "Comment body can not be empty!");
            None
        }
        other => other.flatten(),
    };
    CommentEdit {
        body,
        visibility: visibility(d, details.get("visibility"), refusal),
        properties: properties(details.get("properties"), refusal),
    }
}

/// An ADF document value: None when absent, `Some(None)` when null.
fn document(v: Option<&Value>, field: &str, refusal: &mut Refusal) -> Option<Option<Arc<Value>>> {
    match v? {
        Value::Null => Some(None),
        Value::Object(o) if o.get("type").and_then(Value::as_str) == Some("doc") => {
            Some(Some(Arc::new(Value::Object(o.clone()))))
        }
        _ => {
            refusal.field(
                field,
                "Operation value must be an Atlassian Document (see the Atlassian Document Format)",
            );
            None
        }
    }
}

/// A `visibility` value: a group (by name or id) or a project role (by name) that exists.
fn visibility(
    d: &JiraData,
    v: Option<&Value>,
    refusal: &mut Refusal,
) -> Option<Option<Visibility>> {
    let v = v?;
    if v.is_null() {
        return Some(None);
    }
    let named = v
        .get("value")
        .or_else(|| v.get("identifier"))
        .and_then(Value::as_str)
        .unwrap_or_default();
    let found = match v.get("type").and_then(Value::as_str) {
        Some("group") => d
            .groups
            .iter()
            .find(|g| g.name == named || g.group_id == named)
            .map(|g| Visibility::Group(g.name.clone())),
        Some("role") => d
            .roles
            .iter()
            .find(|r| r.name.eq_ignore_ascii_case(named))
            .map(|r| Visibility::Role(r.name.clone())),
        _ => {
            refusal.field("visibility", "The visibility type must be group or role.");
            return None;
        }
    };
    if found.is_none() {
        refusal.field(
            "visibility",
            format!("The group or role '{named}' does not exist."),
        );
    }
    found.map(Some)
}

/// Jira's `yyyy-MM-dd'T'HH:mm:ss.SSSZ` (an offset with or without a colon).
fn instant(text: &str) -> Option<DateTime<FixedOffset>> {
    DateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f%z").ok()
}
