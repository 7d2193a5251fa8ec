//! The end-user wizard: what `cmgelog` does when started with no arguments in a console (a
//! double-click on the .exe, or a Linux terminal). It is a view of [`cmgelog::flow`]: each
//! screen draws the flow's step and forwards the user's answer; the flow does the work, on its
//! own threads, and says everything in the user's language (`locales/*.toml`).
//!
//! 1. What will be collected and why; agree.
//! 2. The categories as checkboxes (only those this OS has), ticked per `cmgelog.toml`; what
//!    will be missing without an administrator.
//! 3. Collection with a progress line naming the item running; Ctrl-C stops it and keeps a
//!    valid zip of what was collected.
//! 4. The zip's path, size and contents, in aligned columns; on Windows the folder opens.
//! 5. Upload: the portal address checked (and reached) before the user name and password; a
//!    wrong password asks again; progress with speed and time left; Ctrl-C stops at once.
//! 6. The end — uploaded with the SHA-256, or saved with the reason and the command that
//!    continues — and the window stays open until Enter, even for a broken `cmgelog.toml`.

mod collecting;
mod end;
mod prompt;
mod result;
mod theme;
mod upload_step;

use cmgelog::config::{Config, ConfigError};
use cmgelog::exit_code::CollectExit;
use cmgelog::flow::{Choice, Flow, Input, Setup, Step};
use cmgelog::i18n::Lang;
use cmgelog::messages::Messages;
use prompt::Prompts;
use std::io::IsTerminal;

pub fn run(config: Result<Config, ConfigError>, lang: Lang) -> CollectExit {
    let msg = Messages::new(lang);
    if !std::io::stdin().is_terminal() || !std::io::stderr().is_terminal() {
        // Started by a script or a remote tool: never wait for a prompt.
        if let Err(e) = &config {
            eprintln!(
                "{}\n{}",
                msg.fill("config-broken", &[("path", &e.path.display())]),
                e.message
            );
            return CollectExit::CannotStart;
        }
        eprintln!("{}", msg.get("no-terminal"));
        return CollectExit::CannotStart;
    }
    let mut setup = Setup::new(config, lang);
    // A replacement spec, as `collect --spec` takes (support engineers, and the tests).
    if let Some(spec) = std::env::var_os("CMGELOG_SPEC") {
        setup = setup.with_spec_file(spec.into());
    }
    let mut flow = Flow::new(setup, None);
    let canceller = flow.canceller();
    // Ctrl-C (and SIGTERM) stop what runs — the collection keeps a valid zip, the upload stops
    // at once — and end the prompt being answered (see `prompt`).
    let _ = ctrlc::set_handler(move || canceller.cancel());
    let prompts = Prompts {
        theme: theme::WizardTheme::new(&msg),
    };
    let code = drive(&mut flow, &prompts);
    eprintln!("\n{}", msg.get("press-enter"));
    let mut line = String::new();
    let _ = std::io::stdin().read_line(&mut line);
    code
}

/// Shows each step until the end; returns the exit code.
fn drive(flow: &mut Flow, prompts: &Prompts) -> CollectExit {
    loop {
        let step = flow.step().clone();
        match step {
            Step::BrokenConfig(b) => return end::broken_config(&b),
            Step::Consent => consent(flow, prompts),
            Step::Categories(choice) => categories(flow, prompts, &choice),
            Step::Collecting(_) => collecting::watch(flow),
            Step::Collected(c) => result::show(flow, prompts, &c),
            Step::UploadForm(_) => upload_step::form(flow, prompts),
            Step::Uploading(_) => upload_step::watch(flow),
            Step::Finished(e) => return end::show(&e, flow.messages()),
        }
    }
}

fn consent(flow: &mut Flow, prompts: &Prompts) {
    let msg = flow.messages();
    eprintln!("{}\n", msg.fill("title", &[("version", &env!("CARGO_PKG_VERSION"))]));
    eprintln!("{}\n", msg.get("intro").trim());
    let input = match prompts.confirm(msg.get("agree-ask"), true) {
        Some(true) => Input::Agree,
        _ => Input::Cancel,
    };
    flow.input(input);
}

fn categories(flow: &mut Flow, prompts: &Prompts, choice: &Choice) {
    let msg = flow.messages();
    if let Some(problem) = &choice.problem {
        eprintln!("{problem}");
    }
    let items: Vec<(String, bool)> = choice.offered.iter().map(|o| (o.label.clone(), o.ticked)).collect();
    let Some(picked) = prompts.checklist(msg.get("choose"), &items) else {
        flow.input(Input::Cancel);
        return;
    };
    for (i, o) in choice.offered.iter().enumerate() {
        if o.ticked != picked.contains(&i) {
            flow.input(Input::Toggle(o.category));
        }
    }
    // The note for what was ticked, before it starts.
    if let Step::Categories(now) = flow.step() {
        if let (Some(note), false) = (&now.admin_note, picked.is_empty()) {
            eprintln!("{note}\n");
        }
    }
    flow.input(Input::Collect);
}
