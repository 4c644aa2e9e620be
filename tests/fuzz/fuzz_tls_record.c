/*
 * fuzz_tls_record.c - the record layer as tls_stream drives it: the start
 * test at every offset of a plaintext prefix, then records walked one by one
 * (SSLv2 hello first if that is how the stream starts), alerts parsed out of
 * alert records.
 */
#include <stddef.h>
#include <stdint.h>

#include "tls_alert.h"
#include "tls_record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct parse_error err = { 0 };
    struct cursor c;
    size_t start = 0;
    enum tls_start_kind kind = TLS_START_NONE;

    /* Where would the scanner start? (bounded like CAP_TLS_SCAN_BYTES) */
    for (start = 0; start < size && start < 4096; start++) {
        kind = tls_start_detect(data + start, size - start);
        if (kind != TLS_START_NONE) {
            break;
        }
    }
    if (kind == TLS_START_NONE) {
        start = 0;
    }
    cur_init(&c, data, size, 0, &err);
    if (cur_skip(&c, start) != ST_OK) {
        return 0;
    }
    if (kind == TLS_START_SSLV2_HELLO) {
        struct tls_sslv2_hello h;
        size_t rec_len;
        if (tls_sslv2_hello_parse(&c, &rec_len, &h) != ST_OK) {
            return 0;
        }
    }
    for (;;) {
        struct tls_record_header h;
        struct cursor body;
        if (tls_record_header_parse(&c, &h) != ST_OK) {
            break;
        }
        if (cur_sub(&c, h.length, &body) != ST_OK) {
            break;
        }
        while (h.type == TLS_CT_ALERT && cur_left(&body) > 0) {
            struct tls_alert a;
            if (tls_alert_parse(&body, &a) != ST_OK) {
                break;
            }
        }
    }
    return 0;
}
