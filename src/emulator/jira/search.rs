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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum UserField {
    Assignee,
    Reporter,
    Creator,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TextField {
    Summary,
    Description,
    Environment,
    Comment,
    WorklogComment,
    ReleaseNotes,
    All,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DateTimeField {
    Created,
    Updated,
    Resolved,
    LastViewed,
    Deployed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DateField {
    Due,
    Target,
}

/// What a JQL field name designates, for matching purposes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Project,
    Key,
    IssueType,
    Status,
    StatusCategory,
    Priority,
    Resolution,
    User(UserField),
    WorklogAuthor,
    Text(TextField),
    Labels,
    Component,
    FixVersion,
    AffectedVersion,
    Parent,
    DateTime(DateTimeField),
    WorklogDate,
    Date(DateField),
    StoryPoints,
    TimeSpent,
    Sprint,
    Team,
}

fn resolve(field: &Field) -> Option<Kind> {
    let def: &FieldDef = match field {
        Field::CustomId(id) => fields::by_custom_id(*id)?,
        Field::Name(name) => {
            // JQL-only clause names that are not fields of their own.
            let pseudo = match name.to_ascii_lowercase().as_str() {
                "text" => Some(Kind::Text(TextField::All)),
                "worklogcomment" => Some(Kind::Text(TextField::WorklogComment)),
                "worklogdate" => Some(Kind::WorklogDate),
                "worklogauthor" => Some(Kind::WorklogAuthor),
                _ => None,
            };
            if pseudo.is_some() {
                return pseudo;
            }
            fields::by_clause_name(name)?
        }
    };
    Some(match def.id {
        "issuekey" => Kind::Key,
        "summary" => Kind::Text(TextField::Summary),
        "description" => Kind::Text(TextField::Description),
        "environment" => Kind::Text(TextField::Environment),
        "comment" => Kind::Text(TextField::Comment),
        "project" => Kind::Project,
        "issuetype" => Kind::IssueType,
        "status" => Kind::Status,
        "statusCategory" => Kind::StatusCategory,
        "priority" => Kind::Priority,
        "resolution" => Kind::Resolution,
        "assignee" => Kind::User(UserField::Assignee),
        "reporter" => Kind::User(UserField::Reporter),
        "creator" => Kind::User(UserField::Creator),
        "labels" => Kind::Labels,
        "components" => Kind::Component,
        "fixVersions" => Kind::FixVersion,
        "versions" => Kind::AffectedVersion,
        "parent" => Kind::Parent,
        "created" => Kind::DateTime(DateTimeField::Created),
        "updated" => Kind::DateTime(DateTimeField::Updated),
        "resolutiondate" => Kind::DateTime(DateTimeField::Resolved),
        "lastViewed" => Kind::DateTime(DateTimeField::LastViewed),
        "duedate" => Kind::Date(DateField::Due),
        "timespent" => Kind::TimeSpent,
        fields::STORY_POINTS => Kind::StoryPoints,
        fields::SPRINT => Kind::Sprint,
        fields::TEAM => Kind::Team,
        fields::TARGET_DATE => Kind::Date(DateField::Target),
        fields::DEPLOYED_AT => Kind::DateTime(DateTimeField::Deployed),
        fields::RELEASE_NOTES => Kind::Text(TextField::ReleaseNotes),
        _ => return None,
    })
}

/// Operators each kind accepts (reference §7.3).
fn supports(kind: Kind, op: Operator) -> bool {
    use Operator::*;
    let eq = matches!(op, Eq | NotEq | In | NotIn);
    let is = matches!(op, Is | IsNot);
    let cmp = matches!(op, Lt | Le | Gt | Ge);
    let like = matches!(op, Like | NotLike);
    match kind {
        Kind::Text(TextField::All) => op == Like,
        Kind::Text(
            TextField::Summary
            | TextField::Description
            | TextField::Environment
            | TextField::ReleaseNotes,
        ) => like || is,
        Kind::Text(TextField::Comment | TextField::WorklogComment) => like,
        Kind::DateTime(_) | Kind::Date(_) | Kind::Key | Kind::Priority | Kind::Resolution => {
            eq || is || cmp
        }
        Kind::StoryPoints | Kind::TimeSpent => eq || is || cmp,
        Kind::WorklogDate => eq || cmp,
        Kind::StatusCategory | Kind::Parent => eq,
        Kind::FixVersion | Kind::AffectedVersion => eq || is || cmp || like,
        Kind::Project
        | Kind::Status
        | Kind::IssueType
        | Kind::User(_)
        | Kind::WorklogAuthor
        | Kind::Component
        | Kind::Labels
        | Kind::Sprint
        | Kind::Team => eq || is,
    }
}

fn negate(op: Operator) -> Operator {
    use Operator::*;
    match op {
        Eq => NotEq,
        NotEq => Eq,
        Lt => Ge,
        Le => Gt,
        Gt => Le,
        Ge => Lt,
        In => NotIn,
        NotIn => In,
        Like => NotLike,
        NotLike => Like,
        Is => IsNot,
        IsNot => Is,
    }
}

/// One value of an operand after functions are expanded.
#[derive(Debug, Clone)]
enum Atom {
    Str(String),
    Num(i64),
}

impl Atom {
    fn text(&self) -> String {
        match self {
            Atom::Str(s) => s.clone(),
            Atom::Num(n) => n.to_string(),
        }
    }
}

/// How a terminal compares: membership (`=`, `!=`, `IN`, `NOT IN`), emptiness, or an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// `=`/`IN`: some value is a member (or the field is empty and EMPTY was listed).
    Any,
    /// `!=`/`NOT IN`: the field has values and none is a member.
    NoneOf,
    IsEmpty,
    NotEmpty,
    Cmp(Operator),
    Like,
    NotLike,
}

struct Compiler<'a> {
    data: &'a JiraData,
    ctx: &'a SearchContext,
    errors: Vec<String>,
}

/// Membership test shared by every set-like field.
fn set_test<T: PartialEq>(values: &[T], members: &[T], has_empty: bool, mode: Mode) -> bool {
    match mode {
        Mode::Any => (values.is_empty() && has_empty) || values.iter().any(|v| members.contains(v)),
        Mode::NoneOf => !values.is_empty() && !values.iter().any(|v| members.contains(v)),
        Mode::IsEmpty => values.is_empty(),
        Mode::NotEmpty => !values.is_empty(),
        _ => false,
    }
}

fn cmp_holds(op: Operator, o: Ordering) -> bool {
    match op {
        Operator::Lt => o == Ordering::Less,
        Operator::Le => o != Ordering::Greater,
        Operator::Gt => o == Ordering::Greater,
        Operator::Ge => o != Ordering::Less,
        Operator::Eq => o == Ordering::Equal,
        Operator::NotEq => o != Ordering::Equal,
        _ => false,
    }
}

fn minute(ms: i64) -> i64 {
    ms.div_euclid(60_000) * 60_000
}

