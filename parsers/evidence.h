/*
 * evidence.h - the one model that captures and ICM traces both fill and that
 * rules and renderers only read (DESIGN.md "Evidence model"). Plain data,
 * allocated in one arena that is freed once at the end of the run.
 *
 * A connection is one handshake attempt: a TCP connection that renegotiates
 * yields one connection per handshake, all with the same `stream`. Client
 * and server come from who sent the ClientHello, never from who opened TCP.
 * References (`ref`) are 1-based pcap frame numbers or trace line numbers,
 * depending on source.kind.
 */
#ifndef TLSDIAG_EVIDENCE_H
#define TLSDIAG_EVIDENCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cursor.h"
#include "status.h"

/* ---- arena ------------------------------------------------------------- */

struct ev_chunk;

struct ev_arena {
    struct ev_chunk *head;
    size_t used; /* bytes handed out, for the cap */
    size_t cap;
};

void ev_arena_init(struct ev_arena *a, size_t cap);
void ev_arena_fini(struct ev_arena *a);
/* Zeroed memory, aligned for any type; NULL when the cap is reached. */
void *ev_alloc(struct ev_arena *a, size_t n);
void *ev_memdup(struct ev_arena *a, const void *p, size_t n);
/* NUL-terminated copy of n bytes (the bytes may contain anything but NUL
 * ends the C string early: callers escape first when that matters). */
