//! The route table and path matching. Every endpoint the emulator serves is one line here; a
//! request is known by `"METHOD template"` (e.g. `GET /rest/api/3/issue/{issueIdOrKey}`) in
//! the request log and in endpoint-specific faults. v2 routes reuse the v3 handlers: the
//! version only changes rendering.

use axum::response::Response;

use super::handlers as h;
use super::server::{Ctx, GATEWAY_TEMPLATE, View};

/// A handler: synchronous (it runs on the blocking pool), given the raw request body.
pub(crate) type Handler = fn(&View, &Ctx, &[u8]) -> Response;

/// Path parameters by template name.
pub(crate) type Params = Vec<(&'static str, String)>;

/// One endpoint.
pub(crate) struct Route {
    pub method: &'static str,
    pub template: &'static str,
    pub handler: Handler,
}

const fn r(method: &'static str, template: &'static str, handler: Handler) -> Route {
    Route {
        method,
        template,
        handler,
    }
}

/// Every endpoint. Cloud (`/rest/api/3`, `/rest/agile/1.0`) routes are also served under the
/// OAuth gateway prefix `/ex/jira/{cloudId}`; `/rest/api/2` is the Data Center flavour.
pub(crate) static ROUTES: &[Route] = &[
    // Issue search.
    r(
        "GET",
        "/rest/api/3/search/jql",
        h::issue_search::search_jql_get,
    ),
    r(
        "POST",
        "/rest/api/3/search/jql",
        h::issue_search::search_jql_post,
    ),
    r(
        "POST",
        "/rest/api/3/search/approximate-count",
        h::issue_search::approximate_count,
    ),
    r("GET", "/rest/api/3/search", h::issue_search::search_removed),
    r(
        "POST",
        "/rest/api/3/search",
        h::issue_search::search_removed,
    ),
    // Issues and what hangs off them.
    r("GET", "/rest/api/3/issue/{issueIdOrKey}", h::get_issue),
    r(
        "GET",
        "/rest/api/3/issue/{issueIdOrKey}/properties/{propertyKey}",
        h::issue_property,
    ),
    // Issue writes.
    r(
        "GET",
        "/rest/api/3/issue/createmeta/{projectIdOrKey}/issuetypes/{issueTypeId}",
        h::createmeta::create_fields,
    ),
    r("POST", "/rest/api/3/issue", h::issue_write::create_issue),
    r(
        "POST",
        "/rest/api/3/issue/bulk",
        h::issue_write::create_issues,
    ),
    r(
        "PUT",
        "/rest/api/3/issue/{issueIdOrKey}",
        h::issue_write::edit_issue,
    ),
    r(
        "DELETE",
        "/rest/api/3/issue/{issueIdOrKey}",
        h::issue_write::delete_issue,
    ),
    r(
        "GET",
        "/rest/api/3/issue/{issueIdOrKey}/transitions",
        h::issue_write::get_transitions,
    ),
    r(
        "POST",
        "/rest/api/3/issue/{issueIdOrKey}/transitions",
        h::issue_write::do_transition,
    ),
    r(
        "GET",
        "/rest/api/3/issue/{issueIdOrKey}/worklog",
        h::issue_worklogs,
    ),
    r(
        "GET",
        "/rest/api/3/issue/{issueIdOrKey}/comment",
        h::issue_comments,
    ),
    r(
        "POST",
        "/rest/api/3/issue/{issueIdOrKey}/worklog",
        h::item_write::add_worklog,
    ),
    r(
        "GET",
        "/rest/api/3/issue/{issueIdOrKey}/worklog/{id}",
        h::item_write::get_worklog,
    ),
    r(
        "PUT",
        "/rest/api/3/issue/{issueIdOrKey}/worklog/{id}",
        h::item_write::update_worklog,
    ),
    r(
        "DELETE",
        "/rest/api/3/issue/{issueIdOrKey}/worklog/{id}",
        h::item_write::delete_worklog,
    ),
    r(
        "POST",
        "/rest/api/3/issue/{issueIdOrKey}/comment",
        h::item_write::add_comment,
    ),
    r(
        "GET",
        "/rest/api/3/issue/{issueIdOrKey}/comment/{id}",
        h::item_write::get_comment,
    ),
    r(
        "PUT",
        "/rest/api/3/issue/{issueIdOrKey}/comment/{id}",
        h::item_write::update_comment,
    ),
    r(
        "DELETE",
        "/rest/api/3/issue/{issueIdOrKey}/comment/{id}",
        h::item_write::delete_comment,
    ),
    r(
        "GET",
        "/rest/api/3/issue/{issueIdOrKey}/changelog",
        h::history::issue_changelog,
    ),
    r(
        "POST",
        "/rest/api/3/changelog/bulkfetch",
        h::history::changelog_bulkfetch,
    ),
    r("POST", "/rest/api/3/comment/list", h::comment_list),
    r("GET", "/rest/api/3/worklog/updated", h::worklogs_updated),
    r("GET", "/rest/api/3/worklog/deleted", h::worklogs_deleted),
    r("POST", "/rest/api/3/worklog/list", h::worklog_list),
    r("GET", "/rest/api/3/issueLinkType", h::history::link_types),
    r(
        "GET",
        "/rest/api/3/issueLink/{linkId}",
        h::history::issue_link,
    ),
    r("GET", "/rest/api/3/attachment/{id}", h::history::attachment),
    // Site and catalog.
    r("GET", "/rest/api/3/myself", h::myself),
    r("GET", "/rest/api/3/serverInfo", h::server_info),
    r("GET", "/rest/api/3/field", h::field_list),
    r("GET", "/rest/api/3/status", h::statuses),
    r("GET", "/rest/api/3/priority", h::priorities),
    r("GET", "/rest/api/3/issuetype", h::issue_types),
    r("GET", "/rest/api/3/resolution", h::resolutions),
    r("GET", "/rest/api/3/label", h::directory::labels),
    // Projects.
    r(
        "GET",
        "/rest/api/3/project/search",
        h::projects::project_search,
    ),
    r(
        "GET",
        "/rest/api/3/project/{projectIdOrKey}",
        h::projects::project,
    ),
    r(
        "GET",
        "/rest/api/3/project/{projectIdOrKey}/components",
        h::projects::components,
    ),
    r(
        "GET",
        "/rest/api/3/project/{projectIdOrKey}/component",
        h::projects::components_page,
    ),
    r(
        "GET",
        "/rest/api/3/project/{projectIdOrKey}/versions",
        h::projects::versions,
    ),
    r(
        "GET",
        "/rest/api/3/project/{projectIdOrKey}/version",
        h::projects::versions_page,
    ),
    r(
        "GET",
        "/rest/api/3/project/{projectIdOrKey}/role",
        h::projects::roles,
    ),
    r(
        "GET",
        "/rest/api/3/project/{projectIdOrKey}/roledetails",
        h::projects::role_details,
    ),
    r(
        "GET",
        "/rest/api/3/project/{projectIdOrKey}/role/{id}",
        h::projects::role,
    ),
    // Users, groups, filters.
    r(
        "GET",
        "/rest/api/3/users/search",
        h::directory::users_search,
    ),
    r("GET", "/rest/api/3/user", h::directory::user),
    r("GET", "/rest/api/3/user/search", h::directory::user_search),
    r("GET", "/rest/api/3/project", h::projects::all_projects),
    r("GET", "/rest/api/3/group/bulk", h::directory::groups),
    r("GET", "/rest/api/3/filter/search", h::directory::filters),
    r(
        "GET",
        "/rest/api/3/filter/favourite",
        h::lookups::favourite_filters,
    ),
    r("GET", "/rest/api/3/filter/{id}", h::lookups::filter),
    r("GET", "/rest/api/3/status/{idOrName}", h::lookups::status),
    r(
        "GET",
        "/rest/api/3/statuscategory",
        h::lookups::status_categories,
    ),
    r(
        "GET",
        "/rest/api/3/statuscategory/{idOrKey}",
        h::lookups::status_category,
    ),
    r("GET", "/rest/api/3/priority/{id}", h::lookups::priority),
    r("GET", "/rest/api/3/resolution/{id}", h::lookups::resolution),
    r("GET", "/rest/api/3/issuetype/{id}", h::lookups::issue_type),
    r(
        "GET",
        "/rest/api/3/issueLinkType/{issueLinkTypeId}",
        h::lookups::link_type,
    ),
    r("GET", "/rest/api/3/component/{id}", h::lookups::component),
    r("GET", "/rest/api/3/version/{id}", h::lookups::version),
    r(
        "GET",
        "/rest/api/3/project/{projectIdOrKey}/statuses",
        h::lookups::project_statuses,
    ),
    // Agile.
    r("GET", "/rest/agile/1.0/board", h::agile::boards),
    r("GET", "/rest/agile/1.0/board/{boardId}", h::agile::board),
    r(
        "GET",
        "/rest/agile/1.0/board/{boardId}/sprint",
        h::agile::board_sprints,
    ),
    r(
        "GET",
        "/rest/agile/1.0/board/{boardId}/issue",
        h::agile::board_issues,
    ),
    r(
        "GET",
        "/rest/agile/1.0/board/{boardId}/epic",
        h::agile::board_epics,
    ),
    r("GET", "/rest/agile/1.0/sprint/{sprintId}", h::agile::sprint),
    r(
        "GET",
        "/rest/agile/1.0/sprint/{sprintId}/issue",
        h::agile::sprint_issues,
    ),
    // Data Center (v2).
    r(
        "GET",
        "/rest/api/2/search",
        h::issue_search::legacy_search_get,
    ),
    r(
        "POST",
        "/rest/api/2/search",
        h::issue_search::legacy_search_post,
    ),
    r("GET", "/rest/api/2/issue/{issueIdOrKey}", h::get_issue),
    r(
        "GET",
        "/rest/api/2/issue/{issueIdOrKey}/worklog",
        h::issue_worklogs,
    ),
    r(
        "GET",
        "/rest/api/2/issue/{issueIdOrKey}/comment",
        h::issue_comments,
    ),
    r("GET", "/rest/api/2/worklog/updated", h::worklogs_updated),
    r("GET", "/rest/api/2/worklog/deleted", h::worklogs_deleted),
    r("POST", "/rest/api/2/worklog/list", h::worklog_list),
    r("GET", "/rest/api/2/issueLinkType", h::history::link_types),
    r(
        "GET",
        "/rest/api/2/issueLink/{linkId}",
        h::history::issue_link,
    ),
    r("GET", "/rest/api/2/attachment/{id}", h::history::attachment),
    r("GET", "/rest/api/2/myself", h::myself),
    r("GET", "/rest/api/2/serverInfo", h::server_info),
    r("GET", "/rest/api/2/field", h::field_list),
    r(
        "GET",
        "/rest/api/2/project/{projectIdOrKey}",
        h::projects::project,
    ),
    r(
        "GET",
        "/rest/api/2/project/{projectIdOrKey}/components",
        h::projects::components,
    ),
    r(
        "GET",
        "/rest/api/2/project/{projectIdOrKey}/versions",
        h::projects::versions,
    ),
    r(
        "GET",
        "/rest/api/2/project/{projectIdOrKey}/version",
        h::projects::versions_page,
    ),
    r(
        "GET",
        "/rest/api/2/project/{projectIdOrKey}/role",
        h::projects::roles,
    ),
    r(
        "GET",
        "/rest/api/2/project/{projectIdOrKey}/role/{id}",
        h::projects::role,
    ),
    r("GET", "/rest/api/2/user", h::directory::user),
];

/// Which front door a path came through; decides authentication and rendering.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Family {
    /// `https://site.atlassian.net/rest/api/3|agile/1.0/...` with Basic email:token.
    Cloud,
    /// `/rest/api/2/...` with a Bearer personal access token.
    DataCenter,
    /// `/ex/jira/{cloudId}/rest/...` with a Bearer OAuth token.
    Gateway(String),
}

