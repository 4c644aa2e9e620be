/*
 * test_cursor.c - the bounds-checked cursor: integer reads, take/copy/skip,
 * <min..max> vectors of every width, close, expect, text lines, sub-cursors
 * and the sticky error record (first failure wins, absolute offsets).
 * Each operation is run on the edges: empty, one byte short, exactly
 * enough, one byte more (trailing).
 */
#include <string.h>

#include "cursor.h"
#include "testlib.h"

#define MAX_BYTES 64

/* ---- integers ----------------------------------------------------------- */

enum int_op { OP_U8, OP_U16, OP_U24, OP_U32, OP_PEEK };

static const struct {
    const char *name;
    enum int_op op;
    const char *hex;
    enum status want;
    uint32_t value;
    size_t left; /* bytes left after the read */
} int_cases[] = {
    { .name = "u8 empty", .op = OP_U8, .hex = "", .want = ST_MALFORMED },
    { .name = "u8 exact", .op = OP_U8, .hex = "fe", .value = 0xfe },
    { .name = "u8 trailing", .op = OP_U8, .hex = "fe01", .value = 0xfe, .left = 1 },
    { .name = "u16 empty", .op = OP_U16, .hex = "", .want = ST_MALFORMED },
    { .name = "u16 one short", .op = OP_U16, .hex = "01", .want = ST_MALFORMED, .left = 1 },
    { .name = "u16 exact", .op = OP_U16, .hex = "0102", .value = 0x0102 },
    { .name = "u16 trailing", .op = OP_U16, .hex = "ffff00", .value = 0xffff, .left = 1 },
    { .name = "u24 one short", .op = OP_U24, .hex = "0102", .want = ST_MALFORMED, .left = 2 },
    { .name = "u24 exact", .op = OP_U24, .hex = "010203", .value = 0x010203 },
    { .name = "u24 max", .op = OP_U24, .hex = "ffffff00", .value = 0xffffff, .left = 1 },
    { .name = "u32 one short", .op = OP_U32, .hex = "010203", .want = ST_MALFORMED, .left = 3 },
    { .name = "u32 exact", .op = OP_U32, .hex = "01020304", .value = 0x01020304 },
    { .name = "u32 max", .op = OP_U32, .hex = "ffffffff", .value = 0xffffffff },
    { .name = "peek empty", .op = OP_PEEK, .hex = "", .want = ST_MALFORMED },
    { .name = "peek does not consume", .op = OP_PEEK, .hex = "7f01", .value = 0x7f, .left = 2 },
};

static enum status run_int(struct cursor *c, enum int_op op, uint32_t *ret)
{
    uint8_t v8 = 0xaa;
    uint16_t v16 = 0xaaaa;
    uint32_t v32 = 0xaaaaaaaa;
    enum status st;

    switch (op) {
    case OP_U8:
        st = cur_u8(c, &v8);
        *ret = v8;
        return st == ST_OK || v8 == 0xaa ? st : ST_INTERNAL;
    case OP_U16:
        st = cur_u16(c, &v16);
        *ret = v16;
        return st == ST_OK || v16 == 0xaaaa ? st : ST_INTERNAL;
    case OP_U24:
        st = cur_u24(c, &v32);
        break;
    case OP_U32:
        st = cur_u32(c, &v32);
        break;
    case OP_PEEK:
        st = cur_peek_u8(c, &v8);
        *ret = v8;
        return st == ST_OK || v8 == 0xaa ? st : ST_INTERNAL;
    default:
        return ST_INTERNAL;
    }
    *ret = v32;
    /* on failure the output is untouched (ST_INTERNAL flags a write) */
    return st == ST_OK || v32 == 0xaaaaaaaa ? st : ST_INTERNAL;
}

static void test_ints(void)
{
    for (size_t i = 0; i < sizeof int_cases / sizeof int_cases[0]; i++) {
        uint8_t buf[MAX_BYTES];
        struct parse_error err = { 0 };
        struct cursor c;
        uint32_t v = 0;
        long n = tl_hex(int_cases[i].hex, buf, sizeof buf);

        cur_init(&c, buf, (size_t)n, 1000, &err);
        enum status st = run_int(&c, int_cases[i].op, &v);
        CHECK_INT(st, int_cases[i].want, int_cases[i].name);
        CHECK_INT(cur_left(&c), int_cases[i].left, int_cases[i].name);
        if (st == ST_OK) {
            CHECK_INT(v, int_cases[i].value, int_cases[i].name);
        }
        /* a failed read is recorded where it happened (peek records nothing) */
        bool recorded = st != ST_OK && int_cases[i].op != OP_PEEK;
        CHECK_INT(err.status, recorded ? st : ST_OK, int_cases[i].name);
        if (recorded) {
            CHECK_INT(err.offset, 1000, int_cases[i].name);
            CHECK(err.reason != NULL, int_cases[i].name);
        }
    }
}

