/*
 * pcap_input.c - wires captures/ to the TLS step: every TCP flow gets a
 * tls_stream; in-order bytes, gaps and closes go to it; when the stream says
 * the handshake is over, the flow stops buffering (application data is
 * counted, never stored), which keeps large captures in bounded memory.
 * The packet sink is the part a capture file and `tlsdiag probe` share.
 */
#include "pcap_input.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "progress.h"
#include "tls_flow.h"

struct pcap_sink {
    struct tls_stream_env env;
    size_t buffered;
    struct ev_input *input;
    struct cap_flows *flows;
    struct dn_cache *names;
};

static void *on_open(void *ctx, const struct cap_flow_info *info)
{
    struct pcap_sink *r = ctx;
    struct tls_flow *f = malloc(sizeof *f);
    if (!f) {
        return NULL;
    }
    r->input->tcp_flows++;
    tls_flow_init(f, info);
    return f;
}

static enum cap_verdict on_data(void *ctx, void *user, enum cap_side side, const uint8_t *data,
                                size_t len, uint64_t offset, uint64_t frame, struct ev_time ts)
{
    struct pcap_sink *r = ctx;
    return user ? tls_flow_data(user, &r->env, side, data, len, offset, frame, ts) : CAP_SKIP_FLOW;
}

static void on_gap(void *ctx, void *user, enum cap_side side, uint64_t offset, uint64_t len,
                   uint64_t frame)
{
    (void)ctx;
    if (user) {
        tls_flow_gap(user, side, offset, len, frame);
    }
}

static void on_close(void *ctx, void *user, enum cap_side side, bool rst, uint64_t frame,
                     struct ev_time ts)
{
    (void)ctx;
    if (user) {
        tls_flow_close(user, side, rst, frame, ts);
    }
}

static void on_end(void *ctx, void *user)
{
    (void)ctx;
    if (user) {
        tls_flow_end(user);
        free(user);
    }
}

struct pcap_sink *pcap_sink_new(struct evidence *ev, struct x509_cache *certs,
                                const struct tls_keylog *keylog, struct ev_input *input)
{
    struct pcap_sink *r = calloc(1, sizeof *r);
    if (!r) {
        return NULL;
    }
    r->env = (struct tls_stream_env){ .ev = ev, .certs = certs, .path = input->path };
    /* Without memory for the cache names are rendered each time: no loss. */
    r->names = dn_cache_new(&ev->arena);
    r->env.names = r->names;
    r->env.buffered = &r->buffered;
    r->input = input;
    if (keylog) {
        ev->keylog_sessions = keylog->count;
        r->env.keylog = keylog->count > 0 || ev->keylog_path ? keylog : NULL;
    }
    struct cap_flow_handler h = {
        .ctx = r,
        .on_open = on_open,
        .on_data = on_data,
        .on_gap = on_gap,
        .on_close = on_close,
        .on_end = on_end,
    };
    r->flows = cap_flows_new(&h);
    if (!r->flows) {
        dn_cache_free(r->names);
        free(r);
        return NULL;
    }
    return r;
}

void pcap_sink_packet(struct pcap_sink *r, const struct cap_packet *pkt)
{
    r->input->units++;
    r->input->bytes += pkt->caplen;
    tls_flow_feed_packet(r->flows, pkt, &r->input->fragments, &r->input->skipped);
}

void pcap_sink_finish(struct pcap_sink *r)
{
    if (r) {
        cap_flows_finish(r->flows);
        cap_flows_free(r->flows);
        dn_cache_free(r->names);
        free(r);
    }
}

static void add_secrets(void *ctx, const uint8_t *text, size_t len)
{
    /* Out of memory here only means fewer sessions decrypt: the report says
     * which did not. */
    (void)tls_keylog_add_text(ctx, text, len);
}

enum status pcap_input_read(struct evidence *ev, struct x509_cache *certs, const char *path,
                            struct progress *progress, char *errbuf, size_t errlen)
{
    return pcap_input_read_keys(ev, certs, NULL, path, progress, errbuf, errlen);
}

enum status pcap_input_read_keys(struct evidence *ev, struct x509_cache *certs,
                                 struct tls_keylog *keylog, const char *path,
                                 struct progress *progress, char *errbuf, size_t errlen)
{
    struct cap_source *src = NULL;
    enum status st = cap_source_open_file(path, &src, errbuf, errlen);
    if (st != ST_OK) {
        return st;
    }
    enum ev_input_kind kind = cap_source_format(src) == CAP_FMT_PCAPNG ? EV_IN_PCAPNG : EV_IN_PCAP;
    struct ev_input *input = ev_input_add(ev, path, kind);
    if (keylog && kind == EV_IN_PCAPNG) {
        cap_pcapng_secrets(path, add_secrets, keylog);
    }
    struct pcap_sink *sink = input ? pcap_sink_new(ev, certs, keylog, input) : NULL;
    if (!sink) {
        cap_source_close(src);
        snprintf(errbuf, errlen, "out of memory");
        return ST_NOMEM;
    }

    struct cap_packet pkt;
    char msg[256] = "";
    for (;;) {
        st = cap_source_next(src, &pkt, msg, sizeof msg);
        if (st != ST_OK) {
            break;
        }
        pcap_sink_packet(sink, &pkt);
        if (progress && (input->units & 0x3ff) == 0) {
            progress_update(progress, cap_source_position(src));
        }
    }
    pcap_sink_finish(sink);
    cap_source_close(src);

    if (st == ST_INCOMPLETE) {
        return ST_OK;
    }
    input->truncated = true;
    input->error = ev_strdup(&ev->arena, msg[0] ? msg : status_name(st));
    input->error_ref = input->units + 1;
    return ST_TRUNCATED;
}
