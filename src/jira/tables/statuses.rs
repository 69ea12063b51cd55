//! `Statuses`: workflow statuses (`status`, one bare array).

use super::{Access, ColumnDef as C, ColumnType::*, Endpoint, Paging, Source::*, TableDef};

pub static STATUSES: TableDef = TableDef {
    name: "Statuses",
    view: true,
    writes: super::Writes::None,
    description: "Workflow statuses and their categories.",
    access: Access::List(Endpoint::platform("status", None, Paging::Single)),
    columns: &[
        C::new("Id", Int, Path("id"), &[], "Status id.").key(),
        C::new("Name", Text, Path("name"), &[], "Name."),
        C::new(
            "Description",
            Text,
            Path("description"),
            &[],
            "Description.",
        ),
        C::new(
            "CategoryKey",
            Text,
            Path("statusCategory.key"),
            &[],
            "new, indeterminate or done.",
        ),
        C::new(
            "CategoryName",
            Text,
            Path("statusCategory.name"),
            &[],
            "To Do, In Progress or Done.",
        ),
    ],
};
