//! The Jira tables, each declared as data: its columns (type, where the value lives in Jira's
//! JSON, which Jira field must be requested for it, how a filter on it becomes JQL) and how its
//! rows are reached. The engine builds DataFusion providers, EXPLAIN output and the catalog from
//! these declarations alone, so adding a table is one small file here.

mod agile_issues;
mod attachments;
mod boards;
mod comments;
pub mod custom_fields;
mod epics;
mod fields;
mod filters;
mod groups;
mod issue_changelogs;
mod issue_links;
mod issue_types;
mod issues;
mod labels;
mod priorities;
mod project_components;
mod project_versions;
mod projects;
mod resolutions;
mod role_actors;
mod roles;
mod sprints;
mod statuses;
mod users;
mod worklog_deleted;
mod worklogs;

pub use super::pager::Paging;
pub use agile_issues::{BOARD_ISSUES, SPRINT_ISSUES};
pub use attachments::ATTACHMENTS;
pub use boards::BOARDS;
pub use comments::COMMENTS;
pub use custom_fields::CustomField;
pub use epics::EPICS;
pub use fields::FIELDS;
pub use filters::FILTERS;
pub use groups::GROUPS;
pub use issue_changelogs::ISSUE_CHANGELOGS;
pub use issue_links::ISSUE_LINKS;
pub use issue_types::ISSUE_TYPES;
pub use issues::ISSUES;
pub use labels::LABELS;
pub use priorities::PRIORITIES;
pub use project_components::PROJECT_COMPONENTS;
pub use project_versions::PROJECT_VERSIONS;
pub use projects::PROJECTS;
pub use resolutions::RESOLUTIONS;
pub use role_actors::ROLE_ACTORS;
pub use roles::ROLES;
pub use sprints::SPRINTS;
pub use statuses::STATUSES;
pub use users::USERS;
pub use worklog_deleted::WORKLOG_DELETED;
pub use worklogs::WORKLOGS;

/// Every table jiraql offers over Jira, in catalog order.
pub fn all() -> &'static [&'static TableDef] {
    static ALL: &[&TableDef] = &[
        &ATTACHMENTS,
        &BOARDS,
        &BOARD_ISSUES,
        &COMMENTS,
        &EPICS,
        &FIELDS,
        &FILTERS,
        &GROUPS,
        &ISSUES,
        &ISSUE_CHANGELOGS,
        &ISSUE_LINKS,
        &ISSUE_TYPES,
        &LABELS,
        &PRIORITIES,
        &PROJECTS,
        &PROJECT_COMPONENTS,
        &PROJECT_VERSIONS,
        &RESOLUTIONS,
        &ROLES,
        &ROLE_ACTORS,
        &SPRINTS,
        &SPRINT_ISSUES,
        &STATUSES,
        &USERS,
        &WORKLOG_DELETED,
        &WORKLOGS,
    ];
    ALL
}

/// Finds a table by name, ignoring case.
pub fn find(name: &str) -> Option<&'static TableDef> {
    all()
        .iter()
        .copied()
        .find(|t| t.name.eq_ignore_ascii_case(name))
}

/// The key column of every table whose rows are issues ([`Access::IssueSearch`]): what a
/// write addresses an issue by.
pub const ISSUE_KEY: &str = "Key";
/// The parent's key column of those tables (an epic, or a sub-task's issue).
pub const ISSUE_PARENT_KEY: &str = "ParentKey";
/// Their workflow status column: set by a transition, not an edit.
pub const ISSUE_STATUS: &str = "StatusName";
/// Their last-update column: what a write compares before it overwrites.
pub const ISSUE_UPDATED: &str = "Updated";
/// The fields every issue needs when it is created.
pub const ISSUE_CREATE_REQUIRED: &[&str] = &["project", "issuetype", "summary"];

/// One table: what it is, its columns and how its rows are fetched.
#[derive(Debug)]
pub struct TableDef {
    pub name: &'static str,
    /// A read-only view of Jira configuration rather than one of its entities (CData's VIEW).
    pub view: bool,
    pub description: &'static str,
    pub columns: &'static [ColumnDef],
    pub access: Access,
    /// The writing statements it takes.
    pub writes: Writes,
}