impl Compiler<'_> {
    fn clause(&mut self, clause: &Clause, negated: bool) -> Pred {
        match clause {
            Clause::And(items) | Clause::Or(items) => {
                let preds = items.iter().map(|c| self.clause(c, negated)).collect();
                // De Morgan: under NOT, AND becomes OR and vice versa.
                if matches!(clause, Clause::And(_)) != negated {
                    Pred::And(preds)
                } else {
                    Pred::Or(preds)
                }
            }
            Clause::Not(inner) => self.clause(inner, !negated),
            Clause::Terminal { field, op, operand } => self
                .terminal(field, *op, operand, negated)
                .unwrap_or_else(|| Pred::Test(Box::new(|_, _| false))),
        }
    }

    fn error(&mut self, msg: String) -> Option<Pred> {
        self.errors.push(msg);
        None
    }

    fn terminal(
        &mut self,
        field: &Field,
        op: Operator,
        operand: &Operand,
        negated: bool,
    ) -> Option<Pred> {
        let name = field.to_string();
        let Some(kind) = resolve(field) else {
            return self.error(format!(
                "Field '{name}' does not exist or you do not have permission to view it."
            ));
        };
        // Operand shape against operator: Jira checks this before operator support
        // (`summary in test` complains about the non-list value).
        match (op, operand) {
            (Operator::In | Operator::NotIn, Operand::List(_) | Operand::Function { .. }) => {}
            (Operator::In | Operator::NotIn, other) => {
                return self.error(format!(
                    "Operator '{op}' does not support the non-list value '{other}' for field '{name}'."
                ));
            }
            (_, Operand::List(_)) => {
                return self.error(format!(
                    "Operator '{op}' does not support the list value '{operand}' for field '{name}'."
                ));
            }
            (Operator::Is | Operator::IsNot, Operand::Empty) => {}
            (Operator::Is | Operator::IsNot, other) => {
                return self.error(format!(
                    "The operator '{op}' only supports the value 'EMPTY' for field '{name}'; got '{other}'."
                ));
            }
            _ => {}
        }
        if !supports(kind, op) {
            return self.error(format!(
                "The operator '{op}' is not supported by the '{name}' field."
            ));
        }
        let op = if negated { negate(op) } else { op };
        // `= EMPTY` and `!= EMPTY` are IS and IS NOT.
        let mode = match (op, operand) {
            (Operator::Eq | Operator::Is, Operand::Empty) => Mode::IsEmpty,
            (Operator::NotEq | Operator::IsNot, Operand::Empty) => Mode::NotEmpty,
            (Operator::Eq | Operator::In, _) => Mode::Any,
            (Operator::NotEq | Operator::NotIn, _) => Mode::NoneOf,
            (Operator::Like, _) => Mode::Like,
            (Operator::NotLike, _) => Mode::NotLike,
            (o, _) => Mode::Cmp(o),
        };
        let (atoms, has_empty) = self.atoms(kind, &name, operand)?;
        match kind {
            Kind::Text(t) => self.text(t, &name, mode, &atoms),
            Kind::DateTime(_) | Kind::WorklogDate => {
                self.date_time(kind, &name, mode, &atoms, has_empty)
            }
            Kind::Date(d) => self.date(d, &name, mode, &atoms, has_empty),
            Kind::StoryPoints => self.number(&name, mode, &atoms, has_empty),
            Kind::TimeSpent => self.time_spent(&name, mode, &atoms, has_empty),
            Kind::User(_) | Kind::WorklogAuthor => self.user(kind, &name, mode, &atoms, has_empty),
            Kind::Labels => {
                let members: Vec<String> = atoms.iter().map(|a| a.text().to_lowercase()).collect();
                Some(Pred::Test(Box::new(move |_, i| {
                    let values: Vec<String> = i.labels.iter().map(|l| l.to_lowercase()).collect();
                    set_test(&values, &members, has_empty, mode)
                })))
            }
            _ => self.ids(kind, &name, mode, &atoms, has_empty),
        }
    }

    /// Flatten an operand into atoms, expanding functions. Returns None after recording an
    /// error.
    fn atoms(&mut self, kind: Kind, name: &str, operand: &Operand) -> Option<(Vec<Atom>, bool)> {
        let mut atoms = Vec::new();
        let mut has_empty = false;
        let items: Vec<&Operand> = match operand {
            Operand::List(items) => items.iter().collect(),
            other => vec![other],
        };
        for item in items {
            match item {
                Operand::String(s) => atoms.push(Atom::Str(s.clone())),
                Operand::Number(n) => atoms.push(Atom::Num(*n)),
                Operand::Empty => has_empty = true,
                Operand::List(_) => {}
                Operand::Function { name: f, args } => {
                    atoms.extend(self.function(kind, name, f, args)?);
                }
            }
        }
        Some((atoms, has_empty))
    }

    fn function(&mut self, kind: Kind, field: &str, f: &str, args: &[String]) -> Option<Vec<Atom>> {
        let lower = f.to_ascii_lowercase();
        let arity = |max: usize, errors: &mut Vec<String>| {
            if args.len() > max {
                errors.push(format!(
                    "Function '{f}' expected between '0' and '{max}' arguments but got '{}'.",
                    args.len()
                ));
                false
            } else {
                true
            }
        };
        let wrong_field =
            format!("A value provided by the function '{f}' is invalid for the field '{field}'.");
        let date_kind = matches!(kind, Kind::DateTime(_) | Kind::WorklogDate | Kind::Date(_));
        match lower.as_str() {
            "currentuser" => {
                if !arity(0, &mut self.errors) {
                    return None;
                }
                if !matches!(kind, Kind::User(_) | Kind::WorklogAuthor) {
                    self.errors.push(wrong_field);
                    return None;
                }
                Some(vec![Atom::Str(self.ctx.account_id.clone())])
            }
            "now" | "startofday" | "endofday" | "startofweek" | "endofweek" | "startofmonth"
            | "endofmonth" | "startofyear" | "endofyear" => {
                if !arity(if lower == "now" { 0 } else { 1 }, &mut self.errors) {
                    return None;
                }
                if !date_kind {
                    self.errors.push(wrong_field);
                    return None;
                }
                match date_function(&lower, args.first().map(String::as_str), self.ctx) {
                    Some(ms) => Some(vec![Atom::Num(ms)]),
                    None => {
                        self.errors.push(format!(
                            "Function '{f}' cannot use the increment '{}'.",
                            args.join(", ")
                        ));
                        None
                    }
                }
            }
            "opensprints" | "closedsprints" | "futuresprints" => {
                if !arity(0, &mut self.errors) {
                    return None;
                }
                if kind != Kind::Sprint {
                    self.errors.push(wrong_field);
                    return None;
                }
                let states: &[&str] = match lower.as_str() {
                    "opensprints" => &["active", "future"],
                    "closedsprints" => &["closed"],
                    _ => &["future"],
                };
                Some(
                    self.data
                        .sprints
                        .iter()
                        .filter(|s| states.contains(&s.state.as_str()))
                        .map(|s| Atom::Num(s.id as i64))
                        .collect(),
                )
            }
            "releasedversions" | "unreleasedversions" => {
                if !matches!(kind, Kind::FixVersion | Kind::AffectedVersion) {
                    self.errors.push(wrong_field);
                    return None;
                }
                let released = lower == "releasedversions";
                let projects: Vec<u64> = args
                    .iter()
                    .filter_map(|a| self.project_ids(&Atom::Str(a.clone())).first().copied())
                    .collect();
                Some(
                    self.data
                        .versions
                        .iter()
                        .filter(|v| v.released == released)
                        .filter(|v| projects.is_empty() || projects.contains(&v.project_id))
                        .map(|v| Atom::Num(v.id as i64))
                        .collect(),
                )
            }
            "standardissuetypes" | "subtaskissuetypes" => {
                if kind != Kind::IssueType {
                    self.errors.push(wrong_field);
                    return None;
                }
                let sub = lower == "subtaskissuetypes";
                Some(
                    self.data
                        .issue_types
                        .iter()
                        .filter(|t| t.subtask == sub)
                        .map(|t| Atom::Num(t.id as i64))
                        .collect(),
                )
            }
            _ => {
                self.errors
                    .push(format!("Unable to find JQL function '{f}()'."));
                None
            }
        }
    }

    fn project_ids(&self, atom: &Atom) -> Vec<u64> {
        let d = self.data;
        match atom {
            Atom::Num(n) => d
                .projects
                .iter()
                .filter(|p| p.id as i64 == *n)
                .map(|p| p.id)
                .collect(),
            Atom::Str(s) => d
                .projects
                .iter()
                .filter(|p| {
                    p.key.eq_ignore_ascii_case(s)
                        || p.name.to_lowercase() == s.to_lowercase()
                        || p.id.to_string() == *s
                })
                .map(|p| p.id)
                .collect(),
        }
    }

    /// Resolve one atom of an id-valued field; an empty result is "does not exist".
    fn resolve_ids(&self, kind: Kind, atom: &Atom) -> Vec<u64> {
        let d = self.data;
        let text = atom.text();
        let lower = text.to_lowercase();
        let by = |id: u64, name: &str| id.to_string() == text || name.to_lowercase() == lower;
        match kind {
            Kind::Project => self.project_ids(atom),
            Kind::IssueType => {
                ids_named(d.issue_types.iter().map(|t| (t.id, t.name.as_str())), &by)
            }
            Kind::Status => ids_named(d.statuses.iter().map(|s| (s.id, s.name.as_str())), &by),
            Kind::StatusCategory => {
                let cats: Vec<u64> = d
                    .status_categories
                    .iter()
                    .filter(|c| by(c.id, &c.name) || c.key.to_lowercase() == lower)
                    .map(|c| c.id)
                    .collect();
                // Matched through the status: a category stands for its statuses.
                d.statuses
                    .iter()
                    .filter(|s| cats.contains(&s.category_id))
                    .map(|s| s.id)
                    .collect()
            }
            Kind::Priority => ids_named(d.priorities.iter().map(|p| (p.id, p.name.as_str())), &by),
            Kind::Resolution => {
                ids_named(d.resolutions.iter().map(|r| (r.id, r.name.as_str())), &by)
            }
            Kind::Component => ids_named(d.components.iter().map(|c| (c.id, c.name.as_str())), &by),
            Kind::FixVersion | Kind::AffectedVersion => {
                ids_named(d.versions.iter().map(|v| (v.id, v.name.as_str())), &by)
            }
            Kind::Sprint => ids_named(d.sprints.iter().map(|s| (s.id, s.name.as_str())), &by),
            Kind::Team => ids_named(d.teams.iter().map(|t| (t.id, t.value.as_str())), &by),
            Kind::Key | Kind::Parent => {
                let issue = match atom {
                    Atom::Num(n) => u64::try_from(*n).ok().and_then(|id| d.issue_by_id(id)),
                    Atom::Str(s) => d.issue_by_id_or_key(s),
                };
                issue.map(|i| vec![i.id]).unwrap_or_default()
            }
            _ => Vec::new(),
        }
    }

    fn ids(
        &mut self,
        kind: Kind,
        name: &str,
        mode: Mode,
        atoms: &[Atom],
        has_empty: bool,
    ) -> Option<Pred> {
        if let Mode::Cmp(op) = mode {
            return self.ordered(kind, name, op, atoms);
        }
        let mut members = Vec::new();
        let mut ok = true;
        for atom in atoms {
            // "Unresolved" is the resolution of issues without one.
            if kind == Kind::Resolution && atom.text().eq_ignore_ascii_case("unresolved") {
                members.push(u64::MAX);
                continue;
            }
            let ids = self.resolve_ids(kind, atom);
            if ids.is_empty() {
                ok = false;
                let msg = self.missing(kind, name, atom);
                self.errors.push(msg);
            }
            members.extend(ids);
        }
        if !ok {
            return None;
        }
        let unresolved = members.contains(&u64::MAX);
        let has_empty = has_empty || unresolved;
        let get = id_values(kind);
        Some(Pred::Test(Box::new(move |_, i| {
            set_test(get(i), &members, has_empty, mode)
        })))
    }

    fn missing(&self, kind: Kind, name: &str, atom: &Atom) -> String {
        let v = atom.text();
        match kind {
            Kind::Key | Kind::Parent => {
                if matches!(atom, Atom::Num(_))
                    || v.parse::<u64>().is_ok()
                    || parse_key(&v).is_some()
                {
                    format!("An issue with key '{v}' does not exist for the field '{name}'.")
                } else {
                    format!("The issue key '{v}' for field '{name}' is invalid.")
                }
            }
            Kind::Team => format!("The option '{v}' for field '{name}' does not exist."),
            _ => format!("The value '{v}' does not exist for the field '{name}'."),
        }
    }

    /// `<`, `>`, … on fields with an order: priority, resolution, key, versions.
    fn ordered(&mut self, kind: Kind, name: &str, op: Operator, atoms: &[Atom]) -> Option<Pred> {
        let Some(atom) = atoms.first() else {
            return self.error(format!(
                "The operator '{op}' requires a value for field '{name}'."
            ));
        };
        match kind {
            Kind::Key => {
                let text = atom.text();
                let Some((project_key, number)) = parse_key(&text) else {
                    return self.error(format!(
                        "The issue key '{text}' for field '{name}' is invalid."
                    ));
                };
                let Some(project) = self
                    .data
                    .projects
                    .iter()
                    .find(|p| p.key.eq_ignore_ascii_case(&project_key))
                else {
                    return self.error(format!(
                        "An issue with key '{text}' does not exist for the field '{name}'."
                    ));
                };
                let pid = project.id;
                Some(Pred::Test(Box::new(move |_, i| {
                    i.project_id == pid
                        && parse_key(&i.key).is_some_and(|(_, n)| cmp_holds(op, n.cmp(&number)))
                })))
            }
            Kind::Priority | Kind::Resolution => {
                let ids = self.resolve_ids(kind, atom);
                let Some(&target) = ids.first() else {
                    let msg = self.missing(kind, name, atom);
                    return self.error(msg);
                };
                let data_rank = rank_fn(kind);
                let target_rank = data_rank(self.data, target);
                let get = id_values(kind);
                Some(Pred::Test(Box::new(move |d, i| {
                    get(i)
                        .first()
                        .is_some_and(|&v| cmp_holds(op, data_rank(d, v).cmp(&target_rank)))
                })))
            }
            Kind::FixVersion | Kind::AffectedVersion => {
                let ids = self.resolve_ids(kind, atom);
                if ids.is_empty() {
                    let msg = self.missing(kind, name, atom);
                    return self.error(msg);
                }
                // Per project: the sequence of the named version there.
                let targets: Vec<(u64, u32)> = ids
                    .iter()
                    .filter_map(|&id| self.data.version(id))
                    .map(|v| (v.project_id, v.sequence))
                    .collect();
                let get = id_values(kind);
                Some(Pred::Test(Box::new(move |d, i| {
                    get(i).iter().filter_map(|&v| d.version(v)).any(|v| {
                        targets
                            .iter()
                            .any(|&(p, s)| p == v.project_id && cmp_holds(op, v.sequence.cmp(&s)))
                    })
                })))
            }
            _ => self.error(format!(
                "The operator '{op}' is not supported by the '{name}' field."
            )),
        }
    }

    fn user(
        &mut self,
        kind: Kind,
        name: &str,
        mode: Mode,
        atoms: &[Atom],
        has_empty: bool,
    ) -> Option<Pred> {
        let mut members: Vec<String> = Vec::new();
        let mut ok = true;
        for atom in atoms {
            let v = atom.text();
            let lower = v.to_lowercase();
            let found: Vec<String> = self
                .data
                .users
                .iter()
                // Cloud resolves account ids and emails, Data Center usernames; display
                // names are not values (Cloud dropped them for privacy).
                .filter(|u| {
                    u.account_id == v
                        || u.name.to_lowercase() == lower
                        || u.email_address
                            .as_deref()
                            .is_some_and(|e| e.to_lowercase() == lower)
                })
                .map(|u| u.account_id.clone())
                .collect();
            if found.is_empty() {
                ok = false;
                self.errors.push(format!(
                    "The value '{v}' does not exist for the field '{name}'."
                ));
            }
            members.extend(found);
        }
        if !ok {
            return None;
        }
        Some(Pred::Test(match kind {
            Kind::User(UserField::Assignee) => {
                Box::new(move |_, i| set_test(i.assignee.as_slice(), &members, has_empty, mode))
            }
            Kind::User(UserField::Reporter) => {
                Box::new(move |_, i| set_test(i.reporter.as_slice(), &members, has_empty, mode))
            }
            Kind::User(UserField::Creator) => Box::new(move |_, i| {
                set_test(std::slice::from_ref(&i.creator), &members, has_empty, mode)
            }),
            _ => Box::new(move |d, i| {
                let mut authors: Vec<String> =
                    d.worklogs_of(i).iter().map(|w| w.author.clone()).collect();
                authors.dedup();
                set_test(&authors, &members, has_empty, mode)
            }),
        }))
    }

    /// The instant an atom designates (ms) and whether it was a date without a time.
    fn instant(&mut self, name: &str, atom: &Atom) -> Option<(i64, bool)> {
        match atom {
            Atom::Num(ms) => Some((*ms, false)),
            Atom::Str(s) => match parse_date_literal(s, self.ctx) {
                Some(v) => Some(v),
                None => {
                    self.errors.push(format!(
                        "Date value '{s}' for field '{name}' is invalid. Valid formats include: 'yyyy/MM/dd HH:mm', 'yyyy-MM-dd HH:mm', 'yyyy/MM/dd', 'yyyy-MM-dd', or a period format e.g. '-5d', '4w 2d'."
                    ));
                    None
                }
            },
        }
    }

    fn date_time(
        &mut self,
        kind: Kind,
        name: &str,
        mode: Mode,
        atoms: &[Atom],
        has_empty: bool,
    ) -> Option<Pred> {
        let mut targets = Vec::new();
        for atom in atoms {
            targets.push(self.instant(name, atom)?);
        }
        let zone = self.ctx.zone;
        let values = move |d: &JiraData, i: &Issue| -> Vec<i64> {
            let one = |t: Option<&DateTime<chrono::FixedOffset>>| {
                t.map(|t| minute(t.timestamp_millis()))
                    .into_iter()
                    .collect()
            };
            match kind {
                Kind::DateTime(DateTimeField::Created) => one(Some(&i.created)),
                Kind::DateTime(DateTimeField::Updated) => one(Some(&i.updated)),
                Kind::DateTime(DateTimeField::Resolved) => one(i.resolution_date.as_ref()),
                Kind::DateTime(DateTimeField::LastViewed) => Vec::new(),
                Kind::DateTime(DateTimeField::Deployed) => one(i.deployed_at().as_ref()),
                _ => d
                    .worklogs_of(i)
                    .iter()
                    .map(|w| minute(w.started.timestamp_millis()))
                    .collect(),
            }
        };
        // A date without a time on worklogDate means "that day" for equality.
        let day_of = move |(ms, date_only): (i64, bool)| -> (i64, i64) {
            if date_only && kind == Kind::WorklogDate {
                (ms, next_midnight(ms, zone))
            } else {
                (ms, ms + 1)
            }
        };
        let ranges: Vec<(i64, i64)> = targets.iter().copied().map(day_of).collect();
        let first = targets.first().map(|t| t.0);
        Some(Pred::Test(Box::new(move |d, i| {
            let vals = values(d, i);
            let hit = |v: &i64| ranges.iter().any(|&(a, b)| *v >= a && *v < b);
            match mode {
                Mode::Any => (vals.is_empty() && has_empty) || vals.iter().any(hit),
                Mode::NoneOf => !vals.is_empty() && !vals.iter().any(hit),
                Mode::IsEmpty => vals.is_empty(),
                Mode::NotEmpty => !vals.is_empty(),
                Mode::Cmp(op) => {
                    first.is_some_and(|t| vals.iter().any(|v| cmp_holds(op, v.cmp(&t))))
                }
                _ => false,
            }
        })))
    }

    fn date(
        &mut self,
        field: DateField,
        name: &str,
        mode: Mode,
        atoms: &[Atom],
        has_empty: bool,
    ) -> Option<Pred> {
        let mut targets = Vec::new();
        for atom in atoms {
            let (ms, _) = self.instant(name, atom)?;
            let day = DateTime::<Utc>::from_timestamp_millis(ms)
                .map(|t| t.with_timezone(&self.ctx.zone).date_naive());
            match day {
                Some(day) => targets.push(day),
                None => {
                    return self.error(format!(
                        "Date value '{}' for field '{name}' is invalid.",
                        atom.text()
                    ));
                }
            }
        }
        Some(Pred::Test(Box::new(move |_, i| {
            let v = match field {
                DateField::Due => i.due_date,
                DateField::Target => i.target_date,
            };
            let vals: Vec<NaiveDate> = v.into_iter().collect();
            match mode {
                Mode::Cmp(op) => targets
                    .first()
                    .is_some_and(|t| vals.iter().any(|v| cmp_holds(op, v.cmp(t)))),
                m => set_test(&vals, &targets, has_empty, m),
            }
        })))
    }

    fn number(&mut self, name: &str, mode: Mode, atoms: &[Atom], has_empty: bool) -> Option<Pred> {
        let mut targets = Vec::new();
        for atom in atoms {
            let v = match atom {
                Atom::Num(n) => Some(*n as f64),
                Atom::Str(s) => s.trim().parse::<f64>().ok().filter(|f| f.is_finite()),
            };
            match v {
                Some(v) => targets.push(v),
                None => {
                    return self.error(format!(
                        "The value '{}' is not a valid number for the field '{name}'.",
                        atom.text()
                    ));
                }
            }
        }
        Some(Pred::Test(Box::new(move |_, i| {
            let vals: Vec<f64> = i.story_points.into_iter().collect();
            match mode {
                Mode::Cmp(op) => targets.first().is_some_and(|t| {
                    vals.iter()
                        .any(|v| v.partial_cmp(t).is_some_and(|o| cmp_holds(op, o)))
                }),
                m => set_test(&vals, &targets, has_empty, m),
            }
        })))
    }

    fn time_spent(
        &mut self,
        name: &str,
        mode: Mode,
        atoms: &[Atom],
        has_empty: bool,
    ) -> Option<Pred> {
        let mut targets = Vec::new();
        for atom in atoms {
            let v = match atom {
                Atom::Num(n) => Some(n * 60),
                Atom::Str(s) => parse_duration(s),
            };
            match v {
                Some(v) => targets.push(v),
                None => {
                    return self.error(format!(
                        "The value '{}' is not a valid duration for the field '{name}'.",
                        atom.text()
                    ));
                }
            }
        }
        Some(Pred::Test(Box::new(move |_, i| {
            let vals: Vec<i64> = i.time_spent_seconds.into_iter().collect();
            match mode {
                Mode::Cmp(op) => targets
                    .first()
                    .is_some_and(|t| vals.iter().any(|v| cmp_holds(op, v.cmp(t)))),
                m => set_test(&vals, &targets, has_empty, m),
            }
        })))
    }

    fn text(&mut self, field: TextField, name: &str, mode: Mode, atoms: &[Atom]) -> Option<Pred> {
        if matches!(mode, Mode::IsEmpty | Mode::NotEmpty) {
            let want_empty = mode == Mode::IsEmpty;
            return Some(Pred::Test(Box::new(move |d, i| {
                text_of(d, i, field).iter().all(|t| t.trim().is_empty()) == want_empty
            })));
        }
        let Some(atom) = atoms.first() else {
            return self.error(format!(
                "The field '{name}' does not support searching for EMPTY values."
            ));
        };
        let raw = atom.text();
        if raw.trim().is_empty() {
            return self.error(format!(
                "The field '{name}' does not support searching for an empty string."
            ));
        }
        if raw.trim_start().starts_with(['*', '?']) {
            return self.error(format!(
                "The text query '{raw}' for field '{name}' is not allowed to start with a wildcard."
            ));
        }
        let query = TextQuery::parse(&raw);
        let negate = mode == Mode::NotLike;
        Some(Pred::Test(Box::new(move |d, i| {
            let tokens: Vec<String> = text_of(d, i, field)
                .iter()
                .flat_map(|t| tokenize(t))
                .collect();
            query.matches(&tokens) != negate
        })))
    }

    fn sort_key(&mut self, field: &Field) -> Option<SortFn> {
        let name = field.to_string();
        let Some(kind) = resolve(field) else {
            return self.error_none(format!(
                "Field '{name}' does not exist or you do not have permission to view it."
            ));
        };
        let lower = |s: &str| SortVal::Str(s.to_lowercase());
        let by_field = matches!(field, Field::Name(n) if n.eq_ignore_ascii_case("id"));
        let f: SortFn = match kind {
            Kind::Key if by_field => Box::new(|_, i| SortVal::Int(i.id as i64)),
            Kind::Key => Box::new(|d, i| {
                let pk = d
                    .project(i.project_id)
                    .map(|p| p.key.as_str())
                    .unwrap_or("");
                let n = parse_key(&i.key).map(|(_, n)| n).unwrap_or(0);
                SortVal::Str(format!("{pk}\u{0}{n:020}"))
            }),
            Kind::Project => Box::new(move |d, i| {
                d.project(i.project_id)
                    .map_or(SortVal::Null, |p| lower(&p.name))
            }),
            Kind::IssueType => {
                Box::new(|d, i| position(d.issue_types.iter().map(|t| t.id), i.issue_type_id))
            }
            Kind::Status => Box::new(|d, i| position(d.statuses.iter().map(|s| s.id), i.status_id)),
            Kind::StatusCategory => Box::new(|d, i| {
                let cat = d.status(i.status_id).map(|s| s.category_id).unwrap_or(0);
                position(d.status_categories.iter().map(|c| c.id), cat)
            }),
            Kind::Priority => {
                Box::new(|d, i| SortVal::Int(rank_fn(Kind::Priority)(d, i.priority_id)))
            }
            Kind::Resolution => Box::new(|d, i| {
                i.resolution_id.map_or(SortVal::Null, |r| {
                    SortVal::Int(rank_fn(Kind::Resolution)(d, r))
                })
            }),
            Kind::User(u) => Box::new(move |d, i| {
                let who = match u {
                    UserField::Assignee => i.assignee.as_deref(),
                    UserField::Reporter => i.reporter.as_deref(),
                    UserField::Creator => Some(i.creator.as_str()),
                };
                who.and_then(|a| d.user(a))
                    .map_or(SortVal::Null, |u| lower(&u.display_name))
            }),
            Kind::Text(TextField::Summary) => Box::new(move |_, i| lower(&i.summary)),
            Kind::DateTime(f) => Box::new(move |_, i| {
                let t = match f {
                    DateTimeField::Created => Some(i.created),
                    DateTimeField::Updated => Some(i.updated),
                    DateTimeField::Resolved => i.resolution_date,
                    DateTimeField::LastViewed => None,
                    DateTimeField::Deployed => i.deployed_at(),
                };
                t.map_or(SortVal::Null, |t| SortVal::Int(t.timestamp_millis()))
            }),
            Kind::Date(f) => Box::new(move |_, i| {
                let t = match f {
                    DateField::Due => i.due_date,
                    DateField::Target => i.target_date,
                };
                t.map_or(SortVal::Null, |t| {
                    SortVal::Int(i64::from(t.num_days_from_ce()))
                })
            }),
            Kind::StoryPoints => {
                Box::new(|_, i| i.story_points.map_or(SortVal::Null, SortVal::Float))
            }
            Kind::TimeSpent => {
                Box::new(|_, i| i.time_spent_seconds.map_or(SortVal::Null, SortVal::Int))
            }
            Kind::Team => Box::new(move |d, i| {
                i.team_id
                    .and_then(|t| d.team(t))
                    .map_or(SortVal::Null, |t| lower(&t.value))
            }),
            Kind::Sprint => Box::new(|_, i| {
                i.sprint_ids
                    .last()
                    .map_or(SortVal::Null, |&s| SortVal::Int(s as i64))
            }),
            Kind::FixVersion => Box::new(|d, i| {
                i.fix_version_ids
                    .first()
                    .and_then(|&v| d.version(v))
                    .map_or(SortVal::Null, |v| SortVal::Int(i64::from(v.sequence)))
            }),
            Kind::Component => Box::new(move |d, i| {
                i.component_ids
                    .first()
                    .and_then(|&c| d.component(c))
                    .map_or(SortVal::Null, |c| lower(&c.name))
            }),
            Kind::Parent => Box::new(|_, i| {
                i.parent_id
                    .map_or(SortVal::Null, |p| SortVal::Int(p as i64))
            }),
            _ => return self.error_none(format!("Field '{name}' does not support sorting.")),
        };
        Some(f)
    }

    fn error_none<T>(&mut self, msg: String) -> Option<T> {
        self.errors.push(msg);
        None
    }
}

