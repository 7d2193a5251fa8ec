//! The HTML reports, rendered in a real browser: Debian's chromium, headless (scripts/test.sh
//! installs it). The DOM chromium builds must hold the key content, the screenshot must be a
//! real picture, and no report may reference anything outside itself.

mod common;

use common::*;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::Duration;
use tempfile::TempDir;

/// The browser, or a failure that says how to get it: this test never skips.
fn chromium() -> PathBuf {
    let candidates = [
        PathBuf::from("/usr/bin/chromium"),
        PathBuf::from("/usr/bin/chromium-browser"),
    ];
    candidates.into_iter().find(|p| p.exists()).unwrap_or_else(|| {
        panic!(
            "chromium is not installed: the HTML report test needs it. Run `bash scripts/test.sh` \
             (it installs Debian's chromium) or `apt-get install -y chromium`."
        )
    })
}

fn browser(page: &Path, extra: &[&str]) -> std::process::Output {
    let profile = TempDir::new().unwrap();
    assert_cmd::Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(extra)
        .arg(format!("file://{}", page.display()))
        .timeout(Duration::from_secs(120))
        .output()
        .unwrap()
}

/// The DOM after chromium loaded the page (scripts ran).
fn dump_dom(page: &Path) -> String {
    let out = browser(page, &["--dump-dom"]);
    let dom = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        dom.contains("</html>"),
        "chromium rendered nothing for {}: {}",
        page.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    dom
}

/// Takes a screenshot and checks it is a 1280x2000 PNG with real content.
fn screenshot(page: &Path, png: &Path) {
    let out = browser(
        page,
        &[&format!("--screenshot={}", png.display()), "--window-size=1280,2000"],
    );
    let data =
        std::fs::read(png).unwrap_or_else(|e| panic!("no screenshot ({e}): {}", String::from_utf8_lossy(&out.stderr)));
    assert!(data.starts_with(b"\x89PNG\r\n\x1a\n"), "a PNG");
    let width = u32::from_be_bytes(data[16..20].try_into().unwrap());
    let height = u32::from_be_bytes(data[20..24].try_into().unwrap());
    assert_eq!((width, height), (1280, 2000));
    // A blank white page compresses to a few kilobytes; a rendered report does not.
    assert!(
        data.len() > 20_000,
        "screenshot of {} is only {} bytes",
        page.display(),
        data.len()
    );
}

/// No `src`/`href` (or CSS `url(`) that points outside the file.
fn assert_self_contained(html: &str) {
    let lower = html.to_ascii_lowercase();
    for pattern in [
        "src=\"http",
        "href=\"http",
        "src='http",
        "href='http",
        "src=\"//",
        "href=\"//",
        "url(http",
        "url(//",
        "@import",
    ] {
        assert!(!lower.contains(pattern), "external reference {pattern}");
    }
}

fn analyze(bundle: &Path, format: &str, lang: &str) -> Vec<u8> {
    cmgelog()
        .args(["analyze", "--format", format, "--lang", lang])
        .arg(bundle)
        .output()
        .unwrap()
        .stdout
}

/// Case A with a hostile line in its activation log: markup that must stay text.
fn hostile_case_a(dir: &Path) -> PathBuf {
    let mut entries = read_zip(&repo("samples/case-a-thin-client-empty-baseboard-serial.zip"));
    entries.push((
        "activation/hostile.log".into(),
        "2024-05-14 09:50:00 [ERROR] 在线激活失败， 服务器错误，请联系客服。<script>alert(1)</script><img src=http://example.invalid/x.png>\n"
            .as_bytes()
            .to_vec(),
    ));
    let p = dir.join("case-a-hostile.zip");
    write_zip(&p, &entries);
    p
}

#[test]
fn analyze_html_in_chinese_and_english_renders_titles_and_evidence() {
    let tmp = TempDir::new().unwrap();
    let bundle = hostile_case_a(tmp.path());
    for lang in ["zh", "en"] {
        let json: Value = serde_json::from_slice(&analyze(&bundle, "json", lang)).unwrap();
        let html = analyze(&bundle, "html", lang);
        let page = tmp.path().join(format!("report-{lang}.html"));
        std::fs::write(&page, &html).unwrap();
        assert_self_contained(&String::from_utf8(html).unwrap());

        let dom = dump_dom(&page);
        let findings = json["findings"].as_array().unwrap();
        assert!(findings.len() >= 4);
        for f in findings {
            let title = f["title"].as_str().unwrap();
            assert!(
                dom.contains(&escape_html(title)),
                "{lang}: title {title} not in the DOM"
            );
        }
        // Evidence with file and line (the empty baseboard serial of case A).
        assert!(dom.contains("hardware/dmidecode.txt:53"), "{lang}: evidence location");
        assert!(dom.contains("activation/hostile.log:1"));
        // The hostile markup is text: no script or image element came from it.
        assert!(dom.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "{lang}: escaped");
        assert!(!dom.contains("<script>alert(1)"));
        assert!(!dom.contains("<img"));
        let heading = if lang == "zh" { "发现的问题" } else { "Findings" };
        assert!(dom.contains(heading));
        screenshot(&page, &tmp.path().join(format!("report-{lang}.png")));
    }
}

