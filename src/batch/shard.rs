//! `--shard I/N`: the I-th of N disjoint parts of the bundles. A bundle belongs to part
//! `1 + (h mod N)`, where `h` is the first 8 bytes, big-endian, of the SHA-256 of its key (the
//! path relative to the PATH argument, `/` separators; see `discover`). Every bundle is in
//! exactly one part, whatever the order or the machine, so N jobs given the same PATHs cover
//! the corpus once and their JSONL outputs can simply be concatenated.

use sha2::{Digest, Sha256};
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// 1-based.
    pub index: u64,
    pub count: u64,
}

impl Shard {
    pub fn contains(&self, key: &str) -> bool {
        let digest = Sha256::digest(key.as_bytes());
        let mut first = [0u8; 8];
        first.copy_from_slice(&digest[..8]);
        u64::from_be_bytes(first) % self.count == self.index - 1
    }
}

impl FromStr for Shard {
    type Err = String;
    fn from_str(s: &str) -> Result<Shard, String> {
        let (i, n) = s.split_once('/').ok_or("expected I/N, e.g. 1/4")?;
        let index: u64 = i.trim().parse().map_err(|_| format!("'{i}' is not a number"))?;
        let count: u64 = n.trim().parse().map_err(|_| format!("'{n}' is not a number"))?;
        if count == 0 || index == 0 || index > count {
            return Err(format!("need 1 <= I <= N, got {index}/{count}"));
        }
        Ok(Shard { index, count })
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_are_disjoint_and_cover() {
        let shards: Vec<Shard> = (1..=3).map(|i| format!("{i}/3").parse().unwrap()).collect();
        for k in 0..500 {
            let key = format!("fleet/bundle-{k:05}.zip");
            assert_eq!(shards.iter().filter(|s| s.contains(&key)).count(), 1, "{key}");
        }
    }

    #[test]
    fn bad_specs_are_refused() {
        for bad in ["0/3", "4/3", "1/0", "x/2", "3"] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
    }
}
