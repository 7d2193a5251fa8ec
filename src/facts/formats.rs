//! The source formats: what each one looks like and what it holds, registered in one list.
//!
//! Each format is one file of `facts` (a folder for the large ones) that declares a [`Format`]:
//! its name, how its content is recognised, the extractor that fills the [`Machine`] from it,
//! and the few traits the rest of the pipeline asks about (the platform it comes from, whether
//! its numbers can be error codes). [`FORMATS`] lists them in the order they are tried; the
//! first that recognises a document gives its [`Kind`]. Adding a format is one new file and one
//! line here (docs/adding-a-format.md).
//!
//! Recognition decides by content; a file name is only a hint (it names the WMI class when the
//! keys alone don't, and the sysfs attribute of a one-line file). The bundle layer below reads
//! and decodes entries and knows formats only by the [`Kind`] they give.

use super::platform::Platform;
use super::{
    detect_virt, dmidecode, event_logs, hostname, inventory, ip_json, ipconfig, lsblk, manifest, os_release, paste,
    slmgr, sys_class_net, sysfs, systeminfo, upgrade, wmi, Machine,
};
use crate::bundle::decode::{self, DecodedText};
use crate::bundle::{Document, Entry, Kind, Limits, ReadError, ReadErrorKind, ReadOutcome, WmiClass};
use serde_json::Value;
use std::cell::OnceCell;

/// One source format.
pub struct Format {
    /// The name and reading of the documents it recognises (the WMI class is added per document).
    pub kind: Kind,
    pub recognise: Recognise,
    /// Fills the machine model from one document of this format.
    pub extract: fn(&Document, &mut Machine),
    /// The operating system that alone produces it, if one does (`facts::platform`).
    pub platform: Option<Platform>,
    /// Whether a number in it can be an error code. Inventories and lists say no: their
    /// numbers are not results (`rules::scope`).
    pub codes: bool,
}

/// How a format tells its documents apart.
pub enum Recognise {
    /// Bytes that start with this signature; never decoded as text.
    Magic(&'static [u8]),
    /// Text, by its first lines (and path); the WMI class, where the format has one, comes
    /// from `class`.
    Text {
        test: fn(&Sample) -> bool,
        class: Option<fn(&Sample) -> Option<WmiClass>>,
    },
}

impl Recognise {
    /// A text format without a class.
    pub const fn text(test: fn(&Sample) -> bool) -> Recognise {
        Recognise::Text { test, class: None }
    }
}

/// An extractor for formats that only the event reader reads (`events`).
pub fn no_facts(_: &Document, _: &mut Machine) {}

/// Every format, in the order they are tried: the first that recognises a document wins.
/// Text that none recognises is [`Kind::TEXT`], bytes that are not text [`Kind::BINARY`].
pub static FORMATS: &[&Format] = &[
    &event_logs::EVTX,
    &event_logs::EVENT_XML,
    &event_logs::EVENT_CSV,
    &dmidecode::FORMAT,
    &sysfs::FORMAT,
    &detect_virt::FORMAT,
    &hostname::FORMAT,
    &sys_class_net::FORMAT,
    &os_release::FORMAT,
    &ipconfig::FORMAT,
    &systeminfo::FORMAT,
    &slmgr::FORMAT,
    &manifest::FORMAT,
    &lsblk::FORMAT,
    &ip_json::FORMAT,
    // Log shapes never match JSON lines; the process and software lists read JSON or text.
    &upgrade::SETUP_LOG,
    &upgrade::CBS_LOG,
    &upgrade::WINDOWS_UPDATE_LOG,
    &inventory::PROCESS_LIST,
    &inventory::SOFTWARE_LIST,
    // Any other JSON: PowerShell's ConvertTo-Json of CIM instances.
    &wmi::PS_JSON,
    &wmi::WMIC_LIST,
    &wmi::WMIC_TABLE,
];

/// What a text recogniser sees of a document.
pub struct Sample<'a> {
    /// The path inside the input (`/` separators).
    pub path: &'a str,
    pub text: &'a DecodedText,
    /// The first 200 non-empty lines, trimmed.
    pub head: Vec<&'a str>,
    json: OnceCell<Option<Value>>,
}

impl<'a> Sample<'a> {
    pub fn new(path: &'a str, text: &'a DecodedText) -> Sample<'a> {
        let head = text
            .numbered_lines()
            .map(|(_, l)| l.trim())
            .filter(|l| !l.is_empty())
            .take(200)
            .collect();
        Sample {
            path,
            text,
            head,
            json: OnceCell::new(),
        }
    }

    /// The document parsed as JSON, when it starts like JSON and parses whole.
    pub fn json(&self) -> Option<&Value> {
        self.json
            .get_or_init(|| {
                let first = self.head.first()?;
                if first.starts_with('{') || first.starts_with('[') {
                    serde_json::from_str(&self.text.text).ok()
                } else {
                    None
                }
            })
            .as_ref()
    }

    /// The file name, lower case.
    pub fn file_name(&self) -> String {
        self.path
            .rsplit(['/', '\\'])
            .next()
            .unwrap_or(self.path)
            .to_ascii_lowercase()
    }

    /// The WMI class the file name suggests (`Win32_BaseBoard.txt`, `csproduct.json`).
    pub fn class_hint(&self) -> Option<WmiClass> {
        WmiClass::from_file_name(self.path)
    }
}

