//! Per-input and per-entry read errors. They are data, not control flow: the reader records
//! them and goes on, and the report prints them in the user's language.

use serde::Serialize;
use std::fmt;

/// One thing that could not be read. `path` names the input, and `entry` the member inside it
/// when the input is a zip or a folder.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ReadError {
    pub input: String,
    pub entry: Option<String>,
    pub line: Option<usize>,
    #[serde(flatten)]
    pub kind: ReadErrorKind,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(tag = "code", rename_all = "kebab-case")]
pub enum ReadErrorKind {
    /// The file could not be opened or read (permission, missing, I/O).
    Io { detail: String },
    /// A file whose content starts like a zip (or is named `.zip`) but is no readable zip.
    NotAZip { detail: String },
    /// The archive has more entries than the cap.
    TooManyEntries { count: usize, limit: usize },
    /// One entry is larger than the per-entry cap (declared or actually inflated).
    EntryTooLarge { limit: u64 },
    /// Inflating stopped because the whole input exceeded the total cap.
    TotalTooLarge { limit: u64 },
    /// An entry name that escapes the bundle (`../x`, absolute paths).
    UnsafeName,
    /// Several entries of the archive have this name; only the last one could be read (zip
    /// readers index entries by name).
    DuplicateName,
    /// The entry inflates to more than `limit` times its compressed size (a zip bomb).
    CompressionRatio { limit: u64 },
    /// A line (the error's `line`, the first of them) is longer than the line cap; such lines
    /// were cut to the cap and the rest of the document read.
    LineTooLong { limit: usize },
    /// Encrypted entries cannot be read without a password.
    Encrypted,
    /// The entry's compressed data is damaged.
    Corrupt { detail: String },
    /// The entry was read but one of the parsers rejected part of it.
    Parse { detail: String },
    /// Part of an event log is damaged (a bad chunk or record); the readable records before
    /// and after it were analysed. `part` says which in both languages (locales/*.toml
    /// `events-*`); `detail` is the parser's English message.
    DamagedEvents {
        detail: String,
        #[serde(skip)]
        part: crate::i18n::Localized,
    },
    /// The input holds no file at all (an empty folder, an empty zip), or only empty files.
    Empty,
    /// No file of the input is in a format this tool reads (binary data, or text that is no
    /// known output or log): nothing can be said about the machine from it.
    NotAnalysed { binary: usize, text: usize },
}

impl ReadErrorKind {
    /// The stable kebab-case code (`not-a-zip`, `damaged-events`...), as in the JSON reports.
    pub fn code(&self) -> String {
        serde_json::to_value(self)
            .ok()
            .and_then(|v| v.get("code").and_then(|c| c.as_str().map(str::to_string)))
            .unwrap_or_else(|| "unknown".into())
    }
}

impl ReadError {
    pub fn new(input: impl Into<String>, entry: Option<String>, kind: ReadErrorKind) -> Self {
        ReadError {
            input: input.into(),
            entry,
            line: None,
            kind,
        }
    }

    /// Where the problem is, as `input[!entry][:line]`.
    pub fn location(&self) -> String {
        let mut s = self.input.clone();
        if let Some(e) = &self.entry {
            s.push('!');
            s.push_str(e);
        }
        if let Some(l) = self.line {
            s.push_str(&format!(":{l}"));
        }
        s
    }

    /// The message in Chinese (`zh = true`) or English.
    pub fn message(&self, zh: bool) -> String {
        use ReadErrorKind::*;
        let mib = |b: &u64| b / (1024 * 1024);
        match (&self.kind, zh) {
            (Io { detail }, true) => format!("无法读取文件：{detail}"),
            (Io { detail }, false) => format!("cannot read the file: {detail}"),
            (NotAZip { detail }, true) => format!("不是有效的 zip 压缩包（{detail}）"),
            (NotAZip { detail }, false) => format!("not a valid zip archive ({detail})"),
            (TooManyEntries { count, limit }, true) => {
                format!("压缩包含 {count} 个条目，超过上限 {limit}，未分析")
            }
            (TooManyEntries { count, limit }, false) => {
                format!("the archive has {count} entries, more than the limit of {limit}; not analysed")
            }
            (EntryTooLarge { limit }, true) => format!("条目超过 {} MiB 上限，已跳过", mib(limit)),
            (EntryTooLarge { limit }, false) => {
                format!("entry larger than the {} MiB limit; skipped", mib(limit))
            }
            (TotalTooLarge { limit }, true) => {
                format!("解压总量超过 {} MiB 上限，其余条目已跳过", mib(limit))
            }
            (TotalTooLarge { limit }, false) => format!(
                "total uncompressed size exceeds the {} MiB limit; remaining entries skipped",
                mib(limit)
            ),
            (UnsafeName, true) => "条目名称指向压缩包之外（路径穿越），已跳过".to_string(),
            (UnsafeName, false) => "entry name points outside the archive (path traversal); skipped".to_string(),
            (DuplicateName, true) => "压缩包中有多个同名条目，只读取了最后一个".to_string(),
            (DuplicateName, false) => "several entries have this name; only the last one was read".to_string(),
            (CompressionRatio { limit }, true) => {
                format!("条目解压后超过压缩大小的 {limit} 倍（疑似 zip 炸弹），已跳过")
            }
            (CompressionRatio { limit }, false) => {
                format!("entry inflates to more than {limit} times its compressed size (a zip bomb?); skipped")
            }
            (LineTooLong { limit }, true) => {
                format!("行长超过 {} KiB 上限，超出部分未分析（其余内容已分析）", limit / 1024)
            }
            (LineTooLong { limit }, false) => format!(
                "line longer than the {} KiB limit; the rest of the line was not analysed (the other lines were)",
                limit / 1024
            ),
            (Encrypted, true) => "条目已加密，无法读取，已跳过".to_string(),
            (Encrypted, false) => "entry is encrypted and cannot be read; skipped".to_string(),
            (Corrupt { detail }, true) => format!("条目数据损坏：{detail}"),
            (Corrupt { detail }, false) => format!("entry data is damaged: {detail}"),
            (Parse { detail }, true) => format!("内容无法解析：{detail}"),
            (Parse { detail }, false) => format!("content could not be parsed: {detail}"),
            // The parser's message is English: the Chinese report names the part in words.
            (DamagedEvents { part, .. }, true) => {
                format!("事件日志部分损坏（{}），已跳过损坏部分，其余记录已分析", part.zh)
            }
            (Empty, true) => "输入为空（没有文件，或只有空文件），未分析".to_string(),
            (Empty, false) => "the input is empty (no file, or only empty files); nothing was analysed".to_string(),
            (NotAnalysed { binary, text }, true) => format!(
                "未分析：没有本工具能识别的文件（{binary} 个二进制文件，{text} 个无法识别的文本文件），无法据此判断本机的问题"
            ),
            (NotAnalysed { binary, text }, false) => format!(
                "not analysed: no file in a format this tool reads ({binary} binary, {text} unrecognised text); nothing can be said about the machine from it"
            ),
            (DamagedEvents { detail, part }, false) => {
                format!(
                    "event log partly damaged ({}); the damaged part was skipped, the other records were analysed: {detail}",
                    part.en
                )
            }
        }
    }
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location(), self.message(false))
    }
}
