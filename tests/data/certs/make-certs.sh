#!/bin/sh
# make-certs.sh - regenerates the small certificates under tests/data/certs
# that test_x509.c decodes field by field. Run from anywhere; needs OpenSSL 3
# (the committed files were made with OpenSSL 3.0). The outputs are not
# reproducible (fresh keys, signatures), so test_x509.c's expectations
# (serials are fixed here, fingerprints are not) must be updated when this is
# re-run: `openssl x509 -inform der -in FILE -noout -text -fingerprint -sha256`.
#
# Certificates taken from the public corpus (not made here) were extracted
# with
#   tshark -r CAPTURE -Y tls.handshake.certificate -T fields \
#          -e tls.handshake.certificate | tr ',' '\n' | xxd -r -p
# (one certificate per line of hex):
#   corpus-subject-nul.der   suricata-tls-subject-zero__input.pcap, the leaf
#                            (O=Microsoft Corporat\00on)
#   corpus-noissuer.der      suricata-tls-cert-noissuer__tls.pcap (empty issuer)
#   corpus-pre1970.der       suricata-tls-pre-1970__input.pcap (notBefore 1969)
#   corpus-42cn.der          ndpi__tls-rdn-extract.pcap, the leaf (42 CN RDNs)
set -eu

cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cat > "$tmp/ext.cnf" <<'CNF'
[ca]
basicConstraints = critical, CA:TRUE, pathlen:1
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash

[leaf]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyAgreement
extendedKeyUsage = serverAuth, clientAuth, 1.3.6.1.4.1.99999.1
subjectAltName = DNS:www.example.test, DNS:*.example.test, IP:192.0.2.7, IP:2001:db8::1, email:ops@example.test, URI:https://example.test/x
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always

[plain]
basicConstraints = CA:FALSE
keyUsage = digitalSignature, nonRepudiation, keyEncipherment, dataEncipherment, encipherOnly, decipherOnly
extendedKeyUsage = codeSigning, emailProtection, timeStamping, OCSPSigning, anyExtendedKeyUsage

[ee]
subjectKeyIdentifier = hash
CNF

# 1. RSA 2048 root CA, self-signed, sha256WithRSAEncryption
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$tmp/ca.key" 2>/dev/null
openssl req -x509 -new -key "$tmp/ca.key" -sha256 -days 3650 -set_serial 0x01 \
    -subj "/C=DE/O=tlsdiag test/OU=Unit Tests/CN=tlsdiag Test Root CA" \
    -extensions ca -config "$tmp/ext.cnf" -outform DER -out rsa-root.der

# 2. EC P-256 leaf signed by the root: SANs of every kind, EKU with an unknown
#    OID, multi-valued RDN and characters RFC 4514 escapes, validity past 2049
#    (GeneralizedTime).
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$tmp/leaf.key"
openssl req -new -key "$tmp/leaf.key" -utf8 -multivalue-rdn \
    -subj "/C=DE/O=Example, Inc./OU=R&D+OU=Ops/CN=#www.example.test; \"x\" <y> " \
    -out "$tmp/leaf.csr"
openssl x509 -req -in "$tmp/leaf.csr" -CA rsa-root.der -CAform DER -CAkey "$tmp/ca.key" \
    -set_serial 0x00c0ffee00112233 -sha256 -days 11000 -extfile "$tmp/ext.cnf" \
    -extensions leaf -outform DER -out ec-leaf.der 2>/dev/null

# 3. Ed25519 self-signed, every keyUsage and the standard EKUs
openssl genpkey -algorithm ED25519 -out "$tmp/ed.key"
openssl req -x509 -new -key "$tmp/ed.key" -days 30 -set_serial 7 \
    -subj "/CN=ed25519.example.test/emailAddress=a@example.test" \
    -extensions plain -config "$tmp/ext.cnf" -outform DER -out ed25519.der

# 4. Ed448 self-signed, no extensions (v3 with SKI only)
openssl genpkey -algorithm ED448 -out "$tmp/ed448.key"
openssl req -x509 -new -key "$tmp/ed448.key" -days 30 -set_serial 8 \
    -subj "/CN=ed448" -extensions ee -config "$tmp/ext.cnf" -outform DER -out ed448.der

# 5. RSA-PSS 3072 self-signed (rsassaPss signature, RSA-PSS key)
openssl genpkey -algorithm RSA-PSS -pkeyopt rsa_keygen_bits:3072 -out "$tmp/pss.key" 2>/dev/null
openssl req -x509 -new -key "$tmp/pss.key" -days 30 -set_serial 9 -sha256 \
    -subj "/CN=pss" -extensions ee -config "$tmp/ext.cnf" -outform DER -out rsa-pss.der

# 6. EC P-384 self-signed with ecdsa-with-SHA384 and a negative serial
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out "$tmp/p384.key"
openssl req -x509 -new -key "$tmp/p384.key" -days 30 -set_serial -1000 -sha384 \
    -subj "/DC=test/DC=example/CN=p384" -extensions ee -config "$tmp/ext.cnf" \
    -outform DER -out ec-p384.der

# 7. DSA 2048 self-signed, dsa_with_SHA256
openssl genpkey -genparam -algorithm DSA -pkeyopt dsa_paramgen_bits:2048 -out "$tmp/dsa.param" 2>/dev/null
openssl genpkey -paramfile "$tmp/dsa.param" -out "$tmp/dsa.key"
openssl req -x509 -new -key "$tmp/dsa.key" -days 30 -set_serial 10 -sha256 \
    -subj "/CN=dsa" -extensions ee -config "$tmp/ext.cnf" -outform DER -out dsa.der

# 8. EC P-521 self-signed, ecdsa-with-SHA512 (521 bits: not a whole number
#    of bytes)
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-521 -out "$tmp/p521.key"
openssl req -x509 -new -key "$tmp/p521.key" -days 30 -set_serial 11 -sha512 \
    -subj "/CN=p521" -extensions ee -config "$tmp/ext.cnf" -outform DER -out ec-p521.der

# 9. RSA 2047 (odd modulus size), version 1 (no extensions), sha1WithRSAEncryption,
#    BMPString and T61String (Latin-1) subject values
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2047 -out "$tmp/r2047.key" 2>/dev/null
# string_mask=default lets OpenSSL pick T61String for Latin-1 text and
# BMPString beyond it; printf keeps the UTF-8 bytes out of the shell's hands.
printf '[req]\nprompt = no\nstring_mask = default\nutf8 = yes\n' > "$tmp/v1.cnf"
printf 'distinguished_name = dn\n[dn]\nO = Caf\303\251\nCN = v1 \316\251\n' >> "$tmp/v1.cnf"
openssl req -new -key "$tmp/r2047.key" -config "$tmp/v1.cnf" -out "$tmp/v1.csr"
openssl x509 -req -in "$tmp/v1.csr" -signkey "$tmp/r2047.key" -sha1 -days 30 -set_serial 12 \
    -outform DER -out rsa-v1.der 2>/dev/null

# 10. The root again as PEM (fixtures for PEM readers elsewhere)
openssl x509 -inform DER -in rsa-root.der -out rsa-root.pem
