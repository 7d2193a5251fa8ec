//! `cmgelog upload` against real third-party servers on 127.0.0.1, no mocks: the official tus
//! server (`@tus/server` + `@tus/file-store`, wrapped in `tests/upload-servers/tus.mjs` for
//! Basic authentication) and `uploadserver` from PyPI for the multipart path. `scripts/test.sh`
//! installs both; a server that cannot start fails the test with the reason.
//!
//! Each test starts its own servers (port 0, its own store directory) and stops them when its
//! guard is dropped, so tests run in parallel.
//!
//! Linux only: the servers run on the build machine and the password check reads `/proc`; a
//! Windows test binary (under Wine) has neither.
#![cfg(target_os = "linux")]

mod support;

use serde_json::Value;
use std::process::Stdio;
use std::time::{Duration, Instant};
use support::*;
use tempfile::TempDir;

#[test]
fn tus_upload_stores_the_identical_file_with_its_metadata() {
    let dir = TempDir::new().unwrap();
    let store = dir.path().join("store");
    let server = tus_server(&store, 0, None);
    let bundle = dir.path().join("CMGE_Log_A.zip");
    make_file(&bundle, 5 << 20, 1);

    // auto: the server answers OPTIONS with Tus-Version, so tus is chosen.
    let run = upload(
        &bundle,
        &server.url("/files/"),
        &["--chunk-size", "1048576", "--case", "SR-2026-0042"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let (location, sha) = final_line(&run.stdout);
    assert!(run.stdout.contains("(5242880 bytes, tus)"), "{}", run.stdout);
    assert_eq!(sha, sha256_of(&bundle));
    // The Location was relative; the uploader made it absolute against the endpoint.
    assert!(location.starts_with(&server.url("/files/")), "{location}");
    let stored = stored_tus_file(&store, &location);
    assert_eq!(std::fs::read(&stored).unwrap(), std::fs::read(&bundle).unwrap());

    let info: Value = serde_json::from_slice(&std::fs::read(stored.with_extension("json")).unwrap()).unwrap();
    assert_eq!(info["metadata"]["filename"], "CMGE_Log_A.zip");
    assert_eq!(info["metadata"]["size"], "5242880");
    // The sha256 is computed while sending: it is in the final line, not in the creation metadata.
    assert!(info["metadata"].get("sha256").is_none(), "{info}");
    assert_eq!(info["metadata"]["case"], "SR-2026-0042");

    assert!(!state_file(&bundle).exists(), "state removed when done");
    assert!(bundle.exists(), "the local bundle is kept");
    // Not a terminal: one line per 10 %, ending at 100 %.
    let lines: Vec<&str> = run.stderr.lines().filter(|l| l.contains('%')).collect();
    assert!(lines.len() <= 11, "{lines:?}");
    assert!(lines.last().unwrap().contains("100%"), "{lines:?}");
    // Five chunks, each sent once.
    let s = stats(&server);
    assert_eq!(s["methods"]["PATCH"], 5, "{s}");
    assert_eq!(s["patch_bytes_declared"], 5 << 20, "{s}");
}

#[test]
fn empty_file_uploads_over_tus() {
    let dir = TempDir::new().unwrap();
    let store = dir.path().join("store");
    let server = tus_server(&store, 0, None);
    let bundle = dir.path().join("empty.zip");
    std::fs::write(&bundle, b"").unwrap();
    let run = upload(&bundle, &server.url("/files/"), &["--protocol", "tus", "-q"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stderr, "", "--quiet prints only the final line");
    let (location, sha) = final_line(&run.stdout);
    assert_eq!(sha, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    let stored = stored_tus_file(&store, &location);
    assert_eq!(std::fs::metadata(stored).unwrap().len(), 0);
    assert!(!state_file(&bundle).exists());
}

#[test]
fn a_file_of_300_mb_uploads_over_tus() {
    let dir = TempDir::new().unwrap();
    let store = dir.path().join("store");
    let server = tus_server(&store, 0, None);
    let bundle = dir.path().join("big.zip");
    let size = 300u64 << 20;
    make_file(&bundle, size, 3);
    let start = Instant::now();
    let run = upload(&bundle, &server.url("/files/"), &["-q"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let elapsed = start.elapsed();
    let (location, sha) = final_line(&run.stdout);
    let local = sha256_of(&bundle);
    assert_eq!(sha, local);
    let stored = stored_tus_file(&store, &location);
    assert_eq!(std::fs::metadata(&stored).unwrap().len(), size);
    assert_eq!(sha256_of(&stored), local);
    // Streamed in default-size chunks (32 MiB), none twice.
    let s = stats(&server);
    assert_eq!(s["methods"]["PATCH"], 10, "{s}");
    assert_eq!(s["patch_bytes_declared"], size, "{s}");
    eprintln!("300 MiB over tus on loopback (debug build, hashing included): {elapsed:?}");
}

#[test]
fn killed_mid_upload_and_run_again_completes_sending_at_most_one_chunk_twice() {
    let dir = TempDir::new().unwrap();
    let store = dir.path().join("store");
    let server = tus_server(&store, 0, None);
    let bundle = dir.path().join("CMGE_Log_B.zip");
    let size = 40u64 << 20;
    let chunk = 64u64 << 10;
    make_file(&bundle, size, 4);
    let chunk_arg = chunk.to_string();
    let args = ["--chunk-size", chunk_arg.as_str(), "--protocol", "tus"];

    let mut c = cmgelog(Some(PASSWORD));
    upload_args(&mut c, &bundle, &server.url("/files/"));
    let mut child = c
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Somewhere between 5 % and 65 % of the file.
    let kill_after = size / 20 + pseudo_random(size * 3 / 5);
    let seen = wait_for_offset(&mut child, &bundle, kill_after);
    child.kill().unwrap(); // SIGKILL: no cleanup, mid-chunk or between chunks
    let status = child.wait().unwrap();
    assert!(status.code().is_none(), "killed by a signal, not finished");
    assert!(seen < size);
    let saved = state_offset(&bundle).expect("state survives the kill");
    assert!(saved < size);

    let run = upload(&bundle, &server.url("/files/"), &args);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("resuming"), "{}", run.stderr);
    let (location, sha) = final_line(&run.stdout);
    assert_eq!(sha, sha256_of(&bundle));
    assert_eq!(sha256_of(&stored_tus_file(&store, &location)), sha);
    // One upload was created, and the bytes sent (declared, which bounds what was actually
    // sent) exceed the file by at most the chunk cut off by the kill.
    let s = stats(&server);
    assert_eq!(s["methods"]["POST"], 1, "{s}");
    let declared = s["patch_bytes_declared"].as_u64().unwrap();
    assert!(
        declared <= size + chunk,
        "sent {declared} bytes for a file of {size} (chunk {chunk}); killed after {seen}"
    );
    assert!(!state_file(&bundle).exists());
}

#[test]
fn server_stopped_and_restarted_mid_upload_is_survived() {
    let dir = TempDir::new().unwrap();
    let store = dir.path().join("store");
    let server = tus_server(&store, 0, None);
    let port = server.port;
    let bundle = dir.path().join("CMGE_Log_C.zip");
    let size = 40u64 << 20;
    make_file(&bundle, size, 5);

    let mut c = cmgelog(Some(PASSWORD));
    upload_args(&mut c, &bundle, &server.url("/files/"));
    let mut child = c
        .args(["--chunk-size", "65536"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_for_offset(&mut child, &bundle, size / 5);
    drop(server); // SIGKILL to the server mid-upload
    std::thread::sleep(Duration::from_millis(1500));
    assert!(
        child.try_wait().unwrap().is_none(),
        "the uploader waits for the server instead of giving up"
    );
    let _server = tus_server(&store, port, None); // same store, same port
    let run = wait_with_limit(child, Duration::from_secs(90));
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("retry 1/8"), "{}", run.stderr);
    let (location, sha) = final_line(&run.stdout);
    assert_eq!(sha, sha256_of(&bundle));
    assert_eq!(sha256_of(&stored_tus_file(&store, &location)), sha);
}

#[test]
fn wrong_password_fails_fast_in_chinese_without_retries() {
    let dir = TempDir::new().unwrap();
    let server = tus_server(&dir.path().join("store"), 0, None);
    let bundle = dir.path().join("b.zip");
    make_file(&bundle, 1 << 20, 6);
    let start = Instant::now();
    let mut c = cmgelog(Some("not-the-password"));
    upload_args(&mut c, &bundle, &server.url("/files/"));
    let run = finish(c.args(["--lang", "zh"]).output().unwrap());
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(run.stderr.contains("用户名或密码错误"), "{}", run.stderr);
    assert!(start.elapsed() < Duration::from_secs(5));
    let s = stats(&server);
    assert_eq!(
        (s["requests"].as_u64(), s["unauthorized"].as_u64()),
        (Some(1), Some(1)),
        "{s}"
    );
    assert!(!state_file(&bundle).exists());
}

#[test]
fn larger_than_the_servers_maximum_is_refused_before_sending() {
    let dir = TempDir::new().unwrap();
    let server = tus_server(&dir.path().join("store"), 0, Some(1000));
    let bundle = dir.path().join("b.zip");
    make_file(&bundle, 5000, 7);
    let run = upload(&bundle, &server.url("/files/"), &[]);
    assert_eq!(run.code, 4, "{}", run.stderr);
    assert!(run.stderr.contains("at most 1000"), "{}", run.stderr);
    assert_eq!(stats(&server)["methods"]["PATCH"], Value::Null);
}

#[test]
fn multipart_upload_to_uploadserver_stores_the_identical_file() {
    let dir = TempDir::new().unwrap();
    let store = dir.path().join("received");
    std::fs::create_dir(&store).unwrap();
    let server = upload_server(&store);
    let bundle = dir.path().join("CMGE_Log_D.zip");
    make_file(&bundle, 3 << 20, 8);
    // auto: uploadserver answers OPTIONS with 501 and no Tus-Version, so multipart is chosen.
    let run = upload(&bundle, &server.url("/upload"), &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("multipart"), "{}", run.stdout);
    let (_, sha) = final_line(&run.stdout);
    assert_eq!(sha, sha256_of(&bundle));
    assert_eq!(
        std::fs::read(store.join("CMGE_Log_D.zip")).unwrap(),
        std::fs::read(&bundle).unwrap()
    );
}

#[test]
fn multipart_wrong_password_is_an_auth_error() {
    let dir = TempDir::new().unwrap();
    let store = dir.path().join("received");
    std::fs::create_dir(&store).unwrap();
    let server = upload_server(&store);
    let bundle = dir.path().join("b.zip");
    // Large enough that the server answers 401 long before the body is sent: the answer must
    // still be seen (not a "connection reset" retried as a network error).
    make_file(&bundle, 20 << 20, 9);
    let mut c = cmgelog(Some("wrong"));
    upload_args(&mut c, &bundle, &server.url("/upload"));
    let run = finish(c.args(["--protocol", "multipart"]).output().unwrap());
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(run.stderr.contains("wrong user name or password"), "{}", run.stderr);
    assert!(!run.stderr.contains("retry"), "{}", run.stderr);
    assert_eq!(std::fs::read_dir(&store).unwrap().count(), 0);
}

#[test]
fn put_uploads_the_identical_file() {
    let dir = TempDir::new().unwrap();
    let store = dir.path().join("store");
    let server = tus_server(&store, 0, None);
    let bundle = dir.path().join("b.zip");
    make_file(&bundle, 2 << 20, 10);
    let run = upload(&bundle, &server.url("/raw/b.zip"), &["--method", "put"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        std::fs::read(store.join("raw/b.zip")).unwrap(),
        std::fs::read(&bundle).unwrap()
    );
}

#[test]
fn without_a_password_and_without_a_terminal_it_fails_at_once() {
    let dir = TempDir::new().unwrap();
    let bundle = dir.path().join("b.zip");
    std::fs::write(&bundle, b"x").unwrap();
    let mut c = cmgelog(None);
    // Nothing listens there; the password check comes first and nothing is sent.
    upload_args(&mut c, &bundle, "http://127.0.0.1:9/files/");
    let run = finish(c.output().unwrap());
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("CMGELOG_PASSWORD"), "{}", run.stderr);
}

#[test]
fn the_password_appears_in_no_argv_output_or_written_file() {
    let dir = TempDir::new().unwrap();
    let store = dir.path().join("store");
    let server = tus_server(&store, 0, None);
    let bundle_dir = dir.path().join("Desktop");
    std::fs::create_dir(&bundle_dir).unwrap();
    let bundle = bundle_dir.join("CMGE_Log_E.zip");
    let size = 20u64 << 20;
    make_file(&bundle, size, 11);

    let mut c = cmgelog(Some(PASSWORD));
    upload_args(&mut c, &bundle, &server.url("/files/"));
    let mut child = c
        .args(["--chunk-size", "65536", "--case", "SR-1"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_for_offset(&mut child, &bundle, 0);
    // While it runs: its command line, and the state file as written.
    let cmdline = std::fs::read(format!("/proc/{}/cmdline", child.id())).unwrap();
    assert!(!cmdline.is_empty(), "read the running uploader's argv");
    let secret = PASSWORD.as_bytes();
    let contains = |hay: &[u8]| hay.windows(secret.len()).any(|w| w == secret);
    assert!(!contains(&cmdline));
    let state = std::fs::read(state_file(&bundle)).unwrap();
    assert!(!contains(&state));
    // Not even the user name: the state holds where the upload is and how far it got.
    assert!(!String::from_utf8_lossy(&state).contains(USER));

    let run = wait_with_limit(child, Duration::from_secs(60));
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stdout.contains(PASSWORD) && !run.stderr.contains(PASSWORD));
    // Everything in the bundle's folder, and what reached the server's store.
    for folder in [&bundle_dir, &store] {
        for entry in walk(folder) {
            assert!(
                !contains(&std::fs::read(&entry).unwrap()),
                "password in {}",
                entry.display()
            );
        }
    }
    // The check above would have found it: the folder holds the bundle and nothing else.
    assert_eq!(walk(&bundle_dir), vec![bundle.clone()]);
}

#[test]
fn a_changed_bundle_starts_over_and_the_stale_upload_is_terminated() {
    let dir = TempDir::new().unwrap();
    let store = dir.path().join("store");
    let server = tus_server(&store, 0, None);
    let bundle = dir.path().join("CMGE_Log_F.zip");
    make_file(&bundle, 8 << 20, 12);
    let mut c = cmgelog(Some(PASSWORD));
    upload_args(&mut c, &bundle, &server.url("/files/"));
    let mut child = c
        .args(["--chunk-size", "65536"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_for_offset(&mut child, &bundle, 0);
    child.kill().unwrap();
    child.wait().unwrap();
    let stale: Value = serde_json::from_slice(&std::fs::read(state_file(&bundle)).unwrap()).unwrap();
    let stale_file = stored_tus_file(&store, stale["upload_url"].as_str().unwrap());
    assert!(stale_file.exists());

    // The user collected again: same name, other content. Resuming would mix two files.
    make_file(&bundle, 6 << 20, 13);
    let run = upload(&bundle, &server.url("/files/"), &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stderr.contains("resuming"), "{}", run.stderr);
    let (location, sha) = final_line(&run.stdout);
    assert_eq!(sha, sha256_of(&bundle));
    assert_eq!(sha256_of(&stored_tus_file(&store, &location)), sha);
    // The server advertises termination, so the stale upload was deleted there.
    let s = stats(&server);
    assert_eq!(s["methods"]["POST"], 2, "{s}");
    assert_eq!(s["methods"]["DELETE"], 1, "{s}");
    assert!(!stale_file.exists(), "stale upload removed from the store");
}

#[test]
fn other_refusals_name_the_status_and_the_servers_words() {
    let dir = TempDir::new().unwrap();
    let server = tus_server(&dir.path().join("store"), 0, None);
    let bundle = dir.path().join("b.zip");
    make_file(&bundle, 1000, 14);
    // A form POST to a tus endpoint: the tus server refuses it (412, no Tus-Resumable).
    let run = upload(&bundle, &server.url("/files/"), &["--protocol", "multipart"]);
    assert_eq!(run.code, 4, "{}", run.stderr);
    assert!(
        run.stderr.contains("the server refused the upload (412)") && run.stderr.contains("Tus-Resumable Required"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("retry"), "{}", run.stderr);
}

#[test]
fn https_with_a_private_ca_needs_ca_cert() {
    let dir = TempDir::new().unwrap();
    let pki = dir.path().join("pki");
    std::fs::create_dir(&pki).unwrap();
    let (ca, cert, key) = private_ca(&pki);
    let store = dir.path().join("store");
    let server = start_tus(&store, 0, None, Some((&cert, &key)));
    let url = format!("https://127.0.0.1:{}/files/", server.port);
    let bundle = dir.path().join("b.zip");
    make_file(&bundle, 3 << 20, 15);

    // Unknown issuer: refused by rustls, at once (waiting does not change a certificate).
    let start = Instant::now();
    let run = upload(&bundle, &url, &[]);
    assert_eq!(run.code, 5, "{}", run.stderr);
    assert!(run.stderr.contains("TLS failed"), "{}", run.stderr);
    assert!(run.stderr.contains("--ca-cert"), "{}", run.stderr);
    assert!(!run.stderr.contains("retry"), "{}", run.stderr);
    assert!(start.elapsed() < Duration::from_secs(10));

    let run = upload(&bundle, &url, &["--ca-cert", ca.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let (location, sha) = final_line(&run.stdout);
    assert!(location.starts_with("https://127.0.0.1:"), "{location}");
    assert_eq!(sha, sha256_of(&bundle));
    assert_eq!(sha256_of(&stored_tus_file(&store, &location)), sha);

    // A CA file that holds no certificate is an input error.
    let run = upload(&bundle, &url, &["--ca-cert", key.to_str().unwrap()]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("CA certificate"), "{}", run.stderr);
}

#[test]
fn a_missing_bundle_is_an_input_error_before_any_password_question() {
    let dir = TempDir::new().unwrap();
    let mut c = cmgelog(None);
    upload_args(&mut c, &dir.path().join("missing.zip"), "http://127.0.0.1:9/files/");
    let run = finish(c.output().unwrap());
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("missing.zip"), "{}", run.stderr);
    assert!(!run.stderr.contains("CMGELOG_PASSWORD"), "{}", run.stderr);
}
