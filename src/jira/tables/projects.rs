//! `Projects`: every project you can browse (`project/search`, pages of 50).

use super::{
    Access, Api, ChangeBy, ColumnDef as C, ColumnType::*, Endpoint, EntityWrites, Paging, Removal,
    Shape, Source::*, TableDef, Writes,
};

/// The listing of projects, also used to enumerate the parents of per-project tables.
pub const PROJECT_SEARCH: Endpoint = Endpoint::platform(
    "project/search",
    Some("values"),
    Paging::StartAt { max: 50 },
)
.with_query(&[("expand", "description,lead")]);

pub static PROJECTS: TableDef = TableDef {
    name: "Projects",
    view: false,
    writes: Writes::Entities(EntityWrites {
        api: Api::Platform,
        create: "project",
        one: "project/{id}",
        change: Some(ChangeBy::Put),
        fixed: &[],
        removal: Removal::Delete,
        required: &[&["key"], &["name"], &["projectTypeKey"], &["leadAccountId"]],
        unique: &["Key"],
    }),
    description: "Projects you can browse.",
    access: Access::List(PROJECT_SEARCH),
    columns: &[
        C::new("Id", Int, Path("id"), &[], "Project id.").key(),
        C::new("Key", Text, Path("key"), &[], "Project key.").writes("key", Shape::Text),
        C::new("Name", Text, Path("name"), &[], "Project name.").writes("name", Shape::Text),
        C::new(
            "Description",
            Text,
            Path("description"),
            &[],
            "Description.",
        )
        .writes("description", Shape::Text),
        C::new(
            "ProjectTypeKey",
            Text,
            Path("projectTypeKey"),
            &[],
            "software, business or service_desk.",
        )
        .creates("projectTypeKey", Shape::Text),
        C::new(
            "Simplified",
            Bool,
            Path("simplified"),
            &[],
            "Team-managed (true) or company-managed.",
        ),
        C::new("Style", Text, Path("style"), &[], "classic or next-gen."),
        C::new(
            "IsPrivate",
            Bool,
            Path("isPrivate"),
            &[],
            "Whether the project is private.",
        ),
        C::new(
            "LeadAccountId",
            Text,
            Path("lead.accountId"),
            &[],
            "Project lead's account id.",
        )
        .writes("leadAccountId", Shape::Text),
        C::new(
            "LeadDisplayName",
            Text,
            Path("lead.displayName"),
            &[],
            "Project lead's name.",
        ),
    ],
};
