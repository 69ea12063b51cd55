//! The endpoints of what hangs off an issue (worklogs, comments) as the client writes them:
//! `issue/{issue}/<segment>` to add, `.../<segment>/{id}` to read, change and delete.
//!
//! Fault rules are those of [`super::write`]: a change sets absolute values, so it is resent
//! after a lost answer (a worklog's `adjustEstimate=auto` moves the estimate by the
//! difference, which the second time is none). A delete is resent too, and the 404 that may
//! follow means the first one was made. An add could happen twice: it carries a marker
//! property, and after a lost answer the issue's items are read for the marker before
//! anything is sent again.

use reqwest::Method;
use serde_json::Value;

use super::client::{JiraClient, JiraError, Resend};
use super::pager::{Listing, Pager, Paging};
use super::tables::Api;
use super::write::{MARKER, with_marker};
use crate::http::retry::{backoff, jitter};

/// Items an issue's listing is read in when looking for a marker.
const LOOKUP_PAGE: usize = 100;

/// One item endpoint family: `issue/{issue}/<segment>`, its listing under `list`.
#[derive(Debug, Clone, Copy)]
pub struct ItemEndpoint<'a> {
    pub issue: &'a str,
    pub segment: &'a str,
    pub list: &'static str,
}

/// What a delete found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deleted {
    /// This request deleted it.
    Now,
    /// It was gone before.
    AlreadyGone,
}

impl JiraClient {
    /// One item (`GET .../<segment>/{id}`).
    pub async fn get_item(&self, at: ItemEndpoint<'_>, id: &str) -> Result<Value, JiraError> {
        self.get_platform(["issue", at.issue, at.segment, id], &[])
            .await
    }

    /// Adds one item made at most once: row `row` of statement `op` marks it, and when the
    /// answer is lost the issue's items are searched for the mark (after the delay a retry
    /// would wait) before it is sent again, up to `MaxRetries` times. An add still unresolved
    /// ends in the last error, for which [`JiraError::outcome_unknown`] holds.
    pub async fn add_item_once(
        &self,
        at: ItemEndpoint<'_>,
        query: &[(&str, String)],
        body: &Value,
        (op, row): (&str, usize),
    ) -> Result<Value, JiraError> {
        let body = with_marker(body, op, row);
        let policy = &self.settings().retry;
        let mut attempt = 0;
        loop {
            let sent = self
                .write_platform(
                    Method::POST,
                    ["issue", at.issue, at.segment],
                    query,
                    Some(&body),
                    Resend::OnlyRefused,
                )
                .await;
            match sent {
                Err(e) if e.outcome_unknown() => {
                    tokio::time::sleep(backoff(policy, attempt, jitter())).await;
                    if let Some(made) = self.find_marked_item(at, op, row).await? {
                        return Ok(made);
                    }
                    attempt += 1;
                    if attempt > policy.max_retries {
                        return Err(e);
                    }
                }
                other => return other,
            }
        }
    }

    /// The issue's item carrying the mark of row `row` of `op`, newest pages first where the
    /// listing can be ordered.
    async fn find_marked_item(
        &self,
        at: ItemEndpoint<'_>,
        op: &str,
        row: usize,
    ) -> Result<Option<Value>, JiraError> {
        let path = ["issue", at.issue, at.segment].map(str::to_string).to_vec();
        let listing = Listing::get(
            Api::Platform,
            path,
            Some(at.list),
            Paging::StartAt { max: LOOKUP_PAGE },
        )
        .with_query("expand", "properties".to_string());
        let mut pager = Pager::new(self, listing);
        while let Some(items) = pager.next_page().await? {
            let marked = items.into_iter().find(|item| {
                item["properties"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|p| {
                        p["key"] == MARKER && p["value"]["op"] == op && p["value"]["row"] == row
                    })
            });
            if marked.is_some() {
                return Ok(marked);
            }
        }
        Ok(None)
    }

    /// Changes one item (`PUT .../<segment>/{id}`); the answer is the item as it now is.
    pub async fn edit_item(
        &self,
        at: ItemEndpoint<'_>,
        id: &str,
        query: &[(&str, String)],
        body: &Value,
    ) -> Result<Value, JiraError> {
        self.write_platform(
            Method::PUT,
            ["issue", at.issue, at.segment, id],
            query,
            Some(body),
            Resend::Always,
        )
        .await
    }

    /// Deletes one item (`DELETE .../<segment>/{id}`), as `JiraClient::remove_once` does: a 404
    /// after a resend is our own delete.
    pub async fn delete_item(
        &self,
        at: ItemEndpoint<'_>,
        id: &str,
        query: &[(&str, String)],
    ) -> Result<Deleted, JiraError> {
        let path = ["issue", at.issue, at.segment, id];
        self.remove_once(Api::Platform, Method::DELETE, &path, query, None)
            .await
    }
}