/// The writing statements (INSERT, UPDATE, DELETE) a table takes, and how they reach Jira.
#[derive(Debug, Clone, Copy)]
pub enum Writes {
    /// None: the table is read-only.
    None,
    /// Rows are issues: created in bulk, edited, moved through their workflow, deleted.
    Issues,
    /// Rows hang off an issue and are written one at a time through its endpoints.
    Items(ItemWrites),
    /// Rows are entities of the site (versions, components) written one at a time through
    /// their own endpoints.
    Entities(EntityWrites),
}

/// How the rows of a site entity table are written: added with `POST <create>`, changed as
/// [`ChangeBy`] says (only the members sent change), removed as [`Removal`] says. The table's
/// key column is the entity's id.
#[derive(Debug, Clone, Copy)]
pub struct EntityWrites {
    /// The API the paths are in.
    pub api: Api,
    /// Path that adds one and answers it: `version`.
    pub create: &'static str,
    /// Path of one, `{id}` standing for its id, in a segment or the query: `version/{id}`,
    /// `user?accountId={id}`. `GET` reads it.
    pub one: &'static str,
    /// How a row is changed; `None` when Jira's API cannot change one (a board, a user), so
    /// UPDATE is refused before anything is sent.
    pub change: Option<ChangeBy>,
    /// Members every create sends besides the row's, as JSON text: a new board's
    /// `location.type` is `"project"`.
    pub fixed: &'static [(&'static str, &'static str)],
    pub removal: Removal,
    /// What a new row must give: each group by any one of its fields.
    pub required: &'static [&'static [&'static str]],
    /// Columns whose values name at most one row (a version's project and name): after a
    /// create whose answer was lost, the table is read for them before anything is sent again.
    /// Empty: such a create is reported as unknown, never sent twice.
    pub unique: &'static [&'static str],
}

/// How an entity's members are changed; either way only those sent change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeBy {
    /// `PUT <one>` (versions, components).
    Put,
    /// `POST <one>`: a sprint's partial update (its `PUT` would null what it is not sent).
    Post,
}

impl ChangeBy {
    pub fn method(self) -> reqwest::Method {
        match self {
            ChangeBy::Put => reqwest::Method::PUT,
            ChangeBy::Post => reqwest::Method::POST,
        }
    }
}

/// How an entity is removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Removal {
    /// `DELETE <one>`.
    Delete,
    /// `POST <one>/<suffix>` with an empty object: a version's `removeAndSwap`, which clears
    /// the version from its issues (the deprecated `DELETE` is not used).
    Post(&'static str),
}

/// How the rows of an issue's item table (worklogs, comments) are written: added with
/// `POST issue/{issue}/<segment>`, changed with `PUT .../<segment>/{id}`, deleted with
/// `DELETE .../<segment>/{id}`. The item's id is the table's key column; the columns written
/// as [`Shape::IssuePath`] name the issue.
#[derive(Debug, Clone, Copy)]
pub struct ItemWrites {
    /// The path segment under the issue: `worklog`, `comment`.
    pub segment: &'static str,
    /// Where an issue's listing of them puts the items: `worklogs`, `comments`.
    pub list: &'static str,
    /// The column naming the item's issue in the rows an UPDATE or DELETE reads.
    pub issue_column: &'static str,
    /// The column with the item's last change, compared before a change overwrites it.
    pub updated_column: &'static str,
    /// What a new item must give: each group by any one of its fields.
    pub required: &'static [&'static [&'static str]],
    /// Settings a statement may give as if they were columns (in INSERT's column list, in
    /// UPDATE's SET, as `Name = 'value'` in DELETE's WHERE), sent as query parameters.
    pub options: &'static [WriteOption],
}

/// A statement setting sent as a query parameter of every request the statement makes.
#[derive(Debug, Clone, Copy)]
pub struct WriteOption {
    /// The name a statement gives it by, like a column's.
    pub name: &'static str,
    /// The query parameter.
    pub param: &'static str,
    pub description: &'static str,
}

impl TableDef {
    pub fn column(&self, name: &str) -> Option<&'static ColumnDef> {
        self.columns.iter().find(|c| c.name == name)
    }

