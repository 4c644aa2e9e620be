/*
 * decode.c - one captured packet down to its TCP segment: link layer
 * (Ethernet II with IEEE 802.1Q / 802.1ad tags, PPPoE session stage,
 * Linux cooked v1/v2, BSD loopback NULL/LOOP, raw IP, LINKTYPE_IPV4/IPV6),
 * IPv4 (RFC 791, with options), IPv6 (RFC 8200, with extension headers) and
 * TCP (RFC 9293 3.1). References: the link-layer header types registry
 * (tcpdump.org/linktypes.html), RFC 2516 (PPPoE), RFC 1661 (PPP),
 * RFC 4302 (AH).
 *
 * Truncated versus malformed: a header that runs past the captured bytes is
 * ST_TRUNCATED when the capture cut the packet (caplen < wire length) and
 * ST_MALFORMED when the packet was captured whole (the header itself lies).
 * IP total length smaller than the frame trims link-layer padding (Ethernet
 * pads to 60 bytes). Checksums are not verified: offloading makes them
 * wrong in most captures taken on an endpoint.
 */
#include "capture.h"

#include "cursor.h"

/* Link-layer header types (DLT_ values as libpcap reports them, plus the
 * LINKTYPE_ values a caller may pass through unmapped). */
#define LT_NULL 0
#define LT_EN10MB 1
#define LT_RAW_12 12 /* DLT_RAW on most systems */
#define LT_RAW_14 14 /* DLT_RAW on OpenBSD */
#define LT_RAW 101   /* LINKTYPE_RAW */
#define LT_LOOP 108
#define LT_LINUX_SLL 113
#define LT_IPV4 228
#define LT_IPV6 229
#define LT_LINUX_SLL2 276

#define ETH_IPV4 0x0800u
#define ETH_IPV6 0x86ddu
#define ETH_VLAN 0x8100u /* IEEE 802.1Q */
#define ETH_QINQ 0x88a8u /* IEEE 802.1ad */
#define ETH_QINQ_OLD 0x9100u
#define ETH_QINQ_OLD2 0x9200u
#define ETH_PPPOE_SESS 0x8864u

#define PPP_IPV4 0x0021u
#define PPP_IPV6 0x0057u

#define IPPROTO_TCP_ 6u
#define IP6_HOPOPTS 0u
#define IP6_ROUTING 43u
#define IP6_FRAGMENT 44u
#define IP6_ESP 50u
#define IP6_AH 51u
#define IP6_NONE 59u
#define IP6_DSTOPTS 60u
#define IP6_MOBILITY 135u
#define IP6_HIP 139u
#define IP6_SHIM6 140u

#define MAX_VLAN_TAGS 8u /* stacked tags accepted before giving up */
#define MAX_IP6_EXT 16u  /* extension headers walked before giving up */

enum net { NET_OTHER, NET_IPV4, NET_IPV6 };

struct dec {
    struct cursor c;
    struct parse_error err;
    bool cut; /* the capture has fewer bytes than the wire had */
};

/* A header does not fit in the bytes left. */
static enum status short_hdr(struct dec *d, const char *what)
{
    return cur_fail(&d->c, d->cut ? ST_TRUNCATED : ST_MALFORMED, what);
}

static enum status need(struct dec *d, size_t n, const char *what)
{
    if (n <= cur_left(&d->c)) {
        return ST_OK;
    }
    return short_hdr(d, what);
}

static enum status skip_reason(enum cap_skip_reason why, enum cap_skip_reason *ret_skip)
{
    *ret_skip = why;
    return ST_UNSUPPORTED;
}

static enum net ethertype_net(uint16_t type)
{
    if (type == ETH_IPV4) {
        return NET_IPV4;
    }
    if (type == ETH_IPV6) {
        return NET_IPV6;
    }
    return NET_OTHER;
}

/*
 * RFC 2516 section 4: ver(4) type(4) code(8) session_id(16) length(16),
 * then a PPP frame (RFC 1661 section 2) whose protocol field may be
 * compressed to one byte (an odd first byte, RFC 1661 6.5).
 */
