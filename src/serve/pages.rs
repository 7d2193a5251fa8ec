//! The pages of `serve`, rendered on the server: no script at all (the Content-Security-Policy
//! forbids it), forms with GET only, and every text that comes from a bundle escaped.

use super::store::{Cause, Found, Row};
use crate::i18n::Lang;
use crate::report::html::escape;
use std::fmt::Write;

pub const STYLE: &str = "body{font-family:system-ui,'Noto Sans CJK SC','Microsoft YaHei',sans-serif;margin:0;color:#222}\
header{background:#1f3a5f;color:#fff;padding:.6em 1.5em;display:flex;gap:1.5em;align-items:center;flex-wrap:wrap}\
header a{color:#fff;text-decoration:none;font-weight:600}header form{margin-left:auto}\
header input{padding:.3em .5em;width:22em}main{padding:1em 1.5em;max-width:1300px}\
h1{font-size:1.4em}table{border-collapse:collapse;margin:.5em 0;width:100%}\
td,th{border:1px solid #ccc;padding:.3em .5em;text-align:left;vertical-align:top}th{background:#f3f3f3}\
code,pre{font-family:ui-monospace,Consolas,monospace;white-space:pre-wrap;word-break:break-all}\
.sev{display:inline-block;padding:0 .4em;border-radius:3px;color:#fff;font-size:.85em;margin-right:.4em}\
.sev-critical{background:#b00020}.sev-error{background:#d9480f}.sev-warning{background:#b08800}.sev-info{background:#1c7ed6}\
.muted{color:#666}.damaged{color:#b00020}form.compare{margin-top:1.5em}select{max-width:30em}";

/// Picks the zh or en text.
fn t(lang: Lang, zh: &'static str, en: &'static str) -> &'static str {
    if lang.is_zh() {
        zh
    } else {
        en
    }
}

/// `/path` with its query value percent-encoded.
fn link(path: &str, value: &str) -> String {
    let mut out = String::from(path);
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

pub fn layout(lang: Lang, title: &str, query: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width\"><title>{} · cmgelog</title>\
         <link rel=\"stylesheet\" href=\"/style.css\"></head><body>\n<header><a href=\"/\">{}</a>\
         <a href=\"/causes\">{}</a><form action=\"/search\" method=\"get\" role=\"search\">\
         <input type=\"search\" name=\"q\" value=\"{}\" placeholder=\"{}\" aria-label=\"{}\"> \
         <button type=\"submit\">{}</button></form></header>\n<main>\n<h1>{}</h1>\n{body}</main></body></html>\n",
        if lang.is_zh() { "zh-CN" } else { "en" },
        escape(title),
        t(lang, "收件箱", "Inbox"),
        t(lang, "原因统计", "Causes"),
        escape(query),
        t(lang, "序列号、MAC、UUID 或主机名", "serial, MAC, UUID or host name"),
        t(lang, "搜索", "Search"),
        t(lang, "搜索", "Search"),
        escape(title),
    )
}

fn severity(lang: Lang, s: Option<&str>) -> String {
    let Some(s) = s else { return String::new() };
    let label = match (s, lang.is_zh()) {
        ("critical", true) => "严重",
        ("error", true) => "错误",
        ("warning", true) => "警告",
        ("info", true) => "提示",
        (other, _) => other,
    };
    let class: String = s.chars().filter(char::is_ascii_alphabetic).collect();
    format!("<span class=\"sev sev-{class}\">{}</span>", escape(label))
}

fn case_cell(r: &Row) -> String {
    match &r.name {
        Some(n) => format!("<a href=\"{}\">{}</a>", link("/report/", n), escape(&r.case_id)),
        None => format!(
            "{} <span class=\"muted\">{}</span>",
            escape(&r.case_id),
            escape(&r.path)
        ),
    }
}

