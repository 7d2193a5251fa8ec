#!/usr/bin/env bash
# The whole test suite, from a fresh clone. Installs what the tests need, then runs the
# format and lint checks, the unit and integration tests, the rule fixtures, and the Windows
# build with its tests under Wine (scripts/test-windows.sh), then the packages
# (scripts/test-packages.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

# Tools the checks use (the Rust toolchain itself is on the machine).
rustup component add rustfmt clippy >/dev/null 2>&1 || true

# Debian packages the tests use, installed once (the tests fail, never skip, without them):
# chromium and a CJK font for the HTML report test (tests/html.rs: headless rendering and a
# screenshot of the Chinese report); tmux for the wizard test (tests/wizard.rs); openssl for
# the upload test's private CA.
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
[ -e /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc ] || need+=(fonts-wqy-zenhei)
command -v tmux >/dev/null || need+=(tmux)
command -v openssl >/dev/null || need+=(openssl)
python3 -m pip --version >/dev/null 2>&1 || need+=(python3-pip)
if [ ${#need[@]} -gt 0 ]; then
    $SUDO apt-get update -qq
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

# --- Upload test servers (tests/upload/ starts them on 127.0.0.1) ----------------------------
# The official tus server, @tus/server + @tus/file-store pinned by
# tests/upload-servers/package-lock.json (needs Node >= 20.19), and uploadserver 6.0.5 from PyPI
# for the multipart path, installed into tests/upload-servers/python (not the system Python:
# Debian's refuses pip installs, PEP 668). Both are skipped when already installed as pinned.
servers=tests/upload-servers
if [ ! -f "$servers/node_modules/.package-lock.json" ] \
    || [ "$servers/package-lock.json" -nt "$servers/node_modules/.package-lock.json" ]; then
    npm ci --prefix "$servers" --no-audit --no-fund --loglevel=error
fi
if [ ! -d "$servers/python/uploadserver-6.0.5.dist-info" ]; then
    python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore --upgrade \
        --target "$servers/python" uploadserver==6.0.5
fi
# ----------------------------------------------------------------------------------------------

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

# What is handed out: the Windows zip (the exe the windows step just built, plus the example
# cmgelog.toml), the .deb (unpacked with dpkg -x and run) and SHA256SUMS, in dist/.
step "packages"
bash scripts/test-packages.sh
