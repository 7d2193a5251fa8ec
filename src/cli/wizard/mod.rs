//! The end-user wizard: what `cmgelog` does when started with no arguments (a double-click on
//! the .exe opens a console window and lands here).
//!
//! 1. What will be collected and why.
//! 2. The categories as checkboxes, all ticked (or those of `cmgelog.toml`).
//! 3. Collection with a progress bar, after a warning when not elevated.
//! 4. The zip's path, size and contents; on Windows the folder opens with the zip selected.
//! 5. "Upload now?" with the portal from the configuration, user name, password without
//!    echo, and a retry prompt on a wrong password.
//! 6. The window stays open until Enter.
//!
//! The texts are in `locales/*.toml`; nothing here prints a Rust error.

mod result;
mod theme;
mod upload_step;

use super::collect::{admin_items, duration_text, Bar};
use cmgelog::collect::{self, Category};
use cmgelog::config::Config;
use cmgelog::messages::Messages;
use dialoguer::{Confirm, MultiSelect};
use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use theme::WizardTheme;

pub fn run(config: &Config, msg: &Messages, lang: cmgelog::i18n::Lang) -> u8 {
    if !std::io::stdin().is_terminal() || !std::io::stderr().is_terminal() {
        // Started by a script or a remote tool: never wait for a prompt.
        eprintln!("{}", msg.get("no-terminal"));
        return 2;
    }
    let code = wizard(config, msg, lang);
    wait_for_enter(msg);
    code
}

fn wizard(config: &Config, msg: &Messages, lang: cmgelog::i18n::Lang) -> u8 {
    let theme = WizardTheme::new(msg);
    eprintln!("{}\n", msg.fill("title", &[("version", &env!("CARGO_PKG_VERSION"))]));
    eprintln!("{}\n", msg.get("intro").trim());

    let Some(categories) = choose_categories(config, msg, lang, &theme) else {
        return 4;
    };
    let deadline = config
        .deadline
        .as_deref()
        .and_then(|d| humantime::parse_duration(d).ok())
        .unwrap_or(Duration::from_secs(600));
    if !collect::platform::elevated() {
        let missing = admin_items(None, &categories, lang);
        if !missing.is_empty() {
            eprintln!("{}\n", msg.fill("not-admin", &[("items", &missing.join(", "))]));
        }
    }
    eprintln!(
        "{}",
        msg.fill("collecting", &[("deadline", &duration_text(deadline, lang))])
    );
    let cancel = Arc::new(AtomicBool::new(false));
    {
        let cancel = cancel.clone();
        let _ = ctrlc::set_handler(move || cancel.store(true, Ordering::SeqCst));
    }
    let opts = collect::Options {
        categories,
        out_dir: collect::platform::default_out_dir(),
        deadline,
        spec: None,
        jobs: 4,
        activation_log_dirs: config.activation_log_dirs.clone(),
    };
    let bar = Bar::new(true);
    let outcome = collect::collect(&opts, &cancel, &bar);
    bar.done();
    let outcome = match outcome {
        Ok(o) => o,
        Err(e) => {
            eprintln!("{}", msg.fill("collect-failed", &[("error", &e.message(msg))]));
            return 3;
        }
    };
    result::show(&outcome, msg, lang);
    // The Explorer window is the user's to close; nothing to wait for.
    let _ = collect::platform::reveal_in_file_manager(&outcome.zip);

    let ask = Confirm::with_theme(&theme)
        .with_prompt(msg.get("upload-ask"))
        .default(config.portal.url.is_some())
        .interact()
        .unwrap_or(false);
    if !ask {
        eprintln!("{}", msg.fill("not-uploaded", &[("path", &outcome.zip.display())]));
        return 0;
    }
    upload_step::run(&outcome.zip, config, msg, lang, &theme, &cancel)
}

fn choose_categories(
    config: &Config,
    msg: &Messages,
    lang: cmgelog::i18n::Lang,
    theme: &WizardTheme,
) -> Option<Vec<Category>> {
    let preset = config.categories.clone().unwrap_or_else(|| Category::ALL.to_vec());
    // Only what the spec for this OS collects (no group policy on Linux): a category offered,
    // ticked and then silently dropped would mislead.
    let offered: Vec<Category> = match collect::load_spec(None) {
        Ok((_, spec)) => {
            let supported = spec.categories();
            Category::ALL
                .iter()
                .copied()
                .filter(|c| supported.contains(c))
                .collect()
        }
        Err(_) => Category::ALL.to_vec(),
    };
    let items: Vec<(&str, bool)> = offered.iter().map(|c| (c.label(lang), preset.contains(c))).collect();
    loop {
        let picked = MultiSelect::with_theme(theme)
            .with_prompt(msg.get("choose"))
            .items_checked(items.iter().copied())
            .interact_opt()
            .ok()??;
        if picked.is_empty() {
            eprintln!("{}", msg.get("none-chosen"));
            continue;
        }
        return Some(picked.into_iter().map(|i| offered[i]).collect());
    }
}

/// Waits for Enter when a person is at the console (a double-clicked window).
pub fn wait_if_interactive(msg: &Messages) {
    if std::io::stdin().is_terminal() && std::io::stderr().is_terminal() {
        wait_for_enter(msg);
    }
}

fn wait_for_enter(msg: &Messages) {
    eprintln!("\n{}", msg.get("press-enter"));
    let mut line = String::new();
    let _ = std::io::stdin().read_line(&mut line);
}
