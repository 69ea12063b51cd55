//! Fault injection for the Graph side: latency, throttling (429/503 with `Retry-After`, also
//! fractional, and optionally the `RateLimit-*` headers), canned failures, "store then time
//! out" creates, and token expiry. Set by tests at run time, consumed per request. The token
//! endpoint is never failed: only `/v1.0` requests take faults.

use std::sync::Mutex;
use std::time::Duration;

use super::graph::{Reply, graph_error};

/// Which requests a fault applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FaultScope {
    /// Top-level requests (the `$batch` request itself included) and batch sub-requests.
    #[default]
    Any,
    /// Only requests sent on their own (the `$batch` request itself included).
    TopLevel,
    /// Only sub-requests inside a `$batch`.
    BatchOnly,
}

/// Throttle the next `requests` requests.
#[derive(Debug, Clone, PartialEq)]
pub struct Throttle {
    pub requests: usize,
    /// 429 (too many requests) or 503 (server too busy).
    pub status: u16,
    /// Sent verbatim as `Retry-After` (seconds, e.g. `"2"` or `"2.128"`); `None` omits it.
    pub retry_after: Option<String>,
    /// Add `RateLimit-Limit/Remaining/Reset` as SharePoint does for its app resource-unit
    /// limit.
    pub rate_limit_headers: bool,
    pub scope: FaultScope,
}

impl Default for Throttle {
    fn default() -> Self {
        Throttle {
            requests: 1,
            status: 429,
            retry_after: Some("1".into()),
            rate_limit_headers: false,
            scope: FaultScope::Any,
        }
    }
}

#[derive(Debug, Clone)]
struct Failure {
    remaining: usize,
    status: u16,
    scope: FaultScope,
}

#[derive(Debug, Default)]
struct State {
    latency: Duration,
    throttle: Option<Throttle>,
    failure: Option<Failure>,
    store_then_delay: Option<Duration>,
    token_generation: u64,
}

/// Knobs that change how the running emulator answers; every method takes `&self`.
#[derive(Debug, Default)]
pub struct SharePointFaults {
    state: Mutex<State>,
}

fn applies(scope: FaultScope, in_batch: bool) -> bool {
    match scope {
        FaultScope::Any => true,
        FaultScope::TopLevel => !in_batch,
        FaultScope::BatchOnly => in_batch,
    }
}

impl SharePointFaults {
    pub(crate) fn new(latency: Duration) -> Self {
        SharePointFaults {
            state: Mutex::new(State {
                latency,
                ..State::default()
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A panicking test thread must not wedge the server.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Delay applied to every top-level request before it is answered.
    pub fn set_latency(&self, d: Duration) {
        self.lock().latency = d;
    }

    pub fn latency(&self) -> Duration {
        self.lock().latency
    }

    /// Throttle the next requests (replaces a pending throttle).
    pub fn throttle(&self, t: Throttle) {
        self.lock().throttle = (t.requests > 0).then_some(t);
    }

    /// The next `n` requests in `scope` answer `status` with Graph's error body for it
    /// (500 `generalException`, 503 `serviceNotAvailable`, …). Throttles are taken first.
    pub fn fail_next(&self, n: usize, status: u16, scope: FaultScope) {
        self.lock().failure = (n > 0).then_some(Failure {
            remaining: n,
            status,
            scope,
        });
    }

    /// The next create (of an item or a list) is stored, but its answer (or its batch's) is
    /// held back for `delay`: a client timeout after a server-side write.
    pub fn store_then_timeout(&self, delay: Duration) {
        self.lock().store_then_delay = Some(delay);
    }

    /// Every access token issued so far becomes expired (401 on Graph; refresh tokens and
    /// the credentials still work).
    pub fn expire_tokens(&self) {
        self.lock().token_generation += 1;
    }

    /// Drop pending throttles, failures and delayed creates (latency and expiry stay).
    pub fn clear(&self) {
        let mut st = self.lock();
        st.throttle = None;
        st.failure = None;
        st.store_then_delay = None;
    }

    pub(crate) fn token_generation(&self) -> u64 {
        self.lock().token_generation
    }

    pub(crate) fn take_store_delay(&self) -> Option<Duration> {
        self.lock().store_then_delay.take()
    }

    /// The injected answer for this request, if a fault is pending for its scope.
    pub(crate) fn take(&self, in_batch: bool) -> Option<Reply> {
        let mut st = self.lock();
        if let Some(t) = st.throttle.as_mut().filter(|t| applies(t.scope, in_batch)) {
            t.requests -= 1;
            let reply = throttled(t);
            if t.requests == 0 {
                st.throttle = None;
            }
            return Some(reply);
        }
        let f = st.failure.as_mut().filter(|f| applies(f.scope, in_batch))?;
        f.remaining -= 1;
        let status = f.status;
        if f.remaining == 0 {
            st.failure = None;
        }
        Some(failure(status))
    }
}

fn throttled(t: &Throttle) -> Reply {
    let mut reply = if t.status == 503 {
        failure(503)
    } else {
        graph_error(
            t.status,
            "activityLimitReached",
            "The request has been throttled",
            Some("throttledRequest"),
        )
    };
    if let Some(ra) = &t.retry_after {
        reply.headers.push(("Retry-After".into(), ra.clone()));
    }
    if t.rate_limit_headers {
        let reset = t
            .retry_after
            .as_deref()
            .and_then(|s| s.trim().parse::<f64>().ok())
            .filter(|s| s.is_finite() && *s >= 0.0)
            .map_or(1, |s| s.ceil() as u64);
        reply
            .headers
            .push(("RateLimit-Limit".into(), "1250".into()));
        reply
            .headers
            .push(("RateLimit-Remaining".into(), "0".into()));
        reply
            .headers
            .push(("RateLimit-Reset".into(), reset.to_string()));
    }
    reply
}

/// Graph's answer for a server-side failure with this status.
fn failure(status: u16) -> Reply {
    let (code, message) = match status {
        500 => ("generalException", "General exception while processing"),
        501 => ("notSupported", "The requested feature isn't implemented."),
        503 => (
            "serviceNotAvailable",
            "The service is not available. Try the request again after a delay. There may be a Retry-After header.",
        ),
        504 => (
            "gatewayTimeout",
            "The server, while acting as a proxy, did not receive a timely response from the upstream server it needed to access in attempting to complete the request.",
        ),
        507 => (
            "quotaLimitReached",
            "The user has reached their quota limit.",
        ),
        _ => ("generalException", "General exception while processing"),
    };
    graph_error(status, code, message, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_and_counts() {
        let f = SharePointFaults::default();
        f.throttle(Throttle {
            requests: 2,
            retry_after: Some("2.128".into()),
            rate_limit_headers: true,
            scope: FaultScope::BatchOnly,
            ..Throttle::default()
        });
        assert!(f.take(false).is_none());
        let r = f.take(true).unwrap();
        assert_eq!(r.status, 429);
        assert!(r.headers.contains(&("Retry-After".into(), "2.128".into())));
        assert!(r.headers.contains(&("RateLimit-Reset".into(), "3".into())));
        assert!(f.take(true).is_some());
        assert!(f.take(true).is_none());
        f.fail_next(1, 503, FaultScope::TopLevel);
        assert!(f.take(true).is_none());
        let r = f.take(false).unwrap();
        assert_eq!(r.status, 503);
        assert_eq!(r.body.unwrap()["error"]["code"], "serviceNotAvailable");
        assert!(f.take(false).is_none());
    }
}
