/*
 * tls_record.h - TLS record layer header (RFC 5246 6.2.1, RFC 8446 5.1) and
 * the SSLv2-compatible ClientHello header (RFC 5246 appendix E.2), plus the
 * content test that finds where TLS starts in a TCP stream.
 */
#ifndef TLSDIAG_TLS_RECORD_H
#define TLSDIAG_TLS_RECORD_H

#include <stdbool.h>

#include "cursor.h"

enum tls_content_type {
    TLS_CT_CHANGE_CIPHER_SPEC = 20,
    TLS_CT_ALERT = 21,
    TLS_CT_HANDSHAKE = 22,
    TLS_CT_APPLICATION_DATA = 23,
    TLS_CT_HEARTBEAT = 24,
};

#define TLS_RECORD_HEADER_LEN 5u

struct tls_record_header {
    uint8_t type;
    uint16_t version; /* legacy_record_version */
    uint16_t length;
};

/*
 *   struct {
 *       ContentType type;                 20..24
 *       ProtocolVersion legacy_record_version;   0x0300..0x0304 (major 3)
 *       uint16 length;                    <= 2^14 + 2048
 *   } TLSPlaintext / TLSCiphertext;
 * Reads the 5-byte header only. ST_INCOMPLETE if fewer than 5 bytes are
 * left (cursor untouched); ST_MALFORMED for an unknown type, a major version
 * other than 3, or a length over CAP_TLS_RECORD_MAX.
 */
MUST_USE enum status tls_record_header_parse(struct cursor *c, struct tls_record_header *ret);

enum tls_start_kind {
    TLS_START_NONE = 0,
    TLS_START_RECORD,      /* a TLS record header carrying a handshake message */
    TLS_START_SSLV2_HELLO, /* an SSLv2-format ClientHello (2-byte header, msg type 1) */
};

/*
 * Content test used to find TLS in a stream (any port, after a plaintext
 * prefix): does a handshake record that begins with a ClientHello (type 1)
 * or ServerHello (type 2) start at buf[0]? Only the bytes present are
 * checked; `len` may be shorter than the record. An SSLv2-format ClientHello
 * is recognised too.
 *
 * Checked, each only when its bytes are present; the answer is the kind as
 * soon as every byte present fits (even a single 0x16 byte), so a scanner
 * at the end of its data learns "could start here, wait for more" and
 * decides itself how many bytes it wants before trusting it (11 give the
 * record and handshake headers and the hello version; 11 also give all
 * SSLv2 lengths). Empty input gives TLS_START_NONE.
 *   record: type 22, version 0x0300..0x0304, length 4..CAP_TLS_RECORD_MAX;
 *           handshake type 1 or 2; 24-bit length 38..CAP_TLS_HS_MSG_MAX
 *           (it may exceed the record: a hello split over records);
 *           legacy_version 0x0300..0x0304 (or 0x7fXX in the ServerHello
 *           of a TLS 1.3 draft up to 21).
 *   SSLv2:  2-byte header with the high bit set, record length >= 28,
 *           msg_type 1, version 0x0002 or 0x0300..0x0303; cipher_spec_length
 *           a non-zero multiple of 3, session_id_length 0 or 16,
 *           challenge_length 16..32, and the lengths adding up to the
 *           record length.
 */
enum tls_start_kind tls_start_detect(const uint8_t *buf, size_t len);

/*
 * SSLv2 record header (2-byte form, high bit set) followed by an SSLv2
 * ClientHello (msg_type 1): returns the record body length and version.
 * The record takes 2 + *ret_record_len bytes; the cursor moves past it on
 * success only. ST_INCOMPLETE (cursor untouched, nothing recorded) when the
 * whole record is not there yet; ST_MALFORMED for anything else.
 *   uint16 msg_length (high bit set);  uint8 msg_type = 1;  Version version;
 *   uint16 cipher_spec_length; uint16 session_id_length; uint16 challenge_length;
 *   V2CipherSpec cipher_specs[cipher_spec_length];  (3 bytes each)
 *   opaque session_id[session_id_length]; opaque challenge[challenge_length];
 */
struct tls_sslv2_hello {
    uint16_t version;
    struct bytes cipher_specs; /* 3-byte entries */
    struct bytes session_id;
    struct bytes challenge;
};
MUST_USE enum status tls_sslv2_hello_parse(struct cursor *c, size_t *ret_record_len,
                                           struct tls_sslv2_hello *ret);

#endif
