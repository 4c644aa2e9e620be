/*
 * test_tls_handshake.c - the handshake reassembler: several messages in one
 * record, one message over many records (split at every byte boundary, and
 * at every pair of boundaries), zero-length messages, stream offsets and
 * record refs, the size cap (a 16 MB claim is ST_LIMIT once, skipped without
 * a big allocation), reset, and misuse.
 */
#include <stdlib.h>
#include <string.h>

#include "caps.h"
#include "testlib.h"
#include "tls_handshake.h"

/*
 * A server flight from real captures: ServerHello (suricata
 * linktype-228 flow-test-01.pcap), empty Certificate and TLS 1.1
 * CertificateRequest (zeek mysql encrypted.pcap), ServerHelloDone, and a
 * HelloRequest: five messages, two of them zero-length.
 */
#define FLIGHT                                                                                  \
    "02000026 0303 4141414142424242424242424242424242424242424242424242424242424242 00 c014 00" \
    "0b000003 000000"                                                                           \
    "0d000005 02 0102 0000"                                                                     \
    "0e000000"                                                                                  \
    "00000000"

static const struct {
    uint8_t type;
    size_t start; /* index of the header in FLIGHT */
    size_t length;
} flight_msgs[] = {
    { 2, 0, 38 }, { 11, 42, 3 }, { 13, 49, 5 }, { 14, 58, 0 }, { 0, 62, 0 },
};
#define FLIGHT_MSGS (sizeof flight_msgs / sizeof flight_msgs[0])

/* Record i starts at flight index cuts[i]; its body sits at stream offset
 * 1000 * (i + 1) + 5 (a record header before each) and its ref is 100 + i. */
static uint64_t body_offset(size_t rec)
{
    return 1000u * (rec + 1) + 5;
}

static size_t record_of(const size_t *cuts, size_t ncuts, size_t index)
{
    size_t rec = 0;
    while (rec + 1 < ncuts && cuts[rec + 1] <= index) {
        rec++;
    }
    return rec;
}

/* Feeds FLIGHT cut into records at `cuts` (cuts[0] == 0) and checks every
 * message. Returns the number of messages seen. */
static size_t run_flight(const uint8_t *flight, size_t n, const size_t *cuts, size_t ncuts,
                         const char *what)
{
    struct tls_hs_reasm r;
    struct tls_hs_msg m;
    size_t seen = 0;

    tls_hs_reasm_init(&r, CAP_TLS_HS_MSG_MAX);
    for (size_t rec = 0; rec < ncuts; rec++) {
        size_t from = cuts[rec];
        size_t to = rec + 1 < ncuts ? cuts[rec + 1] : n;
        struct bytes body = { .ptr = flight + from, .len = to - from };
        CHECK_INT(tls_hs_reasm_feed(&r, body, body_offset(rec), 100 + rec), ST_OK, what);
        enum status st;
        while ((st = tls_hs_reasm_next(&r, 100 + rec, &m)) == ST_OK) {
            if (seen >= FLIGHT_MSGS) {
                CHECK(0, "more messages than sent");
                break;
            }
            size_t start = flight_msgs[seen].start;
            size_t last = start + TLS_HS_HEADER_LEN + flight_msgs[seen].length - 1;
            size_t rec_first = record_of(cuts, ncuts, start);
            size_t rec_last = record_of(cuts, ncuts, last);
            CHECK_INT(m.type, flight_msgs[seen].type, what);
            CHECK_INT(m.length, flight_msgs[seen].length, what);
            CHECK_INT(m.body.len, flight_msgs[seen].length, what);
            CHECK(m.body.len == 0 ||
                      memcmp(m.body.ptr, flight + start + TLS_HS_HEADER_LEN, m.body.len) == 0,
                  what);
            CHECK_INT(m.offset, body_offset(rec_first) + (start - cuts[rec_first]), what);
            CHECK_INT(m.ref_first, 100 + rec_first, what);
            CHECK_INT(m.ref_last, 100 + rec_last, what);
            seen++;
        }
        CHECK_INT(st, ST_INCOMPLETE, what);
    }
    CHECK_INT(tls_hs_reasm_pending(&r), 0, what);
    CHECK_INT(r.err.status, ST_OK, what);
    tls_hs_reasm_fini(&r);
    return seen;
}

static void test_one_record(void)
{
    size_t n;
    uint8_t *f = tl_hex_exact(FLIGHT, &n);
    size_t cuts[] = { 0 };

    CHECK_INT(n, 66, "flight length");
    CHECK_INT(run_flight(f, n, cuts, 1, "one record"), FLIGHT_MSGS, "five messages, one record");
    free(f);
}

