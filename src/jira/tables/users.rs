//! `Users`: every user account (`users/search`, bare-array pages that end with an empty one).

use super::{Access, ColumnDef as C, ColumnType::*, Endpoint, Paging, Source::*, TableDef};

pub static USERS: TableDef = TableDef {
    name: "Users",
    view: false,
    writes: super::Writes::None,
    description: "User accounts (people, apps and customers). Needs the Browse users and groups permission.",
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
        ),
        C::new(
            "EmailAddress",
            Text,
            Path("emailAddress"),
            &[],
            "E-mail, NULL where hidden by privacy settings.",
        ),
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
