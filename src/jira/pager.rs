//! Reading a Jira listing page by page, whatever its paging style, with one set of guards.
//!
//! Jira pages its listings four ways ([`Paging`]): `startAt`/`maxResults` (ending at `isLast`
//! or `total`), page tokens (`nextPageToken`/`isLast`, Cloud's issue search and bulk reads),
//! feeds of changes (`since` in, `until`/`lastPage` out) and single answers. A [`Pager`] asks
//! for the next page in the listing's own style and hands back its values; the caller keeps
//! its own logic (JQL repair, windows, a parent that is gone) on top.
//!
//! A page that breaks the contract ends the read with [`JiraError::Protocol`] naming the
//! request: a page token seen before, a cursor that does not move on, more values than were
//! asked for, or a body without the documented list or paging fields. Reading on would loop
//! forever or return wrong rows. Short pages are normal (Jira drops what the user may not
//! see after paging) and are not errors.

use std::collections::HashSet;
use std::sync::Arc;

use serde_json::{Value, json};

use super::client::{JiraClient, JiraError};
use super::prune::Keep;
use super::tables::{Api, Endpoint};

/// The paging styles Jira's endpoints use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paging {
    /// One request answers everything (bare arrays such as `status`, `field`).
    Single,
    /// `startAt`/`maxResults` pages of at most `max`; the end is `isLast`, `startAt + n >= total`,
    /// or (for bare arrays such as `users/search`, which say neither) an empty page.
    StartAt { max: usize },
    /// Token pages of at most `max`: `nextPageToken` from one page asks for the next; the end
    /// is `isLast` or a page without a token (`search/jql`, `changelog/bulkfetch`).
    Token { max: usize },
    /// Pages of changes: `since` an instant (epoch ms), each page saying how far it reaches
    /// (`until`, the next page's `since`) until `lastPage` (`worklog/updated`,
    /// `worklog/deleted`).
    Since,
}

/// One listing to read: its request without paging parameters, and where a page's values are.
#[derive(Debug, Clone)]
pub struct Listing {
    api: Api,
    path: Vec<String>,
    query: Vec<(&'static str, String)>,
    /// A POST's body; the paging parameters go into it instead of the query.
    body: Option<Value>,
    /// The page's list of values; `None` when the page is a bare array.
    values: Option<&'static str>,
    paging: Paging,
    keep: Option<Arc<Keep>>,
}

impl Listing {
    /// `GET` of `path` (segments, each kept whole) in `api`.
    pub fn get(api: Api, path: Vec<String>, values: Option<&'static str>, paging: Paging) -> Self {
        Listing {
            api,
            path,
            query: Vec::new(),
            body: None,
            values,
            paging,
            keep: None,
        }
    }

    /// `POST` of `body` to the platform API's `path` (a read, such as `search/jql`).
    pub fn post(path: &str, body: Value, values: &'static str, paging: Paging) -> Self {
        Listing {
            body: Some(body),
            ..Listing::get(Api::Platform, segments(path), Some(values), paging)
        }
    }

    /// A table's listing endpoint; `{parent}` in its path is `parent`.
    pub fn of(endpoint: &Endpoint, parent: Option<&str>) -> Self {
        let path = endpoint
            .path
            .split('/')
            .map(|s| match (s, parent) {
                ("{parent}", Some(p)) => p.to_string(),
                _ => s.to_string(),
            })
            .collect();
        let query = endpoint
            .query
            .iter()
            .map(|(k, v)| (*k, v.to_string()))
            .collect();
        Listing {
            query,
            ..Listing::get(endpoint.api, path, endpoint.items, endpoint.paging)
        }
    }

    /// Adds a query parameter sent with every page.
    pub fn with_query(mut self, name: &'static str, value: String) -> Self {
        self.query.push((name, value));
        self
    }

    /// Parses of each value only what `value` keeps (POST listings; see [`crate::jira::prune`]).
    pub fn keeping(mut self, value: &Keep) -> Self {
        let mut page = match self.values {
            Some(list) => value.clone().under(list),
            None => value.clone(),
        };
        for field in ["nextPageToken", "isLast", "total", "until", "lastPage"] {
            page = page.with(field);
        }
        self.keep = Some(Arc::new(page));
        self
    }

