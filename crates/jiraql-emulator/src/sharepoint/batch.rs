//! `POST /v1.0/$batch`: Graph JSON batching.
//!
//! The batch is checked as a whole first (at most 20 requests, unique ids, relative urls, a
//! `Content-Type` header with every body, `dependsOn` naming other requests without cycles);
//! a malformed batch is one 400. Then each request runs, dependencies first, through the same
//! `graph::serve` as a top-level request (the batch's `Authorization` is inherited; faults
//! scoped to batches apply per request). A request whose dependency failed answers 424. The
//! answers come back in a seeded shuffled order, as the real service does not keep order.

use std::collections::HashMap;

use serde_json::{Map, Value, json};

use super::RecordedRequest;
use super::auth::check_bearer;
use super::graph::{self, Call, Reply, graph_error, json_reply};
use super::server::{Shared, loggable, loggable_body};

/// Graph's limit on requests per batch.
pub(crate) const MAX_BATCH: usize = 20;

struct Sub {
    id: String,
    method: String,
    url: String,
    headers: Vec<(String, String)>,
    body: Option<Vec<u8>>,
    depends_on: Vec<String>,
}

fn malformed(message: &str) -> Reply {
    graph_error(400, "BadRequest", message, None)
}

/// Check the batch as a whole; `Err` is the 400 to send.
fn parse(body: &[u8]) -> Result<Vec<Sub>, Reply> {
    let v: Value = serde_json::from_slice(body).map_err(|_| {
        malformed("Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.")
    })?;
    let requests = v
        .get("requests")
        .and_then(Value::as_array)
        .filter(|r| !r.is_empty())
        .ok_or_else(|| malformed("Invalid batch payload format."))?;
    if requests.len() > MAX_BATCH {
        return Err(malformed(&format!(
            "Number of requests in the batch ({}) exceeds the limit of {MAX_BATCH}.",
            requests.len()
        )));
    }
    let mut subs: Vec<Sub> = Vec::new();
    for r in requests {
        let field = |n: &str| r.get(n).and_then(Value::as_str).map(str::to_string);
        let (Some(id), Some(method), Some(url)) = (field("id"), field("method"), field("url"))
        else {
            return Err(malformed("Invalid batch payload format."));
        };
        if subs.iter().any(|s| s.id.eq_ignore_ascii_case(&id)) {
            return Err(malformed(&format!(
                "Batch request contains duplicate request id '{id}'."
            )));
        }
        let headers: Vec<(String, String)> = r
            .get("headers")
            .and_then(Value::as_object)
            .map(|h| {
                h.iter()
                    .filter_map(|(k, v)| Some((k.to_ascii_lowercase(), v.as_str()?.to_string())))
                    .collect()
            })
            .unwrap_or_default();
        let method = method.to_ascii_uppercase();
        let body = r.get("body").filter(|b| !b.is_null()).map(|b| match b {
            Value::String(s) => s.as_bytes().to_vec(),
            other => other.to_string().into_bytes(),
        });
        let has_type = headers.iter().any(|(k, _)| k == "content-type");
        let writes = matches!(method.as_str(), "POST" | "PATCH" | "PUT");
        if (body.is_some() && !has_type) || (writes && body.is_none()) {
            return Err(malformed(&format!(
                "Write request id : {id} does not contain Content-Type header or body."
            )));
        }
        let depends_on = match r.get("dependsOn") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(a)) => a
                .iter()
                .map(|d| d.as_str().map(str::to_string))
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| malformed("Invalid batch payload format."))?,
            Some(_) => return Err(malformed("Invalid batch payload format.")),
        };
        subs.push(Sub {
            id,
            method,
            url,
            headers,
            body,
            depends_on,
        });
    }
    for s in &subs {
        for d in &s.depends_on {
            if d.eq_ignore_ascii_case(&s.id) || !subs.iter().any(|x| x.id.eq_ignore_ascii_case(d)) {
                return Err(malformed(&format!(
                    "Request '{}' depends on '{d}', which is not another request of the batch.",
                    s.id
                )));
            }
        }
    }
    Ok(subs)
}

