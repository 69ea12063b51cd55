//! One pager reads every Jira listing, and one set of guards ends a read whose pages break the
//! paging contract, with an error naming the request, after as few requests as it takes: each
//! guard is met here once, on the wire, through the emulator's `break_paging` knob.

use jiraql_emulator::PagingFault;

use crate::common::{Site, site, site_with};

/// The error `sql` ends with while `path_end`'s listing breaks its contract as `fault` says,
/// and the requests made to that listing.
async fn broken(s: &Site, fault: PagingFault, path_end: &str, sql: &str) -> (String, usize) {
    s.jira.faults().break_paging(fault, path_end);
    s.jira.reset_requests();
    let error = s.error(sql).await;
    s.jira.faults().clear();
    let asked = s
        .jira
        .requests()
        .iter()
        .filter(|r| r.path.ends_with(path_end))
        .count();
    assert!(error.contains("breaks its paging contract"), "{error}");
    (error, asked)
}

#[tokio::test]
async fn a_page_token_that_comes_back_ends_the_scan_with_an_error() {
    for extra in ["", "MaxConcurrency=1"] {
        let s = site_with(300, extra).await;
        let sql = "SELECT Key, Summary FROM Issues";
        let (error, asked) = broken(&s, PagingFault::RepeatToken, "/search/jql", sql).await;
        assert!(error.contains("page token it had sent before"), "{error}");
        assert!(error.contains("POST search/jql"), "{error}");
        // Page one, then the same token once more (per window): no endless loop.
        assert!(asked <= 8, "{asked} searches");
    }
}

#[tokio::test]
async fn a_changes_feed_that_does_not_move_on_ends_the_scan() {
    let s = site(50).await;
    let sql = "SELECT count(*) FROM WorklogDeleted";
    let (error, asked) = broken(&s, PagingFault::Stall, "/worklog/deleted", sql).await;
    assert!(error.contains("GET worklog/deleted"), "{error}");
    assert!(error.contains("not later"), "{error}");
    assert_eq!(asked, 1);
}

#[tokio::test]
async fn an_empty_page_that_is_not_the_last_ends_the_scan() {
    let s = site(50).await;
    let sql = "SELECT Id, Name FROM Boards";
    let (error, asked) = broken(&s, PagingFault::Stall, "/board", sql).await;
    assert!(error.contains("GET board"), "{error}");
    assert!(error.contains("startAt 0 is empty"), "{error}");
    assert_eq!(asked, 1);
}

#[tokio::test]
async fn more_values_than_asked_for_end_the_scan() {
    let s = site(50).await;
    let sql = "SELECT Id, Name FROM Boards";
    let (error, asked) = broken(&s, PagingFault::Overfull, "/board", sql).await;
    assert!(error.contains("were asked for"), "{error}");
    assert_eq!(asked, 1);
    // The same for token pages.
    let sql = "SELECT Key FROM Issues";
    let (error, asked) = broken(&s, PagingFault::Overfull, "/search/jql", sql).await;
    assert!(error.contains("POST search/jql"), "{error}");
    assert!(error.contains("were asked for"), "{error}");
    assert!(asked <= 4, "{asked} searches");
}

#[tokio::test]
async fn a_page_without_its_list_ends_the_scan() {
    let s = site(50).await;
    let sql = "SELECT Id, Name FROM Boards";
    let (error, asked) = broken(&s, PagingFault::NotAList, "/board", sql).await;
    assert!(error.contains("the page is not a list `values`"), "{error}");
    assert_eq!(asked, 1);
    // A listing whose page is a bare array says so too.
    let sql = "SELECT * FROM Statuses";
    let (error, _) = broken(&s, PagingFault::NotAList, "/status", sql).await;
    assert!(error.contains("not a list of values"), "{error}");
}

#[tokio::test]
async fn listings_read_after_a_broken_one_are_whole_again() {
    let s = site(50).await;
    let before = s.rows("SELECT count(*) FROM Boards").await;
    let _ = broken(&s, PagingFault::Stall, "/board", "SELECT Id FROM Boards").await;
    assert_eq!(s.rows("SELECT count(*) FROM Boards").await, before);
    assert_ne!(before, vec![vec!["0".to_string()]]);
}