    /// `GET board/7/sprint`, for messages.
    fn label(&self) -> String {
        let method = if self.body.is_some() { "POST" } else { "GET" };
        format!("{method} {}", self.path.join("/"))
    }
}

/// `path` cut into segments at each `/`.
pub(crate) fn segments(path: &str) -> Vec<String> {
    path.split('/').map(str::to_string).collect()
}

/// Where a listing is: the next page to ask for.
#[derive(Debug)]
enum Cursor {
    Start(usize),
    Token(Option<String>),
    Since(i64),
    Once,
}

/// Walks one [`Listing`] page by page.
pub struct Pager<'c> {
    client: &'c JiraClient,
    listing: Listing,
    cursor: Cursor,
    /// Every token followed so far: one seen again means Jira is going round in circles.
    tokens: HashSet<String>,
    finished: bool,
    /// What the last offset page said: the listing's `total` and the `maxResults` Jira used.
    total: Option<i64>,
    page_size: Option<usize>,
}

impl<'c> Pager<'c> {
    pub fn new(client: &'c JiraClient, listing: Listing) -> Self {
        let cursor = match listing.paging {
            Paging::Single => Cursor::Once,
            Paging::StartAt { .. } => Cursor::Start(0),
            Paging::Token { .. } => Cursor::Token(None),
            Paging::Since => Cursor::Since(0),
        };
        Pager {
            client,
            listing,
            cursor,
            tokens: HashSet::new(),
            finished: false,
            total: None,
            page_size: None,
        }
    }

    /// An offset listing read from `start` on.
    pub fn starting_at(mut self, start: usize) -> Self {
        if let Cursor::Start(s) = &mut self.cursor {
            *s = start;
        }
        self
    }

    /// The `total` the last offset page gave, if any.
    pub fn total(&self) -> Option<i64> {
        self.total
    }

    /// The `maxResults` Jira used for the last offset page, if it said.
    pub fn page_size(&self) -> Option<usize> {
        self.page_size
    }

    /// A feed of changes read from `since` (epoch ms) on.
    pub fn since(mut self, since: i64) -> Self {
        if let Cursor::Since(s) = &mut self.cursor {
            *s = since;
        }
        self
    }

