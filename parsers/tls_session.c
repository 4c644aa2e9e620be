/*
 * tls_session.c - turns the records and handshake messages of one TCP
 * connection into evidence: one ev_connection per handshake, roles from the
 * hellos (never from who opened TCP), the ladder of messages with frame
 * references, the CA names of a CertificateRequest, both chains, alerts,
 * and the outcome (RFC 5246 7.3 and RFC 8446 2 for the message flows).
 */
#include "tls_session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "caps.h"
#include "dn.h"
#include "tls_alert.h"
#include "tls_cert_request.h"
#include "tls_certificate.h"
#include "tls_hello.h"
#include "tls_names.h"

/* An encrypted TLS 1.3 record this short (1 inner type + 2 alert bytes + a
 * 16-byte AEAD tag = 19) is what an encrypted alert looks like. */
#define TLS13_ALERT_RECORD_MAX 24u

void tls_session_init(struct tls_session *s, const struct tls_stream_env *env, unsigned stream,
                      const struct ev_endpoint *side0, const struct ev_endpoint *side1)
{
    memset(s, 0, sizeof *s);
    s->env = *env;
    s->stream = stream;
    s->ep[0] = *side0;
    s->ep[1] = *side1;
    s->client_side = -1;
    for (int i = 0; i < 2; i++) {
        tls_hs_reasm_init(&s->side[i].hs, CAP_TLS_HS_MSG_MAX);
    }
}

void tls_session_fini(struct tls_session *s)
{
    for (int i = 0; i < 2; i++) {
        tls_hs_reasm_fini(&s->side[i].hs);
        tls_cipher_free(s->side[i].cipher);
        tls_cipher_free(s->side[i].pending);
    }
}

bool tls_session_peer_is_tls(const struct tls_session *s, int side)
{
    /* TLS was found on the other side: this side's first record may be
     * anything plausible (an alert answering a ClientHello, say). */
    return s->side[1 - side].spoke_tls;
}

static enum ev_dir dir_of(const struct tls_session *s, int side)
{
    return side == s->client_side ? EV_FROM_CLIENT : EV_FROM_SERVER;
}

static struct ev_arena *arena(struct tls_session *s)
{
    return &s->env.ev->arena;
}

/* ---- connections ------------------------------------------------------- */

static void reset_handshake_state(struct tls_session *s)
{
    for (int i = 0; i < 2; i++) {
        struct tls_session_side *sd = &s->side[i];
        sd->finished = false;
        sd->ladder_encrypted = 0;
        sd->records_after_flight = 0;
        sd->max_len_after_flight = 0;
    }
    s->client_flight13 = false;
}

static void set_endpoints(struct tls_session *s, struct ev_connection *c)
{
    int cs = s->client_side >= 0 ? s->client_side : 0;
    c->client = s->ep[cs];
    c->server = s->ep[1 - cs];
    c->roles_guessed = s->client_side < 0;
}

static struct ev_connection *conn_get(struct tls_session *s)
{
    if (s->conn) {
        return s->conn;
    }
    if (s->handshakes >= CAP_TLS_HANDSHAKES_PER_FLOW) {
        return NULL;
    }
    struct ev_connection *c = ev_connection_add(s->env.ev);
    if (!c) {
        return NULL;
    }
    s->handshakes++;
    c->stream = s->stream;
    c->source.kind = EV_SRC_PCAP;
    c->source.path = s->env.path;
    c->first_ts = s->ts;
    c->last_ts = s->ts;
    c->source.first = s->ref;
    c->source.last = s->ref;
    set_endpoints(s, c);
    s->conn = c;
    return c;
}

static void touch(struct ev_connection *c, uint64_t ref_first, uint64_t ref, struct ev_time ts)
{
    if (ref_first && (c->source.first == 0 || ref_first < c->source.first)) {
        c->source.first = ref_first;
    }
    if (ref > c->source.last) {
        c->source.last = ref;
    }
    if (ts.sec > c->last_ts.sec || (ts.sec == c->last_ts.sec && ts.nsec > c->last_ts.nsec)) {
        c->last_ts = ts;
    }
}

static void note(struct tls_session *s, int side, enum status st, uint64_t offset, const char *text)
{
    struct ev_connection *c = conn_get(s);
    if (c && c->note_count < CAP_NOTES_PER_CONNECTION) {
        if (ev_note_add(s->env.ev, c, st, s->ref, offset, dir_of(s, side), text) != ST_OK) {
            return; /* out of arena: the note is lost, the analysis goes on */
        }
    }
}

void tls_session_note(struct tls_session *s, int side, enum status st, uint64_t offset,
                      const char *text)
{
    note(s, side, st, offset, text);
}

static void parse_failed(struct tls_session *s, int side, const char *what,
                         const struct parse_error *err)
{
    char text[256];
    snprintf(text, sizeof text, "%s: %s (%s) at stream offset %llu", what, status_name(err->status),
             err->reason ? err->reason : "?", (unsigned long long)err->offset);
    note(s, side, err->status ? err->status : ST_MALFORMED, err->offset, text);
}

