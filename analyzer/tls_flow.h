/*
 * tls_flow.h - the glue between captures/ and the TLS step that analyze and
 * live share: one packet into the flow table, and per TCP flow the TLS
 * stream, started lazily on the first payload byte (most flows of a big
 * capture never carry one), with its verdicts mapped back to the flow
 * table so a finished handshake stops buffering.
 */
#ifndef TLSDIAG_TLS_FLOW_H
#define TLSDIAG_TLS_FLOW_H

#include "capture.h"
#include "tls_stream.h"

struct tls_flow {
    unsigned stream;
    struct ev_endpoint a, b;
    struct tls_stream *tls; /* NULL until the first payload byte, and after the end */
};

/* Decodes one packet and feeds its TCP segment to the flow table; counts
 * IP fragments and packets that are not TCP. */
void tls_flow_feed_packet(struct cap_flows *flows, const struct cap_packet *pkt,
                          uint64_t *fragments, uint64_t *skipped);

void tls_flow_init(struct tls_flow *f, const struct cap_flow_info *info);
enum cap_verdict tls_flow_data(struct tls_flow *f, const struct tls_stream_env *env,
                               enum cap_side side, const uint8_t *data, size_t len, uint64_t offset,
                               uint64_t frame, struct ev_time ts);
void tls_flow_gap(struct tls_flow *f, enum cap_side side, uint64_t offset, uint64_t len,
                  uint64_t frame);
void tls_flow_close(struct tls_flow *f, enum cap_side side, bool rst, uint64_t frame,
                    struct ev_time ts);
/* Decides the outcome of the flow's handshakes; true when there was a TLS
 * stream to end. */
bool tls_flow_end(struct tls_flow *f);

#endif
