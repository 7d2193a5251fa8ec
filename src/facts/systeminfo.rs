//! Placeholder, replaced by the real extractor.
use super::Machine;
use crate::bundle::Document;

pub fn extract(_doc: &Document, _machine: &mut Machine) {}
