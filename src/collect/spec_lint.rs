//! The collection spec checked like a rule file: every item whatever categories are chosen
//! (a broken item in a category nobody ticked today fails whoever ticks it tomorrow), each
//! kind with its own keys (a `paths` on a command is a mistake, not something to ignore),
//! typed values, and all problems at once with `file:line:column`. `Spec::parse` runs it
//! first; `cmgelog spec lint FILE` runs it alone.

use super::category::Category;
use super::spec::{parse_size, OUT};
use crate::rules::Diagnostic;
use crate::toml_check::{get, Checker};
use std::collections::HashMap;
use std::ops::Range;
use toml::de::{DeTable, DeValue};

/// Keys every item may have.
const COMMON: &[&str] = &[
    "id",
    "category",
    "kind",
    "path",
    "timeout",
    "max-bytes",
    "encoding",
    "needs-admin",
];

/// Per kind: the keys it requires, and the ones it may have besides [`COMMON`].
const KINDS: &[(&str, &[&str], &[&str])] = &[
    ("command", &["argv"], &["ok-exit-codes"]),
    ("files", &["paths"], &["max-files"]),
    ("registry", &["key"], &[]),
    ("eventlog", &["channel"], &["recent"]),
    ("dir", &["dir"], &["depth"]),
    ("probe", &["endpoints"], &[]),
    ("wmi", &["class", "properties"], &["namespace", "where"]),
    ("devprops", &[], &[]),
];

/// Every problem of the spec `source` (named `name` in the messages); empty when it is good.
pub fn lint(name: &str, source: &str) -> Vec<Diagnostic> {
    let (mut cx, doc) = Checker::parse(name, source);
    let top = doc.get_ref();
    cx.unknown_keys(top, &["os", "defaults", "item"], "the spec (top level)");
    let whole = 0..source.len().min(1);
    if let Some(os) = cx.require(top, "os", &whole, "the spec") {
        cx.one_of(os, "os", &["windows", "linux"]);
    }
    if let Some(d) = get(top, "defaults") {
        if let Some(t) = cx.table(d, "defaults") {
            defaults(&mut cx, t);
        }
    }
    let mut ids: HashMap<String, Range<usize>> = HashMap::new();
    match get(top, "item").map(|v| (v, v.get_ref())) {
        Some((_, DeValue::Array(items))) => {
            for item in items.iter() {
                match item.get_ref() {
                    DeValue::Table(t) => check_item(&mut cx, t, item.span(), &mut ids),
                    _ => cx.error(item.span(), "each `item` must be a table: write `[[item]]`"),
                }
            }
        }
        Some((v, _)) => cx.error(v.span(), "`item` must be an array of tables: write `[[item]]`"),
        None => {}
    }
    cx.finish()
}

fn defaults(cx: &mut Checker, t: &DeTable) {
    cx.unknown_keys(t, &["timeout", "max-bytes"], "[defaults]");
    if let Some(v) = get(t, "timeout") {
        cx.duration(v, "timeout");
    }
    if let Some(v) = get(t, "max-bytes") {
        size(cx, v);
    }
}

