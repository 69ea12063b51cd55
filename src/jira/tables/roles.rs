//! `Roles`: project roles with their members (`project/{key}/roledetails`).

use super::projects::PROJECT_SEARCH;
use super::{
    Access, ColumnDef as C, ColumnType::*, Endpoint, FilterKind, Paging, ParentList, ParentSpec,
    Source::*, TableDef,
};

pub static ROLES: TableDef = TableDef {
    name: "Roles",
    view: false,
    writes: super::Writes::None,
    description: "Project roles; a ProjectKey condition reads only those projects. Needs Administer Projects.",
    access: Access::PerParent {
        parent: ParentSpec {
            column: "ProjectKey",
            list: ParentList::Endpoint(PROJECT_SEARCH),
            reference: "key",
        },
        endpoint: Endpoint::platform("project/{parent}/roledetails", None, Paging::Single),
    },
    columns: &[
        C::new("Id", Int, Path("id"), &[], "Role id.").key(),
        C::new("ProjectKey", Text, Parent("key"), &[], "Project key.")
            .filter("project", FilterKind::UpperKey)
            .key(),
        C::new("Name", Text, Path("name"), &[], "Role name."),
        C::new(
            "Description",
            Text,
            Path("description"),
            &[],
            "Description.",
        ),
    ],
};
