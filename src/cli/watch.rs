//! `cmgelog watch DIR… --out RESULTS`: options and one line per event around
//! `cmgelog::watch::run`. Runs until Ctrl-C or SIGTERM (or, with `--once`, until nothing is
//! pending), then finishes the analyses that are running.

use super::{output, rules_cmd, LimitOptions, RuleOptions};
use cmgelog::batch::Shard;
use cmgelog::exit_code::WatchExit;
use cmgelog::i18n::Lang;
use cmgelog::watch::{self, Event, Options, Stats, WatchError};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Examples and exit codes ([`WatchExit`]) are in its `--help` (cli/help.rs).
#[derive(clap::Args, Debug)]
pub struct WatchArgs {
    /// Folders where the portal stores uploads (a tus file store or plain files); watched with
    /// their subfolders.
    #[arg(required = true, value_name = "DIR")]
    pub dirs: Vec<PathBuf>,
    /// Where each bundle's reports go: <case>-<sha12>.json, .html and .md.
    #[arg(long, value_name = "RESULTS")]
    pub out: PathBuf,
    /// The SQLite index of identifiers and arrivals (for `find --index` and `serve`)
    /// [default: RESULTS/index.sqlite].
    #[arg(long, value_name = "FILE")]
    pub index: Option<PathBuf>,
    /// Bundles analysed at once [default: the number of cores].
    #[arg(long, value_name = "N")]
    pub jobs: Option<usize>,
    /// POST each bundle's JSON summary (case id, host, findings) to this URL; what cannot be
    /// delivered after retries goes to RESULTS/dead-letter/.
    #[arg(long, value_name = "URL")]
    pub hook: Option<reqwest::Url>,
    /// Take only the I-th of N disjoint parts of the arrivals (1-based), as `batch --shard`.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<Shard>,
    /// Seconds a plain file's size must stay the same before it is taken.
    #[arg(long, value_name = "SECONDS", default_value_t = 5.0)]
    pub settle: f64,
    /// Seconds between full rescans of the folders (file events on network file systems get lost).
    #[arg(long, value_name = "SECONDS", default_value_t = 60.0)]
    pub rescan: f64,
    /// Analyse what is there (waiting for uploads in progress), then exit.
    #[arg(long)]
    pub once: bool,
    #[command(flatten)]
    pub rules: RuleOptions,
    #[command(flatten)]
    pub limits: LimitOptions,
}

pub fn run(args: &WatchArgs, lang: Lang) -> WatchExit {
    let rules = match rules_cmd::load(&args.rules) {
        Ok(r) => r.for_many_bundles(),
        Err(e) => {
            rules_cmd::report_load_error(&e, lang);
            return WatchExit::CannotStart;
        }
    };
    let seconds = |s: f64| Duration::try_from_secs_f64(s.max(0.0)).unwrap_or(Duration::from_secs(5));
    let opts = Options {
        dirs: args.dirs.clone(),
        out: args.out.clone(),
        index: args.index.clone().unwrap_or_else(|| args.out.join("index.sqlite")),
        jobs: args
            .jobs
            .filter(|&j| j > 0)
            .unwrap_or_else(|| std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)),
        hook: args.hook.clone(),
        shard: args.shard,
        settle: seconds(args.settle),
        rescan: seconds(args.rescan),
        once: args.once,
        lang,
        limits: args.limits.limits(),
    };
    let stop = Arc::new(AtomicBool::new(false));
    {
        // Ctrl-C and SIGTERM (systemd, docker stop): finish what runs, start nothing new.
        let stop = Arc::clone(&stop);
        let _ = ctrlc::set_handler(move || stop.store(true, Ordering::SeqCst));
    }
    let zh = lang.is_zh();
    eprintln!(
        "{}",
        if zh {
            format!(
                "cmgelog: 正在监视 {}，结果写入 {}（Ctrl-C 停止）",
                list(&opts.dirs),
                opts.out.display()
            )
        } else {
            format!(
                "cmgelog: watching {}, results in {} (Ctrl-C stops)",
                list(&opts.dirs),
                opts.out.display()
            )
        }
    );
    let result = watch::run(&opts, &rules, &stop, |e| eprintln!("{}", line(e, zh)));
    match result {
        Ok(stats) => {
            eprintln!("{}", summary(&stats, zh));
            if args.once && (stats.failed > 0 || stats.hook_failed > 0) {
                WatchExit::Undelivered
            } else {
                WatchExit::Stopped
            }
        }
        Err(e) => {
            let (zh_what, en_what) = match &e {
                WatchError::Index(..) => ("无法打开索引", "cannot open the index"),
                WatchError::Out(..) => ("无法创建结果文件夹", "cannot create the results folder"),
                WatchError::NotAFolder(..) => ("不是文件夹", "not a folder"),
            };
            let detail = match &e {
                WatchError::NotAFolder(p) => p.display().to_string(),
                other => other.to_string(),
            };
            output::error(lang, zh_what, en_what, detail);
            WatchExit::CannotStart
        }
    }
}

fn list(dirs: &[PathBuf]) -> String {
    dirs.iter()
        .map(|d| d.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// One line per event, for the journal: what happened to which bundle.
fn line(e: &Event, zh: bool) -> String {
    match e {
        Event::Analysed { arrival, errors } => {
            let cause = match (&arrival.severity, &arrival.title) {
                (Some(s), Some(t)) => format!("{s}: {t}"),
                _ if zh => "无已知原因".to_string(),
                _ => "no known cause".to_string(),
            };
            let errors = match (*errors, zh) {
                (0, _) => String::new(),
                (n, true) => format!("；{n} 个文件无法读取，见报告"),
                (1, false) => "; 1 file could not be read, see the report".to_string(),
                (n, false) => format!("; {n} files could not be read, see the report"),
            };
            if zh {
                format!("已分析 {}（{}）：{cause}{errors}", arrival.name, arrival.path)
            } else {
                format!("analysed {} ({}): {cause}{errors}", arrival.name, arrival.path)
            }
        }
        Event::Duplicate { path, of } if zh => format!("重复 {}：与 {of} 内容相同，不再分析", path.display()),
        Event::Duplicate { path, of } => {
            format!("duplicate {}: same content as {of}, not analysed again", path.display())
        }
        Event::Hook {
            name, delivered: true, ..
        } if zh => format!("已推送 {name}"),
        Event::Hook {
            name, delivered: true, ..
        } => format!("delivered {name}"),
        Event::Hook { name, detail, .. } if zh => format!("推送失败 {name}：{detail}"),
        Event::Hook { name, detail, .. } => format!("hook failed for {name}: {detail}"),
        Event::Unreadable { path, detail } if zh => {
            format!("暂时无法读取 {}：{detail}（下次扫描重试）", path.display())
        }
        Event::Unreadable { path, detail } => format!(
            "cannot read {} now: {detail} (tried again at the next scan)",
            path.display()
        ),
        Event::NoEvents { dir, detail } if zh => {
            format!("{}：无法接收文件事件（{detail}），只靠定期扫描", dir.display())
        }
        Event::NoEvents { dir, detail } => format!("{}: no file events ({detail}), rescans only", dir.display()),
    }
}

fn summary(s: &Stats, zh: bool) -> String {
    if zh {
        format!(
            "cmgelog: 已停止。分析 {} 个（{} 个损坏），重复 {} 个，推送失败 {} 个",
            s.analysed, s.failed, s.duplicates, s.hook_failed
        )
    } else {
        format!(
            "cmgelog: stopped. {} analysed ({} damaged), {} duplicates, {} hook failures",
            s.analysed, s.failed, s.duplicates, s.hook_failed
        )
    }
}
