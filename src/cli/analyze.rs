//! `cmgelog analyze INPUT... [--out FILE]`.

use super::{output, rules_cmd, AnalyzeArgs, AnalyzeFormat};
use cmgelog::analysis;
use cmgelog::exit_code::AnalysisExit;
use cmgelog::i18n::Lang;
use cmgelog::report;
use std::io::Write;

pub fn run(args: &AnalyzeArgs, lang: Lang) -> AnalysisExit {
    let rules = match rules_cmd::load(&args.rules) {
        Ok(r) => r,
        Err(e) => {
            rules_cmd::report_load_error(&e, lang);
            return AnalysisExit::Unreadable;
        }
    };
    let a = analysis::analyze(&args.inputs, &rules, &args.limits.limits());
    let text = match args.format {
        AnalyzeFormat::Text => report::text::render(&a, lang),
        AnalyzeFormat::Json => report::json::render(&a, lang),
        AnalyzeFormat::Md => report::markdown::render(&a, lang),
        AnalyzeFormat::Html => report::html::render(&a, lang),
    };
    if let Some(path) = &args.out {
        // A file holds no terminal colours (only the text report has any).
        let plain = match args.format {
            AnalyzeFormat::Text => anstream::adapter::strip_str(&text).to_string(),
            _ => text,
        };
        if let Err(e) = std::fs::write(path, plain) {
            output::error(
                lang,
                &format!("无法写入 {}", path.display()),
                &format!("cannot write {}", path.display()),
                e,
            );
            return AnalysisExit::Unreadable;
        }
        return a.exit();
    }
    // anstream keeps colours only on a terminal; a closed pipe (`| head`) is not an error.
    let mut out = anstream::stdout();
    let _ = out.write_all(text.as_bytes()).and_then(|_| out.flush());
    a.exit()
}
