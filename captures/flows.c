/*
 * flows.c - TCP flow table and per-direction reassembly (RFC 9293 3.4 for
 * sequence numbers, 3.10.7.4 for what a receiver keeps). Both directions of
 * a 4-tuple map to one flow; each direction becomes an ordered byte stream
 * numbered from 0 (the byte after the SYN, or the first byte seen when the
 * SYN was not captured). Sequence numbers are compared modulo 2^32 and
 * stream offsets are 64-bit, so streams may pass 4 GiB and wrap.
 *
 * What reaches the handler, per side: on_data for bytes in stream order,
 * each byte once (the first copy captured wins over retransmissions and
 * overlaps), on_gap for bytes that will never be delivered, then at most one
 * on_close; and once per flow, on_end. Out-of-order data is held in a
 * sorted list of non-overlapping pieces bounded by the caps of caps.h; when
 * a cap would be exceeded the hole is declared a gap and delivery goes on,
 * so memory stays bounded whatever the capture holds. This file is the
 * reassembly buffer and therefore copies payload bytes (memcpy) into it.
 *
 * Flows end when both sides closed (FIN delivered) or on RST, when idle for
 * CAP_FLOW_IDLE_SECONDS of packet time, when the table is full (least
 * recently used first), on port reuse (a new SYN), or at cap_flows_finish.
 * An ended flow stays in the table as a small tombstone without callbacks, so
 * the last ACKs and retransmissions do not open new flows (Wireshark's
 * tcp.stream numbering behaves the same).
 */
#include "capture.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "caps.h"

/* One held piece of out-of-order data, or a known-missing range (a
 * snaplen-cut tail) when `gap` is set. */
struct seg {
    struct seg *next;
    uint64_t off;
    uint64_t frame;
    struct ev_time ts;
    uint32_t len;
    bool gap;
    uint8_t data[];
};

#define SEG_COST(len) ((size_t)(len) + sizeof(struct seg))

enum dir_flag {
    DF_SEQ_KNOWN = 0x01, /* base_seq is set */
    DF_SYN = 0x02,       /* this side's SYN was seen */
    DF_FIN = 0x04,       /* this side's FIN was seen (fin_seq) */
    DF_CLOSED = 0x08,    /* on_close was called for this side */
    DF_RST = 0x10,       /* this side sent a RST */
    DF_SKIP = 0x20,      /* the handler asked to stop delivering */
    DF_DATA = 0x40,      /* payload was seen */
};

struct dir {
    struct seg *held;  /* sorted by offset, non-overlapping, all > next_off */
    uint64_t next_off; /* stream offset of the next byte to deliver */
    uint32_t base_seq; /* sequence number of stream offset 0 */
    uint32_t fin_seq;  /* sequence number the FIN occupies */
    uint32_t held_bytes;
    uint16_t held_segs;
    uint8_t flags;
};

struct flow {
    struct flow *hnext;       /* hash chain */
    struct flow *prev, *next; /* LRU list, least recently used first */
    void *user;
    struct ev_time last_ts;
    uint64_t last_frame;
    unsigned stream;
    uint16_t port[2];    /* [side] */
    uint8_t addr[2][16]; /* [side] */
    uint8_t ipver;
    bool ended;      /* on_end was called: a tombstone */
    struct dir d[2]; /* [side]: bytes sent by that side */
};

/* SYN-only floods fill the table with these: keep them small. */
_Static_assert(sizeof(struct flow) <= 200, "flow record grew past 200 bytes");

struct cap_flows {
    struct cap_flow_handler h;
    struct flow **buckets;
    size_t nbuckets; /* power of two */
    size_t count;
    struct flow *lru_head, *lru_tail;
    struct flow *last; /* flow of the previous segment: most segments follow one of their own */
    uint64_t seed;
    unsigned next_stream;
    size_t held_total; /* SEG_COST of everything held, all flows */
    struct cap_flow_stats st;
};

#define BUCKETS_MIN 256u
#define EVICT_SCAN 16u /* LRU entries searched for an ended flow before evicting a live one */

/* ---- small helpers ------------------------------------------------------- */

static size_t addr_len(uint8_t ipver)
{
    return ipver == 4 ? 4 : 16;
}

static uint32_t next_seq(const struct dir *d)
{
    return d->base_seq + (uint32_t)d->next_off;
}

