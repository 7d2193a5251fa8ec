//! The licensing vocabulary that `slmgr` output and the SoftwareLicensingProduct/Service
//! classes share (windows-facts.md §1.7): licence status in its three spellings (WMI's number,
//! slmgr's English and Chinese text), the edition and channel inside a product's name and
//! description, and HRESULTs.
//!
//! Both extractors store values as printed; what a rule needs to compare goes through here, so
//! that `1`, `Licensed` and `已授权` are the same [`LicenseStatus`].

use super::model::LicensingProduct;
use crate::knowledge::Code;
use serde::Serialize;

/// SoftwareLicensingProduct.LicenseStatus, whichever way it was printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LicenseStatus {
    /// 0: no valid licence.
    Unlicensed,
    /// 1: activated.
    Licensed,
    /// 2: out-of-box grace ("Initial grace period").
    OobGrace,
    /// 3: out-of-tolerance grace: the hardware changed beyond tolerance, or the KMS licence
    /// expired ("Additional grace period").
    OotGrace,
    /// 4: non-genuine grace.
    NonGenuineGrace,
    /// 5: notification mode (grace ended, not activated).
    Notification,
    /// 6: extended grace.
    ExtendedGrace,
}

impl LicenseStatus {
    /// From the LicenseStatus number (SoftwareLicensingProduct documentation).
    pub fn from_wmi(code: u32) -> Option<LicenseStatus> {
        use LicenseStatus::*;
        Some(match code {
            0 => Unlicensed,
            1 => Licensed,
            2 => OobGrace,
            3 => OotGrace,
            4 => NonGenuineGrace,
            5 => Notification,
            6 => ExtendedGrace,
            _ => return None,
        })
    }

    /// From a value as printed: a WMI number, or slmgr's `/dli`/`/dlv` status text or `/xpr`
    /// sentence, in English or Chinese. `None` for "Unknown" and anything else.
    ///
    /// English texts are slmgr.vbs's own strings (L_MsgLicenseStatus*). Of the Chinese ones,
    /// "已授权" is seen in real zh-CN output; "未授权", "通知" and "初始宽限" are what scripts
    /// written for zh-CN machines test for; the others are the likely translations and are
    /// unverified.
    pub fn from_text(text: &str) -> Option<LicenseStatus> {
        use LicenseStatus::*;
        let t = text.trim();
        if let Ok(code) = t.parse::<u32>() {
            return LicenseStatus::from_wmi(code);
        }
        let lower = t.to_ascii_lowercase();
        let has = |needles: &[&str]| needles.iter().any(|n| lower.contains(n));
        // Most specific first: "unlicensed" contains "licensed", every grace text contains
        // "grace", and the KMS host's "License expired or Hardware out of tolerance" is OOT.
        if has(&["unlicensed", "未授权"]) {
            Some(Unlicensed)
        } else if has(&["non-genuine", "非正版"]) {
            Some(NonGenuineGrace)
        } else if has(&[
            "additional grace",
            "out of tolerance",
            "附加宽限",
            "额外宽限",
            "容差",
            "容限",
        ]) {
            Some(OotGrace)
        } else if has(&["initial grace", "初始宽限"]) {
            Some(OobGrace)
        } else if has(&["extended grace", "延长宽限", "扩展宽限"]) {
            Some(ExtendedGrace)
        } else if has(&["notification", "通知"]) {
            Some(Notification)
        } else if has(&[
            "licensed",
            "permanently activated",
            "activation will expire",
            "已授权",
            "永久激活",
        ]) {
            Some(Licensed)
        } else {
            None
        }
    }

    /// The stable name used in rules and JSON (`oot-grace`).
    pub fn name(self) -> &'static str {
        use LicenseStatus::*;
        match self {
            Unlicensed => "unlicensed",
            Licensed => "licensed",
            OobGrace => "oob-grace",
            OotGrace => "oot-grace",
            NonGenuineGrace => "non-genuine-grace",
            Notification => "notification",
            ExtendedGrace => "extended-grace",
        }
    }
}