    pub fn column_index(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.name == name)
    }
}

/// How a table's rows are reached.
#[derive(Debug)]
pub enum Access {
    /// Rows are issues: listed by JQL through `search/jql`, one issue by `GET issue/{key}`.
    IssueSearch,
    /// Rows are children of issues (worklogs): listed per issue through `per_issue`
    /// (`{key}` is replaced), or for all issues through the bulk endpoints.
    IssueChildren {
        /// Platform path of one issue's children, e.g. `issue/{key}/worklog`.
        per_issue: &'static str,
        /// Name of the array holding the children in a per-issue page.
        items: &'static str,
        /// Bulk listing: ids changed since a time, then the items by id.
        bulk: BulkChildren,
    },
    /// Rows are items issues hold (comments, links, attachments, change histories): one named
    /// issue's through its own endpoint, otherwise those of the issues a JQL search finds.
    IssueItems(IssueItems),
    /// Rows come from one listing endpoint of the whole site.
    List(Endpoint),
    /// Rows belong to a parent (components of a project, sprints of a board): listed per parent
    /// through `endpoint` (`{parent}` is replaced), parents named by a filter or, failing that,
    /// all listed through `parent.list`.
    PerParent {
        parent: ParentSpec,
        endpoint: Endpoint,
    },
}

/// Which API family a path belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Api {
    /// `/rest/api/3` (Cloud) or `/rest/api/2` (Data Center).
    Platform,
    /// `/rest/agile/1.0`.
    Agile,
}

/// One listing endpoint and how it pages.
#[derive(Debug, Clone, Copy)]
pub struct Endpoint {
    pub api: Api,
    pub path: &'static str,
    /// Where the items are in a page; `None` when the page is a bare array.
    pub items: Option<&'static str>,
    pub paging: Paging,
    /// Fixed query parameters (e.g. `expand`).
    pub query: &'static [(&'static str, &'static str)],
    /// A second read per listed item, whose answer holds the rows (a project role's actors).
    pub detail: Option<Detail>,
}

/// One GET per listed item, each answer an object with an array of rows.
#[derive(Debug, Clone, Copy)]
pub struct Detail {
    /// Platform path: `{parent}` is the parent's reference, `{item}` the item's `reference`.
    pub path: &'static str,
    pub reference: &'static str,
    /// The array whose elements are the rows: each row reads the element under `item` and the
    /// rest of the answer as it is.
    pub rows: &'static str,
}

impl Endpoint {
    pub const fn platform(path: &'static str, items: Option<&'static str>, paging: Paging) -> Self {
        Endpoint {
            api: Api::Platform,
            path,
            items,
            paging,
            query: &[],
            detail: None,
        }
    }

    pub const fn agile(path: &'static str, items: Option<&'static str>, paging: Paging) -> Self {
        Endpoint {
            api: Api::Agile,
            path,
            items,
            paging,
            query: &[],
            detail: None,
        }
    }

    pub const fn with_query(mut self, query: &'static [(&'static str, &'static str)]) -> Self {
        self.query = query;
        self
    }

    pub const fn with_detail(mut self, detail: Detail) -> Self {
        self.detail = Some(detail);
        self
    }
}

/// The `…/updated` + `…/list` pair Jira offers to read children of every issue in bulk.
#[derive(Debug)]
pub struct BulkChildren {
    /// Ids changed since `since` (epoch ms), 1000 a page, the next from the page's `until`.
    pub changed: &'static str,
    /// Field of each changed entry that holds the child id.
    pub changed_id: &'static str,
    /// POST body `{"ids": [...]}`, answers a bare array.
    pub list: &'static str,
    /// Most ids `list` takes at once.
    pub list_cap: usize,
}

