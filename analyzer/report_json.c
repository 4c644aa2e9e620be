/*
 * report_json.c - the JSON report, DESIGN.md "JSON report (contract,
 * schema version 1)". Every field the contract names is written, always, in
 * a fixed order; the extra fields (client_hello, messages, notes, times,
 * codes, and "trace": what an ICM trace states, null for a capture) come
 * after or beside them and never change the meaning of a contract field. Names of numbers come from
 * tls_names; an unknown number is written in the tables' fallback form ("0x1a2b").
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "json_writer.h"
#include "report.h"
#include "report_common.h"
#include "tls_names.h"

#define NAME_BUF 32

static void kv_time(struct json_writer *w, const char *key, const struct ev_time *t)
{
    char buf[REPORT_TIME_LEN];
    json_key(w, key);
    if (report_time_iso(t, buf, sizeof buf)) {
        json_string(w, buf);
    } else {
        json_null(w);
    }
}

static void kv_ref(struct json_writer *w, const char *key, uint64_t ref)
{
    json_key(w, key);
    if (ref != 0) {
        json_uint(w, ref);
    } else {
        json_null(w);
    }
}

static void string_array(struct json_writer *w, const char *key, char *const *items, size_t n)
{
    json_key(w, key);
    json_array_begin(w);
    for (size_t i = 0; items && i < n; i++) {
        json_string(w, items[i]);
    }
    json_array_end(w);
}

static void const_string_array(struct json_writer *w, const char *key, const char *const *items,
                               size_t n)
{
    json_key(w, key);
    json_array_begin(w);
    for (size_t i = 0; items && i < n; i++) {
        json_string(w, items[i]);
    }
    json_array_end(w);
}

static void hex_string(struct json_writer *w, struct bytes b)
{
    static const char digits[] = "0123456789abcdef";
    char buf[2 * 64 + 1];
    size_t n = b.len < 64 ? b.len : 64; /* contexts and ids are short; cap the view */
    for (size_t i = 0; i < n; i++) {
        buf[2 * i] = digits[b.ptr[i] >> 4];
        buf[2 * i + 1] = digits[b.ptr[i] & 0xf];
    }
    buf[2 * n] = '\0';
    json_string(w, buf);
}

/* What an ICM trace says about itself: its header and the SSL
 * initialisation block (CommonCryptoLib version, cipher suite settings,
 * whether SSL came up at all). */
static void write_trace_input(struct json_writer *w, const struct ev_input *in)
{
    if (in->header_seen) {
        json_key(w, "trace_header");
        json_object_begin(w);
        json_kv_int(w, "trc_level", in->trace_level);
        json_kv_string(w, "release", in->release);
        json_kv_string(w, "patch", in->patch);
        json_object_end(w);
    }
    if (in->ssl_init_seen) {
        json_key(w, "ssl_init");
        json_object_begin(w);
        kv_ref(w, "ref", in->ssl_init_ref);
        json_kv_bool(w, "ended", in->ssl_init_ended);
        json_kv_bool(w, "ready", in->ssl_ready_seen);
        kv_ref(w, "ready_ref", in->ssl_ready_ref);
        json_kv_string(w, "crypto_lib_version", in->crypto_lib_version);
        json_kv_string(w, "crypto_lib_date", in->crypto_lib_date);
        json_kv_string(w, "crypto_lib_path", in->crypto_lib_path);
        json_kv_string(w, "secudir", in->secudir);
        json_kv_string(w, "ciphersuites", in->ssl_ciphersuites);
        json_kv_string(w, "client_ciphersuites", in->ssl_client_ciphersuites);
        json_object_end(w);
    }
}

