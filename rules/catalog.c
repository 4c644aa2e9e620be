/*
 * catalog.c - reads the rule catalog (rules/catalog.tlsrules and files
 * given with --rules): line-based data read with the bounded cursor, one
 * `key = value` per line inside `[id]` blocks; rules/FACTS.md describes
 * the format. No expression language: conditions are `fact OP values`
 * with OP one of =, !=, in, not in; `or` between groups of conditions.
 */
#include "catalog.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"

/* Caps of the catalog format (move to caps.h). */
#define CATALOG_LINE_MAX 4096u          /* one line, terminator excluded */
#define CATALOG_BYTES_MAX (1u << 20)    /* one catalog file */
#define CATALOG_RULES_MAX 512u          /* rules in a catalog */
#define CATALOG_WHENS_MAX 32u           /* when (and escalate) lines per rule */
#define CATALOG_VALUES_MAX 32u          /* values of one `in` list */
#define CATALOG_LIST_MAX 32u            /* fix.*, ref and evidence entries per rule */
#define CATALOG_ARENA_BYTES (16u << 20) /* memory for all loaded catalogs */
#define CATALOG_TEXT_MAX 16384u         /* an explanation joined from its lines */

void rule_catalog_init(struct rule_catalog *cat)
{
    *cat = (struct rule_catalog){ 0 };
    ev_arena_init(&cat->arena, CATALOG_ARENA_BYTES);
}

void rule_catalog_fini(struct rule_catalog *cat)
{
    ev_arena_fini(&cat->arena);
    *cat = (struct rule_catalog){ 0 };
}

const char *rule_op_name(enum rule_op op)
{
    switch (op) {
    case RULE_EQ:
        return "=";
    case RULE_NE:
        return "!=";
    case RULE_IN:
        return "in";
    case RULE_NOT_IN:
    default:
        return "not in";
    }
}

const struct rule *rule_catalog_find(const struct rule_catalog *cat, const char *id)
{
    for (size_t i = 0; i < cat->count; i++) {
        if (strcmp(cat->rules[i]->id, id) == 0) {
            return cat->rules[i];
        }
    }
    return NULL;
}

/* ---- parsing ------------------------------------------------------------ */

struct parser {
    struct ev_arena *a;
    const char *name;
    uint64_t line;
    char *err;
    size_t errlen;
    struct rule **rules; /* this file's rules */
    size_t count, cap;
    struct rule *cur;
};

static enum status fail(struct parser *p, enum status st, const char *fmt, const char *arg)
{
    char what[256];
    snprintf(what, sizeof what, fmt, arg ? arg : "");
    snprintf(p->err, p->errlen, "%s:%" PRIu64 ": %s", p->name, p->line, what);
    return st;
}

static struct bytes trim(struct bytes b)
{
    while (b.len > 0 && (b.ptr[0] == ' ' || b.ptr[0] == '\t')) {
        b.ptr++;
        b.len--;
    }
    while (b.len > 0 && (b.ptr[b.len - 1] == ' ' || b.ptr[b.len - 1] == '\t')) {
        b.len--;
    }
    return b;
}

static bool is_word(struct bytes b, const char *w)
{
    return b.len == strlen(w) && memcmp(b.ptr, w, b.len) == 0;
}

/* Next blank-separated token of *b, or an empty view at the end. */
static struct bytes token(struct bytes *b)
{
    *b = trim(*b);
    size_t n = 0;
    while (n < b->len && b->ptr[n] != ' ' && b->ptr[n] != '\t') {
        n++;
    }
    struct bytes t = { .ptr = b->ptr, .len = n };
    b->ptr += n;
    b->len -= n;
    return t;
}

static char *dup_bytes(struct parser *p, struct bytes b)
{
    return ev_strndup(p->a, (const char *)b.ptr, b.len);
}

static enum status text_fail(struct parser *p, const char *what, struct bytes b)
{
    char tmp[128];
    size_t n = b.len < sizeof tmp - 1 ? b.len : sizeof tmp - 1;
    for (size_t i = 0; i < n; i++) {
        tmp[i] = (b.ptr[i] >= 0x20 && b.ptr[i] < 0x7f) ? (char)b.ptr[i] : '?';
    }
    tmp[n] = '\0';
    return fail(p, ST_MALFORMED, what, tmp);
}

/* Every {placeholder} must name a fact. */
static enum status check_placeholders(struct parser *p, struct bytes b)
{
    for (size_t i = 0; i < b.len; i++) {
        if (b.ptr[i] != '{') {
            continue;
        }
        size_t j = i + 1;
        while (j < b.len && b.ptr[j] != '}') {
            j++;
        }
        if (j == b.len) {
            return fail(p, ST_MALFORMED, "'{' without '}'%s", NULL);
        }
        enum fact_id id;
        struct bytes name = { .ptr = b.ptr + i + 1, .len = j - i - 1 };
        if (!fact_lookup((const char *)name.ptr, name.len, &id)) {
            return text_fail(p, "unknown fact '%s' in a placeholder", name);
        }
        i = j;
    }
    return ST_OK;
}

