/*
 * tls_stream.h - the thin per-protocol step that turns a TCP connection's
 * two byte streams into evidence: finds where TLS starts (any port, after a
 * plaintext prefix such as STARTTLS), frames records, reassembles handshake
 * messages, calls the message parsers and records what they found as one
 * ev_connection per handshake. Knows nothing about packets: the analyzer
 * feeds it the in-order bytes, gaps and closes that captures/ produces.
 */
#ifndef TLSDIAG_TLS_STREAM_H
#define TLSDIAG_TLS_STREAM_H

#include <stdbool.h>

#include "dn_cache.h"
#include "evidence.h"
#include "tls_keylog.h"
#include "x509.h"

/* What the caller should do with further bytes of one side. */
enum tls_stream_verdict {
    TLS_STREAM_KEEP = 0,
    TLS_STREAM_SKIP_SIDE, /* nothing more of interest from this side */
    TLS_STREAM_SKIP_FLOW, /* nothing more of interest at all */
};

struct tls_stream_env {
    struct evidence *ev;
    struct x509_cache *certs;
    const char *path;                /* input file, for the source reference */
    size_t *buffered;                /* partial-record bytes held by all streams (shared counter) */
    const struct tls_keylog *keylog; /* secrets for decryption; NULL: none */
    struct dn_cache *names;          /* CA names rendered once per run; NULL: no cache */
};

struct tls_stream;

/* sides[0]/sides[1] are the two endpoints as the capture layer numbers them
 * (side 0 opened the TCP connection when that was seen). */
struct tls_stream *tls_stream_new(const struct tls_stream_env *env, unsigned stream,
                                  const struct ev_endpoint *side0, const struct ev_endpoint *side1);
enum tls_stream_verdict tls_stream_data(struct tls_stream *s, int side, const uint8_t *data,
                                        size_t len, uint64_t offset, uint64_t ref,
                                        struct ev_time ts);
void tls_stream_gap(struct tls_stream *s, int side, uint64_t offset, uint64_t len, uint64_t ref);
void tls_stream_close(struct tls_stream *s, int side, bool rst, uint64_t ref, struct ev_time ts);
/* Decides the outcome of the last handshake and frees the stream. */
void tls_stream_end(struct tls_stream *s);

#endif