static void write_input(struct json_writer *w, const struct ev_input *in)
{
    json_object_begin(w);
    json_kv_string(w, "path", in->path);
    json_kv_string(w, "kind", report_input_kind_name(in->kind));
    switch (in->kind) {
    case EV_IN_PCAP:
    case EV_IN_PCAPNG:
    case EV_IN_LIVE:
        json_kv_uint(w, "packets", in->units);
        break;
    case EV_IN_ICM:
        json_kv_uint(w, "lines", in->units);
        write_trace_input(w, in);
        break;
    case EV_IN_CERT:
        json_kv_uint(w, "certificates", in->units);
        break;
    case EV_IN_PROBE:
        break;
    }
    json_kv_bool(w, "truncated", in->truncated);
    if (in->error) {
        json_kv_string(w, "error", in->error);
        kv_ref(w, "error_ref", in->error_ref);
    }
    json_kv_uint(w, "bytes", in->bytes);
    if (in->kind == EV_IN_PCAP || in->kind == EV_IN_PCAPNG || in->kind == EV_IN_LIVE) {
        json_kv_uint(w, "tcp_flows", in->tcp_flows);
        json_kv_uint(w, "fragments", in->fragments);
        json_kv_uint(w, "skipped", in->skipped);
    }
    json_object_end(w);
}

static void write_endpoint(struct json_writer *w, const char *key, const struct ev_endpoint *ep)
{
    json_key(w, key);
    json_object_begin(w);
    json_kv_string(w, "ip", ep->ip[0] ? ep->ip : NULL);
    json_kv_uint(w, "port", ep->port);
    json_object_end(w);
}

static void write_source_body(struct json_writer *w, const struct ev_source *src)
{
    json_object_begin(w);
    json_kv_string(w, "kind", report_source_kind_name(src->kind));
    json_kv_string(w, "path", src->path);
    json_key(w, src->kind == EV_SRC_ICM ? "lines" : "frames");
    json_array_begin(w);
    json_uint(w, src->first);
    json_uint(w, src->last);
    json_array_end(w);
    if (src->kind == EV_SRC_ICM) {
        json_kv_string(w, "thread", src->thread);
        json_kv_string(w, "conn", src->conn);
    }
    json_object_end(w);
}

static void write_source(struct json_writer *w, const struct ev_source *src)
{
    json_key(w, "source");
    write_source_body(w, src);
}

/* Additional field: every source of a connection merged from a capture and
 * a trace (analyzer/correlate.c), the capture first; absent otherwise. */
static void write_sources(struct json_writer *w, const struct ev_connection *c)
{
    if (!c->has_also) {
        return;
    }
    json_key(w, "sources");
    json_array_begin(w);
    write_source_body(w, &c->source);
    write_source_body(w, &c->also);
    json_array_end(w);
}

/* key_ids: false under --redact (a key identifier names a CA key as well
 * as a fingerprint does), then written as null. */
static void write_cert(struct json_writer *w, const struct ev_cert *c, bool key_ids)
{
    json_object_begin(w);
    json_kv_string(w, "subject", c->subject);
    json_kv_string(w, "issuer", c->issuer);
    json_kv_string(w, "serial", c->serial);
    json_kv_string(w, "not_before", c->not_before);
    json_kv_string(w, "not_after", c->not_after);
    json_kv_string(w, "sha256", c->sha256[0] ? c->sha256 : NULL);
    string_array(w, "san", c->san, c->san_count);
    json_key(w, "key");
    json_object_begin(w);
    json_kv_string(w, "type", c->key_type);
    json_key(w, "bits");
    if (c->key_bits) {
        json_uint(w, c->key_bits);
    } else {
        json_null(w);
    }
    json_object_end(w);
    json_kv_string(w, "signature_algorithm", c->signature_algorithm);
    json_kv_bool(w, "is_ca", c->is_ca);
    json_key(w, "path_len");
    if (c->path_len >= 0) {
        json_int(w, c->path_len);
    } else {
        json_null(w);
    }
    json_kv_bool(w, "self_signed", c->self_signed);
    string_array(w, "key_usage", c->key_usage, c->key_usage_count);
    string_array(w, "ext_key_usage", c->ext_key_usage, c->ext_key_usage_count);
    /* RFC 5280 4.2.1.1/4.2.1.2: a certificate's authority key identifier is
     * its issuer's subject key identifier */
    json_kv_string(w, "subject_key_identifier", key_ids ? c->ski_hex : NULL);
    json_kv_string(w, "authority_key_identifier", key_ids ? c->aki_hex : NULL);
    if (c->error) {
        json_kv_string(w, "error", c->error);
    }
    json_object_end(w);
}

