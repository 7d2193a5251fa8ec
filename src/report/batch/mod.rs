//! Writers of a batch: each receives the bundle records as they come, then the summary. They
//! write as they go and keep nothing per bundle (the HTML writer parks the bundle sections in
//! a temporary file, because its summary comes first on the page).

pub mod csv;
pub mod jsonl;
pub mod text;

use crate::batch::{BundleRecord, Summary};
use std::io;

pub trait BatchWriter {
    fn record(&mut self, r: &BundleRecord) -> io::Result<()>;
    /// Writes the summary and flushes; called once, last.
    fn summary(&mut self, s: &Summary) -> io::Result<()>;
}
