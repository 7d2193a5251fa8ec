//! The wizard as a person uses it: `cmgelog` with no arguments in a real terminal (tmux),
//! keys sent, screens captured and asserted, in Chinese and in English; the zip it produced;
//! an upload to the real tus server with a wrong password answered by the retry prompt.
#![cfg(unix)]

#[path = "wizard_support/english.rs"]
mod english;
#[path = "upload/support.rs"]
#[allow(dead_code)]
mod support;
#[path = "wizard_support/terminal.rs"]
#[allow(dead_code)]
mod terminal;

use english::english_sentences;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use tempfile::TempDir;
use terminal::Terminal;

/// Fails with the offending lines when a Chinese run printed an English sentence.
fn assert_no_english(t: &Terminal) {
    let found = english_sentences(&t.history());
    assert!(found.is_empty(), "English in the Chinese wizard:\n{}", found.join("\n"));
}

fn the_zip(dir: &Path) -> PathBuf {
    let zips: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "zip"))
        .collect();
    assert_eq!(zips.len(), 1, "{zips:?}");
    zips[0].clone()
}

fn manifest(zip: &Path) -> serde_json::Value {
    let mut z = zip::ZipArchive::new(std::fs::File::open(zip).unwrap()).unwrap();
    serde_json::from_reader(z.by_name("manifest.json").unwrap()).unwrap()
}

#[test]
fn chinese_wizard_collects_the_chosen_categories_and_waits_for_enter() {
    let dir = TempDir::new().unwrap();
    let t = Terminal::start(dir.path(), &[("LANG", "zh_CN.UTF-8")]);
    let s = t.wait_for("同意收集以上信息吗");
    assert!(s.contains("CMGE 日志收集工具"), "{s}");
    assert!(s.contains("产品密钥会被遮盖"), "{s}");
    assert!(s.contains("（按 y 表示是，按 n 表示否）"), "the keys in words:\n{s}");
    t.keys(&["Enter"]);
    let s = t.wait_for("请选择要收集的内容");
    for name in [
        "网络信息",
        "系统日志",
        "软件信息",
        "系统进程",
        "激活日志",
        "升级日志",
        "硬件信息",
    ] {
        assert!(s.contains(name), "{name} offered:\n{s}");
    }
    // The Linux spec has nothing for group policy: not offered (it used to be ticked and then
    // silently dropped).
    assert!(!s.contains("组策略信息"), "{s}");
    // Untick the first (网络信息) and the third (软件信息), confirm.
    t.keys(&["Space", "Down", "Down", "Space", "Enter"]);
    let s = t.wait_for("现在上传到技术支持门户吗");
    assert!(s.contains("收集完成："), "{s}");
    assert!(s.contains("大小："), "{s}");
    assert!(s.contains("硬件信息：") && s.contains("个文件"), "{s}");
    assert!(!s.contains("网络信息："), "an unticked category is not listed:\n{s}");
    let zip = the_zip(dir.path());
    assert!(s.contains(&zip.display().to_string()), "the zip's path is shown:\n{s}");
    let m = manifest(&zip);
    assert_eq!(
        m["categories"],
        serde_json::json!(["event-logs", "processes", "activation", "upgrade", "hardware"])
    );
    t.keys(&["n"]);
    let s = t.wait_for("按回车键退出");
    assert!(s.contains("未上传"), "{s}");
    assert!(
        s.contains("现在上传到技术支持门户吗？ · 否"),
        "the answer in Chinese:\n{s}"
    );
    assert!(
        std::fs::metadata(&t.exit_file).is_err(),
        "the window stays open until Enter"
    );
    t.keys(&["Enter"]);
    assert_eq!(t.exit_code(), 0);
    assert_no_english(&t);
}

