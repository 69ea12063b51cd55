//! `IssueChangelogs`: one row per changed field of each change history. One issue's come from
//! its changelog endpoint; many issues' from `changelog/bulkfetch` (1000 issues a call) for the
//! issues a JQL search finds.

use super::{
    Access, BulkByIssue, BulkFilter, ColumnDef as C, ColumnType::*, Endpoint, IssueItems, Paging,
    Source::*, TableDef, issue_item_columns,
};

pub static ISSUE_CHANGELOGS: TableDef = TableDef {
    name: "IssueChangelogs",
    view: true,
    writes: super::Writes::None,
    description: "Issue history: one row per changed field. An IssueKey condition reads that issue's changelog endpoint; otherwise the issues are searched (IssueKey/IssueId IN and JQL narrow it) and their histories read with changelog/bulkfetch (FieldId = / IN of up to 10 ids narrows it).",
    access: Access::IssueItems(IssueItems {
        embedded: None,
        per_issue: Some(Endpoint::platform(
            "issue/{parent}/changelog",
            Some("values"),
            Paging::StartAt { max: 100 },
        )),
        bulk: Some(BulkByIssue {
            path: "changelog/bulkfetch",
            max_issues: 1000,
            max_page: 10_000,
            groups: "issueChangeLogs",
            group_issue: "issueId",
            group_items: "changeHistories",
            // Jira matches field ids ignoring case: a prefilter.
            filter: Some(BulkFilter {
                column: "FieldId",
                body: "fieldIds",
                cap: 10,
            }),
        }),
        by_id: None,
        nested: Some("items"),
        // Data Center has neither endpoint (it offers expand=changelog instead).
        cloud_only: true,
    }),
    columns: &[
        C::new("Id", Int, Path("id"), &[], "Change history id.").key(),
        issue_item_columns::ISSUE_ID,
        issue_item_columns::ISSUE_KEY,
        C::new(
            "AuthorAccountId",
            Text,
            Path("author.accountId"),
            &[],
            "Who made the change.",
        ),
        C::new(
            "AuthorDisplayName",
            Text,
            Path("author.displayName"),
            &[],
            "Their display name.",
        ),
        C::new(
            "Created",
            Timestamp,
            Path("created"),
            &[],
            "When the change was made (UTC).",
        ),
        C::new(
            "Field",
            Text,
            Path("item.field"),
            &[],
            "Name of the changed field.",
        )
        .key(),
        C::new(
            "FieldType",
            Text,
            Path("item.fieldtype"),
            &[],
            "jira or custom.",
        ),
        C::new(
            "FieldId",
            Text,
            Path("item.fieldId"),
            &[],
            "Id of the changed field.",
        ),
        C::new(
            "FromValue",
            Text,
            Path("item.from"),
            &[],
            "Old value (an id or account id).",
        ),
        C::new(
            "FromString",
            Text,
            Path("item.fromString"),
            &[],
            "Old value as shown.",
        ),
        C::new(
            "ToValue",
            Text,
            Path("item.to"),
            &[],
            "New value (an id or account id).",
        ),
        C::new(
            "ToString",
            Text,
            Path("item.toString"),
            &[],
            "New value as shown.",
        ),
        issue_item_columns::JQL,
    ],
};
