//! The wizard's questions, each ending in an answer or `None` when the user pressed Ctrl-C
//! (or the terminal went away). console raises SIGINT on Ctrl-C while it reads a key — the
//! wizard's handler turns that into a cancel — and the prompt returns an error with the cursor
//! still hidden: it is shown again here, whatever the prompt was.

use super::theme::WizardTheme;
use dialoguer::console::Term;
use dialoguer::{Confirm, Input, MultiSelect, Password};

pub struct Prompts {
    pub theme: WizardTheme,
}

impl Prompts {
    pub fn confirm(&self, prompt: &str, default: bool) -> Option<bool> {
        restore(
            Confirm::with_theme(&self.theme)
                .with_prompt(prompt)
                .default(default)
                .interact(),
        )
    }

    pub fn text(&self, prompt: &str, initial: &str) -> Option<String> {
        let mut input = Input::<String>::with_theme(&self.theme)
            .with_prompt(prompt)
            .allow_empty(true);
        if !initial.is_empty() {
            input = input.with_initial_text(initial);
        }
        restore(input.interact_text()).map(|s| s.trim().to_string())
    }

    pub fn password(&self, prompt: &str) -> Option<String> {
        restore(Password::with_theme(&self.theme).with_prompt(prompt).interact())
    }

    /// Indexes of the items ticked.
    pub fn checklist(&self, prompt: &str, items: &[(String, bool)]) -> Option<Vec<usize>> {
        let items: Vec<(&str, bool)> = items.iter().map(|(s, t)| (s.as_str(), *t)).collect();
        restore(
            MultiSelect::with_theme(&self.theme)
                .with_prompt(prompt)
                .items_checked(items)
                .interact_opt(),
        )
        .flatten()
    }
}

fn restore<T>(answer: dialoguer::Result<T>) -> Option<T> {
    match answer {
        Ok(v) => Some(v),
        Err(_) => {
            let term = Term::stderr();
            let _ = term.show_cursor();
            let _ = term.write_line("");
            None
        }
    }
}
