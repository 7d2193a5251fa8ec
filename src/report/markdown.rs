//! `--format md`: a reply an engineer can paste into the ticket, in the report's language
//! (`--lang`, else the system's).

use super::{error_line, evidence_location};
use crate::analysis::Analysis;
use crate::i18n::Lang;
use std::fmt::Write;

/// Markdown-escapes text that goes into a table cell or inline code.
fn cell(s: &str) -> String {
    super::escape_control(s).replace('|', "\\|").replace('`', "'")
}

pub fn render(a: &Analysis, lang: Lang) -> String {
    let zh = lang.is_zh();
    let t = |z: &'static str, e: &'static str| if zh { z } else { e };
    let mut out = String::new();
    let several = a.inputs.len() > 1;
    let _ = writeln!(out, "{}\n", t("您好，", "Hello,"));
    if a.findings.is_empty() && !a.all_analysed() {
        let _ = writeln!(
            out,
            "{}\n",
            t(
                "我们收到的日志中有无法分析的内容（文件为空、已损坏或不是本工具能识别的格式），因此还不能判断原因。请按说明重新收集并发送完整的日志包。",
                "Part of what you sent could not be analysed (empty, damaged, or not a format this tool reads), so we cannot name a cause yet. Please collect and send the full bundle again as described."
            )
        );
    } else if a.findings.is_empty() {
        let _ = writeln!(
            out,
            "{}\n",
            t(
                "我们分析了您提供的日志，未发现已知的激活问题。请将完整日志包继续保留，我们会进一步排查。",
                "We analysed the logs you sent and found no known activation problem. Please keep the bundle; we will look further."
            )
        );
    } else {
        let _ = writeln!(
            out,
            "{}\n",
            if zh {
                format!(
                    "我们分析了您提供的日志，发现 {} 个问题，按严重程度排列如下：",
                    a.findings.len()
                )
            } else {
                format!(
                    "We analysed the logs you sent and found {} problem(s), most severe first:",
                    a.findings.len()
                )
            }
        );
    }
    for (i, f) in a.findings.iter().enumerate() {
        let _ = writeln!(out, "## {}. {}（{}）\n", i + 1, f.title.get(lang), f.severity.label(zh));
        let _ = writeln!(out, "**{}** {}\n", t("原因：", "Cause:"), f.cause.get(lang));
        for s in &f.summary {
            let _ = writeln!(out, "{}\n", s.get(lang));
        }
        let _ = writeln!(out, "**{}**\n", t("处理办法：", "What to do:"));
        for line in f.remedy.get(lang).lines() {
            let _ = writeln!(out, "{line}");
        }
        out.push('\n');
        if !f.evidence.is_empty() {
            let _ = writeln!(out, "**{}**\n", t("证据：", "Evidence:"));
            let _ = writeln!(
                out,
                "| {} | {} | {} |",
                t("位置", "Where"),
                t("内容", "Text"),
                t("说明", "Note")
            );
            let _ = writeln!(out, "|---|---|---|");
            for e in &f.evidence {
                let note = e.note.as_ref().map(|n| cell(n.get(lang))).unwrap_or_default();
                let _ = writeln!(
                    out,
                    "| `{}` | `{}` | {} |",
                    cell(&evidence_location(e, several)),
                    cell(&e.text),
                    note
                );
            }
            out.push('\n');
        }
        let _ = writeln!(out, "<!-- rule: {} -->\n", f.rule);
    }
    if !a.errors.is_empty() {
        let _ = writeln!(
            out,
            "**{}**\n",
            t(
                "以下文件无法读取（其余内容已分析）：",
                "These files could not be read (the rest was analysed):"
            )
        );
        for e in &a.errors {
            let _ = writeln!(out, "- {}", cell(&error_line(e, lang)));
        }
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "{}",
        t(
            "如有疑问请回复本邮件。",
            "Please reply to this message with any question."
        )
    );
    out
}
