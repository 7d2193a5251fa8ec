//! `cmgelog rules lint | list | test`.

use super::output::outln;
use super::{RuleOptions, RulesCommand};
use cmgelog::i18n::Lang;
use cmgelog::rules::{render_diagnostics, LoadError, RuleSet};
use cmgelog::rules_test;

pub fn run(command: RulesCommand, lang: Lang) -> u8 {
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

fn lint(path: Option<&std::path::Path>, lang: Lang) -> u8 {
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
            // Where each rule looks: a code read where it means something else is a wrong cause.
            for r in &set.rules {
                let places = cmgelog::rules::scope::describe(r);
                if !places.is_empty() {
                    outln!("  {:<28} {}", r.id, places.join("; "));
                }
            }
            0
        }
        Err(e) => {
            report_load_error(&e, lang);
            1
        }
    }
}

fn list(opts: &RuleOptions, lang: Lang) -> u8 {
    match load(opts) {
        Ok(set) => {
            for r in &set.rules {
                outln!("{:<28} {:<9} {}", r.id, r.severity.name(), r.title.get(lang));
            }
            0
        }
        Err(e) => {
            report_load_error(&e, lang);
            2
        }
    }
}

fn test(path: &std::path::Path, lang: Lang) -> u8 {
    let set = match RuleSet::from_path(path) {
        Ok(s) => s,
        Err(e) => {
            report_load_error(&e, lang);
            return 2;
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
    u8::from(report.failed() > 0)
}
