//! Checking a declarative TOML file against its schema with every problem reported at once,
//! each at its `file:line:column` with a caret (`rules::Diagnostic`), the way the rule loader
//! does it. Used by the collection spec (`collect::spec_lint`) and `cmgelog.toml`
//! (`config_check`); serde then reads the file, which can no longer fail on its shape.

use crate::rules::Diagnostic;
use serde_spanned::Spanned;
use std::ops::Range;
use std::time::Duration;
use toml::de::{DeTable, DeValue};

pub type Value<'a> = Spanned<DeValue<'a>>;

pub struct Checker<'s> {
    pub name: &'s str,
    pub source: &'s str,
    pub diagnostics: Vec<Diagnostic>,
}

impl<'s> Checker<'s> {
    /// Parses `source` (syntax errors become diagnostics; what parsed is still checked).
    pub fn parse(name: &'s str, source: &'s str) -> (Checker<'s>, Spanned<DeTable<'s>>) {
        let mut cx = Checker {
            name,
            source,
            diagnostics: Vec::new(),
        };
        let (doc, errors) = DeTable::parse_recoverable(source);
        for e in errors {
            cx.error(e.span().unwrap_or(0..0), format!("TOML syntax: {}", e.message()));
        }
        (cx, doc)
    }

    pub fn error(&mut self, span: Range<usize>, message: impl Into<String>) {
        self.diagnostics
            .push(Diagnostic::at(self.name, self.source, span, message));
    }

    /// The diagnostics in file order.
    pub fn finish(mut self) -> Vec<Diagnostic> {
        self.diagnostics.sort_by_key(|d| d.span.as_ref().map_or(0, |s| s.start));
        self.diagnostics
    }

    pub fn unknown_keys(&mut self, t: &DeTable, allowed: &[&str], what: &str) {
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

    /// Reports `key` missing from the table at `span`.
    pub fn require<'t, 'i>(
        &mut self,
        t: &'t DeTable<'i>,
        key: &str,
        span: &Range<usize>,
        what: &str,
    ) -> Option<&'t Value<'i>> {
        let v = get(t, key);
        if v.is_none() {
            self.error(span.clone(), format!("{what} is missing `{key}`"));
        }
        v
    }

    pub fn string(&mut self, v: &Value, key: &str) -> Option<String> {
        match v.get_ref().as_str() {
            Some(s) => Some(s.to_string()),
            None => {
                self.error(
                    v.span(),
                    format!("`{key}` must be a string, found {}", v.get_ref().type_str()),
                );
                None
            }
        }
    }

    /// A string that is one of `allowed`.
    pub fn one_of(&mut self, v: &Value, key: &str, allowed: &[&str]) -> Option<String> {
        let s = self.string(v, key)?;
        if allowed.contains(&s.as_str()) {
            Some(s)
        } else {
            self.error(
                v.span(),
                format!(
                    "`{key}` = \"{s}\" is not known; expected one of: {}",
                    allowed.join(", ")
                ),
            );
            None
        }
    }

    pub fn strings(&mut self, v: &Value, key: &str, non_empty: bool) -> Option<Vec<String>> {
        let DeValue::Array(items) = v.get_ref() else {
            self.error(
                v.span(),
                format!("`{key}` must be an array of strings, found {}", v.get_ref().type_str()),
            );
            return None;
        };
        let mut out = Vec::new();
        for item in items.iter() {
            match item.get_ref().as_str() {
                Some(s) if !(non_empty && s.is_empty()) => out.push(s.to_string()),
                Some(_) => self.error(item.span(), format!("`{key}` holds an empty string")),
                None => self.error(
                    item.span(),
                    format!("`{key}` must hold strings, found {}", item.get_ref().type_str()),
                ),
            }
        }
        if non_empty && items.is_empty() {
            self.error(v.span(), format!("`{key}` must not be empty"));
            return None;
        }
        Some(out)
    }

    /// A non-negative integer no larger than `max`.
    pub fn integer(&mut self, v: &Value, key: &str, max: u64) -> Option<u64> {
        let n = match v.get_ref() {
            DeValue::Integer(i) => i64::from_str_radix(&i.as_str().replace('_', ""), i.radix()).ok(),
            _ => None,
        };
        match n {
            Some(n) if n >= 0 && n as u64 <= max => Some(n as u64),
            Some(n) => {
                self.error(v.span(), format!("`{key}` = {n} is out of range (0 to {max})"));
                None
            }
            None => {
                self.error(
                    v.span(),
                    format!("`{key}` must be an integer, found {}", v.get_ref().type_str()),
                );
                None
            }
        }
    }

    pub fn boolean(&mut self, v: &Value, key: &str) -> Option<bool> {
        match v.get_ref() {
            DeValue::Boolean(b) => Some(*b),
            other => {
                self.error(
                    v.span(),
                    format!("`{key}` must be true or false, found {}", other.type_str()),
                );
                None
            }
        }
    }

    /// A duration as humantime writes it (`30s`, `10m`, `1h 30m`), above zero.
    pub fn duration(&mut self, v: &Value, key: &str) -> Option<Duration> {
        let s = self.string(v, key)?;
        match humantime::parse_duration(&s) {
            Ok(d) if !d.is_zero() => Some(d),
            Ok(_) => {
                self.error(v.span(), format!("`{key}` must be longer than zero"));
                None
            }
            Err(e) => {
                self.error(
                    v.span(),
                    format!("`{key}` = \"{s}\" is not a duration ({e}); write e.g. \"30s\" or \"10m\""),
                );
                None
            }
        }
    }

    /// A table (`[key]` or an inline table).
    pub fn table<'t, 'i>(&mut self, v: &'t Value<'i>, key: &str) -> Option<&'t DeTable<'i>> {
        match v.get_ref() {
            DeValue::Table(t) => Some(t),
            other => {
                self.error(v.span(), format!("`{key}` must be a table, found {}", other.type_str()));
                None
            }
        }
    }
}

pub fn get<'t, 'i>(t: &'t DeTable<'i>, key: &str) -> Option<&'t Value<'i>> {
    t.iter().find(|(k, _)| k.get_ref().as_ref() == key).map(|(_, v)| v)
}
