#!/usr/bin/env bash
# lint.sh - the house rules a compiler does not check (STYLE.md 6):
# banned functions, memcpy only in buffer code, no // comments, and
# clang-format conformance when clang-format is installed.
set -uo pipefail
root=${1:?source root}
cd "$root"
fail=0
files=$(git ls-files '*.c' '*.h' 2>/dev/null || find . -name '*.[ch]' -not -path './build*')

banned='\b(strcpy|strcat|sprintf|vsprintf|strtok|atoi|atol|gets)\s*\('
if grep -nE "$banned" $files; then
    echo "lint: banned function (use snprintf, strtoul, cursor code)"; fail=1
fi
# memcpy belongs to cursor, buffer and arena code and to tests' fixtures.
allowed='parsers/(cursor|evidence|tls_handshake|tls_stream|tls_keylog)\.c|captures/(flows|probe)\.c|tests/|analyzer/json_writer\.c'
if grep -nE '\bmemcpy\s*\(' $files | grep -vE "^($allowed)"; then
    echo "lint: memcpy outside cursor/buffer code"; fail=1
fi
if grep -nE '^\s*//|[;{}]\s*//' $(echo "$files" | grep -v '^tests/fuzz/') ; then
    echo "lint: use /* */ comments"; fail=1
fi
if command -v clang-format >/dev/null; then
    bad=$(for f in $files; do clang-format --dry-run "$f" 2>&1 | grep -q warning && echo "$f"; done)
    if [ -n "$bad" ]; then
        echo "lint: not clang-formatted (run clang-format -i):"; echo "$bad"; fail=1
    fi
fi
if [ $fail -eq 0 ]; then echo "1 passed, 0 failed"; else echo "0 passed, 1 failed"; fi
exit $fail
