//! Tests on the real logs in tests/fixtures/{setup,cbs,windowsupdate} (provenance in each
//! folder's README.md). Every count below was checked with grep on the fixture; the command is
//! given where it is not obvious.

use super::summarise;
use crate::bundle::Document;
use crate::facts::model::{CodeSeen, Counted, DecisiveBasis, UpgradeLog, UpgradeLogKind};

fn summary(path: &str, bytes: &[u8]) -> UpgradeLog {
    let doc = Document::from_bytes("bundle.zip", path, bytes);
    summarise(&doc).unwrap_or_else(|| panic!("{path} is not an upgrade log: {:?}", doc.kind))
}

fn code<'a>(log: &'a UpgradeLog, code: &str) -> &'a CodeSeen {
    log.codes
        .iter()
        .find(|c| c.code == code && c.extended.is_none())
        .unwrap_or_else(|| panic!("{code} not in {}", log.source_path))
}

fn counted(v: &[Counted]) -> Vec<(&str, usize)> {
    v.iter().map(|c| (c.name.as_str(), c.count)).collect()
}

fn codes_and_counts(log: &UpgradeLog) -> Vec<(&str, usize)> {
    log.codes.iter().map(|c| (c.code.as_str(), c.count)).collect()
}

#[test]
fn every_real_setup_log_parses() {
    // (file, kind, entries, errors, warnings, levels). Entries = lines with a timestamp
    // (`grep -cE '^(\xef\xbb\xbf)?[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8}, '`).
    type Row = (
        &'static str,
        &'static [u8],
        UpgradeLogKind,
        usize,
        usize,
        usize,
        &'static [(&'static str, usize)],
    );
    let rows: &[Row] = &[
        (
            "Shekhar-sss_Git_Basic_setupact.log",
            fixture!("setup/Shekhar-sss_Git_Basic_setupact.log"),
            UpgradeLogKind::SetupAct,
            116,
            8,
            14,
            &[("Info", 94), ("Warning", 14), ("Error", 8)],
        ),
        (
            "Shekhar-sss_Git_Basic_setuperr.log",
            fixture!("setup/Shekhar-sss_Git_Basic_setuperr.log"),
            UpgradeLogKind::SetupErr,
            8,
            8,
            0,
            &[("Error", 8)],
        ),
        (
            "VitalSkib_files_setupact_windeploy.log",
            fixture!("setup/VitalSkib_files_setupact_windeploy.log"),
            UpgradeLogKind::SetupAct,
            615,
            0,
            4,
            &[("Info", 611), ("Warning", 4)],
        ),
        (
            "VitalSkib_files_setuperr_moupg.log",
            fixture!("setup/VitalSkib_files_setuperr_moupg.log"),
            UpgradeLogKind::SetupErr,
            148,
            148,
            0,
            &[("Error", 148)],
        ),
        (
            "bitbtrust_Errorcode_setupact.log",
            fixture!("setup/bitbtrust_Errorcode_setupact.log"),
            UpgradeLogKind::SetupAct,
            3807,
            1,
            27,
            &[("Info", 3779), ("Warning", 27), ("Error", 1)],
        ),
        (
            "bitbtrust_Errorcode_setuperr.log",
            fixture!("setup/bitbtrust_Errorcode_setuperr.log"),
            UpgradeLogKind::SetupErr,
            1,
            1,
            0,
            &[("Error", 1)],
        ),
        (
            "copyleft21_samsung_setupact_moupg.log",
            fixture!("setup/copyleft21_samsung_setupact_moupg.log"),
            UpgradeLogKind::SetupAct,
            399,
            28,
            23,
            &[("Info", 348), ("Error", 28), ("Warning", 23)],
        ),
    ];
    for (name, bytes, kind, entries, errors, warnings, levels) in rows {
        let log = summary(name, bytes);
        assert_eq!(log.kind, *kind, "{name}");
        assert_eq!(
            (log.entries, log.errors, log.warnings),
            (*entries, *errors, *warnings),
            "{name}"
        );
        assert_eq!(counted(&log.levels), *levels, "{name}");
        assert_eq!(log.source_input, "bundle.zip");
    }
}

