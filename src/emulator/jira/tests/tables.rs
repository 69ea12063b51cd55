//! The endpoints behind jiraql's tables beyond issues and worklogs: every item exactly once
//! across pages, filters and orders as documented, Jira's error bodies.

use std::collections::HashSet;

use serde_json::{Value, json};

use super::{Client, emulator, expected};
use crate::emulator::jira::data::{Actor, EPIC};

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
    let first = &emu.data().comments[0];
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
async fn agile_issues_and_epics() {
    let emu = emulator(1500).await;
    let c = Client::cloud(&emu);
    let d = emu.data();
    let sprint = d
        .sprints
        .iter()
        .max_by_key(|sp| {
            d.issues
                .iter()
                .filter(|i| i.sprint_ids.contains(&sp.id))
                .count()
        })
        .expect("a sprint");
    let want: Vec<String> = d
        .issues
        .iter()
        .filter(|i| i.sprint_ids.contains(&sprint.id))
        .map(|i| i.key.clone())
        .collect();
    assert!(want.len() > 20, "{}", want.len());

    // Every sprint issue once, in rank (creation) order, 7 at a time.
    let mut got = Vec::new();
    loop {
        let (status, page) = c
            .get(&format!(
                "/rest/agile/1.0/sprint/{}/issue?maxResults=7&startAt={}&fields=summary,status",
                sprint.id,
                got.len()
            ))
            .await;
        assert_eq!(status, 200, "{page}");
        assert_eq!(page["total"], want.len());
        assert_eq!(page["maxResults"], 7);
        assert_eq!(page["expand"], "schema,names");
        let issues = page["issues"].as_array().expect("issues");
        if issues.is_empty() {
            break;
        }
        for i in issues {
            assert!(i["fields"]["summary"].is_string() && i["fields"].get("worklog").is_none());
            assert!(i["fields"].get("sprint").is_none(), "not requested");
            assert!(
                i["self"]
                    .as_str()
                    .is_some_and(|s| s.contains("/rest/agile/1.0/issue/"))
            );
            got.push(i["key"].as_str().unwrap_or("").to_string());
        }
    }
    assert_eq!(got, want);

    // The cap is echoed; default fields include the Agile ones.
    let (_, page) = c
        .get(&format!(
            "/rest/agile/1.0/sprint/{}/issue?maxResults=500",
            sprint.id
        ))
        .await;
    assert_eq!(page["maxResults"], 100);
    let first = &page["issues"][0]["fields"];
    assert!(first["summary"].is_string() && first.get("flagged").is_some());
    assert!(first["closedSprints"].is_array());

    // `jql` narrows (and may order) the set.
    let jql = "status = Done ORDER BY key DESC";
    let (status, page) = c
        .get(&format!(
            "/rest/agile/1.0/sprint/{}/issue?maxResults=100&fields=key&jql={}",
            sprint.id,
            jql.replace(' ', "%20").replace('=', "%3D")
        ))
        .await;
    assert_eq!(status, 200, "{page}");
    let in_sprint: HashSet<&String> = want.iter().collect();
    let narrowed: Vec<String> = expected(&emu, jql)
        .into_iter()
        .filter(|k| in_sprint.contains(k))
        .collect();
    assert!(!narrowed.is_empty());
    assert_eq!(
        ids(page["issues"].as_array().expect("issues"), "key"),
        narrowed
    );
    let (status, body) = c
        .get(&format!(
            "/rest/agile/1.0/sprint/{}/issue?jql=foo%3D1",
            sprint.id
        ))
        .await;
    assert_eq!(status, 400, "{body}");

    // Board issues: the board's project.
    let board = &d.boards[0];
    let (_, page) = c
        .get(&format!(
            "/rest/agile/1.0/board/{}/issue?fields=summary",
            board.id
        ))
        .await;
    let in_project = d
        .issues
        .iter()
        .filter(|i| i.project_id == board.project_id)
        .count();
    assert_eq!(page["total"], in_project);
    assert_eq!(page["maxResults"], 50);
    assert_eq!(
        page["issues"].as_array().map(Vec::len),
        Some(50.min(in_project))
    );

    // Epics, 3 at a time; `done` filters.
    let epics: Vec<String> = d
        .issues
        .iter()
        .filter(|i| i.project_id == board.project_id && i.issue_type_id == EPIC)
        .map(|i| i.key.clone())
        .collect();
    let mut got = Vec::new();
    loop {
        let (status, page) = c
            .get(&format!(
                "/rest/agile/1.0/board/{}/epic?maxResults=3&startAt={}",
                board.id,
                got.len()
            ))
            .await;
        assert_eq!(status, 200);
        let values = page["values"].as_array().expect("values");
        got.extend(ids(values, "key"));
        for e in values {
            assert!(e["id"].is_u64() && e["color"]["key"].is_string() && e["done"].is_boolean());
        }
        if page["isLast"] == json!(true) {
            break;
        }
    }
    assert_eq!(got, epics);
    let (_, open) = c
        .get(&format!(
            "/rest/agile/1.0/board/{}/epic?done=false&maxResults=50",
            board.id
        ))
        .await;
    assert!(
        open["values"]
            .as_array()
            .expect("values")
            .iter()
            .all(|e| e["done"] == false)
    );

    // Unknown board or sprint.
    let board_msg = "The requested board cannot be viewed because it either does not exist or you do not have permission to view it.";
    assert_error(&c, "/rest/agile/1.0/board/999/issue", 404, board_msg).await;
    assert_error(&c, "/rest/agile/1.0/board/x/epic", 404, board_msg).await;
    assert_error(
        &c,
        "/rest/agile/1.0/sprint/999/issue",
        404,
        "Sprint does not exist or you do not have permission to view it.",
    )
    .await;
}

