//! Keeping secrets out of what cmgelog stores, shows and writes.
//!
//! A Windows product key is 25 letters and digits in five groups of five
//! (`XXXXX-XXXXX-XXXXX-XXXXX-XXXXX`). Logs and pasted console sessions carry them (`slmgr /ipk
//! <key>`, "Installed product key <key> successfully.", `OA3xOriginalProductKey=<key>`), and a
//! support bundle leaves the customer's hands. Windows itself only ever shows the last group, as
//! the *partial product key*, so that is what we keep: `*****-*****-*****-*****-ABCDE` still
//! matches `Partial Product Key: ABCDE` in the same bundle.

use std::borrow::Cow;

/// Environment variables that hold secrets of cmgelog itself (the upload password). The
/// collector removes them from every command it runs, so an item that prints its environment
/// (`set`, `env`) cannot put them in a bundle.
pub const SECRET_ENV_VARS: &[&str] = &["CMGELOG_PASSWORD"];

/// Length of `XXXXX-XXXXX-XXXXX-XXXXX-XXXXX`.
const KEY_LEN: usize = 29;
/// Where the kept last group starts.
const LAST_GROUP: usize = 24;
const MASK: &str = "*****-*****-*****-*****-";

/// Replaces every full 5×5 product key in `text` by `*****-*****-*****-*****-` and its last group.
///
/// A key is matched case-insensitively and only as a whole token: the characters around it
/// must not be ASCII letters, digits or `-`, so a GUID, an Extended PID
/// (`03612-04661-000-000000-03-2052-19041.0000-1272023`) or a longer dash-separated code is left
/// alone. Text without a key is returned borrowed.
pub fn mask_product_keys(text: &str) -> Cow<'_, str> {
    let bytes = text.as_bytes();
    if bytes.len() < KEY_LEN || bytes.iter().filter(|&&b| b == b'-').count() < 4 {
        return Cow::Borrowed(text);
    }
    let mut out = String::new();
    let mut copied = 0;
    let mut i = 0;
    while i + KEY_LEN <= bytes.len() {
        if is_key_at(bytes, i) {
            // All bytes of a key are ASCII, so both ends are char boundaries.
            out.push_str(&text[copied..i]);
            out.push_str(MASK);
            out.push_str(&text[i + LAST_GROUP..i + KEY_LEN]);
            copied = i + KEY_LEN;
            i = copied;
        } else {
            i += 1;
        }
    }
    if copied == 0 {
        return Cow::Borrowed(text);
    }
    out.push_str(&text[copied..]);
    Cow::Owned(out)
}

/// True when `text` holds at least one full product key.
pub fn contains_product_key(text: &str) -> bool {
    matches!(mask_product_keys(text), Cow::Owned(_))
}

fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-'
}

/// A whole-token 5×5 key starts at `i` (the caller guarantees `i + KEY_LEN <= bytes.len()`).
fn is_key_at(bytes: &[u8], i: usize) -> bool {
    if i > 0 && is_token_byte(bytes[i - 1]) {
        return false;
    }
    if bytes.get(i + KEY_LEN).is_some_and(|&b| is_token_byte(b)) {
        return false;
    }
    bytes[i..i + KEY_LEN].iter().enumerate().all(|(k, &b)| {
        if k % 6 == 5 {
            b == b'-'
        } else {
            b.is_ascii_alphanumeric()
        }
    })
}

/// Masks product keys in raw bytes, in place, in the ASCII-compatible encodings (UTF-8, GBK)
/// and, when `utf16le`, also in UTF-16LE text (each key character followed by a zero byte).
/// The mask has the key's length, so a stream can be masked chunk by chunk without
/// re-encoding. Returns the number of keys masked.
pub fn mask_product_keys_in_bytes(buf: &mut [u8], utf16le: bool) -> usize {
    let mut count = 0;
    for stride in if utf16le { &[1usize, 2][..] } else { &[1][..] } {
        let stride = *stride;
        let span = KEY_LEN * stride;
        let mut i = 0;
        while i + span <= buf.len() {
            if is_key_at_stride(buf, i, stride) {
                for k in 0..LAST_GROUP {
                    if k % 6 != 5 {
                        buf[i + k * stride] = b'*';
                    }
                }
                count += 1;
                i += span;
            } else {
                i += stride;
            }
        }
    }
    count
}

