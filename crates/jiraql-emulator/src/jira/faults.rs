//! Fault injection: latency, canned failures (429 with Jira's rate-limit headers, 5xx),
//! truncated bodies and seeded storms of all three ([`Chaos`]), set by tests at run time and
//! consumed by the server per request.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Mutex;
use std::time::Duration;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use serde_json::json;

use super::data::JiraData;
use super::paging::PagingFault;
use super::server::{json_response, strip_gateway};

#[derive(Debug, Clone)]
struct Failure {
    remaining: usize,
    status: u16,
    retry_after: Option<String>,
}

/// A seeded storm of faults. Whether a request fails is drawn from the seed, the request
/// itself (endpoint, query, body) and how often that same request came before, so a logical
/// request meets the same faults whatever order concurrent requests arrive in: a run
/// reproduces from its seed.
#[derive(Debug, Clone, PartialEq)]
pub struct Chaos {
    pub seed: u64,
    /// Share of requests answered 429 (with Jira's rate-limit headers).
    pub throttle: f64,
    /// Share answered 502, 503 or 504 (an HTML page, as a proxy sends).
    pub server_error: f64,
    /// Share answered 200 with the JSON body cut in half.
    pub malformed: f64,
    /// `Retry-After` values picked from per fault (`None` omits the header); empty: none.
    pub retry_after: Vec<Option<String>>,
    /// Faults one request meets at most; up to the client's MaxRetries, every request gets
    /// through in the end.
    pub max_per_request: usize,
}

/// Faults a [`Chaos`] plan injected so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ChaosCount {
    pub throttled: usize,
    pub server_errors: usize,
    pub malformed: usize,
}

#[derive(Debug)]
struct ChaosState {
    plan: Chaos,
    /// Per request identity: times seen, faults injected.
    seen: HashMap<u64, (u64, usize)>,
    count: ChaosCount,
}

/// What a chaos plan does to one request.
pub(crate) enum ChaosFault {
    Fail(Injected),
    Malformed,
}

#[derive(Debug, Default)]
struct State {
    latency: Duration,
    global: Option<Failure>,
    per_endpoint: Vec<(String, Failure)>,
    malformed: usize,
    /// The next requests answer only after this extra delay: (requests left, delay).
    slow: Option<(usize, Duration)>,
    /// The listing whose path ends so breaks its paging contract so.
    paging: Option<(PagingFault, String)>,
    /// Every n-th request answers 429: (n, requests counted so far).
    rate_limit_every: Option<(usize, usize)>,
    /// Every n-th issue search served changes the site: (n, searches, changes made).
    change_every: Option<(usize, usize, usize)>,
    /// After the next successful request to this endpoint, this change of the site.
    after: Option<(String, SiteChange)>,
    chaos: Option<ChaosState>,
}

/// A change of the site made by a test, as if someone else had made it in Jira.
pub struct SiteChange(Box<dyn FnOnce(&mut JiraData) + Send>);

impl std::fmt::Debug for SiteChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SiteChange")
    }
}

/// Knobs that change how the running emulator answers. Shared with the server; every method
/// takes `&self`.
#[derive(Debug, Default)]
pub struct Faults {
    state: Mutex<State>,
}

/// A failure taken for one request.
#[derive(Debug, Clone)]
pub(crate) struct Injected {
    pub status: u16,
    pub retry_after: Option<String>,
}

