#!/usr/bin/env bash
# Builds the Windows executable on Linux: cmgelog.exe for x86_64-pc-windows-gnu, release,
# stripped. Debian's Rust ships the standard library's sources, so std is built for Windows
# with -Zbuild-std and linked with mingw (../shared/reference/windows-build.md; the linker is
# set in .cargo/config.toml). Installs the Debian packages it needs when they are missing.
#
#   bash scripts/build-windows.sh            # prints the exe's path and size
#   CMGELOG_WINDOWS_TARGET_DIR=DIR ...       # where to build (default: $CARGO_TARGET_DIR or ./target)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/windows-env.sh

need_packages rustc-web cargo-web rust-web-src gcc-mingw-w64-x86-64

TARGET=x86_64-pc-windows-gnu
# Symbols and line tables are stripped from the exe anyway: do not spend time producing them.
CARGO_PROFILE_RELEASE_DEBUG=false debian_cargo build --release --locked --target "$TARGET" --bin cmgelog

built="$WIN_TARGET_DIR/$TARGET/release/cmgelog.exe"
mkdir -p "$(dirname "$WINDOWS_EXE")"
x86_64-w64-mingw32-strip -o "$WINDOWS_EXE" "$built"
echo "$WINDOWS_EXE ($(stat -c %s "$WINDOWS_EXE") bytes)"
