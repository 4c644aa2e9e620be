/*
 * test_source.c - cap_source on the public capture corpus (shared/corpus/
 * public, found through TLSDIAG_SHARED; skipped with 77 when absent) and on
 * damaged copies written to temporary files. Expected numbers were measured
 * with Wireshark 4.0 tools: packets with `capinfos -c`, TCP segments with
 * `tshark -r F -Y tcp | wc -l`, payload bytes as the sum of tcp.len, and TCP
 * conversations as the distinct tcp.stream values.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "capture.h"
#include "testlib.h"

static char corpus[1024];

static const struct {
    const char *file;
    enum cap_format fmt;
    unsigned packets;        /* capinfos -c */
    unsigned tcp;            /* tshark -Y tcp */
    unsigned long tcp_bytes; /* sum of tcp.len */
    unsigned streams;        /* distinct tcp.stream */
    int64_t first_sec;       /* frame.time_epoch of frame 1 (0: not checked) */
    uint32_t first_nsec;
} files[] = {
    { "arkime__badcurveball.pcap", CAP_FMT_PCAP, 12, 12, 2320, 1, 0, 0 },
    { "arkime__curl-enabled-tls13.pcap", CAP_FMT_PCAP, 35, 31, 5083, 1, 0, 0 },
    { "arkime__pppoe.pcap", CAP_FMT_PCAP, 10, 10, 3564, 1, 1193676055, 856435000 },
    { "arkime__ssl-selfsign.pcap", CAP_FMT_PCAP, 20, 20, 6715, 1, 0, 0 },
    { "arkime__tls-split-client-hello.pcap", CAP_FMT_PCAP, 35, 35, 12672, 1, 0, 0 },
    { "hotplace__tls12renogotiation.pcapng", CAP_FMT_PCAPNG, 31, 31, 3974, 1, 1746849245,
      859387000 },
    { "hotplace__tls13_TLS_CHACHA20_POLY1305_SHA256.pcapng", CAP_FMT_PCAPNG, 23, 23, 1729, 1, 0,
      0 },
    { "illustrated-tls12__capture.pcap", CAP_FMT_PCAP, 22, 22, 1709, 1, 0, 0 },
    { "illustrated-tls13-dsb__capture.pcapng", CAP_FMT_PCAPNG, 22, 22, 2224, 1, 0, 0 },
    { "illustrated-tls13__capture.pcap", CAP_FMT_PCAP, 22, 22, 2224, 1, 0, 0 },
    { "ndpi__KakaoTalk_chat.pcap", CAP_FMT_PCAP, 347, 310, 49761, 19, 0, 0 },
    { "ndpi__anydesk.pcapng", CAP_FMT_PCAPNG, 174, 170, 35614, 5, 1591342198, 821353000 },
    { "ndpi__tls-rdn-extract.pcap", CAP_FMT_PCAP, 6, 6, 6881, 1, 0, 0 },
    { "ndpi__tls_verylong_certificate.pcap", CAP_FMT_PCAP, 48, 48, 19077, 1, 0, 0 },
    { "scapy__tls_tcp_frag.pcap.gz", CAP_FMT_PCAP, 4, 4, 3641, 1, 1593515553, 932099000 },
    { "suricata-linktype-228__flow-test-01.pcap", CAP_FMT_PCAP, 7, 7, 164, 1, 0, 0 },
    { "suricata-tls-cert-noissuer__tls.pcap", CAP_FMT_PCAP, 21, 21, 1770, 1, 0, 0 },
    { "suricata-tls-client-hello-frag-01__dump_mtu300.pcap", CAP_FMT_PCAP, 62, 62, 21421, 1, 0, 0 },
    { "suricata-tls-pre-1970__input.pcap", CAP_FMT_PCAP, 17, 17, 2196, 1, 0, 0 },
    { "suricata-tls-subject-zero__input.pcap", CAP_FMT_PCAP, 15, 15, 7446, 1, 0, 0 },
    { "suricata__tls-client-auth.pcap", CAP_FMT_PCAP, 22, 22, 7800, 1, 0, 0 },
    { "zeek-mysql__encrypted.pcap", CAP_FMT_PCAP, 18, 18, 2672, 1, 0, 0 },
    { "zeek__certificate-request-failed.pcap", CAP_FMT_PCAP, 12, 12, 4091, 1, 0, 0 },
    { "zeek__client-certificate.pcap", CAP_FMT_PCAP, 31, 31, 13796, 1, 0, 0 },
    { "zeek__hrr.pcap", CAP_FMT_PCAP, 19, 19, 2618, 1, 0, 0 },
    { "zeek__openjdk-25.0.2-zeek.org.pcap", CAP_FMT_PCAP, 6, 6, 3377, 1, 0, 0 },
    { "zeek__pop3-starttls.pcap", CAP_FMT_PCAP, 33, 33, 3441, 1, 0, 0 },
    { "zeek__smtp-starttls.pcap", CAP_FMT_PCAP, 37, 37, 5627, 1, 0, 0 },
    { "zeek__ssl-v2.pcap", CAP_FMT_PCAP, 25, 25, 1814, 1, 0, 0 },
    { "zeek__tls-1.2-handshake-failure.pcap", CAP_FMT_PCAP, 11, 11, 185, 1, 0, 0 },
    { "zeek__tls-early-alert.pcap", CAP_FMT_PCAP, 17, 17, 6771, 1, 0, 0 },
    { "zeek__tls-expired-cert.pcap", CAP_FMT_PCAP, 49, 49, 9968, 2, 0, 0 },
    { "zeek__tls13draft16-ff52.a01-aborted.pcap", CAP_FMT_PCAP, 20, 20, 744, 2, 0, 0 },
};

