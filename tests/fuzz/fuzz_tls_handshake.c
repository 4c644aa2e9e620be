/*
 * fuzz_tls_handshake.c - the reassembler fed with records of a size chosen
 * by the first input byte (1..256 bytes, or whole), with the size cap chosen
 * by the second, and every complete message handed to its parser (both
 * Certificate layouts, all three CertificateRequest shapes), its lists walked.
 */
#include <stddef.h>
#include <stdint.h>

#include "caps.h"
#include "tls_cert_request.h"
#include "tls_certificate.h"
#include "tls_handshake.h"
#include "tls_hello.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct tls_hs_reasm r;
    struct cursor in;
    uint8_t split;
    uint8_t cap_sel;

    cur_init(&in, data, size, 0, NULL);
    if (cur_u8(&in, &split) != ST_OK || cur_u8(&in, &cap_sel) != ST_OK) {
        return 0;
    }
    size_t rec_len = split == 0 ? CAP_TLS_RECORD_MAX : (size_t)split;
    tls_hs_reasm_init(&r, cap_sel & 1 ? 300 : CAP_TLS_HS_MSG_MAX);
    for (uint64_t ref = 0; cur_left(&in) > 0; ref++) {
        struct bytes body;
        size_t n = cur_left(&in) < rec_len ? cur_left(&in) : rec_len;
        struct tls_hs_msg m;
        enum status st;
        if (cur_take(&in, n, &body) != ST_OK ||
            tls_hs_reasm_feed(&r, body, cur_offset(&in) + 5 * ref, ref) != ST_OK) {
            break;
        }
        while ((st = tls_hs_reasm_next(&r, ref, &m)) != ST_INCOMPLETE) {
            struct cursor c;
            struct tls_client_hello ch;
            struct tls_server_hello sh;
            struct tls_certificate cert;
            struct tls_cert_request cr;
            struct bytes item;
            size_t pos = 0;
            enum status ps;
            if (st != ST_OK) {
                if (st != ST_LIMIT) {
                    break;
                }
                continue;
            }
            cur_init_bytes(&c, m.body, m.offset + 4, NULL);
            switch (m.type) {
            case 1:
                if (tls_client_hello_parse(&c, &ch) == ST_OK) {
                    while (tls_alpn_next(ch.alpn, &pos, &item)) {
                    }
                    pos = 0;
                    while (tls_dn_next(ch.certificate_authorities, &pos, &item)) {
                    }
                }
                break;
            case 2:
                ps = tls_server_hello_parse(&c, &sh);
                (void)ps;
                break;
            case 11:
                if (tls_certificate_parse(&c, cap_sel & 2, &cert) == ST_OK) {
                    while (tls_certificate_next(&cert, &pos, &item)) {
                    }
                }
                break;
            case 13:
                ps = cap_sel & 4 ? tls_cert_request_parse13(&c, &cr)
                                 : (cap_sel & 8 ? tls_cert_request_parse10(&c, &cr)
                                                : tls_cert_request_parse12(&c, &cr));
                if (ps == ST_OK) {
                    while (tls_dn_next(cr.ca_list, &pos, &item)) {
                    }
                }
                break;
            default:
                break;
            }
        }
        if (st != ST_INCOMPLETE) {
            break;
        }
    }
    (void)tls_hs_reasm_pending(&r);
    tls_hs_reasm_reset(&r);
    tls_hs_reasm_fini(&r);
    return 0;
}
