/*
 * tls_cert_request.c - the CertificateRequest message in its three shapes:
 * SSLv3 / TLS 1.0 / TLS 1.1 (RFC 6101 5.6.4, RFC 2246 and RFC 4346 7.4.4),
 * TLS 1.2 (RFC 5246 7.4.4) and TLS 1.3 (RFC 8446 4.3.2 with the extensions
 * of 4.2.3, 4.2.4, 4.2.5), and the DistinguishedName list they share. The
 * CA list is validated once and kept as a view; tls_dn_next() walks it.
 * Nothing is allocated.
 */
#include "tls_cert_request.h"

#include "caps.h"
#include "der.h"
#include "tls_hello.h"

/*
 * RFC 5246 7.4.4 / RFC 8446 4.2.4:
 *   opaque DistinguishedName<1..2^16-1>;
 *   DistinguishedName certificate_authorities<0..2^16-1>;
 * Each entry must be exactly one DER SEQUENCE (an X.501 Name). Real-world
 * note: a few old stacks wrote the DNs without the 2-byte length prefix, or
 * prefixed other data; those lists fail here as malformed with the offset of
 * the first bad entry, which is what the report should show.
 */
enum status tls_dn_list_check(struct cursor *list, struct bytes *ret_view, size_t *ret_count)
{
    struct bytes view = cur_rest(list);
    size_t count = 0;

    while (cur_left(list) > 0) {
        struct cursor dn;
        struct der_tlv tlv;
        if (count == CAP_DNS_PER_LIST) {
            return cur_fail(list, ST_LIMIT, "more CA names in the list than the cap");
        }
        TRY(cur_vec(list, 2, 1, 0xffff, &dn));
        struct cursor at = dn;
        TRY(der_next(&dn, &tlv));
        if (tlv.tag != DER_SEQUENCE) {
            return cur_fail(&at, ST_MALFORMED, "DistinguishedName is not a DER SEQUENCE");
        }
        if (cur_left(&dn) != 0) {
            return cur_fail(&dn, ST_MALFORMED, "bytes after the DistinguishedName SEQUENCE");
        }
        count++;
    }
    TRY(cur_close(list));
    *ret_view = view;
    *ret_count = count;
    return ST_OK;
}

bool tls_dn_next(struct bytes list, size_t *pos, struct bytes *ret_dn)
{
    struct cursor c;
    struct bytes dn;

    if (!list.ptr || *pos >= list.len) {
        return false;
    }
    cur_init_bytes(&c, list, 0, NULL);
    if (cur_skip(&c, *pos) != ST_OK || cur_opaque(&c, 2, 1, 0xffff, &dn) != ST_OK) {
        return false;
    }
    *pos = c.pos;
    *ret_dn = dn;
    return true;
}

/*
 * RFC 4346 7.4.4 (RFC 2246 7.4.4, RFC 6101 5.6.4 for SSLv3):
 *   struct {
 *       ClientCertificateType certificate_types<1..2^8-1>;
 *       DistinguishedName certificate_authorities<0..2^16-1>;
 *   } CertificateRequest;
 *   opaque DistinguishedName<1..2^16-1>;
 * RFC 2246 had certificate_authorities<3..2^16-1>; an empty list is what
 * servers send in practice and RFC 4346 allows it.
 */
enum status tls_cert_request_parse10(struct cursor *msg, struct tls_cert_request *ret)
{
    struct tls_cert_request cr = { 0 };
    struct cursor cas;

    TRY(cur_opaque(msg, 1, 1, 0xff, &cr.cert_types));
    TRY(cur_vec(msg, 2, 0, 0xffff, &cas));
    TRY(tls_dn_list_check(&cas, &cr.ca_list, &cr.ca_count));
    TRY(cur_close(msg));
    *ret = cr;
    return ST_OK;
}

/*
 * RFC 5246, 7.4.4
 *   ClientCertificateType certificate_types<1..2^8-1>;
 *   SignatureAndHashAlgorithm supported_signature_algorithms<2..2^16-2>;
 *   DistinguishedName certificate_authorities<0..2^16-1>;
 *   opaque DistinguishedName<1..2^16-1>;
 */
enum status tls_cert_request_parse12(struct cursor *msg, struct tls_cert_request *ret_req)
{
    struct tls_cert_request cr = { 0 };
    struct cursor cas;