static void path_of(char *buf, size_t len, const char *file)
{
    snprintf(buf, len, "%s/%s", corpus, file);
}

/* ---- reading a whole capture ------------------------------------------------ */

struct tally {
    unsigned packets, tcp, bad;
    unsigned long tcp_bytes;
    unsigned opens, ends;
    uint64_t last_frame;
    struct ev_time first_ts;
    enum status end;
    char err[256];
};

static void *count_open(void *ctx, const struct cap_flow_info *info)
{
    ((struct tally *)ctx)->opens++;
    return NULL;
}

static void count_end(void *ctx, void *user)
{
    ((struct tally *)ctx)->ends++;
}

static void drain_source(struct cap_source *src, struct tally *t)
{
    const struct cap_flow_handler h = { .ctx = t, .on_open = count_open, .on_end = count_end };
    struct cap_flows *flows = cap_flows_new(&h);
    struct cap_packet pkt;
    enum status st;

    while ((st = cap_source_next(src, &pkt, t->err, sizeof t->err)) == ST_OK) {
        struct cap_tcp_segment seg;
        enum cap_skip_reason skip;
        t->packets++;
        if (pkt.frame != t->last_frame + 1) {
            t->bad++;
        }
        t->last_frame = pkt.frame;
        if (pkt.frame == 1) {
            t->first_ts = pkt.ts;
        }
        enum status ds = cap_decode(&pkt, &seg, &skip);
        if (ds == ST_OK) {
            t->tcp++;
            t->tcp_bytes += seg.payload_wire_len;
            cap_flows_add(flows, &seg, pkt.frame, pkt.ts);
        } else if (ds != ST_UNSUPPORTED) {
            t->bad++;
        }
    }
    t->end = st;
    cap_flows_finish(flows);
    cap_flows_free(flows);
}

static void run_corpus(void)
{
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char path[1200];
        char err[256] = "";
        struct cap_source *src = NULL;
        struct tally t = { 0 };
        const char *name = files[i].file;

        path_of(path, sizeof path, name);
        enum status st = cap_source_open_file(path, &src, err, sizeof err);
        CHECK_INT(st, ST_OK, name);
        if (st != ST_OK) {
            fprintf(stderr, "  %s: %s\n", name, err);
            continue;
        }
        CHECK_INT(cap_source_format(src), files[i].fmt, name);
        drain_source(src, &t);
        CHECK_STR(status_name(t.end), status_name(ST_INCOMPLETE), name);
        CHECK_INT(t.packets, files[i].packets, name);
        CHECK_INT(t.tcp, files[i].tcp, name);
        CHECK_INT(t.tcp_bytes, files[i].tcp_bytes, name);
        CHECK_INT(t.opens, files[i].streams, name);
        CHECK_INT(t.ends, t.opens, name);
        CHECK_INT(t.bad, 0, name);
        if (files[i].first_sec) {
            CHECK_INT(t.first_ts.sec, files[i].first_sec, name);
            CHECK_INT(t.first_ts.nsec, files[i].first_nsec, name);
        }
        /* Progress: a plain file is consumed to its end, a gzip one as well. */
        struct stat sb;
        if (stat(path, &sb) == 0) {
            CHECK_INT(cap_source_position(src), sb.st_size, name);
        }
        cap_source_close(src);
    }
}