static enum status pppoe_session(struct dec *d, enum net *ret)
{
    uint8_t vt, code, proto8;
    uint16_t session, len, proto;

    TRY(need(d, 8, "PPPoE header cut"));
    TRY(cur_u8(&d->c, &vt));
    TRY(cur_u8(&d->c, &code));
    TRY(cur_u16(&d->c, &session));
    TRY(cur_u16(&d->c, &len));
    if (vt != 0x11 || code != 0) {
        return cur_fail(&d->c, ST_MALFORMED, "PPPoE session header with bad version or code");
    }
    TRY(cur_peek_u8(&d->c, &proto8));
    if (proto8 & 1u) {
        TRY(cur_u8(&d->c, &proto8));
        proto = proto8;
    } else {
        TRY(cur_u16(&d->c, &proto));
    }
    *ret = proto == PPP_IPV4 ? NET_IPV4 : proto == PPP_IPV6 ? NET_IPV6 : NET_OTHER;
    return ST_OK;
}

/* An EtherType, then any stack of VLAN tags (TCI + next type), and PPPoE. */
static enum status ethertype_chain(struct dec *d, uint16_t type, enum net *ret)
{
    for (unsigned tags = 0;
         type == ETH_VLAN || type == ETH_QINQ || type == ETH_QINQ_OLD || type == ETH_QINQ_OLD2;
         tags++) {
        uint16_t tci;
        if (tags == MAX_VLAN_TAGS) {
            return cur_fail(&d->c, ST_MALFORMED, "too many stacked VLAN tags");
        }
        TRY(need(d, 4, "VLAN tag cut"));
        TRY(cur_u16(&d->c, &tci));
        TRY(cur_u16(&d->c, &type));
    }
    if (type == ETH_PPPOE_SESS) {
        return pppoe_session(d, ret);
    }
    *ret = ethertype_net(type);
    return ST_OK;
}

/* Ethernet II: destination(6) source(6) type(2). Types <= 1500 are 802.3
 * lengths (LLC frames), never IP here. */
static enum status link_ethernet(struct dec *d, enum net *ret)
{
    uint16_t type;

    TRY(need(d, 14, "Ethernet header cut"));
    TRY(cur_skip(&d->c, 12));
    TRY(cur_u16(&d->c, &type));
    return ethertype_chain(d, type, ret);
}

/* Linux cooked v1: packet type(2) ARPHRD(2) address length(2) address(8)
 * protocol(2). */
static enum status link_sll(struct dec *d, enum net *ret)
{
    uint16_t proto;

    TRY(need(d, 16, "Linux cooked header cut"));
    TRY(cur_skip(&d->c, 14));
    TRY(cur_u16(&d->c, &proto));
    return ethertype_chain(d, proto, ret);
}

/* Linux cooked v2: protocol(2) reserved(2) ifindex(4) ARPHRD(2)
 * packet type(1) address length(1) address(8). */
static enum status link_sll2(struct dec *d, enum net *ret)
{
    uint16_t proto;

    TRY(need(d, 20, "Linux cooked v2 header cut"));
    TRY(cur_u16(&d->c, &proto));
    TRY(cur_skip(&d->c, 18));
    return ethertype_chain(d, proto, ret);
}

/*
 * BSD loopback: a 4-byte address family, in the capturing host's byte order
 * for DLT_NULL and in network order for DLT_LOOP (some writers get LOOP
 * wrong, so both take either order: families are small numbers). AF_INET6
 * differs between systems: 24 (NetBSD, OpenBSD, BSD/OS), 28 (FreeBSD,
 * DragonFly), 30 (Darwin), 23 (Windows, Npcap loopback), 10 (Linux).
 */
static enum status link_null(struct dec *d, enum net *ret)
{
    uint32_t af;

    TRY(need(d, 4, "loopback header cut"));
    TRY(cur_u32(&d->c, &af));
    if (af > 0xffffu) {
        af = (af >> 24) | ((af >> 8) & 0xff00u) | ((af << 8) & 0xff0000u) | (af << 24);
    }
    switch (af) {
    case 2:
        *ret = NET_IPV4;
        break;
    case 10:
    case 23:
    case 24:
    case 28:
    case 30:
        *ret = NET_IPV6;
        break;
    default:
        *ret = NET_OTHER;
        break;
    }
    return ST_OK;
}