/* Signed distance from the next expected sequence number. */
static int32_t seq_rel(const struct dir *d, uint32_t seq)
{
    return (int32_t)(seq - next_seq(d));
}

static bool dir_skipping(const struct dir *d)
{
    return (d->flags & DF_SKIP) != 0;
}

static uint64_t mix64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ull;
    x ^= x >> 33;
    return x;
}

static uint64_t endpoint_hash(uint64_t seed, uint8_t ipver, const uint8_t *addr, uint16_t port)
{
    uint64_t h = seed ^ ipver;
    size_t n = addr_len(ipver);

    for (size_t i = 0; i < n; i += 4) {
        uint32_t w = (uint32_t)addr[i] << 24 | (uint32_t)addr[i + 1] << 16 |
                     (uint32_t)addr[i + 2] << 8 | addr[i + 3];
        h = mix64(h ^ w);
    }
    return mix64(h ^ port);
}

/* Symmetric in the two endpoints, so both directions land in one bucket. */
static size_t flow_bucket(const struct cap_flows *f, uint8_t ipver, const uint8_t *a, uint16_t pa,
                          const uint8_t *b, uint16_t pb)
{
    uint64_t h = endpoint_hash(f->seed, ipver, a, pa) + endpoint_hash(f->seed, ipver, b, pb);

    return (size_t)(h & (f->nbuckets - 1));
}

/* Constant sizes let the compiler compare in place instead of calling
 * memcmp for every packet. */
static bool same_endpoint(const struct flow *fl, int side, const uint8_t *addr, uint16_t port)
{
    if (fl->port[side] != port) {
        return false;
    }
    if (fl->ipver == 4) {
        return memcmp(fl->addr[side], addr, 4) == 0;
    }
    return memcmp(fl->addr[side], addr, 16) == 0;
}

/* ---- LRU list and hash table --------------------------------------------- */

static void lru_unlink(struct cap_flows *f, struct flow *fl)
{
    if (fl->prev) {
        fl->prev->next = fl->next;
    } else {
        f->lru_head = fl->next;
    }
    if (fl->next) {
        fl->next->prev = fl->prev;
    } else {
        f->lru_tail = fl->prev;
    }
    fl->prev = fl->next = NULL;
}

static void lru_append(struct cap_flows *f, struct flow *fl)
{
    fl->prev = f->lru_tail;
    fl->next = NULL;
    if (f->lru_tail) {
        f->lru_tail->next = fl;
    } else {
        f->lru_head = fl;
    }
    f->lru_tail = fl;
}

static size_t bucket_of(const struct cap_flows *f, const struct flow *fl)
{
    return flow_bucket(f, fl->ipver, fl->addr[0], fl->port[0], fl->addr[1], fl->port[1]);
}

static void hash_unlink(struct cap_flows *f, struct flow *fl)
{
    struct flow **link = &f->buckets[bucket_of(f, fl)];

    while (*link && *link != fl) {
        link = &(*link)->hnext;
    }
    if (*link) {
        *link = fl->hnext;
    }
    fl->hnext = NULL;
}

static size_t buckets_max(void)
{
    size_t n = BUCKETS_MIN;

    while (n < CAP_FLOWS_MAX) {
        n *= 2;
    }
    return n;
}

/* Doubles the bucket array while the table is fuller than one flow per
 * bucket; on allocation failure the old (longer-chained) array stays. */
static void hash_maybe_grow(struct cap_flows *f)
{
    if (f->count < f->nbuckets || f->nbuckets >= buckets_max()) {
        return;
    }
    size_t old_n = f->nbuckets;
    struct flow **old = f->buckets;
    struct flow **nb = calloc(old_n * 2, sizeof *nb);
    if (!nb) {
        return;
    }
    f->buckets = nb;
    f->nbuckets = old_n * 2;
    for (size_t i = 0; i < old_n; i++) {
        struct flow *fl = old[i];
        while (fl) {
            struct flow *next = fl->hnext;
            size_t b = bucket_of(f, fl);
            fl->hnext = nb[b];
            nb[b] = fl;
            fl = next;
        }
    }
    free(old);
}

