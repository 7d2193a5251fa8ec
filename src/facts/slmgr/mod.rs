//! `cscript //nologo slmgr.vbs /dli`, `/dlv`, `/dlv all` and `/xpr` output (windows-facts.md
//! §1.7), with English or Chinese (zh-CN) labels.
//!
//! slmgr prints `Label: value` lines (slmgr.vbs's L_Msg* strings; the zh-CN ones sometimes with
//! a full-width `：`), one block per licence starting at `Name:`/`名称:`, with the service's
//! version first and the KMS client section indented after each block. `/xpr` prints the
//! licence name with a trailing colon, then its state on an indented line. Names, descriptions
//! and channels come from WMI and stay English on a Chinese system.
//!
//! A console copy wraps long lines at the window width (`... VOLUME_KMSCLIENT chan` + `nel`):
//! a line without a colon right after a line that filled the width continues it.
//!
//! Values are stored as printed, through [`mask_product_keys`]; the evidence of a wrapped
//! value is the joined text.

mod shape;

use super::formats::{Format, Recognise, Sample};
use super::licensing::{channel_from_description, edition_from_name, hresult, leading_number, LicenseStatus};
use super::model::LicensingProduct;
use super::platform::Platform;
use super::{Field, Machine, Source};
use crate::bundle::{Document, Kind, Reading};
use crate::privacy::mask_product_keys;

/// The lines this extractor reads, and the ones it knows so as not to mistake them for
/// continuations (`Known`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Label {
    ServiceVersion,
    Name,
    Description,
    ActivationId,
    ApplicationId,
    ProductKeyChannel,
    PartialProductKey,
    LicenseStatus,
    NotificationReason,
    /// Minutes left: "Time remaining", "Volume/Timebased/Automatic VM activation expiration".
    Remaining,
    EvaluationEnd,
    WindowsRearmCount,
    Cmid,
    RegisteredKms,
    KmsFromDns,
    KmsIp,
    Known,
}

/// Label spellings before the colon. English: slmgr.vbs (Windows 10/11). Chinese: "名称",
/// "描述", "激活 ID", "应用程序 ID", "扩展 PID", "产品密钥通道", "安装 ID", "部分产品密钥",
/// "许可证状态", "剩余 Windows 重置计数", "剩余 SKU 重置计数", "信任时间", "已配置的激活类型",
/// "客户端计算机 ID (CMID)", "来自 DNS 的 KMS 计算机名称", "KMS 计算机 IP 地址",
/// "已注册的 KMS 计算机名称" are seen in real zh-CN output or in scripts that parse it (see
/// tests/fixtures/slmgr/README.md); "通知原因", "评估结束日期", "剩余时间" and
/// "软件授权服务版本" are unverified translations. Labels ending in "激活过期" are matched
/// by [`zh_expiration`].
const LABELS: &[(Label, &[&str])] = &[
    (
        Label::ServiceVersion,
        &[
            "Software licensing service version",
            "软件授权服务版本",
            "软件授权服务器版本",
        ],
    ),
    (Label::Name, &["Name", "名称"]),
    (Label::Description, &["Description", "描述"]),
    (Label::ActivationId, &["Activation ID", "激活 ID"]),
    (Label::ApplicationId, &["Application ID", "应用程序 ID"]),
    (Label::ProductKeyChannel, &["Product Key Channel", "产品密钥通道"]),
    (Label::PartialProductKey, &["Partial Product Key", "部分产品密钥"]),
    (Label::LicenseStatus, &["License Status", "许可证状态"]),
    (Label::NotificationReason, &["Notification Reason", "通知原因"]),
    (
        Label::Remaining,
        &[
            "Time remaining",
            "Volume activation expiration",
            "Timebased activation expiration",
            "Automatic VM activation expiration",
            "剩余时间",
        ],
    ),
    (Label::EvaluationEnd, &["Evaluation End Date", "评估结束日期"]),
    (
        Label::WindowsRearmCount,
        &["Remaining Windows rearm count", "剩余 Windows 重置计数"],
    ),
    (Label::Cmid, &["Client Machine ID (CMID)", "客户端计算机 ID (CMID)"]),
    (
        Label::RegisteredKms,
        &["Registered KMS machine name", "已注册的 KMS 计算机名称"],
    ),
    (
        Label::KmsFromDns,
        &["KMS machine name from DNS", "来自 DNS 的 KMS 计算机名称"],
    ),
    (Label::KmsIp, &["KMS machine IP address", "KMS 计算机 IP 地址"]),
    (
        Label::Known,
        &[
            "Extended PID",
            "Installation ID",
            "Use License URL",
            "Validation URL",
            "Processor Certificate URL",
            "Machine Certificate URL",
            "Product Key Certificate URL",
            "Trusted time",
            "Remaining SKU rearm count",
            "Remaining App rearm count",
            "Configured Activation Type",
            "KMS machine extended PID",
            "Registered KMS SRV record lookup domain",
            "DNS auto-discovery",
            "扩展 PID",
            "安装 ID",
            "信任时间",
            "剩余 SKU 重置计数",
            "已配置的激活类型",
            "KMS 计算机扩展的 PID",
            "KMS 计算扩展的 PID",
        ],
    ),
];

