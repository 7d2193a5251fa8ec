//! Windows servicing logs recognised by the shape of their first lines.
//!
//! Panther setup logs, `CBS.log` and `dism.log` share one line layout (log-files.md, "Log
//! entry structure"): `2019-03-29 00:25:29, Info       [0x0601c1] IBS    message`: date, time,
//! a comma, the level padded to a column, an optional message id, the component padded to a
//! column, the message. They differ only in their components, so the component column decides
//! between a setup log and a servicing log; the file name settles it when it says
//! `setupact`, `setuperr`, `cbs` or `dism`. The decoded `WindowsUpdate.log` has its own layout:
//! `2021/07/13 10:22:58.9553434 3696  8172  Shared          message`, or the legacy one of
//! Windows 7/8.1 (`2017-03-18<TAB>19:07:31:612<TAB> 952<TAB>5b4<TAB>AU<TAB>message`).
//!
//! An activation client log such as `2024-05-14 09:31:02 [INFO] ...` has no comma after the
//! time and stays text.

use crate::facts::formats::Sample;

/// Which of the three layouts a log has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum LogShape {
    /// Panther `setupact.log` / `setuperr.log`.
    Setup,
    /// `CBS.log`, `dism.log`.
    Servicing,
    /// The decoded `WindowsUpdate.log`.
    WindowsUpdate,
}

/// Components that only servicing (CBS/DISM) logs write as the main component. Setup logs
/// contain CBS and DISM lines too, but among many MOUPG/SP/IBS/PANTHR lines.
const SERVICING_COMPONENTS: &[&str] = &["CBS", "CSI", "DISM", "DPX"];

/// How many of the first non-empty lines are looked at.
const HEAD_LINES: usize = 20;

/// The layout of a log, judged from its first lines (trimmed, non-empty), if it is one.
pub(super) fn of(s: &Sample) -> Option<LogShape> {
    let head = &s.head;
    // Some setup logs open with a block of their own (`Host system information:` and the
    // machine's details, up to a few dozen lines) before the first entry: the shape is judged
    // from the first line that has it.
    let first = head
        .iter()
        .position(|l| panther_component(l).is_some() || is_windows_update_line(l))?;
    let head = &head[first..head.len().min(first + HEAD_LINES)];
    // After such a block, a log has many entries; a line or two pasted into a note does not.
    let entries = head
        .iter()
        .filter(|l| panther_component(l).is_some() || is_windows_update_line(l))
        .count();
    if first > 0 && entries < 3 {
        return None;
    }
    let name = s.file_name();
    let panther: Vec<&str> = head.iter().filter_map(|l| panther_component(l)).collect();
    if panther.len() * 2 >= head.len() {
        if name.contains("setupact") || name.contains("setuperr") {
            return Some(LogShape::Setup);
        }
        if name.contains("cbs") || name.contains("dism") {
            return Some(LogShape::Servicing);
        }
        let servicing = panther.iter().filter(|c| SERVICING_COMPONENTS.contains(c)).count();
        return Some(if servicing * 5 >= panther.len() * 4 {
            LogShape::Servicing
        } else {
            LogShape::Setup
        });
    }
    let wu = head.iter().filter(|l| is_windows_update_line(l)).count();
    (wu * 2 >= head.len()).then_some(LogShape::WindowsUpdate)
}

/// For a Panther/CBS line, its component (`""` when it has none); `None` for other lines.
fn panther_component(line: &str) -> Option<&str> {
    let (time, rest) = (line.get(11..19)?, line.get(19..)?);
    if !is_date(line, b'-') || !is_time(time) {
        return None;
    }
    let rest = rest.strip_prefix(", ")?;
    let level_len = rest.find(|c: char| !c.is_ascii_alphabetic()).unwrap_or(rest.len());
    if level_len == 0 || !rest[level_len..].starts_with(' ') {
        return None;
    }
    let after = rest[level_len..].trim_start();
    let after = match after.strip_prefix('[') {
        Some(id) => id.split_once(']').map(|(_, r)| r.trim_start()).unwrap_or(after),
        None => after,
    };
    let word = after.split_whitespace().next().unwrap_or("");
    let upper =
        !word.is_empty() && word.len() <= 8 && word.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
    Some(if upper { word } else { "" })
}

/// `2021/07/13 10:22:58.9553434 3696  8172  Agent ...`.
fn is_windows_update_line(line: &str) -> bool {
    // The same test the Windows Update summary reads lines with (decoded and legacy layouts).
    super::windows_update::parse(line).is_some()
}

