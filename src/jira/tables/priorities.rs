//! `Priorities`: issue priorities (`priority`, one bare array).

use super::{Access, ColumnDef as C, ColumnType::*, Endpoint, Paging, Source::*, TableDef};

pub static PRIORITIES: TableDef = TableDef {
    name: "Priorities",
    view: true,
    writes: super::Writes::None,
    description: "Issue priorities.",
    access: Access::List(Endpoint::platform("priority", None, Paging::Single)),
    columns: &[
        C::new("Id", Int, Path("id"), &[], "Priority id.").key(),
        C::new("Name", Text, Path("name"), &[], "Name."),
        C::new(
            "Description",
            Text,
            Path("description"),
            &[],
            "Description.",
        ),
        C::new(
            "StatusColor",
            Text,
            Path("statusColor"),
            &[],
            "Colour, e.g. #ff0000.",
        ),
    ],
};
