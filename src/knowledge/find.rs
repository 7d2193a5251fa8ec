//! The one error-code recogniser: every consumer (rule code conditions, the upgrade logs'
//! tallies, the event filter's needles, `cmgelog explain`) reads codes through [`find_codes`],
//! so they agree on which codes a line holds.
//!
//! The forms, as logs write them (each kept as a [`Form`] so a caller can say how a code was
//! written):
//! - `0x` + exactly 8 hex digits, not glued to a word or a longer hex run: `hr = 0xc004f057`,
//!   `[HRESULT = 0x80070490 - ERROR_NOT_FOUND]`, `Result = 0xC1800108`. The same notation
//!   also carries sizes and addresses (`0x3a38b2e000`, `@0x7ffbc5a94519`), hence "exactly".
//!   A Windows Setup extend code may follow: `0xC1900101 - 0x20017`, `0x800736cc-0x20003`.
//! - `[gle=0x00000003]`: GetLastError at logging time, often stale (`Result =
//!   0x80070002[gle=0x00000003]`); recognised as [`Form::Gle`] so callers can put it last.
//! - Bare 8 hex digits after a label that says they are a code: `HRESULT=800F0922` (DISM),
//!   `hr=80070005`, `*FAILED* [80240013]` (Windows Update), `Status: c000000f` (BCD lines of
//!   setup logs), `ErrorCode: 800106d9` (CSI summaries), `error code 80070005`.
//! - A decimal right after `hr`, `hresult` or `error code` (signed as .NET prints an HRESULT:
//!   `hr = -1073418124`, or unsigned `HRESULT: 3221549172`). Decimals are everywhere in logs;
//!   without such a label a number is never a code, and one followed by `.` is a version.

use super::code::{Code, ExtendCode};
use regex::Regex;
use std::ops::Range;
use std::sync::LazyLock;

/// How a code was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Form {
    /// `0x80070005`.
    Hex,
    /// Eight hex digits without `0x` after a label: `HRESULT=800F0922`.
    LabelledHex,
    /// An unsigned decimal after a label: `HRESULT: 3221549172`, `error code 1168`.
    LabelledDecimal,
    /// A signed decimal after a label: `hr = -1073418124`.
    NegativeDecimal,
    /// `[gle=0x00000003]`.
    Gle,
}

/// A code found in a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundCode {
    pub code: Code,
    /// Where the code's text is in the line (the digits, with `0x` when written).
    pub range: Range<usize>,
    pub form: Form,
    /// A setup extend code written right after it (`0xC1900101 - 0x20017`).
    pub extend: Option<ExtendCode>,
}

/// A label, then (after optional white space and `=`, `:` or `[`) a number: 8 hex digits
/// (bare hex) or, after `hr`/`hresult`/`error code` only, a decimal.
static LABELLED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?:\b(hresult|hr|error ?code|status)\s*[=:]?|(\*failed\*)\s*\[)[ \t]*(-?[0-9a-f]{1,10})\b")
        .expect("literal regex")
});

/// Every code written in `line`, in order of position. The candidates are not filtered by
/// value: `0x00000000` and flag words (`dwProvFlags 0x00000080`) are returned too; callers keep
/// the codes they know ([`super::Knowledge::lookup`]) or the failures ([`Code::is_failure`]).
pub fn find_codes(line: &str) -> Vec<FoundCode> {
    let mut found = hex_codes(line);
    if might_hold_a_label(line) {
        for caps in LABELLED.captures_iter(line) {
            let Some(m) = caps.get(3) else { continue };
            let decimal_label = caps.get(1).is_some_and(|l| !l.as_str().eq_ignore_ascii_case("status"));
            // A number followed by `.` is a version or a fraction (`hr = 10.0.17763`).
            if line[m.end()..].starts_with('.') {
                continue;
            }
            let text = m.as_str();
            let code = if text.len() == 8 && text.bytes().all(|b| b.is_ascii_hexdigit()) {
                u32::from_str_radix(text, 16).ok().map(|v| (Code(v), Form::LabelledHex))
            } else if decimal_label && text.bytes().skip(1).all(|b| b.is_ascii_digit()) {
                decimal(text)
            } else {
                None
            };
            if let Some((code, form)) = code {
                found.push(FoundCode {
                    code,
                    range: m.range(),
                    form,
                    extend: None,
                });
            }
        }
    }
    found.sort_by_key(|c| c.range.start);
    found
}

