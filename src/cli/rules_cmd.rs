//! `cmgelog rules lint | list | test`.

use super::output::outln;
use super::{RuleOptions, RulesCommand};
use cmgelog::exit_code::CheckExit;
use cmgelog::i18n::Lang;
use cmgelog::rules::{render_diagnostics, LoadError, RuleSet};
use cmgelog::rules_test;

pub fn run(command: RulesCommand, lang: Lang) -> CheckExit {
    match command {
        RulesCommand::Lint { path } => lint(path.as_deref(), lang),
        RulesCommand::List { rules } => list(&rules, lang),
        RulesCommand::Test { path } => test(&path, lang),
    }
}

/// Loads the rules the options ask for: built-in, plus or instead of `--rules` paths.
pub fn load(opts: &RuleOptions) -> Result<RuleSet, LoadError> {
    let mut set = if opts.no_default_rules {
        RuleSet::default()
    } else {
        RuleSet::builtin()?
    };
    let mut diagnostics = Vec::new();
    for p in &opts.paths {
        match RuleSet::from_path(p) {
            Ok(extra) => set.extend(extra),
            Err(e) => diagnostics.extend(e.diagnostics),
        }
    }
    if diagnostics.is_empty() {
        Ok(set)
    } else {
        Err(LoadError { diagnostics })
    }
}

/// Prints rule-file diagnostics to stderr.
pub fn report_load_error(e: &LoadError, lang: Lang) {
    eprint!("{}", render_diagnostics(&e.diagnostics));
    eprintln!(
        "{}",
        if lang.is_zh() {
            format!("规则文件有 {} 处错误，未进行分析。", e.diagnostics.len())
        } else {
            format!(
                "{} problem(s) in the rule files; nothing was analysed.",
                e.diagnostics.len()
            )
        }
    );
}

fn lint(path: Option<&std::path::Path>, lang: Lang) -> CheckExit {
    let loaded = match path {
        Some(p) => RuleSet::from_path(p),
        None => RuleSet::builtin(),
    };
    match loaded {
        Ok(set) => {
            outln!(
                "{}",
                if lang.is_zh() {
                    format!("{} 条规则，没有问题。", set.rules.len())
                } else {
                    format!("{} rules, no problems.", set.rules.len())
                }
            );
            if !set.codes.is_empty() {
                let codes: Vec<String> = set.codes.iter().map(|c| c.code.to_string()).collect();
                outln!(
                    "{}",
                    if lang.is_zh() {
                        format!("规则文件定义的错误代码：{}", codes.join("、"))
                    } else {
                        format!("error codes defined by the rule files: {}", codes.join(", "))
                    }
                );
            }
            // Where each rule looks: a code read where it means something else is a wrong cause.
            for r in &set.rules {
                let places = cmgelog::rules::scope::describe(r);
                if !places.is_empty() {
                    outln!("  {:<28} {}", r.id, places.join("; "));
                }
            }
            CheckExit::Clean
        }
        Err(e) => {
            report_load_error(&e, lang);
            CheckExit::Problems
        }
    }
}

fn list(opts: &RuleOptions, lang: Lang) -> CheckExit {
    match load(opts) {
        Ok(set) => {
            for r in &set.rules {
                outln!("{:<28} {:<9} {}", r.id, r.severity.name(), r.title().get(lang));
            }
            CheckExit::Clean
        }
        Err(e) => {
            report_load_error(&e, lang);
            CheckExit::CannotRun
        }
    }
}

fn test(path: &std::path::Path, lang: Lang) -> CheckExit {
    // Outside the source tree there is no ./rules: say what the command needs, not "No such
    // file or directory".
    let fixtures = path.join("fixtures");
    if !fixtures.is_dir() {
        let shown = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        let shown = shown.display();
        eprintln!(
            "{}",
            if lang.is_zh() {
                format!(
                    "cmgelog: 规则样例测试需要一个规则文件夹，其中有 fixtures/<规则编号>/positive/ 和 negative/ 样例；\
                     {shown} 中没有 fixtures 文件夹。请在源代码目录中运行（默认使用 ./rules），或指定规则文件夹：\n  cmgelog rules test <规则文件夹>"
                )
            } else {
                format!(
                    "cmgelog: rules test needs a rules folder holding fixtures/<rule id>/positive/ and negative/ cases; \
                     there is no fixtures folder in {shown}. Run it in the source tree (the default is ./rules) or name the folder:\n  cmgelog rules test <rules folder>"
                )
            }
        );
        return CheckExit::CannotRun;
    }
    let set = match RuleSet::from_path(path) {
        Ok(s) => s,
        Err(e) => {
            report_load_error(&e, lang);
            return CheckExit::CannotRun;
        }
    };
    let report = rules_test::run(&set, path);
    for c in &report.cases {
        let expect = match c.expect {
            rules_test::Expect::Fires => "fires",
            rules_test::Expect::Silent => "silent",
        };
        let status = if c.passed { "ok  " } else { "FAIL" };
        outln!("{status} {:<28} {expect:<6} {}", c.rule, c.case.display());
        if !c.passed {
            outln!("     fired: [{}]", c.fired.join(", "));
        }
    }
    for (rule, which) in &report.missing {
        outln!("FAIL {rule:<28} has no {which} fixture");
    }
    outln!("rules test: {} passed, {} failed", report.passed(), report.failed());
    if report.failed() > 0 {
        CheckExit::Problems
    } else {
        CheckExit::Clean
    }
}
