//! Windows event logs: documents (`.evtx` files, `wevtutil`/`Get-WinEvent` XML exports,
//! `Export-Csv` exports) → one [`EventRecord`] per event.
//!
//! Records are streamed to a callback so that a large log never sits in memory as a whole.
//! Damaged parts of a log are skipped and reported as [`EventReadError`]s; every readable
//! record before and after them is still delivered.

mod chunk_filter;
mod csv;
mod evtx;
mod evtx_filter;
mod overlapping;
mod xml;

pub use chunk_filter::{ChunkFilter, ChunkFilterBuilder, Needle};

use crate::bundle::Document;
use crate::i18n::Localized;

/// The kind names of the event formats (`facts::event_logs` recognises them): an `.evtx`
/// file, a `wevtutil` XML export, a `Get-WinEvent | Export-Csv` export.
pub const EVTX: &str = "evtx";
pub const XML_EXPORT: &str = "event-xml";
pub const CSV_EXPORT: &str = "event-csv";

/// The first bytes of an `.evtx` file.
pub const EVTX_MAGIC: &[u8] = b"ElfFile\0";

/// One event, reduced to the fields the rules look at.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventRecord {
    /// The input the document came from.
    pub input: String,
    /// The document's path inside the input.
    pub path: String,
    pub record_id: Option<u64>,
    /// `SystemTime` as the log wrote it (ISO 8601, UTC). CSV exports only carry local time:
    /// there it is ISO 8601 without a zone suffix (see `csv.rs`).
    pub time: Option<String>,
    /// When an `.evtx` file wrote the record (its record header), seconds since the epoch.
    /// Known for every record, rendered or not, so it is what moves the bundle's "now".
    pub logged: Option<i64>,
    pub channel: Option<String>,
    pub provider: Option<String>,
    pub event_id: Option<u32>,
    pub level: Option<u8>,
    pub computer: Option<String>,
    /// EventData/UserData fields in document order; unnamed `<Data>` become "Data", "Data2", ...
    pub data: Vec<(String, String)>,
}

impl EventRecord {
    /// The value of the first data field called `name`.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.data.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    fn for_doc(doc: &Document) -> EventRecord {
        EventRecord {
            input: doc.input.clone(),
            path: doc.path.clone(),
            ..EventRecord::default()
        }
    }
}

/// A part of an event document that could not be read (a damaged chunk or record, bad XML).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventReadError {
    pub input: String,
    pub path: String,
    /// Which part is damaged, in the user's words (locales/*.toml `events-*`).
    pub part: Localized,
    /// The parser's own message, in English (for support; the JSON report's `detail`).
    pub detail: String,
}

impl EventReadError {
    /// `part` is a locales key (`events-bad-chunk`) with its placeholders.
    fn new(
        doc: &Document,
        part: (&str, &[(&str, &dyn std::fmt::Display)]),
        detail: impl Into<String>,
    ) -> EventReadError {
        EventReadError {
            input: doc.input.clone(),
            path: doc.path.clone(),
            part: crate::messages::localized(part.0, part.1),
            detail: detail.into(),
        }
    }
}

impl std::fmt::Display for EventReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}: {}", self.input, self.path, self.detail)
    }
}

/// Records that were counted but not read: those of `.evtx` chunks in which nothing a
/// consumer looks for occurs (see [`ChunkFilter`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Unread {
    pub records: usize,
    /// The newest record time among them (seconds since the epoch).
    pub newest: Option<i64>,
}

impl Unread {
    fn add(&mut self, records: usize, newest: Option<i64>) {
        self.records += records;
        self.newest = self.newest.max(newest);
    }
}

/// Reads every event of `doc`, calling `on_record` for each, and returns what could not be read.
/// A document that is no event log gives no records and no errors.
pub fn read_events(doc: &Document, on_record: impl FnMut(EventRecord)) -> Vec<EventReadError> {
    read_wanted_events(doc, &ChunkFilter::everything(), on_record).0
}

