/*
 * report_common.h - small helpers the renderers share: names of evidence
 * enums as the JSON report (DESIGN.md "JSON report", schema 1) spells them,
 * ISO 8601 UTC timestamps of capture times, address:port formatting, a
 * strict UTF-8 decoder (RFC 3629) used to keep untrusted strings valid in
 * JSON and harmless on a terminal, the report's summary counts, and whether
 * a connection is known only from a text source (an ICM trace).
 */
#ifndef TLSDIAG_REPORT_COMMON_H
#define TLSDIAG_REPORT_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "evidence.h"
#include "findings.h"
#include "report.h"

/* Longest ISO 8601 text written by report_time_iso, NUL included. */
#define REPORT_TIME_LEN 40
/* "[" + IPv6 text + "]:" + port, NUL included. */
#define REPORT_ENDPOINT_LEN 64

const char *report_input_kind_name(enum ev_input_kind kind); /* "pcap", "icm-trace", ... */
const char *report_source_kind_name(enum ev_source_kind kind);
const char *report_outcome_name(enum ev_outcome outcome);    /* "established", ... */
const char *report_phase_name(enum ev_phase phase);          /* "initial", ... */
const char *report_dir_name(enum ev_dir dir);                /* "client" / "server" */
const char *report_client_cert_name(enum ev_client_cert cc); /* "not_sent", "empty", ... */
const char *report_status_token(enum status st);             /* "malformed", ... */
const char *report_side_name(enum ev_side side);             /* "client", "server", "unknown" */
/* True when the connection was rebuilt from an ICM trace: its facts are
 * what the trace states (ev_connection "Stated facts"), not wire bytes. */
bool report_from_trace(const struct ev_connection *c);
/* The version string to print: "test" when deterministic, never NULL. */
const char *report_version(const struct report_options *o);

/* True when the time carries a value (an all-zero time means unknown). */
bool report_time_known(const struct ev_time *t);
/* "2024-01-31T12:00:00.123456Z" (6 fractional digits, 9 when the
 * nanoseconds need them). Returns false (buf = "") for an unknown time or
 * one gmtime cannot represent. */
bool report_time_iso(const struct ev_time *t, char *buf, size_t n);

/* "10.0.0.1:443", "[::1]:443". */
void report_endpoint_str(const struct ev_endpoint *ep, char *buf, size_t n);

/* Name of a ladder entry: the parser's static name, else a table name,
 * else the number. Always printable. */
const char *report_msg_name(const struct ev_msg *m, char *buf, size_t n);

/*
 * Decodes one UTF-8 sequence (RFC 3629: no overlongs, no surrogates, at most
 * U+10FFFF) from s[0..left). Returns its length (1-4) and the code point in
 * *ret_cp, or 0 when the bytes are not valid UTF-8 (*ret_cp untouched).
 */
size_t report_utf8_decode(const unsigned char *s, size_t left, uint32_t *ret_cp);

struct report_counts {
    size_t handshakes;      /* ev->conn_count */
    size_t tcp_connections; /* distinct (source path, stream) pairs */
    size_t established, failed, incomplete;
    size_t errors, warnings, infos; /* all findings, input-wide included */
};

void report_count(const struct evidence *ev, const struct findings *f,
                  struct report_counts *ret_counts);

/*
 * Findings grouped by connection, in catalog order within a connection.
 * by_conn[i] lists the findings of ev->conns[i]; global those with conn ==
 * NULL (or a conn not in ev). The arrays are malloc'd: report_index_fini.
 */
struct report_flist {
    const struct finding **items;
    size_t count;
};

struct report_index {
    struct report_flist *by_conn; /* ev->conn_count entries */
    struct report_flist global;
    const struct finding **storage;
};

/* 0, or -1 when out of memory. */
int report_index_init(struct report_index *ix, const struct evidence *ev, const struct findings *f);
void report_index_fini(struct report_index *ix);

/* ---- derived strings both the text and the Markdown report print ---------- */

/* one or many by n. */
const char *report_plural(size_t n, const char *one, const char *many);
/* "line" for a connection from an ICM trace, else "frame". */
const char *report_ref_word(const struct ev_connection *c);
/* Every input is an ICM trace (certificate files aside): count attempts, not handshakes in TCP
 * connections (a trace attempt may never have reached TLS). */
