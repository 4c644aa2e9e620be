/*
 * test_flows.c - the flow table and TCP reassembly with synthetic segments
 * and a handler that writes every callback into a log line:
 *
 *   O<stream><s|n>   on_open (s: SYN seen), then the A endpoint's port
 *   D<side><offset>:<bytes>   on_data      G<side><offset>+<len>   on_gap
 *   C<side><F|R>     on_close              E<stream>               on_end
 *
 * Client 10.0.0.1:1000 and server 10.0.0.2:443 unless a case says otherwise.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "caps.h"
#include "capture.h"
#include "testlib.h"

#define F_FIN CAP_TCP_FIN
#define F_SYN CAP_TCP_SYN
#define F_RST CAP_TCP_RST
#define F_ACK CAP_TCP_ACK

/* ---- recording handler --------------------------------------------------- */

struct rec {
    char log[4096];
    size_t len;
    bool quiet;               /* count only */
    enum cap_verdict verdict; /* returned by on_data for `verdict_side` */
    int verdict_side;         /* -1: never */
    unsigned opens, ends, live, max_live;
    unsigned long long data_bytes, gap_bytes;
    uint64_t next_off[2]; /* per side of the last flow: offsets must be contiguous */
    int order_errors;
};

struct user {
    struct rec *r;
    unsigned stream;
    uint64_t next[2];
};

