//! What an event condition needs to find in an `.evtx` chunk before any record of it can
//! match (see `events::chunk_filter`): its provider or channel names, and for its data
//! conditions the text they look for.
//!
//! Data values are not all strings: numbers, GUIDs, SIDs, times and hex values are stored in
//! binary and only become text when rendered. A needle taken from a data condition is
//! therefore only used when it cannot come from such a rendering (it has a character no
//! number, GUID, SID, time or boolean is written with), and error codes are also searched as
//! the four bytes of a hex-typed value. Anything else rules nothing out.

use super::condition::TextMatcher;
use super::event_filter::EventCondition;
use crate::events::Needle;
use regex_syntax::hir::literal::Extractor;

/// The clause of one condition: groups that must all have a needle in the chunk. `None`
/// when the condition can match records whatever the chunk holds (a level alone, say).
pub fn clause(cond: &EventCondition) -> Option<Vec<Vec<Needle>>> {
    let mut groups = Vec::new();
    for names in [&cond.providers, &cond.channels] {
        if !names.is_empty() {
            groups.push(names.iter().map(|n| Needle::Text(n.clone())).collect());
        }
    }
    if let Some(group) = id_needles(&cond.ids) {
        groups.push(group);
    }
    for matcher in cond.fields.iter().map(|(_, m)| m).chain(&cond.any_field) {
        if let Some(group) = matcher_needles(matcher) {
            groups.push(group);
        }
    }
    (!groups.is_empty()).then_some(groups)
}

/// Conditions naming more ids than this (wide ranges) do not narrow by id.
const MAX_IDS: u64 = 32;

/// The forms an event id takes in a record: the value of `EventID` is an integer
/// substitution value (`UInt16`), or static text in the template definition (UTF-16), or, in
/// a log that types it as a string, a UTF-16 or 8-bit string value.
fn id_needles(ids: &[std::ops::RangeInclusive<u32>]) -> Option<Vec<Needle>> {
    let count: u64 = ids
        .iter()
        .map(|r| (u64::from(*r.end()) + 1).saturating_sub(u64::from(*r.start())))
        .sum();
    if ids.is_empty() || count > MAX_IDS {
        return None;
    }
    let forms = |id: u32| {
        let digits = id.to_string();
        [
            Needle::Value(id),
            Needle::Bytes(digits.clone().into_bytes()),
            Needle::Text(digits),
        ]
    };
    Some(ids.iter().flat_map(|r| r.clone()).flat_map(forms).collect())
}

fn matcher_needles(matcher: &TextMatcher) -> Option<Vec<Needle>> {
    match matcher {
        TextMatcher::Codes(codes) => Some(codes.iter().flat_map(|c| code_needles(*c)).collect()),
        TextMatcher::Literal(words) => texts(words.iter().cloned()),
        TextMatcher::Regex(re) => {
            // ASCII case folding: the needles are searched ignoring ASCII case, and the
            // Unicode-only equivalences (`ſ` for `s`, the Kelvin sign for `k`) do not occur
            // in the names and messages rules look for. Long case-insensitive alternatives
            // come out cut short, which is still a literal every match holds.
            let hir = regex_syntax::ParserBuilder::new()
                .unicode(false)
                .utf8(false)
                .build()
                .parse(re.as_str())
                .ok()?;
            let literals = Extractor::new().extract(&hir).literals()?.to_vec();
            texts(literals.iter().map(|l| {
                // A literal cut inside a character keeps its whole characters.
                let bytes = l.as_bytes();
                let valid = std::str::from_utf8(bytes).map_or_else(|e| &bytes[..e.valid_up_to()], |_| bytes);
                String::from_utf8_lossy(valid).into_owned()
            }))
        }
    }
}

/// The words as text needles, if every one of them is distinctive (see the module comment).
/// Case variants collapse: the search ignores ASCII case.
fn texts(words: impl Iterator<Item = String>) -> Option<Vec<Needle>> {
    let mut out: Vec<String> = Vec::new();
    for w in words {
        if w.is_empty() || !w.chars().any(|c| !RENDERED_NON_STRING.contains(c)) {
            return None;
        }
        if !out.iter().any(|o| o.eq_ignore_ascii_case(&w)) {
            out.push(w);
        }
    }
    (!out.is_empty()).then(|| out.into_iter().map(Needle::Text).collect())
}

/// Every character the `evtx` crate writes when it renders a value that is not a string:
/// decimal and hex numbers (`0x…`, exponents, `inf`, `NaN`), GUIDs (`{…}`), SIDs (`S-1-5-…`),
/// times (`2024-05-14T02:31:07.6581234Z`), booleans and white space.
const RENDERED_NON_STRING: &str = "0123456789abcdefABCDEFxX.+-:{}STZ truelsinNI";

