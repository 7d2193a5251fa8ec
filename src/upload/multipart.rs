//! The fallbacks for portals without tus: the whole bundle in one multipart/form-data `POST`
//! (as an upload web page sends it) or one raw `PUT`. No resume: a failed attempt is sent again
//! from the start, within the retry policy.

use super::http::{file_body, framed_file_body};
use super::retry::Failure;
use super::{Job, Outcome, Progress, Protocol, Report, UploadError};
use reqwest::{Body, Method};
use std::sync::atomic::AtomicU64;
use std::sync::Arc;

/// The parts of a form with one file field, around the file's bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormFrame {
    pub boundary: String,
    pub content_type: String,
    pub prefix: Vec<u8>,
    pub suffix: Vec<u8>,
}

/// Frames a file of field `field` named `file_name`. The boundary is derived from the file's
/// identity (a hash of its ends, `upload::identity`), which its content cannot contain in a way
/// that matters: a collision would need the file to hold that hash, prefixed by `--` and a line
/// break.
pub fn form_frame(field: &str, file_name: &str, identity: &str) -> FormFrame {
    let tag = identity.rsplit('-').next().unwrap_or(identity);
    let boundary = format!("cmgelog-{}", &tag[..tag.len().min(40)]);
    let prefix = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"{}\"; filename=\"{}\"\r\n\
         Content-Type: application/octet-stream\r\n\r\n",
        quote(field),
        quote(file_name)
    );
    FormFrame {
        content_type: format!("multipart/form-data; boundary={boundary}"),
        prefix: prefix.into_bytes(),
        suffix: format!("\r\n--{boundary}--\r\n").into_bytes(),
        boundary,
    }
}

/// A quoted-string body as browsers write it: quotes and backslashes escaped, line breaks
/// (which would end the header) percent-encoded.
fn quote(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

pub(crate) fn post(job: &Job<'_>, identity: &str, progress: &mut Report<'_>) -> Result<Outcome, UploadError> {
    let frame = form_frame(&job.opts.field, &job.file_name, identity);
    let probe = || check_credentials(job, identity);
    send_whole(job, Protocol::Multipart, progress, &probe, |counter| {
        let body = framed_file_body(
            &job.opts.bundle,
            0,
            frame.prefix.clone(),
            job.size,
            frame.suffix.clone(),
            counter,
        )?;
        let len = frame.prefix.len() as u64 + job.size + frame.suffix.len() as u64;
        Ok((Method::POST, frame.content_type.clone(), len, body))
    })
}

pub(crate) fn put(job: &Job<'_>, progress: &mut Report<'_>) -> Result<Outcome, UploadError> {
    // No credentials probe for PUT: an empty PUT would create or overwrite the target.
    send_whole(job, Protocol::Put, progress, &|| None, |counter| {
        let body = file_body(&job.opts.bundle, 0, job.size, counter)?;
        Ok((Method::PUT, "application/octet-stream".into(), job.size, body))
    })
}

/// Method, content type, body length, body.
type Request = (Method, String, u64, Body);

fn send_whole(
    job: &Job<'_>,
    protocol: Protocol,
    progress: &mut Report<'_>,
    probe: &dyn Fn() -> Option<UploadError>,
    make: impl Fn(Arc<AtomicU64>) -> Result<Request, UploadError>,
) -> Result<Outcome, UploadError> {
    let total = job.size;
    job.retry(progress, |progress, _| {
        let counter = Arc::new(AtomicU64::new(0));
        let (method, content_type, len, body) = make(counter.clone())?;
        let req = job
            .http
            .request(method, &job.url, total)
            .header("Content-Type", content_type)
            // The body is a stream; without a length it would go chunked, which simple upload
            // servers (uploadserver among them) do not read.
            .header("Content-Length", len)
            .body(body);
        let resp = job.http.send_watching(req, &counter, &|| job.cancelled(), &mut |done| {
            progress(Progress::Sending { protocol, done, total })
        });
        match resp {
            Ok(resp) => job.http.check(resp).map(drop),
            Err(Failure::Transient(cause)) => match probe() {
                Some(refusal) => Err(Failure::Fatal(refusal)),
                None => Err(Failure::Transient(cause)),
            },
            Err(fatal) => Err(fatal),
        }
    })?;
    Ok(Outcome {
        protocol,
        location: job.url.to_string(),
        size: job.size,
        // Filled in by `upload` from the hash computed alongside.
        sha256: String::new(),
        resumed_from: 0,
    })
}

/// Asks with a form that holds no file whether the credentials are refused: `Some(Auth)` if
/// so. Servers such as uploadserver answer 401 as soon as they have the headers and close the
/// connection, so a client still writing a large body often sees "broken pipe" instead of the
/// answer. A form this small is sent whole before the server can answer, so its 401 is seen;
/// with the right credentials it is refused as incomplete (uploadserver: 400) and stores
/// nothing. Any answer but 401/403, and any failure, leaves the retry to decide.
fn check_credentials(job: &Job<'_>, identity: &str) -> Option<UploadError> {
    let frame = form_frame(&job.opts.field, &job.file_name, identity);
    let b = &frame.boundary;
    let body = format!(
        "--{b}\r\nContent-Disposition: form-data; name=\"cmgelog-credentials-check\"\r\n\r\n\
         1\r\n--{b}--\r\n"
    );
    let resp = job
        .http
        .send(
            job.http
                .request(Method::POST, &job.url, 0)
                .timeout(std::time::Duration::from_secs(10))
                .header("Content-Type", frame.content_type.as_str())
                .body(body),
        )
        .ok()?;
    match job.http.check(resp) {
        Err(Failure::Fatal(e @ UploadError::Auth { .. })) => Some(e),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_form_with_one_file_field() {
        let sha = "ab".repeat(32);
        let f = form_frame("files", "CMGE_Log.zip", &sha);
        let boundary = format!("cmgelog-{}", &sha[..40]);
        assert_eq!(f.content_type, format!("multipart/form-data; boundary={boundary}"));
        assert_eq!(
            String::from_utf8(f.prefix).unwrap(),
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; \
                 filename=\"CMGE_Log.zip\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
        );
        assert_eq!(String::from_utf8(f.suffix).unwrap(), format!("\r\n--{boundary}--\r\n"));
    }

    #[test]
    fn file_names_cannot_break_the_header() {
        let f = form_frame("files", "a\"b\r\nX-Evil: 1.zip", &"0".repeat(64));
        let prefix = String::from_utf8(f.prefix).unwrap();
        assert!(prefix.contains("filename=\"a\\\"b%0D%0AX-Evil: 1.zip\""));
    }
}
