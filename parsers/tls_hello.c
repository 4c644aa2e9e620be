/*
 * tls_hello.c - ClientHello and ServerHello / HelloRetryRequest
 * (RFC 5246 7.4.1.2-4, RFC 8446 4.1.2-4 and 4.2) with the extensions the
 * report needs: server_name (RFC 6066 3), supported_groups (RFC 8446 4.2.7),
 * signature_algorithms (RFC 8446 4.2.3), ALPN (RFC 7301 3.1),
 * supported_versions (RFC 8446 4.2.1), certificate_authorities (RFC 8446
 * 4.2.4), post_handshake_auth (RFC 8446 4.2.6), key_share (RFC 8446 4.2.8).
 * Every extension body is read through its own sub-cursor that must close;
 * extensions we do not interpret are skipped whole. Results are views into
 * the message.
 */
#include "tls_hello.h"

#include <string.h>

#include "tls_cert_request.h"

const uint8_t TLS_HRR_RANDOM[32] = {
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
};

/*
 *   struct {
 *       ExtensionType extension_type;
 *       opaque extension_data<0..2^16-1>;
 *   } Extension;
 * RFC 8446 4.2: "There MUST NOT be more than one extension of the same type
 * in a given extension block" (RFC 5246 7.4.1.4 says the same).
 */
enum status tls_ext_next(struct cursor *exts, struct tls_ext_seen *seen, uint16_t *ret_type,
                         struct cursor *ret_body)
{
    struct cursor at = *exts;
    uint16_t type;
    struct cursor body;

    TRY(cur_u16(exts, &type));
    TRY(cur_vec(exts, 2, 0, 0xffff, &body));
    unsigned bit = 1u << (type & 7u);
    if (seen->bits[type >> 3] & bit) {
        return cur_fail(&at, ST_MALFORMED, "duplicate extension type");
    }
    seen->bits[type >> 3] = (uint8_t)(seen->bits[type >> 3] | bit);
    *ret_type = type;
    *ret_body = body;
    return ST_OK;
}

/* A list of 2-byte values: <min..max> with a `width`-byte length, even
 * length, filling the extension body. */
static enum status u16_list(struct cursor *body, unsigned width, size_t min, size_t max,
                            const char *odd_reason, struct bytes *ret)
{
    struct bytes list;

    TRY(cur_opaque(body, width, min, max, &list));
    if (list.len % 2 != 0) {
        return cur_fail(body, ST_MALFORMED, odd_reason);
    }
    TRY(cur_close(body));
    *ret = list;
    return ST_OK;
}

/*
 * RFC 6066 3:
 *   struct {
 *       NameType name_type;
 *       select (name_type) { case host_name: HostName; } name;
 *   } ServerName;
 *   enum { host_name(0), (255) } NameType;
 *   opaque HostName<1..2^16-1>;
 *   struct { ServerName server_name_list<1..2^16-1> } ServerNameList;
 * Other name types were never defined; like every implementation we read
 * them with the HostName layout (RFC 6066 notes they cannot be skipped
 * otherwise). The first host_name is the SNI.
 */
static enum status ch_server_name(struct cursor *body, struct bytes *ret_sni)
{
    struct cursor list;
    struct bytes sni = { 0 };

    TRY(cur_vec(body, 2, 1, 0xffff, &list));
    TRY(cur_close(body));
    while (cur_left(&list) > 0) {
        uint8_t type;
        struct bytes name;
        TRY(cur_u8(&list, &type));
        TRY(cur_opaque(&list, 2, 1, 0xffff, &name));
        if (type == 0 && sni.ptr == NULL) {
            sni = name;
        }
    }
    *ret_sni = sni;
    return ST_OK;
}

/*
 * RFC 7301 3.1:
 *   opaque ProtocolName<1..2^8-1>;
 *   struct { ProtocolName protocol_name_list<2..2^16-1> } ProtocolNameList;
 */
static enum status alpn_list(struct cursor *body, struct bytes *ret_list, size_t *ret_count)
{
    struct cursor list;
    size_t count = 0;

    TRY(cur_vec(body, 2, 2, 0xffff, &list));
    TRY(cur_close(body));
    struct bytes all = cur_rest(&list);
    while (cur_left(&list) > 0) {
        struct bytes name;
        TRY(cur_opaque(&list, 1, 1, 0xff, &name));
        count++;
    }
    *ret_list = all;
    *ret_count = count;
    return ST_OK;
}

/*
 * RFC 8446 4.2.4:
 *   opaque DistinguishedName<1..2^16-1>;
 *   struct { DistinguishedName authorities<3..2^16-1>; } CertificateAuthoritiesExtension;
 */
static enum status ch_certificate_authorities(struct cursor *body, struct bytes *ret)
{
    struct cursor list;
    struct bytes view;
    size_t count;

