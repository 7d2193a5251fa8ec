//! Everything the flow says, composed from `locales/*.toml`: durations and sizes as people say
//! them, categories by their old names, what is lost without an administrator, and every
//! failure (I/O, network, portal) in plain words with what to do. No English from the OS or
//! a library reaches a Chinese user through here.

use crate::collect::{spec::Action, spec::Task, Category, CollectError, Status};
use crate::messages::Messages;
use crate::upload::error::network_kind;
use crate::upload::UploadError;
use std::path::Path;
use std::time::Duration;

/// The name the old tool's checkbox had (`category-network` = 网络信息).
pub fn category(msg: &Messages, c: Category) -> String {
    msg.get(&format!("category-{}", c.id())).to_string()
}

/// `10 分钟`, `1 分钟 30 秒` / `10 min`, `1 min 30 s`: never `10m`.
pub fn duration(msg: &Messages, d: Duration) -> String {
    let secs = d.as_secs();
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    let mut parts = Vec::new();
    if h > 0 {
        parts.push(msg.fill("duration-h", &[("n", &h)]));
    }
    if m > 0 {
        parts.push(msg.fill("duration-min", &[("n", &m)]));
    }
    if s > 0 || parts.is_empty() {
        parts.push(msg.fill("duration-s", &[("n", &s)]));
    }
    parts.join(" ")
}

/// `512 B`, `1.5 KB`, `5.0 MB`: the units are the same in both languages.
pub fn size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["B", "KB", "MB", "GB"];
    let mut v = bytes as f64;
    let mut u = 0;
    while v >= 1024.0 && u < UNITS.len() - 1 {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{bytes} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}

/// What the chosen categories lose without an administrator, as `硬件信息（dmidecode）`: the
/// category and the tool, never an item id.
pub fn admin_losses(msg: &Messages, tasks: &[Task]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for t in tasks.iter().filter(|t| t.needs_admin) {
        let tool = match &t.action {
            Action::Command { argv, .. } => Path::new(&argv[0])
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| argv[0].clone()),
            _ => t.zip_path.rsplit('/').next().unwrap_or(&t.zip_path).to_string(),
        };
        let item = msg.fill(
            "admin-item",
            &[("category", &category(msg, t.category)), ("tool", &tool)],
        );
        if !out.contains(&item) {
            out.push(item);
        }
    }
    out
}

/// The note shown when not elevated and something ticked needs an administrator.
pub fn admin_note(msg: &Messages, losses: &[String], can_restart: bool) -> Option<String> {
    if losses.is_empty() {
        return None;
    }
    let how = if can_restart {
        "not-admin-restart"
    } else if cfg!(windows) {
        "not-admin-windows"
    } else {
        "not-admin-unix"
    };
    let items = losses.join(msg.get("list-separator"));
    Some(format!(
        "{}{}",
        msg.fill("not-admin-missing", &[("items", &items)]),
        msg.get(how)
    ))
}

/// A manifest status and reason in words: `已跳过：需要管理员权限`.
pub fn item_status(msg: &Messages, status: Status, reason: Option<&str>) -> String {
    let status_words = msg.get(&format!("status-{}", status.id())).to_string();
    let why = match reason {
        Some("needs administrator") => Some("reason-needs-admin"),
        Some("deadline") => Some("reason-deadline"),
        Some("interrupted") => Some("reason-interrupted"),
        _ => None,
    };
    match why {
        Some(key) if status == Status::Skipped => format!("{status_words}{}{}", msg.get("colon"), msg.get(key)),
        _ => status_words,
    }
}

/// An I/O error as the user's words: the kind when it is a common one, else the OS's code
/// (which support can look up) rather than its English text.
pub fn io_error(msg: &Messages, e: &std::io::Error) -> String {
    use std::io::ErrorKind as K;
    let key = match e.kind() {
        K::PermissionDenied => "io-permission-denied",
        K::NotFound => "io-not-found",
        K::StorageFull => "io-storage-full",
        K::ReadOnlyFilesystem => "io-read-only",
        K::AlreadyExists => "io-exists",
        _ => "",
    };
    if key.is_empty() {
        let code = e.raw_os_error().map_or_else(|| "-".to_string(), |c| c.to_string());
        msg.fill("io-other", &[("code", &code)])
    } else {
        msg.get(key).to_string()
    }
}