static enum status push_str(struct parser *p, char ***items, size_t *n, size_t *cap,
                            struct bytes value)
{
    char *s = dup_bytes(p, value);
    if (!s) {
        return fail(p, ST_NOMEM, "out of memory%s", NULL);
    }
    if (EV_PUSH(p->a, *items, *n, *cap, CATALOG_LIST_MAX, &s) != ST_OK) {
        return fail(p, ST_LIMIT, "too many entries of this kind in one rule%s", NULL);
    }
    return ST_OK;
}

/* when = FACT OP VALUE...  (OP: =, !=, in, not in) */
static enum status parse_when(struct parser *p, struct bytes v, struct rule_when *ret)
{
    struct rule_when w = { 0 };
    struct bytes fact = token(&v), op = token(&v);
    if (fact.len == 0) {
        return fail(p, ST_MALFORMED, "a condition needs a fact, an operator and a value%s", NULL);
    }
    if (!fact_lookup((const char *)fact.ptr, fact.len, &w.fact)) {
        return text_fail(p, "unknown fact '%s'", fact);
    }
    if (is_word(op, "=")) {
        w.op = RULE_EQ;
    } else if (is_word(op, "!=")) {
        w.op = RULE_NE;
    } else if (is_word(op, "in")) {
        w.op = RULE_IN;
    } else if (is_word(op, "not")) {
        struct bytes in = token(&v);
        if (!is_word(in, "in")) {
            return fail(p, ST_MALFORMED, "unknown operator 'not' (use 'not in')%s", NULL);
        }
        w.op = RULE_NOT_IN;
    } else if (op.len == 0) {
        return fail(p, ST_MALFORMED, "a condition needs an operator and a value%s", NULL);
    } else {
        return text_fail(p, "unknown operator '%s' (use =, !=, in, not in)", op);
    }
    size_t cap = 0;
    for (struct bytes t = token(&v); t.len > 0; t = token(&v)) {
        char *s = dup_bytes(p, t);
        if (!s) {
            return fail(p, ST_NOMEM, "out of memory%s", NULL);
        }
        if (EV_PUSH(p->a, w.values, w.value_count, cap, CATALOG_VALUES_MAX, &s) != ST_OK) {
            return fail(p, ST_LIMIT, "too many values in one condition%s", NULL);
        }
    }
    if (w.value_count == 0) {
        return fail(p, ST_MALFORMED, "a condition needs a value%s", NULL);
    }
    if ((w.op == RULE_EQ || w.op == RULE_NE) && w.value_count != 1) {
        return fail(p, ST_MALFORMED, "'=' and '!=' take one value (use 'in' for a list)%s", NULL);
    }
    *ret = w;
    return ST_OK;
}

static enum status finish_rule(struct parser *p)
{
    struct rule *r = p->cur;
    if (!r) {
        return ST_OK;
    }
    uint64_t line = p->line;
    p->line = r->line;
    enum status st = ST_OK;
    if (!r->title) {
        st = fail(p, ST_MALFORMED, "rule '%s' has no title", r->id);
    } else if (r->severity == (enum severity) - 1) {
        st = fail(p, ST_MALFORMED, "rule '%s' has no severity", r->id);
    } else if (r->when_count == 0) {
        st = fail(p, ST_MALFORMED, "rule '%s' has no condition (when)", r->id);
    } else if (!r->explain) {
        st = fail(p, ST_MALFORMED, "rule '%s' has no explanation (explain)", r->id);
    } else if (r->whens[r->when_count - 1].group + 1 != r->group_count) {
        st = fail(p, ST_MALFORMED, "rule '%s' ends with 'or'", r->id);
    }
    p->line = line;
    p->cur = NULL;
    return st;
}