static size_t ladder_add(struct tls_session *s, int side, uint8_t ct, uint8_t hs_type,
                         bool encrypted, uint32_t length, uint64_t ref_first, const char *name)
{
    struct ev_connection *c = conn_get(s);
    if (!c) {
        return 0;
    }
    struct ev_msg m = {
        .from = dir_of(s, side),
        .content_type = ct,
        .hs_type = hs_type,
        .encrypted = encrypted,
        .decrypted = s->in_decrypted,
        .length = length,
        .ref = s->ref,
        .ref_first = ref_first ? ref_first : s->ref,
        .ts = s->ts,
        .name = name,
    };
    touch(c, m.ref_first, m.ref, s->ts);
    if (EV_PUSH(arena(s), c->msgs, c->msg_count, c->msg_cap, CAP_TLS_MSGS_PER_HANDSHAKE, &m) !=
        ST_OK) {
        return c->msg_count;
    }
    return c->msg_count - 1;
}

static void alert_add(struct tls_session *s, int side, uint8_t level, uint8_t desc, bool encrypted,
                      size_t msg_index, uint64_t ref)
{
    struct ev_connection *c = conn_get(s);
    if (!c) {
        return;
    }
    struct ev_alert a = {
        .from = dir_of(s, side),
        .level = level,
        .description = desc,
        .encrypted = encrypted,
        .decrypted = s->in_decrypted,
        .ref = ref,
        .ts = s->ts,
        .msg_index = msg_index,
    };
    if (EV_PUSH(arena(s), c->alerts, c->alert_count, c->alert_cap, CAP_TLS_ALERTS_PER_HANDSHAKE,
                &a) != ST_OK) {
        return; /* over the cap: later alerts are not kept */
    }
}

/* ---- copies of wire lists into the arena ------------------------------- */

static uint16_t *u16_list(struct tls_session *s, struct bytes list, size_t *ret_count)
{
    size_t n = tls_u16_list_count(list);
    *ret_count = 0;
    if (n == 0) {
        return NULL;
    }
    uint16_t *out = ev_alloc(arena(s), n * sizeof *out);
    if (!out) {
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        out[i] = tls_u16_list_get(list, i);
    }
    *ret_count = n;
    return out;
}

/* Printable copy of a host name or protocol name from the wire. */
static char *wire_text(struct tls_session *s, struct bytes b)
{
    char *out = ev_alloc(arena(s), b.len * 4 + 1);
    if (!out) {
        return NULL;
    }
    size_t o = 0;
    for (size_t i = 0; i < b.len; i++) {
        uint8_t ch = b.ptr[i];
        if (ch >= 0x20 && ch < 0x7f && ch != '\\') {
            out[o++] = (char)ch;
        } else {
            o += (size_t)snprintf(out + o, 5, "\\x%02x", ch);
        }
    }
    out[o] = '\0';
    return out;
}

static struct ev_chain *chain_decode(struct tls_session *s, const struct tls_certificate *tc,
                                     int side)
{
    struct ev_chain *chain = ev_alloc(arena(s), sizeof *chain);
    if (!chain) {
        return NULL;
    }
    chain->ref = s->ref;
    if (tc->count == 0) {
        return chain;
    }
    chain->certs = ev_alloc(arena(s), tc->count * sizeof *chain->certs);
    if (!chain->certs) {
        return chain;
    }
    size_t pos = 0;
    struct bytes der;
    while (chain->count < tc->count && tls_certificate_next(tc, &pos, &der)) {
        struct ev_cert *cert = NULL;
        if (x509_decode(s->env.certs, der, &cert) != ST_OK || !cert) {
            note(s, side, ST_NOMEM, 0, "certificate not decoded: out of memory");
            break;
        }
        chain->certs[chain->count++] = cert;
    }
    return chain;
}

/* ---- decryption with a key log ------------------------------------------ */

static void set_cipher(struct tls_session_side *sd, struct tls_cipher *c)
{
    tls_cipher_free(sd->cipher);
    sd->cipher = c;
    sd->opened = 0;
    sd->decrypt_failed = c == NULL;
}

static void set_pending(struct tls_session_side *sd, struct tls_cipher *c)
{
    tls_cipher_free(sd->pending);
    sd->pending = c;
}

/* A TLS 1.3 cipher for `side` from one of the logged traffic secrets. */
static struct tls_cipher *cipher13(struct tls_session *s, enum tls_secret which)
{
    const struct tls_keylog_entry *e = s->secrets;
    if (!e || e->len[which] == 0) {
        return NULL;
    }
    return tls_cipher_new13(s->conn->sh.suite, e->secret[which], e->len[which]);
}

/* At the ServerHello: the secrets of this handshake, if the key log has
 * them. TLS 1.3 protects everything after the ServerHello at once; TLS <=
 * 1.2 switches each side at its ChangeCipherSpec. */
