/*
 * json_writer.c - see json_writer.h. RFC 8259 section 7 (strings) and
 * section 8.1 (UTF-8). Layout follows Python's json.dumps(indent=2): one
 * member or element per line, "key": value, empty containers as {} / [].
 *
 * What one call writes (separator, indentation, key or value) is gathered
 * in a small buffer on the stack and handed to stdio at once: on big
 * reports stdio's cost per call, not per byte, was most of the writer's.
 * The writer keeps nothing between calls: each call's output is in the
 * stream when it returns.
 */
#include "json_writer.h"

#include <inttypes.h>
#include <string.h>

#include "report_common.h"

/* The output of one call; nothing is written once `failed` is set. */
struct chunk {
    FILE *out;
    bool failed;
    size_t len;
    char buf[256];
};

static void chunk_init(struct chunk *c, FILE *out, bool failed)
{
    c->out = out;
    c->failed = failed;
    c->len = 0;
}

static void chunk_flush(struct chunk *c)
{
    if (c->len > 0 && !c->failed && fwrite_unlocked(c->buf, 1, c->len, c->out) != c->len) {
        c->failed = true;
    }
    c->len = 0;
}

static void chunk_put_n(struct chunk *c, const void *s, size_t n)
{
    if (n > sizeof c->buf - c->len) {
        chunk_flush(c);
        if (n > sizeof c->buf) {
            /* Longer than the buffer: straight to stdio. */
            if (!c->failed && fwrite_unlocked(s, 1, n, c->out) != n) {
                c->failed = true;
            }
            return;
        }
    }
    memcpy(c->buf + c->len, s, n);
    c->len += n;
}

static void chunk_put(struct chunk *c, const char *s)
{
    chunk_put_n(c, s, strlen(s));
}

/* A writer call starts and ends its output with these. */
static void begin(const struct json_writer *w, struct chunk *c)
{
    chunk_init(c, w->out, w->failed);
}

static void end(struct json_writer *w, struct chunk *c)
{
    chunk_flush(c);
    if (c->failed) {
        w->failed = true;
    }
}

/* A newline and the indentation of the current depth. */
static void put_indent(const struct json_writer *w, struct chunk *c)
{
    static const char indent[] = "\n"
                                 "                                "
                                 "                                ";
    _Static_assert(sizeof indent == 2 + 2 * JSON_MAX_DEPTH, "one newline, two spaces a level");

    chunk_put_n(c, indent, 1 + 2 * (size_t)w->depth);
}

/* Separator and indentation before a value or a key. */
static void before_item(struct json_writer *w, struct chunk *c)
{
    if (w->after_key) {
        w->after_key = false;
        return;
    }
    if (w->depth == 0) {
        return;
    }
    if (w->has_items[w->depth]) {
        chunk_put(c, ",");
    }
    w->has_items[w->depth] = true;
    put_indent(w, c);
}

void json_init(struct json_writer *w, FILE *out)
{
    memset(w, 0, sizeof *w);
    w->out = out;
}

int json_finish(struct json_writer *w)
{
    struct chunk c;

    if (w->depth != 0 || w->after_key) {
        w->failed = true;
    }
    begin(w, &c);
    chunk_put(&c, "\n");
    end(w, &c);
    if (fflush(w->out) != 0 || ferror(w->out)) {
        w->failed = true;
    }
    return w->failed ? -1 : 0;
}

static void open_container(struct json_writer *w, const char *bracket)
{
    struct chunk c;

    begin(w, &c);
    before_item(w, &c);
    if (w->depth >= JSON_MAX_DEPTH) {
        end(w, &c);
        w->failed = true; /* programmer error: nesting beyond the report schema */
        return;
    }
    chunk_put(&c, bracket);
    w->depth++;
    w->has_items[w->depth] = false;
    end(w, &c);
}

static void close_container(struct json_writer *w, const char *bracket)
{
    struct chunk c;

    if (w->depth == 0 || w->after_key) {
        w->failed = true;
        return;
    }
    begin(w, &c);
    bool had = w->has_items[w->depth];
    w->depth--;
    if (had) {
        put_indent(w, &c);
    }
    chunk_put(&c, bracket);
    end(w, &c);
}

void json_object_begin(struct json_writer *w)
{
    open_container(w, "{");
}

void json_object_end(struct json_writer *w)
{
    close_container(w, "}");
}

void json_array_begin(struct json_writer *w)
{
    open_container(w, "[");
}

void json_array_end(struct json_writer *w)
{
    close_container(w, "]");
}

/* 1 for the bytes copied as they are: printable ASCII except '"' (0x22) and
 * '\\' (0x5c). A table because this test runs for every byte of a report. */