/// Where the items of an issue-items table come from.
#[derive(Debug)]
pub struct IssueItems {
    /// The items as the issue search embeds them, if it does.
    pub embedded: Option<Embedded>,
    /// One issue's items from its own endpoint (`{parent}` is the issue key), if Jira has one;
    /// without it one issue is read with `GET issue/{key}` and its embedded items.
    pub per_issue: Option<Endpoint>,
    /// The items of many issues by issue id, when the search does not embed them.
    pub bulk: Option<BulkByIssue>,
    /// Items by their own ids, whatever their issue: what a key condition (`Id = 10100`)
    /// reads instead of every issue's items.
    pub by_id: Option<ById>,
    /// Each item holds a list whose elements are the rows (the changed fields of a change
    /// history); a row then reads the element under `item` and the rest of the item as it is.
    pub nested: Option<&'static str>,
    /// Whether the endpoints exist on Jira Cloud only: on Data Center the table says so
    /// instead of reading no rows.
    pub cloud_only: bool,
}

/// An endpoint that takes a list of item ids (`POST comment/list {"ids": [...]}`) and answers
/// with those that exist, in one page. The items name their issue only in their `self` URL.
#[derive(Debug, Clone, Copy)]
pub struct ById {
    pub list: &'static str,
    /// Ids one call takes at most.
    pub cap: usize,
    /// Where the answer lists the items.
    pub items: &'static str,
}

/// Items embedded in each issue of a search result.
#[derive(Debug, Clone, Copy)]
pub struct Embedded {
    /// The issue fields to request (`fields=comment`).
    pub fields: &'static [&'static str],
    pub items: EmbeddedItems,
}

/// How an issue holds its items.
#[derive(Debug, Clone, Copy)]
pub enum EmbeddedItems {
    /// An array: its path in the issue, e.g. `fields.comment.comments`, and the path of the
    /// issue's item count when the search embeds only the first ones (an issue with more is read
    /// again through the per-issue endpoint).
    List {
        path: &'static str,
        total: Option<&'static str>,
    },
    /// One item per custom field the issue has a value for: `fieldId`, `fieldName`, `value`.
    /// `narrowed_by` is the column (`FieldId`) whose `=`/`IN` values are then the only fields
    /// requested.
    CustomFieldValues {
        fields: &'static [CustomField],
        narrowed_by: &'static str,
    },
}

/// A POST endpoint answering the items of up to `max_issues` issues, with token pages.
#[derive(Debug, Clone, Copy)]
pub struct BulkByIssue {
    pub path: &'static str,
    pub max_issues: usize,
    /// Largest `maxResults` it accepts.
    pub max_page: usize,
    /// Array of per-issue groups in a page, each with the issue id and its items.
    pub groups: &'static str,
    pub group_issue: &'static str,
    pub group_items: &'static str,
    /// A column whose `=`/`IN` values the endpoint filters on itself (a body list, up to `cap`).
    pub filter: Option<BulkFilter>,
}

/// A filter a bulk endpoint applies: `column`'s values as the body list `body`.
#[derive(Debug, Clone, Copy)]
pub struct BulkFilter {
    pub column: &'static str,
    pub body: &'static str,
    pub cap: usize,
}

/// The parent of a per-parent table.
#[derive(Debug, Clone, Copy)]
pub struct ParentSpec {
    /// The column naming the parent; `=`/`IN` on it call only those parents.
    pub column: &'static str,
    /// Lists every parent when the column is not restricted.
    pub list: ParentList,
    /// Path, in a listed parent item, of the reference that replaces `{parent}`.
    pub reference: &'static str,
}

/// How every parent of a per-parent table is listed.
#[derive(Debug, Clone, Copy)]
pub enum ParentList {
    /// One listing endpoint (boards, projects).
    Endpoint(Endpoint),
    /// The rows of another per-parent table (the sprints of every board).
    Table(&'static TableDef),
}

/// One column.
#[derive(Debug, Clone)]
pub struct ColumnDef {
    pub name: &'static str,
    pub data_type: ColumnType,
    pub source: Source,
    /// Jira field ids that must be requested (`fields=`) for this column's value.
    pub fields: &'static [&'static str],
    /// How a WHERE condition on this column becomes JQL, if it can.
    pub filter: Option<FilterSpec>,
    /// Whether the column identifies the row (and is never NULL).
    pub key: bool,
    /// How the column is written to Jira, if it can be.
    pub write: Option<WriteSpec>,
    pub description: &'static str,
}

