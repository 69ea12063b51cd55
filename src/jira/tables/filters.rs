//! `Filters`: saved JQL filters you can see (`filter/search`, pages of 50).

use super::{Access, ColumnDef as C, ColumnType::*, Endpoint, Paging, Source::*, TableDef};

pub static FILTERS: TableDef = TableDef {
    name: "Filters",
    view: true,
    writes: super::Writes::None,
    description: "Saved filters and their JQL.",
    access: Access::List(
        Endpoint::platform("filter/search", Some("values"), Paging::StartAt { max: 50 })
            .with_query(&[("expand", "description,owner,jql,favourite")]),
    ),
    columns: &[
        C::new("Id", Int, Path("id"), &[], "Filter id.").key(),
        C::new("Name", Text, Path("name"), &[], "Filter name."),
        C::new(
            "Description",
            Text,
            Path("description"),
            &[],
            "Description.",
        ),
        C::new(
            "OwnerAccountId",
            Text,
            Path("owner.accountId"),
            &[],
            "Owner's account id.",
        ),
        C::new(
            "JQL",
            Text,
            Path("jql"),
            &[],
            "The filter's JQL: usable in WHERE JQL = '...'.",
        ),
        C::new(
            "Favourite",
            Bool,
            Path("favourite"),
            &[],
            "Whether it is one of your favourites.",
        ),
    ],
};
