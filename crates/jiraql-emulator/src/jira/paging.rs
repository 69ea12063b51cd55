//! Listings that break Jira's paging contract, for testing a client's guards: a page token that
//! comes back, a cursor that does not move on, more values than were asked for, a page whose
//! list is not a list. Set with [`super::Faults::break_paging`]; applied by the server to the
//! successful answers of the listing it names.

use axum::body::{Bytes, to_bytes};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::server::json_response;

/// A way a listing breaks the paging contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PagingFault {
    /// The page asked for is ignored: the first page comes back, with the same
    /// `nextPageToken` every time (token listings).
    RepeatToken,
    /// The cursor does not move: `startAt` pages come back empty yet not last (`isLast`
    /// false); pages of changes end where they began (`until` = `since`, `lastPage` false).
    Stall,
    /// One value more than `maxResults` asked for.
    Overfull,
    /// The list of values is a string.
    NotAList,
}

/// The token a [`PagingFault::RepeatToken`] listing hands out, again and again.
const STUCK_TOKEN: &str = "c3R1Y2s";

/// The request as the handler should see it: a repeating listing is always asked for its
/// first page.
pub(crate) fn request(fault: PagingFault, body: &Bytes) -> Bytes {
    if fault != PagingFault::RepeatToken {
        return body.clone();
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(mut map)) => {
            map.remove("nextPageToken");
            Bytes::from(Value::Object(map).to_string())
        }
        _ => body.clone(),
    }
}

/// The answer broken as `fault` says; `query` and `body` are the request's.
pub(crate) async fn answer(
    fault: PagingFault,
    response: Response,
    query: &str,
    body: &Bytes,
) -> Response {
    let status = response.status();
    let bytes = to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap_or_default();
    match serde_json::from_slice::<Value>(&bytes) {
        Ok(mut page) if status.is_success() => {
            let asked = Asked::new(query, body);
            broken(fault, &mut page, &asked);
            json_response(status, &page)
        }
        _ => (status, bytes).into_response(),
    }
}

/// The paging parameters of a request, from its query or its JSON body.
struct Asked {
    since: Option<i64>,
    max: Option<usize>,
}

impl Asked {
    fn new(query: &str, body: &Bytes) -> Self {
        let query: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        let body: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
        let param = |name: &str| -> Option<i64> {
            query
                .iter()
                .find(|(k, _)| k == name)
                .and_then(|(_, v)| v.parse().ok())
                .or_else(|| body.get(name).and_then(Value::as_i64))
        };
        Asked {
            since: param("since"),
            max: param("maxResults").and_then(|m| usize::try_from(m).ok()),
        }
    }
}

fn broken(fault: PagingFault, page: &mut Value, asked: &Asked) {
    match fault {
        PagingFault::RepeatToken => {
            if let Value::Object(map) = page {
                map.insert("nextPageToken".into(), json!(STUCK_TOKEN));
                map.insert("isLast".into(), json!(false));
            }
        }
        PagingFault::Stall => {
            if let Some(values) = values(page) {
                values.clear();
            }
            if let Value::Object(map) = page {
                if map.contains_key("lastPage") {
                    map.insert("lastPage".into(), json!(false));
                    map.insert("until".into(), json!(asked.since.unwrap_or(0)));
                } else {
                    map.insert("isLast".into(), json!(false));
                }
            }
        }
        PagingFault::Overfull => {
            if let (Some(values), Some(max)) = (values(page), asked.max)
                && let Some(first) = values.first().cloned()
            {
                values.resize(max + 1, first);
            }
        }
        PagingFault::NotAList => match page {
            Value::Array(_) => *page = json!({ "values": "not a list" }),
            Value::Object(map) => {
                if let Some(list) = map.values_mut().find(|v| v.is_array()) {
                    *list = json!("not a list");
                }
            }
            _ => {}
        },
    }
}

/// The page's list of values: the page itself when it is an array, else its first array.
fn values(page: &mut Value) -> Option<&mut Vec<Value>> {
    match page {
        Value::Array(values) => Some(values),
        Value::Object(map) => map.values_mut().find_map(Value::as_array_mut),
        _ => None,
    }
}
