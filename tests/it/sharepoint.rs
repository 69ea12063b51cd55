//! Writing Jira data into SharePoint lists, end to end over the wire: a Jira emulator, a Graph
//! emulator, and the engine between them. Expectations come from the emulators' data; the
//! Graph emulator's request log shows what was (and was not) written.

use std::collections::BTreeMap;
use std::time::Duration;

use jiraql::engine::Engine;
use jiraql::jira::client::JiraClient;
use jiraql::sharepoint::{GraphClient, SharePointSettings};
use jiraql_emulator::sharepoint::{
    ColumnKind as SpKind, ColumnSpec, FaultScope, ListSpec, SharePointEmulator,
    SharePointEmulatorConfig, Throttle,
};
use serde_json::Value;

use crate::common;
use common::{Site, connection};

pub(crate) struct Both {
    pub site: Site,
    pub sp: SharePointEmulator,
}

pub(crate) async fn both(issues: usize, extra: &str) -> Both {
    both_with(issues, SharePointEmulatorConfig::default(), extra).await
}

async fn both_with(issues: usize, config: SharePointEmulatorConfig, extra: &str) -> Both {
    let site = common::site(issues).await;
    let sp = SharePointEmulator::start(config)
        .await
        .expect("graph emulator");
    let engine = engine_for(&site, &sp, extra);
    Both {
        site: Site {
            jira: site.jira,
            engine,
        },
        sp,
    }
}

/// The emulator's connection string; `extra` may replace the client secret.
fn sp_connection(sp: &SharePointEmulator, extra: &str) -> String {
    let c = sp.config();
    let secret = if extra.contains("ClientSecret=") {
        String::new()
    } else {
        format!("ClientSecret={};", c.client_secret)
    };
    format!(
        "URL=https://{}{}/Lists/TimeLog/AllItems.aspx;TenantId={};ClientId={};{secret}\
         GraphURL={};LoginURL={};RetryBaseDelayMs=5;MaxRetryDelayMs=2000;{extra}",
        c.hostname,
        c.site_path,
        c.tenant_id,
        c.client_id,
        sp.graph_url(),
        sp.login_url()
    )
}

pub(crate) fn engine_for(site: &Site, sp: &SharePointEmulator, extra: &str) -> Engine {
    let jira = connection(&site.jira, &site.jira.config().api_token.clone(), "");
    let settings: SharePointSettings = sp_connection(sp, extra).parse().expect("sp connection");
    Engine::with_custom_fields(JiraClient::new(jira).expect("client"), &[])
        .expect("engine")
        .with_sharepoint(GraphClient::new(settings).expect("graph client"))
        .expect("sharepoint schema")
}

impl Both {
    pub(crate) async fn run(&self, sql: &str) -> Vec<Vec<String>> {
        self.site.rows(sql).await
    }

    /// `(inserted, updated, unchanged, deleted, failed)` of a write.
    pub(crate) async fn write(&self, sql: &str) -> [u64; 5] {
        let rows = self.run(sql).await;
        let n = |i: usize| rows[0][i].parse::<u64>().unwrap_or(u64::MAX);
        [n(1), n(2), n(3), n(4), n(5)]
    }

    /// Sub-requests and plain requests that change items, for messages.
    fn writes(&self) -> Vec<String> {
        self.sp
            .requests()
            .into_iter()
            .map(|r| r.endpoint)
            .filter(|e| changes_items(e))
            .collect()
    }

    /// How many requests changed items.
    fn item_writes(&self) -> usize {
        self.writes().len()
    }

    pub(crate) fn items(&self, list: &str) -> Vec<BTreeMap<String, Value>> {
        self.sp
            .items(list)
            .into_iter()
            .map(|i| i.fields.into_iter().collect())
            .collect()
    }
}

/// A create, update or delete of an item, alone or inside a `$batch`.
fn changes_items(endpoint: &str) -> bool {
    let e = endpoint.trim_start_matches("$batch ");
    (e.starts_with("POST") && e.ends_with("/items"))
        || e.starts_with("PATCH")
        || e.starts_with("DELETE")
}

