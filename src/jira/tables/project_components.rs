//! `ProjectComponents`: components of each project (`project/{key}/components`).

use super::projects::PROJECT_SEARCH;
use super::{
    Access, Api, ChangeBy, ColumnDef as C, ColumnType::*, Endpoint, EntityWrites, FilterKind,
    Paging, ParentList, ParentSpec, Removal, Shape, Source::*, TableDef, Writes,
};

pub static PROJECT_COMPONENTS: TableDef = TableDef {
    name: "ProjectComponents",
    view: false,
    writes: Writes::Entities(EntityWrites {
        api: Api::Platform,
        create: "component",
        one: "component/{id}",
        change: Some(ChangeBy::Put),
        fixed: &[],
        removal: Removal::Delete,
        required: &[&["project"], &["name"]],
        unique: &["ProjectKey", "Name"],
    }),
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
            .filter("project", FilterKind::UpperKey)
            .creates("project", Shape::Text),
        C::new("ProjectId", Int, Path("projectId"), &[], "Project id."),
        C::new("Name", Text, Path("name"), &[], "Component name.").writes("name", Shape::Text),
        C::new(
            "Description",
            Text,
            Path("description"),
            &[],
            "Description.",
        )
        .writes("description", Shape::Text),
        C::new(
            "LeadAccountId",
            Text,
            Path("lead.accountId"),
            &[],
            "Component lead's account id.",
        )
        .writes("leadAccountId", Shape::Text),
        C::new(
            "AssigneeType",
            Text,
            Path("assigneeType"),
            &[],
            "Default assignee rule: PROJECT_DEFAULT, COMPONENT_LEAD, PROJECT_LEAD or UNASSIGNED.",
        )
        .writes("assigneeType", Shape::Text),
    ],
};
