//! `IssueTypes`: the issue types you can see (`issuetype`, one bare array).

use super::{
    Access, Api, ChangeBy, ColumnDef as C, ColumnType::*, Endpoint, EntityWrites, Paging, Removal,
    Shape, Source::*, TableDef, Writes,
};

pub static ISSUE_TYPES: TableDef = TableDef {
    name: "IssueTypes",
    view: false,
    writes: Writes::Entities(EntityWrites {
        api: Api::Platform,
        create: "issuetype",
        one: "issuetype/{id}",
        change: Some(ChangeBy::Put),
        fixed: &[],
        removal: Removal::Delete,
        required: &[&["name"]],
        unique: &["Name"],
    }),
    description: "Issue types.",
    access: Access::List(Endpoint::platform("issuetype", None, Paging::Single)),
    columns: &[
        C::new("Id", Int, Path("id"), &[], "Issue type id.").key(),
        C::new("Name", Text, Path("name"), &[], "Name.").writes("name", Shape::Text),
        C::new(
            "Description",
            Text,
            Path("description"),
            &[],
            "Description.",
        )
        .writes("description", Shape::Text),
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
            "1 epic, 0 standard, -1 sub-task (a new type is 0 or -1).",
        )
        .creates("hierarchyLevel", Shape::Integer),
        C::new(
            "ScopeProjectId",
            Int,
            Path("scope.project.id"),
            &[],
            "Project of a team-managed type, NULL when global.",
        ),
    ],
};
