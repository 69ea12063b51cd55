//! Changes to a generated site while it is served: issues created and edited, for tests of
//! scans that must stay exact while Jira changes under them.

use chrono::{DateTime, FixedOffset};

use super::{Issue, JiraData};

impl JiraData {
    /// Adds an issue like the one at `template` (same project, type, people and fields),
    /// created and updated at `now`, with the next id and the next key of its project and no
    /// worklogs, comments, history, attachments, links or sub-tasks. Returns its index.
    pub fn create_issue_like(
        &mut self,
        template: usize,
        now: DateTime<FixedOffset>,
    ) -> Option<usize> {
        let mut issue: Issue = self.issues.get(template)?.clone();
        let project = issue.key.rsplit_once('-').map(|(p, _)| p.to_string())?;
        let number = self
            .issues
            .iter()
            .filter_map(|i| i.key.rsplit_once('-'))
            .filter(|(p, _)| *p == project)
            .filter_map(|(_, n)| n.parse::<u64>().ok())
            .max()
            .unwrap_or(0)
            + 1;
        issue.id = self
            .issues
            .last()
            .map_or(super::FIRST_ISSUE_ID, |i| i.id + 1);
        issue.key = format!("{project}-{number}");
        issue.created = now;
        issue.updated = now;
        issue.summary = format!("{} (copy)", issue.summary);
        issue.parent_id = None;
        issue.parent_key = None;
        issue.subtask_ids.clear();
        issue.link_ids.clear();
        issue.time_spent_seconds = None;
        issue.worklogs = self.worklogs.len()..self.worklogs.len();
        issue.comments = self.comments.len()..self.comments.len();
        issue.changelogs = self.changelogs.len()..self.changelogs.len();
        issue.attachments = self.attachments.len()..self.attachments.len();
        let index = self.issues.len();
        self.index.issue_by_key.insert(issue.key.clone(), index);
        self.issues.push(issue);
        Some(index)
    }

    /// Edits the summary of the issue at `index` and sets its updated time to `now`.
    pub fn edit_issue(&mut self, index: usize, now: DateTime<FixedOffset>) -> bool {
        let Some(issue) = self.issues.get_mut(index) else {
            return false;
        };
        issue.summary.push_str(" (edited)");
        issue.updated = now;
        true
    }
}
