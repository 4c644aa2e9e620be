#!/usr/bin/env bash
# fuzz-briefly.sh [SECONDS] - builds the libFuzzer targets with clang, ASan and
# UBSan (build-fuzz/) and runs each one for SECONDS (default 15) starting from
# its committed corpus. New inputs go to a scratch directory, not into the
# tree; a crash fails the run and leaves its input in build-fuzz/crashes/.
# To keep a crash as a regression input: minimise it (-minimize_crash=1),
# copy it to tests/fuzz/corpus/<target>/crash-<what>, and fix the parser.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-15}
if ! command -v clang >/dev/null; then
    echo "fuzz-briefly: clang is not installed; skipping the libFuzzer runs"
    exit 0
fi
if [ ! -f build-fuzz/build.ninja ]; then
    CC=clang meson setup build-fuzz -Dfuzzing=enabled -Db_sanitize=address,undefined \
        -Db_lundef=false -Dbuildtype=debugoptimized
fi
ninja -C build-fuzz
mkdir -p build-fuzz/crashes
fail=0
for exe in build-fuzz/tests/fuzz/fuzz_*; do
    [ -f "$exe" ] && [ -x "$exe" ] || continue
    name=$(basename "$exe"); name=${name#fuzz_}
    scratch=$(mktemp -d)
    echo "== fuzz $name for ${secs}s"
    if ! UBSAN_OPTIONS=halt_on_error=1 "$exe" -max_total_time="$secs" -rss_limit_mb=2048 \
            -timeout=10 -artifact_prefix=build-fuzz/crashes/"$name"- \
            "$scratch" tests/fuzz/corpus/"$name" >"$scratch.log" 2>&1; then
        echo "fuzz-briefly: $name FAILED"; tail -40 "$scratch.log"; fail=1
    else
        grep -E "^(#[0-9]+\s+DONE|Done)" "$scratch.log" | tail -1 || true
    fi
    rm -rf "$scratch" "$scratch.log"
done
exit $fail
