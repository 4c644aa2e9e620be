/*
 * test_der.c - der_next / der_expect: short and long form lengths (X.690
 * 8.1.3), what DER and this reader refuse (indefinite lengths, more than 4
 * length bytes, high tag numbers), lengths one short / exact / one past the
 * container, the raw view and absolute offsets of the body.
 */
#include <stdlib.h>
#include <string.h>

#include "der.h"
#include "testlib.h"

#define MAX_DER 512

static const struct {
    const char *name;
    const char *hex;
    enum status want;
    uint8_t tag;
    size_t body_len;
    size_t header; /* identifier + length octets */
    size_t left;   /* in the parent afterwards */
} cases[] = {
    { .name = "empty input", .hex = "", .want = ST_MALFORMED },
    { .name = "tag only", .hex = "02", .want = ST_MALFORMED },
    { .name = "zero length", .hex = "0500", .tag = 0x05, .header = 2 },
    { .name = "short form", .hex = "020105", .tag = 0x02, .body_len = 1, .header = 2 },
    { .name = "short form max",
      .hex = "047f" /* + 127 bytes appended by the test */,
      .tag = 0x04,
      .body_len = 127,
      .header = 2 },
    { .name = "trailing byte",
      .hex = "02010500",
      .tag = 0x02,
      .body_len = 1,
      .header = 2,
      .left = 1 },
    { .name = "one byte short", .hex = "02020a", .want = ST_MALFORMED },
    { .name = "long form 1 byte", .hex = "048180", .tag = 0x04, .body_len = 128, .header = 3 },
    { .name = "long form 2 bytes", .hex = "04820100", .tag = 0x04, .body_len = 256, .header = 4 },
    { .name = "long form 4 bytes",
      .hex = "0484000000ff",
      .tag = 0x04,
      .body_len = 255,
      .header = 6 },
    { .name = "non-minimal long form accepted",
      .hex = "30810100",
      .tag = 0x30,
      .body_len = 1,
      .header = 3 },
    { .name = "5 length bytes", .hex = "30850000000001", .want = ST_MALFORMED },
    { .name = "indefinite length", .hex = "308002010500000000", .want = ST_MALFORMED },
    { .name = "length bytes cut", .hex = "308201", .want = ST_MALFORMED },
    { .name = "long form past end", .hex = "0484ffffffff00", .want = ST_MALFORMED },
    { .name = "long form one past", .hex = "0481800000", .want = ST_MALFORMED },
    { .name = "high tag number", .hex = "1f0100", .want = ST_MALFORMED },
    { .name = "constructed high tag number", .hex = "3f8101020000", .want = ST_MALFORMED },
    { .name = "context tag", .hex = "a0030201 02", .tag = 0xa0, .body_len = 3, .header = 2 },
};

/* Appends the body bytes the long-form cases announce but do not spell out. */
static size_t fill(uint8_t *buf, size_t n, size_t body_len, size_t header)
{
    size_t want = header + body_len;
    if (n < want && want <= MAX_DER) {
        memset(buf + n, 0x5a, want - n);
        return want;
    }
    return n;
}

static void test_next(void)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint8_t buf[MAX_DER];
        struct parse_error err = { 0 };
        struct cursor c;
        struct der_tlv t = { .tag = 0xee };
        const char *name = cases[i].name;
        long hn = tl_hex(cases[i].hex, buf, sizeof buf);
        size_t n = (size_t)hn;

        if (cases[i].want == ST_OK) {
            n = fill(buf, n, cases[i].body_len, cases[i].header);
        }
        cur_init(&c, buf, n, 4000, &err);
        enum status st = der_next(&c, &t);
        CHECK_INT(st, cases[i].want, name);
        if (st != ST_OK) {
            CHECK_INT(t.tag, 0xee, name); /* untouched */
            CHECK_INT(err.status, st, name);
            CHECK(err.reason != NULL && err.offset >= 4000 && err.offset <= 4000 + n, name);
            continue;
        }
        CHECK_INT(t.tag, cases[i].tag, name);
        CHECK_INT(cur_left(&t.body), cases[i].body_len, name);
        CHECK_INT(cur_offset(&t.body), 4000 + cases[i].header, name);
        CHECK(t.raw.ptr == buf && t.raw.len == cases[i].header + cases[i].body_len, name);
        CHECK_INT(cur_left(&c), cases[i].left, name);
        CHECK(t.body.err == &err, name);
    }
}

static void test_expect(void)
{
    uint8_t buf[MAX_DER];
    struct parse_error err = { 0 };
    struct cursor c, body;
    long n = tl_hex("3003 020107 0500", buf, sizeof buf);

    cur_init(&c, buf, (size_t)n, 0, &err);
    CHECK_INT(der_expect(&c, DER_SET, &body), ST_MALFORMED, "wrong tag");
    CHECK_INT(cur_left(&c), (size_t)n, "wrong tag: position restored");
    CHECK_INT(err.offset, 0, "wrong tag: offset of the TLV");
    CHECK_INT(der_expect(&c, DER_SEQUENCE, &body), ST_OK, "SEQUENCE");
    struct cursor integer;
    uint8_t v = 0;
    CHECK_INT(der_expect(&body, DER_INTEGER, &integer), ST_OK, "INTEGER inside");
    CHECK_INT(cur_u8(&integer, &v), ST_OK, "INTEGER value");
    CHECK_INT(v, 7, "INTEGER value");
    CHECK_INT(cur_close(&body), ST_OK, "SEQUENCE fully read");
    CHECK_INT(der_expect(&c, DER_NULL, &body), ST_OK, "NULL");
    CHECK_INT(cur_left(&body), 0, "NULL is empty");
    CHECK_INT(cur_close(&c), ST_OK, "all read");
    CHECK_INT(der_expect(&c, DER_NULL, &body), ST_MALFORMED, "nothing left");
}

/* A walk that carries its depth stops at DER_MAX_DEPTH (STYLE.md 3). */
static enum status walk(struct cursor *c, unsigned depth, unsigned *ret_max)
{
    struct der_tlv t;

    if (depth > DER_MAX_DEPTH) {
        return cur_fail(c, ST_LIMIT, "too deep");
    }
    if (depth > *ret_max) {
        *ret_max = depth;
    }
    while (cur_left(c) > 0) {
        TRY(der_next(c, &t));
        if (t.tag & 0x20) {
            TRY(walk(&t.body, depth + 1, ret_max));
        }
    }
    return ST_OK;
}

static void test_depth(void)
{
    enum { LEVELS = 40 };
    uint8_t buf[2 * LEVELS];
    struct parse_error err = { 0 };
    struct cursor c;
    unsigned max = 0;

    CHECK_INT(DER_MAX_DEPTH, CAP_DER_MAX_DEPTH, "depth cap from caps.h");
    for (unsigned levels = DER_MAX_DEPTH; levels <= DER_MAX_DEPTH + 1; levels++) {
        for (unsigned i = 0; i < levels; i++) {
            buf[2 * i] = 0x30;
            buf[2 * i + 1] = (uint8_t)(2 * (levels - i - 1));
        }
        memset(&err, 0, sizeof err);
        max = 0;
        cur_init(&c, buf, 2 * levels, 0, &err);
        enum status st = walk(&c, 0, &max); /* depth = containers entered */
        CHECK_INT(st, levels <= DER_MAX_DEPTH ? ST_OK : ST_LIMIT,
                  levels <= DER_MAX_DEPTH ? "at the depth cap" : "one past the depth cap");
    }
}

int main(void)
{
    test_next();
    test_expect();
    test_depth();
    return tl_done();
}
