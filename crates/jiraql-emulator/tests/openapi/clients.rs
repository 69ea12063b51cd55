//! What a popular client sends, replayed on the wire: jira-python 3.10.5 with its default
//! options reads the server info, the user, the field catalog, projects, issue types,
//! priorities and statuses, searches, reads one issue (`expand=renderedFields`) with its
//! worklogs and comments, searches users, and lists boards and sprints. Jira Cloud answers it
//! under `/rest/api/3` and `/rest/api/2` alike to Basic credentials; Data Center to a personal
//! access token under `/rest/api/2`.
//!
//! Under v3 each answer must match the platform (or Agile) spec. Under v2 on Cloud each answer
//! must equal the v3 answer but for the documented differences: rich text is a wiki-markup
//! string where v3 has an ADF document, and links name `/rest/api/2`.

use super::*;

/// A step of the replay: the path below `/rest/api/<v>/`, its query, the spec's template.
type Step = (
    &'static str,
    &'static [(&'static str, &'static str)],
    &'static str,
);

/// The platform reads, in the order jira-python makes them.
const STEPS: &[Step] = &[
    ("serverInfo", &[], "serverInfo"),
    ("myself", &[], "myself"),
    ("field", &[], "field"),
    ("project", &[], "project"),
    ("issuetype", &[], "issuetype"),
    ("priority", &[], "priority"),
    ("status", &[], "status"),
    (
        "search/jql",
        &[
            ("jql", "project = DEMO ORDER BY key"),
            ("maxResults", "20"),
            ("fields", "*navigable"),
        ],
        "search/jql",
    ),
    (
        "issue/DEMO-7",
        &[("expand", "renderedFields")],
        "issue/{issueIdOrKey}",
    ),
    ("issue/DEMO-7/worklog", &[], "issue/{issueIdOrKey}/worklog"),
    ("issue/DEMO-7/comment", &[], "issue/{issueIdOrKey}/comment"),
    ("user/search", &[("query", "a")], "user/search"),
];

/// The Agile reads: the boards, then the sprints of the first scrum board.
async fn agile(site: &Site, auth: Auth) -> (Answer, Answer) {
    let boards = site
        .call_as(
            auth,
            Method::GET,
            "/rest/agile/1.0/board",
            &[("type", "scrum")],
            None,
        )
        .await;
    boards.expect_status(StatusCode::OK);
    let id = boards.body["values"][0]["id"]
        .as_u64()
        .unwrap_or_else(|| panic!("no scrum board: {}", boards.body));
    let sprints = site
        .call_as(
            auth,
            Method::GET,
            &format!("/rest/agile/1.0/board/{id}/sprint"),
            &[],
            None,
        )
        .await;
    sprints.expect_status(StatusCode::OK);
    assert!(
        sprints.body["values"]
            .as_array()
            .is_some_and(|v| !v.is_empty())
    );
    (boards, sprints)
}

#[tokio::test]
async fn jira_python_on_cloud_v3_matches_spec() {
    let site = Site::start().await;
    for (path, query, template) in STEPS {
        let answer = site
            .call(Method::GET, &format!("/rest/api/3/{path}"), query, None)
            .await;
        answer.expect_operation(Method::GET, &format!("/rest/api/3/{template}"));
    }
    let issue = site
        .call(
            Method::GET,
            "/rest/api/3/issue/DEMO-7",
            &[("expand", "renderedFields")],
            None,
        )
        .await;
    let html = &issue.body["renderedFields"]["description"];
    assert!(html.as_str().is_some_and(|h| h.starts_with('<')), "{html}");
    assert!(issue.body["renderedFields"]["status"].is_null());
    let (boards, _) = agile(&site, Auth::Basic).await;
    boards.expect_operation_in(&AGILE_SPEC, Method::GET, "/rest/agile/1.0/board");
}

#[tokio::test]
async fn jira_python_on_cloud_v2_differs_from_v3_only_as_documented() {
    let site = Site::start().await;
    let mut rich = 0;
    for (path, query, _) in STEPS {
        let v2 = site
            .call(Method::GET, &format!("/rest/api/2/{path}"), query, None)
            .await;
        let v3 = site
            .call(Method::GET, &format!("/rest/api/3/{path}"), query, None)
            .await;
        v2.expect_status(StatusCode::OK);
        v3.expect_status(StatusCode::OK);
        let mut differences = Vec::new();
        compare(&v3.body, &v2.body, "", &mut rich, &mut differences);
        assert!(
            differences.is_empty(),
            "{} differs from v3 beyond rich text and links:\n{}",
            v2.what,
            differences.join("\n")
        );
    }
    // Descriptions, comment bodies and worklog comments came as strings: the comparison saw
    // the difference it allows.
    assert!(rich > 10, "only {rich} rich-text values compared");
    // Cloud's rules hold on v2: the old search is gone.
    let old = site
        .call(
            Method::POST,
            "/rest/api/2/search",
            &[],
            Some(&json!({"jql": "project = DEMO"})),
        )
        .await;
    assert_eq!(old.status, StatusCode::GONE, "{}", old.body);
    agile(&site, Auth::Basic).await;
}

