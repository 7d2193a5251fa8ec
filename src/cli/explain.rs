//! `cmgelog explain CODE...`: what an error code means, what to do, and which rules detect it.
//!
//! Exit code: 0 when every code is in the knowledge base, 1 when a well-formed code is not,
//! 2 when an argument is not a code at all or a `--rules` file does not load (the worst wins).

use super::{rules_cmd, Format, RuleOptions};
use cmgelog::i18n::Lang;
use cmgelog::knowledge::{parse_setup_code, Code, CodeInfo, ExtendCode, Knowledge, Via};
use cmgelog::rules::Rule;
use serde::Serialize;
use std::fmt::Write as _;
use std::io::Write as _;

#[derive(clap::Args, Debug)]
#[command(allow_negative_numbers = true)]
pub struct ExplainArgs {
    /// Error codes: 0xC004F074, C004F074, 3221549172, -1073418124, 0xC1900101-0x20017.
    #[arg(required = true, value_name = "CODE")]
    pub codes: Vec<String>,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// The rules whose detection is listed (default: the built-in rules).
    #[command(flatten)]
    pub rules: RuleOptions,
}

/// What one argument turned out to be.
enum Outcome<'k> {
    Known(Explained<'k>),
    Unknown(Explained<'k>),
    NotACode(String),
}

/// A well-formed code, with its entry if the knowledge base has one.
struct Explained<'k> {
    code: Code,
    extend: Option<ExtendCode>,
    entry: Option<(&'k CodeInfo, Via)>,
    rules: Vec<&'k Rule>,
}

impl Outcome<'_> {
    fn exit_code(&self) -> u8 {
        match self {
            Outcome::Known(_) => 0,
            Outcome::Unknown(_) => 1,
            Outcome::NotACode(_) => 2,
        }
    }
}

pub fn run(args: &ExplainArgs, lang: Lang) -> u8 {
    let knowledge = Knowledge::builtin();
    let rules = match rules_cmd::load(&args.rules) {
        Ok(set) => set.rules,
        Err(e) => {
            rules_cmd::report_load_error(&e, lang);
            return 2;
        }
    };
    let outcomes: Vec<Outcome> = args.codes.iter().map(|a| explain(a, knowledge, &rules)).collect();

    for o in &outcomes {
        if let Outcome::NotACode(input) = o {
            eprintln!("{}", not_a_code_message(input, lang));
        }
    }
    let out = match args.format {
        Format::Json => json(&args.codes, &outcomes, lang),
        Format::Text | Format::Md => {
            let md = args.format == Format::Md;
            let blocks: Vec<String> = outcomes
                .iter()
                .filter_map(|o| match o {
                    Outcome::Known(e) | Outcome::Unknown(e) => Some(text(e, knowledge, lang, md)),
                    Outcome::NotACode(_) => None,
                })
                .collect();
            blocks.join("\n")
        }
    };
    // anstream keeps colours only on a terminal; a closed pipe (`| head`) is not an error.
    let mut stdout = anstream::stdout();
    let _ = stdout.write_all(out.as_bytes()).and_then(|_| stdout.flush());
    outcomes.iter().map(Outcome::exit_code).max().unwrap_or(0)
}

fn explain<'k>(arg: &str, knowledge: &'k Knowledge, rules: &'k [Rule]) -> Outcome<'k> {
    let Some((code, extend)) = parse_setup_code(arg) else {
        return Outcome::NotACode(arg.to_string());
    };
    let entry = knowledge.lookup_how(code, extend);
    // Rules name HRESULTs; a Win32 number is detected under its HRESULT.
    let wanted: Vec<u32> = [Some(code), entry.map(|(i, _)| i.code)]
        .into_iter()
        .flatten()
        .map(|c| c.0)
        .collect();
    let detecting = rules
        .iter()
        .filter(|r| r.codes().iter().any(|c| wanted.contains(c)))
        .collect();
    let e = Explained {
        code,
        extend,
        entry,
        rules: detecting,
    };
    if entry.is_some() {
        Outcome::Known(e)
    } else {
        Outcome::Unknown(e)
    }
}

/// Labels, in the user's language.
struct Words {
    area: &'static str,
    decimal: &'static str,
    signed: &'static str,
    facility: &'static str,
    win32: &'static str,
    meaning: &'static str,
    remedy: &'static str,
    rules: &'static str,
    no_rules: &'static str,
    sources: &'static str,
    extend: &'static str,
    phase: &'static str,
    operation: &'static str,
    code: &'static str,
    see_also: &'static str,
    extended_entries: &'static str,
    failure: &'static str,
    success: &'static str,
}

