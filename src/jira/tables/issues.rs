//! `Issues`: one row per issue, found with JQL.

use super::{Access, ColumnDef as C, ColumnType::*, FilterKind::*, Shape, Source::*, TableDef};

pub static ISSUES: TableDef = TableDef {
    name: "Issues",
    view: false,
    writes: super::Writes::Issues,
    description: "Issues of every project you can browse, found with JQL (search/jql); a Key or Id condition reads one issue directly.",
    access: Access::IssueSearch,
    columns: &[
        C::new("Id", Int, Path("id"), &[], "Issue id.")
            .filter("id", Exact)
            .key(),
        C::new("Key", Text, Path("key"), &[], "Issue key, e.g. DEMO-7.").filter("key", UpperKey),
        C::new(
            "ProjectId",
            Int,
            Path("fields.project.id"),
            &["project"],
            "Project id.",
        )
        .filter("project", Exact),
        C::new(
            "ProjectKey",
            Text,
            Path("fields.project.key"),
            &["project"],
            "Project key.",
        )
        .filter("project", UpperKey)
        .creates("project", Shape::ByKey),
        C::new(
            "ProjectName",
            Text,
            Path("fields.project.name"),
            &["project"],
            "Project name.",
        )
        .filter("project", Name),
        C::new(
            "IssueTypeName",
            Text,
            Path("fields.issuetype.name"),
            &["issuetype"],
            "Issue type, e.g. Bug.",
        )
        .filter("issuetype", Name)
        .creates("issuetype", Shape::ByName),
        C::new(
            "StatusName",
            Text,
            Path("fields.status.name"),
            &["status"],
            "Workflow status.",
        )
        .filter("status", Name),
        C::new(
            "StatusCategory",
            Text,
            Path("fields.status.statusCategory.name"),
            &["status"],
            "Status category: To Do, In Progress or Done.",
        )
        .filter("statusCategory", Name),
        C::new(
            "PriorityName",
            Text,
            Path("fields.priority.name"),
            &["priority"],
            "Priority.",
        )
        .filter_or_empty("priority", Name)
        .writes("priority", Shape::ByName),
        C::new(
            "ResolutionName",
            Text,
            Path("fields.resolution.name"),
            &["resolution"],
            "Resolution, NULL while unresolved.",
        )
        .filter_or_empty("resolution", Name),
        C::new(
            "Summary",
            Text,
            Path("fields.summary"),
            &["summary"],
            "Summary line.",
        )
        .filter("summary", Words)
        .writes("summary", Shape::Text),
        C::new(
            "Description",
            Text,
            RichText("fields.description"),
            &["description"],
            "Description as plain text.",
        )
        .writes("description", Shape::Document),
        C::new(
            "Labels",
            TextList,
            List("fields.labels", ""),
            &["labels"],
            "Labels.",
        )
        .writes("labels", Shape::Strings),
        C::new(
            "Components",
            TextList,
            List("fields.components", "name"),
            &["components"],
            "Component names.",
        )
        .writes("components", Shape::Names),
        C::new(
            "FixVersions",
            TextList,
            List("fields.fixVersions", "name"),
            &["fixVersions"],
            "Fix version names.",
        )
        .writes("fixVersions", Shape::Names),
        C::new(
            "AssigneeAccountId",
            Text,
            Path("fields.assignee.accountId"),
            &["assignee"],
            "Assignee's account id, NULL when unassigned.",
        )
        .filter_or_empty("assignee", Exact)
        .writes("assignee", Shape::User),
        C::new(
            "AssigneeDisplayName",
            Text,
            Path("fields.assignee.displayName"),
            &["assignee"],
            "Assignee's display name.",
        ),
        C::new(
            "ReporterAccountId",
            Text,
            Path("fields.reporter.accountId"),
            &["reporter"],
            "Reporter's account id.",
        )
        .filter_or_empty("reporter", Exact)
        .writes("reporter", Shape::User),
        C::new(
            "ReporterDisplayName",
            Text,
            Path("fields.reporter.displayName"),
            &["reporter"],
            "Reporter's display name.",
        ),
        C::new(
            "ParentKey",
            Text,
            Path("fields.parent.key"),
            &["parent"],
            "Parent issue key (epic of a story, task of a sub-task).",
        )
        .filter("parent", UpperKey)
        .creates("parent", Shape::ByKey),
        C::new(
            "Created",
            Timestamp,
            Path("fields.created"),
            &["created"],
            "When the issue was created (UTC).",
        )
        .filter("created", Instant),
        C::new(
            "Updated",
            Timestamp,
            Path("fields.updated"),
            &["updated"],
            "When the issue was last updated (UTC).",
        )
        .filter("updated", Instant),
        C::new(
            "ResolutionDate",
            Timestamp,
            Path("fields.resolutiondate"),
            &["resolutiondate"],
            "When the issue was resolved (UTC).",
        )
        .filter_or_empty("resolved", Instant),
        C::new(
            "DueDate",
            Date,
            Path("fields.duedate"),
            &["duedate"],
            "Due date.",
        )
        .filter_or_empty("due", Day)
        .writes("duedate", Shape::Date),
        C::new(
            "TimeSpentSeconds",
            Int,
            Path("fields.timetracking.timeSpentSeconds"),
            &["timetracking"],
            "Time logged, in seconds.",
        ),
        C::new(
            "OriginalEstimateSeconds",
            Int,
            Path("fields.timetracking.originalEstimateSeconds"),
            &["timetracking"],
            "Original estimate, in seconds.",
        ),
        C::new(
            "RemainingEstimateSeconds",
            Int,
            Path("fields.timetracking.remainingEstimateSeconds"),
            &["timetracking"],
            "Remaining estimate, in seconds.",
        ),
        C::new(
            "JQL",
            Text,
            Pseudo,
            &[],
            "Pseudo column: WHERE JQL = '...' passes raw JQL to Jira. Always NULL in results.",
        )
        .filter("", RawJql),
    ],
};
