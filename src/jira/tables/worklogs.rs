//! `Worklogs`: time logged on issues. One issue's worklogs come from its own endpoint; all
//! worklogs from the bulk pair `worklog/updated` + `worklog/list`, never one request per issue.

use super::{
    Access, BulkChildren, ColumnDef as C, ColumnType::*, FilterKind::*, ItemWrites, Shape,
    Source::*, TableDef, WriteOption, Writes, issue_item_columns,
};

pub static WORKLOGS: TableDef = TableDef {
    name: "Worklogs",
    view: false,
    writes: Writes::Items(ItemWrites {
        segment: "worklog",
        list: "worklogs",
        issue_column: "IssueId",
        updated_column: "Updated",
        required: &[&["started"], &["timeSpentSeconds", "timeSpent"]],
        options: &[
            WriteOption {
                name: "AdjustEstimate",
                param: "adjustEstimate",
                description: "How the issue's remaining estimate moves: auto (the default: down by the time logged, back up when a worklog is deleted), leave, new (set to NewEstimate), manual (down by ReduceBy when adding, up by IncreaseBy when deleting).",
            },
            WriteOption {
                name: "NewEstimate",
                param: "newEstimate",
                description: "The issue's remaining estimate with AdjustEstimate = 'new', e.g. 2d or 3h 30m.",
            },
            WriteOption {
                name: "ReduceBy",
                param: "reduceBy",
                description: "How far an added worklog lowers the estimate with AdjustEstimate = 'manual'.",
            },
            WriteOption {
                name: "IncreaseBy",
                param: "increaseBy",
                description: "How far a deleted worklog raises the estimate with AdjustEstimate = 'manual'.",
            },
        ],
    }),
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
        .filter("issue", Exact)
        .creates("issue", Shape::IssuePath),
        C::new(
            "IssueKey",
            Text,
            Parent("key"),
            &[],
            "Key of the issue the work was logged on.",
        )
        .filter("issue", UpperKey)
        .creates("issue", Shape::IssuePath),
        C::new(
            "Comment",
            Text,
            RichText("comment"),
            &[],
            "Worklog comment as plain text.",
        )
        .writes("comment", Shape::Document),
        C::new(
            "Started",
            Timestamp,
            Path("started"),
            &[],
            "When the work started (UTC; text without an offset is read as UTC).",
        )
        .filter("worklogDate", Instant)
        .writes("started", Shape::Instant),
        C::new(
            "TimeSpent",
            Text,
            Path("timeSpent"),
            &[],
            "Time spent as Jira writes it, e.g. 3h 20m (1d is 8h).",
        )
        .writes("timeSpent", Shape::Text),
        C::new(
            "TimeSpentSeconds",
            Int,
            Path("timeSpentSeconds"),
            &[],
            "Time spent, in seconds.",
        )
        .writes("timeSpentSeconds", Shape::Integer),
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
        issue_item_columns::VISIBILITY_TYPE,
        issue_item_columns::VISIBILITY_VALUE,
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
