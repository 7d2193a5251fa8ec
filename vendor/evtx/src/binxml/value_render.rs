//! Shared value-to-text rendering for BinXML values.
//!
//! The JSON and XML IR renderers both need to serialize `BinXmlValue` payloads
//! into their textual representation (numbers, GUIDs, timestamps, hex bytes,
//! comma-delimited arrays, etc.). This module centralizes that logic so both
//! renderers stay in sync and avoid allocating intermediate `String`s.

use crate::binxml::value_variant::{BinXmlValue, SidRef, value_ty};
use crate::err::{EvtxError, Result};
use crate::utils::Utf16LeSlice;
use crate::utils::bytes::le;
use crate::utils::windows::{DateTimeFields, FileTime, SysTime};
use sonic_rs::format::{CompactFormatter, Formatter};
use sonic_rs::writer::WriteExt;
use zmij::Buffer as ZmijBuffer;

#[derive(Debug, Clone, Copy)]
pub(crate) enum StringEscapeMode {
    /// Escape string content for embedding inside a JSON string literal
    /// (no surrounding quotes).
    Json,
    /// Escape string content for embedding in XML text/attribute contexts.
    Xml { in_attribute: bool },
}

/// Stateful BinXmlValue formatter (owns reusable scratch buffers).
pub(crate) struct ValueRenderer {
    float_buf: ZmijBuffer,
    formatter: CompactFormatter,
}

impl Default for ValueRenderer {
    fn default() -> Self {
        ValueRenderer {
            float_buf: ZmijBuffer::new(),
            formatter: CompactFormatter,
        }
    }
}

macro_rules! write_int {
    ($self:ident, $writer:ident, $m:ident, $v:expr) => {
        $self.formatter.$m($writer, $v).map_err(EvtxError::from)
    };
}

impl ValueRenderer {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    pub(crate) fn write_json_value_text<W: WriteExt>(
        &mut self,
        writer: &mut W,
        value: &BinXmlValue<'_>,
    ) -> Result<()> {
        self.write_value_text(writer, value, StringEscapeMode::Json)
    }

    pub(crate) fn write_xml_value_text<W: WriteExt>(
        &mut self,
        writer: &mut W,
        value: &BinXmlValue<'_>,
        in_attribute: bool,
    ) -> Result<()> {
        self.write_value_text(writer, value, StringEscapeMode::Xml { in_attribute })
    }

