/*
 * dn.c - renders an X.501 Name (RFC 5280 4.1.2.4) as an RFC 4514 string:
 * RDNs in reverse encoding order (RFC 4514 2.1) joined by ",", the
 * attribute-type-and-values of a multi-valued RDN joined by "+" in encoding
 * order, short attribute names from RFC 4514 3 plus the common extras, other
 * types as dotted OIDs (2.3), values escaped per 2.4, values without a
 * string form as '#' and the hex of their DER (2.4). String types are turned
 * into UTF-8: BMPString (UTF-16BE) and UniversalString (UCS-4) converted,
 * TeletexString kept when it is valid UTF-8 and read as Latin-1 otherwise
 * (what real encoders put there), bytes that are not valid UTF-8 written as
 * \XX. Control characters (C0, DEL, C1) are always written as \XX so that a
 * name can never smuggle a terminal escape or a NUL into a report.
 */
#include "dn.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "caps.h"
#include "der.h"

#define DN_OUT_FIRST 256u
#define DN_RDN_FIRST 16u

/* A bounded output string: grows (when allowed) up to `max` bytes,
 * terminating NUL included; ST_LIMIT past that. */
struct dn_out {
    char *buf;
    size_t len; /* without the NUL */
    size_t cap; /* bytes allocated (or given) */
    size_t max; /* growth limit, NUL included */
    bool grow;
};

static enum status out_byte(struct dn_out *o, uint8_t ch)
{
    if (o->cap - o->len < 2) {
        if (!o->grow || o->cap >= o->max) {
            return ST_LIMIT;
        }
        size_t ncap = o->cap * 2 < o->max ? o->cap * 2 : o->max;
        char *nb = realloc(o->buf, ncap);
        if (!nb) {
            return ST_NOMEM;
        }
        o->buf = nb;
        o->cap = ncap;
    }
    o->buf[o->len++] = (char)ch;
    o->buf[o->len] = '\0';
    return ST_OK;
}

static enum status out_str(struct dn_out *o, const char *s)
{
    for (; *s; s++) {
        TRY(out_byte(o, (uint8_t)*s));
    }
    return ST_OK;
}

static const char hex_upper[] = "0123456789ABCDEF";

static enum status out_hex_byte(struct dn_out *o, uint8_t b)
{
    TRY(out_byte(o, (uint8_t)hex_upper[b >> 4]));
    return out_byte(o, (uint8_t)hex_upper[b & 0x0f]);
}

static enum status out_escaped_byte(struct dn_out *o, uint8_t b)
{
    TRY(out_byte(o, '\\'));
    return out_hex_byte(o, b);
}

static enum status out_decimal(struct dn_out *o, uint64_t v)
{
    char digits[24];
    size_t n = 0;

    do {
        digits[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v > 0);
    while (n > 0) {
        TRY(out_byte(o, (uint8_t)digits[--n]));
    }
    return ST_OK;
}

/* ---- OIDs ------------------------------------------------------------------ */

static enum status oid_check(struct cursor body)
{
    uint64_t v;

    if (cur_left(&body) == 0) {
        return cur_fail(&body, ST_MALFORMED, "OID: empty");
    }
    while (cur_left(&body) > 0) {
        TRY(der_oid_arc(&body, &v));
    }
    return ST_OK;
}

/* Dotted decimal of an OID body into o; ST_MALFORMED for an invalid OID. */
static enum status oid_text(struct cursor body, struct dn_out *o)
{
    uint64_t v;

