//! Writes to what hangs off an issue: worklogs, with the time-tracking arithmetic Jira does,
//! and comments.
//!
//! A new worklog or comment goes at the end of its issue's group (each group is ordered by
//! created), and the ids of both are handed out once, deleted or not. Every write moves the
//! issue's `updated`; a worklog write also records what it did to `timespent` and
//! `timeestimate` in the issue's history, as Jira does, and keeps worklog `updated` times
//! distinct across the site (the `worklog/updated` cursor relies on it).

use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::Arc;

use chrono::{DateTime, FixedOffset};
use serde_json::Value;

use super::write::Change;
use super::{
    ChangeItem, Comment, DeletedWorklog, FIRST_COMMENT_ID, FIRST_WORKLOG_ID, Issue, JiraData,
    Visibility, Worklog,
};

/// How a worklog write moves the issue's remaining estimate (`adjustEstimate`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Estimate {
    /// By the time logged: down when adding, by the difference when updating, back up when
    /// deleting. Never below zero.
    Auto,
    /// Unchanged.
    Leave,
    /// Set to this many seconds.
    New(i64),
    /// Down by this many seconds when adding (`reduceBy`), up when deleting (`increaseBy`).
    Manual(i64),
}

/// A worklog to add.
#[derive(Debug, Clone)]
pub struct NewWorklog {
    pub started: DateTime<FixedOffset>,
    pub time_spent_seconds: i64,
    pub comment: Option<Arc<Value>>,
    pub visibility: Option<Visibility>,
    pub properties: BTreeMap<String, Value>,
}

/// What an update sets on a worklog; None leaves a value as it is.
#[derive(Debug, Clone, Default)]
pub struct WorklogEdit {
    pub started: Option<DateTime<FixedOffset>>,
    pub time_spent_seconds: Option<i64>,
    pub comment: Option<Option<Arc<Value>>>,
    pub visibility: Option<Option<Visibility>>,
    pub properties: BTreeMap<String, Value>,
}

/// What an update sets on a comment; None leaves a value as it is.
#[derive(Debug, Clone, Default)]
pub struct CommentEdit {
    pub body: Option<Arc<Value>>,
    pub visibility: Option<Option<Visibility>>,
    pub properties: BTreeMap<String, Value>,
}

impl JiraData {
    /// Logs work on the issue at `issue`. Returns the worklog's index.
    pub fn add_worklog(
        &mut self,
        issue: usize,
        new: NewWorklog,
        estimate: Estimate,
        change: &Change,
    ) -> usize {
        let id = next_id(&mut self.index.retired.worklog_id, || {
            let live = self.worklogs.iter().map(|w| w.id);
            let gone = self.deleted_worklogs.iter().map(|w| w.id);
            live.chain(gone).max().unwrap_or(FIRST_WORKLOG_ID - 1)
        });
        let stamp = self.worklog_stamp(change);
        let worklog = Worklog {
            id,
            issue_id: self.issues[issue].id,
            author: change.author.clone(),
            update_author: change.author.clone(),
            comment: new.comment,
            started: new.started,
            time_spent_seconds: new.time_spent_seconds,
            created: stamp,
            updated: stamp,
            visibility: new.visibility,
            properties: new.properties,
        };
        let spent = worklog.time_spent_seconds;
        let at = grow(&mut self.worklogs, &mut self.issues, issue, worklog, |i| {
            &mut i.worklogs
        });
        self.index.worklogs_inserted(at, id);
        let remaining = match estimate {
            Estimate::Auto => Some(self.remaining(issue) - spent),
            Estimate::Manual(by) => Some(self.remaining(issue) - by),
            Estimate::New(s) => Some(s),
            Estimate::Leave => self.issues[issue].remaining_estimate_seconds,
        };
        let worklog_item = ChangeItem::Field {
            field: "WorklogId",
            from: None,
            to: Some(id.to_string()),
        };
        self.retime(issue, remaining, worklog_item, change);
        at
    }

