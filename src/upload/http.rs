//! The HTTP side shared by every protocol: one client (rustls, proxies from the environment,
//! an optional private CA), Basic authentication on every request, the mapping from answers to
//! failures, and sending a body while reporting how much of it has been read.
//!
//! The client is reqwest's async one, driven by a private current-thread runtime so the rest
//! of the uploader stays plain blocking code. reqwest's blocking client is not used because it
//! reports "body send failed" instead of the server's answer when the server answers before
//! the body is complete — exactly what servers do with a wrong password (401) or a body too
//! large (413).

use super::error::{server_text, UploadError};
use super::retry::{Failure, Transient};
use super::Password;
use reqwest::{Body, Client, Method, RequestBuilder, Response, StatusCode, Url};
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// A small request (OPTIONS, HEAD, POST without body) that takes longer than this is dead.
const SMALL_REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
/// Bodies get this long plus the time at a slow but working link's speed.
const SLOWEST_USEFUL_BYTES_PER_SEC: u64 = 16 * 1024;
/// Bodies are read from disk in blocks of this size.
const BLOCK: usize = 256 * 1024;

pub(crate) struct Http<'a> {
    runtime: tokio::runtime::Runtime,
    client: Client,
    user: &'a str,
    password: &'a Password,
    /// Set by the user to stop: every request in flight looks at it (see [`Http::send`]).
    cancel: Option<Arc<AtomicBool>>,
}

impl<'a> Http<'a> {
    pub fn new(
        ca_cert: Option<&Path>,
        user: &'a str,
        password: &'a Password,
        cancel: Option<Arc<AtomicBool>>,
    ) -> Result<Self, UploadError> {
        let mut builder = Client::builder()
            .user_agent(concat!("cmgelog/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(30))
            .tcp_keepalive(Duration::from_secs(30));
        if let Some(path) = ca_cert {
            let ca_error = |detail: String| UploadError::CaCert {
                path: path.to_path_buf(),
                detail,
            };
            let pem = std::fs::read(path).map_err(|e| ca_error(e.to_string()))?;
            let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| ca_error(e.to_string()))?;
            if certs.is_empty() {
                return Err(ca_error("no PEM certificate in the file".into()));
            }
            for cert in certs {
                builder = builder.add_root_certificate(cert);
            }
        }
        let internal = |detail: String| UploadError::Protocol { detail };
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| internal(format!("runtime: {e}")))?;
        // The client must be built inside the runtime (it registers timers and sockets there).
        let client = runtime
            .block_on(async { builder.build() })
            .map_err(|e| internal(format!("HTTP client: {e}")))?;
        Ok(Http {
            runtime,
            client,
            user,
            password,
            cancel,
        })
    }

    fn cancelled(&self) -> bool {
        self.cancel.as_ref().is_some_and(|c| c.load(Ordering::Relaxed))
    }

    /// A request with the credentials and a timeout fitted to `body_len` bytes.
    pub fn request(&self, method: Method, url: &Url, body_len: u64) -> RequestBuilder {
        self.client
            .request(method, url.clone())
            .basic_auth(self.user, Some(self.password.expose()))
            .timeout(timeout_for(body_len))
    }

    /// An `OPTIONS` without credentials: `Ok` for any HTTP answer (`portal::present`).
    pub fn presence(&self, url: &Url, timeout: Duration) -> Result<(), Failure> {
        let req = self.client.request(Method::OPTIONS, url.clone()).timeout(timeout);
        self.send(req).map(drop)
    }

    /// Sends the request; a transport error is worth retrying (the retry re-synchronises).
    /// A cancel ends it within a tick even while it waits for a connection (30 s at most
    /// otherwise, to a host that drops packets).
    pub fn send(&self, req: RequestBuilder) -> Result<Response, Failure> {
        self.send_watching(req, &AtomicU64::new(0), &|| false, &mut |_| {})
    }

    /// Sends a request whose body counts its bytes into `counter`, calling `tick` with the
    /// count about ten times a second meanwhile, and once more at the answer. It stops when
    /// `cancelled` or the client's own cancel flag says so.
    pub fn send_watching(
        &self,
        req: RequestBuilder,
        counter: &AtomicU64,
        cancelled: &dyn Fn() -> bool,
        tick: &mut dyn FnMut(u64),
    ) -> Result<Response, Failure> {
        // `send` arms the timeout timer, so it must run inside the runtime.
        self.runtime.block_on(async {
            let sending = req.send();
            tokio::pin!(sending);
            loop {
                match tokio::time::timeout(Duration::from_millis(100), &mut sending).await {
                    Ok(result) => {
                        tick(counter.load(Ordering::Relaxed));
                        return result.map_err(network);
                    }
                    // Dropping the request future closes the connection: the server keeps
                    // what it confirmed, nothing more is read from the file.
                    Err(_elapsed) if cancelled() || self.cancelled() => {
                        return Err(Failure::Fatal(UploadError::Cancelled))
                    }
                    Err(_elapsed) => tick(counter.load(Ordering::Relaxed)),
                }
            }
        })
    }

    /// Classifies an answer: `Ok` for 2xx, otherwise the failure it stands for.
    pub fn check(&self, resp: Response) -> Result<Response, Failure> {
        let status = resp.status();
        if status.is_success() {
            return Ok(resp);
        }
        // The body is only read for the message; a body that cannot be read is no message.
        let text = self
            .runtime
            .block_on(async move { resp.text().await })
            .map(|t| server_text(&t))
            .unwrap_or_default();
        Err(failure_for(status, text))
    }
}

