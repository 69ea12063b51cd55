//! Projects and what hangs off them: the project search, one project, its components,
//! versions and roles (reference §3).

use std::collections::HashMap;

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};

use super::{Fail, Page, bad_order, expand_set, ok, order_by, page_bean, respond};
use crate::jira::data::{Actor, Component, Project, Version};
use crate::jira::server::{Ctx, View};

/// The project named by `{projectIdOrKey}`, or Jira's 404.
fn find_project<'a>(s: &'a View, c: &Ctx) -> Result<&'a Project, Fail> {
    let wanted = c.param("projectIdOrKey");
    s.data().project_by_id_or_key(wanted).ok_or_else(|| {
        let what = if wanted.parse::<u64>().is_ok() {
            "id"
        } else {
            "key"
        };
        Fail::new(
            StatusCode::NOT_FOUND,
            vec![format!("No project could be found with {what} '{wanted}'.")],
        )
    })
}

/// Case-insensitive "contains" on any of `texts`; an empty needle matches everything.
fn contains_any(needle: &str, texts: &[&str]) -> bool {
    let needle = needle.to_lowercase();
    needle.is_empty() || texts.iter().any(|t| t.to_lowercase().contains(&needle))
}

/// Sort `items` by `key`, descending when asked; ties keep their order.
fn sort_by<T, K: Ord>(items: &mut [T], descending: bool, key: impl Fn(&T) -> K) {
    items.sort_by(|a, b| {
        let o = key(a).cmp(&key(b));
        if descending { o.reverse() } else { o }
    });
}

/// `GET /project`: every project, unpaged (deprecated in favour of `project/search`, and still
/// served by Jira Cloud; clients such as jira-python call it).
pub(crate) fn all_projects(s: &View, c: &Ctx, _: &[u8]) -> Response {
    let r = c.renderer(s.data());
    let projects = s.data().projects.iter().map(|p| r.project(p.id)).collect();
    respond(ok(&Value::Array(projects)))
}

pub(crate) fn project_search(s: &View, c: &Ctx, _: &[u8]) -> Response {
    respond((|| {
        let page = Page::from_query(c, 50, 100)?;
        let q = c.query_one("query").unwrap_or("");
        let list = |name: &str| -> Vec<String> {
            c.query_all(name)
                .iter()
                .flat_map(|k| {
                    k.split(',')
                        .map(|x| x.trim().to_string())
                        .collect::<Vec<_>>()
                })
                .filter(|x| !x.is_empty())
                .collect()
        };
        let keys = list("keys");
        let ids = list("id");
        let type_key = c.query_one("typeKey").map(str::to_lowercase);
        let mut matching: Vec<&Project> = s
            .data()
            .projects
            .iter()
            .filter(|p| contains_any(q, &[&p.key, &p.name]))
            .filter(|p| keys.is_empty() || keys.iter().any(|k| k.eq_ignore_ascii_case(&p.key)))
            .filter(|p| ids.is_empty() || ids.contains(&p.id.to_string()))
            .filter(|p| {
                type_key
                    .as_ref()
                    .is_none_or(|t| t.split(',').any(|t| t == p.project_type_key))
            })
            .collect();
        let (field, desc) = order_by(c, "key");
        match field {
            "key" => sort_by(&mut matching, desc, |p| p.key.clone()),
            "name" => sort_by(&mut matching, desc, |p| p.name.to_lowercase()),
            "id" => sort_by(&mut matching, desc, |p| p.id),
            "issueCount" => {
                let mut counts: HashMap<u64, usize> = HashMap::new();
                for i in &s.data().issues {
                    *counts.entry(i.project_id).or_default() += 1;
                }
                sort_by(&mut matching, desc, |p| {
                    counts.get(&p.id).copied().unwrap_or(0)
                });
            }
            other => return Err(bad_order(other)),
        }
        if matching.is_empty() {
            return Err(Fail::new(
                StatusCode::NOT_FOUND,
                vec!["No projects found for the search criteria.".into()],
            ));
        }
        let r = c.renderer(s.data());
        // `expand=description,lead` adds those to each project, as Jira does.
        let expand = expand_set(&c.query_all("expand"));
        ok(&page_bean(c, &r, "project/search", page, &matching, |p| {
            let mut v = r.project(p.id);
            if let Some(m) = v.as_object_mut() {
                if expand.contains("description") {
                    m.insert("description".into(), json!(p.description));
                }
                if expand.contains("lead") {
                    m.insert("lead".into(), r.user(&p.lead));
                }
            }
            v
        }))
    })())
}

/// `GET /project/{projectIdOrKey}`.
pub(crate) fn project(s: &View, c: &Ctx, _: &[u8]) -> Response {
    respond((|| {
        let p = find_project(s, c)?;
        ok(&c.renderer(s.data()).project_full(p))
    })())
}

