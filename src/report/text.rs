//! The terminal report: findings most severe first, each with cause, remedy and evidence.
//! Colour only when the stream is a terminal (anstream strips it otherwise).

use super::{error_line, escape_control, evidence_location};
use crate::analysis::Analysis;
use crate::facts::{Field, Machine};
use crate::i18n::Lang;
use crate::rules::{Finding, Severity};
use anstyle::{AnsiColor, Style};
use std::fmt::Write;

const BOLD: Style = Style::new().bold();
const DIM: Style = Style::new().dimmed();

fn severity_style(s: Severity) -> Style {
    let color = match s {
        Severity::Critical => AnsiColor::Red,
        Severity::Error => AnsiColor::BrightRed,
        Severity::Warning => AnsiColor::Yellow,
        Severity::Info => AnsiColor::Cyan,
    };
    Style::new().fg_color(Some(color.into())).bold()
}

/// Renders the report with ANSI styles; the caller's stream decides whether they are kept.
pub fn render(a: &Analysis, lang: Lang) -> String {
    let zh = lang.is_zh();
    let mut out = String::new();
    let several = a.inputs.len() > 1;
    let inputs = a
        .inputs
        .iter()
        .map(|i| escape_control(i))
        .collect::<Vec<_>>()
        .join(", ");
    let _ = writeln!(
        out,
        "{BOLD}{}{BOLD:#} {inputs}",
        if zh { "分析：" } else { "Analysis of" }
    );
    let _ = writeln!(out, "{DIM}{}{DIM:#}", read_summary(a, zh));
    machine_summary(&mut out, &a.machine, lang);
    out.push('\n');
    if a.findings.is_empty() {
        let _ = writeln!(out, "{}", a.no_findings_text(zh));
    } else {
        let _ = writeln!(
            out,
            "{}",
            if zh {
                format!("发现 {} 个问题（按严重程度排序）：", a.findings.len())
            } else {
                format!("{} finding(s), most severe first:", a.findings.len())
            }
        );
        for f in &a.findings {
            out.push('\n');
            finding(&mut out, f, lang, several);
        }
    }
    if !a.errors.is_empty() {
        out.push('\n');
        let style = severity_style(Severity::Warning);
        let _ = writeln!(
            out,
            "{style}{}{style:#}",
            if zh {
                "无法读取的内容（其余内容已分析）："
            } else {
                "Could not be read (everything else was analysed):"
            }
        );
        for e in &a.errors {
            let _ = writeln!(out, "  {}", error_line(e, lang));
        }
    }
    out
}

fn finding(out: &mut String, f: &Finding, lang: Lang, several: bool) {
    let zh = lang.is_zh();
    let sev = severity_style(f.severity);
    let _ = writeln!(
        out,
        "{sev}[{}]{sev:#} {BOLD}{}{BOLD:#}  {DIM}{}{DIM:#}",
        f.severity.label(zh),
        f.title.get(lang),
        f.rule
    );
    let label = |zh_s: &str, en_s: &str| if zh { zh_s.to_string() } else { en_s.to_string() };
    let _ = writeln!(
        out,
        "  {BOLD}{}{BOLD:#}{}",
        label("原因：", "Cause: "),
        f.cause.get(lang)
    );
    for s in &f.summary {
        let _ = writeln!(out, "  {}", s.get(lang));
    }
    let _ = writeln!(out, "  {BOLD}{}{BOLD:#}", label("处理办法：", "What to do:"));
    for line in f.remedy.get(lang).lines() {
        let _ = writeln!(out, "    {line}");
    }
    if !f.evidence.is_empty() {
        let more = f.match_count.saturating_sub(f.evidence.len());
        let _ = writeln!(out, "  {BOLD}{}{BOLD:#}", label("证据：", "Evidence:"));
        for e in &f.evidence {
            let _ = writeln!(
                out,
                "    {DIM}{}{DIM:#}  {}",
                evidence_location(e, several),
                escape_control(&e.text)
            );
            if let Some(n) = &e.note {
                let _ = writeln!(out, "      → {}", n.get(lang));
            }
        }
        if more > 0 {
            let _ = writeln!(
                out,
                "    {}",
                if zh {
                    format!("……另有 {more} 处")
                } else {
                    format!("... and {more} more")
                }
            );
        }
    }
    if !f.related.is_empty() {
        let _ = writeln!(
            out,
            "  {}{}",
            label("相关结论：", "Related findings: "),
            f.related.join(", ")
        );
    }
}