    pub(crate) fn write_value_text<W: WriteExt>(
        &mut self,
        writer: &mut W,
        value: &BinXmlValue<'_>,
        string_mode: StringEscapeMode,
    ) -> Result<()> {
        match value {
            BinXmlValue::NullType => Ok(()),
            BinXmlValue::StringType(s) => self.write_utf16_escaped(writer, *s, string_mode),
            BinXmlValue::AnsiStringType(s) => self.write_str_escaped(writer, s, string_mode),
            BinXmlValue::Int8Type(v) => write_int!(self, writer, write_i8, *v),
            BinXmlValue::UInt8Type(v) => write_int!(self, writer, write_u8, *v),
            BinXmlValue::Int16Type(v) => write_int!(self, writer, write_i16, *v),
            BinXmlValue::UInt16Type(v) => write_int!(self, writer, write_u16, *v),
            BinXmlValue::Int32Type(v) => write_int!(self, writer, write_i32, *v),
            BinXmlValue::UInt32Type(v) => write_int!(self, writer, write_u32, *v),
            BinXmlValue::Int64Type(v) => write_int!(self, writer, write_i64, *v),
            BinXmlValue::UInt64Type(v) => write_int!(self, writer, write_u64, *v),
            BinXmlValue::Real32Type(v) => self.write_float(writer, *v),
            BinXmlValue::Real64Type(v) => self.write_float(writer, *v),
            BinXmlValue::BoolType(v) => {
                self.write_bytes(writer, if *v { b"true" } else { b"false" })
            }
            BinXmlValue::BinaryType(bytes) => self.write_hex_bytes_upper(writer, bytes),
            BinXmlValue::GuidType(guid) => self.write_guid(writer, guid),
            BinXmlValue::SizeTType(v) => write_int!(self, writer, write_u64, *v as u64),
            BinXmlValue::FileTimeType(ft) => self.write_datetime(writer, ft.fields()),
            BinXmlValue::SysTimeType(st) => self.write_datetime(writer, st.fields()),
            BinXmlValue::SidType(sid) => self.write_sid(writer, sid),
            BinXmlValue::HexInt32Type(v) => {
                self.write_hex_prefixed_u64_lower(writer, u64::from(*v))
            }
            BinXmlValue::HexInt64Type(v) => self.write_hex_prefixed_u64_lower(writer, *v),
            BinXmlValue::StringArrayType(items) => self.write_list(writer, items, |s, w, item| {
                s.write_utf16_escaped(w, *item, string_mode)
            }),
            BinXmlValue::AnsiStringArrayType(items) => {
                self.write_list(writer, items, |s, w, item| {
                    s.write_str_escaped(w, item, string_mode)
                })
            }
            BinXmlValue::Int8ArrayType(items) => {
                self.write_list(writer, items, |s, w, v| write_int!(s, w, write_i8, *v))
            }
            BinXmlValue::UInt8ArrayType(items) => {
                self.write_list(writer, items, |s, w, v| write_int!(s, w, write_u8, *v))
            }
            BinXmlValue::Int16ArrayType(items) => {
                self.write_list(writer, items, |s, w, v| write_int!(s, w, write_i16, *v))
            }
            BinXmlValue::UInt16ArrayType(items) => {
                self.write_list(writer, items, |s, w, v| write_int!(s, w, write_u16, *v))
            }
            BinXmlValue::Int32ArrayType(items) => {
                self.write_list(writer, items, |s, w, v| write_int!(s, w, write_i32, *v))
            }
            BinXmlValue::UInt32ArrayType(items) => {
                self.write_list(writer, items, |s, w, v| write_int!(s, w, write_u32, *v))
            }
            BinXmlValue::Int64ArrayType(items) => {
                self.write_list(writer, items, |s, w, v| write_int!(s, w, write_i64, *v))
            }
            BinXmlValue::UInt64ArrayType(items) => {
                self.write_list(writer, items, |s, w, v| write_int!(s, w, write_u64, *v))
            }
            BinXmlValue::Real32ArrayType(items) => {
                self.write_list(writer, items, |s, w, v| s.write_float(w, *v))
            }
            BinXmlValue::Real64ArrayType(items) => {
                self.write_list(writer, items, |s, w, v| s.write_float(w, *v))
            }
            BinXmlValue::BoolArrayType(items) => self.write_list(writer, items, |s, w, v| {
                s.write_bytes(w, if *v { b"true" } else { b"false" })
            }),
            BinXmlValue::GuidArrayType(items) => {
                self.write_list(writer, items, |s, w, v| s.write_guid(w, v))
            }
            BinXmlValue::FileTimeArrayType(items) => {
                self.write_list(writer, items, |s, w, v| s.write_datetime(w, v.fields()))
            }
            BinXmlValue::SysTimeArrayType(items) => {
                self.write_list(writer, items, |s, w, v| s.write_datetime(w, v.fields()))
            }
            BinXmlValue::SidArrayType(items) => {
                self.write_list(writer, items, |s, w, v| s.write_sid(w, v))
            }
            BinXmlValue::HexInt32ArrayType(items) => self.write_list(writer, items, |s, w, v| {
                s.write_hex_prefixed_u64_lower(w, u64::from(*v))
            }),
            BinXmlValue::HexInt64ArrayType(items) => self.write_list(writer, items, |s, w, v| {
                s.write_hex_prefixed_u64_lower(w, *v)
            }),
            BinXmlValue::EvtHandle | BinXmlValue::BinXmlType(_) | BinXmlValue::EvtXml => Err(
                EvtxError::FailedToCreateRecordModel("unsupported BinXML value in renderer"),
            ),
            other => Err(EvtxError::Unimplemented {
                name: format!("value formatting for {:?}", other),
            }),
        }
    }

