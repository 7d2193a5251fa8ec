//! CSV exports: `Get-WinEvent … | Export-Csv -NoTypeInformation` (a `#TYPE` first line, written
//! without `-NoTypeInformation` by Windows PowerShell 5, is skipped).
//!
//! `TimeCreated` is local time in the exporting machine's culture (`3/31/2021 10:00:00 AM`,
//! `2021/3/31 10:00:00`); the zone is unknown, so it becomes ISO 8601 without a zone suffix,
//! or stays as written when its format is not recognised.

use super::{trim_start, EventReadError, EventRecord};
use crate::bundle::Document;

/// Columns that must all be in the header of an event export.
const REQUIRED: [&str; 2] = ["Id", "ProviderName"];

/// The header line names the `Get-WinEvent` columns.
pub(super) fn looks_like_events(text: &str) -> bool {
    header_line(text).is_some_and(|h| {
        let cols = split_header(h);
        REQUIRED.iter().all(|r| cols.iter().any(|c| c == r))
            && ["TimeCreated", "LogName", "RecordId"]
                .iter()
                .any(|r| cols.iter().any(|c| c == r))
    })
}

/// The first line that is not blank nor the `#TYPE` line.
fn header_line(text: &str) -> Option<&str> {
    trim_start(text)
        .lines()
        .map(|l| l.trim_end_matches('\r'))
        .find(|l| !l.trim().is_empty() && !l.starts_with("#TYPE"))
}

/// Column names of a header line, unquoted (a cheap split: names hold no separators).
fn split_header(line: &str) -> Vec<String> {
    line.split(delimiter(line) as char)
        .map(|c| c.trim().trim_matches('"').to_string())
        .collect()
}

/// `Export-Csv -UseCulture` writes the list separator (`;` in many cultures) instead of `,`.
fn delimiter(header: &str) -> u8 {
    [b',', b';', b'\t']
        .into_iter()
        .max_by_key(|d| header.bytes().filter(|b| b == d).count())
        .unwrap_or(b',')
}

pub(super) fn read(doc: &Document, text: &str, on_record: &mut dyn FnMut(EventRecord)) -> Vec<EventReadError> {
    let Some(header) = header_line(text) else {
        return Vec::new();
    };
    // Start at the header line (skips the BOM and the `#TYPE` line).
    let start = text.find(header).unwrap_or(0);
    let body = text.get(start..).unwrap_or_default();
    let mut reader = ::csv::ReaderBuilder::new()
        .delimiter(delimiter(header))
        .flexible(true)
        .from_reader(body.as_bytes());
    let columns: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|c| c.trim().to_string()).collect(),
        Err(e) => {
            return vec![EventReadError::new(
                doc,
                ("events-bad-csv-header", &[]),
                format!("bad CSV header: {e}"),
            )]
        }
    };
    let col = |name: &str| columns.iter().position(|c| c == name);
    let cols = Columns {
        id: col("Id"),
        provider: col("ProviderName"),
        channel: col("LogName"),
        time: col("TimeCreated"),
        record_id: col("RecordId"),
        level: col("Level"),
        level_name: col("LevelDisplayName"),
        message: col("Message"),
        computer: col("MachineName"),
    };
    let base = EventRecord::for_doc(doc);
    let mut errors = Vec::new();
    for row in reader.records() {
        match row {
            Ok(row) => on_record(cols.record(&base, &row)),
            Err(e) => errors.push(EventReadError::new(
                doc,
                ("events-bad-csv-row", &[]),
                format!("bad CSV row: {e}"),
            )),
        }
    }
    errors
}

/// Positions of the columns that map to record fields.
struct Columns {
    id: Option<usize>,
    provider: Option<usize>,
    channel: Option<usize>,
    time: Option<usize>,
    record_id: Option<usize>,
    level: Option<usize>,
    level_name: Option<usize>,
    message: Option<usize>,
    computer: Option<usize>,
}

impl Columns {
    fn record(&self, base: &EventRecord, row: &::csv::StringRecord) -> EventRecord {
        // Empty cells are absent values (PowerShell writes "" for $null).
        let get = |i: Option<usize>| i.and_then(|i| row.get(i)).map(str::trim).filter(|v| !v.is_empty());
        let mut rec = base.clone();
        rec.event_id = get(self.id).and_then(|v| v.parse().ok());
        rec.provider = get(self.provider).map(String::from);
        rec.channel = get(self.channel).map(String::from);
        rec.time = get(self.time).map(iso_local_time);
        rec.record_id = get(self.record_id).and_then(|v| v.parse().ok());
        rec.level = get(self.level)
            .and_then(|v| v.parse().ok())
            .or_else(|| get(self.level_name).and_then(level_from_name));
        rec.computer = get(self.computer).map(String::from);
        if let Some(i) = self.message {
            let message = row.get(i).unwrap_or_default();
            rec.data.push(("Message".into(), message.to_string()));
        }
        rec
    }
}

/// `LevelDisplayName` (en-US and zh-CN) → the numeric level.
fn level_from_name(name: &str) -> Option<u8> {
    match name {
        "Critical" | "关键" | "严重" => Some(1),
        "Error" | "错误" => Some(2),
        "Warning" | "警告" => Some(3),
        "Information" | "信息" => Some(4),
        "Verbose" | "详细" => Some(5),
        _ => None,
    }
}

/// `M/d/yyyy h:mm:ss AM`, `yyyy/M/d H:mm:ss` or `yyyy-MM-dd HH:mm:ss` → `yyyy-MM-ddTHH:mm:ss`.
/// Anything else is kept as written.
fn iso_local_time(raw: &str) -> String {
    parse_local_time(raw).unwrap_or_else(|| raw.to_string())
}

fn parse_local_time(raw: &str) -> Option<String> {
    let mut parts = raw.split_whitespace();
    let date = parts.next()?;
    let time = parts.next()?;
    let ampm = parts.next();
    let d: Vec<u32> = date
        .split(['/', '-', '.'])
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    let (y, mo, day) = match d.as_slice() {
        [y, m, d] if *y > 1000 => (*y, *m, *d),
        [m, d, y] if *y > 1000 => (*y, *m, *d),
        _ => return None,
    };
    let t: Vec<u32> = time.split(':').map(|p| p.parse().ok()).collect::<Option<_>>()?;
    let (mut h, mi, s) = match t.as_slice() {
        [h, m, s] => (*h, *m, *s),
        [h, m] => (*h, *m, 0),
        _ => return None,
    };
    match ampm.map(str::to_ascii_uppercase).as_deref() {
        Some("PM") if h < 12 => h += 12,
        Some("AM") if h == 12 => h = 0,
        Some("AM" | "PM") | None => {}
        Some(_) => return None,
    }
    let valid = (1..=12).contains(&mo) && (1..=31).contains(&day) && h < 24 && mi < 60 && s < 61;
    valid.then(|| format!("{y:04}-{mo:02}-{day:02}T{h:02}:{mi:02}:{s:02}"))
}