static void rec_log(struct rec *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void rec_log(struct rec *r, const char *fmt, ...)
{
    va_list ap;

    if (r->quiet || r->len >= sizeof r->log - 1) {
        return;
    }
    va_start(ap, fmt);
    int n = vsnprintf(r->log + r->len, sizeof r->log - r->len, fmt, ap);
    va_end(ap);
    if (n > 0) {
        r->len += (size_t)n;
        if (r->len > sizeof r->log - 1) {
            r->len = sizeof r->log - 1;
        }
    }
}

static void *on_open(void *ctx, const struct cap_flow_info *info)
{
    struct rec *r = ctx;
    struct user *u = calloc(1, sizeof *u);

    r->opens++;
    r->live++;
    if (r->live > r->max_live) {
        r->max_live = r->live;
    }
    if (u) {
        u->r = r;
        u->stream = info->stream;
    }
    rec_log(r, "O%u%c%s:%u ", info->stream, info->syn_seen ? 's' : 'n', info->a.ip, info->a.port);
    return u;
}

static char side_char(enum cap_side side)
{
    return side == CAP_SIDE_A ? 'A' : 'B';
}

static enum cap_verdict on_data(void *ctx, void *user, enum cap_side side, const uint8_t *data,
                                size_t len, uint64_t offset, uint64_t frame, struct ev_time ts)
{
    struct rec *r = ctx;
    struct user *u = user;

    if (u && u->next[side] != offset) {
        r->order_errors++;
    }
    if (u) {
        u->next[side] = offset + len;
    }
    r->data_bytes += len;
    rec_log(r, "D%c%llu:%.*s ", side_char(side), (unsigned long long)offset, (int)len,
            (const char *)data);
    return (int)side == r->verdict_side ? r->verdict : CAP_KEEP;
}

static void on_gap(void *ctx, void *user, enum cap_side side, uint64_t offset, uint64_t len,
                   uint64_t frame)
{
    struct rec *r = ctx;
    struct user *u = user;

    if (u && u->next[side] != offset) {
        r->order_errors++;
    }
    if (u) {
        u->next[side] = offset + len;
    }
    r->gap_bytes += len;
    rec_log(r, "G%c%llu+%llu ", side_char(side), (unsigned long long)offset,
            (unsigned long long)len);
}

static void on_close(void *ctx, void *user, enum cap_side side, bool rst, uint64_t frame,
                     struct ev_time ts)
{
    rec_log(ctx, "C%c%c ", side_char(side), rst ? 'R' : 'F');
}

static void on_end(void *ctx, void *user)
{
    struct rec *r = ctx;
    struct user *u = user;

    r->ends++;
    r->live--;
    rec_log(r, "E%u ", u ? u->stream : 0);
    free(u);
}

static struct cap_flows *new_flows(struct rec *r)
{
    static const struct cap_flow_handler h = {
        .on_open = on_open,
        .on_data = on_data,
        .on_gap = on_gap,
        .on_close = on_close,
        .on_end = on_end,
    };
    struct cap_flow_handler hh = h;

    hh.ctx = r;
    return cap_flows_new(&hh);
}

/* ---- synthetic segments --------------------------------------------------- */

struct pkt {
    char side; /* 'a' client -> server, 'b' server -> client; 0 ends */
    uint8_t flags;
    uint32_t seq, ack;
    const char *data;
    unsigned cut;  /* wire bytes beyond the data (snaplen cut) */
    unsigned port; /* client port; 0 = 1000 */
    int64_t sec;   /* packet time */
};

static void feed(struct cap_flows *f, const struct pkt *p, uint64_t frame)
{
    struct cap_tcp_segment seg = { .ip_version = 4 };
    uint8_t cli[4] = { 10, 0, 0, 1 }, srv[4] = { 10, 0, 0, 2 };
    uint16_t cport = (uint16_t)(p->port ? p->port : 1000);
    size_t n = p->data ? strlen(p->data) : 0;

    for (size_t i = 0; i < 4; i++) {
        seg.src[i] = p->side == 'a' ? cli[i] : srv[i];
        seg.dst[i] = p->side == 'a' ? srv[i] : cli[i];
    }
    seg.sport = p->side == 'a' ? cport : 443;
    seg.dport = p->side == 'a' ? 443 : cport;
    seg.seq = p->seq;
    seg.ack = p->ack;
    seg.flags = p->flags;
    seg.payload = (const uint8_t *)p->data;
    seg.payload_len = (uint32_t)n;
    seg.payload_wire_len = (uint32_t)n + p->cut;
    cap_flows_add(f, &seg, frame, (struct ev_time){ .sec = 1000 + p->sec });
}

#define MAX_PKTS 16

static const struct {
    const char *name;
    struct pkt pkts[MAX_PKTS];
    enum cap_verdict verdict;
    int verdict_side;
    const char *want; /* log after cap_flows_finish */
} cases[] = {
    { .name = "handshake, in order, both FIN",
      .pkts = { { 'a', F_SYN, 1000, 0 },
                { 'b', F_SYN | F_ACK, 5000, 1001 },
                { 'a', F_ACK, 1001, 5001 },
                { 'a', F_ACK, 1001, 5001, "hello" },
                { 'a', F_ACK, 1006, 5001, "world" },
                { 'b', F_ACK, 5001, 1011, "hi" },
                { 'a', F_FIN | F_ACK, 1011, 5003 },
                { 'b', F_FIN | F_ACK, 5003, 1012 },
                { 'a', F_ACK, 1012, 5004 } },
      .want = "O1s10.0.0.1:1000 DA0:hello DA5:world DB0:hi CAF CBF E1 " },
    { .name = "out of order",
      .pkts = { { 'a', F_SYN, 1000, 0 },
                { 'a', F_ACK, 1006, 0, "world" },
                { 'a', F_ACK, 1001, 0, "hello" },
                { 'a', F_ACK, 1011, 0, "!" } },
      .want = "O1s10.0.0.1:1000 DA0:hello DA5:world DA10:! E1 " },
    { .name = "retransmission dropped",
      .pkts = { { 'a', F_SYN, 1000, 0 },
                { 'a', F_ACK, 1001, 0, "hello" },
                { 'a', F_ACK, 1001, 0, "hello" },
                { 'a', F_ACK, 1003, 0, "llo" },
                { 'a', F_ACK, 1006, 0, "world" } },
      .want = "O1s10.0.0.1:1000 DA0:hello DA5:world E1 " },
    { .name = "partial overlap with delivered bytes",
      .pkts = { { 'a', F_SYN, 1000, 0 },
                { 'a', F_ACK, 1001, 0, "hello" },
                { 'a', F_ACK, 1004, 0, "loworld" } },
      .want = "O1s10.0.0.1:1000 DA0:hello DA5:world E1 " },
    { .name = "overlap with held bytes: first arrival wins",
      .pkts = { { 'a', F_SYN, 1000, 0 },
                { 'a', F_ACK, 1006, 0, "world" },
                { 'a', F_ACK, 1001, 0, "helloWORLDyy" } },
      .want = "O1s10.0.0.1:1000 DA0:hello DA5:world DA10:yy E1 " },
    { .name = "out-of-order pieces around held data",
      .pkts = { { 'a', F_SYN, 1000, 0 },
                { 'a', F_ACK, 1004, 0, "de" },
                { 'a', F_ACK, 1008, 0, "hi" },
                { 'a', F_ACK, 1002, 0, "bCDEFGHIJ" },
                { 'a', F_ACK, 1001, 0, "a" } },
      .want = "O1s10.0.0.1:1000 DA0:a DA1:bC DA3:de DA5:FG DA7:hi DA9:J E1 " },
    { .name = "sequence wraps around 2^32",
      .pkts = { { 'a', F_SYN, 0xfffffffdu, 0 },
                { 'a', F_ACK, 0xfffffffeu, 0, "abcd" },
                { 'a', F_ACK, 6, 0, "ijkl" },
                { 'a', F_ACK, 2, 0, "efgh" },
                { 'a', F_FIN | F_ACK, 10, 0 } },
      .want = "O1s10.0.0.1:1000 DA0:abcd DA4:efgh DA8:ijkl CAF E1 " },
    { .name = "no SYN: first sender is A, offsets from first data",
      .pkts = { { 'b', F_ACK, 7777, 100, "abc" },
                { 'a', F_ACK, 100, 7780, "xy" },
                { 'b', F_ACK, 7780, 102, "def" } },
      .want = "O1n10.0.0.2:443 DA0:abc DB0:xy DA3:def E1 " },
    { .name = "SYN-ACK first: its receiver is A",
      .pkts = { { 'b', F_SYN | F_ACK, 5000, 1001 },
                { 'a', F_ACK, 1001, 5001, "GET" },
                { 'b', F_ACK, 5001, 1004, "OK" } },
      .want = "O1s10.0.0.1:1000 DA0:GET DB0:OK E1 " },
    { .name = "hole declared at the end",
      .pkts = { { 'a', F_SYN, 1000, 0 },
                { 'a', F_ACK, 1001, 0, "hello" },
                { 'a', F_ACK, 1011, 0, "world" } },
      .want = "O1s10.0.0.1:1000 DA0:hello GA5+5 DA10:world E1 " },
    { .name = "hole declared when the peer acknowledges past it",
      .pkts = { { 'a', F_SYN, 1000, 0 },
                { 'a', F_ACK, 1001, 0, "hello" },
                { 'a', F_ACK, 1011, 0, "world" },
                { 'b', F_ACK, 1, 1016 },
                { 'a', F_ACK, 1016, 0, "!" } },
      .want = "O1s10.0.0.1:1000 DA0:hello GA5+5 DA10:world DA15:! E1 " },
    { .name = "ack of partially missing bytes",
      .pkts = { { 'a', F_SYN, 1000, 0 },
                { 'a', F_ACK, 1011, 0, "world" },
                { 'b', F_ACK, 1, 1004 },
                { 'a', F_ACK, 1004, 0, "lo" } },
      .want = "O1s10.0.0.1:1000 GA0+3 DA3:lo GA5+5 DA10:world E1 " },
    { .name = "FIN after a hole waits, then the end declares the gap",
      .pkts = { { 'a', F_SYN, 1000, 0 },
                { 'a', F_ACK, 1001, 0, "hello" },
                { 'a', F_FIN | F_ACK, 1011, 0, "world" } },
      .want = "O1s10.0.0.1:1000 DA0:hello GA5+5 DA10:world CAF E1 " },
    { .name = "FIN after a hole, filled later",
      .pkts = { { 'a', F_SYN, 1000, 0 },
                { 'a', F_FIN | F_ACK, 1006, 0, "world" },
                { 'a', F_ACK, 1001, 0, "hello" },
                { 'b', F_FIN | F_ACK, 1, 1012 } },
      .want = "O1s10.0.0.1:1000 DA0:hello DA5:world CAF CBF E1 " },
    { .name = "snaplen cut in order",
      .pkts = { { 'a', F_SYN, 1000, 0 },
                { 'a', F_ACK, 1001, 0, "hello", 3 },
                { 'a', F_ACK, 1009, 0, "world" } },
      .want = "O1s10.0.0.1:1000 DA0:hello GA5+3 DA8:world E1 " },
    { .name = "snaplen cut held out of order",
      .pkts = { { 'a', F_SYN, 1000, 0 },
                { 'a', F_ACK, 1006, 0, "wor", 2 },
                { 'a', F_ACK, 1001, 0, "hello" },
                { 'a', F_ACK, 1011, 0, "!" } },
      .want = "O1s10.0.0.1:1000 DA0:hello DA5:wor GA8+2 DA10:! E1 " },
    { .name = "only headers captured",
      .pkts = { { 'a', F_SYN, 1000, 0 },
                { 'a', F_ACK, 1001, 0, "", 100 },
                { 'a', F_ACK, 1101, 0, "", 50 } },
      .want = "O1s10.0.0.1:1000 GA0+100 GA100+50 E1 " },
    { .name = "SKIP_DIRECTION stops one side",
      .pkts = { { 'a', F_SYN, 1000, 0 },
                { 'a', F_ACK, 1001, 0, "hello" },
                { 'a', F_ACK, 1011, 0, "later" },
                { 'a', F_ACK, 1006, 0, "world" },
                { 'b', F_ACK, 1, 1016, "hi" },
                { 'b', F_ACK, 3, 1016, "ho" },
                { 'a', F_FIN | F_ACK, 1016, 5 } },
      .verdict = CAP_SKIP_DIRECTION,
      .verdict_side = 0,
      .want = "O1s10.0.0.1:1000 DA0:hello DB0:hi DB2:ho CAF E1 " },
    { .name = "SKIP_FLOW stops both sides",
      .pkts = { { 'a', F_SYN, 1000, 0 },
                { 'b', F_SYN | F_ACK, 5000, 1001 },
                { 'b', F_ACK, 5006, 1001, "later" },
                { 'a', F_ACK, 1001, 5001, "hello" },
                { 'b', F_ACK, 5001, 1006, "first" },
                { 'a', F_ACK, 1006, 5011, "world" },
                { 'a', F_RST, 1011, 0 } },
      .verdict = CAP_SKIP_FLOW,
      .verdict_side = 0,
      .want = "O1s10.0.0.1:1000 DA0:hello CAR E1 " },
    { .name = "RST flushes held data and ends the flow",
      .pkts = { { 'a', F_SYN, 1000, 0 },
                { 'a', F_ACK, 1001, 0, "hello" },
                { 'a', F_ACK, 1011, 0, "world" },
                { 'b', F_RST | F_ACK, 1, 1001 },
                { 'a', F_ACK, 1016, 0, "ignored" } },
      .want = "O1s10.0.0.1:1000 DA0:hello CBR GA5+5 DA10:world E1 " },
    { .name = "port reuse after FIN opens stream 2",
      .pkts = { { 'a', F_SYN, 1000, 0 },
                { 'a', F_ACK, 1001, 0, "one" },
                { 'a', F_FIN | F_ACK, 1004, 0 },
                { 'b', F_FIN | F_ACK, 1, 1005 },
                { 'a', F_ACK, 1005, 2 },
                { 'a', F_SYN, 9000, 0 },
                { 'a', F_ACK, 9001, 0, "two" } },
      .want = "O1s10.0.0.1:1000 DA0:one CAF CBF E1 O2s10.0.0.1:1000 DA0:two E2 " },
    { .name = "port reuse without a close, after data",
      .pkts = { { 'a', F_SYN, 1000, 0 },
                { 'a', F_ACK, 1001, 0, "one" },
                { 'a', F_SYN, 9000, 0 },
                { 'a', F_ACK, 9001, 0, "two" } },
      .want = "O1s10.0.0.1:1000 DA0:one E1 O2s10.0.0.1:1000 DA0:two E2 " },
    { .name = "retransmitted SYN is not a new flow",
      .pkts = { { 'a', F_SYN, 1000, 0 },
                { 'a', F_SYN, 1000, 0 },
                { 'b', F_SYN | F_ACK, 5000, 1001 },
                { 'a', F_ACK, 1001, 5001, "one" } },
      .want = "O1s10.0.0.1:1000 DA0:one E1 " },
    { .name = "new ISN after RST is a new flow",
      .pkts = { { 'a', F_SYN, 1000, 0 },
                { 'b', F_RST | F_ACK, 0, 1001 },
                { 'a', F_SYN, 2000, 0 },
                { 'b', F_SYN | F_ACK, 7000, 2001 },
                { 'a', F_ACK, 2001, 7001, "x" } },
      .want = "O1s10.0.0.1:1000 CBR E1 O2s10.0.0.1:1000 DA0:x E2 " },
    { .name = "trailing ACK after both FINs does not open a flow",
      .pkts = { { 'a', F_FIN | F_ACK, 1, 1 },
                { 'b', F_FIN | F_ACK, 1, 2 },
                { 'a', F_ACK, 2, 2 },
                { 'b', F_ACK, 2, 2 } },
      .want = "O1n10.0.0.1:1000 CAF CBF E1 " },
    { .name = "idle flow expires by packet time",
      .pkts = { { 'a', F_ACK, 1, 1, "old" },
                { 'a', F_ACK, 4, 1, "new", .port = 2000, .sec = CAP_FLOW_IDLE_SECONDS + 1 },
                { 'a', F_ACK, 4, 1, "again", .sec = CAP_FLOW_IDLE_SECONDS + 1 } },
      .want = "O1n10.0.0.1:1000 DA0:old E1 O2n10.0.0.1:2000 DA0:new O3n10.0.0.1:1000 "
              "DA0:again E2 E3 " },
    { .name = "bytes before the first byte seen are dropped",
      .pkts = { { 'a', F_ACK, 100, 1, "world" },
                { 'a', F_ACK, 95, 1, "hello" },
                { 'a', F_ACK, 98, 1, "loworld!" } },
      .want = "O1n10.0.0.1:1000 DA0:world DA5:! E1 " },
    { .name = "SYN payload (fast open)",
      .pkts = { { 'a', F_SYN, 1000, 0, "early" }, { 'a', F_ACK, 1006, 0, "late" } },
      .want = "O1s10.0.0.1:1000 DA0:early DA5:late E1 " },
};

static void run_cases(void)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct rec r = { .verdict_side = -1 };
        if (cases[i].verdict != CAP_KEEP) {
            r.verdict = cases[i].verdict;
            r.verdict_side = cases[i].verdict_side;
        }
        struct cap_flows *f = new_flows(&r);
        for (size_t k = 0; k < MAX_PKTS && cases[i].pkts[k].side; k++) {
            feed(f, &cases[i].pkts[k], k + 1);
        }
        cap_flows_finish(f);
        CHECK_STR(r.log, cases[i].want, cases[i].name);
        CHECK_INT(r.order_errors, 0, cases[i].name);
        CHECK_INT(r.opens, r.ends, cases[i].name);
        cap_flows_free(f);
    }
}

