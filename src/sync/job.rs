//! A sync job file (TOML): which Jira table and SharePoint list, how their columns pair up,
//! and the rules. Everything a file can get wrong is reported before anything is read or
//! written, each problem naming the setting and what it may be.
//!
//! ```toml
//! [jira]
//! table = "Issues"
//! where = "ProjectKey = 'DEMO'"
//! key = "Key"
//! [sharepoint]
//! list = "Issues"
//! key = "IssueKey"
//! [columns]                 # Jira column = SharePoint column
//! Summary = "Summary"
//! DueDate = "Due"
//! [sync]
//! direction = "two-way"     # or jira-to-sharepoint, sharepoint-to-jira
//! primary = "jira"          # the side a first two-way run copies from
//! conflict = "newest-wins"  # jira-wins, sharepoint-wins, newest-wins, manual
//! deletes = "ignore"        # or propagate, or { jira-to-sharepoint = ..., sharepoint-to-jira = ... }
//! state = "issues.state"    # default: the job file's name with .state, next to it
//! ```
//!
//! `deletes = "propagate"` carries Jira deletions to SharePoint only: deleting Jira issues
//! takes `sharepoint-to-jira = "propagate"` spelled out.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::merge::{Deletes, Direction, Policy, Side};

/// A job, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    pub jira_table: String,
    /// A SQL condition on the table, pushed down like any WHERE.
    pub jira_where: Option<String>,
    pub jira_key: String,
    pub list: String,
    pub list_key: String,
    /// Jira column (or, one way from Jira, an expression) = SharePoint column (or, one way from
    /// SharePoint, an expression), in the file's order.
    pub columns: Vec<(String, String)>,
    pub direction: Direction,
    pub policy: Policy,
    pub deletes: Deletes,
    pub state: PathBuf,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    jira: JiraPart,
    sharepoint: SharePointPart,
    columns: toml::Table,
    #[serde(default)]
    sync: SyncPart,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct JiraPart {
    table: String,
    #[serde(rename = "where")]
    condition: Option<String>,
    key: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SharePointPart {
    list: String,
    key: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct SyncPart {
    direction: Option<String>,
    primary: Option<String>,
    conflict: Option<String>,
    deletes: Option<toml::Value>,
    state: Option<String>,
}

/// Reads and checks the job at `path`.
pub fn load(path: &Path) -> Result<Job, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read the sync job {}: {e}", path.display()))?;
    parse(&text, path)
}

/// Checks the job `text` read from `path` (state files go next to it).
pub fn parse(text: &str, path: &Path) -> Result<Job, String> {
    let file: File = toml::from_str(text)
        .map_err(|e| format!("the sync job {} is not valid: {e}", path.display()))?;
    let mut problems = Vec::new();
    let primary = match file.sync.primary.as_deref().unwrap_or("jira") {
        "jira" => Side::Jira,
        "sharepoint" => Side::SharePoint,
        other => {
            problems.push(format!(
                "sync.primary = {other:?}: use \"jira\" or \"sharepoint\""
            ));
            Side::Jira
        }
    };
    let direction = direction(file.sync.direction.as_deref().unwrap_or("two-way"), primary)
        .unwrap_or_else(|e| {
            problems.push(format!("sync.{e}"));
            Direction::TwoWay { primary }
        });
    let policy = match file.sync.conflict.as_deref().unwrap_or("manual") {
        "jira-wins" => Policy::JiraWins,
        "sharepoint-wins" => Policy::SharePointWins,
        "newest-wins" => Policy::NewestWins,
        "manual" => Policy::Manual,
        other => {
            problems.push(format!(
                "sync.conflict = {other:?}: use \"jira-wins\", \"sharepoint-wins\", \
                 \"newest-wins\" or \"manual\""
            ));
            Policy::Manual
        }
    };
    let deletes = deletes(file.sync.deletes.as_ref(), &mut problems);
    let columns = columns(&file.columns, direction, &mut problems);
    for (name, value) in [
        ("jira.table", &file.jira.table),
        ("jira.key", &file.jira.key),
        ("sharepoint.list", &file.sharepoint.list),
        ("sharepoint.key", &file.sharepoint.key),
    ] {
        if value.trim().is_empty() {
            problems.push(format!("{name} is empty"));
        }
    }
    if !problems.is_empty() {
        return Err(format!(
            "the sync job {} cannot run:\n  {}",
            path.display(),
            problems.join("\n  ")
        ));
    }
    let state = match &file.sync.state {
        Some(s) => path.parent().unwrap_or(Path::new(".")).join(s),
        None => path.with_extension("state"),
    };
    Ok(Job {
        jira_table: file.jira.table,
        jira_where: file.jira.condition.filter(|w| !w.trim().is_empty()),
        jira_key: file.jira.key,
        list: file.sharepoint.list,
        list_key: file.sharepoint.key,
        columns,
        direction,
        policy,
        deletes,
        state,
    })
}

/// A direction by name; `primary` is the side a first two-way run copies from.
pub fn direction(name: &str, primary: Side) -> Result<Direction, String> {
    match name {
        "two-way" => Ok(Direction::TwoWay { primary }),
        "jira-to-sharepoint" => Ok(Direction::From(Side::Jira)),
        "sharepoint-to-jira" => Ok(Direction::From(Side::SharePoint)),
        other => Err(format!(
            "direction = {other:?}: use \"two-way\", \"jira-to-sharepoint\" or \
             \"sharepoint-to-jira\""
        )),
    }
}

/// `deletes`: one word for both directions (`propagate` carrying Jira's deletions only), or a
/// table per direction.
fn deletes(value: Option<&toml::Value>, problems: &mut Vec<String>) -> Deletes {
    let word = |name: &str, v: Option<&toml::Value>, problems: &mut Vec<String>| match v
        .map(|v| v.as_str())
    {
        None | Some(Some("ignore")) => false,
        Some(Some("propagate")) => true,
        _ => {
            problems.push(format!(
                "sync.deletes{name}: use \"ignore\" or \"propagate\""
            ));
            false
        }
    };
    match value {
        Some(toml::Value::Table(t)) => {
            for k in t.keys() {
                if k != "jira-to-sharepoint" && k != "sharepoint-to-jira" {
                    problems.push(format!(
                        "sync.deletes.{k}: the directions are jira-to-sharepoint and \
                         sharepoint-to-jira"
                    ));
                }
            }
            Deletes {
                jira_to_sharepoint: word(
                    ".jira-to-sharepoint",
                    t.get("jira-to-sharepoint"),
                    problems,
                ),
                sharepoint_to_jira: word(
                    ".sharepoint-to-jira",
                    t.get("sharepoint-to-jira"),
                    problems,
                ),
            }
        }
        other => Deletes {
            jira_to_sharepoint: word("", other, problems),
            sharepoint_to_jira: false,
        },
    }
}

/// The column pairs. A two-way pair must be a plain column on both sides; one way, the side
/// values come from may be an SQL expression.
fn columns(
    table: &toml::Table,
    direction: Direction,
    problems: &mut Vec<String>,
) -> Vec<(String, String)> {
    if table.is_empty() {
        problems.push(
            "[columns] pairs no columns: add Jira column = \"SharePoint column\" lines".into(),
        );
    }
    let mut out = Vec::new();
    let mut seen = BTreeMap::new();
    for (jira, sharepoint) in table {
        let Some(sharepoint) = sharepoint.as_str() else {
            problems.push(format!(
                "columns.{jira}: give the SharePoint column as text, e.g. {jira} = \"Title\""
            ));
            continue;
        };
        let plain_jira = plain(jira);
        let plain_sp = plain(sharepoint);
        let expression_ok = |side: Side| direction == Direction::From(side);
        if !plain_jira && !expression_ok(Side::Jira) {
            problems.push(format!(
                "columns.{jira:?}: an expression can only feed SharePoint (direction = \
                 \"jira-to-sharepoint\"); a {} column must be a plain Jira column",
                describe(direction)
            ));
        }
        if !plain_sp && !expression_ok(Side::SharePoint) {
            problems.push(format!(
                "columns.{jira:?} = {sharepoint:?}: an expression can only feed Jira (direction \
                 = \"sharepoint-to-jira\"); a {} column must be a plain list column",
                describe(direction)
            ));
        }
        if let Some(first) = seen.insert(sharepoint.to_lowercase(), jira.clone()) {
            problems.push(format!(
                "columns: the SharePoint column {sharepoint:?} is paired twice ({first} and {jira})"
            ));
        }
        out.push((jira.clone(), sharepoint.to_string()));
    }
    out
}

fn describe(direction: Direction) -> &'static str {
    match direction {
        Direction::TwoWay { .. } => "two-way",
        Direction::From(Side::Jira) => "jira-to-sharepoint",
        Direction::From(Side::SharePoint) => "sharepoint-to-jira",
    }
}

