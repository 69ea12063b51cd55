//! The site's field catalog: what `GET /field` lists, which fields an issue response carries
//! for a `fields=` request, and which JQL clause names resolve to which field.
//!
//! One table serves all three so the emulator cannot contradict itself (the JQL evaluator
//! maps catalog ids to its own field kinds in `search.rs`).

/// A field's JSON schema as `GET /field` reports it.
#[derive(Debug)]
pub(crate) struct Schema {
    pub ty: &'static str,
    pub items: Option<&'static str>,
    /// `system` for system fields, `custom` (the plugin key) for custom fields.
    pub system: Option<&'static str>,
    pub custom: Option<&'static str>,
}

/// One field of the catalog.
#[derive(Debug)]
pub(crate) struct FieldDef {
    pub id: &'static str,
    pub name: &'static str,
    pub custom_id: Option<u64>,
    pub navigable: bool,
    pub orderable: bool,
    pub searchable: bool,
    pub clause_names: &'static [&'static str],
    pub schema: Option<Schema>,
    /// False for catalog-only entries (`issuekey`, `statusCategory`) that never appear inside
    /// an issue's `fields` object.
    pub rendered: bool,
}

const fn sys(ty: &'static str, system: &'static str) -> Option<Schema> {
    Some(Schema {
        ty,
        items: None,
        system: Some(system),
        custom: None,
    })
}

const fn sys_array(items: &'static str, system: &'static str) -> Option<Schema> {
    Some(Schema {
        ty: "array",
        items: Some(items),
        system: Some(system),
        custom: None,
    })
}

const fn custom(
    ty: &'static str,
    items: Option<&'static str>,
    plugin: &'static str,
) -> Option<Schema> {
    Some(Schema {
        ty,
        items,
        system: None,
        custom: Some(plugin),
    })
}

const fn field(
    id: &'static str,
    name: &'static str,
    navigable: bool,
    clause_names: &'static [&'static str],
    schema: Option<Schema>,
) -> FieldDef {
    FieldDef {
        id,
        name,
        custom_id: None,
        navigable,
        orderable: true,
        searchable: !clause_names.is_empty(),
        clause_names,
        schema,
        rendered: true,
    }
}

const fn custom_field(
    custom_id: u64,
    id: &'static str,
    name: &'static str,
    clause_names: &'static [&'static str],
    schema: Option<Schema>,
) -> FieldDef {
    FieldDef {
        id,
        name,
        custom_id: Some(custom_id),
        navigable: true,
        orderable: true,
        searchable: true,
        clause_names,
        schema,
        rendered: true,
    }
}

/// Ids of the custom fields.
pub(crate) const STORY_POINTS: &str = "customfield_10016";
pub(crate) const SPRINT: &str = "customfield_10020";
pub(crate) const TEAM: &str = "customfield_10030";
pub(crate) const TARGET_DATE: &str = "customfield_10040";
pub(crate) const REVIEWER: &str = "customfield_10050";
pub(crate) const DEPLOYED_AT: &str = "customfield_10060";
pub(crate) const PLATFORMS: &str = "customfield_10070";
pub(crate) const RELEASE_NOTES: &str = "customfield_10080";

