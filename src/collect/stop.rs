//! When an item must stop: its own timeout, the run's global deadline, or the user's Ctrl-C.

use super::manifest::Status;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopReason {
    Timeout(Duration),
    Deadline,
    Cancelled,
}

impl StopReason {
    /// The manifest status and reason of an item stopped for this reason.
    pub fn status(self) -> (Status, String) {
        match self {
            StopReason::Timeout(t) => (Status::Timeout, format!("timeout after {} s", t.as_secs())),
            StopReason::Deadline => (Status::Interrupted, "deadline".into()),
            StopReason::Cancelled => (Status::Interrupted, "interrupted".into()),
        }
    }
}

/// The limits one item runs under.
#[derive(Debug, Clone, Copy)]
pub struct Stop<'a> {
    pub started: Instant,
    pub timeout: Duration,
    pub deadline: Instant,
    pub cancel: &'a AtomicBool,
}

impl Stop<'_> {
    /// Why the item must stop now, if it must.
    pub fn check(&self) -> Option<StopReason> {
        let now = Instant::now();
        if self.cancel.load(Ordering::Relaxed) {
            Some(StopReason::Cancelled)
        } else if now >= self.deadline {
            Some(StopReason::Deadline)
        } else if now >= self.started + self.timeout {
            Some(StopReason::Timeout(self.timeout))
        } else {
            None
        }
    }

    /// The moment the item must stop at the latest (cancellation aside).
    pub fn until(&self) -> Instant {
        (self.started + self.timeout).min(self.deadline)
    }
}
