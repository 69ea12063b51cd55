//! The fixed benchmark suite, and the fewest requests Jira's API needs for each answer.
//!
//! # The minimum
//!
//! Counted from the emulator's data, endpoint by endpoint, at the page caps Jira Cloud applies
//! (the emulator applies the same):
//!
//! * an issue search is `ceil(matches / cap)` pages (at least one), where `cap` is 100 when
//!   real fields are requested and 5000 when only ids are (`count(*)`);
//! * a key lookup is one `GET issue/{key}`;
//! * the worklogs of one issue are `ceil(worklogs / 5000)` pages (at least one);
//! * all worklogs are `ceil(W / 1000)` pages of `worklog/updated` plus `ceil(W / 1000)` calls of
//!   `worklog/list` (1000 ids a call), plus `ceil(I / 1000)` id-only searches for the keys of
//!   the `I` issues they belong to when `IssueKey` is selected;
//! * worklogs started in a range are the cheaper of: the id-only issue search for the issues
//!   with such a worklog and one worklog page per issue, or all worklogs in bulk;
//! * all comments are the issue search with the `comment` field (100 a page, 20 comments
//!   embedded per issue) plus one `issue/{key}/comment` page per issue with more than 20;
//! * a join needs the sum of its sides;
//! * a SharePoint list read whole is `ceil(items / 999)` pages; one found by an indexed
//!   column's `$filter` is one request (the site, list and column lookups, made once per
//!   session, are made before the timing); items written to it go in `$batch`es of 20;
//! * a write needs the query that finds its rows plus its requests per row: an issue update
//!   reads the issue's `updated` again and edits it (2), a worklog insert is one POST.
//!
//! A partitioned issue scan (see `engine::partition`) spends more than this on purpose: one
//! id-only probe for the smallest id, and up to one part-filled last page per id range. The
//! report shows both figures so the difference is visible.

use chrono::{DateTime, FixedOffset};

use jiraql_emulator::JiraData;

/// Items a SharePoint list page holds as jiraql asks for them (Graph's own maximum is not
/// documented; 999 is what clients commonly ask).
const LIST_PAGE: usize = 999;

/// Jira Cloud's caps (and the emulator's).
const FIELD_PAGE: usize = 100;
const ID_PAGE: usize = 5000;
const WORKLOG_PAGE: usize = 5000;
const BULK_CAP: usize = 1000;
const EMBEDDED_COMMENTS: usize = 20;
/// Requests in one Graph `$batch`.
const GRAPH_BATCH: usize = 20;

/// How to count the fewest requests for a query's answer.
#[derive(Debug, Clone)]
pub enum Minimum {
    /// An issue search over the issues `matches` selects.
    Search { matches: usize, ids_only: bool },
    /// One GET.
    One,
    /// All worklogs in bulk; `keys` when the issue keys are needed too.
    BulkWorklogs { keys: bool },
    /// The worklogs of one issue.
    IssueWorklogs { worklogs: usize },
    /// Worklogs started in `[from, to)`.
    WorklogRange {
        from: DateTime<FixedOffset>,
        to: DateTime<FixedOffset>,
    },
    /// Every comment.
    Comments,
    /// Both sides of a join.
    Sum(Box<Minimum>, Box<Minimum>),
    /// Every item of a list of `items`, page by page.
    ListPages { items: usize },
    /// `rows` list items written, in Graph `$batch`es of 20.
    Batches { rows: usize },
    /// A write of `rows` rows found by `source`, `per_row` requests each.
    Write {
        source: Box<Minimum>,
        rows: usize,
        per_row: usize,
    },
}

