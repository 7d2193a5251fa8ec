//! What a view draws: the step the flow is at and everything that step shows, already in the
//! user's language where it is text. Views read these; only the flow changes them.

use crate::collect::Category;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// Where the user is in the flow.
#[derive(Debug, Clone)]
pub enum Step {
    /// A `cmgelog.toml` that cannot be used: shown until the user closes the view (a window
    /// that vanished at once would leave nobody the wiser).
    BrokenConfig(BrokenConfig),
    /// What is collected and why, with the privacy note: agree or cancel.
    Consent,
    /// The categories as checkboxes.
    Categories(Choice),
    /// Collection running on a worker thread.
    Collecting(Collecting),
    /// The zip is written: where, how big, what is in it.
    Collected(Collected),
    /// Portal address, user name, password.
    UploadForm(UploadForm),
    /// Upload running on a worker thread.
    Uploading(Uploading),
    /// The end; the view shows it until the user closes.
    Finished(End),
}

#[derive(Debug, Clone)]
pub struct BrokenConfig {
    /// "配置文件 … 第 3 行有误，…": the file and the lines, in the user's language.
    pub summary: String,
    /// The checker's report: each problem with file:line:column, the line quoted and marked.
    pub details: String,
}

#[derive(Debug, Clone)]
pub struct Choice {
    /// Only categories the spec for this OS has items for, in the old tool's order.
    pub offered: Vec<Offered>,
    /// When not elevated and something ticked needs an administrator: what will be missing,
    /// in words, and how to get it.
    pub admin_note: Option<String>,
    /// Whether [`super::Input::RestartElevated`] can work here (Windows, not elevated).
    pub can_restart_elevated: bool,
    /// Why the last `Collect` was not accepted (nothing ticked), or why a restart failed.
    pub problem: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offered {
    pub category: Category,
    /// The name the old tool's checkbox had (组策略信息, 网络信息, …).
    pub label: String,
    pub ticked: bool,
}

#[derive(Debug, Clone)]
pub struct Collecting {
    /// Items in the run (0 until the spec is expanded).
    pub total: usize,
    pub done: usize,
    /// The items running now, oldest first, named "category · item id": the progress line
    /// shows the one running, never the one that just finished.
    pub running: Vec<String>,
    pub started: Instant,
    /// The whole run ends within this; `deadline_words` says it ("10 分钟").
    pub deadline: Duration,
    pub deadline_words: String,
    /// Cancel was asked: running items are being stopped and the zip completed.
    pub cancelling: bool,
}

#[derive(Debug, Clone)]
pub struct Collected {
    pub zip: PathBuf,
    pub size: u64,
    /// "106.2 KB".
    pub size_words: String,
    /// One row per category chosen that applies on this OS.
    pub contents: Vec<CategoryContents>,
    /// Product keys masked in the zip's files.
    pub masked_keys: usize,
    /// Cancelled or deadline: the zip holds what was collected until then.
    pub interrupted: bool,
    /// Whether [`super::Input::OpenFolder`] shows the zip in a file manager here.
    pub can_open_folder: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CategoryContents {
    pub category: Category,
    pub label: String,
    pub files: usize,
    pub bytes: u64,
    /// Items that failed, timed out, were denied or skipped (a tool missing on this machine
    /// is not a problem).
    pub problems: usize,
    /// When nothing was collected: why, in words ("已跳过：需要管理员权限").
    pub none_reason: Option<String>,
}

#[derive(Debug, Clone)]
pub struct UploadForm {
    pub zip: PathBuf,
    /// The portal address as it will be used (with `https://` added when it had no scheme).
    pub url: String,
    /// False when `cmgelog.toml` sets the address: support chose it, the user does not edit it.
    pub url_editable: bool,
    pub user: String,
    pub portal: PortalCheck,
    /// Why the last attempt did not upload (wrong password, …), to show above the form.
    pub problem: Option<String>,
    /// Wrong passwords so far; at [`super::WRONG_PASSWORDS`] the flow ends with the zip saved.
    pub wrong_passwords: u32,
}

/// Whether the portal answered (any HTTP answer counts: the address is right and reachable).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PortalCheck {
    Unchecked,
    Checking,
    Reachable,
    /// What is wrong, in words, and what to do.
    Problem(String),
}

#[derive(Debug, Clone)]
pub struct Uploading {
    pub zip: PathBuf,
    pub phase: UploadPhase,
    /// Bytes hashed or sent so far, of `total`.
    pub done: u64,
    pub total: u64,
    /// Measured over the last seconds; `None` until there is enough to measure.
    pub bytes_per_sec: Option<f64>,
    pub time_left: Option<Duration>,
    /// "1.2 MB / 5.0 MB，每秒 800 KB，剩余约 5 秒": ready for a status line.
    pub status_words: String,
    /// The last retry notice ("连接失败（服务器拒绝连接），2 秒后第 1/8 次重试").
    pub notice: Option<String>,
    pub cancelling: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UploadPhase {
    /// Checking the portal and the credentials.
    Connecting,
    /// Computing the SHA-256 (before sending, so that support can check it).
    Hashing,
    Sending,
}

/// How the flow ended.
#[derive(Debug, Clone)]
pub enum End {
    /// The portal has the zip; `sha256` is what the user tells support.
    Uploaded {
        zip: PathBuf,
        sha256: String,
        location: String,
    },
    /// The zip is on disk but not uploaded: skipped, failed or cancelled during the upload.
    Saved {
        zip: PathBuf,
        cause: SaveCause,
        /// Why, in plain words ("上传已取消", "无法连接到门户：服务器拒绝连接").
        reason: String,
        /// What to do next, with the zip's path and, after an upload was tried, the exact
        /// command that resumes it.
        what_to_do: String,
        /// Whether [`super::Input::Retry`] goes back to the upload form.
        can_retry: bool,
    },
    /// Cancelled before a zip existed (at the consent or the categories).
    Cancelled { message: String },
    /// No zip could be written (output folder, disk full).
    Failed { reason: String },
    /// An elevated copy was started; this one should close.
    RestartedElevated,
}

/// Why the zip was not uploaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SaveCause {
    /// The user chose not to upload.
    Skipped,
    /// The user cancelled the upload.
    Cancelled,
    /// The upload failed (or the password was wrong too often).
    Failed,
}
