//! `cmgelog analyze INPUT...`.

use super::{rules_cmd, AnalyzeArgs, AnalyzeFormat};
use cmgelog::analysis;
use cmgelog::i18n::Lang;
use cmgelog::report;
use std::io::Write;

pub fn run(args: &AnalyzeArgs, lang: Lang) -> u8 {
    let rules = match rules_cmd::load(&args.rules) {
        Ok(r) => r,
        Err(e) => {
            rules_cmd::report_load_error(&e, lang);
            return 2;
        }
    };
    let a = analysis::analyze(&args.inputs, &rules, &args.limits.limits());
    let text = match args.format {
        AnalyzeFormat::Text => report::text::render(&a, lang),
        AnalyzeFormat::Json => report::json::render(&a, lang),
        AnalyzeFormat::Md => report::markdown::render(&a, lang),
        AnalyzeFormat::Html => report::html::render(&a, lang),
    };
    // anstream keeps colours only on a terminal; a closed pipe (`| head`) is not an error.
    let mut out = anstream::stdout();
    let _ = out.write_all(text.as_bytes()).and_then(|_| out.flush());
    a.exit_code()
}