/// German clean install from WinPE (UTF-8 without BOM, LF, umlauts already replaced by U+FFFD in
/// the source). 4,191 lines = 3,807 entries + 383 blank lines + one continuation line
/// (2423, `[1184] [CreateParallelDecodeInfo...`).
#[test]
fn german_clean_install_parses() {
    let log = summary("setupact.log", fixture!("setup/bitbtrust_Errorcode_setupact.log"));
    assert_eq!(log.first_time.as_deref(), Some("2019-03-29 00:25:29"));
    assert_eq!(log.last_time.as_deref(), Some("2019-03-29 00:35:57"));
    assert_eq!(
        counted(&log.components),
        [
            ("IBS", 2102),
            ("SYSPRP", 553),
            ("IBSLIB", 335),
            ("", 318),
            ("PANTHR", 158),
            ("CBS", 132),
            ("UI", 130),
            ("DIAG", 39),
            ("CMI", 12),
            ("MIG", 10),
            ("TOOL", 10),
            ("CSI", 8),
        ]
    );
    // Disk offsets (0x1f400000) and the disk signature 0xFBBC5AB5 are not codes; the BCD line
    // prints its NTSTATUS without 0x (`Status: c000000f`).
    assert_eq!(
        codes_and_counts(&log),
        [
            ("0x80070032", 9),
            ("0xC004F057", 1),
            ("0x80070490", 2),
            ("0x80070005", 7),
            ("0x00000008", 1),
            ("0xC000000F", 1),
            ("0x80070002", 1),
        ]
    );
    // The SPP error the README points at: "Digital marker product key not detected".
    let spp = code(&log, "0xC004F057");
    assert_eq!(
        (spp.first.line, spp.components.as_slice()),
        (Some(476), &["UI".to_string()][..])
    );
    assert!(spp.first.text.contains("Digital marker product key not detected"));
    // The one Error entry ("Required profile hive does not exist") carries no code, and
    // nothing says setup gave up.
    assert_eq!(log.decisive, None);
    assert_eq!(log.failure_marker, None);
}

/// copyleft21 (Samsung laptop, SetupHost downlevel, 2024-03-28): the user cancelled. Line 208
/// "User cancel confirmed", then every layer returns 0x800704D3 (ERROR_REQUEST_ABORTED) up to
/// `CSetupManager::ExecuteDownlevelMode` (line 250), then the phase changes to
/// `SetupPhaseError` (line 251). At the end setup remaps it to 0x800704C7 and reports
/// "[0x800704D3, 0x800704C7]" (line 381); the last coded error of the file (line 391) is only
/// SetupHost failing to find SetupDiag.exe. An engineer answers "cancelled during the downlevel
/// phase": 0x800704D3 at line 250 is that answer.
#[test]
fn samsung_decisive_error_is_the_cancellation() {
    let log = summary("setupact.log", fixture!("setup/copyleft21_samsung_setupact_moupg.log"));
    let d = log.decisive.as_ref().unwrap();
    assert_eq!(d.code.as_deref(), Some("0x800704D3"));
    assert_eq!(d.basis, DecisiveBasis::BeforeFailureMarker);
    assert_eq!((d.source.line, d.component.as_str()), (Some(250), "MOUPG"));
    assert_eq!(d.time.as_deref(), Some("2024-03-28 11:55:30"));
    assert_eq!(
        d.message,
        "CSetupManager::ExecuteDownlevelMode(406): Result = 0x800704D3"
    );
    assert!(d.reason.contains("line 251"), "{}", d.reason);
    let marker = log.failure_marker.as_ref().unwrap();
    assert_eq!(marker.line, Some(251));
    assert!(marker.text.ends_with("-> [SetupPhaseError]"));
    // grep -ci 0x800704D3 → 21, 0x800704C7 → 12, 0xC1800108 → 2.
    assert_eq!(code(&log, "0x800704D3").count, 21);
    assert_eq!(code(&log, "0x800704C7").count, 12);
    assert_eq!(code(&log, "0xC1800108").count, 2);
    assert_eq!(counted(&log.components), [("MOUPG", 395), ("CONX", 4)]);
}

