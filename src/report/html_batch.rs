//! `batch --format html`: the summary first (totals, a table per cause with a bar chart drawn
//! in inline SVG, the unreadable bundles by reason), then one row per bundle with its
//! findings and their first evidence (file and line). The summary is known only at the end,
//! so bundle rows are parked in an anonymous temporary file as they come and copied after
//! it: memory stays flat.

use super::batch::BatchWriter;
use super::html::{badge, escape, page_start, rank, sort_button, PAGE_END};
use crate::batch::{BundleRecord, Summary};
use crate::i18n::Lang;
use std::fmt::Write as _;
use std::fs::File;
use std::io::{self, BufWriter, Seek, SeekFrom, Write};

const BAR_WIDTH: u64 = 240;

pub struct HtmlBatchWriter<W: Write> {
    out: W,
    parked: BufWriter<File>,
    lang: Lang,
    rows: u64,
}

impl<W: Write> HtmlBatchWriter<W> {
    pub fn new(out: W, lang: Lang) -> io::Result<Self> {
        Ok(HtmlBatchWriter {
            out,
            parked: BufWriter::new(tempfile::tempfile()?),
            lang,
            rows: 0,
        })
    }
}

impl<W: Write> BatchWriter for HtmlBatchWriter<W> {
    fn record(&mut self, r: &BundleRecord) -> io::Result<()> {
        let zh = self.lang.is_zh();
        let worst = r.findings.iter().map(|f| rank(f.severity)).max().unwrap_or(0);
        let mut row = format!(
            "<tr data-severity=\"{worst}\"><td><code>{}</code></td><td>{}</td><td>{}</td><td>",
            escape(&r.path),
            escape(r.identity.host.as_deref().unwrap_or("-")),
            r.exit_code
        );
        for f in &r.findings {
            let at = f
                .evidence
                .as_ref()
                .map(|e| {
                    let line = e.line.map(|l| format!(":{l}")).unwrap_or_default();
                    format!(" <code>{}{line}</code>", escape(&e.path))
                })
                .unwrap_or_default();
            let _ = write!(
                row,
                "<div>{} {} <span class=\"rule\">{}</span>{at}</div>",
                badge(f.severity, zh),
                escape(&f.title),
                escape(&f.rule)
            );
        }
        for e in &r.errors {
            let _ = write!(
                row,
                "<div>⚠ <code>{}</code> {}</div>",
                escape(&e.code),
                escape(&e.message)
            );
        }
        row.push_str("</td></tr>\n");
        self.rows += 1;
        self.parked.write_all(row.as_bytes())
    }

    fn summary(&mut self, s: &Summary) -> io::Result<()> {
        let zh = self.lang.is_zh();
        let t = |z: &'static str, e: &'static str| if zh { z } else { e };
        let mut head = page_start(t("cmgelog 批量分析报告", "cmgelog batch report"), self.lang);
        let _ = writeln!(
            head,
            "<p id=\"totals\">{}</p>",
            if zh {
                format!(
                    "共 <b>{}</b> 个日志包：<b>{}</b> 个有发现，<b>{}</b> 个无法（完整）读取。",
                    s.bundles, s.with_findings, s.failed
                )
            } else {
                format!(
                    "<b>{}</b> bundles: <b>{}</b> with findings, <b>{}</b> could not be (fully) read.",
                    s.bundles, s.with_findings, s.failed
                )
            }
        );
        causes(&mut head, s, zh);
        errors(&mut head, s, zh);
        self.out.write_all(head.as_bytes())?;
        if self.rows > 0 {
            let mut table = format!("<h2>{}</h2>\n{}", t("各日志包", "Bundles"), sort_button("bundles", zh));
            let _ = writeln!(
                table,
                "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody id=\"bundles\">",
                t("日志包", "Bundle"),
                t("主机名", "Host"),
                t("退出码", "Exit"),
                t("发现与错误", "Findings and errors")
            );
            self.out.write_all(table.as_bytes())?;
            let mut parked = std::mem::replace(&mut self.parked, BufWriter::new(tempfile::tempfile()?))
                .into_inner()
                .map_err(|e| e.into_error())?;
            parked.seek(SeekFrom::Start(0))?;
            io::copy(&mut parked, &mut self.out)?;
            self.out.write_all(b"</tbody></table>\n")?;
        }
        self.out.write_all(PAGE_END.as_bytes())?;
        self.out.flush()
    }
}

fn causes(out: &mut String, s: &Summary, zh: bool) {
    let t = |z: &'static str, e: &'static str| if zh { z } else { e };
    let _ = writeln!(out, "<h2>{}</h2>", t("按原因统计", "By cause"));
    if s.causes.is_empty() {
        let _ = writeln!(out, "<p>{}</p>", t("未发现已知问题。", "No known problem found."));
        return;
    }
    let max = s.causes.iter().map(|c| c.bundles).max().unwrap_or(1).max(1);
    let _ = writeln!(
        out,
        "<table id=\"causes\"><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th></th></tr>",
        t("严重程度", "Severity"),
        t("规则", "Rule"),
        t("原因", "Cause"),
        t("日志包数", "Bundles")
    );
    for c in &s.causes {
        let w = (c.bundles * BAR_WIDTH).div_ceil(max);
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td><code>{}</code></td><td>{}</td><td class=\"count\">{}</td>\
             <td><svg width=\"{BAR_WIDTH}\" height=\"14\" role=\"img\" aria-label=\"{}\"><rect class=\"bar\" width=\"{w}\" height=\"14\"/></svg></td></tr>",
            badge(c.severity, zh),
            escape(&c.rule),
            escape(&c.title),
            c.bundles,
            c.bundles
        );
    }
    out.push_str("</table>\n");
}

fn errors(out: &mut String, s: &Summary, zh: bool) {
    if s.errors.is_empty() {
        return;
    }
    let t = |z: &'static str, e: &'static str| if zh { z } else { e };
    let _ = writeln!(
        out,
        "<h2>{}</h2>\n<table id=\"errors\"><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
        t("无法读取的日志包", "Bundles that could not be read"),
        t("原因", "Reason"),
        t("说明", "Message"),
        t("日志包数", "Bundles"),
        t("日志包", "Paths")
    );
    for e in &s.errors {
        let paths: Vec<String> = e
            .paths
            .iter()
            .take(20)
            .map(|p| format!("<code>{}</code>", escape(p)))
            .collect();
        let _ = writeln!(
            out,
            "<tr><td><code>{}</code></td><td>{}</td><td class=\"count\">{}</td><td>{}</td></tr>",
            escape(&e.code),
            escape(&e.message),
            e.bundles,
            paths.join("<br>")
        );
    }
    out.push_str("</table>\n");
}
