//! Command-line options (clap) and the commands they run. Each command returns its exit code;
//! errors are printed here, in the user's language, never as Rust error chains.

mod analyze;
mod batch;
mod collect;
mod explain;
mod find;
mod fingerprint;
pub mod help;
mod output;
mod progress;
mod rules_cmd;
mod serve;
mod spec_cmd;
mod upload;
mod watch;
mod wizard;

use clap::{Parser, Subcommand, ValueEnum};
use cmgelog::config::Config;
use cmgelog::exit_code::CollectExit;
use cmgelog::i18n::Lang;
use cmgelog::messages::Messages;
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "cmgelog",
    version,
    about = "Collects and analyses CMGE activation and upgrade logs / CMGE 激活与升级日志收集分析工具"
)]
pub struct Cli {
    /// Language of the output [default: cmgelog.toml's language, else the system locale].
    #[arg(long, global = true, value_enum)]
    pub lang: Option<LangArg>,
    /// Without a command: the interactive wizard (collect, review, upload).
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum LangArg {
    Zh,
    En,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
    Md,
}

/// `analyze --format`: the formats of `Format` plus a self-contained HTML page.
#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum AnalyzeFormat {
    Text,
    Json,
    Md,
    Html,
}

// Deferred: a run builds the options of its own command only, not of all twelve (a third of a
// small analysis's start-up). Whatever walks the whole tree (help, tests) builds it first:
// `help::command`.
#[derive(Subcommand, Debug)]
#[command(defer = true)]
pub enum Command {
    /// Collect this machine's logs into one zip with a manifest.
    Collect(collect::CollectArgs),
    /// Analyse the logs of one machine: zip bundles, folders or single files.
    #[command(alias = "analyse")]
    Analyze(AnalyzeArgs),
    /// Analyse many bundles, each as its own machine, in parallel; one record per bundle and a summary.
    Batch(batch::BatchArgs),
    /// Find the bundles whose facts hold a serial, MAC address or host name (a server record).
    Find(find::FindArgs),
    /// The hardware identity activation binds to, and its stable hash.
    Fingerprint(fingerprint::FingerprintArgs),
    /// Which parts of the hardware identity differ between two bundles.
    Diff(fingerprint::DiffArgs),
    /// What an error code means, what to do, and which rules detect it.
    Explain(explain::ExplainArgs),
    /// Send a bundle to the support portal (tus, resumable; or one multipart POST / PUT).
    Upload(upload::UploadArgs),
    /// Analyse every bundle that arrives in the portal's upload folders, once, as it completes.
    Watch(watch::WatchArgs),
    /// The support team's read-only web page over `watch`'s results: inbox, reports, search.
    Serve(serve::ServeArgs),
    /// Rule files: check, list, run their fixtures.
    Rules {
        #[command(subcommand)]
        command: RulesCommand,
    },
    /// Collection specs: check them.
    Spec {
        #[command(subcommand)]
        command: SpecCommand,
    },
    /// cmgelog.toml: check it.
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
}

#[derive(Subcommand, Debug)]
pub enum SpecCommand {
    /// Check spec files (every item, whatever categories will be chosen) and report every
    /// problem with file:line:column.
    Lint {
        /// Spec files (default: the built-in Windows and Linux specs).
        paths: Vec<PathBuf>,
    },
}

#[derive(Subcommand, Debug)]
pub enum ConfigCommand {
    /// Check cmgelog.toml files and report every problem with file:line:column.
    Check {
        /// Files (default: every cmgelog.toml this program would read, in order).
        paths: Vec<PathBuf>,
    },
}

#[derive(clap::Args, Debug)]
pub struct AnalyzeArgs {
    /// Bundles (.zip), folders or files; all describe one machine.
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    /// text: for a terminal; json: for scripts (schema in src/report/json.rs); md: a reply to
    /// paste into the ticket; html: one self-contained page.
    #[arg(long, value_enum, default_value_t = AnalyzeFormat::Text)]
    pub format: AnalyzeFormat,
    /// Write the report to FILE instead of stdout (html: a page to open or send).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub rules: RuleOptions,
    #[command(flatten)]
    pub limits: LimitOptions,
}