impl Faults {
    pub(crate) fn new(latency: Duration) -> Self {
        Faults {
            state: Mutex::new(State {
                latency,
                ..State::default()
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A panicking test thread must not wedge the server: the state stays usable.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Delay applied to every request before it is answered.
    pub fn set_latency(&self, d: Duration) {
        self.lock().latency = d;
    }

    pub fn latency(&self) -> Duration {
        self.lock().latency
    }

    /// The next `n` requests (any endpoint, after authentication) answer `status`. For 429 the
    /// response carries Jira's rate-limit headers; `retry_after` is sent verbatim as
    /// `Retry-After` when given (also on 5xx).
    pub fn fail_next(&self, n: usize, status: u16, retry_after: Option<&str>) {
        self.lock().global = (n > 0).then(|| Failure {
            remaining: n,
            status,
            retry_after: retry_after.map(str::to_string),
        });
    }

    /// Like [`Faults::fail_next`], for one endpoint (`"POST /rest/api/3/search/jql"`).
    pub fn fail_endpoint_next(
        &self,
        endpoint: &str,
        n: usize,
        status: u16,
        retry_after: Option<&str>,
    ) {
        let key = strip_gateway(endpoint);
        let mut st = self.lock();
        st.per_endpoint.retain(|(e, _)| *e != key);
        if n > 0 {
            st.per_endpoint.push((
                key,
                Failure {
                    remaining: n,
                    status,
                    retry_after: retry_after.map(str::to_string),
                },
            ));
        }
    }

    /// From now on every `n`-th request (after authentication, any endpoint) answers 429 with
    /// `Retry-After: 0`, as a busy site sheds load; `0` stops it.
    pub fn rate_limit_every(&self, n: usize) {
        self.lock().rate_limit_every = (n > 0).then_some((n, 0));
    }

    /// From now on, after every `n`-th successful `search/jql` answer, one issue is created
    /// (like an existing one, created now) and one existing issue is edited (summary, updated
    /// now); `0` stops it. Tests of scans that must stay exact while Jira changes use it.
    pub fn change_issues_every(&self, n: usize) {
        self.lock().change_every = (n > 0).then_some((n, 0, 0));
    }

    /// Whether this search answer changes the site, and which change it is (0, 1, ...).
    /// Right after the next successful request to `endpoint` (`"GET /rest/api/3/..."`, the
    /// route template) is answered, `change` is made to the site: someone else changing Jira
    /// between a client's read and its write.
    pub fn change_after(
        &self,
        endpoint: &str,
        change: impl FnOnce(&mut JiraData) + Send + 'static,
    ) {
        self.lock().after = Some((endpoint.to_string(), SiteChange(Box::new(change))));
    }

    /// The change to make now that `endpoint` was answered successfully, if one waits for it.
    pub(crate) fn take_after(&self, endpoint: &str) -> Option<impl FnOnce(&mut JiraData) + use<>> {
        let mut st = self.lock();
        match &st.after {
            Some((e, _)) if strip_gateway(endpoint) == *e => st.after.take().map(|(_, c)| c.0),
            _ => None,
        }
    }

    pub(crate) fn take_change(&self) -> Option<usize> {
        let mut st = self.lock();
        let (every, seen, made) = st.change_every.as_mut()?;
        *seen += 1;
        if *seen % *every != 0 {
            return None;
        }
        *made += 1;
        Some(*made - 1)
    }

    /// The next `n` requests are answered only after `delay` more: past a client's timeout,
    /// the answer never arrives as far as it knows.
    pub fn slow_next(&self, n: usize, delay: Duration) {
        self.lock().slow = (n > 0).then_some((n, delay));
    }

    /// The listing whose path ends with `path_end` (`"/search/jql"`, `"/board"`) breaks its
    /// paging contract as `fault` says, until [`Faults::clear`].
    pub fn break_paging(&self, fault: PagingFault, path_end: &str) {
        self.lock().paging = Some((fault, path_end.to_string()));
    }

    /// How the listing at `path` breaks its paging contract, if it does.
    pub(crate) fn paging(&self, path: &str) -> Option<PagingFault> {
        match &self.lock().paging {
            Some((fault, end)) if path.ends_with(end.as_str()) => Some(*fault),
            _ => None,
        }
    }

    /// The next `n` answers are 200 with the JSON body cut in half.
    pub fn malformed_next(&self, n: usize) {
        self.lock().malformed = n;
    }

    /// Answer requests with seeded faults until [`Faults::clear`] (replaces a running plan).
    pub fn chaos(&self, plan: Chaos) {
        self.lock().chaos = Some(ChaosState {
            plan,
            seen: HashMap::new(),
            count: ChaosCount::default(),
        });
    }

    /// Faults the running chaos plan injected so far.
    pub fn chaos_count(&self) -> ChaosCount {
        self.lock()
            .chaos
            .as_ref()
            .map_or_else(ChaosCount::default, |c| c.count)
    }

    /// Drop every pending failure, malformed answer, periodic 429, change and chaos plan
    /// (latency stays).
    pub fn clear(&self) {
        let mut st = self.lock();
        st.global = None;
        st.per_endpoint.clear();
        st.malformed = 0;
        st.slow = None;
        st.paging = None;
        st.rate_limit_every = None;
        st.change_every = None;
        st.after = None;
        st.chaos = None;
    }

    /// The chaos plan's fault for this request, if any.
    pub(crate) fn take_chaos(
        &self,
        endpoint: &str,
        query: &str,
        body: &[u8],
    ) -> Option<ChaosFault> {
        let hash = |value: &dyn Fn(&mut DefaultHasher)| {
            let mut h = DefaultHasher::new();
            value(&mut h);
            h.finish()
        };
        let id = hash(&|h| (endpoint, query, body).hash(h));
        let mut st = self.lock();
        let chaos = st.chaos.as_mut()?;
        let plan = &chaos.plan;
        let entry = chaos.seen.entry(id).or_default();
        let occurrence = entry.0;
        entry.0 += 1;
        if entry.1 >= plan.max_per_request {
            return None;
        }
        // Uniform in [0, 1) from the seed, the request and its occurrence.
        let draw = |salt: u64| {
            (hash(&|h| (plan.seed, id, occurrence, salt).hash(h)) >> 11) as f64
                / (1u64 << 53) as f64
        };
        let u = draw(0);
        let pick = |n: usize| ((draw(1) * n as f64) as usize).min(n.saturating_sub(1));
        let retry_after = match plan.retry_after.len() {
            0 => None,
            n => plan.retry_after[pick(n)].clone(),
        };
        let fault = if u < plan.throttle {
            chaos.count.throttled += 1;
            ChaosFault::Fail(Injected {
                status: 429,
                retry_after,
            })
        } else if u < plan.throttle + plan.server_error {
            chaos.count.server_errors += 1;
            ChaosFault::Fail(Injected {
                status: [502, 503, 504][((draw(2) * 3.0) as usize).min(2)],
                retry_after,
            })
        } else if u < plan.throttle + plan.server_error + plan.malformed {
            chaos.count.malformed += 1;
            ChaosFault::Malformed
        } else {
            return None;
        };
        entry.1 += 1;
        Some(fault)
    }

    /// Consume a failure for this endpoint, endpoint-specific ones first.
    pub(crate) fn take_failure(&self, endpoint: &str) -> Option<Injected> {
        let key = strip_gateway(endpoint);
        let mut st = self.lock();
        if let Some(pos) = st.per_endpoint.iter().position(|(e, _)| *e == key) {
            let f = &mut st.per_endpoint[pos].1;
            f.remaining -= 1;
            let out = Injected {
                status: f.status,
                retry_after: f.retry_after.clone(),
            };
            if f.remaining == 0 {
                st.per_endpoint.remove(pos);
            }
            return Some(out);
        }
        if let Some((every, seen)) = st.rate_limit_every.as_mut() {
            *seen += 1;
            if *seen % *every == 0 {
                return Some(Injected {
                    status: 429,
                    retry_after: Some("0".to_string()),
                });
            }
        }
        let f = st.global.as_mut()?;
        f.remaining -= 1;
        let out = Injected {
            status: f.status,
            retry_after: f.retry_after.clone(),
        };
        if f.remaining == 0 {
            st.global = None;
        }
        Some(out)
    }

    pub(crate) fn take_slow(&self) -> Option<Duration> {
        let mut st = self.lock();
        let (left, delay) = st.slow.as_mut()?;
        let delay = *delay;
        *left -= 1;
        if *left == 0 {
            st.slow = None;
        }
        Some(delay)
    }

    pub(crate) fn take_malformed(&self) -> bool {
        let mut st = self.lock();
        if st.malformed > 0 {
            st.malformed -= 1;
            true
        } else {
            false
        }
    }
}

/// The response for an injected failure.
pub(crate) fn failure_response(f: &Injected) -> Response {
    let status = StatusCode::from_u16(f.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut resp = match f.status {
        429 => {
            let mut r = json_response(
                status,
                &json!({
                    "errorMessages": ["The request has been rate-limited. Please try again later."],
                    "errors": {},
                    "status": 429,
                }),
            );
            let wait = f
                .retry_after
                .as_deref()
                .and_then(|s| s.trim().parse::<f64>().ok())
                .filter(|s| s.is_finite() && *s >= 0.0)
                .unwrap_or(1.0);
            let reset = Utc::now() + chrono::Duration::milliseconds((wait * 1000.0).ceil() as i64);
            let h = r.headers_mut();
            h.insert("x-ratelimit-limit", HeaderValue::from_static("350"));
            h.insert("x-ratelimit-remaining", HeaderValue::from_static("0"));
            if let Ok(v) = HeaderValue::from_str(&reset.format("%Y-%m-%dT%H:%M:%SZ").to_string()) {
                h.insert("x-ratelimit-reset", v);
            }
            h.insert(
                "ratelimit-reason",
                HeaderValue::from_static("jira-burst-based"),
            );
            r
        }
        502..=504 => {
            let reason = status.canonical_reason().unwrap_or("Error");
            let body = format!(
                "<!DOCTYPE html><html><head><title>{code} {reason}</title></head><body><h1>{reason}</h1><p>The server is temporarily unable to service your request. Please try again later.</p></body></html>",
                code = f.status
            );
            (
                status,
                [(header::CONTENT_TYPE, "text/html;charset=UTF-8")],
                body,
            )
                .into_response()
        }
        500 => json_response(
            status,
            &json!({"errorMessages": ["Internal server error"], "errors": {}}),
        ),
        _ => json_response(
            status,
            &json!({
                "errorMessages": [status.canonical_reason().unwrap_or("Error")],
                "errors": {},
            }),
        ),
    };
    if let Some(ra) = &f.retry_after
        && let Ok(v) = HeaderValue::from_str(ra)
    {
        resp.headers_mut().insert(header::RETRY_AFTER, v);
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_failures_win_and_run_out() {
        let f = Faults::default();
        f.fail_next(1, 503, None);
        f.fail_endpoint_next("GET /rest/api/3/myself", 2, 429, Some("0.05"));
        let a = f.take_failure("GET /ex/jira/{cloudId}/rest/api/3/myself");
        assert_eq!(a.map(|x| x.status), Some(429));
        assert_eq!(
            f.take_failure("GET /rest/api/3/field").map(|x| x.status),
            Some(503)
        );
        assert!(f.take_failure("GET /rest/api/3/field").is_none());
        let b = f.take_failure("GET /rest/api/3/myself");
        assert_eq!(b.and_then(|x| x.retry_after).as_deref(), Some("0.05"));
        assert!(f.take_failure("GET /rest/api/3/myself").is_none());
        f.malformed_next(1);
        assert!(f.take_malformed());
        assert!(!f.take_malformed());
    }

    #[test]
    fn chaos_is_per_request_and_capped() {
        let f = Faults::default();
        let plan = Chaos {
            seed: 7,
            throttle: 0.5,
            server_error: 0.3,
            malformed: 0.0,
            retry_after: vec![Some("0".into()), None],
            max_per_request: 2,
        };
        f.chaos(plan.clone());
        // One request is failed at most twice, then always answered.
        let outcomes: Vec<bool> = (0..6)
            .map(|_| f.take_chaos("GET /rest/api/3/myself", "", b"").is_some())
            .collect();
        assert!(outcomes.iter().filter(|x| **x).count() <= 2);
        assert!(!outcomes[4] && !outcomes[5]);
        let count = f.chaos_count();
        assert_eq!(
            count.throttled + count.server_errors,
            outcomes.iter().filter(|x| **x).count()
        );
        // The same seed gives the same faults in another order of requests.
        let run = |order: &[&str]| {
            f.chaos(plan.clone());
            let mut got: Vec<(String, bool)> = order
                .iter()
                .map(|q| (q.to_string(), f.take_chaos("POST /x", q, b"{}").is_some()))
                .collect();
            got.sort();
            got
        };
        let keys: Vec<String> = (0..40).map(|i| format!("page={i}")).collect();
        let forward: Vec<&str> = keys.iter().map(String::as_str).collect();
        let backward: Vec<&str> = forward.iter().rev().copied().collect();
        let a = run(&forward);
        assert_eq!(a, run(&backward));
        assert!(a.iter().any(|x| x.1) && a.iter().any(|x| !x.1), "{a:?}");
        f.clear();
        assert!(f.take_chaos("POST /x", "page=1", b"{}").is_none());
    }

    #[test]
    fn rate_limit_headers() {
        let r = failure_response(&Injected {
            status: 429,
            retry_after: Some("1".into()),
        });
        assert_eq!(r.status(), 429);
        let h = r.headers();
        assert_eq!(h["retry-after"], "1");
        assert_eq!(h["x-ratelimit-remaining"], "0");
        assert_eq!(h["ratelimit-reason"], "jira-burst-based");
        assert!(h.contains_key("x-ratelimit-reset"));
        let r = failure_response(&Injected {
            status: 503,
            retry_after: None,
        });
        assert!(!r.headers().contains_key("retry-after"));
    }
}
