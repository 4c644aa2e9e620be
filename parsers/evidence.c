/*
 * evidence.c - the analysis arena and the append helpers of the evidence
 * model. Everything that must outlive a flow is copied here and freed once.
 */
#include "evidence.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "caps.h"

#define EV_CHUNK_SIZE (64u << 10)

struct ev_chunk {
    struct ev_chunk *next;
    size_t size, used;
    max_align_t data[];
};

void ev_arena_init(struct ev_arena *a, size_t cap)
{
    a->head = NULL;
    a->used = 0;
    a->cap = cap;
}

void ev_arena_fini(struct ev_arena *a)
{
    struct ev_chunk *c = a->head;
    while (c) {
        struct ev_chunk *next = c->next;
        free(c);
        c = next;
    }
    a->head = NULL;
    a->used = 0;
}

void *ev_alloc(struct ev_arena *a, size_t n)
{
    const size_t align = sizeof(max_align_t);
    if (n == 0) {
        n = 1;
    }
    if (n > SIZE_MAX - align - sizeof(struct ev_chunk)) {
        return NULL;
    }
    size_t rounded = (n + align - 1) / align * align;
    /* The cap counts the rounded size: checking n alone let `used` pass the
     * cap, after which cap - used wrapped around and nothing was refused. */
    if (rounded > a->cap - a->used) {
        return NULL;
    }
    struct ev_chunk *c = a->head;
    if (!c || c->size - c->used < rounded) {
        size_t size = rounded > EV_CHUNK_SIZE ? rounded : EV_CHUNK_SIZE;
        c = malloc(sizeof *c + size);
        if (!c) {
            return NULL;
        }
        c->size = size;
        c->used = 0;
        /* Keep a partly used head in front when the new chunk is a one-off
         * big block, so small allocations keep filling it. */
        if (a->head && rounded > EV_CHUNK_SIZE) {
            c->next = a->head->next;
            a->head->next = c;
        } else {
            c->next = a->head;
            a->head = c;
        }
    }
    void *p = (unsigned char *)c->data + c->used;
    c->used += rounded;
    a->used += rounded;
    memset(p, 0, n);
    return p;
}

void *ev_memdup(struct ev_arena *a, const void *p, size_t n)
{
    void *q = ev_alloc(a, n);
    if (q && n > 0) {
        memcpy(q, p, n);
    }
    return q;
}

char *ev_strndup(struct ev_arena *a, const char *s, size_t n)
{
    if (n == SIZE_MAX) {
        return NULL;
    }
    char *q = ev_alloc(a, n + 1);
    if (q && n > 0) {
        memcpy(q, s, n);
    }
    return q;
}

char *ev_strdup(struct ev_arena *a, const char *s)
{
    return s ? ev_strndup(a, s, strlen(s)) : NULL;
}

char *ev_printf(struct ev_arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        return NULL;
    }
    char *q = ev_alloc(a, (size_t)n + 1);
    if (!q) {
        return NULL;
    }
    va_start(ap, fmt);
    vsnprintf(q, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return q;
}

enum status ev_grow(struct ev_arena *a, void **arr, size_t *cap, size_t count, size_t elem_size,
                    size_t max)
{
    if (count >= max) {
        return ST_LIMIT;
    }
    if (count < *cap) {
        return ST_OK;
    }
    size_t ncap = *cap ? *cap * 2 : 4;
    if (ncap > max) {
        ncap = max;
    }
    if (ncap > SIZE_MAX / elem_size) {
        return ST_LIMIT;
    }
    void *n = ev_alloc(a, ncap * elem_size);
    if (!n) {
        return ST_NOMEM;
    }
    if (count > 0) {
        memcpy(n, *arr, count * elem_size);
    }
    *arr = n;
    *cap = ncap;
    return ST_OK;
}

