//! The uploader: sends one bundle to the support portal, resumably (tus 1.0) or in one request
//! (multipart/form-data POST or raw PUT), with HTTP Basic authentication.
//!
//! The entry point is [`upload`]; it sends bytes and never opens the bundle. Progress goes to a
//! callback so the CLI can draw a bar and the collection wizard can show its own. Submodules,
//! one job each: [`tus`] (the resumable protocol), [`multipart`] (the one-request fallbacks),
//! [`state`] (the resume file next to the bundle), [`retry`] (bounded exponential backoff),
//! [`error`] (failures with zh/en messages), `http` (client, credentials, answer mapping).

pub mod error;
mod http;
pub mod identity;
pub mod multipart;
pub mod portal;
pub mod retry;
pub mod state;
pub mod tus;

pub use error::{ErrorClass, NetworkKind, UploadError};
pub use retry::RetryPolicy;

use reqwest::Url;
use retry::{Failure, RetryNotice};
use std::path::PathBuf;
use std::time::Duration;

/// Default tus chunk: 32 MiB. Each chunk is one more request and the server's per-request
/// work (a file open and sync on the tus server) made 4 MiB chunks 0.74–0.85 as fast as one
/// `PATCH` on loopback (benches/run.sh); 32 MiB reach 0.95. The body is streamed from the
/// file, so the size costs no memory, and a lost connection resends at most one chunk.
pub const DEFAULT_CHUNK_SIZE: u64 = 32 << 20;
/// Default multipart field name: the one uploadserver (and many upload pages) read.
pub const DEFAULT_FIELD: &str = "files";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// Ask the server (`OPTIONS`): tus if it answers `Tus-Version`, else multipart.
    Auto,
    Tus,
    Multipart,
    Put,
}

impl Protocol {
    /// The protocol a configuration names (`auto`, `tus`, `multipart`, `put`); `None` for
    /// anything else (`cmgelog config check` reports that before it gets here).
    pub fn from_name(name: &str) -> Option<Protocol> {
        [Protocol::Auto, Protocol::Tus, Protocol::Multipart, Protocol::Put]
            .into_iter()
            .find(|p| p.name() == name.trim().to_ascii_lowercase())
    }