void report_json_verification(struct json_writer *w, const char *key, const struct ev_chain *chain)
{
    const struct ev_verify *vf = chain ? chain->verify : NULL;
    if (!vf) {
        return;
    }
    /* the anchor by the name the chain gives it (--redact renames that one) */
    const struct ev_cert *top = vf->top;
    const char *anchor = !vf->anchor || !top ? NULL : top->self_signed ? top->subject : top->issuer;
    bool failed = vf->result != EV_VERIFY_OK;
    struct ev_time at = { .sec = vf->at };
    json_key(w, key);
    json_object_begin(w);
    json_kv_string(w, "trust_file", vf->trust_name);
    kv_time(w, "at", &at);
    json_kv_string(w, "result", ev_verify_result_name(vf->result));
    json_kv_uint(w, "path_length", vf->path_len);
    json_kv_string(w, "anchor", anchor);
    json_key(w, "depth");
    if (failed) {
        json_uint(w, vf->depth);
    } else {
        json_null(w);
    }
    json_kv_string(w, "certificate", failed && vf->cert ? vf->cert->subject : NULL);
    json_kv_string(w, "reason", vf->reason);
    json_object_end(w);
}

static void write_chain(struct json_writer *w, const struct ev_chain *chain, bool key_ids)
{
    json_array_begin(w);
    for (size_t i = 0; chain && i < chain->count; i++) {
        if (chain->certs[i]) {
            write_cert(w, chain->certs[i], key_ids);
        } else {
            json_null(w);
        }
    }
    json_array_end(w);
}

static void write_cert_request(struct json_writer *w, const struct ev_connection *c)
{
    const struct ev_cert_request *cr = c->cert_request;
    char buf[NAME_BUF];

    json_key(w, "certificate_request");
    if (!cr && !c->encrypted_after_hello) {
        json_null(w);
        return;
    }
    json_object_begin(w);
    if (!cr) {
        /* TLS 1.3 without keys: a request may be hidden in the encrypted flight. */
        json_kv_bool(w, "visible", false);
        json_kv_string(w, "phase", report_phase_name(EV_PHASE_INITIAL));
        const_string_array(w, "ca_names", NULL, 0);
        const_string_array(w, "signature_algorithms", NULL, 0);
        const_string_array(w, "certificate_types", NULL, 0);
        json_kv_null(w, "ref");
        json_object_end(w);
        return;
    }
    json_kv_bool(w, "visible", cr->visible);
    json_kv_string(w, "phase", report_phase_name(cr->phase));
    json_key(w, "ca_names");
    json_array_begin(w);
    for (size_t i = 0; cr->ca_names && i < cr->ca_count; i++) {
        json_string(w, cr->ca_names[i].text);
    }
    json_array_end(w);
    json_key(w, "signature_algorithms");
    json_array_begin(w);
    for (size_t i = 0; cr->sig_algs && i < cr->sig_alg_count; i++) {
        json_string(w, tls_sig_scheme_str(cr->sig_algs[i], buf, sizeof buf));
    }
    json_array_end(w);
    json_key(w, "certificate_types");
    json_array_begin(w);
    for (size_t i = 0; cr->cert_types && i < cr->cert_type_count; i++) {
        json_string(w, tls_cert_type_str(cr->cert_types[i], buf, sizeof buf));
    }
    json_array_end(w);
    kv_ref(w, "ref", cr->ref);
    json_kv_uint(w, "ca_count", cr->ca_count);
    json_key(w, "context");
    if (cr->context.len > 0 && cr->context.ptr) {
        hex_string(w, cr->context);
    } else {
        json_null(w);
    }
    json_object_end(w);
}

