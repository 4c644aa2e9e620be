#!/usr/bin/env bash
# make-captures.sh - generate the real-stack TLS fixture captures for tlsdiag.
#
# Every capture is a real handshake between real TLS stacks (OpenSSL 3.0
# s_server/s_client, GnuTLS 3.7 gnutls-serv/gnutls-cli, Python's ssl module)
# on the loopback interface of a private network namespace, recorded with
# tcpdump. After each capture the generator runs the shared tshark reference
# tool (tshark-ref.sh), derives the facts (TLS version, CA names in the
# CertificateRequest, client certificates, alerts, outcome) from its output,
# compares them with the facts this script expects and stops with an error
# on any difference. The verified facts are written to MANIFEST.tsv.
#
# Usage (as root: tcpdump, ip netns and ethtool need it):
#   tests/gen/make-captures.sh [--regen-pki] [--keep-work] [SCENARIO...]
#     --regen-pki   throw the test PKI away and make a new one (default: keep
#                   tests/data/pki/ when it is complete, make it when not)
#     --keep-work   keep the scratch directory (server/client logs)
#     SCENARIO      only these (names as in MANIFEST.tsv without extension);
#                   default: all. MANIFEST.tsv is rewritten from the rows of
#                   all scenarios whose capture exists.
#
# Needs (Debian 12): openssl gnutls-bin wget tcpdump tshark (editcap) iproute2
#   (ip, ss) ethtool coreutils (timeout) python3; and the shared tool
#   ../shared/tools/tshark-ref.sh (override with TSHARK_REF=path).
#
# Outputs: tests/data/pki/ (test-only keys and certificates), and in
#   tests/data/captures/: NAME.pcap or NAME.pcapng, NAME.*.keylog (TLS 1.3),
#   NAME.*.tshark.tsv (reference listings), MANIFEST.tsv.
# The names are fixed, reruns overwrite them; byte contents differ from run to
# run (randomness, timestamps), the facts in MANIFEST.tsv do not.
set -euo pipefail

PROG=make-captures.sh
die() { echo "$PROG: error: $*" >&2; exit 1; }
say() { echo "$PROG: $*" >&2; }

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
PKI=$REPO/tests/data/pki
OUT=$REPO/tests/data/captures
TSHARK_REF=${TSHARK_REF:-$REPO/../shared/tools/tshark-ref.sh}
PYTHON=${PYTHON:-python3}
NS=tlsdiag-fixgen            # private network namespace, deleted at exit
SUBJ_TAIL="/C=DE/O=tlsdiag fixtures"

REGEN_PKI=0; KEEP_WORK=0; ONLY=()
while [ $# -gt 0 ]; do
  case "$1" in
    --regen-pki) REGEN_PKI=1 ;;
    --keep-work) KEEP_WORK=1 ;;
    -h|--help) awk 'NR>1 && /^set -euo/{exit} NR>1' "$0"; exit 0 ;;
    -*) die "unknown option $1 (see --help)" ;;
    *) ONLY+=("$1") ;;
  esac
  shift
done

# ---------------------------------------------------------------- preflight
if [ "$(id -u)" -ne 0 ]; then
  die "must run as root: it creates a network namespace (ip netns), changes
  its loopback MTU/offloads (ip link, ethtool) and captures with tcpdump.
  Run:  sudo $0 $*"
fi
missing=()
for t in openssl gnutls-serv gnutls-cli wget tcpdump tshark editcap ip ss ethtool timeout "$PYTHON"; do
  command -v "$t" >/dev/null 2>&1 || missing+=("$t")