impl Minimum {
    pub fn requests(&self, data: &JiraData) -> usize {
        let pages = |n: usize, cap: usize| n.div_ceil(cap).max(1);
        match self {
            Minimum::Search { matches, ids_only } => {
                pages(*matches, if *ids_only { ID_PAGE } else { FIELD_PAGE })
            }
            Minimum::One => 1,
            Minimum::BulkWorklogs { keys } => {
                let w = data.worklogs.len();
                let mut n = 2 * pages(w, BULK_CAP);
                if *keys {
                    let issues = data
                        .issues
                        .iter()
                        .filter(|i| !i.worklogs.is_empty())
                        .count();
                    n += issues.div_ceil(BULK_CAP);
                }
                n
            }
            Minimum::IssueWorklogs { worklogs } => pages(*worklogs, WORKLOG_PAGE),
            Minimum::WorklogRange { from, to } => {
                let issues = data
                    .issues
                    .iter()
                    .filter(|i| {
                        data.worklogs_of(i)
                            .iter()
                            .any(|w| w.started >= *from && w.started < *to)
                    })
                    .count();
                let per_issue = pages(issues, ID_PAGE) + issues;
                per_issue.min(Minimum::BulkWorklogs { keys: true }.requests(data))
            }
            Minimum::Comments => {
                let overflowing = data
                    .issues
                    .iter()
                    .filter(|i| data.comments_of(i).len() > EMBEDDED_COMMENTS)
                    .count();
                pages(data.issues.len(), FIELD_PAGE) + overflowing
            }
            Minimum::Sum(a, b) => a.requests(data) + b.requests(data),
            Minimum::ListPages { items } => pages(*items, LIST_PAGE),
            Minimum::Batches { rows } => rows.div_ceil(GRAPH_BATCH),
            Minimum::Write {
                source,
                rows,
                per_row,
            } => source.requests(data) + rows * per_row,
        }
    }
}

/// A SQL timestamp literal, in UTC (the columns' zone).
fn sql_time(t: DateTime<FixedOffset>) -> String {
    t.with_timezone(&chrono::Utc)
        .format("%Y-%m-%d %H:%M:%S%.3f")
        .to_string()
}

/// One suite query.
#[derive(Debug, Clone)]
pub struct Case {
    pub name: &'static str,
    /// The table it needs; the case is skipped when this build does not have it.
    pub table: &'static str,
    pub sql: String,
    pub minimum: Minimum,
}

