//! The upload screens. The form: the portal address (typed, or fixed by `cmgelog.toml`)
//! checked and reached before anything else is asked, then the user name and the password
//! without echo; after a wrong password, the user name and password again. The progress: a bar
//! with what was sent, the speed and the time left, a line per retry, Ctrl-C to stop.

use super::prompt::Prompts;
use cmgelog::flow::{Flow, Input, PortalCheck, Step, UploadForm};
use cmgelog::upload::Password;
use indicatif::{ProgressBar, ProgressStyle};
use std::time::Duration;

/// Asks until the upload starts or the user gives up.
pub fn form(flow: &mut Flow, prompts: &Prompts) {
    if let Some(problem) = form_of(flow).and_then(|f| f.problem.clone()) {
        eprintln!("\n{problem}");
    }
    loop {
        let Some(f) = form_of(flow).cloned() else { return };
        let msg = flow.messages();
        match &f.portal {
            PortalCheck::Unchecked => {
                let Some(url) = address(flow, prompts, &f) else {
                    flow.input(Input::Cancel);
                    return;
                };
                flow.input(Input::CheckPortal { url });
                if let Some(f) = form_of(flow).filter(|f| f.portal == PortalCheck::Checking) {
                    eprintln!("{}", flow.messages().fill("portal-checking", &[("url", &f.url)]));
                }
            }
            PortalCheck::Checking => {
                flow.wait(Duration::from_millis(100));
            }
            PortalCheck::Problem(problem) => {
                eprintln!("{problem}");
                let again = if f.url_editable { "portal-again" } else { "portal-retry" };
                if prompts.confirm(msg.get(again), true) != Some(true) {
                    flow.input(Input::Cancel);
                    return;
                }
                let url = if f.url_editable {
                    match prompts.text(msg.get("portal-url"), &f.url) {
                        Some(u) => u,
                        None => {
                            flow.input(Input::Cancel);
                            return;
                        }
                    }
                } else {
                    f.url.clone()
                };
                flow.input(Input::CheckPortal { url });
            }
            PortalCheck::Reachable => {
                let credentials = prompts
                    .text(msg.get("user"), &f.user)
                    .and_then(|user| Some((user, prompts.password(msg.get("password"))?)));
                let input = match credentials {
                    Some((user, password)) => Input::Upload {
                        url: f.url.clone(),
                        user,
                        password: Password::new(password),
                    },
                    None => Input::Cancel,
                };
                flow.input(input);
                return;
            }
        }
    }
}

fn form_of(flow: &Flow) -> Option<&UploadForm> {
    match flow.step() {
        Step::UploadForm(f) => Some(f),
        _ => None,
    }
}

/// The address: asked when the user may change it, else shown as `cmgelog.toml` sets it.
fn address(flow: &Flow, prompts: &Prompts, f: &UploadForm) -> Option<String> {
    let msg = flow.messages();
    if f.url_editable {
        prompts.text(msg.get("portal-url"), &f.url)
    } else {
        eprintln!("{}", msg.fill("portal-fixed", &[("url", &f.url)]));
        Some(f.url.clone())
    }
}

pub fn watch(flow: &mut Flow) {
    eprintln!("{}", flow.messages().get("uploading"));
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{spinner} [{bar:30}] {wide_msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.enable_steady_tick(Duration::from_millis(200));
    let mut last_notice = None;
    while let Step::Uploading(u) = flow.step() {
        bar.set_length(u.total.max(1));
        bar.set_position(u.done);
        if u.notice.is_some() && u.notice != last_notice {
            bar.println(u.notice.clone().unwrap_or_default());
            last_notice = u.notice.clone();
        }
        let line = if u.cancelling {
            flow.messages().get("upload-cancelling").to_string()
        } else {
            u.status_words.clone()
        };
        bar.set_message(line);
        flow.wait(Duration::from_millis(100));
    }
    bar.finish_and_clear();
}