const MERGE_TIMELOG: &str = "MERGE INTO sharepoint.TimeLog AS t \
    USING (SELECT Id, IssueKey, Started, TimeSpentSeconds / 3600.0 AS Hours, TimeSpentSeconds FROM Worklogs WHERE IssueKey IN ('DEMO-5', 'DEMO-9', 'DEMO-2')) AS s \
    ON t.WorklogId = s.Id \
    WHEN MATCHED THEN UPDATE SET IssueKey = s.IssueKey, Started = s.Started, Hours = s.Hours, Seconds = s.TimeSpentSeconds \
    WHEN NOT MATCHED THEN INSERT (WorklogId, IssueKey, Started, Hours, Seconds) VALUES (s.Id, s.IssueKey, s.Started, s.Hours, s.TimeSpentSeconds)";

/// The key of the issue with the most worklogs: tests about "one issue's worklogs" need some.
fn busy_issue(site: &Site) -> String {
    let data = site.jira.data();
    data.issues
        .iter()
        .max_by_key(|i| data.worklogs.iter().filter(|w| w.issue_id == i.id).count())
        .map(|i| i.key.clone())
        .unwrap_or_default()
}

pub(crate) fn worklogs_of(site: &Site, keys: &[&str]) -> Vec<(u64, String, i64)> {
    let data = site.jira.data();
    data.worklogs
        .iter()
        .filter_map(|w| {
            let issue = data.issues.iter().find(|i| i.id == w.issue_id)?;
            keys.contains(&issue.key.as_str())
                .then(|| (w.id, issue.key.clone(), w.time_spent_seconds))
        })
        .collect()
}

#[tokio::test]
async fn merge_creates_then_writes_nothing_then_patches_only_what_changed() {
    let b = both(30, "").await;
    let expected = worklogs_of(&b.site, &["DEMO-5", "DEMO-9", "DEMO-2"]);
    assert!(expected.len() > 3, "the seed gives these issues worklogs");

    let first = b.write(MERGE_TIMELOG).await;
    assert_eq!(first, [expected.len() as u64, 0, 0, 0, 0]);
    let items = b.items("TimeLog");
    assert_eq!(items.len(), expected.len());
    for (id, key, seconds) in &expected {
        let item = items
            .iter()
            .find(|i| i.get("WorklogId").and_then(Value::as_f64) == Some(*id as f64))
            .unwrap_or_else(|| panic!("worklog {id} was written"));
        assert_eq!(
            item.get("IssueKey").and_then(Value::as_str),
            Some(key.as_str())
        );
        assert_eq!(
            item.get("Seconds").and_then(Value::as_f64),
            Some(*seconds as f64)
        );
        let hours = item
            .get("Hours")
            .and_then(Value::as_f64)
            .unwrap_or_default();
        assert!((hours - *seconds as f64 / 3600.0).abs() < 0.01, "{hours}");
    }

    b.sp.clear_requests();
    let again = b.write(MERGE_TIMELOG).await;
    assert_eq!(again, [0, 0, expected.len() as u64, 0, 0]);
    assert_eq!(
        b.item_writes(),
        0,
        "an identical re-run writes nothing: {:?}",
        b.writes()
    );

    // Someone edits one item in SharePoint; the next run puts Jira's value back, alone.
    let changed = expected[0].0;
    b.write(&format!(
        "UPDATE sharepoint.TimeLog SET Seconds = 1 WHERE WorklogId = {changed}"
    ))
    .await;
    b.sp.clear_requests();
    let third = b.write(MERGE_TIMELOG).await;
    assert_eq!(third, [0, 1, expected.len() as u64 - 1, 0, 0]);
    // The patch carries the eTag it compared against: an edit made meanwhile would be a 412.
    let patch =
        b.sp.requests()
            .into_iter()
            .find(|r| r.endpoint.contains("PATCH"))
            .expect("one patch");
    assert!(
        patch
            .headers
            .iter()
            .any(|(k, v)| k == "if-match" && v.contains(',')),
        "{:?}",
        patch.headers
    );
    assert_eq!(b.item_writes(), 1, "{:?}", b.writes());
    let patched = b
        .items("TimeLog")
        .into_iter()
        .find(|i| i.get("WorklogId").and_then(Value::as_f64) == Some(changed as f64))
        .and_then(|i| i.get("Seconds").and_then(Value::as_f64));
    assert_eq!(patched, Some(expected[0].2 as f64));
}

