//! `cmgelog fingerprint INPUT...` and `cmgelog diff A B`.

use super::LimitOptions;
use clap::ValueEnum;
use cmgelog::analysis;
use cmgelog::bundle::ReadError;
use cmgelog::exit_code::{DiffExit, FingerprintExit};
use cmgelog::fingerprint::PartKey;
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
    /// text: the parts and the hash, for a person; json: the same for scripts.
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
    /// text: the parts that differ, side by side; json: both hashes, `same` and the differences.
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

/// Exit code: [`FingerprintExit`]; no part that identifies the machine (no serial or MAC that
/// is not a placeholder: every such machine would get the same hash) is `NoIdentity`.
pub fn run(args: &FingerprintArgs, lang: Lang) -> FingerprintExit {
    let (fp, failed) = fingerprint_of(&args.inputs, &args.limits, lang);
    match args.format {
        FpFormat::Text => print(&report::fingerprint::render(&fp, lang)),
        FpFormat::Json => print(&(serde_json::to_string_pretty(&fp).unwrap_or_default() + "\n")),
    }
    let identifying: Vec<&str> = fp
        .parts
        .iter()
        .filter(|p| {
            matches!(
                p.key,
                PartKey::SystemSerial | PartKey::BaseboardSerial | PartKey::DiskSerial | PartKey::Mac
            )
        })
        .map(|p| p.key.label(lang.is_zh()))
        .collect();
    let zh = lang.is_zh();
    if failed {
        return FingerprintExit::Unreadable;
    }
    match identifying.as_slice() {
        [] => {
            eprintln!(
                "{}",
                if zh {
                    "cmgelog: 没有可用的硬件标识：序列号和 MAC 地址都缺失或是占位值，这样的机器指纹都相同，不能用来区分机器。"
                } else {
                    "cmgelog: no usable identity: every serial and MAC address is missing or a placeholder, so all such machines get this same hash"
                }
            );
            FingerprintExit::NoIdentity
        }
        [only] => {
            eprintln!(
                "{}",
                if zh {
                    format!("cmgelog: 注意：指纹只基于一项标识（{only}），较弱。")
                } else {
                    format!("cmgelog: warning: the fingerprint rests on one identifier only ({only})")
                }
            );
            FingerprintExit::Identified
        }
        _ => FingerprintExit::Identified,
    }
}

/// Exit code: [`DiffExit`].
pub fn run_diff(args: &DiffArgs, lang: Lang) -> DiffExit {
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
        DiffExit::Unreadable
    } else if diffs.is_empty() {
        DiffExit::Same
    } else {
        DiffExit::Differs
    }
}
