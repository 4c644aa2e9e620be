/*
 * dn.h - distinguished names (X.501 Name, RFC 5280 4.1.2.4) rendered as
 * RFC 4514 strings: most specific RDN first (the reverse of the encoding
 * order), "," between RDNs, "+" inside a multi-valued RDN, the attribute
 * short names of RFC 4514 3 (CN, L, ST, O, OU, C, STREET, DC, UID) plus the
 * common extras (emailAddress, serialNumber, SN, GN, title, ...), otherwise
 * the dotted OID; values escaped per RFC 4514 2.4 (leading '#'/space,
 * trailing space, , + " \ < > ; and control characters as \XX), UTF-8 kept
 * as UTF-8 (BMPString/UniversalString converted, T61/Latin-1 mapped),
 * values that are not a string type written as #hex of their DER.
 * The same renderer serves CA names in a CertificateRequest and subjects
 * and issuers of certificates.
 */
#ifndef TLSDIAG_DN_H
#define TLSDIAG_DN_H

#include "cursor.h"
#include "evidence.h"

/*
 * Renders the DER Name (a SEQUENCE OF RelativeDistinguishedName, tag
 * included) into an arena string. An empty SEQUENCE renders as "".
 * ST_MALFORMED for DER that is not a Name; ST_LIMIT past CAP_DN_TEXT.
 */
MUST_USE enum status dn_render(struct ev_arena *a, struct bytes der, char **ret);

/* Same into a caller buffer (for tests and one-offs): ST_LIMIT if it does not fit. */
MUST_USE enum status dn_render_buf(struct bytes der, char *buf, size_t n);

/*
 * RFC 5280 7.1: are the two DER Names the same name? RDNs in encoding
 * order, a multi-valued RDN as a set, attribute types by OID, and
 * DirectoryString values (PrintableString, UTF8String, TeletexString,
 * BMPString, UniversalString) as Unicode strings whatever their string type,
 * with white space folded (none at either end, one space for an inner run)
 * and simple case folding; other values (IA5String, ...) byte for byte.
 * ST_MALFORMED when either is not a Name (the caller decides what then).
 */
MUST_USE enum status dn_der_equal(struct bytes a, struct bytes b, bool *ret_equal);

#endif
