//! What can go wrong in an upload, with a message in Chinese and English for each, and the
//! class of failure that decides the command's exit code.

use crate::i18n::Localized;
use std::path::PathBuf;

/// The classes scripts care about; the CLI maps each to one exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorClass {
    /// The bundle, the CA file, the URL or the state file: fix the input and run again.
    Input,
    /// 401/403: wrong user name or password.
    Auth,
    /// The server refused the file (413, other 4xx, larger than its maximum, not a tus server).
    Refused,
    /// Network errors or 5xx answers that outlasted the retries, or answers that break the
    /// protocol.
    Network,
    /// The user cancelled (Ctrl-C, 取消); the bundle is kept.
    Cancelled,
}

#[derive(Debug)]
pub enum UploadError {
    /// The bundle (or the state file next to it) could not be read or written.
    File {
        path: PathBuf,
        detail: String,
    },
    CaCert {
        path: PathBuf,
        detail: String,
    },
    Url {
        url: String,
        detail: String,
    },
    /// The user cancelled; nothing more is sent, the bundle and the resume state are kept.
    Cancelled,
    /// `http://user:password@host/`: refused before any request, the URL shown without them.
    CredentialsInUrl {
        url: String,
    },
    Auth {
        status: u16,
    },
    Refused {
        status: u16,
        text: String,
    },
    TooLarge {
        size: u64,
        max: u64,
    },
    NotTus {
        url: String,
        detail: String,
    },
    Network {
        detail: String,
        attempts: u32,
    },
    /// The server's certificate is not trusted (or TLS failed otherwise): not retried, since
    /// waiting does not change a certificate.
    Tls {
        detail: String,
    },
    Server {
        status: u16,
        text: String,
        attempts: u32,
    },
    Protocol {
        detail: String,
    },
}

impl UploadError {
    pub fn class(&self) -> ErrorClass {
        match self {
            UploadError::File { .. }
            | UploadError::CaCert { .. }
            | UploadError::Url { .. }
            | UploadError::CredentialsInUrl { .. } => ErrorClass::Input,
            UploadError::Auth { .. } => ErrorClass::Auth,
            UploadError::Refused { .. } | UploadError::TooLarge { .. } | UploadError::NotTus { .. } => {
                ErrorClass::Refused
            }
            UploadError::Network { .. }
            | UploadError::Tls { .. }
            | UploadError::Server { .. }
            | UploadError::Protocol { .. } => ErrorClass::Network,
            UploadError::Cancelled => ErrorClass::Cancelled,
        }
    }

    pub fn message(&self) -> Localized {
        match self {
            UploadError::File { path, detail } => {
                let p = path.display();
                Localized::new(
                    format!("无法读写文件 {p}：{detail}"),
                    format!("cannot read or write {p}: {detail}"),
                )
            }
            UploadError::CaCert { path, detail } => {
                let p = path.display();
                Localized::new(
                    format!("CA 证书文件 {p} 无法使用：{detail}"),
                    format!("the CA certificate file {p} cannot be used: {detail}"),
                )
            }
            UploadError::Url { url, detail } => Localized::new(
                format!("上传地址无效：{url}（{detail}）"),
                format!("invalid upload URL {url} ({detail})"),
            ),
            UploadError::Cancelled => Localized::new(
                "已取消上传。压缩包仍保存在原处，以后可以再上传（已上传的部分会接着传）",
                "upload cancelled; the bundle is kept and can be uploaded later (a tus upload continues where it stopped)",
            ),
            UploadError::CredentialsInUrl { url } => Localized::new(
                format!(
                    "上传地址中不能包含用户名或密码：{url}。用户名请用 --user（或 cmgelog.toml 的 user）给出，密码在提示时输入或放在环境变量 CMGELOG_PASSWORD 中"
                ),
                format!(
                    "the upload URL must not hold a user name or password: {url}. Give the user name with --user (or `user` in cmgelog.toml) and type the password when asked, or set CMGELOG_PASSWORD"
                ),
            ),
            UploadError::Auth { status } => Localized::new(
                format!("用户名或密码错误（服务器返回 {status}）"),
                format!("wrong user name or password (the server answered {status})"),
            ),
            UploadError::Refused { status: 413, text } => Localized::new(
                format!("服务器拒绝了文件：文件太大（413）{}", quoted(text)),
                format!("the server refused the file as too large (413){}", quoted(text)),
            ),
            UploadError::Refused { status, text } => Localized::new(
                format!("服务器拒绝了上传（{status}）{}", quoted(text)),
                format!("the server refused the upload ({status}){}", quoted(text)),
            ),
            UploadError::TooLarge { size, max } => Localized::new(
                format!("文件有 {size} 字节，服务器最多接受 {max} 字节"),
                format!("the file has {size} bytes; the server accepts at most {max}"),
            ),
            UploadError::NotTus { url, detail } => Localized::new(
                format!("{url} 不是可用的 tus 上传服务（{detail}）；可试 --protocol multipart"),
                format!("{url} is not a usable tus server ({detail}); try --protocol multipart"),
            ),
            UploadError::Network { detail, attempts } => Localized::new(
                format!(
                    "网络错误，已尝试 {attempts} 次：{}。再次运行同一命令会从断点继续",
                    network_cause_zh(detail)
                ),
                format!(
                    "network error after {attempts} attempts: {detail}. Running the same \
                     command again resumes where it stopped"
                ),
            ),
            UploadError::Tls { detail } => Localized::new(
                format!("TLS 连接失败：{detail}。若门户使用私有 CA，请用 --ca-cert 指定其 CA 证书"),
                format!(
                    "TLS failed: {detail}. If the portal uses a private CA, give its CA \
                     certificate with --ca-cert"
                ),
            ),
            UploadError::Server { status, text, attempts } => Localized::new(
                format!(
                    "服务器错误 {status}，已尝试 {attempts} 次{}。再次运行同一命令会从断点继续",
                    quoted(text)
                ),
                format!(
                    "server error {status} after {attempts} attempts{}. Running the same \
                     command again resumes where it stopped",
                    quoted(text)
                ),
            ),
            UploadError::Protocol { detail } => Localized::new(
                format!("服务器的回答不符合协议：{detail}"),
                format!("the server's answer breaks the protocol: {detail}"),
            ),
        }
    }
}

