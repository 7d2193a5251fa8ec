//! The text (and Markdown) rendering of one explained code.

use super::Explained;
use cmgelog::i18n::Lang;
use cmgelog::knowledge::{Code, CodeInfo, ExtendCode, Knowledge, Via};
use std::fmt::Write as _;

/// Labels, in the user's language.
struct Words {
    area: &'static str,
    decimal: &'static str,
    signed: &'static str,
    facility: &'static str,
    code: &'static str,
    win32: &'static str,
    extend: &'static str,
    phase: &'static str,
    operation: &'static str,
    failure: &'static str,
    success: &'static str,
    meaning: &'static str,
    remedy: &'static str,
    see_also: &'static str,
    extended_entries: &'static str,
    rules: &'static str,
    no_rules: &'static str,
    sources: &'static str,
    /// `：` for Chinese, `: ` for English.
    colon: &'static str,
}

const ZH: Words = Words {
    area: "类别",
    decimal: "十进制",
    signed: "有符号",
    facility: "设施（facility）",
    code: "代码",
    win32: "Win32 错误",
    extend: "扩展代码",
    phase: "阶段",
    operation: "操作",
    failure: "失败",
    success: "成功/信息",
    meaning: "含义",
    remedy: "处理建议",
    see_also: "另见通用说明",
    extended_entries: "另有单独说明的扩展代码",
    rules: "检测此代码的规则",
    no_rules: "没有规则检测此代码",
    sources: "来源",
    colon: "：",
};

const EN: Words = Words {
    area: "Area",
    decimal: "Decimal",
    signed: "signed",
    facility: "Facility",
    code: "code",
    win32: "Win32 error",
    extend: "Extend code",
    phase: "phase",
    operation: "operation",
    failure: "failure",
    success: "success/information",
    meaning: "Meaning",
    remedy: "What to do",
    see_also: "See also the general advice",
    extended_entries: "Extend codes with their own advice",
    rules: "Rules that detect it",
    no_rules: "No rule detects this code",
    sources: "Sources",
    colon: ": ",
};

/// Text or Markdown output: the same content, Markdown adds headings and list markers.
struct Out<'a> {
    s: String,
    w: &'a Words,
    md: bool,
}

impl Out<'_> {
    fn line(&mut self, text: &str) {
        let _ = writeln!(self.s, "{text}");
    }

    /// A fact line: `  Area: activation` (`- Area: activation` in Markdown).
    fn fact(&mut self, label: &str, value: &str) {
        let bullet = if self.md { "- " } else { "  " };
        let _ = writeln!(self.s, "{bullet}{label}{}{value}", self.w.colon);
    }

    fn heading(&mut self, label: &str) {
        if self.md {
            let _ = writeln!(self.s, "\n### {label}\n");
        } else {
            let _ = writeln!(self.s, "\n{label}{}", self.w.colon.trim_end());
        }
    }

    /// A heading and a multi-line body, indented in text.
    fn section(&mut self, label: &str, body: &str) {
        self.heading(label);
        let indent = if self.md { "" } else { "  " };
        for line in body.trim().lines() {
            let _ = writeln!(self.s, "{indent}{}", line.trim_end());
        }
    }

    fn item(&mut self, text: &str) {
        let bullet = if self.md { "- " } else { "  " };
        let _ = writeln!(self.s, "{bullet}{text}");
    }
}

/// The block for one code: heading, numbers, meaning, remedy, rules, sources.
pub fn render(e: &Explained, knowledge: &Knowledge, lang: Lang, md: bool) -> String {
    let w = match lang {
        Lang::Zh => &ZH,
        Lang::En => &EN,
    };
    let mut out = Out {
        s: String::new(),
        w,
        md,
    };
    head(&mut out, e, lang);
    numbers(&mut out, e, lang);
    if let Some((info, via)) = e.entry {
        advice(&mut out, e.code, info, via, knowledge, lang);
    }
    out.heading(w.rules);
    if e.rules.is_empty() {
        out.item(w.no_rules);
    }
    for r in &e.rules {
        out.item(&format!(
            "{}  [{}]  {}",
            r.id,
            r.severity.label(lang.is_zh()),
            r.title().get(lang)
        ));
    }
    if let Some((info, _)) = e.entry {
        out.heading(w.sources);
        for src in &info.sources {
            out.item(&if md { src.clone() } else { format!("- {src}") });
        }
    }
    out.s
}

/// `0xC004F074  SL_E_...` and the title; for an unknown code, the message saying so.
fn head(out: &mut Out, e: &Explained, lang: Lang) {
    let mut heading = match e.extend {
        Some(x) => format!("{} - {x}", e.code),
        None => e.code.to_string(),
    };
    if let Some(sym) = e.entry.and_then(|(i, _)| i.symbol.as_deref()) {
        heading = format!("{heading}  {sym}");
    }
    match (e.entry, out.md) {
        (Some((info, _)), true) => out.line(&format!("## {heading}\n\n**{}**\n", info.title.get(lang))),
        (Some((info, _)), false) => out.line(&format!("{heading}\n{}", info.title.get(lang))),
        (None, true) => out.line(&format!("## {heading}\n")),
        (None, false) => out.line(&heading),
    }
    if e.entry.is_none() {
        out.line(&unknown_message(e.code, e.extend, lang));
    }
}

