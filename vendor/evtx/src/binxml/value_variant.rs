use crate::AnsiCodec;
use crate::err::{DeserializationError, DeserializationResult as Result};
use crate::utils::invalid_data;
pub use crate::utils::windows::{FileTime, SysTime};
use crate::utils::{ByteCursor, Utf16LeSlice};

use bumpalo::Bump;
use log::trace;
use std::borrow::Cow;
use std::fmt::{self, Display};

/// Decode ANSI bytes. A leading BOM stays data, and invalid sequences error
/// instead of becoming U+FFFD.
fn decode_ansi_strict<'a>(ansi_codec: AnsiCodec, bytes: &'a [u8]) -> Result<Cow<'a, str>> {
    ansi_codec
        .decode_without_bom_handling_and_without_replacement(bytes)
        .ok_or_else(|| DeserializationError::AnsiDecodeError {
            encoding_used: ansi_codec.name(),
            inner_message: "invalid sequence".to_owned(),
        })
}

/// [`decode_ansi_strict`] with embedded NULs dropped (historical behavior).
/// Copies into `arena` only when there is a NUL to drop.
pub(crate) fn decode_ansi_value<'a>(
    ansi_codec: AnsiCodec,
    bytes: &'a [u8],
    arena: &'a Bump,
) -> Result<Cow<'a, str>> {
    let bytes = if bytes.contains(&0) {
        let mut filtered = bumpalo::collections::Vec::with_capacity_in(bytes.len(), arena);
        filtered.extend(bytes.iter().copied().filter(|&b| b != 0));
        filtered.into_bump_slice()
    } else {
        bytes
    };
    decode_ansi_strict(ansi_codec, bytes)
}

/// Borrowed SID bytes (used to avoid heap allocation in the hot path).
#[derive(Debug, Copy, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SidRef<'a> {
    bytes: &'a [u8],
}

impl<'a> SidRef<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Self { bytes }
    }

    pub fn as_bytes(&self) -> &'a [u8] {
        self.bytes
    }
}

impl fmt::Display for SidRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // "S-R-AUTH" plus "-N" (at most 11 bytes) per 4-byte sub-authority.
        let mut buf = Vec::with_capacity(32 + 11 * (self.bytes.len().saturating_sub(8) / 4));
        crate::binxml::value_render::ValueRenderer::default()
            .write_sid(&mut buf, self)
            .map_err(|_| fmt::Error)?;
        f.write_str(std::str::from_utf8(&buf).map_err(|_| fmt::Error)?)
    }
}

