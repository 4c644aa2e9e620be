/*
 * engine.h - evaluates the catalog's rules against every connection of
 * the evidence and yields findings (rules/findings.h) in the evidence arena.
 */
#ifndef TLSDIAG_ENGINE_H
#define TLSDIAG_ENGINE_H

#include "catalog.h"
#include "evidence.h"
#include "facts.h"
#include "findings.h"

/* Every rule against every connection, connections in evidence order and
 * rules in catalog order (deterministic). Findings are appended to fs and
 * live in ev's arena. ST_NOMEM or ST_LIMIT when the arena is full. */
MUST_USE enum status rules_evaluate(struct evidence *ev, const struct rule_catalog *cat,
                                    struct findings *fs);

/* The same with what the caller knows beyond the evidence (env may be NULL). */
MUST_USE enum status rules_evaluate_env(struct evidence *ev, const struct rule_catalog *cat,
                                        const struct facts_env *env, struct findings *fs);
/* The same for one connection of ev (findings appended to fs). */
MUST_USE enum status rules_evaluate_conn(struct evidence *ev, const struct rule_catalog *cat,
                                         const struct facts_env *env, const struct ev_connection *c,
                                         struct findings *fs);
/* Does the rule hold for this fact table? */
bool rule_matches(const struct rule *r, const struct fact_table *t);
/* The rule's severity for this fact table (after escalation). */
enum severity rule_severity(const struct rule *r, const struct fact_table *t);
/* The explanation with {fact} placeholders filled, in the arena. */
char *rule_explain(struct ev_arena *a, const struct rule *r, const struct fact_table *t);

#endif
