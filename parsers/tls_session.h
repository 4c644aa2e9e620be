/*
 * tls_session.h - the TLS state of one TCP connection above the record
 * framing: roles, negotiated version, the current handshake's evidence, and
 * the rules for when a handshake is over. tls_stream.c frames records and
 * calls these functions; tls_session.c turns records and handshake messages
 * into evidence. Private to parsers/.
 */
#ifndef TLSDIAG_TLS_SESSION_H
#define TLSDIAG_TLS_SESSION_H

#include <stdbool.h>

#include "evidence.h"
#include "tls_crypto.h"
#include "tls_handshake.h"
#include "tls_record.h"
#include "tls_stream.h"

struct tls_session_side {
    struct tls_hs_reasm hs;
    bool encrypted;                /* after ChangeCipherSpec (TLS <= 1.2) */
    bool finished;                 /* encrypted handshake record after CCS: Finished */
    unsigned ladder_encrypted;     /* encrypted records put on the ladder in this handshake */
    unsigned app_records;          /* application data records seen */
    unsigned records_after_flight; /* TLS 1.3: records after the client's encrypted flight */
    uint32_t max_len_after_flight;
    uint64_t last_small_ref;
    bool closed;
    bool sslv2;     /* this side spoke SSLv2 */
    bool spoke_tls; /* a TLS record came from this side */
    /* Decryption with a key log: the cipher that opens this side's records,
     * and (TLS <= 1.2) the one its next ChangeCipherSpec switches to. */
    struct tls_cipher *cipher, *pending;
    unsigned opened;     /* records opened with the current secrets */
    bool decrypt_failed; /* a record did not open: the rest stays opaque */
    bool app_keys;       /* TLS 1.3: switched to the application traffic secret */
};

struct tls_session {
    struct tls_stream_env env;
    unsigned stream;
    struct ev_endpoint ep[2]; /* by capture side */
    int client_side;          /* -1 until a hello decides */
    bool tls13;               /* ServerHello negotiated TLS 1.3 */
    bool client_flight13;     /* TLS 1.3: the client's encrypted flight started */
    struct tls_session_side side[2];
    struct ev_connection *conn; /* current handshake, NULL before TLS is seen */
    unsigned handshakes;
    const struct tls_keylog_entry *secrets; /* key log entry of the current handshake */
    bool in_decrypted; /* the message being processed came out of a protected record */
    struct ev_time ts; /* time of the bytes being processed */
    uint64_t ref;      /* frame/line of the bytes being processed */
};

void tls_session_init(struct tls_session *s, const struct tls_stream_env *env, unsigned stream,
                      const struct ev_endpoint *side0, const struct ev_endpoint *side1);
void tls_session_fini(struct tls_session *s);

/* Is the peer of `side` already known to speak TLS? (relaxed start detection) */
bool tls_session_peer_is_tls(const struct tls_session *s, int side);

/* A whole record whose body the session needs (plaintext handshake, alert,
 * CCS), or only the header of an encrypted/application record (body NULL). */
void tls_session_record(struct tls_session *s, int side, const struct tls_record_header *h,
                        const uint8_t *body, uint64_t offset, uint64_t ref_first);
/* Does the session need this record's body, or only its header? */
bool tls_session_wants_body(const struct tls_session *s, int side,
                            const struct tls_record_header *h);
/* An SSLv2-format ClientHello (whole record). */
void tls_session_sslv2_hello(struct tls_session *s, int side, const uint8_t *rec, size_t len,
                             uint64_t offset);
/* Something the framing layer wants recorded (gap, bad header, limit). */
void tls_session_note(struct tls_session *s, int side, enum status st, uint64_t offset,
                      const char *text);
void tls_session_gap(struct tls_session *s, int side);
void tls_session_close(struct tls_session *s, int side, bool rst, uint64_t ref);
/* Should the framing layer stop looking at this flow? */
bool tls_session_done(const struct tls_session *s);
/* Decides the outcome of the current handshake. */
void tls_session_finish(struct tls_session *s);

#endif
