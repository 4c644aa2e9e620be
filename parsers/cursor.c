/*
 * cursor.c - bounds-checked big-endian reads over untrusted bytes. The only
 * place (with der.c and the buffer code) allowed to copy raw memory.
 */
#include "cursor.h"

#include <string.h>

void cur_init(struct cursor *c, const uint8_t *buf, size_t len, uint64_t base,
              struct parse_error *err)
{
    c->buf = buf;
    c->len = buf ? len : 0;
    c->pos = 0;
    c->base = base;
    c->err = err;
}

void cur_init_bytes(struct cursor *c, struct bytes b, uint64_t base, struct parse_error *err)
{
    cur_init(c, b.ptr, b.len, base, err);
}

enum status cur_fail_at(struct cursor *c, enum status st, const char *why, const char *file,
                        int line)
{
    if (c->err && c->err->status == ST_OK) {
        c->err->status = st;
        c->err->offset = cur_offset(c);
        c->err->reason = why;
        c->err->file = file;
        c->err->line = line;
    }
    return st;
}

static enum status need(struct cursor *c, size_t n)
{
    if (n <= cur_left(c)) {
        return ST_OK;
    }
    return cur_fail(c, ST_MALFORMED, "length runs past the end of its container");
}

enum status cur_u8(struct cursor *c, uint8_t *ret)
{
    TRY(need(c, 1));
    *ret = c->buf[c->pos];
    c->pos += 1;
    return ST_OK;
}

enum status cur_u16(struct cursor *c, uint16_t *ret)
{
    TRY(need(c, 2));
    const uint8_t *p = c->buf + c->pos;
    *ret = (uint16_t)((unsigned)p[0] << 8 | p[1]);
    c->pos += 2;
    return ST_OK;
}

enum status cur_u24(struct cursor *c, uint32_t *ret)
{
    TRY(need(c, 3));
    const uint8_t *p = c->buf + c->pos;
    *ret = (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
    c->pos += 3;
    return ST_OK;
}

enum status cur_u32(struct cursor *c, uint32_t *ret)
{
    TRY(need(c, 4));
    const uint8_t *p = c->buf + c->pos;
    *ret = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
    c->pos += 4;
    return ST_OK;
}

enum status cur_peek_u8(const struct cursor *c, uint8_t *ret)
{
    if (cur_left(c) < 1) {
        return ST_MALFORMED;
    }
    *ret = c->buf[c->pos];
    return ST_OK;
}

enum status cur_take(struct cursor *c, size_t n, struct bytes *ret)
{
    TRY(need(c, n));
    ret->ptr = c->buf + c->pos;
    ret->len = n;
    c->pos += n;
    return ST_OK;
}

enum status cur_copy(struct cursor *c, void *dst, size_t n)
{
    TRY(need(c, n));
    if (n > 0) {
        memcpy(dst, c->buf + c->pos, n);
    }
    c->pos += n;
    return ST_OK;
}

enum status cur_skip(struct cursor *c, size_t n)
{
    TRY(need(c, n));
    c->pos += n;
    return ST_OK;
}

void cur_skip_rest(struct cursor *c)
{
    c->pos = c->len;
}

static enum status read_len(struct cursor *c, unsigned width, size_t *ret)
{
    uint8_t b8;
    uint16_t b16;
    uint32_t b32;

    switch (width) {
    case 1:
        TRY(cur_u8(c, &b8));
        *ret = b8;
        return ST_OK;
    case 2:
        TRY(cur_u16(c, &b16));
        *ret = b16;
        return ST_OK;
    case 3:
        TRY(cur_u24(c, &b32));
        *ret = b32;
        return ST_OK;
    case 4:
        TRY(cur_u32(c, &b32));
        *ret = b32;
        return ST_OK;
    default:
        return cur_fail(c, ST_INTERNAL, "bad vector length width");
    }
}

enum status cur_vec(struct cursor *c, unsigned width, size_t min, size_t max,
                    struct cursor *ret_sub)
{
    size_t n = 0;
    size_t at = c->pos;

    TRY(read_len(c, width, &n));
    if (n < min || n > max) {
        c->pos = at;
        return cur_fail(c, ST_MALFORMED, "vector length outside its <min..max> range");
    }
    if (n > cur_left(c)) {
        c->pos = at;
        return cur_fail(c, ST_MALFORMED, "vector length runs past the end of its container");
    }
    cur_init(ret_sub, c->buf + c->pos, n, cur_offset(c), c->err);
    c->pos += n;
    return ST_OK;
}

enum status cur_opaque(struct cursor *c, unsigned width, size_t min, size_t max, struct bytes *ret)
{
    struct cursor sub;

    TRY(cur_vec(c, width, min, max, &sub));
    *ret = cur_rest(&sub);
    return ST_OK;
}

enum status cur_sub(struct cursor *c, size_t n, struct cursor *ret_sub)
{
    TRY(need(c, n));
    cur_init(ret_sub, c->buf + c->pos, n, cur_offset(c), c->err);
    c->pos += n;
    return ST_OK;
}

enum status cur_close(struct cursor *c)
{
    if (cur_left(c) != 0) {
        return cur_fail(c, ST_MALFORMED, "trailing bytes");
    }
    return ST_OK;
}

enum status cur_expect(struct cursor *c, const void *lit, size_t n)
{
    if (n > cur_left(c) || memcmp(c->buf + c->pos, lit, n) != 0) {
        return cur_fail(c, ST_MALFORMED, "unexpected bytes");
    }
    c->pos += n;
    return ST_OK;
}

enum status cur_line(struct cursor *c, size_t max, struct bytes *ret)
{
    const uint8_t *start = c->buf + c->pos;
    size_t left = cur_left(c);
    const uint8_t *nl = left ? memchr(start, '\n', left) : NULL;

    if (!nl) {
        /* A line already longer than the limit will not get shorter. */
        if (left > max && left - max > 1) {
            return cur_fail(c, ST_LIMIT, "line longer than the limit");
        }
        return ST_INCOMPLETE;
    }
    size_t n = (size_t)(nl - start);
    size_t body = (n > 0 && start[n - 1] == '\r') ? n - 1 : n;
    if (body > max) {
        return cur_fail(c, ST_LIMIT, "line longer than the limit");
    }
    ret->ptr = start;
    ret->len = body;
    c->pos += n + 1;
    return ST_OK;
}

#define STATUS_NAME_ITEM(id, text) [id] = text,
static const char *const status_names[] = { STATUS_LIST(STATUS_NAME_ITEM) };
#undef STATUS_NAME_ITEM

const char *status_name(enum status st)
{
    if ((unsigned)st < sizeof status_names / sizeof status_names[0]) {
        return status_names[st];
    }
    return "unknown status";
}
