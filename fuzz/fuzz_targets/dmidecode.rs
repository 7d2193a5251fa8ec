#![no_main]
//! `dmidecode`: arbitrary bytes as the entry `dmidecode.txt`, through decoding, detection and the extractor.

use cmgelog::facts::formats;
use libfuzzer_sys::fuzz_target;

mod extract;

fuzz_target!(|data: &[u8]| extract::run("dmidecode.txt", formats::kind("dmidecode"), data));
