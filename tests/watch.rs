//! `cmgelog watch`: the built binary watching real folders, with bundles copied in slowly, a
//! duplicate, a broken zip, a restart in the middle, a real tus upload in progress
//! (@tus/server's file store, as in the upload tests) and a real HTTP receiver for `--hook`.
//! Each complete bundle must be analysed exactly once, never half-written, and the results
//! folder and the index must agree.

mod common;
#[path = "upload/support.rs"]
#[allow(dead_code)]
mod support;

use common::{read_zip, repo, write_zip, SAMPLES};
use rusqlite::Connection;
use serde_json::Value;
use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A running `cmgelog watch`, its stderr lines collected as they come.
struct Watcher {
    child: Child,
    lines: Arc<Mutex<Vec<String>>>,
}

impl Watcher {
    fn start(inbox: &Path, out: &Path, extra: &[&str]) -> Watcher {
        let mut child = Command::new(env!("CARGO_BIN_EXE_cmgelog"))
            .args(["watch", "--lang", "en", "--settle", "1", "--rescan", "2", "--out"])
            .arg(out)
            .arg(inbox)
            .args(extra)
            .env_remove("LC_ALL")
            .env("LANG", "en_US.UTF-8")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("cmgelog runs");
        let lines = Arc::new(Mutex::new(Vec::new()));
        let (stderr, sink) = (child.stderr.take().unwrap(), Arc::clone(&lines));
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                sink.lock().unwrap().push(line);
            }
        });
        Watcher { child, lines }
    }

    fn lines(&self) -> Vec<String> {
        self.lines.lock().unwrap().clone()
    }

    fn count(&self, prefix: &str) -> usize {
        self.lines().iter().filter(|l| l.starts_with(prefix)).count()
    }

    /// Waits until `done` holds of the lines so far.
    fn wait_until(&mut self, what: &str, done: impl Fn(&[String]) -> bool) {
        let start = Instant::now();
        loop {
            if done(&self.lines()) {
                return;
            }
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!(
                    "the watcher ended ({status}) before {what}:\n{}",
                    self.lines().join("\n")
                );
            }
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "timed out waiting for {what}:\n{}",
                self.lines().join("\n")
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// SIGTERM, as systemd and `docker stop` send; returns the exit code and all lines.
    fn terminate(mut self) -> (i32, Vec<String>) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let start = Instant::now();
        let status = loop {
            if let Some(s) = self.child.try_wait().unwrap() {
                break s;
            }
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "the watcher did not stop on SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(20));
        };
        // The reader thread ends at EOF; give it a moment to take the last lines.
        std::thread::sleep(Duration::from_millis(100));
        (status.code().unwrap_or(-1), self.lines())
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `cmgelog watch --once`: (exit code, stderr).
fn watch_once(inbox: &Path, out: &Path, extra: &[&str]) -> (i32, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_cmgelog"))
        .args(["watch", "--once", "--lang", "en", "--settle", "1", "--out"])
        .arg(out)
        .arg(inbox)
        .args(extra)
        .env("LANG", "en_US.UTF-8")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// A distinct bundle: a sample with one extra entry naming `tag`, so its hash is its own.
fn variant(dir: &Path, sample: &str, tag: &str) -> PathBuf {
    let mut entries = read_zip(&repo(sample));
    entries.push(("notes/tag.txt".to_string(), tag.as_bytes().to_vec()));
    let path = dir.join(format!("{tag}.zip"));
    write_zip(&path, &entries);
    path
}

fn sha256_hex(data: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(data).iter().map(|b| format!("{b:02x}")).collect()
}

/// The index's arrivals: (name, sha256, exit code).
fn arrivals(out: &Path) -> Vec<(String, String, i64)> {
    let conn = Connection::open(out.join("index.sqlite")).unwrap();
    let mut stmt = conn
        .prepare("SELECT name, sha256, exit_code FROM arrivals ORDER BY name")
        .unwrap();
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap();
    rows.map(Result::unwrap).collect()
}

/// Results folder and index agree: every arrival has its three reports, parseable, for its
/// own content; no other report and no temporary file is there.
fn check_consistent(out: &Path) -> Vec<(String, String, i64)> {
    let rows = arrivals(out);
    let mut expected = BTreeSet::new();
    for (name, sha, _) in &rows {
        assert!(name.ends_with(&sha[..12]), "{name} is not named by its hash {sha}");
        for kind in ["json", "html", "md", "zh.html"] {
            expected.insert(format!("{name}.{kind}"));
        }
        let json: Value = serde_json::from_slice(&std::fs::read(out.join(format!("{name}.json"))).unwrap()).unwrap();
        assert!(json.get("findings").is_some(), "{name}.json is not a report");
    }
    let present: BTreeSet<String> = std::fs::read_dir(out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with("index.sqlite") && n != "dead-letter")
        .collect();
    assert_eq!(present, expected, "the results folder and the index disagree");
    // Each row's content is analysed once.
    let shas: BTreeSet<&String> = rows.iter().map(|r| &r.1).collect();
    assert_eq!(shas.len(), rows.len());
    rows
}

#[test]
fn slow_copies_duplicates_broken_zips_and_restarts() {
    let tmp = tempfile::tempdir().unwrap();
    let (inbox, out, src) = (
        tmp.path().join("inbox"),
        tmp.path().join("results"),
        tmp.path().join("src"),
    );
    std::fs::create_dir_all(&inbox).unwrap();
    std::fs::create_dir_all(&src).unwrap();

    let mut w = Watcher::start(&inbox, &out, &["--jobs", "2"]);
    w.wait_until("the start line", |l| {
        l.iter().any(|l| l.starts_with("cmgelog: watching"))
    });

    // A slow copy: half, a pause longer than the settle time with the file still open, the rest.
    let slow = std::fs::read(repo(SAMPLES[4])).unwrap();
    let slow_sha = sha256_hex(&slow);
    {
        let mut f = std::fs::File::create(inbox.join("slow.zip")).unwrap();
        for chunk in slow[..slow.len() / 2].chunks(1024) {
            f.write_all(chunk).unwrap();
            f.flush().unwrap();
            std::thread::sleep(Duration::from_millis(20));
        }
        std::thread::sleep(Duration::from_millis(2500));
        assert_eq!(
            w.count("analysed"),
            0,
            "a half-written file was taken:\n{}",
            w.lines().join("\n")
        );
        f.write_all(&slow[slow.len() / 2..]).unwrap();
    }
    // Two more bundles, a duplicate of the slow one under another name, and a broken zip.
    std::fs::copy(repo(SAMPLES[0]), inbox.join("CASE-A.zip")).unwrap();
    std::fs::copy(repo(SAMPLES[1]), inbox.join("CASE-B.zip")).unwrap();
    std::fs::write(inbox.join("broken.zip"), b"PK\x03\x04 this is no zip").unwrap();
    w.wait_until("four analyses", |l| {
        l.iter().filter(|l| l.starts_with("analysed")).count() == 4
    });
    std::fs::write(inbox.join("again.zip"), &slow).unwrap();
    w.wait_until("the duplicate", |l| l.iter().any(|l| l.starts_with("duplicate")));
    let (code, lines) = w.terminate();
    assert_eq!(code, 0, "{}", lines.join("\n"));
    assert!(
        lines
            .iter()
            .any(|l| l.contains("stopped. 4 analysed (1 damaged), 1 duplicates")),
        "{}",
        lines.join("\n")
    );

    let rows = check_consistent(&out);
    assert_eq!(rows.len(), 4);
    // The slow copy was analysed whole: its row has the complete file's hash.
    let slow_row = rows
        .iter()
        .find(|r| r.0.starts_with("slow-"))
        .expect("slow.zip analysed");
    assert_eq!(slow_row.1, slow_sha);
    let broken = rows
        .iter()
        .find(|r| r.0.starts_with("broken-"))
        .expect("broken.zip has its record");
    assert_eq!(broken.2, 2, "a broken bundle is recorded with exit code 2");
    let broken_json: Value =
        serde_json::from_slice(&std::fs::read(out.join(format!("{}.json", broken.0))).unwrap()).unwrap();
    assert!(!broken_json["errors"].as_array().unwrap().is_empty(), "{broken_json}");
    // The bundle's case id (the file name) names its results, and `find` sees it in the index
    // as soon as it is analysed (case C is added below, while no watcher runs: it is found by
    // the serial of its dmidecode dump after the restart).
    assert!(rows.iter().any(|r| r.0.starts_with("CASE-A-")));

    // A restart finds nothing new; a bundle dropped while it was stopped is analysed once.
    let (code, err) = watch_once(&inbox, &out, &[]);
    assert_eq!(code, 0, "nothing new, nothing failed in this run: {err}");
    assert!(err.contains("stopped. 0 analysed (0 damaged), 0 duplicates"), "{err}");
    std::fs::copy(repo(SAMPLES[2]), inbox.join("CASE-C.zip")).unwrap();
    let (_, err) = watch_once(&inbox, &out, &[]);
    assert!(err.contains("stopped. 1 analysed"), "{err}");
    assert_eq!(check_consistent(&out).len(), 5);
    let find = Command::new(env!("CARGO_BIN_EXE_cmgelog"))
        .args(["find", "--lang", "en", "--serial", "MS1C93BB0H00980", "--index"])
        .arg(out.join("index.sqlite"))
        .output()
        .unwrap();
    let found = String::from_utf8_lossy(&find.stdout);
    assert!(find.status.success() && found.contains("CASE-C.zip"), "{found}");

    // Files that are gone are forgotten (the index does not grow with every file ever seen);
    // their analyses stay.
    std::fs::remove_file(inbox.join("again.zip")).unwrap();
    std::fs::remove_file(inbox.join("CASE-C.zip")).unwrap();
    let (code, err) = watch_once(&inbox, &out, &[]);
    assert_eq!(code, 0, "{err}");
    let conn = Connection::open(out.join("index.sqlite")).unwrap();
    let seen: i64 = conn.query_row("SELECT count(*) FROM seen", [], |r| r.get(0)).unwrap();
    assert_eq!(
        seen as usize,
        std::fs::read_dir(&inbox).unwrap().count(),
        "one row per file still there"
    );
    assert_eq!(check_consistent(&out).len(), 5);
}

#[test]
fn a_restart_in_the_middle_analyses_each_bundle_exactly_once() {
    let tmp = tempfile::tempdir().unwrap();
    let (inbox, out) = (tmp.path().join("inbox"), tmp.path().join("results"));
    std::fs::create_dir_all(&inbox).unwrap();
    let count = 24;
    for i in 0..count {
        variant(&inbox, SAMPLES[i % SAMPLES.len()], &format!("case-{i:02}"));
    }
    // Old files: taken at once, no settling.
    let old = std::time::SystemTime::now() - Duration::from_secs(60);
    for e in std::fs::read_dir(&inbox).unwrap() {
        std::fs::File::options()
            .write(true)
            .open(e.unwrap().path())
            .unwrap()
            .set_modified(old)
            .unwrap();
    }
    let mut w = Watcher::start(&inbox, &out, &["--jobs", "1"]);
    w.wait_until("the first analysis", |l| l.iter().any(|l| l.starts_with("analysed")));
    let (code, first) = w.terminate();
    assert_eq!(code, 0);
    let first_n = first.iter().filter(|l| l.starts_with("analysed")).count();
    assert!(
        first_n < count,
        "all {count} were done before SIGTERM: the test did not stop in the middle"
    );
    check_consistent(&out);

    let (code, err) = watch_once(&inbox, &out, &[]);
    assert_eq!(code, 0, "{err}");
    let second_n = err.lines().filter(|l| l.starts_with("analysed")).count();
    assert_eq!(
        first_n + second_n,
        count,
        "each bundle exactly once across the restart:\n{err}"
    );
    assert_eq!(check_consistent(&out).len(), count);
}

#[test]
fn a_tus_upload_in_progress_is_analysed_when_complete_under_its_case_id() {
    let tmp = tempfile::tempdir().unwrap();
    let (store, out) = (tmp.path().join("store"), tmp.path().join("results"));
    std::fs::create_dir_all(&store).unwrap();
    let server = support::tus_server(&store, 0, None);
    // A real bundle made large enough to stop in the middle: a sample plus 6 MiB of noise.
    let noise = tmp.path().join("noise.bin");
    support::make_file(&noise, 6 << 20, 7);
    let mut entries = read_zip(&repo(SAMPLES[0]));
    entries.push(("extra/noise.bin".into(), std::fs::read(&noise).unwrap()));
    let bundle = tmp.path().join("bundle.zip");
    write_zip(&bundle, &entries);

    let mut w = Watcher::start(&store, &out, &[]);
    let url = server.url("/files/");
    let mut c = support::cmgelog(Some(support::PASSWORD));
    support::upload_args(&mut c, &bundle, &url);
    let mut child = c
        .args(["--case", "CMGE-2026-0042", "--chunk-size", "65536"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    support::wait_for_offset(&mut child, &bundle, 1 << 20);
    child.kill().unwrap();
    child.wait().unwrap();
    // Partial, stable, closed: still not analysed (the store's own account says incomplete).
    std::thread::sleep(Duration::from_secs(3));
    assert_eq!(
        w.count("analysed"),
        0,
        "a partial tus upload was analysed:\n{}",
        w.lines().join("\n")
    );
    assert!(arrivals_or_empty(&out).is_empty());

    let resumed = support::upload(&bundle, &url, &["--case", "CMGE-2026-0042"]);
    assert_eq!(resumed.code, 0, "{}", resumed.stderr);
    w.wait_until("the upload's analysis", |l| l.iter().any(|l| l.starts_with("analysed")));
    let (code, lines) = w.terminate();
    assert_eq!(code, 0);
    assert_eq!(
        lines.iter().filter(|l| l.starts_with("analysed")).count(),
        1,
        "{}",
        lines.join("\n")
    );
    let rows = check_consistent(&out);
    assert_eq!(rows.len(), 1);
    assert!(
        rows[0].0.starts_with("CMGE-2026-0042-"),
        "named by the tus metadata's case id: {}",
        rows[0].0
    );
    assert_eq!(rows[0].1, support::sha256_of(&bundle));
    let json: Value = serde_json::from_slice(&std::fs::read(out.join(format!("{}.json", rows[0].0))).unwrap()).unwrap();
    assert!(
        json.to_string().contains("baseboard"),
        "case A's finding in the report: {json}"
    );
}

fn arrivals_or_empty(out: &Path) -> Vec<(String, String, i64)> {
    if out.join("index.sqlite").exists() {
        arrivals(out)
    } else {
        Vec::new()
    }
}

fn receiver(dir: &Path, status: u16) -> support::Server {
    let mut cmd = Command::new("python3");
    cmd.arg(support::servers_dir().join("receiver.py"))
        .arg(dir)
        .arg(status.to_string());
    support::Server::start(cmd, "the hook receiver (receiver.py)", |line| {
        line.strip_prefix("listening ")?.trim().parse().ok()
    })
}

fn received(dir: &Path) -> Vec<Value> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
        .iter()
        .map(|p| serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap())
        .collect()
}

#[test]
fn the_hook_gets_each_summary_once_and_failures_go_to_the_dead_letter_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let (inbox, out, got) = (
        tmp.path().join("inbox"),
        tmp.path().join("results"),
        tmp.path().join("got"),
    );
    std::fs::create_dir_all(&inbox).unwrap();
    for s in &SAMPLES[..3] {
        std::fs::copy(repo(s), inbox.join(Path::new(s).file_name().unwrap())).unwrap();
    }
    std::fs::copy(repo(SAMPLES[0]), inbox.join("copy.zip")).unwrap();
    let ok = receiver(&got, 200);
    let hook = ok.url("/hook");
    let (code, err) = watch_once(&inbox, &out, &["--hook", &hook]);
    assert_eq!(code, 0, "{err}");
    // A second run delivers nothing again.
    let (code, err2) = watch_once(&inbox, &out, &["--hook", &hook]);
    assert_eq!(code, 0, "{err2}");
    let bodies = received(&got);
    assert_eq!(bodies.len(), 3, "one summary per distinct bundle, once:\n{err}\n{err2}");
    let shas: BTreeSet<&str> = bodies.iter().map(|b| b["sha256"].as_str().unwrap()).collect();
    assert_eq!(shas.len(), 3);
    // Case A arrived twice (as copy.zip too): its summary names whichever came first.
    let sha_a = support::sha256_of(&repo(SAMPLES[0]));
    let case_a = bodies
        .iter()
        .find(|b| b["sha256"] == sha_a.as_str())
        .expect("case A's summary");
    let case_id = case_a["case_id"].as_str().unwrap();
    assert!(
        ["case-a-thin-client-empty-baseboard-serial", "copy"].contains(&case_id),
        "{case_a}"
    );
    let findings = case_a["findings"].as_array().unwrap();
    assert!(findings.iter().any(|f| f["severity"] == "critical"), "{case_a}");
    assert!(case_a["reports"]["html"].as_str().unwrap().ends_with(".html"));
    let rows = arrivals(&out);
    let conn = Connection::open(out.join("index.sqlite")).unwrap();
    let delivered: i64 = conn
        .query_row("SELECT count(*) FROM arrivals WHERE hook = 'delivered'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(delivered as usize, rows.len());

    // A receiver that always fails: after the retries, the summary waits in dead-letter/.
    let out2 = tmp.path().join("results2");
    let inbox2 = tmp.path().join("inbox2");
    std::fs::create_dir_all(&inbox2).unwrap();
    std::fs::copy(repo(SAMPLES[1]), inbox2.join("CASE-B.zip")).unwrap();
    let failing = receiver(&tmp.path().join("got-500"), 500);
    let (code, err) = watch_once(&inbox2, &out2, &["--hook", &failing.url("/hook")]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("hook failed for CASE-B-"), "{err}");
    let attempts = received(&tmp.path().join("got-500")).len();
    assert_eq!(attempts, 4, "one attempt and three retries");
    let parked: Vec<PathBuf> = std::fs::read_dir(out2.join("dead-letter"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(parked.len(), 1);
    let body: Value = serde_json::from_slice(&std::fs::read(&parked[0]).unwrap()).unwrap();
    assert_eq!(body["case_id"], "CASE-B");
}