/// The codes a line reports, as the analyzer counts them: every code but a `[gle=…]` value,
/// which stands for the line only when nothing else does (it is often stale). Codes are
/// distinct, in order of position.
pub fn line_codes(line: &str) -> Vec<FoundCode> {
    let mut all = find_codes(line);
    if all.iter().any(|c| c.form != Form::Gle) {
        all.retain(|c| c.form != Form::Gle);
    } else {
        all.truncate(1);
    }
    let mut out: Vec<FoundCode> = Vec::with_capacity(all.len());
    for c in all {
        if !out.iter().any(|o| o.code == c.code && o.extend == c.extend) {
            out.push(c);
        }
    }
    out
}

/// What every code [`find_codes`] finds starts with: `0x`, or a label (`hr`, `hresult`,
/// `error code`, `errorcode`, `status`, `*failed*`), looked for in two searches. Most lines
/// hold none of them, and a prefiltered search says so faster than a look at every byte. One
/// search of all of them (`(?i)0x|hr|error ?code|status|\*failed\*`, the tests' reference)
/// could only prefilter on their first two bytes (`0x` and `hr` have no more), so every `er`
/// and `st` was a candidate to check; apart, the long labels are looked for by their first
/// three (`err`, `sta`, `*fa`). The upgrade logs of 20 corpus bundles were read 2.6 times as
/// fast (`code_line_starts`: 26 → 10 ms), and the label check of their code lines twice as
/// fast (1.5 → 0.7 ms).
static SHORT_START: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?i)0x|hr").expect("a valid regex"));
static LONG_START: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)error ?code|status|\*failed\*").expect("a valid regex"));
/// The short label alone, to skip the labelled search on lines without one.
static HR_START: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?i)hr").expect("a valid regex"));

/// Whether `line` may hold a code: when this says no, [`find_codes`] finds none.
pub fn might_hold_a_code(line: &str) -> bool {
    SHORT_START.is_match(line) || LONG_START.is_match(line)
}

fn might_hold_a_label(line: &str) -> bool {
    HR_START.is_match(line) || LONG_START.is_match(line)
}

/// The first byte offset at or after `from` in `text` (any number of lines) at which
/// [`find_codes`] may find a code. A line holds a code only if it holds such a place, so a
/// caller can read those lines instead of every line, going on from the end of each line it
/// read (the other candidates of that line are then not searched for). A label must start a
/// word (as `LABELLED` says): the `hr` of `through` or `thread` is not one, and leaving those
/// out leaves few lines to read.
pub fn next_code_start(text: &str, from: usize) -> Option<usize> {
    [&SHORT_START, &LONG_START]
        .into_iter()
        .filter_map(|re| next_start_of(re, text, from))
        .min()
}

/// The first place at or after `from` where `re` finds a start that [`next_code_start`]
/// accepts. A search goes on from the end of a start it turns down; no start of either search
/// begins inside one turned down with a letter or a space before it (`0x` begins with a digit,
/// the labels with a letter or `*`, and none with the `r` of `hr` or the `c` of `code`), so the
/// two searches accept the places one search of all the starts would.
fn next_start_of(re: &Regex, text: &str, mut from: usize) -> Option<usize> {
    let b = text.as_bytes();
    while let Some(m) = re.find_at(text, from) {
        let i = m.start();
        // A byte of a non-ASCII character before the label is kept: whether that character
        // is a letter is for `find_codes` to say.
        if b[i] == b'0' || b[i] == b'*' || i == 0 || !is_word_byte(b[i - 1]) {
            return Some(i);
        }
        from = m.end();
    }
    None
}

/// The byte offsets of the lines of `text` that hold a place where a code may start
/// ([`next_code_start`]), in order: the only lines [`find_codes`] can find something in. Each
/// search goes once over the text: its next start is kept until the lines read pass it.
pub fn code_line_starts(text: &str) -> Vec<usize> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut next_line = 0;
    let searches = [&SHORT_START, &LONG_START];
    let mut next = searches.map(|re| next_start_of(re, text, 0));
    loop {
        for (re, at) in searches.iter().zip(next.iter_mut()) {
            if at.is_some_and(|a| a < next_line) {
                *at = next_start_of(re, text, next_line);
            }
        }
        let Some(at) = next.iter().flatten().copied().min() else {
            break;
        };
        out.push(memchr::memrchr(b'\n', &bytes[next_line..at]).map_or(next_line, |i| next_line + i + 1));
        next_line = memchr::memchr(b'\n', &bytes[at..]).map_or(text.len(), |i| at + i) + 1;
    }
    out
}

