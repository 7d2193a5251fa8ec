//! The last screen: uploaded (with the SHA-256 to give support), saved (why, and what to do),
//! cancelled or failed; and the exit code each stands for.

use cmgelog::flow::{BrokenConfig, End, SaveCause};
use cmgelog::messages::Messages;

/// Exit codes: 0 uploaded, or not uploaded by choice; 2 broken `cmgelog.toml`; 3 no zip could
/// be written; 4 cancelled before collecting; 5 the upload failed; 130 the upload was
/// cancelled (the zip is kept in every case after 3).
pub fn show(end: &End, msg: &Messages) -> u8 {
    match end {
        End::Uploaded { sha256, location, .. } => {
            eprintln!("\n{}", msg.fill("uploaded", &[("sha256", sha256)]));
            eprintln!("{}", msg.fill("upload-where", &[("url", location)]));
            0
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
                SaveCause::Skipped => 0,
                SaveCause::Cancelled => 130,
                SaveCause::Failed => 5,
            }
        }
        End::Cancelled { message } => {
            eprintln!("\n{message}");
            4
        }
        End::Failed { reason } => {
            eprintln!("\n{}", msg.fill("collect-failed", &[("error", reason)]));
            3
        }
        End::RestartedElevated => 0,
    }
}

pub fn broken_config(b: &BrokenConfig) -> u8 {
    eprintln!("{}\n\n{}", b.summary, b.details.trim_end());
    2
}