static enum status start_rule(struct parser *p, struct bytes line)
{
    TRY(finish_rule(p));
    struct bytes id = { .ptr = line.ptr + 1, .len = line.len - 2 };
    if (line.len < 3 || line.ptr[line.len - 1] != ']') {
        return fail(p, ST_MALFORMED, "a rule starts with [id]%s", NULL);
    }
    /* id, or id.variant: variants share the finding id (first one wins). */
    size_t dots = 0;
    for (size_t i = 0; i < id.len; i++) {
        uint8_t ch = id.ptr[i];
        dots += ch == '.';
        bool ok = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' ||
                  (ch == '.' && i > 0 && i + 1 < id.len);
        if (!ok || dots > 1) {
            return text_fail(p, "bad rule id '%s' (use a-z, 0-9, _ and one '.')", id);
        }
    }
    for (size_t i = 0; i < p->count; i++) {
        if (is_word(id, p->rules[i]->id)) {
            return text_fail(p, "rule '%s' defined twice in this file", id);
        }
    }
    struct rule *r = ev_alloc(p->a, sizeof *r);
    if (!r || !(r->id = dup_bytes(p, id))) {
        return fail(p, ST_NOMEM, "out of memory%s", NULL);
    }
    r->severity = (enum severity) - 1;
    r->group_count = 1;
    r->origin = p->name;
    r->line = p->line;
    if (EV_PUSH(p->a, p->rules, p->count, p->cap, CATALOG_RULES_MAX, &r) != ST_OK) {
        return fail(p, ST_LIMIT, "too many rules%s", NULL);
    }
    p->cur = r;
    return ST_OK;
}

static enum status set_severity(struct parser *p, struct rule *r, struct bytes v)
{
    if (is_word(v, "error")) {
        r->severity = SEV_ERROR;
    } else if (is_word(v, "warning")) {
        r->severity = SEV_WARNING;
    } else if (is_word(v, "info")) {
        r->severity = SEV_INFO;
    } else {
        return text_fail(p, "unknown severity '%s' (use error, warning or info)", v);
    }
    return ST_OK;
}

static enum status add_explain(struct parser *p, struct rule *r, struct bytes v)
{
    TRY(check_placeholders(p, v));
    size_t old = r->explain ? strlen(r->explain) : 0;
    if (old + 1 + v.len > CATALOG_TEXT_MAX) {
        return fail(p, ST_LIMIT, "explanation too long%s", NULL);
    }
    char *s = r->explain ? ev_printf(p->a, "%s %.*s", r->explain, (int)v.len, (const char *)v.ptr)
                         : dup_bytes(p, v);
    if (!s) {
        return fail(p, ST_NOMEM, "out of memory%s", NULL);
    }
    r->explain = s;
    return ST_OK;
}

static enum status add_evidence(struct parser *p, struct rule *r, struct bytes v)
{
    for (struct bytes t = token(&v); t.len > 0; t = token(&v)) {
        enum fact_id id;
        if (!fact_lookup((const char *)t.ptr, t.len, &id) || id < FACT_REF_CLIENT_HELLO ||
            id > FACT_REF_SOURCE) {
            return text_fail(p, "evidence names ref_* facts, not '%s'", t);
        }
        if (EV_PUSH(p->a, r->evidence, r->evidence_count, r->evidence_cap, CATALOG_LIST_MAX, &id) !=
            ST_OK) {
            return fail(p, ST_LIMIT, "too many evidence entries%s", NULL);
        }
    }
    return ST_OK;
}

static enum status parse_kv(struct parser *p, struct bytes line)
{
    const uint8_t *eq = memchr(line.ptr, '=', line.len);
    if (!eq) {
        return text_fail(p, "expected 'key = value', [id] or 'or': '%s'", line);
    }
    struct bytes key = trim((struct bytes){ .ptr = line.ptr, .len = (size_t)(eq - line.ptr) });
    struct bytes v =
        trim((struct bytes){ .ptr = eq + 1, .len = (size_t)(line.ptr + line.len - (eq + 1)) });
    struct rule *r = p->cur;
    if (!r) {
        return fail(p, ST_MALFORMED, "a key before the first [id]%s", NULL);
    }
    if (is_word(key, "severity")) {
        return set_severity(p, r, v);
    }
    if (is_word(key, "title")) {
        return (r->title = dup_bytes(p, v)) ? ST_OK : fail(p, ST_NOMEM, "out of memory%s", NULL);
    }
    if (is_word(key, "when") || is_word(key, "escalate")) {
        bool esc = is_word(key, "escalate");
        struct rule_when w;
        TRY(parse_when(p, v, &w));
        w.group = esc ? 0 : r->group_count - 1;
        enum status st =
            esc ? EV_PUSH(p->a, r->escalate, r->escalate_count, r->escalate_cap, CATALOG_WHENS_MAX,
                          &w)
                : EV_PUSH(p->a, r->whens, r->when_count, r->when_cap, CATALOG_WHENS_MAX, &w);
        return st == ST_OK ? ST_OK : fail(p, ST_LIMIT, "too many conditions in one rule%s", NULL);
    }
    if (is_word(key, "explain")) {
        return add_explain(p, r, v);
    }
    if (is_word(key, "fix.sap") || is_word(key, "fix.generic")) {
        TRY(check_placeholders(p, v));
        return is_word(key, "fix.sap")
                   ? push_str(p, &r->fix_sap, &r->fix_sap_count, &r->fix_sap_cap, v)
                   : push_str(p, &r->fix_generic, &r->fix_generic_count, &r->fix_generic_cap, v);
    }
    if (is_word(key, "ref")) {
        return push_str(p, &r->refs, &r->ref_count, &r->ref_cap, v);
    }
    if (is_word(key, "evidence")) {
        return add_evidence(p, r, v);
    }
    return text_fail(p, "unknown key '%s'", key);
}

