//! Issue links (with their types) and attachment metadata.

use chrono::{DateTime, FixedOffset};
use chrono_tz::Tz;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::{JiraData, MINUTE_MS, at_zone};

/// An issue link type, e.g. Blocks: inward "is blocked by", outward "blocks".
#[derive(Debug, Clone, PartialEq)]
pub struct IssueLinkType {
    pub id: u64,
    pub name: String,
    pub inward: String,
    pub outward: String,
}

/// A link between two issues, read "inward issue *outward phrase* outward issue": with Blocks,
/// `inward_issue_id` A and `outward_issue_id` B mean "A blocks B" (and "B is blocked by A").
/// In A's `fields.issuelinks` the link carries `outwardIssue` B; in B's, `inwardIssue` A;
/// `GET /issueLink/{id}` carries both.
#[derive(Debug, Clone, PartialEq)]
pub struct IssueLink {
    /// Dense from 10000 in [`JiraData::issue_links`] order.
    pub id: u64,
    pub type_id: u64,
    pub inward_issue_id: u64,
    pub outward_issue_id: u64,
}

/// An attachment's metadata (the emulator serves no content).
#[derive(Debug, Clone, PartialEq)]
pub struct Attachment {
    /// Dense from 10000 in [`JiraData::attachments`] order.
    pub id: u64,
    pub issue_id: u64,
    pub filename: String,
    /// Account id.
    pub author: String,
    /// Between the issue's created and updated.
    pub created: DateTime<FixedOffset>,
    /// Bytes.
    pub size: u64,
    pub mime_type: String,
}

pub(super) const FIRST_LINK_ID: u64 = 10000;
pub(super) const FIRST_ATTACHMENT_ID: u64 = 10000;

/// Jira Cloud's default link types.
pub(super) fn link_types() -> Vec<IssueLinkType> {
    [
        (10000, "Blocks", "is blocked by", "blocks"),
        (10001, "Cloners", "is cloned by", "clones"),
        (10002, "Duplicate", "is duplicated by", "duplicates"),
        (10003, "Relates", "relates to", "relates to"),
    ]
    .into_iter()
    .map(|(id, name, inward, outward)| IssueLinkType {
        id,
        name: name.to_string(),
        inward: inward.to_string(),
        outward: outward.to_string(),
    })
    .collect()
}

/// About one issue in six links to an earlier issue (mostly of its own project, sometimes of
/// another); a few link twice. Sets [`super::Issue::link_ids`] on both ends.
pub(super) fn links(data: &mut JiraData, rng: &mut ChaCha8Rng) {
    let n = data.issues.len();
    let mut links = Vec::new();
    for i in 1..n {
        let count = match rng.random_range(0..100) {
            0..3 => 2,
            3..17 => 1,
            _ => 0,
        };
        for _ in 0..count {
            let project = data.issues[i].project_id;
            let same_project = rng.random_bool(0.85);
            // A recent earlier issue: look back at most 200 positions for a fitting one.
            let lo = i.saturating_sub(200);
            let Some(j) = (0..8)
                .map(|_| rng.random_range(lo..i))
                .find(|&j| (data.issues[j].project_id == project) == same_project)
            else {
                continue;
            };
            let (a, b) = (data.issues[i].id, data.issues[j].id);
            let type_id = match rng.random_range(0..100) {
                0..35 => 10000,
                35..45 => 10001,
                45..60 => 10002,
                _ => 10003,
            };
            let duplicate = links.iter().rev().take(8).any(|l: &IssueLink| {
                (l.inward_issue_id, l.outward_issue_id) == (a, b)
                    || (l.inward_issue_id, l.outward_issue_id) == (b, a)
            });
            if duplicate {
                continue;
            }
            // The newer issue blocks/clones/duplicates/relates to the older one, or the other
            // way round.
            let (inward, outward) = if rng.random_bool(0.5) { (a, b) } else { (b, a) };
            links.push(IssueLink {
                id: FIRST_LINK_ID + links.len() as u64,
                type_id,
                inward_issue_id: inward,
                outward_issue_id: outward,
            });
        }
    }
    for l in &links {
        for end in [l.inward_issue_id, l.outward_issue_id] {
            if let Some(k) = data.issue_index_by_id(end) {
                data.issues[k].link_ids.push(l.id);
            }
        }
    }
    data.issue_links = links;
}

