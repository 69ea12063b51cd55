//! `Resolutions`: issue resolutions (`resolution`, one bare array).

use super::{Access, ColumnDef as C, ColumnType::*, Endpoint, Paging, Source::*, TableDef};

pub static RESOLUTIONS: TableDef = TableDef {
    name: "Resolutions",
    view: true,
    writes: super::Writes::None,
    description: "Issue resolutions.",
    access: Access::List(Endpoint::platform("resolution", None, Paging::Single)),
    columns: &[
        C::new("Id", Int, Path("id"), &[], "Resolution id.").key(),
        C::new("Name", Text, Path("name"), &[], "Name."),
        C::new(
            "Description",
            Text,
            Path("description"),
            &[],
            "Description.",
        ),
    ],
};