/// Console windows are at least 80 columns wide; a line that long may have been wrapped.
const WRAP_WIDTH: usize = 79;

/// `cscript slmgr.vbs /dli`, `/dlv` or `/xpr` output (English or Chinese labels).
pub(crate) const FORMAT: Format = Format {
    kind: Kind::new("slmgr", Reading::Pasted),
    recognise: Recognise::text(|s: &Sample| shape::is_slmgr(&s.head)),
    extract,
    platform: Some(Platform::Windows),
    codes: true,
};

/// One logical line: its first physical line, the (joined) text and the parsed label.
struct Line {
    number: usize,
    text: String,
    label: Option<(Label, String)>,
}

pub fn extract(doc: &Document, machine: &mut Machine) {
    let mut current: Option<LicensingProduct> = None;
    let mut xpr_pending = false;
    for line in logical_lines(doc) {
        let source = || Source::at(doc, line.number, &line.text);
        let trimmed = line.text.trim();
        if trimmed.is_empty() {
            continue;
        }
        let Some((label, value)) = &line.label else {
            if xpr_pending {
                xpr_pending = false;
                if LicenseStatus::from_text(trimmed).is_some() {
                    let p = current.get_or_insert_with(LicensingProduct::default);
                    push(&mut p.license_status, trimmed, source());
                }
            } else if let Some(name) = xpr_product_name(trimmed) {
                start(&mut current, machine, name, source());
                xpr_pending = true;
            }
            continue;
        };
        xpr_pending = false;
        let value = value.as_str();
        let service = &mut machine.licensing_service;
        match label {
            Label::ServiceVersion => push(&mut service.version, value, source()),
            Label::WindowsRearmCount => push(&mut service.remaining_windows_rearm_count, value, source()),
            Label::Cmid => push(&mut service.client_machine_id, value, source()),
            Label::Name => start(&mut current, machine, value, source()),
            Label::Known => {}
            _ => product_line(
                current.get_or_insert_with(LicensingProduct::default),
                *label,
                value,
                source(),
            ),
        }
    }
    finish(&mut current, machine);
}

/// A line that belongs to the current licence.
fn product_line(p: &mut LicensingProduct, label: Label, value: &str, source: Source) {
    match label {
        Label::Description => {
            if let Some(channel) = channel_from_description(value) {
                push(&mut p.channel, channel, source.clone());
            }
            push(&mut p.description, value, source);
        }
        Label::ActivationId => push(&mut p.activation_id, value, source),
        Label::ApplicationId => push(&mut p.application_id, value, source),
        Label::ProductKeyChannel => push(&mut p.product_key_channel, value, source),
        Label::PartialProductKey => push(&mut p.partial_product_key, value, source),
        Label::LicenseStatus => push(&mut p.license_status, value, source),
        Label::NotificationReason => {
            if let Some(code) = hresult(value) {
                p.license_status_reason.push(code, source);
            }
        }
        Label::Remaining => {
            if let Some(minutes) = leading_number(value) {
                push(&mut p.grace_period_minutes, minutes, source);
            }
        }
        Label::EvaluationEnd => push(&mut p.evaluation_end, value, source),
        Label::RegisteredKms if available(value) => push(&mut p.kms_machine, value, source),
        Label::KmsFromDns | Label::KmsIp if available(value) => push(&mut p.kms_discovered, value, source),
        _ => {}
    }
}

