//! Rule file loading: TOML → spanned values → validated, compiled rules.
//!
//! Like cargo-deny, we first parse into an unvalidated, spanned form, then validate every rule
//! and collect every diagnostic, and only build the rule set when there is none. A rule file
//! with one bad regex is reported in full, with line and column, and yields no rules.

use super::condition::{
    Condition, EventCondition, FactCheck, FactCondition, FactTarget, FileSelector, Globs, TextCondition, TextMatcher,
};
use super::diagnostic::Diagnostic;
use super::event_filter::{parse_time, LEVELS};
use super::lazy_regex::LazyRegex;
use super::scope::{self, Scope};
use super::words::{LazyWords, Words};
use super::{Localized, Rule, Severity};
use crate::knowledge::{parse_in_rule_file, Code, CodeInfo, Knowledge};
use globset::Glob;
use serde_spanned::Spanned;
use std::ops::{Range, RangeInclusive};
use toml::de::{DeTable, DeValue};

type Value<'a> = Spanned<DeValue<'a>>;

/// A parsed rule file: its rules and the error codes it defines (`[[code]]` tables).
#[derive(Debug, Default)]
pub struct RuleFile {
    pub rules: Vec<Rule>,
    pub codes: Vec<CodeInfo>,
}

/// Parses one rule file. `name` is used in diagnostics and as the rules' origin.
pub fn parse_rule_file(name: &str, source: &str) -> Result<Vec<Rule>, Vec<Diagnostic>> {
    parse_rule_file_with(name, source, &[]).map(|f| f.rules)
}