    /// Write a substitution value's text directly from its raw chunk bytes
    /// (compiled-template path). Mirrors `deserialize_value_type_cursor_in` +
    /// `write_value_text` for the scalar types the compiled pre-flight admits;
    /// the pre-flight guarantees sizes match (so the `expect`s are unreachable).
    ///
    /// `bytes` is exactly the descriptor-sized value window. `decoded_ansi` is
    /// the pre-decoded ANSI payload for `value_ty::ANSI_STRING` (pre-flight).
    pub(crate) fn write_raw_value_text<W: WriteExt>(
        &mut self,
        writer: &mut W,
        ty: u8,
        bytes: &[u8],
        decoded_ansi: Option<&str>,
        mode: StringEscapeMode,
    ) -> Result<()> {
        match ty {
            value_ty::NULL => Ok(()),
            // StringType: truncate at the first NUL unit (mirrors `utf16_by_char_count`).
            value_ty::UTF16_STRING => {
                self.write_utf16_escaped(writer, Utf16LeSlice::until_nul(bytes), mode)
            }
            value_ty::ANSI_STRING => {
                self.write_str_escaped(writer, decoded_ansi.unwrap_or(""), mode)
            }
            value_ty::INT8 => write_int!(self, writer, write_i8, bytes[0] as i8),
            value_ty::UINT8 => write_int!(self, writer, write_u8, bytes[0]),
            value_ty::INT16 => write_int!(self, writer, write_i16, i16::from_le_bytes(le(bytes))),
            value_ty::UINT16 => write_int!(self, writer, write_u16, u16::from_le_bytes(le(bytes))),
            value_ty::INT32 => write_int!(self, writer, write_i32, i32::from_le_bytes(le(bytes))),
            value_ty::UINT32 => write_int!(self, writer, write_u32, u32::from_le_bytes(le(bytes))),
            value_ty::INT64 => write_int!(self, writer, write_i64, i64::from_le_bytes(le(bytes))),
            value_ty::UINT64 => write_int!(self, writer, write_u64, u64::from_le_bytes(le(bytes))),
            value_ty::REAL32 => self.write_float(writer, f32::from_le_bytes(le(bytes))),
            value_ty::REAL64 => self.write_float(writer, f64::from_le_bytes(le(bytes))),
            value_ty::BOOL => {
                // Mirrors the decoder: non-0/1 values are kept as integers.
                match i32::from_le_bytes(le(bytes)) {
                    0 => self.write_bytes(writer, b"false"),
                    1 => self.write_bytes(writer, b"true"),
                    raw => write_int!(self, writer, write_i32, raw),
                }
            }
            value_ty::BINARY => self.write_hex_bytes_upper(writer, bytes),
            value_ty::GUID => self.write_guid(writer, bytes.try_into().expect("guid size")),
            // SizeT renders as HexInt of its width.
            value_ty::SIZE_T if bytes.len() == 4 => {
                self.write_hex_prefixed_u64_lower(writer, u64::from(u32::from_le_bytes(le(bytes))))
            }
            value_ty::SIZE_T => {
                self.write_hex_prefixed_u64_lower(writer, u64::from_le_bytes(le(bytes)))
            }
            value_ty::FILETIME => {
                self.write_datetime(writer, FileTime(u64::from_le_bytes(le(bytes))).fields())
            }
            value_ty::SYSTIME => {
                self.write_datetime(writer, SysTime::from_bytes(&le(bytes)).fields())
            }
            value_ty::SID => self.write_sid(writer, &SidRef::new(bytes)),
            value_ty::HEX_INT32 => {
                self.write_hex_prefixed_u64_lower(writer, u64::from(u32::from_le_bytes(le(bytes))))
            }
            value_ty::HEX_INT64 => {
                self.write_hex_prefixed_u64_lower(writer, u64::from_le_bytes(le(bytes)))
            }
            // Only reachable for empty payloads (non-empty BinXml classifies
            // as an element); mirrors the NullType conversion.
            value_ty::BIN_XML => Ok(()),
            _ => Err(EvtxError::FailedToCreateRecordModel(
                "unsupported raw value type in compiled renderer",
            )),
        }
    }

