/*
 * capture.h - from bytes on a wire to ordered, bidirectional TCP byte
 * streams. Three parts, used in this order by the analyzer:
 *
 *   cap_source   libpcap: pcap and pcapng files (also gzip-compressed, read
 *                through zlib without a temporary file) and live interfaces;
 *   cap_decode   link layer -> IPv4/IPv6 -> TCP for one packet;
 *   cap_flows    flow table and TCP reassembly; calls the handler with
 *                in-order bytes per direction, gaps, and closes.
 *
 * Nothing here knows about TLS. Frame numbers are 1-based, like Wireshark.
 */
#ifndef TLSDIAG_CAPTURE_H
#define TLSDIAG_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "evidence.h" /* struct ev_time */
#include "status.h"

/* ---- packet source ------------------------------------------------------ */

struct cap_source;

enum cap_format { CAP_FMT_PCAP, CAP_FMT_PCAPNG, CAP_FMT_LIVE };

struct cap_packet {
    uint64_t frame; /* 1-based */
    struct ev_time ts;
    const uint8_t *data; /* valid until the next cap_source_next() */
    uint32_t caplen;
    uint32_t wirelen;
    int linktype; /* DLT_ of the interface the packet came from */
};

/*
 * Opens a capture file, detected by content (pcap, pcapng, either gzip-
 * compressed). On failure returns ST_MALFORMED/ST_UNSUPPORTED/ST_TRUNCATED
 * and writes a one-line message (without the path) into errbuf.
 */
MUST_USE enum status cap_source_open_file(const char *path, struct cap_source **ret, char *errbuf,
                                          size_t errlen);
/*
 * Same, from an open stream positioned at the start of the capture, which it
 * takes over (closed by cap_source_close, or at once on failure). The stream
 * must be able to seek back to its start (regular file, fmemopen); gzip needs
 * a stream with a file descriptor.
 */
MUST_USE enum status cap_source_open_fp(FILE *fp, struct cap_source **ret, char *errbuf,
                                        size_t errlen);
/* ST_OK with a packet; ST_INCOMPLETE at a clean end of file; ST_TRUNCATED
 * when the file ends inside a packet or block (message in errbuf, with the
 * byte offset of the incomplete record). Also ST_MALFORMED for a corrupt
 * record header and ST_UNSUPPORTED for a pcapng interface whose link type
 * differs from the first one (libpcap reads one link type per file). After
 * any error the source returns no more packets. */
MUST_USE enum status cap_source_next(struct cap_source *src, struct cap_packet *ret, char *errbuf,
                                     size_t errlen);
enum cap_format cap_source_format(const struct cap_source *src);
/* Bytes of the file consumed so far (compressed bytes for gzip), for progress. */
uint64_t cap_source_position(const struct cap_source *src);
void cap_source_close(struct cap_source *src);

/* True if the first bytes look like a capture this module reads. */
bool cap_sniff(const uint8_t *head, size_t len);

/* The TLS key logs a pcapng file carries in Decryption Secrets Blocks
 * before its first packet (also gzip-compressed): `fn` gets each one's
 * NSS key log text. Returns how many there were; 0 for pcap files. */
typedef void (*cap_secrets_fn)(void *ctx, const uint8_t *keylog, size_t len);
unsigned cap_pcapng_secrets(const char *path, cap_secrets_fn fn, void *ctx);

/* ---- one packet: link, IP, TCP ------------------------------------------ */

enum cap_skip_reason {
    CAP_SKIP_NONE = 0,
    CAP_SKIP_NOT_IP,   /* ARP, LLDP, ... */
    CAP_SKIP_NOT_TCP,  /* UDP, ICMP, ... */
    CAP_SKIP_FRAGMENT, /* an IP fragment (counted and reported, not reassembled) */
    CAP_SKIP_LINKTYPE, /* unsupported link type */
};

struct cap_tcp_segment {
    uint8_t ip_version;       /* 4 or 6 */
    uint8_t src[16], dst[16]; /* IPv4 uses the first 4 bytes */
    uint16_t sport, dport;
    uint32_t seq, ack;
    uint8_t flags;             /* TCP flags byte: FIN 0x01 SYN 0x02 RST 0x04 PSH 0x08 ACK 0x10 */
    const uint8_t *payload;    /* captured payload bytes */
    uint32_t payload_len;      /* captured length */
    uint32_t payload_wire_len; /* length from the IP header; > payload_len if snaplen cut it */
};

