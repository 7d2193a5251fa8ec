#!/usr/bin/env bash
# The Windows half of the test suite (scripts/test.sh calls it): builds the release
# cmgelog.exe, runs the library's unit tests and the Windows-specific tests under Wine, then
# collects with the Windows spec under Wine and analyses the zip with the Linux build.
# Installs wine and the cross toolchain when missing. Cold, it costs about 12 minutes of CPU
# (release build 8, the Wine test build 4), so roughly 7 minutes on 2 idle cores; warm, under
# a minute (Wine prefix 15 s, tests 10 s, the collection 10 s).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/windows-env.sh

need_packages rustc-web cargo-web rust-web-src gcc-mingw-w64-x86-64 wine

# A throwaway Wine prefix, removed on exit together with its wineserver.
export WINEDEBUG=-all
WINEPREFIX="$(mktemp -d "${TMPDIR:-/tmp}/cmgelog-wine.XXXXXX")"
export WINEPREFIX
cleanup() {
    wineserver -k 2>/dev/null || true
    rm -rf "$WINEPREFIX"
}
trap cleanup EXIT
step() { echo "== $* ($(date +%T))" >&2; }

step "wine prefix"
# wineboot prints one harmless line about the 32-bit loader; only failures matter.
wine wineboot --init >/dev/null 2>&1
wineserver -w

step "release cmgelog.exe (x86_64-pc-windows-gnu)"
bash scripts/build-windows.sh

# The unit tests and the Windows-specific tests, built for x86_64-win7-windows-gnu: Wine 8.0
# lacks ProcessPrng (bcryptprimitives.dll), which std imports on the Windows 10 target.
# cargo runs the test binaries through the `wine` runner of .cargo/config.toml.
step "unit and Windows tests under Wine (x86_64-win7-windows-gnu)"
# CMGELOG_WINE_ALL_TESTS=1 adds the platform-independent integration tests (analyze, batch,
# find, explain on Windows paths): they pass under Wine but take about 3 minutes more, so the
# default run keeps to the Windows-specific ones.
tests=(--lib --bins --test collect_windows)
if [ "${CMGELOG_WINE_ALL_TESTS:-}" = 1 ]; then tests+=(--test cli --test batch --test explain); fi
# No debug info: std and every dependency build faster and the mingw links are smaller; a
# failing assertion still names its file and line.
CARGO_PROFILE_DEV_DEBUG=0 CARGO_PROFILE_TEST_DEBUG=0 \
    debian_cargo test --locked --target x86_64-win7-windows-gnu "${tests[@]}" -- --nocapture

# The release exe is the x86_64-pc-windows-gnu one users get; to start it under Wine 8.0 a
# tiny bcryptprimitives.dll implementing ProcessPrng with RtlGenRandom goes next to it (real
# Windows 10 has the DLL; this shim is never shipped).
step "collection with the Windows spec under Wine"
run_dir="$WIN_TARGET_DIR/wine-run"
mkdir -p "$run_dir"
cp "$WINDOWS_EXE" "$run_dir/cmgelog.exe"
x86_64-w64-mingw32-gcc -shared -O2 -s -o "$run_dir/bcryptprimitives.dll" \
    scripts/wine/processprng-shim.c -ladvapi32
CMGELOG_WINDOWS_EXE="$run_dir/cmgelog.exe" cargo test --locked --test wine_collection -- --ignored --nocapture

# The window as a user meets it: no arguments, a virtual X display, clicks and keys from
# xdotool, a screenshot of every step (target/tmp/wine-window/), the CJK font Wine maps the
# Chinese UI font to; the upload goes to the real tus server (tests/upload-servers).
step "the window under Wine on a virtual display"
need_packages xvfb xdotool x11-utils imagemagick fonts-wqy-microhei
CMGELOG_WINDOWS_EXE="$run_dir/cmgelog.exe" cargo test --locked --test wine_window -- --ignored --test-threads 1
step "done"