    pub(crate) fn write_u64<W: WriteExt>(&mut self, writer: &mut W, v: u64) -> Result<()> {
        write_int!(self, writer, write_u64, v)
    }

    fn write_bytes<W: WriteExt>(&mut self, writer: &mut W, bytes: &[u8]) -> Result<()> {
        writer.write_all(bytes).map_err(EvtxError::from)
    }

    fn write_byte<W: WriteExt>(&mut self, writer: &mut W, byte: u8) -> Result<()> {
        writer.write_all(&[byte]).map_err(EvtxError::from)
    }

    /// Write `items` comma-delimited, formatting each via `f`.
    fn write_list<W: WriteExt, T>(
        &mut self,
        writer: &mut W,
        items: &[T],
        mut f: impl FnMut(&mut Self, &mut W, &T) -> Result<()>,
    ) -> Result<()> {
        let mut first = true;
        for item in items {
            if !first {
                self.write_byte(writer, b',')?;
            }
            first = false;
            f(self, writer, item)?;
        }
        Ok(())
    }

    pub(crate) fn write_utf16_escaped<W: WriteExt>(
        &mut self,
        writer: &mut W,
        value: Utf16LeSlice<'_>,
        mode: StringEscapeMode,
    ) -> Result<()> {
        let bytes = value.as_bytes();
        let units = bytes.len() / 2;
        if units == 0 {
            return Ok(());
        }
        match mode {
            StringEscapeMode::Json => {
                utf16_simd::write_json_utf16le(writer, bytes, units, false).map_err(EvtxError::from)
            }
            StringEscapeMode::Xml { in_attribute } => {
                utf16_simd::write_xml_utf16le(writer, bytes, units, in_attribute)
                    .map_err(EvtxError::from)
            }
        }
    }

    pub(crate) fn write_str_escaped<W: WriteExt>(
        &mut self,
        writer: &mut W,
        value: &str,
        mode: StringEscapeMode,
    ) -> Result<()> {
        match mode {
            StringEscapeMode::Json => self
                .formatter
                .write_string_fast(writer, value, false)
                .map_err(EvtxError::from),
            StringEscapeMode::Xml { in_attribute } => {
                self.write_xml_escaped_str(writer, value, in_attribute)
            }
        }
    }

    fn write_xml_escaped_str<W: WriteExt>(
        &mut self,
        writer: &mut W,
        text: &str,
        in_attribute: bool,
    ) -> Result<()> {
        // The escaped characters are ASCII, so they are never part of a longer UTF-8 sequence.
        let bytes = text.as_bytes();
        // Characters XML doesn't allow, which Windows writes as `_`: C0 controls other than tab,
        // LF and CR, and U+FFFE and U+FFFF (`EF BF BE`, `EF BF BF`). Rare, so checked first.
        if bytes.iter().any(|&b| b < 0x20 || b == 0xEF) {
            let special = (0..bytes.len()).filter(|&i| match bytes[i] {
                b'&' | b'<' | b'>' => true,
                b'"' | b'\'' => in_attribute,
                b'\t' | b'\n' | b'\r' => false,
                0x00..=0x1F => true,
                0xEF => matches!(bytes.get(i + 1..i + 3), Some([0xBF, 0xBE | 0xBF])),
                _ => false,
            });
            return self.write_xml_escaped_at(writer, bytes, special);
        }
        if in_attribute {
            let special = bytes
                .iter()
                .enumerate()
                .filter(|(_, byte)| matches!(byte, b'&' | b'<' | b'>' | b'"' | b'\''));
            self.write_xml_escaped_at(writer, bytes, special.map(|(i, _)| i))
        } else {
            // `memchr` finds these a lot faster than a loop over the bytes does.
            let special = memchr::memchr3_iter(b'&', b'<', b'>', bytes);
            self.write_xml_escaped_at(writer, bytes, special)
        }
    }

