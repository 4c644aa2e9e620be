/*
 * test_decode.c - cap_decode on hand-built packets: every link type,
 * stacked VLAN tags, PPPoE, IPv4 options and fragments, IPv6 extension
 * headers, and headers cut at every layer (truncated when the capture cut
 * the packet, malformed when the packet was whole).
 */
#include <stdio.h>
#include <string.h>

#include "capture.h"
#include "testlib.h"

/* Building blocks (hex, blanks ignored). */
#define ETH(type) "ffffffffffff 020000000001 " type " "
#define IP4(total, frag, proto) "45 00 " total " 0001 " frag " 40 " proto " 0000 0a000001 0a000002 "
#define TCP "3039 01bb 00000064 000000c8 50 18 ffff 0000 0000 "
#define DATA "68656c6c6f "
#define IP4_TCP IP4("002d", "4000", "06") TCP DATA
#define IP6(plen, next)                                               \
    "60000000 " plen " " next " 40 20010db8000000000000000000000001 " \
    "20010db8000000000000000000000002 "
#define IP6_TCP IP6("0019", "06") TCP DATA

enum {
    LT_NULL = 0,
    LT_ETH = 1,
    LT_RAW12 = 12,
    LT_RAW14 = 14,
    LT_RAW = 101,
    LT_LOOP = 108,
    LT_SLL = 113,
    LT_IPV4 = 228,
    LT_IPV6 = 229,
    LT_SLL2 = 276,
    LT_80211 = 105
};

