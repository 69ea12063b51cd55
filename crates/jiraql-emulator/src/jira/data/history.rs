//! Issue change histories (the changelog) and deleted worklogs.
//!
//! Histories are derived from the finished issues so that they agree with them: an issue's
//! status transitions walk the workflow from its initial status to its current one, the
//! assignee changes end at its current assignee, and a done issue reaches Done (and gets its
//! resolution) exactly at its `resolution_date`. Every history lies between the issue's
//! `created` and `updated`.

use std::ops::Range;

use chrono::{DateTime, FixedOffset};
use chrono_tz::Tz;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::{ACTIVITY_END_MS, ACTIVITY_START_MS, FIRST_WORKLOG_ID, JiraData, MINUTE_MS, at_zone};

/// A change history: one edit of an issue by one user, which may change several fields.
#[derive(Debug, Clone, PartialEq)]
pub struct ChangeHistory {
    /// Dense from 10000 in [`JiraData::changelogs`] order.
    pub id: u64,
    pub issue_id: u64,
    /// Account id.
    pub author: String,
    pub created: DateTime<FixedOffset>,
    /// At least one.
    pub items: Vec<ChangeItem>,
}

/// One changed field of a [`ChangeHistory`]. Values are ids (account ids for users); the
/// renderer adds the display strings (`fromString`/`toString`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChangeItem {
    /// A workflow transition (status ids).
    Status { from: u64, to: u64 },
    /// An assignment; None is "Unassigned".
    Assignee {
        from: Option<String>,
        to: Option<String>,
    },
    /// The resolution set on reaching Done (resolution ids).
    Resolution { from: Option<u64>, to: Option<u64> },
    /// Any other field a write changed (`field` is its id), with the texts Jira shows.
    Field {
        field: &'static str,
        from: Option<String>,
        to: Option<String>,
    },
}

impl ChangeItem {
    /// The `fieldId` Jira reports (and `changelog/bulkfetch` filters on).
    pub fn field_id(&self) -> &'static str {
        match self {
            ChangeItem::Status { .. } => "status",
            ChangeItem::Assignee { .. } => "assignee",
            ChangeItem::Resolution { .. } => "resolution",
            ChangeItem::Field { field, .. } => field,
        }
    }
}

/// A deleted worklog as `GET /worklog/deleted` reports it. Ids never collide with live ones.
#[derive(Debug, Clone, PartialEq)]
pub struct DeletedWorklog {
    pub id: u64,
    /// The issue it was logged on.
    pub issue_id: u64,
    /// Deletion instant; distinct across the site (millisecond precision).
    pub deleted: DateTime<FixedOffset>,
}

pub(super) const FIRST_CHANGELOG_ID: u64 = 10000;

/// Workflow order of the generated statuses: Backlog, To Do, In Progress, In Review, Done.
const WORKFLOW: [u64; 5] = [10000, 10001, 3, 10002, 10003];
const DONE: u64 = 10003;