/* True when fl is the segment's flow; *ret_side is the sender's side. */
static bool flow_matches(const struct flow *fl, const struct cap_tcp_segment *seg,
                         enum cap_side *ret_side)
{
    if (fl->ipver != seg->ip_version) {
        return false;
    }
    if (same_endpoint(fl, CAP_SIDE_A, seg->src, seg->sport) &&
        same_endpoint(fl, CAP_SIDE_B, seg->dst, seg->dport)) {
        *ret_side = CAP_SIDE_A;
        return true;
    }
    if (same_endpoint(fl, CAP_SIDE_B, seg->src, seg->sport) &&
        same_endpoint(fl, CAP_SIDE_A, seg->dst, seg->dport)) {
        *ret_side = CAP_SIDE_B;
        return true;
    }
    return false;
}

/* A 4-tuple has at most one flow in the table (port reuse removes the old
 * one first), so checking the previous segment's flow before hashing
 * changes nothing but the cost: bulk transfers arrive in runs. */
static struct flow *flow_lookup(struct cap_flows *f, const struct cap_tcp_segment *seg,
                                enum cap_side *ret_side)
{
    if (f->last && flow_matches(f->last, seg, ret_side)) {
        return f->last;
    }
    size_t b = flow_bucket(f, seg->ip_version, seg->src, seg->sport, seg->dst, seg->dport);
    for (struct flow *fl = f->buckets[b]; fl; fl = fl->hnext) {
        if (flow_matches(fl, seg, ret_side)) {
            f->last = fl;
            return fl;
        }
    }
    return NULL;
}

/* ---- held data ----------------------------------------------------------- */

static void seg_release(struct cap_flows *f, struct dir *d, struct seg *s)
{
    d->held_bytes -= s->gap ? 0 : s->len;
    d->held_segs--;
    f->held_total -= SEG_COST(s->gap ? 0 : s->len);
    free(s);
}

static void held_free(struct cap_flows *f, struct dir *d)
{
    while (d->held) {
        struct seg *s = d->held;
        d->held = s->next;
        seg_release(f, d, s);
    }
}

static void set_skip(struct cap_flows *f, struct dir *d)
{
    d->flags |= DF_SKIP;
    held_free(f, d);
}

/* ---- delivery ------------------------------------------------------------ */

static void emit_gap(struct cap_flows *f, struct flow *fl, enum cap_side side, uint64_t off,
                     uint64_t len, uint64_t frame)
{
    struct dir *d = &fl->d[side];

    d->next_off = off + len;
    if (dir_skipping(d) || (d->flags & DF_CLOSED) || len == 0) {
        return;
    }
    f->st.gaps++;
    if (f->h.on_gap) {
        f->h.on_gap(f->h.ctx, fl->user, side, off, len, frame);
    }
}

static void emit_data(struct cap_flows *f, struct flow *fl, enum cap_side side, const uint8_t *data,
                      size_t len, uint64_t frame, struct ev_time ts)
{
    struct dir *d = &fl->d[side];
    uint64_t off = d->next_off;
    enum cap_verdict v = CAP_KEEP;

    d->next_off = off + len;
    if (dir_skipping(d) || len == 0) {
        return;
    }
    if (d->flags & DF_CLOSED) {
        f->st.bytes_dropped += len; /* beyond the FIN */
        return;
    }
    f->st.bytes_delivered += len;
    if (f->h.on_data) {
        v = f->h.on_data(f->h.ctx, fl->user, side, data, len, off, frame, ts);
    }
    if (v == CAP_SKIP_DIRECTION) {
        set_skip(f, d);
    } else if (v == CAP_SKIP_FLOW) {
        set_skip(f, &fl->d[CAP_SIDE_A]);
        set_skip(f, &fl->d[CAP_SIDE_B]);
    }
}

static void report_close(struct cap_flows *f, struct flow *fl, enum cap_side side, bool rst,
                         uint64_t frame, struct ev_time ts)
{
    struct dir *d = &fl->d[side];

    if (d->flags & DF_CLOSED) {
        return;
    }
    d->flags |= DF_CLOSED;
    held_free(f, d); /* anything held lies beyond the FIN */
    if (f->h.on_close) {
        f->h.on_close(f->h.ctx, fl->user, side, rst, frame, ts);
    }
}

/* The FIN is reported once every byte before it was delivered or declared
 * missing. */
static void check_fin(struct cap_flows *f, struct flow *fl, enum cap_side side, uint64_t frame,
                      struct ev_time ts)
{
    struct dir *d = &fl->d[side];

