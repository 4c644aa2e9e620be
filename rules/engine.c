/*
 * engine.c - evaluates the catalog against the evidence: for every
 * connection (evidence order) its fact table, then every rule (catalog
 * order); a rule that holds yields a finding whose strings are copied into
 * the evidence arena, so the catalog may be freed before the report.
 */
#include "engine.h"

#include <stdlib.h>
#include <string.h>

#include "caps.h"

#define FINDINGS_MAX ((size_t)CAP_CONNECTIONS_MAX * 16u) /* move to caps.h */

static bool value_listed(const struct rule_when *w, const char *v)
{
    for (size_t i = 0; i < w->value_count; i++) {
        if (strcmp(w->values[i], v) == 0) {
            return true;
        }
    }
    return false;
}

static bool when_holds(const struct rule_when *w, const struct fact_table *t)
{
    bool listed = value_listed(w, t->val[w->fact]);
    return w->op == RULE_EQ || w->op == RULE_IN ? listed : !listed;
}

bool rule_matches(const struct rule *r, const struct fact_table *t)
{
    for (unsigned g = 0; g < r->group_count; g++) {
        bool all = true, any = false;
        for (size_t i = 0; i < r->when_count && all; i++) {
            if (r->whens[i].group == g) {
                any = true;
                all = when_holds(&r->whens[i], t);
            }
        }
        if (any && all) {
            return true;
        }
    }
    return false;
}

enum severity rule_severity(const struct rule *r, const struct fact_table *t)
{
    if (r->escalate_count == 0) {
        return r->severity;
    }
    for (size_t i = 0; i < r->escalate_count; i++) {
        if (!when_holds(&r->escalate[i], t)) {
            return r->severity;
        }
    }
    return SEV_ERROR;
}

/* Replaces {fact} by its value; anything else is kept as written. */
static char *fill(struct ev_arena *a, const char *text, const struct fact_table *t)
{
    size_t n = 0;
    for (int pass = 0; pass < 2; pass++) {
        char *out = NULL;
        if (pass == 1) {
            out = ev_alloc(a, n + 1);
            if (!out) {
                return NULL;
            }
        }
        size_t o = 0;
        for (const char *p = text; *p;) {
            const char *close = *p == '{' ? strchr(p, '}') : NULL;
            enum fact_id id;
            if (close && fact_lookup(p + 1, (size_t)(close - p - 1), &id)) {
                size_t vl = strlen(t->val[id]);
                if (out) {
                    memmove(out + o, t->val[id], vl);
                }
                o += vl;
                p = close + 1;
                continue;
            }
            if (out) {
                out[o] = *p;
            }
            o++;
            p++;
        }
        if (out) {
            out[o] = '\0';
            return out;
        }
        n = o;
    }
    return NULL;
}

char *rule_explain(struct ev_arena *a, const struct rule *r, const struct fact_table *t)
{
    return fill(a, r->explain, t);
}

static enum status make_finding(struct ev_arena *a, const struct rule *r,
                                const struct fact_table *t, const struct ev_connection *c,
                                struct finding *ret)
{
    struct finding f = { .severity = rule_severity(r, t), .conn = c };
    f.rule = ev_strndup(a, r->id, strcspn(r->id, "."));
    f.title = ev_strdup(a, r->title);
    f.explanation = fill(a, r->explain, t);
    size_t nfix = r->fix_sap_count + r->fix_generic_count;
    const char **fix = nfix ? ev_alloc(a, nfix * sizeof *fix) : NULL;
    if (!f.rule || !f.title || !f.explanation || (nfix && !fix)) {
        return ST_NOMEM;
    }
    for (size_t i = 0; i < r->fix_sap_count; i++) {
        char *s = fill(a, r->fix_sap[i], t);
        fix[f.remediation_count++] = s ? ev_printf(a, "SAP: %s", s) : NULL;
    }
    for (size_t i = 0; i < r->fix_generic_count; i++) {
        fix[f.remediation_count++] = fill(a, r->fix_generic[i], t);
    }
    for (size_t i = 0; i < f.remediation_count; i++) {
        if (!fix[i]) {
            return ST_NOMEM;
        }
    }
    f.remediation = fix;
    if (r->evidence_count > 0) {
        uint64_t *refs = ev_alloc(a, r->evidence_count * sizeof *refs);
        if (!refs) {
            return ST_NOMEM;
        }
        for (size_t i = 0; i < r->evidence_count; i++) {
            const char *v = t->val[r->evidence[i]];
            char *end = NULL;
            unsigned long long n = strtoull(v, &end, 10);
            bool dup = false;
            for (size_t j = 0; j < f.evidence_count; j++) {
                dup = dup || refs[j] == n;
            }
            if (end != v && *end == '\0' && n > 0 && !dup) {
                /* kept in ascending order: the report reads top to bottom */
                size_t k = f.evidence_count++;
                for (; k > 0 && refs[k - 1] > n; k--) {
                    refs[k] = refs[k - 1];
                }
                refs[k] = n;
            }
        }
        f.evidence = refs;
    }
    if (r->ref_count > 0) {
        const char **refs = ev_alloc(a, r->ref_count * sizeof *refs);
        if (!refs) {
            return ST_NOMEM;
        }
        for (size_t i = 0; i < r->ref_count; i++) {
            if (!(refs[i] = ev_strdup(a, r->refs[i]))) {
                return ST_NOMEM;
            }
        }
        f.references = refs;
        f.reference_count = r->ref_count;
    }
    *ret = f;
    return ST_OK;
}

/* Variants (id.variant) of one rule yield at most one finding. */
static bool reported(const struct findings *fs, size_t first, const char *id)
{
    size_t n = strcspn(id, ".");
    for (size_t i = first; i < fs->count; i++) {
        if (strlen(fs->items[i].rule) == n && strncmp(fs->items[i].rule, id, n) == 0) {
            return true;
        }
    }
    return false;
}

enum status rules_evaluate(struct evidence *ev, const struct rule_catalog *cat, struct findings *fs)
{
    return rules_evaluate_env(ev, cat, NULL, fs);
}

enum status rules_evaluate_env(struct evidence *ev, const struct rule_catalog *cat,
                               const struct facts_env *env, struct findings *fs)
{
    /* The certificate files given (candidate chains) are judged per connection. */
    struct facts_env e = env ? *env : (struct facts_env){ 0 };
    e.candidates = ev->candidates;
    e.candidate_count = ev->candidate_count;
    for (size_t i = 0; i < ev->conn_count; i++) {
        TRY(rules_evaluate_conn(ev, cat, &e, ev->conns[i], fs));
    }
    return ST_OK;
}

/* One connection: rules_evaluate_env calls it for each; live capture for
 * each handshake as it ends. */
enum status rules_evaluate_conn(struct evidence *ev, const struct rule_catalog *cat,
                                const struct facts_env *env, const struct ev_connection *c,
                                struct findings *fs)
{
    struct ev_arena *a = &ev->arena;
    struct fact_table t;
    TRY(facts_compute_env(a, c, env, &t));
    size_t first = fs->count;
    for (size_t j = 0; j < cat->count; j++) {
        const struct rule *r = cat->rules[j];
        if (!rule_matches(r, &t) || reported(fs, first, r->id)) {
            continue;
        }
        struct finding f;
        TRY(make_finding(a, r, &t, c, &f));
        TRY(EV_PUSH(a, fs->items, fs->count, fs->cap, FINDINGS_MAX, &f));
    }
    return ST_OK;
}
