//! Rule file loading: TOML → spanned values → validated, compiled rules.
//!
//! Like cargo-deny, we first parse into an unvalidated, spanned form, then validate every rule
//! and collect every diagnostic, and only build the rule set when there is none. A rule file
//! with one bad regex is reported in full, with line and column, and yields no rules.

use super::condition::{Condition, FactCheck, FactCondition, FactTarget, FileSelector, TextCondition, TextMatcher};
use super::diagnostic::Diagnostic;
use super::{Localized, Rule, Severity};
use crate::bundle::Kind;
use globset::{Glob, GlobSetBuilder};
use regex::Regex;
use serde_spanned::Spanned;
use std::ops::Range;
use toml::de::{DeTable, DeValue};

type Value<'a> = Spanned<DeValue<'a>>;

/// Parses one rule file. `name` is used in diagnostics and as the rules' origin.
pub fn parse_rule_file(name: &str, source: &str) -> Result<Vec<Rule>, Vec<Diagnostic>> {
    let mut cx = Cx {
        name,
        source,
        diagnostics: Vec::new(),
    };
    let (doc, errors) = DeTable::parse_recoverable(source);
    for e in errors {
        let span = e.span().unwrap_or(0..0);
        cx.error(span, format!("TOML syntax: {}", e.message()));
    }
    let mut rules = Vec::new();
    for (key, value) in doc.get_ref().iter() {
        if key.get_ref().as_ref() != "rule" {
            cx.error(
                key.span(),
                format!(
                    "unknown top-level key `{}`; rule files hold `[[rule]]` tables",
                    key.get_ref()
                ),
            );
            continue;
        }
        match value.get_ref() {
            DeValue::Array(items) => {
                for item in items.iter() {
                    match item.get_ref() {
                        DeValue::Table(t) => rules.extend(cx.rule(t, item.span())),
                        _ => cx.error(item.span(), "each `rule` must be a table ([[rule]])"),
                    }
                }
            }
            _ => cx.error(value.span(), "`rule` must be an array of tables: write `[[rule]]`"),
        }
    }
    if cx.diagnostics.is_empty() {
        Ok(rules)
    } else {
        cx.diagnostics.sort_by_key(|d| d.span.as_ref().map_or(0, |s| s.start));
        Err(cx.diagnostics)
    }
}

struct Cx<'s> {
    name: &'s str,
    source: &'s str,
    diagnostics: Vec<Diagnostic>,
}

const RULE_KEYS: &[&str] = &[
    "id",
    "severity",
    "title",
    "cause",
    "remedy",
    "references",
    "related",
    "when",
];
const COND_KEYS: &[&str] = &[
    "all", "any", "not", "text", "regex", "files", "fact", "check", "bytes", "pattern", "value",
];