/* Raw IP: the version nibble says which. */
static enum status link_raw(struct dec *d, enum net *ret)
{
    uint8_t vhl;

    TRY(need(d, 1, "raw IP packet is empty"));
    TRY(cur_peek_u8(&d->c, &vhl));
    *ret = (vhl >> 4) == 4 ? NET_IPV4 : (vhl >> 4) == 6 ? NET_IPV6 : NET_OTHER;
    if (*ret == NET_OTHER) {
        return cur_fail(&d->c, ST_MALFORMED, "raw IP packet with bad version");
    }
    return ST_OK;
}

static enum status link_layer(struct dec *d, int linktype, enum net *ret,
                              enum cap_skip_reason *ret_skip)
{
    switch (linktype) {
    case LT_EN10MB:
        return link_ethernet(d, ret);
    case LT_LINUX_SLL:
        return link_sll(d, ret);
    case LT_LINUX_SLL2:
        return link_sll2(d, ret);
    case LT_NULL:
    case LT_LOOP:
        return link_null(d, ret);
    case LT_RAW_12:
    case LT_RAW_14:
    case LT_RAW:
        return link_raw(d, ret);
    case LT_IPV4:
        *ret = NET_IPV4;
        return ST_OK;
    case LT_IPV6:
        *ret = NET_IPV6;
        return ST_OK;
    default:
        return skip_reason(CAP_SKIP_LINKTYPE, ret_skip);
    }
}

/*
 * Limits the cursor to an IP datagram of `total` bytes (header included)
 * starting `hdr_start` bytes before the current position. Trailing link
 * padding is dropped; a datagram longer than what was captured keeps the
 * captured part when the capture cut it and is malformed otherwise. Returns
 * the wire length of what follows the current position.
 */
static enum status ip_bound(struct dec *d, size_t hdr_len, size_t total, const char *what,
                            uint32_t *ret_wire_left)
{
    size_t have = cur_left(&d->c);

    if (total < hdr_len) {
        return cur_fail(&d->c, ST_MALFORMED, what);
    }
    size_t body = total - hdr_len;
    if (body > have) {
        if (!d->cut) {
            return cur_fail(&d->c, ST_MALFORMED, "IP length exceeds the frame");
        }
    } else {
        struct cursor datagram;
        TRY(cur_sub(&d->c, body, &datagram)); /* drops link-layer padding */
        d->c = datagram;
    }
    *ret_wire_left = (uint32_t)body;
    return ST_OK;
}

/*
 * RFC 791 3.1: version(4) IHL(4) TOS(8) total length(16) identification(16)
 * flags(3) fragment offset(13) TTL(8) protocol(8) checksum(16) source(32)
 * destination(32) options(IHL*4-20).
 */
static enum status ipv4(struct dec *d, struct cap_tcp_segment *seg, uint32_t *ret_wire_left,
                        enum cap_skip_reason *ret_skip)
{
    uint8_t vhl, tos, ttl, proto;
    uint16_t total, id, frag, csum;
    struct bytes src, dst;

