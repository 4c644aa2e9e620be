/*
 * fuzz_tls_stream.c - the TLS framing and evidence step (tls_stream,
 * tls_session) driven by arbitrary two-sided byte streams. The input is a
 * sequence of operations: one byte (bit 0: side; bits 1-2: 0/1 data,
 * 2 gap, 3 close), one length byte, then that many data bytes. Stream
 * offsets follow the data, as captures/ would give them.
 */
#include <stddef.h>
#include <stdint.h>

#include "caps.h"
#include "evidence.h"
#include "tls_stream.h"
#include "x509.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct evidence ev;
    ev_init(&ev);
    struct x509_cache *certs = x509_cache_new(&ev.arena);
    size_t buffered = 0;
    struct tls_stream_env env = {
        .ev = &ev, .certs = certs, .path = "fuzz", .buffered = &buffered
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
    x509_cache_free(certs);
    ev_fini(&ev);
    return 0;
}
