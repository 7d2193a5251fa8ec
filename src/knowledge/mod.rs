//! What error codes mean and what to do about them: activation (SPP/KMS), upgrade (Windows
//! Setup), servicing (CBS/DISM), Windows Update and network codes, in Chinese and English.
//!
//! The table is data, `knowledge/codes.toml`, compiled into the binary and parsed once. Every
//! entry names its sources (Microsoft documentation, the SDK headers, the real logs it was seen
//! in), so a support engineer can check a meaning instead of trusting it. `cmgelog explain`
//! prints entries; the rules and reports can look codes up with [`Knowledge::lookup`]. A rule
//! file may add entries in the same format (`[[code]]` tables), so a new code needs no rebuild:
//! [`Knowledge::with`] is the table with them.

mod code;
mod find;
mod table;

pub use code::{parse_setup_code, Code, ExtendCode};
pub use find::{
    code_line_starts, find_codes, line_codes, might_hold_a_code, next_code_start, CodeLines, Form, FoundCode,
};
pub(crate) use table::parse_in_rule_file;

use crate::i18n::{Lang, Localized};
use serde::Serialize;
use std::sync::LazyLock;

/// Which part of Windows reports the code; the explain output groups advice by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Area {
    Activation,
    Upgrade,
    Servicing,
    Update,
    Network,
    Generic,
}

impl Area {
    pub fn parse(s: &str) -> Option<Area> {
        Some(match s {
            "activation" => Area::Activation,
            "upgrade" => Area::Upgrade,
            "servicing" => Area::Servicing,
            "update" => Area::Update,
            "network" => Area::Network,
            "generic" => Area::Generic,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Area::Activation => "activation",
            Area::Upgrade => "upgrade",
            Area::Servicing => "servicing",
            Area::Update => "update",
            Area::Network => "network",
            Area::Generic => "generic",
        }
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Area::Activation, Lang::Zh) => "激活",
            (Area::Upgrade, Lang::Zh) => "升级（Windows 安装程序）",
            (Area::Servicing, Lang::Zh) => "组件维护（CBS/DISM）",
            (Area::Update, Lang::Zh) => "Windows 更新",
            (Area::Network, Lang::Zh) => "网络",
            (Area::Generic, Lang::Zh) => "通用",
            (Area::Activation, Lang::En) => "activation",
            (Area::Upgrade, Lang::En) => "upgrade (Windows Setup)",
            (Area::Servicing, Lang::En) => "servicing (CBS/DISM)",
            (Area::Update, Lang::En) => "Windows Update",
            (Area::Network, Lang::En) => "network",
            (Area::Generic, Lang::En) => "generic",
        }
    }
}

/// One entry of the table.
#[derive(Debug, Clone, Serialize)]
pub struct CodeInfo {
    pub code: Code,
    /// Set for a Windows Setup result that has its own advice with this extend code
    /// (`0xC1900101 - 0x20017`).
    pub extend: Option<ExtendCode>,
    /// The constant's name in the SDK or in Microsoft's tables, when a source names it.
    pub symbol: Option<String>,
    pub area: Area,
    pub title: Localized,
    pub meaning: Localized,
    pub remedy: Localized,
    /// Where the meaning comes from: a section of windows-facts.md, a URL, a header, a log file.
    pub sources: Vec<String>,
}

/// How a code was found in the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// The entry is for this very code (and extend code, if one was asked for).
    Exact,
    /// The code is a Win32 error number; the entry is its HRESULT_FROM_WIN32 form.
    Win32(u32),
    /// A setup result with an extend code the table has no separate advice for; the entry is
    /// the result code's.
    WithoutExtend,
}

/// The code table. Immutable; [`Knowledge::builtin`] is parsed once per process.
#[derive(Debug)]
pub struct Knowledge {
    /// Sorted by (code, extend).
    codes: Vec<CodeInfo>,
}

static BUILTIN: LazyLock<Knowledge> = LazyLock::new(|| {
    // The embedded table is part of the program, not input: the unit tests check it, so a bad
    // edit fails `cargo test` before it can reach a user. It comes as Rust data (build.rs), not
    // as TOML to parse: see build.rs for why.
    table::builtin()
        .map(|codes| Knowledge { codes })
        .unwrap_or_else(|e| panic!("knowledge/codes.toml is invalid:\n{e}"))
});

/// The codes of the built-in table that have an entry of their own (no extend code), sorted:
/// enough to check a rule's codes without building the whole table.
static BUILTIN_CODES: LazyLock<Vec<Code>> = LazyLock::new(|| {
    let mut codes: Vec<Code> = table::BUILTIN
        .iter()
        .filter(|e| e.extend.is_none())
        .filter_map(|e| Code::parse(e.code()))
        .collect();
    codes.sort();
    codes
});

