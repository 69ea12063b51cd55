//! The site's directory and saved objects: groups, project roles with their actors, and
//! filters. All of it is part of the fixed site (it depends on the seed, not on the size).

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::{JiraData, User};

/// A user group.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    /// UUID, as Cloud identifies groups.
    pub group_id: String,
    pub name: String,
    /// Account ids of the members.
    pub members: Vec<String>,
}

/// A project role (site-wide: each project fills it with its own actors).
#[derive(Debug, Clone, PartialEq)]
pub struct ProjectRole {
    pub id: u64,
    pub name: String,
    pub description: String,
}

/// Who holds a role in a project.
#[derive(Debug, Clone, PartialEq)]
pub struct RoleActor {
    /// Unique across the site.
    pub id: u64,
    pub project_id: u64,
    pub role_id: u64,
    pub actor: Actor,
}

/// A role actor: a user or a whole group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    /// Account id.
    User(String),
    /// Group name (see [`JiraData::groups`]).
    Group(String),
}

/// A saved filter.
#[derive(Debug, Clone, PartialEq)]
pub struct Filter {
    pub id: u64,
    pub name: String,
    pub description: Option<String>,
    /// Account id.
    pub owner: String,
    /// Valid JQL for the generated site.
    pub jql: String,
    /// Whether the emulator's own user (`myself`) marked it as a favourite.
    pub favourite: bool,
    pub favourited_count: u64,
}

/// Group names with the indexes (into [`JiraData::users`]) of their members; `None` means
/// every user.
const GROUPS: &[(&str, Option<&[usize]>)] = &[
    ("administrators", Some(&[0, 1, 5])),
    ("confluence-users", Some(&[0, 2, 3, 4, 8, 9, 12, 15, 19])),
    ("data-team", Some(&[3, 4, 13, 17, 22])),
    (
        "developers",
        Some(&[0, 1, 2, 3, 4, 5, 6, 9, 11, 19, 20, 21]),
    ),
    ("jira-admins-jiraql-demo", Some(&[0, 1])),
    ("jira-software-users-jiraql-demo", None),
    ("mobile-team", Some(&[9, 10, 18, 20])),
    ("ops-oncall", Some(&[5, 7, 11, 12, 14, 26])),
    ("site-admins", Some(&[0])),
    ("trusted-users", Some(&[0, 1, 2, 5, 7])),
    ("web-platform", Some(&[2, 6, 8, 16, 21])),
    ("équipe-québec", Some(&[8, 24])),
];

pub(super) fn groups(users: &[User], rng: &mut ChaCha8Rng) -> Vec<Group> {
    GROUPS
        .iter()
        .map(|&(name, members)| {
            let members = match members {
                Some(idx) => idx
                    .iter()
                    .filter_map(|&i| users.get(i))
                    .map(|u| u.account_id.clone())
                    .collect(),
                None => users.iter().map(|u| u.account_id.clone()).collect(),
            };
            Group {
                group_id: uuid(rng),
                name: name.to_string(),
                members,
            }
        })
        .collect()
}

fn uuid(rng: &mut ChaCha8Rng) -> String {
    let h = format!("{:032x}", rng.random::<u128>());
    format!(
        "{}-{}-4{}-a{}-{}",
        &h[0..8],
        &h[8..12],
        &h[13..16],
        &h[17..20],
        &h[20..32]
    )
}

/// The roles of a Cloud site's default permission scheme (ids as Jira numbers them).
pub(super) fn roles() -> Vec<ProjectRole> {
    [
        (
            10002,
            "Administrators",
            "A project role that represents administrators in a project",
        ),
        (
            10000,
            "Developers",
            "A project role that represents developers in a project",
        ),
        (
            10001,
            "Viewers",
            "A project role that represents viewers in a project",
        ),
    ]
    .into_iter()
    .map(|(id, name, description)| ProjectRole {
        id,
        name: name.to_string(),
        description: description.to_string(),
    })
    .collect()
}

/// Per project: the lead and the admin group administer; two to four users and the
/// developers group develop; the software-users group (and sometimes a user) views.
pub(super) fn role_actors(data: &JiraData, rng: &mut ChaCha8Rng) -> Vec<RoleActor> {
    let mut out = Vec::new();
    let mut next_id = 10100;
    let mut push = |out: &mut Vec<RoleActor>, project_id, role_id, actor| {
        if !out.iter().any(|a: &RoleActor| {
            a.project_id == project_id && a.role_id == role_id && a.actor == actor
        }) {
            out.push(RoleActor {
                id: next_id,
                project_id,
                role_id,
                actor,
            });
            next_id += 1;
        }
    };
    let people: Vec<&User> = data
        .users
        .iter()
        .filter(|u| u.active && u.account_type == "atlassian")
        .collect();
    for p in &data.projects {
        push(&mut out, p.id, 10002, Actor::User(p.lead.clone()));
        push(
            &mut out,
            p.id,
            10002,
            Actor::Group("jira-admins-jiraql-demo".into()),
        );
        for _ in 0..rng.random_range(2..=4) {
            let u = people[rng.random_range(0..people.len())];
            push(&mut out, p.id, 10000, Actor::User(u.account_id.clone()));
        }
        push(&mut out, p.id, 10000, Actor::Group("developers".into()));
        push(
            &mut out,
            p.id,
            10001,
            Actor::Group("jira-software-users-jiraql-demo".into()),
        );
        if rng.random_bool(0.5) {
            let u = people[rng.random_range(0..people.len())];
            push(&mut out, p.id, 10001, Actor::User(u.account_id.clone()));
        }
    }
    out
}

