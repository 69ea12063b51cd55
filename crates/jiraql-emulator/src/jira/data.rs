//! The emulator's site: a deterministic, generated Jira Cloud data set.
//!
//! [`JiraData::generate`] builds everything from a seed and an issue count. The fixed part of
//! the site (users, projects, statuses, sprints, …) depends on the seed only, so tests can
//! rely on it at any size; issues, worklogs and comments grow with the count. Nothing reads
//! the wall clock: all instants fall between 2026-01-05 and 2026-11-20.
//!
//! The structs are plain data with public fields so that tests can compute the rows a SQL
//! query should return without going through HTTP. Rich-text bodies are ADF documents shared
//! through `Arc` from small pools: with 100 000 issues a private JSON tree per worklog would
//! cost hundreds of megabytes for no test value.

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::sync::Arc;

use chrono::{DateTime, Days, FixedOffset, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::Value;

use super::adf;

mod catalog;
mod directory;
mod generate;
mod history;
mod items;
mod links;
mod mutate;
mod seeds;
mod write;

use catalog::*;
pub use directory::{Actor, Filter, Group, ProjectRole, RoleActor};
use generate::*;
pub use history::{ChangeHistory, ChangeItem, DeletedWorklog};
pub use items::{CommentEdit, Estimate, NewWorklog, WorklogEdit};
pub use links::{Attachment, IssueLink, IssueLinkType};
pub(crate) use seeds::LABELS;
use seeds::*;
pub use write::{Change, DeleteRefused, FieldValue, NewIssue, Transition};

/// First instant of generated activity (2026-01-05T00:00:00Z), epoch milliseconds.
pub const ACTIVITY_START_MS: i64 = 1_767_571_200_000;
/// Last instant of generated activity (2026-11-20T00:00:00Z), epoch milliseconds.
pub const ACTIVITY_END_MS: i64 = 1_795_132_800_000;

const MINUTE_MS: i64 = 60_000;
const HOUR_MS: i64 = 60 * MINUTE_MS;
const DAY_MS: i64 = 24 * HOUR_MS;

/// A Jira user. `account_id` is the Cloud identifier; `name`/`key` are what Data Center uses.
#[derive(Debug, Clone, PartialEq)]
pub struct User {
    pub account_id: String,
    /// `atlassian` for people, `app` for automation accounts.
    pub account_type: String,
    pub display_name: String,
    /// Hidden (None) for users whose profile visibility hides it, as on real sites.
    pub email_address: Option<String>,
    /// IANA zone name, e.g. `Australia/Sydney`.
    pub time_zone: String,
    pub active: bool,
    /// Data Center username.
    pub name: String,
    /// Data Center user key (`JIRAUSER10xxx`).
    pub key: String,
}

/// A project; ids start at 10000.
#[derive(Debug, Clone, PartialEq)]
pub struct Project {
    pub id: u64,
    pub key: String,
    pub name: String,
    /// `software` or `business`.
    pub project_type_key: String,
    /// Team-managed (`true`) or company-managed.
    pub simplified: bool,
    /// Account id of the project lead.
    pub lead: String,
    /// Plain text, as `GET /project/{projectIdOrKey}` shows it.
    pub description: String,
}

/// An issue type with its place in the hierarchy (Epic 1, standard 0, sub-task -1).
#[derive(Debug, Clone, PartialEq)]
pub struct IssueType {
    pub id: u64,
    pub name: String,
    pub description: String,
    pub subtask: bool,
    pub hierarchy_level: i32,
}

/// A status category (`new`, `indeterminate`, `done`).
#[derive(Debug, Clone, PartialEq)]
pub struct StatusCategory {
    pub id: u64,
    pub key: String,
    pub name: String,
    pub color_name: String,
}

/// A workflow status and its category.
#[derive(Debug, Clone, PartialEq)]
pub struct Status {
    pub id: u64,
    pub name: String,
    pub description: String,
    pub category_id: u64,
}

/// A priority; id 1 is `Highest`, 5 is `Lowest`.
#[derive(Debug, Clone, PartialEq)]
pub struct Priority {
    pub id: u64,
    pub name: String,
    pub description: String,
    pub status_color: String,
}

/// A resolution (set exactly when the issue's status is in the `done` category).
#[derive(Debug, Clone, PartialEq)]
pub struct Resolution {
    pub id: u64,
    pub name: String,
    pub description: String,
}

/// A project component.
#[derive(Debug, Clone, PartialEq)]
pub struct Component {
    pub id: u64,
    pub project_id: u64,
    pub name: String,
    pub description: String,
    /// Account id of the component lead, if any.
    pub lead: Option<String>,
    /// Default assignee rule: `PROJECT_DEFAULT`, `COMPONENT_LEAD`, `PROJECT_LEAD` or
    /// `UNASSIGNED`.
    pub assignee_type: String,
}

/// A project version (fixVersion). `sequence` orders versions within a project.
#[derive(Debug, Clone, PartialEq)]
pub struct Version {
    pub id: u64,
    pub project_id: u64,
    pub name: String,
    pub description: String,
    pub archived: bool,
    pub released: bool,
    pub release_date: Option<NaiveDate>,
    /// Ten weeks before the release date (None when undated).
    pub start_date: Option<NaiveDate>,
    pub sequence: u32,
}

impl Version {
    /// Unreleased with a release date before the site's present (2026-11-20, the end of
    /// generated activity): Jira's `overdue`.
    pub fn overdue(&self) -> bool {
        let present = DateTime::<Utc>::from_timestamp_millis(ACTIVITY_END_MS)
            .map(|t| t.date_naive())
            .unwrap_or_default();
        !self.released && self.release_date.is_some_and(|d| d < present)
    }
}

/// An agile board (scrum boards own sprints).
#[derive(Debug, Clone, PartialEq)]
pub struct Board {
    pub id: u64,
    pub name: String,
    pub project_id: u64,
    /// `scrum` or `kanban`.
    pub board_type: String,
}

/// A sprint of a scrum board. `state` is `closed`, `active` or `future`; future sprints may
/// have no dates and only closed ones have a `complete_date`.
#[derive(Debug, Clone, PartialEq)]
pub struct Sprint {
    pub id: u64,
    pub board_id: u64,
    pub name: String,
    pub state: String,
    pub goal: Option<String>,
    pub start_date: Option<DateTime<FixedOffset>>,
    pub end_date: Option<DateTime<FixedOffset>>,
    pub complete_date: Option<DateTime<FixedOffset>>,
}

/// An option of the single-select custom field `customfield_10030` ("Team").
#[derive(Debug, Clone, PartialEq)]
pub struct TeamOption {
    pub id: u64,
    pub value: String,
}

/// An issue. References to other entities are by id (users by account id). Timestamps carry
/// the offset they are rendered with; compare instants, not wall-clock fields.
#[derive(Debug, Clone, PartialEq)]
pub struct Issue {
    /// Numeric id, 10001 upwards in creation order.
    pub id: u64,
    /// `PROJECT-n`.
    pub key: String,
    pub project_id: u64,
    pub issue_type_id: u64,
    pub status_id: u64,
    pub priority_id: u64,
    pub resolution_id: Option<u64>,
    pub summary: String,
    /// ADF document, or None when the issue has no description.
    pub description: Option<Arc<Value>>,
    pub labels: Vec<String>,
    pub component_ids: Vec<u64>,
    pub fix_version_ids: Vec<u64>,
    /// Account ids.
    pub assignee: Option<String>,
    pub reporter: Option<String>,
    pub creator: String,
    /// Epic of a story/task/bug, or the task of a sub-task.
    pub parent_id: Option<u64>,
    pub parent_key: Option<String>,
    /// Ids of the sub-tasks (only sub-tasks, not the children of an epic).
    pub subtask_ids: Vec<u64>,
    pub created: DateTime<FixedOffset>,
    pub updated: DateTime<FixedOffset>,
    pub resolution_date: Option<DateTime<FixedOffset>>,
    pub due_date: Option<NaiveDate>,
    /// Time tracking in seconds; `time_spent_seconds` is the sum of the worklogs (None when
    /// there are none).
    pub original_estimate_seconds: Option<i64>,
    pub remaining_estimate_seconds: Option<i64>,
    pub time_spent_seconds: Option<i64>,
    /// `customfield_10016` "Story Points".
    pub story_points: Option<f64>,
    /// `customfield_10020` "Sprint": sprint ids, oldest first.
    pub sprint_ids: Vec<u64>,
    /// `customfield_10030` "Team": option id.
    pub team_id: Option<u64>,
    /// `customfield_10040` "Target Date".
    pub target_date: Option<NaiveDate>,
    /// Index range into [`JiraData::worklogs`] (ordered by created).
    pub worklogs: Range<usize>,
    /// Index range into [`JiraData::comments`] (ordered by created).
    pub comments: Range<usize>,
    /// Index range into [`JiraData::changelogs`] (oldest first).
    pub changelogs: Range<usize>,
    /// Index range into [`JiraData::attachments`] (oldest first).
    pub attachments: Range<usize>,
    /// Ids of the links ([`JiraData::issue_links`]) the issue takes part in, either end.
    pub link_ids: Vec<u64>,
    /// Entity properties (`key` → JSON value), set by writes; generated issues have none.
    pub properties: BTreeMap<String, Value>,
}

/// A worklog. Updated times are distinct across the site (millisecond precision), so the
/// `worklog/updated` cursor never has to split equal timestamps.
#[derive(Debug, Clone, PartialEq)]
pub struct Worklog {
    pub id: u64,
    pub issue_id: u64,
    pub author: String,
    pub update_author: String,
    /// ADF document, optional as in Jira.
    pub comment: Option<Arc<Value>>,
    pub started: DateTime<FixedOffset>,
    pub time_spent_seconds: i64,
    pub created: DateTime<FixedOffset>,
    pub updated: DateTime<FixedOffset>,
    /// Who may see it; None is everyone (all generated worklogs).
    pub visibility: Option<Visibility>,
    /// Entity properties, set by writes.
    pub properties: BTreeMap<String, Value>,
}

/// An issue comment.
#[derive(Debug, Clone, PartialEq)]
pub struct Comment {
    pub id: u64,
    pub issue_id: u64,
    pub author: String,
    pub update_author: String,
    /// ADF document.
    pub body: Arc<Value>,
    pub created: DateTime<FixedOffset>,
    pub updated: DateTime<FixedOffset>,
    /// Who may see it; None is everyone (all generated comments).
    pub visibility: Option<Visibility>,
    /// Entity properties, set by writes.
    pub properties: BTreeMap<String, Value>,
}

/// A restriction of a worklog or comment to the members of a group or a project role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Visibility {
    /// A group, by name.
    Group(String),
    /// A project role, by name.
    Role(String),
}

