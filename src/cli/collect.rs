//! `cmgelog collect`: options → a collection run, with a progress bar on a terminal, Ctrl-C
//! turned into "finish the zip with what is there", and the zip's path on stdout.

use super::upload::{protocol_named, UploadArgs};
use cmgelog::collect::{self, category, Category, Progress, Status};
use cmgelog::config::Config;
use cmgelog::exit_code::{CollectExit, UploadExit};
use cmgelog::i18n::Lang;
use cmgelog::messages::Messages;
use indicatif::{ProgressBar, ProgressStyle};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

#[derive(clap::Args, Debug)]
pub struct CollectArgs {
    /// Categories, comma-separated: group-policy, network, event-logs, software, processes,
    /// activation, upgrade, hardware, or "all".
    /// [default: those of cmgelog.toml, else all]
    #[arg(long, value_name = "LIST")]
    pub categories: Option<String>,
    /// Folder for the zip [default: the desktop on Windows, the current folder elsewhere].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// The whole collection ends within this; unfinished items are recorded as such
    /// [default: cmgelog.toml's, else 10m].
    #[arg(long, value_name = "DURATION", value_parser = humantime::parse_duration)]
    pub deadline: Option<Duration>,
    /// A collection spec replacing the built-in one (see specs/README.md).
    #[arg(long, value_name = "FILE")]
    pub spec: Option<PathBuf>,
    /// Items run at the same time.
    #[arg(long, default_value_t = 4, value_name = "N")]
    pub jobs: usize,
    /// Do not ask before collecting.
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Print only the zip's path.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Upload the zip when collected (portal and user from the options or cmgelog.toml; the
    /// password from CMGELOG_PASSWORD, or asked on a terminal).
    #[arg(long)]
    pub upload: bool,
    /// The portal's upload URL [default: cmgelog.toml's portal.url].
    #[arg(long, requires = "upload")]
    pub url: Option<String>,
    /// The case's user name [default: cmgelog.toml's portal.user].
    #[arg(long, requires = "upload")]
    pub user: Option<String>,
    /// The support case id [default: cmgelog.toml's case-id].
    #[arg(long = "case", value_name = "ID", requires = "upload")]
    pub case_id: Option<String>,
}

/// Exit codes: [`CollectExit`]. Interrupted by Ctrl-C, the zip is still written with what was
/// collected, and says so in its manifest.
pub fn run(args: &CollectArgs, config: &Config, lang: Lang) -> CollectExit {
    let msg = Messages::new(lang);
    let chosen = match (&args.categories, &config.categories) {
        (Some(list), _) => category::parse_list(list),
        (None, Some(c)) if !c.is_empty() => Ok(c.clone()),
        (None, _) => Ok(Category::ALL.to_vec()),
    };
    let deadline = args
        .deadline
        .or_else(|| {
            config
                .deadline
                .as_deref()
                .and_then(|d| humantime::parse_duration(d).ok())
        })
        .unwrap_or(Duration::from_secs(600));
    let categories = match chosen {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{}", msg.fill("bad-categories", &[("error", &e)]));
            return CollectExit::CannotStart;
        }
    };
    let interactive = std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
    if !args.quiet {
        announce(&categories, args, deadline, lang, &msg);
    }
    if interactive && !args.yes && !confirm(&msg) {
        return CollectExit::Declined;
    }
    let cancel = Arc::new(AtomicBool::new(false));
    {
        let cancel = cancel.clone();
        // Ctrl-C and SIGTERM: stop starting items, kill the running ones, finish the zip.
        let _ = ctrlc::set_handler(move || cancel.store(true, Ordering::SeqCst));
    }
    let opts = collect::Options {
        categories,
        out_dir: args.out.clone().unwrap_or_else(collect::platform::default_out_dir),
        deadline,
        spec: args.spec.clone(),
        jobs: args.jobs,
        activation_log_dirs: config.activation_log_dirs.clone(),
    };
    let bar = Bar::new(!args.quiet && std::io::stderr().is_terminal());
    let outcome = collect::collect(&opts, &cancel, &bar);
    bar.done();
    match outcome {
        Ok(o) => {
            if !args.quiet {
                summary(&o.manifest, &msg);
            }
            let mut out = std::io::stdout();
            let _ = writeln!(out, "{}", o.zip.display());
            if o.manifest.interrupted {
                CollectExit::Interrupted
            } else if args.upload {
                upload_after(&o.zip, args, config, lang)
            } else {
                CollectExit::Done
            }
        }
        Err(e) => {
            eprintln!("{}", e.message(&msg));
            CollectExit::NoZip
        }
    }
}

