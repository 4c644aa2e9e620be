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

#endif
