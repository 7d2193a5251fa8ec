//! What a document is: the name of the source format that recognised it, and how the bundle
//! layer treats its text. The formats themselves (what they look like, what they hold) live in
//! `facts::formats`, one file each; this layer only carries their answer.

use super::wmi_class::WmiClass;

/// The kind of a document: a source format's name (`files = ["kind:text"]` in rule files, the
/// `kind` of a document in reports), how its text is read, and for WMI outputs the class.
#[derive(Debug, Clone, Copy)]
pub struct Kind {
    name: &'static str,
    reading: Reading,
    class: Option<WmiClass>,
}

/// How a document's text is read, which decides what the bundle layer may do with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reading {
    /// Line by line; may be one of several outputs a user pasted into one file (`facts::paste`).
    Pasted,
    /// Line by line, never split (logs, lists, one-file outputs).
    Lines,
    /// Parsed whole (JSON): lines are never cut.
    Whole,
    /// Read as event records (`events`): never cut, never searched as text.
    Events,
}

impl PartialEq for Kind {
    fn eq(&self, other: &Kind) -> bool {
        self.name == other.name && self.class == other.class
    }
}

impl Eq for Kind {}

impl Kind {
    /// Any other text (activation client logs, notes pasted by the user).
    pub const TEXT: Kind = Kind::new("text", Reading::Pasted);
    /// Bytes that are not text.
    pub const BINARY: Kind = Kind::new("binary", Reading::Lines);

    pub const fn new(name: &'static str, reading: Reading) -> Kind {
        Kind {
            name,
            reading,
            class: None,
        }
    }

    /// The same kind, for output of one WMI class.
    pub fn with_class(self, class: Option<WmiClass>) -> Kind {
        Kind { class, ..self }
    }

    /// The short name used in rule files (`files = ["kind:text"]`) and reports.
    pub fn name(&self) -> &'static str {
        self.name
    }

    pub fn reading(&self) -> Reading {
        self.reading
    }

    /// The WMI class a WMI output holds, when known.
    pub fn class(&self) -> Option<WmiClass> {
        self.class
    }

    /// JSON documents, parsed whole by their extractor rather than read line by line.
    pub fn is_json(&self) -> bool {
        self.reading == Reading::Whole
    }
}

/// A date at the start of a line (after an optional `[`), as logs write it: `2024-05-14`,
/// `2024/05/14`, `2024.5.14`, `14.05.2024`, `05/14/2024`. ASCII digits: a Unicode `\d` made
/// this regex alone a fifth of the CPU of a small run to compile.
static LOG_DATE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(
        r"(?m)^\[?(?:[0-9]{4}[-/.][0-9]{1,2}[-/.][0-9]{1,2}|[0-9]{1,2}[-/.][0-9]{1,2}[-/.][0-9]{4})[ T,\]]",
    )
    .expect("literal regex")
});

/// Whether a text is a log: at least three of its first 100 lines start with a date.
pub fn looks_like_log(text: &str) -> bool {
    // Three dated lines need at least two line breaks.
    let mut breaks = text.match_indices('\n');
    if breaks.nth(1).is_none() {
        return false;
    }
    let head_end = breaks.nth(97).map_or(text.len(), |(i, _)| i);
    LOG_DATE.find_iter(&text[..head_end]).nth(2).is_some()
}

#[cfg(test)]
mod tests {
    use super::looks_like_log;

    #[test]
    fn a_log_has_three_dated_lines_among_its_first_hundred() {
        let dated = "2024-05-14 10:00:01, Info CBS x\n2024/05/14 10:00:02 y\n14.05.2024 10:00:03 z\n";
        assert!(looks_like_log(dated));
        assert!(looks_like_log(dated.trim_end()), "the last line needs no line break");
        assert!(!looks_like_log("2024-05-14 a\n2024-05-14 b\n"));
        assert!(!looks_like_log("x"));
        // Digits of other scripts are no log dates.
        assert!(!looks_like_log(
            "２０２４-05-14 a\n２０２４-05-14 b\n２０２４-05-14 c\n"
        ));
        let late = format!("{}{dated}", "no date\n".repeat(98));
        assert!(!looks_like_log(&late), "only two dated lines among the first 100");
        let early = format!("{}{dated}", "no date\n".repeat(97));
        assert!(looks_like_log(&early));
    }
}
