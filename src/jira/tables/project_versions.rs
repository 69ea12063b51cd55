//! `ProjectVersions`: versions of each project (`project/{key}/versions`).

use super::projects::PROJECT_SEARCH;
use super::{
    Access, Api, ChangeBy, ColumnDef as C, ColumnType::*, Endpoint, EntityWrites, FilterKind,
    Paging, ParentList, ParentSpec, Removal, Shape, Source::*, TableDef, Writes,
};

pub static PROJECT_VERSIONS: TableDef = TableDef {
    name: "ProjectVersions",
    view: false,
    writes: Writes::Entities(EntityWrites {
        api: Api::Platform,
        create: "version",
        one: "version/{id}",
        change: Some(ChangeBy::Put),
        fixed: &[],
        removal: Removal::Post("removeAndSwap"),
        required: &[&["project", "projectId"], &["name"]],
        unique: &["ProjectKey", "Name"],
    }),
    description: "Versions (releases) of every project; a ProjectKey condition reads only those projects.",
    access: Access::PerParent {
        parent: ParentSpec {
            column: "ProjectKey",
            list: ParentList::Endpoint(PROJECT_SEARCH),
            reference: "key",
        },
        endpoint: Endpoint::platform("project/{parent}/versions", None, Paging::Single),
    },
    columns: &[
        C::new("Id", Int, Path("id"), &[], "Version id.").key(),
        C::new("ProjectKey", Text, Parent("key"), &[], "Project key.")
            .filter("project", FilterKind::UpperKey)
            .creates("project", Shape::Text),
        C::new("ProjectId", Int, Path("projectId"), &[], "Project id.")
            .creates("projectId", Shape::Integer),
        C::new("Name", Text, Path("name"), &[], "Version name.").writes("name", Shape::Text),
        C::new(
            "Description",
            Text,
            Path("description"),
            &[],
            "Description.",
        )
        .writes("description", Shape::Text),
        C::new(
            "Archived",
            Bool,
            Path("archived"),
            &[],
            "Whether it is archived.",
        )
        .writes("archived", Shape::Bool),
        C::new(
            "Released",
            Bool,
            Path("released"),
            &[],
            "Whether it is released.",
        )
        .writes("released", Shape::Bool),
        C::new(
            "Overdue",
            Bool,
            Path("overdue"),
            &[],
            "Whether its release date has passed unreleased.",
        ),
        C::new("StartDate", Date, Path("startDate"), &[], "Start date.")
            .writes("startDate", Shape::Date),
        C::new(
            "ReleaseDate",
            Date,
            Path("releaseDate"),
            &[],
            "Release date.",
        )
        .writes("releaseDate", Shape::Date),
    ],
};
