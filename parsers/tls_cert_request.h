/*
 * tls_cert_request.h - the CertificateRequest message, the heart of the
 * "which CA names does the server accept" question:
 *   TLS 1.0/1.1 and SSLv3 (RFC 4346 7.4.4): certificate_types, certificate_authorities
 *   TLS 1.2 (RFC 5246 7.4.4): + supported_signature_algorithms
 *   TLS 1.3 (RFC 8446 4.3.2): certificate_request_context and extensions
 *       (certificate_authorities 4.2.4, signature_algorithms 4.2.3,
 *        signature_algorithms_cert, oid_filters 4.2.5)
 * The CA list is validated once (tls_dn_list_check) and iterated later
 * with tls_dn_next(); nothing is allocated while parsing.
 */
#ifndef TLSDIAG_TLS_CERT_REQUEST_H
#define TLSDIAG_TLS_CERT_REQUEST_H

#include <stdbool.h>

#include "cursor.h"

struct tls_cert_request {
    struct bytes cert_types;    /* 1-byte entries (<= 1.2) */
    struct bytes sig_algs;      /* 2-byte entries (1.2; 1.3 signature_algorithms) */
    struct bytes sig_algs_cert; /* 1.3 signature_algorithms_cert */
    struct bytes ca_list;       /* DistinguishedName list body, validated */
    size_t ca_count;
    struct bytes context;     /* 1.3 */
    struct bytes oid_filters; /* 1.3, the OIDFilter list body (inside its length), validated */
    bool has_ca_extension;    /* 1.3: certificate_authorities present */
};

MUST_USE enum status tls_cert_request_parse10(struct cursor *msg, struct tls_cert_request *ret);
MUST_USE enum status tls_cert_request_parse12(struct cursor *msg, struct tls_cert_request *ret);
MUST_USE enum status tls_cert_request_parse13(struct cursor *msg, struct tls_cert_request *ret);

/*
 *   opaque DistinguishedName<1..2^16-1>;
 *   DistinguishedName certificate_authorities<0..2^16-1>;  (the body, in `list`)
 * Checks every entry's length and that each is one DER SEQUENCE filling its
 * entry; counts them (cap CAP_DNS_PER_LIST). Consumes and closes `list`.
 */
MUST_USE enum status tls_dn_list_check(struct cursor *list, struct bytes *ret_view,
                                       size_t *ret_count);
/* Walk a validated list: *pos starts at 0; ret_dn is the DER of one DN. */
bool tls_dn_next(struct bytes list, size_t *pos, struct bytes *ret_dn);

#endif