fn position(ids: impl Iterator<Item = u64>, id: u64) -> SortVal {
    let mut ids = ids;
    ids.position(|x| x == id)
        .map_or(SortVal::Null, |p| SortVal::Int(p as i64))
}

/// The id values of a set-like field, borrowed from the issue.
fn id_values(kind: Kind) -> for<'i> fn(&'i Issue) -> &'i [u64] {
    match kind {
        Kind::Project => |i| std::slice::from_ref(&i.project_id),
        Kind::IssueType => |i| std::slice::from_ref(&i.issue_type_id),
        Kind::Status | Kind::StatusCategory => |i| std::slice::from_ref(&i.status_id),
        Kind::Priority => |i| std::slice::from_ref(&i.priority_id),
        Kind::Resolution => |i| i.resolution_id.as_slice(),
        Kind::Key => |i| std::slice::from_ref(&i.id),
        Kind::Parent => |i| i.parent_id.as_slice(),
        Kind::Component => |i| &i.component_ids,
        Kind::FixVersion => |i| &i.fix_version_ids,
        Kind::Sprint => |i| &i.sprint_ids,
        Kind::Team => |i| i.team_id.as_slice(),
        // Affects versions are never set in the generated data.
        _ => |_| &[],
    }
}

/// Order of priorities (Highest greatest) and resolutions (catalog order).
fn rank_fn(kind: Kind) -> fn(&JiraData, u64) -> i64 {
    match kind {
        Kind::Priority => |d, id| {
            let n = d.priorities.len() as i64;
            d.priorities
                .iter()
                .position(|p| p.id == id)
                .map_or(0, |p| n - p as i64)
        },
        _ => |d, id| {
            d.resolutions
                .iter()
                .position(|r| r.id == id)
                .map_or(0, |p| p as i64)
        },
    }
}

