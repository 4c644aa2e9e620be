/*
 * probe_input.c - `tlsdiag probe` as an input: the probe's packets go to the
 * packet sink (pcap_input.c) and, with -w, to a capture file.
 */
#include "probe_input.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "pcap_input.h"
#include "pcapng_writer.h"

struct run {
    struct pcap_sink *sink;
    struct cap_writer *w;
    bool write_failed;
};

static void on_packet(void *ctx, const struct cap_packet *pkt)
{
    struct run *r = ctx;
    if (r->w && !r->write_failed && cap_writer_write(r->w, pkt) != ST_OK) {
        r->write_failed = true;
    }
    pcap_sink_packet(r->sink, pkt);
}

/* What the probe has to say about its side, on the first connection it made. */
static void probe_note(struct evidence *ev, size_t first_conn, const char *text)
{
    if (first_conn >= ev->conn_count || !text) {
        return;
    }
    struct ev_connection *c = ev->conns[first_conn];
    if (ev_note_add(ev, c, ST_OK, c->source.last, 0, EV_FROM_CLIENT, text) != ST_OK) {
        return; /* out of arena: the report still has the wire's evidence */
    }
}

enum status probe_input_run(struct evidence *ev, struct x509_cache *certs,
                            const struct cap_probe_options *po, const char *write_path, char *err,
                            size_t errlen)
{
    char name[300];
    bool v6 = strchr(po->host, ':') != NULL;
    snprintf(name, sizeof name, v6 ? "[%s]:%s" : "%s:%s", po->host, po->port);
    struct ev_input *input = ev_input_add(ev, name, EV_IN_PROBE);
    struct run r = { 0 };
    r.sink = input ? pcap_sink_new(ev, certs, NULL, input) : NULL;
    if (!r.sink) {
        snprintf(err, errlen, "out of memory");
        return ST_NOMEM;
    }
    if (write_path && cap_writer_open(write_path, 12 /* DLT_RAW */, 65535, true, "probe", &r.w, err,
                                      errlen) != ST_OK) {
        pcap_sink_finish(r.sink);
        return ST_UNSUPPORTED;
    }
    size_t first = ev->conn_count;
    struct cap_probe_result res;
    enum status st = cap_probe(po, on_packet, &r, &res, err, errlen);
    pcap_sink_finish(r.sink);
    if (r.w) {
        char werr[256];
        if (cap_writer_close(r.w, werr, sizeof werr) != ST_OK && st == ST_OK) {
            snprintf(err, errlen, "-w %s: %s", write_path, werr);
            st = ST_UNSUPPORTED;
        }
    }
    if (st == ST_OK && res.client_error[0]) {
        probe_note(ev, first,
                   ev_printf(&ev->arena, "the probe's TLS client (wolfSSL) reported: %s",
                             res.client_error));
    }
    if (st == ST_OK && res.timed_out) {
        probe_note(ev, first,
                   ev_printf(&ev->arena,
                             "the server stopped answering: nothing for %u s, or the "
                             "conversation went past %u s; the probe gave up (--timeout)",
                             po->timeout_ms / 1000u,
                             CAP_PROBE_TOTAL_FACTOR * po->timeout_ms / 1000u));
    }
    if (st == ST_OK && !po->cert) {
        probe_note(ev, first,
                   "the probe had no client certificate to send (no --cert): an empty "
                   "Certificate answers a certificate request");
    }
    return st;
}

static bool is_address(const char *host)
{
    unsigned char buf[16];
    return inet_pton(AF_INET, host, buf) == 1 || inet_pton(AF_INET6, host, buf) == 1;
}

bool probe_target_parse(char *arg, struct cap_probe_options *po)
{
    po->port = "443";
    if (arg[0] == '[') {
        char *close = strchr(arg, ']');
        if (!close || (close[1] != '\0' && close[1] != ':')) {
            return false;
        }
        *close = '\0';
        po->host = arg + 1;
        if (close[1] == ':') {
            po->port = close + 2;
        }
    } else {
        char *colon = strchr(arg, ':');
        po->host = arg;
        if (colon && !strchr(colon + 1, ':')) {
            *colon = '\0';
            po->port = colon + 1;
        }
    }
    po->sni = is_address(po->host) ? NULL : po->host;
    return *po->host != '\0' && *po->port != '\0';
}
