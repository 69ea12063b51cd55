//! `RoleActors`: who holds each project role (`project/{key}/role/{id}`), one row per user or
//! group. The roles of each project are listed first (`roledetails`, which has no actors).

use super::projects::PROJECT_SEARCH;
use super::{
    Access, ColumnDef as C, ColumnType::*, Detail, Endpoint, FilterKind, Paging, ParentList,
    ParentSpec, Source::*, TableDef,
};

pub static ROLE_ACTORS: TableDef = TableDef {
    name: "RoleActors",
    view: false,
    writes: super::Writes::None,
    description: "Users and groups in each project role; a ProjectKey condition reads only those projects (their role list, then each role). Needs Administer Projects.",
    access: Access::PerParent {
        parent: ParentSpec {
            column: "ProjectKey",
            list: ParentList::Endpoint(PROJECT_SEARCH),
            reference: "key",
        },
        endpoint: Endpoint::platform("project/{parent}/roledetails", None, Paging::Single)
            .with_detail(Detail {
                path: "project/{parent}/role/{item}",
                reference: "id",
                rows: "actors",
            }),
    },
    columns: &[
        C::new("ProjectKey", Text, Parent("key"), &[], "Project key.")
            .filter("project", FilterKind::UpperKey)
            .key(),
        C::new("RoleId", Int, Path("id"), &[], "Role id.").key(),
        C::new("RoleName", Text, Path("name"), &[], "Role name."),
        C::new("ActorId", Int, Path("item.id"), &[], "Actor id.").key(),
        C::new(
            "ActorType",
            Text,
            Path("item.type"),
            &[],
            "atlassian-user-role-actor or atlassian-group-role-actor.",
        ),
        C::new(
            "ActorName",
            Text,
            Path("item.displayName"),
            &[],
            "The user's display name or the group's name.",
        ),
        C::new(
            "AccountId",
            Text,
            Path("item.actorUser.accountId"),
            &[],
            "The user's account id (user actors).",
        ),
        C::new(
            "GroupName",
            Text,
            Path("item.actorGroup.name"),
            &[],
            "The group's name (group actors).",
        ),
        C::new(
            "GroupId",
            Text,
            Path("item.actorGroup.groupId"),
            &[],
            "The group's id (group actors).",
        ),
    ],
};