/// `ABC-123` → ("ABC", 123).
fn parse_key(s: &str) -> Option<(String, u64)> {
    let (p, n) = s.rsplit_once('-')?;
    let ok = p.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !ok {
        return None;
    }
    Some((p.to_ascii_uppercase(), n.parse().ok()?))
}

/// The texts a text clause searches.
fn text_of(d: &JiraData, i: &Issue, field: TextField) -> Vec<String> {
    let description = || i.description.as_deref().map(adf::to_plain_text);
    let comments = || d.comments_of(i).iter().map(|c| adf::to_plain_text(&c.body));
    match field {
        TextField::Summary => vec![i.summary.clone()],
        TextField::Description => description().into_iter().collect(),
        TextField::Environment => Vec::new(),
        TextField::ReleaseNotes => i.release_notes().into_iter().collect(),
        TextField::Comment => comments().collect(),
        TextField::WorklogComment => d
            .worklogs_of(i)
            .iter()
            .filter_map(|w| w.comment.as_deref().map(adf::to_plain_text))
            .collect(),
        TextField::All => std::iter::once(i.summary.clone())
            .chain(description())
            .chain(comments())
            .collect(),
    }
}

const STOP_WORDS: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it",
    "no", "not", "of", "on", "or", "such", "that", "the", "their", "then", "there", "these",
    "they", "this", "to", "was", "will", "with",
];

