//! `Roles`: project roles with their members (`project/{key}/roledetails`).

use super::projects::PROJECT_SEARCH;
use super::{
    Access, Api, ChangeBy, ColumnDef as C, ColumnType::*, Endpoint, EntityWrites, FilterKind,
    Paging, ParentList, ParentSpec, Removal, Shape, Source::*, TableDef, Writes,
};

pub static ROLES: TableDef = TableDef {
    name: "Roles",
    view: false,
    writes: Writes::Entities(EntityWrites {
        api: Api::Platform,
        create: "role",
        one: "role/{id}",
        change: Some(ChangeBy::Post),
        fixed: &[],
        removal: Removal::Delete,
        required: &[&["name"]],
        unique: &["Name"],
    }),
    description: "Project roles; a ProjectKey condition reads only those projects. Needs Administer Projects. Roles belong to the site: one written here shows in every project.",
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
        C::new("Name", Text, Path("name"), &[], "Role name.").writes("name", Shape::Text),
        C::new(
            "Description",
            Text,
            Path("description"),
            &[],
            "Description.",
        )
        .writes("description", Shape::Text),
    ],
};