#[test]
fn english_wizard_follows_the_configuration() {
    let dir = TempDir::new().unwrap();
    let config = dir.path().join("cmgelog.toml");
    std::fs::write(
        &config,
        "language = \"en\"\ncategories = [\"hardware\", \"processes\"]\n",
    )
    .unwrap();
    let t = Terminal::start(
        dir.path(),
        &[
            ("LANG", "zh_CN.UTF-8"),
            ("CMGELOG_CONFIG", &config.display().to_string()),
        ],
    );
    let s = t.wait_for("Agree to collect this information?");
    assert!(s.contains("CMGE log collector") && s.contains("product keys"), "{s}");
    t.keys(&["Enter"]);
    t.wait_for("Choose what to collect");
    t.keys(&["Enter"]);
    let s = t.wait_for("Upload it to the support portal now?");
    assert!(
        s.contains("Collected: ") && s.contains("Hardware inventory: ") && s.contains("Processes: "),
        "{s}"
    );
    assert!(!s.contains("Network:"), "only the configured categories:\n{s}");
    let m = manifest(&the_zip(dir.path()));
    assert_eq!(m["categories"], serde_json::json!(["processes", "hardware"]));
    t.keys(&["n"]);
    t.wait_for("Press Enter to close.");
    t.keys(&["Enter"]);
    assert_eq!(t.exit_code(), 0);
}

#[test]
fn without_a_terminal_no_prompt_ever_waits() {
    let dir = TempDir::new().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_cmgelog"))
        .env("LANG", "zh_CN.UTF-8")
        .env_remove("LC_ALL")
        .env("XDG_CONFIG_HOME", dir.path())
        .current_dir(dir.path())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("没有可交互的终端") && err.contains("cmgelog collect --yes"),
        "{err}"
    );
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "nothing collected");
}

#[test]
fn a_broken_configuration_is_named_with_its_line() {
    // (The password itself is masked in the quoted line.)
    let dir = TempDir::new().unwrap();
    let config = dir.path().join("cmgelog.toml");
    std::fs::write(&config, "language = \"en\"\n[portal]\npassword = \"secret\"\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_cmgelog"))
        .args(["collect", "--yes", "--quiet"])
        .env("CMGELOG_CONFIG", &config)
        .env("XDG_CONFIG_HOME", dir.path())
        .env("LANG", "en_US.UTF-8")
        .current_dir(dir.path())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("cmgelog.toml:3:1") && err.contains("a password never goes into cmgelog.toml"),
        "{err}"
    );
    assert!(!err.contains("secret"), "{err}");
}

#[test]
fn collect_with_upload_needs_no_prompt_for_scripts() {
    let dir = TempDir::new().unwrap();
    let store = dir.path().join("store");
    std::fs::create_dir(&store).unwrap();
    let server = support::tus_server(&store, 0, None);
    let out = Command::new(env!("CARGO_BIN_EXE_cmgelog"))
        .args([
            "collect",
            "--yes",
            "--quiet",
            "--lang",
            "en",
            "--categories",
            "hardware",
            "--upload",
            "--url",
        ])
        .arg(server.url("/files/"))
        .args(["--user", support::USER, "--out"])
        .arg(dir.path())
        .env("CMGELOG_PASSWORD", support::PASSWORD)
        .env("XDG_CONFIG_HOME", dir.path().join("cfg"))
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let zip = the_zip(dir.path());
    assert!(stdout.contains(&support::sha256_of(&zip)), "{stdout}");
    let stored: Vec<_> = std::fs::read_dir(&store)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_none())
        .collect();
    assert!(stored
        .iter()
        .any(|p| std::fs::read(p).unwrap() == std::fs::read(&zip).unwrap()));

    // A wrong password: the zip is kept and the exit code says the upload failed.
    let out = Command::new(env!("CARGO_BIN_EXE_cmgelog"))
        .args([
            "collect",
            "--yes",
            "--quiet",
            "--lang",
            "zh",
            "--categories",
            "hardware",
            "--upload",
            "--url",
        ])
        .arg(server.url("/files/"))
        .args(["--user", support::USER, "--out"])
        .arg(dir.path().join("second"))
        .env("CMGELOG_PASSWORD", "wrong")
        .env("XDG_CONFIG_HOME", dir.path().join("cfg"))
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(6));
    assert!(String::from_utf8_lossy(&out.stderr).contains("用户名或密码错误"));
    the_zip(&dir.path().join("second"));
}

