//! `SprintIssues` and `BoardIssues`: the issues of a sprint or a board, through the Agile API
//! (`sprint/{id}/issue`, `board/{id}/issue`, 50 a page), with the same issue columns.

use super::boards::BOARD_LIST;
use super::sprints::SPRINTS;
use super::{
    Access, ColumnDef as C, ColumnType::*, Endpoint, FilterKind, Paging, ParentList, ParentSpec,
    Source::*, TableDef,
};

/// The issue fields both tables read.
const FIELDS: &[(&str, &str)] = &[(
    "fields",
    "summary,status,issuetype,priority,assignee,resolutiondate,created,project",
)];

/// The parent column, then the issue's.
macro_rules! agile_issue_columns {
    ($parent:expr) => {
        &[
            $parent,
            C::new("IssueId", Int, Path("id"), &[], "Issue id.").key(),
            C::new("IssueKey", Text, Path("key"), &[], "Issue key."),
            C::new(
                "ProjectKey",
                Text,
                Path("fields.project.key"),
                &[],
                "Project key.",
            ),
            C::new(
                "Summary",
                Text,
                Path("fields.summary"),
                &[],
                "Summary line.",
            ),
            C::new(
                "IssueTypeName",
                Text,
                Path("fields.issuetype.name"),
                &[],
                "Issue type.",
            ),
            C::new(
                "StatusName",
                Text,
                Path("fields.status.name"),
                &[],
                "Workflow status.",
            ),
            C::new(
                "StatusCategory",
                Text,
                Path("fields.status.statusCategory.name"),
                &[],
                "To Do, In Progress or Done.",
            ),
            C::new(
                "PriorityName",
                Text,
                Path("fields.priority.name"),
                &[],
                "Priority.",
            ),
            C::new(
                "AssigneeAccountId",
                Text,
                Path("fields.assignee.accountId"),
                &[],
                "Assignee's account id.",
            ),
            C::new(
                "AssigneeDisplayName",
                Text,
                Path("fields.assignee.displayName"),
                &[],
                "Assignee's display name.",
            ),
            C::new(
                "Created",
                Timestamp,
                Path("fields.created"),
                &[],
                "When the issue was created (UTC).",
            ),
            C::new(
                "ResolutionDate",
                Timestamp,
                Path("fields.resolutiondate"),
                &[],
                "When the issue was resolved (UTC).",
            ),
        ]
    };
}

pub static SPRINT_ISSUES: TableDef = TableDef {
    name: "SprintIssues",
    view: true,
    writes: super::Writes::None,
    description: "Issues of each sprint (sprint/{id}/issue); a SprintId condition reads only those sprints, otherwise every board's sprints are listed first.",
    access: Access::PerParent {
        parent: ParentSpec {
            column: "SprintId",
            list: ParentList::Table(&SPRINTS),
            reference: "id",
        },
        endpoint: Endpoint::agile(
            "sprint/{parent}/issue",
            Some("issues"),
            Paging::StartAt { max: 50 },
        )
        .with_query(FIELDS),
    },
    columns: agile_issue_columns!(
        C::new(
            "SprintId",
            Int,
            Parent("id"),
            &[],
            "Sprint the issue is in (an issue in several sprints has a row for each).",
        )
        .filter("sprint", FilterKind::Exact)
        .key()
    ),
};

pub static BOARD_ISSUES: TableDef = TableDef {
    name: "BoardIssues",
    view: true,
    writes: super::Writes::None,
    description: "Issues of each board (board/{id}/issue); a BoardId condition reads only those boards, otherwise the boards are listed first.",
    access: Access::PerParent {
        parent: ParentSpec {
            column: "BoardId",
            list: ParentList::Endpoint(BOARD_LIST),
            reference: "id",
        },
        endpoint: Endpoint::agile(
            "board/{parent}/issue",
            Some("issues"),
            Paging::StartAt { max: 50 },
        )
        .with_query(FIELDS),
    },
    columns: agile_issue_columns!(
        C::new(
            "BoardId",
            Int,
            Parent("id"),
            &[],
            "Board the issue was read through.",
        )
        .filter("board", FilterKind::Exact)
        .key()
    ),
};
