//! The create screen of each issue type: which fields an issue can be created with and which
//! it must be (`GET /issue/createmeta/{projectIdOrKey}/issuetypes/{issueTypeId}`). Creates
//! are checked against the same table, so what the endpoint says is what a create enforces.

use super::*;
use crate::jira::data::{EPIC, SUBTASK};
use crate::jira::fields::{FIELDS, STORY_POINTS, TARGET_DATE, TEAM};
use crate::jira::render::field_schema;

/// A field of a create screen: `(id, required, has a default)`.
type OnScreen = (&'static str, bool, bool);

/// On every issue type's screen.
const COMMON: &[OnScreen] = &[
    ("project", true, false),
    ("issuetype", true, false),
    ("summary", true, false),
    ("reporter", true, true),
    ("description", false, false),
    ("labels", false, false),
    ("components", false, false),
    ("fixVersions", false, false),
    ("assignee", false, false),
    ("priority", false, true),
    ("duedate", false, false),
    ("timetracking", false, false),
    (TEAM, false, false),
    (TARGET_DATE, false, false),
];

/// The create screen of `issue_type`: sub-tasks need a parent and carry no story points;
/// epics have no parent; other issues may name an epic as parent.
pub(crate) fn screen(issue_type: u64) -> Vec<OnScreen> {
    let mut fields = COMMON.to_vec();
    match issue_type {
        SUBTASK => fields.push(("parent", true, false)),
        EPIC => fields.push((STORY_POINTS, false, false)),
        _ => fields.extend([("parent", false, false), (STORY_POINTS, false, false)]),
    }
    fields
}

/// `GET /rest/api/3/issue/createmeta/{projectIdOrKey}/issuetypes/{issueTypeId}`: a page of
/// `FieldCreateMetadata`.
pub(crate) fn create_fields(s: &View, c: &Ctx, _: &[u8]) -> Response {
    respond((|| {
        let d = s.data();
        let project = d.project_by_id_or_key(c.param("projectIdOrKey"));
        let issue_type = c
            .param("issueTypeId")
            .parse::<u64>()
            .ok()
            .and_then(|id| d.issue_type(id));
        let (Some(_), Some(issue_type)) = (project, issue_type) else {
            return Err(Fail::new(
                StatusCode::NOT_FOUND,
                vec!["Issue type with given ID does not exist or you do not have permission to see it.".into()],
            ));
        };
        let all: Vec<Value> = screen(issue_type.id)
            .into_iter()
            .filter_map(|(id, required, has_default)| {
                let f = FIELDS.iter().find(|f| f.id == id)?;
                Some(json!({
                    "fieldId": f.id,
                    "key": f.id,
                    "name": f.name,
                    "required": required,
                    "hasDefaultValue": has_default,
                    "operations": ["set"],
                    "schema": field_schema(f).unwrap_or_else(|| json!({"type": "any"})),
                }))
            })
            .collect();
        let start = int_param(c, "startAt", StatusCode::BAD_REQUEST)?
            .unwrap_or(0)
            .max(0);
        let max = int_param(c, "maxResults", StatusCode::BAD_REQUEST)?
            .unwrap_or(50)
            .clamp(1, 200);
        let total = all.len();
        let start = usize::try_from(start).unwrap_or(usize::MAX).min(total);
        let end = start
            .saturating_add(usize::try_from(max).unwrap_or(usize::MAX))
            .min(total);
        ok(&json!({
            "maxResults": max,
            "startAt": start,
            "total": total,
            "fields": all[start..end],
            "results": all[start..end],
        }))
    })())
}
