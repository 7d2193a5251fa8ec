//! The decisive error of a setup (or CBS/DISM) log: the entry an engineer starts from.
//!
//! Microsoft's procedure (log-files.md, "Analyze log files"): take setup's result code, find
//! its last occurrence, look at what failed just before it, and search for "Shell application
//! requested abort" and "Abandoning apply due to error for object". Its worked example blames
//! the first error of the failing block (`0x00000570`, a corrupt file), not the final result
//! (`0x8007042B`). SetupDiag (setupdiag.md) does the same with rules per failure family and
//! reports the result with its extend code (`Error: 0x8007001F - 0x50015`) plus the log line
//! it rests on. Without SetupDiag's rules.xml we keep to what the logs themselves say, in
//! this order:
//!
//! 1. **Extended result** ([`DecisiveBasis::ExtendedResult`]): the last entry whose code
//!    carries an extend code (`0xC1900101 - 0x20017`). That is the result setup returned,
//!    with the phase and operation of the failure (upgrade-error-codes.md).
//! 2. **Before the failure marker** ([`DecisiveBasis::BeforeFailureMarker`]): find the first
//!    failure marker: a message with "Shell application requested abort", "Abandoning apply due
//!    to error", "Execution of operations queue failed, abandoning" (all from log-files.md), a
//!    phase change to `[SetupPhaseError]` (real samsung log, line 251), a `Fatal Error` entry,
//!    or the rollback result 0xC1900101 ("generic and indicates that a rollback occurred",
//!    upgrade-error-codes.md). The decisive error is the last `Error`/`Fatal Error` entry with a
//!    code before it, skipping known noise (below). With none, the marker itself
//!    ([`DecisiveBasis::FailureMarker`]).
//! 3. **Last error** ([`DecisiveBasis::LastError`]): no marker, so the log does not show that
//!    setup failed; report the last `Error` entry with a code that is not known noise, and say
//!    so in the reason.
//!
//! An entry's code is its first code with an extend code, else its first code, else its
//! `[gle=...]` value (SetupDiag reports `Err = 0x00000057` from a line whose only code is a
//! gle, setupdiag.md's XML sample).
//!
//! Known noise: errors that setup logs and then carries on from. Microsoft names none; each
//! entry below was seen in a real log in tests/fixtures/setup, followed by normal progress.
//! Messages that say they were tolerated ("assuming ...", "... ignored") are noise too.
//! Rollback wording other than the markers above ("Rollback started"...) is not used: no real
//! log with a rollback was available to confirm it.

use super::codes::{FoundCode, LineCodes};
use super::line::PantherLine;
use crate::bundle::Document;
use crate::facts::model::{DecisiveBasis, DecisiveError, Source};
use aho_corasick::AhoCorasick;
use std::sync::LazyLock;

/// Markers that setup gave up, matched case-insensitively in the message.
const FAILURE_MARKERS: &[&str] = &[
    "shell application requested abort",
    "abandoning apply due to error",
    "execution of operations queue failed, abandoning",
    "-> [setupphaseerror]",
];

/// The rollback result code.
const ROLLBACK: u32 = 0xC190_0101;

/// Errors setup logs and carries on from (message text, and the code when only that code is
/// noise). Case-insensitive.
const NOISE: &[(&str, Option<u32>)] = &[
    // Online settings and compat data that setup fetches; offline machines always log these
    // (VitalSkib setuperr, 15:45:59 and 15:46:04, setup continues).
    ("OneSettings", None),
    ("Failed to get NetworkCostType", None),
    ("Failed to retrieve Sqm DeviceId", None),
    ("Failed to get settings from endpoint", None),
    ("Unable to GetSettings", None),
    // Read at the start of every SetupHost session (VitalSkib setuperr, 15:45:59 and 17:01:32).
    ("GetWuIdFromRegistry", None),
    // Telemetry about the install channel (VitalSkib setuperr, 15:46:00).
    ("ReportDownlevelInstallChannel", None),
    ("to telemetry", None),
    // Features on demand and language packages absent from the media (VitalSkib setuperr,
    // 56 lines at 16:00:06 and 16:00:14, setup continues).
    ("Failed to resolve package", Some(0x8007_0490)),
    // UI language lookup at start-up (samsung setupact line 34, setup continues).
    ("GetDefaultLanguage", None),
    // Setup looking for SetupDiag.exe after it already failed (samsung setupact lines 390-391).
    ("Diagnostic tool does not exist", None),
    ("ExecuteDiagnosticAnalysis", None),
    // The message says the failure was tolerated.
    ("assuming", None),
    ("ignored", None),
];

