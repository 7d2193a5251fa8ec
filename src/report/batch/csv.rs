//! `--format csv`: one row per bundle with the columns below. A CSV file holds one table, so
//! the summary is not appended to it: the CLI prints it to stderr, and `--summary` writes the
//! summary table (`kind,id,severity,title,bundles`) instead of the bundle rows.
//!
//! Bundle columns: `path,size,sha256,exit_code,host,system_serial,baseboard_serial,fingerprint,
//! findings,errors`; `findings` is `rule:severity` joined by `;`, `errors` the error codes
//! joined by `;`.

use super::BatchWriter;
use crate::batch::{BundleRecord, Summary};
use std::io::{self, Write};

pub struct CsvWriter<W: Write> {
    out: csv::Writer<W>,
    header_written: bool,
    records_written: bool,
}

impl<W: Write> CsvWriter<W> {
    pub fn new(out: W) -> Self {
        CsvWriter {
            out: csv::Writer::from_writer(out),
            header_written: false,
            records_written: false,
        }
    }

    fn row<I: AsRef<[u8]>>(&mut self, fields: impl IntoIterator<Item = I>) -> io::Result<()> {
        self.out.write_record(fields).map_err(io::Error::other)
    }
}

impl<W: Write> BatchWriter for CsvWriter<W> {
    fn record(&mut self, r: &BundleRecord) -> io::Result<()> {
        if !self.header_written {
            self.row([
                "path",
                "size",
                "sha256",
                "exit_code",
                "host",
                "system_serial",
                "baseboard_serial",
                "fingerprint",
                "findings",
                "errors",
            ])?;
            self.header_written = true;
        }
        self.records_written = true;
        let opt = |s: &Option<String>| s.clone().unwrap_or_default();
        let findings: Vec<String> = r
            .findings
            .iter()
            .map(|f| format!("{}:{}", f.rule, f.severity.name()))
            .collect();
        let errors: Vec<&str> = r.errors.iter().map(|e| e.code.as_str()).collect();
        self.row([
            r.path.clone(),
            r.size.map(|s| s.to_string()).unwrap_or_default(),
            opt(&r.sha256),
            r.exit_code.to_string(),
            opt(&r.identity.host),
            opt(&r.identity.system_serial),
            opt(&r.identity.baseboard_serial),
            opt(&r.identity.fingerprint),
            findings.join(";"),
            errors.join(";"),
        ])?;
        self.out.flush()
    }

    fn summary(&mut self, s: &Summary) -> io::Result<()> {
        if !self.records_written {
            self.row(["kind", "id", "severity", "title", "bundles"])?;
            for (id, n) in [
                ("bundles", s.bundles),
                ("with_findings", s.with_findings),
                ("failed", s.failed),
            ] {
                self.row(["total", id, "", "", &n.to_string()])?;
            }
            for c in &s.causes {
                self.row(["cause", &c.rule, c.severity.name(), &c.title, &c.bundles.to_string()])?;
            }
            for e in &s.errors {
                self.row(["error", &e.code, "", &e.message, &e.bundles.to_string()])?;
            }
        }
        self.out.flush()
    }
}
