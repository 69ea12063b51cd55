//! Issue links, attachments, changelogs (one issue's and bulk-fetched) and deleted worklogs, paged
//! as Jira pages them.

use super::*;

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
