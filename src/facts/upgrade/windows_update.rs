//! The `WindowsUpdate.log` that `Get-WindowsUpdateLog` decodes from the ETW traces
//! (windows-facts.md §1.8): `2021/07/13 10:22:58.9553434 3696  8172  Agent           message`
//! (date, time with 7 decimals, process id, thread id, component padded to 16, message). It has
//! no levels; the agent marks its own failures `*FAILED* [80240013]` and prints other results as
//! `hr = 0x80D05011` or `Call error code = 0x80240022`. Only failure HRESULTs count as codes:
//! the log's other `0x` values are flags and counters (`0x00000080`).
//!
//! Windows 7, 8.1 and Server 2012 R2 wrote the log directly, tab-separated, with dashes in the
//! date, the milliseconds after a colon and the thread id in hex:
//! `2017-03-18<TAB>19:07:31:612<TAB> 952<TAB>5b4<TAB>AU<TAB>message` (the legacy layout, read the
//! same way).

use super::codes::{self, CodeFilter, CodeTally};
use super::Counter;
use crate::bundle::Document;
use crate::facts::model::{UpgradeLog, UpgradeLogKind};
use crate::facts::Source;

/// A parsed line: time (as printed), component, message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WuLine<'a> {
    pub time: &'a str,
    pub component: &'a str,
    pub message: &'a str,
}

/// Parses a line; `None` for anything that does not have the layout.
pub fn parse(line: &str) -> Option<WuLine<'_>> {
    let b = line.as_bytes();
    let sep = *b.get(4)?;
    let date_ok = b.len() > 20
        && [0, 1, 2, 3, 5, 6, 8, 9].iter().all(|&i| b[i].is_ascii_digit())
        && (sep == b'/' || sep == b'-')
        && b[7] == sep
        && (b[10] == b' ' || b[10] == b'\t');
    let time_ok = date_ok && b[13] == b':' && b[16] == b':' && (b[19] == b'.' || b[19] == b':');
    if !time_ok {
        return None;
    }
    let mut fields = Fields { s: line, pos: 11 };
    let time_end = fields.next_end()?;
    let time = &line[..time_end];
    // Process id in decimal; thread id in decimal (decoded log) or hex (legacy log).
    for radix in [10, 16] {
        let start = fields.pos;
        let end = fields.next_end()?;
        let id = line[start..end].trim_start();
        if id.is_empty() || !id.chars().all(|c| c.is_digit(radix)) {
            return None;
        }
    }
    let start = fields.pos;
    let end = fields.next_end()?;
    Some(WuLine {
        time,
        component: line[start..end].trim_start(),
        message: line[end..].trim(),
    })
}

/// Whitespace-separated fields of a line, by position.
struct Fields<'a> {
    s: &'a str,
    pos: usize,
}

impl Fields<'_> {
    /// The end of the next field (leading whitespace skipped), moving past it.
    fn next_end(&mut self) -> Option<usize> {
        let rest = &self.s[self.pos..];
        let start = self.pos + rest.find(|c: char| !c.is_whitespace())?;
        let end = self.s[start..]
            .find(char::is_whitespace)
            .map_or(self.s.len(), |e| start + e);
        self.pos = end;
        Some(end)
    }
}

pub fn summarise(doc: &Document) -> UpgradeLog {
    let mut log = UpgradeLog::empty(doc, UpgradeLogKind::WindowsUpdate);
    let mut components = Counter::default();
    let mut tally = CodeTally::default();
    let (mut first_time, mut last_time) = (None, None);
    let mut starts = codes::starts(doc);
    for (n, text) in doc.lines() {
        let Some(entry) = parse(text) else {
            continue;
        };
        log.entries += 1;
        log.errors += usize::from(entry.message.contains("*FAILED*"));
        // Kept borrowed: a copy per line was a measurable part of the pass.
        first_time = first_time.or(Some(entry.time));
        last_time = Some(entry.time);
        components.add(entry.component);
        let found = if starts.may_hold(text) {
            codes::scan(entry.message, CodeFilter::FailureOnly)
        } else {
            Default::default()
        };
        tally.add(&found, entry.component, || Source::at(doc, n, text));
    }
    log.first_time = first_time.map(str::to_string);
    log.last_time = last_time.map(str::to_string);
    log.components = components.into_sorted();
    log.codes = tally.into_codes();
    log
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines() {
        let l =
            parse("2021/07/13 10:22:58.9566922 3696  8172  Agent           WU client version 10.0.17763.1852").unwrap();
        assert_eq!(l.time, "2021/07/13 10:22:58.9566922");
        assert_eq!((l.component, l.message), ("Agent", "WU client version 10.0.17763.1852"));
        let l = parse("2021/07/13 10:22:58.9553434 3696  8172  Shared          InitializeSus").unwrap();
        assert_eq!((l.component, l.message), ("Shared", "InitializeSus"));
        assert_eq!(parse("2021-07-13 10:11:12, Info                  CBS    message"), None);
        assert_eq!(parse("2021/07/13 10:22:58.9553434 x  8172  Shared  y"), None);
        // The legacy layout (Windows 7 / 8.1), as an HTB write-up quotes a real log.
        let l = parse(
            "2017-03-18\t19:07:31:612\t 952\t5b4\tAU\t###########  AU: Initializing Automatic Updates  ###########",
        )
        .unwrap();
        assert_eq!((l.time, l.component), ("2017-03-18\t19:07:31:612", "AU"));
        assert!(l.message.starts_with("###########  AU: Initializing"));
        // An activation client log is not one: no numeric process and thread ids.
        assert_eq!(parse("2024-05-14 09:31:02:123 [INFO] activation started ok"), None);
    }
}
