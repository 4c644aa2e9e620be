/*
 * tls_names.h - names for the numbers on the wire, each from one sorted
 * table: protocol versions, cipher suites (IANA TLS Cipher Suites registry
 * names, e.g. "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"), alert descriptions
 * (RFC 8446 6 names, e.g. "handshake_failure"), alert levels, handshake
 * types ("ClientHello"), content types, signature schemes
 * ("rsa_pss_rsae_sha256"), named groups ("x25519"), client certificate
 * types ("rsa_sign"), extension types.
 * The *_name() functions return a static string, or NULL for a value not in
 * the table; the *_str() functions always return something printable (the
 * name, or the number formatted into the caller's buffer).
 */
#ifndef TLSDIAG_TLS_NAMES_H
#define TLSDIAG_TLS_NAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

const char *tls_version_name(uint16_t v);        /* "TLS 1.2", "SSL 3.0", "TLS 1.3 draft 23" ... */
const char *tls_cipher_suite_name(uint16_t id);  /* IANA name or NULL */
const char *tls_alert_name(uint8_t desc);        /* "handshake_failure" or NULL */
const char *tls_alert_level_name(uint8_t level); /* "warning", "fatal" or NULL */
const char *tls_hs_type_name(uint8_t type); /* "ClientHello", "CertificateRequest" ... or NULL */
const char *tls_content_type_name(uint8_t type); /* "ChangeCipherSpec", "Alert", ... or NULL */
const char *tls_sig_scheme_name(uint16_t id);    /* "ecdsa_secp256r1_sha256" or NULL */
const char *tls_group_name(uint16_t id);         /* "x25519" or NULL */
const char *tls_cert_type_name(uint8_t id);      /* "rsa_sign", "ecdsa_sign" or NULL */
const char *tls_ext_name(uint16_t id);           /* "server_name" or NULL */

/* Always printable: the name, or "0x%04x"/"%u" formatted into buf. */
const char *tls_version_str(uint16_t v, char *buf, size_t n);
const char *tls_cipher_suite_str(uint16_t id, char *buf, size_t n);
const char *tls_alert_str(uint8_t desc, char *buf, size_t n);
const char *tls_sig_scheme_str(uint16_t id, char *buf, size_t n);
const char *tls_group_str(uint16_t id, char *buf, size_t n);
const char *tls_hs_type_str(uint8_t type, char *buf, size_t n);
const char *tls_cert_type_str(uint8_t id, char *buf, size_t n);

/* For the unit test: every table is strictly ascending (bsearch needs it). */
bool tls_names_tables_sorted(void);

#endif