/// Area, decimal forms, facility or Win32 number, extend code.
fn numbers(out: &mut Out, e: &Explained, lang: Lang) {
    let w = out.w;
    if let Some((info, _)) = e.entry {
        out.fact(w.area, info.area.label(lang));
    }
    let decimal = match (e.code.signed() < 0, lang) {
        (false, _) => e.code.0.to_string(),
        (true, Lang::Zh) => format!("{}（{} {}）", e.code.0, w.signed, e.code.signed()),
        (true, Lang::En) => format!("{} ({} {})", e.code.0, w.signed, e.code.signed()),
    };
    out.fact(w.decimal, &decimal);
    match (e.code.win32(), e.code.from_win32()) {
        // A bare Win32 number has no facility; say which HRESULT it is instead.
        (_, Some(hr)) => out.fact(w.win32, &format!("{} (0x{:X}) → HRESULT {hr}", e.code.0, e.code.0)),
        (win32, None) => {
            out.fact(w.facility, &facility_text(e.code, w));
            if let Some(n) = win32 {
                out.fact(w.win32, &format!("{n} (0x{n:X})"));
            }
        }
    }
    if let Some(x) = e.extend {
        out.fact(w.extend, &extend_text(x, w));
    }
}

/// How the entry was found, meaning, remedy, and pointers between a setup result and its
/// extend-code entries.
fn advice(out: &mut Out, code: Code, info: &CodeInfo, via: Via, knowledge: &Knowledge, lang: Lang) {
    let w = out.w;
    if let Some(note) = via_note(code, info, via, lang) {
        out.line(&format!("\n{note}"));
    }
    out.section(w.meaning, info.meaning.get(lang));
    out.section(w.remedy, info.remedy.get(lang));
    if info.extend.is_some() {
        out.line(&format!("\n{}{}cmgelog explain {}", w.see_also, w.colon, info.code));
        return;
    }
    let extended: Vec<String> = knowledge
        .extended(info.code)
        .filter_map(|c| c.extend)
        .map(|x| x.to_string())
        .collect();
    if !extended.is_empty() {
        out.line(&format!("\n{}{}{}", w.extended_entries, w.colon, extended.join(", ")));
    }
}

/// `4 FACILITY_ITF, code 0xF074, failure`.
fn facility_text(code: Code, w: &Words) -> String {
    let kind = if code.is_failure() { w.failure } else { w.success };
    let facility = match code.facility_name() {
        Some(name) => format!("{} {name}", code.facility()),
        None => format!("{} (0x{:X})", code.facility(), code.facility()),
    };
    format!("{facility}, {} 0x{:04X}, {kind}", w.code, code.low_word())
}

/// `0x20017: phase 2 SP_EXECUTION_SAFE_OS, operation 0x17 SP_EXECUTION_OP_BOOT`.
fn extend_text(x: ExtendCode, w: &Words) -> String {
    let phase = x.phase_name().unwrap_or("?");
    let op = x.operation_name().unwrap_or("?");
    format!(
        "{x}: {} {} {phase}, {} 0x{:X} {op}",
        w.phase,
        x.phase(),
        w.operation,
        x.operation()
    )
}

fn via_note(code: Code, info: &CodeInfo, via: Via, lang: Lang) -> Option<String> {
    Some(match (via, lang) {
        (Via::Exact, _) => return None,
        (Via::Win32(n), Lang::Zh) => format!(
            "{code} 是 Win32 错误 {n}；Windows 日志中同一错误写作 HRESULT {}，以下为其说明。",
            info.code
        ),
        (Via::Win32(n), Lang::En) => format!(
            "{code} is Win32 error {n}; Windows logs the same error as HRESULT {}, explained below.",
            info.code
        ),
        (Via::WithoutExtend, Lang::Zh) => {
            format!("知识库中没有此扩展代码的单独说明，以下为 {} 的通用说明。", info.code)
        }
        (Via::WithoutExtend, Lang::En) => {
            format!(
                "No separate advice for this extend code; the general advice for {} follows.",
                info.code
            )
        }
    })
}

fn unknown_message(code: Code, extend: Option<ExtendCode>, lang: Lang) -> String {
    let c = match extend {
        Some(x) => format!("{code} - {x}"),
        None => code.to_string(),
    };
    match lang {
        Lang::Zh => format!("未知错误代码 {c}：不在知识库中。"),
        Lang::En => format!("Unknown error code {c}: not in the knowledge base."),
    }
}
