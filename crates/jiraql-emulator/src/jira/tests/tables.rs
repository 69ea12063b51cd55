//! The endpoints behind jiraql's tables beyond issues and worklogs: every item exactly once
//! across pages, filters and orders as documented, Jira's error bodies.

use std::collections::HashSet;

use serde_json::{Value, json};

use super::{Client, emulator, expected};
use crate::jira::data::{Actor, EPIC};

mod agile;
mod history;

/// Follows a `PageBean` listing from `path` (with its query) through `nextPage`, checking the
/// envelope on every page; every value, in order.
async fn page_bean_all(c: &Client, path: &str) -> Vec<Value> {
    let mut url = path.to_string();
    let mut out: Vec<Value> = Vec::new();
    let mut total = None;
    loop {
        let (status, page) = c.get(&url).await;
        assert_eq!(status, 200, "{url}: {page}");
        for k in ["self", "maxResults", "startAt", "total", "isLast", "values"] {
            assert!(page.get(k).is_some(), "{url}: no {k} in {page}");
        }
        assert_eq!(page["startAt"], out.len(), "{url}");
        assert!(
            page["self"]
                .as_str()
                .is_some_and(|s| s.starts_with(&c.base))
        );
        match &total {
            Some(t) => assert_eq!(&page["total"], t, "{url}"),
            None => total = Some(page["total"].clone()),
        }
        let values = page["values"].as_array().expect("values");
        assert!(
            values.len() as u64 <= page["maxResults"].as_u64().expect("maxResults"),
            "{url}"
        );
        out.extend(values.iter().cloned());
        if page["isLast"] == json!(true) {
            assert!(page.get("nextPage").is_none(), "{url}");
            break;
        }
        url = page["nextPage"]
            .as_str()
            .expect("nextPage")
            .trim_start_matches(&c.base)
            .to_string();
    }
    assert_eq!(total, Some(json!(out.len())));
    out
}

fn ids(values: &[Value], key: &str) -> Vec<String> {
    values
        .iter()
        .map(|v| match &v[key] {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })
        .collect()
}

async fn assert_error(c: &Client, path: &str, status: u16, message: &str) {
    let (got, body) = c.get(path).await;
    assert_eq!(got, status, "{path}: {body}");
    assert_eq!(
        body,
        json!({"errorMessages": [message], "errors": {}}),
        "{path}"
    );
}

