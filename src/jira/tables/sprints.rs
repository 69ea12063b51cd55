//! `Sprints`: sprints of each board (`board/{id}/sprint`); `BoardId = n` reads one board's.

use super::boards::BOARD_LIST;
use super::{
    Access, Api, ChangeBy, ColumnDef as C, ColumnType::*, Endpoint, EntityWrites, FilterKind,
    Paging, ParentList, ParentSpec, Removal, Shape, Source::*, TableDef, Writes,
};

pub static SPRINTS: TableDef = TableDef {
    name: "Sprints",
    view: false,
    writes: Writes::Entities(EntityWrites {
        api: Api::Agile,
        create: "sprint",
        one: "sprint/{id}",
        change: Some(ChangeBy::Post),
        fixed: &[],
        removal: Removal::Delete,
        required: &[&["originBoardId"], &["name"]],
        unique: &[],
    }),
    description: "Sprints of every board; a BoardId condition reads only those boards.",
    access: Access::PerParent {
        parent: ParentSpec {
            column: "BoardId",
            list: ParentList::Endpoint(BOARD_LIST),
            reference: "id",
        },
        endpoint: Endpoint::agile(
            "board/{parent}/sprint",
            Some("values"),
            Paging::StartAt { max: 50 },
        ),
    },
    columns: &[
        C::new("Id", Int, Path("id"), &[], "Sprint id.").key(),
        C::new(
            "BoardId",
            Int,
            Parent("id"),
            &[],
            "Board the sprint was read through; a new sprint's board.",
        )
        .filter("board", FilterKind::Exact)
        .creates("originBoardId", Shape::Integer),
        C::new(
            "OriginBoardId",
            Int,
            Path("originBoardId"),
            &[],
            "Board the sprint was created on.",
        )
        .creates("originBoardId", Shape::Integer),
        C::new("Name", Text, Path("name"), &[], "Sprint name.").writes("name", Shape::Text),
        C::new(
            "State",
            Text,
            Path("state"),
            &[],
            "future, active or closed: future to active starts it (it needs both dates), active to closed ends it.",
        )
        .writes("state", Shape::Text),
        C::new("Goal", Text, Path("goal"), &[], "Sprint goal.").writes("goal", Shape::Text),
        C::new(
            "StartDate",
            Timestamp,
            Path("startDate"),
            &[],
            "Start (UTC).",
        )
        .writes("startDate", Shape::Instant),
        C::new(
            "EndDate",
            Timestamp,
            Path("endDate"),
            &[],
            "Planned end (UTC).",
        )
        .writes("endDate", Shape::Instant),
        C::new(
            "CompleteDate",
            Timestamp,
            Path("completeDate"),
            &[],
            "When it was closed (UTC).",
        ),
        C::new(
            "CreatedDate",
            Timestamp,
            Path("createdDate"),
            &[],
            "When it was created (UTC).",
        ),
    ],
};