#[tokio::test]
async fn links_attachments_and_changelogs() {
    let emu = emulator(500).await;
    let c = Client::cloud(&emu);
    let d = emu.data();

    let (_, types) = c.get("/rest/api/3/issueLinkType").await;
    let names = ids(types["issueLinkTypes"].as_array().expect("types"), "name");
    assert_eq!(names, ["Blocks", "Cloners", "Duplicate", "Relates"]);

    let issue = d
        .issues
        .iter()
        .find(|i| i.link_ids.len() >= 2)
        .expect("linked issue");
    let (_, v) = c
        .get(&format!(
            "/rest/api/3/issue/{}?fields=issuelinks,attachment",
            issue.key
        ))
        .await;
    let links = v["fields"]["issuelinks"].as_array().expect("issuelinks");
    assert_eq!(links.len(), issue.link_ids.len());
    for (got, id) in links.iter().zip(&issue.link_ids) {
        let l = d.issue_link(*id).expect("link");
        assert_eq!(got["id"], id.to_string());
        let (other, side) = if l.inward_issue_id == issue.id {
            (l.outward_issue_id, "outwardIssue")
        } else {
            (l.inward_issue_id, "inwardIssue")
        };
        assert_eq!(got[side]["id"], other.to_string());
        let absent = if side == "outwardIssue" {
            "inwardIssue"
        } else {
            "outwardIssue"
        };
        assert!(got.get(absent).is_none(), "one end only: {got}");
        assert!(got[side]["fields"]["status"]["name"].is_string());
    }
    let l = &d.issue_links[0];
    let (status, both) = c.get(&format!("/rest/api/3/issueLink/{}", l.id)).await;
    assert_eq!(status, 200);
    assert_eq!(both["inwardIssue"]["id"], l.inward_issue_id.to_string());
    assert_eq!(both["outwardIssue"]["id"], l.outward_issue_id.to_string());
    assert_error(
        &c,
        "/rest/api/3/issueLink/1",
        404,
        "No issue link with id '1' exists.",
    )
    .await;

    // Attachments.
    let with = d
        .issues
        .iter()
        .find(|i| i.attachments.len() >= 2)
        .expect("attachments");
    let (_, v) = c
        .get(&format!("/rest/api/3/issue/{}?fields=attachment", with.key))
        .await;
    let got = v["fields"]["attachment"].as_array().expect("attachment");
    assert_eq!(got.len(), with.attachments.len());
    let a = &d.attachments_of(with)[0];
    assert_eq!(got[0]["id"], a.id.to_string());
    assert_eq!(got[0]["filename"], a.filename);
    assert_eq!(got[0]["size"], a.size);
    let (status, meta) = c.get(&format!("/rest/api/3/attachment/{}", a.id)).await;
    assert_eq!(status, 200);
    assert_eq!(meta["id"], a.id);
    assert_eq!(meta["author"]["accountId"], json!(a.author));
    assert!(
        meta["content"]
            .as_str()
            .is_some_and(|u| u.ends_with(&format!("/attachment/content/{}", a.id)))
    );
    assert_error(
        &c,
        "/rest/api/3/attachment/5",
        404,
        "The attachment with id '5' does not exist.",
    )
    .await;

    // Per-issue changelog, two at a time, oldest first.
    let busy = d
        .issues
        .iter()
        .max_by_key(|i| i.changelogs.len())
        .expect("issue");
    let all = page_bean_all(
        &c,
        &format!("/rest/api/3/issue/{}/changelog?maxResults=2", busy.key),
    )
    .await;
    let want: Vec<String> = d
        .changelogs_of(busy)
        .iter()
        .map(|h| h.id.to_string())
        .collect();
    assert!(want.len() >= 3);
    assert_eq!(ids(&all, "id"), want);
    let status_item = all
        .iter()
        .flat_map(|h| h["items"].as_array().cloned().unwrap_or_default())
        .find(|i| i["field"] == "status")
        .expect("a transition");
    assert!(status_item["fromString"].is_string() && status_item["toString"].is_string());
    let (_, dflt) = c
        .get(&format!("/rest/api/3/issue/{}/changelog", busy.id))
        .await;
    assert_eq!(dflt["maxResults"], 100);
    assert_error(
        &c,
        "/rest/api/3/issue/NOPE-1/changelog",
        404,
        "Issue does not exist or you do not have permission to see it.",
    )
    .await;
}