/// Like [`is_key_at`], on every `stride`-th byte; with stride 2 the bytes between must be 0.
fn is_key_at_stride(buf: &[u8], i: usize, stride: usize) -> bool {
    let at = |k: usize| -> Option<u8> {
        let pos = i.checked_add_signed(k as isize * stride as isize)?;
        let b = *buf.get(pos)?;
        if stride == 2 && buf.get(pos + 1) != Some(&0) {
            return None;
        }
        Some(b)
    };
    if i >= stride && buf.get(i - stride).is_some_and(|&b| is_token_byte(b)) && (stride == 1 || buf[i - 1] == 0) {
        return false;
    }
    if at(KEY_LEN).is_some_and(is_token_byte) {
        return false;
    }
    (0..KEY_LEN).all(|k| match at(k) {
        Some(b) if k % 6 == 5 => b == b'-',
        Some(b) => b.is_ascii_alphanumeric(),
        None => false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_keeps_only_its_last_group() {
        assert_eq!(
            mask_product_keys("VK7JG-NPHTM-C97JM-9MPGT-3V66T"),
            "*****-*****-*****-*****-3V66T"
        );
        assert_eq!(
            mask_product_keys("Installed product key N69G4-B89J2-4G8F4-WWYCC-J464C successfully."),
            "Installed product key *****-*****-*****-*****-J464C successfully."
        );
    }

    #[test]
    fn lower_case_and_several_keys_in_one_line() {
        assert_eq!(
            mask_product_keys("slmgr /ipk w269n-wfgwx-yvc9b-4j6c9-t83gx & /ipk NPPR9-FWDCX-D2C8J-H872K-2YT43"),
            "slmgr /ipk *****-*****-*****-*****-t83gx & /ipk *****-*****-*****-*****-2YT43"
        );
    }

    #[test]
    fn keys_next_to_punctuation_and_chinese_text() {
        assert_eq!(
            mask_product_keys("OA3xOriginalProductKey=NPPR9-FWDCX-D2C8J-H872K-2YT43\r"),
            "OA3xOriginalProductKey=*****-*****-*****-*****-2YT43\r"
        );
        assert_eq!(
            mask_product_keys("\"OA3xOriginalProductKey\":  \"NPPR9-FWDCX-D2C8J-H872K-2YT43\","),
            "\"OA3xOriginalProductKey\":  \"*****-*****-*****-*****-2YT43\","
        );
        assert_eq!(
            mask_product_keys("成功地安装了产品密钥 NPPR9-FWDCX-D2C8J-H872K-2YT43。"),
            "成功地安装了产品密钥 *****-*****-*****-*****-2YT43。"
        );
    }

    #[test]
    fn identifiers_that_are_not_keys_are_left_alone() {
        for text in [
            // Extended PID (slmgr /dlv, SoftwareLicensingProduct.ProductKeyID).
            "Extended PID: 03612-04661-000-000000-03-2052-19041.0000-1272023",
            // Product ID as Settings shows it (ProductKeyID2).
            "00330-80000-00000-AA121",
            // GUIDs (Activation ID, CMID).
            "Activation ID: 2de67392-b7a7-462a-b1ca-108dd189f588",
            "55c92734-d682-4d71-983e-d6ec3f16059f",
            // Six groups: a longer token, not a key.
            "ABCDE-ABCDE-ABCDE-ABCDE-ABCDE-ABCDE",
            "xABCDE-ABCDE-ABCDE-ABCDE-ABCDE",
            "ABCDE-ABCDE-ABCDE-ABCDE-ABCDEF",
            // Already masked.
            "*****-*****-*****-*****-3V66T",
            "XXXXX-XXXXX-XXXXX-XXXX",
            "",
        ] {
            assert!(
                matches!(mask_product_keys(text), Cow::Borrowed(t) if t == text),
                "{text} was changed"
            );
            assert!(!contains_product_key(text));
        }
    }

    #[test]
    fn placeholders_in_documentation_count_as_keys() {
        // Harmless, and a key-shaped value is never worth the risk of guessing.
        assert_eq!(
            mask_product_keys("slmgr /ipk XXXXX-XXXXX-XXXXX-XXXXX-XXXXX"),
            "slmgr /ipk *****-*****-*****-*****-XXXXX"
        );
        assert!(contains_product_key("a 12345-12345-12345-12345-12345 b"));
    }

    #[test]
    fn keys_in_raw_bytes_of_every_encoding() {
        let mut utf8 = "key: NPPR9-FWDCX-D2C8J-H872K-2YT43\n".as_bytes().to_vec();
        assert_eq!(mask_product_keys_in_bytes(&mut utf8, false), 1);
        assert_eq!(utf8, "key: *****-*****-*****-*****-2YT43\n".as_bytes());

        let utf16: Vec<u8> = "密钥 NPPR9-FWDCX-D2C8J-H872K-2YT43。"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        let mut masked = utf16.clone();
        assert_eq!(mask_product_keys_in_bytes(&mut masked, true), 1);
        let back = String::from_utf16(
            &masked
                .chunks(2)
                .map(|p| u16::from_le_bytes([p[0], p[1]]))
                .collect::<Vec<_>>(),
        )
        .unwrap();
        assert_eq!(back, "密钥 *****-*****-*****-*****-2YT43。");

        let (mut gbk, _, _) = encoding_rs::GBK.encode("产品密钥 NPPR9-FWDCX-D2C8J-H872K-2YT43 已安装");
        let mut gbk = gbk.to_mut().clone();
        assert_eq!(mask_product_keys_in_bytes(&mut gbk, false), 1);
        assert_eq!(
            encoding_rs::GBK.decode(&gbk).0,
            "产品密钥 *****-*****-*****-*****-2YT43 已安装"
        );

        let mut guid = b"2de67392-b7a7-462a-b1ca-108dd189f588 ABCDE-ABCDE-ABCDE-ABCDE-ABCDE-ABCDE".to_vec();
        assert_eq!(mask_product_keys_in_bytes(&mut guid, true), 0);
    }
}
