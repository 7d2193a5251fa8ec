//! What `--help` shows after the options: examples, and the exit codes of the command's family
//! from [`cmgelog::exit_code`] (the same lists as docs/exit-codes.md). The option descriptions
//! are the doc comments of the clap structs; a test checks that every option has one.

use super::Cli;
use clap::{CommandFactory, FromArgMatches};
use cmgelog::exit_code;
use cmgelog::i18n::Lang;

/// Examples of each command, by its path (`"rules lint"`; `""` is `cmgelog` alone).
const EXAMPLES: &[(&str, &str)] = &[
    (
        "",
        "  cmgelog                                 the wizard: collect, review, upload
  cmgelog collect --yes --out D:\\logs      collect without questions
  cmgelog analyze CMGE_Log_host.zip       what went wrong on that machine
  cmgelog batch cases/ --out all.jsonl    many bundles, one record each",
    ),
    (
        "collect",
        "  cmgelog collect
  cmgelog collect --yes --quiet --categories activation,hardware --out /tmp
  CMGELOG_PASSWORD=... cmgelog collect --yes --upload --url https://portal/files/ --user case-1",
    ),
    (
        "analyze",
        "  cmgelog analyze CMGE_Log_host.zip
  cmgelog analyze setupact.log setuperr.log dmidecode.txt
  cmgelog analyze case.zip --format html --out case.html
  cmgelog analyze case.zip --format json --rules my-rules/ | jq .findings",
    ),
    (
        "batch",
        "  cmgelog batch cases/ --out all.jsonl --index ids.sqlite
  cmgelog batch 'cases/2024-*/*.zip' --format html --out batch.html
  cmgelog batch cases/ --shard 2/8 --ordered --jobs 4",
    ),
    (
        "find",
        "  cmgelog find cases/ --serial MS1C93BB0H00980
  cmgelog find --index ids.sqlite --mac 28-D2-44-19-F8-2A --format json",
    ),
    (
        "fingerprint",
        "  cmgelog fingerprint CMGE_Log_host.zip
  cmgelog fingerprint dmidecode.txt ip-link.txt --format json",
    ),
    ("diff", "  cmgelog diff before.zip after.zip"),
    (
        "explain",
        "  cmgelog explain 0xC004F074
  cmgelog explain 0xC1900101-0x20017 --format md
  cmgelog explain -1073418124 'HRESULT=800F0922'
  cmgelog explain 0x8BADF00D --rules my-rules.toml     a code defined in a rule file",
    ),
    (
        "upload",
        "  cmgelog upload CMGE_Log_host.zip --url https://portal/files/ --user case-1
  CMGELOG_PASSWORD=... cmgelog upload b.zip --url https://portal/upload --user u --protocol multipart",
    ),
    (
        "watch",
        "  cmgelog watch /srv/portal/uploads --out /srv/cmgelog/results
  cmgelog watch /srv/portal/uploads --out /srv/results --hook https://tickets.example/api/cmgelog
  cmgelog watch /mnt/uploads --out /srv/results-2 --shard 2/4      (one of four hosts)
  cmgelog watch inbox --out results --once                       (analyse what is there, exit)",
    ),
    (
        "serve",
        "  cmgelog serve /srv/cmgelog/results                      (http://127.0.0.1:8080/)
  cmgelog serve results-1 results-2 --index fleet.sqlite  (several shards, a batch index)
  CMGELOG_PASSWORD=… cmgelog serve --auth users.txt --add-user li.wei
  cmgelog serve results --listen 0.0.0.0:8080 --auth users.txt",
    ),
    (
        "rules",
        "  cmgelog rules lint my-rules/
  cmgelog rules list --rules my-rules/
  cmgelog rules test rules/",
    ),
    ("rules lint", "  cmgelog rules lint\n  cmgelog rules lint my-rules.toml"),
    (
        "rules list",
        "  cmgelog rules list\n  cmgelog rules list --rules my-rules/ --no-default-rules",
    ),
    (
        "rules test",
        "  cmgelog rules test            (in the source tree: ./rules)\n  cmgelog rules test my-rules/",
    ),
    ("spec", "  cmgelog spec lint\n  cmgelog spec lint my-spec.toml"),
    ("spec lint", "  cmgelog spec lint\n  cmgelog spec lint my-spec.toml"),
    ("config", "  cmgelog config check"),
    (
        "config check",
        "  cmgelog config check\n  cmgelog config check ./cmgelog.toml",
    ),
];

