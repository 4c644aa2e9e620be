#!/usr/bin/env bash
# quickstart.sh - the README's two commands.
#
#   tools/quickstart.sh demo   install what is missing, build, analyse a bundled capture
#   tools/quickstart.sh test   install what is missing, build, run every test suite:
#                              unit, golden, corpus, robust, fuzz replay, lint - in a
#                              normal build and again under AddressSanitizer + UBSan -
#                              then each libFuzzer target briefly (clang)
#
# Debian 12 (bookworm). Installs packages with apt-get when run as root, with
# sudo otherwise; says what to install when neither works.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(meson ninja-build pkg-config gcc python3 libwolfssl-dev libpcap-dev libpcre2-dev
          zlib1g-dev)
TEST_PACKAGES=(clang libclang-rt-14-dev clang-format python3-jsonschema openssl wget groff-base man-db chromium)

install_missing() { # package...
    local missing=()
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "quickstart: installing ${missing[*]}"
    local sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null; then sudo="sudo"; else
            echo "quickstart: please install as root: apt-get install ${missing[*]}" >&2
            exit 2
        fi
    fi
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
}

build() { # dir [meson options...]
    local dir=$1; shift
    if [ ! -f "$dir/build.ninja" ]; then
        meson setup "$dir" "$@"
    fi
    ninja -C "$dir"
}

case "${1:-}" in
demo)
    install_missing "${PACKAGES[@]}"
    build build
    echo
    echo "== tlsdiag analyze tests/data/captures/tls12-no-fitting-ca.pcap"
    set +e
    ./build/analyzer/tlsdiag analyze tests/data/captures/tls12-no-fitting-ca.pcap
    rc=$?
    set -e
    echo "(exit status $rc; see 'build/analyzer/tlsdiag --help')"
    ;;
test)
    install_missing "${PACKAGES[@]}" "${TEST_PACKAGES[@]}"
    build build
    meson test -C build --print-errorlogs
    build build-asan -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
        meson test -C build-asan --print-errorlogs
    tools/fuzz-briefly.sh 10
    ;;
*)
    echo "usage: tools/quickstart.sh demo|test" >&2
    exit 2
    ;;
esac
