/*
 * tls_stream.c - record framing over one TCP connection's two byte streams
 * (RFC 8446 5.1, RFC 5246 6.2): finds where TLS starts by content (any port,
 * after a plaintext prefix such as STARTTLS, a MySQL/PostgreSQL SSL request
 * or an HTTP CONNECT), cuts records out of the stream without copying when a
 * record lies inside one segment, holds a partial record otherwise, and
 * skips encrypted bodies without buffering them. After a gap or a bad
 * header it resynchronises on the next plausible record header.
 */
#include "tls_stream.h"

#include <stdlib.h>
#include <string.h>

#include "caps.h"
#include "tls_session.h"

enum side_mode {
    MODE_SCAN,    /* looking for the first TLS record (plaintext prefix) */
    MODE_RECORDS, /* framing records */
    MODE_RESYNC,  /* after a gap or a bad header: looking for a record boundary */
    MODE_DONE,    /* nothing more to learn from this side */
};

/* Bytes a start candidate needs before we trust it: record header (5),
 * handshake header (4) and the hello's legacy_version (2). */
#define START_NEED 11u
/* Bytes examined per step while scanning. */
#define SCAN_WINDOW 4096u
/* Bad headers reported per side before we stay quiet. */
#define NOTES_PER_SIDE 8u

struct side {
    enum side_mode mode;
    uint8_t *buf; /* partial record, or scan window */
    size_t len, cap;
    uint64_t buf_offset;  /* stream offset of buf[0] */
    uint64_t buf_ref;     /* ref of the bytes at buf[0] */
    uint64_t next_offset; /* stream offset of the next byte expected */
    uint64_t scanned;     /* bytes examined in MODE_SCAN */
    uint64_t skip_body;   /* encrypted body bytes still to skip */
    uint64_t records;
    unsigned notes;
};

struct tls_stream {
    struct tls_session session;
    struct side side[2];
};

struct tls_stream *tls_stream_new(const struct tls_stream_env *env, unsigned stream,
                                  const struct ev_endpoint *side0, const struct ev_endpoint *side1)
{
    struct tls_stream *s = calloc(1, sizeof *s);
    if (!s) {
        return NULL;
    }
    tls_session_init(&s->session, env, stream, side0, side1);
    return s;
}

/* ---- the per-side buffer (bounded by the shared budget) ----------------- */

static void buf_clear(struct tls_stream *s, struct side *sd)
{
    size_t *budget = s->session.env.buffered;
    if (budget && sd->cap <= *budget) {
        *budget -= sd->cap;
    }
    free(sd->buf);
    sd->buf = NULL;
    sd->len = 0;
    sd->cap = 0;
}

static bool buf_append(struct tls_stream *s, struct side *sd, const uint8_t *p, size_t n,
                       uint64_t offset, uint64_t ref)
{
    if (n == 0) {
        return true;
    }
    if (sd->len == 0) {
        sd->buf_offset = offset;
        sd->buf_ref = ref;
    }
    if (n > TLS_RECORD_HEADER_LEN + CAP_TLS_RECORD_MAX + SCAN_WINDOW - sd->len) {
        return false;
    }
    size_t want = sd->len + n;
    if (want > sd->cap) {
        size_t ncap = want < 256 ? 256 : want;
        size_t *budget = s->session.env.buffered;
        if (budget && ncap - sd->cap > CAP_TLS_BUFFERED_TOTAL - *budget) {
            return false;
        }
        uint8_t *nb = realloc(sd->buf, ncap);
        if (!nb) {
            return false;
        }
        if (budget) {
            *budget += ncap - sd->cap;
        }
        sd->buf = nb;
        sd->cap = ncap;
    }
    memcpy(sd->buf + sd->len, p, n);
    sd->len += n;
    return true;
}

static void buf_consume(struct side *sd, size_t n)
{
    memmove(sd->buf, sd->buf + n, sd->len - n);
    sd->len -= n;
    sd->buf_offset += n;
}

static void side_note(struct tls_stream *s, int side, enum status st, uint64_t offset,
                      const char *text)
{
    struct side *sd = &s->side[side];
    if (sd->notes++ < NOTES_PER_SIDE) {
        tls_session_note(&s->session, side, st, offset, text);
    }
}

/* ---- finding where records start ----------------------------------------- */

static bool header_plausible(const uint8_t *p, size_t n)
{
    if (n < TLS_RECORD_HEADER_LEN) {
        return false;
    }
    unsigned len = (unsigned)p[3] << 8 | p[4];
    return p[0] >= TLS_CT_CHANGE_CIPHER_SPEC && p[0] <= TLS_CT_HEARTBEAT && p[1] == 3 &&
           p[2] <= 4 && len > 0 && len <= CAP_TLS_RECORD_MAX;
}

