//! The flow (`cmgelog::flow`) driven as a view drives it, against the real tus server of the
//! upload tests: a wrong then a right password, a cancel in the middle of sending (through a
//! slow link: a throttling proxy in front of the server) and a cancel while it waits to retry a
//! portal that went away. Each cancel must end the upload within a fraction of a second and
//! keep the zip, with the command that continues it.
#![cfg(target_os = "linux")]

#[path = "upload/support.rs"]
#[allow(dead_code)]
mod support;

use cmgelog::config::Config;
use cmgelog::flow::{End, Flow, Input, PortalCheck, SaveCause, Setup, Step, UploadPhase};
use cmgelog::i18n::Lang;
use cmgelog::upload::Password;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::time::{Duration, Instant};
use tempfile::TempDir;

/// One item that writes 2 MB of random bytes (they do not compress: the zip is as large).
const RANDOM_2MB: &str = r#"
os = "linux"
[[item]]
id = "t.random"
category = "hardware"
kind = "command"
argv = ["head", "-c", "2000000", "/dev/urandom"]
path = "hardware/random.bin"
"#;

fn flow_for(dir: &Path, url: &str) -> Flow {
    let spec = dir.join("spec.toml");
    std::fs::write(&spec, RANDOM_2MB).unwrap();
    let mut config = Config::default();
    config.portal.url = Some(url.to_string());
    config.portal.user = Some(support::USER.to_string());
    config.case_id = Some("CMGE-FLOW-1".into());
    let mut setup = Setup::new(Ok(config), Lang::Zh).with_spec_file(spec);
    setup.out_dir = dir.join("out");
    Flow::new(setup, None)
}

fn run_until(flow: &mut Flow, limit: Duration, what: &str, done: impl Fn(&Step) -> bool) {
    let t0 = Instant::now();
    while !done(flow.step()) {
        assert!(t0.elapsed() < limit, "never {what}; at {:?}", flow.step());
        flow.wait(Duration::from_millis(20));
    }
}

/// Agrees, collects the one item, opens the upload form.
fn collect_and_open_the_form(flow: &mut Flow) -> std::path::PathBuf {
    assert!(flow.input(Input::Agree));
    assert!(flow.input(Input::Collect));
    run_until(flow, Duration::from_secs(60), "collected", |s| {
        matches!(s, Step::Collected(_))
    });
    let Step::Collected(c) = flow.step() else {
        unreachable!()
    };
    assert!(c.size > 1_900_000, "{c:?}");
    let zip = c.zip.clone();
    assert!(flow.input(Input::StartUpload));
    zip
}

fn upload(flow: &mut Flow, password: &str) {
    let Step::UploadForm(f) = flow.step() else {
        panic!("not at the form: {:?}", flow.step())
    };
    let (url, user) = (f.url.clone(), f.user.clone());
    assert!(flow.input(Input::Upload {
        url,
        user,
        password: Password::new(password.into()),
    }));
}

#[test]
fn a_wrong_then_a_right_password_uploads_the_zip_and_gives_its_sha256() {
    let dir = TempDir::new().unwrap();
    let store = dir.path().join("store");
    std::fs::create_dir(&store).unwrap();
    let server = support::tus_server(&store, 0, None);
    let mut flow = flow_for(dir.path(), &server.url("/files/"));
    let zip = collect_and_open_the_form(&mut flow);
    upload(&mut flow, "not-the-password");
    run_until(
        &mut flow,
        Duration::from_secs(30),
        "back at the form",
        |s| matches!(s, Step::UploadForm(f) if f.problem.is_some()),
    );
    let Step::UploadForm(f) = flow.step() else {
        unreachable!()
    };
    assert_eq!(f.problem.as_deref(), Some("用户名或密码错误，请重新输入。"));
    assert_eq!((f.wrong_passwords, &f.portal), (1, &PortalCheck::Reachable));
    upload(&mut flow, support::PASSWORD);
    run_until(&mut flow, Duration::from_secs(60), "finished", |s| {
        matches!(s, Step::Finished(_))
    });
    match flow.step() {
        Step::Finished(End::Uploaded { sha256, location, .. }) => {
            assert_eq!(*sha256, support::sha256_of(&zip));
            let stored = support::stored_tus_file(&store, location);
            assert_eq!(std::fs::read(stored).unwrap(), std::fs::read(&zip).unwrap());
        }
        other => panic!("{other:?}"),
    }
}

/// A proxy in front of `upstream` that lets the client send `bytes_per_sec` at most: a slow
/// link, so that a test can cancel in the middle of a request.
fn slow_link(upstream: u16, bytes_per_sec: usize) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    small_receive_buffer(&listener);
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for client in listener.incoming() {
            let Ok(client) = client else { break };
            let Ok(server) = TcpStream::connect(("127.0.0.1", upstream)) else {
                continue;
            };
            let (c2, s2) = (client.try_clone().unwrap(), server.try_clone().unwrap());
            std::thread::spawn(move || pump(client, server, Some(bytes_per_sec)));
            std::thread::spawn(move || pump(s2, c2, None));
        }
    });
    port
}

