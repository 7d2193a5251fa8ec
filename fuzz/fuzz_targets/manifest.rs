#![no_main]
//! `manifest`: arbitrary bytes as the entry `manifest.json`, through decoding, detection and the extractor.

use cmgelog::facts::formats;
use libfuzzer_sys::fuzz_target;

mod extract;

fuzz_target!(|data: &[u8]| extract::run("manifest.json", formats::kind("manifest"), data));