/*
 * Where does TLS (re)start in p[0..n)? Returns true with *ret_pos; false
 * with *ret_keep = the first position that might still turn out to be a
 * start once more bytes arrive.
 */
static bool find_start(const uint8_t *p, size_t n, bool relaxed, bool resync, size_t *ret_pos,
                       size_t *ret_keep, enum tls_start_kind *ret_kind)
{
    for (size_t i = 0; i < n; i++) {
        size_t left = n - i;
        if (relaxed && p[i] >= TLS_CT_CHANGE_CIPHER_SPEC && p[i] <= TLS_CT_HEARTBEAT) {
            if (left < TLS_RECORD_HEADER_LEN) {
                *ret_keep = i;
                return false;
            }
            if (header_plausible(p + i, left)) {
                size_t next = TLS_RECORD_HEADER_LEN + ((size_t)p[i + 3] << 8 | p[i + 4]);
                /* After a gap, a random 5 bytes can look like a header: ask
                 * the following header to agree when it is here. */
                if (!resync || left < next + TLS_RECORD_HEADER_LEN ||
                    header_plausible(p + i + next, left - next)) {
                    *ret_pos = i;
                    *ret_kind = TLS_START_RECORD;
                    return true;
                }
            }
        }
        if (resync) {
            continue;
        }
        enum tls_start_kind k = tls_start_detect(p + i, left);
        if (k == TLS_START_NONE) {
            continue;
        }
        size_t need = k == TLS_START_SSLV2_HELLO ? 5u : START_NEED;
        if (left < need) {
            *ret_keep = i;
            return false;
        }
        *ret_pos = i;
        *ret_kind = k;
        return true;
    }
    *ret_keep = n;
    return false;
}

/* ---- framing ------------------------------------------------------------- */

static void feed_records(struct tls_stream *s, int side, const uint8_t *p, size_t n,
                         uint64_t offset, uint64_t ref);

static void enter_resync(struct tls_stream *s, int side)
{
    struct side *sd = &s->side[side];
    sd->mode = MODE_RESYNC;
    sd->skip_body = 0;
    tls_session_gap(&s->session, side);
}

/* Scan the buffered window for a start; on success hand the rest to the
 * record framer. */
static void scan_buffer(struct tls_stream *s, int side)
{
    struct side *sd = &s->side[side];
    bool resync = sd->mode == MODE_RESYNC;
    bool relaxed = resync || tls_session_peer_is_tls(&s->session, side);
    size_t pos = 0, keep = 0;
    enum tls_start_kind kind = TLS_START_NONE;

    if (!find_start(sd->buf, sd->len, relaxed, resync, &pos, &keep, &kind)) {
        if (sd->mode == MODE_SCAN) {
            sd->scanned += keep;
        }
        buf_consume(sd, keep);
        return;
    }
    if (sd->mode == MODE_SCAN) {
        sd->scanned += pos;
        if (pos > 0) {
            side_note(s, side, ST_OK, sd->buf_offset,
                      "TLS starts after a plaintext prefix (STARTTLS or a proxy/database "
                      "request)");
        }
    } else if (pos > 0) {
        side_note(s, side, ST_TRUNCATED, sd->buf_offset,
                  "bytes skipped to find the next record boundary");
    }
    buf_consume(sd, pos);

    if (kind == TLS_START_SSLV2_HELLO) {
        /* RFC 5246 E.2: two-byte header with the high bit set, then the body. */
        size_t reclen = 2 + ((size_t)(sd->buf[0] & 0x7f) << 8 | sd->buf[1]);
        if (reclen > sd->len) {
            if (reclen > 2 + CAP_TLS_RECORD_MAX) {
                buf_consume(sd, 1);
            }
            return; /* wait for the rest */
        }
        tls_session_sslv2_hello(&s->session, side, sd->buf, reclen, sd->buf_offset);
        buf_consume(sd, reclen);
        /* SSLv2 clients go on in SSLv2 or switch to SSLv3 records: scan again. */
        sd->mode = MODE_SCAN;
        return;
    }

    sd->mode = MODE_RECORDS;
    /* Hand the window to the framer from a private copy: the framer may
     * buffer into sd->buf again. */
    size_t n = sd->len;
    uint8_t *copy = malloc(n ? n : 1);
    uint64_t off = sd->buf_offset, ref = sd->buf_ref;
    if (!copy) {
        return;
    }
    memcpy(copy, sd->buf, n);
    buf_clear(s, sd);
    feed_records(s, side, copy, n, off, ref);
    free(copy);
}

