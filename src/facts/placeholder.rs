//! Placeholder serials and names left by OEM firmware.
//!
//! They are not empty, but thousands of machines share them, so to the activation server two
//! such machines are one (see cases.md, "Unique matters"). The list is the union in
//! windows-facts.md §4.2: exact strings, then patterns. Serials use exact matches only (a
//! real serial may start with "OEM"); names (manufacturer, model) also use prefixes.

use serde::Serialize;

/// Why a value counts as a placeholder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Placeholder {
    /// Empty, whitespace or NUL only.
    Empty,
    /// A known OEM filler string ("To be filled by O.E.M.", "Default string", ...).
    OemString,
    /// No letter or digit at all ("....", "----").
    NoAlphanumeric,
    /// One character repeated ("00000000", "FFFFFFFF", "XXXXX").
    Repeated,
    /// A numeric run ("123456789", "0123456789").
    CountingRun,
    /// A vendor template ("Type1 - ...", "Type2 - Board Serial Number", `$(DEFAULT_STRING)`).
    Template,
    /// "0x" followed only by zeros.
    HexZero,
    /// Control or non-ASCII bytes, which firmware never means as a serial.
    Garbage,
    /// A MAC that is no 6-byte hardware address: the 8-byte pseudo-address of a tunnel adapter
    /// (`00-00-00-00-00-00-00-E0`, ISATAP/Teredo), or all zeros or all ones.
    NotAnAddress,
}

const EXACT: &[&str] = &[
    "to be filled by o.e.m.",
    "to be filled by o.e.m",
    "to be filled by oem",
    "default string",
    "system serial number",
    "base board serial number",
    "chassis serial number",
    "system product name",
    "system manufacturer",
    "system version",
    "system name",
    "system sku#",
    "base board product name",
    "type1productconfigid",
    "not specified",
    "not applicable",
    "not available",
    "not defined",
    "not present",
    "not settable",
    "none",
    "none provided",
    "n/a",
    "na",
    "unknown",
    "unknow",
    "undefined",
    "invalid",
    "empty",
    "(null)",
    "null",
    "default",
    "oem",
    "o.e.m.",
    "oem_mb",
    "tbd",
    "tbd by oem",
    "to be set",
    "no enclosure",
    "chassis version",
    "chassis manufacture",
    "chassis manufacturer",
    "all series",
    "standard",
    "sku",
    "serial",
    "serial number",
    "sernum",
    "assettagnum",
    "no asset information",
    "mb serial number",
    "pca serial",
    "$(default_string)",
    "$(project_sku_name)",
    "system_manufacturer",
    "system_product_name",
    "x.x",
    "<bad index>",
    "0",
    "0123456789",
    "123456789",
    "1234567890",
    "asset-1234567890",
    "填寫者 o.e.m.",
    "system uuid",
    "oem default string000",
    "oem chassis manufacturer",
    "unspecified",
    "uninitialized",
];

/// Prefixes that mark a *name* (manufacturer, product) as filler (fastfetch's list).
const NAME_PREFIXES: &[&str] = &[
    "to be filled",
    "to be set",
    "oem",
    "o.e.m",
    "system product",
    "unknown product",
];

/// UUIDs that firmware ships by default (osquery's list).
const PLACEHOLDER_UUIDS: &[&str] = &[
    "00000000-0000-0000-0000-000000000000",
    "ffffffff-ffff-ffff-ffff-ffffffffffff",
    "03000200-0400-0500-0006-000700080009",
    "03020100-0504-0706-0809-0a0b0c0d0e0f",
    "10000000-0000-8000-0040-000000000000",
];

/// Classifies a serial number. `None` means it looks like a real, unique value.
pub fn serial(value: &str) -> Option<Placeholder> {
    common(value)
}

/// Classifies a manufacturer or model name: the serial checks plus filler prefixes.
pub fn name(value: &str) -> Option<Placeholder> {
    if let Some(p) = common(value) {
        return Some(p);
    }
    let lower = trimmed(value).to_lowercase();
    NAME_PREFIXES
        .iter()
        .any(|p| lower.starts_with(p))
        .then_some(Placeholder::OemString)
}

/// Classifies a MAC address: tunnel pseudo-adapters' 8-byte values and the all-zero and
/// broadcast addresses identify nothing.
pub fn mac(value: &str) -> Option<Placeholder> {
    let t = trimmed(value);
    if t.is_empty() {
        return Some(Placeholder::Empty);
    }
    let hex: String = t.chars().filter(|c| c.is_ascii_hexdigit()).collect();
    let only_address = t.chars().all(|c| c.is_ascii_hexdigit() || matches!(c, ':' | '-' | '.'));
    if hex.len() != 12 || !only_address {
        return Some(Placeholder::NotAnAddress);
    }
    let one_digit = hex
        .chars()
        .all(|c| c.eq_ignore_ascii_case(&hex.chars().next().unwrap_or('0')));
    (one_digit && (hex.starts_with('0') || hex.eq_ignore_ascii_case("ffffffffffff")))
        .then_some(Placeholder::NotAnAddress)
}

/// Classifies a system UUID.
pub fn uuid(value: &str) -> Option<Placeholder> {
    let lower = trimmed(value).to_lowercase();
    if PLACEHOLDER_UUIDS.contains(&lower.as_str()) {
        return Some(Placeholder::Repeated);
    }
    common(value)
}

fn trimmed(value: &str) -> &str {
    value.trim_matches(|c: char| c.is_whitespace() || c == '\0')
}

