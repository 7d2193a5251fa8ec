//! Recognises `cscript slmgr.vbs /dli`, `/dlv` and `/xpr` output (English or zh-CN labels).
//!
//! The labels are slmgr.vbs's own (windows-facts.md §1.7); the fact extractor
//! (`facts::slmgr`) holds the full list, this one only what tells the output apart.

/// Labels only slmgr prints (the zh-CN ones may end with a full-width colon).
const LABELS: &[&str] = &[
    "Partial Product Key",
    "License Status",
    "Software licensing service version",
    "Remaining Windows rearm count",
    "Notification Reason",
    "Product Key Channel",
    "部分产品密钥",
    "许可证状态",
    "剩余 Windows 重置计数",
    "产品密钥通道",
];

/// What `/xpr` prints under the licence name (English slmgr.vbs strings, and the zh-CN
/// "已永久激活" for a permanently activated machine).
const XPR_STATES: &[&str] = &[
    "The machine is permanently activated",
    "activation will expire",
    "grace period ends",
    "Windows is in Notification mode",
    "永久激活",
];

/// Two distinct slmgr labels among the first non-empty (trimmed) lines, or a `/xpr` licence
/// line ("Windows(R), Professional edition:") followed by its state.
pub(super) fn is_slmgr(head: &[&str]) -> bool {
    let labelled = |label: &str| {
        head.iter().any(|l| {
            l.strip_prefix(label)
                .map(str::trim_start)
                .is_some_and(|rest| rest.starts_with(':') || rest.starts_with('：'))
        })
    };
    LABELS.iter().filter(|l| labelled(l)).count() >= 2 || is_xpr(head)
}

fn is_xpr(head: &[&str]) -> bool {
    head.windows(2)
        .any(|w| w[0].ends_with(" edition:") && XPR_STATES.iter().any(|s| w[1].contains(s)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dli_dlv_and_xpr_are_recognised() {
        assert!(is_slmgr(&[
            "Name: Windows(R), Professional edition",
            "Description: Windows(R) Operating System, OEM_DM channel",
            "Partial Product Key: D692P",
            "License Status: Licensed",
        ]));
        assert!(is_slmgr(&["部分产品密钥: 4M68B", "许可证状态: 已授权"]));
        assert!(is_slmgr(&[
            "Windows(R), Professional edition:",
            "The machine is permanently activated.",
        ]));
    }

    #[test]
    fn one_label_or_prose_is_not_enough() {
        assert!(!is_slmgr(&["License Status: Licensed"]));
        assert!(!is_slmgr(&[
            "Run slmgr /dli and check the License Status and Partial Product Key."
        ]));
        assert!(!is_slmgr(&["PartialProductKey=WE9H9", "LicenseStatus=1"]));
    }
}