    TRY(need(d, 20, "IPv4 header cut"));
    TRY(cur_u8(&d->c, &vhl));
    TRY(cur_u8(&d->c, &tos));
    TRY(cur_u16(&d->c, &total));
    TRY(cur_u16(&d->c, &id));
    TRY(cur_u16(&d->c, &frag));
    TRY(cur_u8(&d->c, &ttl));
    TRY(cur_u8(&d->c, &proto));
    TRY(cur_u16(&d->c, &csum));
    TRY(cur_take(&d->c, 4, &src));
    TRY(cur_take(&d->c, 4, &dst));
    if ((vhl >> 4) != 4) {
        return cur_fail(&d->c, ST_MALFORMED, "IPv4 header with bad version");
    }
    size_t hlen = (size_t)(vhl & 0x0fu) * 4;
    if (hlen < 20) {
        return cur_fail(&d->c, ST_MALFORMED, "IPv4 header length (IHL) below 5");
    }
    TRY(need(d, hlen - 20, "IPv4 options cut"));
    TRY(cur_skip(&d->c, hlen - 20));
    if (total == 0 && !d->cut) {
        /* TCP segmentation offload on the capturing host: length left 0. */
        total = (uint16_t)(cur_left(&d->c) + hlen > 0xffff ? 0xffff : cur_left(&d->c) + hlen);
    }
    TRY(ip_bound(d, hlen, total, "IPv4 total length below its header length", ret_wire_left));
    if (proto != IPPROTO_TCP_) {
        return skip_reason(CAP_SKIP_NOT_TCP, ret_skip);
    }
    if ((frag & 0x2000u) || (frag & 0x1fffu) != 0) {
        return skip_reason(CAP_SKIP_FRAGMENT, ret_skip);
    }
    seg->ip_version = 4;
    for (size_t i = 0; i < 4; i++) {
        seg->src[i] = src.ptr[i];
        seg->dst[i] = dst.ptr[i];
    }
    return ST_OK;
}

/*
 * RFC 8200 3: version(4) traffic class(8) flow label(20) payload length(16)
 * next header(8) hop limit(8) source(128) destination(128); then extension
 * headers (RFC 8200 4): hop-by-hop, routing, destination options (next(8)
 * length in 8-octet units not counting the first(8) ...), fragment (8 bytes),
 * AH (RFC 4302 2: next(8) length in 4-octet units minus 2(8) ...).
 */
static enum status ipv6(struct dec *d, struct cap_tcp_segment *seg, uint32_t *ret_wire_left,
                        enum cap_skip_reason *ret_skip)
{
    uint32_t vtf;
    uint16_t plen;
    uint8_t next, hlim;
    struct bytes src, dst;
    uint32_t left;

    TRY(need(d, 40, "IPv6 header cut"));
    TRY(cur_u32(&d->c, &vtf));
    TRY(cur_u16(&d->c, &plen));
    TRY(cur_u8(&d->c, &next));
    TRY(cur_u8(&d->c, &hlim));
    TRY(cur_take(&d->c, 16, &src));
    TRY(cur_take(&d->c, 16, &dst));
    if ((vtf >> 28) != 6) {
        return cur_fail(&d->c, ST_MALFORMED, "IPv6 header with bad version");
    }
    size_t total = plen;
    if (plen == 0 && !d->cut) {
        /* A jumbogram (RFC 2675) or segmentation offload: the frame decides. */
        total = cur_left(&d->c);
    }
    TRY(ip_bound(d, 0, total, "IPv6 payload length", &left));
    for (unsigned n = 0;; n++) {
        uint8_t nh, hl;
        uint16_t frag;
        size_t ext;
        if (next == IPPROTO_TCP_) {
            break;
        }
        if (n == MAX_IP6_EXT) {
            return cur_fail(&d->c, ST_MALFORMED, "too many IPv6 extension headers");
        }
        switch (next) {
        case IP6_HOPOPTS:
        case IP6_ROUTING:
        case IP6_DSTOPTS:
        case IP6_MOBILITY:
        case IP6_HIP:
        case IP6_SHIM6:
            TRY(need(d, 2, "IPv6 extension header cut"));
            TRY(cur_u8(&d->c, &nh));
            TRY(cur_u8(&d->c, &hl));
            ext = ((size_t)hl + 1) * 8;
            break;
        case IP6_AH:
            TRY(need(d, 2, "IPv6 authentication header cut"));
            TRY(cur_u8(&d->c, &nh));
            TRY(cur_u8(&d->c, &hl));
            ext = ((size_t)hl + 2) * 4;
            break;
        case IP6_FRAGMENT:
            TRY(need(d, 8, "IPv6 fragment header cut"));
            TRY(cur_u8(&d->c, &nh));
            TRY(cur_u8(&d->c, &hl));
            TRY(cur_u16(&d->c, &frag));
            TRY(cur_skip(&d->c, 4));
            if ((frag & 0xfff8u) != 0 || (frag & 1u) != 0) {
                return skip_reason(CAP_SKIP_FRAGMENT, ret_skip);
            }
            ext = 8; /* an atomic fragment (RFC 6946): carry on */
            break;
        default:
            return skip_reason(CAP_SKIP_NOT_TCP, ret_skip); /* ESP, no next header, UDP ... */
        }
        if (ext > left) {
            return cur_fail(&d->c, ST_MALFORMED, "IPv6 extension header exceeds the payload");
        }
        if (next != IP6_FRAGMENT) {
            TRY(need(d, ext - 2, "IPv6 extension header cut"));
            TRY(cur_skip(&d->c, ext - 2));
        }
        left -= (uint32_t)ext;
        next = nh;
    }
    seg->ip_version = 6;
    for (size_t i = 0; i < 16; i++) {
        seg->src[i] = src.ptr[i];
        seg->dst[i] = dst.ptr[i];
    }
    *ret_wire_left = left;
    return ST_OK;
}