/// How a column is written: the Jira field it sets, the shape of the value, and when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WriteSpec {
    pub field: &'static str,
    pub shape: Shape,
    /// Only when the row is created (the project and type of an issue, its parent).
    pub create_only: bool,
}

/// The JSON a column's SQL value becomes in a write's `fields`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// A string.
    Text,
    /// Plain text, sent as an Atlassian Document (one paragraph per line).
    Document,
    /// `{"key": value}`.
    ByKey,
    /// `{"name": value}`.
    ByName,
    /// `{"value": value}`: an option of a select field.
    ByValue,
    /// `{"accountId": value}`, null to clear.
    User,
    /// A list of strings, as strings (labels).
    Strings,
    /// A list of strings, each as `{"name": value}` (components, versions).
    Names,
    /// `"yyyy-MM-dd"`.
    Date,
    /// `true` or `false`.
    Bool,
    /// A JSON number.
    Number,
    /// A whole JSON number.
    Integer,
    /// An instant as Jira writes one: `2026-12-01T09:00:00.000+0000`. Text without an offset
    /// is read as UTC, as the engine reads timestamps.
    Instant,
    /// Not a body field: the issue the item belongs to, named in the endpoint's path.
    IssuePath,
}

/// The SQL types jiraql gives Jira values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    Text,
    Int,
    Float,
    Bool,
    /// An instant, `Timestamp(ms, UTC)`.
    Timestamp,
    /// A calendar day without a time zone.
    Date,
    /// A list of strings (labels, component names).
    TextList,
}