static void write_client_certs(struct json_writer *w, const struct ev_connection *c, bool key_ids)
{
    json_key(w, "client_certificates");
    switch (c->client_cert) {
    case EV_CC_EMPTY:
        json_array_begin(w);
        json_array_end(w);
        break;
    case EV_CC_SENT:
        write_chain(w, c->client_chain, key_ids);
        break;
    case EV_CC_NOT_SENT:
    case EV_CC_NOT_VISIBLE:
    default:
        json_null(w);
        break;
    }
}

static void write_alerts(struct json_writer *w, const struct ev_connection *c)
{
    json_key(w, "alerts");
    json_array_begin(w);
    for (size_t i = 0; c->alerts && i < c->alert_count; i++) {
        const struct ev_alert *a = &c->alerts[i];
        json_object_begin(w);
        json_kv_string(w, "from", report_dir_name(a->from));
        if (a->encrypted) {
            json_kv_null(w, "level");
            json_kv_null(w, "description");
            json_kv_null(w, "code");
        } else {
            json_kv_string(w, "level", tls_alert_level_name(a->level));
            json_kv_string(w, "description", tls_alert_name(a->description));
            json_kv_uint(w, "code", a->description);
        }
        json_kv_bool(w, "encrypted", a->encrypted);
        if (a->decrypted) {
            json_kv_bool(w, "decrypted", true);
        }
        kv_ref(w, "ref", a->ref);
        json_key(w, "level_code");
        if (a->encrypted) {
            json_null(w);
        } else {
            json_uint(w, a->level);
        }
        kv_time(w, "time", &a->ts);
        json_object_end(w);
    }
    json_array_end(w);
}

static void u16_names(struct json_writer *w, const char *key, const uint16_t *v, size_t n,
                      const char *(*str)(uint16_t, char *, size_t))
{
    char buf[NAME_BUF];
    json_key(w, key);
    json_array_begin(w);
    for (size_t i = 0; v && i < n; i++) {
        json_string(w, str(v[i], buf, sizeof buf));
    }
    json_array_end(w);
}

static void write_client_hello(struct json_writer *w, const struct ev_client_hello *ch)
{
    char buf[NAME_BUF];

    json_key(w, "client_hello");
    if (!ch->seen) {
        json_null(w);
        return;
    }
    json_object_begin(w);
    kv_ref(w, "ref", ch->ref);
    json_kv_bool(w, "sslv2", ch->sslv2);
    json_kv_string(w, "legacy_version", tls_version_str(ch->legacy_version, buf, sizeof buf));
    u16_names(w, "versions", ch->versions, ch->version_count, tls_version_str);
    u16_names(w, "cipher_suites", ch->suites, ch->suite_count, tls_cipher_suite_str);
    json_kv_string(w, "sni", ch->sni);
    string_array(w, "alpn", ch->alpn, ch->alpn_count);
    u16_names(w, "signature_algorithms", ch->sig_algs, ch->sig_alg_count, tls_sig_scheme_str);
    u16_names(w, "supported_groups", ch->groups, ch->group_count, tls_group_str);
    json_kv_bool(w, "certificate_authorities", ch->certificate_authorities);
    json_kv_bool(w, "post_handshake_auth", ch->post_handshake_auth);
    json_object_end(w);
}

static void write_server_hello(struct json_writer *w, const struct ev_server_hello *sh)
{
    char buf[NAME_BUF];

    json_key(w, "server_hello");
    if (!sh->seen) {
        json_null(w);
        return;
    }
    json_object_begin(w);
    kv_ref(w, "ref", sh->ref);
    json_kv_string(w, "legacy_version", tls_version_str(sh->legacy_version, buf, sizeof buf));
    json_kv_uint(w, "version_code", sh->version);
    json_kv_uint(w, "cipher_suite_code", sh->suite);
    json_kv_bool(w, "hello_retry_request", sh->hrr);
    json_object_end(w);
}

