//! Jira Software's Agile API (`/rest/agile/1.0`, reference §4): boards, sprints, epics and
//! the issues of a board or sprint.

use std::collections::HashSet;

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Map, Value, json};

use super::{
    Fail, Page, Reply, bad_request, expand_set, insert_names_schema, ok, respond, run_search,
};
use crate::jira::data::{Board, EPIC, Issue, Project};
use crate::jira::fields::{self, DefaultFields};
use crate::jira::jql;
use crate::jira::render::{IssueOptions, Renderer};
use crate::jira::server::{Ctx, View, error_response, json_response};

const BOARD_MISSING: &str = "The requested board cannot be viewed because it either does not exist or you do not have permission to view it.";
const SPRINT_MISSING: &str = "Sprint does not exist or you do not have permission to view it.";

/// `jira.search.views.default.max`: the cap of the issue listings.
const ISSUE_PAGE_CAP: i64 = 100;

fn agile_url(c: &Ctx, rest: &str) -> String {
    format!("{}/rest/agile/1.0/{rest}", c.base)
}

fn not_found(message: &str) -> Fail {
    Fail::new(StatusCode::NOT_FOUND, vec![message.into()])
}

fn find_board<'a>(s: &'a View, c: &Ctx) -> Result<&'a Board, Fail> {
    c.param("boardId")
        .parse::<u64>()
        .ok()
        .and_then(|id| s.data().board(id))
        .ok_or_else(|| not_found(BOARD_MISSING))
}

/// The Agile listings' envelope `{maxResults,startAt,total?,isLast,values}`.
fn values_page(page: Page, total: usize, with_total: bool, values: Vec<Value>) -> Value {
    let mut m = Map::new();
    m.insert("maxResults".into(), json!(page.max));
    m.insert("startAt".into(), json!(page.start));
    if with_total {
        m.insert("total".into(), json!(total));
    }
    m.insert("isLast".into(), json!(page.is_last(total)));
    m.insert("values".into(), Value::Array(values));
    Value::Object(m)
}

pub(crate) fn boards(s: &View, c: &Ctx, _: &[u8]) -> Response {
    respond((|| {
        let page = Page::from_query(c, 50, 50)?;
        let kind = c.query_one("type").map(str::to_lowercase);
        let project = c.query_one("projectKeyOrId").map(str::to_lowercase);
        let name = c.query_one("name").map(str::to_lowercase);
        let matching: Vec<_> = s
            .data()
            .boards
            .iter()
            .filter(|b| {
                kind.as_ref()
                    .is_none_or(|k| k.split(',').any(|k| k == b.board_type))
            })
            .filter(|b| {
                name.as_ref()
                    .is_none_or(|n| b.name.to_lowercase().contains(n.as_str()))
            })
            .filter_map(|b| s.data().project(b.project_id).map(|p| (b, p)))
            .filter(|(_, p)| {
                project
                    .as_ref()
                    .is_none_or(|k| p.key.to_lowercase() == *k || p.id.to_string() == *k)
            })
            .collect();
        let values = page
            .of(&matching)
            .iter()
            .map(|(b, p)| board_json(c, b, p))
            .collect();
        ok(&values_page(page, matching.len(), true, values))
    })())
}

/// `GET /rest/agile/1.0/board/{boardId}`.
pub(crate) fn board(s: &View, c: &Ctx, _: &[u8]) -> Response {
    respond((|| {
        let board = find_board(s, c)?;
        let project = s
            .data()
            .project(board.project_id)
            .ok_or_else(|| not_found(BOARD_MISSING))?;
        ok(&board_json(c, board, project))
    })())
}

/// A board as the Agile API gives it, with its project as location.
pub(super) fn board_json(c: &Ctx, b: &Board, p: &Project) -> Value {
    json!({
        "id": b.id,
        "self": agile_url(c, &format!("board/{}", b.id)),
        "name": b.name,
        "type": b.board_type,
        "location": {
            "projectId": p.id,
            "displayName": format!("{} ({})", p.name, p.key),
            "projectName": p.name,
            "projectKey": p.key,
            "projectTypeKey": p.project_type_key,
            "name": format!("{} ({})", p.name, p.key),
        },
    })
}

