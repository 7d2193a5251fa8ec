//! Fact extraction: one file per source format, each recognising its documents and filling
//! the [`Machine`] model with values that keep their source, registered in one list
//! ([`formats::FORMATS`]). Extractors know nothing of rules; they are tolerant (a line they
//! cannot parse is skipped, never a panic).

mod detect_virt;
mod dmidecode;
mod event_logs;
mod event_signals;
pub mod formats;
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
mod paste;
pub mod paths;
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
pub use formats::{extract_one, into_documents};
pub use model::{Basis, Field, Flag, Machine, Observed, Source, Strength, VmSignal};

use crate::bundle::Document;

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
