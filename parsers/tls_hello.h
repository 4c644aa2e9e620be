/*
 * tls_hello.h - ClientHello and ServerHello / HelloRetryRequest
 * (RFC 5246 7.4.1.2-3, RFC 8446 4.1.2-4) and the extensions tlsdiag reports:
 * server_name (RFC 6066 3), supported_groups (RFC 8422 5.1.1, RFC 8446
 * 4.2.7), signature_algorithms (RFC 8446 4.2.3), ALPN (RFC 7301 3.1),
 * supported_versions (RFC 8446 4.2.1), certificate_authorities (RFC 8446
 * 4.2.4), post_handshake_auth (RFC 8446 4.2.6).
 *
 * The parse results are views into the message body; nothing is allocated.
 * Lists stay as validated views and are read with tls_u16_list_get().
 */
#ifndef TLSDIAG_TLS_HELLO_H
#define TLSDIAG_TLS_HELLO_H

#include <stdbool.h>

#include "cursor.h"

enum tls_ext_type {
    TLS_EXT_SERVER_NAME = 0,
    TLS_EXT_STATUS_REQUEST = 5,
    TLS_EXT_SUPPORTED_GROUPS = 10,
    TLS_EXT_EC_POINT_FORMATS = 11,
    TLS_EXT_SIGNATURE_ALGORITHMS = 13,
    TLS_EXT_ALPN = 16,
    TLS_EXT_EXTENDED_MASTER_SECRET = 23,
    TLS_EXT_SESSION_TICKET = 35,
    TLS_EXT_PRE_SHARED_KEY = 41,
    TLS_EXT_EARLY_DATA = 42,
    TLS_EXT_SUPPORTED_VERSIONS = 43,
    TLS_EXT_COOKIE = 44,
    TLS_EXT_PSK_KEY_EXCHANGE_MODES = 45,
    TLS_EXT_CERTIFICATE_AUTHORITIES = 47,
    TLS_EXT_OID_FILTERS = 48,
    TLS_EXT_POST_HANDSHAKE_AUTH = 49,
    TLS_EXT_SIGNATURE_ALGORITHMS_CERT = 50,
    TLS_EXT_KEY_SHARE = 51,
    TLS_EXT_RENEGOTIATION_INFO = 0xff01,
};

/* The 32-byte random that marks a ServerHello as HelloRetryRequest (RFC 8446 4.1.3). */
extern const uint8_t TLS_HRR_RANDOM[32];

struct tls_client_hello {
    uint16_t legacy_version;
    struct bytes random; /* 32 bytes */
    struct bytes session_id;
    struct bytes cipher_suites; /* 2-byte entries, even length checked */
    struct bytes compression;
    bool has_extensions;
    struct bytes extensions; /* the whole extensions block, validated */
    /* Facts from the extensions (views; empty when absent) */
    struct bytes sni;                  /* first host_name entry */
    struct bytes alpn;                 /* ProtocolNameList body: 1-byte length-prefixed names */
    struct bytes supported_versions;   /* 2-byte entries */
    struct bytes signature_algorithms; /* 2-byte entries */
    struct bytes supported_groups;     /* 2-byte entries */
    bool has_supported_versions;
    bool has_certificate_authorities;
    struct bytes certificate_authorities; /* DN list body, validated by tls_dn_list_check */
    bool has_post_handshake_auth;
};

/*
 *   struct {
 *       ProtocolVersion legacy_version;
 *       Random random;                                  32 bytes
 *       opaque legacy_session_id<0..32>;
 *       CipherSuite cipher_suites<2..2^16-2>;
 *       opaque legacy_compression_methods<1..2^8-1>;
 *       Extension extensions<0..2^16-1>;                 optional before TLS 1.2 (RFC 5246 7.4.1.2)
 *   } ClientHello;
 * Extensions with malformed bodies make the whole message ST_MALFORMED;
 * unknown extensions are skipped. Duplicate extension types are ST_MALFORMED
 * (RFC 8446 4.2).
 */
MUST_USE enum status tls_client_hello_parse(struct cursor *msg, struct tls_client_hello *ret);

struct tls_server_hello {
    uint16_t legacy_version;
    struct bytes random;
    bool is_hrr; /* random == TLS_HRR_RANDOM */
    struct bytes session_id;
    uint16_t cipher_suite;
    uint8_t compression;
    bool has_extensions;
    struct bytes extensions;
    bool has_selected_version;
    uint16_t selected_version; /* supported_versions extension */
    struct bytes alpn;         /* selected protocol, name bytes only */
    uint16_t key_share_group;  /* 0 when absent */
};

/*
 *   struct {
 *       ProtocolVersion legacy_version;
 *       Random random;
 *       opaque legacy_session_id_echo<0..32>;
 *       CipherSuite cipher_suite;
 *       uint8 legacy_compression_method;
 *       Extension extensions<6..2^16-1>;                 optional before TLS 1.2
 *   } ServerHello;
 */
MUST_USE enum status tls_server_hello_parse(struct cursor *msg, struct tls_server_hello *ret);

/* One extension block's types seen so far (one bit per type), for the
 * duplicate check of RFC 8446 4.2 / RFC 5246 7.4.1.4. Zero-initialise. */
struct tls_ext_seen {
    uint8_t bits[65536 / 8];
};

/*
 *   struct { ExtensionType extension_type; opaque extension_data<0..2^16-1>; } Extension;
 * Reads one Extension from an extension block: its type and its body as a
 * sub-cursor. ST_MALFORMED if the type was already seen in this block.
 */
MUST_USE enum status tls_ext_next(struct cursor *exts, struct tls_ext_seen *seen,
                                  uint16_t *ret_type, struct cursor *ret_body);

/* Number of 2-byte entries in a validated view, and entry i. */
static inline size_t tls_u16_list_count(struct bytes list)
{
    return list.len / 2;
}
static inline uint16_t tls_u16_list_get(struct bytes list, size_t i)
{
    return (uint16_t)((unsigned)list.ptr[2 * i] << 8 | list.ptr[2 * i + 1]);
}

/* Iterates a validated ALPN ProtocolNameList body: *pos starts at 0. */
bool tls_alpn_next(struct bytes list, size_t *pos, struct bytes *ret_name);

#endif
