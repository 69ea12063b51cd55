//! `Boards`: Agile boards (`agile board`, pages of 50).

use super::{
    Access, Api, ColumnDef as C, ColumnType::*, Endpoint, EntityWrites, Paging, Removal, Shape,
    Source::*, TableDef, Writes,
};

/// The listing of boards, also used to enumerate the parents of per-board tables.
pub const BOARD_LIST: Endpoint =
    Endpoint::agile("board", Some("values"), Paging::StartAt { max: 50 });

pub static BOARDS: TableDef = TableDef {
    name: "Boards",
    view: false,
    writes: Writes::Entities(EntityWrites {
        api: Api::Agile,
        create: "board",
        one: "board/{id}",
        change: None,
        fixed: &[("location.type", "\"project\"")],
        removal: Removal::Delete,
        required: &[&["name"], &["type"], &["filterId"], &["location.projectKeyOrId"]],
        unique: &[],
    }),
    description: "Scrum and Kanban boards.",
    access: Access::List(BOARD_LIST),
    columns: &[
        C::new("Id", Int, Path("id"), &[], "Board id.").key(),
        C::new("Name", Text, Path("name"), &[], "Board name.").creates("name", Shape::Text),
        C::new("Type", Text, Path("type"), &[], "scrum, kanban or simple.")
            .creates("type", Shape::Text),
        C::new(
            "FilterId",
            Int,
            Pseudo,
            &[],
            "The saved filter a new board shows; written only, Jira's board listing does not give it.",
        )
        .creates("filterId", Shape::Integer),
        C::new(
            "ProjectId",
            Int,
            Path("location.projectId"),
            &[],
            "Project the board belongs to.",
        ),
        C::new(
            "ProjectKey",
            Text,
            Path("location.projectKey"),
            &[],
            "Key of that project.",
        )
        .creates("location.projectKeyOrId", Shape::Text),
        C::new(
            "ProjectName",
            Text,
            Path("location.projectName"),
            &[],
            "Name of that project.",
        ),
    ],
};