impl Cx<'_> {
    fn error(&mut self, span: Range<usize>, message: impl Into<String>) {
        self.diagnostics
            .push(Diagnostic::at(self.name, self.source, span, message));
    }

    fn rule(&mut self, t: &DeTable, span: Range<usize>) -> Option<Rule> {
        let before = self.diagnostics.len();
        self.unknown_keys(t, RULE_KEYS, "rule");
        let id = self.required_str(t, "id", &span);
        if let Some((id, s)) = &id {
            let ok = Regex::new(r"^[a-z][a-z0-9-]*(\.[a-z0-9-]+)+$")
                .expect("static regex")
                .is_match(id);
            if !ok {
                self.error(
                    s.clone(),
                    format!("rule id `{id}` must be dotted lower-case words, like `hw.baseboard-serial`"),
                );
            }
        }
        let severity = self.required_str(t, "severity", &span).and_then(|(s, sp)| {
            let sev = Severity::parse(&s);
            if sev.is_none() {
                self.error(
                    sp,
                    format!("unknown severity `{s}`; expected one of critical, error, warning, info"),
                );
            }
            sev
        });
        let title = self.localized(t, "title", &span);
        let cause = self.localized(t, "cause", &span);
        let remedy = self.localized(t, "remedy", &span);
        let references = self.str_list(t, "references");
        let related = self.str_list(t, "related");
        let when = match get(t, "when") {
            Some(v) => self.condition(v),
            None => {
                self.error(span.clone(), "rule has no `when` condition");
                None
            }
        };
        if self.diagnostics.len() > before {
            return None;
        }
        Some(Rule {
            id: id?.0,
            severity: severity?,
            title: title?,
            cause: cause?,
            remedy: remedy?,
            references,
            related,
            when: when?,
            origin: self.name.to_string(),
        })
    }

    fn unknown_keys(&mut self, t: &DeTable, allowed: &[&str], what: &str) {
        for (k, _) in t.iter() {
            if !allowed.contains(&k.get_ref().as_ref()) {
                self.error(
                    k.span(),
                    format!(
                        "unknown key `{}` in {what}; expected one of: {}",
                        k.get_ref(),
                        allowed.join(", ")
                    ),
                );
            }
        }
    }

    fn required_str(&mut self, t: &DeTable, key: &str, span: &Range<usize>) -> Option<(String, Range<usize>)> {
        match get(t, key) {
            Some(v) => match v.get_ref().as_str() {
                Some(s) => Some((s.to_string(), v.span())),
                None => {
                    self.error(
                        v.span(),
                        format!("`{key}` must be a string, found {}", v.get_ref().type_str()),
                    );
                    None
                }
            },
            None => {
                self.error(span.clone(), format!("rule is missing `{key}`"));
                None
            }
        }
    }

    fn localized(&mut self, t: &DeTable, key: &str, span: &Range<usize>) -> Option<Localized> {
        let Some(v) = get(t, key) else {
            self.error(span.clone(), format!("rule is missing `{key}` (with `zh` and `en`)"));
            return None;
        };
        let Some(table) = v.get_ref().as_table() else {
            self.error(v.span(), format!("`{key}` must be a table with `zh` and `en` strings"));
            return None;
        };
        self.unknown_keys(table, &["zh", "en"], key);
        let mut text = |lang: &str| match get(table, lang).map(|x| (x.get_ref().as_str(), x.span())) {
            Some((Some(s), _)) if !s.trim().is_empty() => Some(s.to_string()),
            Some((_, sp)) => {
                self.error(sp, format!("`{key}.{lang}` must be a non-empty string"));
                None
            }
            None => {
                self.error(v.span(), format!("`{key}` has no `{lang}` text"));
                None
            }
        };
        let zh = text("zh");
        let en = text("en");
        Some(Localized::new(zh?, en?))
    }

    fn str_list(&mut self, t: &DeTable, key: &str) -> Vec<String> {
        let Some(v) = get(t, key) else { return Vec::new() };
        self.strings(v, key)
    }

    /// A string or an array of strings.
    fn strings(&mut self, v: &Value, key: &str) -> Vec<String> {
        match v.get_ref() {
            DeValue::String(s) => vec![s.to_string()],
            DeValue::Array(items) => items
                .iter()
                .filter_map(|i| match i.get_ref().as_str() {
                    Some(s) => Some(s.to_string()),
                    None => {
                        self.error(i.span(), format!("`{key}` items must be strings"));
                        None
                    }
                })
                .collect(),
            other => {
                self.error(
                    v.span(),
                    format!(
                        "`{key}` must be a string or an array of strings, found {}",
                        other.type_str()
                    ),
                );
                Vec::new()
            }
        }
    }

    fn condition(&mut self, v: &Value) -> Option<Condition> {
        let Some(t) = v.get_ref().as_table() else {
            self.error(v.span(), "a condition must be a table: { all = [...] }, { any = [...] }, { not = {...} }, { text = \"...\" }, { regex = \"...\" } or { fact = \"...\", check = \"...\" }");
            return None;
        };
        self.unknown_keys(t, COND_KEYS, "condition");
        let heads: Vec<&str> = ["all", "any", "not", "text", "regex", "fact"]
            .into_iter()
            .filter(|k| get(t, k).is_some())
            .collect();
        if heads.len() != 1 {
            self.error(
                v.span(),
                format!(
                    "a condition needs exactly one of all, any, not, text, regex, fact (found {})",
                    if heads.is_empty() {
                        "none".to_string()
                    } else {
                        heads.join(", ")
                    }
                ),
            );
            return None;
        }
        let head = heads[0];
        let inner = get(t, head).expect("checked above");
        match head {
            "all" | "any" => {
                let Some(items) = inner.get_ref().as_array() else {
                    self.error(inner.span(), format!("`{head}` must be an array of conditions"));
                    return None;
                };
                if items.is_empty() {
                    self.error(inner.span(), format!("`{head}` is empty"));
                }
                let conds: Vec<Option<Condition>> = items.iter().map(|i| self.condition(i)).collect();
                let conds: Option<Vec<Condition>> = conds.into_iter().collect();
                conds.map(|c| {
                    if head == "all" {
                        Condition::All(c)
                    } else {
                        Condition::Any(c)
                    }
                })
            }
            "not" => self.condition(inner).map(|c| Condition::Not(Box::new(c))),
            "text" | "regex" => self.text_condition(t, head, inner),
            _ => self.fact_condition(t, inner),
        }
    }

    fn text_condition(&mut self, t: &DeTable, head: &str, inner: &Value) -> Option<Condition> {
        let matcher = if head == "text" {
            let words = self.strings(inner, "text");
            if words.iter().any(|w| w.is_empty()) {
                self.error(inner.span(), "`text` must not be empty");
            }
            TextMatcher::Literal(words)
        } else {
            let pattern = inner.get_ref().as_str();
            let Some(pattern) = pattern else {
                self.error(inner.span(), "`regex` must be a string");
                return None;
            };
            match Regex::new(pattern) {
                Ok(re) => TextMatcher::Regex(re),
                Err(e) => {
                    self.regex_error(inner, pattern, &e);
                    return None;
                }
            }
        };
        let files = match get(t, "files") {
            Some(f) => self.file_selector(f)?,
            None => FileSelector::default(),
        };
        Some(Condition::Text(TextCondition { matcher, files }))
    }

    fn file_selector(&mut self, v: &Value) -> Option<FileSelector> {
        let mut sel = FileSelector::default();
        let mut globs = GlobSetBuilder::new();
        let mut any_glob = false;
        let mut ok = true;
        for item in self.strings(v, "files") {
            if let Some(kind) = item.strip_prefix("kind:") {
                if !Kind::NAMES.contains(&kind) {
                    self.error(
                        v.span(),
                        format!(
                            "unknown file kind `{kind}`; expected one of: {}",
                            Kind::NAMES.join(", ")
                        ),
                    );
                    ok = false;
                }
                sel.kinds.push(kind.to_string());
            } else {
                let pattern = item.strip_prefix("glob:").unwrap_or(&item);
                match Glob::new(pattern) {
                    Ok(g) => {
                        globs.add(g);
                        any_glob = true;
                    }
                    Err(e) => {
                        self.error(v.span(), format!("invalid glob `{pattern}`: {e}"));
                        ok = false;
                    }
                }
            }
        }
        if any_glob {
            match globs.build() {
                Ok(set) => sel.globs = Some(set),
                Err(e) => {
                    self.error(v.span(), format!("invalid globs: {e}"));
                    ok = false;
                }
            }
        }
        ok.then_some(sel)
    }

    /// Reports a regex error with the engine's own message, pointing at the exact character
    /// when the pattern is written without escapes (so source and pattern offsets agree).
    fn regex_error(&mut self, v: &Value, pattern: &str, e: &regex::Error) {
        let text = e.to_string();
        let message = text
            .lines()
            .find_map(|l| l.strip_prefix("error: "))
            .unwrap_or(text.as_str())
            .to_string();
        let span = v.span();
        let body = (span.start + 1)..span.end.saturating_sub(1);
        let mut at = span.clone();
        if self.source.get(body.clone()) == Some(pattern) {
            let caret = text.lines().find(|l| l.trim_start().starts_with('^'));
            if let Some(col) = caret.and_then(|l| l.find('^')).and_then(|c| c.checked_sub(4)) {
                let offset = pattern.char_indices().nth(col).map_or(pattern.len(), |(i, _)| i);
                let width = caret.map_or(1, |l| l.trim().chars().count()).max(1);
                let end = pattern
                    .char_indices()
                    .nth(col + width)
                    .map_or(pattern.len(), |(i, _)| i);
                at = (body.start + offset)..(body.start + end.max(offset + 1).min(pattern.len()));
            }
        }
        self.error(at, format!("invalid regex: {message}"));
    }

    fn fact_condition(&mut self, t: &DeTable, inner: &Value) -> Option<Condition> {
        let Some(path) = inner.get_ref().as_str() else {
            self.error(inner.span(), "`fact` must be a string such as \"baseboard.serial\"");
            return None;
        };
        let Some(target) = FactTarget::parse(path) else {
            self.error(
                inner.span(),
                format!(
                    "unknown fact `{path}`; known facts: {}",
                    FactTarget::all_paths().join(", ")
                ),
            );
            return None;
        };
        let Some(check_v) = get(t, "check") else {
            self.error(
                inner.span(),
                format!(
                    "fact condition needs `check`; for `{path}` one of: {}",
                    target.allowed_checks().join(", ")
                ),
            );
            return None;
        };
        let Some(check) = check_v.get_ref().as_str() else {
            self.error(check_v.span(), "`check` must be a string");
            return None;
        };
        if !target.allowed_checks().contains(&check) {
            self.error(
                check_v.span(),
                format!(
                    "check `{check}` does not apply to `{path}`; use one of: {}",
                    target.allowed_checks().join(", ")
                ),
            );
            return None;
        }
        let check = match check {
            "placeholder" => FactCheck::Placeholder,
            "missing" => FactCheck::Missing,
            "known" => FactCheck::Known,
            "true" => FactCheck::True,
            "false" => FactCheck::False,
            "no-physical-enabled" => FactCheck::NoPhysicalEnabled,
            "only-removable-physical" => FactCheck::OnlyRemovablePhysical,
            "virtual" => FactCheck::Virtual,
            "longer-than" => {
                let bytes = get(t, "bytes")
                    .and_then(|b| b.get_ref().as_integer().and_then(|i| i.as_str().parse::<usize>().ok()));
                match bytes {
                    Some(b) => FactCheck::LongerThan(b),
                    None => {
                        self.error(check_v.span(), "`longer-than` needs `bytes = <positive integer>`");
                        return None;
                    }
                }
            }
            "matches" => {
                let p = get(t, "pattern");
                match p.map(|p| (p.get_ref().as_str().map(Regex::new), p.span())) {
                    Some((Some(Ok(re)), _)) => FactCheck::Matches(re),
                    Some((Some(Err(e)), _)) => {
                        let p = p.expect("matched Some");
                        self.regex_error(p, p.get_ref().as_str().unwrap_or_default(), &e);
                        return None;
                    }
                    _ => {
                        self.error(check_v.span(), "`matches` needs `pattern = \"<regex>\"`");
                        return None;
                    }
                }
            }
            "equals" => match get(t, "value").and_then(|v| v.get_ref().as_str()) {
                Some(v) => FactCheck::Equals(v.to_string()),
                None => {
                    self.error(check_v.span(), "`equals` needs `value = \"...\"`");
                    return None;
                }
            },
            _ => unreachable!("allowed_checks lists only the checks above"),
        };
        Some(Condition::Fact(FactCondition { target, check }))
    }
}

fn get<'t, 'i>(t: &'t DeTable<'i>, key: &str) -> Option<&'t Value<'i>> {
    t.iter().find(|(k, _)| k.get_ref().as_ref() == key).map(|(_, v)| v)
}