/// The identity the activation client binds to, as read, so an engineer sees at a glance
/// what the bundle says even when nothing is wrong.
fn machine_summary(out: &mut String, m: &Machine, lang: Lang) {
    let zh = lang.is_zh();
    let show = |f: &Field| match f.best() {
        Some("") => {
            if zh {
                "（空）".to_string()
            } else {
                "(empty)".to_string()
            }
        }
        Some(v) => escape_control(v),
        None => "-".to_string(),
    };
    // "vendor model / SN serial", or nothing when no source reported any of the three.
    let identity = |vendor: &Field, model: &Field, serial: &Field| {
        if [vendor, model, serial].iter().all(|f| !f.is_known()) {
            String::new()
        } else {
            format!("{} {} / SN {}", show(vendor), show(model), show(serial))
        }
    };
    // "EnterpriseG, VOLUME_KMSCLIENT, licensed, KMS kms.gov.local:1688, key ...-ABCDE" per
    // Windows licence with a key installed.
    let licence = m
        .licensing
        .iter()
        .filter(|p| p.in_use())
        .map(|p| {
            let mut parts: Vec<String> = Vec::new();
            for f in [&p.edition, &p.channel] {
                if let Some(v) = f.best().filter(|v| !v.is_empty()) {
                    parts.push(escape_control(v));
                }
            }
            if let Some(st) = p.status() {
                parts.push(st.name().to_string());
            }
            if let Some(k) = p
                .kms_machine
                .best()
                .or(p.kms_discovered.best())
                .filter(|v| !v.is_empty())
            {
                parts.push(format!("KMS {}", escape_control(k)));
            }
            if let Some(k) = p.partial_product_key.best() {
                parts.push(format!(
                    "{} *****-{}",
                    if zh { "密钥" } else { "key" },
                    escape_control(k)
                ));
            }
            parts.join(", ")
        })
        .collect::<Vec<_>>()
        .join("; ");
    let rows: [(&str, &str, String); 6] = [
        (
            "系统",
            "System",
            identity(&m.system.vendor, &m.system.model, &m.system.serial),
        ),
        (
            "主板",
            "Baseboard",
            identity(&m.baseboard.vendor, &m.baseboard.product, &m.baseboard.serial),
        ),
        (
            "硬盘",
            "Disks",
            m.disks
                .iter()
                .map(|d| format!("{} / SN {}", show(&d.model), show(&d.serial)))
                .collect::<Vec<_>>()
                .join("; "),
        ),
        (
            "网卡",
            "Adapters",
            m.nics
                .iter()
                .filter(|n| n.physical.any_true() == Some(true))
                // Linux interfaces have a name but no description.
                .map(|n| {
                    let label = if n.description.is_known() {
                        &n.description
                    } else {
                        &n.name
                    };
                    format!("{} {}", show(label), n.mac.best().unwrap_or(""))
                })
                .collect::<Vec<_>>()
                .join("; "),
        ),
        ("许可", "Licence", licence),
        ("收集", "Collected", collection(m, zh)),
    ];
    for (z, e, v) in rows {
        if !v.is_empty() {
            let _ = writeln!(out, "{DIM}  {:<10}{DIM:#} {v}", if zh { z } else { e });
        }
    }
}

/// "on vm by ci, not elevated, interrupted" per collection manifest: who ran the collector and
/// whether it could see everything (a normal user cannot read the serials; an interrupted run
/// is incomplete).
fn collection(m: &Machine, zh: bool) -> String {
    m.collection
        .iter()
        .map(|c| {
            let host = escape_control(c.host.as_deref().unwrap_or("-"));
            let user = escape_control(c.user.as_deref().unwrap_or("-"));
            let mut parts = vec![if zh {
                format!("主机 {host}，用户 {user}")
            } else {
                format!("on {host} by {user}")
            }];
            if let Some(e) = c.elevated {
                parts.push(
                    match (e, zh) {
                        (true, true) => "管理员权限",
                        (false, true) => "非管理员",
                        (true, false) => "elevated",
                        (false, false) => "not elevated",
                    }
                    .to_string(),
                );
            }
            if c.interrupted == Some(true) {
                parts.push(if zh { "被中断" } else { "interrupted" }.to_string());
            }
            parts.join(if zh { "，" } else { ", " })
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// "3 files read, 1 problem; 1,881 event records": what was read, in one line.
fn read_summary(a: &Analysis, zh: bool) -> String {
    let events: usize = a.documents.iter().filter_map(|d| d.events).sum();
    let logs = a.documents.iter().filter(|d| d.events.is_some()).count();
    let mut s = if zh {
        format!("读取了 {} 个文件，{} 处无法读取", a.documents.len(), a.errors.len())
    } else {
        format!(
            "{} files read, {} problem(s) reading",
            a.documents.len(),
            a.errors.len()
        )
    };
    if logs > 0 {
        s.push_str(&if zh {
            format!("；{logs} 个事件日志共 {events} 条记录")
        } else {
            format!("; {events} event records in {logs} event log(s)")
        });
    }
    s
}