    /// Writes `bytes`, escaping the characters at `special`.
    fn write_xml_escaped_at<W: WriteExt>(
        &mut self,
        writer: &mut W,
        bytes: &[u8],
        special: impl Iterator<Item = usize>,
    ) -> Result<()> {
        let mut run = 0;
        for i in special {
            let (escaped, len): (&[u8], usize) = match bytes[i] {
                b'&' => (b"&amp;", 1),
                b'<' => (b"&lt;", 1),
                b'>' => (b"&gt;", 1),
                b'"' => (b"&quot;", 1),
                b'\'' => (b"&apos;", 1),
                0xEF => (b"_", 3), // U+FFFE or U+FFFF
                _ => (b"_", 1),    // a C0 control
            };
            self.write_bytes(writer, &bytes[run..i])?;
            self.write_bytes(writer, escaped)?;
            run = i + len;
        }
        self.write_bytes(writer, &bytes[run..])
    }

    fn write_hex_bytes_upper<W: WriteExt>(&mut self, writer: &mut W, bytes: &[u8]) -> Result<()> {
        let mut buf = [0_u8; 128];
        for chunk in bytes.chunks(buf.len() / 2) {
            let mut n = 0;
            for &b in chunk {
                buf[n] = to_hex_digit(b >> 4);
                buf[n + 1] = to_hex_digit(b & 0x0f);
                n += 2;
            }
            writer.write_all(&buf[..n]).map_err(EvtxError::from)?;
        }
        Ok(())
    }

    /// Write a GUID as Windows renders it: lowercase hex in braces,
    /// `{d1-d2-d3-d4[0..2]-d4[2..8]}`, with data1-3 little-endian.
    fn write_guid<W: WriteExt>(&mut self, writer: &mut W, bytes: &[u8; 16]) -> Result<()> {
        const ORDER: [usize; 16] = [3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15];
        let mut out = [b'-'; 38];
        out[0] = b'{';
        out[37] = b'}';
        let mut n = 1;
        for (i, &idx) in ORDER.iter().enumerate() {
            if matches!(i, 4 | 6 | 8 | 10) {
                n += 1;
            }
            out[n] = to_hex_digit_lower(bytes[idx] >> 4);
            out[n + 1] = to_hex_digit_lower(bytes[idx] & 0x0f);
            n += 2;
        }
        writer.write_all(&out).map_err(EvtxError::from)
    }

    /// Write a SID in `S-R-A-S1-..-Sn` form, matching `SidRef`'s `Display`.
    ///
    /// Wire layout: revision, sub-authority count, 48-bit big-endian
    /// `IdentifierAuthority`, then 4-byte little-endian sub-authorities.
    pub(crate) fn write_sid<W: WriteExt>(
        &mut self,
        writer: &mut W,
        sid: &SidRef<'_>,
    ) -> Result<()> {
        let &[revision, sub_count, a0, a1, a2, a3, a4, a5, ref subs @ ..] = sid.as_bytes() else {
            return self.write_bytes(writer, b"S-?");
        };
        let authority = u64::from_be_bytes([0, 0, a0, a1, a2, a3, a4, a5]);
        self.write_bytes(writer, b"S-")?;
        write_int!(self, writer, write_u8, revision)?;
        self.write_byte(writer, b'-')?;
        write_int!(self, writer, write_u64, authority)?;
        for chunk in subs.chunks_exact(4).take(sub_count as usize) {
            self.write_byte(writer, b'-')?;
            let sub = u32::from_le_bytes(chunk.try_into().expect("4-byte chunk"));
            write_int!(self, writer, write_u32, sub)?;
        }
        Ok(())
    }