/// The suite for the site in `data`: literals (keys, dates, projects) are picked from it.
pub fn cases(data: &JiraData) -> Vec<Case> {
    let n = data.issues.len();
    let all = Minimum::Search {
        matches: n,
        ids_only: false,
    };
    let mut cases = Vec::new();
    let mut add = |name, table, sql: String, minimum| {
        cases.push(Case {
            name,
            table,
            sql,
            minimum,
        })
    };
    add(
        "Issues, 3 columns",
        "Issues",
        "SELECT Key, Summary, StatusName FROM Issues".into(),
        all.clone(),
    );
    add(
        "Issues, all columns",
        "Issues",
        "SELECT * FROM Issues".into(),
        all.clone(),
    );
    add(
        "count(*) Issues",
        "Issues",
        "SELECT count(*) FROM Issues".into(),
        Minimum::Search {
            matches: n,
            ids_only: true,
        },
    );
    if let Some(middle) = data.issues.get(n / 2) {
        add(
            "one key",
            "Issues",
            format!("SELECT * FROM Issues WHERE Key = '{}'", middle.key),
            Minimum::One,
        );
    }
    let keys: Vec<String> = data
        .issues
        .iter()
        .step_by((n / 10).max(1))
        .take(10)
        .map(|i| format!("'{}'", i.key))
        .collect();
    add(
        "key IN (10 keys)",
        "Issues",
        format!(
            "SELECT Key, Summary FROM Issues WHERE Key IN ({})",
            keys.join(", ")
        ),
        Minimum::Search {
            matches: keys.len(),
            ids_only: false,
        },
    );
    // Issues are created in id order: the second quarter of the site's history.
    if let (Some(project), Some(a), Some(b)) = (
        data.projects.first(),
        data.issues.get(n / 4),
        data.issues.get(n / 2),
    ) {
        let (from, to) = (a.created, b.created);
        let matches = data
            .issues
            .iter()
            .filter(|i| i.project_id == project.id && i.created >= from && i.created < to)
            .count();
        add(
            "project + created range",
            "Issues",
            format!(
                "SELECT Key, Summary, Created FROM Issues WHERE ProjectKey = '{}' \
                 AND Created >= '{}' AND Created < '{}'",
                project.key,
                sql_time(from),
                sql_time(to)
            ),
            Minimum::Search {
                matches,
                ids_only: false,
            },
        );
    }
    let worklogs_all = Minimum::BulkWorklogs { keys: true };
    add(
        "Worklogs, all",
        "Worklogs",
        "SELECT IssueKey, Started, TimeSpentSeconds FROM Worklogs".into(),
        worklogs_all,
    );
    if let Some(busiest) = data.issues.iter().max_by_key(|i| i.worklogs.len()) {
        add(
            "Worklogs of one issue",
            "Worklogs",
            format!("SELECT * FROM Worklogs WHERE IssueKey = '{}'", busiest.key),
            Minimum::IssueWorklogs {
                worklogs: busiest.worklogs.len(),
            },
        );
    }
    // One day in the middle of the worklog history.
    if let Some(w) = data.worklogs.get(data.worklogs.len() / 2) {
        let from = w.started;
        let to = from + chrono::Duration::days(1);
        add(
            "Worklogs, one day",
            "Worklogs",
            format!(
                "SELECT IssueKey, Started, TimeSpentSeconds FROM Worklogs \
                 WHERE Started >= '{}' AND Started < '{}'",
                sql_time(from),
                sql_time(to)
            ),
            Minimum::WorklogRange { from, to },
        );
    }
    add(
        "Comments, all",
        "Comments",
        "SELECT IssueKey, Created FROM Comments".into(),
        Minimum::Comments,
    );
    add(
        "Issues JOIN Worklogs",
        "Worklogs",
        "SELECT i.StatusName, sum(w.TimeSpentSeconds) AS spent FROM Issues i \
         JOIN Worklogs w ON w.IssueId = i.Id GROUP BY i.StatusName"
            .into(),
        Minimum::Sum(
            Box::new(all.clone()),
            Box::new(Minimum::BulkWorklogs { keys: false }),
        ),
    );
    add(
        "LIMIT 10",
        "Issues",
        "SELECT Key, Summary FROM Issues LIMIT 10".into(),
        Minimum::Search {
            matches: n.min(10),
            ids_only: false,
        },
    );
    add(
        "GROUP BY status",
        "Issues",
        "SELECT StatusName, count(*) FROM Issues GROUP BY StatusName".into(),
        all,
    );
    // Writes last, so the reads above see the generated site: the 1,000 issues created after
    // the first quarter of its history (issues are created in id order), found by one search.
    let first = n / 4;
    if let (Some(a), Some(b)) = (data.issues.get(first), data.issues.get(first + WRITE_ROWS)) {
        let (from, to) = (a.created, b.created);
        let rows = data
            .issues
            .iter()
            .filter(|i| i.created >= from && i.created < to)
            .count();
        let range = format!(
            "Created >= '{}' AND Created < '{}'",
            sql_time(from),
            sql_time(to)
        );
        let source = Box::new(Minimum::Search {
            matches: rows,
            ids_only: false,
        });
        add(
            "write: UPDATE 1,000 issues",
            "Issues",
            format!("UPDATE Issues SET Summary = Summary || ' (bench)' WHERE {range}"),
            Minimum::Write {
                source: source.clone(),
                rows,
                per_row: 2,
            },
        );
        add(
            "write: INSERT 1,000 worklogs",
            "Worklogs",
            format!(
                "INSERT INTO Worklogs (IssueKey, Started, TimeSpentSeconds, Comment) \
                 SELECT Key, Created, 60, 'bench' FROM Issues WHERE {range}"
            ),
            Minimum::Write {
                source,
                rows,
                per_row: 1,
            },
        );
    }
    cases
}

/// The statements on the SharePoint list `TimeLog` of `items` items, seeded by
/// [`list_item`].
pub fn list_cases(items: usize) -> Vec<Case> {
    if items == 0 {
        return Vec::new();
    }
    let key = items / 2;
    vec![
        Case {
            name: "list: one item by unique key",
            table: LIST,
            sql: format!("SELECT * FROM {LIST} WHERE WorklogId = {key}"),
            minimum: Minimum::One,
        },
        Case {
            name: "list: one issue's items (indexed)",
            table: LIST,
            sql: format!(
                "SELECT WorklogId, Seconds FROM {LIST} WHERE IssueKey = 'K-{}'",
                key % LIST_KEYS
            ),
            minimum: Minimum::One,
        },
        Case {
            name: "list: count(*), every item",
            table: LIST,
            sql: format!("SELECT count(*) FROM {LIST}"),
            minimum: Minimum::ListPages { items },
        },
    ]
    .into_iter()
    .chain(
        MERGE_CASES
            .into_iter()
            .filter(|(_, _, rows, _)| *rows <= items)
            .scan(items, |listed, (name, how, rows, from)| {
                // Each write reads the list whole, as the earlier ones left it.
                let read = Minimum::ListPages { items: *listed };
                let new = from >= items;
                let case = Case {
                    name,
                    table: LIST,
                    sql: how.sql(from, rows),
                    minimum: match new {
                        true => Minimum::Sum(Box::new(read), Box::new(Minimum::Batches { rows })),
                        false => read,
                    },
                };
                *listed += if new { rows } else { 0 };
                Some(case)
            }),
    )
    .collect()
}

