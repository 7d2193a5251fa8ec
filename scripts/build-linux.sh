#!/usr/bin/env bash
# Builds the Linux binary that is handed out (scripts/package.sh puts it in the .deb; the
# benchmarks measure it) and prints its path: a static-pie executable, the C library linked in.
#
# Why static:
# - it runs on the UOS and Kylin releases in the field, whose glibc (2.28-2.31) is older than
#   the build machine's: a dynamically linked build needs the build machine's glibc or newer
#   (`__libc_start_main@GLIBC_2.34` on Debian 12);
# - it starts faster: no shared libraries to find, map and bind (libc, libm, libgcc_s and their
#   constructors). On the benchmark's small event logs a run took 1.58 → 1.26 ms of CPU
#   (`perf stat`), see docs/performance.md.
# It stays position-independent (static-pie), so the system still loads it at a random address.
# Host names still resolve: glibc's "files" and "dns" lookups are inside the C library since
# 2.34; other NSS modules of /etc/nsswitch.conf (mdns, sss) are skipped.
#
#   bash scripts/build-linux.sh            # target/<host triple>/release/cmgelog
#
# `cargo build --release` alone still gives the ordinary dynamic build in target/release/, which
# the tests use. crt-static needs an explicit --target: without one cargo applies the flag to
# the proc-macro crates too, which cannot be linked static.
set -euo pipefail
cd "$(dirname "$0")/.."

HOST="$(rustc -vV | sed -n 's/^host: //p')"
[[ $HOST == *-linux-gnu ]] || { echo "build-linux.sh: the host is $HOST, not a *-linux-gnu target" >&2; exit 1; }
export "CARGO_TARGET_$(tr 'a-z-' 'A-Z_' <<<"$HOST")_RUSTFLAGS=-C target-feature=+crt-static"
cargo build --release --locked --target "$HOST" --bin cmgelog "$@" >&2
echo "${CARGO_TARGET_DIR:-$PWD/target}/$HOST/release/cmgelog"
