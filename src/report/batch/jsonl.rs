//! `--format jsonl`: one JSON object per line, `"type": "bundle"` for each bundle (the form is
//! documented on `batch::record::BundleRecord`), then one `"type": "summary"` line
//! (`batch::summary::Summary`). Lines are flushed as written, so a consumer can follow them.

use super::BatchWriter;
use crate::batch::{BundleRecord, Summary};
use std::io::{self, Write};

pub struct JsonlWriter<W: Write> {
    out: W,
}

impl<W: Write> JsonlWriter<W> {
    pub fn new(out: W) -> Self {
        JsonlWriter { out }
    }

    fn line(&mut self, value: &impl serde::Serialize) -> io::Result<()> {
        serde_json::to_writer(&mut self.out, value)?;
        self.out.write_all(b"\n")?;
        self.out.flush()
    }
}

impl<W: Write> BatchWriter for JsonlWriter<W> {
    fn record(&mut self, r: &BundleRecord) -> io::Result<()> {
        self.line(r)
    }
    fn summary(&mut self, s: &Summary) -> io::Result<()> {
        self.line(s)
    }
}
