//! What a view forwards: the user's clicks and keys, and the results of background work.

use crate::collect::{self, Category, CollectError};
use crate::upload::{self, Password, UploadError};

/// A user action. An input that makes no sense at the current step is ignored
/// ([`super::Flow::input`] returns false).
#[derive(Debug)]
pub enum Input {
    /// Consent: go on to the categories.
    Agree,
    /// Consent / categories: end. Collecting: stop, keeping a valid zip of what is collected.
    /// Upload form: the zip is saved, not uploaded. Uploading: stop at once, keep the zip.
    Cancel,
    /// Categories: tick or untick one.
    Toggle(Category),
    /// Categories: start collecting the ticked ones.
    Collect,
    /// Categories (Windows, not elevated): start an elevated copy and end this one.
    RestartElevated,
    /// Collected and later: show the zip in the file manager.
    OpenFolder,
    /// Collected: go to the upload form.
    StartUpload,
    /// Collected / upload form: end with the zip saved, not uploaded.
    SkipUpload,
    /// Upload form: normalise and check the address (a short request, before any password is
    /// asked). Views call it when the address was typed; `Upload` checks it too if needed.
    CheckPortal { url: String },
    /// Upload form: upload to `url` (checked first if it was not) as `user`.
    Upload {
        url: String,
        user: String,
        password: Password,
    },
    /// Saved after an upload was tried: back to the upload form.
    Retry,
}

/// What the worker threads report. Views do not make these; they reach the flow through its
/// channel and are applied by [`super::Flow::pump`] / [`super::Flow::wait`].
#[derive(Debug)]
pub enum Event {
    CollectBegan {
        total: usize,
    },
    ItemStarted {
        id: String,
    },
    ItemFinished {
        id: String,
    },
    CollectEnded(Box<Result<collect::Outcome, CollectError>>),
    PortalChecked {
        url: String,
        result: Result<(), UploadError>,
    },
    UploadProgress(upload::Progress),
    UploadEnded(Result<upload::Outcome, UploadError>),
    /// From a [`super::Canceller`] (Ctrl-C): treated as [`Input::Cancel`].
    CancelRequested,
}
