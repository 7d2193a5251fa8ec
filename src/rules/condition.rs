//! Compiled rule conditions: boolean combinations of text conditions (literal or regex, on
//! files selected by kind or glob) and fact conditions (a check on a field of the machine).
//!
//! They are (de)serialized for the baked built-in rules (`rules::baked`): what a rule points
//! at in a static table (a scope, a fact path) is written by name and looked up on load, and
//! what is built on first use (regexes, finders) is left out.

pub use super::event_filter::EventCondition;
use super::lazy_regex::LazyRegex;
use crate::facts::paths::{self, Fact, FactPath};
use crate::knowledge::{line_codes, might_hold_a_code};
use globset::{Glob, GlobSet, GlobSetBuilder};
use regex::Regex;
use serde::{Deserialize, Deserializer, Serialize};
use std::sync::OnceLock;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Condition {
    All(Vec<Condition>),
    Any(Vec<Condition>),
    Not(Box<Condition>),
    Text(TextCondition),
    Fact(FactCondition),
    Event(EventCondition),
}

impl Condition {
    /// Calls `f` on this condition and every condition inside it.
    pub fn visit<'a>(&'a self, f: &mut impl FnMut(&'a Condition)) {
        f(self);
        match self {
            Condition::All(items) | Condition::Any(items) => items.iter().for_each(|c| c.visit(f)),
            Condition::Not(inner) => inner.visit(f),
            Condition::Text(_) | Condition::Fact(_) | Condition::Event(_) => {}
        }
    }

