//! The window, as a user meets it: the release `cmgelog.exe` started with no arguments under
//! Wine on a virtual X display (Xvfb), driven with real mouse clicks and key presses
//! (`xdotool`), photographed at every step (`import`, ImageMagick). The exe's
//! `CMGELOG_GUI_TRACE` file says which step is on screen and where each control is, so the
//! test knows where to click and where label text must be; the screenshots are the proof.
//!
//! Ignored in a plain `cargo test`: `scripts/test-windows.sh` runs it with `--ignored`, with
//! `CMGELOG_WINDOWS_EXE` naming the exe (its folder holds the `ProcessPrng` shim Wine 8 needs)
//! and a throwaway `WINEPREFIX`. Screenshots land in `target/tmp/wine-window/`.
//!
//! Nothing leaves the machine: the collection spec runs local commands only and the portals
//! are the real tus server of the upload tests (node `@tus/server`) and a stalling server on
//! loopback.
#![cfg(unix)]

#[path = "upload/support.rs"]
#[allow(dead_code)]
mod support;

use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tempfile::TempDir;

const USER: &str = "case-20261206";
/// ASCII: xdotool types it through the X keyboard map, which Wine reads as key presses.
const PASSWORD: &str = "Tr0ub4dor-7781";

/// One local command per category, so the manifest shows exactly which were ticked; the
/// hardware item pings for two seconds so the collecting step can be photographed.
const SPEC: &str = r#"
os = "windows"
[[item]]
id = "t.gp"
category = "group-policy"
kind = "command"
argv = ["cmd", "/c", "echo", "group policy"]
path = "group-policy/gp.txt"
[[item]]
id = "t.net"
category = "network"
kind = "command"
argv = ["ipconfig", "/all"]
path = "network/ipconfig-all.txt"
[[item]]
id = "t.events"
category = "event-logs"
kind = "command"
argv = ["cmd", "/c", "echo", "events"]
path = "event-logs/events.txt"
[[item]]
id = "t.software"
category = "software"
kind = "command"
argv = ["cmd", "/c", "echo", "software"]
path = "software/software.txt"
[[item]]
id = "t.processes"
category = "processes"
kind = "command"
argv = ["cmd", "/c", "echo", "processes"]
path = "processes/processes.txt"
[[item]]
id = "t.activation"
category = "activation"
kind = "command"
argv = ["cmd", "/c", "echo", "activation"]
path = "activation/activation.txt"
[[item]]
id = "t.upgrade"
category = "upgrade"
kind = "command"
argv = ["cmd", "/c", "echo", "upgrade"]
path = "upgrade/upgrade.txt"
[[item]]
id = "t.hardware"
category = "hardware"
kind = "command"
argv = ["ping", "-n", "3", "127.0.0.1"]
path = "hardware/ping.txt"
"#;

/// A quick item and one that runs for two minutes: cancelled in between.
const SLOW_SPEC: &str = r#"
os = "windows"
[[item]]
id = "t.quick"
category = "network"
kind = "command"
argv = ["cmd", "/c", "echo", "quick"]
path = "network/quick.txt"
[[item]]
id = "t.slow"
category = "hardware"
kind = "command"
argv = ["ping", "-n", "120", "127.0.0.1"]
path = "hardware/slow.txt"
"#;

fn exe() -> Option<PathBuf> {
    std::env::var_os("CMGELOG_WINDOWS_EXE").map(PathBuf::from)
}

fn shots_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("wine-window");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A virtual X display, stopped when dropped.
struct Display {
    xvfb: Child,
    name: String,
}

