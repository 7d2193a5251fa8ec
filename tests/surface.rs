//! The surface a newcomer meets: `--help` of every command with its exit codes (from the same
//! lists as docs/exit-codes.md), the documented codes returned by real runs.

use assert_cmd::Command;
use cmgelog::exit_code::{self, AnalysisExit, CheckExit, CollectExit, ExplainExit, UploadExit};
use std::path::{Path, PathBuf};

fn repo(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

fn cmgelog() -> Command {
    let mut c = Command::cargo_bin("cmgelog").expect("binary built");
    c.env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("CMGELOG_PASSWORD")
        .env("LANG", "en_US.UTF-8");
    c
}

/// clap wraps help to the terminal's width: compare texts with their whitespace collapsed.
fn words(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn every_commands_help_shows_its_exit_codes_from_the_lists() {
    for table in exit_code::FAMILIES {
        for command in table.commands {
            for (lang, zh) in [("en", false), ("zh", true)] {
                let out = cmgelog()
                    .args(command.split_whitespace())
                    .args(["--help", "--lang", lang])
                    .output()
                    .unwrap();
                assert_eq!(out.status.code(), Some(0));
                let help = words(&String::from_utf8_lossy(&out.stdout));
                let section = words(&exit_code::help_section(table, cmgelog::i18n::Lang::from_locale(lang)));
                assert!(
                    help.contains(&section),
                    "`cmgelog {command} --help --lang {lang}` lacks\n{section}\nin\n{help}"
                );
                for m in table.codes {
                    let meaning = words(if zh { m.zh } else { m.en });
                    assert!(
                        help.contains(&format!("{} {meaning}", m.code)),
                        "{command} {lang}: {}",
                        m.code
                    );
                }
                let examples = if zh { "示例：" } else { "Examples:" };
                assert!(help.contains(examples), "{command} {lang}: no examples");
            }
        }
    }
}

#[test]
fn docs_exit_codes_md_matches_the_lists() {
    let doc = std::fs::read_to_string(repo("docs/exit-codes.md")).expect("docs/exit-codes.md");
    assert_eq!(doc.replace("\r\n", "\n"), exit_code::markdown());
    // Each family's rows, as a reader sees them.
    for t in exit_code::FAMILIES {
        for m in t.codes {
            assert!(doc.contains(&format!("| {} | {} | {} |", m.code, m.en, m.zh)));
        }
    }
}

#[test]
fn real_runs_return_the_documented_codes() {
    let code = |c: &mut Command| c.output().unwrap().status.code();
    let sample = |name: &str| repo(&format!("samples/{name}"));

    let clean = code(cmgelog().arg("analyze").arg(sample("healthy-hp-zbook.zip")));
    assert_eq!(clean, Some(AnalysisExit::Clean.code().into()));
    let findings = code(
        cmgelog()
            .arg("analyze")
            .arg(sample("case-a-thin-client-empty-baseboard-serial.zip")),
    );
    assert_eq!(findings, Some(AnalysisExit::Findings.code().into()));
    let unreadable = code(cmgelog().arg("analyze").arg(repo("no/such/bundle.zip")));
    assert_eq!(unreadable, Some(AnalysisExit::Unreadable.code().into()));

    let not_a_code = code(cmgelog().args(["explain", "not-a-code"]));
    assert_eq!(not_a_code, Some(ExplainExit::NotACode.code().into()));

    let dir = tempfile::tempdir().unwrap();
    let bad_categories = code(
        cmgelog()
            .args(["collect", "--yes", "--quiet", "--categories", "no-such-category"])
            .env("XDG_CONFIG_HOME", dir.path())
            .env_remove("CMGELOG_CONFIG"),
    );
    assert_eq!(bad_categories, Some(CollectExit::CannotStart.code().into()));

    // upload: no password and no terminal to ask on.
    let bundle = dir.path().join("b.zip");
    std::fs::write(&bundle, b"PK\x05\x06\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0").unwrap();
    let no_password = code(
        cmgelog()
            .arg("upload")
            .arg(&bundle)
            .args(["--url", "http://127.0.0.1:9/files/", "--user", "u"])
            .write_stdin(""),
    );
    assert_eq!(no_password, Some(UploadExit::BadInput.code().into()));

    let bad_spec = dir.path().join("bad-spec.toml");
    std::fs::write(&bad_spec, "[[item]]\nid = 3\n").unwrap();
    let problems = code(cmgelog().args(["spec", "lint"]).arg(&bad_spec));
    assert_eq!(problems, Some(CheckExit::Problems.code().into()));
}

#[path = "wizard_support/english.rs"]
mod english;

/// `rules test` where there is no ./rules (an installed cmgelog): what folder it needs, in the
/// user's language, and a failure code.
#[test]
fn rules_test_outside_the_source_tree_says_what_folder_it_needs() {
    let dir = tempfile::tempdir().unwrap();
    for (lang, needle) in [("zh", "规则文件夹"), ("en", "rules folder")] {
        let out = cmgelog()
            .current_dir(dir.path())
            .args(["rules", "test", "--lang", lang])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(CheckExit::CannotRun.code().into()));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(needle) && err.contains("fixtures"), "{err}");
        assert!(err.contains(&dir.path().join("rules").display().to_string()), "{err}");
        if lang == "zh" {
            assert_eq!(english::english_sentences(&err), Vec::<String>::new());
        }
    }
}

