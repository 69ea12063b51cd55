//! `Labels`: every label issues carry (`label`, offset pages of plain strings).

use super::{Access, ColumnDef as C, ColumnType::*, Endpoint, ITSELF, Paging, TableDef};

pub static LABELS: TableDef = TableDef {
    name: "Labels",
    view: true,
    writes: super::Writes::None,
    description: "Every label an issue carries, once, in order (GET label).",
    access: Access::List(Endpoint::platform(
        "label",
        Some("values"),
        Paging::StartAt { max: 1000 },
    )),
    columns: &[C::new("Name", Text, ITSELF, &[], "The label.").key()],
};