static const struct {
    const char *name;
    int linktype;
    const char *hex;
    unsigned cut; /* bytes the capture dropped (wirelen - caplen) */
    enum status want;
    enum cap_skip_reason want_skip;
    unsigned want_ver;
    unsigned want_len;  /* payload_len */
    unsigned want_wire; /* payload_wire_len */
} cases[] = {
    /* link layers */
    { .name = "ethernet ipv4",
      .linktype = LT_ETH,
      .hex = ETH("0800") IP4_TCP,
      .want = ST_OK,
      .want_ver = 4,
      .want_len = 5,
      .want_wire = 5 },
    { .name = "ethernet ipv6",
      .linktype = LT_ETH,
      .hex = ETH("86dd") IP6_TCP,
      .want = ST_OK,
      .want_ver = 6,
      .want_len = 5,
      .want_wire = 5 },
    { .name = "ethernet padding trimmed",
      .linktype = LT_ETH,
      .hex = ETH("0800") IP4("0028", "4000", "06") TCP "000000000000",
      .want = ST_OK,
      .want_ver = 4,
      .want_len = 0,
      .want_wire = 0 },
    { .name = "802.1Q",
      .linktype = LT_ETH,
      .hex = ETH("8100") "0064 0800 " IP4_TCP,
      .want = ST_OK,
      .want_ver = 4,
      .want_len = 5,
      .want_wire = 5 },
    { .name = "802.1ad + 802.1Q",
      .linktype = LT_ETH,
      .hex = ETH("88a8") "0064 8100 00c8 86dd " IP6_TCP,
      .want = ST_OK,
      .want_ver = 6,
      .want_len = 5,
      .want_wire = 5 },
    { .name = "0x9100 + 802.1Q",
      .linktype = LT_ETH,
      .hex = ETH("9100") "0001 8100 0002 0800 " IP4_TCP,
      .want = ST_OK,
      .want_ver = 4,
      .want_len = 5,
      .want_wire = 5 },
    { .name = "nine VLAN tags",
      .linktype = LT_ETH,
      .hex = ETH("8100") "0001 8100 0001 8100 0001 8100 0001 8100 0001 8100 0001 8100 0001 8100 "
                         "0001 8100 0001 0800 " IP4_TCP,
      .want = ST_MALFORMED },
    { .name = "VLAN tag cut",
      .linktype = LT_ETH,
      .hex = ETH("8100") "00",
      .cut = 60,
      .want = ST_TRUNCATED },
    { .name = "PPPoE ipv4",
      .linktype = LT_ETH,
      .hex = ETH("8864") "11 00 0001 002f 0021 " IP4_TCP,
      .want = ST_OK,
      .want_ver = 4,
      .want_len = 5,
      .want_wire = 5 },
    { .name = "PPPoE ipv6",
      .linktype = LT_ETH,
      .hex = ETH("8864") "11 00 0001 0043 0057 " IP6_TCP,
      .want = ST_OK,
      .want_ver = 6,
      .want_len = 5,
      .want_wire = 5 },
    { .name = "PPPoE compressed protocol",
      .linktype = LT_ETH,
      .hex = ETH("8864") "11 00 0001 002e 21 " IP4_TCP,
      .want = ST_OK,
      .want_ver = 4,
      .want_len = 5,
      .want_wire = 5 },
    { .name = "PPPoE over VLAN",
      .linktype = LT_ETH,
      .hex = ETH("8100") "0007 8864 11 00 0001 002f 0021 " IP4_TCP,
      .want = ST_OK,
      .want_ver = 4,
      .want_len = 5,
      .want_wire = 5 },
    { .name = "PPPoE LCP",
      .linktype = LT_ETH,
      .hex = ETH("8864") "11 00 0001 0006 c021 01020304",
      .want = ST_UNSUPPORTED,
      .want_skip = CAP_SKIP_NOT_IP },
    { .name = "PPPoE bad version",
      .linktype = LT_ETH,
      .hex = ETH("8864") "21 00 0001 002f 0021 " IP4_TCP,
      .want = ST_MALFORMED },
    { .name = "PPPoE discovery",
      .linktype = LT_ETH,
      .hex = ETH("8863") "11 09 0000 0000",
      .want = ST_UNSUPPORTED,
      .want_skip = CAP_SKIP_NOT_IP },
    { .name = "PPPoE header cut",
      .linktype = LT_ETH,
      .hex = ETH("8864") "11 00 00",
      .cut = 40,
      .want = ST_TRUNCATED },
    { .name = "ARP",
      .linktype = LT_ETH,
      .hex = ETH("0806") "0001 0800 0604 0001",
      .want = ST_UNSUPPORTED,
      .want_skip = CAP_SKIP_NOT_IP },
    { .name = "802.3 length field",
      .linktype = LT_ETH,
      .hex = ETH("0026") "424203000000",
      .want = ST_UNSUPPORTED,
      .want_skip = CAP_SKIP_NOT_IP },
    { .name = "ethernet cut",
      .linktype = LT_ETH,
      .hex = "ffffffffffff 0200",
      .cut = 50,
      .want = ST_TRUNCATED },
    { .name = "ethernet too short",
      .linktype = LT_ETH,
      .hex = "ffffffffffff 0200",
      .want = ST_MALFORMED },
    { .name = "linux cooked v1",
      .linktype = LT_SLL,
      .hex = "0000 0001 0006 020000000001 0000 0800 " IP4_TCP,
      .want = ST_OK,
      .want_ver = 4,
      .want_len = 5,
      .want_wire = 5 },
    { .name = "linux cooked v1 ipv6",
      .linktype = LT_SLL,
      .hex = "0004 0001 0006 020000000001 0000 86dd " IP6_TCP,
      .want = ST_OK,
      .want_ver = 6,
      .want_len = 5,
      .want_wire = 5 },
    { .name = "linux cooked v1 cut",
      .linktype = LT_SLL,
      .hex = "0000 0001 0006 0200",
      .cut = 40,
      .want = ST_TRUNCATED },
    { .name = "linux cooked v2",
      .linktype = LT_SLL2,
      .hex = "0800 0000 00000002 0001 00 06 020000000001 0000 " IP4_TCP,
      .want = ST_OK,
      .want_ver = 4,
      .want_len = 5,
      .want_wire = 5 },
    { .name = "linux cooked v2 not IP",
      .linktype = LT_SLL2,
      .hex = "0806 0000 00000002 0001 00 06 020000000001 0000 0001",
      .want = ST_UNSUPPORTED,
      .want_skip = CAP_SKIP_NOT_IP },
    { .name = "linux cooked v2 cut",
      .linktype = LT_SLL2,
      .hex = "0800 0000 0000",
      .cut = 60,
      .want = ST_TRUNCATED },
    { .name = "null AF_INET host order LE",
      .linktype = LT_NULL,
      .hex = "02000000 " IP4_TCP,
      .want = ST_OK,
      .want_ver = 4,
      .want_len = 5,
      .want_wire = 5 },
    { .name = "null AF_INET big endian",
      .linktype = LT_NULL,
      .hex = "00000002 " IP4_TCP,
      .want = ST_OK,
      .want_ver = 4,
      .want_len = 5,
      .want_wire = 5 },
    { .name = "null AF_INET6 24",
      .linktype = LT_NULL,
      .hex = "18000000 " IP6_TCP,
      .want = ST_OK,
      .want_ver = 6,
      .want_len = 5,
      .want_wire = 5 },
    { .name = "null AF_INET6 28",
      .linktype = LT_NULL,
      .hex = "1c000000 " IP6_TCP,
      .want = ST_OK,
      .want_ver = 6,
      .want_len = 5,
      .want_wire = 5 },
    { .name = "null AF_INET6 30",
      .linktype = LT_NULL,
      .hex = "1e000000 " IP6_TCP,
      .want = ST_OK,
      .want_ver = 6,
      .want_len = 5,
      .want_wire = 5 },
    { .name = "loop AF_INET6 30 network order",
      .linktype = LT_LOOP,
      .hex = "0000001e " IP6_TCP,
      .want = ST_OK,
      .want_ver = 6,
      .want_len = 5,
      .want_wire = 5 },
    { .name = "loop AF_INET",
      .linktype = LT_LOOP,
      .hex = "00000002 " IP4_TCP,
      .want = ST_OK,
      .want_ver = 4,
      .want_len = 5,
      .want_wire = 5 },
    { .name = "null unknown family",
      .linktype = LT_NULL,
      .hex = "07000000 0102030405",
      .want = ST_UNSUPPORTED,
      .want_skip = CAP_SKIP_NOT_IP },
    { .name = "null cut", .linktype = LT_NULL, .hex = "0200", .cut = 40, .want = ST_TRUNCATED },
    { .name = "raw 12 ipv4",
      .linktype = LT_RAW12,
      .hex = IP4_TCP,
      .want = ST_OK,
      .want_ver = 4,
      .want_len = 5,
      .want_wire = 5 },
    { .name = "raw 14 ipv6",
      .linktype = LT_RAW14,
      .hex = IP6_TCP,
      .want = ST_OK,
      .want_ver = 6,
      .want_len = 5,
      .want_wire = 5 },
    { .name = "LINKTYPE_RAW 101 ipv4",
      .linktype = LT_RAW,
      .hex = IP4_TCP,
      .want = ST_OK,
      .want_ver = 4,
      .want_len = 5,
      .want_wire = 5 },
    { .name = "raw bad version", .linktype = LT_RAW, .hex = "55 00 002d", .want = ST_MALFORMED },
    { .name = "raw empty", .linktype = LT_RAW, .hex = "", .want = ST_MALFORMED },
    { .name = "LINKTYPE_IPV4",
      .linktype = LT_IPV4,
      .hex = IP4_TCP,
      .want = ST_OK,
      .want_ver = 4,
      .want_len = 5,
      .want_wire = 5 },
    { .name = "LINKTYPE_IPV6",
      .linktype = LT_IPV6,
      .hex = IP6_TCP,
      .want = ST_OK,
      .want_ver = 6,
      .want_len = 5,
      .want_wire = 5 },
    { .name = "LINKTYPE_IPV4 carrying ipv6",
      .linktype = LT_IPV4,
      .hex = IP6_TCP,
      .want = ST_MALFORMED },
    { .name = "802.11 unsupported",
      .linktype = LT_80211,
      .hex = "0800",
      .want = ST_UNSUPPORTED,
      .want_skip = CAP_SKIP_LINKTYPE },

    /* IPv4 */
    { .name = "ipv4 options (IHL 7)",
      .linktype = LT_RAW,
      .hex = "47 00 0035 0001 4000 40 06 0000 0a000001 0a000002 01010101 01010100 " TCP DATA,
      .want = ST_OK,
      .want_ver = 4,
      .want_len = 5,
      .want_wire = 5 },
    { .name = "ipv4 IHL 4",
      .linktype = LT_RAW,
      .hex = "44 00 002d 0001 4000 40 06 0000 0a000001 0a000002 " TCP DATA,
      .want = ST_MALFORMED },
    { .name = "ipv4 IHL beyond packet",
      .linktype = LT_RAW,
      .hex = "4f 00 002d 0001 4000 40 06 0000 0a000001 0a000002 " TCP DATA,
      .want = ST_MALFORMED },
    { .name = "ipv4 options cut",
      .linktype = LT_RAW,
      .hex = "47 00 0035 0001 4000 40 06 0000 0a000001 0a000002 0101",
      .cut = 31,
      .want = ST_TRUNCATED },
    { .name = "ipv4 header cut",
      .linktype = LT_ETH,
      .hex = ETH("0800") "45 00 002d 0001",
      .cut = 39,
      .want = ST_TRUNCATED },
    { .name = "ipv4 header short",
      .linktype = LT_ETH,
      .hex = ETH("0800") "45 00 002d 0001",
      .want = ST_MALFORMED },
    { .name = "ipv4 total below header",
      .linktype = LT_RAW,
      .hex = IP4("0010", "4000", "06") TCP DATA,
      .want = ST_MALFORMED },
    { .name = "ipv4 total beyond frame",
      .linktype = LT_RAW,
      .hex = IP4("0040", "4000", "06") TCP DATA,
      .want = ST_MALFORMED },
    { .name = "ipv4 total 0 (segmentation offload)",
      .linktype = LT_RAW,
      .hex = IP4("0000", "4000", "06") TCP DATA,
      .want = ST_OK,
      .want_ver = 4,
      .want_len = 5,
      .want_wire = 5 },
    { .name = "ipv4 more fragments",
      .linktype = LT_RAW,
      .hex = IP4("002d", "2000", "06") TCP DATA,
      .want = ST_UNSUPPORTED,
      .want_skip = CAP_SKIP_FRAGMENT },
    { .name = "ipv4 fragment offset",
      .linktype = LT_RAW,
      .hex = IP4("002d", "0010", "06") TCP DATA,
      .want = ST_UNSUPPORTED,
      .want_skip = CAP_SKIP_FRAGMENT },
    { .name = "ipv4 udp",
      .linktype = LT_RAW,
      .hex = IP4("0021", "4000", "11") "0035 0035 000d 0000 " DATA,
      .want = ST_UNSUPPORTED,
      .want_skip = CAP_SKIP_NOT_TCP },
    { .name = "ipv4 snaplen cut payload",
      .linktype = LT_ETH,
      .hex = ETH("0800") IP4("002d", "4000", "06") TCP "6865",
      .cut = 3,
      .want = ST_OK,
      .want_ver = 4,
      .want_len = 2,
      .want_wire = 5 },
    { .name = "ipv4 snaplen cut exactly after tcp",
      .linktype = LT_ETH,
      .hex = ETH("0800") IP4("002d", "4000", "06") TCP,
      .cut = 5,
      .want = ST_OK,
      .want_ver = 4,
      .want_len = 0,
      .want_wire = 5 },

    /* IPv6 */
    { .name = "ipv6 hop-by-hop, dstopts, routing, AH",
      .linktype = LT_RAW,
      .hex = IP6("0049", "00") "3c00 010400000000 2b00 010400000000 3300 00000000 0000 "
                               "06 04 0000 00000001 00000001 000000000000000000000000 " TCP DATA,
      .want = ST_OK,
      .want_ver = 6,
      .want_len = 5,
      .want_wire = 5 },
    { .name = "ipv6 atomic fragment",
      .linktype = LT_RAW,
      .hex = IP6("0021", "2c") "06 00 0000 12345678 " TCP DATA,
      .want = ST_OK,
      .want_ver = 6,
      .want_len = 5,
      .want_wire = 5 },
    { .name = "ipv6 first fragment",
      .linktype = LT_RAW,
      .hex = IP6("0021", "2c") "06 00 0001 12345678 " TCP DATA,
      .want = ST_UNSUPPORTED,
      .want_skip = CAP_SKIP_FRAGMENT },
    { .name = "ipv6 later fragment",
      .linktype = LT_RAW,
      .hex = IP6("0021", "2c") "06 00 0100 12345678 " TCP DATA,
      .want = ST_UNSUPPORTED,
      .want_skip = CAP_SKIP_FRAGMENT },
    { .name = "ipv6 ESP",
      .linktype = LT_RAW,
      .hex = IP6("0008", "32") "00000001 00000001",
      .want = ST_UNSUPPORTED,
      .want_skip = CAP_SKIP_NOT_TCP },
    { .name = "ipv6 no next header",
      .linktype = LT_RAW,
      .hex = IP6("0000", "3b"),
      .want = ST_UNSUPPORTED,
      .want_skip = CAP_SKIP_NOT_TCP },
    { .name = "ipv6 ext header cut",
      .linktype = LT_RAW,
      .hex = IP6("0021", "00") "3c00 0104",
      .cut = 29,
      .want = ST_TRUNCATED },
    { .name = "ipv6 ext header beyond payload",
      .linktype = LT_RAW,
      .hex = IP6("0008", "00") "06 01 010400000000",
      .want = ST_MALFORMED },
    { .name = "ipv6 header cut",
      .linktype = LT_RAW,
      .hex = "60000000 0019 06 40 2001",
      .cut = 40,
      .want = ST_TRUNCATED },
    { .name = "ipv6 header short",
      .linktype = LT_RAW,
      .hex = "60000000 0019 06 40 2001",
      .want = ST_MALFORMED },
    { .name = "ipv6 payload beyond frame",
      .linktype = LT_RAW,
      .hex = IP6("0040", "06") TCP DATA,
      .want = ST_MALFORMED },
    { .name = "ipv6 snaplen cut",
      .linktype = LT_RAW,
      .hex = IP6("0019", "06") TCP "68",
      .cut = 4,
      .want = ST_OK,
      .want_ver = 6,
      .want_len = 1,
      .want_wire = 5 },

    /* TCP */
    { .name = "tcp data offset 4",
      .linktype = LT_RAW,
      .hex = IP4("002d", "4000", "06") "3039 01bb 00000064 000000c8 40 18 ffff 0000 0000 " DATA,
      .want = ST_MALFORMED },
    { .name = "tcp options (data offset 8)",
      .linktype = LT_RAW,
      .hex = IP4("0039", "4000", "06") "3039 01bb 00000064 000000c8 80 18 ffff 0000 0000 "
                                       "0101080a0000000100000002 " DATA,
      .want = ST_OK,
      .want_ver = 4,
      .want_len = 5,
      .want_wire = 5 },
    { .name = "tcp data offset beyond payload",
      .linktype = LT_RAW,
      .hex = IP4("002d", "4000", "06") "3039 01bb 00000064 000000c8 f0 18 ffff 0000 0000 " DATA,
      .want = ST_MALFORMED },
    { .name = "tcp options cut",
      .linktype = LT_RAW,
      .hex = IP4("0039", "4000", "06") "3039 01bb 00000064 000000c8 80 18 ffff 0000 0000 0101",
      .cut = 15,
      .want = ST_TRUNCATED },
    { .name = "tcp header cut",
      .linktype = LT_RAW,
      .hex = IP4("002d", "4000", "06") "3039 01bb",
      .cut = 21,
      .want = ST_TRUNCATED },
    { .name = "tcp header short",
      .linktype = LT_RAW,
      .hex = IP4("0018", "4000", "06") "3039 01bb",
      .want = ST_MALFORMED },
    { .name = "tcp header missing",
      .linktype = LT_RAW,
      .hex = IP4("0014", "4000", "06"),
      .want = ST_MALFORMED },
};

