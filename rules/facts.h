/*
 * facts.h - the fact table the rules read: per connection, a fixed
 * vocabulary of named facts with string values (booleans "yes"/"no",
 * numbers in decimal, enums as words, "unknown" where the evidence cannot
 * tell), computed once from the evidence. The vocabulary is documented in
 * rules/FACTS.md; this X-macro list is the one table of names.
 */
#ifndef TLSDIAG_FACTS_H
#define TLSDIAG_FACTS_H

#include <stdbool.h>
#include <stddef.h>

#include "evidence.h"

#define FACT_LIST(X)                                               \
    /* conditions */                                               \
    X(FACT_OUTCOME, "outcome")                                     \
    X(FACT_SOURCE, "source")                                       \
    X(FACT_LOCAL_SIDE, "local_side")                               \
    X(FACT_TLS13, "tls13")                                         \
    X(FACT_VERSION, "version")                                     \
    X(FACT_DECRYPTION, "decryption")                               \
    X(FACT_CERT_REQUEST, "cert_request")                           \
    X(FACT_CA_COUNT, "ca_count")                                   \
    X(FACT_CLIENT_CERT, "client_cert")                             \
    X(FACT_FIT, "fit")                                             \
    X(FACT_ALERT_FATAL_FROM, "alert_fatal_from")                   \
    X(FACT_ALERT_FATAL, "alert_fatal")                             \
    X(FACT_ALERT_FATAL_AFTER, "alert_fatal_after")                 \
    X(FACT_ALERT_AFTER_PEER_CERT, "alert_after_peer_cert")         \
    X(FACT_LAST_MSG, "last_msg")                                   \
    X(FACT_SILENT_CLOSE, "silent_close")                           \
    X(FACT_SERVER_CERT, "server_cert")                             \
    X(FACT_SERVER_CERT_EXPIRED, "server_cert_expired")             \
    X(FACT_SERVER_CERT_NOT_YET_VALID, "server_cert_not_yet_valid") \
    X(FACT_CLIENT_CERT_EXPIRED, "client_cert_expired")             \
    X(FACT_CLIENT_CERT_NOT_YET_VALID, "client_cert_not_yet_valid") \
    X(FACT_WEAK_KEY, "weak_key")                                   \
    X(FACT_MISSING_CLIENT_AUTH_EKU, "missing_client_auth_eku")     \
    X(FACT_HOSTNAME_MISMATCH, "hostname_mismatch")                 \
    X(FACT_SNI, "sni")                                             \
    X(FACT_TRACE_ERROR, "trace_error")                             \
    X(FACT_TRACE_NO_FITTING_CA, "trace_no_fitting_ca")             \
    X(FACT_TRACE_NOT_TLS, "trace_not_tls")                         \
    X(FACT_TRACE_NO_CLIENT_CERT, "trace_no_client_cert")           \
    X(FACT_TRACE_VERIFY_FAILED, "trace_verify_failed")             \
    X(FACT_TRACE_CHAIN_INCOMPLETE, "trace_chain_incomplete")       \
    X(FACT_TRACE_DETAIL, "trace_detail")                           \
    X(FACT_TRACE_SSL_INIT, "trace_ssl_init")                       \
    X(FACT_TRACE_INTERMEDIARY, "trace_intermediary")               \
    X(FACT_CHAIN_INCOMPLETE, "chain_incomplete")                   \
    X(FACT_CHAIN_INCOMPLETE_SIDE, "chain_incomplete_side")         \
    X(FACT_SERVER_CHAIN_VERIFY, "server_chain_verify")             \
    X(FACT_CLIENT_CHAIN_VERIFY, "client_chain_verify")             \
    X(FACT_CANDIDATE_FIT, "candidate_fit")                         \
    X(FACT_CANDIDATE_REFUSED, "candidate_refused")                 \
    /* references (a frame or line number, or "none") */           \
    X(FACT_REF_CLIENT_HELLO, "ref_client_hello")                   \
    X(FACT_REF_SERVER_HELLO, "ref_server_hello")                   \
    X(FACT_REF_CERT_REQUEST, "ref_cert_request")                   \
    X(FACT_REF_CLIENT_CERT, "ref_client_cert")                     \
    X(FACT_REF_SERVER_CERT, "ref_server_cert")                     \
    X(FACT_REF_ALERT, "ref_alert")                                 \
    X(FACT_REF_CLOSE, "ref_close")                                 \
    X(FACT_REF_SSL_INIT, "ref_ssl_init")                           \
    X(FACT_REF_INTERMEDIARY, "ref_intermediary")                   \
    X(FACT_REF_SOURCE, "ref_source")                               \
    /* text for explanations */                                    \
    X(FACT_REF_WORD, "ref_word")                                   \
    X(FACT_CA_NAMES_LIST, "ca_names_list")                         \
    X(FACT_CLIENT_CERT_WORDS, "client_cert_words")                 \
    X(FACT_CLIENT_CHAIN_WORDS, "client_chain_words")               \
    X(FACT_CLIENT_LEAF_SUBJECT, "client_leaf_subject")             \
    X(FACT_CLIENT_LEAF_ISSUER, "client_leaf_issuer")               \
    X(FACT_CLIENT_LEAF_EKU, "client_leaf_eku")                     \
    X(FACT_SERVER_LEAF_SUBJECT, "server_leaf_subject")             \
    X(FACT_SERVER_LEAF_ISSUER, "server_leaf_issuer")               \
    X(FACT_SERVER_LEAF_SAN, "server_leaf_san")                     \
    X(FACT_CLIENT_BAD_VALIDITY, "client_bad_validity")             \
    X(FACT_SERVER_BAD_VALIDITY, "server_bad_validity")             \
    X(FACT_HANDSHAKE_TIME, "handshake_time")                       \
    X(FACT_WEAK_KEY_WORDS, "weak_key_words")                       \
    X(FACT_ALERT_WORDS, "alert_words")                             \
    X(FACT_ALERT_SENDER, "alert_sender")                           \
    X(FACT_ALERT_PEER, "alert_peer")                               \
    X(FACT_HOST_NAME, "host_name")                                 \
    X(FACT_OFFERED_VERSIONS, "offered_versions")                   \
    X(FACT_CIPHER_SUITE, "cipher_suite")                           \
    X(FACT_AUTH_WORDS, "auth_words")                               \
    X(FACT_TRACE_ERROR_TEXT, "trace_error_text")                   \
    X(FACT_TRACE_STATE, "trace_state")                             \
    X(FACT_IDENTITY, "identity")                                   \
    X(FACT_EMPTY_CAUSE, "empty_cause")                             \
    X(FACT_REJECTER, "rejecter")                                   \
    X(FACT_REJECTED, "rejected")                                   \
    X(FACT_FAILURE_WORDS, "failure_words")                         \
    X(FACT_SERVER_CHAIN_WORDS, "server_chain_words")               \
    X(FACT_CLOSED_BY, "closed_by")                                 \
    X(FACT_LAST_MSG_WORDS, "last_msg_words")                       \
    X(FACT_CHAIN_MISSING_WORDS, "chain_missing_words")             \
    X(FACT_FIT_WORDS, "fit_words")                                 \
    X(FACT_SERVER_VERIFY_WORDS, "server_verify_words")             \
    X(FACT_CLIENT_VERIFY_WORDS, "client_verify_words")             \
    X(FACT_TRUST_FILE, "trust_file")                               \
    X(FACT_CANDIDATE_FIT_WORDS, "candidate_fit_words")             \
    X(FACT_CANDIDATE_NO_FIT_WORDS, "candidate_no_fit_words")       \
    X(FACT_CANDIDATE_FIT_FILE, "candidate_fit_file")               \
    X(FACT_CANDIDATE_NO_FIT_FILES, "candidate_no_fit_files")       \
    X(FACT_CANDIDATE_FILES, "candidate_files")