    pub fn client(&self) -> &'c JiraClient {
        self.client
    }

    /// Whether the last page has been read.
    pub fn finished(&self) -> bool {
        self.finished
    }

    /// Every value of every page.
    pub async fn all(mut self) -> Result<Vec<Value>, JiraError> {
        let mut all = Vec::new();
        while let Some(page) = self.next_page().await? {
            all.extend(page);
        }
        Ok(all)
    }

    /// The next page's values (as many as the listing allows a page), `None` at the end.
    pub async fn next_page(&mut self) -> Result<Option<Vec<Value>>, JiraError> {
        self.next_page_of(None).await
    }

    /// The next page's values, asking for at most `want` of them (Jira may send fewer), or
    /// `None` at the end.
    pub async fn next_page_of(
        &mut self,
        want: Option<usize>,
    ) -> Result<Option<Vec<Value>>, JiraError> {
        if self.finished {
            return Ok(None);
        }
        let max = match self.listing.paging {
            Paging::StartAt { max } | Paging::Token { max } => {
                Some(want.map_or(max, |w| w.clamp(1, max)))
            }
            Paging::Single | Paging::Since => None,
        };
        let page = self.request(max).await?;
        let values = self.advance(page, max)?;
        Ok(Some(values))
    }

    async fn request(&self, max: Option<usize>) -> Result<Value, JiraError> {
        let mut params: Vec<(&str, Value)> = Vec::new();
        match &self.cursor {
            Cursor::Start(start) => params.push(("startAt", json!(start))),
            Cursor::Token(Some(token)) => params.push(("nextPageToken", json!(token))),
            Cursor::Since(since) => params.push(("since", json!(since))),
            Cursor::Token(None) | Cursor::Once => {}
        }
        if let Some(max) = max {
            params.push(("maxResults", json!(max)));
        }
        let l = &self.listing;
        match &l.body {
            Some(body) => {
                let mut body = body.clone();
                for (name, value) in params {
                    body[name] = value;
                }
                match &l.keep {
                    Some(keep) => {
                        self.client
                            .post_platform_kept(&l.path, &l.query, &body, keep)
                            .await
                    }
                    None => self.client.post_platform(&l.path, &l.query, &body).await,
                }
            }
            None => {
                let mut query = l.query.clone();
                query.extend(params.into_iter().map(|(name, value)| {
                    let text = match value {
                        Value::String(s) => s,
                        other => other.to_string(),
                    };
                    (name, text)
                }));
                match l.api {
                    Api::Platform => self.client.get_platform(&l.path, &query).await,
                    Api::Agile => self.client.get_agile(&l.path, &query).await,
                }
            }
        }
    }

    /// Takes the values out of `page` and moves the cursor on, or says how the page breaks
    /// the contract.
    fn advance(&mut self, mut page: Value, max: Option<usize>) -> Result<Vec<Value>, JiraError> {
        let values = match self.listing.values {
            Some(name) => page.get_mut(name).map(Value::take),
            None => Some(page.take()),
        };
        let values = match values {
            Some(Value::Array(values)) => values,
            _ => {
                let list = self
                    .listing
                    .values
                    .map_or("a list of values".to_string(), |n| format!("a list `{n}`"));
                return Err(self.broken(&format!("the page is not {list}")));
            }
        };
        let n = values.len();
        if let Some(max) = max
            && n > max
        {
            return Err(self.broken(&format!("it sent {n} values where {max} were asked for")));
        }
        self.step(&page, n).map_err(|e| self.broken(&e))?;
        Ok(values)
    }

    /// Moves the cursor past a page of `n` values, or says how the page breaks the contract.
    fn step(&mut self, page: &Value, n: usize) -> Result<(), String> {
        match &mut self.cursor {
            Cursor::Once => self.finished = true,
            Cursor::Start(start) => {
                let at = *start;
                *start += n;
                let last = flag(page, "isLast")?;
                let total = number(page, "total")?;
                self.total = total;
                self.page_size = number(page, "maxResults")?.and_then(|m| usize::try_from(m).ok());
                let said = last.is_some() || total.is_some();
                self.finished = last == Some(true)
                    || total.is_some_and(|t| (at + n) as i64 >= t)
                    || (n == 0 && !said);
                if !self.finished && n == 0 {
                    return Err(format!(
                        "the page at startAt {at} is empty, yet it does not say it is the last"
                    ));
                }
            }
            Cursor::Token(current) => match (text(page, "nextPageToken")?, flag(page, "isLast")?) {
                (_, Some(true)) | (None, None) => self.finished = true,
                (None, Some(false)) => {
                    return Err("it says more pages follow but sends no nextPageToken".into());
                }
                (Some(token), _) => {
                    if !self.tokens.insert(token.clone()) {
                        return Err("it sent a page token it had sent before, so the same \
                                    pages would be read forever"
                            .into());
                    }
                    *current = Some(token);
                }
            },
            Cursor::Since(since) => {
                let at = *since;
                match (flag(page, "lastPage")?, number(page, "until")?) {
                    (Some(false), Some(until)) if until > at => *since = until,
                    (Some(false), Some(until)) => {
                        return Err(format!(
                            "the page since {at} ends at {until}, not later, so the same page \
                             would be read forever"
                        ));
                    }
                    (Some(false), None) => {
                        return Err(
                            "it says more pages follow but has no until to ask for them by".into(),
                        );
                    }
                    _ => self.finished = true,
                }
            }
        }
        Ok(())
    }

    fn broken(&self, what: &str) -> JiraError {
        JiraError::Protocol(format!(
            "Jira's answer to {} on {} breaks its paging contract: {what}; the read stopped \
             rather than loop or return wrong rows. Retry; if it persists, check for a proxy \
             rewriting answers or report it to the Jira administrator",
            self.listing.label(),
            self.client.site_label()
        ))
    }
}

/// A paging flag: absent (or null) is `None`, anything but true or false is an error.
fn flag(page: &Value, name: &str) -> Result<Option<bool>, String> {
    match page.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(other) => Err(format!("its {name} is {other}, not true or false")),
    }
}

/// A paging number, as [`flag`].
fn number(page: &Value, name: &str) -> Result<Option<i64>, String> {
    match page.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_i64()
            .map(Some)
            .ok_or_else(|| format!("its {name} is {v}, not a whole number")),
    }
}

/// A page token, as [`flag`].
fn text(page: &Value, name: &str) -> Result<Option<String>, String> {
    match page.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(format!("its {name} is {other}, not a string")),
    }
}