#[test]
fn the_sort_button_script_orders_findings_by_severity() {
    let tmp = TempDir::new().unwrap();
    // Case C has findings of three severities, critical first.
    let html = String::from_utf8(analyze(
        &repo("samples/case-c-serial-mismatch-hardware.zip"),
        "html",
        "en",
    ))
    .unwrap();
    let order = |dom: &str| -> Vec<String> {
        dom.match_indices("class=\"finding\" data-severity=\"")
            .map(|(i, m)| dom[i + m.len()..i + m.len() + 1].to_string())
            .collect()
    };
    let page = tmp.path().join("c.html");
    std::fs::write(&page, &html).unwrap();
    let before = order(&dump_dom(&page));
    assert_eq!(before.first().map(String::as_str), Some("3"));
    assert!(before.windows(2).all(|w| w[0] >= w[1]), "most severe first: {before:?}");
    // One click on the button (wired by the page's script, no inline handler) puts the least
    // severe first.
    let clicked = html.replace(
        "</body>",
        "<script>window.addEventListener('load',function(){\
         document.querySelector('button[data-sort=\"findings\"]').click()})</script></body>",
    );
    std::fs::write(&page, clicked).unwrap();
    let after = order(&dump_dom(&page));
    let mut expected = before.clone();
    expected.reverse();
    assert_eq!(after, expected);
    assert_ne!(after, before);
}

#[test]
fn batch_html_shows_the_summary_counts_and_every_bundle() {
    let tmp = TempDir::new().unwrap();
    let corpus = tmp.path().join("corpus");
    build_corpus(&corpus, 24);
    std::fs::write(corpus.join("broken.zip"), b"not a zip at all").unwrap();
    let summary_line = cmgelog()
        .args(["batch", "--summary", "--lang", "en", "--jobs", "2"])
        .arg(&corpus)
        .output()
        .unwrap();
    let summary: Value = serde_json::from_slice(&summary_line.stdout).unwrap();
    assert_eq!(summary["bundles"], 25);

    for lang in ["en", "zh"] {
        let page = tmp.path().join(format!("batch-{lang}.html"));
        let out = cmgelog()
            .args(["batch", "--format", "html", "--jobs", "2", "--lang", lang, "--out"])
            .arg(&page)
            .arg(&corpus)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "the broken zip");
        assert_self_contained(&std::fs::read_to_string(&page).unwrap());
        let dom = dump_dom(&page);
        let totals = if lang == "en" {
            "<b>25</b> bundles"
        } else {
            "共 <b>25</b> 个日志包"
        };
        assert!(dom.contains(totals), "{lang}: totals");
        assert!(dom.contains("<b>1</b> could not") || lang == "zh");
        // Each cause with its exact count (the counts come from the JSON summary).
        let causes = summary["causes"].as_array().unwrap();
        assert!(causes.len() >= 5);
        for c in causes {
            let row = format!("<code>{}</code></td><td>", c["rule"].as_str().unwrap());
            let at = dom
                .find(&row)
                .unwrap_or_else(|| panic!("{lang}: no row for {}", c["rule"]));
            let count = format!("<td class=\"count\">{}</td>", c["bundles"]);
            let rest = &dom[at..];
            let row_end = rest.find("</tr>").unwrap();
            assert!(rest[..row_end].contains(&count), "{lang}: count of {}", c["rule"]);
            assert!(rest[..row_end].contains("<rect class=\"bar\""), "bar chart");
        }
        assert!(dom.contains("not-a-zip"));
        // Every bundle has its row, with evidence file and line.
        for i in 0..24 {
            assert!(dom.contains(&format!("bundle-{i:04}.zip")), "{lang}: bundle {i}");
        }
        assert!(dom.contains("hardware/dmidecode.txt:"));
        screenshot(&page, &tmp.path().join(format!("batch-{lang}.png")));
    }
}

fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}
