//! The parallel runner: a rayon pool of `jobs` threads does the work, results go over a
//! bounded channel to the one thread that writes them (the caller's), in the order they
//! finish. The channel is bounded so that a slow writer holds back the workers instead of
//! letting results pile up: memory stays flat however many items there are.

use rayon::prelude::*;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;

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
}