/// Every field, in the order issue responses list them.
pub(crate) static FIELDS: &[FieldDef] = &[
    FieldDef {
        id: "issuekey",
        name: "Key",
        custom_id: None,
        navigable: true,
        orderable: false,
        searchable: false,
        clause_names: &["id", "issue", "issuekey", "key"],
        schema: None,
        rendered: false,
    },
    field(
        "summary",
        "Summary",
        true,
        &["summary"],
        sys("string", "summary"),
    ),
    field(
        "description",
        "Description",
        true,
        &["description"],
        sys("string", "description"),
    ),
    field(
        "environment",
        "Environment",
        true,
        &["environment"],
        sys("string", "environment"),
    ),
    field(
        "project",
        "Project",
        true,
        &["project"],
        sys("project", "project"),
    ),
    field(
        "issuetype",
        "Issue Type",
        true,
        &["issuetype", "type"],
        sys("issuetype", "issuetype"),
    ),
    field(
        "status",
        "Status",
        true,
        &["status"],
        sys("status", "status"),
    ),
    FieldDef {
        id: "statusCategory",
        name: "Status Category",
        custom_id: None,
        navigable: true,
        orderable: false,
        searchable: true,
        clause_names: &["statusCategory"],
        schema: None,
        rendered: false,
    },
    field(
        "priority",
        "Priority",
        true,
        &["priority"],
        sys("priority", "priority"),
    ),
    field(
        "resolution",
        "Resolution",
        true,
        &["resolution"],
        sys("resolution", "resolution"),
    ),
    field(
        "assignee",
        "Assignee",
        true,
        &["assignee"],
        sys("user", "assignee"),
    ),
    field(
        "reporter",
        "Reporter",
        true,
        &["reporter"],
        sys("user", "reporter"),
    ),
    field(
        "creator",
        "Creator",
        true,
        &["creator"],
        sys("user", "creator"),
    ),
    field(
        "labels",
        "Labels",
        true,
        &["labels"],
        sys_array("string", "labels"),
    ),
    field(
        "components",
        "Components",
        true,
        &["component"],
        sys_array("component", "components"),
    ),
    field(
        "fixVersions",
        "Fix versions",
        true,
        &["fixVersion"],
        sys_array("version", "fixVersions"),
    ),
    field(
        "versions",
        "Affects versions",
        true,
        &["affectedVersion"],
        sys_array("version", "versions"),
    ),
    FieldDef {
        id: "parent",
        name: "Parent",
        custom_id: None,
        navigable: true,
        orderable: false,
        searchable: true,
        clause_names: &["parent"],
        schema: None,
        rendered: true,
    },
    field(
        "subtasks",
        "Sub-tasks",
        true,
        &["subtasks"],
        sys_array("issuelinks", "subtasks"),
    ),
    field(
        "issuelinks",
        "Linked Issues",
        true,
        &["issueLink"],
        sys_array("issuelinks", "issuelinks"),
    ),
    field(
        "created",
        "Created",
        true,
        &["created", "createdDate"],
        sys("datetime", "created"),
    ),
    field(
        "updated",
        "Updated",
        true,
        &["updated", "updatedDate"],
        sys("datetime", "updated"),
    ),
    field(
        "resolutiondate",
        "Resolved",
        true,
        &["resolutiondate", "resolved"],
        sys("datetime", "resolutiondate"),
    ),
    field(
        "duedate",
        "Due date",
        true,
        &["due", "duedate"],
        sys("date", "duedate"),
    ),
    field(
        "lastViewed",
        "Last Viewed",
        true,
        &["lastViewed"],
        sys("datetime", "lastViewed"),
    ),
    field(
        "timespent",
        "Time Spent",
        true,
        &["timespent"],
        sys("number", "timespent"),
    ),
    field(
        "timeoriginalestimate",
        "Original estimate",
        true,
        &["originalEstimate", "timeoriginalestimate"],
        sys("number", "timeoriginalestimate"),
    ),
    field(
        "timeestimate",
        "Remaining Estimate",
        true,
        &["remainingEstimate", "timeestimate"],
        sys("number", "timeestimate"),
    ),
    field(
        "aggregatetimespent",
        "Σ Time Spent",
        true,
        &[],
        sys("number", "aggregatetimespent"),
    ),
    field(
        "aggregatetimeoriginalestimate",
        "Σ Original Estimate",
        true,
        &[],
        sys("number", "aggregatetimeoriginalestimate"),
    ),
    field(
        "aggregatetimeestimate",
        "Σ Remaining Estimate",
        true,
        &[],
        sys("number", "aggregatetimeestimate"),
    ),
    field(
        "workratio",
        "Work Ratio",
        true,
        &["workratio"],
        sys("number", "workratio"),
    ),
    field(
        "progress",
        "Progress",
        true,
        &["progress"],
        sys("progress", "progress"),
    ),
    field(
        "aggregateprogress",
        "Σ Progress",
        true,
        &[],
        sys("progress", "aggregateprogress"),
    ),
    field("votes", "Votes", true, &["votes"], sys("votes", "votes")),
    field(
        "watches",
        "Watchers",
        true,
        &["watchers"],
        sys("watches", "watches"),
    ),
    field(
        "security",
        "Security Level",
        true,
        &["level"],
        sys("securitylevel", "security"),
    ),
    field(
        "timetracking",
        "Time tracking",
        false,
        &[],
        sys("timetracking", "timetracking"),
    ),
    field(
        "attachment",
        "Attachment",
        false,
        &["attachments"],
        sys_array("attachment", "attachment"),
    ),
    field(
        "comment",
        "Comment",
        false,
        &["comment"],
        sys("comments-page", "comment"),
    ),
    field(
        "worklog",
        "Log Work",
        false,
        &[],
        sys_array("worklog", "worklog"),
    ),
    custom_field(
        10016,
        STORY_POINTS,
        "Story Points",
        &["cf[10016]", "Story Points", "Story Points[Number]"],
        custom(
            "number",
            None,
            "com.atlassian.jira.plugin.system.customfieldtypes:float",
        ),
    ),
    custom_field(
        10020,
        SPRINT,
        "Sprint",
        &["cf[10020]", "Sprint", "Sprint[Sprint]"],
        custom(
            "array",
            Some("json"),
            "com.pyxis.greenhopper.jira:gh-sprint",
        ),
    ),
    custom_field(
        10030,
        TEAM,
        "Team",
        &["cf[10030]", "Team", "Team[Dropdown]"],
        custom(
            "option",
            None,
            "com.atlassian.jira.plugin.system.customfieldtypes:select",
        ),
    ),
    custom_field(
        10040,
        TARGET_DATE,
        "Target Date",
        &["cf[10040]", "Target Date", "Target Date[Date]"],
        custom(
            "date",
            None,
            "com.atlassian.jira.plugin.system.customfieldtypes:datepicker",
        ),
    ),
    custom_field(
        10050,
        REVIEWER,
        "Reviewer",
        &[
            "cf[10050]",
            "Reviewer",
            "Reviewer[User Picker (single user)]",
        ],
        custom(
            "user",
            None,
            "com.atlassian.jira.plugin.system.customfieldtypes:userpicker",
        ),
    ),
    custom_field(
        10060,
        DEPLOYED_AT,
        "Deployed At",
        &["cf[10060]", "Deployed At", "Deployed At[Date Time Picker]"],
        custom(
            "datetime",
            None,
            "com.atlassian.jira.plugin.system.customfieldtypes:datetime",
        ),
    ),
    custom_field(
        10070,
        PLATFORMS,
        "Platforms",
        &["cf[10070]", "Platforms", "Platforms[Checkboxes]"],
        custom(
            "array",
            Some("option"),
            "com.atlassian.jira.plugin.system.customfieldtypes:multicheckboxes",
        ),
    ),
    custom_field(
        10080,
        RELEASE_NOTES,
        "Release Notes",
        &["cf[10080]", "Release Notes", "Release Notes[Short text]"],
        custom(
            "string",
            None,
            "com.atlassian.jira.plugin.system.customfieldtypes:textfield",
        ),
    ),
];