#[test]
fn a_broken_configuration_in_the_wizard_waits_for_enter_before_the_window_closes() {
    let dir = TempDir::new().unwrap();
    let config = dir.path().join("cmgelog.toml");
    std::fs::write(&config, "language = \"zh\"\ndeadline = \"soon\"\n").unwrap();
    let t = Terminal::start(
        dir.path(),
        &[("CMGELOG_CONFIG", config.to_str().unwrap()), ("LANG", "zh_CN.UTF-8")],
    );
    let screen = t.wait_for("按回车键退出");
    assert!(
        screen.contains(&format!("配置文件 {} 有误", config.display())),
        "the file, in the user's words:\n{screen}"
    );
    assert!(
        screen.contains("cmgelog.toml:2:12") && screen.contains("is not a duration"),
        "the line and what is wrong:\n{screen}"
    );
    // Still there, waiting: no exit code yet.
    std::thread::sleep(Duration::from_millis(500));
    assert!(!dir.path().join("exit-code").exists(), "the window stays open");
    t.keys(&["Enter"]);
    assert_eq!(t.exit_code(), 2);
}

#[test]
fn ctrl_c_during_an_upload_to_an_unreachable_portal_stops_at_once_and_keeps_the_zip() {
    let dir = TempDir::new().unwrap();
    // The portal answers when its address is checked, then goes away before the password:
    // every attempt fails and the uploader backs off (8 retries, 144 s in all; before the fix
    // Ctrl-C was ignored).
    let store = dir.path().join("store");
    std::fs::create_dir(&store).unwrap();
    let server = support::tus_server(&store, 0, None);
    let config = dir.path().join("cmgelog.toml");
    std::fs::write(
        &config,
        format!(
            "categories = [\"hardware\"]\n[portal]\nurl = \"{}\"\nuser = \"u\"\n",
            server.url("/files/")
        ),
    )
    .unwrap();
    let t = Terminal::start(
        dir.path(),
        &[
            ("LANG", "zh_CN.UTF-8"),
            ("CMGELOG_CONFIG", &config.display().to_string()),
        ],
    );
    t.agree();
    t.wait_for("请选择要收集的内容");
    t.keys(&["Enter"]);
    t.wait_for("现在上传到技术支持门户吗");
    t.keys(&["y"]);
    let s = t.wait_for("用户名");
    assert!(
        s.contains(&format!("门户地址：{}", server.url("/files/"))),
        "the configured address, shown and not asked:\n{s}"
    );
    drop(server);
    t.keys(&["Enter"]);
    t.wait_for("密码（输入时不显示）");
    t.type_text("pw");
    t.keys(&["Enter"]);
    let s = t.wait_for("次重试");
    assert!(s.contains("门户服务器拒绝连接"), "the cause in plain Chinese:\n{s}");
    assert!(!s.contains("os error"), "{s}");
    let t0 = Instant::now();
    t.keys(&["C-c"]);
    let s = t.wait_for("已取消上传");
    assert!(
        t0.elapsed() < Duration::from_secs(3),
        "stopped at once: {:?}",
        t0.elapsed()
    );
    let zip = the_zip(dir.path());
    assert!(s.contains(&zip.display().to_string()), "where the zip is:\n{s}");
    assert!(s.contains("cmgelog upload"), "how to continue:\n{s}");
    t.wait_for("按回车键退出");
    t.keys(&["Enter"]);
    assert_eq!(t.exit_code(), 130);
    assert!(zip.exists());
    assert_no_english(&t);
}

