//! `ProjectVersions`: versions of each project (`project/{key}/versions`).

use super::projects::PROJECT_SEARCH;
use super::{
    Access, ColumnDef as C, ColumnType::*, Endpoint, FilterKind, Paging, ParentList, ParentSpec,
    Source::*, TableDef,
};

pub static PROJECT_VERSIONS: TableDef = TableDef {
    name: "ProjectVersions",
    view: false,
    writes: super::Writes::None,
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
            .filter("project", FilterKind::UpperKey),
        C::new("ProjectId", Int, Path("projectId"), &[], "Project id."),
        C::new("Name", Text, Path("name"), &[], "Version name."),
        C::new(
            "Description",
            Text,
            Path("description"),
            &[],
            "Description.",
        ),
        C::new(
            "Archived",
            Bool,
            Path("archived"),
            &[],
            "Whether it is archived.",
        ),
        C::new(
            "Released",
            Bool,
            Path("released"),
            &[],
            "Whether it is released.",
        ),
        C::new(
            "Overdue",
            Bool,
            Path("overdue"),
            &[],
            "Whether its release date has passed unreleased.",
        ),
        C::new("StartDate", Date, Path("startDate"), &[], "Start date."),
        C::new(
            "ReleaseDate",
            Date,
            Path("releaseDate"),
            &[],
            "Release date.",
        ),
    ],
};
