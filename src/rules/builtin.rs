//! The default rule set, compiled into the binary so that `cmgelog analyze` works anywhere.

/// Every file of `rules/`, by name. A test checks that this list matches the folder.
pub const BUILTIN_FILES: &[(&str, &str)] = &[
    ("rules/hardware.toml", include_str!("../../rules/hardware.toml")),
    (
        "rules/virtualization.toml",
        include_str!("../../rules/virtualization.toml"),
    ),
    ("rules/activation.toml", include_str!("../../rules/activation.toml")),
];

pub fn builtin_sources() -> impl Iterator<Item = (&'static str, &'static str)> {
    BUILTIN_FILES.iter().copied()
}