    if (cur_left(&body) == 0) {
        return cur_fail(&body, ST_MALFORMED, "OID: empty");
    }
    TRY(der_oid_arc(&body, &v));
    uint64_t first = v < 80 ? v / 40 : 2;
    TRY(out_decimal(o, first));
    TRY(out_byte(o, '.'));
    TRY(out_decimal(o, v - first * 40));
    while (cur_left(&body) > 0) {
        TRY(der_oid_arc(&body, &v));
        TRY(out_byte(o, '.'));
        TRY(out_decimal(o, v));
    }
    return ST_OK;
}

/* Longest dotted OID in the table is short; longer ones are never names. */
#define DN_OID_TEXT_MAX 64u

static const struct {
    const char *oid;
    const char *name;
} attr_names[] = {
    { "2.5.4.3", "CN" },
    { "2.5.4.4", "SN" },
    { "2.5.4.5", "serialNumber" },
    { "2.5.4.6", "C" },
    { "2.5.4.7", "L" },
    { "2.5.4.8", "ST" },
    { "2.5.4.9", "STREET" },
    { "2.5.4.10", "O" },
    { "2.5.4.11", "OU" },
    { "2.5.4.12", "title" },
    { "2.5.4.13", "description" },
    { "2.5.4.15", "businessCategory" },
    { "2.5.4.16", "postalAddress" },
    { "2.5.4.17", "postalCode" },
    { "2.5.4.41", "name" },
    { "2.5.4.42", "GN" },
    { "2.5.4.43", "initials" },
    { "2.5.4.44", "generationQualifier" },
    { "2.5.4.46", "dnQualifier" },
    { "2.5.4.65", "pseudonym" },
    { "2.5.4.97", "organizationIdentifier" },
    { "0.9.2342.19200300.100.1.1", "UID" },
    { "0.9.2342.19200300.100.1.25", "DC" },
    { "1.2.840.113549.1.9.1", "emailAddress" },
    { "1.3.6.1.4.1.311.60.2.1.1", "jurisdictionL" },
    { "1.3.6.1.4.1.311.60.2.1.2", "jurisdictionST" },
    { "1.3.6.1.4.1.311.60.2.1.3", "jurisdictionC" },
};

static bool str_eq(const char *a, const char *b)
{
    while (*a && *a == *b) {
        a++;
        b++;
    }
    return *a == *b;
}

/* AttributeType: the short name when known, else the dotted OID (RFC 4514 2.3). */
static enum status out_attr_type(struct dn_out *o, struct cursor oid)
{
    char text[DN_OID_TEXT_MAX];
    struct dn_out t = { .buf = text, .cap = sizeof text, .max = sizeof text };
    enum status st = oid_text(oid, &t);

