//! List items over HTTP: create/read/update/delete with eTags, value rules and their error
//! bodies, paging, `$filter` with the index rules and the list view threshold, delta.

use base64::Engine;
use reqwest::Method;
use serde_json::{Value, json};

use super::{ColumnKind, ColumnSpec, ListSpec, demo, kinds_list, obj};

#[tokio::test]
async fn create_read_update_delete_with_etags() {
    let t = demo().await;
    let items = format!("{}/items", t.list_url("Issues"));
    let a = t
        .post(
            &items,
            json!({"fields": {"Title": "Login fails", "IssueKey": "PMO-1", "Status": "To Do",
                "StoryPoints": 3, "Due": "2026-03-10", "Resolved": false,
                "Labels@odata.type": "Collection(Edm.String)", "Labels": ["backend", "données"]}}),
        )
        .await;
    assert_eq!(a.status, 201, "{}", a.body);
    let item = &a.body;
    assert_eq!(item["id"], "1");
    let etag = item["eTag"].as_str().unwrap_or("").to_string();
    assert!(etag.starts_with('"') && etag.ends_with(",1\""), "{etag}");
    assert_eq!(item["@odata.etag"], etag.as_str());
    assert_eq!(a.header("etag"), etag);
    assert!(a.header("location").ends_with("/items/1"));
    assert!(
        item["@odata.context"]
            .as_str()
            .unwrap_or("")
            .ends_with("/items/$entity")
    );
    assert!(
        item["fields@odata.context"]
            .as_str()
            .unwrap_or("")
            .contains("/items('1')/fields/$entity")
    );
    assert_eq!(
        item["createdBy"]["application"]["id"],
        t.emu.config().client_id.as_str()
    );
    assert_eq!(item["parentReference"]["siteId"], t.emu.site_id().as_str());
    let f = &item["fields"];
    assert_eq!(f["id"], "1");
    assert_eq!(f["StoryPoints"], 3);
    assert_eq!(f["Due"], "2026-03-10T00:00:00Z");
    assert_eq!(f["Labels"], json!(["backend", "données"]));
    assert_eq!(f["_UIVersionString"], "1.0");
    assert_eq!(f["LinkTitle"], "Login fails");
    assert_eq!(f["ContentType"], "Item");
    assert_eq!(f["Attachments"], false);
    assert_eq!(f["ItemChildCount"], "0");
    assert!(f["AuthorLookupId"].is_string() && f["AppAuthorLookupId"].is_string());
    assert!(f.get("Assignee").is_none(), "empty fields are omitted");

    let one = format!("{items}/1");
    let a = t.get(&format!("{one}?expand=fields")).await;
    assert_eq!((a.status, a.header("etag")), (200, etag.as_str()));
    assert_eq!(a.body["fields"]["IssueKey"], "PMO-1");
    assert!(t.get(&one).await.body.get("fields").is_none());

    let stale = "\"00000000-0000-0000-0000-000000000000,1\"";
    let fields_url = format!("{one}/fields");
    let a = patch(&t, &fields_url, stale, json!({"Status": "Done"})).await;
    assert_eq!((a.status, a.error_code()), (412, "resourceModified"));
    assert_eq!(
        a.body["error"]["innerError"]["code"],
        "entityTagDoesNotMatch"
    );
    let a = patch(
        &t,
        &fields_url,
        &etag,
        json!({"Status": "Done", "Resolved": true}),
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.body["Status"], "Done");
    assert_eq!(a.body["Title"], "Login fails", "PATCH merges");
    assert_eq!(a.body["_UIVersionString"], "2.0");
    assert!(
        a.body["@odata.context"]
            .as_str()
            .unwrap_or("")
            .ends_with("/fields/$entity")
    );
    let new_etag = a.header("etag").to_string();
    assert!(new_etag.ends_with(",2\""));
    // The old eTag is stale now, for PATCH and DELETE alike.
    let a = patch(&t, &fields_url, &etag, json!({"Status": "To Do"})).await;
    assert_eq!(a.status, 412);
    let a = t
        .call(Method::DELETE, &one, &[("If-Match", &etag)], None)
        .await;
    assert_eq!(a.status, 412);
    let a = t
        .call(Method::DELETE, &one, &[("If-Match", &new_etag)], None)
        .await;
    assert_eq!(
        (a.status, a.body.clone()),
        (204, Value::String(String::new()))
    );
    let a = t.get(&one).await;
    assert_eq!(
        (a.status, a.error_code(), a.error_message()),
        (404, "itemNotFound", "Item not found")
    );
    // Ids are never reused.
    let a = t
        .post(
            &items,
            json!({"fields": {"Title": "again", "IssueKey": "PMO-1"}}),
        )
        .await;
    assert_eq!(a.body["id"], "2");
    assert!(t.emu.items("Issues").iter().all(|i| i.id == "2"));
    let tpl = "/v1.0/sites/{site}/lists/{list}/items";
    assert_eq!(t.emu.request_count(&format!("POST {tpl}")), 2);
    assert_eq!(
        t.emu.request_count(&format!("PATCH {tpl}/{{item}}/fields")),
        3
    );
    assert_eq!(t.emu.request_count(&format!("DELETE {tpl}/{{item}}")), 2);
}