done
[ ${#missing[@]} -eq 0 ] || die "missing tools: ${missing[*]}
  Debian: apt-get install openssl gnutls-bin wget tcpdump tshark iproute2 ethtool python3"
[ -r "$TSHARK_REF" ] || die "tshark reference tool not found at $TSHARK_REF (set TSHARK_REF=...)"
"$PYTHON" -c 'import ssl' 2>/dev/null || die "$PYTHON has no ssl module (set PYTHON=/usr/bin/python3)"

WORK=$(mktemp -d /tmp/tlsdiag-fixgen.XXXXXX)
cleanup() {
  local p
  for p in $(jobs -p); do kill "$p" 2>/dev/null || true; done   # only our own background jobs
  ip netns del "$NS" 2>/dev/null || true
  if [ "$KEEP_WORK" = 1 ]; then say "scratch kept in $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

T0=$(date +%s)
mkfifo "$WORK/hold.fifo"
exec 9<>"$WORK/hold.fifo"

# ---------------------------------------------------------------- test PKI
# All keys made here are TEST KEYS, published in the repository: never use
# them for anything but these fixtures. Key files are named *.TEST-KEY.pem.
MINCNF=$WORK/min.cnf
printf '[req]\ndistinguished_name=dn\n[dn]\n' >"$MINCNF"

EC=(-newkey ec -pkeyopt ec_paramgen_curve:P-256)
RSA=(-newkey rsa:2048)
CA_EXT=(-addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign")
INT_EXT=(-addext "basicConstraints=critical,CA:TRUE,pathlen:0" -addext "keyUsage=critical,keyCertSign,cRLSign")
CLI_EXT=(-addext "basicConstraints=critical,CA:FALSE" -addext "keyUsage=critical,digitalSignature"
         -addext "extendedKeyUsage=clientAuth")
SRV_EXT=(-addext "basicConstraints=critical,CA:FALSE" -addext "keyUsage=critical,digitalSignature,keyEncipherment"
         -addext "extendedKeyUsage=serverAuth"
         -addext "subjectAltName=DNS:localhost,DNS:server.tlsdiag.test,IP:127.0.0.1,IP:::1")

# mkcert NAME CN KEYALG(ec|rsa) DAYS ISSUER(self|name) EXT-ARRAY-NAME
mkcert() {
  local name=$1 cn=$2 alg=$3 days=$4 issuer=$5 extname=$6[@]
  local ka=("${EC[@]}"); [ "$alg" = rsa ] && ka=("${RSA[@]}")
  local sign=()
  [ "$issuer" != self ] && sign=(-CA "$PKI/$issuer.pem" -CAkey "$PKI/$issuer.TEST-KEY.pem")
  openssl req -x509 -config "$MINCNF" "${sign[@]}" "${ka[@]}" -nodes \
    -keyout "$PKI/$name.TEST-KEY.pem" -subj "$SUBJ_TAIL/CN=$cn" -days "$days" \
    "${!extname}" -out "$PKI/$name.pem" 2>/dev/null
}

# an already expired leaf: `openssl ca` is the only OpenSSL 3.0 command that
# takes an explicit start and end date (x509 -not_before needs 3.4+).
mk_expired() {
  local name=$1 cn=$2 issuer=$3 d=$WORK/ca-expired
  mkdir -p "$d/new"; : >"$d/index.txt"; echo 1000 >"$d/serial"
  cat >"$d/ca.cnf" <<EOF
[ca]
default_ca = c
[c]
database = $d/index.txt
serial = $d/serial
new_certs_dir = $d/new
default_md = sha256
policy = p
unique_subject = no
[p]
countryName = optional
organizationName = optional
commonName = supplied
[ext]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOF
  openssl req -new -config "$MINCNF" "${EC[@]}" -nodes -keyout "$PKI/$name.TEST-KEY.pem" \
    -subj "$SUBJ_TAIL/CN=$cn" -out "$d/req.csr" 2>/dev/null
  openssl ca -batch -config "$d/ca.cnf" -extensions ext -notext \
    -cert "$PKI/$issuer.pem" -keyfile "$PKI/$issuer.TEST-KEY.pem" \
    -startdate 20200101000000Z -enddate 20210101000000Z \
    -in "$d/req.csr" -out "$PKI/$name.pem" >"$d/ca.log" 2>&1 || { cat "$d/ca.log" >&2; die "openssl ca failed"; }
}

PKI_FILES=(server-root-ca server localhost-server-chain client-ca-a client-ca-a-int1 client-a client-a-chain
           client-a-expired client-ca-b client-b partner-ca-1 partner-ca-2 server-client-cas
           ca-list-300 test-ca-150 client-150)

pki_complete() {
  local f
  for f in "${PKI_FILES[@]}"; do [ -s "$PKI/$f.pem" ] || return 1; done
}

make_pki() {
  say "creating test PKI in ${PKI#$REPO/}"
  mkdir -p "$PKI"
  rm -f "$PKI"/*.pem
  mkcert server-root-ca   "tlsdiag Test Server Root CA"          rsa 7300 self           CA_EXT
  mkcert server           "localhost"                            rsa 3650 server-root-ca SRV_EXT
  cat "$PKI/server.pem" "$PKI/server-root-ca.pem" >"$PKI/localhost-server-chain.pem"
  mkcert client-ca-a      "tlsdiag Test Client CA A"             ec  7300 self           CA_EXT
  mkcert client-ca-a-int1 "tlsdiag Test Client Intermediate A1"  ec  7300 client-ca-a    INT_EXT
  mkcert client-a         "client-a.tlsdiag.test"                ec  3650 client-ca-a-int1 CLI_EXT
  cat "$PKI/client-a.pem" "$PKI/client-ca-a-int1.pem" >"$PKI/client-a-chain.pem"
  mk_expired client-a-expired "client-a-expired.tlsdiag.test" client-ca-a
  mkcert client-ca-b      "tlsdiag Test Client CA B"             ec  7300 self           CA_EXT
  mkcert client-b         "client-b.tlsdiag.test"                ec  3650 client-ca-b    CLI_EXT
  mkcert partner-ca-1     "tlsdiag Test Partner CA 1"            ec  7300 self           CA_EXT
  mkcert partner-ca-2     "tlsdiag Test Partner CA 2"            ec  7300 self           CA_EXT
  # the client CAs the OpenSSL servers accept (and name in CertificateRequest)
  cat "$PKI/partner-ca-1.pem" "$PKI/client-ca-a.pem" "$PKI/partner-ca-2.pem" >"$PKI/server-client-cas.pem"

  # 300 self-signed CAs "CN=Test CA 001,O=tlsdiag fixtures,C=DE" ... "300".
  # Only the key of CA 150 is kept (it signs client-150); the others are
  # thrown away: they exist only to be named.
  local d=$WORK/ca300 i
  mkdir -p "$d"
  seq -w 1 300 | xargs -P 8 -I{} openssl req -x509 -config "$MINCNF" "${EC[@]}" -nodes \
      -keyout "$d/{}.key" -subj "$SUBJ_TAIL/CN=Test CA {}" -days 7300 "${CA_EXT[@]}" -out "$d/{}.pem" 2>/dev/null
  : >"$PKI/ca-list-300.pem"
  for i in $(seq -w 1 300); do
    [ -s "$d/$i.pem" ] || die "CA $i not made"
    cat "$d/$i.pem" >>"$PKI/ca-list-300.pem"
  done
  cp "$d/150.pem" "$PKI/test-ca-150.pem"; cp "$d/150.key" "$PKI/test-ca-150.TEST-KEY.pem"
  mkcert client-150 "client-150.tlsdiag.test" ec 3650 test-ca-150 CLI_EXT
  chmod 644 "$PKI"/*.pem
  pki_complete || die "PKI incomplete after generation"
}

if [ "$REGEN_PKI" = 1 ] || ! pki_complete; then make_pki; else say "reusing test PKI in ${PKI#$REPO/}"; fi

# Certificates added for the per-rule scenarios. Made only when missing, so
# adding one never touches the PKI the older captures were made with (with
# --regen-pki, make_pki deletes them first and they are made again here).
# mk_ca_signed NAME CN ISSUER START END KEYSPEC EXT-LINES: issued with
# `openssl ca` (explicit dates). START/END as YYYYMMDDHHMMSSZ, or START "-"
# (from now) and END a number of days. KEYSPEC: ec (P-256) or rsa:BITS.
mk_ca_signed() {
  local name=$1 cn=$2 issuer=$3 start=$4 end=$5 keyspec=$6 ext=$7 d=$WORK/ca-$1
  local ka=("${EC[@]}"); [ "$keyspec" != ec ] && ka=(-newkey "$keyspec")
  local dates=(-startdate "$start" -enddate "$end"); [ "$start" = - ] && dates=(-days "$end")
  mkdir -p "$d/new"; : >"$d/index.txt"; echo 2000 >"$d/serial"
  cat >"$d/ca.cnf" <<EOF
[ca]
default_ca = c
[c]
database = $d/index.txt
serial = $d/serial
new_certs_dir = $d/new
default_md = sha256
policy = p
unique_subject = no
[p]
countryName = optional
organizationName = optional
commonName = supplied
[ext]
$ext
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOF
  openssl req -new -config "$MINCNF" "${ka[@]}" -nodes -keyout "$PKI/$name.TEST-KEY.pem" \
    -subj "$SUBJ_TAIL/CN=$cn" -out "$d/req.csr" 2>/dev/null
  openssl ca -batch -config "$d/ca.cnf" -extensions ext -notext \
    -cert "$PKI/$issuer.pem" -keyfile "$PKI/$issuer.TEST-KEY.pem" "${dates[@]}" \
    -in "$d/req.csr" -out "$PKI/$name.pem" >"$d/ca.log" 2>&1 || { cat "$d/ca.log" >&2; die "openssl ca failed for $name"; }
  chmod 644 "$PKI/$name.pem" "$PKI/$name.TEST-KEY.pem"
}
SRV_EXT_LINES='basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost,DNS:server.tlsdiag.test,IP:127.0.0.1,IP:::1'
CLI_EXT_LINES='basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = clientAuth'
make_pki_extra() {
  [ -s "$PKI/server-expired.pem" ] || mk_ca_signed server-expired localhost server-root-ca \
    20200101000000Z 20210101000000Z ec "$SRV_EXT_LINES"
  [ -s "$PKI/client-a-future.pem" ] || mk_ca_signed client-a-future client-a-future.tlsdiag.test client-ca-a \
    20400101000000Z 20410101000000Z ec "$CLI_EXT_LINES"
  [ -s "$PKI/client-a-server-eku.pem" ] || mk_ca_signed client-a-server-eku client-a-server-eku.tlsdiag.test \
    client-ca-a - 3650 ec "${CLI_EXT_LINES/clientAuth/serverAuth}"
  [ -s "$PKI/server-rsa1024.pem" ] || mk_ca_signed server-rsa1024 localhost server-root-ca \
    - 3650 rsa:1024 "$SRV_EXT_LINES"
}
make_pki_extra
# GnuTLS scenario's trust list: Test CA 001..200, then client CA A (201 names)
awk '/BEGIN CERTIFICATE/{n++} n<=200' "$PKI/ca-list-300.pem" >"$WORK/ca-list-200-plus-a.pem"
cat "$PKI/client-ca-a.pem" >>"$WORK/ca-list-200-plus-a.pem"

# ---------------------------------------------------------------- namespace
ip netns del "$NS" 2>/dev/null || true
ip netns add "$NS"
nsx() { ip netns exec "$NS" "$@"; }
nsx ip link set lo up
lo_mtu() {   # lo_mtu MTU: 65536 = loopback default; 1500 = Ethernet-like segments
  nsx ip link set lo mtu "$1"
  if [ "$1" -lt 65536 ]; then
    nsx ethtool -K lo tso off gso off gro off >/dev/null 2>&1 || die "ethtool -K lo failed"
  else
    nsx ethtool -K lo tso on gso on gro on >/dev/null 2>&1 || true
  fi
}
nsx ip -6 addr show dev lo | grep -q '::1' || die "no ::1 in the namespace (IPv6 disabled?)"

# ---------------------------------------------------------------- helpers
wait_listen() {   # wait_listen PORT
  local i
  for i in $(seq 1 100); do
    nsx ss -Hltn "sport = :$1" | grep -q . && return 0
    sleep 0.05
  done
  die "nothing listens on port $1 (see $WORK)"
}
CAP_PID=
cap_start() {     # cap_start FILE PORT
  local log=$WORK/$(basename "$1").tcpdump.log i
  # started directly (no shell function in between) so that $! is tcpdump
  ip netns exec "$NS" tcpdump -i lo -n -U --immediate-mode -Z root -s 0 -w "$1" "tcp port $2" >"$log" 2>&1 &
  CAP_PID=$!
  for i in $(seq 1 100); do
    grep -qs 'listening on' "$log" && return 0
    sleep 0.05
  done
  die "tcpdump did not start: $(cat "$log")"
}
cap_stop() {      # cap_stop FILE: SIGINT, wait, and insist on no drops
  local log=$WORK/$(basename "$1").tcpdump.log
  sleep 0.5
  kill -INT "$CAP_PID" 2>/dev/null || true
  wait "$CAP_PID" 2>/dev/null || true
  CAP_PID=
  grep -q '^0 packets dropped by kernel' "$log" || die "tcpdump dropped packets or failed: $(cat "$log")"
}
SRV_PID=
srv_start() {     # srv_start NAME PORT CMD... (in the namespace, background)
  local name=$1 port=$2; shift 2
  # stdin: a FIFO that never ends (s_server quits on EOF on its stdin)
  ip netns exec "$NS" timeout 30 "$@" >"$WORK/$name.server.log" 2>&1 <&9 &
  SRV_PID=$!
  wait_listen "$port"
}
srv_wait() {      # OpenSSL s_server -naccept 1 ends by itself
  wait "$SRV_PID" 2>/dev/null || true
  SRV_PID=
}
srv_kill() {      # gnutls-serv / python server: end the one we started
  sleep 0.3
  kill "$SRV_PID" 2>/dev/null || true
  wait "$SRV_PID" 2>/dev/null || true
  SRV_PID=
}
client() {        # client NAME CMD... : stdin stays open 1.5 s, then EOF
  local name=$1; shift
  { sleep 1.5; } | nsx timeout 20 "$@" >"$WORK/$name.client.log" 2>&1 || true
}

S_SERVER=(openssl s_server -naccept 1 -cert "$PKI/server.pem" -key "$PKI/server.TEST-KEY.pem")
S_CLIENT=(openssl s_client -servername localhost -verify_hostname localhost -verify_return_error
          -CAfile "$PKI/server-root-ca.pem")
G_SERV=(gnutls-serv --echo --x509certfile "$PKI/server.pem" --x509keyfile "$PKI/server.TEST-KEY.pem")
G_CLI=(gnutls-cli --x509cafile "$PKI/server-root-ca.pem" --sni-hostname localhost --verify-hostname localhost)
G_TLS12=--priority=NORMAL:-VERS-ALL:+VERS-TLS1.2

# ---------------------------------------------------------------- scenarios
# Each scenario: NAME PORT FILE-EXT STACK DESCRIPTION EXPECTED-FACTS; run_NAME does
# the capture (called as run_NAME NAME PORT while tcpdump runs) and sets
# KEYLOG if it wrote a key log.
declare -A PORT EXT STACK SHOWS EXPECT
ORDER=()
scenario() { ORDER+=("$1"); PORT[$1]=$2; EXT[$1]=$3; STACK[$1]=$4; SHOWS[$1]=$5; EXPECT[$1]=$6; }
# EXPECTED-FACTS: version|ca_names|client_certs|alerts|outcome (as facts() prints)
scenario tls12-mutual-ok 44301 pcap "openssl s_server + openssl s_client" \
  "TLS 1.2 mutual auth OK; CertificateRequest names CA A only; client sends leaf + intermediate A1" \
  "TLS 1.2|1|2|client:encrypted,server:encrypted|established"
scenario tls12-no-fitting-ca 44302 pcap "openssl s_server + wget (GnuTLS 3.7)" \
  "motivating case: server names 3 CAs (not CA B); the GnuTLS client holds only a CA B cert, finds none fitting the CA names and sends an EMPTY Certificate; server aborts" \
  "TLS 1.2|3|0|server:fatal/handshake_failure(40)|failed"
scenario tls12-gnutls-cli-forced-cert 44303 pcap "openssl s_server + gnutls-cli" \
  "same server and client cert as tls12-no-fitting-ca, but gnutls-cli sends its CA B cert regardless of the CA names; server rejects it" \
  "TLS 1.2|3|1|server:fatal/unknown_ca(48)|failed"
scenario tls12-no-cert-openssl 44304 pcap "openssl s_server + openssl s_client" \
  "OpenSSL client without any certificate answers the CertificateRequest with an empty Certificate; server aborts" \
  "TLS 1.2|3|0|server:fatal/handshake_failure(40)|failed"
scenario tls12-unknown-ca 44305 pcap "openssl s_server + openssl s_client" \
  "OpenSSL client sends its CA B cert although CA B is not named; server rejects the chain" \
  "TLS 1.2|3|1|server:fatal/unknown_ca(48)|failed"
scenario tls12-server-untrusted 44306 pcap "openssl s_server + openssl s_client" \
  "client does not trust the server root (its CAfile is CA B) and aborts after the server Certificate; no client auth" \
  "TLS 1.2|none|absent|client:fatal/unknown_ca(48)|failed"
scenario tls13-mutual 44307 pcap "openssl s_server + openssl s_client" \
  "TLS 1.3 mutual auth OK; everything after ServerHello encrypted; key log in .pcap.keylog (CA A named in certificate_authorities)" \
  "TLS 1.3|1|2|client:warning/close_notify(0),server:warning/close_notify(0)|established"
scenario tls13-mutual-dsb 44308 pcapng "openssl s_server + openssl s_client" \
  "the same kind of TLS 1.3 mutual handshake, key log embedded as a pcapng Decryption Secrets Block (no separate key log)" \
  "TLS 1.3|1|2|client:warning/close_notify(0),server:warning/close_notify(0)|established"
scenario tls13-no-cert 44309 pcap "openssl s_server + openssl s_client" \
  "TLS 1.3, server requires a client cert, client has none: empty Certificate, server's alert is encrypted (key log in .pcap.keylog)" \
  "TLS 1.3|1|0|server:fatal/certificate_required(116)|failed"
scenario ca-list-300 44310 pcap "openssl s_server + openssl s_client" \
  "CertificateRequest with 300 CA names (Test CA 001..300 in order) over many 1024-byte records and MTU-1500 TCP segments; client cert from Test CA 150 -> OK" \
  "TLS 1.2|300|1|client:encrypted,server:encrypted|established"
scenario ca-list-200-gnutls 44311 pcap "gnutls-serv + gnutls-cli" \
  "GnuTLS server names 201 CAs (Test CA 001..200, then CA A) in MTU-1500 segments; GnuTLS client picks its CA A chain (matched via the intermediate's issuer) -> OK" \
  "TLS 1.2|201|2|client:encrypted,server:encrypted|established"
scenario ipv6 44312 pcapng "openssl s_server + openssl s_client" \
  "TLS 1.2 mutual auth OK over IPv6 [::1]" \
  "TLS 1.2|3|2|client:encrypted,server:encrypted|established"
scenario gnutls-tls12-ok 44313 pcapng "gnutls-serv + gnutls-cli" \
  "TLS 1.2, server certificate only (no CertificateRequest), GnuTLS both sides" \
  "TLS 1.2|none|absent|client:encrypted,server:encrypted|established"
scenario starttls-smtp 44314 pcap "python3 ssl (OpenSSL) fake SMTP server + openssl s_client -starttls smtp" \
  "plaintext SMTP greeting/EHLO/STARTTLS, then TLS 1.2 mutual auth OK on the same TCP connection; Python ssl sends an EMPTY CA name list (it cannot set one)" \
  "TLS 1.2|0|2|client:encrypted|established"
scenario expired-client-cert 44315 pcap "openssl s_server + openssl s_client" \
  "client cert from CA A that expired 2021-01-01; server rejects it" \
  "TLS 1.2|3|1|server:fatal/certificate_expired(45)|failed"
# One capture per rule that can fire from a capture (named after the rule).
scenario server-cert-expired 44316 pcap "openssl s_server + openssl s_client" \
  "server leaf expired 2021-01-01 (issued by the server root the client trusts); the client rejects it" \
  "TLS 1.2|none|absent|client:fatal/certificate_expired(45)|failed"
scenario client-cert-not-yet-valid 44317 pcap "openssl s_server + openssl s_client" \
  "client cert from CA A valid only from 2040-01-01; server rejects it" \
  "TLS 1.2|3|1|server:fatal/bad_certificate(42)|failed"
scenario missing-client-auth-eku 44318 pcap "openssl s_server + openssl s_client" \
  "client cert from CA A whose extendedKeyUsage is serverAuth only; server rejects it" \
  "TLS 1.2|3|1|server:fatal/unsupported_certificate(43)|failed"
scenario hostname-mismatch 44319 pcap "openssl s_server + openssl s_client" \
  "client sends SNI other.tlsdiag.test and verifies that name; the server certificate covers localhost, server.tlsdiag.test only; the client aborts" \
  "TLS 1.2|none|absent|client:fatal/bad_certificate(42)|failed"
scenario protocol-version 44320 pcap "openssl s_server + openssl s_client" \
  "server TLS 1.3 only, client TLS 1.2 only; server answers the ClientHello with protocol_version" \
  "unknown|none|absent|server:fatal/protocol_version(70)|failed"
scenario peer-closed-during-handshake 44323 pcap "python3 socket server + openssl s_client" \
  "server accepts TCP, reads the ClientHello and closes (FIN) without any alert; the OpenSSL 3 client then sends a fatal decode_error (unexpected eof)" \
  "unknown|none|absent|client:fatal/decode_error(50)|failed"
scenario weak-key 44324 pcap "openssl s_server + openssl s_client (both -cipher DEFAULT:@SECLEVEL=0)" \
  "server leaf with an RSA 1024-bit key; both sides allow it (SECLEVEL=0), the handshake completes" \
  "TLS 1.2|none|absent|client:encrypted,server:encrypted|established"
scenario chain-incomplete 44325 pcap "openssl s_server + openssl s_client" \
  "client sends its leaf (issued by intermediate A1) and the CA A root, but not the intermediate; the server (trusts CA A) rejects the chain" \
  "TLS 1.2|1|2|server:fatal/unknown_ca(48)|failed"
# (44321 and 44322 are left out: tshark decodes them as PCP pmcd/pmproxy, not TLS)
scenario no-shared-cipher 44326 pcap "openssl s_server + openssl s_client" \
  "TLS 1.2, disjoint cipher lists (server ECDHE-RSA-AES128-GCM-SHA256, client ECDHE-RSA-AES256-GCM-SHA384); server answers the ClientHello with handshake_failure" \
  "unknown|none|absent|server:fatal/handshake_failure(40)|failed"
scenario no-sni 44327 pcap "python3 ssl (OpenSSL) server + openssl s_client -noservername" \
  "ClientHello without server_name; the server's SNI callback refuses it with unrecognized_name" \
  "unknown|none|absent|server:fatal/unrecognized_name(112)|failed"
scenario tls13-pha-keyupdate 44328 pcap "openssl s_server (commands k, c) + openssl s_client -enable_pha" \
  "TLS 1.3 mutual auth, then a server KeyUpdate and post-handshake client authentication (a second CertificateRequest after the handshake, answered by Certificate/CertificateVerify/Finished), all encrypted; key log in .pcap.keylog" \
  "TLS 1.3|1,1|2,2|server:warning/close_notify(0)|established"

CLIENT_A=(-cert "$PKI/client-a.pem" -key "$PKI/client-a.TEST-KEY.pem" -cert_chain "$PKI/client-ca-a-int1.pem")

run_tls12-mutual-ok() {
  srv_start "$1" $2 "${S_SERVER[@]}" -accept 127.0.0.1:$2 -tls1_2 -Verify 1 -verify_return_error \
    -CAfile "$PKI/client-ca-a.pem"
  client "$1" "${S_CLIENT[@]}" -connect 127.0.0.1:$2 "${CLIENT_A[@]}"
  srv_wait
}
run_tls12-no-fitting-ca() {
  srv_start "$1" $2 "${S_SERVER[@]}" -accept 127.0.0.1:$2 -tls1_2 -Verify 1 -verify_return_error \
    -CAfile "$PKI/server-client-cas.pem"
  # wget uses the GnuTLS library's own client certificate selection
  client "$1" wget -4 --tries=1 --timeout=10 --secure-protocol=TLSv1_2 -O /dev/null \
    --ca-certificate="$PKI/server-root-ca.pem" \
    --certificate="$PKI/client-b.pem" --private-key="$PKI/client-b.TEST-KEY.pem" https://localhost:$2/
  srv_wait
}
run_tls12-gnutls-cli-forced-cert() {
  srv_start "$1" $2 "${S_SERVER[@]}" -accept 127.0.0.1:$2 -tls1_2 -Verify 1 -verify_return_error \
    -CAfile "$PKI/server-client-cas.pem"
  client "$1" "${G_CLI[@]}" "$G_TLS12" --x509certfile "$PKI/client-b.pem" \
    --x509keyfile "$PKI/client-b.TEST-KEY.pem" -p $2 127.0.0.1
  srv_wait
}
run_tls12-no-cert-openssl() {
  srv_start "$1" $2 "${S_SERVER[@]}" -accept 127.0.0.1:$2 -tls1_2 -Verify 1 -verify_return_error \
    -CAfile "$PKI/server-client-cas.pem"
  client "$1" "${S_CLIENT[@]}" -connect 127.0.0.1:$2
  srv_wait
}
run_tls12-unknown-ca() {
  srv_start "$1" $2 "${S_SERVER[@]}" -accept 127.0.0.1:$2 -tls1_2 -Verify 1 -verify_return_error \
    -CAfile "$PKI/server-client-cas.pem"
  client "$1" "${S_CLIENT[@]}" -connect 127.0.0.1:$2 -cert "$PKI/client-b.pem" -key "$PKI/client-b.TEST-KEY.pem"
  srv_wait
}
run_tls12-server-untrusted() {
  srv_start "$1" $2 "${S_SERVER[@]}" -accept 127.0.0.1:$2 -tls1_2
  client "$1" openssl s_client -servername localhost -verify_return_error -CAfile "$PKI/client-ca-b.pem" \
    -connect 127.0.0.1:$2
  srv_wait
}
run_tls13-mutual() {
  KEYLOG=$WORK/$1.keylog
  srv_start "$1" $2 "${S_SERVER[@]}" -accept 127.0.0.1:$2 -tls1_3 -Verify 1 -verify_return_error \
    -CAfile "$PKI/client-ca-a.pem"
  client "$1" "${S_CLIENT[@]}" -connect 127.0.0.1:$2 "${CLIENT_A[@]}" -keylogfile "$KEYLOG"
  srv_wait
}
run_tls13-mutual-dsb() {
  run_tls13-mutual "$1" "$2"
  DSB=1   # secrets go into the pcapng, not next to it
}
run_tls13-no-cert() {
  KEYLOG=$WORK/$1.keylog
  srv_start "$1" $2 "${S_SERVER[@]}" -accept 127.0.0.1:$2 -tls1_3 -Verify 1 -verify_return_error \
    -CAfile "$PKI/client-ca-a.pem"
  client "$1" "${S_CLIENT[@]}" -connect 127.0.0.1:$2 -keylogfile "$KEYLOG"
  srv_wait
}
run_tls13-pha-keyupdate() {
  KEYLOG=$WORK/$1.keylog
  # s_server reads commands on stdin: k = KeyUpdate, c = request a client
  # certificate after the handshake (TLS 1.3 post-handshake auth).
  { sleep 1.5; echo k; sleep 0.5; echo c; sleep 2.5; } |
    ip netns exec "$NS" timeout 30 "${S_SERVER[@]}" -accept 127.0.0.1:$2 -tls1_3 -verify 1 \
      -CAfile "$PKI/client-ca-a.pem" >"$WORK/$1.server.log" 2>&1 &
  SRV_PID=$!
  wait_listen "$2"
  { sleep 4; } | nsx timeout 20 "${S_CLIENT[@]}" -connect 127.0.0.1:$2 -enable_pha \
    "${CLIENT_A[@]}" -keylogfile "$KEYLOG" >"$WORK/$1.client.log" 2>&1 || true
  srv_wait
}
run_ca-list-300() {
  srv_start "$1" $2 "${S_SERVER[@]}" -accept 127.0.0.1:$2 -tls1_2 -Verify 1 -verify_return_error \
    -CAfile "$PKI/ca-list-300.pem" -max_send_frag 1024
  client "$1" "${S_CLIENT[@]}" -connect 127.0.0.1:$2 -cert "$PKI/client-150.pem" -key "$PKI/client-150.TEST-KEY.pem"
  srv_wait
}
run_ca-list-200-gnutls() {
  srv_start "$1" $2 "${G_SERV[@]}" "$G_TLS12" --require-client-cert \
    --x509cafile "$WORK/ca-list-200-plus-a.pem" -p $2
  client "$1" "${G_CLI[@]}" "$G_TLS12" --x509certfile "$PKI/client-a-chain.pem" \
    --x509keyfile "$PKI/client-a.TEST-KEY.pem" -p $2 127.0.0.1
  srv_kill
}
run_ipv6() {
  srv_start "$1" $2 "${S_SERVER[@]}" -6 -accept "[::1]:$2" -tls1_2 -Verify 1 -verify_return_error \
    -CAfile "$PKI/server-client-cas.pem"
  client "$1" "${S_CLIENT[@]}" -6 -connect "[::1]:$2" "${CLIENT_A[@]}"
  srv_wait
}
run_gnutls-tls12-ok() {
  srv_start "$1" $2 "${G_SERV[@]}" "$G_TLS12" --disable-client-cert -p $2
  client "$1" "${G_CLI[@]}" "$G_TLS12" -p $2 127.0.0.1
  srv_kill
}
run_starttls-smtp() {
  cat >"$WORK/smtp.py" <<'PYEOF'
import socket, ssl, sys
pki, port = sys.argv[1], int(sys.argv[2])
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.minimum_version = ctx.maximum_version = ssl.TLSVersion.TLSv1_2
ctx.load_cert_chain(pki + "/server.pem", pki + "/server.TEST-KEY.pem")
ctx.verify_mode = ssl.CERT_REQUIRED
ctx.load_verify_locations(pki + "/client-ca-a.pem")
ls = socket.socket(); ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("127.0.0.1", port)); ls.listen(1); ls.settimeout(20)
c, _ = ls.accept(); c.settimeout(10)
f = c.makefile("rb")
c.sendall(b"220 mail.tlsdiag.test ESMTP tlsdiag fixture\r\n")
while True:
    line = f.readline()
    if not line:
        sys.exit(1)
    cmd = line.strip().upper()
    if cmd.startswith(b"EHLO") or cmd.startswith(b"HELO"):
        c.sendall(b"250-mail.tlsdiag.test\r\n250-PIPELINING\r\n250 STARTTLS\r\n")
    elif cmd == b"STARTTLS":
        c.sendall(b"220 2.0.0 Ready to start TLS\r\n")
        break
    else:
        c.sendall(b"500 5.5.1 unknown\r\n")
t = ctx.wrap_socket(c, server_side=True)
try:
    while t.recv(4096):
        pass
except (ssl.SSLError, OSError):
    pass
t.close()
PYEOF
  srv_start "$1" $2 "$PYTHON" "$WORK/smtp.py" "$PKI" $2
  client "$1" "${S_CLIENT[@]}" -starttls smtp -connect 127.0.0.1:$2 "${CLIENT_A[@]}"
  srv_wait
}
run_expired-client-cert() {
  srv_start "$1" $2 "${S_SERVER[@]}" -accept 127.0.0.1:$2 -tls1_2 -Verify 1 -verify_return_error \
    -CAfile "$PKI/server-client-cas.pem"
  client "$1" "${S_CLIENT[@]}" -connect 127.0.0.1:$2 -cert "$PKI/client-a-expired.pem" \
    -key "$PKI/client-a-expired.TEST-KEY.pem"
  srv_wait
}
run_server-cert-expired() {
  srv_start "$1" $2 openssl s_server -naccept 1 -cert "$PKI/server-expired.pem" \
    -key "$PKI/server-expired.TEST-KEY.pem" -accept 127.0.0.1:$2 -tls1_2
  client "$1" "${S_CLIENT[@]}" -connect 127.0.0.1:$2
  srv_wait
}
run_client-cert-not-yet-valid() {
  srv_start "$1" $2 "${S_SERVER[@]}" -accept 127.0.0.1:$2 -tls1_2 -Verify 1 -verify_return_error \
    -CAfile "$PKI/server-client-cas.pem"
  client "$1" "${S_CLIENT[@]}" -connect 127.0.0.1:$2 -cert "$PKI/client-a-future.pem" \
    -key "$PKI/client-a-future.TEST-KEY.pem"
  srv_wait
}
run_missing-client-auth-eku() {
  srv_start "$1" $2 "${S_SERVER[@]}" -accept 127.0.0.1:$2 -tls1_2 -Verify 1 -verify_return_error \
    -CAfile "$PKI/server-client-cas.pem"
  client "$1" "${S_CLIENT[@]}" -connect 127.0.0.1:$2 -cert "$PKI/client-a-server-eku.pem" \
    -key "$PKI/client-a-server-eku.TEST-KEY.pem"
  srv_wait
}
run_hostname-mismatch() {
  srv_start "$1" $2 "${S_SERVER[@]}" -accept 127.0.0.1:$2 -tls1_2
  client "$1" openssl s_client -servername other.tlsdiag.test -verify_hostname other.tlsdiag.test \
    -verify_return_error -CAfile "$PKI/server-root-ca.pem" -connect 127.0.0.1:$2
  srv_wait
}
run_protocol-version() {
  srv_start "$1" $2 "${S_SERVER[@]}" -accept 127.0.0.1:$2 -tls1_3
  client "$1" "${S_CLIENT[@]}" -connect 127.0.0.1:$2 -tls1_2
  srv_wait
}
run_no-shared-cipher() {
  srv_start "$1" $2 "${S_SERVER[@]}" -accept 127.0.0.1:$2 -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256
  client "$1" "${S_CLIENT[@]}" -connect 127.0.0.1:$2 -tls1_2 -cipher ECDHE-RSA-AES256-GCM-SHA384
  srv_wait
}
run_no-sni() {
  # s_server -servername NAME -servername_fatal judges only a server_name that
  # is present (and installs its callback only with -cert2): a ClientHello
  # without one passes. Python's sni_callback is called with None instead.
  cat >"$WORK/sni.py" <<'PYEOF'
import socket, ssl, sys
pki, port = sys.argv[1], int(sys.argv[2])
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.minimum_version = ctx.maximum_version = ssl.TLSVersion.TLSv1_2
ctx.load_cert_chain(pki + "/server.pem", pki + "/server.TEST-KEY.pem")
ctx.sni_callback = lambda s, name, c: ssl.ALERT_DESCRIPTION_UNRECOGNIZED_NAME if name is None else None
ls = socket.socket(); ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("127.0.0.1", port)); ls.listen(1); ls.settimeout(20)
c, _ = ls.accept(); c.settimeout(10)
try:
    ctx.wrap_socket(c, server_side=True).close()
except (ssl.SSLError, OSError):
    c.close()
PYEOF
  srv_start "$1" $2 "$PYTHON" "$WORK/sni.py" "$PKI" $2
  client "$1" openssl s_client -noservername -verify_return_error -CAfile "$PKI/server-root-ca.pem" \
    -connect 127.0.0.1:$2
  srv_wait
}
run_peer-closed-during-handshake() {
  # reads one whole TLS record (the ClientHello), then closes: FIN, no alert
  cat >"$WORK/closer.py" <<'PYEOF'
import socket, sys
port = int(sys.argv[1])
ls = socket.socket(); ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("127.0.0.1", port)); ls.listen(1); ls.settimeout(20)
c, _ = ls.accept(); c.settimeout(10)
buf = b""
while len(buf) < 5 or len(buf) < 5 + int.from_bytes(buf[3:5], "big"):
    d = c.recv(65536)
    if not d:
        break
    buf += d
c.close()
PYEOF
  srv_start "$1" $2 "$PYTHON" "$WORK/closer.py" $2
  client "$1" "${S_CLIENT[@]}" -connect 127.0.0.1:$2
  srv_wait
}
run_weak-key() {
  srv_start "$1" $2 openssl s_server -naccept 1 -cert "$PKI/server-rsa1024.pem" \
    -key "$PKI/server-rsa1024.TEST-KEY.pem" -accept 127.0.0.1:$2 -tls1_2 -cipher 'DEFAULT:@SECLEVEL=0'
  client "$1" "${S_CLIENT[@]}" -connect 127.0.0.1:$2 -cipher 'DEFAULT:@SECLEVEL=0'
  srv_wait
}
run_chain-incomplete() {
  srv_start "$1" $2 "${S_SERVER[@]}" -accept 127.0.0.1:$2 -tls1_2 -Verify 1 -verify_return_error \
    -CAfile "$PKI/client-ca-a.pem"
  client "$1" "${S_CLIENT[@]}" -connect 127.0.0.1:$2 -cert "$PKI/client-a.pem" -key "$PKI/client-a.TEST-KEY.pem" \
    -cert_chain "$PKI/client-ca-a.pem"
  srv_wait
}

# ---------------------------------------------------------------- facts
# facts TSV: one line  version|ca_names|client_certs|alerts|outcome  derived
# from a tshark-ref.sh listing:
#   version       ServerHello supported_versions, else its version field
#   ca_names      DN count of the CertificateRequest, "none" if there is none
#   client_certs  certificates in the client's Certificate; "absent" if the
#                 client sent none; 0 = empty Certificate message
#   alerts        SENDER:LEVEL/NAME(CODE) in order; SENDER:encrypted for an
#                 alert tshark could not decrypt; "none"
#   outcome       failed (a fatal alert), established (Finished both ways),
#                 incomplete
facts() {          # facts TSV CAPTURE CN-LIST-OUT
  "$PYTHON" - "$1" "$2" "$3" <<'PYEOF'
import sys, subprocess, re
rows = []
with open(sys.argv[1], encoding="utf-8") as f:
    hdr = None
    for line in f:
        if line.startswith("#"):
            continue
        cols = line.rstrip("\n").split("\t")
        if hdr is None:
            hdr = cols; continue
        rows.append(dict(zip(hdr, cols)))
names = {0: "close_notify", 10: "unexpected_message", 20: "bad_record_mac", 40: "handshake_failure",
         42: "bad_certificate", 43: "unsupported_certificate", 44: "certificate_revoked",
         45: "certificate_expired", 46: "certificate_unknown", 47: "illegal_parameter", 48: "unknown_ca",
         50: "decode_error", 51: "decrypt_error", 70: "protocol_version", 80: "internal_error",
         90: "user_canceled", 109: "missing_extension", 112: "unrecognized_name",
         116: "certificate_required"}
client = next((r["src"] for r in rows if r["content"] == "handshake" and r["type"] == "1"), None)
side = lambda r: "client" if r["src"] == client else "server"
version = "unknown"
for r in rows:
    if r["content"] == "handshake" and r["type"] == "2":
        info = dict(kv.split("=", 1) for kv in r["info"].split(";") if "=" in kv)
        v = info.get("selected_version") or info.get("server_version")
        version = {"0x0304": "TLS 1.3", "0x0303": "TLS 1.2", "0x0302": "TLS 1.1",
                   "0x0301": "TLS 1.0", "0x0300": "SSL 3.0"}.get(v, v)
cr = [r for r in rows if r["content"] == "handshake" and r["type"] == "13"]
counts = [r["ca_dn_count"] for r in cr]

def own_ca_list(cap):
    # tshark 4.0 puts at most 100 DNs into its tree (tls.handshake.dnames_truncated),
    # so for longer lists count them from the reassembled handshake bytes (TLS 1.2).
    out = subprocess.run(["tshark", "-n", "-r", cap, "-Y", "tls.handshake.type==13", "-x"],
                         capture_output=True, text=True).stdout
    # data sources of the frame: "Frame (N bytes):", "Reassembled TCP (N bytes):",
    # "Reassembled TLS Handshake (N bytes):"
    blobs, cur = [], None
    for line in out.splitlines():
        if re.match(r"^Reassembled (TCP|TLS Handshake) \(\d+ bytes\):", line):
            cur = bytearray(); blobs.append(cur); continue
        m = re.match(r"^[0-9a-f]{4}  ((?:[0-9a-f]{2} )+)", line)
        if m and cur is not None:
            cur += bytes.fromhex(m.group(1).replace(" ", ""))
        elif not m:
            cur = None
    msgs = []
    for b in blobs:
        if b[:1] == b"\x0d":                          # a reassembled handshake message
            msgs.append(b); continue
        hs, i = bytearray(), 0                         # TLS records: concatenate handshake payloads
        while i + 5 <= len(b) and b[i] == 22:
            n = int.from_bytes(b[i+3:i+5], "big"); hs += b[i+5:i+5+n]; i += 5 + n
        i = 0
        while i + 4 <= len(hs):
            n = int.from_bytes(hs[i+1:i+4], "big")
            if hs[i] == 13 and i + 4 + n <= len(hs):
                msgs.append(hs[i:i+4+n])
            i += 4 + n
    for b in msgs:
        i = 4; i += 1 + b[i]                          # certificate_types
        i += 2 + int.from_bytes(b[i:i+2], "big")      # signature_algorithms
        end = i + 2 + int.from_bytes(b[i:i+2], "big"); i += 2
        cns = []
        while i < end:
            n = int.from_bytes(b[i:i+2], "big"); dn = bytes(b[i+2:i+2+n]); i += 2 + n
            j = dn.rfind(b"\x06\x03\x55\x04\x03")  # last commonName
            cns.append(dn[j+7:j+7+dn[j+6]].decode() if j >= 0 else "?")
        return cns
    return None

if any(c == "100" for c in counts) and sys.argv[2]:
    cns = own_ca_list(sys.argv[2])
    if cns is None:
        counts = ["100(tshark-cap)"]
    else:
        counts = [str(len(cns))]
        if sys.argv[3]:
            open(sys.argv[3], "w").write("\n".join(cns) + "\n")
ca = ",".join(counts) if cr else "none"
cc = [r for r in rows if r["content"] == "handshake" and r["type"] == "11" and side(r) == "client"]
certs = ",".join(r["cert_count"] for r in cc) if cc else "absent"
alerts, fatal = [], False
for r in rows:
    if r["content"] != "alert":
        continue
    if r["type"] == "encrypted":
        alerts.append(side(r) + ":encrypted"); continue
    lv, ds = (int(x) for x in r["type"].split("/"))
    fatal |= lv == 2
    alerts.append("%s:%s/%s(%d)" % (side(r), "fatal" if lv == 2 else "warning", names.get(ds, "alert"), ds))
fin = {side(r) for r in rows if r["content"] == "handshake" and r["type"] in ("20", "encrypted")}
outcome = "failed" if fatal else ("established" if fin == {"client", "server"} else "incomplete")
print("%s|%s|%s|%s|%s" % (version, ca, certs, ",".join(alerts) or "none", outcome))
PYEOF
}

# ---------------------------------------------------------------- run
mkdir -p "$OUT"
selected() {
  local n
  [ ${#ONLY[@]} -eq 0 ] && return 0
  for n in "${ONLY[@]}"; do [ "$n" = "$1" ] && return 0; done
  return 1
}
for n in "${ONLY[@]:-}"; do
  [ -z "$n" ] || [ -n "${EXT[$n]:-}" ] || die "unknown scenario $n (known: ${ORDER[*]})"
done

FAILED=()
for name in "${ORDER[@]}"; do
  selected "$name" || continue
  case "$name" in ca-list-*) lo_mtu 1500 ;; *) lo_mtu 65536 ;; esac
  KEYLOG=; DSB=0
  cap=$WORK/$name.pcap
  t1=$EPOCHREALTIME
  cap_start "$cap" "${PORT[$name]}"
  "run_$name" "$name" "${PORT[$name]}"
  cap_stop "$cap"
  final=$OUT/$name.${EXT[$name]}
  rm -f "$OUT/$name".pcap* "$OUT/$name".pcapng*
  if [ "$DSB" = 1 ]; then
    editcap -F pcapng --inject-secrets "tls,$KEYLOG" "$cap" "$final"
  elif [ "${EXT[$name]}" = pcapng ]; then
    editcap -F pcapng "$cap" "$final"
  else
    cp "$cap" "$final"
  fi
  if [ -n "$KEYLOG" ] && [ "$DSB" = 0 ]; then
    [ -s "$KEYLOG" ] || die "$name: no key log written"
    cp "$KEYLOG" "$final.keylog"
    bash "$TSHARK_REF" -k "$final.keylog" "$final" "$final.tshark.tsv"
  else
    bash "$TSHARK_REF" "$final" "$final.tshark.tsv"
  fi
  got=$(facts "$final.tshark.tsv" "$final" "$WORK/$name.cns")
  case "$name" in   # CA names in order, records and MTU-sized segments
    ca-list-300)
      [ "$(cat "$WORK/$name.cns")" = "$(for i in $(seq -w 1 300); do echo "Test CA $i"; done)" ] ||
        { say "  $name: CA names not Test CA 001..300 in order"; FAILED+=("$name"); } ;;
    ca-list-200-gnutls)
      [ "$(cat "$WORK/$name.cns")" = "$( (seq -w 1 200 | sed 's/^/Test CA /'); echo "tlsdiag Test Client CA A")" ] ||
        { say "  $name: CA names not Test CA 001..200, CA A"; FAILED+=("$name"); } ;;
  esac
  case "$name" in
    ca-list-*)
      maxlen=$(tshark -n -r "$final" -T fields -e frame.len 2>/dev/null | sort -n | tail -1)
      nrec=$(tshark -n -r "$final" -Y 'tls.record.content_type==22 && tcp.srcport=='"${PORT[$name]}" \
             -T fields -e tls.record.length 2>/dev/null | tr ',' '\n' | grep -c .)
      nseg=$(tshark -n -r "$final" -Y "tcp.srcport==${PORT[$name]} && tcp.len>0" -T fields -e frame.number 2>/dev/null | grep -c .)
      say "  $name: largest frame $maxlen bytes, $nrec server handshake records, $nseg server data segments"
      [ "$maxlen" -le 1514 ] || { say "  $name: frame larger than MTU 1500"; FAILED+=("$name"); } ;;
  esac
  size=$(stat -c %s "$final")
  printf '%s: %-28s %6d bytes  %5.1fs  %s\n' "$PROG" "$name" "$size" \
    "$(awk -v a="$t1" -v b="$EPOCHREALTIME" 'BEGIN{print b-a}')" "$got" >&2
  if [ "$got" != "${EXPECT[$name]}" ]; then
    say "  MISMATCH for $name: expected ${EXPECT[$name]}"
    FAILED+=("$name")
  fi
  [ "$size" -lt 102400 ] || { say "  $name is over 100 KB"; FAILED+=("$name"); }
done

if [ ${#FAILED[@]} -gt 0 ]; then
  KEEP_WORK=1
  die "facts differ from expectations for: ${FAILED[*]} (logs in $WORK); MANIFEST.tsv not updated"
fi

# ---------------------------------------------------------------- manifest
{
  printf 'file\tport\tstack\tshows\ttls_version\tca_names\tclient_certs\talerts\toutcome\tkeylog\n'
  for name in "${ORDER[@]}"; do
    f=$name.${EXT[$name]}
    [ -f "$OUT/$f" ] || continue
    kl=-; [ -f "$OUT/$f.keylog" ] && kl=$f.keylog
    [ "$name" = tls13-mutual-dsb ] && kl="(in pcapng DSB)"
    IFS='|' read -r v c k a o <<<"${EXPECT[$name]}"
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$f" "${PORT[$name]}" "${STACK[$name]}" \
      "${SHOWS[$name]}" "$v" "$c" "$k" "$a" "$o" "$kl"
  done
} >"$OUT/MANIFEST.tsv"

say "done in $(( $(date +%s) - T0 )) s; total $(du -cb "$OUT"/*.pcap "$OUT"/*.pcapng 2>/dev/null | tail -1 | cut -f1) bytes of captures"