/// The server's own words, shortened and with control characters escaped (it is untrusted
/// text on the way to a terminal).
pub(crate) fn server_text(body: &str) -> String {
    const MAX: usize = 200;
    let trimmed = body.trim();
    let mut out: String = trimmed
        .chars()
        .take(MAX)
        .flat_map(|c| {
            if c.is_control() {
                c.escape_default().collect::<Vec<_>>()
            } else {
                vec![c]
            }
        })
        .collect();
    if trimmed.chars().count() > MAX {
        out.push('…');
    }
    out
}

fn quoted(text: &str) -> String {
    if text.is_empty() {
        String::new()
    } else {
        format!(": \u{201c}{text}\u{201d}")
    }
}

/// The kinds of network failure a user can act on, recognised in the transport's message
/// (reqwest keeps the OS error only as text in its chain).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NetworkKind {
    /// Nothing listens there: wrong address or port, or the service is down.
    Refused,
    /// The host name does not resolve.
    NoSuchHost,
    /// No answer in time: no route, or a firewall dropping packets.
    TimedOut,
    /// No network at all (cable, Wi-Fi, proxy).
    Unreachable,
    /// The connection was cut while in use.
    Reset,
}

impl NetworkKind {
    /// The stable id, also the suffix of its text's key in `locales/*.toml` (`network-refused`).
    pub fn id(self) -> &'static str {
        match self {
            NetworkKind::Refused => "refused",
            NetworkKind::NoSuchHost => "no-such-host",
            NetworkKind::TimedOut => "timed-out",
            NetworkKind::Unreachable => "unreachable",
            NetworkKind::Reset => "reset",
        }
    }
}

/// The kind of failure a transport message ("tcp connect error: Connection refused (os error
/// 111)") stands for, on Linux and Windows; `None` when it is none of the known ones.
pub fn network_kind(detail: &str) -> Option<NetworkKind> {
    let d = detail.to_ascii_lowercase();
    let known: &[(&[&str], NetworkKind)] = &[
        (
            &["connection refused", "os error 111", "os error 10061"],
            NetworkKind::Refused,
        ),
        (
            &[
                "dns error",
                "failed to lookup address",
                "name or service not known",
                "no such host",
                "os error 11001",
            ],
            NetworkKind::NoSuchHost,
        ),
        (&["timed out", "timeout", "os error 10060"], NetworkKind::TimedOut),
        (
            &["network is unreachable", "os error 101", "os error 10051"],
            NetworkKind::Unreachable,
        ),
        (
            &["connection reset", "os error 104", "os error 10054", "broken pipe"],
            NetworkKind::Reset,
        ),
    ];
    known
        .iter()
        .find(|(needles, _)| needles.iter().any(|n| d.contains(n)))
        .map(|(_, kind)| *kind)
}

/// A network failure in words a user knows, in Chinese: the transport's English message
/// ("tcp connect error: Connection refused (os error 111)") says nothing to most users. What
/// is not recognised is shown as it came, so nothing is hidden.
pub fn network_cause_zh(detail: &str) -> String {
    let plain = match network_kind(detail) {
        Some(NetworkKind::Refused) => "门户服务器拒绝连接（地址或端口不对，或服务没有运行）",
        Some(NetworkKind::NoSuchHost) => "找不到门户服务器（地址拼写有误，或 DNS 无法解析）",
        Some(NetworkKind::TimedOut) => "连接门户超时（网络不通，或被防火墙拦截）",
        Some(NetworkKind::Unreachable) => "网络不通（请检查网线、无线网络或代理设置）",
        Some(NetworkKind::Reset) => "连接被中断",
        None => return detail.to_string(),
    };
    plain.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auth_message_is_the_one_users_know() {
        let m = UploadError::Auth { status: 401 }.message();
        assert!(m.zh.starts_with("用户名或密码错误"), "{}", m.zh);
        assert!(m.en.starts_with("wrong user name or password"), "{}", m.en);
    }

    #[test]
    fn refusal_names_status_and_server_text() {
        let e = UploadError::Refused {
            status: 413,
            text: "max 10 MB".into(),
        };
        assert!(e.message().en.contains("413"));
        assert!(e.message().en.contains("max 10 MB"));
        assert_eq!(e.class(), ErrorClass::Refused);
    }

    #[test]
    fn server_text_is_shortened_and_escaped() {
        assert_eq!(server_text("  bad\x1b[31m\n"), "bad\\u{1b}[31m");
        let long = "x".repeat(500);
        assert_eq!(server_text(&long).chars().count(), 201);
    }

    #[test]
    fn network_failures_in_plain_chinese() {
        assert_eq!(
            network_cause_zh("error sending request: tcp connect error: Connection refused (os error 111)"),
            "门户服务器拒绝连接（地址或端口不对，或服务没有运行）"
        );
        assert!(network_cause_zh("dns error: failed to lookup address information").starts_with("找不到门户服务器"));
        assert_eq!(network_cause_zh("something new"), "something new");
    }
}
