//! Where a command writes: `--out FILE` or stdout; and the one-line error messages of the
//! batch commands, in the user's language.

use cmgelog::i18n::Lang;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

/// `--out FILE` (created or truncated) or stdout, buffered; writers flush what must be seen.
pub fn open(out: Option<&Path>) -> io::Result<Box<dyn Write>> {
    Ok(match out {
        Some(p) => Box::new(BufWriter::new(File::create(p)?)),
        None => Box::new(BufWriter::new(io::stdout().lock())),
    })
}

/// Prints `cmgelog: <zh> / <en>: detail` in the user's language to stderr.
pub fn error(lang: Lang, zh: &str, en: &str, detail: impl std::fmt::Display) {
    eprintln!("cmgelog: {}: {detail}", if lang.is_zh() { zh } else { en });
}

/// `println!` for command output: a closed pipe (`cmgelog rules list | head`) ends the
/// program quietly with exit code 0, as other Unix tools do, instead of a panic.
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        if let Err(e) = writeln!(std::io::stdout(), $($arg)*) {
            if $crate::cli::output::is_broken_pipe(&e) {
                std::process::exit(0);
            }
        }
    }};
}
pub(crate) use outln;

/// A closed pipe (`| head`) ends the output quietly, as other Unix tools do.
pub fn is_broken_pipe(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::BrokenPipe
}