/// A licence block begins: the previous one is complete.
fn start(current: &mut Option<LicensingProduct>, machine: &mut Machine, name: &str, source: Source) {
    finish(current, machine);
    let mut p = LicensingProduct::default();
    if let Some(edition) = edition_from_name(name) {
        push(&mut p.edition, edition, source.clone());
    }
    push(&mut p.name, name, source);
    *current = Some(p);
}

fn finish(current: &mut Option<LicensingProduct>, machine: &mut Machine) {
    if let Some(p) = current.take().filter(|p| *p != LicensingProduct::default()) {
        machine.licensing.push(p);
    }
}

/// Stores a value as printed (trimmed), never a full product key.
fn push(field: &mut Field, value: &str, source: Source) {
    field.push(mask_product_keys(value.trim()).into_owned(), source);
}

/// "KMS name not available", "not available", "不可用" say that there is no value.
fn available(value: &str) -> bool {
    let v = value.trim();
    !v.is_empty() && !v.to_ascii_lowercase().contains("not available") && !v.contains("不可用")
}

/// `/xpr`'s licence line: "Windows(R), Professional edition:".
fn xpr_product_name(line: &str) -> Option<&str> {
    let name = line.strip_suffix(':')?.trim();
    edition_from_name(name).map(|_| name)
}

/// The document's lines with console-wrapped continuations joined, each with its label.
fn logical_lines(doc: &Document) -> Vec<Line> {
    let mut out: Vec<Line> = Vec::new();
    let mut prev_raw: Option<String> = None;
    for (number, raw) in doc.lines() {
        let raw = raw.trim_end();
        let label = parse_label(raw);
        if let (Some(prev), Some(last)) = (prev_raw.as_deref(), out.last_mut()) {
            if label.is_none() && continues(prev, raw) && last.label.is_some() {
                last.text.push_str(raw.trim_start());
                last.label = parse_label(&last.text);
                prev_raw = Some(raw.to_string());
                continue;
            }
        }
        out.push(Line {
            number,
            text: raw.to_string(),
            label,
        });
        prev_raw = Some(raw.to_string());
    }
    out
}

/// `line` continues `prev`: `prev` filled the console width, `line` starts at the same column
/// and has no colon of its own.
fn continues(prev: &str, line: &str) -> bool {
    let indent = |s: &str| s.len() - s.trim_start().len();
    let body = line.trim_start();
    prev.trim_start().chars().count() >= WRAP_WIDTH
        && !body.is_empty()
        && indent(prev) == indent(line)
        && !body.contains([':', '：'])
}

/// A known label at the start of the (trimmed) line, followed by `:` or `：`; the value after.
fn parse_label(line: &str) -> Option<(Label, String)> {
    let t = line.trim();
    for (label, spellings) in LABELS {
        for spelling in *spellings {
            if let Some(value) = t.strip_prefix(spelling).and_then(after_colon) {
                return Some((*label, value.trim().to_string()));
            }
        }
    }
    zh_expiration(t).map(|v| (Label::Remaining, v.trim().to_string()))
}

/// zh-CN "批量激活过期: 259197 分钟(180天)" and the other "…激活过期" lines.
fn zh_expiration(line: &str) -> Option<&str> {
    let at = line.find("激活过期")?;
    after_colon(&line[at + "激活过期".len()..])
}

