//! The wizard's upload: portal address (from the configuration), user name, password without
//! echo, progress, and a clear end: uploaded with the sha256 to give support, or saved with
//! the reason and the command to retry. A wrong password asks again instead of giving up.

use super::super::upload::{protocol_named, Display, ProtocolArg};
use super::theme::WizardTheme;
use cmgelog::config::Config;
use cmgelog::i18n::Lang;
use cmgelog::messages::Messages;
use cmgelog::upload::{self, ErrorClass, Options, Password, Protocol};
use dialoguer::{Input, Password as PasswordPrompt};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Wrong passwords accepted before the wizard stops asking.
const ATTEMPTS: u32 = 3;

/// `cancel` is the flag the wizard's Ctrl-C handler sets: it stops the upload at once.
pub fn run(
    zip: &Path,
    config: &Config,
    msg: &Messages,
    lang: Lang,
    theme: &WizardTheme,
    cancel: &Arc<AtomicBool>,
) -> u8 {
    let Some(url) = portal_address(zip, config, msg, lang, theme) else {
        return 5;
    };
    let mut user = ask(theme, msg.get("user"), config.portal.user.as_deref());
    let mut attempt = 1;
    loop {
        let password = PasswordPrompt::with_theme(theme)
            .with_prompt(msg.get("password"))
            .interact()
            .unwrap_or_default();
        let mut opts = Options::new(zip.to_path_buf(), url.clone(), user.clone());
        // A Ctrl-C pressed during the collection or a prompt is not a cancel of this upload.
        cancel.store(false, Ordering::SeqCst);
        opts.cancel = Some(cancel.clone());
        opts.case_id = config.case_id.clone();
        opts.protocol = match protocol_named(config.portal.protocol.as_deref()) {
            ProtocolArg::Auto => Protocol::Auto,
            ProtocolArg::Tus => Protocol::Tus,
            ProtocolArg::Multipart => Protocol::Multipart,
            ProtocolArg::Put => Protocol::Put,
        };
        eprintln!("{}", msg.get("uploading"));
        let mut display = Display::new(false, lang);
        let result = upload::upload(&opts, &Password::new(password), &mut |p| display.show(p));
        display.finish();
        match result {
            Ok(o) => {
                eprintln!("\n{}", msg.fill("uploaded", &[("sha256", &o.sha256)]));
                eprintln!("{}", msg.fill("upload-where", &[("url", &o.location)]));
                return 0;
            }
            Err(e) if e.class() == ErrorClass::Auth && attempt < ATTEMPTS => {
                eprintln!("\n{}", msg.get("auth-retry"));
                user = ask(theme, msg.get("user"), Some(&user));
                attempt += 1;
            }
            Err(e) if e.class() == ErrorClass::Cancelled => {
                let command = format!("cmgelog upload \"{}\" --url {url} --user {user}", zip.display());
                eprintln!(
                    "\n{}",
                    msg.fill("upload-cancelled", &[("path", &zip.display()), ("command", &command)])
                );
                return super::super::upload::exit_code(&e);
            }
            Err(e) => {
                let command = format!("cmgelog upload \"{}\" --url {url} --user {user}", zip.display());
                eprintln!(
                    "\n{}",
                    msg.fill(
                        "upload-failed",
                        &[
                            ("error", &e.message().get(lang)),
                            ("path", &zip.display()),
                            ("command", &command)
                        ]
                    )
                );
                return super::super::upload::exit_code(&e);
            }
        }
    }
}

/// The portal address, checked as typed (`https://` added when missing) and the server asked
/// whether it is there, before the user name and password are asked for. `None` when the user
/// gives up (the zip stays where it is, and the message says so).
fn portal_address(zip: &Path, config: &Config, msg: &Messages, lang: Lang, theme: &WizardTheme) -> Option<String> {
    let mut initial = config.portal.url.clone();
    loop {
        let typed = ask(theme, msg.get("portal-url"), initial.as_deref());
        let problem = match upload::portal::normalise(&typed) {
            Err(e) => e,
            Ok(url) => {
                eprintln!("{}", msg.fill("portal-checking", &[("url", &url)]));
                match upload::portal::present(&url, None, None) {
                    Ok(()) => return Some(url.to_string()),
                    Err(e) => e,
                }
            }
        };
        eprintln!(
            "{}",
            msg.fill("portal-problem", &[("error", &problem.message().get(lang))])
        );
        let again = dialoguer::Confirm::with_theme(theme)
            .with_prompt(msg.get("portal-again"))
            .default(true)
            .interact()
            .unwrap_or(false);
        if !again {
            eprintln!("{}", msg.fill("not-uploaded", &[("path", &zip.display())]));
            return None;
        }
        initial = Some(typed);
    }
}

fn ask(theme: &WizardTheme, prompt: &str, initial: Option<&str>) -> String {
    let mut input = Input::<String>::with_theme(theme).with_prompt(prompt);
    if let Some(v) = initial.filter(|v| !v.is_empty()) {
        input = input.with_initial_text(v);
    }
    input.interact_text().unwrap_or_default().trim().to_string()
}