/// How a write case matches its rows with the list's items.
#[derive(Debug, Clone, Copy)]
enum Upsert {
    Merge,
    /// `INSERT OR REPLACE`, by the list's unique `WorklogId`.
    Replace,
}

/// Writes of a generated source into the list: how memory grows with the source, when every
/// row is there and equal already (a sync job's re-run) and when every row is new (its first
/// run). `(name, how, rows, first WorklogId)`.
const MERGE_CASES: [(&str, Upsert, usize, usize); 9] = [
    (
        "list: MERGE 25 000 rows, unchanged",
        Upsert::Merge,
        25_000,
        0,
    ),
    (
        "list: MERGE 50 000 rows, unchanged",
        Upsert::Merge,
        50_000,
        0,
    ),
    (
        "list: MERGE 100 000 rows, unchanged",
        Upsert::Merge,
        100_000,
        0,
    ),
    (
        "list: INSERT OR REPLACE 25 000 rows, unchanged",
        Upsert::Replace,
        25_000,
        0,
    ),
    (
        "list: INSERT OR REPLACE 50 000 rows, unchanged",
        Upsert::Replace,
        50_000,
        0,
    ),
    (
        "list: INSERT OR REPLACE 100 000 rows, unchanged",
        Upsert::Replace,
        100_000,
        0,
    ),
    (
        "list: MERGE 25 000 rows, all new",
        Upsert::Merge,
        25_000,
        1_000_000,
    ),
    (
        "list: MERGE 50 000 rows, all new",
        Upsert::Merge,
        50_000,
        2_000_000,
    ),
    (
        "list: MERGE 100 000 rows, all new",
        Upsert::Merge,
        100_000,
        3_000_000,
    ),
];

impl Upsert {
    /// The write of `rows` generated rows shaped like [`list_item`]'s, WorklogIds from `from`.
    fn sql(self, from: usize, rows: usize) -> String {
        let source = format!(
            "SELECT value AS WorklogId, concat('K-', value % {LIST_KEYS}) AS IssueKey, \
             60 * (value % 480) AS Seconds FROM range({from}, {})",
            from + rows
        );
        match self {
            Upsert::Merge => format!(
                "MERGE INTO {LIST} AS t USING ({source}) AS s ON t.WorklogId = s.WorklogId \
                 WHEN MATCHED THEN UPDATE SET IssueKey = s.IssueKey, Seconds = s.Seconds \
                 WHEN NOT MATCHED THEN INSERT (WorklogId, IssueKey, Seconds) \
                 VALUES (s.WorklogId, s.IssueKey, s.Seconds)"
            ),
            Upsert::Replace => format!("INSERT OR REPLACE INTO {LIST} {source}"),
        }
    }
}

/// The list the list statements read.
pub const LIST: &str = "sharepoint.TimeLog";
/// Issue keys the seeded items share (each held by `items / LIST_KEYS` items).
const LIST_KEYS: usize = 5000;

/// The fields of seeded item `n`: a unique worklog id, one of `LIST_KEYS` issue keys.
pub fn list_item(n: usize) -> serde_json::Map<String, serde_json::Value> {
    let mut fields = serde_json::Map::new();
    fields.insert("WorklogId".into(), n.into());
    fields.insert("IssueKey".into(), format!("K-{}", n % LIST_KEYS).into());
    fields.insert("Seconds".into(), (60 * (n % 480)).into());
    fields
}

/// Rows each write case writes.
const WRITE_ROWS: usize = 1000;
