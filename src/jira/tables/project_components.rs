//! `ProjectComponents`: components of each project (`project/{key}/components`).

use super::projects::PROJECT_SEARCH;
use super::{
    Access, ColumnDef as C, ColumnType::*, Endpoint, FilterKind, Paging, ParentList, ParentSpec,
    Source::*, TableDef,
};

pub static PROJECT_COMPONENTS: TableDef = TableDef {
    name: "ProjectComponents",
    view: false,
    writes: super::Writes::None,
    description: "Components of every project; a ProjectKey condition reads only those projects.",
    access: Access::PerParent {
        parent: ParentSpec {
            column: "ProjectKey",
            list: ParentList::Endpoint(PROJECT_SEARCH),
            reference: "key",
        },
        endpoint: Endpoint::platform("project/{parent}/components", None, Paging::Single),
    },
    columns: &[
        C::new("Id", Int, Path("id"), &[], "Component id.").key(),
        C::new("ProjectKey", Text, Parent("key"), &[], "Project key.")
            .filter("project", FilterKind::UpperKey),
        C::new("ProjectId", Int, Path("projectId"), &[], "Project id."),
        C::new("Name", Text, Path("name"), &[], "Component name."),
        C::new(
            "Description",
            Text,
            Path("description"),
            &[],
            "Description.",
        ),
        C::new(
            "LeadAccountId",
            Text,
            Path("lead.accountId"),
            &[],
            "Component lead's account id.",
        ),
        C::new(
            "AssigneeType",
            Text,
            Path("assigneeType"),
            &[],
            "Default assignee rule.",
        ),
    ],
};
