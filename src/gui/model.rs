//! The window's side of the shared flow (`cmgelog::flow`): each flow step as a [`Screen`],
//! each [`Action`] as a flow [`Input`]. What happens, and every sentence about it, is the
//! flow's; this only picks headings and labels for the window and says when it closes.

use super::screen::{Action, Button, ButtonSpec, Check, Field, Note, NoteKind, Screen, Step, Value};
use super::view::Model;
use cmgelog::flow::{self, Collected, End, Flow, Input, PortalCheck, SaveCause, Step as FlowStep};
use cmgelog::messages::Messages;
use cmgelog::upload::Password;

/// Steps the step line counts: agree, choose, collect, look, upload, done.
const STEPS: u32 = 6;

pub struct WindowFlow {
    flow: Flow,
    /// The window was closed while work ran: close as soon as the work has stopped.
    closing: bool,
    /// The SHA-256 was put on the clipboard.
    copied: bool,
    /// The address last sent for checking (a check is asked when it changes), and the user
    /// name of the upload, shown while it runs.
    checked_url: Option<String>,
    last_user: Option<String>,
}

impl WindowFlow {
    pub fn new(flow: Flow) -> WindowFlow {
        WindowFlow {
            flow,
            closing: false,
            copied: false,
            checked_url: None,
            last_user: None,
        }
    }

    fn msg(&self) -> &Messages {
        self.flow.messages()
    }

    fn step_line(&self, n: u32) -> String {
        self.msg().fill("gui-step", &[("n", &n), ("of", &STEPS)])
    }

    fn button(&self, button: Button, key: &str) -> ButtonSpec {
        ButtonSpec::new(button, self.msg().get(key))
    }

    fn collected_screen(&self, c: &Collected) -> Screen {
        let m = self.msg();
        let mut s = Screen::new(Step::Result);
        s.step_line = self.step_line(4);
        s.heading = m
            .get(if c.interrupted {
                "gui-result-interrupted-heading"
            } else {
                "gui-result-heading"
            })
            .into();
        s.body = m.fill("gui-result", &[("size", &c.size_words)]);
        s.value = Some(self.zip_value(&c.zip, c.can_open_folder));
        s.details = Some((m.get("gui-contents").into(), contents(m, c)));
        if c.interrupted {
            s.note = Some(Note {
                kind: NoteKind::Warning,
                text: m.get("interrupted").into(),
                button: None,
            });
        }
        s.buttons = vec![
            self.button(Button::Upload, "button-upload"),
            self.button(Button::SkipUpload, "button-skip-upload"),
        ];
        s
    }

    fn zip_value(&self, zip: &std::path::Path, can_open: bool) -> Value {
        Value {
            label: self.msg().get("gui-zip").into(),
            value: zip.display().to_string(),
            button: can_open.then(|| self.button(Button::OpenFolder, "button-open-folder")),
        }
    }

    fn end_screen(&self, end: &End) -> Screen {
        let m = self.msg();
        let mut s = Screen::new(Step::End);
        s.step_line = self.step_line(STEPS);
        let close = self.button(Button::Close, "button-close");
        let open = self.button(Button::OpenFolder, "button-open-folder");
        match end {
            End::Uploaded { zip, sha256, location } => {
                s.heading = m.get("gui-uploaded-heading").into();
                s.body = format!(
                    "{}\n\n{}",
                    m.get("gui-uploaded"),
                    m.fill("upload-where", &[("url", &location)])
                );
                let copy = if self.copied { "gui-copied" } else { "button-copy" };
                s.value = Some(Value {
                    label: "SHA-256".into(),
                    value: sha256.clone(),
                    button: Some(self.button(Button::CopySha256, copy)),
                });
                s.details = Some((m.get("gui-zip").into(), zip.display().to_string()));
                s.buttons = vec![close, open];
            }
            End::Saved {
                zip: _,
                cause,
                reason,
                what_to_do,
                can_retry,
            } => {
                s.heading = m.get("gui-saved-heading").into();
                s.body = m.fill("gui-saved-reason", &[("reason", reason)]);
                s.details = Some((m.get("gui-next").into(), what_to_do.clone()));
                if *cause != SaveCause::Skipped {
                    s.note = Some(Note {
                        kind: NoteKind::Info,
                        text: m.get("gui-saved-retry").into(),
                        button: None,
                    });
                }
                s.buttons = vec![close, open];
                if *can_retry {
                    s.buttons.push(self.button(Button::Retry, "button-retry"));
                }
            }
            End::Failed { reason } => {
                s.heading = m.get("gui-failed-heading").into();
                s.body = reason.clone();
                s.buttons = vec![close];
            }
            // These close the window at once (see `finished`); a frame may still be drawn.
            End::Cancelled { message } => {
                s.heading = message.clone();
                s.buttons = vec![close];
            }
            End::RestartedElevated => {
                s.buttons = vec![close];
            }
        }
        s
    }

