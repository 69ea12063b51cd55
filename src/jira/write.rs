//! Jira's issue write endpoints as the client sends them, and what each may do after a fault.
//!
//! A request Jira refused before doing any work (429, after its `Retry-After`) is always sent
//! again. An edit sets absolute values and a delete names one issue, so sending either again
//! after a lost answer (5xx, a cut connection, a timeout) cannot do twice what was asked: they
//! are retried as reads are. A create or a transition could happen twice, so they are sent
//! once; when the answer is lost, the error says so ([`JiraError::outcome_unknown`]) and the
//! caller looks at Jira before sending anything again.
//!
//! [`JiraClient::create_issues_once`] closes that loop for creates: every issue carries a
//! marker property, and after a lost answer the marked issues are looked up, so each row is
//! made at most once.
//!
//! Bodies are built by the caller (`fields` objects in Jira's shape); this module knows the
//! endpoints, their limits and their answers.

use std::collections::HashMap;

use reqwest::Method;
use serde_json::{Map, Value, json};

use super::client::{JiraClient, JiraError, Resend};
use super::item_write::Deleted;
use super::pager::{Listing, Pager, Paging};
use super::tables::Api;
use crate::http::retry::{backoff, jitter};

/// `POST /issue/bulk` takes at most this many issues.
pub const BULK_CREATE_MAX: usize = 50;

/// The entity property each create carries: `{"op": <statement id>, "row": <n>}`.
pub const MARKER: &str = "jiraql.op";

/// How far back a lookup for lost creates searches, allowing for a clock that differs from
/// Jira's (its `created` is Jira's clock, the start of the request is ours).
const LOOKBACK_MS: i64 = 10 * 60 * 1000;

/// An issue Jira made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Created {
    pub id: String,
    pub key: String,
}

/// What a bulk create did with each issue, by position in the request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BulkCreated {
    pub created: Vec<(usize, Created)>,
    /// Jira's messages for each refused issue (`field: message` for field errors).
    pub failed: Vec<(usize, Vec<String>)>,
    /// Issues whose answer was lost and that were not found either: they may still appear.
    /// The text says what happened.
    pub unknown: Vec<(usize, String)>,
}

/// Whether an issue reached the status asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reached {
    Yes,
    /// No transition from its status leads there; the statuses that can be reached.
    No {
        reachable: Vec<String>,
    },
}

/// A transition an issue can take now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    pub id: String,
    pub name: String,
    /// The status it leads to: id and name.
    pub to_id: String,
    pub to_name: String,
}

impl JiraClient {
    /// Creates up to [`BULK_CREATE_MAX`] issues in one request (`POST /issue/bulk`). Jira
    /// makes each on its own; the answer says which were made and why the others were not.
    pub async fn create_issues(&self, issues: &[Value]) -> Result<BulkCreated, JiraError> {
        let body = json!({"issueUpdates": issues});
        let answer = self
            .write_platform(
                Method::POST,
                "issue/bulk",
                &[],
                Some(&body),
                Resend::OnlyRefusedKeep400,
            )
            .await?;
        Ok(bulk_answer(&answer, issues.len()))
    }

    /// Creates `issues` (at most [`BULK_CREATE_MAX`]) so that each is made at most once, `op`
    /// naming this attempt (unique per statement). Each issue carries a [`MARKER`]; when the
    /// answer to a create is lost, the issues the API user created since shortly before it
    /// are searched for the markers (after the delay a retry would wait, as Jira's search may
    /// lag a create): rows found count as made, and only the others are sent again, up to
    /// `MaxRetries` times. Rows still unresolved come back as `unknown`.
    pub async fn create_issues_once(
        &self,
        issues: &[Value],
        op: &str,
    ) -> Result<BulkCreated, JiraError> {
        let mut out = BulkCreated::default();
        let mut pending: Vec<usize> = (0..issues.len()).collect();
        let mut lookups = 0;
        while !pending.is_empty() {
            let since = chrono::Utc::now().timestamp_millis() - LOOKBACK_MS;
            let batch: Vec<Value> = pending
                .iter()
                .map(|&n| with_marker(&issues[n], op, n))
                .collect();
            match self.create_issues(&batch).await {
                Ok(answer) => {
                    let row = |at: usize| pending[at];
                    out.created
                        .extend(answer.created.into_iter().map(|(at, c)| (row(at), c)));
                    out.failed
                        .extend(answer.failed.into_iter().map(|(at, m)| (row(at), m)));
                    pending.clear();
                }
                Err(e) if e.outcome_unknown() => {
                    // Jira's search may lag a create by a moment: wait as before a retry.
                    let policy = &self.settings().retry;
                    tokio::time::sleep(backoff(policy, lookups, jitter())).await;
                    let mut found = self.find_marked(op, since).await?;
                    pending.retain(|n| match found.remove(n) {
                        Some(created) => {
                            out.created.push((*n, created));
                            false
                        }
                        None => true,
                    });
                    lookups += 1;
                    if lookups > self.settings().retry.max_retries {
                        let why = format!("{e}; not found in Jira afterwards");
                        out.unknown
                            .extend(pending.drain(..).map(|n| (n, why.clone())));
                    }
                }
                Err(e) => return Err(e),
            }
        }
        out.created.sort_by_key(|(n, _)| *n);
        out.failed.sort_by_key(|(n, _)| *n);
        Ok(out)
    }