const FILES: &[(&str, &str, u64)] = &[
    ("screenshot.png", "image/png", 250_000),
    (
        "Screen Shot 2026-03-04 at 10.15.30.png",
        "image/png",
        900_000,
    ),
    ("photo.jpg", "image/jpeg", 1_800_000),
    ("server.log", "text/plain", 40_000),
    ("export, final (2).csv", "text/csv", 120_000),
    ("Überweisung_März.pdf", "application/pdf", 350_000),
    ("design-v2.fig", "application/octet-stream", 4_000_000),
    ("crash-report.json", "application/json", 15_000),
    ("diagram.svg", "image/svg+xml", 30_000),
    ("logs.tar.gz", "application/gzip", 7_500_000),
    ("notes 📝.md", "text/markdown", 3_000),
    (
        "requirements.docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        60_000,
    ),
];

/// About one issue in five carries one to three attachments.
pub(super) fn attachments(data: &mut JiraData, rng: &mut ChaCha8Rng) {
    let zones: Vec<Tz> = data
        .users
        .iter()
        .map(|u| u.time_zone.parse().unwrap_or(Tz::UTC))
        .collect();
    let people: Vec<usize> = (0..data.users.len())
        .filter(|&i| data.users[i].active && data.users[i].account_type == "atlassian")
        .collect();
    let mut out = Vec::new();
    for issue in &mut data.issues {
        let count = match rng.random_range(0..100) {
            0..12 => 1,
            12..17 => 2,
            17..20 => 3,
            _ => 0,
        };
        let start = out.len();
        let created = issue.created.timestamp_millis();
        let span = (issue.updated.timestamp_millis() - created).max(0);
        let mut stamps: Vec<i64> = (0..count)
            .map(|_| created + rng.random_range(0..=span.min(30 * 24 * 60 * MINUTE_MS)))
            .collect();
        stamps.sort_unstable();
        for at in stamps {
            let (name, mime, typical) = FILES[rng.random_range(0..FILES.len())];
            let author = people[rng.random_range(0..people.len())];
            out.push(Attachment {
                id: FIRST_ATTACHMENT_ID + out.len() as u64,
                issue_id: issue.id,
                filename: name.to_string(),
                author: data.users[author].account_id.clone(),
                created: at_zone(at, zones[author]),
                size: typical / 2 + rng.random_range(0..typical),
                mime_type: mime.to_string(),
            });
        }
        issue.attachments = start..out.len();
    }
    data.attachments = out;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_and_attachments_agree_with_issues() {
        let d = JiraData::generate(42, 2000);
        assert_eq!(d.issue_link_types.len(), 4);
        assert!(d.issue_links.len() > 150, "{}", d.issue_links.len());
        for l in &d.issue_links {
            assert_eq!(d.issue_link(l.id), Some(l));
            assert_ne!(l.inward_issue_id, l.outward_issue_id);
            assert!(d.issue_link_type(l.type_id).is_some());
            for end in [l.inward_issue_id, l.outward_issue_id] {
                let issue = d.issue_by_id(end).expect("linked issue exists");
                assert!(issue.link_ids.contains(&l.id));
            }
        }
        let listed: usize = d.issues.iter().map(|i| i.link_ids.len()).sum();
        assert_eq!(listed, 2 * d.issue_links.len());
        assert!(d.issue_links.iter().any(|l| {
            let a = d.issue_by_id(l.inward_issue_id).map(|i| i.project_id);
            a != d.issue_by_id(l.outward_issue_id).map(|i| i.project_id)
        }));

        assert!(d.attachments.len() > 300, "{}", d.attachments.len());
        for issue in &d.issues {
            for a in d.attachments_of(issue) {
                assert_eq!(a.issue_id, issue.id);
                assert_eq!(d.attachment(a.id), Some(a));
                assert!(issue.created <= a.created && a.created <= issue.updated);
                assert!(a.size > 0 && a.mime_type.contains('/'));
            }
        }
    }
}
