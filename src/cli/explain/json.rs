//! The `--format json` rendering.

use super::Outcome;
use cmgelog::i18n::Lang;
use cmgelog::knowledge::{Code, CodeInfo, ExtendCode, Via};
use serde::Serialize;

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

pub fn render(inputs: &[String], outcomes: &[Outcome], lang: Lang) -> String {
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
                        title: r.title().get(lang),
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
