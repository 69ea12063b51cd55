//! `WorklogDeleted`: ids of deleted worklogs with when they were deleted (`worklog/deleted`,
//! linked pages of 1000) — what a sync job needs to remove worklogs it copied earlier.

use super::{
    Access, ColumnDef as C, ColumnType::*, Endpoint, FilterKind, Paging, Source::*, TableDef,
};

pub static WORKLOG_DELETED: TableDef = TableDef {
    name: "WorklogDeleted",
    view: true,
    writes: super::Writes::None,
    description: "Worklogs deleted, oldest first; Jira omits deletions of the last minute.",
    access: Access::List(Endpoint::platform(
        "worklog/deleted",
        Some("values"),
        Paging::Since,
    )),
    columns: &[
        C::new(
            "WorklogId",
            Int,
            Path("worklogId"),
            &[],
            "Id of the deleted worklog.",
        )
        .key(),
        C::new(
            "DeletedTime",
            Timestamp,
            Path("updatedTime"),
            &[],
            "When it was deleted (UTC); a lower bound starts the feed there.",
        )
        .filter("since", FilterKind::Instant),
    ],
};
