//! `Groups`: user groups (`group/bulk`, pages of 50).

use super::{Access, ColumnDef as C, ColumnType::*, Endpoint, Paging, Source::*, TableDef};

pub static GROUPS: TableDef = TableDef {
    name: "Groups",
    view: true,
    writes: super::Writes::None,
    description: "User groups.",
    access: Access::List(Endpoint::platform(
        "group/bulk",
        Some("values"),
        Paging::StartAt { max: 50 },
    )),
    columns: &[
        C::new("GroupId", Text, Path("groupId"), &[], "Group id.").key(),
        C::new("Name", Text, Path("name"), &[], "Group name."),
    ],
};