fn components_of<'a>(s: &'a View, p: &Project) -> Vec<&'a Component> {
    let mut all: Vec<&Component> = s
        .data()
        .components
        .iter()
        .filter(|x| x.project_id == p.id)
        .collect();
    all.sort_by_key(|x| x.name.to_lowercase());
    all
}

/// `GET /project/{key}/components`: every component, by name.
pub(crate) fn components(s: &View, c: &Ctx, _: &[u8]) -> Response {
    respond((|| {
        let p = find_project(s, c)?;
        let r = c.renderer(s.data());
        let all = components_of(s, p)
            .into_iter()
            .filter(|_| from_jira(c))
            .map(|x| r.component(x, None))
            .collect();
        ok(&Value::Array(all))
    })())
}

/// `componentSource`: Jira's own components (`jira`, the default, and `auto` while Compass is
/// off); `compass` lists none on this site.
fn from_jira(c: &Ctx) -> bool {
    !c.query_one("componentSource")
        .is_some_and(|v| v.eq_ignore_ascii_case("compass"))
}

/// `GET /project/{key}/component`: a page of components with their issue counts; `query`
/// matches name or description; `orderBy` name (default), description, issueCount, lead.
pub(crate) fn components_page(s: &View, c: &Ctx, _: &[u8]) -> Response {
    respond((|| {
        let p = find_project(s, c)?;
        let page = Page::from_query(c, 50, 50)?;
        let q = c.query_one("query").unwrap_or("");
        let mut counts: HashMap<u64, usize> = HashMap::new();
        for i in s.data().issues.iter().filter(|i| i.project_id == p.id) {
            for &cid in &i.component_ids {
                *counts.entry(cid).or_default() += 1;
            }
        }
        let count = |x: &Component| counts.get(&x.id).copied().unwrap_or(0);
        let mut matching: Vec<&Component> = components_of(s, p)
            .into_iter()
            .filter(|_| from_jira(c))
            .filter(|x| contains_any(q, &[&x.name, &x.description]))
            .collect();
        let (field, desc) = order_by(c, "name");
        match field {
            "name" => sort_by(&mut matching, desc, |x| x.name.to_lowercase()),
            "description" => sort_by(&mut matching, desc, |x| x.description.to_lowercase()),
            "issueCount" => sort_by(&mut matching, desc, |x| count(x)),
            "lead" => sort_by(&mut matching, desc, |x| {
                x.lead
                    .as_ref()
                    .and_then(|a| s.data().user(a))
                    .map(|u| u.display_name.to_lowercase())
            }),
            other => return Err(bad_order(other)),
        }
        let r = c.renderer(s.data());
        let path = format!("project/{}/component", c.param("projectIdOrKey"));
        ok(&page_bean(c, &r, &path, page, &matching, |x| {
            r.component(x, Some(count(x)))
        }))
    })())
}

fn versions_of<'a>(s: &'a View, p: &Project) -> Vec<&'a Version> {
    let mut all: Vec<&Version> = s
        .data()
        .versions
        .iter()
        .filter(|v| v.project_id == p.id)
        .collect();
    all.sort_by_key(|v| v.sequence);
    all
}

/// `expand=issuesstatus`: issue counts per status category for every version of the project
/// (`issuesStatusForFixVersion`).
fn issues_status(s: &View, p: &Project) -> HashMap<u64, Value> {
    let mut counts: HashMap<u64, [u64; 3]> = HashMap::new();
    for i in s.data().issues.iter().filter(|i| i.project_id == p.id) {
        let slot = match s.data().status(i.status_id).map(|st| st.category_id) {
            Some(2) => 0,
            Some(4) => 1,
            _ => 2,
        };
        for &v in &i.fix_version_ids {
            counts.entry(v).or_default()[slot] += 1;
        }
    }
    versions_of(s, p)
        .into_iter()
        .map(|v| {
            let [to_do, in_progress, done] = counts.get(&v.id).copied().unwrap_or_default();
            (
                v.id,
                json!({"unmapped": 0, "toDo": to_do, "inProgress": in_progress, "done": done}),
            )
        })
        .collect()
}

/// Renders versions, with `issuesStatusForFixVersion` when `expand` asks for it.
fn version_renderer<'a>(s: &'a View, c: &'a Ctx, p: &Project) -> impl Fn(&&Version) -> Value + 'a {
    let status = expand_set(&c.query_all("expand"))
        .contains("issuesstatus")
        .then(|| issues_status(s, p));
    let r = c.renderer(s.data());
    move |v: &&Version| {
        let st = status.as_ref().and_then(|m| m.get(&v.id).cloned());
        r.version(v, st)
    }
}

/// `GET /project/{key}/versions`: every version in sequence order.
pub(crate) fn versions(s: &View, c: &Ctx, _: &[u8]) -> Response {
    respond((|| {
        let p = find_project(s, c)?;
        let render = version_renderer(s, c, p);
        ok(&Value::Array(
            versions_of(s, p).iter().map(render).collect(),
        ))
    })())
}

