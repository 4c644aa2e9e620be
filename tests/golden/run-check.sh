#!/usr/bin/env bash
# run-check.sh TLSDIAG SOURCE_ROOT CASE_DIR
# Golden test for `tlsdiag check`: runs it in deterministic mode at a fixed
# time (2027-01-01T00:00:00Z, inside the test PKI's validity) with the
# arguments in CASE_DIR/args (paths relative to SOURCE_ROOT) and diffs the
# text report with CASE_DIR/expected.txt (first line: what the case proves)
# and the JSON report with CASE_DIR/expected.json; for a case whose exit
# status (CASE_DIR/exit, default 0) is 2, the first line of standard error
# is compared instead. UPDATE_GOLDEN=1 rewrites the expectations.
set -uo pipefail
tlsdiag=$1 root=$2 case=$3
cd "$root" || exit 1
read -r -a args < "$case/args"
want_rc=$(cat "$case/exit" 2>/dev/null || echo 0)
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0
run() {
    "$tlsdiag" check --deterministic --time 1798761600 "$@" "${args[@]}"
}
run >"$tmp/out.txt" 2>"$tmp/err.txt"
rc=$?
if [ "$rc" != "$want_rc" ]; then
    echo "FAIL: exit status $rc, want $want_rc"; cat "$tmp/err.txt"; fail=1
fi
if [ "$want_rc" = 2 ]; then
    head -n 1 "$tmp/err.txt" >"$tmp/out.txt"
fi
if [ "${UPDATE_GOLDEN:-}" = 1 ]; then
    { head -n 1 "$case/expected.txt"; cat "$tmp/out.txt"; } >"$tmp/new.txt"
    mv "$tmp/new.txt" "$case/expected.txt"
elif ! diff -u <(tail -n +2 "$case/expected.txt") "$tmp/out.txt"; then
    echo "FAIL: text report differs (UPDATE_GOLDEN=1 to accept)"; fail=1
fi
if [ "$want_rc" != 2 ]; then
    run --format json >"$tmp/out.json" 2>/dev/null
    if [ "${UPDATE_GOLDEN:-}" = 1 ]; then
        cp "$tmp/out.json" "$case/expected.json"
    elif ! diff -u "$case/expected.json" "$tmp/out.json"; then
        echo "FAIL: JSON report differs (UPDATE_GOLDEN=1 to accept)"; fail=1
    fi
fi
if [ $fail -eq 0 ]; then echo "1 passed, 0 failed"; else echo "0 passed, 1 failed"; fi
exit $fail
