//! Diagnostics for rule files: file, byte span, message; rendered with the source line and a
//! caret under the spot (`file:line:column`), the way rustc and just do it.

use codespan_reporting::diagnostic::{Diagnostic as CsDiagnostic, Label};
use codespan_reporting::files::SimpleFiles;
use codespan_reporting::term::{self, Config};
use std::ops::Range;

#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    pub file: String,
    /// The file's text, so the diagnostic can be rendered on its own.
    pub source: String,
    pub span: Option<Range<usize>>,
    pub message: String,
}

impl Diagnostic {
    pub fn at(file: &str, source: &str, span: Range<usize>, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            file: file.to_string(),
            source: source.to_string(),
            span: Some(span),
            message: message.into(),
        }
    }

    /// A problem with the file as a whole (cannot be read, duplicate id across files).
    pub fn file_error(file: &str, message: &str) -> Diagnostic {
        Diagnostic {
            file: file.to_string(),
            source: String::new(),
            span: None,
            message: message.to_string(),
        }
    }

    /// 1-based line and column of the start of the span.
    pub fn line_col(&self) -> Option<(usize, usize)> {
        let start = self.span.as_ref()?.start.min(self.source.len());
        let before = &self.source[..floor_char_boundary(&self.source, start)];
        let line = before.matches('\n').count() + 1;
        let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        Some((line, col))
    }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Renders diagnostics as text: `error: message` / `--> file:line:col` / the line / caret.
pub fn render_diagnostics(diagnostics: &[Diagnostic]) -> String {
    let mut files = SimpleFiles::new();
    let config = Config::default();
    let mut out = String::new();
    for d in diagnostics {
        let id = files.add(d.file.clone(), d.source.clone());
        let mut cs = CsDiagnostic::error().with_message(&d.message);
        match &d.span {
            Some(span) => {
                let span = span.start.min(d.source.len())..span.end.min(d.source.len());
                cs = cs.with_labels(vec![Label::primary(id, span)]);
            }
            None => cs = cs.with_notes(vec![format!("in {}", d.file)]),
        }
        match term::emit_into_string(&config, &files, &cs) {
            Ok(text) => out.push_str(&text),
            // Only a span outside the file can fail here; fall back to the plain form.
            Err(_) => out.push_str(&format!("error: {}\n  --> {}\n", d.message, d.file)),
        }
    }
    out
}
