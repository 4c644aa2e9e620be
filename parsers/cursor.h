/*
 * cursor.h - the one bounds-checked reader through which every byte from a
 * capture, a trace or the network is read (STYLE.md section 3). A cursor
 * never reads past its end; every failure is recorded once, with its
 * absolute offset, in a parse_error shared with all sub-cursors.
 */
#ifndef TLSDIAG_CURSOR_H
#define TLSDIAG_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "status.h"

struct bytes {
    const uint8_t *ptr;
    size_t len;
};

struct parse_error {
    enum status status; /* ST_OK while nothing failed */
    uint64_t offset;    /* absolute offset of the failure */
    const char *reason; /* static string */
    const char *file;   /* debug builds: where cur_fail was called */
    int line;
};

struct cursor {
    const uint8_t *buf;
    size_t len;
    size_t pos;
    uint64_t base;           /* absolute offset of buf[0] in the stream */
    struct parse_error *err; /* shared by a cursor and all its sub-cursors */
};

void cur_init(struct cursor *c, const uint8_t *buf, size_t len, uint64_t base,
              struct parse_error *err);
void cur_init_bytes(struct cursor *c, struct bytes b, uint64_t base, struct parse_error *err);

static inline size_t cur_left(const struct cursor *c)
{
    return c->len - c->pos;
}

static inline uint64_t cur_offset(const struct cursor *c)
{
    return c->base + c->pos;
}

static inline struct bytes cur_rest(const struct cursor *c)
{
    return (struct bytes){ .ptr = c->buf + c->pos, .len = c->len - c->pos };
}

enum status cur_fail_at(struct cursor *c, enum status st, const char *why, const char *file,
                        int line);
#ifdef NDEBUG
#define cur_fail(c, st, why) cur_fail_at((c), (st), (why), NULL, 0)
#else
#define cur_fail(c, st, why) cur_fail_at((c), (st), (why), __FILE__, __LINE__)
#endif

MUST_USE enum status cur_u8(struct cursor *c, uint8_t *ret);
MUST_USE enum status cur_u16(struct cursor *c, uint16_t *ret);
MUST_USE enum status cur_u24(struct cursor *c, uint32_t *ret);
MUST_USE enum status cur_u32(struct cursor *c, uint32_t *ret);
MUST_USE enum status cur_peek_u8(const struct cursor *c, uint8_t *ret);
MUST_USE enum status cur_take(struct cursor *c, size_t n, struct bytes *ret);
MUST_USE enum status cur_copy(struct cursor *c, void *dst, size_t n);
MUST_USE enum status cur_skip(struct cursor *c, size_t n);
void cur_skip_rest(struct cursor *c);
/* A <min..max> vector with a `width`-byte (1..4) length prefix (RFC 8446 3.4). */
MUST_USE enum status cur_vec(struct cursor *c, unsigned width, size_t min, size_t max,
                             struct cursor *ret_sub);
MUST_USE enum status cur_opaque(struct cursor *c, unsigned width, size_t min, size_t max,
                                struct bytes *ret);
MUST_USE enum status cur_close(struct cursor *c);
MUST_USE enum status cur_expect(struct cursor *c, const void *lit, size_t n);
/* One text line without its LF/CRLF, at most max bytes; ST_INCOMPLETE when no
 * terminator is left (the caller decides whether the last line counts);
 * ST_LIMIT when the line is already longer than max, terminator or not. */
MUST_USE enum status cur_line(struct cursor *c, size_t max, struct bytes *ret);

/* Sub-cursor over the next n bytes without failing the parent: used when a
 * length came from a trusted place (already checked). */
MUST_USE enum status cur_sub(struct cursor *c, size_t n, struct cursor *ret_sub);

#endif