    if ((d->flags & DF_FIN) && !(d->flags & DF_CLOSED) &&
        (dir_skipping(d) || seq_rel(d, d->fin_seq) <= 0)) {
        report_close(f, fl, side, false, frame, ts);
    }
}

/* Delivers held pieces that are now in order. */
static void drain(struct cap_flows *f, struct flow *fl, enum cap_side side, uint64_t frame,
                  struct ev_time ts)
{
    struct dir *d = &fl->d[side];

    while (d->held && d->held->off <= d->next_off && !dir_skipping(d)) {
        struct seg *s = d->held;
        d->held = s->next;
        uint64_t end = s->off + s->len;
        if (end > d->next_off) {
            uint64_t from = d->next_off - s->off;
            if (s->gap) {
                emit_gap(f, fl, side, d->next_off, end - d->next_off, s->frame);
            } else {
                emit_data(f, fl, side, s->data + from, (size_t)(s->len - from), s->frame, s->ts);
            }
        }
        seg_release(f, d, s);
    }
    check_fin(f, fl, side, frame, ts);
}

/* Declares [next_off, off) missing and delivers what follows in order. */
static void gap_to(struct cap_flows *f, struct flow *fl, enum cap_side side, uint64_t off,
                   uint64_t frame, struct ev_time ts)
{
    struct dir *d = &fl->d[side];

    if (off > d->next_off) {
        emit_gap(f, fl, side, d->next_off, off - d->next_off, frame);
    }
    drain(f, fl, side, frame, ts);
}

/* Stream offset of the FIN, when it lies ahead. */
static bool fin_ahead(const struct dir *d, uint64_t *ret_off)
{
    if (!(d->flags & DF_FIN) || (d->flags & DF_CLOSED) || !(d->flags & DF_SEQ_KNOWN)) {
        return false;
    }
    int32_t rel = seq_rel(d, d->fin_seq);
    if (rel <= 0) {
        return false;
    }
    *ret_off = d->next_off + (uint64_t)rel;
    return true;
}

/* Everything still held is delivered with gaps for the holes; a FIN ahead
 * of the data seen gets a gap up to it; then the FIN is reported. */
static void flush_dir(struct cap_flows *f, struct flow *fl, enum cap_side side, uint64_t frame,
                      struct ev_time ts)
{
    struct dir *d = &fl->d[side];
    uint64_t fin_off;

    while (d->held && !dir_skipping(d)) {
        gap_to(f, fl, side, d->held->off, frame, ts);
    }
    if (fin_ahead(d, &fin_off)) {
        gap_to(f, fl, side, fin_off, frame, ts);
    }
    held_free(f, d);
    if (d->flags & DF_FIN) {
        report_close(f, fl, side, false, frame, ts);
    }
}

/*
 * The peer acknowledged bytes of this side that the capture does not have
 * while later bytes wait: they will not be sent again, so the hole is a gap.
 * Only holes followed by held data (or by the FIN) are declared, never more
 * than what the acknowledgment covers.
 */
static void ack_gap(struct cap_flows *f, struct flow *fl, enum cap_side side, uint32_t ack,
                    uint64_t frame, struct ev_time ts)
{
    struct dir *d = &fl->d[side];
    uint64_t fin_off = 0;

    if (!(d->flags & DF_SEQ_KNOWN) || dir_skipping(d)) {
        return;
    }
    int32_t rel = seq_rel(d, ack);
    if (rel <= 0) {
        return;
    }
    uint64_t acked = d->next_off + (uint64_t)rel;
    for (;;) {
        bool fin = fin_ahead(d, &fin_off);
        if (dir_skipping(d) || acked <= d->next_off || (!d->held && !fin)) {
            break;
        }
        uint64_t target = d->held ? d->held->off : fin_off;
        if (fin && fin_off < target) {
            target = fin_off;
        }
        if (acked < target) {
            target = acked;
        }
        gap_to(f, fl, side, target, frame, ts);
    }
}

/* Position of new payload bytes: captured [off, off + cap_len), on the wire
 * [off, off + wire_len); base points at the byte of `off`. */
struct span {
    const uint8_t *base;
    uint64_t off;
    uint64_t cap_end;
    uint64_t end;
    uint64_t frame;
    struct ev_time ts;
};

