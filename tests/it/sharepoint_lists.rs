//! Lists made from SQL, over the wire: `CREATE TABLE sharepoint.<list> AS SELECT` and with
//! declared columns, `ALTER TABLE ... ADD COLUMN`, `DROP TABLE`, and their refusals. What the
//! Graph emulator stored, and the requests it saw, are the evidence.

use serde_json::Value;

use crate::sharepoint::{Both, both, worklogs_of};

const KEYS: &[&str] = &["DEMO-5", "DEMO-9", "DEMO-2"];

fn ctas(list: &str) -> String {
    format!(
        "CREATE TABLE sharepoint.{list} AS SELECT Id, IssueKey, Started, TimeSpentSeconds \
         FROM Worklogs WHERE IssueKey IN ('DEMO-5', 'DEMO-9', 'DEMO-2')"
    )
}

impl Both {
    /// The list's column definitions as Graph describes them, by internal name.
    async fn columns(&self, list: &str) -> Vec<Value> {
        let graph = self.site.engine.sharepoint().expect("graph");
        let id = self.sp.list_id(list).expect("the list exists");
        graph
            .get_all(
                &format!("/sites/{}/lists/{id}/columns", self.sp.site_id()),
                &[],
                "test",
            )
            .await
            .expect("columns")
    }

    async fn column(&self, list: &str, name: &str) -> Value {
        self.columns(list)
            .await
            .into_iter()
            .find(|c| c["name"] == name)
            .unwrap_or(Value::Null)
    }

    /// Runs `sql`, which must fail with a message holding every one of `needles`.
    async fn refused(&self, sql: &str, needles: &[&str]) {
        let error = self.site.error(sql).await;
        assert!(needles.iter().all(|n| error.contains(n)), "{sql}: {error}");
    }

    /// How many requests went to `endpoint` (e.g. `POST /v1.0/sites/{site}/lists`).
    fn sent(&self, endpoint: &str) -> usize {
        self.sp.request_count(endpoint)
    }
}

const CREATE_LIST: &str = "POST /v1.0/sites/{site}/lists";
const LIST_LISTS: &str = "GET /v1.0/sites/{site}/lists";

#[tokio::test]
async fn create_table_as_select_makes_a_typed_list_and_fills_it() {
    let b = both(30, "").await;
    let worklogs = worklogs_of(&b.site, KEYS);
    let n = worklogs.len() as u64;
    assert!(n > 0);
    assert_eq!(b.write(&ctas("MyWorklogs")).await, [n, 0, 0, 0, 0]);
    assert_eq!(b.sent(CREATE_LIST), 1);
    let notes = b.site.engine.take_write_report().expect("report").notes;
    assert!(
        notes.iter().any(|n| n.contains("SourceId")),
        "the renamed Id is reported: {notes:?}"
    );

    // Types from the Arrow types; the first column indexed; Title kept.
    let id = b.column("MyWorklogs", "SourceId").await;
    assert_eq!(id["number"]["decimalPlaces"], "none", "{id}");
    assert_eq!(id["indexed"], true);
    let key = b.column("MyWorklogs", "IssueKey").await;
    assert_eq!(key["text"]["allowMultipleLines"], false, "{key}");
    assert_eq!(
        b.column("MyWorklogs", "Started").await["dateTime"]["format"],
        "dateTime"
    );
    assert!(
        b.column("MyWorklogs", "TimeSpentSeconds").await["number"].is_object(),
        "{:?}",
        b.columns("MyWorklogs").await
    );
    assert_eq!(b.column("MyWorklogs", "Title").await["required"], true);

    // Every worklog once, Title filled from the first text column.
    let items = b.items("MyWorklogs");
    assert_eq!(items.len() as u64, n);
    for (id, issue, seconds) in &worklogs {
        let item = items
            .iter()
            .find(|i| i.get("SourceId").and_then(Value::as_f64) == Some(*id as f64))
            .unwrap_or_else(|| panic!("worklog {id} is in the list: {items:?}"));
        assert_eq!(item["IssueKey"], issue.as_str());
        assert_eq!(item["Title"], issue.as_str());
        assert_eq!(item["TimeSpentSeconds"].as_f64(), Some(*seconds as f64));
    }

    // The same session sees the list at once: the catalog, SELECT, and $filter on the key.
    let tables = b
        .run("SELECT table_name FROM information_schema.tables WHERE table_schema = 'sharepoint'")
        .await;
    assert!(tables.iter().any(|t| t[0] == "MyWorklogs"), "{tables:?}");
    let described = b
        .run("SELECT TableName FROM sys_tables WHERE TableName = 'MyWorklogs'")
        .await;
    assert_eq!(described.len(), 1);
    let count = b.run("SELECT count(*) FROM sharepoint.MyWorklogs").await;
    assert_eq!(count[0][0], n.to_string());
    b.sp.clear_requests();
    let (one, ..) = worklogs[0].clone();
    let found = b
        .run(&format!(
            "SELECT IssueKey FROM sharepoint.MyWorklogs WHERE SourceId = {one}"
        ))
        .await;
    assert_eq!(found.len(), 1);
    assert!(
        b.sp.requests()
            .iter()
            .any(|r| r.endpoint.contains("/items") && r.query.contains("filter")),
        "the indexed key is filtered by Graph"
    );
}