/// `YYYY<sep>MM<sep>DD ` at the start of the line.
fn is_date(line: &str, sep: u8) -> bool {
    let b = line.as_bytes();
    b.len() > 11
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == sep
        && b[5..7].iter().all(u8::is_ascii_digit)
        && b[7] == sep
        && b[8..10].iter().all(u8::is_ascii_digit)
        && b[10] == b' '
}

/// `HH:MM:SS`.
fn is_time(t: &str) -> bool {
    let b = t.as_bytes();
    b.len() == 8 && b[2] == b':' && b[5] == b':' && [0, 1, 3, 4, 6, 7].iter().all(|&i| b[i].is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use crate::bundle::Document;
    use crate::bundle::Kind;

    fn kind_of(path: &str, text: &str) -> Kind {
        Document::from_text("in", path, text).kind
    }

    #[test]
    fn every_real_setup_log_is_a_setup_log() {
        let files: &[(&str, &[u8])] = &[
            ("setupact.log", fixture!("setup/Shekhar-sss_Git_Basic_setupact.log")),
            ("setuperr.log", fixture!("setup/Shekhar-sss_Git_Basic_setuperr.log")),
            ("setupact.log", fixture!("setup/VitalSkib_files_setupact_windeploy.log")),
            ("setuperr.log", fixture!("setup/VitalSkib_files_setuperr_moupg.log")),
            ("setupact.log", fixture!("setup/bitbtrust_Errorcode_setupact.log")),
            ("setuperr.log", fixture!("setup/bitbtrust_Errorcode_setuperr.log")),
            ("setupact.log", fixture!("setup/copyleft21_samsung_setupact_moupg.log")),
        ];
        for (name, bytes) in files {
            // By content alone (a neutral name) and with the usual name.
            assert_eq!(
                Document::from_bytes("in", "x.log", bytes).kind,
                crate::facts::formats::kind("setup-log")
            );
            assert_eq!(
                Document::from_bytes("in", name, bytes).kind,
                crate::facts::formats::kind("setup-log")
            );
        }
    }

    #[test]
    fn servicing_logs_are_cbs_logs_by_content() {
        let cbs = fixture!("cbs/hofcake_CBS_excerpt.log");
        assert_eq!(
            Document::from_bytes("in", "x.log", cbs).kind,
            crate::facts::formats::kind("cbs-log")
        );
        let dism = fixture!("cbs/Particular-NServiceBus-1687_dism_excerpt.log");
        assert_eq!(
            Document::from_bytes("in", "x.log", dism).kind,
            crate::facts::formats::kind("cbs-log")
        );
        let wsl = fixture!("cbs/microsoft-WSL-3708_CBS_excerpt.log");
        assert_eq!(
            Document::from_bytes("in", "Logs/CBS/CBS.log", wsl).kind,
            crate::facts::formats::kind("cbs-log")
        );
    }

    #[test]
    fn the_file_name_breaks_the_tie() {
        // A setup log that happens to start with CBS lines is still a setup log when named so.
        let text = "2026-02-08 16:00:06, Error                 CBS    Failed to resolve package 'x' \
                    [HRESULT = 0x80070490 - ERROR_NOT_FOUND]\n";
        assert_eq!(
            kind_of("Panther/setuperr.log", text),
            crate::facts::formats::kind("setup-log")
        );
        assert_eq!(kind_of("notes.txt", text), crate::facts::formats::kind("cbs-log"));
    }

    #[test]
    fn decoded_windows_update_log() {
        let wu = fixture!("windowsupdate/findingsanity_Logs_WindowsUpdate.log");
        assert_eq!(
            Document::from_bytes("in", "x.log", wu).kind,
            crate::facts::formats::kind("windows-update-log")
        );
    }

    #[test]
    fn activation_client_log_and_notes_stay_text() {
        let client = "2024-05-14 09:31:02 [INFO] cmgeactivate 2.3 started\n\
                      2024-05-14 09:31:03 [ERROR] activation failed: 0xC004F074\n";
        assert_eq!(kind_of("activate.log", client), Kind::TEXT);
        assert_eq!(kind_of("setupact.log", "my upgrade failed, see below\n"), Kind::TEXT);
        let one_pasted_line = "The customer said:\nit fails\nat 80%\n\
                               2024-03-28 11:55:48, Error                 MOUPG  x: Result = 0x800704C7\n";
        assert_eq!(kind_of("note.txt", one_pasted_line), Kind::TEXT);
    }
}