/// The whole site. Entity vectors are public; lookups go through the methods, which use
/// precomputed indexes so serving 100 000 issues costs no scans.
#[derive(Debug, Clone)]
pub struct JiraData {
    /// Account id of the user the emulator's credentials belong to (`/myself`,
    /// `currentUser()`); its zone (Australia/Sydney) is the zone JQL dates are read in.
    pub myself: String,
    pub users: Vec<User>,
    pub projects: Vec<Project>,
    pub issue_types: Vec<IssueType>,
    pub status_categories: Vec<StatusCategory>,
    pub statuses: Vec<Status>,
    pub priorities: Vec<Priority>,
    pub resolutions: Vec<Resolution>,
    pub components: Vec<Component>,
    pub versions: Vec<Version>,
    pub boards: Vec<Board>,
    pub sprints: Vec<Sprint>,
    pub teams: Vec<TeamOption>,
    /// In id (= creation) order.
    pub issues: Vec<Issue>,
    /// Grouped by issue (see [`Issue::worklogs`]), each issue's by created.
    pub worklogs: Vec<Worklog>,
    /// Grouped by issue (see [`Issue::comments`]).
    pub comments: Vec<Comment>,
    /// Jira's four default link types.
    pub issue_link_types: Vec<IssueLinkType>,
    /// In id order; each issue lists its own in [`Issue::link_ids`].
    pub issue_links: Vec<IssueLink>,
    /// Change histories grouped by issue (see [`Issue::changelogs`]), oldest first per issue.
    pub changelogs: Vec<ChangeHistory>,
    /// Attachment metadata grouped by issue (see [`Issue::attachments`]).
    pub attachments: Vec<Attachment>,
    /// Deleted worklogs ordered by deletion time (the order of `GET /worklog/deleted`).
    pub deleted_worklogs: Vec<DeletedWorklog>,
    /// Ordered by name (the order of `GET /group/bulk`).
    pub groups: Vec<Group>,
    /// The site's project roles (Administrators, Developers, Viewers).
    pub roles: Vec<ProjectRole>,
    /// Who holds which role in which project, in id order.
    pub role_actors: Vec<RoleActor>,
    /// Saved filters, in id order.
    pub filters: Vec<Filter>,
    index: Index,
}