static enum status parse_line(struct parser *p, struct bytes line)
{
    line = trim(line);
    if (line.len == 0 || line.ptr[0] == '#') {
        return ST_OK;
    }
    if (line.ptr[0] == '[') {
        return start_rule(p, line);
    }
    if (is_word(line, "or")) {
        struct rule *r = p->cur;
        if (!r || r->when_count == 0 || r->whens[r->when_count - 1].group + 1 != r->group_count) {
            return fail(p, ST_MALFORMED, "'or' must follow a condition%s", NULL);
        }
        r->group_count++;
        return ST_OK;
    }
    return parse_kv(p, line);
}

static enum status merge(struct rule_catalog *cat, struct parser *p)
{
    for (size_t i = 0; i < p->count; i++) {
        struct rule *r = p->rules[i];
        bool replaced = false;
        for (size_t j = 0; j < cat->count && !replaced; j++) {
            if (strcmp(cat->rules[j]->id, r->id) == 0) {
                cat->rules[j] = r;
                replaced = true;
            }
        }
        if (!replaced && EV_PUSH(&cat->arena, cat->rules, cat->count, cat->cap, CATALOG_RULES_MAX,
                                 &r) != ST_OK) {
            return fail(p, ST_LIMIT, "too many rules%s", NULL);
        }
    }
    return ST_OK;
}

enum status rule_catalog_parse(struct rule_catalog *cat, const char *name, const uint8_t *buf,
                               size_t len, char *err, size_t errlen)
{
    struct parser p = { .a = &cat->arena, .err = err, .errlen = errlen };
    p.name = ev_strdup(&cat->arena, name ? name : "(rules)");
    if (!p.name) {
        snprintf(err, errlen, "%s: out of memory", name ? name : "(rules)");
        return ST_NOMEM;
    }
    struct parse_error pe = { 0 };
    struct cursor c;
    cur_init(&c, buf, len, 0, &pe);
    while (cur_left(&c) > 0) {
        struct bytes line;
        p.line++;
        enum status st = cur_line(&c, CATALOG_LINE_MAX, &line);
        if (st == ST_INCOMPLETE) {
            line = cur_rest(&c); /* the last line without a terminator */
            cur_skip_rest(&c);
            st = ST_OK;
        }
        if (st == ST_LIMIT) {
            return fail(&p, ST_MALFORMED, "line longer than %s bytes", "4096");
        }
        TRY(st);
        if (memchr(line.ptr, '\0', line.len)) {
            return fail(&p, ST_MALFORMED, "a NUL byte in the line%s", NULL);
        }
        TRY(parse_line(&p, line));
    }
    TRY(finish_rule(&p));
    return merge(cat, &p);
}

enum status rule_catalog_load(struct rule_catalog *cat, const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: cannot open the rule catalog: %s", path, strerror(errno));
        return ST_MALFORMED;
    }
    uint8_t *buf = malloc(CATALOG_BYTES_MAX + 1);
    if (!buf) {
        fclose(f);
        snprintf(err, errlen, "%s: out of memory", path);
        return ST_NOMEM;
    }
    size_t n = fread(buf, 1, CATALOG_BYTES_MAX + 1, f);
    bool bad = ferror(f) != 0;
    fclose(f);
    enum status st;
    if (bad) {
        snprintf(err, errlen, "%s: cannot read the rule catalog", path);
        st = ST_MALFORMED;
    } else if (n > CATALOG_BYTES_MAX) {
        snprintf(err, errlen, "%s: the rule catalog is larger than %u bytes", path,
                 CATALOG_BYTES_MAX);
        st = ST_LIMIT;
    } else {
        st = rule_catalog_parse(cat, path, buf, n, err, errlen);
    }
    free(buf);
    return st;
}

const char *rule_catalog_default_path(void)
{
    const char *env = getenv("TLSDIAG_RULES");
    if (env && *env) {
        return env;
    }
#ifdef TLSDIAG_SRC_CATALOG
    if (access(TLSDIAG_SRC_CATALOG, R_OK) == 0) {
        return TLSDIAG_SRC_CATALOG;
    }
#endif
    static const char installed[] = TLSDIAG_DATADIR "/catalog.tlsrules";
    if (access(installed, R_OK) == 0) {
        return installed;
    }
    return NULL;
}
