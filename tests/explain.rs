//! `cmgelog explain`: run the built binary as a support engineer would and check what it
//! prints against the knowledge base it is built from.

use assert_cmd::Command;
use cmgelog::knowledge::{Code, Knowledge};
use serde_json::Value;
use std::io::Write;

fn cmgelog() -> Command {
    let mut c = Command::cargo_bin("cmgelog").expect("binary built");
    c.env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", "en_US.UTF-8");
    c
}

/// Runs `explain` with these arguments; returns (exit code, stdout, stderr).
fn explain(args: &[&str]) -> (i32, String, String) {
    let out = cmgelog().arg("explain").args(args).output().expect("runs");
    (
        out.status.code().expect("exit code"),
        String::from_utf8(out.stdout).expect("UTF-8 stdout"),
        String::from_utf8(out.stderr).expect("UTF-8 stderr"),
    )
}

fn kms() -> &'static cmgelog::knowledge::CodeInfo {
    Knowledge::builtin()
        .lookup(Code(0xC004_F074))
        .expect("0xC004F074 in the table")
}

#[test]
fn hex_decimal_and_negative_forms_print_the_same_explanation() {
    for lang in ["en", "zh"] {
        let (code, want, _) = explain(&["0xC004F074", "--lang", lang]);
        assert_eq!(code, 0);
        for form in ["0xc004f074", "C004F074", "3221549172", "-1073418124"] {
            let (code, got, err) = explain(&[form, "--lang", lang]);
            assert_eq!((code, err.as_str()), (0, ""), "{form}");
            assert_eq!(got, want, "{form} ({lang})");
        }
    }
}

#[test]
fn english_and_chinese_come_from_the_knowledge_base() {
    let info = kms();
    let (_, en, _) = explain(&["0xC004F074", "--lang", "en"]);
    assert!(
        en.starts_with("0xC004F074  SL_E_VL_BINDING_SERVICE_UNAVAILABLE\n"),
        "{en}"
    );
    assert!(
        en.contains(&info.title.en) && en.contains("What to do:") && en.contains("Sources:"),
        "{en}"
    );
    assert!(en.contains("Decimal: 3221549172 (signed -1073418124)"), "{en}");
    assert!(en.contains("Test-NetConnection"), "the remedy names commands: {en}");

    let (_, zh, _) = explain(&["0xC004F074", "--lang", "zh"]);
    assert!(
        zh.contains(&info.title.zh) && zh.contains("处理建议：") && zh.contains("来源："),
        "{zh}"
    );
    assert!(zh.contains("十进制：3221549172（有符号 -1073418124）"), "{zh}");
    assert!(
        !zh.contains(&info.meaning.en),
        "no English meaning in the Chinese output"
    );
}

#[test]
fn the_system_locale_picks_the_language_when_lang_is_not_given() {
    let out = cmgelog()
        .env("LANG", "zh_CN.UTF-8")
        .args(["explain", "0x8007232B"])
        .output()
        .expect("runs");
    let text = String::from_utf8(out.stdout).expect("UTF-8");
    assert!(text.contains("含义："), "{text}");
}

#[test]
fn a_win32_number_is_explained_by_its_hresult_entry() {
    let (code, out, _) = explain(&["0x00000490", "--lang", "en"]);
    assert_eq!(code, 0);
    assert!(out.contains("Win32 error: 1168 (0x490) → HRESULT 0x80070490"), "{out}");
    assert!(
        out.contains("0x00000490 is Win32 error 1168; Windows logs the same error as HRESULT 0x80070490"),
        "{out}"
    );
    let (_, decimal, _) = explain(&["1168", "--lang", "en"]);
    assert_eq!(decimal, out, "1168 is the same Win32 error");
    let (_, hr, _) = explain(&["0x80070490", "--lang", "en"]);
    assert!(
        hr.contains("Win32 error: 1168 (0x490)") && !hr.contains("is Win32 error 1168;"),
        "{hr}"
    );
}

#[test]
fn a_setup_result_with_an_extend_code_names_phase_and_operation() {
    let (code, out, _) = explain(&["0xC1900101 - 0x20017", "--lang", "en"]);
    assert_eq!(code, 0);
    assert!(
        out.starts_with("0xC1900101 - 0x20017  MOSETUP_E_SETUP_PLATFORM\n"),
        "{out}"
    );
    assert!(
        out.contains("Extend code: 0x20017: phase 2 SP_EXECUTION_SAFE_OS, operation 0x17 SP_EXECUTION_OP_BOOT"),
        "{out}"
    );
    assert!(
        out.contains("See also the general advice: cmgelog explain 0xC1900101"),
        "{out}"
    );
    // Written without spaces, the same.
    assert_eq!(explain(&["0xC1900101-0x20017", "--lang", "en"]).1, out);
    // An extend code without its own entry falls back to the general 0xC1900101 advice.
    let (code, other, _) = explain(&["0xC1900101-0x2000B", "--lang", "en"]);
    assert_eq!(code, 0);
    assert!(other.contains("No separate advice for this extend code"), "{other}");
    let (_, general, _) = explain(&["0xC1900101", "--lang", "en"]);
    assert!(
        general.contains("Extend codes with their own advice: 0x20004, 0x2000C, 0x20017"),
        "{general}"
    );
}

#[test]
fn an_unknown_code_says_so_in_the_users_language_with_exit_1() {
    let (code, out, err) = explain(&["0x12345678", "--lang", "zh"]);
    assert_eq!(code, 1);
    assert_eq!(err, "");
    assert!(out.contains("未知错误代码 0x12345678：不在知识库中"), "{out}");
    assert!(out.contains("设施（facility）：564 (0x234), 代码 0x5678"), "{out}");

    let (code, out, _) = explain(&["0x800703E5", "--lang", "en"]);
    assert_eq!(code, 1);
    assert!(
        out.contains("Unknown error code 0x800703E5: not in the knowledge base."),
        "{out}"
    );
    assert!(out.contains("Win32 error: 997 (0x3E5)"), "{out}");
}

