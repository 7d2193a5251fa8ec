//! The state machine without a view: transitions, texts from the locales, and real work
//! (collections with small specs, cancelled; portal checks against closed ports). The upload
//! against the real tus server is in `tests/flow.rs`.

use super::*;
use crate::config::{Config, ConfigError};
use std::path::Path;

/// A spec of quick items in network and hardware, one of them needing an administrator.
#[cfg(unix)]
const QUICK: &str = r#"
os = "linux"
[[item]]
id = "t.echo"
category = "network"
kind = "command"
argv = ["echo", "fine"]
path = "network/echo.txt"

[[item]]
id = "t.dmidecode"
category = "hardware"
kind = "command"
argv = ["dmidecode", "-t", "1"]
needs-admin = true
path = "hardware/dmidecode.txt"

[[item]]
id = "t.uname"
category = "hardware"
kind = "command"
argv = ["uname", "-a"]
path = "hardware/uname.txt"
"#;

/// Items that run until killed.
#[cfg(unix)]
const SLOW: &str = r#"
os = "linux"
[[item]]
id = "t.first"
category = "hardware"
kind = "command"
argv = ["sh", "-c", "echo first"]
path = "hardware/first.txt"

[[item]]
id = "t.sleeps"
category = "hardware"
kind = "command"
argv = ["sh", "-c", "echo partial; sleep 600"]
timeout = "10m"
path = "hardware/sleeps.txt"

[[item]]
id = "t.sleeps-too"
category = "network"
kind = "command"
argv = ["sleep", "600"]
timeout = "10m"
path = "network/sleeps.txt"
"#;

fn setup(dir: &Path, spec: &str, config: Config, lang: Lang) -> Setup {
    let spec_path = dir.join("spec.toml");
    std::fs::write(&spec_path, spec).unwrap();
    let mut s = Setup::new(Ok(config), lang).with_spec_file(spec_path);
    s.out_dir = dir.join("out");
    s.elevated = false;
    s.jobs = 2;
    s
}

/// Pumps until `done` says so, at most `limit`.
fn run_until(flow: &mut Flow, limit: Duration, done: impl Fn(&Step) -> bool) {
    let t0 = Instant::now();
    while !done(flow.step()) {
        assert!(t0.elapsed() < limit, "still at {:?}", flow.step());
        flow.wait(Duration::from_millis(50));
    }
}

#[cfg(unix)]
fn choice(flow: &Flow) -> &Choice {
    match flow.step() {
        Step::Categories(c) => c,
        other => panic!("not at the categories: {other:?}"),
    }
}

#[cfg(unix)]
#[test]
fn categories_offered_are_those_of_the_spec_ticked_per_the_configuration() {
    let dir = tempfile::tempdir().unwrap();
    let config = Config {
        categories: Some(vec![Category::Hardware, Category::GroupPolicy]),
        ..Config::default()
    };
    let mut flow = Flow::new(setup(dir.path(), QUICK, config, Lang::Zh), None);
    assert!(matches!(flow.step(), Step::Consent));
    assert!(!flow.input(Input::Collect), "nothing to collect before agreeing");
    assert!(flow.input(Input::Agree));
    let c = choice(&flow);
    let offered: Vec<(&str, bool)> = c.offered.iter().map(|o| (o.label.as_str(), o.ticked)).collect();
    // Group policy is configured but the spec has nothing for it here: not offered.
    assert_eq!(offered, [("网络信息", false), ("硬件信息", true)]);
    // Not elevated, hardware ticked: the note says what is lost in words, not item ids.
    let note = c.admin_note.as_deref().expect("a note");
    assert!(note.contains("硬件信息（dmidecode）"), "{note}");
    assert!(!note.contains("t.dmidecode") && note.contains("sudo"), "{note}");
    assert!(!c.can_restart_elevated);

    flow.input(Input::Toggle(Category::Hardware));
    assert!(
        choice(&flow).admin_note.is_none(),
        "nothing needing an administrator is ticked"
    );
    assert!(!flow.input(Input::Toggle(Category::GroupPolicy)), "not offered");
    flow.input(Input::Collect);
    assert_eq!(choice(&flow).problem.as_deref(), Some("至少要选择一项。"));
    flow.input(Input::Cancel);
    match flow.step() {
        Step::Finished(End::Cancelled { message }) => assert_eq!(message, "已取消，没有收集任何内容。"),
        other => panic!("{other:?}"),
    }
}

