/*
 * der.c - DER TLV reader (X.690 8.1.2-8.1.3, 10.1). Rejects what DER forbids
 * and what we never need: indefinite lengths, lengths over 4 bytes,
 * multi-byte tag numbers.
 */
#include "der.h"

enum status der_next(struct cursor *c, struct der_tlv *ret_tlv)
{
    size_t start = c->pos;
    uint8_t tag;
    uint8_t first;
    size_t len = 0;

    TRY(cur_u8(c, &tag));
    if ((tag & 0x1f) == 0x1f) {
        return cur_fail(c, ST_MALFORMED, "DER: multi-byte tag numbers are not supported");
    }
    TRY(cur_u8(c, &first));
    if (first < 0x80) {
        len = first;
    } else {
        unsigned n = first & 0x7f;
        if (n == 0) {
            return cur_fail(c, ST_MALFORMED, "DER: indefinite length");
        }
        if (n > 4) {
            return cur_fail(c, ST_MALFORMED, "DER: length field longer than 4 bytes");
        }
        for (unsigned i = 0; i < n; i++) {
            uint8_t b;
            TRY(cur_u8(c, &b));
            len = (len << 8) | b;
        }
        /* Non-minimal long forms are BER, not DER, but real encoders emit
         * them; they are unambiguous, so they are accepted. */
    }
    if (len > cur_left(c)) {
        return cur_fail(c, ST_MALFORMED, "DER: length runs past the end of its container");
    }
    struct der_tlv t = { .tag = tag };
    cur_init(&t.body, c->buf + c->pos, len, cur_offset(c), c->err);
    c->pos += len;
    t.raw.ptr = c->buf + start;
    t.raw.len = c->pos - start;
    *ret_tlv = t;
    return ST_OK;
}

enum status der_expect(struct cursor *c, uint8_t tag, struct cursor *ret_body)
{
    struct der_tlv t;
    size_t at = c->pos;

    TRY(der_next(c, &t));
    if (t.tag != tag) {
        c->pos = at;
        return cur_fail(c, ST_MALFORMED, "DER: unexpected tag");
    }
    *ret_body = t.body;
    return ST_OK;
}

enum status der_oid_arc(struct cursor *c, uint64_t *ret)
{
    uint64_t v = 0;
    uint8_t b;

    TRY(cur_u8(c, &b));
    if (b == 0x80) {
        return cur_fail(c, ST_MALFORMED, "OID: padded subidentifier");
    }
    for (;;) {
        v = (v << 7) | (b & 0x7f);
        if (!(b & 0x80)) {
            break;
        }
        if (v > (UINT64_MAX >> 7)) {
            return cur_fail(c, ST_MALFORMED, "OID: arc too large");
        }
        if (cur_left(c) == 0) {
            return cur_fail(c, ST_MALFORMED, "OID: unterminated subidentifier");
        }
        TRY(cur_u8(c, &b));
    }
    *ret = v;
    return ST_OK;
}