#[tokio::test]
async fn not_matched_by_source_and_overwrite_delete_what_is_gone() {
    let b = both(30, "").await;
    b.write(MERGE_TIMELOG).await;
    let kept = worklogs_of(&b.site, &["DEMO-5"]);
    let all = b.items("TimeLog").len();
    let merge = "MERGE INTO sharepoint.TimeLog t USING (SELECT Id FROM Worklogs WHERE IssueKey = 'DEMO-5') s \
                 ON t.WorklogId = s.Id WHEN NOT MATCHED BY SOURCE THEN DELETE";
    let result = b.write(merge).await;
    assert_eq!(result[3], (all - kept.len()) as u64);
    assert_eq!(b.items("TimeLog").len(), kept.len());

    // INSERT OVERWRITE mirrors: DEMO-2's worklogs replace the list's content.
    let mirror = worklogs_of(&b.site, &["DEMO-2"]);
    let result = b
        .write(
            "INSERT OVERWRITE sharepoint.TimeLog SELECT Id AS WorklogId, IssueKey, \
             TimeSpentSeconds AS Seconds FROM Worklogs WHERE IssueKey = 'DEMO-2'",
        )
        .await;
    assert_eq!(result, [mirror.len() as u64, 0, 0, kept.len() as u64, 0]);
    let ids: Vec<f64> = b
        .items("TimeLog")
        .iter()
        .filter_map(|i| i.get("WorklogId").and_then(Value::as_f64))
        .collect();
    assert_eq!(ids.len(), mirror.len());
    assert!(mirror.iter().all(|(id, _, _)| ids.contains(&(*id as f64))));
}

#[tokio::test]
async fn insert_or_replace_upserts_by_the_unique_column() {
    let b = both(30, "").await;
    let sql = "INSERT OR REPLACE INTO sharepoint.TimeLog SELECT Id AS WorklogId, IssueKey, \
               TimeSpentSeconds AS Seconds FROM Worklogs WHERE IssueKey IN ('DEMO-5', 'DEMO-2')";
    let n = worklogs_of(&b.site, &["DEMO-5", "DEMO-2"]).len() as u64;
    assert_eq!(b.write(sql).await, [n, 0, 0, 0, 0]);
    b.sp.clear_requests();
    assert_eq!(b.write(sql).await, [0, 0, n, 0, 0]);
    assert_eq!(b.item_writes(), 0);
}

#[tokio::test]
async fn update_and_delete_statements() {
    let b = both(30, "").await;
    b.write(MERGE_TIMELOG).await;
    let demo5 = worklogs_of(&b.site, &["DEMO-5"]).len() as u64;
    let result = b
        .write("UPDATE sharepoint.TimeLog SET Comment = 'checked' WHERE IssueKey = 'DEMO-5'")
        .await;
    assert_eq!(result, [0, demo5, 0, 0, 0]);
    let checked = b
        .items("TimeLog")
        .iter()
        .filter(|i| i.get("Comment").and_then(Value::as_str) == Some("checked"))
        .count() as u64;
    assert_eq!(checked, demo5);
    let before = b.items("TimeLog").len() as u64;
    let result = b
        .write("DELETE FROM sharepoint.TimeLog WHERE IssueKey = 'DEMO-5'")
        .await;
    assert_eq!(result, [0, 0, 0, demo5, 0]);
    assert_eq!(b.items("TimeLog").len() as u64, before - demo5);
    // Reading the list back, with the key pushed into $filter.
    b.sp.clear_requests();
    let rows = b
        .run("SELECT count(*) FROM sharepoint.timelog WHERE issuekey = 'DEMO-2'")
        .await;
    let demo2 = worklogs_of(&b.site, &["DEMO-2"]).len();
    assert_eq!(rows, vec![vec![demo2.to_string()]]);
    let reads: Vec<_> =
        b.sp.requests()
            .into_iter()
            .filter(|r| r.endpoint.starts_with("GET") && r.endpoint.ends_with("/items"))
            .collect();
    assert_eq!(reads.len(), 1);
    assert!(reads[0].query.contains("filter"), "{}", reads[0].query);
    let explain = b
        .run("EXPLAIN SELECT WorklogId FROM sharepoint.TimeLog WHERE IssueKey = 'DEMO-2' LIMIT 5")
        .await
        .concat()
        .join("\n");
    assert!(
        explain.contains("GraphScan: TimeLog via GET /sites/{site}/lists/{list}/items?expand=fields(select=WorklogId,IssueKey)&$top=999&$filter=fields/IssueKey eq 'DEMO-2'"),
        "{explain}"
    );
}