    /// Changes the worklog at `at`. Returns whether anything changed.
    pub fn update_worklog(
        &mut self,
        at: usize,
        edit: WorklogEdit,
        estimate: Estimate,
        change: &Change,
    ) -> bool {
        let before = self.worklogs[at].clone();
        let mut after = before.clone();
        if let Some(v) = edit.started {
            after.started = v;
        }
        if let Some(v) = edit.time_spent_seconds {
            after.time_spent_seconds = v;
        }
        if let Some(v) = edit.comment {
            after.comment = v;
        }
        if let Some(v) = edit.visibility {
            after.visibility = v;
        }
        after.properties.extend(edit.properties);
        if after == before {
            return false;
        }
        after.update_author = change.author.clone();
        after.updated = self.worklog_stamp(change);
        self.worklogs[at] = after;
        self.index.worklog_touched(at);
        let Some(issue) = self.issue_index_by_id(before.issue_id) else {
            return true;
        };
        let grew = self.worklogs[at].time_spent_seconds - before.time_spent_seconds;
        let remaining = match estimate {
            Estimate::Auto => Some(self.remaining(issue) - grew),
            Estimate::New(s) => Some(s),
            Estimate::Leave | Estimate::Manual(_) => self.issues[issue].remaining_estimate_seconds,
        };
        let worklog_item = ChangeItem::Field {
            field: "WorklogId",
            from: Some(before.id.to_string()),
            to: Some(before.id.to_string()),
        };
        self.retime(issue, remaining, worklog_item, change);
        true
    }

    /// Deletes the worklog at `at`; `worklog/deleted` then reports it.
    pub fn delete_worklog(&mut self, at: usize, estimate: Estimate, change: &Change) {
        let gone = self.worklogs[at].clone();
        let issue = self.issue_index_by_id(gone.issue_id);
        let deleted = self.deleted_stamp(change);
        self.deleted_worklogs.push(DeletedWorklog {
            id: gone.id,
            issue_id: gone.issue_id,
            deleted,
        });
        cut(&mut self.worklogs, &(at..at + 1), &mut self.issues, |i| {
            &mut i.worklogs
        });
        self.index.worklog_removed(at, gone.id);
        let Some(issue) = issue else { return };
        let spent = gone.time_spent_seconds;
        let remaining = match estimate {
            Estimate::Auto => Some(self.remaining(issue) + spent),
            Estimate::Manual(by) => Some(self.remaining(issue) + by),
            Estimate::New(s) => Some(s),
            Estimate::Leave => self.issues[issue].remaining_estimate_seconds,
        };
        let worklog_item = ChangeItem::Field {
            field: "WorklogId",
            from: Some(gone.id.to_string()),
            to: None,
        };
        self.retime(issue, remaining, worklog_item, change);
    }

    /// Comments on the issue at `issue`. Returns the comment's index.
    pub fn add_comment(
        &mut self,
        issue: usize,
        body: Arc<Value>,
        visibility: Option<Visibility>,
        properties: BTreeMap<String, Value>,
        change: &Change,
    ) -> usize {
        let id = next_id(&mut self.index.retired.comment_id, || {
            let live = self.comments.iter().map(|c| c.id);
            live.max().unwrap_or(FIRST_COMMENT_ID - 1)
        });
        let comment = Comment {
            id,
            issue_id: self.issues[issue].id,
            author: change.author.clone(),
            update_author: change.author.clone(),
            body,
            created: change.at,
            updated: change.at,
            visibility,
            properties,
        };
        let at = grow(&mut self.comments, &mut self.issues, issue, comment, |i| {
            &mut i.comments
        });
        self.index.comment_at = super::ids_at(&self.comments, |c| c.id);
        self.issues[issue].updated = change.at;
        at
    }

    /// Changes the comment at `at`. Returns whether anything changed.
    pub fn update_comment(&mut self, at: usize, edit: CommentEdit, change: &Change) -> bool {
        let before = &self.comments[at];
        let mut after = before.clone();
        if let Some(body) = edit.body {
            after.body = body;
        }
        if let Some(v) = edit.visibility {
            after.visibility = v;
        }
        after.properties.extend(edit.properties);
        if after == *before {
            return false;
        }
        after.update_author = change.author.clone();
        after.updated = change.at;
        let issue_id = after.issue_id;
        self.comments[at] = after;
        if let Some(issue) = self.issue_index_by_id(issue_id) {
            self.issues[issue].updated = change.at;
        }
        true
    }

