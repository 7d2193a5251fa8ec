//! Helpers of the upload tests: the real servers (started, found by their port line, killed
//! on drop), the built binary with a clean environment, test files and their hashes.

use serde_json::Value;
use sha2::{Digest, Sha256};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

pub const USER: &str = "case-20261202";
/// Distinctive (and non-ASCII) so that finding it anywhere is meaningful.
pub const PASSWORD: &str = "Tr0ub4dor-密码-7781";

pub fn servers_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/upload-servers")
}

/// A server child process, killed when the guard goes.
pub struct Server {
    child: Child,
    pub port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// Starts `cmd` and waits for the line that tells its port (`port_of` extracts it).
    pub fn start(mut cmd: Command, what: &str, port_of: fn(&str) -> Option<u16>) -> Server {
        let mut child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {what}: {e}"));
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, rx) = mpsc::channel();
        // Reads until EOF so the server never blocks on a full pipe.
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if let Some(port) = port_of(&line) {
                    let _ = tx.send(port);
                }
            }
        });
        match rx.recv_timeout(Duration::from_secs(30)) {
            Ok(port) => Server { child, port },
            Err(_) => {
                let _ = child.kill();
                let mut err = String::new();
                if let Some(mut e) = child.stderr.take() {
                    let _ = e.read_to_string(&mut err);
                }
                panic!(
                    "{what} did not start; `bash scripts/test.sh` installs the test servers \
                     (npm ci --prefix tests/upload-servers; pip install --target \
                     tests/upload-servers/python uploadserver==6.0.5).\nstderr: {err}"
                );
            }
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }
}

pub fn tus_server(store: &Path, port: u16, max_size: Option<u64>) -> Server {
    start_tus(store, port, max_size, None)
}

/// The tus server, over HTTPS with `(cert, key)` when given.
pub fn start_tus(store: &Path, port: u16, max_size: Option<u64>, tls: Option<(&Path, &Path)>) -> Server {
    let script = servers_dir().join("tus.mjs");
    assert!(
        servers_dir().join("node_modules/@tus/server").is_dir(),
        "@tus/server is not installed: run `npm ci --prefix tests/upload-servers` \
         (scripts/test.sh does)"
    );
    let mut cmd = Command::new("node");
    cmd.arg(script)
        .arg(store)
        .arg(port.to_string())
        .arg(format!("{USER}:{PASSWORD}"));
    if let Some(max) = max_size {
        cmd.arg(max.to_string());
    }
    if let Some((cert, key)) = tls {
        cmd.env("TLS_CERT", cert).env("TLS_KEY", key);
    }
    Server::start(cmd, "the tus server (node tus.mjs)", |line| {
        line.strip_prefix("listening ")?.trim().parse().ok()
    })
}

pub fn upload_server(dir: &Path) -> Server {
    let mut cmd = Command::new("python3");
    // scripts/test.sh installs it there (pip --target), not into the system Python.
    cmd.env("PYTHONPATH", servers_dir().join("python"))
        .args(["-u", "-m", "uploadserver", "0", "--bind", "127.0.0.1"])
        .arg("--basic-auth-upload")
        .arg(format!("{USER}:{PASSWORD}"))
        .arg("--directory")
        .arg(dir);
    // "Serving HTTP on 127.0.0.1 port 41234 (http://127.0.0.1:41234/) ..."
    Server::start(cmd, "uploadserver (python3 -m uploadserver)", |line| {
        let rest = line.split(" port ").nth(1)?;
        rest.split_whitespace().next()?.parse().ok()
    })
}

