//! Upload speed and time left, measured over the last few seconds so that a stall shows
//! quickly and a burst does not promise too much.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// Samples older than this are forgotten.
const WINDOW: Duration = Duration::from_secs(5);
/// Below this span of samples there is nothing sensible to say yet.
const MIN_SPAN: Duration = Duration::from_millis(500);

#[derive(Debug, Default)]
pub struct Rate {
    samples: VecDeque<(Instant, u64)>,
}

impl Rate {
    /// Records that `done` bytes were sent by `at`. Going back (a retry resends) starts over.
    pub fn record(&mut self, at: Instant, done: u64) {
        if self.samples.back().is_some_and(|&(_, d)| done < d) {
            self.samples.clear();
        }
        self.samples.push_back((at, done));
        while self.samples.len() > 2 && self.samples.front().is_some_and(|&(t, _)| at - t > WINDOW) {
            self.samples.pop_front();
        }
    }

    /// Bytes per second over the window.
    pub fn bytes_per_sec(&self) -> Option<f64> {
        let (&(t0, d0), &(t1, d1)) = (self.samples.front()?, self.samples.back()?);
        let span = t1 - t0;
        (span >= MIN_SPAN).then(|| (d1 - d0) as f64 / span.as_secs_f64())
    }

    /// The time the rest takes at the current speed (none while nothing moves).
    pub fn time_left(&self, done: u64, total: u64) -> Option<Duration> {
        let speed = self.bytes_per_sec().filter(|&s| s > 0.0)?;
        Some(Duration::from_secs_f64(total.saturating_sub(done) as f64 / speed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn speed_and_time_left_over_the_window() {
        let t = Instant::now();
        let mut r = Rate::default();
        r.record(t, 0);
        assert_eq!(r.bytes_per_sec(), None, "one sample says nothing");
        r.record(t + Duration::from_secs(1), 1000);
        r.record(t + Duration::from_secs(2), 2000);
        assert_eq!(r.bytes_per_sec(), Some(1000.0));
        assert_eq!(r.time_left(2000, 10_000), Some(Duration::from_secs(8)));
        // A retry that goes back starts the measurement over.
        r.record(t + Duration::from_secs(3), 500);
        assert_eq!(r.bytes_per_sec(), None);
        // Old samples leave the window: the speed is the recent one.
        let mut r = Rate::default();
        r.record(t, 0);
        r.record(t + Duration::from_secs(1), 100_000);
        for s in 2..=10 {
            r.record(t + Duration::from_secs(s), 100_000 + (s - 1) * 10);
        }
        assert!(r.bytes_per_sec().unwrap() < 20.0, "{:?}", r.bytes_per_sec());
    }
}
