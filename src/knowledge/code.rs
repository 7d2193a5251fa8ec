//! Error codes as Windows writes them: HRESULTs (`0xC004F074`), the same number in decimal
//! (`3221549172`, or `-1073418124` when a tool prints it as a signed 32-bit integer), and small
//! Win32 error numbers (`0x00000490`, 1168) that HRESULT_FROM_WIN32 turns into `0x80070490`.

use serde::Serialize;
use std::fmt;

/// An HRESULT (or a Win32 error number, which is a small value of the same type).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Code(pub u32);

/// Facility numbers from winerror.h (slerror.h for the licensing ones): the ones the codes
/// of this tool's logs use, enough to say where an unknown code comes from.
const FACILITIES: &[(u16, &str)] = &[
    (0, "FACILITY_NULL"),
    (1, "FACILITY_RPC"),
    (2, "FACILITY_DISPATCH"),
    (3, "FACILITY_STORAGE"),
    (4, "FACILITY_ITF (Software Licensing: FACILITY_SL_ITF)"),
    (7, "FACILITY_WIN32"),
    (8, "FACILITY_WINDOWS"),
    (9, "FACILITY_SECURITY"),
    (11, "FACILITY_CERT"),
    (12, "FACILITY_INTERNET"),
    (15, "FACILITY_SETUPAPI"),
    (16, "FACILITY_SCARD"),
    (19, "FACILITY_URT"),
    (23, "FACILITY_SXS"),
    (25, "FACILITY_HTTP"),
    (32, "FACILITY_BACKGROUNDCOPY"),
    (36, "FACILITY_WINDOWSUPDATE"),
    (49, "FACILITY_FVE"),
    (63, "FACILITY_WINDOWS_STORE"),
    (208, "FACILITY_DELIVERY_OPTIMIZATION"),
];

impl Code {
    /// Win32 errors wrapped by HRESULT_FROM_WIN32 have this facility.
    pub const FACILITY_WIN32: u16 = 7;

    /// Reads a code in any of the forms people and logs write:
    /// `0xC004F074` / `0xc004f074` (1 to 8 hex digits after `0x`), `C004F074` (bare hex: has a
    /// letter, or is exactly 8 digits as HRESULTs are copied from setup logs: `80070005`),
    /// `3221549172` (unsigned decimal), `-1073418124` (signed 32-bit decimal).
    pub fn parse(text: &str) -> Option<Code> {
        let s = text.trim();
        if let Some(hex) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
            return parse_hex(hex).map(Code);
        }
        if let Some(digits) = s.strip_prefix('-') {
            if !is_digits(digits) {
                return None;
            }
            let n: i64 = digits.parse().ok()?;
            let signed = i32::try_from(-n).ok()?;
            return Some(Code(signed as u32));
        }
        if is_digits(s) && s.len() != 8 {
            return s.parse::<u32>().ok().map(Code);
        }
        parse_hex(s).map(Code)
    }

    /// The value as a signed 32-bit integer, as .NET, PowerShell and some event logs print it.
    pub fn signed(self) -> i32 {
        self.0 as i32
    }

    /// The severity bit: set for failures.
    pub fn is_failure(self) -> bool {
        self.0 & 0x8000_0000 != 0
    }

    /// Bits 16..27: which component defined the code.
    pub fn facility(self) -> u16 {
        ((self.0 >> 16) & 0x7FF) as u16
    }

    /// The facility's winerror.h name, when it is one this tool knows.
    pub fn facility_name(self) -> Option<&'static str> {
        let f = self.facility();
        FACILITIES.iter().find(|(n, _)| *n == f).map(|(_, name)| *name)
    }

    /// The low 16 bits: the code within the facility.
    pub fn low_word(self) -> u16 {
        (self.0 & 0xFFFF) as u16
    }

    /// The Win32 error number inside an HRESULT_FROM_WIN32 value (`0x80070490` → 1168).
    pub fn win32(self) -> Option<u32> {
        (self.0 & 0xFFFF_0000 == 0x8007_0000).then_some(self.0 & 0xFFFF)
    }

    /// HRESULT_FROM_WIN32: a Win32 error number (1 to 0xFFFF) as the HRESULT Windows logs
    /// write for it. Zero (success) and values that are already HRESULTs give `None`.
    pub fn from_win32(self) -> Option<Code> {
        (1..=0xFFFF).contains(&self.0).then_some(Code(0x8007_0000 | self.0))
    }
}

