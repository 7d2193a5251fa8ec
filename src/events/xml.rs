//! Event XML: `wevtutil qe … /f:xml` and `/f:RenderedXml` exports (a sequence of `<Event>`
//! elements, with or without an `<Events>` wrapper) and the XML the `evtx` crate renders for
//! each record of an `.evtx` file.

use super::{trim_start, EventReadError, EventRecord};
use crate::bundle::Document;
use quick_xml::escape::resolve_xml_entity;
use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, XmlVersion};

/// Starts like event XML and holds at least one `<Event …>` element.
pub(super) fn looks_like_events(text: &str) -> bool {
    let head = trim_start(text);
    (head.starts_with("<Event") || head.starts_with("<?xml")) && (text.contains("<Event ") || text.contains("<Event>"))
}

/// Reads an export. Malformed XML stops the read (the parser cannot resynchronise); the events
/// before it are delivered and the error says where it is.
pub(super) fn read(doc: &Document, text: &str, on_record: &mut dyn FnMut(EventRecord)) -> Vec<EventReadError> {
    match parse(text, &EventRecord::for_doc(doc), on_record) {
        Ok(()) => Vec::new(),
        Err(detail) => vec![EventReadError::new(doc, ("events-bad-xml", &[]), detail)],
    }
}

/// An open element: its local name, the `Name` attribute of a `<Data>`, its text so far, and
/// whether it has child elements (only leaves of `<UserData>` are fields).
struct Open {
    name: String,
    data_name: Option<String>,
    text: String,
    has_children: bool,
}

/// The open elements, innermost last. Popped entries stay behind `len` as spare buffers, so a
/// log of thousands of records allocates no name or text buffer per element once warm.
#[derive(Default)]
struct Stack {
    items: Vec<Open>,
    len: usize,
}

impl Stack {
    fn open(&self) -> &[Open] {
        &self.items[..self.len]
    }

    fn top_mut(&mut self) -> Option<&mut Open> {
        self.len.checked_sub(1).map(|i| &mut self.items[i])
    }

    fn push(&mut self, name: &[u8], data_name: Option<String>) {
        if self.len == self.items.len() {
            self.items.push(Open {
                name: String::new(),
                data_name: None,
                text: String::new(),
                has_children: false,
            });
        }
        let el = &mut self.items[self.len];
        el.name.clear();
        el.name.push_str(&String::from_utf8_lossy(name));
        el.text.clear();
        el.data_name = data_name;
        el.has_children = false;
        self.len += 1;
    }
}

