#![no_main]
//! The rule file loader and linter (`rules lint` runs exactly this): TOML, validation with
//! spanned diagnostics, regex compilation; then the diagnostics are rendered as `lint` does.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Rule files are read with `read_to_string`, so the loader only ever sees valid UTF-8.
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Err(diagnostics) = cmgelog::rules::parse_rule_file("fuzz.toml", text) {
        let _ = cmgelog::rules::render_diagnostics(&diagnostics);
    }
});