/// Where a column's value lives in an item's JSON.
#[derive(Debug, Clone, Copy)]
pub enum Source {
    /// A dotted path, e.g. `fields.status.name`. Numbers and strings convert to the column type.
    /// The empty path ([`ITSELF`]) is the row's value itself.
    Path(&'static str),
    /// A dotted path to a rich-text body: ADF on Cloud, a plain string on Data Center.
    RichText(&'static str),
    /// An array at the first path whose items' second path is collected (`fields.components`, `name`).
    List(&'static str, &'static str),
    /// A value of the parent the row was read through (the issue of a worklog, the board of
    /// a sprint), by its path in the parent's JSON.
    Parent(&'static str),
    /// The value at the first of these paths that is present and not null.
    FirstOf(&'static [&'static str]),
    /// The label paired with the first of these paths that is present and not null.
    Label(&'static [(&'static str, &'static str)]),
    /// Not in Jira's answers: the raw-JQL pseudo column, or a value only written (a new
    /// board's filter). Always NULL in results.
    Pseudo,
}

/// The row's value itself, for listings of plain values (`label` pages strings).
pub const ITSELF: Source = Source::Path("");

/// How a condition on a column turns into JQL.
#[derive(Debug, Clone, Copy)]
pub struct FilterSpec {
    /// The JQL field (clause name).
    pub jql: &'static str,
    pub kind: FilterKind,
    /// Whether the JQL field supports `IS EMPTY` / `IS NOT EMPTY`.
    pub empty: bool,
}

/// What Jira's comparison on a field means, which decides what can be pushed down exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilterKind {
    /// Compared exactly (numeric ids, account ids): `= != IN NOT IN` are exact.
    Exact,
    /// Upper-case identifiers Jira matches ignoring case (project and issue keys): exact when
    /// the SQL literal is already upper case, otherwise a prefilter.
    UpperKey,
    /// Names Jira matches ignoring case (status, priority): always a prefilter.
    Name,
    /// Numbers (number custom fields): every comparison is exact.
    Number,
    /// Instants Jira compares at minute precision: bounds pushed as epoch milliseconds.
    Instant,
    /// Calendar days: compared exactly.
    Day,
    /// Free text searched with `~`: whole words only, as a prefilter.
    Words,
    /// The `JQL` pseudo column: its literal is passed through as JQL.
    RawJql,
}

impl ColumnDef {
    /// A column read from `source`, needing `fields` requested, not filterable.
    pub const fn new(
        name: &'static str,
        data_type: ColumnType,
        source: Source,
        fields: &'static [&'static str],
        description: &'static str,
    ) -> Self {
        ColumnDef {
            name,
            data_type,
            source,
            fields,
            filter: None,
            key: false,
            write: None,
            description,
        }
    }

    /// Conditions on this column become JQL on `jql` with `kind` semantics.
    pub const fn filter(mut self, jql: &'static str, kind: FilterKind) -> Self {
        self.filter = Some(FilterSpec {
            jql,
            kind,
            empty: false,
        });
        self
    }

    /// Like [`ColumnDef::filter`], for JQL fields that also support `IS [NOT] EMPTY`.
    pub const fn filter_or_empty(mut self, jql: &'static str, kind: FilterKind) -> Self {
        self.filter = Some(FilterSpec {
            jql,
            kind,
            empty: true,
        });
        self
    }

    /// Marks the column as (part of) the row's key.
    pub const fn key(mut self) -> Self {
        self.key = true;
        self
    }

    /// The column is written to `field` as `shape`, on create and on edit.
    pub const fn writes(mut self, field: &'static str, shape: Shape) -> Self {
        self.write = Some(WriteSpec {
            field,
            shape,
            create_only: false,
        });
        self
    }

    /// The column is written to `field` as `shape` when the row is created only.
    pub const fn creates(mut self, field: &'static str, shape: Shape) -> Self {
        self.write = Some(WriteSpec {
            field,
            shape,
            create_only: true,
        });
        self
    }
}

impl FilterKind {
    /// What SQL conditions on such a column reach Jira, for the catalog.
    pub fn describe(self) -> &'static str {
        match self {
            FilterKind::Exact => "= <> IN NOT IN: exact",
            FilterKind::UpperKey => {
                "= IN: exact for upper-case values, prefilter otherwise; <> NOT IN: upper-case values only"
            }
            FilterKind::Name => "= IN: prefilter (Jira ignores case)",
            FilterKind::Instant => ">= < on whole minutes: exact; > <= = and seconds: prefilter",
            FilterKind::Day => "= <> < <= > >= IN: exact",
            FilterKind::Number => "= <> < <= > >= IN NOT IN: exact",
            FilterKind::Words => "= LIKE: whole words as a prefilter (~)",
            FilterKind::RawJql => "=: the value is passed to Jira as JQL",
        }
    }
}

/// The columns issue-items tables share: its issue, who may see it, and the JQL that chooses
/// issues.
pub mod issue_item_columns {
    use super::{ColumnDef as C, ColumnType::*, FilterKind::*, Shape, Source::*};

    /// Who may see an item (worklogs and comments): written together, as Jira replaces
    /// `visibility` as a whole.
    pub const VISIBILITY_TYPE: C = C::new(
        "VisibilityType",
        Text,
        Path("visibility.type"),
        &[],
        "group or role when visibility is restricted, NULL when public.",
    )
    .writes("visibility.type", Shape::Text);

    pub const VISIBILITY_VALUE: C = C::new(
        "VisibilityValue",
        Text,
        Path("visibility.value"),
        &[],
        "The group or role that may see it.",
    )
    .writes("visibility.value", Shape::Text);

    pub const ISSUE_ID: C = C::new(
        "IssueId",
        Int,
        Parent("id"),
        &[],
        "Id of the issue it belongs to.",
    )
    .filter("id", Exact);

    pub const ISSUE_KEY: C = C::new(
        "IssueKey",
        Text,
        Parent("key"),
        &[],
        "Key of the issue it belongs to.",
    )
    .filter("key", UpperKey);

    pub const JQL: C = C::new(
        "JQL",
        Text,
        Pseudo,
        &[],
        "Pseudo column: WHERE JQL = '...' chooses the issues whose items are read. Always NULL in results.",
    )
    .filter("", RawJql);
}