#[cfg(unix)]
#[test]
fn a_collection_reports_running_items_and_ends_with_the_contents() {
    let dir = tempfile::tempdir().unwrap();
    let mut flow = Flow::new(setup(dir.path(), QUICK, Config::default(), Lang::Zh), None);
    flow.input(Input::Agree);
    flow.input(Input::Collect);
    let mut seen_running = Vec::new();
    let t0 = Instant::now();
    while let Step::Collecting(c) = flow.step() {
        assert_eq!(c.deadline_words, "10 分钟");
        seen_running.extend(c.running.iter().cloned());
        assert!(t0.elapsed() < Duration::from_secs(30));
        flow.wait(Duration::from_millis(20));
    }
    assert!(
        seen_running.iter().all(|r| r.contains(" · t.")),
        "category and item: {seen_running:?}"
    );
    let Step::Collected(c) = flow.step() else {
        panic!("{:?}", flow.step())
    };
    assert!(c.zip.starts_with(dir.path().join("out")) && c.size > 0 && !c.interrupted);
    let hw = c.contents.iter().find(|r| r.category == Category::Hardware).unwrap();
    assert!(hw.label == "硬件信息" && hw.files >= 1, "{hw:?}");
    assert_eq!(hw.problems, 1, "dmidecode skipped without an administrator");
    // Not uploading: the zip is saved and the text says where.
    flow.input(Input::SkipUpload);
    match flow.step() {
        Step::Finished(End::Saved {
            cause: SaveCause::Skipped,
            what_to_do,
            ..
        }) => assert!(
            what_to_do.contains(&c_zip(dir.path()).display().to_string()),
            "{what_to_do}"
        ),
        other => panic!("{other:?}"),
    }
}

#[cfg(unix)]
fn c_zip(dir: &Path) -> PathBuf {
    std::fs::read_dir(dir.join("out"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "zip"))
        .expect("a zip")
}

#[cfg(unix)]
#[test]
fn cancel_during_the_collection_keeps_a_valid_zip_of_what_was_collected() {
    let dir = tempfile::tempdir().unwrap();
    let mut flow = Flow::new(setup(dir.path(), SLOW, Config::default(), Lang::En), None);
    flow.input(Input::Agree);
    flow.input(Input::Collect);
    // Both sleepers run: the first item is done.
    run_until(
        &mut flow,
        Duration::from_secs(20),
        |s| matches!(s, Step::Collecting(c) if c.done >= 1 && c.running.len() == 2),
    );
    let t0 = Instant::now();
    // From another thread, as a Ctrl-C handler does.
    let canceller = flow.canceller();
    std::thread::spawn(move || canceller.cancel()).join().unwrap();
    run_until(&mut flow, Duration::from_secs(10), |s| matches!(s, Step::Collected(_)));
    assert!(t0.elapsed() < Duration::from_secs(5), "{:?}", t0.elapsed());
    let Step::Collected(c) = flow.step() else {
        unreachable!()
    };
    assert!(c.interrupted);
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&c.zip).unwrap()).unwrap();
    let manifest: serde_json::Value = serde_json::from_reader(zip.by_name("manifest.json").unwrap()).unwrap();
    assert_eq!(manifest["interrupted"], true);
    let mut partial = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("hardware/sleeps.txt").unwrap(), &mut partial).unwrap();
    assert_eq!(partial.trim(), "partial", "the killed item's output is kept");
    assert!(zip.by_name("hardware/first.txt").is_ok());
}

#[test]
fn a_broken_configuration_is_a_step_of_its_own() {
    let e = ConfigError {
        path: "/x/cmgelog.toml".into(),
        message: "error: `deadline` = \"soon\" is not a duration\n  ┌─ /x/cmgelog.toml:2:12".into(),
    };
    let flow = Flow::new(Setup::new(Err(e), Lang::Zh), None);
    match flow.step() {
        Step::BrokenConfig(b) => {
            assert!(b.summary.contains("配置文件 /x/cmgelog.toml 有误"), "{}", b.summary);
            assert!(b.details.contains("cmgelog.toml:2:12"));
        }
        other => panic!("{other:?}"),
    }
}

/// A flow at the upload form with `zip`, without collecting.
fn at_form(dir: &Path, config: Config) -> Flow {
    let mut flow = Flow::new(setup(dir, QUICK_OR_EMPTY, config, Lang::Zh), None);
    let zip = dir.join("b.zip");
    std::fs::write(&zip, b"PK").unwrap();
    flow.collected = Some(Collected {
        zip,
        size: 2,
        size_words: "2 B".into(),
        contents: Vec::new(),
        masked_keys: 0,
        interrupted: false,
        can_open_folder: false,
    });
    flow.step = Step::Collected(flow.collected.clone().unwrap());
    assert!(flow.input(Input::StartUpload));
    flow
}

const QUICK_OR_EMPTY: &str = "os = \"linux\"\n";

fn form(flow: &Flow) -> &UploadForm {
    match flow.step() {
        Step::UploadForm(f) => f,
        other => panic!("not at the form: {other:?}"),
    }
}

fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn the_portal_address_is_completed_and_checked_before_any_password() {
    let dir = tempfile::tempdir().unwrap();
    let mut flow = at_form(dir.path(), Config::default());
    assert!(form(&flow).url_editable);
    flow.input(Input::CheckPortal { url: "exa mple".into() });
    match &form(&flow).portal {
        PortalCheck::Problem(p) => assert!(p.starts_with("门户地址无效：exa mple"), "{p}"),
        other => panic!("{other:?}"),
    }
    // Nobody listens there: said in words, without the OS's English.
    let url = format!("127.0.0.1:{}/files/", closed_port());
    flow.input(Input::CheckPortal { url });
    assert_eq!(form(&flow).portal, PortalCheck::Checking);
    assert!(form(&flow).url.starts_with("https://127.0.0.1:"), "https:// added");
    run_until(
        &mut flow,
        Duration::from_secs(10),
        |s| matches!(s, Step::UploadForm(f) if f.portal != PortalCheck::Checking),
    );
    match &form(&flow).portal {
        PortalCheck::Problem(p) => {
            assert!(p.contains("门户服务器拒绝连接"), "{p}");
            assert!(!p.contains("os error") && !p.contains("refused"), "{p}");
        }
        other => panic!("{other:?}"),
    }
    // Upload to it: checked first, the password never used.
    flow.input(Input::Upload {
        url: format!("http://127.0.0.1:{}/", closed_port()),
        user: "u".into(),
        password: Password::new("pw".into()),
    });
    run_until(
        &mut flow,
        Duration::from_secs(10),
        |s| matches!(s, Step::UploadForm(f) if f.portal != PortalCheck::Checking),
    );
    assert!(matches!(form(&flow).portal, PortalCheck::Problem(_)));
    assert!(flow.pending.is_none(), "the password is dropped");
    flow.input(Input::Cancel);
    assert!(matches!(
        flow.step(),
        Step::Finished(End::Saved {
            cause: SaveCause::Skipped,
            ..
        })
    ));
}

#[test]
fn a_configured_portal_is_not_editable() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::default();
    config.portal.url = Some("https://portal.example/files/".into());
    config.portal.user = Some("case-1".into());
    let mut flow = at_form(dir.path(), config);
    let f = form(&flow);
    assert!(!f.url_editable);
    assert_eq!(
        (f.url.as_str(), f.user.as_str()),
        ("https://portal.example/files/", "case-1")
    );
    flow.input(Input::CheckPortal {
        url: "https://elsewhere.example/".into(),
    });
    assert_eq!(form(&flow).url, "https://portal.example/files/");
}

#[test]
fn words_for_durations_statuses_and_commands() {
    let zh = Messages::new(Lang::Zh);
    let en = Messages::new(Lang::En);
    assert_eq!(words::duration(&zh, Duration::from_secs(600)), "10 分钟");
    assert_eq!(words::duration(&zh, Duration::from_secs(90)), "1 分钟 30 秒");
    assert_eq!(words::duration(&en, Duration::from_secs(3660)), "1 h 1 min");
    assert_eq!(
        words::item_status(&zh, collect::Status::Skipped, Some("needs administrator")),
        "已跳过：需要管理员权限"
    );
    let cmd = words::resume_command(
        Path::new("/home/u/CMGE Log.zip"),
        "https://p.example/files/",
        "case-1",
        Some("CMGE-7"),
        Some("auto"),
    );
    if cfg!(windows) {
        assert!(cmd.starts_with("cmgelog upload \"/home/u/CMGE Log.zip\""), "{cmd}");
    } else {
        assert_eq!(
            cmd,
            "cmgelog upload '/home/u/CMGE Log.zip' --url https://p.example/files/ --user case-1 --case CMGE-7"
        );
    }
    let e = UploadError::Network {
        detail: "error sending request: tcp connect error: Connection refused (os error 111)".into(),
        attempts: 9,
    };
    assert_eq!(
        words::upload_error(&zh, &e),
        "无法连接到门户：门户服务器拒绝连接（地址或端口不对，或服务没有运行）（已尝试 9 次）"
    );
    let io = std::io::Error::from_raw_os_error(if cfg!(windows) { 5 } else { 13 });
    assert_eq!(words::io_error(&zh, &io), "没有权限");
    assert_eq!(
        words::retry_notice(&zh, 1, 8, Duration::from_secs(2), "HTTP 503: busy"),
        "连接门户失败（门户服务器暂时出错（HTTP 503）），2 秒后第 1/8 次重试。按 Ctrl+C 或“取消”可停止。"
    );
}

#[test]
fn every_category_has_its_old_name_in_both_languages() {
    for lang in [Lang::Zh, Lang::En] {
        let msg = Messages::new(lang);
        for c in Category::ALL {
            assert_eq!(words::category(&msg, c), c.label(lang), "{c}");
        }
    }
}
