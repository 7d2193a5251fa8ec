//! `cmgelog find PATH... --serial S | --mac M | --host H [--index FILE]...`.

use super::{output, LimitOptions};
use clap::ValueEnum;
use cmgelog::batch::find::{self, Hit, Query};
use cmgelog::batch::identifiers::IdKind;
use cmgelog::batch::{discover, index};
use cmgelog::exit_code::FindExit;
use cmgelog::i18n::Lang;
use cmgelog::report::escape_control;
use std::io::Write;
use std::path::PathBuf;

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum FindFormat {
    Text,
    Json,
}

#[derive(clap::Args, Debug)]
#[command(group(clap::ArgGroup::new("identifier").required(true).args(["serial", "mac", "host"])))]
#[command(group(clap::ArgGroup::new("where").required(true).multiple(true).args(["paths", "index"])))]
pub struct FindArgs {
    /// Bundles, folders or glob patterns to search (not needed with --index).
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// A serial number: system (BIOS), UUID, baseboard, chassis or disk.
    #[arg(long)]
    pub serial: Option<String>,
    /// A MAC address, with `-`, `:`, `.` or no separators, any case.
    #[arg(long)]
    pub mac: Option<String>,
    /// A host name.
    #[arg(long)]
    pub host: Option<String>,
    /// A SQLite index written by `batch --index` (may be given several times).
    #[arg(long, value_name = "FILE")]
    pub index: Vec<PathBuf>,
    /// text: one line per hit (bundle, field=value, file:line); json: a list of hits.
    #[arg(long, value_enum, default_value_t = FindFormat::Text)]
    pub format: FindFormat,
    /// Bundles read at once [default: the number of cores].
    #[arg(long, value_name = "N")]
    pub jobs: Option<usize>,
    #[command(flatten)]
    pub limits: LimitOptions,
}

/// Exit code: [`FindExit`], like grep's.
pub fn run(args: &FindArgs, lang: Lang) -> FindExit {
    let query = match (&args.serial, &args.mac, &args.host) {
        (Some(s), _, _) => Query::new(IdKind::Serial, s),
        (_, Some(m), _) => Query::new(IdKind::Mac, m),
        (_, _, Some(h)) => Query::new(IdKind::Host, h),
        _ => unreachable!("clap requires one identifier"),
    };
    let mut hits: Vec<Hit> = Vec::new();
    let mut failed = false;
    for ix in &args.index {
        match index::lookup(ix, &query) {
            Ok(h) => hits.extend(h),
            Err(e) => {
                output::error(
                    lang,
                    &format!("无法读取索引 {}", ix.display()),
                    &format!("cannot read the index {}", ix.display()),
                    e,
                );
                failed = true;
            }
        }
    }
    if !args.paths.is_empty() {
        let (bundles, missing) = discover(&args.paths);
        for m in &missing {
            output::error(
                lang,
                &format!("找不到 {}", m.path),
                &format!("cannot find {}", m.path),
                &m.detail,
            );
            failed = true;
        }
        match find::scan(&bundles, &query, &args.limits.limits(), args.jobs.unwrap_or(0)) {
            Ok(found) => {
                for e in &found.errors {
                    eprintln!("cmgelog: {}", cmgelog::report::error_line(e, lang));
                }
                failed |= !found.errors.is_empty();
                hits.extend(found.hits);
            }
            Err(e) => {
                output::error(lang, "无法启动工作线程", "cannot start the worker threads", e);
                return FindExit::Unreadable;
            }
        }
    }
    hits.sort_by(|a, b| a.bundle.cmp(&b.bundle).then(a.field.cmp(&b.field)));
    hits.dedup_by(|a, b| a.bundle == b.bundle && a.field == b.field);
    let text = match args.format {
        FindFormat::Json => serde_json::to_string_pretty(&hits).unwrap_or_default() + "\n",
        FindFormat::Text => hits
            .iter()
            .map(|h| {
                let line = h.line.map(|l| format!(":{l}")).unwrap_or_default();
                format!(
                    "{}\t{}={}\t{}{line}\n",
                    escape_control(&h.bundle),
                    h.field,
                    escape_control(&h.value),
                    escape_control(&h.path)
                )
            })
            .collect(),
    };
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes()).and_then(|_| out.flush());
    if hits.is_empty() {
        eprintln!(
            "cmgelog: {}",
            if lang.is_zh() {
                "没有找到包含该标识的压缩包"
            } else {
                "no bundle holds that identifier"
            }
        );
    }
    if failed {
        FindExit::Unreadable
    } else if hits.is_empty() {
        FindExit::NotFound
    } else {
        FindExit::Found
    }
}
