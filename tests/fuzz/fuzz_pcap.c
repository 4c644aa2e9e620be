/*
 * fuzz_pcap.c - the input is a capture file: read through libpcap from an
 * in-memory stream (fmemopen), every packet decoded, every TCP segment fed
 * to the flow table with a handler that reads every byte it is given. The
 * handler's verdicts depend on the data so the skip paths are exercised.
 *
 * Corpus (tests/fuzz/corpus/pcap): real-* are unchanged copies from
 * shared/corpus/public (suricata-verify, MIT; zeek, BSD-3-Clause; arkime and
 * hotplace, Apache-2.0; see its MANIFEST.tsv), truncated-* are prefixes of
 * two of them, synth-* were generated for this target (link types, VLAN
 * stacks, PPPoE, IPv6 extension headers, fragments, snaplen cuts, a pcapng
 * with two link types), crash-* are fixed findings. Gzip input cannot be
 * fuzzed here: fmemopen streams have no file descriptor for zlib.
 */
#include <stdint.h>
#include <stdio.h>

#include "capture.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_PACKETS 100000u

struct sink {
    uint64_t sum;
};

static enum cap_verdict touch_data(void *ctx, void *user, enum cap_side side, const uint8_t *bytes,
                                   size_t len, uint64_t offset, uint64_t frame, struct ev_time ts)
{
    struct sink *s = ctx;

    for (size_t i = 0; i < len; i++) {
        s->sum += bytes[i];
    }
    if (len > 0 && bytes[0] == 0xfe) {
        return CAP_SKIP_DIRECTION;
    }
    if (len > 0 && bytes[0] == 0xff) {
        return CAP_SKIP_FLOW;
    }
    return CAP_KEEP;
}

static void touch_gap(void *ctx, void *user, enum cap_side side, uint64_t offset, uint64_t len,
                      uint64_t frame)
{
    ((struct sink *)ctx)->sum += len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sink sink = { 0 };
    const struct cap_flow_handler h = { .ctx = &sink, .on_data = touch_data, .on_gap = touch_gap };
    struct cap_source *src = NULL;
    struct cap_packet pkt;
    char err[256];

    if (size == 0) {
        return 0;
    }
    /* fmemopen does not write in "rb" mode; the cast only drops const. */
    FILE *fp = fmemopen((void *)(uintptr_t)data, size, "rb");
    if (!fp) {
        return 0;
    }
    if (cap_source_open_fp(fp, &src, err, sizeof err) != ST_OK) {
        return 0;
    }
    struct cap_flows *flows = cap_flows_new(&h);
    for (unsigned n = 0; n < MAX_PACKETS && cap_source_next(src, &pkt, err, sizeof err) == ST_OK;
         n++) {
        struct cap_tcp_segment seg;
        enum cap_skip_reason skip;
        if (cap_decode(&pkt, &seg, &skip) == ST_OK) {
            for (uint32_t i = 0; i < seg.payload_len; i++) {
                sink.sum += seg.payload[i];
            }
            cap_flows_add(flows, &seg, pkt.frame, pkt.ts);
        }
    }
    (void)cap_source_position(src);
    cap_flows_finish(flows);
    cap_flows_free(flows);
    cap_source_close(src);
    return 0;
}
