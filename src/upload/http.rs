//! The HTTP side shared by every protocol: one client (rustls, proxies from the environment,
//! an optional private CA), Basic authentication on every request, the mapping from answers to
//! failures, and sending a body while reporting how much of it has been read.

use super::error::{server_text, UploadError};
use super::retry::{Failure, Transient};
use super::Password;
use reqwest::blocking::{Body, Client, RequestBuilder, Response};
use reqwest::{Method, StatusCode, Url};
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// A small request (OPTIONS, HEAD, POST without body) that takes longer than this is dead.
const SMALL_REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
/// Bodies get this long plus the time at a slow but working link's speed.
const SLOWEST_USEFUL_BYTES_PER_SEC: u64 = 16 * 1024;

pub(crate) struct Http<'a> {
    client: Client,
    user: &'a str,
    password: &'a Password,
}

impl<'a> Http<'a> {
    pub fn new(ca_cert: Option<&Path>, user: &'a str, password: &'a Password) -> Result<Self, UploadError> {
        // No overall client timeout: a body of hundreds of MB gets its own, by size.
        let mut builder = Client::builder()
            .user_agent(concat!("cmgelog/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(30))
            .tcp_keepalive(Duration::from_secs(30))
            .timeout(None::<Duration>);
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
        let client = builder.build().map_err(|e| UploadError::Protocol {
            detail: format!("HTTP client: {e}"),
        })?;
        Ok(Http { client, user, password })
    }

    /// A request with the credentials and a timeout fitted to `body_len` bytes.
    pub fn request(&self, method: Method, url: &Url, body_len: u64) -> RequestBuilder {
        self.client
            .request(method, url.clone())
            .basic_auth(self.user, Some(self.password.expose()))
            .timeout(timeout_for(body_len))
    }
}

fn timeout_for(body_len: u64) -> Duration {
    SMALL_REQUEST_TIMEOUT + Duration::from_secs(body_len / SLOWEST_USEFUL_BYTES_PER_SEC)
}

/// Sends the request; a transport error is worth retrying (the retry re-synchronises).
pub(crate) fn send(req: RequestBuilder) -> Result<Response, Failure> {
    req.send()
        .map_err(|e| Failure::Transient(Transient::Network(describe(&e))))
}

/// Sends a request whose body reads from `counter`-counted bytes, calling `tick` with the count
/// about ten times a second meanwhile: the blocking client sends the body on its own thread,
/// so progress is sampled here rather than reported from inside the body.
pub(crate) fn send_watching(
    req: RequestBuilder,
    counter: &AtomicU64,
    tick: &mut dyn FnMut(u64),
) -> Result<Response, Failure> {
    std::thread::scope(|s| {
        let sending = s.spawn(move || send(req));
        while !sending.is_finished() {
            tick(counter.load(Ordering::Relaxed));
            std::thread::sleep(Duration::from_millis(100));
        }
        tick(counter.load(Ordering::Relaxed));
        sending.join().expect("sending thread does not panic")
    })
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

/// Classifies an answer: `Ok` for 2xx, otherwise the failure it stands for.
pub(crate) fn check(resp: Response) -> Result<Response, Failure> {
    let status = resp.status();
    if status.is_success() {
        return Ok(resp);
    }
    // The body is only read for the message; a body that cannot be read is no message.
    let text = resp.text().map(|t| server_text(&t)).unwrap_or_default();
    Err(failure_for(status, text))
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

/// Reads `len` bytes of `path` from `offset`, counting them into `counter`. Each request opens
/// the file anew, so nothing larger than the client's buffers is ever in memory.
pub(crate) fn file_body(path: &Path, offset: u64, len: u64, counter: Arc<AtomicU64>) -> Result<Body, UploadError> {
    let mut file = File::open(path).map_err(|e| file_error(path, e))?;
    file.seek(SeekFrom::Start(offset)).map_err(|e| file_error(path, e))?;
    Ok(Body::sized(
        CountingReader {
            inner: file.take(len),
            counter,
        },
        len,
    ))
}

/// A body made of `prefix`, `len` bytes of the file and `suffix` (a multipart form).
pub(crate) fn framed_file_body(
    path: &Path,
    prefix: Vec<u8>,
    len: u64,
    suffix: Vec<u8>,
    counter: Arc<AtomicU64>,
) -> Result<Body, UploadError> {
    let file = File::open(path).map_err(|e| file_error(path, e))?;
    let total = prefix.len() as u64 + len + suffix.len() as u64;
    let reader = std::io::Cursor::new(prefix)
        .chain(CountingReader {
            inner: file.take(len),
            counter,
        })
        .chain(std::io::Cursor::new(suffix));
    Ok(Body::sized(reader, total))
}

pub(crate) fn file_error(path: &Path, e: std::io::Error) -> UploadError {
    UploadError::File {
        path: path.to_path_buf(),
        detail: e.to_string(),
    }
}

struct CountingReader<R> {
    inner: R,
    counter: Arc<AtomicU64>,
}

impl<R: Read> Read for CountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.counter.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
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
