//! Issue searches split into `created` windows fetched concurrently, under an adaptive ceiling.
//!
//! `search/jql` pages are linked by page tokens, so one search is one page after another.
//! A scan that needs more than one page is therefore split into independent searches on
//! windows of the issues' creation time (`... AND created >= a AND created < b`), several in
//! flight at once. `created` is the key because it never changes (an issue updated during
//! the scan stays in its window: found once, never twice), issues created during the scan
//! fall after every window (left out, as one search would leave them out), and JQL compares
//! it globally. Issue ids would be tidier, but JQL compares `id`/`key` only within the
//! project of the key named, so they cannot cut a site into ranges.
//!
//! 1. The first page is asked for `ORDER BY created DESC`, with `created` added to the
//!    fields. If it is the last, the scan is over: a small result costs one request, as
//!    before. Otherwise its issues from the minutes after its oldest one are complete and
//!    are kept (JQL compares times at minute precision, so windows end on whole minutes).
//! 2. A second page, `ORDER BY created ASC` below that minute, brings the oldest issues the
//!    same way (a page of the answer, not a wasted probe).
//! 3. The time between them is cut into equal windows sized from the issue density of the
//!    two pages (about `WINDOW_PAGES` pages each, at most twice `MaxConcurrency`), each
//!    paged on its own. The price over the minimum is the few issues of the two boundary
//!    minutes read twice and at most one part-filled last page per window.
//! 4. Windows run concurrently, at most [`Limiter`]'s current level of requests at once,
//!    never above the `MaxConcurrency` ceiling. A request that met a 429 (the client waits
//!    and retries) halves the level; each run of successful requests as long as the level
//!    raises it by one.
//!
//! Data Center's `search` pages by offset, so no windows are needed: the first page, asked for
//! in creation order, says how many issues there are, and the other pages are then asked for
//! at their offsets concurrently under the same [`Limiter`]. Creation order keeps offsets
//! stable while the scan runs (issues created meanwhile come after the total and are left
//! out, as one search would leave them out).
//!
//! Never split: a scan with a LIMIT (it stops early anyway), a key lookup (not a search),
//! `MaxConcurrency=1`, and on Cloud an id-only scan such as `count(*)` (5000 issues a page:
//! already 50 times cheaper, and its pages carry no `created` to cut on).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use datafusion::error::DataFusionError;
use futures::future::BoxFuture;
use futures::stream::FuturesUnordered;
use futures::{FutureExt, StreamExt};
use serde_json::Value;
use tokio::sync::Notify;

use super::decode::{lookup, parse_instant};
use super::fetch::SearchCursor;
use crate::jira::client::{ApiFlavor, JiraClient};
use crate::jira::jql::{Clause, Literal, Op, Query};
use crate::jira::prune::Keep;

/// Pages Jira sends with real fields, and with ids only.
pub const FIELD_PAGE: usize = 100;
pub const ID_PAGE: usize = 5000;
/// Pages a window is sized for: windows should outnumber the lanes (creation is bursty, so
/// some windows run long), while each may end on a part-filled page.
const WINDOW_PAGES: usize = 4;
const MINUTE_MS: i64 = 60_000;

/// How a search without a limit will run on `client`, for EXPLAIN.
pub fn describe(client: &JiraClient, fields: &[&str]) -> String {
    let ceiling = client.settings().max_concurrency;
    if client.flavor() != ApiFlavor::Cloud {
        if ceiling <= 1 {
            "page after page (offset paging, MaxConcurrency=1)".to_string()
        } else {
            format!(
                "beyond one page: the other offset pages in creation order, up to {ceiling} requests in flight"
            )
        }
    } else if fields.is_empty() {
        "page after page (ids only, 5000 a page)".to_string()
    } else if ceiling <= 1 {
        "page after page (MaxConcurrency=1)".to_string()
    } else {
        format!(
            "beyond one page: newest and oldest pages, then created windows, up to {ceiling} requests in flight"
        )
    }
}

/// The issues of one search, page by page, split into concurrent windows when it is large.
pub struct IssuePages<'c> {
    search: Search<'c>,
    limiter: Arc<Limiter>,
    stage: Stage<'c>,
}