/// The top level: what runs without a command, and where settings come from.
const TOP: (&str, &str) = (
    "不带命令运行（或在 Windows 上双击）时启动向导：说明、选择类别、收集、查看、上传。
设置：cmgelog.toml（与 cmgelog 同一文件夹、用户配置文件夹 cmgelog/ 下，或环境变量 CMGELOG_CONFIG 指定的文件）
提供门户地址、用户名、类别、截止时间和语言；cmgelog config check 检查它。
密码：脚本用环境变量 CMGELOG_PASSWORD 提供，否则在终端中询问；从不写在命令行上。",
    "Without a command (or double-clicked on Windows) cmgelog runs the wizard: what is collected,
the categories, the collection, the result, the upload.
Settings: cmgelog.toml (next to cmgelog, in the user's config folder under cmgelog/, or the file
CMGELOG_CONFIG names) gives the portal URL and user, categories, deadline and language;
`cmgelog config check` checks it.
Password: scripts set CMGELOG_PASSWORD; otherwise it is asked on the terminal, never taken
from the command line.",
);

/// The help text after a command's options: (for the top level) the wizard and settings,
/// examples, and the exit codes.
pub fn after_help(path: &str, lang: Lang) -> String {
    let mut out = String::new();
    if path.is_empty() {
        out.push_str(if lang.is_zh() { TOP.0 } else { TOP.1 });
        out.push_str("\n\n");
    }
    if let Some((_, examples)) = EXAMPLES.iter().find(|(p, _)| *p == path) {
        out.push_str(if lang.is_zh() { "示例：\n" } else { "Examples:\n" });
        out.push_str(examples);
        out.push_str("\n\n");
    }
    match exit_code::table_for(path) {
        Some(table) => out.push_str(&exit_code::help_section(table, lang)),
        None => {
            // A group (`rules`): its commands' codes are in their own --help.
            out.push_str(if lang.is_zh() {
                "退出代码：见各子命令的 --help。\n"
            } else {
                "Exit codes: see each subcommand's --help.\n"
            });
        }
    }
    out.trim_end().to_string()
}

/// The command line definition with the after-help sections in `lang`.
pub fn command(lang: Lang) -> clap::Command {
    decorate(full_command(), "", lang)
}

/// The whole command tree, the deferred options of every command included.
fn full_command() -> clap::Command {
    let mut cmd = Cli::command();
    // A deferred command's options are added after its own settings, so the doc comment of an
    // options struct (or of one it flattens, such as the limits) would replace the command's
    // description: the descriptions are read before and put back after.
    let about: Vec<_> = cmd
        .get_subcommands()
        .map(|s| {
            (
                s.get_name().to_string(),
                s.get_about().cloned(),
                s.get_long_about().cloned(),
            )
        })
        .collect();
    cmd.build();
    for (name, short, long) in about {
        cmd = cmd.mut_subcommand(name, |s| {
            let s = match short {
                Some(text) => s.about(text),
                None => s.about(None::<&str>),
            };
            match long {
                Some(text) => s.long_about(text),
                None => s.long_about(None::<&str>),
            }
        });
    }
    cmd
}

fn decorate(cmd: clap::Command, path: &str, lang: Lang) -> clap::Command {
    let names: Vec<String> = cmd.get_subcommands().map(|s| s.get_name().to_string()).collect();
    let mut cmd = cmd.after_help(after_help(path, lang));
    for name in names {
        let sub_path = if path.is_empty() {
            name.clone()
        } else {
            format!("{path} {name}")
        };
        cmd = cmd.mut_subcommand(&name, |s| decorate(s, &sub_path, lang));
    }
    cmd
}

/// Parses the process's arguments; `--help` is in the language of `--lang`, else the system's.
/// The examples and exit-code lists are added only when help is asked for: building them for
/// every command takes a good part of a millisecond, which every run would pay.
pub fn parse() -> Cli {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let help = |kind: clap::error::ErrorKind| {
        use clap::error::ErrorKind::*;
        matches!(kind, DisplayHelp | DisplayHelpOnMissingArgumentOrSubcommand)
    };
    let matches = match Cli::command().try_get_matches_from(&args) {
        Ok(m) => m,
        Err(e) if help(e.kind()) => {
            let lang = lang_in(&args).unwrap_or_else(Lang::detect);
            command(lang).get_matches_from(args)
        }
        Err(e) => e.exit(),
    };
    Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit())
}