static void keys_for_handshake(struct tls_session *s, struct ev_connection *c)
{
    if (!s->env.keylog || s->client_side < 0) {
        return;
    }
    int cs = s->client_side, ss = 1 - cs;
    s->secrets = c->ch.seen ? tls_keylog_find(s->env.keylog, c->ch.random) : NULL;
    if (!s->secrets) {
        c->decryption = EV_DEC_NO_SECRETS;
        return;
    }
    if (!tls_crypto_suite_supported(c->sh.suite)) {
        c->decryption = EV_DEC_UNSUPPORTED;
        return;
    }
    if (s->tls13) {
        struct tls_cipher *client = cipher13(s, TLS_SECRET_CLIENT_HS);
        struct tls_cipher *server = cipher13(s, TLS_SECRET_SERVER_HS);
        set_cipher(&s->side[cs], client);
        set_cipher(&s->side[ss], server);
        if (!client || !server) {
            c->decryption = EV_DEC_NO_SECRETS;
        }
        return;
    }
    const struct tls_keylog_entry *e = s->secrets;
    struct tls_cipher *client = NULL, *server = NULL;
    if (e->len[TLS_SECRET_MASTER] == 0) {
        c->decryption = EV_DEC_NO_SECRETS;
    } else if (!tls_cipher_new12(c->sh.suite, c->sh.version, e->secret[TLS_SECRET_MASTER],
                                 c->ch.random, c->sh.random, &client, &server)) {
        c->decryption = EV_DEC_UNSUPPORTED;
    }
    set_pending(&s->side[cs], client);
    set_pending(&s->side[ss], server);
}

/* TLS 1.3, after a side's Finished: its application traffic secret. */
static void keys_after_finished(struct tls_session *s, int side)
{
    bool client = side == s->client_side;
    struct tls_cipher *c = cipher13(s, client ? TLS_SECRET_CLIENT_AP : TLS_SECRET_SERVER_AP);
    set_cipher(&s->side[side], c);
}

static void decryption_failed(struct tls_session *s, int side)
{
    struct ev_connection *c = conn_get(s);
    set_cipher(&s->side[side], NULL);
    set_pending(&s->side[side], NULL);
    if (!c || c->decryption == EV_DEC_FAILED) {
        return;
    }
    c->decryption = EV_DEC_FAILED;
    c->decryption_ref = s->ref;
    note(s, side, ST_MALFORMED, 0,
         "a protected record did not open with the key log's secrets for this handshake; the "
         "rest of this side stays encrypted (is the key log from this very session?)");
}

/* ---- handshake messages ------------------------------------------------- */

/* The hello randoms are kept for decryption with a key log later. */
static void copy_random(uint8_t out[32], struct bytes random)
{
    struct cursor c;
    cur_init_bytes(&c, random, 0, NULL);
    if (cur_left(&c) != 32 || cur_copy(&c, out, 32) != ST_OK) {
        return; /* the parsers guarantee 32 bytes; nothing to keep otherwise */
    }
}

static bool handshake_complete(const struct tls_session *s)
{
    return s->side[0].finished && s->side[1].finished;
}

/* Closes the current handshake so the next ClientHello starts a new one
 * (renegotiation: same stream, new connection entry). */
static void start_new_handshake(struct tls_session *s)
{
    tls_session_finish(s);
    s->conn = NULL;
    s->secrets = NULL;
    reset_handshake_state(s);
    /* A renegotiation opened with the key log runs inside the old keys
     * until each side's next ChangeCipherSpec. */
    for (int i = 0; !s->in_decrypted && i < 2; i++) {
        s->side[i].encrypted = false;
    }
}

static void on_client_hello(struct tls_session *s, int side, struct cursor *c)
{
    struct ev_connection *conn = conn_get(s);
    if (!conn) {
        return;
    }
    set_endpoints(s, conn);
    struct tls_client_hello ch;
    enum status st = tls_client_hello_parse(c, &ch);
    if (st != ST_OK) {
        parse_failed(s, side, "ClientHello", c->err);
        return;
    }
    if (conn->ch.seen) {
        /* Second ClientHello after a HelloRetryRequest: keep the first
         * offer, note the retry. */
        note(s, side, ST_OK, 0, "second ClientHello after HelloRetryRequest");
        return;
    }
    struct ev_client_hello *e = &conn->ch;
    e->seen = true;
    e->ref = s->ref;
    e->legacy_version = ch.legacy_version;
    copy_random(e->random, ch.random);
    e->versions = u16_list(s, ch.supported_versions, &e->version_count);
    e->suites = u16_list(s, ch.cipher_suites, &e->suite_count);
    e->sig_algs = u16_list(s, ch.signature_algorithms, &e->sig_alg_count);
    e->groups = u16_list(s, ch.supported_groups, &e->group_count);
    if (ch.sni.len > 0) {
        e->sni = wire_text(s, ch.sni);
    }
    size_t pos = 0;
    struct bytes name;
    size_t n = 0;
    while (tls_alpn_next(ch.alpn, &pos, &name)) {
        n++;
    }
    if (n > 0) {
        e->alpn = ev_alloc(arena(s), n * sizeof *e->alpn);
        pos = 0;
        while (e->alpn && e->alpn_count < n && tls_alpn_next(ch.alpn, &pos, &name)) {
            e->alpn[e->alpn_count++] = wire_text(s, name);
        }
    }
    e->certificate_authorities = ch.has_certificate_authorities;
    e->post_handshake_auth = ch.has_post_handshake_auth;
}

