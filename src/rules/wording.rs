//! A finding's words fitted to the bundle: the remedy for its platform, and the codes its
//! evidence holds in place of `{code}` / `{codes}`.
//!
//! "Run `cmgelog explain <errorCode>`" makes the user dig the code out of the evidence; the
//! finding already holds it, so the text names it (`0x80246013`) and, for `{codes}`, what each
//! code means from the knowledge table. A Linux bundle gets `remedy-linux` when the rule has
//! one, since `wmic` does not exist there.

use super::finding::Evidence;
use super::Rule;
use crate::facts::platform::Platform;
use crate::i18n::Localized;
use crate::knowledge::{line_codes, Code, Knowledge};

/// The rule's cause and remedy for this platform and evidence.
pub fn fitted(rule: &Rule, platform: Platform, evidence: &[Evidence]) -> (Localized, Localized) {
    let words = rule.words();
    let remedy = match (platform, &words.remedy_linux) {
        (Platform::Linux, Some(linux)) => linux,
        _ => &words.remedy,
    };
    let codes = codes_in(evidence);
    (fill(&words.cause, &codes), fill(remedy, &codes))
}

/// The distinct codes of the evidence, in evidence order (most relevant first).
fn codes_in(evidence: &[Evidence]) -> Vec<Code> {
    let mut codes: Vec<Code> = Vec::new();
    for e in evidence {
        for found in line_codes(&e.text) {
            if !codes.contains(&found.code) {
                codes.push(found.code);
            }
        }
    }
    codes
}

fn fill(text: &Localized, codes: &[Code]) -> Localized {
    if !text.zh.contains("{code") && !text.en.contains("{code") {
        return text.clone();
    }
    Localized::new(fill_one(&text.zh, codes, true), fill_one(&text.en, codes, false))
}

fn fill_one(text: &str, codes: &[Code], zh: bool) -> String {
    let unknown = if zh { "<错误代码>" } else { "<error code>" };
    let first = codes
        .first()
        .map(Code::to_string)
        .unwrap_or_else(|| unknown.to_string());
    let all = if codes.is_empty() {
        unknown.to_string()
    } else {
        codes
            .iter()
            .map(|c| named(*c, zh))
            .collect::<Vec<_>>()
            .join(if zh { "；" } else { "; " })
    };
    text.replace("{codes}", &all).replace("{code}", &first)
}

/// `0x80246013 (WU_E_DM_UPDATEREMOVED: An attempt was made ...)`, or the bare code when the
/// table does not know it.
fn named(code: Code, zh: bool) -> String {
    let Some(info) = Knowledge::builtin().lookup(code) else {
        return code.to_string();
    };
    let title = if zh { &info.title.zh } else { &info.title.en };
    match &info.symbol {
        Some(symbol) if zh => format!("{code}（{symbol}：{title}）"),
        Some(symbol) => format!("{code} ({symbol}: {title})"),
        None if zh => format!("{code}（{title}）"),
        None => format!("{code} ({title})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn evidence(text: &str) -> Evidence {
        Evidence::new("System.evtx", "System.evtx", None, text.into())
    }

    #[test]
    fn codes_of_the_evidence_replace_the_placeholders() {
        // The first two Windows Update event 20 records of the shared System log.
        let ev = [
            evidence("errorCode=0x80246013; updateTitle=Windows Malicious Software Removal Tool (KB890830)"),
            evidence("errorCode=0x80248007; updateTitle=2017-07 Cumulative Update (KB4025342)"),
            evidence("errorCode=0x80246013; updateTitle=again"),
        ];
        let codes = codes_in(&ev);
        assert_eq!(codes, vec![Code(0x80246013), Code(0x80248007)]);
        let text = Localized::new(
            "运行 `cmgelog explain {code}`：{codes}",
            "Run `cmgelog explain {code}`: {codes}",
        );
        let filled = fill(&text, &codes);
        assert!(filled
            .en
            .starts_with("Run `cmgelog explain 0x80246013`: 0x80246013 (WU_E_DM_UPDATEREMOVED: "));
        assert!(filled.en.contains("; 0x80248007 (WU_E_DS_NODATA"), "{}", filled.en);
        assert!(
            filled.zh.contains("0x80246013（WU_E_DM_UPDATEREMOVED："),
            "{}",
            filled.zh
        );
    }

    #[test]
    fn without_a_code_the_text_says_so() {
        let text = Localized::new("运行 `cmgelog explain {code}`", "Run `cmgelog explain {code}`");
        let filled = fill(&text, &codes_in(&[evidence("no code here, KB890830")]));
        assert_eq!(filled.en, "Run `cmgelog explain <error code>`");
        assert_eq!(filled.zh, "运行 `cmgelog explain <错误代码>`");
    }

    fn remedy_of(files: &[&str], rule: &str, lang: crate::i18n::Lang) -> String {
        use crate::analysis::analyze;
        let paths: Vec<String> = files
            .iter()
            .map(|f| format!("{}/tests/fixtures/goodlogs/{f}", env!("CARGO_MANIFEST_DIR")))
            .collect();
        let a = analyze(&paths, &super::super::RuleSet::builtin().unwrap(), &Default::default());
        let f = a
            .findings
            .iter()
            .find(|f| f.rule == rule)
            .unwrap_or_else(|| panic!("{rule} on {files:?}"));
        f.remedy.get(lang).to_string()
    }

    #[test]
    fn a_linux_bundle_is_told_linux_commands_and_a_windows_one_wmic() {
        use crate::i18n::Lang;
        // linux-hardware.org dump: serials anonymised to "--", read as placeholders.
        let dump = "dmidecode/linuxhw_ASUSTek_Computer-PRIME_B450M-A_II_03E291FDBDF1.txt";
        let linux = remedy_of(&[dump], "hw.bios-serial", Lang::En);
        assert!(linux.contains("sudo dmidecode -s system-serial-number"), "{linux}");
        assert!(!linux.contains("wmic"), "{linux}");
        let zh = remedy_of(&[dump], "hw.baseboard-serial", Lang::Zh);
        assert!(
            zh.contains("运行 `sudo dmidecode -s baseboard-serial-number` 确认"),
            "{zh}"
        );
        // The same dump with a Windows ipconfig: a Windows machine (glpi-agent runs dmidecode
        // on Windows too).
        let windows = remedy_of(
            &[dump, "ipconfig/jc_windows-7_ipconfig.out"],
            "hw.bios-serial",
            Lang::En,
        );
        assert!(windows.contains("wmic bios get SerialNumber"), "{windows}");
    }

    #[test]
    fn the_update_failure_names_the_codes_of_its_events() {
        use crate::i18n::Lang;
        let en = remedy_of(
            &["evtx/omerbenamram_system.evtx.zip"],
            "upg.update-install-failed",
            Lang::En,
        );
        assert!(en.contains("`cmgelog explain 0x80246013`"), "{en}");
        assert!(en.contains("0x80248007 (WU_E_DS_NODATA"), "{en}");
        assert!(!en.contains('{'), "{en}");
    }
}