/// Parses one rule file whose code conditions may name, besides the built-in codes and the
/// file's own `[[code]]` tables, the codes `known` (those of the other files of its folder).
pub fn parse_rule_file_with(name: &str, source: &str, known: &[CodeInfo]) -> Result<RuleFile, Vec<Diagnostic>> {
    let mut cx = Cx {
        name,
        source,
        diagnostics: Vec::new(),
        default_scope: None,
        defined: Vec::new(),
    };
    let (doc, errors) = DeTable::parse_recoverable(source);
    let syntax_ok = errors.is_empty();
    for e in errors {
        let span = e.span().unwrap_or(0..0);
        cx.error(span, format!("TOML syntax: {}", e.message()));
    }
    // The file's defaults and codes first: they apply to every rule, wherever written.
    if let Some(defaults) = doc.get_ref().get("defaults") {
        cx.defaults(defaults);
    }
    let codes = match doc.get_ref().get("code") {
        Some(tables) if syntax_ok => cx.code_tables(tables),
        _ => Vec::new(),
    };
    cx.defined = codes.iter().chain(known).map(|c| c.code).collect();
    let mut rules = Vec::new();
    for (key, value) in doc.get_ref().iter() {
        if matches!(key.get_ref().as_ref(), "defaults" | "code") {
            continue;
        }
        if key.get_ref().as_ref() != "rule" {
            cx.error(
                key.span(),
                format!(
                    "unknown top-level key `{}`; rule files hold `[[rule]]` and `[[code]]` tables and `[defaults]`",
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
        Ok(RuleFile { rules, codes })
    } else {
        cx.diagnostics.sort_by_key(|d| d.span.as_ref().map_or(0, |s| s.start));
        Err(cx.diagnostics)
    }
}

struct Cx<'s> {
    name: &'s str,
    source: &'s str,
    diagnostics: Vec<Diagnostic>,
    /// `[defaults] scope`: where code and text conditions of this file look.
    default_scope: Option<&'static Scope>,
    /// Codes defined by `[[code]]` tables (this file's and its folder's).
    defined: Vec<Code>,
}

const RULE_KEYS: &[&str] = &[
    "id",
    "severity",
    "title",
    "cause",
    "remedy",
    "remedy-linux",
    "references",
    "related",
    "when",
];
const COND_KEYS: &[&str] = &[
    "all", "any", "not", "text", "regex", "code", "files", "scope", "fact", "check", "bytes", "pattern", "value",
    "event",
];
const EVENT_KEYS: &[&str] = &[
    "channel", "provider", "id", "level", "within", "since", "until", "fields", "text", "regex", "code", "at-least",
    "latest",
];

impl Cx<'_> {
    /// `[[code]]` tables: the format of knowledge/codes.toml, checked the same way; each
    /// problem points at its table.
    fn code_tables(&mut self, v: &Value) -> Vec<CodeInfo> {
        let DeValue::Array(items) = v.get_ref() else {
            self.error(v.span(), "`code` must be an array of tables: write `[[code]]`");
            return Vec::new();
        };
        let spans: Vec<Range<usize>> = items.iter().map(|i| i.span()).collect();
        match parse_in_rule_file(self.source) {
            Ok((codes, problems)) => {
                for (index, problem) in problems {
                    let span = spans.get(index).cloned().unwrap_or_else(|| v.span());
                    self.error(span, format!("code table: {problem}"));
                }
                codes
            }
            Err(e) => {
                self.error(v.span(), format!("code table: {e}"));
                Vec::new()
            }
        }
    }

    /// `[defaults]`: `scope = "activation" | "upgrade" | "logs"`.
    fn defaults(&mut self, v: &Value) {
        let DeValue::Table(t) = v.get_ref() else {
            self.error(v.span(), "`defaults` must be a table: write `[defaults]`");
            return;
        };
        self.unknown_keys(t, &["scope"], "defaults");
        if let Some(s) = get(t, "scope") {
            self.default_scope = self.scope(s);
        }
    }

    /// A scope name, checked.
    fn scope(&mut self, v: &Value) -> Option<&'static Scope> {
        let Some(name) = v.get_ref().as_str() else {
            self.error(v.span(), "`scope` must be a string");
            return None;
        };
        let found = scope::find(name);
        if found.is_none() {
            self.error(
                v.span(),
                format!("unknown scope `{name}`; expected one of: {}", scope::names().join(", ")),
            );
        }
        found
    }

    /// The files a text or code condition reads: its own `files`, else its `scope`, else the
    /// file's default scope; a code condition with none of them reads every log
    /// ([`scope::DEFAULT_CODE_SCOPE`]), a text condition every text document.
    fn selector(&mut self, t: &DeTable, code: bool) -> Option<(FileSelector, Option<&'static Scope>)> {
        let own_scope = match get(t, "scope") {
            Some(v) => Some(self.scope(v)?),
            None => None,
        };
        let default = if code {
            self.default_scope.or(scope::find(scope::DEFAULT_CODE_SCOPE))
        } else {
            self.default_scope
        };
        let scope = own_scope.or(default);
        if let Some(f) = get(t, "files") {
            let sel = self.file_selector(f)?;
            if code {
                if let Some(k) = sel
                    .kinds
                    .iter()
                    .find(|k| crate::facts::formats::by_name(k).is_some_and(|f| !f.codes))
                {
                    self.error(
                        f.span(),
                        format!("`{k}` files are inventories or lists: their numbers are not error codes"),
                    );
                    return None;
                }
            }
            return Some((sel, scope));
        }
        let sel = match scope {
            Some(s) => FileSelector {
                kinds: s.kinds.iter().map(|k| k.to_string()).collect(),
                globs: None,
                scope: Some(s.name),
            },
            None => FileSelector::default(),
        };
        Some((sel, scope))
    }

    fn error(&mut self, span: Range<usize>, message: impl Into<String>) {
        self.diagnostics
            .push(Diagnostic::at(self.name, self.source, span, message));
    }

    fn rule(&mut self, t: &DeTable, span: Range<usize>) -> Option<Rule> {
        let before = self.diagnostics.len();
        self.unknown_keys(t, RULE_KEYS, "rule");
        let id = self.required_str(t, "id", &span);
        if let Some((id, s)) = &id {
            let ok = is_rule_id(id);
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
        let remedy_linux = get(t, "remedy-linux").and_then(|_| self.localized(t, "remedy-linux", &span));
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
            words: LazyWords::new(Words {
                title: title?,
                cause: cause?,
                remedy: remedy?,
                remedy_linux,
            }),
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
            Some((Some(s), sp)) if !s.trim().is_empty() => {
                if let Some(bad) = unknown_placeholder(s) {
                    self.error(
                        sp,
                        format!("`{key}.{lang}` holds `{bad}`; the only placeholders are {{code}} and {{codes}}"),
                    );
                }
                Some(s.to_string())
            }
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
        let heads: Vec<&str> = ["all", "any", "not", "text", "regex", "code", "fact", "event"]
            .into_iter()
            .filter(|k| get(t, k).is_some())
            .collect();
        if heads.len() != 1 {
            self.error(
                v.span(),
                format!(
                    "a condition needs exactly one of all, any, not, text, regex, code, fact, event (found {})",
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
            "code" => self.code_condition(t, inner),
            "event" => self.event_condition(inner),
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
            match LazyRegex::new(pattern) {
                Ok(re) => TextMatcher::Regex(re),
                Err(e) => {
                    self.regex_error(inner, pattern, &e);
                    return None;
                }
            }
        };
        let (files, _) = self.selector(t, false)?;
        Some(Condition::Text(TextCondition::new(matcher, files)))
    }

    /// `{ code = [...] }`: the codes in text lines (of the selected files) and in event data.
    fn code_condition(&mut self, t: &DeTable, inner: &Value) -> Option<Condition> {
        let codes = self.codes(inner)?;
        let (files, scope) = self.selector(t, true)?;
        Some(Condition::Any(vec![
            Condition::Text(TextCondition::new(TextMatcher::Codes(codes.clone()), files)),
            // Only events that report a problem: information events carry codes that are not
            // failures (SPP 1003 lists the state of every SKU, 0xC004F014 for each without a key).
            // Only the scope's providers: an RPC error in a Remote Desktop event is no KMS error.
            Condition::Event(EventCondition {
                any_field: Some(TextMatcher::Codes(codes)),
                providers: scope.map_or(Vec::new(), |s| s.providers.iter().map(|p| p.to_string()).collect()),
                levels: vec![1, 2, 3],
                at_least: 1,
                ..EventCondition::default()
            }),
        ]))
    }

    /// A code or a list of codes, each in a form `cmgelog explain` accepts.
    fn codes(&mut self, v: &Value) -> Option<Vec<u32>> {
        let mut codes = Vec::new();
        let before = self.diagnostics.len();
        for text in self.strings(v, "code") {
            match parse_code(&text) {
                // Every code a rule knows must be explainable: `cmgelog explain` reads the table.
                Some(c) if !Knowledge::builtin_knows(Code(c)) && !self.defined.contains(&Code(c)) => self.error(
                    v.span(),
                    format!(
                        "code `{text}` has no meaning and remedy: add a `[[code]]` table for it to this rule file \
                             (the format of knowledge/codes.toml), or add it to knowledge/codes.toml"
                    ),
                ),
                Some(c) => codes.push(c),
                None => self.error(
                    v.span(),
                    format!("`{text}` is not an error code such as \"0xC004F074\""),
                ),
            }
        }
        if codes.is_empty() && self.diagnostics.len() == before {
            self.error(v.span(), "`code` lists no code");
        }
        (self.diagnostics.len() == before).then_some(codes)
    }

    /// A text matcher from `text`, `regex` or `code` keys of an event table (at most one).
    fn matcher(&mut self, t: &DeTable, what: &str) -> Option<Option<TextMatcher>> {
        let present: Vec<&str> = ["text", "regex", "code"]
            .into_iter()
            .filter(|k| get(t, k).is_some())
            .collect();
        if present.len() > 1 {
            self.error(
                get(t, present[1]).expect("present").span(),
                format!("{what} takes one of `text`, `regex`, `code`, not several"),
            );
            return None;
        }
        let Some(&key) = present.first() else { return Some(None) };
        let v = get(t, key).expect("present");
        let m = match key {
            "text" => TextMatcher::Literal(self.strings(v, "text")),
            "code" => TextMatcher::Codes(self.codes(v)?),
            _ => self.regex(v).map(TextMatcher::Regex)?,
        };
        Some(Some(m))
    }

    fn regex(&mut self, v: &Value) -> Option<LazyRegex> {
        let Some(pattern) = v.get_ref().as_str() else {
            self.error(v.span(), "a regex must be a string");
            return None;
        };
        match LazyRegex::new(pattern) {
            Ok(re) => Some(re),
            Err(e) => {
                self.regex_error(v, pattern, &e);
                None
            }
        }
    }

    fn event_condition(&mut self, inner: &Value) -> Option<Condition> {
        let Some(t) = inner.get_ref().as_table() else {
            self.error(
                inner.span(),
                "`event` must be a table, e.g. { provider = \"Microsoft-Windows-Security-SPP\", id = 8198 }",
            );
            return None;
        };
        let before = self.diagnostics.len();
        self.unknown_keys(t, EVENT_KEYS, "event condition");
        let mut cond = EventCondition {
            at_least: 1,
            ..EventCondition::default()
        };
        cond.channels = get(t, "channel")
            .map(|v| self.strings(v, "channel"))
            .unwrap_or_default();
        cond.providers = get(t, "provider")
            .map(|v| self.strings(v, "provider"))
            .unwrap_or_default();
        if let Some(v) = get(t, "id") {
            cond.ids = self.id_ranges(v);
        }
        if let Some(v) = get(t, "level") {
            cond.levels = self.levels(v);
        }
        if let Some(v) = get(t, "within") {
            match v.get_ref().as_str().map(humantime::parse_duration) {
                Some(Ok(d)) => cond.within = Some(d),
                _ => self.error(
                    v.span(),
                    "`within` must be a duration such as \"30d\", \"12h\" or \"2weeks\"",
                ),
            }
        }
        for (key, slot) in [("since", &mut cond.since), ("until", &mut cond.until)] {
            if let Some(v) = get(t, key) {
                match v.get_ref().as_str().and_then(parse_time) {
                    Some(at) => *slot = Some(at),
                    None => self.diagnostics.push(Diagnostic::at(
                        self.name,
                        self.source,
                        v.span(),
                        format!("`{key}` must be a date or time such as \"2024-05-01\" or \"2024-05-01T08:00:00Z\""),
                    )),
                }
            }
        }
        if let Some(v) = get(t, "fields") {
            match v.get_ref().as_table() {
                Some(fields) => {
                    for (name, re) in fields.iter() {
                        if let Some(re) = self.regex(re) {
                            cond.fields.push((name.get_ref().to_string(), TextMatcher::Regex(re)));
                        }
                    }
                }
                None => self.error(v.span(), "`fields` must be a table of field name = regex"),
            }
        }
        cond.any_field = self.matcher(t, "an event condition").flatten();
        if let Some(v) = get(t, "at-least") {
            match v.get_ref().as_integer().and_then(|i| i.as_str().parse::<usize>().ok()) {
                Some(n) if n >= 1 => cond.at_least = n,
                _ => self.error(v.span(), "`at-least` must be a positive integer"),
            }
        }
        if let Some(v) = get(t, "latest") {
            match v.get_ref().as_bool() {
                Some(b) => cond.latest_only = b,
                None => self.error(v.span(), "`latest` must be true or false"),
            }
        }
        (self.diagnostics.len() == before).then_some(Condition::Event(cond))
    }

    /// `8198`, `[8198, 8200]`, `"1047-1053"`.
    fn id_ranges(&mut self, v: &Value) -> Vec<RangeInclusive<u32>> {
        let items: Vec<&Value> = match v.get_ref().as_array() {
            Some(a) => a.iter().collect(),
            None => vec![v],
        };
        let mut out = Vec::new();
        for item in items {
            let range = match item.get_ref() {
                DeValue::Integer(i) => i.as_str().parse::<u32>().ok().map(|n| n..=n),
                DeValue::String(s) => match s.split_once('-') {
                    Some((a, b)) => match (a.trim().parse::<u32>(), b.trim().parse::<u32>()) {
                        (Ok(a), Ok(b)) if a <= b => Some(a..=b),
                        _ => None,
                    },
                    None => s.trim().parse::<u32>().ok().map(|n| n..=n),
                },
                _ => None,
            };
            match range {
                Some(r) => out.push(r),
                None => self.error(item.span(), "event ids are numbers or ranges such as \"1047-1053\""),
            }
        }
        out
    }

    fn levels(&mut self, v: &Value) -> Vec<u8> {
        let items: Vec<&Value> = match v.get_ref().as_array() {
            Some(a) => a.iter().collect(),
            None => vec![v],
        };
        let mut out = Vec::new();
        for item in items {
            let level = match item.get_ref() {
                DeValue::String(s) => LEVELS.iter().find(|(n, _)| n.eq_ignore_ascii_case(s)).map(|(_, l)| *l),
                DeValue::Integer(i) => i.as_str().parse::<u8>().ok().filter(|l| *l <= 5),
                _ => None,
            };
            match level {
                Some(l) => out.push(l),
                None => self.error(
                    item.span(),
                    "levels are critical, error, warning, information, verbose (or 1-5)",
                ),
            }
        }
        out
    }

    fn file_selector(&mut self, v: &Value) -> Option<FileSelector> {
        let mut sel = FileSelector::default();
        let mut globs = Vec::new();
        let mut ok = true;
        for item in self.strings(v, "files") {
            if let Some(kind) = item.strip_prefix("kind:") {
                if !crate::facts::formats::names().contains(&kind) {
                    self.error(
                        v.span(),
                        format!(
                            "unknown file kind `{kind}`; expected one of: {}",
                            crate::facts::formats::names().join(", ")
                        ),
                    );
                    ok = false;
                }
                sel.kinds.push(kind.to_string());
            } else {
                let pattern = item.strip_prefix("glob:").unwrap_or(&item);
                match Glob::new(pattern) {
                    Ok(_) => globs.push(pattern.to_string()),
                    Err(e) => {
                        self.error(v.span(), format!("invalid glob `{pattern}`: {e}"));
                        ok = false;
                    }
                }
            }
        }
        if !globs.is_empty() {
            match Globs::new(globs) {
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
    fn regex_error(&mut self, v: &Value, pattern: &str, e: &dyn std::fmt::Display) {
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
            "possible" => FactCheck::PossiblyVirtual,
            "not-activated" => FactCheck::NotActivated,
            "grace" => FactCheck::Grace,
            "out-of-tolerance" => FactCheck::OutOfTolerance,
            "setup-failed" => FactCheck::SetupFailed,
            "update-errors" => FactCheck::UpdateErrors,
            "category-missing" => FactCheck::CategoryMissing,
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
                match p.map(|p| (p.get_ref().as_str().map(LazyRegex::new), p.span())) {
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

/// An error code as rule files write it: `0xC004F074` (the form the knowledge base uses).
fn parse_code(text: &str) -> Option<u32> {
    Code::parse(text).map(|c| c.0)
}

fn get<'t, 'i>(t: &'t DeTable<'i>, key: &str) -> Option<&'t Value<'i>> {
    t.iter().find(|(k, _)| k.get_ref().as_ref() == key).map(|(_, v)| v)
}

/// A `{word}` in a rule's text other than the ones `rules::wording` fills.
fn unknown_placeholder(text: &str) -> Option<&str> {
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let after = &rest[open..];
        let close = after.find('}')?;
        let word = &after[..=close];
        let inner = &word[1..word.len() - 1];
        if !inner.is_empty()
            && inner.chars().all(|c| c.is_ascii_lowercase() || c == '_')
            && !matches!(inner, "code" | "codes")
        {
            return Some(word);
        }
        rest = &after[1..];
    }
    None
}

/// Dotted lower-case words, like `hw.baseboard-serial`: `^[a-z][a-z0-9-]*(\.[a-z0-9-]+)+$`,
/// checked by hand (a regex compiled for each rule of every run cost more than the check).
fn is_rule_id(id: &str) -> bool {
    let mut parts = id.split('.');
    let first = parts.next().unwrap_or_default();
    let word = |w: &str| {
        !w.is_empty()
            && w.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    };
    let rest: Vec<&str> = parts.collect();
    first.starts_with(|c: char| c.is_ascii_lowercase())
        && word(first)
        && !rest.is_empty()
        && rest.iter().all(|w| word(w))
}