/* 100,000 flows that never get past the SYN: the table stays at its cap,
 * the oldest are evicted (and ended) first. */
static void run_syn_flood(void)
{
    struct rec r = { .quiet = true, .verdict_side = -1 };
    struct cap_flows *f = new_flows(&r);
    struct cap_flow_stats st;
    const unsigned n = 100000;

    for (unsigned i = 0; i < n; i++) {
        struct cap_tcp_segment seg = {
            .ip_version = 4,
            .src = { 10, (uint8_t)(i >> 16), (uint8_t)(i >> 8), (uint8_t)i },
            .dst = { 192, 0, 2, 1 },
            .sport = (uint16_t)(1024 + i % 50000),
            .dport = 443,
            .seq = i * 7919u,
            .flags = CAP_TCP_SYN,
        };
        cap_flows_add(f, &seg, i + 1, (struct ev_time){ .sec = 1000 + i / 1000 });
    }
    CHECK_INT(r.opens, n, "SYN flood: flows opened");
    CHECK_INT(r.max_live, CAP_FLOWS_MAX, "SYN flood: at most CAP_FLOWS_MAX live");
    cap_flows_stats(f, &st);
    CHECK_INT(st.flows, n, "SYN flood: stats.flows");
    CHECK_INT(st.evicted, n - CAP_FLOWS_MAX, "SYN flood: stats.evicted");
    CHECK_INT(r.ends, n - CAP_FLOWS_MAX, "SYN flood: ended by eviction");
    cap_flows_finish(f);
    CHECK_INT(r.ends, n, "SYN flood: all ended after finish");
    cap_flows_free(f);
}