/// Lower-cased runs of letters and digits.
fn tokenize(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
        .map(str::to_lowercase)
        .collect()
}

#[derive(Debug, Clone)]
enum Term {
    Word(String),
    Prefix(String),
    Phrase(Vec<String>),
}

/// A parsed `~` value: every term must match.
#[derive(Debug, Clone)]
struct TextQuery {
    terms: Vec<Term>,
}

impl TextQuery {
    fn parse(s: &str) -> TextQuery {
        let mut terms = Vec::new();
        for (k, part) in s.split('"').enumerate() {
            if k % 2 == 1 {
                // Inside quotes: an exact phrase.
                let words = tokenize(part);
                match words.len() {
                    0 => {}
                    1 => terms.push(Term::Word(words[0].clone())),
                    _ => terms.push(Term::Phrase(words)),
                }
                continue;
            }
            for raw in part.split_whitespace() {
                let wildcard = raw.ends_with(['*', '?']);
                let words = tokenize(raw);
                match (words.len(), wildcard) {
                    (0, _) => {}
                    (1, true) => terms.push(Term::Prefix(words[0].clone())),
                    (1, false) => {
                        if !STOP_WORDS.contains(&words[0].as_str()) {
                            terms.push(Term::Word(words[0].clone()));
                        }
                    }
                    _ => terms.push(Term::Phrase(words)),
                }
            }
        }
        TextQuery { terms }
    }