enum status ev_push(struct ev_arena *a, void **arr, size_t *count, size_t *cap, size_t elem_size,
                    size_t max, const void *elem)
{
    TRY(ev_grow(a, arr, cap, *count, elem_size, max));
    memcpy((unsigned char *)*arr + *count * elem_size, elem, elem_size);
    *count += 1;
    return ST_OK;
}

void ev_init(struct evidence *ev)
{
    memset(ev, 0, sizeof *ev);
    ev_arena_init(&ev->arena, CAP_EVIDENCE_BYTES);
}

void ev_fini(struct evidence *ev)
{
    if (ev->icm_carry && ev->icm_carry_free) {
        ev->icm_carry_free(ev->icm_carry);
    }
    ev_arena_fini(&ev->arena);
    memset(ev, 0, sizeof *ev);
}

struct ev_input *ev_input_add(struct evidence *ev, const char *path, enum ev_input_kind kind)
{
    struct ev_input in = { .kind = kind };
    in.path = ev_strdup(&ev->arena, path);
    if (EV_PUSH(&ev->arena, ev->inputs, ev->input_count, ev->input_cap, 1024, &in) != ST_OK) {
        return NULL;
    }
    return &ev->inputs[ev->input_count - 1];
}

enum status ev_statement_add(struct evidence *ev, struct ev_connection *c, char *text,
                             uint64_t line, size_t cap)
{
    for (size_t i = 0; i < c->statement_count; i++) {
        if (strcmp(c->statements[i], text) == 0) {
            return ST_OK; /* the same sentence inside and outside a stack */
        }
    }
    /* Lines first: a statement never exists without its line slot. */
    while (c->statement_line_count < c->statement_count) {
        uint64_t unknown = 0;
        TRY(EV_PUSH(&ev->arena, c->statement_lines, c->statement_line_count, c->statement_line_cap,
                    cap, &unknown));
    }
    TRY(EV_PUSH(&ev->arena, c->statement_lines, c->statement_line_count, c->statement_line_cap, cap,
                &line));
    enum status st =
        EV_PUSH(&ev->arena, c->statements, c->statement_count, c->statement_cap, cap, &text);
    if (st != ST_OK) {
        c->statement_line_count--;
    }
    return st;
}

enum status ev_unread_add(struct evidence *ev, const char *path, const char *reason)
{
    struct ev_unread u = { .path = ev_strdup(&ev->arena, path),
                           .reason = ev_strdup(&ev->arena, reason) };
    if (!u.path || !u.reason) {
        return ST_NOMEM;
    }
    return EV_PUSH(&ev->arena, ev->unread, ev->unread_count, ev->unread_cap, 1024, &u);
}

struct ev_connection *ev_connection_add(struct evidence *ev)
{
    struct ev_connection *c = ev_alloc(&ev->arena, sizeof *c);
    if (!c) {
        return NULL;
    }
    if (EV_PUSH(&ev->arena, ev->conns, ev->conn_count, ev->conn_cap, CAP_CONNECTIONS_MAX, &c) !=
        ST_OK) {
        return NULL;
    }
    c->id = (unsigned)ev->conn_count;
    return c;
}

enum status ev_note_add(struct evidence *ev, struct ev_connection *conn, enum status st,
                        uint64_t ref, uint64_t offset, enum ev_dir from, const char *text)
{
    struct ev_note n = {
        .status = st,
        .ref = ref,
        .offset = offset,
        .from = from,
        .text = ev_strdup(&ev->arena, text),
    };
    if (!n.text) {
        return ST_NOMEM;
    }
    return EV_PUSH(&ev->arena, conn->notes, conn->note_count, conn->note_cap, 256, &n);
}

enum status ev_candidate_add(struct evidence *ev, const char *path, struct ev_chain *chain)
{
    struct ev_candidate cand = { .path = ev_strdup(&ev->arena, path), .chain = chain };
    if (!cand.path) {
        return ST_NOMEM;
    }
    return EV_PUSH(&ev->arena, ev->candidates, ev->candidate_count, ev->candidate_cap,
                   CAP_CANDIDATES, &cand);
}