#[tokio::test]
async fn projects_components_versions_and_roles() {
    let emu = emulator(600).await;
    let c = Client::cloud(&emu);
    let d = emu.data();

    // project/search: key order by default, every project once across pages.
    let all = page_bean_all(&c, "/rest/api/3/project/search?maxResults=2").await;
    let mut keys: Vec<String> = d.projects.iter().map(|p| p.key.clone()).collect();
    keys.sort();
    assert_eq!(ids(&all, "key"), keys);
    let (_, by_name) = c
        .get("/rest/api/3/project/search?orderBy=-name&maxResults=1")
        .await;
    assert_eq!(by_name["values"][0]["name"], "Web Platform");
    assert!(
        by_name["nextPage"]
            .as_str()
            .is_some_and(|n| n.contains("orderBy=-name") && n.contains("startAt=1"))
    );

    let demo = &d.projects[0];
    let (status, p) = c.get("/rest/api/3/project/demo").await;
    assert_eq!(status, 200);
    assert_eq!(p["key"], "DEMO");
    assert_eq!(p["lead"]["accountId"], demo.lead);
    assert_eq!(p["description"], demo.description);
    assert_eq!(p["components"].as_array().map(Vec::len), Some(3));
    assert_eq!(p["versions"].as_array().map(Vec::len), Some(5));
    assert_eq!(p["roles"].as_object().map(|m| m.len()), Some(3));
    let (status, _) = c.get(&format!("/rest/api/3/project/{}", demo.id)).await;
    assert_eq!(status, 200);
    assert_error(
        &c,
        "/rest/api/3/project/NOPE/components",
        404,
        "No project could be found with key 'NOPE'.",
    )
    .await;
    assert_error(
        &c,
        "/rest/api/3/project/99999/version",
        404,
        "No project could be found with id '99999'.",
    )
    .await;

    // Components: the bare array by name, the page with issue counts.
    let mut want: Vec<_> = d
        .components
        .iter()
        .filter(|x| x.project_id == demo.id)
        .collect();
    want.sort_by_key(|x| x.name.to_lowercase());
    let (_, bare) = c.get("/rest/api/3/project/DEMO/components").await;
    let bare = bare.as_array().expect("bare array").clone();
    assert_eq!(
        ids(&bare, "id"),
        want.iter().map(|x| x.id.to_string()).collect::<Vec<_>>()
    );
    assert!(
        bare.iter()
            .all(|x| x["project"] == "DEMO" && x["projectId"] == demo.id)
    );
    let paged = page_bean_all(&c, "/rest/api/3/project/DEMO/component?maxResults=1").await;
    assert_eq!(ids(&paged, "id"), ids(&bare, "id"));
    for v in &paged {
        let id: u64 = v["id"].as_str().and_then(|s| s.parse().ok()).expect("id");
        let count = d
            .issues
            .iter()
            .filter(|i| i.component_ids.contains(&id))
            .count();
        assert_eq!(v["issueCount"], count);
    }
    let (_, q) = c
        .get("/rest/api/3/project/DEMO/component?query=END&orderBy=-name")
        .await;
    assert_eq!(
        ids(q["values"].as_array().expect("values"), "name"),
        ["Frontend", "Backend"]
    );
    assert_error(
        &c,
        "/rest/api/3/project/DEMO/component?orderBy=colour",
        400,
        "The value 'colour' is not supported for orderBy.",
    )
    .await;

    // Versions: sequence order; the page filters by status.
    let want: Vec<String> = d
        .versions
        .iter()
        .filter(|v| v.project_id == demo.id)
        .map(|v| v.id.to_string())
        .collect();
    let (_, bare) = c.get("/rest/api/3/project/DEMO/versions").await;
    assert_eq!(ids(bare.as_array().expect("array"), "id"), want);
    let paged = page_bean_all(&c, "/rest/api/3/project/DEMO/version?maxResults=2").await;
    assert_eq!(ids(&paged, "id"), want);
    let released = page_bean_all(
        &c,
        "/rest/api/3/project/DEMO/version?status=released,archived&maxResults=1",
    )
    .await;
    assert_eq!(ids(&released, "name"), ["1.0", "1.1", "2.0"]);
    let (_, st) = c
        .get("/rest/api/3/project/DEMO/version?expand=issuesstatus&orderBy=-releaseDate")
        .await;
    // Undated versions sort first descending, as empty values do.
    assert_eq!(st["values"][0]["name"], "Backlog bucket");
    let first = &st["values"][1];
    assert_eq!(first["name"], "2.1");
    assert!(first["issuesStatusForFixVersion"]["toDo"].is_u64());

    // Roles.
    let (_, links) = c.get("/rest/api/3/project/DEMO/role").await;
    let dev_url = links["Developers"].as_str().expect("Developers");
    assert!(dev_url.ends_with("/rest/api/3/project/DEMO/role/10000"));
    let (_, details) = c.get("/rest/api/3/project/DEMO/roledetails").await;
    let details = details.as_array().expect("array");
    assert_eq!(details.len(), 3);
    assert!(details.iter().all(|r| r.get("actors").is_none()));
    let (_, mine) = c
        .get("/rest/api/3/project/DEMO/roledetails?currentMember=true")
        .await;
    assert!(
        mine.as_array()
            .is_some_and(|m| !m.is_empty() && m.len() <= 3)
    );
    for role in &d.roles {
        let (status, r) = c
            .get(&format!("/rest/api/3/project/DEMO/role/{}", role.id))
            .await;
        assert_eq!(status, 200);
        assert_eq!(r["name"], role.name);
        let actors = r["actors"].as_array().expect("actors");
        let want: Vec<_> = d.role_actors_of(demo.id, role.id).collect();
        assert_eq!(actors.len(), want.len());
        for (got, a) in actors.iter().zip(want) {
            assert_eq!(got["id"], a.id);
            match &a.actor {
                Actor::User(u) => {
                    assert_eq!(got["type"], "atlassian-user-role-actor");
                    assert_eq!(got["actorUser"]["accountId"], json!(u));
                }
                Actor::Group(g) => {
                    assert_eq!(got["type"], "atlassian-group-role-actor");
                    assert_eq!(got["actorGroup"]["name"], json!(g));
                    assert!(got["actorGroup"]["groupId"].is_string());
                }
            }
        }
    }
    assert_error(
        &c,
        "/rest/api/3/project/DEMO/role/4",
        404,
        "Could not find project role with id '4'.",
    )
    .await;

    // Through the gateway and Data Center.
    let cloud_id = emu.config().cloud_id.clone();
    let (status, via) = c
        .get(&format!(
            "/ex/jira/{cloud_id}/rest/api/3/project/DEMO/components"
        ))
        .await;
    assert_eq!(status, 200);
    assert!(
        via[0]["self"]
            .as_str()
            .is_some_and(|s| s.contains("/ex/jira/"))
    );
    let dc: Value = reqwest::Client::new()
        .get(format!(
            "{}/rest/api/2/project/DEMO/role/10000",
            emu.base_url()
        ))
        .bearer_auth("demo-pat")
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    assert!(dc["actors"].as_array().is_some_and(|a| !a.is_empty()));
    let log = emu.requests();
    assert!(
        log.iter().any(|r| r.endpoint
            == "GET /ex/jira/{cloudId}/rest/api/3/project/{projectIdOrKey}/components")
    );
    assert!(
        log.iter()
            .any(|r| r.endpoint == "GET /rest/api/2/project/{projectIdOrKey}/role/{id}")
    );
    assert_eq!(
        emu.request_count("GET /rest/api/3/project/{projectIdOrKey}/component"),
        5
    );
}

