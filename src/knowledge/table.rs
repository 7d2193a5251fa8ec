//! Reading and checking the code table (`knowledge/codes.toml`), and the `[[code]]` tables a
//! rule file may hold in the same format.

use super::code::{Code, ExtendCode};
use super::{Area, CodeInfo};
use crate::i18n::Localized;
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    code: Vec<RawCode>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCode {
    code: String,
    extend: Option<String>,
    symbol: Option<String>,
    area: String,
    title: RawText,
    meaning: RawText,
    remedy: RawText,
    sources: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawText {
    zh: String,
    en: String,
}

/// A text of the built-in table: its start and end in `STRINGS`.
pub(super) type Span = (u32, u32);

/// One entry of the built-in table as build.rs writes it: spans of `STRINGS`, so the table
/// holds no pointers for the loader to relocate.
pub(super) struct StaticCode {
    pub code: Span,
    pub extend: Option<Span>,
    pub symbol: Option<Span>,
    pub area: Span,
    pub title: (Span, Span),
    pub meaning: (Span, Span),
    pub remedy: (Span, Span),
    /// A range of `SOURCES`.
    pub sources: Span,
}

// knowledge/codes.toml, turned into Rust data by build.rs: `STRINGS`, `SOURCES`, `BUILTIN`.
include!(concat!(env!("OUT_DIR"), "/codes.rs"));

/// The text of a span.
pub(super) fn text(span: Span) -> &'static str {
    &STRINGS[span.0 as usize..span.1 as usize]
}

impl StaticCode {
    pub(super) fn code(&self) -> &'static str {
        text(self.code)
    }

    pub(super) fn extend(&self) -> Option<&'static str> {
        self.extend.map(text)
    }
}

/// The built-in table, checked like a parsed one.
pub(super) fn builtin() -> Result<Vec<CodeInfo>, String> {
    let localized = |(zh, en): (Span, Span)| RawText {
        zh: text(zh).to_string(),
        en: text(en).to_string(),
    };
    let raw = BUILTIN
        .iter()
        .map(|s| RawCode {
            code: s.code().to_string(),
            extend: s.extend().map(str::to_string),
            symbol: s.symbol.map(|t| text(t).to_string()),
            area: text(s.area).to_string(),
            title: localized(s.title),
            meaning: localized(s.meaning),
            remedy: localized(s.remedy),
            sources: SOURCES[s.sources.0 as usize..s.sources.1 as usize]
                .iter()
                .map(|&t| text(t).to_string())
                .collect(),
        })
        .collect();
    finish(check(raw))
}

fn finish((out, problems): (Vec<CodeInfo>, EntryProblems)) -> Result<Vec<CodeInfo>, String> {
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems.into_iter().map(|(_, p)| p).collect::<Vec<_>>().join("\n"))
    }
}

/// Parses the table and checks every entry; on failure returns every problem, one a line,
/// each naming the entry.
pub(super) fn parse(text: &str) -> Result<Vec<CodeInfo>, String> {
    let raw: RawFile = toml::from_str(text).map_err(|e| e.to_string())?;
    finish(check(raw.code))
}

/// Problems with entries, each with the index of its entry (`[[code]]` table) in the file.
pub(crate) type EntryProblems = Vec<(usize, String)>;

/// The `[[code]]` tables of a rule file (its other tables are the rule parser's): the entries,
/// and each problem with the index of the table it is in.
pub(crate) fn parse_in_rule_file(text: &str) -> Result<(Vec<CodeInfo>, EntryProblems), String> {
    #[derive(Deserialize)]
    struct CodesOnly {
        #[serde(default)]
        code: Vec<RawCode>,
    }
    let raw: CodesOnly = toml::from_str(text).map_err(|e| e.message().to_string())?;
    Ok(check(raw.code))
}