/// The kind of an entry, from its bytes, its decoded text (if textual) and its path.
pub fn recognise(path: &str, bytes: &[u8], text: Option<&DecodedText>) -> Kind {
    for f in FORMATS {
        if let Recognise::Magic(magic) = f.recognise {
            if bytes.starts_with(magic) {
                return f.kind;
            }
        }
    }
    let Some(text) = text else {
        return Kind::BINARY;
    };
    let sample = Sample::new(path, text);
    for f in FORMATS {
        if let Recognise::Text { test, class } = &f.recognise {
            if test(&sample) {
                return f.kind.with_class(class.and_then(|c| c(&sample)));
            }
        }
    }
    Kind::TEXT
}

/// The format of a kind; `None` for plain text and binary data.
pub fn of(kind: &Kind) -> Option<&'static Format> {
    by_name(kind.name())
}

pub fn by_name(name: &str) -> Option<&'static Format> {
    FORMATS.iter().copied().find(|f| f.kind.name() == name)
}

/// The kind of the format called `name`, for tests and fuzz targets that force a kind.
/// Panics when no format has that name.
pub fn kind(name: &str) -> Kind {
    by_name(name)
        .unwrap_or_else(|| panic!("no format is called {name}"))
        .kind
}

/// Every kind name rule files may select (`files = ["kind:..."]`): the formats, then text and binary.
pub fn names() -> Vec<&'static str> {
    FORMATS
        .iter()
        .map(|f| f.kind.name())
        .chain([Kind::TEXT.name(), Kind::BINARY.name()])
        .collect()
}

/// Whether numbers in documents of this kind can be error codes (plain text: yes).
pub fn holds_codes(kind: &Kind) -> bool {
    of(kind).is_none_or(|f| f.codes) && *kind != Kind::BINARY
}

/// Runs the extractor of one document's format.
pub fn extract_one(doc: &Document, machine: &mut Machine) {
    if let Some(f) = of(&doc.kind) {
        (f.extract)(doc, machine);
    }
}

impl Document {
    /// Decodes and recognises one entry. Binary formats (`Recognise::Magic`) keep their bytes
    /// for their reader and are not decoded.
    pub fn from_entry(entry: Entry) -> Document {
        let Entry { input, path, data } = entry;
        let magic = FORMATS
            .iter()
            .any(|f| matches!(f.recognise, Recognise::Magic(m) if data.head().starts_with(m)));
        if magic {
            let kind = recognise(&path, data.head(), None);
            return Document {
                input,
                path,
                kind,
                text: None,
                raw: Some(data),
                code_lines: Default::default(),
            };
        }
        // Only event logs stay in files (`content::from_file` checks their magic), so these
        // bytes are in memory and this cannot fail.
        let data = data.into_bytes().unwrap_or_default();
        // The bytes become the text (no copy for UTF-8): no magic matched, so recognition
        // needs only the text.
        let text = decode::looks_textual(&data).then(|| decode::decode_owned(data));
        let kind = recognise(&path, &[], text.as_ref());
        Document {
            input,
            path,
            kind,
            text,
            raw: None,
            code_lines: Default::default(),
        }
    }

    /// Builds a document from text (tests, fixtures).
    pub fn from_text(input: &str, path: &str, text: &str) -> Document {
        Document::from_bytes(input, path, text.as_bytes())
    }

    /// Builds a document from bytes (tests, fixtures).
    pub fn from_bytes(input: &str, path: &str, data: &[u8]) -> Document {
        Document::from_entry(Entry {
            input: input.into(),
            path: path.into(),
            data: data.to_vec().into(),
        })
    }
}

/// Decodes and recognises the entries read, cutting lines over `limits.max_line_bytes` in the
/// documents that are read line by line; each cut document is one `line-too-long` error
/// (naming its first overlong line). The read errors come first, in their order.
pub fn into_documents(read: ReadOutcome, limits: &Limits) -> (Vec<Document>, Vec<ReadError>) {
    let mut errors = read.errors;
    let documents = read
        .entries
        .into_iter()
        .flat_map(|entry| {
            let mut doc = Document::from_entry(entry);
            if let Some(line) = doc.cap_lines(limits.max_line_bytes) {
                let entry = (doc.path != doc.input && !doc.input.ends_with(&doc.path)).then(|| doc.path.clone());
                let mut e = ReadError::new(
                    doc.input.clone(),
                    entry,
                    ReadErrorKind::LineTooLong {
                        limit: limits.max_line_bytes,
                    },
                );
                e.line = Some(line);
                errors.push(e);
            }
            paste::split(doc)
        })
        .collect();
    (documents, errors)
}

#[cfg(test)]
mod tests;
