//! `--format text`: one line per bundle as it is done, then the summary: per cause the count
//! and the first paths (all counts exact, at most [`PATHS_SHOWN`] paths printed per cause).

use super::BatchWriter;
use crate::batch::{BundleRecord, Summary};
use crate::i18n::Lang;
use crate::report::escape_control;
use std::io::{self, Write};

/// Paths printed under each cause; the JSONL output or the index has them all.
pub const PATHS_SHOWN: usize = 10;

pub struct TextWriter<W: Write> {
    out: W,
    lang: Lang,
}

impl<W: Write> TextWriter<W> {
    pub fn new(out: W, lang: Lang) -> Self {
        TextWriter { out, lang }
    }
}

impl<W: Write> BatchWriter for TextWriter<W> {
    fn record(&mut self, r: &BundleRecord) -> io::Result<()> {
        let mut parts: Vec<String> = r
            .findings
            .iter()
            .map(|f| format!("{}({})", f.rule, f.severity.name()))
            .collect();
        parts.extend(r.errors.iter().map(|e| format!("!{}", e.code)));
        let host = r.identity.host.as_deref().unwrap_or("-");
        writeln!(
            self.out,
            "{} {}  [{}]  {}",
            r.exit_code,
            escape_control(&r.path),
            escape_control(host),
            if parts.is_empty() {
                "-".to_string()
            } else {
                parts.join(" ")
            }
        )?;
        self.out.flush()
    }

    fn summary(&mut self, s: &Summary) -> io::Result<()> {
        let zh = self.lang.is_zh();
        let out = &mut self.out;
        if zh {
            writeln!(
                out,
                "\n共 {} 个日志包：{} 个有发现，{} 个无法（完整）读取。",
                s.bundles, s.with_findings, s.failed
            )?;
        } else {
            writeln!(
                out,
                "\n{} bundles: {} with findings, {} could not be (fully) read.",
                s.bundles, s.with_findings, s.failed
            )?;
        }
        if !s.causes.is_empty() {
            writeln!(out, "{}", if zh { "按原因：" } else { "By cause:" })?;
        }
        for c in &s.causes {
            writeln!(
                out,
                "  {:>6}  {:<8} {:<30} {}",
                c.bundles,
                c.severity.label(zh),
                c.rule,
                c.title
            )?;
            paths(out, &c.paths, c.bundles, zh)?;
        }
        if !s.errors.is_empty() {
            writeln!(out, "{}", if zh { "无法读取：" } else { "Could not be read:" })?;
        }
        for e in &s.errors {
            writeln!(out, "  {:>6}  {:<20} {}", e.bundles, e.code, escape_control(&e.message))?;
            paths(out, &e.paths, e.bundles, zh)?;
        }
        out.flush()
    }
}

fn paths(out: &mut impl Write, paths: &[String], count: u64, zh: bool) -> io::Result<()> {
    for p in paths.iter().take(PATHS_SHOWN) {
        writeln!(out, "          {}", escape_control(p))?;
    }
    let more = count.saturating_sub(PATHS_SHOWN.min(paths.len()) as u64);
    if more > 0 {
        if zh {
            writeln!(out, "          ……另有 {more} 个")?;
        } else {
            writeln!(out, "          ... and {more} more")?;
        }
    }
    Ok(())
}