/// A column name rather than an expression: letters, digits, underscores and spaces.
fn plain(name: &str) -> bool {
    !name.trim().is_empty()
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == ' ')
}

#[cfg(test)]
mod tests {
    use super::*;

    const ISSUE_JOB: &str = r#"
[jira]
table = "Issues"
where = "ProjectKey = 'DEMO'"
key = "Key"
[sharepoint]
list = "Issues"
key = "IssueKey"
[columns]
Summary = "Summary"
DueDate = "Due"
"Story Points" = "StoryPoints"
[sync]
conflict = "newest-wins"
deletes = { sharepoint-to-jira = "propagate" }
"#;

    #[test]
    fn a_job_reads_with_its_defaults() {
        let job = parse(ISSUE_JOB, Path::new("jobs/issues.toml")).expect("valid");
        assert_eq!(job.jira_where.as_deref(), Some("ProjectKey = 'DEMO'"));
        assert_eq!(job.columns.len(), 3);
        assert_eq!(
            job.direction,
            Direction::TwoWay {
                primary: Side::Jira
            }
        );
        assert_eq!(job.policy, Policy::NewestWins);
        assert_eq!(
            job.deletes,
            Deletes {
                jira_to_sharepoint: false,
                sharepoint_to_jira: true
            }
        );
        assert_eq!(job.state, PathBuf::from("jobs/issues.state"));
        let word = ISSUE_JOB.replace(
            "deletes = { sharepoint-to-jira = \"propagate\" }",
            "deletes = \"propagate\"",
        );
        let job = parse(&word, Path::new("j.toml")).expect("valid");
        assert!(job.deletes.jira_to_sharepoint && !job.deletes.sharepoint_to_jira);
    }

