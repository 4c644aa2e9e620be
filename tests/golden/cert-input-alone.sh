#!/usr/bin/env bash
# cert-input-alone.sh TLSDIAG SOURCE_ROOT
# A certificate file alone is nothing to analyse: `tlsdiag analyze CERT`
# exits 2 with one line that says what to do (give it with the capture or
# trace, or use tlsdiag check), for PEM and DER alike, and writes no report.
# A file that is neither capture, trace nor certificate names what is
# accepted.
set -uo pipefail
tlsdiag=$1 root=$2
cd "$root" || exit 1
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0 passed=0

expect() { # NAME WANT_RC WANT_STDERR_SUBSTRING ARGS...
    local name=$1 want_rc=$2 want=$3; shift 3
    "$tlsdiag" analyze --deterministic "$@" >"$tmp/out" 2>"$tmp/err"
    local rc=$?
    if [ "$rc" != "$want_rc" ]; then
        echo "FAIL $name: exit status $rc, want $want_rc"; cat "$tmp/err"; fail=$((fail + 1)); return
    fi
    if [ "$(wc -l <"$tmp/err")" != 1 ] || ! grep -qF -- "$want" "$tmp/err"; then
        echo "FAIL $name: stderr is not the one line with: $want"; cat "$tmp/err"
        fail=$((fail + 1)); return
    fi
    if [ -s "$tmp/out" ]; then
        echo "FAIL $name: a report was written"; fail=$((fail + 1)); return
    fi
    passed=$((passed + 1))
}

pem=tests/data/pki/client-a-chain.pem der=tests/data/pki/client-a.der
expect "PEM alone" 2 "tlsdiag: $pem is a certificate: give it with the capture or trace of the failing call, or use 'tlsdiag check --cert $pem --ca-names LIST | --from INPUT | --server HOST'" "$pem"
expect "DER alone" 2 "tlsdiag: $der is a certificate: give it with the capture or trace" "$der"
printf 'hello\n' >"$tmp/notes.txt"
expect "neither" 2 "not a pcap/pcapng capture (also .gz), an SAP ICM trace or a PEM/DER certificate" "$tmp/notes.txt"
# A DER SEQUENCE that is not a certificate: the decoder decides.
printf '\x30\x82\x00\x06\x30\x04\x02\x01\x00\x00' >"$tmp/fake.der"
expect "DER lookalike" 2 "not a pcap/pcapng capture (also .gz), an SAP ICM trace or a PEM/DER certificate" "$tmp/fake.der"
# Text before the PEM block (openssl x509 -text) is still a certificate.
{ printf 'Certificate:\n    Data: ...\n'; cat "$pem"; } >"$tmp/text.pem"
expect "PEM after text" 2 "$tmp/text.pem is a certificate" "$tmp/text.pem"

echo "$passed passed, $fail failed"
[ $fail -eq 0 ]