#[tokio::test]
async fn mapping_problems_are_reported_together_before_any_write() {
    let b = both(30, "").await;
    let error = b
        .site
        .error(
            "INSERT INTO sharepoint.TimeLog SELECT Id AS WorklogId, IssueKey AS Ticket, \
             Created AS Modified FROM Worklogs",
        )
        .await;
    assert!(error.contains("Ticket"), "{error}");
    assert!(error.contains("Modified is read-only"), "{error}");
    assert!(error.contains("nothing was written"), "{error}");
    assert_eq!(b.item_writes(), 0);
    assert!(b.items("TimeLog").is_empty());
    // VALUES rows have no names to map by.
    let error = b
        .site
        .error("INSERT INTO sharepoint.TimeLog VALUES (1, 'DEMO-1')")
        .await;
    assert!(error.contains("name the list columns"), "{error}");
    assert_eq!(b.item_writes(), 0);
}

#[tokio::test]
async fn values_a_column_cannot_hold_name_row_column_and_value() {
    let b = both(30, "").await;
    let error = b
        .site
        .error(
            "INSERT INTO sharepoint.Issues (IssueKey, Title, Summary, Status) \
             SELECT Key, Key AS Title, repeat('x', 300), 'Blocked' FROM Issues WHERE Key = 'DEMO-1'",
        )
        .await;
    assert!(error.contains("DEMO-1"), "{error}");
    assert!(error.contains("Summary"), "{error}");
    assert!(error.contains("300 characters"), "{error}");
    assert!(error.contains("Blocked"), "{error}");
    assert_eq!(b.item_writes(), 0);
}

#[tokio::test]
async fn every_column_type_round_trips() {
    let b = both(30, "").await;
    let result = b
        .write(
            "INSERT INTO sharepoint.Issues (IssueKey, Title, Summary, Status, Priority, Labels, Created, Due, StoryPoints, Resolved) \
             VALUES ('DEMO-1', 'DEMO-1', 'It''s done', 'done', 'High', 'backend;ux', TIMESTAMP '2026-11-02T10:15:30Z', DATE '2026-12-01', 3.5, true)",
        )
        .await;
    assert_eq!(result, [1, 0, 0, 0, 0]);
    let rows = b
        .run(
            "SELECT IssueKey, Summary, Status, Priority, Labels, Created, Due, StoryPoints, Resolved \
             FROM sharepoint.issues",
        )
        .await;
    assert_eq!(
        rows,
        vec![vec![
            "DEMO-1".to_string(),
            "It's done".into(),
            "Done".into(),
            "High".into(),
            "[backend, ux]".into(),
            "2026-11-02T10:15:30Z".into(),
            "2026-12-01T00:00:00Z".into(),
            "3.5".into(),
            "true".into(),
        ]]
    );
}

