/*
 * json_writer.h - a streaming JSON writer (RFC 8259) for the reports:
 * pretty-printed with a 2-space indent, keys written in the order the
 * caller gives them (so the output is stable), strings escaped so that any
 * byte string yields valid JSON: '"' and '\' escaped, control characters
 * (and DEL and the C1 controls U+0080..U+009F, which some terminals obey)
 * as \u00XX, valid UTF-8 kept, each byte of invalid UTF-8 replaced with
 * U+FFFD. Errors are sticky: calls after a failed write do nothing and
 * json_finish reports the failure.
 */
#ifndef TLSDIAG_JSON_WRITER_H
#define TLSDIAG_JSON_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 32

struct json_writer {
    FILE *out;
    unsigned depth;                     /* open containers */
    bool has_items[JSON_MAX_DEPTH + 1]; /* per depth: a member/element was written */
    bool after_key;                     /* a key was written; its value comes next */
    bool failed;                        /* a write failed, or the writer was misused */
};

void json_init(struct json_writer *w, FILE *out);
/* Ends the document with a newline and flushes: 0, or -1 on any failure
 * (including containers left open). */
int json_finish(struct json_writer *w);

void json_object_begin(struct json_writer *w);
void json_object_end(struct json_writer *w);
void json_array_begin(struct json_writer *w);
void json_array_end(struct json_writer *w);
void json_key(struct json_writer *w, const char *key);

void json_string(struct json_writer *w, const char *s); /* NULL writes null */
void json_string_n(struct json_writer *w, const char *s, size_t n);
void json_uint(struct json_writer *w, uint64_t v);
void json_int(struct json_writer *w, int64_t v);
void json_bool(struct json_writer *w, bool v);
void json_null(struct json_writer *w);

/* "key": value shorthands. */
void json_kv_string(struct json_writer *w, const char *key, const char *s);
void json_kv_uint(struct json_writer *w, const char *key, uint64_t v);
void json_kv_int(struct json_writer *w, const char *key, int64_t v);
void json_kv_bool(struct json_writer *w, const char *key, bool v);
void json_kv_null(struct json_writer *w, const char *key);

/* Writes the escaped contents of s[0..n) (without the quotes) to out.
 * Returns 0, or -1 on a write error. */
int json_escape(FILE *out, const char *s, size_t n);

#endif