#[tokio::test]
async fn refused_writes_and_their_bodies() {
    let t = demo().await;
    t.emu.create_list(kinds_list());
    let items = format!("{}/items", t.list_url("Kinds"));
    let a = t
        .post(&items, json!({"fields": {"Title": "p", "Key": "K-0"}}))
        .await;
    assert_eq!(a.status, 201, "{}", a.body);
    let general = ("generalException", "General exception while processing");
    let cases = [
        (
            json!({"Title": "t", "Nope": 1}),
            400,
            ("invalidRequest", "Field 'Nope' is not recognized"),
        ),
        (
            json!({"Title": "t", "Created": "2026-01-01T00:00:00Z"}),
            400,
            ("invalidRequest", "Field 'Created' is read-only"),
        ),
        (
            json!({"Title": "t", "AuthorLookupId": "3"}),
            400,
            ("invalidRequest", "Field 'AuthorLookupId' is read-only"),
        ),
        (
            json!({"Title": "t", "Locked": "x"}),
            400,
            ("invalidRequest", "Field 'Locked' is read-only"),
        ),
        (
            json!({"Key": "K-1"}),
            400,
            ("invalidRequest", "Field 'Title' is required"),
        ),
        (json!({"Title": "t", "Amount": "12"}), 400, general),
        (json!({"Title": "t", "When": "yesterday"}), 400, general),
        (json!({"Title": "t", "Color": "Green"}), 400, general),
        (json!({"Title": "t", "Short": "toolong"}), 400, general),
        (json!({"Title": "t", "Flag": "true"}), 400, general),
        (json!({"Title": "t", "Tags": ["a"]}), 400, general),
        (json!({"Title": "t", "ParentLookupId": 99}), 400, general),
        (
            json!({"Title": "t", "Key": "k-0"}),
            409,
            (
                "nameAlreadyExists",
                "The list item could not be added or updated because duplicate values were found in the following field(s) in the list: [Key].",
            ),
        ),
    ];
    for (fields, status, (code, message)) in cases {
        let a = t.post(&items, json!({"fields": fields})).await;
        assert_eq!(
            (a.status, a.error_code(), a.error_message()),
            (status, code, message),
            "{fields}"
        );
        assert!(a.body["error"]["innerError"]["request-id"].is_string());
    }
    assert_eq!(t.emu.items("Kinds").len(), 1, "nothing refused was stored");
    let a = t
        .call(
            Method::POST,
            &items,
            &[("Content-Type", "application/json")],
            None,
        )
        .await;
    assert_eq!(a.error_code(), "BadRequest");
    let ok = json!({"fields": {"Title": "c", "Key": "K-2", "Amount": 12.5, "When": "2026-01-02T03:04:05+02:00",
        "Flag": true, "Color": "Blue", "Tags@odata.type": "Collection(Edm.String)", "Tags": ["a", "b"],
        "ParentLookupId": "1", "Short": "abcde"}});
    let a = t.post(&items, ok).await;
    assert_eq!(a.status, 201, "{}", a.body);
    let f = &a.body["fields"];
    assert_eq!(f["When"], "2026-01-02T01:04:05Z");
    assert_eq!(f["ParentLookupId"], "1");
    assert_eq!(f["Parent"], "p");
    assert_eq!(f["Amount"], 12.5);
    let snap = t.emu.items("Kinds");
    assert_eq!(snap[1].fields["Tags"], json!(["a", "b"]));
    assert_eq!(snap[1].version, 1);
}

