//! Placeholder, replaced by the real extractor.
use super::Machine;
use crate::bundle::{Document, WmiClass};

pub fn extract_list(_doc: &Document, _class: Option<WmiClass>, _machine: &mut Machine) {}
pub fn extract_table(_doc: &Document, _class: Option<WmiClass>, _machine: &mut Machine) {}
pub fn extract_json(_doc: &Document, _class: Option<WmiClass>, _machine: &mut Machine) {}