    fn matches(&self, tokens: &[String]) -> bool {
        !self.terms.is_empty()
            && self.terms.iter().all(|t| match t {
                Term::Word(w) => tokens.iter().any(|x| x == w),
                Term::Prefix(p) => tokens.iter().any(|x| x.starts_with(p.as_str())),
                Term::Phrase(ws) => tokens.windows(ws.len()).any(|win| win == ws.as_slice()),
            })
    }
}

/// A JQL date literal: absolute formats in the user's zone, or a relative period from now.
fn parse_date_literal(s: &str, ctx: &SearchContext) -> Option<(i64, bool)> {
    let t = s.trim();
    for fmt in ["%Y/%m/%d %H:%M", "%Y-%m-%d %H:%M"] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(t, fmt) {
            return local_ms(naive, ctx.zone).map(|ms| (ms, false));
        }
    }
    for fmt in ["%Y/%m/%d", "%Y-%m-%d"] {
        if let Ok(date) = NaiveDate::parse_from_str(t, fmt) {
            return local_ms(date.and_time(NaiveTime::MIN), ctx.zone).map(|ms| (ms, true));
        }
    }
    let offset = parse_period(t)?;
    Some((ctx.now.timestamp_millis() + offset, false))
}

/// A local wall-clock time in `zone` as epoch ms (the earlier instant when ambiguous, the
/// instant after the gap when it does not exist).
fn local_ms(naive: NaiveDateTime, zone: Tz) -> Option<i64> {
    match zone.from_local_datetime(&naive) {
        LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => Some(t.timestamp_millis()),
        LocalResult::None => zone
            .from_local_datetime(&(naive + Duration::hours(1)))
            .earliest()
            .map(|t| t.timestamp_millis()),
    }
}

fn next_midnight(ms: i64, zone: Tz) -> i64 {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .map(|t| t.with_timezone(&zone).date_naive())
        .and_then(|d| d.checked_add_days(Days::new(1)))
        .and_then(|d| local_ms(d.and_time(NaiveTime::MIN), zone))
        .unwrap_or(ms + 86_400_000)
}

/// `-5d`, `4w 2d`, `-2h`, `30` (minutes): a signed offset in ms. Weeks are 7 days here (a
/// calendar period), unlike time tracking's 5-day weeks.
fn parse_period(s: &str) -> Option<i64> {
    let (sign, rest) = match s.strip_prefix('-') {
        Some(r) => (-1, r),
        None => (1, s.strip_prefix('+').unwrap_or(s)),
    };
    let mut total = 0i64;
    let mut any = false;
    for part in rest.split_whitespace() {
        let (num, unit) = match part.find(|c: char| !c.is_ascii_digit()) {
            Some(p) => part.split_at(p),
            None => (part, "m"),
        };
        let n: i64 = num.parse().ok()?;
        let unit_ms = match unit {
            "w" => 7 * 86_400_000,
            "d" => 86_400_000,
            "h" => 3_600_000,
            "m" => 60_000,
            _ => return None,
        };
        total = total.checked_add(n.checked_mul(unit_ms)?)?;
        any = true;
    }
    any.then_some(sign * total)
}

/// A time-tracking duration (`2h 30m`, `1d`, `90` minutes) in seconds, with Jira's default
/// 8-hour days and 5-day weeks.
fn parse_duration(s: &str) -> Option<i64> {
    let mut total = 0i64;
    let mut any = false;
    for part in s.split_whitespace() {
        let (num, unit) = match part.find(|c: char| !c.is_ascii_digit()) {
            Some(p) => part.split_at(p),
            None => (part, "m"),
        };
        let n: i64 = num.parse().ok()?;
        let secs = match unit {
            "w" => 5 * 8 * 3600,
            "d" => 8 * 3600,
            "h" => 3600,
            "m" => 60,
            _ => return None,
        };
        total = total.checked_add(n.checked_mul(secs)?)?;
        any = true;
    }
    any.then_some(total)
}

/// `now()`, `startOfDay(-1)`, `endOfMonth("+2M")`…: the instant in ms, computed in the user's
/// zone. Weeks start on Sunday (Jira's default locale).
fn date_function(name: &str, arg: Option<&str>, ctx: &SearchContext) -> Option<i64> {
    let now = ctx.now.with_timezone(&ctx.zone).naive_local();
    if name == "now" {
        return Some(ctx.now.timestamp_millis());
    }
    let (unit, start) = match name {
        "startofday" | "endofday" => ('d', now.date()),
        "startofweek" | "endofweek" => (
            'w',
            now.date()
                .checked_sub_days(Days::new(u64::from(now.weekday().num_days_from_sunday())))?,
        ),
        "startofmonth" | "endofmonth" => ('M', now.date().with_day(1)?),
        _ => ('y', now.date().with_day(1)?.with_month(1)?),
    };
    let start = start.and_time(NaiveTime::MIN);
    let shifted = match arg {
        Some(a) => shift(start, a, unit)?,
        None => start,
    };
    let is_end = name.starts_with("end");
    let local = if is_end {
        // The last millisecond of the period.
        shift(shifted, "1", unit)? - Duration::milliseconds(1)
    } else {
        shifted
    };
    local_ms(local, ctx.zone)
}

