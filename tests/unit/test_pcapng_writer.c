/*
 * test_pcapng_writer.c - the writer of `tlsdiag live -w`: packets written
 * as pcapng (nanosecond and microsecond if_tsresol) and as classic pcap
 * read back through cap_source (libpcap) with the same frames, lengths,
 * times and bytes; odd lengths exercise the 32-bit padding of EPBs, a
 * cut packet (caplen < wirelen) the original length.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture.h"
#include "pcapng_writer.h"
#include "testlib.h"

#define DLT_EN10MB_ 1

static const struct {
    uint32_t caplen, wirelen;
    int64_t sec;
    uint32_t nsec;
} pkts[] = {
    { .caplen = 60, .wirelen = 60, .sec = 1700000000, .nsec = 123456789 },
    { .caplen = 1, .wirelen = 1, .sec = 1700000001, .nsec = 0 },
    { .caplen = 1515, .wirelen = 1515, .sec = 1700000002, .nsec = 999999000 },
    { .caplen = 0, .wirelen = 0, .sec = 1700000003, .nsec = 1000 },
    { .caplen = 70, .wirelen = 9000, .sec = 1700000004, .nsec = 500 },
};

static void round_trip(const char *name, bool nano)
{
    char path[] = "/tmp/test_pcapng_writer_XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0, name);
    close(fd);
    char file[64];
    snprintf(file, sizeof file, "%s%s", path, strstr(name, "pcapng") ? ".pcapng" : ".pcap");
    unlink(path);

    static uint8_t data[2048];
    for (size_t i = 0; i < sizeof data; i++) {
        data[i] = (uint8_t)(i * 7 + 3);
    }
    char err[256] = "";
    struct cap_writer *w = NULL;
    CHECK(cap_writer_open(file, DLT_EN10MB_, 262144, nano, "lo", &w, err, sizeof err) == ST_OK,
          err);
    if (!w) {
        return;
    }
    size_t n = sizeof pkts / sizeof pkts[0];
    for (size_t i = 0; i < n; i++) {
        struct cap_packet p = {
            .frame = i + 1,
            .ts = { .sec = pkts[i].sec, .nsec = pkts[i].nsec },
            .data = data + i,
            .caplen = pkts[i].caplen,
            .wirelen = pkts[i].wirelen,
            .linktype = DLT_EN10MB_,
        };
        CHECK(cap_writer_write(w, &p) == ST_OK, name);
    }
    CHECK_INT(cap_writer_packets(w), n, name);
    CHECK(cap_writer_close(w, err, sizeof err) == ST_OK, err);

    struct cap_source *src = NULL;
    CHECK(cap_source_open_file(file, &src, err, sizeof err) == ST_OK, err);
    if (!src) {
        unlink(file);
        return;
    }
    CHECK_INT(cap_source_format(src), strstr(name, "pcapng") ? CAP_FMT_PCAPNG : CAP_FMT_PCAP, name);
    struct cap_packet got;
    size_t i = 0;
    while (cap_source_next(src, &got, err, sizeof err) == ST_OK) {
        if (i >= n) {
            CHECK(0, "too many packets");
            break;
        }
        uint32_t want_nsec = nano ? pkts[i].nsec : pkts[i].nsec / 1000u * 1000u;
        CHECK_INT(got.frame, i + 1, name);
        CHECK_INT(got.caplen, pkts[i].caplen, name);
        CHECK_INT(got.wirelen, pkts[i].wirelen, name);
        CHECK_INT(got.ts.sec, pkts[i].sec, name);
        CHECK_INT(got.ts.nsec, want_nsec, name);
        CHECK_INT(got.linktype, DLT_EN10MB_, name);
        CHECK(got.caplen == 0 || memcmp(got.data, data + i, got.caplen) == 0, name);
        i++;
    }
    CHECK_INT(i, n, name);
    cap_source_close(src);
    unlink(file);
}

int main(void)
{
    round_trip("pcapng nanoseconds", true);
    round_trip("pcapng microseconds", false);
    round_trip("pcap nanoseconds", true);
    round_trip("pcap microseconds", false);

    char err[256] = "";
    struct cap_writer *w = NULL;
    CHECK(cap_writer_open("/nonexistent-dir/x.pcapng", DLT_EN10MB_, 65535, false, NULL, &w, err,
                          sizeof err) != ST_OK,
          "unwritable path");
    CHECK(strstr(err, "/nonexistent-dir/x.pcapng") != NULL, err);
    CHECK(cap_writer_close(NULL, err, sizeof err) == ST_OK, "close(NULL)");
    return tl_done();
}