    /// The issues the API user created since `since_ms` that carry a marker of `op`, by row.
    async fn find_marked(
        &self,
        op: &str,
        since_ms: i64,
    ) -> Result<HashMap<usize, Created>, JiraError> {
        let jql =
            format!("creator = currentUser() AND created >= {since_ms} ORDER BY created DESC");
        let body = json!({ "jql": jql, "fields": ["created"], "properties": [MARKER] });
        let listing = Listing::post("search/jql", body, "issues", Paging::Token { max: 100 });
        let mut pager = Pager::new(self, listing);
        let mut found = HashMap::new();
        while let Some(issues) = pager.next_page().await? {
            for issue in issues {
                let marker = &issue["properties"][MARKER];
                let row = marker["row"].as_u64().and_then(|r| usize::try_from(r).ok());
                if let (true, Some(row), Some(id), Some(key)) = (
                    marker["op"] == op,
                    row,
                    issue["id"].as_str(),
                    issue["key"].as_str(),
                ) {
                    let created = Created {
                        id: id.to_string(),
                        key: key.to_string(),
                    };
                    found.insert(row, created);
                }
            }
        }
        Ok(found)
    }

    /// Sets `fields` of one issue (`PUT /issue/{key}`); Jira answers 204.
    pub async fn edit_issue(
        &self,
        key: &str,
        fields: &Map<String, Value>,
    ) -> Result<(), JiraError> {
        let body = json!({"fields": fields});
        self.write_platform(
            Method::PUT,
            ["issue", key],
            &[],
            Some(&body),
            Resend::Always,
        )
        .await
        .map(drop)
    }

