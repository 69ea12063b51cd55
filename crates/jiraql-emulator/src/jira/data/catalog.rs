//! The site's fixed catalogs: issue types, status categories, statuses, priorities, resolutions and
//! team options.

use super::*;

pub(super) fn issue_types() -> Vec<IssueType> {
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

pub(super) fn status_categories() -> Vec<StatusCategory> {
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

pub(super) fn statuses() -> Vec<Status> {
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

pub(super) fn priorities() -> Vec<Priority> {
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

pub(super) fn resolutions() -> Vec<Resolution> {
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

pub(super) fn teams() -> Vec<TeamOption> {
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
