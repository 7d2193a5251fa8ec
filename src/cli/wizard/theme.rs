//! dialoguer's colourful theme, with a yes/no question in the user's language: the keys to
//! press and the answer (the theme itself writes "(y/n)" and "yes"/"no"). Every prompt the
//! wizard uses is delegated.

use cmgelog::messages::Messages;
use dialoguer::theme::{ColorfulTheme, Theme};
use std::fmt;

pub struct WizardTheme {
    inner: ColorfulTheme,
    yes: String,
    no: String,
    keys: String,
}

impl WizardTheme {
    pub fn new(msg: &Messages) -> WizardTheme {
        WizardTheme {
            inner: ColorfulTheme::default(),
            yes: msg.get("yes").to_string(),
            no: msg.get("no").to_string(),
            keys: msg.get("confirm-keys").to_string(),
        }
    }
}

impl Theme for WizardTheme {
    fn format_prompt(&self, f: &mut dyn fmt::Write, prompt: &str) -> fmt::Result {
        self.inner.format_prompt(f, prompt)
    }
    fn format_error(&self, f: &mut dyn fmt::Write, err: &str) -> fmt::Result {
        self.inner.format_error(f, err)
    }
    fn format_confirm_prompt(&self, f: &mut dyn fmt::Write, prompt: &str, _default: Option<bool>) -> fmt::Result {
        // The keys in words instead of the theme's "(y/n)"; Enter takes the default.
        self.inner.format_prompt(f, &format!("{prompt} {}", self.keys))
    }
    fn format_confirm_prompt_selection(
        &self,
        f: &mut dyn fmt::Write,
        prompt: &str,
        selection: Option<bool>,
    ) -> fmt::Result {
        // The colourful theme's own line, with our word for the answer.
        let answer = selection.map(|b| if b { &self.yes } else { &self.no });
        self.inner
            .format_input_prompt_selection(f, prompt, answer.map_or("", String::as_str))
    }
    fn format_input_prompt(&self, f: &mut dyn fmt::Write, prompt: &str, default: Option<&str>) -> fmt::Result {
        self.inner.format_input_prompt(f, prompt, default)
    }
    fn format_input_prompt_selection(&self, f: &mut dyn fmt::Write, prompt: &str, sel: &str) -> fmt::Result {
        self.inner.format_input_prompt_selection(f, prompt, sel)
    }
    fn format_password_prompt(&self, f: &mut dyn fmt::Write, prompt: &str) -> fmt::Result {
        self.inner.format_password_prompt(f, prompt)
    }
    fn format_password_prompt_selection(&self, f: &mut dyn fmt::Write, prompt: &str) -> fmt::Result {
        self.inner.format_password_prompt_selection(f, prompt)
    }
    fn format_multi_select_prompt(&self, f: &mut dyn fmt::Write, prompt: &str) -> fmt::Result {
        self.inner.format_multi_select_prompt(f, prompt)
    }
    fn format_multi_select_prompt_selection(
        &self,
        f: &mut dyn fmt::Write,
        prompt: &str,
        selections: &[&str],
    ) -> fmt::Result {
        self.inner.format_multi_select_prompt_selection(f, prompt, selections)
    }
    fn format_multi_select_prompt_item(
        &self,
        f: &mut dyn fmt::Write,
        text: &str,
        checked: bool,
        active: bool,
    ) -> fmt::Result {
        self.inner.format_multi_select_prompt_item(f, text, checked, active)
    }
}