static void test_split_everywhere(void)
{
    size_t n;
    uint8_t *f = tl_hex_exact(FLIGHT, &n);

    for (size_t k = 1; k < n; k++) {
        size_t cuts[] = { 0, k };
        CHECK_INT(run_flight(f, n, cuts, 2, "two records"), FLIGHT_MSGS, "split at every byte");
    }
    for (size_t k1 = 1; k1 < n; k1++) {
        for (size_t k2 = k1 + 1; k2 < n; k2++) {
            size_t cuts[] = { 0, k1, k2 };
            CHECK_INT(run_flight(f, n, cuts, 3, "three records"), FLIGHT_MSGS,
                      "split at every pair of bytes");
        }
    }
    /* One byte per record. */
    size_t *cuts = malloc(n * sizeof *cuts);
    for (size_t i = 0; i < n; i++) {
        cuts[i] = i;
    }
    CHECK_INT(run_flight(f, n, cuts, n, "byte records"), FLIGHT_MSGS, "one byte per record");
    free(cuts);
    free(f);
}

static void test_zero_length_messages(void)
{
    size_t n;
    uint8_t *f = tl_hex_exact("0e000000 0e000000 00000000 0e000000", &n);
    struct tls_hs_reasm r;
    struct tls_hs_msg m;
    size_t count = 0;

    tls_hs_reasm_init(&r, 1024);
    CHECK_INT(tls_hs_reasm_feed(&r, (struct bytes){ .ptr = f, .len = n }, 10, 7), ST_OK,
              "feed zero-length messages");
    while (tls_hs_reasm_next(&r, 7, &m) == ST_OK) {
        CHECK_INT(m.length, 0, "zero length");
        CHECK_INT(m.body.len, 0, "empty body");
        CHECK_INT(m.offset, 10 + 4 * count, "offset");
        count++;
    }
    CHECK_INT(count, 4, "four empty messages");
    /* An empty record body is fine too. */
    CHECK_INT(tls_hs_reasm_feed(&r, (struct bytes){ 0 }, 99, 8), ST_OK, "empty record");
    CHECK_INT(tls_hs_reasm_next(&r, 8, &m), ST_INCOMPLETE, "nothing in an empty record");
    tls_hs_reasm_fini(&r);
    free(f);
}

/* A message as large as the cap allows, in 16 KB records; then one byte more. */
static void test_at_the_cap(void)
{
    size_t max = 64;
    struct tls_hs_reasm r;
    struct tls_hs_msg m;
    uint8_t at[4 + 64] = { 0x0b, 0x00, 0x00, 0x40 };
    uint8_t past[4 + 65] = { 0x0b, 0x00, 0x00, 0x41 };

    tls_hs_reasm_init(&r, max);
    CHECK_INT(tls_hs_reasm_feed(&r, (struct bytes){ .ptr = at, .len = sizeof at }, 0, 1), ST_OK,
              "at the cap");
    CHECK_INT(tls_hs_reasm_next(&r, 1, &m), ST_OK, "message of max bytes");
    CHECK_INT(m.length, 64, "length max");
    CHECK_INT(tls_hs_reasm_next(&r, 1, &m), ST_INCOMPLETE, "then nothing");
    CHECK_INT(tls_hs_reasm_feed(&r, (struct bytes){ .ptr = past, .len = sizeof past }, 68, 2),
              ST_OK, "one past the cap");
    CHECK_INT(tls_hs_reasm_next(&r, 2, &m), ST_LIMIT, "message of max + 1 bytes");
    CHECK_INT(m.type, 11, "limit: type");
    CHECK_INT(m.length, 65, "limit: length");
    CHECK_INT(m.body.len, 0, "limit: no body");
    CHECK_INT(m.offset, 68, "limit: offset");
    CHECK_INT(r.err.status, ST_LIMIT, "limit recorded");
    CHECK_INT(r.err.offset, 68, "limit offset recorded");
    CHECK_INT(tls_hs_reasm_next(&r, 2, &m), ST_INCOMPLETE, "body skipped, reported once");
    CHECK_INT(tls_hs_reasm_pending(&r), 0, "at a boundary again");
    tls_hs_reasm_fini(&r);

    /* The default cap: CAP_TLS_HS_MSG_MAX exactly, in 16 KB records. */
    size_t total = 4 + CAP_TLS_HS_MSG_MAX;
    uint8_t *big = calloc(total, 1);
    big[0] = 0x0b;
    big[1] = (uint8_t)(CAP_TLS_HS_MSG_MAX >> 16);
    big[2] = (uint8_t)(CAP_TLS_HS_MSG_MAX >> 8);
    big[3] = (uint8_t)CAP_TLS_HS_MSG_MAX;
    for (size_t i = 4; i < total; i++) {
        big[i] = (uint8_t)(i * 7);
    }
    tls_hs_reasm_init(&r, SIZE_MAX);
    CHECK_INT(r.max, CAP_TLS_HS_MSG_MAX, "max clamped to the cap");
    size_t got = 0;
    for (size_t off = 0; off < total; off += 16384) {
        size_t len = total - off < 16384 ? total - off : 16384;
        CHECK_INT(
            tls_hs_reasm_feed(&r, (struct bytes){ .ptr = big + off, .len = len }, off, off / 16384),
            ST_OK, "feed big");
        while (tls_hs_reasm_next(&r, off / 16384, &m) == ST_OK) {
            got++;
            CHECK_INT(m.length, CAP_TLS_HS_MSG_MAX, "big length");
            CHECK(memcmp(m.body.ptr, big + 4, CAP_TLS_HS_MSG_MAX) == 0, "big body intact");
            CHECK_INT(m.ref_first, 0, "big ref_first");
            CHECK_INT(m.ref_last, (total - 1) / 16384, "big ref_last");
        }
    }
    CHECK_INT(got, 1, "one message of the cap's size");
    CHECK(r.cap <= total, "buffer never past max + 4");
    tls_hs_reasm_fini(&r);
    free(big);
}

