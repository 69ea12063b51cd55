//! What accumulates on issues: change histories (per issue and in bulk), issue links and
//! their types, attachment metadata (reference §3).

use std::collections::HashSet;

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Map, Value, json};

use super::{
    Fail, Page, bad_request, body_int, body_object, body_string, decode_token, encode_token,
    find_issue, ok, page_bean, respond,
};
use crate::jira::data::ChangeItem;
use crate::jira::server::{Ctx, View, json_response};

/// `GET /issue/{issueIdOrKey}/changelog`: the issue's histories oldest first, 100 a page.
pub(crate) fn issue_changelog(s: &View, c: &Ctx, _: &[u8]) -> Response {
    respond((|| {
        let issue = find_issue(s, c)?;
        let page = Page::from_query(c, 100, 100)?;
        let r = c.renderer(s.data());
        let path = format!("issue/{}/changelog", c.param("issueIdOrKey"));
        ok(&page_bean(
            c,
            &r,
            &path,
            page,
            s.data().changelogs_of(issue),
            |h| r.change_history(h, |_| true).unwrap_or(Value::Null),
        ))
    })())
}

const BULK_KEYS: &[&str] = &["issueIdsOrKeys", "fieldIds", "maxResults", "nextPageToken"];
const BULK_MAX_ISSUES: usize = 1000;
const BULK_MAX_FIELDS: usize = 10;
const BULK_DEFAULT_PAGE: i64 = 1000;
const BULK_PAGE_CAP: i64 = 10_000;

/// A list body member of strings; numbers are taken as their decimal text (issue ids).
fn body_ids(m: &Map<String, Value>, key: &str) -> Result<Vec<String>, Fail> {
    match m.get(key) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| match v {
                Value::String(s) => Ok(s.trim().to_string()),
                Value::Number(n) => Ok(n.to_string()),
                _ => Err(bad_request(format!(
                    "Invalid request payload: '{key}' must hold strings."
                ))),
            })
            .collect(),
        Some(_) => Err(bad_request(format!(
            "Invalid request payload: '{key}' must be an array."
        ))),
    }
}

