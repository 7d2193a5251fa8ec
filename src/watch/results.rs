//! What `watch` writes per bundle into RESULTS: `<name>.json` (the `analyze --format json`
//! report), `<name>.html` (the report an engineer opens) and `<name>.md` (the reply to paste
//! into the ticket), where `<name>` is the case id and the first 12 hex digits of the
//! bundle's SHA-256. Each file is written beside its final name and renamed into place, so a
//! reader never sees half a report.

use crate::analysis::Analysis;
use crate::i18n::Lang;
use crate::report;
use std::io;
use std::path::Path;

pub const KINDS: [&str; 3] = ["json", "html", "md"];

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

pub fn write(out: &Path, name: &str, a: &Analysis, lang: Lang) -> io::Result<()> {
    for kind in KINDS {
        let text = match kind {
            "json" => report::json::render(a, lang),
            "html" => report::html::render(a, lang),
            _ => report::markdown::render(a, lang),
        };
        let path = out.join(format!("{name}.{kind}"));
        let tmp = out.join(format!(".{name}.{kind}.tmp"));
        std::fs::write(&tmp, text)?;
        std::fs::rename(&tmp, &path)?;
    }
    Ok(())
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