/// The text after a colon (ASCII or full-width) that may follow spaces.
fn after_colon(rest: &str) -> Option<&str> {
    let rest = rest.trim_start();
    rest.strip_prefix(':').or_else(|| rest.strip_prefix('：'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::licensing::LicenseStatus::*;

    fn run(path: &str, bytes: &[u8]) -> Machine {
        let doc = Document::from_bytes("t", path, bytes);
        assert_eq!(
            doc.kind,
            crate::facts::formats::kind("slmgr"),
            "{path} is recognised as slmgr output"
        );
        let mut m = Machine::default();
        crate::facts::extract_one(&doc, &mut m);
        m
    }

    fn values(f: &Field) -> Vec<&str> {
        f.values().map(|o| o.value.as_str()).collect()
    }

    #[test]
    fn win7_evaluation_in_initial_grace() {
        let m = run("dli.txt", fixture!("slmgr/checkmk_win7-enterprise-eval_dli.txt"));
        assert_eq!(m.licensing.len(), 1);
        let p = &m.licensing[0];
        assert_eq!(values(&p.name), ["Windows(R) 7, Enterprise edition"]);
        assert_eq!(values(&p.edition), ["Enterprise"]);
        assert_eq!(values(&p.channel), ["TIMEBASED_EVAL"]);
        assert_eq!(values(&p.partial_product_key), ["JCDDG"]);
        assert_eq!(values(&p.license_status), ["Initial grace period"]);
        assert_eq!(p.status(), Some(OobGrace));
        assert_eq!(values(&p.grace_period_minutes), ["12960"]);
        // The file starts with an empty line, as the agent captured it.
        let name = p.name.first().expect("name");
        assert_eq!(name.source.line, Some(2));
        assert_eq!(name.source.text, "Name: Windows(R) 7, Enterprise edition");
        let minutes = p.grace_period_minutes.first().expect("minutes");
        assert_eq!(minutes.source.line, Some(6));
        assert_eq!(minutes.source.text, "Time remaining: 12960 minute(s) (9 day(s))");
    }

    #[test]
    fn server_2012_kms_client_with_dns_discovered_host() {
        let m = run("dli.txt", fixture!("slmgr/checkmk_server2012-kms-client_dli.txt"));
        assert_eq!(m.licensing.len(), 1);
        let p = &m.licensing[0];
        assert_eq!(values(&p.edition), ["ServerStandard"]);
        assert_eq!(values(&p.channel), ["VOLUME_KMSCLIENT"]);
        assert_eq!(p.status(), Some(Licensed));
        assert_eq!(values(&p.grace_period_minutes), ["253564"]);
        assert_eq!(
            values(&p.kms_discovered),
            ["bisv229.corp.giag.net:1688", "10.5.213.229"]
        );
        assert!(!p.kms_machine.is_known());
        assert_eq!(p.kms_discovered.0[1].source.line, Some(14));
        assert_eq!(
            values(&m.licensing_service.client_machine_id),
            ["f9d4e20a-cb8f-4050-9c0c-56420455ada1"]
        );
    }

    #[test]
    fn a_description_wrapped_by_the_console_is_joined() {
        let m = run("dli.txt", fixture!("slmgr/checkmk_server2008-kms-client_dli.txt"));
        let p = &m.licensing[0];
        assert_eq!(
            values(&p.description),
            ["Windows Operating System - Windows Server(R), VOLUME_KMSCLIENT channel"]
        );
        assert_eq!(values(&p.channel), ["VOLUME_KMSCLIENT"]);
        let d = p.description.first().expect("description");
        assert_eq!(d.source.line, Some(4));
        assert!(d.source.text.ends_with("VOLUME_KMSCLIENT channel"));
        assert_eq!(values(&p.partial_product_key), ["R7VHC"]);
        assert_eq!(values(&p.kms_discovered), ["bisv229.corp.giag.net:1688"]);
    }

    #[test]
    fn oem_dm_professional() {
        let m = run("dli.txt", fixture!("slmgr/checkmk_win10pro-vm-oem-dm_dli.txt"));
        let p = &m.licensing[0];
        assert_eq!(values(&p.edition), ["Professional"]);
        assert_eq!(values(&p.channel), ["OEM_DM"]);
        assert_eq!(values(&p.partial_product_key), ["D692P"]);
        assert_eq!(p.status(), Some(Licensed));
    }

    #[test]
    fn office_kms_host_dlv_all() {
        let m = run("dlv.txt", fixture!("slmgr/msdocs_office2016-kms-host_dlv-all.txt"));
        assert_eq!(m.licensing.len(), 1);
        let p = &m.licensing[0];
        assert_eq!(values(&p.edition), ["OfficeKMSHostVL_KMS_Host"]);
        assert_eq!(values(&p.channel), ["VOLUME_KMS"]);
        assert_eq!(values(&p.activation_id), ["98EBFE73-2084-4C97-932C-C0CD1643BEA7"]);
        assert_eq!(values(&p.application_id), ["0ff1ce16-a989-479d-af46-f275c6370663"]);
        assert_eq!(values(&p.partial_product_key), ["KDQ2G"]);
        // "Requests with License Status Licensed: 0" (KMS host counters) is not a status line.
        assert_eq!(values(&p.license_status), ["Licensed"]);
        assert_eq!(values(&m.licensing_service.remaining_windows_rearm_count), ["1000"]);
        assert_eq!(p.partial_product_key.0[0].source.line, Some(10));
    }

    #[test]
    fn non_genuine_notification_reason() {
        let m = run("dlv.txt", fixture!("slmgr/msdocs_win7-kms-client-nongenuine_dlv.txt"));
        let p = &m.licensing[0];
        assert_eq!(p.status(), Some(Notification));
        assert_eq!(values(&p.license_status_reason), ["0xC004F200"]);
        assert_eq!(
            p.license_status_reason.0[0].source.text,
            "Notification Reason: 0xC004F200 (non-genuine)."
        );
        assert_eq!(values(&m.licensing_service.remaining_windows_rearm_count), ["2"]);
    }

    #[test]
    fn dlv_all_gives_one_licence_per_name_block() {
        // Two real outputs one after the other, as `/dlv all` prints its licences.
        let mut text = fixture!("slmgr/msdocs_office2016-kms-host_dlv-all.txt").to_vec();
        text.extend_from_slice(b"\n");
        text.extend_from_slice(fixture!("slmgr/msdocs_win7-kms-client-nongenuine_dlv.txt"));
        let m = run("dlv-all.txt", &text);
        assert_eq!(m.licensing.len(), 2);
        assert_eq!(values(&m.licensing[0].partial_product_key), ["KDQ2G"]);
        assert_eq!(m.licensing[0].status(), Some(Licensed));
        assert!(!m.licensing[0].license_status_reason.is_known());
        assert_eq!(values(&m.licensing[1].partial_product_key), ["HVTHH"]);
        assert_eq!(m.licensing[1].status(), Some(Notification));
        assert_eq!(values(&m.licensing[1].edition), ["Enterprise"]);
        assert_eq!(m.licensing[1].name.0[0].source.line, Some(29));
    }

    #[test]
    fn xpr_names_the_licence_and_its_state() {
        // Shape of slmgr.vbs ExpirationDatime: `Name & ":"`, then the state indented by 4.
        let m = run(
            "xpr.txt",
            b"Windows(R), EnterpriseG edition:\r\n    The machine is permanently activated.\r\n\r\n",
        );
        assert_eq!(m.licensing.len(), 1);
        let p = &m.licensing[0];
        assert_eq!(values(&p.edition), ["EnterpriseG"]);
        assert_eq!(values(&p.license_status), ["The machine is permanently activated."]);
        assert_eq!(p.status(), Some(Licensed));
        assert_eq!(p.license_status.0[0].source.line, Some(2));
    }

    fn check_zh(m: &Machine, what: &str) {
        assert_eq!(m.licensing.len(), 1, "{what}");
        let p = &m.licensing[0];
        assert_eq!(values(&p.name), ["Windows(R), EnterpriseG edition"], "{what}");
        assert_eq!(values(&p.edition), ["EnterpriseG"], "{what}");
        assert_eq!(values(&p.channel), ["VOLUME_KMSCLIENT"], "{what}");
        assert_eq!(values(&p.product_key_channel), ["Volume:GVLK"], "{what}");
        assert_eq!(values(&p.partial_product_key), ["4M68B"], "{what}");
        assert_eq!(values(&p.license_status), ["已授权"], "{what}");
        assert_eq!(p.status(), Some(Licensed), "{what}");
        assert_eq!(values(&p.grace_period_minutes), ["259197"], "{what}");
        assert_eq!(
            values(&p.activation_id),
            ["3f1afc82-f8ac-4f6c-8005-1d233e606eee"],
            "{what}"
        );
        assert_eq!(
            values(&p.application_id),
            ["55c92734-d682-4d71-983e-d6ec3f16059f"],
            "{what}"
        );
        assert_eq!(values(&p.kms_machine), ["kms.example.gov.cn:1688"], "{what}");
        assert_eq!(
            values(&p.kms_discovered),
            ["kms.example.gov.cn:1688", "10.20.30.40"],
            "{what}"
        );
        assert_eq!(p.partial_product_key.0[0].source.line, Some(10), "{what}");
        assert_eq!(p.partial_product_key.0[0].source.text, "部分产品密钥: 4M68B", "{what}");
        let s = &m.licensing_service;
        assert_eq!(values(&s.version), ["10.0.19041.1"], "{what}");
        assert_eq!(values(&s.remaining_windows_rearm_count), ["1001"], "{what}");
        assert_eq!(
            values(&s.client_machine_id),
            ["6c1d3b8e-2a57-4f0e-9d41-8b5f0c7a2e19"],
            "{what}"
        );
    }

    #[test]
    fn chinese_output_in_the_encodings_slmgr_writes() {
        let utf8 = fixture!("slmgr/constructed_zh-CN_enterpriseg-kms_dlv.txt");
        let text = std::str::from_utf8(utf8).expect("fixture is UTF-8");
        check_zh(&run("dlv.txt", utf8), "UTF-8");
        // cscript without //U: the ANSI code page, GBK on zh-CN.
        let (gbk, _, unmappable) = encoding_rs::GBK.encode(text);
        assert!(!unmappable);
        check_zh(&run("dlv.txt", &gbk), "GBK");
        // cscript //U: UTF-16LE (with and without a BOM).
        let utf16: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        check_zh(&run("dlv.txt", &utf16), "UTF-16LE");
        let with_bom: Vec<u8> = [0xFF, 0xFE].into_iter().chain(utf16).collect();
        check_zh(&run("dlv.txt", &with_bom), "UTF-16LE BOM");
    }

    #[test]
    fn full_keys_in_a_pasted_session_never_reach_the_model() {
        let session = "C:\\>cscript //nologo slmgr.vbs /ipk W269N-WFGWX-YVC9B-4J6C9-T83GX\r\n\
            Installed product key W269N-WFGWX-YVC9B-4J6C9-T83GX successfully.\r\n\r\n\
            C:\\>cscript //nologo slmgr.vbs /dli\r\n\
            Name: Windows(R), Professional edition\r\n\
            Description: Windows(R) Operating System, VOLUME_KMSCLIENT channel\r\n\
            Partial Product Key: W269N-WFGWX-YVC9B-4J6C9-T83GX\r\n\
            License Status: Licensed\r\n";
        let m = run("session.txt", session.as_bytes());
        let p = &m.licensing[0];
        assert_eq!(values(&p.partial_product_key), ["*****-*****-*****-*****-T83GX"]);
        assert_eq!(
            p.partial_product_key.0[0].source.text,
            "Partial Product Key: *****-*****-*****-*****-T83GX"
        );
        let json = serde_json::to_string(&m).expect("serialises");
        assert!(!json.contains("W269N"), "{json}");
    }
}
