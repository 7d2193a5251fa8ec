//! Reachability of the activation endpoints: name resolution and a TCP connect per endpoint,
//! with its own short timeout (Test-NetConnection has none and can take 20 s per host).
//! The result is one line per endpoint, tab-separated, so the analyzer's text rules can read it.

use super::capture::TailCapture;
use super::command::Produced;
use super::files::{io_status, produced};
use super::stop::Stop;
use std::io::{self, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::path::Path;
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

pub fn probe(endpoints: &[String], staged: &Path, cap: u64, stop: &Stop) -> Produced {
    let result = (|| -> io::Result<_> {
        let mut out = TailCapture::create(staged, cap)?;
        writeln!(out, "endpoint\tresolved\tconnect\tms")?;
        for ep in endpoints {
            if stop.check().is_some() {
                writeln!(out, "{ep}\tskipped\tskipped\t-")?;
                continue;
            }
            writeln!(out, "{}", probe_one(ep, stop))?;
        }
        out.finish()
    })();
    match result {
        Ok(c) => produced(c),
        Err(e) => Produced::failed(io_status(&e), e.to_string()),
    }
}

fn probe_one(endpoint: &str, stop: &Stop) -> String {
    let start = Instant::now();
    // getaddrinfo has no timeout: resolve on a thread and stop waiting at the item's limit.
    let (tx, rx) = mpsc::channel();
    let name = endpoint.to_string();
    thread::spawn(move || {
        let _ = tx.send(name.to_socket_addrs().map(|a| a.collect::<Vec<SocketAddr>>()));
    });
    let wait = stop
        .until()
        .saturating_duration_since(Instant::now())
        .min(CONNECT_TIMEOUT);
    let addrs = match rx.recv_timeout(wait) {
        Ok(Ok(a)) if !a.is_empty() => a,
        Ok(Ok(_)) => return format!("{endpoint}\tno address\t-\t{}", start.elapsed().as_millis()),
        Ok(Err(e)) => return format!("{endpoint}\terror: {e}\t-\t{}", start.elapsed().as_millis()),
        Err(_) => return format!("{endpoint}\ttimeout\t-\t{}", start.elapsed().as_millis()),
    };
    let shown: Vec<String> = addrs.iter().map(|a| a.ip().to_string()).collect();
    let connect = match TcpStream::connect_timeout(&addrs[0], CONNECT_TIMEOUT) {
        Ok(_) => "ok".to_string(),
        Err(e) => format!("error: {e}"),
    };
    format!(
        "{endpoint}\t{}\t{connect}\t{}",
        shown.join(","),
        start.elapsed().as_millis()
    )
}
