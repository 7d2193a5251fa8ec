#!/usr/bin/env bash
# Runs every fuzz target in turn, one process each (no -jobs), for RUNS executions (default 1,000,000).
# Each target's corpus starts from fuzz/seeds/<target>/ (real fixtures and samples) and grows
# in fuzz/corpus/<target>/ (not committed). A crash stops that target, leaves its input in
# fuzz/artifacts/<target>/, and the script exits non-zero after running the others.
# Needs the nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz --locked`).
set -uo pipefail
cd "$(dirname "$0")"
RUNS="${1:-1000000}"
TARGETS="dmidecode wmic_list systeminfo ipconfig setup_log rule_file manifest collect_spec bundle_zip evtx_records"
# No sanitizer (-s none): the code is safe Rust, so ASan finds nothing the panics and
# overflow checks (debug assertions stay on) do not, and it costs 2-3x in executions.
# Inputs up to 4 KiB (-max_len): longer ones only repeat lines the seeds already have.
cargo +nightly fuzz build -s none || exit 1
failed=""
for t in $TARGETS; do
    mkdir -p "corpus/$t"
    cp -n seeds/"$t"/* "corpus/$t/" 2>/dev/null
    echo "== $t ($RUNS runs)"
    # -rss_limit_mb: the analyzer must stay small on any input; -timeout: no input may take
    # seconds. -print_final_stats prints exec/s at the end.
    if ! cargo +nightly fuzz run -s none "$t" "corpus/$t" -- -runs="$RUNS" -max_len=4096 \
        -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 2>&1 | tee "fuzz-$t.log" | grep -E "^(Done|stat::|==[0-9]+==|SUMMARY|thread)"; then
        :
    fi
    if ! grep -q "^Done " "fuzz-$t.log"; then failed="$failed $t"; fi
done
if [ -n "$failed" ]; then echo "crashed or stopped:$failed"; exit 1; fi
echo "all targets ran $RUNS executions without a crash"