#[tokio::test]
async fn creating_a_list_that_exists_is_refused_unless_if_not_exists() {
    let b = both(10, "").await;
    let error = b.site.error(&ctas("TimeLog")).await;
    assert!(
        error.contains("already has a list named TimeLog") && error.contains("IF NOT EXISTS"),
        "{error}"
    );
    let quiet = b
        .write("CREATE TABLE IF NOT EXISTS sharepoint.timelog (A INT)")
        .await;
    assert_eq!(quiet, [0, 0, 0, 0, 0]);
    assert_eq!(b.sent(CREATE_LIST), 0);
    assert!(b.items("TimeLog").is_empty());
}

#[tokio::test]
async fn declared_columns_alter_and_drop() {
    let mut b = both(10, "").await;
    b.write(
        "CREATE TABLE sharepoint.\"Release Notes\" (\"Key\" VARCHAR(20) NOT NULL, Body TEXT, \
         Points DECIMAL(5, 1), Due DATE, Done BOOLEAN)",
    )
    .await;
    let key = b.column("Release Notes", "Key").await;
    assert_eq!(
        (&key["text"]["maxLength"], &key["required"], &key["indexed"]),
        (&Value::from(20), &Value::from(true), &Value::from(true)),
        "{key}"
    );
    assert_eq!(
        b.column("Release Notes", "Body").await["text"]["allowMultipleLines"],
        true
    );
    assert_eq!(
        b.column("Release Notes", "Points").await["number"]["decimalPlaces"],
        "one"
    );
    assert_eq!(
        b.column("Release Notes", "Due").await["dateTime"]["format"],
        "dateOnly"
    );
    assert!(b.column("Release Notes", "Done").await["boolean"].is_object());
    assert!(b.items("Release Notes").is_empty());

    // Written and read like any list, in the same session.
    let inserted = b
        .write(
            "INSERT INTO sharepoint.\"Release Notes\" (Title, Key, Body, Points, Due, Done) \
             VALUES ('2.0', 'R-2', 'line one\nline two', 2.5, DATE '2026-12-01', true)",
        )
        .await;
    assert_eq!(inserted, [1, 0, 0, 0, 0]);
    let back = b
        .run("SELECT Key, Points, Done FROM sharepoint.\"Release Notes\"")
        .await;
    assert_eq!(back, [["R-2", "2.5", "true"]]);

    // ALTER TABLE adds a column; twice is an error unless IF NOT EXISTS; built-in names are not
    // free; other changes are not offered.
    b.write("ALTER TABLE sharepoint.\"Release Notes\" ADD COLUMN Owner VARCHAR(100)")
        .await;
    assert_eq!(
        b.column("Release Notes", "Owner").await["text"]["maxLength"],
        100
    );
    b.refused(
        "ALTER TABLE sharepoint.\"Release Notes\" ADD COLUMN owner TEXT",
        &["has a column Owner already"],
    )
    .await;
    b.write("ALTER TABLE sharepoint.\"Release Notes\" ADD COLUMN IF NOT EXISTS Owner TEXT")
        .await;
    b.refused(
        "ALTER TABLE sharepoint.\"Release Notes\" ADD COLUMN Created TIMESTAMP",
        &["every list has"],
    )
    .await;
    b.refused(
        "ALTER TABLE sharepoint.\"Release Notes\" DROP COLUMN Owner",
        &["can only gain columns"],
    )
    .await;
    let owner = b
        .run("SELECT Owner FROM sharepoint.\"Release Notes\"")
        .await;
    assert_eq!(owner, [["NULL"]], "the new column is seen at once");

    // DROP TABLE needs --allow-drop; then the list is gone from the site and the catalog.
    let refused = b
        .site
        .error("DROP TABLE sharepoint.\"Release Notes\"")
        .await;
    assert!(
        refused.contains("--allow-drop") && refused.contains("nothing was deleted"),
        "{refused}"
    );
    assert!(b.sp.list_id("Release Notes").is_some());
    b.site.engine.set_allow_drop(true);
    b.write("DROP TABLE sharepoint.\"Release Notes\"").await;
    assert!(b.sp.list_id("Release Notes").is_none());
    let gone = b
        .site
        .error("SELECT * FROM sharepoint.\"Release Notes\"")
        .await;
    assert!(gone.contains("no list named"), "{gone}");
    b.write("DROP TABLE IF EXISTS sharepoint.\"Release Notes\"")
        .await;
    let tables = b
        .run("SELECT table_name FROM information_schema.tables WHERE table_schema = 'sharepoint'")
        .await;
    assert!(
        !tables.iter().any(|t| t[0] == "Release Notes"),
        "{tables:?}"
    );
}

