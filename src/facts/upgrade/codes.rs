//! Error codes in log lines, and their tally per log.
//!
//! What counts as a code (checked against every real log in tests/fixtures):
//! - `0x` + exactly 8 hex digits, not glued to a longer word: `Result = 0x80070490`,
//!   `hr = 0x800401f0`, `[0x80072EE7]`, `(hr:0x800f0922)`. Normalised to `0x80070490`.
//! - Bare 8 hex digits where the tools print them without `0x`: `*FAILED* [80240013]`
//!   (Windows Update), `HRESULT=800F0922` (DISM), `Status: c000000f` (the BCD lines in setup
//!   logs), `ErrorCode: 800106d9` (CSI advanced-installer summaries).
//! - Setup's extend code right after a result code, `0xC1900101 - 0x20017` or
//!   `0x800736cc-0x20003` (upgrade-error-codes.md; SetupDiag's output): 1 to 6 hex digits,
//!   kept as `extended`.
//!
//! Not codes: `[gle=0x00000002]` (GetLastError at logging time, often stale: `Result =
//! 0x80070002[gle=0x00000003]`) is kept apart and only used when a line has nothing else;
//! 0x00000000 (success); short values (`error = 0x5`, `flags: 0x2`); the `[0x0601c1]`
//! message id of the level column (6 digits, not part of the message anyway). What else may be
//! dropped depends on the log ([`CodeFilter`]).

use std::collections::HashMap;

use crate::bundle::Document;
use crate::knowledge::{CodeLines, Form};

use crate::facts::model::{CodeSeen, Source};

/// A code found in a line.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FoundCode {
    pub code: u32,
    pub extended: Option<String>,
}

impl FoundCode {
    pub fn code_text(&self) -> String {
        format_code(self.code)
    }
}

/// The codes of one line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineCodes {
    /// Distinct codes, in order of appearance.
    pub codes: Vec<FoundCode>,
    /// The first `[gle=0x...]` value, when it is not zero.
    pub gle: Option<u32>,
}

impl LineCodes {
    /// The code that stands for the line: the first one with an extend code, else the first
    /// one, else the GetLastError value.
    pub fn main(&self) -> Option<FoundCode> {
        self.codes
            .iter()
            .find(|c| c.extended.is_some())
            .or(self.codes.first())
            .cloned()
            .or(self.gle.map(|code| FoundCode { code, extended: None }))
    }
}

/// Which values a log's codes may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeFilter {
    /// Setup, CBS and DISM logs: failure HRESULTs and NTSTATUS values (high bit set) and plain
    /// Win32 error numbers (below 0x10000, `0x00000490`). Values in between are disk offsets,
    /// sizes and pass states (`0x1f400000`, `0x002c1000`). A flag word below 0x10000 still
    /// passes (`OOBE STARTUP FLAGS: [0x00000020]`): it cannot be told from a Win32 error.
    Setup,
    /// Windows Update: only failure HRESULTs; its other `0x` values are flags and counters.
    FailureOnly,
}

impl CodeFilter {
    pub(crate) fn keeps(self, code: u32) -> bool {
        // Microsoft never sets the customer bit in its HRESULT and NTSTATUS values (MS-ERREF
        // 2.1, 2.3): a value with it is a disk signature (`0xFBBC5AB5`) or an exit state
        // (`0xfffd0000`), not an error code.
        let customer = code & 0x2000_0000 != 0;
        match self {
            CodeFilter::Setup => code != 0 && !customer && !(0x1_0000..0x8000_0000).contains(&code),
            CodeFilter::FailureOnly => code >= 0x8000_0000 && !customer,
        }
    }
}

/// `0x80070490`, as the knowledge base writes codes.
pub fn format_code(code: u32) -> String {
    crate::knowledge::Code(code).to_string()
}

/// The lines of `doc` that may hold a code (see [`CodeLines`]); a line it rules out scans to
/// nothing, so a caller reading the lines in order skips [`scan`] for it.
pub fn starts(doc: &Document) -> CodeLines<'_> {
    CodeLines::new(
        doc.text.as_ref().map_or("", |t| t.text.as_str()),
        doc.code_line_starts(),
    )
}

/// The codes in one line of text, read by the one recogniser ([`crate::knowledge::find_codes`])
/// and kept by `filter`.
pub fn scan(text: &str, filter: CodeFilter) -> LineCodes {
    let mut out = LineCodes::default();
    if !crate::knowledge::might_hold_a_code(text) {
        return out;
    }
    for c in crate::knowledge::find_codes(text) {
        if c.form == Form::Gle {
            if out.gle.is_none() && c.code.0 != 0 {
                out.gle = Some(c.code.0);
            }
        } else {
            let extended = c.extend.map(|e| e.to_string());
            out.push(
                filter,
                FoundCode {
                    code: c.code.0,
                    extended,
                },
            );
        }
    }
    out
}

impl LineCodes {
    fn push(&mut self, filter: CodeFilter, found: FoundCode) {
        if filter.keeps(found.code) && !self.codes.contains(&found) {
            self.codes.push(found);
        }
    }
}

/// The codes of one log: counts, components, first and last line.
#[derive(Debug, Default)]
pub struct CodeTally {
    seen: Vec<CodeSeen>,
    index: HashMap<FoundCode, usize>,
}