#[tokio::test]
async fn batches_hold_twenty_or_batch_size() {
    let keys = [
        "DEMO-1", "DEMO-2", "DEMO-3", "DEMO-4", "DEMO-5", "DEMO-6", "DEMO-7",
    ];
    for (extra, per_request) in [("", 20usize), ("Other='BatchSize=1'", 1)] {
        let b = both(30, extra).await;
        let n = worklogs_of(&b.site, &keys).len();
        assert!(n > 20, "enough worklogs to need more than one batch: {n}");
        let sql = format!(
            "INSERT INTO sharepoint.TimeLog SELECT Id AS WorklogId, IssueKey FROM Worklogs WHERE IssueKey IN ({})",
            keys.iter()
                .map(|k| format!("'{k}'"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        assert_eq!(b.write(&sql).await[0], n as u64);
        let batches = b.sp.request_count("POST /v1.0/$batch");
        if per_request == 1 {
            assert_eq!(batches, 0);
            assert_eq!(b.item_writes(), n);
        } else {
            assert_eq!(batches, n.div_ceil(20));
        }
        assert_eq!(b.items("TimeLog").len(), n);
    }
}

#[tokio::test]
async fn a_throttled_batch_item_is_retried_alone() {
    let b = both(30, "").await;
    b.sp.faults().throttle(Throttle {
        requests: 1,
        status: 429,
        retry_after: Some("0.05".into()),
        rate_limit_headers: true,
        scope: FaultScope::BatchOnly,
    });
    let key = busy_issue(&b.site);
    let n = worklogs_of(&b.site, &[&key]).len();
    assert!(n > 1);
    let result = b
        .write(&format!("INSERT INTO sharepoint.TimeLog SELECT Id AS WorklogId FROM Worklogs WHERE IssueKey = '{key}'"))
        .await;
    assert_eq!(result[0], n as u64);
    assert_eq!(b.items("TimeLog").len(), n, "no duplicates, none lost");
    let batches: Vec<usize> =
        b.sp.requests()
            .iter()
            .filter(|r| r.endpoint == "POST /v1.0/$batch")
            .map(|r| {
                r.body
                    .as_ref()
                    .and_then(|b| b.get("requests"))
                    .and_then(Value::as_array)
                    .map_or(0, Vec::len)
            })
            .collect();
    // The first batch's throttled item goes again, alone, before the next batch.
    let mut expected: Vec<usize> = (0..n)
        .collect::<Vec<_>>()
        .chunks(20)
        .map(<[usize]>::len)
        .collect();
    expected.insert(1, 1);
    assert_eq!(batches, expected, "the throttled item is retried alone");
}

#[tokio::test]
async fn a_create_that_timed_out_after_storing_is_not_duplicated() {
    let b = both(30, "Timeout=1;Other='BatchSize=1'").await;
    b.sp.faults()
        .store_then_timeout(Duration::from_millis(2500));
    let key = busy_issue(&b.site);
    let n = worklogs_of(&b.site, &[&key]).len();
    assert!(n > 1);
    let result = b
        .write(&format!("INSERT INTO sharepoint.TimeLog SELECT Id AS WorklogId, IssueKey FROM Worklogs WHERE IssueKey = '{key}'"))
        .await;
    assert_eq!(result, [n as u64, 0, 0, 0, 0]);
    let ids: Vec<f64> = b
        .items("TimeLog")
        .iter()
        .filter_map(|i| i.get("WorklogId").and_then(Value::as_f64))
        .collect();
    assert_eq!(ids.len(), n, "each worklog once: {ids:?}");
    let lookups =
        b.sp.requests()
            .iter()
            .filter(|r| r.endpoint.starts_with("GET") && r.query.contains("filter"))
            .count();
    assert_eq!(
        lookups, 1,
        "the timed-out create was looked up once before anything was resent"
    );
}

#[tokio::test]
async fn wrong_client_secret_says_what_to_fix() {
    let b = both(10, "ClientSecret=wrong-secret").await;
    let error = b.site.error("SELECT * FROM sharepoint.TimeLog").await;
    assert!(error.contains("AADSTS7000215"), "{error}");
    assert!(error.contains("client secret"), "{error}");
    assert!(
        !error.contains("wrong-secret"),
        "the secret is not echoed: {error}"
    );
}

#[tokio::test]
async fn lists_and_columns_with_spaces() {
    let mut config = SharePointEmulatorConfig::default();
    config.lists.push(
        ListSpec::new("Story Log")
            .title_optional()
            .column(ColumnSpec::new(
                "Story Points",
                SpKind::Number { decimals: Some(1) },
            ))
            .column(ColumnSpec::new("Issue Key", SpKind::text()).indexed()),
    );
    let b = both_with(10, config, "").await;
    let result = b
        .write(
            "INSERT INTO sharepoint.\"Story Log\" SELECT Key AS issue_key, 2 AS story_points \
             FROM Issues WHERE Key IN ('DEMO-1', 'DEMO-2')",
        )
        .await;
    assert_eq!(result[0], 2);
    let items = b.items("Story Log");
    assert!(
        items
            .iter()
            .all(|i| i.get("Story_x0020_Points").and_then(Value::as_f64) == Some(2.0))
    );
    let rows = b
        .run("SELECT \"Issue Key\", \"Story Points\" FROM sharepoint.storylog ORDER BY 1")
        .await;
    assert_eq!(
        rows,
        vec![
            vec!["DEMO-1".to_string(), "2.0".into()],
            vec!["DEMO-2".into(), "2.0".into()]
        ]
    );
    let burndown = b.write(
        "INSERT INTO sharepoint.\"Sprint Burndown\" (Title, \"Sprint Name\", Day, \"Remaining Points\") \
         VALUES ('Sprint 1 day 1', 'Sprint 1', DATE '2026-11-02', 13)",
    );
    assert_eq!(burndown.await[0], 1);
}

#[tokio::test]
async fn dry_run_counts_and_writes_nothing() {
    let mut b = both(30, "").await;
    b.site.engine.set_dry_run(true);
    let n = worklogs_of(&b.site, &["DEMO-5", "DEMO-9", "DEMO-2"]).len() as u64;
    assert_eq!(b.write(MERGE_TIMELOG).await, [n, 0, 0, 0, 0]);
    assert_eq!(b.item_writes(), 0);
    assert!(b.items("TimeLog").is_empty());
}

#[tokio::test]
async fn a_stale_etag_is_a_reported_row_not_an_overwrite() {
    use jiraql::sharepoint::Directory;
    use jiraql::sharepoint::sync::{Change, WriteReport, apply};
    let b = both(10, "").await;
    let mut fields = serde_json::Map::new();
    fields.insert("WorklogId".into(), serde_json::json!(1));
    fields.insert("Seconds".into(), serde_json::json!(60));
    let id = b.sp.insert_item("TimeLog", fields).expect("seeded");
    let stale = b.sp.items("TimeLog")[0].etag.clone();
    // Someone edits the item after jiraql read it.
    b.write(&format!(
        "UPDATE sharepoint.TimeLog SET Seconds = 120 WHERE ID = {id}"
    ))
    .await;
    let settings: SharePointSettings = sp_connection(&b.sp, "").parse().expect("connection");
    let directory = Directory::new(GraphClient::new(settings).expect("client"));
    let list = directory
        .list("TimeLog")
        .await
        .expect("lists")
        .expect("TimeLog");
    let seconds = list
        .column("Seconds")
        .ok()
        .flatten()
        .cloned()
        .expect("Seconds");
    let mut report = WriteReport::default();
    let change = Change::Update {
        label: "row 1".into(),
        item: id.clone(),
        etag: Some(stale),
        fields: vec![(seconds, serde_json::json!(60))],
    };
    apply(&directory, &list, None, vec![change], &mut report)
        .await
        .expect("sent");
    assert_eq!(report.updated, 0);
    assert_eq!(report.failed.len(), 1);
    assert!(
        report.failed[0].reason.contains("412"),
        "{:?}",
        report.failed
    );
    assert!(
        report.failed[0]
            .reason
            .contains("changed since it was read"),
        "{:?}",
        report.failed
    );
    let kept = b.items("TimeLog")[0].get("Seconds").and_then(Value::as_f64);
    assert_eq!(kept, Some(120.0), "the other edit stays");
}

#[tokio::test]
async fn certificate_sign_in() {
    let fixture = |name: &str| {
        std::fs::read_to_string(format!(
            "{}/crates/jiraql-emulator/tests/fixtures/sharepoint/{name}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .expect("fixture")
    };
    let config = SharePointEmulatorConfig {
        certificate: Some(jiraql_emulator::sharepoint::CertificateCredential {
            public_key_pem: fixture("test-app-public.pem"),
            x5t: fixture("test-app-x5t.txt").trim().to_string(),
        }),
        ..SharePointEmulatorConfig::default()
    };
    let dir = std::env::temp_dir().join(format!("jiraql-cert-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let pem = dir.join("app.pem");
    std::fs::write(
        &pem,
        fixture("test-app-key.pem") + &fixture("test-app-cert.pem"),
    )
    .expect("pem");
    let b = both_with(
        10,
        config,
        &format!(
            "Authentication=Certificate;CertificatePath={}",
            pem.display()
        ),
    )
    .await;
    let rows = b.run("SELECT count(*) FROM sharepoint.TimeLog").await;
    assert_eq!(rows, vec![vec!["0".to_string()]]);
    let token =
        b.sp.requests()
            .into_iter()
            .find(|r| r.endpoint.contains("oauth2/v2.0/token"))
            .expect("a token request");
    let body = token.body.unwrap_or_default();
    assert_eq!(
        body.get("client_assertion_type").and_then(Value::as_str),
        Some("urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
    );
    assert!(body.get("client_secret").is_none());
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn device_code_sign_in_and_token_renewal() {
    let config = SharePointEmulatorConfig {
        device_code_interval: 0,
        device_code_pending_polls: 2,
        ..SharePointEmulatorConfig::default()
    };
    let b = both_with(10, config, "Authentication=DeviceCode").await;
    assert_eq!(
        b.run("SELECT count(*) FROM sharepoint.TimeLog").await,
        vec![vec!["0".to_string()]]
    );
    let polls =
        b.sp.requests()
            .iter()
            .filter(|r| r.endpoint.contains("oauth2/v2.0/token"))
            .count();
    assert_eq!(polls, 3, "two pending answers, then the token");
    // Tokens expire: the next request gets a 401, a refreshed token, and goes through.
    b.sp.faults().expire_tokens();
    b.sp.clear_requests();
    assert_eq!(
        b.run("SELECT count(*) FROM sharepoint.TimeLog").await,
        vec![vec!["0".to_string()]]
    );
    let log: Vec<(String, u16)> =
        b.sp.requests()
            .into_iter()
            .map(|r| (r.endpoint, r.status))
            .collect();
    assert!(log.iter().any(|(_, s)| *s == 401), "{log:?}");
    let refresh =
        b.sp.requests()
            .into_iter()
            .filter(|r| r.endpoint.contains("oauth2/v2.0/token"))
            .filter_map(|r| r.body)
            .filter_map(|b| {
                b.get("grant_type")
                    .and_then(Value::as_str)
                    .map(str::to_string)
            })
            .collect::<Vec<_>>();
    assert_eq!(refresh, vec!["refresh_token".to_string()], "{log:?}");
}

#[tokio::test]
async fn an_unknown_list_names_the_lists_there_are() {
    let b = both(10, "").await;
    for sql in [
        "SELECT * FROM sharepoint.TimeLogs",
        "DELETE FROM sharepoint.TimeLogs",
    ] {
        let error = b.site.error(sql).await;
        assert!(error.contains("no list named `TimeLogs`"), "{error}");
        assert!(
            error.contains("TimeLog, Issues, Sprint Burndown"),
            "{error}"
        );
        assert!(
            error.contains("CREATE TABLE sharepoint.\"TimeLogs\" AS SELECT"),
            "{error}"
        );
    }
    assert_eq!(b.item_writes(), 0);
}

#[tokio::test]
async fn update_and_delete_without_where_are_refused() {
    let b = both(10, "").await;
    for sql in [
        "DELETE FROM sharepoint.TimeLog",
        "UPDATE sharepoint.TimeLog SET Seconds = 0",
    ] {
        let error = b.site.error(sql).await;
        assert!(
            error.contains("without WHERE would change every row of TimeLog"),
            "{error}"
        );
        assert!(error.contains("--allow-all-rows"), "{error}");
    }
    assert_eq!(b.item_writes(), 0);
}

#[tokio::test]
async fn issues_are_created_in_jira_from_a_list() {
    let b = both(20, "").await;
    b.site
        .rows("INSERT INTO sharepoint.Issues (Title, Summary) VALUES ('From the list A', 'a'), ('From the list B', 'b')")
        .await;
    let before = b.site.jira.data().issues.len();
    b.site.jira.reset_requests();
    let rows = b
        .site
        .rows(
            "INSERT INTO Issues (ProjectKey, IssueTypeName, Summary) \
             SELECT 'DEMO', 'Task', Title FROM sharepoint.Issues WHERE IssueKey IS NULL",
        )
        .await;
    assert_eq!(rows, [["Issues", "2", "0", "0", "0", "0"]]);
    assert_eq!(b.site.jira.request_count("POST /rest/api/3/issue/bulk"), 1);
    let data = b.site.jira.data();
    let mut made: Vec<&str> = data.issues[before..]
        .iter()
        .map(|i| i.summary.as_str())
        .collect();
    made.sort_unstable();
    assert_eq!(made, ["From the list A", "From the list B"]);
}
