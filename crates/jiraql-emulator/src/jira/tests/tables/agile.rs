//! The Agile endpoints behind jiraql's board and sprint tables: boards, sprints, their issues and
//! epics.

use super::*;

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