/// Why no zip could be written.
pub fn collect_error(msg: &Messages, e: &CollectError) -> String {
    match e {
        // Only a replaced spec can be invalid; its checker speaks to engineers.
        CollectError::Spec(detail) => msg.fill("collect-spec", &[("detail", detail)]),
        CollectError::OutDir { path, error } => msg.fill(
            "collect-out-dir",
            &[("path", &path.display()), ("cause", &io_error(msg, error))],
        ),
        CollectError::Zip { path, error } => msg.fill(
            "collect-zip",
            &[("path", &path.display()), ("cause", &io_error(msg, error))],
        ),
    }
}

/// A network failure's cause in words (`门户服务器拒绝连接（…）`).
pub fn network_cause(msg: &Messages, detail: &str) -> String {
    match network_kind(detail) {
        Some(kind) => msg.get(&format!("network-{}", kind.id())).to_string(),
        None => msg.get("network-other").to_string(),
    }
}

/// Whether a failure is worth another try later (the network, the server) rather than a
/// mistake to fix (address, password, file).
pub fn is_transient(e: &UploadError) -> bool {
    matches!(
        e,
        UploadError::Network { .. } | UploadError::Server { .. } | UploadError::Cancelled
    )
}

/// Why an upload (or the portal check) failed, in plain words.
pub fn upload_error(msg: &Messages, e: &UploadError) -> String {
    match e {
        UploadError::Auth { .. } => msg.get("fail-auth").to_string(),
        UploadError::Network { detail, attempts } => msg.fill(
            "fail-network",
            &[("cause", &network_cause(msg, detail)), ("attempts", attempts)],
        ),
        UploadError::Server { status, attempts, .. } => {
            msg.fill("fail-server", &[("status", status), ("attempts", attempts)])
        }
        UploadError::Tls { .. } => msg.get("fail-tls").to_string(),
        UploadError::TooLarge { size: s, max } => {
            msg.fill("fail-too-large", &[("size", &size(*s)), ("max", &size(*max))])
        }
        UploadError::Refused { status, .. } => msg.fill("fail-refused", &[("status", status)]),
        UploadError::NotTus { .. } => msg.get("fail-not-upload-service").to_string(),
        UploadError::Url { url, .. } => msg.fill("fail-address", &[("url", url)]),
        UploadError::CredentialsInUrl { url } => msg.fill("fail-credentials-in-address", &[("url", url)]),
        UploadError::File { path, .. } => msg.fill("fail-file", &[("path", &path.display())]),
        UploadError::CaCert { path, .. } => msg.fill("fail-ca-cert", &[("path", &path.display())]),
        UploadError::Protocol { .. } => msg.get("fail-protocol").to_string(),
        UploadError::Cancelled => msg.get("fail-cancelled").to_string(),
    }
}

/// A retry notice: `连接门户失败（门户服务器拒绝连接…），2 秒后第 1/8 次重试`.
pub fn retry_notice(msg: &Messages, retry: u32, of: u32, delay: Duration, cause: &str) -> String {
    let cause = match cause.strip_prefix("HTTP ") {
        Some(rest) => msg.fill("server-trouble", &[("status", &rest.split(':').next().unwrap_or(rest))]),
        None => network_cause(msg, cause),
    };
    let delay = duration(msg, delay.max(Duration::from_secs(1)));
    msg.fill(
        "retry-notice",
        &[("cause", &cause), ("delay", &delay), ("retry", &retry), ("of", &of)],
    )
}

/// The command that continues an upload later, exactly as it can be pasted: the zip's path
/// quoted for this OS's shell, the portal and the user; never the password.
pub fn resume_command(zip: &Path, url: &str, user: &str, case_id: Option<&str>, protocol: Option<&str>) -> String {
    let mut cmd = format!(
        "cmgelog upload {} --url {} --user {}",
        shell_quote(&zip.display().to_string()),
        shell_quote(url),
        shell_quote(user)
    );
    if let Some(case) = case_id {
        cmd.push_str(&format!(" --case {}", shell_quote(case)));
    }
    if let Some(p) = protocol.filter(|p| !p.eq_ignore_ascii_case("auto")) {
        cmd.push_str(&format!(" --protocol {}", shell_quote(p)));
    }
    cmd
}

/// Quotes `s` for cmd/PowerShell (double quotes) or a POSIX shell (single quotes), only when
/// it needs it.
fn shell_quote(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '/' | ':' | '\\' | '@' | '=' | ','));
    if plain {
        s.to_string()
    } else if cfg!(windows) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}