bool report_traces_only(const struct evidence *ev);
/* ICM trace inputs (certificate files given along do not count). */
size_t report_trace_count(const struct evidence *ev);
/* True when the address or the port is known. */
bool report_endpoint_known(const struct ev_endpoint *ep);
/* "10.0.0.1:443", "port 443" (port stated, address not), or "unknown". */
void report_endpoint_or_unknown(const struct ev_endpoint *ep, char *buf, size_t n);
/* "the client (ICM)", "the server (peer)": who is who in a trace writer's words. */
const char *report_party(const struct ev_connection *c, enum ev_dir d);
/* "C -> S" or "C <- S". */
const char *report_arrow(enum ev_dir d);
/* "FAILED", "ESTABLISHED", "INCOMPLETE". */
const char *report_outcome_word(enum ev_outcome outcome);
/* The outcome detail of a trace connection only repeats its SAP error. */
bool report_detail_restates_error(const struct ev_connection *c);
/* "+1.234567" seconds from base to ts ("-0.000001" when out of order). */
void report_rel_time(const struct ev_time *base, const struct ev_time *ts, char *buf, size_t n);
/* A plaintext alert without the word "Alert": "fatal handshake_failure (40)",
 * "level 7 unknown_ca (48)". */
const char *report_alert_str(const struct ev_alert *a, char *buf, size_t n);
/* Why a capture shows no CA names: "not visible (...)", "none seen (...)" or
 * "none (...)"; for a connection with no visible CertificateRequest. */
const char *report_cert_request_absence(const struct ev_connection *c);

/*
 * Findings of one severity in every connection (any outcome; input-wide
 * findings are not counted), by rule, most frequent first, ties in order of
 * first appearance: the "2 x no_fitting_ca" of a summary. The array is
 * malloc'd (free it); *ret_count entries. 0, or -1 when out of memory.
 */
struct report_rule_count {
    const char *rule;
    size_t count;
};

int report_rule_counts(const struct evidence *ev, const struct report_index *ix, enum severity sev,
                       struct report_rule_count **ret_rules, size_t *ret_count);

/* True when a connection has a finding of severity warning or error. */
bool report_conn_has_problem(const struct report_flist *l);

/*
 * Where a report shows a connection, the same in every format: failed and
 * incomplete ones in full, an established one with a warning or error
 * finding in full too (an error may stand on a handshake that completed),
 * the other established ones in one line or row.
 */
enum report_section {
    REPORT_SEC_FAILED,
    REPORT_SEC_INCOMPLETE,
    REPORT_SEC_PROBLEM, /* established, with a warning or an error finding */
    REPORT_SEC_OK,      /* established, info findings at most */
};

enum report_section report_section_of(const struct ev_connection *c, const struct report_flist *l);
/* Connections of ev in the section (ix: their findings). */
size_t report_section_count(const struct evidence *ev, const struct report_index *ix,
                            enum report_section sec);

/* "handshake(s)", or "connection attempt(s)" when every input is an ICM
 * trace (an attempt may never have reached TLS): the noun of every count
 * and section title. */
const char *report_conn_noun(const struct evidence *ev, size_t n);
/* "Failed handshakes", "Successful connection attempts with warnings or
 * errors", ...: the title of a section (REPORT_SEC_OK: "Successful ..."). */
void report_section_title(const struct evidence *ev, enum report_section sec, char *buf, size_t n);

/*
 * The answer every report starts with, in the same words in every format:
 * "15 of 157 handshakes failed, 2 incomplete; errors: 157 x no_fitting_ca,
 * 15 x empty_client_cert; warnings: 142 x empty_client_cert" (errors and
 * warnings of all connections, established ones included), or "No TLS
 * handshake found". A renderer gives its writers: put for tlsdiag's words
 * (ASCII and the UTF-8 multiplication sign), rule for a rule id (to
 * escape), lead (may be NULL) called before (true) and after (false) the
 * "15 of 157 handshakes failed" part to emphasise it. 0, or -1 when out of
 * memory (nothing written).
 */
struct report_headline_out {
    void *ctx;
    void (*put)(void *ctx, const char *s);
    void (*rule)(void *ctx, const char *rule);
    void (*lead)(void *ctx, bool start);
};

int report_headline(const struct evidence *ev, const struct report_index *ix,
                    const struct report_counts *n, const struct report_headline_out *out);
/* True when the answer is bad news: a failed handshake or an error finding. */
bool report_headline_bad(const struct report_counts *n);

/*
 * Where a shared sentence is written: put for tlsdiag's own words (ASCII),
 * text for a string from the input (the renderer escapes it).
 */
struct report_sink {
    void *ctx;
    void (*put)(void *ctx, const char *s);
    void (*text)(void *ctx, const char *s);
};

/* What the ClientHello offered, in one line: "TLS 1.3, TLS 1.2; 17 cipher
 * suites; ALPN h2, http/1.1; certificate_authorities; post_handshake_auth". */
void report_client_offer(const struct ev_connection *c, const struct report_sink *out);
/* The offered cipher suites by name: "TLS_AES_128_GCM_SHA256, ...". */
void report_offered_suites(const struct ev_connection *c, const struct report_sink *out);

/* One side's TCP close: who, FIN or RST, and its own frame (0: unknown). */
struct report_close {
    enum ev_dir from;
    bool rst;
    uint64_t ref;
};