static void feed_scan(struct tls_stream *s, int side, const uint8_t *p, size_t n, uint64_t offset,
                      uint64_t ref)
{
    struct side *sd = &s->side[side];
    while (n > 0 && (sd->mode == MODE_SCAN || sd->mode == MODE_RESYNC)) {
        size_t take = n < SCAN_WINDOW ? n : SCAN_WINDOW;
        if (!buf_append(s, sd, p, take, offset, ref)) {
            side_note(s, side, ST_LIMIT, offset, "memory limit reached while scanning");
            buf_clear(s, sd);
            sd->mode = MODE_DONE;
            return;
        }
        p += take;
        n -= take;
        offset += take;
        scan_buffer(s, side);
        if (sd->mode == MODE_SCAN && sd->scanned > CAP_TLS_SCAN_BYTES) {
            buf_clear(s, sd);
            sd->mode = MODE_DONE;
            return;
        }
    }
    if (n > 0 && sd->mode == MODE_RECORDS) {
        feed_records(s, side, p, n, offset, ref);
    }
}

/* A record header at p failed validation: report and resynchronise. */
static void bad_header(struct tls_stream *s, int side, const uint8_t *p, size_t n, uint64_t offset,
                       uint64_t ref)
{
    side_note(s, side, ST_MALFORMED, offset,
              "not a valid TLS record header; looking for the next record");
    enter_resync(s, side);
    /* Skip the first byte so the bad header itself is not found again. */
    feed_scan(s, side, p + 1, n - 1, offset + 1, ref);
}

static void deliver(struct tls_stream *s, int side, const struct tls_record_header *h,
                    const uint8_t *body, uint64_t offset, uint64_t ref_first)
{
    struct side *sd = &s->side[side];
    sd->records++;
    tls_session_record(&s->session, side, h, body, offset, ref_first);
    if (sd->records >= CAP_TLS_RECORDS_PER_FLOW) {
        side_note(s, side, ST_LIMIT, offset, "record limit per connection reached");
        sd->mode = MODE_DONE;
    }
}

static enum status parse_header(const uint8_t *p, uint64_t offset, struct tls_record_header *h)
{
    struct cursor c;
    struct parse_error err = { 0 };
    cur_init(&c, p, TLS_RECORD_HEADER_LEN, offset, &err);
    return tls_record_header_parse(&c, h);
}

static void feed_records(struct tls_stream *s, int side, const uint8_t *p, size_t n,
                         uint64_t offset, uint64_t ref)
{
    struct side *sd = &s->side[side];
    struct tls_record_header h;

    while (n > 0 && sd->mode == MODE_RECORDS) {
        if (sd->skip_body > 0) {
            size_t k = sd->skip_body < n ? (size_t)sd->skip_body : n;
            sd->skip_body -= k;
            p += k;
            n -= k;
            offset += k;
            continue;
        }
        if (sd->len > 0) {
            /* A record started in an earlier segment. */
            if (sd->len < TLS_RECORD_HEADER_LEN) {
                size_t k = TLS_RECORD_HEADER_LEN - sd->len;
                k = k < n ? k : n;
                (void)buf_append(s, sd, p, k, offset, ref);
                p += k;
                n -= k;
                offset += k;
                if (sd->len < TLS_RECORD_HEADER_LEN) {
                    return;
                }
            }
            if (parse_header(sd->buf, sd->buf_offset, &h) != ST_OK) {
                uint8_t head[TLS_RECORD_HEADER_LEN];
                memcpy(head, sd->buf, sizeof head);
                uint64_t hoff = sd->buf_offset;
                buf_clear(s, sd);
                side_note(s, side, ST_MALFORMED, hoff,
                          "not a valid TLS record header; looking for the next record");
                enter_resync(s, side);
                feed_scan(s, side, head + 1, sizeof head - 1, hoff + 1, ref);
                feed_scan(s, side, p, n, offset, ref);
                return;
            }
            if (!tls_session_wants_body(&s->session, side, &h)) {
                uint64_t hoff = sd->buf_offset, href = sd->buf_ref;
                buf_clear(s, sd);
                sd->skip_body = h.length;
                deliver(s, side, &h, NULL, hoff, href);
                continue;
            }
            size_t need = TLS_RECORD_HEADER_LEN + h.length - sd->len;
            size_t k = need < n ? need : n;
            if (!buf_append(s, sd, p, k, offset, ref)) {
                side_note(s, side, ST_LIMIT, offset, "memory limit reached holding a record");
                buf_clear(s, sd);
                enter_resync(s, side);
                return;
            }
            p += k;
            n -= k;
            offset += k;
            if (k < need) {
                return;
            }
            uint64_t roff = sd->buf_offset, rref = sd->buf_ref;
            uint8_t *rec = sd->buf;
            sd->buf = NULL; /* keep the bytes alive while the session reads them */
            size_t rcap = sd->cap;
            sd->len = 0;
            sd->cap = 0;
            deliver(s, side, &h, rec + TLS_RECORD_HEADER_LEN, roff, rref);
            free(rec);
            if (s->session.env.buffered && rcap <= *s->session.env.buffered) {
                *s->session.env.buffered -= rcap;
            }
            continue;
        }
        if (n < TLS_RECORD_HEADER_LEN) {
            (void)buf_append(s, sd, p, n, offset, ref);
            return;
        }
        if (parse_header(p, offset, &h) != ST_OK) {
            bad_header(s, side, p, n, offset, ref);
            return;
        }
        if (!tls_session_wants_body(&s->session, side, &h)) {
            deliver(s, side, &h, NULL, offset, ref);
            sd->skip_body = h.length;
            p += TLS_RECORD_HEADER_LEN;
            n -= TLS_RECORD_HEADER_LEN;
            offset += TLS_RECORD_HEADER_LEN;
            continue;
        }
        size_t whole = TLS_RECORD_HEADER_LEN + (size_t)h.length;
        if (n >= whole) {
            deliver(s, side, &h, p + TLS_RECORD_HEADER_LEN, offset, ref);
            p += whole;
            n -= whole;
            offset += whole;
            continue;
        }
        if (!buf_append(s, sd, p, n, offset, ref)) {
            side_note(s, side, ST_LIMIT, offset, "memory limit reached holding a record");
            enter_resync(s, side);
        }
        return;
    }
    if (n > 0 && (sd->mode == MODE_SCAN || sd->mode == MODE_RESYNC)) {
        feed_scan(s, side, p, n, offset, ref);
    }
}

