//! `IssueLinks`: links between issues, one row per link and issue it is seen from, read from
//! the issues' `issuelinks` field (the search embeds them all).

use super::{
    Access, ColumnDef as C, ColumnType::*, Embedded, EmbeddedItems, IssueItems, Source::*,
    TableDef, issue_item_columns,
};

pub static ISSUE_LINKS: TableDef = TableDef {
    name: "IssueLinks",
    view: true,
    writes: super::Writes::None,
    description: "Links between issues, each seen from both of its issues (from the issuelinks field of the issue search; IssueKey/IssueId/JQL conditions narrow it, one issue is one GET).",
    access: Access::IssueItems(IssueItems {
        embedded: Some(Embedded {
            fields: &["issuelinks"],
            items: EmbeddedItems::List {
                path: "fields.issuelinks",
                total: None,
            },
        }),
        per_issue: None,
        bulk: None,
        by_id: None,
        nested: None,
        cloud_only: false,
    }),
    columns: &[
        C::new("Id", Int, Path("id"), &[], "Link id.").key(),
        issue_item_columns::ISSUE_ID.key(),
        issue_item_columns::ISSUE_KEY,
        C::new("LinkTypeId", Int, Path("type.id"), &[], "Link type id."),
        C::new(
            "LinkTypeName",
            Text,
            Path("type.name"),
            &[],
            "Link type, e.g. Blocks.",
        ),
        C::new(
            "Direction",
            Text,
            Label(&[("outwardIssue", "outward"), ("inwardIssue", "inward")]),
            &[],
            "outward: this issue links to the other (this blocks it); inward: the other links to this one.",
        ),
        C::new(
            "Inward",
            Text,
            Path("type.inward"),
            &[],
            "The type's inward phrase, e.g. is blocked by.",
        ),
        C::new(
            "Outward",
            Text,
            Path("type.outward"),
            &[],
            "The type's outward phrase, e.g. blocks.",
        ),
        C::new(
            "LinkedIssueId",
            Int,
            FirstOf(&["outwardIssue.id", "inwardIssue.id"]),
            &[],
            "Id of the issue at the other end.",
        ),
        C::new(
            "LinkedIssueKey",
            Text,
            FirstOf(&["outwardIssue.key", "inwardIssue.key"]),
            &[],
            "Key of the issue at the other end.",
        ),
        C::new(
            "LinkedIssueSummary",
            Text,
            FirstOf(&["outwardIssue.fields.summary", "inwardIssue.fields.summary"]),
            &[],
            "Summary of the issue at the other end.",
        ),
        C::new(
            "LinkedIssueStatus",
            Text,
            FirstOf(&[
                "outwardIssue.fields.status.name",
                "inwardIssue.fields.status.name",
            ]),
            &[],
            "Status of the issue at the other end.",
        ),
        issue_item_columns::JQL,
    ],
};