/// `--upload`: the uploader's own command with the portal from the options or the configuration.
fn upload_after(zip: &std::path::Path, args: &CollectArgs, config: &Config, lang: Lang) -> CollectExit {
    let (Some(url), Some(user)) = (
        args.url.clone().or_else(|| config.portal.url.clone()),
        args.user.clone().or_else(|| config.portal.user.clone()),
    ) else {
        eprintln!("{}", Messages::new(lang).fill("no-portal", &[("path", &zip.display())]));
        return CollectExit::UploadFailed;
    };
    let upload_args = UploadArgs {
        bundle: zip.to_path_buf(),
        url,
        user,
        case_id: args.case_id.clone().or_else(|| config.case_id.clone()),
        protocol: protocol_named(config.portal.protocol.as_deref()),
        chunk_size: cmgelog::upload::DEFAULT_CHUNK_SIZE,
        field: cmgelog::upload::DEFAULT_FIELD.to_string(),
        ca_cert: None,
        retries: cmgelog::upload::RetryPolicy::default().retries,
        quiet: args.quiet,
    };
    match super::upload::run(&upload_args, lang) {
        UploadExit::Uploaded => CollectExit::Done,
        _ => CollectExit::UploadFailed,
    }
}

fn announce(categories: &[Category], args: &CollectArgs, deadline: Duration, lang: Lang, msg: &Messages) {
    let names: Vec<&str> = categories.iter().map(|c| c.label(lang)).collect();
    let sep = msg.get("list-separator");
    let deadline = cmgelog::flow::words::duration(msg, deadline);
    eprintln!(
        "{}",
        msg.fill("announce", &[("categories", &names.join(sep)), ("deadline", &deadline)])
    );
    if !collect::platform::elevated() {
        let admin_items = admin_items(args.spec.as_deref(), categories, msg);
        if !admin_items.is_empty() {
            eprintln!("{}", msg.fill("not-admin-short", &[("items", &admin_items.join(sep))]));
        }
    }
}

/// What the chosen categories lose without an administrator, in the user's words
/// (`硬件信息（dmidecode）`), as the wizard says it.
fn admin_items(spec: Option<&std::path::Path>, categories: &[Category], msg: &Messages) -> Vec<String> {
    let tasks = collect::load_spec(spec)
        .ok()
        .and_then(|(_, s)| s.tasks(categories, &|v| std::env::var(v).ok()).ok())
        .unwrap_or_default();
    cmgelog::flow::words::admin_losses(msg, &tasks)
}

fn confirm(msg: &Messages) -> bool {
    eprint!("{}", msg.get("confirm-start"));
    let mut line = String::new();
    if std::io::stdin().read_line(&mut line).is_err() {
        return false;
    }
    let a = line.trim().to_lowercase();
    a.is_empty() || a == "y" || a == "yes" || a == "是"
}

/// Per status, how many items; and each item that was not collected, with its reason.
fn summary(m: &collect::Manifest, msg: &Messages) {
    let not_ok: Vec<_> = m.items.iter().filter(|r| !r.status.collected()).collect();
    let ok = m.items.len() - not_ok.len();
    eprintln!("{}", msg.fill("done-summary", &[("ok", &ok), ("not", &not_ok.len())]));
    for r in not_ok.iter().filter(|r| r.status != Status::NotFound) {
        eprintln!("  {} [{}] {}", r.id, r.status.id(), r.reason.as_deref().unwrap_or(""));
    }
    if m.interrupted {
        eprintln!("{}", msg.get("interrupted"));
    }
}

/// The progress bar: items done of all, and the item started last.
pub(super) struct Bar(Option<ProgressBar>);

impl Bar {
    pub(super) fn new(visible: bool) -> Bar {
        Bar(visible.then(|| {
            let b = ProgressBar::new(0);
            b.set_style(
                ProgressStyle::with_template("{spinner} [{bar:30}] {pos}/{len} {elapsed} {wide_msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> "),
            );
            b.enable_steady_tick(Duration::from_millis(200));
            b
        }))
    }
    pub(super) fn done(&self) {
        if let Some(b) = &self.0 {
            b.finish_and_clear();
        }
    }
}

impl Progress for Bar {
    fn begin(&self, total: usize) {
        if let Some(b) = &self.0 {
            b.set_length(total as u64);
        }
    }
    fn item_started(&self, id: &str) {
        if let Some(b) = &self.0 {
            b.set_message(id.to_string());
        }
    }
    fn item_finished(&self, _id: &str) {
        if let Some(b) = &self.0 {
            b.inc(1);
        }
    }
}
