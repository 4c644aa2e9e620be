/*
 * json_writer.c - see json_writer.h. RFC 8259 section 7 (strings) and
 * section 8.1 (UTF-8). Layout follows Python's json.dumps(indent=2): one
 * member or element per line, "key": value, empty containers as {} / [].
 */
#include "json_writer.h"

#include <inttypes.h>
#include <string.h>

#include "report_common.h"

static void put(struct json_writer *w, const char *s)
{
    if (!w->failed && fputs_unlocked(s, w->out) == EOF) {
        w->failed = true;
    }
}

static void put_indent(struct json_writer *w)
{
    put(w, "\n");
    for (unsigned i = 0; i < w->depth && !w->failed; i++) {
        put(w, "  ");
    }
}

/* Separator and indentation before a value or a key. */
static void before_item(struct json_writer *w)
{
    if (w->after_key) {
        w->after_key = false;
        return;
    }
    if (w->depth == 0) {
        return;
    }
    if (w->has_items[w->depth]) {
        put(w, ",");
    }
    w->has_items[w->depth] = true;
    put_indent(w);
}

void json_init(struct json_writer *w, FILE *out)
{
    memset(w, 0, sizeof *w);
    w->out = out;
}

int json_finish(struct json_writer *w)
{
    if (w->depth != 0 || w->after_key) {
        w->failed = true;
    }
    put(w, "\n");
    if (fflush(w->out) != 0 || ferror(w->out)) {
        w->failed = true;
    }
    return w->failed ? -1 : 0;
}

static void open_container(struct json_writer *w, const char *bracket)
{
    before_item(w);
    if (w->depth >= JSON_MAX_DEPTH) {
        w->failed = true; /* programmer error: nesting beyond the report schema */
        return;
    }
    put(w, bracket);
    w->depth++;
    w->has_items[w->depth] = false;
}

static void close_container(struct json_writer *w, const char *bracket)
{
    if (w->depth == 0 || w->after_key) {
        w->failed = true;
        return;
    }
    bool had = w->has_items[w->depth];
    w->depth--;
    if (had) {
        put_indent(w);
    }
    put(w, bracket);
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

int json_escape(FILE *out, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;

    while (i < n) {
        unsigned char c = p[i];
        int rc = 0;
        if (c == '"') {
            rc = fputs_unlocked("\\\"", out);
            i++;
        } else if (c == '\\') {
            rc = fputs_unlocked("\\\\", out);
            i++;
        } else if (c < 0x20 || c == 0x7f) {
            rc = fprintf(out, "\\u%04x", (unsigned)c);
            i++;
        } else if (c < 0x80) {
            rc = putc_unlocked(c, out);
            i++;
        } else {
            uint32_t cp = 0;
            size_t len = report_utf8_decode(p + i, n - i, &cp);
            if (len == 0) {
                rc = fputs_unlocked("\xef\xbf\xbd", out); /* U+FFFD for one bad byte */
                i++;
            } else if (cp < 0xa0) {
                rc = fprintf(out, "\\u%04" PRIx32, cp); /* C1 control */
                i += len;
            } else {
                rc = fwrite_unlocked(p + i, 1, len, out) == len ? 0 : EOF;
                i += len;
            }
        }
        if (rc < 0) {
            return -1;
        }
    }
    return 0;
}

static void put_string(struct json_writer *w, const char *s, size_t n)
{
    put(w, "\"");
    if (!w->failed && json_escape(w->out, s, n) != 0) {
        w->failed = true;
    }
    put(w, "\"");
}

void json_key(struct json_writer *w, const char *key)
{
    if (w->after_key) {
        w->failed = true;
        return;
    }
    before_item(w);
    put_string(w, key, strlen(key));
    put(w, ": ");
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
    before_item(w);
    put_string(w, s, n);
}

void json_uint(struct json_writer *w, uint64_t v)
{
    char buf[24];
    snprintf(buf, sizeof buf, "%" PRIu64, v);
    before_item(w);
    put(w, buf);
}

void json_int(struct json_writer *w, int64_t v)
{
    char buf[24];
    snprintf(buf, sizeof buf, "%" PRId64, v);
    before_item(w);
    put(w, buf);
}

void json_bool(struct json_writer *w, bool v)
{
    before_item(w);
    put(w, v ? "true" : "false");
}

void json_null(struct json_writer *w)
{
    before_item(w);
    put(w, "null");
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