static const uint8_t plain_ascii[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x00 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x10 */
    1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x20 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x30 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x40 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, /* 0x50 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x60 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, /* 0x70 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x80 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x90 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0xa0 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0xb0 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0xc0 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0xd0 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0xe0 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0xf0 */
};

/* "\u00XX" for a control character. */
static void put_u_escape(struct chunk *c, uint32_t cp)
{
    char esc[8];

    snprintf(esc, sizeof esc, "\\u%04" PRIx32, cp);
    chunk_put(c, esc);
}

static void escape_into(struct chunk *c, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;

    while (i < n && !c->failed) {
        /* A run of plain bytes is copied at once, not byte by byte. */
        size_t run = 0;
        while (i + run < n && plain_ascii[p[i + run]]) {
            run++;
        }
        if (run > 0) {
            chunk_put_n(c, p + i, run);
            i += run;
            continue;
        }
        unsigned char ch = p[i];
        if (ch == '"') {
            chunk_put(c, "\\\"");
            i++;
        } else if (ch == '\\') {
            chunk_put(c, "\\\\");
            i++;
        } else if (ch < 0x80) {
            put_u_escape(c, ch); /* C0 control or DEL */
            i++;
        } else {
            uint32_t cp = 0;
            size_t len = report_utf8_decode(p + i, n - i, &cp);
            if (len == 0) {
                chunk_put(c, "\xef\xbf\xbd"); /* U+FFFD for one bad byte */
                i++;
            } else if (cp < 0xa0) {
                put_u_escape(c, cp); /* C1 control */
                i += len;
            } else {
                chunk_put_n(c, p + i, len);
                i += len;
            }
        }
    }
}

int json_escape(FILE *out, const char *s, size_t n)
{
    struct chunk c;

    chunk_init(&c, out, false);
    escape_into(&c, s, n);
    chunk_flush(&c);
    return c.failed ? -1 : 0;
}

static void put_string(struct chunk *c, const char *s, size_t n)
{
    chunk_put(c, "\"");
    escape_into(c, s, n);
    chunk_put(c, "\"");
}

void json_key(struct json_writer *w, const char *key)
{
    struct chunk c;

    if (w->after_key) {
        w->failed = true;
        return;
    }
    begin(w, &c);
    before_item(w, &c);
    put_string(&c, key, strlen(key));
    chunk_put(&c, ": ");
    end(w, &c);
    w->after_key = true;
}

void json_string(struct json_writer *w, const char *s)
{
    if (!s) {
        json_null(w);
        return;
    }
    json_string_n(w, s, strlen(s));
}

void json_string_n(struct json_writer *w, const char *s, size_t n)
{
    struct chunk c;

    begin(w, &c);
    before_item(w, &c);
    put_string(&c, s, n);
    end(w, &c);
}

/* Decimal digits by hand: snprintf cost ten times the rest of a number. */
static void put_u64(struct chunk *c, uint64_t v)
{
    char buf[20]; /* UINT64_MAX has 20 digits */
    size_t i = sizeof buf;

    do {
        buf[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v > 0);
    chunk_put_n(c, buf + i, sizeof buf - i);
}

void json_uint(struct json_writer *w, uint64_t v)
{
    struct chunk c;

    begin(w, &c);
    before_item(w, &c);
    put_u64(&c, v);
    end(w, &c);
}

void json_int(struct json_writer *w, int64_t v)
{
    struct chunk c;

    begin(w, &c);
    before_item(w, &c);
    if (v < 0) {
        chunk_put(&c, "-");
        put_u64(&c, (uint64_t)0 - (uint64_t)v); /* also right for INT64_MIN */
    } else {
        put_u64(&c, (uint64_t)v);
    }
    end(w, &c);
}

/* A literal value: true, false, null. */
static void put_literal(struct json_writer *w, const char *text)
{
    struct chunk c;

    begin(w, &c);
    before_item(w, &c);
    chunk_put(&c, text);
    end(w, &c);
}

void json_bool(struct json_writer *w, bool v)
{
    put_literal(w, v ? "true" : "false");
}

void json_null(struct json_writer *w)
{
    put_literal(w, "null");
}

void json_kv_string(struct json_writer *w, const char *key, const char *s)
{
    json_key(w, key);
    json_string(w, s);
}

void json_kv_uint(struct json_writer *w, const char *key, uint64_t v)
{
    json_key(w, key);
    json_uint(w, v);
}

void json_kv_int(struct json_writer *w, const char *key, int64_t v)
{
    json_key(w, key);
    json_int(w, v);
}

void json_kv_bool(struct json_writer *w, const char *key, bool v)
{
    json_key(w, key);
    json_bool(w, v);
}

void json_kv_null(struct json_writer *w, const char *key)
{
    json_key(w, key);
    json_null(w);
}