fn cause_cell(lang: Lang, r: &Row) -> String {
    if r.exit_code == 2 {
        return format!(
            "<span class=\"damaged\">{}</span>",
            t(lang, "包损坏或无法读取", "damaged or unreadable bundle")
        );
    }
    match &r.title {
        Some(title) => format!("{}{}", severity(lang, r.severity.as_deref()), escape(title)),
        None => format!(
            "<span class=\"muted\">{}</span>",
            t(lang, "无已知原因", "no known cause")
        ),
    }
}

/// The start of a table with these column headings (already escaped), up to `<tbody>`.
fn table_start(headings: &[&str]) -> String {
    let cells: String = headings.iter().map(|h| format!("<th>{h}</th>")).collect();
    format!("<table><thead><tr>{cells}</tr></thead><tbody>\n")
}

fn rows_table(lang: Lang, rows: &[Row]) -> String {
    let mut s = table_start(&[
        t(lang, "案例", "Case"),
        t(lang, "主机", "Host"),
        t(lang, "到达时间", "Arrived"),
        t(lang, "最严重的原因", "Most severe cause"),
    ]);
    for r in rows {
        let _ = writeln!(
            s,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            case_cell(r),
            escape(r.host.as_deref().unwrap_or("")),
            escape(r.arrived.as_deref().unwrap_or("")),
            cause_cell(lang, r)
        );
    }
    s.push_str("</tbody></table>\n");
    s
}

pub fn inbox(lang: Lang, rows: &[Row]) -> String {
    let mut body = String::new();
    if rows.is_empty() {
        let _ = writeln!(
            body,
            "<p class=\"muted\">{}</p>",
            t(lang, "还没有收到任何包。", "No bundle has arrived yet.")
        );
    } else {
        body.push_str(&rows_table(lang, rows));
        // Two bundles to compare, from the same list.
        let options: String = rows
            .iter()
            .filter_map(|r| {
                let n = r.name.as_ref()?;
                Some(format!(
                    "<option value=\"{}\">{} · {}</option>",
                    escape(n),
                    escape(&r.case_id),
                    escape(r.host.as_deref().unwrap_or(""))
                ))
            })
            .collect();
        if !options.is_empty() {
            let _ = writeln!(
                body,
                "<form class=\"compare\" action=\"/diff\" method=\"get\"><label>{} <select name=\"a\">{options}</select></label> \
                 <label>{} <select name=\"b\">{options}</select></label> <button type=\"submit\">{}</button></form>",
                t(lang, "比较", "Compare"),
                t(lang, "与", "with"),
                t(lang, "比较", "Compare"),
            );
        }
    }
    layout(lang, t(lang, "收件箱", "Inbox"), "", &body)
}

pub fn search(lang: Lang, q: &str, found: &[Found]) -> String {
    let mut body = String::new();
    if q.trim().is_empty() {
        let _ = writeln!(
            body,
            "<p class=\"muted\">{}</p>",
            t(
                lang,
                "请输入序列号、MAC 地址、UUID 或主机名。",
                "Type a serial, MAC address, UUID or host name."
            )
        );
    } else if found.is_empty() {
        let _ = writeln!(
            body,
            "<p>{} <code>{}</code></p>",
            t(lang, "没有包含此标识的包：", "No bundle holds"),
            escape(q)
        );
    } else {
        body.push_str(&table_start(&[
            t(lang, "案例", "Case"),
            t(lang, "主机", "Host"),
            t(lang, "字段", "Field"),
            t(lang, "值", "Value"),
            t(lang, "位置", "Where"),
        ]));
        for f in found {
            let _ = writeln!(
                body,
                "<tr><td>{}</td><td>{}</td><td><code>{}</code></td><td><code>{}</code></td><td><code>{}</code></td></tr>",
                case_cell(&f.row),
                escape(f.row.host.as_deref().unwrap_or("")),
                escape(&f.field),
                escape(&f.value),
                escape(&f.location)
            );
        }
        body.push_str("</tbody></table>\n");
    }
    layout(lang, t(lang, "搜索", "Search"), q, &body)
}

