//! The parallel runner: a rayon pool of `jobs` threads does the work, results go over a
//! bounded channel to the one thread that writes them (the caller's), in the order they
//! finish. The channel is bounded so that a slow writer holds back the workers instead of
//! letting results pile up: memory stays flat however many items there are.
//!
//! [`run_ordered`] writes in input order instead: results that finish early wait in a reorder
//! buffer, and a worker starts item `i` only when `i` is within a window of `jobs * 4` items
//! of the next one to write, so the buffer never holds more than the window, however slow one
//! item is.

use rayon::prelude::*;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{mpsc, Condvar, Mutex};

/// Items started ahead of the next one to write, per worker thread (`run_ordered`).
const WINDOW_PER_THREAD: usize = 4;

/// Runs `work` on every item on a pool of `jobs` threads (0: one per core) and hands each
/// result to `write` on the calling thread as soon as it is ready. `write` returns false to
/// stop (the output was closed): items not yet started are then skipped.
pub fn run_parallel<I, R>(
    items: &[I],
    jobs: usize,
    work: impl Fn(&I) -> R + Sync,
    mut write: impl FnMut(R) -> bool,
) -> Result<(), rayon::ThreadPoolBuildError>
where
    I: Sync,
    R: Send,
{
    let pool = rayon::ThreadPoolBuilder::new().num_threads(jobs).build()?;
    let (tx, rx) = mpsc::sync_channel::<R>(pool.current_num_threads() * 2);
    let stop = AtomicBool::new(false);
    std::thread::scope(|s| {
        let (work, stop) = (&work, &stop);
        s.spawn(move || {
            pool.install(|| {
                items.par_iter().for_each_with(tx, |tx, item| {
                    if stop.load(Ordering::Relaxed) {
                        return;
                    }
                    // The receiver is gone only after `write` asked to stop.
                    let _ = tx.send(work(item));
                })
            })
        });
        for r in rx.iter() {
            if !write(r) {
                stop.store(true, Ordering::Relaxed);
                break;
            }
        }
        // Dropping the receiver here unblocks workers waiting to send.
        drop(rx);
    });
    Ok(())
}

/// Like [`run_parallel`], but `write` gets the results in the order of `items`. At most
/// `threads * WINDOW_PER_THREAD` results wait for an earlier one (see the module's
/// documentation).
pub fn run_ordered<I, R>(
    items: &[I],
    jobs: usize,
    work: impl Fn(&I) -> R + Sync,
    mut write: impl FnMut(R) -> bool,
) -> Result<(), rayon::ThreadPoolBuildError>
where
    I: Sync,
    R: Send,
{
    let pool = rayon::ThreadPoolBuilder::new().num_threads(jobs).build()?;
    let threads = pool.current_num_threads();
    let window = threads * WINDOW_PER_THREAD;
    let next_item = AtomicUsize::new(0);
    // The index of the next result to write; workers wait on it to move their window.
    let written = Mutex::new(0usize);
    let moved = Condvar::new();
    let stop = AtomicBool::new(false);
    let (tx, rx) = mpsc::channel::<(usize, R)>();
    std::thread::scope(|s| {
        let (work, stop, next_item, written, moved) = (&work, &stop, &next_item, &written, &moved);
        s.spawn(move || {
            pool.scope(|scope| {
                for _ in 0..threads {
                    let tx = tx.clone();
                    scope.spawn(move |_| loop {
                        let i = next_item.fetch_add(1, Ordering::SeqCst);
                        if i >= items.len() {
                            return;
                        }
                        {
                            let mut w = written.lock().unwrap_or_else(|e| e.into_inner());
                            while i >= *w + window && !stop.load(Ordering::SeqCst) {
                                w = moved.wait(w).unwrap_or_else(|e| e.into_inner());
                            }
                        }
                        if stop.load(Ordering::SeqCst) || tx.send((i, work(&items[i]))).is_err() {
                            return;
                        }
                    });
                }
                drop(tx);
            })
        });
        let mut waiting: BTreeMap<usize, R> = BTreeMap::new();
        let mut next = 0usize;
        'receive: for (i, r) in rx.iter() {
            waiting.insert(i, r);
            debug_assert!(waiting.len() <= window);
            while let Some(r) = waiting.remove(&next) {
                next += 1;
                if !write(r) {
                    let _held = written.lock().unwrap_or_else(|e| e.into_inner());
                    stop.store(true, Ordering::SeqCst);
                    break 'receive;
                }
            }
            *written.lock().unwrap_or_else(|e| e.into_inner()) = next;
            moved.notify_all();
        }
        // Wake the workers waiting for the window: set under the lock, so that no worker is
        // between its check of `stop` and its wait.
        if stop.load(Ordering::SeqCst) {
            let _held = written.lock().unwrap_or_else(|e| e.into_inner());
            moved.notify_all();
        }
        drop(rx);
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_item_is_written_once() {
        let items: Vec<u32> = (0..1000).collect();
        let mut seen = Vec::new();
        run_parallel(
            &items,
            4,
            |i| i * 2,
            |r| {
                seen.push(r);
                true
            },
        )
        .unwrap();
        seen.sort_unstable();
        assert_eq!(seen, items.iter().map(|i| i * 2).collect::<Vec<_>>());
    }

    #[test]
    fn writer_can_stop_early() {
        let items: Vec<u32> = (0..10_000).collect();
        let mut n = 0;
        run_parallel(
            &items,
            2,
            |i| *i,
            |_| {
                n += 1;
                n < 5
            },
        )
        .unwrap();
        assert_eq!(n, 5);
    }

    #[test]
    fn ordered_results_come_in_input_order_with_a_bounded_buffer() {
        let items: Vec<u64> = (0..300).collect();
        let started = AtomicUsize::new(0);
        let mut seen = Vec::new();
        let mut most_ahead = 0;
        run_ordered(
            &items,
            3,
            |i| {
                started.fetch_add(1, Ordering::SeqCst);
                // Uneven work, so later items often finish first.
                std::thread::sleep(std::time::Duration::from_micros((i * 7919) % 500));
                *i
            },
            |r| {
                seen.push(r);
                most_ahead = most_ahead.max(started.load(Ordering::SeqCst) - seen.len());
                true
            },
        )
        .unwrap();
        assert_eq!(seen, items);
        assert!(
            most_ahead <= 3 * WINDOW_PER_THREAD,
            "{most_ahead} started ahead of the writer"
        );
    }

    #[test]
    fn ordered_writer_can_stop_early() {
        let items: Vec<u32> = (0..10_000).collect();
        let mut seen = Vec::new();
        run_ordered(
            &items,
            2,
            |i| *i,
            |r| {
                seen.push(r);
                seen.len() < 5
            },
        )
        .unwrap();
        assert_eq!(seen, [0, 1, 2, 3, 4]);
    }
}