fn check_item(cx: &mut Checker, t: &DeTable, span: Range<usize>, ids: &mut HashMap<String, Range<usize>>) {
    let what = match get(t, "id").and_then(|v| v.get_ref().as_str()) {
        Some(id) => format!("item `{id}`"),
        None => "this item".to_string(),
    };
    if let Some(v) = cx.require(t, "id", &span, &what) {
        if let Some(id) = cx.string(v, "id") {
            if let Some(first) = ids.get(&id) {
                let (line, _) = Diagnostic::at(cx.name, cx.source, first.clone(), "")
                    .line_col()
                    .unwrap_or((0, 0));
                cx.error(v.span(), format!("item id `{id}` is used twice (first on line {line})"));
            } else {
                ids.insert(id, v.span());
            }
        }
    }
    if let Some(v) = cx.require(t, "category", &span, &what) {
        if let Some(c) = cx.string(v, "category") {
            if c.parse::<Category>().is_err() {
                let all: Vec<&str> = Category::ALL.iter().map(|c| c.id()).collect();
                cx.error(
                    v.span(),
                    format!("unknown category `{c}`; expected one of: {}", all.join(", ")),
                );
            }
        }
    }
    if let Some(v) = cx.require(t, "path", &span, &what) {
        if let Some(p) = cx.string(v, "path") {
            if p.is_empty() || p.starts_with(['/', '\\']) || p.split(['/', '\\']).any(|c| c == "..") {
                cx.error(v.span(), "`path` must be a relative path inside the zip, without `..`");
            }
        }
    }
    if let Some(v) = get(t, "timeout") {
        cx.duration(v, "timeout");
    }
    if let Some(v) = get(t, "max-bytes") {
        size(cx, v);
    }
    if let Some(v) = get(t, "encoding") {
        cx.string(v, "encoding");
    }
    if let Some(v) = get(t, "needs-admin") {
        cx.boolean(v, "needs-admin");
    }
    let kinds: Vec<&str> = KINDS.iter().map(|k| k.0).collect();
    let Some(kind_value) = cx.require(t, "kind", &span, &what) else {
        return;
    };
    let Some(kind) = cx.one_of(kind_value, "kind", &kinds) else {
        return;
    };
    let (_, required, optional) = KINDS.iter().find(|k| k.0 == kind).expect("kind was checked");
    let allowed: Vec<&str> = COMMON
        .iter()
        .chain(required.iter())
        .chain(optional.iter())
        .copied()
        .collect();
    cx.unknown_keys(t, &allowed, &format!("{what} (kind `{kind}`)"));
    for key in *required {
        cx.require(t, key, &span, &format!("{what} (kind `{kind}`)"));
    }
    for (key, v) in t.iter() {
        let key = key.get_ref().as_ref();
        match key {
            "argv" => {
                if let Some(argv) = cx.strings(v, key, true) {
                    if argv.first().is_some_and(|a| a.contains(OUT)) {
                        cx.error(v.span(), format!("`argv` starts with the program to run, not `{OUT}`"));
                    }
                }
            }
            "class" | "namespace" | "where" => non_empty(cx, v, key),
            "properties" => {
                if let Some(props) = cx.strings(v, key, true) {
                    // WQL names: letters, digits, underscore; anything else would change the query.
                    for p in props
                        .iter()
                        .filter(|p| !p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
                    {
                        cx.error(v.span(), format!("`properties`: `{p}` is not a property name"));
                    }
                }
            }
            "paths" | "endpoints" => {
                cx.strings(v, key, true);
            }
            "ok-exit-codes" => {
                if let DeValue::Array(codes) = v.get_ref() {
                    for c in codes.iter() {
                        if !matches!(c.get_ref(), DeValue::Integer(_)) {
                            cx.error(c.span(), "`ok-exit-codes` must hold integers");
                        }
                    }
                } else {
                    cx.error(v.span(), "`ok-exit-codes` must be an array of integers");
                }
            }
            "max-files" | "depth" => {
                cx.integer(v, key, 1_000_000);
            }
            "recent" => {
                cx.integer(v, key, u32::MAX as u64);
            }
            "key" | "channel" | "dir" => non_empty(cx, v, key),
            _ => {}
        }
    }
}

fn non_empty(cx: &mut Checker, v: &crate::toml_check::Value, key: &str) {
    if cx.string(v, key).is_some_and(|s| s.trim().is_empty()) {
        cx.error(v.span(), format!("`{key}` must not be empty"));
    }
}

fn size(cx: &mut Checker, v: &crate::toml_check::Value) {
    match v.get_ref() {
        DeValue::Integer(_) => {
            cx.integer(v, "max-bytes", u64::MAX >> 1);
        }
        DeValue::String(s) => {
            if let Err(e) = parse_size(s) {
                cx.error(v.span(), format!("`max-bytes`: {e}"));
            }
        }
        other => cx.error(
            v.span(),
            format!(
                "`max-bytes` must be a size such as \"32MiB\", found {}",
                other.type_str()
            ),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_specs_are_clean() {
        for (name, text) in [
            ("specs/windows.toml", include_str!("../../specs/windows.toml")),
            ("specs/linux.toml", include_str!("../../specs/linux.toml")),
        ] {
            let d = lint(name, text);
            assert!(d.is_empty(), "{}", crate::rules::render_diagnostics(&d));
        }
    }

    #[test]
    fn every_mistake_at_once_with_its_line() {
        let spec = r#"os = "windows"
colour = "red"
[defaults]
timeout = "ten minutes"

[[item]]
id = "a"
category = "hardware"
kind = "command"
argv = ["wmic", "bios", "get", "/format:list"]
paths = ["C:\\x"]
path = "hardware/bios.txt"

[[item]]
id = "a"
category = "gpo"
kind = "files"
path = "../escape"
max-bytes = "12 parsecs"

[[item]]
id = "c"
category = "network"
kind = "teleport"
path = "n.txt"
"#;
        let d = lint("spec.toml", spec);
        let got: Vec<(usize, String)> = d.iter().map(|d| (d.line_col().unwrap().0, d.message.clone())).collect();
        let has = |line: usize, text: &str| got.iter().any(|(l, m)| *l == line && m.contains(text));
        assert!(has(2, "unknown key `colour`"), "{got:#?}");
        assert!(has(4, "is not a duration"), "{got:#?}");
        assert!(has(11, "unknown key `paths` in item `a` (kind `command`)"), "{got:#?}");
        assert!(has(15, "item id `a` is used twice (first on line 7)"), "{got:#?}");
        assert!(has(16, "unknown category `gpo`"), "{got:#?}");
        assert!(has(14, "item `a` (kind `files`) is missing `paths`"), "{got:#?}");
        assert!(has(18, "relative path inside the zip"), "{got:#?}");
        assert!(has(19, "unknown size unit"), "{got:#?}");
        assert!(has(24, "`kind` = \"teleport\" is not known"), "{got:#?}");
        assert_eq!(got.len(), 9, "{got:#?}");
    }

    #[test]
    fn defaults_may_leave_out_either_key() {
        let d = lint("s.toml", "os = \"linux\"\n[defaults]\ntimeout = \"5s\"\n");
        assert!(d.is_empty(), "{}", crate::rules::render_diagnostics(&d));
    }
}