char *ev_strndup(struct ev_arena *a, const char *s, size_t n);
char *ev_strdup(struct ev_arena *a, const char *s);
char *ev_printf(struct ev_arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Makes room for one more element in an arena array (doubling, old storage
 * is left in the arena). ST_LIMIT when *count reaches max. */
MUST_USE enum status ev_grow(struct ev_arena *a, void **arr, size_t *cap, size_t count,
                             size_t elem_size, size_t max);

/* Appends *elem to an arena array declared as `T *items; size_t n, cap;`. */
#define EV_PUSH(arena, items, n, cap, max, elem) \
    ev_push((arena), (void **)&(items), &(n), &(cap), sizeof *(items), (max), (elem))
MUST_USE enum status ev_push(struct ev_arena *a, void **arr, size_t *count, size_t *cap,
                             size_t elem_size, size_t max, const void *elem);

/* ---- facts --------------------------------------------------------------- */

struct ev_time {
    int64_t sec; /* seconds since the Unix epoch, UTC */
    uint32_t nsec;
};

enum ev_dir { EV_FROM_CLIENT = 0, EV_FROM_SERVER = 1 };

enum ev_source_kind { EV_SRC_PCAP, EV_SRC_ICM };

enum ev_input_kind { EV_IN_PCAP, EV_IN_PCAPNG, EV_IN_ICM, EV_IN_CERT, EV_IN_LIVE, EV_IN_PROBE };

enum ev_outcome {
    EV_OUT_INCOMPLETE = 0, /* capture ended, gap, or nothing decisive seen */
    EV_OUT_ESTABLISHED,
    EV_OUT_FAILED,
};

enum ev_phase { EV_PHASE_INITIAL, EV_PHASE_RENEGOTIATION, EV_PHASE_POST_HANDSHAKE };

/* Decryption with a key log (--keylog, or a pcapng Decryption Secrets Block). */
enum ev_decryption {
    EV_DEC_NONE = 0,    /* nothing was protected, or no key log was given */
    EV_DEC_NO_SECRETS,  /* the key log has no secrets for this ClientHello */
    EV_DEC_UNSUPPORTED, /* the cipher suite or version cannot be opened here */
    EV_DEC_OK,          /* protected records were opened */
    EV_DEC_FAILED,      /* a record did not authenticate with the logged secrets */
};

/* The one table of decryption names (facts, JSON): "none", "no_secrets", ... */
static inline const char *ev_decryption_name(enum ev_decryption d)
{
    static const char *const names[] = {
        [EV_DEC_NONE] = "none",
        [EV_DEC_NO_SECRETS] = "no_secrets",
        [EV_DEC_UNSUPPORTED] = "unsupported",
        [EV_DEC_OK] = "ok",
        [EV_DEC_FAILED] = "failed",
    };
    return (unsigned)d < sizeof names / sizeof names[0] ? names[d] : "none";
}

enum ev_client_cert {
    EV_CC_NOT_SENT = 0, /* no Certificate message from the client */
    EV_CC_EMPTY,        /* Certificate message with an empty list */
    EV_CC_SENT,         /* a chain (possibly with decode failures) */
    EV_CC_NOT_VISIBLE,  /* TLS 1.3 without keys: cannot tell */
};

struct ev_endpoint {
    char ip[48]; /* textual, IPv6 without brackets */
    uint16_t port;
};

/* A certificate as DESIGN.md's CERT. Shared between connections when the
 * same DER appears again (decoded once). */
struct ev_cert {
    bool redacted;    /* --redact rewrote it (a certificate shared by connections once) */
    struct bytes der; /* copy in the arena */
    char *subject;    /* RFC 4514 */
    char *issuer;
    struct bytes subject_der, issuer_der; /* views into der */
    char *serial;                         /* lowercase hex, colon-free */
    char *not_before;                     /* ISO 8601 UTC, e.g. 2024-01-31T12:00:00Z */
    char *not_after;
    int64_t not_before_t, not_after_t; /* Unix time */
    char sha256[65];
    char **san;
    size_t san_count;
    char *key_type; /* RSA, EC, Ed25519, DSA, ... */
    unsigned key_bits;
    char *signature_algorithm; /* e.g. sha256WithRSAEncryption */
    bool is_ca;
    int path_len; /* -1 when absent */
    bool self_signed;
    char **key_usage;
    size_t key_usage_count;
    char **ext_key_usage;
    size_t ext_key_usage_count;
    struct bytes ski, aki;   /* key identifiers, views into der; empty when absent */
    char *ski_hex, *aki_hex; /* the same in lowercase hex; NULL when absent */
    char *error;             /* non-NULL: wolfSSL could not decode (fields may be partial) */
};

/* A chain verified against trust anchors (--trust CAFILE) with wolfSSL as
 * of the handshake time (parsers/x509.c x509_verify_chain). */
enum ev_verify_result {
    EV_VERIFY_OK = 0,         /* a path from the leaf to a trust anchor, all valid at that time */
    EV_VERIFY_NO_ISSUER,      /* the path ends below an issuer neither sent nor a trust anchor */
    EV_VERIFY_UNTRUSTED_ROOT, /* the path ends at a self-signed certificate that is not trusted */
    EV_VERIFY_INVALID,        /* wolfSSL rejects a link: signature, not a CA, path length, ... */
    EV_VERIFY_EXPIRED,        /* the links hold; a certificate on the path had expired */
    EV_VERIFY_NOT_YET_VALID,  /* the links hold; a certificate on the path was not yet valid */
};

/* The one table of result names (facts, JSON): "ok", "no_issuer", ... */
static inline const char *ev_verify_result_name(enum ev_verify_result r)
{
    static const char *const names[] = {
        [EV_VERIFY_OK] = "ok",
        [EV_VERIFY_NO_ISSUER] = "no_issuer",
        [EV_VERIFY_UNTRUSTED_ROOT] = "untrusted_root",
        [EV_VERIFY_INVALID] = "invalid",
        [EV_VERIFY_EXPIRED] = "expired",
        [EV_VERIFY_NOT_YET_VALID] = "not_yet_valid",
    };
    return (unsigned)r < sizeof names / sizeof names[0] ? names[r] : "invalid";
}

struct ev_verify {
    enum ev_verify_result result;
    unsigned depth;               /* the certificate the result is about: 0 = leaf, path order */
    const struct ev_cert *cert;   /* that certificate (the anchor when depth == path_len) */
    const struct ev_cert *anchor; /* the trust anchor the path reaches, or NULL */
    const struct ev_cert *top;    /* the last certificate of the chain on the path */
    size_t path_len;              /* certificates of the chain on the path from the leaf */
    char *reason;                 /* in words, with wolfSSL's reason and code where it gave one */
    const char *trust_name;       /* the trust file as given on the command line */
    int64_t at;                   /* the time judged at (Unix seconds); 0: dates not judged */
};

struct ev_chain {
    struct ev_cert **certs;
    size_t count;
    uint64_t ref;
    struct ev_verify *verify; /* NULL: not verified (no --trust, or no certificate) */
};

struct ev_name {
    char *text;       /* RFC 4514 */
    struct bytes der; /* the DistinguishedName as sent, copy in the arena */
};

struct ev_cert_request {
    bool visible;
    enum ev_phase phase;
    uint8_t *cert_types;
    size_t cert_type_count;
    uint16_t *sig_algs;
    size_t sig_alg_count;
    struct ev_name *ca_names;
    size_t ca_count;
    struct bytes context; /* TLS 1.3 certificate_request_context */
    uint64_t ref;
};

/* One step of the ladder: a handshake message, CCS, alert or the first
 * application data record in one direction. */
struct ev_msg {
    enum ev_dir from;
    uint8_t content_type; /* 20 ChangeCipherSpec, 21 alert, 22 handshake, 23 app data */
    uint8_t hs_type;      /* handshake type when content_type == 22 and not encrypted */
    bool encrypted;
    bool decrypted;     /* protected on the wire, opened with the key log */
    uint32_t length;    /* message (or record) body length */
    uint64_t ref;       /* frame/line where the message completed */
    uint64_t ref_first; /* frame/line where it started */
    struct ev_time ts;
    const char *name; /* static: "ClientHello", "Alert", "Encrypted handshake message", ... */
};

struct ev_alert {
    enum ev_dir from;
    uint8_t level; /* 1 warning, 2 fatal; 0 when encrypted */
    uint8_t description;
    bool encrypted; /* protected and not opened: level and description unknown */
    bool decrypted; /* protected on the wire, opened with the key log */
    uint64_t ref;
    struct ev_time ts;
    size_t msg_index; /* position in the ladder */
};

/* Anything that went wrong while reading: a malformed message, a gap, a cap. */
struct ev_note {
    enum status status;
    uint64_t ref;
    uint64_t offset; /* stream offset, or 0 */
    enum ev_dir from;
    char *text;
};

struct ev_client_hello {
    bool seen;
    bool sslv2; /* SSLv2-compatible ClientHello */
    uint16_t legacy_version;
    uint16_t *versions; /* supported_versions, in offer order */
    size_t version_count;
    uint16_t *suites;
    size_t suite_count;
    char *sni; /* NULL when absent */
    char **alpn;
    size_t alpn_count;
    uint16_t *sig_algs;
    size_t sig_alg_count;
    uint16_t *groups;
    size_t group_count;
    bool certificate_authorities;
    bool post_handshake_auth;
    uint8_t random[32];
    uint64_t ref;
};

struct ev_server_hello {
    bool seen;
    bool hrr; /* a HelloRetryRequest was seen before the ServerHello */
    uint16_t legacy_version;
    uint16_t version; /* negotiated: supported_versions, else legacy_version */
    uint16_t suite;
    uint8_t random[32];
    uint64_t ref;
};

struct ev_source {
    enum ev_source_kind kind;
    const char *path;
    uint64_t first, last; /* frames or lines */
    char *thread;         /* ICM: thread id */
    char *conn;           /* ICM: CCL connection id, e.g. Cli-0001D1E1 */
    /* ICM: the attempt goes on in the next (rotated) trace file: that file
     * and its lines; NULL and 0 otherwise. `last` stays in `path`. */
    const char *cont_path;
    uint64_t cont_first, cont_last;
};

/* Which side wrote a text source (an ICM trace is written by one endpoint). */
enum ev_side { EV_SIDE_UNKNOWN = 0, EV_SIDE_CLIENT, EV_SIDE_SERVER };

/* What an ICM trace says about its SSL initialisation (the block written at
 * ICM start, shared/icm-trace-format.md 3) before an attempt. */
enum ev_ssl_init {
    EV_SSL_INIT_NOT_SEEN = 0, /* no complete block before the attempt, or not a trace */
    EV_SSL_INIT_READY,        /* the block ended with "SapCryptoLib SSL ready" */
    EV_SSL_INIT_FAILED,       /* the block ended without it: SSL not initialised */
};

/* The ICM's HTTP handler on the intermediary (reverse proxy, SAP Web
 * Dispatcher, Cloud Connector) that forwarded a client certificate in SSL
 * header fields (shared/icm-trace-format.md 10.8). */
enum ev_intermediary {
    EV_INTERMEDIARY_NOT_STATED = 0,
    EV_INTERMEDIARY_UNTRUSTED, /* "intermediary is NOT trusted", "no trust relationship ..." */
};

/* A certificate known only from text (a trace's certificate tree): no DER,
 * so it cannot be an ev_cert. Listed leaf first, then each signer. */
struct ev_stated_cert {
    char *subject; /* as written (may be cut); NULL when not given */
    char *issuer;
    char *serial; /* as written, e.g. 05:1C:46:... */
    char *status; /* verification status as written ("Not successful"), or NULL */
    uint64_t ref; /* line of the Subject (or first) entry */
};

struct ev_connection {
    unsigned id;     /* 1-based, in report order */
    unsigned stream; /* 1-based TCP connection number */
    struct ev_source source;
    struct ev_endpoint client, server;
    struct ev_time first_ts, last_ts;
    bool roles_guessed; /* no hello seen: roles from ports/heuristics */

    struct ev_client_hello ch;
    struct ev_server_hello sh;

    struct ev_chain *server_chain;        /* NULL: not seen */
    struct ev_cert_request *cert_request; /* NULL: none seen */
    enum ev_client_cert client_cert;
    struct ev_chain *client_chain; /* when EV_CC_SENT or EV_CC_EMPTY */

    struct ev_msg *msgs;
    size_t msg_count, msg_cap;
    struct ev_alert *alerts;
    size_t alert_count, alert_cap;
    struct ev_note *notes;
    size_t note_count, note_cap;

    bool encrypted_after_hello; /* TLS 1.3: handshake hidden after ServerHello */
    enum ev_decryption decryption;
    uint64_t decryption_ref; /* EV_DEC_FAILED: the frame of the record that did not open */
    bool fin[2], rst[2];     /* TCP close seen, per sender (enum ev_dir) */
    uint64_t close_ref;      /* the first FIN or RST */
    uint64_t close_refs[2];  /* each sender's FIN or RST (enum ev_dir); 0: none seen */
    enum ev_outcome outcome;
    const char *outcome_detail; /* why failed/incomplete, in words */
    bool app_data[2];           /* application data seen per direction */

    /* Stated facts: what a text source (an ICM trace) says about the attempt
     * rather than what was seen on the wire. A capture leaves them zero;
     * anything may fill them when it states such a fact. */
    enum ev_side local_side; /* side that wrote the source (the ICM's role) */
    bool not_tls;            /* the attempt never reached TLS (TCP connect or proxy refused);
                                outcome is EV_OUT_FAILED */
    char *error_name;        /* error name as written, e.g. SSSLERR_PEER_CERT_UNTRUSTED; NULL */
    int error_code;          /* its number, e.g. -102; 0 when not given */
    uint64_t error_line;     /* the line that states it (a trace); 0 when not known */
    char *error_text;        /* the source's explanation of the error, verbatim; NULL */
    char *identity;          /* key store of the writing side, e.g. .../sec/SAPSSLC.pse; NULL */
    char *target_host;       /* name a client checks the server certificate against (RFC 2818) */
    char *handshake_state;   /* handshake position at failure, e.g. "TLS read server hello A" */
    uint64_t identity_line, target_host_line, state_line; /* lines stating them; 0: unknown */
    char **statements; /* the source's own sentences worth citing, verbatim */
    size_t statement_count, statement_cap;
    uint64_t *statement_lines; /* the line of each statement (same index); 0: unknown */
    size_t statement_line_count, statement_line_cap;
    struct ev_stated_cert *stated_certs; /* certificate tree printed by the source */
    size_t stated_cert_count, stated_cert_cap;

    /* Time a text source states for the attempt: an ICM trace's local time
     * without zone, stored as if it were UTC. Never compared with capture
     * times except modulo whole quarter hours (analyzer/correlate.c). */
    struct ev_time stated_time;
    bool has_stated_time;
    /* ICM trace: the last SSL initialisation block before this attempt, and
     * the line it began on (0 when none). */
    enum ev_ssl_init ssl_init;
    uint64_t ssl_init_ref;
    /* ICM trace (server): what the HTTP handler stated about the intermediary
     * that forwarded SSL header fields, and the first line saying it. */
    enum ev_intermediary intermediary;
    uint64_t intermediary_ref;
    /* A second source of the same attempt: set when a capture connection
     * and an ICM trace connection were merged (analyzer/correlate.c);
     * `source` stays the capture, `also` cites the trace. */
    struct ev_source also;
    bool has_also;
};

struct ev_input {
    const char *path;
    enum ev_input_kind kind;
    uint64_t units; /* packets or lines */
    uint64_t bytes;
    bool truncated;
    char *error; /* non-NULL: what stopped reading */
    uint64_t error_ref;
    uint64_t tcp_flows, fragments, skipped; /* diagnostics */

    /* ICM trace (EV_IN_ICM) only; zero/NULL otherwise. The file header
     * (shared/icm-trace-format.md 3): trc level at file creation (never the
     * level of every line), kernel release and patch; NULL when absent. */
    bool header_seen;
    int trace_level;
    char *release; /* e.g. "785" */
    char *patch;   /* patchno, e.g. "50" */
    /* The SSL initialisation block written at ICM start (ibid. 3). When a
     * file holds several, the facts are those of the last block. */
    bool ssl_init_seen;            /* "= SSL Initialization ..." line, or a fact of the block */
    bool ssl_init_ended;           /* something followed the block: it is complete in the text */
    bool ssl_ready_seen;           /* "= Success    SapCryptoLib SSL ready!" */
    uint64_t ssl_init_ref;         /* line of "SSL Initialization" (or of its first fact) */
    uint64_t ssl_ready_ref;        /* line of the success line; 0 when not seen */
    char *crypto_lib_version;      /* "found CommonCryptoLib 8.5.47 (...)": "8.5.47" */
    char *crypto_lib_date;         /* its build date as written, e.g. "Jan 12 2023" */
    char *crypto_lib_path;         /* resulting Filename = "<dir>/libsapcrypto.so" */
    char *secudir;                 /* using SECUDIR=<dir> */
    char *ssl_ciphersuites;        /* [dpf] ssl/ciphersuites=<spec> (server side), opaque */
    char *ssl_client_ciphersuites; /* [dpf] ssl/client_ciphersuites=<spec>, opaque */
};

/* A certificate file given to `tlsdiag analyze`: a client certificate chain
 * the user holds (leaf first), judged against every visible CA list. */
struct ev_candidate {
    const char *path; /* the file as given (the input's path) */
    struct ev_chain *chain;
};

/* An input file that could not be read at all (the report names it). */
struct ev_unread {
    const char *path;
    const char *reason; /* one line, without the path */
};

struct evidence {
    struct ev_arena arena;
    struct ev_input *inputs;
    size_t input_count, input_cap;
    struct ev_connection **conns;
    size_t conn_count, conn_cap;
    /* Certificate files given with the capture or trace (EV_IN_CERT inputs):
     * candidate client chains, in command line order. */
    struct ev_candidate *candidates;
    size_t candidate_count, candidate_cap;
    bool redacted;            /* identifiers replaced by pseudonyms (analyzer/redact.c) */
    struct ev_unread *unread; /* inputs given but not read */
    size_t unread_count, unread_cap;
    const char *keylog_path;  /* --keylog FILE; NULL when none was given */
    uint64_t keylog_sessions; /* client randoms with secrets, from the file and pcapng DSBs */
    /* ICM traces read one after the other (rotated files): the parser state
     * the next file goes on from (parsers/icm.c), freed by ev_fini. */
    void *icm_carry;
    void (*icm_carry_free)(void *carry);
};

void ev_init(struct evidence *ev);
void ev_fini(struct evidence *ev);
struct ev_input *ev_input_add(struct evidence *ev, const char *path, enum ev_input_kind kind);
/* Adds a statement of the source (the string is kept, not copied) and the
 * line it stands on, unless the connection has that sentence already; past
 * `cap` statements it is dropped. */
MUST_USE enum status ev_statement_add(struct evidence *ev, struct ev_connection *c, char *text,
                                      uint64_t line, size_t cap);
/* Records an input that could not be read (copies both strings). */
MUST_USE enum status ev_unread_add(struct evidence *ev, const char *path, const char *reason);
/* A new zeroed connection appended to the list; NULL at the cap. */
struct ev_connection *ev_connection_add(struct evidence *ev);
/* Appends a candidate client chain read from path (ST_LIMIT past
 * CAP_CANDIDATES). */
MUST_USE enum status ev_candidate_add(struct evidence *ev, const char *path,
                                      struct ev_chain *chain);
MUST_USE enum status ev_note_add(struct evidence *ev, struct ev_connection *conn, enum status st,
                                 uint64_t ref, uint64_t offset, enum ev_dir from, const char *text);

#endif