#[tokio::test]
async fn comments_by_id() {
    let emu = emulator(400).await;
    let c = Client::cloud(&emu);
    let all: Vec<u64> = emu.data().comments.iter().map(|x| x.id).collect();
    assert!(all.len() > 1000, "{}", all.len());
    let mut got = Vec::new();
    for chunk in all.chunks(998) {
        let mut ids: Vec<Value> = chunk.iter().rev().map(|&i| json!(i)).collect();
        ids.push(json!(1)); // unknown: left out
        ids.push(json!(chunk[0].to_string())); // repeated, as a string
        let (status, page) = c
            .post("/rest/api/3/comment/list", &json!({"ids": ids}))
            .await;
        assert_eq!(status, 200, "{page}");
        assert_eq!(page["isLast"], true);
        assert_eq!(page["startAt"], 0);
        assert_eq!(page["total"], chunk.len());
        for v in page["values"].as_array().expect("values") {
            got.push(
                v["id"]
                    .as_str()
                    .and_then(|s| s.parse::<u64>().ok())
                    .expect("id"),
            );
        }
    }
    assert_eq!(got, all, "every comment once, in id order");
    let data = emu.data();
    let first = &data.comments[0];
    let (_, page) = c
        .post(
            "/rest/api/3/comment/list?expand=properties",
            &json!({"ids": [first.id]}),
        )
        .await;
    assert_eq!(
        page["values"][0]["author"]["accountId"],
        json!(first.author)
    );
    assert_eq!(page["values"][0]["properties"], json!([]));
    let too_many: Vec<u64> = (0..1001).collect();
    let (status, body) = c
        .post("/rest/api/3/comment/list", &json!({"ids": too_many}))
        .await;
    assert_eq!(status, 400);
    assert_eq!(
        body["errorMessages"][0],
        "The request must contain between 1 and 1000 comment IDs; it contained 1001."
    );
    let (status, _) = c
        .post("/rest/api/3/comment/list", &json!({"ids": []}))
        .await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn users_groups_and_filters() {
    let emu = emulator(50).await;
    let c = Client::cloud(&emu);
    let d = emu.data();

    let u = &d.users[3];
    let (status, v) = c
        .get(&format!(
            "/rest/api/3/user?accountId={}&expand=groups",
            u.account_id
        ))
        .await;
    assert_eq!(status, 200);
    assert_eq!(v["displayName"], u.display_name);
    let member_of = d
        .groups
        .iter()
        .filter(|g| g.members.contains(&u.account_id))
        .count();
    assert_eq!(v["groups"]["size"], member_of);
    assert_eq!(
        v["groups"]["items"].as_array().map(Vec::len),
        Some(member_of)
    );
    assert_error(
        &c,
        "/rest/api/3/user?accountId=nobody",
        404,
        "Specified user does not exist or you do not have required permissions",
    )
    .await;
    let (status, _) = c.get("/rest/api/3/user").await;
    assert_eq!(status, 400);

    let groups = page_bean_all(&c, "/rest/api/3/group/bulk?maxResults=5").await;
    assert_eq!(
        ids(&groups, "name"),
        d.groups.iter().map(|g| g.name.clone()).collect::<Vec<_>>()
    );
    assert_eq!(
        ids(&groups, "groupId"),
        d.groups
            .iter()
            .map(|g| g.group_id.clone())
            .collect::<Vec<_>>()
    );
    let (_, some) = c
        .get("/rest/api/3/group/bulk?groupName=developers&groupName=site-admins")
        .await;
    assert_eq!(
        ids(some["values"].as_array().expect("values"), "name"),
        ["developers", "site-admins"]
    );
    let (status, _) = c.get("/rest/api/3/group/bulk?accessType=root").await;
    assert_eq!(status, 400);

    let filters = page_bean_all(&c, "/rest/api/3/filter/search?maxResults=4").await;
    let mut want: Vec<_> = d.filters.iter().collect();
    want.sort_by_key(|f| f.name.to_lowercase());
    assert_eq!(
        ids(&filters, "id"),
        want.iter().map(|f| f.id.to_string()).collect::<Vec<_>>()
    );
    for f in &filters {
        let keys: HashSet<&str> = f
            .as_object()
            .expect("object")
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            HashSet::from(["expand", "self", "id", "name"]),
            "unexpanded"
        );
    }
    let owner = &d.filters[0].owner;
    let expanded = page_bean_all(
        &c,
        &format!(
            "/rest/api/3/filter/search?accountId={owner}&expand=description,owner,jql,favourite&orderBy=-id"
        ),
    )
    .await;
    let mine: Vec<_> = d
        .filters
        .iter()
        .rev()
        .filter(|f| &f.owner == owner)
        .collect();
    assert_eq!(expanded.len(), mine.len());
    for (v, f) in expanded.iter().zip(mine) {
        assert_eq!(v["id"], f.id.to_string());
        assert_eq!(v["jql"], f.jql);
        assert_eq!(v["owner"]["accountId"], json!(f.owner));
        assert_eq!(v["favourite"], f.favourite);
        assert_eq!(
            v.get("description").and_then(Value::as_str),
            f.description.as_deref()
        );
    }
    let (_, named) = c.get("/rest/api/3/filter/search?filterName=DEMO").await;
    assert_eq!(named["total"], 1);
    let (status, _) = c.get("/rest/api/3/filter/search?orderBy=size").await;
    assert_eq!(status, 400);
}