/// Build every issue's change histories (and set [`super::Issue::changelogs`]).
pub(super) fn changelogs(data: &mut JiraData, rng: &mut ChaCha8Rng) {
    let zones: Vec<Tz> = data
        .users
        .iter()
        .map(|u| u.time_zone.parse().unwrap_or(Tz::UTC))
        .collect();
    let people: Vec<usize> = (0..data.users.len())
        .filter(|&i| data.users[i].active && data.users[i].account_type == "atlassian")
        .collect();
    let mut out = Vec::with_capacity(data.issues.len() * 4);
    let mut ranges: Vec<Range<usize>> = Vec::with_capacity(data.issues.len());
    for issue in &data.issues {
        let start = out.len();
        let created = issue.created.timestamp_millis();
        let updated = issue.updated.timestamp_millis().max(created);
        // (instant, author index, items), sorted by instant before numbering.
        let mut events: Vec<(i64, usize, Vec<ChangeItem>)> = Vec::new();
        let person = |rng: &mut ChaCha8Rng| people[rng.random_range(0..people.len())];
        let between = |rng: &mut ChaCha8Rng, a: i64, b: i64| {
            let lo = a + MINUTE_MS;
            if b <= lo { b } else { rng.random_range(lo..=b) }
        };

        // Status transitions.
        let target = WORKFLOW
            .iter()
            .position(|&s| s == issue.status_id)
            .unwrap_or(1);
        let initial = match target {
            0 => 0,
            _ if rng.random_bool(0.7) => 1,
            _ => 0,
        };
        let mut path = vec![WORKFLOW[initial]];
        for (k, &s) in WORKFLOW
            .iter()
            .enumerate()
            .take(target + 1)
            .skip(initial + 1)
        {
            // Intermediate steps are sometimes skipped (straight from To Do to Done…).
            if k < target && rng.random_bool(0.3) {
                continue;
            }
            path.push(s);
        }
        // A review that sends the work back once.
        if let Some(at) = path.iter().position(|&s| s == 10002)
            && at + 1 < path.len()
            && rng.random_bool(0.15)
        {
            path.splice(at + 1..at + 1, [3, 10002]);
        }
        let resolved = issue.resolution_date.map(|t| t.timestamp_millis());
        let transitions = path.len() - 1;
        let last_free = resolved.unwrap_or(updated);
        let mut stamps: Vec<i64> = (0..transitions)
            .map(|_| between(rng, created, last_free))
            .collect();
        stamps.sort_unstable();
        if let (Some(at), Some(last)) = (resolved, stamps.last_mut())
            && issue.status_id == DONE
        {
            *last = at;
        }
        for (k, &at) in stamps.iter().enumerate() {
            let mut items = vec![ChangeItem::Status {
                from: path[k],
                to: path[k + 1],
            }];
            if path[k + 1] == DONE && issue.resolution_id.is_some() {
                items.push(ChangeItem::Resolution {
                    from: None,
                    to: issue.resolution_id,
                });
            }
            events.push((at, person(rng), items));
        }

        // Assignee changes ending at the current assignee.
        let someone_else = |rng: &mut ChaCha8Rng, not: Option<&String>| {
            let p = person(rng);
            let a = &data.users[p].account_id;
            (Some(a) != not).then(|| a.clone())
        };
        let mut chain: Vec<Option<String>> = Vec::new();
        match &issue.assignee {
            Some(a) if rng.random_bool(0.6) => {
                chain.push(None);
                if rng.random_bool(0.25)
                    && let Some(b) = someone_else(rng, Some(a))
                {
                    chain.push(Some(b));
                }
                chain.push(Some(a.clone()));
            }
            None if rng.random_bool(0.15) => {
                if let Some(b) = someone_else(rng, None) {
                    chain.extend([None, Some(b), None]);
                }
            }
            _ => {}
        }
        let mut stamps: Vec<i64> = chain
            .windows(2)
            .map(|_| between(rng, created, updated))
            .collect();
        stamps.sort_unstable();
        for (pair, at) in chain.windows(2).zip(stamps) {
            let item = ChangeItem::Assignee {
                from: pair[0].clone(),
                to: pair[1].clone(),
            };
            // Starting work often assigns in the same edit.
            let same_edit = events.iter_mut().find(|(t, _, items)| {
                (*t - at).abs() < 3 * 60 * MINUTE_MS
                    && matches!(items[0], ChangeItem::Status { to: 3, .. })
            });
            match same_edit {
                Some((_, _, items)) if rng.random_bool(0.5) => items.push(item),
                _ => events.push((at, person(rng), vec![item])),
            }
        }

        events.sort_by_key(|(t, _, _)| *t);
        for (at, author, items) in events {
            out.push(ChangeHistory {
                id: FIRST_CHANGELOG_ID + out.len() as u64,
                issue_id: issue.id,
                author: data.users[author].account_id.clone(),
                created: at_zone(at, zones[author]),
                items,
            });
        }
        ranges.push(start..out.len());
    }
    for (issue, range) in data.issues.iter_mut().zip(ranges) {
        issue.changelogs = range;
    }
    data.changelogs = out;
}

