//! Conditions no row can meet are empty results, never errors: malformed and missing keys,
//! ids and projects, on every table whose filter becomes JQL or a path segment. Jira refuses a
//! whole JQL query for one such value ("The issue key ... is invalid", "... does not exist"),
//! so the value is dropped and the rest of the query still answers.

use crate::common;

/// Keys Jira calls invalid, or that no issue has, or that would break a path or a query.
const BAD: &[&str] = &[
    "DEMO-1\" OR \"1\"=\"1",
    "bad key",
    "NOPE-1",
    "",
    "../../rest/api/3/myself",
    "DEMO-",
    "-1",
    "DEMO-99999999",
    "demo 7",
    "'",
    "%2e%2e",
    "DEMO-7?x=1",
];

fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

#[tokio::test]
async fn impossible_keys_match_nothing_and_keep_the_other_keys_rows() {
    let s = common::site(60).await;
    let good = s
        .rows("SELECT count(*) FROM Worklogs WHERE IssueKey = 'DEMO-7'")
        .await[0][0]
        .clone();
    let good_comments = s
        .rows("SELECT count(*) FROM Comments WHERE IssueKey = 'DEMO-7'")
        .await[0][0]
        .clone();
    for bad in BAD {
        let q = quote(bad);
        for (sql, want) in [
            (format!("SELECT count(*) FROM Issues WHERE Key = {q}"), "0"),
            (
                format!("SELECT count(*) FROM Issues WHERE Key IN ({q}, 'DEMO-7', 'NOPE-2')"),
                "1",
            ),
            (
                format!("SELECT count(*) FROM Worklogs WHERE IssueKey = {q}"),
                "0",
            ),
            (
                format!("SELECT count(*) FROM Worklogs WHERE IssueKey IN ({q}, 'DEMO-7')"),
                &good,
            ),
            (
                format!("SELECT count(*) FROM Comments WHERE IssueKey = {q}"),
                "0",
            ),
            (
                format!("SELECT count(*) FROM Comments WHERE IssueKey IN ({q}, 'DEMO-7')"),
                &good_comments,
            ),
            (
                format!("SELECT count(*) FROM IssueChangelogs WHERE IssueKey = {q}"),
                "0",
            ),
            (
                format!("SELECT count(*) FROM Issues WHERE ProjectKey = {q}"),
                "0",
            ),
        ] {
            let rows = s.rows(&sql).await;
            assert_eq!(rows, [[want]], "{sql}");
        }
    }
}

#[tokio::test]
async fn impossible_ids_and_projects_match_nothing() {
    let s = common::site(40).await;
    for (sql, want) in [
        ("SELECT count(*) FROM Issues WHERE Id = -5", "0"),
        ("SELECT count(*) FROM Issues WHERE Id IN (-5, 10001)", "1"),
        ("SELECT count(*) FROM Issues WHERE ProjectKey = 'NOPE'", "0"),
        ("SELECT count(*) FROM Worklogs WHERE IssueId = -5", "0"),
        ("SELECT count(*) FROM Worklogs WHERE Id = -5", "0"),
        ("SELECT count(*) FROM Comments WHERE Id IN (-5, 0)", "0"),
        ("SELECT count(*) FROM Sprints WHERE BoardId = -1", "0"),
        (
            "SELECT count(*) FROM ProjectVersions WHERE ProjectKey = 'bad key'",
            "0",
        ),
    ] {
        assert_eq!(s.rows(sql).await, [[want]], "{sql}");
    }
    // A DELETE whose WHERE names a key that cannot exist deletes nothing, and says so.
    let rows = s
        .rows("DELETE FROM Issues WHERE Key = 'DEMO-1\" OR \"1\"=\"1'")
        .await;
    assert_eq!(rows, [["Issues", "0", "0", "0", "0", "0"]]);
}