/// The outcome of matching a request.
pub(crate) enum Lookup {
    Found {
        family: Family,
        template: String,
        route: &'static Route,
        params: Params,
    },
    MethodNotAllowed {
        family: Family,
        template: String,
        allow: Vec<&'static str>,
    },
    NotFound {
        family: Option<Family>,
    },
}

impl Lookup {
    pub fn family(&self) -> Option<&Family> {
        match self {
            Lookup::Found { family, .. } | Lookup::MethodNotAllowed { family, .. } => Some(family),
            Lookup::NotFound { family } => family.as_ref(),
        }
    }

    /// The route template including any gateway prefix.
    pub fn template(&self) -> Option<&str> {
        match self {
            Lookup::Found { template, .. } | Lookup::MethodNotAllowed { template, .. } => {
                Some(template)
            }
            Lookup::NotFound { .. } => None,
        }
    }
}

fn is_cloud_path(p: &str) -> bool {
    p.starts_with("/rest/api/3/") || p.starts_with("/rest/agile/1.0/")
}

/// Match a request path (without query) against the table.
pub(crate) fn lookup(method: &str, path: &str) -> Lookup {
    let path = if path.len() > 1 {
        path.strip_suffix('/').unwrap_or(path)
    } else {
        path
    };
    let (family, inner, prefix) = if let Some(rest) = path.strip_prefix("/ex/jira/") {
        let (id, tail) = rest.split_once('/').unwrap_or((rest, ""));
        let inner = &path[path.len() - tail.len() - 1..];
        if !is_cloud_path(inner) {
            return Lookup::NotFound {
                family: Some(Family::Gateway(percent_decode(id))),
            };
        }
        (Family::Gateway(percent_decode(id)), inner, GATEWAY_TEMPLATE)
    } else if is_cloud_path(path) {
        (Family::Cloud, path, "")
    } else if path.starts_with("/rest/api/2/") {
        (Family::DataCenter, path, "")
    } else {
        return Lookup::NotFound { family: None };
    };
    let segments: Vec<&str> = inner.split('/').collect();
    let mut best: Option<(usize, &'static Route, Params)> = None;
    let mut path_matches: Vec<(usize, &'static Route)> = Vec::new();
    for route in ROUTES {
        let Some((score, params)) = match_template(route.template, &segments) else {
            continue;
        };
        path_matches.push((score, route));
        if route.method == method && best.as_ref().is_none_or(|(s, _, _)| score > *s) {
            best = Some((score, route, params));
        }
    }
    if let Some((_, route, params)) = best {
        return Lookup::Found {
            family,
            template: format!("{prefix}{}", route.template),
            route,
            params,
        };
    }
    let Some(top) = path_matches.iter().map(|(s, _)| *s).max() else {
        return Lookup::NotFound {
            family: Some(family),
        };
    };
    let winners: Vec<&&Route> = path_matches
        .iter()
        .filter(|(s, _)| *s == top)
        .map(|(_, r)| r)
        .collect();
    Lookup::MethodNotAllowed {
        family,
        template: format!("{prefix}{}", winners[0].template),
        allow: winners.iter().map(|r| r.method).collect(),
    }
}

/// Literal segments must be equal, `{name}` takes any non-empty segment. The score (number of
/// literal segments) prefers `/issue/bulkfetch` over `/issue/{issueIdOrKey}`.
fn match_template(template: &'static str, segments: &[&str]) -> Option<(usize, Params)> {
    let parts: Vec<&'static str> = template.split('/').collect();
    if parts.len() != segments.len() {
        return None;
    }
    let mut score = 0;
    let mut params = Vec::new();
    for (t, s) in parts.iter().zip(segments) {
        if let Some(name) = t.strip_prefix('{').and_then(|n| n.strip_suffix('}')) {
            if s.is_empty() {
                return None;
            }
            params.push((name, percent_decode(s)));
        } else if t == s {
            score += 1;
        } else {
            return None;
        }
    }
    Some((score, params))
}

/// Decode `%XX` escapes in a path segment (invalid escapes stay as written).
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(a), Some(b)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push(a * 16 + b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).and_then(|d| u8::try_from(d).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(method: &str, path: &str) -> Option<(String, Params)> {
        match lookup(method, path) {
            Lookup::Found {
                template, params, ..
            } => Some((template, params)),
            _ => None,
        }
    }

    #[test]
    fn templates_params_and_families() {
        assert_eq!(
            found("GET", "/rest/api/3/issue/DEMO-7/worklog"),
            Some((
                "/rest/api/3/issue/{issueIdOrKey}/worklog".to_string(),
                vec![("issueIdOrKey", "DEMO-7".to_string())]
            ))
        );
        assert_eq!(
            found("GET", "/ex/jira/abc-1/rest/api/3/issue/D%45MO-1"),
            Some((
                "/ex/jira/{cloudId}/rest/api/3/issue/{issueIdOrKey}".to_string(),
                vec![("issueIdOrKey", "DEMO-1".to_string())]
            ))
        );
        assert!(
            matches!(lookup("GET", "/ex/jira/abc/rest/api/3/myself").family(), Some(Family::Gateway(id)) if id == "abc")
        );
        assert!(matches!(
            lookup("GET", "/rest/api/2/myself").family(),
            Some(Family::DataCenter)
        ));
        assert!(matches!(
            lookup("DELETE", "/rest/api/3/myself"),
            Lookup::MethodNotAllowed { .. }
        ));
        assert!(matches!(
            lookup("GET", "/rest/api/3/nope"),
            Lookup::NotFound {
                family: Some(Family::Cloud)
            }
        ));
        assert!(matches!(
            lookup("GET", "/favicon.ico"),
            Lookup::NotFound { family: None }
        ));
        assert!(found("POST", "/rest/api/3/search/jql/").is_some());
        assert!(matches!(
            lookup("GET", "/ex/jira/abc/rest/api/2/myself"),
            Lookup::NotFound { .. }
        ));
    }

    #[test]
    fn every_template_is_unique_per_method() {
        let mut seen = std::collections::HashSet::new();
        for r in ROUTES {
            assert!(
                seen.insert((r.method, r.template)),
                "{} {}",
                r.method,
                r.template
            );
        }
    }
}