    fn write_hex_prefixed_u64_lower<W: WriteExt>(
        &mut self,
        writer: &mut W,
        value: u64,
    ) -> Result<()> {
        self.write_bytes(writer, b"0x")?;
        self.write_hex_u64_lower(writer, value)
    }

    fn write_hex_u64_lower<W: WriteExt>(&mut self, writer: &mut W, mut value: u64) -> Result<()> {
        let mut buf = [0_u8; 16];
        let mut len = 0usize;
        if value == 0 {
            buf[0] = b'0';
            len = 1;
        } else {
            while value != 0 {
                let nib = (value & 0x0f) as u8;
                buf[len] = to_hex_digit_lower(nib);
                len += 1;
                value >>= 4;
            }
            buf[..len].reverse();
        }
        writer.write_all(&buf[..len]).map_err(EvtxError::from)
    }

    fn write_float<W: WriteExt, F: zmij::Float>(&mut self, writer: &mut W, value: F) -> Result<()> {
        let s = self.float_buf.format(value);
        writer.write_all(s.as_bytes()).map_err(EvtxError::from)
    }

    /// Seven fractional digits, the 100 ns that a FILETIME counts, as Windows renders them.
    fn write_datetime<W: WriteExt>(&mut self, writer: &mut W, dt: DateTimeFields) -> Result<()> {
        let mut buf = *b"0000-00-00T00:00:00.0000000Z";
        pack_digits(&mut buf[0..4], u32::from(dt.year));
        pack_digits(&mut buf[5..7], u32::from(dt.month));
        pack_digits(&mut buf[8..10], u32::from(dt.day));
        pack_digits(&mut buf[11..13], u32::from(dt.hour));
        pack_digits(&mut buf[14..16], u32::from(dt.minute));
        pack_digits(&mut buf[17..19], u32::from(dt.second));
        pack_digits(&mut buf[20..27], dt.ticks);
        writer.write_all(&buf).map_err(EvtxError::from)
    }
}

/// Fill `out` with the zero-padded decimal digits of `value` (lowest digit last).
fn pack_digits(out: &mut [u8], mut value: u32) {
    for b in out.iter_mut().rev() {
        *b = b'0' + (value % 10) as u8;
        value /= 10;
    }
}

fn to_hex_digit(value: u8) -> u8 {
    match value {
        0..=9 => b'0' + value,
        _ => b'A' + (value - 10),
    }
}

fn to_hex_digit_lower(value: u8) -> u8 {
    match value {
        0..=9 => b'0' + value,
        _ => b'a' + (value - 10),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_escapes_utf8_text() {
        let escape = |text: &str, in_attribute: bool| {
            let mut out = Vec::new();
            ValueRenderer::new()
                .write_str_escaped(&mut out, text, StringEscapeMode::Xml { in_attribute })
                .unwrap();
            String::from_utf8(out).unwrap()
        };
        let text = "<a & \"b\"> 'c' ünï 日本 😀";
        assert_eq!(escape(text, false), "&lt;a &amp; \"b\"&gt; 'c' ünï 日本 😀");
        assert_eq!(
            escape(text, true),
            "&lt;a &amp; &quot;b&quot;&gt; &apos;c&apos; ünï 日本 😀"
        );
        assert_eq!(escape("plain", false), "plain");
        assert_eq!(escape("", true), "");
        // Characters XML doesn't allow become `_`, as Windows writes them.
        assert_eq!(escape("A\u{1}\u{1f}B\t\n\r", false), "A__B\t\n\r");
        assert_eq!(
            escape("x\u{fffe}\u{ffff}y \u{fffd}\u{ff01}\u{efbf} <'\0", true),
            "x__y \u{fffd}\u{ff01}\u{efbf} &lt;&apos;_"
        );
    }
}
