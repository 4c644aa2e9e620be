/*
 * trust.c - `--trust CAFILE`: load the CA file (a bundle of up to
 * CAP_TRUST_CERTS), verify every chain of the
 * evidence against it (parsers/x509.c, wolfSSL, at each connection's
 * handshake time), and hand the certificates to the rules (trust.h).
 */
#include "trust.h"

#include <stdio.h>

bool trust_apply(struct evidence *ev, struct x509_cache *certs, const char *path,
                 const char *display_name, bool self_signed_only, struct facts_env *ret_env)
{
    char err[512] = "";
    struct ev_chain *trust = NULL;
    if (x509_load_trust_file(certs, path, &trust, err, sizeof err) != ST_OK) {
        fprintf(stderr, "tlsdiag: --trust %s\n", err); /* err names the file */
        return false;
    }
    struct x509_verifier *v = NULL;
    enum status st = x509_verifier_new(trust, display_name, self_signed_only, &v);
    if (st == ST_OK) {
        st = x509_verify_evidence(v, ev);
    }
    x509_verifier_free(v);
    if (st != ST_OK) {
        fprintf(stderr, "tlsdiag: --trust %s: verifying the chains stopped: %s\n", path,
                status_name(st));
        return false;
    }
    ret_env->trust = trust->certs;
    ret_env->trust_count = trust->count;
    return true;
}