async fn patch(t: &super::T, url: &str, if_match: &str, body: Value) -> super::Answer {
    t.call(Method::PATCH, url, &[("If-Match", if_match)], Some(body))
        .await
}

/// Insert `n` TimeLog rows straight into the store.
fn seed_time_log(t: &super::T, n: usize) {
    for i in 1..=n {
        let fields = obj(json!({
            "WorklogId": i,
            "IssueKey": format!("PMO-{}", i % 3),
            "Hours": i as f64 / 2.0,
            "Started": format!("2026-01-{:02}T09:00:00Z", 1 + i % 28),
            "Comment": if i == 2 { "it's done" } else { "work" },
        }));
        t.emu.insert_item("TimeLog", fields).expect("seed");
    }
}

#[tokio::test]
async fn paging_select_and_filters() {
    let t = demo().await;
    seed_time_log(&t, 7);
    let items = format!("{}/items", t.list_url("TimeLog"));
    let a = t.get(&format!("{items}?expand=fields&$top=3")).await;
    let next = a.body["@odata.nextLink"].as_str().unwrap_or("").to_string();
    let token = url::Url::parse(&next)
        .ok()
        .and_then(|u| {
            u.query_pairs()
                .find(|(k, _)| k == "$skiptoken")
                .map(|(_, v)| v.into_owned())
        })
        .unwrap_or_default();
    let decoded = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token)
        .unwrap_or_default();
    assert_eq!(String::from_utf8_lossy(&decoded), "Paged=TRUE&p_ID=3");
    let (all, pages) = t.all_pages(&format!("{items}?expand=fields&$top=3")).await;
    assert_eq!((all.len(), pages), (7, 3));
    let ids: Vec<&str> = all.iter().filter_map(|i| i["id"].as_str()).collect();
    assert_eq!(ids, ["1", "2", "3", "4", "5", "6", "7"]);

    for q in [
        "expand=fields(select=IssueKey,Hours)",
        "$expand=fields($select=IssueKey,Hours)",
    ] {
        let a = t.get(&format!("{items}?{q}&$top=1")).await;
        let f = obj(a.body["value"][0]["fields"].clone());
        let mut keys: Vec<&str> = f.keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(keys, ["@odata.etag", "Hours", "IssueKey"], "{q}");
    }
    let a = t
        .get(&format!(
            "{items}?$select=id,eTag&expand=fields(select=Hours)&$top=1"
        ))
        .await;
    let mut keys: Vec<String> = obj(a.body["value"][0].clone()).keys().cloned().collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "@odata.etag",
            "eTag",
            "fields",
            "fields@odata.context",
            "id"
        ]
    );
    let a = t.get(&format!("{items}?expand=driveItem")).await;
    assert_eq!(a.status, 400);

    // Expected rows come from the seeded data.
    let snapshot = t.emu.items("TimeLog");
    let want = |p: &dyn Fn(&serde_json::Map<String, Value>) -> bool| -> Vec<String> {
        snapshot
            .iter()
            .filter(|i| p(&i.fields))
            .map(|i| i.id.clone())
            .collect()
    };
    let got = |a: &super::Answer| -> Vec<String> {
        a.body["value"]
            .as_array()
            .map(|v| {
                v.iter()
                    .filter_map(|i| i["id"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    let a = t
        .get(&format!("{items}?$filter=fields/IssueKey eq 'PMO-1'"))
        .await;
    assert_eq!(got(&a), want(&|f| f["IssueKey"] == "PMO-1"));
    let a = t
        .get(&format!(
            "{items}?$filter=fields/WorklogId ge 3 and fields/WorklogId lt 6"
        ))
        .await;
    assert_eq!(got(&a), ["3", "4", "5"]);
    let a = t
        .get(&format!(
            "{items}?$filter=startswith(fields/IssueKey,'pmo-2')"
        ))
        .await;
    assert_eq!(got(&a), want(&|f| f["IssueKey"] == "PMO-2"));

    let non_indexed = format!("{items}?$filter=fields/Comment eq 'it''s done'");
    let a = t.get(&non_indexed).await;
    assert_eq!((a.status, a.error_code()), (400, "invalidRequest"));
    assert_eq!(
        a.error_message(),
        "Field 'Comment' cannot be referenced in filter or orderby as it is not indexed. Provide the 'Prefer: HonorNonIndexedQueriesWarningMayFailRandomly' header to allow this, but be warned that such queries may fail on large lists."
    );
    let prefer = [("Prefer", "HonorNonIndexedQueriesWarningMayFailRandomly")];
    let a = t.call(Method::GET, &non_indexed, &prefer, None).await;
    assert_eq!(got(&a), ["2"]);
    let a = t
        .call(
            Method::GET,
            &format!("{items}?$filter=fields/Started ge 2026-01-05T00:00:00Z"),
            &prefer,
            None,
        )
        .await;
    assert_eq!(
        got(&a),
        want(&|f| f["Started"].as_str().unwrap_or("") >= "2026-01-05")
    );
    let a = t.get(&format!("{items}?$filter=fields/Nope eq 1")).await;
    assert_eq!(a.error_message(), "Field 'Nope' is not recognized");
    let a = t
        .get(&format!("{items}?$filter=fields/IssueKey eq 'open"))
        .await;
    assert_eq!(a.error_message(), "Invalid filter clause");
}

#[tokio::test]
async fn list_view_threshold() {
    let t = demo().await;
    t.emu.create_list(
        ListSpec::new("Big")
            .title_optional()
            .column(ColumnSpec::new("Bucket", ColumnKind::text()).indexed())
            .column(ColumnSpec::new("Plain", ColumnKind::text())),
    );
    for i in 0..5011 {
        let bucket = if i < 10 { "small" } else { "large" };
        let fields = obj(json!({"Bucket": bucket, "Plain": format!("p{i}")}));
        t.emu.insert_item("Big", fields).expect("seed");
    }
    let items = format!("{}/items", t.list_url("Big"));
    let prefer = [("Prefer", "HonorNonIndexedQueriesWarningMayFailRandomly")];
    let a = t
        .call(
            Method::GET,
            &format!("{items}?$filter=fields/Plain eq 'p1'"),
            &prefer,
            None,
        )
        .await;
    assert_eq!((a.status, a.error_code()), (400, "notSupported"));
    assert_eq!(
        a.error_message(),
        "The request is unprocessable because it uses too many resources"
    );
    assert_eq!(a.body["error"]["innerError"]["code"], "tooManyResources");
    // An indexed filter that narrows below the threshold is fine; one that does not fails.
    let a = t
        .call(
            Method::GET,
            &format!("{items}?$filter=fields/Bucket eq 'small'"),
            &[],
            None,
        )
        .await;
    assert_eq!(a.body["value"].as_array().map(Vec::len), Some(10));
    let a = t
        .get(&format!("{items}?$filter=fields/Bucket eq 'large'"))
        .await;
    assert_eq!(a.error_code(), "notSupported");
    // Plain paging by id works on any size.
    let a = t.get(&format!("{items}?$top=10000")).await;
    assert_eq!(a.body["value"].as_array().map(Vec::len), Some(5000));
    assert!(a.body["@odata.nextLink"].is_string());
    let a = t.get(&items).await;
    assert_eq!(a.body["value"].as_array().map(Vec::len), Some(200));
}

#[tokio::test]
async fn a_hundred_thousand_items_are_found_through_their_indexes() {
    let t = demo().await;
    // Unique WorklogId: each insert checks it through the index, not every item before it.
    for i in 0..100_000u64 {
        let fields = obj(json!({"WorklogId": i, "IssueKey": format!("K-{}", i % 5000)}));
        t.emu.insert_item("TimeLog", fields).expect("seed");
    }
    let items = format!("{}/items", t.list_url("TimeLog"));
    let a = t
        .get(&format!(
            "{items}?$filter=fields/WorklogId eq 77777&expand=fields"
        ))
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
    let found = a.body["value"].as_array().cloned().unwrap_or_default();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["fields"]["WorklogId"], 77777);
    // Text compares without regard to case, through the index too; 20 items share a key.
    let a = t
        .get(&format!("{items}?$filter=fields/IssueKey eq 'k-42'&$top=7"))
        .await;
    assert_eq!(a.body["value"].as_array().map(Vec::len), Some(7));
    let (all, pages) = t
        .all_pages(&format!("{items}?$filter=fields/IssueKey eq 'K-42'&$top=7"))
        .await;
    assert_eq!((all.len(), pages), (20, 3));
    let a = t
        .get(&format!(
            "{items}?$filter=fields/IssueKey eq 'K-42' and fields/WorklogId eq 5042"
        ))
        .await;
    assert_eq!(a.body["value"].as_array().map(Vec::len), Some(1));
    // A duplicate of a unique value is still refused, found through the index.
    let e = t
        .emu
        .insert_item("TimeLog", obj(json!({"WorklogId": 99_999})))
        .expect_err("duplicate");
    assert!(e.contains("Duplicate"), "{e}");
}

#[tokio::test]
async fn delta_rounds_and_resync() {
    let t = demo().await;
    seed_time_log(&t, 5);
    let delta = format!("{}/items/delta", t.list_url("TimeLog"));
    let (first, pages) = t.all_pages(&format!("{delta}?$top=2&expand=fields")).await;
    assert_eq!((first.len(), pages), (5, 3));
    assert!(first.iter().all(|i| i["fields"]["WorklogId"].is_number()));
    // The last page carries the delta link.
    let mut url = format!("{}{delta}?$top=2", t.emu.graph_url());
    let link = loop {
        let a = t.get_url(&url).await;
        if let Some(d) = a.body["@odata.deltaLink"].as_str() {
            break d.to_string();
        }
        url = a.body["@odata.nextLink"].as_str().unwrap_or("").to_string();
    };
    let items = format!("{}/items", t.list_url("TimeLog"));
    t.call(
        Method::PATCH,
        &format!("{items}/2/fields"),
        &[],
        Some(json!({"Hours": 9})),
    )
    .await;
    t.call(Method::DELETE, &format!("{items}/3"), &[], None)
        .await;
    t.post(&items, json!({"fields": {"WorklogId": 99}})).await;
    // The link keeps `$top=2`: the three changes come in two pages.
    let relative = link.strip_prefix(&t.emu.graph_url()).unwrap_or_default();
    let (changes, pages) = t.all_pages(relative).await;
    let ids: Vec<&str> = changes.iter().filter_map(|c| c["id"].as_str()).collect();
    assert_eq!((ids, pages), (vec!["2", "3", "6"], 2));
    assert_eq!(
        changes[0]["lastModifiedBy"]["application"]["displayName"],
        "jiraql"
    );
    assert_eq!(changes[1]["deleted"]["state"], "deleted");
    let a = t.get(&format!("{delta}?token=latest")).await;
    assert_eq!(a.body["value"], json!([]));
    let latest = a.body["@odata.deltaLink"]
        .as_str()
        .unwrap_or("")
        .to_string();
    let a = t.get_url(&latest).await;
    assert_eq!(a.body["value"], json!([]));
    t.emu.expire_delta_tokens();
    let a = t.get_url(&latest).await;
    assert_eq!((a.status, a.error_code()), (410, "resyncRequired"));
    assert_eq!(
        a.body["error"]["innerError"]["code"],
        "resyncChangesApplyDifferences"
    );
    assert!(a.header("location").ends_with("/items/delta"));
}