    TRY(cur_opaque(msg, 1, 1, 0xff, &cr.cert_types));
    TRY(cur_opaque(msg, 2, 2, 0xfffe, &cr.sig_algs));
    if (cr.sig_algs.len % 2 != 0) {
        return cur_fail(msg, ST_MALFORMED, "odd signature_algorithms length");
    }
    TRY(cur_vec(msg, 2, 0, 0xffff, &cas));
    TRY(tls_dn_list_check(&cas, &cr.ca_list, &cr.ca_count)); /* walks, closes */
    TRY(cur_close(msg));
    *ret_req = cr;
    return ST_OK;
}

/*
 * RFC 8446 4.2.3:
 *   struct { SignatureScheme supported_signature_algorithms<2..2^16-2>; } SignatureSchemeList;
 */
static enum status sig_scheme_list(struct cursor *body, struct bytes *ret)
{
    struct bytes list;

    TRY(cur_opaque(body, 2, 2, 0xfffe, &list));
    if (list.len % 2 != 0) {
        return cur_fail(body, ST_MALFORMED, "odd signature_algorithms length");
    }
    TRY(cur_close(body));
    *ret = list;
    return ST_OK;
}

/*
 * RFC 8446 4.2.5:
 *   struct {
 *       opaque certificate_extension_oid<1..2^8-1>;
 *       opaque certificate_extension_values<0..2^16-1>;
 *   } OIDFilter;
 *   struct { OIDFilter filters<0..2^16-1>; } OIDFilterExtension;
 * Kept as the validated `filters` body.
 */
static enum status oid_filters(struct cursor *body, struct bytes *ret)
{
    struct cursor filters;

    TRY(cur_vec(body, 2, 0, 0xffff, &filters));
    TRY(cur_close(body));
    struct bytes view = cur_rest(&filters);
    while (cur_left(&filters) > 0) {
        struct bytes oid;
        struct bytes values;
        TRY(cur_opaque(&filters, 1, 1, 0xff, &oid));
        TRY(cur_opaque(&filters, 2, 0, 0xffff, &values));
    }
    *ret = view;
    return ST_OK;
}

/*
 * RFC 8446 4.2.4:
 *   struct { DistinguishedName authorities<3..2^16-1>; } CertificateAuthoritiesExtension;
 */
static enum status cr13_certificate_authorities(struct cursor *body, struct tls_cert_request *cr)
{
    struct cursor list;

    TRY(cur_vec(body, 2, 3, 0xffff, &list));
    TRY(tls_dn_list_check(&list, &cr->ca_list, &cr->ca_count));
    TRY(cur_close(body));
    cr->has_ca_extension = true;
    return ST_OK;
}

static enum status cr13_extension(uint16_t type, struct cursor *body, struct tls_cert_request *cr)
{
    switch (type) {
    case TLS_EXT_CERTIFICATE_AUTHORITIES:
        return cr13_certificate_authorities(body, cr);
    case TLS_EXT_SIGNATURE_ALGORITHMS:
        return sig_scheme_list(body, &cr->sig_algs);
    case TLS_EXT_SIGNATURE_ALGORITHMS_CERT:
        return sig_scheme_list(body, &cr->sig_algs_cert);
    case TLS_EXT_OID_FILTERS:
        return oid_filters(body, &cr->oid_filters);
    default:
        cur_skip_rest(body);
        return ST_OK;
    }
}

/*
 * RFC 8446 4.3.2:
 *   struct {
 *       opaque certificate_request_context<0..2^8-1>;
 *       Extension extensions<2..2^16-1>;
 *   } CertificateRequest;
 *   struct { ExtensionType extension_type; opaque extension_data<0..2^16-1>; } Extension;
 * signature_algorithms is mandatory (4.3.2); its absence is left to the
 * rules. Duplicate extension types are malformed (4.2).
 */
enum status tls_cert_request_parse13(struct cursor *msg, struct tls_cert_request *ret)
{
    struct tls_cert_request cr = { 0 };
    struct cursor exts;
    struct tls_ext_seen seen = { 0 };

    TRY(cur_opaque(msg, 1, 0, 0xff, &cr.context));
    TRY(cur_vec(msg, 2, 2, 0xffff, &exts));
    while (cur_left(&exts) > 0) {
        uint16_t type;
        struct cursor body;
        TRY(tls_ext_next(&exts, &seen, &type, &body));
        TRY(cr13_extension(type, &body, &cr));
    }
    TRY(cur_close(msg));
    *ret = cr;
    return ST_OK;
}
