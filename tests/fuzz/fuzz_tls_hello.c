/*
 * fuzz_tls_hello.c - ClientHello (first byte even) or ServerHello (odd)
 * bodies; on success every list is walked and every value named.
 */
#include <stddef.h>
#include <stdint.h>

#include "tls_cert_request.h"
#include "tls_hello.h"
#include "tls_names.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct parse_error err = { 0 };
    struct cursor c;
    uint8_t mode;
    char buf[32];

    cur_init(&c, data, size, 0, &err);
    if (cur_u8(&c, &mode) != ST_OK) {
        return 0;
    }
    if (mode & 1) {
        struct tls_server_hello sh;
        if (tls_server_hello_parse(&c, &sh) == ST_OK) {
            (void)tls_cipher_suite_str(sh.cipher_suite, buf, sizeof buf);
            (void)tls_version_str(sh.selected_version, buf, sizeof buf);
            (void)tls_group_str(sh.key_share_group, buf, sizeof buf);
        }
        return 0;
    }
    struct tls_client_hello ch;
    if (tls_client_hello_parse(&c, &ch) != ST_OK) {
        return 0;
    }
    struct bytes lists[] = { ch.cipher_suites, ch.supported_versions, ch.signature_algorithms,
                             ch.supported_groups };
    for (size_t k = 0; k < sizeof lists / sizeof lists[0]; k++) {
        for (size_t i = 0; i < tls_u16_list_count(lists[k]); i++) {
            uint16_t v = tls_u16_list_get(lists[k], i);
            (void)tls_cipher_suite_str(v, buf, sizeof buf);
            (void)tls_sig_scheme_str(v, buf, sizeof buf);
        }
    }
    struct bytes item;
    size_t pos = 0;
    while (tls_alpn_next(ch.alpn, &pos, &item)) {
    }
    pos = 0;
    while (tls_dn_next(ch.certificate_authorities, &pos, &item)) {
    }
    return 0;
}