    fn upload_screen(&self) -> Screen {
        let m = self.msg();
        let mut s = Screen::new(Step::Upload);
        s.step_line = self.step_line(5);
        let field = |key: &str, value: &str, editable: bool| Field {
            label: m.get(key).into(),
            value: value.into(),
            editable,
        };
        let problem = |text: &str| Note {
            kind: NoteKind::Error,
            text: text.into(),
            button: None,
        };
        match self.flow.step() {
            FlowStep::UploadForm(f) => {
                s.heading = m.get("gui-upload-heading").into();
                s.body = m.get("gui-upload-intro").into();
                let checking = f.portal == PortalCheck::Checking;
                s.fields = Some([
                    field("gui-portal", &f.url, f.url_editable && !checking),
                    field("gui-user", &f.user, !checking),
                    field("gui-password", "", !checking),
                ]);
                if checking {
                    s.status = m.get("gui-portal-checking").into();
                }
                s.note = match (&f.portal, &f.problem) {
                    (PortalCheck::Problem(p), _) => Some(problem(p)),
                    (_, Some(p)) => Some(problem(p)),
                    _ => None,
                };
                s.buttons = vec![
                    self.button(Button::Upload, "button-upload").enabled(!checking),
                    self.button(Button::SkipUpload, "button-skip-upload"),
                ];
            }
            FlowStep::Uploading(u) => {
                s.heading = m.get("gui-uploading-heading").into();
                s.body = m.get("gui-upload-intro").into();
                let (url, user) = self.form_values();
                s.fields = Some([
                    field("gui-portal", &url, false),
                    field("gui-user", &user, false),
                    field("gui-password", "", false),
                ]);
                s.progress = Some(if u.total > 0 {
                    u.done as f64 / u.total as f64
                } else {
                    0.0
                });
                s.status = if u.cancelling {
                    m.get("gui-upload-cancelling").into()
                } else {
                    u.status_words.clone()
                };
                s.note = u.notice.as_ref().map(|n| Note {
                    kind: NoteKind::Warning,
                    text: n.clone(),
                    button: None,
                });
                s.buttons = vec![self.button(Button::Cancel, "button-cancel").enabled(!u.cancelling)];
            }
            _ => {}
        }
        s
    }

    /// The address and user the upload runs with (the form is gone while it runs).
    fn form_values(&self) -> (String, String) {
        (
            self.checked_url.clone().unwrap_or_default(),
            self.last_user.clone().unwrap_or_default(),
        )
    }
}

/// "网络信息：3 个文件，12.0 KB" per category, one a line, and the masked keys.
fn contents(m: &Messages, c: &Collected) -> String {
    let mut lines: Vec<String> = c
        .contents
        .iter()
        .map(|row| match &row.none_reason {
            Some(reason) => m.fill("gui-contents-none", &[("name", &row.label), ("reason", reason)]),
            None => {
                let problems = if row.problems > 0 {
                    m.fill("category-problems", &[("n", &row.problems)])
                } else {
                    String::new()
                };
                m.fill(
                    "gui-contents-line",
                    &[
                        ("name", &row.label),
                        ("files", &row.files),
                        ("size", &flow::words::size(row.bytes)),
                        ("problems", &problems),
                    ],
                )
            }
        })
        .collect();
    if c.masked_keys > 0 {
        lines.push(String::new());
        lines.push(m.fill("masked", &[("n", &c.masked_keys)]));
    }
    lines.join("\n")
}

