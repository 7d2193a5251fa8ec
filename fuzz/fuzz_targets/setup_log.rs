#![no_main]
//! Panther `setupact.log`/`setuperr.log` (and the CBS/DISM and WindowsUpdate.log readers that
//! share the line parser): the first byte picks which, the rest is the log.

use cmgelog::facts::formats;
use libfuzzer_sys::fuzz_target;

mod extract;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else { return };
    let (path, kind) = match pick % 3 {
        0 => ("Panther/setupact.log", formats::kind("setup-log")),
        1 => ("Logs/CBS/CBS.log", formats::kind("cbs-log")),
        _ => ("WindowsUpdate.log", formats::kind("windows-update-log")),
    };
    extract::run(path, kind, rest);
});