/* ---- take, copy, skip ------------------------------------------------------ */

static void test_take_copy_skip(void)
{
    const uint8_t buf[4] = { 1, 2, 3, 4 };
    struct cursor c;
    struct bytes b = { NULL, 99 };
    uint8_t out[8] = { 0 };

    cur_init(&c, buf, sizeof buf, 0, NULL);
    CHECK_INT(cur_take(&c, 0, &b), ST_OK, "take 0");
    CHECK(b.ptr == buf && b.len == 0, "take 0 view");
    CHECK_INT(cur_take(&c, 5, &b), ST_MALFORMED, "take one past");
    CHECK(b.ptr == buf && b.len == 0, "take one past: view untouched");
    CHECK_INT(cur_left(&c), 4, "take one past: nothing consumed");
    CHECK_INT(cur_take(&c, 4, &b), ST_OK, "take all");
    CHECK(b.ptr == buf && b.len == 4 && cur_left(&c) == 0, "take all view");
    CHECK_INT(cur_take(&c, 1, &b), ST_MALFORMED, "take from empty");
    CHECK_INT(cur_take(&c, 0, &b), ST_OK, "take 0 from empty");

    cur_init(&c, buf, sizeof buf, 0, NULL);
    CHECK_INT(cur_copy(&c, out, 5), ST_MALFORMED, "copy one past");
    CHECK(out[0] == 0, "copy one past: nothing written");
    CHECK_INT(cur_copy(&c, out, 3), ST_OK, "copy 3");
    CHECK(out[0] == 1 && out[2] == 3 && out[3] == 0 && cur_left(&c) == 1, "copy 3 bytes");
    CHECK_INT(cur_copy(&c, NULL, 0), ST_OK, "copy 0");

    cur_init(&c, buf, sizeof buf, 0, NULL);
    CHECK_INT(cur_skip(&c, 5), ST_MALFORMED, "skip one past");
    CHECK_INT(cur_skip(&c, 4), ST_OK, "skip all");
    CHECK_INT(cur_close(&c), ST_OK, "close after skipping all");

    cur_init(&c, buf, sizeof buf, 0, NULL);
    CHECK_INT(cur_skip(&c, SIZE_MAX), ST_MALFORMED, "skip SIZE_MAX");
    CHECK_INT(cur_take(&c, SIZE_MAX, &b), ST_MALFORMED, "take SIZE_MAX");
    cur_skip_rest(&c);
    CHECK_INT(cur_left(&c), 0, "skip_rest");
    CHECK(cur_rest(&c).len == 0, "rest after skip_rest");

    /* a NULL buffer is an empty one */
    cur_init(&c, NULL, 10, 0, NULL);
    CHECK_INT(cur_left(&c), 0, "NULL buffer");
    cur_init_bytes(&c, (struct bytes){ buf, 2 }, 7, NULL);
    CHECK(cur_left(&c) == 2 && cur_offset(&c) == 7, "init_bytes");
}

/* ---- vectors ------------------------------------------------------------------ */

