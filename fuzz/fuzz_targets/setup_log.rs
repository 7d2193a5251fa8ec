#![no_main]
//! Panther `setupact.log`/`setuperr.log` (and the CBS/DISM and WindowsUpdate.log readers that
//! share the line parser): the first byte picks which, the rest is the log.

use cmgelog::bundle::Kind;
use libfuzzer_sys::fuzz_target;

mod extract;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else { return };
    let (path, kind) = match pick % 3 {
        0 => ("Panther/setupact.log", Kind::SetupLog),
        1 => ("Logs/CBS/CBS.log", Kind::CbsLog),
        _ => ("WindowsUpdate.log", Kind::WindowsUpdateLog),
    };
    extract::run(path, kind, rest);
});
