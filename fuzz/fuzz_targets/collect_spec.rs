#![no_main]
//! The collection spec (`collect --spec FILE`): parsing, then compiling every category's items
//! into tasks as the collector does (with a fixed environment for `%VAR%` expansion).

use cmgelog::collect::spec::Spec;
use cmgelog::collect::Category;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(spec) = Spec::parse("fuzz.toml", text) else { return };
    let _ = spec.categories();
    let env = |name: &str| (name == "SystemRoot").then(|| "C:\\Windows".to_string());
    let _ = spec.tasks(&Category::ALL, &env);
});