    /// The transitions the issue's workflow allows from its current status.
    pub async fn issue_transitions(&self, key: &str) -> Result<Vec<Transition>, JiraError> {
        let answer = self
            .get_platform(["issue", key, "transitions"], &[])
            .await?;
        let text = |v: &Value| match v {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            _ => String::new(),
        };
        Ok(answer["transitions"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .map(|t| Transition {
                id: text(&t["id"]),
                name: text(&t["name"]),
                to_id: text(&t["to"]["id"]),
                to_name: text(&t["to"]["name"]),
            })
            .collect())
    }

    /// Takes transition `id` (`POST /issue/{key}/transitions`).
    pub async fn transition_issue(&self, key: &str, id: &str) -> Result<(), JiraError> {
        let body = json!({"transition": {"id": id}});
        self.write_platform(
            Method::POST,
            ["issue", key, "transitions"],
            &[],
            Some(&body),
            Resend::OnlyRefused,
        )
        .await
        .map(drop)
    }

    /// Moves the issue to the status named `status` through the transition of its workflow
    /// that leads there. A transition could be made twice, so after a lost answer the issue
    /// is read first: already there counts as done, otherwise it is sent again (up to
    /// `MaxRetries` times).
    pub async fn transition_to(&self, key: &str, status: &str) -> Result<Reached, JiraError> {
        let policy = &self.settings().retry;
        let mut attempt = 0;
        loop {
            if attempt > 0 {
                let now = self
                    .get_platform(["issue", key], &[("fields", "status".to_string())])
                    .await?;
                let name = now["fields"]["status"]["name"].as_str().unwrap_or_default();
                if name.eq_ignore_ascii_case(status) {
                    return Ok(Reached::Yes);
                }
            }
            let transitions = self.issue_transitions(key).await?;
            let Some(step) = transitions
                .iter()
                .find(|t| t.to_name.eq_ignore_ascii_case(status))
            else {
                let reachable = transitions.into_iter().map(|t| t.to_name).collect();
                return Ok(Reached::No { reachable });
            };
            match self.transition_issue(key, &step.id).await {
                Ok(()) => return Ok(Reached::Yes),
                Err(e) if e.outcome_unknown() && attempt < policy.max_retries => {
                    tokio::time::sleep(backoff(policy, attempt, jitter())).await;
                    attempt += 1;
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Deletes one issue (`DELETE /issue/{key}`); one with sub-tasks only `with_subtasks`.
    pub async fn delete_issue(&self, key: &str, with_subtasks: bool) -> Result<Deleted, JiraError> {
        let query = [("deleteSubtasks", with_subtasks.to_string())];
        self.remove_once(Api::Platform, Method::DELETE, &["issue", key], &query, None)
            .await
    }

    /// Removes what `path` names (`DELETE`, or a `POST` such as a version's `removeAndSwap`
    /// with `body`). A removal is resent after a lost answer; a 404 on the first request means
    /// it was gone already, on a resent one that the first made it.
    pub(crate) async fn remove_once(
        &self,
        api: Api,
        method: Method,
        path: &[&str],
        query: &[(&str, String)],
        body: Option<&Value>,
    ) -> Result<Deleted, JiraError> {
        let policy = &self.settings().retry;
        let mut attempt = 0;
        loop {
            let sent = self
                .write_to(api, method.clone(), path, query, body, Resend::OnlyRefused)
                .await;
            match sent {
                Ok(_) => return Ok(Deleted::Now),
                Err(e) if e.status() == Some(404) => {
                    return Ok(if attempt == 0 {
                        Deleted::AlreadyGone
                    } else {
                        Deleted::Now
                    });
                }
                Err(e) if e.outcome_unknown() && attempt < policy.max_retries => {
                    tokio::time::sleep(backoff(policy, attempt, jitter())).await;
                    attempt += 1;
                }
                Err(e) => return Err(e),
            }
        }
    }
}

/// `issue` with the marker of row `n` of `op` among its properties.
pub(super) fn with_marker(issue: &Value, op: &str, n: usize) -> Value {
    let mut issue = issue.clone();
    let marker = json!({"key": MARKER, "value": {"op": op, "row": n}});
    if let Some(details) = issue.as_object_mut()
        && let Some(list) = details
            .entry("properties")
            .or_insert_with(|| json!([]))
            .as_array_mut()
    {
        list.push(marker);
    }
    issue
}

/// Reads a `CreatedIssues` answer. Jira lists the made issues in request order, skipping the
/// refused ones, whose positions its `errors` give.
fn bulk_answer(answer: &Value, sent: usize) -> BulkCreated {
    let mut failed: Vec<(usize, Vec<String>)> = answer["errors"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .filter_map(|e| {
            let n = usize::try_from(e["failedElementNumber"].as_u64()?).ok()?;
            Some((n, messages(&e["elementErrors"])))
        })
        .collect();
    failed.sort_by_key(|(n, _)| *n);
    let made = answer["issues"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    let mut positions = (0..sent).filter(|n| !failed.iter().any(|(f, _)| f == n));
    let created = made
        .iter()
        .filter_map(|issue| {
            let at = positions.next()?;
            let id = issue["id"].as_str()?.to_string();
            let key = issue["key"].as_str()?.to_string();
            Some((at, Created { id, key }))
        })
        .collect();
    BulkCreated {
        created,
        failed,
        unknown: Vec::new(),
    }
}

/// The messages of an `ErrorCollection`: general ones, then `field: message`.
fn messages(collection: &Value) -> Vec<String> {
    let general = collection["errorMessages"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .filter_map(|m| m.as_str().map(str::to_string));
    let fields = collection["errors"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(field, m)| format!("{field}: {}", m.as_str().unwrap_or_default()));
    general.chain(fields).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bulk_answers_map_back_to_request_positions() {
        let answer = json!({
            "issues": [{"id": "1", "key": "A-1"}, {"id": "3", "key": "A-3"}],
            "errors": [{"status": 400, "failedElementNumber": 1, "elementErrors": {
                "errorMessages": [], "errors": {"summary": "You must specify a summary of the issue."}
            }}],
        });
        let got = bulk_answer(&answer, 3);
        let keys: Vec<(usize, &str)> = got
            .created
            .iter()
            .map(|(n, c)| (*n, c.key.as_str()))
            .collect();
        assert_eq!(keys, [(0, "A-1"), (2, "A-3")]);
        assert_eq!(
            got.failed,
            [(
                1,
                vec!["summary: You must specify a summary of the issue.".to_string()]
            )]
        );
    }
}