impl LicensingProduct {
    /// The licence status of the first observation that can be read, whatever its spelling.
    pub fn status(&self) -> Option<LicenseStatus> {
        self.license_status
            .values()
            .find_map(|o| LicenseStatus::from_text(&o.value))
    }

    /// A key is installed for this licence. `slmgr /dlv all` and an unfiltered
    /// SoftwareLicensingProduct query also list every licence the system merely knows
    /// (no partial key, "This license is not in use."); those say nothing about activation.
    pub fn in_use(&self) -> bool {
        self.partial_product_key.values().any(|o| !o.value.trim().is_empty())
    }
}

/// The edition in a product name: "Windows(R), EnterpriseG edition" → "EnterpriseG",
/// "Office 16, Office16ProPlusVL_KMS_Client edition" → "Office16ProPlusVL_KMS_Client".
pub fn edition_from_name(name: &str) -> Option<&str> {
    let name = name.trim();
    let rest = name.strip_suffix(" edition")?;
    let edition = rest.rsplit(", ").next().unwrap_or(rest).trim();
    (!edition.is_empty() && !edition.contains(' ')).then_some(edition)
}

/// The channel in a product description: "Windows(R) Operating System, VOLUME_KMSCLIENT
/// channel" → "VOLUME_KMSCLIENT"; "Windows Operating System - Windows(R) 7, TIMEBASED_EVAL
/// channel" → "TIMEBASED_EVAL".
pub fn channel_from_description(description: &str) -> Option<&str> {
    let d = description.trim();
    let rest = d.strip_suffix(" channel")?;
    let channel = rest.rsplit([',', ' ']).next().unwrap_or(rest).trim();
    (!channel.is_empty()).then_some(channel)
}

/// An HRESULT as slmgr prints it (`0xC004F009`): from WMI's decimal LicenseStatusReason
/// (`1074065472` → `0x4004F040`; a negative, signed rendering is taken modulo 2³²), or from
/// slmgr's "0xC004F056." / "0xC004F200 (non-genuine).".
pub fn hresult(value: &str) -> Option<String> {
    let v = value.trim();
    let code = match v.strip_prefix("0x").or_else(|| v.strip_prefix("0X")) {
        Some(rest) => {
            let digits = rest.split(|c: char| !c.is_ascii_hexdigit()).next().unwrap_or("");
            Code::parse(&v[..2 + digits.len()])?
        }
        // WMI's decimal, which may be a signed rendering; never the bare-hex reading.
        None => {
            let n: i64 = v.parse().ok()?;
            if !(i64::from(i32::MIN)..=i64::from(u32::MAX)).contains(&n) {
                return None;
            }
            Code((n & 0xFFFF_FFFF) as u32)
        }
    };
    Some(code.to_string())
}

/// A date that means "not set": CIM's 1601-01-01 (`16010101000000.000000-000`) or its
/// PowerShell 5.1 JSON form (`/Date(-11644473600000)/`).
pub fn is_unset_date(value: &str) -> bool {
    let v = value.trim();
    v.is_empty() || v.starts_with("16010101") || v.contains("Date(-11644473600000)")
}

/// The first run of digits in a value ("253564 minute(s) (177 day(s))" → "253564",
/// "259197 分钟(180天）" → "259197").
pub fn leading_number(value: &str) -> Option<&str> {
    let start = value.find(|c: char| c.is_ascii_digit())?;
    let rest = &value[start..];
    let end = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
    Some(&rest[..end])
}

#[cfg(test)]
mod tests {
    use super::*;
    use LicenseStatus::*;

    #[test]
    fn status_from_wmi_numbers() {
        assert_eq!(LicenseStatus::from_text("1"), Some(Licensed));
        assert_eq!(LicenseStatus::from_text(" 3 "), Some(OotGrace));
        assert_eq!(LicenseStatus::from_text("5"), Some(Notification));
        assert_eq!(LicenseStatus::from_text("7"), None);
    }