#[derive(Debug, PartialOrd, PartialEq, Clone)]
pub enum BinXmlValue<'a> {
    NullType,
    /// UTF-16LE string slice (BinXML `StringType`).
    StringType(Utf16LeSlice<'a>),
    /// ANSI string decoded to UTF-8, stored as a borrowed slice (typically bump-allocated).
    AnsiStringType(&'a str),
    Int8Type(i8),
    UInt8Type(u8),
    Int16Type(i16),
    UInt16Type(u16),
    Int32Type(i32),
    UInt32Type(u32),
    Int64Type(i64),
    UInt64Type(u64),
    Real32Type(f32),
    Real64Type(f64),
    BoolType(bool),
    BinaryType(&'a [u8]),
    GuidType([u8; 16]),
    SizeTType(usize),
    FileTimeType(FileTime),
    SysTimeType(SysTime),
    SidType(SidRef<'a>),
    HexInt32Type(u32),
    HexInt64Type(u64),
    EvtHandle,
    /// Raw BinXML fragment bytes (no length prefix).
    ///
    /// This is stored as a slice into the chunk data and parsed on demand by higher-level code.
    BinXmlType(&'a [u8]),
    EvtXml,
    /// Array of UTF-16LE strings (null-terminated items).
    StringArrayType(&'a [Utf16LeSlice<'a>]),
    AnsiStringArrayType(&'a [&'a str]),
    Int8ArrayType(&'a [i8]),
    UInt8ArrayType(&'a [u8]),
    Int16ArrayType(&'a [i16]),
    UInt16ArrayType(&'a [u16]),
    Int32ArrayType(&'a [i32]),
    UInt32ArrayType(&'a [u32]),
    Int64ArrayType(&'a [i64]),
    UInt64ArrayType(&'a [u64]),
    Real32ArrayType(&'a [f32]),
    Real64ArrayType(&'a [f64]),
    BoolArrayType(&'a [bool]),
    BinaryArrayType,
    GuidArrayType(&'a [[u8; 16]]),
    SizeTArrayType,
    FileTimeArrayType(&'a [FileTime]),
    SysTimeArrayType(&'a [SysTime]),
    SidArrayType(&'a [SidRef<'a>]),
    HexInt32ArrayType(&'a [u32]),
    HexInt64ArrayType(&'a [u64]),
    EvtArrayHandle,
    BinXmlArrayType,
    EvtXmlArrayType,
}

#[derive(Debug, PartialOrd, PartialEq, Eq, Clone, Copy)]
pub enum BinXmlValueType {
    NullType,
    StringType,
    AnsiStringType,
    Int8Type,
    UInt8Type,
    Int16Type,
    UInt16Type,
    Int32Type,
    UInt32Type,
    Int64Type,
    UInt64Type,
    Real32Type,
    Real64Type,
    BoolType,
    BinaryType,
    GuidType,
    SizeTType,
    FileTimeType,
    SysTimeType,
    SidType,
    HexInt32Type,
    HexInt64Type,
    EvtHandle,
    BinXmlType,
    EvtXmlType,
    StringArrayType,
    AnsiStringArrayType,
    Int8ArrayType,
    UInt8ArrayType,
    Int16ArrayType,
    UInt16ArrayType,
    Int32ArrayType,
    UInt32ArrayType,
    Int64ArrayType,
    UInt64ArrayType,
    Real32ArrayType,
    Real64ArrayType,
    BoolArrayType,
    BinaryArrayType,
    GuidArrayType,
    SizeTArrayType,
    FileTimeArrayType,
    SysTimeArrayType,
    SidArrayType,
    HexInt32ArrayType,
    HexInt64ArrayType,
    EvtHandleArray,
    BinXmlArrayType,
    EvtXmlArrayType,
}

/// Substitution value-type wire bytes (MS-EVEN6 §2.2.4.1) interpreted by the
/// fast path. Anything outside this vocabulary routes to the materialize lane.
pub(crate) mod value_ty {
    pub(crate) const NULL: u8 = 0x00;
    pub(crate) const UTF16_STRING: u8 = 0x01;
    pub(crate) const ANSI_STRING: u8 = 0x02;
    pub(crate) const INT8: u8 = 0x03;
    pub(crate) const UINT8: u8 = 0x04;
    pub(crate) const INT16: u8 = 0x05;
    pub(crate) const UINT16: u8 = 0x06;
    pub(crate) const INT32: u8 = 0x07;
    pub(crate) const UINT32: u8 = 0x08;
    pub(crate) const INT64: u8 = 0x09;
    pub(crate) const UINT64: u8 = 0x0a;
    pub(crate) const REAL32: u8 = 0x0b;
    pub(crate) const REAL64: u8 = 0x0c;
    pub(crate) const BOOL: u8 = 0x0d;
    pub(crate) const BINARY: u8 = 0x0e;
    pub(crate) const GUID: u8 = 0x0f;
    pub(crate) const SIZE_T: u8 = 0x10;
    pub(crate) const FILETIME: u8 = 0x11;
    pub(crate) const SYSTIME: u8 = 0x12;
    pub(crate) const SID: u8 = 0x13;
    pub(crate) const HEX_INT32: u8 = 0x14;
    pub(crate) const HEX_INT64: u8 = 0x15;
    pub(crate) const BIN_XML: u8 = 0x21;
    /// UTF-16 string array (`0x01 | 0x80`): NUL-terminated strings packed
    /// back to back. The only array type observed in real logs.
    pub(crate) const STR_ARRAY: u8 = 0x81;
}

impl BinXmlValueType {
    /// Lookup table for O(1) byte-to-type conversion without indirect branches.
    const LOOKUP: [Option<BinXmlValueType>; 256] = {
        use BinXmlValueType::*;
        let mut t: [Option<BinXmlValueType>; 256] = [None; 256];
        t[0x00] = Some(NullType);
        t[0x01] = Some(StringType);
        t[0x02] = Some(AnsiStringType);
        t[0x03] = Some(Int8Type);
        t[0x04] = Some(UInt8Type);
        t[0x05] = Some(Int16Type);
        t[0x06] = Some(UInt16Type);
        t[0x07] = Some(Int32Type);
        t[0x08] = Some(UInt32Type);
        t[0x09] = Some(Int64Type);
        t[0x0a] = Some(UInt64Type);
        t[0x0b] = Some(Real32Type);
        t[0x0c] = Some(Real64Type);
        t[0x0d] = Some(BoolType);
        t[0x0e] = Some(BinaryType);
        t[0x0f] = Some(GuidType);
        t[0x10] = Some(SizeTType);
        t[0x11] = Some(FileTimeType);
        t[0x12] = Some(SysTimeType);
        t[0x13] = Some(SidType);
        t[0x14] = Some(HexInt32Type);
        t[0x15] = Some(HexInt64Type);
        t[0x20] = Some(EvtHandle);
        t[0x21] = Some(BinXmlType);
        t[0x23] = Some(EvtXmlType);
        t[0x81] = Some(StringArrayType);
        t[0x82] = Some(AnsiStringArrayType);
        t[0x83] = Some(Int8ArrayType);
        t[0x84] = Some(UInt8ArrayType);
        t[0x85] = Some(Int16ArrayType);
        t[0x86] = Some(UInt16ArrayType);
        t[0x87] = Some(Int32ArrayType);
        t[0x88] = Some(UInt32ArrayType);
        t[0x89] = Some(Int64ArrayType);
        t[0x8a] = Some(UInt64ArrayType);
        t[0x8b] = Some(Real32ArrayType);
        t[0x8c] = Some(Real64ArrayType);
        t[0x8d] = Some(BoolArrayType);
        t[0x8e] = Some(BinaryArrayType);
        t[0x8f] = Some(GuidArrayType);
        t[0x90] = Some(SizeTArrayType);
        t[0x91] = Some(FileTimeArrayType);
        t[0x92] = Some(SysTimeArrayType);
        t[0x93] = Some(SidArrayType);
        t[0x94] = Some(HexInt32ArrayType);
        t[0x95] = Some(HexInt64ArrayType);
        t
    };

    #[inline]
    pub(crate) fn from_u8(byte: u8) -> Option<BinXmlValueType> {
        Self::LOOKUP[byte as usize]
    }

    /// Read a value type byte, rejecting unknown types.
    #[inline]
    pub(crate) fn from_cursor(cursor: &mut ByteCursor<'_>) -> Result<BinXmlValueType> {
        let value = cursor.u8()?;
        Self::from_u8(value).ok_or(DeserializationError::InvalidValueVariant {
            value,
            offset: cursor.position(),
        })
    }
}

impl<'a> BinXmlValue<'a> {
    pub(crate) fn from_binxml_cursor_in(
        cursor: &mut ByteCursor<'a>,
        size: Option<u16>,
        ansi_codec: AnsiCodec,
        arena: &'a Bump,
    ) -> Result<BinXmlValue<'a>> {
        let value_type = BinXmlValueType::from_cursor(cursor)?;
        Self::deserialize_value_type_cursor_in(&value_type, cursor, size, ansi_codec, arena)
    }

    #[inline(always)]
    pub(crate) fn deserialize_value_type_cursor_in(
        value_type: &BinXmlValueType,
        cursor: &mut ByteCursor<'a>,
        size: Option<u16>,
        ansi_codec: AnsiCodec,
        arena: &'a Bump,
    ) -> Result<BinXmlValue<'a>> {
        trace!(
            "Offset `0x{offset:08x} ({offset}): {value_type:?}, {size:?}",
            offset = cursor.position(),
            value_type = value_type,
            size = size
        );

        // Sized array of little-endian `$t`s.
        macro_rules! le_array {
            ($variant:ident, $sz:ident, $t:ty, $what:literal) => {
                BinXmlValue::$variant(
                    cursor.read_sized_slice_aligned_in::<{ size_of::<$t>() }, _>(
                        $sz,
                        $what,
                        arena,
                        |_off, b| Ok(<$t>::from_le_bytes(*b)),
                    )?,
                )
            };
        }

        let value = match (value_type, size) {
            (BinXmlValueType::NullType, _) => BinXmlValue::NullType,

            (BinXmlValueType::StringType, Some(sz)) => {
                let sz_bytes = usize::from(sz);
                let s = if sz_bytes == 0 {
                    None
                } else if !sz_bytes.is_multiple_of(2) {
                    return Err(invalid_data("sized utf-16 string", cursor.position()));
                } else {
                    cursor.utf16_by_char_count(sz_bytes / 2, "<string_value>")?
                };
                BinXmlValue::StringType(s.unwrap_or_else(Utf16LeSlice::empty))
            }
            (BinXmlValueType::StringType, None) => {
                let s = cursor.len_prefixed_utf16_string(false, "<string_value>")?;
                BinXmlValue::StringType(s.unwrap_or_else(Utf16LeSlice::empty))
            }

            (BinXmlValueType::AnsiStringType, Some(sz)) => {
                let raw = cursor.take_bytes(usize::from(sz), "<ansi_string_value>")?;
                // Borrowed text points into the chunk data or the arena.
                let text = match decode_ansi_value(ansi_codec, raw, arena)? {
                    Cow::Borrowed(text) => text,
                    Cow::Owned(text) => arena.alloc_str(&text),
                };
                BinXmlValue::AnsiStringType(text)
            }
            // AnsiString are always sized according to docs
            (BinXmlValueType::AnsiStringType, None) => {
                return Err(DeserializationError::UnimplementedValueVariant {
                    name: "AnsiString".to_owned(),
                    size: None,
                    offset: cursor.position(),
                });
            }

            (BinXmlValueType::Int8Type, _) => BinXmlValue::Int8Type(cursor.u8()? as i8),
            (BinXmlValueType::UInt8Type, _) => BinXmlValue::UInt8Type(cursor.u8()?),

            (BinXmlValueType::Int16Type, _) => {
                BinXmlValue::Int16Type(i16::from_le_bytes(cursor.array::<2>("i16")?))
            }
            (BinXmlValueType::UInt16Type, _) => BinXmlValue::UInt16Type(cursor.u16()?),

            (BinXmlValueType::Int32Type, _) => {
                BinXmlValue::Int32Type(i32::from_le_bytes(cursor.array::<4>("i32")?))
            }
            (BinXmlValueType::UInt32Type, _) => BinXmlValue::UInt32Type(cursor.u32()?),

            (BinXmlValueType::Int64Type, _) => {
                BinXmlValue::Int64Type(i64::from_le_bytes(cursor.array::<8>("i64")?))
            }
            (BinXmlValueType::UInt64Type, _) => BinXmlValue::UInt64Type(cursor.u64()?),

            (BinXmlValueType::Real32Type, _) => {
                BinXmlValue::Real32Type(f32::from_le_bytes(cursor.array::<4>("f32")?))
            }
            (BinXmlValueType::Real64Type, _) => {
                BinXmlValue::Real64Type(f64::from_le_bytes(cursor.array::<8>("f64")?))
            }

            // Windows writes bitmasks into some bool slots; keep any value
            // other than 0/1 as the integer it is instead of coercing to `true`.
            (BinXmlValueType::BoolType, _) => {
                match i32::from_le_bytes(cursor.array::<4>("bool")?) {
                    0 => BinXmlValue::BoolType(false),
                    1 => BinXmlValue::BoolType(true),
                    raw => BinXmlValue::Int32Type(raw),
                }
            }

            (BinXmlValueType::GuidType, _) => BinXmlValue::GuidType(cursor.array::<16>("guid")?),

            // Kept as stored: Windows renders values that are no valid time, and so does evtx.
            (BinXmlValueType::FileTimeType, _) => {
                BinXmlValue::FileTimeType(FileTime(cursor.u64()?))
            }
            (BinXmlValueType::SysTimeType, _) => {
                BinXmlValue::SysTimeType(SysTime::from_bytes(&cursor.array::<16>("systime")?))
            }
            (BinXmlValueType::SidType, _) => BinXmlValue::SidType(cursor.read_sid_ref()?),

            (BinXmlValueType::SizeTType, Some(4)) => {
                BinXmlValue::HexInt32Type(cursor.u32_named("sizet32")?)
            }
            (BinXmlValueType::SizeTType, Some(8)) => {
                BinXmlValue::HexInt64Type(cursor.u64_named("sizet64")?)
            }
            (BinXmlValueType::HexInt32Type, _) => {
                BinXmlValue::HexInt32Type(cursor.u32_named("hex32")?)
            }
            (BinXmlValueType::HexInt64Type, _) => {
                BinXmlValue::HexInt64Type(cursor.u64_named("hex64")?)
            }

            (BinXmlValueType::SizeTType, _) => {
                return Err(DeserializationError::UnimplementedValueVariant {
                    name: "SizeT".to_owned(),
                    size,
                    offset: cursor.position(),
                });
            }

            (BinXmlValueType::BinXmlType, size) => {
                let len = match size {
                    Some(sz) => usize::from(sz),
                    None => usize::from(cursor.u16_named("binxml_payload_len")?),
                };
                BinXmlValue::BinXmlType(cursor.take_bytes(len, "binxml_payload")?)
            }

            (BinXmlValueType::BinaryType, Some(sz)) => {
                let bytes = cursor.take_bytes(usize::from(sz), "binary")?;
                BinXmlValue::BinaryType(bytes)
            }

            // The array types are always sized.
            (BinXmlValueType::StringArrayType, Some(sz)) => {
                let size_usize = usize::from(sz);
                if size_usize == 0 {
                    return Ok(BinXmlValue::StringArrayType(&[]));
                }
                let start = cursor.pos();
                let end = start.saturating_add(size_usize);
                let mut out = bumpalo::collections::Vec::new_in(arena);
                while cursor.pos() < end {
                    let s = cursor.null_terminated_utf16_string("string_array")?;
                    out.push(s);
                }
                BinXmlValue::StringArrayType(out.into_bump_slice())
            }
            // NUL-terminated strings, one after the other, as Windows stores
            // `win:AnsiString` arrays. A last string without its NUL still counts.
            (BinXmlValueType::AnsiStringArrayType, Some(sz)) => {
                let raw = cursor.take_bytes(usize::from(sz), "ansi_string_array")?;
                let mut out = bumpalo::collections::Vec::new_in(arena);
                if !raw.is_empty() {
                    let raw = raw.strip_suffix(&[0]).unwrap_or(raw);
                    for item in raw.split(|&b| b == 0) {
                        let text = match decode_ansi_strict(ansi_codec, item)? {
                            Cow::Borrowed(text) => text,
                            Cow::Owned(text) => arena.alloc_str(&text),
                        };
                        out.push(text);
                    }
                }
                BinXmlValue::AnsiStringArrayType(out.into_bump_slice())
            }
            (BinXmlValueType::Int8ArrayType, Some(sz)) => {
                let bytes = cursor.take_bytes(usize::from(sz), "i8_array")?;
                let out = arena.alloc_slice_fill_iter(bytes.iter().map(|&b| b as i8));
                BinXmlValue::Int8ArrayType(out)
            }
            (BinXmlValueType::UInt8ArrayType, Some(sz)) => {
                let bytes = cursor.take_bytes(usize::from(sz), "u8_array")?;
                BinXmlValue::UInt8ArrayType(bytes)
            }
            (BinXmlValueType::Int16ArrayType, Some(sz)) => {
                le_array!(Int16ArrayType, sz, i16, "i16_array")
            }
            (BinXmlValueType::UInt16ArrayType, Some(sz)) => {
                le_array!(UInt16ArrayType, sz, u16, "u16_array")
            }
            (BinXmlValueType::Int32ArrayType, Some(sz)) => {
                le_array!(Int32ArrayType, sz, i32, "i32_array")
            }
            (BinXmlValueType::UInt32ArrayType, Some(sz)) => {
                le_array!(UInt32ArrayType, sz, u32, "u32_array")
            }
            (BinXmlValueType::Int64ArrayType, Some(sz)) => {
                le_array!(Int64ArrayType, sz, i64, "i64_array")
            }
            (BinXmlValueType::UInt64ArrayType, Some(sz)) => {
                le_array!(UInt64ArrayType, sz, u64, "u64_array")
            }
            (BinXmlValueType::Real32ArrayType, Some(sz)) => {
                le_array!(Real32ArrayType, sz, f32, "f32_array")
            }
            (BinXmlValueType::Real64ArrayType, Some(sz)) => {
                le_array!(Real64ArrayType, sz, f64, "f64_array")
            }
            (BinXmlValueType::BoolArrayType, Some(sz)) => {
                let raw = cursor.read_sized_slice_aligned_in::<4, _>(
                    sz,
                    "bool_array",
                    arena,
                    |_off, b| Ok(i32::from_le_bytes(*b)),
                )?;
                if raw.iter().all(|&v| v == 0 || v == 1) {
                    BinXmlValue::BoolArrayType(
                        arena.alloc_slice_fill_iter(raw.iter().map(|&v| v == 1)),
                    )
                } else {
                    BinXmlValue::Int32ArrayType(raw)
                }
            }
            (BinXmlValueType::GuidArrayType, Some(sz)) => {
                let out = cursor.read_sized_slice_aligned_in::<16, _>(
                    sz,
                    "guid_array",
                    arena,
                    |_off, b| Ok(*b),
                )?;
                BinXmlValue::GuidArrayType(out)
            }
            (BinXmlValueType::FileTimeArrayType, Some(sz)) => {
                let out = cursor.read_sized_slice_aligned_in::<8, _>(
                    sz,
                    "filetime_array",
                    arena,
                    |_off, b| Ok(FileTime(u64::from_le_bytes(*b))),
                )?;
                BinXmlValue::FileTimeArrayType(out)
            }
            (BinXmlValueType::SysTimeArrayType, Some(sz)) => {
                let out = cursor.read_sized_slice_aligned_in::<16, _>(
                    sz,
                    "systime_array",
                    arena,
                    |_off, b| Ok(SysTime::from_bytes(b)),
                )?;
                BinXmlValue::SysTimeArrayType(out)
            }
            (BinXmlValueType::SidArrayType, Some(sz)) => {
                let size_usize = usize::from(sz);
                if size_usize == 0 {
                    return Ok(BinXmlValue::SidArrayType(&[]));
                }
                let start_pos = cursor.pos();
                let mut out = bumpalo::collections::Vec::with_capacity_in(size_usize / 8, arena);
                while (cursor.pos() - start_pos) < size_usize {
                    out.push(cursor.read_sid_ref()?);
                }
                BinXmlValue::SidArrayType(out.into_bump_slice())
            }
            (BinXmlValueType::HexInt32ArrayType, Some(sz)) => {
                le_array!(HexInt32ArrayType, sz, u32, "hex32_array")
            }
            (BinXmlValueType::HexInt64ArrayType, Some(sz)) => {
                le_array!(HexInt64ArrayType, sz, u64, "hex64_array")
            }

            _ => {
                return Err(DeserializationError::UnimplementedValueVariant {
                    name: format!("{:?}", value_type),
                    size,
                    offset: cursor.position(),
                });
            }
        };

        Ok(value)
    }
}

#[cfg(test)]
mod error_tests {
    use super::*;

    #[test]
    fn display_never_fails() {
        for v in [
            BinXmlValue::EvtHandle,
            BinXmlValue::EvtXml,
            BinXmlValue::BinXmlType(&[1, 2]),
            BinXmlValue::BinaryArrayType,
            BinXmlValue::EvtXmlArrayType,
        ] {
            assert_eq!(v.to_string(), "");
        }
    }

    #[test]
    fn truncated_size_t_keeps_type_specific_errors() {
        let bump = Bump::new();
        for (size, what) in [(4, "sizet32"), (8, "sizet64")] {
            let mut cursor = ByteCursor::with_pos(&[], 0).unwrap();
            let err = BinXmlValue::deserialize_value_type_cursor_in(
                &BinXmlValueType::SizeTType,
                &mut cursor,
                Some(size),
                encoding_rs::WINDOWS_1252,
                &bump,
            )
            .unwrap_err();
            assert!(matches!(err, DeserializationError::Truncated {
                what: actual, offset: 0, need, have: 0,
            } if actual == what && need == usize::from(size)));
        }
    }

    #[test]
    fn ansi_string_arrays_split_at_nuls() {
        let bump = Bump::new();
        for (bytes, items) in [
            (&b"x\0\0y z\0"[..], &["x", "", "y z"][..]),
            (b"x\0", &["x"]),
            (b"", &[]),
            (b"a\0b", &["a", "b"]), // the last NUL is missing
            (b"\xe9t\xe9\0", &["\u{e9}t\u{e9}"]),
        ] {
            let mut cursor = ByteCursor::with_pos(bytes, 0).unwrap();
            let value = BinXmlValue::deserialize_value_type_cursor_in(
                &BinXmlValueType::AnsiStringArrayType,
                &mut cursor,
                Some(bytes.len() as u16),
                encoding_rs::WINDOWS_1252,
                &bump,
            )
            .unwrap();
            assert_eq!(value, BinXmlValue::AnsiStringArrayType(items), "{bytes:?}");
            assert_eq!(cursor.pos(), bytes.len());
        }
    }
}

impl<'a> BinXmlValue<'a> {
    /// Return `Some(len)` when this value is one of the array types we support for
    /// MS-EVEN6 §3.1.4.7.5 "array substitution" expansion.
    #[inline]
    pub(crate) fn expandable_array_len(&self) -> Option<usize> {
        match self {
            // Strings are stored as UTF-16LE slices in EVTX.
            BinXmlValue::StringArrayType(v) => Some(v.len()),
            BinXmlValue::AnsiStringArrayType(v) => Some(v.len()),

            // Numeric/bool GUID/time/SID arrays.
            BinXmlValue::Int8ArrayType(v) => Some(v.len()),
            BinXmlValue::UInt8ArrayType(v) => Some(v.len()),
            BinXmlValue::Int16ArrayType(v) => Some(v.len()),
            BinXmlValue::UInt16ArrayType(v) => Some(v.len()),
            BinXmlValue::Int32ArrayType(v) => Some(v.len()),
            BinXmlValue::UInt32ArrayType(v) => Some(v.len()),
            BinXmlValue::Int64ArrayType(v) => Some(v.len()),
            BinXmlValue::UInt64ArrayType(v) => Some(v.len()),
            BinXmlValue::Real32ArrayType(v) => Some(v.len()),
            BinXmlValue::Real64ArrayType(v) => Some(v.len()),
            BinXmlValue::BoolArrayType(v) => Some(v.len()),
            BinXmlValue::GuidArrayType(v) => Some(v.len()),
            BinXmlValue::FileTimeArrayType(v) => Some(v.len()),
            BinXmlValue::SysTimeArrayType(v) => Some(v.len()),
            BinXmlValue::SidArrayType(v) => Some(v.len()),
            BinXmlValue::HexInt32ArrayType(v) => Some(v.len()),
            BinXmlValue::HexInt64ArrayType(v) => Some(v.len()),

            // Not currently expanded:
            // - `BinaryArrayType`, `SizeTArrayType`, and the handle/binxml array-ish variants
            //   don't have a typed slice representation here.
            _ => None,
        }
    }

    /// For an expandable array value, return the scalar `BinXmlValue` for item `idx`.
    #[inline]
    pub(crate) fn array_item_as_value(&self, idx: usize) -> Option<BinXmlValue<'a>> {
        match self {
            BinXmlValue::StringArrayType(items) => {
                items.get(idx).copied().map(BinXmlValue::StringType)
            }
            BinXmlValue::AnsiStringArrayType(items) => {
                items.get(idx).copied().map(BinXmlValue::AnsiStringType)
            }
            BinXmlValue::Int8ArrayType(items) => items.get(idx).copied().map(BinXmlValue::Int8Type),
            BinXmlValue::UInt8ArrayType(items) => {
                items.get(idx).copied().map(BinXmlValue::UInt8Type)
            }
            BinXmlValue::Int16ArrayType(items) => {
                items.get(idx).copied().map(BinXmlValue::Int16Type)
            }
            BinXmlValue::UInt16ArrayType(items) => {
                items.get(idx).copied().map(BinXmlValue::UInt16Type)
            }
            BinXmlValue::Int32ArrayType(items) => {
                items.get(idx).copied().map(BinXmlValue::Int32Type)
            }
            BinXmlValue::UInt32ArrayType(items) => {
                items.get(idx).copied().map(BinXmlValue::UInt32Type)
            }
            BinXmlValue::Int64ArrayType(items) => {
                items.get(idx).copied().map(BinXmlValue::Int64Type)
            }
            BinXmlValue::UInt64ArrayType(items) => {
                items.get(idx).copied().map(BinXmlValue::UInt64Type)
            }
            BinXmlValue::Real32ArrayType(items) => {
                items.get(idx).copied().map(BinXmlValue::Real32Type)
            }
            BinXmlValue::Real64ArrayType(items) => {
                items.get(idx).copied().map(BinXmlValue::Real64Type)
            }
            BinXmlValue::BoolArrayType(items) => items.get(idx).copied().map(BinXmlValue::BoolType),
            BinXmlValue::GuidArrayType(items) => items.get(idx).copied().map(BinXmlValue::GuidType),
            BinXmlValue::FileTimeArrayType(items) => {
                items.get(idx).copied().map(BinXmlValue::FileTimeType)
            }
            BinXmlValue::SysTimeArrayType(items) => {
                items.get(idx).copied().map(BinXmlValue::SysTimeType)
            }
            BinXmlValue::SidArrayType(items) => items.get(idx).copied().map(BinXmlValue::SidType),
            BinXmlValue::HexInt32ArrayType(items) => {
                items.get(idx).copied().map(BinXmlValue::HexInt32Type)
            }
            BinXmlValue::HexInt64ArrayType(items) => {
                items.get(idx).copied().map(BinXmlValue::HexInt64Type)
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{decode_ansi_strict, decode_ansi_value};
    use std::borrow::Cow;

    #[test]
    fn ansi_value_drops_nuls_and_borrows_without_them() {
        let (codec, arena) = (encoding_rs::WINDOWS_1252, bumpalo::Bump::new());
        let plain = decode_ansi_value(codec, b"abc", &arena).unwrap();
        assert!(matches!(plain, Cow::Borrowed("abc")));
        assert_eq!(decode_ansi_value(codec, b"a\0b\0", &arena).unwrap(), "ab");
    }

    /// WHATWG windows-1252 mappings for bytes 0x80..=0x9F.
    const WINDOWS_1252_C1: [char; 32] = [
        '\u{20AC}', '\u{0081}', '\u{201A}', '\u{0192}', '\u{201E}', '\u{2026}', '\u{2020}',
        '\u{2021}', '\u{02C6}', '\u{2030}', '\u{0160}', '\u{2039}', '\u{0152}', '\u{008D}',
        '\u{017D}', '\u{008F}', '\u{0090}', '\u{2018}', '\u{2019}', '\u{201C}', '\u{201D}',
        '\u{2022}', '\u{2013}', '\u{2014}', '\u{02DC}', '\u{2122}', '\u{0161}', '\u{203A}',
        '\u{0153}', '\u{009D}', '\u{017E}', '\u{0178}',
    ];

    #[test]
    fn windows_1252_decodes_every_byte() {
        let codec = encoding_rs::WINDOWS_1252;
        for byte in 0u8..=255 {
            let input = [byte];
            let decoded = decode_ansi_strict(codec, &input)
                .unwrap_or_else(|err| panic!("windows-1252 rejected byte {byte:#04x}: {err}"));
            let expected = match byte {
                0x80..=0x9F => WINDOWS_1252_C1[(byte - 0x80) as usize],
                _ => char::from(byte),
            };
            let mut buf = [0u8; 4];
            assert_eq!(
                decoded.as_ref(),
                expected.encode_utf8(&mut buf),
                "byte {byte:#04x}"
            );
        }
    }

    #[test]
    fn strict_ansi_decode_rejects_invalid_utf8() {
        let err = decode_ansi_strict(encoding_rs::UTF_8, &[0xFF]).unwrap_err();
        let message = err.to_string();
        assert!(
            message.contains("UTF-8"),
            "error should name the codec, got {message}"
        );
        assert!(
            message.contains("invalid sequence"),
            "error should describe the failure, got {message}"
        );
    }

    #[test]
    fn irregular_bools_keep_raw_value() {
        use super::{BinXmlValue, BinXmlValueType};
        use crate::utils::ByteCursor;
        use bumpalo::Bump;

        fn decode<'a>(ty: BinXmlValueType, bytes: &'a [u8], bump: &'a Bump) -> BinXmlValue<'a> {
            let mut cursor = ByteCursor::with_pos(bytes, 0).unwrap();
            let size = Some(bytes.len() as u16);
            let ansi = encoding_rs::WINDOWS_1252;
            BinXmlValue::deserialize_value_type_cursor_in(&ty, &mut cursor, size, ansi, bump)
                .unwrap()
        }
        let bump = Bump::new();
        let le = |vals: &[i32]| {
            vals.iter()
                .flat_map(|v| v.to_le_bytes())
                .collect::<Vec<_>>()
        };

        assert_eq!(
            decode(BinXmlValueType::BoolType, &le(&[1]), &bump),
            BinXmlValue::BoolType(true)
        );
        assert_eq!(
            decode(BinXmlValueType::BoolType, &le(&[16]), &bump),
            BinXmlValue::Int32Type(16)
        );
        assert_eq!(
            decode(BinXmlValueType::BoolArrayType, &le(&[0, 1]), &bump),
            BinXmlValue::BoolArrayType(&[false, true])
        );
        assert_eq!(
            decode(BinXmlValueType::BoolArrayType, &le(&[1, -2]), &bump),
            BinXmlValue::Int32ArrayType(&[1, -2])
        );
    }
}

impl<'a> Display for BinXmlValue<'a> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut vr = crate::binxml::value_render::ValueRenderer::default();
        let mut writer = Vec::new();
        // Values with no text form (handles, nested BinXML, unsupported arrays)
        // display as empty; `fmt::Error` here would make `to_string()` panic.
        if vr.write_json_value_text(&mut writer, self).is_err() {
            return Ok(());
        }

        write!(f, "{}", String::from_utf8(writer).unwrap())
    }
}
