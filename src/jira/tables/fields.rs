//! `Fields`: system and custom fields (`field`, one bare array).

use super::{Access, ColumnDef as C, ColumnType::*, Endpoint, Paging, Source::*, TableDef};

pub static FIELDS: TableDef = TableDef {
    name: "Fields",
    view: true,
    writes: super::Writes::None,
    description: "System and custom fields, with their JQL clause names.",
    access: Access::List(Endpoint::platform("field", None, Paging::Single)),
    columns: &[
        C::new(
            "Id",
            Text,
            Path("id"),
            &[],
            "Field id, e.g. summary or customfield_10016.",
        )
        .key(),
        C::new("Key", Text, Path("key"), &[], "Field key."),
        C::new("Name", Text, Path("name"), &[], "Display name."),
        C::new(
            "Custom",
            Bool,
            Path("custom"),
            &[],
            "Whether it is a custom field.",
        ),
        C::new(
            "Orderable",
            Bool,
            Path("orderable"),
            &[],
            "Whether it can be used in ORDER BY.",
        ),
        C::new(
            "Navigable",
            Bool,
            Path("navigable"),
            &[],
            "Whether it can be shown in issue navigator.",
        ),
        C::new(
            "Searchable",
            Bool,
            Path("searchable"),
            &[],
            "Whether JQL can search it.",
        ),
        C::new(
            "SchemaType",
            Text,
            Path("schema.type"),
            &[],
            "Value type: string, number, date, array, option, user, ...",
        ),
        C::new(
            "SchemaItems",
            Text,
            Path("schema.items"),
            &[],
            "Item type of an array field.",
        ),
        C::new(
            "SchemaCustom",
            Text,
            Path("schema.custom"),
            &[],
            "Custom field type key.",
        ),
        C::new(
            "ClauseNames",
            TextList,
            List("clauseNames", ""),
            &[],
            "Names JQL accepts for the field.",
        ),
    ],
};
