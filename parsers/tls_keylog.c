/*
 * tls_keylog.c - NSS key log lines into a table of secrets by client random.
 * The format (the NSS "Key Log Format" page; RFC 9850 draft "SSLKEYLOGFILE"):
 *   # comment
 *   CLIENT_RANDOM <64 hex: ClientHello.random> <96 hex: master secret>
 *   CLIENT_HANDSHAKE_TRAFFIC_SECRET <64 hex> <64 or 96 hex>
 *   ...
 * The file is untrusted like every input: lines are read through the cursor,
 * hex is checked, lengths are capped, the table is capped.
 */
#include "tls_keylog.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "caps.h"
#include "cursor.h"

static const struct {
    const char *label;
    enum tls_secret secret;
} labels[] = {
    { "CLIENT_RANDOM", TLS_SECRET_MASTER },
    { "CLIENT_HANDSHAKE_TRAFFIC_SECRET", TLS_SECRET_CLIENT_HS },
    { "SERVER_HANDSHAKE_TRAFFIC_SECRET", TLS_SECRET_SERVER_HS },
    { "CLIENT_TRAFFIC_SECRET_0", TLS_SECRET_CLIENT_AP },
    { "SERVER_TRAFFIC_SECRET_0", TLS_SECRET_SERVER_AP },
};

/* Labels that are valid but of no use here (0-RTT, exporters). */
static const char *const other_labels[] = {
    "CLIENT_EARLY_TRAFFIC_SECRET",  "EARLY_EXPORTER_SECRET",  "EXPORTER_SECRET",
    "EARLY_EXPORTER_MASTER_SECRET", "EXPORTER_MASTER_SECRET", "RSA",
};

void tls_keylog_init(struct tls_keylog *kl)
{
    memset(kl, 0, sizeof *kl);
}

void tls_keylog_fini(struct tls_keylog *kl)
{
    free(kl->slots);
    memset(kl, 0, sizeof *kl);
}

static size_t slot_of(const uint8_t random[32], size_t cap)
{
    /* The random is random (or an attacker's choice, who gains nothing by
     * colliding: lookups stay bounded by the table size). */
    uint64_t h = 1469598103934665603ull;
    for (int i = 0; i < 32; i++) {
        h = (h ^ random[i]) * 1099511628211ull;
    }
    return (size_t)h & (cap - 1);
}

static struct tls_keylog_entry *probe(struct tls_keylog_entry *slots, size_t cap,
                                      const uint8_t random[32], bool *ret_found)
{
    size_t i = slot_of(random, cap);
    static const uint8_t zero[32];
    for (;;) {
        struct tls_keylog_entry *e = &slots[i];
        if (memcmp(e->random, random, 32) == 0) {
            *ret_found = true;
            return e;
        }
        if (memcmp(e->random, zero, 32) == 0) {
            *ret_found = false;
            return e;
        }
        i = (i + 1) & (cap - 1);
    }
}

static enum status grow(struct tls_keylog *kl)
{
    size_t cap = kl->cap ? kl->cap * 2 : 256;
    struct tls_keylog_entry *slots = calloc(cap, sizeof *slots);
    if (!slots) {
        return ST_NOMEM;
    }
    for (size_t i = 0; i < kl->cap; i++) {
        static const uint8_t zero[32];
        if (memcmp(kl->slots[i].random, zero, 32) != 0) {
            bool found;
            *probe(slots, cap, kl->slots[i].random, &found) = kl->slots[i];
        }
    }
    free(kl->slots);
    kl->slots = slots;
    kl->cap = cap;
    return ST_OK;
}

/* The entry for a random, created when absent; NULL when the table is full
 * or memory ran out (ST_NOMEM in *st). An all-zero random is refused: it
 * marks empty slots. */
