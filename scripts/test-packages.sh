#!/usr/bin/env bash
# The packages as a user gets them (scripts/test.sh calls it after the Windows step, whose
# exe package.sh reuses): runs scripts/package.sh, then
# - unpacks the .deb into an empty folder with `dpkg -x` (nothing is installed on the system)
#   and runs the unpacked usr/bin/cmgelog with an empty environment: --version, analyze on
#   two samples (exit codes and findings), the example configuration it ships;
# - checks the package's control fields, the Windows zip's entries and SHA256SUMS.
# Any mismatch fails with what was expected and what came.
set -euo pipefail
cd "$(dirname "$0")/.."
DIST="${CMGELOG_DIST_DIR:-$PWD/dist}"
export CMGELOG_DIST_DIR="$DIST"

bash scripts/package.sh

fail() {
    echo "test-packages: $*" >&2
    exit 1
}
pkgid="$(cargo pkgid --quiet)"
VERSION="${pkgid##*[#@]}"
debs=("$DIST"/cmgelog_"$VERSION"-*.deb)
[ ${#debs[@]} -eq 1 ] && [ -f "${debs[0]}" ] || fail "expected one cmgelog_$VERSION-*.deb in $DIST, found: ${debs[*]}"
deb="${debs[0]}"
zip="$DIST/cmgelog-$VERSION-windows-x86_64.zip"
[ -f "$zip" ] || fail "$zip is missing"

work="$(mktemp -d "${TMPDIR:-/tmp}/cmgelog-packages.XXXXXX")"
trap 'rm -rf "$work"' EXIT

# --- the .deb ------------------------------------------------------------------------------
field() { dpkg-deb --field "$deb" "$1"; }
[ "$(field Package)" = cmgelog ] || fail "Package is '$(field Package)'"
[[ "$(field Version)" == "$VERSION"-* ]] || fail "Version is '$(field Version)', expected $VERSION-<revision>"
[ "$(field Architecture)" = "$(dpkg --print-architecture)" ] || fail "Architecture is '$(field Architecture)'"
# The binary links no shared library (scripts/build-linux.sh), so dpkg-shlibdeps finds no
# package to depend on: not even libc6, whose version on UOS and Kylin is older than here.
[[ "$(field Depends 2>/dev/null || true)" != *libc6* ]] || fail "Depends is '$(field Depends)': the binary should need no libc6"

root="$work/root"
dpkg -x "$deb" "$root"
bin="$root/usr/bin/cmgelog"
[ -x "$bin" ] || fail "usr/bin/cmgelog is not in the package"
# Stripped: the release profile's line tables (.debug_line, .debug_info) stay out of the
# package. (.debug_gdb_scripts, which rustc puts in the loaded image, stays; it is 34 bytes.)
sections="$(readelf -S --wide "$bin")"
[[ $sections != *.debug_info* && $sections != *.debug_line* ]] || fail "usr/bin/cmgelog still has debug sections"
# Static, so no glibc version is required of the system, and still position-independent, so
# it is loaded at a random address: no NEEDED library, ELF type DYN, no interpreter.
dynamic="$(readelf -d --wide "$bin")"
[[ $dynamic != *NEEDED* ]] || fail "usr/bin/cmgelog links shared libraries: $(grep NEEDED <<<"$dynamic")"
[[ "$(readelf -h "$bin")" == *"DYN (Position-Independent Executable"* ]] || fail "usr/bin/cmgelog is not position-independent"
[[ "$(readelf -l --wide "$bin")" != *"program interpreter"* ]] || fail "usr/bin/cmgelog asks for a dynamic loader"
for doc in README.md docs/analyze.md docs/packages.md rules/README.md specs/README.md examples/cmgelog.toml; do
    [ -s "$root/usr/share/doc/cmgelog/$doc" ] || fail "usr/share/doc/cmgelog/$doc is not in the package"
done
# Only /usr: a package that wrote elsewhere (or shipped the build folder) would show here.
extra="$(cd "$root" && find . -mindepth 1 -maxdepth 1 ! -name usr)"
[ -z "$extra" ] || fail "files outside /usr: $extra"

# The unpacked binary, from an empty folder, with an empty environment: no configuration,
# no repository around it (rules, codes and texts must all be inside the binary).
run() {
    (cd "$work/cwd" && env -i HOME="$work/home" PATH=/usr/bin:/bin "$bin" "$@")
}
mkdir -p "$work/cwd" "$work/home"

out="$(run --version)"
[ "$out" = "cmgelog $VERSION" ] || fail "--version printed '$out', expected 'cmgelog $VERSION'"

samples="$PWD/samples"
# Case A: findings, so exit code 1, and the two causes the sample is built to show.
set +e
run analyze --format json --lang en "$samples/case-a-thin-client-empty-baseboard-serial.zip" >"$work/a.json"
rc=$?
set -e
[ $rc -eq 1 ] || fail "analyze of case A exited $rc, expected 1 (findings)"
python3 - "$work/a.json" <<'EOF' || fail "analyze of case A: wrong report"
import json, sys
report = json.load(open(sys.argv[1]))
rules = {f["rule"] for f in report["findings"]}
want = {"hw.baseboard-serial", "hw.bios-serial", "act.code-206"}
assert want <= rules, f"findings {sorted(rules)}, expected at least {sorted(want)}"
assert report["exit_code"] == 1, report["exit_code"]
assert not report["errors"], report["errors"]
EOF
# The healthy machine: no finding, exit code 0, and a text report that says so in Chinese
# (the texts come from the binary, not from a locales/ folder beside it).
set +e
run analyze --lang zh "$samples/healthy-hp-zbook.zip" >"$work/healthy.txt"
rc=$?
set -e
[ $rc -eq 0 ] || fail "analyze of the healthy sample exited $rc, expected 0: $(cat "$work/healthy.txt")"
grep -qF '未发现已知问题' "$work/healthy.txt" || fail "the zh report does not say 未发现已知问题: $(cat "$work/healthy.txt")"

# Host names resolve in the static binary (glibc's built-in "files" lookup: localhost from
# /etc/hosts): a closed port on localhost is a refused connection, not a failed lookup.
set +e
(cd "$work/cwd" && env -i HOME="$work/home" PATH=/usr/bin:/bin CMGELOG_PASSWORD=x "$bin" upload \
    "$samples/healthy-hp-zbook.zip" --url http://localhost:1/files/ --user u --retries 0 --lang en) \
    >"$work/upload.txt" 2>&1
rc=$?
set -e
[ $rc -eq 5 ] || fail "upload to a closed port exited $rc, expected 5: $(cat "$work/upload.txt")"
grep -q 'Connection refused' "$work/upload.txt" || fail "upload to localhost did not reach the connection: $(cat "$work/upload.txt")"

# The example configuration the package ships is one the binary accepts.
run config check "$root/usr/share/doc/cmgelog/examples/cmgelog.toml" >/dev/null \
    || fail "config check refused the shipped example cmgelog.toml"

# --- the Windows zip -----------------------------------------------------------------------
python3 - "$zip" "cmgelog-$VERSION-windows-x86_64" windows/cmgelog.toml <<'EOF' || fail "the Windows zip is wrong"
import sys, zipfile
path, folder, toml = sys.argv[1:]
with zipfile.ZipFile(path) as z:
    names = z.namelist()
    want = [f"{folder}/cmgelog.exe", f"{folder}/cmgelog.toml"]
    assert names == want, f"entries {names}, expected {want}"
    assert z.testzip() is None, "a damaged entry"
    exe = z.read(want[0])
    # A PE file for x86-64: "MZ", then at e_lfanew "PE\0\0" and machine 0x8664.
    pe = int.from_bytes(exe[0x3C:0x40], "little")
    assert exe[:2] == b"MZ" and exe[pe:pe + 4] == b"PE\0\0", "cmgelog.exe is not a PE file"
    assert int.from_bytes(exe[pe + 4:pe + 6], "little") == 0x8664, "cmgelog.exe is not x86-64"
    assert z.read(want[1]) == open(toml, "rb").read(), "cmgelog.toml differs from windows/cmgelog.toml"
EOF

# --- the sums ------------------------------------------------------------------------------
listed="$(cut -d' ' -f3- "$DIST/SHA256SUMS" | LC_ALL=C sort | tr '\n' ' ')"
expected="$(basename "$zip") $(basename "$deb") "
[ "$listed" = "$expected" ] || fail "SHA256SUMS lists '$listed', expected '$expected'"
(cd "$DIST" && sha256sum --check --quiet SHA256SUMS) || fail "SHA256SUMS does not match the files"

echo "packages: $(basename "$deb") and $(basename "$zip") unpacked and run" >&2
