//! Boards and user accounts written as Jira Cloud does: a board created (`POST /board` in the
//! Agile API: a name, scrum or kanban, a saved filter, a project location) and deleted with its
//! sprints; a user created by a site admin (`POST /user`: an e-mail address not yet on the
//! site, the products to give access to, possibly none) and deleted (`DELETE /user?accountId=`,
//! never the caller). Neither can be changed through the API.

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Map, Value};

use super::agile::board_json;
use super::entity_write::{bad, name, no_content, position, write_one};
use super::issue_fields::Refusal;
use crate::jira::data::{Board, JiraData, User};
use crate::jira::server::{Ctx, View};

const PRODUCTS: [&str; 4] = [
    "jira-core",
    "jira-servicedesk",
    "jira-product-discovery",
    "jira-software",
];

/// `POST /board`: 201 with the board.
pub(crate) fn create_board(s: &View, c: &Ctx, body: &[u8]) -> Response {
    let create = |d: &mut JiraData, details: &Map<String, Value>| {
        let mut r = Refusal::default();
        let name = name(details, "The board name must not be empty.", &mut r);
        let kind = details.get("type").and_then(Value::as_str);
        if !matches!(kind, Some("scrum" | "kanban")) {
            r.field("type", "The board type must be scrum or kanban.");
        }
        let filter = details.get("filterId").and_then(Value::as_u64);
        if !filter.is_some_and(|f| d.filters.iter().any(|x| x.id == f)) {
            r.field(
                "filterId",
                "The board's filter must be a saved filter you can see.",
            );
        }
        let location = details.get("location");
        let project = match (
            location.and_then(|l| l.get("type")).and_then(Value::as_str),
            location.and_then(|l| l.get("projectKeyOrId")),
        ) {
            (Some("project"), Some(p)) => {
                let named = p.as_str().map_or_else(|| p.to_string(), str::to_string);
                d.project_by_id_or_key(&named).map(|p| p.id)
            }
            _ => None,
        };
        if project.is_none() {
            r.field(
                "location",
                "The board's location must be a project you can see.",
            );
        }
        let (Some(name), Some(kind), Some(project_id), true) = (name, kind, project, r.is_empty())
        else {
            if !r.fields.contains_key("name") && details.get("name").is_none() {
                r.field("name", "The board name must not be empty.");
            }
            return Err(bad(r));
        };
        let board = Board {
            id: d.boards.iter().map(|b| b.id).max().unwrap_or(0) + 1,
            name,
            project_id,
            board_type: kind.to_string(),
        };
        d.boards.push(board.clone());
        Ok(board)
    };
    write_one(s, c, body, StatusCode::CREATED, create, |r, b| {
        r.data
            .project(b.project_id)
            .map_or(Value::Null, |p| board_json(c, &b, p))
    })
}

/// `DELETE /board/{boardId}`: 204; its sprints go with it.
pub(crate) fn delete_board(s: &View, c: &Ctx, _: &[u8]) -> Response {
    let result = s.change(|d| {
        let id = c.param("boardId");
        let missing =
            format!("The board {id} does not exist or you do not have permission to see it.");
        let at = position(d.boards.iter().map(|b| b.id), id, missing)?;
        let gone = d.boards.remove(at).id;
        d.sprints.retain(|sp| sp.board_id != gone);
        Ok(())
    });
    no_content(result)
}

/// `POST /user`: 201 with the user.
pub(crate) fn create_user(s: &View, c: &Ctx, body: &[u8]) -> Response {
    let create = |d: &mut JiraData, details: &Map<String, Value>| {
        let mut r = Refusal::default();
        let email = details.get("emailAddress").and_then(Value::as_str);
        match email {
            Some(e) if !e.contains('@') || e.starts_with('@') || e.ends_with('@') => {
                r.field("emailAddress", format!("'{e}' is not an e-mail address."));
            }
            Some(e)
                if d.users
                    .iter()
                    .any(|u| u.email_address.as_deref() == Some(e)) =>
            {
                r.field(
                    "emailAddress",
                    "A user with that e-mail address already exists.",
                );
            }
            Some(_) => {}
            None => r.field("emailAddress", "An e-mail address must be given."),
        }
        match details.get("products").and_then(Value::as_array) {
            Some(list)
                if list
                    .iter()
                    .all(|p| p.as_str().is_some_and(|p| PRODUCTS.contains(&p))) => {}
            Some(_) => r.field(
                "products",
                format!("Products are some of {}.", PRODUCTS.join(", ")),
            ),
            None => r.field(
                "products",
                "The products to give access to must be given (or []).",
            ),
        }
        let (Some(email), true) = (email, r.is_empty()) else {
            return Err(bad(r));
        };
        let n = d.users.len() + 1;
        let local = email.split('@').next().unwrap_or(email).to_string();
        let display = details
            .get("displayName")
            .and_then(Value::as_str)
            .map_or_else(|| local.clone(), str::to_string);
        let user = User {
            account_id: format!("712020:{:08x}-0000-4000-8000-{n:012x}", 0x5e_ed00 + n),
            account_type: "atlassian".into(),
            display_name: display,
            email_address: Some(email.to_string()),
            time_zone: "Etc/UTC".into(),
            active: true,
            name: local,
            key: format!("JIRAUSER{}", 20_000 + n),
        };
        d.add_user(user.clone());
        Ok(user.account_id)
    };
    write_one(s, c, body, StatusCode::CREATED, create, |r, id| r.user(&id))
}

/// `DELETE /user?accountId=`: 204.
pub(crate) fn delete_user(s: &View, c: &Ctx, _: &[u8]) -> Response {
    let result = s.change(|d| {
        let id = c.query_one("accountId").unwrap_or_default().to_string();
        if d.user(&id).is_none() {
            return Err((
                StatusCode::NOT_FOUND,
                Refusal::message(format!("The user with account ID '{id}' does not exist.")),
            ));
        }
        if id == d.myself {
            return Err(bad(Refusal::message("You cannot delete your own account.")));
        }
        d.remove_user(&id);
        Ok(())
    });
    no_content(result)
}
