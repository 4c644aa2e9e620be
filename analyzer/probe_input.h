/*
 * probe_input.h - `tlsdiag probe`'s conversation into evidence: the probe's
 * synthetic packets (captures/probe.c) through the same packet sink as a
 * capture file, optionally written to a pcapng for Wireshark.
 */
#ifndef TLSDIAG_PROBE_INPUT_H
#define TLSDIAG_PROBE_INPUT_H

#include <stdbool.h>

#include "evidence.h"
#include "probe.h"
#include "x509.h"

/* Runs the probe into ev (one input of kind probe named HOST:PORT); the TLS
 * client's own complaint becomes a note of the connection. write_path: also
 * write the packets there (pcapng, or pcap for a .pcap name), or NULL.
 * ST_OK, or a one-line reason in err (no TCP connection, unusable files). */
enum status probe_input_run(struct evidence *ev, struct x509_cache *certs,
                            const struct cap_probe_options *po, const char *write_path, char *err,
                            size_t errlen);

/* HOST[:PORT], [IPv6]:PORT or a bare IPv6 address (arg is split in place)
 * into po->host and po->port (443 by default); po->sni becomes the host
 * unless it is an address. false when arg is not such a target. */
bool probe_target_parse(char *arg, struct cap_probe_options *po);

#endif
