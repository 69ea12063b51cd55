//! `jiraql mirror`: tables copied to Parquet that DataFusion (as any Parquet reader) reads
//! back equal to the live tables; a second run of Issues reads only what changed plus an
//! id-only census, replacing, adding and removing rows by Id; a run killed mid-swap is put
//! right by the next.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use datafusion::arrow::datatypes::DataType;
use datafusion::prelude::{ParquetReadOptions, SessionContext};
use jiraql::engine::Engine;
use jiraql::jira::client::JiraClient;
use jiraql::mirror::{self, TableReport};

use crate::common::{self, Site};

const SEARCH: &str = "POST /rest/api/3/search/jql";
const COUNT: &str = "POST /rest/api/3/search/approximate-count";

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("jiraql-mirror-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// The values of `column` in the mirrored `table`, as text, read as any Parquet reader
/// would: the table's directory, its split column from the directory names.
async fn mirrored(dir: &Path, table: &str, column: &str) -> BTreeSet<String> {
    let split = mirror::store::load(dir).expect("manifest").tables[table]
        .partition
        .clone();
    let mut options = ParquetReadOptions::default();
    if let Some(split) = split {
        options = options.table_partition_cols(vec![(split, DataType::Utf8)]);
    }
    let ctx = SessionContext::new();
    ctx.register_parquet("t", format!("{}/", dir.join(table).display()), options)
        .await
        .expect("Parquet files");
    let batches = ctx
        .sql(&format!("SELECT CAST(\"{column}\" AS VARCHAR) FROM t"))
        .await
        .expect("query")
        .collect()
        .await
        .expect("rows");
    common::strings(&batches)
        .into_iter()
        .map(|r| r[0].clone())
        .collect()
}

async fn live(s: &Site, sql: &str) -> BTreeSet<String> {
    s.rows(sql)
        .await
        .into_iter()
        .map(|r| r[0].clone())
        .collect()
}

async fn refresh(s: &Site, dir: &Path, tables: &[&str]) -> Vec<TableReport> {
    let tables: Vec<String> = tables.iter().map(|t| t.to_string()).collect();
    mirror::run(&s.engine, dir, &tables, &Default::default())
        .await
        .expect("mirror")
}

#[tokio::test]
async fn a_mirror_reads_back_as_the_live_tables_and_refreshes_by_change() {
    let s = common::site(300).await;
    let dir = scratch("refresh");
    let first = refresh(&s, &dir, &["Issues", "Worklogs"]).await;
    let issues = s.jira.data().issues.len();
    let worklogs = s.jira.data().worklogs.len();
    assert_eq!(
        first
            .iter()
            .map(|r| (r.table.as_str(), r.rows, r.incremental))
            .collect::<Vec<_>>(),
        [("Issues", issues, false), ("Worklogs", worklogs, false)]
    );
    assert_eq!(
        mirrored(&dir, "Issues", "Key").await,
        live(&s, "SELECT Key FROM Issues").await
    );
    assert_eq!(mirrored(&dir, "Worklogs", "Id").await.len(), worklogs);
    let manifest = mirror::store::load(&dir).expect("manifest");
    assert_eq!(manifest.tables["Issues"].rows, issues);
    // Issues in one directory a project, as hive-style readers expect; Worklogs in one file.
    let projects: BTreeSet<String> = s
        .jira
        .data()
        .issues
        .iter()
        .map(|i| i.key.split('-').next().unwrap_or("").to_string())
        .collect();
    for project in &projects {
        let split = dir.join("Issues").join(format!("ProjectKey={project}"));
        let files = std::fs::read_dir(&split).map(|d| d.count()).unwrap_or(0);
        assert!(files > 0, "{} holds the project's files", split.display());
    }
    assert_eq!(
        manifest.tables["Issues"].partition.as_deref(),
        Some("ProjectKey")
    );
    assert!(dir.join("Worklogs").join("data.parquet").exists());
    assert!(manifest.tables["Issues"].watermark_ms.is_some());

    // Jira changes: one issue edited, one made, one deleted.
    let keys: Vec<String> = s.jira.data().issues.iter().map(|i| i.key.clone()).collect();
    let (edited, deleted) = (keys[10].clone(), keys[20].clone());
    s.rows(&format!(
        "UPDATE Issues SET Summary = 'mirrored edit' WHERE Key = '{edited}'"
    ))
    .await;
    s.rows("INSERT INTO Issues (ProjectKey, IssueTypeName, Summary) VALUES ('DEMO', 'Task', 'mirrored new')").await;
    s.rows(&format!("DELETE FROM Issues WHERE Key = '{deleted}'"))
        .await;
    s.jira.reset_requests();
    let second = refresh(&s, &dir, &["Issues"]).await;
    let r = &second[0];
    assert!(r.incremental);
    assert_eq!((r.added, r.removed, r.rows), (1, 1, issues));
    assert!(r.replaced >= 1, "{r:?}");
    // The changed issues (one page), the count and the id-only census (one page of 5000).
    assert_eq!(s.jira.request_count(SEARCH), 2, "{:?}", s.endpoints());
    assert_eq!(
        mirrored(&dir, "Issues", "Key").await,
        live(&s, "SELECT Key FROM Issues").await
    );
    assert!(
        mirrored(&dir, "Issues", "Summary")
            .await
            .contains("mirrored edit")
    );
    assert_eq!(
        s.jira.request_count(COUNT),
        1,
        "the count differed, so the census ran"
    );

    // Nothing deleted since: Jira's count agrees with the mirror and no id is read.
    s.jira.reset_requests();
    let third = refresh(&s, &dir, &["Issues"]).await;
    assert_eq!((third[0].added, third[0].removed), (0, 0));
    assert_eq!(s.jira.request_count(SEARCH), 1, "{:?}", s.endpoints());
    assert_eq!(s.jira.request_count(COUNT), 1);
    assert_eq!(
        mirrored(&dir, "Issues", "Key").await,
        live(&s, "SELECT Key FROM Issues").await
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn a_run_killed_mid_swap_is_put_right_by_the_next() {
    let s = common::site(60).await;
    let dir = scratch("killed");
    refresh(&s, &dir, &["Issues"]).await;
    // Killed after moving the old copy aside, with a half-written new one.
    std::fs::rename(dir.join("Issues"), dir.join(".old-Issues")).expect("move aside");
    std::fs::create_dir_all(dir.join(".new-Issues")).expect("staging");
    std::fs::write(dir.join(".new-Issues").join("data.parquet"), b"cut").expect("half");
    let again = refresh(&s, &dir, &["Issues"]).await;
    assert!(
        again[0].incremental,
        "the old copy and its watermark were put back"
    );
    assert_eq!(
        mirrored(&dir, "Issues", "Key").await,
        live(&s, "SELECT Key FROM Issues").await
    );
    assert!(!dir.join(".old-Issues").exists() && !dir.join(".new-Issues").exists());
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn a_new_custom_field_becomes_a_column_without_a_full_read() {
    let s = common::site(120).await;
    let dir = scratch("fields");
    // The first run from a session that knew none of the site's custom fields: to the mirror,
    // they are new when the next run sees them.
    let settings = common::connection(&s.jira, &s.jira.config().api_token.clone(), "");
    let before = Engine::with_custom_fields(JiraClient::new(settings).expect("client"), &[])
        .expect("engine");
    let issues = vec!["Issues".to_string()];
    mirror::run(&before, &dir, &issues, &Default::default())
        .await
        .expect("first run");
    let columns = |dir: &Path| {
        mirror::store::load(dir).expect("manifest").tables["Issues"]
            .columns
            .clone()
    };
    let plain = columns(&dir);
    assert!(!plain.iter().any(|c| c == "Story Points"));

    let key = s.jira.data().issues[5].key.clone();
    s.rows(&format!(
        "UPDATE Issues SET \"Story Points\" = 13 WHERE Key = '{key}'"
    ))
    .await;
    s.jira.reset_requests();
    let r = refresh(&s, &dir, &["Issues"]).await.remove(0);
    assert!(r.incremental, "{r:?}");
    assert!(r.gained.iter().any(|c| c == "Story Points"), "{r:?}");
    assert_eq!(r.rows, s.jira.data().issues.len());
    assert_eq!(
        s.endpoints(),
        [SEARCH, COUNT],
        "the changes and the count, no full read"
    );
    let live: Vec<String> = s
        .engine
        .table_def("Issues")
        .expect("Issues")
        .columns
        .iter()
        .map(|c| c.name.to_string())
        .collect();
    assert_eq!(
        columns(&dir),
        live,
        "the mirror has the session's columns, in order"
    );
    let points = mirrored(&dir, "Issues", "Story Points").await;
    assert!(
        points.contains("13.0") || points.contains("13"),
        "{points:?}"
    );

    // --full reads it whole again.
    s.jira.reset_requests();
    let whole = mirror::run(
        &s.engine,
        &dir,
        &issues,
        &mirror::Options {
            full: true,
            ..Default::default()
        },
    )
    .await
    .expect("full run");
    assert!(!whole[0].incremental && whole[0].gained.is_empty());
    assert_eq!(mirrored(&dir, "Issues", "Key").await, live_keys(&s).await);
    let _ = std::fs::remove_dir_all(&dir);
}

async fn live_keys(s: &Site) -> BTreeSet<String> {
    live(s, "SELECT Key FROM Issues").await
}

#[tokio::test]
async fn issues_are_counted_in_one_request_on_cloud_and_data_center() {
    use jiraql::jira::{count::issue_count, jql::ALL_ISSUES};
    let s = common::site(130).await;
    let n = s.jira.data().issues.len() as u64;
    let cloud = issue_count(s.engine.client(), ALL_ISSUES).await;
    assert_eq!(cloud.ok(), Some(n));
    assert_eq!(s.endpoints(), [COUNT]);
    let dc = crate::partition::data_center(&s, "");
    s.jira.reset_requests();
    let total = issue_count(dc.client(), ALL_ISSUES).await;
    assert_eq!(total.ok(), Some(n));
    assert_eq!(s.endpoints(), ["GET /rest/api/2/search"]);
}

#[tokio::test]
async fn a_mirror_in_the_older_layout_is_read_whole_once() {
    let s = common::site(40).await;
    let dir = scratch("layout");
    std::fs::create_dir_all(dir.join("Issues")).expect("dir");
    std::fs::write(dir.join("Issues").join("data.parquet"), b"old").expect("file");
    std::fs::write(
        dir.join("manifest.json"),
        r#"{"schema_version": 1, "tables": {"Issues": {"rows": 1, "refreshed_at": "2026-12-01T00:00:00Z", "watermark_ms": 1, "columns": ["Id"]}}}"#,
    )
    .expect("manifest");
    let r = refresh(&s, &dir, &["Issues"]).await.remove(0);
    assert!(!r.incremental, "{r:?}");
    assert_eq!(r.rows, s.jira.data().issues.len());
    assert!(!dir.join("Issues").join("data.parquet").exists());
    assert_eq!(
        mirrored(&dir, "Issues", "Key").await,
        live(&s, "SELECT Key FROM Issues").await
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn where_mirrors_some_rows_and_a_refresh_keeps_to_them() {
    let s = common::site(200).await;
    let dir = scratch("where");
    let issues = vec!["Issues".to_string()];
    let project = s.jira.data().issues[0]
        .key
        .split('-')
        .next()
        .unwrap_or_default()
        .to_string();
    let only = mirror::Options {
        filter: Some(format!("ProjectKey = '{project}'")),
        ..Default::default()
    };
    let in_project = format!("SELECT Key FROM Issues WHERE ProjectKey = '{project}'");
    mirror::run(&s.engine, &dir, &issues, &only)
        .await
        .expect("first run");
    let keys = live(&s, &in_project).await;
    assert!(!keys.is_empty() && keys.len() < s.jira.data().issues.len());
    assert_eq!(mirrored(&dir, "Issues", "Key").await, keys);

    // One of its issues deleted: the refresh reads the project's changes and ids only.
    let gone = keys.iter().next().cloned().unwrap_or_default();
    s.rows(&format!("DELETE FROM Issues WHERE Key = '{gone}'"))
        .await;
    s.jira.reset_requests();
    let r = mirror::run(&s.engine, &dir, &issues, &only)
        .await
        .expect("refresh")
        .remove(0);
    assert!(r.incremental && r.removed == 1, "{r:?}");
    assert_eq!(
        mirrored(&dir, "Issues", "Key").await,
        live(&s, &in_project).await
    );
    assert_eq!(
        s.jira.request_count(COUNT),
        0,
        "Jira's count is of every issue"
    );

    // Another condition is another set of rows: read whole.
    let every = mirror::run(&s.engine, &dir, &issues, &Default::default())
        .await
        .expect("whole")
        .remove(0);
    assert!(!every.incremental);
    assert_eq!(every.rows, s.jira.data().issues.len());
    let bad = mirror::Options {
        filter: Some("NoSuchColumn = 1".into()),
        ..Default::default()
    };
    let error = mirror::run(&s.engine, &dir, &issues, &bad)
        .await
        .expect_err("an unknown column");
    assert!(
        error.contains("--where NoSuchColumn = 1") && error.contains("columns of Issues"),
        "{error}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
