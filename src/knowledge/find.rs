//! Finding error codes written in log lines.
//!
//! Logs write HRESULTs as `0x` and 8 hex digits: `hr = 0xc004f057`, `[HRESULT = 0x80070490 -
//! ERROR_NOT_FOUND]`, `Error: 0x00000003[gle=0x00000003]`, `Result = 0xC1800108`. The same
//! notation also carries sizes and addresses (`0x3a38b2e000`, `@0x7ffbc5a94519`), so a match must
//! not be part of a longer hex run. Decimal numbers are everywhere in logs; a decimal is taken
//! as a code only right after a label that says it is one (`hr = -1073418124`).

use super::code::Code;
use regex::Regex;
use std::ops::Range;
use std::sync::LazyLock;

/// `hr`, `hresult` or `error code`, an optional `=` or `:`, then a decimal (signed or not).
static LABELLED_DECIMAL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:hresult|hr|error code)\s*[=:]?\s*(-?[0-9]{1,10})\b").expect("literal regex")
});

/// Every code written in `line`, with its byte range, in order of position. The candidates
/// are not filtered: `0x00000000` and flag words (`dwProvFlags 0x00000080`) are returned too;
/// callers keep the codes they know ([`super::Knowledge::lookup`]) or the failures
/// ([`Code::is_failure`]).
pub fn find_codes(line: &str) -> Vec<(Code, Range<usize>)> {
    let mut found = hex_codes(line);
    for caps in LABELLED_DECIMAL.captures_iter(line) {
        let Some(m) = caps.get(1) else { continue };
        // `\b` already keeps `hr=0x...` (the hex form, found above) out; a number followed by
        // `.` is a version or a fraction (`hr = 10.0.17763`), not a code.
        if line[m.end()..].starts_with('.') {
            continue;
        }
        if let Some(code) = decimal(m.as_str()) {
            found.push((code, m.range()));
        }
    }
    found.sort_by_key(|(_, r)| r.start);
    found
}

/// What every code [`find_codes`] finds starts with: `0x`, `hr` (`hresult`) or `error code`.
/// Most lines hold none of them, and one prefiltered search says so faster than a look at
/// every byte.
static CODE_START: LazyLock<Regex> = LazyLock::new(|| Regex::new("(?i)0x|hr|error code").expect("a valid regex"));

/// Whether `line` may hold a code: when this says no, [`find_codes`] finds none.
pub fn might_hold_a_code(line: &str) -> bool {
    CODE_START.is_match(line)
}

/// The byte offsets in `text` (any number of lines) at which [`find_codes`] may find a code,
/// in order. A line holds a code only if it holds one of them, so a caller can read those
/// lines instead of every line. A label must start a word (as `LABELLED_DECIMAL` says): the
/// `hr` of `through` or `thread` is not one, and leaving those out leaves few lines to read.
pub fn code_starts(text: &str) -> impl Iterator<Item = usize> + '_ {
    let b = text.as_bytes();
    // A byte of a non-ASCII character before the label is kept: whether that character is a
    // letter is for `find_codes` to say.
    CODE_START
        .find_iter(text)
        .map(|m| m.start())
        .filter(move |&i| b[i] == b'0' || i == 0 || !is_word_byte(b[i - 1]))
}

/// `0x` + exactly 8 hex digits, not inside a word or a longer hex run.
fn hex_codes(line: &str) -> Vec<(Code, Range<usize>)> {
    let b = line.as_bytes();
    let mut out = Vec::new();
    // Candidates are the `x` of `0x`, found by memchr rather than by testing every byte.
    let mut next = 0;
    for x in memchr::memchr2_iter(b'x', b'X', b) {
        let Some(i) = x.checked_sub(1).filter(|&i| i >= next && i + 10 <= b.len()) else {
            continue;
        };
        let starts = b[i] == b'0' && (i == 0 || !is_word_byte(b[i - 1]));
        let digits = starts && b[i + 2..i + 10].iter().all(u8::is_ascii_hexdigit);
        let ends = b.get(i + 10).is_none_or(|c| !c.is_ascii_hexdigit());
        if digits && ends {
            // Eight ASCII hex digits always parse.
            if let Some(v) = line.get(i + 2..i + 10).and_then(|h| u32::from_str_radix(h, 16).ok()) {
                out.push((Code(v), i..i + 10));
            }
            next = i + 10;
        }
    }
    out
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// A decimal code: signed 32-bit or unsigned 32-bit.
fn decimal(s: &str) -> Option<Code> {
    if s.starts_with('-') {
        s.parse::<i32>().ok().map(|v| Code(v as u32))
    } else {
        s.parse::<u32>().ok().map(Code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        find_codes(line).into_iter().map(|(c, _)| c.to_string()).collect()
    }

    #[test]
    fn bracketed_result_in_a_setuperr_line() {
        let line = line_with(MOUPG_ERR, "OneSettings initialization failed");
        let found = find_codes(line);
        assert_eq!(found.len(), 1);
        let (code, range) = &found[0];
        assert_eq!(*code, Code(0x8007_2EE7));
        assert_eq!(&line[range.clone()], "0x80072EE7");
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
        let all: Vec<Code> = MOUPG_ERR.lines().flat_map(find_codes).map(|(c, _)| c).collect();
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
        assert!(found[0].1.start < found[1].1.start);
        assert_eq!(&line[found[1].1.clone()], "0x80070005");
    }
}