/// Every form a code takes in event data that `codes_in` reads: eight hex digits (`0x` is
/// left out: the digits suffice), a decimal (signed or unsigned) together with a label it
/// can follow (`hr`, which `hresult` contains, or `error code`), and the little-endian
/// bytes of a hex-typed value (rendered as `0x` and its digits without leading zeros, so only
/// codes of eight digits can be read from one). A Win32 error is also read as its HRESULT
/// (`0x00000490` as `0x80070490`), so its forms count as well.
fn code_needles(code: u32) -> Vec<Needle> {
    let mut values = vec![code];
    if code >> 16 == 0x8007 && code & 0xFFFF != 0 {
        values.push(code & 0xFFFF);
    }
    let mut out = Vec::new();
    for v in values {
        out.push(Needle::Text(format!("{v:08X}")));
        let mut decimals = vec![v.to_string()];
        if (v as i32) < 0 {
            decimals.push((v as i32).to_string());
        }
        for d in decimals {
            for label in ["hr", "error code"] {
                out.push(Needle::All(vec![Needle::Text(label.into()), Needle::Text(d.clone())]));
            }
        }
        if v >= 0x1000_0000 {
            out.push(Needle::Bytes(v.to_le_bytes().to_vec()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every consumer of error codes reads a line through the one recogniser, so they see the
    /// same codes: rule code conditions (`codes_in`), the upgrade logs' tallies
    /// (`upgrade::codes::scan`, which keeps only its filter's values), the event filter (some
    /// needle of each code occurs in the line, or its record would be skipped) and `cmgelog
    /// explain` (the code's text parses to the same code).
    #[test]
    fn every_consumer_sees_the_same_codes() {
        use crate::facts::upgrade::codes::{scan, CodeFilter};
        use crate::knowledge::{line_codes, parse_setup_code, Form};
        use crate::rules::condition::codes_in;
        let real = [
            include_str!("../../tests/fixtures/setup/VitalSkib_files_setuperr_moupg.log"),
            include_str!("../../tests/fixtures/setup/copyleft21_samsung_setupact_moupg.log"),
            include_str!("../../tests/fixtures/setup/bitbtrust_Errorcode_setupact.log"),
            include_str!("../../tests/fixtures/setup/Shekhar-sss_Git_Basic_setuperr.log"),
            include_str!("../../tests/fixtures/cbs/Particular-NServiceBus-1687_dism_excerpt.log"),
            include_str!("../../tests/fixtures/cbs/hofcake_CBS_excerpt.log"),
            include_str!("../../tests/fixtures/windowsupdate/findingsanity_Logs_WindowsUpdate.log"),
        ];
        let edge = "HRESULT=800F0922\nhr = -1073418124\nAgent *FAILED* [80240013]\nResult 0xC1900101 - 0x20017\n\
                    Error: 0x00000003[gle=0x00000003]\nFailed [gle=0x00000005]\nerror code 1168\nStatus: c000000f";
        let (mut lines, mut forms) = (0, std::collections::BTreeSet::new());
        for line in real.iter().flat_map(|t| t.lines()).chain(edge.lines()) {
            let found = line_codes(line);
            if found.is_empty() {
                assert_eq!(codes_in(line).count(), 0, "{line}");
                continue;
            }
            lines += 1;
            // Rules: the codes, plus the HRESULT of each Win32 number.
            let mut want: Vec<u32> = found
                .iter()
                .flat_map(|c| [Some(c.code.0), c.code.from_win32().map(|h| h.0)])
                .flatten()
                .collect();
            let mut got: Vec<u32> = codes_in(line).collect();
            want.sort_unstable();
            got.sort_unstable();
            assert_eq!(got, want, "rules: {line}");
            // Upgrade tallies: the same codes, less those their filter drops.
            for filter in [CodeFilter::Setup, CodeFilter::FailureOnly] {
                let scanned = scan(line, filter);
                let main_codes: Vec<u32> = found.iter().filter(|c| c.form != Form::Gle).map(|c| c.code.0).collect();
                assert!(
                    scanned.codes.iter().all(|c| main_codes.contains(&c.code)),
                    "upgrade: {line}"
                );
                for c in found.iter().filter(|c| c.form != Form::Gle) {
                    let kept = scanned.codes.iter().any(|s| s.code == c.code.0);
                    assert_eq!(kept, filter.keeps(c.code.0), "upgrade {filter:?}: {line}");
                }
            }
            let lower = line.to_ascii_lowercase();
            for c in &found {
                forms.insert(format!("{:?}", c.form));
                // The event filter: a needle of the code is in the line.
                let needles = code_needles(c.code.0);
                assert!(
                    needles.iter().any(|n| occurs(n, &lower)),
                    "needles of {}: {line}",
                    c.code
                );
                // explain: the code as written parses back to it.
                let (code, extend) = parse_setup_code(&line[c.range.clone()]).expect("parses");
                assert_eq!(code, c.code, "explain: {line}");
                assert_eq!(extend, None);
            }
        }
        assert!(lines > 100, "{lines} lines with codes");
        assert_eq!(forms.len(), 5, "every form is exercised: {forms:?}");
    }

    fn occurs(n: &Needle, lower: &str) -> bool {
        match n {
            Needle::Text(t) => lower.contains(&t.to_ascii_lowercase()),
            Needle::All(parts) => parts.iter().all(|p| occurs(p, lower)),
            Needle::Bytes(_) | Needle::Value(_) => false,
        }
    }

    fn texts_of(group: &[Needle]) -> Vec<String> {
        group
            .iter()
            .filter_map(|n| match n {
                Needle::Text(t) => Some(t.clone()),
                Needle::Bytes(_) | Needle::Value(_) | Needle::All(_) => None,
            })
            .collect()
    }

    #[test]
    fn provider_and_distinctive_field_regex() {
        let cond = EventCondition {
            providers: vec!["Service Control Manager".into()],
            fields: vec![(
                "param1".into(),
                TextMatcher::Regex(
                    crate::rules::lazy_regex::LazyRegex::new("(?i)^(sppsvc|Software Protection|软件保护)$").unwrap(),
                ),
            )],
            ..EventCondition::default()
        };
        let groups = clause(&cond).unwrap();
        assert_eq!(groups.len(), 2);
        assert_eq!(texts_of(&groups[0]), ["Service Control Manager"]);
        let words = texts_of(&groups[1]);
        assert!(words.iter().any(|w| w.eq_ignore_ascii_case("sppsvc")), "{words:?}");
        assert!(words.iter().any(|w| w.starts_with("软件")), "{words:?}");
        // Case variants collapse.
        assert!(words.len() < 10, "{words:?}");
    }

    #[test]
    fn numeric_regex_rules_nothing_out() {
        let cond = EventCondition {
            providers: vec!["Microsoft-Windows-Time-Service".into()],
            fields: vec![(
                "TimeOffsetSeconds".into(),
                TextMatcher::Regex(
                    crate::rules::lazy_regex::LazyRegex::new(r"^-?(1[4-9]\d{3}|[2-9]\d{4}|\d{6,})$").unwrap(),
                ),
            )],
            ..EventCondition::default()
        };
        assert_eq!(clause(&cond).unwrap().len(), 1, "the provider only");
        let by_level = EventCondition {
            levels: vec![2],
            ..EventCondition::default()
        };
        assert!(clause(&by_level).is_none());
        let words = TextMatcher::Literal(vec!["true".into(), "Disk".into()]);
        assert!(matcher_needles(&words).is_none(), "`true` can be a rendered boolean");
    }

    /// An id is looked for as an integer value and as its digits; wide ranges rule nothing out.
    #[test]
    fn id_forms() {
        let by_id = EventCondition {
            ids: vec![4624..=4624, 8198..=8199],
            ..EventCondition::default()
        };
        let groups = clause(&by_id).unwrap();
        assert_eq!(groups.len(), 1);
        assert!(groups[0].contains(&Needle::Value(4624)) && groups[0].contains(&Needle::Value(8199)));
        assert_eq!(texts_of(&groups[0]), ["4624", "8198", "8199"]);
        let wide = EventCondition {
            ids: vec![1..=100],
            ..EventCondition::default()
        };
        assert!(clause(&wide).is_none());
    }

    #[test]
    fn code_forms() {
        let needles = code_needles(0xC004_F074);
        assert_eq!(texts_of(&needles), ["C004F074"]);
        let labelled = |d: &str| Needle::All(vec![Needle::Text("hr".into()), Needle::Text(d.into())]);
        assert!(needles.contains(&labelled("3221549172")));
        assert!(needles.contains(&labelled("-1073418124")));
        assert!(needles.contains(&Needle::Bytes(vec![0x74, 0xF0, 0x04, 0xC0])));
        let win32 = code_needles(0x8007_0490);
        assert_eq!(texts_of(&win32), ["80070490", "00000490"]);
        assert!(win32.contains(&labelled("1168")));
        assert!(win32.contains(&Needle::Bytes(vec![0x90, 0x04, 0x07, 0x80])));
        // 0x490 is rendered `0x490`: no code is read from it, so its bytes are no needle.
        assert!(!win32.contains(&Needle::Bytes(vec![0x90, 0x04, 0, 0])));
    }
}