static void write_messages(struct json_writer *w, const struct ev_connection *c)
{
    char buf[NAME_BUF];

    json_key(w, "messages");
    json_array_begin(w);
    for (size_t i = 0; c->msgs && i < c->msg_count; i++) {
        const struct ev_msg *m = &c->msgs[i];
        json_object_begin(w);
        json_kv_string(w, "from", report_dir_name(m->from));
        json_kv_string(w, "type", report_msg_name(m, buf, sizeof buf));
        json_kv_uint(w, "content_type", m->content_type);
        json_key(w, "hs_type");
        /* content_type 0: an SSLv2-format message; hs_type says which. */
        if (!m->encrypted && (m->content_type == 22 || (m->content_type == 0 && m->hs_type))) {
            json_uint(w, m->hs_type);
        } else {
            json_null(w);
        }
        kv_ref(w, "ref", m->ref);
        kv_ref(w, "ref_first", m->ref_first ? m->ref_first : m->ref);
        json_kv_bool(w, "encrypted", m->encrypted);
        if (m->decrypted) {
            json_kv_bool(w, "decrypted", true); /* only when set, like "redacted" */
        }
        json_kv_uint(w, "length", m->length);
        kv_time(w, "time", &m->ts);
        json_object_end(w);
    }
    json_array_end(w);
}

static void write_notes(struct json_writer *w, const struct ev_connection *c)
{
    json_key(w, "notes");
    json_array_begin(w);
    for (size_t i = 0; c->notes && i < c->note_count; i++) {
        const struct ev_note *n = &c->notes[i];
        json_object_begin(w);
        json_kv_string(w, "status", report_status_token(n->status));
        kv_ref(w, "ref", n->ref);
        json_kv_uint(w, "offset", n->offset);
        json_kv_string(w, "from", report_dir_name(n->from));
        json_kv_string(w, "text", n->text);
        json_object_end(w);
    }
    json_array_end(w);
}

static void write_finding(struct json_writer *w, const struct finding *f)
{
    json_object_begin(w);
    json_kv_string(w, "rule", f->rule);
    json_kv_string(w, "severity", severity_name(f->severity));
    json_kv_string(w, "title", f->title);
    json_kv_string(w, "explanation", f->explanation);
    const_string_array(w, "remediation", f->remediation, f->remediation_count);
    json_key(w, "evidence");
    json_array_begin(w);
    for (size_t i = 0; f->evidence && i < f->evidence_count; i++) {
        json_uint(w, f->evidence[i]);
    }
    json_array_end(w);
    const_string_array(w, "references", f->references, f->reference_count);
    json_key(w, "connection");
    if (f->conn) {
        json_uint(w, f->conn->id);
    } else {
        json_null(w);
    }
    json_object_end(w);
}

static void write_findings(struct json_writer *w, const struct report_flist *l)
{
    json_key(w, "findings");
    json_array_begin(w);
    for (size_t i = 0; i < l->count; i++) {
        write_finding(w, l->items[i]);
    }
    json_array_end(w);
}

static void write_tcp_close(struct json_writer *w, const struct ev_connection *c)
{
    json_key(w, "tcp_close");
    if (!c->fin[0] && !c->fin[1] && !c->rst[0] && !c->rst[1]) {
        json_null(w);
        return;
    }
    json_object_begin(w);
    json_key(w, "fin");
    json_array_begin(w);
    for (int d = 0; d < 2; d++) {
        if (c->fin[d]) {
            json_string(w, report_dir_name((enum ev_dir)d));
        }
    }
    json_array_end(w);
    json_key(w, "rst");
    json_array_begin(w);
    for (int d = 0; d < 2; d++) {
        if (c->rst[d]) {
            json_string(w, report_dir_name((enum ev_dir)d));
        }
    }
    json_array_end(w);
    kv_ref(w, "ref", c->close_ref);
    kv_ref(w, "client_ref", c->close_refs[EV_FROM_CLIENT]);
    kv_ref(w, "server_ref", c->close_refs[EV_FROM_SERVER]);
    json_object_end(w);
}