#define FACT_ENUM_ITEM(id, name) id,
enum fact_id { FACT_LIST(FACT_ENUM_ITEM) FACT_COUNT };
#undef FACT_ENUM_ITEM

struct fact_table {
    const char *val[FACT_COUNT]; /* never NULL after facts_compute */
};

const char *fact_name(enum fact_id id);
/* Looks a fact up by name (n bytes, not NUL-terminated); false when unknown. */
bool fact_lookup(const char *name, size_t n, enum fact_id *ret_id);

/* What the rules may know beyond the evidence: certificates the caller
 * holds (tlsdiag check --trust). A self-signed one is a trust anchor (the
 * verifier has it); any other is an intermediate that must be sent in the
 * chain to count. */
struct facts_env {
    struct ev_cert *const *trust;
    size_t trust_count;
    bool check; /* the connection is tlsdiag check's model, not a seen one: source = check */
    /* The evidence's candidate client chains (certificate files given to
     * analyze); the engine sets them from the evidence. */
    const struct ev_candidate *candidates;
    size_t candidate_count;
};

/* Computes every fact of one connection; strings live in the arena.
 * ST_NOMEM when the arena is full. env may be NULL. */
MUST_USE enum status facts_compute(struct ev_arena *a, const struct ev_connection *c,
                                   struct fact_table *ret);
MUST_USE enum status facts_compute_env(struct ev_arena *a, const struct ev_connection *c,
                                       const struct facts_env *env, struct fact_table *ret);

/* How a chain fits a CA list, found by walking the chain from the leaf:
 * each step goes to the certificate of the chain whose subject is the
 * current one's issuer. */
struct facts_fit {
    bool fits;
    size_t cert_index; /* position in the chain of the certificate that matched */
    size_t name_index; /* 0-based index of the CA name it matched */
    bool by_subject;   /* that certificate is a listed CA itself (else its issuer is listed) */
    size_t top_index;  /* last certificate the walk reached */
};
bool facts_chain_fit(const struct ev_chain *chain, const struct ev_cert_request *cr,
                     struct facts_fit *ret);
/* Is the DN (DER or RFC 4514 text) one of the CA names? ret_index may be NULL. */
bool facts_name_listed(const struct ev_cert_request *cr, struct bytes der, const char *text,
                       size_t *ret_index);
/* Are the two names equal? RFC 5280 7.1 on the DER (dn_der_equal: RDN
 * order as encoded, DirectoryString values whatever their string type, case
 * and white space folded), else, when a side has no DER, the folded RFC 4514
 * text with attribute type names compared ignoring case. */
bool facts_dn_equal(struct bytes a_der, const char *a_text, struct bytes b_der, const char *b_text);

/* The fit matcher on its own (for tests): does the walk from the leaf reach
 * a certificate with an issuer, or for a CA certificate a subject, equal to
 * one of the CA names (RFC 5280 7.1 as facts_dn_equal)? */
bool facts_chain_fits(const struct ev_chain *chain, const struct ev_cert_request *cr);
/* RFC 6125 6.4: does the DNS name (SAN entry or CN) cover host? A wildcard
 * is allowed only as the whole left-most label and covers one label. */
bool facts_name_matches(const char *pattern, const char *host);

#endif
