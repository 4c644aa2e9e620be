/*
 * fuzz_tls_cert_request.c - CertificateRequest bodies; the first byte picks
 * the shape (0: SSLv3..TLS 1.1, 1: TLS 1.2, 2: TLS 1.3); on success the CA
 * list and the algorithm lists are walked.
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
    struct tls_cert_request cr;
    uint8_t mode;
    enum status st;
    char buf[32];

    cur_init(&c, data, size, 0, &err);
    if (cur_u8(&c, &mode) != ST_OK) {
        return 0;
    }
    switch (mode % 3) {
    case 0:
        st = tls_cert_request_parse10(&c, &cr);
        break;
    case 1:
        st = tls_cert_request_parse12(&c, &cr);
        break;
    default:
        st = tls_cert_request_parse13(&c, &cr);
        break;
    }
    if (st != ST_OK) {
        return 0;
    }
    struct bytes dn;
    size_t pos = 0, count = 0;
    while (tls_dn_next(cr.ca_list, &pos, &dn)) {
        count++;
    }
    if (count != cr.ca_count) {
        __builtin_trap(); /* the walk must agree with the check */
    }
    for (size_t i = 0; i < cr.cert_types.len; i++) {
        (void)tls_cert_type_str(cr.cert_types.ptr[i], buf, sizeof buf);
    }
    for (size_t i = 0; i < tls_u16_list_count(cr.sig_algs); i++) {
        (void)tls_sig_scheme_str(tls_u16_list_get(cr.sig_algs, i), buf, sizeof buf);
    }
    return 0;
}