impl fmt::Display for Code {
    /// `0xC004F074`: `0x`, then 8 uppercase hex digits.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "0x{:08X}", self.0)
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// The second half of a Windows Setup result, `0xC1900101 - 0x4000D`: which phase of the
/// upgrade failed and what operation it was doing (upgrade-error-codes.md, "Extend codes").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ExtendCode(pub u32);

/// Phases, by the extend code's first hex digit.
const PHASES: &[&str] = &[
    "SP_EXECUTION_UNKNOWN",
    "SP_EXECUTION_DOWNLEVEL",
    "SP_EXECUTION_SAFE_OS",
    "SP_EXECUTION_FIRST_BOOT",
    "SP_EXECUTION_OOBE_BOOT",
    "SP_EXECUTION_UNINSTALL",
];

/// Operations, by the extend code's last two hex digits (the spelling `DRVIERS` is Microsoft's).
const OPERATIONS: &[&str] = &[
    "SP_EXECUTION_OP_UNKNOWN",
    "SP_EXECUTION_OP_COPY_PAYLOAD",
    "SP_EXECUTION_OP_DOWNLOAD_UPDATES",
    "SP_EXECUTION_OP_INSTALL_UPDATES",
    "SP_EXECUTION_OP_INSTALL_RECOVERY_ENVIRONMENT",
    "SP_EXECUTION_OP_INSTALL_RECOVERY_IMAGE",
    "SP_EXECUTION_OP_REPLICATE_OC",
    "SP_EXECUTION_OP_INSTALL_DRVIERS",
    "SP_EXECUTION_OP_PREPARE_SAFE_OS",
    "SP_EXECUTION_OP_PREPARE_ROLLBACK",
    "SP_EXECUTION_OP_PREPARE_FIRST_BOOT",
    "SP_EXECUTION_OP_PREPARE_OOBE_BOOT",
    "SP_EXECUTION_OP_APPLY_IMAGE",
    "SP_EXECUTION_OP_MIGRATE_DATA",
    "SP_EXECUTION_OP_SET_PRODUCT_KEY",
    "SP_EXECUTION_OP_ADD_UNATTEND",
    "SP_EXECUTION_OP_ADD_DRIVER",
    "SP_EXECUTION_OP_ENABLE_FEATURE",
    "SP_EXECUTION_OP_DISABLE_FEATURE",
    "SP_EXECUTION_OP_REGISTER_ASYNC_PROCESS",
    "SP_EXECUTION_OP_REGISTER_SYNC_PROCESS",
    "SP_EXECUTION_OP_CREATE_FILE",
    "SP_EXECUTION_OP_CREATE_REGISTRY",
    "SP_EXECUTION_OP_BOOT",
    "SP_EXECUTION_OP_SYSPREP",
    "SP_EXECUTION_OP_OOBE",
    "SP_EXECUTION_OP_BEGIN_FIRST_BOOT",
    "SP_EXECUTION_OP_END_FIRST_BOOT",
    "SP_EXECUTION_OP_BEGIN_OOBE_BOOT",
    "SP_EXECUTION_OP_END_OOBE_BOOT",
    "SP_EXECUTION_OP_PRE_OOBE",
    "SP_EXECUTION_OP_POST_OOBE",
    "SP_EXECUTION_OP_ADD_PROVISIONING_PACKAGE",
];

impl ExtendCode {
    /// `0x4000D`, `4000D` (hex, at most 8 digits).
    pub fn parse(text: &str) -> Option<ExtendCode> {
        let s = text.trim();
        let hex = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")).unwrap_or(s);
        parse_hex(hex).map(ExtendCode)
    }

    /// The phase number (`0x4000D` → 4).
    pub fn phase(self) -> u32 {
        self.0 >> 16
    }

    /// The operation number (`0x4000D` → 0x0D).
    pub fn operation(self) -> u32 {
        self.0 & 0xFF
    }

    /// The phase's name in Microsoft's table, if the number is in it.
    pub fn phase_name(self) -> Option<&'static str> {
        PHASES.get(self.phase() as usize).copied()
    }

    /// The operation's name in Microsoft's table, if the number is in it.
    pub fn operation_name(self) -> Option<&'static str> {
        OPERATIONS.get(self.operation() as usize).copied()
    }
}

impl fmt::Display for ExtendCode {
    /// `0x4000D`: as setup writes it, no zero padding.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "0x{:X}", self.0)
    }
}

impl Serialize for ExtendCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// A Windows Setup result as people paste it: `0xC1900101-0x20017`, `0xC1900101 - 0x20017`,
/// or a plain code in any form [`Code::parse`] reads.
pub fn parse_setup_code(text: &str) -> Option<(Code, Option<ExtendCode>)> {
    let s = text.trim();
    // A leading '-' is a negative decimal, not the separator.
    match s.get(1..).and_then(|rest| rest.find('-')).map(|i| i + 1) {
        Some(dash) => {
            let code = Code::parse(&s[..dash])?;
            let extend = ExtendCode::parse(&s[dash + 1..])?;
            Some((code, Some(extend)))
        }
        None => Code::parse(s).map(|c| (c, None)),
    }
}

fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// 1 to 8 hex digits, nothing else.
fn parse_hex(s: &str) -> Option<u32> {
    if s.is_empty() || s.len() > 8 || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u32::from_str_radix(s, 16).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_written_form_of_the_kms_error_is_one_code() {
        let kms = Code(0xC004_F074);
        for form in [
            "0xC004F074",
            "0xc004f074",
            "0XC004F074",
            "C004F074",
            "c004f074",
            " 0xC004F074 ",
        ] {
            assert_eq!(Code::parse(form), Some(kms), "{form}");
        }
        assert_eq!(Code::parse("3221549172"), Some(kms));
        assert_eq!(Code::parse("-1073418124"), Some(kms));
        assert_eq!(kms.to_string(), "0xC004F074");
        assert_eq!(kms.signed(), -1_073_418_124);
    }

    #[test]
    fn eight_bare_digits_are_hex_as_setup_logs_write_hresults() {
        assert_eq!(Code::parse("80070005"), Some(Code(0x8007_0005)));
        // Fewer digits are a decimal number: a Win32 error as `net helpmsg` takes it.
        assert_eq!(Code::parse("1168"), Some(Code(1168)));
        assert_eq!(Code(1168).to_string(), "0x00000490");
    }

    #[test]
    fn not_codes() {
        for bad in [
            "",
            "0x",
            "0x123456789",
            "xyz",
            "0xC004F07G",
            "4294967296",
            "-2147483649",
            "--5",
            "-",
            "1.5",
            "C004F074Z",
        ] {
            assert_eq!(Code::parse(bad), None, "{bad:?}");
        }
        assert_eq!(Code::parse("-2147483648"), Some(Code(0x8000_0000)));
        assert_eq!(Code::parse("4294967295"), Some(Code(0xFFFF_FFFF)));
    }

    #[test]
    fn win32_and_hresult_are_the_same_error() {
        assert_eq!(Code(0x490).from_win32(), Some(Code(0x8007_0490)));
        assert_eq!(Code(0x8007_0490).win32(), Some(1168));
        assert_eq!(Code(0xC004_F074).win32(), None);
        assert_eq!(Code(0).from_win32(), None);
        assert_eq!(Code(0x8007_0490).from_win32(), None);
        assert_eq!(Code(0x8007_0490).facility(), Code::FACILITY_WIN32);
    }

    #[test]
    fn facilities() {
        assert_eq!(Code(0xC004_F074).facility(), 4);
        assert_eq!(Code(0x8024_0022).facility_name(), Some("FACILITY_WINDOWSUPDATE"));
        assert_eq!(
            Code(0x80D0_5001).facility_name(),
            Some("FACILITY_DELIVERY_OPTIMIZATION")
        );
        assert_eq!(Code(0xC190_0101).facility(), 0x190);
        assert_eq!(Code(0xC190_0101).facility_name(), None);
        assert_eq!(Code(0xC004_F074).low_word(), 0xF074);
    }

    #[test]
    fn setup_results_with_extend_codes() {
        let want = (Code(0xC190_0101), Some(ExtendCode(0x20017)));
        assert_eq!(parse_setup_code("0xC1900101-0x20017"), Some(want));
        assert_eq!(parse_setup_code("0xC1900101 - 0x20017"), Some(want));
        assert_eq!(parse_setup_code("C1900101 - 20017"), Some(want));
        assert_eq!(parse_setup_code("-1073418124"), Some((Code(0xC004_F074), None)));
        assert_eq!(parse_setup_code("0xC1900101 - "), None);
        assert_eq!(parse_setup_code("0xC1900101 - 0xZZ"), None);
    }

    #[test]
    fn extend_code_names_follow_microsofts_table() {
        let e = ExtendCode(0x4000D);
        assert_eq!((e.phase(), e.operation()), (4, 0x0D));
        assert_eq!(e.phase_name(), Some("SP_EXECUTION_OOBE_BOOT"));
        assert_eq!(e.operation_name(), Some("SP_EXECUTION_OP_MIGRATE_DATA"));
        assert_eq!(ExtendCode(0x30018).operation_name(), Some("SP_EXECUTION_OP_SYSPREP"));
        assert_eq!(
            ExtendCode(0x20004).operation_name(),
            Some("SP_EXECUTION_OP_INSTALL_RECOVERY_ENVIRONMENT")
        );
        assert_eq!(
            ExtendCode(0x2000C).operation_name(),
            Some("SP_EXECUTION_OP_APPLY_IMAGE")
        );
        assert_eq!(
            ExtendCode(0x20020).operation_name(),
            Some("SP_EXECUTION_OP_ADD_PROVISIONING_PACKAGE")
        );
        assert_eq!(ExtendCode(0x60000).phase_name(), None);
        assert_eq!(ExtendCode(0x4000D).to_string(), "0x4000D");
    }
}