/// The search being split.
struct Search<'c> {
    client: &'c JiraClient,
    query: Query,
    /// The scan's fields, with `created` when split.
    fields: Vec<&'static str>,
    /// What of each issue is parsed.
    keep: Keep,
}

/// The order offset pages are read in: creation, which never changes.
const OFFSET_ORDER: &str = "created ASC, key ASC";

impl<'c> Search<'c> {
    /// The search from issue `start` on, in creation order (Data Center's offset pages).
    fn from(&self, start: usize) -> SearchCursor<'c> {
        SearchCursor::new(self.client, self.query.clone(), self.fields.clone())
            .keeping(&self.keep)
            .ordered(OFFSET_ORDER)
            .starting_at(start)
    }

    /// The search over `lo <= created < hi` (epoch ms; no lower bound when `lo` is `None`).
    fn window(&self, lo: Option<i64>, hi: i64) -> SearchCursor<'c> {
        let mut query = self.query.clone();
        if let Some(lo) = lo {
            query
                .clauses
                .push(Clause::compare("created", Op::GtEq, Literal::Number(lo)));
        }
        query
            .clauses
            .push(Clause::compare("created", Op::Lt, Literal::Number(hi)));
        SearchCursor::new(self.client, query, self.fields.clone()).keeping(&self.keep)
    }
}

enum Stage<'c> {
    /// One search read in order, and how it may go on after its first page.
    Single {
        cursor: SearchCursor<'c>,
        then: Then,
    },
    Split(Box<Split<'c>>),
    Offsets(Box<Offsets<'c>>),
}

/// How a search may go on after its first page.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Then {
    /// In order, page after page.
    InOrder,
    /// In created windows (Cloud).
    Windows,
    /// The other offset pages at once (Data Center).
    Offsets,
}

/// The concurrent part of an offset-paged scan.
struct Offsets<'c> {
    /// Offset pages waiting for a lane.
    waiting: VecDeque<SearchCursor<'c>>,
    running: FuturesUnordered<BoxFuture<'c, Page>>,
    /// Issues a page.
    size: usize,
}

/// The concurrent part of a split scan.
struct Split<'c> {
    /// Windows waiting for a lane.
    waiting: VecDeque<SearchCursor<'c>>,
    /// One page request per running window, and the oldest page's.
    running: FuturesUnordered<BoxFuture<'c, Step<'c>>>,
    /// Every window ends before this minute (the newest page's oldest minute).
    hi: i64,
    /// Issues on the newest page and the time they span, for the density.
    newest: (usize, i64),
}

/// A page request's outcome.
type Page = Result<Option<Vec<Value>>, DataFusionError>;

