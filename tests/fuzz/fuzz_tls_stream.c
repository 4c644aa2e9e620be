/*
 * fuzz_tls_stream.c - the TLS framing and evidence step (tls_stream,
 * tls_session) driven by arbitrary two-sided byte streams. The input is a
 * sequence of operations: one byte (bit 0: side; bits 1-2: 0/1 data,
 * 2 gap, 3 close), one length byte, then that many data bytes. Stream
 * offsets follow the data, as captures/ would give them. The key log of
 * the tls13-no-cert fixture is loaded, so mutations of its seed reach the
 * decryption paths (records that open, that fail, KeyUpdate, renegotiation).
 */
#include <stddef.h>
#include <stdint.h>

#include "caps.h"
#include "evidence.h"
#include "tls_keylog.h"
#include "tls_stream.h"
#include "x509.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define RANDOM "001dcca7fb1064ccc1585b4f0d5d7762e94b82dfebec49bb2b8252dfe01ea828 "
static const char keylog_text[] =
    "SERVER_HANDSHAKE_TRAFFIC_SECRET " RANDOM
    "a4ef8edb368b2081eaafc132a2b3dd2d6cf09fb83a06483a66920b978755eafab8300346c9c32563055e1d6645d2"
    "7140\n"
    "SERVER_TRAFFIC_SECRET_0 " RANDOM
    "de260773d20ed2ceb56079dfd4f58801dfb45f627d3f74ce582c2337da51f42b5bb84e0025393edb7a85bb2eaaf6"
    "d0a5\n"
    "CLIENT_HANDSHAKE_TRAFFIC_SECRET " RANDOM
    "88be97275b572ad5d08c8ba4974f719e6b4c14bced941ca7ef043d8327fe8d5a85365bd11887e3bb788cb5f99887"
    "5f83\n"
    "CLIENT_TRAFFIC_SECRET_0 " RANDOM
    "ceaa3aef3276b678d019296eb990e25772e7d7c92a517440e0847c7c686d85ccca84e4b9c90bd88d9016ad190563"
    "0e64\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct evidence ev;
    ev_init(&ev);
    struct x509_cache *certs = x509_cache_new(&ev.arena);
    size_t buffered = 0;
    static struct tls_keylog keylog;
    if (keylog.count == 0) {
        (void)tls_keylog_add_text(&keylog, (const uint8_t *)keylog_text, sizeof keylog_text - 1);
    }
    struct tls_stream_env env = {
        .ev = &ev,
        .certs = certs,
        .path = "fuzz",
        .buffered = &buffered,
        .keylog = &keylog,
        .names = dn_cache_new(&ev.arena),
    };
    struct ev_endpoint a = { .ip = "10.0.0.1", .port = 40000 };
    struct ev_endpoint b = { .ip = "10.0.0.2", .port = 443 };
    struct tls_stream *s = tls_stream_new(&env, 1, &a, &b);
    uint64_t offset[2] = { 0, 0 };
    uint64_t frame = 1;
    size_t pos = 0;

    while (s && pos + 2 <= size) {
        uint8_t op = data[pos], len = data[pos + 1];
        int side = op & 1;
        pos += 2;
        size_t n = len <= size - pos ? len : size - pos;
        struct ev_time ts = { .sec = 1700000000 + (int64_t)frame, .nsec = 0 };
        switch ((op >> 1) & 3) {
        case 0:
        case 1:
            tls_stream_data(s, side, data + pos, n, offset[side], frame, ts);
            offset[side] += n;
            pos += n;
            break;
        case 2:
            tls_stream_gap(s, side, offset[side], len, frame);
            offset[side] += len;
            break;
        default:
            tls_stream_close(s, side, (op & 8) != 0, frame, ts);
            break;
        }
        frame++;
    }
    tls_stream_end(s);
    dn_cache_free(env.names);
    x509_cache_free(certs);
    ev_fini(&ev);
    return 0;
}
