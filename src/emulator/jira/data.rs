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

use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

use chrono::{DateTime, Days, FixedOffset, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::Value;

use super::adf;

mod directory;
mod history;
mod links;
mod mutate;

pub use directory::{Actor, Filter, Group, ProjectRole, RoleActor};
pub use history::{ChangeHistory, ChangeItem, DeletedWorklog};
pub use links::{Attachment, IssueLink, IssueLinkType};

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
    /// Grouped by issue (see [`Issue::worklogs`]); ids ascend in this order.
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

    /// Ids are dense from 10001 in vector order, so this is arithmetic, not a map.
    pub fn issue_index_by_id(&self, id: u64) -> Option<usize> {
        let i = usize::try_from(id.checked_sub(FIRST_ISSUE_ID)?).ok()?;
        (i < self.issues.len() && self.issues[i].id == id).then_some(i)
    }

    /// An issue by numeric id or by key, as `{issueIdOrKey}` path parameters name it.
    pub fn issue_by_id_or_key(&self, id_or_key: &str) -> Option<&Issue> {
        match id_or_key.parse::<u64>() {
            Ok(id) => self.issue_by_id(id),
            Err(_) => self.issue_by_key(id_or_key),
        }
    }

    pub fn worklog_by_id(&self, id: u64) -> Option<&Worklog> {
        let i = usize::try_from(id.checked_sub(FIRST_WORKLOG_ID)?).ok()?;
        self.worklogs.get(i).filter(|w| w.id == id)
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
        let i = usize::try_from(id.checked_sub(FIRST_COMMENT_ID)?).ok()?;
        self.comments.get(i).filter(|c| c.id == id)
    }

    pub fn changelogs_of(&self, issue: &Issue) -> &[ChangeHistory] {
        &self.changelogs[issue.changelogs.clone()]
    }

    pub fn attachments_of(&self, issue: &Issue) -> &[Attachment] {
        &self.attachments[issue.attachments.clone()]
    }

    pub fn attachment(&self, id: u64) -> Option<&Attachment> {
        let i = usize::try_from(id.checked_sub(links::FIRST_ATTACHMENT_ID)?).ok()?;
        self.attachments.get(i).filter(|a| a.id == id)
    }

    pub fn issue_link(&self, id: u64) -> Option<&IssueLink> {
        let i = usize::try_from(id.checked_sub(links::FIRST_LINK_ID)?).ok()?;
        self.issue_links.get(i).filter(|l| l.id == id)
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

// ---------------------------------------------------------------------------------------------
// Generation
// ---------------------------------------------------------------------------------------------

struct UserSeed {
    name: &'static str,
    email: Option<&'static str>,
    tz: &'static str,
    active: bool,
    app: bool,
}

const fn person(name: &'static str, email: &'static str, tz: &'static str) -> UserSeed {
    UserSeed {
        name,
        email: Some(email),
        tz,
        active: true,
        app: false,
    }
}

const USERS: &[UserSeed] = &[
    person("Demo User", "demo@jiraql.example", "Australia/Sydney"),
    person(
        "Zoë Ångström",
        "zoe.angstrom@example.com",
        "Europe/Stockholm",
    ),
    person("Mia Krystof", "mia.krystof@example.com", "Europe/Prague"),
    person("Ravi Shankar Iyer", "ravi.iyer@example.com", "Asia/Kolkata"),
    person("Chen Wei", "chen.wei@example.com", "Asia/Shanghai"),
    person(
        "Jürgen Müller",
        "juergen.mueller@example.com",
        "Europe/Berlin",
    ),
    person(
        "Ana Łukasiewicz",
        "ana.lukasiewicz@example.com",
        "Europe/Warsaw",
    ),
    person("Tomás O'Brien", "tomas.obrien@example.com", "Europe/Dublin"),
    person("Émilie Dubois", "emilie.dubois@example.com", "Europe/Paris"),
    person("Kenji Watanabe", "kenji.watanabe@example.com", "Asia/Tokyo"),
    person(
        "Fatima Al-Sayed",
        "fatima.alsayed@example.com",
        "Asia/Dubai",
    ),
    person("Liam Murphy", "liam.murphy@example.com", "America/New_York"),
    person("Ngozi Okafor", "ngozi.okafor@example.com", "Africa/Lagos"),
    person(
        "Mateus Silva",
        "mateus.silva@example.com",
        "America/Sao_Paulo",
    ),
    UserSeed {
        name: "Olga Ivanova",
        email: None,
        tz: "Europe/Helsinki",
        active: true,
        app: false,
    },
    person(
        "Hannah Schmidt",
        "hannah.schmidt@example.com",
        "Europe/Vienna",
    ),
    UserSeed {
        name: "Diego Hernández",
        email: None,
        tz: "America/Mexico_City",
        active: true,
        app: false,
    },
    person("Aisha Khan", "aisha.khan@example.com", "Asia/Karachi"),
    person("Lars Eriksen", "lars.eriksen@example.com", "Europe/Oslo"),
    person("Mei Lin", "mei.lin@example.com", "Asia/Singapore"),
    person(
        "Noah Williams",
        "noah.williams@example.com",
        "America/Los_Angeles",
    ),
    person("Sofia Rossi", "sofia.rossi@example.com", "Europe/Rome"),
    person(
        "Priya Natarajan",
        "priya.natarajan@example.com",
        "Asia/Kolkata",
    ),
    UserSeed {
        name: "Jack Thompson",
        email: Some("jack.thompson@example.com"),
        tz: "Australia/Perth",
        active: false,
        app: false,
    },
    UserSeed {
        name: "Chloé Martin",
        email: Some("chloe.martin@example.com"),
        tz: "Europe/Paris",
        active: false,
        app: false,
    },
    UserSeed {
        name: "Former user",
        email: None,
        tz: "UTC",
        active: false,
        app: false,
    },
    UserSeed {
        name: "Automation for Jira",
        email: None,
        tz: "UTC",
        active: true,
        app: true,
    },
];

struct ProjectSeed {
    key: &'static str,
    name: &'static str,
    kind: &'static str,
    simplified: bool,
    /// Share of issues, in percent.
    weight: u32,
    components: &'static [&'static str],
    board: Option<&'static str>,
    /// The project's purpose (its description follows "Name: ").
    about: &'static str,
}

const PROJECTS: &[ProjectSeed] = &[
    ProjectSeed {
        key: "DEMO",
        name: "Demo Project",
        kind: "software",
        simplified: false,
        weight: 30,
        components: &["Backend", "Frontend", "API & Integrations"],
        board: Some("scrum"),
        about: "the sample software project every demo starts from",
    },
    ProjectSeed {
        key: "OPS",
        name: "Operations & Support",
        kind: "business",
        simplified: false,
        weight: 15,
        components: &["Infrastructure", "On-call", "Backend"],
        board: Some("kanban"),
        about: "requests, incidents and on-call work",
    },
    ProjectSeed {
        key: "WEB",
        name: "Web Platform",
        kind: "software",
        simplified: true,
        weight: 20,
        components: &["Frontend", "Search", "Checkout"],
        board: Some("scrum"),
        about: "the public website, search and checkout",
    },
    ProjectSeed {
        key: "MOB",
        name: "Mobile Apps",
        kind: "software",
        simplified: false,
        weight: 15,
        components: &["iOS", "Android", "Push notifications"],
        board: Some("scrum"),
        about: "the iOS and Android apps",
    },
    ProjectSeed {
        key: "DATA",
        name: "Data & Analytics",
        kind: "business",
        simplified: false,
        weight: 20,
        components: &["Pipelines", "Dashboards", "ML [experimental]"],
        board: None,
        about: "pipelines, dashboards and \"experimental\" models",
    },
];

/// Every project's versions: name, release date (month, day of 2026), released, archived.
type Release = (&'static str, Option<(u32, u32)>, bool, bool);

const RELEASES: &[Release] = &[
    ("1.0", Some((2, 15)), true, true),
    ("1.1", Some((5, 1)), true, false),
    ("2.0", Some((9, 1)), true, false),
    ("2.1", Some((12, 15)), false, false),
    ("Backlog bucket", None, false, false),
];

/// Labels of the generated issues (the SharePoint demo's Labels choices are the same).
pub(crate) const LABELS: &[&str] = &[
    "backend",
    "frontend",
    "tech-debt",
    "customer-reported",
    "security",
    "performance",
    "ux",
    "needs-triage",
    "release-blocker",
    "données",
    "order",
    "Q3-2026",
];

const SUBJECTS: &[&str] = &[
    "login",
    "billing",
    "search",
    "dashboard",
    "sprint board",
    "notifications",
    "worklog sync",
    "SharePoint export",
    "user profile",
    "API token",
    "webhooks",
    "CSV import",
    "time zone handling",
    "Ωmega report",
    "ünïcode labels",
    "audit log",
];

/// Summary templates; `{}` is replaced by a subject. They carry the characters that break
/// naive JQL quoting: quotes, backslashes, brackets, reserved words, emoji.
const SUMMARIES: &[&str] = &[
    "Fix \"{}\" crash on startup",
    "Can't save {} when the name contains a backslash \\",
    "[UI] Improve error message for 'invalid' {} input",
    "{}: support emoji 🚀 and ünïcödé",
    "Investigate slow {} query (p99 > 2s)",
    "Add {} export to CSV/JSON",
    "Remove deprecated {} API; order by and null handling",
    "{} returns 500 when the filter is EMPTY",
    "Zoë's request: rename {} → {} v2",
    "Update docs for {} [draft]",
    "Path C:\\Users\\{} is not escaped",
    "Refactor {} module",
    "Make {} work with OR / AND / NOT in titles",
    "日本語のタイトル: {} 🎌",
    "{} shows 100% progress at 50%",
    "Use {{curly}} braces and #hash in {}",
    "Support {} for accounts with an apostrophe (O'Brien)",
    "Flaky test in {} ~ sometimes fails",
];

const EPIC_SUMMARIES: &[&str] = &[
    "Epic: {} overhaul",
    "Epic: \"{}\" v2",
    "Epic: {} — reliability & speed",
];

const SPRINT_GOALS: &[Option<&str>] = &[
    Some("Ship \"checkout v2\" 🚀"),
    Some("Stabilise 'flaky' tests"),
    None,
    Some("Fix C:\\paths & [brackets]"),
    Some("Burn down the tech-debt backlog"),
    Some("Ünïcode everywhere"),
];

const WORKLOG_COMMENTS: &[&str] = &[
    "Investigated the \"flaky\" test",
    "Pairing with the team on the fix",
    "Code review; left comments on the PR [#42]",
    "Wrote docs for C:\\temp\\export",
    "Deployed to staging 🚀",
    "Reproduced on Safari — can't fix yet",
    "Meeting: order by / null semantics",
    "Refactoring, no behaviour change",
    "Triage: AND/OR precedence bug",
    "Ünïcode handling for Zoë's report",
];

const COMMENT_TEXTS: &[&str] = &[
    "Looks good to me 👍",
    "Can you check whether this also affects the \"legacy\" path?",
    "Reproduced with the backslash case: C:\\temp\\new",
    "I think it's related to [JRA-1234] and the 'quote' handling",
    "Moving to In Review.",
    "Blocked until the API token rotates; see above",
    "order by key desc returns the wrong page — is that expected?",
    "Ça marche maintenant, merci !",
    "NULL and EMPTY are not the same thing here",
    "Deployed in 2.0 🎉",
    "Please attach logs (tab\tseparated is fine)",
    "Duplicate of the search bug? cc the team",
];

struct Generator {
    rng: ChaCha8Rng,
    zones: Vec<Tz>,
}

/// Pools of shared rich-text bodies.
struct Pools {
    descriptions: Vec<Arc<Value>>,
    worklog_comments: Vec<Arc<Value>>,
    comments: Vec<Arc<Value>>,
}

/// A project's running state while issues are generated.
struct ProjectState {
    next_number: u64,
    epics: Vec<u64>,
    standard: Vec<u64>,
    component_ids: Vec<u64>,
    version_ids: Vec<u64>,
    /// Indexes into `JiraData::sprints`, in time order.
    sprints: Vec<usize>,
}

impl Generator {
    fn new(seed: u64) -> Self {
        Generator {
            rng: ChaCha8Rng::seed_from_u64(seed),
            zones: Vec::new(),
        }
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.rng.random_range(0..items.len())]
    }

    fn chance(&mut self, p: f64) -> bool {
        self.rng.random_bool(p)
    }

    /// An instant rendered in the zone of the given user.
    fn at(&self, ms: i64, user: usize) -> DateTime<FixedOffset> {
        at_zone(ms, self.zones.get(user).copied().unwrap_or(Tz::UTC))
    }

    fn run(mut self, issue_count: usize) -> JiraData {
        let users = self.users();
        self.zones = users
            .iter()
            .map(|u| u.time_zone.parse().unwrap_or(Tz::UTC))
            .collect();
        let mut data = JiraData {
            myself: users[0].account_id.clone(),
            projects: Vec::new(),
            issue_types: issue_types(),
            status_categories: status_categories(),
            statuses: statuses(),
            priorities: priorities(),
            resolutions: resolutions(),
            components: Vec::new(),
            versions: Vec::new(),
            boards: Vec::new(),
            sprints: Vec::new(),
            teams: teams(),
            issues: Vec::with_capacity(issue_count),
            worklogs: Vec::new(),
            comments: Vec::new(),
            issue_link_types: Vec::new(),
            issue_links: Vec::new(),
            changelogs: Vec::new(),
            attachments: Vec::new(),
            deleted_worklogs: Vec::new(),
            groups: Vec::new(),
            roles: Vec::new(),
            role_actors: Vec::new(),
            filters: Vec::new(),
            users,
            index: Index::default(),
        };
        let mut states = self.projects(&mut data);
        let pools = self.pools(&data.users);
        self.issues(&mut data, &mut states, &pools, issue_count);
        finish(&mut data);
        data
    }

    fn users(&mut self) -> Vec<User> {
        USERS
            .iter()
            .enumerate()
            .map(|(i, seed)| {
                let account_id = if seed.app {
                    format!("557058:{}", self.uuid())
                } else if i % 3 == 1 {
                    format!("712020:{}", self.uuid())
                } else {
                    format!("{:024x}", self.rng.random::<u128>() >> 32)
                };
                let name = match seed.email {
                    Some(e) => e.split('@').next().unwrap_or(e).to_string(),
                    None => seed.name.to_lowercase().replace(' ', "."),
                };
                User {
                    account_id,
                    account_type: if seed.app { "app" } else { "atlassian" }.to_string(),
                    display_name: seed.name.to_string(),
                    email_address: seed.email.map(str::to_string),
                    time_zone: seed.tz.to_string(),
                    active: seed.active,
                    name,
                    key: format!("JIRAUSER{}", 10100 + i),
                }
            })
            .collect()
    }

    fn uuid(&mut self) -> String {
        let v: u128 = self.rng.random();
        let h = format!("{v:032x}");
        format!(
            "{}-{}-4{}-a{}-{}",
            &h[0..8],
            &h[8..12],
            &h[13..16],
            &h[17..20],
            &h[20..32]
        )
    }

    fn projects(&mut self, data: &mut JiraData) -> Vec<ProjectState> {
        let mut states = Vec::new();
        let mut next_component = 10000;
        let mut next_version = 10100;
        let mut next_sprint = 1;
        for (pi, seed) in PROJECTS.iter().enumerate() {
            let id = 10000 + pi as u64;
            let lead = data.users[1 + (pi * 4) % 20].account_id.clone();
            data.projects.push(Project {
                id,
                key: seed.key.to_string(),
                name: seed.name.to_string(),
                project_type_key: seed.kind.to_string(),
                simplified: seed.simplified,
                lead,
                description: format!("{}: {}.", seed.name, seed.about),
            });
            let mut component_ids = Vec::new();
            for (ci, name) in seed.components.iter().enumerate() {
                component_ids.push(next_component);
                // Leads and assignee rules by position (no randomness: the main stream of
                // the generator stays as it was).
                let lead =
                    (ci != 2).then(|| data.users[1 + (pi * 5 + ci * 3) % 21].account_id.clone());
                let assignee_type = match (ci, &lead) {
                    (0, Some(_)) => "COMPONENT_LEAD",
                    (1, _) => "PROJECT_LEAD",
                    _ if pi % 2 == 0 => "PROJECT_DEFAULT",
                    _ => "UNASSIGNED",
                };
                data.components.push(Component {
                    id: next_component,
                    project_id: id,
                    name: name.to_string(),
                    description: format!("{name} work in {}", seed.name),
                    lead,
                    assignee_type: assignee_type.to_string(),
                });
                next_component += 1;
            }
            let mut version_ids = Vec::new();
            for (seq, &(name, date, released, archived)) in RELEASES.iter().enumerate() {
                version_ids.push(next_version);
                data.versions.push(Version {
                    id: next_version,
                    project_id: id,
                    name: name.to_string(),
                    description: format!("{} release {name}", seed.key),
                    archived,
                    released,
                    release_date: date.and_then(|(m, d)| NaiveDate::from_ymd_opt(2026, m, d)),
                    start_date: date
                        .and_then(|(m, d)| NaiveDate::from_ymd_opt(2026, m, d))
                        .map(|d| d - Days::new(70)),
                    sequence: seq as u32 + 1,
                });
                next_version += 1;
            }
            let mut sprints = Vec::new();
            if let Some(kind) = seed.board {
                let board_id = data.boards.len() as u64 + 1;
                data.boards.push(Board {
                    id: board_id,
                    name: format!("{} board", seed.key),
                    project_id: id,
                    board_type: kind.to_string(),
                });
                if kind == "scrum" {
                    let tz: Tz = "Australia/Sydney".parse().unwrap_or(Tz::UTC);
                    let first_start = ACTIVITY_START_MS + 7 * DAY_MS * pi as i64 + 9 * HOUR_MS;
                    let mut future = 0;
                    let mut k = 0;
                    while future < 2 {
                        let start = first_start + 14 * DAY_MS * k;
                        let end = start + 14 * DAY_MS;
                        let state = if end <= ACTIVITY_END_MS {
                            "closed"
                        } else if start <= ACTIVITY_END_MS {
                            "active"
                        } else {
                            future += 1;
                            "future"
                        };
                        // The second future sprint is not planned yet: no dates.
                        let dated = !(state == "future" && future == 2);
                        let goal = self.pick(SPRINT_GOALS).map(str::to_string);
                        sprints.push(data.sprints.len());
                        data.sprints.push(Sprint {
                            id: next_sprint,
                            board_id,
                            name: format!("{} Sprint {}", seed.key, k + 1),
                            state: state.to_string(),
                            goal,
                            start_date: dated.then(|| at_zone(start, tz)),
                            end_date: dated.then(|| at_zone(end, tz)),
                            complete_date: (state == "closed")
                                .then(|| at_zone(end + 2 * HOUR_MS + 17 * MINUTE_MS, tz)),
                        });
                        next_sprint += 1;
                        k += 1;
                    }
                }
            }
            states.push(ProjectState {
                next_number: 1,
                epics: Vec::new(),
                standard: Vec::new(),
                component_ids,
                version_ids,
                sprints,
            });
        }
        states
    }

    fn pools(&mut self, users: &[User]) -> Pools {
        let mut descriptions = Vec::new();
        for i in 0..24 {
            let who = &users[1 + i % (users.len() - 2)];
            let subject = SUBJECTS[i % SUBJECTS.len()];
            let mut blocks = vec![adf::paragraph(vec![
                adf::text(&format!("As a user I want the {subject} to behave. ")),
                adf::marked("Important", &["strong"]),
                adf::text(": quotes \" and ' and a backslash \\ must survive."),
            ])];
            match i % 4 {
                0 => blocks.push(adf::bullet_list(vec![
                    vec![adf::text("Steps: open [settings]")],
                    vec![adf::marked("Expected", &["em"]), adf::text(" no error 🚀")],
                    vec![adf::text("Actual: NULL shown instead of EMPTY")],
                ])),
                1 => blocks.push(adf::code_block(
                    Some("sql"),
                    "SELECT key FROM jira.issues WHERE summary LIKE '%\\%' ORDER BY key",
                )),
                2 => blocks.push(adf::paragraph(vec![
                    adf::text("Ping "),
                    adf::mention(&who.account_id, &who.display_name),
                    adf::hard_break(),
                    adf::text("See "),
                    adf::link("the runbook", "https://example.com/runbook?a=1&b=2"),
                    adf::text(" and use "),
                    adf::marked("jiraql --demo", &["code"]),
                ])),
                _ => blocks.push(adf::paragraph(vec![adf::text(
                    "Ünïcödé, 日本語, emoji 🎉 and JQL words: AND OR NOT order by.",
                )])),
            }
            descriptions.push(Arc::new(adf::doc(blocks)));
        }
        let worklog_comments = WORKLOG_COMMENTS
            .iter()
            .map(|t| Arc::new(adf::doc(vec![adf::paragraph(vec![adf::text(t)])])))
            .collect();
        let mut comments = Vec::new();
        for (i, t) in COMMENT_TEXTS.iter().enumerate() {
            comments.push(Arc::new(adf::doc(vec![adf::paragraph(vec![adf::text(t)])])));
            let who = &users[2 + i % (users.len() - 3)];
            comments.push(Arc::new(adf::doc(vec![
                adf::paragraph(vec![
                    adf::mention(&who.account_id, &who.display_name),
                    adf::text(" "),
                    adf::text(t),
                ]),
                adf::code_block(
                    None,
                    "curl -u me:token https://example.com/rest/api/3/myself",
                ),
            ])));
        }
        Pools {
            descriptions,
            worklog_comments,
            comments,
        }
    }

    /// A random active person (not the automation account), as an index into users.
    fn active_person(&mut self, users: &[User]) -> usize {
        loop {
            let i = self.rng.random_range(0..users.len());
            if users[i].active && users[i].account_type == "atlassian" {
                return i;
            }
        }
    }

    fn issues(
        &mut self,
        data: &mut JiraData,
        states: &mut [ProjectState],
        pools: &Pools,
        count: usize,
    ) {
        let span = ACTIVITY_END_MS - ACTIVITY_START_MS - 20 * DAY_MS;
        let mut created: Vec<i64> = (0..count)
            .map(|_| ACTIVITY_START_MS + self.rng.random_range(0..span))
            .collect();
        created.sort_unstable();
        let total_weight: u32 = PROJECTS.iter().map(|p| p.weight).sum();
        for (i, &created_ms) in created.iter().enumerate() {
            // The first issues go to DEMO so DEMO-1 (an epic) and DEMO-7 exist at any size.
            let pi = if i < 8 {
                0
            } else {
                let mut r = self.rng.random_range(0..total_weight);
                let mut pi = 0;
                for (j, p) in PROJECTS.iter().enumerate() {
                    if r < p.weight {
                        pi = j;
                        break;
                    }
                    r -= p.weight;
                }
                pi
            };
            self.issue(data, &mut states[pi], pi, pools, i, created_ms);
        }
    }

    #[allow(clippy::too_many_lines)]
    fn issue(
        &mut self,
        data: &mut JiraData,
        st: &mut ProjectState,
        pi: usize,
        pools: &Pools,
        i: usize,
        created_ms: i64,
    ) {
        let id = FIRST_ISSUE_ID + i as u64;
        let number = st.next_number;
        st.next_number += 1;
        let project = &PROJECTS[pi];
        let key = format!("{}-{number}", project.key);

        // Type and parent.
        let r = self.rng.random_range(0..100);
        let mut type_id = match r {
            _ if number == 1 => EPIC,
            0..5 => EPIC,
            5..40 => STORY,
            40..62 => TASK,
            62..82 => BUG,
            _ => SUBTASK,
        };
        let mut parent_id = None;
        if type_id == SUBTASK {
            if st.standard.is_empty() {
                type_id = TASK;
            } else {
                let recent = &st.standard[st.standard.len().saturating_sub(30)..];
                parent_id = Some(*self.pick(recent));
            }
        } else if type_id != EPIC && !st.epics.is_empty() && self.chance(0.6) {
            let recent = &st.epics[st.epics.len().saturating_sub(10)..];
            parent_id = Some(*self.pick(recent));
        }
        match type_id {
            EPIC => st.epics.push(id),
            SUBTASK => {}
            _ => st.standard.push(id),
        }
        let parent_key = parent_id.and_then(|p| data.issue_by_id(p).map(|p| p.key.clone()));

        // People.
        let users_len = data.users.len();
        let reporter_idx = self.rng.random_range(0..users_len);
        let reporter = (!self.chance(0.02)).then_some(reporter_idx);
        let creator_idx = if self.chance(0.9) {
            reporter_idx
        } else {
            self.rng.random_range(0..users_len)
        };
        let assignee = self.chance(0.75).then(|| self.active_person(&data.users));

        // Workflow state: older issues are more likely done.
        let age =
            (ACTIVITY_END_MS - created_ms) as f64 / (ACTIVITY_END_MS - ACTIVITY_START_MS) as f64;
        let done = self.chance((0.15 + 0.7 * age).min(0.95));
        let status_id = if done {
            10003
        } else {
            *self.pick(&[10000, 10001, 10001, 3, 3, 10002])
        };
        let room = (ACTIVITY_END_MS - created_ms).max(HOUR_MS);
        let mut updated_ms = created_ms + self.rng.random_range(0..room.min(60 * DAY_MS));
        let (resolution_id, resolution_ms) = if done {
            let r = self.rng.random_range(0..100);
            let res = match r {
                0..85 => 10000,
                85..92 => 10001,
                92..97 => 10002,
                _ => 10003,
            };
            let at = created_ms + (updated_ms - created_ms) * self.rng.random_range(50..=100) / 100;
            updated_ms = updated_ms.max(at);
            (Some(res), Some(at))
        } else {
            (None, None)
        };
        let priority_id = *self.pick(&[1, 2, 2, 3, 3, 3, 3, 4, 4, 5]);

        // Classification.
        let mut labels: Vec<String> = Vec::new();
        for _ in 0..self.rng.random_range(0..=3) {
            let l = self.pick(LABELS).to_string();
            if !labels.contains(&l) {
                labels.push(l);
            }
        }
        let mut component_ids = Vec::new();
        for _ in 0..self.rng.random_range(0..=2) {
            let c = *self.pick(&st.component_ids);
            if !component_ids.contains(&c) {
                component_ids.push(c);
            }
        }
        let fix_version_ids = if done && self.chance(0.5) {
            vec![st.version_ids[self.rng.random_range(0..3)]]
        } else if !done && self.chance(0.3) {
            vec![st.version_ids[self.rng.random_range(3..5)]]
        } else {
            Vec::new()
        };
        let created_date = at_zone(created_ms, Tz::UTC).date_naive();
        let due_date = self
            .chance(0.35)
            .then(|| created_date + Days::new(self.rng.random_range(3..60)));
        let story_points = (matches!(type_id, STORY | BUG) && self.chance(0.7))
            .then(|| *self.pick(&[0.5, 1.0, 2.0, 3.0, 5.0, 8.0, 13.0]));
        let team_id = self.chance(0.6).then(|| self.pick(&data.teams).id);
        let target_date = self
            .chance(0.3)
            .then(|| created_date + Days::new(self.rng.random_range(14..120)));
        let sprint_ids = self.sprints_for(data, st, type_id, created_ms, resolution_ms);

        let subject = *self.pick(SUBJECTS);
        let template = if type_id == EPIC {
            *self.pick(EPIC_SUMMARIES)
        } else {
            *self.pick(SUMMARIES)
        };
        let summary = template
            .replace("{}", subject)
            .replace("{{", "{")
            .replace("}}", "}");
        let description = self
            .chance(0.8)
            .then(|| self.pick(&pools.descriptions).clone());

        // Worklogs: most issues have a few, some many (beyond the embedded 20).
        let heavy_worklogs = number == 7 || number % 150 == 42;
        let worklog_count = if heavy_worklogs {
            self.rng.random_range(25..=60)
        } else if self.chance(0.55) {
            self.rng.random_range(1..=8)
        } else {
            0
        };
        let worklog_start = data.worklogs.len();
        let mut stamps: Vec<i64> = (0..worklog_count)
            .map(|_| created_ms + self.rng.random_range(0..room.min(90 * DAY_MS)))
            .collect();
        stamps.sort_unstable();
        let mut spent = 0;
        for started in stamps {
            let author = self.active_person(&data.users);
            let secs = *self.pick(&[
                900, 1800, 2700, 3600, 4800, 5400, 7200, 10800, 12000, 14400, 28800, 36000,
            ]);
            let created_w = (started + secs * 1000 + self.rng.random_range(0..3 * HOUR_MS))
                .min(ACTIVITY_END_MS);
            let updated_w = if self.chance(0.15) {
                (created_w + self.rng.random_range(HOUR_MS..10 * DAY_MS)).min(ACTIVITY_END_MS)
            } else {
                created_w
            };
            let comment = self
                .chance(0.7)
                .then(|| self.pick(&pools.worklog_comments).clone());
            data.worklogs.push(Worklog {
                id: FIRST_WORKLOG_ID + data.worklogs.len() as u64,
                issue_id: id,
                author: data.users[author].account_id.clone(),
                update_author: data.users[author].account_id.clone(),
                comment,
                started: self.at(started, author),
                time_spent_seconds: secs,
                created: self.at(created_w, author),
                updated: self.at(updated_w, author),
            });
            spent += secs;
            updated_ms = updated_ms.max(updated_w);
        }
        let worklogs = worklog_start..data.worklogs.len();
        // Worklogs are created in time order but authored by different zones; keep them
        // ordered by created instant as the per-issue endpoint promises.
        data.worklogs[worklogs.clone()].sort_by_key(|w| (w.created.timestamp_millis(), w.id));
        for (k, w) in data.worklogs[worklogs.clone()].iter_mut().enumerate() {
            w.id = FIRST_WORKLOG_ID + (worklog_start + k) as u64;
        }

        let heavy_comments = number == 7 || number % 113 == 11;
        let comment_count = if heavy_comments {
            self.rng.random_range(21..=45)
        } else if self.chance(0.55) {
            self.rng.random_range(1..=5)
        } else {
            0
        };
        let comment_start = data.comments.len();
        let mut stamps: Vec<i64> = (0..comment_count)
            .map(|_| created_ms + self.rng.random_range(0..room))
            .collect();
        stamps.sort_unstable();
        for c_created in stamps {
            let author = self.rng.random_range(0..users_len);
            let c_updated = if self.chance(0.1) {
                (c_created + self.rng.random_range(MINUTE_MS..2 * DAY_MS)).min(ACTIVITY_END_MS)
            } else {
                c_created
            };
            data.comments.push(Comment {
                id: FIRST_COMMENT_ID + data.comments.len() as u64,
                issue_id: id,
                author: data.users[author].account_id.clone(),
                update_author: data.users[author].account_id.clone(),
                body: self.pick(&pools.comments).clone(),
                created: self.at(c_created, author),
                updated: self.at(c_updated, author),
            });
            updated_ms = updated_ms.max(c_updated);
        }
        let comments = comment_start..data.comments.len();

        // Time tracking: estimates in half hours; remaining = original - spent (not below 0).
        let original = self
            .chance(0.6)
            .then(|| 1800 * self.rng.random_range(1..=48_i64));
        let time_spent = (spent > 0).then_some(spent);
        let remaining = original.map(|o| if done { 0 } else { (o - spent).max(0) });

        let reporter_zone = reporter.unwrap_or(creator_idx);
        data.issues.push(Issue {
            id,
            key: key.clone(),
            project_id: 10000 + pi as u64,
            issue_type_id: type_id,
            status_id,
            priority_id,
            resolution_id,
            summary,
            description,
            labels,
            component_ids,
            fix_version_ids,
            assignee: assignee.map(|a| data.users[a].account_id.clone()),
            reporter: reporter.map(|r| data.users[r].account_id.clone()),
            creator: data.users[creator_idx].account_id.clone(),
            parent_id,
            parent_key,
            subtask_ids: Vec::new(),
            created: self.at(created_ms, reporter_zone),
            updated: self.at(updated_ms, reporter_zone),
            resolution_date: resolution_ms.map(|ms| self.at(ms, assignee.unwrap_or(reporter_zone))),
            due_date,
            original_estimate_seconds: original,
            remaining_estimate_seconds: remaining,
            time_spent_seconds: time_spent,
            story_points,
            sprint_ids,
            team_id,
            target_date,
            worklogs,
            comments,
            changelogs: 0..0,
            attachments: 0..0,
            link_ids: Vec::new(),
        });
        data.index.issue_by_key.insert(key, i);
        if type_id == SUBTASK
            && let Some(p) = parent_id.and_then(|p| data.issue_index_by_id(p))
        {
            data.issues[p].subtask_ids.push(id);
        }
    }

    /// Sprints of a standard issue on a scrum board: the sprint it was created in and up to
    /// two carry-overs, never past the sprint it was resolved in (or the active one).
    fn sprints_for(
        &mut self,
        data: &JiraData,
        st: &ProjectState,
        type_id: u64,
        created_ms: i64,
        resolved_ms: Option<i64>,
    ) -> Vec<u64> {
        if st.sprints.is_empty() || !matches!(type_id, STORY | TASK | BUG) || !self.chance(0.8) {
            return Vec::new();
        }
        let contains = |s: &Sprint, ms: i64| match (s.start_date, s.end_date) {
            (Some(a), Some(b)) => a.timestamp_millis() <= ms && ms < b.timestamp_millis(),
            _ => false,
        };
        let Some(first) = st
            .sprints
            .iter()
            .position(|&s| contains(&data.sprints[s], created_ms))
        else {
            return Vec::new();
        };
        let last = match resolved_ms {
            Some(ms) => st
                .sprints
                .iter()
                .position(|&s| contains(&data.sprints[s], ms))
                .unwrap_or(first),
            None => st
                .sprints
                .iter()
                .position(|&s| data.sprints[s].state == "active")
                .unwrap_or(first),
        };
        let len = self
            .rng
            .random_range(1..=3)
            .min(last.saturating_sub(first) + 1);
        st.sprints[first..first + len]
            .iter()
            .map(|&s| data.sprints[s].id)
            .collect()
    }
}

/// Post-processing once every issue exists: distinct worklog updated times (bumped by whole
/// milliseconds, keeping their order) and the lookup indexes.
fn finish(data: &mut JiraData) {
    let mut order: Vec<usize> = (0..data.worklogs.len()).collect();
    order.sort_by_key(|&i| {
        (
            data.worklogs[i].updated.timestamp_millis(),
            data.worklogs[i].id,
        )
    });
    let mut last = i64::MIN;
    for &i in &order {
        let w = &mut data.worklogs[i];
        let ms = w.updated.timestamp_millis();
        if ms <= last {
            let bumped = last + 1;
            w.updated = at_zone(bumped, Tz::UTC).with_timezone(w.updated.offset());
            last = bumped;
        } else {
            last = ms;
        }
    }
    // An issue is updated whenever one of its worklogs is.
    for issue in &mut data.issues {
        let latest = data.worklogs[issue.worklogs.clone()]
            .iter()
            .map(|w| w.updated)
            .max();
        if let Some(latest) = latest
            && latest > issue.updated
        {
            issue.updated = latest.with_timezone(issue.updated.offset());
        }
    }
    data.index.worklogs_by_updated = order;
    data.index.user_by_account = data
        .users
        .iter()
        .enumerate()
        .map(|(i, u)| (u.account_id.clone(), i))
        .collect();
}

fn at_zone(ms: i64, tz: Tz) -> DateTime<FixedOffset> {
    let utc = DateTime::<Utc>::from_timestamp_millis(ms).unwrap_or_default();
    tz.from_utc_datetime(&utc.naive_utc()).fixed_offset()
}

fn issue_types() -> Vec<IssueType> {
    let t = |id, name: &str, description: &str, subtask, hierarchy_level| IssueType {
        id,
        name: name.to_string(),
        description: description.to_string(),
        subtask,
        hierarchy_level,
    };
    vec![
        t(
            EPIC,
            "Epic",
            "A big user story that needs to be broken down.",
            false,
            1,
        ),
        t(
            STORY,
            "Story",
            "Functionality or a feature expressed as a user goal.",
            false,
            0,
        ),
        t(TASK, "Task", "A small, distinct piece of work.", false, 0),
        t(BUG, "Bug", "A problem or error.", false, 0),
        t(
            SUBTASK,
            "Sub-task",
            "A small piece of work that's part of a larger task.",
            true,
            -1,
        ),
    ]
}

fn status_categories() -> Vec<StatusCategory> {
    let c = |id, key: &str, name: &str, color: &str| StatusCategory {
        id,
        key: key.to_string(),
        name: name.to_string(),
        color_name: color.to_string(),
    };
    vec![
        c(2, "new", "To Do", "blue-gray"),
        c(4, "indeterminate", "In Progress", "yellow"),
        c(3, "done", "Done", "green"),
    ]
}

fn statuses() -> Vec<Status> {
    let s = |id, name: &str, description: &str, category_id| Status {
        id,
        name: name.to_string(),
        description: description.to_string(),
        category_id,
    };
    vec![
        s(10000, "Backlog", "Not planned yet.", 2),
        s(10001, "To Do", "Planned, not started.", 2),
        s(
            3,
            "In Progress",
            "This issue is being actively worked on at the moment by the assignee.",
            4,
        ),
        s(10002, "In Review", "Waiting for review.", 4),
        s(10003, "Done", "Work is complete.", 3),
    ]
}

fn priorities() -> Vec<Priority> {
    let p = |id, name: &str, description: &str, color: &str| Priority {
        id,
        name: name.to_string(),
        description: description.to_string(),
        status_color: color.to_string(),
    };
    vec![
        p(1, "Highest", "This problem will block progress.", "#d04437"),
        p(
            2,
            "High",
            "Serious problem that could block progress.",
            "#f15C75",
        ),
        p(
            3,
            "Medium",
            "Has the potential to affect progress.",
            "#f79232",
        ),
        p(
            4,
            "Low",
            "Minor problem or easily worked around.",
            "#707070",
        ),
        p(
            5,
            "Lowest",
            "Trivial problem with little or no impact on progress.",
            "#999999",
        ),
    ]
}

fn resolutions() -> Vec<Resolution> {
    let r = |id, name: &str, description: &str| Resolution {
        id,
        name: name.to_string(),
        description: description.to_string(),
    };
    vec![
        r(10000, "Done", "Work has been completed on this issue."),
        r(10001, "Won't Do", "This issue won't be actioned."),
        r(
            10002,
            "Duplicate",
            "The problem is a duplicate of an existing issue.",
        ),
        r(
            10003,
            "Cannot Reproduce",
            "All attempts at reproducing this issue failed.",
        ),
    ]
}

fn teams() -> Vec<TeamOption> {
    [
        "Platform",
        "Payments",
        "Mobile",
        "Data Eng",
        "SRE",
        "Équipe Québec",
    ]
    .iter()
    .enumerate()
    .map(|(i, v)| TeamOption {
        id: 10100 + i as u64,
        value: v.to_string(),
    })
    .collect()
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
