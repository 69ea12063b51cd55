//! Sprints written as Jira Software does: created future on a scrum board
//! (`POST /sprint`), changed partially (`POST /sprint/{id}`) or wholly (`PUT /sprint/{id}`,
//! where members left out become null) and deleted (`DELETE /sprint/{id}`, its issues going
//! back to the backlog), with the Agile API's rules: a sprint starts (future to active) only
//! with a start and an end date, closes only from active (its complete date set then, never
//! by a request), a closed sprint cannot be changed, and an end before the start is refused.

use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, FixedOffset, Utc};
use serde_json::{Map, Value};

use super::entity_write::{bad, name, no_content, position, text, write_one};
use super::issue_fields::Refusal;
use super::issue_write::Refused;
use crate::jira::data::{JiraData, Sprint};
use crate::jira::server::{Ctx, View};

/// `POST /sprint`: 201 with the new (future) sprint.
pub(crate) fn create_sprint(s: &View, c: &Ctx, body: &[u8]) -> Response {
    let create = |d: &mut JiraData, details: &Map<String, Value>| {
        let mut refusal = Refusal::default();
        let board = board_of(d, details, &mut refusal);
        let mut sprint = Sprint {
            id: d.sprints.iter().map(|x| x.id).max().unwrap_or(0) + 1,
            board_id: board.unwrap_or_default(),
            name: String::new(),
            state: "future".into(),
            goal: None,
            start_date: None,
            end_date: None,
            complete_date: None,
        };
        if details.get("state").is_some_and(|v| v != "future") {
            refusal.field("state", "A new sprint is always a future sprint.");
        }
        let mut members = details.clone();
        members.remove("state");
        apply(&mut sprint, &members, false, &mut refusal);
        if sprint.name.is_empty() && !refusal.fields.contains_key("name") {
            refusal.field("name", "The sprint name must not be empty.");
        }
        if !refusal.is_empty() || board.is_none() {
            return Err(bad(refusal));
        }
        d.sprints.push(sprint.clone());
        Ok(sprint)
    };
    write_one(s, c, body, StatusCode::CREATED, create, |r, x| {
        r.agile_sprint(&x)
    })
}

/// `POST /sprint/{id}`: only the members sent change.
pub(crate) fn update_sprint(s: &View, c: &Ctx, body: &[u8]) -> Response {
    change(s, c, body, false)
}

/// `PUT /sprint/{id}`: every member is set; those left out become null.
pub(crate) fn replace_sprint(s: &View, c: &Ctx, body: &[u8]) -> Response {
    change(s, c, body, true)
}

fn change(s: &View, c: &Ctx, body: &[u8], whole: bool) -> Response {
    let update = |d: &mut JiraData, details: &Map<String, Value>| {
        let at = sprint_at(d, c.param("sprintId"))?;
        let mut sprint = d.sprints[at].clone();
        if sprint.state == "closed" {
            return Err(bad(Refusal::message("A closed sprint cannot be changed.")));
        }
        let mut refusal = Refusal::default();
        apply(&mut sprint, details, whole, &mut refusal);
        if !refusal.is_empty() {
            return Err(bad(refusal));
        }
        d.sprints[at] = sprint.clone();
        Ok(sprint)
    };
    write_one(s, c, body, StatusCode::OK, update, |r, x| {
        r.agile_sprint(&x)
    })
}

/// `DELETE /sprint/{id}`: 204; its issues go back to the backlog.
pub(crate) fn delete_sprint(s: &View, c: &Ctx, _: &[u8]) -> Response {
    let result = s.change(|d| {
        let at = sprint_at(d, c.param("sprintId"))?;
        let gone = d.sprints.remove(at).id;
        for issue in &mut d.issues {
            issue.sprint_ids.retain(|&x| x != gone);
        }
        Ok::<_, Refused>(())
    });
    no_content(result)
}

/// Applies the members of `details` to `x` (with `whole`, those left out become null) and the
/// state machine's rules.
fn apply(x: &mut Sprint, details: &Map<String, Value>, whole: bool, r: &mut Refusal) {
    if let Some(n) = name(details, "The sprint name must not be empty.", r) {
        x.name = n;
    }
    match text(details, "goal", r) {
        Some(g) => x.goal = (!g.is_empty()).then_some(g),
        None if whole => x.goal = None,
        None => {}
    }
    for (member, slot) in [
        ("startDate", &mut x.start_date),
        ("endDate", &mut x.end_date),
    ] {
        match details.get(member) {
            None if whole => *slot = None,
            None => {}
            Some(Value::Null) => *slot = None,
            Some(Value::String(t)) => match instant(t) {
                Some(at) => *slot = Some(at),
                None => r.field(
                    member,
                    format!("The {member} '{t}' is not a date and time."),
                ),
            },
            Some(_) => r.field(
                member,
                "Dates are strings like 2026-12-01T09:00:00.000+0000.",
            ),
        }
    }
    if details.contains_key("completeDate") {
        r.field(
            "completeDate",
            "The complete date is set when the sprint closes.",
        );
    }
    if let (Some(start), Some(end)) = (x.start_date, x.end_date)
        && end < start
    {
        r.field("endDate", "The end date must not be before the start date.");
    }
    let state = match details.get("state") {
        None | Some(Value::Null) => return,
        Some(Value::String(t)) => t.to_ascii_lowercase(),
        Some(other) => {
            r.field("state", format!("{other} is not future, active or closed."));
            return;
        }
    };
    match (x.state.as_str(), state.as_str()) {
        (from, to) if from == to => {}
        ("future", "active") if x.start_date.is_some() && x.end_date.is_some() => {
            x.state = state;
        }
        ("future", "active") => r.field(
            "state",
            "A sprint starts only with a start date and an end date.",
        ),
        ("active", "closed") => {
            x.state = state;
            x.complete_date = Some(Utc::now().fixed_offset());
        }
        (from, to) => r.field("state", format!("A {from} sprint cannot become {to}.")),
    }
}

/// An instant as the Agile API takes one (`+1000` or `+10:00` offsets, or `Z`).
fn instant(text: &str) -> Option<DateTime<FixedOffset>> {
    DateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f%z")
        .or_else(|_| DateTime::parse_from_rfc3339(text))
        .ok()
}

/// The board a new sprint goes on: `originBoardId`, a scrum board.
fn board_of(d: &JiraData, details: &Map<String, Value>, r: &mut Refusal) -> Option<u64> {
    let Some(id) = details.get("originBoardId").and_then(Value::as_u64) else {
        r.field("originBoardId", "The board of a new sprint must be given.");
        return None;
    };
    match d.boards.iter().find(|b| b.id == id) {
        Some(b) if b.board_type == "scrum" => Some(id),
        Some(_) => {
            r.field("originBoardId", "The board does not support sprints");
            None
        }
        None => {
            r.field("originBoardId", format!("Board {id} does not exist."));
            None
        }
    }
}

/// The position of sprint `{sprintId}`, or the Agile API's 404.
fn sprint_at(d: &JiraData, id: &str) -> Result<usize, Refused> {
    let missing = "Sprint does not exist or you do not have permission to view it.".into();
    position(d.sprints.iter().map(|x| x.id), id, missing)
}