/// VitalSkib in-place upgrade setuperr (UTF-8 BOM, CRLF, blank lines between the CONX lines).
/// Nothing in it says setup failed: no abort, no SetupPhaseError, no 0xC1900101, and a new
/// SetupHost session starts at 17:01:32. The later errors are known noise
/// (GetWuIdFromRegistry, the 56 FoD package lookups with 0x80070490, OneSettings offline,
/// tolerated BitLocker check "assuming ..."), so the last unexplained error with a code is
/// `SppDeleteSnapshots failed. hr = 0x800401f0` (line 151), at the end of the downlevel phase.
/// The engineer's reading is "no failure recorded here; the last unexplained error is the
/// restore-point clean-up", which is what basis `LastError` and its reason say.
#[test]
fn moupg_setuperr_has_no_failure_only_a_last_error() {
    let log = summary("setuperr.log", fixture!("setup/VitalSkib_files_setuperr_moupg.log"));
    assert_eq!(
        codes_and_counts(&log),
        [
            ("0x80072EE7", 3),
            ("0x80070002", 9),
            ("0x80070490", 56),
            ("0x80040154", 2),
            ("0x8007000D", 2),
            ("0x8031004A", 1),
            ("0xC000000F", 1),
            ("0x800401F0", 1),
        ]
    );
    let one_settings = code(&log, "0x80072EE7");
    assert!(one_settings.first.text.contains("OneSettings"));
    assert_eq!(code(&log, "0x80070490").components, ["MOUPG", "CBS"]);
    assert_eq!(
        counted(&log.components),
        [
            ("SP", 65),
            ("CBS", 59),
            ("MOUPG", 9),
            ("CONX", 8),
            ("", 6),
            ("IBSLIB", 1)
        ]
    );
    let d = log.decisive.as_ref().unwrap();
    assert_eq!(
        (d.code.as_deref(), d.basis),
        (Some("0x800401F0"), DecisiveBasis::LastError)
    );
    assert_eq!(d.source.line, Some(151));
    assert_eq!(d.message, "SppDeleteSnapshots failed. hr = 0x800401f0");
    assert!(d.reason.contains("does not show that setup failed"), "{}", d.reason);
    assert_eq!(log.failure_marker, None);
}

/// VitalSkib windeploy (OOBE/specialize, CRLF): no Error entry at all and OOBE finished
/// ("Finished running wizard with hr=0x00000000"). The ten 0x80070003 are Info lines about an
/// optional oobe.xml (lines 238-242, 580-584). Nothing to blame: no decisive error.
#[test]
fn windeploy_log_has_no_decisive_error() {
    let log = summary("setupact.log", fixture!("setup/VitalSkib_files_setupact_windeploy.log"));
    assert_eq!(log.decisive, None);
    assert_eq!(log.failure_marker, None);
    let oobe = code(&log, "0x80070003");
    assert_eq!(
        (oobe.count, oobe.first.line, oobe.last.line),
        (10, Some(238), Some(584))
    );
    // The exit code 0xfffd0000 (customer bit set) is not an error code.
    assert!(log.codes.iter().all(|c| c.code != "0xFFFD0000"));
    // Line 170 continues the LogonCommands entry of line 169.
    assert_eq!(
        counted(&log.components),
        [("", 584), ("DISM", 25), ("PANTHR", 4), ("CSI", 2)]
    );
}

/// Constructed: the real VitalSkib setuperr.log with two lines appended in its format (CRLF):
/// `CSetupManager::ExecuteInstallMode(822): Result = 0xC1900101` and
/// `CSetupHost::Execute(433): Result = 0xC1900101 - 0x20017` (README.md of the folder says why
/// and where the wording comes from). Setup's result with its extend code wins, and the first
/// 0xC1900101 line is the failure marker.
#[test]
fn rollback_with_extend_code_is_decisive() {
    let log = summary(
        "Panther/setuperr.log",
        fixture!("setup/constructed_setuperr_rollback_0xC1900101-0x20017.log"),
    );
    let d = log.decisive.as_ref().unwrap();
    assert_eq!(d.code.as_deref(), Some("0xC1900101"));
    assert_eq!(d.extended.as_deref(), Some("0x20017"));
    assert_eq!(d.basis, DecisiveBasis::ExtendedResult);
    assert_eq!(d.source.line, Some(158));
    assert_eq!(log.failure_marker.as_ref().and_then(|m| m.line), Some(157));
    let extended = log
        .codes
        .iter()
        .find(|c| c.extended.as_deref() == Some("0x20017"))
        .unwrap();
    assert_eq!((extended.code.as_str(), extended.count), ("0xC1900101", 1));
    assert_eq!(code(&log, "0xC1900101").first.line, Some(157));
}