static const struct {
    const char *name;
    unsigned width;
    size_t min, max;
    const char *hex;
    enum status want;
    size_t sub_len;
    size_t left; /* in the parent afterwards */
} vec_cases[] = {
    { .name = "w1 empty input", .width = 1, .max = 255, .hex = "", .want = ST_MALFORMED },
    { .name = "w1 empty vector", .width = 1, .max = 255, .hex = "00", .sub_len = 0 },
    { .name = "w1 exact", .width = 1, .max = 255, .hex = "03aabbcc", .sub_len = 3 },
    { .name = "w1 trailing", .width = 1, .max = 255, .hex = "02aabbcc", .sub_len = 2, .left = 1 },
    { .name = "w1 one byte short",
      .width = 1,
      .max = 255,
      .hex = "03aabb",
      .want = ST_MALFORMED,
      .left = 3 },
    { .name = "w1 below min",
      .width = 1,
      .min = 2,
      .max = 4,
      .hex = "01aa",
      .want = ST_MALFORMED,
      .left = 2 },
    { .name = "w1 at min", .width = 1, .min = 2, .max = 4, .hex = "02aabb", .sub_len = 2 },
    { .name = "w1 at max", .width = 1, .min = 2, .max = 4, .hex = "04aabbccdd", .sub_len = 4 },
    { .name = "w1 one past max",
      .width = 1,
      .min = 2,
      .max = 4,
      .hex = "05aabbccddee",
      .want = ST_MALFORMED,
      .left = 6 },
    { .name = "w2 one short length",
      .width = 2,
      .max = 0xffff,
      .hex = "00",
      .want = ST_MALFORMED,
      .left = 1 },
    { .name = "w2 exact", .width = 2, .max = 0xffff, .hex = "0002aabb", .sub_len = 2 },
    { .name = "w2 past end",
      .width = 2,
      .max = 0xffff,
      .hex = "ffffaabb",
      .want = ST_MALFORMED,
      .left = 4 },
    { .name = "w3 exact", .width = 3, .max = 0xffffff, .hex = "000001aa", .sub_len = 1 },
    { .name = "w4 exact", .width = 4, .max = 0xffffffff, .hex = "00000001aa", .sub_len = 1 },
    { .name = "w4 huge length",
      .width = 4,
      .max = 0xffffffff,
      .hex = "ffffffffaa",
      .want = ST_MALFORMED,
      .left = 5 },
    { .name = "width 0", .width = 0, .max = 10, .hex = "00", .want = ST_INTERNAL, .left = 1 },
    { .name = "width 5",
      .width = 5,
      .max = 10,
      .hex = "0000000000",
      .want = ST_INTERNAL,
      .left = 5 },
};

static void test_vec(void)
{
    for (size_t i = 0; i < sizeof vec_cases / sizeof vec_cases[0]; i++) {
        uint8_t buf[MAX_BYTES];
        struct parse_error err = { 0 };
        struct cursor c, sub = { 0 };
        long n = tl_hex(vec_cases[i].hex, buf, sizeof buf);
        const char *name = vec_cases[i].name;

        cur_init(&c, buf, (size_t)n, 500, &err);
        enum status st = cur_vec(&c, vec_cases[i].width, vec_cases[i].min, vec_cases[i].max, &sub);
        CHECK_INT(st, vec_cases[i].want, name);
        CHECK_INT(cur_left(&c), vec_cases[i].left, name);
        if (st == ST_OK) {
            CHECK_INT(cur_left(&sub), vec_cases[i].sub_len, name);
            CHECK_INT(cur_offset(&sub), 500 + vec_cases[i].width, name);
            CHECK(sub.err == &err, name);
        } else {
            CHECK_INT(err.status, st, name);
            CHECK_INT(err.offset, 500, name); /* the length field, not past it */
        }

        /* cur_opaque agrees */
        struct bytes b = { NULL, 0 };
        cur_init(&c, buf, (size_t)n, 0, NULL);
        st = cur_opaque(&c, vec_cases[i].width, vec_cases[i].min, vec_cases[i].max, &b);
        CHECK_INT(st, vec_cases[i].want, name);
        if (st == ST_OK) {
            CHECK(b.len == vec_cases[i].sub_len && b.ptr == buf + vec_cases[i].width, name);
        }
    }
}

/* The first failure is kept; sub-cursors share it and report absolute offsets. */
static void test_sticky_error(void)
{
    const uint8_t buf[] = { 0x03, 0xaa, 0xbb, 0xcc, 0x01 };
    struct parse_error err = { 0 };
    struct cursor c, sub;
    uint32_t v;

    cur_init(&c, buf, sizeof buf, 100, &err);
    CHECK_INT(cur_vec(&c, 1, 0, 255, &sub), ST_OK, "vec");
    CHECK_INT(cur_skip(&sub, 1), ST_OK, "skip in sub");
    CHECK_INT(cur_u32(&sub, &v), ST_MALFORMED, "u32 past sub end");
    CHECK_INT(err.offset, 102, "absolute offset of the failing read");
    const char *first = err.reason;
    CHECK_INT(cur_fail(&c, ST_LIMIT, "second"), ST_LIMIT, "cur_fail returns its status");
    CHECK_INT(err.status, ST_MALFORMED, "first failure kept");
    CHECK(err.reason == first && err.offset == 102, "first reason and offset kept");
#ifndef NDEBUG
    CHECK(err.file != NULL && err.line > 0, "debug builds record file:line");
#endif
    CHECK_INT(cur_close(&c), ST_MALFORMED, "parent has a trailing byte");

    /* without an error record, failures are still returned */
    cur_init(&c, buf, 1, 0, NULL);
    CHECK_INT(cur_u16(&c, (uint16_t[1]){ 0 }), ST_MALFORMED, "no error record");
    CHECK_INT(cur_fail(&c, ST_TRUNCATED, "x"), ST_TRUNCATED, "cur_fail without record");
}

