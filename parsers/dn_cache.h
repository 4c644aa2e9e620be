/*
 * dn_cache.h - CA names decoded once per run. A server sends the same
 * CertificateRequest (often 50 to 300 names) in every handshake; a capture
 * of thousands of handshakes rendered each name thousands of times (15% of
 * the instructions of a 1 GB capture) and kept as many copies. The cache
 * hands out the arena copies of the first time: same DER, same strings.
 */
#ifndef TLSDIAG_DN_CACHE_H
#define TLSDIAG_DN_CACHE_H

#include "cursor.h"
#include "evidence.h"

struct dn_cache;

/* Strings are allocated in `arena`, which must live as long as the cache. */
struct dn_cache *dn_cache_new(struct ev_arena *arena);
void dn_cache_free(struct dn_cache *c);

/* The DER (copied) and RFC 4514 text of a name, from the cache when it was
 * seen before. A NULL cache renders into `arena` every time. Errors as
 * dn_render (a name that does not render is not cached). */
MUST_USE enum status dn_cache_get(struct dn_cache *c, struct ev_arena *arena, struct bytes der,
                                  struct bytes *ret_der, char **ret_text);

#endif
