/*
 * pcap_input.h - one capture file through the pipeline: libpcap packets ->
 * link/IP/TCP decoding -> flows and reassembly -> TLS framing -> evidence.
 */
#ifndef TLSDIAG_PCAP_INPUT_H
#define TLSDIAG_PCAP_INPUT_H

#include <stdbool.h>
#include <stdio.h>

#include "evidence.h"
#include "tls_keylog.h"
#include "x509.h"

struct progress;

/* Reads `path` into `ev`. Returns ST_OK, ST_TRUNCATED (results for the part
 * that was read; message in ev's input entry), or another status when the
 * file could not be read at all (one-line message in errbuf). */
enum status pcap_input_read(struct evidence *ev, struct x509_cache *certs, const char *path,
                            struct progress *progress, char *errbuf, size_t errlen);

/* The same, decrypting with the secrets of `keylog` (--keylog), to which the
 * key logs a pcapng file embeds are added first. */
enum status pcap_input_read_keys(struct evidence *ev, struct x509_cache *certs,
                                 struct tls_keylog *keylog, const char *path,
                                 struct progress *progress, char *errbuf, size_t errlen);

/* The packet-to-evidence step on its own, for packets that do not come
 * from a file (tlsdiag probe): each packet through decoding, flows and TLS
 * into `input`'s connections; finish ends the flows (decides outcomes) and
 * frees the sink. */
struct cap_packet;
struct pcap_sink;
struct pcap_sink *pcap_sink_new(struct evidence *ev, struct x509_cache *certs,
                                const struct tls_keylog *keylog, struct ev_input *input);
void pcap_sink_packet(struct pcap_sink *sink, const struct cap_packet *pkt);
void pcap_sink_finish(struct pcap_sink *sink);

#endif
