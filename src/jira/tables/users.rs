//! `Users`: every user account (`users/search`, bare-array pages that end with an empty one).

use super::{
    Access, Api, ColumnDef as C, ColumnType::*, Endpoint, EntityWrites, Paging, Removal, Shape,
    Source::*, TableDef, Writes,
};

pub static USERS: TableDef = TableDef {
    name: "Users",
    view: false,
    writes: Writes::Entities(EntityWrites {
        api: Api::Platform,
        create: "user",
        one: "user?accountId={id}",
        change: None,
        fixed: &[("products", "[]")],
        removal: Removal::Delete,
        required: &[&["emailAddress"]],
        unique: &["EmailAddress"],
    }),
    description: "User accounts (people, apps and customers). Needs the Browse users and groups permission; INSERT and DELETE need a site admin, and a new user gets no product access.",
    access: Access::List(Endpoint::platform(
        "users/search",
        None,
        Paging::StartAt { max: 1000 },
    )),
    columns: &[
        C::new("AccountId", Text, Path("accountId"), &[], "Account id.").key(),
        C::new(
            "AccountType",
            Text,
            Path("accountType"),
            &[],
            "atlassian, app or customer.",
        ),
        C::new(
            "DisplayName",
            Text,
            Path("displayName"),
            &[],
            "Display name.",
        )
        .creates("displayName", Shape::Text),
        C::new(
            "EmailAddress",
            Text,
            Path("emailAddress"),
            &[],
            "E-mail, NULL where hidden by privacy settings.",
        )
        .creates("emailAddress", Shape::Text),
        C::new(
            "Active",
            Bool,
            Path("active"),
            &[],
            "Whether the account is active.",
        ),
        C::new("TimeZone", Text, Path("timeZone"), &[], "Time zone."),
        C::new("Locale", Text, Path("locale"), &[], "Locale."),
    ],
};
