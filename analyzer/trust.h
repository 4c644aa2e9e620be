/*
 * trust.h - `--trust CAFILE` for analyze and check: the CA file read once
 * (x509_load_file), every chain of the evidence verified against it with
 * wolfSSL as of its handshake time (x509_verify_evidence), and the facts
 * environment the rules get (rules/facts.h struct facts_env).
 */
#ifndef TLSDIAG_TRUST_H
#define TLSDIAG_TRUST_H

#include <stdbool.h>

#include "evidence.h"
#include "facts.h"
#include "x509.h"

/*
 * Reads CAFILE (PEM or DER, one or more certificates) into the cache's
 * arena, verifies the server chain and the client chain sent of every
 * connection of ev against it and fills *ret_env (trust certificates; check
 * stays false). self_signed_only: only self-signed certificates are anchors
 * (tlsdiag check); else every certificate of the file is. display_name
 * names the file in findings (a neutral phrase under --redact). Prints a
 * one-line message naming the file and returns false when it cannot be
 * read or memory runs out.
 */
bool trust_apply(struct evidence *ev, struct x509_cache *certs, const char *path,
                 const char *display_name, bool self_signed_only, struct facts_env *ret_env);

#endif