/// Checks every entry: the good ones sorted by (code, extend), and the problems with the index
/// of their entry.
fn check(entries: Vec<RawCode>) -> (Vec<CodeInfo>, EntryProblems) {
    let mut problems: EntryProblems = Vec::new();
    let mut out: Vec<CodeInfo> = Vec::with_capacity(entries.len());
    let mut seen = std::collections::HashSet::new();
    for (index, r) in entries.into_iter().enumerate() {
        let mut problem = |p: String| problems.push((index, p));
        let name = match &r.extend {
            Some(e) => format!("{} - {e}", r.code),
            None => r.code.clone(),
        };
        let mut bad = false;
        let mut flag = |p: String| {
            bad = true;
            problem(p)
        };
        let code = Code::parse(&r.code);
        match code {
            None => flag(format!("{name}: `code` is not a code")),
            // One spelling in the file, the one `explain` prints, so the file can be searched.
            Some(c) if c.to_string() != r.code => flag(format!("{name}: write the code as {c}")),
            Some(_) => {}
        }
        let extend = match &r.extend {
            None => None,
            Some(e) => match ExtendCode::parse(e) {
                Some(x) if x.to_string() == *e => Some(x),
                Some(x) => {
                    flag(format!("{name}: write the extend code as {x}"));
                    None
                }
                None => {
                    flag(format!("{name}: `extend` is not a hex extend code"));
                    None
                }
            },
        };
        let area = Area::parse(&r.area);
        if area.is_none() {
            flag(format!("{name}: unknown area `{}`", r.area));
        }
        for (field, t) in [("title", &r.title), ("meaning", &r.meaning), ("remedy", &r.remedy)] {
            for (lang, s) in [("zh", &t.zh), ("en", &t.en)] {
                if s.trim().is_empty() {
                    flag(format!("{name}: `{field}.{lang}` is empty"));
                }
            }
        }
        if r.title.zh.contains('\n') || r.title.en.contains('\n') {
            flag(format!("{name}: `title` must be one line"));
        }
        if r.sources.iter().all(|s| s.trim().is_empty()) {
            flag(format!("{name}: `sources` names no source"));
        }
        if matches!(&r.symbol, Some(s) if s.trim().is_empty()) {
            flag(format!("{name}: `symbol` is empty (leave it out instead)"));
        }
        if let (Some(code), Some(area), false) = (code, area, bad) {
            if !seen.insert((code, extend)) {
                problem(format!("{name}: listed twice"));
                continue;
            }
            out.push(CodeInfo {
                code,
                extend,
                symbol: r.symbol,
                area,
                title: Localized::new(r.title.zh, r.title.en),
                meaning: Localized::new(r.meaning.zh, r.meaning.en),
                remedy: Localized::new(r.remedy.zh, r.remedy.en),
                sources: r.sources,
            });
        }
    }
    out.sort_by_key(|c| (c.code, c.extend));
    (out, problems)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ONE: &str = r#"
[[code]]
code = "0xC004F074"
symbol = "SL_E_VL_BINDING_SERVICE_UNAVAILABLE"
area = "activation"
title.zh = "联系不上 KMS"
title.en = "No KMS could be contacted"
meaning.zh = "含义"
meaning.en = "meaning"
remedy.zh = "处理"
remedy.en = "remedy"
sources = ["windows-facts.md §2.1"]
"#;

    #[test]
    fn a_good_entry() {
        let t = parse(ONE).expect("parses");
        assert_eq!(t.len(), 1);
        assert_eq!(t[0].code, Code(0xC004_F074));
        assert_eq!(t[0].area, Area::Activation);
        assert_eq!(t[0].title.en, "No KMS could be contacted");
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let bad = ONE
            .replace("0xC004F074", "0xc004f074")
            .replace("activation", "licensing")
            + "\n[[code]]\ncode = \"zz\"\narea = \"upgrade\"\ntitle.zh = \"\"\ntitle.en = \"t\"\n\
               meaning.zh = \"m\"\nmeaning.en = \"m\"\nremedy.zh = \"r\"\nremedy.en = \"r\"\nsources = []\n";
        let err = parse(&bad).expect_err("bad table");
        for want in [
            "write the code as 0xC004F074",
            "unknown area `licensing`",
            "zz: `code` is not a code",
            "`title.zh` is empty",
            "names no source",
        ] {
            assert!(err.contains(want), "missing {want:?} in:\n{err}");
        }
    }

    #[test]
    fn duplicates_and_unknown_keys_are_refused() {
        assert!(parse(&format!("{ONE}{ONE}")).expect_err("dup").contains("listed twice"));
        assert!(parse(&ONE.replace("symbol", "symbl")).is_err());
    }
}