/* The TCP closes of c in the order they were seen (by frame; an unknown
 * frame last, the client first on a tie): 0, 1 or 2 entries in ret. */
size_t report_tcp_closes(const struct ev_connection *c, struct report_close ret[2]);
/* "server closed its side (FIN)", "client reset the connection (RST)". */
const char *report_close_what(const struct report_close *cl);
/* "server closed its side (FIN, frame 12); client closed its side (FIN,
 * frame 13)", or "" when no close was seen. */
void report_tcp_close_text(const struct ev_connection *c, char *buf, size_t n);

/* Decryption with a key log in a sentence for people (the names are
 * ev_decryption_name). */
const char *report_decryption_text(enum ev_decryption d);

/* The key log the report used, for its header: "FILE (3 sessions)" or "3
 * sessions embedded in the capture (pcapng DSB)"; false (nothing written)
 * when there was none. */
bool report_keylog(const struct evidence *ev, const struct report_sink *out);
/* The inputs that could not be read, for the header: "FILE (reason); ...";
 * false (nothing written) when every input was read. */
bool report_unread(const struct evidence *ev, const struct report_sink *out);
/* " (line 12)" after a connection's i-th statement (" (trace line 12)" when
 * a capture was merged with the trace); "" when its line is unknown. */
void report_statement_ref(const struct ev_connection *c, size_t i, char *buf, size_t n);
/* A connection's decryption in a sentence, with the frame that did not
 * open ("failed: ... (frame 9)"); "" when no key log applied. */
void report_decryption_line(const struct ev_connection *c, char *buf, size_t n);

/*
 * A report being written line by line: the first write error sticks and
 * later writes do nothing, so a renderer checks once at the end (with
 * fflush and ferror). report_out_safe prints untrusted text through
 * report_safe_char (NULL prints "(none)").
 */
struct report_out {
    FILE *f;
    bool failed;
};

void report_out_printf(struct report_out *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void report_out_put(struct report_out *o, const char *s);
void report_out_safe(struct report_out *o, const char *s);

/*
 * One character of untrusted text made safe to print (the text, Markdown,
 * HTML and trace reports' rule): printable ASCII and valid UTF-8 are kept,
 * C0 controls and DEL become "\xHH", C1 controls "\u00HH", the invisible
 * format characters of report_cp_invisible "\uHHHH" (a host name
 * "good.example\u202Egpj.exe" cannot display as "good.exampleexe.jpg"), a
 * byte that is not UTF-8 U+FFFD. Writes a NUL-terminated string to buf (n >= REPORT_SAFE_CHAR_LEN)
 * and returns the input bytes consumed (1-4); 0 only when left == 0.
 */
#define REPORT_SAFE_CHAR_LEN 8
/* Characters that change how text around them displays while showing
 * nothing themselves: U+200B-U+200F (zero width, LRM, RLM), U+2028/U+2029,
 * the bidi embeddings and overrides U+202A-U+202E and isolates U+2066-U+2069
 * (Unicode TR 9; CVE-2021-42574 "Trojan Source"), U+FEFF. */
bool report_cp_invisible(uint32_t cp);
size_t report_safe_char(const unsigned char *s, size_t left, char *buf, size_t n);

/* ---- sentences the HTML report prints (plain ASCII, no markup) ----------- */

/* "frames 4-9", "line 1", or "" when the source names no position. */
void report_source_span(const struct ev_connection *c, char *buf, size_t n);
/* The ICM's TLS role in words: "TLS client (the ICM called the server)", ... */
const char *report_icm_role(const struct ev_connection *c);
/* The client's answer when no decoded chain is shown: "none - the client sent
 * an empty Certificate message (frame 8)", "not visible (encrypted)", ... */
void report_client_cert_text(const struct ev_connection *c, char *buf, size_t n);
/* Why no server chain is shown: "not in the trace", "not visible (encrypted)", "not seen". */
const char *report_server_chain_absence(const struct ev_connection *c);
/* A trace's certificate request, whose CA names a trace never shows. */
void report_trace_cert_request_text(const struct ev_connection *c, char *buf, size_t n);
/* "frame 3: from client at stream offset 5: malformed: ", the lead of a note. */
void report_note_prefix(const struct ev_connection *c, const struct ev_note *note, char *buf,
                        size_t n);

/*
 * What every renderer computes before it writes: findings by connection and
 * the summary counts. 0, or -1 when out of memory (nothing to free then);
 * report_ctx_fini after 0.
 */
struct report_ctx {
    struct report_index ix;
    struct report_counts counts;
};

int report_ctx_init(struct report_ctx *ctx, const struct evidence *ev, const struct findings *f);
void report_ctx_fini(struct report_ctx *ctx);

#endif
