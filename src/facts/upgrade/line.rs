//! One line of a Panther setup log, `CBS.log` or `dism.log`.
//!
//! Layout (log-files.md, "Log entry structure"; columns measured on the real files in
//! tests/fixtures/setup): `2019-03-29 00:25:29, ` then the level padded to 11 columns, an
//! optional message id `[0x0601c1]`, the component at column 22 of the part after the comma
//! (`MOUPG  `, `PANTHR `, `CBS    `) and the message. Lines without a component (`[windeploy.exe]`,
//! the recovery tool's lines, `SppDeleteSnapshots failed`) leave the component column blank
//! and start the message at column 29 or later. So a word is taken as the component only when
//! it starts before column 29 and looks like one (upper-case letters and digits, at most 8),
//! which keeps `Gather failed.` a message even where a log trims the padding.

/// Where the message starts when a line has no component.
const MESSAGE_COLUMN: usize = 29;

/// A parsed line. All fields borrow from the line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PantherLine<'a> {
    /// `2019-03-29 00:25:29`.
    pub time: &'a str,
    /// `Info`, `Warning`, `Error`, `Fatal Error`, ...
    pub level: &'a str,
    /// The hex id in brackets after the level (`0x0601c1`), a message number, not an error code.
    pub message_id: Option<&'a str>,
    /// `MOUPG`, `SP`, `CBS`; empty when the line has none.
    pub component: &'a str,
    pub message: &'a str,
}

impl PantherLine<'_> {
    pub fn is_error(&self) -> bool {
        self.level == "Error" || self.level.starts_with("Fatal")
    }
    pub fn is_warning(&self) -> bool {
        self.level == "Warning"
    }
}

/// Parses a line; `None` for a continuation line, a blank line or anything else.
pub fn parse(line: &str) -> Option<PantherLine<'_>> {
    let line = line.strip_prefix('\u{feff}').unwrap_or(line);
    let time = line.get(..19)?;
    if !is_timestamp(time.as_bytes()) {
        return None;
    }
    let rest = line.get(19..)?.strip_prefix(", ")?;
    let level_len = if rest.starts_with("Fatal Error") {
        "Fatal Error".len()
    } else {
        rest.find(|c: char| !c.is_ascii_alphabetic()).unwrap_or(rest.len())
    };
    if level_len == 0 {
        return None;
    }
    let level = &rest[..level_len];
    let mut pos = skip_spaces(rest, level_len);
    let mut message_id = None;
    if rest[pos..].starts_with("[0x") {
        if let Some(end) = rest[pos..].find(']') {
            message_id = Some(&rest[pos + 1..pos + end]);
            pos = skip_spaces(rest, pos + end + 1);
        }
    }
    let word_end = rest[pos..].find(char::is_whitespace).map_or(rest.len(), |e| pos + e);
    let word = &rest[pos..word_end];
    let is_component = pos < MESSAGE_COLUMN
        && (1..=8).contains(&word.len())
        && word.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
    let (component, message) = if is_component {
        (word, rest[word_end..].trim())
    } else {
        ("", rest[pos..].trim())
    };
    Some(PantherLine {
        time,
        level,
        message_id,
        component,
        message,
    })
}

fn skip_spaces(s: &str, from: usize) -> usize {
    s[from..]
        .find(|c: char| c != ' ' && c != '\t')
        .map_or(s.len(), |n| from + n)
}

/// `YYYY-MM-DD HH:MM:SS`.
fn is_timestamp(b: &[u8]) -> bool {
    let digits = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18];
    b.len() == 19
        && digits.iter().all(|&i| b[i].is_ascii_digit())
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b' '
        && b[13] == b':'
        && b[16] == b':'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn component_message_id_and_blank_component() {
        let l = parse("2019-03-29 00:25:29, Info       [0x0601c1] IBS    InstallWindows:Install Path = X:\\Sources")
            .unwrap();
        assert_eq!(l.time, "2019-03-29 00:25:29");
        assert_eq!((l.level, l.message_id, l.component), ("Info", Some("0x0601c1"), "IBS"));
        assert_eq!(l.message, "InstallWindows:Install Path = X:\\Sources");

        let l =
            parse("2024-03-28 11:55:48, Error                 MOUPG  CSetupHost::Execute(433): Result = 0x800704C7")
                .unwrap();
        assert_eq!((l.level, l.component), ("Error", "MOUPG"));
        assert!(l.is_error());

        let l =
            parse("2026-02-19 10:38:42, Info                         [windeploy.exe] WinDeploy.exe launched").unwrap();
        assert_eq!((l.component, l.message), ("", "[windeploy.exe] WinDeploy.exe launched"));

        // Six-letter components are followed by a single space.
        let l = parse("2019-03-29 00:25:29, Info                  PANTHR InitializeModule: Initializing").unwrap();
        assert_eq!(l.component, "PANTHR");

        // The component column is blank and the message is indented further.
        let l = parse("2026-02-08 15:57:07, Error                            [SetupPlatform.exe] System disks found")
            .unwrap();
        assert_eq!((l.component, l.message), ("", "[SetupPlatform.exe] System disks found"));
    }

    #[test]
    fn trimmed_padding_and_fatal_error() {
        // log-files.md quotes lines with the padding shortened.
        let l = parse("2016-10-05 15:27:08, Error                  Gather failed. Last error: 0x00000000").unwrap();
        assert_eq!((l.component, l.message), ("", "Gather failed. Last error: 0x00000000"));
        let l =
            parse("2016-10-05 15:27:00, Info [0x080489] MIG    Setting system object filter context (System)").unwrap();
        assert_eq!((l.message_id, l.component), (Some("0x080489"), "MIG"));
        let l = parse("2019-06-06 21:47:11, Fatal Error           SP     Something broke").unwrap();
        assert_eq!((l.level, l.component), ("Fatal Error", "SP"));
        assert!(l.is_error());
    }

    #[test]
    fn other_lines_are_not_entries() {
        assert_eq!(parse(""), None);
        assert_eq!(
            parse("                        \"Unrestricted\" -NoProfile -File x.ps1' "),
            None
        );
        assert_eq!(
            parse("[1184] [CreateParallelDecodeInfo:(3669) -> Multithreaded decoding] (null)"),
            None
        );
        assert_eq!(parse("2024-05-14 09:31:02 [INFO] activation started"), None);
        assert_eq!(
            parse("2021/07/13 10:22:58.9553434 3696  8172  Shared          InitializeSus"),
            None
        );
    }
}
