//! The batch progress bar: bundles done, rate and ETA, on stderr, only when stderr is a
//! terminal (nothing at all in pipes, CI logs and files).

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;

pub fn bar(total: u64) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} bundles  {per_sec}  ETA {eta}  {wide_msg}") {
        bar.set_style(style);
    }
    bar
}