static bool version_is_13(uint16_t v)
{
    return v == 0x0304 || (v >> 8) == 0x7f;
}

static void on_server_hello(struct tls_session *s, int side, struct cursor *c, size_t msg_index)
{
    struct ev_connection *conn = conn_get(s);
    if (!conn) {
        return;
    }
    set_endpoints(s, conn);
    struct tls_server_hello sh;
    if (tls_server_hello_parse(c, &sh) != ST_OK) {
        parse_failed(s, side, "ServerHello", c->err);
        return;
    }
    if (sh.is_hrr) {
        /* Only TLS 1.3 has HelloRetryRequest (RFC 8446 4.1.4). */
        conn->sh.hrr = true;
        if (msg_index < conn->msg_count) {
            conn->msgs[msg_index].name = "HelloRetryRequest";
        }
        return;
    }
    struct ev_server_hello *e = &conn->sh;
    e->seen = true;
    e->ref = s->ref;
    e->legacy_version = sh.legacy_version;
    e->version = sh.has_selected_version ? sh.selected_version : sh.legacy_version;
    e->suite = sh.cipher_suite;
    copy_random(e->random, sh.random);
    if (version_is_13(e->version)) {
        s->tls13 = true;
        conn->encrypted_after_hello = true;
        if (conn->client_cert == EV_CC_NOT_SENT) {
            conn->client_cert = EV_CC_NOT_VISIBLE;
        }
    }
    keys_for_handshake(s, conn);
}

static void on_certificate(struct tls_session *s, int side, struct cursor *c)
{
    struct ev_connection *conn = conn_get(s);
    if (!conn) {
        return;
    }
    struct tls_certificate tc;
    if (tls_certificate_parse(c, s->tls13, &tc) != ST_OK) {
        parse_failed(s, side, "Certificate", c->err);
        return;
    }
    struct ev_chain *chain = chain_decode(s, &tc, side);
    if (dir_of(s, side) == EV_FROM_SERVER) {
        conn->server_chain = chain;
    } else {
        conn->client_chain = chain;
        conn->client_cert = tc.count == 0 ? EV_CC_EMPTY : EV_CC_SENT;
    }
}

static void on_cert_request(struct tls_session *s, int side, struct cursor *c)
{
    struct ev_connection *conn = conn_get(s);
    if (!conn) {
        return;
    }
    struct tls_cert_request cr;
    enum status st;
    uint16_t v = conn->sh.seen ? conn->sh.version : 0;
    if (version_is_13(v)) {
        st = tls_cert_request_parse13(c, &cr);
    } else if (v == 0x0303) {
        st = tls_cert_request_parse12(c, &cr);
    } else if (v != 0) {
        st = tls_cert_request_parse10(c, &cr);
    } else {
        /* No ServerHello seen: try the TLS 1.2 layout, then the older one. */
        struct cursor again = *c;
        struct parse_error err2 = { 0 };
        again.err = &err2;
        st = tls_cert_request_parse12(c, &cr);
        if (st != ST_OK && tls_cert_request_parse10(&again, &cr) == ST_OK) {
            st = ST_OK;
            c->err->status = ST_OK;
        }
    }
    if (st != ST_OK) {
        parse_failed(s, side, "CertificateRequest", c->err);
        return;
    }
    struct ev_cert_request *e = ev_alloc(arena(s), sizeof *e);
    if (!e) {
        return;
    }
    e->visible = true;
    e->phase = s->handshakes > 1 ? EV_PHASE_RENEGOTIATION : EV_PHASE_INITIAL;
    if (s->tls13 && s->side[side].finished) {
        e->phase = EV_PHASE_POST_HANDSHAKE; /* RFC 8446 4.6.2 */
    }
    e->ref = s->ref;
    e->cert_types = ev_memdup(arena(s), cr.cert_types.ptr, cr.cert_types.len);
    e->cert_type_count = e->cert_types ? cr.cert_types.len : 0;
    e->sig_algs = u16_list(s, cr.sig_algs, &e->sig_alg_count);
    e->context =
        (struct bytes){ ev_memdup(arena(s), cr.context.ptr, cr.context.len), cr.context.len };
    if (cr.ca_count > 0) {
        e->ca_names = ev_alloc(arena(s), cr.ca_count * sizeof *e->ca_names);
    }
    size_t pos = 0;
    struct bytes dn;
    while (e->ca_names && e->ca_count < cr.ca_count && tls_dn_next(cr.ca_list, &pos, &dn)) {
        struct ev_name *name = &e->ca_names[e->ca_count++];
        if (dn_cache_get(s->env.names, arena(s), dn, &name->der, &name->text) != ST_OK) {
            name->text = ev_printf(arena(s), "<undecodable name, %zu bytes>", dn.len);
            note(s, side, ST_MALFORMED, 0,
                 "a CA name in the CertificateRequest is not a valid "
                 "distinguished name");
        }
    }
    conn->cert_request = e;
}

/* A Finished seen in the clear of a decrypted record: that side's handshake
 * flight is complete, and everything in it was visible. */
