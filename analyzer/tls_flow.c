/*
 * tls_flow.c - see tls_flow.h.
 */
#include "tls_flow.h"

void tls_flow_feed_packet(struct cap_flows *flows, const struct cap_packet *pkt,
                          uint64_t *fragments, uint64_t *skipped)
{
    struct cap_tcp_segment seg;
    enum cap_skip_reason why = CAP_SKIP_NONE;
    if (cap_decode(pkt, &seg, &why) == ST_OK) {
        cap_flows_add(flows, &seg, pkt->frame, pkt->ts);
    } else if (why == CAP_SKIP_FRAGMENT) {
        (*fragments)++;
    } else {
        (*skipped)++;
    }
}

void tls_flow_init(struct tls_flow *f, const struct cap_flow_info *info)
{
    f->stream = info->stream;
    f->a = info->a;
    f->b = info->b;
    f->tls = NULL;
}

enum cap_verdict tls_flow_data(struct tls_flow *f, const struct tls_stream_env *env,
                               enum cap_side side, const uint8_t *data, size_t len, uint64_t offset,
                               uint64_t frame, struct ev_time ts)
{
    if (!f->tls) {
        f->tls = tls_stream_new(env, f->stream, &f->a, &f->b);
        if (!f->tls) {
            return CAP_SKIP_FLOW;
        }
    }
    switch (tls_stream_data(f->tls, (int)side, data, len, offset, frame, ts)) {
    case TLS_STREAM_KEEP:
        return CAP_KEEP;
    case TLS_STREAM_SKIP_SIDE:
        return CAP_SKIP_DIRECTION;
    case TLS_STREAM_SKIP_FLOW:
        return CAP_SKIP_FLOW;
    }
    return CAP_KEEP;
}

void tls_flow_gap(struct tls_flow *f, enum cap_side side, uint64_t offset, uint64_t len,
                  uint64_t frame)
{
    if (f->tls) {
        tls_stream_gap(f->tls, (int)side, offset, len, frame);
    }
}

void tls_flow_close(struct tls_flow *f, enum cap_side side, bool rst, uint64_t frame,
                    struct ev_time ts)
{
    if (f->tls) {
        tls_stream_close(f->tls, (int)side, rst, frame, ts);
    }
}

bool tls_flow_end(struct tls_flow *f)
{
    if (!f->tls) {
        return false;
    }
    tls_stream_end(f->tls);
    f->tls = NULL;
    return true;
}