/// `batch --ordered`: records in input order (the bundles sorted by path), byte for byte the
/// same output from run to run, with two jobs racing over bundles of uneven size.
#[test]
fn batch_ordered_writes_records_in_input_order_every_run() {
    let dir = tempfile::tempdir().unwrap();
    let samples: Vec<PathBuf> = std::fs::read_dir(repo("samples"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "zip"))
        .collect();
    assert!(samples.len() >= 5);
    let mut names = Vec::new();
    for i in 0..30 {
        let name = format!("b{i:02}.zip");
        std::fs::copy(&samples[(i * 3) % samples.len()], dir.path().join(&name)).unwrap();
        names.push(name);
    }
    std::fs::write(dir.path().join("b15-broken.zip"), b"PK\x03\x04 not really").unwrap();
    names.push("b15-broken.zip".into());
    names.sort();
    let run = || {
        let out = cmgelog()
            .args(["batch", "--ordered", "--jobs", "2"])
            .arg(dir.path())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(AnalysisExit::Unreadable.code().into()));
        String::from_utf8(out.stdout).unwrap()
    };
    let first = run();
    let order: Vec<String> = first
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|v| v["type"] == "bundle")
        .map(|v| v["key"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(order, names);
    for _ in 0..3 {
        assert_eq!(run(), first, "the output changed between runs");
    }
}

/// The report's own words in Chinese, without what it quotes: evidence lines (a log's text),
/// rule ids and `commands` are not sentences.
fn own_words(report: &str) -> String {
    let mut out = Vec::new();
    let mut in_evidence = false;
    for line in report.lines() {
        let indent = line.len() - line.trim_start().len();
        if line.trim_start().starts_with("证据：") {
            in_evidence = true;
            continue;
        }
        if in_evidence && indent >= 4 && !line.trim_start().starts_with('→') {
            continue;
        }
        in_evidence = in_evidence && indent >= 4;
        // Related findings are rule ids.
        if line.trim_start().starts_with("相关结论：") {
            continue;
        }
        out.push(line);
    }
    // `commands` in a remedy are typed as they are.
    let code = regex::Regex::new("`[^`]*`").unwrap();
    code.replace_all(&out.join("\n"), " ").into_owned()
}

/// Chinese reports hold no English sentences where the words are the tool's: the decisive
/// error of a setup log, why a category is missing (needs administrator, no file matches, a
/// timeout), a damaged event log.
#[test]
fn chinese_reports_put_reasons_notes_and_read_errors_in_chinese() {
    let inputs = [
        "tests/fixtures/setup",
        "tests/fixtures/linux/constructed/manifest-reasons.json",
        "tests/fixtures/linux/constructed/manifest-ci-partial.json",
        "tests/fixtures/evtx/sample_with_a_bad_chunk_magic.evtx",
    ];
    for input in inputs {
        let out = cmgelog()
            .args(["analyze", "--lang", "zh"])
            .arg(repo(input))
            .output()
            .unwrap();
        let report = String::from_utf8_lossy(&out.stdout);
        let english = english::english_sentences(&own_words(&report));
        assert!(english.is_empty(), "{input}:\n{}\n\n{report}", english.join("\n"));
        let wanted: &[&str] = match input {
            "tests/fixtures/setup" => &["决定性错误：安装程序的结果", "决定性错误：第一个失败标记"],
            "tests/fixtures/linux/constructed/manifest-reasons.json" => &[
                "event-logs 未收集到：需要管理员权限",
                "processes 未收集到：没有匹配的文件",
            ],
            "tests/fixtures/linux/constructed/manifest-ci-partial.json" => &["60 秒后超时", "此类别没有运行任何项目"],
            _ => &["事件日志部分损坏（数据块 10 损坏）", "（数据块 7 中有记录损坏）"],
        };
        for w in wanted {
            assert!(report.contains(w), "{input}: no {w:?} in\n{report}");
        }
    }
    // The English report keeps the parser's own message for support.
    let out = cmgelog()
        .args(["analyze", "--lang", "en", "--format", "json"])
        .arg(repo("tests/fixtures/evtx/sample_with_a_bad_chunk_magic.evtx"))
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let first = &json["errors"][0];
    assert_eq!(first["code"], "damaged-events");
    let message = first["message"].as_str().unwrap();
    assert!(message.contains("(chunk 10 is damaged)"), "{first}");
    assert!(message.contains("Failed to parse chunk number 10"), "{first}");
}

const NEW_CODE: &str = r#"
[[code]]
code = "0x8BADF00D"
area = "activation"
title.zh = "CMGE 激活客户端看门狗超时"
title.en = "CMGE activation client watchdog timeout"
meaning.zh = "激活客户端在规定时间内没有响应，被看门狗终止。"
meaning.en = "The activation client did not respond in time and was ended by its watchdog."
remedy.zh = "重启计算机后再次运行激活客户端。"
remedy.en = "Restart the computer and run the activation client again."
sources = ["support case 1234"]
"#;

const RULE_USING_IT: &str = r#"
[[rule]]
id = "local.watchdog"
severity = "error"
title.zh = "激活客户端看门狗超时"
title.en = "Activation client watchdog timeout"
cause.zh = "激活客户端被看门狗终止。"
cause.en = "The activation client was ended by its watchdog."
remedy.zh = "重启后重试。"
remedy.en = "Restart and retry."
when = { code = "0x8BADF00D" }
"#;

/// A rule file defines a new error code: `explain` and `rules lint` see it, without a rebuild;
/// `analyze` finds it.
#[test]
fn a_rule_file_defines_the_error_codes_it_uses() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("watchdog.toml");
    std::fs::write(&file, format!("{NEW_CODE}{RULE_USING_IT}")).unwrap();

    let lint = cmgelog()
        .args(["rules", "lint", "--lang", "en"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(lint.status.code(), Some(CheckExit::Clean.code().into()));
    assert!(String::from_utf8_lossy(&lint.stdout).contains("defined by the rule files: 0x8BADF00D"));

    for (lang, want) in [
        ("en", "The activation client did not respond in time"),
        ("zh", "激活客户端在规定时间内没有响应"),
    ] {
        let out = cmgelog()
            .args(["explain", "0x8BADF00D", "--lang", lang, "--rules"])
            .arg(&file)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(ExplainExit::Known.code().into()));
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains(want) && text.contains("local.watchdog"), "{text}");
    }
    let json = cmgelog()
        .args(["explain", "0x8BADF00D", "--format", "json", "--rules"])
        .arg(&file)
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert!(v.to_string().contains("support case 1234"), "{v}");
    // Without the rule file the code is unknown.
    let unknown = cmgelog().args(["explain", "0x8BADF00D"]).output().unwrap();
    assert_eq!(unknown.status.code(), Some(ExplainExit::Unknown.code().into()));

    // The rule finds the code in a log.
    let log = dir.path().join("CMGE_Activation.log");
    std::fs::write(&log, "2024-05-14 10:31:07 [ERROR] activation failed, hr=0x8BADF00D\r\n").unwrap();
    let out = cmgelog()
        .args(["analyze", "--format", "json", "--rules"])
        .arg(&file)
        .arg(&log)
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rules: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["rule"].as_str())
        .collect();
    assert!(rules.contains(&"local.watchdog"), "{report}");

    // Defined in one file of a folder, used in another: fine.
    let folder = dir.path().join("rules");
    std::fs::create_dir(&folder).unwrap();
    std::fs::write(folder.join("a-codes.toml"), NEW_CODE).unwrap();
    std::fs::write(folder.join("b-rules.toml"), RULE_USING_IT).unwrap();
    let lint = cmgelog().args(["rules", "lint"]).arg(&folder).output().unwrap();
    assert_eq!(lint.status.code(), Some(CheckExit::Clean.code().into()), "{lint:?}");

    // Used without a definition: lint says where and what to add.
    let alone = dir.path().join("alone.toml");
    std::fs::write(&alone, RULE_USING_IT).unwrap();
    let lint = cmgelog()
        .args(["rules", "lint", "--lang", "en"])
        .arg(&alone)
        .output()
        .unwrap();
    assert_eq!(lint.status.code(), Some(CheckExit::Problems.code().into()));
    let err = String::from_utf8_lossy(&lint.stderr);
    assert!(err.contains("alone.toml:11:17") && err.contains("[[code]]"), "{err}");
    // A bad definition: its table is named.
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, NEW_CODE.replace("area = \"activation\"", "area = \"licensing\"")).unwrap();
    let lint = cmgelog().args(["rules", "lint"]).arg(&bad).output().unwrap();
    assert_eq!(lint.status.code(), Some(CheckExit::Problems.code().into()));
    let err = String::from_utf8_lossy(&lint.stderr);
    assert!(
        err.contains("unknown area `licensing`") && err.contains("bad.toml:2:1"),
        "{err}"
    );
}

/// `analyze --out FILE`: the report in the file (without terminal colours), nothing on stdout,
/// the analysis's exit code.
#[test]
fn analyze_out_writes_the_report_to_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let sample = repo("samples/case-a-thin-client-empty-baseboard-serial.zip");
    for format in ["text", "html"] {
        let file = dir.path().join(format!("report.{format}"));
        let out = cmgelog()
            .args(["analyze", "--lang", "en", "--format", format, "--out"])
            .arg(&file)
            .arg(&sample)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(AnalysisExit::Findings.code().into()));
        assert!(out.stdout.is_empty());
        let written = std::fs::read_to_string(&file).unwrap();
        assert!(
            written.contains("hw.baseboard-serial") && !written.contains('\u{1b}'),
            "{format}"
        );
    }
    let unwritable = cmgelog()
        .args(["analyze", "--out"])
        .arg(dir.path().join("no/such/folder/r.txt"))
        .arg(&sample)
        .output()
        .unwrap();
    assert_eq!(unwritable.status.code(), Some(AnalysisExit::Unreadable.code().into()));
}