    /// Mutable walk, used to number the event conditions of a rule set.
    pub fn visit_mut(&mut self, f: &mut impl FnMut(&mut Condition)) {
        f(self);
        match self {
            Condition::All(items) | Condition::Any(items) => items.iter_mut().for_each(|c| c.visit_mut(f)),
            Condition::Not(inner) => inner.visit_mut(f),
            Condition::Text(_) | Condition::Fact(_) | Condition::Event(_) => {}
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TextCondition {
    pub matcher: TextMatcher,
    pub files: FileSelector,
    /// A search over a whole document that finds every line `matcher` matches (and maybe a
    /// few more, which `matcher` then rejects), so a document is searched in one pass instead
    /// of one call per line; `None` when there is none (codes, `\A`, flags turned off).
    /// Built the first time the condition searches a document.
    #[serde(skip)]
    pub finder: OnceLock<Option<Regex>>,
}

impl TextCondition {
    pub fn new(matcher: TextMatcher, files: FileSelector) -> TextCondition {
        TextCondition {
            matcher,
            files,
            finder: OnceLock::new(),
        }
    }

    /// The whole-document finder, compiled once, when first needed.
    pub fn finder(&self) -> Option<&Regex> {
        self.finder.get_or_init(|| whole_text_finder(&self.matcher)).as_ref()
    }
}

/// The finder of [`TextCondition::finder`]. A literal without line breaks matches in the whole
/// text exactly where it matches in a line. A regex is compiled in multi-line CRLF mode, so
/// `^` and `$` match at every line start and end (before `\r\n`, `\r\r\n` as well): every
/// line the per-line regex matches then holds the start of a whole-text match at or after the
/// line start. Patterns that could lose that property (`\A`, `\z`, a flag turned off with
/// `(?-m)` and the like) keep the per-line search.
fn whole_text_finder(matcher: &TextMatcher) -> Option<Regex> {
    let pattern = match matcher {
        TextMatcher::Literal(words) => {
            if words.is_empty() || words.iter().any(|w| w.is_empty() || w.contains(['\n', '\r'])) {
                return None;
            }
            words.iter().map(|w| regex::escape(w)).collect::<Vec<_>>().join("|")
        }
        TextMatcher::Regex(re) => {
            let p = re.as_str();
            let turns_a_flag_off = p.match_indices("(?").any(|(i, _)| {
                p[i + 2..]
                    .split([')', ':'])
                    .next()
                    .is_some_and(|flags| flags.contains('-'))
            });
            if p.contains("\\A") || p.contains("\\z") || turns_a_flag_off {
                return None;
            }
            p.to_string()
        }
        TextMatcher::Codes(_) => return None,
    };
    regex::RegexBuilder::new(&pattern)
        .multi_line(true)
        .crlf(true)
        .build()
        .ok()
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum TextMatcher {
    /// Any of these substrings (case-sensitive: the message strings are matched exactly).
    Literal(Vec<String>),
    Regex(LazyRegex),
    /// Any of these error codes (HRESULTs), in any of the forms logs write them.
    Codes(Vec<u32>),
}

impl TextMatcher {
    pub fn is_match(&self, line: &str) -> bool {
        match self {
            TextMatcher::Literal(words) => words.iter().any(|w| line.contains(w.as_str())),
            TextMatcher::Regex(re) => re.is_match(line),
            TextMatcher::Codes(codes) => codes_in(line).any(|c| codes.contains(&c)),
        }
    }

    /// The fewest bytes of text a match takes: shorter documents need no search.
    pub fn min_len(&self) -> usize {
        match self {
            TextMatcher::Literal(words) => words.iter().map(String::len).min().unwrap_or(0),
            TextMatcher::Regex(re) => re.min_len(),
            TextMatcher::Codes(_) => 0,
        }
    }
}

/// The codes a line reports ([`line_codes`]: the one recogniser, a stale `[gle=…]` value only
/// when nothing else is there), a Win32 error number (`0x00000490`) also as the HRESULT
/// Windows logs for it (`0x80070490`). Lines that cannot hold a code are skipped cheaply.
pub(crate) fn codes_in(line: &str) -> impl Iterator<Item = u32> {
    // This runs on every event field a code condition reads; most hold no code.
    let found = if might_hold_a_code(line) {
        line_codes(line)
    } else {
        Vec::new()
    };
    found
        .into_iter()
        .flat_map(|c| [Some(c.code.0), c.code.from_win32().map(|h| h.0)])
        .flatten()
}

/// Which documents a text condition reads. Empty means every text document.
#[derive(Debug, Clone, Default, Serialize)]
pub struct FileSelector {
    pub kinds: Vec<String>,
    pub globs: Option<Globs>,
    /// The scope the kinds came from (`rules::scope`), when they came from one.
    pub scope: Option<&'static str>,
}

/// A [`FileSelector`] as it is read back, its fields in the same order: the scope by name, to
/// be looked up in the static table (a derived `Deserialize` would borrow the `&'static str`
/// from the input instead).
#[derive(Deserialize)]
struct FileSelectorForm {
    kinds: Vec<String>,
    globs: Option<Globs>,
    scope: Option<String>,
}

impl<'de> Deserialize<'de> for FileSelector {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<FileSelector, D::Error> {
        let form = FileSelectorForm::deserialize(d)?;
        let scope = match form.scope {
            Some(name) => Some(
                super::scope::find(&name)
                    .ok_or_else(|| serde::de::Error::custom(format!("unknown scope `{name}`")))?
                    .name,
            ),
            None => None,
        };
        Ok(FileSelector {
            kinds: form.kinds,
            globs: form.globs,
            scope,
        })
    }
}

/// The globs of a `files` list, matched as one set. Written as the patterns it was built from.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(into = "Vec<String>", try_from = "Vec<String>")]
pub struct Globs {
    patterns: Vec<String>,
    set: GlobSet,
}

impl Globs {
    /// The set of `patterns` (globset syntax); each one is checked by the caller for its own
    /// error message.
    pub fn new(patterns: Vec<String>) -> Result<Globs, globset::Error> {
        let mut builder = GlobSetBuilder::new();
        for p in &patterns {
            builder.add(Glob::new(p)?);
        }
        let set = builder.build()?;
        Ok(Globs { patterns, set })
    }

    pub fn is_match(&self, path: impl AsRef<std::path::Path>) -> bool {
        self.set.is_match(path)
    }
}

impl From<Globs> for Vec<String> {
    fn from(globs: Globs) -> Vec<String> {
        globs.patterns
    }
}

impl TryFrom<Vec<String>> for Globs {
    type Error = globset::Error;
    fn try_from(patterns: Vec<String>) -> Result<Globs, globset::Error> {
        Globs::new(patterns)
    }
}

/// A check on one fact of the machine.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FactCondition {
    pub target: FactTarget,
    pub check: FactCheck,
}

/// Written by the name rule files give it, so a fact path is looked up in `facts::paths` on
/// load.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "&'static str", try_from = "String")]
pub enum FactTarget {
    /// One field or flag of the model (`facts::paths`): of the machine, or of each disk
    /// (the system disk when one is known, else every disk), NIC or licence.
    Path(&'static FactPath),
    /// The network adapters as a whole.
    Nics,
    /// The virtual-machine assessment.
    Virtualization,
    /// The licence state of the Windows products that have a key installed.
    LicensingStatus,
    /// The setup, servicing and update logs.
    Upgrade,
    /// What the collector gathered, from its manifest.
    Collection,
}

/// The targets that are not a path of `facts::paths`, by the names rule files give them.
const COMPOSITE_TARGETS: &[(&str, FactTarget)] = &[
    ("nics", FactTarget::Nics),
    ("virtualization", FactTarget::Virtualization),
    ("licensing.status", FactTarget::LicensingStatus),
    ("upgrade", FactTarget::Upgrade),
    ("collection", FactTarget::Collection),
];

impl FactTarget {
    pub fn parse(path: &str) -> Option<FactTarget> {
        if let Some(p) = paths::find(path) {
            return Some(FactTarget::Path(p));
        }
        COMPOSITE_TARGETS.iter().find(|(n, _)| *n == path).map(|(_, t)| *t)
    }

    /// The name [`FactTarget::parse`] reads.
    pub fn name(self) -> &'static str {
        match self {
            FactTarget::Path(p) => p.path,
            composite => COMPOSITE_TARGETS
                .iter()
                .find(|(_, t)| *t == composite)
                .map(|(n, _)| *n)
                .expect("every target but a path is in COMPOSITE_TARGETS"),
        }
    }

    pub fn all_paths() -> Vec<&'static str> {
        let mut v: Vec<&str> = paths::FACT_PATHS.iter().map(|p| p.path).collect();
        v.extend(COMPOSITE_TARGETS.iter().map(|(n, _)| *n));
        v
    }

    /// The checks that make sense for this target, for validation and `rules lint` hints.
    pub fn allowed_checks(self) -> &'static [&'static str] {
        match self {
            FactTarget::Path(p) => match p.fact {
                Fact::Field(_) => &["placeholder", "missing", "known", "longer-than", "matches", "equals"],
                Fact::DiskField(_) | Fact::NicField(_) | Fact::LicenceField(_) => {
                    &["placeholder", "known", "longer-than", "matches", "equals"]
                }
                Fact::Flag(_) | Fact::DiskFlag(_) | Fact::NicFlag(_) => &["true", "false"],
            },
            FactTarget::Nics => &["no-physical-enabled", "only-removable-physical"],
            FactTarget::Virtualization => &["virtual", "possible"],
            FactTarget::LicensingStatus => &["not-activated", "grace", "out-of-tolerance"],
            FactTarget::Upgrade => &["setup-failed", "update-errors"],
            FactTarget::Collection => &["category-missing"],
        }
    }
}

impl From<FactTarget> for &'static str {
    fn from(target: FactTarget) -> &'static str {
        target.name()
    }
}

