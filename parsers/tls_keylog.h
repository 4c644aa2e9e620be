/*
 * tls_keylog.h - the NSS key log format (SSLKEYLOGFILE, as written by
 * OpenSSL, GnuTLS, NSS, curl, browsers; also the payload of a pcapng
 * Decryption Secrets Block): one "LABEL <client_random hex> <secret hex>"
 * per line. Kept: the TLS 1.2 master secret (CLIENT_RANDOM) and the TLS 1.3
 * handshake and first application traffic secrets; other labels are
 * ignored. Secrets are looked up by the ClientHello random.
 */
#ifndef TLSDIAG_TLS_KEYLOG_H
#define TLSDIAG_TLS_KEYLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "status.h"

enum tls_secret {
    TLS_SECRET_MASTER,    /* CLIENT_RANDOM: TLS <= 1.2 master secret (48 bytes) */
    TLS_SECRET_CLIENT_HS, /* CLIENT_HANDSHAKE_TRAFFIC_SECRET */
    TLS_SECRET_SERVER_HS, /* SERVER_HANDSHAKE_TRAFFIC_SECRET */
    TLS_SECRET_CLIENT_AP, /* CLIENT_TRAFFIC_SECRET_0 */
    TLS_SECRET_SERVER_AP, /* SERVER_TRAFFIC_SECRET_0 */
    TLS_SECRET_COUNT
};

#define TLS_SECRET_MAX 48u /* SHA-384, the longest hash of a TLS 1.3 suite */

struct tls_keylog_entry {
    uint8_t random[32];
    uint8_t len[TLS_SECRET_COUNT]; /* 0: this secret is not in the log */
    uint8_t secret[TLS_SECRET_COUNT][TLS_SECRET_MAX];
};

struct tls_keylog {
    struct tls_keylog_entry *slots; /* open addressing, keyed by the random */
    size_t cap, count;
    uint64_t lines, ignored; /* lines read; lines not understood */
    uint64_t kept;           /* lines whose secret was kept */
    uint64_t first_bad_line; /* 0: none */
    bool full;               /* CAP_KEYLOG_SESSIONS reached: later sessions dropped */
};

void tls_keylog_init(struct tls_keylog *kl);
void tls_keylog_fini(struct tls_keylog *kl);

/* Adds the lines of a key log text (a whole file or a DSB payload; a last
 * line without LF counts). Unknown labels and comments are skipped;
 * malformed lines are counted in `ignored`. ST_NOMEM when out of memory. */
enum status tls_keylog_add_text(struct tls_keylog *kl, const uint8_t *text, size_t len);

/* Reads a key log file in bounded chunks. ST_OK, or a one-line reason in
 * err (cannot open, not a key log at all, out of memory). */
enum status tls_keylog_load_file(struct tls_keylog *kl, const char *path, char *err, size_t errlen);

/* The secrets logged for a ClientHello random, or NULL. */
const struct tls_keylog_entry *tls_keylog_find(const struct tls_keylog *kl,
                                               const uint8_t random[32]);

#endif