    TRY(cur_vec(body, 2, 3, 0xffff, &list));
    TRY(tls_dn_list_check(&list, &view, &count));
    TRY(cur_close(body));
    *ret = view;
    return ST_OK;
}

static enum status ch_extension(uint16_t type, struct cursor *body, struct tls_client_hello *ch)
{
    size_t count;

    switch (type) {
    case TLS_EXT_SERVER_NAME:
        return ch_server_name(body, &ch->sni);
    case TLS_EXT_SUPPORTED_GROUPS:
        /* RFC 8446 4.2.7: NamedGroup named_group_list<2..2^16-1>; */
        return u16_list(body, 2, 2, 0xffff, "odd supported_groups length", &ch->supported_groups);
    case TLS_EXT_SIGNATURE_ALGORITHMS:
        /* RFC 8446 4.2.3: SignatureScheme supported_signature_algorithms<2..2^16-2>; */
        return u16_list(body, 2, 2, 0xfffe, "odd signature_algorithms length",
                        &ch->signature_algorithms);
    case TLS_EXT_ALPN:
        return alpn_list(body, &ch->alpn, &count);
    case TLS_EXT_SUPPORTED_VERSIONS:
        /* RFC 8446 4.2.1: ProtocolVersion versions<2..254>; */
        ch->has_supported_versions = true;
        return u16_list(body, 1, 2, 254, "odd supported_versions length", &ch->supported_versions);
    case TLS_EXT_CERTIFICATE_AUTHORITIES:
        ch->has_certificate_authorities = true;
        return ch_certificate_authorities(body, &ch->certificate_authorities);
    case TLS_EXT_POST_HANDSHAKE_AUTH:
        /* RFC 8446 4.2.6: struct {} PostHandshakeAuth; */
        ch->has_post_handshake_auth = true;
        return cur_close(body);
    default:
        cur_skip_rest(body);
        return ST_OK;
    }
}

/*
 * RFC 8446 4.1.2 (RFC 5246 7.4.1.2):
 *   struct {
 *       ProtocolVersion legacy_version;
 *       Random random;
 *       opaque legacy_session_id<0..32>;
 *       CipherSuite cipher_suites<2..2^16-2>;
 *       opaque legacy_compression_methods<1..2^8-1>;
 *       Extension extensions<0..2^16-1>;
 *   } ClientHello;
 * Before TLS 1.2 the extensions may be absent: the message ends after the
 * compression methods (RFC 5246 7.4.1.2 "extensions_present"). An empty
 * block (length 0) is present but empty.
 */
enum status tls_client_hello_parse(struct cursor *msg, struct tls_client_hello *ret)
{
    struct tls_client_hello ch = { 0 };
    struct tls_ext_seen seen = { 0 };
    struct cursor exts;

    TRY(cur_u16(msg, &ch.legacy_version));
    TRY(cur_take(msg, 32, &ch.random));
    TRY(cur_opaque(msg, 1, 0, 32, &ch.session_id));
    TRY(cur_opaque(msg, 2, 2, 0xfffe, &ch.cipher_suites));
    if (ch.cipher_suites.len % 2 != 0) {
        return cur_fail(msg, ST_MALFORMED, "odd cipher_suites length");
    }
    TRY(cur_opaque(msg, 1, 1, 0xff, &ch.compression));
    if (cur_left(msg) == 0) {
        *ret = ch;
        return ST_OK;
    }
    TRY(cur_vec(msg, 2, 0, 0xffff, &exts));
    ch.has_extensions = true;
    ch.extensions = cur_rest(&exts);
    while (cur_left(&exts) > 0) {
        uint16_t type;
        struct cursor body;
        TRY(tls_ext_next(&exts, &seen, &type, &body));
        TRY(ch_extension(type, &body, &ch));
    }
    TRY(cur_close(msg));
    *ret = ch;
    return ST_OK;
}

/*
 * ServerHello ALPN (RFC 7301 3.1): the list holds exactly one name.
 */
static enum status sh_alpn(struct cursor *body, struct bytes *ret_name)
{
    struct cursor list;
    struct bytes name;

    TRY(cur_vec(body, 2, 2, 0xffff, &list));
    TRY(cur_opaque(&list, 1, 1, 0xff, &name));
    if (cur_left(&list) != 0) {
        return cur_fail(&list, ST_MALFORMED, "ServerHello ALPN names more than one protocol");
    }
    TRY(cur_close(body));
    *ret_name = name;
    return ST_OK;
}

/*
 * RFC 8446 4.2.8:
 *   struct { NamedGroup group; opaque key_exchange<1..2^16-1>; } KeyShareEntry;
 *   ServerHello:       struct { KeyShareEntry server_share; } KeyShareServerHello;
 *   HelloRetryRequest: struct { NamedGroup selected_group; } KeyShareHelloRetryRequest;
 */