#[derive(Debug, Clone, Default)]
struct Index {
    issue_by_key: HashMap<String, usize>,
    user_by_account: HashMap<String, usize>,
    /// Worklog indexes ordered by (updated, id).
    worklogs_by_updated: Vec<usize>,
    /// Worklog and comment indexes by id (writes add them inside their issue's group, so
    /// ids do not ascend in vector order).
    worklog_at: HashMap<u64, usize>,
    comment_at: HashMap<u64, usize>,
    /// The highest ids and key numbers handed out by writes or held by deleted issues.
    retired: Retired,
}

/// High-water marks that keep ids and keys unique after deletions ([`write`]).
#[derive(Debug, Clone, Default)]
struct Retired {
    issue_id: u64,
    changelog_id: u64,
    worklog_id: u64,
    comment_id: u64,
    /// Per project id.
    key_numbers: HashMap<u64, u64>,
}

/// Issue type ids.
pub const EPIC: u64 = 10000;
pub const STORY: u64 = 10001;
pub const TASK: u64 = 10002;
pub const BUG: u64 = 10003;
pub const SUBTASK: u64 = 10004;

const FIRST_ISSUE_ID: u64 = 10001;
const FIRST_WORKLOG_ID: u64 = 10000;
const FIRST_COMMENT_ID: u64 = 10000;

