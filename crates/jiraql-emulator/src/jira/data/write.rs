//! Writes to the site as Jira's issue endpoints make them: issues created, edited, moved
//! through their workflow and deleted. Every change that changes something bumps the issue's
//! `updated` and is recorded as a change history; a change to nothing records nothing.
//!
//! Values arrive already resolved to ids (the HTTP layer turns names into ids and answers with
//! Jira's messages); what is checked here is what the data itself decides: the workflow and
//! sub-tasks.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde_json::Value;

use super::history::FIRST_CHANGELOG_ID;
use super::items::{cut, grow};
use super::{ChangeHistory, ChangeItem, DeletedWorklog, FIRST_ISSUE_ID, Issue, JiraData, SUBTASK};
use crate::jira::fields::{STORY_POINTS, TARGET_DATE, TEAM};

/// Status ids of the generated workflow.
const BACKLOG: u64 = 10000;
const TO_DO: u64 = 10001;
const IN_PROGRESS: u64 = 3;
const IN_REVIEW: u64 = 10002;
const DONE: u64 = 10003;
/// The resolution set on reaching Done.
const RESOLUTION_DONE: u64 = 10000;
/// Medium: what an issue created without a priority gets.
const DEFAULT_PRIORITY: u64 = 3;

/// A transition of a workflow: `(id, name, from, to)`.
type Step = (u64, &'static str, u64, u64);

/// Stories, tasks, bugs and epics: forward in order (steps may be skipped towards Done), back
/// from review, and reopened from Done. Histories the generator writes stay within it.
const STANDARD: &[Step] = &[
    (11, "Select for development", BACKLOG, TO_DO),
    (21, "Start progress", BACKLOG, IN_PROGRESS),
    (21, "Start progress", TO_DO, IN_PROGRESS),
    (51, "Move to backlog", TO_DO, BACKLOG),
    (41, "Done", TO_DO, DONE),
    (31, "Request review", IN_PROGRESS, IN_REVIEW),
    (61, "Stop progress", IN_PROGRESS, TO_DO),
    (41, "Done", IN_PROGRESS, DONE),
    (71, "Request changes", IN_REVIEW, IN_PROGRESS),
    (41, "Done", IN_REVIEW, DONE),
    (81, "Reopen", DONE, TO_DO),
];

/// Sub-tasks: no way back to the backlog, and done straight from any open status.
const SUBTASK_FLOW: &[Step] = &[
    (11, "Select for development", BACKLOG, TO_DO),
    (21, "Start progress", TO_DO, IN_PROGRESS),
    (41, "Done", BACKLOG, DONE),
    (41, "Done", TO_DO, DONE),
    (31, "Request review", IN_PROGRESS, IN_REVIEW),
    (61, "Stop progress", IN_PROGRESS, TO_DO),
    (41, "Done", IN_PROGRESS, DONE),
    (71, "Request changes", IN_REVIEW, IN_PROGRESS),
    (41, "Done", IN_REVIEW, DONE),
    (81, "Reopen", DONE, TO_DO),
];

/// A transition available to an issue now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transition {
    pub id: u64,
    pub name: &'static str,
    /// The status it leads to.
    pub to: u64,
}

/// A value to set one field of an issue to (ids already resolved).
#[derive(Debug, Clone, PartialEq)]
pub enum FieldValue {
    Summary(String),
    Description(Option<Arc<Value>>),
    Labels(Vec<String>),
    Components(Vec<u64>),
    FixVersions(Vec<u64>),
    /// Account ids; None is unassigned.
    Assignee(Option<String>),
    Reporter(Option<String>),
    Priority(u64),
    DueDate(Option<NaiveDate>),
    /// Seconds.
    OriginalEstimate(Option<i64>),
    StoryPoints(Option<f64>),
    /// An option id of "Team".
    Team(Option<u64>),
    TargetDate(Option<NaiveDate>),
}

/// What an issue is created as, besides its field values.
#[derive(Debug, Clone, Default)]
pub struct NewIssue {
    pub project_id: u64,
    pub issue_type_id: u64,
    /// The index of its parent (a sub-task's issue, or an epic).
    pub parent: Option<usize>,
    /// Entity properties set with the create.
    pub properties: BTreeMap<String, Value>,
}

/// Who makes a change, and when.
#[derive(Debug, Clone)]
pub struct Change {
    /// Account id.
    pub author: String,
    pub at: DateTime<FixedOffset>,
}

/// Why an issue could not be deleted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeleteRefused {
    /// It has sub-tasks and they were not to be deleted with it.
    HasSubtasks,
}

