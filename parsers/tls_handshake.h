/*
 * tls_handshake.h - handshake message framing (RFC 8446 4, RFC 5246 7.4):
 *   struct { HandshakeType msg_type; uint24 length; opaque body[length]; }
 * and the per-direction reassembler that joins messages split over several
 * records and splits records holding several messages. The reassembler
 * knows nothing about TCP or evidence: it is fed record bodies and hands
 * back complete messages.
 */
#ifndef TLSDIAG_TLS_HANDSHAKE_H
#define TLSDIAG_TLS_HANDSHAKE_H

#include <stdbool.h>

#include "cursor.h"

enum tls_hs_type {
    TLS_HS_HELLO_REQUEST = 0,
    TLS_HS_CLIENT_HELLO = 1,
    TLS_HS_SERVER_HELLO = 2,
    TLS_HS_HELLO_VERIFY_REQUEST = 3,
    TLS_HS_NEW_SESSION_TICKET = 4,
    TLS_HS_END_OF_EARLY_DATA = 5,
    TLS_HS_ENCRYPTED_EXTENSIONS = 8,
    TLS_HS_CERTIFICATE = 11,
    TLS_HS_SERVER_KEY_EXCHANGE = 12,
    TLS_HS_CERTIFICATE_REQUEST = 13,
    TLS_HS_SERVER_HELLO_DONE = 14,
    TLS_HS_CERTIFICATE_VERIFY = 15,
    TLS_HS_CLIENT_KEY_EXCHANGE = 16,
    TLS_HS_FINISHED = 20,
    TLS_HS_CERTIFICATE_URL = 21,
    TLS_HS_CERTIFICATE_STATUS = 22,
    TLS_HS_KEY_UPDATE = 24,
    TLS_HS_COMPRESSED_CERTIFICATE = 25,
    TLS_HS_MESSAGE_HASH = 254,
};

#define TLS_HS_HEADER_LEN 4u

struct tls_hs_msg {
    uint8_t type;
    uint32_t length;
    struct bytes body;  /* valid until the next tls_hs_reasm_* call */
    uint64_t ref_first; /* ref given with the record holding the first byte */
    uint64_t ref_last;  /* ref of the record holding the last byte */
    uint64_t offset;    /* stream offset of the message header */
};

/*
 * Per-direction reassembler. Feed each handshake record body with
 * tls_hs_reasm_feed(), then call tls_hs_reasm_next() until it returns
 * ST_INCOMPLETE. A message longer than `max` (at most CAP_TLS_HS_MSG_MAX)
 * yields ST_LIMIT once and the reassembler skips its body. Memory held:
 * at most one partial message.
 *
 * The record body given to feed() is borrowed, not copied, until next()
 * has returned ST_INCOMPLETE: keep it alive and unchanged until then.
 * A message lying wholly inside one record is returned as a view into that
 * record (no copy); only a message split over records is copied into `buf`
 * (each byte once, so the work is linear in the input). Feeding again
 * before next() said ST_INCOMPLETE is a programmer error (ST_INTERNAL).
 *
 * Refs: ret->ref_first is the ref given to feed() with the record holding
 * the message's first header byte, ret->ref_last the `ref` passed to next(),
 * which must be the ref of the record fed last (it holds the last byte).
 * ret->offset is the stream offset of the first header byte, from the
 * `offset` given to feed() (offsets need not be contiguous across records:
 * record headers sit between bodies).
 */
struct tls_hs_reasm {
    uint8_t *buf;    /* heap, grows up to max + 4 */
    size_t len, cap; /* bytes held */
    size_t pos;      /* consumed prefix of buf */
    size_t max;
    uint64_t buf_offset;    /* stream offset of buf[0] */
    uint64_t ref_first;     /* ref of the record that brought buf[pos] */
    uint64_t skip;          /* body bytes still to drop after ST_LIMIT */
    struct parse_error err; /* last ST_LIMIT / ST_INTERNAL, with its offset */
    /* Added by the implementation: the record body being split (borrowed). */
    struct bytes in;    /* unconsumed rest of the record body fed last */
    uint64_t in_offset; /* stream offset of in.ptr[0] */
    uint64_t in_ref;    /* ref given with that record */
};

void tls_hs_reasm_init(struct tls_hs_reasm *r, size_t max);
void tls_hs_reasm_fini(struct tls_hs_reasm *r);
/* Drops any partial message (after a gap or a cipher change). */
void tls_hs_reasm_reset(struct tls_hs_reasm *r);
/* `offset` is the stream offset of body[0]; `ref` the frame/line. */
MUST_USE enum status tls_hs_reasm_feed(struct tls_hs_reasm *r, struct bytes body, uint64_t offset,
                                       uint64_t ref);
/* ST_OK with a message, ST_INCOMPLETE when more bytes are needed, ST_LIMIT
 * when a message is over the cap (reported once; its header in ret). */
MUST_USE enum status tls_hs_reasm_next(struct tls_hs_reasm *r, uint64_t ref,
                                       struct tls_hs_msg *ret);
/* Bytes of an unfinished message held (0 when at a message boundary);
 * while the body of an over-cap message is being skipped, the bytes still
 * to skip (also not a boundary). */
size_t tls_hs_reasm_pending(const struct tls_hs_reasm *r);

#endif
