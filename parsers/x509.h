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

/* The same for a CA file (--trust): up to CAP_TRUST_CERTS certificates, so
 * that a system bundle (/etc/ssl/certs/ca-certificates.crt) fits. */
MUST_USE enum status x509_load_trust_file(struct x509_cache *cache, const char *path,
                                          struct ev_chain **ret_trust, char *errbuf, size_t errlen);

/*
 * Chain verification against trust anchors (--trust CAFILE) with wolfSSL,
 * as of a given time (the handshake's, never the wall clock). Every
 * certificate of `trust` is an anchor (a CA file as TLS stacks read it), or
 * with self_signed_only only the self-signed ones (tlsdiag check, where
 * another certificate is an intermediate the client holds and must send).
 * `trust` and the names must outlive the verifier.
 */
struct x509_verifier;
MUST_USE enum status x509_verifier_new(const struct ev_chain *trust, const char *trust_name,
                                       bool self_signed_only, struct x509_verifier **ret);
void x509_verifier_free(struct x509_verifier *v);
/*
 * Verifies the chain as sent: the path from the leaf (the first certificate;
 * the others in any order), its links through wolfSSL, then the dates of the path and the
 * anchor at `at` (Unix seconds; 0: dates not judged). *ret is NULL for an
 * empty chain, else a struct ev_verify in the arena.
 */
MUST_USE enum status x509_verify_chain(struct x509_verifier *v, struct ev_arena *a,
                                       const struct ev_chain *chain, int64_t at,
                                       struct ev_verify **ret);
/* Sets `verify` of every server chain and every non-empty client chain
 * (sent, or held for tlsdiag check), each at its connection's first packet
 * time. */
MUST_USE enum status x509_verify_evidence(struct x509_verifier *v, struct evidence *ev);

/* Hex SHA-256 of bytes, through wolfCrypt: out must hold 65 bytes. */
void x509_sha256_hex(struct bytes data, char out[65]);

#endif
