//! A rule's regex: its syntax checked when the rule is read (so a bad pattern is reported with
//! its file, line and column), compiled the first time a rule uses it. A run compiles only the
//! regexes its documents reach: most of the built-in rules' regexes are for documents a given
//! bundle does not hold, and compiling all of them took a fifth of a small run.
//!
//! The baked built-in rules (`rules::baked`) store the pattern with its `min_len`, so loading
//! them parses no regex at all (their syntax is checked when they are baked, and by tests).

use regex::Regex;
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LazyRegex {
    pattern: String,
    /// The fewest bytes a match takes: a shorter text is not searched (nor the regex built).
    min_len: usize,
    #[serde(skip)]
    compiled: OnceLock<Regex>,
}

impl LazyRegex {
    /// Checks the pattern with the regex crate's own parser (its default options), without
    /// building the matcher; the error is the text `Regex::new` would give.
    pub fn new(pattern: &str) -> Result<LazyRegex, String> {
        let hir = regex_syntax::Parser::new().parse(pattern).map_err(|e| e.to_string())?;
        Ok(LazyRegex {
            pattern: pattern.to_string(),
            min_len: hir.properties().minimum_len().unwrap_or(0),
            compiled: OnceLock::new(),
        })
    }

    pub fn as_str(&self) -> &str {
        &self.pattern
    }

    /// The compiled regex. A pattern whose syntax passed can only fail to compile by outgrowing
    /// the regex crate's size limit (10 MB of automaton, far beyond any rule's pattern); such a
    /// pattern matches nothing rather than stopping the analysis. The built-in rules are all
    /// compiled by a unit test.
    pub fn get(&self) -> &Regex {
        self.compiled.get_or_init(|| {
            Regex::new(&self.pattern).unwrap_or_else(|_| Regex::new(r"[^\s\S]").expect("a valid regex"))
        })
    }

    pub fn is_match(&self, text: &str) -> bool {
        text.len() >= self.min_len && self.get().is_match(text)
    }

    /// The fewest bytes of text a match takes.
    pub fn min_len(&self) -> usize {
        self.min_len
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax_is_checked_at_once_and_the_matcher_built_on_first_use() {
        assert!(LazyRegex::new("(unclosed").is_err());
        let re = LazyRegex::new(r"(?i)^hr=0x[0-9a-f]{8}$").unwrap();
        assert!(re.compiled.get().is_none());
        assert!(re.is_match("HR=0xC004F074"));
        assert!(re.compiled.get().is_some());
        assert_eq!(re.as_str(), r"(?i)^hr=0x[0-9a-f]{8}$");
        // A text too short to hold a match is answered without building the matcher.
        let short = LazyRegex::new(r"0x[0-9A-F]{8}|error \d+").unwrap();
        assert_eq!(short.min_len(), 7);
        assert!(!short.is_match("error"));
        assert!(short.compiled.get().is_none());
        assert!(short.is_match("error 5"));
    }

    /// What `get` cannot report at run time is checked here: every regex of the built-in rules
    /// compiles.
    #[test]
    fn every_builtin_regex_compiles() {
        use crate::rules::condition::{Condition, FactCheck, TextMatcher};
        let set = crate::rules::RuleSet::builtin().expect("built-in rules");
        let mut seen = 0;
        for rule in &set.rules {
            rule.when.visit(&mut |c| {
                let mut check = |m: &TextMatcher| {
                    if let TextMatcher::Regex(re) = m {
                        Regex::new(re.as_str()).unwrap_or_else(|e| panic!("{}: {e}", rule.id));
                        seen += 1;
                    }
                };
                match c {
                    Condition::Text(t) => check(&t.matcher),
                    Condition::Event(e) => e.fields.iter().for_each(|(_, m)| check(m)),
                    Condition::Fact(f) => {
                        if let FactCheck::Matches(re) = &f.check {
                            Regex::new(re.as_str()).unwrap_or_else(|e| panic!("{}: {e}", rule.id));
                            seen += 1;
                        }
                    }
                    _ => {}
                }
            });
        }
        // rules/activation.toml alone has five `regex` conditions.
        assert!(seen >= 5, "only {seen} regexes found: the walk misses some");
    }

    #[test]
    fn the_error_text_is_the_regex_crates() {
        // Built at run time so clippy does not refuse the bad pattern itself.
        let bad = ["a{2", ",1}"].concat();
        let ours = LazyRegex::new(&bad).unwrap_err();
        let theirs = Regex::new(&bad).unwrap_err().to_string();
        assert_eq!(ours, theirs);
    }
}
