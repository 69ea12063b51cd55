//! `Projects`: every project you can browse (`project/search`, pages of 50).

use super::{Access, ColumnDef as C, ColumnType::*, Endpoint, Paging, Source::*, TableDef};

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
    writes: super::Writes::None,
    description: "Projects you can browse.",
    access: Access::List(PROJECT_SEARCH),
    columns: &[
        C::new("Id", Int, Path("id"), &[], "Project id.").key(),
        C::new("Key", Text, Path("key"), &[], "Project key."),
        C::new("Name", Text, Path("name"), &[], "Project name."),
        C::new(
            "Description",
            Text,
            Path("description"),
            &[],
            "Description.",
        ),
        C::new(
            "ProjectTypeKey",
            Text,
            Path("projectTypeKey"),
            &[],
            "software, business or service_desk.",
        ),
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
        ),
        C::new(
            "LeadDisplayName",
            Text,
            Path("lead.displayName"),
            &[],
            "Project lead's name.",
        ),
    ],
};
