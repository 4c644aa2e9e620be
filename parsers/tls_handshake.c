/*
 * tls_handshake.c - handshake message framing and reassembly (RFC 8446 4,
 * RFC 5246 7.4):
 *   struct {
 *       HandshakeType msg_type;
 *       uint24 length;
 *       opaque body[length];
 *   } Handshake;
 * RFC 8446 5.1 / RFC 5246 6.2.1: handshake messages may be coalesced into
 * one record or fragmented across several; a zero-length message (e.g.
 * ServerHelloDone, HelloRequest) is valid. A message wholly inside one
 * record is handed back as a view into that record; only split messages are
 * copied, into a buffer bounded by the cap, so the work is linear.
 */
#include "tls_handshake.h"

#include <stdlib.h>

#include "caps.h"

#define MIN_ALLOC 256u

void tls_hs_reasm_init(struct tls_hs_reasm *r, size_t max)
{
    *r = (struct tls_hs_reasm){ .max = max < CAP_TLS_HS_MSG_MAX ? max : CAP_TLS_HS_MSG_MAX };
}

void tls_hs_reasm_fini(struct tls_hs_reasm *r)
{
    free(r->buf);
    *r = (struct tls_hs_reasm){ 0 };
}

void tls_hs_reasm_reset(struct tls_hs_reasm *r)
{
    *r = (struct tls_hs_reasm){ .buf = r->buf, .cap = r->cap, .max = r->max };
}

static void in_advance(struct tls_hs_reasm *r, size_t n)
{
    r->in.ptr += n;
    r->in.len -= n;
    r->in_offset += n;
}

/* Drops body bytes of an over-cap message from the current input. */
static void skip_input(struct tls_hs_reasm *r)
{
    size_t n = r->skip < r->in.len ? (size_t)r->skip : r->in.len;
    in_advance(r, n);
    r->skip -= n;
}

/* Makes room for `want` more bytes; grows geometrically, never past `final`
 * (the size of the whole message, at most max + 4). */
static enum status reserve(struct tls_hs_reasm *r, size_t want, size_t final)
{
    size_t need = r->len + want;

    if (need <= r->cap) {
        return ST_OK;
    }
    size_t cap = r->cap ? r->cap : MIN_ALLOC;
    while (cap < need) {
        cap *= 2;
    }
    if (cap > final) {
        cap = final > need ? final : need;
    }
    uint8_t *nb = realloc(r->buf, cap);
    if (!nb) {
        return ST_NOMEM;
    }
    r->buf = nb;
    r->cap = cap;
    return ST_OK;
}

/* Moves n bytes of the current input into the buffer, through the cursor. */
static enum status stash(struct tls_hs_reasm *r, size_t n, size_t final)
{
    struct cursor c;

    if (n == 0) {
        return ST_OK;
    }
    TRY(reserve(r, n, final));
    cur_init_bytes(&c, r->in, r->in_offset, &r->err);
    TRY(cur_copy(&c, r->buf + r->len, n));
    r->len += n;
    in_advance(r, n);
    return ST_OK;
}

/* A message over the cap: reported once with its header, body skipped. */
static enum status over_cap(struct tls_hs_reasm *r, uint8_t type, uint32_t length, uint64_t offset,
                            uint64_t ref_first, uint64_t ref, struct tls_hs_msg *ret)
{
    struct cursor at;

    cur_init(&at, NULL, 0, offset, &r->err);
    r->skip = length;
    skip_input(r);
    *ret = (struct tls_hs_msg){
        .type = type,
        .length = length,
        .ref_first = ref_first,
        .ref_last = ref,
        .offset = offset,
    };
    return cur_fail(&at, ST_LIMIT, "handshake message longer than the reassembly cap");
}

/* No partial message held: take the next message straight from the input. */
static enum status next_direct(struct tls_hs_reasm *r, uint64_t ref, struct tls_hs_msg *ret)
{
    struct cursor c;
    uint8_t type;
    uint32_t length;
    struct bytes body;