/// One entry that may become the decisive error; it borrows the log's text (most candidates
/// are replaced by a later one, so nothing is copied until the search ends).
#[derive(Debug, Clone)]
struct Candidate<'a> {
    line: usize,
    text: &'a str,
    entry: PantherLine<'a>,
    code: Option<FoundCode>,
}

impl<'a> Candidate<'a> {
    fn new(n: usize, text: &'a str, entry: &PantherLine<'a>, code: Option<FoundCode>) -> Candidate<'a> {
        Candidate {
            line: n,
            text,
            entry: *entry,
            code,
        }
    }

    fn into_error(self, doc: &Document, basis: DecisiveBasis, reason: String) -> DecisiveError {
        DecisiveError {
            code: self.code.as_ref().map(FoundCode::code_text),
            extended: self.code.and_then(|c| c.extended),
            time: Some(self.entry.time.to_string()),
            level: self.entry.level.to_string(),
            component: self.entry.component.to_string(),
            message: self.entry.message.to_string(),
            basis,
            reason,
            source: Source::at(doc, self.line, self.text),
        }
    }
}

/// The search, fed one entry at a time so that no log is kept in memory.
#[derive(Debug, Default)]
pub(super) struct DecisiveSearch<'a> {
    last_extended: Option<Candidate<'a>>,
    last_error: Option<Candidate<'a>>,
    marker: Option<Candidate<'a>>,
    before_marker: Option<Candidate<'a>>,
}

impl<'a> DecisiveSearch<'a> {
    /// Looks at entry `entry` on line `n` (whose text is `text`) with its codes.
    pub fn observe(&mut self, n: usize, text: &'a str, entry: &PantherLine<'a>, codes: &LineCodes) {
        let code = codes.main();
        if code.as_ref().is_some_and(|c| c.extended.is_some()) {
            self.last_extended = Some(Candidate::new(n, text, entry, code.clone()));
        }
        if self.marker.is_some() {
            return;
        }
        if is_marker(entry, codes) {
            self.marker = Some(Candidate::new(n, text, entry, code));
            self.before_marker = self.last_error.take();
        } else if entry.is_error() && code.as_ref().is_some_and(|c| !is_noise(entry.message, c.code)) {
            self.last_error = Some(Candidate::new(n, text, entry, code));
        }
    }

    /// The decisive error and the first failure marker.
    pub fn finish(self, doc: &Document) -> (Option<DecisiveError>, Option<Source>) {
        let marker_source = self.marker.as_ref().map(|m| Source::at(doc, m.line, m.text));
        if let Some(c) = self.last_extended {
            let reason = format!(
                "setup's result {} with extend code {} (phase and operation of the failure, \
                 upgrade-error-codes.md); the errors logged just before it say why",
                c.code.as_ref().map(FoundCode::code_text).unwrap_or_default(),
                c.code.as_ref().and_then(|f| f.extended.as_deref()).unwrap_or_default()
            );
            return (
                Some(c.into_error(doc, DecisiveBasis::ExtendedResult, reason)),
                marker_source,
            );
        }
        if let Some(marker) = self.marker {
            let marker_line = marker.line;
            let decisive = match self.before_marker {
                Some(c) => {
                    let reason = format!(
                        "last error with a code before the first failure marker (line {marker_line}: \"{}\"), \
                         read the way Microsoft's log-files.md reads setup logs",
                        excerpt(marker.entry.message)
                    );
                    c.into_error(doc, DecisiveBasis::BeforeFailureMarker, reason)
                }
                None => {
                    let reason = "the first failure marker; no error with a code comes before it".to_string();
                    marker.into_error(doc, DecisiveBasis::FailureMarker, reason)
                }
            };
            return (Some(decisive), marker_source);
        }
        let decisive = self.last_error.map(|c| {
            let reason = "no abort, SetupPhaseError, fatal or rollback marker in this log, so it does not show \
                          that setup failed; this is the last error with a code that is not known noise"
                .to_string();
            c.into_error(doc, DecisiveBasis::LastError, reason)
        });
        (decisive, None)
    }
}

/// The failure markers, found ignoring ASCII case in one pass (this runs on every line of
/// every setup log; lower-casing each message was a tenth of the upgrade extractors' time).
static MARKER_FINDER: LazyLock<AhoCorasick> = LazyLock::new(|| {
    AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build(FAILURE_MARKERS)
        .expect("a few literals compile")
});

