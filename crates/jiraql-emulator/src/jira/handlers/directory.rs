//! Users, groups, filters (reference §3) and labels.

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};

use super::{Fail, Page, bad_order, bad_request, expand_set, ok, order_by, page_bean, respond};
use crate::jira::data::{Filter, Group, User};
use crate::jira::render::Product;
use crate::jira::server::{Ctx, View};

/// `GET /label`: every label an issue carries, once, in order, as a `PageBeanString` (Jira
/// pages them 1000 at most).
pub(crate) fn labels(s: &View, c: &Ctx, _: &[u8]) -> Response {
    respond((|| {
        let page = Page::from_query(c, 1000, 1000)?;
        let labels: std::collections::BTreeSet<&str> = s
            .data()
            .issues
            .iter()
            .flat_map(|i| i.labels.iter().map(String::as_str))
            .collect();
        let labels: Vec<&str> = labels.into_iter().collect();
        let r = c.renderer(s.data());
        ok(&page_bean(c, &r, "label", page, &labels, |l| json!(l)))
    })())
}

/// `GET /users/search`: a bare array, no total (keep paging until a page comes back empty).
pub(crate) fn users_search(s: &View, c: &Ctx, _: &[u8]) -> Response {
    respond((|| {
        let page = Page::from_query(c, 50, 1000)?;
        let r = c.renderer(s.data());
        let users = page
            .of(&s.data().users)
            .iter()
            .map(|u| r.user(&u.account_id))
            .collect();
        ok(&Value::Array(users))
    })())
}

/// `GET /user/search`: active users one of whose display-name or e-mail words starts with
/// `query` (ignoring case), or the user `accountId` names; `startAt`/`maxResults` page within
/// the first 1000 matches, as Jira documents.
pub(crate) fn user_search(s: &View, c: &Ctx, _: &[u8]) -> Response {
    respond((|| {
        // Cloud searches `query` (or one `accountId`); Data Center `username`, which matches
        // user names too.
        let (query, account) = match c.product {
            Product::Cloud => (c.query_one("query"), c.query_one("accountId")),
            Product::DataCenter => (c.query_one("username"), None),
        };
        let query = query.map(str::to_lowercase);
        if query.is_none() && account.is_none() {
            return Err(bad_request(match c.product {
                Product::Cloud => {
                    "One of the query parameters 'query', 'accountId' or 'property' must be \
                     provided."
                }
                Product::DataCenter => "The username query parameter was not provided",
            }));
        }
        let page = Page::from_query(c, 50, 1000)?;
        let words_start = |text: &str, q: &str| {
            text.to_lowercase()
                .split(|ch: char| !ch.is_alphanumeric())
                .any(|w| w.starts_with(q))
        };
        let matching: Vec<&User> = s
            .data()
            .users
            .iter()
            .filter(|u| u.active)
            .filter(|u| account.is_none_or(|a| u.account_id == a))
            .filter(|u| {
                query.as_deref().is_none_or(|q| {
                    words_start(&u.display_name, q)
                        || u.email_address
                            .as_deref()
                            .is_some_and(|e| words_start(e, q))
                        || (c.product == Product::DataCenter && words_start(&u.name, q))
                })
            })
            .take(1000)
            .collect();
        let r = c.renderer(s.data());
        let users = page
            .of(&matching)
            .iter()
            .map(|u| r.user(&u.account_id))
            .collect();
        ok(&Value::Array(users))
    })())
}

/// `GET /user?accountId=` (Cloud) or `?username=`/`?key=` (Data Center): one user with the
/// sizes of their groups and application roles (`expand=groups` lists the groups).
pub(crate) fn user(s: &View, c: &Ctx, _: &[u8]) -> Response {
    respond((|| {
        let found: Option<&User> = match c.product {
            Product::Cloud => {
                let id = c
                    .query_one("accountId")
                    .filter(|a| !a.trim().is_empty())
                    .ok_or_else(|| {
                        bad_request("The query parameter 'accountId' must be provided.")
                    })?;
                s.data().user(id.trim())
            }
            Product::DataCenter => match (c.query_one("username"), c.query_one("key")) {
                (Some(n), _) => s
                    .data()
                    .users
                    .iter()
                    .find(|u| u.name.eq_ignore_ascii_case(n)),
                (None, Some(k)) => s.data().users.iter().find(|u| u.key == k),
                (None, None) => {
                    return Err(bad_request(
                        "Either the 'username' or the 'key' query parameter must be provided.",
                    ));
                }
            },
        };
        let u = found.ok_or_else(|| {
            Fail::new(
                StatusCode::NOT_FOUND,
                vec![
                    "Specified user does not exist or you do not have required permissions".into(),
                ],
            )
        })?;
        let r = c.renderer(s.data());
        let groups: Vec<&Group> = s
            .data()
            .groups
            .iter()
            .filter(|g| g.members.contains(&u.account_id))
            .collect();
        let expand = expand_set(&c.query_all("expand"));
        let items: Vec<Value> = if expand.contains("groups") {
            groups
                .iter()
                .map(|g| {
                    json!({"name": g.name, "groupId": g.group_id,
                           "self": r.url(&format!("group?groupId={}", g.group_id))})
                })
                .collect()
        } else {
            Vec::new()
        };
        let mut v = r.user(&u.account_id);
        if let Some(m) = v.as_object_mut() {
            m.insert("locale".into(), json!("en_US"));
            m.insert(
                "groups".into(),
                json!({"size": groups.len(), "items": items}),
            );
            m.insert(
                "applicationRoles".into(),
                json!({"size": usize::from(u.active), "items": []}),
            );
            m.insert("expand".into(), json!("groups,applicationRoles"));
        }
        ok(&v)
    })())
}

