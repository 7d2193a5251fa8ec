#!/usr/bin/env bash
# Benchmarks against the limits of issue 9: prints a table of ratios, each measured in this run,
# on the same data, against a baseline that does the least work the task allows. Machines are
# shared and noisy, so only the ratios are meant to be compared between runs; the absolute
# figures are printed beside them so that a ratio can be checked.
#
#   bash benches/run.sh
#
# Needs ../shared (the corpus tool and the EVTX samples) beside the repository, as in CI.
# Installs what is missing: evtx_dump (cargo install, into the target dir), the tus test server
# (npm ci), GNU time and curl (apt-get). Knobs (environment):
#   BENCH_REPEAT=3        runs of each timed command; the shortest counts (least disturbed)
#   BENCH_COUNT=200       bundles of the throughput corpus (2 .evtx per bundle)
#   BENCH_BIG_COUNT=2000  bundles of the peak-memory corpus
#   BENCH_BIG_EVTX=1      .evtx per bundle in the peak-memory corpus (its first BENCH_COUNT
#                         bundles are the small run, so both runs see the same kind of data)
#   BENCH_UPLOAD_MIB=300  size of the uploaded file
#   BENCH_KEEP=1          keep the work folder
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SHARED=$(cd "$ROOT/.." && pwd)/shared
REPEAT=${BENCH_REPEAT:-3}
COUNT=${BENCH_COUNT:-200}
BIG_COUNT=${BENCH_BIG_COUNT:-2000}
BIG_EVTX=${BENCH_BIG_EVTX:-1}
UPLOAD_MIB=${BENCH_UPLOAD_MIB:-300}
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
TOOLS=$TARGET/bench-tools
# What is measured is the binary that is handed out (scripts/build-linux.sh: static-pie); the
# ordinary dynamic build (`cargo build --release`) gets a row of its own for the small logs.
DYN_BIN=$TARGET/release/cmgelog
EVTX_VERSION=0.15.1 # the version cmgelog links, so both parse with the same crate

say() { printf '%s\n' "$*" >&2; }
die() {
    say "benches/run.sh: $*"
    exit 1
}

[[ -x $SHARED/tools/make-corpus ]] || [[ -f $SHARED/tools/make-corpus ]] ||
    die "$SHARED/tools/make-corpus is missing: clone the shared folder beside the repository (../shared), as CI does"
[[ -d $SHARED/data/evtx ]] || die "$SHARED/data/evtx is missing (the EVTX samples of ../shared)"

# ---- tools ----
apt_install() {
    say "installing $* (apt-get)"
    local sudo=
    [[ $(id -u) -eq 0 ]] || sudo=sudo
    $sudo apt-get install -y -qq "$@" >/dev/null
}
[[ -x /usr/bin/time ]] || apt_install time
command -v curl >/dev/null || apt_install curl
command -v python3 >/dev/null || die "python3 is needed (the corpus tool and the inflate baseline)"
command -v node >/dev/null || die "node is needed for the tus server (apt-get install nodejs npm)"

say "building cmgelog (scripts/build-linux.sh, and cargo build --release)"
BUILT=$(bash "$ROOT/scripts/build-linux.sh" --quiet)
(cd "$ROOT" && cargo build --release --locked --quiet)
# Both measured as installed, as evtx_dump is (`cargo install` copies it): a copy, not the file
# the linker wrote. The kernel caches a file the linker wrote through a memory map in small
# pages, and a copy in large ones; a process maps its code from that cache, so the linker's
# file took 317 page faults for a small analysis where its copy took 264.
install -D -m 0755 "$BUILT" "$TOOLS/installed/cmgelog"
install -D -m 0755 "$DYN_BIN" "$TOOLS/installed/cmgelog-dynamic"
BIN=$TOOLS/installed/cmgelog
DYN_BIN=$TOOLS/installed/cmgelog-dynamic

if [[ ! -x $TOOLS/bin/evtx_dump ]]; then
    say "installing evtx_dump $EVTX_VERSION into $TOOLS"
    cargo install evtx --version "$EVTX_VERSION" --locked --quiet --root "$TOOLS"
fi
EVTX_DUMP=$TOOLS/bin/evtx_dump