/// For a caller that reads the lines of a text in order: which of them may hold a code, from
/// the text's [`code_line_starts`].
pub struct CodeLines<'t> {
    text: &'t str,
    /// The starts of the lines not yet passed.
    starts: &'t [usize],
}

impl<'t> CodeLines<'t> {
    pub fn new(text: &'t str, starts: &'t [usize]) -> CodeLines<'t> {
        CodeLines { text, starts }
    }

    /// Whether `line`, a line of the text (from its start; lines asked about in order), may
    /// hold a code: when false, [`find_codes`] finds none in it or in any part of it. A slice
    /// of some other text may hold one as far as this knows.
    pub fn may_hold(&mut self, line: &str) -> bool {
        let start = (line.as_ptr() as usize).wrapping_sub(self.text.as_ptr() as usize);
        if start > self.text.len() || line.len() > self.text.len() - start {
            return true;
        }
        while let Some((&s, rest)) = self.starts.split_first() {
            if s >= start {
                return s == start;
            }
            self.starts = rest;
        }
        false
    }
}

/// `0x` + exactly 8 hex digits, not inside a word or a longer hex run; `gle=` before it makes
/// it a [`Form::Gle`], and an extend code may follow.
fn hex_codes(line: &str) -> Vec<FoundCode> {
    let b = line.as_bytes();
    let mut out = Vec::new();
    // Candidates are the `x` of `0x`, found by memchr rather than by testing every byte.
    let mut next = 0;
    for x in memchr::memchr2_iter(b'x', b'X', b) {
        let Some(i) = x.checked_sub(1).filter(|&i| i >= next) else {
            continue;
        };
        if b[i] != b'0' || (i > 0 && is_word_byte(b[i - 1])) {
            continue;
        }
        let (digits, end) = hex_run(b, i + 2);
        if digits != 8 || end < b.len() && is_word_byte(b[end]) {
            next = end.max(i + 2);
            continue;
        }
        // Eight ASCII hex digits always parse.
        let Ok(v) = u32::from_str_radix(&line[i + 2..end], 16) else {
            continue;
        };
        let gle = i >= 4 && b[i - 4..i].eq_ignore_ascii_case(b"gle=");
        out.push(FoundCode {
            code: Code(v),
            range: i..end,
            form: if gle { Form::Gle } else { Form::Hex },
            extend: if gle { None } else { extend_code(line, end) },
        });
        next = end;
    }
    out
}

/// The extend code after a result code ending at `end`: ` - 0x20017` or `-0x4000D` (1 to 6
/// hex digits, not zero, not glued to a word).
fn extend_code(text: &str, end: usize) -> Option<ExtendCode> {
    let rest = text[end..]
        .trim_start_matches(' ')
        .strip_prefix('-')?
        .trim_start_matches(' ');
    let hex = rest.strip_prefix("0x").or_else(|| rest.strip_prefix("0X"))?;
    let (digits, stop) = hex_run(hex.as_bytes(), 0);
    let glued = hex.as_bytes().get(stop).is_some_and(|&c| is_word_byte(c));
    if !(1..=6).contains(&digits) || glued {
        return None;
    }
    ExtendCode::parse(&hex[..stop]).filter(|e| e.0 != 0)
}

