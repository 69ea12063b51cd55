//! Evaluating parsed JQL against the data set: field resolution, value validation with Jira's
//! messages, matching and ordering.
//!
//! Semantics follow Atlassian's documentation (reference §7):
//! * `NOT` is pushed down to the terminal clauses (`NOT a = x` ≡ `a != x`), so like `!=` and
//!   `NOT IN` it never matches an empty field.
//! * Multi-valued fields (labels, components, versions, sprints, worklog authors/dates) have
//!   "contains" semantics; names compare case-insensitively.
//! * Date-time comparisons truncate the stored instant to the minute; string literals are read
//!   in the searching user's zone, bare numbers are epoch milliseconds.
//! * Referencing an unknown project, status, key… is an error (Jira validates values).
//! * Text search (`~`) is an approximation of Lucene: lower-cased alphanumeric tokens, every
//!   term must occur, trailing `*`/`?` wildcards, `"phrases"`, stop words ignored, no stemming.

use std::cmp::Ordering;

use chrono::{
    DateTime, Datelike, Days, Duration, LocalResult, Months, NaiveDate, NaiveDateTime, NaiveTime,
    TimeZone, Utc,
};
use chrono_tz::Tz;

use super::adf;
use super::data::{Issue, JiraData};
use super::fields::{self, FieldDef};
use super::jql::{Clause, Direction, Field, JqlError, Operand, Operator, Query};

mod compile;
mod dates;
mod kinds;
mod predicates;
#[cfg(test)]
mod tests;
mod text;
pub(crate) use dates::parse_duration;
use dates::*;
use kinds::*;
use predicates::*;
use text::*;

/// Who is searching and when: `currentUser()`, the zone date literals are read in, `now()`.
#[derive(Debug, Clone)]
pub struct SearchContext {
    pub account_id: String,
    pub zone: Tz,
    pub now: DateTime<Utc>,
}

impl SearchContext {
    /// The emulator's own account, in its profile zone, at `now`.
    pub fn for_myself(data: &JiraData, now: DateTime<Utc>) -> Self {
        let me = data.myself();
        SearchContext {
            account_id: me.account_id.clone(),
            zone: me.time_zone.parse().unwrap_or(Tz::UTC),
            now,
        }
    }
}

/// Why a query cannot run: a parse error, or validation messages (all of them, as Jira
/// returns every problem at once).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SearchError {
    #[error("{0}")]
    Parse(#[from] JqlError),
    #[error("{}", .0.join("; "))]
    Invalid(Vec<String>),
}

impl SearchError {
    /// The messages for an `errorMessages` array.
    pub fn messages(&self) -> Vec<String> {
        match self {
            SearchError::Parse(e) => vec![e.message.clone()],
            SearchError::Invalid(m) => m.clone(),
        }
    }
}

/// Parse, validate and run a query: the indexes (into `data.issues`) of the matching issues in
/// result order.
pub fn search(data: &JiraData, jql: &str, ctx: &SearchContext) -> Result<Vec<usize>, SearchError> {
    let query = super::jql::parse(jql)?;
    let compiled = compile(&query, data, ctx)?;
    Ok(compiled.run(data))
}

type Test = Box<dyn Fn(&JiraData, &Issue) -> bool + Send + Sync>;

enum Pred {
    And(Vec<Pred>),
    Or(Vec<Pred>),
    Test(Test),
}

impl Pred {
    fn eval(&self, data: &JiraData, issue: &Issue) -> bool {
        match self {
            Pred::And(items) => items.iter().all(|p| p.eval(data, issue)),
            Pred::Or(items) => items.iter().any(|p| p.eval(data, issue)),
            Pred::Test(t) => t(data, issue),
        }
    }
}

type SortFn = Box<dyn Fn(&JiraData, &Issue) -> SortVal + Send + Sync>;

/// A validated query, ready to run.
pub struct CompiledQuery {
    pred: Option<Pred>,
    order: Vec<(SortFn, Direction)>,
}