static struct tls_keylog_entry *entry_for(struct tls_keylog *kl, const uint8_t random[32],
                                          enum status *st)
{
    static const uint8_t zero[32];
    bool found = false;
    if (memcmp(random, zero, 32) == 0) {
        return NULL;
    }
    if (kl->cap) {
        struct tls_keylog_entry *e = probe(kl->slots, kl->cap, random, &found);
        if (found) {
            return e;
        }
    }
    if (kl->count >= CAP_KEYLOG_SESSIONS) {
        kl->full = true;
        return NULL;
    }
    if ((kl->count + 1) * 2 > kl->cap) {
        *st = grow(kl);
        if (*st != ST_OK) {
            return NULL;
        }
    }
    struct tls_keylog_entry *e = probe(kl->slots, kl->cap, random, &found);
    memcpy(e->random, random, 32);
    kl->count++;
    return e;
}

static int hex_digit(uint8_t ch)
{
    if (ch >= '0' && ch <= '9') {
        return ch - '0';
    }
    if (ch >= 'a' && ch <= 'f') {
        return ch - 'a' + 10;
    }
    if (ch >= 'A' && ch <= 'F') {
        return ch - 'A' + 10;
    }
    return -1;
}

/* Hex digits of `hex` into out (at most max bytes); false when not hex. */
static bool unhex(struct bytes hex, uint8_t *out, size_t max, size_t *ret_len)
{
    if (hex.len == 0 || hex.len % 2 != 0 || hex.len / 2 > max) {
        return false;
    }
    for (size_t i = 0; i < hex.len / 2; i++) {
        int hi = hex_digit(hex.ptr[2 * i]), lo = hex_digit(hex.ptr[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            return false;
        }
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    *ret_len = hex.len / 2;
    return true;
}

/* The next blank-separated word of a line (tabs count as blanks). */
static struct bytes next_word(struct bytes *line)
{
    size_t i = 0;
    while (i < line->len && (line->ptr[i] == ' ' || line->ptr[i] == '\t')) {
        i++;
    }
    size_t start = i;
    while (i < line->len && line->ptr[i] != ' ' && line->ptr[i] != '\t' && line->ptr[i] != '\r') {
        i++;
    }
    struct bytes w = { line->ptr + start, i - start };
    line->ptr += i;
    line->len -= i;
    return w;
}

static bool word_is(struct bytes w, const char *s)
{
    size_t n = strlen(s);
    return w.len == n && memcmp(w.ptr, s, n) == 0;
}

/* false: the line is not understood. */
static bool add_line(struct tls_keylog *kl, struct bytes line, enum status *st)
{
    struct bytes label = next_word(&line);
    if (label.len == 0 || label.ptr[0] == '#') {
        return true;
    }
    size_t which = sizeof labels / sizeof labels[0];
    for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++) {
        if (word_is(label, labels[i].label)) {
            which = i;
        }
    }
    if (which == sizeof labels / sizeof labels[0]) {
        for (size_t i = 0; i < sizeof other_labels / sizeof other_labels[0]; i++) {
            if (word_is(label, other_labels[i])) {
                return true;
            }
        }
        return false;
    }
    uint8_t random[32], secret[TLS_SECRET_MAX];
    size_t rlen = 0, slen = 0;
    if (!unhex(next_word(&line), random, sizeof random, &rlen) || rlen != 32 ||
        !unhex(next_word(&line), secret, sizeof secret, &slen) || next_word(&line).len != 0) {
        return false;
    }
    enum tls_secret s = labels[which].secret;
    if (s == TLS_SECRET_MASTER && slen != 48) {
        return false;
    }
    struct tls_keylog_entry *e = entry_for(kl, random, st);
    if (e) {
        memcpy(e->secret[s], secret, slen);
        e->len[s] = (uint8_t)slen;
        kl->kept++;
    }
    return true;
}

enum status tls_keylog_add_text(struct tls_keylog *kl, const uint8_t *text, size_t len)
{
    struct cursor c;
    struct parse_error err = { 0 };
    enum status st = ST_OK;
    cur_init(&c, text, len, 0, &err);
    while (cur_left(&c) > 0 && st == ST_OK) {
        struct bytes line;
        enum status ls = cur_line(&c, CAP_LINE_MAX, &line);
        if (ls == ST_INCOMPLETE) {
            line = cur_rest(&c); /* the last line, without LF */
            cur_skip_rest(&c);
        } else if (ls != ST_OK) {
            /* Over-long line: skip to its end and count it as not understood. */
            const uint8_t *nl = memchr(c.buf + c.pos, '\n', cur_left(&c));
            size_t n = nl ? (size_t)(nl - (c.buf + c.pos)) + 1 : cur_left(&c);
            if (cur_skip(&c, n) != ST_OK) {
                break;
            }
            err.status = ST_OK;
            line = (struct bytes){ (const uint8_t *)"?", 1 };
        }
        kl->lines++;
        if (!add_line(kl, line, &st)) {
            kl->ignored++;
            if (!kl->first_bad_line) {
                kl->first_bad_line = kl->lines;
            }
        }
    }
    return st;
}

enum status tls_keylog_load_file(struct tls_keylog *kl, const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: cannot open the key log: %s", path, strerror(errno));
        return ST_UNSUPPORTED;
    }
    uint8_t *buf = malloc(CAP_KEYLOG_CHUNK);
    if (!buf) {
        fclose(f);
        snprintf(err, errlen, "%s: out of memory", path);
        return ST_NOMEM;
    }
    uint64_t kept_before = kl->kept, lines_before = kl->lines, ignored_before = kl->ignored;
    size_t held = 0;
    enum status st = ST_OK;
    for (;;) {
        /* fread is short only at the end of the file (or on an error). */
        size_t want = CAP_KEYLOG_CHUNK - held;
        size_t got = fread(buf + held, 1, want, f);
        held += got;
        bool last = got < want;
        size_t use = held;
        if (!last) {
            /* Whole lines only; a line longer than the chunk is cut. */
            const uint8_t *nl = buf + held;
            while (nl > buf && nl[-1] != '\n') {
                nl--;
            }
            use = nl > buf ? (size_t)(nl - buf) : held;
        }
        st = tls_keylog_add_text(kl, buf, use);
        memmove(buf, buf + use, held - use);
        held -= use;
        if (st != ST_OK || last) {
            break;
        }
    }
    bool read_error = ferror(f) != 0;
    fclose(f);
    free(buf);
    if (st != ST_OK) {
        snprintf(err, errlen, "%s: out of memory reading the key log", path);
        return st;
    }
    if (read_error) {
        snprintf(err, errlen, "%s: read error in the key log", path);
        return ST_TRUNCATED;
    }
    uint64_t ignored = kl->ignored - ignored_before;
    if (kl->kept == kept_before && ignored > 0) {
        snprintf(err, errlen,
                 "%s: not an NSS key log (line %llu is not 'LABEL <client random> <secret>'); "
                 "give the file that SSLKEYLOGFILE or -keylogfile wrote",
                 path, (unsigned long long)kl->first_bad_line);
        return ST_MALFORMED;
    }
    if (kl->kept == kept_before) {
        snprintf(err, errlen,
                 "%s: the key log holds no TLS secrets (%llu lines); was SSLKEYLOGFILE set for "
                 "the client while it ran?",
                 path, (unsigned long long)(kl->lines - lines_before));
        return ST_MALFORMED;
    }
    return ST_OK;
}

const struct tls_keylog_entry *tls_keylog_find(const struct tls_keylog *kl,
                                               const uint8_t random[32])
{
    static const uint8_t zero[32];
    if (!kl || kl->cap == 0 || memcmp(random, zero, 32) == 0) {
        return NULL;
    }
    bool found;
    const struct tls_keylog_entry *e = probe(kl->slots, kl->cap, random, &found);
    return found ? e : NULL;
}
