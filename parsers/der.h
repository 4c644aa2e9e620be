/*
 * der.h - minimal DER TLV walking over a cursor (ITU-T X.690 section 8 and
 * 10): definite lengths only, at most 4 length bytes, single-byte tags
 * (enough for X.509 and distinguished names). The body is returned as a
 * sub-cursor; `raw` covers the whole TLV for hashing and comparison.
 */
#ifndef TLSDIAG_DER_H
#define TLSDIAG_DER_H

#include "caps.h"
#include "cursor.h"

#define DER_MAX_DEPTH CAP_DER_MAX_DEPTH

enum der_tag {
    DER_BOOLEAN = 0x01,
    DER_INTEGER = 0x02,
    DER_BIT_STRING = 0x03,
    DER_OCTET_STRING = 0x04,
    DER_NULL = 0x05,
    DER_OID = 0x06,
    DER_UTF8_STRING = 0x0c,
    DER_PRINTABLE_STRING = 0x13,
    DER_T61_STRING = 0x14,
    DER_IA5_STRING = 0x16,
    DER_UTC_TIME = 0x17,
    DER_GENERALIZED_TIME = 0x18,
    DER_VISIBLE_STRING = 0x1a,
    DER_UNIVERSAL_STRING = 0x1c,
    DER_BMP_STRING = 0x1e,
    DER_SEQUENCE = 0x30,
    DER_SET = 0x31,
};

struct der_tlv {
    uint8_t tag;        /* the identifier octet as encoded */
    struct cursor body; /* the contents */
    struct bytes raw;   /* identifier, length and contents */
};

/* Reads one TLV; ST_MALFORMED on indefinite or oversized lengths, high tag
 * numbers, or a length past the end. */
MUST_USE enum status der_next(struct cursor *c, struct der_tlv *ret_tlv);
/*
 * One subidentifier of an OBJECT IDENTIFIER body (X.690 8.19): base-128,
 * high bit = more bytes follow. DER forbids padding (a leading 0x80) and an
 * arc that does not end; arcs past 64 bits are refused rather than wrapped.
 * The first subidentifier packs two arcs: 40 * X + Y (X <= 2).
 */
MUST_USE enum status der_oid_arc(struct cursor *c, uint64_t *ret);

/* Reads one TLV that must carry `tag`; returns its body. */
MUST_USE enum status der_expect(struct cursor *c, uint8_t tag, struct cursor *ret_body);

#endif