impl Knowledge {
    /// Whether the built-in table explains `code` (as [`Knowledge::lookup`] would find it),
    /// without building the table: rule files are checked against it at every start.
    pub fn builtin_knows(code: Code) -> bool {
        let has = |c: Code| BUILTIN_CODES.binary_search(&c).is_ok();
        has(code) || code.from_win32().is_some_and(has)
    }

    /// The table compiled into the binary.
    pub fn builtin() -> &'static Knowledge {
        &BUILTIN
    }

    /// A table from TOML text in the `knowledge/codes.toml` format; every problem is reported.
    pub fn parse(text: &str) -> Result<Knowledge, String> {
        table::parse(text).map(|codes| Knowledge { codes })
    }

    pub fn all(&self) -> &[CodeInfo] {
        &self.codes
    }

    /// This table with `extra` entries (a rule file's `[[code]]` tables): an extra entry for a
    /// code (and extend code) already listed replaces it.
    pub fn with(&self, extra: &[CodeInfo]) -> Knowledge {
        let mut codes: Vec<CodeInfo> = self
            .codes
            .iter()
            .filter(|c| !extra.iter().any(|e| (e.code, e.extend) == (c.code, c.extend)))
            .cloned()
            .collect();
        codes.extend(extra.iter().cloned());
        codes.sort_by_key(|c| (c.code, c.extend));
        Knowledge { codes }
    }

    /// The entry for a code: the code itself, or for a Win32 error number (`0x00000490`) the
    /// entry of the HRESULT Windows logs for it (`0x80070490`).
    pub fn lookup(&self, code: Code) -> Option<&CodeInfo> {
        self.lookup_how(code, None).map(|(info, _)| info)
    }

    /// Like [`Knowledge::lookup`], for a setup result with an optional extend code, and saying
    /// how the entry was found.
    pub fn lookup_how(&self, code: Code, extend: Option<ExtendCode>) -> Option<(&CodeInfo, Via)> {
        if let Some(e) = extend {
            if let Some(info) = self.exact(code, Some(e)) {
                return Some((info, Via::Exact));
            }
        }
        let via_plain = if extend.is_some() {
            Via::WithoutExtend
        } else {
            Via::Exact
        };
        if let Some(info) = self.exact(code, None) {
            return Some((info, via_plain));
        }
        let hresult = code.from_win32()?;
        self.exact(hresult, None).map(|info| (info, Via::Win32(code.0)))
    }

    /// Entries with an extend code for this result code (`0xC1900101 - 0x20017`, ...).
    pub fn extended(&self, code: Code) -> impl Iterator<Item = &CodeInfo> {
        self.codes.iter().filter(move |c| c.code == code && c.extend.is_some())
    }

    fn exact(&self, code: Code, extend: Option<ExtendCode>) -> Option<&CodeInfo> {
        self.codes
            .binary_search_by_key(&(code, extend), |c| (c.code, c.extend))
            .ok()
            .map(|i| &self.codes[i])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BUILTIN_TABLE: &str = include_str!("../../knowledge/codes.toml");

    #[test]
    fn the_builtin_table_parses() {
        if let Err(e) = Knowledge::parse(BUILTIN_TABLE) {
            panic!("knowledge/codes.toml:\n{e}");
        }
        assert!(Knowledge::builtin().all().len() > 80);
    }

    #[test]
    fn the_quick_check_agrees_with_lookup() {
        let samples = [
            0xC004_F074u32,
            0x8007_0490,
            0x0000_0490,
            0xC190_0101,
            0x1234_5678,
            0,
            0x8004_FE21,
        ];
        let all = Knowledge::builtin().all().iter().map(|c| c.code.0);
        for c in samples.into_iter().chain(all) {
            assert_eq!(
                Knowledge::builtin_knows(Code(c)),
                Knowledge::builtin().lookup(Code(c)).is_some(),
                "{c:#x}"
            );
        }
    }

    /// build.rs's Rust data says exactly what the TOML file says.
    #[test]
    fn the_generated_table_equals_the_parsed_file() {
        let parsed = Knowledge::parse(BUILTIN_TABLE).expect("parses");
        let json = |k: &Knowledge| serde_json::to_string(k.all()).unwrap();
        assert_eq!(json(Knowledge::builtin()), json(&parsed));
    }

    #[test]
    fn every_entry_is_complete_in_both_languages() {
        for c in Knowledge::builtin().all() {
            for t in [&c.title, &c.meaning, &c.remedy] {
                assert!(!t.zh.trim().is_empty() && !t.en.trim().is_empty(), "{}", c.code);
            }
            assert!(!c.sources.is_empty(), "{}", c.code);
            // The Chinese text is Chinese, not a copy of the English.
            assert!(
                c.meaning.zh.chars().any(|ch| ('\u{4e00}'..='\u{9fff}').contains(&ch)),
                "{}",
                c.code
            );
            assert!(
                c.remedy.zh.chars().any(|ch| ('\u{4e00}'..='\u{9fff}').contains(&ch)),
                "{}",
                c.code
            );
        }
    }

    #[test]
    fn codes_are_unique_and_sorted() {
        let all = Knowledge::builtin().all();
        for w in all.windows(2) {
            assert!(
                (w[0].code, w[0].extend) < (w[1].code, w[1].extend),
                "{} {}",
                w[0].code,
                w[1].code
            );
        }
    }

    /// The codes the issue asks for: windows-facts.md §2.1 and the researched activation
    /// codes, then upgrade, servicing and update codes, then codes seen in the real logs of
    /// ../shared/data/winlogs.
    const REQUIRED: &str = "
        0xC004F074 0xC004C003 0x8007232B 0x8007232A 0x8007251D 0xC004F050 0xC004C008 0xC004C001
        0xC004C020 0xC004C021 0xC004B100 0x803F7001 0xC004F069 0xC004F012 0xC004F014 0xC004F015
        0xC004F009 0xC004F00F 0xC004F035 0xC004F038 0xC004F039 0xC004F041 0xC004F042 0xC004F051
        0xC004F064 0xC004F065 0xC004F06C 0xC004F06A 0xC004F210 0xC004F211 0xC004F213 0xC004E016
        0xC004D302 0x80070005 0x800706BA 0x8004FE21 0x8004FE33 0x80072EE7 0xC004E015 0x8007000D
        0xC004F063 0xC004F057 0xC004E003 0xC0020017 0x8007139F 0x80072338
        0xC1900101 0xC1900107 0xC1900200 0xC1900202 0xC1900208 0xC1900204 0xC1900223 0xC1800118
        0xC1800108 0x80070070 0x800F0922 0x800F081F 0x800F0923 0x80073712 0x8007042B 0x80070490
        0x800704D3 0x800704C7 0x80070002 0x80070003 0x80070032 0x80240022 0x80D05001 0x80D05011
        0x80244022 0x8024402C 0x80072EFD 0x80072EE2 0x80072F8F
        0x8020002B 0x80248007 0x80040154 0xC1800109 0xC1800104 0x8031004A 0x80244018 0x80190193
        0x800401F0";

    #[test]
    fn the_codes_the_brief_names_are_covered() {
        let k = Knowledge::builtin();
        let missing: Vec<&str> = REQUIRED
            .split_whitespace()
            .filter(|c| Code::parse(c).and_then(|c| k.lookup(c)).is_none())
            .collect();
        assert!(missing.is_empty(), "missing: {missing:?}");
        for e in [
            "0x20004", "0x2000C", "0x20017", "0x30018", "0x3000D", "0x4000D", "0x40017",
        ] {
            let extend = ExtendCode::parse(e);
            let found = k.lookup_how(Code(0xC190_0101), extend).map(|(_, via)| via);
            assert_eq!(found, Some(Via::Exact), "0xC1900101 - {e}");
        }
    }

    #[test]
    fn a_win32_number_finds_its_hresult_and_says_so() {
        let k = Knowledge::builtin();
        let (info, via) = k.lookup_how(Code(0x490), None).expect("ERROR_NOT_FOUND");
        assert_eq!(info.code, Code(0x8007_0490));
        assert_eq!(via, Via::Win32(1168));
        assert_eq!(k.lookup(Code(0x490)).map(|i| i.code), Some(Code(0x8007_0490)));
        assert!(k.lookup(Code(0x1234_5678)).is_none());
    }

    #[test]
    fn an_unlisted_extend_code_falls_back_to_the_result_code() {
        let k = Knowledge::builtin();
        let (info, via) = k
            .lookup_how(Code(0xC190_0101), Some(ExtendCode(0x2000B)))
            .expect("0xC1900101");
        assert_eq!(
            (info.code, info.extend, via),
            (Code(0xC190_0101), None, Via::WithoutExtend)
        );
        assert!(k.extended(Code(0xC190_0101)).count() >= 7);
    }
}
