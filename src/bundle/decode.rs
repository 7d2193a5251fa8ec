//! Text decoding for bundle entries.
//!
//! Windows tools write text in several encodings (see windows-facts.md §0.1): wmic and
//! PowerShell 5.1 redirection write UTF-16LE (usually with a BOM), console tools write the OEM
//! code page (GBK on zh-CN), PowerShell `-Encoding UTF8` adds a BOM. We sniff rather than trust
//! the file name. Decoding never fails: broken bytes become U+FFFD and are counted, and line
//! breaks are preserved one-for-one so that line numbers refer to the original file.

use encoding_rs::{Encoding, GB18030, UTF_16BE, UTF_16LE, UTF_8};

/// A decoded text entry.
#[derive(Debug, Clone)]
pub struct DecodedText {
    pub text: String,
    /// Name of the encoding that was used (`UTF-8`, `UTF-16LE`, `gb18030`, ...).
    pub encoding: &'static str,
    /// True when some bytes could not be decoded and were replaced by U+FFFD.
    pub had_errors: bool,
    /// The number of the text's first line in the file it came from: 1, or more for one
    /// output of a paste holding several (`bundle::paste`), so evidence names the file's lines.
    pub first_line: usize,
}

impl DecodedText {
    /// Lines with their 1-based line numbers, without the line terminator (`\n`, `\r\n`, and
    /// the `\r\r\n` that wmic writes).
    pub fn numbered_lines(&self) -> impl Iterator<Item = (usize, &str)> {
        split_lines(&self.text)
            .enumerate()
            .map(|(i, l)| (i + self.first_line, l.trim_end_matches('\r')))
    }
}

/// `text.split('\n')`, with the line breaks found by the memchr crate (32 bytes at a time, where
/// the standard library's `split` looks at a word at a time): reading the lines of large logs
/// was a visible part of a batch.
pub fn split_lines(text: &str) -> impl Iterator<Item = &str> + '_ {
    let mut breaks = memchr::memchr_iter(b'\n', text.as_bytes());
    let mut start = Some(0);
    std::iter::from_fn(move || {
        let from = start?;
        Some(match breaks.next() {
            Some(at) => {
                start = Some(at + 1);
                &text[from..at]
            }
            None => {
                start = None;
                &text[from..]
            }
        })
    })
}

/// Decodes bytes whose encoding is not declared.
///
/// Order: BOM; UTF-16 without BOM (many NUL bytes at odd or even positions); valid UTF-8;
/// GB18030 (a superset of GBK, the zh-CN console code page) when the bytes decode without
/// error; otherwise UTF-8 with replacement characters.
pub fn decode(bytes: &[u8]) -> DecodedText {
    if let Some((enc, bom_len)) = Encoding::for_bom(bytes) {
        return decode_with(enc, &bytes[bom_len..]);
    }
    if let Some(enc) = sniff_utf16(bytes) {
        return decode_with(enc, bytes);
    }
    if std::str::from_utf8(bytes).is_ok() {
        return decode_with(UTF_8, bytes);
    }
    let gbk = decode_with(GB18030, bytes);
    if !gbk.had_errors {
        return gbk;
    }
    decode_with(UTF_8, bytes)
}

/// [`decode`] of bytes the caller gives up: valid UTF-8 (most logs) becomes the text without a
/// copy, so a 100 MB log is not held twice while it is read.
pub fn decode_owned(bytes: Vec<u8>) -> DecodedText {
    let bytes = if Encoding::for_bom(&bytes).is_none() && sniff_utf16(&bytes).is_none() {
        match String::from_utf8(bytes) {
            Ok(text) => {
                return DecodedText {
                    text: without_terminal_colours(text),
                    encoding: UTF_8.name(),
                    had_errors: false,
                    first_line: 1,
                }
            }
            Err(e) => e.into_bytes(),
        }
    } else {
        bytes
    };
    decode(&bytes)
}

fn decode_with(enc: &'static Encoding, bytes: &[u8]) -> DecodedText {
    let (text, had_errors) = enc.decode_without_bom_handling(bytes);
    DecodedText {
        text: without_terminal_colours(text.into_owned()),
        encoding: enc.name(),
        had_errors,
        first_line: 1,
    }
}

/// ANSI/VT100 control sequences (`ESC [ 31 m`): colours and cursor moves that tools write
/// when they think they talk to a terminal. Removed so that messages match as printed; they
/// hold no line break, so line numbers stay the file's own.
static TERMINAL_SEQUENCE: std::sync::LazyLock<regex::Regex> =
    std::sync::LazyLock::new(|| regex::Regex::new("\x1b(?:\\[[0-?]*[ -/]*[@-~]|[@-Z\\\\-_])").expect("literal regex"));

fn without_terminal_colours(text: String) -> String {
    if memchr::memchr(0x1b, text.as_bytes()).is_none() {
        return text;
    }
    TERMINAL_SEQUENCE.replace_all(&text, "").into_owned()
}

/// UTF-16 without BOM: ASCII-heavy text has a NUL in every other byte. We look at a prefix
/// and require a clear majority so that binary data is not mistaken for text.
fn sniff_utf16(bytes: &[u8]) -> Option<&'static Encoding> {
    let sample = &bytes[..bytes.len().min(4096) & !1];
    if sample.len() < 4 {
        return None;
    }
    let pairs = sample.len() / 2;
    let odd_nuls = sample.chunks_exact(2).filter(|p| p[1] == 0 && p[0] != 0).count();
    let even_nuls = sample.chunks_exact(2).filter(|p| p[0] == 0 && p[1] != 0).count();
    if odd_nuls * 10 >= pairs * 6 {
        Some(UTF_16LE)
    } else if even_nuls * 10 >= pairs * 6 {
        Some(UTF_16BE)
    } else {
        None
    }
}

