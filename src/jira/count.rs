//! How many issues a JQL query matches, in one request: Cloud's `search/approximate-count`
//! (which may not show the last moments' changes yet) or Data Center's `search` total asked
//! with no rows.

use serde_json::{Value, json};

use super::client::{ApiFlavor, JiraClient, JiraError};

/// The number of issues `jql` (bounded, as Cloud requires) matches.
pub async fn issue_count(client: &JiraClient, jql: &str) -> Result<u64, JiraError> {
    let (body, key) = match client.flavor() {
        ApiFlavor::Cloud => (
            client
                .post_platform("search/approximate-count", &[], &json!({ "jql": jql }))
                .await?,
            "count",
        ),
        ApiFlavor::DataCenter => (
            client
                .get_platform(
                    "search",
                    &[
                        ("jql", jql.to_string()),
                        ("maxResults", "0".to_string()),
                        ("fields", "id".to_string()),
                    ],
                )
                .await?,
            "total",
        ),
    };
    body.get(key).and_then(Value::as_u64).ok_or_else(|| {
        JiraError::Protocol(format!(
            "counting the issues of {jql}: the answer has no {key}"
        ))
    })
}