enum Step<'c> {
    Window(SearchCursor<'c>, Page),
    Oldest(SearchCursor<'c>, Page),
}

fn created(issue: &Value) -> Option<i64> {
    lookup(issue, "fields.created")
        .and_then(Value::as_str)
        .and_then(parse_instant)
}

fn minute_floor(ms: i64) -> i64 {
    ms.div_euclid(MINUTE_MS) * MINUTE_MS
}

impl<'c> IssuePages<'c> {
    /// `limit`: the scan's row limit; a limited scan is never split. `keep`: what of each
    /// issue the scan reads.
    pub fn new(
        client: &'c JiraClient,
        query: Query,
        mut fields: Vec<&'static str>,
        limit: Option<usize>,
        mut keep: Keep,
    ) -> Self {
        let ceiling = client.settings().max_concurrency;
        let parallel = limit.is_none() && ceiling > 1;
        let then = match client.flavor() {
            _ if !parallel => Then::InOrder,
            ApiFlavor::DataCenter => Then::Offsets,
            ApiFlavor::Cloud if fields.is_empty() => Then::InOrder,
            ApiFlavor::Cloud => Then::Windows,
        };
        let split = then == Then::Windows;
        if split && !fields.contains(&"created") {
            fields.push("created");
        }
        if split {
            keep = keep.with("fields.created");
        }
        let mut cursor = SearchCursor::new(client, query.clone(), fields.clone()).keeping(&keep);
        match then {
            Then::Windows => cursor = cursor.ordered("created DESC"),
            Then::Offsets => cursor = cursor.ordered(OFFSET_ORDER),
            Then::InOrder => {}
        }
        IssuePages {
            search: Search {
                client,
                query,
                fields,
                keep,
            },
            limiter: Limiter::new(ceiling),
            stage: Stage::Single { cursor, then },
        }
    }

    /// The next page (at most `want` issues while unsplit), or `None` at the end.
    pub async fn next_page(
        &mut self,
        want: Option<usize>,
    ) -> Result<Option<Vec<Value>>, DataFusionError> {
        if let Stage::Single { cursor, then } = &mut self.stage {
            let Some(page) = cursor.next_page(want).await? else {
                return Ok(None);
            };
            if *then == Then::InOrder || cursor.finished() {
                return Ok(Some(page));
            }
            if *then == Then::Offsets {
                let size = cursor.page_size().unwrap_or(page.len());
                let Some(total) = cursor.total().filter(|_| size > 0) else {
                    // No total to plan by: read on in order.
                    *then = Then::InOrder;
                    return Ok(Some(page));
                };
                self.search.query = cursor.query().clone();
                let waiting = (1..)
                    .map(|k| k * size)
                    .take_while(|&start| (start as i64) < total)
                    .map(|start| self.search.from(start))
                    .collect();
                self.stage = Stage::Offsets(Box::new(Offsets {
                    waiting,
                    running: FuturesUnordered::new(),
                    size,
                }));
                return Ok(Some(page));
            }
            let times: Option<Vec<i64>> = page.iter().map(created).collect();
            let (Some(min), Some(max)) = (
                times.as_ref().and_then(|t| t.iter().min().copied()),
                times.as_ref().and_then(|t| t.iter().max().copied()),
            ) else {
                // No creation times: Jira is not answering as documented; read on in order.
                *then = Then::InOrder;
                return Ok(Some(page));
            };
            // Windows need not hear again which values do not exist.
            self.search.query = cursor.query().clone();
            // Everything from the minute after the oldest issue here is on this page.
            let hi = minute_floor(min) + MINUTE_MS;
            let oldest = self.search.window(None, hi).ordered("created ASC");
            let running = FuturesUnordered::new();
            running.push(fetch(oldest, &self.limiter, Step::Oldest));
            self.stage = Stage::Split(Box::new(Split {
                waiting: VecDeque::new(),
                running,
                hi,
                newest: (page.len(), max - min + 1),
            }));
            let kept = page
                .into_iter()
                .filter(|i| created(i).is_some_and(|t| t >= hi))
                .collect();
            return Ok(Some(kept));
        }
        if let Stage::Offsets(offsets) = &mut self.stage {
            loop {
                while offsets.running.len() < self.limiter.ceiling
                    && let Some(cursor) = offsets.waiting.pop_front()
                {
                    let page = one_page(cursor, &self.limiter, offsets.size);
                    offsets.running.push(page);
                }
                let Some(page) = offsets.running.next().await else {
                    return Ok(None);
                };
                if let Some(p) = page?.filter(|p| !p.is_empty()) {
                    return Ok(Some(p));
                }
            }
        }
        let Stage::Split(split) = &mut self.stage else {
            return Ok(None);
        };
        loop {
            while split.running.len() < self.limiter.ceiling
                && let Some(cursor) = split.waiting.pop_front()
            {
                split
                    .running
                    .push(fetch(cursor, &self.limiter, Step::Window));
            }
            let Some(step) = split.running.next().await else {
                return Ok(None);
            };
            match step {
                Step::Window(cursor, page) => {
                    let page = page?;
                    if !cursor.finished() {
                        // Its next page first: a started window finishes before new ones.
                        split.waiting.push_front(cursor);
                    }
                    if let Some(p) = page.filter(|p| !p.is_empty()) {
                        return Ok(Some(p));
                    }
                }
                Step::Oldest(cursor, page) => {
                    let page = page?.unwrap_or_default();
                    if cursor.finished() {
                        return Ok(Some(page));
                    }
                    let times: Vec<i64> = page.iter().filter_map(created).collect();
                    let (Some(&min), Some(&max)) = (times.iter().min(), times.iter().max()) else {
                        return Err(DataFusionError::External(
                            "Jira's oldest page of a split issue search has no creation times"
                                .into(),
                        ));
                    };
                    // Everything before the newest minute here is on this page.
                    let lo = minute_floor(max);
                    let (n, span) = split.newest;
                    let density = (n + page.len()) as f64 / (span + max - min + 1) as f64;
                    for (a, b) in windows(lo, split.hi, density, 2 * self.limiter.ceiling) {
                        split.waiting.push_back(self.search.window(Some(a), b));
                    }
                    let kept: Vec<Value> = page
                        .into_iter()
                        .filter(|i| created(i).is_some_and(|t| t < lo))
                        .collect();
                    if !kept.is_empty() {
                        return Ok(Some(kept));
                    }
                }
            }
        }
    }
}

/// `[lo, hi)` (whole minutes) cut into equal windows of whole minutes holding about
/// [`WINDOW_PAGES`] pages each at `density` issues per millisecond; at least one window, at
/// most `most`.
fn windows(lo: i64, hi: i64, density: f64, most: usize) -> Vec<(i64, i64)> {
    if lo >= hi {
        return Vec::new();
    }
    let minutes = (hi - lo) / MINUTE_MS;
    let pages = (density * (hi - lo) as f64 / FIELD_PAGE as f64).ceil();
    let count = ((pages / WINDOW_PAGES as f64).ceil() as i64)
        .clamp(1, (most.max(1) as i64).min(minutes.max(1)));
    let width = ((minutes + count - 1) / count).max(1) * MINUTE_MS;
    (0..count)
        .map(|i| (lo + i * width, (lo + (i + 1) * width).min(hi)))
        .filter(|(a, b)| a < b)
        .collect()
}

/// One page of `cursor` under the limiter, handed back with the cursor as `step`.
fn fetch<'c>(
    mut cursor: SearchCursor<'c>,
    limiter: &Arc<Limiter>,
    step: fn(SearchCursor<'c>, Page) -> Step<'c>,
) -> BoxFuture<'c, Step<'c>> {
    let limiter = Arc::clone(limiter);
    async move {
        let client = cursor.client();
        let page = limited(&limiter, client, cursor.next_page(None)).await;
        step(cursor, page)
    }
    .boxed()
}

/// The one page of `cursor` (`size` issues), under the limiter.
fn one_page<'c>(
    mut cursor: SearchCursor<'c>,
    limiter: &Arc<Limiter>,
    size: usize,
) -> BoxFuture<'c, Page> {
    let limiter = Arc::clone(limiter);
    async move {
        let client = cursor.client();
        limited(&limiter, client, cursor.next_page(Some(size))).await
    }
    .boxed()
}

