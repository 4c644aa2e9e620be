/*
 * tls_certificate.c - the Certificate message, TLS <= 1.2 layout
 * (RFC 5246 7.4.2, RFC 4346 7.4.2, RFC 6101 5.6.2) and TLS 1.3 layout
 * (RFC 8446 4.4.2). The list is validated once, entry by entry, and kept as
 * a view; tls_certificate_next() walks it. The DER inside each entry is
 * not looked at here (x509.c decodes it).
 */
#include "tls_certificate.h"

#include "caps.h"

/*
 * RFC 8446 4.2:
 *   struct { ExtensionType extension_type; opaque extension_data<0..2^16-1>; } Extension;
 *   Extension extensions<0..2^16-1>;     (per CertificateEntry: status_request, SCT)
 * Only the framing is checked; the contents are not reported.
 */
static enum status entry_extensions_check(struct cursor *entry)
{
    struct cursor exts;

    TRY(cur_vec(entry, 2, 0, 0xffff, &exts));
    while (cur_left(&exts) > 0) {
        uint16_t type;
        struct bytes data;
        TRY(cur_u16(&exts, &type));
        TRY(cur_opaque(&exts, 2, 0, 0xffff, &data));
    }
    return ST_OK;
}

/*
 * TLS <= 1.2 (RFC 5246 7.4.2):
 *   opaque ASN.1Cert<1..2^24-1>;
 *   struct { ASN.1Cert certificate_list<0..2^24-1>; } Certificate;
 * TLS 1.3 (RFC 8446 4.4.2):
 *   struct {
 *       select (certificate_type) {
 *           case RawPublicKey: opaque ASN1_subjectPublicKeyInfo<1..2^24-1>;
 *           case X509:         opaque cert_data<1..2^24-1>;
 *       };
 *       Extension extensions<0..2^16-1>;
 *   } CertificateEntry;
 *   struct {
 *       opaque certificate_request_context<0..2^8-1>;
 *       CertificateEntry certificate_list<0..2^24-1>;
 *   } Certificate;
 * An empty list is valid (a client with no certificate to send).
 */
enum status tls_certificate_parse(struct cursor *msg, bool tls13, struct tls_certificate *ret)
{
    struct tls_certificate cert = { .tls13 = tls13 };
    struct cursor list;

    if (tls13) {
        TRY(cur_opaque(msg, 1, 0, 0xff, &cert.context));
    }
    TRY(cur_vec(msg, 3, 0, 0xffffff, &list));
    cert.list = cur_rest(&list);
    while (cur_left(&list) > 0) {
        struct bytes der;
        if (cert.count == CAP_CERTS_PER_CHAIN) {
            return cur_fail(&list, ST_LIMIT, "more certificates in the chain than the cap");
        }
        TRY(cur_opaque(&list, 3, 1, 0xffffff, &der));
        if (tls13) {
            TRY(entry_extensions_check(&list));
        }
        cert.count++;
    }
    TRY(cur_close(msg));
    *ret = cert;
    return ST_OK;
}

bool tls_certificate_next(const struct tls_certificate *cert, size_t *pos, struct bytes *ret_der)
{
    struct cursor c;
    struct bytes der;
    uint16_t ext_len;

    if (!cert->list.ptr || *pos >= cert->list.len) {
        return false;
    }
    cur_init_bytes(&c, cert->list, 0, NULL);
    if (cur_skip(&c, *pos) != ST_OK || cur_opaque(&c, 3, 1, 0xffffff, &der) != ST_OK) {
        return false;
    }
    if (cert->tls13 && (cur_u16(&c, &ext_len) != ST_OK || cur_skip(&c, ext_len) != ST_OK)) {
        return false;
    }
    *pos = c.pos;
    *ret_der = der;
    return true;
}