/// The options of the "Platforms" checkboxes field (`customfield_10070`), with their ids.
pub const PLATFORM_OPTIONS: [(u64, &str); 3] = [(10100, "Web"), (10101, "iOS"), (10102, "Android")];

/// Custom field values derived from an issue's other fields, so that they add no random draws
/// to the generated site (and leave every other value as it was).
impl Issue {
    /// "Reviewer" (`customfield_10050`, a user): every third issue's reporter.
    pub fn reviewer(&self) -> Option<&str> {
        self.reporter
            .as_deref()
            .filter(|_| self.id.is_multiple_of(3))
    }

    /// "Deployed At" (`customfield_10060`, a datetime): when a resolved issue with an even id
    /// shipped, its resolution time.
    pub fn deployed_at(&self) -> Option<DateTime<FixedOffset>> {
        self.resolution_date.filter(|_| self.id.is_multiple_of(2))
    }

    /// "Platforms" (`customfield_10070`, checkboxes): the options picked by the id's low bits.
    pub fn platforms(&self) -> Vec<(u64, &'static str)> {
        PLATFORM_OPTIONS
            .iter()
            .enumerate()
            .filter(|(bit, _)| self.id >> bit & 1 == 1)
            .map(|(_, o)| *o)
            .collect()
    }

    /// "Release Notes" (`customfield_10080`, a short text): set on resolved issues.
    pub fn release_notes(&self) -> Option<String> {
        self.resolution_date
            .map(|_| format!("Shipped {}: {}", self.key, self.summary))
    }
}

impl JiraData {
    /// The user behind the emulator's credentials.
    pub fn myself(&self) -> &User {
        // The generator always puts myself first; fall back to a search for hand-built data.
        self.user(&self.myself).unwrap_or(&self.users[0])
    }

    pub fn user(&self, account_id: &str) -> Option<&User> {
        self.index
            .user_by_account
            .get(account_id)
            .map(|&i| &self.users[i])
    }

    /// Case-insensitive key lookup (`demo-7` finds `DEMO-7`).
    pub fn issue_by_key(&self, key: &str) -> Option<&Issue> {
        self.issue_index_by_key(key).map(|i| &self.issues[i])
    }

    pub fn issue_index_by_key(&self, key: &str) -> Option<usize> {
        self.index
            .issue_by_key
            .get(&key.to_ascii_uppercase())
            .copied()
    }

    pub fn issue_by_id(&self, id: u64) -> Option<&Issue> {
        self.issue_index_by_id(id).map(|i| &self.issues[i])
    }

    /// Ids ascend in vector order (dense from 10001 until an issue is deleted).
    pub fn issue_index_by_id(&self, id: u64) -> Option<usize> {
        self.issues.binary_search_by_key(&id, |i| i.id).ok()
    }

    /// An issue by numeric id or by key, as `{issueIdOrKey}` path parameters name it.
    pub fn issue_by_id_or_key(&self, id_or_key: &str) -> Option<&Issue> {
        match id_or_key.parse::<u64>() {
            Ok(id) => self.issue_by_id(id),
            Err(_) => self.issue_by_key(id_or_key),
        }
    }