static void write_stated_certs(struct json_writer *w, const struct ev_connection *c)
{
    json_key(w, "certificates");
    json_array_begin(w);
    for (size_t i = 0; c->stated_certs && i < c->stated_cert_count; i++) {
        const struct ev_stated_cert *sc = &c->stated_certs[i];
        json_object_begin(w);
        json_kv_string(w, "subject", sc->subject);
        json_kv_string(w, "issuer", sc->issuer);
        json_kv_string(w, "serial", sc->serial);
        json_kv_string(w, "status", sc->status);
        kv_ref(w, "ref", sc->ref);
        json_object_end(w);
    }
    json_array_end(w);
}

/* What an ICM trace states about the attempt (null for a capture). */
static void write_trace(struct json_writer *w, const struct ev_connection *c)
{
    json_key(w, "trace");
    if (!report_from_trace(c) && !c->has_also) {
        json_null(w);
        return;
    }
    json_object_begin(w);
    json_kv_string(w, "local_side", report_side_name(c->local_side));
    json_kv_bool(w, "not_tls", c->not_tls);
    json_kv_string(w, "error_name", c->error_name);
    json_key(w, "error_code");
    if (c->error_code != 0) {
        json_int(w, c->error_code);
    } else {
        json_null(w);
    }
    json_kv_string(w, "error_text", c->error_text);
    json_kv_string(w, "identity", c->identity);
    json_kv_string(w, "target_host", c->target_host);
    json_kv_string(w, "handshake_state", c->handshake_state);
    string_array(w, "statements", c->statements, c->statement_count);
    write_stated_certs(w, c);
    json_object_end(w);
}

static void write_connection(struct json_writer *w, const struct ev_connection *c,
                             const struct report_flist *findings, bool key_ids)
{
    char buf[NAME_BUF];

    json_object_begin(w);
    /* Contract fields first, in DESIGN.md order. */
    json_kv_uint(w, "id", c->id);
    json_kv_uint(w, "stream", c->stream);
    write_source(w, &c->source);
    write_sources(w, c);
    write_endpoint(w, "client", &c->client);
    write_endpoint(w, "server", &c->server);
    /* A trace states the SNI, or only the suite, without a hello on the wire. */
    json_kv_string(w, "sni", c->ch.sni);
    json_kv_string(
        w, "version",
        c->sh.seen && c->sh.version != 0 ? tls_version_str(c->sh.version, buf, sizeof buf) : NULL);
    json_kv_string(
        w, "cipher_suite",
        c->sh.seen && c->sh.suite != 0 ? tls_cipher_suite_str(c->sh.suite, buf, sizeof buf) : NULL);
    json_key(w, "server_certificates");
    if (c->server_chain) {
        write_chain(w, c->server_chain, key_ids);
    } else {
        json_null(w);
    }
    write_cert_request(w, c);
    write_client_certs(w, c, key_ids);
    write_alerts(w, c);
    json_kv_string(w, "outcome", report_outcome_name(c->outcome));
    write_findings(w, findings);

    /* Extra fields. */
    json_kv_string(w, "outcome_detail", c->outcome_detail);
    kv_time(w, "first_time", &c->first_ts);
    kv_time(w, "last_time", &c->last_ts);
    json_kv_bool(w, "roles_guessed", c->roles_guessed);
    json_kv_bool(w, "encrypted_after_hello", c->encrypted_after_hello);
    if (c->decryption != EV_DEC_NONE) {
        json_kv_string(w, "decryption", ev_decryption_name(c->decryption));
        if (c->decryption == EV_DEC_FAILED) {
            kv_ref(w, "decryption_failed_ref", c->decryption_ref);
        }
    }
    json_kv_string(w, "client_certificate_status", report_client_cert_name(c->client_cert));
    report_json_verification(w, "server_chain_verification", c->server_chain);
    report_json_verification(w, "client_chain_verification", c->client_chain);
    kv_ref(w, "server_certificates_ref", c->server_chain ? c->server_chain->ref : 0);
    kv_ref(w, "client_certificates_ref",
           c->client_chain && (c->client_cert == EV_CC_SENT || c->client_cert == EV_CC_EMPTY)
               ? c->client_chain->ref
               : 0);
    write_client_hello(w, &c->ch);
    write_server_hello(w, &c->sh);
    json_key(w, "application_data");
    json_object_begin(w);
    json_kv_bool(w, "client", c->app_data[EV_FROM_CLIENT]);
    json_kv_bool(w, "server", c->app_data[EV_FROM_SERVER]);
    json_object_end(w);
    write_tcp_close(w, c);
    write_messages(w, c);
    write_notes(w, c);
    write_trace(w, c);
    json_object_end(w);
}