impl JiraData {
    /// The transitions the issue at `index` can take from its current status.
    pub fn transitions(&self, index: usize) -> Vec<Transition> {
        let Some(issue) = self.issues.get(index) else {
            return Vec::new();
        };
        workflow(issue.issue_type_id)
            .iter()
            .filter(|(_, _, from, _)| *from == issue.status_id)
            .map(|&(id, name, _, to)| Transition { id, name, to })
            .collect()
    }

    /// The statuses an issue of `issue_type_id` can be in, in workflow order.
    pub fn workflow_statuses(&self, issue_type_id: u64) -> Vec<u64> {
        let mut out = Vec::new();
        for &(_, _, from, to) in workflow(issue_type_id) {
            for status in [from, to] {
                if !out.contains(&status) {
                    out.push(status);
                }
            }
        }
        out
    }

    /// Creates an issue in `project_id` of `issue_type_id` (a sub-task under `parent`) in the
    /// workflow's first status, reported and created by the author, then sets `values` and
    /// the entity `properties` on it. Returns its index.
    pub fn create_issue(&mut self, new: NewIssue, values: &[FieldValue], change: &Change) -> usize {
        let NewIssue {
            project_id,
            issue_type_id,
            parent,
            properties,
        } = new;
        let prefix = self
            .project(project_id)
            .map_or_else(|| "ISSUE".to_string(), |p| p.key.clone());
        // Jira never hands out an id or a key twice, deleted or not.
        let number = self
            .issues
            .iter()
            .filter(|i| i.project_id == project_id)
            .filter_map(|i| key_number(&i.key))
            .chain(self.index.retired.key_numbers.get(&project_id).copied())
            .max()
            .unwrap_or(0)
            + 1;
        let id = self
            .issues
            .last()
            .map_or(FIRST_ISSUE_ID - 1, |i| i.id)
            .max(self.index.retired.issue_id)
            + 1;
        let end = |len: usize| len..len;
        let (parent_id, parent_key) = match parent.and_then(|p| self.issues.get(p)) {
            Some(p) => (Some(p.id), Some(p.key.clone())),
            None => (None, None),
        };
        let issue = Issue {
            id,
            key: format!("{prefix}-{number}"),
            project_id,
            issue_type_id,
            status_id: if issue_type_id == SUBTASK {
                TO_DO
            } else {
                BACKLOG
            },
            priority_id: DEFAULT_PRIORITY,
            resolution_id: None,
            summary: String::new(),
            description: None,
            labels: Vec::new(),
            component_ids: Vec::new(),
            fix_version_ids: Vec::new(),
            assignee: None,
            reporter: Some(change.author.clone()),
            creator: change.author.clone(),
            parent_id,
            parent_key,
            subtask_ids: Vec::new(),
            created: change.at,
            updated: change.at,
            resolution_date: None,
            due_date: None,
            original_estimate_seconds: None,
            remaining_estimate_seconds: None,
            time_spent_seconds: None,
            story_points: None,
            sprint_ids: Vec::new(),
            team_id: None,
            target_date: None,
            worklogs: end(self.worklogs.len()),
            comments: end(self.comments.len()),
            changelogs: end(self.changelogs.len()),
            attachments: end(self.attachments.len()),
            link_ids: Vec::new(),
            properties,
        };
        let index = self.issues.len();
        self.index.issue_by_key.insert(issue.key.clone(), index);
        self.issues.push(issue);
        if let Some(p) = parent {
            self.issues[p].subtask_ids.push(id);
        }
        // A new issue's fields are part of its creation, not a change after it.
        for value in values {
            set(&mut self.issues[index], value);
        }
        index
    }