static void check_segment(const struct cap_tcp_segment *seg, unsigned ver, const char *name)
{
    static const uint8_t v4a[4] = { 10, 0, 0, 1 }, v4b[4] = { 10, 0, 0, 2 };
    static const uint8_t v6a[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
    static const uint8_t v6b[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };

    CHECK_INT(seg->sport, 12345, name);
    CHECK_INT(seg->dport, 443, name);
    CHECK_INT(seg->seq, 100, name);
    CHECK_INT(seg->ack, 200, name);
    CHECK_INT(seg->flags, 0x18, name);
    if (ver == 4) {
        CHECK(memcmp(seg->src, v4a, 4) == 0 && memcmp(seg->dst, v4b, 4) == 0, name);
    } else {
        CHECK(memcmp(seg->src, v6a, 16) == 0 && memcmp(seg->dst, v6b, 16) == 0, name);
    }
    if (seg->payload_len > 0) {
        CHECK(seg->payload && memcmp(seg->payload, "hello", seg->payload_len) == 0, name);
    }
}

static void run_cases(void)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint8_t buf[512];
        long n = tl_hex(cases[i].hex, buf, sizeof buf);
        if (n < 0) {
            CHECK(0, cases[i].name);
            continue;
        }
        struct cap_packet pkt = {
            .frame = 1,
            .data = buf,
            .caplen = (uint32_t)n,
            .wirelen = (uint32_t)n + cases[i].cut,
            .linktype = cases[i].linktype,
        };
        struct cap_tcp_segment seg;
        enum cap_skip_reason skip = CAP_SKIP_NONE;
        enum status st = cap_decode(&pkt, &seg, &skip);
        CHECK_STR(status_name(st), status_name(cases[i].want), cases[i].name);
        CHECK_INT(skip, cases[i].want_skip, cases[i].name);
        if (st != ST_OK || cases[i].want != ST_OK) {
            continue;
        }
        CHECK_INT(seg.ip_version, cases[i].want_ver, cases[i].name);
        CHECK_INT(seg.payload_len, cases[i].want_len, cases[i].name);
        CHECK_INT(seg.payload_wire_len, cases[i].want_wire, cases[i].name);
        check_segment(&seg, cases[i].want_ver, cases[i].name);
    }
}