#[test]
fn garbage_is_not_a_code_exit_2_and_no_panic() {
    for bad in ["hello", "0xZZZZ", "0x123456789", "--", "１２３"] {
        let (code, out, err) = explain(&["--lang", "en", "--", bad]);
        assert_eq!(code, 2, "{bad}");
        assert_eq!(out, "", "{bad}");
        assert!(err.contains("is not an error code"), "{bad}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
    let (_, _, err) = explain(&["--lang", "zh", "xyz"]);
    assert!(err.contains("「xyz」不是错误代码"), "{err}");
    // Control characters in an argument do not reach the terminal raw.
    let (_, _, err) = explain(&["--lang", "en", "\u{1b}[31mred"]);
    assert!(!err.contains('\u{1b}') && err.contains("\\u{1b}"), "{err:?}");
}

#[test]
fn the_worst_outcome_sets_the_exit_code_and_good_codes_are_still_explained() {
    let (code, out, err) = explain(&["--lang", "en", "0xC004F074", "0x12345678", "nonsense"]);
    assert_eq!(code, 2);
    assert!(out.contains("0xC004F074  SL_E_VL_BINDING_SERVICE_UNAVAILABLE"));
    assert!(out.contains("Unknown error code 0x12345678"));
    assert!(err.contains("'nonsense' is not an error code"));
}

#[test]
fn json_output_is_one_object_per_argument() {
    let out = cmgelog()
        .args([
            "explain",
            "--format",
            "json",
            "--lang",
            "en",
            "-1073418124",
            "0x490",
            "0xC1900101-0x3000D",
            "0x12345678",
            "x",
        ])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let items = v.as_array().expect("array");
    assert_eq!(items.len(), 5);

    let kms_item = &items[0];
    assert_eq!(kms_item["input"], "-1073418124");
    assert_eq!(kms_item["code"], "0xC004F074");
    assert_eq!(kms_item["decimal"], 3_221_549_172u64);
    assert_eq!(kms_item["signed"], -1_073_418_124);
    assert_eq!(kms_item["facility"], 4);
    assert_eq!(kms_item["known"], true);
    assert_eq!(kms_item["found_via"], "exact");
    assert_eq!(kms_item["entry"]["symbol"], "SL_E_VL_BINDING_SERVICE_UNAVAILABLE");
    assert_eq!(kms_item["entry"]["area"], "activation");
    assert_eq!(kms_item["entry"]["title"]["zh"], kms().title.zh.as_str());
    assert!(kms_item["entry"]["sources"].as_array().is_some_and(|s| !s.is_empty()));

    assert_eq!(items[1]["found_via"], "win32");
    assert_eq!(items[1]["entry"]["code"], "0x80070490");

    let setup = &items[2];
    assert_eq!(setup["extend"]["code"], "0x3000D");
    assert_eq!(setup["extend"]["phase"], 3);
    assert_eq!(setup["extend"]["phase_name"], "SP_EXECUTION_FIRST_BOOT");
    assert_eq!(setup["extend"]["operation_name"], "SP_EXECUTION_OP_MIGRATE_DATA");
    assert_eq!(setup["entry"]["extend"], "0x3000D");

    assert_eq!(items[3]["known"], false);
    assert!(items[3]["entry"].is_null());
    assert_eq!(items[4], serde_json::json!({"input": "x", "error": "not-a-code"}));
}

#[test]
fn rules_that_look_for_the_code_are_listed() {
    let (_, out, _) = explain(&["0xC004F074", "--lang", "en"]);
    let builtin: Vec<String> = cmgelog::rules::RuleSet::builtin()
        .expect("built-in rules")
        .rules
        .into_iter()
        .filter(|r| r.codes().contains(&0xC004_F074))
        .map(|r| r.id)
        .collect();
    if builtin.is_empty() {
        assert!(out.contains("No rule detects this code"), "{out}");
    }
    for id in &builtin {
        assert!(out.contains(&format!("  {id}  [")), "{id} missing: {out}");
    }

    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("kms.toml");
    let mut f = std::fs::File::create(&path).expect("rule file");
    f.write_all(
        r#"
[[rule]]
id = "test.kms-unreachable"
severity = "error"
title.zh = "KMS 不可达"
title.en = "KMS unreachable"
cause.zh = "c"
cause.en = "c"
remedy.zh = "r"
remedy.en = "r"
when = { code = ["0xC004F074"] }
"#
        .as_bytes(),
    )
    .expect("write");
    drop(f);
    let path = path.to_str().expect("UTF-8 path");
    for form in ["0xC004F074", "-1073418124"] {
        let (code, out, err) = explain(&["--lang", "en", "--rules", path, form]);
        assert_eq!(code, 0, "{err}");
        assert!(out.contains("test.kms-unreachable  [error]  KMS unreachable"), "{out}");
    }
    let (_, other, _) = explain(&["--lang", "en", "--rules", path, "0xC004F050"]);
    assert!(!other.contains("test.kms-unreachable"), "{other}");
}

#[test]
fn a_broken_rules_file_is_reported_not_ignored() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("bad.toml");
    std::fs::write(&path, "[[rule]]\nid = 5\n").expect("write");
    let (code, out, err) = explain(&["--lang", "en", "--rules", path.to_str().expect("path"), "0xC004F074"]);
    assert_eq!(code, 2);
    assert_eq!(out, "");
    assert!(err.contains("problem(s) in the rule files"), "{err}");
}
