//! `$batch` and faults over HTTP: limits and malformed batches, shuffled answers, `dependsOn`
//! and 424, per-request throttling, top-level throttling and failures, store-then-time-out.

use std::collections::BTreeSet;
use std::time::Duration;

use serde_json::{Value, json};

use super::super::{FaultScope, Throttle};
use super::{demo, obj};

const CREATE: &str = "$batch POST /v1.0/sites/{site}/lists/{list}/items";

fn create(id: usize, list_url: &str, worklog: usize) -> Value {
    json!({"id": id.to_string(), "method": "POST", "url": format!("{list_url}/items"),
        "headers": {"Content-Type": "application/json"},
        "body": {"fields": {"WorklogId": worklog, "IssueKey": "PMO-1"}}})
}

#[tokio::test]
async fn batch_runs_every_request_and_shuffles_answers() {
    let t = demo().await;
    let list = t.list_url("TimeLog");
    let requests: Vec<Value> = (1..=20).map(|i| create(i, &list, i)).collect();
    let a = t.post("/$batch", json!({"requests": requests})).await;
    assert_eq!(a.status, 200, "{}", a.body);
    let responses = a.body["responses"].as_array().cloned().unwrap_or_default();
    let ids: Vec<String> = responses
        .iter()
        .filter_map(|r| r["id"].as_str().map(str::to_string))
        .collect();
    let in_order: Vec<String> = (1..=20).map(|i| i.to_string()).collect();
    assert_ne!(ids, in_order, "answers come back shuffled");
    let set: BTreeSet<&String> = ids.iter().collect();
    assert_eq!(set.len(), 20);
    for r in &responses {
        assert_eq!(r["status"], 201);
        let etag = r["headers"]["ETag"].as_str().unwrap_or("");
        assert_eq!(r["body"]["eTag"], etag);
        // Each answer is the item its request created.
        assert_eq!(
            r["body"]["fields"]["WorklogId"].to_string(),
            r["id"].as_str().unwrap_or("")
        );
    }
    assert_eq!(t.emu.items("TimeLog").len(), 20);
    assert_eq!(t.emu.request_count(CREATE), 20);
    assert_eq!(t.emu.request_count("POST /v1.0/$batch"), 1);

    // The same seed shuffles the same way.
    let again = demo().await;
    let list = again.list_url("TimeLog");
    let requests: Vec<Value> = (1..=20).map(|i| create(i, &list, i)).collect();
    let b = again.post("/$batch", json!({"requests": requests})).await;
    let ids_again: Vec<String> = b.body["responses"]
        .as_array()
        .map(|v| {
            v.iter()
                .filter_map(|r| r["id"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(ids, ids_again);
}

#[tokio::test]
async fn malformed_batches_are_refused_whole() {
    let t = demo().await;
    let list = t.list_url("TimeLog");
    let too_many: Vec<Value> = (1..=21).map(|i| create(i, &list, i)).collect();
    let duplicate = vec![create(1, &list, 1), create(1, &list, 2)];
    let mut no_type = create(1, &list, 1);
    no_type["headers"] = json!({});
    let mut unknown_dep = create(1, &list, 1);
    unknown_dep["dependsOn"] = json!(["9"]);
    let mut cycle_a = create(1, &list, 1);
    cycle_a["dependsOn"] = json!(["2"]);
    let mut cycle_b = create(2, &list, 2);
    cycle_b["dependsOn"] = json!(["1"]);
    let cases = [
        (
            json!({"requests": too_many}),
            "Number of requests in the batch (21) exceeds the limit of 20.",
        ),
        (
            json!({"requests": duplicate}),
            "Batch request contains duplicate request id '1'.",
        ),
        (
            json!({"requests": [no_type]}),
            "Write request id : 1 does not contain Content-Type header or body.",
        ),
        (
            json!({"requests": [unknown_dep]}),
            "Request '1' depends on '9', which is not another request of the batch.",
        ),
        (
            json!({"requests": [cycle_a, cycle_b]}),
            "The batch contains a circular dependency.",
        ),
        (json!({"nope": []}), "Invalid batch payload format."),
    ];
    for (body, message) in cases {
        let a = t.post("/$batch", body).await;
        assert_eq!(
            (a.status, a.error_code(), a.error_message()),
            (400, "BadRequest", message)
        );
    }
    assert!(t.emu.items("TimeLog").is_empty());
    assert_eq!(t.emu.request_count(CREATE), 0);
}

#[tokio::test]
async fn depends_on_orders_and_fails_dependents() {
    let t = demo().await;
    let list = t.list_url("TimeLog");
    let mut update = json!({"id": "2", "method": "PATCH", "url": format!("{list}/items/1/fields"),
        "headers": {"Content-Type": "application/json"}, "body": {"Hours": 2.5}, "dependsOn": ["1"]});
    let mut read = json!({"id": "3", "method": "GET", "url": format!("{list}/items/1?expand=fields"), "dependsOn": ["2"]});
    let a = t
        .post(
            "/$batch",
            json!({"requests": [read.clone(), update.clone(), create(1, &list, 7)]}),
        )
        .await;
    let by_id = |a: &super::Answer, id: &str| {
        a.body["responses"]
            .as_array()
            .and_then(|v| v.iter().find(|r| r["id"] == id).cloned())
            .unwrap_or_default()
    };
    assert_eq!(by_id(&a, "1")["status"], 201);
    assert_eq!(by_id(&a, "2")["status"], 200);
    let r = by_id(&a, "3");
    assert_eq!(r["status"], 200);
    assert_eq!(
        r["body"]["fields"]["Hours"], 2.5,
        "the read ran after the update"
    );
    assert_eq!(r["body"]["fields"]["_UIVersionString"], "2.0");

    // A failed request fails what depends on it, transitively.
    update["url"] = format!("{list}/items/999/fields").into();
    read["url"] = format!("{list}/items/1").into();
    let mut first = create(1, &list, 8);
    first["id"] = "0".into();
    update["dependsOn"] = json!(["0"]);
    let a = t
        .post("/$batch", json!({"requests": [first, update, read]}))
        .await;
    assert_eq!(by_id(&a, "2")["status"], 404);
    assert_eq!(by_id(&a, "3")["status"], 424);
    assert_eq!(by_id(&a, "3")["body"]["error"]["code"], "FailedDependency");
    assert_eq!(
        t.emu
            .request_count("$batch GET /v1.0/sites/{site}/lists/{list}/items/{item}"),
        1
    );
}

#[tokio::test]
async fn batch_requests_are_throttled_one_by_one() {
    let t = demo().await;
    let list = t.list_url("TimeLog");
    t.emu.faults().throttle(Throttle {
        requests: 2,
        status: 429,
        retry_after: Some("2.128".into()),
        rate_limit_headers: true,
        scope: FaultScope::BatchOnly,
    });
    let top = t.get(&t.site()).await;
    assert_eq!(
        top.status, 200,
        "batch-only throttles spare top-level requests"
    );
    let requests: Vec<Value> = (1..=5).map(|i| create(i, &list, i)).collect();
    let a = t.post("/$batch", json!({"requests": requests})).await;
    assert_eq!(a.status, 200);
    let responses = a.body["responses"].as_array().cloned().unwrap_or_default();
    let throttled: Vec<&Value> = responses.iter().filter(|r| r["status"] == 429).collect();
    assert_eq!(throttled.len(), 2);
    for r in &throttled {
        assert_eq!(r["headers"]["Retry-After"], "2.128");
        assert_eq!(r["headers"]["RateLimit-Remaining"], "0");
        assert_eq!(r["headers"]["RateLimit-Reset"], "3");
        assert_eq!(r["body"]["error"]["code"], "activityLimitReached");
        assert_eq!(r["body"]["error"]["innerError"]["code"], "throttledRequest");
    }
    // Requests run in order, so the first two were throttled and nothing of theirs stored.
    let stored: BTreeSet<String> = t
        .emu
        .items("TimeLog")
        .iter()
        .map(|i| i.fields["WorklogId"].to_string())
        .collect();
    assert_eq!(
        stored,
        ["3", "4", "5"].iter().map(|s| s.to_string()).collect()
    );
    let statuses: Vec<u16> = t
        .emu
        .requests()
        .iter()
        .filter(|r| r.endpoint == CREATE)
        .map(|r| r.status)
        .collect();
    assert_eq!(statuses, [429, 429, 201, 201, 201]);
}

#[tokio::test]
async fn top_level_throttles_failures_and_latency() {
    let t = demo().await;
    let faults = t.emu.faults();
    faults.throttle(Throttle {
        requests: 1,
        status: 429,
        retry_after: Some("1".into()),
        rate_limit_headers: false,
        scope: FaultScope::TopLevel,
    });
    let a = t.get(&t.site()).await;
    assert_eq!((a.status, a.header("retry-after")), (429, "1"));
    assert_eq!(a.header("ratelimit-limit"), "");
    faults.throttle(Throttle {
        status: 503,
        ..Throttle::default()
    });
    let a = t.get(&t.site()).await;
    assert_eq!((a.status, a.error_code()), (503, "serviceNotAvailable"));
    let list = t.list_url("TimeLog");
    faults.fail_next(1, 500, FaultScope::TopLevel);
    let a = t
        .post("/$batch", json!({"requests": [create(1, &list, 1)]}))
        .await;
    assert_eq!((a.status, a.error_code()), (500, "generalException"));
    faults.fail_next(1, 500, FaultScope::BatchOnly);
    let a = t
        .post("/$batch", json!({"requests": [create(1, &list, 1)]}))
        .await;
    assert_eq!(a.body["responses"][0]["status"], 500);
    let a = t
        .post("/$batch", json!({"requests": [create(1, &list, 1)]}))
        .await;
    assert_eq!(a.body["responses"][0]["status"], 201);
    faults.throttle(Throttle::default());
    faults.clear();
    faults.set_latency(Duration::from_millis(1));
    assert_eq!(faults.latency(), Duration::from_millis(1));
    assert_eq!(t.get(&t.site()).await.status, 200);
    let statuses: Vec<u16> = t
        .emu
        .requests()
        .iter()
        .filter(|r| r.endpoint == "GET /v1.0/sites/{site}")
        .map(|r| r.status)
        .collect();
    assert_eq!(statuses, [429, 503, 200]);
}

#[tokio::test]
async fn store_then_time_out() {
    let t = demo().await;
    t.emu.faults().store_then_timeout(Duration::from_secs(30));
    let items = format!("{}/items", t.list_url("TimeLog"));
    let r = t
        .http
        .post(format!("{}{items}", t.emu.graph_url()))
        .bearer_auth(&t.token)
        .timeout(Duration::from_millis(200))
        .json(&json!({"fields": {"WorklogId": 1}}))
        .send()
        .await;
    assert!(r.is_err_and(|e| e.is_timeout()));
    // The write happened although the client never heard back (wait for the server to get
    // there on a loaded machine); the next create answers.
    let mut stored = t.emu.items("TimeLog");
    for _ in 0..200 {
        if !stored.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
        stored = t.emu.items("TimeLog");
    }
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].fields, obj(json!({"WorklogId": 1})));
    let a = t.post(&items, json!({"fields": {"WorklogId": 2}})).await;
    assert_eq!(a.status, 201);
}
