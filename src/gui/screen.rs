//! What the window shows at one moment, and what the user did: the only two things the view
//! and the flow exchange. The view draws a [`Screen`] (it decides where things go, not what
//! they say) and turns clicks and keys into [`Action`]s.

/// The step; each has its own arrangement of controls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Consent,
    Categories,
    Collecting,
    Result,
    Upload,
    End,
    /// Something that stops the flow before it starts (a broken cmgelog.toml).
    Problem,
}

impl Step {
    /// The name the test trace uses.
    pub fn id(self) -> &'static str {
        match self {
            Step::Consent => "consent",
            Step::Categories => "categories",
            Step::Collecting => "collecting",
            Step::Result => "result",
            Step::Upload => "upload",
            Step::End => "end",
            Step::Problem => "problem",
        }
    }
}

/// Something the user did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// A footer or inline button, by what it does.
    Press(Button),
    /// Category checkbox `index` (in the order of [`Screen::checks`]) is now `checked`.
    Toggle { index: usize, checked: bool },
    /// The portal address was typed and the field left (the flow checks it at once).
    UrlEdited { url: String },
    /// The upload form was submitted with these values.
    Submit {
        url: String,
        user: String,
        password: String,
    },
    /// The window's close box, Alt+F4.
    Close,
}

/// What a button does; the flow gives each its label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Button {
    Agree,
    Quit,
    Collect,
    RestartElevated,
    Cancel,
    OpenFolder,
    Upload,
    /// Leave the upload form without uploading.
    SkipUpload,
    CopySha256,
    /// Back to the upload form after an upload that did not go through.
    Retry,
    Close,
}

impl Button {
    pub fn id(self) -> &'static str {
        match self {
            Button::Agree => "agree",
            Button::Quit => "quit",
            Button::Collect => "collect",
            Button::RestartElevated => "restart-elevated",
            Button::Cancel => "cancel",
            Button::OpenFolder => "open-folder",
            Button::Upload => "upload",
            Button::SkipUpload => "skip-upload",
            Button::CopySha256 => "copy-sha256",
            Button::Retry => "retry",
            Button::Close => "close",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    pub label: String,
    pub checked: bool,
    pub enabled: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ButtonSpec {
    pub button: Button,
    pub label: String,
    pub enabled: bool,
}

impl ButtonSpec {
    pub fn new(button: Button, label: &str) -> ButtonSpec {
        ButtonSpec {
            button,
            label: label.to_string(),
            enabled: true,
        }
    }
    pub fn enabled(mut self, enabled: bool) -> ButtonSpec {
        self.enabled = enabled;
        self
    }
}

/// An edit box of the upload form.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Field {
    pub label: String,
    pub value: String,
    pub editable: bool,
}

/// A read-only value the user may select and copy (the zip's path, the SHA-256), with an
/// optional button beside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Value {
    pub label: String,
    pub value: String,
    pub button: Option<ButtonSpec>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoteKind {
    Info,
    Warning,
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub kind: NoteKind,
    pub text: String,
    /// A button under the note (restart as administrator).
    pub button: Option<ButtonSpec>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Screen {
    pub step: Step,
    /// "Step 2 of 6", small, above the heading.
    pub step_line: String,
    pub heading: String,
    /// The step's explanation, wrapped.
    pub body: String,
    pub checks: Vec<Check>,
    /// A progress bar filled to this fraction (0 to 1)...
    pub progress: Option<f64>,
    /// ...or, while the total is not known yet, one that only shows something moves.
    pub progress_marquee: bool,
    /// One line under the bar: the item running, or speed and time left.
    pub status: String,
    pub value: Option<Value>,
    /// A scrolling read-only box (contents per category, the configuration error).
    pub details: Option<(String, String)>,
    /// Portal address, user name, password (the password's value is never given back).
    pub fields: Option<[Field; 3]>,
    pub note: Option<Note>,
    /// Footer buttons, left to right, aligned right; the first enabled one is the default
    /// (Enter), the one that is [`Button::Cancel`], [`Button::Quit`], [`Button::SkipUpload`]
    /// or [`Button::Close`] answers Esc.
    pub buttons: Vec<ButtonSpec>,
}

impl Screen {
    pub fn new(step: Step) -> Screen {
        Screen {
            step,
            step_line: String::new(),
            heading: String::new(),
            body: String::new(),
            checks: Vec::new(),
            progress: None,
            progress_marquee: false,
            status: String::new(),
            value: None,
            details: None,
            fields: None,
            note: None,
            buttons: Vec::new(),
        }
    }
}