/// Caps that keep hostile inputs (zip bombs, huge archives) in bounded time and memory.
#[derive(clap::Args, Debug, Clone)]
pub struct LimitOptions {
    /// Largest single entry read, in bytes [default: 256 MiB].
    #[arg(long, value_name = "BYTES")]
    pub max_entry_bytes: Option<u64>,
    /// Largest total read from one input, in bytes [default: 1 GiB].
    #[arg(long, value_name = "BYTES")]
    pub max_total_bytes: Option<u64>,
    /// Most entries read from one archive or folder [default: 20000].
    #[arg(long, value_name = "N")]
    pub max_entries: Option<usize>,
    /// Largest inflated-to-compressed ratio of a zip entry past its first MiB (zip bombs)
    /// [default: 200].
    #[arg(long, value_name = "N")]
    pub max_ratio: Option<u64>,
    /// Longest line read from a log or command output; longer lines are cut [default: 1 MiB].
    #[arg(long, value_name = "BYTES")]
    pub max_line_bytes: Option<usize>,
}

impl LimitOptions {
    pub fn limits(&self) -> cmgelog::bundle::Limits {
        let d = cmgelog::bundle::Limits::default();
        cmgelog::bundle::Limits {
            max_entry_bytes: self.max_entry_bytes.unwrap_or(d.max_entry_bytes),
            max_total_bytes: self.max_total_bytes.unwrap_or(d.max_total_bytes),
            max_entries: self.max_entries.unwrap_or(d.max_entries),
            max_ratio: self.max_ratio.unwrap_or(d.max_ratio),
            max_line_bytes: self.max_line_bytes.unwrap_or(d.max_line_bytes),
            ..d
        }
    }
}

#[derive(clap::Args, Debug, Clone)]
pub struct RuleOptions {
    /// Rule file or folder; added to the built-in rules (same id replaces the built-in rule).
    #[arg(long = "rules", value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Use only the rules given with --rules.
    #[arg(long, requires = "paths")]
    pub no_default_rules: bool,
}

#[derive(Subcommand, Debug)]
pub enum RulesCommand {
    /// Check rule files and report every problem with file:line:column.
    Lint {
        /// Rule file or folder (default: the built-in rules).
        path: Option<PathBuf>,
    },
    /// List rule ids, severities and titles.
    List {
        #[command(flatten)]
        rules: RuleOptions,
    },
    /// Run the fixtures next to the rules (`<folder>/fixtures/<id>/{positive,negative}/`).
    Test {
        /// Rules folder (default: ./rules).
        #[arg(default_value = "rules")]
        path: PathBuf,
    },
}

/// Runs the parsed command line; returns the process exit code.
pub fn run(cli: Cli) -> u8 {
    let chosen = cli.lang.map(|l| match l {
        LangArg::Zh => Lang::Zh,
        LangArg::En => Lang::En,
    });
    // The wizard shows a broken cmgelog.toml itself and waits (a double-clicked window would
    // close before anyone read why).
    let Some(command) = cli.command else {
        let config = Config::load().map(|(c, _)| c);
        let lang = chosen
            .or_else(|| {
                let c = config.as_ref().ok()?;
                c.language.as_deref().map(Lang::from_locale)
            })
            .unwrap_or_else(Lang::detect);
        return wizard::run(config, lang).code();
    };
    // `collect` reads cmgelog.toml too (portal, categories, language, log folders).
    let config = if matches!(command, Command::Collect(_)) {
        match Config::load() {
            Ok((c, _)) => c,
            Err(e) => {
                let msg = Messages::new(chosen.unwrap_or_else(Lang::detect));
                eprintln!(
                    "{}",
                    msg.fill("config-error", &[("path", &e.path.display()), ("error", &e.message)])
                );
                return CollectExit::CannotStart.code();
            }
        }
    } else {
        Config::default()
    };
    let lang = chosen
        .or_else(|| config.language.as_deref().map(Lang::from_locale))
        .unwrap_or_else(Lang::detect);
    match command {
        Command::Collect(args) => collect::run(&args, &config, lang).code(),
        Command::Analyze(args) => analyze::run(&args, lang).code(),
        Command::Batch(args) => batch::run(&args, lang).code(),
        Command::Find(args) => find::run(&args, lang).code(),
        Command::Fingerprint(args) => fingerprint::run(&args, lang).code(),
        Command::Diff(args) => fingerprint::run_diff(&args, lang).code(),
        Command::Explain(args) => explain::run(&args, lang).code(),
        Command::Rules { command } => rules_cmd::run(command, lang).code(),
        Command::Spec {
            command: SpecCommand::Lint { paths },
        } => spec_cmd::lint(&paths, lang).code(),
        Command::Config {
            command: ConfigCommand::Check { paths },
        } => spec_cmd::check_config(&paths, lang).code(),
        Command::Upload(args) => upload::run(&args, lang).code(),
        Command::Watch(args) => watch::run(&args, lang).code(),
        Command::Serve(args) => serve::run(&args, lang).code(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    /// clap checks option names and groups only when a command is built: check them all here,
    /// not when a user first runs a subcommand.
    #[test]
    fn command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