/* A full table evicts an ended flow (kept only to absorb trailing packets)
 * before a live one, even when a live one is older. */
static void run_evict_ended_first(void)
{
    struct rec r = { .quiet = true, .verdict_side = -1 };
    struct cap_flows *f = new_flows(&r);
    struct cap_flow_stats st;

    feed(f, &(struct pkt){ .side = 'a', .flags = F_SYN, .seq = 1, .port = 998 }, 1);
    feed(f, &(struct pkt){ .side = 'a', .flags = F_FIN | F_ACK, .seq = 1, .port = 999 }, 1);
    feed(f, &(struct pkt){ .side = 'b', .flags = F_FIN | F_ACK, .seq = 1, .port = 999 }, 2);
    CHECK_INT(r.ends, 1, "closed flow ended");
    for (unsigned i = 0; i < CAP_FLOWS_MAX - 1; i++) {
        struct cap_tcp_segment seg = {
            .ip_version = 6,
            .src = { 0x20, 0x01, [12] = (uint8_t)(i >> 8), [13] = (uint8_t)i },
            .dst = { 0x20, 0x01, [15] = 1 },
            .sport = 40000,
            .dport = 443,
            .flags = CAP_TCP_SYN,
        };
        cap_flows_add(f, &seg, i + 3, (struct ev_time){ .sec = 1000 });
    }
    cap_flows_stats(f, &st);
    CHECK_INT(st.evicted, 0, "ended flow evicted, no live one");
    CHECK_INT(r.ends, 1, "no live flow ended");
    cap_flows_free(f);
    CHECK_INT(r.ends, CAP_FLOWS_MAX + 1, "free ends the rest");
}