static void on_finished(struct tls_session *s, int side)
{
    struct ev_connection *conn = s->conn;
    if (!s->in_decrypted || !conn) {
        return;
    }
    s->side[side].finished = true;
    if (!s->tls13) {
        return;
    }
    if (!s->side[side].app_keys) {
        /* Only the handshake's Finished: a post-handshake one keeps the keys. */
        s->side[side].app_keys = true;
        keys_after_finished(s, side);
    }
    if (dir_of(s, side) == EV_FROM_SERVER) {
        conn->encrypted_after_hello = false;
    } else if (conn->client_cert == EV_CC_NOT_VISIBLE) {
        conn->client_cert = EV_CC_NOT_SENT;
    }
}

/* TLS 1.3 post-handshake authentication (RFC 8446 4.6.2) is a handshake of
 * its own (DESIGN.md: one connection per handshake): a new entry on the
 * same stream, with the hellos of the one it follows, that completes with
 * the client's Finished. */
static void start_post_handshake_auth(struct tls_session *s)
{
    struct ev_connection *prev = s->conn;
    tls_session_finish(s);
    s->conn = NULL;
    reset_handshake_state(s);
    struct ev_connection *c = conn_get(s);
    if (!c) {
        return;
    }
    c->ch = prev->ch;
    c->sh = prev->sh;
    c->decryption = prev->decryption;
    int server = s->client_side >= 0 ? 1 - s->client_side : 1;
    s->side[server].finished = true; /* the server sends no Finished in this exchange */
}

static void on_hs_message(struct tls_session *s, int side, const struct tls_hs_msg *m)
{
    if (m->type == TLS_HS_CERTIFICATE_REQUEST && s->tls13 && s->conn && s->side[0].finished &&
        s->side[1].finished) {
        start_post_handshake_auth(s);
    }
    /* A ClientHello after a ServerHello starts a new handshake (renegotiation
     * in the clear), except the retry a HelloRetryRequest asked for. */
    if (m->type == TLS_HS_CLIENT_HELLO && s->conn && s->conn->ch.seen &&
        !(s->conn->sh.hrr && !s->conn->sh.seen)) {
        start_new_handshake(s);
    }
    /* Roles come from the hellos; a capture that starts after the
     * ClientHello still has the ServerHello to tell them. */
    if (m->type == TLS_HS_CLIENT_HELLO && s->client_side < 0) {
        s->client_side = side;
    }
    if (m->type == TLS_HS_SERVER_HELLO && s->client_side < 0) {
        s->client_side = 1 - side;
    }
    size_t idx = ladder_add(s, side, TLS_CT_HANDSHAKE, m->type, false, m->length, m->ref_first,
                            tls_hs_type_name(m->type) ? tls_hs_type_name(m->type)
                                                      : "unknown handshake message");
    struct cursor c;
    struct parse_error err = { 0 };
    cur_init_bytes(&c, m->body, m->offset + TLS_HS_HEADER_LEN, &err);
    switch (m->type) {
    case TLS_HS_CLIENT_HELLO:
        on_client_hello(s, side, &c);
        break;
    case TLS_HS_SERVER_HELLO:
        on_server_hello(s, side, &c, idx);
        break;
    case TLS_HS_CERTIFICATE:
        on_certificate(s, side, &c);
        break;
    case TLS_HS_CERTIFICATE_REQUEST:
        on_cert_request(s, side, &c);
        break;
    case TLS_HS_FINISHED:
        on_finished(s, side);
        break;
    case TLS_HS_KEY_UPDATE:
        if (s->tls13 && s->in_decrypted && s->side[side].cipher &&
            !tls_cipher_update13(s->side[side].cipher)) {
            decryption_failed(s, side);
        }
        break;
    default:
        break;
    }
}

static void on_handshake_record(struct tls_session *s, int side, const uint8_t *body, uint16_t len,
                                uint64_t offset, uint64_t ref_first)
{
    struct tls_session_side *sd = &s->side[side];
    enum status st = tls_hs_reasm_feed(&sd->hs, (struct bytes){ body, len },
                                       offset + TLS_RECORD_HEADER_LEN, ref_first);
    if (st != ST_OK) {
        parse_failed(s, side, "handshake message", &sd->hs.err);
        tls_hs_reasm_reset(&sd->hs);
        return;
    }
    for (;;) {
        struct tls_hs_msg m;
        st = tls_hs_reasm_next(&sd->hs, s->ref, &m);
        if (st == ST_INCOMPLETE) {
            return;
        }
        if (st == ST_LIMIT) {
            char text[160];
            snprintf(text, sizeof text, "%s message of %u bytes is over the %u-byte limit",
                     tls_hs_type_name(m.type) ? tls_hs_type_name(m.type) : "handshake",
                     (unsigned)m.length, (unsigned)CAP_TLS_HS_MSG_MAX);
            note(s, side, ST_LIMIT, m.offset, text);
            continue;
        }
        if (st != ST_OK) {
            parse_failed(s, side, "handshake message", &sd->hs.err);
            tls_hs_reasm_reset(&sd->hs);
            return;
        }
        on_hs_message(s, side, &m);
    }
}