impl TryFrom<String> for FactTarget {
    type Error = String;
    fn try_from(name: String) -> Result<FactTarget, String> {
        FactTarget::parse(&name).ok_or_else(|| format!("unknown fact `{name}`"))
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum FactCheck {
    /// Empty, whitespace, or an OEM filler (per the field's value class).
    Placeholder,
    /// No tool reported the field at all.
    Missing,
    /// Some tool reported the field.
    Known,
    /// Longer than N bytes (UTF-8, as reported, untrimmed).
    LongerThan(usize),
    Matches(LazyRegex),
    /// Equal, ignoring case and surrounding spaces.
    Equals(String),
    True,
    False,
    /// Adapters are known and none is physical and enabled.
    NoPhysicalEnabled,
    /// Every physical enabled adapter is removable or outside the local machine container.
    OnlyRemovablePhysical,
    /// The machine is (or is likely) virtual.
    Virtual,
    /// One kind of medium virtual-machine signal only.
    PossiblyVirtual,
    /// A Windows licence in use is unlicensed, in notification mode or non-genuine grace.
    NotActivated,
    /// A Windows licence in use is in its initial or extended grace period (not activated yet).
    Grace,
    /// A Windows licence in use is in out-of-tolerance grace: the hardware changed too much.
    OutOfTolerance,
    /// A setup log shows that setup failed; the evidence is its decisive error.
    SetupFailed,
    /// The Windows Update or CBS/DISM logs hold failure codes; one evidence line per code.
    UpdateErrors,
    /// A category of the collection manifest was chosen but not collected, or not chosen;
    /// one evidence line per such category.
    CategoryMissing,
}
