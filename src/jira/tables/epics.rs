//! `Epics`: epics of each board (`board/{id}/epic`).

use super::boards::BOARD_LIST;
use super::{
    Access, ColumnDef as C, ColumnType::*, Endpoint, FilterKind, Paging, ParentList, ParentSpec,
    Source::*, TableDef,
};

pub static EPICS: TableDef = TableDef {
    name: "Epics",
    view: true,
    writes: super::Writes::None,
    description: "Epics shown on every board; a BoardId condition reads only those boards.",
    access: Access::PerParent {
        parent: ParentSpec {
            column: "BoardId",
            list: ParentList::Endpoint(BOARD_LIST),
            reference: "id",
        },
        endpoint: Endpoint::agile(
            "board/{parent}/epic",
            Some("values"),
            Paging::StartAt { max: 50 },
        ),
    },
    columns: &[
        C::new("Id", Int, Path("id"), &[], "Epic issue id.").key(),
        C::new(
            "BoardId",
            Int,
            Parent("id"),
            &[],
            "Board the epic was read through.",
        )
        .filter("board", FilterKind::Exact)
        .key(),
        C::new("Key", Text, Path("key"), &[], "Epic issue key."),
        C::new("Name", Text, Path("name"), &[], "Epic name."),
        C::new("Summary", Text, Path("summary"), &[], "Summary."),
        C::new("Done", Bool, Path("done"), &[], "Whether the epic is done."),
        C::new("Color", Text, Path("color.key"), &[], "Colour key."),
    ],
};
