//! A stand-in model until the shared flow (src/flow) is merged: the consent and category steps
//! and the configuration problem, enough to open, photograph and drive the window.

use super::screen::{Action, Button, ButtonSpec, Check, Note, NoteKind, Screen, Step};
use super::view::{Model, Waker};
use cmgelog::collect::Category;
use cmgelog::config::{Config, ConfigError};
use cmgelog::i18n::Lang;
use cmgelog::messages::Messages;

pub struct Wizard {
    msg: Messages,
    lang: Lang,
    problem: Option<ConfigError>,
    step: Step,
    chosen: Vec<bool>,
    elevated: bool,
    done: Option<u8>,
    _waker: Waker,
}

impl Wizard {
    pub fn new(config: Result<Config, ConfigError>, lang: Lang, waker: Waker) -> Wizard {
        let (config, problem) = match config {
            Ok(c) => (c, None),
            Err(e) => (Config::default(), Some(e)),
        };
        let preset = config.categories.clone().unwrap_or_else(|| Category::ALL.to_vec());
        Wizard {
            msg: Messages::new(lang),
            lang,
            step: if problem.is_some() { Step::Problem } else { Step::Consent },
            problem,
            chosen: Category::ALL.iter().map(|c| preset.contains(c)).collect(),
            elevated: cmgelog::collect::platform::elevated(),
            done: None,
            _waker: waker,
        }
    }
}

impl Model for Wizard {
    fn screen(&self) -> Screen {
        let m = &self.msg;
        let mut s = Screen::new(self.step);
        let n = match self.step {
            Step::Consent => 1,
            Step::Categories => 2,
            _ => 3,
        };
        if self.step != Step::Problem {
            s.step_line = m.fill("gui-step", &[("n", &n), ("of", &6)]);
        }
        match self.step {
            Step::Consent => {
                s.heading = m.get("gui-consent-heading").into();
                s.body = m.get("gui-consent").trim().into();
                s.buttons = vec![
                    ButtonSpec::new(Button::Agree, m.get("gui-agree")),
                    ButtonSpec::new(Button::Quit, m.get("gui-cancel")),
                ];
            }
            Step::Categories => {
                s.heading = m.get("gui-choose-heading").into();
                s.body = m.get("gui-choose").into();
                s.checks = Category::ALL
                    .iter()
                    .zip(&self.chosen)
                    .map(|(c, &checked)| Check {
                        label: c.label(self.lang).into(),
                        checked,
                        enabled: true,
                    })
                    .collect();
                if !self.elevated {
                    s.note = Some(Note {
                        kind: NoteKind::Warning,
                        text: m.fill("gui-not-admin", &[("items", &"…")]),
                        button: Some(ButtonSpec::new(Button::RestartElevated, m.get("gui-restart-admin"))),
                    });
                }
                s.buttons = vec![
                    ButtonSpec::new(Button::Collect, m.get("gui-collect")).enabled(self.chosen.iter().any(|&c| c)),
                    ButtonSpec::new(Button::Quit, m.get("gui-cancel")),
                ];
            }
            _ => {
                s.heading = m.get("gui-problem-heading").into();
                if let Some(p) = &self.problem {
                    s.body = m.fill("config-error", &[("path", &p.path.display()), ("error", &"")]);
                    s.details = Some((String::new(), p.message.clone()));
                }
                s.buttons = vec![ButtonSpec::new(Button::Close, m.get("gui-close"))];
            }
        }
        s
    }

    fn act(&mut self, action: Action) {
        match action {
            Action::Press(Button::Agree) => self.step = Step::Categories,
            Action::Toggle { index, checked } => self.chosen[index] = checked,
            Action::Press(Button::Quit | Button::Close) | Action::Close => self.done = Some(4),
            _ => {}
        }
    }

    fn finished(&self) -> Option<u8> {
        self.done
    }
}