#[tokio::test]
async fn dry_run_lists_the_graph_requests_and_makes_nothing() {
    let mut b = both(30, "").await;
    b.site.engine.set_dry_run(true);
    let n = worklogs_of(&b.site, KEYS).len() as u64;
    assert_eq!(b.write(&ctas("MyWorklogs")).await, [n, 0, 0, 0, 0]);
    let report = b.site.engine.take_write_report().expect("report");
    assert!(report.dry_run);
    assert!(
        report.planned.iter().any(|p| p.starts_with("POST /sites/")
            && p.contains("\"template\":\"genericList\"")
            && p.contains("SourceId")),
        "{:?}",
        report.planned
    );
    b.write("DROP TABLE sharepoint.TimeLog").await;
    let report = b.site.engine.take_write_report().expect("report");
    assert!(
        report
            .planned
            .iter()
            .any(|p| p.starts_with("DELETE /sites/")),
        "{report:?}"
    );
    assert_eq!(b.sent(CREATE_LIST), 0);
    assert!(b.sp.list_id("MyWorklogs").is_none());
    assert!(b.sp.list_id("TimeLog").is_some());
}

#[tokio::test]
async fn columns_a_list_cannot_hold_make_no_list() {
    let b = both(10, "").await;
    b.refused(
        "CREATE TABLE sharepoint.Counts AS SELECT IssueKey, count(*) FROM Worklogs GROUP BY IssueKey",
        &["count(*)", "AS"],
    )
    .await;
    b.refused(
        "CREATE TABLE sharepoint.Arrays AS SELECT 'a' AS Name, make_array(1, 2) AS Nums",
        &["Nums", "array_to_string"],
    )
    .await;
    b.refused(
        "CREATE OR REPLACE TABLE sharepoint.TimeLog AS SELECT 1 AS A",
        &["DROP TABLE it first"],
    )
    .await;
    assert_eq!(b.sent(CREATE_LIST), 0);

    // Long text becomes multi-line text, and the column named Key is the indexed one.
    b.write(&format!(
        "CREATE TABLE sharepoint.Notes AS SELECT 'x' AS Kind, 'k1' AS Key, '{}' AS Body",
        "long ".repeat(80)
    ))
    .await;
    assert_eq!(
        b.column("Notes", "Body").await["text"]["allowMultipleLines"],
        true
    );
    assert_eq!(b.column("Notes", "Key").await["indexed"], true);
    assert_eq!(b.column("Notes", "Kind").await["indexed"], false);
    assert_eq!(b.items("Notes")[0]["Title"], "x");
}

#[tokio::test]
async fn a_list_create_whose_answer_was_lost_is_not_sent_again() {
    let b = both(30, "Timeout=1").await;
    let n = worklogs_of(&b.site, KEYS).len() as u64;
    // How often a create whose answer came lists the site's lists (the session's first
    // listing made beforehand).
    b.write(&ctas("First")).await;
    let before = b.sent(LIST_LISTS);
    b.write(&ctas("Answered")).await;
    let answered = b.sent(LIST_LISTS) - before;
    b.sp.faults()
        .store_then_timeout(std::time::Duration::from_millis(2500));
    let before = b.sent(LIST_LISTS);
    // Sent again, the create would be refused (409 nameAlreadyExists) and the statement fail;
    // it succeeds because the list was looked for, once more than an answered create looks.
    assert_eq!(b.write(&ctas("MyWorklogs")).await, [n, 0, 0, 0, 0]);
    assert_eq!(b.sent(LIST_LISTS) - before, answered + 1, "one lookup");
    assert_eq!(b.items("MyWorklogs").len() as u64, n);
}