    if (r->in.len == 0) {
        return ST_INCOMPLETE;
    }
    r->buf_offset = r->in_offset;
    r->ref_first = r->in_ref;
    if (r->in.len < TLS_HS_HEADER_LEN) {
        TRY(stash(r, r->in.len, TLS_HS_HEADER_LEN));
        return ST_INCOMPLETE;
    }
    cur_init_bytes(&c, r->in, r->in_offset, &r->err);
    TRY(cur_u8(&c, &type));
    TRY(cur_u24(&c, &length));
    if (length > r->max) {
        in_advance(r, TLS_HS_HEADER_LEN);
        return over_cap(r, type, length, r->buf_offset, r->in_ref, ref, ret);
    }
    if (length > cur_left(&c)) {
        TRY(stash(r, r->in.len, TLS_HS_HEADER_LEN + (size_t)length));
        return ST_INCOMPLETE;
    }
    TRY(cur_take(&c, length, &body));
    *ret = (struct tls_hs_msg){
        .type = type,
        .length = length,
        .body = body,
        .ref_first = r->in_ref,
        .ref_last = ref,
        .offset = r->in_offset,
    };
    in_advance(r, TLS_HS_HEADER_LEN + (size_t)length);
    return ST_OK;
}

/* A partial message is held: complete its header, then its body. */
static enum status next_buffered(struct tls_hs_reasm *r, uint64_t ref, struct tls_hs_msg *ret)
{
    struct cursor h;
    uint8_t type;
    uint32_t length;
    struct bytes body;

    if (r->len < TLS_HS_HEADER_LEN) {
        size_t n = TLS_HS_HEADER_LEN - r->len;
        TRY(stash(r, n < r->in.len ? n : r->in.len, TLS_HS_HEADER_LEN));
        if (r->len < TLS_HS_HEADER_LEN) {
            return ST_INCOMPLETE;
        }
    }
    cur_init(&h, r->buf, r->len, r->buf_offset, &r->err);
    TRY(cur_u8(&h, &type));
    TRY(cur_u24(&h, &length));
    if (length > r->max) {
        /* Only the header is held: bodies are buffered for messages under the cap. */
        r->len = 0;
        return over_cap(r, type, length, r->buf_offset, r->ref_first, ref, ret);
    }
    size_t total = TLS_HS_HEADER_LEN + (size_t)length;
    size_t missing = total - r->len;
    TRY(stash(r, missing < r->in.len ? missing : r->in.len, total));
    if (r->len < total) {
        return ST_INCOMPLETE;
    }
    cur_init(&h, r->buf, r->len, r->buf_offset, &r->err);
    TRY(cur_skip(&h, TLS_HS_HEADER_LEN));
    TRY(cur_take(&h, length, &body));
    *ret = (struct tls_hs_msg){
        .type = type,
        .length = length,
        .body = body,
        .ref_first = r->ref_first,
        .ref_last = ref,
        .offset = r->buf_offset,
    };
    r->pos = r->len; /* handed out; dropped on the next call */
    return ST_OK;
}

/* Forgets a buffered message that was handed out by the previous call. */
static void drop_consumed(struct tls_hs_reasm *r)
{
    if (r->len > 0 && r->pos == r->len) {
        r->len = 0;
        r->pos = 0;
    }
}

enum status tls_hs_reasm_feed(struct tls_hs_reasm *r, struct bytes body, uint64_t offset,
                              uint64_t ref)
{
    if (r->in.len != 0) {
        struct cursor at;
        cur_init(&at, NULL, 0, r->in_offset, &r->err);
        return cur_fail(&at, ST_INTERNAL, "record fed before the previous one was drained");
    }
    drop_consumed(r);
    r->in = body.ptr ? body : (struct bytes){ 0 };
    r->in_offset = offset;
    r->in_ref = ref;
    skip_input(r);
    return ST_OK;
}

enum status tls_hs_reasm_next(struct tls_hs_reasm *r, uint64_t ref, struct tls_hs_msg *ret)
{
    drop_consumed(r);
    if (r->skip > 0) {
        skip_input(r);
        if (r->skip > 0) {
            return ST_INCOMPLETE;
        }
    }
    if (r->len > 0) {
        return next_buffered(r, ref, ret);
    }
    return next_direct(r, ref, ret);
}

size_t tls_hs_reasm_pending(const struct tls_hs_reasm *r)
{
    if (r->skip > 0) {
        return r->skip < SIZE_MAX ? (size_t)r->skip : SIZE_MAX;
    }
    size_t held = r->pos == r->len ? 0 : r->len - r->pos;
    return held + r->in.len;
}