static void on_alert_record(struct tls_session *s, int side, const uint8_t *body, uint16_t len,
                            uint64_t offset, uint64_t ref_first)
{
    struct cursor c;
    struct parse_error err = { 0 };
    cur_init(&c, body, len, offset + TLS_RECORD_HEADER_LEN, &err);
    while (cur_left(&c) >= 2) {
        struct tls_alert a;
        if (tls_alert_parse(&c, &a) != ST_OK) {
            break;
        }
        size_t idx = ladder_add(s, side, TLS_CT_ALERT, 0, false, 2, ref_first, "Alert");
        alert_add(s, side, a.level, a.description, false, idx, s->ref);
    }
    if (cur_left(&c) != 0) {
        note(s, side, ST_MALFORMED, cur_offset(&c), "alert record with a stray byte");
    }
}

/* ---- records ------------------------------------------------------------ */

/* Is a record of this side encrypted (its body opaque to us)? */
static bool record_encrypted(const struct tls_session *s, int side,
                             const struct tls_record_header *h)
{
    if (s->side[side].encrypted) {
        return true; /* also the ChangeCipherSpec of a renegotiation */
    }
    if (h->type == TLS_CT_CHANGE_CIPHER_SPEC) {
        return false;
    }
    if (s->tls13 && s->conn && s->conn->sh.seen) {
        /* RFC 8446 5: after the ServerHello everything but CCS is protected;
         * a plaintext alert (2 bytes) can still come from a side that
         * failed to process the ServerHello. */
        return !(h->type == TLS_CT_ALERT && h->length == 2);
    }
    return h->type == TLS_CT_APPLICATION_DATA;
}

bool tls_session_wants_body(const struct tls_session *s, int side,
                            const struct tls_record_header *h)
{
    if (record_encrypted(s, side, h)) {
        return s->side[side].cipher != NULL;
    }
    return h->type == TLS_CT_HANDSHAKE || h->type == TLS_CT_ALERT ||
           h->type == TLS_CT_CHANGE_CIPHER_SPEC;
}

static void on_encrypted_record(struct tls_session *s, int side, const struct tls_record_header *h,
                                uint64_t ref_first)
{
    struct tls_session_side *sd = &s->side[side];
    enum ev_dir from = dir_of(s, side);

    if (s->tls13) {
        if (from == EV_FROM_CLIENT && h->type == TLS_CT_APPLICATION_DATA) {
            s->client_flight13 = true;
        } else if (from == EV_FROM_SERVER && s->client_flight13) {
            sd->records_after_flight++;
            if (h->length > sd->max_len_after_flight) {
                sd->max_len_after_flight = h->length;
            }
            if (h->length <= TLS13_ALERT_RECORD_MAX) {
                sd->last_small_ref = s->ref;
            }
        }
        if (from == EV_FROM_CLIENT && s->client_flight13 && sd->ladder_encrypted > 0) {
            sd->records_after_flight++;
        }
    } else if (h->type == TLS_CT_HANDSHAKE) {
        sd->finished = true;
    }
    if (h->type == TLS_CT_APPLICATION_DATA && (!s->tls13 || s->client_flight13)) {
        sd->app_records++;
    }
    if (sd->ladder_encrypted >= CAP_TLS_LADDER_ENCRYPTED) {
        return;
    }
    sd->ladder_encrypted++;
    const char *name = "Encrypted record";
    if (h->type == TLS_CT_HANDSHAKE) {
        name = "Encrypted handshake message";
    } else if (h->type == TLS_CT_ALERT) {
        name = "Encrypted alert";
    } else if (h->type == TLS_CT_APPLICATION_DATA && !s->tls13) {
        name = "Application data";
    } else if (h->type == TLS_CT_APPLICATION_DATA && s->tls13) {
        name = "Encrypted record (TLS 1.3)";
    }
    size_t idx = ladder_add(s, side, h->type, 0, true, h->length, ref_first, name);
    if (h->type == TLS_CT_ALERT) {
        alert_add(s, side, 0, 0, true, idx, s->ref);
    }
}

static void on_ccs(struct tls_session *s, int side, uint16_t len, uint64_t ref_first);

/* Application data opened with the key log: counted, listed, never kept. */
static void on_app_data(struct tls_session *s, int side, size_t len, uint64_t ref_first)
{
    struct tls_session_side *sd = &s->side[side];
    sd->app_records++;
    if (sd->ladder_encrypted < CAP_TLS_LADDER_ENCRYPTED) {
        sd->ladder_encrypted++;
        ladder_add(s, side, TLS_CT_APPLICATION_DATA, 0, false, (uint32_t)len, ref_first,
                   "Application data");
    }
}

/* A protected record of a side that has keys: opened, then handled like
 * its plaintext would be. */