/// Like [`read_events`], but the records of `.evtx` chunks that `filter` rules out are only
/// counted: they are in the returned [`Unread`], not given to `on_record`.
pub fn read_wanted_events(
    doc: &Document,
    filter: &ChunkFilter,
    mut on_record: impl FnMut(EventRecord),
) -> (Vec<EventReadError>, Unread) {
    let mut unread = Unread::default();
    if doc.kind.name() == EVTX {
        let errors = match &doc.raw {
            Some(raw) => evtx::read(doc, raw, filter, &mut unread, &mut on_record),
            None => vec![EventReadError::new(
                doc,
                ("events-no-bytes", &[]),
                "EVTX document without its bytes",
            )],
        };
        return (errors, unread);
    }
    let Some(text) = doc.text.as_ref().map(|t| t.text.as_str()) else {
        return (Vec::new(), unread);
    };
    let errors = match doc.kind.name() {
        XML_EXPORT => xml::read(doc, text, &mut on_record),
        CSV_EXPORT => csv::read(doc, text, &mut on_record),
        _ => Vec::new(),
    };
    (errors, unread)
}

/// True for text documents that are event exports (XML from `wevtutil qe /f:xml` or
/// `/f:RenderedXml`, with or without the `<Events>` wrapper; CSV from `Get-WinEvent | Export-Csv`).
pub fn is_event_text(doc: &Document) -> bool {
    doc.is_events() && doc.kind.name() != EVTX
}

/// Text that is an XML event export (see [`is_event_text`]).
pub fn is_xml_export(text: &str) -> bool {
    xml::looks_like_events(text)
}

/// Text that is a CSV event export (see [`is_event_text`]).
pub fn is_csv_export(text: &str) -> bool {
    csv::looks_like_events(text)
}

