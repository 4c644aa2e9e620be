/*
 * tls_record.c - the TLS record header (RFC 5246 6.2.1, RFC 8446 5.1), the
 * SSLv2-compatible ClientHello (RFC 5246 appendix E.2, RFC 6101 appendix E)
 * and the content test that finds where TLS starts in a TCP stream that may
 * begin with a plaintext protocol (STARTTLS, database SSL requests, CONNECT).
 */
#include "tls_record.h"

#include "caps.h"

/*
 *   struct {
 *       ContentType type;
 *       ProtocolVersion legacy_record_version;
 *       uint16 length;
 *   } TLSPlaintext;
 * Only major version 3 exists on the wire for SSLv3..TLS 1.3. The minor
 * version is not checked: the record carrying a TLS 1.2 or 1.3 ClientHello
 * often says 0x0301 or even 0x0300 for compatibility (RFC 8446 5.1,
 * RFC 5246 E.1), and what a version means is for the rules to judge.
 */
enum status tls_record_header_parse(struct cursor *c, struct tls_record_header *ret)
{
    struct tls_record_header h = { 0 };
    struct cursor r = *c;
    uint8_t major;
    uint8_t minor;

    if (cur_left(c) < TLS_RECORD_HEADER_LEN) {
        return ST_INCOMPLETE;
    }
    TRY(cur_u8(&r, &h.type));
    if (h.type < TLS_CT_CHANGE_CIPHER_SPEC || h.type > TLS_CT_HEARTBEAT) {
        return cur_fail(c, ST_MALFORMED, "unknown TLS record content type");
    }
    TRY(cur_u8(&r, &major));
    TRY(cur_u8(&r, &minor));
    if (major != 3) {
        return cur_fail(c, ST_MALFORMED, "TLS record version major is not 3");
    }
    h.version = (uint16_t)((unsigned)major << 8 | minor);
    TRY(cur_u16(&r, &h.length));
    if (h.length > CAP_TLS_RECORD_MAX) {
        return cur_fail(c, ST_MALFORMED, "TLS record longer than 2^14 + 2048 bytes");
    }
    *c = r;
    *ret = h;
    return ST_OK;
}

/*
 * Smallest ClientHello or ServerHello body: version (2) + random (32) +
 * session id length (1) + one cipher suite or the chosen one (2) +
 * compression (1 or 2). 38 bytes covers both.
 */
#define HELLO_MIN_BODY 38u

/*
 * The handshake message at the start of a record body: type 1 or 2, a
 * 24-bit length, and the legacy_version (0x03xx) that every ClientHello and
 * ServerHello starts with. Each check runs only if its bytes are present.
 */
static bool hello_start_plausible(struct cursor *c)
{
    uint8_t type;
    uint32_t len;
    uint8_t major;
    uint8_t minor;

    if (cur_u8(c, &type) != ST_OK) {
        return true;
    }
    if (type != 1 && type != 2) {
        return false;
    }
    if (cur_u24(c, &len) != ST_OK) {
        return true;
    }
    if (len < HELLO_MIN_BODY || len > CAP_TLS_HS_MSG_MAX) {
        return false;
    }
    /* len may exceed the record: a hello split over several records (large
     * ClientHellos with post-quantum key shares, tiny-record test tools).
     * The version bytes below carry the weight of the test then. */
    if (cur_u8(c, &major) != ST_OK) {
        return true;
    }
    /* TLS 1.3 drafts up to 21 put the real version (0x7fXX) in the ServerHello. */
    if (type == 2 && major == 0x7f) {
        return true;
    }
    if (major != 3) {
        return false;
    }
    if (cur_u8(c, &minor) != ST_OK) {
        return true;
    }
    return minor <= 4;
}

static bool record_start(const uint8_t *buf, size_t len)
{
    struct cursor c;
    uint8_t type;
    uint8_t major;
    uint8_t minor;
    uint8_t len_hi;
    uint16_t rec_len;

    cur_init(&c, buf, len, 0, NULL);
    if (cur_u8(&c, &type) != ST_OK || type != TLS_CT_HANDSHAKE) {
        return false;
    }
    if (cur_u8(&c, &major) != ST_OK) {
        return true;
    }
    if (cur_u8(&c, &minor) != ST_OK) {
        return major == 3;
    }
    if (major != 3 || minor > 4) {
        return false;
    }
    if (cur_peek_u8(&c, &len_hi) != ST_OK) {
        return true;
    }
    if (len_hi > (CAP_TLS_RECORD_MAX >> 8)) {
        return false;
    }
    if (cur_u16(&c, &rec_len) != ST_OK) {
        return true;
    }
    /* At least a handshake header; 4 would be the header alone, which a
     * tiny-record sender may produce for a split hello. */
    if (rec_len < 4 || rec_len > CAP_TLS_RECORD_MAX) {
        return false;
    }
    return hello_start_plausible(&c);
}

/*
 * RFC 5246 E.2 / RFC 6101 E: an SSLv2 record with a 2-byte header (high bit
 * set), msg_type 1 and a version of 0x0002 (SSL 2.0) or 0x0300..0x0303.
 * The three lengths must add up to the record length, cipher specs come in
 * threes (at least one), the challenge is 16..32 bytes.
 */
