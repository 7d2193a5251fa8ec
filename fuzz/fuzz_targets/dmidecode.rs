#![no_main]
//! `dmidecode`: arbitrary bytes as the entry `dmidecode.txt`, through decoding, detection and the extractor.

use cmgelog::bundle::Kind;
use libfuzzer_sys::fuzz_target;

mod extract;

fuzz_target!(|data: &[u8]| extract::run("dmidecode.txt", Kind::Dmidecode, data));
