# Sourced by build-windows.sh and test-windows.sh: package installation and the environment
# for Debian's Rust (whose std sources allow -Zbuild-std for the Windows targets).

# Installs the Debian packages that are not installed yet, quietly, with sudo when not root.
need_packages() {
    local missing=()
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    local sudo=""
    if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
    echo "installing ${missing[*]}" >&2
    $sudo apt-get update -qq
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

# The Windows builds get their own target folder if asked (CMGELOG_WINDOWS_TARGET_DIR), else
# the usual one: their artifacts live under target/<triple>/ and never clash with Linux ones.
WIN_TARGET_DIR="${CMGELOG_WINDOWS_TARGET_DIR:-${CARGO_TARGET_DIR:-$PWD/target}}"
# The stripped release exe that build-windows.sh writes.
WINDOWS_EXE="$WIN_TARGET_DIR/windows/cmgelog.exe"

# Debian's cargo with Debian's rustc: rustup's come first on PATH, and a rustc that does not
# match the std sources fails build-std. RUSTC_BOOTSTRAP allows -Z on this stable compiler.
debian_cargo() {
    PATH="/usr/bin:$PATH" RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 CARGO_TARGET_DIR="$WIN_TARGET_DIR" \
        /usr/bin/cargo "$1" -Zbuild-std=std,panic_abort "${@:2}"
}