/* A peer claiming 16 MB: ST_LIMIT once, no big allocation, the body
 * skipped across records, the next message found. */
static void run_huge_claim(bool split_header)
{
    struct tls_hs_reasm r;
    struct tls_hs_msg m;
    const char *what = split_header ? "16 MB claim, split header" : "16 MB claim";
    static uint8_t chunk[16384];
    uint8_t head[] = { 0x0b, 0xff, 0xff, 0xff, 0xaa, 0xbb };
    uint64_t remaining = 0xffffff - 2; /* two body bytes came with the header */
    size_t limits = 0;
    uint64_t offset = 0;

    tls_hs_reasm_init(&r, CAP_TLS_HS_MSG_MAX);
    if (split_header) {
        CHECK_INT(tls_hs_reasm_feed(&r, (struct bytes){ .ptr = head, .len = 2 }, 0, 1), ST_OK,
                  what);
        CHECK_INT(tls_hs_reasm_next(&r, 1, &m), ST_INCOMPLETE, what);
        CHECK_INT(tls_hs_reasm_pending(&r), 2, what);
        CHECK_INT(tls_hs_reasm_feed(&r, (struct bytes){ .ptr = head + 2, .len = 4 }, 7, 2), ST_OK,
                  what);
        offset = 11;
    } else {
        CHECK_INT(tls_hs_reasm_feed(&r, (struct bytes){ .ptr = head, .len = sizeof head }, 0, 1),
                  ST_OK, what);
        offset = 6;
    }
    enum status st;
    while ((st = tls_hs_reasm_next(&r, 2, &m)) != ST_INCOMPLETE) {
        CHECK_INT(st, ST_LIMIT, what);
        CHECK_INT(m.type, 11, what);
        CHECK_INT(m.length, 0xffffff, what);
        CHECK_INT(m.offset, 0, what);
        CHECK_INT(m.ref_first, 1, what);
        limits++;
    }
    CHECK_INT(limits, 1, what);
    CHECK(r.cap <= 4096, "no big allocation");
    CHECK(tls_hs_reasm_pending(&r) > 0, "mid-message while skipping");
    while (remaining > 0) {
        size_t len = remaining < sizeof chunk ? (size_t)remaining : sizeof chunk;
        CHECK_INT(tls_hs_reasm_feed(&r, (struct bytes){ .ptr = chunk, .len = len }, offset, 3),
                  ST_OK, what);
        CHECK_INT(tls_hs_reasm_next(&r, 3, &m), ST_INCOMPLETE, what);
        remaining -= len;
        offset += len + 5;
    }
    CHECK(r.cap <= 4096, "still no big allocation");
    CHECK_INT(tls_hs_reasm_pending(&r), 0, "skip finished at the boundary");
    uint8_t done[] = { 0x0e, 0x00, 0x00, 0x00 };
    CHECK_INT(tls_hs_reasm_feed(&r, (struct bytes){ .ptr = done, .len = 4 }, offset, 4), ST_OK,
              what);
    CHECK_INT(tls_hs_reasm_next(&r, 4, &m), ST_OK, "next message after the skip");
    CHECK_INT(m.type, 14, what);
    CHECK_INT(m.offset, offset, what);
    tls_hs_reasm_fini(&r);
}

static void test_huge_claim(void)
{
    run_huge_claim(false);
    run_huge_claim(true);
}

