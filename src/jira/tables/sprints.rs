//! `Sprints`: sprints of each board (`board/{id}/sprint`); `BoardId = n` reads one board's.

use super::boards::BOARD_LIST;
use super::{
    Access, ColumnDef as C, ColumnType::*, Endpoint, FilterKind, Paging, ParentList, ParentSpec,
    Source::*, TableDef,
};

pub static SPRINTS: TableDef = TableDef {
    name: "Sprints",
    view: false,
    writes: super::Writes::None,
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
            "Board the sprint was read through.",
        )
        .filter("board", FilterKind::Exact),
        C::new(
            "OriginBoardId",
            Int,
            Path("originBoardId"),
            &[],
            "Board the sprint was created on.",
        ),
        C::new("Name", Text, Path("name"), &[], "Sprint name."),
        C::new(
            "State",
            Text,
            Path("state"),
            &[],
            "future, active or closed.",
        ),
        C::new("Goal", Text, Path("goal"), &[], "Sprint goal."),
        C::new(
            "StartDate",
            Timestamp,
            Path("startDate"),
            &[],
            "Start (UTC).",
        ),
        C::new(
            "EndDate",
            Timestamp,
            Path("endDate"),
            &[],
            "Planned end (UTC).",
        ),
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