/// Name, description, JQL, owner (user index).
const FILTERS: &[(&str, Option<&str>, &str, usize)] = &[
    (
        "My open issues",
        Some("Everything assigned to me that is not done"),
        "assignee = currentUser() AND resolution is EMPTY ORDER BY priority DESC",
        0,
    ),
    (
        "Reported by me",
        None,
        "reporter = currentUser() ORDER BY created DESC",
        0,
    ),
    (
        "DEMO bugs",
        Some("Open bugs of the demo project"),
        "project = DEMO AND type = Bug AND statusCategory != Done",
        1,
    ),
    (
        "Ops on-call queue",
        Some("Unresolved OPS work, highest first"),
        "project = OPS AND resolution is EMPTY ORDER BY priority ASC, created ASC",
        5,
    ),
    (
        "Current sprints",
        Some("Issues in the active sprints"),
        "sprint in openSprints() ORDER BY key",
        2,
    ),
    (
        "Security & \"performance\"",
        Some("Labels: security, performance"),
        "labels in (security, performance)",
        6,
    ),
    (
        "Überfällig (overdue)",
        Some("Due date passed, still open"),
        "duedate < now() AND resolution is EMPTY",
        5,
    ),
    (
        "Web epics",
        None,
        "project = WEB AND type = Epic ORDER BY created ASC",
        2,
    ),
    (
        "Mobile blockers",
        Some("Highest priority mobile work"),
        "project = MOB AND priority = Highest",
        9,
    ),
    (
        "Data pipelines",
        None,
        "project = DATA AND component = Pipelines",
        3,
    ),
    (
        "Updated this week",
        Some("Recently touched, all projects"),
        "updated >= -7d ORDER BY updated DESC",
        1,
    ),
    (
        "Unassigned stories",
        None,
        "type = Story AND assignee is EMPTY",
        4,
    ),
    (
        "Release 2.1",
        Some("Scope of the next release"),
        "fixVersion = \"2.1\"",
        1,
    ),
    (
        "Zoë's review queue",
        Some("In review, any project"),
        "status = \"In Review\" ORDER BY updated ASC",
        1,
    ),
];

pub(super) fn filters(users: &[User], rng: &mut ChaCha8Rng) -> Vec<Filter> {
    FILTERS
        .iter()
        .enumerate()
        .map(|(k, &(name, description, jql, owner))| {
            let favourite = owner == 0 || rng.random_bool(0.3);
            Filter {
                id: 10000 + k as u64,
                name: name.to_string(),
                description: description.map(str::to_string),
                owner: users[owner.min(users.len() - 1)].account_id.clone(),
                jql: jql.to_string(),
                favourite,
                favourited_count: rng.random_range(0..40) + u64::from(favourite),
            }
        })
        .collect()
}

impl JiraData {
    /// Adds a user account, as a site admin's `POST /user` does.
    pub(crate) fn add_user(&mut self, user: User) {
        self.users.push(user);
        self.index_users();
    }

    /// Removes a user account; what it made keeps naming it, as on a real site.
    pub(crate) fn remove_user(&mut self, account_id: &str) {
        self.users.retain(|u| u.account_id != account_id);
        self.index_users();
    }

    /// Rebuilds the index of users by account id.
    pub(super) fn index_users(&mut self) {
        self.index.user_by_account = self
            .users
            .iter()
            .enumerate()
            .map(|(i, u)| (u.account_id.clone(), i))
            .collect();
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;
    use crate::jira::search::{self, SearchContext};

    #[test]
    fn directory_is_fixed_and_consistent() {
        let small = JiraData::generate(42, 20);
        let d = JiraData::generate(42, 1500);
        assert_eq!(small.groups, d.groups);
        assert_eq!(small.roles, d.roles);
        assert_eq!(small.role_actors, d.role_actors);
        assert_eq!(small.filters, d.filters);
        assert_ne!(JiraData::generate(43, 20).groups, d.groups);

        let names: Vec<&str> = d.groups.iter().map(|g| g.name.as_str()).collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        assert_eq!(names, sorted, "groups are kept in name order");
        for g in &d.groups {
            assert!(!g.members.is_empty());
            assert!(g.members.iter().all(|m| d.user(m).is_some()));
        }
        for p in &d.projects {
            for r in &d.roles {
                assert!(
                    d.role_actors_of(p.id, r.id).count() >= 1,
                    "{} {}",
                    p.key,
                    r.name
                );
            }
        }
        for a in &d.role_actors {
            match &a.actor {
                Actor::User(u) => assert!(d.user(u).is_some()),
                Actor::Group(g) => assert!(d.group_by_name(g).is_some()),
            }
        }
        let ctx = SearchContext::for_myself(&d, Utc::now());
        for f in &d.filters {
            assert!(d.user(&f.owner).is_some());
            assert!(
                search::search(&d, &f.jql, &ctx).is_ok(),
                "filter {} has invalid JQL {}",
                f.name,
                f.jql
            );
            assert!(!f.favourite || f.favourited_count > 0);
        }
    }
}