static enum status sh_key_share(struct cursor *body, bool is_hrr, uint16_t *ret_group)
{
    uint16_t group;
    struct bytes key_exchange;

    TRY(cur_u16(body, &group));
    if (!is_hrr) {
        TRY(cur_opaque(body, 2, 1, 0xffff, &key_exchange));
    }
    TRY(cur_close(body));
    *ret_group = group;
    return ST_OK;
}

static enum status sh_extension(uint16_t type, struct cursor *body, struct tls_server_hello *sh)
{
    switch (type) {
    case TLS_EXT_SUPPORTED_VERSIONS:
        /* RFC 8446 4.2.1: ProtocolVersion selected_version; */
        TRY(cur_u16(body, &sh->selected_version));
        sh->has_selected_version = true;
        return cur_close(body);
    case TLS_EXT_ALPN:
        return sh_alpn(body, &sh->alpn);
    case TLS_EXT_KEY_SHARE:
        return sh_key_share(body, sh->is_hrr, &sh->key_share_group);
    default:
        cur_skip_rest(body);
        return ST_OK;
    }
}

static enum status sh_extensions(struct cursor *msg, struct tls_server_hello *sh)
{
    struct tls_ext_seen seen = { 0 };
    struct cursor exts;

    TRY(cur_vec(msg, 2, 0, 0xffff, &exts));
    sh->has_extensions = true;
    sh->extensions = cur_rest(&exts);
    while (cur_left(&exts) > 0) {
        uint16_t type;
        struct cursor body;
        TRY(tls_ext_next(&exts, &seen, &type, &body));
        TRY(sh_extension(type, &body, sh));
    }
    return cur_close(msg);
}

/*
 * TLS 1.3 drafts up to 21 (legacy_version 0x7f00..0x7f15, e.g. Firefox 52
 * and Chrome 56 era servers) used a shorter ServerHello
 * (draft-ietf-tls-tls13-21 4.1.3):
 *   struct {
 *       ProtocolVersion version;
 *       Random random;
 *       CipherSuite cipher_suite;
 *       Extension extensions<0..2^16-1>;
 *   } ServerHello;
 */
#define TLS13_LAST_SHORT_SH_DRAFT 0x7f15u

static enum status draft_server_hello(struct cursor *msg, struct tls_server_hello *sh)
{
    TRY(cur_take(msg, 32, &sh->random));
    TRY(cur_u16(msg, &sh->cipher_suite));
    sh->has_selected_version = true;
    sh->selected_version = sh->legacy_version;
    return sh_extensions(msg, sh);
}

/*
 * RFC 8446 4.1.3 (RFC 5246 7.4.1.3):
 *   struct {
 *       ProtocolVersion legacy_version;
 *       Random random;
 *       opaque legacy_session_id_echo<0..32>;
 *       CipherSuite cipher_suite;
 *       uint8 legacy_compression_method;
 *       Extension extensions<6..2^16-1>;
 *   } ServerHello;
 * TLS 1.2 and older allow extensions<0..2^16-1> or none at all (RFC 5246
 * 7.4.1.3), so the lower bound 6 is left to the rules. A random equal to
 * TLS_HRR_RANDOM makes this a HelloRetryRequest (RFC 8446 4.1.3).
 */
enum status tls_server_hello_parse(struct cursor *msg, struct tls_server_hello *ret)
{
    struct tls_server_hello sh = { 0 };

    TRY(cur_u16(msg, &sh.legacy_version));
    if (sh.legacy_version >= 0x7f00 && sh.legacy_version <= TLS13_LAST_SHORT_SH_DRAFT) {
        TRY(draft_server_hello(msg, &sh));
        *ret = sh;
        return ST_OK;
    }
    TRY(cur_take(msg, 32, &sh.random));
    sh.is_hrr = memcmp(sh.random.ptr, TLS_HRR_RANDOM, sizeof TLS_HRR_RANDOM) == 0;
    TRY(cur_opaque(msg, 1, 0, 32, &sh.session_id));
    TRY(cur_u16(msg, &sh.cipher_suite));
    TRY(cur_u8(msg, &sh.compression));
    if (cur_left(msg) > 0) {
        TRY(sh_extensions(msg, &sh));
    }
    *ret = sh;
    return ST_OK;
}

bool tls_alpn_next(struct bytes list, size_t *pos, struct bytes *ret_name)
{
    struct cursor c;
    struct bytes name;

    if (!list.ptr || *pos >= list.len) {
        return false;
    }
    cur_init_bytes(&c, list, 0, NULL);
    if (cur_skip(&c, *pos) != ST_OK || cur_opaque(&c, 1, 1, 0xff, &name) != ST_OK) {
        return false;
    }
    *pos = c.pos;
    *ret_name = name;
    return true;
}