fn words(lang: Lang) -> Words {
    match lang {
        Lang::Zh => Words {
            area: "类别",
            decimal: "十进制",
            signed: "有符号",
            facility: "设施（facility）",
            win32: "Win32 错误",
            meaning: "含义",
            remedy: "处理建议",
            rules: "检测此代码的规则",
            no_rules: "没有内置规则检测此代码",
            sources: "来源",
            extend: "扩展代码",
            phase: "阶段",
            operation: "操作",
            code: "代码",
            see_also: "另见通用说明",
            extended_entries: "另有单独说明的扩展代码",
            failure: "失败",
            success: "成功/信息",
        },
        Lang::En => Words {
            area: "Area",
            decimal: "Decimal",
            signed: "signed",
            facility: "Facility",
            win32: "Win32 error",
            meaning: "Meaning",
            remedy: "What to do",
            rules: "Rules that detect it",
            no_rules: "No built-in rule detects this code",
            sources: "Sources",
            extend: "Extend code",
            phase: "phase",
            operation: "operation",
            code: "code",
            see_also: "See also the general advice",
            extended_entries: "Extend codes with their own advice",
            failure: "failure",
            success: "success/information",
        },
    }
}

/// The text (or Markdown) block for one code.
fn text(e: &Explained, knowledge: &Knowledge, lang: Lang, md: bool) -> String {
    let w = words(lang);
    let mut s = String::new();
    let head = match e.extend {
        Some(x) => format!("{} - {x}", e.code),
        None => e.code.to_string(),
    };
    let symbol = e.entry.and_then(|(i, _)| i.symbol.as_deref());
    let heading = match symbol {
        Some(sym) => format!("{head}  {sym}"),
        None => head,
    };
    let title = e.entry.map(|(i, _)| i.title.get(lang).to_string());
    if md {
        let _ = writeln!(s, "## {heading}");
        if let Some(t) = &title {
            let _ = writeln!(s, "\n**{t}**\n");
        }
    } else {
        let _ = writeln!(s, "{heading}");
        if let Some(t) = &title {
            let _ = writeln!(s, "{t}");
        }
    }
    if e.entry.is_none() {
        let _ = writeln!(s, "{}", unknown_message(e.code, e.extend, lang));
    }
    let bullet = if md { "- " } else { "  " };
    let colon = if lang.is_zh() { "：" } else { ": " };
    let mut facts = Vec::new();
    if let Some((info, _)) = e.entry {
        facts.push((w.area, info.area.label(lang).to_string()));
    }
    let decimal = if e.code.signed() < 0 {
        match lang {
            Lang::Zh => format!("{}（{} {}）", e.code.0, w.signed, e.code.signed()),
            Lang::En => format!("{} ({} {})", e.code.0, w.signed, e.code.signed()),
        }
    } else {
        e.code.0.to_string()
    };
    facts.push((w.decimal, decimal));
    match (e.code.win32(), e.code.from_win32()) {
        // A bare Win32 number has no facility; say which HRESULT it is instead.
        (_, Some(hr)) => facts.push((w.win32, format!("{} (0x{:X}) → HRESULT {hr}", e.code.0, e.code.0))),
        (Some(n), None) => {
            facts.push((w.facility, facility_text(e.code, &w)));
            facts.push((w.win32, format!("{n} (0x{n:X})")));
        }
        (None, None) => facts.push((w.facility, facility_text(e.code, &w))),
    }
    if let Some(x) = e.extend {
        facts.push((w.extend, extend_text(x, &w)));
    }
    let facts: Vec<String> = facts
        .into_iter()
        .map(|(label, value)| format!("{label}{colon}{value}"))
        .collect();
    for f in facts {
        let _ = writeln!(s, "{bullet}{f}");
    }
    match e.entry {
        Some((info, via)) => {
            if let Some(note) = via_note(e.code, info, via, lang) {
                let _ = writeln!(s, "\n{note}");
            }
            section(&mut s, w.meaning, info.meaning.get(lang), md, colon);
            section(&mut s, w.remedy, info.remedy.get(lang), md, colon);
            if info.extend.is_some() {
                let _ = writeln!(s, "\n{}{}cmgelog explain {}", w.see_also, colon, info.code);
            } else {
                let extended: Vec<String> = knowledge
                    .extended(info.code)
                    .filter_map(|c| c.extend)
                    .map(|x| x.to_string())
                    .collect();
                if !extended.is_empty() {
                    let _ = writeln!(s, "\n{}{colon}{}", w.extended_entries, extended.join(", "));
                }
            }
        }
        None => {}
    }
    let rules: String = if e.rules.is_empty() {
        format!("{bullet}{}\n", w.no_rules)
    } else {
        e.rules
            .iter()
            .map(|r| {
                format!(
                    "{bullet}{}  [{}]  {}\n",
                    r.id,
                    r.severity.label(lang.is_zh()),
                    r.title.get(lang)
                )
            })
            .collect()
    };
    let heading = |label: &str| {
        if md {
            format!("### {label}\n")
        } else {
            format!("{label}{}", colon.trim_end())
        }
    };
    let _ = write!(s, "\n{}\n{rules}", heading(w.rules));
    if let Some((info, _)) = e.entry {
        let _ = writeln!(s, "\n{}", heading(w.sources));
        for src in &info.sources {
            let _ = writeln!(s, "{}{src}", if md { "- " } else { "  - " });
        }
    }
    s
}