if [[ ! -d $ROOT/tests/upload-servers/node_modules/@tus/server ]]; then
    say "installing the tus server (npm ci)"
    npm ci --prefix "$ROOT/tests/upload-servers" --silent >/dev/null
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/cmgelog-bench.XXXXXX")
SERVER_PID=
cleanup() {
    if [[ -n $SERVER_PID ]]; then kill "$SERVER_PID" 2>/dev/null || true; fi
    if [[ -n ${BENCH_KEEP:-} ]]; then say "work folder kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

# ---- timing ----
# time_best NAME CMD...: runs CMD and keeps its shortest wall time (seconds) in BEST[NAME] and
# its shortest CPU time (user + system of the processes it ran) in CPU[NAME]. Callers interleave
# the runs of a measurement and its baseline, so that a burst of load from other jobs on the
# machine hits both. CPU time is what a single-threaded measurement costs even when other
# jobs hold the cores; wall time is what parallel runs are judged by.
declare -A BEST CPU
# `times` must run in this shell (not in a pipe or $(...), which are subshells with no
# children of their own): its second line is the CPU time of all finished children.
children_cpu() {
    times >"$WORK/times"
    awk 'NR == 2 { gsub(/[ms]/, " "); print $1 * 60 + $2 + $3 * 60 + $4 }' "$WORK/times"
}
time_best() {
    local name=$1
    shift
    children_cpu >"$WORK/cpu0"
    local t0=$EPOCHREALTIME
    "$@"
    local t1=$EPOCHREALTIME
    children_cpu >"$WORK/cpu1"
    local c0 c1
    c0=$(<"$WORK/cpu0")
    c1=$(<"$WORK/cpu1")
    local dt dc
    dt=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", b - a }')
    dc=$(awk -v a="$c0" -v b="$c1" 'BEGIN { printf "%.4f", b - a }')
    if [[ -z ${BEST[$name]:-} ]] || awk -v x="$dt" -v y="${BEST[$name]}" 'BEGIN { exit !(x < y) }'; then
        BEST[$name]=$dt
    fi
    if [[ -z ${CPU[$name]:-} ]] || awk -v x="$dc" -v y="${CPU[$name]}" 'BEGIN { exit !(x < y) }'; then
        CPU[$name]=$dc
    fi
}
# calc EXPR: floating-point arithmetic.
calc() { awk "BEGIN { printf \"%.2f\", $1 }"; }
# cmgelog exits 1 for findings and 2 for damaged inputs: both are normal here; more is not.
cm() {
    local rc=0
    "$BIN" "$@" || rc=$?
    ((rc <= 2)) || die "cmgelog $* exited $rc"
}

ROWS=()
# row MEASURE CMGELOG BASELINE RATIO TARGET MET
row() { ROWS+=("$(printf '%s\t%s\t%s\t%s\t%s\t%s' "$@")"); }
met() { awk -v r="$1" -v t="$2" 'BEGIN { print (r >= t) ? "met" : "MISSED" }'; }

# ---- 1. batch throughput ----
say "making the corpus: $COUNT bundles (make-corpus --seed 1)"
CORPUS=$WORK/corpus
python3 "$SHARED/tools/make-corpus" --out "$CORPUS" --count "$COUNT" --seed 1 >/dev/null
BYTES=$(python3 "$ROOT/benches/inflate.py" "$CORPUS") # also warms the page cache
MB=$(calc "$BYTES / 1e6")

inflate() { python3 "$ROOT/benches/inflate.py" "$CORPUS" >/dev/null; }
batch1() { cm batch "$CORPUS" --jobs 1 --out "$WORK/batch.jsonl"; }
batch2() { cm batch "$CORPUS" --jobs 2 --out "$WORK/batch.jsonl"; }
say "batch: $COUNT bundles, $MB MB uncompressed, best of $REPEAT"
for _ in $(seq "$REPEAT"); do
    time_best inflate inflate
    time_best batch1 batch1
    time_best batch2 batch2
done
rate() { calc "$MB / $1"; }
R1=$(rate "${BEST[batch1]}")
RP=$(rate "${BEST[inflate]}")
R2=$(rate "${BEST[batch2]}")
RATIO=$(calc "$R1 / $RP")
row "batch --jobs 1 vs Python zipfile inflate (MB/s, wall)" "$R1" "$RP" "$RATIO" "≥ 0.8" "$(met "$RATIO" 0.8)"
C1=$(rate "${CPU[batch1]}")
CP=$(rate "${CPU[inflate]}")
RATIO=$(calc "$C1 / $CP")
row "batch --jobs 1 vs Python zipfile inflate (MB per CPU second)" "$C1" "$CP" "$RATIO" "≥ 0.8" "$(met "$RATIO" 0.8)"
RATIO=$(calc "$R2 / $R1")
row "batch --jobs 2 vs --jobs 1 (MB/s, wall)" "$R2" "$R1" "$RATIO" "≥ 1.8" "$(met "$RATIO" 1.8)"
# Parallel runs must not cost more work in all: CPU seconds of --jobs 2 over --jobs 1.
RATIO=$(calc "${CPU[batch2]} / ${CPU[batch1]}")
row "batch CPU time, --jobs 2 vs --jobs 1 (s)" "${CPU[batch2]}" "${CPU[batch1]}" "$RATIO" "≈ 1" "$(awk -v r="$RATIO" 'BEGIN { print (r <= 1.1) ? "met" : "MISSED" }')"

# ---- 2. peak memory ----
say "making the memory corpus: $BIG_COUNT bundles, $BIG_EVTX .evtx each"
BIG=$WORK/big
python3 "$SHARED/tools/make-corpus" --out "$BIG" --count "$BIG_COUNT" --seed 1 --evtx-per-bundle "$BIG_EVTX" >/dev/null
# Bundle i depends only on (seed, i): the first COUNT bundles are the small run. Hard links,
# not symbolic ones: batch does not follow symbolic links when it searches a folder.
SMALL=$WORK/small
mkdir -p "$SMALL"
for f in $(ls "$BIG" | sort | head -n "$COUNT"); do ln "$BIG/$f" "$SMALL/$f" 2>/dev/null || cp "$BIG/$f" "$SMALL/$f"; done
peak_mib() {
    local log=$WORK/time.log rc=0
    /usr/bin/time -v "$BIN" batch "$1" --jobs 2 --out "$WORK/mem.jsonl" 2>"$log" >/dev/null || rc=$?
    ((rc <= 2)) || die "cmgelog batch $1 exited $rc: $(tail -5 "$log")"
    awk -F': ' '/Maximum resident set size/ { printf "%.1f", $2 / 1024 }' "$log"
}
say "peak RSS: $COUNT and $BIG_COUNT bundles (--jobs 2)"
SMALL_MIB=$(peak_mib "$SMALL")
BIG_MIB=$(peak_mib "$BIG")
RATIO=$(calc "$BIG_MIB / $SMALL_MIB")
FLAT=$(awk -v r="$RATIO" -v b="$BIG_MIB" 'BEGIN { print (r <= 1.25 && b < 256) ? "met" : "MISSED" }')
row "peak RSS, $BIG_COUNT vs $COUNT bundles (MiB, $BIG_EVTX evtx/bundle)" "$BIG_MIB" "$SMALL_MIB" "$RATIO" "flat, < 256" "$FLAT"

# ---- 2b. peak RSS of one large bundle ----
# The shape of a real collection's largest: System 128 MiB, Application 64 MiB, CBS.log 120 MiB,
# built from real samples by repetition (benches/large_bundle.py); one `analyze` process.
LARGE=$WORK/large.zip
python3 "$ROOT/benches/large_bundle.py" "$LARGE" >/dev/null
say "peak RSS: analyze of a large bundle ($(calc "$(stat -c %s "$LARGE") / 1048576") MiB zipped)"
LOG=$WORK/time-large.log
rc=0
/usr/bin/time -v "$BIN" analyze "$LARGE" --format json >/dev/null 2>"$LOG" || rc=$?
((rc <= 2)) || die "cmgelog analyze $LARGE exited $rc: $(tail -5 "$LOG")"
LARGE_MIB=$(awk -F': ' '/Maximum resident set size/ { printf "%.1f", $2 / 1024 }' "$LOG")
row "peak RSS, analyze of one large bundle (MiB; 312 MiB of logs unpacked)" "$LARGE_MIB" "-" "-" "≤ 256" "$(awk -v m="$LARGE_MIB" 'BEGIN { print (m <= 256) ? "met" : "MISSED" }')"

# ---- 3. EVTX ----
EVTX_FILES=("$SHARED"/data/evtx/*.evtx)
EVTX_BYTES=$(cat "${EVTX_FILES[@]}" | wc -c)
EVTX_MB=$(calc "$EVTX_BYTES / 1e6")
# One process per file for both, so both pay their start-up the same number of times.
# evtx_dump gets one thread: cmgelog reads a file on one thread too.
scan_all() { for f in "${EVTX_FILES[@]}"; do cm analyze "$f" --format json >/dev/null 2>&1; done; }
dump_all() { for f in "${EVTX_FILES[@]}"; do "$EVTX_DUMP" -t 1 -o jsonl "$f" >/dev/null 2>&1 || true; done; }
say "EVTX: ${#EVTX_FILES[@]} files, $EVTX_MB MB, best of $((REPEAT * 2))"
for _ in $(seq $((REPEAT * 2))); do
    time_best scan scan_all
    time_best dump dump_all
done
RS=$(calc "$EVTX_MB / ${BEST[scan]}")
RD=$(calc "$EVTX_MB / ${BEST[dump]}")
RATIO=$(calc "$RS / $RD")
row "EVTX rule scan vs evtx_dump -t 1 -o jsonl (MB/s, wall)" "$RS" "$RD" "$RATIO" "≥ 0.7" "$(met "$RATIO" 0.7)"
RS=$(calc "$EVTX_MB / ${CPU[scan]}")
RD=$(calc "$EVTX_MB / ${CPU[dump]}")
RATIO=$(calc "$RS / $RD")
row "EVTX rule scan vs evtx_dump -t 1 -o jsonl (MB per CPU second)" "$RS" "$RD" "$RATIO" "≥ 0.7" "$(met "$RATIO" 0.7)"

# ---- 3b. EVTX: many small real logs, one process each ----
# 259 real one-chunk logs of EVTX-ATTACK-SAMPLES (benches/corpus/README.md): here the fixed
# cost of a process (loading the rules, building the event filter) is most of the work.
SMALL_EVTX=$WORK/evtx-small
mkdir -p "$SMALL_EVTX"
tar -xzf "$ROOT/benches/corpus/evtx-attack-samples.tar.gz" -C "$SMALL_EVTX"
SMALL_FILES=("$SMALL_EVTX"/evtx-attack-samples/*.evtx)
SMALL_MB=$(calc "$(cat "${SMALL_FILES[@]}" | wc -c) / 1e6")
small_scan() { for f in "${SMALL_FILES[@]}"; do cm analyze "$f" --format json >/dev/null 2>&1; done; }
small_scan_dyn() { for f in "${SMALL_FILES[@]}"; do "$DYN_BIN" analyze "$f" --format json >/dev/null 2>&1 || true; done; }
small_dump() { for f in "${SMALL_FILES[@]}"; do "$EVTX_DUMP" -t 1 -o jsonl "$f" >/dev/null 2>&1 || true; done; }
# Each loop takes half a second: best of three times as many rounds as the others, alternated,
# so that a neighbour's burst does not decide the ratio (best-of-3 moved it by a fifth).
say "EVTX, many small logs: ${#SMALL_FILES[@]} files, $SMALL_MB MB, best of $((REPEAT * 3))"
for _ in $(seq $((REPEAT * 3))); do
    time_best small_scan small_scan
    time_best small_scan_dyn small_scan_dyn
    time_best small_dump small_dump
done
RS=$(calc "$SMALL_MB / ${CPU[small_scan]}")
RD=$(calc "$SMALL_MB / ${CPU[small_dump]}")
RATIO=$(calc "$RS / $RD")
row "EVTX, ${#SMALL_FILES[@]} small real logs, a process each, vs evtx_dump (MB per CPU second)" "$RS" "$RD" "$RATIO" "≥ 0.7" "$(met "$RATIO" 0.7)"
RS=$(calc "$SMALL_MB / ${CPU[small_scan_dyn]}")
RATIO=$(calc "$RS / $RD")
row "the same, the dynamic build (cargo build --release; MB per CPU second)" "$RS" "$RD" "$RATIO" "(reference)" "-"
# The fixed cost itself: one tiny file that is no log at all.
printf 'x' >"$WORK/tiny.txt"
tiny() { for _ in $(seq 100); do cm analyze "$WORK/tiny.txt" >/dev/null 2>&1 || true; done; }
for _ in $(seq "$REPEAT"); do time_best tiny tiny; done
TINY_MS=$(calc "${CPU[tiny]} * 10")
row "analyze of a 1-byte file: CPU per process (ms)" "$TINY_MS" "-" "-" "≤ 3" "$(awk -v t="$TINY_MS" 'BEGIN { print (t <= 3) ? "met" : "MISSED" }')"

# Error paths with RUST_BACKTRACE=1 (this machine sets it): the damaged sample, both ways.
DAMAGED=$SHARED/data/evtx/sample_with_a_bad_chunk_magic.evtx
bt_scan() { RUST_BACKTRACE=$1 cm analyze "$DAMAGED" --format json >/dev/null 2>&1; }
bt_dump() { RUST_BACKTRACE=$1 "$EVTX_DUMP" -t 1 -o jsonl "$DAMAGED" >/dev/null 2>&1 || true; }
for _ in $(seq $((REPEAT * 2))); do
    time_best scan_bt0 bt_scan 0
    time_best scan_bt1 bt_scan 1
    time_best dump_bt0 bt_dump 0
    time_best dump_bt1 bt_dump 1
done
ms() { calc "$1 * 1000"; }
RATIO=$(calc "${BEST[scan_bt1]} / ${BEST[scan_bt0]}")
row "damaged EVTX, cmgelog: RUST_BACKTRACE=1 vs 0 (ms)" "$(ms "${BEST[scan_bt1]}")" "$(ms "${BEST[scan_bt0]}")" "$RATIO" "≈ 1" \
    "$(awk -v r="$RATIO" 'BEGIN { print (r <= 1.2) ? "met" : "MISSED" }')"
RATIO=$(calc "${BEST[dump_bt1]} / ${BEST[dump_bt0]}")
row "damaged EVTX, evtx_dump: RUST_BACKTRACE=1 vs 0 (ms)" "$(ms "${BEST[dump_bt1]}")" "$(ms "${BEST[dump_bt0]}")" "$RATIO" "(reference)" "-"

# ---- 4. upload ----
USER_NAME=bench
PASSWORD=bench-password
STORE=$WORK/tus-store
mkdir -p "$STORE"
FILE=$WORK/upload.bin
head -c $((UPLOAD_MIB * 1024 * 1024)) /dev/urandom >"$FILE"
UPLOAD_BYTES=$(stat -c %s "$FILE")
node "$ROOT/tests/upload-servers/tus.mjs" "$STORE" 0 "$USER_NAME:$PASSWORD" >"$WORK/tus.out" 2>"$WORK/tus.err" &
SERVER_PID=$!
for _ in $(seq 100); do
    grep -q '^listening ' "$WORK/tus.out" 2>/dev/null && break
    sleep 0.1
done
PORT=$(awk '/^listening / { print $2 }' "$WORK/tus.out")
[[ -n $PORT ]] || die "the tus server did not start: $(cat "$WORK/tus.err")"
ENDPOINT=http://127.0.0.1:$PORT/files/
clear_store() { find "$STORE" -mindepth 1 -delete; }
up_cmgelog() {
    CMGELOG_PASSWORD=$PASSWORD "$BIN" upload "$FILE" --url "$ENDPOINT" --user "$USER_NAME" \
        --protocol tus --quiet "$@" >/dev/null || die "cmgelog upload failed"
    clear_store
}
# curl: create the upload (POST) and send the whole file in one PATCH, the least a tus
# client can do.
up_curl() {
    local location
    location=$(curl -sS -u "$USER_NAME:$PASSWORD" -X POST -H 'Tus-Resumable: 1.0.0' \
        -H "Upload-Length: $UPLOAD_BYTES" -o /dev/null -D - "$ENDPOINT" |
        awk 'tolower($1) == "location:" { print $2 }' | tr -d '\r')
    [[ -n $location ]] || die "curl: the tus server gave no Location"
    [[ $location == http* ]] || location=http://127.0.0.1:$PORT$location
    curl -sS -f -u "$USER_NAME:$PASSWORD" -X PATCH -H 'Tus-Resumable: 1.0.0' -H 'Upload-Offset: 0' \
        -H 'Content-Type: application/offset+octet-stream' --data-binary @"$FILE" -o /dev/null "$location" ||
        die "curl PATCH failed"
    clear_store
}
say "upload: $UPLOAD_MIB MiB to the tus server on 127.0.0.1:$PORT, best of $REPEAT"
for _ in $(seq "$REPEAT"); do
    time_best curl up_curl
    time_best up4 up_cmgelog --chunk-size $((4 * 1024 * 1024))
    time_best up32 up_cmgelog # the default chunk size, 32 MiB
done
MIB=$(calc "$UPLOAD_BYTES / 1048576")
RC=$(calc "$MIB / ${BEST[curl]}")
for c in 4 32; do
    RU=$(calc "$MIB / ${BEST[up$c]}")
    RATIO=$(calc "$RU / $RC")
    label="--chunk-size $c MiB"
    [[ $c == 32 ]] && label="default chunk size (32 MiB)"
    row "upload tus, $label vs curl one PATCH (MiB/s)" "$RU" "$RC" "$RATIO" "≥ 0.9" "$(met "$RATIO" 0.9)"
done
kill "$SERVER_PID" 2>/dev/null || true
wait "$SERVER_PID" 2>/dev/null || true
SERVER_PID=

# ---- 5. collector ----
python3 "$ROOT/benches/collect-script.py" "$ROOT/specs/linux.toml" "$WORK/collect-sh" >"$WORK/collect.sh"
collect_cm() {
    rm -rf "$WORK/collect-cm" && mkdir -p "$WORK/collect-cm"
    "$BIN" collect --yes --quiet --out "$WORK/collect-cm" "$@" >/dev/null 2>&1 || die "cmgelog collect failed"
}
collect_sh() { rm -rf "$WORK/collect-sh" && sh "$WORK/collect.sh"; }
say "collector: built-in Linux spec vs a generated shell script, best of $REPEAT"
for _ in $(seq "$REPEAT"); do
    time_best collect_sh collect_sh
    time_best collect_cm collect_cm
    time_best collect_cm1 collect_cm --jobs 1
done
for v in collect_cm collect_cm1; do
    RATIO=$(calc "${BEST[collect_sh]} / ${BEST[$v]}")
    jobs=4
    [[ $v == collect_cm1 ]] && jobs=1
    row "collect (--jobs $jobs) vs sequential sh script (s; ratio = speed-up)" "${BEST[$v]}" "${BEST[collect_sh]}" "$RATIO" "(none)" "-"
done

# ---- table ----
printf '\ncmgelog %s, %s, nproc %s, %s, %s MiB RAM\n' "$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')" \
    "$(date -u +%Y-%m-%d)" "$(nproc)" "$(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)" \
    "$(awk '/MemTotal/ { printf "%d", $2 / 1024 }' /proc/meminfo)"
printf 'load average at the end: %s\n' "$(cut -d" " -f1-3 /proc/loadavg)"
printf 'cmgelog measured: %s, a copy of %s (%s)\n' "${BIN#"$ROOT"/}" "${BUILT#"$ROOT"/}" "$(file -b "$BIN" | cut -d, -f1-2,4)"
printf 'best of %s runs; batch corpus %s bundles, %s MB uncompressed; EVTX %s files, %s MB; upload %s MiB\n\n' \
    "$REPEAT" "$COUNT" "$MB" "${#EVTX_FILES[@]}" "$EVTX_MB" "$UPLOAD_MIB"
printf '| %s | %s | %s | %s | %s | %s |\n' measure cmgelog baseline ratio target result
printf '|---|---:|---:|---:|---|---|\n'
for r in "${ROWS[@]}"; do
    IFS=$'\t' read -r a b c d e f <<<"$r"
    printf '| %s | %s | %s | %s | %s | %s |\n' "$a" "$b" "$c" "$d" "$e" "$f"
done
