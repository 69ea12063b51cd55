//! Lists made through Graph: a generic list with typed columns, a column added later, the
//! list deleted; Graph's refusals for taken and forbidden names and a column without a type.

use super::*;

#[tokio::test]
async fn lists_and_columns_are_created_and_deleted() {
    let t = demo().await;
    let lists = format!("{}/lists", t.site());
    let body = json!({
        "displayName": "My Worklogs",
        "columns": [
            {"name": "WorklogId", "number": {"decimalPlaces": "none"}, "indexed": true},
            {"name": "IssueKey", "text": {"maxLength": 255}},
            {"name": "Started", "dateTime": {"format": "dateTime"}},
            {"name": "Billable", "boolean": {}},
            {"name": "StoryPoints", "displayName": "Story Points", "number": {}},
        ],
        "list": {"template": "genericList"},
    });
    let made = t.post(&lists, body.clone()).await;
    assert_eq!(made.status, 201, "{}", made.body);
    assert_eq!(made.body["displayName"], "My Worklogs");
    assert_eq!(made.body["name"], "MyWorklogs");
    let id = made.body["id"].as_str().expect("id").to_string();
    let columns = t.get(&format!("{lists}/{id}/columns")).await;
    let column = |name: &str| {
        columns.body["value"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|c| c["name"] == name)
            .cloned()
            .unwrap_or(Value::Null)
    };
    assert!(
        column("WorklogId")["number"].is_object(),
        "{}",
        columns.body
    );
    assert_eq!(column("WorklogId")["indexed"], true);
    assert!(column("Started")["dateTime"].is_object());
    assert!(column("Billable")["boolean"].is_object());
    assert_eq!(column("StoryPoints")["displayName"], "Story Points");
    assert_eq!(column("IssueKey")["displayName"], "IssueKey");
    // Items are written and filtered on the indexed column as on any list.
    let item = json!({"fields": {"Title": "DEMO-7", "WorklogId": 42, "IssueKey": "DEMO-7", "Billable": true}});
    assert_eq!(
        t.post(&format!("{lists}/{id}/items"), item).await.status,
        201
    );
    let found = t
        .get(&format!(
            "{lists}/{id}/items?$filter=fields/WorklogId eq 42&expand=fields"
        ))
        .await;
    assert_eq!(
        found.body["value"].as_array().map(Vec::len),
        Some(1),
        "{}",
        found.body
    );

    // Graph's refusals.
    let again = t.post(&lists, body).await;
    assert_eq!(
        (again.status, again.error_code()),
        (409, "nameAlreadyExists")
    );
    let bad = t.post(&lists, json!({"displayName": "a/b"})).await;
    assert_eq!(bad.status, 400);
    let untyped = t
        .post(
            &lists,
            json!({"displayName": "X", "columns": [{"name": "Y"}]}),
        )
        .await;
    assert_eq!(untyped.status, 400);
    let builtin = t
        .post(
            &format!("{lists}/{id}/columns"),
            json!({"name": "Created", "text": {}}),
        )
        .await;
    assert_eq!(builtin.status, 400);

    // A column added later; the list deleted.
    let added = t
        .post(
            &format!("{lists}/{id}/columns"),
            json!({"name": "Note", "text": {"allowMultipleLines": true}}),
        )
        .await;
    assert_eq!(added.status, 201, "{}", added.body);
    assert_eq!(added.body["name"], "Note");
    let gone = t
        .call(Method::DELETE, &format!("{lists}/{id}"), &[], None)
        .await;
    assert_eq!(gone.status, 204);
    assert_eq!(t.get(&format!("{lists}/{id}")).await.status, 404);
}
