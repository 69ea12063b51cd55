//! The access plan: which endpoints a scan calls, decided from the projection, the filters
//! Jira can take, and the limit. Pure, so EXPLAIN shows exactly what will run.

use std::collections::BTreeSet;
use std::fmt;

use datafusion::logical_expr::Expr;

use super::pushdown::{self, Value};
use crate::jira::jql::Query;
use crate::jira::tables::{ColumnDef, TableDef};

/// Most issues a `worklogDate` search may find for the per-issue worklog path to be used;
/// beyond it the bulk endpoints are cheaper.
pub const PER_ISSUE_MAX: usize = 100;

/// An issue named by a filter.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum IssueRef {
    Key(String),
    Id(i64),
}

impl fmt::Display for IssueRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IssueRef::Key(k) => f.write_str(k),
            IssueRef::Id(id) => write!(f, "{id}"),
        }
    }
}

/// A parent named by a filter: a project key or a board id.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum ParentRef {
    Text(String),
    Int(i64),
}

impl fmt::Display for ParentRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParentRef::Text(s) => f.write_str(s),
            ParentRef::Int(n) => write!(f, "{n}"),
        }
    }
}

/// Inclusive epoch-ms bounds on a worklog's start.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Bounds {
    pub after: Option<i64>,
    pub before: Option<i64>,
}

impl Bounds {
    pub(super) fn narrow(&mut self, after: Option<i64>, before: Option<i64>) {
        if let Some(a) = after {
            self.after = Some(self.after.map_or(a, |x| x.max(a)));
        }
        if let Some(b) = before {
            self.before = Some(self.before.map_or(b, |x| x.min(b)));
        }
    }

    pub(super) fn is_set(&self) -> bool {
        self.after.is_some() || self.before.is_some()
    }
}

/// What a scan will do.
#[derive(Debug, Clone, PartialEq)]
pub enum AccessPlan {
    /// `GET issue/{key}`: one issue.
    GetIssue {
        issue: IssueRef,
        fields: Vec<&'static str>,
    },
    /// `search/jql`, page by page.
    Search {
        query: Query,
        fields: Vec<&'static str>,
        limit: Option<usize>,
    },
    /// Each named issue's children endpoint.
    ChildrenOf {
        issues: Vec<IssueRef>,
        started: Bounds,
        limit: Option<usize>,
    },
    /// Issues chosen by JQL (`worklogDate`), then their children one issue at a time when few,
    /// otherwise the bulk endpoints.
    ChildrenByJql {
        query: Query,
        started: Bounds,
        limit: Option<usize>,
        issue_keys: bool,
    },
    /// One listing endpoint of the whole site; a feed of changes from `since` (epoch ms).
    List {
        since: Option<i64>,
        limit: Option<usize>,
    },
    /// A per-parent endpoint for the parents a filter names, or (`None`) for every parent.
    PerParent {
        parents: Option<Vec<ParentRef>>,
        limit: Option<usize>,
    },
    /// One issue's items (comments, links): its own item endpoint, or `GET issue/{key}` with
    /// `fields` and the items embedded in it.
    ItemsOfIssue {
        issue: IssueRef,
        fields: Vec<&'static str>,
        limit: Option<usize>,
    },
    /// Items by their own ids (`comment/list`), whatever their issue.
    ItemsByIds { ids: Vec<i64>, limit: Option<usize> },
    /// The items of the issues `query` finds: embedded in the search (`fields`), or through the
    /// table's bulk endpoint.
    ItemsBySearch {
        query: Query,
        fields: Vec<&'static str>,
        /// Values the bulk endpoint filters its items on (none: every item).
        only: Vec<String>,
        limit: Option<usize>,
    },
    /// The bulk endpoints: ids changed since `since` (or the `ids` a filter names), then the
    /// items by id.
    ChildrenBulk {
        since: Option<i64>,
        ids: Option<Vec<i64>>,
        limit: Option<usize>,
        /// Whether the parent issues' keys are needed (IssueKey projected).
        issue_keys: bool,
    },
}

impl AccessPlan {
    /// Chooses the plan for `table`, given the projected column indexes, the filters DataFusion
    /// passed down (those it was told are Exact or Inexact) and the limit.
    pub fn choose(
        table: &'static TableDef,
        projection: &[usize],
        filters: &[Expr],
        limit: Option<usize>,
    ) -> AccessPlan {
        let columns: Vec<&ColumnDef> = projection.iter().map(|&i| &table.columns[i]).collect();
        super::access::shape(table).plan(&columns, filters, limit)
    }