/* ---- the interface the analyzer drives ---------------------------------- */

enum tls_stream_verdict tls_stream_data(struct tls_stream *s, int side, const uint8_t *data,
                                        size_t len, uint64_t offset, uint64_t ref,
                                        struct ev_time ts)
{
    if (side < 0 || side > 1) {
        return TLS_STREAM_SKIP_FLOW;
    }
    struct side *sd = &s->side[side];
    s->session.ts = ts;
    s->session.ref = ref;
    sd->next_offset = offset + len;
    switch (sd->mode) {
    case MODE_SCAN:
    case MODE_RESYNC:
        feed_scan(s, side, data, len, offset, ref);
        break;
    case MODE_RECORDS:
        feed_records(s, side, data, len, offset, ref);
        break;
    case MODE_DONE:
        break;
    }
    if (tls_session_done(&s->session)) {
        return TLS_STREAM_SKIP_FLOW;
    }
    if (s->side[0].mode == MODE_DONE && s->side[1].mode == MODE_DONE) {
        return TLS_STREAM_SKIP_FLOW;
    }
    return sd->mode == MODE_DONE ? TLS_STREAM_SKIP_SIDE : TLS_STREAM_KEEP;
}

void tls_stream_gap(struct tls_stream *s, int side, uint64_t offset, uint64_t len, uint64_t ref)
{
    if (side < 0 || side > 1) {
        return;
    }
    struct side *sd = &s->side[side];
    s->session.ref = ref;
    switch (sd->mode) {
    case MODE_RECORDS:
        if (sd->len == 0 && sd->skip_body >= len) {
            /* Lost bytes inside an encrypted body we skip anyway. */
            sd->skip_body -= len;
            return;
        }
        buf_clear(s, sd);
        side_note(s, side, ST_TRUNCATED, offset,
                  "bytes missing from the capture; the record there is lost");
        enter_resync(s, side);
        break;
    case MODE_SCAN:
        buf_clear(s, sd);
        break;
    case MODE_RESYNC:
        buf_clear(s, sd);
        break;
    case MODE_DONE:
        break;
    }
}

void tls_stream_close(struct tls_stream *s, int side, bool rst, uint64_t ref, struct ev_time ts)
{
    if (side < 0 || side > 1) {
        return;
    }
    s->session.ts = ts;
    tls_session_close(&s->session, side, rst, ref);
}

void tls_stream_end(struct tls_stream *s)
{
    if (!s) {
        return;
    }
    for (int i = 0; i < 2; i++) {
        struct side *sd = &s->side[i];
        if (sd->mode == MODE_RECORDS && (sd->len > 0 || sd->skip_body > 0) &&
            !tls_session_done(&s->session)) {
            tls_session_note(&s->session, i, ST_TRUNCATED, sd->next_offset,
                             "the capture ends inside a record");
        }
        buf_clear(s, sd);
    }
    tls_session_finish(&s->session);
    tls_session_fini(&s->session);
    free(s);
}
