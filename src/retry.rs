//! Retries: only of what surely was not processed, and how long to wait first.
//!
//! A send is not idempotent: a second request can ring a phone twice. So a request is
//! made again only after a failure that proves the API did nothing with it: a failed
//! name lookup or a refused connection (nothing reached any server) and a 429 (the API
//! turned it away). Never after a time-out, a connection dropped after sending, or a
//! 5xx: each of those may have sent the code. Before trying again the client waits as
//! the 429's `Retry-After` says (seconds or an HTTP date); otherwise it backs off
//! exponentially from [`FIRST_BACKOFF`], with jitter, so that many runs turned away at
//! once do not all come back at once. All the waits of one run add up to at most
//! [`MAX_TOTAL_WAIT`]: a wait beyond what is left ends the retries at once.

use std::fmt;
use std::time::{Duration, SystemTime};

/// The most all the waits before retries of one run add up to.
pub(crate) const MAX_TOTAL_WAIT: Duration = Duration::from_secs(60);

/// The back-off before the first retry when the API gives no `Retry-After`; each
/// later one doubles it. Jitter takes each wait down by up to half.
pub(crate) const FIRST_BACKOFF: Duration = Duration::from_millis(500);

crate::fields::bounded_number!(
    /// How many times a request may be made again: 0 (the default) to 10.
    #[derive(Default)]
    Retries,
    0..=10,
    "must be a whole number of retries from 0 to 10"
);

/// Why the client is about to wait and try again.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum WaitReason {
    /// The host's name could not be looked up: nothing was sent.
    NameNotFound,
    /// The connection was refused: nothing was sent.
    Refused,
    /// The API answered 429; `retry_after` says whether it said how long to wait.
    #[non_exhaustive]
    RateLimited {
        /// Whether the wait comes from a `Retry-After` header.
        retry_after: bool,
    },
}

impl WaitReason {
    /// A [`WaitReason::RateLimited`], whose wait came from a `Retry-After` header or
    /// not.
    pub fn rate_limited(retry_after: bool) -> Self {
        WaitReason::RateLimited { retry_after }
    }
}

/// A wait before a retry, as the client is about to make it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Wait {
    /// Which retry comes after the wait: 1 for the first.
    pub retry: u8,
    /// How many retries are allowed in all.
    pub of: u8,
    /// How long the client waits.
    pub delay: Duration,
    /// Why.
    pub reason: WaitReason,
}

impl fmt::Display for Wait {
    /// `HTTP 429; waiting 2 s as Retry-After says, then retry 1 of 3`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let delay = (self.delay.as_secs_f64() * 1000.0).round() / 1000.0;
        match self.reason {
            WaitReason::NameNotFound => write!(f, "name not found; waiting {delay} s")?,
            WaitReason::Refused => write!(f, "connection refused; waiting {delay} s")?,
            WaitReason::RateLimited { retry_after: true } => {
                write!(f, "HTTP 429; waiting {delay} s as Retry-After says")?
            }
            WaitReason::RateLimited { retry_after: false } => {
                write!(f, "HTTP 429; waiting {delay} s")?
            }
        }
        write!(f, ", then retry {} of {}", self.retry, self.of)
    }
}

/// What `Retry-After` asks for, counted from `now`: whole seconds, or an HTTP date (a
/// date already past means no wait). `None` when it says neither.
pub(crate) fn retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    let wait = if let Ok(seconds) = value.parse::<u64>() {
        Duration::from_secs(seconds)
    } else {
        let at = httpdate::parse_http_date(value).ok()?;
        at.duration_since(now).unwrap_or_default()
    };
    Some(wait)
}

/// The back-off before retry `retry` (1 for the first): [`FIRST_BACKOFF`] doubled for
/// each retry before it, at most [`MAX_TOTAL_WAIT`], less a random part of up to half.
pub(crate) fn backoff(retry: u8) -> Duration {
    let full = FIRST_BACKOFF
        .saturating_mul(1u32 << retry.saturating_sub(1).min(16))
        .min(MAX_TOTAL_WAIT);
    full.mul_f64(1.0 - jitter() / 2.0)
}

/// A number in [0, 1) that differs between runs and calls: std's hasher is seeded
/// at random for each process, which is all the randomness jitter needs.
fn jitter() -> f64 {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u128(
        SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap_or_default()
            .as_nanos(),
    );
    (hasher.finish() >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_are_0_to_10() {
        assert_eq!("0".parse::<Retries>().unwrap().get(), 0);
        assert_eq!("10".parse::<Retries>().unwrap().get(), 10);
        for bad in ["11", "-1", "1.5", "", " 2", "three", "300"] {
            let err = bad.parse::<Retries>().unwrap_err();
            assert_eq!(
                err.to_string(),
                "must be a whole number of retries from 0 to 10",
                "{bad}"
            );
        }
    }

    #[test]
    fn retry_after_takes_seconds_or_a_date_and_is_capped() {
        let now = httpdate::parse_http_date("Thu, 26 Nov 2026 10:00:00 GMT").unwrap();
        assert_eq!(retry_after("2", now), Some(Duration::from_secs(2)));
        assert_eq!(retry_after(" 0 ", now), Some(Duration::ZERO));
        assert_eq!(retry_after("3600", now), Some(Duration::from_secs(3600)));
        assert_eq!(
            retry_after("Thu, 26 Nov 2026 10:00:05 GMT", now),
            Some(Duration::from_secs(5))
        );
        assert_eq!(
            retry_after("Thu, 26 Nov 2026 09:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(
            retry_after("Fri, 27 Nov 2026 10:00:00 GMT", now),
            Some(Duration::from_secs(24 * 3600))
        );
        assert_eq!(
            retry_after("18446744073709551615", now),
            Some(Duration::from_secs(u64::MAX))
        );
        assert_eq!(retry_after("soon", now), None);
        assert_eq!(retry_after("-5", now), None);
    }

    #[test]
    fn backoff_doubles_with_jitter_and_is_capped() {
        for _ in 0..50 {
            let first = backoff(1);
            assert!(
                first <= FIRST_BACKOFF && first >= FIRST_BACKOFF / 2,
                "{first:?}"
            );
            let third = backoff(3);
            assert!(
                third <= FIRST_BACKOFF * 4 && third >= FIRST_BACKOFF * 2,
                "{third:?}"
            );
            let late = backoff(10);
            assert!(
                late <= MAX_TOTAL_WAIT && late >= MAX_TOTAL_WAIT / 2,
                "{late:?}"
            );
        }
        let spread: std::collections::HashSet<Duration> = (0..20).map(|_| backoff(2)).collect();
        assert!(spread.len() > 1, "jitter varies the wait");
    }

    #[test]
    fn a_wait_says_why_how_long_and_which_retry() {
        let wait = Wait {
            retry: 1,
            of: 3,
            delay: Duration::from_secs(2),
            reason: WaitReason::RateLimited { retry_after: true },
        };
        assert_eq!(
            wait.to_string(),
            "HTTP 429; waiting 2 s as Retry-After says, then retry 1 of 3"
        );
        let wait = Wait {
            retry: 2,
            of: 2,
            delay: Duration::from_millis(734),
            reason: WaitReason::Refused,
        };
        assert_eq!(
            wait.to_string(),
            "connection refused; waiting 0.734 s, then retry 2 of 2"
        );
        let wait = Wait {
            reason: WaitReason::NameNotFound,
            ..wait
        };
        assert_eq!(
            wait.to_string(),
            "name not found; waiting 0.734 s, then retry 2 of 2"
        );
    }
}