/* Out-of-order data beyond the per-direction byte cap: the hole becomes a
 * gap instead of more memory, and every byte is delivered or declared. */
static void run_caps(void)
{
    static char chunk[1001];
    struct rec r = { .quiet = true, .verdict_side = -1 };
    struct cap_flows *f = new_flows(&r);
    struct cap_flow_stats st;
    const unsigned chunks = (CAP_REASM_BYTES_PER_DIR / 1000) + 200;

    memset(chunk, 'x', 1000);
    feed(f, &(struct pkt){ .side = 'a', .flags = F_SYN }, 1);
    /* bytes [0, 1000) are missing; everything after arrives */
    for (unsigned i = 1; i <= chunks; i++) {
        struct pkt p = { .side = 'a', .flags = F_ACK, .seq = 1 + i * 1000u, .data = chunk };
        feed(f, &p, i);
    }
    cap_flows_stats(f, &st);
    CHECK(st.limit_hits > 0, "byte cap: limit hit");
    CHECK(st.peak_buffered <= CAP_REASM_BYTES_TOTAL, "byte cap: peak within the total cap");
    CHECK(st.gaps >= 1, "byte cap: gap declared");
    cap_flows_finish(f);
    CHECK_INT(r.data_bytes + r.gap_bytes, (chunks + 1) * 1000ull, "byte cap: all accounted");
    CHECK_INT(r.data_bytes, chunks * 1000ull, "byte cap: nothing lost but the hole");
    CHECK_INT(r.order_errors, 0, "byte cap: order");
    cap_flows_free(f);

    /* Many one-byte pieces: the segment cap. */
    struct rec r2 = { .quiet = true, .verdict_side = -1 };
    f = new_flows(&r2);
    for (unsigned i = 0; i < CAP_REASM_SEGS_PER_DIR + 100; i++) {
        /* every other byte */
        struct pkt p = { .side = 'a', .flags = F_ACK, .seq = 3 + 2 * i, .data = "y" };
        feed(f, &p, i + 1);
    }
    cap_flows_stats(f, &st);
    CHECK(st.limit_hits > 0, "segment cap: limit hit");
    cap_flows_finish(f);
    CHECK_INT(r2.order_errors, 0, "segment cap: order");
    CHECK_INT(r2.data_bytes, CAP_REASM_SEGS_PER_DIR + 100, "segment cap: bytes delivered");
    cap_flows_free(f);
}