impl CodeTally {
    /// Records the codes of one line. `source` builds the line's [`Source`] (only called when
    /// the line has codes).
    pub fn add(&mut self, codes: &LineCodes, component: &str, source: impl Fn() -> Source) {
        for found in &codes.codes {
            match self.index.get(found) {
                Some(&i) => {
                    let seen = &mut self.seen[i];
                    seen.count += 1;
                    seen.last = source();
                    if !seen.components.iter().any(|c| c == component) {
                        seen.components.push(component.to_string());
                    }
                }
                None => {
                    self.index.insert(found.clone(), self.seen.len());
                    let src = source();
                    self.seen.push(CodeSeen {
                        code: found.code_text(),
                        extended: found.extended.clone(),
                        count: 1,
                        components: vec![component.to_string()],
                        first: src.clone(),
                        last: src,
                    });
                }
            }
        }
    }

    pub fn into_codes(self) -> Vec<CodeSeen> {
        self.seen
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(text: &str) -> Vec<(String, Option<String>)> {
        scan(text, CodeFilter::Setup)
            .codes
            .into_iter()
            .map(|c| (c.code_text(), c.extended))
            .collect()
    }

    fn plain(code: &str) -> (String, Option<String>) {
        (code.to_string(), None)
    }

    #[test]
    fn result_codes_are_normalised() {
        assert_eq!(
            codes("CSetupHost::Execute(433): Result = 0x800704C7"),
            [plain("0x800704C7")]
        );
        assert_eq!(
            codes("SppDeleteSnapshots failed. hr = 0x800401f0"),
            [plain("0x800401F0")]
        );
        assert_eq!(
            codes("OneSettings initialization failed: [0x80072EE7]"),
            [plain("0x80072EE7")]
        );
        assert_eq!(codes("ExecuteCmdLine(hr:0x800f080c)"), [plain("0x800F080C")]);
        // The same code twice on one line counts once.
        assert_eq!(
            codes("Session finalized [HRESULT = 0x800f0922 - CBS_E_INSTALLERS_FAILED] status: 0x800f0922"),
            [plain("0x800F0922")]
        );
    }

    #[test]
    fn extend_codes_are_kept() {
        let ext = |c: &str, e: &str| (c.to_string(), Some(e.to_string()));
        assert_eq!(
            codes("failed with 0xC1900101 - 0x20017."),
            [ext("0xC1900101", "0x20017")]
        );
        assert_eq!(codes("error 0xC1900101-0x4000D"), [ext("0xC1900101", "0x4000D")]);
        assert_eq!(
            codes("0x800736cc-0x20003 Error: SetupDiag reports"),
            [ext("0x800736CC", "0x20003")]
        );
        // A symbolic name after the dash is not an extend code.
        assert_eq!(codes("[HRESULT = 0x80070490 - ERROR_NOT_FOUND]"), [plain("0x80070490")]);
    }

    #[test]
    fn gle_is_kept_apart() {
        let l = scan("Result = 0x80070002[gle=0x00000003]", CodeFilter::Setup);
        assert_eq!(
            l.codes,
            [FoundCode {
                code: 0x8007_0002,
                extended: None
            }]
        );
        assert_eq!(l.gle, Some(3));
        let l = scan("Last Error = 0x3[gle=0x00000003]", CodeFilter::Setup);
        assert!(l.codes.is_empty());
        assert_eq!(
            l.main(),
            Some(FoundCode {
                code: 3,
                extended: None
            })
        );
    }

    #[test]
    fn bare_codes_after_known_prefixes() {
        assert_eq!(
            codes("*FAILED* [8024000C] LoadHistoryEventFromRegistry completed"),
            [plain("0x8024000C")]
        );
        assert_eq!(
            codes("processed the command line but failed. HRESULT=800F0922"),
            [plain("0x800F0922")]
        );
        assert_eq!(
            codes("BCD: Failed to add system store from file. Status: c000000f[gle=0x00000002]"),
            [plain("0xC000000F")]
        );
        assert_eq!(
            codes("Binary Name: NetSetupAI.dll\tErrorCode: 800106d9\tPhase: 31"),
            [plain("0x800106D9")]
        );
        // Any other 8 hex digits are not a code: GUIDs, session ids, timestamps.
        assert!(codes("Session: 30429148_986313153 initialized, id 0123abcd").is_empty());
    }

    #[test]
    fn values_that_are_not_codes() {
        assert!(codes("Gather failed. Last error: 0x00000000").is_empty());
        assert!(codes("SetFirmwareEnvironmentVariableW() error = 0x5").is_empty());
        assert!(codes("Exiting 'specialize' pass with status 0x002c1000").is_empty());
        assert!(codes("DiskInfo:    Offset (bytes) [524288000 / 0x1f400000]").is_empty());
        assert!(codes("DiskInfo:  Disk signature [0xFBBC5AB5]").is_empty());
        assert!(codes("[SETUPUGC.EXE] Process returned with exit code 0xfffd0000").is_empty());
        assert!(codes("stack @0x7ffd497360e5 @0x7ffd49be2e53").is_empty());
        assert!(codes("value 0x800704C7AB and x0x80070002").is_empty());
        assert_eq!(
            codes("Failed to check OS architecture. 0x00000490[gle=0x00000002]"),
            [plain("0x00000490")]
        );
        let wu = scan("returned hr = 0x80248007, flags 0x00000080", CodeFilter::FailureOnly);
        assert_eq!(
            wu.codes,
            [FoundCode {
                code: 0x8024_8007,
                extended: None
            }]
        );
    }
}
