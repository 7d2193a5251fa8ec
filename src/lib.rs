//! cmgelog: collects and analyses CMGE activation and upgrade logs.
//!
//! The pipeline, one module per stage: [`bundle`] (inputs → entries → decoded text) →
//! [`facts`] (the source formats, one file each in one list: entries → recognised documents →
//! the machine model; [`events`] reads the event logs among them) → [`rules`] (documents +
//! machine → findings) →
//! [`report`] (findings → text, JSON, Markdown, HTML). [`analysis`] runs the stages for one machine;
//! the CLI in `main.rs` glues options to them.
//! [`upload`] sends a bundle to the support portal (tus, resumable; or one multipart POST).
//! [`knowledge`] holds what error codes mean and what to do about them (`cmgelog explain`).
//! [`flow`] is the end user's collect-and-upload flow as a state machine the window and the
//! terminal wizard both drive.
//! [`rules_test`] runs every rule on its fixtures through the whole pipeline (`rules test`).
//! [`batch`] runs the analysis over many bundles in parallel (records, summary, SQLite index,
//! `find`); [`fingerprint`] is the hardware identity activation binds to, its hash and diff.
//! [`exit_code`] lists every command's exit codes (the source of `--help` and docs/exit-codes.md).

/// A file under `tests/fixtures/`, as bytes compiled into the unit tests:
/// `fixture!("dmidecode/Dell_PowerEdge-R640.txt")`. The one way unit tests reach fixtures
/// (defined before the modules, so every module sees it).
#[cfg(test)]
macro_rules! fixture {
    ($path:literal) => {
        include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/", $path))
    };
}

pub mod analysis;
pub mod batch;
pub mod bundle;
pub mod collect;
pub mod config;
pub mod config_check;
pub mod digest;
pub mod events;
pub mod exit_code;
pub mod facts;
pub mod fingerprint;
pub mod flow;
pub mod i18n;
pub mod knowledge;
pub mod messages;
pub mod privacy;
pub mod report;
pub mod rules;
pub mod rules_test;
pub mod serve;
pub mod toml_check;
pub mod upload;
pub mod watch;