    pub fn worklog_by_id(&self, id: u64) -> Option<&Worklog> {
        self.worklog_index(id).map(|i| &self.worklogs[i])
    }

    pub fn worklog_index(&self, id: u64) -> Option<usize> {
        self.index.worklog_at.get(&id).copied()
    }

    pub fn comment_index(&self, id: u64) -> Option<usize> {
        self.index.comment_at.get(&id).copied()
    }

    pub fn worklogs_of(&self, issue: &Issue) -> &[Worklog] {
        &self.worklogs[issue.worklogs.clone()]
    }

    pub fn comments_of(&self, issue: &Issue) -> &[Comment] {
        &self.comments[issue.comments.clone()]
    }

    /// Every worklog ordered by (updated, id): the order of `GET /worklog/updated`.
    pub fn worklogs_by_updated(&self) -> impl ExactSizeIterator<Item = &Worklog> + '_ {
        self.index
            .worklogs_by_updated
            .iter()
            .map(|&i| &self.worklogs[i])
    }

    /// Position in [`Self::worklogs_by_updated`] of the first worklog updated strictly after
    /// `since_ms`.
    pub fn worklogs_updated_after(&self, since_ms: i64) -> usize {
        self.index
            .worklogs_by_updated
            .partition_point(|&i| self.worklogs[i].updated.timestamp_millis() <= since_ms)
    }

    /// The `n`th worklog in updated order.
    pub fn worklog_by_updated_rank(&self, n: usize) -> Option<&Worklog> {
        self.index
            .worklogs_by_updated
            .get(n)
            .map(|&i| &self.worklogs[i])
    }

    pub fn project(&self, id: u64) -> Option<&Project> {
        self.projects.iter().find(|p| p.id == id)
    }

    pub fn issue_type(&self, id: u64) -> Option<&IssueType> {
        self.issue_types.iter().find(|t| t.id == id)
    }

    pub fn status(&self, id: u64) -> Option<&Status> {
        self.statuses.iter().find(|s| s.id == id)
    }

    pub fn status_category(&self, id: u64) -> Option<&StatusCategory> {
        self.status_categories.iter().find(|c| c.id == id)
    }

    pub fn priority(&self, id: u64) -> Option<&Priority> {
        self.priorities.iter().find(|p| p.id == id)
    }

    pub fn resolution(&self, id: u64) -> Option<&Resolution> {
        self.resolutions.iter().find(|r| r.id == id)
    }

    pub fn component(&self, id: u64) -> Option<&Component> {
        self.components.iter().find(|c| c.id == id)
    }

    pub fn version(&self, id: u64) -> Option<&Version> {
        self.versions.iter().find(|v| v.id == id)
    }

    pub fn sprint(&self, id: u64) -> Option<&Sprint> {
        self.sprints.iter().find(|s| s.id == id)
    }

    pub fn team(&self, id: u64) -> Option<&TeamOption> {
        self.teams.iter().find(|t| t.id == id)
    }

    /// A project by numeric id or by key (case-insensitive), as `{projectIdOrKey}` names it.
    pub fn project_by_id_or_key(&self, id_or_key: &str) -> Option<&Project> {
        match id_or_key.parse::<u64>() {
            Ok(id) => self.project(id),
            Err(_) => self
                .projects
                .iter()
                .find(|p| p.key.eq_ignore_ascii_case(id_or_key)),
        }
    }

    pub fn board(&self, id: u64) -> Option<&Board> {
        self.boards.iter().find(|b| b.id == id)
    }

    pub fn comment_by_id(&self, id: u64) -> Option<&Comment> {
        self.comment_index(id).map(|i| &self.comments[i])
    }

    pub fn changelogs_of(&self, issue: &Issue) -> &[ChangeHistory] {
        &self.changelogs[issue.changelogs.clone()]
    }

    pub fn attachments_of(&self, issue: &Issue) -> &[Attachment] {
        &self.attachments[issue.attachments.clone()]
    }

    pub fn attachment(&self, id: u64) -> Option<&Attachment> {
        by_id(&self.attachments, id, |a| a.id)
    }

    pub fn issue_link(&self, id: u64) -> Option<&IssueLink> {
        by_id(&self.issue_links, id, |l| l.id)
    }

    pub fn issue_link_type(&self, id: u64) -> Option<&IssueLinkType> {
        self.issue_link_types.iter().find(|t| t.id == id)
    }

    /// The links an issue takes part in, in link id order.
    pub fn links_of<'a>(&'a self, issue: &'a Issue) -> impl Iterator<Item = &'a IssueLink> + 'a {
        issue.link_ids.iter().filter_map(|&id| self.issue_link(id))
    }

    pub fn group_by_name(&self, name: &str) -> Option<&Group> {
        self.groups.iter().find(|g| g.name == name)
    }

    pub fn role(&self, id: u64) -> Option<&ProjectRole> {
        self.roles.iter().find(|r| r.id == id)
    }

    /// The actors of one role in one project, in id order.
    pub fn role_actors_of(
        &self,
        project_id: u64,
        role_id: u64,
    ) -> impl Iterator<Item = &RoleActor> + '_ {
        self.role_actors
            .iter()
            .filter(move |a| a.project_id == project_id && a.role_id == role_id)
    }

    /// Time spent on the issue and its sub-tasks (`aggregatetimespent`).
    pub fn aggregate_time_spent(&self, issue: &Issue) -> Option<i64> {
        self.aggregate(issue, |i| i.time_spent_seconds)
    }

    /// `aggregatetimeoriginalestimate`.
    pub fn aggregate_original_estimate(&self, issue: &Issue) -> Option<i64> {
        self.aggregate(issue, |i| i.original_estimate_seconds)
    }

    /// `aggregatetimeestimate`.
    pub fn aggregate_remaining_estimate(&self, issue: &Issue) -> Option<i64> {
        self.aggregate(issue, |i| i.remaining_estimate_seconds)
    }

    fn aggregate(&self, issue: &Issue, f: impl Fn(&Issue) -> Option<i64>) -> Option<i64> {
        let own = f(issue);
        let subs = issue
            .subtask_ids
            .iter()
            .filter_map(|&id| self.issue_by_id(id))
            .filter_map(&f);
        subs.fold(own, |acc, v| Some(acc.unwrap_or(0) + v))
    }

    /// Override the email address of the emulator's own account (the configured login).
    pub(crate) fn set_myself_email(&mut self, email: &str) {
        if let Some(&i) = self.index.user_by_account.get(&self.myself) {
            self.users[i].email_address = Some(email.to_string());
        }
    }

    /// Generate a site. Same `seed` and `issues` → identical data.
    pub fn generate(seed: u64, issues: usize) -> JiraData {
        let mut data = Generator::new(seed).run(issues);
        data.generate_extras(seed);
        data
    }

    /// The entities derived from the finished site (links, histories, attachments, deleted
    /// worklogs) and the directory (groups, roles, filters). Each draws from its own stream
    /// of the seed, so adding them left the rest of the site unchanged, and the fixed part
    /// (directory) does not depend on the size.
    fn generate_extras(&mut self, seed: u64) {
        let stream = |n: u64| {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            rng.set_stream(n);
            rng
        };
        self.issue_link_types = links::link_types();
        links::links(self, &mut stream(1));
        history::changelogs(self, &mut stream(2));
        links::attachments(self, &mut stream(3));
        history::deleted_worklogs(self, &mut stream(4));
        let mut fixed = stream(5);
        self.groups = directory::groups(&self.users, &mut fixed);
        self.roles = directory::roles();
        self.role_actors = directory::role_actors(self, &mut fixed);
        self.filters = directory::filters(&self.users, &mut fixed);
    }
}