fn is_marker(entry: &PantherLine, codes: &LineCodes) -> bool {
    entry.level.starts_with("Fatal")
        || MARKER_FINDER.is_match(entry.message)
        || codes.codes.iter().any(|c| c.code == ROLLBACK)
}

fn is_noise(message: &str, code: u32) -> bool {
    let message = message.to_ascii_lowercase();
    NOISE
        .iter()
        .any(|(text, only)| message.contains(&text.to_ascii_lowercase()) && only.is_none_or(|c| c == code))
}

/// The first 80 characters of a message, for a reason text.
fn excerpt(message: &str) -> String {
    let mut out: String = message.chars().take(80).collect();
    if out.len() < message.len() {
        out.push_str("...");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::upgrade::codes::{scan, CodeFilter};
    use crate::facts::upgrade::line::parse;

    fn run(log: &str) -> (Option<DecisiveError>, Option<Source>) {
        let doc = Document::from_text("in", "setuperr.log", log);
        let mut search = DecisiveSearch::default();
        for (n, text) in log.lines().enumerate() {
            if let Some(entry) = parse(text) {
                search.observe(n + 1, text, &entry, &scan(text, CodeFilter::Setup));
            }
        }
        search.finish(&doc)
    }

    /// The setuperr.log of log-files.md's worked example, with the full date put back (the
    /// article shortens "2016-10-05 15:27:08" to "27:08"). Microsoft's own reading: setup
    /// failed on the corrupt file behind 0x00000570, not on the final 0x8007042B.
    #[test]
    fn microsoft_worked_example_blames_the_error_before_the_abort() {
        let log = "\
2016-10-05 15:27:08, Error                 SP     Error READ, 0x00000570 while gathering/applying object: File, C:\\ProgramData\\Microsoft\\Crypto\\RSA\\S-1-5-18 [CN]. Will return 0[gle=0x00000570]
2016-10-05 15:27:08, Error                 MIG    Error 1392 while gathering object C:\\ProgramData\\Microsoft\\Crypto\\RSA\\S-1-5-18 [CN]. Shell application requested abort![gle=0x00000570]
2016-10-05 15:27:08, Error                        Gather failed. Last error: 0x00000000
2016-10-05 15:27:08, Error                 SP     SPDoFrameworkGather: Gather operation failed. Error: 0x0000002C
2016-10-05 15:27:09, Error                 SP     CMigrateFramework: Gather framework failed. Status: 44
2016-10-05 15:27:09, Error                 SP     Operation failed: Migrate framework (Full). Error: 0x8007042B[gle=0x000000b7]
2016-10-05 15:27:09, Error                 SP     Operation execution failed: 13. hr = 0x8007042B[gle=0x000000b7]
2016-10-05 15:27:09, Error                 SP     CSetupPlatformPrivate::Execute: Execution of operations queue failed, abandoning. Error: 0x8007042B[gle=0x000000b7]
";
        let (d, marker) = run(log);
        let d = d.unwrap();
        assert_eq!(d.code.as_deref(), Some("0x00000570"));
        assert_eq!(d.basis, DecisiveBasis::BeforeFailureMarker);
        assert_eq!(d.source.line, Some(1));
        assert_eq!(marker.unwrap().line, Some(2));
    }

    #[test]
    fn a_marker_with_nothing_before_it_is_itself_decisive() {
        let log = "2026-01-01 10:00:00, Info                  MOUPG  start\n\
                   2026-01-01 10:00:01, Error                 MOUPG  CSetupManager::Execute(222): Result = 0xC1900101\n";
        let (d, marker) = run(log);
        let d = d.unwrap();
        assert_eq!(
            (d.code.as_deref(), d.basis),
            (Some("0xC1900101"), DecisiveBasis::FailureMarker)
        );
        assert_eq!(marker.unwrap().line, Some(2));
    }

    #[test]
    fn noise_is_skipped_without_a_marker() {
        let log = "\
2026-02-08 15:46:39, Error                 SP     Real problem: 0x80070005
2026-02-08 16:00:06, Error                 CBS    Failed to resolve package 'x' [HRESULT = 0x80070490 - ERROR_NOT_FOUND]
2026-02-08 17:01:32, Error                 MOUPG  CSetupManager::GetWuIdFromRegistry(13192): Result = 0x80070002[gle=0x00000003]
";
        let (d, marker) = run(log);
        let d = d.unwrap();
        assert_eq!(
            (d.code.as_deref(), d.basis),
            (Some("0x80070005"), DecisiveBasis::LastError)
        );
        assert!(marker.is_none());
    }
}