pub(crate) fn board_sprints(s: &View, c: &Ctx, _: &[u8]) -> Response {
    respond((|| {
        let board = find_board(s, c)?;
        if board.board_type != "scrum" {
            return Err(bad_request("The board does not support sprints"));
        }
        let page = Page::from_query(c, 50, 50)?;
        let states: Vec<String> = c
            .query_all("state")
            .iter()
            .flat_map(|s| {
                s.split(',')
                    .map(|x| x.trim().to_lowercase())
                    .collect::<Vec<_>>()
            })
            .filter(|x| !x.is_empty())
            .collect();
        let rank = |state: &str| match state {
            "closed" => 0,
            "active" => 1,
            _ => 2,
        };
        let mut sprints: Vec<_> = s
            .data()
            .sprints
            .iter()
            .filter(|sp| sp.board_id == board.id)
            .filter(|sp| states.is_empty() || states.contains(&sp.state))
            .collect();
        // "ordered first by state (closed, active, future) then by their position".
        sprints.sort_by_key(|sp| (rank(&sp.state), sp.id));
        let r = c.renderer(s.data());
        let values = page
            .of(&sprints)
            .iter()
            .map(|sp| r.agile_sprint(sp))
            .collect();
        // Real answers carry no `total` here (reference §4).
        ok(&values_page(page, sprints.len(), false, values))
    })())
}

pub(crate) fn sprint(s: &View, c: &Ctx, _: &[u8]) -> Response {
    let found = c
        .param("sprintId")
        .parse::<u64>()
        .ok()
        .and_then(|id| s.data().sprint(id));
    match found {
        Some(sp) => json_response(StatusCode::OK, &c.renderer(s.data()).agile_sprint(sp)),
        None => error_response(StatusCode::NOT_FOUND, vec![SPRINT_MISSING.into()]),
    }
}

/// `GET /board/{boardId}/epic`: the epics of the board's project in rank (id) order,
/// optionally only `done=true|false` ones.
pub(crate) fn board_epics(s: &View, c: &Ctx, _: &[u8]) -> Response {
    respond((|| {
        let board = find_board(s, c)?;
        let page = Page::from_query(c, 50, 50)?;
        let done = match c.query_one("done").map(str::trim) {
            None | Some("") => None,
            Some(v) if v.eq_ignore_ascii_case("true") => Some(true),
            Some(v) if v.eq_ignore_ascii_case("false") => Some(false),
            Some(v) => {
                return Err(bad_request(format!(
                    "The value '{v}' is not valid for the parameter 'done'."
                )));
            }
        };
        let is_done = |i: &Issue| {
            s.data()
                .status(i.status_id)
                .is_some_and(|st| st.category_id == 3)
        };
        let epics: Vec<&Issue> = s
            .data()
            .issues
            .iter()
            .filter(|i| i.project_id == board.project_id && i.issue_type_id == EPIC)
            .filter(|i| done.is_none_or(|d| is_done(i) == d))
            .collect();
        let r = c.renderer(s.data());
        let values = page.of(&epics).iter().map(|e| r.agile_epic(e)).collect();
        ok(&values_page(page, epics.len(), false, values))
    })())
}

/// `GET /board/{boardId}/issue`: the issues of the board's project.
pub(crate) fn board_issues(s: &View, c: &Ctx, _: &[u8]) -> Response {
    respond((|| {
        let board = find_board(s, c)?;
        agile_issues(s, c, |i| i.project_id == board.project_id)
    })())
}