    #[test]
    fn status_from_slmgr_texts() {
        // slmgr.vbs L_MsgLicenseStatus*_1 (dli/dlv) and L_MsgLicenseStatus* (xpr).
        for (text, status) in [
            ("Unlicensed", Unlicensed),
            ("Licensed", Licensed),
            ("Initial grace period", OobGrace),
            (
                "Additional grace period (KMS license expired or hardware out of tolerance)",
                OotGrace,
            ),
            ("Non-genuine grace period.", NonGenuineGrace),
            ("Notification", Notification),
            ("Extended grace period", ExtendedGrace),
            ("The machine is permanently activated.", Licensed),
            ("Volume activation will expire 4/25/2026 10:12:00 AM", Licensed),
            ("Initial grace period ends 1/1/2026", OobGrace),
            ("Windows is in Notification mode", Notification),
            ("已授权", Licensed),
            ("未授权", Unlicensed),
            ("通知", Notification),
            ("初始宽限期", OobGrace),
        ] {
            assert_eq!(LicenseStatus::from_text(text), Some(status), "{text}");
        }
        assert_eq!(LicenseStatus::from_text("Unknown"), None);
    }

    #[test]
    fn a_licence_without_a_partial_key_is_not_in_use() {
        use crate::facts::Source;
        let source = || Source {
            input: "t".into(),
            path: "p".into(),
            line: Some(1),
            text: String::new(),
        };
        let mut p = LicensingProduct::default();
        assert!(!p.in_use());
        p.partial_product_key.push("", source());
        assert!(!p.in_use());
        p.partial_product_key.push("4M68B", source());
        assert!(p.in_use());
        p.license_status.push("Unknown", source());
        p.license_status.push("已授权", source());
        assert_eq!(p.status(), Some(Licensed));
    }

    #[test]
    fn editions_and_channels() {
        assert_eq!(
            edition_from_name("Windows(R), EnterpriseG edition"),
            Some("EnterpriseG")
        );
        assert_eq!(
            edition_from_name("Windows(R) 7, Enterprise edition"),
            Some("Enterprise")
        );
        assert_eq!(
            edition_from_name("Windows Server(R), ServerStandard edition"),
            Some("ServerStandard")
        );
        assert_eq!(edition_from_name("Windows 11 Pro"), None);
        assert_eq!(
            channel_from_description("Windows(R) Operating System, VOLUME_KMSCLIENT channel"),
            Some("VOLUME_KMSCLIENT")
        );
        assert_eq!(
            channel_from_description("Windows Operating System - Windows(R) 7, TIMEBASED_EVAL channel"),
            Some("TIMEBASED_EVAL")
        );
        assert_eq!(channel_from_description("Windows Operating System"), None);
    }

    #[test]
    fn hresults() {
        assert_eq!(hresult("1074065472").as_deref(), Some("0x4004F040"));
        assert_eq!(hresult("3221549065").as_deref(), Some("0xC004F009"));
        assert_eq!(hresult("-1073418231").as_deref(), Some("0xC004F009"));
        assert_eq!(hresult("0xC004F056.").as_deref(), Some("0xC004F056"));
        assert_eq!(hresult("0xc004f200 (non-genuine).").as_deref(), Some("0xC004F200"));
        assert_eq!(hresult("0").as_deref(), Some("0x00000000"));
        assert_eq!(hresult("abc"), None);
        assert_eq!(hresult("0x"), None);
    }

    #[test]
    fn numbers_and_dates() {
        assert_eq!(leading_number("253564 minute(s) (177 day(s))"), Some("253564"));
        assert_eq!(leading_number("259197 分钟(180天）"), Some("259197"));
        assert_eq!(leading_number("none"), None);
        assert!(is_unset_date("16010101000000.000000-000"));
        assert!(is_unset_date("/Date(-11644473600000)/"));
        assert!(!is_unset_date("20240101000000.000000-000"));
    }
}