/// Each item's position by its id.
fn ids_at<T>(items: &[T], id_of: impl Fn(&T) -> u64) -> HashMap<u64, usize> {
    items
        .iter()
        .enumerate()
        .map(|(i, x)| (id_of(x), i))
        .collect()
}

impl Index {
    /// A worklog went in at position `at`: those from there on moved up one; it is the most
    /// recently updated.
    fn worklogs_inserted(&mut self, at: usize, id: u64) {
        let up = |p: &mut usize| {
            if *p >= at {
                *p += 1;
            }
        };
        self.worklogs_by_updated.iter_mut().for_each(up);
        self.worklog_at.values_mut().for_each(up);
        self.worklogs_by_updated.push(at);
        self.worklog_at.insert(id, at);
    }

    /// The worklog at `at` was updated: it is now the most recently updated.
    fn worklog_touched(&mut self, at: usize) {
        self.worklogs_by_updated.retain(|&p| p != at);
        self.worklogs_by_updated.push(at);
    }

    /// The worklog `id` at position `at` went away: those after it moved down one.
    fn worklog_removed(&mut self, at: usize, id: u64) {
        self.worklogs_by_updated.retain(|&p| p != at);
        self.worklog_at.remove(&id);
        let down = |p: &mut usize| {
            if *p > at {
                *p -= 1;
            }
        };
        self.worklogs_by_updated.iter_mut().for_each(down);
        self.worklog_at.values_mut().for_each(down);
    }
}