pub fn causes(lang: Lang, causes: &[Cause]) -> String {
    let mut body = table_start(&[
        t(lang, "原因", "Cause"),
        t(lang, "规则", "Rule"),
        t(lang, "包数", "Bundles"),
    ]);
    for c in causes {
        let _ = writeln!(
            body,
            "<tr><td>{}{}</td><td><code>{}</code></td><td><a href=\"{}\">{}</a></td></tr>",
            severity(lang, Some(&c.severity)),
            escape(&c.title),
            escape(&c.rule),
            link("/causes/", &c.rule),
            c.bundles
        );
    }
    body.push_str("</tbody></table>\n");
    layout(lang, t(lang, "原因统计", "Causes across the fleet"), "", &body)
}

pub fn cause(lang: Lang, rule: &str, rows: &[Row]) -> String {
    let title = format!("{} {rule}", t(lang, "规则", "Rule"));
    layout(lang, &title, "", &rows_table(lang, rows))
}

/// Two bundles side by side: the hardware identity's differences (the text `cmgelog diff`
/// prints) and the causes only one of them has.
pub fn diff(
    lang: Lang,
    a: &Row,
    b: &Row,
    identity: &str,
    fa: &[(String, String, String)],
    fb: &[(String, String, String)],
) -> String {
    let mut body = rows_table(lang, &[a.clone(), b.clone()]);
    let _ = writeln!(
        body,
        "<h2>{}</h2>\n<pre>{}</pre>",
        t(lang, "硬件标识", "Hardware identity"),
        escape(identity)
    );
    let _ = writeln!(body, "<h2>{}</h2>", t(lang, "原因", "Causes"));
    let mut rules: Vec<&(String, String, String)> = fa.iter().chain(fb).collect();
    rules.sort_by(|x, y| x.0.cmp(&y.0));
    rules.dedup_by(|x, y| x.0 == y.0);
    body.push_str(&table_start(&[
        t(lang, "原因", "Cause"),
        &escape(&a.case_id),
        &escape(&b.case_id),
    ]));
    for (rule, sev, title) in rules {
        let has = |f: &[(String, String, String)]| if f.iter().any(|x| &x.0 == rule) { "✓" } else { "" };
        let _ = writeln!(
            body,
            "<tr><td>{}{} <code class=\"muted\">{}</code></td><td>{}</td><td>{}</td></tr>",
            severity(lang, Some(sev)),
            escape(title),
            escape(rule),
            has(fa),
            has(fb)
        );
    }
    body.push_str("</tbody></table>\n");
    layout(lang, t(lang, "比较两个包", "Two bundles compared"), "", &body)
}

pub fn message(lang: Lang, title_zh: &'static str, title_en: &'static str, detail: &str) -> String {
    let body = if detail.is_empty() {
        String::new()
    } else {
        format!("<p><code>{}</code></p>\n", escape(detail))
    };
    layout(lang, t(lang, title_zh, title_en), "", &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundle_text_is_escaped_in_every_cell() {
        let row = Row {
            name: Some("x-0123".into()),
            case_id: "<b>case</b>".into(),
            host: Some("<script>alert(1)</script>".into()),
            title: Some("\"><img src=x>".into()),
            severity: Some("critical\"><x".into()),
            ..Row::default()
        };
        let page = inbox(Lang::En, &[row]);
        assert!(!page.contains("<script>alert"), "{page}");
        assert!(!page.contains("<img"), "{page}");
        assert!(!page.contains("<b>case"), "{page}");
        assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    }

    #[test]
    fn query_values_are_percent_encoded() {
        assert_eq!(link("/causes/", "hw.vm guest"), "/causes/hw.vm%20guest");
        assert_eq!(link("/report/", "案"), "/report/%E6%A1%88");
    }
}