/// Indexes in an order that runs every request after its dependencies; `None` on a cycle.
fn schedule(subs: &[Sub]) -> Option<Vec<usize>> {
    let mut order = Vec::with_capacity(subs.len());
    let mut done = vec![false; subs.len()];
    while order.len() < subs.len() {
        let next = (0..subs.len()).find(|&i| {
            !done[i]
                && subs[i].depends_on.iter().all(|d| {
                    subs.iter()
                        .position(|x| x.id.eq_ignore_ascii_case(d))
                        .is_some_and(|j| done[j])
                })
        })?;
        done[next] = true;
        order.push(next);
    }
    Some(order)
}

/// Serve a batch.
pub(crate) fn run(shared: &Shared, headers: &[(String, String)], body: &[u8]) -> Reply {
    let auth = headers
        .iter()
        .find(|(k, _)| k == "authorization")
        .map(|(_, v)| v.clone());
    if let Err(problem) = check_bearer(shared, auth.as_deref()) {
        return graph::unauthorized(problem);
    }
    if let Some(r) = shared.faults.take(false) {
        return r;
    }
    let subs = match parse(body) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let Some(order) = schedule(&subs) else {
        return malformed("The batch contains a circular dependency.");
    };
    let mut replies: Vec<Option<Reply>> = vec![None; subs.len()];
    let mut statuses: HashMap<String, u16> = HashMap::new();
    for i in order {
        let s = &subs[i];
        let failed_dep = s.depends_on.iter().find(|d| {
            statuses
                .get(&d.to_ascii_lowercase())
                .is_some_and(|st| *st >= 400)
        });
        let reply = match failed_dep {
            Some(d) => graph_error(
                424,
                "FailedDependency",
                &format!("The request depends on request '{d}', which failed."),
                None,
            ),
            None => run_one(shared, s, auth.as_deref()),
        };
        statuses.insert(s.id.to_ascii_lowercase(), reply.status);
        replies[i] = Some(reply);
    }
    let delay = replies.iter().flatten().filter_map(|r| r.delay).max();
    let shuffled = shared.store().shuffled(subs.len());
    let responses: Vec<Value> = shuffled
        .into_iter()
        .filter_map(|i| {
            let r = replies[i].as_ref()?;
            let headers: Map<String, Value> = r
                .headers
                .iter()
                .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                .collect();
            let mut v = json!({"id": subs[i].id, "status": r.status, "headers": headers});
            if let Some(b) = &r.body {
                v["body"] = b.clone();
            }
            Some(v)
        })
        .collect();
    let mut reply = json_reply(200, json!({"responses": responses}));
    reply.delay = delay;
    reply
}

/// One sub-request through the ordinary Graph path, logged as `"$batch METHOD template"`.
fn run_one(shared: &Shared, s: &Sub, auth: Option<&str>) -> Reply {
    let url = s.url.trim();
    if url.contains("://") {
        return graph_error(
            400,
            "BadRequest",
            "Invalid request URL: batch requests take URLs relative to the batch's version.",
            None,
        );
    }
    let url = if url.starts_with('/') {
        url.to_string()
    } else {
        format!("/{url}")
    };
    let (path, query) = url.split_once('?').unwrap_or((url.as_str(), ""));
    let mut headers = s.headers.clone();
    if let Some(a) = auth
        && !headers.iter().any(|(k, _)| k == "authorization")
    {
        headers.push(("authorization".into(), a.to_string()));
    }
    let body = s.body.clone().unwrap_or_default();
    let call = Call {
        method: &s.method,
        path,
        query,
        headers: &headers,
        body: &body,
        in_batch: true,
    };
    let (endpoint, reply) = graph::serve(shared, &call);
    shared.record(RecordedRequest {
        endpoint: format!("$batch {endpoint}"),
        path: path.to_string(),
        query: query.to_string(),
        headers: loggable(&headers),
        body: loggable_body(&body),
        status: reply.status,
    });
    reply
}
