//! `cmgelog explain CODE...`: what an error code means, what to do, and which rules detect it.
//!
//! Exit code: [`ExplainExit`], the worst of the arguments'.

mod json;
mod text;

use super::{rules_cmd, Format, RuleOptions};
use cmgelog::exit_code::ExplainExit;
use cmgelog::i18n::Lang;
use cmgelog::knowledge::{parse_setup_code, Code, CodeInfo, ExtendCode, Knowledge, Via};
use cmgelog::rules::Rule;
use std::io::Write as _;

#[derive(clap::Args, Debug)]
#[command(allow_negative_numbers = true)]
pub struct ExplainArgs {
    /// Error codes: 0xC004F074, C004F074, 3221549172, -1073418124, 0xC1900101-0x20017.
    #[arg(required = true, value_name = "CODE")]
    pub codes: Vec<String>,
    /// text: for a terminal; json: for scripts; md: to paste into a ticket.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// The rules whose detection is listed, and whose `[[code]]` tables are explained too
    /// (default: the built-in rules).
    #[command(flatten)]
    pub rules: RuleOptions,
}

/// What one argument turned out to be.
enum Outcome<'k> {
    Known(Explained<'k>),
    Unknown(Explained<'k>),
    NotACode(String),
}

/// A well-formed code, with its entry if the knowledge base has one.
struct Explained<'k> {
    code: Code,
    extend: Option<ExtendCode>,
    entry: Option<(&'k CodeInfo, Via)>,
    rules: Vec<&'k Rule>,
}

impl Outcome<'_> {
    fn exit(&self) -> ExplainExit {
        match self {
            Outcome::Known(_) => ExplainExit::Known,
            Outcome::Unknown(_) => ExplainExit::Unknown,
            Outcome::NotACode(_) => ExplainExit::NotACode,
        }
    }
}

pub fn run(args: &ExplainArgs, lang: Lang) -> ExplainExit {
    let set = match rules_cmd::load(&args.rules) {
        Ok(set) => set,
        Err(e) => {
            rules_cmd::report_load_error(&e, lang);
            return ExplainExit::NotACode;
        }
    };
    // The built-in table with the codes the rule files define.
    let knowledge = set.knowledge();
    let knowledge = &knowledge;
    let rules = set.rules;
    let outcomes: Vec<Outcome> = args.codes.iter().map(|a| explain(a, knowledge, &rules)).collect();

    for o in &outcomes {
        if let Outcome::NotACode(input) = o {
            eprintln!("{}", not_a_code_message(input, lang));
        }
    }
    let out = match args.format {
        Format::Json => json::render(&args.codes, &outcomes, lang),
        Format::Text | Format::Md => {
            let md = args.format == Format::Md;
            let blocks: Vec<String> = outcomes
                .iter()
                .filter_map(|o| match o {
                    Outcome::Known(e) | Outcome::Unknown(e) => Some(text::render(e, knowledge, lang, md)),
                    Outcome::NotACode(_) => None,
                })
                .collect();
            blocks.join("\n")
        }
    };
    // anstream keeps colours only on a terminal; a closed pipe (`| head`) is not an error.
    let mut stdout = anstream::stdout();
    let _ = stdout.write_all(out.as_bytes()).and_then(|_| stdout.flush());
    outcomes.iter().map(Outcome::exit).max().unwrap_or(ExplainExit::Known)
}

fn explain<'k>(arg: &str, knowledge: &'k Knowledge, rules: &'k [Rule]) -> Outcome<'k> {
    // A code as people type it, or a pasted log line read by the analyzer's own recogniser
    // (`HRESULT=800F0922`, `hr = -1073418124`): its first code.
    let parsed =
        parse_setup_code(arg).or_else(|| cmgelog::knowledge::line_codes(arg).first().map(|c| (c.code, c.extend)));
    let Some((code, extend)) = parsed else {
        return Outcome::NotACode(arg.to_string());
    };
    let entry = knowledge.lookup_how(code, extend);
    // Rules name HRESULTs; a Win32 number is detected under its HRESULT.
    let wanted: Vec<u32> = [Some(code), entry.map(|(i, _)| i.code)]
        .into_iter()
        .flatten()
        .map(|c| c.0)
        .collect();
    let detecting = rules
        .iter()
        .filter(|r| r.codes().iter().any(|c| wanted.contains(c)))
        .collect();
    let e = Explained {
        code,
        extend,
        entry,
        rules: detecting,
    };
    if entry.is_some() {
        Outcome::Known(e)
    } else {
        Outcome::Unknown(e)
    }
}

fn not_a_code_message(input: &str, lang: Lang) -> String {
    let shown = printable(input);
    match lang {
        Lang::Zh => format!(
            "「{shown}」不是错误代码。可用的写法：0xC004F074、C004F074、3221549172、-1073418124、0xC1900101-0x20017。"
        ),
        Lang::En => format!(
            "'{shown}' is not an error code. Accepted forms: 0xC004F074, C004F074, 3221549172, -1073418124, 0xC1900101-0x20017."
        ),
    }
}

/// Arguments come from anyone's clipboard: control characters are shown escaped, so they
/// cannot move the cursor or recolour the terminal.
fn printable(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(printable("ab\u{1b}[31m"), "ab\\u{1b}[31m");
        assert_eq!(printable("错误"), "错误");
    }
}
