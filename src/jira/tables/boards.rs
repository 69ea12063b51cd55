//! `Boards`: Agile boards (`agile board`, pages of 50).

use super::{Access, ColumnDef as C, ColumnType::*, Endpoint, Paging, Source::*, TableDef};

/// The listing of boards, also used to enumerate the parents of per-board tables.
pub const BOARD_LIST: Endpoint =
    Endpoint::agile("board", Some("values"), Paging::StartAt { max: 50 });

pub static BOARDS: TableDef = TableDef {
    name: "Boards",
    view: false,
    writes: super::Writes::None,
    description: "Scrum and Kanban boards.",
    access: Access::List(BOARD_LIST),
    columns: &[
        C::new("Id", Int, Path("id"), &[], "Board id.").key(),
        C::new("Name", Text, Path("name"), &[], "Board name."),
        C::new("Type", Text, Path("type"), &[], "scrum, kanban or simple."),
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
        ),
        C::new(
            "ProjectName",
            Text,
            Path("location.projectName"),
            &[],
            "Name of that project.",
        ),
    ],
};