/// Text without a leading BOM and white space.
fn trim_start(text: &str) -> &str {
    text.trim_start_matches(|c: char| c == '\u{feff}' || c.is_whitespace())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bundle::Entry;

    /// Reads a fixture of `tests/fixtures/evtx` as the bundle layer would.
    fn doc(name: &str, bytes: &[u8]) -> Document {
        Document::from_entry(Entry {
            input: "t".into(),
            path: name.into(),
            data: bytes.to_vec().into(),
        })
    }

    const MANY: &[u8] = fixture!("evtx/many-events-application.evtx");
    const NO_CRC: &[u8] = fixture!("evtx/Application_no_crc32.evtx");

    fn read_all(d: &Document) -> (Vec<EventRecord>, Vec<EventReadError>) {
        let mut records = Vec::new();
        let errors = read_events(d, |r| records.push(r));
        (records, errors)
    }

    fn by<'a>(records: &'a [EventRecord], provider: &str, id: u32) -> Vec<&'a EventRecord> {
        records
            .iter()
            .filter(|r| r.provider.as_deref() == Some(provider) && r.event_id == Some(id))
            .collect()
    }

    const SPP: &str = "Microsoft-Windows-Security-SPP";

    #[test]
    fn evtx_system_reads_all_chunks() {
        let (records, errors) = read_all(&doc("system.evtx", fixture!("evtx/system.evtx")));
        assert_eq!(records.len(), 1881);
        assert!(errors.is_empty(), "{errors:?}");
        let first = &records[0];
        assert_eq!(first.record_id, Some(1));
        assert_eq!(first.time.as_deref(), Some("2017-07-12T17:16:28.2141616Z"));
        assert_eq!(first.channel.as_deref(), Some("System"));
        assert_eq!(first.provider.as_deref(), Some("EventLog"));
        assert_eq!(first.event_id, Some(6009));
        assert_eq!(first.level, Some(4));
        assert_eq!(first.computer.as_deref(), Some("WIN-P4SIAA0SQCO"));
        assert_eq!(first.field("Data"), Some("10.00."));
        assert_eq!(first.field("Data2"), Some("15063"));
        let last = &records[1880];
        assert_eq!(last.record_id, Some(1881));
        assert_eq!(last.provider.as_deref(), Some("Service Control Manager"));
        assert_eq!(last.event_id, Some(7023));
        assert_eq!(last.field("param1"), Some("Interactive Services Detection"));
        assert_eq!(last.field("Binary"), Some("5500490030004400650074006500630074000000"));
    }

    #[test]
    fn evtx_without_crc32_and_spp_events() {
        let (records, errors) = read_all(&doc("Application_no_crc32.evtx", NO_CRC));
        assert_eq!(records.len(), 17);
        assert!(errors.is_empty(), "{errors:?}");
        for id in [900, 902, 1003, 1066, 16388, 16394] {
            assert_eq!(by(&records, SPP, id).len(), 1, "SPP {id}");
        }
        let e902 = by(&records, SPP, 902)[0];
        assert_eq!(e902.field("Data"), Some("10.0.21286.1000"));
        assert_eq!(e902.computer.as_deref(), Some("DESKTOP-0HIJB49"));
        assert_eq!(e902.channel.as_deref(), Some("Application"));
        let e1003 = by(&records, SPP, 1003)[0];
        assert_eq!(e1003.field("Data"), Some("55c92734-d682-4d71-983e-d6ec3f16059f"));
        assert!(e1003.field("Data2").is_some_and(|d| d.contains("0xC004F034")));
    }

    #[test]
    fn evtx_bad_chunk_magic_skips_and_reports() {
        let name = "sample_with_a_bad_chunk_magic.evtx";
        let (records, errors) = read_all(&doc(name, fixture!("evtx/sample_with_a_bad_chunk_magic.evtx")));
        assert!(records.len() >= 301, "{}", records.len());
        assert!(!errors.is_empty());
        assert!(errors
            .iter()
            .all(|e| e.path == name && e.input == "t" && !e.detail.is_empty()));
        assert!(records.iter().all(|r| r.computer.as_deref() == Some("DESKTOP-1N4R894")));
        assert_eq!(records[0].record_id, Some(45691));
        assert_eq!(
            records[0].field("PackageFamilyName"),
            Some("Microsoft.Windows.ContentDeliveryManager_cw5n1h2txyewy")
        );
    }

    #[test]
    fn evtx_many_events_application() {
        let (records, errors) = read_all(&doc("many-events-application.evtx", MANY));
        assert_eq!(records.len(), 2216);
        assert!(errors.is_empty(), "{errors:?}");
        let spp_1003 = by(&records, SPP, 1003);
        assert_eq!(spp_1003.len(), 60);
        assert_eq!(spp_1003[0].record_id, Some(68));
        assert_eq!(spp_1003[0].computer.as_deref(), Some("37L4247D28-05"));
        assert!(spp_1003[0].field("Data2").is_some_and(|d| d.contains("0xC004F014")));
        assert_eq!(by(&records, SPP, 902)[0].field("Data"), Some("6.1.7600.16385"));
        assert_eq!(records[0].field("param2"), Some("SuppressDuplicateDuration"));
    }

    #[test]
    fn evtx_other_real_files() {
        let (records, errors) = read_all(&doc("rogue.evtx", fixture!("evtx/rogue_msi_url_1040_1042.evtx")));
        assert_eq!((records.len(), errors.len()), (351, 0));
        assert_eq!(
            records[350].field("Data"),
            Some("http://officemysuppbox.com/staterepository")
        );
        let name = "Microsoft-Windows-LanguagePackSetup%4Operational.evtx";
        let (records, errors) = read_all(&doc(
            name,
            fixture!("evtx/Microsoft-Windows-LanguagePackSetup%4Operational.evtx"),
        ));
        assert_eq!((records.len(), errors.len()), (17, 0));
        assert_eq!(
            records[0].channel.as_deref(),
            Some("Microsoft-Windows-LanguagePackSetup/Operational")
        );
    }

    #[test]
    fn evtx_damaged_beyond_header_gives_error_not_panic() {
        let mut bytes = fixture!("evtx/Application_no_crc32.evtx").to_vec();
        bytes.truncate(4096 + 3000);
        let d = doc("cut.evtx", &bytes);
        assert_eq!(d.kind.name(), EVTX);
        let (_, errors) = read_all(&d);
        assert_eq!(errors.len(), 1);
        assert!(errors[0].detail.contains("3000 bytes"), "{}", errors[0].detail);
        let (records, errors) = read_all(&doc("tiny.evtx", b"ElfFile\0"));
        assert!(records.is_empty() && errors.len() == 1);
    }

    /// The fields every hand-made SPP 8198 fixture must give.
    fn assert_spp_8198(r: &EventRecord) {
        assert_eq!(r.event_id, Some(8198));
        assert_eq!(r.provider.as_deref(), Some(SPP));
        assert_eq!(r.channel.as_deref(), Some("Application"));
        assert_eq!(r.computer.as_deref(), Some("DESKTOP-CMGE01"));
        assert_eq!(r.record_id, Some(5321));
        assert_eq!(r.level, Some(2));
    }

    #[test]
    fn xml_wevtutil_without_wrapper() {
        let d = doc("spp.xml", fixture!("evtx/spp-8198-wevtutil.xml"));
        assert!(is_event_text(&d));
        let (records, errors) = read_all(&d);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(records.len(), 2);
        assert_spp_8198(&records[0]);
        assert_eq!(records[0].time.as_deref(), Some("2024-05-14T02:31:07.6581234Z"));
        assert_eq!(records[0].field("Data"), Some("hr=0xC004F074"));
        assert!(records[0]
            .field("Data2")
            .is_some_and(|d| d.starts_with("RuleId=31e71c49")));
        assert_eq!(records[1].event_id, Some(1003));
        assert_eq!(records[1].field("Data2"), Some("<no reason> & done"));
    }

    #[test]
    fn xml_rendered_with_wrapper_and_bom() {
        let d = doc("spp-rendered.xml", fixture!("evtx/spp-8198-rendered.xml"));
        assert!(is_event_text(&d));
        let (records, errors) = read_all(&d);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(records.len(), 1);
        assert_spp_8198(&records[0]);
        assert_eq!(records[0].time.as_deref(), Some("2024-05-14T02:31:07.6581234Z"));
        assert_eq!(records[0].field("Data"), Some("hr=0xC004F074"));
        assert!(records[0]
            .field("Message")
            .is_some_and(|m| m.contains("\nhr=0xC004F074\n")));
    }

    #[test]
    fn xml_named_data_user_data_and_truncation() {
        let text = "<Event><System><EventID>7</EventID></System><EventData><Data Name='a'>1</Data>\
                    <Data/><Data Name=''>x</Data></EventData></Event>\n\
                    <Event><System><EventID>8</EventID></System><UserData><Ev xmlns='u'><Reason>r</Reason>\
                    <Empty/></Ev></UserData></Event>\n<Event><System><EventID>9</EventID>";
        let d = doc("part.xml", text.as_bytes());
        assert!(is_event_text(&d));
        let (records, errors) = read_all(&d);
        assert_eq!(records.len(), 2);
        let data = |i: usize| {
            records[i]
                .data
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
        };
        assert_eq!(data(0), ["a=1", "Data=", "Data2=x"]);
        assert_eq!(data(1), ["Reason=r", "Empty="]);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].path, "part.xml");
    }

    #[test]
    fn csv_export() {
        let d = doc("spp.csv", fixture!("evtx/spp-8198-export.csv"));
        assert!(is_event_text(&d));
        let (records, errors) = read_all(&d);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(records.len(), 2);
        assert_spp_8198(&records[0]);
        // Local time of the exporting machine, zone unknown.
        assert_eq!(records[0].time.as_deref(), Some("2024-05-14T10:31:07"));
        assert!(records[0]
            .field("Message")
            .is_some_and(|m| m.contains("\nhr=0xC004F074\n")));
        assert_eq!(records[1].event_id, Some(1003));
        assert_eq!(records[1].level, Some(4));
    }

    #[test]
    fn csv_type_line_semicolons_and_level_names() {
        let text = "#TYPE System.Diagnostics.Eventing.Reader.EventLogRecord\r\n\
                    \"Id\";\"ProviderName\";\"LogName\";\"TimeCreated\";\"LevelDisplayName\";\"Message\"\r\n\
                    \"8198\";\"Microsoft-Windows-Security-SPP\";\"Application\";\"2024/5/14 10:31:07\";\"错误\";\"hr=0xC004F074\"\r\n";
        let d = doc("zh.csv", text.as_bytes());
        assert!(is_event_text(&d));
        let (records, errors) = read_all(&d);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(records.len(), 1);
        assert_eq!(records[0].event_id, Some(8198));
        assert_eq!(records[0].level, Some(2));
        assert_eq!(records[0].time.as_deref(), Some("2024-05-14T10:31:07"));
        assert_eq!(records[0].field("Message"), Some("hr=0xC004F074"));
    }

    #[test]
    fn other_documents_are_not_events() {
        for text in [
            "Manufacturer=LENOVO\n",
            "\"Name\",\"Id\"\n\"x\",\"1\"\n",
            "<?xml version='1.0'?><root/>",
        ] {
            let d = doc("x.txt", text.as_bytes());
            assert!(!is_event_text(&d), "{text}");
            let (records, errors) = read_all(&d);
            assert!(records.is_empty() && errors.is_empty());
        }
        assert!(!is_event_text(&doc("system.evtx", NO_CRC)));
    }
}
