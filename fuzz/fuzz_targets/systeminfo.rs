#![no_main]
//! `systeminfo`: arbitrary bytes as the entry `systeminfo.txt`, through decoding, detection and the extractor.

use cmgelog::facts::formats;
use libfuzzer_sys::fuzz_target;

mod extract;

fuzz_target!(|data: &[u8]| extract::run("systeminfo.txt", formats::kind("systeminfo"), data));