#define CAP_TCP_FIN 0x01u
#define CAP_TCP_SYN 0x02u
#define CAP_TCP_RST 0x04u
#define CAP_TCP_ACK 0x10u

/*
 * Decodes link layer (Ethernet with 802.1Q/802.1ad tags, PPPoE session,
 * Linux cooked v1/v2, NULL/LOOP, raw IP, LINKTYPE_IPV4/IPV6), IPv4 (with
 * options) / IPv6 (with extension headers) and TCP. Returns ST_OK with a
 * segment, ST_UNSUPPORTED with *ret_skip set for packets that are not TCP,
 * ST_TRUNCATED when the capture cut a header, ST_MALFORMED for bad headers.
 */
MUST_USE enum status cap_decode(const struct cap_packet *pkt, struct cap_tcp_segment *ret,
                                enum cap_skip_reason *ret_skip);

/* ---- flows and reassembly ---------------------------------------------- */

/* Direction inside a flow: side A is the sender of the SYN (or, when no SYN
 * was captured, of the first packet seen); side B the other. */
enum cap_side { CAP_SIDE_A = 0, CAP_SIDE_B = 1 };

struct cap_flow_info {
    unsigned stream;         /* 1-based, in order of first packet */
    struct ev_endpoint a, b; /* textual addresses and ports */
    bool syn_seen;
    struct ev_time first_ts;
    uint64_t first_frame;
};

enum cap_verdict {
    CAP_KEEP = 0,       /* keep delivering bytes */
    CAP_SKIP_DIRECTION, /* stop buffering this direction: count only */
    CAP_SKIP_FLOW,      /* stop buffering both directions */
};

struct cap_flow_handler {
    void *ctx;
    /* A new flow; the return value is the flow's user pointer. */
    void *(*on_open)(void *ctx, const struct cap_flow_info *info);
    /* In-order bytes; `offset` is the stream offset (0 = first byte after
     * the SYN, or the first byte seen). One call per (part of a) segment. */
    enum cap_verdict (*on_data)(void *ctx, void *user, enum cap_side side, const uint8_t *data,
                                size_t len, uint64_t offset, uint64_t frame, struct ev_time ts);
    /* `len` bytes at `offset` will never arrive (missing from the capture,
     * snaplen-cut, or over a memory cap); the next on_data starts after. */
    void (*on_gap)(void *ctx, void *user, enum cap_side side, uint64_t offset, uint64_t len,
                   uint64_t frame);
    /* FIN or RST from `side`. */
    void (*on_close)(void *ctx, void *user, enum cap_side side, bool rst, uint64_t frame,
                     struct ev_time ts);
    /* The flow is removed (end of capture, idle, evicted at the cap): the
     * last call for this user pointer. */
    void (*on_end)(void *ctx, void *user);
};

struct cap_flows;

struct cap_flows *cap_flows_new(const struct cap_flow_handler *h);
/* Feeds one decoded segment (frame and time from its packet). */
void cap_flows_add(struct cap_flows *f, const struct cap_tcp_segment *seg, uint64_t frame,
                   struct ev_time ts);
/* Ends every flow (delivering what can be delivered, gaps for the rest). */
void cap_flows_finish(struct cap_flows *f);
/* Ends what is left as cap_flows_finish does, then frees; NULL is a no-op. */
void cap_flows_free(struct cap_flows *f);

struct cap_flow_stats {
    uint64_t flows;           /* flows opened */
    uint64_t evicted;         /* flows ended early because of CAP_FLOWS_MAX */
    uint64_t gaps;            /* gap events */
    uint64_t limit_hits;      /* out-of-order data dropped because of a byte cap */
    size_t peak_buffered;     /* peak out-of-order bytes held (with per-piece overhead) */
    uint64_t segments;        /* segments given to cap_flows_add */
    uint64_t bytes_delivered; /* bytes passed to on_data */
    uint64_t bytes_dropped;   /* retransmitted/overlapping bytes, bytes before the stream
                                 start or after a reported close */
    uint64_t bytes_skipped;   /* bytes of directions the handler asked to skip */
    uint64_t nomem;           /* segments lost because a flow could not be allocated */
};
void cap_flows_stats(const struct cap_flows *f, struct cap_flow_stats *ret);

#endif