/// What jira-python's `projects()` and `search_users()` call (issue 16: they answered 404).
#[tokio::test]
async fn all_projects_and_user_search() {
    let emu = emulator(20).await;
    let c = Client::cloud(&emu);
    let (status, projects) = c.get("/rest/api/3/project").await;
    assert_eq!(status, 200);
    let keys: Vec<&str> = projects
        .as_array()
        .expect("an array")
        .iter()
        .filter_map(|p| p["key"].as_str())
        .collect();
    let d = emu.data();
    assert_eq!(
        keys,
        d.projects
            .iter()
            .map(|p| p.key.as_str())
            .collect::<Vec<_>>()
    );

    let someone = d
        .users
        .iter()
        .find(|u| u.active && u.account_type == "atlassian")
        .expect("a user");
    let first_word = someone
        .display_name
        .split(' ')
        .next()
        .expect("a name")
        .to_lowercase();
    let (status, found) = c
        .get(&format!("/rest/api/3/user/search?query={first_word}"))
        .await;
    assert_eq!(status, 200);
    let ids: Vec<&str> = found
        .as_array()
        .expect("an array")
        .iter()
        .filter_map(|u| u["accountId"].as_str())
        .collect();
    assert!(ids.contains(&someone.account_id.as_str()), "{found}");
    let expected = d
        .users
        .iter()
        .filter(|u| {
            u.active
                && u.display_name
                    .to_lowercase()
                    .split(|ch: char| !ch.is_alphanumeric())
                    .chain(
                        u.email_address
                            .iter()
                            .flat_map(|e| e.split(|ch: char| !ch.is_alphanumeric())),
                    )
                    .any(|w| w.to_lowercase().starts_with(&first_word))
        })
        .count();
    assert_eq!(ids.len(), expected);
    let (_, one) = c
        .get(&format!(
            "/rest/api/3/user/search?accountId={}",
            someone.account_id
        ))
        .await;
    assert_eq!(one.as_array().map(Vec::len), Some(1));
    let (_, paged) = c.get("/rest/api/3/user/search?query=a&maxResults=1").await;
    assert!(paged.as_array().is_some_and(|a| a.len() <= 1));
    assert_error(
        &c,
        "/rest/api/3/user/search",
        400,
        "One of the query parameters 'query', 'accountId' or 'property' must be provided.",
    )
    .await;
}
