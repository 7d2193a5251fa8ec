//! `cmgelog spec lint` and `cmgelog config check`: the declarative files checked alone, every
//! problem printed with file:line:column; exit codes: [`CheckExit`].

use super::output::outln;
use cmgelog::config::Config;
use cmgelog::exit_code::CheckExit;
use cmgelog::i18n::Lang;
use cmgelog::rules::{render_diagnostics, Diagnostic};
use std::path::{Path, PathBuf};

pub fn lint(paths: &[PathBuf], lang: Lang) -> CheckExit {
    if paths.is_empty() {
        let builtin = [
            (
                "builtin:windows (specs/windows.toml)",
                include_str!("../../specs/windows.toml"),
            ),
            (
                "builtin:linux (specs/linux.toml)",
                include_str!("../../specs/linux.toml"),
            ),
        ];
        let found: Vec<Diagnostic> = builtin
            .iter()
            .flat_map(|(name, text)| cmgelog::collect::spec_lint::lint(name, text))
            .collect();
        return report(&found, builtin.len(), 0, lang);
    }
    check_files(paths, lang, cmgelog::collect::spec_lint::lint)
}

pub fn check_config(paths: &[PathBuf], lang: Lang) -> CheckExit {
    if paths.is_empty() {
        let existing: Vec<PathBuf> = Config::search_paths().into_iter().filter(|p| p.exists()).collect();
        if existing.is_empty() {
            let looked: Vec<String> = Config::search_paths().iter().map(|p| p.display().to_string()).collect();
            outln!(
                "{}",
                if lang.is_zh() {
                    format!("没有配置文件（查找了：{}）；使用默认设置。", looked.join("，"))
                } else {
                    format!(
                        "no configuration file (looked for {}); the defaults apply",
                        looked.join(", ")
                    )
                }
            );
            return CheckExit::Clean;
        }
        return check_files(&existing, lang, cmgelog::config_check::check);
    }
    check_files(paths, lang, cmgelog::config_check::check)
}

fn check_files(paths: &[PathBuf], lang: Lang, check: fn(&str, &str) -> Vec<Diagnostic>) -> CheckExit {
    let mut found = Vec::new();
    let mut unreadable = 0;
    for path in paths {
        match read(path) {
            Ok(text) => found.extend(check(&path.display().to_string(), &text)),
            Err(e) => {
                unreadable += 1;
                eprintln!(
                    "{}",
                    if lang.is_zh() {
                        format!("错误：无法读取 {}：{e}", path.display())
                    } else {
                        format!("error: cannot read {}: {e}", path.display())
                    }
                );
            }
        }
    }
    report(&found, paths.len(), unreadable, lang)
}

fn read(path: &Path) -> std::io::Result<String> {
    let text = std::fs::read_to_string(path)?;
    Ok(text.trim_start_matches('\u{feff}').to_string())
}

fn report(found: &[Diagnostic], files: usize, unreadable: usize, lang: Lang) -> CheckExit {
    eprint!("{}", render_diagnostics(found));
    let line = match (lang.is_zh(), found.len()) {
        (true, 0) => format!("{files} 个文件，没有问题。"),
        (true, n) => format!("{files} 个文件中有 {n} 处问题。"),
        (false, 0) => format!("{files} file(s), no problem."),
        (false, n) => format!("{n} problem(s) in {files} file(s)."),
    };
    if found.is_empty() && unreadable == 0 {
        outln!("{line}");
    } else {
        eprintln!("{line}");
    }
    if unreadable > 0 {
        CheckExit::CannotRun
    } else if found.is_empty() {
        CheckExit::Clean
    } else {
        CheckExit::Problems
    }
}