/* Delivers [from, to) of a new segment, which is in order. */
static void deliver_span(struct cap_flows *f, struct flow *fl, enum cap_side side,
                         const struct span *sp, uint64_t from, uint64_t to)
{
    struct dir *d = &fl->d[side];

    if (from < sp->cap_end) {
        uint64_t stop = to < sp->cap_end ? to : sp->cap_end;
        emit_data(f, fl, side, sp->base + (from - sp->off), (size_t)(stop - from), sp->frame,
                  sp->ts);
        from = stop;
    }
    if (from < to && !dir_skipping(d)) {
        emit_gap(f, fl, side, from, to - from, sp->frame); /* snaplen cut */
    }
    d->next_off = to;
}

static bool may_hold(const struct cap_flows *f, const struct dir *d, uint64_t len)
{
    return d->held_segs < CAP_REASM_SEGS_PER_DIR && len <= CAP_REASM_BYTES_PER_DIR &&
           d->held_bytes + len <= CAP_REASM_BYTES_PER_DIR &&
           f->held_total + SEG_COST(len) <= CAP_REASM_BYTES_TOTAL;
}

/* Inserts one piece at *link; false when a cap or memory says no. */
static bool hold_piece(struct cap_flows *f, struct dir *d, struct seg **link, const struct span *sp,
                       uint64_t from, uint64_t to, bool gap)
{
    uint64_t len = to - from;
    uint64_t data_len = gap ? 0 : len;

    if (!may_hold(f, d, data_len)) {
        return false;
    }
    struct seg *s = malloc(SEG_COST(data_len));
    if (!s) {
        return false;
    }
    s->off = from;
    s->len = (uint32_t)len;
    s->gap = gap;
    s->frame = sp->frame;
    s->ts = sp->ts;
    if (!gap) {
        memcpy(s->data, sp->base + (from - sp->off), (size_t)len);
    }
    s->next = *link;
    *link = s;
    d->held_bytes += (uint32_t)data_len;
    d->held_segs++;
    f->held_total += SEG_COST(data_len);
    if (f->held_total > f->st.peak_buffered) {
        f->st.peak_buffered = f->held_total;
    }
    return true;
}

/* Holds [from, to) at *link, split into captured bytes and a snaplen-cut
 * tail; *link advances past what was inserted. */
static bool hold_range(struct cap_flows *f, struct dir *d, struct seg ***link,
                       const struct span *sp, uint64_t from, uint64_t to)
{
    if (from < sp->cap_end) {
        uint64_t stop = to < sp->cap_end ? to : sp->cap_end;
        if (!hold_piece(f, d, *link, sp, from, stop, false)) {
            return false;
        }
        *link = &(**link)->next;
        from = stop;
    }
    if (from < to) {
        if (!hold_piece(f, d, *link, sp, from, to, true)) {
            return false;
        }
        *link = &(**link)->next;
    }
    return true;
}

/* Holds the parts of [from, end) that no held piece covers yet (the first
 * copy captured wins). */
static bool hold_new(struct cap_flows *f, struct dir *d, const struct span *sp, uint64_t from)
{
    struct seg **link = &d->held;

    while (*link && from < sp->end) {
        struct seg *h = *link;
        uint64_t h_end = h->off + h->len;
        if (h_end <= from) {
            link = &h->next;
            continue;
        }
        if (h->off >= sp->end) {
            break;
        }
        if (h->off > from && !hold_range(f, d, &link, sp, from, h->off)) {
            return false;
        }
        from = h_end;
        link = &(*link)->next;
    }
    if (from < sp->end) {
        return hold_range(f, d, &link, sp, from, sp->end);
    }
    return true;
}

/* New payload for one side, already placed at stream offsets. */
static void add_span(struct cap_flows *f, struct flow *fl, enum cap_side side,
                     const struct span *sp)
{
    struct dir *d = &fl->d[side];
    uint64_t at = sp->off;

    while (at < sp->end && !dir_skipping(d)) {
        if (at < d->next_off) {
            uint64_t old = (d->next_off < sp->end ? d->next_off : sp->end) - at;
            f->st.bytes_dropped += old; /* retransmitted or overlapping */
            at += old;
            continue;
        }
        if (at == d->next_off) {
            uint64_t lim = sp->end;
            if (d->held && d->held->off < lim) {
                lim = d->held->off;
            }
            deliver_span(f, fl, side, sp, at, lim);
            at = lim;
            drain(f, fl, side, sp->frame, sp->ts);
            continue;
        }
        if (hold_new(f, d, sp, at)) {
            return;
        }
        /* Over a cap: give up on the oldest hole instead of buffering more. */
        f->st.limit_hits++;
        gap_to(f, fl, side, d->held ? d->held->off : at, sp->frame, sp->ts);
    }
    if (dir_skipping(d) && sp->end > d->next_off) {
        d->next_off = sp->end; /* keep following the sequence numbers */
    }
}