#[test]
fn a_portal_address_without_scheme_is_completed_and_checked_before_the_password() {
    let dir = TempDir::new().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let config = dir.path().join("cmgelog.toml");
    std::fs::write(&config, "categories = [\"hardware\"]\n").unwrap();
    let t = Terminal::start(
        dir.path(),
        &[
            ("LANG", "zh_CN.UTF-8"),
            ("CMGELOG_CONFIG", &config.display().to_string()),
        ],
    );
    t.agree();
    t.wait_for("请选择要收集的内容");
    t.keys(&["Enter"]);
    t.wait_for("现在上传到技术支持门户吗");
    t.keys(&["y"]);
    t.wait_for("门户地址");
    // No scheme, and nothing listens there.
    t.type_text(&format!("127.0.0.1:{port}/files/"));
    t.keys(&["Enter"]);
    let s = t.wait_for("要修改地址后再试吗");
    assert!(
        s.contains(&format!("正在连接门户 https://127.0.0.1:{port}/files/")),
        "https:// added:\n{s}"
    );
    assert!(
        s.contains(&format!(
            "无法连接门户 https://127.0.0.1:{port}/files/：门户服务器拒绝连接"
        )),
        "{s}"
    );
    assert!(!s.contains("密码"), "no password asked for an unusable address:\n{s}");
    t.keys(&["n"]);
    let s = t.wait_for("按回车键退出");
    assert!(s.contains("未上传"), "{s}");
    t.keys(&["Enter"]);
    assert_eq!(t.exit_code(), 0);
    assert_no_english(&t);
}

#[test]
fn chinese_wizard_runs_every_step_to_the_real_tus_server_without_an_english_sentence() {
    let dir = TempDir::new().unwrap();
    let store = dir.path().join("store");
    std::fs::create_dir(&store).unwrap();
    let server = support::tus_server(&store, 0, None);
    let config = dir.path().join("cmgelog.toml");
    std::fs::write(
        &config,
        format!(
            "categories = [\"hardware\", \"network\", \"event-logs\"]\ncase-id = \"CMGE-TEST-1\"\n\
             [portal]\nurl = \"{}\"\nuser = \"{}\"\n",
            server.url("/files/"),
            support::USER
        ),
    )
    .unwrap();
    let t = Terminal::start(
        dir.path(),
        &[
            ("LANG", "zh_CN.UTF-8"),
            ("CMGELOG_CONFIG", &config.display().to_string()),
        ],
    );
    t.agree();
    let s = t.wait_for("请选择要收集的内容");
    // Ticked per the configuration; the others offered unticked.
    assert!(s.contains("[x] 网络信息") || s.contains("✔ 网络信息"), "{s}");
    t.keys(&["Enter"]);
    let s = t.wait_for("现在上传到技术支持门户吗");
    assert!(s.contains("正在收集……（最长 10 分钟"), "the deadline in words:\n{s}");
    // The contents in columns that line up on screen.
    let rows: Vec<&str> = s
        .lines()
        .filter(|l| {
            ["网络信息：", "系统日志：", "硬件信息："]
                .iter()
                .any(|n| l.trim_start().starts_with(n))
        })
        .collect();
    assert_eq!(rows.len(), 3, "{s}");
    let column = |l: &str| {
        let at = l.find(|c: char| c.is_ascii_digit() || c == '未').unwrap();
        unicode_width::UnicodeWidthStr::width(&l[..at])
    };
    assert!(
        rows.iter().all(|r| column(r) == column(rows[0])),
        "aligned:\n{}",
        rows.join("\n")
    );
    t.keys(&["y"]);
    let s = t.wait_for("用户名");
    assert!(s.contains(&format!("门户地址：{}", server.url("/files/"))), "{s}");
    assert!(s.contains("正在连接门户"), "checked before the password:\n{s}");
    t.keys(&["Enter"]);
    t.wait_for("密码（输入时不显示）");
    t.type_text("not-the-password");
    t.keys(&["Enter"]);
    let s = t.wait_for("用户名或密码错误，请重新输入。");
    assert!(!s.contains("not-the-password"), "the password is not echoed:\n{s}");
    t.wait_for_count("用户名", 3);
    t.keys(&["Enter"]);
    t.wait_for_count("密码（输入时不显示）", 2);
    t.type_text(support::PASSWORD);
    t.keys(&["Enter"]);
    let s = t.wait_for("上传成功");
    assert!(!s.contains(support::PASSWORD), "{s}");
    let zip = the_zip(dir.path());
    let sha = support::sha256_of(&zip);
    assert!(
        s.contains(&format!("SHA-256：{sha}")),
        "the sha256 to give support:\n{s}"
    );
    let location = s
        .lines()
        .find_map(|l| l.trim().strip_prefix("已上传到："))
        .expect("where it went")
        .trim()
        .to_string();
    let stored = support::stored_tus_file(&store, &location);
    assert_eq!(std::fs::read(stored).unwrap(), std::fs::read(&zip).unwrap());
    t.wait_for("按回车键退出");
    t.keys(&["Enter"]);
    assert_eq!(t.exit_code(), 0);
    assert_no_english(&t);
    assert!(!t.history().contains(support::PASSWORD));
}

