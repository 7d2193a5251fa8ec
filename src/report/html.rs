//! `--format html` for one machine: a self-contained page (styles and a few lines of script
//! inline, nothing fetched), in Chinese or English. Findings can be re-sorted by severity;
//! evidence is shown with its file and line. Every piece of text from a bundle (log lines,
//! file names, values) goes through [`escape`]: log lines are hostile.

use super::{error_line, evidence_location};
use crate::analysis::Analysis;
use crate::fingerprint::Fingerprint;
use crate::i18n::Lang;
use crate::rules::{Finding, Severity};
use std::fmt::Write;

/// HTML-escapes text for element content and quoted attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && c != '\n' && c != '\t' => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "body{font-family:system-ui,'Noto Sans CJK SC','Microsoft YaHei',sans-serif;margin:2em;color:#222;max-width:1200px}\
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:1.5em}\
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:.25em .5em;text-align:left;vertical-align:top}\
th{background:#f3f3f3}code,pre{font-family:ui-monospace,Consolas,monospace;white-space:pre-wrap;word-break:break-all}\
.sev{display:inline-block;padding:0 .4em;border-radius:3px;color:#fff;font-size:.85em}\
.sev-3{background:#b00020}.sev-2{background:#d9480f}.sev-1{background:#b08800}.sev-0{background:#1c7ed6}\
.finding{border:1px solid #ddd;border-radius:4px;padding:.5em 1em;margin:.75em 0}\
.finding h3{margin:.2em 0;font-size:1.05em}.rule{color:#666;font-size:.85em}\
.bar{fill:#d9480f}.muted{color:#666}button{margin:.5em 0}";

/// Re-orders the children of a container by their `data-severity` (most severe first, then
/// least severe first on the next click). Buttons are wired here, not with `onclick`
/// attributes, so the page also works under `serve`'s Content-Security-Policy (which allows
/// this script by its hash, and no inline handlers).
const SORT_SCRIPT: &str = "function sortBySeverity(id){var c=document.getElementById(id);\
var asc=c.getAttribute('data-order')!=='asc';c.setAttribute('data-order',asc?'asc':'desc');\
Array.prototype.slice.call(c.children).filter(function(e){return e.hasAttribute('data-severity')})\
.sort(function(a,b){var x=+a.getAttribute('data-severity'),y=+b.getAttribute('data-severity');return asc?x-y:y-x})\
.forEach(function(e){c.appendChild(e)});}\
document.addEventListener('DOMContentLoaded',function(){\
Array.prototype.forEach.call(document.querySelectorAll('button[data-sort]'),function(b){\
b.addEventListener('click',function(){sortBySeverity(b.getAttribute('data-sort'))})})});";

/// Severity as a number for sorting (3 = critical).
pub(crate) fn rank(s: Severity) -> u8 {
    match s {
        Severity::Critical => 3,
        Severity::Error => 2,
        Severity::Warning => 1,
        Severity::Info => 0,
    }
}

pub(crate) fn badge(s: Severity, zh: bool) -> String {
    format!("<span class=\"sev sev-{}\">{}</span>", rank(s), escape(s.label(zh)))
}

/// The start of a page, up to and including `<body>` and the `<h1>`.
pub(crate) fn page_start(title: &str, lang: Lang) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width\"><title>{t}</title>\
         <style>{STYLE}</style><script>{SORT_SCRIPT}</script></head><body>\n<h1>{t}</h1>\n",
        if lang.is_zh() { "zh-CN" } else { "en" },
        t = escape(title)
    )
}

pub(crate) const PAGE_END: &str = "</body></html>\n";

pub(crate) fn sort_button(container: &str, zh: bool) -> String {
    format!(
        "<button type=\"button\" data-sort=\"{container}\">{}</button>\n",
        if zh {
            "按严重程度排序"
        } else {
            "Sort by severity"
        }
    )
}

pub fn render(a: &Analysis, lang: Lang) -> String {
    let zh = lang.is_zh();
    let t = |z: &'static str, e: &'static str| if zh { z } else { e };
    let mut out = page_start(t("cmgelog 分析报告", "cmgelog analysis report"), lang);
    let inputs: Vec<String> = a.inputs.iter().map(|i| format!("<code>{}</code>", escape(i))).collect();
    let _ = writeln!(out, "<p>{} {}</p>", t("输入：", "Inputs:"), inputs.join(", "));
    identity_table(&mut out, &Fingerprint::of(&a.machine), zh);
    let _ = writeln!(out, "<h2>{}</h2>", t("发现的问题", "Findings"));
    if a.findings.is_empty() {
        let _ = writeln!(out, "<p>{}</p>", a.no_findings_text(zh));
    } else {
        out.push_str(&sort_button("findings", zh));
        out.push_str("<div id=\"findings\">\n");
        let several = a.inputs.len() > 1;
        for f in &a.findings {
            finding(&mut out, f, lang, several);
        }
        out.push_str("</div>\n");
    }
    if !a.errors.is_empty() {
        let _ = writeln!(out, "<h2>{}</h2><ul>", t("无法读取的内容", "Could not be read"));
        for e in &a.errors {
            let _ = writeln!(out, "<li><code>{}</code></li>", escape(&error_line(e, lang)));
        }
        out.push_str("</ul>\n");
    }
    out.push_str(PAGE_END);
    out
}

/// The hardware identity activation binds to, with where each part was read.
fn identity_table(out: &mut String, fp: &Fingerprint, zh: bool) {
    let t = |z: &'static str, e: &'static str| if zh { z } else { e };
    let _ = writeln!(out, "<h2>{}</h2>", t("硬件标识", "Hardware identity"));
    if fp.parts.is_empty() && fp.set_aside.is_empty() {
        let _ = writeln!(
            out,
            "<p class=\"muted\">{}</p>",
            t("未读到硬件信息。", "No hardware inventory was read.")
        );
        return;
    }
    let _ = writeln!(
        out,
        "<table><tr><th>{}</th><th>{}</th><th>{}</th></tr>",
        t("项目", "Part"),
        t("值", "Value"),
        t("来源", "Source")
    );
    for p in &fp.parts {
        let value = if p.value.is_empty() {
            t("（空）", "(empty)").to_string()
        } else {
            escape(&p.value)
        };
        let detail = p
            .detail
            .as_deref()
            .map(|d| format!(" <span class=\"muted\">{}</span>", escape(d)))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td><code>{value}</code>{detail}</td><td><code>{}</code></td></tr>",
            escape(p.key.label(zh)),
            escape(&super::location(&p.source.input, &p.source.path, p.source.line, false))
        );
    }
    for s in &fp.set_aside {
        let _ = writeln!(
            out,
            "<tr class=\"muted\"><td>{}</td><td><code>{}</code> {}</td><td><code>{}</code></td></tr>",
            escape(s.part.key.label(zh)),
            if s.part.value.is_empty() {
                t("（空）", "(empty)").to_string()
            } else {
                escape(&s.part.value)
            },
            escape(&format!(
                "{}{}",
                t("不计入指纹：", "not in the fingerprint: "),
                s.reason.describe(zh)
            )),
            escape(&super::location(
                &s.part.source.input,
                &s.part.source.path,
                s.part.source.line,
                false
            ))
        );
    }
    let _ = writeln!(
        out,
        "</table>\n<p class=\"muted\">{} <code>{}</code></p>",
        t("指纹：", "Fingerprint:"),
        fp.hash
    );
}

fn finding(out: &mut String, f: &Finding, lang: Lang, several: bool) {
    let zh = lang.is_zh();
    let t = |z: &'static str, e: &'static str| if zh { z } else { e };
    let _ = writeln!(
        out,
        "<section class=\"finding\" data-severity=\"{}\"><h3>{} {} <span class=\"rule\">{}</span></h3>",
        rank(f.severity),
        badge(f.severity, zh),
        escape(f.title.get(lang)),
        escape(&f.rule)
    );
    let _ = writeln!(
        out,
        "<p><b>{}</b> {}</p>",
        t("原因：", "Cause:"),
        escape(f.cause.get(lang))
    );
    for s in &f.summary {
        let _ = writeln!(out, "<p>{}</p>", escape(s.get(lang)));
    }
    let _ = writeln!(
        out,
        "<p><b>{}</b></p><pre>{}</pre>",
        t("处理办法：", "What to do:"),
        escape(f.remedy.get(lang))
    );
    if !f.evidence.is_empty() {
        let _ = writeln!(
            out,
            "<table class=\"evidence\"><tr><th>{}</th><th>{}</th><th>{}</th></tr>",
            t("位置", "Location"),
            t("内容", "Text"),
            t("说明", "Note")
        );
        for e in &f.evidence {
            let _ = writeln!(
                out,
                "<tr><td><code>{}</code></td><td><code>{}</code></td><td>{}</td></tr>",
                escape(&evidence_location(e, several)),
                escape(&e.text),
                e.note.as_ref().map(|n| escape(n.get(lang))).unwrap_or_default()
            );
        }
        out.push_str("</table>\n");
        let more = f.match_count.saturating_sub(f.evidence.len());
        if more > 0 {
            let _ = writeln!(
                out,
                "<p class=\"muted\">{}</p>",
                if zh {
                    format!("……另有 {more} 处")
                } else {
                    format!("... and {more} more")
                }
            );
        }
    }
    out.push_str("</section>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_text_is_escaped() {
        assert_eq!(
            escape("<script>alert('x')</script>&\"\u{1b}"),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;\\u{1b}"
        );
    }
}
