//! Bounded retries with exponential backoff: network errors and 5xx answers are retried, a
//! fixed number of times per operation, waiting twice as long each time up to a ceiling.

use super::error::UploadError;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt (0 = try once).
    pub retries: u32,
    pub first_delay: Duration,
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    /// Eight retries, 1 s doubling to at most 30 s: about two minutes of patience, enough for
    /// a portal restart or a Wi-Fi reconnect, short enough that a script notices a dead server.
    fn default() -> Self {
        RetryPolicy {
            retries: 8,
            first_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// The wait before retry number `retry` (1 = the first retry).
    pub fn delay(&self, retry: u32) -> Duration {
        let factor = 1u32.checked_shl(retry.saturating_sub(1)).unwrap_or(u32::MAX);
        self.first_delay
            .checked_mul(factor)
            .unwrap_or(self.max_delay)
            .min(self.max_delay)
    }

    /// Runs `op` until it succeeds, fails for good, or the retries are used up. `op` gets the
    /// attempt number (0 first) so it can re-synchronise before trying again; `on_retry` hears
    /// about each wait (for the progress display). Both get `ctx` (what they share mutably,
    /// such as the progress callback).
    pub(crate) fn run<C: ?Sized, T>(
        &self,
        ctx: &mut C,
        cancelled: &dyn Fn() -> bool,
        mut op: impl FnMut(&mut C, u32) -> Result<T, Failure>,
        mut on_retry: impl FnMut(&mut C, RetryNotice<'_>),
    ) -> Result<T, UploadError> {
        let mut attempt = 0;
        loop {
            if cancelled() {
                return Err(UploadError::Cancelled);
            }
            match op(ctx, attempt) {
                Ok(v) => return Ok(v),
                Err(Failure::Fatal(e)) => return Err(e),
                Err(Failure::Transient(t)) => {
                    if attempt >= self.retries {
                        return Err(t.into_error(attempt + 1));
                    }
                    attempt += 1;
                    let delay = self.delay(attempt);
                    on_retry(
                        ctx,
                        RetryNotice {
                            retry: attempt,
                            of: self.retries,
                            delay,
                            cause: &t,
                        },
                    );
                    // In short steps: a cancel must not wait out a 30 s backoff.
                    let until = std::time::Instant::now() + delay;
                    while std::time::Instant::now() < until {
                        if cancelled() {
                            return Err(UploadError::Cancelled);
                        }
                        std::thread::sleep((until - std::time::Instant::now()).min(Duration::from_millis(50)));
                    }
                }
            }
        }
    }
}

/// How one attempt failed.
#[derive(Debug)]
pub(crate) enum Failure {
    /// Retrying cannot help (wrong password, refused file, bad input).
    Fatal(UploadError),
    /// Worth another try after a wait.
    Transient(Transient),
}

#[derive(Debug, Clone)]
pub(crate) enum Transient {
    Network(String),
    Status { status: u16, text: String },
}

impl Transient {
    pub(crate) fn into_error(self, attempts: u32) -> UploadError {
        match self {
            Transient::Network(detail) => UploadError::Network { detail, attempts },
            Transient::Status { status, text } => UploadError::Server { status, text, attempts },
        }
    }

    pub(crate) fn describe(&self) -> String {
        match self {
            Transient::Network(d) => d.clone(),
            Transient::Status { status, text } if text.is_empty() => format!("HTTP {status}"),
            Transient::Status { status, text } => format!("HTTP {status}: {text}"),
        }
    }
}

pub(crate) struct RetryNotice<'a> {
    pub retry: u32,
    pub of: u32,
    pub delay: Duration,
    pub cause: &'a Transient,
}

impl From<UploadError> for Failure {
    fn from(e: UploadError) -> Self {
        Failure::Fatal(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_ceiling() {
        let p = RetryPolicy::default();
        let secs: Vec<u64> = (1..=9).map(|r| p.delay(r).as_secs()).collect();
        assert_eq!(secs, [1, 2, 4, 8, 16, 30, 30, 30, 30]);
        // Far past any sensible count it stays at the ceiling instead of overflowing.
        assert_eq!(p.delay(200), Duration::from_secs(30));
    }

    #[test]
    fn transient_failures_are_retried_a_bounded_number_of_times() {
        let p = RetryPolicy {
            retries: 3,
            first_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(2),
        };
        let mut calls = 0;
        let mut notices = Vec::new();
        let r: Result<(), _> = p.run(
            &mut (),
            &|| false,
            |_, _| {
                calls += 1;
                Err(Failure::Transient(Transient::Status {
                    status: 503,
                    text: "busy".into(),
                }))
            },
            |_, n| notices.push((n.retry, n.of)),
        );
        assert_eq!(calls, 4);
        assert_eq!(notices, [(1, 3), (2, 3), (3, 3)]);
        match r {
            Err(UploadError::Server {
                status: 503,
                attempts: 4,
                ..
            }) => {}
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn fatal_failures_stop_at_once() {
        let p = RetryPolicy::default();
        let mut calls = 0;
        let r: Result<(), _> = p.run(
            &mut (),
            &|| false,
            |_, _| {
                calls += 1;
                Err(Failure::Fatal(UploadError::Auth { status: 401 }))
            },
            |_, _| panic!("no retry after a fatal failure"),
        );
        assert_eq!(calls, 1);
        assert!(matches!(r, Err(UploadError::Auth { status: 401 })));
    }

    #[test]
    fn success_after_a_retry() {
        let p = RetryPolicy {
            retries: 2,
            first_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(1),
        };
        let r = p.run(
            &mut (),
            &|| false,
            |_, attempt| {
                if attempt == 0 {
                    Err(Failure::Transient(Transient::Network("reset".into())))
                } else {
                    Ok(attempt)
                }
            },
            |_, _| {},
        );
        assert_eq!(r.unwrap(), 1);
    }

    #[test]
    fn a_cancel_ends_a_long_backoff_at_once() {
        let p = RetryPolicy {
            retries: 8,
            first_delay: Duration::from_secs(30),
            max_delay: Duration::from_secs(30),
        };
        let cancel = std::sync::atomic::AtomicBool::new(false);
        let t0 = std::time::Instant::now();
        let r: Result<(), _> = p.run(
            &mut (),
            &|| {
                // The user presses Ctrl-C a quarter of a second into the first wait.
                if t0.elapsed() > Duration::from_millis(250) {
                    cancel.store(true, std::sync::atomic::Ordering::Relaxed);
                }
                cancel.load(std::sync::atomic::Ordering::Relaxed)
            },
            |_, _| {
                Err(Failure::Transient(Transient::Status {
                    status: 503,
                    text: "busy".into(),
                }))
            },
            |_, _| {},
        );
        assert!(matches!(r, Err(UploadError::Cancelled)), "{r:?}");
        assert!(t0.elapsed() < Duration::from_secs(1), "{:?}", t0.elapsed());
    }
}