/* A long stream whose offsets pass 2^32: 64-bit offsets keep counting. */
static void run_long_stream(void)
{
    struct rec r = { .quiet = true, .verdict_side = -1 };
    struct cap_flows *f = new_flows(&r);
    uint32_t seq = 0xfff00000u;
    uint64_t off = 0;
    struct cap_flow_stats st;

    /* Snaplen-cut segments of 60000 wire bytes: cheap to make, real gaps. */
    for (unsigned i = 0; i < 80000; i++) {
        struct pkt p = { .side = 'a', .flags = F_ACK, .seq = seq, .data = "z", .cut = 59999 };
        feed(f, &p, i + 1);
        seq += 60000;
        off += 60000;
    }
    cap_flows_finish(f);
    cap_flows_stats(f, &st);
    CHECK(off > (1ull << 32), "long stream: past 4 GiB");
    CHECK_INT(r.data_bytes + r.gap_bytes, off, "long stream: every byte accounted");
    CHECK_INT(r.order_errors, 0, "long stream: contiguous offsets");
    CHECK_INT(st.peak_buffered, 0, "long stream: nothing held");
    cap_flows_free(f);
}

int main(void)
{
    run_cases();
    run_syn_flood();
    run_evict_ended_first();
    run_caps();
    run_long_stream();
    return tl_done();
}
