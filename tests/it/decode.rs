//! Issue pages parsed only along the paths the columns read decode to the same rows as pages
//! parsed whole, for every column of `Issues`.

use std::sync::Arc;

use crate::common;
use jiraql::engine::decode::{NoParent, RowDecoder, table_schema};
use jiraql::jira::tables::ISSUES;
use serde_json::{Value, json};

#[tokio::test]
async fn kept_paths_decode_like_whole_pages() {
    let site = common::site(150).await;
    let client = site.engine.client();
    let all: Vec<usize> = (0..ISSUES.columns.len()).collect();
    let decoder = RowDecoder::new(
        &ISSUES,
        &all,
        Arc::new(table_schema(&ISSUES).project(&all).unwrap()),
    );
    let body = json!({"jql": "project is not EMPTY", "fields": ["*all"], "maxResults": 100});
    let whole = client
        .post_platform("search/jql", &[], &body)
        .await
        .unwrap();
    let keep = decoder.keep().under("issues");
    let kept = client
        .post_platform_kept("search/jql", &[], &body, &keep)
        .await
        .unwrap();
    let issues = |page: &Value| page["issues"].as_array().cloned().unwrap();
    assert_eq!(issues(&whole).len(), 100);
    assert!(
        kept.to_string().len() < whole.to_string().len() / 2,
        "most of the page is skipped"
    );
    let a = decoder.decode(&issues(&whole), &NoParent).unwrap();
    let b = decoder.decode(&issues(&kept), &NoParent).unwrap();
    assert_eq!(a, b);
}