/// An entity by id in a vector whose ids ascend in vector order (dense until deletions).
fn by_id<T>(items: &[T], id: u64, id_of: impl Fn(&T) -> u64) -> Option<&T> {
    items
        .binary_search_by_key(&id, id_of)
        .ok()
        .map(|i| &items[i])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_data() {
        let a = JiraData::generate(42, 300);
        let b = JiraData::generate(42, 300);
        assert_eq!(a.issues, b.issues);
        assert_eq!(a.worklogs, b.worklogs);
        assert_eq!(a.comments, b.comments);
        assert_eq!(a.users, b.users);
        let c = JiraData::generate(43, 300);
        assert_ne!(a.issues, c.issues);
    }

    #[test]
    fn fixed_part_does_not_depend_on_size() {
        let a = JiraData::generate(7, 10);
        let b = JiraData::generate(7, 500);
        assert_eq!(a.users, b.users);
        assert_eq!(a.sprints, b.sprints);
        assert_eq!(a.projects, b.projects);
    }

    #[test]
    fn shape_of_default_site() {
        let d = JiraData::generate(42, 2000);
        assert_eq!(d.issues.len(), 2000);
        assert!(d.projects.iter().any(|p| p.key == "DEMO"));
        let demo7 = d.issue_by_key("demo-7").expect("DEMO-7 exists");
        assert!(d.worklogs_of(demo7).len() >= 25);
        assert!(d.comments_of(demo7).len() > 20);
        for p in &d.projects {
            let heavy = d
                .issues
                .iter()
                .filter(|i| i.project_id == p.id && i.worklogs.len() > 20)
                .count();
            assert!(heavy >= 2, "project {} has {heavy} heavy issues", p.key);
        }
        for issue in &d.issues {
            assert!(issue.created <= issue.updated, "{}", issue.key);
            assert!(issue.updated.timestamp_millis() <= ACTIVITY_END_MS + 1_000_000);
            let spent: i64 = d
                .worklogs_of(issue)
                .iter()
                .map(|w| w.time_spent_seconds)
                .sum();
            assert_eq!(issue.time_spent_seconds.unwrap_or(0), spent);
            let done = d.status(issue.status_id).map(|s| s.category_id) == Some(3);
            assert_eq!(done, issue.resolution_id.is_some());
            assert_eq!(done, issue.resolution_date.is_some());
            if let Some(p) = issue.parent_id {
                let parent = d.issue_by_id(p).expect("parent exists");
                assert_eq!(parent.project_id, issue.project_id);
                assert_eq!(issue.parent_key.as_deref(), Some(parent.key.as_str()));
            }
            for w in d.worklogs_of(issue) {
                assert_eq!(w.issue_id, issue.id);
                assert_eq!(d.worklog_by_id(w.id).map(|x| x.id), Some(w.id));
            }
        }
        let offsets: std::collections::HashSet<i32> = d
            .issues
            .iter()
            .map(|i| i.created.offset().local_minus_utc())
            .collect();
        assert!(offsets.len() >= 5, "offsets {offsets:?}");
        assert!(offsets.contains(&(5 * 3600 + 1800)));
        let updated: Vec<i64> = d
            .worklogs_by_updated()
            .map(|w| w.updated.timestamp_millis())
            .collect();
        assert!(updated.windows(2).all(|w| w[0] < w[1]), "distinct, ordered");
        assert!(d.users.iter().any(|u| !u.active));
        assert!(d.issues.iter().any(|i| i.summary.contains('"')));
        assert!(d.issues.iter().any(|i| i.summary.contains('\\')));
    }

    #[test]
    fn hundred_thousand_issues_generate() {
        let start = std::time::Instant::now();
        let d = JiraData::generate(1, 100_000);
        assert_eq!(d.issues.len(), 100_000);
        assert_eq!(d.issue_by_id(110_000).map(|i| i.id), Some(110_000));
        assert!(d.worklogs.len() > 100_000);
        // Generous: debug builds on a shared machine.
        assert!(start.elapsed().as_secs() < 60, "{:?}", start.elapsed());
    }
}