/* The same bytes through an in-memory stream. */
static void run_fmemopen(void)
{
    char path[1200];
    size_t len = 0;

    path_of(path, sizeof path, "ndpi__anydesk.pcapng");
    uint8_t *buf = tl_read_file(path, &len);
    CHECK(buf != NULL, "read anydesk");
    if (!buf) {
        return;
    }
    FILE *fp = fmemopen(buf, len, "rb");
    struct cap_source *src = NULL;
    struct tally t = { 0 };
    char err[256] = "";
    CHECK_INT(cap_source_open_fp(fp, &src, err, sizeof err), ST_OK, "fmemopen open");
    if (src) {
        drain_source(src, &t);
        CHECK_INT(t.packets, 174, "fmemopen packets");
        CHECK_INT(t.tcp, 170, "fmemopen tcp");
        CHECK_INT(cap_source_position(src), len, "fmemopen position");
        cap_source_close(src);
    }
    free(buf);
}

/* ---- damaged inputs ------------------------------------------------------- */

static char tmp_path[256];

static const char *write_tmp(const void *data, size_t len)
{
    const char *dir = getenv("TMPDIR");

    snprintf(tmp_path, sizeof tmp_path, "%s/tlsdiag-test-source-XXXXXX", dir ? dir : "/tmp");
    int fd = mkstemp(tmp_path);
    if (fd < 0) {
        return NULL;
    }
    const uint8_t *p = data;
    size_t done = 0;
    while (done < len) {
        ssize_t w = write(fd, p + done, len - done);
        if (w <= 0) {
            break;
        }
        done += (size_t)w;
    }
    close(fd);
    return done == len ? tmp_path : NULL;
}

struct outcome {
    enum status open;
    unsigned packets;
    enum status end;
    char err[256];
};

static void read_bytes(const void *data, size_t len, struct outcome *ret)
{
    struct cap_source *src = NULL;
    struct tally t = { 0 };
    const char *path = write_tmp(data, len);

    memset(ret, 0, sizeof *ret);
    if (!path) {
        ret->open = ST_INTERNAL;
        return;
    }
    ret->open = cap_source_open_file(path, &src, ret->err, sizeof ret->err);
    if (ret->open == ST_OK) {
        drain_source(src, &t);
        ret->packets = t.packets;
        ret->end = t.end;
        snprintf(ret->err, sizeof ret->err, "%s", t.err);
        cap_source_close(src);
    }
    unlink(path);
}