/// Worklogs deleted over the site's life: about one per 40 live ones (at least five), ids
/// above the live range, deletion instants distinct and ascending.
pub(super) fn deleted_worklogs(data: &mut JiraData, rng: &mut ChaCha8Rng) {
    if data.issues.is_empty() {
        return;
    }
    let count = (data.worklogs.len() / 40).max(5);
    let mut stamps: Vec<i64> = (0..count)
        .map(|_| rng.random_range(ACTIVITY_START_MS..ACTIVITY_END_MS))
        .collect();
    stamps.sort_unstable();
    for k in 1..stamps.len() {
        if stamps[k] <= stamps[k - 1] {
            stamps[k] = stamps[k - 1] + 1;
        }
    }
    let mut id = FIRST_WORKLOG_ID + data.worklogs.len() as u64 + 100;
    let mut ids: Vec<u64> = (0..count)
        .map(|_| {
            id += rng.random_range(1..=5);
            id
        })
        .collect();
    // Deletion order is not id order.
    for k in (1..ids.len()).rev() {
        ids.swap(k, rng.random_range(0..=k));
    }
    let sydney: Tz = "Australia/Sydney".parse().unwrap_or(Tz::UTC);
    data.deleted_worklogs = ids
        .into_iter()
        .zip(stamps)
        .map(|(id, ms)| DeletedWorklog {
            id,
            issue_id: data.issues[rng.random_range(0..data.issues.len())].id,
            deleted: at_zone(ms, sydney),
        })
        .collect();
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn histories_agree_with_their_issues() {
        let d = JiraData::generate(42, 2000);
        assert!(d.changelogs.len() > 2000, "{}", d.changelogs.len());
        for (k, h) in d.changelogs.iter().enumerate() {
            assert_eq!(h.id, FIRST_CHANGELOG_ID + k as u64);
            assert!(!h.items.is_empty());
        }
        let mut multi_item = 0;
        for issue in &d.issues {
            let hs = d.changelogs_of(issue);
            let mut status = None;
            let mut assignee: Option<Option<String>> = None;
            let mut last = i64::MIN;
            for h in hs {
                assert_eq!(h.issue_id, issue.id);
                let t = h.created.timestamp_millis();
                assert!(t >= last, "{}: oldest first", issue.key);
                last = t;
                assert!(
                    issue.created <= h.created && h.created <= issue.updated,
                    "{}",
                    issue.key
                );
                multi_item += usize::from(h.items.len() > 1);
                for item in &h.items {
                    match item {
                        ChangeItem::Status { from, to } => {
                            assert!(status.is_none_or(|s| s == *from), "{}: chained", issue.key);
                            assert_ne!(from, to);
                            status = Some(*to);
                            if *to == DONE {
                                assert_eq!(Some(h.created), issue.resolution_date);
                            }
                        }
                        ChangeItem::Assignee { from, to } => {
                            if let Some(prev) = &assignee {
                                assert_eq!(prev, from, "{}: chained", issue.key);
                            }
                            assert_ne!(from, to);
                            assignee = Some(to.clone());
                        }
                        ChangeItem::Field { field, .. } => {
                            panic!("{}: the generator changes no {field}", issue.key)
                        }
                        ChangeItem::Resolution { to, .. } => {
                            assert_eq!(*to, issue.resolution_id);
                        }
                    }
                }
            }
            if let Some(s) = status {
                assert_eq!(
                    s, issue.status_id,
                    "{}: ends at the current status",
                    issue.key
                );
            }
            if let Some(a) = assignee {
                assert_eq!(
                    a, issue.assignee,
                    "{}: ends at the current assignee",
                    issue.key
                );
            }
            if issue.resolution_id.is_some() {
                assert!(
                    hs.iter()
                        .flat_map(|h| &h.items)
                        .any(|i| matches!(i, ChangeItem::Resolution { .. })),
                    "{}: resolved in its history",
                    issue.key
                );
            }
        }
        assert!(
            multi_item > 10,
            "{multi_item} histories change several fields"
        );
        let fields: HashSet<&str> = d
            .changelogs
            .iter()
            .flat_map(|h| &h.items)
            .map(ChangeItem::field_id)
            .collect();
        assert_eq!(fields, HashSet::from(["status", "assignee", "resolution"]));
    }

    #[test]
    fn deleted_worklogs_are_distinct_from_live_ones() {
        let d = JiraData::generate(42, 2000);
        assert!(d.deleted_worklogs.len() >= d.worklogs.len() / 40);
        let live: HashSet<u64> = d.worklogs.iter().map(|w| w.id).collect();
        let mut ids = HashSet::new();
        let mut last = i64::MIN;
        for w in &d.deleted_worklogs {
            assert!(!live.contains(&w.id) && ids.insert(w.id));
            let t = w.deleted.timestamp_millis();
            assert!(t > last, "distinct and ascending");
            last = t;
            assert!(d.issue_by_id(w.issue_id).is_some());
        }
    }
}
