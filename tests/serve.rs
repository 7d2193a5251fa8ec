//! `cmgelog serve`: the built binary serving what a real `watch --once` produced, read in
//! headless Chromium (the inbox, a search by a dmidecode serial and by a MAC, a report under the
//! page's Content-Security-Policy, a host name `<script>…` shown as text), the browser's
//! language choosing Chinese, and the gate: read-only, loopback unless `--auth`, wrong
//! passwords refused. Screenshots go to target/tmp/serve/ (the README shows them).

mod common;

use common::{read_zip, replace_bytes, repo, write_zip, SAMPLES};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tempfile::TempDir;

const HOSTILE_HOST: &str = "<script>document.title='pwned'</script>";

/// A results folder made by `watch --once` from three samples and case A with a hostile host name.
fn results(tmp: &Path) -> PathBuf {
    let inbox = tmp.join("inbox");
    std::fs::create_dir_all(&inbox).unwrap();
    for s in &SAMPLES[1..4] {
        std::fs::copy(repo(s), inbox.join(Path::new(s).file_name().unwrap())).unwrap();
    }
    let hostile: Vec<(String, Vec<u8>)> = read_zip(&repo(SAMPLES[0]))
        .into_iter()
        .map(|(n, d)| (n, replace_bytes(&d, b"lenovo-PC", HOSTILE_HOST.as_bytes())))
        .collect();
    write_zip(&inbox.join("HOSTILE.zip"), &hostile);
    let out = tmp.join("results");
    let o = Command::new(env!("CARGO_BIN_EXE_cmgelog"))
        .args(["watch", "--once", "--settle", "0", "--lang", "en", "--out"])
        .arg(&out)
        .arg(&inbox)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    out
}

/// A running `cmgelog serve`, and its address.
struct Served {
    child: Child,
    base: String,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(args: &[&str]) -> Served {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cmgelog"))
        .args(["serve", "--lang", "en", "--listen", "127.0.0.1:0"])
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let first = lines.next().expect("a line").unwrap();
    let base = first
        .split("serving ")
        .nth(1)
        .and_then(|r| r.split(' ').next())
        .unwrap_or_else(|| panic!("no address in {first:?}"))
        .trim_end_matches('/')
        .to_string();
    std::thread::spawn(move || for _ in lines {});
    Served { child, base }
}

/// (status, headers, body) of one request over a bare socket.
fn http(base: &str, method: &str, path: &str, extra: &str) -> (u16, String, String) {
    let addr = base.trim_start_matches("http://");
    let mut s = TcpStream::connect(addr).unwrap();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n{extra}\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    (status, head.to_ascii_lowercase(), body.to_string())
}

fn chromium(url: &str, extra: &[&str]) -> std::process::Output {
    let profile = TempDir::new().unwrap();
    let bin = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .into_iter()
        .find(|p| Path::new(p).exists())
        .expect("chromium is installed (scripts/test.sh installs it)");
    let child = Command::new(bin)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(extra)
        .arg(url)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    let out = child.wait_with_output().unwrap();
    assert!(start.elapsed() < Duration::from_secs(120));
    out
}

fn dom(url: &str, lang: &str) -> String {
    let out = chromium(url, &["--dump-dom", &format!("--accept-lang={lang}")]);
    let dom = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        dom.contains("</html>"),
        "chromium rendered nothing for {url}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(
        !log.contains("Content Security Policy"),
        "the page broke its own policy at {url}:\n{log}"
    );
    dom
}

fn shot(url: &str, lang: &str, name: &str) {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("serve");
    std::fs::create_dir_all(&dir).unwrap();
    let png = dir.join(name);
    let _ = std::fs::remove_file(&png);
    chromium(
        url,
        &[
            &format!("--screenshot={}", png.display()),
            "--window-size=1280,720",
            &format!("--accept-lang={lang}"),
        ],
    );
    let data = std::fs::read(&png).unwrap_or_else(|e| panic!("no screenshot of {url}: {e}"));
    assert!(data.starts_with(b"\x89PNG"));
    // A blank page compresses to a few kilobytes; a table of bundles does not.
    assert!(
        data.len() > 15_000,
        "the screenshot of {url} looks blank ({} bytes)",
        data.len()
    );
}

/// The report link of the bundle whose case id starts with `case` in a page's DOM.
fn report_link(dom: &str, case: &str) -> String {
    let at = dom
        .find(&format!("\">{case}"))
        .unwrap_or_else(|| panic!("no link to {case} in:\n{dom}"));
    let start = dom[..at].rfind("href=\"").unwrap() + 6;
    dom[start..at].to_string()
}

