//! tus 1.0 (https://tus.io/protocols/resumable-upload): discovery (`OPTIONS`), creation
//! (`POST` with `Upload-Length` and `Upload-Metadata`), chunks (`PATCH` from the confirmed
//! offset), resume (`HEAD`), the checksum extension (sha1 per chunk) and termination (`DELETE`
//! of a stale upload) where the server advertises them.

use super::http::file_body;
use super::retry::{Failure, Transient};
use super::state::{self, ResumeState};
use super::{Job, Outcome, Progress, Protocol, Report, UploadError};
use base64::Engine;
use reqwest::{Method, Response, StatusCode, Url};
use sha1::{Digest, Sha1};
use std::io::{Read, Seek, SeekFrom};
use std::sync::atomic::AtomicU64;
use std::sync::Arc;

const TUS_RESUMABLE: &str = "1.0.0";

/// What the server said about itself in answer to `OPTIONS`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TusServer {
    pub versions: Vec<String>,
    pub extensions: Vec<String>,
    pub max_size: Option<u64>,
    pub checksum_algorithms: Vec<String>,
}

impl TusServer {
    fn has(&self, extension: &str) -> bool {
        self.extensions.iter().any(|e| e == extension)
    }

    /// Checksums only when advertised, and only sha1 (the algorithm every checksum-capable
    /// server must support).
    fn checksums_sha1(&self) -> bool {
        self.has("checksum") && self.checksum_algorithms.iter().any(|a| a == "sha1")
    }
}

/// `OPTIONS` on the endpoint: `Some` if it speaks tus 1.0.0, `None` if it does not (no
/// `Tus-Version`, or 404/405/501 to `OPTIONS`). 401/403 fail here, before any hashing.
pub(crate) fn discover(job: &Job<'_>, progress: &mut Report<'_>) -> Result<Option<TusServer>, UploadError> {
    let server = job.retry(progress, |_, _| {
        let resp = job.http.send(job.http.request(Method::OPTIONS, &job.url, 0))?;
        if matches!(resp.status().as_u16(), 404 | 405 | 501) {
            return Ok(None);
        }
        let resp = job.http.check(resp)?;
        Ok(parse_options(&resp))
    })?;
    match server {
        Some(s) if !s.versions.iter().any(|v| v == TUS_RESUMABLE) => Err(UploadError::NotTus {
            url: job.url.to_string(),
            detail: format!("it speaks tus {} only", s.versions.join(", ")),
        }),
        other => Ok(other),
    }
}

fn parse_options(resp: &Response) -> Option<TusServer> {
    let versions = list(header(resp, "tus-version")?);
    Some(TusServer {
        versions,
        extensions: header(resp, "tus-extension").map(list).unwrap_or_default(),
        max_size: header(resp, "tus-max-size").and_then(|v| v.trim().parse().ok()),
        checksum_algorithms: header(resp, "tus-checksum-algorithm").map(list).unwrap_or_default(),
    })
}

fn header<'r>(resp: &'r Response, name: &str) -> Option<&'r str> {
    resp.headers().get(name)?.to_str().ok()
}

