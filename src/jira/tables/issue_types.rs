//! `IssueTypes`: the issue types you can see (`issuetype`, one bare array).

use super::{Access, ColumnDef as C, ColumnType::*, Endpoint, Paging, Source::*, TableDef};

pub static ISSUE_TYPES: TableDef = TableDef {
    name: "IssueTypes",
    view: false,
    writes: super::Writes::None,
    description: "Issue types.",
    access: Access::List(Endpoint::platform("issuetype", None, Paging::Single)),
    columns: &[
        C::new("Id", Int, Path("id"), &[], "Issue type id.").key(),
        C::new("Name", Text, Path("name"), &[], "Name."),
        C::new(
            "Description",
            Text,
            Path("description"),
            &[],
            "Description.",
        ),
        C::new(
            "Subtask",
            Bool,
            Path("subtask"),
            &[],
            "Whether issues of this type are sub-tasks.",
        ),
        C::new(
            "HierarchyLevel",
            Int,
            Path("hierarchyLevel"),
            &[],
            "1 epic, 0 standard, -1 sub-task.",
        ),
        C::new(
            "ScopeProjectId",
            Int,
            Path("scope.project.id"),
            &[],
            "Project of a team-managed type, NULL when global.",
        ),
    ],
};
