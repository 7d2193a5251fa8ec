//! `cmgelog.toml` checked like a rule file: typed values (`language`, `deadline`,
//! `protocol`, the portal address and the categories are refused when wrong instead of being
//! silently ignored), unknown keys refused, every problem at once with `file:line:column`.
//! `Config::parse` runs it first; `cmgelog config check` runs it alone.

use crate::collect::Category;
use crate::rules::Diagnostic;
use crate::toml_check::{get, Checker};

const TOP: &[&str] = &[
    "language",
    "case-id",
    "categories",
    "deadline",
    "activation-log-dirs",
    "portal",
];
const PORTAL: &[&str] = &["url", "user", "protocol"];

/// Every problem of the configuration `source` (named `name` in the messages). The
/// diagnostics quote their source line: a password written into the file (or into the
/// portal address) is masked there first, so the message never repeats it.
pub fn check(name: &str, source: &str) -> Vec<Diagnostic> {
    let masked = mask_secrets(source);
    check_masked(name, &masked)
}

/// `source` with the value of `[portal] password` and the user:password part of
/// `[portal] url` overwritten with `*`, byte for byte, so that spans stay right.
fn mask_secrets(source: &str) -> String {
    let (doc, _) = toml::de::DeTable::parse_recoverable(source);
    let mut spans = Vec::new();
    if let Some(toml::de::DeValue::Table(portal)) = get(doc.get_ref(), "portal").map(|v| v.get_ref()) {
        if let Some(v) = get(portal, "password") {
            spans.push(v.span());
        }
        if let Some(v) = get(portal, "url") {
            let span = v.span();
            let text = &source[span.clone()];
            if let Some(start) = text.find("://").map(|i| i + 3) {
                let end = text[start..]
                    .find(['/', '?', '#', '"', '\''])
                    .map_or(text.len(), |i| start + i);
                if let Some(at) = text[start..end].rfind('@') {
                    spans.push(span.start + start..span.start + start + at);
                }
            }
        }
    }
    let mut bytes = source.as_bytes().to_vec();
    for span in spans {
        for b in &mut bytes[span] {
            if !matches!(*b, b'"' | b'\'') {
                *b = b'*';
            }
        }
    }
    // Whole UTF-8 sequences were overwritten with ASCII: still valid.
    String::from_utf8(bytes).unwrap_or_else(|_| source.to_string())
}

fn check_masked(name: &str, source: &str) -> Vec<Diagnostic> {
    let (mut cx, doc) = Checker::parse(name, source);
    let top = doc.get_ref();
    cx.unknown_keys(top, TOP, "cmgelog.toml");
    if let Some(v) = get(top, "language") {
        cx.one_of(v, "language", &["zh", "en"]);
    }
    if let Some(v) = get(top, "case-id") {
        cx.string(v, "case-id");
    }
    if let Some(v) = get(top, "deadline") {
        cx.duration(v, "deadline");
    }
    if let Some(v) = get(top, "activation-log-dirs") {
        cx.strings(v, "activation-log-dirs", false);
    }
    if let Some(v) = get(top, "categories") {
        if let Some(list) = cx.strings(v, "categories", true) {
            let known: Vec<&str> = Category::ALL.iter().map(|c| c.id()).collect();
            for c in list.iter().filter(|c| c.parse::<Category>().is_err()) {
                cx.error(
                    v.span(),
                    format!("unknown category `{c}`; expected some of: {}", known.join(", ")),
                );
            }
        }
    }
    if let Some(v) = get(top, "portal") {
        if let Some(t) = cx.table(v, "portal") {
            if let Some((k, _)) = t.iter().find(|(k, _)| k.get_ref().as_ref() == "password") {
                cx.error(
                    k.span(),
                    "a password never goes into cmgelog.toml: it is typed when asked, or set in CMGELOG_PASSWORD",
                );
            }
            let allowed: Vec<&str> = PORTAL.iter().copied().chain(["password"]).collect();
            cx.unknown_keys(t, &allowed, "[portal]");
            if let Some(v) = get(t, "user") {
                cx.string(v, "user");
            }
            if let Some(v) = get(t, "protocol") {
                cx.one_of(v, "protocol", &["auto", "tus", "multipart", "put"]);
            }
            if let Some(v) = get(t, "url") {
                if let Some(url) = cx.string(v, "url") {
                    if let Err(problem) = portal_url_problem(&url) {
                        cx.error(v.span(), problem);
                    }
                }
            }
        }
    }
    cx.finish()
}

/// Why a portal address cannot be used, if it cannot.
fn portal_url_problem(text: &str) -> Result<(), String> {
    let url = reqwest::Url::parse(text).map_err(|e| {
        format!(
            "`url` = \"{}\" is not an address ({e}); write it whole, e.g. \"https://support.example.cn/files/\"",
            crate::upload::without_credentials(text)
        )
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!(
            "`url` must start with https:// or http://, not {}://",
            url.scheme()
        ));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("`url` must not hold a user name or password: put the user in `user`".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_mistake_at_once_with_its_line() {
        let text = "language = \"fr\"\ndeadline = \"soon\"\ncategories = [\"network\", \"printers\"]\ncolour = 1\n[portal]\nurl = \"support.example.cn/files\"\npassword = \"x\"\nprotocol = \"ftp\"\n";
        let d = check("cmgelog.toml", text);
        let got: Vec<(usize, String)> = d.iter().map(|d| (d.line_col().unwrap().0, d.message.clone())).collect();
        let has = |line: usize, text: &str| got.iter().any(|(l, m)| *l == line && m.contains(text));
        assert!(has(1, "`language` = \"fr\" is not known"), "{got:#?}");
        assert!(has(2, "is not a duration"), "{got:#?}");
        assert!(has(3, "unknown category `printers`"), "{got:#?}");
        assert!(has(4, "unknown key `colour`"), "{got:#?}");
        assert!(has(6, "is not an address"), "{got:#?}");
        assert!(has(7, "a password never goes into cmgelog.toml"), "{got:#?}");
        assert!(has(8, "`protocol` = \"ftp\" is not known"), "{got:#?}");
        assert_eq!(got.len(), 7, "{got:#?}");
    }

    #[test]
    fn credentials_in_the_portal_address_are_refused_without_being_repeated() {
        let d = check("c.toml", "[portal]\nurl = \"https://u:Secr3t@h/\"\n");
        assert_eq!(d.len(), 1);
        assert!(d[0].message.contains("must not hold a user name or password"));
        let shown = crate::rules::render_diagnostics(&d);
        assert!(
            shown.contains("https://********@h/") && !shown.contains("Secr3t"),
            "{shown}"
        );
        let d = check("c.toml", "[portal]\npassword = \"pässwörd-7\"\n");
        let shown = crate::rules::render_diagnostics(&d);
        assert!(shown.contains("c.toml:2:1") && !shown.contains("pässwörd"), "{shown}");
    }
}