    if (st == ST_LIMIT) {
        return oid_text(oid, o); /* too long for any table entry */
    }
    TRY(st);
    for (size_t i = 0; i < sizeof attr_names / sizeof attr_names[0]; i++) {
        if (str_eq(text, attr_names[i].oid)) {
            return out_str(o, attr_names[i].name);
        }
    }
    return out_str(o, text);
}

/* ---- values ---------------------------------------------------------------- */

enum dn_charset {
    CS_UTF8, /* UTF8String, and the ASCII types (invalid bytes escaped) */
    CS_T61,  /* valid UTF-8 kept, otherwise Latin-1 */
    CS_LATIN1,
    CS_BMP,  /* UTF-16BE */
    CS_UCS4, /* UniversalString */
    CS_NONE, /* no string form: #hex */
};

static enum dn_charset charset_of(uint8_t tag)
{
    switch (tag) {
    case DER_UTF8_STRING:
    case 0x12: /* NumericString */
    case DER_PRINTABLE_STRING:
    case DER_IA5_STRING:
    case DER_VISIBLE_STRING:
        return CS_UTF8;
    case DER_T61_STRING:
        return CS_T61;
    case DER_BMP_STRING:
        return CS_BMP;
    case DER_UNIVERSAL_STRING:
        return CS_UCS4;
    default:
        return CS_NONE;
    }
}

/*
 * One UTF-8 sequence (RFC 3629 4: no overlongs, no surrogates, at most
 * U+10FFFF). Returns true with the code point, or false with the single
 * offending byte consumed and returned in *ret.
 */
static bool utf8_next(struct cursor *c, uint32_t *ret)
{
    uint8_t lead = 0;
    uint32_t cp;
    unsigned more;
    uint32_t min;

    if (cur_u8(c, &lead) != ST_OK) {
        *ret = 0;
        return false;
    }
    if (lead < 0x80) {
        *ret = lead;
        return true;
    }
    if (lead >= 0xc2 && lead <= 0xdf) {
        cp = lead & 0x1f;
        more = 1;
        min = 0x80;
    } else if (lead >= 0xe0 && lead <= 0xef) {
        cp = lead & 0x0f;
        more = 2;
        min = 0x800;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
        cp = lead & 0x07;
        more = 3;
        min = 0x10000;
    } else {
        *ret = lead;
        return false;
    }
    struct cursor look = *c;
    for (unsigned i = 0; i < more; i++) {
        uint8_t b;
        if (cur_u8(&look, &b) != ST_OK || (b & 0xc0) != 0x80) {
            *ret = lead;
            return false;
        }
        cp = (cp << 6) | (b & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
        *ret = lead;
        return false;
    }
    *c = look;
    *ret = cp;
    return true;
}

static bool utf8_valid(struct cursor c)
{
    uint32_t cp;

    while (cur_left(&c) > 0) {
        if (!utf8_next(&c, &cp)) {
            return false;
        }
    }
    return true;
}

#define DN_REPLACEMENT 0xfffdu

/* Next code point of a value in a fixed-width or 8-bit charset. */
static uint32_t wide_next(struct cursor *c, enum dn_charset cs)
{
    uint8_t b = 0;
    uint16_t u = 0;
    uint32_t v = 0;

    switch (cs) {
    case CS_LATIN1:
        if (cur_u8(c, &b) != ST_OK) {
            break;
        }
        return b;
    case CS_BMP:
        if (cur_u16(c, &u) != ST_OK) {
            break;
        }
        if (u >= 0xd800 && u <= 0xdbff) {
            struct cursor look = *c;
            uint16_t lo = 0;
            if (cur_u16(&look, &lo) == ST_OK && lo >= 0xdc00 && lo <= 0xdfff) {
                *c = look;
                return 0x10000u + (((uint32_t)u - 0xd800u) << 10) + ((uint32_t)lo - 0xdc00u);
            }
            return DN_REPLACEMENT;
        }
        if (u >= 0xdc00 && u <= 0xdfff) {
            return DN_REPLACEMENT;
        }
        return u;
    case CS_UCS4:
        if (cur_u32(c, &v) != ST_OK) {
            break;
        }
        if (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) {
            return DN_REPLACEMENT;
        }
        return v;
    default:
        break;
    }
    /* not reached for the lengths out_value lets through; never loop */
    cur_skip_rest(c);
    return DN_REPLACEMENT;
}

static enum status out_utf8(struct dn_out *o, uint32_t cp)
{
    if (cp < 0x80) {
        return out_byte(o, (uint8_t)cp);
    }
    if (cp < 0x800) {
        TRY(out_byte(o, (uint8_t)(0xc0 | cp >> 6)));
        return out_byte(o, (uint8_t)(0x80 | (cp & 0x3f)));
    }
    if (cp < 0x10000) {
        TRY(out_byte(o, (uint8_t)(0xe0 | cp >> 12)));
        TRY(out_byte(o, (uint8_t)(0x80 | ((cp >> 6) & 0x3f))));
        return out_byte(o, (uint8_t)(0x80 | (cp & 0x3f)));
    }
    TRY(out_byte(o, (uint8_t)(0xf0 | cp >> 18)));
    TRY(out_byte(o, (uint8_t)(0x80 | ((cp >> 12) & 0x3f))));
    TRY(out_byte(o, (uint8_t)(0x80 | ((cp >> 6) & 0x3f))));
    return out_byte(o, (uint8_t)(0x80 | (cp & 0x3f)));
}

/* One character of a value with the escapes of RFC 4514 2.4. */
static enum status out_value_char(struct dn_out *o, uint32_t cp, bool first, bool last)
{
    if (cp < 0x20 || cp == 0x7f) {
        return out_escaped_byte(o, (uint8_t)cp);
    }
    if (cp >= 0x80 && cp <= 0x9f) {
        /* C1 controls: escape both bytes of their UTF-8 form */
        TRY(out_escaped_byte(o, 0xc2));
        return out_escaped_byte(o, (uint8_t)cp);
    }
    switch (cp) {
    case ',':
    case '+':
    case '"':
    case '\\':
    case '<':
    case '>':
    case ';':
        TRY(out_byte(o, '\\'));
        return out_byte(o, (uint8_t)cp);
    case '#':
        if (first) {
            TRY(out_byte(o, '\\'));
        }
        return out_byte(o, (uint8_t)cp);
    case ' ':
        if (first || last) {
            TRY(out_byte(o, '\\'));
        }
        return out_byte(o, (uint8_t)cp);
    default:
        return out_utf8(o, cp);
    }
}

/* RFC 4514 2.4: '#' and the hex of the whole BER/DER encoding. */
static enum status out_hex_value(struct dn_out *o, struct bytes raw)
{
    struct cursor c;
    uint8_t b;

    cur_init_bytes(&c, raw, 0, NULL);
    TRY(out_byte(o, '#'));
    while (cur_left(&c) > 0) {
        TRY(cur_u8(&c, &b));
        TRY(out_hex_byte(o, b));
    }
    return ST_OK;
}

static enum status out_value(struct dn_out *o, const struct der_tlv *value)
{
    enum dn_charset cs = charset_of(value->tag);
    struct cursor c = value->body;
    bool first = true;

    if (cs == CS_T61) {
        cs = utf8_valid(c) ? CS_UTF8 : CS_LATIN1;
    }
    if (cs == CS_NONE || (cs == CS_BMP && cur_left(&c) % 2 != 0) ||
        (cs == CS_UCS4 && cur_left(&c) % 4 != 0)) {
        return out_hex_value(o, value->raw);
    }
    while (cur_left(&c) > 0) {
        uint32_t cp;
        if (cs == CS_UTF8) {
            if (!utf8_next(&c, &cp)) {
                TRY(out_escaped_byte(o, (uint8_t)cp));
                first = false;
                continue;
            }
        } else {
            cp = wide_next(&c, cs);
        }
        TRY(out_value_char(o, cp, first, cur_left(&c) == 0));
        first = false;
    }
    return ST_OK;
}

/* ---- structure ------------------------------------------------------------- */

/*
 * RFC 5280 4.1.2.4
 *   AttributeTypeAndValue ::= SEQUENCE { type AttributeType, value AttributeValue }
 *   AttributeType ::= OBJECT IDENTIFIER
 *   AttributeValue ::= ANY -- DEFINED BY AttributeType
 * With `o` NULL the AVA is only checked.
 */
static enum status ava_walk(struct cursor *rdn, struct dn_out *o)
{
    struct cursor ava;
    struct cursor oid;
    struct der_tlv value;

    TRY(der_expect(rdn, DER_SEQUENCE, &ava));
    TRY(der_expect(&ava, DER_OID, &oid));
    TRY(der_next(&ava, &value));
    TRY(cur_close(&ava));
    if (!o) {
        return oid_check(oid);
    }
    TRY(out_attr_type(o, oid));
    TRY(out_byte(o, '='));
    return out_value(o, &value);
}

/*   RelativeDistinguishedName ::= SET SIZE (1..MAX) OF AttributeTypeAndValue */
static enum status rdn_walk(struct cursor *rdn, struct dn_out *o)
{
    bool first = true;

    if (cur_left(rdn) == 0) {
        return cur_fail(rdn, ST_MALFORMED, "DN: empty RelativeDistinguishedName");
    }
    while (cur_left(rdn) > 0) {
        if (!first && o) {
            TRY(out_byte(o, '+'));
        }
        TRY(ava_walk(rdn, o));
        first = false;
    }
    return ST_OK;
}

struct rdn_list {
    struct cursor *items;
    size_t count, cap;
};

static enum status rdn_list_add(struct rdn_list *l, const struct cursor *rdn)
{
    if (l->count == l->cap) {
        size_t ncap = l->cap ? l->cap * 2 : DN_RDN_FIRST;
        struct cursor *n = realloc(l->items, ncap * sizeof *n);
        if (!n) {
            return ST_NOMEM;
        }
        l->items = n;
        l->cap = ncap;
    }
    l->items[l->count++] = *rdn;
    return ST_OK;
}

/*
 *   Name ::= CHOICE { rdnSequence RDNSequence }
 *   RDNSequence ::= SEQUENCE OF RelativeDistinguishedName
 * The whole name is checked first (so a malformed tail is reported as such
 * even when the text would not fit), then rendered last RDN first.
 */
static enum status render(struct bytes der, struct dn_out *o)
{
    struct parse_error err = { 0 };
    struct cursor top;
    struct cursor seq;
    struct rdn_list rdns = { 0 };
    enum status st;

    cur_init_bytes(&top, der, 0, &err);
    st = der_expect(&top, DER_SEQUENCE, &seq);
    if (st == ST_OK) {
        st = cur_close(&top);
    }
    while (st == ST_OK && cur_left(&seq) > 0) {
        struct cursor rdn;
        st = der_expect(&seq, DER_SET, &rdn);
        if (st == ST_OK) {
            st = rdn_list_add(&rdns, &rdn);
        }
        if (st == ST_OK) {
            st = rdn_walk(&rdn, NULL);
        }
    }
    if (st != ST_OK) {
        goto out;
    }
    /* an empty name stays "" */
    for (size_t i = rdns.count; i > 0 && st == ST_OK; i--) {
        struct cursor rdn = rdns.items[i - 1];
        if (i != rdns.count) {
            st = out_byte(o, ',');
        }
        if (st == ST_OK) {
            st = rdn_walk(&rdn, o);
        }
    }
out:
    free(rdns.items);
    return st;
}

enum status dn_render(struct ev_arena *a, struct bytes der, char **ret)
{
    struct dn_out o = { .cap = DN_OUT_FIRST, .max = CAP_DN_TEXT, .grow = true };
    enum status st;

    o.buf = malloc(o.cap);
    if (!o.buf) {
        return ST_NOMEM;
    }
    o.buf[0] = '\0';
    st = render(der, &o);
    if (st == ST_OK) {
        char *s = ev_strndup(a, o.buf, o.len);
        if (s) {
            *ret = s;
        } else {
            st = ST_NOMEM;
        }
    }
    free(o.buf);
    return st;
}

enum status dn_render_buf(struct bytes der, char *buf, size_t n)
{
    size_t cap = n < CAP_DN_TEXT ? n : CAP_DN_TEXT;
    struct dn_out o = { .buf = buf, .cap = cap, .max = cap };
    enum status st;

    if (n == 0) {
        return ST_LIMIT;
    }
    buf[0] = '\0';
    st = render(der, &o);
    if (st != ST_OK) {
        buf[0] = '\0';
    }
    return st;
}

/* ---- comparison (RFC 5280 7.1) ---------------------------------------------- */

/*
 * A leaf comparison helper that rules/facts.c calls on DER kept in the
 * evidence (STYLE.md 2: rules do not parse wire data; comparing two names
 * that the parsers already validated and kept is a pure function of their
 * bytes, so it lives here, beside the renderer that shares its charset
 * handling, and rules only ask "equal?").
 *
 * RFC 5280 7.1 with RFC 4518's string preparation simplified:
 * - RDNs in encoding order, the same number on both sides;
 * - inside a multi-valued RDN, the AVAs as a set (same count, each one of
 *   a matches one of b);
 * - an AVA: the same attribute type OID (bytes), then
 *   - both values DirectoryString (PrintableString, UTF8String,
 *     TeletexString, BMPString, UniversalString): compared as the Unicode
 *     strings they spell whatever the string type, with leading and trailing
 *     white space dropped, inner runs of white space read as one space, and
 *     simple case folding (ASCII, Latin-1, Latin Extended-A, Greek, Cyrillic);
 *   - otherwise (IA5String emailAddress and DC, NumericString, anything
 *     else) tag and bytes must be equal.
 */

#define DN_CMP_SET_MAX 16u        /* AVAs of one RDN compared as a set; more: bytes */
#define DN_INVALID_BYTE 0x110000u /* + byte: an invalid UTF-8 byte, equal only to itself */

static bool directory_string(uint8_t tag)
{
    return tag == DER_PRINTABLE_STRING || tag == DER_UTF8_STRING || tag == DER_T61_STRING ||
           tag == DER_BMP_STRING || tag == DER_UNIVERSAL_STRING;
}

/* Simple case folding (Unicode CaseFolding.txt, status C) for the scripts a
 * CA name is written in; other code points are returned as they are. */
static uint32_t fold_case(uint32_t cp)
{
    if ((cp >= 'A' && cp <= 'Z') || (cp >= 0xc0 && cp <= 0xde && cp != 0xd7)) {
        return cp + 0x20;
    }
    if (cp >= 0x100 && cp <= 0x17f) {
        if (cp == 0x130 || cp == 0x131 || cp == 0x138 || cp == 0x149) {
            return cp; /* dotted/dotless i, kra, n preceded by apostrophe */
        }
        if (cp == 0x178) {
            return 0xff;
        }
        if (cp == 0x17f) {
            return 's';
        }
        /* pairs start even up to U+0137, odd from U+0139 to U+0148, even again after */
        bool odd_upper = (cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17e);
        return (cp % 2 == 1) == odd_upper ? cp + 1 : cp;
    }
    if ((cp >= 0x391 && cp <= 0x3a9 && cp != 0x3a2) || (cp >= 0x410 && cp <= 0x42f)) {
        return cp + 0x20;
    }
    if (cp == 0x3c2) {
        return 0x3c3; /* final sigma */
    }
    if (cp >= 0x400 && cp <= 0x40f) {
        return cp + 0x50;
    }
    return cp;
}

static bool is_space(uint32_t cp)
{
    return cp == ' ' || (cp >= 0x09 && cp <= 0x0d) || cp == 0xa0;
}

/* The code points of one value, case and white space folded. */
struct fold_reader {
    struct cursor c;
    enum dn_charset cs;
    bool started; /* a character was returned: white space from here on is inner */
};

static void fold_init(struct fold_reader *r, const struct der_tlv *value)
{
    r->c = value->body;
    r->cs = charset_of(value->tag);
    if (r->cs == CS_T61) {
        r->cs = utf8_valid(r->c) ? CS_UTF8 : CS_LATIN1;
    }
    r->started = false;
}

static uint32_t raw_next(struct fold_reader *r)
{
    uint32_t cp;

    if (r->cs == CS_UTF8) {
        return utf8_next(&r->c, &cp) ? cp : DN_INVALID_BYTE + cp;
    }
    return wide_next(&r->c, r->cs);
}

/* Next folded code point; false at the end. A run of white space reads as
 * one space between two characters and as nothing at either end. */
static bool fold_next(struct fold_reader *r, uint32_t *ret)
{
    while (cur_left(&r->c) > 0) {
        uint32_t cp = raw_next(r);
        if (!is_space(cp)) {
            r->started = true;
            *ret = fold_case(cp);
            return true;
        }
        while (cur_left(&r->c) > 0) {
            struct cursor save = r->c;
            if (!is_space(raw_next(r))) {
                r->c = save;
                break;
            }
        }
        if (r->started && cur_left(&r->c) > 0) {
            *ret = ' ';
            return true;
        }
    }
    return false;
}

static bool value_equal(const struct der_tlv *a, const struct der_tlv *b)
{
    if (a->raw.len == b->raw.len && memcmp(a->raw.ptr, b->raw.ptr, a->raw.len) == 0) {
        return true;
    }
    if (!directory_string(a->tag) || !directory_string(b->tag) ||
        (a->tag == DER_BMP_STRING && cur_left(&a->body) % 2 != 0) ||
        (b->tag == DER_BMP_STRING && cur_left(&b->body) % 2 != 0) ||
        (a->tag == DER_UNIVERSAL_STRING && cur_left(&a->body) % 4 != 0) ||
        (b->tag == DER_UNIVERSAL_STRING && cur_left(&b->body) % 4 != 0)) {
        return false;
    }
    struct fold_reader ra, rb;
    fold_init(&ra, a);
    fold_init(&rb, b);
    for (;;) {
        uint32_t ca = 0, cb = 0;
        bool ha = fold_next(&ra, &ca), hb = fold_next(&rb, &cb);
        if (ha != hb || ca != cb) {
            return false;
        }
        if (!ha) {
            return true;
        }
    }
}

/* One AttributeTypeAndValue: the type's OID body and the value. */
static enum status ava_read(struct cursor *rdn, struct bytes *ret_oid, struct der_tlv *ret_value)
{
    struct cursor ava, oid;

    TRY(der_expect(rdn, DER_SEQUENCE, &ava));
    TRY(der_expect(&ava, DER_OID, &oid));
    TRY(der_next(&ava, ret_value));
    TRY(cur_close(&ava));
    TRY(oid_check(oid));
    *ret_oid = cur_rest(&oid);
    return ST_OK;
}

static bool bytes_same(struct bytes a, struct bytes b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

/* Does the AVA (oid, value) occur in the RDN? */
static enum status rdn_has(struct cursor rdn, struct bytes oid, const struct der_tlv *value,
                           bool *ret)
{
    *ret = false;
    while (cur_left(&rdn) > 0) {
        struct bytes o;
        struct der_tlv v;
        TRY(ava_read(&rdn, &o, &v));
        if (bytes_same(o, oid) && value_equal(&v, value)) {
            *ret = true;
            return ST_OK;
        }
    }
    return ST_OK;
}

static enum status ava_count(struct cursor rdn, size_t *ret)
{
    size_t n = 0;
    while (cur_left(&rdn) > 0) {
        struct bytes o;
        struct der_tlv v;
        TRY(ava_read(&rdn, &o, &v));
        n++;
    }
    if (n == 0) {
        return cur_fail(&rdn, ST_MALFORMED, "DN: empty RelativeDistinguishedName");
    }
    *ret = n;
    return ST_OK;
}

/* Does every AVA of a occur in b? */
static enum status rdn_subset(struct cursor a, struct cursor b, bool *ret)
{
    *ret = false;
    while (cur_left(&a) > 0) {
        struct bytes oid;
        struct der_tlv value;
        bool found;
        TRY(ava_read(&a, &oid, &value));
        TRY(rdn_has(b, oid, &value, &found));
        if (!found) {
            return ST_OK;
        }
    }
    *ret = true;
    return ST_OK;
}

static enum status rdn_equal(struct cursor a, struct cursor b, bool *ret)
{
    size_t na = 0, nb = 0;

    TRY(ava_count(a, &na));
    TRY(ava_count(b, &nb));
    *ret = false;
    if (na != nb) {
        return ST_OK;
    }
    if (na > DN_CMP_SET_MAX) {
        /* a set too big to match pairwise: only the same encoding is equal */
        *ret = bytes_same(cur_rest(&a), cur_rest(&b));
        return ST_OK;
    }
    bool ab = false;
    TRY(rdn_subset(a, b, &ab));
    if (ab) {
        /* both ways: a SET with a repeated AVA (not DER, but seen) stays symmetric */
        TRY(rdn_subset(b, a, ret));
    }
    return ST_OK;
}

enum status dn_der_equal(struct bytes a, struct bytes b, bool *ret_equal)
{
    struct parse_error ea = { 0 }, eb = { 0 };
    struct cursor ta, tb, sa, sb;

    cur_init_bytes(&ta, a, 0, &ea);
    cur_init_bytes(&tb, b, 0, &eb);
    TRY(der_expect(&ta, DER_SEQUENCE, &sa));
    TRY(cur_close(&ta));
    TRY(der_expect(&tb, DER_SEQUENCE, &sb));
    TRY(cur_close(&tb));
    while (cur_left(&sa) > 0 && cur_left(&sb) > 0) {
        struct cursor ra, rb;
        bool same = false;
        TRY(der_expect(&sa, DER_SET, &ra));
        TRY(der_expect(&sb, DER_SET, &rb));
        TRY(rdn_equal(ra, rb, &same));
        if (!same) {
            *ret_equal = false;
            return ST_OK;
        }
    }
    *ret_equal = cur_left(&sa) == 0 && cur_left(&sb) == 0;
    return ST_OK;
}
