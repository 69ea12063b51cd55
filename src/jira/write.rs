//! Jira's issue write endpoints as the client sends them, and what each may do after a fault.
//!
//! A request Jira refused before doing any work (429, after its `Retry-After`) is always sent
//! again. An edit sets absolute values and a delete names one issue, so sending either again
//! after a lost answer (5xx, a cut connection, a timeout) cannot do twice what was asked: they
//! are retried as reads are. A create or a transition could happen twice, so they are sent
//! once; when the answer is lost, the error says so ([`JiraError::outcome_unknown`]) and the
//! caller looks at Jira before sending anything again.
//!
//! Bodies are built by the caller (`fields` objects in Jira's shape); this module knows the
//! endpoints, their limits and their answers.

use reqwest::Method;
use serde_json::{Map, Value, json};

use super::client::{JiraClient, JiraError, Resend};

/// `POST /issue/bulk` takes at most this many issues.
pub const BULK_CREATE_MAX: usize = 50;

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

    /// Deletes one issue (`DELETE /issue/{key}`); one with sub-tasks only `with_subtasks`.
    pub async fn delete_issue(&self, key: &str, with_subtasks: bool) -> Result<(), JiraError> {
        let query = [("deleteSubtasks", with_subtasks.to_string())];
        self.write_platform(Method::DELETE, ["issue", key], &query, None, Resend::Always)
            .await
            .map(drop)
    }
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
    BulkCreated { created, failed }
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
