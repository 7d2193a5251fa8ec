//! The collection screen: a progress bar with the items done, the time so far and the item
//! running now (the one started last that is still running, named by its category).

use cmgelog::flow::{Flow, Step};
use indicatif::{ProgressBar, ProgressStyle};
use std::time::Duration;

pub fn watch(flow: &mut Flow) {
    let msg = flow.messages();
    if let Step::Collecting(c) = flow.step() {
        eprintln!("{}", msg.fill("collecting", &[("deadline", &c.deadline_words)]));
    }
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{spinner} [{bar:30}] {pos}/{len} {elapsed_precise} {wide_msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.enable_steady_tick(Duration::from_millis(200));
    while let Step::Collecting(c) = flow.step() {
        bar.set_length(c.total as u64);
        bar.set_position(c.done as u64);
        let line = if c.cancelling {
            flow.messages().get("collect-cancelling").to_string()
        } else {
            c.running.last().cloned().unwrap_or_default()
        };
        bar.set_message(line);
        flow.wait(Duration::from_millis(100));
    }
    bar.finish_and_clear();
}