/// Loopback sockets buffer megabytes: the client would "send" the whole zip into the kernel at
/// once. A small receive buffer (inherited by accepted sockets) keeps the window small, so the
/// client's body is read at the link's pace.
fn small_receive_buffer(listener: &TcpListener) {
    use std::os::fd::AsRawFd;
    let size: libc::c_int = 16 * 1024;
    // SAFETY: a valid socket and an int option of the size passed.
    let rc = unsafe {
        libc::setsockopt(
            listener.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_RCVBUF,
            (&size as *const libc::c_int).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
    assert_eq!(rc, 0, "setsockopt: {}", std::io::Error::last_os_error());
}

fn pump(mut from: TcpStream, mut to: TcpStream, limit: Option<usize>) {
    let block = limit.map_or(64 * 1024, |l| (l / 20).max(1));
    let mut buf = vec![0u8; block];
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        if to.write_all(&buf[..n]).is_err() {
            break;
        }
        if limit.is_some() {
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    let _ = to.shutdown(std::net::Shutdown::Both);
    let _ = from.shutdown(std::net::Shutdown::Both);
}

#[test]
fn cancel_in_the_middle_of_sending_stops_at_once_and_keeps_the_zip() {
    let dir = TempDir::new().unwrap();
    let store = dir.path().join("store");
    std::fs::create_dir(&store).unwrap();
    let server = support::tus_server(&store, 0, None);
    let port = slow_link(server.port, 256 * 1024);
    let mut flow = flow_for(dir.path(), &format!("http://127.0.0.1:{port}/files/"));
    let zip = collect_and_open_the_form(&mut flow);
    upload(&mut flow, support::PASSWORD);
    // Well into the body, with a speed and a time left to show.
    run_until(&mut flow, Duration::from_secs(30), "sending with a speed", |s| {
        matches!(s, Step::Uploading(u) if u.phase == UploadPhase::Sending
            && u.done > 600_000 && u.time_left.is_some())
    });
    let Step::Uploading(u) = flow.step() else {
        unreachable!()
    };
    // (The speed counts bytes handed to the socket, which loopback buffers generously: it is
    // measured, not pinned here; `flow::rate` has its own test.)
    assert!(u.bytes_per_sec.unwrap() > 0.0);
    assert!(
        u.status_words.contains("已发送") && u.status_words.contains("剩余约"),
        "{}",
        u.status_words
    );
    // From another thread, as a Ctrl-C handler does.
    let canceller = flow.canceller();
    let t0 = Instant::now();
    std::thread::spawn(move || canceller.cancel());
    run_until(&mut flow, Duration::from_secs(5), "finished", |s| {
        matches!(s, Step::Finished(_))
    });
    assert!(
        t0.elapsed() < Duration::from_millis(600),
        "stopped in {:?}",
        t0.elapsed()
    );
    match flow.step() {
        Step::Finished(End::Saved {
            cause: SaveCause::Cancelled,
            reason,
            what_to_do,
            can_retry: true,
            ..
        }) => {
            assert_eq!(reason, "已取消上传");
            let command = format!(
                "cmgelog upload {} --url http://127.0.0.1:{port}/files/ --user {} --case CMGE-FLOW-1",
                zip.display(),
                support::USER
            );
            assert!(what_to_do.contains(&command), "{what_to_do}");
            assert!(!what_to_do.contains(support::PASSWORD));
        }
        other => panic!("{other:?}"),
    }
    assert!(zip.exists(), "the zip is kept");
    let size = std::fs::metadata(&zip).unwrap().len();
    let confirmed = support::state_offset(&zip).expect("the upload can continue later");
    assert!(confirmed < size, "cancelled in the middle: {confirmed} of {size}");
    // Retry: back to the form, and this time it goes through.
    assert!(flow.input(Input::Retry));
    upload(&mut flow, support::PASSWORD);
    run_until(&mut flow, Duration::from_secs(60), "finished", |s| {
        matches!(s, Step::Finished(_))
    });
    assert!(
        matches!(flow.step(), Step::Finished(End::Uploaded { .. })),
        "{:?}",
        flow.step()
    );
}

#[test]
fn cancel_while_waiting_to_retry_a_portal_that_went_away_stops_at_once() {
    let dir = TempDir::new().unwrap();
    let store = dir.path().join("store");
    std::fs::create_dir(&store).unwrap();
    let server = support::tus_server(&store, 0, None);
    let mut flow = flow_for(dir.path(), &server.url("/files/"));
    collect_and_open_the_form(&mut flow);
    // Checked while it is there...
    assert!(flow.input(Input::CheckPortal { url: String::new() }));
    run_until(
        &mut flow,
        Duration::from_secs(10),
        "checked",
        |s| matches!(s, Step::UploadForm(f) if f.portal == PortalCheck::Reachable),
    );
    // ...gone before the password.
    drop(server);
    upload(&mut flow, support::PASSWORD);
    run_until(
        &mut flow,
        Duration::from_secs(10),
        "a retry notice",
        |s| matches!(s, Step::Uploading(u) if u.notice.is_some()),
    );
    let Step::Uploading(u) = flow.step() else {
        unreachable!()
    };
    let notice = u.notice.clone().unwrap();
    assert!(
        notice.contains("门户服务器拒绝连接") && !notice.contains("os error"),
        "{notice}"
    );
    let t0 = Instant::now();
    assert!(flow.input(Input::Cancel));
    run_until(&mut flow, Duration::from_secs(5), "finished", |s| {
        matches!(s, Step::Finished(_))
    });
    assert!(
        t0.elapsed() < Duration::from_millis(500),
        "stopped in {:?}",
        t0.elapsed()
    );
    assert!(matches!(
        flow.step(),
        Step::Finished(End::Saved {
            cause: SaveCause::Cancelled,
            ..
        })
    ));
}