/// The tus wrapper's counters (`GET /__stats`, no authentication), over a bare socket so the
/// check does not depend on the HTTP client under test.
pub fn stats(server: &Server) -> Value {
    let mut conn = std::net::TcpStream::connect(("127.0.0.1", server.port)).expect("stats");
    conn.write_all(b"GET /__stats HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
        .unwrap();
    let mut answer = String::new();
    conn.read_to_string(&mut answer).unwrap();
    let body = answer.split("\r\n\r\n").nth(1).expect("stats body");
    serde_json::from_str(body).expect("stats are JSON")
}

/// The built binary with a clean environment: English, no proxy, no password unless given.
pub fn cmgelog(password: Option<&str>) -> Command {
    let mut c = Command::new(assert_cmd::cargo::cargo_bin("cmgelog"));
    for var in [
        "LC_ALL",
        "LC_MESSAGES",
        "CMGELOG_PASSWORD",
        "http_proxy",
        "HTTP_PROXY",
        "https_proxy",
        "HTTPS_PROXY",
        "all_proxy",
        "ALL_PROXY",
    ] {
        c.env_remove(var);
    }
    c.env("LANG", "en_US.UTF-8").stdin(Stdio::null());
    if let Some(p) = password {
        c.env("CMGELOG_PASSWORD", p);
    }
    c
}

pub fn upload_args(c: &mut Command, bundle: &Path, url: &str) {
    c.arg("upload").arg(bundle).args(["--url", url, "--user", USER]);
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

pub fn finish(out: Output) -> Run {
    Run {
        code: out.status.code().expect("exit code"),
        stdout: String::from_utf8(out.stdout).expect("UTF-8 stdout"),
        stderr: String::from_utf8(out.stderr).expect("UTF-8 stderr"),
    }
}

pub fn upload(bundle: &Path, url: &str, extra: &[&str]) -> Run {
    let mut c = cmgelog(Some(PASSWORD));
    upload_args(&mut c, bundle, url);
    finish(c.args(extra).output().expect("runs"))
}

/// A file of `size` bytes: a pseudo-random 1 MiB block repeated, each copy stamped with its
/// index, so a chunk stored at the wrong offset changes the hash.
pub fn make_file(path: &Path, size: u64, seed: u64) {
    let mut block = vec![0u8; 1 << 20];
    let mut x = seed | 1;
    for b in block.chunks_mut(8) {
        // xorshift64: fast, and good enough to make every block unlike the others.
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        b.copy_from_slice(&x.to_le_bytes()[..b.len()]);
    }
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    let mut written = 0u64;
    let mut index = 0u64;
    while written < size {
        block[..8].copy_from_slice(&index.to_le_bytes());
        let n = (size - written).min(block.len() as u64) as usize;
        f.write_all(&block[..n]).unwrap();
        written += n as u64;
        index += 1;
    }
    f.flush().unwrap();
}

pub fn sha256_of(path: &Path) -> String {
    let mut f = std::fs::File::open(path).unwrap();
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f.read(&mut buf).unwrap();
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// (location, sha256) from the final line "uploaded … to LOCATION ; sha256 HEX".
pub fn final_line(stdout: &str) -> (String, String) {
    let line = stdout.lines().last().unwrap_or_default();
    let location = line
        .split(" to ")
        .nth(1)
        .and_then(|r| r.split(" ; ").next())
        .unwrap_or_else(|| panic!("no location in {line:?}"));
    let sha = line
        .rsplit("sha256 ")
        .next()
        .unwrap_or_else(|| panic!("no sha256 in {line:?}"));
    (location.to_string(), sha.to_string())
}

/// The file the tus file store keeps for the upload at `location` (its id is the last segment).
pub fn stored_tus_file(store: &Path, location: &str) -> PathBuf {
    let id = location.rsplit('/').next().unwrap();
    store.join(id)
}

pub fn state_file(bundle: &Path) -> PathBuf {
    let mut name = bundle.file_name().unwrap().to_os_string();
    name.push(".upload.json");
    bundle.with_file_name(name)
}

pub fn state_offset(bundle: &Path) -> Option<u64> {
    let text = std::fs::read(state_file(bundle)).ok()?;
    serde_json::from_slice::<Value>(&text).ok()?["offset"].as_u64()
}

/// Waits for `child` to end, at most `limit`.
pub fn wait_with_limit(mut child: Child, limit: Duration) -> Run {
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > limit {
            let _ = child.kill();
            panic!("the uploader did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    finish(child.wait_with_output().unwrap())
}

/// Polls until the uploader's state file shows more than `at_least` bytes confirmed.
pub fn wait_for_offset(child: &mut Child, bundle: &Path, at_least: u64) -> u64 {
    let start = Instant::now();
    loop {
        if let Some(offset) = state_offset(bundle).filter(|&o| o > at_least) {
            return offset;
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "the uploader ended before it got past {at_least} bytes"
        );
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "no progress in the state file"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// A number in `0..n` that differs from run to run (the kill point), without a random crate.
pub fn pseudo_random(n: u64) -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos() as u64;
    (nanos ^ (nanos >> 7)) % n
}

/// A private CA and a certificate for 127.0.0.1 signed by it, made with the openssl tool.
pub fn private_ca(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let openssl = |args: &[&str]| {
        let out = Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .output()
            .expect("the openssl tool (scripts/test.sh installs it)");
        assert!(
            out.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    openssl(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "2",
        "-subj",
        "/CN=cmgelog test CA",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
    ]);
    openssl(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-subj",
        "/CN=127.0.0.1",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
    ]);
    std::fs::write(dir.join("san.ext"), "subjectAltName=IP:127.0.0.1\n").unwrap();
    openssl(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        "2",
        "-extfile",
        "san.ext",
        "-out",
        "server.pem",
    ]);
    (dir.join("ca.pem"), dir.join("server.pem"), dir.join("server.key"))
}

pub fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out.sort();
    out
}
