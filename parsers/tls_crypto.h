/*
 * tls_crypto.h - record protection for decryption with a key log: the key
 * schedules (TLS 1.3 HKDF-Expand-Label, RFC 8446 7.1-7.3; TLS 1.0-1.2 PRF
 * key expansion, RFC 5246 6.3) and opening one protected record (AEAD: RFC
 * 8446 5.2, RFC 5288, RFC 7905; CBC with HMAC: RFC 5246 6.2.3.2, also
 * encrypt-then-MAC, RFC 7366). wolfSSL does the arithmetic; this file and
 * x509.c are the only ones that include it.
 */
#ifndef TLSDIAG_TLS_CRYPTO_H
#define TLSDIAG_TLS_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "status.h"

struct tls_cipher;

/* Can records of this suite be opened? (AES-GCM, ChaCha20-Poly1305, AES-CBC
 * with SHA-1/SHA-256/SHA-384 HMAC; not CCM, 3DES, RC4, NULL.) */
bool tls_crypto_suite_supported(uint16_t suite);

/* TLS 1.3: a cipher for one direction from its traffic secret. NULL when the
 * suite is unsupported, the secret has the wrong length, or no memory. */
struct tls_cipher *tls_cipher_new13(uint16_t suite, const uint8_t *secret, size_t secret_len);

/* TLS 1.0-1.2: both directions' ciphers from the master secret and the
 * hello randoms. false when unsupported (SSL 3.0, an unsupported suite) or
 * out of memory. */
bool tls_cipher_new12(uint16_t suite, uint16_t version, const uint8_t master[48],
                      const uint8_t client_random[32], const uint8_t server_random[32],
                      struct tls_cipher **ret_client, struct tls_cipher **ret_server);

/* TLS 1.3 KeyUpdate: the next traffic secret and keys (RFC 8446 7.2). */
bool tls_cipher_update13(struct tls_cipher *c);

void tls_cipher_free(struct tls_cipher *c);

/* Opens one record: `hdr` is its 5-byte header as on the wire, `body` its
 * payload. The plaintext goes to out (room for len bytes), with its length
 * and its content type (TLS 1.3: the inner type). ST_MALFORMED when the
 * record does not authenticate (wrong secrets, or not this record's keys). */
enum status tls_cipher_open(struct tls_cipher *c, const uint8_t hdr[5], const uint8_t *body,
                            size_t len, uint8_t *out, size_t *ret_len, uint8_t *ret_type);

#endif