    /// Sets `values` on the issue at `index`. Only values that differ count: when there is
    /// one, `updated` moves to the change's instant and one change history records them all.
    /// Returns the changed fields' ids.
    pub fn edit_issue_fields(
        &mut self,
        index: usize,
        values: &[FieldValue],
        change: &Change,
    ) -> Vec<&'static str> {
        let Some(mut current) = self.issues.get(index).cloned() else {
            return Vec::new();
        };
        let mut items = Vec::new();
        for value in values {
            let before = current.clone();
            set(&mut current, value);
            if current != before {
                items.push(self.change_item(&before, &current, value));
            }
        }
        let changed = items.iter().map(ChangeItem::field_id).collect();
        self.issues[index] = current;
        self.record(index, items, change);
        changed
    }

    /// Moves the issue at `index` to status `to`; reaching Done resolves it (resolution Done,
    /// resolved now), leaving Done clears both. The caller checks `to` is a transition's target.
    pub fn transition_issue(&mut self, index: usize, to: u64, change: &Change) {
        let Some(issue) = self.issues.get_mut(index) else {
            return;
        };
        let mut items = vec![ChangeItem::Status {
            from: issue.status_id,
            to,
        }];
        issue.status_id = to;
        let resolution = (to == DONE).then_some(RESOLUTION_DONE);
        if resolution != issue.resolution_id {
            items.push(ChangeItem::Resolution {
                from: issue.resolution_id,
                to: resolution,
            });
            issue.resolution_id = resolution;
            issue.resolution_date = resolution.map(|_| change.at);
        }
        self.record(index, items, change);
    }

    /// Deletes the issue at `index` with what it holds (worklogs, which `worklog/deleted` then
    /// reports, comments, histories, attachments, links) and, when `with_subtasks`, its
    /// sub-tasks. Returns the keys deleted.
    pub fn delete_issue(
        &mut self,
        index: usize,
        with_subtasks: bool,
        change: &Change,
    ) -> Result<Vec<String>, DeleteRefused> {
        let Some(issue) = self.issues.get(index) else {
            return Ok(Vec::new());
        };
        if !issue.subtask_ids.is_empty() && !with_subtasks {
            return Err(DeleteRefused::HasSubtasks);
        }
        let mut doomed: Vec<usize> = issue
            .subtask_ids
            .iter()
            .filter_map(|&id| self.issue_index_by_id(id))
            .collect();
        doomed.push(index);
        // Highest index first, so the ones still to go keep theirs.
        doomed.sort_unstable_by(|a, b| b.cmp(a));
        let mut keys = Vec::new();
        for i in doomed {
            keys.push(self.remove_issue(i, change));
        }
        self.reindex();
        Ok(keys)
    }

    /// Removes one issue and everything that hangs off it; indexes are rebuilt by the caller.
    fn remove_issue(&mut self, index: usize, change: &Change) -> String {
        let issue = self.issues.remove(index);
        let retired = &mut self.index.retired;
        retired.issue_id = retired.issue_id.max(issue.id);
        if let Some(n) = key_number(&issue.key) {
            let top = retired.key_numbers.entry(issue.project_id).or_default();
            *top = (*top).max(n);
        }
        for n in issue.worklogs.clone() {
            let deleted = self.deleted_stamp(change);
            self.deleted_worklogs.push(DeletedWorklog {
                id: self.worklogs[n].id,
                issue_id: issue.id,
                deleted,
            });
        }
        cut(&mut self.worklogs, &issue.worklogs, &mut self.issues, |i| {
            &mut i.worklogs
        });
        cut(&mut self.comments, &issue.comments, &mut self.issues, |i| {
            &mut i.comments
        });
        cut(
            &mut self.changelogs,
            &issue.changelogs,
            &mut self.issues,
            |i| &mut i.changelogs,
        );
        cut(
            &mut self.attachments,
            &issue.attachments,
            &mut self.issues,
            |i| &mut i.attachments,
        );
        self.issue_links
            .retain(|l| l.inward_issue_id != issue.id && l.outward_issue_id != issue.id);
        let live: std::collections::HashSet<u64> = self.issue_links.iter().map(|l| l.id).collect();
        for other in &mut self.issues {
            other.link_ids.retain(|id| live.contains(id));
            other.subtask_ids.retain(|&id| id != issue.id);
            // The children of a deleted epic stay, without a parent.
            if other.parent_id == Some(issue.id) {
                other.parent_id = None;
                other.parent_key = None;
            }
        }
        issue.key
    }

    /// Appends a change history for `items` to the issue at `index` (nothing when empty) and
    /// moves its `updated` to the change's instant.
    pub(super) fn record(&mut self, index: usize, items: Vec<ChangeItem>, change: &Change) {
        if items.is_empty() {
            return;
        }
        // The generated histories are scanned once, at the first write; after that the mark
        // is the highest id there is.
        let last = match self.index.retired.changelog_id {
            0 => self
                .changelogs
                .iter()
                .map(|h| h.id)
                .max()
                .unwrap_or(FIRST_CHANGELOG_ID - 1),
            mark => mark,
        };
        let id = last + 1;
        self.index.retired.changelog_id = id;
        let issue = &mut self.issues[index];
        issue.updated = change.at;
        let history = ChangeHistory {
            id,
            issue_id: issue.id,
            author: change.author.clone(),
            created: change.at,
            items,
        };
        grow(
            &mut self.changelogs,
            &mut self.issues,
            index,
            history,
            |i| &mut i.changelogs,
        );
    }

    /// Rebuilds the lookups after issues or worklogs went away.
    fn reindex(&mut self) {
        self.index.issue_by_key = self
            .issues
            .iter()
            .enumerate()
            .map(|(i, issue)| (issue.key.clone(), i))
            .collect();
        let mut order: Vec<usize> = (0..self.worklogs.len()).collect();
        let w = &self.worklogs;
        order.sort_by_key(|&i| (w[i].updated.timestamp_millis(), w[i].id));
        self.index.worklogs_by_updated = order;
        self.index.worklog_at = super::ids_at(&self.worklogs, |w| w.id);
        self.index.comment_at = super::ids_at(&self.comments, |c| c.id);
    }

    /// The change history item for one changed field, with the names Jira shows.
    fn change_item(&self, before: &Issue, after: &Issue, value: &FieldValue) -> ChangeItem {
        let text = |f: &dyn Fn(&Issue) -> Option<String>| (f(before), f(after));
        let user = |a: &Option<String>| {
            a.as_ref().map(|a| {
                self.user(a)
                    .map_or_else(|| a.clone(), |u| u.display_name.clone())
            })
        };
        let components = |ids: &[u64]| {
            names(
                ids.iter()
                    .filter_map(|&id| self.component(id))
                    .map(|c| c.name.clone()),
            )
        };
        let versions = |ids: &[u64]| {
            names(
                ids.iter()
                    .filter_map(|&id| self.version(id))
                    .map(|v| v.name.clone()),
            )
        };
        let (field, (from, to)) = match value {
            FieldValue::Assignee(_) => {
                return ChangeItem::Assignee {
                    from: before.assignee.clone(),
                    to: after.assignee.clone(),
                };
            }
            FieldValue::Summary(_) => ("summary", text(&|i| Some(i.summary.clone()))),
            FieldValue::Description(_) => (
                "description",
                text(&|i| {
                    i.description
                        .as_deref()
                        .map(crate::jira::adf::to_plain_text)
                }),
            ),
            FieldValue::Labels(_) => ("labels", text(&|i| names(i.labels.iter().cloned()))),
            FieldValue::Components(_) => ("components", text(&|i| components(&i.component_ids))),
            FieldValue::FixVersions(_) => ("fixVersions", text(&|i| versions(&i.fix_version_ids))),
            FieldValue::Reporter(_) => ("reporter", text(&|i| user(&i.reporter))),
            FieldValue::Priority(_) => (
                "priority",
                text(&|i| self.priority(i.priority_id).map(|p| p.name.clone())),
            ),
            FieldValue::DueDate(_) => ("duedate", text(&|i| i.due_date.map(|d| d.to_string()))),
            FieldValue::OriginalEstimate(_) => (
                "timeoriginalestimate",
                text(&|i| i.original_estimate_seconds.map(|s| s.to_string())),
            ),
            FieldValue::StoryPoints(_) => (
                STORY_POINTS,
                text(&|i| i.story_points.map(|p| p.to_string())),
            ),
            FieldValue::Team(_) => (
                TEAM,
                text(&|i| {
                    i.team_id
                        .and_then(|t| self.team(t))
                        .map(|t| t.value.clone())
                }),
            ),
            FieldValue::TargetDate(_) => {
                (TARGET_DATE, text(&|i| i.target_date.map(|d| d.to_string())))
            }
        };
        ChangeItem::Field { field, from, to }
    }
}

