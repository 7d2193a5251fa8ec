//! Compiled rule conditions: boolean combinations of text conditions (literal or regex, on
//! files selected by kind or glob) and fact conditions (a check on a field of the machine).

pub use super::event_filter::EventCondition;
use globset::GlobSet;
use regex::Regex;

#[derive(Debug, Clone)]
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

#[derive(Debug, Clone)]
pub struct TextCondition {
    pub matcher: TextMatcher,
    pub files: FileSelector,
}

#[derive(Debug, Clone)]
pub enum TextMatcher {
    /// Any of these substrings (case-sensitive: the message strings are matched exactly).
    Literal(Vec<String>),
    Regex(Regex),
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
}

/// The codes written in a line.
fn codes_in(line: &str) -> impl Iterator<Item = u32> + '_ {
    let bytes = line.as_bytes();
    (0..bytes.len().saturating_sub(9)).filter_map(move |i| {
        let hex = line.get(i + 2..i + 10)?;
        let starts =
            bytes[i] == b'0' && (bytes[i + 1] | 0x20) == b'x' && (i == 0 || !bytes[i - 1].is_ascii_alphanumeric());
        let ends = bytes.get(i + 10).is_none_or(|b| !b.is_ascii_hexdigit());
        (starts && ends).then(|| u32::from_str_radix(hex, 16).ok()).flatten()
    })
}

/// Which documents a text condition reads. Empty means every text document.
#[derive(Debug, Clone, Default)]
pub struct FileSelector {
    pub kinds: Vec<String>,
    pub globs: Option<GlobSet>,
}

/// A check on one fact of the machine.
#[derive(Debug, Clone)]
pub struct FactCondition {
    pub target: FactTarget,
    pub check: FactCheck,
}

/// A string attribute of the machine with one value (observed possibly several times).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScalarField {
    SystemVendor,
    SystemModel,
    SystemSerial,
    SystemUuid,
    BiosVendor,
    BiosVersion,
    BaseboardVendor,
    BaseboardProduct,
    BaseboardSerial,
    ChassisSerial,
    OsName,
    OsVersion,
    OsBuild,
    OsHostname,
}

/// What the placeholder check compares a field with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueClass {
    Serial,
    Name,
    Uuid,
    Free,
}

impl ScalarField {
    /// Fact paths as written in rule files.
    pub const ALL: &'static [(&'static str, ScalarField)] = &[
        ("system.vendor", ScalarField::SystemVendor),
        ("system.model", ScalarField::SystemModel),
        ("system.serial", ScalarField::SystemSerial),
        ("system.uuid", ScalarField::SystemUuid),
        ("bios.vendor", ScalarField::BiosVendor),
        ("bios.version", ScalarField::BiosVersion),
        ("baseboard.vendor", ScalarField::BaseboardVendor),
        ("baseboard.product", ScalarField::BaseboardProduct),
        ("baseboard.serial", ScalarField::BaseboardSerial),
        ("chassis.serial", ScalarField::ChassisSerial),
        ("os.name", ScalarField::OsName),
        ("os.version", ScalarField::OsVersion),
        ("os.build", ScalarField::OsBuild),
        ("os.hostname", ScalarField::OsHostname),
    ];

    pub fn value_class(self) -> ValueClass {
        use ScalarField::*;
        match self {
            SystemSerial | BaseboardSerial | ChassisSerial => ValueClass::Serial,
            SystemVendor | SystemModel | BiosVendor | BaseboardVendor | BaseboardProduct => ValueClass::Name,
            SystemUuid => ValueClass::Uuid,
            BiosVersion | OsName | OsVersion | OsBuild | OsHostname => ValueClass::Free,
        }
    }
}

/// Per-disk attributes. Disk checks look at the system disk when one is known, else at every disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiskField {
    Serial,
    Model,
    Removable,
    InLocalContainer,
}

impl DiskField {
    pub const ALL: &'static [(&'static str, DiskField)] = &[
        ("disk.serial", DiskField::Serial),
        ("disk.model", DiskField::Model),
        ("disk.removable", DiskField::Removable),
        ("disk.in-local-container", DiskField::InLocalContainer),
    ];
    pub fn is_flag(self) -> bool {
        matches!(self, DiskField::Removable | DiskField::InLocalContainer)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FactTarget {
    Scalar(ScalarField),
    Disk(DiskField),
    /// The network adapters as a whole.
    Nics,
    /// The virtual-machine assessment.
    Virtualization,
}

impl FactTarget {
    pub fn parse(path: &str) -> Option<FactTarget> {
        if let Some((_, f)) = ScalarField::ALL.iter().find(|(p, _)| *p == path) {
            return Some(FactTarget::Scalar(*f));
        }
        if let Some((_, f)) = DiskField::ALL.iter().find(|(p, _)| *p == path) {
            return Some(FactTarget::Disk(*f));
        }
        match path {
            "nics" => Some(FactTarget::Nics),
            "virtualization" => Some(FactTarget::Virtualization),
            _ => None,
        }
    }

    pub fn all_paths() -> Vec<&'static str> {
        let mut v: Vec<&str> = ScalarField::ALL.iter().map(|(p, _)| *p).collect();
        v.extend(DiskField::ALL.iter().map(|(p, _)| *p));
        v.extend(["nics", "virtualization"]);
        v
    }

    /// The checks that make sense for this target, for validation and `rules lint` hints.
    pub fn allowed_checks(self) -> &'static [&'static str] {
        match self {
            FactTarget::Scalar(_) => &["placeholder", "missing", "known", "longer-than", "matches", "equals"],
            FactTarget::Disk(f) if f.is_flag() => &["true", "false"],
            FactTarget::Disk(_) => &["placeholder", "longer-than", "matches", "equals"],
            FactTarget::Nics => &["no-physical-enabled", "only-removable-physical"],
            FactTarget::Virtualization => &["virtual"],
        }
    }
}

#[derive(Debug, Clone)]
pub enum FactCheck {
    /// Empty, whitespace, or an OEM filler (per the field's value class).
    Placeholder,
    /// No tool reported the field at all.
    Missing,
    /// Some tool reported the field.
    Known,
    /// Longer than N bytes (UTF-8, as reported, untrimmed).
    LongerThan(usize),
    Matches(Regex),
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
}