fn list(v: &str) -> Vec<String> {
    v.split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// `Upload-Metadata`: comma-separated `key base64(value)` pairs.
pub fn encode_metadata(pairs: &[(&str, &str)]) -> String {
    let b64 = base64::engine::general_purpose::STANDARD;
    pairs
        .iter()
        .map(|(k, v)| format!("{k} {}", b64.encode(v)))
        .collect::<Vec<_>>()
        .join(",")
}

pub(crate) fn upload(
    job: &Job<'_>,
    server: &TusServer,
    identity: &str,
    progress: &mut Report<'_>,
) -> Result<Outcome, UploadError> {
    if let Some(max) = server.max_size.filter(|&m| job.size > m) {
        return Err(UploadError::TooLarge { size: job.size, max });
    }
    let state_path = state::state_path(&job.opts.bundle);
    let resumed = resume(job, server, identity, &state_path, progress)?;
    let (upload_url, mut offset) = match resumed {
        Some(found) => {
            progress(Progress::Resumed {
                offset: found.1,
                total: job.size,
            });
            found
        }
        None => {
            if !server.has("creation") {
                return Err(UploadError::NotTus {
                    url: job.url.to_string(),
                    detail: "no creation extension".into(),
                });
            }
            (create(job, progress)?, 0)
        }
    };
    let resumed_from = offset;
    let mut saved = ResumeState {
        endpoint: job.url.to_string(),
        upload_url: upload_url.to_string(),
        size: job.size,
        identity: identity.to_string(),
        offset,
    };
    state::save(&state_path, &saved)?;
    progress(Progress::Sending {
        protocol: Protocol::Tus,
        done: offset,
        total: job.size,
    });
    while offset < job.size {
        offset = send_chunk(job, server, &upload_url, offset, progress)?;
        saved.offset = offset;
        state::save(&state_path, &saved)?;
    }
    // The last PATCH said so already; asking once more makes "done" the server's word.
    let confirmed = job.retry(progress, |_, _| head(job, &upload_url))?;
    if confirmed != Some(job.size) {
        return Err(UploadError::Protocol {
            detail: format!(
                "after the last chunk the server reports offset {confirmed:?}, not {}",
                job.size
            ),
        });
    }
    state::remove(&state_path)?;
    Ok(Outcome {
        protocol: Protocol::Tus,
        location: upload_url.to_string(),
        size: job.size,
        // Filled in by `upload` from the hash computed alongside.
        sha256: String::new(),
        resumed_from,
    })
}

/// The upload to continue, if the state file names one for this endpoint and this very file
/// and the server still has it; its offset is the server's (`HEAD`), never the file's.
fn resume(
    job: &Job<'_>,
    server: &TusServer,
    identity: &str,
    state_path: &std::path::Path,
    progress: &mut Report<'_>,
) -> Result<Option<(Url, u64)>, UploadError> {
    let Some(saved) = state::load(state_path) else {
        return Ok(None);
    };
    let Ok(upload_url) = Url::parse(&saved.upload_url) else {
        return Ok(None);
    };
    let same = saved.endpoint == job.url.as_str() && saved.size == job.size && saved.identity == identity;
    if !same {
        // The bundle changed (or goes elsewhere): the old upload is useless. Remove it where
        // the server allows, on a best-effort basis (it expires anyway).
        if server.has("termination") && saved.endpoint == job.url.as_str() {
            let _ = job.http.send(
                job.http
                    .request(Method::DELETE, &upload_url, 0)
                    .header("Tus-Resumable", TUS_RESUMABLE),
            );
        }
        return Ok(None);
    }
    match job.retry(progress, |_, _| head(job, &upload_url))? {
        Some(offset) if offset <= job.size => Ok(Some((upload_url, offset))),
        _ => Ok(None),
    }
}

/// `HEAD` of the upload: its offset, or `None` if the server no longer has it (404, 410).
fn head(job: &Job<'_>, upload_url: &Url) -> Result<Option<u64>, Failure> {
    let resp = job.http.send(
        job.http
            .request(Method::HEAD, upload_url, 0)
            .header("Tus-Resumable", TUS_RESUMABLE),
    )?;
    if matches!(resp.status(), StatusCode::NOT_FOUND | StatusCode::GONE) {
        return Ok(None);
    }
    let resp = job.http.check(resp)?;
    offset_of(&resp).map(Some)
}

fn offset_of(resp: &Response) -> Result<u64, Failure> {
    header(resp, "upload-offset")
        .and_then(|v| v.trim().parse().ok())
        .ok_or_else(|| {
            Failure::Fatal(UploadError::Protocol {
                detail: format!("answer {} without a valid Upload-Offset", resp.status()),
            })
        })
}

/// `POST` to the endpoint: a new upload of this size with its metadata; returns its URL.
/// (The bundle's sha256 is not in the metadata: it is computed while the upload runs, and the
/// final message gives it to the user to tell support.)
fn create(job: &Job<'_>, progress: &mut Report<'_>) -> Result<Url, UploadError> {
    let size = job.size.to_string();
    let mut pairs = vec![("filename", job.file_name.as_str()), ("size", size.as_str())];
    if let Some(case) = &job.opts.case_id {
        pairs.push(("case", case.as_str()));
    }
    let metadata = encode_metadata(&pairs);
    // A retried POST whose first answer was lost leaves an orphan upload on the server; it
    // expires there, and is cheaper than a failed run.
    job.retry(progress, |_, _| {
        let resp = job.http.check(
            job.http.send(
                job.http
                    .request(Method::POST, &job.url, 0)
                    .header("Tus-Resumable", TUS_RESUMABLE)
                    .header("Upload-Length", size.as_str())
                    .header("Upload-Metadata", metadata.as_str())
                    .header("Content-Length", "0"),
            )?,
        )?;
        let location = header(&resp, "location").ok_or_else(|| {
            Failure::Fatal(UploadError::Protocol {
                detail: "creation answer without Location".into(),
            })
        })?;
        job.url.join(location).map_err(|e| {
            Failure::Fatal(UploadError::Protocol {
                detail: format!("Location {location:?}: {e}"),
            })
        })
    })
}

/// Sends one chunk from `offset` and returns the server's new offset. A retry first asks the
/// server where it stands (`HEAD`), so a chunk cut off half way is continued, not repeated.
fn send_chunk(
    job: &Job<'_>,
    server: &TusServer,
    upload_url: &Url,
    offset: u64,
    progress: &mut Report<'_>,
) -> Result<u64, UploadError> {
    let mut from = offset;
    job.retry(progress, |progress, attempt| {
        if attempt > 0 {
            from = head(job, upload_url)?.ok_or_else(|| {
                Failure::Fatal(UploadError::Protocol {
                    detail: "the server no longer has the upload; run the command again to start over".into(),
                })
            })?;
            if from >= job.size {
                return Ok(from);
            }
        }
        let len = job.opts.chunk_size.max(1).min(job.size - from);
        let counter = Arc::new(AtomicU64::new(0));
        let mut req = job
            .http
            .request(Method::PATCH, upload_url, len)
            .header("Tus-Resumable", TUS_RESUMABLE)
            .header("Upload-Offset", from.to_string())
            .header("Content-Type", "application/offset+octet-stream")
            .header("Content-Length", len)
            .body(file_body(&job.opts.bundle, from, len, counter.clone())?);
        if server.checksums_sha1() {
            req = req.header("Upload-Checksum", chunk_checksum(job, from, len)?);
        }
        let total = job.size;
        let resp = job.http.send_watching(req, &counter, &|| job.cancelled(), &mut |n| {
            progress(Progress::Sending {
                protocol: Protocol::Tus,
                done: from + n,
                total,
            })
        })?;
        let new = offset_of(&job.http.check(resp)?)?;
        if new <= from || new > job.size {
            // Not progress: ask again rather than loop or run past the end.
            return Err(Failure::Transient(Transient::Status {
                status: 204,
                text: format!("offset {new} after sending from {from}"),
            }));
        }
        Ok(new)
    })
}

/// `Upload-Checksum: sha1 <base64>` of the chunk, read from disk before it is sent.
fn chunk_checksum(job: &Job<'_>, from: u64, len: u64) -> Result<String, UploadError> {
    let path = &job.opts.bundle;
    let err = |e| super::http::file_error(path, e);
    let mut file = std::fs::File::open(path).map_err(err)?;
    file.seek(SeekFrom::Start(from)).map_err(err)?;
    let mut reader = file.take(len);
    let mut hasher = Sha1::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = reader.read(&mut buf).map_err(err)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    let b64 = base64::engine::general_purpose::STANDARD;
    Ok(format!("sha1 {}", b64.encode(hasher.finalize())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_pairs_are_base64_values_joined_by_commas() {
        let m = encode_metadata(&[("filename", "CMGE_Log 1.zip"), ("size", "0"), ("case", "案例-7")]);
        assert_eq!(m, "filename Q01HRV9Mb2cgMS56aXA=,size MA==,case 5qGI5L6LLTc=");
    }

    #[test]
    fn empty_metadata_value_encodes_to_nothing() {
        assert_eq!(encode_metadata(&[("case", "")]), "case ");
    }

    #[test]
    fn extension_lists_are_trimmed() {
        assert_eq!(
            list(" creation, termination ,,checksum"),
            ["creation", "termination", "checksum"]
        );
        let s = TusServer {
            versions: vec!["1.0.0".into()],
            extensions: list("creation,checksum"),
            max_size: None,
            checksum_algorithms: list("md5, sha1"),
        };
        assert!(s.checksums_sha1());
        let no_ext = TusServer {
            extensions: list("creation"),
            ..s
        };
        assert!(!no_ext.checksums_sha1());
    }
}