    /// The plan as EXPLAIN shows it: endpoints named in full.
    pub fn describe(&self, table: &'static TableDef) -> String {
        super::access::shape(table).describe(self)
    }
}

pub(super) fn requested_fields(columns: &[&ColumnDef]) -> Vec<&'static str> {
    let set: BTreeSet<&'static str> = columns
        .iter()
        .flat_map(|c| c.fields.iter().copied())
        .collect();
    set.into_iter().collect()
}

/// Whether `s` is a well-formed issue key, safe to put in a URL path.
pub fn is_issue_key(s: &str) -> bool {
    let Some((project, number)) = s.rsplit_once('-') else {
        return false;
    };
    let mut p = project.chars();
    p.next().is_some_and(|c| c.is_ascii_uppercase())
        && p.all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
        && !number.is_empty()
        && number.chars().all(|c| c.is_ascii_digit())
}

/// The issue a filter names by one key (upper case, as Jira matches keys ignoring case) or id.
fn single_issue(table: &TableDef, filter: &Expr) -> Option<IssueRef> {
    let (col, values) = pushdown::equalities(table, filter)?;
    match (col.filter.map(|f| f.jql), values.as_slice()) {
        (Some("key"), [Value::Text(k)]) if is_issue_key(k) => Some(IssueRef::Key(k.clone())),
        (Some("id"), [Value::Int(id)]) => Some(IssueRef::Id(*id)),
        _ => None,
    }
}

/// The one issue the filters name, when that is all Jira must be told; otherwise the JQL they
/// push down.
pub(super) fn one_issue_or_query(table: &TableDef, filters: &[Expr]) -> Result<IssueRef, Query> {
    let pushed: Vec<_> = filters
        .iter()
        .map(|f| pushdown::classify(table, f))
        .collect();
    // A direct read answers the key condition alone, so every other exact condition (which
    // DataFusion will not check again) must be absent.
    for (i, f) in filters.iter().enumerate() {
        let others_exact = pushed
            .iter()
            .enumerate()
            .any(|(j, p)| j != i && p.as_ref().is_some_and(|p| p.exact));
        if let (Some(issue), false) = (single_issue(table, f), others_exact) {
            return Ok(issue);
        }
    }
    Err(Query {
        clauses: pushed.into_iter().flatten().map(|p| p.clause).collect(),
    })
}

/// The ids of the items a filter names (`Id = 10042`, `Id IN (...)`): read by id in bulk
/// instead of listing every item.
pub fn item_ids(table: &TableDef, filter: &Expr) -> Option<Vec<i64>> {
    let (col, values) = pushdown::equalities(table, filter)?;
    if !col.key {
        return None;
    }
    let ids: Option<Vec<i64>> = values
        .into_iter()
        .map(|v| match v {
            Value::Int(id) => Some(id),
            _ => None,
        })
        .collect();
    // Ids start at 1: Jira refuses the whole call for a smaller one, which no item has.
    ids.map(|ids| ids.into_iter().filter(|&id| id > 0).collect())
}

fn list<T: fmt::Display>(items: &[T]) -> String {
    items.iter().map(T::to_string).collect::<Vec<_>>().join(",")
}

pub(super) fn fields_text(fields: &[&str]) -> String {
    if fields.is_empty() {
        "id".to_string()
    } else {
        list(fields)
    }
}