static void on_protected_record(struct tls_session *s, int side, const struct tls_record_header *h,
                                const uint8_t *body, uint64_t offset, uint64_t ref_first)
{
    struct tls_session_side *sd = &s->side[side];
    const uint8_t hdr[5] = { h->type, (uint8_t)(h->version >> 8), (uint8_t)h->version,
                             (uint8_t)(h->length >> 8), (uint8_t)h->length };
    uint8_t plain[CAP_TLS_RECORD_MAX];
    size_t n = 0;
    uint8_t type = 0;
    if (h->length > sizeof plain ||
        tls_cipher_open(sd->cipher, hdr, body, h->length, plain, &n, &type) != ST_OK) {
        /* A TLS 1.3 client's first protected records may be 0-RTT data
         * under the early secret, which is not used here. */
        bool early = s->tls13 && side == s->client_side && sd->opened == 0;
        if (!early) {
            decryption_failed(s, side);
        }
        on_encrypted_record(s, side, h, ref_first);
        return;
    }
    sd->opened++;
    if (s->conn->decryption == EV_DEC_NONE) {
        s->conn->decryption = EV_DEC_OK; /* a missing secret or a failure says more */
    }
    s->in_decrypted = true;
    switch (type) {
    case TLS_CT_HANDSHAKE:
        on_handshake_record(s, side, plain, (uint16_t)n, offset, ref_first);
        break;
    case TLS_CT_ALERT:
        on_alert_record(s, side, plain, (uint16_t)n, offset, ref_first);
        break;
    case TLS_CT_APPLICATION_DATA:
        on_app_data(s, side, n, ref_first);
        break;
    case TLS_CT_CHANGE_CIPHER_SPEC:
        on_ccs(s, side, (uint16_t)n, ref_first);
        break;
    default:
        note(s, side, ST_MALFORMED, offset, "a decrypted record has an unknown content type");
        break;
    }
    s->in_decrypted = false;
}

/* In TLS <= 1.2 a ChangeCipherSpec switches its sender to encrypted records.
 * TLS 1.3 sends one for middlebox compatibility only (RFC 8446 D.4), also
 * right after a HelloRetryRequest, before any ServerHello. */
static bool ccs_starts_encryption(const struct tls_session *s)
{
    const struct ev_connection *c = s->conn;
    if (s->tls13 || c->sh.hrr) {
        return false;
    }
    if (c->sh.seen) {
        return true;
    }
    for (size_t i = 0; i < c->ch.version_count; i++) {
        if (version_is_13(c->ch.versions[i])) {
            return false;
        }
    }
    return true;
}

static void on_ccs(struct tls_session *s, int side, uint16_t len, uint64_t ref_first)
{
    struct tls_session_side *sd = &s->side[side];
    ladder_add(s, side, TLS_CT_CHANGE_CIPHER_SPEC, 0, false, len, ref_first, "ChangeCipherSpec");
    if (!ccs_starts_encryption(s)) {
        return;
    }
    sd->encrypted = true;
    tls_hs_reasm_reset(&sd->hs);
    if (sd->pending) {
        set_cipher(sd, sd->pending);
        sd->pending = NULL;
    } else if (sd->cipher) {
        set_cipher(sd, NULL); /* new keys that the key log does not have */
    }
}

void tls_session_record(struct tls_session *s, int side, const struct tls_record_header *h,
                        const uint8_t *body, uint64_t offset, uint64_t ref_first)
{
    if (!conn_get(s)) {
        return;
    }
    s->side[side].spoke_tls = true;
    if (!body) {
        on_encrypted_record(s, side, h, ref_first);
        return;
    }
    if (record_encrypted(s, side, h)) {
        on_protected_record(s, side, h, body, offset, ref_first);
        return;
    }
    switch (h->type) {
    case TLS_CT_HANDSHAKE:
        on_handshake_record(s, side, body, h->length, offset, ref_first);
        break;
    case TLS_CT_ALERT:
        on_alert_record(s, side, body, h->length, offset, ref_first);
        break;
    case TLS_CT_CHANGE_CIPHER_SPEC:
        on_ccs(s, side, h->length, ref_first);
        break;
    default:
        break;
    }
}

void tls_session_sslv2_hello(struct tls_session *s, int side, const uint8_t *rec, size_t len,
                             uint64_t offset)
{
    if (s->conn && s->conn->ch.seen) {
        start_new_handshake(s);
    }
    if (s->client_side < 0) {
        s->client_side = side;
    }
    struct ev_connection *conn = conn_get(s);
    if (!conn) {
        return;
    }
    set_endpoints(s, conn);
    s->side[side].sslv2 = true;
    ladder_add(s, side, 0, TLS_HS_CLIENT_HELLO, false, (uint32_t)(len - 2), s->ref,
               "ClientHello (SSLv2 format)");
    struct cursor c;
    struct parse_error err = { 0 };
    size_t reclen = 0;
    struct tls_sslv2_hello h;
    cur_init(&c, rec, len, offset, &err);
    if (tls_sslv2_hello_parse(&c, &reclen, &h) != ST_OK) {
        parse_failed(s, side, "SSLv2 ClientHello", &err);
        return;
    }
    struct ev_client_hello *e = &conn->ch;
    e->seen = true;
    e->sslv2 = true;
    e->ref = s->ref;
    e->legacy_version = h.version;
    /* V2CipherSpec entries whose first byte is 0 are TLS cipher suites. */
    size_t n = 0;
    for (size_t i = 0; i + 3 <= h.cipher_specs.len; i += 3) {
        n += h.cipher_specs.ptr[i] == 0;
    }
    e->suites = n ? ev_alloc(arena(s), n * sizeof *e->suites) : NULL;
    for (size_t i = 0; e->suites && i + 3 <= h.cipher_specs.len; i += 3) {
        if (h.cipher_specs.ptr[i] == 0) {
            e->suites[e->suite_count++] =
                (uint16_t)((unsigned)h.cipher_specs.ptr[i + 1] << 8 | h.cipher_specs.ptr[i + 2]);
        }
    }
}