/* Every prefix of a good packet is rejected cleanly: truncated when the
 * capture says it cut the packet, never a crash or a segment. */
static void run_prefixes(void)
{
    static const struct {
        int linktype;
        const char *hex;
    } whole[] = {
        { LT_ETH, ETH("8100") "0064 8864 11 00 0001 002f 0021 " IP4_TCP },
        { LT_SLL2,
          "86dd 0000 00000002 0001 00 06 020000000001 0000 " IP6(
              "0049", "00") "3c00 010400000000 2b00 010400000000 3300 00000000 0000 "
                            "06 04 0000 00000001 00000001 000000000000000000000000 " TCP DATA },
    };
    for (size_t w = 0; w < sizeof whole / sizeof whole[0]; w++) {
        uint8_t buf[512];
        long n = tl_hex(whole[w].hex, buf, sizeof buf);
        int bad = 0;
        for (long len = 0; len < n - 5; len++) {
            struct cap_packet pkt = {
                .data = buf,
                .caplen = (uint32_t)len,
                .wirelen = (uint32_t)n,
                .linktype = whole[w].linktype,
            };
            struct cap_tcp_segment seg;
            enum cap_skip_reason skip;
            if (cap_decode(&pkt, &seg, &skip) != ST_TRUNCATED) {
                bad++;
            }
        }
        CHECK_INT(bad, 0, "every header prefix is ST_TRUNCATED");
        /* With the payload partly captured the segment is still decoded. */
        struct cap_packet pkt = {
            .data = buf,
            .caplen = (uint32_t)n - 2,
            .wirelen = (uint32_t)n,
            .linktype = whole[w].linktype,
        };
        struct cap_tcp_segment seg;
        enum cap_skip_reason skip;
        CHECK_INT(cap_decode(&pkt, &seg, &skip), ST_OK, "payload cut");
        CHECK_INT(seg.payload_len, 3, "payload cut: captured");
        CHECK_INT(seg.payload_wire_len, 5, "payload cut: wire");
    }
}

int main(void)
{
    run_cases();
    run_prefixes();
    return tl_done();
}
