#!/usr/bin/env bash
# run.sh TLSDIAG SOURCE_ROOT CASE_DIR
# Golden test: runs `tlsdiag analyze` in deterministic mode with the
# arguments in CASE_DIR/args (paths relative to SOURCE_ROOT) and diffs the
# text report with CASE_DIR/expected.txt (its first line says what the case
# proves and is not part of the report) and, when present, the JSON report
# with CASE_DIR/expected.json. CASE_DIR/exit holds the expected exit status
# (default 0). UPDATE_GOLDEN=1 rewrites the expectations for review.
set -uo pipefail
tlsdiag=$1 root=$2 case=$3
cd "$root" || exit 1
read -r -a args < "$case/args"
for a in "${args[@]}"; do
    if [[ $a != -* && ! -e $a ]]; then
        echo "SKIP: input $a is absent"; exit 77
    fi
done
want_rc=$(cat "$case/exit" 2>/dev/null || echo 0)
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0

"$tlsdiag" analyze --deterministic --color never "${args[@]}" >"$tmp/out.txt" 2>"$tmp/err.txt"
rc=$?
if [ "$rc" != "$want_rc" ]; then
    echo "FAIL: exit status $rc, want $want_rc"; cat "$tmp/err.txt"; fail=1
fi
if [ "${UPDATE_GOLDEN:-}" = 1 ]; then
    { head -n 1 "$case/expected.txt"; cat "$tmp/out.txt"; } >"$tmp/new.txt"
    mv "$tmp/new.txt" "$case/expected.txt"
elif ! diff -u <(tail -n +2 "$case/expected.txt") "$tmp/out.txt"; then
    echo "FAIL: text report differs (UPDATE_GOLDEN=1 to accept)"; fail=1
fi

if [ -f "$case/expected.json" ] || [ "${UPDATE_GOLDEN:-}" = 1 ]; then
    "$tlsdiag" analyze --deterministic --format json "${args[@]}" >"$tmp/out.json" 2>/dev/null
    if [ "${UPDATE_GOLDEN:-}" = 1 ]; then
        cp "$tmp/out.json" "$case/expected.json"
    elif ! diff -u "$case/expected.json" "$tmp/out.json"; then
        echo "FAIL: JSON report differs (UPDATE_GOLDEN=1 to accept)"; fail=1
    fi
fi
if [ $fail -eq 0 ]; then echo "1 passed, 0 failed"; else echo "0 passed, 1 failed"; fi
exit $fail
