#!/usr/bin/env bash
# Builds what is handed out, into dist/ (emptied first):
#   cmgelog-<version>-windows-x86_64.zip   for support to send: a folder with cmgelog.exe
#                                          (scripts/build-windows.sh) and the example
#                                          cmgelog.toml (windows/cmgelog.toml) next to it
#   cmgelog_<version>-1_<arch>.deb         the Linux package (cargo-deb; [package.metadata.deb]
#                                          in Cargo.toml) of the static binary that
#                                          scripts/build-linux.sh builds: Debian, UOS, Kylin
#   SHA256SUMS                             of both (`sha256sum -c SHA256SUMS` checks them)
# Installs what it lacks: cargo-deb (the pinned version below), dpkg-dev (dpkg-shlibdeps,
# which finds no shared library to depend on); build-windows.sh installs the cross toolchain. When
# the Windows exe is already built (scripts/test-windows.sh builds it first in CI), cargo finds
# it up to date and only the strip runs again.
#
#   bash scripts/package.sh
#   CMGELOG_DIST_DIR=DIR bash scripts/package.sh     # another output folder
# scripts/test-packages.sh runs this, then unpacks and runs what it made. See docs/packages.md.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/windows-env.sh

CARGO_DEB_VERSION=3.8.0
DIST="${CMGELOG_DIST_DIR:-$PWD/dist}"
step() { echo "== package: $* ($(date +%T))" >&2; }

# The version, as cargo reads it: `path+file:///…#cmgelog@0.1.0` (or `…#0.1.0` from older cargo).
pkgid="$(cargo pkgid --quiet)"
VERSION="${pkgid##*[#@]}"
[[ $VERSION =~ ^[0-9]+\.[0-9]+\.[0-9]+ ]] || { echo "cannot read the version from '$pkgid'" >&2; exit 1; }

need_packages dpkg-dev
if [ "$(cargo deb --version 2>/dev/null)" != "cargo-deb $CARGO_DEB_VERSION" ]; then
    step "installing cargo-deb $CARGO_DEB_VERSION"
    cargo install cargo-deb --version "$CARGO_DEB_VERSION" --locked --quiet
fi

rm -rf "$DIST"
mkdir -p "$DIST"
# One date for everything packed, the last commit's: strip writes it into the exe's PE header
# (otherwise the time of the strip), the zip's entries carry it, cargo-deb uses it. The same
# sources then give byte-identical files.
SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}"
export SOURCE_DATE_EPOCH

step "Windows exe"
bash scripts/build-windows.sh >&2
win_name="cmgelog-$VERSION-windows-x86_64"
# One folder in the zip, so that extracting it keeps the exe and its cmgelog.toml together
# (the exe reads cmgelog.toml from its own folder). Entries in a fixed order.
python3 - "$DIST/$win_name.zip" "$win_name" "$WINDOWS_EXE" windows/cmgelog.toml \
    "$SOURCE_DATE_EPOCH" <<'EOF'
import sys, time, zipfile
out, folder, exe, toml, stamp = sys.argv[1:]
date = time.gmtime(int(stamp))[:6]
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
    for src, name in ((exe, "cmgelog.exe"), (toml, "cmgelog.toml")):
        info = zipfile.ZipInfo(f"{folder}/{name}", date_time=date)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        with open(src, "rb") as f:
            z.writestr(info, f.read())
EOF

step "Debian package"
# The static release binary first (scripts/build-linux.sh: it runs on the older glibc of UOS
# and Kylin), then cargo-deb packs it without building again (not a build with cargo-deb's own
# profile settings), stripped: the release profile keeps line tables, which would make the
# installed binary 80 MB.
bash scripts/build-linux.sh >/dev/null
host="$(rustc -vV | sed -n 's/^host: //p')"
deb_out="$(cargo deb --no-build --strip --locked --target "$host" --output "$DIST/")"
deb="$(printf '%s\n' "$deb_out" | tail -n 1)"
[ -f "$deb" ] || { echo "cargo-deb did not say where the package is: $deb_out" >&2; exit 1; }

(cd "$DIST" && sha256sum -- *.zip *.deb > SHA256SUMS)
step "done"
ls -l "$DIST" >&2
