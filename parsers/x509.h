/*
 * x509.h - certificate decoding through wolfSSL into the evidence CERT
 * fields (DESIGN.md). This module is the only one that includes wolfSSL.
 * Identical certificates (same DER) are decoded once per run: the cache
 * hands back the same struct ev_cert.
 */
#ifndef TLSDIAG_X509_H
#define TLSDIAG_X509_H

#include "evidence.h"

struct x509_cache;

struct x509_cache *x509_cache_new(struct ev_arena *arena);
void x509_cache_free(struct x509_cache *cache);

/*
 * Decodes one DER certificate. Always yields a struct ev_cert (in the arena)
 * unless memory runs out: when wolfSSL rejects the DER, `error` says why and
 * the fields that could still be read (subject/issuer by our own DER walk,
 * sha256) are filled. The DER is copied into the arena.
 */
MUST_USE enum status x509_decode(struct x509_cache *cache, struct bytes der, struct ev_cert **ret);

/*
 * Reads a certificate file: PEM with one or more CERTIFICATE blocks (in file
 * order; text between blocks is ignored), or DER (one or more certificates
 * back to back). At most 1 MiB and CAP_CERTS_PER_CHAIN certificates. The
 * chain (ref 0) lives in the cache's arena. On failure errbuf names the file
 * and, where it applies, the certificate or offset: ST_MALFORMED (also for
 * a certificate wolfSSL rejects), ST_LIMIT, ST_NOMEM, ST_TRUNCATED (read
 * error).
 */
MUST_USE enum status x509_load_file(struct x509_cache *cache, const char *path,
                                    struct ev_chain **ret_chain, char *errbuf, size_t errlen);

/* Hex SHA-256 of bytes, through wolfCrypt: out must hold 65 bytes. */
void x509_sha256_hex(struct bytes data, char out[65]);

#endif
