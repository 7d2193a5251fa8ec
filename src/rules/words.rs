//! A rule's words (title, cause, remedy, Linux remedy), decoded when first shown.
//!
//! Why: a run shows the words of the rules that fire, a few of them, but loading the baked
//! rules decoded every rule's eight texts: a UTF-8 check and an allocation for each, a quarter
//! of the instructions of `cmgelog analyze` on a small event log (callgrind, 0.65 M of 2.6 M).
//! In the baked form the words are one postcard blob per rule, kept as bytes until asked for.
//! Parsed rules (TOML) have them decoded from the start.

use crate::i18n::Localized;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::sync::OnceLock;

/// The texts of a rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Words {
    pub title: Localized,
    pub cause: Localized,
    pub remedy: Localized,
    /// The remedy for a bundle from Linux (UOS/Kylin), when its commands differ
    /// (`remedy-linux`: `dmidecode`, `lsblk` instead of `wmic`).
    pub remedy_linux: Option<Localized>,
}

/// [`Words`], decoded now or on first use.
#[derive(Clone, Default)]
pub struct LazyWords {
    /// Postcard bytes of the words, until they are decoded.
    encoded: Box<[u8]>,
    words: OnceLock<Words>,
}

impl LazyWords {
    pub fn new(words: Words) -> LazyWords {
        LazyWords {
            encoded: Box::default(),
            words: OnceLock::from(words),
        }
    }

    /// The words; `reparse` gives them when the stored bytes do not decode (they were baked
    /// with the rule and checked by a unit test, so it is not expected: the built-in rules'
    /// TOML is then parsed again rather than a rule left without words).
    pub fn get(&self, reparse: impl FnOnce() -> Words) -> &Words {
        self.words
            .get_or_init(|| postcard::from_bytes(&self.encoded).unwrap_or_else(|_| reparse()))
    }
}

impl std::fmt::Debug for LazyWords {
    /// The words themselves, decoded: the baked rules are compared with the parsed ones by
    /// their `Debug` form.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.words.get() {
            Some(words) => words.fmt(f),
            None => match postcard::from_bytes::<Words>(&self.encoded) {
                Ok(words) => words.fmt(f),
                Err(e) => write!(f, "<words that do not decode: {e}>"),
            },
        }
    }
}

/// Only the baked form is serialized: the words as one postcard blob.
impl Serialize for LazyWords {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let words = self
            .words
            .get()
            .ok_or_else(|| serde::ser::Error::custom("undecoded words"))?;
        let bytes = postcard::to_stdvec(words).map_err(serde::ser::Error::custom)?;
        s.serialize_bytes(&bytes)
    }
}

impl<'de> Deserialize<'de> for LazyWords {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Bytes;
        impl serde::de::Visitor<'_> for Bytes {
            type Value = Box<[u8]>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("the postcard bytes of a rule's words")
            }
            fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> Result<Self::Value, E> {
                Ok(v.into())
            }
        }
        Ok(LazyWords {
            encoded: d.deserialize_bytes(Bytes)?,
            words: OnceLock::new(),
        })
    }
}