static void test_close_expect_sub(void)
{
    const uint8_t buf[] = { 'T', 'L', 'S', 0x00 };
    struct parse_error err = { 0 };
    struct cursor c, sub;

    cur_init(&c, buf, sizeof buf, 0, &err);
    CHECK_INT(cur_expect(&c, "TLX", 3), ST_MALFORMED, "expect mismatch");
    CHECK_INT(cur_left(&c), 4, "mismatch consumes nothing");
    CHECK_INT(cur_expect(&c, "TLS\0\0", 5), ST_MALFORMED, "expect longer than input");
    CHECK_INT(cur_expect(&c, "", 0), ST_OK, "expect nothing");
    CHECK_INT(cur_expect(&c, "TLS", 3), ST_OK, "expect match");
    CHECK_INT(cur_close(&c), ST_MALFORMED, "one trailing byte");
    CHECK_INT(cur_sub(&c, 2, &sub), ST_MALFORMED, "sub one past");
    CHECK_INT(cur_sub(&c, 1, &sub), ST_OK, "sub exact");
    CHECK(cur_left(&sub) == 1 && cur_offset(&sub) == 3 && sub.err == &err, "sub fields");
    CHECK_INT(cur_close(&c), ST_OK, "closed");

    cur_init(&c, NULL, 0, 0, NULL);
    CHECK_INT(cur_close(&c), ST_OK, "empty closes");
}

/* ---- text lines ------------------------------------------------------------- */

static const struct {
    const char *name;
    const char *text;
    size_t max;
    enum status want;
    const char *line;
    size_t left;
} line_cases[] = {
    { .name = "empty input", .text = "", .max = 10, .want = ST_INCOMPLETE },
    { .name = "no terminator", .text = "abc", .max = 10, .want = ST_INCOMPLETE, .left = 3 },
    { .name = "LF", .text = "abc\ndef", .max = 10, .line = "abc", .left = 3 },
    { .name = "CRLF", .text = "abc\r\ndef", .max = 10, .line = "abc", .left = 3 },
    { .name = "empty line", .text = "\n", .max = 10, .line = "" },
    { .name = "empty CRLF line", .text = "\r\n", .max = 0, .line = "" },
    { .name = "CR inside kept", .text = "a\rb\n", .max = 10, .line = "a\rb" },
    { .name = "CR CR LF", .text = "ab\r\r\n", .max = 10, .line = "ab\r" },
    { .name = "at the limit", .text = "abcd\n", .max = 4, .line = "abcd" },
    { .name = "at the limit with CRLF", .text = "abcd\r\n", .max = 4, .line = "abcd" },
    { .name = "one past the limit", .text = "abcde\n", .max = 4, .want = ST_LIMIT, .left = 6 },
    { .name = "lone CR at the end", .text = "abc\r", .max = 10, .want = ST_INCOMPLETE, .left = 4 },
};

static void test_lines(void)
{
    for (size_t i = 0; i < sizeof line_cases / sizeof line_cases[0]; i++) {
        const char *t = line_cases[i].text;
        struct parse_error err = { 0 };
        struct cursor c;
        struct bytes line = { NULL, 0 };
        const char *name = line_cases[i].name;

        cur_init(&c, (const uint8_t *)t, strlen(t), 0, &err);
        enum status st = cur_line(&c, line_cases[i].max, &line);
        CHECK_INT(st, line_cases[i].want, name);
        CHECK_INT(cur_left(&c), line_cases[i].left, name);
        if (st == ST_OK) {
            CHECK(line.len == strlen(line_cases[i].line) &&
                      memcmp(line.ptr, line_cases[i].line, line.len) == 0,
                  name);
        }
        CHECK_INT(err.status, st == ST_LIMIT ? ST_LIMIT : ST_OK, name);
    }

    /* several lines in a row */
    const char *t = "one\r\ntwo\n\nthree";
    struct cursor c;
    struct bytes line;
    int lines = 0;
    cur_init(&c, (const uint8_t *)t, strlen(t), 0, NULL);
    while (cur_line(&c, 100, &line) == ST_OK) {
        lines++;
    }
    CHECK_INT(lines, 3, "three terminated lines");
    CHECK_INT(cur_left(&c), 5, "the unterminated rest");
}

int main(void)
{
    test_ints();
    test_take_copy_skip();
    test_vec();
    test_sticky_error();
    test_close_expect_sub();
    test_lines();
    return tl_done();
}
