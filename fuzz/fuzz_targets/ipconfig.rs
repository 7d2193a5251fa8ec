#![no_main]
//! `ipconfig`: arbitrary bytes as the entry `ipconfig_all.txt`, through decoding, detection and the extractor.

use cmgelog::facts::formats;
use libfuzzer_sys::fuzz_target;

mod extract;

fuzz_target!(|data: &[u8]| extract::run("ipconfig_all.txt", formats::kind("ipconfig"), data));