static void write_summary(struct json_writer *w, const struct report_counts *n)
{
    json_key(w, "summary");
    json_object_begin(w);
    json_kv_uint(w, "connections", n->handshakes);
    json_kv_uint(w, "failed", n->failed);
    json_kv_uint(w, "errors", n->errors);
    json_kv_uint(w, "warnings", n->warnings);
    json_kv_uint(w, "infos", n->infos);
    json_kv_uint(w, "established", n->established);
    json_kv_uint(w, "incomplete", n->incomplete);
    json_kv_uint(w, "tcp_connections", n->tcp_connections);
    json_object_end(w);
}

static void kv_now(struct json_writer *w)
{
    struct timespec now;
    if (clock_gettime(CLOCK_REALTIME, &now) != 0) {
        json_kv_null(w, "generated");
        return;
    }
    struct ev_time t = { .sec = now.tv_sec, .nsec = 0 };
    char buf[REPORT_TIME_LEN];
    json_key(w, "generated");
    if (report_time_iso(&t, buf, sizeof buf)) {
        json_string(w, buf);
    } else {
        json_null(w);
    }
}

int report_write_json(FILE *out, const struct evidence *ev, const struct findings *f,
                      const struct report_options *o)
{
    struct report_index ix;
    struct report_counts counts;
    struct json_writer w;

    if (report_index_init(&ix, ev, f) != 0) {
        return -1;
    }
    report_count(ev, f, &counts);
    json_init(&w, out);
    json_object_begin(&w);
    json_kv_uint(&w, "schema", 1);
    json_kv_string(&w, "tool", "tlsdiag");
    json_kv_string(&w, "version", report_version(o));
    if (ev->redacted) {
        /* Only when set: unredacted reports stay as they were. */
        json_kv_bool(&w, "redacted", true);
    }
    if (ev->keylog_path || ev->keylog_sessions) {
        json_key(&w, "keylog");
        json_object_begin(&w);
        json_kv_string(&w, "path", ev->keylog_path);
        json_kv_uint(&w, "sessions", ev->keylog_sessions);
        json_object_end(&w);
    }
    json_key(&w, "inputs");
    json_array_begin(&w);
    for (size_t i = 0; ev->inputs && i < ev->input_count; i++) {
        write_input(&w, &ev->inputs[i]);
    }
    json_array_end(&w);
    if (ev->unread_count > 0) {
        /* Only when set: a report of readable inputs stays as it was. */
        json_key(&w, "unreadable");
        json_array_begin(&w);
        for (size_t i = 0; i < ev->unread_count; i++) {
            json_object_begin(&w);
            json_kv_string(&w, "path", ev->unread[i].path);
            json_kv_string(&w, "error", ev->unread[i].reason);
            json_object_end(&w);
        }
        json_array_end(&w);
    }
    json_key(&w, "connections");
    json_array_begin(&w);
    for (size_t i = 0; i < ev->conn_count && !w.failed; i++) {
        write_connection(&w, ev->conns[i], &ix.by_conn[i], !ev->redacted);
    }
    json_array_end(&w);
    write_findings(&w, &ix.global);
    write_summary(&w, &counts);
    if (o && o->timestamp && !o->deterministic) {
        kv_now(&w); /* only when asked: the same input gives the same report */
    }
    json_object_end(&w);
    report_index_fini(&ix);
    return json_finish(&w);
}