    /// Deletes the comment at `at`.
    pub fn delete_comment(&mut self, at: usize, change: &Change) {
        let issue_id = self.comments[at].issue_id;
        cut(&mut self.comments, &(at..at + 1), &mut self.issues, |i| {
            &mut i.comments
        });
        self.index.comment_at = super::ids_at(&self.comments, |c| c.id);
        if let Some(issue) = self.issue_index_by_id(issue_id) {
            self.issues[issue].updated = change.at;
        }
    }

    /// The issue's remaining estimate in seconds (none counts as zero).
    fn remaining(&self, issue: usize) -> i64 {
        self.issues[issue].remaining_estimate_seconds.unwrap_or(0)
    }

    /// Sets the time spent from the issue's worklogs and the remaining estimate (never below
    /// zero), and records both with `worklog_item` in one history entry.
    fn retime(
        &mut self,
        index: usize,
        remaining: Option<i64>,
        worklog_item: ChangeItem,
        change: &Change,
    ) {
        let spent: i64 = self
            .worklogs_of(&self.issues[index])
            .iter()
            .map(|w| w.time_spent_seconds)
            .sum();
        let spent = (!self.worklogs_of(&self.issues[index]).is_empty()).then_some(spent);
        let remaining = remaining.map(|r| r.max(0));
        let issue = &mut self.issues[index];
        let text = |v: Option<i64>| v.map(|s| s.to_string());
        let mut items = Vec::new();
        if issue.remaining_estimate_seconds != remaining {
            items.push(ChangeItem::Field {
                field: "timeestimate",
                from: text(issue.remaining_estimate_seconds),
                to: text(remaining),
            });
        }
        if issue.time_spent_seconds != spent {
            items.push(ChangeItem::Field {
                field: "timespent",
                from: text(issue.time_spent_seconds),
                to: text(spent),
            });
        }
        issue.remaining_estimate_seconds = remaining;
        issue.time_spent_seconds = spent;
        items.push(worklog_item);
        self.record(index, items, change);
    }

    /// The `updated` of a worklog written now: after every other worklog's.
    fn worklog_stamp(&self, change: &Change) -> DateTime<FixedOffset> {
        let last = self.worklogs_by_updated().last();
        after(change, last.map(|w| w.updated.timestamp_millis()))
    }

    /// The instant of a worklog deleted now: after every other deletion.
    pub(super) fn deleted_stamp(&self, change: &Change) -> DateTime<FixedOffset> {
        let last = self.deleted_worklogs.last();
        after(change, last.map(|w| w.deleted.timestamp_millis()))
    }
}

/// The change's instant, or a millisecond after `last` when that is not earlier.
fn after(change: &Change, last: Option<i64>) -> DateTime<FixedOffset> {
    let at = change.at.timestamp_millis();
    match last {
        Some(last) if last >= at => super::at_zone(last + 1, chrono_tz::Tz::UTC),
        _ => change.at,
    }
}

/// The next id after the high-water `mark` (found by `scan` the first time), which it moves.
fn next_id(mark: &mut u64, scan: impl FnOnce() -> u64) -> u64 {
    if *mark == 0 {
        *mark = scan();
    }
    *mark += 1;
    *mark
}

/// Puts `item` at the end of the group of the issue at `index` and moves the groups after
/// it. Returns the item's position.
pub(super) fn grow<T>(
    items: &mut Vec<T>,
    issues: &mut [Issue],
    index: usize,
    item: T,
    of: impl Fn(&mut Issue) -> &mut Range<usize>,
) -> usize {
    let at = of(&mut issues[index]).end;
    items.insert(at, item);
    for (i, issue) in issues.iter_mut().enumerate() {
        let r = of(issue);
        if i == index {
            r.end += 1;
        } else if r.start >= at {
            *r = r.start + 1..r.end + 1;
        }
    }
    at
}

/// Removes `range` from `items`: groups after it move back, the group holding it shrinks.
pub(super) fn cut<T>(
    items: &mut Vec<T>,
    range: &Range<usize>,
    issues: &mut [Issue],
    of: impl Fn(&mut Issue) -> &mut Range<usize>,
) {
    if range.is_empty() {
        return;
    }
    items.drain(range.clone());
    let n = range.len();
    for issue in issues {
        let r = of(issue);
        if r.start >= range.end {
            *r = r.start - n..r.end - n;
        } else if r.end >= range.end {
            r.end -= n;
        }
    }
}