#[tokio::test]
async fn jira_python_on_data_center_gets_data_center_answers() {
    let site = Site::start().await;
    let get = |path: String, query: &'static [(&'static str, &'static str)]| {
        let site = &site;
        async move {
            site.call_as(Auth::Pat, Method::GET, &path, query, None)
                .await
        }
    };
    for (path, query, _) in STEPS {
        let query: &[(&str, &str)] = match *path {
            "user/search" => &[("username", "a")],
            _ => query,
        };
        let answer = get(format!("/rest/api/2/{path}"), query).await;
        if *path == "search/jql" {
            // Data Center has no token search.
            assert_eq!(answer.status, StatusCode::NOT_FOUND, "{}", answer.what);
            continue;
        }
        answer.expect_status(StatusCode::OK);
        match *path {
            "serverInfo" => assert_eq!(answer.body["deploymentType"], "Server"),
            "myself" => {
                assert!(answer.body["name"].is_string() && answer.body["key"].is_string());
                assert!(answer.body.get("accountId").is_none(), "{}", answer.body);
            }
            "issue/DEMO-7" => {
                let fields = &answer.body["fields"];
                assert!(fields["description"].is_string(), "{fields}");
                assert!(fields["reporter"]["name"].is_string());
                assert!(
                    answer.body["self"]
                        .as_str()
                        .is_some_and(|s| s.contains("/rest/api/2/"))
                );
            }
            "issue/DEMO-7/comment" => {
                let first = &answer.body["comments"][0];
                assert!(first["body"].is_string() && first["author"]["name"].is_string());
            }
            "user/search" => {
                let users = answer.body.as_array().expect("users");
                assert!(!users.is_empty() && users.iter().all(|u| u["name"].is_string()));
            }
            _ => assert!(!answer.body.is_null()),
        }
    }
    // Its own search pages by startAt and says the total.
    let search = site
        .call_as(
            Auth::Pat,
            Method::POST,
            "/rest/api/2/search",
            &[],
            Some(&json!({"jql": "project = DEMO", "maxResults": 5})),
        )
        .await;
    search.expect_status(StatusCode::OK);
    assert!(search.body["total"].as_u64().is_some_and(|t| t > 5));
    assert_eq!(search.body["issues"].as_array().map(Vec::len), Some(5));
    // Data Center has no /rest/api/3.
    let v3 = get("/rest/api/3/myself".into(), &[]).await;
    assert_eq!(v3.status, StatusCode::NOT_FOUND);
    agile(&site, Auth::Pat).await;
}

/// Records where `v2` differs from `v3` other than as documented: an ADF document in v3 is a
/// string in v2 (counted in `rich`), and links name `/rest/api/2` instead of `/rest/api/3`.
/// The server's clock (`serverTime`) may move between the two calls.
fn compare(v3: &Value, v2: &Value, at: &str, rich: &mut usize, out: &mut Vec<String>) {
    match (v3, v2) {
        (Value::Object(doc), Value::String(_)) if doc.get("type") == Some(&json!("doc")) => {
            *rich += 1;
        }
        (Value::Object(a), Value::Object(b)) => {
            let (ka, kb): (Vec<&String>, Vec<&String>) = (a.keys().collect(), b.keys().collect());
            if ka != kb {
                out.push(format!("{at}: keys {ka:?} in v3, {kb:?} in v2"));
                return;
            }
            for (k, va) in a {
                compare(va, &b[k], &format!("{at}.{k}"), rich, out);
            }
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            for (i, (va, vb)) in a.iter().zip(b).enumerate() {
                compare(va, vb, &format!("{at}[{i}]"), rich, out);
            }
        }
        (Value::String(a), Value::String(b))
            if at.ends_with(".serverTime") || *a == b.replace("/rest/api/2/", "/rest/api/3/") => {}
        (a, b) if a == b => {}
        (a, b) => out.push(format!(
            "{at}: {} in v3, {} in v2",
            short(a, 120),
            short(b, 120)
        )),
    }
}