fn section(s: &mut String, label: &str, body: &str, md: bool, colon: &str) {
    if md {
        let _ = writeln!(s, "\n### {label}\n\n{}", body.trim());
    } else {
        let _ = writeln!(s, "\n{label}{}", colon.trim_end());
        for line in body.trim().lines() {
            let _ = writeln!(s, "  {}", line.trim_end());
        }
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
    match (via, lang) {
        (Via::Exact, _) => None,
        (Via::Win32(n), Lang::Zh) => Some(format!(
            "{code} 是 Win32 错误 {n}；Windows 日志中同一错误写作 HRESULT {}，以下为其说明。",
            info.code
        )),
        (Via::Win32(n), Lang::En) => Some(format!(
            "{code} is Win32 error {n}; Windows logs the same error as HRESULT {}, explained below.",
            info.code
        )),
        (Via::WithoutExtend, Lang::Zh) => Some(format!(
            "知识库中没有此扩展代码的单独说明，以下为 {} 的通用说明。",
            info.code
        )),
        (Via::WithoutExtend, Lang::En) => Some(format!(
            "No separate advice for this extend code; the general advice for {} follows.",
            info.code
        )),
    }
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

fn not_a_code_message(input: &str, lang: Lang) -> String {
    let shown = printable(input);
    match lang {
        Lang::Zh => format!(
            "「{shown}」不是错误代码。可用的写法：0xC004F074、C004F074、3221549172、-1073418124、0xC1900101-0x20017。"
        ),
        Lang::En => format!(
            "'{shown}' is not an error code. Accepted forms: 0xC004F074, C004F074, 3221549172, -1073418124, 0xC1900101-0x20017."
        ),
    }
}

/// Arguments come from anyone's clipboard: control characters are shown escaped, so they
/// cannot move the cursor or recolour the terminal.
fn printable(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// `--format json`: an array, one object per argument, in argument order.
///
/// - not a code: `{"input": "...", "error": "not-a-code"}`
/// - a code: `input`, `code` (`"0xC004F074"`), `decimal` (unsigned), `signed`, `facility`,
///   `facility_name` (or null), `win32` (the Win32 number of a `0x8007xxxx` code, or null),
///   `extend` (`{code, phase, phase_name, operation, operation_name}` or null), `known`,
///   `found_via` (`"exact"`, `"win32"`, `"without-extend"`, or null), `entry` (the knowledge
///   entry: `code`, `extend`, `symbol`, `area`, `title`/`meaning`/`remedy` as `{zh, en}`,
///   `sources`; or null) and `rules` (`[{id, severity, title}]`, title in `--lang`).
#[derive(Serialize)]
#[serde(untagged)]
enum JsonItem<'a> {
    Code(JsonCode<'a>),
    NotACode { input: &'a str, error: &'static str },
}

#[derive(Serialize)]
struct JsonCode<'a> {
    input: &'a str,
    code: Code,
    decimal: u32,
    signed: i32,
    facility: u16,
    facility_name: Option<&'static str>,
    win32: Option<u32>,
    extend: Option<JsonExtend>,
    known: bool,
    found_via: Option<&'static str>,
    entry: Option<&'a CodeInfo>,
    rules: Vec<JsonRule<'a>>,
}

#[derive(Serialize)]
struct JsonExtend {
    code: ExtendCode,
    phase: u32,
    phase_name: Option<&'static str>,
    operation: u32,
    operation_name: Option<&'static str>,
}

#[derive(Serialize)]
struct JsonRule<'a> {
    id: &'a str,
    severity: &'static str,
    title: &'a str,
}

fn json(inputs: &[String], outcomes: &[Outcome], lang: Lang) -> String {
    let items: Vec<JsonItem> = inputs
        .iter()
        .zip(outcomes)
        .map(|(input, o)| match o {
            Outcome::NotACode(_) => JsonItem::NotACode {
                input,
                error: "not-a-code",
            },
            Outcome::Known(e) | Outcome::Unknown(e) => JsonItem::Code(JsonCode {
                input,
                code: e.code,
                decimal: e.code.0,
                signed: e.code.signed(),
                facility: e.code.facility(),
                facility_name: e.code.facility_name(),
                win32: e.code.win32(),
                extend: e.extend.map(|x| JsonExtend {
                    code: x,
                    phase: x.phase(),
                    phase_name: x.phase_name(),
                    operation: x.operation(),
                    operation_name: x.operation_name(),
                }),
                known: e.entry.is_some(),
                found_via: e.entry.map(|(_, via)| match via {
                    Via::Exact => "exact",
                    Via::Win32(_) => "win32",
                    Via::WithoutExtend => "without-extend",
                }),
                entry: e.entry.map(|(i, _)| i),
                rules: e
                    .rules
                    .iter()
                    .map(|r| JsonRule {
                        id: &r.id,
                        severity: r.severity.name(),
                        title: r.title.get(lang),
                    })
                    .collect(),
            }),
        })
        .collect();
    // Serialising plain structs of strings and numbers cannot fail.
    let mut s = serde_json::to_string_pretty(&items).unwrap_or_else(|_| "[]".to_string());
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(printable("ab\u{1b}[31m"), "ab\\u{1b}[31m");
        assert_eq!(printable("错误"), "错误");
    }
}