/// `--lang zh` or `--lang=en` anywhere on the command line (before clap has parsed it).
fn lang_in(args: &[std::ffi::OsString]) -> Option<Lang> {
    let args: Vec<&str> = args.iter().filter_map(|a| a.to_str()).collect();
    let value = args.iter().enumerate().find_map(|(i, a)| {
        a.strip_prefix("--lang=")
            .or_else(|| (*a == "--lang").then(|| args.get(i + 1).copied()).flatten())
    })?;
    match value {
        "zh" => Some(Lang::Zh),
        "en" => Some(Lang::En),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every command and subcommand, with its path.
    fn all_commands(cmd: &clap::Command, path: &str, out: &mut Vec<(String, clap::Command)>) {
        out.push((path.to_string(), cmd.clone()));
        // `help` is clap's own, added when the tree is built.
        for s in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
            let sub = if path.is_empty() {
                s.get_name().to_string()
            } else {
                format!("{path} {}", s.get_name())
            };
            all_commands(s, &sub, out);
        }
    }

    #[test]
    fn every_option_and_argument_of_every_command_has_a_description() {
        let mut commands = Vec::new();
        all_commands(&command(Lang::En), "", &mut commands);
        let mut missing = Vec::new();
        for (path, cmd) in &commands {
            if !path.is_empty() && cmd.get_about().is_none() {
                missing.push(format!("`{path}` has no description"));
            }
            for arg in cmd.get_arguments() {
                let id = arg.get_id().as_str();
                if id == "help" || id == "version" {
                    continue;
                }
                let text = arg.get_help().map(|h| h.to_string()).unwrap_or_default();
                if text.trim().is_empty() {
                    missing.push(format!("`cmgelog {path}`: `{id}` has no help text"));
                }
            }
        }
        assert!(missing.is_empty(), "{}", missing.join("\n"));
    }

    #[test]
    fn each_command_keeps_its_own_description() {
        let unbuilt = Cli::command();
        let built = command(Lang::En);
        for sub in unbuilt.get_subcommands() {
            let shown = built.find_subcommand(sub.get_name()).unwrap();
            let about = shown.get_about().map(|a| a.to_string()).unwrap_or_default();
            assert!(!about.is_empty(), "`cmgelog {}` has no description", sub.get_name());
            assert_eq!(Some(about), sub.get_about().map(|a| a.to_string()));
        }
        let analyze = built
            .find_subcommand("analyze")
            .unwrap()
            .clone()
            .render_help()
            .to_string();
        assert!(analyze.starts_with("Analyse the logs of one machine"), "{analyze}");
    }

    #[test]
    fn every_command_has_examples_and_its_exit_codes() {
        let mut commands = Vec::new();
        all_commands(&full_command(), "", &mut commands);
        for (path, _) in &commands {
            assert!(
                EXAMPLES.iter().any(|(p, _)| p == path),
                "`cmgelog {path}` has no examples"
            );
            let is_group = commands
                .iter()
                .any(|(p, _)| p.starts_with(&format!("{path} ")) && !path.is_empty());
            assert!(
                is_group || exit_code::table_for(path).is_some(),
                "`cmgelog {path}` is in no exit-code family"
            );
        }
        // And no examples or family of a command that no longer exists.
        for (p, _) in EXAMPLES {
            assert!(
                commands.iter().any(|(c, _)| c == p),
                "examples of unknown command `{p}`"
            );
        }
        for t in exit_code::FAMILIES {
            for c in t.commands {
                assert!(
                    commands.iter().any(|(p, _)| p == c),
                    "exit codes of unknown command `{c}`"
                );
            }
        }
    }

    #[test]
    fn the_top_level_help_names_the_wizard_the_configuration_and_the_password_variable() {
        for lang in [Lang::En, Lang::Zh] {
            let help = command(lang).render_long_help().to_string();
            for want in ["cmgelog.toml", "CMGELOG_PASSWORD", "CMGELOG_CONFIG"] {
                assert!(help.contains(want), "{lang:?}: no {want} in\n{help}");
            }
            let wizard = if lang.is_zh() { "向导" } else { "wizard" };
            assert!(help.contains(wizard), "{help}");
        }
    }

    #[test]
    fn lang_is_read_before_parsing() {
        let args = |v: &[&str]| v.iter().map(std::ffi::OsString::from).collect::<Vec<_>>();
        assert_eq!(
            lang_in(&args(&["cmgelog", "collect", "--help", "--lang", "zh"])),
            Some(Lang::Zh)
        );
        assert_eq!(lang_in(&args(&["cmgelog", "--lang=en", "analyze"])), Some(Lang::En));
        assert_eq!(lang_in(&args(&["cmgelog", "analyze", "--help"])), None);
    }
}
