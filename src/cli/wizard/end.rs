//! The last screen: uploaded (with the SHA-256 to give support), saved (why, and what to do),
//! cancelled or failed; and the exit code each stands for.

use cmgelog::exit_code::CollectExit;
use cmgelog::flow::{BrokenConfig, End, SaveCause};
use cmgelog::messages::Messages;

/// Exit codes: [`CollectExit`], as `collect` and the window (a failed upload is `UploadFailed`
/// in all three; the zip is kept in every case after `NoZip`).
pub fn show(end: &End, msg: &Messages) -> CollectExit {
    match end {
        End::Uploaded { sha256, location, .. } => {
            eprintln!("\n{}", msg.fill("uploaded", &[("sha256", sha256)]));
            eprintln!("{}", msg.fill("upload-where", &[("url", location)]));
            CollectExit::Done
        }
        End::Saved {
            cause,
            reason,
            what_to_do,
            ..
        } => {
            eprintln!();
            match cause {
                SaveCause::Skipped => {}
                SaveCause::Cancelled => eprintln!("{}", msg.get("end-cancelled")),
                SaveCause::Failed => eprintln!("{}", msg.fill("end-failed", &[("reason", reason)])),
            }
            eprintln!("{what_to_do}");
            match cause {
                SaveCause::Skipped => CollectExit::Done,
                SaveCause::Cancelled => CollectExit::Interrupted,
                SaveCause::Failed => CollectExit::UploadFailed,
            }
        }
        End::Cancelled { message } => {
            eprintln!("\n{message}");
            CollectExit::Declined
        }
        End::Failed { reason } => {
            eprintln!("\n{}", msg.fill("collect-failed", &[("error", reason)]));
            CollectExit::NoZip
        }
        End::RestartedElevated => CollectExit::Done,
    }
}

pub fn broken_config(b: &BrokenConfig) -> CollectExit {
    eprintln!("{}\n\n{}", b.summary, b.details.trim_end());
    CollectExit::CannotStart
}