/// `GET /project/{key}/version`: a page of versions; `query` on name/description, `status`
/// (released, unreleased, archived), `orderBy` sequence (default), name, releaseDate,
/// startDate, description.
pub(crate) fn versions_page(s: &View, c: &Ctx, _: &[u8]) -> Response {
    respond((|| {
        let p = find_project(s, c)?;
        let page = Page::from_query(c, 50, 50)?;
        let q = c.query_one("query").unwrap_or("");
        let statuses: Vec<String> = c
            .query_one("status")
            .unwrap_or("")
            .split(',')
            .map(|x| x.trim().to_lowercase())
            .filter(|x| !x.is_empty())
            .collect();
        let status_of = |v: &Version| {
            if v.archived {
                "archived"
            } else if v.released {
                "released"
            } else {
                "unreleased"
            }
        };
        let mut matching: Vec<&Version> = versions_of(s, p)
            .into_iter()
            .filter(|v| contains_any(q, &[&v.name, &v.description]))
            .filter(|v| statuses.is_empty() || statuses.iter().any(|x| x == status_of(v)))
            .collect();
        let (field, desc) = order_by(c, "sequence");
        // Undated versions sort last ascending (first descending), as empty values do in Jira.
        let dated = |d: Option<chrono::NaiveDate>| (d.is_none(), d);
        match field {
            "sequence" => sort_by(&mut matching, desc, |v| v.sequence),
            "name" => sort_by(&mut matching, desc, |v| v.name.to_lowercase()),
            "description" => sort_by(&mut matching, desc, |v| v.description.to_lowercase()),
            "releaseDate" => sort_by(&mut matching, desc, |v| dated(v.release_date)),
            "startDate" => sort_by(&mut matching, desc, |v| dated(v.start_date)),
            other => return Err(bad_order(other)),
        }
        let render = version_renderer(s, c, p);
        let r = c.renderer(s.data());
        let path = format!("project/{}/version", c.param("projectIdOrKey"));
        ok(&page_bean(c, &r, &path, page, &matching, render))
    })())
}

/// `GET /project/{key}/role`: role name → URL.
pub(crate) fn roles(s: &View, c: &Ctx, _: &[u8]) -> Response {
    respond((|| {
        let p = find_project(s, c)?;
        ok(&c.renderer(s.data()).role_links(p))
    })())
}

/// `GET /project/{key}/roledetails`: `ProjectRoleDetails` (no actors, as the spec has it);
/// `currentMember=true` keeps the roles the caller holds (directly or through a group).
pub(crate) fn role_details(s: &View, c: &Ctx, _: &[u8]) -> Response {
    respond((|| {
        let p = find_project(s, c)?;
        let only_mine = c
            .query_one("currentMember")
            .is_some_and(|v| v.eq_ignore_ascii_case("true"));
        let me = &s.data().myself;
        let holds = |role_id: u64| {
            s.data()
                .role_actors_of(p.id, role_id)
                .any(|a| match &a.actor {
                    Actor::User(u) => u == me,
                    Actor::Group(g) => s
                        .data()
                        .group_by_name(g)
                        .is_some_and(|g| g.members.contains(me)),
                })
        };
        let r = c.renderer(s.data());
        let all = s
            .data()
            .roles
            .iter()
            .filter(|role| !only_mine || holds(role.id))
            .map(|role| r.role_details(p, role))
            .collect();
        ok(&Value::Array(all))
    })())
}

/// `GET /project/{key}/role/{id}`: the role with this project's actors
/// (`excludeInactiveUsers=true` drops inactive users).
pub(crate) fn role(s: &View, c: &Ctx, _: &[u8]) -> Response {
    respond((|| {
        let p = find_project(s, c)?;
        let wanted = c.param("id");
        let role = wanted
            .parse::<u64>()
            .ok()
            .and_then(|id| s.data().role(id))
            .ok_or_else(|| {
                Fail::new(
                    StatusCode::NOT_FOUND,
                    vec![format!("Could not find project role with id '{wanted}'.")],
                )
            })?;
        let mut v = c.renderer(s.data()).role(p, role);
        let exclude_inactive = c
            .query_one("excludeInactiveUsers")
            .is_some_and(|x| x.eq_ignore_ascii_case("true"));
        if exclude_inactive && let Some(Value::Array(actors)) = v.get_mut("actors") {
            actors.retain(|a| {
                a["actorUser"]["accountId"]
                    .as_str()
                    .and_then(|id| s.data().user(id))
                    .is_none_or(|u| u.active)
            });
        }
        ok(&v)
    })())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contains_is_case_insensitive() {
        assert!(contains_any("", &["x"]));
        assert!(contains_any("ACK", &["Backend"]));
        assert!(!contains_any("zz", &["Backend", "front"]));
    }
}