void tls_session_gap(struct tls_session *s, int side)
{
    tls_hs_reasm_reset(&s->side[side].hs);
}

void tls_session_close(struct tls_session *s, int side, bool rst, uint64_t ref)
{
    struct tls_session_side *sd = &s->side[side];
    if (sd->closed || !s->conn) {
        sd->closed = true;
        return;
    }
    sd->closed = true;
    struct ev_connection *c = s->conn;
    enum ev_dir from = dir_of(s, side);
    if (rst) {
        c->rst[from] = true;
    } else {
        c->fin[from] = true;
    }
    if (!c->close_ref) {
        c->close_ref = ref;
    }
    if (!c->close_refs[from]) {
        c->close_refs[from] = ref;
    }
}

bool tls_session_done(const struct tls_session *s)
{
    if (!s->conn) {
        return false;
    }
    const struct tls_session_side *a = &s->side[0], *b = &s->side[1];
    if (s->tls13 && !handshake_complete(s)) {
        /* Enough encrypted traffic after the client's flight to judge. */
        return s->client_flight13 && a->app_records >= 4 && b->app_records >= 4;
    }
    return handshake_complete(s) && a->app_records >= 2 && b->app_records >= 2;
}

/* ---- outcome ----------------------------------------------------------- */

static const char *side_word(enum ev_dir d)
{
    return d == EV_FROM_CLIENT ? "client" : "server";
}

static void finish_tls13(struct tls_session *s, struct ev_connection *c)
{
    int server = s->client_side >= 0 ? 1 - s->client_side : 1;
    const struct tls_session_side *srv = &s->side[server];
    if (!s->client_flight13) {
        return;
    }
    if (srv->max_len_after_flight > TLS13_ALERT_RECORD_MAX) {
        c->outcome = EV_OUT_ESTABLISHED;
        return;
    }
    bool closed = c->fin[EV_FROM_SERVER] || c->rst[EV_FROM_SERVER] || c->fin[EV_FROM_CLIENT] ||
                  c->rst[EV_FROM_CLIENT];
    if (srv->records_after_flight > 0 && closed) {
        c->outcome = EV_OUT_FAILED;
        c->outcome_detail = ev_printf(
            arena(s),
            "the server answered the client's encrypted Finished flight only with a short "
            "encrypted record (frame %llu) and closed: most likely an encrypted alert such as "
            "certificate_required or bad_certificate (decrypt with --keylog to see it)",
            (unsigned long long)srv->last_small_ref);
        return;
    }
    if (closed && srv->records_after_flight == 0 && s->side[1 - server].app_records == 0) {
        c->outcome = EV_OUT_FAILED;
        c->outcome_detail = "the TCP connection was closed right after the client's encrypted "
                            "flight, without any answer from the server";
    }
}

void tls_session_finish(struct tls_session *s)
{
    struct ev_connection *c = s->conn;
    if (!c || c->outcome != EV_OUT_INCOMPLETE || c->outcome_detail) {
        return;
    }
    for (size_t i = 0; i < c->alert_count; i++) {
        const struct ev_alert *a = &c->alerts[i];
        if (!a->encrypted && a->level == 2) {
            char buf[32];
            c->outcome = EV_OUT_FAILED;
            c->outcome_detail =
                ev_printf(arena(s), "the %s sent a fatal %s alert (%u) in frame %llu",
                          side_word(a->from), tls_alert_str(a->description, buf, sizeof buf),
                          a->description, (unsigned long long)a->ref);
            return;
        }
    }
    if (handshake_complete(s)) {
        c->outcome = EV_OUT_ESTABLISHED;
        return;
    }
    if (s->tls13) {
        finish_tls13(s, c);
        if (c->outcome != EV_OUT_INCOMPLETE) {
            return;
        }
    }
    if (c->ch.sslv2 && !c->sh.seen) {
        c->outcome_detail = "SSLv2-format ClientHello; the rest of an SSLv2 handshake is not "
                            "decoded";
        return;
    }
    for (int d = 0; d < 2; d++) {
        if (c->rst[d] || c->fin[d]) {
            c->outcome = EV_OUT_FAILED;
            c->outcome_detail =
                ev_printf(arena(s),
                          "the %s closed the TCP connection (%s, frame %llu) before the handshake "
                          "completed, without a TLS alert",
                          side_word((enum ev_dir)d), c->rst[d] ? "RST" : "FIN",
                          (unsigned long long)c->close_ref);
            return;
        }
    }
    c->outcome_detail = "the capture ends before the handshake completed";
}