static void add_payload(struct cap_flows *f, struct flow *fl, enum cap_side side,
                        const struct cap_tcp_segment *seg, uint32_t data_seq, uint64_t frame,
                        struct ev_time ts)
{
    struct dir *d = &fl->d[side];
    uint64_t wire = seg->payload_wire_len;
    uint64_t cap = seg->payload_len < seg->payload_wire_len ? seg->payload_len : wire;
    const uint8_t *p = seg->payload;

    if (!p) {
        cap = 0;
    }
    d->flags |= DF_DATA;
    if (d->flags & DF_CLOSED) {
        f->st.bytes_dropped += wire; /* after the FIN or RST was reported */
        return;
    }
    if (!(d->flags & DF_SEQ_KNOWN)) {
        d->base_seq = data_seq;
        d->next_off = 0;
        d->flags |= DF_SEQ_KNOWN;
    }
    if (dir_skipping(d)) {
        f->st.bytes_skipped += wire;
    }
    int64_t start = (int64_t)d->next_off + seq_rel(d, data_seq);
    if (start < 0) {
        /* Bytes before the first byte of the stream. */
        uint64_t before = (uint64_t)-start;
        if (before >= wire) {
            f->st.bytes_dropped += wire;
            return;
        }
        uint64_t cut = before < cap ? before : cap;
        if (cut > 0) {
            p += cut; /* p may be NULL when nothing was captured */
        }
        cap -= cut;
        wire -= before;
        f->st.bytes_dropped += before;
        start = 0;
    }
    struct span sp = {
        .base = p,
        .off = (uint64_t)start,
        .cap_end = (uint64_t)start + cap,
        .end = (uint64_t)start + wire,
        .frame = frame,
        .ts = ts,
    };
    add_span(f, fl, side, &sp);
}

/* ---- flow lifetime ------------------------------------------------------- */

static bool flow_closed(const struct flow *fl)
{
    const struct dir *a = &fl->d[CAP_SIDE_A], *b = &fl->d[CAP_SIDE_B];

    return ((a->flags | b->flags) & DF_RST) || ((a->flags & DF_CLOSED) && (b->flags & DF_CLOSED));
}

/* Delivers what can be delivered, then on_end; the record stays as a
 * tombstone until removed. */
static void flow_finalize(struct cap_flows *f, struct flow *fl)
{
    if (fl->ended) {
        return;
    }
    flush_dir(f, fl, CAP_SIDE_A, fl->last_frame, fl->last_ts);
    flush_dir(f, fl, CAP_SIDE_B, fl->last_frame, fl->last_ts);
    if (f->h.on_end) {
        f->h.on_end(f->h.ctx, fl->user);
    }
    fl->ended = true;
    fl->user = NULL;
}

static void flow_remove(struct cap_flows *f, struct flow *fl, bool evicted)
{
    if (!fl->ended) {
        if (evicted && !flow_closed(fl)) {
            f->st.evicted++;
        }
        flow_finalize(f, fl);
    }
    hash_unlink(f, fl);
    lru_unlink(f, fl);
    if (f->last == fl) {
        f->last = NULL;
    }
    held_free(f, &fl->d[0]);
    held_free(f, &fl->d[1]);
    free(fl);
    f->count--;
}

/* Idle flows, by packet time: the LRU head is the least recently seen. */
static void expire_idle(struct cap_flows *f, struct ev_time now)
{
    while (f->lru_head) {
        struct flow *fl = f->lru_head;
        if (now.sec <= fl->last_ts.sec ||
            (uint64_t)now.sec - (uint64_t)fl->last_ts.sec <= CAP_FLOW_IDLE_SECONDS) {
            break;
        }
        flow_remove(f, fl, false);
    }
}

/* The table is full: an ended flow near the LRU head goes first, else the
 * least recently used one. */
static struct flow *evict_candidate(const struct cap_flows *f)
{
    struct flow *fl = f->lru_head;

