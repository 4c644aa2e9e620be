/*
 * tls_certificate.h - the Certificate message in its two layouts:
 *   TLS <= 1.2 (RFC 5246 7.4.2):
 *       opaque ASN.1Cert<1..2^24-1>;
 *       struct { ASN.1Cert certificate_list<0..2^24-1>; } Certificate;
 *   TLS 1.3 (RFC 8446 4.4.2):
 *       struct { opaque cert_data<1..2^24-1>;  (or RawPublicKey)
 *                Extension extensions<0..2^16-1>; } CertificateEntry;
 *       struct { opaque certificate_request_context<0..2^8-1>;
 *                CertificateEntry certificate_list<0..2^24-1>; } Certificate;
 * The list is validated once and kept as a view; tls_certificate_next()
 * walks it.
 */
#ifndef TLSDIAG_TLS_CERTIFICATE_H
#define TLSDIAG_TLS_CERTIFICATE_H

#include <stdbool.h>

#include "cursor.h"

struct tls_certificate {
    bool tls13;
    struct bytes context; /* TLS 1.3 only */
    struct bytes list;    /* the certificate_list body */
    size_t count;         /* number of certificates (entries) */
};

/* Validates every entry length (and TLS 1.3 extension blocks); caps the
 * count at CAP_CERTS_PER_CHAIN (ST_LIMIT). */
MUST_USE enum status tls_certificate_parse(struct cursor *msg, bool tls13,
                                           struct tls_certificate *ret);

/* Walk a validated list: *pos starts at 0; returns false at the end. */
bool tls_certificate_next(const struct tls_certificate *cert, size_t *pos, struct bytes *ret_der);

#endif