    #[test]
    fn every_problem_is_named_before_anything_runs() {
        let bad = ISSUE_JOB
            .replace(
                "conflict = \"newest-wins\"",
                "conflict = \"loudest\"\ndirection = \"sideways\"",
            )
            .replace(
                "DueDate = \"Due\"",
                "\"TimeSpentSeconds / 3600.0\" = \"Hours\"",
            );
        let e = parse(&bad, Path::new("j.toml")).expect_err("refused");
        assert!(e.contains("sync.conflict = \"loudest\""), "{e}");
        assert!(e.contains("sync.direction = \"sideways\""), "{e}");
        assert!(e.contains("an expression can only feed SharePoint"), "{e}");
        let one_way = ISSUE_JOB
            .replace("[sync]", "[sync]\ndirection = \"jira-to-sharepoint\"")
            .replace(
                "DueDate = \"Due\"",
                "\"TimeSpentSeconds / 3600.0\" = \"Hours\"",
            );
        assert!(
            parse(&one_way, Path::new("j.toml")).is_ok(),
            "one way, expressions feed"
        );
        let e = parse("[jira]\ntable = 1", Path::new("j.toml")).expect_err("refused");
        assert!(e.contains("j.toml is not valid"), "{e}");
        let e = parse(
            &ISSUE_JOB.replace("[sync]", "[sync]\ncolour = 1"),
            Path::new("j.toml"),
        )
        .expect_err("refused");
        assert!(e.contains("colour"), "{e}");
    }
}