static void test_reset(void)
{
    size_t n;
    uint8_t *f = tl_hex_exact(FLIGHT, &n);
    struct tls_hs_reasm r;
    struct tls_hs_msg m;

    tls_hs_reasm_init(&r, 1024);
    CHECK_INT(tls_hs_reasm_feed(&r, (struct bytes){ .ptr = f, .len = 20 }, 0, 1), ST_OK,
              "partial ServerHello");
    CHECK_INT(tls_hs_reasm_next(&r, 1, &m), ST_INCOMPLETE, "partial");
    CHECK_INT(tls_hs_reasm_pending(&r), 20, "20 bytes held");
    tls_hs_reasm_reset(&r);
    CHECK_INT(tls_hs_reasm_pending(&r), 0, "nothing held after reset");
    CHECK_INT(tls_hs_reasm_feed(&r, (struct bytes){ .ptr = f + 42, .len = n - 42 }, 500, 2), ST_OK,
              "fresh records after reset");
    CHECK_INT(tls_hs_reasm_next(&r, 2, &m), ST_OK, "Certificate after reset");
    CHECK_INT(m.type, 11, "type after reset");
    CHECK_INT(m.offset, 500, "offset after reset");
    CHECK_INT(m.ref_first, 2, "ref after reset");

    /* Reset while skipping an over-cap message stops the skip. */
    uint8_t huge[] = { 0x0b, 0x10, 0x00, 0x00 };
    CHECK_INT(tls_hs_reasm_next(&r, 2, &m), ST_OK, "drain");
    CHECK_INT(tls_hs_reasm_next(&r, 2, &m), ST_OK, "drain");
    CHECK_INT(tls_hs_reasm_next(&r, 2, &m), ST_OK, "drain");
    CHECK_INT(tls_hs_reasm_next(&r, 2, &m), ST_INCOMPLETE, "drained");
    CHECK_INT(tls_hs_reasm_feed(&r, (struct bytes){ .ptr = huge, .len = 4 }, 600, 3), ST_OK,
              "huge");
    CHECK_INT(tls_hs_reasm_next(&r, 3, &m), ST_LIMIT, "huge is over the cap");
    CHECK_INT(tls_hs_reasm_next(&r, 3, &m), ST_INCOMPLETE, "skipping");
    tls_hs_reasm_reset(&r);
    CHECK_INT(r.err.status, ST_OK, "error record cleared");
    CHECK_INT(tls_hs_reasm_feed(&r, (struct bytes){ .ptr = f + 58, .len = 4 }, 700, 4), ST_OK,
              "after reset");
    CHECK_INT(tls_hs_reasm_next(&r, 4, &m), ST_OK, "ServerHelloDone after reset");
    CHECK_INT(m.type, 14, "type");
    tls_hs_reasm_fini(&r);
    tls_hs_reasm_fini(&r); /* twice is harmless */
    free(f);
}

static void test_feed_without_drain(void)
{
    size_t n;
    uint8_t *f = tl_hex_exact(FLIGHT, &n);
    struct tls_hs_reasm r;
    struct tls_hs_msg m;

    tls_hs_reasm_init(&r, 1024);
    CHECK_INT(tls_hs_reasm_feed(&r, (struct bytes){ .ptr = f, .len = n }, 0, 1), ST_OK, "feed");
    CHECK_INT(tls_hs_reasm_next(&r, 1, &m), ST_OK, "first message only");
    CHECK_INT(tls_hs_reasm_feed(&r, (struct bytes){ .ptr = f, .len = n }, 100, 2), ST_INTERNAL,
              "feeding before draining is a programmer error");
    CHECK_INT(r.err.status, ST_INTERNAL, "recorded");
    CHECK_INT(tls_hs_reasm_next(&r, 1, &m), ST_OK, "the first record is still there");
    CHECK_INT(m.type, 11, "second message");
    tls_hs_reasm_fini(&r);
    free(f);
}

/* Many messages in many records: linear work (this would take minutes if
 * the buffer were moved per message). */
static void test_many_messages(void)
{
    static uint8_t rec[16384];
    struct tls_hs_reasm r;
    struct tls_hs_msg m;
    size_t count = 0;

    /* 4-byte ServerHelloDone headers, records cut at odd sizes so that
     * messages straddle record boundaries. */
    for (size_t i = 0; i < sizeof rec; i += 4) {
        rec[i] = 0x0e;
    }
    tls_hs_reasm_init(&r, 1024);
    size_t at = 0;
    for (size_t i = 0; i < 4000; i++) {
        size_t len = 4001 + (i % 7);
        size_t start = at % 4;
        CHECK_INT(tls_hs_reasm_feed(&r, (struct bytes){ .ptr = rec + start, .len = len }, at, i),
                  ST_OK, "feed many");
        while (tls_hs_reasm_next(&r, i, &m) == ST_OK) {
            count += m.type == 0x0e && m.length == 0;
        }
        at += len;
    }
    CHECK_INT(count, at / 4, "every message found");
    tls_hs_reasm_fini(&r);
}

int main(void)
{
    test_one_record();
    test_split_everywhere();
    test_zero_length_messages();
    test_at_the_cap();
    test_huge_claim();
    test_reset();
    test_feed_without_drain();
    test_many_messages();
    return tl_done();
}