fn common(value: &str) -> Option<Placeholder> {
    let t = trimmed(value);
    if t.is_empty() {
        return Some(Placeholder::Empty);
    }
    let lower = t.to_lowercase();
    if EXACT.contains(&lower.as_str()) {
        return Some(Placeholder::OemString);
    }
    if lower.starts_with("type1 - ")
        || lower.starts_with("type2 - ")
        || lower.starts_with("type3 - ")
        || lower.starts_with("$(")
    {
        return Some(Placeholder::Template);
    }
    if t.chars().any(|c| c.is_control() || c == '\u{FFFD}') {
        return Some(Placeholder::Garbage);
    }
    if !t.chars().any(|c| c.is_alphanumeric()) {
        return Some(Placeholder::NoAlphanumeric);
    }
    if let Some(hex) = lower.strip_prefix("0x") {
        if !hex.is_empty() && hex.chars().all(|c| c == '0') {
            return Some(Placeholder::HexZero);
        }
    }
    let compact: Vec<char> = t
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '.' | '_' | ':'))
        .collect();
    if compact.len() >= 2 && compact.iter().all(|c| c.eq_ignore_ascii_case(&compact[0])) {
        return Some(Placeholder::Repeated);
    }
    if compact.len() >= 6 && is_counting_run(&compact) {
        return Some(Placeholder::CountingRun);
    }
    None
}

/// "123456789", "0123456789", "987654321": every digit one more (or less) than the previous.
fn is_counting_run(chars: &[char]) -> bool {
    let digits: Option<Vec<i32>> = chars.iter().map(|c| c.to_digit(10).map(|d| d as i32)).collect();
    let Some(d) = digits else { return false };
    let up = d.windows(2).all(|w| (w[1] - w[0]).rem_euclid(10) == 1);
    let down = d.windows(2).all(|w| (w[0] - w[1]).rem_euclid(10) == 1);
    up || down
}

impl Placeholder {
    pub fn describe(self, zh: bool) -> &'static str {
        match (self, zh) {
            (Placeholder::Empty, false) => "empty",
            (Placeholder::Empty, true) => "为空",
            (Placeholder::OemString, false) => "an OEM placeholder string",
            (Placeholder::OemString, true) => "厂商占位字符串",
            (Placeholder::NoAlphanumeric, false) => "no letters or digits",
            (Placeholder::NoAlphanumeric, true) => "不含字母或数字",
            (Placeholder::Repeated, false) => "one character repeated",
            (Placeholder::Repeated, true) => "单一字符重复",
            (Placeholder::CountingRun, false) => "a counting run of digits",
            (Placeholder::CountingRun, true) => "连续数字序列",
            (Placeholder::Template, false) => "a firmware template value",
            (Placeholder::Template, true) => "固件模板值",
            (Placeholder::HexZero, false) => "a hex zero",
            (Placeholder::HexZero, true) => "十六进制零值",
            (Placeholder::Garbage, false) => "control or unreadable characters",
            (Placeholder::Garbage, true) => "含控制字符或乱码",
            (Placeholder::NotAnAddress, false) => {
                "not a hardware address (tunnel pseudo-adapter, all zeros or all ones)"
            }
            (Placeholder::NotAnAddress, true) => "不是硬件地址（隧道虚拟网卡的伪地址、全 0 或全 F）",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn macs_that_identify_nothing() {
        // ipconfig /all of Windows with ISATAP/Teredo adapters (tests/fixtures/ipconfig).
        assert_eq!(mac("00-00-00-00-00-00-00-E0"), Some(Placeholder::NotAnAddress));
        assert_eq!(mac("00:00:00:00:00:00"), Some(Placeholder::NotAnAddress));
        assert_eq!(mac("FF-FF-FF-FF-FF-FF"), Some(Placeholder::NotAnAddress));
        assert_eq!(mac(""), Some(Placeholder::Empty));
        assert_eq!(mac("00-50-56-C0-00-01"), None);
        assert_eq!(mac("0050.56c0.0001"), None);
    }

    #[test]
    fn oem_fillers_and_patterns() {
        for s in [
            "",
            "   ",
            "\0\0",
            "To be filled by O.E.M.",
            "Default string",
            "System Serial Number",
            "Not Specified",
            "None",
            "0",
            "00000000",
            "FFFFFFFF",
            "........",
            "----",
            "Type2 - Board Serial Number",
            "123456789",
            "0x0000",
            "$(DEFAULT_STRING)",
        ] {
            assert!(serial(s).is_some(), "{s:?} should be a placeholder");
        }
    }

    #[test]
    fn real_serials_pass() {
        for s in [
            "5CD8484V89",
            "PHMYU018JBJ02F",
            ".2RJF153.CNIVC0005G0184.",
            "VMware-50 0c 1f 2a",
            "ZZ02-2200-00033",
            "OEM12345XZ",
            "ACE4_2E61_9000_7804.",
            "2RJF153",
        ] {
            assert_eq!(serial(s), None, "{s:?} should be accepted");
        }
    }

    #[test]
    fn names_use_prefixes_but_serials_do_not() {
        assert!(name("To Be Filled By O.E.M. Board").is_some());
        assert!(name("System Product Name").is_some());
        assert_eq!(serial("OEM12345XZ"), None);
        assert!(name("OEM12345XZ").is_some());
    }

    #[test]
    fn placeholder_uuids() {
        assert!(uuid("03000200-0400-0500-0006-000700080009").is_some());
        assert_eq!(uuid("4C4C4544-0052-4A10-8046-B2C04F313533"), None);
    }
}