/// The field a JQL clause name designates (case-insensitive), if the catalog has it.
pub(crate) fn by_clause_name(name: &str) -> Option<&'static FieldDef> {
    FIELDS
        .iter()
        .find(|f| f.clause_names.iter().any(|c| c.eq_ignore_ascii_case(name)))
}

/// The custom field with the given numeric id (`cf[10016]`).
pub(crate) fn by_custom_id(id: u64) -> Option<&'static FieldDef> {
    FIELDS.iter().find(|f| f.custom_id == Some(id))
}

fn by_id(id: &str) -> Option<&'static FieldDef> {
    FIELDS
        .iter()
        .find(|f| f.rendered && f.id.eq_ignore_ascii_case(id))
}

/// What an endpoint returns when the request names no fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DefaultFields {
    /// `search/jql`: ids only.
    IdOnly,
    /// Legacy search: `*navigable`.
    Navigable,
    /// `GET issue`: everything.
    All,
}

/// Resolve a `fields` request (already split on commas) into the fields to render, in catalog
/// order. `*all`, `*navigable`, `id`, `key`, field ids and `-id` exclusions are understood;
/// unknown ids are ignored as Jira does. A request made of exclusions only starts from the
/// endpoint's full default (navigable for searches, all for `GET issue`).
pub(crate) fn select(requested: &[String], default: DefaultFields) -> Vec<&'static FieldDef> {
    let tokens: Vec<&str> = requested
        .iter()
        .flat_map(|r| r.split(','))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .collect();
    let mut all = false;
    let mut navigable = false;
    let mut positive = false;
    let mut include: Vec<&'static FieldDef> = Vec::new();
    let mut exclude: Vec<&'static FieldDef> = Vec::new();
    for t in &tokens {
        if t.eq_ignore_ascii_case("*all") {
            all = true;
            positive = true;
        } else if t.eq_ignore_ascii_case("*navigable") {
            navigable = true;
            positive = true;
        } else if let Some(x) = t.strip_prefix('-') {
            exclude.extend(by_id(x));
        } else {
            positive = true;
            include.extend(by_id(t));
        }
    }
    if !positive {
        match default {
            DefaultFields::IdOnly if tokens.is_empty() => {}
            DefaultFields::IdOnly | DefaultFields::Navigable => navigable = true,
            DefaultFields::All => all = true,
        }
    }
    FIELDS
        .iter()
        .filter(|f| f.rendered)
        .filter(|f| all || (navigable && f.navigable) || include.iter().any(|i| i.id == f.id))
        .filter(|f| !exclude.iter().any(|e| e.id == f.id))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(v: &[&FieldDef]) -> Vec<&'static str> {
        v.iter().map(|f| f.id).collect()
    }

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn defaults_per_endpoint() {
        assert!(select(&[], DefaultFields::IdOnly).is_empty());
        assert!(select(&s(&["id"]), DefaultFields::IdOnly).is_empty());
        assert!(select(&s(&["id,key"]), DefaultFields::IdOnly).is_empty());
        let nav = ids(&select(&[], DefaultFields::Navigable));
        assert!(nav.contains(&"summary") && !nav.contains(&"worklog") && !nav.contains(&"comment"));
        let all = ids(&select(&[], DefaultFields::All));
        assert!(all.contains(&"worklog") && all.contains(&"timetracking"));
    }

    #[test]
    fn lists_repeats_and_exclusions() {
        assert_eq!(
            ids(&select(
                &s(&["status,summary", "worklog", "nope"]),
                DefaultFields::IdOnly
            )),
            vec!["summary", "status", "worklog"]
        );
        let x = ids(&select(&s(&["-description"]), DefaultFields::IdOnly));
        assert!(x.contains(&"summary") && !x.contains(&"description") && !x.contains(&"comment"));
        let x = ids(&select(&s(&["*all,-comment"]), DefaultFields::IdOnly));
        assert!(x.contains(&"worklog") && !x.contains(&"comment"));
        assert_eq!(
            ids(&select(&s(&["customfield_10016"]), DefaultFields::IdOnly)),
            vec![STORY_POINTS]
        );
    }

    #[test]
    fn clause_names_resolve() {
        assert_eq!(by_clause_name("TYPE").map(|f| f.id), Some("issuetype"));
        assert_eq!(
            by_clause_name("story points").map(|f| f.id),
            Some(STORY_POINTS)
        );
        assert_eq!(by_clause_name("sprint").map(|f| f.id), Some(SPRINT));
        assert_eq!(by_custom_id(10040).map(|f| f.id), Some(TARGET_DATE));
        assert!(by_clause_name("universe").is_none());
    }
}
