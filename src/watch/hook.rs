//! `--hook URL`: each analysed bundle's summary POSTed as JSON to a ticket system, on its own
//! thread so a slow receiver never holds up the analyses. A summary that still fails after
//! the retries is written to RESULTS/dead-letter/<name>.json for someone to replay; the state
//! says which were delivered, so a restart sends only the pending ones.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, Sender};
use std::time::Duration;

/// Attempts per summary, and the wait before each retry.
pub const BACKOFF: [Duration; 3] = [
    Duration::from_millis(500),
    Duration::from_secs(2),
    Duration::from_secs(5),
];
const TIMEOUT: Duration = Duration::from_secs(20);

/// One summary to deliver.
pub struct Delivery {
    pub sha256: String,
    pub name: String,
    pub body: Value,
}

/// How a delivery ended.
pub struct Outcome {
    pub sha256: String,
    pub delivered: bool,
    pub detail: String,
}

/// Delivers what arrives on `rx` until the sender is dropped; each outcome goes to `done`.
pub fn run(url: reqwest::Url, dead_letter: PathBuf, rx: Receiver<Delivery>, done: Sender<Outcome>) {
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            for d in rx {
                let _ = park(&dead_letter, &d);
                let _ = done.send(Outcome {
                    sha256: d.sha256,
                    delivered: false,
                    detail: format!("runtime: {e}"),
                });
            }
            return;
        }
    };
    let client = runtime.block_on(async { reqwest::Client::builder().timeout(TIMEOUT).build() });
    for d in rx {
        let result = match &client {
            Ok(c) => runtime.block_on(deliver(c, &url, &d.body)),
            Err(e) => Err(e.to_string()),
        };
        let outcome = match result {
            Ok(()) => Outcome {
                sha256: d.sha256.clone(),
                delivered: true,
                detail: String::new(),
            },
            Err(detail) => {
                let detail = match park(&dead_letter, &d) {
                    Ok(p) => format!("{detail}; kept in {}", p.display()),
                    Err(e) => format!("{detail}; and the dead-letter file could not be written: {e}"),
                };
                Outcome {
                    sha256: d.sha256.clone(),
                    delivered: false,
                    detail,
                }
            }
        };
        if done.send(outcome).is_err() {
            break;
        }
    }
}

async fn deliver(client: &reqwest::Client, url: &reqwest::Url, body: &Value) -> Result<(), String> {
    let mut last = String::new();
    for (attempt, wait) in std::iter::once(Duration::ZERO).chain(BACKOFF).enumerate() {
        tokio::time::sleep(wait).await;
        let request = client
            .post(url.clone())
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(serde_json::to_vec(body).unwrap_or_default());
        match request.send().await {
            Ok(r) if r.status().is_success() => return Ok(()),
            // A 4xx other than 408/429 will not change by asking again.
            Ok(r) if r.status().is_client_error() && !matches!(r.status().as_u16(), 408 | 429) => {
                return Err(format!("the hook answered {}", r.status()));
            }
            Ok(r) => last = format!("the hook answered {} (attempt {})", r.status(), attempt + 1),
            Err(e) => last = format!("{} (attempt {})", chain(&e), attempt + 1),
        }
    }
    Err(last)
}

fn park(dir: &Path, d: &Delivery) -> std::io::Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    let path = dir.join(format!("{}.json", d.name));
    std::fs::write(&path, serde_json::to_vec_pretty(&d.body).unwrap_or_default())?;
    Ok(path)
}

/// An error with its causes ("error sending request: connection refused").
fn chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        s.push_str(": ");
        s.push_str(&c.to_string());
        cause = c.source();
    }
    s
}
