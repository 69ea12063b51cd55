//! `Attachments`: attachment metadata, from the issues' `attachment` field (the search embeds
//! them all). The files themselves are not read.

use super::{
    Access, ColumnDef as C, ColumnType::*, Embedded, EmbeddedItems, IssueItems, Source::*,
    TableDef, issue_item_columns,
};

pub static ATTACHMENTS: TableDef = TableDef {
    name: "Attachments",
    view: true,
    writes: super::Writes::None,
    description: "Attachment metadata of issues (from the attachment field of the issue search; IssueKey/IssueId/JQL conditions narrow it, one issue is one GET).",
    access: Access::IssueItems(IssueItems {
        embedded: Some(Embedded {
            fields: &["attachment"],
            items: EmbeddedItems::List {
                path: "fields.attachment",
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
        C::new("Id", Int, Path("id"), &[], "Attachment id.").key(),
        issue_item_columns::ISSUE_ID,
        issue_item_columns::ISSUE_KEY,
        C::new("Filename", Text, Path("filename"), &[], "File name."),
        C::new(
            "AuthorAccountId",
            Text,
            Path("author.accountId"),
            &[],
            "Uploader's account id.",
        ),
        C::new(
            "AuthorDisplayName",
            Text,
            Path("author.displayName"),
            &[],
            "Uploader's display name.",
        ),
        C::new(
            "Created",
            Timestamp,
            Path("created"),
            &[],
            "When it was attached (UTC).",
        ),
        C::new("Size", Int, Path("size"), &[], "Size in bytes."),
        C::new("MimeType", Text, Path("mimeType"), &[], "Media type."),
        C::new(
            "ContentUrl",
            Text,
            Path("content"),
            &[],
            "URL of the file (needs the same credentials).",
        ),
        C::new(
            "ThumbnailUrl",
            Text,
            Path("thumbnail"),
            &[],
            "URL of the thumbnail, for images.",
        ),
        issue_item_columns::JQL,
    ],
};