#[test]
fn the_team_page_in_a_browser() {
    let tmp = TempDir::new().unwrap();
    let out = results(tmp.path());
    let s = serve(&[out.to_str().unwrap()]);

    // The inbox lists every bundle, newest first, the hostile host name as text.
    let inbox = dom(&format!("{}/", s.base), "en-US");
    for case in [
        "case-b-edge-box-virtual-machine",
        "case-c-serial-mismatch-hardware",
        "case-d-batch-b2-disk-serial",
        "HOSTILE",
    ] {
        assert!(
            inbox.contains(&format!(">{case}</a>")),
            "{case} not in the inbox:\n{inbox}"
        );
    }
    assert!(
        inbox.contains("&lt;script&gt;document.title='pwned'&lt;/script&gt;"),
        "{inbox}"
    );
    assert!(
        !inbox.contains("<script>"),
        "a script element got into the page:\n{inbox}"
    );
    assert!(
        inbox.contains("<title>Inbox · cmgelog</title>"),
        "the page title changed:\n{inbox}"
    );
    assert!(inbox.contains("The system runs in a virtual machine"));
    shot(&format!("{}/", s.base), "en-US", "serve-inbox-en.png");

    // Search: the baseboard serial of case C's dmidecode dump, and a MAC in another notation.
    let by_serial = dom(&format!("{}/search?q=MS1C93BB0H00980", s.base), "en-US");
    assert!(
        by_serial.contains(">case-c-serial-mismatch-hardware</a>"),
        "{by_serial}"
    );
    assert!(by_serial.contains("hardware/dmidecode.txt:58"), "{by_serial}");
    let by_mac = dom(&format!("{}/search?q=74%3Ad7%3A13%3Aa8%3Abf%3Aa2", s.base), "en-US");
    assert!(by_mac.contains(">case-c-serial-mismatch-hardware</a>"), "{by_mac}");
    assert!(by_mac.contains("74-D7-13-A8-BF-A2"), "{by_mac}");
    let nothing = dom(&format!("{}/search?q=NO-SUCH-SERIAL", s.base), "en-US");
    assert!(nothing.contains("No bundle holds"), "{nothing}");
    shot(
        &format!("{}/search?q=MS1C93BB0H00980", s.base),
        "en-US",
        "serve-search-en.png",
    );

    // A report opens, its sort script allowed by the policy (no violation logged), and the
    // report of the hostile bundle runs no script of the bundle's.
    let link = report_link(&by_serial, "case-c-serial-mismatch-hardware");
    let report = dom(&format!("{}{link}", s.base), "en-US");
    assert!(report.contains("Findings"), "{report}");
    assert!(report.contains("MS1C93BB0H00980"));
    let hostile = dom(&format!("{}{}", s.base, report_link(&inbox, "HOSTILE")), "en-US");
    assert!(hostile.contains("Findings"), "{hostile}");
    assert!(
        !hostile.contains("<script>document.title") && !hostile.contains("pwned</title>"),
        "{hostile}"
    );

    // Chinese by the browser's language: the page and the report.
    let zh = dom(&format!("{}/", s.base), "zh-CN,zh");
    assert!(zh.contains("<h1>收件箱</h1>") && zh.contains("lang=\"zh-CN\""), "{zh}");
    // The causes too, though the analyses ran in English.
    assert!(
        zh.contains("虚拟机") && !zh.contains("runs in a virtual machine"),
        "{zh}"
    );
    let zh_report = dom(&format!("{}{link}", s.base), "zh-CN,zh");
    assert!(zh_report.contains("发现的问题"), "{zh_report}");
    shot(&format!("{}/", s.base), "zh-CN,zh", "serve-inbox-zh.png");

    // The causes by count, each linking to its bundles; a diff of two bundles.
    let causes = dom(&format!("{}/causes", s.base), "en-US");
    assert!(
        causes.contains("href=\"/causes/hw.vm-guest\"") || causes.contains("/causes/hw."),
        "{causes}"
    );
    shot(&format!("{}/causes", s.base), "en-US", "serve-causes-en.png");
    let name = |case: &str| report_link(&inbox, case).trim_start_matches("/report/").to_string();
    let diff = dom(
        &format!(
            "{}/diff?a={}&b={}",
            s.base,
            name("case-c-serial-mismatch-hardware"),
            name("HOSTILE")
        ),
        "en-US",
    );
    assert!(
        diff.contains("Hardware identity") && diff.contains("baseboard"),
        "{diff}"
    );
}

#[test]
fn read_only_strict_and_gated() {
    let tmp = TempDir::new().unwrap();
    let out = results(tmp.path());
    let s = serve(&[out.to_str().unwrap()]);
    let (status, head, _) = http(&s.base, "GET", "/", "");
    assert_eq!(status, 200);
    assert!(head.contains("content-security-policy: default-src 'none'"), "{head}");
    assert!(head.contains("x-content-type-options: nosniff"));
    assert_eq!(http(&s.base, "POST", "/", "Content-Length: 0\r\n").0, 405);
    assert_eq!(http(&s.base, "GET", "/report/..%2Findex.sqlite", "").0, 404);
    assert_eq!(http(&s.base, "GET", "/report/nope-000000000000", "").0, 404);
    drop(s);

    // Beyond loopback: refused without --auth.
    let o = Command::new(env!("CARGO_BIN_EXE_cmgelog"))
        .args(["serve", "--lang", "en", "--listen", "0.0.0.0:0"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("needs --auth"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );

    // With a user file: the right password in, a wrong one and none out.
    let users = tmp.path().join("users.txt");
    let o = Command::new(env!("CARGO_BIN_EXE_cmgelog"))
        .args(["serve", "--lang", "en", "--add-user", "li.wei", "--auth"])
        .arg(&users)
        .env("CMGELOG_PASSWORD", "Tr0ub4dor-口令")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let file = std::fs::read_to_string(&users).unwrap();
    assert!(
        file.starts_with("li.wei:$argon2id$") && !file.contains("Tr0ub4dor"),
        "{file}"
    );
    let s = serve(&["--auth", users.to_str().unwrap(), out.to_str().unwrap()]);
    use base64::Engine;
    let basic = |p: &str| {
        format!(
            "Authorization: Basic {}\r\n",
            base64::engine::general_purpose::STANDARD.encode(format!("li.wei:{p}"))
        )
    };
    assert_eq!(http(&s.base, "GET", "/", "").0, 401);
    assert_eq!(http(&s.base, "GET", "/", &basic("wrong")).0, 401);
    let (status, _, body) = http(&s.base, "GET", "/", &basic("Tr0ub4dor-口令"));
    assert_eq!(status, 200);
    assert!(body.contains("case-b-edge-box-virtual-machine"));
}