fn timeout_for(body_len: u64) -> Duration {
    SMALL_REQUEST_TIMEOUT + Duration::from_secs(body_len / SLOWEST_USEFUL_BYTES_PER_SEC)
}

fn network(e: reqwest::Error) -> Failure {
    if is_tls_failure(&e) {
        Failure::Fatal(UploadError::Tls { detail: describe(&e) })
    } else {
        Failure::Transient(Transient::Network(describe(&e)))
    }
}

/// Whether rustls refused the connection (an untrusted or invalid certificate, a failed
/// handshake). It sits in the chain inside `io::Error`s, whose `source` skips the error they
/// wrap, so those are opened with `get_ref`.
fn is_tls_failure(e: &reqwest::Error) -> bool {
    fn within(e: &(dyn std::error::Error + 'static)) -> bool {
        if e.downcast_ref::<rustls::Error>().is_some() {
            return true;
        }
        if let Some(inner) = e.downcast_ref::<std::io::Error>().and_then(|io| io.get_ref()) {
            return within(inner);
        }
        e.source().is_some_and(within)
    }
    within(e)
}

/// An error's whole chain in one line ("error sending request: connection refused").
fn describe(e: &reqwest::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// 401/403 end at once (retrying a wrong password only locks accounts); 408, 429 and 5xx are
/// the server's temporary trouble; 409, 423 and 460 are tus's "your offset or lock is out of
/// date" (re-synchronise and retry); every other answer is a refusal naming the status.
pub(crate) fn failure_for(status: StatusCode, text: String) -> Failure {
    let code = status.as_u16();
    match code {
        401 | 403 => Failure::Fatal(UploadError::Auth { status: code }),
        408 | 409 | 423 | 429 | 460 | 500..=599 => Failure::Transient(Transient::Status { status: code, text }),
        _ => Failure::Fatal(UploadError::Refused { status: code, text }),
    }
}

/// `len` bytes of `path` from `offset`, counted into `counter`, streamed in blocks: nothing
/// larger than a block is in memory. The caller sets `Content-Length: len`.
pub(crate) fn file_body(path: &Path, offset: u64, len: u64, counter: Arc<AtomicU64>) -> Result<Body, UploadError> {
    framed_file_body(path, offset, Vec::new(), len, Vec::new(), counter)
}

/// A body made of `prefix`, `len` bytes of the file from `offset` and `suffix` (a multipart
/// form is the file between its header and its closing boundary).
pub(crate) fn framed_file_body(
    path: &Path,
    offset: u64,
    prefix: Vec<u8>,
    len: u64,
    suffix: Vec<u8>,
    counter: Arc<AtomicU64>,
) -> Result<Body, UploadError> {
    let mut file = File::open(path).map_err(|e| file_error(path, e))?;
    file.seek(SeekFrom::Start(offset)).map_err(|e| file_error(path, e))?;
    let blocks = FileBlocks {
        inner: file.take(len),
        counter,
    };
    let parts = std::iter::once(Ok(prefix))
        .chain(blocks)
        .chain(std::iter::once(Ok(suffix)))
        .filter(|part| part.as_ref().map_or(true, |b| !b.is_empty()));
    Ok(Body::wrap_stream(futures_util::stream::iter(parts)))
}

pub(crate) fn file_error(path: &Path, e: std::io::Error) -> UploadError {
    UploadError::File {
        path: path.to_path_buf(),
        detail: e.to_string(),
    }
}

/// The file as an iterator of blocks, counting what was read. Reading a local disk blocks
/// the runtime's only thread for a moment, which is all this runtime does anyway.
struct FileBlocks<R> {
    inner: R,
    counter: Arc<AtomicU64>,
}

impl<R: Read> Iterator for FileBlocks<R> {
    type Item = std::io::Result<Vec<u8>>;

    fn next(&mut self) -> Option<Self::Item> {
        let mut block = vec![0u8; BLOCK];
        match self.inner.read(&mut block) {
            Ok(0) => None,
            Ok(n) => {
                block.truncate(n);
                self.counter.fetch_add(n as u64, Ordering::Relaxed);
                Some(Ok(block))
            }
            Err(e) => Some(Err(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn class(code: u16) -> &'static str {
        match failure_for(StatusCode::from_u16(code).unwrap(), "t".into()) {
            Failure::Fatal(UploadError::Auth { .. }) => "auth",
            Failure::Fatal(UploadError::Refused { .. }) => "refused",
            Failure::Transient(_) => "retry",
            Failure::Fatal(_) => "other",
        }
    }

    #[test]
    fn answers_map_to_failures() {
        assert_eq!(class(401), "auth");
        assert_eq!(class(403), "auth");
        assert_eq!(class(413), "refused");
        assert_eq!(class(400), "refused");
        assert_eq!(class(404), "refused");
        assert_eq!(class(409), "retry");
        assert_eq!(class(423), "retry");
        assert_eq!(class(429), "retry");
        assert_eq!(class(500), "retry");
        assert_eq!(class(503), "retry");
    }

    #[test]
    fn refusals_keep_the_server_text() {
        match failure_for(StatusCode::PAYLOAD_TOO_LARGE, "too big".into()) {
            Failure::Fatal(UploadError::Refused { status, text }) => {
                assert_eq!((status, text.as_str()), (413, "too big"))
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn body_timeouts_grow_with_size() {
        assert_eq!(timeout_for(0), SMALL_REQUEST_TIMEOUT);
        assert!(timeout_for(300 << 20) > Duration::from_secs(60 * 60 * 5));
    }
}
