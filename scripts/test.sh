#!/usr/bin/env bash
# The whole test suite, from a fresh clone. Installs what the tests need, then runs the
# format and lint checks, the unit and integration tests, and the rule fixtures.
set -euo pipefail
cd "$(dirname "$0")/.."

# Tools the checks use (the Rust toolchain itself is on the machine).
rustup component add rustfmt clippy >/dev/null 2>&1 || true

cargo fmt --check
cargo clippy --all-targets --locked -- -D warnings
cargo test --locked
cargo run --locked --quiet -- rules test rules
