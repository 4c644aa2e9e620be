/*
 * probe.h - one TLS handshake of our own against a server (`tlsdiag
 * probe`), delivered as the packets of a synthetic capture so that the rest
 * of the pipeline reads it like a file. See probe.c.
 */
#ifndef TLSDIAG_PROBE_H
#define TLSDIAG_PROBE_H

#include <stdbool.h>

#include "capture.h"

/* What probe and check --server use unless told otherwise: TLS 1.2, so the
 * certificate request (the CA names) travels in the clear; 10 s timeout. */
#define CAP_PROBE_DEFAULTS ((struct cap_probe_options){ .version = 0x0303, .timeout_ms = 10000 })

/* The whole conversation may take this many timeouts (a trickling server). */
#define CAP_PROBE_TOTAL_FACTOR 3u

struct cap_probe_options {
    const char *host; /* name or address */
    const char *port; /* service or number */
    const char *sni;  /* server_name to send; NULL or "" sends none */
    const char *cert; /* client certificate chain (PEM, or one DER certificate); NULL: none */
    const char *key;  /* its private key; NULL: in the --cert file */
    int version;      /* 0x0303 TLS 1.2 only, 0x0304 TLS 1.3 only, 0 either */
    unsigned timeout_ms;
};

struct cap_probe_result {
    char peer[64];          /* the address connected to */
    bool handshake_done;    /* the TLS client completed its side of the handshake */
    bool timed_out;         /* the server stopped answering */
    char client_error[128]; /* the TLS client's own complaint, or "" */
};

typedef void (*cap_packet_fn)(void *ctx, const struct cap_packet *pkt);

/* Connects, runs the handshake and closes, calling fn for each packet of
 * the conversation (SYN to FIN). ST_OK when a TCP connection was made
 * (whatever became of the handshake); otherwise a one-line reason in err
 * (cannot resolve, cannot connect, unusable --cert/--key). */
enum status cap_probe(const struct cap_probe_options *o, cap_packet_fn fn, void *ctx,
                      struct cap_probe_result *res, char *err, size_t errlen);

#endif
