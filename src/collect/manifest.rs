//! `manifest.json`, the first thing an engineer or a script reads in a bundle: what was asked
//! for, what happened to every item, and where its output is.
//!
//! # Schema `cmgelog-manifest/1`
//!
//! ```json
//! {
//!   "schema": "cmgelog-manifest/1",
//!   "tool": { "name": "cmgelog", "version": "0.1.0" },
//!   "host": "PC-0042", "user": "zhang", "elevated": false,
//!   "os": { "family": "windows", "name": "...", "version": "...",
//!           "console_code_page": 936, "oem_code_page": 936 },
//!   "spec": "builtin:windows",
//!   "started": "2026-12-02T16:00:00+08:00", "ended": "...",
//!   "deadline_s": 600, "deadline_reached": false, "interrupted": false,
//!   "categories": ["network", "hardware"],
//!   "not_applicable": ["group-policy"],
//!   "items": [ {
//!     "id": "net.ipconfig", "category": "network", "kind": "command",
//!     "source": ["ipconfig", "/all"],
//!     "status": "ok", "reason": null, "exit_code": 0,
//!     "started": "...", "duration_ms": 120,
//!     "bytes": 4711, "source_bytes": 4711, "sha256": "…", "encoding": "gb18030",
//!     "masked_keys": 0, "path": "network/ipconfig-all.txt"
//!   } ]
//! }
//! ```
//!
//! - `categories`: the categories chosen; `not_applicable`: chosen ones the spec has no item
//!   for on this OS (a Linux machine has no group policy).
//! - One item row per spec item; a `files` item has one row per file copied (same `id`,
//!   `source` the file's path), or one `not-found` row when nothing matched.
//! - `source`: the argv (array) of a command, or a path / pattern (string).
//! - `status`: `ok`, `failed` (non-zero exit, error), `timeout` (killed at its timeout; the
//!   partial output is kept), `not-found` (no such command or file), `access-denied`,
//!   `skipped` (`reason`: `deadline`, `needs administrator`, `interrupted`), `truncated`
//!   (more than the size cap; the tail is kept), `interrupted` (killed by Ctrl-C or the
//!   global deadline; partial output kept).
//! - `bytes` / `sha256` / `encoding`: of the file as stored in the zip (after key masking);
//!   `source_bytes`: what the source produced before the cap; `encoding` as detected
//!   (`UTF-8`, `UTF-16LE`, `gb18030`, `binary`); `path`: the file in the zip, or null.
//! - `masked_keys`: product keys replaced by `*****-*****-*****-*****-ABCDE` in this file.
//!
//! New keys may be added within version 1; a key is never removed or changed in meaning
//! without a new schema version.

use super::category::Category;
use serde::Serialize;

pub const SCHEMA: &str = "cmgelog-manifest/1";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Ok,
    Failed,
    Timeout,
    NotFound,
    AccessDenied,
    Skipped,
    Truncated,
    Interrupted,
}

impl Status {
    /// The id the manifest writes (`not-found`).
    pub fn id(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Failed => "failed",
            Status::Timeout => "timeout",
            Status::NotFound => "not-found",
            Status::AccessDenied => "access-denied",
            Status::Skipped => "skipped",
            Status::Truncated => "truncated",
            Status::Interrupted => "interrupted",
        }
    }

    pub fn collected(self) -> bool {
        matches!(self, Status::Ok | Status::Truncated)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Manifest {
    pub schema: &'static str,
    pub tool: Tool,
    pub host: String,
    pub user: String,
    pub elevated: bool,
    pub os: OsInfo,
    pub spec: String,
    pub started: String,
    pub ended: String,
    pub deadline_s: u64,
    pub deadline_reached: bool,
    pub interrupted: bool,
    pub categories: Vec<Category>,
    pub not_applicable: Vec<Category>,
    pub items: Vec<ItemRow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Tool {
    pub name: &'static str,
    pub version: &'static str,
}

impl Default for Tool {
    fn default() -> Self {
        Tool {
            name: "cmgelog",
            version: env!("CARGO_PKG_VERSION"),
        }
    }
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct OsInfo {
    pub family: &'static str,
    pub name: Option<String>,
    pub version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub console_code_page: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub oem_code_page: Option<u32>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum ItemSource {
    Argv(Vec<String>),
    Path(String),
}

#[derive(Debug, Clone, Serialize)]
pub struct ItemRow {
    pub id: String,
    pub category: Category,
    pub kind: &'static str,
    pub source: ItemSource,
    pub status: Status,
    pub reason: Option<String>,
    pub exit_code: Option<i32>,
    pub started: String,
    pub duration_ms: u64,
    pub bytes: u64,
    pub source_bytes: u64,
    pub sha256: Option<String>,
    pub encoding: Option<String>,
    pub masked_keys: usize,
    pub path: Option<String>,
}
