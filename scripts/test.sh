#!/usr/bin/env bash
# The whole test suite, from a fresh clone. Installs what the tests need, then runs the
# format and lint checks, the unit and integration tests, the rule fixtures, and the Windows
# build with its tests under Wine (scripts/test-windows.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

# Tools the checks use (the Rust toolchain itself is on the machine).
rustup component add rustfmt clippy >/dev/null 2>&1 || true

# The HTML report test renders the reports in Debian's chromium (headless), with a CJK font
# so the Chinese report's screenshot shows text. Installed once; the test fails, never
# skips, without it.
if [ ! -x /usr/bin/chromium ] || [ ! -e /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc ]; then
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
    $SUDO apt-get update -qq
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-zenhei >/dev/null
fi

step() { echo "== $* ($(date +%T))" >&2; }
step "format"
cargo fmt --check
step "clippy"
cargo clippy --all-targets --locked -- -D warnings
step "tests"
cargo test --locked
step "rule fixtures"
cargo run --locked --quiet -- rules test rules

# The Windows exe: cross-built, its tests and a real collection run under Wine.
step "windows"
bash scripts/test-windows.sh
