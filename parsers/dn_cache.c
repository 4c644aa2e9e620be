/*
 * dn_cache.c - a bounded open-addressing table from a name's DER to its
 * arena copy and rendering. Past CAP_DN_CACHE names nothing new is cached
 * (rendering goes on as without a cache), so memory stays bounded.
 */
#include "dn_cache.h"

#include <stdlib.h>
#include <string.h>

#include "caps.h"
#include "dn.h"

struct dn_slot {
    struct bytes der; /* arena copy; ptr NULL: empty slot */
    char *text;
    uint64_t hash;
};

struct dn_cache {
    struct ev_arena *arena;
    struct dn_slot *slots; /* 2 * CAP_DN_CACHE, a power of two */
    size_t count;
};

#define DN_CACHE_SLOTS (2u * CAP_DN_CACHE)
_Static_assert((DN_CACHE_SLOTS & (DN_CACHE_SLOTS - 1)) == 0, "slots: power of two");

struct dn_cache *dn_cache_new(struct ev_arena *arena)
{
    struct dn_cache *c = calloc(1, sizeof *c);
    if (!c) {
        return NULL;
    }
    c->slots = calloc(DN_CACHE_SLOTS, sizeof *c->slots);
    if (!c->slots) {
        free(c);
        return NULL;
    }
    c->arena = arena;
    return c;
}

void dn_cache_free(struct dn_cache *c)
{
    if (c) {
        free(c->slots);
        free(c);
    }
}

static uint64_t fnv1a(struct bytes b)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < b.len; i++) {
        h = (h ^ b.ptr[i]) * 1099511628211ull;
    }
    return h;
}

static enum status render(struct ev_arena *arena, struct bytes der, struct bytes *ret_der,
                          char **ret_text)
{
    *ret_der = (struct bytes){ ev_memdup(arena, der.ptr, der.len), der.len };
    return dn_render(arena, der, ret_text);
}

enum status dn_cache_get(struct dn_cache *c, struct ev_arena *arena, struct bytes der,
                         struct bytes *ret_der, char **ret_text)
{
    if (!c || c->arena != arena) {
        return render(arena, der, ret_der, ret_text);
    }
    uint64_t h = fnv1a(der);
    struct dn_slot *s = NULL;
    for (size_t i = 0; i < DN_CACHE_SLOTS; i++) {
        s = &c->slots[(h + i) & (DN_CACHE_SLOTS - 1)];
        if (!s->der.ptr) {
            break;
        }
        if (s->hash == h && s->der.len == der.len && memcmp(s->der.ptr, der.ptr, der.len) == 0) {
            *ret_der = s->der;
            *ret_text = s->text;
            return ST_OK;
        }
    }
    enum status st = render(arena, der, ret_der, ret_text);
    if (st == ST_OK && ret_der->ptr && c->count < CAP_DN_CACHE && s && !s->der.ptr) {
        *s = (struct dn_slot){ .der = *ret_der, .text = *ret_text, .hash = h };
        c->count++;
    }
    return st;
}