    for (unsigned i = 0; fl && i < EVICT_SCAN; i++, fl = fl->next) {
        if (fl->ended) {
            return fl;
        }
    }
    return f->lru_head;
}

static void endpoint_text(uint8_t ipver, const uint8_t *addr, uint16_t port,
                          struct ev_endpoint *ret)
{
    if (!inet_ntop(ipver == 4 ? AF_INET : AF_INET6, addr, ret->ip, sizeof ret->ip)) {
        ret->ip[0] = '\0';
    }
    ret->port = port;
}

static struct flow *flow_open(struct cap_flows *f, const struct cap_tcp_segment *seg,
                              uint64_t frame, struct ev_time ts, enum cap_side *ret_side)
{
    bool syn = seg->flags & CAP_TCP_SYN, ack = seg->flags & CAP_TCP_ACK;
    /* The SYN sender is A; a SYN-ACK comes from B; else the first sender. */
    enum cap_side side = (syn && ack) ? CAP_SIDE_B : CAP_SIDE_A;
    size_t alen = addr_len(seg->ip_version);

    if (f->count >= CAP_FLOWS_MAX && f->lru_head) {
        flow_remove(f, evict_candidate(f), true);
    }
    struct flow *fl = calloc(1, sizeof *fl);
    if (!fl) {
        f->st.nomem++;
        return NULL;
    }
    fl->ipver = seg->ip_version;
    for (size_t i = 0; i < alen; i++) {
        fl->addr[side][i] = seg->src[i];
        fl->addr[!side][i] = seg->dst[i];
    }
    fl->port[side] = seg->sport;
    fl->port[!side] = seg->dport;
    fl->stream = ++f->next_stream;
    fl->last_ts = ts;
    fl->last_frame = frame;
    f->count++;
    hash_maybe_grow(f);
    size_t b = bucket_of(f, fl);
    fl->hnext = f->buckets[b];
    f->buckets[b] = fl;
    lru_append(f, fl);
    f->st.flows++;

    struct cap_flow_info info = {
        .stream = fl->stream,
        .syn_seen = syn,
        .first_ts = ts,
        .first_frame = frame,
    };
    endpoint_text(fl->ipver, fl->addr[CAP_SIDE_A], fl->port[CAP_SIDE_A], &info.a);
    endpoint_text(fl->ipver, fl->addr[CAP_SIDE_B], fl->port[CAP_SIDE_B], &info.b);
    if (f->h.on_open) {
        fl->user = f->h.on_open(f->h.ctx, &info);
    }
    *ret_side = side;
    return fl;
}

/*
 * A SYN without ACK on a known 4-tuple starts a new connection (port reuse)
 * unless it is the same SYN again: the old flow ended, closed, or carried
 * data, and this is not a retransmission of the side's own SYN.
 */
static bool is_new_connection(const struct flow *fl, enum cap_side side,
                              const struct cap_tcp_segment *seg)
{
    const struct dir *d = &fl->d[side];
    uint8_t all = fl->d[0].flags | fl->d[1].flags;
    bool same_syn = (d->flags & DF_SYN) && d->base_seq == seg->seq + 1;

    if (fl->ended) {
        return true;
    }
    return (all & (DF_FIN | DF_RST | DF_DATA)) && !same_syn;
}

static void touch(struct cap_flows *f, struct flow *fl, uint64_t frame, struct ev_time ts)
{
    fl->last_ts = ts;
    fl->last_frame = frame;
    if (f->lru_tail != fl) {
        lru_unlink(f, fl);
        lru_append(f, fl);
    }
}