#[test]
fn ctrl_c_at_the_checklist_ends_with_the_cursor_shown() {
    let dir = TempDir::new().unwrap();
    let t = Terminal::start(dir.path(), &[("LANG", "zh_CN.UTF-8")]);
    t.agree();
    t.wait_for("请选择要收集的内容");
    assert!(!t.cursor_visible(), "the checklist hides the cursor while it draws");
    t.keys(&["C-c"]);
    let s = t.wait_for("按回车键退出");
    assert!(s.contains("已取消，没有收集任何内容。"), "{s}");
    assert!(t.cursor_visible(), "the cursor is back:\n{s}");
    t.keys(&["Enter"]);
    assert_eq!(t.exit_code(), 4);
    assert!(!dir
        .path()
        .read_dir()
        .unwrap()
        .any(|e| e.unwrap().path().extension().is_some_and(|x| x == "zip")));
    assert_no_english(&t);
}

#[test]
fn ctrl_c_during_the_collection_keeps_a_valid_zip_and_names_the_item_running() {
    let dir = TempDir::new().unwrap();
    let spec = dir.path().join("slow.toml");
    std::fs::write(
        &spec,
        r#"os = "linux"
[[item]]
id = "t.first"
category = "network"
kind = "command"
argv = ["echo", "first"]
path = "network/first.txt"

[[item]]
id = "t.sleeps"
category = "hardware"
kind = "command"
argv = ["sh", "-c", "echo partial; sleep 600"]
timeout = "10m"
path = "hardware/sleeps.txt"
"#,
    )
    .unwrap();
    let t = Terminal::start(
        dir.path(),
        &[("LANG", "zh_CN.UTF-8"), ("CMGELOG_SPEC", &spec.display().to_string())],
    );
    t.agree();
    t.wait_for("请选择要收集的内容");
    t.keys(&["Enter"]);
    // The progress line names the item running, not the one that finished.
    let s = t.wait_for("硬件信息 · t.sleeps");
    assert!(s.contains("1/2"), "{s}");
    t.keys(&["C-c"]);
    let s = t.wait_for("现在上传到技术支持门户吗");
    assert!(s.contains("收集已中断"), "{s}");
    let m = manifest(&the_zip(dir.path()));
    assert_eq!(m["interrupted"], true);
    t.keys(&["n"]);
    t.wait_for("按回车键退出");
    t.keys(&["Enter"]);
    assert_eq!(t.exit_code(), 0);
    assert_no_english(&t);
}
