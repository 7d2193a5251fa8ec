#!/usr/bin/env bash
# The whole test suite, from a fresh clone. Installs what the tests need, then runs the
# format and lint checks, the unit and integration tests, and the rule fixtures.
set -euo pipefail
cd "$(dirname "$0")/.."

# Tools the checks use (the Rust toolchain itself is on the machine).
rustup component add rustfmt clippy >/dev/null 2>&1 || true

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
    python3 -m pip --version >/dev/null 2>&1 \
        || { apt-get update -qq && apt-get install -y -qq python3-pip >/dev/null; }
    python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore --upgrade \
        --target "$servers/python" uploadserver==6.0.5
fi
# The https test makes a private CA with the openssl tool.
command -v openssl >/dev/null || { apt-get update -qq && apt-get install -y -qq openssl >/dev/null; }
# ----------------------------------------------------------------------------------------------

cargo fmt --check
cargo clippy --all-targets --locked -- -D warnings
cargo test --locked
cargo run --locked --quiet -- rules test rules
