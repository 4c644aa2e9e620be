/*
 * pcapng_writer.h - writes captured packets to a file that `tlsdiag
 * analyze`, tcpdump and Wireshark read back: pcapng (draft-ietf-opsawg-
 * pcapng: one Section Header Block, one Interface Description Block with
 * if_name and if_tsresol, one Enhanced Packet Block per packet, host byte
 * order as the format allows), or classic pcap when the file name ends in
 * ".pcap" (the libpcap file format, nanosecond magic when the times have
 * nanoseconds). libpcap's pcap_dump writes only classic pcap, hence this.
 */
#ifndef TLSDIAG_PCAPNG_WRITER_H
#define TLSDIAG_PCAPNG_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture.h"
#include "status.h"

struct cap_writer;

/*
 * Creates (truncates) `path`; `linktype` is the DLT_ of the packets (mapped
 * to the file's LINKTYPE_), `nano` whether their times carry nanoseconds.
 * On failure a one-line message (with strerror) in errbuf.
 */
MUST_USE enum status cap_writer_open(const char *path, int linktype, uint32_t snaplen, bool nano,
                                     const char *ifname, struct cap_writer **ret, char *errbuf,
                                     size_t errlen);
/* Appends one packet; ST_OK or ST_UNSUPPORTED after a write error (sticky). */
MUST_USE enum status cap_writer_write(struct cap_writer *w, const struct cap_packet *pkt);
/* Pushes buffered packets to the file, so that a killed run leaves them. */
void cap_writer_flush(struct cap_writer *w);
uint64_t cap_writer_packets(const struct cap_writer *w);
bool cap_writer_is_pcapng(const struct cap_writer *w);
/* Flushes and closes: ST_OK, or ST_UNSUPPORTED (message in errbuf) when any
 * write failed. NULL is a no-op. */
MUST_USE enum status cap_writer_close(struct cap_writer *w, char *errbuf, size_t errlen);

#endif
