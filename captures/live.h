/*
 * live.h - packets from a live interface through libpcap (pcap_create,
 * pcap_activate; immediate mode, snaplen CAP_LIVE_SNAPLEN so that whole
 * certificate flights fit, a kernel buffer of CAP_LIVE_BUFFER bytes, a BPF
 * filter compiled by libpcap), the kernel's drop counters (pcap_stats), the
 * interface list (pcap_findalldevs, printed like `tcpdump -D`) and the
 * privilege drop that must follow the opening of the interface (DESIGN.md
 * "Trust and data safety"). Nothing here knows about TLS.
 */
#ifndef TLSDIAG_LIVE_H
#define TLSDIAG_LIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "capture.h"
#include "status.h"

#define CAP_LIVE_SNAPLEN 262144u    /* libpcap's maximum: certificate flights fit */
#define CAP_LIVE_BUFFER (16u << 20) /* kernel ring buffer */
#define CAP_LIVE_POLL_MS 200        /* longest wait before the caller checks the clock */
#define CAP_LIVE_DEFAULT_FILTER "tcp"

struct cap_live;

struct cap_live_stats {
    uint64_t received;   /* pcap_stats ps_recv: packets that passed the filter */
    uint64_t dropped;    /* ps_drop: dropped by the kernel (buffer full) */
    uint64_t if_dropped; /* ps_ifdrop: dropped by the interface or driver */
};

/*
 * Opens `iface` for capture with the BPF `filter` (NULL: CAP_LIVE_DEFAULT_FILTER),
 * non-blocking. On failure writes a one-line message into errbuf: libpcap's
 * own words for a filter that does not compile, and for a capture the
 * process may not make (not root, no CAP_NET_RAW) a message saying so
 * (*ret_denied = true). `-i any` is switched to Linux cooked v2 when
 * libpcap offers it.
 */
MUST_USE enum status cap_live_open(const char *iface, const char *filter, struct cap_live **ret,
                                   bool *ret_denied, char *errbuf, size_t errlen);
/* A descriptor to poll() for readability before cap_live_dispatch. */
int cap_live_fd(const struct cap_live *l);
int cap_live_linktype(const struct cap_live *l);
const char *cap_live_linktype_name(const struct cap_live *l);
/* True when packet times carry nanoseconds (else microseconds). */
bool cap_live_nano(const struct cap_live *l);

typedef void (*cap_live_cb)(void *ctx, const struct cap_packet *pkt);
/*
 * Hands every packet that is ready (at most `max`, 0 = no limit) to cb,
 * without waiting. Frames are numbered from 1 over the life of the source.
 * Returns ST_OK, or ST_UNSUPPORTED with libpcap's message when the capture
 * failed (interface gone).
 */
MUST_USE enum status cap_live_dispatch(struct cap_live *l, unsigned max, cap_live_cb cb, void *ctx,
                                       char *errbuf, size_t errlen);
/* The kernel's counters; false when libpcap cannot give them. */
bool cap_live_stats(struct cap_live *l, struct cap_live_stats *ret);
void cap_live_close(struct cap_live *l);

/* Prints the interfaces as `tcpdump -D` does ("1.eth0 [Up, Running]").
 * Returns 0, or -1 with a message in errbuf. */
int cap_live_list(FILE *out, char *errbuf, size_t errlen);

/*
 * Gives up the privileges that opening the interface needed, for good:
 * as root, switches to `user` (supplementary groups, gid, uid) and checks
 * that uid 0 cannot be regained; otherwise (file capabilities such as
 * CAP_NET_RAW on an unprivileged user) clears every capability set. Also
 * sets no_new_privs. ST_OK, or a message in errbuf.
 */
MUST_USE enum status cap_drop_privileges(const char *user, char *errbuf, size_t errlen);

#endif