/// Add an increment like `-1`, `+2w`, `3M` (default unit given) to a local time.
fn shift(t: NaiveDateTime, inc: &str, default_unit: char) -> Option<NaiveDateTime> {
    let inc = inc.trim();
    let (body, unit) = match inc.chars().last() {
        Some(c) if c.is_ascii_alphabetic() => (&inc[..inc.len() - 1], c),
        _ => (inc, default_unit),
    };
    let n: i64 = body.strip_prefix('+').unwrap_or(body).parse().ok()?;
    let months = |m: i64| -> Option<NaiveDateTime> {
        let abs = Months::new(u32::try_from(m.unsigned_abs()).ok()?);
        if m >= 0 {
            t.checked_add_months(abs)
        } else {
            t.checked_sub_months(abs)
        }
    };
    match unit {
        'y' => months(n.checked_mul(12)?),
        'M' => months(n),
        'w' => t.checked_add_signed(Duration::try_weeks(n)?),
        'd' => t.checked_add_signed(Duration::try_days(n)?),
        'h' => t.checked_add_signed(Duration::try_hours(n)?),
        'm' => t.checked_add_signed(Duration::try_minutes(n)?),
        _ => None,
    }
}

/// Ids of the `(id, name)` pairs an atom names.
fn ids_named<'a>(
    items: impl Iterator<Item = (u64, &'a str)>,
    by: &dyn Fn(u64, &str) -> bool,
) -> Vec<u64> {
    items
        .filter(|(id, name)| by(*id, name))
        .map(|(id, _)| id)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;
    use std::sync::OnceLock;

    fn keys(data: &JiraData, hits: &[usize]) -> Vec<String> {
        hits.iter().map(|&i| data.issues[i].key.clone()).collect()
    }

    fn data() -> &'static JiraData {
        static DATA: OnceLock<JiraData> = OnceLock::new();
        DATA.get_or_init(|| JiraData::generate(42, 600))
    }

    fn ctx() -> SearchContext {
        let now = DateTime::parse_from_rfc3339("2026-11-25T10:00:00+11:00")
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default();
        SearchContext::for_myself(data(), now)
    }

    fn run(jql: &str) -> Vec<usize> {
        search(data(), jql, &ctx()).unwrap_or_else(|e| panic!("{jql}: {e}"))
    }

    fn expect(jql: &str, f: impl Fn(&Issue) -> bool) {
        let got: HashSet<usize> = run(jql).into_iter().collect();
        let want: HashSet<usize> = (0..data().issues.len())
            .filter(|&i| f(&data().issues[i]))
            .collect();
        assert!(
            !want.is_empty() || jql.contains("EMPTYOK"),
            "{jql}: expected some hits"
        );
        assert_eq!(got, want, "{jql}");
    }

    fn errors(jql: &str) -> Vec<String> {
        search(data(), jql, &ctx()).expect_err(jql).messages()
    }

    fn project_id(key: &str) -> u64 {
        data()
            .projects
            .iter()
            .find(|p| p.key == key)
            .map(|p| p.id)
            .unwrap_or(0)
    }

    #[test]
    fn project_status_type_priority() {
        let demo = project_id("DEMO");
        expect("project = demo", |i| i.project_id == demo);
        expect(
            "project = \"Demo Project\" AND status = \"In Progress\"",
            |i| i.project_id == demo && i.status_id == 3,
        );
        expect("project in (DEMO, 10001) and issuetype = Bug", |i| {
            (i.project_id == demo || i.project_id == 10001)
                && i.issue_type_id == super::super::data::BUG
        });
        expect("statusCategory = Done", |i| i.status_id == 10003);
        expect("statusCategory in (new, \"In Progress\")", |i| {
            i.status_id != 10003
        });
        expect("statusCategory != \"To Do\"", |i| {
            [3, 10002, 10003].contains(&i.status_id)
        });
        expect("priority > Medium", |i| i.priority_id < 3);
        expect("priority <= High and priority >= High", |i| {
            i.priority_id == 2
        });
        expect("resolution = Unresolved", |i| i.resolution_id.is_none());
        expect("resolution is not empty and resolution != Done", |i| {
            i.resolution_id.is_some_and(|r| r != 10000)
        });
    }

    #[test]
    fn not_and_negations_skip_empty_fields() {
        let me = data().myself.clone();
        let me2 = me.clone();
        expect("assignee != currentUser()", move |i| {
            i.assignee.as_ref().is_some_and(|a| *a != me)
        });
        expect("NOT assignee = currentUser()", move |i| {
            i.assignee.as_ref().is_some_and(|a| *a != me2)
        });
        expect("assignee is EMPTY", |i| i.assignee.is_none());
        expect("not (assignee is empty or labels is empty)", |i| {
            i.assignee.is_some() && !i.labels.is_empty()
        });
        expect("labels not in (backend, ORDER-x)", |i| {
            !i.labels.is_empty() && !i.labels.iter().any(|l| l == "backend")
        });
        expect("labels = BACKEND", |i| {
            i.labels.iter().any(|l| l == "backend")
        });
        expect("labels in (\"order\", données)", |i| {
            i.labels.iter().any(|l| l == "order" || l == "données")
        });
        expect("labels in (EMPTY, ux)", |i| {
            i.labels.is_empty() || i.labels.iter().any(|l| l == "ux")
        });
    }

    #[test]
    fn keys_parents_and_multi_valued() {
        let d = data();
        let demo7 = d.issue_by_key("DEMO-7").map(|i| i.id).unwrap_or(0);
        assert_eq!(keys(d, &run("key = demo-7")), vec!["DEMO-7"]);
        assert_eq!(keys(d, &run(&format!("id = {demo7}"))), vec!["DEMO-7"]);
        assert_eq!(
            keys(d, &run("issuekey in (DEMO-1, DEMO-2) order by key")),
            vec!["DEMO-1", "DEMO-2"]
        );
        let demo = project_id("DEMO");
        expect("key > DEMO-5 and key <= DEMO-9", |i| {
            i.project_id == demo && parse_key(&i.key).is_some_and(|(_, n)| n > 5 && n <= 9)
        });
        expect("parent = DEMO-1", |i| {
            i.parent_key.as_deref() == Some("DEMO-1")
        });
        expect("component = Backend", |i| {
            i.component_ids
                .iter()
                .any(|&c| d.component(c).is_some_and(|c| c.name == "Backend"))
        });
        expect("fixVersion = \"2.0\"", |i| {
            i.fix_version_ids
                .iter()
                .any(|&v| d.version(v).is_some_and(|v| v.name == "2.0"))
        });
        expect("sprint in openSprints()", |i| {
            i.sprint_ids
                .iter()
                .any(|&s| d.sprint(s).is_some_and(|s| s.state != "closed"))
        });
        expect("sprint = \"DEMO Sprint 3\"", |i| {
            i.sprint_ids
                .iter()
                .any(|&s| d.sprint(s).is_some_and(|s| s.name == "DEMO Sprint 3"))
        });
        expect("cf[10016] >= 5", |i| {
            i.story_points.is_some_and(|p| p >= 5.0)
        });
        expect("\"Story Points\" = 0.5", |i| i.story_points == Some(0.5));
        expect("Team = \"Équipe Québec\"", |i| i.team_id == Some(10105));
        expect("cf[10030] is empty", |i| i.team_id.is_none());
        expect("timespent > 8h", |i| {
            i.time_spent_seconds.is_some_and(|t| t > 8 * 3600)
        });
    }

    #[test]
    fn dates_use_minutes_and_the_users_zone() {
        let d = data();
        let issue = &d.issues[100];
        // The created minute, written in Sydney wall-clock time.
        let sydney: Tz = "Australia/Sydney".parse().unwrap_or(Tz::UTC);
        let local = issue
            .created
            .with_timezone(&sydney)
            .format("%Y-%m-%d %H:%M")
            .to_string();
        let created_minute = minute(issue.created.timestamp_millis());
        expect(&format!("created = \"{local}\""), |i| {
            minute(i.created.timestamp_millis()) == created_minute
        });
        expect(&format!("created >= \"{local}\""), |i| {
            minute(i.created.timestamp_millis()) >= created_minute
        });
        // A bare number is epoch ms, zone-free.
        expect(&format!("created < {created_minute}"), |i| {
            minute(i.created.timestamp_millis()) < created_minute
        });
        let slash = local.replace('-', "/");
        expect(&format!("createdDate <= '{slash}'"), |i| {
            minute(i.created.timestamp_millis()) <= created_minute
        });
        // Date-only literal: midnight in Sydney.
        let midnight = local_ms(
            NaiveDate::from_ymd_opt(2026, 6, 1)
                .map(|d| d.and_time(NaiveTime::MIN))
                .unwrap_or_default(),
            sydney,
        )
        .unwrap_or(0);
        expect("updated >= 2026-06-01", |i| {
            minute(i.updated.timestamp_millis()) >= midnight
        });
        expect("resolved < \"2026/06/01\"", |i| {
            i.resolution_date
                .is_some_and(|r| minute(r.timestamp_millis()) < midnight)
        });
        expect("due < 2026-04-01", |i| {
            i.due_date
                .is_some_and(|x| x < NaiveDate::from_ymd_opt(2026, 4, 1).unwrap_or_default())
        });
        expect("\"Target Date\" is not empty", |i| i.target_date.is_some());
        expect("updated > -30d", |i| {
            minute(i.updated.timestamp_millis()) > ctx().now.timestamp_millis() - 30 * 86_400_000
        });
        expect(
            "created >= startOfDay(-400) and created < endOfDay()",
            |_| true,
        );
        expect("worklogDate = \"2026-03-04\"", |i| {
            d.worklogs_of(i).iter().any(|w| {
                w.started.with_timezone(&sydney).date_naive()
                    == NaiveDate::from_ymd_opt(2026, 3, 4).unwrap_or_default()
            })
        });
        expect("worklogAuthor = currentUser()", |i| {
            d.worklogs_of(i).iter().any(|w| w.author == d.myself)
        });
    }

    #[test]
    fn text_search() {
        expect("summary ~ backslash", |i| {
            i.summary.to_lowercase().contains("backslash")
        });
        expect("summary ~ \"backsl*\"", |i| {
            i.summary.to_lowercase().contains("backsl")
        });
        expect("summary ~ \"\\\"error message\\\"\"", |i| {
            i.summary.contains("error message")
        });
        expect("summary !~ refactor", |i| !i.summary.contains("Refactor"));
        expect("text ~ \"runbook\"", |i| {
            i.description
                .as_deref()
                .is_some_and(|d| adf::to_plain_text(d).contains("runbook"))
                || data()
                    .comments_of(i)
                    .iter()
                    .any(|c| adf::to_plain_text(&c.body).contains("runbook"))
        });
        expect("description is empty", |i| i.description.is_none());
        expect("comment ~ \"Ça marche\"", |i| {
            data()
                .comments_of(i)
                .iter()
                .any(|c| adf::to_plain_text(&c.body).contains("Ça marche"))
        });
    }

    #[test]
    fn ordering_is_total_and_stable() {
        let d = data();
        let hits = run("project = DEMO order by key desc");
        let nums: Vec<u64> = hits
            .iter()
            .filter_map(|&i| parse_key(&d.issues[i].key).map(|k| k.1))
            .collect();
        assert!(nums.windows(2).all(|w| w[0] > w[1]));
        let hits = run("project in (DEMO, OPS) order by duedate asc, priority desc");
        let due: Vec<Option<NaiveDate>> = hits.iter().map(|&i| d.issues[i].due_date).collect();
        let firsts_none = due.iter().position(Option::is_none).unwrap_or(due.len());
        assert!(
            due[firsts_none..].iter().all(Option::is_none),
            "nulls last ascending"
        );
        assert!(due[..firsts_none].windows(2).all(|w| w[0] <= w[1]));
        let default = run("project = OPS");
        assert!(
            default.windows(2).all(|w| w[0] > w[1]),
            "newest first by default"
        );
        let by_created = run("project = OPS order by created");
        assert!(
            by_created
                .windows(2)
                .all(|w| d.issues[w[0]].created >= d.issues[w[1]].created),
            "dates default to DESC"
        );
    }

    #[test]
    fn validation_messages() {
        assert_eq!(
            errors("universe = 42"),
            vec!["Field 'universe' does not exist or you do not have permission to view it."]
        );
        assert_eq!(
            errors("summary = test"),
            vec!["The operator '=' is not supported by the 'summary' field."]
        );
        assert_eq!(
            errors("summary in test"),
            vec![
                "Operator 'in' does not support the non-list value '\"test\"' for field 'summary'."
            ]
        );
        assert_eq!(
            errors("project = INVALID"),
            vec!["The value 'INVALID' does not exist for the field 'project'."]
        );
        assert_eq!(
            errors("key in (DEMO-1, PAY-100)"),
            vec!["An issue with key 'PAY-100' does not exist for the field 'key'."]
        );
        assert_eq!(
            errors("key = foo"),
            vec!["The issue key 'foo' for field 'key' is invalid."]
        );
        assert_eq!(
            errors("status = Nope and priority = Meh"),
            vec![
                "The value 'Nope' does not exist for the field 'status'.".to_string(),
                "The value 'Meh' does not exist for the field 'priority'.".to_string(),
            ]
        );
        assert_eq!(
            errors("assignee = foo()"),
            vec!["Unable to find JQL function 'foo()'."]
        );
        assert_eq!(
            errors("created > currentUser()"),
            vec![
                "A value provided by the function 'currentUser' is invalid for the field 'created'."
            ]
        );
        assert!(
            errors("created > \"2026-13-45\"")[0]
                .starts_with("Date value '2026-13-45' for field 'created' is invalid.")
        );
        assert_eq!(
            errors("project = DEMO order by text"),
            vec!["Field 'text' does not support sorting."]
        );
        assert_eq!(
            errors("text ~ x order by nope"),
            vec!["Field 'nope' does not exist or you do not have permission to view it."]
        );
        assert_eq!(
            errors("statusCategory is empty"),
            vec!["The operator 'is' is not supported by the 'statusCategory' field."]
        );
        assert_eq!(
            errors("summary ~ \"\""),
            vec!["The field 'summary' does not support searching for an empty string."]
        );
    }

    #[test]
    fn periods_durations_and_functions() {
        assert_eq!(parse_period("-5d"), Some(-5 * 86_400_000));
        assert_eq!(parse_period("4w 2d"), Some(30 * 86_400_000));
        assert_eq!(parse_period("30"), Some(30 * 60_000));
        assert_eq!(parse_period("x"), None);
        assert_eq!(
            parse_duration("1d 2h 30m"),
            Some(8 * 3600 + 2 * 3600 + 1800)
        );
        let c = ctx();
        let sod = date_function("startofday", None, &c).unwrap_or(0);
        let t = DateTime::<Utc>::from_timestamp_millis(sod)
            .unwrap_or_default()
            .with_timezone(&c.zone);
        assert_eq!(t.format("%Y-%m-%d %H:%M").to_string(), "2026-11-25 00:00");
        let som = date_function("startofmonth", Some("-1"), &c).unwrap_or(0);
        let t = DateTime::<Utc>::from_timestamp_millis(som)
            .unwrap_or_default()
            .with_timezone(&c.zone);
        assert_eq!(t.format("%Y-%m-%d %H:%M").to_string(), "2026-10-01 00:00");
        let eod = date_function("endofday", None, &c).unwrap_or(0);
        assert_eq!(eod - sod, 86_400_000 - 1);
    }
}