/// findingsanity WindowsUpdate.log (Server 2019 WU client, CRLF, 5,711 lines, all entries).
#[test]
fn windows_update_codes_with_lines() {
    let log = summary(
        "WindowsUpdate.log",
        fixture!("windowsupdate/findingsanity_Logs_WindowsUpdate.log"),
    );
    assert_eq!(log.kind, UpgradeLogKind::WindowsUpdate);
    // grep -c '\*FAILED\*' → 253.
    assert_eq!((log.entries, log.errors), (5711, 253));
    assert!(log.levels.is_empty());
    assert_eq!(log.first_time.as_deref(), Some("2021/07/13 10:22:58.9553434"));
    // "Call error code = 0x80240022" on lines 2598, 2677 and 2778.
    let c = code(&log, "0x80240022");
    assert_eq!((c.count, c.first.line, c.last.line), (3, Some(2598), Some(2778)));
    assert_eq!(c.components, ["ComApi"]);
    // grep -in 80D05001 → lines 2665 2666 2670 2681 2768 2769 2771 2780 (`*FAILED* [80D05001]`,
    // `hr = 0x80D05001`, `error 0x80d05001`).
    let c = code(&log, "0x80D05001");
    assert_eq!((c.count, c.first.line, c.last.line), (8, Some(2665), Some(2780)));
    assert_eq!(c.components, ["DownloadManager", "Agent"]);
    // `DO job ... failed, ... hr = 0x80D05011` on lines 2396 and 2486.
    let c = code(&log, "0x80D05011");
    assert_eq!((c.count, c.first.line, c.last.line), (2, Some(2396), Some(2486)));
    // Bare `*FAILED* [80041010]`: 126 lines.
    assert_eq!(code(&log, "0x80041010").count, 126);
    // Flags such as 0x00000080 are not codes in this log.
    assert!(log.codes.iter().all(|c| c.code.starts_with("0x8")));
    assert_eq!(
        counted(&log.components)[..2],
        [("Agent", 2323), ("DownloadManager", 646)]
    );
}

#[test]
fn cbs_and_dism_logs() {
    // Real CBS.log head (Windows 8.1): 0x800F0805 on 14 Info lines, no Error entry.
    let log = summary("CBS.log", fixture!("cbs/hofcake_CBS_excerpt.log"));
    assert_eq!(log.kind, UpgradeLogKind::Cbs);
    assert_eq!((log.entries, log.errors), (46, 0));
    let c = code(&log, "0x800F0805");
    assert_eq!((c.count, c.first.line, c.last.line), (14, Some(24), Some(46)));
    assert_eq!(log.decisive, None);

    // CBS lines quoted in microsoft/WSL#3708: the CSI advanced-installer summary prints its
    // code bare (`ErrorCode: 800106d9`), CBS the 0x800f0922 it ends with.
    let log = summary("CBS.log", fixture!("cbs/microsoft-WSL-3708_CBS_excerpt.log"));
    assert_eq!((log.entries, log.errors), (8, 2));
    assert_eq!(codes_and_counts(&log), [("0x800106D9", 1), ("0x800F0922", 1)]);
    assert_eq!(code(&log, "0x800106D9").components, ["CSI"]);
    let d = log.decisive.as_ref().unwrap();
    assert_eq!((d.code.as_deref(), d.source.line), (Some("0x800F0922"), Some(7)));
    assert_eq!(d.basis, DecisiveBasis::LastError);

    // dism.log lines quoted in Particular/NServiceBus#1687.
    let log = summary("x.log", fixture!("cbs/Particular-NServiceBus-1687_dism_excerpt.log"));
    assert_eq!(log.kind, UpgradeLogKind::Dism);
    assert_eq!(codes_and_counts(&log), [("0x800F080C", 1)]);
}

#[test]
fn facts_extract_fills_machine_upgrade() {
    let docs = [
        Document::from_bytes(
            "b",
            "Panther/setupact.log",
            fixture!("setup/copyleft21_samsung_setupact_moupg.log"),
        ),
        Document::from_text("b", "activate.log", "2024-05-14 09:31:02 [INFO] started\n"),
    ];
    let machine = crate::facts::extract(&docs);
    assert_eq!(machine.upgrade.len(), 1);
    assert_eq!(machine.upgrade[0].source_path, "Panther/setupact.log");
    let json = serde_json::to_value(&machine.upgrade[0]).unwrap();
    assert_eq!(json["kind"], "setup-act");
    assert_eq!(json["decisive"]["basis"], "before-failure-marker");
    assert_eq!(json["decisive"]["code"], "0x800704D3");
}