impl Model for WindowFlow {
    fn screen(&self) -> Screen {
        let m = self.msg();
        match self.flow.step() {
            FlowStep::BrokenConfig(b) => {
                let mut s = Screen::new(Step::Problem);
                s.heading = m.get("gui-problem-heading").into();
                s.body = b.summary.clone();
                s.details = Some((String::new(), b.details.clone()));
                s.buttons = vec![self.button(Button::Close, "button-close")];
                s
            }
            FlowStep::Consent => {
                let mut s = Screen::new(Step::Consent);
                s.step_line = self.step_line(1);
                s.heading = m.get("gui-consent-heading").into();
                s.body = m.get("gui-consent").trim().into();
                s.buttons = vec![
                    self.button(Button::Agree, "button-agree"),
                    self.button(Button::Quit, "button-cancel"),
                ];
                s
            }
            FlowStep::Categories(choice) => {
                let mut s = Screen::new(Step::Categories);
                s.step_line = self.step_line(2);
                s.heading = m.get("gui-choose-heading").into();
                s.body = m.get("gui-choose").into();
                s.checks = choice
                    .offered
                    .iter()
                    .map(|o| Check {
                        label: o.label.clone(),
                        checked: o.ticked,
                        enabled: true,
                    })
                    .collect();
                let restart = choice
                    .can_restart_elevated
                    .then(|| self.button(Button::RestartElevated, "button-restart-elevated"));
                s.note = match (&choice.problem, &choice.admin_note) {
                    (Some(p), admin) => Some(Note {
                        kind: NoteKind::Error,
                        text: admin.as_ref().map_or(p.clone(), |a| format!("{p}\n\n{a}")),
                        button: admin.as_ref().and(restart),
                    }),
                    (None, Some(a)) => Some(Note {
                        kind: NoteKind::Warning,
                        text: a.clone(),
                        button: restart,
                    }),
                    (None, None) => None,
                };
                let any = choice.offered.iter().any(|o| o.ticked);
                s.buttons = vec![
                    self.button(Button::Collect, "button-collect").enabled(any),
                    self.button(Button::Quit, "button-cancel"),
                ];
                s
            }
            FlowStep::Collecting(c) => {
                let mut s = Screen::new(Step::Collecting);
                s.step_line = self.step_line(3);
                s.heading = m.get("gui-collecting-heading").into();
                s.body = m.fill("gui-collecting", &[("deadline", &c.deadline_words)]);
                s.progress = Some(if c.total > 0 {
                    c.done as f64 / c.total as f64
                } else {
                    0.0
                });
                s.progress_marquee = c.total == 0;
                let elapsed = flow::words::duration(m, std::time::Duration::from_secs(c.started.elapsed().as_secs()));
                s.status = if c.cancelling {
                    m.get("gui-stopping").into()
                } else {
                    let running = c.running.first().cloned().unwrap_or_default();
                    format!(
                        "{}\n{}",
                        m.fill("gui-running", &[("item", &running)]),
                        m.fill(
                            "gui-count",
                            &[("done", &c.done), ("total", &c.total), ("elapsed", &elapsed)]
                        )
                    )
                };
                s.buttons = vec![self.button(Button::Cancel, "button-cancel").enabled(!c.cancelling)];
                s
            }
            FlowStep::Collected(c) => self.collected_screen(c),
            FlowStep::UploadForm(_) | FlowStep::Uploading(_) => self.upload_screen(),
            FlowStep::Finished(end) => self.end_screen(end),
        }
    }

    fn act(&mut self, action: Action) {
        let input = match action {
            Action::Press(b) => match b {
                Button::Agree => Input::Agree,
                Button::Quit | Button::Cancel => Input::Cancel,
                Button::Collect => Input::Collect,
                Button::RestartElevated => Input::RestartElevated,
                Button::OpenFolder => Input::OpenFolder,
                Button::Upload => Input::StartUpload,
                Button::SkipUpload => Input::SkipUpload,
                Button::Retry => Input::Retry,
                Button::CopySha256 => {
                    self.copied = true;
                    return;
                }
                Button::Close => {
                    self.closing = true;
                    return;
                }
            },
            Action::Toggle { index, .. } => {
                let FlowStep::Categories(choice) = self.flow.step() else {
                    return;
                };
                let Some(o) = choice.offered.get(index) else { return };
                Input::Toggle(o.category)
            }
            Action::UrlEdited { url } => {
                if self.checked_url.as_deref() == Some(url.trim()) || url.trim().is_empty() {
                    return;
                }
                self.checked_url = Some(url.trim().to_string());
                Input::CheckPortal { url }
            }
            Action::Submit { url, user, password } => {
                self.checked_url = Some(url.trim().to_string());
                self.last_user = Some(user.trim().to_string());
                Input::Upload {
                    url,
                    user,
                    password: Password::new(password),
                }
            }
            Action::Close => {
                self.closing = true;
                // Work that runs is stopped (the zip is kept); the window closes when it has.
                if self.flow.busy() {
                    Input::Cancel
                } else {
                    return;
                }
            }
        };
        self.flow.input(input);
        // The flow made the address whole (https:// added): that is the one checked.
        if let FlowStep::UploadForm(f) = self.flow.step() {
            if f.portal == PortalCheck::Checking {
                self.checked_url = Some(f.url.clone());
            }
        }
    }

    fn poll(&mut self) {
        self.flow.pump();
    }

    /// The exit code once the window closes: the collect list of `--help` (`CollectExit`).
    fn finished(&self) -> Option<u8> {
        use cmgelog::exit_code::CollectExit as Exit;
        let exit = match self.flow.step() {
            FlowStep::Finished(End::Cancelled { .. }) => Exit::Declined,
            FlowStep::Finished(End::RestartedElevated) => Exit::Done,
            _ if !self.closing || self.flow.busy() => return None,
            FlowStep::BrokenConfig(_) => Exit::CannotStart,
            FlowStep::Consent | FlowStep::Categories(_) => Exit::Declined,
            FlowStep::Finished(End::Uploaded { .. }) => Exit::Done,
            FlowStep::Finished(End::Saved { cause, .. }) => match cause {
                SaveCause::Skipped => Exit::Done,
                SaveCause::Cancelled => Exit::Interrupted,
                SaveCause::Failed => Exit::UploadFailed,
            },
            FlowStep::Finished(End::Failed { .. }) => Exit::NoZip,
            FlowStep::Collected(c) if c.interrupted => Exit::Interrupted,
            _ => Exit::Done,
        };
        Some(exit.code())
    }
}