impl Display {
    fn start() -> Display {
        // A display number no other X server on this machine holds.
        let n = (90..200)
            .find(|n| !Path::new(&format!("/tmp/.X{n}-lock")).exists())
            .expect("a free X display number");
        let name = format!(":{n}");
        let xvfb = Command::new("Xvfb")
            .args([&name, "-screen", "0", "1366x768x24", "-nolisten", "tcp"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("Xvfb (apt install xvfb; scripts/test-windows.sh installs it)");
        let t0 = Instant::now();
        while !Path::new(&format!("/tmp/.X11-unix/X{n}")).exists() {
            assert!(t0.elapsed() < Duration::from_secs(20), "Xvfb did not start on {name}");
            std::thread::sleep(Duration::from_millis(50));
        }
        Display { xvfb, name }
    }

    fn xdotool(&self, args: &[&str]) {
        let status = Command::new("xdotool")
            .args(args)
            .env("DISPLAY", &self.name)
            .status()
            .expect("xdotool");
        assert!(status.success(), "xdotool {args:?}");
    }

    /// Visible windows of a program (X class, as Wine names it: `conhost.exe`).
    fn windows_of(&self, class: &str) -> usize {
        let out = Command::new("xdotool")
            .args(["search", "--onlyvisible", "--class", class])
            .env("DISPLAY", &self.name)
            .output()
            .expect("xdotool");
        String::from_utf8_lossy(&out.stdout).lines().count()
    }

    /// The whole screen as a PNG.
    fn screenshot(&self, path: &Path) {
        let status = Command::new("import")
            .args(["-window", "root"])
            .arg(path)
            .env("DISPLAY", &self.name)
            .status()
            .expect("import (imagemagick)");
        assert!(status.success(), "import {}", path.display());
    }
}

impl Drop for Display {
    fn drop(&mut self) {
        let _ = self.xvfb.kill();
        let _ = self.xvfb.wait();
    }
}

/// A Wine session on `display`: the prefix's wineserver (and its desktop process, which keeps
/// the display it was started with) is ended first, then the Chinese UI font the window asks
/// for is mapped to the CJK font Debian has.
fn wine_session(display: &Display) {
    let _ = Command::new("wineserver").arg("-k").status();
    let _ = Command::new("wineserver").arg("-w").status();
    let status = Command::new("wine")
        .env("DISPLAY", &display.name)
        .args([
            "reg",
            "add",
            r"HKCU\Software\Wine\Fonts\Replacements",
            "/v",
            "Microsoft YaHei UI",
            "/t",
            "REG_SZ",
            "/d",
            "WenQuanYi Micro Hei",
            "/f",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("wine reg");
    assert!(status.success());
}

/// One control of the trace.
#[derive(Debug, Clone)]
struct Control {
    text: String,
    rect: [i32; 4],
    enabled: bool,
    read_only: Option<bool>,
    checked: Option<bool>,
}

/// One line of the trace: the step and its visible controls by name.
#[derive(Debug, Clone)]
struct Shown {
    step: String,
    window: [i32; 4],
    controls: Vec<(String, Control)>,
}

impl Shown {
    fn parse(line: &str) -> Shown {
        let v: Value = serde_json::from_str(line).expect("trace line is JSON");
        let rect = |v: &Value| -> [i32; 4] {
            let a: Vec<i32> = v
                .as_array()
                .unwrap()
                .iter()
                .map(|n| n.as_i64().unwrap() as i32)
                .collect();
            [a[0], a[1], a[2], a[3]]
        };
        let controls = v["controls"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c["name"].as_str().unwrap().to_string(),
                    Control {
                        text: c["text"].as_str().unwrap().to_string(),
                        rect: rect(&c["rect"]),
                        enabled: c["enabled"].as_bool().unwrap(),
                        read_only: c["read_only"].as_bool(),
                        checked: c["checked"].as_bool(),
                    },
                )
            })
            .collect();
        Shown {
            step: v["step"].as_str().unwrap().to_string(),
            window: rect(&v["window"]),
            controls,
        }
    }

    fn get(&self, name: &str) -> Option<&Control> {
        self.controls.iter().find(|(n, _)| n == name).map(|(_, c)| c)
    }

    fn control(&self, name: &str) -> &Control {
        self.get(name)
            .unwrap_or_else(|| panic!("no control {name} at step {}: {:?}", self.step, self.controls))
    }

    fn checks(&self) -> Vec<(String, bool)> {
        (0..8)
            .filter_map(|i| self.get(&format!("check-{i}")))
            .map(|c| (c.text.clone(), c.checked.unwrap()))
            .collect()
    }
}

/// The exe started as Explorer starts it: no arguments, a console of its own (`start`).
struct App<'a> {
    display: &'a Display,
    child: Child,
    trace: PathBuf,
    shots: PathBuf,
    taken: u32,
}

impl<'a> App<'a> {
    fn launch(display: &'a Display, dir: &Path, spec: &str, portal: &str, name: &str) -> App<'a> {
        let exe = exe().unwrap();
        let spec_file = dir.join(format!("{name}-spec.toml"));
        std::fs::write(&spec_file, spec).unwrap();
        let config = dir.join(format!("{name}-cmgelog.toml"));
        std::fs::write(
            &config,
            format!("case-id = \"CMGE-WINDOW-{name}\"\n[portal]\nurl = \"{portal}\"\nuser = \"{USER}\"\n"),
        )
        .unwrap();
        let trace = dir.join(format!("{name}-trace.jsonl"));
        let child = Command::new("wine")
            .args(["start", "/wait", "/unix"])
            .arg(&exe)
            .env("DISPLAY", &display.name)
            .env("LANG", "zh_CN.UTF-8")
            .env("CMGELOG_GUI_TRACE", &trace)
            .env("CMGELOG_SPEC", &spec_file)
            .env("CMGELOG_CONFIG", &config)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("wine start");
        let shots = shots_dir().join(name);
        let _ = std::fs::remove_dir_all(&shots);
        std::fs::create_dir_all(&shots).unwrap();
        App {
            display,
            child,
            trace,
            shots,
            taken: 0,
        }
    }

    fn last(&self) -> Option<Shown> {
        let text = std::fs::read_to_string(&self.trace).ok()?;
        text.lines().rev().find(|l| !l.trim().is_empty()).map(Shown::parse)
    }

    /// Waits until the window shows `step` with `ready` true of it.
    fn wait_for(&self, step: &str, limit: Duration, ready: impl Fn(&Shown) -> bool) -> Shown {
        let t0 = Instant::now();
        loop {
            if let Some(s) = self.last() {
                if s.step == step && ready(&s) {
                    return s;
                }
            }
            if t0.elapsed() > limit {
                panic!("the window never showed {step} in {limit:?}; last: {:?}", self.last());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn at(&self, step: &str) -> Shown {
        self.wait_for(step, Duration::from_secs(60), |s| !s.controls.is_empty())
    }

    fn click(&self, shown: &Shown, name: &str) {
        let c = shown.control(name);
        assert!(c.enabled, "{name} is disabled at {}", shown.step);
        let (x, y) = (c.rect[0] + c.rect[2] / 2, c.rect[1] + c.rect[3] / 2);
        self.display
            .xdotool(&["mousemove", &x.to_string(), &y.to_string(), "click", "1"]);
        // Let the click land before the next look at the trace.
        std::thread::sleep(Duration::from_millis(300));
    }

    fn type_into(&self, shown: &Shown, name: &str, text: &str) {
        self.click(shown, name);
        self.display.xdotool(&["key", "ctrl+a", "BackSpace"]);
        self.display.xdotool(&["type", "--delay", "30", text]);
        std::thread::sleep(Duration::from_millis(200));
    }

    /// Photographs the screen as `NN-label.png` and checks the window is drawn: its area is not
    /// one colour, and the heading has text pixels.
    fn shot(&mut self, shown: &Shown, label: &str) -> PathBuf {
        // The trace is written before the paint finishes.
        std::thread::sleep(Duration::from_millis(400));
        self.taken += 1;
        let path = self.shots.join(format!("{:02}-{label}.png", self.taken));
        self.display.screenshot(&path);
        let window = gray(&path, shown.window);
        let (lo, hi) = (window.iter().min().unwrap(), window.iter().max().unwrap());
        assert!(hi - lo > 100, "{}: the window area is blank", path.display());
        if let Some(h) = shown.get("heading") {
            assert!(
                ink(&gray(&path, h.rect)) > 40,
                "{}: no text pixels where the heading '{}' is",
                path.display(),
                h.text
            );
        }
        path
    }

    /// Waits for the process to end (the window closed) and gives its exit code.
    fn exit(mut self, limit: Duration) -> i32 {
        let t0 = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code().unwrap_or(-1);
            }
            assert!(t0.elapsed() < limit, "the window did not close in {limit:?}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for App<'_> {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The pixels of `rect` ([left, top, width, height]) of a screenshot, 8-bit grey.
fn gray(png: &Path, rect: [i32; 4]) -> Vec<u8> {
    let out = Command::new("convert")
        .arg(png)
        .arg("-crop")
        .arg(format!("{}x{}+{}+{}", rect[2], rect[3], rect[0], rect[1]))
        .args(["+repage", "-colorspace", "Gray", "-depth", "8", "gray:-"])
        .output()
        .expect("convert (imagemagick)");
    assert!(
        out.status.success(),
        "convert: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.stdout.len(), (rect[2] * rect[3]) as usize, "crop {rect:?}");
    out.stdout
}

/// How many pixels are text-dark on the window's light background (antialiased strokes of
/// the 9-point UI font are rarely black: anything below 160 of 255 counts).
fn ink(pixels: &[u8]) -> usize {
    pixels.iter().filter(|&&p| p < 160).count()
}

/// The labels are drawn in Chinese glyphs, not missing-glyph boxes: two labels of the same
/// length that differ in text differ in pixels (boxes would be identical), and both have ink.
fn assert_glyphs(png: &Path, a: &Control, b: &Control) {
    assert_eq!(a.text.chars().count(), b.text.chars().count());
    assert_ne!(a.text, b.text);
    // The label text starts after the box: compare the text part only.
    let text_part = |c: &Control| [c.rect[0] + 18, c.rect[1], 70, c.rect[3]];
    let (pa, pb) = (gray(png, text_part(a)), gray(png, text_part(b)));
    assert!(
        ink(&pa) > 40 && ink(&pb) > 40,
        "{}: no text pixels in the labels",
        png.display()
    );
    assert_ne!(
        pa,
        pb,
        "{}: '{}' and '{}' look the same (missing-glyph boxes?)",
        png.display(),
        a.text,
        b.text
    );
}

fn unix_path(windows: &str) -> PathBuf {
    let out = Command::new("winepath")
        .args(["-u", windows])
        .output()
        .expect("winepath");
    assert!(out.status.success());
    PathBuf::from(String::from_utf8(out.stdout).unwrap().trim())
}

fn manifest(zip: &Path) -> Value {
    let mut archive = zip::ZipArchive::new(std::fs::File::open(zip).unwrap()).expect("a valid zip");
    let mut text = String::new();
    archive
        .by_name("manifest.json")
        .expect("manifest.json")
        .read_to_string(&mut text)
        .unwrap();
    serde_json::from_str(&text).unwrap()
}

fn tus(store: &Path) -> support::Server {
    let mut cmd = Command::new("node");
    cmd.arg(support::servers_dir().join("tus.mjs"))
        .arg(store)
        .arg("0")
        .arg(format!("{USER}:{PASSWORD}"));
    support::Server::start(cmd, "the tus server (node tus.mjs)", |line| {
        line.strip_prefix("listening ")?.trim().parse().ok()
    })
}

/// A portal that answers the address check (OPTIONS) like a tus server and then never answers
/// anything else: an upload that hangs until cancelled.
fn stalling_portal() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { continue };
            std::thread::spawn(move || {
                let mut reader = BufReader::new(conn.try_clone().unwrap());
                let mut first = String::new();
                let _ = reader.read_line(&mut first);
                if first.starts_with("OPTIONS") {
                    let _ = conn.write_all(
                        b"HTTP/1.1 204 No Content\r\nTus-Resumable: 1.0.0\r\nTus-Version: 1.0.0\r\n\
                          Tus-Extension: creation\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                    );
                } else {
                    std::thread::sleep(Duration::from_secs(600));
                }
            });
        }
    });
    port
}

/// The names the old tool gave the categories, in its order, plus hardware.
const CATEGORIES: [&str; 8] = [
    "组策略信息",
    "网络信息",
    "系统日志",
    "软件信息",
    "系统进程",
    "激活日志",
    "升级日志",
    "硬件信息",
];
const CATEGORY_IDS: [&str; 8] = [
    "group-policy",
    "network",
    "event-logs",
    "software",
    "processes",
    "activation",
    "upgrade",
    "hardware",
];

#[test]
#[ignore = "needs the Windows exe, Wine and Xvfb: scripts/test-windows.sh runs it"]
fn the_window_collects_the_ticked_categories_and_uploads_after_a_wrong_password() {
    let Some(_) = exe() else {
        panic!("CMGELOG_WINDOWS_EXE is not set: run scripts/test-windows.sh");
    };
    let display = Display::start();
    wine_session(&display);
    let dir = TempDir::new().unwrap();
    let store = dir.path().join("store");
    std::fs::create_dir(&store).unwrap();
    let server = tus(&store);
    let mut app = App::launch(&display, dir.path(), SPEC, &server.url("/files/"), "upload");

    // 1. What is collected and why, with the privacy note.
    let s = app.at("consent");
    let body = &s.control("body").text;
    for words in ["计算机名", "序列号", "MAC", "产品密钥"] {
        assert!(body.contains(words), "the privacy note lacks {words}: {body}");
    }
    assert_eq!(s.control("button-agree").text, "同意");
    app.shot(&s, "consent");
    app.click(&s, "button-agree");

    // 2. The categories, named as the old tool named them, all ticked by default.
    let s = app.at("categories");
    let checks = s.checks();
    assert_eq!(
        checks.iter().map(|(t, _)| t.as_str()).collect::<Vec<_>>(),
        CATEGORIES,
        "{checks:?}"
    );
    assert!(checks.iter().all(|(_, on)| *on), "{checks:?}");
    let png = app.shot(&s, "categories");
    assert_glyphs(&png, s.control("check-2"), s.control("check-5"));
    // Untick group policy, event logs, software and processes; untick and tick network again.
    for name in ["check-0", "check-2", "check-3", "check-4", "check-1", "check-1"] {
        let now = app.last().unwrap();
        app.click(&now, name);
    }
    let s = app.wait_for("categories", Duration::from_secs(10), |s| {
        s.checks().iter().filter(|(_, on)| *on).count() == 4
    });
    let ticked: Vec<&str> = s
        .checks()
        .iter()
        .enumerate()
        .filter(|(_, (_, on))| *on)
        .map(|(i, _)| CATEGORY_IDS[i])
        .collect();
    assert_eq!(ticked, ["network", "activation", "upgrade", "hardware"]);
    app.shot(&s, "categories-chosen");
    app.click(&s, "button-collect");

    // 3. Collecting: a bar, the running item, cancel.
    let s = app.at("collecting");
    assert!(s.get("progress").is_some() && s.get("button-cancel").is_some(), "{s:?}");
    app.shot(&s, "collecting");
    // The console commands (ipconfig, ping) run without console windows of their own.
    assert_eq!(
        display.windows_of("conhost.exe"),
        0,
        "a console window opened over the window"
    );

    // 4. The result: the zip's path, size, contents per category.
    let s = app.wait_for("result", Duration::from_secs(60), |s| s.get("value").is_some());
    app.shot(&s, "result");
    let zip = unix_path(&s.control("value").text);
    assert!(zip.is_file(), "{} is not there", zip.display());
    let m = manifest(&zip);
    let categories: Vec<&str> = m["categories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    assert_eq!(categories, ticked, "the manifest holds exactly the ticked categories");
    let items: Vec<&str> = m["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    assert_eq!(items, ["t.net", "t.activation", "t.upgrade", "t.hardware"], "{m}");
    assert!(s.get("button-open-folder").is_some(), "{s:?}");
    app.click(&s, "button-upload");

    // 5. The upload form: the portal from cmgelog.toml (not editable), the user, a wrong password.
    let s = app.wait_for("upload", Duration::from_secs(30), |s| {
        s.get("password").is_some_and(|p| p.enabled) && s.get("button-upload").is_some_and(|b| b.enabled)
    });
    assert_eq!(s.control("url").text, server.url("/files/"));
    assert_eq!(
        s.control("url").read_only,
        Some(true),
        "the configured portal is not editable"
    );
    assert_eq!(s.control("password").read_only, Some(false));
    assert_eq!(s.control("user").text, USER);
    app.type_into(&s, "password", "not-the-password");
    let s = app.wait_for("upload", Duration::from_secs(10), |s| {
        s.control("password").text.len() == 16
    });
    app.shot(&s, "upload-form");
    app.click(&s, "button-upload");
    let s = app.wait_for("upload", Duration::from_secs(60), |s| {
        s.get("note").is_some_and(|n| n.text.contains("密码错误"))
    });
    app.shot(&s, "wrong-password");

    // The right password: uploaded, with the SHA-256 to tell support.
    app.type_into(&s, "password", PASSWORD);
    let s = app.wait_for("upload", Duration::from_secs(10), |s| {
        s.control("password").text.chars().count() == PASSWORD.len()
    });
    app.click(&s, "button-upload");
    let s = app.wait_for("end", Duration::from_secs(60), |s| s.get("value").is_some());
    app.shot(&s, "uploaded");
    let sha = support::sha256_of(&zip);
    assert!(s.control("value").text.contains(&sha), "{s:?}");
    assert!(s.get("button-copy-sha256").is_some(), "{s:?}");
    let stored: Vec<PathBuf> = support::walk(&store)
        .into_iter()
        .filter(|p| p.extension().is_none())
        .collect();
    assert!(
        stored
            .iter()
            .any(|p| std::fs::read(p).unwrap() == std::fs::read(&zip).unwrap()),
        "the portal does not hold the zip: {stored:?}"
    );
    app.click(&s, "button-close");
    assert_eq!(app.exit(Duration::from_secs(20)), 0);
}

#[test]
#[ignore = "needs the Windows exe, Wine and Xvfb: scripts/test-windows.sh runs it"]
fn cancel_in_the_window_keeps_a_valid_zip_and_stops_an_upload_at_once() {
    let Some(_) = exe() else {
        panic!("CMGELOG_WINDOWS_EXE is not set: run scripts/test-windows.sh");
    };
    let display = Display::start();
    wine_session(&display);
    let dir = TempDir::new().unwrap();
    let port = stalling_portal();
    let portal = format!("http://127.0.0.1:{port}/files/");
    let mut app = App::launch(&display, dir.path(), SLOW_SPEC, &portal, "cancel");
    let s = app.at("consent");
    app.click(&s, "button-agree");
    let s = app.at("categories");
    app.click(&s, "button-collect");

    // Cancel while the two-minute item runs: the zip holds what was collected.
    let s = app.wait_for("collecting", Duration::from_secs(60), |s| {
        s.get("status")
            .is_some_and(|t| t.text.contains("t.slow") || t.text.contains("1/2") || t.text.contains("1 /"))
    });
    app.shot(&s, "collecting");
    let t0 = Instant::now();
    app.click(&s, "button-cancel");
    let s = app.wait_for("result", Duration::from_secs(30), |s| s.get("value").is_some());
    assert!(t0.elapsed() < Duration::from_secs(15), "cancel took {:?}", t0.elapsed());
    app.shot(&s, "cancelled-result");
    let app_zip_text = s.control("value").text.clone();
    let zip = unix_path(&app_zip_text);
    let m = manifest(&zip);
    assert_eq!(m["interrupted"], true, "{m}");
    let mut archive = zip::ZipArchive::new(std::fs::File::open(&zip).unwrap()).unwrap();
    let mut quick = String::new();
    archive
        .by_name("network/quick.txt")
        .expect("the item collected before the cancel is in the zip")
        .read_to_string(&mut quick)
        .unwrap();
    assert!(quick.contains("quick"), "{quick:?}");

    // Cancel an upload that hangs: it stops at once and the zip stays.
    app.click(&s, "button-upload");
    let s = app.wait_for("upload", Duration::from_secs(30), |s| {
        s.get("password").is_some_and(|p| p.enabled) && s.get("button-upload").is_some_and(|b| b.enabled)
    });
    app.type_into(&s, "password", PASSWORD);
    let s = app.wait_for("upload", Duration::from_secs(10), |s| {
        s.control("password").text.chars().count() == PASSWORD.len()
    });
    app.click(&s, "button-upload");
    let s = app.wait_for("upload", Duration::from_secs(30), |s| {
        s.get("button-cancel").is_some_and(|b| b.enabled) && s.get("progress").is_some()
    });
    app.shot(&s, "uploading");
    std::thread::sleep(Duration::from_secs(1));
    let s = app.last().unwrap();
    let t0 = Instant::now();
    app.click(&s, "button-cancel");
    let s = app.wait_for("end", Duration::from_secs(30), |s| s.get("heading").is_some());
    assert!(
        t0.elapsed() < Duration::from_secs(5),
        "cancelling the upload took {:?}",
        t0.elapsed()
    );
    app.shot(&s, "upload-cancelled");
    let windows_zip = app_zip_text.clone();
    assert!(
        s.control("details").text.contains(&windows_zip),
        "the end names the zip kept: {s:?}"
    );
    assert!(s.get("button-retry").is_some(), "{s:?}");
    assert!(zip.is_file(), "the zip is kept");
    app.click(&s, "button-close");
    let code = app.exit(Duration::from_secs(20));
    assert_eq!(code, 130, "a cancelled upload ends as cancelled");
}

#[test]
#[ignore = "needs the Windows exe and Wine: scripts/test-windows.sh runs it"]
fn from_cmd_the_exe_is_a_console_program() {
    let Some(exe) = exe() else {
        panic!("CMGELOG_WINDOWS_EXE is not set: run scripts/test-windows.sh");
    };
    let dir = TempDir::new().unwrap();
    let trace = dir.path().join("trace.jsonl");
    // Unquoted: cmd /c strips the first and last quote of its line.
    let windows_exe = {
        let out = Command::new("winepath").arg("-w").arg(&exe).output().unwrap();
        String::from_utf8(out.stdout).unwrap().trim().to_string()
    };
    assert!(
        !windows_exe.contains(' '),
        "the test needs an exe path without spaces: {windows_exe}"
    );
    // With arguments: output in cmd's console, cmd waits and sees the exit code.
    let out = Command::new("wine")
        .args(["cmd", "/c"])
        .arg(format!("{windows_exe} explain 0xC004F074 & echo rc=%ERRORLEVEL%"))
        .env("CMGELOG_GUI_TRACE", &trace)
        .env_remove("DISPLAY")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("0xC004F074"), "{stdout}");
    assert!(stdout.trim_end().ends_with("rc=0"), "{stdout}");
    let out = Command::new("wine")
        .args(["cmd", "/c"])
        .arg(format!("{windows_exe} analyze no-such-file.zip & echo rc=%ERRORLEVEL%"))
        .env("CMGELOG_GUI_TRACE", &trace)
        .env_remove("DISPLAY")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.trim_end().ends_with("rc=2"), "{stdout}");
    // With no arguments in a console another program shares: the terminal wizard, no window.
    let out = Command::new("wine")
        .args(["cmd", "/c"])
        .arg(format!("{windows_exe} & echo rc=%ERRORLEVEL%"))
        .env("CMGELOG_GUI_TRACE", &trace)
        .env_remove("DISPLAY")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(all.contains("rc="), "{all}");
    assert!(!trace.exists(), "a window was made when started from cmd: {all}");
}