/// The workflow of an issue type.
fn workflow(issue_type_id: u64) -> &'static [Step] {
    if issue_type_id == SUBTASK {
        SUBTASK_FLOW
    } else {
        STANDARD
    }
}

/// Sets one field.
fn set(issue: &mut Issue, value: &FieldValue) {
    match value.clone() {
        FieldValue::Summary(v) => issue.summary = v,
        FieldValue::Description(v) => issue.description = v,
        FieldValue::Labels(v) => issue.labels = v,
        FieldValue::Components(v) => issue.component_ids = v,
        FieldValue::FixVersions(v) => issue.fix_version_ids = v,
        FieldValue::Assignee(v) => issue.assignee = v,
        FieldValue::Reporter(v) => issue.reporter = v,
        FieldValue::Priority(v) => issue.priority_id = v,
        FieldValue::DueDate(v) => issue.due_date = v,
        FieldValue::OriginalEstimate(v) => {
            issue.original_estimate_seconds = v;
            if issue.time_spent_seconds.is_none() {
                issue.remaining_estimate_seconds = v;
            }
        }
        FieldValue::StoryPoints(v) => issue.story_points = v,
        FieldValue::Team(v) => issue.team_id = v,
        FieldValue::TargetDate(v) => issue.target_date = v,
    }
}

/// The number of a key: 7 of `DEMO-7`.
fn key_number(key: &str) -> Option<u64> {
    key.rsplit_once('-')?.1.parse().ok()
}

/// Values as Jira lists them in a history: space-separated, None when there are none.
fn names(values: impl Iterator<Item = String>) -> Option<String> {
    let all: Vec<String> = values.collect();
    (!all.is_empty()).then(|| all.join(" "))
}
