//! What `watch` writes per bundle into RESULTS: `<name>.json` (the `analyze --format json`
//! report), `<name>.html` (the report an engineer opens) and `<name>.md` (the reply to paste
//! into the ticket), where `<name>` is the case id and the first 12 hex digits of the
//! bundle's SHA-256, all in the watcher's language; plus `<name>.<zh|en>.html`, the report in
//! the other language, so `serve` can answer each browser in its own. Each file is written
//! beside its final name and renamed into place, so a reader never sees half a report.

use crate::analysis::Analysis;
use crate::i18n::Lang;
use crate::report;
use std::io;
use std::path::Path;

pub const KINDS: [&str; 3] = ["json", "md", "html"];

/// `<case>-<sha12>`, the case id kept to letters, digits, `.`, `_` and `-` (it comes from the
/// uploader's metadata: it must not name another folder).
pub fn name(case_id: &str, sha256: &str) -> String {
    let mut case: String = case_id
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .take(80)
        .collect();
    while case.starts_with('.') {
        case.remove(0);
    }
    if case.is_empty() {
        case.push_str("bundle");
    }
    format!("{case}-{}", &sha256[..12.min(sha256.len())])
}

/// The language tag of `<name>.<tag>.html`.
pub fn tag(lang: Lang) -> &'static str {
    if lang.is_zh() {
        "zh"
    } else {
        "en"
    }
}

pub fn write(out: &Path, name: &str, a: &Analysis, lang: Lang) -> io::Result<()> {
    let other = if lang.is_zh() { Lang::En } else { Lang::Zh };
    // The other language first: the watcher's own `.html` is the last, so once it is there
    // the whole set is.
    put(
        out,
        &format!("{name}.{}.html", tag(other)),
        &report::html::render(a, other),
    )?;
    for kind in KINDS {
        let text = match kind {
            "json" => report::json::render(a, lang),
            "html" => report::html::render(a, lang),
            _ => report::markdown::render(a, lang),
        };
        put(out, &format!("{name}.{kind}"), &text)?;
    }
    Ok(())
}

fn put(out: &Path, file: &str, text: &str) -> io::Result<()> {
    let tmp = out.join(format!(".{file}.tmp"));
    std::fs::write(&tmp, text)?;
    std::fs::rename(&tmp, out.join(file))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_stay_in_the_folder() {
        let sha = "0123456789abcdef0123";
        assert_eq!(name("CMGE-2026-00042", sha), "CMGE-2026-00042-0123456789ab");
        assert_eq!(name("../../etc/passwd", sha), "_.._etc_passwd-0123456789ab");
        assert_eq!(name("", sha), "bundle-0123456789ab");
        assert_eq!(name("案例 7", sha), "案例_7-0123456789ab");
    }
}