#define SSLV2_HELLO_MIN_BODY (9u + 3u + 16u)
static bool sslv2_start(const uint8_t *buf, size_t len)
{
    struct cursor c;
    uint8_t len_hi;
    uint16_t rec_len;
    uint8_t type;
    uint8_t ver_hi;
    uint16_t version;
    uint16_t specs;
    uint16_t sid;
    uint16_t challenge;

    cur_init(&c, buf, len, 0, NULL);
    if (cur_peek_u8(&c, &len_hi) != ST_OK || (len_hi & 0x80) == 0) {
        return false;
    }
    if (cur_u16(&c, &rec_len) != ST_OK) {
        return true;
    }
    rec_len &= 0x7fff;
    if (rec_len < SSLV2_HELLO_MIN_BODY) {
        return false;
    }
    if (cur_u8(&c, &type) != ST_OK) {
        return true;
    }
    if (type != 1) {
        return false;
    }
    if (cur_peek_u8(&c, &ver_hi) != ST_OK) {
        return true;
    }
    if (ver_hi != 0 && ver_hi != 3) {
        return false;
    }
    if (cur_u16(&c, &version) != ST_OK) {
        return true;
    }
    if (version != 0x0002 && (version < 0x0300 || version > 0x0303)) {
        return false;
    }
    if (cur_u16(&c, &specs) != ST_OK) {
        return true;
    }
    if (specs == 0 || specs % 3 != 0) {
        return false;
    }
    if (cur_u16(&c, &sid) != ST_OK) {
        return true;
    }
    if (sid != 0 && sid != 16) {
        return false;
    }
    if (cur_u16(&c, &challenge) != ST_OK) {
        return true;
    }
    if (challenge < 16 || challenge > 32) {
        return false;
    }
    return (size_t)rec_len == 9u + specs + sid + challenge;
}

enum tls_start_kind tls_start_detect(const uint8_t *buf, size_t len)
{
    if (!buf || len == 0) {
        return TLS_START_NONE;
    }
    if (buf[0] == TLS_CT_HANDSHAKE) {
        return record_start(buf, len) ? TLS_START_RECORD : TLS_START_NONE;
    }
    if (buf[0] & 0x80) {
        return sslv2_start(buf, len) ? TLS_START_SSLV2_HELLO : TLS_START_NONE;
    }
    return TLS_START_NONE;
}

/*
 * RFC 5246 E.2:
 *   uint16 msg_length;          (high bit set: 2-byte header, no padding)
 *   uint8 msg_type;             (= 1)
 *   Version version;
 *   uint16 cipher_spec_length;  (multiple of 3, not zero)
 *   uint16 session_id_length;   (0 or 16)
 *   uint16 challenge_length;    (16..32)
 *   V2CipherSpec cipher_specs[V2ClientHello.cipher_spec_length];
 *   opaque session_id[V2ClientHello.session_id_length];
 *   opaque challenge[V2ClientHello.challenge_length];
 */
enum status tls_sslv2_hello_parse(struct cursor *c, size_t *ret_record_len,
                                  struct tls_sslv2_hello *ret)
{
    struct tls_sslv2_hello h = { 0 };
    struct cursor r = *c;
    struct cursor body;
    uint16_t rec_len;
    uint8_t type;
    uint16_t specs_len;
    uint16_t sid_len;
    uint16_t challenge_len;

    if (cur_left(c) < 2) {
        return ST_INCOMPLETE;
    }
    TRY(cur_u16(&r, &rec_len));
    if ((rec_len & 0x8000) == 0) {
        return cur_fail(c, ST_MALFORMED, "SSLv2 ClientHello without a 2-byte record header");
    }
    rec_len &= 0x7fff;
    if (rec_len > cur_left(&r)) {
        return ST_INCOMPLETE;
    }
    TRY(cur_sub(&r, rec_len, &body));
    TRY(cur_u8(&body, &type));
    if (type != 1) {
        return cur_fail(&body, ST_MALFORMED, "SSLv2 record is not a ClientHello");
    }
    TRY(cur_u16(&body, &h.version));
    TRY(cur_u16(&body, &specs_len));
    TRY(cur_u16(&body, &sid_len));
    TRY(cur_u16(&body, &challenge_len));
    if (specs_len == 0 || specs_len % 3 != 0) {
        return cur_fail(&body, ST_MALFORMED, "SSLv2 cipher_spec_length is not a multiple of 3");
    }
    if (sid_len != 0 && sid_len != 16) {
        return cur_fail(&body, ST_MALFORMED, "SSLv2 session_id_length is not 0 or 16");
    }
    if (challenge_len < 16 || challenge_len > 32) {
        return cur_fail(&body, ST_MALFORMED, "SSLv2 challenge_length outside 16..32");
    }
    TRY(cur_take(&body, specs_len, &h.cipher_specs));
    TRY(cur_take(&body, sid_len, &h.session_id));
    TRY(cur_take(&body, challenge_len, &h.challenge));
    TRY(cur_close(&body));
    *c = r;
    *ret_record_len = rec_len;
    *ret = h;
    return ST_OK;
}
