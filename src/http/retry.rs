//! Retry timing shared by the Jira and Microsoft Graph clients: how long to wait before the
//! next attempt, given the policy, the attempt number and what the server asked for.
//!
//! Both services throttle with 429 (and 503) plus `Retry-After`, in whole or fractional seconds
//! or as an HTTP date. A server's wait is honoured as a minimum; without one, the delay doubles
//! per attempt with jitter so that parallel clients do not retry in lockstep.

use std::time::Duration;

/// How often and how patiently failed requests are retried (429, 502, 503, 504, network errors).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt; 0 disables retrying.
    pub max_retries: u32,
    /// Delay before the first retry; it doubles with each further retry.
    pub base_delay: Duration,
    /// Upper bound for one delay. A `Retry-After` longer than this is not waited for: the
    /// request fails at once and says so, rather than hanging silently.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    /// Atlassian's advice (and close to Microsoft's): about four retries, exponential backoff,
    /// delays capped at 30 s.
    fn default() -> Self {
        RetryPolicy {
            max_retries: 4,
            base_delay: Duration::from_millis(1000),
            max_delay: Duration::from_millis(30_000),
        }
    }
}

/// Decides the delay before retry number `retries + 1`: `Ok(delay)`, or `Err(true)` when
/// `Retry-After` asks for more than the policy's cap, `Err(false)` when retries are used up.
pub fn plan_retry(
    policy: &RetryPolicy,
    retries: u32,
    retry_after: Option<Duration>,
) -> Result<Duration, bool> {
    if retries >= policy.max_retries {
        return Err(false);
    }
    if let Some(wait) = retry_after
        && wait > policy.max_delay
    {
        return Err(true);
    }
    let delay = backoff(policy, retries, jitter());
    Ok(retry_after.map_or(delay, |wait| wait.max(delay)))
}

/// Exponential backoff: `base_delay * 2^attempt * jitter`, capped at `max_delay`. `jitter` is
/// clamped to [0.7, 1.3].
pub fn backoff(policy: &RetryPolicy, attempt: u32, jitter: f64) -> Duration {
    let jitter = jitter.clamp(0.7, 1.3);
    let factor = 2f64.powi(attempt.min(60) as i32);
    let secs =
        (policy.base_delay.as_secs_f64() * factor * jitter).min(policy.max_delay.as_secs_f64());
    Duration::try_from_secs_f64(secs).unwrap_or(policy.max_delay)
}

pub fn jitter() -> f64 {
    use rand::Rng as _;
    rand::rng().random_range(0.7..=1.3)
}

/// Parses `Retry-After`: seconds, possibly fractional (`"1.5"`), or an HTTP date. Dates in the
/// past mean "now"; anything else unreadable is ignored.
pub fn parse_retry_after(value: &str, now: chrono::DateTime<chrono::Utc>) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<f64>() {
        return if secs.is_finite() && secs >= 0.0 {
            // Longer than a day is nonsense; capping keeps the conversion from overflowing.
            Duration::try_from_secs_f64(secs.min(86_400.0)).ok()
        } else {
            None
        };
    }
    let date = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let wait = date.with_timezone(&chrono::Utc) - now;
    Some(wait.to_std().unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(base_ms: u64, max_ms: u64, retries: u32) -> RetryPolicy {
        RetryPolicy {
            max_retries: retries,
            base_delay: Duration::from_millis(base_ms),
            max_delay: Duration::from_millis(max_ms),
        }
    }

    #[test]
    fn retry_after_forms() {
        let now = chrono::DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z")
            .map(|d| d.with_timezone(&chrono::Utc))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(parse_retry_after("1", now), Some(Duration::from_secs(1)));
        assert_eq!(
            parse_retry_after(" 0.05 ", now),
            Some(Duration::from_millis(50))
        );
        assert_eq!(
            parse_retry_after("1.5", now),
            Some(Duration::from_millis(1500))
        );
        assert_eq!(parse_retry_after("0", now), Some(Duration::ZERO));
        assert_eq!(
            parse_retry_after("Thu, 01 Jan 2026 00:00:30 GMT", now),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            parse_retry_after("Wed, 31 Dec 2025 23:59:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("-1", now), None);
        assert_eq!(parse_retry_after("NaN", now), None);
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(
            parse_retry_after("1e300", now),
            Some(Duration::from_secs(86_400))
        );
    }

    #[test]
    fn backoff_bounds() {
        let p = policy(1000, 30_000, 4);
        assert_eq!(backoff(&p, 0, 1.0), Duration::from_secs(1));
        assert_eq!(backoff(&p, 1, 1.0), Duration::from_secs(2));
        assert_eq!(backoff(&p, 3, 1.0), Duration::from_secs(8));
        assert_eq!(backoff(&p, 0, 0.7), Duration::from_millis(700));
        assert_eq!(backoff(&p, 0, 1.3), Duration::from_millis(1300));
        // Jitter outside the range is clamped.
        assert_eq!(backoff(&p, 0, 0.0), Duration::from_millis(700));
        assert_eq!(backoff(&p, 0, 9.0), Duration::from_millis(1300));
        // Capped, and no overflow for absurd attempts.
        assert_eq!(backoff(&p, 5, 1.3), Duration::from_secs(30));
        assert_eq!(backoff(&p, u32::MAX, 1.3), Duration::from_secs(30));
        for attempt in 0..10 {
            for _ in 0..50 {
                let d = backoff(&p, attempt, jitter());
                let nominal = (1000u64 << attempt) as f64 / 1000.0;
                assert!(d.as_secs_f64() >= (nominal * 0.7).min(30.0) - 1e-9, "{d:?}");
                assert!(d.as_secs_f64() <= (nominal * 1.3).min(30.0) + 1e-9, "{d:?}");
            }
        }
    }

    #[test]
    fn retry_plan() {
        let p = policy(10, 1000, 2);
        assert_eq!(plan_retry(&p, 2, None), Err(false));
        assert_eq!(plan_retry(&p, 0, Some(Duration::from_secs(5))), Err(true));
        let d = plan_retry(&p, 0, Some(Duration::from_millis(500)));
        assert_eq!(
            d,
            Ok(Duration::from_millis(500)),
            "Retry-After is the minimum"
        );
        let d = plan_retry(&p, 1, None).unwrap_or_default();
        assert!(
            d >= Duration::from_millis(14) && d <= Duration::from_millis(26),
            "{d:?}"
        );
    }
}
