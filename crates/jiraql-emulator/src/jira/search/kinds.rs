//! What a JQL field is to the evaluator (its kind and the operators it takes), and the small shared
//! pieces of compiling: atoms, modes, the compiler's state, set and order tests.

use super::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum UserField {
    Assignee,
    Reporter,
    Creator,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum TextField {
    Summary,
    Description,
    Environment,
    Comment,
    WorklogComment,
    ReleaseNotes,
    All,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum DateTimeField {
    Created,
    Updated,
    Resolved,
    LastViewed,
    Deployed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum DateField {
    Due,
    Target,
}

/// What a JQL field name designates, for matching purposes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
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

pub(super) fn resolve(field: &Field) -> Option<Kind> {
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
pub(super) fn supports(kind: Kind, op: Operator) -> bool {
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

pub(super) fn negate(op: Operator) -> Operator {
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
pub(super) enum Atom {
    Str(String),
    Num(i64),
}

impl Atom {
    pub(super) fn text(&self) -> String {
        match self {
            Atom::Str(s) => s.clone(),
            Atom::Num(n) => n.to_string(),
        }
    }
}

/// How a terminal compares: membership (`=`, `!=`, `IN`, `NOT IN`), emptiness, or an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Mode {
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

pub(super) struct Compiler<'a> {
    pub(super) data: &'a JiraData,
    pub(super) ctx: &'a SearchContext,
    pub(super) errors: Vec<String>,
}

/// Membership test shared by every set-like field.
pub(super) fn set_test<T: PartialEq>(
    values: &[T],
    members: &[T],
    has_empty: bool,
    mode: Mode,
) -> bool {
    match mode {
        Mode::Any => (values.is_empty() && has_empty) || values.iter().any(|v| members.contains(v)),
        Mode::NoneOf => !values.is_empty() && !values.iter().any(|v| members.contains(v)),
        Mode::IsEmpty => values.is_empty(),
        Mode::NotEmpty => !values.is_empty(),
        _ => false,
    }
}

pub(super) fn cmp_holds(op: Operator, o: Ordering) -> bool {
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

pub(super) fn minute(ms: i64) -> i64 {
    ms.div_euclid(60_000) * 60_000
}