/// The encoding of a file, judged from its first bytes (`UTF-8`, `UTF-16LE`, `gb18030`, ...),
/// or `binary`. A prefix may end inside a character; that does not count against UTF-8.
pub fn detect_encoding(prefix: &[u8]) -> &'static str {
    if prefix.is_empty() {
        return "empty";
    }
    if let Some((enc, _)) = Encoding::for_bom(prefix) {
        return enc.name();
    }
    if let Some(enc) = sniff_utf16(prefix) {
        return enc.name();
    }
    if !looks_textual(prefix) {
        return "binary";
    }
    match std::str::from_utf8(prefix) {
        Ok(_) => return UTF_8.name(),
        Err(e) if e.error_len().is_none() => return UTF_8.name(),
        Err(_) => {}
    }
    let cut = &prefix[..prefix.len().saturating_sub(1)];
    if !GB18030.decode_without_bom_handling(prefix).1 || !GB18030.decode_without_bom_handling(cut).1 {
        return GB18030.name();
    }
    "unknown"
}

/// True when the bytes look like text rather than binary data: few control bytes once the
/// encoding is taken into account.
pub fn looks_textual(bytes: &[u8]) -> bool {
    if Encoding::for_bom(bytes).is_some() || sniff_utf16(bytes).is_some() {
        return true;
    }
    let sample = &bytes[..bytes.len().min(8192)];
    let controls = sample
        .iter()
        // ESC starts the colour sequences of terminal output (`ESC[31m`): text, not binary.
        .filter(|&&b| b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | 0x0c | 0x1b))
        .count();
    controls * 100 <= sample.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_lines_is_split_on_line_breaks() {
        for text in [
            "",
            "\n",
            "a",
            "a\n",
            "\na",
            "a\nb",
            "a\r\n\r\nb\n\n",
            "日本\n語\n",
            &"x\n".repeat(100),
        ] {
            assert_eq!(
                split_lines(text).collect::<Vec<_>>(),
                text.split('\n').collect::<Vec<_>>(),
                "{text:?}"
            );
        }
    }

    #[test]
    fn decoding_owned_bytes_gives_what_decoding_borrowed_ones_does() {
        let gbk = encoding_rs::GBK.encode("激活失败，服务器错误").0.into_owned();
        let inputs: Vec<Vec<u8>> = vec![
            "plain UTF-8 激活\r\nline 2\n".into(),
            [&[0xEF, 0xBB, 0xBF][..], "with a BOM".as_bytes()].concat(),
            utf16le("UTF-16 with BOM\r\n", true),
            utf16le("UTF-16 without a BOM, ASCII heavy\r\n", false),
            gbk,
            vec![b'a', 0xFF, 0xFE, b'b', b'\n'],
            "\x1b[31mred\x1b[0m text\n".into(),
        ];
        for bytes in inputs {
            let (a, b) = (decode(&bytes), decode_owned(bytes.clone()));
            assert_eq!(
                (&a.text, a.encoding, a.had_errors, a.first_line),
                (&b.text, b.encoding, b.had_errors, b.first_line),
                "{bytes:?}"
            );
        }
    }

    fn utf16le(s: &str, bom: bool) -> Vec<u8> {
        let mut out = if bom { vec![0xFF, 0xFE] } else { vec![] };
        for u in s.encode_utf16() {
            out.extend_from_slice(&u.to_le_bytes());
        }
        out
    }

    #[test]
    fn utf16le_with_and_without_bom() {
        for bom in [true, false] {
            let d = decode(&utf16le("SerialNumber=\r\r\n主板\r\n", bom));
            assert_eq!(d.encoding, "UTF-16LE");
            assert!(d.text.contains("主板"));
            let lines: Vec<_> = d.numbered_lines().collect();
            assert_eq!(lines[0], (1, "SerialNumber="));
            assert_eq!(lines[1], (2, "主板"));
        }
    }

    #[test]
    fn gbk_is_recognised() {
        let (bytes, _, _) = GB18030.encode("在线激活失败， 服务器错误，请联系客服。");
        let d = decode(&bytes);
        assert_eq!(d.encoding, "gb18030");
        assert_eq!(d.text, "在线激活失败， 服务器错误，请联系客服。");
    }

    #[test]
    fn terminal_colours_are_text_and_removed() {
        let bytes =
            b"\x1b[0;32m2024-05-14 09:31:02\x1b[0m [INFO] ok\n\x1b[1;31mERROR\x1b[0m hr=0x80070070\n".repeat(50);
        assert!(looks_textual(&bytes));
        let d = decode(&bytes);
        assert!(!d.text.contains('\u{1b}'));
        assert_eq!(d.numbered_lines().nth(1), Some((2, "ERROR hr=0x80070070")));
    }

    #[test]
    fn broken_bytes_never_panic() {
        let d = decode(&[0xFF, 0xFE, 0x41]); // odd-length UTF-16
        assert!(d.had_errors);
        let d = decode(&[0x80, 0x80, 0xFF, b'\n', b'a']);
        assert_eq!(d.numbered_lines().count(), 2);
    }
}