impl fmt::Display for AccessPlan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let limit = |l: &Option<usize>| l.map(|n| format!(" limit={n}")).unwrap_or_default();
        let bounds = |b: &Bounds| {
            let mut s = String::new();
            if let Some(a) = b.after {
                s.push_str(&format!(" startedAfter={a}"));
            }
            if let Some(x) = b.before {
                s.push_str(&format!(" startedBefore={x}"));
            }
            s
        };
        match self {
            AccessPlan::GetIssue { issue, fields } => {
                write!(f, "GET issue/{issue} fields={}", fields_text(fields))
            }
            AccessPlan::Search {
                query,
                fields,
                limit: l,
            } => write!(
                f,
                "search/jql jql={:?} fields={}{}",
                query.to_jql(),
                fields_text(fields),
                limit(l)
            ),
            AccessPlan::ChildrenOf {
                issues,
                started,
                limit: l,
            } => write!(
                f,
                "GET issue/{{key}}/worklog for {}{}{}",
                list(issues),
                bounds(started),
                limit(l)
            ),
            AccessPlan::ChildrenByJql {
                query,
                started,
                limit: l,
                ..
            } => write!(
                f,
                "search/jql jql={:?} fields=id, then GET issue/{{key}}/worklog per issue{} when at most {PER_ISSUE_MAX} issues match, else worklog/updated + worklog/list{}",
                query.to_jql(),
                bounds(started),
                limit(l)
            ),
            AccessPlan::ItemsOfIssue {
                issue,
                fields,
                limit: l,
            } => write!(
                f,
                "the items of issue {issue} fields={}{}",
                fields_text(fields),
                limit(l)
            ),
            AccessPlan::ItemsBySearch {
                query,
                fields,
                only,
                limit: l,
            } => write!(
                f,
                "search/jql jql={:?} fields={}{}{}",
                query.to_jql(),
                fields_text(fields),
                if only.is_empty() {
                    String::new()
                } else {
                    format!(" only={}", list(only))
                },
                limit(l)
            ),
            AccessPlan::ItemsByIds { ids, limit: l } => write!(
                f,
                "its items by id {} (+ search/jql for issue keys when read){}",
                list(ids),
                limit(l)
            ),
            AccessPlan::List { since, limit: l } => write!(
                f,
                "its listing endpoint{}{}",
                since.map(|s| format!(" since={s}")).unwrap_or_default(),
                limit(l)
            ),
            AccessPlan::PerParent { parents, limit: l } => write!(
                f,
                "its per-parent endpoint for {}{}",
                parents.as_deref().map_or("every parent".to_string(), list),
                limit(l)
            ),
            AccessPlan::ChildrenBulk {
                since,
                ids,
                limit: l,
                issue_keys,
            } => write!(
                f,
                "{} + POST worklog/list (1000 ids a call){}{}",
                match ids {
                    Some(ids) => format!("ids {}", list(ids)),
                    None => format!("GET worklog/updated since={}", since.unwrap_or(0)),
                },
                if *issue_keys {
                    " + search/jql for issue keys (1000 ids a call)"
                } else {
                    ""
                },
                limit(l)
            ),
        }
    }
}

impl AccessPlan {
    /// The row limit the plan stops at, if any.
    pub fn limit(&self) -> Option<usize> {
        match self {
            AccessPlan::GetIssue { .. } => None,
            AccessPlan::Search { limit, .. }
            | AccessPlan::ChildrenOf { limit, .. }
            | AccessPlan::ChildrenByJql { limit, .. }
            | AccessPlan::List { limit, .. }
            | AccessPlan::PerParent { limit, .. }
            | AccessPlan::ItemsOfIssue { limit, .. }
            | AccessPlan::ItemsByIds { limit, .. }
            | AccessPlan::ItemsBySearch { limit, .. }
            | AccessPlan::ChildrenBulk { limit, .. } => *limit,
        }
    }