/// `GET /group/bulk`: groups by name, filtered by repeated `groupId`/`groupName`,
/// `accessType` and `applicationKey`.
pub(crate) fn groups(s: &View, c: &Ctx, _: &[u8]) -> Response {
    respond((|| {
        let page = Page::from_query(c, 50, 50)?;
        let ids = c.query_all("groupId");
        let names = c.query_all("groupName");
        let access: Option<&[&str]> = match c.query_one("accessType") {
            None => None,
            Some("site-admin") => Some(&["site-admins"]),
            Some("admin") => Some(&["administrators", "jira-admins-jiraql-demo"]),
            Some("user") => Some(&["confluence-users", "jira-software-users-jiraql-demo"]),
            Some(other) => {
                return Err(bad_request(format!("Invalid access type: {other}.")));
            }
        };
        let application: Option<&[&str]> = match c.query_one("applicationKey") {
            None => None,
            Some("jira-software") => {
                Some(&["jira-admins-jiraql-demo", "jira-software-users-jiraql-demo"])
            }
            Some("jira-servicedesk" | "jira-product-discovery" | "jira-core") => Some(&[]),
            Some(other) => {
                return Err(bad_request(format!("Invalid application key: {other}.")));
            }
        };
        let matching: Vec<&Group> = s
            .data()
            .groups
            .iter()
            .filter(|g| ids.is_empty() || ids.contains(&g.group_id))
            .filter(|g| names.is_empty() || names.iter().any(|n| n.eq_ignore_ascii_case(&g.name)))
            .filter(|g| access.is_none_or(|a| a.contains(&g.name.as_str())))
            .filter(|g| application.is_none_or(|a| a.contains(&g.name.as_str())))
            .collect();
        let r = c.renderer(s.data());
        ok(&page_bean(c, &r, "group/bulk", page, &matching, |g| {
            r.group(g)
        }))
    })())
}

/// `GET /filter/search`: filters matching every given criterion (`filterName` as a
/// case-insensitive substring, owner `accountId`, repeated `id`; `groupname`/`groupId`/
/// `projectId` select shared filters, and nothing is shared here), ordered by `orderBy`
/// (default name). Only id, name and links are sent unless `expand` asks for more.
pub(crate) fn filters(s: &View, c: &Ctx, _: &[u8]) -> Response {
    respond((|| {
        let page = Page::from_query(c, 50, 100)?;
        let name = c.query_one("filterName").unwrap_or("").to_lowercase();
        let owner = c.query_one("accountId").or_else(|| c.query_one("owner"));
        let ids: Vec<String> = c
            .query_all("id")
            .iter()
            .flat_map(|x| {
                x.split(',')
                    .map(|y| y.trim().to_string())
                    .collect::<Vec<_>>()
            })
            .collect();
        let shared_with = ["groupname", "groupId", "projectId"]
            .iter()
            .any(|k| c.query_one(k).is_some_and(|v| !v.is_empty()));
        let mut matching: Vec<&Filter> = s
            .data()
            .filters
            .iter()
            .filter(|_| !shared_with)
            .filter(|f| f.name.to_lowercase().contains(&name))
            .filter(|f| owner.is_none_or(|o| o.is_empty() || f.owner == o))
            .filter(|f| ids.is_empty() || ids.contains(&f.id.to_string()))
            .collect();
        let (field, desc) = order_by(c, "name");
        let cmp: fn(&&Filter, &&Filter) -> std::cmp::Ordering = match field {
            "name" => |a, b| a.name.to_lowercase().cmp(&b.name.to_lowercase()),
            "id" => |a, b| a.id.cmp(&b.id),
            "description" => |a, b| a.description.cmp(&b.description),
            "owner" => |a, b| a.owner.cmp(&b.owner),
            "favourite_count" => |a, b| a.favourited_count.cmp(&b.favourited_count),
            "is_favourite" => |a, b| a.favourite.cmp(&b.favourite),
            "is_shared" => |_, _| std::cmp::Ordering::Equal,
            other => return Err(bad_order(other)),
        };
        matching.sort_by(|a, b| {
            let o = cmp(a, b);
            if desc { o.reverse() } else { o }
        });
        let expand = expand_set(&c.query_all("expand"));
        let r = c.renderer(s.data());
        ok(&page_bean(c, &r, "filter/search", page, &matching, |f| {
            r.filter(f, &expand)
        }))
    })())
}
