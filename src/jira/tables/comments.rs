//! `Comments`: comments on issues. One issue's come from its comment endpoint; many issues'
//! are embedded in the issue search (`fields=comment`), and only an issue with more comments
//! than the search embeds is read again through its own endpoint.

use super::{
    Access, ById, ColumnDef as C, ColumnType::*, Embedded, EmbeddedItems, Endpoint, IssueItems,
    ItemWrites, Paging, Shape, Source::*, TableDef, Writes, issue_item_columns,
};

pub static COMMENTS: TableDef = TableDef {
    name: "Comments",
    view: false,
    writes: Writes::Items(ItemWrites {
        segment: "comment",
        list: "comments",
        issue_column: "IssueId",
        updated_column: "Updated",
        required: &[&["body"]],
        options: &[],
    }),
    description: "Comments on issues. An IssueKey condition reads that issue's comment endpoint; otherwise comments come embedded in the issue search (IssueKey/IssueId IN and JQL narrow it), issues with more than the search embeds read separately.",
    access: Access::IssueItems(IssueItems {
        embedded: Some(Embedded {
            fields: &["comment"],
            items: EmbeddedItems::List {
                path: "fields.comment.comments",
                total: Some("fields.comment.total"),
            },
        }),
        per_issue: Some(Endpoint::platform(
            "issue/{parent}/comment",
            Some("comments"),
            Paging::StartAt { max: 100 },
        )),
        bulk: None,
        by_id: Some(ById {
            list: "comment/list",
            cap: 1000,
            items: "values",
        }),
        nested: None,
        cloud_only: false,
    }),
    columns: &[
        C::new("Id", Int, Path("id"), &[], "Comment id.").key(),
        issue_item_columns::ISSUE_ID.creates("issue", Shape::IssuePath),
        issue_item_columns::ISSUE_KEY.creates("issue", Shape::IssuePath),
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
            "UpdateAuthorAccountId",
            Text,
            Path("updateAuthor.accountId"),
            &[],
            "Account id of who last edited it.",
        ),
        C::new(
            "UpdateAuthorDisplayName",
            Text,
            Path("updateAuthor.displayName"),
            &[],
            "Display name of who last edited it.",
        ),
        C::new(
            "Body",
            Text,
            RichText("body"),
            &[],
            "Comment text (ADF on Cloud) as plain text; written as one paragraph per line.",
        )
        .writes("body", Shape::Document),
        C::new(
            "Created",
            Timestamp,
            Path("created"),
            &[],
            "When it was written (UTC).",
        ),
        C::new(
            "Updated",
            Timestamp,
            Path("updated"),
            &[],
            "When it was last edited (UTC).",
        ),
        issue_item_columns::VISIBILITY_TYPE,
        issue_item_columns::VISIBILITY_VALUE,
        C::new(
            "JsdPublic",
            Bool,
            Path("jsdPublic"),
            &[],
            "Whether service-desk customers see it.",
        ),
        issue_item_columns::JQL,
    ],
};