    pub fn name(self) -> &'static str {
        match self {
            Protocol::Auto => "auto",
            Protocol::Tus => "tus",
            Protocol::Multipart => "multipart",
            Protocol::Put => "put",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Options {
    pub bundle: PathBuf,
    /// The tus endpoint (creation URL), the multipart form's action, or the PUT target.
    pub url: String,
    pub user: String,
    pub case_id: Option<String>,
    pub protocol: Protocol,
    pub chunk_size: u64,
    pub field: String,
    pub ca_cert: Option<PathBuf>,
    pub retry: RetryPolicy,
    /// Set (by a Ctrl-C handler or a 取消 button) to stop at once: checked between and during
    /// requests and in the waits between retries.
    pub cancel: Option<std::sync::Arc<std::sync::atomic::AtomicBool>>,
}

impl Options {
    pub fn new(bundle: PathBuf, url: String, user: String) -> Self {
        Options {
            bundle,
            url,
            user,
            case_id: None,
            protocol: Protocol::Auto,
            chunk_size: DEFAULT_CHUNK_SIZE,
            field: DEFAULT_FIELD.to_string(),
            ca_cert: None,
            retry: RetryPolicy::default(),
            cancel: None,
        }
    }
}

/// The portal password. Its `Debug` shows nothing, so it cannot leak through a log line or an
/// error chain; it only leaves this crate in the `Authorization` header.
#[derive(Clone)]
/// The portal password: never printed (`Debug` shows `***`) and overwritten with zeros in
/// memory when dropped.
pub struct Password(zeroize::Zeroizing<String>);

impl Password {
    pub fn new(secret: String) -> Self {
        Password(zeroize::Zeroizing::new(secret))
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(***)")
    }
}

/// What the callback hears, in order: sending (possibly after `Resumed`), with `Retrying`
/// whenever a request failed and will be tried again after `delay`. (The bundle's SHA-256 is
/// computed alongside and has no progress of its own.)
#[derive(Debug, Clone)]
pub enum Progress {
    Resumed {
        offset: u64,
        total: u64,
    },
    /// `done` counts bytes read for sending (confirmed offset plus the request in flight).
    Sending {
        protocol: Protocol,
        done: u64,
        total: u64,
    },
    Retrying {
        retry: u32,
        of: u32,
        delay: Duration,
        cause: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// The protocol used (never `Auto`).
    pub protocol: Protocol,
    /// Where the bundle went: the tus upload URL, or the URL posted/put to.
    pub location: String,
    pub size: u64,
    /// Lower-case hex sha256 of the whole bundle.
    pub sha256: String,
    /// Bytes the server already had from an earlier run (0 for a fresh upload).
    pub resumed_from: u64,
}

/// Everything a protocol needs about this upload.
pub(crate) struct Job<'a> {
    pub opts: &'a Options,
    pub http: http::Http<'a>,
    pub url: Url,
    pub size: u64,
    pub file_name: String,
}

pub(crate) type Report<'p> = dyn FnMut(Progress) + 'p;

impl Job<'_> {
    /// Runs `op` under the retry policy, announcing each retry to `progress`.
    /// The user asked to stop (`Options::cancel`).
    pub(crate) fn cancelled(&self) -> bool {
        self.opts
            .cancel
            .as_ref()
            .is_some_and(|c| c.load(std::sync::atomic::Ordering::Relaxed))
    }

    pub(crate) fn retry<T>(
        &self,
        progress: &mut Report<'_>,
        op: impl FnMut(&mut Report<'_>, u32) -> Result<T, Failure>,
    ) -> Result<T, UploadError> {
        self.opts
            .retry
            .run(progress, &|| self.cancelled(), op, |p, n: RetryNotice<'_>| {
                p(Progress::Retrying {
                    retry: n.retry,
                    of: n.of,
                    delay: n.delay,
                    cause: n.cause.describe(),
                })
            })
    }
}

/// The URL as typed with anything between `//` and the host's `@` replaced by `***`, for
/// messages: the text may not even parse, so this works on the text.
pub fn without_credentials(url: &str) -> String {
    let Some(start) = url.find("://").map(|i| i + 3) else {
        return url.to_string();
    };
    let authority_end = url[start..].find(['/', '?', '#']).map_or(url.len(), |i| start + i);
    match url[start..authority_end].rfind('@') {
        Some(at) => format!("{}***{}", &url[..start], &url[start + at..]),
        None => url.to_string(),
    }
}

/// Uploads `opts.bundle`. The bundle is only read; on success the resume state is gone.
pub fn upload(opts: &Options, password: &Password, progress: &mut dyn FnMut(Progress)) -> Result<Outcome, UploadError> {
    let url = Url::parse(&opts.url).map_err(|e| UploadError::Url {
        url: without_credentials(&opts.url),
        detail: e.to_string(),
    })?;
    if !url.username().is_empty() || url.password().is_some() {
        // A password there would reach the request, the resume state and any error message.
        return Err(UploadError::CredentialsInUrl {
            url: without_credentials(&opts.url),
        });
    }
    if !matches!(url.scheme(), "http" | "https") {
        return Err(UploadError::Url {
            url: opts.url.clone(),
            detail: "http:// or https:// expected".into(),
        });
    }
    let meta = std::fs::metadata(&opts.bundle).map_err(|e| http::file_error(&opts.bundle, e))?;
    if !meta.is_file() {
        return Err(http::file_error(&opts.bundle, std::io::Error::other("not a file")));
    }
    let job = Job {
        opts,
        http: http::Http::new(opts.ca_cert.as_deref(), &opts.user, password, opts.cancel.clone())?,
        url,
        size: meta.len(),
        file_name: opts
            .bundle
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "bundle".into()),
    };
    // Ask the server first: a wrong password or a refusing server fails before minutes of
    // hashing.
    let tus_server = match opts.protocol {
        Protocol::Auto | Protocol::Tus => tus::discover(&job, progress)?,
        Protocol::Multipart | Protocol::Put => None,
    };
    let protocol = match (opts.protocol, &tus_server) {
        (Protocol::Tus, None) => {
            return Err(UploadError::NotTus {
                url: opts.url.clone(),
                detail: "no Tus-Version in the answer to OPTIONS".into(),
            })
        }
        (Protocol::Auto, Some(_)) => Protocol::Tus,
        (Protocol::Auto, None) => Protocol::Multipart,
        (p, _) => p,
    };
    let identity = identity::of(&opts.bundle).map_err(|e| http::file_error(&opts.bundle, e))?;
    // The whole file's SHA-256 is computed on its own thread while the bytes go out: hashing
    // first was the gap to curl on a fast link. The upload only needs the cheap identity.
    // A failed or cancelled send stops the hashing too: the scope waits for its thread, and a
    // cancel must not wait for a large file to be read to the end.
    let sending_ended = std::sync::atomic::AtomicBool::new(false);
    let stop_hashing = || sending_ended.load(std::sync::atomic::Ordering::Relaxed) || job.cancelled();
    std::thread::scope(|scope| {
        let hashing = scope.spawn(|| crate::digest::sha256_file_until(&opts.bundle, |_| {}, &stop_hashing));
        let sent = match (protocol, tus_server) {
            (Protocol::Tus, Some(server)) => tus::upload(&job, &server, &identity, progress),
            (Protocol::Put, _) => multipart::put(&job, progress),
            _ => multipart::post(&job, &identity, progress),
        };
        if sent.is_err() {
            sending_ended.store(true, std::sync::atomic::Ordering::Relaxed);
        }
        let mut outcome = sent?;
        let (_, sha256) = hashing
            .join()
            .unwrap_or_else(|_| Err(std::io::Error::other("the hashing thread failed")))
            .map_err(|e| http::file_error(&opts.bundle, e))?;
        outcome.sha256 = sha256;
        Ok(outcome)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_debug_hides_the_secret() {
        let p = Password::new("hunter2".into());
        assert!(!format!("{p:?}").contains("hunter2"));
    }

    #[test]
    fn credentials_are_cut_from_urls_in_messages() {
        assert_eq!(
            without_credentials("http://u:PW@127.0.0.1:1/x"),
            "http://***@127.0.0.1:1/x"
        );
        assert_eq!(without_credentials("https://PW@h"), "https://***@h");
        assert_eq!(without_credentials("http://u:p@ss@h:99999/"), "http://***@h:99999/");
        assert_eq!(without_credentials("https://h/a@b"), "https://h/a@b");
        assert_eq!(without_credentials("h@x"), "h@x");
    }

    #[test]
    fn a_url_with_credentials_is_refused_before_any_request() {
        let dir = tempfile::tempdir().unwrap();
        let bundle = dir.path().join("b.zip");
        std::fs::write(&bundle, b"PK").unwrap();
        // Nothing listens on port 9: a request would be a network error, not this one.
        for url in [
            "http://user:S3cret-PW@127.0.0.1:9/files/",
            "http://S3cret-PW@127.0.0.1:9/",
        ] {
            let opts = Options::new(bundle.clone(), url.into(), "user".into());
            let err = upload(&opts, &Password::new("x".into()), &mut |_| {}).unwrap_err();
            assert!(matches!(err, UploadError::CredentialsInUrl { .. }), "{err:?}");
            let m = err.message();
            assert!(!m.en.contains("S3cret") && !m.zh.contains("S3cret"), "{m:?}");
            assert!(m.zh.contains("CMGELOG_PASSWORD"));
        }
        let written: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(written.len(), 1, "no state file: {written:?}");
    }
}