#[tokio::test]
async fn changelog_bulkfetch_pages() {
    let emu = emulator(700).await;
    let c = Client::cloud(&emu);
    let d = emu.data();
    let issues: Vec<_> = d.issues.iter().take(300).collect();
    let mut keys: Vec<Value> = issues.iter().map(|i| json!(i.key)).collect();
    keys.push(json!("NOPE-1"));
    keys.push(json!(issues[0].id.to_string()));

    for fields in [None, Some(vec!["status"])] {
        let mut want: Vec<(i64, u64, String, usize)> = issues
            .iter()
            .flat_map(|i| d.changelogs_of(i))
            .filter_map(|h| {
                let n = h
                    .items
                    .iter()
                    .filter(|it| fields.is_none() || it.field_id() == "status")
                    .count();
                (n > 0).then(|| {
                    (
                        h.created.timestamp_millis(),
                        h.issue_id,
                        h.id.to_string(),
                        n,
                    )
                })
            })
            .collect();
        want.sort();
        let mut got: Vec<(i64, u64, String, usize)> = Vec::new();
        let mut token: Option<String> = None;
        let mut pages = 0;
        loop {
            let mut body = json!({"issueIdsOrKeys": keys, "maxResults": 50});
            if let Some(f) = &fields {
                body["fieldIds"] = json!(f);
            }
            if let Some(t) = &token {
                body["nextPageToken"] = json!(t);
            }
            let (status, page) = c.post("/rest/api/3/changelog/bulkfetch", &body).await;
            assert_eq!(status, 200, "{page}");
            pages += 1;
            let mut on_page = 0;
            for log in page["issueChangeLogs"].as_array().expect("logs") {
                let issue_id: u64 = log["issueId"]
                    .as_str()
                    .and_then(|s| s.parse().ok())
                    .expect("id");
                for h in log["changeHistories"].as_array().expect("histories") {
                    let created = chrono::DateTime::parse_from_str(
                        h["created"].as_str().expect("ISO created"),
                        "%Y-%m-%dT%H:%M:%S%.3f%z",
                    )
                    .expect("timestamp");
                    let items = h["items"].as_array().expect("items");
                    if fields.is_some() {
                        assert!(items.iter().all(|i| i["fieldId"] == "status"));
                    }
                    got.push((
                        created.timestamp_millis(),
                        issue_id,
                        h["id"].as_str().unwrap_or("").to_string(),
                        items.len(),
                    ));
                    on_page += 1;
                }
            }
            assert!(on_page <= 50);
            match page["nextPageToken"].as_str() {
                Some(t) => token = Some(t.to_string()),
                None => break,
            }
        }
        assert!(pages > 2, "{pages}");
        // Pages group by issue, so compare as sets and check the page-to-page order.
        let set: HashSet<_> = got.iter().cloned().collect();
        assert_eq!(set.len(), got.len(), "no history twice");
        assert_eq!(set, want.iter().cloned().collect::<HashSet<_>>());
    }

    let too_many: Vec<String> = (0..1001).map(|i| format!("DEMO-{i}")).collect();
    let (status, body) = c
        .post(
            "/rest/api/3/changelog/bulkfetch",
            &json!({"issueIdsOrKeys": too_many}),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(
        body["errorMessages"][0],
        "The request must contain between 1 and 1000 issue IDs or keys; it contained 1001."
    );
    let eleven: Vec<String> = (0..11).map(|i| format!("f{i}")).collect();
    for bad in [
        json!({"issueIdsOrKeys": ["DEMO-1"], "fieldIds": eleven}),
        json!({"issueIdsOrKeys": []}),
        json!({"issueIdsOrKeys": ["DEMO-1"], "nextPageToken": "nope"}),
        json!({"issueIdOrKeys": ["DEMO-1"]}),
    ] {
        let (status, body) = c.post("/rest/api/3/changelog/bulkfetch", &bad).await;
        assert_eq!(status, 400, "{bad}: {body}");
        assert!(body["errorMessages"][0].is_string());
    }
    let (_, one) = c
        .post(
            "/rest/api/3/changelog/bulkfetch",
            &json!({"issueIdsOrKeys": ["DEMO-1"], "maxResults": 99999}),
        )
        .await;
    assert!(one.get("nextPageToken").is_none());
    let issue = d.issue_by_key("DEMO-1").expect("DEMO-1");
    let n: usize = one["issueChangeLogs"].as_array().map_or(0, |l| {
        l.iter()
            .map(|x| x["changeHistories"].as_array().map_or(0, Vec::len))
            .sum()
    });
    assert_eq!(n, d.changelogs_of(issue).len());
}

#[tokio::test]
async fn deleted_worklogs_page_like_updated_ones() {
    let emu = emulator(20_000).await;
    let c = Client::cloud(&emu);
    let d = emu.data();
    assert!(
        d.deleted_worklogs.len() > 1000,
        "{}",
        d.deleted_worklogs.len()
    );
    let mut url = "/rest/api/3/worklog/deleted?since=0".to_string();
    let mut got = Vec::new();
    let mut pages = 0;
    loop {
        let (status, page) = c.get(&url).await;
        assert_eq!(status, 200);
        pages += 1;
        for v in page["values"].as_array().expect("values") {
            got.push(v["worklogId"].as_u64().expect("id"));
        }
        if page["lastPage"] == json!(true) {
            assert!(page.get("nextPage").is_none());
            break;
        }
        url = page["nextPage"]
            .as_str()
            .expect("nextPage")
            .trim_start_matches(&c.base)
            .to_string();
    }
    assert!(pages >= 2);
    let want: Vec<u64> = d.deleted_worklogs.iter().map(|w| w.id).collect();
    assert_eq!(got, want);
    let live: HashSet<u64> = d.worklogs.iter().map(|w| w.id).collect();
    assert!(got.iter().all(|id| !live.contains(id)));
    let last = d
        .deleted_worklogs
        .last()
        .expect("some")
        .deleted
        .timestamp_millis();
    let (_, empty) = c
        .get(&format!("/rest/api/3/worklog/deleted?since={last}"))
        .await;
    assert_eq!(empty["values"], json!([]));
    assert_eq!(empty["until"], last);
    assert_eq!(empty["lastPage"], true);
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