/*
 * RFC 9293 3.1: source port(16) destination port(16) sequence(32)
 * acknowledgment(32) data offset(4) reserved(4) flags(8) window(16)
 * checksum(16) urgent pointer(16) options(data offset*4-20) data.
 */
static enum status tcp(struct dec *d, uint32_t wire_left, struct cap_tcp_segment *seg)
{
    uint8_t off, flags;

    if (wire_left < 20) {
        return cur_fail(&d->c, ST_MALFORMED, "IP payload shorter than a TCP header");
    }
    TRY(need(d, 20, "TCP header cut"));
    TRY(cur_u16(&d->c, &seg->sport));
    TRY(cur_u16(&d->c, &seg->dport));
    TRY(cur_u32(&d->c, &seg->seq));
    TRY(cur_u32(&d->c, &seg->ack));
    TRY(cur_u8(&d->c, &off));
    TRY(cur_u8(&d->c, &flags));
    TRY(cur_skip(&d->c, 6)); /* window, checksum, urgent pointer: not needed here */
    size_t hlen = (size_t)(off >> 4) * 4;
    if (hlen < 20) {
        return cur_fail(&d->c, ST_MALFORMED, "TCP data offset below 5");
    }
    if (hlen > wire_left) {
        return cur_fail(&d->c, ST_MALFORMED, "TCP data offset beyond the IP payload");
    }
    TRY(need(d, hlen - 20, "TCP options cut"));
    TRY(cur_skip(&d->c, hlen - 20));
    struct bytes payload = cur_rest(&d->c);
    seg->flags = flags;
    seg->payload = payload.len ? payload.ptr : NULL;
    seg->payload_wire_len = wire_left - (uint32_t)hlen;
    seg->payload_len = (uint32_t)payload.len;
    if (seg->payload_len > seg->payload_wire_len) {
        seg->payload_len = seg->payload_wire_len; /* cannot happen: bounded by ip_bound */
    }
    return ST_OK;
}

enum status cap_decode(const struct cap_packet *pkt, struct cap_tcp_segment *ret,
                       enum cap_skip_reason *ret_skip)
{
    struct dec d = { .cut = pkt->caplen < pkt->wirelen };
    struct cap_tcp_segment seg = { 0 };
    enum net net = NET_OTHER;
    uint32_t wire_left = 0;

    *ret_skip = CAP_SKIP_NONE;
    cur_init(&d.c, pkt->data, pkt->caplen, 0, &d.err);
    TRY(link_layer(&d, pkt->linktype, &net, ret_skip));
    switch (net) {
    case NET_IPV4:
        TRY(ipv4(&d, &seg, &wire_left, ret_skip));
        break;
    case NET_IPV6:
        TRY(ipv6(&d, &seg, &wire_left, ret_skip));
        break;
    default:
        return skip_reason(CAP_SKIP_NOT_IP, ret_skip);
    }
    TRY(tcp(&d, wire_left, &seg));
    *ret = seg;
    return ST_OK;
}
