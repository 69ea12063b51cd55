//! The demo site's lists (TimeLog, Issues, Burndown), shaped for the product's sync and sink jobs.

use super::*;

/// The demo site's lists, shaped for the product's sync job.
pub(crate) fn demo_lists() -> Vec<ListSpec> {
    let number = |decimals| ColumnKind::Number {
        decimals: Some(decimals),
    };
    let date_time = ColumnKind::DateTime { date_only: false };
    let time_log = ListSpec::new("TimeLog")
        .title_optional()
        .column(ColumnSpec::new("WorklogId", number(0)).unique())
        .column(ColumnSpec::new("IssueKey", ColumnKind::text()).indexed())
        .column(ColumnSpec::new("Started", date_time.clone()))
        .column(ColumnSpec::new("Hours", number(2)))
        .column(ColumnSpec::new("Seconds", number(0)))
        .column(ColumnSpec::new("Comment", ColumnKind::note()))
        // Clashes with the built-in `Author`: SharePoint names it `Author0`.
        .column(ColumnSpec::new("Author", ColumnKind::text()));
    let issues = ListSpec::new("Issues")
        .column(ColumnSpec::new("IssueKey", ColumnKind::text()).unique())
        .column(ColumnSpec::new("Summary", ColumnKind::text()))
        .column(ColumnSpec::new(
            "Status",
            ColumnKind::choice(&["Backlog", "To Do", "In Progress", "In Review", "Done"]),
        ))
        .column(ColumnSpec::new(
            "Priority",
            ColumnKind::choice(&["Highest", "High", "Medium", "Low", "Lowest"]),
        ))
        .column(ColumnSpec::new("Assignee", ColumnKind::text()))
        // The Jira demo site's labels, so that syncing it fits the choices.
        .column(ColumnSpec::new(
            "Labels",
            ColumnKind::multi_choice(crate::jira::data::LABELS),
        ))
        // Clashes with the built-in `Created`: SharePoint names it `Created0`.
        .column(ColumnSpec::new("Created", date_time))
        .column(ColumnSpec::new(
            "Due",
            ColumnKind::DateTime { date_only: true },
        ))
        .column(ColumnSpec::new("StoryPoints", number(1)))
        .column(ColumnSpec::new("Resolved", ColumnKind::Boolean));
    let burndown = ListSpec::new("Sprint Burndown")
        .column(ColumnSpec::new("Sprint Name", ColumnKind::text()).indexed())
        .column(ColumnSpec::new(
            "Day",
            ColumnKind::DateTime { date_only: true },
        ))
        .column(ColumnSpec::new("Remaining Points", number(1)))
        .column(ColumnSpec::new("Completed Points", number(1)))
        .column(ColumnSpec::new("Scope Change (pts)", number(1)));
    vec![time_log, issues, burndown]
}
