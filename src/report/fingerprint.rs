//! `cmgelog fingerprint` and `cmgelog diff` as text. (`--format json` serialises
//! `fingerprint::Fingerprint` and `fingerprint::PartDiff` directly.)

use super::{escape_control, location};
use crate::fingerprint::{Fingerprint, Part, PartDiff};
use crate::i18n::Lang;
use std::fmt::Write;

fn describe(p: &Part, zh: bool) -> String {
    let value = if p.value.is_empty() {
        (if zh { "（空）" } else { "(empty)" }).to_string()
    } else {
        escape_control(&p.value)
    };
    let detail = p
        .detail
        .as_deref()
        .map(|d| format!(" ({})", escape_control(d)))
        .unwrap_or_default();
    format!(
        "{value}{detail}  [{}]",
        location(&p.source.input, &p.source.path, p.source.line, true)
    )
}

pub fn render(fp: &Fingerprint, lang: Lang) -> String {
    let zh = lang.is_zh();
    let mut out = String::new();
    if fp.parts.is_empty() && fp.set_aside.is_empty() {
        let _ = writeln!(
            out,
            "{}",
            if zh {
                "未读到任何硬件标识。"
            } else {
                "No part of the hardware identity was read."
            }
        );
    }
    for p in &fp.parts {
        let _ = writeln!(out, "{:<20} {}", p.key.label(zh), describe(p, zh));
    }
    if !fp.set_aside.is_empty() {
        let _ = writeln!(
            out,
            "{}",
            if zh {
                "不计入指纹（占位值，很多机器相同）："
            } else {
                "left out of the fingerprint (placeholders many machines share):"
            }
        );
    }
    for s in &fp.set_aside {
        let _ = writeln!(
            out,
            "  {:<18} {} — {}",
            s.part.key.label(zh),
            describe(&s.part, zh),
            s.reason.describe(zh)
        );
    }
    let _ = writeln!(
        out,
        "{} {}",
        if zh {
            "指纹（SHA-256）："
        } else {
            "fingerprint (SHA-256):"
        },
        fp.hash
    );
    out
}

pub fn render_diff(a: &Fingerprint, b: &Fingerprint, diffs: &[PartDiff], lang: Lang) -> String {
    let zh = lang.is_zh();
    let mut out = String::new();
    let _ = writeln!(out, "A {}\nB {}", a.hash, b.hash);
    if diffs.is_empty() {
        let _ = writeln!(
            out,
            "{}",
            if zh {
                "硬件标识相同。"
            } else {
                "Same hardware identity."
            }
        );
        return out;
    }
    let _ = writeln!(out, "{}", if zh { "不同之处：" } else { "Differences:" });
    for d in diffs {
        let _ = writeln!(out, "  {}:", d.key.label(zh));
        for (side, parts) in [("A", &d.only_a), ("B", &d.only_b)] {
            if parts.is_empty() {
                let _ = writeln!(out, "    {} {side}", if zh { "不存在于" } else { "absent in" });
            }
            for p in parts {
                let _ = writeln!(
                    out,
                    "    {} {side}: {}",
                    if zh { "仅" } else { "only" },
                    describe(p, zh)
                );
            }
        }
    }
    out
}