/// Runs `work` (requests on `client`) in a slot of `limiter`; a 429 the client waited out
/// meanwhile (for this work or work running beside it) lowers the level.
pub async fn limited<T>(
    limiter: &Arc<Limiter>,
    client: &JiraClient,
    work: impl Future<Output = T>,
) -> T {
    let permit = limiter.acquire().await;
    let waits = client.stats().rate_limit_waits();
    let out = work.await;
    permit.finish(client.stats().rate_limit_waits() > waits);
    out
}

/// An adaptive bound on requests in flight: at most `level`, which halves when a request
/// meets a 429 and climbs back by one after `level` requests in a row without, never above
/// `ceiling`.
pub struct Limiter {
    ceiling: usize,
    state: Mutex<LimitState>,
    freed: Notify,
}

struct LimitState {
    level: usize,
    in_flight: usize,
    successes: usize,
    /// Bumped at every halving: requests sent before it cannot halve again for the same
    /// rate-limit episode.
    epoch: u64,
}

/// A slot taken from a [`Limiter`]; dropping it unfinished (a cancelled request) frees it.
pub struct Permit {
    limiter: Arc<Limiter>,
    epoch: u64,
    finished: bool,
}

impl Limiter {
    pub fn new(ceiling: usize) -> Arc<Limiter> {
        let ceiling = ceiling.max(1);
        Arc::new(Limiter {
            ceiling,
            state: Mutex::new(LimitState {
                level: ceiling,
                in_flight: 0,
                successes: 0,
                epoch: 0,
            }),
            freed: Notify::new(),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, LimitState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Requests allowed in flight now.
    pub fn level(&self) -> usize {
        self.lock().level
    }

    /// Waits for a free slot.
    pub async fn acquire(self: &Arc<Self>) -> Permit {
        loop {
            let freed = self.freed.notified();
            tokio::pin!(freed);
            // Registered before the check, so a slot freed in between still wakes us.
            freed.as_mut().enable();
            {
                let mut st = self.lock();
                if st.in_flight < st.level {
                    st.in_flight += 1;
                    return Permit {
                        limiter: Arc::clone(self),
                        epoch: st.epoch,
                        finished: false,
                    };
                }
            }
            freed.await;
        }
    }

    fn release(&self, epoch: u64, throttled: bool) {
        {
            let mut st = self.lock();
            st.in_flight = st.in_flight.saturating_sub(1);
            if throttled {
                if epoch == st.epoch {
                    st.level = (st.level / 2).max(1);
                    st.epoch += 1;
                    st.successes = 0;
                    tracing::info!(
                        level = st.level,
                        "Jira is rate limiting: fewer requests in flight"
                    );
                }
            } else {
                st.successes += 1;
                if st.successes >= st.level && st.level < self.ceiling {
                    st.level += 1;
                    st.successes = 0;
                }
            }
        }
        self.freed.notify_waiters();
    }
}

impl Permit {
    /// Frees the slot; `throttled` when the request met a 429.
    pub fn finish(mut self, throttled: bool) {
        self.finished = true;
        self.limiter.release(self.epoch, throttled);
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        if !self.finished {
            self.limiter.release(self.epoch, false);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_cover_the_span_once_in_whole_minutes() {
        let hour = 60 * MINUTE_MS;
        // 300 issues an hour = 3 pages = 1 window.
        assert_eq!(windows(0, hour, 300.0 / hour as f64, 16), vec![(0, hour)]);
        // 10 000 issues = 100 pages = 25 windows, at most 16.
        let w = windows(hour, 11 * hour, 1000.0 / hour as f64, 16);
        assert_eq!(w.len(), 16);
        assert_eq!(w.first().map(|x| x.0), Some(hour));
        assert_eq!(w.last().map(|x| x.1), Some(11 * hour));
        assert!(w.windows(2).all(|p| p[0].1 == p[1].0));
        assert!(
            w.iter()
                .all(|(a, b)| a % MINUTE_MS == 0 && b % MINUTE_MS == 0)
        );
        assert!(windows(5 * MINUTE_MS, 5 * MINUTE_MS, 1.0, 8).is_empty());
        // Dense but short: never narrower than a minute.
        assert_eq!(windows(0, 3 * MINUTE_MS, 1.0, 8).len(), 3);
        assert_eq!(minute_floor(MINUTE_MS + 59_999), MINUTE_MS);
        assert_eq!(minute_floor(-1), -MINUTE_MS);
    }

    #[tokio::test]
    async fn limiter_halves_on_throttling_once_per_episode_and_recovers() {
        let l = Limiter::new(8);
        let permits: Vec<Permit> = futures::future::join_all((0..8).map(|_| l.acquire())).await;
        assert_eq!(l.lock().in_flight, 8);
        // Two requests of the same episode met a 429: one halving.
        let mut permits = permits.into_iter();
        for p in permits.by_ref().take(2) {
            p.finish(true);
        }
        assert_eq!(l.level(), 4);
        drop(permits);
        assert_eq!(l.lock().in_flight, 0);
        // A later request meeting a 429 halves again.
        l.acquire().await.finish(true);
        assert_eq!(l.level(), 2);
        // Level-many successes in a row raise it by one.
        for _ in 0..2 {
            l.acquire().await.finish(false);
        }
        assert_eq!(l.level(), 3);
        for _ in 0..100 {
            l.acquire().await.finish(false);
        }
        assert_eq!(l.level(), 8, "never above the ceiling");
    }

    #[tokio::test]
    async fn a_full_limiter_waits_for_a_free_slot() {
        let l = Limiter::new(1);
        let held = l.acquire().await;
        let waiting = tokio::spawn({
            let l = Arc::clone(&l);
            async move { l.acquire().await.finish(false) }
        });
        tokio::task::yield_now().await;
        assert!(!waiting.is_finished());
        drop(held);
        waiting.await.map_err(|e| e.to_string()).unwrap();
    }
}