static void run_truncated(void)
{
    static const struct {
        const char *name;
        const char *file;
        size_t keep; /* bytes kept */
        enum status open;
        unsigned packets;
        enum status end;
        const char *msg; /* expected in the message */
    } cases[] = {
        /* arkime__pppoe.pcap records: #5 at 426, #6 at 1864 (1422 bytes). */
        { "pcap cut inside packet 6", "arkime__pppoe.pcap", 1864 + 16 + 100, ST_OK, 5, ST_TRUNCATED,
          "capture ends inside a packet at byte offset 1864" },
        { "pcap cut inside record header 6", "arkime__pppoe.pcap", 1864 + 5, ST_OK, 5, ST_TRUNCATED,
          "byte offset 1864" },
        { "pcap cut at a record boundary", "arkime__pppoe.pcap", 1864, ST_OK, 5, ST_INCOMPLETE,
          "" },
        { "pcap header only", "arkime__pppoe.pcap", 24, ST_OK, 0, ST_INCOMPLETE, "" },
        { "pcap header cut", "arkime__pppoe.pcap", 10, ST_TRUNCATED, 0, ST_OK,
          "capture ends inside its file header" },
        { "pcapng cut inside block at 29688", "ndpi__anydesk.pcapng", 30000, ST_OK, 93,
          ST_TRUNCATED, "capture ends inside a packet at byte offset 29688" },
        { "pcapng section header cut", "ndpi__anydesk.pcapng", 20, ST_TRUNCATED, 0, ST_OK,
          "capture ends inside its file header" },
        { "gzip cut", "scapy__tls_tcp_frag.pcap.gz", 2000, ST_OK, 2, ST_TRUNCATED,
          "capture ends inside a packet at uncompressed byte offset" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char path[1200];
        size_t len = 0;
        struct outcome o;
        path_of(path, sizeof path, cases[i].file);
        uint8_t *buf = tl_read_file(path, &len);
        CHECK(buf && len > cases[i].keep, cases[i].name);
        if (!buf || len <= cases[i].keep) {
            free(buf);
            continue;
        }
        read_bytes(buf, cases[i].keep, &o);
        free(buf);
        CHECK_STR(status_name(o.open), status_name(cases[i].open), cases[i].name);
        CHECK_INT(o.packets, cases[i].packets, cases[i].name);
        CHECK_STR(status_name(o.end), status_name(cases[i].end), cases[i].name);
        CHECK(strstr(o.err, cases[i].msg) != NULL, cases[i].name);
        if (!strstr(o.err, cases[i].msg)) {
            fprintf(stderr, "  message: %s\n", o.err);
        }
    }
}

static void run_not_captures(void)
{
    static const struct {
        const char *name;
        const char *bytes;
        size_t len;
        enum status want;
        const char *msg;
    } cases[] = {
        { "html", "<!DOCTYPE html><html></html>\n", 29, ST_UNSUPPORTED,
          "not a pcap or pcapng capture (starts with 3c 21 44 4f)" },
        { "empty", "", 0, ST_MALFORMED, "empty file" },
        { "three bytes", "\xd4\xc3\xb2", 3, ST_TRUNCATED, "too short" },
        { "gzip header only", "\x1f\x8b\x08\x00", 4, ST_MALFORMED, "gzip" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct outcome o;
        read_bytes(cases[i].bytes, cases[i].len, &o);
        CHECK_STR(status_name(o.open), status_name(cases[i].want), cases[i].name);
        CHECK(strstr(o.err, cases[i].msg) != NULL, cases[i].name);
        if (!strstr(o.err, cases[i].msg)) {
            fprintf(stderr, "  message: %s\n", o.err);
        }
    }

    /* Random bytes (a fixed LCG): a clean error, never a crash. */
    uint8_t rnd[4096];
    uint32_t x = 12345;
    for (size_t i = 0; i < sizeof rnd; i++) {
        x = x * 1103515245u + 12345u;
        rnd[i] = (uint8_t)(x >> 16);
    }
    struct outcome o;
    read_bytes(rnd, sizeof rnd, &o);
    CHECK_STR(status_name(o.open), status_name(ST_UNSUPPORTED), "random bytes");
    CHECK(strstr(o.err, "not a pcap or pcapng capture") != NULL, "random bytes message");

    /* A pcap magic followed by garbage: an error with an offset. */
    rnd[0] = 0xd4, rnd[1] = 0xc3, rnd[2] = 0xb2, rnd[3] = 0xa1;
    rnd[4] = 2, rnd[5] = 0, rnd[6] = 4, rnd[7] = 0;
    read_bytes(rnd, sizeof rnd, &o);
    CHECK(o.open != ST_OK || o.end != ST_OK, "pcap magic + garbage");
    CHECK(o.err[0] != '\0', "pcap magic + garbage: message");

    /* Text compressed with gzip. */
    const char *path = write_tmp("", 0);
    if (path) {
        gzFile gz = gzopen(path, "wb");
        gzputs(gz, "this is a text file, not a capture\n");
        gzclose(gz);
        struct cap_source *src = NULL;
        char err[256] = "";
        CHECK_INT(cap_source_open_file(path, &src, err, sizeof err), ST_UNSUPPORTED, "gzip text");
        CHECK(strstr(err, "gzip-compressed file is not a pcap or pcapng capture (starts with "
                          "74 68 69 73)") != NULL,
              "gzip text message");
        unlink(path);
    }

    struct cap_source *src = NULL;
    char err[256] = "";
    CHECK_INT(cap_source_open_file("/nonexistent/x.pcap", &src, err, sizeof err), ST_UNSUPPORTED,
              "missing file");
    CHECK(strstr(err, "cannot open") != NULL, "missing file message");
}

/* A pcapng whose second interface has another link type: libpcap 1.10 stops
 * at it; we say why. Little-endian blocks: SHB, IDB(Ethernet), EPB on 0,
 * IDB(raw IP), EPB on 1. */
static void run_mixed_linktypes(void)
{
    static const char *hex = "0a0d0d0a 1c000000 4d3c2b1a 0100 0000 ffffffffffffffff 1c000000"
                             "01000000 14000000 0100 0000 ffff0000 14000000"
                             "06000000 30000000 00000000 00000000 00000000 0e000000 0e000000"
                             "ffffffffffff 020000000001 0806 0000 30000000"
                             "01000000 14000000 6500 0000 ffff0000 14000000"
                             "06000000 30000000 01000000 00000000 00000000 0e000000 0e000000"
                             "ffffffffffff 020000000001 0806 0000 30000000";
    uint8_t buf[256];
    long n = tl_hex(hex, buf, sizeof buf);
    struct outcome o;

    read_bytes(buf, (size_t)n, &o);
    CHECK_INT(o.open, ST_OK, "mixed link types: open");
    CHECK_INT(o.packets, 1, "mixed link types: first packet read");
    CHECK_STR(status_name(o.end), status_name(ST_UNSUPPORTED), "mixed link types: end");
    CHECK(strstr(o.err, "different link types") != NULL, "mixed link types: message");
}

static void run_sniff(void)
{
    static const uint8_t pcap_le[] = { 0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0 };
    static const uint8_t pcapng[] = { 0x0a, 0x0d, 0x0d, 0x0a, 0x1c, 0, 0, 0 };
    static const uint8_t nsec_be[] = { 0xa1, 0xb2, 0x3c, 0x4d };
    static const uint8_t text[] = "<!DOCTYPE";
    char path[1200];
    size_t len = 0;

    CHECK(cap_sniff(pcap_le, sizeof pcap_le), "sniff pcap");
    CHECK(cap_sniff(pcapng, sizeof pcapng), "sniff pcapng");
    CHECK(cap_sniff(nsec_be, sizeof nsec_be), "sniff nanosecond pcap");
    CHECK(!cap_sniff(text, sizeof text - 1), "sniff text");
    CHECK(!cap_sniff(pcap_le, 3), "sniff too short");
    path_of(path, sizeof path, "scapy__tls_tcp_frag.pcap.gz");
    uint8_t *gz = tl_read_file(path, &len);
    if (gz) {
        CHECK(cap_sniff(gz, len), "sniff gzip pcap");
        free(gz);
    }
    uint8_t zbuf[128];
    uLongf zlen = sizeof zbuf;
    /* A gzip stream of text: compress2 makes zlib format, so build gzip by hand
     * through deflateInit2 with the gzip wrapper. */
    z_stream zs = { 0 };
    if (deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) == Z_OK) {
        zs.next_in = (Bytef *)(uintptr_t) "hello, plain text";
        zs.avail_in = 17;
        zs.next_out = zbuf;
        zs.avail_out = sizeof zbuf;
        (void)deflate(&zs, Z_FINISH);
        zlen = sizeof zbuf - zs.avail_out;
        deflateEnd(&zs);
        CHECK(!cap_sniff(zbuf, zlen), "sniff gzip text");
    }
}

int main(void)
{
    const char *shared = getenv("TLSDIAG_SHARED");
    struct stat sb;

    snprintf(corpus, sizeof corpus, "%s/corpus/public", shared ? shared : "");
    if (!shared || stat(corpus, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        printf("skipped: %s not found\n", corpus);
        return 77;
    }
    run_corpus();
    run_fmemopen();
    run_truncated();
    run_not_captures();
    run_mixed_linktypes();
    run_sniff();
    return tl_done();
}