/// `POST /changelog/bulkfetch`: the histories of up to 1000 issues ordered by date, then
/// issue id, optionally only their items on up to 10 `fieldIds`; `maxResults` histories a
/// page (default 1000, at most 10000), grouped by issue within the page; token paging.
///
/// Timestamps are ISO strings as in the per-issue changelog; the spec's example shows epoch
/// seconds for `created` here, a known oddity of the spec (reference §3).
pub(crate) fn changelog_bulkfetch(s: &View, c: &Ctx, body: &[u8]) -> Response {
    respond((|| {
        let m = body_object(body)?;
        if let Some(k) = m.keys().find(|k| !BULK_KEYS.contains(&k.as_str())) {
            return Err(bad_request(format!("Unrecognized field \"{k}\".")));
        }
        let wanted = body_ids(&m, "issueIdsOrKeys")?;
        if wanted.is_empty() || wanted.len() > BULK_MAX_ISSUES {
            return Err(bad_request(format!(
                "The request must contain between 1 and {BULK_MAX_ISSUES} issue IDs or keys; it contained {}.",
                wanted.len()
            )));
        }
        let field_ids = body_ids(&m, "fieldIds")?;
        if field_ids.len() > BULK_MAX_FIELDS {
            return Err(bad_request(format!(
                "The request can contain at most {BULK_MAX_FIELDS} field IDs; it contained {}.",
                field_ids.len()
            )));
        }
        let max = match body_int(&m, "maxResults")? {
            None => BULK_DEFAULT_PAGE,
            Some(n) if n < 1 => {
                return Err(bad_request("The maxResults parameter must be positive."));
            }
            Some(n) => n.min(BULK_PAGE_CAP),
        } as usize;

        // Unknown or invisible issues are left out, as Jira does.
        let mut seen = HashSet::new();
        let issues: Vec<_> = wanted
            .iter()
            .filter_map(|k| s.data().issue_by_id_or_key(k))
            .filter(|i| seen.insert(i.id))
            .collect();
        let keep = |item: &ChangeItem| {
            field_ids.is_empty()
                || field_ids
                    .iter()
                    .any(|f| f.eq_ignore_ascii_case(item.field_id()))
        };
        let mut entries: Vec<(i64, u64, usize)> = issues
            .iter()
            .flat_map(|i| i.changelogs.clone())
            .filter(|&h| s.data().changelogs[h].items.iter().any(keep))
            .map(|h| {
                let x = &s.data().changelogs[h];
                (x.created.timestamp_millis(), x.issue_id, h)
            })
            .collect();
        entries.sort_unstable();

        // The token is tied to the issues and fields it was issued for.
        let mut ids: Vec<u64> = issues.iter().map(|i| i.id).collect();
        ids.sort_unstable();
        let fingerprint = format!("changelog:{ids:?}:{}", field_ids.join(",").to_lowercase());
        let offset = match body_string(&m, "nextPageToken")? {
            None => 0,
            Some(t) => decode_token(&t, &fingerprint)
                .filter(|&o| o <= entries.len())
                .ok_or_else(|| {
                    bad_request("The provided next page token is invalid or has expired.")
                })?,
        };
        let end = offset.saturating_add(max).min(entries.len());
        let r = c.renderer(s.data());
        let mut groups: Vec<(u64, Vec<Value>)> = Vec::new();
        for &(_, issue_id, h) in &entries[offset..end] {
            let Some(v) = r.change_history(&s.data().changelogs[h], keep) else {
                continue;
            };
            match groups.iter_mut().find(|(id, _)| *id == issue_id) {
                Some((_, list)) => list.push(v),
                None => groups.push((issue_id, vec![v])),
            }
        }
        let logs: Vec<Value> = groups
            .into_iter()
            .map(|(id, list)| json!({"issueId": id.to_string(), "changeHistories": list}))
            .collect();
        let mut out = Map::new();
        out.insert("issueChangeLogs".into(), Value::Array(logs));
        if end < entries.len() {
            out.insert(
                "nextPageToken".into(),
                json!(encode_token(end, &fingerprint)),
            );
        }
        ok(&Value::Object(out))
    })())
}

/// `GET /issueLinkType`.
pub(crate) fn link_types(s: &View, c: &Ctx, _: &[u8]) -> Response {
    let r = c.renderer(s.data());
    let all: Vec<Value> = s
        .data()
        .issue_link_types
        .iter()
        .map(|t| r.link_type(t))
        .collect();
    json_response(StatusCode::OK, &json!({ "issueLinkTypes": all }))
}

/// `GET /issueLink/{linkId}`: the link with both issues.
pub(crate) fn issue_link(s: &View, c: &Ctx, _: &[u8]) -> Response {
    respond((|| {
        let wanted = c.param("linkId");
        let link = wanted
            .parse::<u64>()
            .ok()
            .and_then(|id| s.data().issue_link(id))
            .ok_or_else(|| {
                Fail::new(
                    StatusCode::NOT_FOUND,
                    vec![format!("No issue link with id '{wanted}' exists.")],
                )
            })?;
        ok(&c.renderer(s.data()).issue_link(link, None))
    })())
}

/// `GET /attachment/{id}`: `AttachmentMetadata`.
pub(crate) fn attachment(s: &View, c: &Ctx, _: &[u8]) -> Response {
    respond((|| {
        let wanted = c.param("id");
        let a = wanted
            .parse::<u64>()
            .ok()
            .and_then(|id| s.data().attachment(id))
            .ok_or_else(|| {
                Fail::new(
                    StatusCode::NOT_FOUND,
                    vec![format!("The attachment with id '{wanted}' does not exist.")],
                )
            })?;
        ok(&c.renderer(s.data()).attachment(a, true))
    })())
}