/// Parses every `<Event>` in `text`; each record starts as a copy of `base` (input and path).
pub(super) fn parse(text: &str, base: &EventRecord, on_record: &mut dyn FnMut(EventRecord)) -> Result<(), String> {
    let mut reader = Reader::from_str(text);
    reader.config_mut().trim_text(false);
    let mut stack = Stack::default();
    // The `<Event>` being read.
    let mut current: Option<Current> = None;
    loop {
        let event = reader
            .read_event()
            .map_err(|e| format!("bad XML at line {}: {e}", line_at(text, reader.error_position())))?;
        match event {
            Event::Start(e) => open(&e, &mut stack, &mut current, base),
            Event::Empty(e) => {
                open(&e, &mut stack, &mut current, base);
                close(&mut stack, &mut current, on_record);
            }
            Event::End(_) => close(&mut stack, &mut current, on_record),
            Event::Text(t) => push_text(&mut stack, &t.xml10_content().unwrap_or_default()),
            Event::CData(t) => push_text(&mut stack, &t.xml10_content().unwrap_or_default()),
            Event::GeneralRef(r) => {
                let name = r.decode().unwrap_or_default();
                let resolved = match r.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    _ => resolve_xml_entity(&name).unwrap_or_default().to_string(),
                };
                push_text(&mut stack, &resolved);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    match current {
        Some(_) => Err("the last <Event> element is not closed (truncated file?)".into()),
        None => Ok(()),
    }
}

/// The `<Event>` being read: its index in the stack, the record it fills, and how many of the
/// record's data names are `Data` or `Data<n>` (the next unnamed `<Data>` is numbered after
/// them; counting them again for each one was quadratic in a record with thousands).
struct Current {
    depth: usize,
    rec: EventRecord,
    numbered: usize,
}

impl Current {
    fn push_data(&mut self, name: String, value: &str) {
        if name == "Data" || name.strip_prefix("Data").is_some_and(|d| d.parse::<u32>().is_ok()) {
            self.numbered += 1;
        }
        self.rec.data.push((name, value.to_string()));
    }

    /// "Data" for the first unnamed `<Data>`, then "Data2", "Data3", ...
    fn unnamed_data_name(&self) -> String {
        match self.numbered {
            0 => "Data".into(),
            n => format!("Data{}", n + 1),
        }
    }
}

fn push_text(stack: &mut Stack, s: &str) {
    if let Some(top) = stack.top_mut() {
        top.text.push_str(s);
    }
}

fn open(e: &BytesStart, stack: &mut Stack, current: &mut Option<Current>, base: &EventRecord) {
    let local = e.local_name();
    let name = local.as_ref();
    if let Some(parent) = stack.top_mut() {
        parent.has_children = true;
    }
    let mut data_name = None;
    if current.is_none() && name == b"Event" {
        *current = Some(Current {
            depth: stack.len,
            rec: base.clone(),
            numbered: 0,
        });
    } else if let Some(Current { depth, rec, .. }) = current.as_mut() {
        // Attributes that carry fields: System/Provider@Name, System/TimeCreated@SystemTime,
        // EventData/Data@Name.
        let open = stack.open();
        let in_system = open.len() == *depth + 2 && open[*depth + 1].name == "System";
        match name {
            b"Provider" if in_system => rec.provider = attr(e, "Name"),
            b"TimeCreated" if in_system => rec.time = attr(e, "SystemTime"),
            b"Data" => data_name = attr(e, "Name").filter(|n| !n.is_empty()),
            _ => {}
        }
    }
    stack.push(name, data_name);
}

/// Closes the innermost element: stores its value in the record, or delivers the record.
fn close(stack: &mut Stack, current: &mut Option<Current>, on_record: &mut dyn FnMut(EventRecord)) {
    let Some(top) = stack.len.checked_sub(1) else { return };
    stack.len = top;
    let Some(cur) = current.as_mut() else { return };
    if top == cur.depth {
        if let Some(done) = current.take() {
            on_record(done.rec);
        }
        return;
    }
    // The elements between <Event> and this one.
    let path = &stack.items[cur.depth + 1..top];
    store(cur, path, &stack.items[top]);
}

fn store(cur: &mut Current, path: &[Open], el: &Open) {
    let rec = &mut cur.rec;
    let value = el.text.trim();
    let section = path.first().map(|o| o.name.as_str());
    match (section, path.len(), el.name.as_str()) {
        (Some("System"), 1, "EventID") => rec.event_id = value.parse().ok(),
        (Some("System"), 1, "Level") => rec.level = value.parse().ok(),
        (Some("System"), 1, "EventRecordID") => rec.record_id = value.parse().ok(),
        (Some("System"), 1, "Channel") => rec.channel = Some(value.to_string()),
        (Some("System"), 1, "Computer") => rec.computer = Some(value.to_string()),
        (Some("EventData"), 1, "Data") => {
            let name = el.data_name.clone().unwrap_or_else(|| cur.unnamed_data_name());
            cur.push_data(name, value);
        }
        (Some("EventData"), 1, "Binary") => cur.push_data("Binary".into(), value),
        (Some("UserData"), n, leaf) if n >= 2 && !el.has_children => cur.push_data(leaf.to_string(), value),
        // RenderedXml carries the message text; CSV exports call the same thing "Message".
        (Some("RenderingInfo"), 1, "Message") if rec.field("Message").is_none() => {
            cur.push_data("Message".into(), value);
        }
        _ => {}
    }
}

fn attr(e: &BytesStart, name: &str) -> Option<String> {
    let a = e.try_get_attribute(name).ok()??;
    a.normalized_value(XmlVersion::Implicit1_0).ok().map(|v| v.into_owned())
}

/// 1-based line of a byte offset.
fn line_at(text: &str, pos: u64) -> usize {
    let end = usize::try_from(pos).unwrap_or(usize::MAX).min(text.len());
    text.as_bytes()[..end].iter().filter(|&&b| b == b'\n').count() + 1
}
