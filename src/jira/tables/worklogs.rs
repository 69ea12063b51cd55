//! `Worklogs`: time logged on issues. One issue's worklogs come from its own endpoint; all
//! worklogs from the bulk pair `worklog/updated` + `worklog/list`, never one request per issue.

use super::{
    Access, BulkChildren, ColumnDef as C, ColumnType::*, FilterKind::*, Source::*, TableDef,
};

pub static WORKLOGS: TableDef = TableDef {
    name: "Worklogs",
    view: false,
    description: "Work logged on issues. IssueKey/IssueId conditions read those issues' worklogs; otherwise worklogs are read in bulk (worklog/updated + worklog/list).",
    access: Access::IssueChildren {
        per_issue: "issue/{key}/worklog",
        items: "worklogs",
        bulk: BulkChildren {
            changed: "worklog/updated",
            changed_id: "worklogId",
            list: "worklog/list",
            list_cap: 1000,
        },
    },
    columns: &[
        C::new("Id", Int, Path("id"), &[], "Worklog id.").key(),
        C::new(
            "IssueId",
            Int,
            Path("issueId"),
            &[],
            "Id of the issue the work was logged on.",
        )
        .filter("issue", Exact),
        C::new(
            "IssueKey",
            Text,
            Parent("key"),
            &[],
            "Key of the issue the work was logged on.",
        )
        .filter("issue", UpperKey),
        C::new(
            "Comment",
            Text,
            RichText("comment"),
            &[],
            "Worklog comment as plain text.",
        ),
        C::new(
            "Started",
            Timestamp,
            Path("started"),
            &[],
            "When the work started (UTC).",
        )
        .filter("worklogDate", Instant),
        C::new(
            "TimeSpent",
            Text,
            Path("timeSpent"),
            &[],
            "Time spent as Jira writes it, e.g. 3h 20m.",
        ),
        C::new(
            "TimeSpentSeconds",
            Int,
            Path("timeSpentSeconds"),
            &[],
            "Time spent, in seconds.",
        ),
        C::new(
            "AuthorAccountId",
            Text,
            Path("author.accountId"),
            &[],
            "Author's account id.",
        ),
        C::new(
            "AuthorDisplayName",
            Text,
            Path("author.displayName"),
            &[],
            "Author's display name.",
        ),
        C::new(
            "Created",
            Timestamp,
            Path("created"),
            &[],
            "When the worklog was created (UTC).",
        ),
        C::new(
            "Updated",
            Timestamp,
            Path("updated"),
            &[],
            "When the worklog was last changed (UTC).",
        )
        .filter("updated", Instant),
    ],
};
