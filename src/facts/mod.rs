//! Fact extraction: one extractor per source format, each filling the [`Machine`] model with
//! values that keep their source. Extractors know nothing of rules; they are tolerant (a line
//! they cannot parse is skipped, never a panic).

mod detect_virt;
mod dmidecode;
mod event_signals;
mod hostname;
pub mod inventory;
mod ip_json;
mod ipconfig;
mod json_lines;
pub mod licensing;
mod lsblk;
pub mod manifest;
pub mod model;
pub mod nic_kind;
mod os_release;
pub mod placeholder;
pub mod platform;
mod slmgr;
mod sys_class_net;
mod sysfs;
mod systeminfo;
pub mod upgrade;
pub mod virt;
#[cfg(test)]
mod vm_real_files;
mod wmi;

pub use event_signals::EventFacts;
pub use model::{Basis, Field, Flag, Machine, Observed, Source, Strength, VmSignal};

use crate::bundle::{Document, Kind};

/// Builds the machine model from all documents of one machine (one or several inputs).
pub fn extract(docs: &[Document]) -> Machine {
    let mut machine = Machine::default();
    for doc in docs {
        extract_one(doc, &mut machine);
    }
    virt::add_derived_signals(&mut machine);
    machine.platform = platform::of(docs, &machine);
    machine
}

/// Runs the extractor that fits one document's kind.
pub fn extract_one(doc: &Document, machine: &mut Machine) {
    match &doc.kind {
        Kind::Dmidecode => dmidecode::extract(doc, machine),
        Kind::SysfsDmi => sysfs::extract(doc, machine),
        Kind::WmicList(class) => wmi::extract_list(doc, *class, machine),
        Kind::WmicTable(class) => wmi::extract_table(doc, *class, machine),
        Kind::PsJson(class) => wmi::extract_json(doc, *class, machine),
        Kind::Systeminfo => systeminfo::extract(doc, machine),
        Kind::Ipconfig => ipconfig::extract(doc, machine),
        Kind::Slmgr => slmgr::extract(doc, machine),
        Kind::SetupLog | Kind::CbsLog | Kind::WindowsUpdateLog => upgrade::extract(doc, machine),
        Kind::LsblkJson => lsblk::extract(doc, machine),
        Kind::IpJson => ip_json::extract(doc, machine),
        Kind::SysClassNet => sys_class_net::extract(doc, machine),
        Kind::DetectVirt => detect_virt::extract(doc, machine),
        Kind::OsRelease => os_release::extract(doc, machine),
        Kind::Hostname => hostname::extract(doc, machine),
        Kind::Manifest => manifest::extract(doc, machine),
        Kind::ProcessList => inventory::extract_processes(doc, machine),
        Kind::SoftwareList => inventory::extract_software(doc, machine),
        Kind::Evtx | Kind::Text | Kind::Binary => {}
    }
}

impl Source {
    /// The source of line `line` (1-based) of a document, with that line's text. A full
    /// product key in the text keeps only its last group (`privacy::mask_product_keys`): the
    /// evidence of a fact never carries a key.
    pub fn at(doc: &Document, line: usize, text: &str) -> Source {
        Source {
            input: doc.input.clone(),
            path: doc.path.clone(),
            line: Some(line),
            text: crate::privacy::mask_product_keys(text.trim()).into_owned(),
        }
    }
}
