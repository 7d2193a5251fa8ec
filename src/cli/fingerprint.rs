//! `cmgelog fingerprint INPUT...` and `cmgelog diff A B`.

use super::LimitOptions;
use clap::ValueEnum;
use cmgelog::analysis;
use cmgelog::bundle::ReadError;
use cmgelog::fingerprint::{diff, Fingerprint};
use cmgelog::i18n::Lang;
use cmgelog::report::{self, error_line};
use std::io::Write;
use std::path::PathBuf;

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum FpFormat {
    Text,
    Json,
}

#[derive(clap::Args, Debug)]
pub struct FingerprintArgs {
    /// A bundle (or folder, or files) of one machine.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t = FpFormat::Text)]
    pub format: FpFormat,
    #[command(flatten)]
    pub limits: LimitOptions,
}

#[derive(clap::Args, Debug)]
pub struct DiffArgs {
    /// The earlier bundle.
    pub a: PathBuf,
    /// The later bundle.
    pub b: PathBuf,
    #[arg(long, value_enum, default_value_t = FpFormat::Text)]
    pub format: FpFormat,
    #[command(flatten)]
    pub limits: LimitOptions,
}

fn fingerprint_of(inputs: &[PathBuf], args: &LimitOptions, lang: Lang) -> (Fingerprint, bool) {
    let (machine, errors) = analysis::machine_only(inputs, &args.limits());
    print_errors(&errors, lang);
    (Fingerprint::of(&machine), !errors.is_empty())
}

fn print_errors(errors: &[ReadError], lang: Lang) {
    for e in errors {
        eprintln!("cmgelog: {}", error_line(e, lang));
    }
}

fn print(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes()).and_then(|_| out.flush());
}

/// Exit code: 0, or 2 when something could not be read (the rest is still fingerprinted).
pub fn run(args: &FingerprintArgs, lang: Lang) -> u8 {
    let (fp, failed) = fingerprint_of(&args.inputs, &args.limits, lang);
    match args.format {
        FpFormat::Text => print(&report::fingerprint::render(&fp, lang)),
        FpFormat::Json => print(&(serde_json::to_string_pretty(&fp).unwrap_or_default() + "\n")),
    }
    if failed {
        2
    } else {
        0
    }
}

/// Exit code: 0 same identity, 1 parts differ, 2 something could not be read.
pub fn run_diff(args: &DiffArgs, lang: Lang) -> u8 {
    let (a, failed_a) = fingerprint_of(std::slice::from_ref(&args.a), &args.limits, lang);
    let (b, failed_b) = fingerprint_of(std::slice::from_ref(&args.b), &args.limits, lang);
    let diffs = diff(&a, &b);
    match args.format {
        FpFormat::Text => print(&report::fingerprint::render_diff(&a, &b, &diffs, lang)),
        FpFormat::Json => {
            let v = serde_json::json!({"a": a.hash, "b": b.hash, "same": diffs.is_empty(), "differences": diffs});
            print(&(serde_json::to_string_pretty(&v).unwrap_or_default() + "\n"))
        }
    }
    if failed_a || failed_b {
        2
    } else {
        u8::from(!diffs.is_empty())
    }
}