/// `GET /sprint/{sprintId}/issue`: the issues whose Sprint field holds the sprint.
pub(crate) fn sprint_issues(s: &View, c: &Ctx, _: &[u8]) -> Response {
    respond((|| {
        let sprint = c
            .param("sprintId")
            .parse::<u64>()
            .ok()
            .and_then(|id| s.data().sprint(id))
            .ok_or_else(|| not_found(SPRINT_MISSING))?;
        agile_issues(s, c, |i| i.sprint_ids.contains(&sprint.id))
    })())
}

/// The Agile-only fields: added by default ("all navigable and Agile fields") or when named.
const AGILE_FIELDS: [&str; 4] = ["sprint", "closedSprints", "epic", "flagged"];

/// Issues in `scope` that also match the `jql` parameter, in rank order (here: creation
/// order) unless the JQL orders them; the search-result shape `{expand,startAt,maxResults,
/// total,issues}` with `maxResults` capped at 100.
fn agile_issues(s: &View, c: &Ctx, scope: impl Fn(&Issue) -> bool) -> Reply {
    let page = Page::from_query(c, 50, ISSUE_PAGE_CAP)?;
    let jql_text = c.query_one("jql").unwrap_or("").to_string();
    let ordered = jql::parse(&jql_text)
        .map(|q| !q.order_by.is_empty())
        .unwrap_or(false);
    let hits = run_search(s, &jql_text, false, None)?;
    let mut mine: Vec<usize> = hits
        .iter()
        .copied()
        .filter(|&i| scope(&s.data().issues[i]))
        .collect();
    if !ordered {
        mine.sort_unstable();
    }
    let requested = c.query_all("fields");
    let selected = fields::select(&requested, DefaultFields::Navigable);
    let named: HashSet<&str> = requested
        .iter()
        .flat_map(|r| r.split(','))
        .map(str::trim)
        .collect();
    let defaults = requested.is_empty() || named.contains("*navigable") || named.contains("*all");
    let agile: Vec<&str> = AGILE_FIELDS
        .into_iter()
        .filter(|f| defaults || named.contains(f))
        .collect();
    let r = c.renderer(s.data());
    let opts = IssueOptions {
        search: true,
        ..IssueOptions::default()
    };
    let issues: Vec<Value> = page
        .of(&mine)
        .iter()
        .map(|&i| {
            let issue = &s.data().issues[i];
            let mut v = r.issue(issue, &selected, opts);
            if let Some(m) = v.as_object_mut() {
                m.insert(
                    "self".into(),
                    json!(agile_url(c, &format!("issue/{}", issue.id))),
                );
                if let Some(Value::Object(f)) = m.get_mut("fields") {
                    for name in &agile {
                        f.insert((*name).to_string(), agile_field(&r, issue, name));
                    }
                }
            }
            v
        })
        .collect();
    let mut out = Map::new();
    out.insert("expand".into(), json!("schema,names"));
    out.insert("startAt".into(), json!(page.start));
    out.insert("maxResults".into(), json!(page.max));
    out.insert("total".into(), json!(mine.len()));
    out.insert("issues".into(), Value::Array(issues));
    insert_names_schema(&mut out, &selected, &expand_set(&c.query_all("expand")));
    ok(&Value::Object(out))
}

/// `sprint` (the open one), `closedSprints`, `epic` and `flagged` of an issue.
fn agile_field(r: &Renderer<'_>, issue: &Issue, name: &str) -> Value {
    let d = r.data;
    let sprints = || issue.sprint_ids.iter().filter_map(|&id| d.sprint(id));
    match name {
        "sprint" => sprints()
            .rfind(|sp| sp.state != "closed")
            .map_or(Value::Null, |sp| r.agile_sprint(sp)),
        "closedSprints" => Value::Array(
            sprints()
                .filter(|sp| sp.state == "closed")
                .map(|sp| r.agile_sprint(sp))
                .collect(),
        ),
        "epic" => issue
            .parent_id
            .and_then(|p| d.issue_by_id(p))
            .filter(|p| p.issue_type_id == EPIC)
            .map_or(Value::Null, |e| r.agile_epic(e)),
        _ => json!(false),
    }
}