/// Number of hex digits from `from`, and where they end.
fn hex_run(b: &[u8], from: usize) -> (usize, usize) {
    let n = b
        .get(from..)
        .map_or(0, |s| s.iter().take_while(|c| c.is_ascii_hexdigit()).count());
    (n, from + n)
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// A decimal code: signed 32-bit or unsigned 32-bit.
fn decimal(s: &str) -> Option<(Code, Form)> {
    if s.starts_with('-') {
        s.parse::<i32>().ok().map(|v| (Code(v as u32), Form::NegativeDecimal))
    } else {
        s.parse::<u32>().ok().map(|v| (Code(v), Form::LabelledDecimal))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The lines `CodeLines` lets through are exactly those with a place where a code may
    /// start, and every line with a code is among them, on real logs.
    #[test]
    fn code_lines_are_the_lines_with_a_place_to_look_at() {
        for text in [MOUPG_ERR, MOUPG_ACT, WINPE_ACT] {
            let starts = code_line_starts(text);
            let mut lines = CodeLines::new(text, &starts);
            let mut kept = 0;
            for line in text.split('\n') {
                let may = lines.may_hold(line);
                assert_eq!(may, next_code_start(line, 0).is_some(), "{line}");
                assert!(may || find_codes(line).is_empty(), "{line}");
                kept += usize::from(may);
            }
            assert_eq!(kept, starts.len());
            assert!(kept > 10 && kept < text.lines().count(), "{kept}");
        }
        // The last line needs no line break.
        assert_eq!(code_line_starts("x\nhr=5"), [2]);
        assert_eq!(code_line_starts("hr=5\n"), [0]);
        // A slice of another text may hold anything.
        assert!(CodeLines::new("x", &[]).may_hold("hr = 5"));
    }

    /// The code starts in one search, as they were first looked for: the reference.
    static CODE_START: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?i)0x|hr|error ?code|status|\*failed\*").expect("a valid regex"));
    static LABEL_START: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?i)hr|error ?code|status|\*failed\*").expect("a valid regex"));

    /// One search of `CODE_START`, as `next_code_start` was first written.
    fn one_search(text: &str, mut from: usize) -> Option<usize> {
        let b = text.as_bytes();
        while let Some(m) = CODE_START.find_at(text, from) {
            let i = m.start();
            if b[i] == b'0' || b[i] == b'*' || i == 0 || !is_word_byte(b[i - 1]) {
                return Some(i);
            }
            from = m.end();
        }
        None
    }

    #[test]
    fn two_searches_accept_the_places_one_search_does() {
        let tricky = "through hr=5\nxerror codeerror code\nſtatus 5\nSTATUS: 0x1\n*FAILED* [5]\n\
                      threadhr 0X1F\nerrorcode=3 hrs\nstatusstatus\nerror  code\nxhrstatus 7\n\n0";
        for text in [MOUPG_ERR, MOUPG_ACT, WINPE_ACT, RECOVERY_ERR, tricky] {
            // Every place of the short texts, a sample of the long ones (the suite's debug
            // build is slow).
            let step = if text.len() > 1000 { 211 } else { 1 };
            for from in (0..=text.len()).filter(|&i| text.is_char_boundary(i)).step_by(step) {
                assert_eq!(next_code_start(text, from), one_search(text, from), "from {from}");
            }
            let mut want = Vec::new();
            let mut offset = 0;
            for line in text.split('\n') {
                if one_search(line, 0).is_some() {
                    want.push(offset);
                }
                offset += line.len() + 1;
            }
            assert_eq!(code_line_starts(text), want);
            for line in text.split('\n') {
                assert_eq!(might_hold_a_code(line), CODE_START.is_match(line), "{line}");
                assert_eq!(might_hold_a_label(line), LABEL_START.is_match(line), "{line}");
            }
        }
    }

    /// Real setup and servicing logs (see tests/fixtures/setup/README.md).
    const MOUPG_ERR: &str = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/setup/VitalSkib_files_setuperr_moupg.log"
    ));
    const MOUPG_ACT: &str = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/setup/copyleft21_samsung_setupact_moupg.log"
    ));
    const RECOVERY_ERR: &str = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/setup/Shekhar-sss_Git_Basic_setuperr.log"
    ));
    const WINPE_ACT: &str = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/setup/bitbtrust_Errorcode_setupact.log"
    ));

    fn line_with<'a>(text: &'a str, needle: &str) -> &'a str {
        text.lines()
            .find(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("no line with {needle}"))
    }

    fn codes(line: &str) -> Vec<String> {
        find_codes(line).into_iter().map(|c| c.code.to_string()).collect()
    }

    #[test]
    fn bracketed_result_in_a_setuperr_line() {
        let line = line_with(MOUPG_ERR, "OneSettings initialization failed");
        let found = find_codes(line);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].code, Code(0x8007_2EE7));
        assert_eq!(found[0].form, Form::Hex);
        assert_eq!(&line[found[0].range.clone()], "0x80072EE7");
    }

    #[test]
    fn cbs_hresult_equals_form() {
        let line = line_with(MOUPG_ERR, "[HRESULT = 0x80070490 - ERROR_NOT_FOUND]");
        assert_eq!(codes(line), ["0x80070490"]);
    }

    #[test]
    fn result_equals_form_lowercase_and_gle_suffix() {
        let line = line_with(MOUPG_ACT, "CDlpTask::Cancel(984)");
        assert_eq!(codes(line), ["0xC1800108"]);
        // `Error: 0x00000003[gle=0x00000003]`: both, the second right after `=`.
        let line = line_with(RECOVERY_ERR, "WinReGetConfigEx failed. Error:");
        assert_eq!(codes(line), ["0x00000003", "0x00000003"]);
        let forms: Vec<Form> = find_codes(line).iter().map(|c| c.form).collect();
        assert_eq!(forms, [Form::Hex, Form::Gle]);
        // The line's code is the first; the stale GetLastError value stands only alone.
        assert_eq!(line_codes(line).len(), 1);
        assert_eq!(line_codes("Failed [gle=0x00000005]")[0].code, Code(5));
    }

    #[test]
    fn bare_hex_after_a_label() {
        // dism.log writes HRESULTs without 0x; Windows Update writes them in brackets.
        for (line, want, form) in [
            (
                "2019-05-02 10:11:12, Error DISM DISM Package Manager: PID=1 HRESULT=800F0922",
                0x800F_0922,
                Form::LabelledHex,
            ),
            ("FATAL: hr=80070005", 0x8007_0005, Form::LabelledHex),
            (
                "Agent *FAILED* [80240013] Method failed",
                0x8024_0013,
                Form::LabelledHex,
            ),
            ("BCD: Status: c000000f", 0xC000_000F, Form::LabelledHex),
            ("ErrorCode: 800106d9", 0x8001_06D9, Form::LabelledHex),
            ("error code 1168", 1168, Form::LabelledDecimal),
        ] {
            let found = find_codes(line);
            assert_eq!(found.len(), 1, "{line}");
            assert_eq!((found[0].code, found[0].form), (Code(want), form), "{line}");
        }
        // A status that is no code, a short hex run, and a word that only ends in `hr`.
        assert!(find_codes("HTTP Status: 200").is_empty());
        assert!(find_codes("Status: abc").is_empty());
        assert!(find_codes("Xhr=80070005").is_empty());
    }

    #[test]
    fn extend_codes_follow_a_result() {
        let found = find_codes("Result 0xC1900101 - 0x20017 and 0x800736cc-0x20003");
        let got: Vec<String> = found
            .iter()
            .map(|c| format!("{}{}", c.code, c.extend.map(|e| format!("-{e}")).unwrap_or_default()))
            .collect();
        assert_eq!(got, ["0xC1900101-0x20017", "0x800736CC-0x20003"]);
    }

    #[test]
    fn spp_code_in_a_winpe_setup_line() {
        let line = line_with(WINPE_ACT, "Digital marker product key not detected");
        assert_eq!(codes(line), ["0xC004F057"]);
        let line = line_with(WINPE_ACT, "GatherVolumeInfo did not succeed");
        assert_eq!(codes(line), ["0x80070032"]);
    }

    #[test]
    fn longer_hex_runs_are_sizes_not_codes() {
        // `Size (bytes) [250059350016 / 0x3a38b2e000]`: ten hex digits.
        let line = line_with(WINPE_ACT, "/ 0x3a38b2e000]");
        assert!(codes(line).is_empty(), "{line}");
        // Stack addresses: twelve digits after `@0x`.
        let line = line_with(WINPE_ACT, "WcpInitialize (wcp.dll version");
        assert!(codes(line).iter().all(|c| !c.starts_with("0x7FF")), "{line}");
    }

    #[test]
    fn every_hresult_of_a_real_moupg_log_is_found() {
        let all: Vec<Code> = MOUPG_ERR.lines().flat_map(find_codes).map(|c| c.code).collect();
        for want in [
            0x8007_0490,
            0x8007_0002,
            0x8007_000D,
            0x8007_2EE7,
            0x8004_0154,
            0x8031_004A,
            0x8004_01F0,
        ] {
            assert!(all.contains(&Code(want)), "{}", Code(want));
        }
    }

    #[test]
    fn decimal_only_after_a_label() {
        // No real log here writes the decimal form; these lines follow what SPP events and
        // PowerShell print (`hr = -1073418124` is 0xC004F074 as a signed integer).
        assert_eq!(
            codes("License acquisition failure details. hr = -1073418124"),
            ["0xC004F074"]
        );
        assert_eq!(codes("HRESULT: 3221549172"), ["0xC004F074"]);
        assert_eq!(codes("Error code -2147024891"), ["0x80070005"]);
        assert_eq!(codes("hr=0x803F7001"), ["0x803F7001"]);
        assert!(codes("Size (bytes) [250059350016 / 12]").is_empty());
        assert!(codes("thread 1073418124 exited").is_empty());
        assert!(codes("WU client version 10.0.17763.1852").is_empty());
        assert!(codes("hr = 10.0.17763").is_empty());
    }

    #[test]
    fn ranges_are_in_line_order() {
        let line = "hr = -1073418124 then 0x80070005";
        let found = find_codes(line);
        assert_eq!(found.len(), 2);
        assert!(found[0].range.start < found[1].range.start);
        assert_eq!(&line[found[1].range.clone()], "0x80070005");
        assert_eq!(found[0].form, Form::NegativeDecimal);
    }
}
