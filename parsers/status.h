/*
 * status.h - the one status type every parser and layer returns, the TRY()
 * propagation macro, and the table of status names (STYLE.md section 4).
 * Truncated (the capture ended or lost bytes) and malformed (the peer sent
 * something invalid) are kept apart on purpose: one is a capture problem,
 * the other a finding about the peer.
 */
#ifndef TLSDIAG_STATUS_H
#define TLSDIAG_STATUS_H

#define MUST_USE __attribute__((warn_unused_result))

#define STATUS_LIST(X)                                            \
    X(ST_OK, "ok")                                                \
    X(ST_INCOMPLETE, "incomplete (more bytes needed)")            \
    X(ST_TRUNCATED, "truncated (capture ended or bytes missing)") \
    X(ST_MALFORMED, "malformed")                                  \
    X(ST_LIMIT, "limit exceeded")                                 \
    X(ST_UNSUPPORTED, "unsupported")                              \
    X(ST_NOMEM, "out of memory")                                  \
    X(ST_INTERNAL, "internal error")

#define STATUS_ENUM_ITEM(id, text) id,
enum status { STATUS_LIST(STATUS_ENUM_ITEM) };
#undef STATUS_ENUM_ITEM

const char *status_name(enum status st);

#define TRY(expr)                     \
    do {                              \
        enum status try_st_ = (expr); \
        if (try_st_ != ST_OK) {       \
            return try_st_;           \
        }                             \
    } while (0)

#endif