    /// The same plan stopping after `limit` rows (the tighter of both limits).
    pub fn with_limit(mut self, new: Option<usize>) -> Self {
        if let AccessPlan::Search { limit, .. }
        | AccessPlan::ChildrenOf { limit, .. }
        | AccessPlan::ChildrenByJql { limit, .. }
        | AccessPlan::List { limit, .. }
        | AccessPlan::PerParent { limit, .. }
        | AccessPlan::ItemsOfIssue { limit, .. }
        | AccessPlan::ItemsByIds { limit, .. }
        | AccessPlan::ItemsBySearch { limit, .. }
        | AccessPlan::ChildrenBulk { limit, .. } = &mut self
        {
            *limit = match (*limit, new) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jira::tables::{ISSUES, WORKLOGS};
    use datafusion::common::Column;
    use datafusion::prelude::lit;

    /// A column keeping its case (`datafusion::prelude::col` would parse and lower-case it).
    fn col(name: &str) -> Expr {
        Expr::Column(Column::new_unqualified(name))
    }

    fn idx(t: &TableDef, names: &[&str]) -> Vec<usize> {
        names.iter().map(|n| t.column_index(n).unwrap()).collect()
    }

    #[test]
    fn key_equality_alone_is_a_direct_get() {
        let p = AccessPlan::choose(
            &ISSUES,
            &idx(&ISSUES, &["Key", "Summary"]),
            &[col("Key").eq(lit("DEMO-7"))],
            None,
        );
        assert_eq!(p.to_string(), "GET issue/DEMO-7 fields=summary");
        // An inexact condition beside it is fine: DataFusion checks it again.
        let p = AccessPlan::choose(
            &ISSUES,
            &[],
            &[
                col("Key").eq(lit("DEMO-7")),
                col("StatusName").eq(lit("Done")),
            ],
            None,
        );
        assert!(matches!(p, AccessPlan::GetIssue { .. }));
        // An exact one is not: it must go to Jira.
        let p = AccessPlan::choose(
            &ISSUES,
            &[],
            &[
                col("Key").eq(lit("DEMO-7")),
                col("ProjectKey").eq(lit("OPS")),
            ],
            None,
        );
        assert_eq!(
            p.to_string(),
            r#"search/jql jql="key = \"DEMO-7\" AND project = \"OPS\"" fields=id"#
        );
    }

    #[test]
    fn projection_and_limit_reach_the_search() {
        let p = AccessPlan::choose(
            &ISSUES,
            &idx(&ISSUES, &["Key", "StatusName", "StatusCategory", "Created"]),
            &[col("ProjectKey").eq(lit("DEMO"))],
            Some(5),
        );
        assert_eq!(
            p.to_string(),
            r#"search/jql jql="project = \"DEMO\"" fields=created,status limit=5"#
        );
    }

    #[test]
    fn worklog_paths() {
        let p = AccessPlan::choose(
            &WORKLOGS,
            &[],
            &[col("IssueKey").in_list(vec![lit("B-2"), lit("A-1"), lit("A-1")], false)],
            None,
        );
        assert_eq!(p.to_string(), "GET issue/{key}/worklog for A-1,B-2");
        let p = AccessPlan::choose(&WORKLOGS, &idx(&WORKLOGS, &["IssueKey"]), &[], None);
        assert!(matches!(
            p,
            AccessPlan::ChildrenBulk {
                since: None,
                issue_keys: true,
                ..
            }
        ));
        let p = AccessPlan::choose(
            &WORKLOGS,
            &idx(&WORKLOGS, &["Id"]),
            &[col("IssueKey").eq(lit("a-1"))],
            None,
        );
        assert!(matches!(
            p,
            AccessPlan::ChildrenBulk {
                issue_keys: false,
                ..
            }
        ));
        let p = AccessPlan::choose(
            &WORKLOGS,
            &idx(&WORKLOGS, &["IssueKey"]),
            &[col("Id").in_list(vec![lit(7i64), lit(3i64)], false)],
            None,
        );
        assert_eq!(
            p.to_string(),
            "ids 3,7 + POST worklog/list (1000 ids a call) + search/jql for issue keys (1000 ids a call)"
        );
    }

    #[test]
    fn issue_item_paths() {
        use crate::jira::tables::{COMMENTS, ISSUE_CHANGELOGS};
        // One upper-case key alone: that issue's own endpoint.
        let p = AccessPlan::choose(
            &COMMENTS,
            &idx(&COMMENTS, &["Id"]),
            &[col("IssueKey").eq(lit("DEMO-7"))],
            None,
        );
        assert_eq!(
            p.describe(&COMMENTS),
            "GET issue/{parent}/comment (100 a page) for DEMO-7"
        );
        // Several issues, or raw JQL beside the key: one search embedding the comments.
        let p = AccessPlan::choose(
            &COMMENTS,
            &idx(&COMMENTS, &["Id"]),
            &[col("IssueKey").in_list(vec![lit("A-1"), lit("B-2")], false)],
            Some(10),
        );
        assert_eq!(
            p.to_string(),
            r#"search/jql jql="key in (\"A-1\", \"B-2\")" fields=comment limit=10"#
        );
        let p = AccessPlan::choose(
            &COMMENTS,
            &[],
            &[
                col("IssueKey").eq(lit("DEMO-7")),
                col("JQL").eq(lit("status = Done")),
            ],
            None,
        );
        assert!(matches!(p, AccessPlan::ItemsBySearch { .. }), "{p}");
        // Change histories in bulk: the search asks for ids only.
        let p = AccessPlan::choose(
            &ISSUE_CHANGELOGS,
            &idx(&ISSUE_CHANGELOGS, &["Field"]),
            &[],
            None,
        );
        assert_eq!(
            p.describe(&ISSUE_CHANGELOGS),
            r#"search/jql jql="project is not EMPTY" fields=id, then POST changelog/bulkfetch (1000 issues a call, 10000 items a page)"#
        );
    }

    #[test]
    fn issue_keys_are_recognised() {
        assert!(is_issue_key("DEMO-7"));
        assert!(is_issue_key("A2_B-10"));
        assert!(!is_issue_key("demo-7"));
        assert!(!is_issue_key("DEMO-"));
        assert!(!is_issue_key("DE/MO-1"));
        assert!(!is_issue_key("7-DEMO"));
    }
}