static void process(struct cap_flows *f, struct flow *fl, enum cap_side side,
                    const struct cap_tcp_segment *seg, uint64_t frame, struct ev_time ts)
{
    struct dir *d = &fl->d[side];
    struct dir *o = &fl->d[!side];
    uint32_t data_seq = seg->seq;

    if (seg->flags & CAP_TCP_RST) {
        /* Payload of a RST is diagnostic text at most (RFC 9293 3.5.3). */
        d->flags |= DF_RST;
        flush_dir(f, fl, side, frame, ts);
        report_close(f, fl, side, true, frame, ts);
        return;
    }
    if (seg->flags & CAP_TCP_SYN) {
        if (!(d->flags & DF_SEQ_KNOWN) ||
            ((d->flags & DF_SYN) && !(d->flags & DF_DATA) && d->next_off == 0)) {
            d->base_seq = seg->seq + 1; /* the SYN occupies one sequence number */
            d->next_off = 0;
            d->flags |= DF_SEQ_KNOWN;
        }
        d->flags |= DF_SYN;
        data_seq = seg->seq + 1;
        if ((seg->flags & CAP_TCP_ACK) && !(o->flags & DF_SEQ_KNOWN)) {
            o->base_seq = seg->ack; /* the peer's ISN + 1: its SYN was missed */
            o->flags |= DF_SEQ_KNOWN;
        }
    }
    if (seg->flags & CAP_TCP_ACK) {
        ack_gap(f, fl, (enum cap_side) !side, seg->ack, frame, ts);
    }
    if (seg->payload_wire_len > 0) {
        add_payload(f, fl, side, seg, data_seq, frame, ts);
    }
    if ((seg->flags & CAP_TCP_FIN) && !(d->flags & DF_FIN)) {
        d->flags |= DF_FIN;
        d->fin_seq = data_seq + seg->payload_wire_len;
        if (!(d->flags & DF_SEQ_KNOWN)) {
            report_close(f, fl, side, false, frame, ts);
        } else {
            check_fin(f, fl, side, frame, ts);
        }
    }
}

/* ---- interface ----------------------------------------------------------- */

struct cap_flows *cap_flows_new(const struct cap_flow_handler *h)
{
    struct cap_flows *f = calloc(1, sizeof *f);

    if (!f) {
        return NULL;
    }
    f->buckets = calloc(BUCKETS_MIN, sizeof *f->buckets);
    if (!f->buckets) {
        free(f);
        return NULL;
    }
    f->nbuckets = BUCKETS_MIN;
    if (h) {
        f->h = *h;
    }
    /* Only the hash depends on the seed, never the results: chains stay
     * short whatever addresses a hostile capture chooses. */
    f->seed = mix64((uint64_t)(uintptr_t)f ^ (uint64_t)time(NULL));
    return f;
}

void cap_flows_add(struct cap_flows *f, const struct cap_tcp_segment *seg, uint64_t frame,
                   struct ev_time ts)
{
    enum cap_side side = CAP_SIDE_A;

    if (!f || !seg || (seg->ip_version != 4 && seg->ip_version != 6)) {
        return;
    }
    f->st.segments++;
    expire_idle(f, ts);
    struct flow *fl = flow_lookup(f, seg, &side);
    bool syn_only = (seg->flags & (CAP_TCP_SYN | CAP_TCP_ACK)) == CAP_TCP_SYN;
    if (fl && syn_only && is_new_connection(fl, side, seg)) {
        flow_remove(f, fl, false);
        fl = NULL;
    }
    if (fl && fl->ended) {
        touch(f, fl, frame, ts); /* trailing ACK or retransmission */
        return;
    }
    if (!fl) {
        fl = flow_open(f, seg, frame, ts, &side);
        if (!fl) {
            return;
        }
    }
    touch(f, fl, frame, ts);
    process(f, fl, side, seg, frame, ts);
    if (flow_closed(fl)) {
        flow_finalize(f, fl);
    }
}

static int by_stream(const void *a, const void *b)
{
    const struct flow *fa = *(const struct flow *const *)a;
    const struct flow *fb = *(const struct flow *const *)b;

    return (fa->stream > fb->stream) - (fa->stream < fb->stream);
}

void cap_flows_finish(struct cap_flows *f)
{
    if (!f || f->count == 0) {
        return;
    }
    struct flow **all = malloc(f->count * sizeof *all);
    if (!all) {
        while (f->lru_head) { /* no memory to sort: LRU order */
            flow_remove(f, f->lru_head, false);
        }
        return;
    }
    size_t n = 0;
    for (struct flow *fl = f->lru_head; fl; fl = fl->next) {
        all[n++] = fl;
    }
    qsort(all, n, sizeof *all, by_stream);
    for (size_t i = 0; i < n; i++) {
        flow_remove(f, all[i], false);
    }
    free(all);
}

void cap_flows_free(struct cap_flows *f)
{
    if (!f) {
        return;
    }
    cap_flows_finish(f);
    free(f->buckets);
    free(f);
}

void cap_flows_stats(const struct cap_flows *f, struct cap_flow_stats *ret)
{
    *ret = f->st;
}
