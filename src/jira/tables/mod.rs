//! The Jira tables, each declared as data: its columns (type, where the value lives in Jira's
//! JSON, which Jira field must be requested for it, how a filter on it becomes JQL) and how its
//! rows are reached. The engine builds DataFusion providers, EXPLAIN output and the catalog from
//! these declarations alone, so adding a table is one small file here.

mod issues;
mod worklogs;

pub use issues::ISSUES;
pub use worklogs::WORKLOGS;

/// Every table jiraql offers over Jira, in catalog order.
pub fn all() -> &'static [&'static TableDef] {
    static ALL: [&TableDef; 2] = [&ISSUES, &WORKLOGS];
    &ALL
}

/// Finds a table by name, ignoring case.
pub fn find(name: &str) -> Option<&'static TableDef> {
    all()
        .iter()
        .copied()
        .find(|t| t.name.eq_ignore_ascii_case(name))
}

/// One table: what it is, its columns and how its rows are fetched.
#[derive(Debug)]
pub struct TableDef {
    pub name: &'static str,
    pub description: &'static str,
    pub columns: &'static [ColumnDef],
    pub access: Access,
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
}

/// The `…/updated` + `…/list` pair Jira offers to read children of every issue in bulk.
#[derive(Debug)]
pub struct BulkChildren {
    /// Ids changed since `since` (epoch ms), 1000 a page, cursor by `nextPage`.
    pub changed: &'static str,
    /// Field of each changed entry that holds the child id.
    pub changed_id: &'static str,
    /// POST body `{"ids": [...]}`, answers a bare array.
    pub list: &'static str,
    /// Most ids `list` takes at once.
    pub list_cap: usize,
}

/// One column.
#[derive(Debug)]
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
    pub description: &'static str,
}

/// The SQL types jiraql gives Jira values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    Text,
    Int,
    Float,
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
    Path(&'static str),
    /// A dotted path to a rich-text body: ADF on Cloud, a plain string on Data Center.
    RichText(&'static str),
    /// An array at the first path whose items' second path is collected (`fields.components`, `name`).
    List(&'static str, &'static str),
    /// A value of the parent issue the row was read through (`key`), for child tables.
    ParentIssue(&'static str),
    /// Not stored in Jira: the raw-JQL pseudo column, always NULL in results.
    Pseudo,
}

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
}
