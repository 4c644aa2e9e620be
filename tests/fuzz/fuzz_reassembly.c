/*
 * fuzz_reassembly.c - the input is a sequence of synthetic TCP segments for
 * the flow table:
 *
 *   byte 0        handler mode: bit 0 skips a direction on data starting
 *                 with 0xfe, bit 1 skips the flow on 0xff
 *   then records  ctl(1) seq(4, big endian) ack(4) len(1) data(len)
 *     ctl bit 0   sender: 0 = 10.0.0.1:1000, 1 = 10.0.0.2:443
 *         bit 1-4 FIN, SYN, RST, ACK
 *         bit 5   snaplen cut: the wire length is len + 100
 *         bit 6   use client port 1001 (a second flow)
 *         bit 7   advance the clock past CAP_FLOW_IDLE_SECONDS
 *
 * The handler checks what the contract promises: per side, offsets are
 * contiguous and nothing comes after on_close; on_end comes once.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "caps.h"
#include "capture.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct user {
    uint64_t next[2];
    bool closed[2];
};

struct sink {
    unsigned mode;
    uint64_t sum;
    unsigned live;
};

static void *fz_open(void *ctx, const struct cap_flow_info *info)
{
    struct sink *s = ctx;
    struct user *u = calloc(1, sizeof *u);

    if (!u) {
        abort();
    }
    s->live++;
    return u;
}

static void expect_at(struct user *u, enum cap_side side, uint64_t offset, uint64_t len)
{
    if (u->closed[side] || u->next[side] != offset) {
        abort();
    }
    u->next[side] = offset + len;
}

static enum cap_verdict fz_data(void *ctx, void *user, enum cap_side side, const uint8_t *bytes,
                                size_t len, uint64_t offset, uint64_t frame, struct ev_time ts)
{
    struct sink *s = ctx;

    expect_at(user, side, offset, len);
    if (len == 0) {
        abort(); /* empty deliveries are never made */
    }
    for (size_t i = 0; i < len; i++) {
        s->sum += bytes[i];
    }
    if ((s->mode & 1u) && bytes[0] == 0xfe) {
        return CAP_SKIP_DIRECTION;
    }
    if ((s->mode & 2u) && bytes[0] == 0xff) {
        return CAP_SKIP_FLOW;
    }
    return CAP_KEEP;
}

static void fz_gap(void *ctx, void *user, enum cap_side side, uint64_t offset, uint64_t len,
                   uint64_t frame)
{
    if (len == 0) {
        abort();
    }
    expect_at(user, side, offset, len);
}

static void fz_close(void *ctx, void *user, enum cap_side side, bool rst, uint64_t frame,
                     struct ev_time ts)
{
    struct user *u = user;

    if (u->closed[side]) {
        abort(); /* once per side */
    }
    u->closed[side] = true;
}

static void fz_end(void *ctx, void *user)
{
    struct sink *s = ctx;

    s->live--;
    free(user);
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint8_t cli[4] = { 10, 0, 0, 1 }, srv[4] = { 10, 0, 0, 2 };
    static const uint8_t flag_bits[4] = { CAP_TCP_FIN, CAP_TCP_SYN, CAP_TCP_RST, CAP_TCP_ACK };
    struct sink sink = { 0 };
    const struct cap_flow_handler h = {
        .ctx = &sink,
        .on_open = fz_open,
        .on_data = fz_data,
        .on_gap = fz_gap,
        .on_close = fz_close,
        .on_end = fz_end,
    };
    struct ev_time now = { .sec = 1000 };
    size_t pos = 1;
    uint64_t frame = 0;

    if (size == 0) {
        return 0;
    }
    sink.mode = data[0];
    struct cap_flows *flows = cap_flows_new(&h);
    if (!flows) {
        return 0;
    }
    while (size - pos >= 10) {
        uint8_t ctl = data[pos];
        struct cap_tcp_segment seg = { .ip_version = 4 };
        bool from_server = ctl & 1u;
        uint16_t cport = (ctl & 0x40u) ? 1001 : 1000;
        size_t len = data[pos + 9];
        pos += 10;
        if (len > size - pos) {
            len = size - pos;
        }
        for (unsigned b = 0; b < 4; b++) {
            if (ctl & (2u << b)) {
                seg.flags |= flag_bits[b];
            }
        }
        seg.seq = be32(data + pos - 9);
        seg.ack = be32(data + pos - 5);
        for (unsigned i = 0; i < 4; i++) {
            seg.src[i] = from_server ? srv[i] : cli[i];
            seg.dst[i] = from_server ? cli[i] : srv[i];
        }
        seg.sport = from_server ? 443 : cport;
        seg.dport = from_server ? cport : 443;
        seg.payload = len ? data + pos : NULL;
        seg.payload_len = (uint32_t)len;
        seg.payload_wire_len = (uint32_t)len + ((ctl & 0x20u) ? 100u : 0u);
        if (ctl & 0x80u) {
            now.sec += CAP_FLOW_IDLE_SECONDS + 1;
        }
        now.nsec = (uint32_t)frame;
        cap_flows_add(flows, &seg, ++frame, now);
        pos += len;
    }
    cap_flows_finish(flows);
    if (sink.live != 0) {
        abort(); /* every opened flow was ended */
    }
    cap_flows_free(flows);
    return 0;
}
