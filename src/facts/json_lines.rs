//! Lines of JSON members, for the evidence of facts read from JSON with serde_json (which
//! keeps no positions).
//!
//! Linux tools print JSON either pretty (`lsblk -J`: one member per line) or on one line
//! (`ip -j`). Either way, the line that holds `"name": "sda"` is where that device is written;
//! in one-line JSON that is line 1 for everything, which is still true.

use crate::bundle::Document;

/// The 1-based line of the first member `"key": "value"` (spacing as any printer writes it) at
/// or after line `from`.
pub fn member_line(doc: &Document, key: &str, value: &str, from: usize) -> Option<usize> {
    // serde_json quotes and escapes the two strings exactly as a JSON printer does.
    let key = serde_json::to_string(key).ok()?;
    let value = serde_json::to_string(value).ok()?;
    doc.lines().skip(from.saturating_sub(1)).find_map(|(n, line)| {
        let mut rest = line;
        while let Some(at) = rest.find(&key) {
            let after = rest[at + key.len()..].trim_start();
            if let Some(v) = after.strip_prefix(':') {
                if v.trim_start().starts_with(&value) {
                    return Some(n);
                }
            }
            rest = &rest[at + key.len()..];
        }
        None
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_pretty_and_compact_members() {
        let pretty = Document::from_text(
            "t",
            "x.json",
            "{\n  \"blockdevices\": [\n    {\"name\": \"sda1\"},\n    {\n      \"kname\": \"sda\",\n      \"name\": \"sda\"\n    }\n  ]\n}\n",
        );
        // `"name": "sda1"` and `"kname": "sda"` are not `"name": "sda"`.
        assert_eq!(member_line(&pretty, "name", "sda", 1), Some(6));
        assert_eq!(member_line(&pretty, "name", "sda", 7), None);
        let compact = Document::from_text("t", "x.json", "[{\"ifname\":\"lo\"},{\"ifname\":\"eth0\"}]\n");
        assert_eq!(member_line(&compact, "ifname", "eth0", 1), Some(1));
        assert_eq!(member_line(&compact, "ifname", "eth1", 1), None);
    }
}
