/*
 * fuzz_tls_certificate.c - Certificate bodies; the first byte's low bit
 * picks the TLS 1.3 layout; on success the list is walked and the walk must
 * agree with the count.
 */
#include <stddef.h>
#include <stdint.h>

#include "tls_certificate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct parse_error err = { 0 };
    struct cursor c;
    struct tls_certificate cert;
    uint8_t mode;

    cur_init(&c, data, size, 0, &err);
    if (cur_u8(&c, &mode) != ST_OK) {
        return 0;
    }
    if (tls_certificate_parse(&c, mode & 1, &cert) != ST_OK) {
        return 0;
    }
    struct bytes der;
    size_t pos = 0, count = 0;
    while (tls_certificate_next(&cert, &pos, &der)) {
        count++;
    }
    if (count != cert.count) {
        __builtin_trap(); /* the walk must agree with the check */
    }
    return 0;
}