impl std::fmt::Debug for CompiledQuery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CompiledQuery")
            .field("bounded", &self.pred.is_some())
            .field("order_fields", &self.order.len())
            .finish()
    }
}

impl CompiledQuery {
    /// Whether the query has a where-clause (Cloud's `search/jql` refuses unbounded ones).
    pub fn is_bounded(&self) -> bool {
        self.pred.is_some()
    }

    pub fn matches(&self, data: &JiraData, issue: &Issue) -> bool {
        self.pred.as_ref().is_none_or(|p| p.eval(data, issue))
    }

    /// Matching issue indexes in result order: the ORDER BY fields, then id ascending as the
    /// tie-break; without ORDER BY, newest first (id descending).
    pub fn run(&self, data: &JiraData) -> Vec<usize> {
        let hits: Vec<usize> = (0..data.issues.len())
            .filter(|&i| self.matches(data, &data.issues[i]))
            .collect();
        if self.order.is_empty() {
            return hits.into_iter().rev().collect();
        }
        let mut keyed: Vec<(Vec<SortVal>, usize)> = hits
            .into_iter()
            .map(|i| {
                let issue = &data.issues[i];
                (self.order.iter().map(|(f, _)| f(data, issue)).collect(), i)
            })
            .collect();
        keyed.sort_by(|(a, ia), (b, ib)| {
            for (k, (_, dir)) in self.order.iter().enumerate() {
                let o = a[k].cmp(&b[k]);
                let o = if *dir == Direction::Desc {
                    o.reverse()
                } else {
                    o
                };
                if o != Ordering::Equal {
                    return o;
                }
            }
            ia.cmp(ib)
        });
        keyed.into_iter().map(|(_, i)| i).collect()
    }
}

/// A sort key; empty values sort after everything (last ascending, first descending).
#[derive(Debug, Clone, PartialEq)]
enum SortVal {
    Int(i64),
    Float(f64),
    Str(String),
    Null,
}

impl Eq for SortVal {}

impl PartialOrd for SortVal {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for SortVal {
    fn cmp(&self, other: &Self) -> Ordering {
        use SortVal::*;
        match (self, other) {
            (Null, Null) => Ordering::Equal,
            (Null, _) => Ordering::Greater,
            (_, Null) => Ordering::Less,
            (Int(a), Int(b)) => a.cmp(b),
            (Float(a), Float(b)) => a.total_cmp(b),
            (Str(a), Str(b)) => a.cmp(b),
            // Mixed kinds never happen for one field; order them stably anyway.
            (Int(_), _) => Ordering::Less,
            (_, Int(_)) => Ordering::Greater,
            (Float(_), _) => Ordering::Less,
            (_, Float(_)) => Ordering::Greater,
        }
    }
}

/// Compile a parsed query against the data: resolve fields and values, collecting every
/// validation error.
pub fn compile(
    query: &Query,
    data: &JiraData,
    ctx: &SearchContext,
) -> Result<CompiledQuery, SearchError> {
    let mut c = Compiler {
        data,
        ctx,
        errors: Vec::new(),
    };
    let pred = query.clause.as_ref().map(|cl| c.clause(cl, false));
    let mut order = Vec::new();
    for item in &query.order_by {
        if let Some(f) = c.sort_key(&item.field) {
            order.push((f, item.direction.unwrap_or(default_direction(&item.field))));
        }
    }
    if c.errors.is_empty() {
        Ok(CompiledQuery { pred, order })
    } else {
        Err(SearchError::Invalid(c.errors))
    }
}

/// Jira sorts created/updated/resolved newest first unless told otherwise (their fields'
/// default sort order); everything else ascending.
fn default_direction(field: &Field) -> Direction {
    match resolve(field) {
        Some(Kind::DateTime(_)) => Direction::Desc,
        _ => Direction::Asc,
    }
}
